# afs_rx/rx/: the Rx transport (librx.a): UDP endpoint on an evloop thread,
# peers, connections, calls, congestion control, rxnull, the packet codecs.
# It knows nothing of AFS: its users name their services and read the abort
# codes of their own RPCs. Nothing in afs_rx/rx/ includes from afs_rx/.
noinst_LIBRARIES += afs_rx/rx/librx.a
afs_rx_rx_librx_a_SOURCES = \
	afs_rx/rx/rx_packet.c afs_rx/rx/rx_packet.h \
	afs_rx/rx/rx_ack.c afs_rx/rx/rx_ack.h \
	afs_rx/rx/rx_jumbo.c afs_rx/rx/rx_jumbo.h \
	afs_rx/rx/rx_cc.c afs_rx/rx/rx_cc.h \
	afs_rx/rx/rx_security.h afs_rx/rx/rx_null.c \
	afs_rx/rx/rx_transport.h afs_rx/rx/rx_internal.h \
	afs_rx/rx/rx_endpoint.c afs_rx/rx/rx_peer.c afs_rx/rx/rx_conn.c \
	afs_rx/rx/rx_call.c afs_rx/rx/rx_call_api.c
rx_libs = afs_rx/rx/librx.a net/libnet.a evloop/libevloop.a health/libhealth.a $(CURL_LIBS) -lpthread

# afs_rx/: the AFS protocol layer on the transport (libafs_rx.a): XDR and the
# AFS types, abort codes, the call context, VL and FS client stubs, the CB
# service, CellServDB/ThisCell, the directory format. Link it as $(afs_rx_libs).
noinst_LIBRARIES += afs_rx/libafs_rx.a
afs_rx_libafs_rx_a_SOURCES = \
	afs_rx/cellservdb.c afs_rx/cellservdb.h \
	afs_rx/afs_dir.c afs_rx/afs_dir_edit.c afs_rx/afs_dir.h \
	afs_rx/xdr.c afs_rx/xdr.h \
	afs_rx/afs.h afs_rx/afs_types.h \
	afs_rx/afs_xdr.c afs_rx/afs_xdr.h \
	afs_rx/afs_errors.c afs_rx/afs_errors.h \
	afs_rx/afs_call.c afs_rx/afs_call.h afs_rx/afs_stub.h \
	afs_rx/vl_client.c afs_rx/vl_client.h \
	afs_rx/fs_xdr.c afs_rx/fs_xdr.h \
	afs_rx/fs_client.c afs_rx/fs_client.h \
	afs_rx/cb_service.c afs_rx/cb_service.h afs_rx/cb_xdr.c afs_rx/cb_xdr.h
afs_rx_libs = afs_rx/libafs_rx.a $(rx_libs)
