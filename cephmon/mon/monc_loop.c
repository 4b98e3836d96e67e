/*
 * cephmon/mon/monc_loop.c: monc on its I/O thread (see monc_loop.h).
 *
 * Everything but the API calls runs on the evloop thread with ml->lock
 * held: the connections' events (msgr2_conn takes ml->lock around each of
 * its entry points, so the callbacks below run under it), the timers, and
 * the work API calls queue. Its own parts live apart: the connections in
 * msgr2_conn, the cephx identity and its renewal in cephx_identity, the
 * maps in monc_maps; this file wires them to monc and keeps the request
 * API.
 */
#include "config.h"

#include "cephmon/mon/monc_loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cephmon/msgr/cephx_identity.h"
#include "cephmon/mon/monc_maps.h"
#include "cephmon/msgr/msgr2_conn.h"
#include "cephmon/msgr/msgr2_ctrl.h"
#include "evloop/evloop.h"

/* One hunted monitor (or the session's): monc's connection @id. */
struct mcon {
	struct monc_loop *ml;
	struct mcon *next;
	uint64_t id; /* monc's name for it */
	char name[MONC_NAME_MAX];
	struct msgr2_conn *conn;
	struct cephx_handshake hs; /* this handshake's copy of the identity */
};

struct monc_loop {
	struct evloop *loop;
	pthread_mutex_t lock;
	/* The requests' own lock (evloop_req): their waiters sleep on it, so
	 * a reply wakes a waiter that need not wait for ml->lock. Taken after
	 * ml->lock on the loop thread; only the loop thread's cancel op takes
	 * ml->lock under it, and no other thread holds both. */
	pthread_mutex_t req_lock;
	pthread_cond_t cond; /* monc_loop_open waits on it */
	struct monc *monc;
	struct health_queue *health;
	struct ceph_mount_config cfg; /* its key wiped once the identity holds it */
	bool started;

	struct cephx_identity id; /* global_id and tickets of the last session */
	bool have_id;
	uint64_t id_con; /* the connection whose handshake the identity is */
	uint64_t global_seq;
	uint32_t nonce;
	struct mcon *cons;
	struct evloop_timer tick;

	uint32_t con_mode;
	int first_auth_err;
	char first_auth_why[256];
	char last_down_why[256];

	struct monc_maps maps;
};

static uint64_t now_ms(void)
{
	return evloop_now_ns() / EVLOOP_NS_PER_MS;
}

static int64_t now_s(void)
{
	return (int64_t)(evloop_now_ns() / EVLOOP_NS_PER_S);
}

static struct mcon *find_con(struct monc_loop *ml, uint64_t id)
{
	for (struct mcon *c = ml->cons; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void rearm_tick(struct monc_loop *ml)
{
	uint64_t next = monc_tick(ml->monc, now_ms());

	if (next == UINT64_MAX)
		evloop_timer_cancel(ml->loop, &ml->tick);
	else
		evloop_timer_arm(ml->loop, &ml->tick, next * EVLOOP_NS_PER_MS);
}

static void tick_timer(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct monc_loop *ml = arg;

	(void)l, (void)t;
	pthread_mutex_lock(&ml->lock);
	rearm_tick(ml);
	pthread_mutex_unlock(&ml->lock);
}

/* ---- connection events (under ml->lock, from msgr2_conn) ------------------------ */

static void on_up(void *arg, struct msgr2_conn *conn, uint64_t global_id, uint32_t con_mode, uint64_t peer_features)
{
	struct mcon *c = arg;
	struct monc_loop *ml = c->ml;
	uint64_t id = c->id;

	(void)conn;
	monc_con_up(ml->monc, id, global_id, peer_features, now_ms());
	c = find_con(ml, id); /* monc closes (frees) a straggler */
	if (c && monc_session_con(ml->monc) == id) {
		ml->id_con = c->id;
		ml->con_mode = con_mode;
		cephx_identity_session_up(&ml->id, &c->hs); /* the winner's identity is the client's */
		pthread_cond_broadcast(&ml->cond);
	}
	rearm_tick(ml);
}

static void on_msg(void *arg, struct msgr2_conn *conn, uint16_t type, uint16_t version, uint64_t tid,
		   const uint8_t *front, size_t len, const uint8_t *middle, size_t middle_len, const uint8_t *data,
		   size_t data_len)
{
	struct mcon *c = arg;
	struct monc_loop *ml = c->ml;

	(void)conn, (void)version, (void)middle, (void)middle_len, (void)data, (void)data_len;
	if (monc_session_con(ml->monc) != c->id)
		return; /* a straggler: only the session speaks */
	if (type == CEPH_MSG_AUTH_REPLY)
		cephx_identity_handle_reply(&ml->id, front, len);
	else if (!monc_maps_handle(&ml->maps, type, front, len, now_ms()) &&
		 monc_handle_msg(ml->monc, c->id, type, tid, front, len, now_ms()) == -EBADMSG)
		health_report(ml->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, EBADMSG, "monitors", NULL,
			      "malformed message of type %u dropped", type);
	/* (-ENOENT from monc: a message we do not use) */
	pthread_cond_broadcast(&ml->cond);
	rearm_tick(ml);
}

static void on_keepalive_ack(void *arg, struct msgr2_conn *conn, uint64_t stamp_ns)
{
	struct mcon *c = arg;
	struct monc_loop *ml = c->ml;

	(void)conn, (void)stamp_ns;
	monc_keepalive_ack(ml->monc, c->id, now_ms());
	rearm_tick(ml);
}

static void on_down(void *arg, struct msgr2_conn *conn, int err, const char *why)
{
	struct mcon *c = arg;
	struct monc_loop *ml = c->ml;
	char addr[64] = "";

	ceph_entity_addr_format(msgr2_conn_peer_addr(conn), addr, sizeof(addr));
	if (strcmp(c->name, addr)) /* named, not just by its address */
		snprintf(ml->last_down_why, sizeof(ml->last_down_why), "mon.%s %s: %s", c->name, addr, why);
	else
		snprintf(ml->last_down_why, sizeof(ml->last_down_why), "mon.%s: %s", addr, why);
	cephx_identity_handshake_down(&ml->id, &c->hs, err);
	if (monc_auth_error(err) && !ml->first_auth_err) {
		ml->first_auth_err = err;
		snprintf(ml->first_auth_why, sizeof(ml->first_auth_why), "%s (monitor %s)", why, addr);
		pthread_cond_broadcast(&ml->cond);
	}
	monc_con_down(ml->monc, c->id, err, why, now_ms()); /* closes @c */
	rearm_tick(ml);
}

static const struct msgr2_conn_cbs conn_cbs = {on_up, on_msg, on_keepalive_ack, on_down, NULL};

/* ---- what monc asks of the connections ---------------------------------------- */

static int io_open(void *arg, uint64_t id, const char *name, const struct ceph_addrvec *addrs)
{
	struct monc_loop *ml = arg;
	const struct ceph_entity_addr *a = ceph_addrvec_msgr2(addrs);
	struct mcon *c;
	int e;

	if (!a)
		return -EPROTONOSUPPORT; /* a monitor that speaks only msgr1 */
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ml = ml;
	c->id = id;
	snprintf(c->name, sizeof(c->name), "%s", name);
	if (cephx_handshake_init(&c->hs, &ml->id)) {
		free(c);
		return -ENOMEM;
	}
	struct msgr2_auth_provider prov = cephx_handshake_provider(&c->hs);
	struct msgr2_conn_params p = {
	    .loop = ml->loop,
	    .lock = &ml->lock,
	    .peer_addr = *a,
	    .peer_type = CEPH_ENTITY_TYPE_MON,
	    .ms_mode = ml->cfg.ms_mode,
	    .auth = &prov,
	    .nauth = 1,
	    .global_seq = &ml->global_seq,
	    .nonce = ml->nonce,
	    .cb = &conn_cbs,
	    .cb_arg = c,
	};
	e = msgr2_conn_open(&p, &c->conn);
	if (e) {
		cephx_handshake_destroy(&c->hs);
		free(c);
		return e;
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
		if (ml->id_con == id) {
			ml->id_con = 0;
			cephx_identity_session_down(&ml->id);
		}
		msgr2_conn_close(c->conn); /* nothing of @c is used after this */
		cephx_handshake_destroy(&c->hs);
		free(c);
		return;
	}
}

static int io_send(void *arg, uint64_t id, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front,
		   size_t len)
{
	struct mcon *c = find_con(arg, id);

	return c ? msgr2_conn_send(c->conn, type, version, tid, front, len) : -ENOTCONN;
}

static void io_revoke(void *arg, uint64_t id, uint64_t tid)
{
	struct mcon *c = find_con(arg, id);

	if (c)
		msgr2_conn_revoke(c->conn, tid); /* -EINPROGRESS, -ENOENT: already out */
}

static void io_keepalive(void *arg, uint64_t id)
{
	struct mcon *c = find_con(arg, id);

	if (c)
		msgr2_conn_keepalive(c->conn);
}

/* The identity's MAuth goes out on the session. */
static int send_mauth(void *arg, const uint8_t *front, size_t len)
{
	struct monc_loop *ml = arg;
	struct mcon *c = find_con(ml, monc_session_con(ml->monc));

	return c ? msgr2_conn_send(c->conn, CEPH_MSG_AUTH, 0, 0, front, len) : -ENOTCONN;
}

/* ---- requests from other threads ------------------------------------------------- */

/*
 * A statfs or mon command from a FUSE worker: an evloop_req guarded by
 * ml->req_lock. The caller holds one reference until it has its answer; the
 * loop holds one from submission until monc finishes the request (its
 * reply, monc_stop) or forgets it (a cancel). A cancel (the caller's
 * token, its deadline) releases the caller at once; the cancel op then
 * forgets the tid and revokes its message on the loop thread.
 */
enum mreq_kind { MREQ_STATFS, MREQ_COMMAND };

struct mreq {
	struct evloop_req req;
	struct monc_loop *ml;
	struct evloop_work submit;
	enum mreq_kind kind;
	bool in_monc; /* monc holds it (the loop's reference) */
	uint64_t tid;
	char *cmd;
	struct monc_reply reply;
};

static void mreq_release(struct evloop_req *q)
{
	struct mreq *r = (struct mreq *)q;

	free(r->cmd);
	free(r);
}

/* On the loop thread, under req_lock. */
static void mreq_cancel(struct evloop_req *q, int err)
{
	struct mreq *r = (struct mreq *)q;
	struct monc_loop *ml = r->ml;

	(void)err;
	if (!r->in_monc)
		return; /* not submitted yet: the submit work sees it is done */
	r->in_monc = false;
	pthread_mutex_lock(&ml->lock);
	monc_cancel(ml->monc, r->tid);
	pthread_mutex_unlock(&ml->lock);
	evloop_req_put(&r->req); /* the loop's */
}

static const struct evloop_req_ops mreq_ops = {mreq_cancel, mreq_release};

static void req_done(void *arg, uint64_t tid, const struct monc_reply *rep)
{
	struct mreq *r = arg;

	(void)tid;
	pthread_mutex_lock(&r->ml->req_lock);
	r->in_monc = false;
	if (!r->req.done)
		r->reply = *rep;
	evloop_req_complete(&r->req, rep->result);
	evloop_req_put(&r->req); /* the loop's */
	pthread_mutex_unlock(&r->ml->req_lock);
}

static void req_submit(struct evloop *l, struct evloop_work *w)
{
	struct mreq *r = (struct mreq *)((char *)w - offsetof(struct mreq, submit));
	struct monc_loop *ml = r->ml;
	int64_t tid;

	(void)l;
	pthread_mutex_lock(&ml->req_lock);
	if (r->req.done) {
		evloop_req_put(&r->req); /* cancelled before it got here */
		pthread_mutex_unlock(&ml->req_lock);
		return;
	}
	pthread_mutex_unlock(&ml->req_lock);
	/* A cancel from now on runs its op on this thread, after us. */
	pthread_mutex_lock(&ml->lock);
	if (r->kind == MREQ_STATFS) {
		int64_t pool = mdsmap_statfs_pool(ml->maps.mdsmap); /* CEPH_NOPOOL without one */
		tid = monc_statfs(ml->monc, pool, req_done, r, now_ms());
	} else {
		const char *one[1] = {r->cmd};
		tid = monc_command(ml->monc, one, 1, req_done, r, now_ms());
	}
	pthread_mutex_lock(&ml->req_lock);
	if (tid < 0) {
		evloop_req_complete(&r->req, (int)tid);
		evloop_req_put(&r->req);
	} else {
		r->tid = (uint64_t)tid;
		r->in_monc = true;
	}
	pthread_mutex_unlock(&ml->req_lock);
	rearm_tick(ml);
	pthread_mutex_unlock(&ml->lock);
}

/* Submit @r, wait for its answer (copied to @out), and drop it: 0 or -errno. */
static int req_run(struct monc_loop *ml, struct mreq *r, uint64_t deadline, struct evloop_cancel *cancel,
		   struct monc_reply *out)
{
	int e;

	r->ml = ml;
	evloop_req_init(&r->req, ml->loop, &mreq_ops, &ml->req_lock, deadline);
	evloop_req_get(&r->req); /* the loop's, until monc is done with it */
	evloop_work_init(&r->submit, req_submit);
	evloop_cancel_attach(cancel, &r->req);
	pthread_mutex_lock(&ml->req_lock);
	if (!evloop_work_queue(ml->loop, &r->submit)) {
		evloop_req_complete(&r->req, -ESHUTDOWN);
		evloop_req_put(&r->req);
	}
	e = evloop_req_wait(&r->req);
	*out = r->reply;
	pthread_mutex_unlock(&ml->req_lock);
	evloop_cancel_detach(cancel, &r->req);
	pthread_mutex_lock(&ml->req_lock);
	evloop_req_put(&r->req);
	pthread_mutex_unlock(&ml->req_lock);
	return e;
}

int monc_loop_statfs(struct monc_loop *ml, uint64_t deadline_ns, struct evloop_cancel *cancel,
		     struct mon_statfs_reply *out)
{
	struct mreq *r = calloc(1, sizeof(*r));
	struct monc_reply rep;
	int e;

	if (!r)
		return -ENOMEM;
	r->kind = MREQ_STATFS;
	e = req_run(ml, r, deadline_ns, cancel, &rep);
	if (e == 0)
		*out = rep.statfs;
	else if (e != -EINTR && e != -ESHUTDOWN)
		health_report(ml->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, e, "monitors", NULL,
			      "statfs failed: %s", strerror(-e));
	return e;
}

int monc_loop_command(struct monc_loop *ml, const char *json, uint64_t deadline_ns, struct evloop_cancel *cancel,
		      char *rs, size_t rslen)
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
	e = req_run(ml, r, deadline_ns, cancel, &rep);
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
	pthread_mutex_init(&ml->lock, NULL);
	pthread_mutex_init(&ml->req_lock, NULL);
	evloop_cond_init(&ml->cond);
	evloop_timer_init(&ml->tick, tick_timer, ml);
	if (RAND_bytes((unsigned char *)&ml->nonce, sizeof(ml->nonce)) != 1 ||
	    RAND_bytes((unsigned char *)&seed, sizeof(seed)) != 1) {
		snprintf(err, errlen, "no randomness from OpenSSL");
		e = -EIO;
		goto fail;
	}
	ml->loop = evloop_new("netfuse-monc");
	if (!ml->loop) {
		e = -errno;
		snprintf(err, errlen, "cannot create the monitor client's event loop: %s", strerror(errno));
		goto fail;
	}
	id = strncmp(ml->cfg.entity, "client.", 7) ? ml->cfg.entity : ml->cfg.entity + 7;
	struct cephx_identity_params ip = {
	    .id = id,
	    .key = &ml->cfg.key,
	    .want_keys = CEPH_ENTITY_TYPE_MON | CEPH_ENTITY_TYPE_OSD | CEPH_ENTITY_TYPE_MDS,
	    .loop = ml->loop,
	    .lock = &ml->lock,
	    .health = ml->health,
	    .server = "monitors",
	    .send_mauth = send_mauth,
	    .arg = ml,
	};
	e = cephx_identity_init(&ml->id, &ip);
	ceph_key_wipe(&ml->cfg.key); /* ml->id holds it now */
	if (e) {
		snprintf(err, errlen, "%s: the key from %s is not a usable cephx key", ml->cfg.entity,
			 ml->cfg.key_from);
		goto fail;
	}
	ml->have_id = true;
	monc_initial_monmap(&ml->cfg.mons, &initial);
	io.arg = ml;
	ml->monc = monc_new(&initial, &io, ml->health, seed);
	if (!ml->monc) {
		snprintf(err, errlen, "no monitors");
		e = -EINVAL;
		goto fail;
	}
	monc_maps_init(&ml->maps, ml->monc, ml->health, ml->cfg.fs_name, p->want_fs, &p->osdmap);
	ml->maps.mdsmap_ops = p->mdsmap;
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
	monc_maps_subscribe(&ml->maps, now);
	monc_start(ml->monc, now);
	rearm_tick(ml);
	pthread_mutex_unlock(&ml->lock);
}

static bool ready(const struct monc_loop *ml)
{
	return monc_session_con(ml->monc) && monc_maps_ready(&ml->maps);
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
		if (ml->maps.fs_missing) {
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
					 !monc_maps_have_monmap(&ml->maps)		    ? "monmap"
					 : ml->maps.osdmap.handle && !ml->maps.osdmap_epoch ? "OSD map"
											    : "MDS map");
			break;
		}
	}
	pthread_mutex_unlock(&ml->lock);
	return e;
}

void monc_loop_shared(struct monc_loop *ml, struct monc_loop_shared *out)
{
	*out = (struct monc_loop_shared){.loop = ml->loop,
					 .lock = &ml->lock,
					 .cx = &ml->id.cx,
					 .global_seq = &ml->global_seq,
					 .nonce = ml->nonce,
					 .ms_mode = ml->cfg.ms_mode,
					 .health = ml->health};
}

void monc_loop_osdmap_result(struct monc_loop *ml, const struct monc_osdmap_result *r)
{
	monc_maps_osdmap_result(&ml->maps, r, now_ms());
	rearm_tick(ml);
}

int64_t monc_loop_get_version(struct monc_loop *ml, const char *what, monc_done_fn done, void *arg)
{
	int64_t tid = monc_get_version(ml->monc, what, done, arg, now_ms());

	rearm_tick(ml);
	return tid;
}

void monc_loop_cancel(struct monc_loop *ml, uint64_t tid)
{
	monc_cancel(ml->monc, tid);
}

void monc_loop_snapshot(struct monc_loop *ml, struct monc_loop_snapshot *s)
{
	int64_t mono = now_s(), expires;

	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&ml->lock);
	s->now_ms = now_ms();
	monc_get_status(ml->monc, &s->status);
	s->monmap = *monc_monmap(ml->monc);
	s->osdmap_epoch = ml->maps.osdmap_epoch;
	if ((s->have_fsmap = ml->maps.fsmap != NULL))
		s->fsmap = *ml->maps.fsmap;
	if ((s->have_mdsmap = ml->maps.mdsmap != NULL))
		s->mdsmap = *ml->maps.mdsmap;
	snprintf(s->fs_name, sizeof(s->fs_name), "%s", ml->cfg.fs_name);
	snprintf(s->auth.entity, sizeof(s->auth.entity), "%s", ml->cfg.entity);
	snprintf(s->auth.key_from, sizeof(s->auth.key_from), "%s", ml->cfg.key_from);
	s->auth.global_id = cephx_identity_global_id(&ml->id);
	snprintf(s->auth.con_mode, sizeof(s->auth.con_mode), "%s",
		 ml->con_mode == MSGR2_CON_MODE_SECURE ? "secure"
		 : ml->con_mode == MSGR2_CON_MODE_CRC  ? "crc"
						       : "none");
	s->auth.renewals = ml->id.renewals;
	expires = cephx_identity_mon_ticket_expires(&ml->id);
	if (expires)
		s->auth.ticket_expires = (int64_t)time(NULL) + (expires - mono);
	pthread_mutex_unlock(&ml->lock);
}

static void stop_fn(void *arg)
{
	struct monc_loop *ml = arg;

	pthread_mutex_lock(&ml->lock);
	monc_stop(ml->monc, now_ms());
	evloop_timer_cancel(ml->loop, &ml->tick);
	while (ml->cons)
		io_close(ml, ml->cons->id);
	cephx_identity_session_down(&ml->id);
	pthread_cond_broadcast(&ml->cond);
	pthread_mutex_unlock(&ml->lock);
}

void monc_loop_free(struct monc_loop *ml)
{
	if (!ml)
		return;
	if (ml->started)
		evloop_call_sync(ml->loop, stop_fn, ml, EVLOOP_NEVER);
	evloop_free(ml->loop); /* stop_fn closed every connection; their last work ran */
	monc_free(ml->monc);
	if (ml->have_id)
		cephx_identity_destroy(&ml->id);
	monc_maps_destroy(&ml->maps);
	ceph_mount_config_wipe(&ml->cfg);
	pthread_cond_destroy(&ml->cond);
	pthread_mutex_destroy(&ml->req_lock);
	pthread_mutex_destroy(&ml->lock);
	OPENSSL_cleanse(ml, sizeof(*ml));
	free(ml);
}
