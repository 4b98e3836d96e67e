/*
 * Unit tests for evloop/evloop_req.[ch] and evloop/evloop_tid.[ch]: a
 * request completed by the loop, given up at its deadline, cancelled from
 * another thread (the waiter returns at once, the owner's cancel op runs on
 * the loop thread, once), cancel tokens fired before and after a request is
 * attached, streaming waits, the reference count, and the tid map.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "evloop/evloop.h"
#include "evloop/evloop_req.h"
#include "evloop/evloop_tid.h"

/* ---- a toy owner: one lock, requests that count what happens to them ---------- */

struct owner {
	struct evloop *loop;
	pthread_mutex_t lock;
};

struct toy {
	struct evloop_req req;
	struct owner *o;
	atomic_int cancels;    /* the cancel op's runs */
	atomic_int cancel_err; /* the error it was given */
	atomic_bool on_loop;   /* it ran on the loop thread */
	atomic_bool locked;    /* with the owner's lock held */
	atomic_int *released;  /* the release op's runs (outlives the toy) */
};

static void toy_cancel(struct evloop_req *r, int err)
{
	struct toy *t = (struct toy *)r;

	atomic_fetch_add(&t->cancels, 1);
	atomic_store(&t->cancel_err, err);
	atomic_store(&t->on_loop, evloop_in_loop(t->o->loop));
	atomic_store(&t->locked, pthread_mutex_trylock(&t->o->lock) == EBUSY);
}

static void toy_release(struct evloop_req *r)
{
	struct toy *t = (struct toy *)r;

	atomic_fetch_add(t->released, 1);
	free(t);
}

static const struct evloop_req_ops toy_ops = {toy_cancel, toy_release};

static void owner_init(struct owner *o)
{
	o->loop = evloop_new("test-req");
	cr_assert_not_null(o->loop);
	cr_assert_eq(evloop_start(o->loop), 0);
	pthread_mutex_init(&o->lock, NULL);
}

static void owner_fini(struct owner *o)
{
	evloop_free(o->loop);
	pthread_mutex_destroy(&o->lock);
}

static struct toy *toy_new(struct owner *o, long deadline_ms, atomic_int *released)
{
	struct toy *t = calloc(1, sizeof(*t));

	cr_assert_not_null(t);
	t->o = o;
	t->released = released;
	evloop_req_init(&t->req, o->loop, &toy_ops, &o->lock, evloop_deadline_ms(deadline_ms));
	return t;
}

static void put(struct toy *t)
{
	pthread_mutex_t *lock = &t->o->lock;

	pthread_mutex_lock(lock);
	evloop_req_put(&t->req);
	pthread_mutex_unlock(lock);
}

/* Wait (up to 5 s) for the loop to have run @t's cancel op. */
static void wait_cancel_ran(struct toy *t)
{
	for (int i = 0; i < 500 && !atomic_load(&t->cancels); i++)
		usleep(10000);
}

/* ---- completion ---------------------------------------------------------------- */

struct later {
	struct toy *t;
	int result;
	unsigned delay_ms;
};

static void complete_now(void *arg)
{
	struct later *l = arg;

	pthread_mutex_lock(&l->t->o->lock);
	evloop_req_complete(&l->t->req, l->result);
	evloop_req_put(&l->t->req); /* the loop's reference */
	pthread_mutex_unlock(&l->t->o->lock);
}

Test(evloop_req, completed_by_the_loop)
{
	struct owner o;
	atomic_int released = 0;
	struct later l;
	int r;

	owner_init(&o);
	l.t = toy_new(&o, 5000, &released);
	l.result = -ENOENT;
	pthread_mutex_lock(&o.lock);
	evloop_req_get(&l.t->req); /* for the loop */
	pthread_mutex_unlock(&o.lock);
	cr_assert_eq(evloop_call(o.loop, complete_now, &l), 0);
	pthread_mutex_lock(&o.lock);
	r = evloop_req_wait(&l.t->req);
	/* A second completion and a cancel after it change nothing. */
	evloop_req_complete(&l.t->req, 0);
	cr_assert(!evloop_req_cancel_locked(&l.t->req, -EINTR));
	pthread_mutex_unlock(&o.lock);
	cr_assert_eq(r, -ENOENT);
	cr_assert_eq(atomic_load(&l.t->cancels), 0, "a completed request is not cancelled");
	cr_assert_eq(atomic_load(&released), 0);
	put(l.t);
	cr_assert_eq(atomic_load(&released), 1, "the last put releases it, once");
	owner_fini(&o);
}

Test(evloop_req, deadline_cancels_with_etimedout)
{
	struct owner o;
	atomic_int released = 0;
	struct toy *t;
	uint64_t t0;
	int r;

	owner_init(&o);
	t = toy_new(&o, 100, &released);
	t0 = evloop_now_ns();
	pthread_mutex_lock(&o.lock);
	r = evloop_req_wait(&t->req);
	pthread_mutex_unlock(&o.lock);
	cr_assert_eq(r, -ETIMEDOUT);
	cr_assert_geq(evloop_now_ns() - t0, 100 * EVLOOP_NS_PER_MS, "not before the deadline");
	wait_cancel_ran(t);
	cr_assert_eq(atomic_load(&t->cancels), 1);
	cr_assert_eq(atomic_load(&t->cancel_err), -ETIMEDOUT);
	cr_assert(atomic_load(&t->on_loop), "the cancel op runs on the loop thread");
	cr_assert(atomic_load(&t->locked), "with the owner's lock held");
	put(t);
	cr_assert_eq(atomic_load(&released), 1);
	owner_fini(&o);
}

struct waiter {
	struct toy *t;
	int result;
	uint64_t returned_ns;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	pthread_mutex_lock(&w->t->o->lock);
	w->result = evloop_req_wait(&w->t->req);
	pthread_mutex_unlock(&w->t->o->lock);
	w->returned_ns = evloop_now_ns();
	return NULL;
}

Test(evloop_req, cancel_from_another_thread_releases_the_waiter_at_once)
{
	struct owner o;
	atomic_int released = 0;
	struct waiter w = {0};
	pthread_t th;
	uint64_t fired;

	owner_init(&o);
	w.t = toy_new(&o, -1, &released); /* no deadline: only the cancel ends it */
	cr_assert_eq(pthread_create(&th, NULL, wait_thread, &w), 0);
	usleep(50000);
	fired = evloop_now_ns();
	cr_assert(evloop_req_cancel(&w.t->req, -EINTR));
	cr_assert(!evloop_req_cancel(&w.t->req, -ESHUTDOWN), "the first cancel counts");
	pthread_join(th, NULL);
	cr_assert_eq(w.result, -EINTR);
	/* At once: well within a second even on a loaded machine (the old
	 * model polled every 100 ms; this one is woken). */
	cr_assert_lt(w.returned_ns - fired, EVLOOP_NS_PER_S);
	wait_cancel_ran(w.t);
	cr_assert_eq(atomic_load(&w.t->cancels), 1);
	cr_assert_eq(atomic_load(&w.t->cancel_err), -EINTR);
	cr_assert(atomic_load(&w.t->on_loop));
	/* A reply arriving late is ignored. */
	pthread_mutex_lock(&o.lock);
	evloop_req_complete(&w.t->req, 0);
	cr_assert_eq(w.t->req.result, -EINTR);
	pthread_mutex_unlock(&o.lock);
	put(w.t);
	cr_assert_eq(atomic_load(&released), 1);
	owner_fini(&o);
}

/* ---- streaming waits ------------------------------------------------------------- */

static void wake_now(void *arg)
{
	struct toy *t = arg;

	pthread_mutex_lock(&t->o->lock);
	evloop_req_wake(&t->req);
	pthread_mutex_unlock(&t->o->lock);
}

Test(evloop_req, wait_event_woken_cancelled_and_timed_out)
{
	struct owner o;
	atomic_int released = 0;
	struct toy *t;
	int r;

	owner_init(&o);
	t = toy_new(&o, 300, &released);
	pthread_mutex_lock(&o.lock);
	cr_assert_eq(evloop_call(o.loop, wake_now, t), 0);
	r = evloop_req_wait_event(&t->req);
	cr_assert_eq(r, 0, "a wake-up without completion: %d", r);
	cr_assert(!t->req.done);
	/* Nothing wakes it now: the deadline ends the wait. */
	while ((r = evloop_req_wait_event(&t->req)) == 0)
		;
	cr_assert_eq(r, -ETIMEDOUT);
	cr_assert_eq(atomic_load(&t->cancels), 0, "a streaming wait leaves the deadline to its caller");
	evloop_req_cancel_locked(&t->req, -EINTR);
	cr_assert_eq(evloop_req_wait_event(&t->req), -EINTR, "a cancelled request says so at once");
	pthread_mutex_unlock(&o.lock);
	wait_cancel_ran(t);
	cr_assert_eq(atomic_load(&t->cancels), 1);
	put(t);
	owner_fini(&o);
}

/* ---- tokens ---------------------------------------------------------------------- */

Test(evloop_req, token_fired_before_attach_cancels_at_attach)
{
	struct owner o;
	atomic_int released = 0;
	struct evloop_cancel tok;
	struct toy *t;

	owner_init(&o);
	evloop_cancel_init(&tok);
	cr_assert_eq(evloop_cancel_fired(&tok), 0);
	evloop_cancel_fire(&tok, -EINTR);
	evloop_cancel_fire(&tok, -ESHUTDOWN);
	cr_assert_eq(evloop_cancel_fired(&tok), -EINTR, "the first fire's error sticks");
	t = toy_new(&o, -1, &released);
	cr_assert_eq(evloop_cancel_attach(&tok, &t->req), -EINTR);
	pthread_mutex_lock(&o.lock);
	cr_assert_eq(evloop_req_wait(&t->req), -EINTR);
	pthread_mutex_unlock(&o.lock);
	evloop_cancel_detach(&tok, &t->req);
	wait_cancel_ran(t);
	cr_assert_eq(atomic_load(&t->cancels), 1);
	put(t);
	evloop_cancel_destroy(&tok);
	cr_assert_eq(evloop_cancel_attach(NULL, NULL), 0, "no token: nothing to do");
	cr_assert_eq(evloop_cancel_fired(NULL), 0);
	owner_fini(&o);
}

Test(evloop_req, token_fired_while_attached_and_after_detach)
{
	struct owner o;
	atomic_int released = 0;
	struct evloop_cancel tok;
	struct waiter w = {0};
	struct toy *other;
	pthread_t th;

	owner_init(&o);
	evloop_cancel_init(&tok);
	w.t = toy_new(&o, -1, &released);
	cr_assert_eq(evloop_cancel_attach(&tok, &w.t->req), 0);
	cr_assert_eq(pthread_create(&th, NULL, wait_thread, &w), 0);
	usleep(20000);
	evloop_cancel_fire(&tok, -EINTR);
	pthread_join(th, NULL);
	cr_assert_eq(w.result, -EINTR);
	evloop_cancel_detach(&tok, &w.t->req);

	/* A request attached to another token and detached is untouched. */
	struct evloop_cancel tok2;
	evloop_cancel_init(&tok2);
	other = toy_new(&o, 100, &released);
	cr_assert_eq(evloop_cancel_attach(&tok2, &other->req), 0);
	evloop_cancel_detach(&tok2, &other->req);
	evloop_cancel_fire(&tok2, -EINTR);
	pthread_mutex_lock(&o.lock);
	cr_assert_eq(evloop_req_wait(&other->req), -ETIMEDOUT, "the detached request ran to its deadline");
	pthread_mutex_unlock(&o.lock);
	wait_cancel_ran(w.t);
	wait_cancel_ran(other);
	put(w.t);
	put(other);
	cr_assert_eq(atomic_load(&released), 2);
	evloop_cancel_destroy(&tok);
	evloop_cancel_destroy(&tok2);
	owner_fini(&o);
}

/* ---- the tid map ------------------------------------------------------------------ */

Test(evloop_tid, add_find_remove_walk_in_tid_order)
{
	enum { N = 1000 };
	struct evloop_tidmap m;
	struct evloop_tid *e = calloc(N, sizeof(*e));
	struct evloop_tid *n;
	uint64_t expect;
	size_t seen;

	cr_assert_not_null(e);
	evloop_tidmap_init(&m);
	cr_assert_null(evloop_tidmap_first(&m));
	cr_assert_null(evloop_tidmap_find(&m, 1));
	for (int i = 0; i < N; i++)
		cr_assert_eq(evloop_tidmap_add(&m, &e[i]), (uint64_t)i + 1, "tids count up from 1");
	cr_assert_eq(evloop_tidmap_count(&m), N);
	for (int i = 0; i < N; i++)
		cr_assert_eq(evloop_tidmap_find(&m, (uint64_t)i + 1), &e[i]);
	cr_assert_null(evloop_tidmap_find(&m, 0));
	cr_assert_null(evloop_tidmap_find(&m, N + 1));
	/* Remove the odd tids, some while walking. */
	for (n = evloop_tidmap_first(&m); n;) {
		struct evloop_tid *next = evloop_tidmap_next(&m, n);

		if (n->tid % 2)
			evloop_tidmap_remove(&m, n);
		n = next;
	}
	cr_assert_eq(evloop_tidmap_count(&m), N / 2);
	evloop_tidmap_remove(&m, &e[0]); /* already out: harmless */
	cr_assert_eq(evloop_tidmap_count(&m), N / 2);
	cr_assert_null(evloop_tidmap_find(&m, 1));
	expect = 2;
	seen = 0;
	for (n = evloop_tidmap_first(&m); n; n = evloop_tidmap_next(&m, n), expect += 2, seen++)
		cr_assert_eq(n->tid, expect, "in tid order");
	cr_assert_eq(seen, N / 2);
	/* A tid is never handed out twice, even after removals. */
	cr_assert_eq(evloop_tidmap_add(&m, &e[0]), (uint64_t)N + 1);
	cr_assert_eq(evloop_tidmap_find(&m, N + 1), &e[0]);
	evloop_tidmap_destroy(&m);
	free(e);
}
