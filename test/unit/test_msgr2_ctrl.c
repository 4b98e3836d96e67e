/*
 * Unit tests for cephmon/msgr/msgr2_ctrl.c: control frame payloads,
 * ceph_msg_header2 and the AUTH_SIGNATURE HMAC.
 *
 * Expected bytes are written out field by field from the layouts in Ceph's
 * frames_v2.h and the kernel's prepare_client_ident() / process_*() (derived,
 * not captured). The entity_addr_t bytes inside them follow the monmaptool
 * vectors of test_ceph_addr_wire.c. HMAC-SHA256 is checked against RFC 4231.
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
#include "cephmon/msgr/msgr2_frame.h"
#include "test/lib/ceph_fixtures.h"

static bool addr_eq(const struct ceph_entity_addr *a, const struct ceph_entity_addr *b)
{
	return a->type == b->type && a->nonce == b->nonce && !memcmp(&a->ss, &b->ss, sizeof(a->ss));
}

/* Check that @e holds exactly @hex, then reset it. */
static void expect(struct wire_enc *e, const char *hex)
{
	uint8_t want[512];
	size_t n = fx_unhex(hex, want, sizeof(want));

	cr_assert_eq(wire_enc_error(e), 0);
	cr_assert_eq(e->len, n, "encoded %zu bytes, want %zu", e->len, n);
	cr_assert_eq(memcmp(e->buf, want, n), 0, "bytes differ");
	wire_enc_free(e);
}

/* entity_addr_t for v2:10.1.2.3:3300, nonce 0x11223344 */
#define MON_ADDR_HEX "01 01 01 1c000000 02000000 44332211 10000000 0200 0ce4 0a010203 0000000000000000"
/* entity_addr_t for any:192.168.1.7:0, nonce 0x0badcafe (the kernel's
 * my_addr: type ANY, port 0, a random nonce) */
#define MY_ADDR_HEX "01 01 01 1c000000 03000000 fecaad0b 10000000 0200 0000 c0a80107 0000000000000000"

/* ---- HELLO -------------------------------------------------------------------- */

Test(msgr2_ctrl, hello)
{
	struct msgr2_hello h = {.entity_type = CEPH_ENTITY_TYPE_CLIENT}, g;
	uint8_t w[128];
	struct wire_enc e;
	size_t n;

	fx_addr_in4(&h.peer_addr, CEPH_ADDR_MSGR2, "10.1.2.3", 3300, 0x11223344);
	wire_enc_init(&e);
	cr_assert_eq(msgr2_hello_encode(&e, &h), 0);
	expect(&e, "08 " MON_ADDR_HEX);

	n = fx_unhex("01 " MY_ADDR_HEX, w, sizeof(w));
	cr_assert_eq(msgr2_hello_decode(w, n, &g), 0);
	cr_assert_eq(g.entity_type, CEPH_ENTITY_TYPE_MON);
	fx_addr_in4(&h.peer_addr, CEPH_ADDR_ANY, "192.168.1.7", 0, 0x0badcafe);
	cr_assert(addr_eq(&g.peer_addr, &h.peer_addr));
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(msgr2_hello_decode(w, i, &g), -EBADMSG);

	/* An address the codec cannot say is refused, and nothing appended. */
	h.peer_addr.ss.ss_family = AF_UNIX;
	wire_enc_init(&e);
	cr_assert_eq(msgr2_hello_encode(&e, &h), -EINVAL);
	cr_assert_eq(e.len, 0);
	wire_enc_free(&e);
}

/* ---- AUTH_* --------------------------------------------------------------------- */

Test(msgr2_ctrl, auth_request)
{
	static const uint8_t payload[] = {0xaa, 0xbb, 0xcc};
	struct msgr2_auth_request r = {.method = 2,
				       .preferred_modes = {2, {MSGR2_CON_MODE_SECURE, MSGR2_CON_MODE_CRC}},
				       .payload = payload,
				       .payload_len = sizeof(payload)},
				  g;
	uint8_t w[64];
	struct wire_enc e;
	size_t n;

	wire_enc_init(&e);
	cr_assert_eq(msgr2_auth_request_encode(&e, &r), 0);
	n = fx_unhex("02000000 02000000 02000000 01000000 03000000 aabbcc", w, sizeof(w));
	cr_assert_eq(e.len, n);
	cr_assert_eq(memcmp(e.buf, w, n), 0);
	wire_enc_free(&e);

	cr_assert_eq(msgr2_auth_request_decode(w, n, &g), 0);
	cr_assert_eq(g.method, 2);
	cr_assert_eq(g.preferred_modes.n, 2);
	cr_assert_eq(g.preferred_modes.v[0], MSGR2_CON_MODE_SECURE);
	cr_assert_eq(g.preferred_modes.v[1], MSGR2_CON_MODE_CRC);
	cr_assert_eq(g.payload_len, 3);
	cr_assert_eq(g.payload, w + n - 3, "payload points into the input");
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(msgr2_auth_request_decode(w, i, &g), -EBADMSG);

	/* Nine modes: more than anyone sends, and more than we hold. */
	r.preferred_modes.n = MSGR2_LIST_MAX + 1;
	wire_enc_init(&e);
	cr_assert_eq(msgr2_auth_request_encode(&e, &r), -EINVAL);
	cr_assert_eq(e.len, 0);
	wire_enc_free(&e);
	n = fx_unhex("02000000 09000000", w, sizeof(w));
	memset(w + n, 0, 40);
	cr_assert_eq(msgr2_auth_request_decode(w, n + 40, &g), -EBADMSG);
}

Test(msgr2_ctrl, auth_bad_method)
{
	uint8_t w[64];
	struct msgr2_auth_bad_method b, g = {0};
	struct wire_enc e;
	size_t n = fx_unhex("02000000 f3ffffff 01000000 01000000 02000000 01000000 02000000", w, sizeof(w));

	/* cephx refused (-EACCES = -13); the server allows none, crc or secure. */
	cr_assert_eq(msgr2_auth_bad_method_decode(w, n, &b), 0);
	cr_assert_eq(b.method, 2);
	cr_assert_eq(b.result, -13);
	cr_assert_eq(b.allowed_methods.n, 1);
	cr_assert_eq(b.allowed_methods.v[0], 1);
	cr_assert_eq(b.allowed_modes.n, 2);
	cr_assert_eq(b.allowed_modes.v[1], 2);
	wire_enc_init(&e);
	cr_assert_eq(msgr2_auth_bad_method_encode(&e, &b), 0);
	cr_assert_eq(e.len, n);
	cr_assert_eq(memcmp(e.buf, w, n), 0);
	wire_enc_free(&e);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(msgr2_auth_bad_method_decode(w, i, &g), -EBADMSG);
		cr_assert_eq(g.method, 0, "output touched on failure");
	}
}

Test(msgr2_ctrl, auth_more_and_done)
{
	static const uint8_t blob[] = "ticket";
	struct msgr2_auth_more m = {blob, 6}, mg;
	struct msgr2_auth_done d = {.global_id = 0x1234,
				    .con_mode = MSGR2_CON_MODE_SECURE,
				    .payload = blob,
				    .payload_len = 6},
			       dg;
	struct wire_enc e;
	uint8_t w[64];
	size_t n;

	wire_enc_init(&e);
	cr_assert_eq(msgr2_auth_more_encode(&e, &m), 0);
	expect(&e, "06000000 7469636b6574");
	wire_enc_init(&e);
	cr_assert_eq(msgr2_auth_done_encode(&e, &d), 0);
	expect(&e, "3412000000000000 02000000 06000000 7469636b6574");

	n = fx_unhex("3412000000000000 02000000 06000000 7469636b6574", w, sizeof(w));
	cr_assert_eq(msgr2_auth_done_decode(w, n, &dg), 0);
	cr_assert_eq(dg.global_id, 0x1234);
	cr_assert_eq(dg.con_mode, MSGR2_CON_MODE_SECURE);
	cr_assert_eq(dg.payload_len, 6);
	cr_assert_eq(memcmp(dg.payload, "ticket", 6), 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(msgr2_auth_done_decode(w, i, &dg), -EBADMSG);
	cr_assert_eq(msgr2_auth_more_decode(w + 12, n - 12, &mg), 0);
	cr_assert_eq(mg.payload_len, 6);

	/* A payload length past the end of the frame. */
	n = fx_unhex("ffffffff 7469636b6574", w, sizeof(w));
	cr_assert_eq(msgr2_auth_more_decode(w, n, &mg), -EBADMSG);
}

/* ---- identification ----------------------------------------------------------------- */

#define IDENT_TAIL_HEX                                                                                                 \
	"2a00000000000000 0700000000000000 ffffffffffffff3f 0000000000000000 0000000000000000 efbeadde00000000"

Test(msgr2_ctrl, client_ident_as_the_kernel_sends_it)
{
	struct msgr2_client_ident c = {.addrs = {.n = 1},
				       .global_id = 42,
				       .global_seq = 7,
				       .supported_features = 0x3fffffffffffffffull,
				       .required_features = 0,
				       .flags = 0,
				       .cookie = 0xdeadbeef},
				  g;
	struct wire_enc e;
	uint8_t w[256];
	size_t n;

	fx_addr_in4(&c.addrs.v[0], CEPH_ADDR_ANY, "192.168.1.7", 0, 0x0badcafe);
	fx_addr_in4(&c.target_addr, CEPH_ADDR_MSGR2, "10.1.2.3", 3300, 0x11223344);
	wire_enc_init(&e);
	cr_assert_eq(msgr2_client_ident_encode(&e, &c), 0);
	/* addrvec marker 2, one address; then the target; then six le64. */
	expect(&e, "02 01000000 " MY_ADDR_HEX " " MON_ADDR_HEX " " IDENT_TAIL_HEX);

	n = fx_unhex("02 01000000 " MY_ADDR_HEX " " MON_ADDR_HEX " " IDENT_TAIL_HEX, w, sizeof(w));
	cr_assert_eq(msgr2_client_ident_decode(w, n, &g), 0);
	cr_assert_eq(g.addrs.n, 1);
	cr_assert(addr_eq(&g.addrs.v[0], &c.addrs.v[0]));
	cr_assert(addr_eq(&g.target_addr, &c.target_addr));
	cr_assert_eq(g.global_id, 42);
	cr_assert_eq(g.cookie, 0xdeadbeef);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(msgr2_client_ident_decode(w, i, &g), -EBADMSG);
}

Test(msgr2_ctrl, server_ident)
{
	struct msgr2_server_ident s, want = {.addrs = {.n = 2},
					     .global_id = 42,
					     .global_seq = 7,
					     .supported_features = 0x3fffffffffffffffull,
					     .cookie = 0xdeadbeef};
	struct wire_enc e;
	uint8_t w[256];
	size_t n;

	fx_addr_in4(&want.addrs.v[0], CEPH_ADDR_MSGR2, "10.1.2.3", 3300, 0x11223344);
	fx_addr_in4(&want.addrs.v[1], CEPH_ADDR_LEGACY, "10.1.2.3", 6789, 0x11223344);
	n = fx_unhex(
	    "02 02000000 " MON_ADDR_HEX
	    " 01 01 01 1c000000 01000000 44332211 10000000 0200 1a85 0a010203 0000000000000000 " IDENT_TAIL_HEX,
	    w, sizeof(w));
	cr_assert_eq(msgr2_server_ident_decode(w, n, &s), 0);
	cr_assert_eq(s.addrs.n, 2);
	cr_assert(addr_eq(&s.addrs.v[0], &want.addrs.v[0]));
	cr_assert(addr_eq(&s.addrs.v[1], &want.addrs.v[1]));
	cr_assert_eq(s.global_id, 42);
	cr_assert_eq(s.global_seq, 7);
	cr_assert_eq(s.supported_features, 0x3fffffffffffffffull);
	cr_assert_eq(s.required_features, 0);
	cr_assert_eq(s.flags, 0);
	cr_assert_eq(s.cookie, 0xdeadbeef);
	wire_enc_init(&e);
	cr_assert_eq(msgr2_server_ident_encode(&e, &want), 0);
	cr_assert_eq(e.len, n);
	cr_assert_eq(memcmp(e.buf, w, n), 0);
	wire_enc_free(&e);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(msgr2_server_ident_decode(w, i, &s), -EBADMSG);
	/* Trailing bytes a newer server might add are ignored. */
	memset(w + n, 0xee, 3);
	cr_assert_eq(msgr2_server_ident_decode(w, n + 3, &s), 0);
	cr_assert_eq(s.cookie, 0xdeadbeef);
}

Test(msgr2_ctrl, session_reconnect)
{
	struct msgr2_session_reconnect r = {
	    .addrs = {.n = 1}, .client_cookie = 1, .server_cookie = 2, .global_seq = 3, .connect_seq = 4, .msg_seq = 5};
	struct msgr2_session_reconnect g;
	struct wire_enc e;

	fx_addr_in4(&r.addrs.v[0], CEPH_ADDR_ANY, "192.168.1.7", 0, 0x0badcafe);
	wire_enc_init(&e);
	cr_assert_eq(msgr2_session_reconnect_encode(&e, &r), 0);
	cr_assert_eq(msgr2_session_reconnect_decode(e.buf, e.len, &g), 0);
	cr_assert(addr_eq(&g.addrs.v[0], &r.addrs.v[0]));
	cr_assert_eq(g.client_cookie, 1);
	cr_assert_eq(g.msg_seq, 5);
	expect(&e, "02 01000000 " MY_ADDR_HEX
		   " 0100000000000000 0200000000000000 0300000000000000 0400000000000000 0500000000000000");
}

Test(msgr2_ctrl, one_field_frames)
{
	struct wire_enc e;
	uint8_t w[16];
	uint64_t v = 0;
	bool full = false;
	size_t n;

	wire_enc_init(&e);
	cr_assert_eq(msgr2_u64_encode(&e, 0x0807060504030201ull), 0);
	expect(&e, "0102030405060708");
	n = fx_unhex("0102030405060708", w, sizeof(w));
	cr_assert_eq(msgr2_u64_decode(w, n, &v), 0);
	cr_assert_eq(v, 0x0807060504030201ull);
	cr_assert_eq(msgr2_u64_decode(w, 7, &v), -EBADMSG);

	wire_enc_init(&e);
	cr_assert_eq(msgr2_session_reset_encode(&e, true), 0);
	expect(&e, "01");
	w[0] = 0x80; /* any non-zero byte is true, as Ceph's decode(bool) */
	cr_assert_eq(msgr2_session_reset_decode(w, 1, &full), 0);
	cr_assert(full);
	w[0] = 0;
	cr_assert_eq(msgr2_session_reset_decode(w, 1, &full), 0);
	cr_assert(!full);
	cr_assert_eq(msgr2_session_reset_decode(w, 0, &full), -EBADMSG);
}

Test(msgr2_ctrl, keepalive_and_compression)
{
	struct msgr2_timespec t = {1700000000, 123456789}, tg;
	struct msgr2_compression_request r = {true, {2, {1, 3}}}, rg;
	struct msgr2_compression_done d = {true, 3}, dg;
	struct wire_enc e;
	uint8_t w[32];
	size_t n;

	wire_enc_init(&e);
	cr_assert_eq(msgr2_keepalive_encode(&e, &t), 0);
	expect(&e, "00f15365 15cd5b07");
	n = fx_unhex("00f15365 15cd5b07", w, sizeof(w));
	cr_assert_eq(msgr2_keepalive_decode(w, n, &tg), 0);
	cr_assert_eq(tg.sec, 1700000000);
	cr_assert_eq(tg.nsec, 123456789);
	cr_assert_eq(msgr2_keepalive_decode(w, 7, &tg), -EBADMSG);

	wire_enc_init(&e);
	cr_assert_eq(msgr2_compression_request_encode(&e, &r), 0);
	cr_assert_eq(msgr2_compression_request_decode(e.buf, e.len, &rg), 0);
	cr_assert(rg.is_compress);
	cr_assert_eq(rg.preferred_methods.n, 2);
	cr_assert_eq(rg.preferred_methods.v[1], 3);
	expect(&e, "01 02000000 01000000 03000000");

	wire_enc_init(&e);
	cr_assert_eq(msgr2_compression_done_encode(&e, &d), 0);
	cr_assert_eq(msgr2_compression_done_decode(e.buf, e.len, &dg), 0);
	cr_assert(dg.is_compress);
	cr_assert_eq(dg.method, 3);
	cr_assert_eq(msgr2_compression_done_decode(e.buf, e.len - 1, &dg), -EBADMSG);
	expect(&e, "01 03000000");
}

/* ---- ceph_msg_header2 ---------------------------------------------------------------------- */

Test(msgr2_ctrl, msg_header2)
{
	struct msgr2_msg_header h = {.seq = 0x0102030405060708ull,
				     .tid = 0x1112131415161718ull,
				     .type = 0x2122,
				     .priority = 127,
				     .version = 3,
				     .data_pre_padding_len = 0x31323334,
				     .data_off = 0x4142,
				     .ack_seq = 0x5152535455565758ull,
				     .flags = 0x61,
				     .compat_version = 1,
				     .reserved = 0},
				g;
	static const char hex[] = "0807060504030201 1817161514131211 2221 7f00 0300 34333231 4241 5857565554535251 61 "
				  "0100 0000";
	struct wire_enc e;
	uint8_t w[64];
	size_t n = fx_unhex(hex, w, sizeof(w));

	cr_assert_eq(n, MSGR2_MSG_HEADER_LEN);
	wire_enc_init(&e);
	cr_assert_eq(msgr2_msg_header_encode(&e, &h), 0);
	expect(&e, hex);
	cr_assert_eq(msgr2_msg_header_decode(w, n, &g), 0);
	cr_assert(g.seq == h.seq && g.tid == h.tid && g.type == h.type && g.priority == h.priority &&
		  g.version == h.version && g.data_pre_padding_len == h.data_pre_padding_len &&
		  g.data_off == h.data_off && g.ack_seq == h.ack_seq && g.flags == h.flags &&
		  g.compat_version == h.compat_version && g.reserved == h.reserved);
	cr_assert_eq(msgr2_msg_header_decode(w, n - 1, &g), -EBADMSG);
}

/* ---- AUTH_SIGNATURE --------------------------------------------------------------------------- */

Test(msgr2_ctrl, hmac_sha256_rfc4231)
{
	uint8_t key[20], sig[32], want[32];
	struct iovec iov[3];

	/* RFC 4231 test case 1. */
	memset(key, 0x0b, sizeof(key));
	iov[0] = (struct iovec){(void *)"Hi There", 8};
	cr_assert_eq(msgr2_auth_signature(key, sizeof(key), iov, 1, sig), 0);
	fx_unhex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", want, sizeof(want));
	cr_assert_eq(memcmp(sig, want, 32), 0);

	/* Test case 2, the message in three pieces (and an empty one). */
	iov[0] = (struct iovec){(void *)"what do ya want ", 16};
	iov[1] = (struct iovec){NULL, 0};
	iov[2] = (struct iovec){(void *)"for nothing?", 12};
	cr_assert_eq(msgr2_auth_signature((const uint8_t *)"Jefe", 4, iov, 3, sig), 0);
	fx_unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", want, sizeof(want));
	cr_assert_eq(memcmp(sig, want, 32), 0);
	cr_assert_eq(msgr2_auth_signature_check(want, 32, sig), 0);
	want[31] ^= 1;
	cr_assert_eq(msgr2_auth_signature_check(want, 32, sig), -EBADMSG);
	cr_assert_eq(msgr2_auth_signature_check(sig, 31, sig), -EBADMSG);
}

Test(msgr2_ctrl, auth_none_signs_with_zeros)
{
	uint8_t sig[32], zero[32] = {0};
	struct iovec iov = {(void *)"ceph v2\n", 8};

	memset(sig, 0xff, sizeof(sig));
	cr_assert_eq(msgr2_auth_signature(NULL, 0, &iov, 1, sig), 0);
	cr_assert_eq(memcmp(sig, zero, 32), 0);
}

/* ---- a whole handshake, both ends built from this codec ------------------------------------ */

struct end {
	struct wire_enc sent;	  /* every byte this end wrote, for the signature */
	struct wire_enc received; /* every byte it read */
	struct msgr2_crypto c;
	bool secure;
	struct wire_enc wire; /* the last frame it read: a crc frame's segments point into it */
};

/* One frame from @a to @b over "the wire"; returns the decoded frame. */
static void xfer(struct end *a, struct end *b, uint8_t tag, const struct msgr2_seg *s, unsigned n,
		 struct msgr2_frame *f, bool record)
{
	struct wire_enc *wire = &b->wire;
	size_t fl;

	wire_enc_free(wire);
	wire_enc_init(wire);
	cr_assert_eq(msgr2_frame_encode(wire, tag, s, n, a->secure ? &a->c.tx : NULL), 0);
	if (record) {
		wire_enc_bytes(&a->sent, wire->buf, wire->len);
		wire_enc_bytes(&b->received, wire->buf, wire->len);
	}
	cr_assert_eq(msgr2_frame_decode(wire->buf, wire->len, b->secure ? &b->c.rx : NULL, f, &fl), 0);
	cr_assert_eq(fl, wire->len);
	cr_assert_eq(f->tag, tag);
}

static void sign(const struct wire_enc *log, const uint8_t key[16], uint8_t sig[32])
{
	struct iovec iov = {log->buf, log->len};

	cr_assert_eq(msgr2_auth_signature(key, 16, &iov, 1, sig), 0);
}

Test(msgr2_ctrl, handshake_walkthrough)
{
	static const uint8_t session_key[16] = "0123456789abcdef";
	uint8_t secret[64], sig[32], want[32];
	struct end cl = {0}, sv = {0};
	struct msgr2_frame f;
	struct wire_enc p;
	struct msgr2_seg s[4];
	uint64_t sup, req;
	uint16_t plen;

	wire_enc_init(&cl.sent);
	wire_enc_init(&cl.received);
	wire_enc_init(&sv.sent);
	wire_enc_init(&sv.received);

	/* Banners: ours, and a monitor's (msgr2.1 + compression, nothing
	 * required). Both are part of what gets signed. */
	msgr2_banner_encode(&cl.sent);
	wire_enc_bytes(&sv.received, cl.sent.buf, cl.sent.len);
	wire_enc_bytes(&sv.sent, "ceph v2\n", 8);
	wire_enc_le16(&sv.sent, 16);
	wire_enc_le64(&sv.sent, 3);
	wire_enc_le64(&sv.sent, 0);
	wire_enc_bytes(&cl.received, sv.sent.buf, sv.sent.len);
	cr_assert_eq(msgr2_banner_decode_prefix(cl.received.buf, 10, &plen), 0);
	cr_assert_eq(msgr2_banner_decode_payload(cl.received.buf + 10, plen, &sup, &req), 0);
	cr_assert_eq(msgr2_banner_check(sup, req), 0);

	/* HELLO both ways. */
	struct msgr2_hello hello = {.entity_type = CEPH_ENTITY_TYPE_CLIENT}, got_hello;
	fx_addr_in4(&hello.peer_addr, CEPH_ADDR_MSGR2, "10.1.2.3", 3300, 0);
	wire_enc_init(&p);
	cr_assert_eq(msgr2_hello_encode(&p, &hello), 0);
	s[0] = (struct msgr2_seg){p.buf, (uint32_t)p.len};
	xfer(&cl, &sv, MSGR2_TAG_HELLO, s, 1, &f, true);
	cr_assert_eq(msgr2_hello_decode(f.seg[0], f.len[0], &got_hello), 0);
	cr_assert_eq(got_hello.entity_type, CEPH_ENTITY_TYPE_CLIENT);
	msgr2_frame_free(&f);
	wire_enc_free(&p);
	hello.entity_type = CEPH_ENTITY_TYPE_MON;
	fx_addr_in4(&hello.peer_addr, CEPH_ADDR_MSGR2, "192.168.1.7", 52886, 0);
	wire_enc_init(&p);
	cr_assert_eq(msgr2_hello_encode(&p, &hello), 0);
	s[0] = (struct msgr2_seg){p.buf, (uint32_t)p.len};
	xfer(&sv, &cl, MSGR2_TAG_HELLO, s, 1, &f, true);
	cr_assert_eq(msgr2_hello_decode(f.seg[0], f.len[0], &got_hello), 0);
	cr_assert_eq(got_hello.entity_type, CEPH_ENTITY_TYPE_MON);
	msgr2_frame_free(&f);
	wire_enc_free(&p);

	/* AUTH_REQUEST, then AUTH_DONE choosing secure mode. */
	struct msgr2_auth_request ar = {
	    .method = 2, .preferred_modes = {2, {2, 1}}, .payload = (const uint8_t *)"req", .payload_len = 3};
	wire_enc_init(&p);
	cr_assert_eq(msgr2_auth_request_encode(&p, &ar), 0);
	s[0] = (struct msgr2_seg){p.buf, (uint32_t)p.len};
	xfer(&cl, &sv, MSGR2_TAG_AUTH_REQUEST, s, 1, &f, true);
	msgr2_frame_free(&f);
	wire_enc_free(&p);
	struct msgr2_auth_done ad = {.global_id = 4242,
				     .con_mode = MSGR2_CON_MODE_SECURE,
				     .payload = (const uint8_t *)"done",
				     .payload_len = 4},
			       got_ad;
	wire_enc_init(&p);
	cr_assert_eq(msgr2_auth_done_encode(&p, &ad), 0);
	s[0] = (struct msgr2_seg){p.buf, (uint32_t)p.len};
	xfer(&sv, &cl, MSGR2_TAG_AUTH_DONE, s, 1, &f, true);
	cr_assert_eq(msgr2_auth_done_decode(f.seg[0], f.len[0], &got_ad), 0);
	cr_assert_eq(got_ad.con_mode, MSGR2_CON_MODE_SECURE);
	msgr2_frame_free(&f);
	wire_enc_free(&p);

	/* cephx would yield the session key and a connection secret; both
	 * ends switch to secure mode, the server's directions crossed. */
	for (unsigned i = 0; i < sizeof(secret); i++)
		secret[i] = (uint8_t)(0xa0 + i);
	cr_assert_eq(msgr2_crypto_init_client(&cl.c, secret, sizeof(secret)), 0);
	cr_assert_eq(msgr2_crypto_init_client(&sv.c, secret, sizeof(secret)), 0);
	struct msgr2_gcm t = sv.c.rx;
	sv.c.rx = sv.c.tx;
	sv.c.tx = t;
	cl.secure = sv.secure = true;

	/* AUTH_SIGNATURE: each signs what it received, checks what it sent. */
	sign(&cl.received, session_key, sig);
	s[0] = (struct msgr2_seg){sig, 32};
	xfer(&cl, &sv, MSGR2_TAG_AUTH_SIGNATURE, s, 1, &f, false);
	sign(&sv.sent, session_key, want);
	cr_assert_eq(msgr2_auth_signature_check(f.seg[0], f.len[0], want), 0);
	msgr2_frame_free(&f);
	sign(&sv.received, session_key, sig);
	s[0] = (struct msgr2_seg){sig, 32};
	xfer(&sv, &cl, MSGR2_TAG_AUTH_SIGNATURE, s, 1, &f, false);
	sign(&cl.sent, session_key, want);
	cr_assert_eq(msgr2_auth_signature_check(f.seg[0], f.len[0], want), 0);
	/* A signature over anything else does not pass. */
	sign(&cl.received, session_key, want);
	cr_assert_eq(msgr2_auth_signature_check(f.seg[0], f.len[0], want), -EBADMSG);
	msgr2_frame_free(&f);

	/* CLIENT_IDENT / SERVER_IDENT, now encrypted. */
	struct msgr2_client_ident ci = {.addrs = {.n = 1},
					.global_id = 4242,
					.global_seq = 1,
					.supported_features = 0x3fffffffffffffffull,
					.cookie = 99};
	fx_addr_in4(&ci.addrs.v[0], CEPH_ADDR_ANY, "192.168.1.7", 0, 0x0badcafe);
	fx_addr_in4(&ci.target_addr, CEPH_ADDR_MSGR2, "10.1.2.3", 3300, 0);
	wire_enc_init(&p);
	cr_assert_eq(msgr2_client_ident_encode(&p, &ci), 0);
	cr_assert_gt(p.len, MSGR2_INLINE_LEN); /* spills out of the inline buffer */
	s[0] = (struct msgr2_seg){p.buf, (uint32_t)p.len};
	xfer(&cl, &sv, MSGR2_TAG_CLIENT_IDENT, s, 1, &f, false);
	struct msgr2_client_ident gci;
	cr_assert_eq(msgr2_client_ident_decode(f.seg[0], f.len[0], &gci), 0);
	cr_assert_eq(gci.cookie, 99);
	msgr2_frame_free(&f);
	wire_enc_free(&p);

	struct msgr2_server_ident si = {
	    .addrs = {.n = 1}, .global_id = 1, .global_seq = 5, .flags = MSGR2_IDENT_FLAG_LOSSY};
	fx_addr_in4(&si.addrs.v[0], CEPH_ADDR_MSGR2, "10.1.2.3", 3300, 0);
	wire_enc_init(&p);
	cr_assert_eq(msgr2_server_ident_encode(&p, &si), 0);
	s[0] = (struct msgr2_seg){p.buf, (uint32_t)p.len};
	xfer(&sv, &cl, MSGR2_TAG_SERVER_IDENT, s, 1, &f, false);
	struct msgr2_server_ident gsi;
	cr_assert_eq(msgr2_server_ident_decode(f.seg[0], f.len[0], &gsi), 0);
	cr_assert_eq(gsi.flags, MSGR2_IDENT_FLAG_LOSSY);
	msgr2_frame_free(&f);
	wire_enc_free(&p);

	/* A message: header2 plus a front. */
	struct msgr2_msg_header mh = {.seq = 1, .tid = 7, .type = 15, .priority = 127, .version = 1}, gmh;
	wire_enc_init(&p);
	cr_assert_eq(msgr2_msg_header_encode(&p, &mh), 0);
	s[0] = (struct msgr2_seg){p.buf, (uint32_t)p.len};
	s[1] = (struct msgr2_seg){"get_monmap", 10};
	s[2] = (struct msgr2_seg){NULL, 0};
	s[3] = (struct msgr2_seg){NULL, 0};
	xfer(&cl, &sv, MSGR2_TAG_MESSAGE, s, 4, &f, false);
	cr_assert_eq(f.num_segments, 2);
	cr_assert_eq(msgr2_msg_header_decode(f.seg[0], f.len[0], &gmh), 0);
	cr_assert_eq(gmh.tid, 7);
	cr_assert_eq(memcmp(f.seg[1], "get_monmap", 10), 0);
	msgr2_frame_free(&f);
	wire_enc_free(&p);

	wire_enc_free(&cl.sent);
	wire_enc_free(&cl.received);
	wire_enc_free(&sv.sent);
	wire_enc_free(&sv.received);
	wire_enc_free(&cl.wire);
	wire_enc_free(&sv.wire);
	msgr2_crypto_wipe(&cl.c);
	msgr2_crypto_wipe(&sv.c);
}
