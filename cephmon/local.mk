# cephmon/: the Ceph monitor client library (no FUSE): addresses, msgr2, cephx, monc.
noinst_LIBRARIES += cephmon/libcephmon.a
cephmon_libcephmon_a_SOURCES = \
	cephmon/ceph_addr.c cephmon/ceph_addr.h
