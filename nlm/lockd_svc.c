/*
 * nlm/lockd_svc.c: netfuse-lockd's service (see lockd_svc.h).
 *
 * Everything runs on one evloop thread: the engine is single-threaded, and
 * an NLM server's work per call is a few list walks, far below the cost of
 * the datagram around it. The only blocking call is SM_MON to the local
 * statd, once per client host (Linux's lockd makes it the same way).
 */
#include "config.h"

#include "lockd_svc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <rpc/pmap_clnt.h>
#include <rpc/pmap_prot.h>
#include <rpc/rpc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "evloop/evloop.h"
#include "health/health.h"
#include "lockd_agent.h"
#include "lockd_callout.h"
#include "lockd_log.h"
#include "lockd_state.h"
#include "nlm3_prot.h"
#include "nlm4_prot.h"
#include "rpc_msg.h"
#include "sm_prot.h"

#define NOTIFY_FIRST_NS EVLOOP_NS_PER_S
#define NOTIFY_MAX_NS	(8 * EVLOOP_NS_PER_S)
#define NOTIFY_TRIES	10 /* about a minute: past the default grace */

/* An SM_NOTIFY this life sends to a client host an earlier life served. */
struct notify {
	struct notify *next;
	struct in_addr client, server;
	uint32_t xid;
	unsigned tries;
	uint64_t next_ns;
};

struct conn {
	struct conn *prev, *next;
	struct lockd_svc *s;
	int fd;
	struct evloop_fd *h;
	struct lockd_peer peer;
	/* Input: the fragment header being read, then the record so far. */
	unsigned char hdr[4];
	size_t hdr_have;
	uint32_t frag_left;
	bool last_frag;
	unsigned char *rec;
	size_t rec_len;
	/* Output not yet written. */
	unsigned char *out;
	size_t out_len, out_off;
	bool want_write;
	uint64_t last_active; /* CLOCK_MONOTONIC ns of its last input */
};

struct lockd_svc {
	struct lockd_svc_config cfg;
	struct evloop *loop;
	struct lockd *engine;
	struct lockd_callout *callout;
	struct lockd_agent *agent; /* NULL: no agent socket */
	struct lockd_state *state; /* NULL: no state directory */
	struct notify *notifies;   /* not yet answered */
	struct evloop_timer notify_timer;
	unsigned notified, notify_failed;
	int udp_fd, tcp_fd;
	uint16_t udp_port, tcp_port;
	struct evloop_fd *udp_h, *tcp_h;
	struct conn *conns;
	unsigned nconns;
	struct evloop_timer tick, grace, idle;
	bool registered, started;
	int health_fd;
	uint64_t health_seq;
	unsigned char reply[LOCKD_REPLY_MAX];
};

static const uint32_t nlm_versions[] = {NLM_VERS, NLM_VERSX, NLM4_VERS};

/* ---- health log ------------------------------------------------------------ */

static void health_log(struct lockd_svc *s, enum health_domain domain, enum health_type type, const char *who, int err,
		       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void health_log(struct lockd_svc *s, enum health_domain domain, enum health_type type, const char *who, int err,
		       const char *fmt, ...)
{
	struct health_event ev;
	char line[HEALTH_LINE_MAX];
	va_list va;

	if (s->health_fd < 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.seq = ++s->health_seq;
	clock_gettime(CLOCK_REALTIME, &ev.time);
	ev.last_time = ev.time;
	ev.domain = domain;
	ev.type = type;
	ev.count = 1;
	ev.error = err < 0 ? -err : err;
	if (domain == HEALTH_DOMAIN_SESSION) {
		snprintf(ev.server, sizeof(ev.server), "%s", who);
	} else {
		snprintf(ev.source, sizeof(ev.source), "%s", who);
	}
	va_start(va, fmt);
	vsnprintf(ev.reason, sizeof(ev.reason), fmt, va);
	va_end(va);
	int n = health_render(&ev, line, sizeof(line));
	if (n > 0 && write(s->health_fd, line, (size_t)n) != n)
		lockd_log(LOG_WARNING, "health log: %s", strerror(errno));
}

/* ---- the engine's hooks -------------------------------------------------------- */

/* This host's address as @client reaches it: the source the kernel picks
 * for a datagram to it (the name the client's mounts watch this server by). */
static bool address_toward(struct in_addr client, struct in_addr *me)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(PMAPPORT), .sin_addr = client}, self;
	socklen_t len = sizeof(self);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && !connect(fd, (struct sockaddr *)&to, sizeof(to)) &&
		  !getsockname(fd, (struct sockaddr *)&self, &len) && self.sin_family == AF_INET;

	if (fd >= 0)
		close(fd);
	if (ok)
		*me = self.sin_addr;
	return ok;
}

/* A client host that locks here is listed in the state directory, to be
 * told if this lockd restarts. */
static void remember_client(struct lockd_svc *s, const char *host)
{
	struct in_addr client, me;
	int r;

	/* A mount on this host is told by this lockd's agent when it joins
	 * again, not through statd (whose callback for this host's address
	 * would also free the locks it reclaimed). */
	if (!s->state || inet_pton(AF_INET, host, &client) != 1 || !address_toward(client, &me) ||
	    me.s_addr == client.s_addr)
		return;
	if ((r = lockd_state_add(s->state, client, me)))
		lockd_log(LOG_WARNING, "statedir: cannot list client host %s (%s): it will not be told of a restart",
			  host, strerror(-r));
}

static int on_monitor(void *arg, const char *host, uint32_t id)
{
	struct lockd_svc *s = arg;
	unsigned char priv[SM_PRIV_LEN] = {0};

	remember_client(s, host);
	if (!s->cfg.statd)
		return 0;
	memcpy(priv, &id, sizeof(id));
	int r = lockd_statd_monitor(host, NLM4_VERS, priv, s->cfg.statd_timeout_ms);
	if (r == 0) {
		health_log(s, HEALTH_DOMAIN_SESSION, HEALTH_SESSION_ESTABLISHED, host, 0, "client host monitored");
		lockd_log(LOG_DEBUG, "monitoring %s", host);
	} else {
		health_log(s, HEALTH_DOMAIN_SESSION, HEALTH_SICK, host, r,
			   "statd did not monitor the host: locks refused");
		lockd_log(LOG_WARNING, "statd did not monitor %s (%s): its locks are refused", host, strerror(-r));
	}
	return r;
}

static void on_call_client(void *arg, const struct lockd_client *to, const void *msg, size_t len)
{
	struct lockd_svc *s = arg;

	lockd_callout_send(s->callout, &to->peer->addr, to->peer->addrlen, NLM_PROG, to->vers, msg, len,
			   to->resend > 0);
}

static void on_note(void *arg, enum lockd_note what, const char *host)
{
	struct lockd_svc *s = arg;

	switch (what) {
	case LOCKD_NOTE_HOST_REBOOTED:
		health_log(s, HEALTH_DOMAIN_SESSION, HEALTH_SESSION_LOST, host, 0,
			   "client host rebooted: its locks were freed");
		lockd_log(LOG_NOTICE, "%s rebooted: its locks were freed", host);
		break;
	case LOCKD_NOTE_GRANT_UNANSWERED:
		health_log(s, HEALTH_DOMAIN_SESSION, HEALTH_SICK, host, 0,
			   "GRANTED callbacks unanswered: the lock is held for the client, sent again every %llu s",
			   (unsigned long long)(s->cfg.engine.retry_ns / EVLOOP_NS_PER_S));
		lockd_log(LOG_NOTICE, "%s does not answer the GRANTED callbacks of a lock granted to it", host);
		break;
	}
}

/* statd: a lock server this host's mounts lock at restarted. */
static void on_server_restarted(void *arg, const char *mon_name, int32_t state)
{
	struct lockd_svc *s = arg;

	lockd_log(LOG_NOTICE, "lock server %s restarted (state %d): its clients here reclaim their locks", mon_name,
		  state);
	health_log(s, HEALTH_DOMAIN_SESSION, HEALTH_SESSION_LOST, mon_name, 0,
		   "lock server restarted: the mounts here reclaim their locks");
	lockd_agent_server_restarted(s->agent, mon_name, state);
}

/* The agent: have statd watch a mounts' lock server (not this lockd). */
static int on_watch_server(void *arg, struct in_addr server, int32_t *self_state)
{
	struct lockd_svc *s = arg;
	char name[INET_ADDRSTRLEN];
	struct in_addr me;

	if (address_toward(server, &me) && me.s_addr == server.s_addr) {
		*self_state = s->state ? lockd_state_number(s->state) : 1;
		return 0;
	}
	if (!s->cfg.statd)
		return -EOPNOTSUPP;
	inet_ntop(AF_INET, &server, name, sizeof(name));
	int r =
	    lockd_statd_monitor(name, NLM_VERSX, (const unsigned char *)LOCKD_SM_PRIV_SERVER, s->cfg.statd_timeout_ms);
	if (r)
		lockd_log(LOG_WARNING, "statd did not monitor lock server %s (%s): its restarts are seen late", name,
			  strerror(-r));
	return r;
}

/* ---- telling clients of a restart ----------------------------------------------------------- */

static void notify_send(struct lockd_svc *s, struct notify *n)
{
	unsigned char buf[256];
	char name[INET_ADDRSTRLEN];
	struct sockaddr_storage to;
	struct sockaddr_in *sin = (struct sockaddr_in *)&to;
	XDR x;

	inet_ntop(AF_INET, &n->server, name, sizeof(name));
	sm_stat_chge args = {.mon_name = name, .state = lockd_state_number(s->state)};
	memset(&to, 0, sizeof(to));
	sin->sin_family = AF_INET;
	sin->sin_addr = n->client;
	xdrmem_create(&x, (char *)buf, sizeof(buf), XDR_ENCODE);
	if (rpc_put_call_head(&x, n->xid, SM_PROG, SM_VERS, SM_NOTIFY) && xdr_sm_stat_chge(&x, &args))
		lockd_callout_send(s->callout, &to, sizeof(*sin), SM_PROG, SM_VERS, buf, xdr_getpos(&x), n->tries > 1);
	xdr_destroy(&x);
}

static void notify_done(struct lockd_svc *s, struct notify **pp, bool answered)
{
	struct notify *n = *pp;
	char name[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &n->client, name, sizeof(name));
	if (answered) {
		s->notified++;
		lockd_log(LOG_INFO, "client host %s told of the restart", name);
	} else {
		s->notify_failed++;
		health_log(s, HEALTH_DOMAIN_SESSION, HEALTH_SICK, name, ETIMEDOUT,
			   "client host's statd did not answer SM_NOTIFY: its mounts do not know to reclaim");
		lockd_log(LOG_WARNING, "client host %s did not answer SM_NOTIFY after %u tries", name, n->tries);
	}
	lockd_state_forget_earlier(s->state, n->client);
	*pp = n->next;
	free(n);
}

static void notify_rearm(struct lockd_svc *s)
{
	uint64_t next = EVLOOP_NEVER;

	for (struct notify *n = s->notifies; n; n = n->next)
		if (n->next_ns < next)
			next = n->next_ns;
	if (next == EVLOOP_NEVER)
		evloop_timer_cancel(s->loop, &s->notify_timer);
	else
		evloop_timer_arm(s->loop, &s->notify_timer, next);
}

static void on_notify_timer(struct evloop *loop, struct evloop_timer *t, void *arg)
{
	struct lockd_svc *s = arg;
	uint64_t now = evloop_now_ns();

	(void)loop;
	(void)t;
	for (struct notify **pp = &s->notifies; *pp;) {
		struct notify *n = *pp;
		if (n->next_ns > now) {
			pp = &n->next;
			continue;
		}
		if (n->tries >= NOTIFY_TRIES) {
			notify_done(s, pp, false);
			continue;
		}
		uint64_t gap = NOTIFY_FIRST_NS << (n->tries < 3 ? n->tries : 3);
		n->tries++;
		n->next_ns = now + (gap < NOTIFY_MAX_NS ? gap : NOTIFY_MAX_NS);
		notify_send(s, n);
		pp = &n->next;
	}
	notify_rearm(s);
}

/* An answer to a call of ours: an SM_NOTIFY's, when its xid is one. */
static void on_callout_reply(void *arg, uint32_t xid, const struct sockaddr_in *from)
{
	struct lockd_svc *s = arg;

	for (struct notify **pp = &s->notifies; *pp; pp = &(*pp)->next)
		if ((*pp)->xid == xid && (*pp)->client.s_addr == from->sin_addr.s_addr) {
			notify_done(s, pp, true);
			notify_rearm(s);
			return;
		}
}

/* At start: every client host an earlier life listed is told. */
static void notify_start(struct lockd_svc *s)
{
	size_t n;
	const struct lockd_state_client *c = lockd_state_clients(s->state, &n);

	for (size_t i = 0; i < n; i++) {
		struct notify *x;
		if (!c[i].notify || !(x = calloc(1, sizeof(*x))))
			continue;
		x->client = c[i].client;
		x->server = c[i].server;
		x->xid = lockd_callout_xid(s->callout);
		x->next = s->notifies;
		s->notifies = x;
	}
	if (s->notifies) {
		unsigned count = 0;
		for (struct notify *x = s->notifies; x; x = x->next)
			count++;
		lockd_log(LOG_INFO, "telling %u client hosts of an earlier life that lockd restarted", count);
		evloop_timer_arm(s->loop, &s->notify_timer, evloop_now_ns());
	}
}

/* A lock server's grant to a client on this host: its mount's. */
static bool on_client_granted(void *arg, const struct lockd_grant *g)
{
	struct lockd_svc *s = arg;

	return lockd_agent_granted(s->agent, g);
}

/* ---- the grant timer --------------------------------------------------------- */

static void rearm_tick(struct lockd_svc *s, uint64_t next)
{
	if (next == UINT64_MAX)
		evloop_timer_cancel(s->loop, &s->tick);
	else
		evloop_timer_arm(s->loop, &s->tick, next);
}

static void on_tick(struct evloop *loop, struct evloop_timer *t, void *arg)
{
	struct lockd_svc *s = arg;

	(void)loop;
	(void)t;
	rearm_tick(s, lockd_tick(s->engine, evloop_now_ns()));
}

static void conn_close(struct conn *c);

/* Connections idle for LOCKD_SVC_IDLE_NS are closed (Linux's lockd ages
 * out its idle connections after 6 minutes the same way). */
static void on_idle_sweep(struct evloop *loop, struct evloop_timer *t, void *arg)
{
	struct lockd_svc *s = arg;
	uint64_t now = evloop_now_ns();

	for (struct conn *c = s->conns, *next; c; c = next) {
		next = c->next;
		if (now - c->last_active >= LOCKD_SVC_IDLE_NS && c->out_len == 0)
			conn_close(c);
	}
	evloop_timer_arm(loop, t, now + LOCKD_SVC_IDLE_NS / 6);
}

static void on_grace_end(struct evloop *loop, struct evloop_timer *t, void *arg)
{
	struct lockd_svc *s = arg;

	(void)loop;
	(void)t;
	health_log(s, HEALTH_DOMAIN_MOUNT, HEALTH_HEALTHY, "netfuse-lockd", 0, "grace period ended");
	lockd_log(LOG_INFO, "grace period ended");
}

/* One call in, its reply (if any) into s->reply. */
static size_t serve(struct lockd_svc *s, const struct lockd_peer *from, const void *msg, size_t len)
{
	uint64_t now = evloop_now_ns();
	size_t n = lockd_dispatch(s->engine, from, msg, len, s->reply, now);

	/* A call may have queued grants, or ended some: the timer follows. */
	rearm_tick(s, lockd_tick(s->engine, now));
	return n;
}

/* ---- UDP ---------------------------------------------------------------------- */

static void on_udp(struct evloop *loop, int fd, uint32_t events, void *arg)
{
	struct lockd_svc *s = arg;
	unsigned char buf[LOCKD_SVC_RECORD_MAX];

	(void)loop;
	(void)events;
	for (int i = 0; i < 64; i++) { /* then let the other sockets have a turn */
		struct lockd_peer from = {.tcp = false, .addrlen = sizeof(from.addr)};
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from.addr, &from.addrlen);
		if (n < 0)
			return;
		size_t r = serve(s, &from, buf, (size_t)n);
		if (r)
			(void)sendto(fd, s->reply, r, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&from.addr,
				     from.addrlen);
	}
}

/* ---- TCP ------------------------------------------------------------------------ */

static void conn_close(struct conn *c)
{
	struct lockd_svc *s = c->s;

	*(c->prev ? &c->prev->next : &s->conns) = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	evloop_fd_del(s->loop, c->h);
	close(c->fd);
	free(c->rec);
	free(c->out);
	free(c);
}

/* Watches for writability exactly while output is pending: one epoll_ctl
 * when that changes, none per reply. */
static bool conn_want_write(struct conn *c, bool want)
{
	if (c->want_write == want)
		return true;
	c->want_write = want;
	return evloop_fd_mod(c->s->loop, c->h, EPOLLIN | (want ? EPOLLOUT : 0)) == 0;
}

/* Writes what is pending; false when the connection failed. */
static bool conn_flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return false;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	return conn_want_write(c, c->out_len != 0);
}

/* Sends one reply record: straight to the socket when nothing is pending
 * (the usual case: one sendmsg per reply), the rest kept for EPOLLOUT. */
static bool conn_send_reply(struct conn *c, const unsigned char *reply, size_t len)
{
	uint32_t mark = htonl(0x80000000u | (uint32_t)len);
	size_t sent = 0, total = len + 4;

	if (c->out_len == 0) {
		struct iovec iov[2] = {{&mark, 4}, {(void *)reply, len}};
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
		ssize_t n = sendmsg(c->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return false;
		sent = n > 0 ? (size_t)n : 0;
		if (sent == total)
			return true;
	}
	/* What was written goes first, so the buffer holds only what is
	 * pending; a client that sends calls and does not read the replies is
	 * cut off rather than allowed to grow it without end. */
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + total - sent > 16 * LOCKD_SVC_RECORD_MAX)
		return false;
	unsigned char *out = realloc(c->out, c->out_len + total - sent);
	if (!out)
		return false;
	c->out = out;
	for (size_t i = sent; i < total; i++)
		c->out[c->out_len++] = i < 4 ? ((unsigned char *)&mark)[i] : reply[i - 4];
	return conn_flush(c);
}

/* Reads what the socket has; false when the connection ends. */
static bool conn_read(struct conn *c)
{
	unsigned char buf[16384];
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0)
		return false;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	for (size_t i = 0; i < (size_t)n;) {
		if (c->hdr_have < 4) {
			c->hdr[c->hdr_have++] = buf[i++];
			if (c->hdr_have < 4)
				continue;
			uint32_t mark;
			memcpy(&mark, c->hdr, 4);
			mark = ntohl(mark);
			c->last_frag = mark & 0x80000000u;
			c->frag_left = mark & 0x7fffffffu;
			if (c->rec_len + c->frag_left > LOCKD_SVC_RECORD_MAX)
				return false;
			unsigned char *rec = realloc(c->rec, c->rec_len + c->frag_left + 1);
			if (!rec)
				return false;
			c->rec = rec;
		}
		size_t take = (size_t)n - i < c->frag_left ? (size_t)n - i : c->frag_left;
		memcpy(c->rec + c->rec_len, buf + i, take);
		c->rec_len += take;
		c->frag_left -= (uint32_t)take;
		i += take;
		if (c->frag_left)
			continue;
		c->hdr_have = 0;
		if (!c->last_frag)
			continue;
		size_t r = serve(c->s, &c->peer, c->rec, c->rec_len);
		c->rec_len = 0;
		if (r && !conn_send_reply(c, c->s->reply, r))
			return false;
	}
	return true;
}

static void on_conn(struct evloop *loop, int fd, uint32_t events, void *arg)
{
	struct conn *c = arg;

	(void)loop;
	(void)fd;
	c->last_active = evloop_now_ns();
	if ((events & EPOLLOUT) && !conn_flush(c)) {
		conn_close(c);
		return;
	}
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !conn_read(c))
		conn_close(c);
}

static void on_accept(struct evloop *loop, int fd, uint32_t events, void *arg)
{
	struct lockd_svc *s = arg;

	(void)loop;
	(void)events;
	for (;;) {
		struct lockd_peer peer = {.tcp = true, .addrlen = sizeof(peer.addr)};
		int cfd = accept4(fd, (struct sockaddr *)&peer.addr, &peer.addrlen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0)
			return;
		/* Full: the connection idle longest makes room, as Linux's
		 * svc_check_conn_limits does; a client reconnects when it needs. */
		if (s->nconns >= LOCKD_SVC_MAX_CONNS) {
			struct conn *idlest = s->conns;
			for (struct conn *o = s->conns; o; o = o->next)
				if (o->last_active < idlest->last_active)
					idlest = o;
			if (idlest)
				conn_close(idlest);
		}
		struct conn *c = calloc(1, sizeof(*c));
		if (!c) {
			close(cfd);
			continue;
		}
		c->s = s;
		c->fd = cfd;
		c->peer = peer;
		c->last_active = evloop_now_ns();
		c->h = evloop_fd_add(s->loop, cfd, EPOLLIN, on_conn, c);
		if (!c->h) {
			close(cfd);
			free(c);
			continue;
		}
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->nconns++;
	}
}

/* ---- life -------------------------------------------------------------------------- */

static int bind_socket(int type, const struct in_addr *addr, uint16_t port, uint16_t *bound, char *err, size_t errlen)
{
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = *addr};
	socklen_t len = sizeof(sin);
	int one = 1;
	const char *what = type == SOCK_STREAM ? "tcp" : "udp";

	if (fd < 0) {
		snprintf(err, errlen, "%s socket: %s", what, strerror(errno));
		return -1;
	}
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || (type == SOCK_STREAM && listen(fd, 128) < 0) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		snprintf(err, errlen, "cannot listen on %s port %u: %s", what, port, strerror(errno));
		close(fd);
		return -1;
	}
	*bound = ntohs(sin.sin_port);
	return fd;
}

struct lockd_svc *lockd_svc_new(const struct lockd_svc_config *cfg, char *err, size_t errlen)
{
	struct lockd_svc *s = calloc(1, sizeof(*s));
	struct in_addr addr = {.s_addr = htonl(INADDR_ANY)};

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	s->udp_fd = s->tcp_fd = s->health_fd = -1;
	if (cfg->bind_addr && inet_pton(AF_INET, cfg->bind_addr, &addr) != 1) {
		snprintf(err, errlen, "bind=%s: not an IPv4 address", cfg->bind_addr);
		goto fail;
	}
	if (cfg->health_path) {
		s->health_fd = open(cfg->health_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (s->health_fd < 0) {
			snprintf(err, errlen, "health=%s: %s", cfg->health_path, strerror(errno));
			goto fail;
		}
	}
	s->udp_fd = bind_socket(SOCK_DGRAM, &addr, cfg->udp_port, &s->udp_port, err, errlen);
	if (s->udp_fd < 0)
		goto fail;
	s->tcp_fd = bind_socket(SOCK_STREAM, &addr, cfg->tcp_port, &s->tcp_port, err, errlen);
	if (s->tcp_fd < 0)
		goto fail;
	s->loop = evloop_new("lockd");
	if (!s->loop) {
		snprintf(err, errlen, "event loop: %s", strerror(errno));
		goto fail;
	}
	s->callout = lockd_callout_new(s->loop);
	if (!s->callout) {
		snprintf(err, errlen, "callback socket: %s", strerror(errno));
		goto fail;
	}
	lockd_callout_on_reply(s->callout, on_callout_reply, s);
	if (cfg->state_dir && !(s->state = lockd_state_open(cfg->state_dir, err, errlen)))
		goto fail;
	if (cfg->agent_path && !(s->agent = lockd_agent_new(s->loop, cfg->agent_path, on_watch_server, s, err, errlen)))
		goto fail;
	struct lockd_ops ops = {.monitor = on_monitor,
				.call_client = on_call_client,
				.note = on_note,
				.client_granted = on_client_granted,
				.server_restarted = on_server_restarted};
	s->engine = lockd_new(&cfg->engine, &ops, s, evloop_now_ns());
	if (!s->engine) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	evloop_timer_init(&s->tick, on_tick, s);
	evloop_timer_init(&s->grace, on_grace_end, s);
	evloop_timer_init(&s->idle, on_idle_sweep, s);
	evloop_timer_init(&s->notify_timer, on_notify_timer, s);
	s->udp_h = evloop_fd_add(s->loop, s->udp_fd, EPOLLIN, on_udp, s);
	s->tcp_h = evloop_fd_add(s->loop, s->tcp_fd, EPOLLIN, on_accept, s);
	if (!s->udp_h || !s->tcp_h) {
		snprintf(err, errlen, "event loop: %s", strerror(errno));
		goto fail;
	}
	return s;
fail:
	lockd_svc_stop(s, NULL);
	return NULL;
}

void lockd_svc_ports(const struct lockd_svc *s, uint16_t *udp, uint16_t *tcp)
{
	*udp = s->udp_port;
	*tcp = s->tcp_port;
}

static void unregister(void)
{
	for (size_t i = 0; i < sizeof(nlm_versions) / sizeof(nlm_versions[0]); i++)
		pmap_unset(NLM_PROG, nlm_versions[i]);
}

int lockd_svc_start(struct lockd_svc *s, char *err, size_t errlen)
{
	/* A registration left by an earlier lockd that died would send
	 * clients to a dead port: replaced, as Linux's lockd does. */
	unregister();
	for (size_t i = 0; i < sizeof(nlm_versions) / sizeof(nlm_versions[0]); i++)
		if (!pmap_set(NLM_PROG, nlm_versions[i], IPPROTO_UDP, s->udp_port) ||
		    !pmap_set(NLM_PROG, nlm_versions[i], IPPROTO_TCP, s->tcp_port)) {
			unregister();
			snprintf(err, errlen, "cannot register with rpcbind on this host (is rpcbind running?)");
			return -1;
		}
	s->registered = true;
	uint64_t now = evloop_now_ns();
	if (s->cfg.engine.grace_ns)
		evloop_timer_arm(s->loop, &s->grace, now + s->cfg.engine.grace_ns);
	evloop_timer_arm(s->loop, &s->idle, now + LOCKD_SVC_IDLE_NS / 6);
	if (s->state)
		notify_start(s);
	int r = evloop_start(s->loop);
	if (r) {
		unregister();
		s->registered = false;
		snprintf(err, errlen, "event loop: %s", strerror(-r));
		return -1;
	}
	s->started = true;
	health_log(s, HEALTH_DOMAIN_MOUNT, HEALTH_RUNNING, "netfuse-lockd", 0,
		   "serving NLM 1, 3, 4 on udp %u and tcp %u; grace %llu s; NSM state %d", s->udp_port, s->tcp_port,
		   (unsigned long long)(s->cfg.engine.grace_ns / EVLOOP_NS_PER_S),
		   s->state ? lockd_state_number(s->state) : 0);
	return 0;
}

void lockd_svc_stop(struct lockd_svc *s, struct lockd_stats *final)
{
	struct lockd_stats st = {0};

	if (!s)
		return;
	if (s->started)
		evloop_stop(s->loop);
	if (s->registered)
		unregister();
	if (s->engine) {
		lockd_stats(s->engine, &st);
		if (s->started) {
			health_log(s, HEALTH_DOMAIN_MOUNT, HEALTH_SHUTDOWN, "netfuse-lockd", 0,
				   "stopped: %zu objects with locks of %zu hosts dropped, %zu grants pending",
				   st.objects, st.hosts, st.pending_grants);
			lockd_log(LOG_NOTICE,
				  "stopped: %zu objects with locks of %zu hosts dropped, %zu grants pending",
				  st.objects, st.hosts, st.pending_grants);
		}
	}
	if (final)
		*final = st;
	while (s->conns)
		conn_close(s->conns);
	if (s->loop) {
		evloop_timer_cancel(s->loop, &s->tick);
		evloop_timer_cancel(s->loop, &s->grace);
		evloop_timer_cancel(s->loop, &s->idle);
		evloop_timer_cancel(s->loop, &s->notify_timer);
		if (s->udp_h)
			evloop_fd_del(s->loop, s->udp_h);
		if (s->tcp_h)
			evloop_fd_del(s->loop, s->tcp_h);
	}
	while (s->notifies) {
		struct notify *n = s->notifies;
		s->notifies = n->next;
		free(n);
	}
	lockd_state_free(s->state);
	lockd_agent_free(s->agent);
	lockd_callout_free(s->callout);
	lockd_free(s->engine);
	evloop_free(s->loop);
	if (s->udp_fd >= 0)
		close(s->udp_fd);
	if (s->tcp_fd >= 0)
		close(s->tcp_fd);
	if (s->health_fd >= 0)
		close(s->health_fd);
	free(s);
}
