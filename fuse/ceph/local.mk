# fuse/ceph/: netfuse-ceph, the Ceph front-end on the FUSE core. Its views
# (df's figures, the text of .ceph/) are in libcephviews.a, so unit tests
# link them without FUSE.
noinst_LIBRARIES += fuse/ceph/libcephviews.a
fuse_ceph_libcephviews_a_SOURCES = fuse/ceph/views.c fuse/ceph/views.h
bin_PROGRAMS += netfuse-ceph
netfuse_ceph_SOURCES = fuse/ceph/main.c fuse/ceph/front.h fuse/ceph/namespace.c fuse/ceph/writeback.c \
	fuse/ceph/invalidate.c
netfuse_ceph_CPPFLAGS = $(AM_CPPFLAGS) $(FUSE_CFLAGS)
netfuse_ceph_LDADD = fuse/ceph/libcephviews.a $(cephmds_libs) $(fusecore_libs)
