# cephmon/: the Ceph monitor client library (no FUSE): addresses, ceph.conf and
# keyrings, the wire encoding, cephx and monitor maps; msgr2 and monc to come.
# Link $(CRYPTO_LIBS) with libcephmon.a.
noinst_LIBRARIES += cephmon/libcephmon.a
cephmon_libcephmon_a_SOURCES = \
	cephmon/ceph_addr.c cephmon/ceph_addr.h \
	cephmon/ceph_conf.c cephmon/ceph_conf.h \
	cephmon/ceph_codec.c cephmon/ceph_codec.h \
	cephmon/ceph_entity_addr.c cephmon/ceph_entity_addr.h \
	cephmon/cephx_crypto.c cephmon/cephx_crypto.h \
	cephmon/cephx.c cephmon/cephx.h \
	cephmon/monmap.c cephmon/monmap.h
cephmon_libcephmon_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
