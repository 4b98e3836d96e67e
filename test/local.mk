# test/: unit tests (criterion), fuzz targets, the peer harness and the
# integration tests that run against real servers. Everything reports TAP, so
# `make check` prints one line per test case.

# ---- unit tests ------------------------------------------------------------
UNIT_TESTS = \
	test/unit/test_ceph_addr \
	test/unit/test_cellservdb \
	test/unit/test_afs_dir \
	test/unit/test_afs_dir_edit \
	test/unit/test_afs_source \
	test/unit/test_cell_dns \
	test/unit/test_nlm_xdr \
	test/unit/test_nlm_lock_core \
	test/unit/test_lockd \
	test/unit/test_nlm_clnt \
	test/unit/test_health \
	test/unit/test_mount_opts \
	test/unit/test_mountinfo \
	test/unit/test_ceph_conf \
	test/unit/test_xdr \
	test/unit/test_rx_packet \
	test/unit/test_afs_xdr \
	test/unit/test_fs_xdr \
	test/unit/test_inode_table \
	test/unit/test_mon_msgs \
	test/unit/test_ceph_mount_config \
	test/unit/test_mon_client \
	test/unit/test_ceph_views \
	test/unit/test_crc32c \
	test/unit/test_ceph_addr_wire \
	test/unit/test_msgr2_frame \
	test/unit/test_msgr2_ctrl \
	test/unit/test_msgr2_session \
	test/unit/test_msgr2_conn \
	test/unit/test_cephx \
	test/unit/test_monmap \
	test/unit/test_mdsmap \
	test/unit/test_crush \
	test/unit/test_osdmap \
	test/unit/test_osdmap_inc \
	test/unit/test_osdmap_keeper \
	test/unit/test_osd_msgs \
	test/unit/test_mds_msgs \
	test/unit/test_mds_client \
	test/unit/test_mds_names \
	test/unit/test_osd_client \
	test/unit/test_striper \
	test/unit/test_evloop \
	test/unit/test_evloop_req \
	test/unit/test_rx_cc \
	test/unit/test_rx_transport \
	test/unit/test_cb_service \
	test/unit/test_fs_client \
	test/unit/test_testfs_data
check_PROGRAMS += $(UNIT_TESTS) test/unit/health_sample test/unit/health_export_check
unit_cflags = $(AM_CFLAGS) $(CRITERION_CFLAGS)

test_unit_test_ceph_addr_SOURCES = test/unit/test_ceph_addr.c
test_unit_test_ceph_addr_CFLAGS = $(unit_cflags)
test_unit_test_ceph_addr_LDADD = $(cephmon_libs) $(CRITERION_LIBS)

test_unit_test_cellservdb_SOURCES = test/unit/test_cellservdb.c
test_unit_test_cellservdb_CFLAGS = $(unit_cflags)
test_unit_test_cellservdb_LDADD = $(afs_rx_libs) $(CRITERION_LIBS)

test_unit_test_afs_dir_SOURCES = test/unit/test_afs_dir.c test/lib/afs_dir_enc.c test/lib/afs_dir_enc.h
test_unit_test_afs_dir_CFLAGS = $(unit_cflags)
test_unit_test_afs_dir_LDADD = $(afs_rx_libs) $(CRITERION_LIBS)
test_unit_test_afs_dir_edit_SOURCES = test/unit/test_afs_dir_edit.c test/lib/afs_dir_enc.c test/lib/afs_dir_enc.h
test_unit_test_afs_dir_edit_CFLAGS = $(unit_cflags)
test_unit_test_afs_dir_edit_LDADD = $(afs_rx_libs) $(CRITERION_LIBS)

test_unit_test_afs_source_SOURCES = test/unit/test_afs_source.c
test_unit_test_afs_source_CFLAGS = $(unit_cflags)
test_unit_test_afs_source_LDADD = fuse/afs/libafscm.a $(afs_rx_libs) $(CRITERION_LIBS)

test_unit_test_cell_dns_SOURCES = test/unit/test_cell_dns.c
test_unit_test_cell_dns_CFLAGS = $(unit_cflags)
test_unit_test_cell_dns_LDADD = $(afscm_libs) $(CRITERION_LIBS)

test_unit_test_nlm_xdr_SOURCES = test/unit/test_nlm_xdr.c
test_unit_test_nlm_xdr_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
test_unit_test_nlm_xdr_CFLAGS = $(unit_cflags)
test_unit_test_nlm_xdr_LDADD = nlm/libnlm.a $(TIRPC_LIBS) $(CRITERION_LIBS)

test_unit_test_nlm_lock_core_SOURCES = test/unit/test_nlm_lock_core.c
test_unit_test_nlm_lock_core_CFLAGS = $(unit_cflags)
test_unit_test_nlm_lock_core_LDADD = nlm/libnlmcore.a $(CRITERION_LIBS)

test_unit_test_lockd_SOURCES = test/unit/test_lockd.c nlm/lockd_state.c
test_unit_test_lockd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
test_unit_test_lockd_CFLAGS = $(unit_cflags)
test_unit_test_lockd_LDADD = nlm/liblockd.a nlm/libnlmcore.a nlm/libnlm.a $(TIRPC_LIBS) $(CRITERION_LIBS)

test_unit_test_nlm_clnt_SOURCES = test/unit/test_nlm_clnt.c nlm/lockd_agent.c
test_unit_test_nlm_clnt_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
test_unit_test_nlm_clnt_CFLAGS = $(unit_cflags)
test_unit_test_nlm_clnt_LDADD = nlm/libnlmclnt.a nlm/liblockd.a nlm/libnlmcore.a nlm/libnlm.a \
	evloop/libevloop.a health/libhealth.a $(TIRPC_LIBS) $(CURL_LIBS) $(CRITERION_LIBS) -lpthread
test/unit/test_nlm_clnt-test_nlm_clnt.$(OBJEXT) nlm/test_unit_test_nlm_clnt-lockd_agent.$(OBJEXT): nlm/nlm4_prot.h

test_unit_test_health_SOURCES = test/unit/test_health.c
test_unit_test_health_CFLAGS = $(unit_cflags)
test_unit_test_health_LDADD = health/libhealth.a $(CURL_LIBS) $(CRITERION_LIBS) -lpthread

test_unit_test_ceph_conf_SOURCES = test/unit/test_ceph_conf.c
test_unit_test_ceph_conf_CFLAGS = $(unit_cflags)
test_unit_test_ceph_conf_LDADD = $(cephmon_libs) $(CRITERION_LIBS)

test_unit_test_crc32c_SOURCES = test/unit/test_crc32c.c
test_unit_test_crc32c_CFLAGS = $(unit_cflags)
test_unit_test_crc32c_LDADD = $(cephmon_libs) $(CRITERION_LIBS)

test_unit_test_ceph_addr_wire_SOURCES = test/unit/test_ceph_addr_wire.c test/lib/ceph_fixtures.c test/lib/ceph_fixtures.h
test_unit_test_ceph_addr_wire_CFLAGS = $(unit_cflags)
test_unit_test_ceph_addr_wire_LDADD = $(cephmon_libs) $(CRITERION_LIBS)

test_unit_test_msgr2_frame_SOURCES = test/unit/test_msgr2_frame.c
test_unit_test_msgr2_frame_CFLAGS = $(unit_cflags)
test_unit_test_msgr2_frame_LDADD = $(cephmon_libs) $(CRITERION_LIBS)
EXTRA_DIST += test/unit/msgr2_vectors.py

test_unit_test_msgr2_ctrl_SOURCES = test/unit/test_msgr2_ctrl.c test/lib/ceph_fixtures.c test/lib/ceph_fixtures.h
test_unit_test_msgr2_ctrl_CFLAGS = $(unit_cflags)
test_unit_test_msgr2_ctrl_LDADD = $(cephmon_libs) $(CRITERION_LIBS)

test_unit_test_msgr2_session_SOURCES = test/unit/test_msgr2_session.c test/lib/msgr2_fake_peer.c test/lib/msgr2_fake_peer.h \
	test/lib/ceph_fixtures.c test/lib/ceph_fixtures.h
test_unit_test_msgr2_session_CFLAGS = $(unit_cflags)
test_unit_test_msgr2_session_LDADD = $(cephmon_libs) $(CRITERION_LIBS)

test_unit_test_msgr2_conn_SOURCES = test/unit/test_msgr2_conn.c test/lib/msgr2_fake_peer.c test/lib/msgr2_fake_peer.h \
	test/lib/ceph_fixtures.c test/lib/ceph_fixtures.h
test_unit_test_msgr2_conn_CFLAGS = $(unit_cflags)
test_unit_test_msgr2_conn_LDADD = $(cephmon_libs) $(CRITERION_LIBS)

test_unit_test_cephx_SOURCES = test/unit/test_cephx.c test/unit/cephx_vectors.h
test_unit_test_cephx_CFLAGS = $(unit_cflags)
test_unit_test_cephx_LDADD = $(cephmon_libs) $(CRITERION_LIBS)

test_unit_test_monmap_SOURCES = test/unit/test_monmap.c test/unit/monmap_vectors.h test/lib/monmap_enc.c test/lib/monmap_enc.h
test_unit_test_monmap_CFLAGS = $(unit_cflags)
test_unit_test_monmap_LDADD = $(cephmon_libs) $(CRITERION_LIBS)

test_unit_test_mdsmap_SOURCES = test/unit/test_mdsmap.c test/unit/mdsmap_vectors.h
test_unit_test_mdsmap_CFLAGS = $(unit_cflags)
test_unit_test_mdsmap_LDADD = $(cephmon_libs) $(CRITERION_LIBS)

test_unit_test_crush_SOURCES = test/unit/test_crush.c test/lib/crush_enc.c test/lib/crush_enc.h
test_unit_test_crush_CFLAGS = $(unit_cflags)
test_unit_test_crush_LDADD = $(cephosd_libs) $(CRITERION_LIBS)

test_unit_test_osdmap_SOURCES = test/unit/test_osdmap.c test/lib/crush_enc.c test/lib/crush_enc.h \
	test/lib/osdmap_enc.c test/lib/osdmap_enc.h test/lib/file_read.c test/lib/file_read.h
test_unit_test_osdmap_CFLAGS = $(unit_cflags)
test_unit_test_osdmap_LDADD = $(cephosd_libs) $(CRITERION_LIBS)

test_unit_test_osdmap_inc_SOURCES = test/unit/test_osdmap_inc.c
test_unit_test_osdmap_inc_CFLAGS = $(unit_cflags)
test_unit_test_osdmap_inc_LDADD = $(cephosd_libs) $(CRITERION_LIBS)

test_unit_test_osdmap_keeper_SOURCES = test/unit/test_osdmap_keeper.c test/lib/file_read.c test/lib/file_read.h
test_unit_test_osdmap_keeper_CFLAGS = $(unit_cflags)
test_unit_test_osdmap_keeper_LDADD = $(cephosd_libs) $(CRITERION_LIBS)

test_unit_test_mds_client_SOURCES = test/unit/test_mds_client.c test/lib/mds_reply_enc.c test/lib/mds_reply_enc.h
test_unit_test_mds_client_CFLAGS = $(unit_cflags)
test_unit_test_mds_client_LDADD = $(cephmds_libs) $(CRITERION_LIBS)
test_unit_test_mds_names_SOURCES = test/unit/test_mds_names.c
test_unit_test_mds_names_CFLAGS = $(unit_cflags)
test_unit_test_mds_names_LDADD = $(cephmds_libs) $(CRITERION_LIBS)
test_unit_test_mds_msgs_SOURCES = test/unit/test_mds_msgs.c test/lib/mds_reply_enc.c test/lib/mds_reply_enc.h
test_unit_test_mds_msgs_CFLAGS = $(unit_cflags)
test_unit_test_mds_msgs_LDADD = $(cephmds_libs) $(CRITERION_LIBS)
test_unit_test_osd_msgs_SOURCES = test/unit/test_osd_msgs.c test/lib/osd_reply_enc.c test/lib/osd_reply_enc.h
test_unit_test_osd_msgs_CFLAGS = $(unit_cflags)
test_unit_test_osd_msgs_LDADD = $(cephosd_libs) $(CRITERION_LIBS)

test_unit_test_osd_client_SOURCES = test/unit/test_osd_client.c test/lib/osd_reply_enc.c test/lib/osd_reply_enc.h \
	test/lib/crush_enc.c test/lib/crush_enc.h test/lib/osdmap_enc.c test/lib/osdmap_enc.h
test_unit_test_osd_client_CFLAGS = $(unit_cflags)
test_unit_test_osd_client_LDADD = $(cephosd_libs) $(CRITERION_LIBS)

test_unit_test_striper_SOURCES = test/unit/test_striper.c
test_unit_test_striper_CFLAGS = $(unit_cflags)
test_unit_test_striper_LDADD = $(cephosd_libs) $(CRITERION_LIBS)

EXTRA_DIST += test/unit/cephx_vectors.py test/unit/monmap_vectors.py test/unit/mdsmap_vectors.py

check_PROGRAMS += test/integration/crush_check test/integration/osdmap_check test/integration/osd_tool \
	test/integration/mds_tool
test_integration_osd_tool_SOURCES = test/integration/osd_tool.c test/lib/file_read.c test/lib/file_read.h
test_integration_osd_tool_LDADD = $(cephosd_libs)
test_integration_mds_tool_SOURCES = test/integration/mds_tool.c
test_integration_mds_tool_LDADD = $(cephmds_libs)
test_integration_osdmap_check_SOURCES = test/integration/osdmap_check.c test/lib/file_read.c test/lib/file_read.h
test_integration_osdmap_check_LDADD = $(cephosd_libs)
test_integration_crush_check_SOURCES = test/integration/crush_check.c test/lib/file_read.c test/lib/file_read.h
test_integration_crush_check_LDADD = $(cephosd_libs)
check_PROGRAMS += test/integration/ceph_conf_check
test_integration_ceph_conf_check_SOURCES = test/integration/ceph_conf_check.c
test_integration_ceph_conf_check_LDADD = $(cephmon_libs)
check_PROGRAMS += test/integration/ceph_msgr2_check
test_integration_ceph_msgr2_check_SOURCES = test/integration/ceph_msgr2_check.c
test_integration_ceph_msgr2_check_LDADD = $(cephmon_libs)

test_unit_test_xdr_SOURCES = test/unit/test_xdr.c
test_unit_test_xdr_CFLAGS = $(unit_cflags)
test_unit_test_xdr_LDADD = $(afs_rx_libs) $(CRITERION_LIBS)

test_unit_test_rx_packet_SOURCES = test/unit/test_rx_packet.c
test_unit_test_rx_packet_CFLAGS = $(unit_cflags)
test_unit_test_rx_packet_LDADD = afs_rx/rx/librx.a net/libnet.a $(CRITERION_LIBS)

test_unit_test_afs_xdr_SOURCES = test/unit/test_afs_xdr.c test/lib/afs_server_enc.c test/lib/afs_server_enc.h
test_unit_test_afs_xdr_CFLAGS = $(unit_cflags)
test_unit_test_afs_xdr_LDADD = $(afs_rx_libs) $(CRITERION_LIBS)

test_unit_test_fs_xdr_SOURCES = test/unit/test_fs_xdr.c test/lib/afs_server_enc.c test/lib/afs_server_enc.h
test_unit_test_fs_xdr_CFLAGS = $(unit_cflags)
test_unit_test_fs_xdr_LDADD = $(afs_rx_libs) $(CRITERION_LIBS)

test_unit_test_mon_msgs_SOURCES = test/unit/test_mon_msgs.c
test_unit_test_mon_msgs_CFLAGS = $(unit_cflags)
test_unit_test_mon_msgs_LDADD = $(cephmon_libs) $(CRITERION_LIBS)
EXTRA_DIST += test/unit/data

test_unit_test_ceph_mount_config_SOURCES = test/unit/test_ceph_mount_config.c
test_unit_test_ceph_mount_config_CFLAGS = $(unit_cflags)
test_unit_test_ceph_mount_config_LDADD = $(cephmon_libs) $(CRITERION_LIBS)

test_unit_test_mon_client_SOURCES = test/unit/test_mon_client.c
test_unit_test_mon_client_CFLAGS = $(unit_cflags)
test_unit_test_mon_client_LDADD = $(cephmon_libs) $(CRITERION_LIBS)

test_unit_test_ceph_views_SOURCES = test/unit/test_ceph_views.c test/unit/mdsmap_vectors.h test/lib/file_read.c \
	test/lib/file_read.h
test_unit_test_ceph_views_CFLAGS = $(unit_cflags)
test_unit_test_ceph_views_LDADD = fuse/ceph/libcephviews.a $(cephosd_libs) $(CRITERION_LIBS)

test_unit_test_evloop_SOURCES = test/unit/test_evloop.c
test_unit_test_evloop_CFLAGS = $(unit_cflags)
test_unit_test_evloop_LDADD = evloop/libevloop.a $(CRITERION_LIBS) -lpthread

test_unit_test_evloop_req_SOURCES = test/unit/test_evloop_req.c
test_unit_test_evloop_req_CFLAGS = $(unit_cflags)
test_unit_test_evloop_req_LDADD = evloop/libevloop.a $(CRITERION_LIBS) -lpthread

test_unit_test_rx_cc_SOURCES = test/unit/test_rx_cc.c
test_unit_test_rx_cc_CFLAGS = $(unit_cflags)
test_unit_test_rx_cc_LDADD = afs_rx/rx/librx.a net/libnet.a $(CRITERION_LIBS)

# The Rx transport between two endpoints of one process over loopback.
test_unit_test_rx_transport_SOURCES = test/unit/test_rx_transport.c test/unit/udp_relay.c test/unit/udp_relay.h
test_unit_test_rx_transport_CFLAGS = $(unit_cflags)
test_unit_test_rx_transport_LDADD = $(rx_libs) $(CRITERION_LIBS)

test_unit_test_cb_service_SOURCES = test/unit/test_cb_service.c test/lib/afs_server_enc.c test/lib/afs_server_enc.h
test_unit_test_cb_service_CFLAGS = $(unit_cflags)
test_unit_test_cb_service_LDADD = $(afs_rx_libs) $(CRITERION_LIBS)

test_unit_test_fs_client_SOURCES = test/unit/test_fs_client.c test/lib/afs_server_enc.c test/lib/afs_server_enc.h
test_unit_test_fs_client_CFLAGS = $(unit_cflags)
test_unit_test_fs_client_LDADD = $(afs_rx_libs) $(CRITERION_LIBS)

# Drives the transport and the AFS stubs against the real cell (afs_rx.test).
check_PROGRAMS += test/integration/afs_rx_check
test_integration_afs_rx_check_SOURCES = test/integration/afs_rx_check.c test/unit/udp_relay.c test/unit/udp_relay.h
test_integration_afs_rx_check_LDADD = $(afs_rx_libs) $(CRYPTO_LIBS)

test_unit_test_inode_table_SOURCES = test/unit/test_inode_table.c
test_unit_test_inode_table_CFLAGS = $(unit_cflags)
test_unit_test_inode_table_LDADD = fuse/libfusecore.a $(CRITERION_LIBS) -lpthread

test_unit_test_mount_opts_SOURCES = test/unit/test_mount_opts.c
test_unit_test_mount_opts_CFLAGS = $(unit_cflags)
test_unit_test_mount_opts_LDADD = fuse/libfusecore.a $(CRITERION_LIBS) -lm

test_unit_test_mountinfo_SOURCES = test/unit/test_mountinfo.c
test_unit_test_mountinfo_CFLAGS = $(unit_cflags)
test_unit_test_mountinfo_LDADD = fuse/libfusecore.a $(CRITERION_LIBS)

test_unit_test_testfs_data_SOURCES = test/unit/test_testfs_data.c test/fuse/testfs_data.c test/fuse/testfs_data.h
test_unit_test_testfs_data_CFLAGS = $(unit_cflags)
test_unit_test_testfs_data_LDADD = $(CRITERION_LIBS)

test_unit_health_sample_SOURCES = test/unit/health_sample.c
test_unit_health_sample_LDADD = health/libhealth.a $(CURL_LIBS) -lpthread

test_unit_health_export_check_SOURCES = test/unit/health_export_check.c
test_unit_health_export_check_LDADD = health/libhealth.a $(CURL_LIBS) -lpthread

# ---- the FUSE core through a real mount -----------------------------------------
# netfuse-testfs: an in-memory backend on the FUSE core (test/fuse/testfs.c),
# built with `make` so benchmarks and people can use it; never installed.
noinst_PROGRAMS += test/fuse/netfuse-testfs
test_fuse_netfuse_testfs_SOURCES = test/fuse/testfs.c test/fuse/testfs_data.c test/fuse/testfs_data.h
test_fuse_netfuse_testfs_CPPFLAGS = $(AM_CPPFLAGS) $(FUSE_CFLAGS)
test_fuse_netfuse_testfs_LDADD = $(fusecore_libs)

# ---- fuzz targets ----------------------------------------------------------
# With --enable-fuzzing they link libFuzzer (`make fuzz` runs each one for
# FUZZ_SECONDS); otherwise they link test/fuzz/replay.c, and `make check`
# replays each target's corpus in test/fuzz/corpus/NAME/.
FUZZ_TARGETS = \
	test/fuzz/fuzz_ceph_addr \
	test/fuzz/fuzz_cellservdb \
	test/fuzz/fuzz_nlm_xdr \
	test/fuzz/fuzz_lockd_dispatch \
	test/fuzz/fuzz_nlm_clnt \
	test/fuzz/fuzz_mount_opts \
	test/fuzz/fuzz_ceph_conf \
	test/fuzz/fuzz_mon_msgs \
	test/fuzz/fuzz_rx_packet \
	test/fuzz/fuzz_afs_xdr \
	test/fuzz/fuzz_fs_replies \
	test/fuzz/fuzz_ceph_addr_wire \
	test/fuzz/fuzz_msgr2_frame \
	test/fuzz/fuzz_msgr2_ctrl \
	test/fuzz/fuzz_msgr2_session \
	test/fuzz/fuzz_cephx \
	test/fuzz/fuzz_monmap \
	test/fuzz/fuzz_mdsmap \
	test/fuzz/fuzz_crush \
	test/fuzz/fuzz_osdmap \
	test/fuzz/fuzz_osdmap_inc \
	test/fuzz/fuzz_osdmap_keeper \
	test/fuzz/fuzz_osd_msgs \
	test/fuzz/fuzz_mds_msgs \
	test/fuzz/fuzz_cb_request \
	test/fuzz/fuzz_afs_dir \
	test/fuzz/fuzz_afs_source \
	test/fuzz/fuzz_cell_dns
if FUZZING
noinst_PROGRAMS += $(FUZZ_TARGETS)
fuzz_driver =
else
check_PROGRAMS += $(FUZZ_TARGETS)
fuzz_driver = test/fuzz/replay.c
endif
fuzz_ldflags = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

test_fuzz_fuzz_ceph_addr_SOURCES = test/fuzz/fuzz_ceph_addr.c $(fuzz_driver)
test_fuzz_fuzz_ceph_addr_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_ceph_addr_LDADD = $(cephmon_libs)

test_fuzz_fuzz_afs_dir_SOURCES = test/fuzz/fuzz_afs_dir.c $(fuzz_driver)
test_fuzz_fuzz_afs_dir_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_afs_dir_LDADD = $(afs_rx_libs)

test_fuzz_fuzz_afs_source_SOURCES = test/fuzz/fuzz_afs_source.c $(fuzz_driver)
test_fuzz_fuzz_afs_source_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_afs_source_LDADD = fuse/afs/libafscm.a $(afs_rx_libs)

test_fuzz_fuzz_cell_dns_SOURCES = test/fuzz/fuzz_cell_dns.c $(fuzz_driver)
test_fuzz_fuzz_cell_dns_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_cell_dns_LDADD = $(afscm_libs)

test_fuzz_fuzz_cellservdb_SOURCES = test/fuzz/fuzz_cellservdb.c $(fuzz_driver)
test_fuzz_fuzz_cellservdb_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_cellservdb_LDADD = $(afs_rx_libs)

test_fuzz_fuzz_nlm_clnt_SOURCES = test/fuzz/fuzz_nlm_clnt.c $(fuzz_driver)
test_fuzz_fuzz_nlm_clnt_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
test_fuzz_fuzz_nlm_clnt_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_nlm_clnt_LDADD = nlm/libnlmclnt.a nlm/libnlm.a evloop/libevloop.a health/libhealth.a \
	$(TIRPC_LIBS) $(CURL_LIBS) -lpthread

test_fuzz_fuzz_nlm_xdr_SOURCES = test/fuzz/fuzz_nlm_xdr.c $(fuzz_driver)
test_fuzz_fuzz_nlm_xdr_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
test_fuzz_fuzz_nlm_xdr_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_nlm_xdr_LDADD = nlm/libnlm.a $(TIRPC_LIBS)
test_fuzz_fuzz_lockd_dispatch_SOURCES = test/fuzz/fuzz_lockd_dispatch.c $(fuzz_driver)
test_fuzz_fuzz_lockd_dispatch_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
test_fuzz_fuzz_lockd_dispatch_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_lockd_dispatch_LDADD = nlm/liblockd.a nlm/libnlmcore.a nlm/libnlm.a $(TIRPC_LIBS)

test_fuzz_fuzz_mount_opts_SOURCES = test/fuzz/fuzz_mount_opts.c $(fuzz_driver)
test_fuzz_fuzz_mount_opts_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_mount_opts_LDADD = fuse/libfusecore.a -lm

test_fuzz_fuzz_ceph_conf_SOURCES = test/fuzz/fuzz_ceph_conf.c $(fuzz_driver)
test_fuzz_fuzz_ceph_conf_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_ceph_conf_LDADD = $(cephmon_libs)

test_fuzz_fuzz_ceph_addr_wire_SOURCES = test/fuzz/fuzz_ceph_addr_wire.c $(fuzz_driver)
test_fuzz_fuzz_ceph_addr_wire_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_ceph_addr_wire_LDADD = $(cephmon_libs)

test_fuzz_fuzz_msgr2_frame_SOURCES = test/fuzz/fuzz_msgr2_frame.c $(fuzz_driver)
test_fuzz_fuzz_msgr2_frame_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_msgr2_frame_LDADD = $(cephmon_libs)

test_fuzz_fuzz_msgr2_ctrl_SOURCES = test/fuzz/fuzz_msgr2_ctrl.c $(fuzz_driver)
test_fuzz_fuzz_msgr2_ctrl_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_msgr2_ctrl_LDADD = $(cephmon_libs)

test_fuzz_fuzz_msgr2_session_SOURCES = test/fuzz/fuzz_msgr2_session.c $(fuzz_driver)
test_fuzz_fuzz_msgr2_session_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_msgr2_session_LDADD = $(cephmon_libs)

test_fuzz_fuzz_rx_packet_SOURCES = test/fuzz/fuzz_rx_packet.c $(fuzz_driver)
test_fuzz_fuzz_rx_packet_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_rx_packet_LDADD = afs_rx/rx/librx.a net/libnet.a

test_fuzz_fuzz_afs_xdr_SOURCES = test/fuzz/fuzz_afs_xdr.c $(fuzz_driver) test/lib/afs_server_enc.c test/lib/afs_server_enc.h
test_fuzz_fuzz_afs_xdr_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_afs_xdr_LDADD = $(afs_rx_libs)

test_fuzz_fuzz_fs_replies_SOURCES = test/fuzz/fuzz_fs_replies.c $(fuzz_driver) test/lib/afs_server_enc.c test/lib/afs_server_enc.h
test_fuzz_fuzz_fs_replies_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_fs_replies_LDADD = $(afs_rx_libs)

test_fuzz_fuzz_cb_request_SOURCES = test/fuzz/fuzz_cb_request.c $(fuzz_driver) test/lib/afs_server_enc.c test/lib/afs_server_enc.h
test_fuzz_fuzz_cb_request_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_cb_request_LDADD = $(afs_rx_libs)

test_fuzz_fuzz_mon_msgs_SOURCES = test/fuzz/fuzz_mon_msgs.c $(fuzz_driver)
test_fuzz_fuzz_mon_msgs_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_mon_msgs_LDADD = $(cephmon_libs)

test_fuzz_fuzz_cephx_SOURCES = test/fuzz/fuzz_cephx.c $(fuzz_driver)
test_fuzz_fuzz_cephx_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_cephx_LDADD = $(cephmon_libs)

test_fuzz_fuzz_monmap_SOURCES = test/fuzz/fuzz_monmap.c $(fuzz_driver) test/lib/monmap_enc.c test/lib/monmap_enc.h
test_fuzz_fuzz_monmap_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_monmap_LDADD = $(cephmon_libs)

test_fuzz_fuzz_mdsmap_SOURCES = test/fuzz/fuzz_mdsmap.c $(fuzz_driver)
test_fuzz_fuzz_mdsmap_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_mdsmap_LDADD = $(cephmon_libs)

test_fuzz_fuzz_crush_SOURCES = test/fuzz/fuzz_crush.c test/fuzz/crush_cost.h $(fuzz_driver)
test_fuzz_fuzz_crush_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_crush_LDADD = $(cephosd_libs)

test_fuzz_fuzz_osdmap_SOURCES = test/fuzz/fuzz_osdmap.c test/fuzz/crush_cost.h $(fuzz_driver)
test_fuzz_fuzz_osdmap_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_osdmap_LDADD = $(cephosd_libs)

test_fuzz_fuzz_osdmap_inc_SOURCES = test/fuzz/fuzz_osdmap_inc.c test/fuzz/crush_cost.h $(fuzz_driver)
test_fuzz_fuzz_osdmap_inc_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_osdmap_inc_LDADD = $(cephosd_libs)

test_fuzz_fuzz_osdmap_keeper_SOURCES = test/fuzz/fuzz_osdmap_keeper.c $(fuzz_driver)
test_fuzz_fuzz_osdmap_keeper_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_osdmap_keeper_LDADD = $(cephosd_libs)

test_fuzz_fuzz_mds_msgs_SOURCES = test/fuzz/fuzz_mds_msgs.c $(fuzz_driver)
test_fuzz_fuzz_mds_msgs_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_mds_msgs_LDADD = $(cephmds_libs)
test_fuzz_fuzz_osd_msgs_SOURCES = test/fuzz/fuzz_osd_msgs.c $(fuzz_driver)
test_fuzz_fuzz_osd_msgs_LDFLAGS = $(fuzz_ldflags)
test_fuzz_fuzz_osd_msgs_LDADD = $(cephosd_libs)

EXTRA_DIST += test/fuzz/corpus

FUZZ_SECONDS = 60
fuzz: $(FUZZ_TARGETS)
if FUZZING
	@for t in $(FUZZ_TARGETS); do \
		name=$${t##*/fuzz_}; corpus=fuzz-corpus/$$name; \
		$(MKDIR_P) $$corpus && cp -n $(srcdir)/test/fuzz/corpus/$$name/* $$corpus/ 2>/dev/null; \
		echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
		./$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$corpus || exit 1; \
	done
else
	@echo "fuzz: configure with CC=clang --enable-fuzzing to build libFuzzer targets" >&2; exit 1
endif
.PHONY: fuzz

# ---- the peer harness (test/peers/) ------------------------------------------
# afscp-tool writes and reads files in the test AFS cell without a kernel
# module (tests only; not installed). It is built with `make` so the peer
# scripts can be used by hand, and without the sanitizers: it is OpenAFS's
# code under test there, not ours.
if HAVE_AFSCP
noinst_PROGRAMS += test/peers/afscp-tool
test_peers_afscp_tool_SOURCES = test/peers/afscp-tool.c
test_peers_afscp_tool_CFLAGS = $(WARN_CFLAGS) $(AFSCP_CFLAGS)
test_peers_afscp_tool_LDFLAGS =
test_peers_afscp_tool_LDADD = $(AFSCP_LIBS)
endif

# nlmc: an NLM version 4 client for the lock server's tests (test/lib/nlmc.c).
check_PROGRAMS += test/lib/nlmc
test_lib_nlmc_SOURCES = test/lib/nlmc.c
test_lib_nlmc_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
test_lib_nlmc_LDADD = nlm/libnlm.a $(TIRPC_LIBS)
test/lib/test_lib_nlmc-nlmc.$(OBJEXT): nlm/nlm4_prot.h

# nlm_interop_check: netfuse's NLM client against nfs-ganesha's NLM (nlm_interop.test).
check_PROGRAMS += test/integration/nlm_interop_check
test_integration_nlm_interop_check_SOURCES = test/integration/nlm_interop_check.c
test_integration_nlm_interop_check_LDADD = nlm/libnlmclnt.a nlm/libnlm.a evloop/libevloop.a health/libhealth.a \
	$(TIRPC_LIBS) $(CURL_LIBS) -lpthread

# libnfs-nlm: libnfs's NLM client, a third party driving netfuse-lockd.
if HAVE_LIBNFS
check_PROGRAMS += test/lib/libnfs-nlm
test_lib_libnfs_nlm_SOURCES = test/lib/libnfs_nlm.c
test_lib_libnfs_nlm_CFLAGS = $(AM_CFLAGS) $(LIBNFS_CFLAGS)
test_lib_libnfs_nlm_LDADD = $(LIBNFS_LIBS)
endif
EXTRA_DIST += test/lib/libnfs_nlm.c

peer_scripts = \
	test/peers/lib.sh test/peers/ensure.sh test/peers/teardown.sh \
	test/peers/ceph.sh test/peers/afs.sh test/peers/rpcbind.sh test/peers/leftovers.sh
EXTRA_DIST += $(peer_scripts) test/tap.sh test/unit/criterion-tap

# ---- how tests run -------------------------------------------------------
# Every test speaks TAP. Integration tests share one set of peers per run,
# kept under a short per-build-directory path (Ceph's admin sockets must fit
# in a 108-byte socket path).
NETFUSE_PEERS_CMD = echo /tmp/netfuse-check.$$(echo '$(abs_top_builddir)' | cksum | cut -d' ' -f1)
AM_TESTS_ENVIRONMENT = \
	NETFUSE_SRCDIR='$(abs_top_srcdir)'; NETFUSE_BUILDDIR='$(abs_top_builddir)'; \
	NETFUSE_PEERS=$$($(NETFUSE_PEERS_CMD)); NETFUSE_PJDFSTEST='$(NETFUSE_PJDFSTEST)'; \
	export NETFUSE_SRCDIR NETFUSE_BUILDDIR NETFUSE_PEERS NETFUSE_PJDFSTEST;
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
LOG_COMPILER = $(top_srcdir)/test/unit/criterion-tap
TEST_EXTENSIONS = .test
TEST_LOG_DRIVER = $(LOG_DRIVER)

INTEGRATION_TESTS = \
	test/integration/ceph_cluster.test \
	test/integration/ceph_conf.test \
	test/integration/ceph_msgr2.test \
	test/integration/ceph_osdmap.test \
	test/integration/ceph_mds.test \
	test/integration/ceph_osd.test \
	test/integration/ceph_fsx.test \
	test/integration/ceph_pjdfstest.test \
	test/integration/ceph_interop.test \
	test/integration/ceph_mds_restart.test \
	test/integration/ceph_mount.test \
	test/integration/afs_cell.test \
	test/integration/afs_rx.test \
	test/integration/afs_mount.test \
	test/integration/afs_mount_faults.test \
	test/integration/afs_dns.test \
	test/integration/afs_pjdfstest.test \
	test/integration/afs_fsx.test \
	test/integration/afs_jumbo.test \
	test/integration/rpcbind.test \
	test/integration/lockd.test \
	test/integration/lock_mounts.test \
	test/integration/nlm_interop.test

TESTS += \
	$(UNIT_TESTS) \
	test/fuse/mount.test \
	test/fuse/pjdfstest.test \
	test/unit/health_json.test \
	test/unit/health_export.test \
	test/fuzz/replay.test \
	test/integration/crush_map.test \
	test/integration/osdmap_map.test
# The tests with peers; make distcheck's out-of-tree build leaves them out
# (--disable-integration-tests): CI has run them on the source tree twice.
if INTEGRATION_TESTS
TESTS += \
	test/peers/begin.test \
	$(INTEGRATION_TESTS) \
	test/peers/teardown.test \
	test/peers/cycles.test
endif
EXTRA_DIST += test/fuse/pjdfstest.test test/fuse/pjdfstest-testfs.xfail test/lib/pjdfstest.sh \
	test/integration/pjdfstest-afs.xfail test/integration/pjdfstest-ceph.xfail test/integration/crush_map.test test/integration/crush/mixed.txt \
	test/integration/osdmap_map.test test/integration/osdmap_patch.py \
	test/integration/crush/classes.txt test/lib/fsx.sh test/lib/locktests.sh test/lib/suite_build.sh \
	test/lib/cephfs_judge.py
EXTRA_DIST += test/fuse/mount.test test/unit/health_json.test test/unit/health_export.test test/fuzz/replay.test test/peers/begin.test $(INTEGRATION_TESTS) test/peers/teardown.test test/peers/cycles.test

# begin.test prepares the run's peer directory; the shared peers stop once
# every test that uses them is done; the start/stop cycle test needs the
# ports back, so it runs after that.
$(INTEGRATION_TESTS:.test=.log): test/peers/begin.log
# ceph_mount stops and starts monitors: after the other Ceph tests.
# ceph_osd waits (60 s at most) for every PG of the cluster to be clean: not
# beside ceph_osdmap (OSDs out and in) or ceph_mount (a pool added, monitors
# stopped), which failed that wait under ASan.
# ceph_osdmap changes the OSD map (out and in, reweights): after the checks of
# the cluster, the configuration and msgr2.
test/integration/ceph_osdmap.log: test/integration/ceph_cluster.log test/integration/ceph_conf.log \
	test/integration/ceph_msgr2.log
test/integration/ceph_osd.log: test/integration/ceph_osdmap.log
# ceph_mds counts the MDS sessions of netfuse clients and ceph_osd the ops
# in flight on the OSDs: the mounts of ceph_fsx, ceph_pjdfstest and
# ceph_interop (netfuse-ceph beside ceph-fuse), which would count there,
# come after both.
test/integration/ceph_fsx.log test/integration/ceph_pjdfstest.log test/integration/ceph_interop.log: \
	test/integration/ceph_mds.log test/integration/ceph_osd.log
# ceph_mds_restart restarts the shared cluster's MDS: every other test
# with a mount of it runs before.
test/integration/ceph_mds_restart.log: test/integration/ceph_mds.log test/integration/ceph_osd.log \
	test/integration/ceph_fsx.log test/integration/ceph_pjdfstest.log test/integration/ceph_interop.log
test/integration/ceph_mount.log: test/integration/ceph_cluster.log test/integration/ceph_conf.log \
	test/integration/ceph_msgr2.log test/integration/ceph_osdmap.log test/integration/ceph_mds.log \
	test/integration/ceph_osd.log test/integration/ceph_fsx.log test/integration/ceph_pjdfstest.log \
	test/integration/ceph_interop.log test/integration/ceph_mds_restart.log
# afs_jumbo.test restarts the shared cell's fileserver (with -jumbo, then
# back): every other test of the AFS peer runs before it.
afs_peer_tests = test/integration/afs_cell.test test/integration/afs_rx.test test/integration/afs_mount.test \
	test/integration/afs_dns.test \
	test/integration/afs_pjdfstest.test test/integration/afs_fsx.test
test/integration/afs_jumbo.log: $(afs_peer_tests:.test=.log)
# afs_mount.test puts a quota on the shared test volume for one check: the
# tests that write that volume (or compare its quota) run after it, or a
# write of theirs meets the quota (pjdfstest's symlinks failed EDQUOT so).
test/integration/afs_rx.log test/integration/afs_pjdfstest.log test/integration/afs_fsx.log: \
	test/integration/afs_mount.log
# afs_mount_faults.test restarts it too: after those, before afs_jumbo.test.
test/integration/afs_mount_faults.log: $(afs_peer_tests:.test=.log)
test/integration/afs_jumbo.log: test/integration/afs_mount_faults.log
test/peers/teardown.log: $(INTEGRATION_TESTS:.test=.log)
test/peers/cycles.log: test/peers/teardown.log

clean-local:
	-NETFUSE_PEERS=$$($(NETFUSE_PEERS_CMD)) $(top_srcdir)/test/peers/teardown.sh
	-rm -rf "$$($(NETFUSE_PEERS_CMD))" fuzz-corpus test/pjdfstest.build test/fsx.build test/locktests.build

# `make check-full`: the suite with its long parts whole (pjdfstest's every
# file instead of the fixed part `make check` runs, fsx at ten times the
# operations).
check-full:
	$(MAKE) $(AM_MAKEFLAGS) check NETFUSE_PJDFSTEST=full NETFUSE_FSX=full
.PHONY: check-full

# ---- benchmarks ----------------------------------------------------------
# `make bench` runs every benchmark; each prints lines of the form
#   bench NAME: netfuse=VALUE ANCHOR=VALUE ratio=R UNIT
# with the anchor measured in the same run.
noinst_PROGRAMS += test/bench/health_bench
test_bench_health_bench_SOURCES = test/bench/health_bench.c
test_bench_health_bench_LDADD = health/libhealth.a $(CURL_LIBS) -lpthread
# nlm-bench: LOCK+UNLOCK pairs from one NLM client, for lockd.sh.
noinst_PROGRAMS += test/bench/nlm-bench
test_bench_nlm_bench_SOURCES = test/bench/nlm_bench.c
test_bench_nlm_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/nlm $(TIRPC_CFLAGS)
test_bench_nlm_bench_LDADD = nlm/libnlm.a $(TIRPC_LIBS)
test/bench/test_bench_nlm_bench-nlm_bench.$(OBJEXT): nlm/nlm4_prot.h
# fcntl-bench: POSIX locks through a mount, for locks_mount.sh.
noinst_PROGRAMS += test/bench/fcntl-bench
test_bench_fcntl_bench_SOURCES = test/bench/fcntl_bench.c

# afs_fetch.sh drives afs_rx/ through the integration test's driver;
# afs_mount.sh mounts netfuse-afs beside afsd.fuse.
BENCHMARKS = test/bench/health.sh test/bench/ceph.sh test/bench/ceph_osd.sh test/bench/ceph_mount.sh \
	test/bench/afs_fetch.sh test/bench/afs_mount.sh test/bench/lockd.sh test/bench/locks_mount.sh
EXTRA_DIST += $(BENCHMARKS) test/bench/ceph_bench.py test/bench/lib.sh
bench: all test/integration/afs_rx_check test/integration/osd_tool
	@for b in $(BENCHMARKS); do \
		NETFUSE_SRCDIR='$(abs_top_srcdir)' NETFUSE_BUILDDIR='$(abs_top_builddir)' $(srcdir)/$$b || exit 1; \
	done
.PHONY: bench
