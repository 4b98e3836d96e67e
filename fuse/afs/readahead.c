/*
 * fuse/afs/readahead.c: chunks fetched ahead of sequential readers (the
 * rules are in readahead.h).
 *
 * Each file being read in sequence has a list of chunks by offset; each
 * chunk is fetched by one worker (one FetchData64 through cm_read), and a
 * reader that needs a chunk still on its way waits for it as a request of
 * its own (evloop_req), so that an interrupt or the mount ending releases
 * that reader alone and the chunk goes on for the others. Chunks are
 * reference counted: the file's list holds one, the work queue (then the
 * worker fetching it) another; a chunk dropped while on its way is freed
 * when its worker is done with it. One lock guards it all; the cache
 * manager's lock is never taken under it.
 */
#include "config.h"

#include "fuse/afs/readahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "evloop/evloop.h"
#include "evloop/evloop_req.h"
#include "fuse/afs/cm.h"

enum { CHUNK_FETCHING, CHUNK_READY, CHUNK_FAILED };

struct ra_waiter {
	struct evloop_req req;
	struct ra_waiter *next;
};

struct ra_chunk {
	struct afs_ra_file *file; /* NULL once dropped */
	struct cm_volume *vol;
	uint64_t start;
	size_t want, len; /* asked for; arrived */
	uint64_t dv;	  /* the data version of what arrived */
	int state;
	unsigned refs;
	char *buf;
	struct ra_waiter *waiters;
	struct ra_chunk *next;	/* the file's list, by offset */
	struct ra_chunk *qnext; /* the work queue */
};

struct afs_ra_file {
	struct cm_vnode *vn;
	uint64_t next_off; /* where the last read ended */
	uint64_t rtt_us;   /* the fileserver's round trip at the last read */
	struct ra_chunk *chunks;
	struct afs_ra_file *next; /* every file ever read ahead, until the end */
};

struct afs_ra {
	struct afs_cm *cm;
	size_t window;
	uint64_t min_rtt_us;
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct ra_chunk *qhead, *qtail;
	bool stopping;
	size_t bytes; /* in chunks */
	struct afs_ra_file *files;
	/* The workers' calls, one token each (a token holds one request);
	 * fired at the end. */
	struct evloop_cancel cancel[AFS_RA_WORKERS];
	pthread_t workers[AFS_RA_WORKERS];
	unsigned nworkers;
};

struct ra_worker {
	struct afs_ra *ra;
	unsigned i;
};

static void chunk_put(struct afs_ra *ra, struct ra_chunk *c)
{
	if (--c->refs)
		return;
	ra->bytes -= c->want;
	free(c->buf);
	free(c);
}

/* Wake every reader waiting for @c, with @result. */
static void chunk_wake(struct ra_chunk *c, int result)
{
	for (struct ra_waiter *w = c->waiters; w; w = w->next)
		evloop_req_complete(&w->req, result);
	c->waiters = NULL;
}

/* Take @c out of its file's list; its worker (if any) still holds it. */
static void chunk_drop(struct afs_ra *ra, struct ra_chunk *c)
{
	struct ra_chunk **pp = &c->file->chunks;
	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	c->file = NULL;
	chunk_wake(c, -EAGAIN);
	chunk_put(ra, c);
}

static void file_drop_all(struct afs_ra *ra, struct afs_ra_file *file)
{
	while (file->chunks)
		chunk_drop(ra, file->chunks);
}

static void *worker(void *arg)
{
	struct ra_worker *me = arg;
	struct afs_ra *ra = me->ra;
	struct evloop_cancel *cancel = &ra->cancel[me->i];
	free(me);
	pthread_mutex_lock(&ra->lock);
	while (!ra->stopping) {
		struct ra_chunk *c = ra->qhead;
		if (!c) {
			pthread_cond_wait(&ra->work, &ra->lock);
			continue;
		}
		ra->qhead = c->qnext;
		if (!ra->qhead)
			ra->qtail = NULL;
		if (!c->file) { /* dropped before its turn */
			chunk_put(ra, c);
			continue;
		}
		struct cm_vnode *vn = c->file->vn;
		pthread_mutex_unlock(&ra->lock);
		struct cm_read_info info = {0};
		ssize_t n = cm_read(ra->cm, cancel, c->vol, vn, c->buf, c->want, c->start, &info);
		pthread_mutex_lock(&ra->lock);
		c->state = n < 0 ? CHUNK_FAILED : CHUNK_READY;
		c->len = n < 0 ? 0 : (size_t)n;
		c->dv = info.dv;
		if (c->file && n >= 0)
			c->file->rtt_us = info.rtt_us;
		chunk_wake(c, 0);
		chunk_put(ra, c);
	}
	pthread_mutex_unlock(&ra->lock);
	return NULL;
}

struct afs_ra *afs_ra_new(struct afs_cm *cm, size_t window, uint64_t min_rtt_us)
{
	struct afs_ra *ra = calloc(1, sizeof(*ra));
	if (!ra)
		return NULL;
	ra->cm = cm;
	ra->window = window;
	ra->min_rtt_us = min_rtt_us;
	pthread_mutex_init(&ra->lock, NULL);
	evloop_cond_init(&ra->work);
	for (unsigned i = 0; i < AFS_RA_WORKERS; i++)
		evloop_cancel_init(&ra->cancel[i]);
	for (unsigned i = 0; window && i < AFS_RA_WORKERS; i++) {
		struct ra_worker *me = malloc(sizeof(*me));
		if (!me)
			break;
		*me = (struct ra_worker){.ra = ra, .i = i};
		if (pthread_create(&ra->workers[i], NULL, worker, me)) {
			free(me);
			break;
		}
		ra->nworkers++;
	}
	if (window && !ra->nworkers) {
		afs_ra_free(ra);
		return NULL;
	}
	return ra;
}

void afs_ra_free(struct afs_ra *ra)
{
	if (!ra)
		return;
	pthread_mutex_lock(&ra->lock);
	ra->stopping = true;
	pthread_cond_broadcast(&ra->work);
	pthread_mutex_unlock(&ra->lock);
	for (unsigned i = 0; i < AFS_RA_WORKERS; i++)
		evloop_cancel_fire(&ra->cancel[i], -ESHUTDOWN);
	for (unsigned i = 0; i < ra->nworkers; i++)
		pthread_join(ra->workers[i], NULL);
	while (ra->qhead) {
		struct ra_chunk *c = ra->qhead;
		ra->qhead = c->qnext;
		chunk_put(ra, c);
	}
	while (ra->files) {
		struct afs_ra_file *file = ra->files;
		ra->files = file->next;
		file_drop_all(ra, file);
		file->vn->ra = NULL;
		free(file);
	}
	for (unsigned i = 0; i < AFS_RA_WORKERS; i++)
		evloop_cancel_destroy(&ra->cancel[i]);
	pthread_cond_destroy(&ra->work);
	pthread_mutex_destroy(&ra->lock);
	free(ra);
}

void afs_ra_drop(struct afs_ra *ra, struct cm_vnode *vn)
{
	if (!ra)
		return;
	pthread_mutex_lock(&ra->lock);
	if (vn->ra) {
		file_drop_all(ra, vn->ra);
		vn->ra->next_off = UINT64_MAX; /* not in sequence until a read from the start */
	}
	pthread_mutex_unlock(&ra->lock);
}

static struct ra_chunk *chunk_at(struct afs_ra_file *file, uint64_t pos)
{
	for (struct ra_chunk *c = file->chunks; c; c = c->next)
		if (c->start <= pos && pos - c->start < c->want)
			return c;
	return NULL;
}

static void waiter_release(struct evloop_req *r)
{
	(void)r; /* on the waiter's stack */
}

static const struct evloop_req_ops waiter_ops = {.release = waiter_release};

/* Wait (ra->lock held, and held again on return) until @c has arrived:
 * 0, or why the wait ended first (the reader's interrupt, the chunk
 * dropped, the deadline). */
static int chunk_wait(struct afs_ra *ra, struct evloop_cancel *cancel, struct ra_chunk *c)
{
	struct ra_waiter w = {.next = c->waiters};
	double timeout = ra->cm->call_timeout > 0 ? ra->cm->call_timeout : 60;
	evloop_req_init(&w.req, NULL, &waiter_ops, &ra->lock,
			evloop_now_ns() + (uint64_t)(2 * timeout * 1e9) + 5000000000ull);
	c->waiters = &w;
	c->refs++;
	pthread_mutex_unlock(&ra->lock);
	evloop_cancel_attach(cancel, &w.req);
	pthread_mutex_lock(&ra->lock);
	int r = evloop_req_wait(&w.req);
	for (struct ra_waiter **pp = &c->waiters; *pp; pp = &(*pp)->next)
		if (*pp == &w) {
			*pp = w.next;
			break;
		}
	pthread_mutex_unlock(&ra->lock);
	evloop_cancel_detach(cancel, &w.req);
	pthread_mutex_lock(&ra->lock);
	evloop_req_put(&w.req);
	chunk_put(ra, c);
	return r;
}

/* Fetch ahead of a sequential reader at @pos: chunks up to the window
 * past it, ending on chunk boundaries, within the file's @size. */
static void schedule(struct afs_ra *ra, struct afs_ra_file *file, struct cm_volume *vol, uint64_t pos, uint64_t size)
{
	/* Whole chunks: the window's end rounded down to a chunk boundary
	 * (unless that leaves nothing: a window under a chunk). */
	uint64_t from = pos, until = pos + ra->window;
	if (until / AFS_RA_CHUNK * AFS_RA_CHUNK > pos)
		until = until / AFS_RA_CHUNK * AFS_RA_CHUNK;
	if (until > size)
		until = size;
	struct ra_chunk **tail = &file->chunks;
	for (; *tail; tail = &(*tail)->next)
		if ((*tail)->start + (*tail)->want > from)
			from = (*tail)->start + (*tail)->want;
	while (from < until && ra->bytes + AFS_RA_CHUNK <= AFS_RA_BUDGET) {
		uint64_t end = (from / AFS_RA_CHUNK + 1) * AFS_RA_CHUNK;
		if (end > until)
			end = until;
		struct ra_chunk *c = calloc(1, sizeof(*c));
		char *buf = c ? malloc(end - from) : NULL;
		if (!buf) {
			free(c);
			return;
		}
		*c = (struct ra_chunk){
		    .file = file, .vol = vol, .start = from, .want = end - from, .state = CHUNK_FETCHING, .refs = 2, .buf = buf};
		ra->bytes += c->want;
		*tail = c;
		tail = &c->next;
		if (ra->qtail)
			ra->qtail->qnext = c;
		else
			ra->qhead = c;
		ra->qtail = c;
		pthread_cond_signal(&ra->work);
		from = end;
	}
}

ssize_t afs_ra_read(struct afs_ra *ra, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn,
		    char *buf, size_t size, uint64_t off)
{
	if (!ra->window)
		return cm_read(ra->cm, cancel, vol, vn, buf, size, off, NULL);
	uint64_t dv, fsize;
	bool promised = cm_promised(ra->cm, vn, &dv, &fsize);
	size_t done = 0, from_chunks;
	bool eof = false;

	pthread_mutex_lock(&ra->lock);
	struct afs_ra_file *file = vn->ra;
	/* In sequence: from the start, or near where the last read ended (the
	 * kernel's own readahead sends a few reads at once, out of order). */
	bool in_sequence = off == 0;
	if (file && file->next_off != UINT64_MAX) {
		uint64_t lo = file->next_off > AFS_RA_CHUNK ? file->next_off - AFS_RA_CHUNK : 0;
		in_sequence |= off >= lo && off <= file->next_off + AFS_RA_CHUNK;
	}
	while (file && promised && done < size) {
		uint64_t pos = off + done;
		struct ra_chunk *c = chunk_at(file, pos);
		if (!c)
			break;
		if (c->state == CHUNK_FETCHING) {
			int r = chunk_wait(ra, cancel, c);
			if (r == -EAGAIN || r == 0)
				continue; /* look again: dropped, or arrived */
			pthread_mutex_unlock(&ra->lock);
			return done ? (ssize_t)done : r; /* interrupted, or the mount ends */
		}
		if (c->state == CHUNK_FAILED || c->dv != dv) {
			chunk_drop(ra, c); /* read it directly; a newer version is fetched ahead again */
			break;
		}
		if (pos - c->start >= c->len) {
			eof = c->len < c->want; /* the file ended there */
			break;
		}
		size_t n = c->len - (size_t)(pos - c->start);
		if (n > size - done)
			n = size - done;
		memcpy(buf + done, c->buf + (pos - c->start), n);
		done += n;
	}
	from_chunks = done;
	pthread_mutex_unlock(&ra->lock);
	if (from_chunks) {
		/* A break while the chunks were waited for or copied: what they
		 * held may be older than what the kernel is now told. */
		uint64_t dv2, size2;
		if (!cm_promised(ra->cm, vn, &dv2, &size2) || dv2 != dv) {
			done = from_chunks = 0;
			eof = false;
		}
	}

	struct cm_read_info info = {0};
	bool direct = done < size && !eof;
	if (direct) {
		ssize_t n = cm_read(ra->cm, cancel, vol, vn, buf + done, size - done, off + done, &info);
		if (n < 0 && !done)
			return n;
		if (n > 0)
			done += (size_t)n;
		promised = cm_promised(ra->cm, vn, &dv, &fsize);
	}

	pthread_mutex_lock(&ra->lock);
	/* Near fileservers are left to the kernel's own readahead: there a
	 * call's round trip is a small part of its time, and the threads
	 * fetching ahead cost more CPU than the overlap saves. */
	bool far = direct ? info.rtt_us >= ra->min_rtt_us : vn->ra && vn->ra->rtt_us >= ra->min_rtt_us;
	if (!vn->ra && in_sequence && promised && far && fsize > off + done) {
		file = calloc(1, sizeof(*file));
		if (file) {
			file->vn = vn;
			file->next = ra->files;
			ra->files = file;
			vn->ra = file;
		}
	}
	file = vn->ra;
	if (file) {
		uint64_t end = off + done;
		if (direct)
			file->rtt_us = info.rtt_us;
		/* What lies behind this read is in the kernel's page cache now;
		 * what arrived for another data version will never serve. */
		for (struct ra_chunk *c = file->chunks, *next; c; c = next) {
			next = c->next;
			if (c->start + c->want <= off || (promised && c->state == CHUNK_READY && c->dv != dv))
				chunk_drop(ra, c);
		}
		if (in_sequence && promised && far)
			schedule(ra, file, vol, end, fsize);
		file->next_off = end;
	}
	pthread_mutex_unlock(&ra->lock);
	if (from_chunks) {
		pthread_mutex_lock(&ra->cm->lock);
		ra->cm->stats.readahead_bytes += from_chunks;
		pthread_mutex_unlock(&ra->cm->lock);
	}
	return (ssize_t)done;
}
