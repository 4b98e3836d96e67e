/*
 * fuse/locks.c: the core's locks through a lock server (see locks.h).
 *
 * State, under one mutex: the owners (FUSE lock owner -> svid, with what
 * keeps each alive: calls in flight, and objects where the record shows it
 * holding a lock) and the record, a lock core (nlm/lock_core.h) holding
 * what the server granted this mount's owners. The mutex is never held
 * across a call to the server; answers are applied to the record as they
 * come, so two calls of one owner racing on one object (threads of one
 * process) are recorded in the order they are answered.
 */
#include "config.h"

#include "fuse/locks.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "evloop/evloop.h"
#include "fuse/interrupt.h"
#include "fuse/log.h"
#include "fuse/mount_state.h"
#include "fuse/synthetic.h"
#include "nlm/agent_proto.h"
#include "nlm/lock_core.h"
#include "nlm/nlm_clnt.h"
#include "text/textbuf.h"

#define OWNER_BUCKETS 256
#define OH_LEN	      16 /* the mount's id, then the FUSE owner */

/* An open file an owner took a lock through: where its I/O fails with EIO
 * once that lock is lost. */
struct lk_file {
	struct lk_file *next;
	struct lock_file f;
	struct lock_obj ob;
};

struct lk_owner {
	struct lk_owner *next;
	uint64_t owner;
	int32_t svid;
	unsigned busy; /* calls in flight */
	unsigned objs; /* objects the record shows it holding a lock on */
	unsigned char oh[OH_LEN];
	struct lk_file *files;
};

/* An open file whose lock was lost; until it is released. */
struct lost_file {
	struct lost_file *next;
	struct lock_file f;
};

struct nf_locks {
	struct nf_mount *m;
	struct nlm_clnt *clnt;
	pthread_mutex_t lock;
	struct nlm_core *record;
	struct lk_owner *owners[OWNER_BUCKETS];
	size_t nowners;
	int32_t last_svid;
	unsigned char mount_id[8];
	char server[300];
	/* Reclaim after the server restarted: one run at a time, another
	 * after it when the server restarted again meanwhile. */
	bool reclaiming, reclaim_again;
	unsigned reclaim_left, run_reclaimed, run_lost;
	uint64_t reclaimed, lost; /* locks, over the mount's life */
	struct lost_file *lost_files;
	unsigned nlost_files; /* read without the lock on the I/O path */
};

/* ---- owners ---------------------------------------------------------------------------- */

static struct lk_owner **owner_slot(struct nf_locks *L, uint64_t owner)
{
	uint64_t h = owner * 0x9e3779b97f4a7c15ull;
	struct lk_owner **p = &L->owners[h >> 56];

	while (*p && (*p)->owner != owner)
		p = &(*p)->next;
	return p;
}

static struct lk_owner *owner_of_svid(struct nf_locks *L, int32_t svid)
{
	for (size_t b = 0; b < OWNER_BUCKETS; b++)
		for (struct lk_owner *o = L->owners[b]; o; o = o->next)
			if (o->svid == svid)
				return o;
	return NULL;
}

/* The owner, made if new, with a call counted in flight; NULL without
 * memory. The lock held. */
static struct lk_owner *owner_get(struct nf_locks *L, uint64_t owner)
{
	struct lk_owner **p = owner_slot(L, owner), *o = *p;

	if (!o) {
		o = calloc(1, sizeof(*o));
		if (!o)
			return NULL;
		o->owner = owner;
		/* The next free svid: positive, never 0, wrapping past the
		 * largest; one in use is skipped (only after 2^31 owners). */
		do {
			L->last_svid = L->last_svid == INT32_MAX ? 1 : L->last_svid + 1;
		} while (L->nowners && owner_of_svid(L, L->last_svid));
		o->svid = L->last_svid;
		memcpy(o->oh, L->mount_id, sizeof(L->mount_id));
		memcpy(o->oh + sizeof(L->mount_id), &owner, sizeof(owner));
		*p = o;
		L->nowners++;
	}
	o->busy++;
	return o;
}

static void owner_free(struct lk_owner *o)
{
	while (o->files) {
		struct lk_file *f = o->files;
		o->files = f->next;
		free(f);
	}
	free(o);
}

/* @o took a lock on @ob through the open file @f (NULL: unknown). */
static void owner_file(struct lk_owner *o, const struct lock_obj *ob, const struct lock_file *f)
{
	struct lk_file *x;

	if (!f)
		return;
	for (x = o->files; x; x = x->next)
		if (x->f.ino == f->ino && x->f.fh == f->fh && x->ob.len == ob->len &&
		    !memcmp(x->ob.fh, ob->fh, ob->len))
			return;
	x = malloc(offsetof(struct lk_file, ob.fh) + ob->len);
	if (!x)
		return; /* its I/O goes on after a loss: the loss is still reported */
	x->f = *f;
	x->ob.len = ob->len;
	memcpy(x->ob.fh, ob->fh, ob->len);
	x->next = o->files;
	o->files = x;
}

/* A call of @o ended: the owner goes when nothing keeps it. The lock held. */
static void owner_put(struct nf_locks *L, struct lk_owner *o)
{
	struct lk_owner **p;

	if (--o->busy || o->objs)
		return;
	p = owner_slot(L, o->owner);
	*p = o->next;
	L->nowners--;
	owner_free(o);
}

/* ---- the record ------------------------------------------------------------------------ */

static struct nlm_lock_args record_args(const struct lock_obj *ob, const struct lk_owner *o, int type, uint64_t offset,
					uint64_t len)
{
	return (struct nlm_lock_args){
	    .fh = {ob->fh, ob->len},
	    .owner = {.host = 0, .svid = o->svid, .oh = {o->oh, OH_LEN}},
	    .type = type == F_WRLCK ? NLM_LOCK_EXCLUSIVE : NLM_LOCK_SHARED,
	    .offset = offset,
	    .len = len,
	};
}

struct held_probe {
	int32_t svid;
	uint64_t start, end; /* the range asked about */
};

static int held_visit(void *arg, const struct nlm_lock_desc *l)
{
	const struct held_probe *p = arg;

	return l->owner.svid == p->svid && l->start <= p->end && l->end >= p->start;
}

/* Whether @o holds any byte of [start, end] of the object. */
static bool holds(struct nf_locks *L, const struct lock_obj *ob, const struct lk_owner *o, uint64_t start, uint64_t end)
{
	struct held_probe p = {o->svid, start, end};
	struct nlm_netobj fh = {ob->fh, ob->len};

	return nlm_core_for_each_lock(L->record, &fh, held_visit, &p) != 0;
}

static void record_one(struct nf_locks *L, const struct lock_obj *ob, struct lk_owner *o, int type, uint64_t offset,
		       uint64_t len);

/* The server granted (@type F_RDLCK/F_WRLCK) or unlocked (F_UNLCK) the
 * range for @o: the record follows, and the owner's object count. The
 * server is right: the part of another owner's lock here that conflicts
 * with its grant was given up there, and only its unlock's answer is still
 * on the way to being recorded (answers of several calls are recorded in
 * the order their callers take the lock), so that part goes now. */
static void record(struct nf_locks *L, const struct lock_obj *ob, struct lk_owner *o, int type, uint64_t offset,
		   uint64_t len)
{
	struct nlm_lock_args a = record_args(ob, o, type, offset, len);
	struct nlm_lock_desc h;
	uint64_t start, end;

	if (nlm_range_from_nlm4(offset, len, &start, &end))
		return; /* no range a server grants or unlocks */
	for (int i = 0; type != F_UNLCK && i < 64 && nlm_core_test(L->record, &a, &h) == -EAGAIN; i++) {
		/* Only the overlap: the rest of the other owner's lock stands. */
		struct lk_owner *other = owner_of_svid(L, h.owner.svid);
		uint64_t ooff, olen;
		nlm_range_to_nlm4(h.start > start ? h.start : start, h.end < end ? h.end : end, &ooff, &olen);
		if (!other)
			break;
		record_one(L, ob, other, F_UNLCK, ooff, olen);
	}
	record_one(L, ob, o, type, offset, len);
}

static void record_one(struct nf_locks *L, const struct lock_obj *ob, struct lk_owner *o, int type, uint64_t offset,
		       uint64_t len)
{
	struct nlm_lock_args a = record_args(ob, o, type, offset, len);
	bool before = holds(L, ob, o, 0, UINT64_MAX), after;

	if (type == F_UNLCK)
		nlm_core_unlock(L->record, &a);
	else
		nlm_core_lock(L->record, &a, false, NULL);
	after = holds(L, ob, o, 0, UINT64_MAX);
	if (after && !before) {
		o->objs++;
	} else if (before && !after) {
		o->objs--;
		if (!o->objs && !o->busy) {
			/* Nothing keeps it any more (a stale lock taken out). */
			o->busy = 1;
			owner_put(L, o);
		}
	}
}

/* ---- calls ------------------------------------------------------------------------------ */

static struct nlm_clnt_lock clnt_lock(const struct lock_obj *ob, const struct lk_owner *o, const struct flock *fl)
{
	return (struct nlm_clnt_lock){
	    .fh = ob->fh,
	    .fh_len = ob->len,
	    .oh = o->oh,
	    .oh_len = OH_LEN,
	    .svid = o->svid,
	    .offset = (uint64_t)fl->l_start,
	    .len = (uint64_t)fl->l_len,
	    .exclusive = fl->l_type == F_WRLCK,
	};
}

/* The kernel's range as an inclusive one; -EINVAL for what no lock is. */
static int flock_range(const struct flock *fl, uint64_t *start, uint64_t *end)
{
	if (fl->l_start < 0 || fl->l_len < 0)
		return -EINVAL;
	return nlm_range_from_nlm4((uint64_t)fl->l_start, (uint64_t)fl->l_len, start, end);
}

int locks_getlk(struct nf_mount *m, const struct nf_ctx *c, const struct lock_obj *ob, uint64_t owner,
		struct flock *lock)
{
	struct nf_locks *L = m->locks;
	struct nlm_clnt_holder h;
	struct lk_owner *o;
	uint64_t start, end;
	int r = flock_range(lock, &start, &end);

	if (r)
		return r;
	pthread_mutex_lock(&L->lock);
	o = owner_get(L, owner);
	pthread_mutex_unlock(&L->lock);
	if (!o)
		return -ENOMEM;
	struct nlm_clnt_lock cl = clnt_lock(ob, o, lock);
	r = nlm_clnt_call(L->clnt, NLM_CLNT_TEST, &cl, 0, c->cancel, &h);
	if (r == 0) {
		lock->l_type = F_UNLCK;
	} else if (r == -EAGAIN) {
		/* The holder's svid stands for its pid, as NFS shows it. */
		lock->l_type = h.exclusive ? F_WRLCK : F_RDLCK;
		lock->l_whence = SEEK_SET;
		lock->l_start = (off_t)(h.offset > INT64_MAX ? INT64_MAX : h.offset);
		lock->l_len = (off_t)(h.len > INT64_MAX ? 0 : h.len);
		lock->l_pid = h.svid;
		r = 0;
	}
	pthread_mutex_lock(&L->lock);
	owner_put(L, o);
	pthread_mutex_unlock(&L->lock);
	return r;
}

int locks_setlk(struct nf_mount *m, const struct nf_ctx *c, const struct lock_obj *ob, uint64_t owner,
		const struct lock_file *f, const struct flock *lock)
{
	struct nf_locks *L = m->locks;
	struct lk_owner *o;
	uint64_t start, end;
	int r = flock_range(lock, &start, &end);

	if (r)
		return r;
	pthread_mutex_lock(&L->lock);
	if (lock->l_type == F_UNLCK) {
		/* What the record shows no owner holding needs no call. */
		struct lk_owner *known = *owner_slot(L, owner);
		if (!known || !holds(L, ob, known, start, end)) {
			pthread_mutex_unlock(&L->lock);
			return 0;
		}
	}
	o = owner_get(L, owner);
	/* A LOCK that goes unanswered is undone, unless that would take what
	 * the owner held there. */
	unsigned flags = o && lock->l_type != F_UNLCK && !holds(L, ob, o, start, end) ? NLM_CLNT_UNLOCK_IF_LOST : 0;
	pthread_mutex_unlock(&L->lock);
	if (!o)
		return -ENOMEM;
	struct nlm_clnt_lock cl = clnt_lock(ob, o, lock);
	r = nlm_clnt_call(L->clnt, lock->l_type == F_UNLCK ? NLM_CLNT_UNLOCK : NLM_CLNT_LOCK, &cl, flags, c->cancel,
			  NULL);
	pthread_mutex_lock(&L->lock);
	if (!r) {
		record(L, ob, o, lock->l_type, cl.offset, cl.len);
		if (lock->l_type != F_UNLCK)
			owner_file(o, ob, f);
	}
	owner_put(L, o);
	pthread_mutex_unlock(&L->lock);
	return r;
}

/* A blocking lock in flight: answers its request when the call ends. */
struct lk_wait {
	struct op_cancel oc;
	struct nf_ctx c;
	struct nf_mount *m;
	fuse_req_t req;
	struct lk_owner *o;
	struct flock fl;
	struct lock_file f;
	bool has_file;
	struct lock_obj ob;
};

static void wait_done(void *arg, int r, const struct nlm_clnt_holder *h)
{
	struct lk_wait *w = arg;
	struct nf_locks *L = w->m->locks;

	(void)h;
	pthread_mutex_lock(&L->lock);
	if (!r) {
		record(L, &w->ob, w->o, w->fl.l_type, (uint64_t)w->fl.l_start, (uint64_t)w->fl.l_len);
		owner_file(w->o, &w->ob, w->has_file ? &w->f : NULL);
	}
	owner_put(L, w->o);
	pthread_mutex_unlock(&L->lock);
	op_cancel_disarm(&w->oc, &w->c);
	fuse_reply_err(w->req, r == 0 ? 0 : r < 0 && r > -4096 ? -r : EIO);
	free(w);
}

void locks_setlkw(struct nf_mount *m, fuse_req_t req, const struct lock_obj *ob, uint64_t owner,
		  const struct lock_file *f, const struct flock *lock)
{
	struct nf_locks *L = m->locks;
	const struct fuse_ctx *fc = fuse_req_ctx(req);
	struct lk_wait *w;
	uint64_t start, end;
	unsigned flags = NLM_CLNT_BLOCK;
	int r = flock_range(lock, &start, &end);

	if (r || lock->l_type == F_UNLCK) {
		/* An unlock never waits. */
		struct nf_ctx c = {.uid = fc->uid, .gid = fc->gid, .pid = fc->pid, .req = req};
		struct op_cancel oc;
		if (!r) {
			op_cancel_arm(&oc, m, req, &c);
			r = locks_setlk(m, &c, ob, owner, f, lock);
			op_cancel_disarm(&oc, &c);
		}
		fuse_reply_err(req, -r);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	w->m = m;
	w->req = req;
	w->fl = *lock;
	w->ob = *ob;
	if (f) {
		w->f = *f;
		w->has_file = true;
	}
	w->c = (struct nf_ctx){.uid = fc->uid, .gid = fc->gid, .pid = fc->pid, .req = req};
	pthread_mutex_lock(&L->lock);
	w->o = owner_get(L, owner);
	if (w->o && !holds(L, ob, w->o, start, end))
		flags |= NLM_CLNT_UNLOCK_IF_LOST;
	pthread_mutex_unlock(&L->lock);
	if (!w->o) {
		free(w);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	op_cancel_arm(&w->oc, m, req, &w->c);
	struct nlm_clnt_lock cl = clnt_lock(&w->ob, w->o, lock);
	r = nlm_clnt_start(L->clnt, NLM_CLNT_LOCK, &cl, flags, w->c.cancel, wait_done, w);
	if (r) {
		op_cancel_disarm(&w->oc, &w->c);
		pthread_mutex_lock(&L->lock);
		owner_put(L, w->o);
		pthread_mutex_unlock(&L->lock);
		free(w);
		fuse_reply_err(req, -r);
	}
}

int locks_release_owner(struct nf_mount *m, const struct nf_ctx *c, const struct lock_obj *ob, uint64_t owner)
{
	struct flock all = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};

	return locks_setlk(m, c, ob, owner, NULL, &all);
}

int locks_obj(struct nf_mount *m, const struct nf_backend_ops *ops, void *fs, const struct nf_key *key, bool synthetic,
	      struct lock_obj *o)
{
	int r;

	if (synthetic) {
		/* This mount's own: its id, then the inode number. */
		static const char tag[] = "netfuse-synthetic";
		memcpy(o->fh, tag, sizeof(tag) - 1);
		memcpy(o->fh + sizeof(tag) - 1, m->locks->mount_id, sizeof(m->locks->mount_id));
		memcpy(o->fh + sizeof(tag) - 1 + sizeof(m->locks->mount_id), &key->lo, sizeof(key->lo));
		o->len = sizeof(tag) - 1 + sizeof(m->locks->mount_id) + sizeof(key->lo);
		return 0;
	}
	r = ops->lock_handle ? ops->lock_handle(fs, key, o->fh, sizeof(o->fh)) : -ENOLCK;
	if (r < 0)
		return r;
	if (r == 0 || r > (int)sizeof(o->fh))
		return -EIO;
	o->len = (uint32_t)r;
	return 0;
}

/* A grant the agent passed that no wait took (interrupted, or answered by a
 * re-ask first): given back unless the record shows the owner holding any of
 * it. (An owner that held part of it, and was interrupted upgrading, keeps
 * the grant at the server until it unlocks or closes: a stray, never a
 * loss.) */
static void unmatched_grant(void *arg, const struct nlm_clnt_lock *l)
{
	struct nf_locks *L = arg;
	struct lock_obj ob;
	struct lk_owner *o;
	uint64_t owner, start, end;
	bool held;

	if (l->oh_len != OH_LEN || memcmp(l->oh, L->mount_id, sizeof(L->mount_id)) || l->fh_len > sizeof(ob.fh) ||
	    nlm_range_from_nlm4(l->offset, l->len, &start, &end))
		return;
	memcpy(&owner, (const unsigned char *)l->oh + sizeof(L->mount_id), sizeof(owner));
	ob.len = l->fh_len;
	memcpy(ob.fh, l->fh, l->fh_len);
	pthread_mutex_lock(&L->lock);
	o = *owner_slot(L, owner);
	held = o && o->svid == l->svid && holds(L, &ob, o, start, end);
	pthread_mutex_unlock(&L->lock);
	if (!held)
		nlm_clnt_start(L->clnt, NLM_CLNT_UNLOCK, l, 0, NULL, NULL, NULL);
}

/* ---- reclaim after the server restarted ------------------------------------------------- */

/* One lock the record showed when the restart was seen, reclaimed. */
struct reclaim {
	struct nf_locks *L;
	uint64_t owner;
	unsigned char oh[OH_LEN];
	int32_t svid;
	int type;
	uint64_t offset, len;
	struct lock_obj ob;
};

struct reclaim_walk {
	struct reclaim **v;
	size_t n, cap;
};

static int reclaim_collect(void *arg, const struct nlm_lock_desc *l)
{
	struct reclaim_walk *w = arg;
	struct reclaim *r;

	if (l->owner.oh.len != OH_LEN || l->fh.len > NF_LOCK_HANDLE_MAX)
		return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct reclaim **v = realloc(w->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		w->v = v;
		w->cap = cap;
	}
	if (!(r = malloc(sizeof(*r))))
		return -ENOMEM;
	memcpy(r->oh, l->owner.oh.data, OH_LEN);
	memcpy(&r->owner, r->oh + 8, sizeof(r->owner));
	r->svid = l->owner.svid;
	r->type = l->type == NLM_LOCK_EXCLUSIVE ? F_WRLCK : F_RDLCK;
	nlm_range_to_nlm4(l->start, l->end, &r->offset, &r->len);
	r->ob.len = l->fh.len;
	memcpy(r->ob.fh, l->fh.data, l->fh.len);
	w->v[w->n++] = r;
	return 0;
}

static struct nlm_clnt_lock reclaim_lock(const struct reclaim *r)
{
	return (struct nlm_clnt_lock){.fh = r->ob.fh,
				      .fh_len = r->ob.len,
				      .oh = r->oh,
				      .oh_len = OH_LEN,
				      .svid = r->svid,
				      .offset = r->offset,
				      .len = r->len,
				      .exclusive = r->type == F_WRLCK};
}

/* Whether the record still shows @r's lock whole, of its type. */
static int same_lock_visit(void *arg, const struct nlm_lock_desc *l)
{
	const struct reclaim *r = arg;
	uint64_t start, end;

	nlm_range_from_nlm4(r->offset, r->len, &start, &end);
	return l->owner.svid == r->svid && l->start <= start && l->end >= end &&
	       (l->type == NLM_LOCK_EXCLUSIVE) == (r->type == F_WRLCK);
}

static void lock_lost(struct nf_locks *L, struct lk_owner *o, const struct reclaim *r, int err)
{
	struct health_event ev;
	uint64_t ino = 0;

	for (struct lk_file *x = o->files; x; x = x->next) {
		if (x->ob.len != r->ob.len || memcmp(x->ob.fh, r->ob.fh, r->ob.len))
			continue;
		ino = x->f.ino;
		bool known = false;
		for (struct lost_file *y = L->lost_files; y; y = y->next)
			known |= y->f.ino == x->f.ino && y->f.fh == x->f.fh;
		struct lost_file *y = known ? NULL : malloc(sizeof(*y));
		if (y) {
			y->f = x->f;
			y->next = L->lost_files;
			L->lost_files = y;
			__atomic_store_n(&L->nlost_files, L->nlost_files + 1, __ATOMIC_RELEASE);
		}
	}
	L->lost++;
	memset(&ev, 0, sizeof(ev));
	ev.domain = HEALTH_DOMAIN_RANGE;
	ev.type = HEALTH_LOCK_LOST;
	ev.ino = ino;
	ev.offset = r->offset;
	ev.length = r->len;
	ev.error = EIO;
	snprintf(ev.reason, sizeof(ev.reason),
		 "%s lock of owner svid %d not reclaimed after the lock server restarted (%s): I/O through its "
		 "open file fails with EIO",
		 r->type == F_WRLCK ? "write" : "read", r->svid, strerror(err));
	if (L->m->health)
		health_emit(L->m->health, &ev);
	nf_log(LOG_WARNING,
	       "a lock on inode %" PRIu64 " was lost: the lock server %s restarted and did not take it back (%s)", ino,
	       L->server, strerror(err));
}

static void reclaim_run(struct nf_locks *L);

struct held_parts {
	int32_t svid;
	uint64_t start, end;
	uint64_t (*v)[2];
	size_t n, cap;
};

static int held_part(void *arg, const struct nlm_lock_desc *l)
{
	struct held_parts *p = arg;

	if (l->owner.svid != p->svid || l->end < p->start || l->start > p->end)
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		uint64_t(*v)[2] = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n][0] = l->start > p->start ? l->start : p->start;
	p->v[p->n][1] = l->end < p->end ? l->end : p->end;
	p->n++;
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* The parts of @r's range the record does not show its owner holding: the
 * server may hold them for it after the reclaim (taken, or granted with
 * the answer lost), and nothing would give them back. Each goes in an
 * UNLOCK. The lock held; the calls start after it is released. */
static size_t unheld_parts(struct nf_locks *L, const struct reclaim *r, uint64_t (*gaps)[2], size_t max)
{
	struct held_parts p = {.svid = r->svid};
	size_t n = 0;

	if (nlm_range_from_nlm4(r->offset, r->len, &p.start, &p.end))
		return 0;
	if (nlm_core_for_each_lock(L->record, &(struct nlm_netobj){(void *)r->ob.fh, r->ob.len}, held_part, &p)) {
		/* Out of memory: none, rather than what the owner holds (a
		 * stray lock at the server, never a lost one). */
		free(p.v);
		return 0;
	}
	if (p.n)
		qsort(p.v, p.n, sizeof(*p.v), by_start);
	uint64_t at = p.start;
	bool done = false;
	for (size_t i = 0; i < p.n && !done && n < max; i++) {
		if (p.v[i][0] > at)
			gaps[n][0] = at, gaps[n][1] = p.v[i][0] - 1, n++;
		if (p.v[i][1] >= at) {
			done = p.v[i][1] == UINT64_MAX || p.v[i][1] >= p.end;
			at = p.v[i][1] + 1;
		}
	}
	if (!done && at <= p.end && n < max)
		gaps[n][0] = at, gaps[n][1] = p.end, n++;
	free(p.v);
	return n;
}

static void reclaim_done(void *arg, int err, const struct nlm_clnt_holder *h)
{
	struct reclaim *r = arg;
	struct nf_locks *L = r->L;
	struct lk_owner *o;
	uint64_t gaps[64][2];
	size_t ngaps = 0;
	bool held, again = false;

	(void)h;
	pthread_mutex_lock(&L->lock);
	o = *owner_slot(L, r->owner);
	held = o && o->svid == r->svid &&
	       nlm_core_for_each_lock(L->record, &(struct nlm_netobj){r->ob.fh, r->ob.len}, same_lock_visit, r);
	if (err == -ESHUTDOWN) {
		/* The mount is stopping: what it held is unlocked anyway. */
	} else if (!err && held) {
		L->reclaimed++;
		L->run_reclaimed++;
	} else {
		if (err && held) {
			/* Given up: what the owner no longer holds leaves the record. */
			o->busy++;
			lock_lost(L, o, r, -err);
			L->run_lost++;
			record_one(L, &r->ob, o, F_UNLCK, r->offset, r->len);
			owner_put(L, o);
		}
		/* Unlocked while the reclaim was on its way, or lost: whatever of
		 * it the server may hold goes back. */
		ngaps = unheld_parts(L, r, gaps, sizeof(gaps) / sizeof(gaps[0]));
	}
	if (--L->reclaim_left == 0) {
		health_report(L->m->health, HEALTH_DOMAIN_SESSION, HEALTH_LOCK_RECLAIMED, 0, "lockd", L->server,
			      "after the lock server restarted: %u locks reclaimed, %u lost", L->run_reclaimed,
			      L->run_lost);
		L->reclaiming = false;
		again = L->reclaim_again;
		L->reclaim_again = false;
	}
	pthread_mutex_unlock(&L->lock);
	for (size_t i = 0; i < ngaps; i++) {
		struct nlm_clnt_lock cl = reclaim_lock(r);
		nlm_range_to_nlm4(gaps[i][0], gaps[i][1], &cl.offset, &cl.len);
		nlm_clnt_start(L->clnt, NLM_CLNT_UNLOCK, &cl, 0, NULL, NULL, NULL);
	}
	free(r);
	if (again)
		reclaim_run(L);
}

/* Every lock the record shows goes to the server again as a reclaim. */
static void reclaim_run(struct nf_locks *L)
{
	struct reclaim_walk w = {0};
	int r;

	pthread_mutex_lock(&L->lock);
	if (L->reclaiming) {
		L->reclaim_again = true;
		pthread_mutex_unlock(&L->lock);
		return;
	}
	r = nlm_core_for_each_lock(L->record, NULL, reclaim_collect, &w);
	L->reclaiming = w.n > 0;
	L->reclaim_left = (unsigned)w.n;
	L->run_reclaimed = L->run_lost = 0;
	pthread_mutex_unlock(&L->lock);
	if (r)
		nf_log(LOG_ERR, "reclaiming locks at %s: out of memory: some are not reclaimed", L->server);
	if (!w.n)
		health_report(L->m->health, HEALTH_DOMAIN_SESSION, HEALTH_LOCK_RECLAIMED, 0, "lockd", L->server,
			      "after the lock server restarted: no locks to reclaim");
	for (size_t i = 0; i < w.n; i++) {
		struct reclaim *x = w.v[i];
		struct nlm_clnt_lock cl = reclaim_lock(x);
		x->L = L;
		int e = nlm_clnt_start(L->clnt, NLM_CLNT_LOCK, &cl, NLM_CLNT_RECLAIM, NULL, reclaim_done, x);
		if (e)
			reclaim_done(x, e, NULL);
	}
	free(w.v);
}

static void server_restarted(void *arg)
{
	reclaim_run(arg);
}

bool locks_file_lost(struct nf_mount *m, uint64_t ino, uint64_t fh)
{
	struct nf_locks *L = m->locks;
	bool lost = false;

	if (!L || !__atomic_load_n(&L->nlost_files, __ATOMIC_ACQUIRE))
		return false;
	pthread_mutex_lock(&L->lock);
	for (struct lost_file *y = L->lost_files; y && !lost; y = y->next)
		lost = y->f.ino == ino && y->f.fh == fh;
	pthread_mutex_unlock(&L->lock);
	return lost;
}

void locks_file_closed(struct nf_mount *m, uint64_t ino, uint64_t fh)
{
	struct nf_locks *L = m->locks;

	if (!L)
		return;
	pthread_mutex_lock(&L->lock);
	for (size_t b = 0; b < OWNER_BUCKETS; b++)
		for (struct lk_owner *o = L->owners[b]; o; o = o->next)
			for (struct lk_file **pp = &o->files; *pp;) {
				struct lk_file *x = *pp;
				if (x->f.ino == ino && x->f.fh == fh) {
					*pp = x->next;
					free(x);
				} else {
					pp = &x->next;
				}
			}
	for (struct lost_file **pp = &L->lost_files; *pp;) {
		struct lost_file *y = *pp;
		if (y->f.ino == ino && y->f.fh == fh) {
			*pp = y->next;
			free(y);
			__atomic_store_n(&L->nlost_files, L->nlost_files - 1, __ATOMIC_RELEASE);
		} else {
			pp = &y->next;
		}
	}
	pthread_mutex_unlock(&L->lock);
}

/* ---- .locks ---------------------------------------------------------------------------- */

static int render_lock(void *arg, const struct nlm_lock_desc *l)
{
	struct textbuf *b = arg;
	uint64_t owner = 0;
	uint32_t shown = l->fh.len > 64 ? 64 : l->fh.len;

	textbuf_printf(b, "lock ");
	for (uint32_t i = 0; i < shown; i++)
		textbuf_printf(b, "%02x", ((const unsigned char *)l->fh.data)[i]);
	if (l->owner.oh.len == OH_LEN)
		memcpy(&owner, (const unsigned char *)l->owner.oh.data + 8, sizeof(owner));
	textbuf_printf(b, "%s svid=%" PRId32 " owner=%016" PRIx64 " %" PRIu64 "-", shown < l->fh.len ? "..." : "",
		       l->owner.svid, owner, l->start);
	if (l->end == UINT64_MAX)
		textbuf_printf(b, "eof");
	else
		textbuf_printf(b, "%" PRIu64, l->end);
	textbuf_printf(b, " %s\n", l->type == NLM_LOCK_EXCLUSIVE ? "write" : "read");
	return 0;
}

static size_t locks_render(void *fs, const struct nf_view *v, char *buf, size_t len)
{
	struct nf_mount *m = fs;
	struct nf_locks *L = m->locks;
	struct textbuf b;
	struct nlm_clnt_stats st;

	(void)v;
	textbuf_init(&b, buf, len);
	if (!L)
		return 0;
	nlm_clnt_stats(L->clnt, &st);
	textbuf_printf(&b, "server %s port %u %s agent %s watched %s\n", L->server, st.port,
		       st.reachable ? "reachable" : "unreachable", st.agent ? "joined" : "none",
		       st.watched	? "yes"
		       : st.watch_error ? strerror(st.watch_error)
					: "no");
	textbuf_printf(&b,
		       "calls %" PRIu64 " sent %" PRIu64 " retransmits %" PRIu64 " blocked %" PRIu64 " grace %" PRIu64
		       " timeouts %" PRIu64 " rebinds %" PRIu64 " grants %" PRIu64 " unmatched %" PRIu64 "\n",
		       st.calls, st.sent, st.retransmits, st.blocked, st.grace, st.timeouts, st.rebinds, st.grants,
		       st.unmatched);
	pthread_mutex_lock(&L->lock);
	textbuf_printf(&b, "restarts %" PRIu64 " reclaimed %" PRIu64 " lost %" PRIu64 "%s\n", st.restarts, L->reclaimed,
		       L->lost, L->reclaiming ? " reclaiming" : "");
	textbuf_printf(&b, "owners %zu\n", L->nowners);
	nlm_core_for_each_lock(L->record, NULL, render_lock, &b);
	pthread_mutex_unlock(&L->lock);
	return b.off;
}

const struct nf_view locks_view = {.name = ".locks", .mode = 0444, .render = locks_render, .core = true};

/* ---- start and stop --------------------------------------------------------------------- */

/* HOST[:PORT] (an IPv4 address or a name) into @sa; -EINVAL, or
 * -EHOSTUNREACH for a name that does not resolve, with one line. */
static int parse_server(const char *spec, struct sockaddr_in *sa, char *err, size_t errlen)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	size_t hl = colon ? (size_t)(colon - spec) : strlen(spec);
	unsigned long port = 0;
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *ai = NULL;
	int r;

	if (!hl || hl >= sizeof(host)) {
		snprintf(err, errlen, "option 'lockd': '%s' is not HOST[:PORT]", spec);
		return -EINVAL;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (colon) {
		char *end;
		port = strtoul(colon + 1, &end, 10);
		if (!colon[1] || *end || !port || port > 65535) {
			snprintf(err, errlen, "option 'lockd': '%s' is not a port from 1 to 65535", colon + 1);
			return -EINVAL;
		}
	}
	r = getaddrinfo(host, NULL, &hints, &ai);
	if (r || !ai) {
		snprintf(err, errlen, "lock server %s: %s", host, r ? gai_strerror(r) : "no IPv4 address");
		if (ai)
			freeaddrinfo(ai);
		return -EHOSTUNREACH;
	}
	memcpy(sa, ai->ai_addr, sizeof(*sa));
	sa->sin_port = htons((uint16_t)port);
	freeaddrinfo(ai);
	return 0;
}

int locks_start(struct nf_mount *m, char *err, size_t errlen)
{
	struct nf_locks *L;
	struct nlm_clnt_config cfg = {.timeout_ms = m->opts.lock_timeout * 1000u, .health = m->health};
	char host[256];
	int r;

	if (m->opts.locks && strcmp(m->opts.locks, "local") && strcmp(m->opts.locks, "lockd")) {
		snprintf(err, errlen, "option 'locks': '%s' is not local or lockd", m->opts.locks);
		return -EINVAL;
	}
	if (m->opts.locks && !strcmp(m->opts.locks, "local"))
		return 0;
	if (!m->opts.lockd) {
		if (!m->opts.locks)
			return 0;
		snprintf(err, errlen, "option 'locks=lockd' needs lockd=HOST[:PORT]");
		return -EINVAL;
	}
	if (!m->ops->lock_handle) {
		snprintf(err, errlen, "option 'lockd': %s has no lock handles for its files", m->fe->prog);
		return -EINVAL;
	}
	L = calloc(1, sizeof(*L));
	if (!L || !(L->record = nlm_core_new(NULL, NULL, NULL))) {
		free(L);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&L->lock, NULL);
	L->m = m;
	if (getrandom(L->mount_id, sizeof(L->mount_id), 0) != sizeof(L->mount_id)) {
		uint64_t t = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
		memcpy(L->mount_id, &t, sizeof(t));
	}
	/* Servers such as Linux's tell owners apart by host and svid alone:
	 * svids of two mounts (or of the kernel's NFS client) on one host must
	 * not meet, so each mount counts from a random start. */
	uint32_t start;
	memcpy(&start, L->mount_id, sizeof(start));
	L->last_svid = (int32_t)(start & 0x3fffffff);
	snprintf(L->server, sizeof(L->server), "%s", m->opts.lockd);
	r = parse_server(m->opts.lockd, &cfg.server, err, errlen);
	if (!r) {
		if (gethostname(host, sizeof(host)))
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		cfg.server_name = L->server;
		cfg.caller_name = host;
		cfg.agent_path = m->opts.lockd_agent ? m->opts.lockd_agent : NLM_AGENT_PATH;
		memcpy(cfg.agent_id, L->mount_id, sizeof(cfg.agent_id));
		cfg.unmatched_grant = unmatched_grant;
		cfg.server_restarted = server_restarted;
		cfg.arg = L;
		r = nlm_clnt_new(&cfg, &L->clnt, err, errlen);
	}
	if (r) {
		nlm_core_free(L->record);
		pthread_mutex_destroy(&L->lock);
		free(L);
		return r;
	}
	m->locks = L;
	return 0;
}

/* At unmount, what the record still shows held (files the kernel never
 * closed: a lazy unmount, the daemon told to stop) is unlocked at the
 * server, all at once and for at most 2 s, so that no lock outlives the
 * mount there. */
struct drain {
	pthread_mutex_t lock;
	unsigned left, unlocked;
	struct evloop_completion all;
};

static void drain_done(void *arg, int r, const struct nlm_clnt_holder *h)
{
	struct drain *d = arg;
	bool last;

	(void)h;
	pthread_mutex_lock(&d->lock);
	d->unlocked += r == 0;
	last = --d->left == 0;
	pthread_mutex_unlock(&d->lock);
	if (last)
		evloop_completion_done(&d->all, 0);
}

struct drain_visit {
	struct nf_locks *L;
	struct drain *d;
};

static int drain_visit(void *arg, const struct nlm_lock_desc *l)
{
	struct drain_visit *v = arg;
	uint64_t off, len;

	nlm_range_to_nlm4(l->start, l->end, &off, &len);
	struct nlm_clnt_lock cl = {.fh = l->fh.data,
				   .fh_len = l->fh.len,
				   .oh = l->owner.oh.data,
				   .oh_len = l->owner.oh.len,
				   .svid = l->owner.svid,
				   .offset = off,
				   .len = len,
				   .exclusive = l->type == NLM_LOCK_EXCLUSIVE};
	pthread_mutex_lock(&v->d->lock);
	v->d->left++;
	pthread_mutex_unlock(&v->d->lock);
	if (nlm_clnt_start(v->L->clnt, NLM_CLNT_UNLOCK, &cl, 0, NULL, drain_done, v->d))
		drain_done(v->d, -ENOMEM, NULL);
	return 0;
}

void locks_stop(struct nf_mount *m)
{
	struct nf_locks *L = m->locks;
	struct drain *d;

	if (!L)
		return;
	d = calloc(1, sizeof(*d));
	if (d) {
		struct drain_visit v = {L, d};
		pthread_mutex_init(&d->lock, NULL);
		evloop_completion_init(&d->all);
		d->left = 1; /* this walk's own, so that "all" waits for it */
		pthread_mutex_lock(&L->lock);
		nlm_core_for_each_lock(L->record, NULL, drain_visit, &v);
		pthread_mutex_unlock(&L->lock);
		drain_done(d, -1, NULL);
		evloop_completion_wait(&d->all, evloop_deadline_ms(2000));
	}
	/* Calls still out end here, their done functions run. */
	nlm_clnt_free(L->clnt);
	if (d) {
		/* The log, not .health: its unmount event was the last. */
		if (d->unlocked)
			nf_log(LOG_INFO, "%u locks still held were unlocked at %s", d->unlocked, L->server);
		evloop_completion_destroy(&d->all);
		pthread_mutex_destroy(&d->lock);
		free(d);
	}
	for (size_t b = 0; b < OWNER_BUCKETS; b++)
		while (L->owners[b]) {
			struct lk_owner *o = L->owners[b];
			L->owners[b] = o->next;
			owner_free(o);
		}
	while (L->lost_files) {
		struct lost_file *y = L->lost_files;
		L->lost_files = y->next;
		free(y);
	}
	nlm_core_free(L->record);
	pthread_mutex_destroy(&L->lock);
	free(L);
	m->locks = NULL;
}
