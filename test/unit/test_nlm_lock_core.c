/*
 * Unit tests for the NLM lock core (nlm/lock_core.h): named cases for each
 * POSIX rule (split, merge, upgrade, downgrade, release, to-EOF and 64-bit
 * ranges), waiters and their cookies, deadlock cycles, share reservations
 * and running out of memory; then random operation sequences checked
 * against a reference model that keeps one state per byte and owner.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlm/lock_core.h"

/* ---- recording callbacks -------------------------------------------------- */

#define MAX_EVENTS 512

struct events {
	int ngranted, ndropped;
	uintptr_t granted[MAX_EVENTS], dropped[MAX_EVENTS];
	struct nlm_lock_desc granted_lock[MAX_EVENTS];
	unsigned char granted_fh[MAX_EVENTS][8];
};

static void on_granted(void *arg, const struct nlm_lock_desc *l, void *cookie)
{
	struct events *e = arg;

	cr_assert_lt(e->ngranted, MAX_EVENTS);
	e->granted_lock[e->ngranted] = *l;
	cr_assert_leq(l->fh.len, sizeof(e->granted_fh[0]));
	if (l->fh.len)
		memcpy(e->granted_fh[e->ngranted], l->fh.data, l->fh.len);
	e->granted_lock[e->ngranted].fh.data = e->granted_fh[e->ngranted];
	e->granted_lock[e->ngranted].owner.oh.data = NULL; /* not kept past the call */
	e->granted[e->ngranted++] = (uintptr_t)cookie;
}

static void on_dropped(void *arg, void *cookie)
{
	struct events *e = arg;

	cr_assert_lt(e->ndropped, MAX_EVENTS);
	e->dropped[e->ndropped++] = (uintptr_t)cookie;
}

static struct events ev;
static struct nlm_core *core;

static void setup(void)
{
	memset(&ev, 0, sizeof(ev));
	core = nlm_core_new(on_granted, on_dropped, &ev);
	cr_assert_not_null(core);
}

static void teardown(void)
{
	nlm_core_free(core);
}

TestSuite(lock_core, .init = setup, .fini = teardown);

/* ---- helpers -------------------------------------------------------------- */

static const struct nlm_netobj FH_A = {"fileA", 5}, FH_B = {"fileB", 5};

static struct nlm_owner owner(uint32_t host, int32_t svid, const char *oh)
{
	return (struct nlm_owner){.host = host, .svid = svid, .oh = {oh, (uint32_t)strlen(oh)}};
}

#define OWN_A owner(1, 100, "host1")
#define OWN_B owner(2, 200, "host2")
#define OWN_C owner(3, 300, "host3")

static struct nlm_lock_args args(struct nlm_netobj fh, struct nlm_owner o, enum nlm_lock_type t, uint64_t off,
				 uint64_t len)
{
	return (struct nlm_lock_args){.fh = fh, .owner = o, .type = t, .offset = off, .len = len};
}

static int lock(struct nlm_owner o, enum nlm_lock_type t, uint64_t off, uint64_t len, bool block, uintptr_t cookie)
{
	struct nlm_lock_args a = args(FH_A, o, t, off, len);

	return nlm_core_lock(core, &a, block, (void *)cookie);
}

static int unlock(struct nlm_owner o, uint64_t off, uint64_t len)
{
	struct nlm_lock_args a = args(FH_A, o, NLM_LOCK_SHARED, off, len);

	return nlm_core_unlock(core, &a);
}

static int test_lock(struct nlm_owner o, enum nlm_lock_type t, uint64_t off, uint64_t len, struct nlm_lock_desc *holder)
{
	struct nlm_lock_args a = args(FH_A, o, t, off, len);

	return nlm_core_test(core, &a, holder);
}

/* The whole state as one string: locks, waiters and shares of every object,
 * objects in handle order so that two snapshots compare. */
struct snap {
	char buf[8192];
	size_t len;
};

static void snap_put(struct snap *s, const char *kind, const struct nlm_netobj *fh, const struct nlm_owner *o,
		     const char *rest)
{
	int n = snprintf(s->buf + s->len, sizeof(s->buf) - s->len, "%s %.*s %u/%d/%.*s %s\n", kind, (int)fh->len,
			 (const char *)fh->data, o->host, o->svid, (int)o->oh.len, (const char *)o->oh.data, rest);
	cr_assert(n > 0 && (size_t)n < sizeof(s->buf) - s->len);
	s->len += (size_t)n;
}

static void range_str(char *out, size_t size, const struct nlm_lock_desc *d)
{
	if (d->end == UINT64_MAX)
		snprintf(out, size, "%c %llu-EOF", d->type == NLM_LOCK_EXCLUSIVE ? 'X' : 'S',
			 (unsigned long long)d->start);
	else
		snprintf(out, size, "%c %llu-%llu", d->type == NLM_LOCK_EXCLUSIVE ? 'X' : 'S',
			 (unsigned long long)d->start, (unsigned long long)d->end);
}

static int snap_lock(void *arg, const struct nlm_lock_desc *d)
{
	char r[64];

	range_str(r, sizeof(r), d);
	snap_put(arg, "lock", &d->fh, &d->owner, r);
	return 0;
}

static int snap_waiter(void *arg, const struct nlm_lock_desc *d)
{
	char r[64];

	range_str(r, sizeof(r), d);
	snap_put(arg, "wait", &d->fh, &d->owner, r);
	return 0;
}

static int snap_share(void *arg, const struct nlm_share_desc *d)
{
	char r[32];

	snprintf(r, sizeof(r), "access %u deny %u", d->access, d->deny);
	snap_put(arg, "share", &d->fh, &d->owner, r);
	return 0;
}

static const char *snapshot_of(const struct nlm_netobj *fhs, int nfh)
{
	static struct snap s;

	s.len = 0;
	s.buf[0] = 0;
	for (int i = 0; i < nfh; i++) {
		nlm_core_for_each_lock(core, &fhs[i], snap_lock, &s);
		nlm_core_for_each_waiter(core, &fhs[i], snap_waiter, &s);
		nlm_core_for_each_share(core, &fhs[i], snap_share, &s);
	}
	return s.buf;
}

static const char *snapshot(void)
{
	const struct nlm_netobj fhs[] = {FH_A, FH_B};

	return snapshot_of(fhs, 2);
}

/* ---- ranges --------------------------------------------------------------- */

Test(lock_core, nlm4_ranges)
{
	uint64_t s, e, off, len;

	cr_assert_eq(nlm_range_from_nlm4(10, 0, &s, &e), 0);
	cr_assert(s == 10 && e == UINT64_MAX);
	cr_assert_eq(nlm_range_from_nlm4(10, 5, &s, &e), 0);
	cr_assert(s == 10 && e == 14);
	cr_assert_eq(nlm_range_from_nlm4(UINT64_MAX, 1, &s, &e), 0);
	cr_assert(s == UINT64_MAX && e == UINT64_MAX);
	cr_assert_eq(nlm_range_from_nlm4(0, UINT64_MAX, &s, &e), 0);
	cr_assert(s == 0 && e == UINT64_MAX - 1);
	cr_assert_eq(nlm_range_from_nlm4(UINT64_MAX, 2, &s, &e), -EOVERFLOW);
	cr_assert_eq(nlm_range_from_nlm4(2, UINT64_MAX, &s, &e), -EOVERFLOW);
	cr_assert_eq(nlm_range_from_nlm4(1, UINT64_MAX, &s, &e), 0);
	cr_assert(s == 1 && e == UINT64_MAX);

	nlm_range_to_nlm4(10, UINT64_MAX, &off, &len);
	cr_assert(off == 10 && len == 0);
	nlm_range_to_nlm4(10, 14, &off, &len);
	cr_assert(off == 10 && len == 5);
}

Test(lock_core, bad_arguments_are_refused_and_change_nothing)
{
	char big[NLM_NETOBJ_MAX + 1];
	struct nlm_lock_args a = args(FH_A, OWN_A, NLM_LOCK_EXCLUSIVE, 0, 10);

	memset(big, 'x', sizeof(big));
	a.fh = (struct nlm_netobj){big, sizeof(big)};
	cr_assert_eq(nlm_core_lock(core, &a, false, NULL), -EINVAL);
	cr_assert_eq(nlm_core_test(core, &a, NULL), -EINVAL);
	cr_assert_eq(nlm_core_unlock(core, &a), -EINVAL);
	a = args(FH_A, OWN_A, NLM_LOCK_EXCLUSIVE, 0, 10);
	a.owner.oh = (struct nlm_netobj){big, sizeof(big)};
	cr_assert_eq(nlm_core_lock(core, &a, false, NULL), -EINVAL);
	a = args(FH_A, OWN_A, (enum nlm_lock_type)3, 0, 10);
	cr_assert_eq(nlm_core_lock(core, &a, false, NULL), -EINVAL);
	a = args(FH_A, OWN_A, NLM_LOCK_EXCLUSIVE, UINT64_MAX, 2);
	cr_assert_eq(nlm_core_lock(core, &a, false, NULL), -EOVERFLOW);
	cr_assert_eq(nlm_core_cancel(core, &a), -EOVERFLOW);
	struct nlm_owner o = OWN_A;
	cr_assert_eq(nlm_core_share(core, &FH_A, &o, 4, 0), -EINVAL);
	cr_assert_eq(nlm_core_share(core, &FH_A, &o, 1, 8), -EINVAL);
	cr_assert_eq(nlm_core_objects(core), 0);
	cr_assert_str_empty(snapshot());
}

/* ---- POSIX rules ----------------------------------------------------------- */

Test(lock_core, shared_locks_coexist_exclusive_conflicts)
{
	struct nlm_lock_desc h;

	cr_assert_eq(lock(OWN_A, NLM_LOCK_SHARED, 0, 100, false, 0), 0);
	cr_assert_eq(lock(OWN_B, NLM_LOCK_SHARED, 50, 100, false, 0), 0);
	cr_assert_eq(lock(OWN_C, NLM_LOCK_EXCLUSIVE, 120, 10, false, 0), -EAGAIN);
	cr_assert_eq(lock(OWN_C, NLM_LOCK_EXCLUSIVE, 150, 10, false, 0), 0);
	cr_assert_eq(test_lock(OWN_C, NLM_LOCK_SHARED, 0, 0, &h), 0, "shared over shared, own exclusive ignored");
	cr_assert_eq(test_lock(OWN_C, NLM_LOCK_EXCLUSIVE, 60, 1, &h), -EAGAIN);
	cr_assert_eq(h.owner.host, 1, "the holder of lowest start is A");
	cr_assert(h.start == 0 && h.end == 99 && h.type == NLM_LOCK_SHARED);
	cr_assert_eq(test_lock(OWN_A, NLM_LOCK_SHARED, 150, 1, &h), -EAGAIN);
	cr_assert(h.owner.host == 3 && h.type == NLM_LOCK_EXCLUSIVE && h.start == 150 && h.end == 159);
	cr_assert_eq(test_lock(OWN_A, NLM_LOCK_EXCLUSIVE, 160, 0, NULL), 0, "bytes past C's lock are free");
}

Test(lock_core, owners_differ_by_host_svid_or_handle)
{
	cr_assert_eq(lock(owner(1, 1, "p"), NLM_LOCK_EXCLUSIVE, 0, 10, false, 0), 0);
	cr_assert_eq(lock(owner(1, 1, "p"), NLM_LOCK_EXCLUSIVE, 0, 10, false, 0), 0, "the same owner again");
	cr_assert_eq(lock(owner(2, 1, "p"), NLM_LOCK_EXCLUSIVE, 0, 10, false, 0), -EAGAIN);
	cr_assert_eq(lock(owner(1, 2, "p"), NLM_LOCK_EXCLUSIVE, 0, 10, false, 0), -EAGAIN);
	cr_assert_eq(lock(owner(1, 1, "q"), NLM_LOCK_EXCLUSIVE, 0, 10, false, 0), -EAGAIN);
	cr_assert_eq(lock(owner(1, 1, ""), NLM_LOCK_EXCLUSIVE, 0, 10, false, 0), -EAGAIN);
}

Test(lock_core, unlock_inside_a_lock_splits_it)
{
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 0, 100, false, 0), 0);
	cr_assert_eq(unlock(OWN_A, 40, 20), 0);
	cr_assert_str_eq(snapshot(), "lock fileA 1/100/host1 X 0-39\n"
				     "lock fileA 1/100/host1 X 60-99\n");
	cr_assert_eq(lock(OWN_B, NLM_LOCK_EXCLUSIVE, 40, 20, false, 0), 0, "the hole is free");
	cr_assert_eq(unlock(OWN_A, 0, 0), 0);
	cr_assert_eq(unlock(OWN_B, 0, 0), 0);
	cr_assert_str_empty(snapshot());
	cr_assert_eq(nlm_core_objects(core), 0, "an object with nothing on it is forgotten");
}

Test(lock_core, touching_locks_of_one_type_merge_others_do_not)
{
	cr_assert_eq(lock(OWN_A, NLM_LOCK_SHARED, 0, 10, false, 0), 0);
	cr_assert_eq(lock(OWN_A, NLM_LOCK_SHARED, 20, 10, false, 0), 0);
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 30, 10, false, 0), 0);
	cr_assert_eq(lock(OWN_B, NLM_LOCK_SHARED, 10, 10, false, 0), 0);
	cr_assert_str_eq(snapshot(), "lock fileA 1/100/host1 S 0-9\n"
				     "lock fileA 2/200/host2 S 10-19\n"
				     "lock fileA 1/100/host1 S 20-29\n"
				     "lock fileA 1/100/host1 X 30-39\n");
	cr_assert_eq(lock(OWN_A, NLM_LOCK_SHARED, 10, 10, false, 0), 0, "fills the gap: one lock 0-29");
	cr_assert_str_eq(snapshot(), "lock fileA 1/100/host1 S 0-29\n"
				     "lock fileA 2/200/host2 S 10-19\n"
				     "lock fileA 1/100/host1 X 30-39\n");
	cr_assert_eq(lock(OWN_A, NLM_LOCK_SHARED, 35, 0, false, 0), 0, "downgrades 35-39, merges to EOF");
	cr_assert_str_eq(snapshot(), "lock fileA 1/100/host1 S 0-29\n"
				     "lock fileA 2/200/host2 S 10-19\n"
				     "lock fileA 1/100/host1 X 30-34\n"
				     "lock fileA 1/100/host1 S 35-EOF\n");
}

Test(lock_core, upgrade_and_downgrade_in_the_middle)
{
	cr_assert_eq(lock(OWN_A, NLM_LOCK_SHARED, 0, 100, false, 0), 0);
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 20, 10, false, 0), 0);
	cr_assert_str_eq(snapshot(), "lock fileA 1/100/host1 S 0-19\n"
				     "lock fileA 1/100/host1 X 20-29\n"
				     "lock fileA 1/100/host1 S 30-99\n");
	cr_assert_eq(lock(OWN_A, NLM_LOCK_SHARED, 20, 10, false, 0), 0);
	cr_assert_str_eq(snapshot(), "lock fileA 1/100/host1 S 0-99\n");
	/* An upgrade another owner's shared lock stands in the way of. */
	cr_assert_eq(lock(OWN_B, NLM_LOCK_SHARED, 50, 1, false, 0), 0);
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 0, 100, false, 0), -EAGAIN);
	cr_assert_str_eq(snapshot(),
			 "lock fileA 1/100/host1 S 0-99\n"
			 "lock fileA 2/200/host2 S 50-50\n",
			 "a refused upgrade keeps the shared lock");
}

Test(lock_core, ranges_at_the_top_of_64_bits)
{
	struct nlm_lock_desc h;

	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, UINT64_MAX - 1, 2, false, 0), 0);
	cr_assert_eq(test_lock(OWN_B, NLM_LOCK_SHARED, UINT64_MAX, 1, &h), -EAGAIN);
	cr_assert(h.start == UINT64_MAX - 1 && h.end == UINT64_MAX);
	cr_assert_eq(test_lock(OWN_B, NLM_LOCK_SHARED, 0, UINT64_MAX - 1, NULL), 0, "ends just below the lock");
	cr_assert_eq(test_lock(OWN_B, NLM_LOCK_SHARED, 0, UINT64_MAX, NULL), -EAGAIN, "reaches its first byte");
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 0x100000000ULL, UINT64_MAX - 0x100000001ULL, false, 0), 0,
		     "64-bit offset, merges with the top lock");
	cr_assert_str_eq(snapshot(), "lock fileA 1/100/host1 X 4294967296-EOF\n");
	cr_assert_eq(unlock(OWN_A, UINT64_MAX, 1), 0);
	cr_assert_str_eq(snapshot(), "lock fileA 1/100/host1 X 4294967296-18446744073709551614\n");
	cr_assert_eq(lock(OWN_B, NLM_LOCK_EXCLUSIVE, UINT64_MAX, 0, false, 0), 0, "the last byte alone");
}

Test(lock_core, release_owner_and_release_host)
{
	struct nlm_owner a1 = owner(1, 1, "a"), a2 = owner(1, 2, "a"), b = OWN_B;

	cr_assert_eq(lock(a1, NLM_LOCK_SHARED, 0, 10, false, 0), 0);
	cr_assert_eq(lock(a2, NLM_LOCK_SHARED, 0, 10, false, 0), 0);
	struct nlm_lock_args onb = args(FH_B, a1, NLM_LOCK_EXCLUSIVE, 0, 0);
	cr_assert_eq(nlm_core_lock(core, &onb, false, NULL), 0);
	cr_assert_eq(lock(b, NLM_LOCK_EXCLUSIVE, 5, 1, true, 7), -EINPROGRESS);
	cr_assert_eq(nlm_core_share(core, &FH_A, &a1, NLM_SHARE_READ, 0), 0);
	cr_assert_eq(nlm_core_release_owner(core, &FH_A, &a1), 0);
	cr_assert_eq(ev.ngranted, 0, "a2 still holds byte 5");
	cr_assert_str_eq(snapshot(), "lock fileA 1/2/a S 0-9\n"
				     "wait fileA 2/200/host2 X 5-5\n"
				     "lock fileB 1/1/a X 0-EOF\n");
	nlm_core_release_host(core, 1);
	cr_assert_eq(ev.ngranted, 1);
	cr_assert_eq(ev.granted[0], 7);
	cr_assert_str_eq(snapshot(), "lock fileA 2/200/host2 X 5-5\n");
	cr_assert_eq(nlm_core_objects(core), 1);
}

/* ---- waiters -------------------------------------------------------------- */

Test(lock_core, waiters_are_granted_oldest_first)
{
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 0, 100, false, 0), 0);
	cr_assert_eq(lock(OWN_B, NLM_LOCK_EXCLUSIVE, 10, 10, true, 1), -EINPROGRESS);
	cr_assert_eq(lock(OWN_C, NLM_LOCK_EXCLUSIVE, 0, 50, true, 2), -EINPROGRESS);
	cr_assert_eq(lock(OWN_B, NLM_LOCK_EXCLUSIVE, 10, 10, true, 3), -EALREADY, "a retransmission");
	cr_assert_eq(lock(OWN_B, NLM_LOCK_SHARED, 10, 10, false, 0), -EAGAIN, "not blocking: not queued");
	cr_assert_eq(unlock(OWN_A, 0, 0), 0);
	cr_assert_eq(ev.ngranted, 1);
	cr_assert_eq(ev.granted[0], 1);
	cr_assert(ev.granted_lock[0].start == 10 && ev.granted_lock[0].end == 19);
	cr_assert(ev.granted_lock[0].owner.host == 2 && ev.granted_lock[0].type == NLM_LOCK_EXCLUSIVE);
	cr_assert_eq(unlock(OWN_B, 10, 10), 0);
	cr_assert_eq(ev.ngranted, 2);
	cr_assert_eq(ev.granted[1], 2);
	cr_assert_eq(ev.ndropped, 0);
}

Test(lock_core, a_waiter_for_free_bytes_is_not_held_back_by_an_older_one)
{
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 0, 10, false, 0), 0);
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 50, 10, false, 0), 0);
	cr_assert_eq(lock(OWN_B, NLM_LOCK_EXCLUSIVE, 0, 10, true, 1), -EINPROGRESS);
	cr_assert_eq(lock(OWN_C, NLM_LOCK_EXCLUSIVE, 50, 10, true, 2), -EINPROGRESS);
	cr_assert_eq(unlock(OWN_A, 50, 10), 0);
	cr_assert_eq(ev.ngranted, 1);
	cr_assert_eq(ev.granted[0], 2);
}

Test(lock_core, several_shared_waiters_are_granted_together)
{
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 0, 0, false, 0), 0);
	cr_assert_eq(lock(OWN_B, NLM_LOCK_SHARED, 0, 10, true, 1), -EINPROGRESS);
	cr_assert_eq(lock(OWN_C, NLM_LOCK_SHARED, 5, 10, true, 2), -EINPROGRESS);
	cr_assert_eq(lock(owner(4, 1, "d"), NLM_LOCK_EXCLUSIVE, 0, 1, true, 3), -EINPROGRESS);
	cr_assert_eq(unlock(OWN_A, 0, 0), 0);
	cr_assert_eq(ev.ngranted, 2);
	cr_assert(ev.granted[0] == 1 && ev.granted[1] == 2);
	cr_assert_str_eq(snapshot(), "lock fileA 2/200/host2 S 0-9\n"
				     "lock fileA 3/300/host3 S 5-14\n"
				     "wait fileA 4/1/d X 0-0\n");
}

Test(lock_core, a_downgrade_grants_waiters)
{
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 0, 100, false, 0), 0);
	cr_assert_eq(lock(OWN_B, NLM_LOCK_SHARED, 50, 10, true, 9), -EINPROGRESS);
	cr_assert_eq(lock(OWN_A, NLM_LOCK_SHARED, 0, 100, false, 0), 0);
	cr_assert_eq(ev.ngranted, 1);
	cr_assert_eq(ev.granted[0], 9);
}

Test(lock_core, cancel_drops_exactly_one_waiter)
{
	struct nlm_lock_args w = args(FH_A, OWN_B, NLM_LOCK_EXCLUSIVE, 0, 10);

	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 0, 100, false, 0), 0);
	cr_assert_eq(nlm_core_lock(core, &w, true, (void *)5), -EINPROGRESS);
	w.type = NLM_LOCK_SHARED;
	cr_assert_eq(nlm_core_cancel(core, &w), -ENOENT, "another type is another waiter");
	w.type = NLM_LOCK_EXCLUSIVE;
	w.len = 11;
	cr_assert_eq(nlm_core_cancel(core, &w), -ENOENT, "another range too");
	w.len = 10;
	cr_assert_eq(nlm_core_cancel(core, &w), 0);
	cr_assert_eq(ev.ndropped, 1);
	cr_assert_eq(ev.dropped[0], 5);
	cr_assert_eq(nlm_core_cancel(core, &w), -ENOENT);
	cr_assert_eq(unlock(OWN_A, 0, 0), 0);
	cr_assert_eq(ev.ngranted, 0);
	cr_assert_eq(nlm_core_objects(core), 0);
}

Test(lock_core, freeing_the_core_drops_every_waiter)
{
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 0, 100, false, 0), 0);
	cr_assert_eq(lock(OWN_B, NLM_LOCK_EXCLUSIVE, 0, 10, true, 11), -EINPROGRESS);
	cr_assert_eq(lock(OWN_C, NLM_LOCK_EXCLUSIVE, 0, 10, true, 12), -EINPROGRESS);
	nlm_core_free(core);
	core = NULL;
	cr_assert_eq(ev.ndropped, 2);
	cr_assert(ev.dropped[0] + ev.dropped[1] == 23);
	cr_assert_eq(ev.ngranted, 0);
}

/* ---- deadlocks ------------------------------------------------------------ */

Test(lock_core, two_owner_deadlock_is_refused)
{
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 0, 10, false, 0), 0);
	cr_assert_eq(lock(OWN_B, NLM_LOCK_EXCLUSIVE, 10, 10, false, 0), 0);
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 10, 10, true, 1), -EINPROGRESS);
	cr_assert_eq(lock(OWN_B, NLM_LOCK_EXCLUSIVE, 0, 10, true, 2), -EDEADLK);
	cr_assert_eq(lock(OWN_B, NLM_LOCK_SHARED, 0, 1, true, 3), -EDEADLK, "a shared request too");
	cr_assert_eq(lock(OWN_B, NLM_LOCK_EXCLUSIVE, 0, 10, false, 4), -EAGAIN, "not blocking: just a conflict");
	cr_assert_eq(lock(OWN_C, NLM_LOCK_EXCLUSIVE, 0, 10, true, 5), -EINPROGRESS, "a third owner just waits");
	cr_assert_str_eq(snapshot(), "lock fileA 1/100/host1 X 0-9\n"
				     "lock fileA 2/200/host2 X 10-19\n"
				     "wait fileA 1/100/host1 X 10-19\n"
				     "wait fileA 3/300/host3 X 0-9\n");
}

Test(lock_core, deadlock_across_objects)
{
	struct nlm_lock_args b_on_b = args(FH_B, OWN_B, NLM_LOCK_EXCLUSIVE, 0, 0);
	struct nlm_lock_args a_on_b = args(FH_B, OWN_A, NLM_LOCK_EXCLUSIVE, 0, 0);

	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 0, 0, false, 0), 0);
	cr_assert_eq(nlm_core_lock(core, &b_on_b, false, NULL), 0);
	cr_assert_eq(nlm_core_lock(core, &a_on_b, true, (void *)1), -EINPROGRESS);
	cr_assert_eq(lock(OWN_B, NLM_LOCK_SHARED, 100, 1, true, 2), -EDEADLK);
}

/* Owners 0..n-1: owner i holds byte i and waits for byte i+1; the last asks
 * for byte 0. */
static int chain(int n)
{
	for (int i = 0; i < n; i++)
		cr_assert_eq(lock(owner(10 + (uint32_t)i, 1, "o"), NLM_LOCK_EXCLUSIVE, (uint64_t)i, 1, false, 0), 0);
	for (int i = 0; i < n - 1; i++)
		cr_assert_eq(lock(owner(10 + (uint32_t)i, 1, "o"), NLM_LOCK_EXCLUSIVE, (uint64_t)i + 1, 1, true,
				  (uintptr_t)i + 1),
			     -EINPROGRESS);
	return lock(owner(10 + (uint32_t)n - 1, 1, "o"), NLM_LOCK_EXCLUSIVE, 0, 1, true, 100);
}

Test(lock_core, cycles_up_to_the_walk_limit_are_found)
{
	cr_assert_eq(chain(NLM_DEADLOCK_MAX_STEPS + 1), -EDEADLK);
}

Test(lock_core, a_longer_cycle_is_queued_and_does_not_trap_the_walk)
{
	cr_assert_eq(chain(NLM_DEADLOCK_MAX_STEPS + 2), -EINPROGRESS);
	/* A newcomer's walk runs around that cycle, which does not pass
	 * through it, and gives up after the limit: it just waits. */
	cr_assert_eq(lock(OWN_A, NLM_LOCK_EXCLUSIVE, 5, 1, true, 200), -EINPROGRESS);
	/* Releasing the first owner's host frees byte 0 for the last owner,
	 * and drops the first owner's own wait. */
	nlm_core_release_host(core, 10);
	cr_assert_eq(ev.ngranted, 1);
	cr_assert_eq(ev.granted[0], 100);
	cr_assert_eq(ev.ndropped, 1);
	cr_assert_eq(ev.dropped[0], 1);
}

/* ---- shares --------------------------------------------------------------- */

Test(lock_core, share_reservations)
{
	struct nlm_owner a = owner(1, 0, "a"), b = owner(2, 0, "b");

	cr_assert_eq(nlm_core_share(core, &FH_A, &a, NLM_SHARE_READ, NLM_SHARE_WRITE), 0);
	cr_assert_eq(nlm_core_share(core, &FH_A, &b, NLM_SHARE_READ, 0), 0, "reading is not denied");
	cr_assert_eq(nlm_core_share(core, &FH_A, &b, NLM_SHARE_READ | NLM_SHARE_WRITE, 0), -EAGAIN,
		     "writing is denied");
	cr_assert_eq(nlm_core_share(core, &FH_A, &b, NLM_SHARE_READ, NLM_SHARE_READ), -EAGAIN, "a deny of what a has");
	cr_assert_str_eq(snapshot_of(&FH_A, 1),
			 "share fileA 2/0/b access 1 deny 0\n"
			 "share fileA 1/0/a access 1 deny 2\n",
			 "a refused change keeps the old modes");
	cr_assert_eq(lock(b, NLM_LOCK_EXCLUSIVE, 0, 0, false, 0), 0, "shares do not touch byte-range locks");
	cr_assert_eq(nlm_core_share(core, &FH_A, &a, NLM_SHARE_READ | NLM_SHARE_WRITE, 0), 0, "a changes its own");
	cr_assert_eq(nlm_core_unshare(core, &FH_A, &a), 0);
	cr_assert_eq(nlm_core_unshare(core, &FH_A, &a), 0, "unsharing nothing succeeds");
	cr_assert_eq(nlm_core_share(core, &FH_A, &b, NLM_SHARE_WRITE, NLM_SHARE_READ | NLM_SHARE_WRITE), 0);
	cr_assert_eq(nlm_core_unshare(core, &FH_A, &b), 0);
	cr_assert_eq(unlock(b, 0, 0), 0);
	cr_assert_eq(nlm_core_objects(core), 0);
}

/* ---- memory --------------------------------------------------------------- */

/* Runs @op with 0, 1, 2... allocations allowed until it passes; every
 * failure must be -ENOMEM with nothing changed and no callback made. */
static void until_it_passes(const char *what, int (*op)(void), int want)
{
	char before[8192];

	strcpy(before, snapshot());
	for (long n = 0;; n++) {
		int g = ev.ngranted, d = ev.ndropped;

		nlm_core_fail_allocs_after(core, n);
		int r = op();
		nlm_core_fail_allocs_after(core, -1);
		if (r != -ENOMEM) {
			cr_assert_eq(r, want, "%s with %ld allocations: %d", what, n, r);
			return;
		}
		cr_assert_str_eq(snapshot(), before, "%s failed with %ld allocations and changed the state", what, n);
		cr_assert(ev.ngranted == g && ev.ndropped == d);
		cr_assert_lt(n, 10, "%s never passes", what);
	}
}

static int op_first_lock(void)
{
	return lock(OWN_A, NLM_LOCK_EXCLUSIVE, 0, 100, false, 0);
}
static int op_split_unlock(void)
{
	return unlock(OWN_A, 40, 20);
}
static int op_upgrade_split(void)
{
	return lock(OWN_A, NLM_LOCK_SHARED, 10, 5, false, 0);
}
static int op_wait(void)
{
	return lock(OWN_B, NLM_LOCK_EXCLUSIVE, 0, 10, true, 1);
}
static int op_share(void)
{
	struct nlm_owner b = OWN_B;
	return nlm_core_share(core, &FH_B, &b, NLM_SHARE_READ, 0);
}

Test(lock_core, out_of_memory_changes_nothing)
{
	until_it_passes("a first lock", op_first_lock, 0);
	until_it_passes("an unlock that splits", op_split_unlock, 0);
	until_it_passes("a downgrade that splits", op_upgrade_split, 0);
	until_it_passes("a queued wait", op_wait, -EINPROGRESS);
	until_it_passes("a share on a new object", op_share, 0);
	cr_assert_str_eq(snapshot(), "lock fileA 1/100/host1 X 0-9\n"
				     "lock fileA 1/100/host1 S 10-14\n"
				     "lock fileA 1/100/host1 X 15-39\n"
				     "lock fileA 1/100/host1 X 60-99\n"
				     "wait fileA 2/200/host2 X 0-9\n"
				     "share fileB 2/200/host2 access 1 deny 0\n");
}

Test(lock_core, many_objects_grow_the_table)
{
	char names[1000][16];

	for (int i = 0; i < 1000; i++) {
		snprintf(names[i], sizeof(names[i]), "f%d", i);
		struct nlm_lock_args a =
		    args((struct nlm_netobj){names[i], (uint32_t)strlen(names[i])}, OWN_A, NLM_LOCK_EXCLUSIVE, 0, 0);
		cr_assert_eq(nlm_core_lock(core, &a, false, NULL), 0);
	}
	cr_assert_eq(nlm_core_objects(core), 1000);
	for (int i = 0; i < 1000; i++) {
		struct nlm_lock_args a =
		    args((struct nlm_netobj){names[i], (uint32_t)strlen(names[i])}, OWN_B, NLM_LOCK_SHARED, 5, 1);
		cr_assert_eq(nlm_core_test(core, &a, NULL), -EAGAIN, "object %d", i);
	}
	nlm_core_release_host(core, 1);
	cr_assert_eq(nlm_core_objects(core), 0);
}

/* ---- the reference model -------------------------------------------------- */

/*
 * Bytes 0..CELLS-2 are themselves; cell CELLS-1 stands for every byte from
 * CELLS-1 to the end of the file (every generated range starts below it, so
 * no range has an edge inside it). The model keeps, per object, byte and
 * owner, nothing, S or X; waiters in one list in arrival order; shares per
 * object and owner. Its rules are written from POSIX and lock_core.h, not
 * from lock_core.c.
 */
#define CELLS 13
#define NOWN  4
#define NOBJ  2
#define MAXW  256

static const struct nlm_netobj model_fh[NOBJ] = {{"A", 1}, {"", 0}};

static struct nlm_owner model_owner(int i)
{
	/* Owners 2 and 3 differ only in the owner handle; 0 and 1 share a host. */
	static const struct {
		uint32_t host;
		int32_t svid;
		const char *oh;
	} o[NOWN] = {{1, 1, "p1"}, {1, 2, "p2"}, {2, 7, "x"}, {2, 7, "y"}};
	return owner(o[i].host, o[i].svid, o[i].oh);
}

struct mwaiter {
	int obj, own, type; /* type 1 S, 2 X */
	int s, e;	    /* cells */
	uintptr_t cookie;
};

struct model {
	unsigned char cell[NOBJ][CELLS][NOWN]; /* 0, 1 S, 2 X */
	struct mwaiter w[MAXW];
	int nw;
	unsigned share_acc[NOBJ][NOWN], share_deny[NOBJ][NOWN];
	bool has_share[NOBJ][NOWN];
};

static bool m_conflicts(const struct model *m, int obj, int own, int type, int s, int e)
{
	for (int c = s; c <= e; c++)
		for (int o = 0; o < NOWN; o++)
			if (o != own && m->cell[obj][c][o] && (type == 2 || m->cell[obj][c][o] == 2))
				return true;
	return false;
}

static void m_set(struct model *m, int obj, int own, int type, int s, int e)
{
	for (int c = s; c <= e; c++)
		m->cell[obj][c][own] = (unsigned char)type;
}

/* Expected grants, appended to @out. */
static void m_grant(struct model *m, int obj, uintptr_t *out, int *nout)
{
again:
	for (int i = 0; i < m->nw; i++) {
		struct mwaiter w = m->w[i];

		if (w.obj != obj || m_conflicts(m, obj, w.own, w.type, w.s, w.e))
			continue;
		m_set(m, obj, w.own, w.type, w.s, w.e);
		memmove(&m->w[i], &m->w[i + 1], (size_t)(m->nw - i - 1) * sizeof(m->w[0]));
		m->nw--;
		out[(*nout)++] = w.cookie;
		goto again;
	}
}

/* Does some owner in @from reach @target through "has a waiter blocked by"? */
static bool m_reaches(const struct model *m, unsigned from, int target)
{
	unsigned seen = from, frontier = from;

	while (frontier) {
		unsigned next = 0;

		for (int o = 0; o < NOWN; o++) {
			if (!(frontier & (1u << o)))
				continue;
			if (o == target)
				return true;
			for (int i = 0; i < m->nw; i++) {
				const struct mwaiter *w = &m->w[i];
				if (w->own != o)
					continue;
				for (int c = w->s; c <= w->e; c++)
					for (int h = 0; h < NOWN; h++)
						if (h != o && m->cell[w->obj][c][h] &&
						    (w->type == 2 || m->cell[w->obj][c][h] == 2))
							next |= 1u << h;
			}
		}
		frontier = next & ~seen;
		seen |= next;
	}
	return false;
}

static unsigned m_blockers(const struct model *m, int obj, int own, int type, int s, int e)
{
	unsigned b = 0;

	for (int c = s; c <= e; c++)
		for (int h = 0; h < NOWN; h++)
			if (h != own && m->cell[obj][c][h] && (type == 2 || m->cell[obj][c][h] == 2))
				b |= 1u << h;
	return b;
}

/* Is the wait graph single-valued (each owner's one waiter blocked by one
 * owner), so that the core's walk along oldest waits sees all of it? */
static bool m_simple_graph(const struct model *m, unsigned requester_blockers)
{
	if (__builtin_popcount(requester_blockers) != 1)
		return false;
	for (int i = 0; i < m->nw; i++) {
		for (int j = 0; j < m->nw; j++)
			if (j != i && m->w[j].own == m->w[i].own)
				return false;
		const struct mwaiter *w = &m->w[i];
		if (__builtin_popcount(m_blockers(m, w->obj, w->own, w->type, w->s, w->e)) != 1)
			return false;
	}
	return true;
}

static uint64_t cell_start(int c)
{
	return (uint64_t)c;
}

static uint64_t cell_end(int c)
{
	return c == CELLS - 1 ? UINT64_MAX : (uint64_t)c;
}

/* The model's locks as the core lists them: per owner and type, maximal
 * runs; sorted by start as the core keeps them (ties: compared as sets). */
static void m_expect_locks(const struct model *m, int obj, char *out, size_t size)
{
	struct {
		uint64_t s;
		char line[96];
	} runs[CELLS * NOWN];
	int n = 0;

	for (int o = 0; o < NOWN; o++)
		for (int c = 0; c < CELLS;) {
			int t = m->cell[obj][c][o];
			if (!t) {
				c++;
				continue;
			}
			int e = c;
			while (e + 1 < CELLS && m->cell[obj][e + 1][o] == t)
				e++;
			struct nlm_lock_desc d = {
			    .type = (enum nlm_lock_type)t, .start = cell_start(c), .end = cell_end(e)};
			struct nlm_owner ow = model_owner(o);
			char r[64];
			range_str(r, sizeof(r), &d);
			runs[n].s = d.start;
			snprintf(runs[n].line, sizeof(runs[n].line), "%u/%d/%.*s %s", ow.host, ow.svid, (int)ow.oh.len,
				 (const char *)ow.oh.data, r);
			n++;
			c = e + 1;
		}
	/* Sort by start, then by text, for a canonical order. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && (runs[j - 1].s > runs[j].s ||
					  (runs[j - 1].s == runs[j].s && strcmp(runs[j - 1].line, runs[j].line) > 0));
		     j--) {
			__typeof__(runs[0]) t = runs[j];
			runs[j] = runs[j - 1];
			runs[j - 1] = t;
		}
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		strncat(out, runs[i].line, size - strlen(out) - 2);
		strcat(out, "\n");
	}
}

struct lines {
	int n;
	uint64_t s[CELLS * NOWN * 2];
	char line[CELLS * NOWN * 2][96];
};

static int collect_lock(void *arg, const struct nlm_lock_desc *d)
{
	struct lines *l = arg;
	char r[64];

	cr_assert_lt(l->n, CELLS * NOWN * 2);
	range_str(r, sizeof(r), d);
	l->s[l->n] = d->start;
	snprintf(l->line[l->n], sizeof(l->line[0]), "%u/%d/%.*s %s", d->owner.host, d->owner.svid, (int)d->owner.oh.len,
		 (const char *)d->owner.oh.data, r);
	l->n++;
	return 0;
}

static void core_locks(int obj, char *out, size_t size)
{
	struct lines l = {0};

	nlm_core_for_each_lock(core, &model_fh[obj], collect_lock, &l);
	for (int i = 1; i < l.n; i++)
		cr_assert_geq(l.s[i], l.s[i - 1], "the core's locks are kept by start");
	for (int i = 1; i < l.n; i++)
		for (int j = i; j > 0 && l.s[j - 1] == l.s[j] && strcmp(l.line[j - 1], l.line[j]) > 0; j--) {
			char t[96];
			memcpy(t, l.line[j], sizeof(t));
			memcpy(l.line[j], l.line[j - 1], sizeof(t));
			memcpy(l.line[j - 1], t, sizeof(t));
		}
	out[0] = 0;
	for (int i = 0; i < l.n; i++) {
		strncat(out, l.line[i], size - strlen(out) - 2);
		strcat(out, "\n");
	}
}

struct wlist {
	int n;
	struct nlm_lock_desc d[MAXW];
};

static int collect_waiter(void *arg, const struct nlm_lock_desc *d)
{
	struct wlist *w = arg;

	cr_assert_lt(w->n, MAXW);
	w->d[w->n++] = *d;
	return 0;
}

struct slist {
	int n;
	struct nlm_share_desc d[NOWN];
};

static int collect_share(void *arg, const struct nlm_share_desc *d)
{
	struct slist *l = arg;

	cr_assert_lt(l->n, NOWN);
	l->d[l->n++] = *d;
	return 0;
}

static int owner_index(const struct nlm_owner *o)
{
	for (int i = 0; i < NOWN; i++) {
		struct nlm_owner m = model_owner(i);
		if (m.host == o->host && m.svid == o->svid && m.oh.len == o->oh.len &&
		    !memcmp(m.oh.data, o->oh.data, m.oh.len))
			return i;
	}
	return -1;
}

static void check_against_model(const struct model *m, unsigned seed, int step)
{
	for (int obj = 0; obj < NOBJ; obj++) {
		char want[4096], got[4096];

		m_expect_locks(m, obj, want, sizeof(want));
		core_locks(obj, got, sizeof(got));
		cr_assert_str_eq(got, want, "seed %u step %d object %d: locks differ", seed, step, obj);

		struct wlist wl = {0};
		int k = 0;
		nlm_core_for_each_waiter(core, &model_fh[obj], collect_waiter, &wl);
		for (int i = 0; i < m->nw; i++) {
			const struct mwaiter *w = &m->w[i];
			if (w->obj != obj)
				continue;
			cr_assert_lt(k, wl.n, "seed %u step %d: a waiter is missing", seed, step);
			cr_assert_eq(owner_index(&wl.d[k].owner), w->own, "seed %u step %d: waiter order", seed, step);
			cr_assert(wl.d[k].type == (enum nlm_lock_type)w->type && wl.d[k].start == cell_start(w->s) &&
				      wl.d[k].end == cell_end(w->e),
				  "seed %u step %d: waiter %d differs", seed, step, k);
			k++;
		}
		cr_assert_eq(k, wl.n, "seed %u step %d: the core has more waiters", seed, step);

		struct slist sl = {0};
		int nshares = 0;
		nlm_core_for_each_share(core, &model_fh[obj], collect_share, &sl);
		for (int o = 0; o < NOWN; o++)
			nshares += m->has_share[obj][o];
		cr_assert_eq(sl.n, nshares, "seed %u step %d: shares", seed, step);
		for (int i = 0; i < sl.n; i++) {
			int o = owner_index(&sl.d[i].owner);
			cr_assert(o >= 0 && m->has_share[obj][o] && sl.d[i].access == m->share_acc[obj][o] &&
				      sl.d[i].deny == m->share_deny[obj][o],
				  "seed %u step %d: share %d differs", seed, step, i);
		}
	}
}

static int cmp_uintptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
	return x < y ? -1 : x > y;
}

/* One random run of @steps operations. */
static int model_run(unsigned seed, int steps)
{
	struct model m;
	uintptr_t next_cookie = 1;
	int edeadlk = 0, queued = 0, granted = 0;

	memset(&m, 0, sizeof(m));
	srandom(seed);
	for (int step = 0; step < steps; step++) {
		int op = (int)(random() % 100), obj = (int)(random() % NOBJ), own = (int)(random() % NOWN);
		int type = 1 + (int)(random() % 2), s = (int)(random() % (CELLS - 1)), e;
		uint64_t len;
		if (random() % 4 == 0) {
			e = CELLS - 1;
			len = 0;
		} else {
			e = s + (int)(random() % (uint64_t)(CELLS - 1 - s));
			len = (uint64_t)(e - s + 1);
		}
		struct nlm_lock_args a = {.fh = model_fh[obj],
					  .owner = model_owner(own),
					  .type = (enum nlm_lock_type)type,
					  .offset = (uint64_t)s,
					  .len = len};
		uintptr_t want_granted[MAXW], want_dropped[MAXW];
		int nwg = 0, nwd = 0, r;
		ev.ngranted = ev.ndropped = 0;

		if (op < 35) { /* LOCK, blocking or not */
			bool block = random() % 2;
			uintptr_t cookie = next_cookie++;
			r = nlm_core_lock(core, &a, block, (void *)cookie);
			if (!m_conflicts(&m, obj, own, type, s, e)) {
				cr_assert_eq(r, 0, "seed %u step %d: a free lock gave %d", seed, step, r);
				m_set(&m, obj, own, type, s, e);
				m_grant(&m, obj, want_granted, &nwg);
			} else if (!block) {
				cr_assert_eq(r, -EAGAIN, "seed %u step %d", seed, step);
			} else {
				bool dup = false;
				for (int i = 0; i < m.nw; i++)
					dup |= m.w[i].obj == obj && m.w[i].own == own && m.w[i].type == type &&
					       m.w[i].s == s && m.w[i].e == e;
				unsigned blockers = m_blockers(&m, obj, own, type, s, e);
				bool cycle = m_reaches(&m, blockers, own);
				if (dup) {
					cr_assert_eq(r, -EALREADY, "seed %u step %d", seed, step);
				} else if (r == -EDEADLK) {
					cr_assert(cycle, "seed %u step %d: EDEADLK without a cycle", seed, step);
					edeadlk++;
				} else {
					cr_assert_eq(r, -EINPROGRESS, "seed %u step %d: %d", seed, step, r);
					cr_assert(!(cycle && m_simple_graph(&m, blockers)),
						  "seed %u step %d: a simple cycle was queued", seed, step);
					cr_assert_lt(m.nw, MAXW);
					m.w[m.nw++] = (struct mwaiter){obj, own, type, s, e, cookie};
					queued++;
				}
			}
		} else if (op < 55) { /* UNLOCK */
			cr_assert_eq(nlm_core_unlock(core, &a), 0);
			m_set(&m, obj, own, 0, s, e);
			m_grant(&m, obj, want_granted, &nwg);
		} else if (op < 65) { /* TEST */
			struct nlm_lock_desc h;
			r = nlm_core_test(core, &a, &h);
			if (!m_conflicts(&m, obj, own, type, s, e)) {
				cr_assert_eq(r, 0, "seed %u step %d", seed, step);
			} else {
				cr_assert_eq(r, -EAGAIN, "seed %u step %d", seed, step);
				int ho = owner_index(&h.owner);
				cr_assert(ho >= 0 && ho != own, "seed %u step %d: holder", seed, step);
				cr_assert(h.type == NLM_LOCK_EXCLUSIVE || type == 2, "seed %u step %d", seed, step);
				/* The holder's lock is a whole run of the model, of
				 * lowest start among the conflicting ones. */
				int hs = (int)h.start;
				cr_assert(h.start < CELLS && m.cell[obj][hs][ho] == (int)h.type);
				cr_assert(hs == 0 || m.cell[obj][hs - 1][ho] != (int)h.type, "seed %u step %d", seed,
					  step);
				for (int c = s; c <= e && c < hs; c++)
					for (int o = 0; o < NOWN; o++) {
						if (o == own || !m.cell[obj][c][o] ||
						    !(type == 2 || m.cell[obj][c][o] == 2))
							continue;
						int rs = c; /* start of that run */
						while (rs > 0 && m.cell[obj][rs - 1][o] == m.cell[obj][c][o])
							rs--;
						cr_assert_geq(rs, hs, "seed %u step %d: a lower conflicting lock", seed,
							      step);
					}
			}
		} else if (op < 78) { /* CANCEL: mostly of an existing waiter */
			int pick = -1;
			if (m.nw && random() % 4) {
				pick = (int)(random() % (unsigned)m.nw);
				const struct mwaiter *w = &m.w[pick];
				a.fh = model_fh[w->obj];
				a.owner = model_owner(w->own);
				a.type = (enum nlm_lock_type)w->type;
				a.offset = cell_start(w->s);
				a.len = w->e == CELLS - 1 ? 0 : (uint64_t)(w->e - w->s + 1);
			} else {
				for (int i = 0; i < m.nw; i++)
					if (m.w[i].obj == obj && m.w[i].own == own && m.w[i].type == type &&
					    m.w[i].s == s && m.w[i].e == e)
						pick = i;
			}
			r = nlm_core_cancel(core, &a);
			if (pick < 0) {
				cr_assert_eq(r, -ENOENT, "seed %u step %d", seed, step);
			} else {
				cr_assert_eq(r, 0, "seed %u step %d", seed, step);
				want_dropped[nwd++] = m.w[pick].cookie;
				memmove(&m.w[pick], &m.w[pick + 1], (size_t)(m.nw - pick - 1) * sizeof(m.w[0]));
				m.nw--;
			}
		} else if (op < 84) { /* release one owner on one object */
			cr_assert_eq(nlm_core_release_owner(core, &a.fh, &a.owner), 0);
			m_set(&m, obj, own, 0, 0, CELLS - 1);
			m.has_share[obj][own] = false;
			for (int i = 0; i < m.nw;)
				if (m.w[i].obj == obj && m.w[i].own == own) {
					want_dropped[nwd++] = m.w[i].cookie;
					memmove(&m.w[i], &m.w[i + 1], (size_t)(m.nw - i - 1) * sizeof(m.w[0]));
					m.nw--;
				} else {
					i++;
				}
			m_grant(&m, obj, want_granted, &nwg);
		} else if (op < 87) { /* release a host: owners 0-1 or 2-3 */
			uint32_t host = model_owner(own).host;
			nlm_core_release_host(core, host);
			for (int o = 0; o < NOWN; o++) {
				if (model_owner(o).host != host)
					continue;
				for (int b = 0; b < NOBJ; b++) {
					m_set(&m, b, o, 0, 0, CELLS - 1);
					m.has_share[b][o] = false;
				}
			}
			for (int i = 0; i < m.nw;)
				if (model_owner(m.w[i].own).host == host) {
					want_dropped[nwd++] = m.w[i].cookie;
					memmove(&m.w[i], &m.w[i + 1], (size_t)(m.nw - i - 1) * sizeof(m.w[0]));
					m.nw--;
				} else {
					i++;
				}
			for (int b = 0; b < NOBJ; b++)
				m_grant(&m, b, want_granted, &nwg);
			/* Across objects the order is the table's: compare as sets. */
			qsort(want_granted, (size_t)nwg, sizeof(uintptr_t), cmp_uintptr);
			qsort(ev.granted, (size_t)ev.ngranted, sizeof(uintptr_t), cmp_uintptr);
			qsort(want_dropped, (size_t)nwd, sizeof(uintptr_t), cmp_uintptr);
			qsort(ev.dropped, (size_t)ev.ndropped, sizeof(uintptr_t), cmp_uintptr);
		} else if (op < 96) { /* SHARE */
			unsigned acc = (unsigned)(random() % 4), deny = (unsigned)(random() % 4);
			bool refused = false;
			for (int o = 0; o < NOWN; o++)
				if (o != own && m.has_share[obj][o] &&
				    ((m.share_deny[obj][o] & acc) || (m.share_acc[obj][o] & deny)))
					refused = true;
			r = nlm_core_share(core, &a.fh, &a.owner, acc, deny);
			cr_assert_eq(r, refused ? -EAGAIN : 0, "seed %u step %d", seed, step);
			if (!refused) {
				m.has_share[obj][own] = true;
				m.share_acc[obj][own] = acc;
				m.share_deny[obj][own] = deny;
			}
		} else { /* UNSHARE */
			cr_assert_eq(nlm_core_unshare(core, &a.fh, &a.owner), 0);
			m.has_share[obj][own] = false;
		}

		granted += nwg;
		cr_assert_eq(ev.ngranted, nwg, "seed %u step %d: %d grants, the model says %d", seed, step, ev.ngranted,
			     nwg);
		for (int i = 0; i < nwg; i++)
			cr_assert_eq(ev.granted[i], want_granted[i], "seed %u step %d: grant %d", seed, step, i);
		cr_assert_eq(ev.ndropped, nwd, "seed %u step %d: drops", seed, step);
		for (int i = 0; i < nwd; i++)
			cr_assert_eq(ev.dropped[i], want_dropped[i], "seed %u step %d: drop %d", seed, step, i);
		check_against_model(&m, seed, step);

		size_t objects = 0;
		for (int b = 0; b < NOBJ; b++) {
			bool any = false;
			for (int c = 0; c < CELLS; c++)
				for (int o = 0; o < NOWN; o++)
					any |= m.cell[b][c][o] != 0 || m.has_share[b][o];
			for (int i = 0; i < m.nw; i++)
				any |= m.w[i].obj == b;
			objects += any;
		}
		cr_assert_eq(nlm_core_objects(core), objects, "seed %u step %d: objects", seed, step);
	}
	/* The run must have exercised the interesting paths. */
	cr_assert_gt(queued, 0, "seed %u: nothing queued", seed);
	cr_assert_gt(granted, 0, "seed %u: nothing granted", seed);
	return edeadlk;
}

Test(lock_core, random_sequences_match_the_model, .timeout = 120)
{
	int deadlocks = 0;

	for (unsigned seed = 1; seed <= 40; seed++) {
		nlm_core_free(core);
		memset(&ev, 0, sizeof(ev));
		core = nlm_core_new(on_granted, on_dropped, &ev);
		deadlocks += model_run(seed, 3000);
	}
	cr_assert_gt(deadlocks, 0, "no run met a deadlock");
}
