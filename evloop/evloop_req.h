/*
 * evloop/evloop_req.h: the one request object of netfuse's protocol clients
 * (an Rx call, a monitor statfs, and next an OSD op, an MDS request, an NLM
 * lock): what a caller on a FUSE worker thread waits for while the
 * client's loop thread does the work. It is the userspace shape of the
 * kernel's refcounted request + completion + signal_pending():
 *
 *  - a reference count; the last put releases the request through its ops;
 *  - a completion with a result, which the loop (or anyone) sets once, and
 *    a deadline: a waiter gives up at it;
 *  - cancellation from any thread (a FUSE interrupt, the mount ending, the
 *    deadline): the request completes at once with the cancel error, so its
 *    waiter returns at once, and the owner's cancel op then runs on the
 *    loop thread to stop the work (forget the tid, revoke the message,
 *    abort the call);
 *  - for owners that match replies by transaction id, a tid map
 *    (evloop_tid.h) their requests join.
 *
 * A request has no lock of its own: it is guarded by a lock of its owner's
 * that outlives every request (the Rx endpoint's lock; the monitor
 * client's request lock, kept apart from its state lock so that a waiter
 * woken by its reply does not then wait for the loop thread). Every
 * function below except evloop_req_cancel is called with that lock held;
 * the release op runs with it held too, so an owner can unlink the request
 * from its own lists there.
 *
 * A caller passes a cancel token (struct evloop_cancel) down to whatever
 * makes the request; the request is attached to the token while its
 * caller waits, and firing the token cancels it. The FUSE core makes one
 * token per operation, fired by fuse_req_interrupt_func's callback and by
 * the session ending; a token fired before anything was attached cancels
 * what is attached later at once.
 *
 * Lock order: a token's lock, then a request owner's lock. So attach and
 * detach are called without the owner's lock held.
 */
#ifndef NETFUSE_EVLOOP_REQ_H
#define NETFUSE_EVLOOP_REQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "evloop/evloop.h"

struct evloop_req;

struct evloop_req_ops {
	/* On the loop thread with the owner's lock held, once per request that
	 * was cancelled before it completed: stop the work. May be NULL. */
	void (*cancel)(struct evloop_req *r, int err);
	/* The last reference went (the owner's lock held): free. */
	void (*release)(struct evloop_req *r);
};

struct evloop_req {
	const struct evloop_req_ops *ops;
	struct evloop *loop;
	pthread_mutex_t *lock; /* the owner's */
	pthread_cond_t cond;   /* waiters, on *lock */
	unsigned refs;
	uint64_t deadline_ns; /* CLOCK_MONOTONIC; EVLOOP_NEVER for none */
	bool done;
	int result;	/* once done: 0 or -errno */
	int cancel_err; /* the cancel's error, 0 if not cancelled */
	bool cancel_queued;
	struct evloop_work cancel_work;
};

/* A new request holding one reference (its creator's). */
void evloop_req_init(struct evloop_req *r, struct evloop *loop, const struct evloop_req_ops *ops, pthread_mutex_t *lock,
		     uint64_t deadline_ns);

void evloop_req_get(struct evloop_req *r);
void evloop_req_put(struct evloop_req *r);

/* Complete with @result and wake the waiters; the first completion (or
 * cancellation) counts, later ones are ignored. */
void evloop_req_complete(struct evloop_req *r, int result);

/* Wake the waiters without completing: progress for a streaming request
 * (data arrived, window room) whose waiter checks its own state. */
void evloop_req_wake(struct evloop_req *r);

/*
 * Wait until the request completes: its result. At the deadline the
 * request is cancelled with -ETIMEDOUT (the owner's cancel op stops the
 * work) and that is the result.
 */
int evloop_req_wait(struct evloop_req *r);

/*
 * Wait once, for a streaming request: 0 when woken (the caller checks its
 * state and may wait again), the cancel error once cancelled, -ETIMEDOUT
 * once the deadline has passed (the caller decides what that does to the
 * work).
 */
int evloop_req_wait_event(struct evloop_req *r);

/*
 * Cancel from any thread, WITHOUT the owner's lock: unless the request has
 * completed, it completes now with @err (waiters return it at once) and
 * the owner's cancel op is queued to the loop thread. Returns whether it
 * cancelled. A request whose loop has stopped is only completed.
 */
bool evloop_req_cancel(struct evloop_req *r, int err);

/* The same, with the owner's lock held (from the owner's own code). */
bool evloop_req_cancel_locked(struct evloop_req *r, int err);

/* ---- cancel tokens ------------------------------------------------------------ */

struct evloop_cancel {
	pthread_mutex_t lock;
	int err;		/* once fired */
	struct evloop_req *req; /* the request waiting on the token now */
};

void evloop_cancel_init(struct evloop_cancel *c);
void evloop_cancel_destroy(struct evloop_cancel *c);

/* Fire from any thread: the attached request, and any attached later, is
 * cancelled with @err (the first fire's error sticks). */
void evloop_cancel_fire(struct evloop_cancel *c, int err);

/* The token's error once fired, else 0. NULL is never fired. */
int evloop_cancel_fired(struct evloop_cancel *c);

/*
 * Attach @r (the owner's lock NOT held) for as long as its caller waits;
 * the caller keeps @r referenced until evloop_cancel_detach. A token holds
 * one request at a time. Returns 0, or the token's error when it has
 * already fired (then @r is cancelled with it too). @c may be NULL (no
 * token: nothing to do).
 */
int evloop_cancel_attach(struct evloop_cancel *c, struct evloop_req *r);
void evloop_cancel_detach(struct evloop_cancel *c, struct evloop_req *r);

#endif
