/*
 * cephmds/mdsc_loop.c: mdsc on the monitor client's loop (see the header).
 *
 * Locking, as osdc_loop's: the monitor client's mutex (sh.lock) guards mdsc
 * and the connections; msgr2_conn takes it around every callback, and the
 * work items here take it. The calls' evloop_reqs have a lock of their own
 * (req_lock), taken after sh.lock on the loop thread; only the cancel op
 * takes sh.lock under it, and no other thread holds both.
 */
#include "config.h"

#include "cephmds/mdsc_loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cephmon/msgr/ceph_entity.h"
#include "cephmon/msgr/msgr2_svc_conns.h"

struct mdsc_loop {
	struct mdsc *mdsc;
	struct monc_loop_shared sh;
	bool attached, stopped;
	pthread_mutex_t req_lock;
	struct msgr2_svc_conns cons; /* to the MDSs, by mdsc's con ids */
	struct evloop_timer tick;
	/* caps: what the owner does when the kernel must drop something,
	 * and the wait for grants (caps_gen counts them; under sh.lock) */
	mdsc_loop_inval_fn inval;
	void *inval_arg;
	mdsc_loop_writeback_fn writeback;
	void *writeback_arg;
	pthread_cond_t caps_cond;
	uint64_t caps_gen;
};

static uint64_t now_ms(void)
{
	return evloop_now_ns() / EVLOOP_NS_PER_MS;
}

static void rearm(struct mdsc_loop *dl)
{
	if (dl->stopped || !dl->mdsc)
		return;
	evloop_timer_arm(dl->sh.loop, &dl->tick, mdsc_tick(dl->mdsc, now_ms()) * EVLOOP_NS_PER_MS);
}

/* ---- the connections' events (sh.lock held by msgr2_conn) --------------------------- */

static void on_up(void *arg, struct msgr2_conn *conn, uint64_t global_id, uint32_t con_mode, uint64_t features)
{
	struct msgr2_svc_conn *c = arg;
	struct mdsc_loop *dl = c->owner;

	(void)conn, (void)global_id, (void)con_mode, (void)features;
	mdsc_con_up(dl->mdsc, c->id, now_ms());
}

static void on_msg(void *arg, struct msgr2_conn *conn, uint16_t type, uint16_t version, uint64_t tid,
		   const uint8_t *front, size_t front_len, const uint8_t *middle, size_t middle_len,
		   const uint8_t *data, size_t data_len)
{
	struct msgr2_svc_conn *c = arg;
	struct mdsc_loop *dl = c->owner;

	(void)conn, (void)data, (void)data_len;
	/* no rearm: a message makes no deadline earlier than the timer's
	 * (mdsc_tick scans every request: not once per message) */
	mdsc_handle_msg(dl->mdsc, c->id, type, version, tid, front, front_len, middle, middle_len, now_ms());
}

static void on_keepalive_ack(void *arg, struct msgr2_conn *conn, uint64_t stamp_ns)
{
	(void)arg, (void)conn, (void)stamp_ns;
}

static void on_down(void *arg, struct msgr2_conn *conn, int err, const char *why)
{
	struct msgr2_svc_conn *c = arg;
	struct mdsc_loop *dl = c->owner;

	(void)conn;
	mdsc_con_down(dl->mdsc, c->id, err, why, now_ms()); /* closes @c (io_close) */
	rearm(dl);
}

static const struct msgr2_conn_cbs cbs = {on_up, on_msg, on_keepalive_ack, on_down, NULL};

/* ---- mdsc's I/O --------------------------------------------------------------------- */

static int io_open(void *arg, uint64_t con, int32_t rank, const struct ceph_entity_addr *addr)
{
	struct mdsc_loop *dl = arg;

	(void)rank;
	return msgr2_svc_conns_open(&dl->cons, con, addr);
}

static void io_close(void *arg, uint64_t con)
{
	struct mdsc_loop *dl = arg;

	msgr2_svc_conns_close(&dl->cons, con);
}

static int io_send(void *arg, uint64_t con, const struct msgr2_out *m)
{
	struct mdsc_loop *dl = arg;
	struct msgr2_conn *c = msgr2_svc_conns_find(&dl->cons, con);

	return c ? msgr2_conn_queue(c, m) : -ENOTCONN;
}

static void io_keepalive(void *arg, uint64_t con)
{
	struct mdsc_loop *dl = arg;
	struct msgr2_conn *c = msgr2_svc_conns_find(&dl->cons, con);

	if (c)
		msgr2_conn_keepalive(c);
}

static void io_invalidate(void *arg, uint64_t ino, unsigned what, uint64_t token)
{
	struct mdsc_loop *dl = arg;

	if (dl->inval)
		dl->inval(dl->inval_arg, ino, what, token);
}

static void io_writeback(void *arg, uint64_t ino)
{
	struct mdsc_loop *dl = arg;

	if (dl->writeback)
		dl->writeback(dl->writeback_arg, ino);
}

static void io_caps_changed(void *arg)
{
	struct mdsc_loop *dl = arg;

	dl->caps_gen++;
	pthread_cond_broadcast(&dl->caps_cond);
}

static void on_tick(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct mdsc_loop *dl = arg;

	(void)l, (void)t;
	pthread_mutex_lock(dl->sh.lock);
	rearm(dl);
	pthread_mutex_unlock(dl->sh.lock);
}

/* ---- life ---------------------------------------------------------------------------- */

static void mdsmap_changed(void *arg, const struct mdsmap_summary *sm)
{
	struct mdsc_loop *dl = arg;
	struct mdsc_map *map = malloc(sizeof(*map));

	if (!map || !dl->mdsc) {
		free(map);
		return; /* the next map brings it */
	}
	mdsc_map_from_summary(sm, map);
	mdsc_map(dl->mdsc, map, now_ms());
	free(map);
	if (dl->attached)
		rearm(dl);
}

struct mdsc_loop *mdsc_loop_new(struct health_queue *health, const char *const *metadata, unsigned nmeta)
{
	struct mdsc_loop *dl = calloc(1, sizeof(*dl));
	struct mdsc_io io = {.open = io_open,
			     .close = io_close,
			     .send = io_send,
			     .keepalive = io_keepalive,
			     .invalidate = io_invalidate,
			     .writeback = io_writeback,
			     .caps_changed = io_caps_changed};

	if (!dl)
		return NULL;
	io.arg = dl;
	dl->mdsc = mdsc_new(&io, health, metadata, nmeta);
	if (!dl->mdsc) {
		free(dl);
		return NULL;
	}
	pthread_mutex_init(&dl->req_lock, NULL);
	pthread_cond_init(&dl->caps_cond, NULL);
	evloop_timer_init(&dl->tick, on_tick, dl);
	return dl;
}

struct monc_mdsmap_ops mdsc_loop_mdsmap_ops(struct mdsc_loop *dl)
{
	return (struct monc_mdsmap_ops){.arg = dl, .changed = mdsmap_changed};
}

void mdsc_loop_attach(struct mdsc_loop *dl, struct monc_loop *ml)
{
	monc_loop_shared(ml, &dl->sh);
	dl->cons = (struct msgr2_svc_conns){.loop = dl->sh.loop,
					    .lock = dl->sh.lock,
					    .cx = dl->sh.cx,
					    .global_seq = dl->sh.global_seq,
					    .nonce = dl->sh.nonce,
					    .ms_mode = dl->sh.ms_mode,
					    .peer_type = CEPH_ENTITY_TYPE_MDS,
					    .cb = &cbs,
					    .owner = dl};
	dl->attached = true;
}

struct close_arg {
	struct mdsc_loop *dl;
	bool all;
};

static void close_fn(void *arg)
{
	struct close_arg *a = arg;
	struct mdsc_loop *dl = a->dl;

	pthread_mutex_lock(dl->sh.lock);
	a->all = !dl->mdsc || mdsc_close_sessions(dl->mdsc, now_ms());
	rearm(dl);
	pthread_mutex_unlock(dl->sh.lock);
}

int mdsc_loop_close(struct mdsc_loop *dl, uint64_t deadline_ns)
{
	struct close_arg a = {.dl = dl};

	if (!dl || !dl->attached)
		return 0;
	for (;;) { /* the MDS's CLOSE comes once it journaled the close */
		if (evloop_call_sync(dl->sh.loop, close_fn, &a, EVLOOP_NEVER) || a.all)
			return 0;
		if (evloop_now_ns() >= deadline_ns)
			return -ETIMEDOUT;
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	}
}

static void stop_fn(void *arg)
{
	struct mdsc_loop *dl = arg;

	pthread_mutex_lock(dl->sh.lock);
	dl->stopped = true;
	dl->caps_gen++; /* waiters see the end */
	pthread_cond_broadcast(&dl->caps_cond);
	evloop_timer_cancel(dl->sh.loop, &dl->tick);
	mdsc_free(dl->mdsc, now_ms()); /* fails the calls (-ESHUTDOWN), closes every connection */
	dl->mdsc = NULL;
	pthread_mutex_unlock(dl->sh.lock);
}

void mdsc_loop_free(struct mdsc_loop *dl)
{
	if (!dl)
		return;
	if (!(dl->attached && evloop_call_sync(dl->sh.loop, stop_fn, dl, EVLOOP_NEVER) == 0))
		mdsc_free(dl->mdsc, 0); /* the loop never ran or is gone: nothing is open */
	pthread_mutex_destroy(&dl->req_lock);
	pthread_cond_destroy(&dl->caps_cond);
	free(dl);
}

/* ---- calls from other threads --------------------------------------------------------- */

struct dreq {
	struct evloop_req req;
	struct mdsc_loop *dl;
	struct evloop_work submit;
	bool in_mdsc, cancelling;
	struct mdsc_request r;
	/* the caller's inputs, copied */
	char *path, *path2;
	uint32_t *gids;
	void *data;
};

static void dreq_release(struct evloop_req *q)
{
	struct dreq *d = (struct dreq *)q;

	mdsc_request_release(&d->r);
	free(d->path);
	free(d->path2);
	free(d->gids);
	free(d->data);
	free(d);
}

/* On the loop thread, under req_lock. */
static void dreq_cancel(struct evloop_req *q, int err)
{
	struct dreq *d = (struct dreq *)q;
	struct mdsc_loop *dl = d->dl;

	if (!d->in_mdsc)
		return; /* not submitted yet: the submit work sees it is done */
	d->in_mdsc = false;
	d->cancelling = true;
	pthread_mutex_lock(dl->sh.lock);
	if (dl->mdsc)
		mdsc_cancel(dl->mdsc, &d->r, err, now_ms());
	pthread_mutex_unlock(dl->sh.lock);
	evloop_req_put(&d->req); /* the loop's */
}

static const struct evloop_req_ops dreq_ops = {dreq_cancel, dreq_release};

/* mdsc finished it: on the loop thread, sh.lock held. */
static void dreq_done(struct mdsc_request *r)
{
	struct dreq *d = r->arg;

	if (d->cancelling)
		return; /* dreq_cancel holds req_lock and drops the loop's reference */
	pthread_mutex_lock(&d->dl->req_lock);
	d->in_mdsc = false;
	evloop_req_complete(&d->req, r->result);
	evloop_req_put(&d->req); /* the loop's */
	pthread_mutex_unlock(&d->dl->req_lock);
}

static void dreq_submit(struct evloop *l, struct evloop_work *w)
{
	struct dreq *d = (struct dreq *)((char *)w - offsetof(struct dreq, submit));
	struct mdsc_loop *dl = d->dl;
	int e;

	(void)l;
	pthread_mutex_lock(&dl->req_lock);
	if (d->req.done) {
		evloop_req_put(&d->req); /* cancelled before it got here */
		pthread_mutex_unlock(&dl->req_lock);
		return;
	}
	d->in_mdsc = true; /* before mdsc can finish it */
	pthread_mutex_unlock(&dl->req_lock);
	pthread_mutex_lock(dl->sh.lock);
	e = dl->mdsc ? mdsc_submit(dl->mdsc, &d->r, now_ms()) : -ESHUTDOWN;
	if (e) {
		pthread_mutex_lock(&dl->req_lock);
		d->in_mdsc = false;
		evloop_req_complete(&d->req, e);
		evloop_req_put(&d->req);
		pthread_mutex_unlock(&dl->req_lock);
	}
	rearm(dl);
	pthread_mutex_unlock(dl->sh.lock);
}

static int copy_inputs(struct dreq *d, const struct mdsc_request *r)
{
	if (r->m.nreleases)
		return -EINVAL;
	if ((r->m.path.path && !(d->path = strdup(r->m.path.path))) ||
	    (r->m.path2.path && !(d->path2 = strdup(r->m.path2.path))))
		return -ENOMEM;
	if (r->m.ngids) {
		if (!r->m.gids || !(d->gids = malloc(r->m.ngids * sizeof(*d->gids))))
			return r->m.gids ? -ENOMEM : -EINVAL;
		memcpy(d->gids, r->m.gids, r->m.ngids * sizeof(*d->gids));
	}
	if (r->data_len) {
		if (!r->data || !(d->data = malloc(r->data_len)))
			return r->data ? -ENOMEM : -EINVAL;
		memcpy(d->data, r->data, r->data_len);
	}
	d->r.m.path.path = d->path;
	d->r.m.path2.path = d->path2;
	d->r.m.gids = d->gids;
	d->r.data = d->data;
	return 0;
}

int mdsc_loop_call(struct mdsc_loop *dl, struct mdsc_request *r, uint64_t deadline_ns, struct evloop_cancel *cancel)
{
	struct dreq *d = calloc(1, sizeof(*d));
	int e;

	if (!d)
		return -ENOMEM;
	if (!dl->attached) {
		free(d);
		return -ESHUTDOWN;
	}
	d->r = *r;
	d->r.reply = NULL;
	d->r.rep = NULL;
	e = copy_inputs(d, r);
	if (e) {
		dreq_release(&d->req); /* never queued: only the copies to free */
		return e;
	}
	d->r.done = dreq_done;
	d->r.arg = d;
	d->dl = dl;
	evloop_req_init(&d->req, dl->sh.loop, &dreq_ops, &dl->req_lock, deadline_ns);
	evloop_req_get(&d->req); /* the loop's, until mdsc is done with it */
	evloop_work_init(&d->submit, dreq_submit);
	evloop_cancel_attach(cancel, &d->req);
	pthread_mutex_lock(&dl->req_lock);
	if (!evloop_work_queue(dl->sh.loop, &d->submit)) {
		evloop_req_complete(&d->req, -ESHUTDOWN);
		evloop_req_put(&d->req);
	}
	e = evloop_req_wait(&d->req);
	if (!d->req.cancel_err && !d->in_mdsc) { /* finished by mdsc: the loop is done with d->r */
		r->result = d->r.result;
		r->reply = d->r.reply;
		r->reply_len = d->r.reply_len;
		r->rep = d->r.rep;
		r->got_unsafe = d->r.got_unsafe;
		r->attempts = d->r.attempts;
		r->num_fwd = d->r.num_fwd;
		r->target = d->r.target;
		d->r.reply = NULL;
		d->r.rep = NULL;
	} else {
		r->result = e;
		r->reply = NULL;
		r->rep = NULL;
	}
	pthread_mutex_unlock(&dl->req_lock);
	evloop_cancel_detach(cancel, &d->req);
	pthread_mutex_lock(&dl->req_lock);
	evloop_req_put(&d->req);
	pthread_mutex_unlock(&dl->req_lock);
	return e;
}

unsigned mdsc_loop_status(struct mdsc_loop *dl, struct mdsc_status *st, struct mdsc_session_status *sessions,
			  unsigned max, char *requests, size_t len)
{
	unsigned n = 0;

	memset(st, 0, sizeof(*st));
	if (requests && len)
		requests[0] = '\0';
	if (!dl->attached)
		return 0;
	pthread_mutex_lock(dl->sh.lock);
	if (dl->mdsc) {
		mdsc_get_status(dl->mdsc, st);
		n = mdsc_sessions(dl->mdsc, sessions, max);
		if (requests)
			mdsc_format_requests(dl->mdsc, requests, len);
	}
	pthread_mutex_unlock(dl->sh.lock);
	return n;
}

/* ---- the capability cache ------------------------------------------------------------- */

void mdsc_loop_set_invalidate(struct mdsc_loop *dl, mdsc_loop_inval_fn fn, void *arg)
{
	if (dl->attached)
		pthread_mutex_lock(dl->sh.lock);
	dl->inval = fn;
	dl->inval_arg = arg;
	if (dl->attached)
		pthread_mutex_unlock(dl->sh.lock);
}

void mdsc_loop_set_writeback(struct mdsc_loop *dl, mdsc_loop_writeback_fn fn, void *arg)
{
	if (dl->attached)
		pthread_mutex_lock(dl->sh.lock);
	dl->writeback = fn;
	dl->writeback_arg = arg;
	if (dl->attached)
		pthread_mutex_unlock(dl->sh.lock);
}

void mdsc_loop_caps_dir_changed(struct mdsc_loop *dl, uint64_t ino)
{
	if (!dl->attached)
		return;
	pthread_mutex_lock(dl->sh.lock);
	if (dl->mdsc)
		mdsc_caps_dir_changed(dl->mdsc, ino);
	pthread_mutex_unlock(dl->sh.lock);
}

int mdsc_loop_inode(struct mdsc_loop *dl, uint64_t ino, uint32_t need, struct mds_inode *out, char *pool_ns,
		    size_t ns_len)
{
	int e = -ESHUTDOWN;

	if (!dl->attached)
		return e;
	pthread_mutex_lock(dl->sh.lock); /* reads the cache and sends nothing: no need for the loop */
	if (dl->mdsc)
		e = mdsc_inode(dl->mdsc, ino, need, now_ms(), out, pool_ns, ns_len);
	pthread_mutex_unlock(dl->sh.lock);
	return e;
}

int mdsc_loop_name(struct mdsc_loop *dl, uint64_t dir, const char *name, uint64_t *ino)
{
	int known = 0;

	if (!dl->attached)
		return 0;
	pthread_mutex_lock(dl->sh.lock); /* reads the cache and sends nothing */
	if (dl->mdsc)
		known = mdsc_caps_name(dl->mdsc, dir, name, now_ms(), ino);
	pthread_mutex_unlock(dl->sh.lock);
	return known;
}

void mdsc_loop_listing_begin(struct mdsc_loop *dl, uint64_t dir, struct mdsc_listing *l)
{
	*l = (struct mdsc_listing){0};
	if (!dl->attached)
		return;
	pthread_mutex_lock(dl->sh.lock);
	if (dl->mdsc)
		mdsc_caps_listing_begin(dl->mdsc, dir, now_ms(), l);
	pthread_mutex_unlock(dl->sh.lock);
}

void mdsc_loop_listing_end(struct mdsc_loop *dl, uint64_t dir, const struct mdsc_listing *l)
{
	if (!dl->attached)
		return;
	pthread_mutex_lock(dl->sh.lock);
	if (dl->mdsc)
		mdsc_caps_listing_end(dl->mdsc, dir, l, now_ms());
	pthread_mutex_unlock(dl->sh.lock);
}

/* One cap operation on the loop thread (mdsc may send). */
struct cap_op {
	struct mdsc_loop *dl;
	enum {
		OP_GET,
		OP_PUT,
		OP_OPEN,
		OP_CLOSE,
		OP_FORGET,
		OP_INVALIDATED,
		OP_FLUSH,
		OP_FLUSHED,
		OP_SET_TIMES
	} op;
	uint64_t ino, token, end; /* token: also a flush's tid */
	struct mds_timespec ctime;
	const struct mds_timespec *set_atime, *set_mtime;
	struct mds_inode *out;
	uint32_t need, want, got;
	int result;
	uint64_t gen; /* caps_gen before a get */
};

static void cap_op_fn(void *arg)
{
	struct cap_op *a = arg;
	struct mdsc_loop *dl = a->dl;
	uint64_t now = now_ms();
	bool async = a->op != OP_GET && a->op != OP_OPEN && a->op != OP_FLUSH && a->op != OP_FLUSHED &&
		     a->op != OP_SET_TIMES;

	pthread_mutex_lock(dl->sh.lock);
	a->result = -ESHUTDOWN;
	if (dl->mdsc) {
		switch (a->op) {
		case OP_GET:
			a->gen = dl->caps_gen;
			a->result = mdsc_caps_get(dl->mdsc, a->ino, a->need, a->want, a->end, now, &a->got);
			break;
		case OP_SET_TIMES:
			a->result =
			    mdsc_caps_set_times(dl->mdsc, a->ino, a->set_atime, a->set_mtime, a->ctime, now, a->out);
			break;
		case OP_FLUSH:
			a->gen = dl->caps_gen;
			a->result = mdsc_caps_flush(dl->mdsc, a->ino, now, &a->token);
			break;
		case OP_FLUSHED:
			a->gen = dl->caps_gen;
			a->result = mdsc_caps_flushed(dl->mdsc, a->ino, a->token);
			break;
		case OP_PUT:
			mdsc_caps_put(dl->mdsc, a->ino, a->got, now);
			break;
		case OP_OPEN:
			a->result = mdsc_caps_open(dl->mdsc, a->ino, a->want, now);
			break;
		case OP_CLOSE:
			mdsc_caps_close(dl->mdsc, a->ino, now);
			break;
		case OP_FORGET:
			mdsc_caps_forget(dl->mdsc, a->ino, now);
			break;
		case OP_INVALIDATED:
			mdsc_caps_invalidated(dl->mdsc, a->ino, a->token, now);
			break;
		}
		rearm(dl);
	}
	pthread_mutex_unlock(dl->sh.lock);
	if (async)
		free(a);
}

/* Queue a cap operation that answers nothing; what the loop cannot take
 * (out of memory, stopped) is dropped: the MDS takes the caps back when
 * the session ends. */
static void cap_op_async(struct mdsc_loop *dl, int op, uint64_t ino, uint32_t got, uint64_t token)
{
	struct cap_op *a = calloc(1, sizeof(*a));

	if (!a || !dl->attached) {
		free(a);
		return;
	}
	*a = (struct cap_op){.dl = dl, .op = op, .ino = ino, .got = got, .token = token};
	if (evloop_call(dl->sh.loop, cap_op_fn, a))
		free(a);
}

/* After @a found nothing yet (its gen taken): wait for a change of the
 * caps (a grant, a renewal, a flush acknowledged), a cancel (its error)
 * or @deadline_ns (-ETIMEDOUT), looking at the token every 100 ms. */
static int wait_caps(struct mdsc_loop *dl, const struct cap_op *a, uint64_t deadline_ns, struct evloop_cancel *cancel)
{
	int e = 0;
	bool stopped;

	pthread_mutex_lock(dl->sh.lock);
	while (dl->caps_gen == a->gen && !dl->stopped) {
		uint64_t now = evloop_now_ns(), until = now + 100 * EVLOOP_NS_PER_MS;
		struct timespec ts;
		if ((e = evloop_cancel_fired(cancel)) || now >= deadline_ns)
			break;
		if (until > deadline_ns)
			until = deadline_ns;
		clock_gettime(CLOCK_REALTIME, &ts); /* the cond's clock */
		until = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + (until - now);
		ts.tv_sec = (time_t)(until / 1000000000ull);
		ts.tv_nsec = (long)(until % 1000000000ull);
		pthread_cond_timedwait(&dl->caps_cond, dl->sh.lock, &ts);
	}
	stopped = dl->stopped;
	pthread_mutex_unlock(dl->sh.lock);
	if (e)
		return e;
	if (stopped)
		return -ESHUTDOWN;
	return evloop_now_ns() >= deadline_ns ? -ETIMEDOUT : 0;
}

int mdsc_loop_caps_get(struct mdsc_loop *dl, uint64_t ino, uint32_t need, uint32_t want, uint64_t end,
		       uint64_t deadline_ns, struct evloop_cancel *cancel, uint32_t *got)
{
	struct cap_op a = {.dl = dl, .op = OP_GET, .ino = ino, .need = need, .want = want, .end = end};

	int e = -ESHUTDOWN;

	if (!dl->attached)
		return e;
	/* what is issued already is taken here, without a trip to the loop */
	pthread_mutex_lock(dl->sh.lock);
	if (dl->mdsc)
		e = mdsc_caps_take(dl->mdsc, ino, need, want, end, now_ms(), got);
	pthread_mutex_unlock(dl->sh.lock);
	if (e != -EAGAIN)
		return e;
	for (;;) {
		e = evloop_call_sync(dl->sh.loop, cap_op_fn, &a, EVLOOP_NEVER);
		if (e)
			return e;
		if (a.result != -EAGAIN) {
			*got = a.got;
			return a.result;
		}
		if ((e = wait_caps(dl, &a, deadline_ns, cancel)))
			return e;
	}
}

int mdsc_loop_caps_flush(struct mdsc_loop *dl, uint64_t ino, uint64_t deadline_ns, struct evloop_cancel *cancel)
{
	struct cap_op a = {.dl = dl, .ino = ino};
	int e;

	if (!dl->attached)
		return -ESHUTDOWN;
	/* Each round sends what is dirty then (writes may have come after the
	 * last FLUSH; a stale session sent nothing) and waits for its ack, a
	 * second at most between rounds: a session renewed wakes no one. */
	for (;;) {
		uint64_t slice = evloop_now_ns() + 1000 * EVLOOP_NS_PER_MS;
		a.op = OP_FLUSH;
		if ((e = evloop_call_sync(dl->sh.loop, cap_op_fn, &a, EVLOOP_NEVER)))
			return e;
		if (a.result <= 0) /* nothing dirty or being flushed */
			return a.result;
		a.op = OP_FLUSHED; /* a.token: the flush's tid */
		if ((e = evloop_call_sync(dl->sh.loop, cap_op_fn, &a, EVLOOP_NEVER)))
			return e;
		if (a.result)
			return a.result < 0 ? a.result : 0;
		e = wait_caps(dl, &a, slice < deadline_ns ? slice : deadline_ns, cancel);
		if (e == -ETIMEDOUT && evloop_now_ns() < deadline_ns)
			continue;
		if (e)
			return e;
	}
}

void mdsc_loop_caps_wrote(struct mdsc_loop *dl, uint64_t ino, uint64_t end, struct mds_timespec mtime)
{
	if (!dl->attached)
		return;
	/* before the write returns: a getattr right after must see the size
	 * (it sends nothing: no need for the loop) */
	pthread_mutex_lock(dl->sh.lock);
	if (dl->mdsc)
		mdsc_caps_wrote(dl->mdsc, ino, end, mtime, now_ms());
	pthread_mutex_unlock(dl->sh.lock);
}

int mdsc_loop_caps_set_times(struct mdsc_loop *dl, uint64_t ino, const struct mds_timespec *atime,
			     const struct mds_timespec *mtime, struct mds_timespec ctime, struct mds_inode *out)
{
	struct cap_op a = {
	    .dl = dl, .op = OP_SET_TIMES, .ino = ino, .set_atime = atime, .set_mtime = mtime, .ctime = ctime, .out = out};
	int e;

	if (!dl->attached)
		return -ESHUTDOWN;
	if ((e = evloop_call_sync(dl->sh.loop, cap_op_fn, &a, EVLOOP_NEVER)))
		return e;
	return a.result;
}

void mdsc_loop_caps_put(struct mdsc_loop *dl, uint64_t ino, uint32_t got)
{
	bool done = false;

	if (!dl->attached)
		return;
	pthread_mutex_lock(dl->sh.lock); /* most puts only count: no need for the loop */
	done = !dl->mdsc || mdsc_caps_put_quiet(dl->mdsc, ino, got);
	pthread_mutex_unlock(dl->sh.lock);
	if (!done)
		cap_op_async(dl, OP_PUT, ino, got, 0);
}

bool mdsc_loop_caps_open(struct mdsc_loop *dl, uint64_t ino, uint32_t want)
{
	struct cap_op a = {.dl = dl, .op = OP_OPEN, .ino = ino, .want = want};
	int r = -ESHUTDOWN;

	if (!dl->attached)
		return false;
	/* an open the MDS knows of (a create's, an OPEN's) is counted here,
	 * without a trip to the loop */
	pthread_mutex_lock(dl->sh.lock);
	if (dl->mdsc)
		r = mdsc_caps_open_quiet(dl->mdsc, ino, want, now_ms());
	pthread_mutex_unlock(dl->sh.lock);
	if (r != -EAGAIN)
		return r > 0;
	if (evloop_call_sync(dl->sh.loop, cap_op_fn, &a, EVLOOP_NEVER))
		return false;
	return a.result > 0;
}

void mdsc_loop_caps_close(struct mdsc_loop *dl, uint64_t ino)
{
	cap_op_async(dl, OP_CLOSE, ino, 0, 0);
}

void mdsc_loop_caps_forget(struct mdsc_loop *dl, uint64_t ino)
{
	cap_op_async(dl, OP_FORGET, ino, 0, 0);
}

void mdsc_loop_caps_invalidated(struct mdsc_loop *dl, uint64_t ino, uint64_t token)
{
	cap_op_async(dl, OP_INVALIDATED, ino, 0, token);
}

size_t mdsc_loop_format_caps(struct mdsc_loop *dl, char *buf, size_t len)
{
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	if (!dl->attached)
		return 0;
	pthread_mutex_lock(dl->sh.lock);
	if (dl->mdsc)
		n = mdsc_format_caps(dl->mdsc, buf, len);
	pthread_mutex_unlock(dl->sh.lock);
	return n;
}
