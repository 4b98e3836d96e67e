# cephmds/: the MDS side of a CephFS client (no FUSE): the messages of
# sessions, metadata requests and their replies (mds_msgs.c), and the MDS
# client's state machine (mds_client.c, mdsc) with its capability cache
# (mds_caps.c) and the directories' names kept under it (mds_names.c),
# and mdsc on the monitor client's loop (mdsc_loop.c). It builds on
# cephmon/'s messenger and wire encoding.
# Link it as $(cephmds_libs).
noinst_LIBRARIES += cephmds/libcephmds.a
cephmds_libcephmds_a_SOURCES = cephmds/mds_msgs.c cephmds/mds_msgs.h cephmds/mds_client.c cephmds/mds_client.h \
	cephmds/mds_client_int.h cephmds/mds_caps.c cephmds/mds_names.c cephmds/mds_names.h cephmds/mdsc_loop.c \
	cephmds/mdsc_loop.h
cephmds_libs = cephmds/libcephmds.a $(cephosd_libs)
