# cephosd/: the Ceph OSD side of the client library (no FUSE): the CRUSH map
# and its mapper, full and incremental OSD maps and the keeper that follows
# the monitors' MOSDMap messages, placement and file striping so far; the
# OSD client follows (doc/design.md). It builds on cephmon/'s
# messenger and wire encoding.
# Link it as $(cephosd_libs).
noinst_LIBRARIES += cephosd/libcephosd.a
cephosd_libcephosd_a_SOURCES = \
	cephosd/crush.h cephosd/crush_ln_table.h cephosd/osd_decode.h \
	cephosd/hash.c cephosd/crush_decode.c cephosd/crush_mapper.c \
	cephosd/osdmap.h cephosd/osdmap_internal.h cephosd/osdmap_decode.c cephosd/osdmap_inc.c \
	cephosd/osdmap_place.c cephosd/osdmap_keeper.c cephosd/osdmap_keeper.h \
	cephosd/striper.h cephosd/striper.c \
	cephosd/osd_msgs.c cephosd/osd_msgs.h cephosd/osd_client.c cephosd/osd_client.h \
	cephosd/osdc_loop.c cephosd/osdc_loop.h
cephosd_libs = cephosd/libcephosd.a $(cephmon_libs)
