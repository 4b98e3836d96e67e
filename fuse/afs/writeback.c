/*
 * fuse/afs/writeback.c: writes held per file and stored in large calls
 * (the rules are in writeback.h).
 *
 * What a file holds is one run of bytes, [wb_start, wb_start + wb_len),
 * on its vnode, guarded by the vnode's store_lock, which also keeps two
 * stores of one file from racing on its length; wb_end mirrors the run's
 * end for readers of attributes that do not take that lock. The run's
 * buffer (wb_cap bytes) starts small and doubles as it fills, up to the
 * limit per file: most files are small, and a buffer of the limit for each
 * (4 MiB, mapped and unmapped by malloc) cost every small file page faults
 * and a TLB shootdown.
 *
 * A whole file stored from its start (kept): the buffer, trimmed to the
 * file, with the data version the store gave it, on a least recently used
 * list under wb->lock, dropped before any other store of the file, when a
 * read finds another version, and past the budget.
 */
#include "config.h"

#include "fuse/afs/writeback.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evloop/evloop.h"
#include "fuse/afs/cm.h"
#include "fuse/afs/readahead.h"
#include "health/health.h"

struct afs_wb {
	struct afs_cm *cm;
	struct afs_ra *ra;
	size_t per_file;
	pthread_mutex_t lock;
	size_t bytes; /* held, every file (buffers' capacity) */
	/* Files kept after their store, most recently used first. */
	struct cm_vnode *kept_head, *kept_tail;
	size_t kept_bytes, kept_max;
	uint64_t kept_reads; /* reads served */
};

#define WB_FIRST_CAP (64u << 10)

struct afs_wb *afs_wb_new(struct afs_cm *cm, struct afs_ra *ra, size_t per_file, size_t kept_max)
{
	struct afs_wb *wb = calloc(1, sizeof(*wb));
	if (!wb)
		return NULL;
	wb->cm = cm;
	wb->ra = ra;
	wb->per_file = per_file;
	wb->kept_max = kept_max;
	pthread_mutex_init(&wb->lock, NULL);
	return wb;
}

/* ---- files kept after their store ---------------------------------------------------------- */

static void kept_unlink_locked(struct afs_wb *wb, struct cm_vnode *vn)
{
	if (vn->kept_prev)
		vn->kept_prev->kept_next = vn->kept_next;
	else
		wb->kept_head = vn->kept_next;
	if (vn->kept_next)
		vn->kept_next->kept_prev = vn->kept_prev;
	else
		wb->kept_tail = vn->kept_prev;
	vn->kept_prev = vn->kept_next = NULL;
}

static void kept_drop_locked(struct afs_wb *wb, struct cm_vnode *vn)
{
	if (!vn->kept)
		return;
	kept_unlink_locked(wb, vn);
	wb->kept_bytes -= vn->kept_len;
	free(vn->kept);
	__atomic_store_n(&vn->kept, NULL, __ATOMIC_RELAXED);
	vn->kept_len = 0;
}

static void kept_drop(struct afs_wb *wb, struct cm_vnode *vn)
{
	pthread_mutex_lock(&wb->lock);
	kept_drop_locked(wb, vn);
	pthread_mutex_unlock(&wb->lock);
}

/* Keep @buf (malloc'd, @len bytes: the whole file at data version @dv) for
 * @vn; takes @buf, which may be freed at once (over the budget). */
static void kept_add(struct afs_wb *wb, struct cm_vnode *vn, char *buf, size_t len, uint64_t dv)
{
	if (len > wb->kept_max) {
		free(buf);
		return;
	}
	char *trimmed = len ? realloc(buf, len) : NULL;
	if (len && trimmed)
		buf = trimmed;
	pthread_mutex_lock(&wb->lock);
	kept_drop_locked(wb, vn);
	while (wb->kept_tail && wb->kept_bytes + len > wb->kept_max)
		kept_drop_locked(wb, wb->kept_tail);
	__atomic_store_n(&vn->kept, buf, __ATOMIC_RELAXED);
	vn->kept_len = len;
	vn->kept_dv = dv;
	vn->kept_next = wb->kept_head;
	if (wb->kept_head)
		wb->kept_head->kept_prev = vn;
	else
		wb->kept_tail = vn;
	wb->kept_head = vn;
	wb->kept_bytes += len;
	pthread_mutex_unlock(&wb->lock);
}

ssize_t afs_wb_read_kept(struct afs_wb *wb, struct cm_vnode *vn, char *buf, size_t size, uint64_t off)
{
	uint64_t dv, fsize;
	if (!__atomic_load_n(&vn->kept, __ATOMIC_RELAXED) || !cm_promised(wb->cm, vn, &dv, &fsize))
		return -1;
	ssize_t n = -1;
	pthread_mutex_lock(&wb->lock);
	if (vn->kept && vn->kept_dv != dv) {
		kept_drop_locked(wb, vn);
	} else if (vn->kept && vn->kept_len == fsize) {
		n = off >= fsize ? 0 : (ssize_t)(size < fsize - off ? size : fsize - off);
		if (n)
			memcpy(buf, vn->kept + off, (size_t)n);
		wb->kept_reads++;
		if (wb->kept_head != vn) { /* most recently used */
			kept_unlink_locked(wb, vn);
			vn->kept_next = wb->kept_head;
			wb->kept_head->kept_prev = vn;
			wb->kept_head = vn;
		}
	}
	pthread_mutex_unlock(&wb->lock);
	/* A break while copying: what was copied may be older than what the
	 * kernel is told now. */
	uint64_t dv2, size2;
	if (n >= 0 && (!cm_promised(wb->cm, vn, &dv2, &size2) || dv2 != dv))
		n = -1;
	return n;
}

void afs_wb_kept_stats(struct afs_wb *wb, size_t *bytes, uint64_t *reads)
{
	pthread_mutex_lock(&wb->lock);
	*bytes = wb->kept_bytes;
	*reads = wb->kept_reads;
	pthread_mutex_unlock(&wb->lock);
}

void afs_wb_free(struct afs_wb *wb)
{
	if (!wb)
		return;
	while (wb->kept_head)
		kept_drop_locked(wb, wb->kept_head);
	pthread_mutex_destroy(&wb->lock);
	free(wb);
}

uint64_t afs_wb_end(const struct cm_vnode *vn)
{
	return __atomic_load_n(&vn->wb_end, __ATOMIC_ACQUIRE);
}

/* ---- StoreData64 ---------------------------------------------------------------------- */

struct store_arg {
	struct afs_fid fid;
	struct afs_store_status ss;
	uint64_t pos, len, file_len;
	const char *buf;
	size_t done;
	struct fs_store_reply reply;
};

static int store_source(void *arg, void *buf, size_t len)
{
	struct store_arg *a = arg;
	if (len > a->len - a->done)
		return -EPROTO;
	memcpy(buf, a->buf + a->done, len);
	a->done += len;
	return 0;
}

static int store_fn(struct afs_call_ctx *cx, void *arg)
{
	struct store_arg *a = arg;
	a->done = 0;
	return fs_store_data64(cx, &a->fid, &a->ss, a->pos, a->len, a->file_len, store_source, a, &a->reply);
}

int afs_wb_store_locked(struct afs_wb *wb, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn,
			const char *buf, uint64_t len, uint64_t pos, uint64_t file_len, struct afs_fetch_status *out)
{
	struct afs_cm *cm = wb->cm;
	struct store_arg *a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	*a = (struct store_arg){.fid = vn->fid, .pos = pos, .len = len, .file_len = file_len, .buf = buf};
	a->ss.mask = AFS_SETMODTIME;
	a->ss.client_mod_time = (uint32_t)time(NULL);
	pthread_mutex_lock(&cm->lock);
	cm->stats.store_data++;
	pthread_mutex_unlock(&cm->lock);
	kept_drop(wb, vn); /* older than this store, whatever its outcome */
	uint64_t t0 = evloop_now_ns();
	/* Not idempotent: a store that timed out may have been done. */
	int r = cm_fs_call(cm, cancel, vol, false, store_fn, a, NULL);
	afs_ra_drop(wb->ra, vn); /* what was fetched ahead is older now */
	if (!r) {
		pthread_mutex_lock(&cm->lock);
		bool ours = vn->cached && vn->cached_dv + 1 == afs_fetch_status_data_version(&a->reply.status);
		cm_apply_status_locked(cm, vn, &a->reply.status, NULL, t0, NULL);
		/* The kernel's pages hold what we wrote: still good. */
		if (ours)
			vn->cached_dv = afs_fetch_status_data_version(&a->reply.status);
		if (out)
			*out = vn->status;
		pthread_mutex_unlock(&cm->lock);
	}
	free(a);
	return r;
}

/* Store [@buf, @len) at @pos: the file grows to its end if shorter; the
 * reply's status in @out (may be NULL). */
static int store_run_locked(struct afs_wb *wb, struct evloop_cancel *cancel, struct cm_volume *vol,
			    struct cm_vnode *vn, const char *buf, size_t len, uint64_t pos, struct afs_fetch_status *out)
{
	struct afs_fetch_status st;
	int r = cm_status(wb->cm, cancel, vol, vn, &st);
	if (r)
		return r;
	uint64_t end = pos + len, cur = afs_fetch_status_size(&st);
	return afs_wb_store_locked(wb, cancel, vol, vn, buf, len, pos, end > cur ? end : cur, out);
}

/* Drop what @vn holds (stored, or its store failed); the buffer is freed,
 * or given to the caller through @take. */
static void release_locked(struct afs_wb *wb, struct cm_vnode *vn, char **take)
{
	if (!vn->wb)
		return;
	pthread_mutex_lock(&wb->lock);
	wb->bytes -= vn->wb_cap;
	pthread_mutex_unlock(&wb->lock);
	if (take)
		*take = vn->wb;
	else
		free(vn->wb);
	vn->wb = NULL;
	vn->wb_len = vn->wb_cap = 0;
	__atomic_store_n(&vn->wb_end, 0, __ATOMIC_RELEASE);
}

/* What @vn held is lost (the store of it failed with @r): said in .health,
 * and the kernel's pages of it, which the fileserver never got, dropped. */
static void lost(struct afs_wb *wb, struct cm_vnode *vn, int r)
{
	struct afs_cm *cm = wb->cm;
	char what[64];
	snprintf(what, sizeof(what), "%u.%u.%u", vn->fid.volume, vn->fid.vnode, vn->fid.unique);
	health_report(cm->health, HEALTH_DOMAIN_INODE, HEALTH_IO_ERROR, r, what, NULL,
		      "%zu bytes written to %s at %llu not stored: %s", vn->wb_len, what,
		      (unsigned long long)vn->wb_start, strerror(-r));
	pthread_mutex_lock(&cm->lock);
	vn->cached = false;
	void (*inval)(void *, const struct afs_fid *, unsigned) = cm->inval_inode;
	void *arg = cm->inval_arg;
	pthread_mutex_unlock(&cm->lock);
	if (inval)
		inval(arg, &vn->fid, vn->cell);
}

/*
 * Store what @vn holds. A store the fileserver refused loses what was held
 * (it is never sent twice: one that timed out may have been done); its
 * error goes to the caller, and when that caller is not the writer (a
 * read, a chmod, a release: @for_writer false) it is kept for the writer's
 * next close or fsync too.
 */
static int flush_locked(struct afs_wb *wb, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn,
			bool for_writer)
{
	if (!vn->wb)
		return 0;
	struct afs_fetch_status st;
	int r = vn->wb_len ? store_run_locked(wb, cancel, vol, vn, vn->wb, vn->wb_len, vn->wb_start, &st) : 0;
	if (r && cm_err_cancelled(r)) /* the caller stopped waiting: what is held stays */
		return r;
	if (r) {
		lost(wb, vn, r);
		if (!for_writer)
			vn->wb_err = r;
	}
	/* The whole file, from its start: kept for the reads that follow (the
	 * kernel's pages of it that writes filled only in part are read). */
	bool whole = !r && vn->wb_len && vn->wb_start == 0 && afs_fetch_status_size(&st) == vn->wb_len;
	size_t len = vn->wb_len;
	char *buf = NULL;
	release_locked(wb, vn, whole ? &buf : NULL);
	if (whole)
		kept_add(wb, vn, buf, len, afs_fetch_status_data_version(&st));
	return r;
}

int afs_wb_flush(struct afs_wb *wb, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn)
{
	if (!afs_wb_end(vn))
		return 0;
	pthread_mutex_lock(&vn->store_lock);
	int r = flush_locked(wb, cancel, vol, vn, false);
	pthread_mutex_unlock(&vn->store_lock);
	return cm_err_cancelled(r) ? r : 0; /* the writer hears of a failure */
}

int afs_wb_close(struct afs_wb *wb, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn)
{
	pthread_mutex_lock(&vn->store_lock);
	int r = flush_locked(wb, cancel, vol, vn, true);
	if (!r)
		r = vn->wb_err;
	if (!cm_err_cancelled(r))
		vn->wb_err = 0;
	pthread_mutex_unlock(&vn->store_lock);
	return r;
}

/* Room in @vn's buffer for @need bytes (at most the per-file limit): the
 * buffer made or grown, doubling, when the budget allows. */
static bool reserve_locked(struct afs_wb *wb, struct cm_vnode *vn, size_t need)
{
	if (need <= vn->wb_cap)
		return true;
	size_t cap = vn->wb_cap ? vn->wb_cap : WB_FIRST_CAP;
	while (cap < need)
		cap *= 2;
	if (cap > wb->per_file)
		cap = wb->per_file;
	pthread_mutex_lock(&wb->lock);
	bool ok = wb->bytes - vn->wb_cap + cap <= AFS_WB_BUDGET;
	if (ok)
		wb->bytes += cap - vn->wb_cap;
	pthread_mutex_unlock(&wb->lock);
	if (!ok)
		return false;
	char *b = realloc(vn->wb, cap);
	if (!b) {
		pthread_mutex_lock(&wb->lock);
		wb->bytes -= cap - vn->wb_cap;
		pthread_mutex_unlock(&wb->lock);
		return false;
	}
	vn->wb = b;
	vn->wb_cap = cap;
	return true;
}

ssize_t afs_wb_write(struct afs_wb *wb, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn,
		     const char *buf, size_t size, uint64_t off)
{
	int r = 0;
	pthread_mutex_lock(&vn->store_lock);
	if (vn->wb) {
		uint64_t start = vn->wb_start, end = start + vn->wb_len;
		bool joins = off >= start && off <= end && off + size - start <= wb->per_file;
		/* The run broke, or the buffer cannot grow for it. */
		if (!joins || !reserve_locked(wb, vn, (size_t)(off + size - start)))
			r = flush_locked(wb, cancel, vol, vn, true);
	}
	if (!r && !vn->wb && size < wb->per_file) {
		vn->wb_len = 0;
		vn->wb_start = off;
		reserve_locked(wb, vn, size); /* else none: stored as it comes */
	}
	if (!r && vn->wb) {
		size_t at = (size_t)(off - vn->wb_start);
		memcpy(vn->wb + at, buf, size);
		if (at + size > vn->wb_len)
			vn->wb_len = at + size;
		__atomic_store_n(&vn->wb_end, vn->wb_start + vn->wb_len, __ATOMIC_RELEASE);
		/* Full: stored now. Interrupted, it stays held, and so does
		 * this write's data: the write is done. */
		if (vn->wb_len == wb->per_file && (r = flush_locked(wb, cancel, vol, vn, true)) && cm_err_cancelled(r))
			r = 0;
	} else if (!r) { /* none held: stored as it comes */
		r = store_run_locked(wb, cancel, vol, vn, buf, size, off, NULL);
	}
	pthread_mutex_unlock(&vn->store_lock);
	return r ? r : (ssize_t)size;
}
