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
	uint8_t front[512];
	size_t front_len, data_len;
};

static struct {
	unsigned opens, closes, keepalives;
	uint64_t open_con[8];
	int32_t open_rank[8];
	struct sent sent[64];
	unsigned nsent;
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
	memcpy(s->front, m->front, s->front_len);
	s->data_len = m->data_len;
	return 1;
}
static void f_keepalive(void *arg, uint64_t con)
{
	(void)arg, (void)con;
	io.keepalives++;
}
static const struct mdsc_io fio = {NULL, f_open, f_close, f_send, f_keepalive};

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
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_SESSION, version, 0, e.buf, e.len, 0), 0);
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
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_REPLY, 1, tid, e.buf, e.len, 10), 0);
	wire_enc_free(&t);
	wire_enc_free(&e);
}

static void reply(uint64_t con, const struct mdsc_request *r, int32_t result, bool safe, uint64_t ino)
{
	reply_tid(con, r->m.op, r->tid.tid, result, safe, ino);
}

Test(mdsc, a_request_waits_for_map_and_session_then_its_reply_finishes_it_and_its_caps_go_back)
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
	s = last_sent();
	cr_assert_eq(s->type, CEPH_MSG_CLIENT_CAPRELEASE, "the cap granted is given back");
	cr_assert_eq(get_le32(s->front), 1);
	cr_assert_eq(get_le64(s->front + 4), 0x10000000000);
	cr_assert_eq(get_le64(s->front + 12), 40 + 0x10000000000);
	cr_assert_eq(get_le32(s->front + 20), 1, "migrate seq");
	cr_assert_eq(get_le32(s->front + 24), 3, "the cap's seq");
	drop(r);
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
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_REQUEST_FORWARD, 1, r->tid.tid, f, 9, 4), 0);
	cr_assert_eq(io.opens, 2, "a session to rank 1");
	cr_assert_eq(io.open_rank[1], 1);
	mdsc_con_up(m, io.open_con[1], 5);
	session_msg(io.open_con[1], 4, MDS_SESSION_OPEN, 0, PACIFIC_FEATURES);
	cr_assert_eq(last_sent()->con, io.open_con[1]);
	cr_assert_eq(last_sent()->tid, r->tid.tid);
	cr_assert_eq(last_sent()->front[19], 1, "num_fwd");
	cr_assert_eq(last_sent()->front[18], 0, "a forward is no retry");
	put_le32(f, 0);
	cr_assert_eq(mdsc_handle_msg(m, io.open_con[1], CEPH_MSG_CLIENT_REQUEST_FORWARD, 1, r->tid.tid, f, 9, 6), 0);
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
	put_le32(caps, MDS_CAP_OP_REVOKE);
	put_le64(caps + 4, 0x10000000009);
	put_le64(caps + 20, 55);
	put_le32(caps + 28, 6);
	put_le32(caps + 48, 2);
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_CAPS, 11, 0, caps, sizeof(caps), 20), 0);
	s = last_sent();
	cr_assert_eq(s->type, CEPH_MSG_CLIENT_CAPRELEASE);
	cr_assert_eq(get_le64(s->front + 4), 0x10000000009);
	cr_assert_eq(get_le64(s->front + 12), 55);
	cr_assert_eq(get_le32(s->front + 20), 2);
	cr_assert_eq(get_le32(s->front + 24), 6);

	wire_enc_init(&e);
	mds_lease_encode(&e, &l);
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_LEASE, 1, 0, e.buf, e.len, 21), 0);
	wire_enc_free(&e);
	s = last_sent();
	cr_assert_eq(s->type, CEPH_MSG_CLIENT_LEASE);
	cr_assert_eq(s->front[0], MDS_LEASE_REVOKE_ACK);
	cr_assert_eq(get_le32(s->front + 27), 4);

	cr_assert(!mdsc_close_sessions(m, 22));
	s = last_sent();
	cr_assert_eq(get_le32(s->front), MDS_SESSION_REQUEST_CLOSE);
	cr_assert_eq(get_le64(s->front + 4), 2, "a caps and a lease message received");
	cr_assert_eq(mdsc_handle_msg(m, con, CEPH_MSG_CLIENT_CAPS, 11, 0, caps, sizeof(caps), 23), 0);
	mdsc_tick(m, 24);
	s = last_sent();
	cr_assert_eq(get_le32(s->front), MDS_SESSION_REQUEST_CLOSE, "the count moved: the close again");
	cr_assert_eq(get_le64(s->front + 4), 3);
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

	/* the connection drops under a sent request */
	mdsc_con_down(m, con, -ECONNRESET, "reset", 3);
	cr_assert_eq(dones, 1);
	cr_assert_eq(a->result, -EIO);
	cr_assert(strstr(health_since(), "MDS session lost: reset"));
	/* the next request opens a new session */
	mdsc_submit(m, b, 4);
	cr_assert_eq(io.opens, 2);
	mdsc_con_up(m, io.open_con[1], 5);
	session_msg(io.open_con[1], 4, MDS_SESSION_OPEN, 9, PACIFIC_FEATURES);
	cr_assert_eq(last_sent()->tid, b->tid.tid);
	/* the MDS moves: what was sent there fails */
	mdsc_map(m, &mp, 6);
	cr_assert_eq(dones, 2);
	cr_assert_eq(b->result, -EIO);
	cr_assert(strstr(health_since(), "went away"));

	/* a deadline; then a REJECT */
	a->timeout_ms = 100;
	mdsc_submit(m, a, 10);
	cr_assert_eq(io.opens, 3);
	mdsc_tick(m, 50);
	cr_assert_eq(dones, 2);
	mdsc_tick(m, 110);
	cr_assert_eq(dones, 3);
	cr_assert_eq(a->result, -ETIMEDOUT);
	a->timeout_ms = 0;
	mdsc_submit(m, a, 120);
	mdsc_con_up(m, io.open_con[2], 121);
	wire_enc_init(&e);
	mds_enc_session(&e, 5, MDS_SESSION_REJECT, 0, "blocklisted", 0, MDS_SESSION_FLAG_BLOCKLISTED);
	cr_assert_eq(mdsc_handle_msg(m, io.open_con[2], CEPH_MSG_CLIENT_SESSION, 5, 0, e.buf, e.len, 122), 0);
	wire_enc_free(&e);
	cr_assert_eq(dones, 4);
	cr_assert_eq(a->result, -EACCES);
	cr_assert(strstr(health_since(), "refused the session: blocklisted (blocklisted)"));
	cr_assert_eq(mdsc_submit(m, b, 123), 0);
	cr_assert_eq(b->result, -EACCES, "a rejected session is not retried");
	drop(a);
	drop(b);
}
