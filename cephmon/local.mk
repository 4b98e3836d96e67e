# cephmon/: the Ceph client library (no FUSE), in two layers and the glue a
# front-end uses. Link it as $(cephmon_libs).
#  msgr/  the messenger any Ceph client uses: entity addresses, the wire
#         encoding, the msgr2 codec, the sans-I/O session and msgr2_conn
#         (which drives one over TCP to a daemon of any type), cephx (the
#         protocol, its msgr2 auth methods for monitors and for OSD/MDS
#         authorizers, and cephx_identity: a client's tickets kept fresh).
#         Nothing in msgr/ includes from mon/.
#  mon/   the monitor client: its messages and maps, the monc state machine,
#         and monc_loop, the I/O thread that wires a monitor session.
#  ./     ceph.conf and keyrings, the mount configuration, and ceph_client.h,
#         the one header a front-end includes.
noinst_LIBRARIES += cephmon/libcephmon.a
cephmon_libcephmon_a_SOURCES = \
	cephmon/msgr/ceph_entity.h cephmon/msgr/ceph_security.h cephmon/msgr/ceph_codec.h \
	cephmon/msgr/ceph_addr.c cephmon/msgr/ceph_addr.h \
	cephmon/msgr/ceph_addr_wire.c cephmon/msgr/ceph_addr_wire.h \
	cephmon/msgr/crc32c.c cephmon/msgr/crc32c.h \
	cephmon/msgr/msgr2_frame.c cephmon/msgr/msgr2_frame.h \
	cephmon/msgr/msgr2_ctrl.c cephmon/msgr/msgr2_ctrl.h \
	cephmon/msgr/msgr2_session.c cephmon/msgr/msgr2_session.h \
	cephmon/msgr/msgr2_conn.c cephmon/msgr/msgr2_conn.h \
	cephmon/msgr/cephx_crypto.c cephmon/msgr/cephx_crypto.h \
	cephmon/msgr/cephx.c cephmon/msgr/cephx.h \
	cephmon/msgr/msgr2_cephx.c cephmon/msgr/msgr2_cephx.h \
	cephmon/msgr/msgr2_svc_conns.c cephmon/msgr/msgr2_svc_conns.h \
	cephmon/msgr/cephx_identity.c cephmon/msgr/cephx_identity.h
cephmon_libcephmon_a_SOURCES += \
	cephmon/mon/monc_types.h \
	cephmon/mon/mon_msgs.c cephmon/mon/mon_msgs.h \
	cephmon/mon/monmap.c cephmon/mon/monmap.h \
	cephmon/mon/mdsmap.c cephmon/mon/mdsmap.h \
	cephmon/mon/mon_client.c cephmon/mon/mon_client.h \
	cephmon/mon/monc_maps.c cephmon/mon/monc_maps.h \
	cephmon/mon/monc_loop.c cephmon/mon/monc_loop.h
cephmon_libcephmon_a_SOURCES += \
	cephmon/ceph_conf.c cephmon/ceph_conf.h \
	cephmon/ceph_mount_config.c cephmon/ceph_mount_config.h \
	cephmon/ceph_client.h
cephmon_libcephmon_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(ISAL_CFLAGS)
cephmon_libs = cephmon/libcephmon.a net/libnet.a evloop/libevloop.a health/libhealth.a $(CRYPTO_LIBS) $(ISAL_LIBS) \
	$(CURL_LIBS) -lpthread
