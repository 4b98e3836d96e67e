# cephmon/: the Ceph monitor client library (no FUSE): addresses, ceph.conf and
# keyrings, the wire encoding, the msgr2 codec, cephx, monitor maps and
# messages, the mount configuration and the monitor client's state machine
# (monc), the MDS map, and monc_loop, the I/O thread that runs them all.
# Link it as $(cephmon_libs).
noinst_LIBRARIES += cephmon/libcephmon.a
cephmon_libcephmon_a_SOURCES = \
	cephmon/ceph_addr.c cephmon/ceph_addr.h \
	cephmon/ceph_conf.c cephmon/ceph_conf.h \
	cephmon/ceph_security.h \
	cephmon/ceph_codec.h \
	cephmon/mon_msgs.c cephmon/mon_msgs.h \
	cephmon/ceph_mount_config.c cephmon/ceph_mount_config.h \
	cephmon/mon_client.c cephmon/mon_client.h \
	cephmon/crc32c.c cephmon/crc32c.h \
	cephmon/ceph_addr_wire.c cephmon/ceph_addr_wire.h \
	cephmon/msgr2_frame.c cephmon/msgr2_frame.h \
	cephmon/msgr2_ctrl.c cephmon/msgr2_ctrl.h \
	cephmon/cephx_crypto.c cephmon/cephx_crypto.h \
	cephmon/cephx.c cephmon/cephx.h \
	cephmon/monmap.c cephmon/monmap.h \
	cephmon/mdsmap.c cephmon/mdsmap.h \
	cephmon/ceph_entity.h \
	cephmon/msgr2_session.c cephmon/msgr2_session.h \
	cephmon/msgr2_cephx.c cephmon/msgr2_cephx.h \
	cephmon/monc_loop.c cephmon/monc_loop.h
cephmon_libcephmon_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(ISAL_CFLAGS)
cephmon_libs = cephmon/libcephmon.a net/libnet.a evloop/libevloop.a health/libhealth.a $(CRYPTO_LIBS) $(ISAL_LIBS) \
	$(CURL_LIBS) -lpthread
