/*
 * fuse/ceph/writeback.c: writes buffered under Fb and written back to the
 * OSDs later, as the kernel client's page cache and ceph-fuse's object
 * cacher do, so that a small file costs its create and no OSD round trip
 * before close returns.
 *
 * Each file with buffered data has one dirty range: a write that extends or
 * overlaps it joins it, any other write first writes the range back (so
 * data reaches each object in the order it was written). A range is written
 * back by one of a few threads of ours when its file is closed, when it
 * reaches WB_FILE_MAX (the writer goes on into a new range), after
 * WB_AGE_MS, or when the MDS revokes Fb (mdsc_loop_set_writeback); and
 * waited for by fsync, reads, truncations, writes that cannot be buffered,
 * and unmount. One file is written back by one thread at a time.
 *
 * The range holds Fb (the references its writes' mdsc_loop_caps_get took),
 * given back once nothing of the file is buffered or in flight: a revoke's
 * ack waits for that. The last close's cap update (mdsc_loop_caps_close,
 * which stops wanting Fb) waits for the write-back too.
 *
 * A failed write-back loses its data, as the kernel's does: the error is
 * reported in .health and returned by the file's next fsync.
 *
 * Trade-offs: one range per file (random small writes each write back the
 * last one); at most WB_TOTAL_MAX buffered over the mount, beyond which
 * writes go straight to the OSDs.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuse/ceph/front.h"
#include "health/health.h"

#define WB_FILE_MAX  (4u << 20)	 /* one range's bytes: one object's worth */
#define WB_TOTAL_MAX (64u << 20) /* buffered over the mount */
#define WB_AGE_MS    5000	 /* an open file's range is written back after this */
#define WB_THREADS   4		 /* files written back at once */
#define WB_HASH	     256

struct wb_file {
	uint64_t ino;
	struct ceph_file_layout layout;
	char pool_ns[128];
	char *data; /* the dirty range [off, off + len) */
	uint64_t off;
	size_t len, cap;
	uint32_t truncate_seq; /* the truncation the range was written after */
	uint64_t truncate_size;
	uint64_t since_ms;    /* when the range got its first byte */
	struct timespec mtime; /* of the range's last write */
	bool busy;	       /* a range of it is being written back */
	bool queued;	       /* on the queue for the threads */
	bool again;	       /* taken off the queue while busy: queued again after */
	unsigned fb_refs;      /* the Fb references of the writes buffered (or in flight) */
	bool revoke;	       /* the MDS wants Fb back */
	unsigned closes;       /* closes waiting for the write-back */
	int err;	       /* a lost write-back, for the next fsync */
	struct wb_file *hnext, *qnext;
};

struct cephfs_wb {
	struct cephfs_front *f;
	pthread_mutex_t lock;
	pthread_cond_t work; /* the threads: queued files, the age timer, stop */
	pthread_cond_t idle; /* a file's write-back ended */
	struct wb_file *hash[WB_HASH];
	struct wb_file *qhead, *qtail;
	size_t total; /* bytes buffered, in ranges and in flight */
	uint64_t next_scan_ms; /* the age scan: one thread, once a second */
	bool stop;
	unsigned nthreads;
	pthread_t threads[WB_THREADS];
	uint64_t written, ranges, for_revokes, failed; /* for .ceph/writeback */
};

static uint64_t now_ms(void)
{
	return evloop_now_ns() / EVLOOP_NS_PER_MS;
}

static struct wb_file **slot(struct cephfs_wb *w, uint64_t ino)
{
	struct wb_file **p = &w->hash[(ino * 0x9e3779b97f4a7c15ull) >> 56];

	while (*p && (*p)->ino != ino)
		p = &(*p)->hnext;
	return p;
}

/* A file is forgotten once nothing of it is buffered, flying or owed. */
static void maybe_free(struct cephfs_wb *w, struct wb_file *b)
{
	struct wb_file **p;

	if (b->len || b->busy || b->queued || b->fb_refs || b->closes || b->err)
		return;
	p = slot(w, b->ino);
	*p = b->hnext;
	free(b->data);
	free(b);
}

static void enqueue(struct cephfs_wb *w, struct wb_file *b)
{
	if (b->queued)
		return;
	b->queued = true;
	b->qnext = NULL;
	if (w->qtail)
		w->qtail->qnext = b;
	else
		w->qhead = b;
	w->qtail = b;
	pthread_cond_signal(&w->work);
}

/* Write back the range of @ino, the lock held (dropped while the OSDs
 * write), once a write-back of it already running is done. Then what the
 * file owes is given back: its Fb reference, and the closes that waited. */
static void write_back(struct cephfs_wb *w, uint64_t ino)
{
	struct cephfs_front *f = w->f;
	struct wb_file *b;
	unsigned closes, put_fb;

	for (;;) { /* a waiter looks its file up again: it may have gone */
		if (!(b = *slot(w, ino)))
			return;
		if (!b->busy)
			break;
		pthread_cond_wait(&w->idle, &w->lock);
	}
	if (b->len) {
		char *data = b->data;
		uint64_t off = b->off;
		size_t len = b->len;
		struct timespec mtime = b->mtime;
		struct mds_inode trunc = {.truncate_seq = b->truncate_seq, .truncate_size = b->truncate_size};
		bool revoke = b->revoke;
		ssize_t n;

		b->revoke = false;
		b->data = NULL;
		b->len = b->cap = 0;
		b->busy = true; /* nothing frees @b meanwhile */
		pthread_mutex_unlock(&w->lock);
		n = cephfs_write_osds(f, NULL, ino, &b->layout, &trunc, off, data, len, &mtime);
		if (n < 0 || (size_t)n != len) {
			char who[32];
			snprintf(who, sizeof(who), "inode 0x%" PRIx64, ino);
			health_report(nf_mount_health(f->mount), HEALTH_DOMAIN_INODE, HEALTH_SICK, n < 0 ? (int)n : -EIO,
				      who, NULL, "write-back of %zu bytes at offset %" PRIu64 " failed: the data is lost",
				      len - (n > 0 ? (size_t)n : 0), off + (n > 0 ? (uint64_t)n : 0));
		}
		free(data);
		pthread_mutex_lock(&w->lock);
		b->busy = false;
		w->total -= len;
		w->ranges++;
		w->for_revokes += revoke;
		w->written += n > 0 ? (uint64_t)n : 0;
		if (n < 0 || (size_t)n != len) {
			b->err = n < 0 ? (int)n : -EIO;
			w->failed++;
		}
		pthread_cond_broadcast(&w->idle);
		if (b->again) {
			b->again = false;
			enqueue(w, b);
		}
		if (b->len) { /* written meanwhile: stays buffered, Fb held */
			if (b->closes) /* what they wait for goes next */
				enqueue(w, b);
			return;
		}
	}
	put_fb = b->fb_refs;
	closes = b->closes;
	b->fb_refs = 0;
	b->closes = 0;
	maybe_free(w, b);
	if (!put_fb && !closes)
		return;
	pthread_mutex_unlock(&w->lock);
	while (put_fb--)
		mdsc_loop_caps_put(f->mdsc, ino, MDS_CAP_FILE_BUFFER);
	while (closes--)
		mdsc_loop_caps_close(f->mdsc, ino);
	pthread_mutex_lock(&w->lock);
}

static void *worker(void *arg)
{
	struct cephfs_wb *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct wb_file *b;
		while (!w->qhead && !w->stop) {
			/* ranges past their age go on the queue, once a second */
			uint64_t now = now_ms();
			struct timespec ts;
			if (now >= w->next_scan_ms) {
				w->next_scan_ms = now + 1000;
				for (unsigned i = 0; i < WB_HASH; i++)
					for (b = w->hash[i]; b; b = b->hnext)
						if (b->len && !b->busy && now - b->since_ms >= WB_AGE_MS)
							enqueue(w, b);
			}
			if (w->qhead)
				break;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&w->work, &w->lock, &ts);
		}
		if (!w->qhead) /* stopping, and nothing is left */
			break;
		b = w->qhead;
		w->qhead = b->qnext;
		if (!w->qhead)
			w->qtail = NULL;
		b->queued = false;
		if (b->busy) /* no thread waits on another's write-back */
			b->again = true;
		else
			write_back(w, b->ino);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static struct wb_file *file_new(struct cephfs_wb *w, uint64_t ino, const struct ceph_file_layout *layout)
{
	struct wb_file **p = slot(w, ino), *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->ino = ino;
	b->layout = *layout;
	snprintf(b->pool_ns, sizeof(b->pool_ns), "%s", layout->pool_ns ? layout->pool_ns : "");
	b->layout.pool_ns = b->pool_ns;
	*p = b;
	return b;
}

/* Whether @len bytes at @off, written after the truncation @trunc
 * names, join @b's range: it grows to at most 2 * WB_FILE_MAX (past
 * WB_FILE_MAX it is queued for the threads) and the mount's buffers to
 * WB_TOTAL_MAX. */
static bool join(struct cephfs_wb *w, struct wb_file *b, const struct mds_inode *trunc, uint64_t off,
		 const char *buf, size_t len)
{
	uint64_t start = off, end = off + len;
	size_t grow;

	if (b->len) {
		if (off > b->off + b->len || end < b->off)
			return false; /* not touching: written back first */
		if (b->truncate_seq != trunc->truncate_seq || b->truncate_size != trunc->truncate_size)
			return false; /* a truncation between them */
		start = b->off < start ? b->off : start;
		end = b->off + b->len > end ? b->off + b->len : end;
	}
	if (end - start > 2 * (uint64_t)WB_FILE_MAX)
		return false;
	grow = (size_t)(end - start) - b->len;
	if (w->total + grow > WB_TOTAL_MAX)
		return false;
	if (end - start > b->cap) {
		size_t cap = b->cap ? b->cap : 64 * 1024;
		char *d;
		while (cap < end - start)
			cap *= 2;
		if (!(d = realloc(b->data, cap)))
			return false;
		b->data = d;
		b->cap = cap;
	}
	if (b->len && start < b->off) /* the write covers the gap it opens */
		memmove(b->data + (b->off - start), b->data, b->len);
	if (!b->len) {
		b->since_ms = now_ms();
		b->truncate_seq = trunc->truncate_seq;
		b->truncate_size = trunc->truncate_size;
	}
	memcpy(b->data + (off - start), buf, len);
	b->off = start;
	b->len = (size_t)(end - start);
	w->total += grow;
	return true;
}

ssize_t cephfs_wb_write(struct cephfs_front *f, struct evloop_cancel *cancel, uint64_t ino,
			const struct ceph_file_layout *layout, const struct mds_inode *trunc, uint64_t off,
			const char *buf, size_t len, const struct timespec *mtime, bool *kept)
{
	struct cephfs_wb *w = f->wb;
	struct wb_file *b;

	*kept = false;
	pthread_mutex_lock(&w->lock);
	for (int tries = 0; tries < 2; tries++) {
		if (!(b = *slot(w, ino)) && !(b = file_new(w, ino, layout)))
			break;
		if (join(w, b, trunc, off, buf, len)) {
			b->mtime = *mtime;
			b->fb_refs++;
			*kept = true;
			if (b->len > WB_FILE_MAX)
				enqueue(w, b);
			pthread_mutex_unlock(&w->lock);
			return (ssize_t)len;
		}
		write_back(w, ino); /* then once more, with the range empty */
	}
	/* not buffered (too much is, or no memory): straight to the OSDs,
	 * after what the file has buffered */
	write_back(w, ino);
	pthread_mutex_unlock(&w->lock);
	return cephfs_write_osds(f, cancel, ino, layout, trunc, off, buf, len, mtime);
}

int cephfs_wb_sync(struct cephfs_front *f, uint64_t ino, bool report)
{
	struct cephfs_wb *w = f->wb;
	struct wb_file *b;
	int e = 0;

	pthread_mutex_lock(&w->lock);
	write_back(w, ino);
	if (report && (b = *slot(w, ino)) && b->err) {
		e = b->err;
		b->err = 0;
		maybe_free(w, b);
	}
	pthread_mutex_unlock(&w->lock);
	return e;
}

void cephfs_wb_start(struct cephfs_front *f, uint64_t ino)
{
	struct cephfs_wb *w = f->wb;
	struct wb_file *b;

	pthread_mutex_lock(&w->lock);
	if ((b = *slot(w, ino)) && b->len)
		enqueue(w, b);
	pthread_mutex_unlock(&w->lock);
}

void cephfs_wb_close(struct cephfs_front *f, uint64_t ino)
{
	struct cephfs_wb *w = f->wb;
	struct wb_file *b;

	pthread_mutex_lock(&w->lock);
	if ((b = *slot(w, ino)) && (b->len || b->busy || b->fb_refs)) {
		b->closes++;
		enqueue(w, b);
		pthread_mutex_unlock(&w->lock);
		return;
	}
	pthread_mutex_unlock(&w->lock);
	mdsc_loop_caps_close(f->mdsc, ino);
}

/* The MDS revokes Fb (on its loop thread: only queue). */
static void revoked(void *arg, uint64_t ino)
{
	struct cephfs_wb *w = arg;
	struct wb_file *b;

	pthread_mutex_lock(&w->lock);
	if ((b = *slot(w, ino)) && b->len) {
		b->revoke = true;
		enqueue(w, b);
	} else if (b && b->fb_refs) {
		enqueue(w, b); /* in flight: its end gives Fb back */
	}
	pthread_mutex_unlock(&w->lock);
}

size_t cephfs_wb_format(struct cephfs_front *f, char *buf, size_t len)
{
	struct cephfs_wb *w = f->wb;
	unsigned files = 0;
	int n;

	pthread_mutex_lock(&w->lock);
	for (unsigned i = 0; i < WB_HASH; i++)
		for (struct wb_file *b = w->hash[i]; b; b = b->hnext)
			files += b->len || b->busy;
	n = snprintf(buf, len,
		     "buffered_bytes %zu\nbuffered_files %u\nwritten_back_bytes %" PRIu64
		     "\nwritten_back_ranges %" PRIu64 "\nwritten_back_for_revokes %" PRIu64
		     "\nwrite_back_failures %" PRIu64 "\n",
		     w->total, files, w->written, w->ranges, w->for_revokes, w->failed);
	pthread_mutex_unlock(&w->lock);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : (len ? len - 1 : 0);
}

int cephfs_wb_start_threads(struct cephfs_front *f)
{
	struct cephfs_wb *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->f = f;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->idle, NULL);
	for (; w->nthreads < WB_THREADS; w->nthreads++)
		if (pthread_create(&w->threads[w->nthreads], NULL, worker, w))
			break;
	f->wb = w;
	if (!w->nthreads) {
		cephfs_wb_stop(f);
		return -EAGAIN;
	}
	mdsc_loop_set_writeback(f->mdsc, revoked, w);
	return 0;
}

void cephfs_wb_stop(struct cephfs_front *f)
{
	struct cephfs_wb *w = f->wb;

	if (!w)
		return;
	mdsc_loop_set_writeback(f->mdsc, NULL, NULL);
	pthread_mutex_lock(&w->lock);
	for (unsigned i = 0; i < WB_HASH; i++) /* everything buffered goes now */
		for (struct wb_file *b = w->hash[i]; b; b = b->hnext)
			if (b->len)
				enqueue(w, b);
	w->stop = true;
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < w->nthreads; i++) /* they empty the queue first */
		pthread_join(w->threads[i], NULL);
	for (unsigned i = 0; i < WB_HASH; i++)
		while (w->hash[i]) {
			struct wb_file *b = w->hash[i];
			w->hash[i] = b->hnext;
			free(b->data);
			free(b);
		}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->idle);
	free(w);
	f->wb = NULL;
}
