# cephmon/: the Ceph client library (no FUSE): addresses, ceph.conf and
# keyrings, the key and ms_mode types (ceph_security.h), the wire encoding,
# the messenger (the msgr2 codec, the sans-I/O session and msgr2_conn, which
# drives one over TCP to a daemon of any type), cephx (the protocol, its
# msgr2 auth methods for monitors and for OSD/MDS authorizers, and
# cephx_identity, a client's tickets kept fresh over MAuth), monitor maps and
# messages, the mount configuration, the monitor client's state machine
# (monc), its maps (monc_maps), the MDS map, and monc_loop, the I/O thread
# that wires them together. Link it as $(cephmon_libs).
noinst_LIBRARIES += cephmon/libcephmon.a
cephmon_libcephmon_a_SOURCES = \
	cephmon/ceph_addr.c cephmon/ceph_addr.h \
	cephmon/ceph_conf.c cephmon/ceph_conf.h \
	cephmon/ceph_security.h \
	cephmon/ceph_codec.h \
	cephmon/mon_msgs.c cephmon/mon_msgs.h \
	cephmon/ceph_mount_config.c cephmon/ceph_mount_config.h \
	cephmon/ceph_client.h cephmon/monc_types.h \
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
	cephmon/msgr2_conn.c cephmon/msgr2_conn.h \
	cephmon/cephx_identity.c cephmon/cephx_identity.h \
	cephmon/monc_maps.c cephmon/monc_maps.h \
	cephmon/monc_loop.c cephmon/monc_loop.h
cephmon_libcephmon_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(ISAL_CFLAGS)
cephmon_libs = cephmon/libcephmon.a net/libnet.a evloop/libevloop.a health/libhealth.a $(CRYPTO_LIBS) $(ISAL_LIBS) \
	$(CURL_LIBS) -lpthread
