/*
 * evloop/evloop.c: the event loop (see evloop.h for the rules).
 *
 * One round of the loop: fire the timers that are due, run the queued work,
 * then epoll_wait until the next timer (0 if work arrived meanwhile) and
 * dispatch the descriptors that are ready. An eventfd registered like any
 * other descriptor is what other threads write to wake the loop.
 *
 * Descriptor handles removed while a round still holds their events are not
 * freed at once: they are marked dead and freed at the end of the round, so
 * a callback may delete any handle (its own included) safely.
 *
 * Written for netfuse; the shape (timers heap + eventfd + epoll, work items
 * queued at most once) follows the kernel's timer/workqueue interfaces.
 */
#include "config.h"

#include "evloop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define EVLOOP_MAX_EVENTS 64

struct evloop_fd {
	int fd;
	evloop_fd_fn fn;
	void *arg;
	bool dead;
	struct evloop_fd *next_dead;
};

struct call_rec {
	struct evloop_work work;
	void (*fn)(void *arg);
	void *arg;
};

struct evloop {
	char name[16];
	int epfd;
	int wakefd;
	struct evloop_fd *wake_handle;
	pthread_t thread;
	bool started;
	bool thread_set; /* `thread` is valid (started, not yet joined) */

	/* Timers: only touched on the loop thread (or before start). */
	struct evloop_timer **heap;
	size_t nheap, capheap;
	uint64_t timer_order;

	/* Handles deleted during the current round. */
	struct evloop_fd *dead;
	bool in_round;

	/* Work queue and stop flag, under qlock. */
	pthread_mutex_t qlock;
	struct evloop_work *qhead, *qtail;
	struct evloop_work *batch; /* taken off the queue by run_work, not run yet */
	bool stopping;
	bool woken; /* a wake is pending in the eventfd */
};

uint64_t evloop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * EVLOOP_NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t evloop_deadline_ms(long ms)
{
	if (ms < 0)
		return EVLOOP_NEVER;
	return evloop_now_ns() + (uint64_t)ms * EVLOOP_NS_PER_MS;
}

/* ---- timers heap ------------------------------------------------------------ */

static bool timer_before(const struct evloop_timer *a, const struct evloop_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->order < b->order);
}

static void heap_set(struct evloop *l, size_t i, struct evloop_timer *t)
{
	l->heap[i] = t;
	t->index = i + 1;
}

static void heap_up(struct evloop *l, size_t i)
{
	struct evloop_timer *t = l->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!timer_before(t, l->heap[parent]))
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void heap_down(struct evloop *l, size_t i)
{
	struct evloop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && timer_before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!timer_before(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void heap_remove(struct evloop *l, struct evloop_timer *t)
{
	size_t i = t->index - 1;
	struct evloop_timer *last = l->heap[--l->nheap];

	t->index = 0;
	if (last == t)
		return;
	heap_set(l, i, last);
	heap_up(l, i);
	heap_down(l, last->index - 1);
}

void evloop_timer_init(struct evloop_timer *t, evloop_timer_fn fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
}

int evloop_timer_arm(struct evloop *l, struct evloop_timer *t, uint64_t when_ns)
{
	if (t->index)
		heap_remove(l, t);
	if (l->nheap == l->capheap) {
		size_t cap = l->capheap ? 2 * l->capheap : 16;
		struct evloop_timer **h = realloc(l->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		l->heap = h;
		l->capheap = cap;
	}
	t->when = when_ns;
	t->order = l->timer_order++;
	l->heap[l->nheap] = t;
	t->index = ++l->nheap;
	heap_up(l, l->nheap - 1);
	return 0;
}

void evloop_timer_cancel(struct evloop *l, struct evloop_timer *t)
{
	if (t->index)
		heap_remove(l, t);
}

static void run_timers(struct evloop *l)
{
	uint64_t now = evloop_now_ns();

	/* A callback that re-arms its timer for "now" runs in the next round,
	 * not in this loop: the order number makes it sort after the current
	 * ones, and `now` is not re-read. */
	while (l->nheap && l->heap[0]->when <= now) {
		struct evloop_timer *t = l->heap[0];

		heap_remove(l, t);
		t->fn(l, t, t->arg);
	}
}

/* ---- work -------------------------------------------------------------------- */

static void wake_locked(struct evloop *l)
{
	uint64_t one = 1;

	if (l->woken)
		return;
	l->woken = true;
	if (write(l->wakefd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, the loop will wake. */
	}
}

void evloop_wake(struct evloop *l)
{
	pthread_mutex_lock(&l->qlock);
	wake_locked(l);
	pthread_mutex_unlock(&l->qlock);
}

bool evloop_work_queue(struct evloop *l, struct evloop_work *w)
{
	bool queued = false;

	pthread_mutex_lock(&l->qlock);
	if (!w->queued && !l->stopping) {
		w->queued = true;
		w->next = NULL;
		if (l->qtail)
			l->qtail->next = w;
		else
			l->qhead = w;
		l->qtail = w;
		queued = true;
		if (!evloop_in_loop(l))
			wake_locked(l);
	}
	pthread_mutex_unlock(&l->qlock);
	return queued;
}

bool evloop_work_cancel(struct evloop *l, struct evloop_work *w)
{
	bool found = false;

	pthread_mutex_lock(&l->qlock);
	if (w->queued) {
		struct evloop_work **pp = &l->qhead, *prev = NULL;

		while (*pp && *pp != w) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		if (*pp) {
			*pp = w->next;
			if (l->qtail == w)
				l->qtail = prev;
			found = true;
		} else {
			/* In the batch the loop is running now, not started yet. */
			for (pp = &l->batch; *pp && *pp != w; pp = &(*pp)->next)
				;
			if (*pp) {
				*pp = w->next;
				found = true;
			}
		}
		if (found) {
			w->queued = false;
			w->next = NULL;
		}
	}
	pthread_mutex_unlock(&l->qlock);
	return found;
}

/* Run what is queued now; work queued by these callbacks waits for the next
 * round, so a callback that re-queues itself cannot starve the descriptors.
 * The batch stays reachable (l->batch) until each item starts, so work
 * cancelled meanwhile does not run. */
static bool run_work(struct evloop *l)
{
	struct evloop_work *w;
	bool more;

	pthread_mutex_lock(&l->qlock);
	l->batch = l->qhead;
	l->qhead = l->qtail = NULL;
	while ((w = l->batch)) {
		l->batch = w->next;
		w->next = NULL;
		w->queued = false;
		pthread_mutex_unlock(&l->qlock);
		w->fn(l, w);
		pthread_mutex_lock(&l->qlock);
	}
	more = l->qhead != NULL;
	pthread_mutex_unlock(&l->qlock);
	return more;
}

static void call_rec_run(struct evloop *l, struct evloop_work *w)
{
	struct call_rec *r = (struct call_rec *)w;

	(void)l;
	r->fn(r->arg);
	free(r);
}

int evloop_call(struct evloop *l, void (*fn)(void *arg), void *arg)
{
	struct call_rec *r = malloc(sizeof(*r));

	if (!r)
		return -ENOMEM;
	evloop_work_init(&r->work, call_rec_run);
	r->fn = fn;
	r->arg = arg;
	if (!evloop_work_queue(l, &r->work)) {
		free(r);
		return -ESHUTDOWN;
	}
	return 0;
}

/* Shared by the waiter and the loop; the last of the two to let go frees it,
 * so a waiter that gives up at its deadline leaves nothing dangling. */
struct sync_rec {
	void (*fn)(void *arg);
	void *arg;
	struct evloop_completion done;
	int refs; /* under done.lock */
};

static void sync_put(struct sync_rec *s)
{
	bool last;

	pthread_mutex_lock(&s->done.lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&s->done.lock);
	if (last) {
		evloop_completion_destroy(&s->done);
		free(s);
	}
}

static void sync_run(void *arg)
{
	struct sync_rec *s = arg;

	s->fn(s->arg);
	evloop_completion_done(&s->done, 0);
	sync_put(s);
}

int evloop_call_sync(struct evloop *l, void (*fn)(void *arg), void *arg, uint64_t deadline_ns)
{
	struct sync_rec *s;
	int ret;

	if (evloop_in_loop(l)) {
		fn(arg);
		return 0;
	}
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fn = fn;
	s->arg = arg;
	s->refs = 2;
	evloop_completion_init(&s->done);
	ret = evloop_call(l, sync_run, s);
	if (ret) {
		s->refs = 1;
		sync_put(s);
		return ret;
	}
	ret = evloop_completion_wait(&s->done, deadline_ns);
	sync_put(s);
	return ret;
}

/* ---- completions --------------------------------------------------------------- */

int evloop_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t a;
	int r;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	r = pthread_cond_init(cond, &a);
	pthread_condattr_destroy(&a);
	return r;
}

int evloop_cond_wait(pthread_cond_t *cond, pthread_mutex_t *lock, uint64_t deadline_ns)
{
	struct timespec ts;

	if (deadline_ns == EVLOOP_NEVER)
		return pthread_cond_wait(cond, lock);
	ts.tv_sec = (time_t)(deadline_ns / EVLOOP_NS_PER_S);
	ts.tv_nsec = (long)(deadline_ns % EVLOOP_NS_PER_S);
	return pthread_cond_timedwait(cond, lock, &ts);
}

void evloop_completion_init(struct evloop_completion *c)
{
	pthread_mutex_init(&c->lock, NULL);
	evloop_cond_init(&c->cond);
	c->done = false;
	c->result = 0;
}

void evloop_completion_destroy(struct evloop_completion *c)
{
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
}

void evloop_completion_reinit(struct evloop_completion *c)
{
	pthread_mutex_lock(&c->lock);
	c->done = false;
	c->result = 0;
	pthread_mutex_unlock(&c->lock);
}

void evloop_completion_done(struct evloop_completion *c, int result)
{
	pthread_mutex_lock(&c->lock);
	if (!c->done) {
		c->done = true;
		c->result = result;
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->lock);
}

int evloop_completion_wait(struct evloop_completion *c, uint64_t deadline_ns)
{
	int ret;

	pthread_mutex_lock(&c->lock);
	while (!c->done) {
		if (evloop_cond_wait(&c->cond, &c->lock, deadline_ns) == ETIMEDOUT && !c->done)
			break;
	}
	ret = c->done ? c->result : -ETIMEDOUT;
	pthread_mutex_unlock(&c->lock);
	return ret;
}

bool evloop_completion_is_done(struct evloop_completion *c)
{
	bool d;

	pthread_mutex_lock(&c->lock);
	d = c->done;
	pthread_mutex_unlock(&c->lock);
	return d;
}

/* ---- descriptors ------------------------------------------------------------------- */

struct evloop_fd *evloop_fd_add(struct evloop *l, int fd, uint32_t events, evloop_fd_fn fn, void *arg)
{
	struct evloop_fd *h = calloc(1, sizeof(*h));
	struct epoll_event ev = {.events = events};

	if (!h)
		return NULL;
	h->fd = fd;
	h->fn = fn;
	h->arg = arg;
	ev.data.ptr = h;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;

		free(h);
		errno = e;
		return NULL;
	}
	return h;
}

int evloop_fd_mod(struct evloop *l, struct evloop_fd *h, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = h};

	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, h->fd, &ev) < 0)
		return -errno;
	return 0;
}

void evloop_fd_del(struct evloop *l, struct evloop_fd *h)
{
	if (!h)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, h->fd, NULL);
	if (l->in_round) {
		h->dead = true;
		h->next_dead = l->dead;
		l->dead = h;
	} else {
		free(h);
	}
}

static void wake_readable(struct evloop *l, int fd, uint32_t events, void *arg)
{
	uint64_t v;

	(void)events;
	(void)arg;
	pthread_mutex_lock(&l->qlock);
	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: someone else drained it; nothing to do. */
	}
	l->woken = false;
	pthread_mutex_unlock(&l->qlock);
}

/* ---- the loop ------------------------------------------------------------------------ */

/* Milliseconds epoll may sleep: until the first timer, rounded up. */
static int wait_ms(struct evloop *l, bool work_pending)
{
	uint64_t now, d;

	if (work_pending)
		return 0;
	if (!l->nheap)
		return -1;
	now = evloop_now_ns();
	if (l->heap[0]->when <= now)
		return 0;
	d = (l->heap[0]->when - now + EVLOOP_NS_PER_MS - 1) / EVLOOP_NS_PER_MS;
	return d > 60000 ? 60000 : (int)d;
}

static bool stopping(struct evloop *l)
{
	bool s;

	pthread_mutex_lock(&l->qlock);
	s = l->stopping;
	pthread_mutex_unlock(&l->qlock);
	return s;
}

static void *loop_main(void *arg)
{
	struct evloop *l = arg;
	struct epoll_event evs[EVLOOP_MAX_EVENTS];

	while (!stopping(l)) {
		bool more;
		int n;

		run_timers(l);
		more = run_work(l);
		if (stopping(l))
			break;
		n = epoll_wait(l->epfd, evs, EVLOOP_MAX_EVENTS, wait_ms(l, more));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "evloop %s: epoll_wait: %s\n", l->name, strerror(errno));
			break;
		}
		l->in_round = true;
		for (int i = 0; i < n; i++) {
			struct evloop_fd *h = evs[i].data.ptr;

			if (!h->dead)
				h->fn(l, h->fd, evs[i].events, h->arg);
		}
		l->in_round = false;
		while (l->dead) {
			struct evloop_fd *h = l->dead;

			l->dead = h->next_dead;
			free(h);
		}
	}
	/* Work queued before the stop still runs (its submitters may wait). */
	while (run_work(l))
		;
	return NULL;
}

struct evloop *evloop_new(const char *name)
{
	struct evloop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	snprintf(l->name, sizeof(l->name), "%s", name ? name : "evloop");
	pthread_mutex_init(&l->qlock, NULL);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->epfd < 0 || l->wakefd < 0)
		goto fail;
	l->wake_handle = evloop_fd_add(l, l->wakefd, EPOLLIN, wake_readable, NULL);
	if (!l->wake_handle)
		goto fail;
	return l;
fail:
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->wakefd >= 0)
		close(l->wakefd);
	pthread_mutex_destroy(&l->qlock);
	free(l);
	return NULL;
}

int evloop_start(struct evloop *l)
{
	int r;

	if (l->started)
		return -EALREADY;
	r = pthread_create(&l->thread, NULL, loop_main, l);
	if (r)
		return -r;
	pthread_setname_np(l->thread, l->name);
	l->started = true;
	l->thread_set = true;
	return 0;
}

bool evloop_in_loop(const struct evloop *l)
{
	return l->thread_set && pthread_equal(pthread_self(), l->thread);
}

void evloop_stop(struct evloop *l)
{
	pthread_mutex_lock(&l->qlock);
	l->stopping = true;
	wake_locked(l);
	pthread_mutex_unlock(&l->qlock);
	if (l->thread_set && !evloop_in_loop(l)) {
		pthread_join(l->thread, NULL);
		l->thread_set = false;
	}
}

void evloop_free(struct evloop *l)
{
	if (!l)
		return;
	if (l->thread_set && !evloop_in_loop(l))
		evloop_stop(l);
	/* Never started: queued work runs here, so submitters waiting on it
	 * (evloop_call_sync) are released and their records freed. */
	if (!l->started)
		while (run_work(l))
			;
	free(l->wake_handle);
	close(l->wakefd);
	close(l->epfd);
	free(l->heap);
	pthread_mutex_destroy(&l->qlock);
	free(l);
}
