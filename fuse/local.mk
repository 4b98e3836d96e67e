# fuse/: the FUSE core shared by the front-ends (libfusecore.a): the command
# line, the session and its daemon life, inode numbers, the low-level
# operations, the synthetic files (.health, the front-ends' views), and the
# cancel tokens that carry FUSE interrupts and the session's end to the
# backends' waits.
# Front-ends live in folders of their own below (fuse/ceph/) and link
# $(fusecore_libs).
noinst_LIBRARIES += fuse/libfusecore.a
fuse_libfusecore_a_SOURCES = \
	fuse/mount_opts.c fuse/mount_opts.h \
	fuse/backend.h fuse/mount_state.h \
	fuse/inode_table.c fuse/inode_table.h \
	fuse/fs_ops.c fuse/synthetic.c fuse/synthetic.h \
	fuse/view_file.c fuse/health_file.c fuse/session.c \
	fuse/interrupt.c fuse/interrupt.h fuse/locks.c fuse/locks.h \
	fuse/mountinfo.c fuse/mountinfo.h fuse/log.c fuse/log.h
fuse_libfusecore_a_CPPFLAGS = $(AM_CPPFLAGS) $(FUSE_CFLAGS) $(CURL_CFLAGS) $(TIRPC_CFLAGS)
fusecore_libs = fuse/libfusecore.a nlm/libnlmclnt.a nlm/libnlmcore.a nlm/libnlm.a evloop/libevloop.a \
	health/libhealth.a $(FUSE_LIBS) $(CURL_LIBS) $(TIRPC_LIBS) -lpthread -lm
