/*
 * cephmon/msgr/msgr2_conn.c: a msgr2 session over a non-blocking TCP socket on
 * an evloop (see the header for the contract).
 *
 * Trade-offs:
 * - Reads go through a 64 KiB buffer on the stack of the event handler
 *   (the session copies what it is fed), so a connection costs no read
 *   buffer of its own while idle; at most READS_PER_EVENT reads per event.
 * - The connection's memory outlives msgr2_conn_close while a callback of
 *   it is on the stack (a depth count) or its flush work could not be
 *   cancelled (it is running): whichever entry point finishes last frees
 *   it.
 * - "down" is always reported from one of the driver's entry points: a
 *   session that fails inside an owner's call (a keepalive that cannot be
 *   encoded) is reported from a timer, so owners never see their own calls
 *   re-entered.
 */
#include "config.h"

#include "cephmon/msgr/msgr2_conn.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK	65536
#define READS_PER_EVENT 16 /* then let the other connections and timers run */

struct msgr2_conn {
	struct msgr2_conn_params p;
	struct msgr2_auth_provider auth[MSGR2_MAX_AUTH_PROVIDERS];
	struct msgr2_conn_cbs cb;
	struct msgr2_session *s;

	int fd;
	struct evloop_fd *h;
	uint32_t events;
	bool connecting;
	bool down;	    /* the session reported down */
	bool closed;	    /* the owner closed: call nothing of the owner's again */
	unsigned depth;	    /* entry points of this connection on the stack */
	bool in_owner_call; /* inside msgr2_conn_keepalive's session call */
	bool flush_queued;  /* queued and not run yet (the evloop keeps its own flag private) */
	struct evloop_work flush;

	/* Reported from the timer: a socket that failed before any entry
	 * point ran (early_err), or a "down" that happened inside an owner's
	 * call (late_err, late_why). */
	struct evloop_timer later;
	int early_err, late_err;
	char late_why[256];

	struct {
		uint64_t tid;
		int64_t handle;
	} sent[MSGR2_CONN_REVOKE_MAX];
	unsigned nsent;
};

static void destroy(struct msgr2_conn *c);

/* ---- entry points ---------------------------------------------------------------------- */

static void enter(struct msgr2_conn *c)
{
	if (c->p.lock)
		pthread_mutex_lock(c->p.lock);
	c->depth++;
}

static void leave(struct msgr2_conn *c)
{
	pthread_mutex_t *lock = c->p.lock;

	if (--c->depth == 0 && c->closed && !c->flush_queued)
		destroy(c);
	if (lock)
		pthread_mutex_unlock(lock);
}

static void drop_socket(struct msgr2_conn *c)
{
	if (c->h)
		evloop_fd_del(c->p.loop, c->h);
	c->h = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->connecting = false;
}

static void set_events(struct msgr2_conn *c, uint32_t want)
{
	if (c->h && want != c->events && evloop_fd_mod(c->p.loop, c->h, want) == 0)
		c->events = want;
}

static bool usable(const struct msgr2_conn *c)
{
	return !c->closed && !c->down && c->fd >= 0;
}

static void write_out(struct msgr2_conn *c)
{
	const uint8_t *p;
	size_t n;

	while (usable(c) && !c->connecting && (n = msgr2_session_pending_tx(c->s, &p)) > 0) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			msgr2_session_tx_done(c->s, (size_t)w);
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		msgr2_session_eof(c->s, w < 0 ? -errno : -EPIPE);
		return;
	}
	if (usable(c) && !c->connecting)
		set_events(c, EPOLLIN | (msgr2_session_pending_tx(c->s, &p) ? EPOLLOUT : 0));
}

static void read_in(struct msgr2_conn *c)
{
	for (int i = 0; i < READS_PER_EVENT && usable(c); i++) {
		uint8_t *buf;
		size_t room = msgr2_session_rx_space(c->s, READ_CHUNK, &buf); /* read in place: no copy */
		ssize_t n;

		if (!room) {
			msgr2_session_eof(c->s, -ENOMEM);
			return;
		}
		n = recv(c->fd, buf, room, MSG_DONTWAIT);
		if (n > 0) {
			msgr2_session_rx_commit(c->s, (size_t)n, evloop_now_ns());
			continue;
		}
		if (n == 0)
			msgr2_session_eof(c->s, 0);
		else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			msgr2_session_eof(c->s, -errno);
		return;
	}
}

static void on_socket(struct evloop *l, int fd, uint32_t ev, void *arg)
{
	struct msgr2_conn *c = arg;

	(void)l;
	enter(c);
	if (usable(c) && c->connecting) {
		int err = 0;
		socklen_t sl = sizeof(err);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
			err = errno;
		if (err)
			msgr2_session_eof(c->s, -err);
		else if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			c->connecting = false;
	}
	if (usable(c) && !c->connecting && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		read_in(c);
	write_out(c); /* what the input made the session say, and what callbacks queued */
	leave(c);
}

static void on_later(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct msgr2_conn *c = arg;

	(void)l, (void)t;
	enter(c);
	if (c->early_err && !c->down)
		msgr2_session_eof(c->s, c->early_err);
	else if (c->late_err && !c->closed && c->cb.down)
		c->cb.down(c->p.cb_arg, c, c->late_err, c->late_why);
	c->late_err = 0;
	leave(c);
}

static void on_flush(struct evloop *l, struct evloop_work *w)
{
	struct msgr2_conn *c = (struct msgr2_conn *)((char *)w - offsetof(struct msgr2_conn, flush));

	(void)l;
	enter(c);
	c->flush_queued = false;
	write_out(c);
	leave(c);
}

static void queue_flush(struct msgr2_conn *c)
{
	if (usable(c) && !c->flush_queued && evloop_work_queue(c->p.loop, &c->flush))
		c->flush_queued = true;
}

/* ---- session events ---------------------------------------------------------------------- */

static void s_up(void *arg, uint64_t global_id, uint32_t con_mode)
{
	struct msgr2_conn *c = arg;
	struct msgr2_session_stats st;

	msgr2_session_get_stats(c->s, &st);
	if (!c->closed && c->cb.up)
		c->cb.up(c->p.cb_arg, c, global_id, con_mode, st.peer_features);
}

static void s_msg(void *arg, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front, size_t front_len,
		  const uint8_t *middle, size_t middle_len, const uint8_t *data, size_t data_len)
{
	struct msgr2_conn *c = arg;

	if (!c->closed && c->cb.msg)
		c->cb.msg(c->p.cb_arg, c, type, version, tid, front, front_len, middle, middle_len, data, data_len);
}

static void s_keepalive_ack(void *arg, uint64_t stamp_ns)
{
	struct msgr2_conn *c = arg;

	if (!c->closed && c->cb.keepalive_ack)
		c->cb.keepalive_ack(c->p.cb_arg, c, stamp_ns);
}

static void s_down(void *arg, int err, const char *why)
{
	struct msgr2_conn *c = arg;

	c->down = true;
	drop_socket(c);
	if (c->closed || !c->cb.down)
		return;
	if (c->depth == 0 || c->in_owner_call) {
		/* Inside an owner's call: tell it from the loop instead. */
		c->late_err = err;
		snprintf(c->late_why, sizeof(c->late_why), "%s", why);
		evloop_timer_arm(c->p.loop, &c->later, evloop_now_ns());
		return;
	}
	c->cb.down(c->p.cb_arg, c, err, why);
}

static uint8_t *s_rx_data(void *arg, uint16_t type, uint64_t tid, const uint8_t *front, size_t front_len,
			  size_t data_len)
{
	struct msgr2_conn *c = arg;

	if (c->closed || !c->cb.rx_data)
		return NULL;
	return c->cb.rx_data(c->p.cb_arg, c, type, tid, front, front_len, data_len);
}

static const struct msgr2_session_cbs session_cbs = {s_up, s_msg, s_keepalive_ack, s_down, s_rx_data};

/* ---- life ---------------------------------------------------------------------------------- */

static void fail_later(struct msgr2_conn *c, int err)
{
	c->early_err = err;
	evloop_timer_arm(c->p.loop, &c->later, evloop_now_ns());
}

int msgr2_conn_open(const struct msgr2_conn_params *p, struct msgr2_conn **out)
{
	struct msgr2_conn *c;
	const struct ceph_entity_addr *a = &p->peer_addr;
	socklen_t sl;
	int one = 1;

	if (!p->loop || !p->cb || !p->global_seq || !p->auth || p->nauth == 0 || p->nauth > MSGR2_MAX_AUTH_PROVIDERS)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->p = *p;
	memcpy(c->auth, p->auth, p->nauth * sizeof(*p->auth));
	c->p.auth = c->auth;
	c->cb = *p->cb;
	c->fd = -1;
	evloop_timer_init(&c->later, on_later, c);
	evloop_work_init(&c->flush, on_flush);
	struct msgr2_session_params sp = {
	    .peer_addr = *a,
	    .peer_type = p->peer_type,
	    .ms_mode = p->ms_mode,
	    .auth = c->auth,
	    .nauth = p->nauth,
	    .global_seq = *p->global_seq + 1,
	    .nonce = p->nonce,
	    .features = p->features,
	    .cb = &session_cbs,
	    .cb_arg = c,
	};
	c->s = msgr2_session_new(&sp);
	if (!c->s) {
		int e = errno == ENOMEM ? -ENOMEM : -EINVAL;
		free(c);
		return e;
	}
	++*p->global_seq;
	c->fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fail_later(c, -errno);
		*out = c;
		return 0;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	sl = a->ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (connect(c->fd, (const struct sockaddr *)&a->ss, sl) < 0 && errno != EINPROGRESS) {
		fail_later(c, -errno);
	} else {
		c->connecting = true; /* connected at once or not: EPOLLOUT says so */
		c->events = EPOLLOUT;
		c->h = evloop_fd_add(p->loop, c->fd, c->events, on_socket, c);
		if (!c->h)
			fail_later(c, -errno);
	}
	*out = c;
	return 0;
}

static void destroy(struct msgr2_conn *c)
{
	drop_socket(c);
	evloop_timer_cancel(c->p.loop, &c->later);
	msgr2_session_free(c->s);
	free(c);
}

void msgr2_conn_close(struct msgr2_conn *c)
{
	if (!c || c->closed)
		return;
	c->closed = true;
	drop_socket(c);
	evloop_timer_cancel(c->p.loop, &c->later);
	if (c->flush_queued && evloop_work_cancel(c->p.loop, &c->flush))
		c->flush_queued = false;
	if (c->depth == 0 && !c->flush_queued)
		destroy(c);
}

int msgr2_conn_reopen(struct msgr2_conn *c, struct msgr2_conn **out)
{
	struct msgr2_auth_provider auth[MSGR2_MAX_AUTH_PROVIDERS];
	struct msgr2_conn_params p = c->p;
	int e;

	memcpy(auth, c->auth, sizeof(auth));
	p.auth = auth;
	e = msgr2_conn_open(&p, out);
	if (e == 0)
		msgr2_conn_close(c);
	return e;
}

/* ---- what owners ask ----------------------------------------------------------------------- */

int msgr2_conn_send(struct msgr2_conn *c, uint16_t type, uint16_t version, uint64_t tid, const void *front, size_t len)
{
	const struct msgr2_out o = {.type = type, .version = version, .tid = tid, .front = front, .front_len = len};

	return msgr2_conn_queue(c, &o);
}

int msgr2_conn_queue(struct msgr2_conn *c, const struct msgr2_out *m)
{
	uint64_t tid = m->tid;
	int64_t h;

	if (c->closed)
		return -ENOTCONN;
	h = msgr2_session_queue(c->s, m);
	if (h < 0)
		return (int)h;
	if (tid) {
		c->sent[c->nsent % MSGR2_CONN_REVOKE_MAX].tid = tid;
		c->sent[c->nsent % MSGR2_CONN_REVOKE_MAX].handle = h;
		c->nsent++;
	}
	queue_flush(c);
	return 0;
}

void msgr2_conn_relend(struct msgr2_conn *c, void *arg, const void *from, size_t len, const void *to)
{
	if (!c->closed)
		msgr2_session_relend(c->s, arg, from, len, to);
}

void msgr2_conn_rx_revoke(struct msgr2_conn *c, const void *dest)
{
	if (!c->closed)
		msgr2_session_rx_revoke(c->s, dest); /* -ENOMEM: the session reports itself down */
}

int msgr2_conn_revoke(struct msgr2_conn *c, uint64_t tid)
{
	int r = -ENOENT;

	for (unsigned i = 0; tid && i < MSGR2_CONN_REVOKE_MAX && i < c->nsent; i++)
		if (c->sent[i].tid == tid) {
			r = msgr2_session_revoke(c->s, c->sent[i].handle);
			c->sent[i].tid = 0; /* revoked, or out already */
			break;
		}
	return r;
}

int msgr2_conn_keepalive(struct msgr2_conn *c)
{
	int r;

	if (c->closed)
		return -ENOTCONN;
	c->in_owner_call = true;
	r = msgr2_session_keepalive(c->s, evloop_now_ns());
	c->in_owner_call = false;
	if (r == 0)
		queue_flush(c);
	return r;
}

bool msgr2_conn_is_open(const struct msgr2_conn *c)
{
	return !c->closed && msgr2_session_is_open(c->s);
}

const struct ceph_entity_addr *msgr2_conn_peer_addr(const struct msgr2_conn *c)
{
	return &c->p.peer_addr;
}

void msgr2_conn_get_stats(const struct msgr2_conn *c, struct msgr2_session_stats *st)
{
	msgr2_session_get_stats(c->s, st);
}
