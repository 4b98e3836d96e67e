# fuse/: the FUSE core shared by the front-ends and the programs netfuse-ceph
# and netfuse-afs. They link libcephmon.a / libafs_rx.a / libnlm.a and libfuse3;
# their sources land with the FUSE core and front-end work.
