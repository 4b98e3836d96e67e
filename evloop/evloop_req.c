/*
 * evloop/evloop_req.c: the request object and cancel tokens (see
 * evloop_req.h for the rules).
 *
 * A cancellation is two steps, as the kernel's: the waiter is released at
 * once (the request completes with the error under the owner's lock), and
 * the owner's cancel op runs later on the loop thread, where the
 * protocol's state lives, from a work item that holds a reference.
 */
#include "config.h"

#include "evloop/evloop_req.h"

#include <errno.h>
#include <stddef.h>

static void cancel_run(struct evloop *l, struct evloop_work *w)
{
	struct evloop_req *r = (struct evloop_req *)((char *)w - offsetof(struct evloop_req, cancel_work));
	pthread_mutex_t *lock = r->lock;

	(void)l;
	pthread_mutex_lock(lock);
	if (r->ops->cancel)
		r->ops->cancel(r, r->cancel_err);
	evloop_req_put(r);
	pthread_mutex_unlock(lock);
}

void evloop_req_init(struct evloop_req *r, struct evloop *loop, const struct evloop_req_ops *ops, pthread_mutex_t *lock,
		     uint64_t deadline_ns)
{
	r->ops = ops;
	r->loop = loop;
	r->lock = lock;
	evloop_cond_init(&r->cond);
	r->refs = 1;
	r->deadline_ns = deadline_ns;
	r->done = false;
	r->result = 0;
	r->cancel_err = 0;
	r->cancel_queued = false;
	evloop_work_init(&r->cancel_work, cancel_run);
}

void evloop_req_get(struct evloop_req *r)
{
	r->refs++;
}

void evloop_req_put(struct evloop_req *r)
{
	if (--r->refs)
		return;
	pthread_cond_destroy(&r->cond);
	r->ops->release(r);
}

void evloop_req_complete(struct evloop_req *r, int result)
{
	if (r->done)
		return;
	r->done = true;
	r->result = result;
	pthread_cond_broadcast(&r->cond);
}

void evloop_req_wake(struct evloop_req *r)
{
	pthread_cond_broadcast(&r->cond);
}

bool evloop_req_cancel_locked(struct evloop_req *r, int err)
{
	if (r->done || r->cancel_err)
		return false;
	r->cancel_err = err;
	evloop_req_complete(r, err);
	if (r->ops->cancel && !r->cancel_queued) {
		r->refs++; /* the work's */
		r->cancel_queued = true;
		if (!evloop_work_queue(r->loop, &r->cancel_work)) {
			/* The loop has stopped: its owner is tearing down. */
			r->cancel_queued = false;
			r->refs--;
		}
	}
	return true;
}

bool evloop_req_cancel(struct evloop_req *r, int err)
{
	bool did;

	pthread_mutex_lock(r->lock);
	did = evloop_req_cancel_locked(r, err);
	pthread_mutex_unlock(r->lock);
	return did;
}

int evloop_req_wait(struct evloop_req *r)
{
	while (!r->done) {
		if (evloop_cond_wait(&r->cond, r->lock, r->deadline_ns) == ETIMEDOUT && !r->done &&
		    evloop_now_ns() >= r->deadline_ns)
			evloop_req_cancel_locked(r, -ETIMEDOUT);
	}
	return r->result;
}

int evloop_req_wait_event(struct evloop_req *r)
{
	if (r->cancel_err)
		return r->cancel_err;
	if (evloop_now_ns() >= r->deadline_ns)
		return -ETIMEDOUT;
	evloop_cond_wait(&r->cond, r->lock, r->deadline_ns);
	if (r->cancel_err)
		return r->cancel_err;
	return evloop_now_ns() >= r->deadline_ns ? -ETIMEDOUT : 0;
}

/* ---- cancel tokens ------------------------------------------------------------ */

void evloop_cancel_init(struct evloop_cancel *c)
{
	pthread_mutex_init(&c->lock, NULL);
	c->err = 0;
	c->req = NULL;
}

void evloop_cancel_destroy(struct evloop_cancel *c)
{
	pthread_mutex_destroy(&c->lock);
}

void evloop_cancel_fire(struct evloop_cancel *c, int err)
{
	pthread_mutex_lock(&c->lock);
	if (!c->err)
		c->err = err;
	if (c->req)
		evloop_req_cancel(c->req, c->err);
	pthread_mutex_unlock(&c->lock);
}

int evloop_cancel_fired(struct evloop_cancel *c)
{
	int err;

	if (!c)
		return 0;
	pthread_mutex_lock(&c->lock);
	err = c->err;
	pthread_mutex_unlock(&c->lock);
	return err;
}

int evloop_cancel_attach(struct evloop_cancel *c, struct evloop_req *r)
{
	int err;

	if (!c)
		return 0;
	pthread_mutex_lock(&c->lock);
	err = c->err;
	if (err)
		evloop_req_cancel(r, err);
	else
		c->req = r;
	pthread_mutex_unlock(&c->lock);
	return err;
}

void evloop_cancel_detach(struct evloop_cancel *c, struct evloop_req *r)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->req == r)
		c->req = NULL;
	pthread_mutex_unlock(&c->lock);
}
