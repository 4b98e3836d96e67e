# health/: the event model behind the .health file: a bounded, merging,
# multi-reader queue and its JSON Lines rendering. cephmon/, afs_rx/, nlm/
# and fuse/ link libhealth.a to emit events.
noinst_LIBRARIES += health/libhealth.a
health_libhealth_a_SOURCES = \
	health/health.h \
	health/health_queue.c \
	health/health_render.c
