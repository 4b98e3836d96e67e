/*
 * test/lib/msgr2_fake_peer.c: the server side of msgr2 for tests (see the
 * header). Moved out of test_msgr2_session.c so the session engine's test
 * (sans-I/O) and the connection driver's test (over TCP) share one fake.
 */
#include "config.h"

#include "test/lib/msgr2_fake_peer.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* ---- the fake auth method ----------------------------------------------------------- */

const uint8_t fake_auth_session_key[16] = "0123456789abcdef";

static int fa_request(void *arg, struct wire_enc *out, char *why, size_t whylen)
{
	struct fake_auth *a = arg;
	(void)why, (void)whylen;
	a->requests++;
	wire_enc_bytes(out, "req", 3);
	return 0;
}

static int fa_reply_more(void *arg, const uint8_t *p, size_t len, uint64_t now_ns, struct wire_enc *out, char *why,
			 size_t whylen)
{
	struct fake_auth *a = arg;
	(void)now_ns;
	if (len != 4 || memcmp(p, "chal", 4)) {
		snprintf(why, whylen, "bad challenge");
		return -EBADMSG;
	}
	a->rounds++;
	wire_enc_bytes(out, "resp", 4);
	return 0;
}

static int fa_done(void *arg, uint64_t global_id, const uint8_t *p, size_t len, uint64_t now_ns,
		   struct msgr2_auth_result *res, char *why, size_t whylen)
{
	struct fake_auth *a = arg;
	(void)global_id, (void)now_ns;
	a->dones++;
	if (a->done_err) {
		snprintf(why, whylen, "the reply does not decrypt with our key");
		return a->done_err;
	}
	if (len != 4 || memcmp(p, "done", 4))
		return -EBADMSG;
	memcpy(res->session_key, fake_auth_session_key, 16);
	res->session_key_len = 16;
	for (size_t i = 0; i < a->secret_len; i++)
		res->con_secret[i] = (uint8_t)(0xa0 + i);
	res->con_secret_len = a->secret_len;
	return 0;
}

static int fa_refused(void *arg, int32_t result, char *why, size_t whylen)
{
	struct fake_auth *a = arg;
	snprintf(why, whylen, "monitor refused client.test (result %d)", (int)result);
	return a->refused_err;
}

const struct msgr2_auth_ops fake_auth_ops = {2, "fake-cephx", fa_request, fa_reply_more, fa_done, fa_refused};
const struct msgr2_auth_ops fake_auth_none_ops = {1, "fake-none", fa_request, NULL, fa_done, NULL};

/* ---- the fake peer ------------------------------------------------------------------- */

void fake_peer_init(struct fake_peer *fp, uint32_t peer_type)
{
	memset(fp, 0, sizeof(*fp));
	fp->peer_type = peer_type;
	fx_addr_in4(&fp->my_addr, CEPH_ADDR_MSGR2, "10.0.0.1", 3300, 0);
	fx_addr_in4(&fp->client_seen, CEPH_ADDR_MSGR2, "10.0.0.9", 40000, 0);
	wire_enc_init(&fp->in);
	wire_enc_init(&fp->sent);
	wire_enc_init(&fp->rcvd);
	wire_enc_init(&fp->wire);
	fp->logging = true;
}

void fake_peer_fini(struct fake_peer *fp)
{
	wire_enc_free(&fp->in);
	wire_enc_free(&fp->sent);
	wire_enc_free(&fp->rcvd);
	wire_enc_free(&fp->wire);
}

void fake_peer_write(struct fake_peer *fp, const uint8_t *p, size_t n)
{
	wire_enc_bytes(&fp->wire, p, n);
	if (fp->logging)
		wire_enc_bytes(&fp->sent, p, n);
	fp->to_client(fp, p, n);
}

void fake_peer_send(struct fake_peer *fp, uint8_t tag, const struct wire_enc *payload)
{
	struct msgr2_seg seg = {payload->len ? payload->buf : (const void *)"", (uint32_t)payload->len};
	struct wire_enc w;

	wire_enc_init(&w);
	cr_assert_eq(msgr2_frame_encode(&w, tag, &seg, 1, fp->secure ? &fp->c.tx : NULL), 0);
	fake_peer_write(fp, w.buf, w.len);
	wire_enc_free(&w);
}

void fake_peer_send_u64(struct fake_peer *fp, uint8_t tag, uint64_t x)
{
	struct wire_enc e;

	wire_enc_init(&e);
	cr_assert_eq(msgr2_u64_encode(&e, x), 0);
	fake_peer_send(fp, tag, &e);
	wire_enc_free(&e);
}

void fake_peer_send_msg(struct fake_peer *fp, uint64_t seq, uint16_t type, uint64_t tid, const char *front)
{
	fake_peer_send_msg_middle(fp, seq, type, tid, front, NULL);
}

void fake_peer_send_msg_middle(struct fake_peer *fp, uint64_t seq, uint16_t type, uint64_t tid, const char *front,
			       const char *middle)
{
	struct msgr2_msg_header h = {.seq = seq, .tid = tid, .type = type, .version = 1, .compat_version = 1};
	struct msgr2_seg segs[3];
	struct wire_enc e, w;

	wire_enc_init(&e);
	wire_enc_init(&w);
	cr_assert_eq(msgr2_msg_header_encode(&e, &h), 0);
	segs[0] = (struct msgr2_seg){e.buf, (uint32_t)e.len};
	segs[1] = (struct msgr2_seg){front, (uint32_t)strlen(front)};
	segs[2] = (struct msgr2_seg){middle ? middle : "", middle ? (uint32_t)strlen(middle) : 0};
	cr_assert_eq(msgr2_frame_encode(&w, MSGR2_TAG_MESSAGE, segs, middle ? 3 : 2, fp->secure ? &fp->c.tx : NULL), 0);
	fake_peer_write(fp, w.buf, w.len);
	wire_enc_free(&e);
	wire_enc_free(&w);
}

/* At least @n bytes from the client waiting in fp->in. */
static bool have(struct fake_peer *fp, size_t n)
{
	while (fp->in.len - fp->in_off < n)
		if (fp->pull(fp) == 0)
			return false;
	return true;
}

void fake_peer_recv(struct fake_peer *fp, uint8_t want_tag, struct msgr2_frame *f)
{
	size_t fl = 0;
	int r;

	for (;;) {
		r = msgr2_frame_decode(fp->in.buf + fp->in_off, fp->in.len - fp->in_off, fp->secure ? &fp->c.rx : NULL,
				       f, &fl);
		if (r != -EAGAIN || fp->pull(fp) == 0)
			break;
	}
	cr_assert_eq(r, 0, "no whole frame from the client (wanted tag %u): %d", want_tag, r);
	if (fp->logging)
		wire_enc_bytes(&fp->rcvd, fp->in.buf + fp->in_off, fl);
	fp->in_off += fl;
	cr_assert_eq(f->tag, want_tag, "client sent tag %u, wanted %u", f->tag, want_tag);
}

bool fake_peer_nothing_more(struct fake_peer *fp)
{
	fp->pull(fp);
	return fp->in_off == fp->in.len;
}

void fake_peer_banner(struct fake_peer *fp)
{
	uint8_t b[26];
	uint16_t plen;
	uint64_t sup, req;
	const uint8_t *in;

	cr_assert(have(fp, 26), "no banner from the client");
	in = fp->in.buf + fp->in_off;
	cr_assert_eq(msgr2_banner_decode_prefix(in, 10, &plen), 0);
	cr_assert_eq(plen, 16);
	cr_assert_eq(msgr2_banner_decode_payload(in + 10, 16, &sup, &req), 0);
	cr_assert_eq(sup, MSGR2_FEATURE_REVISION_1);
	cr_assert_eq(req, MSGR2_FEATURE_REVISION_1);
	wire_enc_bytes(&fp->rcvd, in, 26);
	fp->in_off += 26;
	/* A daemon's banner: msgr2.1 and compression, nothing required. */
	memcpy(b, "ceph v2\n\x10\x00", 10);
	memset(b + 10, 0, 16);
	b[10] = 3;
	fake_peer_write(fp, b, sizeof(b));
}

void fake_peer_hello(struct fake_peer *fp)
{
	struct msgr2_frame f;
	struct msgr2_hello h;
	struct wire_enc e;

	fake_peer_recv(fp, MSGR2_TAG_HELLO, &f);
	cr_assert_eq(msgr2_hello_decode(f.seg[0], f.len[0], &h), 0);
	cr_assert_eq(h.entity_type, CEPH_ENTITY_TYPE_CLIENT);
	cr_assert_eq(memcmp(&h.peer_addr.ss, &fp->my_addr.ss, sizeof(struct sockaddr_in)), 0,
		     "the client's HELLO names another address than ours");
	msgr2_frame_free(&f);
	h = (struct msgr2_hello){.entity_type = fp->peer_type, .peer_addr = fp->client_seen};
	wire_enc_init(&e);
	cr_assert_eq(msgr2_hello_encode(&e, &h), 0);
	fake_peer_send(fp, MSGR2_TAG_HELLO, &e);
	wire_enc_free(&e);
}

void fake_peer_auth_rounds(struct fake_peer *fp, uint32_t method, const struct msgr2_u32_list *modes)
{
	struct msgr2_frame f;
	struct msgr2_auth_request ar;
	struct msgr2_auth_more m;
	struct wire_enc e;

	fake_peer_recv(fp, MSGR2_TAG_AUTH_REQUEST, &f);
	cr_assert_eq(msgr2_auth_request_decode(f.seg[0], f.len[0], &ar), 0);
	cr_assert_eq(ar.method, method);
	cr_assert_eq(ar.payload_len, 3);
	cr_assert_eq(memcmp(ar.payload, "req", 3), 0);
	if (modes) {
		cr_assert_eq(ar.preferred_modes.n, modes->n);
		for (uint32_t i = 0; i < modes->n; i++)
			cr_assert_eq(ar.preferred_modes.v[i], modes->v[i]);
	}
	msgr2_frame_free(&f);
	m = (struct msgr2_auth_more){(const uint8_t *)"chal", 4};
	wire_enc_init(&e);
	cr_assert_eq(msgr2_auth_more_encode(&e, &m), 0);
	fake_peer_send(fp, MSGR2_TAG_AUTH_REPLY_MORE, &e);
	wire_enc_free(&e);
	fake_peer_recv(fp, MSGR2_TAG_AUTH_REQUEST_MORE, &f);
	cr_assert_eq(msgr2_auth_more_decode(f.seg[0], f.len[0], &m), 0);
	cr_assert_eq(m.payload_len, 4);
	cr_assert_eq(memcmp(m.payload, "resp", 4), 0);
	msgr2_frame_free(&f);
}

void fake_peer_auth_done(struct fake_peer *fp, uint32_t con_mode)
{
	struct msgr2_auth_done d = {
	    .global_id = 4242, .con_mode = con_mode, .payload = (const uint8_t *)"done", .payload_len = 4};
	struct wire_enc e;

	wire_enc_init(&e);
	cr_assert_eq(msgr2_auth_done_encode(&e, &d), 0);
	fake_peer_send(fp, MSGR2_TAG_AUTH_DONE, &e);
	wire_enc_free(&e);
	fp->logging = false;
	if (con_mode == MSGR2_CON_MODE_SECURE) {
		uint8_t secret[64];
		struct msgr2_gcm t;

		for (size_t i = 0; i < sizeof(secret); i++)
			secret[i] = (uint8_t)(0xa0 + i);
		cr_assert_eq(msgr2_crypto_init_client(&fp->c, secret, sizeof(secret)), 0);
		t = fp->c.rx; /* the server's directions are the client's crossed */
		fp->c.rx = fp->c.tx;
		fp->c.tx = t;
		fp->secure = true;
	}
}

void fake_peer_signatures(struct fake_peer *fp, bool good)
{
	uint8_t sig[32];
	struct msgr2_frame f;
	struct iovec iov;
	struct wire_enc e;

	fake_peer_recv(fp, MSGR2_TAG_AUTH_SIGNATURE, &f);
	iov = (struct iovec){fp->sent.buf, fp->sent.len};
	cr_assert_eq(msgr2_auth_signature(fake_auth_session_key, 16, &iov, 1, sig), 0);
	cr_assert_eq(msgr2_auth_signature_check(f.seg[0], f.len[0], sig), 0, "the client's signature is wrong");
	msgr2_frame_free(&f);
	iov = (struct iovec){fp->rcvd.buf, fp->rcvd.len};
	cr_assert_eq(msgr2_auth_signature(fake_auth_session_key, 16, &iov, 1, sig), 0);
	if (!good)
		sig[5] ^= 1;
	wire_enc_init(&e);
	wire_enc_bytes(&e, sig, sizeof(sig));
	fake_peer_send(fp, MSGR2_TAG_AUTH_SIGNATURE, &e);
	wire_enc_free(&e);
}

void fake_peer_client_ident(struct fake_peer *fp, struct msgr2_client_ident *ci)
{
	struct msgr2_frame f;

	fake_peer_recv(fp, MSGR2_TAG_CLIENT_IDENT, &f);
	cr_assert_eq(msgr2_client_ident_decode(f.seg[0], f.len[0], ci), 0);
	msgr2_frame_free(&f);
}

void fake_peer_server_ident(struct fake_peer *fp, uint64_t required)
{
	struct msgr2_server_ident si = {.addrs = {1, {fp->my_addr}},
					.global_id = 0,
					.global_seq = 99,
					.supported_features = 0x3f01cfbdfffdffffULL,
					.required_features = required,
					.flags = MSGR2_IDENT_FLAG_LOSSY,
					.cookie = 0};
	struct wire_enc e;

	wire_enc_init(&e);
	cr_assert_eq(msgr2_server_ident_encode(&e, &si), 0);
	fake_peer_send(fp, MSGR2_TAG_SERVER_IDENT, &e);
	wire_enc_free(&e);
}
