/*
 * Fuzz target: the reply decoders of cephmon/msgr/cephx.c and cephx_crypto.c,
 * with the fixed test key of test/unit/cephx_vectors.h.
 *
 * Input: one byte choosing the entry point, then its payload.
 *   0  AUTH_DONE after a fresh handshake     5  MAuthReply front, then its
 *   1  MAuth reply payload, authenticated       payload as in 1
 *   2  AUTH_DONE after a reclaim handshake   6  template -> as 0
 *   3  an OSD authorizer's reply             7  template -> as 1
 *   4  an OSD authorizer challenge           8  template -> as 3
 * Random bytes rarely survive decryption, so modes 6-8 take a template: a
 * list of records (u8 kind, u16 length, bytes) assembled into the payload,
 * where kind 0 is raw, 1/2/3 encrypt the bytes (encode_encrypt) with the
 * client key / the AUTH session key / the OSD session key of the vectors,
 * and 4 wraps the assembled records inside in a u32 length. That lets the
 * fuzzer reach the decoders of the plaintext. Seeds: cephx_vectors.py
 * --seeds.
 *
 * Invariants: a failed call leaves the client's state as it was; a good
 * one leaves only well-formed tickets and secrets within bounds.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/cephx_vectors.h"
#include "cephmon/ceph_conf.h"
#include "cephmon/msgr/cephx.h"
#include "cephmon/msgr/cephx_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1000000

static uint64_t next_random;

static int fixed_random(void *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)(next_random >> (8 * (i % 8)));
	return 0;
}

static struct ceph_crypto_key key_of(const uint8_t secret[16])
{
	struct ceph_crypto_key k = {.type = CEPH_CRYPTO_AES, .len = 16};

	memcpy(k.secret, secret, 16);
	return k;
}

static void new_client(struct cephx_client *c)
{
	struct ceph_crypto_key key;
	struct wire_enc e;
	char err[128];

	if (ceph_key_decode(V_CLIENT_KEY, &key, err, sizeof(err)) ||
	    cephx_client_init(c, CEPH_ENTITY_TYPE_CLIENT, "admin", &key,
			      CEPH_ENTITY_TYPE_MON | CEPH_ENTITY_TYPE_OSD | CEPH_ENTITY_TYPE_MDS))
		abort();
	c->random = fixed_random;
	next_random = V_CLIENT_CHALLENGE;
	wire_enc_init(&e);
	if (cephx_get_request(c, &e) ||
	    cephx_handle_reply_more(c, v_server_challenge, sizeof(v_server_challenge), NOW, &e))
		abort();
	wire_enc_free(&e);
}

static void authenticated_client(struct cephx_client *c)
{
	new_client(c);
	if (cephx_handle_reply_done(c, V_GLOBAL_ID, v_auth_done, sizeof(v_auth_done), NOW, NULL))
		abort();
}

/* Everything a failed call must not touch, flattened for memcmp. */
struct state {
	uint64_t global_id, server_challenge;
	uint32_t have_keys;
	uint8_t starting;
	struct {
		uint8_t have_key;
		uint8_t key[16];
		uint16_t key_len;
		uint64_t secret_id;
		uint32_t blob_len;
		int64_t expires, renew_after;
	} t[CEPHX_NSERVICES];
};

static void capture(const struct cephx_client *c, struct state *s)
{
	memset(s, 0, sizeof(*s));
	s->global_id = c->global_id;
	s->server_challenge = c->server_challenge;
	s->have_keys = c->have_keys;
	s->starting = c->starting;
	for (int i = 0; i < CEPHX_NSERVICES; i++) {
		s->t[i].have_key = c->tickets[i].have_key;
		memcpy(s->t[i].key, c->tickets[i].session_key.secret, 16);
		s->t[i].key_len = c->tickets[i].session_key.len;
		s->t[i].secret_id = c->tickets[i].secret_id;
		s->t[i].blob_len = c->tickets[i].blob_len;
		s->t[i].expires = c->tickets[i].expires;
		s->t[i].renew_after = c->tickets[i].renew_after;
	}
}

static void check_after(const struct cephx_client *c, const struct state *before, int r, size_t size,
			const struct cephx_session *sess)
{
	struct state now;

	capture(c, &now);
	if (r && r != -EAGAIN) {
		if (memcmp(before, &now, sizeof(now)))
			abort(); /* a failed reply changed the client */
		return;
	}
	if (c->have_keys & ~0x3fu)
		abort();
	for (int i = 0; i < CEPHX_NSERVICES; i++) {
		const struct cephx_ticket *t = &c->tickets[i];

		if (t->have_key && (t->session_key.len != 16 || t->session_key.type != CEPH_CRYPTO_AES))
			abort();
		if (t->blob_len > size + sizeof(v_auth_done) || (t->blob_len && !t->blob))
			abort();
	}
	if (sess && sess->con_secret_len > CEPHX_CON_SECRET_MAX)
		abort();
}

/* Assemble a template (see the head comment); -1 when malformed. */
static int assemble(const uint8_t *p, size_t n, struct wire_enc *out, int depth)
{
	static const uint8_t *const keys[4] = {NULL, NULL, V_S_AUTH, V_S_OSD};

	if (depth > 4)
		return -1;
	while (n) {
		uint8_t kind;
		size_t len;

		if (n < 3)
			return -1;
		kind = p[0] % 5;
		len = (size_t)p[1] | (size_t)p[2] << 8;
		p += 3;
		n -= 3;
		if (len > n)
			return -1;
		if (kind == 0) {
			/* Not with 0 bytes: wire_enc_reserve(e, 0) on an empty
			 * encoder computes NULL + 0 (UBSan reports it). */
			if (len)
				wire_enc_bytes(out, p, len);
		} else if (kind == 4) {
			struct wire_enc in;

			wire_enc_init(&in);
			if (assemble(p, len, &in, depth + 1)) {
				wire_enc_free(&in);
				return -1;
			}
			ceph_enc_blob(out, in.buf, (uint32_t)in.len);
			wire_enc_free(&in);
		} else {
			struct ceph_crypto_key k;
			char err[64];

			if (kind == 1) {
				if (ceph_key_decode(V_CLIENT_KEY, &k, err, sizeof(err)))
					abort();
			} else {
				k = key_of(keys[kind]);
			}
			if (cephx_encode_encrypt(&k, p, len, out))
				return -1;
		}
		p += len;
		n -= len;
	}
	return wire_enc_error(out) ? -1 : 0;
}

static void fuzz_done(const uint8_t *p, size_t n, bool reclaim)
{
	struct cephx_client c;
	struct cephx_session s;
	struct state before;
	int r;

	if (reclaim) {
		struct wire_enc e;

		authenticated_client(&c);
		wire_enc_init(&e);
		next_random = V_CLIENT_CHALLENGE2;
		if (cephx_get_request(&c, &e) ||
		    cephx_handle_reply_more(&c, v_server_challenge, sizeof(v_server_challenge), NOW, &e))
			abort();
		wire_enc_free(&e);
	} else {
		new_client(&c);
	}
	capture(&c, &before);
	memset(&s, 0, sizeof(s));
	r = cephx_handle_reply_done(&c, V_GLOBAL_ID, p, n, NOW, &s);
	check_after(&c, &before, r, n, &s);
	if (!r) {
		if (!(c.have_keys & CEPH_ENTITY_TYPE_AUTH) || c.global_id != V_GLOBAL_ID)
			abort();
		if (!cephx_is_authenticated(&c, NOW) && !cephx_should_authenticate(&c, NOW))
			abort();
	}
	cephx_session_wipe(&s);
	cephx_client_destroy(&c);
}

static void fuzz_reply(const uint8_t *p, size_t n)
{
	struct cephx_client c;
	struct state before;
	int r;

	authenticated_client(&c);
	capture(&c, &before);
	r = cephx_handle_reply(&c, 0, p, n, NOW, NULL);
	check_after(&c, &before, r, n, NULL);
	if (r == 0 && !cephx_is_authenticated(&c, NOW))
		abort();
	cephx_client_destroy(&c);
}

static void fuzz_authorizer(const uint8_t *p, size_t n, bool challenge)
{
	struct cephx_client c;
	struct cephx_authorizer au;
	struct cephx_session s;

	authenticated_client(&c);
	next_random = V_NONCE2;
	if (cephx_authorizer_build(&c, CEPH_ENTITY_TYPE_OSD, &au))
		abort();
	if (challenge) {
		size_t base = au.base_len;

		if (cephx_authorizer_add_challenge(&au, p, n) == 0 && (au.base_len != base || au.buf.len <= base))
			abort();
	} else if (cephx_authorizer_verify_reply(&au, p, n, &s) == 0) {
		if (s.con_secret_len > CEPHX_CON_SECRET_MAX || s.session_key.len != 16)
			abort();
		cephx_session_wipe(&s);
	}
	cephx_authorizer_destroy(&au);
	cephx_client_destroy(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cephx_mauth_reply mr;
	struct wire_enc e;

	if (size < 1)
		return 0;
	switch (data[0]) {
	case 0:
		fuzz_done(data + 1, size - 1, false);
		break;
	case 1:
		fuzz_reply(data + 1, size - 1);
		break;
	case 2:
		fuzz_done(data + 1, size - 1, true);
		break;
	case 3:
		fuzz_authorizer(data + 1, size - 1, false);
		break;
	case 4:
		fuzz_authorizer(data + 1, size - 1, true);
		break;
	case 5:
		if (cephx_mauth_reply_decode(data + 1, size - 1, &mr) == 0) {
			if (mr.payload_len > size || mr.msg_len > size)
				abort();
			fuzz_reply(mr.payload, mr.payload_len);
		}
		break;
	case 6:
	case 7:
	case 8:
		wire_enc_init(&e);
		if (assemble(data + 1, size - 1, &e, 0) == 0) {
			if (data[0] == 6)
				fuzz_done(e.buf, e.len, false);
			else if (data[0] == 7)
				fuzz_reply(e.buf, e.len);
			else
				fuzz_authorizer(e.buf, e.len, false);
		}
		wire_enc_free(&e);
		break;
	default: {
		/* Anything else: the blob decryptors on the raw bytes. */
		struct ceph_crypto_key k = key_of(V_S_AUTH);
		struct cephx_plain p;
		struct wire_dec d;

		if (cephx_decrypt_enc_bl(&k, data + 1, size - 1, &p) == 0) {
			if (p.len + CEPHX_ENC_HDR_LEN > size - 1)
				abort();
			cephx_plain_free(&p);
		}
		wire_dec_init(&d, data + 1, size - 1);
		if (cephx_decode_decrypt(&k, &d, &p) == 0)
			cephx_plain_free(&p);
		break;
	}
	}
	return 0;
}
