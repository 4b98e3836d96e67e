# fuse/: the FUSE core shared by the front-ends and the programs netfuse-ceph
# and netfuse-afs. So far: the command line (mount_opts), which needs no
# libfuse; the session, inode table and .health file follow.
noinst_LIBRARIES += fuse/libfusecore.a
fuse_libfusecore_a_SOURCES = \
	fuse/mount_opts.c fuse/mount_opts.h
