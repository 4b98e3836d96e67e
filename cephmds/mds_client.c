/*
 * cephmds/mds_client.c: the MDS client's state machine (see the header).
 *
 * Requests in flight live in one evloop_tidmap, in tid order (the order a
 * new session sends the waiting ones in). A request answered early
 * (unsafe) is finished for its caller, who may free it, so it leaves the
 * map and only its tid and rank stay, on the unsafe list, until the safe
 * reply.
 */
#include "config.h"

#include "cephmds/mds_client_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_entity.h"

static const char *const sstate_names[] = {"new",    "opening",    "open",
					    "closing", "closed", "rejected", "lost", "restarting", "reconnecting"};

static struct mdsc_request *req_of(struct evloop_tid *t)
{
	return t ? (struct mdsc_request *)((char *)t - offsetof(struct mdsc_request, tid)) : NULL;
}

static const char *mds_name(int32_t rank, char *buf, size_t len)
{
	snprintf(buf, len, "mds.%d", (int)rank);
	return buf;
}

void mdsc_report(struct mdsc *m, const struct msession *s, enum health_type type, int err, const char *fmt, ...)
{
	char who[32], addr[64] = "";
	va_list va;

	if (s->addr.type)
		ceph_entity_addr_format(&s->addr, addr, sizeof(addr));
	va_start(va, fmt);
	health_vreport(m->health, HEALTH_DOMAIN_SESSION, type, err, mds_name(s->rank, who, sizeof(who)),
		       addr[0] ? addr : NULL, fmt, va);
	va_end(va);
}

void mdsc_request_release(struct mdsc_request *r)
{
	free(r->rep);
	free(r->reply);
	r->rep = NULL;
	r->reply = NULL;
	r->reply_len = 0;
}

void mdsc_map_from_summary(const struct mdsmap_summary *sm, struct mdsc_map *out)
{
	memset(out, 0, sizeof(*out));
	out->epoch = sm->epoch;
	out->session_timeout = sm->session_timeout ? sm->session_timeout : 60;
	out->session_autoclose = sm->session_autoclose ? sm->session_autoclose : 300;
	for (unsigned i = 0; i < sm->nmds; i++) {
		const struct mdsmap_mds *d = &sm->mds[i];
		if (d->rank < 0 || d->rank >= MDSC_MAX_RANKS || d->state <= 0)
			continue;
		out->rank[d->rank].state = d->state;
		out->rank[d->rank].addr = d->addr_msgr2;
		if ((unsigned)d->rank + 1 > out->nranks)
			out->nranks = (unsigned)d->rank + 1;
	}
}

/* ---- sending ------------------------------------------------------------------------------ */

int mdsc_send(struct mdsc *m, struct msession *s, uint16_t type, uint16_t version, uint64_t tid,
	      const struct wire_enc *front, const void *data, uint32_t data_len)
{
	struct msgr2_out out = {.type = type,
				.version = version,
				.compat_version = 1,
				.tid = tid,
				.front = front->buf,
				.front_len = front->len,
				.data = data,
				.data_len = data_len};

	if (!s->con || !version)
		return -EINVAL;
	return m->io.send(m->io.arg, s->con, &out);
}

static void send_session_op(struct mdsc *m, struct msession *s, uint32_t op, uint64_t seq)
{
	struct wire_enc e;

	wire_enc_init(&e);
	mdsc_send(m, s, CEPH_MSG_CLIENT_SESSION, mds_session_head_encode(&e, op, seq), 0, &e, NULL, 0);
	wire_enc_free(&e);
}

static void send_renew(struct mdsc *m, struct msession *s, uint64_t now)
{
	s->renew_requested_ms = now;
	send_session_op(m, s, MDS_SESSION_REQUEST_RENEWCAPS, ++s->renew_seq);
}

/* The oldest tid the MDS must still remember answers for. */
static uint64_t oldest_tid(const struct mdsc *m)
{
	struct evloop_tid *t = evloop_tidmap_first(&m->reqs);
	uint64_t oldest = t ? t->tid : 0;

	if (m->unsafe && (!oldest || m->unsafe->tid < oldest))
		oldest = m->unsafe->tid;
	return oldest;
}

/* ---- finishing ---------------------------------------------------------------------------- */

static void unsafe_insert(struct mdsc *m, struct unsafe *u)
{
	struct unsafe *p = m->unsafe_tail;

	while (p && p->tid > u->tid)
		p = p->prev;
	u->prev = p;
	u->next = p ? p->next : m->unsafe;
	if (u->next)
		u->next->prev = u;
	else
		m->unsafe_tail = u;
	if (p)
		p->next = u;
	else
		m->unsafe = u;
	m->nunsafe++;
}

static void unsafe_remove(struct mdsc *m, struct unsafe *u)
{
	if (u->prev)
		u->prev->next = u->next;
	else
		m->unsafe = u->next;
	if (u->next)
		u->next->prev = u->prev;
	else
		m->unsafe_tail = u->prev;
	m->nunsafe--;
	free(u->front);
	free(u->data);
	free(u);
}

static void finish(struct mdsc *m, struct mdsc_request *r, int result)
{
	/* given up before its reply (a cancel, a deadline, a rank gone): the
	 * MDS may still do it, and the names it changes are not known */
	if (!r->rep && (r->sent || r->interrupted))
		mdsc_caps_names_abandoned(m, r);
	evloop_tidmap_remove(&m->reqs, &r->tid);
	r->result = result;
	r->finished = true;
	r->done(r);
}

/* Fail @rank's requests (with @sent_only, those whose fate is unknown:
 * sent, or sent before a restart) and forget its unsafe ones. */
static void fail_rank(struct mdsc *m, int32_t rank, bool sent_only, int err)
{
	struct evloop_tid *t = evloop_tidmap_first(&m->reqs), *next;

	for (; t; t = next) {
		struct mdsc_request *r = req_of(t);
		next = evloop_tidmap_next(&m->reqs, t);
		if (r->target == rank && (!sent_only || r->sent || r->interrupted))
			finish(m, r, err);
	}
	for (struct unsafe *u = m->unsafe, *next; u; u = next) { /* their safe replies will not come */
		next = u->next;
		if (u->rank == rank)
			unsafe_remove(m, u);
	}
}

/* ---- sessions ----------------------------------------------------------------------------- */

static void close_con(struct mdsc *m, struct msession *s)
{
	if (s->con)
		m->io.close(m->io.arg, s->con);
	s->con = 0;
	s->up = false;
}

/* The session's connection goes, and with it the session's caps. */
static void drop_con(struct mdsc *m, struct msession *s)
{
	mdsc_caps_session_gone(m, s);
	close_con(m, s);
}

static int open_session(struct mdsc *m, struct msession *s, uint64_t now)
{
	int e;

	s->addr = m->map.rank[s->rank].addr;
	s->con = ++m->next_con;
	s->up = false;
	s->state = S_OPENING;
	s->readonly = s->stale = false;
	s->features = 0;
	s->seq = s->close_seq = 0; /* a new session counts from 0; a kept one's OPEN says where it is */
	s->renew_requested_ms = now;
	e = m->io.open(m->io.arg, s->con, s->rank, &s->addr);
	if (e) {
		s->con = 0;
		s->state = S_LOST;
		mdsc_report(m, s, HEALTH_SESSION_LOST, -e, "cannot connect to the MDS: %s", strerror(-e));
	}
	return e;
}

static void send_request(struct mdsc *m, struct msession *s, struct mdsc_request *r)
{
	struct wire_enc e;
	uint16_t v;
	int err;

	r->m.oldest_client_tid = oldest_tid(m);
	r->m.mdsmap_epoch = m->map.epoch;
	r->m.num_retry = r->attempts;
	r->m.num_fwd = r->num_fwd;
	wire_enc_init(&e);
	v = mds_request_encode(&e, &r->m);
	err = v ? mdsc_send(m, s, CEPH_MSG_CLIENT_REQUEST, v, r->tid.tid, &e, r->data, r->data_len) : -EINVAL;
	wire_enc_free(&e);
	if (err < 0) {
		finish(m, r, err);
		return;
	}
	r->attempts++;
	r->sent = true;
	r->interrupted = false;
	m->st.sent++;
}

/* The kernel's __do_request: where @r goes, and whether it can go now. */
static void kick(struct mdsc *m, struct mdsc_request *r, uint64_t now)
{
	int32_t rank = r->target >= 0 ? r->target : 0;
	struct msession *s;

	if (m->stopping) {
		finish(m, r, -ESHUTDOWN);
		return;
	}
	if (rank >= MDSC_MAX_RANKS) {
		finish(m, r, -EINVAL);
		return;
	}
	r->target = rank;
	if (!m->have_map || (unsigned)rank >= m->map.nranks || m->map.rank[rank].state < CEPH_MDS_STATE_ACTIVE)
		return; /* a map that shows the rank active sends it */
	s = &m->s[rank];
	switch (s->state) {
	case S_REJECTED:
		finish(m, r, -EACCES);
		return;
	case S_NEW:
	case S_CLOSED:
	case S_LOST:
		if (open_session(m, s, now))
			finish(m, r, -EIO);
		return;
	case S_OPENING:
	case S_CLOSING:
	case S_RESTARTING:
	case S_RECONNECTING:
		return; /* OPEN (or a reopen after CLOSE) sends it */
	case S_OPEN:
		if (s->readonly && (r->m.op & MDS_OP_WRITE)) {
			finish(m, r, -EROFS);
			return;
		}
		send_request(m, s, r);
		return;
	}
}

/* Every request not yet sent, in tid order. */
static void kick_all(struct mdsc *m, uint64_t now)
{
	struct evloop_tid *t = evloop_tidmap_first(&m->reqs), *next;

	for (; t; t = next) {
		struct mdsc_request *r = req_of(t);
		next = evloop_tidmap_next(&m->reqs, t);
		if (!r->sent)
			kick(m, r, now);
	}
}

static struct msession *find_con(struct mdsc *m, uint64_t con)
{
	for (unsigned i = 0; con && i < MDSC_MAX_RANKS; i++)
		if (m->s[i].con == con)
			return &m->s[i];
	return NULL;
}

/* ---- MDS restarts ------------------------------------------------------------------------ */

/* The session's MDS is gone for now: keep its caps and requests for the
 * daemon that takes the rank over. */
static void restart(struct mdsc *m, struct msession *s, const char *why, uint64_t now)
{
	close_con(m, s);
	if (s->state != S_RESTARTING && s->state != S_RECONNECTING) {
		s->down_ms = now;
		s->probe_ms = now + MDSC_RESTART_GRACE_MS;
	}
	s->state = S_RESTARTING;
	s->probing = false;
	mdsc_caps_names_distrust(m, s);
	for (struct evloop_tid *t = evloop_tidmap_first(&m->reqs); t; t = evloop_tidmap_next(&m->reqs, t)) {
		struct mdsc_request *r = req_of(t);
		if (r->target == s->rank && r->sent) {
			r->sent = false;
			r->interrupted = true;
		}
	}
	mdsc_report(m, s, HEALTH_SESSION_LOST, ENOTCONN,
		    "MDS session interrupted (%s): %u caps and the requests wait for the MDS to recover", why,
		    s->ncaps);
}

/* The session is over without the MDS taking it back: what rested on it
 * goes, requests whose fate is unknown fail, the others wait for a new
 * session (the caller kicks them). */
static void give_up(struct mdsc *m, struct msession *s, enum sstate state, const char *why)
{
	drop_con(m, s);
	s->state = state;
	mdsc_report(m, s, HEALTH_SESSION_LOST, ENOTCONN, "%s", why);
	fail_rank(m, s->rank, true, -EIO);
}

/* The unsafe requests again, in tid order, flagged REPLAY. */
static unsigned replay_unsafe(struct mdsc *m, struct msession *s)
{
	unsigned sent = 0;

	for (const struct unsafe *u = m->unsafe; u; u = u->next) {
		struct msgr2_out out = {.type = CEPH_MSG_CLIENT_REQUEST,
					.version = u->version,
					.compat_version = 1,
					.tid = u->tid,
					.front = u->front,
					.front_len = u->front_len,
					.data = u->data,
					.data_len = u->data_len};
		if (u->rank == s->rank && u->front)
			sent += m->io.send(m->io.arg, s->con, &out) >= 0;
	}
	return sent;
}

/* The connection to the rank's new daemon is up: replay, then MClientReconnect. */
static void send_reconnect(struct mdsc *m, struct msession *s, uint64_t now)
{
	struct wire_enc front, data;
	struct mds_cap_reconnect *caps;
	unsigned ncaps, replayed;
	uint16_t v;
	int e;

	s->seq = s->close_seq = 0; /* the new MDS counts from 0 */
	s->readonly = s->stale = false;
	s->renew_requested_ms = now;
	replayed = replay_unsafe(m, s);
	/* The requests the old MDS never answered go now too, as the
	 * kernel's: one it completed is answered in clientreplay, with the
	 * trace of what it made; the others wait there for active. */
	for (struct evloop_tid *t = evloop_tidmap_first(&m->reqs), *next; t; t = next) {
		struct mdsc_request *r = req_of(t);
		next = evloop_tidmap_next(&m->reqs, t);
		if (r->target == s->rank && r->interrupted && !r->sent)
			send_request(m, s, r);
	}
	caps = mdsc_caps_reconnect_list(m, s, &ncaps);
	wire_enc_init(&front);
	wire_enc_init(&data);
	if (!caps && s->ncaps)
		e = -ENOMEM;
	else if (!(v = mds_reconnect_encode(&data, caps, ncaps)))
		e = -EINVAL;
	else
		e = mdsc_send(m, s, CEPH_MSG_CLIENT_RECONNECT, v, 0, &front, data.buf, (uint32_t)data.len);
	wire_enc_free(&data);
	wire_enc_free(&front);
	free(caps);
	if (e < 0) /* the MDS must hear it within its reconnect window: again at the tick */
		restart(m, s, "the reconnect could not be sent", now);
	else
		mdsc_report(m, s, HEALTH_HUNTING, 0, "reconnecting: %u caps, %u unsafe requests replayed", ncaps,
			    replayed);
}

/* A restarting session whose rank a daemon now holds in RECONNECT or
 * later reconnects to it; one whose daemon stays the same and active
 * tries its address now and then (mdsc_con_up says what came of it). */
static void maybe_reconnect(struct mdsc *m, struct msession *s, uint64_t now)
{
	int32_t st;
	bool same;
	int e;

	if (s->state != S_RESTARTING || !m->have_map)
		return;
	st = (unsigned)s->rank < m->map.nranks ? m->map.rank[s->rank].state : 0;
	same = ceph_entity_addr_equal(&m->map.rank[s->rank].addr, &s->addr);
	if (s->probing) {
		if (st >= CEPH_MDS_STATE_ACTIVE && same)
			return; /* the try is under way */
		close_con(m, s); /* the map moved on */
		s->probing = false;
	}
	if (st >= CEPH_MDS_STATE_RECONNECT && (!same || st < CEPH_MDS_STATE_ACTIVE)) {
		if (now < s->retry_ms)
			return; /* the last try failed a moment ago: the tick tries again */
		s->retry_ms = now + MDSC_RECONNECT_RETRY_MS;
		s->addr = m->map.rank[s->rank].addr;
		s->con = ++m->next_con;
		s->up = false;
		s->state = S_RECONNECTING;
		e = m->io.open(m->io.arg, s->con, s->rank, &s->addr);
		if (e) {
			s->con = 0;
			give_up(m, s, S_LOST, "cannot connect to the MDS to reconnect");
		}
		return;
	}
	if (st >= CEPH_MDS_STATE_ACTIVE && same && now >= s->probe_ms) {
		s->probe_ms = now + MDSC_TICK_MS;
		s->con = ++m->next_con;
		s->up = false;
		s->probing = true;
		if (m->io.open(m->io.arg, s->con, s->rank, &s->addr)) {
			s->con = 0;
			s->probing = false;
		}
	}
}

void mdsc_con_up(struct mdsc *m, uint64_t con, uint64_t now)
{
	struct msession *s = find_con(m, con);
	struct mds_session_open o;
	struct wire_enc e;

	if (!s || s->up)
		return;
	s->up = true;
	if (s->state == S_RECONNECTING) {
		send_reconnect(m, s, now);
		return;
	}
	if (s->state == S_RESTARTING && s->probing) { /* the same daemon answers: it did not restart */
		give_up(m, s, S_LOST, "MDS session lost: the connection dropped and the MDS did not restart");
		kick_all(m, now);
		return;
	}
	if (s->state != S_OPENING)
		return;
	o = (struct mds_session_open){
	    .meta = (const char *const *)m->meta, .nmeta = m->nmeta, .features = MDS_CLIENT_FEATURES, .seq = 0};
	wire_enc_init(&e);
	s->renew_requested_ms = now;
	mdsc_send(m, s, CEPH_MSG_CLIENT_SESSION, mds_session_open_encode(&e, &o), 0, &e, NULL, 0);
	wire_enc_free(&e);
}

void mdsc_con_down(struct mdsc *m, uint64_t con, int err, const char *why, uint64_t now)
{
	struct msession *s = find_con(m, con);
	char because[160];

	if (!s)
		return;
	if (s->state == S_RESTARTING) { /* a try of the same daemon failed: still down */
		close_con(m, s);
		s->probing = false;
		return;
	}
	if (s->state == S_OPEN || s->state == S_RECONNECTING) {
		snprintf(because, sizeof(because), "%s", why ? why : strerror(-err));
		restart(m, s, because, now);
		maybe_reconnect(m, s, now);
		kick_all(m, now);
		return;
	}
	drop_con(m, s);
	if (s->state == S_CLOSING || s->state == S_CLOSED || s->state == S_REJECTED) {
		s->state = s->state == S_REJECTED ? S_REJECTED : S_CLOSED;
		return;
	}
	s->state = S_LOST;
	mdsc_report(m, s, HEALTH_SESSION_LOST, -err, "MDS session lost: %s", why ? why : strerror(-err));
	fail_rank(m, s->rank, false, -EIO);
}

/* ---- what the MDS sends ------------------------------------------------------------------ */

static void handle_session(struct mdsc *m, struct msession *s, uint16_t version, const uint8_t *front, size_t len,
			   uint64_t now)
{
	struct mds_session_msg *sm = malloc(sizeof(*sm));
	uint64_t ttl_ms = (uint64_t)m->map.session_timeout * 1000;

	if (!sm)
		return;
	if (mds_session_decode(version, front, len, sm)) {
		mdsc_report(m, s, HEALTH_IO_ERROR, EBADMSG, "malformed session message dropped");
		free(sm);
		return;
	}
	switch (sm->op) {
	case MDS_SESSION_OPEN:
		if (s->state != S_OPENING && s->state != S_OPEN && s->state != S_RECONNECTING)
			break;
		if (!sm->have_features || !(sm->features & (1ull << CEPHFS_FEATURE_REPLY_ENCODING))) {
			s->state = S_REJECTED;
			mdsc_report(m, s, HEALTH_SICK, EPROTONOSUPPORT,
				    "the MDS does not encode replies as this client reads them (older than Mimic)");
			drop_con(m, s);
			fail_rank(m, s->rank, false, -EPROTONOSUPPORT);
			break;
		}
		if (!s->seq && sm->seq) /* a session the MDS kept (NOTIFY_SESSION_STATE) */
			s->seq = sm->seq;
		s->features = sm->features;
		s->cap_ttl_ms = s->renew_requested_ms + ttl_ms;
		if (s->state == S_OPENING) {
			s->state = S_OPEN;
			mdsc_report(m, s, HEALTH_SESSION_ESTABLISHED, 0, "MDS session open");
			kick_all(m, now);
		} else if (s->state == S_RECONNECTING) {
			s->state = S_OPEN;
			mdsc_report(m, s, HEALTH_SESSION_ESTABLISHED, 0, "MDS session reconnected after %llu ms",
				    (unsigned long long)(now - s->down_ms));
			mdsc_caps_reconnected(m, s, now);
			kick_all(m, now);
		}
		break;
	case MDS_SESSION_RENEWCAPS:
		if (sm->seq == s->renew_seq) {
			s->cap_ttl_ms = s->renew_requested_ms + ttl_ms;
			if (s->stale) {
				s->stale = false;
				mdsc_report(m, s, HEALTH_HEALTHY, 0, "MDS session renewed after going stale");
				if (m->io.caps_changed) /* the caps are good again */
					m->io.caps_changed(m->io.arg);
			}
			/* what a close could not send while the caps were
			 * not good (stale, past their ttl) goes now; a
			 * held close keeps its time */
			mdsc_caps_flush_session(m, s, false);
		}
		break;
	case MDS_SESSION_STALE:
		s->stale = true;
		mdsc_caps_names_distrust(m, s);
		s->cap_ttl_ms = now;
		mdsc_report(m, s, HEALTH_SICK, 0, "MDS session went stale: renewing");
		send_renew(m, s, now);
		break;
	case MDS_SESSION_RECALL_STATE:
		mdsc_caps_recall(m, s, sm->max_caps, now);
		break;
	case MDS_SESSION_FLUSHMSG:
		send_session_op(m, s, MDS_SESSION_FLUSHMSG_ACK, sm->seq);
		break;
	case MDS_SESSION_FORCE_RO:
		s->readonly = true;
		mdsc_report(m, s, HEALTH_SICK, EROFS, "the MDS made the session read-only");
		break;
	case MDS_SESSION_REJECT:
		s->state = S_REJECTED;
		mdsc_report(m, s, HEALTH_AUTH_FAILED, EACCES, "the MDS refused the session%s%s%s",
			    sm->error[0] ? ": " : "", sm->error,
			    sm->flags & MDS_SESSION_FLAG_BLOCKLISTED ? " (blocklisted)" : "");
		drop_con(m, s);
		fail_rank(m, s->rank, false, -EACCES);
		break;
	case MDS_SESSION_CLOSE:
		if (s->state == S_RECONNECTING) {
			give_up(m, s, S_CLOSED, "the MDS denied the reconnect: the caps held are lost");
			kick_all(m, now);
			break;
		}
		drop_con(m, s);
		if (s->state == S_CLOSING) {
			s->state = S_CLOSED;
		} else {
			s->state = S_CLOSED;
			mdsc_report(m, s, HEALTH_SESSION_LOST, 0, "the MDS closed the session");
			fail_rank(m, s->rank, true, -EIO);
			kick_all(m, now); /* what waits opens a new one */
		}
		break;
	default:
		mdsc_report(m, s, HEALTH_IO_ERROR, EBADMSG, "session message of op %u dropped", sm->op);
		break;
	}
	free(sm);
}

static void remove_unsafe(struct mdsc *m, uint64_t tid)
{
	for (struct unsafe *u = m->unsafe; u; u = u->next)
		if (u->tid == tid) {
			unsafe_remove(m, u);
			return;
		}
}

/* What an unsafe request's replay sends: the request flagged REPLAY,
 * with the inode the MDS made or found for it (as the kernel's
 * __prepare_send_request), so the new MDS does it the same way. */
static void keep_replay(struct unsafe *u, const struct mdsc_request *r, const struct mds_reply *rep)
{
	struct mds_request q = r->m;
	struct wire_enc e;

	q.flags |= MDS_REQ_FLAG_REPLAY;
	q.ino = rep->is_target ? rep->target.ino : 0;
	q.num_retry = r->attempts;
	wire_enc_init(&e);
	u->version = mds_request_encode(&e, &q);
	if (u->version && (u->front = malloc(e.len ? e.len : 1))) {
		memcpy(u->front, e.buf, e.len);
		u->front_len = e.len;
		if (r->data_len && (u->data = malloc(r->data_len))) {
			memcpy(u->data, r->data, r->data_len);
			u->data_len = r->data_len;
		} else if (r->data_len) {
			free(u->front);
			u->front = NULL;
		}
	}
	wire_enc_free(&e);
}

static int handle_reply(struct mdsc *m, struct msession *s, uint64_t tid, const uint8_t *front, size_t len,
			uint64_t now)
{
	struct mdsc_request *r = req_of(evloop_tidmap_find(&m->reqs, tid));
	struct mds_reply *rep = malloc(sizeof(*rep));
	uint8_t *copy = malloc(len ? len : 1);
	bool ours;
	int e;

	if (!rep || !copy) {
		free(rep);
		free(copy);
		if (r && r->target == s->rank && r->sent)
			finish(m, r, -ENOMEM);
		return 0;
	}
	memcpy(copy, front, len);
	e = mds_reply_decode(copy, len, rep);
	if (e) {
		mdsc_report(m, s, HEALTH_IO_ERROR, EBADMSG, "malformed reply to request %llu", (unsigned long long)tid);
		free(rep);
		free(copy);
		if (r && r->target == s->rank && r->sent)
			finish(m, r, -EIO);
		return -EBADMSG;
	}
	m->st.replies++;
	ours = r && r->target == s->rank && r->sent;
	if (!ours) /* a request we gave up on, or a safe reply after the unsafe one */
		mdsc_caps_names_settle(m, tid);
	mdsc_caps_from_reply(m, s, ours ? r : NULL, rep, now);
	if (!r || r->target != s->rank || !r->sent) { /* a safe reply after an unsafe one, or a stray */
		if (rep->safe)
			remove_unsafe(m, tid);
		free(rep);
		free(copy);
		return 0;
	}
	r->reply = copy;
	r->reply_len = len;
	r->rep = rep;
	if (!rep->safe) {
		struct unsafe *u = calloc(1, sizeof(*u));
		if (u) {
			*u = (struct unsafe){.tid = tid, .rank = s->rank};
			keep_replay(u, r, rep);
			unsafe_insert(m, u);
		}
		r->got_unsafe = true;
	}
	finish(m, r, rep->result);
	return 0;
}

static int handle_forward(struct mdsc *m, struct msession *s, uint64_t tid, const uint8_t *front, size_t len,
			  uint64_t now)
{
	struct mdsc_request *r = req_of(evloop_tidmap_find(&m->reqs, tid));
	struct mds_forward f;

	if (mds_forward_decode(front, len, &f)) {
		mdsc_report(m, s, HEALTH_IO_ERROR, EBADMSG, "malformed forward dropped");
		return -EBADMSG;
	}
	if (!r || r->target != s->rank || !r->sent)
		return 0;
	m->st.forwards++;
	if (f.num_fwd <= r->num_fwd || f.num_fwd == UINT32_MAX || f.dest_mds < 0 || f.dest_mds >= MDSC_MAX_RANKS) {
		finish(m, r, -EMULTIHOP);
		return 0;
	}
	r->num_fwd = f.num_fwd;
	r->target = f.dest_mds;
	r->attempts = 0;
	r->sent = false;
	kick(m, r, now);
	return 0;
}

static void handle_lease(struct mdsc *m, struct msession *s, const uint8_t *front, size_t len)
{
	struct mds_lease_msg l;
	struct wire_enc e;

	s->seq++;
	if (mds_lease_decode(front, len, &l)) {
		mdsc_report(m, s, HEALTH_IO_ERROR, EBADMSG, "malformed lease message dropped");
		return;
	}
	if (l.action != MDS_LEASE_REVOKE)
		return;
	l.action = MDS_LEASE_REVOKE_ACK; /* nothing kept under it */
	wire_enc_init(&e);
	mdsc_send(m, s, CEPH_MSG_CLIENT_LEASE, mds_lease_encode(&e, &l), 0, &e, NULL, 0);
	wire_enc_free(&e);
	m->st.leases_acked++;
}

int mdsc_handle_msg(struct mdsc *m, uint64_t con, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front,
		    size_t front_len, const uint8_t *middle, size_t middle_len, uint64_t now)
{
	struct msession *s = find_con(m, con);

	if (!s)
		return -ENOENT;
	switch (type) {
	case CEPH_MSG_CLIENT_SESSION:
		handle_session(m, s, version, front, front_len, now);
		return 0;
	case CEPH_MSG_CLIENT_REPLY:
		return handle_reply(m, s, tid, front, front_len, now);
	case CEPH_MSG_CLIENT_REQUEST_FORWARD:
		return handle_forward(m, s, tid, front, front_len, now);
	case CEPH_MSG_CLIENT_CAPS:
		s->seq++;
		mdsc_caps_handle(m, s, version, tid, front, front_len, middle, middle_len, now);
		return 0;
	case CEPH_MSG_CLIENT_LEASE:
		handle_lease(m, s, front, front_len);
		return 0;
	case CEPH_MSG_CLIENT_SNAP:
	case CEPH_MSG_CLIENT_QUOTA:
		s->seq++; /* counted; nothing cached that they change */
		return 0;
	default:
		return -ENOENT;
	}
}

/* ---- maps, time, life -------------------------------------------------------------------- */

void mdsc_map(struct mdsc *m, const struct mdsc_map *map, uint64_t now)
{
	if (m->have_map && map->epoch <= m->map.epoch)
		return;
	m->map = *map;
	m->have_map = true;
	for (int32_t i = 0; i < MDSC_MAX_RANKS; i++) {
		struct msession *s = &m->s[i];
		bool gone;
		char why[64];
		if (s->state == S_NEW || s->state == S_CLOSED || s->state == S_LOST)
			continue;
		if (s->state == S_RESTARTING) {
			maybe_reconnect(m, s, now);
			continue;
		}
		gone = (unsigned)i >= map->nranks || map->rank[i].state < CEPH_MDS_STATE_RECONNECT ||
		       !ceph_entity_addr_equal(&map->rank[i].addr, &s->addr);
		if (!gone)
			continue;
		if (s->state == S_OPEN || s->state == S_RECONNECTING) {
			snprintf(why, sizeof(why), "map epoch %u shows the rank %s", map->epoch,
				 (unsigned)i < map->nranks && map->rank[i].state ? "taken over" : "failed");
			restart(m, s, why, now);
			maybe_reconnect(m, s, now);
			continue;
		}
		drop_con(m, s);
		if (s->state == S_REJECTED || s->state == S_CLOSING) {
			s->state = S_CLOSED;
			continue;
		}
		s->state = S_LOST;
		mdsc_report(m, s, HEALTH_SESSION_LOST, ENOTCONN, "the MDS of rank %d went away (map epoch %u)", (int)i,
			    map->epoch);
		fail_rank(m, i, true, -EIO);
	}
	kick_all(m, now);
}

uint64_t mdsc_tick(struct mdsc *m, uint64_t now)
{
	uint64_t next = now + MDSC_TICK_MS;
	uint64_t interval = m->have_map ? (uint64_t)m->map.session_timeout * 1000 / 4 : MDSC_TICK_MS;
	bool renew = now >= m->last_renew_ms + interval;
	bool keepalive = !renew && now >= m->last_keepalive_ms + MDSC_TICK_MS;
	struct evloop_tid *t, *tn;
	uint64_t caps_next;

	if (renew)
		m->last_renew_ms = now;
	if (renew || keepalive) /* between renewals, one keepalive a tick (this runs on every event too) */
		m->last_keepalive_ms = now;
	if (m->last_keepalive_ms + MDSC_TICK_MS < next)
		next = m->last_keepalive_ms + MDSC_TICK_MS;
	for (unsigned i = 0; i < MDSC_MAX_RANKS; i++) {
		struct msession *s = &m->s[i];
		if (s->state == S_OPEN && s->up) {
			if (renew)
				send_renew(m, s, now);
			else if (keepalive)
				m->io.keepalive(m->io.arg, s->con);
		} else if (s->state == S_CLOSING && s->up && s->seq != s->close_seq) {
			s->close_seq = s->seq; /* the MDS needs the count to match */
			send_session_op(m, s, MDS_SESSION_REQUEST_CLOSE, s->seq);
		} else if (s->state == S_RESTARTING) {
			maybe_reconnect(m, s, now);
			if (s->state != S_RESTARTING)
				kick_all(m, now);
			if (s->state == S_RESTARTING && s->probe_ms > now && s->probe_ms < next)
				next = s->probe_ms;
			if (s->state == S_RESTARTING && s->retry_ms > now && s->retry_ms < next)
				next = s->retry_ms;
		}
	}
	if (m->last_renew_ms + interval < next)
		next = m->last_renew_ms + interval;
	caps_next = mdsc_caps_tick(m, now);
	if (caps_next < next)
		next = caps_next;
	for (t = evloop_tidmap_first(&m->reqs); t; t = tn) {
		struct mdsc_request *r = req_of(t);
		tn = evloop_tidmap_next(&m->reqs, t);
		if (!r->timeout_ms)
			continue;
		if (now >= r->started_ms + r->timeout_ms)
			finish(m, r, -ETIMEDOUT);
		else if (r->started_ms + r->timeout_ms < next)
			next = r->started_ms + r->timeout_ms;
	}
	return next > now ? next : now + 1;
}

int mdsc_submit(struct mdsc *m, struct mdsc_request *r, uint64_t now)
{
	if (!r->done || !r->m.op || (r->data_len && !r->data) || r->rank >= MDSC_MAX_RANKS || r->rank < MDSC_ANY_RANK)
		return -EINVAL;
	if (m->stopping)
		return -ESHUTDOWN;
	memset(&r->tid, 0, sizeof(r->tid));
	if (!evloop_tidmap_add(&m->reqs, &r->tid))
		return -ENOMEM;
	r->result = 0;
	r->reply = NULL;
	r->reply_len = 0;
	r->rep = NULL;
	r->got_unsafe = r->sent = r->finished = r->interrupted = false;
	r->attempts = r->num_fwd = 0;
	r->target = r->rank;
	r->started_ms = now;
	kick(m, r, now);
	return 0;
}

void mdsc_cancel(struct mdsc *m, struct mdsc_request *r, int err, uint64_t now)
{
	(void)now;
	if (!r->finished && r->tid.tid)
		finish(m, r, err);
}

bool mdsc_close_sessions(struct mdsc *m, uint64_t now)
{
	bool all = true;

	/* no new session, no new request from now on: what waits ends */
	if (!m->stopping) {
		m->stopping = true;
		kick_all(m, now);
	}
	for (unsigned i = 0; i < MDSC_MAX_RANKS; i++) {
		struct msession *s = &m->s[i];
		if (s->state == S_OPEN && s->up) {
			mdsc_caps_flush_session(m, s, true);
			s->state = S_CLOSING;
			s->close_seq = s->seq;
			send_session_op(m, s, MDS_SESSION_REQUEST_CLOSE, s->seq);
		} else if (s->state == S_OPENING || s->state == S_RESTARTING || s->state == S_RECONNECTING) {
			drop_con(m, s);
			s->state = S_CLOSED;
		}
		if (s->state == S_CLOSING)
			all = false;
	}
	return all;
}

struct mdsc *mdsc_new(const struct mdsc_io *io, struct health_queue *health, const char *const *metadata,
		      unsigned nmeta)
{
	struct mdsc *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->io = *io;
	m->health = health;
	m->meta = calloc(2 * (size_t)nmeta + 1, sizeof(char *));
	if (!m->meta) {
		free(m);
		return NULL;
	}
	for (unsigned i = 0; i < 2 * nmeta; i++)
		if (!(m->meta[i] = strdup(metadata[i] ? metadata[i] : ""))) {
			m->nmeta = nmeta;
			mdsc_free(m, 0);
			return NULL;
		}
	m->nmeta = nmeta;
	evloop_tidmap_init(&m->reqs);
	for (int32_t i = 0; i < MDSC_MAX_RANKS; i++)
		m->s[i].rank = i;
	if (mdsc_caps_init(m)) {
		mdsc_free(m, 0);
		return NULL;
	}
	return m;
}

void mdsc_free(struct mdsc *m, uint64_t now)
{
	struct evloop_tid *t;

	(void)now;
	if (!m)
		return;
	m->stopping = true;
	while ((t = evloop_tidmap_first(&m->reqs)))
		finish(m, req_of(t), -ESHUTDOWN);
	for (unsigned i = 0; i < MDSC_MAX_RANKS; i++)
		drop_con(m, &m->s[i]);
	mdsc_caps_destroy(m);
	while (m->unsafe)
		unsafe_remove(m, m->unsafe);
	for (unsigned i = 0; m->meta && i < 2 * m->nmeta; i++)
		free(m->meta[i]);
	free(m->meta);
	evloop_tidmap_destroy(&m->reqs);
	free(m);
}

unsigned mdsc_sessions(const struct mdsc *m, struct mdsc_session_status *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MDSC_MAX_RANKS && n < max; i++) {
		const struct msession *s = &m->s[i];
		if (s->state == S_NEW)
			continue;
		out[n++] = (struct mdsc_session_status){.rank = s->rank,
							.state = sstate_names[s->state],
							.features = s->features,
							.seq = s->seq,
							.renew_seq = s->renew_seq,
							.readonly = s->readonly};
	}
	return n;
}

void mdsc_get_status(const struct mdsc *m, struct mdsc_status *st)
{
	*st = m->st;
	st->requests = (unsigned)evloop_tidmap_count(&m->reqs);
	st->unsafe = m->nunsafe;
	st->caps = m->ncaps;
	st->names = m->names.names;
	st->sessions = 0;
	for (unsigned i = 0; i < MDSC_MAX_RANKS; i++)
		st->sessions += m->s[i].state == S_OPEN;
}

size_t mdsc_format_requests(const struct mdsc *m, char *buf, size_t len)
{
	size_t off = 0;
	int w;

	if (len)
		buf[0] = '\0';
	for (struct evloop_tid *t = evloop_tidmap_first(&m->reqs); t; t = evloop_tidmap_next(&m->reqs, t)) {
		const struct mdsc_request *r = req_of(t);
		w = snprintf(buf + off, off < len ? len - off : 0, "%llu\tmds%d\t%s\t#%llx/%s",
			     (unsigned long long)t->tid, (int)r->target, mds_op_name(r->m.op),
			     (unsigned long long)r->m.path.ino, r->m.path.path ? r->m.path.path : "");
		off += w > 0 ? (size_t)w : 0;
		if (r->m.path2.ino || (r->m.path2.path && r->m.path2.path[0])) {
			w = snprintf(buf + off, off < len ? len - off : 0, "\t#%llx/%s",
				     (unsigned long long)r->m.path2.ino, r->m.path2.path ? r->m.path2.path : "");
			off += w > 0 ? (size_t)w : 0;
		}
		w = snprintf(buf + off, off < len ? len - off : 0, "%s\n", r->sent ? "" : "\twaiting");
		off += w > 0 ? (size_t)w : 0;
	}
	for (const struct unsafe *u = m->unsafe; u; u = u->next) {
		w = snprintf(buf + off, off < len ? len - off : 0, "%llu\tmds%d\tunsafe\n", (unsigned long long)u->tid,
			     (int)u->rank);
		off += w > 0 ? (size_t)w : 0;
	}
	return off < len ? off : (len ? len - 1 : 0);
}
