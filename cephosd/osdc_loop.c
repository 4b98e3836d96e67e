/*
 * cephosd/osdc_loop.c: osdc on the monitor client's loop (see the header).
 *
 * Locking, as monc_loop's: the monitor client's mutex (sh.lock) guards osdc
 * and the connections; msgr2_conn takes it around every callback, and the
 * work items here take it. The calls' evloop_reqs have a lock of their own
 * (req_lock), taken after sh.lock on the loop thread; only the cancel op
 * takes sh.lock under it, and no other thread holds both.
 */
#include "config.h"

#include "cephosd/osdc_loop.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cephmon/msgr/ceph_entity.h"
#include "cephmon/msgr/msgr2_cephx.h"
#include "cephmon/msgr/msgr2_conn.h"
#include "cephmon/msgr/msgr2_svc_conns.h"

/* A question to the monitors for a request whose pool the map lacks. */
struct mcheck {
	uint64_t osdc_tid;
	int64_t monc_tid;
	struct mcheck *next;
};

struct osdc_loop {
	struct osdc *osdc;
	struct health_queue *health;
	struct monc_loop *ml;
	struct monc_loop_shared sh;
	struct mcheck *checks;
	bool attached, stopped;
	pthread_mutex_t req_lock;
	struct msgr2_svc_conns cons; /* to the OSDs, by osdc's con ids */
	struct evloop_timer tick;
};

static uint64_t now_ms(void)
{
	return evloop_now_ns() / EVLOOP_NS_PER_MS;
}

static void rearm(struct osdc_loop *ol)
{
	if (ol->stopped)
		return;
	evloop_timer_arm(ol->sh.loop, &ol->tick, osdc_tick(ol->osdc, now_ms()) * EVLOOP_NS_PER_MS);
}

/* ---- the connections' events (sh.lock held by msgr2_conn) --------------------------- */

static void on_up(void *arg, struct msgr2_conn *conn, uint64_t global_id, uint32_t con_mode, uint64_t features)
{
	struct msgr2_svc_conn *c = arg;
	struct osdc_loop *ol = c->owner;

	(void)conn, (void)global_id, (void)con_mode;
	osdc_con_up(ol->osdc, c->id, features, now_ms());
}

static void on_msg(void *arg, struct msgr2_conn *conn, uint16_t type, uint16_t version, uint64_t tid,
		   const uint8_t *front, size_t front_len, const uint8_t *middle, size_t middle_len,
		   const uint8_t *data, size_t data_len)
{
	struct msgr2_svc_conn *c = arg;
	struct osdc_loop *ol = c->owner;

	(void)conn, (void)middle, (void)middle_len;
	/* no rearm: a reply or a backoff makes no deadline earlier than the
	 * timer's (osdc_tick scans every request: not once per message) */
	osdc_handle_msg(ol->osdc, c->id, type, version, tid, front, front_len, data, data_len, now_ms());
}

static void on_keepalive_ack(void *arg, struct msgr2_conn *conn, uint64_t stamp_ns)
{
	struct msgr2_svc_conn *c = arg;
	struct osdc_loop *ol = c->owner;

	(void)conn, (void)stamp_ns;
	osdc_keepalive_ack(ol->osdc, c->id, now_ms());
}

static void on_down(void *arg, struct msgr2_conn *conn, int err, const char *why)
{
	struct msgr2_svc_conn *c = arg;
	struct osdc_loop *ol = c->owner;

	(void)conn;
	osdc_con_down(ol->osdc, c->id, err, why, now_ms()); /* closes @c (io_close) */
	rearm(ol);
}

static uint8_t *on_rx_data(void *arg, struct msgr2_conn *conn, uint16_t type, uint64_t tid, const uint8_t *front,
			   size_t front_len, size_t data_len)
{
	struct msgr2_svc_conn *c = arg;
	struct osdc_loop *ol = c->owner;

	(void)conn, (void)front, (void)front_len;
	return osdc_rx_data(ol->osdc, c->id, type, tid, data_len);
}

static const struct msgr2_conn_cbs cbs = {on_up, on_msg, on_keepalive_ack, on_down, on_rx_data};

/* ---- osdc's I/O --------------------------------------------------------------------- */

static int io_open(void *arg, uint64_t con, int32_t osd, const struct ceph_entity_addr *addr)
{
	struct osdc_loop *ol = arg;

	(void)osd;
	return msgr2_svc_conns_open(&ol->cons, con, addr);
}

static void io_close(void *arg, uint64_t con)
{
	struct osdc_loop *ol = arg;

	msgr2_svc_conns_close(&ol->cons, con);
}

static int io_send(void *arg, uint64_t con, const struct msgr2_out *m)
{
	struct osdc_loop *ol = arg;
	struct msgr2_conn *c = msgr2_svc_conns_find(&ol->cons, con);

	return c ? msgr2_conn_queue(c, m) : -ENOTCONN;
}

static void io_revoke(void *arg, uint64_t con, uint64_t tid)
{
	struct osdc_loop *ol = arg;
	struct msgr2_conn *c = msgr2_svc_conns_find(&ol->cons, con);

	if (c)
		msgr2_conn_revoke(c, tid);
}

static void io_keepalive(void *arg, uint64_t con)
{
	struct osdc_loop *ol = arg;
	struct msgr2_conn *c = msgr2_svc_conns_find(&ol->cons, con);

	if (c)
		msgr2_conn_keepalive(c);
}

/* Every connection: a reply arriving there stops writing into @buf. */
static void rx_revoke_all(struct osdc_loop *ol, const void *buf)
{
	for (struct msgr2_svc_conn *c = ol->cons.head; c; c = c->next)
		msgr2_conn_rx_revoke(c->conn, buf);
}

static void io_rx_revoke(void *arg, const void *buf)
{
	rx_revoke_all(arg, buf);
}

/* ---- the monitors ------------------------------------------------------------------- */

static void io_osdmap_result(void *arg, const struct monc_osdmap_result *r)
{
	struct osdc_loop *ol = arg;

	if (ol->ml)
		monc_loop_osdmap_result(ol->ml, r);
}

static struct mcheck *take_check(struct osdc_loop *ol, int64_t monc_tid)
{
	for (struct mcheck **pp = &ol->checks; *pp; pp = &(*pp)->next)
		if ((*pp)->monc_tid == monc_tid) {
			struct mcheck *c = *pp;
			*pp = c->next;
			return c;
		}
	return NULL;
}

static void check_done(void *arg, uint64_t tid, const struct monc_reply *rep)
{
	struct osdc_loop *ol = arg;
	struct mcheck *c = take_check(ol, (int64_t)tid);

	if (!c)
		return;
	if (ol->osdc)
		osdc_map_check_done(ol->osdc, c->osdc_tid, rep ? rep->result : -ESHUTDOWN, rep ? rep->newest : 0,
				    now_ms());
	free(c);
}

static int64_t io_map_check(void *arg, uint64_t osdc_tid)
{
	struct osdc_loop *ol = arg;
	struct mcheck *c;

	if (!ol->ml)
		return -ENOTCONN;
	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->osdc_tid = osdc_tid;
	c->monc_tid = monc_loop_get_version(ol->ml, "osdmap", check_done, ol);
	if (c->monc_tid < 0) {
		int64_t e = c->monc_tid;
		free(c);
		return e;
	}
	c->next = ol->checks;
	ol->checks = c;
	return c->monc_tid;
}

static void io_map_check_cancel(void *arg, int64_t handle)
{
	struct osdc_loop *ol = arg;
	struct mcheck *c = take_check(ol, handle);

	if (c) {
		monc_loop_cancel(ol->ml, (uint64_t)handle);
		free(c);
	}
}

static void on_tick(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct osdc_loop *ol = arg;

	(void)l, (void)t;
	pthread_mutex_lock(ol->sh.lock);
	rearm(ol);
	pthread_mutex_unlock(ol->sh.lock);
}

/* ---- life ---------------------------------------------------------------------------- */

static void ops_handle(void *arg, const struct mosdmap *mo, struct monc_osdmap_result *r)
{
	struct osdc_loop *ol = arg;

	osdc_osdmap_ops(ol->osdc).handle(ol->osdc, mo, r);
	if (ol->attached)
		rearm(ol);
}

struct osdc_loop *osdc_loop_new(struct osdmap_keeper *keeper, struct health_queue *health)
{
	struct osdc_loop *ol = calloc(1, sizeof(*ol));
	const struct osdc_io io = {.open = io_open,
				   .close = io_close,
				   .send = io_send,
				   .revoke = io_revoke,
				   .keepalive = io_keepalive,
				   .rx_revoke = io_rx_revoke,
				   .osdmap_result = io_osdmap_result,
				   .map_check = io_map_check,
				   .map_check_cancel = io_map_check_cancel};

	if (!ol)
		return NULL;
	ol->health = health;
	struct osdc_io mine = io;
	mine.arg = ol;
	ol->osdc = osdc_new(keeper, &mine, health);
	if (!ol->osdc) {
		free(ol);
		return NULL;
	}
	pthread_mutex_init(&ol->req_lock, NULL);
	evloop_timer_init(&ol->tick, on_tick, ol);
	return ol;
}

struct monc_osdmap_ops osdc_loop_osdmap_ops(struct osdc_loop *ol)
{
	return (struct monc_osdmap_ops){.arg = ol, .handle = ops_handle};
}

void osdc_loop_attach(struct osdc_loop *ol, struct monc_loop *ml)
{
	monc_loop_shared(ml, &ol->sh);
	ol->cons = (struct msgr2_svc_conns){.loop = ol->sh.loop,
					    .lock = ol->sh.lock,
					    .cx = ol->sh.cx,
					    .global_seq = ol->sh.global_seq,
					    .nonce = ol->sh.nonce,
					    .ms_mode = ol->sh.ms_mode,
					    .peer_type = CEPH_ENTITY_TYPE_OSD,
					    .cb = &cbs,
					    .owner = ol};
	ol->ml = ml;
	ol->attached = true;
}

static void stop_fn(void *arg)
{
	struct osdc_loop *ol = arg;

	pthread_mutex_lock(ol->sh.lock);
	ol->stopped = true;
	evloop_timer_cancel(ol->sh.loop, &ol->tick);
	osdc_free(ol->osdc, now_ms()); /* fails the calls (-ESHUTDOWN), closes every connection */
	ol->osdc = NULL;
	pthread_mutex_unlock(ol->sh.lock);
}

void osdc_loop_free(struct osdc_loop *ol)
{
	if (!ol)
		return;
	if (ol->attached && evloop_call_sync(ol->sh.loop, stop_fn, ol, EVLOOP_NEVER) == 0) {
		/* stopped on the loop thread */
	} else {
		osdc_free(ol->osdc, 0); /* the loop never ran or is gone: nothing is open */
	}
	pthread_mutex_destroy(&ol->req_lock);
	free(ol);
}

/* ---- calls from other threads --------------------------------------------------------- */

struct oreq {
	struct evloop_req req;
	struct osdc_loop *ol;
	struct evloop_work submit;
	bool in_osdc, cancelling;
	struct osdc_request r;
	/* The ops' inputs are the caller's own buffers while it waits
	 * (caller_owned); a caller that leaves while anything may still read
	 * them (cancelled, or a session still writing an earlier attempt)
	 * first copies them to @in and moves every reader there. Both under
	 * sh.lock. */
	bool caller_owned;
	uint8_t *in;
	/* What keeps @in alive: 1 for the evloop_req until its release, and
	 * 1 per message a session borrows the inputs for. Atomic, not under
	 * req_lock: a session returns what it borrowed from any of its paths,
	 * one of them (a revoke in oreq_cancel) with req_lock held already. */
	atomic_uint pins;
};

static void oreq_unpin(struct oreq *o)
{
	if (atomic_fetch_sub(&o->pins, 1) == 1) {
		osdc_request_release(&o->r);
		free(o->in);
		free(o);
	}
}

static void oreq_release(struct evloop_req *q)
{
	oreq_unpin((struct oreq *)q);
}

/* On the loop thread, under req_lock. */
static void oreq_cancel(struct evloop_req *q, int err)
{
	struct oreq *o = (struct oreq *)q;
	struct osdc_loop *ol = o->ol;

	if (!o->in_osdc)
		return; /* not submitted yet: the submit work sees it is done */
	o->in_osdc = false;
	o->cancelling = true;
	pthread_mutex_lock(ol->sh.lock);
	if (ol->osdc)
		osdc_cancel(ol->osdc, &o->r, err, now_ms());
	pthread_mutex_unlock(ol->sh.lock);
	evloop_req_put(&o->req); /* the loop's */
}

static const struct evloop_req_ops oreq_ops = {oreq_cancel, oreq_release};

/* A session borrows the input while a message of it is queued (on the
 * loop thread, while osdc holds the request: the evloop_req's pin is
 * there). */
static void oreq_hold(void *arg)
{
	struct oreq *o = arg;

	atomic_fetch_add(&o->pins, 1);
}

static void oreq_unhold(void *arg)
{
	oreq_unpin(arg);
}

/* osdc finished it: on the loop thread, sh.lock held. */
static void oreq_done(struct osdc_request *r)
{
	struct oreq *o = r->arg;

	if (o->cancelling)
		return; /* oreq_cancel holds req_lock and drops the loop's reference */
	pthread_mutex_lock(&o->ol->req_lock);
	o->in_osdc = false;
	evloop_req_complete(&o->req, r->result);
	evloop_req_put(&o->req); /* the loop's */
	pthread_mutex_unlock(&o->ol->req_lock);
}

static void oreq_submit(struct evloop *l, struct evloop_work *w)
{
	struct oreq *o = (struct oreq *)((char *)w - offsetof(struct oreq, submit));
	struct osdc_loop *ol = o->ol;
	int e;

	(void)l;
	pthread_mutex_lock(&ol->req_lock);
	if (o->req.done) {
		evloop_req_put(&o->req); /* cancelled before it got here */
		pthread_mutex_unlock(&ol->req_lock);
		return;
	}
	o->in_osdc = true; /* before osdc can finish it */
	pthread_mutex_unlock(&ol->req_lock);
	pthread_mutex_lock(ol->sh.lock);
	e = ol->osdc ? osdc_submit(ol->osdc, &o->r, now_ms()) : -ESHUTDOWN;
	if (e) {
		pthread_mutex_lock(&ol->req_lock);
		o->in_osdc = false;
		evloop_req_complete(&o->req, e);
		evloop_req_put(&o->req);
		pthread_mutex_unlock(&ol->req_lock);
	}
	rearm(ol);
	pthread_mutex_unlock(ol->sh.lock);
}

/* The caller is leaving: copy its inputs and move osdc's request and every
 * session that borrows them to the copy. sh.lock held. 0 or -ENOMEM. */
static int oreq_detach(struct oreq *o)
{
	struct osdc_loop *ol = o->ol;
	size_t total = 0, off = 0;

	if (!o->caller_owned)
		return 0;
	for (unsigned i = 0; i < o->r.nops && i < OSD_MAX_OPS; i++)
		total += o->r.ops[i].indata ? o->r.ops[i].indata_len : 0;
	o->in = malloc(total ? total : 1);
	if (!o->in)
		return -ENOMEM;
	for (unsigned i = 0; i < o->r.nops && i < OSD_MAX_OPS; i++) {
		const void *from = o->r.ops[i].indata;
		uint32_t len = o->r.ops[i].indata_len;

		if (!from || !len)
			continue;
		memcpy(o->in + off, from, len);
		for (struct msgr2_svc_conn *c = ol->cons.head; c; c = c->next)
			msgr2_conn_relend(c->conn, o, from, len, o->in + off);
		o->r.ops[i].indata = o->in + off;
		off += len;
	}
	o->caller_owned = false;
	return 0;
}

int osdc_loop_call(struct osdc_loop *ol, struct osdc_request *r, uint64_t deadline_ns, struct evloop_cancel *cancel)
{
	struct oreq *o = calloc(1, sizeof(*o));
	bool cancelled;
	int e;

	if (!o)
		return -ENOMEM;
	if (!ol->attached) {
		free(o);
		return -ESHUTDOWN;
	}
	o->r = *r; /* the inputs stay the caller's until it leaves (oreq_detach) */
	o->caller_owned = true;
	o->r.done = oreq_done;
	o->r.arg = o;
	o->r.hold = oreq_hold;
	o->r.unhold = oreq_unhold;
	atomic_init(&o->pins, 1);
	o->ol = ol;
	evloop_req_init(&o->req, ol->sh.loop, &oreq_ops, &ol->req_lock, deadline_ns);
	evloop_req_get(&o->req); /* the loop's, until osdc is done with it */
	evloop_work_init(&o->submit, oreq_submit);
	evloop_cancel_attach(cancel, &o->req);
	pthread_mutex_lock(&ol->req_lock);
	if (!evloop_work_queue(ol->sh.loop, &o->submit)) {
		evloop_req_complete(&o->req, -ESHUTDOWN);
		evloop_req_put(&o->req);
	}
	e = evloop_req_wait(&o->req);
	if (!o->req.cancel_err && !o->in_osdc) { /* finished by osdc: the loop is done with o->r */
		r->result = o->r.result;
		r->version = o->r.version;
		r->attempts = o->r.attempts;
		r->tid = o->r.tid;
		for (unsigned i = 0; i < OSD_MAX_OPS; i++) {
			r->rval[i] = o->r.rval[i];
			r->out[i] = o->r.out[i];
			r->out_len[i] = o->r.out_len[i];
			o->r.out[i] = NULL;
		}
	} else {
		r->result = e;
	}
	cancelled = o->req.cancel_err != 0;
	pthread_mutex_unlock(&ol->req_lock);
	/* Before the caller may free its inputs and output buffers: nothing
	 * reads the inputs but a copy, and no reply writes into its buffers.
	 * Without a cancel, osdc is done with the request, and only a session
	 * still writing an earlier attempt (a pin) may be. */
	if (cancelled || atomic_load(&o->pins) > 1) {
		pthread_mutex_lock(ol->sh.lock);
		/* a late reply must not write into the caller's buffers either */
		for (unsigned i = 0; i < OSD_MAX_OPS; i++) {
			if (o->r.out[i] && o->r.out[i] == o->r.out_buf[i]) {
				o->r.out[i] = NULL;
				o->r.out_len[i] = 0;
			}
			if (o->r.out_buf[i])
				rx_revoke_all(ol, o->r.out_buf[i]); /* one may be arriving there */
			o->r.out_buf[i] = NULL;
		}
		while (oreq_detach(o)) { /* out of memory: wait for some */
			pthread_mutex_unlock(ol->sh.lock);
			nanosleep(&(struct timespec){0, 1000000}, NULL);
			pthread_mutex_lock(ol->sh.lock);
		}
		pthread_mutex_unlock(ol->sh.lock);
	}
	evloop_cancel_detach(cancel, &o->req);
	pthread_mutex_lock(&ol->req_lock);
	evloop_req_put(&o->req);
	pthread_mutex_unlock(&ol->req_lock);
	return e;
}

void osdc_loop_status(struct osdc_loop *ol, struct osdc_status *st, char *requests, size_t len)
{
	memset(st, 0, sizeof(*st));
	if (requests && len)
		requests[0] = '\0';
	if (!ol->attached)
		return;
	pthread_mutex_lock(ol->sh.lock); /* osdc is only touched under it */
	if (ol->osdc) {
		osdc_get_status(ol->osdc, st);
		if (requests)
			osdc_format_requests(ol->osdc, requests, len);
	}
	pthread_mutex_unlock(ol->sh.lock);
}
