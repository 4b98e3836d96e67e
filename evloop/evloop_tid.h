/*
 * evloop/evloop_tid.h: a protocol client's requests by transaction id: the
 * tid a request goes out with, the reply that names it found again in
 * constant time, and every request still pending walked in tid order (the
 * order a new session resends them in, as the kernel's monc and osdc walk
 * their rbtrees).
 *
 * Intrusive: the owner embeds a struct evloop_tid in what a tid names (the
 * monitor client's pending requests; an OSD client's ops, beside their
 * evloop_req) and gets back to it with container_of. Tids are
 * handed out by the map, increasing from 1 and never reused, so insertion
 * order is tid order and a list keeps it. A chained hash table, grown at a
 * load of one entry per bucket, finds a tid. Not thread-safe: the owner's
 * lock guards it, as it guards the requests.
 */
#ifndef NETFUSE_EVLOOP_TID_H
#define NETFUSE_EVLOOP_TID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evloop_tid {
	uint64_t tid; /* 0: in no map */
	struct evloop_tid *hnext;
	struct evloop_tid *prev, *next; /* tid order */
};

struct evloop_tidmap {
	uint64_t last_tid;
	struct evloop_tid **buckets;
	size_t nbuckets, count;
	struct evloop_tid head; /* the list's sentinel */
};

void evloop_tidmap_init(struct evloop_tidmap *m);
/* Free the table; entries still in it are forgotten (the owner frees them). */
void evloop_tidmap_destroy(struct evloop_tidmap *m);

/* Give @n the next tid and add it: the tid, or 0 when the table could not
 * grow (nothing added). */
uint64_t evloop_tidmap_add(struct evloop_tidmap *m, struct evloop_tid *n);

/* The entry with @tid, or NULL. */
struct evloop_tid *evloop_tidmap_find(const struct evloop_tidmap *m, uint64_t tid);

/* Remove @n (harmless when it is in no map). */
void evloop_tidmap_remove(struct evloop_tidmap *m, struct evloop_tid *n);

/* The oldest entry (smallest tid), or NULL; the next one after @n, or NULL.
 * Removing the current entry while walking is allowed if the walker took
 * its successor first. */
struct evloop_tid *evloop_tidmap_first(const struct evloop_tidmap *m);
struct evloop_tid *evloop_tidmap_next(const struct evloop_tidmap *m, const struct evloop_tid *n);

static inline size_t evloop_tidmap_count(const struct evloop_tidmap *m)
{
	return m->count;
}

#endif
