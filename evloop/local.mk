# evloop/: the event loop (epoll, timers, cross-thread work and completions)
# that the protocol clients' I/O threads run on, and the one request model
# they share (evloop_req.h: refcount, completion with a deadline,
# cancellation delivered on the loop thread, cancel tokens; evloop_tid.h:
# requests by tid). Link libevloop.a -lpthread.
noinst_LIBRARIES += evloop/libevloop.a
evloop_libevloop_a_SOURCES = \
	evloop/evloop.c evloop/evloop.h \
	evloop/evloop_req.c evloop/evloop_req.h \
	evloop/evloop_tid.c evloop/evloop_tid.h
