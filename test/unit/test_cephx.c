/*
 * Unit tests for cephmon/msgr/cephx_crypto.c and cephmon/msgr/cephx.c.
 *
 * Known answers: Ceph's own ceph_crypt vector (src/test/crypto.cc), and
 * the exchanges of cephx_vectors.h, produced by an independent Python
 * implementation of the server side (cephx_vectors.py) with client keys
 * from ceph-authtool. Then truncated, corrupted and hostile replies, which
 * must fail without changing the client's state.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/ceph_conf.h"
#include "cephmon/msgr/cephx.h"
#include "cephmon/msgr/cephx_crypto.h"
#include "cephmon/msgr/msgr2_cephx.h"
#include "cephx_vectors.h"

#define NOW 1000000

static struct ceph_crypto_key client_key, wrong_key;
static struct cephx_client c;
static struct wire_enc out;

/* Scripted randomness: the u64 values the client will draw, in order. */
static uint64_t script[8];
static unsigned script_n, script_at;

static int scripted_random(void *buf, size_t len)
{
	uint8_t *b = buf;

	cr_assert_eq(len, 8, "the client draws u64s");
	cr_assert_lt(script_at, script_n, "the client drew more randomness than scripted");
	for (size_t i = 0; i < 8; i++)
		b[i] = (uint8_t)(script[script_at] >> (8 * i));
	script_at++;
	return 0;
}

static void script_set(unsigned n, const uint64_t *v)
{
	memcpy(script, v, n * sizeof(*v));
	script_n = n;
	script_at = 0;
}

static struct ceph_crypto_key make_key(const uint8_t secret[16])
{
	struct ceph_crypto_key k = {.type = CEPH_CRYPTO_AES, .len = 16};

	memcpy(k.secret, secret, 16);
	return k;
}

static void init(void)
{
	char err[128];

	cr_assert_eq(ceph_key_decode(V_CLIENT_KEY, &client_key, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ceph_key_decode(V_WRONG_KEY, &wrong_key, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cephx_client_init(&c, CEPH_ENTITY_TYPE_CLIENT, "admin", &client_key,
				       CEPH_ENTITY_TYPE_MON | CEPH_ENTITY_TYPE_OSD | CEPH_ENTITY_TYPE_MDS),
		     0);
	c.random = scripted_random;
	script_n = script_at = 0;
	wire_enc_init(&out);
}

static void fini(void)
{
	cephx_client_destroy(&c);
	wire_enc_free(&out);
}

TestSuite(cephx, .init = init, .fini = fini);

static void assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len, const char *what)
{
	cr_assert_eq(got_len, want_len, "%s: %zu bytes, want %zu", what, got_len, want_len);
	for (size_t i = 0; i < want_len; i++)
		cr_assert_eq(got[i], want[i], "%s: byte %zu is 0x%02x, want 0x%02x", what, i, got[i], want[i]);
}

#define assert_out(want) assert_bytes(out.buf, out.len, want, sizeof(want), #want)

static void assert_ticket(int service, const uint8_t key[16], uint64_t secret_id, const uint8_t *blob, size_t len)
{
	int i = __builtin_ctz((unsigned)service);
	const struct cephx_ticket *t = &c.tickets[i];

	cr_assert(t->have_key, "no ticket for service %#x", service);
	assert_bytes(t->session_key.secret, t->session_key.len, key, 16, "session key");
	cr_assert_eq(t->secret_id, secret_id);
	assert_bytes(t->blob, t->blob_len, blob, len, "ticket blob");
}

/* A digest of everything a failed call must leave alone. */
struct snapshot {
	uint64_t global_id;
	uint32_t have_keys;
	bool starting;
	uint64_t server_challenge;
	struct {
		bool have_key;
		uint8_t key[16];
		uint64_t secret_id;
		uint32_t blob_len;
		uint8_t blob0;
		int64_t expires, renew_after;
	} t[CEPHX_NSERVICES];
};

static struct snapshot snap(void)
{
	struct snapshot s;

	memset(&s, 0, sizeof(s));
	s.global_id = c.global_id;
	s.have_keys = c.have_keys;
	s.starting = c.starting;
	s.server_challenge = c.server_challenge;
	for (int i = 0; i < CEPHX_NSERVICES; i++) {
		s.t[i].have_key = c.tickets[i].have_key;
		memcpy(s.t[i].key, c.tickets[i].session_key.secret, 16);
		s.t[i].secret_id = c.tickets[i].secret_id;
		s.t[i].blob_len = c.tickets[i].blob_len;
		s.t[i].blob0 = c.tickets[i].blob_len ? c.tickets[i].blob[0] : 0;
		s.t[i].expires = c.tickets[i].expires;
		s.t[i].renew_after = c.tickets[i].renew_after;
	}
	return s;
}

static void assert_unchanged(const struct snapshot *before, const char *what)
{
	struct snapshot now = snap();

	cr_assert(!memcmp(before, &now, sizeof(now)), "%s changed the client's state", what);
}

/* The handshake of a new client, up to AUTH_DONE (not handled); with
 * @check, the requests must be the known answers (for want MON|OSD|MDS). */
static void handshake_check(bool check)
{
	uint64_t cc = V_CLIENT_CHALLENGE;

	cr_assert_eq(cephx_get_request(&c, &out), 0);
	assert_out(v_hello_new);
	out.len = 0;
	script_set(1, &cc);
	cr_assert_eq(cephx_handle_reply_more(&c, v_server_challenge, sizeof(v_server_challenge), NOW, &out), 0);
	if (check)
		assert_out(v_auth_request_new);
	out.len = 0;
}

static void handshake(void)
{
	handshake_check(true);
}

static void authenticated(void)
{
	struct cephx_session s;

	handshake();
	cr_assert_eq(cephx_handle_reply_done(&c, V_GLOBAL_ID, v_auth_done, sizeof(v_auth_done), NOW, &s), 0);
	cephx_session_wipe(&s);
}

/* ---- ceph_crypt ----------------------------------------------------------- */

/* Ceph's own vector: src/test/crypto.cc, TEST(AES, Encrypt) / Decrypt. */
Test(cephx, ceph_crypt_matches_ceph_test_vector)
{
	static const uint8_t secret[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
					   0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
	static const uint8_t plain[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					  0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
	static const uint8_t want[32] = {0xb3, 0x8f, 0x5b, 0xc9, 0x35, 0x4c, 0xf8, 0xc6, 0x13, 0x15, 0x66,
					 0x6f, 0x37, 0xd7, 0x79, 0x3a, 0x11, 0x90, 0x7b, 0xe9, 0xd8, 0x3c,
					 0x35, 0x70, 0x58, 0x7b, 0x97, 0x9b, 0x03, 0xd2, 0xa5, 0x01};
	struct ceph_crypto_key k = make_key(secret);
	uint8_t ct[32], pt[32];
	size_t n;

	cr_assert_eq(cephx_crypt_len(16), 32); /* aligned input still gets a block of padding */
	cr_assert_eq(cephx_aes_encrypt(&k, plain, 16, ct), 0);
	assert_bytes(ct, 32, want, 32, "ciphertext");
	cr_assert_eq(cephx_aes_decrypt(&k, want, 32, pt, &n), 0);
	assert_bytes(pt, n, plain, 16, "plaintext");
}

Test(cephx, ceph_crypt_padding_and_bad_input)
{
	uint8_t ct[48], pt[48];
	size_t n;

	cr_assert_eq(cephx_crypt_len(0), 16);
	cr_assert_eq(cephx_crypt_len(15), 16);
	cr_assert_eq(cephx_crypt_len(17), 32);
	for (size_t len = 0; len <= 32; len++) {
		uint8_t in[32];

		memset(in, (int)len, sizeof(in));
		cr_assert_eq(cephx_aes_encrypt(&client_key, in, len, ct), 0);
		cr_assert_eq(cephx_aes_decrypt(&client_key, ct, cephx_crypt_len(len), pt, &n), 0);
		assert_bytes(pt, n, in, len, "round trip");
	}
	cr_assert_eq(cephx_aes_decrypt(&client_key, ct, 0, pt, &n), -EBADMSG);
	cr_assert_eq(cephx_aes_decrypt(&client_key, ct, 15, pt, &n), -EBADMSG);
	cr_assert_eq(cephx_aes_decrypt(&client_key, ct, 17, pt, &n), -EBADMSG);

	struct ceph_crypto_key bad = client_key;
	bad.len = 15;
	cr_assert_eq(cephx_aes_encrypt(&bad, "x", 1, ct), -EINVAL);
	bad = client_key;
	bad.type = CEPH_CRYPTO_NONE;
	cr_assert_eq(cephx_aes_decrypt(&bad, ct, 16, pt, &n), -EINVAL);
}

Test(cephx, blob_known_answers)
{
	struct cephx_plain p;

	cr_assert_eq(cephx_encrypt_enc_bl(&client_key, "hello", 5, &out), 0);
	assert_out(v_enc_bl_hello);
	out.len = 0;
	cr_assert_eq(cephx_encode_encrypt(&client_key, "", 0, &out), 0);
	assert_out(v_encode_encrypt_empty);
	out.len = 0;
	cr_assert_eq(cephx_encode_encrypt(&client_key, V_S_AUTH, 0, &out), 0);
	out.len = 0;
	{
		uint8_t in[16];

		for (int i = 0; i < 16; i++)
			in[i] = (uint8_t)i;
		cr_assert_eq(cephx_encode_encrypt(&client_key, in, 16, &out), 0);
		assert_out(v_encode_encrypt_16);
	}

	cr_assert_eq(cephx_decrypt_enc_bl(&client_key, v_enc_bl_hello, sizeof(v_enc_bl_hello), &p), 0);
	assert_bytes(p.data, p.len, (const uint8_t *)"hello", 5, "payload");
	cephx_plain_free(&p);

	struct wire_dec d;
	wire_dec_init(&d, v_encode_encrypt_16, sizeof(v_encode_encrypt_16));
	cr_assert_eq(cephx_decode_decrypt(&client_key, &d, &p), 0);
	cr_assert_eq(p.len, 16);
	cr_assert_eq(wire_dec_left(&d), 0);
	cephx_plain_free(&p);
}

Test(cephx, wrong_key_is_keyrejected_and_malformed_is_badmsg)
{
	struct cephx_plain p;
	struct wire_dec d;

	cr_assert_eq(cephx_decrypt_enc_bl(&wrong_key, v_enc_bl_hello, sizeof(v_enc_bl_hello), &p), -EKEYREJECTED);
	cr_assert_null(p.buf);
	cr_assert_eq(cephx_decrypt_enc_bl(&client_key, v_enc_bl_hello, sizeof(v_enc_bl_hello) - 1, &p), -EBADMSG);
	cr_assert_eq(cephx_decrypt_enc_bl(&client_key, v_enc_bl_hello, 0, &p), -EBADMSG);

	/* A well-padded plaintext without the magic: also a wrong key. */
	uint8_t ct[16];
	cr_assert_eq(cephx_aes_encrypt(&client_key,
				       "\x01"
				       "12345678",
				       9, ct),
		     0);
	cr_assert_eq(cephx_decrypt_enc_bl(&client_key, ct, 16, &p), -EKEYREJECTED);

	/* The u32 length says more than there is. */
	for (size_t cut = 0; cut < sizeof(v_encode_encrypt_16); cut++) {
		wire_dec_init(&d, v_encode_encrypt_16, cut);
		cr_assert_eq(cephx_decode_decrypt(&client_key, &d, &p), -EBADMSG, "cut at %zu", cut);
		cr_assert(d.bad);
	}
	static const uint8_t huge[8] = {0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4};
	wire_dec_init(&d, huge, sizeof(huge));
	cr_assert_eq(cephx_decode_decrypt(&client_key, &d, &p), -EBADMSG);
}

Test(cephx, challenge_key_known_answer)
{
	uint64_t k;

	cr_assert_eq(cephx_challenge_key(&client_key, V_SERVER_CHALLENGE, V_CLIENT_CHALLENGE, &k), 0);
	cr_assert_eq(k, V_CHALLENGE_KEY_1, "key %#llx", (unsigned long long)k);
	cr_assert_eq(cephx_challenge_key(&client_key, V_SERVER_CHALLENGE, V_CLIENT_CHALLENGE2, &k), 0);
	cr_assert_eq(k, V_CHALLENGE_KEY_2);
	cr_assert_eq(cephx_challenge_key(&wrong_key, V_SERVER_CHALLENGE, V_CLIENT_CHALLENGE, &k), 0);
	cr_assert_neq(k, V_CHALLENGE_KEY_1);
}

/* ---- the monitor handshake ------------------------------------------------ */

Test(cephx, init_checks_its_arguments)
{
	struct cephx_client x;
	struct ceph_crypto_key bad = client_key;
	char longid[CEPHX_ID_MAX + 1];

	bad.len = 32;
	cr_assert_eq(cephx_client_init(&x, CEPH_ENTITY_TYPE_CLIENT, "admin", &bad, 0), -EINVAL);
	cr_assert_eq(cephx_client_init(&x, CEPH_ENTITY_TYPE_CLIENT, "", &client_key, 0), -EINVAL);
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	cr_assert_eq(cephx_client_init(&x, CEPH_ENTITY_TYPE_CLIENT, longid, &client_key, 0), -EINVAL);
	cr_assert_eq(cephx_client_init(&x, 3, "admin", &client_key, 0), -EINVAL);
	cr_assert_eq(cephx_client_init(&x, CEPH_ENTITY_TYPE_CLIENT, "admin", &client_key, 0x40), -EINVAL);
	cr_assert_eq(cephx_client_init(&x, CEPH_ENTITY_TYPE_CLIENT, "admin", &client_key, 0), 0);
	cr_assert_eq(x.want_keys, CEPH_ENTITY_TYPE_AUTH);
	cephx_client_destroy(&x);
}

Test(cephx, full_handshake_with_a_nautilus_monitor)
{
	struct cephx_session s;

	handshake();
	cr_assert_not(c.starting);
	cr_assert_eq(c.server_challenge, V_SERVER_CHALLENGE);
	cr_assert_eq(cephx_handle_reply_done(&c, V_GLOBAL_ID, v_auth_done, sizeof(v_auth_done), NOW, &s), 0);
	cr_assert_eq(c.global_id, V_GLOBAL_ID);
	assert_bytes(s.session_key.secret, s.session_key.len, V_S_AUTH, 16, "session key");
	assert_bytes(s.con_secret, s.con_secret_len, V_CON_SECRET, sizeof(V_CON_SECRET), "connection secret");
	assert_ticket(CEPH_ENTITY_TYPE_AUTH, V_S_AUTH, 7, V_AUTH_BLOB, sizeof(V_AUTH_BLOB));
	assert_ticket(CEPH_ENTITY_TYPE_MON, V_S_MON, 11, (const uint8_t *)"mon ticket", 10);
	assert_ticket(CEPH_ENTITY_TYPE_OSD, V_S_OSD, 12, V_OSD_BLOB, sizeof(V_OSD_BLOB));
	assert_ticket(CEPH_ENTITY_TYPE_MDS, V_S_MDS, 13, (const uint8_t *)"mds", 3);
	cr_assert(cephx_is_authenticated(&c, NOW));
	cr_assert_not(cephx_should_authenticate(&c, NOW));
	cephx_session_wipe(&s);

	/* Nothing to ask for: no request. */
	cr_assert_eq(cephx_build_request(&c, NOW, &out), 0);
	cr_assert_eq(out.len, 0);
}

Test(cephx, crc_mode_has_no_connection_secret)
{
	struct cephx_session s;

	handshake();
	cr_assert_eq(cephx_handle_reply_done(&c, V_GLOBAL_ID, v_auth_done_crc, sizeof(v_auth_done_crc), NOW, &s), 0);
	cr_assert_eq(s.con_secret_len, 0);
	assert_bytes(s.session_key.secret, 16, V_S_AUTH, 16, "session key");
	cr_assert(cephx_is_authenticated(&c, NOW));
}

Test(cephx, renewal_times_follow_the_validity)
{
	authenticated();
	/* Service tickets: 3600 s, renewed after 3/4; AUTH: 43200 s. */
	cr_assert_eq(c.tickets[0].expires, NOW + 3600);
	cr_assert_eq(c.tickets[0].renew_after, NOW + 2700);
	cr_assert_eq(c.tickets[5].renew_after, NOW + 32400);
	cr_assert_eq(cephx_next_renewal(&c), NOW + 2700);
	cr_assert_not(cephx_should_authenticate(&c, NOW + 2699));
	cr_assert(cephx_should_authenticate(&c, NOW + 2700));
	cr_assert(cephx_is_authenticated(&c, NOW + 3599));

	/* Due, not expired: ask for the three service tickets with the AUTH
	 * ticket's authorizer. */
	uint64_t nonce = V_NONCE;
	script_set(1, &nonce);
	cr_assert_eq(cephx_build_request(&c, NOW + 2700, &out), 0);
	cr_assert_eq(out.buf[0] | out.buf[1] << 8, CEPHX_GET_PRINCIPAL_SESSION_KEY);
	cr_assert_eq(out.buf[out.len - 5], 1);
	cr_assert_eq(out.buf[out.len - 4], CEPH_ENTITY_TYPE_MON | CEPH_ENTITY_TYPE_OSD | CEPH_ENTITY_TYPE_MDS);
	out.len = 0;

	cr_assert_not(cephx_is_authenticated(&c, NOW + 3600)); /* expired now */
	cr_assert_eq(c.have_keys, CEPH_ENTITY_TYPE_AUTH);

	/* Past 3/4 of the AUTH ticket: a new session key, presenting the old
	 * ticket, answering the challenge of this session. */
	uint64_t cc = V_CLIENT_CHALLENGE2;
	script_set(1, &cc);
	cr_assert_eq(cephx_build_request(&c, NOW + 32400, &out), 0);
	assert_out(v_auth_request_reclaim);
}

Test(cephx, reconnect_reclaims_the_global_id_with_the_old_ticket)
{
	struct cephx_session s;
	uint64_t cc = V_CLIENT_CHALLENGE2;

	authenticated();
	cr_assert_eq(cephx_get_request(&c, &out), 0);
	assert_out(v_hello_reclaim);
	cr_assert(c.starting);
	out.len = 0;
	script_set(1, &cc);
	cr_assert_eq(cephx_handle_reply_more(&c, v_server_challenge, sizeof(v_server_challenge), NOW + 10, &out), 0);
	assert_out(v_auth_request_reclaim);

	/* The new AUTH ticket comes encrypted with the old session key. */
	cr_assert_eq(
	    cephx_handle_reply_done(&c, V_GLOBAL_ID, v_auth_done_reclaim, sizeof(v_auth_done_reclaim), NOW + 10, &s),
	    0);
	assert_bytes(s.session_key.secret, 16, V_S_AUTH2, 16, "session key");
	assert_ticket(CEPH_ENTITY_TYPE_AUTH, V_S_AUTH2, 8, V_AUTH_BLOB2, sizeof(V_AUTH_BLOB2));
	assert_ticket(CEPH_ENTITY_TYPE_OSD, V_S_OSD2, 22, V_OSD_BLOB2, sizeof(V_OSD_BLOB2));
	cr_assert_eq(c.global_id, V_GLOBAL_ID);
	cr_assert(cephx_is_authenticated(&c, NOW + 10));
}

Test(cephx, an_encrypted_ticket_without_an_old_key_is_rejected)
{
	struct snapshot before;
	uint64_t cc = V_CLIENT_CHALLENGE;

	cr_assert_eq(cephx_get_request(&c, &out), 0);
	script_set(1, &cc);
	cr_assert_eq(cephx_handle_reply_more(&c, v_server_challenge, sizeof(v_server_challenge), NOW, &out), 0);
	before = snap();
	cr_assert_eq(
	    cephx_handle_reply_done(&c, V_GLOBAL_ID, v_auth_done_reclaim, sizeof(v_auth_done_reclaim), NOW, NULL),
	    -EKEYREJECTED);
	assert_unchanged(&before, "a reclaim reply for someone else");
}

Test(cephx, forget_identity_starts_afresh)
{
	authenticated();
	cephx_forget_identity(&c);
	cr_assert_eq(c.global_id, 0);
	cr_assert_eq(c.have_keys, 0);
	/* No global_id: no old ticket either (the monitor would call it
	 * superfluous). */
	handshake();
}

Test(cephx, wrong_client_key_is_keyrejected)
{
	struct snapshot before;

	cephx_client_destroy(&c);
	cr_assert_eq(cephx_client_init(&c, CEPH_ENTITY_TYPE_CLIENT, "admin", &wrong_key, CEPH_ENTITY_TYPE_MON), 0);
	c.random = scripted_random;
	uint64_t cc = V_CLIENT_CHALLENGE;
	cr_assert_eq(cephx_get_request(&c, &out), 0);
	script_set(1, &cc);
	cr_assert_eq(cephx_handle_reply_more(&c, v_server_challenge, sizeof(v_server_challenge), NOW, &out), 0);
	before = snap();
	cr_assert_eq(cephx_handle_reply_done(&c, V_GLOBAL_ID, v_auth_done, sizeof(v_auth_done), NOW, NULL),
		     -EKEYREJECTED);
	assert_unchanged(&before, "a reply for another key");
	cr_assert_eq(c.global_id, 0);
}

Test(cephx, pre_nautilus_reply_then_principal_request)
{
	uint64_t nonce = V_NONCE;
	struct cephx_session s;

	cephx_client_destroy(&c);
	cr_assert_eq(cephx_client_init(&c, CEPH_ENTITY_TYPE_CLIENT, "admin", &client_key, CEPH_ENTITY_TYPE_OSD), 0);
	c.random = scripted_random;
	handshake_check(false); /* the request asks for OSD only */
	/* Only the AUTH ticket: done for msgr2, but the OSD ticket is owed. */
	cr_assert_eq(cephx_handle_reply_done(&c, V_GLOBAL_ID, v_auth_done_legacy, sizeof(v_auth_done_legacy), NOW, &s),
		     0);
	cr_assert_eq(s.con_secret_len, 0);
	cr_assert_eq(c.global_id, V_GLOBAL_ID);
	cr_assert_not(cephx_is_authenticated(&c, NOW));
	cr_assert(cephx_should_authenticate(&c, NOW));

	script_set(1, &nonce);
	cr_assert_eq(cephx_build_request(&c, NOW, &out), 0);
	assert_out(v_principal_request_osd);

	/* Over MAuth. */
	struct wire_enc m;
	wire_enc_init(&m);
	cr_assert_eq(cephx_mauth_encode(out.buf, out.len, &m), 0);
	assert_bytes(m.buf, m.len, v_mauth_principal, sizeof(v_mauth_principal), "MAuth");
	wire_enc_free(&m);

	struct cephx_mauth_reply r;
	cr_assert_eq(cephx_mauth_reply_decode(v_mauth_reply, sizeof(v_mauth_reply), &r), 0);
	cr_assert_eq(r.protocol, CEPH_AUTH_CEPHX);
	cr_assert_eq(r.result, 0);
	cr_assert_eq(r.global_id, V_GLOBAL_ID);
	cr_assert_eq(r.msg_len, 0);
	cr_assert_eq(cephx_handle_reply(&c, r.global_id, r.payload, r.payload_len, NOW, NULL), 0);
	assert_ticket(CEPH_ENTITY_TYPE_OSD, V_S_OSD2, 22, V_OSD_BLOB2, sizeof(V_OSD_BLOB2));
	cr_assert(cephx_is_authenticated(&c, NOW));
}

Test(cephx, principal_reply_with_an_error_status)
{
	struct snapshot before;

	authenticated();
	before = snap();
	cr_assert_eq(cephx_handle_reply(&c, 0, v_principal_reply_enoent, sizeof(v_principal_reply_enoent), NOW, NULL),
		     -ENOENT);
	assert_unchanged(&before, "an error status");
}

Test(cephx, mauth_reply_decoding)
{
	struct cephx_mauth_reply r;

	cr_assert_eq(cephx_mauth_reply_decode(v_mauth_reply_eperm, sizeof(v_mauth_reply_eperm), &r), 0);
	cr_assert_eq(r.result, -EPERM);
	cr_assert_eq(r.payload_len, 0);
	assert_bytes(r.msg, r.msg_len, (const uint8_t *)"denied", 6, "message");
	for (size_t cut = 0; cut < sizeof(v_mauth_reply); cut++)
		cr_assert_eq(cephx_mauth_reply_decode(v_mauth_reply, cut, &r), -EBADMSG, "cut at %zu", cut);
}

Test(cephx, monitor_errors_are_named)
{
	char msg[256];

	cr_assert_eq(cephx_auth_error(&c, -EPERM, msg, sizeof(msg)), -EKEYREJECTED);
	cr_assert(strstr(msg, "client.admin"), "%s", msg);
	cr_assert(strstr(msg, "wrong key"), "%s", msg);
	cr_assert_eq(cephx_auth_error(&c, -EACCES, msg, sizeof(msg)), -EACCES);
	cr_assert(strstr(msg, "global_id"), "%s", msg);
	cr_assert_eq(cephx_auth_error(&c, -EOPNOTSUPP, msg, sizeof(msg)), -EOPNOTSUPP);
	cr_assert_eq(cephx_auth_error(&c, -E2BIG, msg, sizeof(msg)), -E2BIG);
	cr_assert(strstr(msg, "error"), "%s", msg);
	cr_assert_eq(cephx_auth_error(&c, 5, NULL, 0), -EPROTO);
}

/* ---- hostile replies -------------------------------------------------------- */

Test(cephx, truncated_auth_done_changes_nothing)
{
	struct snapshot before;

	handshake();
	before = snap();
	for (size_t cut = 0; cut < sizeof(v_auth_done); cut++) {
		int r = cephx_handle_reply_done(&c, V_GLOBAL_ID, v_auth_done, cut, NOW, NULL);

		if (cut == sizeof(v_auth_done_legacy)) {
			/* Exactly a pre-Nautilus reply: fine. Undo it. */
			cr_assert_eq(r, 0);
			fini();
			init();
			handshake();
			continue;
		}
		cr_assert_lt(r, 0, "accepted %zu of %zu bytes", cut, sizeof(v_auth_done));
		assert_unchanged(&before, "a truncated reply");
	}
}

/*
 * Every byte of AUTH_DONE corrupted in turn: never a crash, and a rejected
 * reply changes nothing. Some corruptions are legitimately accepted, so
 * the test cannot ask that of every byte: the status word (2..5: the frame
 * carries the result that counts), the AUTH ticket's secret_id and opaque
 * blob (74..181: encrypted with the service's secret, not ours to read),
 * and AES-CBC blocks past the first of an encrypted part (cephx has no
 * MAC: a flipped byte there garbles key or secret bytes, which the
 * AUTH_SIGNATURE exchange catches). What must be rejected are the bytes
 * whose corruption leaves the reply unreadable or unauthenticated: the
 * op, the ticket reply version and count, the service id, the ticket info
 * version and length, the first cipher block of the AUTH ticket (it holds
 * the magic that proves our key), the "encrypted ticket" flag, the ticket
 * blob's length and version, and the connection secret's lengths and
 * first cipher block (its magic). Offsets follow cephx_vectors.py.
 */
Test(cephx, corrupted_auth_done_never_crashes)
{
	static const struct {
		size_t from, to; /* inclusive */
		const char *what;
	} must_reject[] = {
	    {0, 1, "op"},
	    {6, 6, "ticket reply version"},
	    {7, 10, "ticket count"},
	    {11, 14, "service id"},
	    {15, 15, "ticket info version"},
	    {16, 19, "encrypted ticket info length"},
	    {20, 35, "first cipher block of the AUTH ticket (magic)"},
	    {68, 68, "encrypted-ticket flag"},
	    {69, 72, "ticket blob length"},
	    {73, 73, "ticket blob version"},
	    {182, 189, "connection secret lengths"},
	    {190, 205, "first cipher block of the connection secret (magic)"},
	};
	uint8_t buf[sizeof(v_auth_done)];
	unsigned rejected = 0;

	handshake();
	for (size_t i = 0; i < sizeof(buf); i++) {
		struct snapshot before = snap();
		const char *what = NULL;
		int r;

		for (size_t k = 0; k < sizeof(must_reject) / sizeof(must_reject[0]); k++)
			if (i >= must_reject[k].from && i <= must_reject[k].to)
				what = must_reject[k].what;
		memcpy(buf, v_auth_done, sizeof(buf));
		buf[i] ^= 0x5a;
		r = cephx_handle_reply_done(&c, V_GLOBAL_ID, buf, sizeof(buf), NOW, NULL);
		if (what) {
			cr_assert_neq(r, 0, "byte %zu (%s) corrupted, and the reply was accepted", i, what);
			rejected++;
		}
		if (r)
			assert_unchanged(&before, "a corrupted reply");
		else {
			fini(); /* accepted: the next corruption meets a fresh client */
			init();
			handshake();
		}
	}
	cr_assert_eq(rejected, 2 + 1 + 4 + 4 + 1 + 4 + 16 + 1 + 4 + 1 + 8 + 16);
}

Test(cephx, hostile_counts_and_headers)
{
	struct snapshot before;

	handshake();
	before = snap();
	/* A ticket count far beyond the input. */
	static const uint8_t huge_n[] = {0x00, 0x01, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff};
	cr_assert_eq(cephx_handle_reply_done(&c, 1, huge_n, sizeof(huge_n), NOW, NULL), -EBADMSG);
	/* No tickets at all: no AUTH ticket. */
	static const uint8_t none[] = {0x00, 0x01, 0, 0, 0, 0, 1, 0, 0, 0, 0};
	cr_assert_eq(cephx_handle_reply_done(&c, 1, none, sizeof(none), NOW, NULL), -EBADMSG);
	/* A ticket reply version we do not know. */
	static const uint8_t v2[] = {0x00, 0x01, 0, 0, 0, 0, 2, 0, 0, 0, 0};
	cr_assert_eq(cephx_handle_reply_done(&c, 1, v2, sizeof(v2), NOW, NULL), -EBADMSG);
	/* AUTH_DONE must carry the session key reply. */
	cr_assert_eq(cephx_handle_reply_done(&c, 1, v_principal_reply_osd, sizeof(v_principal_reply_osd), NOW, NULL),
		     -EPROTO);
	/* Unknown op. */
	static const uint8_t op[] = {0x00, 0x04, 0, 0, 0, 0};
	cr_assert_eq(cephx_handle_reply(&c, 1, op, sizeof(op), NOW, NULL), -EBADMSG);
	/* A service id that is not one service. */
	uint8_t bad_svc[sizeof(v_auth_done)];
	memcpy(bad_svc, v_auth_done, sizeof(bad_svc));
	bad_svc[11] = 0x30;
	cr_assert_eq(cephx_handle_reply_done(&c, 1, bad_svc, sizeof(bad_svc), NOW, NULL), -EBADMSG);
	assert_unchanged(&before, "hostile replies");

	/* The server challenge is exactly 9 bytes. */
	cr_assert_eq(cephx_get_request(&c, &out), 0);
	cr_assert_eq(cephx_handle_reply_more(&c, v_server_challenge, 8, NOW, &out), -EBADMSG);
	cr_assert(c.starting);
	uint8_t longer[10] = {1};
	cr_assert_eq(cephx_handle_reply_more(&c, longer, sizeof(longer), NOW, &out), -EBADMSG);
	/* AUTH_DONE before the challenge is out of order. */
	cr_assert_eq(cephx_handle_reply_done(&c, 1, v_auth_done, sizeof(v_auth_done), NOW, NULL), -EPROTO);
	cr_assert_eq(cephx_handle_reply(&c, 1, v_auth_done, sizeof(v_auth_done), NOW, NULL), -EPROTO);
}

Test(cephx, reply_more_with_nothing_left_to_ask_is_a_protocol_error)
{
	authenticated();
	/* A pre-Nautilus style exchange in AUTH_REPLY_MORE that leaves every
	 * ticket in hand: there is no request to send back. */
	cr_assert_eq(cephx_handle_reply_more(&c, v_auth_done, sizeof(v_auth_done), NOW, &out), -EPROTO);
}

/* ---- authorizers ------------------------------------------------------------ */

Test(cephx, osd_authorizer_challenge_and_reply)
{
	struct cephx_authorizer au;
	struct cephx_session s;
	uint64_t nonce = V_NONCE2;

	authenticated();
	script_set(1, &nonce);
	cr_assert_eq(cephx_authorizer_build(&c, CEPH_ENTITY_TYPE_OSD, &au), 0);
	cr_assert_eq(au.buf.buf[0], CEPH_AUTH_MODE_AUTHORIZER);
	assert_bytes(au.buf.buf, au.buf.len, v_osd_authorizer, sizeof(v_osd_authorizer), "authorizer");
	cr_assert_not(cephx_authorizer_stale(&c, &au));

	cr_assert_eq(cephx_authorizer_add_challenge(&au, v_osd_challenge, sizeof(v_osd_challenge)), 0);
	assert_bytes(au.buf.buf, au.buf.len, v_osd_authorizer_challenged, sizeof(v_osd_authorizer_challenged),
		     "challenged authorizer");

	cr_assert_eq(cephx_authorizer_verify_reply(&au, v_osd_reply, sizeof(v_osd_reply), &s), 0);
	assert_bytes(s.session_key.secret, 16, V_S_OSD, 16, "session key");
	assert_bytes(s.con_secret, s.con_secret_len, V_OSD_CON_SECRET, sizeof(V_OSD_CON_SECRET), "con secret");
	cr_assert_eq(cephx_authorizer_verify_reply(&au, v_osd_reply_v1, sizeof(v_osd_reply_v1), &s), 0);
	cr_assert_eq(s.con_secret_len, 0);
	cr_assert_eq(cephx_authorizer_verify_reply(&au, v_osd_reply_bad_nonce, sizeof(v_osd_reply_bad_nonce), &s),
		     -EPERM);
	for (size_t cut = 0; cut < sizeof(v_osd_reply); cut++)
		cr_assert_lt(cephx_authorizer_verify_reply(&au, v_osd_reply, cut, &s), 0);
	/* Encrypted for someone else. */
	cr_assert_eq(cephx_authorizer_verify_reply(&au, v_encode_encrypt_16, sizeof(v_encode_encrypt_16), &s),
		     -EKEYREJECTED);
	cr_assert_eq(cephx_authorizer_add_challenge(&au, v_enc_bl_hello, sizeof(v_enc_bl_hello)), -EKEYREJECTED);
	cr_assert_eq(cephx_authorizer_add_challenge(&au, v_osd_challenge, 0), -EBADMSG);
	cephx_session_wipe(&s);
	cephx_authorizer_destroy(&au);

	/* No MGR ticket. */
	cr_assert_eq(cephx_authorizer_build(&c, CEPH_ENTITY_TYPE_MGR, &au), -ENOKEY);
	cephx_authorizer_destroy(&au);
}

/* The same exchange through msgr2's auth ops for services (msgr2_cephx.h):
 * the payloads msgr2 carries, the result it gets, and the reasons. */
Test(cephx, authorizer_as_msgr2_auth_method)
{
	const struct msgr2_auth_ops *ops = &msgr2_cephx_authorizer_ops;
	struct msgr2_cephx_authorizer a, mgr;
	struct msgr2_auth_provider prov;
	struct msgr2_auth_result res;
	uint64_t nonce = V_NONCE2;
	char why[200] = "";

	authenticated();
	prov = msgr2_cephx_authorizer_provider(&a, &c, CEPH_ENTITY_TYPE_OSD);
	cr_assert_eq(prov.ops->method, MSGR2_AUTH_CEPHX);
	script_set(1, &nonce);
	cr_assert_eq(ops->request(prov.arg, &out, why, sizeof(why)), 0, "%s", why);
	assert_out(v_osd_authorizer);
	out.len = 0;
	cr_assert_eq(ops->reply_more(prov.arg, v_osd_challenge, sizeof(v_osd_challenge), 0, &out, why, sizeof(why)), 0,
		     "%s", why);
	assert_out(v_osd_authorizer_challenged);
	out.len = 0;
	memset(&res, 0, sizeof(res));
	cr_assert_eq(ops->done(prov.arg, V_GLOBAL_ID, v_osd_reply, sizeof(v_osd_reply), 0, &res, why, sizeof(why)), 0,
		     "%s", why);
	assert_bytes(res.session_key, res.session_key_len, V_S_OSD, 16, "session key");
	assert_bytes(res.con_secret, res.con_secret_len, V_OSD_CON_SECRET, sizeof(V_OSD_CON_SECRET), "con secret");
	/* A service that does not prove it read our nonce. */
	cr_assert_eq(ops->done(prov.arg, V_GLOBAL_ID, v_osd_reply_bad_nonce, sizeof(v_osd_reply_bad_nonce), 0, &res,
			       why, sizeof(why)),
		     -EPERM);
	cr_assert_not_null(strstr(why, "OSD did not prove"), "%s", why);
	/* Refused although cephx is allowed: the OSD and AUTH tickets go. */
	cr_assert_eq(ops->refused(prov.arg, -13, why, sizeof(why)), -EACCES);
	cr_assert_not_null(strstr(why, "OSD refused our authorizer"), "%s", why);
	cr_assert_eq(c.have_keys, CEPH_ENTITY_TYPE_MON | CEPH_ENTITY_TYPE_MDS);
	msgr2_cephx_authorizer_destroy(&a);

	/* No ticket for the service: a reason, nothing sent. */
	prov = msgr2_cephx_authorizer_provider(&mgr, &c, CEPH_ENTITY_TYPE_MGR);
	cr_assert_eq(ops->request(prov.arg, &out, why, sizeof(why)), -ENOKEY);
	cr_assert_eq(out.len, 0);
	cr_assert_not_null(strstr(why, "no ticket for the manager service"), "%s", why);
	msgr2_cephx_authorizer_destroy(&mgr);
}

Test(cephx, renewed_ticket_makes_an_authorizer_stale)
{
	struct cephx_authorizer au;
	uint64_t nonce = V_NONCE2;

	authenticated();
	script_set(1, &nonce);
	cr_assert_eq(cephx_authorizer_build(&c, CEPH_ENTITY_TYPE_OSD, &au), 0);
	cr_assert_eq(cephx_handle_reply(&c, 0, v_principal_reply_osd, sizeof(v_principal_reply_osd), NOW, NULL), 0);
	cr_assert(cephx_authorizer_stale(&c, &au));
	cephx_authorizer_destroy(&au);
}

Test(cephx, invalidate_drops_the_service_and_auth_tickets)
{
	authenticated();
	cephx_invalidate(&c, CEPH_ENTITY_TYPE_OSD);
	cr_assert_not(cephx_is_authenticated(&c, NOW));
	cr_assert_eq(c.have_keys, CEPH_ENTITY_TYPE_MON | CEPH_ENTITY_TYPE_MDS);
	/* The old AUTH ticket is still presented for the renewal. */
	uint64_t cc = V_CLIENT_CHALLENGE2;
	script_set(1, &cc);
	cr_assert_eq(cephx_build_request(&c, NOW, &out), 0);
	assert_out(v_auth_request_reclaim);
}

/* Parallel hunting runs one handshake per monitor on clones: a clone owns
 * its tickets, and one handshake's challenge never leaks into another's. */
Test(cephx, a_clone_owns_its_tickets_and_its_handshake)
{
	struct cephx_client d;
	uint64_t cc = V_CLIENT_CHALLENGE2;

	authenticated();
	cr_assert_eq(cephx_client_clone(&d, &c), 0);
	cr_assert_eq(d.global_id, V_GLOBAL_ID);
	cr_assert(cephx_is_authenticated(&d, NOW));
	/* The clone reclaims on its own connection... */
	cr_assert_eq(cephx_get_request(&d, &out), 0);
	assert_out(v_hello_reclaim);
	out.len = 0;
	script_set(1, &cc);
	cr_assert_eq(cephx_handle_reply_more(&d, v_server_challenge, sizeof(v_server_challenge), NOW + 10, &out), 0);
	assert_out(v_auth_request_reclaim);
	cr_assert_not(c.starting, "the original's handshake state is untouched");
	/* ... and its tickets are its own memory. */
	cephx_client_destroy(&c);
	cr_assert_eq(cephx_client_init(&c, CEPH_ENTITY_TYPE_CLIENT, "admin", &client_key, CEPH_ENTITY_TYPE_MON), 0);
	assert_bytes(d.tickets[5].blob, d.tickets[5].blob_len, V_AUTH_BLOB, sizeof(V_AUTH_BLOB),
		     "the clone's AUTH blob");
	cephx_client_destroy(&d);
}
