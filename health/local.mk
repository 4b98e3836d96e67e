# health/: the event model behind the .health file: a bounded, merging,
# multi-reader queue, its JSON Lines rendering, and the HTTP export
# (-o health_url, with libcurl). cephmon/, afs_rx/, nlm/ and fuse/ link
# libhealth.a with $(CURL_LIBS) -lpthread to emit events.
noinst_LIBRARIES += health/libhealth.a
health_libhealth_a_SOURCES = \
	health/health.h \
	health/health_queue.c \
	health/health_render.c \
	health/health_export.c health/health_export.h
health_libhealth_a_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS)
