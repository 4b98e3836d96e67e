/*
 * fuse/afs/vcache.c: the vnodes of the cache manager (cm.h): statuses and
 * callback promises, directory blobs, symlink contents, and the callback
 * breaks that end them.
 *
 * A status is trusted while its promise holds: until the server's stated
 * expiry less 10 s (kAFS's margin), counted from when the call was made.
 * A break, an InitCallBackState, or the expiry make the next user fetch it
 * again. A directory's blob is kept for the data version it was fetched
 * at, so a break that changed nothing costs one FetchStatus, not a fetch of
 * the directory; a break of a directory tells the kernel to forget every
 * name the old blob held, so no stale name outlives the break.
 *
 * Statuses from calls that raced are applied in data-version order while a
 * promise holds (an older one never replaces a newer one); a reply to a
 * call that started before the vnode's last break brings no promise, since
 * it may predate the change the break announced.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evloop/evloop.h"
#include "fuse/afs/cm.h"
#include "health/health.h"

#define CB_MARGIN_NS (10ull * 1000000000ull)

static unsigned fid_hash(const struct afs_cm *cm, unsigned cell, const struct afs_fid *f)
{
	uint64_t h = (uint64_t)f->volume * 0x9e3779b97f4a7c15ull ^ (uint64_t)f->vnode * 0xc2b2ae3d27d4eb4full ^
		     (uint64_t)f->unique * 0x165667b19e3779f9ull ^ cell;
	return (unsigned)(h >> 32) % cm->vn_buckets;
}

static bool fid_eq(const struct afs_fid *a, const struct afs_fid *b)
{
	return a->volume == b->volume && a->vnode == b->vnode && a->unique == b->unique;
}

int cm_init(struct afs_cm *cm)
{
	memset(cm, 0, sizeof(*cm));
	pthread_mutex_init(&cm->lock, NULL);
	cm->vn_buckets = 4096;
	cm->vnodes = calloc(cm->vn_buckets, sizeof(*cm->vnodes));
	cm->call_timeout = 60;
	cm->vl_ttl = 600;
	return cm->vnodes ? 0 : -ENOMEM;
}

/* ---- directory blobs held, least recently used dropped past cm->dir_max ---- */

static void dir_unlink_locked(struct afs_cm *cm, struct cm_vnode *vn)
{
	if (vn->dir_prev)
		vn->dir_prev->dir_next = vn->dir_next;
	else if (cm->dir_head == vn)
		cm->dir_head = vn->dir_next;
	if (vn->dir_next)
		vn->dir_next->dir_prev = vn->dir_prev;
	else if (cm->dir_tail == vn)
		cm->dir_tail = vn->dir_prev;
	vn->dir_prev = vn->dir_next = NULL;
}

static void dir_link_head_locked(struct afs_cm *cm, struct cm_vnode *vn)
{
	vn->dir_next = cm->dir_head;
	if (cm->dir_head)
		cm->dir_head->dir_prev = vn;
	else
		cm->dir_tail = vn;
	cm->dir_head = vn;
}

/* Drop @vn's blob (it is read again at its next use). Under cm->lock. */
static void dir_drop_locked(struct afs_cm *cm, struct cm_vnode *vn)
{
	if (vn->have_dir) {
		dir_unlink_locked(cm, vn);
		cm->dir_bytes -= vn->dir.len;
	}
	afs_dir_free(&vn->dir);
	free(vn->dir_blob);
	vn->dir_blob = NULL;
	vn->have_dir = false;
}

/* @vn's blob was used: the last to go. Under cm->lock. */
static void dir_touch_locked(struct afs_cm *cm, struct cm_vnode *vn)
{
	if (cm->dir_head != vn) {
		dir_unlink_locked(cm, vn);
		dir_link_head_locked(cm, vn);
	}
}

/* @vn's blob (already in place, @old_len bytes before: 0 for a new one) is
 * counted, and the least recently used others dropped past the budget.
 * Under cm->lock. */
static void dir_account_locked(struct afs_cm *cm, struct cm_vnode *vn, size_t old_len)
{
	if (old_len)
		dir_touch_locked(cm, vn);
	else
		dir_link_head_locked(cm, vn);
	cm->dir_bytes += vn->dir.len - old_len;
	while (cm->dir_max && cm->dir_bytes > cm->dir_max && cm->dir_tail && cm->dir_tail != vn) {
		dir_drop_locked(cm, cm->dir_tail);
		cm->stats.dir_dropped++;
	}
}

static void vnode_drop_data(struct afs_cm *cm, struct cm_vnode *vn)
{
	dir_drop_locked(cm, vn);
	free(vn->link);
	vn->link = NULL;
}

void cm_fini(struct afs_cm *cm)
{
	for (unsigned b = 0; cm->vnodes && b < cm->vn_buckets; b++) {
		struct cm_vnode *vn = cm->vnodes[b];
		while (vn) {
			struct cm_vnode *next = vn->next;
			vnode_drop_data(cm, vn);
			free(vn->silly);
			free(vn->wb);
			pthread_mutex_destroy(&vn->store_lock);
			free(vn);
			vn = next;
		}
	}
	free(cm->vnodes);
	while (cm->volumes) {
		struct cm_volume *v = cm->volumes;
		cm->volumes = v->next;
		free(v);
	}
	while (cm->servers) {
		struct cm_server *s = cm->servers;
		cm->servers = s->next;
		free(s);
	}
	free(cm->cells);
	pthread_mutex_destroy(&cm->lock);
}

/* Under cm->lock. */
static struct cm_vnode *vnode_find(struct afs_cm *cm, unsigned cell, const struct afs_fid *fid)
{
	for (struct cm_vnode *vn = cm->vnodes[fid_hash(cm, cell, fid)]; vn; vn = vn->next)
		if (vn->cell == cell && fid_eq(&vn->fid, fid))
			return vn;
	return NULL;
}

struct cm_vnode *cm_vnode(struct afs_cm *cm, unsigned cell, const struct afs_fid *fid)
{
	pthread_mutex_lock(&cm->lock);
	struct cm_vnode *vn = vnode_find(cm, cell, fid);
	if (!vn && (vn = calloc(1, sizeof(*vn)))) {
		unsigned b = fid_hash(cm, cell, fid);
		vn->fid = *fid;
		vn->cell = cell;
		pthread_mutex_init(&vn->store_lock, NULL);
		vn->next = cm->vnodes[b];
		cm->vnodes[b] = vn;
		cm->nvnodes++;
	}
	pthread_mutex_unlock(&cm->lock);
	return vn;
}

/* Under cm->lock. */
static bool promise_holds(const struct cm_vnode *vn)
{
	return vn->have_status && vn->cb_expire_ns && evloop_now_ns() < vn->cb_expire_ns;
}

void cm_apply_status_locked(struct afs_cm *cm, struct cm_vnode *vn, const struct afs_fetch_status *st,
			    const struct afs_callback *cb, uint64_t t0, struct cm_server *srv)
{
	(void)cm;
	/* An older answer overtaken by a newer one is dropped while a promise
	 * vouches for what we hold; without one, the server's word stands (a
	 * restored volume's data versions go back). */
	if (vn->have_status && vn->cb_expire_ns &&
	    afs_fetch_status_data_version(st) < afs_fetch_status_data_version(&vn->status))
		return;
	vn->status = *st;
	vn->have_status = true;
	/* A break that came while the call ran may be about a change the
	 * reply does not show: then the status stands, but unpromised. */
	if (cb && cb->type != AFSCB_DROPPED && cb->expiration_time > 0 && t0 > vn->cb_broken_ns) {
		uint64_t until = t0 + (uint64_t)cb->expiration_time * 1000000000ull;
		vn->cb_expire_ns = until > t0 + CB_MARGIN_NS ? until - CB_MARGIN_NS : 0;
		vn->cb_server = srv;
	} else if (cb) {
		vn->cb_expire_ns = 0;
	}
}

void cm_apply_status(struct afs_cm *cm, struct cm_vnode *vn, const struct afs_fetch_status *st,
		     const struct afs_callback *cb, uint64_t t0, struct cm_server *srv)
{
	pthread_mutex_lock(&cm->lock);
	cm_apply_status_locked(cm, vn, st, cb, t0, srv);
	pthread_mutex_unlock(&cm->lock);
}

struct status_arg {
	struct afs_fid fid;
	struct fs_status_reply reply;
};

static int status_fn(struct afs_call_ctx *cx, void *arg)
{
	struct status_arg *a = arg;
	return fs_fetch_status(cx, &a->fid, &a->reply);
}

int cm_status(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn,
	      struct afs_fetch_status *out)
{
	pthread_mutex_lock(&cm->lock);
	if (promise_holds(vn)) {
		*out = vn->status;
		pthread_mutex_unlock(&cm->lock);
		return 0;
	}
	cm->stats.fetch_status++;
	pthread_mutex_unlock(&cm->lock);

	struct status_arg a = {.fid = vn->fid};
	struct cm_server *srv = NULL;
	uint64_t t0 = evloop_now_ns();
	int r = cm_fs_call(cm, cancel, vol, true, status_fn, &a, &srv);
	if (r)
		return r;
	pthread_mutex_lock(&cm->lock);
	cm_apply_status_locked(cm, vn, &a.reply.status, &a.reply.callback, t0, srv);
	*out = vn->status;
	pthread_mutex_unlock(&cm->lock);
	return 0;
}

struct bulk_arg {
	struct afs_fid fids[AFS_CBMAX];
	unsigned n;
	struct fs_bulk_status_reply reply;
};

static int bulk_fn(struct afs_call_ctx *cx, void *arg)
{
	struct bulk_arg *a = arg;
	return fs_inline_bulk_status(cx, a->fids, a->n, &a->reply);
}

int cm_bulk_status(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode **vns,
		   unsigned n)
{
	struct bulk_arg *a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	int r = 0;
	for (unsigned i = 0; i < n && r == 0;) {
		/* Only the ones without a holding promise. */
		a->n = 0;
		struct cm_vnode *asked[AFS_CBMAX];
		pthread_mutex_lock(&cm->lock);
		for (; i < n && a->n < AFS_CBMAX; i++) {
			if (!promise_holds(vns[i])) {
				asked[a->n] = vns[i];
				a->fids[a->n++] = vns[i]->fid;
			}
		}
		if (a->n)
			cm->stats.bulk_status++;
		pthread_mutex_unlock(&cm->lock);
		if (a->n == 0)
			break;
		struct cm_server *srv = NULL;
		uint64_t t0 = evloop_now_ns();
		r = cm_fs_call(cm, cancel, vol, true, bulk_fn, a, &srv);
		if (r)
			break;
		pthread_mutex_lock(&cm->lock);
		for (unsigned k = 0; k < a->reply.n && k < a->n; k++)
			if (a->reply.status[k].error_code == 0)
				cm_apply_status_locked(cm, asked[k], &a->reply.status[k], &a->reply.callback[k], t0,
						       srv);
		pthread_mutex_unlock(&cm->lock);
	}
	free(a);
	return r;
}

/* ---- data: ranges of files -------------------------------------------------------- */

bool cm_promised(struct afs_cm *cm, struct cm_vnode *vn, uint64_t *dv, uint64_t *size)
{
	pthread_mutex_lock(&cm->lock);
	bool holds = promise_holds(vn);
	if (holds) {
		*dv = afs_fetch_status_data_version(&vn->status);
		*size = afs_fetch_status_size(&vn->status);
	}
	pthread_mutex_unlock(&cm->lock);
	return holds;
}

struct range_arg {
	struct afs_fid fid;
	uint64_t pos, len;
	char *buf;
	size_t got;
	uint64_t sent;
	struct fs_status_reply reply;
};

static int range_sink(void *arg, const void *data, size_t len)
{
	struct range_arg *a = arg;
	if (len > a->len - a->got)
		return -EPROTO;
	memcpy(a->buf + a->got, data, len);
	a->got += len;
	return 0;
}

static int range_fn(struct afs_call_ctx *cx, void *arg)
{
	struct range_arg *a = arg;
	a->got = 0; /* a retry starts again */
	return fs_fetch_data64(cx, &a->fid, a->pos, a->len, range_sink, a, &a->sent, &a->reply);
}

ssize_t cm_read(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn,
		char *buf, size_t len, uint64_t pos, struct cm_read_info *info)
{
	struct range_arg *a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	*a = (struct range_arg){.fid = vn->fid, .pos = pos, .len = len, .buf = buf};
	pthread_mutex_lock(&cm->lock);
	cm->stats.fetch_data++;
	pthread_mutex_unlock(&cm->lock);
	struct cm_server *srv = NULL;
	uint64_t t0 = evloop_now_ns();
	int r = cm_fs_call(cm, cancel, vol, true, range_fn, a, &srv);
	ssize_t n = r ? r : (ssize_t)a->got;
	if (!r) {
		pthread_mutex_lock(&cm->lock);
		cm_apply_status_locked(cm, vn, &a->reply.status, &a->reply.callback, t0, srv);
		if (info)
			*info = (struct cm_read_info){.dv = afs_fetch_status_data_version(&a->reply.status),
						      .rtt_us = srv ? srv->rtt_us : 0};
		pthread_mutex_unlock(&cm->lock);
	}
	free(a);
	return n;
}

/* ---- data: whole-object fetches (directories, symlinks) ---------------------------- */

struct grow {
	uint8_t *buf;
	size_t len, cap, max;
};

static int grow_sink(void *arg, const void *data, size_t len)
{
	struct grow *g = arg;
	if (len > g->max - g->len)
		return -EFBIG;
	if (g->len + len > g->cap) {
		size_t cap = g->cap ? g->cap : 4096;
		while (cap < g->len + len)
			cap *= 2;
		uint8_t *nb = realloc(g->buf, cap);
		if (!nb)
			return -ENOMEM;
		g->buf = nb;
		g->cap = cap;
	}
	memcpy(g->buf + g->len, data, len);
	g->len += len;
	return 0;
}

struct whole_arg {
	struct afs_fid fid;
	uint64_t size;
	struct grow g;
	uint64_t got;
	struct fs_status_reply reply;
};

static int whole_fn(struct afs_call_ctx *cx, void *arg)
{
	struct whole_arg *a = arg;
	a->g.len = 0; /* a retry starts again */
	return fs_fetch_data64(cx, &a->fid, 0, a->size, grow_sink, &a->g, &a->got, &a->reply);
}

/* Fetch all of @vn (at most @max bytes) with its status. */
static int fetch_whole(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn,
		       uint64_t size, size_t max, struct whole_arg *a)
{
	*a = (struct whole_arg){.fid = vn->fid, .size = size, .g = {.max = max}};
	struct cm_server *srv = NULL;
	uint64_t t0 = evloop_now_ns();
	int r = cm_fs_call(cm, cancel, vol, true, whole_fn, a, &srv);
	if (r) {
		free(a->g.buf);
		a->g.buf = NULL;
		return r;
	}
	cm_apply_status(cm, vn, &a->reply.status, &a->reply.callback, t0, srv);
	return 0;
}

/* Make @dvn's blob the one of its current data version. Returns with
 * cm->lock held on success. */
static int dir_current(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *dvn)
{
	for (int tries = 0; tries < 3; tries++) {
		struct afs_fetch_status st;
		int r = cm_status(cm, cancel, vol, dvn, &st);
		if (r)
			return r;
		if (st.file_type != AFS_FTYPE_DIR)
			return -ENOTDIR;
		pthread_mutex_lock(&cm->lock);
		if (dvn->have_dir && dvn->dir_dv == afs_fetch_status_data_version(&dvn->status)) {
			dir_touch_locked(cm, dvn);
			return 0;
		}
		cm->stats.dir_fetches++;
		pthread_mutex_unlock(&cm->lock);

		struct whole_arg a;
		r = fetch_whole(cm, cancel, vol, dvn, afs_fetch_status_size(&st),
				(size_t)AFS_DIR_MAX_PAGES * AFS_DIR_PAGE_SIZE, &a);
		if (r)
			return r == -EFBIG ? -EIO : r;
		if (a.g.len != afs_fetch_status_size(&a.reply.status)) {
			free(a.g.buf); /* it changed while it came: fetch it again */
			continue;
		}
		struct afs_dir d;
		char why[160];
		r = afs_dir_parse(&d, a.g.buf, a.g.len, why, sizeof(why));
		if (r) {
			pthread_mutex_lock(&cm->lock);
			cm->stats.dir_bad++;
			pthread_mutex_unlock(&cm->lock);
			char what[64];
			snprintf(what, sizeof(what), "%u.%u.%u", dvn->fid.volume, dvn->fid.vnode, dvn->fid.unique);
			health_report(cm->health, HEALTH_DOMAIN_INODE, HEALTH_IO_ERROR, r, what, NULL,
				      "directory %s refused: %s", what, why);
			free(a.g.buf);
			return r;
		}
		pthread_mutex_lock(&cm->lock);
		uint64_t dv = afs_fetch_status_data_version(&a.reply.status);
		dir_drop_locked(cm, dvn);
		dvn->dir_blob = a.g.buf;
		dvn->dir = d;
		dvn->dir_dv = dv;
		dvn->have_dir = true;
		dir_account_locked(cm, dvn, 0);
		if (dv == afs_fetch_status_data_version(&dvn->status))
			return 0;
		pthread_mutex_unlock(&cm->lock); /* changed again meanwhile */
	}
	return -EIO; /* changing faster than it can be read */
}

/* Make @ops on @dvn's blob (held at the data version before @st's) and
 * index it again; false when an edit or the result disagrees (the blob is
 * then dropped). Called with cm->lock held. */
static bool dir_edit_locked(struct afs_cm *cm, struct cm_vnode *dvn, const struct cm_dir_op *ops, unsigned nops,
			    const struct afs_fetch_status *st)
{
	uint8_t *blob = dvn->dir_blob;
	size_t len = dvn->dir.len, old_len = len;
	int r = 0;
	for (unsigned i = 0; i < nops && r >= 0; i++)
		r = ops[i].add ? afs_dir_add(&blob, &len, ops[i].name, ops[i].add->vnode, ops[i].add->unique)
			       : afs_dir_remove(blob, len, ops[i].name);
	dvn->dir_blob = blob; /* (an added page moves it) */
	struct afs_dir d;
	char why[160];
	if (r < 0 || len != afs_fetch_status_size(st) || afs_dir_parse(&d, blob, len, why, sizeof(why))) {
		dir_drop_locked(cm, dvn); /* (dir.len is still the counted one) */
		cm->stats.dir_edit_misses++;
		return false;
	}
	afs_dir_free(&dvn->dir);
	dvn->dir = d;
	dvn->dir_dv = afs_fetch_status_data_version(st);
	dir_account_locked(cm, dvn, old_len);
	cm->stats.dir_edits++;
	return true;
}

void cm_dir_changed(struct afs_cm *cm, struct cm_vnode *dvn, const struct afs_fetch_status *st, uint64_t t0,
		    const struct cm_dir_op *ops, unsigned nops)
{
	pthread_mutex_lock(&cm->lock);
	/* The change is ours alone only when the version moved by one from
	 * the blob's (kAFS's rule): anything more and someone else's change
	 * came between, which only a fetch shows. */
	if (nops && dvn->have_dir && dvn->dir_dv + 1 == afs_fetch_status_data_version(st))
		dir_edit_locked(cm, dvn, ops, nops, st);
	cm_apply_status_locked(cm, dvn, st, NULL, t0, NULL);
	pthread_mutex_unlock(&cm->lock);
}

void cm_dir_made(struct afs_cm *cm, struct cm_vnode *vn, const struct afs_fid *parent,
		 const struct afs_fetch_status *st)
{
	uint8_t *blob;
	size_t len;
	if (afs_dir_make(&blob, &len, vn->fid.vnode, vn->fid.unique, parent->vnode, parent->unique))
		return; /* (no memory: fetched at its first use) */
	struct afs_dir d;
	char why[160];
	pthread_mutex_lock(&cm->lock);
	/* The fileserver's copy is this one at the version MakeDir's reply
	 * gave, one page long; nothing newer may have been seen since. */
	uint64_t dv = afs_fetch_status_data_version(st);
	if (vn->have_status && !vn->have_dir && afs_fetch_status_data_version(&vn->status) == dv &&
	    afs_fetch_status_size(st) == len && !afs_dir_parse(&d, blob, len, why, sizeof(why))) {
		vn->dir_blob = blob;
		vn->dir = d;
		vn->dir_dv = dv;
		vn->have_dir = true;
		dir_account_locked(cm, vn, 0);
		cm->stats.dir_edits++;
		blob = NULL;
	}
	pthread_mutex_unlock(&cm->lock);
	free(blob);
}

int cm_dir_lookup(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *dvn,
		  const char *name, struct afs_fid *out)
{
	int r = dir_current(cm, cancel, vol, dvn);
	if (r)
		return r;
	const struct afs_dir_entry *e = afs_dir_lookup(&dvn->dir, name, strlen(name));
	if (e)
		*out = (struct afs_fid){.volume = dvn->fid.volume, .vnode = e->vnode, .unique = e->unique};
	pthread_mutex_unlock(&cm->lock);
	return e ? 0 : -ENOENT;
}

int cm_dir_list(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *dvn,
		unsigned from, struct cm_dirent *out, unsigned max, unsigned *n)
{
	int r = dir_current(cm, cancel, vol, dvn);
	if (r)
		return r;
	*n = 0;
	for (unsigned i = afs_dir_seek(&dvn->dir, from); i < dvn->dir.nentries && *n < max; i++) {
		const struct afs_dir_entry *e = &dvn->dir.entries[i];
		struct cm_dirent *o = &out[(*n)++];
		o->num = e->num;
		memcpy(o->name, e->name, e->namelen + 1u);
		o->fid = (struct afs_fid){.volume = dvn->fid.volume, .vnode = e->vnode, .unique = e->unique};
	}
	pthread_mutex_unlock(&cm->lock);
	return 0;
}

int cm_link(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn, char *buf,
	    size_t len)
{
	for (int tries = 0; tries < 3; tries++) {
		struct afs_fetch_status st;
		int r = cm_status(cm, cancel, vol, vn, &st);
		if (r)
			return r;
		if (st.file_type != AFS_FTYPE_SYMLINK)
			return -EINVAL;
		pthread_mutex_lock(&cm->lock);
		if (vn->link && vn->link_dv == afs_fetch_status_data_version(&vn->status)) {
			int n = snprintf(buf, len, "%s", vn->link);
			pthread_mutex_unlock(&cm->lock);
			return n;
		}
		pthread_mutex_unlock(&cm->lock);
		if (afs_fetch_status_size(&st) > AFS_PATHMAX)
			return -EIO;
		struct whole_arg a;
		r = fetch_whole(cm, cancel, vol, vn, afs_fetch_status_size(&st), AFS_PATHMAX, &a);
		if (r)
			return r == -EFBIG ? -EIO : r;
		char *s = malloc(a.g.len + 1);
		if (!s) {
			free(a.g.buf);
			return -ENOMEM;
		}
		if (a.g.len)
			memcpy(s, a.g.buf, a.g.len);
		s[a.g.len] = '\0';
		free(a.g.buf);
		if (strlen(s) != a.g.len) {
			free(s);
			return -EIO; /* a NUL inside: not a path */
		}
		pthread_mutex_lock(&cm->lock);
		free(vn->link);
		vn->link = s;
		vn->link_dv = afs_fetch_status_data_version(&a.reply.status);
		pthread_mutex_unlock(&cm->lock);
	}
	return -EIO; /* changing faster than it can be read */
}

void cm_forget_data(struct afs_cm *cm, struct cm_vnode *vn)
{
	pthread_mutex_lock(&cm->lock);
	vnode_drop_data(cm, vn);
	pthread_mutex_unlock(&cm->lock);
}

/* ---- attributes ------------------------------------------------------------------- */

void cm_stat(const struct afs_fetch_status *st, const struct afs_fid *fid, struct stat *out)
{
	memset(out, 0, sizeof(*out));
	mode_t type = st->file_type == AFS_FTYPE_DIR ? S_IFDIR : st->file_type == AFS_FTYPE_SYMLINK ? S_IFLNK : S_IFREG;
	out->st_mode = type | (st->unix_mode_bits & 07777);
	out->st_ino = (uint64_t)fid->volume << 32 | fid->vnode;
	out->st_nlink = st->link_count ? st->link_count : 1;
	out->st_uid = st->owner;
	out->st_gid = st->group;
	out->st_size = (off_t)afs_fetch_status_size(st);
	out->st_blksize = 4096;
	out->st_blocks = (out->st_size + 511) / 512;
	out->st_mtim.tv_sec = st->client_mod_time;
	out->st_ctim.tv_sec = st->server_mod_time;
	out->st_atim.tv_sec = st->client_mod_time;
}

/* ---- callback breaks -------------------------------------------------------------- */

struct inval {
	struct afs_fid fid;
	unsigned cell;
	char *name; /* NULL: the inode */
};

struct inval_list {
	struct inval *v;
	size_t n, cap;
};

static void inval_add(struct inval_list *l, const struct afs_fid *fid, unsigned cell, const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct inval *nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			return;
		l->v = nv;
		l->cap = cap;
	}
	char *copy = name ? strdup(name) : NULL;
	if (name && !copy)
		return;
	l->v[l->n++] = (struct inval){.fid = *fid, .cell = cell, .name = copy};
}

/* Break @vn's promise and note what the kernel must forget. Under cm->lock. */
static void break_vnode(struct afs_cm *cm, struct cm_vnode *vn, struct inval_list *l)
{
	vn->cb_broken_ns = evloop_now_ns(); /* also for a fetch in flight */
	if (!vn->cb_expire_ns && !vn->have_dir)
		return;
	vn->cb_expire_ns = 0;
	cm->stats.cb_breaks++;
	inval_add(l, &vn->fid, vn->cell, NULL);
	if (vn->have_dir)
		for (unsigned i = 0; i < vn->dir.nentries; i++)
			inval_add(l, &vn->fid, vn->cell, vn->dir.entries[i].name);
}

static void inval_run(struct afs_cm *cm, struct inval_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct inval *v = &l->v[i];
		if (v->name && cm->inval_entry)
			cm->inval_entry(cm->inval_arg, &v->fid, v->cell, v->name);
		else if (!v->name && cm->inval_inode)
			cm->inval_inode(cm->inval_arg, &v->fid, v->cell);
		free(v->name);
	}
	free(l->v);
}

/* The server at @from: which cell's volumes it serves is not known here,
 * so a FID is broken in every cell that has it (one cell, in practice). */
static void on_callback(void *arg, const struct sockaddr_storage *from, const struct afs_fid *fids, unsigned n,
			const struct afs_callback *cbs, unsigned ncbs)
{
	struct afs_cm *cm = arg;
	struct inval_list l = {0};
	(void)from, (void)cbs, (void)ncbs;

	pthread_mutex_lock(&cm->lock);
	for (unsigned i = 0; i < n; i++) {
		if (fids[i].vnode != 0) {
			for (unsigned cell = 0; cell < cm->ncells; cell++) {
				struct cm_vnode *vn = vnode_find(cm, cell, &fids[i]);
				if (vn)
					break_vnode(cm, vn, &l);
			}
			continue;
		}
		/* vnode 0: the whole volume (read-only volumes' promises). */
		for (unsigned b = 0; b < cm->vn_buckets; b++)
			for (struct cm_vnode *vn = cm->vnodes[b]; vn; vn = vn->next)
				if (vn->fid.volume == fids[i].volume)
					break_vnode(cm, vn, &l);
	}
	pthread_mutex_unlock(&cm->lock);
	inval_run(cm, &l);
}

static void on_init_state(void *arg, const struct sockaddr_storage *from, const struct afs_uuid *server_uuid)
{
	struct afs_cm *cm = arg;
	struct inval_list l = {0};
	(void)from;

	pthread_mutex_lock(&cm->lock);
	cm->stats.cb_init++;
	for (unsigned b = 0; b < cm->vn_buckets; b++)
		for (struct cm_vnode *vn = cm->vnodes[b]; vn; vn = vn->next)
			if (!server_uuid || !vn->cb_server || !vn->cb_server->by_uuid ||
			    memcmp(&vn->cb_server->uuid, server_uuid, sizeof(*server_uuid)) == 0)
				break_vnode(cm, vn, &l);
	pthread_mutex_unlock(&cm->lock);
	if (l.n)
		health_report(cm->health, HEALTH_DOMAIN_MOUNT, HEALTH_SICK, 0, "callbacks", NULL,
			      "a fileserver dropped its callback promises (InitCallBackState)");
	inval_run(cm, &l);
}

/* ---- unmount ---------------------------------------------------------------------- */

void cm_give_up_callbacks(struct afs_cm *cm, double timeout)
{
	struct afs_fid *fids = malloc(cm->nvnodes ? cm->nvnodes * sizeof(*fids) : 1);
	if (!fids)
		return;
	uint64_t now = evloop_now_ns();
	for (struct cm_server *s = cm->servers; s; s = s->next) {
		unsigned n = 0;
		/* The callback service still runs: take the promises under the lock. */
		pthread_mutex_lock(&cm->lock);
		for (unsigned b = 0; b < cm->vn_buckets; b++)
			for (struct cm_vnode *vn = cm->vnodes[b]; vn && n < cm->nvnodes; vn = vn->next)
				if (vn->cb_server == s && vn->cb_expire_ns > now) {
					fids[n++] = vn->fid;
					vn->cb_expire_ns = 0;
				}
		pthread_mutex_unlock(&cm->lock);
		for (unsigned k = 0; k < n && s->naddrs > 0; k += AFS_CBMAX) {
			unsigned batch = n - k < AFS_CBMAX ? n - k : AFS_CBMAX;
			struct afs_call_ctx cx;
			afs_call_ctx_init(&cx, cm->ep, (const struct sockaddr *)&s->addrs[s->cur],
					  sizeof(s->addrs[s->cur]), evloop_deadline_ms((long)(timeout * 1000)), NULL);
			if (fs_give_up_callbacks(&cx, fids + k, NULL, batch) != 0)
				break; /* the server is gone: its promises with it */
			cm->stats.cb_given_up += batch;
		}
	}
	free(fids);
}

const struct cb_service_ops cm_cb_ops = {.callback = on_callback, .init_state = on_init_state};
