# net/: what every protocol directory needs of the network: socket-address
# helpers, byte order, and the one byte cursor and encoder (wire.h) that the
# Ceph and XDR codecs are thin layers on. Link net/libnet.a.
noinst_LIBRARIES += net/libnet.a
net_libnet_a_SOURCES = \
	net/sockaddr.h \
	net/byteorder.h \
	net/wire.c net/wire.h
