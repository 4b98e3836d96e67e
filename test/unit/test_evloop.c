/*
 * Unit tests for evloop/evloop.[ch]: timer ordering (deadline order, ties in
 * arming order, re-arm and cancel), work and calls from other threads,
 * completions with deadlines, and descriptor readiness through a pipe.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "evloop/evloop.h"

/* ---- timers, driven on the loop thread ------------------------------------------ */

#define NT 8

struct tstate {
	struct evloop_timer t[NT];
	int fired[NT * 2];
	_Atomic int nfired;
	uint64_t when_fired[NT];
	struct evloop_completion all_done;
	int expect;
};

static void timer_fn(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct tstate *s = arg;
	int i = (int)(t - s->t);
	int n = atomic_fetch_add(&s->nfired, 1);

	(void)l;
	s->fired[n] = i;
	s->when_fired[i] = evloop_now_ns();
	if (n + 1 == s->expect)
		evloop_completion_done(&s->all_done, 0);
}

struct arm_plan {
	struct tstate *s;
	uint64_t base;
	int64_t offs_ms[NT]; /* < 0: do not arm */
};

static void arm_all(struct arm_plan *p)
{
	for (int i = 0; i < NT; i++)
		if (p->offs_ms[i] >= 0)
			p->s->t[i].when = p->base + (uint64_t)p->offs_ms[i] * EVLOOP_NS_PER_MS;
}

struct loop_and_plan {
	struct evloop *l;
	struct arm_plan *p;
	int cancel;	  /* index to cancel after arming, or -1 */
	int rearm;	  /* index to re-arm ... */
	int64_t rearm_ms; /* ... to this offset */
};

static void arm_on_loop(void *arg)
{
	struct loop_and_plan *lp = arg;

	arm_all(lp->p);
	for (int i = 0; i < NT; i++)
		if (lp->p->offs_ms[i] >= 0)
			cr_assert_eq(evloop_timer_arm(lp->l, &lp->p->s->t[i], lp->p->s->t[i].when), 0);
	if (lp->cancel >= 0) {
		evloop_timer_cancel(lp->l, &lp->p->s->t[lp->cancel]);
		cr_assert(!evloop_timer_armed(&lp->p->s->t[lp->cancel]));
	}
	if (lp->rearm >= 0)
		evloop_timer_arm(lp->l, &lp->p->s->t[lp->rearm],
				 lp->p->base + (uint64_t)lp->rearm_ms * EVLOOP_NS_PER_MS);
}

static struct evloop *started_loop(void)
{
	struct evloop *l = evloop_new("test");

	cr_assert_not_null(l);
	cr_assert_eq(evloop_start(l), 0);
	return l;
}

Test(evloop, timers_fire_in_deadline_order)
{
	struct evloop *l = started_loop();
	struct tstate s = {.expect = 6};
	struct arm_plan p = {
	    .s = &s, .base = evloop_now_ns() + 20 * EVLOOP_NS_PER_MS, .offs_ms = {50, 10, 30, 0, 40, 20, -1, -1}};
	struct loop_and_plan lp = {.l = l, .p = &p, .cancel = -1, .rearm = -1};

	evloop_completion_init(&s.all_done);
	for (int i = 0; i < NT; i++)
		evloop_timer_init(&s.t[i], timer_fn, &s);
	cr_assert_eq(evloop_call_sync(l, arm_on_loop, &lp, evloop_deadline_ms(2000)), 0);
	cr_assert_eq(evloop_completion_wait(&s.all_done, evloop_deadline_ms(5000)), 0);
	cr_assert_eq(s.nfired, 6);
	int want[] = {3, 1, 5, 2, 4, 0};
	for (int i = 0; i < 6; i++)
		cr_assert_eq(s.fired[i], want[i], "position %d: timer %d, expected %d", i, s.fired[i], want[i]);
	/* Never early. */
	for (int i = 0; i < 6; i++)
		cr_assert_geq(s.when_fired[i], p.base + (uint64_t)p.offs_ms[i] * EVLOOP_NS_PER_MS);
	evloop_free(l);
	evloop_completion_destroy(&s.all_done);
}

Test(evloop, equal_deadlines_fire_in_arming_order)
{
	struct evloop *l = started_loop();
	struct tstate s = {.expect = NT};
	struct arm_plan p = {.s = &s, .base = evloop_now_ns() + 10 * EVLOOP_NS_PER_MS};
	struct loop_and_plan lp = {.l = l, .p = &p, .cancel = -1, .rearm = -1};

	evloop_completion_init(&s.all_done);
	for (int i = 0; i < NT; i++) {
		evloop_timer_init(&s.t[i], timer_fn, &s);
		p.offs_ms[i] = 5;
	}
	cr_assert_eq(evloop_call_sync(l, arm_on_loop, &lp, evloop_deadline_ms(2000)), 0);
	cr_assert_eq(evloop_completion_wait(&s.all_done, evloop_deadline_ms(5000)), 0);
	for (int i = 0; i < NT; i++)
		cr_assert_eq(s.fired[i], i);
	evloop_free(l);
	evloop_completion_destroy(&s.all_done);
}

Test(evloop, cancel_and_rearm)
{
	struct evloop *l = started_loop();
	struct tstate s = {.expect = 3};
	struct arm_plan p = {
	    .s = &s, .base = evloop_now_ns() + 10 * EVLOOP_NS_PER_MS, .offs_ms = {10, 20, 30, 40, -1, -1, -1, -1}};
	/* Cancel 1; move 0 after 3. */
	struct loop_and_plan lp = {.l = l, .p = &p, .cancel = 1, .rearm = 0, .rearm_ms = 60};

	evloop_completion_init(&s.all_done);
	for (int i = 0; i < NT; i++)
		evloop_timer_init(&s.t[i], timer_fn, &s);
	cr_assert_eq(evloop_call_sync(l, arm_on_loop, &lp, evloop_deadline_ms(2000)), 0);
	cr_assert_eq(evloop_completion_wait(&s.all_done, evloop_deadline_ms(5000)), 0);
	usleep(80 * 1000); /* a cancelled timer must not fire late either */
	cr_assert_eq(s.nfired, 3);
	cr_assert_eq(s.fired[0], 2);
	cr_assert_eq(s.fired[1], 3);
	cr_assert_eq(s.fired[2], 0);
	evloop_free(l);
	evloop_completion_destroy(&s.all_done);
}

/* Many timers at pseudo-random deadlines: the heap hands them out sorted. */
struct many {
	struct evloop *l;
	struct evloop_timer t[200];
	uint64_t last_when;
	int n;
	bool order_ok;
	struct evloop_completion done;
};

static void many_fn(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct many *m = arg;

	(void)l;
	if (t->when < m->last_when)
		m->order_ok = false;
	m->last_when = t->when;
	if (++m->n == 150)
		evloop_completion_done(&m->done, 0);
}

static void many_arm(void *arg)
{
	struct many *m = arg;
	struct evloop *l = m->l;
	uint64_t base = evloop_now_ns();
	uint32_t x = 12345;

	for (int i = 0; i < 200; i++) {
		x = x * 1103515245 + 12345;
		evloop_timer_arm(l, &m->t[i], base + (x >> 8) % (30 * EVLOOP_NS_PER_MS));
	}
	for (int i = 0; i < 200; i += 4)
		evloop_timer_cancel(l, &m->t[i]);
}

Test(evloop, heap_many_timers)
{
	static struct many m;

	memset(&m, 0, sizeof(m));
	m.l = started_loop();
	m.order_ok = true;
	evloop_completion_init(&m.done);
	for (int i = 0; i < 200; i++)
		evloop_timer_init(&m.t[i], many_fn, &m);
	cr_assert_eq(evloop_call_sync(m.l, many_arm, &m, evloop_deadline_ms(2000)), 0);
	cr_assert_eq(evloop_completion_wait(&m.done, evloop_deadline_ms(5000)), 0);
	usleep(20 * 1000);
	cr_assert(m.order_ok);
	cr_assert_eq(m.n, 150);
	evloop_free(m.l);
	evloop_completion_destroy(&m.done);
}

/* ---- cross-thread work and calls ---------------------------------------------------- */

struct counter {
	struct evloop *l;
	_Atomic int n;
	_Atomic int not_in_loop;
	struct evloop_work w;
	_Atomic int work_runs;
};

static void count_fn(void *arg)
{
	struct counter *c = arg;

	if (!evloop_in_loop(c->l))
		atomic_fetch_add(&c->not_in_loop, 1);
	atomic_fetch_add(&c->n, 1);
}

static void *caller_thread(void *arg)
{
	struct counter *c = arg;

	for (int i = 0; i < 1000; i++)
		cr_assert_eq(evloop_call(c->l, count_fn, c), 0);
	return NULL;
}

Test(evloop, calls_from_other_threads_run_on_the_loop)
{
	struct counter c = {0};
	pthread_t th[4];

	c.l = started_loop();
	cr_assert(!evloop_in_loop(c.l));
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, caller_thread, &c);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	/* A synchronous call runs after everything queued before it. */
	cr_assert_eq(evloop_call_sync(c.l, count_fn, &c, evloop_deadline_ms(5000)), 0);
	cr_assert_eq(c.n, 4001);
	cr_assert_eq(c.not_in_loop, 0);
	evloop_free(c.l);
}

static void work_fn(struct evloop *l, struct evloop_work *w)
{
	struct counter *c = (struct counter *)((char *)w - offsetof(struct counter, w));

	(void)l;
	atomic_fetch_add(&c->work_runs, 1);
	usleep(1000);
}

static void noop(void *arg)
{
	(void)arg;
}

Test(evloop, work_is_queued_at_most_once)
{
	struct counter c = {0};
	int queued = 0;

	c.l = evloop_new("test");
	evloop_work_init(&c.w, work_fn);
	/* Not started yet: queue it many times, it is pending once. */
	for (int i = 0; i < 10; i++)
		queued += evloop_work_queue(c.l, &c.w);
	cr_assert_eq(queued, 1);
	cr_assert_eq(evloop_start(c.l), 0);
	cr_assert_eq(evloop_call_sync(c.l, noop, NULL, evloop_deadline_ms(5000)), 0);
	cr_assert_eq(c.work_runs, 1);
	/* Once it ran it can be queued again. */
	cr_assert(evloop_work_queue(c.l, &c.w));
	cr_assert_eq(evloop_call_sync(c.l, noop, NULL, evloop_deadline_ms(5000)), 0);
	cr_assert_eq(c.work_runs, 2);
	evloop_free(c.l);
}

Test(evloop, work_cancel_before_it_runs)
{
	struct counter c = {0};

	c.l = evloop_new("test");
	evloop_work_init(&c.w, work_fn);
	cr_assert(evloop_work_queue(c.l, &c.w));
	cr_assert(evloop_work_cancel(c.l, &c.w));
	cr_assert(!evloop_work_cancel(c.l, &c.w));
	cr_assert_eq(evloop_start(c.l), 0);
	cr_assert_eq(evloop_call_sync(c.l, noop, NULL, evloop_deadline_ms(5000)), 0);
	cr_assert_eq(c.work_runs, 0);
	evloop_free(c.l);
}

/* Two items of one batch: the first cancels the second, which then never
 * runs (the loop has taken both off its queue, but not started the second). */
struct pair_work {
	struct evloop *l;
	struct evloop_work a, b;
	int a_runs, b_runs;
	bool cancelled;
};

static void pair_a(struct evloop *l, struct evloop_work *w)
{
	struct pair_work *p = (struct pair_work *)((char *)w - offsetof(struct pair_work, a));

	p->a_runs++;
	p->cancelled = evloop_work_cancel(l, &p->b);
}

static void pair_b(struct evloop *l, struct evloop_work *w)
{
	struct pair_work *p = (struct pair_work *)((char *)w - offsetof(struct pair_work, b));

	(void)l;
	p->b_runs++;
}

static void queue_pair(void *arg)
{
	struct pair_work *p = arg;

	evloop_work_queue(p->l, &p->a);
	evloop_work_queue(p->l, &p->b);
}

Test(evloop, work_cancel_within_the_running_batch)
{
	struct pair_work p = {0};

	p.l = started_loop();
	evloop_work_init(&p.a, pair_a);
	evloop_work_init(&p.b, pair_b);
	/* Queued from a loop callback: both go into the next batch together. */
	cr_assert_eq(evloop_call_sync(p.l, queue_pair, &p, evloop_deadline_ms(5000)), 0);
	cr_assert_eq(evloop_call_sync(p.l, noop, NULL, evloop_deadline_ms(5000)), 0);
	cr_assert_eq(p.a_runs, 1);
	cr_assert(p.cancelled, "b was still waiting in the batch");
	cr_assert_eq(p.b_runs, 0);
	/* Cancelled, it can be queued again and runs. */
	cr_assert(evloop_work_queue(p.l, &p.b));
	cr_assert_eq(evloop_call_sync(p.l, noop, NULL, evloop_deadline_ms(5000)), 0);
	cr_assert_eq(p.b_runs, 1);
	evloop_free(p.l);
}

static void slow_fn(void *arg)
{
	(void)arg;
	usleep(300 * 1000);
}

Test(evloop, call_sync_deadline_and_shutdown)
{
	struct evloop *l = started_loop();
	uint64_t t0 = evloop_now_ns();

	/* The waiter leaves at its deadline; the function still runs later and
	 * frees its record (ASan checks that). */
	cr_assert_eq(evloop_call_sync(l, slow_fn, NULL, evloop_deadline_ms(50)), -ETIMEDOUT);
	cr_assert_lt(evloop_now_ns() - t0, 250 * EVLOOP_NS_PER_MS);
	evloop_stop(l);
	cr_assert_eq(evloop_call(l, noop, NULL), -ESHUTDOWN);
	cr_assert_eq(evloop_call_sync(l, noop, NULL, evloop_deadline_ms(50)), -ESHUTDOWN);
	evloop_free(l);
}

/* ---- completions ------------------------------------------------------------------------ */

struct comp_arg {
	struct evloop_completion *c;
	int delay_ms;
};

static void *completer(void *arg)
{
	struct comp_arg *a = arg;

	usleep((useconds_t)a->delay_ms * 1000);
	evloop_completion_done(a->c, 42);
	evloop_completion_done(a->c, 7); /* only the first counts */
	return NULL;
}

Test(evloop, completion_wait_and_deadline)
{
	struct evloop_completion c;
	struct comp_arg a = {.c = &c, .delay_ms = 30};
	pthread_t th;
	uint64_t t0;

	evloop_completion_init(&c);
	t0 = evloop_now_ns();
	cr_assert_eq(evloop_completion_wait(&c, evloop_deadline_ms(20)), -ETIMEDOUT);
	cr_assert_geq(evloop_now_ns() - t0, 20 * EVLOOP_NS_PER_MS);
	cr_assert(!evloop_completion_is_done(&c));
	pthread_create(&th, NULL, completer, &a);
	cr_assert_eq(evloop_completion_wait(&c, EVLOOP_NEVER), 42);
	pthread_join(th, NULL);
	cr_assert_eq(evloop_completion_wait(&c, evloop_deadline_ms(0)), 42);
	evloop_completion_reinit(&c);
	cr_assert(!evloop_completion_is_done(&c));
	evloop_completion_destroy(&c);
}

/* ---- descriptors --------------------------------------------------------------------------- */

struct pipe_state {
	struct evloop *l;
	struct evloop_fd *h;
	int rfd;
	char got[64];
	size_t ngot;
	_Atomic int calls;
	struct evloop_completion done;
};

static void pipe_readable(struct evloop *l, int fd, uint32_t events, void *arg)
{
	struct pipe_state *p = arg;
	ssize_t n;

	(void)l;
	atomic_fetch_add(&p->calls, 1);
	if (events & EPOLLIN) {
		n = read(fd, p->got + p->ngot, sizeof(p->got) - 1 - p->ngot);
		if (n > 0)
			p->ngot += (size_t)n;
		if (n == 0 || (events & EPOLLHUP)) {
			evloop_fd_del(p->l, p->h); /* deleting itself from its callback */
			evloop_completion_done(&p->done, 0);
		}
	} else if (events & EPOLLHUP) {
		evloop_fd_del(p->l, p->h);
		evloop_completion_done(&p->done, 0);
	}
}

Test(evloop, fd_readiness)
{
	struct pipe_state p = {0};
	int fds[2];

	cr_assert_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
	evloop_completion_init(&p.done);
	p.l = evloop_new("test");
	p.rfd = fds[0];
	/* Registered before the loop starts, as the rules allow. */
	p.h = evloop_fd_add(p.l, fds[0], EPOLLIN, pipe_readable, &p);
	cr_assert_not_null(p.h);
	cr_assert_eq(evloop_start(p.l), 0);
	usleep(20 * 1000);
	cr_assert_eq(p.calls, 0, "not readable yet, no callback");
	cr_assert_eq(write(fds[1], "hello ", 6), 6);
	usleep(20 * 1000);
	cr_assert_eq(write(fds[1], "world", 5), 5);
	close(fds[1]);
	cr_assert_eq(evloop_completion_wait(&p.done, evloop_deadline_ms(5000)), 0);
	cr_assert_str_eq(p.got, "hello world");
	evloop_free(p.l);
	close(fds[0]);
	evloop_completion_destroy(&p.done);
}

Test(evloop, fd_add_rejects_a_bad_descriptor)
{
	struct evloop *l = evloop_new("test");

	cr_assert_null(evloop_fd_add(l, -1, EPOLLIN, pipe_readable, NULL));
	cr_assert_eq(errno, EBADF);
	evloop_free(l);
}
