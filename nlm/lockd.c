/*
 * nlm/lockd.c: the NLM server's protocol engine (see lockd.h).
 *
 * A call is decoded with libtirpc's XDR primitives (the RPC header) and the
 * routines rpcgen made from the project's .x files (the arguments). Version
 * 1 and 3 arguments are widened to version 4's types on the way in, and
 * results narrowed on the way out, so each procedure is written once, in
 * version 4's terms.
 *
 * A blocked request is a struct blocked: the core holds it as the waiter's
 * cookie; once granted it moves to the list of grants the client has not
 * acknowledged, and leaves that when the client's GRANTED_RES comes (from
 * the address the request came from), a CANCEL or UNLOCK makes it moot, or
 * its host reboots. As in Linux's lockd (nlmsvc_grant_reply), the lock
 * stays held whatever the answer: a client that no longer waits unlocks it
 * itself, and a client that answered GRANTED to a first callback whose
 * answer was lost answers DENIED to the re-send while it holds the lock.
 * Only DENIED_GRACE_PERIOD makes lockd send again later.
 */
#include "config.h"

#include "lockd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <rpc/rpc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <string.h>

#include "lock_core.h"
#include "nlm3_prot.h"
#include "nlm4_prot.h"
#include "rpc_msg.h"

struct host {
	struct host *next;
	uint32_t id;
	bool monitored, in_use;
	int monitor_error;	      /* the last SM_MON refusal, */
	uint64_t monitor_retry_ns;    /* kept until then */
	struct sockaddr_storage addr; /* the port cleared */
	socklen_t addrlen;
	char name[];
};

struct blocked {
	struct blocked *next; /* the grants list, once granted */
	uint64_t id;	      /* the GRANTED_MSG's cookie, once granted */
	uint32_t host_id, vers;
	struct lockd_peer peer;
	unsigned sent;
	uint64_t next_ns;
	bool exclusive;
	int32_t svid;
	uint64_t offset, len; /* as the client asked */
	char *caller;
	uint32_t fh_len, oh_len;
	unsigned char *fh, *oh;
	unsigned char buf[]; /* caller, fh, oh */
};

struct lockd {
	struct nlm_core *core;
	struct lockd_config cfg;
	struct lockd_ops ops;
	void *arg;
	uint64_t grace_end_ns;
	struct host *hosts;
	size_t nhosts;
	uint32_t next_host_id;
	uint64_t last_gc_ns;
	struct blocked *grants, **grants_tail;
	uint64_t next_grant_id;
	uint32_t next_xid;
	struct lockd_stats st;
};

/* ---- hosts ---------------------------------------------------------------- */

/* @addr without its port: one host may call from many ports. */
static void addr_no_port(const struct lockd_peer *p, struct sockaddr_storage *out, socklen_t *len)
{
	memset(out, 0, sizeof(*out));
	*len = p->addrlen <= sizeof(*out) ? p->addrlen : sizeof(*out);
	memcpy(out, &p->addr, *len);
	if (out->ss_family == AF_INET && *len >= sizeof(struct sockaddr_in))
		((struct sockaddr_in *)out)->sin_port = 0;
	else if (out->ss_family == AF_INET6 && *len >= sizeof(struct sockaddr_in6))
		((struct sockaddr_in6 *)out)->sin6_port = 0;
}

static int mark_lock_host(void *arg, const struct nlm_lock_desc *d)
{
	struct lockd *l = arg;

	for (struct host *h = l->hosts; h; h = h->next)
		if (h->id == d->owner.host)
			h->in_use = true;
	return 0;
}

static int mark_share_host(void *arg, const struct nlm_share_desc *d)
{
	struct lockd *l = arg;

	for (struct host *h = l->hosts; h; h = h->next)
		if (h->id == d->owner.host)
			h->in_use = true;
	return 0;
}

/* Forgets the hosts with nothing in the core and no grant pending. */
static void hosts_gc(struct lockd *l)
{
	for (struct host *h = l->hosts; h; h = h->next)
		h->in_use = false;
	nlm_core_for_each_lock(l->core, NULL, mark_lock_host, l);
	nlm_core_for_each_waiter(l->core, NULL, mark_lock_host, l);
	nlm_core_for_each_share(l->core, NULL, mark_share_host, l);
	for (struct blocked *g = l->grants; g; g = g->next)
		for (struct host *h = l->hosts; h; h = h->next)
			if (h->id == g->host_id)
				h->in_use = true;
	for (struct host **pp = &l->hosts; *pp;) {
		struct host *h = *pp;

		if (h->in_use) {
			pp = &h->next;
			continue;
		}
		*pp = h->next;
		free(h);
		l->nhosts--;
	}
}

/*
 * The host @name at @from's address, made when new. NULL when the table is
 * full, or the address already has LOCKD_MAX_HOSTS_PER_ADDR names (one
 * client cannot fill the table by inventing names), even after forgetting
 * the hosts that hold nothing; that walk over every lock runs at most once
 * a second.
 */
static struct host *host_get(struct lockd *l, const char *name, const struct lockd_peer *from, uint64_t now)
{
	struct sockaddr_storage addr;
	socklen_t addrlen;
	unsigned same_addr = 0;

	addr_no_port(from, &addr, &addrlen);
	for (struct host *h = l->hosts; h; h = h->next)
		if (h->addrlen == addrlen && !memcmp(&h->addr, &addr, addrlen)) {
			if (!strcmp(h->name, name))
				return h;
			same_addr++;
		}
	if ((l->nhosts >= LOCKD_MAX_HOSTS || same_addr >= LOCKD_MAX_HOSTS_PER_ADDR) &&
	    now >= l->last_gc_ns + 1000000000ull) {
		l->last_gc_ns = now;
		hosts_gc(l);
		same_addr = 0;
		for (struct host *h = l->hosts; h; h = h->next)
			same_addr += h->addrlen == addrlen && !memcmp(&h->addr, &addr, addrlen);
	}
	if (l->nhosts >= LOCKD_MAX_HOSTS || same_addr >= LOCKD_MAX_HOSTS_PER_ADDR)
		return NULL;
	size_t nlen = strlen(name);
	struct host *h = calloc(1, sizeof(*h) + nlen + 1);
	if (!h)
		return NULL;
	memcpy(h->name, name, nlen + 1);
	h->addr = addr;
	h->addrlen = addrlen;
	h->id = ++l->next_host_id;
	if (h->id == 0) /* 2^32 hosts later */
		h->id = ++l->next_host_id;
	h->next = l->hosts;
	l->hosts = h;
	l->nhosts++;
	return h;
}

/* @h's address as text without the port: the name lockd gives statd for the
 * host, as Linux's lockd does unless nsm_use_hostnames is set (a client's
 * caller_name need not resolve, and statd refuses a name it cannot). */
static void host_addr_str(const struct host *h, char *buf, size_t len)
{
	const void *a = NULL;

	if (h->addr.ss_family == AF_INET)
		a = &((const struct sockaddr_in *)&h->addr)->sin_addr;
	else if (h->addr.ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)&h->addr)->sin6_addr;
	if (!a || !inet_ntop(h->addr.ss_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

/* 0 when @h is monitored (or need not be). A refusal is remembered for
 * LOCKD_MONITOR_RETRY_NS, so that a statd that does not answer costs one
 * wait then, not one per request. */
static int host_monitor(struct lockd *l, struct host *h, uint64_t now)
{
	char addr[INET6_ADDRSTRLEN];

	if (h->monitored || !l->ops.monitor)
		return 0;
	if (now < h->monitor_retry_ns)
		return h->monitor_error;
	host_addr_str(h, addr, sizeof(addr));
	int r = l->ops.monitor(l->arg, addr, h->id);
	if (r == 0) {
		h->monitored = true;
	} else {
		h->monitor_error = r;
		h->monitor_retry_ns = now + LOCKD_MONITOR_RETRY_NS;
	}
	return r;
}

/* ---- blocked requests and grants ------------------------------------------ */

static void blocked_free(struct blocked *b)
{
	free(b);
}

static struct blocked *blocked_new(const struct host *h, const struct lockd_peer *from, uint32_t vers,
				   const nlm4_lockargs *a)
{
	size_t clen = strlen(a->alock.caller_name) + 1;
	struct blocked *b = calloc(1, sizeof(*b) + clen + a->alock.fh.nlm4_netobj_len + a->alock.oh.nlm4_netobj_len);

	if (!b)
		return NULL;
	b->host_id = h->id;
	b->vers = vers;
	b->peer = *from;
	b->exclusive = a->exclusive;
	b->svid = a->alock.svid;
	b->offset = a->alock.l_offset;
	b->len = a->alock.l_len;
	b->caller = (char *)b->buf;
	memcpy(b->caller, a->alock.caller_name, clen);
	b->fh = b->buf + clen;
	b->fh_len = a->alock.fh.nlm4_netobj_len;
	if (b->fh_len)
		memcpy(b->fh, a->alock.fh.nlm4_netobj_val, b->fh_len);
	b->oh = b->fh + b->fh_len;
	b->oh_len = a->alock.oh.nlm4_netobj_len;
	if (b->oh_len)
		memcpy(b->oh, a->alock.oh.nlm4_netobj_val, b->oh_len);
	return b;
}

/* The core granted a waiter: it now waits for the client's GRANTED_RES. The
 * call goes out from lockd_tick, after the core call returns. */
static void on_granted(void *arg, const struct nlm_lock_desc *lock, void *cookie)
{
	struct lockd *l = arg;
	struct blocked *b = cookie;

	(void)lock;
	b->id = ++l->next_grant_id;
	b->next_ns = 0;
	b->sent = 0;
	b->next = NULL;
	*l->grants_tail = b;
	l->grants_tail = &b->next;
}

static void on_dropped(void *arg, void *cookie)
{
	(void)arg;
	blocked_free(cookie);
}

static void grants_fix_tail(struct lockd *l)
{
	l->grants_tail = &l->grants;
	while (*l->grants_tail)
		l->grants_tail = &(*l->grants_tail)->next;
}

/* Removes the grants @match picks (their locks stay). */
static void grants_remove(struct lockd *l, bool (*match)(const struct blocked *, const void *), const void *key)
{
	for (struct blocked **pp = &l->grants; *pp;) {
		struct blocked *b = *pp;

		if (!match(b, key)) {
			pp = &b->next;
			continue;
		}
		*pp = b->next;
		blocked_free(b);
	}
	grants_fix_tail(l);
}

static bool match_grant_id(const struct blocked *b, const void *key)
{
	return b->id == *(const uint64_t *)key;
}

static bool match_grant_any(const struct blocked *b, const void *key)
{
	(void)b;
	(void)key;
	return true;
}

static bool match_grant_host(const struct blocked *b, const void *key)
{
	return b->host_id == *(const uint32_t *)key;
}

/* An UNLOCK of exactly a pending grant's lock makes it moot. */
static bool match_grant_lock(const struct blocked *b, const void *key)
{
	const struct nlm_lock_args *a = key;

	return b->host_id == a->owner.host && b->svid == a->owner.svid && b->oh_len == a->owner.oh.len &&
	       (b->oh_len == 0 || !memcmp(b->oh, a->owner.oh.data, b->oh_len)) && b->fh_len == a->fh.len &&
	       (b->fh_len == 0 || !memcmp(b->fh, a->fh.data, b->fh_len)) && b->offset == a->offset && b->len == a->len;
}

/* ---- replies ---------------------------------------------------------------- */

static size_t reply_error(void *reply, uint32_t xid, uint32_t accept_stat)
{
	XDR x;
	size_t n = 0;

	xdrmem_create(&x, reply, LOCKD_REPLY_MAX, XDR_ENCODE);
	if (rpc_put_reply_head(&x, xid, accept_stat) &&
	    (accept_stat != PROG_MISMATCH || (rpc_put_u32(&x, NLM_VERS) && rpc_put_u32(&x, NLM4_VERS))))
		n = xdr_getpos(&x);
	xdr_destroy(&x);
	return n;
}

/* Encodes a successful reply with @res (NULL: void). */
static size_t reply_ok(void *reply, uint32_t xid, xdrproc_t proc, void *res)
{
	XDR x;
	size_t n = 0;

	xdrmem_create(&x, reply, LOCKD_REPLY_MAX, XDR_ENCODE);
	if (rpc_put_reply_head(&x, xid, SUCCESS) && (!proc || proc(&x, res)))
		n = xdr_getpos(&x);
	xdr_destroy(&x);
	return n ? n : reply_error(reply, xid, SYSTEM_ERR);
}

/* ---- versions 1 and 3 <-> 4 ------------------------------------------------ */

static nlm4_lock widen_lock(const nlm_lock *a)
{
	return (nlm4_lock){.caller_name = a->caller_name,
			   .fh = a->fh,
			   .oh = a->oh,
			   .svid = a->svid,
			   .l_offset = a->l_offset,
			   .l_len = a->l_len};
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Version 4's statuses in version 1 and 3's five (Linux's cast_status). */
static nlm_stats narrow_stat(nlm4_stats s)
{
	switch (s) {
	case NLM4_GRANTED:
	case NLM4_DENIED:
	case NLM4_DENIED_NOLOCKS:
	case NLM4_BLOCKED:
	case NLM4_DENIED_GRACE_PERIOD:
		return (nlm_stats)s;
	case NLM4_DEADLCK:
		return NLM_DENIED;
	default:
		return NLM_DENIED_NOLOCKS;
	}
}

static void narrow_res(const nlm4_res *r, nlm_res *out)
{
	out->cookie = r->cookie;
	out->stat.stat = narrow_stat(r->stat.stat);
}

static void narrow_testres(const nlm4_testres *r, nlm_testres *out)
{
	out->cookie = r->cookie;
	out->stat.stat = narrow_stat(r->stat.stat);
	if (r->stat.stat == NLM4_DENIED) {
		const nlm4_holder *h = &r->stat.nlm4_testrply_u.holder;
		nlm_holder *o = &out->stat.nlm_testrply_u.holder;

		o->exclusive = h->exclusive;
		o->svid = h->svid;
		o->oh = h->oh;
		o->l_offset = clamp32(h->l_offset);
		o->l_len = clamp32(h->l_len);
	}
}

/* ---- the procedures, in version 4's terms ---------------------------------- */

static nlm4_stats stat_of(int r)
{
	switch (r) {
	case 0:
		return NLM4_GRANTED;
	case -EAGAIN:
		return NLM4_DENIED;
	case -EINPROGRESS:
	case -EALREADY:
		return NLM4_BLOCKED;
	case -EDEADLK:
		return NLM4_DEADLCK;
	case -EOVERFLOW:
		return NLM4_FBIG;
	case -ENOMEM:
		return NLM4_DENIED_NOLOCKS;
	default:
		return NLM4_FAILED;
	}
}

static struct nlm_lock_args lock_args(const struct host *h, const nlm4_lock *a, bool exclusive)
{
	return (struct nlm_lock_args){
	    .fh = {a->fh.nlm4_netobj_val, a->fh.nlm4_netobj_len},
	    .owner = {.host = h->id, .svid = a->svid, .oh = {a->oh.nlm4_netobj_val, a->oh.nlm4_netobj_len}},
	    .type = exclusive ? NLM_LOCK_EXCLUSIVE : NLM_LOCK_SHARED,
	    .offset = a->l_offset,
	    .len = a->l_len,
	};
}

struct call {
	struct lockd *l;
	const struct lockd_peer *from;
	uint32_t vers;
	uint64_t now;
};

static void do_test(struct call *c, nlm4_testargs *a, nlm4_testres *r)
{
	struct lockd *l = c->l;

	r->cookie = a->cookie;
	if (lockd_in_grace(l, c->now)) {
		r->stat.stat = NLM4_DENIED_GRACE_PERIOD;
		return;
	}
	struct host *h = host_get(l, a->alock.caller_name, c->from, c->now);
	if (!h) {
		r->stat.stat = NLM4_DENIED_NOLOCKS;
		return;
	}
	struct nlm_lock_args la = lock_args(h, &a->alock, a->exclusive);
	struct nlm_lock_desc d;
	int e = nlm_core_test(l->core, &la, &d);
	r->stat.stat = stat_of(e);
	if (e == -EAGAIN) {
		nlm4_holder *o = &r->stat.nlm4_testrply_u.holder;

		o->exclusive = d.type == NLM_LOCK_EXCLUSIVE;
		o->svid = d.owner.svid;
		/* Points into the core, which does not change before the reply
		 * is encoded. */
		o->oh.nlm4_netobj_val = (char *)d.owner.oh.data;
		o->oh.nlm4_netobj_len = d.owner.oh.len;
		nlm_range_to_nlm4(d.start, d.end, &o->l_offset, &o->l_len);
	}
}

static void do_lock(struct call *c, nlm4_lockargs *a, bool monitor, nlm4_res *r)
{
	struct lockd *l = c->l;
	bool grace = lockd_in_grace(l, c->now);

	r->cookie = a->cookie;
	if (grace != (bool)a->reclaim) {
		r->stat.stat = NLM4_DENIED_GRACE_PERIOD;
		return;
	}
	struct host *h = host_get(l, a->alock.caller_name, c->from, c->now);
	if (!h || (monitor && host_monitor(l, h, c->now) != 0)) {
		r->stat.stat = NLM4_DENIED_NOLOCKS;
		return;
	}
	struct nlm_lock_args la = lock_args(h, &a->alock, a->exclusive);
	struct blocked *b = NULL;
	if (a->block) {
		b = blocked_new(h, c->from, c->vers, a);
		if (!b) {
			r->stat.stat = NLM4_DENIED_NOLOCKS;
			return;
		}
	}
	int e = nlm_core_lock(l->core, &la, a->block, b);
	if (e != -EINPROGRESS)
		blocked_free(b); /* not queued: the cookie is still ours */
	r->stat.stat = stat_of(e);
}

static void do_cancel(struct call *c, nlm4_cancargs *a, nlm4_res *r)
{
	struct lockd *l = c->l;

	r->cookie = a->cookie;
	struct host *h = host_get(l, a->alock.caller_name, c->from, c->now);
	if (!h) {
		r->stat.stat = NLM4_DENIED_NOLOCKS;
		return;
	}
	struct nlm_lock_args la = lock_args(h, &a->alock, a->exclusive);
	int e = nlm_core_cancel(l->core, &la);
	/* Nothing to cancel is no error: the request was granted meanwhile, or
	 * never queued. A grant of it not yet acknowledged is not sent again;
	 * the lock stays until the client unlocks it (Linux's client sends
	 * UNLOCK after a CANCEL for that race). */
	if (e == -ENOENT)
		grants_remove(l, match_grant_lock, &la);
	r->stat.stat = e == -ENOENT ? NLM4_GRANTED : stat_of(e);
}

static void do_unlock(struct call *c, nlm4_unlockargs *a, nlm4_res *r)
{
	struct lockd *l = c->l;

	r->cookie = a->cookie;
	struct host *h = host_get(l, a->alock.caller_name, c->from, c->now);
	if (!h) {
		r->stat.stat = NLM4_DENIED_NOLOCKS;
		return;
	}
	struct nlm_lock_args la = lock_args(h, &a->alock, false);
	int e = nlm_core_unlock(l->core, &la);
	if (e == 0) {
		/* The owner's waits for exactly this range go too (Linux's
		 * nlmsvc_unlock cancels first), and a grant of it is moot. */
		nlm_core_cancel(l->core, &la);
		la.type = NLM_LOCK_EXCLUSIVE;
		nlm_core_cancel(l->core, &la);
		grants_remove(l, match_grant_lock, &la);
	}
	r->stat.stat = stat_of(e);
}

/* A server's GRANTED to a client on this host: the host's clients say
 * whether one of them waited for it. */
static void do_granted(struct call *c, nlm4_testargs *a, nlm4_res *r)
{
	struct lockd *l = c->l;
	const nlm4_lock *k = &a->alock;
	struct lockd_grant g = {
	    .from = c->from,
	    .caller_name = k->caller_name ? k->caller_name : "",
	    .fh = k->fh.nlm4_netobj_val,
	    .fh_len = k->fh.nlm4_netobj_len,
	    .oh = k->oh.nlm4_netobj_val,
	    .oh_len = k->oh.nlm4_netobj_len,
	    .svid = k->svid,
	    .offset = k->l_offset,
	    .len = k->l_len,
	    .exclusive = a->exclusive,
	};

	r->cookie = a->cookie;
	r->stat.stat = l->ops.client_granted && l->ops.client_granted(l->arg, &g) ? NLM4_GRANTED : NLM4_DENIED;
}

/* Is @p the host a grant was made to (its address, any port)? */
static bool same_host(const struct lockd_peer *a, const struct lockd_peer *b)
{
	struct sockaddr_storage x, y;
	socklen_t xl, yl;

	addr_no_port(a, &x, &xl);
	addr_no_port(b, &y, &yl);
	return xl == yl && !memcmp(&x, &y, xl);
}

static void do_granted_res(struct call *c, const nlm4_res *a)
{
	struct lockd *l = c->l;
	uint64_t id;

	if (a->cookie.nlm4_netobj_len != sizeof(id))
		return;
	memcpy(&id, a->cookie.nlm4_netobj_val, sizeof(id));
	for (struct blocked *b = l->grants; b; b = b->next) {
		if (b->id != id || !same_host(&b->peer, c->from))
			continue;
		if (a->stat.stat == NLM4_DENIED_GRACE_PERIOD) {
			/* The client restarted and is reclaiming: again later. */
			b->next_ns = c->now + l->cfg.retry_ns;
			return;
		}
		if (a->stat.stat == NLM4_GRANTED)
			l->st.grants_acked++;
		grants_remove(l, match_grant_id, &id);
		return;
	}
}

static void do_share(struct call *c, nlm4_shareargs *a, bool share, nlm4_shareres *r)
{
	struct lockd *l = c->l;

	r->cookie = a->cookie;
	r->sequence = 0;
	if (share && lockd_in_grace(l, c->now) != (bool)a->reclaim) {
		r->stat = NLM4_DENIED_GRACE_PERIOD;
		return;
	}
	struct host *h = host_get(l, a->share.caller_name, c->from, c->now);
	if (!h || (share && host_monitor(l, h, c->now) != 0)) {
		r->stat = NLM4_DENIED_NOLOCKS;
		return;
	}
	struct nlm_netobj fh = {a->share.fh.nlm4_netobj_val, a->share.fh.nlm4_netobj_len};
	struct nlm_owner o = {
	    .host = h->id, .svid = 0, .oh = {a->share.oh.nlm4_netobj_val, a->share.oh.nlm4_netobj_len}};
	int e;
	if (!share)
		e = nlm_core_unshare(l->core, &fh, &o);
	else if ((unsigned)a->share.access > fsa_RW || (unsigned)a->share.mode > fsm_DRW)
		e = -EINVAL;
	else
		e = nlm_core_share(l->core, &fh, &o, (unsigned)a->share.access, (unsigned)a->share.mode);
	r->stat = stat_of(e);
}

/* statd's callback must come from this host's statd: loopback, and a
 * privileged port as statd binds (Linux's nlm_privileged_requester). */
static bool from_local_statd(const struct lockd_peer *p)
{
	if (p->addr.ss_family == AF_INET && p->addrlen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&p->addr;
		return (ntohl(s->sin_addr.s_addr) >> 24) == 127 && ntohs(s->sin_port) < 1024;
	}
	if (p->addr.ss_family == AF_INET6 && p->addrlen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&p->addr;
		return IN6_IS_ADDR_LOOPBACK(&s->sin6_addr) && ntohs(s->sin6_port) < 1024;
	}
	return false;
}

/* ---- calls lockd makes ------------------------------------------------------ */

/* Sends @proc(@args) to the client: a _RES, or a GRANTED_MSG. */
static void call_client(struct lockd *l, const struct lockd_client *to, uint32_t xid, uint32_t proc, xdrproc_t enc,
			void *args)
{
	char *buf;
	XDR x;

	if (!l->ops.call_client || !(buf = malloc(LOCKD_REPLY_MAX)))
		return;
	xdrmem_create(&x, buf, LOCKD_REPLY_MAX, XDR_ENCODE);
	if (rpc_put_call_head(&x, xid, NLM_PROG, to->vers, proc) && enc(&x, args))
		l->ops.call_client(l->arg, to, buf, xdr_getpos(&x));
	xdr_destroy(&x);
	free(buf);
}

static void send_grant(struct lockd *l, struct blocked *b)
{
	char cookie[sizeof(b->id)];
	struct lockd_client to = {.name = b->caller, .peer = &b->peer, .vers = b->vers, .resend = b->sent};
	nlm4_lock lk = {.caller_name = (char *)(l->cfg.server_name ? l->cfg.server_name : ""),
			.fh = {b->fh_len, (char *)b->fh},
			.oh = {b->oh_len, (char *)b->oh},
			.svid = b->svid,
			.l_offset = b->offset,
			.l_len = b->len};

	memcpy(cookie, &b->id, sizeof(cookie));
	nlm4_testargs a4 = {.cookie = {sizeof(cookie), cookie}, .exclusive = b->exclusive, .alock = lk};
	l->st.granted_msgs++;
	if (b->vers == NLM4_VERS) {
		call_client(l, &to, ++l->next_xid, NLMPROC4_GRANTED_MSG, (xdrproc_t)xdr_nlm4_testargs, &a4);
		return;
	}
	nlm_testargs a3 = {.cookie = a4.cookie,
			   .exclusive = b->exclusive,
			   .alock = {.caller_name = lk.caller_name,
				     .fh = lk.fh,
				     .oh = lk.oh,
				     .svid = b->svid,
				     .l_offset = clamp32(b->offset),
				     .l_len = clamp32(b->len)}};
	call_client(l, &to, ++l->next_xid, NLMPROC4_GRANTED_MSG, (xdrproc_t)xdr_nlm_testargs, &a3);
}

uint64_t lockd_tick(struct lockd *l, uint64_t now_ns)
{
	uint64_t next = UINT64_MAX;

	for (struct blocked *b = l->grants; b; b = b->next) {
		if (b->next_ns <= now_ns) {
			send_grant(l, b);
			b->sent++;
			b->next_ns = now_ns + l->cfg.retry_ns;
			if (b->sent == LOCKD_GRANT_UNANSWERED && l->ops.note)
				l->ops.note(l->arg, LOCKD_NOTE_GRANT_UNANSWERED, b->caller);
		}
		if (b->next_ns < next)
			next = b->next_ns;
	}
	return next;
}

/* ---- dispatch --------------------------------------------------------------- */

/* The argument and result of any procedure, in both encodings. */
union args {
	nlm4_testargs test4;
	nlm4_lockargs lock4;
	nlm4_cancargs canc4;
	nlm4_unlockargs unlock4;
	nlm4_res res4;
	nlm4_testres testres4;
	nlm4_sm_status sm;
	nlm4_shareargs share4;
	nlm4_notify notify;
	nlm_testargs test3;
	nlm_lockargs lock3;
	nlm_cancargs canc3;
	nlm_unlockargs unlock3;
	nlm_res res3;
	nlm_testres testres3;
};

union results {
	nlm4_res res4;
	nlm4_testres testres4;
	nlm4_shareres shareres4;
	nlm_res res3;
	nlm_testres testres3;
	nlm_shareres shareres3;
};

/* NULL's argument: nothing (xdr_void has another type). */
static bool_t xdr_no_args(XDR *x, void *p)
{
	(void)x;
	(void)p;
	return TRUE;
}

/* The argument decoder of @proc in @vers; NULL for an unknown procedure. */
static xdrproc_t args_decoder(uint32_t vers, uint32_t proc)
{
	bool v4 = vers == NLM4_VERS;

	if (vers == NLM_VERS && proc >= 20)
		return NULL;
	switch (proc) {
	case NLMPROC4_NULL:
	case NLMPROC4_TEST_RES:
	case NLMPROC4_LOCK_RES:
	case NLMPROC4_CANCEL_RES:
	case NLMPROC4_UNLOCK_RES:
		/* The _RES of TEST carries a testres; none of them is used but
		 * GRANTED_RES's, so they are decoded as what they are. */
		if (proc == NLMPROC4_TEST_RES)
			return v4 ? (xdrproc_t)xdr_nlm4_testres : (xdrproc_t)xdr_nlm_testres;
		return proc == NLMPROC4_NULL ? (xdrproc_t)xdr_no_args
					     : (v4 ? (xdrproc_t)xdr_nlm4_res : (xdrproc_t)xdr_nlm_res);
	case NLMPROC4_GRANTED_RES:
		return v4 ? (xdrproc_t)xdr_nlm4_res : (xdrproc_t)xdr_nlm_res;
	case NLMPROC4_TEST:
	case NLMPROC4_TEST_MSG:
	case NLMPROC4_GRANTED:
	case NLMPROC4_GRANTED_MSG:
		return v4 ? (xdrproc_t)xdr_nlm4_testargs : (xdrproc_t)xdr_nlm_testargs;
	case NLMPROC4_LOCK:
	case NLMPROC4_LOCK_MSG:
	case NLMPROC4_NM_LOCK:
		return v4 ? (xdrproc_t)xdr_nlm4_lockargs : (xdrproc_t)xdr_nlm_lockargs;
	case NLMPROC4_CANCEL:
	case NLMPROC4_CANCEL_MSG:
		return v4 ? (xdrproc_t)xdr_nlm4_cancargs : (xdrproc_t)xdr_nlm_cancargs;
	case NLMPROC4_UNLOCK:
	case NLMPROC4_UNLOCK_MSG:
		return v4 ? (xdrproc_t)xdr_nlm4_unlockargs : (xdrproc_t)xdr_nlm_unlockargs;
	case NLMPROC4_SM_NOTIFY:
		return (xdrproc_t)xdr_nlm4_sm_status;
	case NLMPROC4_SHARE:
	case NLMPROC4_UNSHARE:
		/* Version 3's share arguments are version 4's. */
		return (xdrproc_t)xdr_nlm4_shareargs;
	case NLMPROC4_FREE_ALL:
		return (xdrproc_t)xdr_nlm4_notify;
	default:
		return NULL;
	}
}

/* Version 1 and 3 arguments as version 4's (pointers into @in). */
static void widen_args(uint32_t proc, union args *in, union args *out)
{
	switch (proc) {
	case NLMPROC4_TEST:
	case NLMPROC4_TEST_MSG:
	case NLMPROC4_GRANTED:
	case NLMPROC4_GRANTED_MSG:
		out->test4 = (nlm4_testargs){in->test3.cookie, in->test3.exclusive, widen_lock(&in->test3.alock)};
		break;
	case NLMPROC4_LOCK:
	case NLMPROC4_LOCK_MSG:
	case NLMPROC4_NM_LOCK:
		out->lock4 = (nlm4_lockargs){in->lock3.cookie,	  in->lock3.block,
					     in->lock3.exclusive, widen_lock(&in->lock3.alock),
					     in->lock3.reclaim,	  in->lock3.state};
		break;
	case NLMPROC4_CANCEL:
	case NLMPROC4_CANCEL_MSG:
		out->canc4 = (nlm4_cancargs){in->canc3.cookie, in->canc3.block, in->canc3.exclusive,
					     widen_lock(&in->canc3.alock)};
		break;
	case NLMPROC4_UNLOCK:
	case NLMPROC4_UNLOCK_MSG:
		out->unlock4 = (nlm4_unlockargs){in->unlock3.cookie, widen_lock(&in->unlock3.alock)};
		break;
	case NLMPROC4_GRANTED_RES:
		out->res4.cookie = in->res3.cookie;
		out->res4.stat.stat = (nlm4_stats)in->res3.stat.stat;
		break;
	default:
		*out = *in;
	}
}

/* The _RES procedure answering a _MSG one. */
static uint32_t res_proc_of(uint32_t msg_proc)
{
	return msg_proc + (NLMPROC4_TEST_RES - NLMPROC4_TEST_MSG);
}

/*
 * Runs @proc on version 4 arguments; fills @res and says how to encode it
 * (NULL: a void result), in the caller's version. Returns the RPC accept
 * status.
 */
static uint32_t run(struct call *c, uint32_t proc, union args *a, union results *res, xdrproc_t *enc)
{
	struct lockd *l = c->l;
	bool v4 = c->vers == NLM4_VERS;
	union results r4;

	*enc = NULL;
	memset(&r4, 0, sizeof(r4));
	switch (proc) {
	case NLMPROC4_NULL:
	case NLMPROC4_TEST_RES:
	case NLMPROC4_LOCK_RES:
	case NLMPROC4_CANCEL_RES:
	case NLMPROC4_UNLOCK_RES:
		return SUCCESS;
	case NLMPROC4_GRANTED_RES:
		do_granted_res(c, &a->res4);
		return SUCCESS;
	case NLMPROC4_SM_NOTIFY:
		if (!from_local_statd(c->from))
			return SYSTEM_ERR;
		if (!memcmp(a->sm.priv, LOCKD_SM_PRIV_SERVER, sizeof(a->sm.priv))) {
			/* A server this host's mounts lock at restarted. */
			if (l->ops.server_restarted)
				l->ops.server_restarted(l->arg, a->sm.mon_name, a->sm.state);
			return SUCCESS;
		}
		lockd_addr_rebooted(l, a->sm.mon_name);
		return SUCCESS;
	case NLMPROC4_FREE_ALL:
		lockd_client_freed(l, a->notify.name, c->from);
		return SUCCESS;
	case NLMPROC4_SHARE:
	case NLMPROC4_UNSHARE:
		do_share(c, &a->share4, proc == NLMPROC4_SHARE, &r4.shareres4);
		if (v4) {
			res->shareres4 = r4.shareres4;
			*enc = (xdrproc_t)xdr_nlm4_shareres;
		} else {
			res->shareres3 =
			    (nlm_shareres){r4.shareres4.cookie, narrow_stat(r4.shareres4.stat), r4.shareres4.sequence};
			*enc = (xdrproc_t)xdr_nlm_shareres;
		}
		return SUCCESS;
	case NLMPROC4_TEST:
	case NLMPROC4_TEST_MSG:
		do_test(c, &a->test4, &r4.testres4);
		if (v4) {
			res->testres4 = r4.testres4;
			*enc = (xdrproc_t)xdr_nlm4_testres;
		} else {
			narrow_testres(&r4.testres4, &res->testres3);
			*enc = (xdrproc_t)xdr_nlm_testres;
		}
		return SUCCESS;
	case NLMPROC4_LOCK:
	case NLMPROC4_LOCK_MSG:
	case NLMPROC4_NM_LOCK:
		do_lock(c, &a->lock4, proc != NLMPROC4_NM_LOCK, &r4.res4);
		break;
	case NLMPROC4_CANCEL:
	case NLMPROC4_CANCEL_MSG:
		do_cancel(c, &a->canc4, &r4.res4);
		break;
	case NLMPROC4_UNLOCK:
	case NLMPROC4_UNLOCK_MSG:
		do_unlock(c, &a->unlock4, &r4.res4);
		break;
	case NLMPROC4_GRANTED:
	case NLMPROC4_GRANTED_MSG:
		do_granted(c, &a->test4, &r4.res4);
		break;
	default:
		return PROC_UNAVAIL;
	}
	if (v4) {
		res->res4 = r4.res4;
		*enc = (xdrproc_t)xdr_nlm4_res;
	} else {
		narrow_res(&r4.res4, &res->res3);
		*enc = (xdrproc_t)xdr_nlm_res;
	}
	return SUCCESS;
}

static const char *caller_of(uint32_t proc, const union args *a)
{
	switch (proc) {
	case NLMPROC4_TEST_MSG:
	case NLMPROC4_GRANTED_MSG:
		return a->test4.alock.caller_name;
	case NLMPROC4_LOCK_MSG:
		return a->lock4.alock.caller_name;
	case NLMPROC4_CANCEL_MSG:
		return a->canc4.alock.caller_name;
	case NLMPROC4_UNLOCK_MSG:
		return a->unlock4.alock.caller_name;
	default:
		return "";
	}
}

size_t lockd_dispatch(struct lockd *l, const struct lockd_peer *from, const void *msg, size_t len, void *reply,
		      uint64_t now_ns)
{
	uint32_t xid, mtype, rpcvers, prog, vers, proc;
	union args wire, a;
	union results res;
	size_t n;
	XDR x;

	if (len > UINT32_MAX)
		return 0;
	/* xdrmem wants a writable pointer; decoding never writes through it. */
	xdrmem_create(&x, (char *)msg, (u_int)len, XDR_DECODE);
	if (!xdr_u_int(&x, &xid) || !xdr_u_int(&x, &mtype) || mtype != CALL || !xdr_u_int(&x, &rpcvers)) {
		xdr_destroy(&x);
		return 0; /* no call: replies to calls lockd made are not its business */
	}
	l->st.calls++;
	if (rpcvers != RPC_MSG_VERSION) {
		XDR o;
		n = 0;
		xdrmem_create(&o, reply, LOCKD_REPLY_MAX, XDR_ENCODE);
		if (rpc_put_u32(&o, xid) && rpc_put_u32(&o, REPLY) && rpc_put_u32(&o, MSG_DENIED) &&
		    rpc_put_u32(&o, RPC_MISMATCH) && rpc_put_u32(&o, RPC_MSG_VERSION) &&
		    rpc_put_u32(&o, RPC_MSG_VERSION))
			n = xdr_getpos(&o);
		xdr_destroy(&o);
		xdr_destroy(&x);
		return n;
	}
	if (!xdr_u_int(&x, &prog) || !xdr_u_int(&x, &vers) || !xdr_u_int(&x, &proc) || !rpc_skip_auth(&x) ||
	    !rpc_skip_auth(&x)) {
		xdr_destroy(&x);
		l->st.garbage++;
		return reply_error(reply, xid, GARBAGE_ARGS);
	}
	if (prog != NLM_PROG) {
		xdr_destroy(&x);
		return reply_error(reply, xid, PROG_UNAVAIL);
	}
	if (vers != NLM_VERS && vers != NLM_VERSX && vers != NLM4_VERS) {
		xdr_destroy(&x);
		return reply_error(reply, xid, PROG_MISMATCH);
	}
	xdrproc_t dec = args_decoder(vers, proc);
	if (!dec) {
		xdr_destroy(&x);
		return reply_error(reply, xid, PROC_UNAVAIL);
	}
	memset(&wire, 0, sizeof(wire));
	if (!dec(&x, &wire)) {
		xdr_destroy(&x);
		xdr_free(dec, (char *)&wire);
		l->st.garbage++;
		return reply_error(reply, xid, GARBAGE_ARGS);
	}
	xdr_destroy(&x);

	memset(&a, 0, sizeof(a));
	if (vers == NLM4_VERS)
		a = wire;
	else
		widen_args(proc, &wire, &a);
	struct call c = {.l = l, .from = from, .vers = vers, .now = now_ns};
	xdrproc_t enc;
	memset(&res, 0, sizeof(res));
	uint32_t st = run(&c, proc, &a, &res, &enc);

	if (st != SUCCESS) {
		n = reply_error(reply, xid, st);
	} else if (proc >= NLMPROC4_TEST_MSG && proc <= NLMPROC4_GRANTED_MSG) {
		/* The answer goes back as a call of the _RES procedure; the
		 * call itself gets a void reply. */
		struct lockd_client to = {.name = caller_of(proc, &a), .peer = from, .vers = vers};
		call_client(l, &to, ++l->next_xid, res_proc_of(proc), enc, &res);
		n = reply_ok(reply, xid, NULL, NULL);
	} else {
		n = reply_ok(reply, xid, enc, &res);
	}
	xdr_free(dec, (char *)&wire);
	/* Grants made by this call go out now. */
	if (l->grants)
		lockd_tick(l, now_ns);
	return n;
}

/* ---- life ----------------------------------------------------------------- */

struct lockd *lockd_new(const struct lockd_config *cfg, const struct lockd_ops *ops, void *arg, uint64_t now_ns)
{
	struct lockd *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->core = nlm_core_new(on_granted, on_dropped, l);
	if (!l->core) {
		free(l);
		return NULL;
	}
	l->cfg = *cfg;
	if (ops)
		l->ops = *ops;
	l->arg = arg;
	l->grace_end_ns = now_ns + cfg->grace_ns;
	if (l->cfg.retry_ns < LOCKD_RETRY_MIN_NS)
		l->cfg.retry_ns = LOCKD_RETRY_MIN_NS;
	/* Grant ids start at random: a GRANTED_RES is taken only with the id
	 * of a grant sent, from the host it was sent to. */
	if (getrandom(&l->next_grant_id, sizeof(l->next_grant_id), GRND_NONBLOCK) != sizeof(l->next_grant_id))
		l->next_grant_id = now_ns;
	l->grants_tail = &l->grants;
	return l;
}

void lockd_free(struct lockd *l)
{
	if (!l)
		return;
	grants_remove(l, match_grant_any, NULL);
	nlm_core_free(l->core);
	while (l->hosts) {
		struct host *h = l->hosts;

		l->hosts = h->next;
		free(h);
	}
	free(l);
}

static void hosts_rebooted_one(struct lockd *l, struct host *h)
{
	grants_remove(l, match_grant_host, &h->id);
	nlm_core_release_host(l->core, h->id);
	h->monitored = false;
	if (l->ops.note)
		l->ops.note(l->arg, LOCKD_NOTE_HOST_REBOOTED, h->name);
}

/* Drops everything of the hosts @match picks. */
static void hosts_rebooted(struct lockd *l, bool (*match)(const struct host *, const char *), const char *key)
{
	for (struct host *h = l->hosts; h; h = h->next)
		if (match(h, key))
			hosts_rebooted_one(l, h);
}

static bool host_named(const struct host *h, const char *name)
{
	return !strcmp(h->name, name);
}

static bool host_at(const struct host *h, const char *addr)
{
	char a[INET6_ADDRSTRLEN];

	host_addr_str(h, a, sizeof(a));
	return !strcmp(a, addr);
}

void lockd_host_rebooted(struct lockd *l, const char *name)
{
	hosts_rebooted(l, host_named, name);
}

void lockd_client_freed(struct lockd *l, const char *name, const struct lockd_peer *from)
{
	struct sockaddr_storage addr;
	socklen_t len;

	addr_no_port(from, &addr, &len);
	for (struct host *h = l->hosts; h; h = h->next)
		if (!strcmp(h->name, name) && h->addrlen == len && !memcmp(&h->addr, &addr, len)) {
			hosts_rebooted_one(l, h);
			return;
		}
}

void lockd_addr_rebooted(struct lockd *l, const char *addr)
{
	hosts_rebooted(l, host_at, addr);
}

bool lockd_in_grace(const struct lockd *l, uint64_t now_ns)
{
	return now_ns < l->grace_end_ns;
}

void lockd_stats(const struct lockd *l, struct lockd_stats *st)
{
	*st = l->st;
	st->hosts = l->nhosts;
	st->objects = nlm_core_objects(l->core);
	st->pending_grants = 0;
	for (const struct blocked *b = l->grants; b; b = b->next)
		st->pending_grants++;
}
