/*
 * cephmon/mon/mon_client.c: the monitor client's state machine (see
 * mon_client.h). Written for netfuse from the behaviour of Linux
 * net/ceph/mon_client.c (hunting, backoff, keepalive timeout, subscription
 * renewal, generic requests by tid resent on a new session) and librados'
 * MonClient (parallel hunting).
 */
#include "config.h"

#include "cephmon/mon/mon_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evloop/evloop_tid.h"
#include "net/sockaddr.h"

enum req_kind { REQ_STATFS, REQ_GET_VERSION, REQ_COMMAND };

struct monc_req {
	struct evloop_tid tid; /* in monc->reqs; tid.tid is the request's tid */
	enum req_kind kind;
	uint16_t type, version;
	struct wire_enc front;
	monc_done_fn done;
	void *arg;
	char blocklist_addr[64]; /* set for `osd blocklist add`: retried as "blacklist" */
	bool legacy_tried;
	uint64_t sent_at; /* when it went out on the current session; 0 not yet */
};

struct monc_sub {
	char what[32];
	uint64_t have; /* newest epoch held */
	uint64_t next; /* the epoch asked for: have + 1, or 0 for the newest full map */
	bool onetime, got;
};

struct hunt_con {
	uint64_t con;
	int rank;
	char name[MONC_NAME_MAX]; /* to follow it across a new monmap */
};

struct monc {
	struct monc_monmap map;
	struct monc_io io;
	struct health_queue *health;
	uint64_t rng;
	enum monc_state state;
	uint64_t next_con;

	/* Hunting. */
	struct hunt_con hunt[MONC_HUNT_PARALLEL];
	unsigned nhunt;
	bool tried[CEPH_MON_ADDRS_MAX];
	int last_rank; /* the session's monitor, or the one just lost; -1 none */
	uint64_t round_deadline, next_round;
	double hunt_mult;

	/* The session. */
	uint64_t session_con;
	int session_rank;
	uint64_t global_id;
	uint64_t last_ack, next_ping;
	uint64_t probe_sent, probe_after; /* the request probe (see monc_tick) */
	bool stateful_subs;		  /* the monitor keeps subscriptions: no renewal */

	/* Subscriptions. */
	struct monc_sub subs[MONC_SUBS_MAX];
	unsigned nsubs;
	uint64_t sub_sent_at, sub_renew_after;
	uint32_t sub_interval;

	struct evloop_tidmap reqs; /* pending requests by tid, in tid order */

	uint64_t sessions, hunts;
	bool stopped; /* for good */
};

/* ---- helpers ----------------------------------------------------------- */

static struct monc_req *req_of(struct evloop_tid *t)
{
	return t ? (struct monc_req *)((char *)t - offsetof(struct monc_req, tid)) : NULL;
}

#define for_each_req(m, r)                                                                                             \
	for (struct monc_req *r = req_of(evloop_tidmap_first(&(m)->reqs)); r;                                          \
	     r = req_of(evloop_tidmap_next(&(m)->reqs, &r->tid)))

static uint64_t rnd(struct monc *m)
{
	/* xorshift64*: choosing monitors needs spread, not secrecy. */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545f4914f6cdd1dULL;
}

static void mon_addr(const struct monc *m, int rank, char *buf, size_t len)
{
	buf[0] = '\0';
	if (rank >= 0 && (unsigned)rank < m->map.addrs.n && m->map.addrs.mon[rank].n)
		ceph_entity_addr_format(&m->map.addrs.mon[rank].v[0], buf, len);
}

/* What events, the status and the connections call monitor @rank: its
 * name once a monmap gave it one, its address until then (the monitors
 * of the configuration have none), so one monitor is never known by two
 * names at once. */
static const char *mon_name(const struct monc *m, int rank, char *buf, size_t len)
{
	if (rank < 0 || (unsigned)rank >= m->map.addrs.n)
		return "?";
	if (m->map.names[rank][0])
		return m->map.names[rank];
	mon_addr(m, rank, buf, len);
	return buf[0] ? buf : "?";
}

static void emit_session(struct monc *m, enum health_type type, int rank, int err, const char *reason)
{
	char server[HEALTH_NAME_MAX] = "monitors", addr[64] = "";

	if (rank >= 0) {
		char name[MONC_NAME_MAX];

		snprintf(server, sizeof(server), "mon.%s", mon_name(m, rank, name, sizeof(name)));
		mon_addr(m, rank, addr, sizeof(addr));
	}
	health_report(m->health, HEALTH_DOMAIN_SESSION, type, err, server, addr, "%s", reason);
}

static uint64_t hunt_delay(const struct monc *m)
{
	return (uint64_t)(MONC_HUNT_INTERVAL_MS * m->hunt_mult);
}

static void send_on_session(struct monc *m, uint16_t type, uint16_t version, uint64_t tid, struct wire_enc *front)
{
	if (m->state == MONC_SESSION && !wire_enc_error(front))
		m->io.send(m->io.arg, m->session_con, type, version, tid, front->buf, front->len);
}

/* ---- subscriptions ------------------------------------------------------ */

static void send_subscribe(struct monc *m, uint64_t now)
{
	struct mon_sub_item items[MONC_SUBS_MAX];
	size_t n = 0;
	struct wire_enc e;
	uint16_t v;

	for (unsigned i = 0; i < m->nsubs; i++) {
		if (m->subs[i].onetime && m->subs[i].got)
			continue;
		items[n++] =
		    (struct mon_sub_item){m->subs[i].what, m->subs[i].next, m->subs[i].onetime ? CEPH_SUB_ONETIME : 0};
	}
	if (!n || m->state != MONC_SESSION)
		return;
	wire_enc_init(&e);
	v = mon_subscribe_encode(&e, items, n, "netfuse");
	send_on_session(m, CEPH_MSG_MON_SUBSCRIBE, v, 0, &e);
	wire_enc_free(&e);
	m->sub_sent_at = now;
	/* A monitor with MON_STATEFUL_SUB keeps them for the session (and sends
	 * no ack); an older one: until its ack says how long they last, ask
	 * again at the next ping. */
	m->sub_renew_after = m->stateful_subs ? UINT64_MAX : now + MONC_PING_INTERVAL_MS;
}

int monc_subscribe(struct monc *m, const char *what, uint64_t start, bool onetime, uint64_t now)
{
	struct monc_sub *s = NULL;

	if (strlen(what) >= sizeof(m->subs[0].what))
		return -ENAMETOOLONG;
	for (unsigned i = 0; i < m->nsubs; i++)
		if (!strcmp(m->subs[i].what, what))
			s = &m->subs[i];
	if (!s) {
		if (m->nsubs == MONC_SUBS_MAX)
			return -ENOSPC;
		s = &m->subs[m->nsubs++];
		snprintf(s->what, sizeof(s->what), "%s", what);
	}
	s->have = start ? start - 1 : 0;
	s->next = start;
	s->onetime = onetime;
	s->got = false;
	send_subscribe(m, now); /* nothing before a session: that sends them all */
	return 0;
}

void monc_got_epoch(struct monc *m, const char *what, uint64_t epoch)
{
	for (unsigned i = 0; i < m->nsubs; i++) {
		struct monc_sub *s = &m->subs[i];
		if (strcmp(s->what, what))
			continue;
		if (epoch > s->have)
			s->have = epoch;
		s->next = s->have + 1;
		s->got = true;
	}
	health_report(m->health, HEALTH_DOMAIN_VOLUME, HEALTH_HEALTHY, 0, what, NULL, "%s epoch %llu received", what,
		      (unsigned long long)epoch);
}

void monc_want_full(struct monc *m, const char *what, uint64_t now)
{
	for (unsigned i = 0; i < m->nsubs; i++)
		if (!strcmp(m->subs[i].what, what) && m->subs[i].next) {
			m->subs[i].next = 0;
			send_subscribe(m, now);
		}
}

/* ---- hunting ------------------------------------------------------------ */

static void close_hunt_cons(struct monc *m, uint64_t keep)
{
	for (unsigned i = 0; i < m->nhunt; i++)
		if (m->hunt[i].con != keep)
			m->io.close(m->io.arg, m->hunt[i].con);
	m->nhunt = 0;
}

/* A monitor not tried in this round, at random; the one just lost only
 * when no other is left (it may be the only one this client can reach).
 * -1 when none is left. */
static int pick_untried(struct monc *m)
{
	int cand[CEPH_MON_ADDRS_MAX], n = 0;

	for (unsigned r = 0; r < m->map.addrs.n; r++)
		if (!m->tried[r] && (int)r != m->last_rank)
			cand[n++] = (int)r;
	if (n)
		return cand[rnd(m) % (uint64_t)n];
	if (m->last_rank >= 0 && (unsigned)m->last_rank < m->map.addrs.n && !m->tried[m->last_rank])
		return m->last_rank;
	return -1;
}

static void fill_hunt(struct monc *m)
{
	unsigned want = m->map.addrs.n > 1 ? m->map.addrs.n - 1 : 1;

	if (want > MONC_HUNT_PARALLEL)
		want = MONC_HUNT_PARALLEL;
	while (m->nhunt < want) {
		int rank = pick_untried(m);
		if (rank < 0)
			return;
		m->tried[rank] = true;
		uint64_t con = ++m->next_con;
		char name[MONC_NAME_MAX];
		if (m->io.open(m->io.arg, con, mon_name(m, rank, name, sizeof(name)), &m->map.addrs.mon[rank]))
			continue; /* cannot even start: the next one */
		m->hunt[m->nhunt] = (struct hunt_con){.con = con, .rank = rank};
		memcpy(m->hunt[m->nhunt].name, m->map.names[rank], MONC_NAME_MAX);
		m->hunt[m->nhunt].name[MONC_NAME_MAX - 1] = '\0';
		m->nhunt++;
	}
}

static void new_round(struct monc *m, uint64_t now)
{
	memset(m->tried, 0, sizeof(m->tried));
	fill_hunt(m);
	m->round_deadline = now + hunt_delay(m);
	if (!m->nhunt)
		m->next_round = now + hunt_delay(m);
}

static void back_off(struct monc *m)
{
	m->hunt_mult *= MONC_HUNT_BACKOFF;
	if (m->hunt_mult > MONC_HUNT_MAX_MULT)
		m->hunt_mult = MONC_HUNT_MAX_MULT;
}

static void start_hunting(struct monc *m, uint64_t now, const char *why)
{
	m->state = MONC_HUNTING;
	m->hunts++;
	emit_session(m, HEALTH_HUNTING, -1, 0, why);
	new_round(m, now);
}

void monc_start(struct monc *m, uint64_t now)
{
	if (m->state != MONC_STOPPED || m->stopped || m->hunts)
		return;
	start_hunting(m, now, "mounting");
}

static void resend_requests(struct monc *m, uint64_t now, unsigned *count)
{
	for_each_req(m, r)
	{
		send_on_session(m, r->type, r->version, r->tid.tid, &r->front);
		r->sent_at = now;
		(*count)++;
	}
}

void monc_con_up(struct monc *m, uint64_t con, uint64_t global_id, uint64_t peer_features, uint64_t now)
{
	int rank = -1;
	bool found = false;
	unsigned resent = 0;
	char reason[HEALTH_REASON_MAX];

	for (unsigned i = 0; i < m->nhunt; i++)
		if (m->hunt[i].con == con) {
			rank = m->hunt[i].rank;
			found = true;
		}
	if (m->state != MONC_HUNTING || !found) {
		/* A straggler from an abandoned round. */
		m->io.close(m->io.arg, con);
		return;
	}
	close_hunt_cons(m, con);
	m->state = MONC_SESSION;
	m->session_con = con;
	m->session_rank = m->last_rank = rank;
	m->global_id = global_id;
	m->last_ack = now;
	m->next_ping = now + MONC_PING_INTERVAL_MS;
	m->probe_sent = m->probe_after = 0;
	m->stateful_subs = (peer_features & MONC_FEATURE_MON_STATEFUL_SUB) != 0;
	m->sessions++;
	m->hunt_mult /= 2;
	if (m->hunt_mult < 1)
		m->hunt_mult = 1;
	send_subscribe(m, now);
	resend_requests(m, now, &resent);
	if (resent)
		snprintf(reason, sizeof(reason), "session %llu; %u pending request%s sent again",
			 (unsigned long long)m->sessions, resent, resent == 1 ? "" : "s");
	else
		snprintf(reason, sizeof(reason), "session %llu", (unsigned long long)m->sessions);
	emit_session(m, HEALTH_SESSION_ESTABLISHED, rank, 0, reason);
}

bool monc_auth_error(int err)
{
	return err == -EACCES || err == -EPERM || err == -EKEYREJECTED || err == -EKEYEXPIRED || err == -ENOKEY;
}

void monc_con_down(struct monc *m, uint64_t con, int err, const char *why, uint64_t now)
{
	char reason[HEALTH_REASON_MAX];

	if (m->state == MONC_SESSION && con == m->session_con) {
		snprintf(reason, sizeof(reason), "%s", why && *why ? why : "connection lost");
		emit_session(m, monc_auth_error(err) ? HEALTH_AUTH_FAILED : HEALTH_SESSION_LOST, m->session_rank, err,
			     reason);
		m->io.close(m->io.arg, con);
		m->last_rank = m->session_rank;
		for_each_req(m, r) r->sent_at = 0; /* to be sent again on the next session */
		start_hunting(m, now, reason);
		return;
	}
	for (unsigned i = 0; i < m->nhunt; i++) {
		if (m->hunt[i].con != con)
			continue;
		int rank = m->hunt[i].rank;
		m->hunt[i] = m->hunt[--m->nhunt];
		m->io.close(m->io.arg, con);
		if (monc_auth_error(err))
			emit_session(m, HEALTH_AUTH_FAILED, rank, err, why && *why ? why : "authentication refused");
		if (m->state == MONC_HUNTING) {
			fill_hunt(m); /* a refusal is replaced at once by an untried monitor */
			if (!m->nhunt) {
				back_off(m);
				m->next_round = now + hunt_delay(m);
			}
		}
		return;
	}
}

void monc_keepalive_ack(struct monc *m, uint64_t con, uint64_t now)
{
	if (m->state == MONC_SESSION && con == m->session_con)
		m->last_ack = now;
}

/* When the oldest request still pending went out on this session; 0 none. */
static uint64_t oldest_sent(const struct monc *m)
{
	uint64_t t = 0;

	for_each_req(m, r) if (r->sent_at && (!t || r->sent_at < t)) t = r->sent_at;
	return t;
}

uint64_t monc_tick(struct monc *m, uint64_t now)
{
	switch (m->state) {
	case MONC_HUNTING:
		if (m->nhunt && now >= m->round_deadline) {
			/* Nobody authenticated in time (a monitor that accepts and
			 * never answers): try others, more patiently. */
			close_hunt_cons(m, 0);
			back_off(m);
			new_round(m, now);
		} else if (!m->nhunt && now >= m->next_round) {
			new_round(m, now);
		}
		return m->nhunt ? m->round_deadline : m->next_round;
	case MONC_SESSION: {
		uint64_t oldest = oldest_sent(m);
		char why[HEALTH_REASON_MAX];

		if (now - m->last_ack >= MONC_PING_TIMEOUT_MS) {
			snprintf(why, sizeof(why), "no keepalive ack for %d s", MONC_PING_TIMEOUT_MS / 1000);
			monc_con_down(m, m->session_con, -ETIMEDOUT, why, now);
			return monc_tick(m, now);
		}
		/* Beyond the kernel: a request unanswered for a second makes us
		 * probe the monitor with a keepalive; a monitor that acks nothing
		 * within the hunt interval is gone silent (stopped, partitioned),
		 * and we hunt now rather than after the 30 s ping timeout. */
		if (m->probe_sent && m->last_ack >= m->probe_sent) {
			m->probe_sent = 0; /* alive: the request is just slow */
			m->probe_after = now + MONC_PING_INTERVAL_MS;
		}
		if (m->probe_sent && now - m->probe_sent >= MONC_PROBE_TIMEOUT_MS) {
			snprintf(why, sizeof(why), "a request unanswered and no keepalive ack for %d s",
				 MONC_PROBE_TIMEOUT_MS / 1000);
			monc_con_down(m, m->session_con, -ETIMEDOUT, why, now);
			return monc_tick(m, now);
		}
		if (!m->probe_sent && oldest && now >= oldest + MONC_REQUEST_PROBE_MS && now >= m->probe_after) {
			m->io.keepalive(m->io.arg, m->session_con);
			m->probe_sent = now;
		}
		if (now >= m->next_ping) {
			m->io.keepalive(m->io.arg, m->session_con);
			m->next_ping = now + MONC_PING_INTERVAL_MS;
		}
		if (m->nsubs && now >= m->sub_renew_after)
			send_subscribe(m, now);
		uint64_t next = m->next_ping;
		if (m->last_ack + MONC_PING_TIMEOUT_MS < next)
			next = m->last_ack + MONC_PING_TIMEOUT_MS;
		if (m->sub_renew_after > now && m->sub_renew_after < next)
			next = m->sub_renew_after;
		if (m->probe_sent && m->probe_sent + MONC_PROBE_TIMEOUT_MS < next)
			next = m->probe_sent + MONC_PROBE_TIMEOUT_MS;
		if (!m->probe_sent && oldest) {
			uint64_t p = oldest + MONC_REQUEST_PROBE_MS;
			if (p < m->probe_after)
				p = m->probe_after;
			if (p < next)
				next = p > now ? p : now + 1;
		}
		return next;
	}
	default:
		return UINT64_MAX;
	}
}

/* Two address lists name the same monitor when they share an address. */
static bool same_mon(const struct ceph_addrvec *a, const struct ceph_addrvec *b)
{
	for (unsigned i = 0; i < a->n; i++)
		for (unsigned j = 0; j < b->n; j++)
			if (net_sockaddr_equal(&a->v[i].ss, &b->v[j].ss))
				return true;
	return false;
}

/* Where monitor @name / @addrs of the old map is in @map: by name when the
 * old names are real (from a monmap), else by address (the initial
 * monitors carry placeholder names, which may match other monitors'
 * placeholder names in a cluster built without names). -1: gone. */
static int find_in_map(const struct monc_monmap *map, const char *name, const struct ceph_addrvec *addrs, bool by_name)
{
	for (unsigned r = 0; by_name && name[0] && r < map->addrs.n; r++)
		if (!strcmp(map->names[r], name))
			return (int)r;
	for (unsigned r = 0; addrs && addrs->n && r < map->addrs.n; r++)
		if (same_mon(&map->addrs.mon[r], addrs))
			return (int)r;
	return -1;
}

void monc_set_monmap(struct monc *m, const struct monc_monmap *map, uint64_t now)
{
	(void)now;
	if (!map->addrs.n || (m->map.epoch && map->epoch <= m->map.epoch))
		return;
	struct monc_monmap old = m->map;
	bool named = old.epoch != 0;
	int follow = m->state == MONC_SESSION ? m->session_rank : m->last_rank;

	m->map = *map;
	/* Ranks move with a new map: follow the session's (or the lost)
	 * monitor and the hunted ones into it. */
	m->last_rank = follow >= 0 ? find_in_map(&m->map, old.names[follow], &old.addrs.mon[follow], named) : -1;
	m->session_rank = m->state == MONC_SESSION ? m->last_rank : -1;
	for (unsigned i = 0; i < m->nhunt; i++) {
		struct hunt_con *h = &m->hunt[i];
		/* gone from the map (-1): it may still win */
		h->rank = h->rank >= 0 ? find_in_map(&m->map, old.names[h->rank], &old.addrs.mon[h->rank], named)
				       : find_in_map(&m->map, h->name, NULL, true);
	}
	memset(m->tried, 0, sizeof(m->tried));
	for (unsigned i = 0; i < m->nhunt; i++)
		if (m->hunt[i].rank >= 0)
			m->tried[m->hunt[i].rank] = true;
	monc_got_epoch(m, "monmap", map->epoch);
}

void monc_initial_monmap(const struct ceph_mon_addrs *mons, struct monc_monmap *out)
{
	memset(out, 0, sizeof(*out));
	out->addrs = *mons; /* epoch 0, no names: named by address until a monmap */
}

/* ---- requests ----------------------------------------------------------- */

static void finish(struct monc *m, struct monc_req *req, const struct monc_reply *r)
{
	uint64_t tid = req->tid.tid;

	evloop_tidmap_remove(&m->reqs, &req->tid);
	if (req->done)
		req->done(req->arg, tid, r);
	wire_enc_free(&req->front);
	free(req);
}

static struct monc_req *find_req(struct monc *m, uint64_t tid)
{
	return req_of(evloop_tidmap_find(&m->reqs, tid));
}

/* @req is in the tid map since new_req (in tid order, so resends keep it). */
static int64_t submit(struct monc *m, struct monc_req *req, uint64_t now)
{
	int err = m->stopped ? -ESHUTDOWN : wire_enc_error(&req->front) ? -ENOMEM : 0;

	if (err) {
		evloop_tidmap_remove(&m->reqs, &req->tid);
		wire_enc_free(&req->front);
		free(req);
		return err;
	}
	send_on_session(m, req->type, req->version, req->tid.tid, &req->front);
	if (m->state == MONC_SESSION)
		req->sent_at = now;
	return (int64_t)req->tid.tid;
}

static struct monc_req *new_req(struct monc *m, enum req_kind kind, uint16_t type, monc_done_fn done, void *arg)
{
	struct monc_req *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (!evloop_tidmap_add(&m->reqs, &r->tid)) {
		free(r);
		return NULL;
	}
	r->kind = kind;
	r->type = type;
	r->done = done;
	r->arg = arg;
	wire_enc_init(&r->front);
	return r;
}

int64_t monc_statfs(struct monc *m, int64_t data_pool, monc_done_fn done, void *arg, uint64_t now)
{
	struct monc_req *r = new_req(m, REQ_STATFS, CEPH_MSG_STATFS, done, arg);

	(void)now;
	if (!r)
		return -ENOMEM;
	r->version = mon_statfs_encode(&r->front, m->map.fsid, data_pool);
	return submit(m, r, now);
}

int64_t monc_get_version(struct monc *m, const char *what, monc_done_fn done, void *arg, uint64_t now)
{
	struct monc_req *r = new_req(m, REQ_GET_VERSION, CEPH_MSG_MON_GET_VERSION, done, arg);

	(void)now;
	if (!r)
		return -ENOMEM;
	r->version = mon_get_version_encode(&r->front, r->tid.tid, what);
	return submit(m, r, now);
}

int64_t monc_command(struct monc *m, const char *const *cmd, size_t n, monc_done_fn done, void *arg, uint64_t now)
{
	struct monc_req *r = new_req(m, REQ_COMMAND, CEPH_MSG_MON_COMMAND, done, arg);

	(void)now;
	if (!r)
		return -ENOMEM;
	r->version = mon_command_encode(&r->front, m->map.fsid, cmd, n);
	return submit(m, r, now);
}

static void encode_blocklist(struct monc *m, struct monc_req *r, bool legacy)
{
	char cmd[256];
	const char *one[1] = {cmd};

	snprintf(cmd, sizeof(cmd), "{\"prefix\": \"osd %s\", \"%sop\": \"add\", \"addr\": \"%s\"}",
		 legacy ? "blacklist" : "blocklist", legacy ? "blacklist" : "blocklist", r->blocklist_addr);
	wire_enc_free(&r->front);
	wire_enc_init(&r->front);
	r->version = mon_command_encode(&r->front, m->map.fsid, one, 1);
}

int64_t monc_blocklist_add(struct monc *m, const char *addr, monc_done_fn done, void *arg, uint64_t now)
{
	struct monc_req *r;

	(void)now;
	if (strlen(addr) >= sizeof(r->blocklist_addr) || strpbrk(addr, "\"\\"))
		return -EINVAL;
	r = new_req(m, REQ_COMMAND, CEPH_MSG_MON_COMMAND, done, arg);
	if (!r)
		return -ENOMEM;
	snprintf(r->blocklist_addr, sizeof(r->blocklist_addr), "%s", addr);
	encode_blocklist(m, r, false);
	return submit(m, r, now);
}

void monc_cancel(struct monc *m, uint64_t tid)
{
	struct monc_req *r = find_req(m, tid);

	if (r) {
		if (r->sent_at && m->state == MONC_SESSION && m->io.revoke)
			m->io.revoke(m->io.arg, m->session_con, tid);
		r->done = NULL;
		finish(m, r, NULL);
	}
}

int monc_handle_msg(struct monc *m, uint64_t con, uint16_t type, uint64_t tid, const void *front, size_t len,
		    uint64_t now)
{
	struct monc_reply rep = {0};
	struct monc_req *r;
	uint8_t fsid[CEPH_FSID_LEN];
	uint64_t handle;
	int32_t res;

	if (m->state != MONC_SESSION || con != m->session_con)
		return 0; /* from a connection that is no longer the session */
	switch (type) {
	case CEPH_MSG_MON_SUBSCRIBE_ACK:
		if (mon_subscribe_ack_decode(front, len, &m->sub_interval, fsid))
			return -EBADMSG;
		if (!m->stateful_subs)
			m->sub_renew_after = m->sub_sent_at + (uint64_t)m->sub_interval * 1000 / 2;
		return 0;
	case CEPH_MSG_STATFS_REPLY:
		if (mon_statfs_reply_decode(front, len, &rep.statfs))
			return -EBADMSG;
		r = find_req(m, tid);
		if (r && r->kind == REQ_STATFS)
			finish(m, r, &rep);
		return 0;
	case CEPH_MSG_MON_GET_VERSION_REPLY:
		if (mon_get_version_reply_decode(front, len, &handle, &rep.newest, &rep.oldest))
			return -EBADMSG;
		r = find_req(m, handle);
		if (r && r->kind == REQ_GET_VERSION)
			finish(m, r, &rep);
		return 0;
	case CEPH_MSG_MON_COMMAND_ACK:
		if (mon_command_ack_decode(front, len, &res, rep.rs, sizeof(rep.rs)))
			return -EBADMSG;
		r = find_req(m, tid);
		if (!r || r->kind != REQ_COMMAND)
			return 0;
		if (res == -EINVAL && r->blocklist_addr[0] && !r->legacy_tried) {
			/* A monitor older than Pacific knows only "blacklist". */
			r->legacy_tried = true;
			encode_blocklist(m, r, true);
			send_on_session(m, r->type, r->version, r->tid.tid, &r->front);
			return 0;
		}
		rep.result = res;
		finish(m, r, &rep);
		return 0;
	default:
		(void)now;
		return -ENOENT;
	}
}

/* ---- life ------------------------------------------------------------------- */

struct monc *monc_new(const struct monc_monmap *initial, const struct monc_io *io, struct health_queue *health,
		      uint64_t seed)
{
	struct monc *m;

	if (!initial->addrs.n)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->map = *initial;
	m->io = *io;
	m->health = health;
	m->rng = seed | 1;
	m->state = MONC_STOPPED;
	m->hunt_mult = 1;
	m->last_rank = m->session_rank = -1;
	evloop_tidmap_init(&m->reqs);
	return m;
}

void monc_stop(struct monc *m, uint64_t now)
{
	struct monc_reply rep = {.result = -ESHUTDOWN};

	(void)now;
	if (m->state == MONC_SESSION)
		m->io.close(m->io.arg, m->session_con);
	close_hunt_cons(m, 0);
	m->state = MONC_STOPPED;
	m->stopped = true;
	while (evloop_tidmap_count(&m->reqs))
		finish(m, req_of(evloop_tidmap_first(&m->reqs)), &rep);
}

void monc_free(struct monc *m)
{
	if (!m)
		return;
	while (evloop_tidmap_count(&m->reqs)) {
		struct monc_req *r = req_of(evloop_tidmap_first(&m->reqs));

		r->done = NULL;
		finish(m, r, NULL);
	}
	evloop_tidmap_destroy(&m->reqs);
	free(m);
}

void monc_get_status(const struct monc *m, struct monc_status *st)
{
	memset(st, 0, sizeof(*st));
	st->state = m->state;
	if (m->state == MONC_SESSION) {
		char name[MONC_NAME_MAX];

		snprintf(st->mon, sizeof(st->mon), "%s", mon_name(m, m->session_rank, name, sizeof(name)));
		mon_addr(m, m->session_rank, st->addr, sizeof(st->addr));
	}
	st->global_id = m->global_id;
	st->hunt_mult = m->hunt_mult;
	st->hunting_cons = m->nhunt;
	st->sessions = m->sessions;
	st->hunts = m->hunts;
	st->pending = (unsigned)evloop_tidmap_count(&m->reqs);
	st->last_keepalive_ack = m->last_ack;
	st->sub_interval = m->sub_interval;
	st->nsubs = m->nsubs;
	for (unsigned i = 0; i < m->nsubs; i++) {
		snprintf(st->subs[i].what, sizeof(st->subs[i].what), "%s", m->subs[i].what);
		st->subs[i].have = m->subs[i].have;
		st->subs[i].onetime = m->subs[i].onetime;
	}
	st->monmap_epoch = m->map.epoch;
	st->nmons = m->map.addrs.n;
}

uint64_t monc_session_con(const struct monc *m)
{
	return m->state == MONC_SESSION ? m->session_con : 0;
}

const struct monc_monmap *monc_monmap(const struct monc *m)
{
	return &m->map;
}
