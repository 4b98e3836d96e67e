/*
 * nlm/lock_core.c: POSIX byte-range locks, waiters and share reservations
 * per object (see lock_core.h).
 *
 * Objects live in a chained hash table keyed by their file handle. Each
 * keeps its locks in one list sorted by start (an owner's locks are disjoint,
 * and its locks of one type never touch, so a merge looks only at the
 * request's neighbours), its waiters in arrival order, and its shares. The
 * waiters are also on one core-wide list in arrival order, which the
 * deadlock walk uses to find an owner's oldest wait. Lists are linear: a
 * lock server has few locks per file, and a sorted list keeps the code
 * short and the listings ordered; an interval tree would pay off only with
 * thousands of locks on one file.
 *
 * Every change allocates what it needs (at most two locks: the new one and
 * the far part of a lock it splits) before touching anything, so -ENOMEM
 * leaves the state as it was.
 *
 * Waiters are granted the way Linux grants them: any waiter that no longer
 * conflicts with a held lock is granted, and they are tried oldest first,
 * so of two waiters for one range the older wins. A younger waiter is not
 * held back by an older one that waits for other bytes or another holder
 * (no head-of-line blocking: waiting is not holding, and the deadlock walk
 * follows holders only). After a grant the walk starts again from the
 * oldest, because a grant can downgrade its owner's lock and so free bytes
 * for a waiter already passed. A waiter that still conflicts stays queued;
 * deadlocks are looked for only when a waiter is queued (NLM has no way to
 * fail a lock once BLOCKED was answered).
 */
#include "config.h"

#include "lock_core.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct lock {
	struct lock *next; /* the object's list, by start */
	enum nlm_lock_type type;
	uint64_t start, end;
	struct nlm_owner owner; /* owner.oh.data points to ohbuf */
	unsigned char ohbuf[];
};

struct object;

struct waiter {
	struct waiter *prev, *next;   /* the core's list, arrival order */
	struct waiter *oprev, *onext; /* the object's list, arrival order */
	struct object *obj;
	enum nlm_lock_type type;
	uint64_t start, end;
	void *cookie;
	struct nlm_owner owner;
	unsigned char ohbuf[];
};

struct share {
	struct share *next;
	unsigned access, deny;
	struct nlm_owner owner;
	unsigned char ohbuf[];
};

struct object {
	struct object *hnext;
	uint64_t hash;
	struct lock *locks;
	struct waiter *wfirst, *wlast;
	struct share *shares;
	struct nlm_netobj fh; /* fh.data points to fhbuf */
	unsigned char fhbuf[];
};

struct nlm_core {
	struct object **buckets;
	size_t nbuckets, nobjects;
	struct waiter *wfirst, *wlast;
	void (*granted)(void *arg, const struct nlm_lock_desc *granted_lock, void *waiter_cookie);
	void (*dropped)(void *arg, void *waiter_cookie);
	void *arg;
	long alloc_budget; /* allocations left before they fail; -1: no limit */
};

#define INITIAL_BUCKETS 64

static void *core_alloc(struct nlm_core *c, size_t size)
{
	if (c->alloc_budget == 0)
		return NULL;
	if (c->alloc_budget > 0)
		c->alloc_budget--;
	return malloc(size);
}

static void *core_calloc(struct nlm_core *c, size_t n, size_t size)
{
	if (c->alloc_budget == 0)
		return NULL;
	if (c->alloc_budget > 0)
		c->alloc_budget--;
	return calloc(n, size);
}

/* memcpy and memcmp want valid pointers even for 0 bytes (UBSan checks). */
static void copy_bytes(void *dst, const void *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
}

static bool netobj_eq(const struct nlm_netobj *a, const struct nlm_netobj *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static bool owner_eq(const struct nlm_owner *a, const struct nlm_owner *b)
{
	return a->host == b->host && a->svid == b->svid && netobj_eq(&a->oh, &b->oh);
}

static bool ranges_overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 <= e2 && s2 <= e1;
}

/* Overlapping, or one ending just before the other starts. */
static bool ranges_touch(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return ranges_overlap(s1, e1, s2, e2) || (e1 != UINT64_MAX && e1 + 1 == s2) ||
	       (e2 != UINT64_MAX && e2 + 1 == s1);
}

static bool types_conflict(enum nlm_lock_type a, enum nlm_lock_type b)
{
	return a == NLM_LOCK_EXCLUSIVE || b == NLM_LOCK_EXCLUSIVE;
}

int nlm_range_from_nlm4(uint64_t offset, uint64_t len, uint64_t *start, uint64_t *end)
{
	if (len == 0) {
		*start = offset;
		*end = UINT64_MAX;
		return 0;
	}
	if (offset + (len - 1) < offset)
		return -EOVERFLOW;
	*start = offset;
	*end = offset + (len - 1);
	return 0;
}

void nlm_range_to_nlm4(uint64_t start, uint64_t end, uint64_t *offset, uint64_t *len)
{
	*offset = start;
	*len = end == UINT64_MAX ? 0 : end - start + 1;
}

static bool valid_type(enum nlm_lock_type t)
{
	return t == NLM_LOCK_SHARED || t == NLM_LOCK_EXCLUSIVE;
}

static bool valid_owner(const struct nlm_owner *o)
{
	return o->oh.len <= NLM_NETOBJ_MAX;
}

/* Checks @a and turns its range inclusive. */
static int check_args(const struct nlm_lock_args *a, bool need_type, uint64_t *start, uint64_t *end)
{
	if (a->fh.len > NLM_NETOBJ_MAX || !valid_owner(&a->owner) || (need_type && !valid_type(a->type)))
		return -EINVAL;
	return nlm_range_from_nlm4(a->offset, a->len, start, end);
}

/* ---- objects ------------------------------------------------------------ */

static uint64_t hash_netobj(const struct nlm_netobj *fh)
{
	/* FNV-1a: handles are short and their bytes already vary. */
	const unsigned char *p = fh->data;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint32_t i = 0; i < fh->len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct object *find_object(const struct nlm_core *c, const struct nlm_netobj *fh)
{
	uint64_t h = hash_netobj(fh);
	struct object *o = c->buckets[h & (c->nbuckets - 1)];

	while (o && !(o->hash == h && netobj_eq(&o->fh, fh)))
		o = o->hnext;
	return o;
}

/* Double the buckets when objects outnumber them; without memory, chains
 * just grow longer. */
static void maybe_grow(struct nlm_core *c)
{
	if (c->nobjects < c->nbuckets)
		return;
	size_t n = c->nbuckets * 2;
	struct object **b = core_calloc(c, n, sizeof(*b));
	if (!b)
		return;
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct object *o = c->buckets[i], *next;

		for (; o; o = next) {
			next = o->hnext;
			o->hnext = b[o->hash & (n - 1)];
			b[o->hash & (n - 1)] = o;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
}

static struct object *get_object(struct nlm_core *c, const struct nlm_netobj *fh)
{
	struct object *o = find_object(c, fh);

	if (o)
		return o;
	o = core_alloc(c, sizeof(*o) + fh->len);
	if (!o)
		return NULL;
	memset(o, 0, sizeof(*o));
	copy_bytes(o->fhbuf, fh->data, fh->len);
	o->fh.data = o->fhbuf;
	o->fh.len = fh->len;
	o->hash = hash_netobj(fh);
	maybe_grow(c);
	o->hnext = c->buckets[o->hash & (c->nbuckets - 1)];
	c->buckets[o->hash & (c->nbuckets - 1)] = o;
	c->nobjects++;
	return o;
}

/* An object with nothing left on it is forgotten. */
static void maybe_free_object(struct nlm_core *c, struct object *o)
{
	if (o->locks || o->wfirst || o->shares)
		return;
	struct object **pp = &c->buckets[o->hash & (c->nbuckets - 1)];

	while (*pp != o)
		pp = &(*pp)->hnext;
	*pp = o->hnext;
	c->nobjects--;
	free(o);
}

/* ---- locks -------------------------------------------------------------- */

static struct lock *new_lock(struct nlm_core *c, const struct nlm_owner *owner)
{
	struct lock *l = core_alloc(c, sizeof(*l) + owner->oh.len);

	if (!l)
		return NULL;
	l->next = NULL;
	l->owner = *owner;
	copy_bytes(l->ohbuf, owner->oh.data, owner->oh.len);
	l->owner.oh.data = l->ohbuf;
	return l;
}

static void insert_lock(struct object *o, struct lock *l)
{
	struct lock **pp = &o->locks;

	while (*pp && (*pp)->start <= l->start)
		pp = &(*pp)->next;
	l->next = *pp;
	*pp = l;
}

/* The lock of another owner that @type on [start, end] conflicts with, the
 * one of lowest start; NULL when there is none. */
static struct lock *nlm_lock_conflicts(const struct object *o, const struct nlm_owner *owner, enum nlm_lock_type type,
				       uint64_t start, uint64_t end)
{
	for (struct lock *l = o->locks; l && l->start <= end; l = l->next)
		if (ranges_overlap(l->start, l->end, start, end) && types_conflict(l->type, type) &&
		    !owner_eq(&l->owner, owner))
			return l;
	return NULL;
}

/* Does one of @owner's locks contain [start, end] with bytes on both sides
 * (so that cutting the range out of it leaves two pieces)? */
static bool owner_lock_straddles(const struct object *o, const struct nlm_owner *owner, uint64_t start, uint64_t end)
{
	for (const struct lock *l = o->locks; l && l->start < start; l = l->next)
		if (l->end > end && owner_eq(&l->owner, owner))
			return true;
	return false;
}

/*
 * Removes @owner's coverage of [start, end]: locks inside go, locks across
 * an edge are cut, a lock across both edges keeps its left piece and its
 * right piece goes to @spare (which the caller allocated when
 * owner_lock_straddles said so). Returns whether @spare was used.
 */
static bool cut_owner_range(struct object *o, const struct nlm_owner *owner, uint64_t start, uint64_t end,
			    struct lock *spare)
{
	struct lock **pp = &o->locks, *keep = NULL;
	bool used = false;

	while (*pp && (*pp)->start <= end) {
		struct lock *l = *pp;

		if (!ranges_overlap(l->start, l->end, start, end) || !owner_eq(&l->owner, owner)) {
			pp = &l->next;
			continue;
		}
		*pp = l->next;
		if (l->start < start && l->end > end) {
			spare->type = l->type;
			spare->start = end + 1;
			spare->end = l->end;
			spare->next = keep;
			keep = spare;
			used = true;
		}
		if (l->start < start) {
			l->end = start - 1;
			l->next = keep;
			keep = l;
		} else if (l->end > end) {
			l->start = end + 1;
			l->next = keep;
			keep = l;
		} else {
			free(l);
		}
	}
	while (keep) {
		struct lock *next = keep->next;

		insert_lock(o, keep);
		keep = next;
	}
	return used;
}

/*
 * Gives @owner a @type lock on [start, end] (no conflict is checked): its
 * own locks there are cut out, and its @type locks that touch the range
 * are merged into the new one. 0 or -ENOMEM, with nothing changed.
 */
static int apply_lock(struct nlm_core *c, struct object *o, const struct nlm_owner *owner, enum nlm_lock_type type,
		      uint64_t start, uint64_t end)
{
	struct lock *nl = new_lock(c, owner), *spare = NULL;

	if (!nl)
		return -ENOMEM;
	if (owner_lock_straddles(o, owner, start, end)) {
		spare = new_lock(c, owner);
		if (!spare) {
			free(nl);
			return -ENOMEM;
		}
	}
	if (!cut_owner_range(o, owner, start, end, spare))
		free(spare);

	/* Nothing of the owner overlaps the range now; its @type locks that
	 * end just before or start just after it join the new lock. Its
	 * locks of one type never touch, so there is at most one each side. */
	for (struct lock **pp = &o->locks; *pp;) {
		struct lock *l = *pp;

		if (l->type == type && ranges_touch(l->start, l->end, start, end) && owner_eq(&l->owner, owner)) {
			if (l->start < start)
				start = l->start;
			if (l->end > end)
				end = l->end;
			*pp = l->next;
			free(l);
			continue;
		}
		pp = &l->next;
	}
	nl->type = type;
	nl->start = start;
	nl->end = end;
	insert_lock(o, nl);
	return 0;
}

/* ---- waiters ------------------------------------------------------------ */

static void lock_desc_of_waiter(const struct waiter *w, struct nlm_lock_desc *d)
{
	d->fh = w->obj->fh;
	d->owner = w->owner;
	d->type = w->type;
	d->start = w->start;
	d->end = w->end;
}

static void unlink_waiter(struct nlm_core *c, struct waiter *w)
{
	struct object *o = w->obj;

	*(w->prev ? &w->prev->next : &c->wfirst) = w->next;
	*(w->next ? &w->next->prev : &c->wlast) = w->prev;
	*(w->oprev ? &w->oprev->onext : &o->wfirst) = w->onext;
	*(w->onext ? &w->onext->oprev : &o->wlast) = w->oprev;
}

static void drop_waiter(struct nlm_core *c, struct waiter *w)
{
	unlink_waiter(c, w);
	if (c->dropped)
		c->dropped(c->arg, w->cookie);
	free(w);
}

static struct waiter *oldest_waiter_of(const struct nlm_core *c, const struct nlm_owner *owner)
{
	struct waiter *w = c->wfirst;

	while (w && !owner_eq(&w->owner, owner))
		w = w->next;
	return w;
}

/*
 * Would @requester waiting for @holder's lock close a cycle? Each owner is
 * taken to wait for the holder of the lock that blocks its oldest waiter
 * (the conflicting lock of lowest start); the chain is followed for
 * NLM_DEADLOCK_MAX_STEPS owners, which also ends a walk caught in a cycle
 * that does not pass through the requester.
 */
static bool nlm_lock_would_deadlock(const struct nlm_core *c, const struct nlm_owner *requester,
				    const struct lock *holder)
{
	const struct nlm_owner *owner = &holder->owner;

	for (int step = 0; step < NLM_DEADLOCK_MAX_STEPS; step++) {
		const struct waiter *w = oldest_waiter_of(c, owner);
		if (!w)
			return false;
		const struct lock *l = nlm_lock_conflicts(w->obj, &w->owner, w->type, w->start, w->end);
		if (!l)
			return false;
		if (owner_eq(&l->owner, requester))
			return true;
		owner = &l->owner;
	}
	return false;
}

/* Grants the object's waiters that no longer conflict, oldest first (see
 * the top of the file). One that cannot get memory for its lock stays. */
static void grant_waiters(struct nlm_core *c, struct object *o)
{
	struct waiter *w = o->wfirst;

	while (w) {
		if (nlm_lock_conflicts(o, &w->owner, w->type, w->start, w->end) ||
		    apply_lock(c, o, &w->owner, w->type, w->start, w->end) != 0) {
			w = w->onext;
			continue;
		}
		struct nlm_lock_desc d;

		unlink_waiter(c, w);
		lock_desc_of_waiter(w, &d);
		c->granted(c->arg, &d, w->cookie);
		free(w);
		w = o->wfirst;
	}
}

static struct waiter *find_waiter(const struct object *o, const struct nlm_owner *owner, enum nlm_lock_type type,
				  uint64_t start, uint64_t end)
{
	for (struct waiter *w = o->wfirst; w; w = w->onext)
		if (w->type == type && w->start == start && w->end == end && owner_eq(&w->owner, owner))
			return w;
	return NULL;
}

static int queue_waiter(struct nlm_core *c, struct object *o, const struct nlm_owner *owner, enum nlm_lock_type type,
			uint64_t start, uint64_t end, void *cookie)
{
	struct waiter *w = core_alloc(c, sizeof(*w) + owner->oh.len);

	if (!w)
		return -ENOMEM;
	w->obj = o;
	w->type = type;
	w->start = start;
	w->end = end;
	w->cookie = cookie;
	w->owner = *owner;
	copy_bytes(w->ohbuf, owner->oh.data, owner->oh.len);
	w->owner.oh.data = w->ohbuf;
	w->next = NULL;
	w->prev = c->wlast;
	*(c->wlast ? &c->wlast->next : &c->wfirst) = w;
	c->wlast = w;
	w->onext = NULL;
	w->oprev = o->wlast;
	*(o->wlast ? &o->wlast->onext : &o->wfirst) = w;
	o->wlast = w;
	return 0;
}

/* ---- the calls ------------------------------------------------------------ */

struct nlm_core *nlm_core_new(void (*granted)(void *arg, const struct nlm_lock_desc *granted_lock, void *waiter_cookie),
			      void (*dropped)(void *arg, void *waiter_cookie), void *arg)
{
	struct nlm_core *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->buckets = calloc(INITIAL_BUCKETS, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	c->nbuckets = INITIAL_BUCKETS;
	c->granted = granted;
	c->dropped = dropped;
	c->arg = arg;
	c->alloc_budget = -1;
	return c;
}

static void free_object_contents(struct nlm_core *c, struct object *o)
{
	while (o->wfirst)
		drop_waiter(c, o->wfirst);
	while (o->locks) {
		struct lock *l = o->locks;

		o->locks = l->next;
		free(l);
	}
	while (o->shares) {
		struct share *s = o->shares;

		o->shares = s->next;
		free(s);
	}
}

void nlm_core_free(struct nlm_core *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct object *o = c->buckets[i], *next;

		for (; o; o = next) {
			next = o->hnext;
			free_object_contents(c, o);
			free(o);
		}
	}
	free(c->buckets);
	free(c);
}

int nlm_core_test(struct nlm_core *c, const struct nlm_lock_args *a, struct nlm_lock_desc *holder)
{
	uint64_t start, end;
	int r = check_args(a, true, &start, &end);

	if (r)
		return r;
	struct object *o = find_object(c, &a->fh);
	struct lock *l = o ? nlm_lock_conflicts(o, &a->owner, a->type, start, end) : NULL;
	if (!l)
		return 0;
	if (holder) {
		holder->fh = o->fh;
		holder->owner = l->owner;
		holder->type = l->type;
		holder->start = l->start;
		holder->end = l->end;
	}
	return -EAGAIN;
}

int nlm_core_lock(struct nlm_core *c, const struct nlm_lock_args *a, bool block, void *cookie)
{
	uint64_t start, end;
	int r = check_args(a, true, &start, &end);

	if (r)
		return r;
	struct object *o = find_object(c, &a->fh);
	struct lock *holder = o ? nlm_lock_conflicts(o, &a->owner, a->type, start, end) : NULL;
	if (holder) {
		if (!block)
			return -EAGAIN;
		if (find_waiter(o, &a->owner, a->type, start, end))
			return -EALREADY;
		if (nlm_lock_would_deadlock(c, &a->owner, holder))
			return -EDEADLK;
		r = queue_waiter(c, o, &a->owner, a->type, start, end, cookie);
		return r ? r : -EINPROGRESS;
	}
	o = get_object(c, &a->fh);
	if (!o)
		return -ENOMEM;
	r = apply_lock(c, o, &a->owner, a->type, start, end);
	if (r) {
		maybe_free_object(c, o);
		return r;
	}
	grant_waiters(c, o);
	return 0;
}

int nlm_core_unlock(struct nlm_core *c, const struct nlm_lock_args *a)
{
	uint64_t start, end;
	int r = check_args(a, false, &start, &end);

	if (r)
		return r;
	struct object *o = find_object(c, &a->fh);
	if (!o)
		return 0;
	struct lock *spare = NULL;
	if (owner_lock_straddles(o, &a->owner, start, end)) {
		spare = new_lock(c, &a->owner);
		if (!spare)
			return -ENOMEM;
	}
	if (!cut_owner_range(o, &a->owner, start, end, spare))
		free(spare);
	grant_waiters(c, o);
	maybe_free_object(c, o);
	return 0;
}

int nlm_core_cancel(struct nlm_core *c, const struct nlm_lock_args *a)
{
	uint64_t start, end;
	int r = check_args(a, true, &start, &end);

	if (r)
		return r;
	struct object *o = find_object(c, &a->fh);
	struct waiter *w = o ? find_waiter(o, &a->owner, a->type, start, end) : NULL;
	if (!w)
		return -ENOENT;
	/* Waiters do not hold back waiters: removing one frees nothing. */
	drop_waiter(c, w);
	maybe_free_object(c, o);
	return 0;
}

/* Removes what @match says of the object's locks, waiters and shares; true
 * when a lock went (the waiters are then worth trying). */
static bool remove_from_object(struct nlm_core *c, struct object *o,
			       bool (*match)(const struct nlm_owner *, const void *), const void *key)
{
	bool freed = false;

	for (struct lock **pp = &o->locks; *pp;) {
		struct lock *l = *pp;

		if (match(&l->owner, key)) {
			*pp = l->next;
			free(l);
			freed = true;
		} else {
			pp = &l->next;
		}
	}
	for (struct waiter *w = o->wfirst, *next; w; w = next) {
		next = w->onext;
		if (match(&w->owner, key))
			drop_waiter(c, w);
	}
	for (struct share **pp = &o->shares; *pp;) {
		struct share *s = *pp;

		if (match(&s->owner, key)) {
			*pp = s->next;
			free(s);
		} else {
			pp = &s->next;
		}
	}
	return freed;
}

static bool match_owner(const struct nlm_owner *owner, const void *key)
{
	return owner_eq(owner, key);
}

static bool match_host(const struct nlm_owner *owner, const void *key)
{
	return owner->host == *(const uint32_t *)key;
}

int nlm_core_release_owner(struct nlm_core *c, const struct nlm_netobj *fh, const struct nlm_owner *owner)
{
	if (fh->len > NLM_NETOBJ_MAX || !valid_owner(owner))
		return -EINVAL;
	struct object *o = find_object(c, fh);
	if (!o)
		return 0;
	if (remove_from_object(c, o, match_owner, owner))
		grant_waiters(c, o);
	maybe_free_object(c, o);
	return 0;
}

void nlm_core_release_host(struct nlm_core *c, uint32_t host)
{
	/* Granting touches only the object granted on, and freeing an object
	 * unlinks only it: the walk keeps its next before either. The table
	 * does not grow here (nothing is created), so the buckets stay put. */
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct object *o = c->buckets[i], *next;

		for (; o; o = next) {
			next = o->hnext;
			if (remove_from_object(c, o, match_host, &host))
				grant_waiters(c, o);
			maybe_free_object(c, o);
		}
	}
}

static bool valid_share_bits(unsigned bits)
{
	return (bits & ~(NLM_SHARE_READ | NLM_SHARE_WRITE)) == 0;
}

int nlm_core_share(struct nlm_core *c, const struct nlm_netobj *fh, const struct nlm_owner *owner, unsigned access,
		   unsigned deny)
{
	if (fh->len > NLM_NETOBJ_MAX || !valid_owner(owner) || !valid_share_bits(access) || !valid_share_bits(deny))
		return -EINVAL;
	struct object *o = find_object(c, fh);
	struct share *mine = NULL;

	/* Every other owner's share is checked before the owner's own is
	 * changed, so a refused change leaves the old modes. */
	for (struct share *s = o ? o->shares : NULL; s; s = s->next) {
		if (owner_eq(&s->owner, owner))
			mine = s;
		else if ((s->deny & access) || (s->access & deny))
			return -EAGAIN;
	}
	if (mine) {
		mine->access = access;
		mine->deny = deny;
		return 0;
	}
	o = get_object(c, fh);
	if (!o)
		return -ENOMEM;
	struct share *s = core_alloc(c, sizeof(*s) + owner->oh.len);
	if (!s) {
		maybe_free_object(c, o);
		return -ENOMEM;
	}
	s->access = access;
	s->deny = deny;
	s->owner = *owner;
	copy_bytes(s->ohbuf, owner->oh.data, owner->oh.len);
	s->owner.oh.data = s->ohbuf;
	s->next = o->shares;
	o->shares = s;
	return 0;
}

int nlm_core_unshare(struct nlm_core *c, const struct nlm_netobj *fh, const struct nlm_owner *owner)
{
	if (fh->len > NLM_NETOBJ_MAX || !valid_owner(owner))
		return -EINVAL;
	struct object *o = find_object(c, fh);
	if (!o)
		return 0;
	for (struct share **pp = &o->shares; *pp; pp = &(*pp)->next) {
		struct share *s = *pp;

		if (owner_eq(&s->owner, owner)) {
			*pp = s->next;
			free(s);
			break;
		}
	}
	maybe_free_object(c, o);
	return 0;
}

/* ---- listings ------------------------------------------------------------- */

typedef int (*object_visit)(struct object *o, void *arg);

/* @visit on the object @fh, or on every object when @fh is NULL. */
static int for_each_object(struct nlm_core *c, const struct nlm_netobj *fh, object_visit visit, void *arg)
{
	if (fh) {
		struct object *o = fh->len <= NLM_NETOBJ_MAX ? find_object(c, fh) : NULL;
		return o ? visit(o, arg) : 0;
	}
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct object *o = c->buckets[i]; o; o = o->hnext) {
			int r = visit(o, arg);
			if (r)
				return r;
		}
	return 0;
}

struct lock_visit {
	int (*visit)(void *arg, const struct nlm_lock_desc *d);
	void *arg;
};

static int visit_object_locks(struct object *o, void *arg)
{
	const struct lock_visit *v = arg;

	for (const struct lock *l = o->locks; l; l = l->next) {
		struct nlm_lock_desc d = {
		    .fh = o->fh, .owner = l->owner, .type = l->type, .start = l->start, .end = l->end};
		int r = v->visit(v->arg, &d);
		if (r)
			return r;
	}
	return 0;
}

static int visit_object_waiters(struct object *o, void *arg)
{
	const struct lock_visit *v = arg;

	for (const struct waiter *w = o->wfirst; w; w = w->onext) {
		struct nlm_lock_desc d;

		lock_desc_of_waiter(w, &d);
		int r = v->visit(v->arg, &d);
		if (r)
			return r;
	}
	return 0;
}

int nlm_core_for_each_lock(struct nlm_core *c, const struct nlm_netobj *fh,
			   int (*visit)(void *arg, const struct nlm_lock_desc *lock), void *arg)
{
	struct lock_visit v = {visit, arg};

	return for_each_object(c, fh, visit_object_locks, &v);
}

int nlm_core_for_each_waiter(struct nlm_core *c, const struct nlm_netobj *fh,
			     int (*visit)(void *arg, const struct nlm_lock_desc *waiter), void *arg)
{
	struct lock_visit v = {visit, arg};

	return for_each_object(c, fh, visit_object_waiters, &v);
}

struct share_visit {
	int (*visit)(void *arg, const struct nlm_share_desc *d);
	void *arg;
};

static int visit_object_shares(struct object *o, void *arg)
{
	const struct share_visit *v = arg;

	for (const struct share *s = o->shares; s; s = s->next) {
		struct nlm_share_desc d = {.fh = o->fh, .owner = s->owner, .access = s->access, .deny = s->deny};
		int r = v->visit(v->arg, &d);
		if (r)
			return r;
	}
	return 0;
}

int nlm_core_for_each_share(struct nlm_core *c, const struct nlm_netobj *fh,
			    int (*visit)(void *arg, const struct nlm_share_desc *share), void *arg)
{
	struct share_visit v = {visit, arg};

	return for_each_object(c, fh, visit_object_shares, &v);
}

size_t nlm_core_objects(const struct nlm_core *c)
{
	return c->nobjects;
}

void nlm_core_fail_allocs_after(struct nlm_core *c, long n)
{
	c->alloc_budget = n < 0 ? -1 : n;
}
