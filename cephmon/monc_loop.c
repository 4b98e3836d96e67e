/*
 * cephmon/monc_loop.c: monc on its I/O thread (see monc_loop.h).
 *
 * Everything but the API calls runs on the evloop thread with ml->lock
 * held: socket events, timers, and the work API calls queue. A connection
 * is torn down in two steps: io_close (monc's decision, maybe from inside
 * that connection's own msgr2 callback) unregisters and closes the socket
 * at once; the session object is freed later by the reap work, when no
 * callback of it is on the stack. Output is flushed at the end of each
 * loop-thread entry point (flush_all), never from inside a msgr2 callback.
 */
#include "config.h"

#include "cephmon/monc_loop.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cephmon/cephx.h"
#include "cephmon/monmap.h"
#include "cephmon/msgr2_cephx.h"
#include "cephmon/msgr2_ctrl.h"
#include "cephmon/msgr2_session.h"
#include "evloop/evloop.h"

#define READ_CHUNK	65536
#define READS_PER_EVENT 16 /* then let the other connections and timers run */
#define WAIT_SLICE_NS	(100 * EVLOOP_NS_PER_MS)
#define MCON_SENT_MAX	32

struct mcon {
	struct monc_loop *ml;
	struct mcon *next;
	uint64_t id; /* monc's name for it */
	char name[MONC_NAME_MAX];
	struct ceph_entity_addr addr;
	int fd;
	struct evloop_fd *h;
	uint32_t events;
	bool connecting, dead;
	int early_err; /* connect() failed at once: reported from a timer */
	struct evloop_timer early;
	struct msgr2_session *s;
	struct cephx_client cx; /* this handshake's copy of the identity */
	/* Messages of requests (by tid) queued on the session, for revoke:
	 * the newest MCON_SENT_MAX; older ones are long written. */
	struct {
		uint64_t tid;
		int64_t handle;
	} sent[MCON_SENT_MAX];
	unsigned nsent;
};

struct monc_loop {
	struct evloop *loop;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* monc_loop_open waits on it */
	struct monc *monc;
	struct health_queue *health;
	struct ceph_mount_config cfg; /* holds the key: wiped on free */
	bool want_fs;
	bool started;

	struct cephx_client cx; /* the identity: global_id and tickets of the last session */
	uint64_t global_seq;
	uint32_t nonce;
	struct mcon *cons, *dead;
	struct evloop_work reap;
	struct evloop_timer tick, renew;
	uint8_t rbuf[READ_CHUNK];

	/* Authentication. */
	bool auth_inflight;
	bool renew_again;	  /* one immediate MAuth after an -EAGAIN reply was sent */
	int64_t renew_not_before; /* seconds: after a failed renewal round */
	int64_t renew_backoff_s;
	uint64_t renewals;
	uint32_t con_mode;
	int first_auth_err;
	char first_auth_why[256];
	char last_down_why[256];

	/* Maps. */
	struct osdmap_summary *osdmap; /* NULL until received, as the next two */
	struct fsmap_user *fsmap;
	struct mdsmap_summary *mdsmap;
	char mds_sub[32]; /* "mdsmap.FSCID" once subscribed */
	bool fs_missing, fs_none;
};

static uint64_t now_ms(void)
{
	return evloop_now_ns() / EVLOOP_NS_PER_MS;
}

static int64_t now_s(void)
{
	return (int64_t)(evloop_now_ns() / EVLOOP_NS_PER_S);
}

/* A message that does not decode is dropped; the session goes on. */
static void dropped(struct monc_loop *ml, const char *what)
{
	health_report(ml->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, EBADMSG, "monitors", NULL,
		      "malformed %s dropped", what);
}

/* ---- connections ------------------------------------------------------------ */

static struct mcon *find_con(struct monc_loop *ml, uint64_t id)
{
	for (struct mcon *c = ml->cons; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void set_events(struct mcon *c, uint32_t want)
{
	if (c->h && want != c->events && evloop_fd_mod(c->ml->loop, c->h, want) == 0)
		c->events = want;
}

/* The socket failed: msgr2 reports "down", monc decides (and closes). */
static void con_fail(struct mcon *c, int err)
{
	if (!c->dead)
		msgr2_session_eof(c->s, err);
}

static void con_flush(struct mcon *c)
{
	const uint8_t *p;
	size_t n;

	while (!c->dead && !c->connecting && (n = msgr2_session_pending_tx(c->s, &p)) > 0) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			msgr2_session_tx_done(c->s, (size_t)w);
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		con_fail(c, w < 0 ? -errno : -EPIPE);
		return;
	}
	if (!c->dead && !c->connecting)
		set_events(c, EPOLLIN | (msgr2_session_pending_tx(c->s, &p) ? EPOLLOUT : 0));
}

static void flush_all(struct monc_loop *ml)
{
	for (struct mcon *c = ml->cons, *next; c; c = next) {
		next = c->next; /* a failing connection moves to the dead list */
		con_flush(c);
	}
}

static void rearm_tick(struct monc_loop *ml)
{
	uint64_t next = monc_tick(ml->monc, now_ms());

	flush_all(ml); /* the tick may have sent a keepalive or a subscription */
	if (next == UINT64_MAX)
		evloop_timer_cancel(ml->loop, &ml->tick);
	else
		evloop_timer_arm(ml->loop, &ml->tick, next * EVLOOP_NS_PER_MS);
}

static void con_read(struct mcon *c)
{
	struct monc_loop *ml = c->ml;

	for (int i = 0; i < READS_PER_EVENT && !c->dead; i++) {
		ssize_t n = recv(c->fd, ml->rbuf, sizeof(ml->rbuf), MSG_DONTWAIT);
		if (n > 0) {
			msgr2_session_feed(c->s, ml->rbuf, (size_t)n, evloop_now_ns());
			continue;
		}
		if (n == 0)
			msgr2_session_eof(c->s, 0);
		else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			con_fail(c, -errno);
		return;
	}
}

static void con_io(struct evloop *l, int fd, uint32_t ev, void *arg)
{
	struct mcon *c = arg;
	struct monc_loop *ml = c->ml;

	(void)l;
	pthread_mutex_lock(&ml->lock);
	if (c->connecting) {
		int err = 0;
		socklen_t sl = sizeof(err);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
			err = errno;
		if (err)
			con_fail(c, -err);
		else if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			c->connecting = false;
	}
	if (!c->dead && !c->connecting && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		con_read(c);
	rearm_tick(ml);
	pthread_mutex_unlock(&ml->lock);
}

static void con_early(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct mcon *c = arg;
	struct monc_loop *ml = c->ml;

	(void)l, (void)t;
	pthread_mutex_lock(&ml->lock);
	con_fail(c, c->early_err);
	rearm_tick(ml);
	pthread_mutex_unlock(&ml->lock);
}

static void reap_dead(struct monc_loop *ml)
{
	while (ml->dead) {
		struct mcon *c = ml->dead;
		ml->dead = c->next;
		msgr2_session_free(c->s);
		cephx_client_destroy(&c->cx);
		free(c);
	}
}

static void reap_work(struct evloop *l, struct evloop_work *w)
{
	struct monc_loop *ml = (struct monc_loop *)((char *)w - offsetof(struct monc_loop, reap));

	(void)l;
	pthread_mutex_lock(&ml->lock);
	reap_dead(ml);
	pthread_mutex_unlock(&ml->lock);
}

/* ---- msgr2 events ------------------------------------------------------------- */

static void maybe_renew(struct monc_loop *ml);
static void dispatch(struct mcon *c, uint16_t type, uint64_t tid, const uint8_t *front, size_t len);

static void on_up(void *arg, uint64_t global_id, uint32_t con_mode)
{
	struct mcon *c = arg;
	struct monc_loop *ml = c->ml;

	struct msgr2_session_stats st;

	msgr2_session_get_stats(c->s, &st);
	monc_con_up(ml->monc, c->id, global_id, st.peer_features, now_ms());
	if (monc_session_con(ml->monc) != c->id)
		return;
	/* The winner's identity is the client's from now on. */
	struct cephx_client won;
	if (cephx_client_clone(&won, &c->cx) == 0) {
		cephx_client_destroy(&ml->cx);
		ml->cx = won;
		OPENSSL_cleanse(&won, sizeof(won)); /* the copy on the stack held the keys */
	}
	ml->con_mode = con_mode;
	ml->auth_inflight = ml->renew_again = false;
	ml->renew_not_before = ml->renew_backoff_s = 0;
	maybe_renew(ml);
	pthread_cond_broadcast(&ml->cond);
}

static void on_msg(void *arg, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front, size_t front_len,
		   const uint8_t *data, size_t data_len)
{
	(void)version, (void)data, (void)data_len;
	dispatch(arg, type, tid, front, front_len);
}

static void on_keepalive_ack(void *arg, uint64_t stamp_ns)
{
	struct mcon *c = arg;

	(void)stamp_ns;
	monc_keepalive_ack(c->ml->monc, c->id, now_ms());
}

static void on_down(void *arg, int err, const char *why)
{
	struct mcon *c = arg;
	struct monc_loop *ml = c->ml;
	char addr[64] = "";

	ceph_entity_addr_format(&c->addr, addr, sizeof(addr));
	snprintf(ml->last_down_why, sizeof(ml->last_down_why), "mon.%s %s: %s", c->name, addr, why);
	/* A refused reclaim (the old ticket's secret rotated away during a long
	 * outage): the next handshake asks for a new global_id. */
	if (err == -EACCES && c->cx.global_id)
		cephx_forget_identity(&ml->cx);
	if (monc_auth_error(err) && !ml->first_auth_err) {
		ml->first_auth_err = err;
		snprintf(ml->first_auth_why, sizeof(ml->first_auth_why), "%s (monitor %s)", why, addr);
		pthread_cond_broadcast(&ml->cond);
	}
	monc_con_down(ml->monc, c->id, err, why, now_ms());
}

static const struct msgr2_session_cbs session_cbs = {on_up, on_msg, on_keepalive_ack, on_down};

/* ---- what monc asks of the connections ---------------------------------------- */

static const struct ceph_entity_addr *msgr2_addr(const struct ceph_addrvec *addrs)
{
	for (unsigned i = 0; i < addrs->n; i++)
		if (addrs->v[i].type == CEPH_ADDR_MSGR2 || addrs->v[i].type == CEPH_ADDR_ANY)
			return &addrs->v[i];
	return NULL;
}

static int io_open(void *arg, uint64_t id, const char *name, const struct ceph_addrvec *addrs)
{
	struct monc_loop *ml = arg;
	const struct ceph_entity_addr *a = msgr2_addr(addrs);
	struct mcon *c;

	if (!a)
		return -EPROTONOSUPPORT; /* a monitor that speaks only msgr1 */
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ml = ml;
	c->id = id;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->addr = *a;
	c->fd = -1;
	evloop_timer_init(&c->early, con_early, c);
	if (cephx_client_clone(&c->cx, &ml->cx)) {
		free(c);
		return -ENOMEM;
	}
	struct msgr2_auth_provider prov = msgr2_cephx_provider(&c->cx);
	struct msgr2_session_params p = {
	    .peer_addr = *a,
	    .peer_type = CEPH_ENTITY_TYPE_MON,
	    .ms_mode = ml->cfg.ms_mode,
	    .auth = &prov,
	    .nauth = 1,
	    .global_seq = ++ml->global_seq,
	    .nonce = ml->nonce,
	    .cb = &session_cbs,
	    .cb_arg = c,
	};
	c->s = msgr2_session_new(&p);
	if (!c->s) {
		int e = -errno;
		cephx_client_destroy(&c->cx);
		free(c);
		return e;
	}
	c->fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		int e = -errno;
		msgr2_session_free(c->s);
		cephx_client_destroy(&c->cx);
		free(c);
		return e;
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->connecting = true;
	socklen_t sl = a->ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (connect(c->fd, (const struct sockaddr *)&a->ss, sl) < 0 && errno != EINPROGRESS) {
		c->early_err = -errno; /* reported from the loop, never from inside open */
		evloop_timer_arm(ml->loop, &c->early, evloop_now_ns());
	} else {
		c->events = EPOLLOUT;
		c->h = evloop_fd_add(ml->loop, c->fd, c->events, con_io, c);
		if (!c->h) {
			c->early_err = -errno;
			evloop_timer_arm(ml->loop, &c->early, evloop_now_ns());
		}
	}
	c->next = ml->cons;
	ml->cons = c;
	return 0;
}

static void io_close(void *arg, uint64_t id)
{
	struct monc_loop *ml = arg;

	for (struct mcon **pp = &ml->cons; *pp; pp = &(*pp)->next) {
		struct mcon *c = *pp;
		if (c->id != id)
			continue;
		*pp = c->next;
		if (c->h)
			evloop_fd_del(ml->loop, c->h);
		c->h = NULL;
		close(c->fd);
		c->fd = -1;
		evloop_timer_cancel(ml->loop, &c->early);
		c->dead = true;
		c->next = ml->dead;
		ml->dead = c;
		evloop_work_queue(ml->loop, &ml->reap);
		return;
	}
}

static int io_send(void *arg, uint64_t id, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front,
		   size_t len)
{
	struct mcon *c = find_con(arg, id);
	int64_t h;

	if (!c)
		return -ENOTCONN;
	h = msgr2_session_send_msg(c->s, type, version, tid, front, len);
	if (h < 0)
		return (int)h;
	if (tid) {
		c->sent[c->nsent % MCON_SENT_MAX].tid = tid;
		c->sent[c->nsent % MCON_SENT_MAX].handle = h;
		c->nsent++;
	}
	return 0; /* written out by flush_all */
}

static void io_revoke(void *arg, uint64_t id, uint64_t tid)
{
	struct mcon *c = find_con(arg, id);

	for (unsigned i = 0; c && i < MCON_SENT_MAX && i < c->nsent; i++)
		if (c->sent[i].tid == tid)
			msgr2_session_revoke(c->s, c->sent[i].handle); /* -EINPROGRESS, -ENOENT: already out */
}

static void io_keepalive(void *arg, uint64_t id)
{
	struct mcon *c = find_con(arg, id);

	if (c)
		msgr2_session_keepalive(c->s, evloop_now_ns());
}

/* ---- cephx ticket renewal over MAuth -------------------------------------------- */

static void send_mauth(struct monc_loop *ml, struct mcon *c)
{
	struct wire_enc req, front;

	wire_enc_init(&req);
	wire_enc_init(&front);
	if (cephx_build_request(&ml->cx, now_s(), &req) == 0 && req.len &&
	    cephx_mauth_encode(req.buf, req.len, &front) == 0 && !wire_enc_error(&front) &&
	    msgr2_session_send_msg(c->s, CEPH_MSG_AUTH, 0, 0, front.buf, front.len) > 0)
		ml->auth_inflight = true;
	if (req.buf)
		OPENSSL_cleanse(req.buf, req.len);
	if (front.buf)
		OPENSSL_cleanse(front.buf, front.len);
	wire_enc_free(&req);
	wire_enc_free(&front);
}

/* Send an MAuth when a ticket is due and none is in flight, unless a
 * failure asked us to wait; then arm the timer for the next due time. No
 * session: nothing to do until the next one (on_up calls this). */
static void maybe_renew(struct monc_loop *ml)
{
	struct mcon *c = find_con(ml, monc_session_con(ml->monc));
	int64_t now = now_s(), next;

	if (!c)
		return;
	if (!ml->auth_inflight && now >= ml->renew_not_before && cephx_should_authenticate(&ml->cx, now))
		send_mauth(ml, c);
	if (ml->auth_inflight)
		return; /* the reply re-arms */
	next = cephx_next_renewal(&ml->cx);
	if (next > 0 || ml->renew_not_before > now) {
		if (next < ml->renew_not_before)
			next = ml->renew_not_before;
		if (next <= now)
			next = now + 1;
		evloop_timer_arm(ml->loop, &ml->renew, (uint64_t)next * EVLOOP_NS_PER_S);
	}
}

/* A renewal round failed: try again later, 1 s doubling to 60 s. */
static void renew_backoff(struct monc_loop *ml)
{
	ml->renew_backoff_s = ml->renew_backoff_s ? ml->renew_backoff_s * 2 : 1;
	if (ml->renew_backoff_s > 60)
		ml->renew_backoff_s = 60;
	ml->renew_not_before = now_s() + ml->renew_backoff_s;
}

static void renew_timer(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct monc_loop *ml = arg;

	(void)l, (void)t;
	pthread_mutex_lock(&ml->lock);
	maybe_renew(ml);
	rearm_tick(ml);
	pthread_mutex_unlock(&ml->lock);
}

static void handle_auth_reply(struct mcon *c, const uint8_t *front, size_t len)
{
	struct monc_loop *ml = c->ml;
	struct cephx_mauth_reply r;
	char why[200];
	int e;

	ml->auth_inflight = false;
	if (cephx_mauth_reply_decode(front, len, &r)) {
		dropped(ml, "MAuthReply");
		renew_backoff(ml);
	} else if (r.result < 0) {
		e = cephx_auth_error(&ml->cx, r.result, why, sizeof(why));
		health_report(ml->health, HEALTH_DOMAIN_SESSION, HEALTH_AUTH_FAILED, e, "monitors", NULL,
			      "ticket renewal refused: %s", why);
		renew_backoff(ml);
	} else {
		e = cephx_handle_reply(&ml->cx, r.global_id, r.payload, r.payload_len, now_s(), NULL);
		if (e == 0 || e == -EAGAIN)
			ml->renewals++;
		if (e == 0) {
			ml->renew_backoff_s = 0;
			ml->renew_not_before = 0;
		} else if (e == -EAGAIN && !ml->renew_again) {
			ml->renew_again = true; /* a new AUTH ticket: the service tickets next, at once */
			send_mauth(ml, c);
		} else {
			if (e != -EAGAIN)
				health_report(ml->health, HEALTH_DOMAIN_SESSION, HEALTH_AUTH_FAILED, e, "monitors",
					      NULL, "ticket renewal failed: %s",
					      e == -EKEYREJECTED ? "the reply does not decrypt with our session key"
								 : strerror(-e));
			renew_backoff(ml);
		}
		if (e != -EAGAIN)
			ml->renew_again = false;
	}
	maybe_renew(ml);
}

/* ---- maps ------------------------------------------------------------------------ */

/* The initial monitors have epoch 0; a monmap from the cluster has 1 or more. */
static bool have_monmap(const struct monc_loop *ml)
{
	return monc_monmap(ml->monc)->epoch != 0;
}

static void handle_monmap(struct monc_loop *ml, const uint8_t *front, size_t len)
{
	struct monmap *mm;
	struct monc_monmap map;

	if (monmap_decode_msg(front, len, &mm)) {
		dropped(ml, "monmap");
		return;
	}
	if (have_monmap(ml) && memcmp(mm->fsid, monc_monmap(ml->monc)->fsid, sizeof(mm->fsid))) {
		/* Another cluster's monitor (a stale address in the list). */
		health_report(ml->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, EXDEV, "monitors", NULL,
			      "a monmap of another cluster (fsid differs) dropped");
		monmap_free(mm);
		return;
	}
	memset(&map, 0, sizeof(map));
	map.epoch = mm->epoch;
	memcpy(map.fsid, mm->fsid, sizeof(map.fsid));
	for (unsigned i = 0; i < mm->n && map.addrs.n < CEPH_MON_ADDRS_MAX; i++) {
		if (!msgr2_addr(&mm->mons[i].addrs))
			continue; /* no msgr2 address: of no use to us */
		map.addrs.mon[map.addrs.n] = mm->mons[i].addrs;
		snprintf(map.names[map.addrs.n], MONC_NAME_MAX, "%s", mm->mons[i].name);
		map.addrs.n++;
	}
	monmap_free(mm);
	if (!map.addrs.n)
		return;
	monc_set_monmap(ml->monc, &map, now_ms());
}

static void handle_osdmap(struct monc_loop *ml, const uint8_t *front, size_t len)
{
	struct mosdmap mo;
	const struct mosdmap_blob *full = NULL;
	uint32_t held = ml->osdmap ? ml->osdmap->epoch : 0;
	bool newer_inc = false;

	if (mosdmap_decode(front, len, &mo)) {
		dropped(ml, "osdmap message");
		return;
	}
	for (unsigned i = 0; i < mo.nfull; i++)
		if (!full || mo.full[i].epoch > full->epoch)
			full = &mo.full[i];
	for (unsigned i = 0; i < mo.ninc; i++)
		newer_inc |= mo.inc[i].epoch > held && (!full || mo.inc[i].epoch > full->epoch);
	if (full && full->epoch > held) {
		struct osdmap_summary *s = malloc(sizeof(*s));
		if (s && osdmap_summary_decode(full->data, full->len, s) == 0) {
			free(ml->osdmap);
			ml->osdmap = s;
			held = s->epoch;
			monc_got_epoch(ml->monc, "osdmap", s->epoch);
			s = NULL;
		} else if (s) {
			health_report(ml->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, EBADMSG, "monitors", NULL,
				      "osdmap epoch %u does not decode", full->epoch);
		}
		free(s);
	}
	/* Incrementals are not applied: ask for the newest full map. */
	if (newer_inc)
		monc_want_full(ml->monc, "osdmap", now_ms());
}

static void subscribe_mdsmap(struct monc_loop *ml)
{
	const char *want = ml->cfg.fs_name;
	int32_t fscid = -1;

	for (unsigned i = 0; i < ml->fsmap->nfs; i++)
		if (want[0] ? !strcmp(ml->fsmap->fs[i].name, want)
			    : ml->fsmap->fs[i].fscid == ml->fsmap->legacy_client_fscid)
			fscid = ml->fsmap->fs[i].fscid;
	if (!want[0] && fscid < 0 && ml->fsmap->nfs == 1)
		fscid = ml->fsmap->fs[0].fscid;
	ml->fs_missing = fscid < 0 && want[0];
	ml->fs_none = fscid < 0 && !want[0]; /* a cluster without CephFS: the whole cluster's statfs */
	if (fscid < 0 || ml->mds_sub[0])
		return;
	snprintf(ml->mds_sub, sizeof(ml->mds_sub), "mdsmap.%d", fscid);
	monc_subscribe(ml->monc, ml->mds_sub, 0, false, now_ms());
}

static void handle_fsmap_user(struct monc_loop *ml, const uint8_t *front, size_t len)
{
	struct fsmap_user *f = malloc(sizeof(*f));

	if (!f || fsmap_user_decode(front, len, f)) {
		if (f)
			dropped(ml, "fsmap.user");
		free(f);
		return;
	}
	free(ml->fsmap);
	ml->fsmap = f;
	monc_got_epoch(ml->monc, "fsmap.user", f->epoch);
	if (ml->want_fs)
		subscribe_mdsmap(ml);
}

static void handle_mdsmap(struct monc_loop *ml, const uint8_t *front, size_t len)
{
	struct mdsmap_summary *m = malloc(sizeof(*m));

	if (!m || mmdsmap_decode(front, len, m)) {
		if (m)
			dropped(ml, "mdsmap");
		free(m);
		return;
	}
	if (!ml->mds_sub[0] || (ml->mdsmap && m->epoch <= ml->mdsmap->epoch)) {
		free(m);
		return;
	}
	free(ml->mdsmap);
	ml->mdsmap = m;
	monc_got_epoch(ml->monc, ml->mds_sub, m->epoch);
}

static void dispatch(struct mcon *c, uint16_t type, uint64_t tid, const uint8_t *front, size_t len)
{
	struct monc_loop *ml = c->ml;

	if (monc_session_con(ml->monc) != c->id)
		return; /* a straggler: only the session speaks */
	switch (type) {
	case CEPH_MSG_MON_MAP:
		handle_monmap(ml, front, len);
		break;
	case CEPH_MSG_OSD_MAP:
		handle_osdmap(ml, front, len);
		break;
	case CEPH_MSG_FS_MAP_USER:
		handle_fsmap_user(ml, front, len);
		break;
	case CEPH_MSG_MDS_MAP:
		handle_mdsmap(ml, front, len);
		break;
	case CEPH_MSG_AUTH_REPLY:
		handle_auth_reply(c, front, len);
		break;
	default:
		if (monc_handle_msg(ml->monc, c->id, type, tid, front, len, now_ms()) == -EBADMSG)
			health_report(ml->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, EBADMSG, "monitors", NULL,
				      "malformed message of type %u dropped", type);
		break; /* -ENOENT: a message we do not use */
	}
	pthread_cond_broadcast(&ml->cond);
}

static void tick_timer(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct monc_loop *ml = arg;

	(void)l, (void)t;
	pthread_mutex_lock(&ml->lock);
	rearm_tick(ml);
	pthread_mutex_unlock(&ml->lock);
}

/* ---- requests from other threads ------------------------------------------------- */

enum mreq_kind { MREQ_STATFS, MREQ_COMMAND };

struct mreq {
	struct monc_loop *ml;
	atomic_int refs; /* the caller's and the loop's */
	struct evloop_completion done;
	enum mreq_kind kind;
	bool finished; /* loop thread only */
	int64_t tid;
	char *cmd;
	struct monc_reply reply;
};

static void req_put(struct mreq *r)
{
	if (atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	evloop_completion_destroy(&r->done);
	free(r->cmd);
	free(r);
}

static void req_done(void *arg, uint64_t tid, const struct monc_reply *rep)
{
	struct mreq *r = arg;

	(void)tid;
	r->reply = *rep;
	r->finished = true;
	evloop_completion_done(&r->done, rep->result);
	req_put(r);
}

static void req_submit(void *arg)
{
	struct mreq *r = arg;
	struct monc_loop *ml = r->ml;
	int64_t tid;

	pthread_mutex_lock(&ml->lock);
	if (r->kind == MREQ_STATFS) {
		int64_t pool = mdsmap_statfs_pool(ml->mdsmap); /* CEPH_NOPOOL without one */
		tid = monc_statfs(ml->monc, pool, req_done, r, now_ms());
	} else {
		const char *one[1] = {r->cmd};
		tid = monc_command(ml->monc, one, 1, req_done, r, now_ms());
	}
	if (tid < 0) {
		r->finished = true;
		evloop_completion_done(&r->done, (int)tid);
		req_put(r);
	} else {
		r->tid = tid;
	}
	rearm_tick(ml);
	pthread_mutex_unlock(&ml->lock);
}

/* Runs with the caller's reference, which it drops. */
static void req_cancel(void *arg)
{
	struct mreq *r = arg;
	struct monc_loop *ml = r->ml;

	pthread_mutex_lock(&ml->lock);
	if (!r->finished) {
		r->finished = true;
		monc_cancel(ml->monc, (uint64_t)r->tid);
		req_put(r); /* the loop's */
	}
	pthread_mutex_unlock(&ml->lock);
	req_put(r);
}

/* Submit @r and wait. 0 with r->reply filled, or -errno. Consumes @r. */
static int req_run(struct monc_loop *ml, struct mreq *r, uint64_t deadline, monc_loop_cancel_fn cancel, void *carg,
		   struct monc_reply *out)
{
	int e;

	r->ml = ml;
	atomic_init(&r->refs, 2);
	evloop_completion_init(&r->done);
	if ((e = evloop_call(ml->loop, req_submit, r)) < 0) {
		req_put(r);
		req_put(r);
		return e;
	}
	for (;;) {
		uint64_t now = evloop_now_ns();
		uint64_t until = deadline - now > WAIT_SLICE_NS ? now + WAIT_SLICE_NS : deadline;

		if (deadline <= now) {
			e = -ETIMEDOUT;
			break;
		}
		evloop_completion_wait(&r->done, until);
		if (evloop_completion_is_done(&r->done)) {
			e = r->done.result;
			*out = r->reply;
			req_put(r);
			return e;
		}
		if (cancel && cancel(carg)) {
			e = -EINTR;
			break;
		}
	}
	if (evloop_call(ml->loop, req_cancel, r) < 0)
		req_put(r);
	return e;
}

int monc_loop_statfs(struct monc_loop *ml, uint64_t deadline_ns, monc_loop_cancel_fn cancel, void *cancel_arg,
		     struct mon_statfs_reply *out)
{
	struct mreq *r = calloc(1, sizeof(*r));
	struct monc_reply rep;
	int e;

	if (!r)
		return -ENOMEM;
	r->kind = MREQ_STATFS;
	e = req_run(ml, r, deadline_ns, cancel, cancel_arg, &rep);
	if (e == 0)
		*out = rep.statfs;
	else if (e != -EINTR && e != -ESHUTDOWN) {
		health_report(ml->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, e, "monitors", NULL,
			      "statfs failed: %s", strerror(-e));
	}
	return e;
}

int monc_loop_command(struct monc_loop *ml, const char *json, uint64_t deadline_ns, monc_loop_cancel_fn cancel,
		      void *cancel_arg, char *rs, size_t rslen)
{
	struct mreq *r = calloc(1, sizeof(*r));
	struct monc_reply rep = {0};
	int e;

	if (!r)
		return -ENOMEM;
	r->kind = MREQ_COMMAND;
	r->cmd = strdup(json);
	if (!r->cmd) {
		free(r);
		return -ENOMEM;
	}
	e = req_run(ml, r, deadline_ns, cancel, cancel_arg, &rep);
	if (rs && rslen)
		snprintf(rs, rslen, "%s", rep.rs);
	return e;
}

/* ---- life --------------------------------------------------------------------------- */

static const struct monc_io loop_io = {NULL, io_open, io_close, io_send, io_keepalive, io_revoke};

int monc_loop_new(const struct monc_loop_params *p, struct monc_loop **out, char *err, size_t errlen)
{
	struct monc_loop *ml = calloc(1, sizeof(*ml));
	struct monc_monmap initial;
	struct monc_io io = loop_io;
	const char *id;
	uint64_t seed;
	int e;

	if (!ml) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ml->cfg = *p->cfg;
	ml->health = p->health;
	ml->want_fs = p->want_fs;
	pthread_mutex_init(&ml->lock, NULL);
	evloop_cond_init(&ml->cond);
	evloop_work_init(&ml->reap, reap_work);
	evloop_timer_init(&ml->tick, tick_timer, ml);
	evloop_timer_init(&ml->renew, renew_timer, ml);
	if (RAND_bytes((unsigned char *)&ml->nonce, sizeof(ml->nonce)) != 1 ||
	    RAND_bytes((unsigned char *)&seed, sizeof(seed)) != 1) {
		snprintf(err, errlen, "no randomness from OpenSSL");
		e = -EIO;
		goto fail;
	}
	id = strncmp(ml->cfg.entity, "client.", 7) ? ml->cfg.entity : ml->cfg.entity + 7;
	e = cephx_client_init(&ml->cx, CEPH_ENTITY_TYPE_CLIENT, id, &ml->cfg.key,
			      CEPH_ENTITY_TYPE_MON | CEPH_ENTITY_TYPE_OSD | CEPH_ENTITY_TYPE_MDS);
	ceph_key_wipe(&ml->cfg.key); /* ml->cx holds it now */
	if (e) {
		snprintf(err, errlen, "%s: the key from %s is not a usable cephx key", ml->cfg.entity,
			 ml->cfg.key_from);
		goto fail;
	}
	memset(&initial, 0, sizeof(initial));
	initial.addrs = ml->cfg.mons;
	for (unsigned i = 0; i < initial.addrs.n; i++)
		snprintf(initial.names[i], MONC_NAME_MAX, "noname-%c", 'a' + (int)(i % 26));
	io.arg = ml;
	ml->monc = monc_new(&initial, &io, ml->health, seed);
	ml->loop = evloop_new("netfuse-monc");
	if (!ml->monc || !ml->loop) {
		snprintf(err, errlen, ml->monc ? "cannot create the monitor client's event loop: %s" : "no monitors%s",
			 ml->monc ? strerror(errno) : "");
		e = ml->monc ? -errno : -EINVAL;
		goto fail;
	}
	*out = ml;
	return 0;
fail:
	monc_loop_free(ml);
	return e;
}

static void start_fn(void *arg)
{
	struct monc_loop *ml = arg;
	uint64_t now = now_ms();

	pthread_mutex_lock(&ml->lock);
	monc_subscribe(ml->monc, "monmap", 0, false, now);
	monc_subscribe(ml->monc, "osdmap", 0, false, now);
	if (ml->want_fs)
		monc_subscribe(ml->monc, "fsmap.user", 0, false, now);
	monc_start(ml->monc, now);
	rearm_tick(ml);
	pthread_mutex_unlock(&ml->lock);
}

static bool ready(const struct monc_loop *ml)
{
	return monc_session_con(ml->monc) && have_monmap(ml) && ml->osdmap &&
	       (!ml->want_fs || ml->mdsmap || ml->fs_none);
}

int monc_loop_open(struct monc_loop *ml, uint64_t deadline_ns, char *err, size_t errlen)
{
	int e = 0;

	if (!ml->started) {
		e = evloop_start(ml->loop);
		if (e) {
			snprintf(err, errlen, "cannot start the monitor client's thread: %s", strerror(-e));
			return e;
		}
		ml->started = true;
		e = evloop_call_sync(ml->loop, start_fn, ml, EVLOOP_NEVER);
		if (e)
			return e;
	}
	pthread_mutex_lock(&ml->lock);
	while (!ready(ml)) {
		if (ml->first_auth_err) {
			e = ml->first_auth_err;
			snprintf(err, errlen, "%s%s",
				 strncmp(ml->first_auth_why, "authentication", 14) ? "authentication failed: " : "",
				 ml->first_auth_why);
			break;
		}
		if (ml->fs_missing) {
			e = -ENOENT;
			snprintf(err, errlen, "the cluster has no file system named '%s'", ml->cfg.fs_name);
			break;
		}
		if (evloop_cond_wait(&ml->cond, &ml->lock, deadline_ns) == ETIMEDOUT && !ready(ml)) {
			e = -ETIMEDOUT;
			if (!monc_session_con(ml->monc))
				snprintf(err, errlen, "no monitor answered in time (%s%s)",
					 ml->last_down_why[0] ? "last error: " : "monitors from ",
					 ml->last_down_why[0] ? ml->last_down_why : ml->cfg.mons_from);
			else
				snprintf(err, errlen, "a monitor session is up but the %s did not arrive in time",
					 !have_monmap(ml) ? "monmap"
					 : !ml->osdmap	  ? "OSD map"
							  : "MDS map");
			break;
		}
	}
	pthread_mutex_unlock(&ml->lock);
	return e;
}

void monc_loop_snapshot(struct monc_loop *ml, struct monc_loop_snapshot *s)
{
	const struct cephx_ticket *t;
	int64_t mono = now_s();

	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&ml->lock);
	s->now_ms = now_ms();
	monc_get_status(ml->monc, &s->status);
	s->monmap = *monc_monmap(ml->monc);
	if ((s->have_osdmap = ml->osdmap != NULL))
		s->osdmap = *ml->osdmap;
	if ((s->have_fsmap = ml->fsmap != NULL))
		s->fsmap = *ml->fsmap;
	if ((s->have_mdsmap = ml->mdsmap != NULL))
		s->mdsmap = *ml->mdsmap;
	snprintf(s->fs_name, sizeof(s->fs_name), "%s", ml->cfg.fs_name);
	snprintf(s->auth.entity, sizeof(s->auth.entity), "%s", ml->cfg.entity);
	snprintf(s->auth.key_from, sizeof(s->auth.key_from), "%s", ml->cfg.key_from);
	s->auth.global_id = ml->cx.global_id;
	s->auth.con_mode = ml->con_mode;
	s->auth.renewals = ml->renewals;
	t = &ml->cx.tickets[0]; /* CEPH_ENTITY_TYPE_MON: service bit 0 */
	if (t->have_key && t->expires)
		s->auth.ticket_expires = (int64_t)time(NULL) + (t->expires - mono);
	pthread_mutex_unlock(&ml->lock);
}

static void stop_fn(void *arg)
{
	struct monc_loop *ml = arg;

	pthread_mutex_lock(&ml->lock);
	monc_stop(ml->monc, now_ms());
	evloop_timer_cancel(ml->loop, &ml->tick);
	evloop_timer_cancel(ml->loop, &ml->renew);
	while (ml->cons)
		io_close(ml, ml->cons->id);
	reap_dead(ml);
	pthread_cond_broadcast(&ml->cond);
	pthread_mutex_unlock(&ml->lock);
}

void monc_loop_free(struct monc_loop *ml)
{
	if (!ml)
		return;
	if (ml->started)
		evloop_call_sync(ml->loop, stop_fn, ml, EVLOOP_NEVER);
	evloop_free(ml->loop); /* stop_fn closed every connection */
	reap_dead(ml);
	monc_free(ml->monc);
	cephx_client_destroy(&ml->cx);
	ceph_mount_config_wipe(&ml->cfg);
	free(ml->osdmap);
	free(ml->fsmap);
	free(ml->mdsmap);
	pthread_cond_destroy(&ml->cond);
	pthread_mutex_destroy(&ml->lock);
	OPENSSL_cleanse(ml, sizeof(*ml));
	free(ml);
}
