/*
 * nlm/nlm_clnt.c: the NLM version 4 client (see nlm_clnt.h).
 *
 * One UDP socket on the client's own loop thread. Every call, the rpcbind
 * GETPORTs included, is a struct call: an evloop_req in the client's tid
 * map, its encoded message kept for retransmission, one timer. The xid is a
 * random base plus the tid, so a reply finds its call in constant time; a
 * re-ask (BLOCKED, grace) takes a new tid, so a late answer to the old xid
 * is dropped. The client's lock guards the map, the calls and the port; it
 * is never held across a send's wait (sends do not block) or a done
 * function.
 *
 * A call ends once, on the loop thread: by its answer or its timeout (the
 * loop completes its request), or by cancellation (the request completed
 * by whoever fired, then the cancel op on the loop). Either way it goes to
 * finish(): out of the map, timer off, and its done function queued as work
 * to run without the lock.
 */
#include "config.h"

#include "nlm_clnt.h"

#include <errno.h>
#include <rpc/rpc.h>
#include <rpc/pmap_prot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "evloop/evloop.h"
#include "evloop/evloop_req.h"
#include "evloop/evloop_tid.h"
#include "agent_proto.h"
#include "health/health.h"
#include "nlm4_prot.h"
#include "rpc_msg.h"

#define RTO_FIRST_NS	      (500 * EVLOOP_NS_PER_MS)
#define RTO_MAX_NS	      (4 * EVLOOP_NS_PER_S)
#define GRACE_RETRY_NS	      (2 * EVLOOP_NS_PER_S)
#define REPOLL_FIRST_NS	      (100 * EVLOOP_NS_PER_MS) /* no agent: re-asking is how grants are seen */
#define REPOLL_MAX_NS	      (2 * EVLOOP_NS_PER_S)
#define AGENT_REPOLL_FIRST_NS (2 * EVLOOP_NS_PER_S) /* an agent passes grants: re-asking covers a lost one */
#define AGENT_REPOLL_MAX_NS   (30 * EVLOOP_NS_PER_S)
#define AGENT_RETRY_NS	      (2 * EVLOOP_NS_PER_S) /* joining the agent again after it went */
#define REBIND_AFTER	      2			    /* unanswered tries before the port is asked again */
#define DEFAULT_TIMEOUT	      30000u
#define GETPORT_TIMEOUT	      10000u /* at most, at start: the server's rpcbind */
#define RPCBIND_PORT	      111
#define MSG_MAX		      4096 /* header + caller name + two handles, each at most 1 KiB */
#define RECV_MAX	      4096
#define RECV_PER_WAKEUP	      64

enum call_kind { K_NLM, K_GETPORT };
enum call_state { C_NEW, C_SENT, C_BLOCKED, C_GRACE };

struct call {
	struct evloop_req req; /* first: the ops get it */
	struct evloop_tid tid;
	struct nlm_clnt *c;
	enum call_kind kind;
	enum nlm_clnt_op op;
	unsigned flags;
	enum call_state state;
	uint32_t xid;
	unsigned tries;		/* sends since the last answer */
	uint64_t first_send_ns; /* the first unanswered send */
	uint64_t rto_ns, repoll_ns;
	uint64_t timeout_ns; /* unanswered this long: the call fails */
	struct call *fnext;  /* on the client's finished list at shutdown */
	bool followup;	     /* a CANCEL or UNLOCK after a LOCK that ended unanswered */
	bool followup_counted;
	bool deferred;	    /* waiting for such a follow-up of its owner and file */
	struct call *dnext; /* on the client's deferred list */
	struct evloop_timer timer;
	struct evloop_work start_work, finish_work;
	struct evloop_cancel *tok;
	nlm_clnt_done_fn done;
	void *arg;
	bool has_holder;
	struct nlm_clnt_holder holder;
	/* The lock, for the CANCEL and UNLOCK after an interrupted wait. */
	struct nlm_clnt_lock lock;
	unsigned char fh[NLM_CLNT_HANDLE_MAX], oh[NLM_CLNT_HANDLE_MAX];
	size_t msg_len;
	unsigned char msg[MSG_MAX];
};

struct nlm_clnt {
	struct evloop *loop;
	int fd;
	struct evloop_fd *efd;
	pthread_mutex_t lock;
	struct evloop_tidmap calls;
	uint32_t xid_base;
	struct sockaddr_in server; /* sin_port: NLM's, 0 while unknown */
	bool fixed_port;
	bool closing;
	bool started;
	bool reachable;
	struct call *finished; /* ended while closing: done functions to run at the end */
	/* Calls held back until the follow-ups of their owner and file are
	 * answered (or given up), so that a late UNLOCK cannot take a lock the
	 * owner was granted after it: sent in order by undefer_work. */
	struct call *deferred;
	struct evloop_work undefer_work;
	unsigned followups;  /* out now: the common case, 0, looks no further */
	struct call *rebind; /* a GETPORT in flight after the first */
	char *server_name, *caller_name;
	uint64_t timeout_ns;
	struct health_queue *health;
	struct nlm_clnt_stats st;
	/* The host's agent: its socket (-1: not joined), and a timer to join
	 * again. Touched on the loop thread only. */
	char *agent_path;
	unsigned char agent_id[NLM_AGENT_ID_LEN];
	int agent_fd;
	bool joined_before;
	bool agent_spoke;    /* a message came on this connection */
	bool agent_v1;	     /* the agent takes only a version 1 hello */
	bool agent_v2_tried; /* this connection began with a version 2 hello */
	struct evloop_fd *agent_h;
	struct evloop_timer agent_timer;
	void (*unmatched_grant)(void *arg, const struct nlm_clnt_lock *l);
	void (*server_restarted)(void *arg);
	void *arg;
	/* The server's restarts, seen through statd (the agent's "NFLR") or
	 * a grace answer: each is passed on once. Under the lock. */
	bool in_grace;		/* a grace answer came, no other answer since, */
	uint64_t in_grace_ns;	/* from then (a grace period is at most 240 s) */
	uint64_t grace_seen_ns; /* a restart seen by its grace answer, no NFLR since */
	bool have_state;
	int32_t state;			 /* the server's NSM state in the last NFLR */
	struct evloop_work restart_work; /* queued once however often seen */
};

static void call_timer(struct evloop *l, struct evloop_timer *t, void *arg);
static void call_start_work(struct evloop *l, struct evloop_work *w);
static void call_finish_work(struct evloop *l, struct evloop_work *w);
static void call_cancel(struct evloop_req *r, int err);
static void call_release(struct evloop_req *r);
static const struct evloop_req_ops call_ops = {.cancel = call_cancel, .release = call_release};

/* ---- encoding ---------------------------------------------------------------------- */

static const uint32_t nlm_procs[] = {
    [NLM_CLNT_TEST] = NLMPROC4_TEST,
    [NLM_CLNT_LOCK] = NLMPROC4_LOCK,
    [NLM_CLNT_UNLOCK] = NLMPROC4_UNLOCK,
    [NLM_CLNT_CANCEL] = NLMPROC4_CANCEL,
};

static bool encode(struct nlm_clnt *c, struct call *k)
{
	XDR x;
	bool ok;

	xdrmem_create(&x, (char *)k->msg, sizeof(k->msg), XDR_ENCODE);
	if (k->kind == K_GETPORT) {
		struct pmap p = {.pm_prog = NLM_PROG, .pm_vers = NLM4_VERS, .pm_prot = IPPROTO_UDP, .pm_port = 0};
		ok = rpc_put_call_head(&x, k->xid, PMAPPROG, PMAPVERS, PMAPPROC_GETPORT) && xdr_pmap(&x, &p);
	} else {
		/* The cookie is the xid of the first send: the server echoes it. */
		uint32_t cookie = k->xid;
		nlm4_lock al = {
		    .caller_name = c->caller_name,
		    .fh = {.nlm4_netobj_len = k->lock.fh_len, .nlm4_netobj_val = (char *)k->fh},
		    .oh = {.nlm4_netobj_len = k->lock.oh_len, .nlm4_netobj_val = (char *)k->oh},
		    .svid = k->lock.svid,
		    .l_offset = k->lock.offset,
		    .l_len = k->lock.len,
		};
		nlm4_netobj ck = {.nlm4_netobj_len = sizeof(cookie), .nlm4_netobj_val = (char *)&cookie};
		bool block = (k->flags & NLM_CLNT_BLOCK) != 0;

		ok = rpc_put_call_head(&x, k->xid, NLM_PROG, NLM4_VERS, nlm_procs[k->op]);
		switch (k->op) {
		case NLM_CLNT_TEST: {
			nlm4_testargs a = {.cookie = ck, .exclusive = k->lock.exclusive, .alock = al};
			ok = ok && xdr_nlm4_testargs(&x, &a);
			break;
		}
		case NLM_CLNT_LOCK: {
			nlm4_lockargs a = {.cookie = ck,
					   .block = block,
					   .exclusive = k->lock.exclusive,
					   .alock = al,
					   .reclaim = (k->flags & NLM_CLNT_RECLAIM) != 0,
					   .state = 0};
			ok = ok && xdr_nlm4_lockargs(&x, &a);
			break;
		}
		case NLM_CLNT_UNLOCK: {
			nlm4_unlockargs a = {.cookie = ck, .alock = al};
			ok = ok && xdr_nlm4_unlockargs(&x, &a);
			break;
		}
		case NLM_CLNT_CANCEL: {
			nlm4_cancargs a = {.cookie = ck, .block = block, .exclusive = k->lock.exclusive, .alock = al};
			ok = ok && xdr_nlm4_cancargs(&x, &a);
			break;
		}
		}
	}
	if (ok)
		k->msg_len = xdr_getpos(&x);
	xdr_destroy(&x);
	return ok;
}

/* A new xid for a re-ask: the first word of the message. */
static void set_xid(struct call *k, uint32_t xid)
{
	uint32_t be = htonl(xid);

	k->xid = xid;
	memcpy(k->msg, &be, sizeof(be));
}

/* ---- sending ---------------------------------------------------------------------- */

static void report(struct nlm_clnt *c, bool reachable, int err, const char *why)
{
	if (c->reachable == reachable)
		return;
	c->reachable = reachable;
	health_report(c->health, HEALTH_DOMAIN_SESSION, reachable ? HEALTH_SESSION_ESTABLISHED : HEALTH_SESSION_LOST,
		      err, "lockd", c->server_name, "%s", why);
}

static void send_msg(struct nlm_clnt *c, struct call *k)
{
	struct sockaddr_in to = c->server;

	if (k->kind == K_GETPORT)
		to.sin_port = htons(RPCBIND_PORT);
	else if (!to.sin_port)
		return; /* no port yet: the GETPORT's answer sends it */
	c->st.sent++;
	/* A full socket buffer or an unreachable host loses this datagram; the
	 * timer sends it again. */
	(void)sendto(c->fd, k->msg, k->msg_len, MSG_DONTWAIT, (const struct sockaddr *)&to, sizeof(to));
}

/* Give @k a (new) tid and xid: false when the map could not grow. */
static bool take_xid(struct nlm_clnt *c, struct call *k)
{
	uint64_t tid;

	evloop_tidmap_remove(&c->calls, &k->tid);
	tid = evloop_tidmap_add(&c->calls, &k->tid);
	if (!tid)
		return false;
	set_xid(k, c->xid_base + (uint32_t)tid);
	return true;
}

/* When @k's timer fires next: its retransmission, or its deadline if sooner. */
static uint64_t next_timer(const struct call *k, uint64_t now)
{
	uint64_t rto = now + k->rto_ns, end = k->first_send_ns + k->timeout_ns;

	return rto < end ? rto : end;
}

/* Send @k as a fresh try: a new xid, the retransmission clock restarted. */
static bool send_fresh(struct nlm_clnt *c, struct call *k)
{
	if (!take_xid(c, k))
		return false;
	k->state = C_SENT;
	k->tries = 1;
	k->first_send_ns = evloop_now_ns();
	k->rto_ns = RTO_FIRST_NS;
	send_msg(c, k);
	evloop_timer_arm(c->loop, &k->timer, next_timer(k, k->first_send_ns));
	return true;
}

/* ---- calls ------------------------------------------------------------------------- */

static struct call *call_new(struct nlm_clnt *c, enum call_kind kind)
{
	struct call *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	evloop_req_init(&k->req, c->loop, &call_ops, &c->lock, EVLOOP_NEVER);
	k->c = c;
	k->kind = kind;
	evloop_timer_init(&k->timer, call_timer, k);
	evloop_work_init(&k->start_work, call_start_work);
	evloop_work_init(&k->finish_work, call_finish_work);
	k->timeout_ns = c->timeout_ns;
	return k;
}

/* The call ended (its request completed): out of the map, and its done
 * function queued. On the loop thread, the lock held. */
static void finish(struct nlm_clnt *c, struct call *k)
{
	evloop_tidmap_remove(&c->calls, &k->tid);
	evloop_timer_cancel(c->loop, &k->timer);
	if (c->rebind == k)
		c->rebind = NULL;
	if (k->deferred) {
		for (struct call **pp = &c->deferred; *pp; pp = &(*pp)->dnext)
			if (*pp == k) {
				*pp = k->dnext;
				break;
			}
		k->deferred = false;
	}
	if (k->followup && k->followup_counted) {
		k->followup_counted = false;
		c->followups--;
		if (c->deferred)
			evloop_work_queue(c->loop, &c->undefer_work);
	}
	if (c->closing || !evloop_work_queue(c->loop, &k->finish_work)) {
		/* nlm_clnt_free runs these once the loop has stopped. */
		k->fnext = c->finished;
		c->finished = k;
	}
}

static void end_call(struct nlm_clnt *c, struct call *k, int result)
{
	evloop_req_complete(&k->req, result);
	finish(c, k);
}

/* Ask the server's rpcbind for the NLM port again. The lock held. */
static void rebind(struct nlm_clnt *c)
{
	struct call *k;

	if (c->fixed_port || c->rebind || c->closing)
		return;
	k = call_new(c, K_GETPORT);
	if (!k)
		return;
	c->st.rebinds++;
	c->rebind = k;
	if (!take_xid(c, k) || !encode(c, k)) {
		c->rebind = NULL;
		evloop_tidmap_remove(&c->calls, &k->tid);
		evloop_req_put(&k->req);
		return;
	}
	send_fresh(c, k);
}

/* An internal call after an interrupted blocking LOCK (no done function). */
static void send_followup(struct nlm_clnt *c, const struct call *from, enum nlm_clnt_op op)
{
	struct call *k;

	if (c->closing)
		return;
	k = call_new(c, K_NLM);
	if (!k)
		return;
	k->op = op;
	k->followup = true;
	k->flags = from->flags & NLM_CLNT_BLOCK;
	k->lock = from->lock;
	memcpy(k->fh, from->fh, from->lock.fh_len);
	memcpy(k->oh, from->oh, from->lock.oh_len);
	c->st.calls++;
	if (!take_xid(c, k) || !encode(c, k) || !send_fresh(c, k)) {
		evloop_tidmap_remove(&c->calls, &k->tid);
		evloop_req_put(&k->req);
		return;
	}
	k->followup_counted = true;
	c->followups++;
}

/* Whether a follow-up of @k's owner on @k's file is still out. The lock held. */
static bool followup_out(struct nlm_clnt *c, const struct call *k)
{
	if (!c->followups)
		return false;
	for (struct evloop_tid *n = evloop_tidmap_first(&c->calls); n; n = evloop_tidmap_next(&c->calls, n)) {
		const struct call *f = (const struct call *)((const char *)n - offsetof(struct call, tid));
		if (f->followup && f->lock.fh_len == k->lock.fh_len && f->lock.oh_len == k->lock.oh_len &&
		    !memcmp(f->fh, k->fh, k->lock.fh_len) && !memcmp(f->oh, k->oh, k->lock.oh_len))
			return true;
	}
	return false;
}

/* @k joins the calls held back, last (they go in the order they came). */
static void defer(struct nlm_clnt *c, struct call *k)
{
	struct call **pp = &c->deferred;

	while (*pp)
		pp = &(*pp)->dnext;
	k->dnext = NULL;
	*pp = k;
	k->deferred = true;
}

/* Sends @k, or holds it back behind its owner's follow-ups. The lock held. */
static void start_or_defer(struct nlm_clnt *c, struct call *k)
{
	if (c->closing) {
		end_call(c, k, -ESHUTDOWN);
	} else if (followup_out(c, k)) {
		defer(c, k);
	} else if (!take_xid(c, k) || !encode(c, k) || !send_fresh(c, k)) {
		end_call(c, k, -ENOMEM);
	}
}

static void call_start_work(struct evloop *l, struct evloop_work *w)
{
	struct call *k = (struct call *)((char *)w - offsetof(struct call, start_work));
	struct nlm_clnt *c = k->c;

	(void)l;
	pthread_mutex_lock(&c->lock);
	if (k->req.done) {
		/* Cancelled before it started: its cancel op finishes it. */
	} else if (c->deferred && !c->closing) {
		/* Behind the calls already held back, whatever they wait for. */
		defer(c, k);
		evloop_work_queue(c->loop, &c->undefer_work);
	} else {
		start_or_defer(c, k);
	}
	evloop_req_put(&k->req); /* the start's own reference */
	pthread_mutex_unlock(&c->lock);
}

/* A follow-up ended: the calls held back go, in order, each unless a
 * follow-up of its own owner and file is still out. */
static void undefer_work(struct evloop *l, struct evloop_work *w)
{
	struct nlm_clnt *c = (struct nlm_clnt *)((char *)w - offsetof(struct nlm_clnt, undefer_work));
	struct call *list;

	(void)l;
	pthread_mutex_lock(&c->lock);
	list = c->deferred;
	c->deferred = NULL;
	while (list) {
		struct call *k = list;
		list = k->dnext;
		k->deferred = false;
		if (!k->req.done)
			start_or_defer(c, k);
	}
	pthread_mutex_unlock(&c->lock);
}

static void call_finish_work(struct evloop *l, struct evloop_work *w)
{
	struct call *k = (struct call *)((char *)w - offsetof(struct call, finish_work));
	struct nlm_clnt *c = k->c;

	(void)l;
	evloop_cancel_detach(k->tok, &k->req);
	if (k->done)
		k->done(k->arg, k->req.result, k->has_holder && k->req.result == -EAGAIN ? &k->holder : NULL);
	pthread_mutex_lock(&c->lock);
	evloop_req_put(&k->req);
	pthread_mutex_unlock(&c->lock);
}

/* Cancelled (an interrupt, the mount ending): stop retransmitting, and give
 * back what a blocking LOCK may have been granted meanwhile. */
static void call_cancel(struct evloop_req *r, int err)
{
	struct call *k = (struct call *)r;
	struct nlm_clnt *c = k->c;

	(void)err;
	if (k->kind == K_NLM && k->op == NLM_CLNT_LOCK && k->state != C_NEW) {
		if (k->flags & NLM_CLNT_BLOCK)
			send_followup(c, k, NLM_CLNT_CANCEL);
		if (k->flags & NLM_CLNT_UNLOCK_IF_LOST)
			send_followup(c, k, NLM_CLNT_UNLOCK);
	}
	finish(c, k);
}

static void call_release(struct evloop_req *r)
{
	free(r);
}

static void call_timer(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct call *k = arg;
	struct nlm_clnt *c = k->c;
	uint64_t now = evloop_now_ns();

	(void)l;
	(void)t;
	pthread_mutex_lock(&c->lock);
	if (k->req.done) {
		/* Cancelled: its cancel op is queued. */
	} else if (k->state == C_BLOCKED || k->state == C_GRACE) {
		if (!send_fresh(c, k))
			end_call(c, k, -ENOMEM);
	} else if (now - k->first_send_ns >= k->timeout_ns) {
		c->st.timeouts++;
		if (k->kind == K_NLM)
			report(c, false, -ETIMEDOUT, "no answer from the lock server");
		/* The server may yet take the LOCK it did not answer, or queue it. */
		if (k->kind == K_NLM && k->op == NLM_CLNT_LOCK && (k->flags & NLM_CLNT_BLOCK))
			send_followup(c, k, NLM_CLNT_CANCEL);
		if (k->kind == K_NLM && k->op == NLM_CLNT_LOCK && (k->flags & NLM_CLNT_UNLOCK_IF_LOST))
			send_followup(c, k, NLM_CLNT_UNLOCK);
		end_call(c, k, k->kind == K_GETPORT ? -ETIMEDOUT : -ENOLCK);
	} else {
		c->st.retransmits++;
		k->tries++;
		if (k->kind == K_NLM && k->tries > REBIND_AFTER)
			rebind(c);
		send_msg(c, k);
		k->rto_ns = k->rto_ns * 2 > RTO_MAX_NS ? RTO_MAX_NS : k->rto_ns * 2;
		evloop_timer_arm(c->loop, &k->timer, next_timer(k, now));
	}
	pthread_mutex_unlock(&c->lock);
}

/* ---- answers ------------------------------------------------------------------------ */

/* The call an xid names: its tid is the xid's offset from the base, in the
 * same 2^32 window as the newest tid (live calls are recent). */
static struct call *call_of_xid(struct nlm_clnt *c, uint32_t xid)
{
	uint64_t last = c->calls.last_tid, tid = (last & ~(uint64_t)UINT32_MAX) | (uint32_t)(xid - c->xid_base);
	struct evloop_tid *n;

	if (tid > last) {
		if (tid < ((uint64_t)1 << 32))
			return NULL;
		tid -= (uint64_t)1 << 32;
	}
	n = evloop_tidmap_find(&c->calls, tid);
	if (!n)
		return NULL;
	struct call *k = (struct call *)((char *)n - offsetof(struct call, tid));
	return k->xid == xid ? k : NULL;
}

static int stat_errno(nlm4_stats s)
{
	switch (s) {
	case NLM4_GRANTED:
		return 0;
	case NLM4_DENIED:
		return -EAGAIN;
	case NLM4_DEADLCK:
		return -EDEADLK;
	case NLM4_ROFS:
		return -EROFS;
	case NLM4_STALE_FH:
		return -ESTALE;
	case NLM4_FBIG:
		return -EOVERFLOW;
	default: /* DENIED_NOLOCKS, FAILED, anything unknown */
		return -ENOLCK;
	}
}

int nlm_clnt_parse_reply(const void *buf, size_t len, int what, struct nlm_clnt_reply *out)
{
	XDR x;
	int r = -EBADMSG;

	memset(out, 0, sizeof(*out));
	if (len > UINT32_MAX)
		return -EBADMSG;
	xdrmem_create(&x, (char *)buf, (u_int)len, XDR_DECODE);
	if (!rpc_get_reply_head(&x, &out->xid, &out->accept))
		goto out;
	if (out->accept != SUCCESS) {
		r = 0;
		goto out;
	}
	if (what == NLM_CLNT_GETPORT) {
		u_int port;
		if (xdr_u_int(&x, &port) && port <= UINT16_MAX) {
			out->port = (uint16_t)port;
			r = 0;
		}
	} else if (what == NLM_CLNT_TEST) {
		nlm4_testres res;
		memset(&res, 0, sizeof(res));
		if (xdr_nlm4_testres(&x, &res)) {
			out->stat = res.stat.stat;
			if (res.stat.stat == NLM4_DENIED) {
				const nlm4_holder *h = &res.stat.nlm4_testrply_u.holder;
				out->has_holder = true;
				out->holder = (struct nlm_clnt_holder){
				    .exclusive = h->exclusive, .svid = h->svid, .offset = h->l_offset, .len = h->l_len};
			}
			r = 0;
		}
		xdr_free((xdrproc_t)xdr_nlm4_testres, (char *)&res);
	} else if (what >= NLM_CLNT_LOCK && what <= NLM_CLNT_CANCEL) {
		nlm4_res res;
		memset(&res, 0, sizeof(res));
		if (xdr_nlm4_res(&x, &res)) {
			out->stat = res.stat.stat;
			r = 0;
		}
		xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&res);
	}
out:
	xdr_destroy(&x);
	return r;
}

#define RESTART_SEEN_NS (60 * EVLOOP_NS_PER_S)
#define GRACE_STALE_NS	(300 * EVLOOP_NS_PER_S)

static void restart_work(struct evloop *l, struct evloop_work *w)
{
	struct nlm_clnt *c = (struct nlm_clnt *)((char *)w - offsetof(struct nlm_clnt, restart_work));

	(void)l;
	pthread_mutex_lock(&c->lock);
	bool closing = c->closing;
	pthread_mutex_unlock(&c->lock);
	if (c->server_restarted && !closing)
		c->server_restarted(c->arg);
}

/* The server restarted: its locks are to be reclaimed. The lock held. */
static void restarted(struct nlm_clnt *c, const char *how)
{
	c->st.restarts++;
	c->in_grace = true;
	c->in_grace_ns = evloop_now_ns();
	health_report(c->health, HEALTH_DOMAIN_SESSION, HEALTH_SESSION_LOST, 0, "lockd", c->server_name,
		      "the lock server restarted (%s): its locks are gone, reclaiming in its grace period", how);
	evloop_work_queue(c->loop, &c->restart_work);
}

/* The NLM answer @a of @k. The lock held. */
static void nlm_answer(struct nlm_clnt *c, struct call *k, const struct nlm_clnt_reply *a)
{
	uint32_t s = a->stat;
	uint64_t now = evloop_now_ns();

	if (a->has_holder) {
		k->has_holder = true;
		k->holder = a->holder;
	}
	report(c, true, 0, "the lock server answers");
	evloop_timer_cancel(c->loop, &k->timer);
	/* A grace seen longer ago than any grace period lasts is over, even if
	 * no answer said so (the server may have restarted again since). */
	if (c->in_grace && now - c->in_grace_ns > GRACE_STALE_NS)
		c->in_grace = false;
	if (!(k->flags & NLM_CLNT_RECLAIM) && (s == NLM4_DENIED_GRACE_PERIOD) != c->in_grace) {
		/* A server that answers in grace now, and did not before,
		 * restarted (statd may not have said so yet, or at all). */
		if (c->in_grace) {
			c->in_grace = false;
		} else {
			c->grace_seen_ns = now;
			restarted(c, "it answers in grace");
		}
	}
	if (s == NLM4_DENIED_GRACE_PERIOD && !(k->flags & NLM_CLNT_RECLAIM)) {
		c->st.grace++;
		k->state = C_GRACE;
		evloop_timer_arm(c->loop, &k->timer, now + GRACE_RETRY_NS);
	} else if (s == NLM4_BLOCKED && k->op == NLM_CLNT_LOCK && (k->flags & NLM_CLNT_BLOCK)) {
		c->st.blocked++;
		k->state = C_BLOCKED;
		uint64_t first = c->st.agent ? AGENT_REPOLL_FIRST_NS : REPOLL_FIRST_NS;
		uint64_t max = c->st.agent ? AGENT_REPOLL_MAX_NS : REPOLL_MAX_NS;
		k->repoll_ns = !k->repoll_ns ? first : k->repoll_ns * 2 > max ? max : k->repoll_ns * 2;
		if (k->repoll_ns < first)
			k->repoll_ns = first;
		evloop_timer_arm(c->loop, &k->timer, now + k->repoll_ns);
	} else {
		end_call(c, k, stat_errno((nlm4_stats)s));
	}
}

static void getport_answer(struct nlm_clnt *c, struct call *k, uint16_t port)
{
	if (port && port != ntohs(c->server.sin_port)) {
		c->server.sin_port = htons(port);
		/* The calls waiting for a port, or sent to the old one, go now. */
		for (struct evloop_tid *n = evloop_tidmap_first(&c->calls); n; n = evloop_tidmap_next(&c->calls, n)) {
			struct call *o = (struct call *)((char *)n - offsetof(struct call, tid));
			if (o->kind == K_NLM && o->state == C_SENT && !o->req.done)
				send_msg(c, o);
		}
	}
	end_call(c, k, port ? 0 : -EPROTONOSUPPORT);
}

static void on_readable(struct evloop *l, int fd, uint32_t events, void *arg)
{
	struct nlm_clnt *c = arg;
	unsigned char buf[RECV_MAX];

	(void)l;
	(void)events;
	for (int i = 0; i < RECV_PER_WAKEUP; i++) {
		struct sockaddr_in from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
		struct nlm_clnt_reply a;
		uint32_t xid;
		struct call *k;

		if (n < 0)
			break;
		/* Answers come from the server's address only, and name a call
		 * by their first word. */
		if (fromlen != sizeof(from) || from.sin_family != AF_INET ||
		    from.sin_addr.s_addr != c->server.sin_addr.s_addr || n < 4)
			continue;
		memcpy(&xid, buf, sizeof(xid));
		xid = ntohl(xid);
		pthread_mutex_lock(&c->lock);
		k = call_of_xid(c, xid);
		if (k && !k->req.done && k->state == C_SENT &&
		    !nlm_clnt_parse_reply(buf, (size_t)n, k->kind == K_GETPORT ? NLM_CLNT_GETPORT : (int)k->op, &a)) {
			if (a.accept != SUCCESS) {
				/* NLM gone from that port (a restarted server):
				 * ask rpcbind again and keep trying; anything
				 * else is a refusal. */
				if (k->kind == K_NLM && a.accept == PROG_UNAVAIL && !c->fixed_port)
					rebind(c);
				else
					end_call(c, k, -ENOLCK);
			} else if (k->kind == K_GETPORT) {
				getport_answer(c, k, a.port);
			} else {
				nlm_answer(c, k, &a);
			}
		}
		/* Anything else (malformed, late, not ours) is dropped: the
		 * call is retransmitted as if it were lost. */
		pthread_mutex_unlock(&c->lock);
	}
}

/* ---- the host's agent ------------------------------------------------------------------- */

int nlm_clnt_parse_grant(const void *buf, size_t len, struct nlm_clnt_lock *out, unsigned char *fh, unsigned char *oh,
			 uint32_t *from)
{
	nlm4_testargs g;
	XDR x;
	int r = -EBADMSG;

	if (len < 8 || len > NLM_AGENT_MSG_MAX || memcmp(buf, NLM_AGENT_GRANT_MAGIC, 4))
		return -EBADMSG;
	memcpy(from, (const unsigned char *)buf + 4, sizeof(*from));
	memset(&g, 0, sizeof(g));
	xdrmem_create(&x, (char *)buf + 8, (u_int)(len - 8), XDR_DECODE);
	if (xdr_nlm4_testargs(&x, &g) && g.alock.fh.nlm4_netobj_len <= NLM_CLNT_HANDLE_MAX &&
	    g.alock.oh.nlm4_netobj_len <= NLM_CLNT_HANDLE_MAX) {
		/* An empty netobj has no bytes (NULL): nothing to copy. */
		if (g.alock.fh.nlm4_netobj_len)
			memcpy(fh, g.alock.fh.nlm4_netobj_val, g.alock.fh.nlm4_netobj_len);
		if (g.alock.oh.nlm4_netobj_len)
			memcpy(oh, g.alock.oh.nlm4_netobj_val, g.alock.oh.nlm4_netobj_len);
		*out = (struct nlm_clnt_lock){
		    .fh = fh,
		    .fh_len = g.alock.fh.nlm4_netobj_len,
		    .oh = oh,
		    .oh_len = g.alock.oh.nlm4_netobj_len,
		    .svid = g.alock.svid,
		    .offset = g.alock.l_offset,
		    .len = g.alock.l_len,
		    .exclusive = g.exclusive,
		};
		r = 0;
	}
	xdr_free((xdrproc_t)xdr_nlm4_testargs, (char *)&g);
	xdr_destroy(&x);
	return r;
}

struct unmatched {
	struct evloop_work work; /* first */
	struct nlm_clnt *c;
	struct nlm_clnt_lock lock;
	unsigned char fh[NLM_CLNT_HANDLE_MAX], oh[NLM_CLNT_HANDLE_MAX];
};

static void unmatched_work(struct evloop *l, struct evloop_work *w)
{
	struct unmatched *u = (struct unmatched *)w;

	(void)l;
	u->c->unmatched_grant(u->c->arg, &u->lock);
	free(u);
}

/* The agent's word: whether statd watches the server, or that it
 * restarted (statd's callback). */
static void agent_monitor(struct nlm_clnt *c, const unsigned char *buf, size_t len)
{
	uint32_t e;

	if (len != 8)
		return;
	memcpy(&e, buf + 4, 4);
	pthread_mutex_lock(&c->lock);
	c->st.watched = e == 0;
	c->st.watch_error = (int)ntohl(e);
	pthread_mutex_unlock(&c->lock);
}

static void agent_restart(struct nlm_clnt *c, const unsigned char *buf, size_t len)
{
	uint32_t st;
	uint64_t now = evloop_now_ns();

	if (len != 12 || memcmp(buf + 4, &c->server.sin_addr.s_addr, 4))
		return;
	memcpy(&st, buf + 8, 4);
	pthread_mutex_lock(&c->lock);
	if (!c->have_state || c->state != (int32_t)ntohl(st)) {
		c->have_state = true;
		c->state = (int32_t)ntohl(st);
		/* Seen already by its grace answer: that one was passed on. */
		if (c->grace_seen_ns && now - c->grace_seen_ns < RESTART_SEEN_NS)
			c->grace_seen_ns = 0;
		else
			restarted(c, "its statd told this host's");
	}
	pthread_mutex_unlock(&c->lock);
}

/* A grant the agent passed: it ends the wait it names. */
static void agent_grant(struct nlm_clnt *c, const unsigned char *buf, size_t len)
{
	unsigned char fh[NLM_CLNT_HANDLE_MAX], oh[NLM_CLNT_HANDLE_MAX];
	struct nlm_clnt_lock l;
	bool matched = false;
	uint32_t from;

	/* Only this client's server grants its locks. */
	if (nlm_clnt_parse_grant(buf, len, &l, fh, oh, &from) || from != c->server.sin_addr.s_addr)
		return;
	pthread_mutex_lock(&c->lock);
	for (struct evloop_tid *n = evloop_tidmap_first(&c->calls); n; n = evloop_tidmap_next(&c->calls, n)) {
		struct call *k = (struct call *)((char *)n - offsetof(struct call, tid));
		if (k->kind != K_NLM || k->op != NLM_CLNT_LOCK || !(k->flags & NLM_CLNT_BLOCK) || k->req.done ||
		    k->lock.fh_len != l.fh_len || k->lock.oh_len != l.oh_len || k->lock.svid != l.svid ||
		    k->lock.offset != l.offset || k->lock.len != l.len || k->lock.exclusive != l.exclusive ||
		    memcmp(k->fh, fh, l.fh_len) || memcmp(k->oh, oh, l.oh_len))
			continue;
		c->st.grants++;
		end_call(c, k, 0);
		matched = true;
		break;
	}
	if (!matched)
		c->st.unmatched++;
	pthread_mutex_unlock(&c->lock);
	if (matched || !c->unmatched_grant)
		return;
	/* Handled as work, so after the finish work of a call that a reply
	 * in this same round ended: its done function records the lock
	 * first, and the caller then sees it held rather than give it back. */
	struct unmatched *u = malloc(sizeof(*u));
	if (!u)
		return;
	u->c = c;
	u->lock = l;
	memcpy(u->fh, fh, l.fh_len);
	memcpy(u->oh, oh, l.oh_len);
	u->lock.fh = u->fh;
	u->lock.oh = u->oh;
	evloop_work_init(&u->work, unmatched_work);
	if (!evloop_work_queue(c->loop, &u->work))
		free(u);
}

static void agent_join(struct nlm_clnt *c);

static void agent_leave(struct nlm_clnt *c)
{
	if (c->agent_h)
		evloop_fd_del(c->loop, c->agent_h);
	c->agent_h = NULL;
	if (c->agent_fd >= 0)
		close(c->agent_fd);
	c->agent_fd = -1;
	pthread_mutex_lock(&c->lock);
	c->st.agent = false;
	c->st.watched = false;
	pthread_mutex_unlock(&c->lock);
}

static void on_agent(struct evloop *l, int fd, uint32_t events, void *arg)
{
	struct nlm_clnt *c = arg;
	unsigned char buf[NLM_AGENT_MSG_MAX];

	(void)events;
	for (int i = 0; i < RECV_PER_WAKEUP; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			c->agent_spoke = true;
		if (n >= 4 && !memcmp(buf, NLM_AGENT_MONITOR_MAGIC, 4)) {
			agent_monitor(c, buf, (size_t)n);
			continue;
		}
		if (n >= 4 && !memcmp(buf, NLM_AGENT_RESTART_MAGIC, 4)) {
			agent_restart(c, buf, (size_t)n);
			continue;
		}
		if (n > 0) {
			agent_grant(c, buf, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		/* The agent went (its lockd stopped or restarted): join it
		 * again later; until then waits re-ask. One that closed at once
		 * without a word did not take the hello: an older netfuse-lockd
		 * (version 1 only) is joined with a version 1 hello, and back. */
		if (!c->agent_spoke && c->agent_v2_tried)
			c->agent_v1 = true;
		else if (!c->agent_v2_tried)
			c->agent_v1 = false; /* perhaps a newer one next time */
		agent_leave(c);
		evloop_timer_arm(l, &c->agent_timer, evloop_now_ns() + AGENT_RETRY_NS);
		return;
	}
}

static void agent_timer(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct nlm_clnt *c = arg;

	(void)t;
	agent_join(c);
	if (c->agent_fd < 0)
		evloop_timer_arm(l, &c->agent_timer, evloop_now_ns() + AGENT_RETRY_NS);
}

/* Connect and say hello; quietly nothing when no agent listens. */
static void agent_join(struct nlm_clnt *c)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	unsigned char hello[NLM_AGENT_HELLO_LEN];
	uint32_t vers = htonl(NLM_AGENT_VERSION);
	int fd;

	if (!c->agent_path || c->agent_fd >= 0 || strlen(c->agent_path) >= sizeof(sun.sun_path))
		return;
	strcpy(sun.sun_path, c->agent_path);
	size_t hello_len = c->agent_v1 ? NLM_AGENT_HELLO1_LEN : NLM_AGENT_HELLO_LEN;
	if (c->agent_v1)
		vers = htonl(1);
	memcpy(hello, NLM_AGENT_HELLO_MAGIC, 4);
	memcpy(hello + 4, &vers, sizeof(vers));
	memcpy(hello + 8, c->agent_id, NLM_AGENT_ID_LEN);
	memcpy(hello + 16, &c->server.sin_addr.s_addr, 4);
	uint32_t flags = htonl(c->joined_before ? NLM_AGENT_HELLO_REJOIN : 0);
	memcpy(hello + 20, &flags, 4);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    send(fd, hello, hello_len, MSG_NOSIGNAL) != (ssize_t)hello_len) {
		close(fd);
		return;
	}
	c->agent_fd = fd;
	c->agent_h = evloop_fd_add(c->loop, fd, EPOLLIN, on_agent, c);
	if (!c->agent_h) {
		close(fd);
		c->agent_fd = -1;
		return;
	}
	c->joined_before = true;
	c->agent_spoke = false;
	c->agent_v2_tried = !c->agent_v1;
	pthread_mutex_lock(&c->lock);
	c->st.agent = true;
	pthread_mutex_unlock(&c->lock);
}

static void agent_start(void *arg)
{
	struct nlm_clnt *c = arg;

	agent_join(c);
	if (c->agent_path && c->agent_fd < 0)
		evloop_timer_arm(c->loop, &c->agent_timer, evloop_now_ns() + AGENT_RETRY_NS);
}

static void agent_stop(void *arg)
{
	struct nlm_clnt *c = arg;

	evloop_timer_cancel(c->loop, &c->agent_timer);
	agent_leave(c);
}

/* ---- the API ---------------------------------------------------------------------------- */

int nlm_clnt_start(struct nlm_clnt *c, enum nlm_clnt_op op, const struct nlm_clnt_lock *l, unsigned flags,
		   struct evloop_cancel *cancel, nlm_clnt_done_fn done, void *arg)
{
	struct call *k;

	if (l->fh_len > NLM_CLNT_HANDLE_MAX || l->oh_len > NLM_CLNT_HANDLE_MAX || (unsigned)op > NLM_CLNT_CANCEL)
		return -EINVAL;
	k = call_new(c, K_NLM);
	if (!k)
		return -ENOMEM;
	k->op = op;
	k->flags = flags;
	k->lock = *l;
	if (l->fh_len)
		memcpy(k->fh, l->fh, l->fh_len);
	if (l->oh_len)
		memcpy(k->oh, l->oh, l->oh_len);
	k->done = done;
	k->arg = arg;
	k->tok = cancel;
	pthread_mutex_lock(&c->lock);
	c->st.calls++;
	/* Two references: the call's own (put once its done function ran) and
	 * the start work's, since a token already fired may finish the call
	 * before the start work runs. */
	evloop_req_get(&k->req);
	pthread_mutex_unlock(&c->lock);
	evloop_cancel_attach(cancel, &k->req);
	if (!evloop_work_queue(c->loop, &k->start_work)) {
		evloop_cancel_detach(cancel, &k->req);
		pthread_mutex_lock(&c->lock);
		/* The caller is told -ESHUTDOWN: no done function. A cancel op
		 * queued by a token that had fired finishes the call and drops
		 * its own reference; otherwise that is ours to drop too. */
		k->done = NULL;
		if (!k->req.cancel_queued)
			evloop_req_put(&k->req);
		evloop_req_put(&k->req);
		pthread_mutex_unlock(&c->lock);
		return -ESHUTDOWN;
	}
	return 0;
}

struct sync_wait {
	struct evloop_completion done;
	struct nlm_clnt_holder *h;
};

static void sync_done(void *arg, int result, const struct nlm_clnt_holder *h)
{
	struct sync_wait *w = arg;

	if (h && w->h)
		*w->h = *h;
	evloop_completion_done(&w->done, result);
}

int nlm_clnt_call(struct nlm_clnt *c, enum nlm_clnt_op op, const struct nlm_clnt_lock *l, unsigned flags,
		  struct evloop_cancel *cancel, struct nlm_clnt_holder *h)
{
	struct sync_wait w = {.h = h};
	int r;

	evloop_completion_init(&w.done);
	r = nlm_clnt_start(c, op, l, flags, cancel, sync_done, &w);
	if (!r)
		r = evloop_completion_wait(&w.done, EVLOOP_NEVER);
	evloop_completion_destroy(&w.done);
	return r;
}

void nlm_clnt_stats(struct nlm_clnt *c, struct nlm_clnt_stats *st)
{
	pthread_mutex_lock(&c->lock);
	*st = c->st;
	st->port = ntohs(c->server.sin_port);
	st->reachable = c->reachable;
	pthread_mutex_unlock(&c->lock);
}

/* The first GETPORT, waited for by nlm_clnt_new. */
struct first_getport {
	struct nlm_clnt *c;
	struct call *k;
};

static void first_getport_begin(void *arg)
{
	struct first_getport *f = arg;
	struct nlm_clnt *c = f->c;

	pthread_mutex_lock(&c->lock);
	if (!take_xid(c, f->k) || !encode(c, f->k) || !send_fresh(c, f->k))
		end_call(c, f->k, -ENOMEM);
	pthread_mutex_unlock(&c->lock);
}

static void getport_done(void *arg, int result, const struct nlm_clnt_holder *h)
{
	(void)h;
	evloop_completion_done(arg, result);
}

/* Every call still running ends with -ESHUTDOWN; nlm_clnt_free runs their
 * done functions once the loop has stopped. */
static void shutdown_calls(void *arg)
{
	struct nlm_clnt *c = arg;

	pthread_mutex_lock(&c->lock);
	c->closing = true;
	for (struct evloop_tid *n = evloop_tidmap_first(&c->calls), *next; n; n = next) {
		struct call *k = (struct call *)((char *)n - offsetof(struct call, tid));
		next = evloop_tidmap_next(&c->calls, n);
		/* A call already cancelled has its cancel op queued: it runs
		 * before the loop stops and finishes the call. */
		if (!k->req.done)
			end_call(c, k, -ESHUTDOWN);
	}
	while (c->deferred) {
		struct call *k = c->deferred;
		c->deferred = k->dnext;
		k->deferred = false;
		if (!k->req.done)
			end_call(c, k, -ESHUTDOWN);
	}
	pthread_mutex_unlock(&c->lock);
}

int nlm_clnt_new(const struct nlm_clnt_config *cfg, struct nlm_clnt **out, char *err, size_t errlen)
{
	struct nlm_clnt *c = calloc(1, sizeof(*c));
	struct sockaddr_in any = {.sin_family = AF_INET};
	int r;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	evloop_tidmap_init(&c->calls);
	c->fd = -1;
	c->agent_fd = -1;
	evloop_timer_init(&c->agent_timer, agent_timer, c);
	memcpy(c->agent_id, cfg->agent_id, sizeof(c->agent_id));
	c->unmatched_grant = cfg->unmatched_grant;
	c->server_restarted = cfg->server_restarted;
	evloop_work_init(&c->restart_work, restart_work);
	evloop_work_init(&c->undefer_work, undefer_work);
	c->arg = cfg->arg;
	c->server = cfg->server;
	c->fixed_port = cfg->server.sin_port != 0;
	c->timeout_ns = (cfg->timeout_ms ? cfg->timeout_ms : DEFAULT_TIMEOUT) * EVLOOP_NS_PER_MS;
	c->health = cfg->health;
	c->server_name = strdup(cfg->server_name ? cfg->server_name : "lock server");
	c->caller_name = strdup(cfg->caller_name ? cfg->caller_name : "localhost");
	if (getrandom(&c->xid_base, sizeof(c->xid_base), 0) != sizeof(c->xid_base))
		c->xid_base = (uint32_t)evloop_now_ns();
	r = -ENOMEM;
	if (cfg->agent_path && !(c->agent_path = strdup(cfg->agent_path)))
		goto fail;
	if (!c->server_name || !c->caller_name || !(c->loop = evloop_new("nlm-clnt")))
		goto fail;
	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || bind(c->fd, (const struct sockaddr *)&any, sizeof(any)) < 0) {
		r = -errno;
		snprintf(err, errlen, "lock client socket: %s", strerror(errno));
		goto fail;
	}
	c->efd = evloop_fd_add(c->loop, c->fd, EPOLLIN, on_readable, c);
	if (!c->efd || (r = evloop_start(c->loop)) < 0) {
		r = c->efd ? r : -errno;
		snprintf(err, errlen, "lock client loop: %s", strerror(-r));
		goto fail;
	}
	c->started = true;
	if (!c->fixed_port) {
		struct evloop_completion done;
		struct first_getport f = {.c = c, .k = call_new(c, K_GETPORT)};

		if (!f.k) {
			r = -ENOMEM;
			goto fail;
		}
		f.k->done = getport_done;
		f.k->arg = &done;
		uint64_t wait_ns = c->timeout_ns < GETPORT_TIMEOUT * EVLOOP_NS_PER_MS
				       ? c->timeout_ns
				       : GETPORT_TIMEOUT * EVLOOP_NS_PER_MS;
		f.k->timeout_ns = wait_ns;
		evloop_completion_init(&done);
		r = evloop_call(c->loop, first_getport_begin, &f);
		if (!r)
			r = evloop_completion_wait(&done, EVLOOP_NEVER);
		evloop_completion_destroy(&done);
		if (r == -EPROTONOSUPPORT)
			snprintf(err, errlen, "lock server %s: no NLM version 4 over UDP registered with its rpcbind",
				 c->server_name);
		else if (r == -ETIMEDOUT)
			snprintf(err, errlen, "lock server %s: its rpcbind (port %d) did not answer in %.1f s",
				 c->server_name, RPCBIND_PORT, (double)wait_ns / 1e9);
		else if (r)
			snprintf(err, errlen, "lock server %s: %s", c->server_name, strerror(-r));
		if (r)
			goto fail;
	}
	evloop_call_sync(c->loop, agent_start, c, EVLOOP_NEVER);
	pthread_mutex_lock(&c->lock);
	report(c, true, 0, "NLM version 4 over UDP");
	pthread_mutex_unlock(&c->lock);
	*out = c;
	return 0;
fail:
	nlm_clnt_free(c);
	return r;
}

void nlm_clnt_free(struct nlm_clnt *c)
{
	if (!c)
		return;
	if (c->started) {
		evloop_call_sync(c->loop, agent_stop, c, EVLOOP_NEVER);
		evloop_call_sync(c->loop, shutdown_calls, c, EVLOOP_NEVER);
		evloop_stop(c->loop);
	}
	/* The loop is gone: the calls that ended while closing get their done
	 * functions here. */
	while (c->finished) {
		struct call *k = c->finished;
		c->finished = k->fnext;
		call_finish_work(c->loop, &k->finish_work);
	}
	if (c->loop) {
		if (c->efd)
			evloop_fd_del(c->loop, c->efd);
		evloop_free(c->loop);
	}
	if (c->fd >= 0)
		close(c->fd);
	evloop_tidmap_destroy(&c->calls);
	pthread_mutex_destroy(&c->lock);
	free(c->server_name);
	free(c->caller_name);
	free(c->agent_path);
	free(c);
}
