# afs_rx/: the AFS client library (no FUSE): cell database, Rx transport, VL/FS/CB.
noinst_LIBRARIES += afs_rx/libafs_rx.a
afs_rx_libafs_rx_a_SOURCES = \
	afs_rx/cellservdb.c afs_rx/cellservdb.h \
	afs_rx/xdr.c afs_rx/xdr.h \
	afs_rx/rx_packet.c afs_rx/rx_packet.h \
	afs_rx/rx_ack.c afs_rx/rx_ack.h \
	afs_rx/rx_jumbo.c afs_rx/rx_jumbo.h \
	afs_rx/afs_xdr.c afs_rx/afs_xdr.h \
	afs_rx/afs_errors.c afs_rx/afs_errors.h
# The Rx transport (rx_transport.h): endpoint, peers, connections, calls.
afs_rx_libafs_rx_a_SOURCES += \
	afs_rx/rx_cc.c afs_rx/rx_cc.h \
	afs_rx/rx_security.h afs_rx/rx_null.c \
	afs_rx/rx_transport.h afs_rx/rx_internal.h \
	afs_rx/rx_endpoint.c afs_rx/rx_peer.c afs_rx/rx_conn.c \
	afs_rx/rx_call.c afs_rx/rx_call_api.c
# AFS RPCs on the transport: VL and FS client stubs, the CB service.
afs_rx_libafs_rx_a_SOURCES += \
	afs_rx/vl_client.c afs_rx/vl_client.h \
	afs_rx/fs_xdr.c afs_rx/fs_xdr.h \
	afs_rx/fs_client.c afs_rx/fs_client.h \
	afs_rx/cb_service.c afs_rx/cb_service.h afs_rx/cb_xdr.c
