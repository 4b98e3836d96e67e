/*
 * cephosd/osd_client.c: the OSD client's state machine (see the header).
 *
 * Requests live on their session's list (the homeless session for those
 * without a primary), in submission order; a reply is matched by tid on
 * the session it came from. Lists are linear: a client has tens of
 * requests in flight, not thousands (the kernel's rbtrees would be the next
 * step if that changes).
 */
#include "config.h"

#include "cephosd/osd_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/mon/monc_maps.h"
#include "evloop/evloop.h"

#define OSDC_HOMELESS -1

struct backoff {
	struct osd_pg pgid;
	uint64_t id;
};

struct osdc_session {
	int32_t osd; /* OSDC_HOMELESS for the homeless one */
	uint64_t con;
	struct ceph_entity_addr addr;
	bool up, ever_up, laggy;
	uint64_t retry_at;   /* down, with requests: reopen then */
	uint32_t backoff_ms; /* the wait before the next reopen; 0 while up */
	struct osdc_request *head, *tail;
	unsigned nreq;
	struct backoff *backoffs;
	unsigned nbackoffs;
};

struct osdc {
	struct osdmap_keeper *keeper;
	struct osdc_io io;
	struct health_queue *health;
	uint64_t next_tid, next_con;
	struct osdc_session homeless;
	struct osdc_session **sessions;
	unsigned nsessions;
	struct osdc_status st;
	bool stopping;
};

/* ---- requests and ops -------------------------------------------------------------- */

struct osd_op *osdc_op(struct osdc_request *r, uint16_t op)
{
	struct osd_op *o;

	if (r->nops >= OSD_MAX_OPS)
		return NULL;
	o = &r->ops[r->nops++];
	memset(o, 0, sizeof(*o));
	o->op = op;
	return o;
}

void osdc_op_extent(struct osdc_request *r, uint16_t op, uint64_t off, uint64_t len, const void *data,
		    uint32_t data_len)
{
	struct osd_op *o = osdc_op(r, op);

	if (!o)
		return;
	o->extent.offset = off;
	o->extent.length = len;
	o->indata = data;
	o->indata_len = data_len;
}

void osdc_request_release(struct osdc_request *r)
{
	for (unsigned i = 0; i < OSD_MAX_OPS; i++) {
		if (r->out[i] != r->out_buf[i])
			free(r->out[i]);
		r->out[i] = NULL;
		r->out_len[i] = 0;
	}
}

/* ---- sessions ------------------------------------------------------------------------ */

static void link_req(struct osdc_session *s, struct osdc_request *r)
{
	r->s = s;
	r->next = NULL;
	r->prev = s->tail;
	if (s->tail)
		s->tail->next = r;
	else
		s->head = r;
	s->tail = r;
	s->nreq++;
}

static void unlink_req(struct osdc_request *r)
{
	struct osdc_session *s = r->s;

	if (!s)
		return;
	if (r->prev)
		r->prev->next = r->next;
	else
		s->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		s->tail = r->prev;
	s->nreq--;
	r->s = NULL;
	r->prev = r->next = NULL;
}

static struct osdc_session *find_session(struct osdc *o, int32_t osd)
{
	if (osd == OSDC_HOMELESS)
		return &o->homeless;
	for (unsigned i = 0; i < o->nsessions; i++)
		if (o->sessions[i]->osd == osd)
			return o->sessions[i];
	return NULL;
}

static struct osdc_session *find_con(struct osdc *o, uint64_t con)
{
	for (unsigned i = 0; i < o->nsessions; i++)
		if (o->sessions[i]->con == con && con)
			return o->sessions[i];
	return NULL;
}

static char *osd_name(int32_t osd, char *buf, size_t len)
{
	snprintf(buf, len, "osd.%d", osd);
	return buf;
}

/* Open (or reopen) @s's connection to the address the map gives. */
static int open_con(struct osdc *o, struct osdc_session *s, const struct osdmap *m)
{
	const struct ceph_entity_addr *a =
	    m && (uint32_t)s->osd < m->max_osd ? ceph_addrvec_msgr2(&m->osd_addrs[s->osd]) : NULL;
	char who[32];
	int e;

	if (s->con)
		o->io.close(o->io.arg, s->con);
	s->con = 0;
	s->up = false;
	s->nbackoffs = 0;
	if (!a) {
		health_report(o->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, EADDRNOTAVAIL,
			      osd_name(s->osd, who, sizeof(who)), NULL, "the map gives no msgr2 address for it");
		return -EADDRNOTAVAIL;
	}
	s->addr = *a;
	s->con = ++o->next_con;
	e = o->io.open(o->io.arg, s->con, s->osd, a);
	if (e) {
		s->con = 0;
		health_report(o->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, -e, osd_name(s->osd, who, sizeof(who)),
			      NULL, "cannot open a session: %s", strerror(-e));
	}
	return e;
}

static struct osdc_session *get_session(struct osdc *o, int32_t osd, const struct osdmap *m)
{
	struct osdc_session *s = find_session(o, osd), **grown;

	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	grown = realloc(o->sessions, (o->nsessions + 1) * sizeof(*grown));
	if (!s || !grown) {
		free(s);
		if (grown)
			o->sessions = grown;
		return NULL;
	}
	o->sessions = grown;
	s->osd = osd;
	o->sessions[o->nsessions++] = s;
	open_con(o, s, m);
	return s;
}

static void close_session(struct osdc *o, struct osdc_session *s)
{
	if (s->con)
		o->io.close(o->io.arg, s->con);
	for (unsigned i = 0; i < o->nsessions; i++)
		if (o->sessions[i] == s) {
			o->sessions[i] = o->sessions[--o->nsessions];
			break;
		}
	free(s->backoffs);
	free(s);
}

static bool backed_off(const struct osdc_session *s, const struct osdc_request *r)
{
	for (unsigned i = 0; i < s->nbackoffs; i++)
		if (s->backoffs[i].pgid.pool == r->t.pgid.pool && s->backoffs[i].pgid.seed == r->t.pgid.seed)
			return true;
	return false;
}

/* ---- targets (the kernel's calc_target for normal requests) ------------------------- */

static uint32_t pg_mask(uint32_t n)
{
	uint32_t m = 1;

	while (m < n)
		m <<= 1;
	return m - 1;
}

/* Whether PG @seed of a pool with @old_n PGs has children when it has
 * @new_n: some seed in [old_n, new_n) folds back onto it. Only seeds that
 * differ from @seed in bits above old_n's are candidates. */
static bool pg_is_split(uint32_t seed, uint32_t old_n, uint32_t new_n)
{
	uint32_t old_mask = pg_mask(old_n);
	unsigned bits = 0;

	if (new_n <= old_n)
		return false;
	while ((1u << bits) <= old_mask)
		bits++;
	for (uint64_t hi = 1;; hi++) {
		uint64_t s = (hi << (bits ? bits - 1 : 0)) | seed;
		if (s >= new_n)
			break;
		if (s < old_n || s == seed)
			continue;
		if (ceph_stable_mod((uint32_t)s, old_n, old_mask) == seed)
			return true;
	}
	return false;
}

enum calc { CALC_NO_ACTION, CALC_RESEND, CALC_POOL_DNE };

static bool should_pause(const struct osdmap *m, const struct osd_pool *p, uint32_t flags)
{
	bool full = (m->flags & OSDMAP_FLAG_FULL) || (p->flags & POOL_FLAG_FULL);

	if (flags & (OSD_FLAG_FULL_TRY | OSD_FLAG_FULL_FORCE))
		full = false;
	return ((flags & OSD_FLAG_READ) && (m->flags & OSDMAP_FLAG_PAUSERD)) ||
	       ((flags & OSD_FLAG_WRITE) && ((m->flags & OSDMAP_FLAG_PAUSEWR) || full));
}

static int primary_rank(const struct osd_set *s)
{
	for (int i = 0; i < s->size; i++)
		if (s->osds[i] == s->primary)
			return i;
	return -1;
}

static enum calc calc_target(const struct osdmap *m, struct osdc_request *r)
{
	struct osdc_target *t = &r->t, n = {0};
	const struct osd_pool *p = osdmap_pool(m, r->pool);
	bool first = t->epoch == 0, change, split, force, unpaused;

	if (!p)
		return CALC_POOL_DNE;
	if (r->pg_op) {
		n.raw = osd_pool_raw_pg_to_pg(p, (struct osd_pg){.pool = r->pool, .seed = r->pg_hash});
	} else if (osdmap_object_to_pg(m, r->pool, r->ns, r->oid, &n.raw)) {
		return CALC_POOL_DNE;
	}
	n.pgid = osd_pool_raw_pg_to_pg(p, n.raw);
	if (osdmap_pg_to_up_acting(m, n.pgid, NULL, &n.acting))
		return CALC_POOL_DNE;
	n.osd = n.acting.primary >= 0 ? n.acting.primary : OSDC_HOMELESS;
	n.shard = p->type == POOL_TYPE_ERASURE ? (int8_t)primary_rank(&n.acting) : -1;
	n.pg_num = p->pg_num;
	n.epoch = m->epoch;
	n.paused = should_pause(m, p, r->flags);

	unpaused = t->paused && !n.paused;
	change = first || t->raw.pool != n.raw.pool || t->raw.seed != n.raw.seed || t->osd != n.osd ||
		 primary_rank(&t->acting) != primary_rank(&n.acting);
	/* a split of its PG, or a merge: the OSD discards what was sent before */
	split = !first && (pg_is_split(t->pgid.seed, t->pg_num, n.pg_num) || n.pg_num < t->pg_num);
	force = !first && p->last_force_resend > t->epoch;
	if (change || split || force || unpaused || t->paused != n.paused) {
		*t = n;
		return first || change || split || force || unpaused ? CALC_RESEND : CALC_NO_ACTION;
	}
	t->epoch = m->epoch; /* still right at this epoch */
	return CALC_NO_ACTION;
}

/* ---- sending and finishing ----------------------------------------------------------- */

/* @r no longer waits for the monitors' newest epoch (pool_dne). */
static void end_map_check(struct osdc *o, struct osdc_request *r)
{
	if (r->map_checking && o->io.map_check_cancel)
		o->io.map_check_cancel(o->io.arg, r->map_check);
	r->map_checking = false;
}

static void finish(struct osdc *o, struct osdc_request *r, int result)
{
	end_map_check(o, r);
	unlink_req(r);
	/* a reply to another attempt may be landing in the caller's buffers */
	for (unsigned i = 0; o->io.rx_revoke && i < r->nops && i < OSD_MAX_OPS; i++)
		if (r->out_buf[i])
			o->io.rx_revoke(o->io.arg, r->out_buf[i]);
	r->result = result;
	r->done(r);
}

static void send_req(struct osdc *o, struct osdc_request *r, uint64_t now)
{
	struct osdc_session *s = r->s;
	struct mosdop m = {
	    .pgid = r->t.pgid,
	    .shard = r->t.shard,
	    .hash = r->t.raw.seed,
	    .epoch = r->t.epoch,
	    .flags = r->flags | OSD_FLAG_ONDISK | OSD_FLAG_KNOWN_REDIR | (r->attempts ? OSD_FLAG_RETRY : 0) |
		     (r->pg_op ? OSD_FLAG_PGOP | OSD_FLAG_IGNORE_OVERLAY : 0),
	    .mtime_sec = r->mtime_sec,
	    .mtime_nsec = r->mtime_nsec,
	    .pool = r->pool,
	    .ns = r->ns,
	    .oid = r->oid,
	    .nops = r->nops,
	    .ops = r->ops,
	    .snapid = OSD_NOSNAP,
	    .attempts = (int32_t)r->attempts,
	    .features = MSGR2_CLIENT_FEATURES,
	};
	struct wire_enc front, data;
	const struct osd_op *only = NULL;
	unsigned inputs = 0;
	int e;

	if (!s || s->osd == OSDC_HOMELESS || !s->con || r->t.paused || backed_off(s, r))
		return;
	for (unsigned i = 0; i < r->nops; i++)
		if (r->ops[i].indata_len) {
			inputs++;
			only = &r->ops[i];
		}
	wire_enc_init(&front);
	wire_enc_init(&data);
	/* one input (a write's bytes) goes as it is: lent to the session when
	 * the owner holds it, else copied there once */
	e = mosdop_encode(&m, &front, inputs == 1 ? NULL : &data);
	if (!e) {
		struct msgr2_out out = {.type = CEPH_MSG_OSD_OP,
					.version = MOSDOP_VERSION,
					.compat_version = MOSDOP_COMPAT_VERSION,
					.tid = r->tid,
					.front = front.buf,
					.front_len = front.len,
					.data = inputs == 1 ? only->indata : data.buf,
					.data_len = inputs == 1 ? only->indata_len : data.len};
		if (inputs == 1 && r->hold && r->unhold) { /* lent, held until written */
			r->hold(r->arg);
			out.release = r->unhold;
			out.release_arg = r->arg;
		}
		if (r->attempts && o->io.revoke)
			o->io.revoke(o->io.arg, s->con, r->tid);
		e = o->io.send(o->io.arg, s->con, &out);
		if (e && out.release)
			out.release(out.release_arg); /* not taken */
	}
	wire_enc_free(&front);
	wire_enc_free(&data);
	if (e) {
		finish(o, r, e);
		return;
	}
	if (r->attempts)
		o->st.resent++;
	o->st.sent++;
	r->attempts++;
	r->sent_ms = now;
}

/* Put @r on the session its target names (opening it) and send it. */
static void place(struct osdc *o, struct osdc_request *r, const struct osdmap *m, uint64_t now)
{
	struct osdc_session *s = get_session(o, r->t.osd, m);

	unlink_req(r);
	if (!s) {
		finish(o, r, -ENOMEM);
		return;
	}
	link_req(s, r);
	send_req(o, r, now);
}

/*
 * @r's pool is not in the map of @epoch (see the header): on the homeless
 * list, it fails now when it was sent before or when the map is as new as
 * the monitors' newest; else it waits, asking for that epoch once.
 */
static void pool_dne(struct osdc *o, struct osdc_request *r, uint32_t epoch)
{
	if (r->s != &o->homeless) {
		unlink_req(r);
		r->t.osd = OSDC_HOMELESS;
		link_req(&o->homeless, r);
	}
	if (r->attempts) /* the pool existed when it was sent: deleted since */
		r->map_dne_bound = epoch;
	if (r->map_dne_bound) {
		if (epoch >= r->map_dne_bound)
			finish(o, r, -ENOENT);
		return;
	}
	if (r->map_checking)
		return;
	r->map_check = o->io.map_check ? o->io.map_check(o->io.arg, r->tid) : -EOPNOTSUPP;
	if (r->map_check < 0) {
		finish(o, r, -ENOENT);
		return;
	}
	r->map_checking = true;
	o->st.map_checks++;
}

void osdc_map_check_done(struct osdc *o, uint64_t tid, int result, uint64_t newest, uint64_t now)
{
	struct osdc_request *r = o->homeless.head;
	uint32_t epoch;

	(void)now;
	while (r && r->tid != tid)
		r = r->next;
	if (!r || !r->map_checking)
		return; /* finished, or placed: its pool came */
	r->map_checking = false;
	if (result < 0 || !newest || newest > UINT32_MAX) {
		finish(o, r, -ENOENT);
		return;
	}
	r->map_dne_bound = (uint32_t)newest;
	epoch = osdmap_keeper_epoch(o->keeper);
	if (epoch >= r->map_dne_bound)
		finish(o, r, -ENOENT);
	/* else a newer map is on its way (the subscription): osdc_map_changed
	 * places the request or fails it */
}

static bool valid_ops(const struct osdc_request *r)
{
	if (!r->nops || r->nops > OSD_MAX_OPS || (r->oid[0] == '\0') != r->pg_op || !r->done ||
	    !(r->flags & (OSD_FLAG_READ | OSD_FLAG_WRITE)))
		return false;
	for (unsigned i = 0; i < r->nops; i++) {
		const struct osd_op *op = &r->ops[i];
		if (op->indata_len && !op->indata)
			return false;
		/* what Pacific's OSDs assert on (see osd_msgs.h) */
		if (op->op == OSD_OP_ZERO && !op->extent.length)
			return false;
		if (op->op == OSD_OP_TRUNCATE && op->extent.truncate_seq &&
		    op->extent.offset != op->extent.truncate_size)
			return false;
	}
	return true;
}

int osdc_submit(struct osdc *o, struct osdc_request *r, uint64_t now)
{
	const struct osdmap *m;

	if (!valid_ops(r) || memchr(r->oid, 0, sizeof(r->oid)) == NULL || memchr(r->ns, 0, sizeof(r->ns)) == NULL)
		return -EINVAL;
	if (o->stopping)
		return -ESHUTDOWN;
	r->tid = ++o->next_tid;
	r->attempts = 0;
	r->result = 0;
	r->version = 0;
	memset(&r->t, 0, sizeof(r->t));
	r->t.osd = OSDC_HOMELESS;
	r->s = NULL;
	r->started_ms = r->sent_ms = now;
	memset(r->out, 0, sizeof(r->out));
	memset(r->out_len, 0, sizeof(r->out_len));
	r->map_dne_bound = 0;
	r->map_checking = false;
	m = osdmap_keeper_lock(o->keeper);
	if (!m) {
		link_req(&o->homeless, r); /* the first map places it */
	} else if (calc_target(m, r) == CALC_POOL_DNE) {
		uint32_t epoch = m->epoch;

		osdmap_keeper_unlock(o->keeper); /* done may submit again */
		link_req(&o->homeless, r);
		pool_dne(o, r, epoch);
		return 0;
	} else {
		place(o, r, m, now);
	}
	osdmap_keeper_unlock(o->keeper);
	return 0;
}

void osdc_cancel(struct osdc *o, struct osdc_request *r, int err, uint64_t now)
{
	(void)now;
	if (!r->s)
		return; /* finished already */
	if (r->s->con && o->io.revoke)
		o->io.revoke(o->io.arg, r->s->con, r->tid);
	finish(o, r, err);
}

/* ---- map changes ----------------------------------------------------------------------- */

static void scan_session(struct osdc *o, struct osdc_session *s, const struct osdmap *m, uint64_t now)
{
	struct osdc_request *r = s->head, *next;

	for (; r; r = next) {
		enum calc c;

		next = r->next;
		c = calc_target(m, r);
		if (c == CALC_POOL_DNE) {
			pool_dne(o, r, m->epoch);
			continue;
		}
		end_map_check(o, r); /* its pool came */
		if (c == CALC_RESEND || r->t.osd != s->osd) {
			if (r->attempts)
				o->st.map_resends++;
			place(o, r, m, now); /* back on this list's tail when the OSD stays: seen
					      * again below, with nothing left to do */
		}
	}
}

static void map_changed(struct osdc *o, const struct osdmap *m, uint64_t now)
{
	uint64_t before = o->st.map_resends;

	/* Sessions to OSDs now down, gone, or at a new address: close them;
	 * their requests are retargeted below (the homeless list first). */
	for (unsigned i = 0; i < o->nsessions;) {
		struct osdc_session *s = o->sessions[i];
		const struct ceph_entity_addr *a = (uint32_t)s->osd < m->max_osd && osdmap_osd_up(m, s->osd)
						       ? ceph_addrvec_msgr2(&m->osd_addrs[s->osd])
						       : NULL;
		if (a && ceph_entity_addr_equal(a, &s->addr)) {
			i++; /* a down one is reopened by osdc_tick when its wait is over */
			continue;
		}
		while (s->head) {
			struct osdc_request *r = s->head;
			unlink_req(r);
			r->t.osd = OSDC_HOMELESS;
			link_req(&o->homeless, r);
		}
		close_session(o, s);
	}
	scan_session(o, &o->homeless, m, now);
	for (unsigned i = 0; i < o->nsessions; i++)
		scan_session(o, o->sessions[i], m, now);
	/* sessions left without requests stay open (the next request to that
	 * OSD uses them) */
	if (o->st.map_resends != before)
		health_report(o->health, HEALTH_DOMAIN_VOLUME, HEALTH_HEALTHY, 0, "osdmap", NULL,
			      "osdmap epoch %u moved %llu requests: sent again", m->epoch,
			      (unsigned long long)(o->st.map_resends - before));
}

void osdc_map_changed(struct osdc *o, uint64_t now)
{
	const struct osdmap *m = osdmap_keeper_lock(o->keeper);

	if (m)
		map_changed(o, m, now);
	osdmap_keeper_unlock(o->keeper);
}

static void ops_handle(void *arg, const struct mosdmap *mo, struct monc_osdmap_result *r)
{
	struct osdc *o = arg;

	osdmap_keeper_handle(o->keeper, mo, r);
	if (r->changed)
		osdc_map_changed(o, evloop_now_ns() / EVLOOP_NS_PER_MS);
}

struct monc_osdmap_ops osdc_osdmap_ops(struct osdc *o)
{
	return (struct monc_osdmap_ops){.arg = o, .handle = ops_handle};
}

/* ---- sessions' events --------------------------------------------------------------- */

void osdc_con_up(struct osdc *o, uint64_t con, uint64_t peer_features, uint64_t now)
{
	struct osdc_session *s = find_con(o, con);
	char who[32];

	(void)peer_features;
	(void)now;
	if (!s)
		return;
	s->up = true;
	s->laggy = false;
	s->backoff_ms = 0;
	health_report(o->health, HEALTH_DOMAIN_SESSION, HEALTH_SESSION_ESTABLISHED, 0,
		      osd_name(s->osd, who, sizeof(who)), NULL, "%s",
		      s->ever_up ? "session re-established" : "session established");
	s->ever_up = true;
}

void osdc_con_down(struct osdc *o, uint64_t con, int err, const char *why, uint64_t now)
{
	struct osdc_session *s = find_con(o, con);
	char who[32];

	if (!s)
		return;
	health_report(o->health, HEALTH_DOMAIN_SESSION, HEALTH_SESSION_LOST, -err, osd_name(s->osd, who, sizeof(who)),
		      NULL, "%s", why ? why : strerror(-err));
	o->io.close(o->io.arg, s->con);
	s->con = 0;
	s->up = false;
	s->nbackoffs = 0;
	if (!s->nreq) {
		close_session(o, s); /* nothing waits: reopen on the next request */
		return;
	}
	/* Reopen after a wait that doubles up to OSDC_RETRY_MAX_MS, as the
	 * kernel's messenger does: an OSD that died refuses at once until the
	 * map says it is down, and must not be hammered meanwhile. Its
	 * requests stay; a new map moves them if it moves the OSD. */
	s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : OSDC_RETRY_MIN_MS;
	if (s->backoff_ms > OSDC_RETRY_MAX_MS)
		s->backoff_ms = OSDC_RETRY_MAX_MS;
	s->retry_at = now + s->backoff_ms;
}

/* A down session's wait is over: open it again and send everything on it
 * (lossy: the OSD has forgotten the old session's requests). */
static void reopen(struct osdc *o, struct osdc_session *s, const struct osdmap *m, uint64_t now)
{
	if (!m || !osdmap_osd_up(m, s->osd) || open_con(o, s, m)) {
		s->retry_at = now + OSDC_RETRY_MAX_MS; /* the next map decides */
		return;
	}
	for (struct osdc_request *r = s->head, *next; r; r = next) {
		next = r->next; /* a send that fails finishes (unlinks) @r */
		send_req(o, r, now);
	}
}

void osdc_keepalive_ack(struct osdc *o, uint64_t con, uint64_t now)
{
	struct osdc_session *s = find_con(o, con);
	char who[32];

	(void)now;
	if (!s || !s->laggy)
		return;
	s->laggy = false;
	health_report(o->health, HEALTH_DOMAIN_SESSION, HEALTH_HEALTHY, 0, osd_name(s->osd, who, sizeof(who)), NULL,
		      "answers again");
}

static void handle_reply(struct osdc *o, struct osdc_session *s, uint16_t version, uint64_t tid, const uint8_t *front,
			 size_t front_len, const uint8_t *data, size_t data_len, uint64_t now)
{
	struct mosdopreply *rep;
	struct osdc_request *r;
	char who[32];

	for (r = s->head; r && r->tid != tid; r = r->next)
		;
	if (!r)
		return; /* cancelled, or answered already */
	rep = malloc(sizeof(*rep));
	if (!rep)
		return; /* the keepalive and resend paths bring it again */
	if (mosdopreply_decode(version, front, front_len, data, data_len, rep)) {
		health_report(o->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, EBADMSG,
			      osd_name(s->osd, who, sizeof(who)), NULL, "malformed reply to tid %llu dropped",
			      (unsigned long long)tid);
		free(rep);
		return;
	}
	o->st.replies++;
	if (rep->attempts >= 0 && (uint32_t)rep->attempts + 1 != r->attempts) {
		free(rep); /* an answer to an earlier send: the latest one's is coming */
		return;
	}
	if (rep->redirect) {
		health_report(o->health, HEALTH_DOMAIN_VOLUME, HEALTH_IO_ERROR, EOPNOTSUPP, "osdc", NULL,
			      "a redirect for %s (a cache tier) is not followed", r->oid);
		finish(o, r, -EOPNOTSUPP);
		free(rep);
		return;
	}
	if (rep->result == -EAGAIN) { /* not readable there: to the primary again */
		const struct osdmap *m = osdmap_keeper_lock(o->keeper);
		memset(&r->t, 0, sizeof(r->t));
		if (!m)
			finish(o, r, -ENOENT);
		else if (calc_target(m, r) == CALC_POOL_DNE)
			pool_dne(o, r, m->epoch);
		else
			place(o, r, m, now);
		osdmap_keeper_unlock(o->keeper);
		free(rep);
		return;
	}
	if (rep->nops != r->nops) {
		finish(o, r, -EIO);
		free(rep);
		return;
	}
	for (unsigned i = 0; i < rep->nops; i++) {
		r->rval[i] = rep->ops[i].rval;
		if (!rep->ops[i].outdata_len)
			continue;
		if (r->out_buf[i] && rep->ops[i].outdata_len > r->out_cap[i]) {
			osdc_request_release(r);
			finish(o, r, -EOVERFLOW);
			free(rep);
			return;
		}
		r->out[i] = r->out_buf[i] ? r->out_buf[i] : malloc(rep->ops[i].outdata_len);
		if (!r->out[i]) {
			osdc_request_release(r);
			finish(o, r, -ENOMEM);
			free(rep);
			return;
		}
		if (r->out[i] != rep->ops[i].outdata) /* else received in place (osdc_rx_data) */
			memcpy(r->out[i], rep->ops[i].outdata, rep->ops[i].outdata_len);
		r->out_len[i] = rep->ops[i].outdata_len;
	}
	r->version = rep->version;
	s->laggy = false;
	finish(o, r, rep->result);
	free(rep);
}

static void handle_backoff(struct osdc *o, struct osdc_session *s, const uint8_t *front, size_t len, uint64_t now)
{
	struct mosdbackoff b;
	char who[32];

	if (mosdbackoff_decode(front, len, &b)) {
		health_report(o->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, EBADMSG,
			      osd_name(s->osd, who, sizeof(who)), NULL, "malformed backoff dropped");
		return;
	}
	if (b.op == OSD_BACKOFF_BLOCK) {
		struct backoff *grown = realloc(s->backoffs, (s->nbackoffs + 1) * sizeof(*grown));
		struct wire_enc e;

		if (grown) {
			s->backoffs = grown;
			s->backoffs[s->nbackoffs++] = (struct backoff){b.pgid, b.id};
		}
		wire_enc_init(&e);
		if (!mosdbackoff_ack_encode(&e, &b)) {
			struct msgr2_out out = {.type = CEPH_MSG_OSD_BACKOFF,
						.version = 1,
						.compat_version = 1,
						.front = e.buf,
						.front_len = e.len};
			o->io.send(o->io.arg, s->con, &out);
		}
		wire_enc_free(&e);
	} else if (b.op == OSD_BACKOFF_UNBLOCK) {
		for (unsigned i = 0; i < s->nbackoffs; i++)
			if (s->backoffs[i].id == b.id) {
				s->backoffs[i] = s->backoffs[--s->nbackoffs];
				break;
			}
		for (struct osdc_request *r = s->head, *next; r; r = next) {
			next = r->next;
			if (r->t.pgid.pool == b.pgid.pool && r->t.pgid.seed == b.pgid.seed)
				send_req(o, r, now);
		}
	}
}

/*
 * An OSD shares the maps we lack (it does when a request of ours names an
 * older epoch than its own), as the kernel's handle_map takes them from any
 * connection: applied as a monitor's would be, then every request
 * retargeted. The subscription hears what came of it: the epoch now held
 * (so it goes on from there), and epochs the OSD's message lacked, which
 * the monitors are asked for as for a gap in their own.
 */
static int handle_osd_map(struct osdc *o, struct osdc_session *s, const uint8_t *front, size_t len, uint64_t now)
{
	struct mosdmap *mo = malloc(sizeof(*mo));
	struct monc_osdmap_result r;
	char who[32];

	if (!mo)
		return 0; /* the monitors bring it too */
	if (mosdmap_decode(front, len, mo)) {
		health_report(o->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, EBADMSG,
			      osd_name(s->osd, who, sizeof(who)), NULL, "malformed osdmap message dropped");
		free(mo);
		return -EBADMSG;
	}
	osdmap_keeper_handle(o->keeper, mo, &r);
	free(mo);
	if (r.changed)
		osdc_map_changed(o, now);
	if ((r.changed || r.want != MONC_OSDMAP_WANT_NOTHING) && o->io.osdmap_result)
		o->io.osdmap_result(o->io.arg, &r);
	return 0;
}

int osdc_handle_msg(struct osdc *o, uint64_t con, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front,
		    size_t front_len, const uint8_t *data, size_t data_len, uint64_t now)
{
	struct osdc_session *s = find_con(o, con);

	if (!s)
		return -ENOENT;
	switch (type) {
	case CEPH_MSG_OSD_OPREPLY:
		handle_reply(o, s, version, tid, front, front_len, data, data_len, now);
		return 0;
	case CEPH_MSG_OSD_BACKOFF:
		handle_backoff(o, s, front, front_len, now);
		return 0;
	case CEPH_MSG_OSD_MAP:
		return handle_osd_map(o, s, front, front_len, now);
	default:
		return -ENOENT;
	}
}

uint8_t *osdc_rx_data(struct osdc *o, uint64_t con, uint16_t type, uint64_t tid, size_t data_len)
{
	struct osdc_session *s = find_con(o, con);
	struct osdc_request *r;

	if (!s || type != CEPH_MSG_OSD_OPREPLY)
		return NULL;
	for (r = s->head; r && r->tid != tid; r = r->next)
		;
	/* one op with a buffer of its own: the data segment is its output */
	if (!r || r->nops != 1 || !r->out_buf[0] || data_len > r->out_cap[0])
		return NULL;
	return r->out_buf[0];
}

uint64_t osdc_tick(struct osdc *o, uint64_t now)
{
	uint64_t next = now + OSDC_KEEPALIVE_MS;
	char who[32];

	const struct osdmap *m = osdmap_keeper_lock(o->keeper);

	for (unsigned i = 0; i < o->nsessions; i++) {
		struct osdc_session *s = o->sessions[i];
		bool lagging = false;

		if (!s->con && s->nreq) {
			if (now >= s->retry_at)
				reopen(o, s, m, now);
			if (!s->con && s->retry_at < next)
				next = s->retry_at;
		}
		for (struct osdc_request *r = s->head, *n; r; r = n) {
			n = r->next;
			if (r->timeout_ms && now >= r->started_ms + r->timeout_ms) {
				osdc_cancel(o, r, -ETIMEDOUT, now);
				continue;
			}
			if (r->timeout_ms && r->started_ms + r->timeout_ms < next)
				next = r->started_ms + r->timeout_ms;
			if (!r->t.paused && s->up && now >= r->sent_ms + OSDC_KEEPALIVE_MS)
				lagging = true;
		}
		if (lagging && s->con) {
			if (!s->laggy)
				health_report(o->health, HEALTH_DOMAIN_SESSION, HEALTH_SICK, ETIMEDOUT,
					      osd_name(s->osd, who, sizeof(who)), NULL,
					      "laggy: requests unanswered for %u s", OSDC_KEEPALIVE_MS / 1000);
			s->laggy = true;
			o->io.keepalive(o->io.arg, s->con);
		}
	}
	for (struct osdc_request *r = o->homeless.head, *n; r; r = n) {
		n = r->next;
		if (r->timeout_ms && now >= r->started_ms + r->timeout_ms)
			osdc_cancel(o, r, -ETIMEDOUT, now);
		else if (r->timeout_ms && r->started_ms + r->timeout_ms < next)
			next = r->started_ms + r->timeout_ms;
	}
	osdmap_keeper_unlock(o->keeper);
	return next;
}

/* ---- life ------------------------------------------------------------------------------ */

struct osdc *osdc_new(struct osdmap_keeper *keeper, const struct osdc_io *io, struct health_queue *health)
{
	struct osdc *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->keeper = keeper;
	o->io = *io;
	o->health = health;
	o->homeless.osd = OSDC_HOMELESS;
	return o;
}

void osdc_free(struct osdc *o, uint64_t now)
{
	(void)now;
	if (!o)
		return;
	o->stopping = true;
	while (o->homeless.head)
		finish(o, o->homeless.head, -ESHUTDOWN);
	while (o->nsessions) {
		struct osdc_session *s = o->sessions[0];
		while (s->head)
			finish(o, s->head, -ESHUTDOWN);
		close_session(o, s);
	}
	free(o->sessions);
	free(o);
}

void osdc_get_status(const struct osdc *o, struct osdc_status *st)
{
	*st = o->st;
	st->sessions = o->nsessions;
	st->homeless = o->homeless.nreq;
	st->requests = o->homeless.nreq;
	st->paused = st->laggy = 0;
	for (unsigned i = 0; i < o->nsessions; i++) {
		st->requests += o->sessions[i]->nreq;
		st->laggy += o->sessions[i]->laggy;
		for (const struct osdc_request *r = o->sessions[i]->head; r; r = r->next)
			st->paused += r->t.paused;
	}
}

static size_t put_requests(const struct osdc_session *s, char *buf, size_t len, size_t off)
{
	for (const struct osdc_request *r = s->head; r; r = r->next) {
		int w =
		    snprintf(buf + off, off < len ? len - off : 0, "%llu\tosd%d\t%lld.%x\t%s",
			     (unsigned long long)r->tid, r->t.osd, (long long)r->t.pgid.pool, r->t.pgid.seed, r->oid);
		off += w > 0 ? (size_t)w : 0;
		for (unsigned i = 0; i < r->nops; i++) {
			w = snprintf(buf + off, off < len ? len - off : 0, "\t%s", osd_op_name(r->ops[i].op));
			off += w > 0 ? (size_t)w : 0;
		}
		w = snprintf(buf + off, off < len ? len - off : 0, "%s\n", r->t.paused ? "\tpaused" : "");
		off += w > 0 ? (size_t)w : 0;
	}
	return off;
}

size_t osdc_format_requests(const struct osdc *o, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	off = put_requests(&o->homeless, buf, len, off);
	for (unsigned i = 0; i < o->nsessions; i++)
		off = put_requests(o->sessions[i], buf, len, off);
	return off < len ? off : (len ? len - 1 : 0);
}
