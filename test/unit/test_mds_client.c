/*
 * test/unit/test_mds_client.c: cephmds/mds_client.c, the MDS client's state
 * machine, driven with a recording stand-in for its connections and MDS
 * messages built as a Pacific MDS builds them (test/lib/mds_reply_enc.c);
 * test/integration/ceph_mds.test runs it against the real MDS.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmds/mds_client.h"
#include "cephmon/msgr/ceph_codec.h"
#include "test/lib/mds_reply_enc.h"

struct sent {
	uint64_t con;
	uint16_t type, version;
	uint64_t tid;
	uint8_t front[512], data[512];
	size_t front_len, data_len;
};

static struct {
	unsigned opens, closes, keepalives;
	uint64_t open_con[8];
	int32_t open_rank[8];
	struct sent sent[64];
	unsigned nsent;
	unsigned invals, changed;
	uint64_t inval_ino, inval_token;
	unsigned inval_what;
	unsigned writebacks;
	uint64_t writeback_ino;
} io;

static int f_open(void *arg, uint64_t con, int32_t rank, const struct ceph_entity_addr *a)
{
	(void)arg, (void)a;
	io.open_con[io.opens % 8] = con;
	io.open_rank[io.opens % 8] = rank;
	io.opens++;
	return 0;
}
static void f_close(void *arg, uint64_t con)
{
	(void)arg, (void)con;
	io.closes++;
}
static int f_send(void *arg, uint64_t con, const struct msgr2_out *m)
{
	struct sent *s = &io.sent[io.nsent++ % 64];

	(void)arg;
	s->con = con, s->type = m->type, s->version = m->version, s->tid = m->tid;
	s->front_len = m->front_len < sizeof(s->front) ? m->front_len : sizeof(s->front);
	if (s->front_len)
		memcpy(s->front, m->front, s->front_len);
	s->data_len = m->data_len;
	if (m->data_len)
		memcpy(s->data, m->data, m->data_len < sizeof(s->data) ? m->data_len : sizeof(s->data));
	return 1;
}
static void f_keepalive(void *arg, uint64_t con)
{
	(void)arg, (void)con;
	io.keepalives++;
}
static void f_invalidate(void *arg, uint64_t ino, unsigned what, uint64_t token)
{
	(void)arg;
	io.invals++;
	io.inval_ino = ino;
	io.inval_what = what;
	io.inval_token = token;
}
static void f_caps_changed(void *arg)
{
	(void)arg;
	io.changed++;
}
static void f_writeback(void *arg, uint64_t ino)
{
	(void)arg;
	io.writebacks++;
	io.writeback_ino = ino;
}
static const struct mdsc_io fio = {NULL,	 f_open,	 f_close,    f_send,
				   f_keepalive, f_invalidate, f_caps_changed, f_writeback};

static struct mdsc *m;
static struct health_queue *hq;
static struct health_reader hr;
static unsigned dones;

static void done(struct mdsc_request *r)
{
	(void)r;
	dones++;
}

static const char *health_since(void)
{
	static char buf[16384];
	ssize_t n = health_read(hq, &hr, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static struct mdsc_map map(uint32_t epoch, unsigned nranks, uint16_t port)
{
	struct mdsc_map mp = {.epoch = epoch, .session_timeout = 60, .session_autoclose = 300, .nranks = nranks};

	for (unsigned i = 0; i < nranks; i++) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&mp.rank[i].addr.ss;
		mp.rank[i].state = CEPH_MDS_STATE_ACTIVE;
		mp.rank[i].addr.type = CEPH_ADDR_MSGR2;
		mp.rank[i].addr.nonce = 7;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)(port + i));
		sin->sin_addr.s_addr = htonl(0x7f000001);
	}
	return mp;
}

static void setup(void)
{
	const char *meta[] = {"hostname", "test"};
	struct health_event ev = {.domain = HEALTH_DOMAIN_MOUNT, .type = HEALTH_RUNNING};

	memset(&io, 0, sizeof(io));
	dones = 0;
	hq = health_queue_new(256, true);
	health_emit(hq, &ev);
	health_reader_init(hq, &hr);
	m = mdsc_new(&fio, hq, meta, 1);
	cr_assert(m);
}

static void teardown(void)
{
	mdsc_free(m, 0);
	health_queue_free(hq);
}

TestSuite(mdsc, .init = setup, .fini = teardown);

static const struct sent *last_sent(void)
{
	cr_assert_gt(io.nsent, 0);
	return &io.sent[(io.nsent - 1) % 64];
}

static struct mdsc_request *req(uint32_t op, const char *path)
{
	struct mdsc_request *r = calloc(1, sizeof(*r));

	r->m.op = op;
	r->m.path = (struct mds_filepath){1, path};
	r->rank = MDSC_ANY_RANK;
	r->done = done;
	return r;
}

static void drop(struct mdsc_request *r)
{
	mdsc_cancel(m, r, -ECANCELED, 0);
	mdsc_request_release(r);
	free(r);
}

static void session_msg(uint64_t con, uint16_t version, uint32_t op, uint64_t seq, uint64_t features)
{
	struct wire_enc e;

	wire_enc_init(&e);
	mds_enc_session(&e, version, op, seq, NULL, features, 0);
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_SESSION, version, 0, e.buf, e.len, NULL, 0, 0), 0);
	wire_enc_free(&e);
}

#define PACIFIC_FEATURES 0x7ffffull

/* Map, connection, OPEN: the session to rank 0 is open. Returns its con. */
static uint64_t open_rank0(struct mdsc_request *first)
{
	struct mdsc_map mp = map(5, 1, 6800);

	cr_assert_eq(mdsc_submit(m, first, 0), 0);
	cr_assert_eq(io.opens, 0, "no map yet: it waits");
	mdsc_map(m, &mp, 1);
	cr_assert_eq(io.opens, 1);
	cr_assert_eq(io.open_rank[0], 0);
	mdsc_con_up(m, io.open_con[0], 2);
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_SESSION);
	cr_assert_eq(last_sent()->version, 4);
	cr_assert_eq(get_le32(last_sent()->front), MDS_SESSION_REQUEST_OPEN);
	session_msg(io.open_con[0], 4, MDS_SESSION_OPEN, 0, PACIFIC_FEATURES);
	return io.open_con[0];
}

/* A reply to @r: the target inode @ino with a cap, safe or not. */
static void reply_tid(uint64_t con, uint32_t op, uint64_t tid, int32_t result, bool safe, uint64_t ino)
{
	struct wire_enc t, e;
	struct mds_inode in = {.ino = ino,
			       .snapid = UINT64_MAX - 1,
			       .mode = 0100644,
			       .nlink = 1,
			       .size = 5,
			       .export_pin = -1,
			       .cap = {.caps = 0x555, .cap_id = 40 + ino, .seq = 3, .mseq = 1}};

	wire_enc_init(&t);
	mds_enc_inode(&t, &in, 5);
	wire_enc_init(&e);
	mds_enc_reply(&e, &(struct mds_reply){.op = op, .result = result, .safe = safe, .is_target = result == 0},
		      t.buf, result == 0 ? (uint32_t)t.len : 0, NULL, 0);
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_REPLY, 1, tid, e.buf, e.len, NULL, 0, 10), 0);
	wire_enc_free(&t);
	wire_enc_free(&e);
}

static void reply(uint64_t con, const struct mdsc_request *r, int32_t result, bool safe, uint64_t ino)
{
	reply_tid(con, r->m.op, r->tid.tid, result, safe, ino);
}

/* An MClientCaps from the MDS: @op on @ino's cap @cap_id, @caps issued. */
static void caps_msg_full(uint64_t con, const struct mds_caps_msg *cm, uint64_t now)
{
	struct wire_enc e;

	wire_enc_init(&e);
	cr_assert_eq(mds_caps_encode(&e, cm), MDS_CAPS_VERSION);
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_CAPS, MDS_CAPS_VERSION, 0, e.buf, e.len, NULL, 0, now), 0);
	wire_enc_free(&e);
}

static struct mds_caps_msg caps_body(uint32_t op, uint64_t ino, uint64_t cap_id, uint32_t seq, uint32_t caps,
				     uint64_t size)
{
	return (struct mds_caps_msg){
	    .h = {.op = op, .ino = ino, .cap_id = cap_id, .seq = seq, .issue_seq = seq, .caps = caps, .migrate_seq = 1},
	    .mode = 0100644,
	    .nlink = 1,
	    .size = size,
	    .inline_version = UINT64_MAX,
	    .nfiles = -1,
	    .nsubdirs = -1};
}

static void caps_msg(uint64_t con, uint32_t op, uint64_t ino, uint64_t cap_id, uint32_t seq, uint32_t caps,
		     uint64_t size, uint64_t now)
{
	struct mds_caps_msg cm = caps_body(op, ino, cap_id, seq, caps, size);
	caps_msg_full(con, &cm, now);
}

/* The last message sent, an MClientCaps of @op: decoded. */
static struct mds_caps_msg last_update_op(uint32_t op)
{
	const struct sent *s = last_sent();
	struct mds_caps_msg cm;

	cr_assert_eq(s->type, CEPH_MSG_CLIENT_CAPS);
	cr_assert_eq(mds_caps_decode(s->version, s->front, s->front_len, NULL, 0, &cm), 0);
	cr_assert_eq(cm.h.op, op);
	return cm;
}

static struct mds_caps_msg last_update(void)
{
	return last_update_op(MDS_CAP_OP_UPDATE);
}

/* A session open on rank 0 and a GETATTR of @ino answered with a cap:
 * pAsLsXsFsc (0x555), cap_id 40 + @ino, seq 3, mseq 1. */
static uint64_t with_cap(uint64_t ino)
{
	struct mdsc_request *r = req(MDS_OP_GETATTR, "");
	uint64_t con = open_rank0(r);

	reply(con, r, 0, true, ino);
	drop(r);
	return con;
}

static void more_caps(uint64_t con, uint64_t ino)
{
	struct mdsc_request *r = req(MDS_OP_GETATTR, "");

	cr_assert_eq(mdsc_submit(m, r, 5), 0);
	reply(con, r, 0, true, ino);
	drop(r);
}

Test(mdsc, a_request_waits_for_map_and_session_then_its_reply_finishes_it_and_its_cap_is_kept)
{
	struct mdsc_request *r = req(MDS_OP_GETATTR, "a");
	uint64_t con = open_rank0(r);
	const struct sent *s = last_sent();

	cr_assert(strstr(health_since(), "MDS session open"));
	cr_assert_eq(s->type, CEPH_MSG_CLIENT_REQUEST);
	cr_assert_eq(s->version, 4);
	cr_assert_eq(s->tid, r->tid.tid);
	cr_assert_eq(get_le32(s->front + 10), 5, "the map's epoch");
	cr_assert_eq(get_le32(s->front + 22), MDS_OP_GETATTR);
	cr_assert_eq(get_le64(s->front + 2), r->tid.tid, "the oldest tid in flight: itself");
	reply(con, r, 0, true, 0x10000000000);
	cr_assert_eq(dones, 1);
	cr_assert_eq(r->result, 0);
	cr_assert(r->rep && r->rep->is_target);
	cr_assert_eq(r->rep->target.ino, 0x10000000000);
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_REQUEST, "the cap granted is kept");
	drop(r);

	/* the kernel forgets the inode: the cap goes back at the tick, with
	 * its issue_seq */
	mdsc_caps_forget(m, 0x10000000000, 11);
	mdsc_tick(m, 12);
	s = last_sent();
	cr_assert_eq(s->type, CEPH_MSG_CLIENT_CAPRELEASE);
	cr_assert_eq(get_le32(s->front), 1);
	cr_assert_eq(get_le64(s->front + 4), 0x10000000000);
	cr_assert_eq(get_le64(s->front + 12), 40 + 0x10000000000);
	cr_assert_eq(get_le32(s->front + 20), 1, "migrate seq");
	cr_assert_eq(get_le32(s->front + 24), 3, "the cap's issue seq");
}

Test(mdsc, an_mds_without_reply_encoding_is_refused)
{
	struct mdsc_request *r = req(MDS_OP_GETATTR, "a");
	struct mdsc_map mp = map(5, 1, 6800);

	mdsc_submit(m, r, 0);
	mdsc_map(m, &mp, 1);
	mdsc_con_up(m, io.open_con[0], 2);
	session_msg(io.open_con[0], 1, MDS_SESSION_OPEN, 0, 0);
	cr_assert_eq(dones, 1);
	cr_assert_eq(r->result, -EPROTONOSUPPORT);
	cr_assert(strstr(health_since(), "older than Mimic"));
	drop(r);
}

Test(mdsc, unsafe_replies_finish_early_and_stay_the_oldest_tid_until_safe)
{
	struct mdsc_request *a = req(MDS_OP_MKDIR, "d"), *b = req(MDS_OP_GETATTR, "d");
	uint64_t con = open_rank0(a);
	struct mdsc_status st;
	uint64_t atid = a->tid.tid;

	reply(con, a, 0, false, 0x10000000001);
	cr_assert_eq(dones, 1);
	cr_assert(a->got_unsafe);
	mdsc_get_status(m, &st);
	cr_assert_eq(st.unsafe, 1);
	mdsc_submit(m, b, 11);
	cr_assert_eq(get_le64(last_sent()->front + 2), atid, "the MDS must still remember the mkdir");
	reply(con, b, 0, true, 0x10000000001);
	{
		char text[256];
		struct mdsc_request *w = req(MDS_OP_GETATTR, "x");
		w->rank = 3; /* no such rank yet: it waits */
		mdsc_submit(m, w, 12);
		mdsc_format_requests(m, text, sizeof(text));
		char want[128];
		snprintf(want, sizeof(want), "%llu\tmds3\tgetattr\t#1/x\twaiting\n%llu\tmds0\tunsafe\n",
			 (unsigned long long)w->tid.tid, (unsigned long long)atid);
		cr_assert_str_eq(text, want);
		drop(w);
		dones--;
	}
	reply_tid(con, MDS_OP_MKDIR, atid, 0, true, 0x10000000001); /* a is long gone to its caller */
	mdsc_get_status(m, &st);
	cr_assert_eq(st.unsafe, 0);
	cr_assert_eq(dones, 2);
	drop(a);
	drop(b);
}

/* Unsafe replies out of tid order, and safe ones too: the oldest tid the
 * MDS must remember is always the smallest still unsafe. */
Test(mdsc, the_oldest_unsafe_tid_holds_whatever_order_the_replies_come_in)
{
	struct mdsc_request *r[3] = {req(MDS_OP_MKDIR, "a"), req(MDS_OP_MKDIR, "b"), req(MDS_OP_MKDIR, "c")};
	uint64_t con = open_rank0(r[0]), tid[3];
	struct mdsc_status st;
	char text[256], want[256];

	for (int i = 1; i < 3; i++)
		cr_assert_eq(mdsc_submit(m, r[i], 2), 0);
	for (int i = 0; i < 3; i++)
		tid[i] = r[i]->tid.tid;
	reply(con, r[2], 0, false, 0x10000000013);
	reply(con, r[0], 0, false, 0x10000000011);
	reply(con, r[1], 0, false, 0x10000000012);
	mdsc_get_status(m, &st);
	cr_assert_eq(st.unsafe, 3);
	mdsc_format_requests(m, text, sizeof(text));
	snprintf(want, sizeof(want), "%llu\tmds0\tunsafe\n%llu\tmds0\tunsafe\n%llu\tmds0\tunsafe\n",
		 (unsigned long long)tid[0], (unsigned long long)tid[1], (unsigned long long)tid[2]);
	cr_assert_str_eq(text, want, "in tid order");
	for (int i = 0; i < 3; i++) {
		struct mdsc_request *g = req(MDS_OP_GETATTR, "a");
		static const int safe_order[3] = {1, 0, 2};
		static const int oldest_before[3] = {0, 0, 2};
		cr_assert_eq(mdsc_submit(m, g, 3), 0);
		cr_assert_eq(get_le64(last_sent()->front + 2), tid[oldest_before[i]]);
		reply(con, g, 0, true, 0x10000000011);
		drop(g);
		reply_tid(con, MDS_OP_MKDIR, tid[safe_order[i]], 0, true, 0x10000000011 + (uint64_t)safe_order[i]);
	}
	mdsc_get_status(m, &st);
	cr_assert_eq(st.unsafe, 0);
	for (int i = 0; i < 3; i++)
		drop(r[i]);
}

Test(mdsc, forwards_go_to_the_rank_named_and_a_count_that_does_not_grow_fails)
{
	struct mdsc_request *r = req(MDS_OP_GETATTR, "a");
	struct mdsc_map mp = map(6, 2, 6800);
	uint64_t con = open_rank0(r);
	uint8_t f[9];

	mdsc_map(m, &mp, 3);
	put_le32(f, 1);
	put_le32(f + 4, 1);
	f[8] = 1;
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_REQUEST_FORWARD, 1, r->tid.tid, f, 9, NULL, 0, 4), 0);
	cr_assert_eq(io.opens, 2, "a session to rank 1");
	cr_assert_eq(io.open_rank[1], 1);
	mdsc_con_up(m, io.open_con[1], 5);
	session_msg(io.open_con[1], 4, MDS_SESSION_OPEN, 0, PACIFIC_FEATURES);
	cr_assert_eq(last_sent()->con, io.open_con[1]);
	cr_assert_eq(last_sent()->tid, r->tid.tid);
	cr_assert_eq(last_sent()->front[19], 1, "num_fwd");
	cr_assert_eq(last_sent()->front[18], 0, "a forward is no retry");
	put_le32(f, 0);
	cr_assert_eq(
	    mdsc_handle_msg(m, io.open_con[1], CEPH_MSG_CLIENT_REQUEST_FORWARD, 1, r->tid.tid, f, 9, NULL, 0, 6), 0);
	cr_assert_eq(dones, 1);
	cr_assert_eq(r->result, -EMULTIHOP);
	drop(r);
}

Test(mdsc, renewals_stale_flushmsg_and_keepalives)
{
	struct mdsc_request *r = req(MDS_OP_GETATTR, "a");
	uint64_t con = open_rank0(r);
	const struct sent *s;

	reply(con, r, 0, true, 1);
	mdsc_tick(m, 5000);
	cr_assert_eq(io.keepalives, 1, "between renewals, a keepalive");
	mdsc_tick(m, 15000);
	s = last_sent();
	cr_assert_eq(get_le32(s->front), MDS_SESSION_REQUEST_RENEWCAPS);
	cr_assert_eq(get_le64(s->front + 4), 1);
	session_msg(con, 1, MDS_SESSION_STALE, 0, 0);
	s = last_sent();
	cr_assert_eq(get_le32(s->front), MDS_SESSION_REQUEST_RENEWCAPS, "stale: renew at once");
	cr_assert_eq(get_le64(s->front + 4), 2);
	session_msg(con, 1, MDS_SESSION_RENEWCAPS, 2, 0);
	cr_assert(strstr(health_since(), "renewed after going stale"));
	session_msg(con, 1, MDS_SESSION_FLUSHMSG, 77, 0);
	s = last_sent();
	cr_assert_eq(get_le32(s->front), MDS_SESSION_FLUSHMSG_ACK);
	cr_assert_eq(get_le64(s->front + 4), 77);
	drop(r);
}

Test(mdsc, caps_and_leases_we_do_not_keep_are_given_back_and_counted_for_the_close)
{
	struct mdsc_request *r = req(MDS_OP_GETATTR, "a");
	uint64_t con = open_rank0(r);
	uint8_t caps[60] = {0};
	struct mds_lease_msg l = {
	    .action = MDS_LEASE_REVOKE, .ino = 9, .seq = 4, .dname = (const uint8_t *)"x", .dname_len = 1};
	struct wire_enc e;
	const struct sent *s;

	reply(con, r, 0, true, 1);
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_CAPS, 11, 0, caps, sizeof(caps), NULL, 0, 20), 0);
	cr_assert(strstr(health_since(), "malformed caps message dropped"), "a head alone is not a caps message");
	caps_msg(con, MDS_CAP_OP_REVOKE, 0x10000000009, 55, 6, 0x1, 0, 20);
	s = last_sent();
	cr_assert_eq(s->type, CEPH_MSG_CLIENT_CAPRELEASE);
	cr_assert_eq(get_le64(s->front + 4), 0x10000000009);
	cr_assert_eq(get_le64(s->front + 12), 55);
	cr_assert_eq(get_le32(s->front + 20), 1);
	cr_assert_eq(get_le32(s->front + 24), 6);

	wire_enc_init(&e);
	mds_lease_encode(&e, &l);
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_LEASE, 1, 0, e.buf, e.len, NULL, 0, 21), 0);
	wire_enc_free(&e);
	s = last_sent();
	cr_assert_eq(s->type, CEPH_MSG_CLIENT_LEASE);
	cr_assert_eq(s->front[0], MDS_LEASE_REVOKE_ACK);
	cr_assert_eq(get_le32(s->front + 27), 4);

	cr_assert(!mdsc_close_sessions(m, 22));
	s = last_sent();
	cr_assert_eq(get_le32(s->front), MDS_SESSION_REQUEST_CLOSE);
	cr_assert_eq(get_le64(s->front + 4), 3, "two caps messages (one malformed) and a lease received");
	caps_msg(con, MDS_CAP_OP_GRANT, 0x10000000009, 55, 7, 0x1, 0, 23);
	mdsc_tick(m, 24);
	s = last_sent();
	cr_assert_eq(get_le32(s->front), MDS_SESSION_REQUEST_CLOSE, "the count moved: the close again");
	cr_assert_eq(get_le64(s->front + 4), 4);
	session_msg(con, 1, MDS_SESSION_CLOSE, 0, 0);
	cr_assert(mdsc_close_sessions(m, 25));
	cr_assert_eq(io.closes, 1);
	drop(r);
}

Test(mdsc, reject_lost_connections_moved_mdss_and_deadlines)
{
	struct mdsc_request *a = req(MDS_OP_GETATTR, "a"), *b = req(MDS_OP_GETATTR, "b");
	uint64_t con = open_rank0(a);
	struct mdsc_map mp = map(9, 1, 6900);
	struct wire_enc e;

	/* the connection drops under a sent request: it waits for the MDS
	 * to restart, and fails when the same MDS stays active past the grace */
	mdsc_con_down(m, con, -ECONNRESET, "reset", 3);
	cr_assert_eq(dones, 0);
	cr_assert(strstr(health_since(), "MDS session interrupted (reset)"));
	cr_assert_eq(io.opens, 1, "the map shows the same MDS: nothing to reconnect to yet");
	mdsc_tick(m, 3 + MDSC_RESTART_GRACE_MS - 1);
	cr_assert_eq(io.opens, 1);
	/* past the grace its address is tried: refused (a killed MDS keeps
	 * its rank in the map until it is replaced), and again a tick later */
	mdsc_tick(m, 3 + MDSC_RESTART_GRACE_MS);
	cr_assert_eq(io.opens, 2);
	mdsc_tick(m, 4 + MDSC_RESTART_GRACE_MS);
	cr_assert_eq(io.opens, 2, "one try at a time");
	mdsc_con_down(m, io.open_con[1], -ECONNREFUSED, "refused", 5 + MDSC_RESTART_GRACE_MS);
	cr_assert_eq(dones, 0);
	mdsc_tick(m, 3 + MDSC_RESTART_GRACE_MS + MDSC_TICK_MS);
	cr_assert_eq(io.opens, 3);
	/* this time it answers: the MDS did not restart, the session is lost */
	mdsc_con_up(m, io.open_con[2], 40000);
	cr_assert_eq(dones, 1);
	cr_assert_eq(a->result, -EIO);
	cr_assert(strstr(health_since(), "the MDS did not restart"));
	/* the next request opens a new session */
	mdsc_submit(m, b, 40000);
	cr_assert_eq(io.opens, 4);
	mdsc_con_up(m, io.open_con[3], 40001);
	session_msg(io.open_con[3], 4, MDS_SESSION_OPEN, 9, PACIFIC_FEATURES);
	cr_assert_eq(last_sent()->tid, b->tid.tid);
	/* another daemon takes the rank, already active (we missed its
	 * reconnect window): the reconnect is denied and what was sent fails */
	mdsc_map(m, &mp, 40002);
	cr_assert_eq(io.opens, 5);
	cr_assert_eq(dones, 1);
	mdsc_con_up(m, io.open_con[4], 40003);
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_RECONNECT);
	session_msg(io.open_con[4], 4, MDS_SESSION_CLOSE, 0, 0);
	cr_assert_eq(dones, 2);
	cr_assert_eq(b->result, -EIO);
	cr_assert(strstr(health_since(), "denied the reconnect"));

	/* a deadline; then a REJECT */
	a->timeout_ms = 100;
	mdsc_submit(m, a, 50010);
	cr_assert_eq(io.opens, 6);
	mdsc_tick(m, 50050);
	cr_assert_eq(dones, 2);
	mdsc_tick(m, 50110);
	cr_assert_eq(dones, 3);
	cr_assert_eq(a->result, -ETIMEDOUT);
	a->timeout_ms = 0;
	mdsc_submit(m, a, 50120);
	mdsc_con_up(m, io.open_con[5], 50121);
	wire_enc_init(&e);
	mds_enc_session(&e, 5, MDS_SESSION_REJECT, 0, "blocklisted", 0, MDS_SESSION_FLAG_BLOCKLISTED);
	cr_assert_eq(mdsc_handle_msg(m, io.open_con[5], CEPH_MSG_CLIENT_SESSION, 5, 0, e.buf, e.len, NULL, 0, 50122), 0);
	wire_enc_free(&e);
	cr_assert_eq(dones, 4);
	cr_assert_eq(a->result, -EACCES);
	cr_assert(strstr(health_since(), "refused the session: blocklisted (blocklisted)"));
	cr_assert_eq(mdsc_submit(m, b, 50123), 0);
	cr_assert_eq(b->result, -EACCES, "a rejected session is not retried");
	drop(a);
	drop(b);
}

/* ---- the capability cache ------------------------------------------------------------ */

#define FC MDS_CAP_FILE_CACHE
#define FR MDS_CAP_FILE_RD

Test(mdsc, a_cached_inode_is_served_while_its_caps_are_issued)
{
	uint64_t con = with_cap(0x10000000001);
	struct mds_inode in;
	char ns[16];

	cr_assert_eq(mdsc_inode(m, 0x10000000001, MDS_STAT_ALL, 20, &in, ns, sizeof(ns)), 0);
	cr_assert_eq(in.size, 5);
	cr_assert_eq(in.mode, 0100644);
	cr_assert_null(in.symlink);
	cr_assert_eq(mdsc_inode(m, 0x10000000001, FR, 20, &in, NULL, 0), -EAGAIN, "Fr was not issued");
	cr_assert_eq(mdsc_inode(m, 0x10000000002, MDS_STAT_ALL, 20, &in, NULL, 0), -ENOENT);
	cr_assert_eq(mdsc_inode(m, 0x10000000001, MDS_STAT_ALL, 61000, &in, NULL, 0), -EAGAIN,
		     "past the session's cap lifetime without a renewal");

	/* a GRANT brings the size another client wrote */
	io.invals = 0;
	caps_msg(con, MDS_CAP_OP_GRANT, 0x10000000001, 41 + 0x10000000000, 4, 0x555, 99, 21);
	cr_assert_eq(mdsc_inode(m, 0x10000000001, MDS_STAT_ALL, 22, &in, NULL, 0), 0);
	cr_assert_eq(in.size, 99);
	cr_assert_eq(io.invals, 1, "the kernel's attributes go");
	cr_assert(io.inval_what & MDSC_INVAL_ATTRS);
	cr_assert_eq(io.inval_token, 0, "no ack waits for a grant");
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_REQUEST, "a grant is not answered");

	/* the connection goes: the caps are not trusted, and once no
	 * restart came in the grace, they go */
	mdsc_con_down(m, con, -ECONNRESET, "reset", 23);
	cr_assert_eq(mdsc_inode(m, 0x10000000001, MDS_STAT_ALL, 24, &in, NULL, 0), -EAGAIN);
	mdsc_tick(m, 23 + MDSC_RESTART_GRACE_MS);
	mdsc_con_up(m, io.open_con[1], 24 + MDSC_RESTART_GRACE_MS);
	cr_assert_eq(mdsc_inode(m, 0x10000000001, MDS_STAT_ALL, 24, &in, NULL, 0), -ENOENT);
	cr_assert_eq(io.inval_ino, 0x10000000001);
	cr_assert(io.inval_what & MDSC_INVAL_PAGES, "Fc was held: the pages go too");
}

Test(mdsc, a_revoke_of_fc_waits_for_the_kernels_pages_then_is_acked_with_an_update)
{
	uint64_t ino = 0x10000000003, con = with_cap(ino);
	struct mds_caps_msg u;
	struct mds_inode in;
	unsigned nsent;

	caps_msg(con, MDS_CAP_OP_REVOKE, ino, 40 + ino, 7, 0x155, 5, 30);
	cr_assert_eq(io.inval_ino, ino);
	cr_assert(io.inval_what & MDSC_INVAL_PAGES);
	cr_assert_neq(io.inval_token, 0, "the ack waits for the pages");
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_REQUEST, "no ack yet");
	cr_assert_eq(mdsc_inode(m, ino, FC, 30, &in, NULL, 0), -EAGAIN, "Fc is no longer ours to use");
	cr_assert_eq(mdsc_inode(m, ino, MDS_STAT_ALL, 30, &in, NULL, 0), 0);
	mdsc_caps_invalidated(m, ino, io.inval_token + 1, 31);
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_REQUEST, "another revoke's token acks nothing");
	mdsc_caps_invalidated(m, ino, io.inval_token, 31);
	u = last_update();
	cr_assert_eq(u.h.ino, ino);
	cr_assert_eq(u.h.cap_id, 40 + ino);
	cr_assert_eq(u.h.seq, 7, "the revoke's seq");
	cr_assert_eq(u.h.issue_seq, 3, "the reply's: a revoke does not change it");
	cr_assert_eq(u.h.migrate_seq, 1);
	cr_assert_eq(u.h.caps, 0x155, "what we still hold");
	cr_assert_eq(u.h.dirty, 0);

	/* a REVOKE that takes nothing is acked at once all the same */
	nsent = io.nsent;
	caps_msg(con, MDS_CAP_OP_REVOKE, ino, 40 + ino, 8, 0x155, 5, 32);
	cr_assert_eq(io.nsent, nsent + 1);
	u = last_update();
	cr_assert_eq(u.h.seq, 8);
	cr_assert_eq(u.h.caps, 0x155);

	/* without an answer the ack goes at the deadline */
	caps_msg(con, MDS_CAP_OP_GRANT, ino, 40 + ino, 9, 0x555, 5, 33);
	caps_msg(con, MDS_CAP_OP_REVOKE, ino, 40 + ino, 10, 0x55, 5, 34);
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_CAPS);
	cr_assert_eq(last_update().h.seq, 8, "still the last ack");
	mdsc_tick(m, 34 + MDSC_INVAL_WAIT_MS - 1);
	cr_assert_eq(last_update().h.seq, 8);
	mdsc_tick(m, 34 + MDSC_INVAL_WAIT_MS);
	u = last_update();
	cr_assert_eq(u.h.seq, 10);
	cr_assert_eq(u.h.caps, 0x55);
}

Test(mdsc, reads_in_flight_hold_fr_and_a_reader_waiting_for_caps_tells_the_mds)
{
	uint64_t ino = 0x10000000004, con = with_cap(ino);
	uint32_t got = 0;
	struct mds_caps_msg u;
	unsigned changed, nsent;

	/* Fr was not issued: the MDS learns we want it */
	cr_assert_eq(mdsc_caps_get(m, ino, FR, FC, 0, 40, &got), -EAGAIN);
	u = last_update();
	cr_assert_eq(u.h.wanted, FR | FC);
	cr_assert_eq(u.h.seq, 3);
	cr_assert_eq(u.h.issue_seq, 3);
	changed = io.changed;
	caps_msg(con, MDS_CAP_OP_GRANT, ino, 40 + ino, 4, 0xd55, 5, 41);
	cr_assert_eq(io.changed, changed + 1, "waiters are woken");
	cr_assert_eq(mdsc_caps_get(m, ino, FR, FC, 0, 42, &got), 0);
	cr_assert_eq(got, FR | FC);

	/* a revoke of Fr waits for the read, and for the pages (Fc) */
	caps_msg(con, MDS_CAP_OP_REVOKE, ino, 40 + ino, 5, 0x155, 5, 43);
	mdsc_caps_invalidated(m, ino, io.inval_token, 44);
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_CAPS);
	cr_assert_eq(last_update().h.seq, 3, "the read still runs");
	mdsc_caps_put(m, ino, got, 45);
	u = last_update();
	cr_assert_eq(u.h.seq, 5);
	cr_assert_eq(u.h.caps, 0x155);

	/* a reader waiting for caps that a revoke is taking acks at once */
	caps_msg(con, MDS_CAP_OP_GRANT, ino, 40 + ino, 6, 0x555, 5, 46);
	caps_msg(con, MDS_CAP_OP_REVOKE, ino, 40 + ino, 7, 0x155, 5, 47);
	cr_assert_eq(last_update().h.seq, 5);
	nsent = io.nsent;
	cr_assert_eq(mdsc_caps_get(m, ino, FR, 0, 0, 48, &got), -EAGAIN);
	cr_assert_eq(io.nsent, nsent + 1, "one message");
	u = last_update();
	cr_assert_eq(u.h.seq, 7, "the revoke is acked without waiting for the pages");
	cr_assert_eq(u.h.caps, 0x155);
	cr_assert(u.h.wanted & FR, "and says what we want");
	cr_assert_eq(mdsc_caps_get(m, 0x10000000099, FR, 0, 0, 48, &got), -ENOENT, "no cap: open it");
}

Test(mdsc, open_files_keep_pages_while_fc_lasts_and_the_last_close_wants_nothing)
{
	uint64_t ino = 0x10000000005, con = with_cap(ino);
	struct mds_caps_msg u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 3, 0x555, 5);

	u.h.wanted = FR | FC; /* as an OPEN's reply records it */
	caps_msg_full(con, &u, 49);
	cr_assert(!mdsc_caps_open(m, ino, FR | FC, 50), "the first open has no pages to keep");
	cr_assert(mdsc_caps_open(m, ino, FR | FC, 51), "Fc held since the last open");
	mdsc_caps_close(m, ino, 54);
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_REQUEST, "one file still open");
	mdsc_caps_close(m, ino, 55);
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_REQUEST, "the last close is held");
	mdsc_tick(m, 55 + MDSC_CAPS_HOLD_MS - 1);
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_REQUEST, "held until MDSC_CAPS_HOLD_MS");
	mdsc_tick(m, 55 + MDSC_CAPS_HOLD_MS);
	u = last_update();
	cr_assert_eq(u.h.wanted, 0);

	/* Fc taken and given again: the pages from before are not trusted */
	caps_msg(con, MDS_CAP_OP_REVOKE, ino, 40 + ino, 4, 0x155, 5, 56);
	mdsc_caps_invalidated(m, ino, io.inval_token, 57);
	caps_msg(con, MDS_CAP_OP_GRANT, ino, 40 + ino, 5, 0x555, 5, 58);
	cr_assert(!mdsc_caps_open(m, ino, FR | FC, 59));
	mdsc_caps_close(m, ino, 60);
}

Test(mdsc, an_open_without_an_open_request_tells_the_mds_what_it_wants)
{
	uint64_t ino = 0x10000000006, con = with_cap(ino);
	struct mds_caps_msg u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 4, 0x555, 5);
	unsigned n;

	caps_msg_full(con, &u, 49); /* issued pAsLsXsFsc, the MDS knows no want */
	n = io.nsent;
	cr_assert_eq(mdsc_caps_open_quiet(m, ino, FR | FC, 50), -EAGAIN, "a want to tell: the whole open");
	cr_assert_eq(io.nsent, n);
	mdsc_caps_open(m, ino, FR | FC, 50);
	cr_assert_eq(io.nsent, n + 1);
	u = last_update();
	cr_assert_eq(u.h.wanted, FR | FC);
	cr_assert_eq(mdsc_caps_open_quiet(m, ino, FR | FC, 51), 1, "known now: counted here, Fc kept");
	cr_assert_eq(io.nsent, n + 1, "known now: nothing more");
	mdsc_caps_close(m, ino, 52);
	mdsc_caps_close(m, ino, 53);
	n = io.nsent;
	mdsc_caps_open(m, ino, FR | FC, 54); /* opened again while held */
	mdsc_caps_close(m, ino, 55);
	mdsc_tick(m, 53 + MDSC_CAPS_HOLD_MS);
	cr_assert_eq(io.nsent, n, "the first hold ended with the open");
	mdsc_tick(m, 55 + MDSC_CAPS_HOLD_MS);
	cr_assert_eq(io.nsent, n + 1);
	cr_assert_eq(last_update().h.wanted, 0);
}

Test(mdsc, recall_state_and_the_cap_limit_give_back_the_least_recently_used)
{
	uint64_t con = with_cap(0x10000000010);
	struct mds_inode in;
	struct wire_enc e;
	const struct sent *s;

	more_caps(con, 0x10000000011);
	more_caps(con, 0x10000000012);
	cr_assert_eq(mdsc_inode(m, 0x10000000010, MDS_STAT_ALL, 60, &in, NULL, 0), 0, "the first is used again");
	wire_enc_init(&e);
	wire_enc_le32(&e, MDS_SESSION_RECALL_STATE);
	wire_enc_le64(&e, 0);
	wire_enc_zeros(&e, 8);
	wire_enc_le32(&e, 1); /* max_caps */
	wire_enc_le32(&e, 0);
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_SESSION, 1, 0, e.buf, e.len, NULL, 0, 61), 0);
	wire_enc_free(&e);
	s = last_sent();
	cr_assert_eq(s->type, CEPH_MSG_CLIENT_CAPRELEASE);
	cr_assert_eq(get_le32(s->front), 2);
	cr_assert_eq(get_le64(s->front + 4), 0x10000000011);
	cr_assert_eq(get_le64(s->front + 28), 0x10000000012);
	cr_assert_eq(mdsc_inode(m, 0x10000000010, MDS_STAT_ALL, 62, &in, NULL, 0), 0, "the one used last stays");
}

#define FW MDS_CAP_FILE_WR
#define FB MDS_CAP_FILE_BUFFER

/* An IMPORT @cm on @con from the cap @peer_cap_id of rank @peer_mds. */
static void import_msg(uint64_t con, const struct mds_caps_msg *cm, uint64_t peer_cap_id, uint32_t peer_mds,
		       uint64_t now)
{
	/* an IMPORT carries its peer after the flock blob (v3): a client's
	 * encoding has none, so it goes in by hand */
	struct wire_enc e, p;

	wire_enc_init(&e);
	cr_assert_eq(mds_caps_encode(&e, cm), MDS_CAPS_VERSION);
	wire_enc_init(&p);
	wire_enc_bytes(&p, e.buf, 180); /* ceph_mds_caps, an empty snap trace, an empty flock blob */
	wire_enc_le64(&p, peer_cap_id); /* the peer: where it came from */
	wire_enc_le32(&p, 3);
	wire_enc_le32(&p, 1);
	wire_enc_le32(&p, peer_mds);
	wire_enc_u8(&p, 0);
	wire_enc_bytes(&p, e.buf + 180, e.len - 180);
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_CAPS, 11, 0, p.buf, p.len, NULL, 0, now), 0);
	wire_enc_free(&e);
	wire_enc_free(&p);
}

/* An EXPORT of @cap_id on @con. */
static void export_msg(uint64_t con, uint64_t ino, uint64_t cap_id, uint64_t now)
{
	/* an EXPORT's body is the peer: not a client's to encode, so the
	 * head is patched onto an UPDATE's bytes */
	struct mds_caps_msg cm = caps_body(MDS_CAP_OP_UPDATE, ino, cap_id, 11, 0, 0);
	struct wire_enc e;

	wire_enc_init(&e);
	mds_caps_encode(&e, &cm);
	put_le32(e.buf, MDS_CAP_OP_EXPORT);
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_CAPS, 11, 0, e.buf, e.len, NULL, 0, now), 0);
	wire_enc_free(&e);
}

Test(mdsc, import_moves_a_cap_and_sets_its_issue_seq)
{
	uint64_t ino = 0x10000000020, con = with_cap(ino);
	struct mds_caps_msg cm = caps_body(MDS_CAP_OP_IMPORT, ino, 77, 9, 0x555, 5);
	struct mds_inode in;

	cm.h.migrate_seq = 2;
	import_msg(con, &cm, 40 + ino, 0, 70);
	cr_assert_eq(mdsc_inode(m, ino, MDS_STAT_ALL, 71, &in, NULL, 0), 0);
	caps_msg(con, MDS_CAP_OP_REVOKE, ino, 77, 10, 0x155, 5, 72);
	mdsc_caps_invalidated(m, ino, io.inval_token, 73);
	cm = last_update();
	cr_assert_eq(cm.h.cap_id, 77);
	cr_assert_eq(cm.h.issue_seq, 9, "IMPORT sets the issue seq");
	cr_assert_eq(cm.h.migrate_seq, 2);
	/* EXPORT takes an idle cap away without a release */
	export_msg(con, ino, 77, 74);
	cr_assert_eq(mdsc_inode(m, ino, MDS_STAT_ALL, 75, &in, NULL, 0), -ENOENT);
	cr_assert_neq(last_sent()->type, CEPH_MSG_CLIENT_CAPRELEASE);
}

/* A cap exported while what a write changed is still ours (a held close)
 * keeps it through the IMPORT: it reaches the importing rank. */
Test(mdsc, a_cap_moved_to_another_rank_keeps_what_is_dirty)
{
	uint64_t ino = 0x10000000021, con = with_cap(ino), con1;
	struct mds_caps_msg u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 4, 0x555 | FW | FB, 5);
	struct mdsc_request *r1 = req(MDS_OP_GETATTR, "b");
	struct mdsc_map mp = map(6, 2, 6800);
	struct mds_inode in;
	uint32_t got = 0;

	u.max_size = 1 << 20;
	caps_msg_full(con, &u, 100);
	mdsc_caps_open(m, ino, FW | FB, 101);
	cr_assert_eq(mdsc_caps_get(m, ino, FW, 0, 100, 102, &got), 0);
	mdsc_caps_wrote(m, ino, 100, (struct mds_timespec){1700000009, 0}, 103);
	mdsc_caps_put(m, ino, got, 104);
	mdsc_caps_close(m, ino, 105); /* held: size 100 not yet told */

	/* a session to rank 1, then the cap moves there */
	mdsc_map(m, &mp, 106);
	r1->rank = 1;
	cr_assert_eq(mdsc_submit(m, r1, 107), 0);
	con1 = io.open_con[1];
	mdsc_con_up(m, con1, 108);
	session_msg(con1, 4, MDS_SESSION_OPEN, 0, PACIFIC_FEATURES);
	export_msg(con, ino, 40 + ino, 109);
	cr_assert_eq(mdsc_inode(m, ino, 0, 110, &in, NULL, 0), 0, "dirty: kept for the IMPORT");
	u = caps_body(MDS_CAP_OP_IMPORT, ino, 91, 1, 0x555 | FW | FB, 5);
	u.max_size = 1 << 20;
	import_msg(con1, &u, 40 + ino, 0, 111);
	cr_assert_neq(last_sent()->type, CEPH_MSG_CLIENT_CAPRELEASE, "moved from the peer it names: no release");
	mdsc_tick(m, 105 + MDSC_CAPS_HOLD_MS);
	cr_assert_eq(last_sent()->con, con1, "the close is told to the importer");
	u = last_update();
	cr_assert_eq(u.h.cap_id, 91);
	cr_assert_eq(u.h.dirty, FW);
	cr_assert_eq(u.size, 100);
	cr_assert_eq(u.h.wanted, 0);
	drop(r1);
}

/* FLUSH_ACK of @tid (the message's tid) for @ino's cap. */
static void flush_ack(uint64_t con, uint64_t ino, uint64_t cap_id, uint64_t tid, uint64_t now)
{
	struct mds_caps_msg cm = caps_body(MDS_CAP_OP_FLUSH_ACK, ino, cap_id, 0, 0, 0);
	struct wire_enc e;

	cm.h.dirty = FW;
	wire_enc_init(&e);
	cr_assert_eq(mds_caps_encode(&e, &cm), MDS_CAPS_VERSION);
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_CAPS, MDS_CAPS_VERSION, tid, e.buf, e.len, NULL, 0, now),
		     0);
	wire_enc_free(&e);
}

Test(mdsc, writes_ask_for_max_size_and_their_size_is_flushed_until_acked)
{
	uint64_t ino = 0x10000000030, con = with_cap(ino);
	struct mds_caps_msg u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 4, 0x555 | FW | FB, 5);
	struct mds_inode in;
	uint64_t tid = 0;
	uint32_t got = 0;
	unsigned changed;
	const struct sent *s;

	u.max_size = 4096;
	caps_msg_full(con, &u, 80);
	cr_assert_eq(mdsc_caps_get(m, ino, FW, FB, 4096, 81, &got), 0, "within max_size");
	cr_assert_eq(got, FW | FB);
	mdsc_caps_put(m, ino, got, 82);

	/* past max_size: the MDS is asked for more, and the write waits */
	cr_assert_eq(mdsc_caps_get(m, ino, FW, 0, 10000, 83, &got), -EAGAIN);
	u = last_update();
	cr_assert_eq(u.max_size, 10000);
	cr_assert_eq(mdsc_caps_get(m, ino, FW, 0, 9000, 84, &got), -EAGAIN);
	cr_assert_eq(last_update().max_size, 10000, "not asked twice");
	u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 5, 0x555 | FW | FB, 5);
	u.max_size = 1 << 20;
	changed = io.changed;
	caps_msg_full(con, &u, 85);
	cr_assert_eq(io.changed, changed + 1, "a larger max_size wakes the writes waiting for it");
	cr_assert_eq(mdsc_caps_get(m, ino, FW, 0, 10000, 86, &got), 0);

	/* the write lands: size and times are ours, dirty until flushed */
	cr_assert_eq(mdsc_caps_wrote(m, ino, 10000, (struct mds_timespec){1700000000, 5}, 87), 0);
	mdsc_caps_put(m, ino, got, 88);
	cr_assert_eq(mdsc_inode(m, ino, FW, 88, &in, NULL, 0), 0);
	cr_assert_eq(in.size, 10000);
	cr_assert_eq(mdsc_caps_flush(m, ino, 89, &tid), 1);
	s = last_sent();
	cr_assert_eq(s->tid, tid, "the flush tid is the message's");
	u = last_update_op(MDS_CAP_OP_FLUSH);
	cr_assert_eq(u.h.dirty, FW);
	cr_assert_eq(u.size, 10000);
	cr_assert_eq(u.mtime.sec, 1700000000);
	cr_assert_eq(u.oldest_flush_tid, tid);
	cr_assert_eq(u.flags, MDS_CAPS_FLAG_SYNC);
	cr_assert_eq(mdsc_caps_flushed(m, ino, tid), 0);
	mdsc_caps_forget(m, ino, 90);
	mdsc_tick(m, 91);
	cr_assert_neq(last_sent()->type, CEPH_MSG_CLIENT_CAPRELEASE, "a cap being flushed stays");
	cr_assert_eq(mdsc_caps_flush(m, ino, 91, &tid), 1, "still in flight");
	flush_ack(con, ino, 40 + ino, tid, 92);
	cr_assert_eq(mdsc_caps_flushed(m, ino, tid), -ENOENT, "acknowledged, idle and forgotten: given back");
	mdsc_tick(m, 93);
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_CAPRELEASE);
}

Test(mdsc, a_revoke_of_fw_waits_for_the_write_and_carries_what_it_dirtied)
{
	uint64_t ino = 0x10000000031, con = with_cap(ino);
	struct mds_caps_msg u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 4, 0x555 | FW, 5);
	uint32_t got = 0;

	u.max_size = 1 << 20;
	caps_msg_full(con, &u, 100);
	cr_assert_eq(mdsc_caps_get(m, ino, FW, 0, 100, 101, &got), 0);
	caps_msg(con, MDS_CAP_OP_REVOKE, ino, 40 + ino, 5, 0x555, 5, 102);
	cr_assert_neq(last_sent()->type, CEPH_MSG_CLIENT_CAPS, "the write still runs");
	mdsc_caps_wrote(m, ino, 100, (struct mds_timespec){1700000001, 0}, 103);
	mdsc_caps_put(m, ino, got, 104);
	u = last_update();
	cr_assert_eq(u.h.seq, 5);
	cr_assert_eq(u.h.caps, 0x555);
	cr_assert_eq(u.h.dirty, FW, "the size written goes with the ack");
	cr_assert_eq(u.size, 100);
	cr_assert_eq(last_sent()->tid, 1, "as a flush, with its tid");
	cr_assert_eq(mdsc_caps_get(m, ino, FW, 0, 100, 105, &got), -EAGAIN, "Fw is gone");
	{
		/* an fsync now waits for that flush as it went: without Fw,
		 * another client may have changed the size since */
		uint64_t tid = 0;
		unsigned n = io.nsent;
		cr_assert_eq(mdsc_caps_flush(m, ino, 106, &tid), 1);
		cr_assert_eq(tid, 1);
		cr_assert_eq(io.nsent, n, "not sent again");
	}
}

Test(mdsc, the_last_close_sends_what_is_dirty_after_the_hold_and_nothing_dirty_is_left_behind)
{
	uint64_t ino = 0x10000000032, con = with_cap(ino), tid = 0;
	struct mds_caps_msg u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 4, 0x555 | FW | FB, 5);
	const struct sent *s;
	uint32_t got = 0;
	unsigned n;

	u.max_size = 1 << 20;
	caps_msg_full(con, &u, 100);

	/* the last close: after the hold, one UPDATE with what is dirty that
	 * also wants nothing more (no SYNC: no one waits for it) */
	mdsc_caps_open(m, ino, FW | FB, 101);
	cr_assert_eq(mdsc_caps_get(m, ino, FW, 0, 100, 102, &got), 0);
	mdsc_caps_wrote(m, ino, 100, (struct mds_timespec){1700000002, 0}, 103);
	mdsc_caps_put(m, ino, got, 104);
	n = io.nsent;
	mdsc_caps_close(m, ino, 105);
	cr_assert_eq(io.nsent, n, "held");
	mdsc_tick(m, 105 + MDSC_CAPS_HOLD_MS);
	cr_assert_eq(io.nsent, n + 1, "one message");
	s = last_sent();
	u = last_update();
	cr_assert_eq(u.h.dirty, FW);
	cr_assert_eq(u.flags & MDS_CAPS_FLAG_SYNC, 0);
	cr_assert_eq(u.size, 100);
	cr_assert_eq(u.h.wanted, 0);
	tid = s->tid;
	cr_assert_neq(tid, 0, "under a flush tid");
	cr_assert_eq(mdsc_caps_flushed(m, ino, tid), 0, "sent, not acknowledged");
	/* an fsync now: the same fields again as a FLUSH, which the MDS
	 * journals at once */
	cr_assert_eq(mdsc_caps_flush(m, ino, 5106, &tid), 1);
	u = last_update_op(MDS_CAP_OP_FLUSH);
	cr_assert_eq(u.flags & MDS_CAPS_FLAG_SYNC, MDS_CAPS_FLAG_SYNC);
	cr_assert_eq(u.h.dirty, FW);
	cr_assert_eq(u.size, 100);
	cr_assert_eq(tid, last_sent()->tid);
	cr_assert_eq(io.nsent, n + 2);
	cr_assert_eq(mdsc_caps_flush(m, ino, 5107, &tid), 1);
	cr_assert_eq(io.nsent, n + 2, "a FLUSH in flight is not sent again");
	flush_ack(con, ino, 40 + ino, tid, 5108);
	cr_assert_eq(mdsc_caps_flushed(m, ino, tid), 1);

	/* a close while the caps are not good (stale) sends nothing; the renewal does */
	u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 5, 0x555 | FW | FB, 100);
	u.max_size = 1 << 20;
	caps_msg_full(con, &u, 110);
	mdsc_caps_open(m, ino, FW | FB, 111);
	cr_assert_eq(mdsc_caps_get(m, ino, FW, 0, 200, 112, &got), 0);
	mdsc_caps_wrote(m, ino, 200, (struct mds_timespec){1700000003, 0}, 113);
	mdsc_caps_put(m, ino, got, 114);
	session_msg(con, 1, MDS_SESSION_STALE, 0, 0);
	cr_assert_eq(get_le32(last_sent()->front), MDS_SESSION_REQUEST_RENEWCAPS);
	n = io.nsent;
	mdsc_caps_close(m, ino, 115);
	mdsc_tick(m, 115 + MDSC_CAPS_HOLD_MS);
	cr_assert_eq(io.nsent, n, "stale: nothing goes");
	session_msg(con, 1, MDS_SESSION_RENEWCAPS, get_le64(last_sent()->front + 4), 0);
	cr_assert_eq(io.nsent, n, "renewed: a held close keeps its time");
	mdsc_tick(m, 115 + 2 * MDSC_CAPS_HOLD_MS);
	u = last_update();
	cr_assert_eq(u.size, 200, "then the close's flush goes");

	/* dirty at unmount: flushed before the REQUEST_CLOSE, on the same connection */
	flush_ack(con, ino, 40 + ino, last_sent()->tid, 116);
	mdsc_caps_open(m, ino, FW | FB, 117);
	cr_assert_eq(mdsc_caps_get(m, ino, FW, 0, 300, 118, &got), 0);
	mdsc_caps_wrote(m, ino, 300, (struct mds_timespec){1700000004, 0}, 119);
	mdsc_caps_put(m, ino, got, 120);
	n = io.nsent;
	cr_assert(!mdsc_close_sessions(m, 121));
	cr_assert_eq(io.nsent, n + 2);
	s = &io.sent[n % 64];
	cr_assert_eq(s->type, CEPH_MSG_CLIENT_CAPS);
	cr_assert_eq(mds_caps_decode(s->version, s->front, s->front_len, NULL, 0, &u), 0);
	cr_assert_eq(u.h.op, MDS_CAP_OP_FLUSH);
	cr_assert_eq(u.size, 300);
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_SESSION);
	cr_assert_eq(get_le32(last_sent()->front), MDS_SESSION_REQUEST_CLOSE);
	cr_assert_eq(last_sent()->con, s->con);
}

Test(mdsc, a_cap_the_kernel_forgot_while_in_use_goes_back_once_idle)
{
	uint64_t ino = 0x10000000034, con = with_cap(ino), tid;
	struct mds_caps_msg u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 4, 0x555 | FW | FB, 5);
	struct mds_inode in;
	uint32_t got = 0;

	u.max_size = 1 << 20;
	caps_msg_full(con, &u, 100);
	mdsc_caps_open(m, ino, FW | FB, 101);
	cr_assert_eq(mdsc_caps_get(m, ino, FW, FB, 100, 102, &got), 0);
	mdsc_caps_wrote(m, ino, 100, (struct mds_timespec){1700000006, 0}, 103);
	mdsc_caps_put(m, ino, FW, 104); /* Fb stays with a buffer */
	mdsc_caps_close(m, ino, 105);
	mdsc_caps_forget(m, ino, 106); /* an unlink: the kernel forgets it */
	mdsc_tick(m, 107);
	cr_assert_neq(last_sent()->type, CEPH_MSG_CLIENT_CAPRELEASE, "in use: kept");
	mdsc_tick(m, 105 + MDSC_CAPS_HOLD_MS); /* the close's flush goes */
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_CAPS);
	tid = last_sent()->tid;
	flush_ack(con, ino, 40 + ino, tid, 108);
	cr_assert_neq(last_sent()->type, CEPH_MSG_CLIENT_CAPRELEASE, "the buffer still holds Fb");
	cr_assert_eq(mdsc_inode(m, ino, 0, 109, &in, NULL, 0), 0);
	mdsc_caps_put(m, ino, FB, 110); /* written back: idle now */
	mdsc_tick(m, 111);
	cr_assert_eq(last_sent()->type, CEPH_MSG_CLIENT_CAPRELEASE, "given back once idle");
	cr_assert_eq(mdsc_inode(m, ino, 0, 112, &in, NULL, 0), -ENOENT);
}

Test(mdsc, a_revoke_of_fb_asks_for_the_write_back_and_waits_for_it)
{
	uint64_t ino = 0x10000000033, con = with_cap(ino);
	struct mds_caps_msg u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 4, 0x555 | FW | FB, 5);
	uint32_t got = 0, got2 = 0;
	unsigned n;

	u.max_size = 1 << 20;
	caps_msg_full(con, &u, 100);
	/* a write buffered: its Fb reference stays with the buffer */
	cr_assert_eq(mdsc_caps_get(m, ino, FW, FB, 100, 101, &got), 0);
	cr_assert_eq(got, FW | FB);
	mdsc_caps_wrote(m, ino, 100, (struct mds_timespec){1700000005, 0}, 102);
	mdsc_caps_put(m, ino, FW, 103);
	cr_assert_eq(io.writebacks, 0, "no revoke: nothing to write back yet");
	mdsc_caps_forget(m, ino, 104);
	mdsc_tick(m, 105);
	cr_assert_neq(last_sent()->type, CEPH_MSG_CLIENT_CAPRELEASE, "a cap with buffers stays");

	/* Fb revoked: the owner is asked to write back; the ack waits */
	n = io.nsent;
	u = caps_body(MDS_CAP_OP_REVOKE, ino, 40 + ino, 5, 0x555 | FW, 5);
	u.max_size = 1 << 20;
	caps_msg_full(con, &u, 106);
	cr_assert_eq(io.writebacks, 1);
	cr_assert_eq(io.writeback_ino, ino);
	cr_assert_eq(io.nsent, n, "no ack while buffered");
	/* a write that got Fb before the revoke buffers under it: asked again */
	cr_assert_eq(mdsc_caps_get(m, ino, FW, FB, 100, 107, &got2), 0);
	cr_assert_eq(got2, FW, "Fb is no longer issued");
	mdsc_caps_put(m, ino, got2, 108);
	cr_assert_eq(io.writebacks, 2, "each put while buffered asks again (the owner merges them)");
	mdsc_tick(m, 109);
	cr_assert_eq(io.nsent, n, "still no ack");
	mdsc_caps_put(m, ino, FB, 110); /* written back */
	u = last_update();
	cr_assert_eq(u.h.seq, 5);
	cr_assert_eq(u.h.caps, 0x555 | FW);
	cr_assert_eq(u.h.dirty, FW, "the size written goes with the ack");
	cr_assert_eq(u.size, 100);
}

/* The part of get and put that another thread may do under the lock:
 * what would send or call the owner is left to the whole get and put. */
Test(mdsc, take_and_quiet_put_leave_what_sends_to_get_and_put)
{
	uint64_t ino = 0x10000000035, con = with_cap(ino);
	struct mds_caps_msg u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 4, 0x555 | FW | FB, 5);
	uint32_t got = 0;
	unsigned n;

	u.max_size = 4096;
	caps_msg_full(con, &u, 100);
	n = io.nsent;
	cr_assert_eq(mdsc_caps_take(m, 0x1, FR, 0, 0, 101, &got), -ENOENT, "no cap");
	cr_assert_eq(mdsc_caps_take(m, ino, FR, 0, 0, 101, &got), -EAGAIN, "Fr not issued");
	cr_assert_eq(mdsc_caps_take(m, ino, FW, FB, 8192, 101, &got), -EAGAIN, "past max_size");
	cr_assert_eq(io.nsent, n, "take sends nothing");
	cr_assert_eq(mdsc_caps_take(m, ino, FW, FB, 4096, 102, &got), 0);
	cr_assert_eq(got, FW | FB);
	cr_assert(mdsc_caps_put_quiet(m, ino, FW), "no revoke waits: only counted");

	/* Fw revoked while Fb is held: a put must try the ack, so it is not quiet */
	u = caps_body(MDS_CAP_OP_REVOKE, ino, 40 + ino, 5, 0x555, 5);
	u.max_size = 4096;
	caps_msg_full(con, &u, 103);
	cr_assert_eq(io.nsent, n, "the ack waits for the buffer");
	cr_assert(!mdsc_caps_put_quiet(m, ino, FB));
	mdsc_caps_put(m, ino, FB, 104);
	cr_assert_eq(last_update().h.seq, 5, "acked by the whole put");
	cr_assert(mdsc_caps_put_quiet(m, 0x1, FR), "no cap: nothing to do");
}

/* A reply of @op whose target is @ino (size 5, as the MDS committed it). */
static void reply_op(uint64_t con, uint32_t op, uint64_t ino)
{
	struct mdsc_request *r = req(op, "x");

	cr_assert_eq(mdsc_submit(m, r, 5), 0);
	reply(con, r, 0, true, ino);
	drop(r);
}

Test(mdsc, a_replys_older_size_does_not_undo_our_writes_and_a_changed_directory_is_asked_again)
{
	uint64_t ino = 0x10000000040, con = with_cap(ino);
	struct mds_caps_msg u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 4, 0x555 | FW | FB, 5);
	struct mds_inode in;
	uint32_t got = 0;

	u.max_size = 1 << 20;
	caps_msg_full(con, &u, 80);
	cr_assert_eq(mdsc_caps_get(m, ino, FW, 0, 10000, 81, &got), 0);
	cr_assert_eq(mdsc_caps_wrote(m, ino, 10000, (struct mds_timespec){1700000000, 5}, 82), 0);
	mdsc_caps_put(m, ino, got, 83);

	/* the MDS has not had our size yet: its reply says 5, under the same truncate_seq */
	io.invals = 0;
	reply_op(con, MDS_OP_LOOKUP, ino);
	cr_assert_eq(mdsc_inode(m, ino, FW, 84, &in, NULL, 0), 0);
	cr_assert_eq(in.size, 10000, "a size only grows under one truncate_seq");
	cr_assert_eq(in.mtime.sec, 1700000000, "times only move forward");
	cr_assert_eq(io.invals, 0, "nothing changed: the kernel keeps its pages");
	u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 5, 0x555 | FW | FB, 5);
	u.max_size = 1 << 20;
	caps_msg_full(con, &u, 84);
	cr_assert_eq(mdsc_inode(m, ino, FW, 84, &in, NULL, 0), 0);
	cr_assert_eq(in.size, 10000, "nor does a grant's");
	u = caps_body(MDS_CAP_OP_TRUNC, ino, 40 + ino, 5, 0x555 | FW | FB, 100);
	u.truncate_seq = in.truncate_seq + 1;
	caps_msg_full(con, &u, 84);
	cr_assert_eq(mdsc_inode(m, ino, FW, 84, &in, NULL, 0), 0);
	cr_assert_eq(in.size, 100, "a truncation (a new truncate_seq) is taken whole");
	cr_assert(io.inval_what & MDSC_INVAL_PAGES, "and drops the kernel's pages");

	/* an entry made in it: its counts wait for a GETATTR, not any reply */
	mdsc_caps_dir_changed(m, ino);
	cr_assert_eq(mdsc_inode(m, ino, MDS_STAT_ALL, 85, &in, NULL, 0), -EAGAIN);
	cr_assert_eq(mdsc_inode(m, ino, 0, 85, &in, NULL, 0), 0, "what it knows of truncation is still there");
	reply_op(con, MDS_OP_LOOKUP, ino);
	cr_assert_eq(mdsc_inode(m, ino, MDS_STAT_ALL, 86, &in, NULL, 0), -EAGAIN, "a lookup's trace may be older");
	reply_op(con, MDS_OP_GETATTR, ino);
	cr_assert_eq(mdsc_inode(m, ino, MDS_STAT_ALL, 87, &in, NULL, 0), 0);
}

/* An MDS restart, as the kernel's send_mds_reconnect: the session waits
 * with its caps, the rank's new daemon gets the unsafe request replayed,
 * the unanswered one retried and MClientReconnect with the caps, its OPEN
 * takes them over (sequence numbers from 0, the unacknowledged flush
 * again), and the request made meanwhile goes once the rank is active. */
Test(mdsc, an_mds_restart_is_reconnected_with_caps_replays_and_resends)
{
	uint64_t ino = 0x10000000040, con = with_cap(ino);
	struct mds_caps_msg u = caps_body(MDS_CAP_OP_GRANT, ino, 40 + ino, 4, 0x555 | FW | FB, 5);
	struct mdsc_request *a = req(MDS_OP_MKDIR, "d"), *b = req(MDS_OP_GETATTR, "b"), *c = req(MDS_OP_GETATTR, "c");
	struct mdsc_map mp = map(6, 1, 7000);
	struct mds_inode in;
	struct mds_caps_msg f;
	uint64_t tid = 0, atid, con2;
	uint32_t got;
	const struct sent *s;
	const uint8_t *p;

	u.max_size = 1 << 20;
	caps_msg_full(con, &u, 10);
	cr_assert_eq(mdsc_caps_get(m, ino, FW, 0, 100, 11, &got), 0);
	mdsc_caps_wrote(m, ino, 100, (struct mds_timespec){1700000000, 0}, 12);
	mdsc_caps_put(m, ino, got, 13);
	cr_assert_eq(mdsc_caps_flush(m, ino, 14, &tid), 1);
	cr_assert_eq(mdsc_submit(m, a, 15), 0);
	atid = a->tid.tid;
	reply(con, a, 0, false, 0x10000000041); /* unsafe: the MDS has not journaled it */
	cr_assert_eq(mdsc_submit(m, b, 16), 0);	/* sent, never answered */
	cr_assert_eq(last_sent()->tid, b->tid.tid);
	health_since();

	/* the MDS goes: everything waits */
	mdsc_con_down(m, con, -ECONNRESET, "reset", 20);
	cr_assert_eq(mdsc_submit(m, c, 21), 0);
	cr_assert_eq(dones, 2, "only the GETATTR of with_cap and the unsafe mkdir finished");
	cr_assert_eq(mdsc_inode(m, ino, 0, 22, &in, NULL, 0), -EAGAIN, "caps are not trusted while it is away");
	mp.nranks = 0; /* the rank failed */
	mdsc_map(m, &mp, 23);
	mp = map(7, 1, 7000);
	mp.rank[0].state = CEPH_MDS_STATE_REPLAY;
	mdsc_map(m, &mp, 24);
	cr_assert_eq(io.opens, 1, "a daemon in replay is not reconnected to");
	mdsc_tick(m, 20 + MDSC_RESTART_GRACE_MS + 1);
	cr_assert_eq(dones, 2, "a restart in progress is waited for past the grace");
	mp.epoch = 8;
	mp.rank[0].state = CEPH_MDS_STATE_RECONNECT;
	mdsc_map(m, &mp, 29000);
	cr_assert_eq(io.opens, 2);
	/* the new daemon refuses the first try: tried again a second later,
	 * not at once (no spin on a daemon still starting) */
	mdsc_con_down(m, io.open_con[1], -ECONNREFUSED, "refused", 29001);
	cr_assert_eq(io.opens, 2);
	cr_assert(strstr(health_since(), "interrupted (refused)"));
	cr_assert_leq(mdsc_tick(m, 29500), 30000);
	cr_assert_eq(io.opens, 2);
	mdsc_tick(m, 30000);
	cr_assert_eq(io.opens, 3);
	con2 = io.open_con[2];
	mdsc_con_up(m, con2, 30001);

	/* the unsafe mkdir again, flagged REPLAY with the inode it made */
	s = &io.sent[(io.nsent - 3) % 64];
	cr_assert_eq(s->con, con2);
	cr_assert_eq(s->type, CEPH_MSG_CLIENT_REQUEST);
	cr_assert_eq(s->tid, atid);
	cr_assert_eq(get_le32(s->front + 22), MDS_OP_MKDIR);
	cr_assert_eq(get_le32(s->front + 14) & MDS_REQ_FLAG_REPLAY, MDS_REQ_FLAG_REPLAY);
	cr_assert_eq(get_le64(s->front + 34), 0x10000000041);
	/* the unanswered GETATTR as a retry; the one made meanwhile waits */
	s = &io.sent[(io.nsent - 2) % 64];
	cr_assert_eq(s->tid, b->tid.tid);
	cr_assert_eq(s->front[18], 1, "its retry count");
	cr_assert_eq(get_le32(s->front + 14) & MDS_REQ_FLAG_REPLAY, 0);
	/* then the reconnect: one cap, in the data segment */
	s = last_sent();
	cr_assert_eq(s->type, CEPH_MSG_CLIENT_RECONNECT);
	cr_assert_eq(s->version, 5);
	cr_assert_eq(s->front_len, 0);
	cr_assert_eq(s->data_len, 4 + 2 * (8 + 6 + 4 + 36 + 8 + 8) + 4 + 1, "two caps: %zu", s->data_len);
	p = s->data;
	cr_assert_eq(get_le32(p), 2, "the file's and the new directory's");
	if (get_le64(p + 4) != ino)
		p += 70; /* the other record first */
	cr_assert_eq(get_le64(p + 4), ino);
	cr_assert_eq(p[12], 2, "cap_reconnect_t v2");
	cr_assert_eq(p[13], 1);
	cr_assert_eq(get_le32(p + 14), 4 + 36 + 8 + 8);
	cr_assert_eq(get_le32(p + 18), 0, "no path: found by number");
	cr_assert_eq(get_le64(p + 22), 40 + ino, "cap_id");
	cr_assert_eq(get_le32(p + 34), 0x555 | FW | FB, "issued");
	cr_assert_eq(get_le64(p + 38), MDS_INO_ROOT, "realm");
	cr_assert_eq(get_le32(p + 54), 8, "flock_len");
	cr_assert_eq(get_le32(s->data + 4 + 2 * 70), 0, "no snap realms");
	cr_assert_eq(s->data[4 + 2 * 70 + 4], 0, "no more to come");
	cr_assert(strstr(health_since(), "reconnecting: 2 caps, 1 unsafe requests replayed"));

	/* OPEN: taken over. The flush goes again; requests wait for active. */
	session_msg(con2, 4, MDS_SESSION_OPEN, 0, PACIFIC_FEATURES);
	cr_assert(strstr(health_since(), "MDS session reconnected"));
	f = last_update_op(MDS_CAP_OP_FLUSH);
	cr_assert_eq(f.h.dirty, FW);
	cr_assert_eq(f.size, 100);
	cr_assert_eq(f.h.seq, 0, "sequence numbers start again");
	cr_assert_gt(last_sent()->tid, tid, "a new flush tid");
	cr_assert_eq(mdsc_caps_flushed(m, ino, tid), 0);
	flush_ack(con2, ino, 40 + ino, last_sent()->tid, 30002);
	cr_assert_eq(mdsc_caps_flushed(m, ino, tid), 1, "the old flush's waiter is answered");
	cr_assert_eq(mdsc_inode(m, ino, 0x555, 30003, &in, NULL, 0), 0, "the caps are good again");
	cr_assert_eq(in.size, 100);
	mp.epoch = 9;
	mp.rank[0].state = CEPH_MDS_STATE_ACTIVE;
	cr_assert_neq(last_sent()->tid, c->tid.tid);
	mdsc_map(m, &mp, 30004);
	cr_assert_eq(last_sent()->tid, c->tid.tid, "active: the new request goes");
	reply(con2, b, 0, true, ino);
	reply(con2, c, 0, true, ino);
	cr_assert_eq(dones, 4);
	reply_tid(con2, MDS_OP_MKDIR, atid, 0, true, 0x10000000041);
	cr_assert_eq(mdsc_format_requests(m, (char[64]){0}, 64), 0, "the replay's safe reply ends it");
	/* a grant from the new MDS counts from 1 */
	caps_msg(con2, MDS_CAP_OP_GRANT, ino, 40 + ino, 1, 0x555 | FR, 100, 30005);
	cr_assert_eq(mdsc_caps_get(m, ino, FR, 0, 0, 30006, &got), 0);
	mdsc_caps_put(m, ino, got, 30007);
	drop(a);
	drop(b);
	drop(c);
}

/* ---- names ------------------------------------------------------------------------------- */

#define DIR_CAPS (MDS_CAP_PIN | MDS_CAP_AUTH_SHARED | MDS_CAP_LINK_SHARED | MDS_CAP_FILE_SHARED)

static struct mds_inode dir_inode(uint64_t ino, uint32_t caps)
{
	return (struct mds_inode){.ino = ino,
				  .snapid = UINT64_MAX - 1,
				  .mode = 040755,
				  .nlink = 2,
				  .export_pin = -1,
				  .cap = {.caps = caps, .cap_id = 40 + ino, .seq = 3, .mseq = 1}};
}

/* A reply to @r with a dentry trace, as a Pacific MDS's set_trace_dist:
 * directory @dir (its cap issuing @dir_caps), @name, and the target @ino
 * (a directory when @target_dir; 0: a null dentry). */
static void reply_dentry(uint64_t con, const struct mdsc_request *r, uint64_t dir, uint32_t dir_caps, const char *name,
			 uint64_t ino, bool target_dir)
{
	struct wire_enc t, e;
	struct mds_inode di = dir_inode(dir, dir_caps);
	struct mds_inode in = target_dir ? dir_inode(ino, DIR_CAPS)
					 : (struct mds_inode){.ino = ino,
							      .snapid = UINT64_MAX - 1,
							      .mode = 0100644,
							      .nlink = 1,
							      .export_pin = -1,
							      .cap = {.caps = 0x555, .cap_id = 40 + ino, .seq = 3, .mseq = 1}};

	wire_enc_init(&t);
	mds_enc_inode(&t, &di, 5);
	mds_enc_dirstat(&t, &(struct mds_dirstat){0});
	ceph_enc_string(&t, name);
	mds_enc_lease(&t, &(struct mds_lease){0}, 2);
	if (ino)
		mds_enc_inode(&t, &in, 5);
	wire_enc_init(&e);
	mds_enc_reply(&e,
		      &(struct mds_reply){.op = r->m.op, .safe = true, .is_dentry = true, .is_target = ino != 0},
		      t.buf, (uint32_t)t.len, NULL, 0);
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_REPLY, 1, r->tid.tid, e.buf, e.len, NULL, 0, 10), 0);
	wire_enc_free(&t);
	wire_enc_free(&e);
}

/* Request @op on @name in the root (and @old, a rename's source there),
 * answered with a dentry trace of the root issuing @dir_caps. */
static void name_op(uint64_t con, uint32_t op, const char *name, const char *old, uint64_t ino, bool target_dir,
		    uint32_t dir_caps)
{
	struct mdsc_request *r = req(op, name);

	if (old)
		r->m.path2 = (struct mds_filepath){1, old};
	cr_assert_eq(mdsc_submit(m, r, 5), 0);
	reply_dentry(con, r, 1, dir_caps, name, ino, target_dir);
	drop(r);
}

/* A cap message on the root directory's cap (its mode a directory's). */
static void dir_caps_msg(uint64_t con, uint32_t op, uint32_t seq, uint32_t caps, uint64_t now)
{
	struct mds_caps_msg cm = caps_body(op, 1, 41, seq, caps, 0);

	cm.mode = 040755;
	caps_msg_full(con, &cm, now);
}

static uint64_t name_of(const char *name)
{
	uint64_t ino = 12345;

	return mdsc_caps_name(m, 1, name, 20, &ino) ? ino : UINT64_MAX;
}

/* As the kernel's dentries under a directory's Fs: what a lookup, a
 * change of ours or a listing told is answered while Fs stays issued, and
 * forgotten when it goes, when a change is not shown, when the session
 * goes stale; a new directory, or one listed whole, knows every name. */
Test(mdsc, a_directorys_names_are_kept_while_its_fs_is_issued)
{
	struct mdsc_request *first = req(MDS_OP_LOOKUP, "a");
	uint64_t con = open_rank0(first);
	struct mdsc_listing l;
	struct mdsc_status st;

	reply_dentry(con, first, 1, DIR_CAPS, "a", 0, false);
	drop(first);
	cr_assert_eq(name_of("a"), 0, "a null dentry: known absent");
	cr_assert_eq(name_of("b"), UINT64_MAX, "never asked: not known");
	name_op(con, MDS_OP_LOOKUP, "b", NULL, 0x10000000201, false, DIR_CAPS);
	cr_assert_eq(name_of("b"), 0x10000000201);

	/* our own changes, as their traces show them */
	name_op(con, MDS_OP_CREATE, "a", NULL, 0x10000000202, false, DIR_CAPS);
	cr_assert_eq(name_of("a"), 0x10000000202);
	name_op(con, MDS_OP_UNLINK, "b", NULL, 0, false, DIR_CAPS);
	cr_assert_eq(name_of("b"), 0);
	name_op(con, MDS_OP_RENAME, "c", "a", 0x10000000202, false, DIR_CAPS);
	cr_assert_eq(name_of("c"), 0x10000000202);
	cr_assert_eq(name_of("a"), UINT64_MAX, "a rename's source is not known (it may have named the target)");
	name_op(con, MDS_OP_MKDIR, "d", NULL, 0x10000000203, true, DIR_CAPS);
	cr_assert_eq(name_of("d"), 0x10000000203);
	uint64_t ino = 1;
	cr_assert_eq(mdsc_caps_name(m, 0x10000000203, "anything", 20, &ino), 1, "a new directory: every name known");
	cr_assert_eq(ino, 0);
	mdsc_get_status(m, &st);
	cr_assert_geq(st.name_hits, 6);
	cr_assert_eq(st.names, 3, "b (absent), c, d");

	/* a change without a trace (an error here): the directory is not known */
	{
		struct mdsc_request *r = req(MDS_OP_CREATE, "e");
		cr_assert_eq(mdsc_submit(m, r, 5), 0);
		reply(con, r, -EEXIST, true, 0);
		drop(r);
	}
	cr_assert_eq(name_of("c"), UINT64_MAX);
	name_op(con, MDS_OP_LOOKUP, "c", NULL, 0x10000000202, false, DIR_CAPS);
	cr_assert_eq(name_of("c"), 0x10000000202);

	/* Fs revoked: another client may change the directory */
	dir_caps_msg(con, MDS_CAP_OP_REVOKE, 4, MDS_CAP_PIN | MDS_CAP_AUTH_SHARED, 30);
	cr_assert_eq(name_of("c"), UINT64_MAX);
	name_op(con, MDS_OP_LOOKUP, "c", NULL, 0x10000000202, false, MDS_CAP_PIN | MDS_CAP_AUTH_SHARED);
	cr_assert_eq(name_of("c"), UINT64_MAX, "not kept without Fs");
	dir_caps_msg(con, MDS_CAP_OP_GRANT, 5, DIR_CAPS, 31);

	/* a listing whole under one Fs makes the names complete */
	mdsc_caps_listing_begin(m, 1, 32, &l);
	{
		struct mdsc_request *r = req(MDS_OP_READDIR, "");
		struct wire_enc x, e;
		const char *names[] = {"c", "d", "f"};

		cr_assert_eq(mdsc_submit(m, r, 5), 0);
		wire_enc_init(&x);
		mds_enc_dirstat(&x, &(struct mds_dirstat){0});
		wire_enc_le32(&x, 3);
		wire_enc_le16(&x, MDS_READDIR_FRAG_END | MDS_READDIR_FRAG_COMPLETE);
		for (int i = 0; i < 3; i++) {
			struct mds_inode in = dir_inode(0x10000000202 + (uint64_t)i, 0);
			ceph_enc_string(&x, names[i]);
			mds_enc_lease(&x, &(struct mds_lease){0}, 2);
			mds_enc_inode(&x, &in, 5);
		}
		wire_enc_init(&e);
		mds_enc_reply(&e, &(struct mds_reply){.op = MDS_OP_READDIR, .safe = true}, NULL, 0, x.buf,
			      (uint32_t)x.len);
		cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_REPLY, 1, r->tid.tid, e.buf, e.len, NULL, 0, 33),
			     0);
		wire_enc_free(&x);
		wire_enc_free(&e);
		drop(r);
	}
	mdsc_caps_listing_end(m, 1, &l, 34);
	cr_assert_eq(name_of("f"), 0x10000000204);
	cr_assert_eq(name_of("zzz"), 0, "complete: a name not listed is not there");

	/* a listing that saw Fs go and come back is not whole */
	mdsc_caps_listing_begin(m, 1, 35, &l);
	dir_caps_msg(con, MDS_CAP_OP_REVOKE, 6, MDS_CAP_PIN, 36);
	dir_caps_msg(con, MDS_CAP_OP_GRANT, 7, DIR_CAPS, 37);
	mdsc_caps_listing_end(m, 1, &l, 38);
	cr_assert_eq(name_of("zzz"), UINT64_MAX);

	/* a rename given up on (an interrupt) before its reply: the MDS may
	 * still do it, so neither directory's names are known, and its late
	 * reply leaves them so (the source's name is not in its trace) */
	name_op(con, MDS_OP_LOOKUP, "c", NULL, 0x10000000202, false, DIR_CAPS);
	cr_assert_eq(name_of("c"), 0x10000000202);
	{
		struct mdsc_request *r = req(MDS_OP_RENAME, "g");
		r->m.path2 = (struct mds_filepath){1, "c"};
		uint64_t tid;
		cr_assert_eq(mdsc_submit(m, r, 39), 0);
		tid = r->tid.tid;
		mdsc_cancel(m, r, -EINTR, 40);
		r->tid.tid = tid; /* as the MDS numbers its reply */
		cr_assert_eq(name_of("c"), UINT64_MAX, "given up: not known");
		name_op(con, MDS_OP_LOOKUP, "c", NULL, 0x10000000202, false, DIR_CAPS);
		cr_assert_eq(name_of("c"), 0x10000000202, "a lookup the MDS answered before the rename");
		reply_dentry(con, r, 1, DIR_CAPS, "g", 0x10000000202, false);
		cr_assert_eq(name_of("c"), UINT64_MAX, "the late reply: the directory is not known");
		cr_assert_eq(name_of("g"), UINT64_MAX);
		mdsc_request_release(r);
		free(r);
	}
	cr_assert_eq(name_of(".snap"), UINT64_MAX, "the snapshot directory is always asked");

	/* the session went stale: the MDS may have let others change it */
	name_op(con, MDS_OP_LOOKUP, "c", NULL, 0x10000000202, false, DIR_CAPS);
	cr_assert_eq(name_of("c"), 0x10000000202);
	session_msg(con, 4, MDS_SESSION_STALE, 0, PACIFIC_FEATURES);
	cr_assert_eq(name_of("c"), UINT64_MAX);
	mdsc_get_status(m, &st);
	cr_assert_eq(st.names, 0);
}

/* As the kernel's __ceph_setattr: a file's times set under Fx are the
 * cap's (a new time_warp_seq, so a time set back stands against an older
 * reply) and go in a FLUSH at once, dirty Fx; without Fx, the MDS is asked. */
Test(mdsc, times_set_under_fx_are_kept_and_flushed_at_once)
{
	uint64_t ino = 0x10000000050, con = with_cap(ino);
	struct mds_timespec old = {1000000000, 7}, ctime = {1700000100, 0};
	struct mds_inode in;
	struct mds_caps_msg cm;

	cr_assert_eq(mdsc_caps_set_times(m, ino, NULL, &old, ctime, 20, &in), -EAGAIN, "no Fx: a SETATTR");
	caps_msg(con, MDS_CAP_OP_GRANT, ino, 40 + ino, 4, 0x555 | MDS_CAP_FILE_EXCL, 5, 21);
	cr_assert_eq(mdsc_caps_set_times(m, ino, &old, &old, ctime, 22, &in), 0);
	cr_assert_eq(in.mtime.sec, old.sec);
	cr_assert_eq(in.atime.nsec, old.nsec);
	cr_assert_eq(in.ctime.sec, ctime.sec);
	cm = last_update(); /* no SYNC: no one waits for it */
	cr_assert_eq(cm.flags & MDS_CAPS_FLAG_SYNC, 0);
	cr_assert_eq(cm.h.dirty, MDS_CAP_FILE_EXCL);
	cr_assert_eq(cm.mtime.sec, old.sec);
	cr_assert_eq(cm.time_warp_seq, 1, "a new time_warp_seq");
	cr_assert_eq(last_sent()->tid, 1, "under a flush tid");

	/* a reply encoded before the MDS had it: its later mtime, under the
	 * older time_warp_seq, does not win */
	{
		struct mdsc_request *r = req(MDS_OP_GETATTR, "");
		struct mds_inode t = {.ino = ino,
				      .snapid = UINT64_MAX - 1,
				      .mode = 0100644,
				      .nlink = 1,
				      .size = 5,
				      .mtime = {1700000000, 0},
				      .export_pin = -1,
				      .cap = {.caps = 0x555, .cap_id = 40 + ino, .seq = 4, .mseq = 1}};
		struct wire_enc te, e;
		cr_assert_eq(mdsc_submit(m, r, 22), 0);
		wire_enc_init(&te);
		mds_enc_inode(&te, &t, 5);
		wire_enc_init(&e);
		mds_enc_reply(&e, &(struct mds_reply){.op = MDS_OP_GETATTR, .safe = true, .is_target = true}, te.buf,
			      (uint32_t)te.len, NULL, 0);
		cr_assert_eq(
		    mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_REPLY, 1, r->tid.tid, e.buf, e.len, NULL, 0, 23), 0);
		wire_enc_free(&te);
		wire_enc_free(&e);
		drop(r);
	}
	cr_assert_eq(mdsc_inode(m, ino, 0, 23, &in, NULL, 0), 0);
	cr_assert_eq(in.mtime.sec, old.sec, "the time we set back stands");
	cr_assert_eq(mdsc_caps_flushed(m, ino, 1), 0);
	flush_ack(con, ino, 40 + ino, 1, 24);
	cr_assert_eq(mdsc_caps_flushed(m, ino, 1), 1);
}
