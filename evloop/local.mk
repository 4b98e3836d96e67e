# evloop/: the event loop (epoll, timers, cross-thread work and completions)
# that the protocol clients' I/O threads run on. Link libevloop.a -lpthread.
noinst_LIBRARIES += evloop/libevloop.a
evloop_libevloop_a_SOURCES = evloop/evloop.c evloop/evloop.h
