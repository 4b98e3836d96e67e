/*
 * test/unit/test_msgr2_session.c: the msgr2 client engine against a fake
 * monitor (test/lib/msgr2_fake_peer, the same codec's server side) fed
 * straight into the session, no sockets: whole handshakes in crc and secure mode, messages, acks,
 * keepalives, revocation, and every way a hostile server can end the
 * session (bad signatures, corrupted frames, unexpected frames, WAIT,
 * RESET, missing features, refused auth). The fake server checks what the
 * client sends as strictly as Ceph's ProtocolV2 does: the banner, HELLO,
 * AUTH_REQUEST fields, the client's AUTH_SIGNATURE, CLIENT_IDENT.
 *
 * Set MSGR2_SESSION_DUMP=DIR to write the server's byte stream of the
 * crc and secure handshakes there (the fuzz target's seed corpus).
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/msgr2_ctrl.h"
#include "cephmon/msgr/crc32c.h"
#include "cephmon/msgr/msgr2_frame.h"
#include "cephmon/msgr/msgr2_session.h"
#include "test/lib/msgr2_fake_peer.h"

/* ---- events --------------------------------------------------------------------------- */

struct events {
	int ups, downs, msgs, acks;
	uint64_t global_id, ack_stamp;
	uint32_t con_mode;
	int down_err;
	char why[256];
	uint16_t msg_type;
	uint64_t msg_tid;
	uint8_t front[256];
	size_t front_len;
	uint8_t middle[64];
	size_t middle_len;
	size_t data_len;
	uint32_t data_crc;
	const uint8_t *data;
	const uint8_t *data9; /* the data of the message with tid 9 */
};

/* What rx_data answers (NULL: the session's input), and what it was asked. */
static struct {
	uint8_t *dest;
	unsigned asked;
	uint64_t tid;
	size_t len;
} rx;

static void ev_up(void *arg, uint64_t global_id, uint32_t con_mode)
{
	struct events *e = arg;
	e->ups++;
	e->global_id = global_id;
	e->con_mode = con_mode;
}

static void ev_msg(void *arg, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front, size_t len,
		   const uint8_t *middle, size_t middle_len, const uint8_t *data, size_t dlen)
{
	struct events *e = arg;
	(void)version;
	e->msgs++;
	e->middle_len = middle_len < sizeof(e->middle) ? middle_len : sizeof(e->middle);
	if (middle_len)
		memcpy(e->middle, middle, e->middle_len);
	e->data_len = dlen;
	e->data_crc = dlen ? ceph_crc32c(0, data, dlen) : 0;
	e->data = data;
	if (tid == 9)
		e->data9 = data;
	e->msg_type = type;
	e->msg_tid = tid;
	e->front_len = len < sizeof(e->front) ? len : sizeof(e->front);
	memcpy(e->front, front, e->front_len);
}

static void ev_ack(void *arg, uint64_t stamp)
{
	struct events *e = arg;
	e->acks++;
	e->ack_stamp = stamp;
}

static void ev_down(void *arg, int err, const char *why)
{
	struct events *e = arg;
	e->downs++;
	e->down_err = err;
	snprintf(e->why, sizeof(e->why), "%s", why);
}

static uint8_t *ev_rx_data(void *arg, uint16_t type, uint64_t tid, const uint8_t *front, size_t front_len,
			   size_t data_len)
{
	(void)arg, (void)type, (void)front, (void)front_len;
	rx.asked++;
	rx.tid = tid;
	rx.len = data_len;
	return rx.dest;
}

static const struct msgr2_session_cbs cbs = {ev_up, ev_msg, ev_ack, ev_down, ev_rx_data};

/* ---- the fake monitor (test/lib/msgr2_fake_peer) fed straight into the session ---------- */

struct srv {
	struct fake_peer fp;
	struct msgr2_session *s;
	struct events ev;
	struct fake_auth auth, auth2;
	struct msgr2_auth_provider prov[2];
	size_t chunk; /* feed the client this many bytes at a time (0: all) */
	uint64_t now;
};

/* Bytes to the client, in chunks of v->chunk. */
static void to_client(struct fake_peer *fp, const uint8_t *p, size_t n)
{
	struct srv *v = fp->arg;
	size_t step = v->chunk ? v->chunk : n;

	for (size_t o = 0; o < n; o += step) {
		size_t k = n - o < step ? n - o : step;
		ssize_t r = msgr2_session_feed(v->s, p + o, k, v->now);
		if (r < 0)
			break;
		cr_assert_eq(r, (ssize_t)k);
	}
}

/* Move what the client offers into the server's input. */
static size_t pump(struct fake_peer *fp)
{
	struct srv *v = fp->arg;
	const uint8_t *p;
	size_t n, total = 0;

	while ((n = msgr2_session_pending_tx(v->s, &p)) > 0) {
		wire_enc_bytes(&fp->in, p, n);
		msgr2_session_tx_done(v->s, n);
		total += n;
	}
	return total;
}

static void srv_init_as(struct srv *v, enum ceph_ms_mode mode, size_t secret_len, uint32_t peer_type)
{
	memset(v, 0, sizeof(*v));
	fake_peer_init(&v->fp, peer_type);
	v->fp.to_client = to_client;
	v->fp.pull = pump;
	v->fp.arg = v;
	v->auth.refused_err = -EKEYREJECTED;
	v->auth.secret_len = secret_len;
	v->prov[0] = (struct msgr2_auth_provider){&fake_auth_ops, &v->auth};
	v->now = 5000000000ull;
	struct msgr2_session_params p = {
	    .peer_addr = v->fp.my_addr,
	    .peer_type = peer_type,
	    .ms_mode = mode,
	    .auth = v->prov,
	    .nauth = 1,
	    .global_seq = 7,
	    .nonce = 0x1234,
	    .cb = &cbs,
	    .cb_arg = &v->ev,
	};
	v->s = msgr2_session_new(&p);
	cr_assert_not_null(v->s);
}

static void srv_init(struct srv *v, enum ceph_ms_mode mode, size_t secret_len)
{
	srv_init_as(v, mode, secret_len, CEPH_ENTITY_TYPE_MON);
}

static void srv_init_two(struct srv *v, enum ceph_ms_mode mode)
{
	srv_init(v, mode, 64);
	msgr2_session_free(v->s);
	v->prov[0] = (struct msgr2_auth_provider){&fake_auth_none_ops, &v->auth2};
	v->prov[1] = (struct msgr2_auth_provider){&fake_auth_ops, &v->auth};
	struct msgr2_session_params p = {
	    .peer_addr = v->fp.my_addr,
	    .peer_type = CEPH_ENTITY_TYPE_MON,
	    .ms_mode = mode,
	    .auth = v->prov,
	    .nauth = 2,
	    .global_seq = 7,
	    .nonce = 0x1234,
	    .cb = &cbs,
	    .cb_arg = &v->ev,
	};
	v->s = msgr2_session_new(&p);
	cr_assert_not_null(v->s);
}

static void srv_fini(struct srv *v)
{
	msgr2_session_free(v->s);
	fake_peer_fini(&v->fp);
}

/* Banner to OPEN, checking CLIENT_IDENT on the way. */
static void handshake(struct srv *v, uint32_t con_mode)
{
	struct msgr2_client_ident ci;

	fake_peer_banner(&v->fp);
	fake_peer_hello(&v->fp);
	fake_peer_auth_rounds(&v->fp, 2, NULL);
	fake_peer_auth_done(&v->fp, con_mode);
	fake_peer_signatures(&v->fp, true);
	cr_assert_eq(v->ev.downs, 0, "down: %s", v->ev.why);
	fake_peer_client_ident(&v->fp, &ci);
	cr_assert_eq(ci.addrs.n, 1);
	cr_assert_eq(ci.addrs.v[0].type, CEPH_ADDR_ANY);
	cr_assert_eq(ci.addrs.v[0].nonce, 0x1234);
	cr_assert_eq(((struct sockaddr_in *)&ci.addrs.v[0].ss)->sin_port, 0);
	cr_assert_eq(((struct sockaddr_in *)&ci.addrs.v[0].ss)->sin_addr.s_addr,
		     ((struct sockaddr_in *)&v->fp.client_seen.ss)->sin_addr.s_addr);
	cr_assert_eq(ci.target_addr.type, CEPH_ADDR_MSGR2);
	cr_assert_eq(memcmp(&ci.target_addr.ss, &v->fp.my_addr.ss, sizeof(struct sockaddr_in)), 0);
	cr_assert_eq(ci.global_id, 4242);
	cr_assert_eq(ci.global_seq, 7);
	cr_assert_eq(ci.supported_features, MSGR2_CLIENT_FEATURES);
	cr_assert_eq(ci.flags, MSGR2_IDENT_FLAG_LOSSY);
	cr_assert_eq(v->ev.ups, 0);
	fake_peer_server_ident(&v->fp, 0x0c01020042040000ULL);
	cr_assert_eq(v->ev.downs, 0, "down: %s", v->ev.why);
	cr_assert_eq(v->ev.ups, 1);
	cr_assert_eq(v->ev.global_id, 4242);
	cr_assert_eq(v->ev.con_mode, con_mode);
	cr_assert(msgr2_session_is_open(v->s));
}

static void dump(const struct srv *v, const char *name)
{
	const char *dir = getenv("MSGR2_SESSION_DUMP");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	fwrite(v->fp.wire.buf, 1, v->fp.wire.len, f);
	fclose(f);
}

static void count_release(void *arg)
{
	(*(unsigned *)arg)++;
}

/* The session once open: messages both ways, ACK, keepalives both ways. */
static void exercise_open(struct srv *v)
{
	struct msgr2_frame f;
	struct msgr2_msg_header h;
	struct msgr2_timespec t;
	struct wire_enc e;
	uint64_t v64;

	/* Monitor -> client: a message, then the client acks it. */
	fake_peer_send_msg(&v->fp, 1, 4, 0, "monmap-front");
	cr_assert_eq(v->ev.msgs, 1);
	cr_assert_eq(v->ev.msg_type, 4);
	cr_assert_eq(v->ev.front_len, 12);
	cr_assert_eq(memcmp(v->ev.front, "monmap-front", 12), 0);
	cr_assert_eq(v->ev.middle_len, 0);
	fake_peer_recv(&v->fp, MSGR2_TAG_ACK, &f);
	cr_assert_eq(msgr2_u64_decode(f.seg[0], f.len[0], &v64), 0);
	cr_assert_eq(v64, 1);
	msgr2_frame_free(&f);

	/* Client -> monitor: seq 1, ack_seq 1, tid and front as given. */
	cr_assert_gt(msgr2_session_send_msg(v->s, 13, 2, 77, "statfs", 6), 0);
	fake_peer_recv(&v->fp, MSGR2_TAG_MESSAGE, &f);
	cr_assert_eq(f.num_segments, 2);
	cr_assert_eq(msgr2_msg_header_decode(f.seg[0], f.len[0], &h), 0);
	cr_assert_eq(h.seq, 1);
	cr_assert_eq(h.ack_seq, 1);
	cr_assert_eq(h.tid, 77);
	cr_assert_eq(h.type, 13);
	cr_assert_eq(h.version, 2);
	cr_assert_eq(f.len[1], 6);
	cr_assert_eq(memcmp(f.seg[1], "statfs", 6), 0);
	msgr2_frame_free(&f);

	/* A message with a data segment (an OSD write): four segments, the
	 * middle one empty, the compat version as given. */
	static uint8_t payload[5000];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	const struct msgr2_out o = {.type = 42,
				    .version = 8,
				    .compat_version = 3,
				    .tid = 78,
				    .front = "op-front",
				    .front_len = 8,
				    .data = payload,
				    .data_len = sizeof(payload)};
	cr_assert_gt(msgr2_session_queue(v->s, &o), 0);
	fake_peer_recv(&v->fp, MSGR2_TAG_MESSAGE, &f);
	cr_assert_eq(f.num_segments, 4);
	cr_assert_eq(msgr2_msg_header_decode(f.seg[0], f.len[0], &h), 0);
	cr_assert_eq(h.seq, 2);
	cr_assert_eq(h.tid, 78);
	cr_assert_eq(h.version, 8);
	cr_assert_eq(h.compat_version, 3);
	cr_assert_eq(f.len[1], 8);
	cr_assert_eq(memcmp(f.seg[1], "op-front", 8), 0);
	cr_assert_eq(f.len[2], 0);
	cr_assert_eq(f.len[3], sizeof(payload));
	cr_assert_eq(memcmp(f.seg[3], payload, sizeof(payload)), 0);
	msgr2_frame_free(&f);
	const struct msgr2_out too_big = {.type = 42, .data = payload, .data_len = MSGR2_MAX_DATA_LEN + 1ull};
	cr_assert_eq(msgr2_session_queue(v->s, &too_big), -EINVAL);

	/* Lent data: the same frame on the wire (the peer checks its crcs or
	 * tag), released once, after it is out; a revoked one at once. */
	unsigned released = 0;
	const struct msgr2_out lent = {.type = 42,
				       .version = 8,
				       .tid = 79,
				       .front = "lent",
				       .front_len = 4,
				       .data = payload,
				       .data_len = sizeof(payload),
				       .release = count_release,
				       .release_arg = &released};
	int64_t revoked;
	cr_assert_gt(msgr2_session_queue(v->s, &lent), 0);
	cr_assert_gt(revoked = msgr2_session_queue(v->s, &lent), 0);
	cr_assert_eq(released, 0, "lent until written");
	cr_assert_eq(msgr2_session_revoke(v->s, revoked), 0);
	cr_assert_eq(released, 1, "a revoked one at once");
	fake_peer_recv(&v->fp, MSGR2_TAG_MESSAGE, &f);
	cr_assert_eq(released, 2, "written: released");
	cr_assert_eq(f.num_segments, 4);
	cr_assert_eq(f.len[1], 4);
	cr_assert_eq(memcmp(f.seg[1], "lent", 4), 0);
	cr_assert_eq(f.len[3], sizeof(payload));
	cr_assert_eq(memcmp(f.seg[3], payload, sizeof(payload)), 0);
	cr_assert_eq(msgr2_msg_header_decode(f.seg[0], f.len[0], &h), 0);
	cr_assert_eq(h.seq, 3);
	msgr2_frame_free(&f);

	/* A duplicate is skipped; the monitor acks our message. */
	fake_peer_send_msg(&v->fp, 1, 4, 0, "again");
	cr_assert_eq(v->ev.msgs, 1);
	wire_enc_init(&e);
	cr_assert_eq(msgr2_u64_encode(&e, 1), 0);
	fake_peer_send(&v->fp, MSGR2_TAG_ACK, &e);
	wire_enc_free(&e);
	struct msgr2_session_stats st;
	msgr2_session_get_stats(v->s, &st);
	cr_assert_eq(st.acked_seq, 1);
	cr_assert_eq(st.out_seq, 3);
	cr_assert_eq(st.in_seq, 1);

	/* Our keepalive and its ack, stamp echoed. */
	cr_assert_eq(msgr2_session_keepalive(v->s, 12345678901ull), 0);
	fake_peer_recv(&v->fp, MSGR2_TAG_KEEPALIVE2, &f);
	cr_assert_eq(msgr2_keepalive_decode(f.seg[0], f.len[0], &t), 0);
	cr_assert_eq(t.sec, 12);
	cr_assert_eq(t.nsec, 345678901);
	msgr2_frame_free(&f);
	wire_enc_init(&e);
	cr_assert_eq(msgr2_keepalive_encode(&e, &t), 0);
	fake_peer_send(&v->fp, MSGR2_TAG_KEEPALIVE2_ACK, &e);
	wire_enc_free(&e);
	cr_assert_eq(v->ev.acks, 1);
	cr_assert_eq(v->ev.ack_stamp, 12345678901ull);

	/* The monitor's keepalive gets an ack with its stamp. */
	t = (struct msgr2_timespec){99, 5};
	wire_enc_init(&e);
	cr_assert_eq(msgr2_keepalive_encode(&e, &t), 0);
	fake_peer_send(&v->fp, MSGR2_TAG_KEEPALIVE2, &e);
	wire_enc_free(&e);
	fake_peer_recv(&v->fp, MSGR2_TAG_KEEPALIVE2_ACK, &f);
	cr_assert_eq(msgr2_keepalive_decode(f.seg[0], f.len[0], &t), 0);
	cr_assert_eq(t.sec, 99);
	cr_assert_eq(t.nsec, 5);
	msgr2_frame_free(&f);

	/* A middle segment (an MDS's xattrs) reaches the owner. */
	cr_assert_eq(v->ev.middle_len, 0);
	fake_peer_send_msg_middle(&v->fp, 2, 0x310, 0, "caps-front", "xattr-blob");
	cr_assert_eq(v->ev.msgs, 2);
	cr_assert_eq(v->ev.front_len, 10);
	cr_assert_eq(v->ev.middle_len, 10);
	cr_assert_eq(memcmp(v->ev.middle, "xattr-blob", 10), 0);
	fake_peer_recv(&v->fp, MSGR2_TAG_ACK, &f);
	msgr2_frame_free(&f);
	cr_assert(fake_peer_nothing_more(&v->fp));
	cr_assert_eq(v->ev.downs, 0);
}

/* ---- handshakes ----------------------------------------------------------------------- */

Test(msgr2_session, crc_handshake_and_traffic)
{
	struct srv v;

	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	handshake(&v, MSGR2_CON_MODE_CRC);
	cr_assert_eq(v.auth.rounds, 1);
	exercise_open(&v);
	dump(&v, "crc");
	srv_fini(&v);
}

Test(msgr2_session, secure_handshake_and_traffic)
{
	struct srv v;

	srv_init(&v, CEPH_MS_MODE_SECURE, 64);
	handshake(&v, MSGR2_CON_MODE_SECURE);
	exercise_open(&v);
	dump(&v, "secure");
	srv_fini(&v);
}

Test(msgr2_session, one_byte_at_a_time)
{
	struct srv v;

	srv_init(&v, CEPH_MS_MODE_SECURE, 64);
	v.chunk = 1;
	handshake(&v, MSGR2_CON_MODE_SECURE);
	exercise_open(&v);
	srv_fini(&v);
}

Test(msgr2_session, preferred_modes_follow_ms_mode)
{
	static const struct {
		enum ceph_ms_mode m;
		struct msgr2_u32_list l;
	} cases[] = {
	    {CEPH_MS_MODE_CRC, {1, {1}}},
	    {CEPH_MS_MODE_SECURE, {1, {2}}},
	    {CEPH_MS_MODE_PREFER_CRC, {2, {1, 2}}},
	    {CEPH_MS_MODE_PREFER_SECURE, {2, {2, 1}}},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct srv v;

		srv_init(&v, cases[i].m, 64);
		fake_peer_banner(&v.fp);
		fake_peer_hello(&v.fp);
		fake_peer_auth_rounds(&v.fp, 2, &cases[i].l);
		srv_fini(&v);
	}
}

Test(msgr2_session, prefer_crc_accepts_secure)
{
	struct srv v;

	srv_init(&v, CEPH_MS_MODE_PREFER_CRC, 64);
	handshake(&v, MSGR2_CON_MODE_SECURE);
	exercise_open(&v);
	srv_fini(&v);
}

Test(msgr2_session, messages_queued_before_open_go_after)
{
	struct srv v;
	struct msgr2_frame f;
	struct msgr2_msg_header h;

	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	cr_assert_gt(msgr2_session_send_msg(v.s, 15, 3, 0, "sub", 3), 0);
	cr_assert_eq(msgr2_session_keepalive(v.s, 1), -ENOTCONN);
	handshake(&v, MSGR2_CON_MODE_CRC);
	fake_peer_recv(&v.fp, MSGR2_TAG_MESSAGE, &f);
	cr_assert_eq(msgr2_msg_header_decode(f.seg[0], f.len[0], &h), 0);
	cr_assert_eq(h.seq, 1);
	cr_assert_eq(h.type, 15);
	msgr2_frame_free(&f);
	srv_fini(&v);
}

/* ---- revocation ----------------------------------------------------------------------- */

Test(msgr2_session, revoke_only_at_frame_boundaries)
{
	struct srv v;
	struct msgr2_frame f;
	struct msgr2_msg_header h;
	const uint8_t *p;
	size_t n;
	int64_t a, b, c;

	srv_init(&v, CEPH_MS_MODE_SECURE, 64);
	handshake(&v, MSGR2_CON_MODE_SECURE);
	cr_assert(fake_peer_nothing_more(&v.fp));
	a = msgr2_session_send_msg(v.s, 13, 1, 1, "first", 5);
	b = msgr2_session_send_msg(v.s, 13, 1, 2, "second", 6);
	c = msgr2_session_send_msg(v.s, 13, 1, 3, "third", 5);
	cr_assert(a > 0 && b > a && c > b);

	/* Not yet offered: b can go. */
	cr_assert_eq(msgr2_session_revoke(v.s, b), 0);
	cr_assert_eq(msgr2_session_revoke(v.s, b), -ENOENT);
	/* a is offered and half written: it must be finished. */
	n = msgr2_session_pending_tx(v.s, &p);
	cr_assert_gt(n, 2);
	wire_enc_bytes(&v.fp.in, p, n / 2);
	msgr2_session_tx_done(v.s, n / 2);
	cr_assert_eq(msgr2_session_revoke(v.s, a), -EINPROGRESS);
	/* The rest of a, then c; the server sees a and c, seqs 1 and 2. */
	fake_peer_recv(&v.fp, MSGR2_TAG_MESSAGE, &f);
	cr_assert_eq(msgr2_msg_header_decode(f.seg[0], f.len[0], &h), 0);
	cr_assert_eq(h.tid, 1);
	cr_assert_eq(h.seq, 1);
	msgr2_frame_free(&f);
	cr_assert_eq(msgr2_session_revoke(v.s, a), -ENOENT);
	fake_peer_recv(&v.fp, MSGR2_TAG_MESSAGE, &f);
	cr_assert_eq(msgr2_msg_header_decode(f.seg[0], f.len[0], &h), 0);
	cr_assert_eq(h.tid, 3);
	cr_assert_eq(h.seq, 2);
	msgr2_frame_free(&f);
	cr_assert(fake_peer_nothing_more(&v.fp));
	srv_fini(&v);
}

/* ---- auth outcomes -------------------------------------------------------------------- */

static void send_bad_method(struct srv *v, uint32_t method, int32_t result, struct msgr2_u32_list methods,
			    struct msgr2_u32_list modes)
{
	struct msgr2_auth_bad_method b = {method, result, methods, modes};
	struct wire_enc e;

	wire_enc_init(&e);
	cr_assert_eq(msgr2_auth_bad_method_encode(&e, &b), 0);
	fake_peer_send(&v->fp, MSGR2_TAG_AUTH_BAD_METHOD, &e);
	wire_enc_free(&e);
}

Test(msgr2_session, bad_method_moves_to_the_next_method)
{
	struct srv v;
	struct msgr2_frame f;
	struct msgr2_client_ident ci;

	srv_init_two(&v, CEPH_MS_MODE_CRC);
	fake_peer_banner(&v.fp);
	fake_peer_hello(&v.fp);
	fake_peer_recv(&v.fp, MSGR2_TAG_AUTH_REQUEST, &f);
	msgr2_frame_free(&f);
	send_bad_method(&v, 1, -95, (struct msgr2_u32_list){1, {2}}, (struct msgr2_u32_list){2, {2, 1}});
	cr_assert_eq(v.ev.downs, 0, "%s", v.ev.why);
	fake_peer_auth_rounds(&v.fp, 2, NULL);
	fake_peer_auth_done(&v.fp, MSGR2_CON_MODE_CRC);
	fake_peer_signatures(&v.fp, true);
	fake_peer_client_ident(&v.fp, &ci);
	fake_peer_server_ident(&v.fp, 0);
	cr_assert_eq(v.ev.ups, 1);
	srv_fini(&v);
}

Test(msgr2_session, refused_with_an_allowed_method_is_an_auth_failure)
{
	struct srv v;
	struct msgr2_frame f;

	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_banner(&v.fp);
	fake_peer_hello(&v.fp);
	fake_peer_recv(&v.fp, MSGR2_TAG_AUTH_REQUEST, &f);
	msgr2_frame_free(&f);
	send_bad_method(&v, 2, -13, (struct msgr2_u32_list){1, {2}}, (struct msgr2_u32_list){2, {2, 1}});
	cr_assert_eq(v.ev.downs, 1);
	cr_assert_eq(v.ev.down_err, -EKEYREJECTED);
	cr_assert_not_null(strstr(v.ev.why, "authentication failed"), "%s", v.ev.why);
	cr_assert_not_null(strstr(v.ev.why, "client.test"), "%s", v.ev.why);
	cr_assert_eq(msgr2_session_feed(v.s, "x", 1, 0), -ENOTCONN);
	cr_assert_eq(msgr2_session_send_msg(v.s, 1, 1, 1, "x", 1), -ENOTCONN);
	srv_fini(&v);
}

Test(msgr2_session, no_common_method_or_mode)
{
	struct srv v;
	struct msgr2_frame f;

	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_banner(&v.fp);
	fake_peer_hello(&v.fp);
	fake_peer_recv(&v.fp, MSGR2_TAG_AUTH_REQUEST, &f);
	msgr2_frame_free(&f);
	send_bad_method(&v, 2, -95, (struct msgr2_u32_list){1, {1}}, (struct msgr2_u32_list){1, {1}});
	cr_assert_eq(v.ev.down_err, -EACCES);
	cr_assert_not_null(strstr(v.ev.why, "allows methods [1]"), "%s", v.ev.why);
	srv_fini(&v);

	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_banner(&v.fp);
	fake_peer_hello(&v.fp);
	fake_peer_recv(&v.fp, MSGR2_TAG_AUTH_REQUEST, &f);
	msgr2_frame_free(&f);
	send_bad_method(&v, 2, -95, (struct msgr2_u32_list){1, {2}}, (struct msgr2_u32_list){1, {2}});
	cr_assert_eq(v.ev.down_err, -EPROTONOSUPPORT);
	cr_assert_not_null(strstr(v.ev.why, "connection modes [2]"), "%s", v.ev.why);
	srv_fini(&v);
}

Test(msgr2_session, auth_done_failure_and_wrong_mode)
{
	struct srv v;

	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	v.auth.done_err = -EKEYREJECTED;
	fake_peer_banner(&v.fp);
	fake_peer_hello(&v.fp);
	fake_peer_auth_rounds(&v.fp, 2, NULL);
	fake_peer_auth_done(&v.fp, MSGR2_CON_MODE_CRC);
	cr_assert_eq(v.ev.down_err, -EKEYREJECTED);
	cr_assert_not_null(strstr(v.ev.why, "does not decrypt"), "%s", v.ev.why);
	srv_fini(&v);

	/* The monitor picks secure when we asked for crc only. */
	srv_init(&v, CEPH_MS_MODE_CRC, 64);
	fake_peer_banner(&v.fp);
	fake_peer_hello(&v.fp);
	fake_peer_auth_rounds(&v.fp, 2, NULL);
	fake_peer_auth_done(&v.fp, MSGR2_CON_MODE_SECURE);
	cr_assert_eq(v.ev.down_err, -EPROTO);
	srv_fini(&v);

	/* Secure mode without a connection secret. */
	srv_init(&v, CEPH_MS_MODE_SECURE, 0);
	fake_peer_banner(&v.fp);
	fake_peer_hello(&v.fp);
	fake_peer_auth_rounds(&v.fp, 2, NULL);
	fake_peer_auth_done(&v.fp, MSGR2_CON_MODE_SECURE);
	cr_assert_eq(v.ev.down_err, -EPROTO);
	cr_assert_not_null(strstr(v.ev.why, "connection secret"), "%s", v.ev.why);
	srv_fini(&v);
}

Test(msgr2_session, wrong_server_signature)
{
	struct srv v;

	srv_init(&v, CEPH_MS_MODE_SECURE, 64);
	fake_peer_banner(&v.fp);
	fake_peer_hello(&v.fp);
	fake_peer_auth_rounds(&v.fp, 2, NULL);
	fake_peer_auth_done(&v.fp, MSGR2_CON_MODE_SECURE);
	fake_peer_signatures(&v.fp, false);
	cr_assert_eq(v.ev.downs, 1);
	cr_assert_eq(v.ev.down_err, -EBADMSG);
	cr_assert_not_null(strstr(v.ev.why, "AUTH_SIGNATURE"), "%s", v.ev.why);
	srv_fini(&v);
}

/* ---- session connect outcomes ----------------------------------------------------------- */

static void to_session_connect(struct srv *v, enum ceph_ms_mode m, uint32_t con_mode)
{
	struct msgr2_client_ident ci;

	srv_init(v, m, 64);
	fake_peer_banner(&v->fp);
	fake_peer_hello(&v->fp);
	fake_peer_auth_rounds(&v->fp, 2, NULL);
	fake_peer_auth_done(&v->fp, con_mode);
	fake_peer_signatures(&v->fp, true);
	fake_peer_client_ident(&v->fp, &ci);
}

Test(msgr2_session, ident_missing_features_names_the_bits)
{
	struct srv v;

	to_session_connect(&v, CEPH_MS_MODE_CRC, MSGR2_CON_MODE_CRC);
	fake_peer_send_u64(&v.fp, MSGR2_TAG_IDENT_MISSING_FEATURES, (1ULL << 60) | (1ULL << 0));
	cr_assert_eq(v.ev.down_err, -EPROTONOSUPPORT);
	cr_assert_not_null(strstr(v.ev.why, "0,60"), "%s", v.ev.why);
	srv_fini(&v);

	/* SERVER_IDENT requiring bits we lack. */
	to_session_connect(&v, CEPH_MS_MODE_SECURE, MSGR2_CON_MODE_SECURE);
	fake_peer_server_ident(&v.fp, 1ULL << 62);
	cr_assert_eq(v.ev.ups, 0);
	cr_assert_eq(v.ev.down_err, -EPROTONOSUPPORT);
	cr_assert_not_null(strstr(v.ev.why, "62"), "%s", v.ev.why);
	srv_fini(&v);
}

Test(msgr2_session, wait_reset_retry)
{
	struct srv v;
	struct wire_enc e;
	struct msgr2_client_ident ci;

	to_session_connect(&v, CEPH_MS_MODE_CRC, MSGR2_CON_MODE_CRC);
	wire_enc_init(&e);
	fake_peer_send(&v.fp, MSGR2_TAG_WAIT, &e);
	cr_assert_eq(v.ev.down_err, -EAGAIN);
	srv_fini(&v);

	to_session_connect(&v, CEPH_MS_MODE_CRC, MSGR2_CON_MODE_CRC);
	wire_enc_init(&e);
	cr_assert_eq(msgr2_session_reset_encode(&e, true), 0);
	fake_peer_send(&v.fp, MSGR2_TAG_SESSION_RESET, &e);
	wire_enc_free(&e);
	cr_assert_eq(v.ev.down_err, -ECONNRESET);
	srv_fini(&v);

	/* A lossy client never reconnects, so SESSION_RETRY is out of place. */
	to_session_connect(&v, CEPH_MS_MODE_CRC, MSGR2_CON_MODE_CRC);
	fake_peer_send_u64(&v.fp, MSGR2_TAG_SESSION_RETRY, 3);
	cr_assert_eq(v.ev.down_err, -EPROTO);
	srv_fini(&v);

	/* RETRY_GLOBAL: CLIENT_IDENT again with a global_seq past the peer's. */
	to_session_connect(&v, CEPH_MS_MODE_SECURE, MSGR2_CON_MODE_SECURE);
	fake_peer_send_u64(&v.fp, MSGR2_TAG_SESSION_RETRY_GLOBAL, 500);
	cr_assert_eq(v.ev.downs, 0, "%s", v.ev.why);
	fake_peer_client_ident(&v.fp, &ci);
	cr_assert_eq(ci.global_seq, 501);
	fake_peer_server_ident(&v.fp, 0);
	cr_assert_eq(v.ev.ups, 1);
	srv_fini(&v);
}

/* ---- hostile input -------------------------------------------------------------------- */

Test(msgr2_session, msgr1_and_garbage_banners)
{
	struct srv v;

	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_write(&v.fp, (const uint8_t *)"ceph v027\0\0\0\0\0\0\0", 16);
	cr_assert_eq(v.ev.down_err, -EPROTONOSUPPORT);
	cr_assert_not_null(strstr(v.ev.why, "msgr1"), "%s", v.ev.why);
	srv_fini(&v);

	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_write(&v.fp, (const uint8_t *)"HTTP/1.1 400 Bad", 16);
	cr_assert_eq(v.ev.downs, 1);
	cr_assert_lt(v.ev.down_err, 0);
	srv_fini(&v);

	/* A banner that requires compression (bit 1), which we lack. */
	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_write(&v.fp,
			(const uint8_t *)"ceph v2\n\x10\x00"
					 "\x03\0\0\0\0\0\0\0\x02\0\0\0\0\0\0\0",
			26);
	cr_assert_eq(v.ev.down_err, -EPROTONOSUPPORT);
	srv_fini(&v);
}

Test(msgr2_session, corrupted_frames)
{
	struct srv v;
	struct wire_enc e, w;
	struct msgr2_hello h;
	struct msgr2_seg seg;

	/* A flipped bit in HELLO's payload: crc mismatch. */
	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_banner(&v.fp);
	h = (struct msgr2_hello){.entity_type = CEPH_ENTITY_TYPE_MON, .peer_addr = v.fp.client_seen};
	wire_enc_init(&e);
	wire_enc_init(&w);
	cr_assert_eq(msgr2_hello_encode(&e, &h), 0);
	seg = (struct msgr2_seg){e.buf, (uint32_t)e.len};
	cr_assert_eq(msgr2_frame_encode(&w, MSGR2_TAG_HELLO, &seg, 1, NULL), 0);
	w.buf[40] ^= 0x10;
	fake_peer_write(&v.fp, w.buf, w.len);
	cr_assert_eq(v.ev.downs, 1);
	cr_assert_eq(v.ev.down_err, -EBADMSG);
	wire_enc_free(&e);
	wire_enc_free(&w);
	srv_fini(&v);

	/* A flipped bit in a secure frame once open: GCM tag mismatch. */
	srv_init(&v, CEPH_MS_MODE_SECURE, 64);
	handshake(&v, MSGR2_CON_MODE_SECURE);
	{
		struct msgr2_msg_header mh = {.seq = 1, .type = 4};
		struct msgr2_seg segs[2];

		wire_enc_init(&e);
		wire_enc_init(&w);
		cr_assert_eq(msgr2_msg_header_encode(&e, &mh), 0);
		segs[0] = (struct msgr2_seg){e.buf, (uint32_t)e.len};
		segs[1] = (struct msgr2_seg){"front", 5};
		cr_assert_eq(msgr2_frame_encode(&w, MSGR2_TAG_MESSAGE, segs, 2, &v.fp.c.tx), 0);
		w.buf[w.len - 20] ^= 1;
		fake_peer_write(&v.fp, w.buf, w.len);
		cr_assert_eq(v.ev.msgs, 0);
		cr_assert_eq(v.ev.down_err, -EBADMSG);
		cr_assert_not_null(strstr(v.ev.why, "secure"), "%s", v.ev.why);
		wire_enc_free(&e);
		wire_enc_free(&w);
	}
	srv_fini(&v);
}

Test(msgr2_session, malformed_payloads)
{
	struct srv v;
	struct wire_enc e;

	/* HELLO from something that is not a monitor. */
	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_banner(&v.fp);
	{
		struct msgr2_hello h = {.entity_type = CEPH_ENTITY_TYPE_OSD, .peer_addr = v.fp.client_seen};
		wire_enc_init(&e);
		cr_assert_eq(msgr2_hello_encode(&e, &h), 0);
		fake_peer_send(&v.fp, MSGR2_TAG_HELLO, &e);
		wire_enc_free(&e);
	}
	cr_assert_eq(v.ev.down_err, -EPROTO);
	cr_assert_not_null(strstr(v.ev.why, "not a monitor"), "%s", v.ev.why);
	srv_fini(&v);

	/* A truncated HELLO. */
	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_banner(&v.fp);
	wire_enc_init(&e);
	wire_enc_u8(&e, CEPH_ENTITY_TYPE_MON);
	fake_peer_send(&v.fp, MSGR2_TAG_HELLO, &e);
	wire_enc_free(&e);
	cr_assert_eq(v.ev.down_err, -EBADMSG);
	cr_assert_not_null(strstr(v.ev.why, "malformed HELLO"), "%s", v.ev.why);
	srv_fini(&v);

	/* An AUTH_DONE too short to hold its fields. */
	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_banner(&v.fp);
	fake_peer_hello(&v.fp);
	fake_peer_auth_rounds(&v.fp, 2, NULL);
	wire_enc_init(&e);
	wire_enc_le64(&e, 1);
	fake_peer_send(&v.fp, MSGR2_TAG_AUTH_DONE, &e);
	wire_enc_free(&e);
	cr_assert_eq(v.ev.down_err, -EBADMSG);
	cr_assert_eq(v.auth.dones, 0);
	srv_fini(&v);

	/* A bad challenge: the provider's reason reaches "down". */
	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_banner(&v.fp);
	fake_peer_hello(&v.fp);
	{
		struct msgr2_frame f;
		struct msgr2_auth_more m = {(const uint8_t *)"nope", 4};

		fake_peer_recv(&v.fp, MSGR2_TAG_AUTH_REQUEST, &f);
		msgr2_frame_free(&f);
		wire_enc_init(&e);
		cr_assert_eq(msgr2_auth_more_encode(&e, &m), 0);
		fake_peer_send(&v.fp, MSGR2_TAG_AUTH_REPLY_MORE, &e);
		wire_enc_free(&e);
	}
	cr_assert_eq(v.ev.down_err, -EBADMSG);
	cr_assert_not_null(strstr(v.ev.why, "bad challenge"), "%s", v.ev.why);
	srv_fini(&v);
}

Test(msgr2_session, unexpected_frames)
{
	struct srv v;
	struct wire_enc e;

	/* MESSAGE before the session is open. */
	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_banner(&v.fp);
	fake_peer_send_msg(&v.fp, 1, 4, 0, "early");
	cr_assert_eq(v.ev.msgs, 0);
	cr_assert_eq(v.ev.down_err, -EPROTO);
	cr_assert_not_null(strstr(v.ev.why, "unexpected MESSAGE"), "%s", v.ev.why);
	srv_fini(&v);

	/* AUTH_DONE once open. */
	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	handshake(&v, MSGR2_CON_MODE_CRC);
	wire_enc_init(&e);
	wire_enc_bytes(&e, "whatever", 8);
	fake_peer_send(&v.fp, MSGR2_TAG_AUTH_DONE, &e);
	wire_enc_free(&e);
	cr_assert_eq(v.ev.down_err, -EPROTO);
	srv_fini(&v);

	/* A control frame with two segments. */
	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	handshake(&v, MSGR2_CON_MODE_CRC);
	{
		struct msgr2_seg segs[2] = {{"12345678", 8}, {"x", 1}};
		struct wire_enc w;

		wire_enc_init(&w);
		cr_assert_eq(msgr2_frame_encode(&w, MSGR2_TAG_ACK, segs, 2, NULL), 0);
		fake_peer_write(&v.fp, w.buf, w.len);
		wire_enc_free(&w);
	}
	cr_assert_eq(v.ev.down_err, -EPROTO);
	srv_fini(&v);
}

Test(msgr2_session, message_seq_gap_and_short_header)
{
	struct srv v;

	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	handshake(&v, MSGR2_CON_MODE_CRC);
	fake_peer_send_msg(&v.fp, 2, 4, 0, "skipped one");
	cr_assert_eq(v.ev.msgs, 0);
	cr_assert_eq(v.ev.down_err, -EPROTO);
	cr_assert_not_null(strstr(v.ev.why, "seq 2"), "%s", v.ev.why);
	srv_fini(&v);

	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	handshake(&v, MSGR2_CON_MODE_CRC);
	{
		struct msgr2_seg segs[2] = {{"short", 5}, {"front", 5}};
		struct wire_enc w;

		wire_enc_init(&w);
		cr_assert_eq(msgr2_frame_encode(&w, MSGR2_TAG_MESSAGE, segs, 2, NULL), 0);
		fake_peer_write(&v.fp, w.buf, w.len);
		wire_enc_free(&w);
	}
	cr_assert_eq(v.ev.down_err, -EBADMSG);
	srv_fini(&v);
}

Test(msgr2_session, eof_and_socket_errors)
{
	struct srv v;

	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	fake_peer_banner(&v.fp);
	msgr2_session_eof(v.s, 0);
	cr_assert_eq(v.ev.down_err, -ECONNRESET);
	cr_assert_not_null(strstr(v.ev.why, "HELLO"), "%s", v.ev.why);
	msgr2_session_eof(v.s, -EPIPE);
	cr_assert_eq(v.ev.downs, 1); /* reported once */
	srv_fini(&v);
}

/* Random bytes after a valid banner, in random chunks: no crash, at most one
 * "down", and a session that never opens. */
Test(msgr2_session, random_input_never_crashes)
{
	uint32_t seed = 12345;

	for (int round = 0; round < 300; round++) {
		struct srv v;
		uint8_t junk[512];
		size_t n;

		srv_init(&v, round & 1 ? CEPH_MS_MODE_SECURE : CEPH_MS_MODE_PREFER_CRC, 64);
		fake_peer_banner(&v.fp);
		if (round % 3 == 0)
			fake_peer_hello(&v.fp);
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 8) % sizeof(junk);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			junk[i] = (uint8_t)(seed >> 16);
		}
		v.chunk = 1 + (seed >> 20) % 64;
		fake_peer_write(&v.fp, junk, n);
		cr_assert_leq(v.ev.downs, 1);
		cr_assert_eq(v.ev.ups, 0);
		srv_fini(&v);
	}
}

Test(msgr2_session, bad_params)
{
	struct msgr2_session_params p = {0};
	struct srv v;

	cr_assert_null(msgr2_session_new(&p));
	cr_assert_null(msgr2_session_new(NULL));
	/* Everything right but the peer type: none, a client, two at once. */
	srv_init(&v, CEPH_MS_MODE_CRC, 0);
	p = (struct msgr2_session_params){
	    .peer_addr = v.fp.my_addr, .auth = v.prov, .nauth = 1, .cb = &cbs, .cb_arg = &v.ev};
	p.peer_type = CEPH_ENTITY_TYPE_OSD;
	struct msgr2_session *ok = msgr2_session_new(&p);
	cr_assert_not_null(ok, "the same params with an OSD are fine");
	msgr2_session_free(ok);
	static const uint32_t bad[] = {0, CEPH_ENTITY_TYPE_CLIENT, CEPH_ENTITY_TYPE_AUTH,
				       CEPH_ENTITY_TYPE_MON | CEPH_ENTITY_TYPE_OSD};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.peer_type = bad[i];
		errno = 0;
		cr_assert_null(msgr2_session_new(&p), "peer type 0x%x", bad[i]);
		cr_assert_eq(errno, EINVAL);
	}
	srv_fini(&v);
}

/* OSDs, MDSs and managers speak the same protocol: each gets its session
 * when its HELLO says what the caller expects, and only then. */
Test(msgr2_session, any_peer_type_when_hello_matches)
{
	static const uint32_t types[] = {CEPH_ENTITY_TYPE_OSD, CEPH_ENTITY_TYPE_MDS, CEPH_ENTITY_TYPE_MGR};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct srv v;

		srv_init_as(&v, CEPH_MS_MODE_SECURE, 64, types[i]);
		handshake(&v, MSGR2_CON_MODE_SECURE);
		exercise_open(&v);
		srv_fini(&v);
	}
}

Test(msgr2_session, hello_of_another_peer_type_ends_the_session)
{
	static const struct {
		uint32_t want, said;
		const char *why;
	} cases[] = {
	    {CEPH_ENTITY_TYPE_OSD, CEPH_ENTITY_TYPE_MON, "not an OSD but a monitor"},
	    {CEPH_ENTITY_TYPE_MDS, CEPH_ENTITY_TYPE_OSD, "not an MDS but an OSD"},
	    {CEPH_ENTITY_TYPE_MON, CEPH_ENTITY_TYPE_MGR, "not a monitor but a manager"},
	    {CEPH_ENTITY_TYPE_OSD, CEPH_ENTITY_TYPE_CLIENT, "not an OSD but a client"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct srv v;

		srv_init_as(&v, CEPH_MS_MODE_CRC, 0, cases[i].want);
		v.fp.peer_type = cases[i].said;
		fake_peer_banner(&v.fp);
		fake_peer_hello(&v.fp);
		cr_assert_eq(v.ev.downs, 1);
		cr_assert_eq(v.ev.down_err, -EPROTO);
		cr_assert_not_null(strstr(v.ev.why, cases[i].why), "%s", v.ev.why);
		cr_assert_eq(v.auth.requests, 0, "no AUTH_REQUEST to the wrong peer");
		cr_assert(fake_peer_nothing_more(&v.fp));
		srv_fini(&v);
	}
}

/* A message of @big data bytes (tid 9, seq @seq) then a small one (tid 10),
 * as one byte string. */
static void two_messages(struct wire_enc *w, uint64_t seq, const uint8_t *data, size_t big)
{
	struct msgr2_msg_header h = {.seq = seq, .tid = 9, .type = 43, .version = 8, .compat_version = 1};
	struct msgr2_seg segs[4];
	struct wire_enc hdr;

	wire_enc_init(&hdr);
	cr_assert_eq(msgr2_msg_header_encode(&hdr, &h), 0);
	segs[0] = (struct msgr2_seg){hdr.buf, (uint32_t)hdr.len};
	segs[1] = (struct msgr2_seg){"front", 5};
	segs[2] = (struct msgr2_seg){NULL, 0};
	segs[3] = (struct msgr2_seg){data, (uint32_t)big};
	cr_assert_eq(msgr2_frame_encode(w, MSGR2_TAG_MESSAGE, segs, 4, NULL), 0);
	h.seq = seq + 1, h.tid = 10;
	hdr.len = 0;
	cr_assert_eq(msgr2_msg_header_encode(&hdr, &h), 0);
	segs[0] = (struct msgr2_seg){hdr.buf, (uint32_t)hdr.len};
	cr_assert_eq(msgr2_frame_encode(w, MSGR2_TAG_MESSAGE, segs, 2, NULL), 0);
	wire_enc_free(&hdr);
}

/* An open crc session, a reader's buffer @dest for large messages (NULL:
 * none), and the two messages of two_messages() in @w. */
static void open_with_reader(struct srv *v, uint8_t *dest, struct wire_enc *w, const uint8_t *data, size_t big)
{
	srv_init(v, CEPH_MS_MODE_CRC, 0);
	handshake(v, MSGR2_CON_MODE_CRC);
	memset(&rx, 0, sizeof(rx));
	rx.dest = dest;
	wire_enc_init(w);
	two_messages(w, 1, data, big);
}

/* Read in place into whatever rx_space offers, @step bytes at most per
 * read, until all is in or the session is down. */
static void read_in(struct srv *v, const uint8_t *p, size_t n, size_t step)
{
	for (size_t at = 0; at < n;) {
		uint8_t *room;
		size_t k = msgr2_session_rx_space(v->s, step, &room);
		if (!k)
			return;
		if (k > step)
			k = step;
		if (k > n - at)
			k = n - at;
		memcpy(room, p + at, k);
		if (msgr2_session_rx_commit(v->s, k, 0) != (ssize_t)k)
			return;
		at += k;
	}
}

/* Read in place (msgr2_conn's way): small reads until a large frame's head
 * is in, then the rest of that frame in one read and not a byte further,
 * so the input empties at its end; its data segment arrives intact. */
Test(msgr2_session, a_large_frame_is_read_to_its_end_and_no_further)
{
	struct srv v;
	struct wire_enc w;
	size_t big = 1 << 20, n, at;
	/* the first frame: preamble, header and its crc, front, data, epilogue */
	size_t first = MSGR2_PREAMBLE_LEN + MSGR2_MSG_HEADER_LEN + MSGR2_CRC_LEN + 5 + big + MSGR2_EPILOGUE_CRC_LEN;
	uint8_t *data = malloc(big), *room;

	for (size_t i = 0; i < big; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 12));
	open_with_reader(&v, NULL, &w, data, big); /* no reader's buffer: the session's input */

	n = msgr2_session_rx_space(v.s, 4096, &room);
	cr_assert_eq(n, 4096, "no frame under way: the reader's chunk");
	memcpy(room, w.buf, n);
	cr_assert_eq(msgr2_session_rx_commit(v.s, n, 0), (ssize_t)n);
	at = n;
	n = msgr2_session_rx_space(v.s, 4096, &room);
	cr_assert_eq(at + n, first, "the rest of the large frame, not the next one's bytes");
	memcpy(room, w.buf + at, n / 2); /* it may come in pieces */
	cr_assert_eq(msgr2_session_rx_commit(v.s, n / 2, 0), (ssize_t)(n / 2));
	at += n / 2;
	n = msgr2_session_rx_space(v.s, 4096, &room);
	cr_assert_eq(at + n, first);
	memcpy(room, w.buf + at, n);
	cr_assert_eq(msgr2_session_rx_commit(v.s, n, 0), (ssize_t)n);
	at += n;
	cr_assert_eq(v.ev.msgs, 1);
	cr_assert_eq(v.ev.msg_tid, 9);
	cr_assert_eq(v.ev.data_len, big);
	cr_assert_eq(v.ev.data_crc, ceph_crc32c(0, data, big));
	n = msgr2_session_rx_space(v.s, 4096, &room);
	cr_assert_eq(n, 4096, "after it, small reads again");
	memcpy(room, w.buf + at, w.len - at);
	cr_assert_eq(msgr2_session_rx_commit(v.s, w.len - at, 0), (ssize_t)(w.len - at));
	cr_assert_eq(v.ev.msgs, 2);
	cr_assert_eq(v.ev.msg_tid, 10);
	cr_assert_eq(v.ev.downs, 0);
	wire_enc_free(&w);
	free(data);
	srv_fini(&v);
}

/* A large message's data lands in the buffer rx_data gives, in pieces or
 * at once, through either input path; the message is handed over pointing
 * there, and the next message is read as usual. */
Test(msgr2_session, a_large_messages_data_lands_where_its_reader_says)
{
	size_t big = 300000, steps[] = {4096, 1 << 20, 7};
	uint8_t *data = malloc(big), *dest = malloc(big);
	struct wire_enc w;

	for (size_t i = 0; i < big; i++)
		data[i] = (uint8_t)(i * 13 + (i >> 10));
	for (unsigned k = 0; k < 4; k++) {
		struct srv v;

		memset(dest, 0, big);
		open_with_reader(&v, dest, &w, data, big);
		if (k < 3) {
			read_in(&v, w.buf, w.len, steps[k]);
		} else {
			v.chunk = 1000; /* the copying path, msgr2_session_feed */
			to_client(&v.fp, w.buf, w.len);
		}
		cr_assert_eq(v.ev.msgs, 2);
		cr_assert_eq(v.ev.msg_tid, 10);
		if (k == 1) { /* all of it in one read: handed over from the input, nothing to ask */
			cr_assert_eq(rx.asked, 0);
		} else {
			cr_assert_eq(rx.asked, 1, "asked once, for the large one (%u)", k);
			cr_assert_eq(rx.tid, 9);
			cr_assert_eq(rx.len, big);
			cr_assert_eq(memcmp(dest, data, big), 0, "the bytes where the reader wanted them");
			cr_assert_eq(v.ev.data9, dest, "handed over where they are");
		}
		cr_assert_eq(v.ev.downs, 0);
		wire_enc_free(&w);
		srv_fini(&v);
	}
	free(data);
	free(dest);
}

/* The reader takes its buffer back while the data arrives: the rest goes
 * to the session's own copy, the message still arrives whole, and the
 * buffer is not written again. A data segment that fails its crc ends the
 * session like any other frame. */
Test(msgr2_session, a_revoked_destination_is_not_written_again)
{
	size_t big = 200000;
	uint8_t *data = malloc(big), *dest = malloc(big);
	struct wire_enc w;
	struct srv v;

	for (size_t i = 0; i < big; i++)
		data[i] = (uint8_t)(i * 5 + 1);
	open_with_reader(&v, dest, &w, data, big);
	read_in(&v, w.buf, 100000, 4096);
	cr_assert_eq(rx.asked, 1);
	cr_assert_eq(msgr2_session_rx_revoke(v.s, dest), 0);
	memset(dest, 0xee, big);
	read_in(&v, w.buf + 100000, w.len - 100000, 4096);
	cr_assert_eq(v.ev.msgs, 2);
	cr_assert_eq(v.ev.downs, 0);
	for (size_t i = 0; i < big; i++)
		cr_assert_eq(dest[i], 0xee, "byte %zu written after the revoke", i);
	cr_assert_neq(v.ev.data9, dest);
	wire_enc_free(&w);
	srv_fini(&v);

	/* the data corrupted on the way */
	open_with_reader(&v, dest, &w, data, big);
	w.buf[w.len / 2] ^= 1;
	read_in(&v, w.buf, w.len, 65536);
	cr_assert_eq(rx.asked, 1);
	cr_assert_eq(v.ev.msgs, 0);
	cr_assert_eq(v.ev.downs, 1);
	cr_assert(strstr(v.ev.why, "integrity") != NULL, "%s", v.ev.why);
	wire_enc_free(&w);
	srv_fini(&v);
	free(data);
	free(dest);
}
