/*
 * evloop/evloop.h: a small event loop, one thread per loop, shared by the
 * protocol clients (the Rx transport in afs_rx/rx/, the Ceph monitor
 * client). It is the userspace shape of the kernel's "I/O thread + workqueue
 * + completion" (doc/design.md); the request a caller waits on is
 * evloop_req.h's:
 *
 *  - file descriptors: epoll, level-triggered; a callback per descriptor;
 *  - timers: a min-heap on CLOCK_MONOTONIC in nanoseconds; each timer is a
 *    struct the owner embeds (no allocation to arm, re-arm or cancel);
 *  - work: "run this function in the loop thread", from any thread, either
 *    as an intrusive struct evloop_work (queued at most once, never
 *    allocates) or through evloop_call() (allocates a small record);
 *  - a cross-thread wake (an eventfd) behind both;
 *  - struct evloop_completion: a mutex + condvar pair a caller on another
 *    thread waits on with a deadline, and the loop (or anyone) completes:
 *    the one-shot event behind evloop_call_sync (protocol requests use
 *    evloop_req, which is guarded by its owner's lock instead).
 *
 * Threading rules, kept simple on purpose:
 *  - fds and timers are manipulated only from the loop thread (callbacks
 *    run there; other threads use evloop_call/evloop_work to get there),
 *    or by the one thread that sets the loop up before evloop_start;
 *  - evloop_work_queue, evloop_call, evloop_wake and evloop_stop may be
 *    called from any thread;
 *  - callbacks run without any evloop lock held, so they may queue work,
 *    arm timers, add or remove descriptors (their own included) freely.
 *
 * Trade-offs: the epoll timeout has millisecond granularity (rounded up, so
 * a timer never fires early; it may fire up to 1 ms late), which is plenty
 * for protocol timers and avoids a timerfd re-arm per timer change. Timers
 * due at the same instant fire in the order they were armed (a sequence
 * number breaks ties), so callers can rely on FIFO order.
 */
#ifndef NETFUSE_EVLOOP_H
#define NETFUSE_EVLOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evloop;

/* CLOCK_MONOTONIC now, in nanoseconds. */
uint64_t evloop_now_ns(void);

#define EVLOOP_NS_PER_MS 1000000ull
#define EVLOOP_NS_PER_S	 1000000000ull
#define EVLOOP_NEVER	 UINT64_MAX /* a deadline that never comes */

/* An absolute deadline @ms milliseconds from now (EVLOOP_NEVER for < 0). */
uint64_t evloop_deadline_ms(long ms);

/* ---- life ------------------------------------------------------------------ */

/* A new loop (not running yet); @name labels its thread (15 chars kept).
 * NULL on failure (errno set). */
struct evloop *evloop_new(const char *name);

/* Start the loop thread. 0 or -errno. */
int evloop_start(struct evloop *l);

/*
 * Ask the loop to stop and, from another thread, wait for its thread to
 * exit. Work queued before the stop still runs; work queued after is
 * dropped (evloop_call returns -ESHUTDOWN). Called from a callback, it only
 * asks: the loop returns after the current callback.
 */
void evloop_stop(struct evloop *l);

/* Stop if running, then free. Descriptors still registered are forgotten
 * (not closed: the loop never owns them). */
void evloop_free(struct evloop *l);

/* True when called on @l's loop thread. */
bool evloop_in_loop(const struct evloop *l);

/* Wake the loop from any thread (it re-evaluates its timers and work). */
void evloop_wake(struct evloop *l);

/* ---- file descriptors ---------------------------------------------------- */

/* @events: EPOLLIN, EPOLLOUT, ... as given to epoll; the callback gets what
 * epoll reported (EPOLLERR and EPOLLHUP included). */
typedef void (*evloop_fd_fn)(struct evloop *l, int fd, uint32_t events, void *arg);

struct evloop_fd;

/* Watch @fd. Returns a handle, or NULL (errno set). */
struct evloop_fd *evloop_fd_add(struct evloop *l, int fd, uint32_t events, evloop_fd_fn fn, void *arg);

/* Change the events watched. 0 or -errno. */
int evloop_fd_mod(struct evloop *l, struct evloop_fd *h, uint32_t events);

/* Stop watching; the callback is not called again, even for events already
 * collected in the current round. @h is freed. The fd is not closed. */
void evloop_fd_del(struct evloop *l, struct evloop_fd *h);

/* ---- timers ---------------------------------------------------------------- */

struct evloop_timer;
typedef void (*evloop_timer_fn)(struct evloop *l, struct evloop_timer *t, void *arg);

/* Embedded by its owner; fields are the loop's. */
struct evloop_timer {
	uint64_t when;	/* absolute CLOCK_MONOTONIC ns */
	uint64_t order; /* tie-break: arming order */
	size_t index;	/* heap slot + 1; 0 when not armed */
	evloop_timer_fn fn;
	void *arg;
};

void evloop_timer_init(struct evloop_timer *t, evloop_timer_fn fn, void *arg);

/* Arm (or re-arm) @t to fire once at @when_ns (now or past: next round).
 * -ENOMEM only if the heap could not grow. */
int evloop_timer_arm(struct evloop *l, struct evloop_timer *t, uint64_t when_ns);

/* Disarm; harmless when not armed. */
void evloop_timer_cancel(struct evloop *l, struct evloop_timer *t);

static inline bool evloop_timer_armed(const struct evloop_timer *t)
{
	return t->index != 0;
}

/* ---- work: run a function in the loop thread ------------------------------- */

struct evloop_work {
	void (*fn)(struct evloop *l, struct evloop_work *w);
	struct evloop_work *next;
	bool queued; /* guarded by the loop's queue lock */
};

static inline void evloop_work_init(struct evloop_work *w, void (*fn)(struct evloop *l, struct evloop_work *w))
{
	w->fn = fn;
	w->next = NULL;
	w->queued = false;
}

/*
 * Queue @w to run once in the loop thread, from any thread. If it is
 * already queued and has not started yet, nothing changes (returns false):
 * the one run will see whatever state made the caller queue it. Work runs
 * in FIFO order. After evloop_stop, returns false and drops it.
 */
bool evloop_work_queue(struct evloop *l, struct evloop_work *w);

/* Remove @w from the queue if it has not started (true if it was queued).
 * It may be running right now on the loop thread: the owner must handle that
 * itself (as with the kernel's cancel_work). */
bool evloop_work_cancel(struct evloop *l, struct evloop_work *w);

/* Run fn(arg) in the loop thread, from any thread: 0, -ENOMEM, or
 * -ESHUTDOWN after evloop_stop. */
int evloop_call(struct evloop *l, void (*fn)(void *arg), void *arg);

/*
 * Run fn(arg) in the loop thread and wait for it to return, until
 * @deadline_ns: 0 when it ran, -ETIMEDOUT (it may still run later: @arg
 * must stay valid, so use this only with long-lived arguments), -ESHUTDOWN.
 * Called on the loop thread itself, fn runs at once.
 */
int evloop_call_sync(struct evloop *l, void (*fn)(void *arg), void *arg, uint64_t deadline_ns);

/* ---- completions ------------------------------------------------------------- */

/*
 * A one-shot event with a result, for a caller on one thread to wait for
 * something another thread (usually the loop) finishes. Re-arm with
 * evloop_completion_reinit once nobody waits on it.
 */
struct evloop_completion {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	bool done;
	int result;
};

void evloop_completion_init(struct evloop_completion *c);
void evloop_completion_destroy(struct evloop_completion *c);
void evloop_completion_reinit(struct evloop_completion *c);

/* Mark done with @result and wake every waiter. Only the first call counts. */
void evloop_completion_done(struct evloop_completion *c, int result);

/* Wait until done or @deadline_ns (CLOCK_MONOTONIC ns; EVLOOP_NEVER waits
 * forever): the result, or -ETIMEDOUT. */
int evloop_completion_wait(struct evloop_completion *c, uint64_t deadline_ns);

bool evloop_completion_is_done(struct evloop_completion *c);

/*
 * pthread_cond_timedwait against a CLOCK_MONOTONIC deadline, for users with
 * their own mutex and condvar (made with evloop_cond_init): 0 when woken,
 * ETIMEDOUT when the deadline passed (like pthread_cond_timedwait).
 */
int evloop_cond_init(pthread_cond_t *cond);
int evloop_cond_wait(pthread_cond_t *cond, pthread_mutex_t *lock, uint64_t deadline_ns);

#endif
