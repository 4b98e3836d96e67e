/*
 * nlm/lockd_callout.c: the calls netfuse-lockd makes (see lockd_callout.h).
 *
 * One entry per (host address, program, version): the port its rpcbind gave,
 * or a GETPORT in flight with the messages waiting for it. A GETPORT is
 * tried three times a second apart; then the waiting messages are dropped
 * and the entry remembers the failure for ten seconds, so a dead host costs
 * one lookup per ten seconds, not one per grant retry.
 */
#include "config.h"

#include "lockd_callout.h"

#include <errno.h>
#include <netinet/in.h>
#include <rpc/rpc.h>
#include <rpc/pmap_prot.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

#include "evloop/evloop.h"
#include "nlm4_prot.h"
#include "rpc_msg.h"
#include "sm_prot.h"

#define PORT_TTL_NS	  (60 * EVLOOP_NS_PER_S)
#define FAILED_TTL_NS	  (10 * EVLOOP_NS_PER_S)
#define GETPORT_RETRY_NS  EVLOOP_NS_PER_S
#define GETPORT_TRIES	  3
#define MAX_WAITING	  64	     /* messages held per entry while its port is looked up */
#define MAX_WAITING_BYTES (4u << 20) /* in all: a flood of _MSG calls from many addresses is bounded */
#define MAX_ENTRIES	  4096
#define CALLOUT_BUF	  8192

struct waiting {
	struct waiting *next;
	size_t len;
	unsigned char msg[];
};

enum entry_state { RESOLVING, KNOWN, FAILED };

struct entry {
	struct entry *next;
	struct in_addr host;
	uint32_t prog, vers;
	enum entry_state state;
	uint16_t port;	/* KNOWN */
	uint64_t until; /* KNOWN, FAILED: when to ask again; RESOLVING: next try */
	uint32_t xid;	/* RESOLVING */
	unsigned tries; /* RESOLVING */
	struct waiting *wait, **wait_tail;
	unsigned nwait;
};

struct lockd_callout {
	struct evloop *loop;
	int fd;
	struct evloop_fd *h;
	struct evloop_timer timer;
	struct entry *entries;
	unsigned nentries;
	size_t waiting_bytes;
	uint32_t next_xid;
	struct lockd_callout_stats st;
	void (*reply)(void *arg, uint32_t xid, const struct sockaddr_in *from);
	void *reply_arg;
};

static void drop_waiting(struct lockd_callout *c, struct entry *e, bool unreachable)
{
	while (e->wait) {
		struct waiting *w = e->wait;

		e->wait = w->next;
		if (unreachable)
			c->st.unreachable++;
		c->waiting_bytes -= w->len;
		free(w);
	}
	e->wait_tail = &e->wait;
	e->nwait = 0;
}

static void send_to(struct lockd_callout *c, struct in_addr host, uint16_t port, const void *msg, size_t len)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = host};

	/* UDP: a datagram that cannot go now is as lost as one lost on the
	 * wire, and the grant is sent again. */
	(void)sendto(c->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&to, sizeof(to));
}

static void send_getport(struct lockd_callout *c, struct entry *e)
{
	unsigned char buf[128];
	struct pmap args = {.pm_prog = e->prog, .pm_vers = e->vers, .pm_prot = IPPROTO_UDP, .pm_port = 0};
	XDR x;

	xdrmem_create(&x, (char *)buf, sizeof(buf), XDR_ENCODE);
	if (rpc_put_call_head(&x, e->xid, PMAPPROG, PMAPVERS, PMAPPROC_GETPORT) && xdr_pmap(&x, &args)) {
		send_to(c, e->host, PMAPPORT, buf, xdr_getpos(&x));
		c->st.getports++;
	}
	xdr_destroy(&x);
}

static void arm(struct lockd_callout *c)
{
	uint64_t next = EVLOOP_NEVER;

	for (struct entry *e = c->entries; e; e = e->next)
		if (e->state == RESOLVING && e->until < next)
			next = e->until;
	if (next == EVLOOP_NEVER)
		evloop_timer_cancel(c->loop, &c->timer);
	else
		evloop_timer_arm(c->loop, &c->timer, next);
}

static void start_getport(struct lockd_callout *c, struct entry *e, uint64_t now)
{
	e->state = RESOLVING;
	e->xid = ++c->next_xid;
	e->tries = 1;
	e->until = now + GETPORT_RETRY_NS;
	send_getport(c, e);
	arm(c);
}

static void on_timer(struct evloop *loop, struct evloop_timer *t, void *arg)
{
	struct lockd_callout *c = arg;
	uint64_t now = evloop_now_ns();

	(void)loop;
	(void)t;
	for (struct entry *e = c->entries; e; e = e->next) {
		if (e->state != RESOLVING || e->until > now)
			continue;
		if (e->tries >= GETPORT_TRIES) {
			e->state = FAILED;
			e->until = now + FAILED_TTL_NS;
			drop_waiting(c, e, true);
			continue;
		}
		e->tries++;
		e->until = now + GETPORT_RETRY_NS;
		send_getport(c, e);
	}
	arm(c);
}

static void got_port(struct lockd_callout *c, struct entry *e, uint16_t port)
{
	uint64_t now = evloop_now_ns();

	if (port == 0) { /* the host runs no such service */
		e->state = FAILED;
		e->until = now + FAILED_TTL_NS;
		drop_waiting(c, e, true);
	} else {
		e->state = KNOWN;
		e->port = port;
		e->until = now + PORT_TTL_NS;
		for (struct waiting *w = e->wait; w; w = w->next) {
			send_to(c, e->host, port, w->msg, w->len);
			c->st.sent++;
		}
		drop_waiting(c, e, false);
	}
	arm(c);
}

static void on_readable(struct evloop *loop, int fd, uint32_t events, void *arg)
{
	struct lockd_callout *c = arg;
	unsigned char buf[CALLOUT_BUF];

	(void)loop;
	(void)events;
	for (;;) {
		struct sockaddr_in from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return;
		if (fromlen < sizeof(from) || from.sin_family != AF_INET)
			continue;

		uint32_t xid, st;
		u_int port;
		XDR x;
		xdrmem_create(&x, (char *)buf, (u_int)n, XDR_DECODE);
		bool ok = rpc_get_reply_head(&x, &xid, &st) && st == SUCCESS;
		bool pmap = ntohs(from.sin_port) == PMAPPORT;
		if (ok && pmap)
			ok = xdr_u_int(&x, &port) && port <= 65535;
		xdr_destroy(&x);
		if (!ok)
			continue;
		if (!pmap) {
			/* A service's answer to a call of ours: NLM _RES and
			 * GRANTED_MSG answers are void and dropped; the caller
			 * may want to know of others (SM_NOTIFY's). */
			if (c->reply)
				c->reply(c->reply_arg, xid, &from);
			continue;
		}
		for (struct entry *e = c->entries; e; e = e->next)
			if (e->state == RESOLVING && e->xid == xid && e->host.s_addr == from.sin_addr.s_addr) {
				got_port(c, e, (uint16_t)port);
				break;
			}
	}
}

/* The entry of (host, prog, vers), made when missing; NULL when the table is
 * full of entries still in use. */
static struct entry *entry_of(struct lockd_callout *c, struct in_addr host, uint32_t prog, uint32_t vers, uint64_t now)
{
	struct entry *e, **pp;

	for (e = c->entries; e; e = e->next)
		if (e->host.s_addr == host.s_addr && e->prog == prog && e->vers == vers)
			return e;
	if (c->nentries >= MAX_ENTRIES) {
		/* Forget one that has expired and holds nothing. */
		for (pp = &c->entries; *pp; pp = &(*pp)->next)
			if ((*pp)->state != RESOLVING && (*pp)->until <= now)
				break;
		if (!*pp)
			return NULL;
		e = *pp;
		*pp = e->next;
		free(e);
		c->nentries--;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->host = host;
	e->prog = prog;
	e->vers = vers;
	e->state = FAILED;
	e->until = 0;
	e->wait_tail = &e->wait;
	e->next = c->entries;
	c->entries = e;
	c->nentries++;
	return e;
}

void lockd_callout_send(struct lockd_callout *c, const struct sockaddr_storage *addr, socklen_t addrlen, uint32_t prog,
			uint32_t vers, const void *msg, size_t len, bool rebind)
{
	uint64_t now = evloop_now_ns();

	if (addr->ss_family != AF_INET || addrlen < sizeof(struct sockaddr_in)) {
		c->st.unreachable++;
		return;
	}
	struct entry *e = entry_of(c, ((const struct sockaddr_in *)addr)->sin_addr, prog, vers, now);
	if (!e) {
		c->st.unreachable++;
		return;
	}
	if (rebind && e->state == KNOWN)
		e->until = now; /* asked again below, the message waiting for it */
	if (e->state == KNOWN && e->until > now) {
		send_to(c, e->host, e->port, msg, len);
		c->st.sent++;
		return;
	}
	if (e->state == FAILED && e->until > now) {
		c->st.unreachable++;
		return;
	}
	struct waiting *w =
	    e->nwait < MAX_WAITING && c->waiting_bytes + len <= MAX_WAITING_BYTES ? malloc(sizeof(*w) + len) : NULL;
	if (!w) {
		c->st.unreachable++;
		return;
	}
	w->next = NULL;
	w->len = len;
	c->waiting_bytes += len;
	memcpy(w->msg, msg, len);
	*e->wait_tail = w;
	e->wait_tail = &w->next;
	e->nwait++;
	if (e->state != RESOLVING)
		start_getport(c, e, now);
}

struct lockd_callout *lockd_callout_new(struct evloop *loop)
{
	struct lockd_callout *c = calloc(1, sizeof(*c));
	struct sockaddr_in any = {.sin_family = AF_INET};

	if (!c)
		return NULL;
	c->loop = loop;
	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&any, sizeof(any)) < 0)
		goto fail;
	if (getrandom(&c->next_xid, sizeof(c->next_xid), GRND_NONBLOCK) != sizeof(c->next_xid))
		c->next_xid = (uint32_t)getpid() << 16;
	evloop_timer_init(&c->timer, on_timer, c);
	c->h = evloop_fd_add(loop, c->fd, EPOLLIN, on_readable, c);
	if (!c->h)
		goto fail;
	return c;
fail : {
	int e = errno;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	errno = e;
	return NULL;
}
}

void lockd_callout_free(struct lockd_callout *c)
{
	if (!c)
		return;
	evloop_timer_cancel(c->loop, &c->timer);
	evloop_fd_del(c->loop, c->h);
	close(c->fd);
	while (c->entries) {
		struct entry *e = c->entries;

		c->entries = e->next;
		drop_waiting(c, e, false);
		free(e);
	}
	free(c);
}

void lockd_callout_on_reply(struct lockd_callout *c,
			    void (*fn)(void *arg, uint32_t xid, const struct sockaddr_in *from), void *arg)
{
	c->reply = fn;
	c->reply_arg = arg;
}

uint32_t lockd_callout_xid(struct lockd_callout *c)
{
	return ++c->next_xid;
}

void lockd_callout_stats(const struct lockd_callout *c, struct lockd_callout_stats *st)
{
	*st = c->st;
}

int lockd_statd_monitor(const char *mon_name, uint32_t my_vers, const unsigned char *priv, unsigned timeout_ms)
{
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	CLIENT *cl = clnt_create_timed("127.0.0.1", SM_PROG, SM_VERS, "udp", &tv);
	sm_mon args;
	sm_stat_res res;

	if (!cl)
		return -ECONNREFUSED;
	memset(&args, 0, sizeof(args));
	args.mon_id.mon_name = (char *)mon_name;
	/* statd calls back through this host's rpcbind, to our version 4. */
	args.mon_id.my_id.my_name = "127.0.0.1";
	args.mon_id.my_id.my_prog = NLM_PROG;
	args.mon_id.my_id.my_vers = my_vers;
	args.mon_id.my_id.my_proc = NLMPROC4_SM_NOTIFY;
	memcpy(args.priv, priv, sizeof(args.priv));
	memset(&res, 0, sizeof(res));
	enum clnt_stat st =
	    clnt_call(cl, SM_MON, (xdrproc_t)xdr_sm_mon, (char *)&args, (xdrproc_t)xdr_sm_stat_res, (char *)&res, tv);
	clnt_destroy(cl);
	if (st != RPC_SUCCESS)
		return st == RPC_TIMEDOUT ? -ETIMEDOUT : -ECONNREFUSED;
	return res.res_stat == STAT_SUCC ? 0 : -ENOLCK;
}
