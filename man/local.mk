# man/: a page for every installed program and for the .health format. Each
# page lands in the same commit as the program or format it describes.
dist_man_MANS += man/netfuse-health.5 man/netfuse.7 man/netfuse-ceph.8 man/netfuse-afs.8 man/netfuse-lockd.8
