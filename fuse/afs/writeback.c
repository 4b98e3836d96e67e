/*
 * fuse/afs/writeback.c: writes held per file and stored in large calls
 * (the rules are in writeback.h).
 *
 * What a file holds is one run of bytes, [wb_start, wb_start + wb_len),
 * on its vnode, guarded by the vnode's store_lock, which also keeps two
 * stores of one file from racing on its length; wb_end mirrors the run's
 * end for readers of attributes that do not take that lock.
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
	size_t bytes; /* held, every file */
};

struct afs_wb *afs_wb_new(struct afs_cm *cm, struct afs_ra *ra, size_t per_file)
{
	struct afs_wb *wb = calloc(1, sizeof(*wb));
	if (!wb)
		return NULL;
	wb->cm = cm;
	wb->ra = ra;
	wb->per_file = per_file;
	pthread_mutex_init(&wb->lock, NULL);
	return wb;
}

void afs_wb_free(struct afs_wb *wb)
{
	if (!wb)
		return;
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

/* Store [@buf, @len) at @pos: the file grows to its end if shorter. */
static int store_run_locked(struct afs_wb *wb, struct evloop_cancel *cancel, struct cm_volume *vol,
			    struct cm_vnode *vn, const char *buf, size_t len, uint64_t pos)
{
	struct afs_fetch_status st;
	int r = cm_status(wb->cm, cancel, vol, vn, &st);
	if (r)
		return r;
	uint64_t end = pos + len, cur = afs_fetch_status_size(&st);
	return afs_wb_store_locked(wb, cancel, vol, vn, buf, len, pos, end > cur ? end : cur, NULL);
}

/* Drop what @vn holds (stored, or its store failed). */
static void release_locked(struct afs_wb *wb, struct cm_vnode *vn)
{
	if (!vn->wb)
		return;
	pthread_mutex_lock(&wb->lock);
	wb->bytes -= wb->per_file;
	pthread_mutex_unlock(&wb->lock);
	free(vn->wb);
	vn->wb = NULL;
	vn->wb_len = 0;
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
	int r = vn->wb_len ? store_run_locked(wb, cancel, vol, vn, vn->wb, vn->wb_len, vn->wb_start) : 0;
	if (r && cm_err_cancelled(r)) /* the caller stopped waiting: what is held stays */
		return r;
	if (r) {
		lost(wb, vn, r);
		if (!for_writer)
			vn->wb_err = r;
	}
	release_locked(wb, vn);
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

/* A buffer of the per-file size for @vn, when the budget allows. */
static bool reserve_locked(struct afs_wb *wb, struct cm_vnode *vn)
{
	pthread_mutex_lock(&wb->lock);
	bool ok = wb->bytes + wb->per_file <= AFS_WB_BUDGET;
	if (ok)
		wb->bytes += wb->per_file;
	pthread_mutex_unlock(&wb->lock);
	if (!ok)
		return false;
	vn->wb = malloc(wb->per_file);
	if (!vn->wb) {
		pthread_mutex_lock(&wb->lock);
		wb->bytes -= wb->per_file;
		pthread_mutex_unlock(&wb->lock);
		return false;
	}
	vn->wb_len = 0;
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
		if (!joins)
			r = flush_locked(wb, cancel, vol, vn, true); /* the run broke */
	}
	if (!r && !vn->wb && size < wb->per_file && reserve_locked(wb, vn))
		vn->wb_start = off;
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
		r = store_run_locked(wb, cancel, vol, vn, buf, size, off);
	}
	pthread_mutex_unlock(&vn->store_lock);
	return r ? r : (ssize_t)size;
}
