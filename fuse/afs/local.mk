# fuse/afs/: netfuse-afs, the AFS front-end on the FUSE core. The cache
# manager (cells, those found in DNS too, and volumes, fileserver calls,
# vnodes and callbacks), the source names and the views are in libafscm.a,
# so unit tests link them without FUSE; main.c maps the core's operations
# onto them.
noinst_LIBRARIES += fuse/afs/libafscm.a
fuse_afs_libafscm_a_SOURCES = \
	fuse/afs/source.c fuse/afs/source.h \
	fuse/afs/cm.h fuse/afs/vldb.c fuse/afs/vcache.c \
	fuse/afs/readahead.c fuse/afs/readahead.h fuse/afs/writeback.c fuse/afs/writeback.h \
	fuse/afs/cell_dns.c fuse/afs/cell_dns.h fuse/afs/cm_dns.c \
	fuse/afs/views.c fuse/afs/views.h
bin_PROGRAMS += netfuse-afs
netfuse_afs_SOURCES = fuse/afs/main.c
netfuse_afs_CPPFLAGS = $(AM_CPPFLAGS) $(FUSE_CFLAGS)
# libafscm.a's users link $(afscm_libs): cm_dns.c asks the resolver.
afscm_libs = fuse/afs/libafscm.a $(afs_rx_libs) $(RESOLV_LIBS)
netfuse_afs_LDADD = $(afscm_libs) $(fusecore_libs)
