/* evloop/evloop_tid.c: requests by transaction id (see evloop_tid.h). */
#include "config.h"

#include "evloop/evloop_tid.h"

#include <stdlib.h>

#define MIN_BUCKETS 16

/* Tids are consecutive: the low bits spread them over the buckets. */
static size_t bucket_of(const struct evloop_tidmap *m, uint64_t tid)
{
	return (size_t)(tid & (m->nbuckets - 1));
}

void evloop_tidmap_init(struct evloop_tidmap *m)
{
	m->last_tid = 0;
	m->buckets = NULL;
	m->nbuckets = m->count = 0;
	m->head.tid = 0;
	m->head.hnext = NULL;
	m->head.prev = m->head.next = &m->head;
}

void evloop_tidmap_destroy(struct evloop_tidmap *m)
{
	free(m->buckets);
	evloop_tidmap_init(m);
}

static bool grow(struct evloop_tidmap *m)
{
	size_t n = m->nbuckets ? 2 * m->nbuckets : MIN_BUCKETS;
	struct evloop_tid **b = calloc(n, sizeof(*b));

	if (!b)
		return false;
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = n;
	for (struct evloop_tid *e = m->head.next; e != &m->head; e = e->next) {
		size_t i = bucket_of(m, e->tid);

		e->hnext = b[i];
		b[i] = e;
	}
	return true;
}

uint64_t evloop_tidmap_add(struct evloop_tidmap *m, struct evloop_tid *n)
{
	size_t i;

	if (m->count >= m->nbuckets && !grow(m))
		return 0;
	n->tid = ++m->last_tid;
	i = bucket_of(m, n->tid);
	n->hnext = m->buckets[i];
	m->buckets[i] = n;
	n->next = &m->head;
	n->prev = m->head.prev;
	m->head.prev->next = n;
	m->head.prev = n;
	m->count++;
	return n->tid;
}

struct evloop_tid *evloop_tidmap_find(const struct evloop_tidmap *m, uint64_t tid)
{
	if (!tid || !m->nbuckets)
		return NULL;
	for (struct evloop_tid *e = m->buckets[bucket_of(m, tid)]; e; e = e->hnext)
		if (e->tid == tid)
			return e;
	return NULL;
}

void evloop_tidmap_remove(struct evloop_tidmap *m, struct evloop_tid *n)
{
	struct evloop_tid **pp;

	if (!n->tid || !m->nbuckets)
		return;
	for (pp = &m->buckets[bucket_of(m, n->tid)]; *pp; pp = &(*pp)->hnext) {
		if (*pp != n)
			continue;
		*pp = n->hnext;
		n->prev->next = n->next;
		n->next->prev = n->prev;
		n->tid = 0;
		n->hnext = n->prev = n->next = NULL;
		m->count--;
		return;
	}
}

struct evloop_tid *evloop_tidmap_first(const struct evloop_tidmap *m)
{
	return m->head.next == &m->head ? NULL : m->head.next;
}

struct evloop_tid *evloop_tidmap_next(const struct evloop_tidmap *m, const struct evloop_tid *n)
{
	return n->next == &m->head ? NULL : n->next;
}
