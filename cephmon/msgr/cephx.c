/*
 * cephmon/msgr/cephx.c: cephx, client side (see cephx.h for the exchanges).
 *
 * Wire layouts, all little-endian (src/auth/cephx/CephxProtocol.h and .cc,
 * CephxServiceHandler.cc; net/ceph/auth_x_protocol.h, auth_x.c):
 *
 *  CephXServerChallenge      u8 1, u64 server_challenge
 *  request header            u16 op
 *  reply header              u16 op, s32 status
 *  CephXAuthenticate (v3)    u8 3, u64 client_challenge, u64 key,
 *                            CephXTicketBlob old_ticket, u32 other_keys
 *  CephXTicketBlob           u8 1, u64 secret_id, u32 len, blob
 *  ticket reply              u8 1, u32 n, n times:
 *                              u32 service, u8 1,
 *                              encrypted(principal key){ u8 1, CryptoKey
 *                                session_key, utime validity },
 *                              u8 is_enc, then the u32-length encoding of a
 *                              CephXTicketBlob: in the clear, or encrypted
 *                              with the service's previous session key
 *  GET_AUTH_SESSION_KEY reply  header, ticket reply (our key), then for
 *                            Nautilus+: u32 len { encrypted(new AUTH key)
 *                            { string connection_secret } }, u32 len
 *                            { ticket reply (new AUTH key) }
 *  CryptoKey                 u16 type, utime created, u16 len, secret
 *  authorizer                u8 1, u64 global_id, u32 service,
 *                            CephXTicketBlob, encrypted(session key)
 *                            CephXAuthorize{ u8 2, u64 nonce,
 *                            u8 have_challenge, u64 server_challenge + 1 }
 *  CephXAuthorizeChallenge   encrypted, no length: { u8 1, u64 challenge }
 *  CephXAuthorizeReply       encrypted: { u8 v, u64 nonce + 1,
 *                            (v2) string connection_secret }
 *
 * Where the kernel and Ceph differ, this takes: the kernel's strict
 * struct_v checks on tickets; Ceph's reading of a zero validity (no
 * expiry) over the kernel's (expired at once); bounding a ticket blob by
 * its u32 length as Ceph does (the kernel reads on past it).
 *
 * Replies are decoded into a staging area first and committed only when
 * the whole reply has been decoded, so a bad reply changes nothing. An
 * empty input may come as NULL; the cursor then gets "" (NULL + 0 is
 * undefined behaviour in C).
 */
#include "config.h"

#include "cephmon/msgr/cephx.h"

#include "cephmon/msgr/cephx_crypto.h"
#include "text/printable.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CEPHX_MAX_STAGED 16 /* tickets in one reply: six services, twice, with room */
#define AUTH_IDX	 5  /* index of CEPH_ENTITY_TYPE_AUTH */
#define ALL_SERVICES	 0x3f

/* ---- small helpers ------------------------------------------------------ */

static int service_index(uint32_t service)
{
	for (int i = 0; i < CEPHX_NSERVICES; i++)
		if (service == 1u << i)
			return i;
	return -1;
}

static int default_random(void *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
}

static int random_u64(struct cephx_client *c, uint64_t *v)
{
	uint8_t b[8];
	int r = c->random(b, sizeof(b));

	if (r)
		return r < 0 ? r : -EIO;
	*v = 0;
	for (int i = 7; i >= 0; i--)
		*v = *v << 8 | b[i];
	return 0;
}

static void ticket_clear(struct cephx_ticket *t)
{
	ceph_key_wipe(&t->session_key);
	if (t->blob) {
		OPENSSL_cleanse(t->blob, t->blob_len);
		free(t->blob);
	}
	memset(t, 0, sizeof(*t));
}

static void copy_key(struct ceph_crypto_key *dst, const struct ceph_crypto_key *src)
{
	memcpy(dst, src, sizeof(*dst));
}

/* Move what @tmp built onto the end of @out: callers see either the whole
 * payload or nothing. */
static int append_enc(struct wire_enc *out, struct wire_enc *tmp)
{
	int r = wire_enc_error(tmp);

	if (!r && tmp->len) {
		wire_enc_bytes(out, tmp->buf, tmp->len);
		r = wire_enc_error(out);
	}
	wire_enc_free(tmp);
	return r;
}

void cephx_session_wipe(struct cephx_session *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

/* ---- setup -------------------------------------------------------------- */

int cephx_client_init(struct cephx_client *c, uint32_t entity_type, const char *id, const struct ceph_crypto_key *key,
		      uint32_t want_keys)
{
	size_t idlen = id ? strlen(id) : 0;

	memset(c, 0, sizeof(*c));
	if (!key || key->type != CEPH_CRYPTO_AES || key->len != 16 || idlen == 0 || idlen >= sizeof(c->id) ||
	    service_index(entity_type) < 0 || (want_keys & ~ALL_SERVICES))
		return -EINVAL;
	c->entity_type = entity_type;
	memcpy(c->id, id, idlen + 1);
	copy_key(&c->secret, key);
	c->want_keys = want_keys | CEPH_ENTITY_TYPE_AUTH;
	c->starting = true;
	c->random = default_random;
	return 0;
}

void cephx_client_destroy(struct cephx_client *c)
{
	for (int i = 0; i < CEPHX_NSERVICES; i++)
		ticket_clear(&c->tickets[i]);
	OPENSSL_cleanse(c, sizeof(*c));
}

int cephx_client_clone(struct cephx_client *dst, const struct cephx_client *src)
{
	memcpy(dst, src, sizeof(*dst));
	/* No blob of @src's in @dst, so a failure below frees only copies. */
	for (int i = 0; i < CEPHX_NSERVICES; i++)
		dst->tickets[i].blob = NULL;
	for (int i = 0; i < CEPHX_NSERVICES; i++) {
		const struct cephx_ticket *t = &src->tickets[i];

		if (!t->blob)
			continue;
		dst->tickets[i].blob = malloc(t->blob_len ? t->blob_len : 1);
		if (!dst->tickets[i].blob) {
			cephx_client_destroy(dst);
			return -ENOMEM;
		}
		memcpy(dst->tickets[i].blob, t->blob, t->blob_len);
	}
	return 0;
}

/* ---- ticket bookkeeping --------------------------------------------------- */

static bool ticket_have_key(struct cephx_ticket *t, int64_t now)
{
	if (t->have_key && t->expires && now >= t->expires)
		t->have_key = false;
	return t->have_key;
}

static bool ticket_need_key(const struct cephx_ticket *t, int64_t now)
{
	if (!t->have_key)
		return true;
	return t->renew_after && now >= t->renew_after;
}

/* ceph_x_validate_tickets: what is missing or due, and forget the expired. */
static uint32_t validate_tickets(struct cephx_client *c, int64_t now)
{
	uint32_t need = c->want_keys & ~c->have_keys;

	for (int i = 0; i < CEPHX_NSERVICES; i++) {
		uint32_t bit = 1u << i;

		if (!(c->want_keys & bit) || (need & bit))
			continue;
		if (ticket_need_key(&c->tickets[i], now))
			need |= bit;
		if (!ticket_have_key(&c->tickets[i], now))
			c->have_keys &= ~bit;
	}
	return need;
}

bool cephx_is_authenticated(struct cephx_client *c, int64_t now)
{
	validate_tickets(c, now);
	return !(c->want_keys & ~c->have_keys);
}

bool cephx_should_authenticate(struct cephx_client *c, int64_t now)
{
	return validate_tickets(c, now) != 0;
}

int64_t cephx_next_renewal(const struct cephx_client *c)
{
	int64_t at = 0;

	for (int i = 0; i < CEPHX_NSERVICES; i++) {
		const struct cephx_ticket *t = &c->tickets[i];

		if ((c->want_keys & (1u << i)) && t->have_key && t->renew_after && (!at || t->renew_after < at))
			at = t->renew_after;
	}
	return at;
}

void cephx_invalidate(struct cephx_client *c, uint32_t service)
{
	int i = service_index(service);

	if (i >= 0)
		c->tickets[i].have_key = false;
	c->tickets[AUTH_IDX].have_key = false;
	c->have_keys &= ~(service | CEPH_ENTITY_TYPE_AUTH);
}

void cephx_forget_identity(struct cephx_client *c)
{
	for (int i = 0; i < CEPHX_NSERVICES; i++)
		ticket_clear(&c->tickets[i]);
	c->global_id = 0;
	c->have_keys = 0;
	c->starting = true;
	c->server_challenge = 0;
}

/* ---- decoding tickets into a staging area -------------------------------- */

struct staged_ticket {
	int idx;
	struct ceph_crypto_key key;
	uint64_t secret_id;
	uint8_t *blob;
	uint32_t blob_len;
	int64_t expires, renew_after;
};

struct stage {
	unsigned n;
	struct staged_ticket t[CEPHX_MAX_STAGED];
};

static void stage_free(struct stage *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		ceph_key_wipe(&s->t[i].key);
		if (s->t[i].blob) {
			OPENSSL_cleanse(s->t[i].blob, s->t[i].blob_len);
			free(s->t[i].blob);
		}
	}
	OPENSSL_cleanse(s, sizeof(*s));
}

/* The newest staged AUTH ticket, or NULL. */
static const struct staged_ticket *stage_auth(const struct stage *s)
{
	for (unsigned i = s->n; i-- > 0;)
		if (s->t[i].idx == AUTH_IDX)
			return &s->t[i];
	return NULL;
}

/* CryptoKey: only 16-byte AES keys are of use to cephx here. */
static int decode_crypto_key(struct wire_dec *d, struct ceph_crypto_key *k)
{
	uint16_t type, len;
	uint32_t sec, nsec;

	if (wire_dec_le16(d, &type) || wire_dec_le32(d, &sec) || wire_dec_le32(d, &nsec) || wire_dec_le16(d, &len))
		return -EBADMSG;
	if (type != CEPH_CRYPTO_AES)
		return -EOPNOTSUPP;
	if (len != 16)
		return -EBADMSG;
	memset(k, 0, sizeof(*k));
	k->type = type;
	k->created_sec = sec;
	k->created_nsec = nsec;
	k->len = len;
	return wire_dec_bytes(d, k->secret, len);
}

/* One entry of a ticket reply (process_one_ticket), staged in @st. */
static int decode_one_ticket(const struct cephx_client *c, const struct ceph_crypto_key *principal, struct wire_dec *d,
			     int64_t now, struct staged_ticket *st)
{
	struct cephx_plain plain = {0}, tplain = {0};
	struct wire_dec p, tp, *td, b;
	const uint8_t *blob, *tb;
	uint32_t service, vsec, vnsec, tb_len, blob_len;
	uint8_t v, is_enc;
	int r;

	if (wire_dec_le32(d, &service) || wire_dec_u8(d, &v) || v != 1)
		return -EBADMSG;
	st->idx = service_index(service);
	if (st->idx < 0)
		return -EBADMSG;

	/* The part for us: the session key and how long it lives. */
	r = cephx_decode_decrypt(principal, d, &plain);
	if (r)
		return r;
	wire_dec_init(&p, plain.data, plain.len);
	if (wire_dec_u8(&p, &v) || v != 1) {
		r = -EBADMSG;
		goto out;
	}
	r = decode_crypto_key(&p, &st->key);
	if (!r && (wire_dec_le32(&p, &vsec) || wire_dec_le32(&p, &vnsec)))
		r = -EBADMSG;
	if (r)
		goto out;

	/* The part for the service, opaque to us. */
	if (wire_dec_u8(d, &is_enc)) {
		r = -EBADMSG;
		goto out;
	}
	if (is_enc) {
		/* Encrypted with the session key of the ticket it replaces (a
		 * global_id reclaim): without one, we cannot read it. */
		if (!c->tickets[st->idx].session_key.len) {
			r = -EKEYREJECTED;
			goto out;
		}
		r = cephx_decode_decrypt(&c->tickets[st->idx].session_key, d, &tplain);
		if (r)
			goto out;
		wire_dec_init(&tp, tplain.data, tplain.len);
		td = &tp;
	} else {
		td = d;
	}
	if (ceph_dec_blob(td, &tb, &tb_len)) {
		r = -EBADMSG;
		goto out;
	}
	wire_dec_init(&b, tb, tb_len);
	if (wire_dec_u8(&b, &v) || v != 1 || wire_dec_le64(&b, &st->secret_id) || ceph_dec_blob(&b, &blob, &blob_len)) {
		r = -EBADMSG;
		goto out;
	}
	st->blob = malloc(blob_len ? blob_len : 1);
	if (!st->blob) {
		r = -ENOMEM;
		goto out;
	}
	if (blob_len)
		memcpy(st->blob, blob, blob_len);
	st->blob_len = blob_len;

	/* Renew at 3/4 of the validity, as both the kernel and Ceph do. */
	if (vsec || vnsec) {
		st->expires = now + vsec;
		st->renew_after = st->expires - vsec / 4;
	}
	r = 0;
out:
	if (r)
		d->bad = true;
	cephx_plain_free(&plain);
	cephx_plain_free(&tplain);
	return r;
}

/* A ticket reply (CephXTicketManager::verify_service_ticket_reply). */
static int decode_ticket_reply(const struct cephx_client *c, const struct ceph_crypto_key *principal,
			       struct wire_dec *d, int64_t now, struct stage *s)
{
	uint32_t n;
	uint8_t v;
	int r;

	if (wire_dec_u8(d, &v) || v != 1 || wire_dec_le32(d, &n))
		return -EBADMSG;
	if (n > CEPHX_MAX_STAGED - s->n)
		return -EBADMSG;
	for (uint32_t i = 0; i < n; i++) {
		struct staged_ticket *st = &s->t[s->n];

		memset(st, 0, sizeof(*st));
		r = decode_one_ticket(c, principal, d, now, st);
		if (r) {
			ceph_key_wipe(&st->key);
			return r;
		}
		s->n++;
	}
	return 0;
}

/* Keep every staged ticket; the stage is left empty. */
static void commit(struct cephx_client *c, struct stage *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct staged_ticket *st = &s->t[i];
		struct cephx_ticket *t = &c->tickets[st->idx];

		ticket_clear(t);
		copy_key(&t->session_key, &st->key);
		t->secret_id = st->secret_id;
		t->blob = st->blob;
		t->blob_len = st->blob_len;
		t->expires = st->expires;
		t->renew_after = st->renew_after;
		t->have_key = true;
		c->have_keys |= 1u << st->idx;
		st->blob = NULL;
	}
	stage_free(s);
}

/* ---- replies ------------------------------------------------------------ */

static int handle_server_challenge(struct cephx_client *c, const void *buf, size_t len)
{
	struct wire_dec d;
	uint8_t v;

	/* Exactly a CephXServerChallenge, as the kernel insists. */
	wire_dec_init(&d, len ? buf : "", len);
	if (len != 9 || wire_dec_u8(&d, &v) || wire_dec_le64(&d, &c->server_challenge))
		return -EBADMSG;
	c->starting = false;
	/* The AUTH ticket must be fetched again on this connection; keeping
	 * it (and its session key) is what lets us present it for reclaim. */
	c->have_keys &= ~CEPH_ENTITY_TYPE_AUTH;
	return 0;
}

/* GET_AUTH_SESSION_KEY's reply body (after the header). */
static int handle_auth_session_key(struct cephx_client *c, uint64_t global_id, struct wire_dec *d, int64_t now,
				   struct cephx_session *sess)
{
	struct ceph_crypto_key auth_key;
	const struct staged_ticket *auth;
	struct cephx_plain plain = {0};
	uint8_t con[CEPHX_CON_SECRET_MAX];
	size_t con_len = 0;
	struct stage s;
	int r;

	s.n = 0;
	r = decode_ticket_reply(c, &c->secret, d, now, &s);
	if (r)
		goto fail;
	auth = stage_auth(&s);
	if (!auth) {
		r = -EBADMSG;
		goto fail;
	}
	copy_key(&auth_key, &auth->key);

	/* Pre-Nautilus monitors stop here; later ones add the connection
	 * secret and the other tickets. */
	if (wire_dec_left(d)) {
		struct wire_dec cb, eb;
		const uint8_t *p;
		uint32_t len, slen;

		if (ceph_dec_blob(d, &p, &len)) {
			r = -EBADMSG;
			goto fail;
		}
		if (len) {
			wire_dec_init(&cb, p, len);
			r = cephx_decode_decrypt(&auth_key, &cb, &plain);
			if (r)
				goto fail;
			wire_dec_init(&cb, plain.data, plain.len);
			if (ceph_dec_blob(&cb, &p, &slen) || slen > sizeof(con)) {
				r = -EBADMSG;
				goto fail;
			}
			memcpy(con, p, slen);
			con_len = slen;
		}
		if (ceph_dec_blob(d, &p, &len)) {
			r = -EBADMSG;
			goto fail;
		}
		if (len) {
			wire_dec_init(&eb, p, len);
			r = decode_ticket_reply(c, &auth_key, &eb, now, &s);
			if (r)
				goto fail;
		}
	}

	commit(c, &s);
	/* The global_id counts once we hold a ticket for it (the kernel's
	 * ceph_auth_set_global_id); AUTH_DONE always carries one. */
	if (global_id)
		c->global_id = global_id;
	if (sess) {
		memset(sess, 0, sizeof(*sess));
		copy_key(&sess->session_key, &auth_key);
		memcpy(sess->con_secret, con, con_len);
		sess->con_secret_len = con_len;
	}
	r = 0;
	goto out;
fail:
	stage_free(&s);
out:
	cephx_plain_free(&plain);
	OPENSSL_cleanse(con, sizeof(con));
	OPENSSL_cleanse(&auth_key, sizeof(auth_key));
	return r;
}

static int handle_principal_session_key(struct cephx_client *c, struct wire_dec *d, int64_t now)
{
	struct stage s;
	int r;

	if (!c->tickets[AUTH_IDX].session_key.len)
		return -ENOKEY;
	s.n = 0;
	r = decode_ticket_reply(c, &c->tickets[AUTH_IDX].session_key, d, now, &s);
	if (r) {
		stage_free(&s);
		return r;
	}
	commit(c, &s);
	return 0;
}

/* A reply header and its body. @only_op, when non-zero, is the one op
 * allowed. */
static int handle_op_reply(struct cephx_client *c, uint64_t global_id, const void *buf, size_t len, int64_t now,
			   struct cephx_session *sess, uint16_t only_op)
{
	struct wire_dec d;
	uint16_t op;
	uint32_t status;

	wire_dec_init(&d, len ? buf : "", len);
	if (wire_dec_le16(&d, &op) || wire_dec_le32(&d, &status))
		return -EBADMSG;
	if (only_op && op != only_op)
		return -EPROTO;
	/* A monitor sets a negative status only with an empty ticket list
	 * (no key for any service asked for): nothing to keep. */
	if ((int32_t)status < 0)
		return (int32_t)status;
	switch (op) {
	case CEPHX_GET_AUTH_SESSION_KEY:
		return handle_auth_session_key(c, global_id, &d, now, sess);
	case CEPHX_GET_PRINCIPAL_SESSION_KEY:
		return handle_principal_session_key(c, &d, now);
	default:
		return -EBADMSG;
	}
}

/* ---- requests ----------------------------------------------------------- */

int cephx_challenge_key(const struct ceph_crypto_key *secret, uint64_t server_challenge, uint64_t client_challenge,
			uint64_t *key)
{
	struct wire_enc blob, enc;
	uint64_t k = 0;
	int r;

	wire_enc_init(&blob);
	wire_enc_init(&enc);
	wire_enc_le64(&blob, server_challenge);
	wire_enc_le64(&blob, client_challenge);
	r = wire_enc_error(&blob);
	if (!r)
		r = cephx_encode_encrypt(secret, blob.buf, blob.len, &enc);
	if (!r) {
		struct wire_dec d;
		uint64_t w;

		wire_dec_init(&d, enc.buf, enc.len);
		while (wire_dec_left(&d) >= 8 && !wire_dec_le64(&d, &w))
			k ^= w;
		*key = k;
	}
	wire_enc_free(&blob);
	wire_enc_free(&enc);
	return r;
}

static void encode_ticket_blob(struct wire_enc *e, uint64_t secret_id, const uint8_t *blob, uint32_t len)
{
	wire_enc_u8(e, 1);
	wire_enc_le64(e, secret_id);
	ceph_enc_blob(e, blob, len);
}

/* Re-encrypt the CephXAuthorize part of @au, answering @server_challenge
 * when given (the kernel's encrypt_authorizer). */
static int encrypt_authorize(struct cephx_authorizer *au, const uint64_t *server_challenge)
{
	struct wire_enc msg;
	int r;

	wire_enc_init(&msg);
	wire_enc_u8(&msg, 2);
	wire_enc_le64(&msg, au->nonce);
	wire_enc_u8(&msg, server_challenge ? 1 : 0);
	wire_enc_le64(&msg, server_challenge ? *server_challenge + 1 : 0);
	r = wire_enc_error(&msg);
	if (!r && au->buf.len < au->base_len)
		r = -EINVAL;
	if (!r) {
		au->buf.len = au->base_len;
		r = cephx_encode_encrypt(&au->session_key, msg.buf, msg.len, &au->buf);
	}
	wire_enc_free(&msg);
	return r;
}

static int build_authorizer(struct cephx_client *c, uint32_t service, struct cephx_authorizer *au)
{
	int idx = service_index(service);
	const struct cephx_ticket *t;
	int r;

	memset(au, 0, sizeof(*au));
	wire_enc_init(&au->buf);
	if (idx < 0)
		return -EINVAL;
	t = &c->tickets[idx];
	if (!t->session_key.len)
		return -ENOKEY;
	au->service = service;
	au->secret_id = t->secret_id;
	copy_key(&au->session_key, &t->session_key);
	r = random_u64(c, &au->nonce);
	if (r)
		goto fail;
	wire_enc_u8(&au->buf, 1);
	wire_enc_le64(&au->buf, c->global_id);
	wire_enc_le32(&au->buf, service);
	encode_ticket_blob(&au->buf, t->secret_id, t->blob, t->blob_len);
	r = wire_enc_error(&au->buf);
	if (r)
		goto fail;
	au->base_len = au->buf.len;
	r = encrypt_authorize(au, NULL);
	if (r)
		goto fail;
	return 0;
fail:
	cephx_authorizer_destroy(au);
	return r;
}

int cephx_get_request(struct cephx_client *c, struct wire_enc *out)
{
	struct wire_enc e;

	c->starting = true;
	c->server_challenge = 0;
	wire_enc_init(&e);
	wire_enc_u8(&e, CEPH_AUTH_MODE_MON);
	wire_enc_le32(&e, c->entity_type);
	ceph_enc_string(&e, c->id);
	wire_enc_le64(&e, c->global_id);
	return append_enc(out, &e);
}

int cephx_build_request(struct cephx_client *c, int64_t now, struct wire_enc *out)
{
	uint32_t need = validate_tickets(c, now);
	struct wire_enc e;
	int r;

	if (!need)
		return 0;
	if (c->starting)
		return -EPROTO; /* no server challenge to answer yet */
	wire_enc_init(&e);
	if (need & CEPH_ENTITY_TYPE_AUTH) {
		const struct cephx_ticket *t = &c->tickets[AUTH_IDX];
		uint64_t client_challenge, key;

		r = random_u64(c, &client_challenge);
		if (!r)
			r = cephx_challenge_key(&c->secret, c->server_challenge, client_challenge, &key);
		if (r) {
			wire_enc_free(&e);
			return r;
		}
		wire_enc_le16(&e, CEPHX_GET_AUTH_SESSION_KEY);
		wire_enc_u8(&e, 3); /* v3: we always present our old ticket */
		wire_enc_le64(&e, client_challenge);
		wire_enc_le64(&e, key);
		/* The old ticket proves we owned the global_id we reclaim. With
		 * no global_id the monitor assigns a new one and calls any ticket
		 * "superfluous" (-EINVAL): send none then. */
		if (c->global_id && t->blob)
			encode_ticket_blob(&e, t->secret_id, t->blob, t->blob_len);
		else
			encode_ticket_blob(&e, 0, NULL, 0);
		/* Nautilus+: the service tickets come in the same reply. */
		wire_enc_le32(&e, c->want_keys & ~CEPH_ENTITY_TYPE_AUTH);
		return append_enc(out, &e);
	}

	struct cephx_authorizer au;

	r = build_authorizer(c, CEPH_ENTITY_TYPE_AUTH, &au);
	if (r) {
		wire_enc_free(&e);
		return r;
	}
	wire_enc_le16(&e, CEPHX_GET_PRINCIPAL_SESSION_KEY);
	wire_enc_bytes(&e, au.buf.buf, au.buf.len);
	wire_enc_u8(&e, 1); /* CephXServiceTicketRequest */
	wire_enc_le32(&e, need);
	cephx_authorizer_destroy(&au);
	return append_enc(out, &e);
}

int cephx_handle_reply_more(struct cephx_client *c, const void *reply, size_t len, int64_t now, struct wire_enc *out)
{
	size_t before = out->len;
	int r;

	if (c->starting)
		r = handle_server_challenge(c, reply, len);
	else
		r = handle_op_reply(c, 0, reply, len, now, NULL, 0);
	if (r)
		return r;
	r = cephx_build_request(c, now, out);
	if (!r && out->len == before)
		r = -EPROTO; /* nothing left to ask for: the monitor should have said done */
	return r;
}

int cephx_handle_reply_done(struct cephx_client *c, uint64_t global_id, const void *reply, size_t len, int64_t now,
			    struct cephx_session *sess)
{
	if (c->starting)
		return -EPROTO;
	return handle_op_reply(c, global_id, reply, len, now, sess, CEPHX_GET_AUTH_SESSION_KEY);
}

int cephx_handle_reply(struct cephx_client *c, uint64_t global_id, const void *reply, size_t len, int64_t now,
		       struct cephx_session *sess)
{
	int r;

	if (c->starting)
		return -EPROTO;
	r = handle_op_reply(c, global_id, reply, len, now, sess, 0);
	if (r)
		return r;
	/* Judged at @now: a ticket can arrive already expired (a validity
	 * under a second). */
	return cephx_is_authenticated(c, now) ? 0 : -EAGAIN;
}

/* ---- authorizers -------------------------------------------------------- */

int cephx_authorizer_build(struct cephx_client *c, uint32_t service, struct cephx_authorizer *au)
{
	return build_authorizer(c, service, au);
}

int cephx_authorizer_add_challenge(struct cephx_authorizer *au, const void *challenge, size_t len)
{
	struct cephx_plain plain;
	struct wire_dec d;
	uint64_t server_challenge;
	uint8_t v;
	int r;

	r = cephx_decrypt_enc_bl(&au->session_key, challenge, len, &plain);
	if (r)
		return r;
	wire_dec_init(&d, plain.data, plain.len);
	if (wire_dec_u8(&d, &v) || wire_dec_le64(&d, &server_challenge))
		r = -EBADMSG;
	else
		r = encrypt_authorize(au, &server_challenge);
	cephx_plain_free(&plain);
	return r;
}

int cephx_authorizer_verify_reply(const struct cephx_authorizer *au, const void *reply, size_t len,
				  struct cephx_session *sess)
{
	struct cephx_plain plain;
	struct wire_dec d, p;
	const uint8_t *secret = NULL;
	uint32_t secret_len = 0;
	uint64_t nonce_plus_one;
	uint8_t v;
	int r;

	wire_dec_init(&d, len ? reply : "", len);
	r = cephx_decode_decrypt(&au->session_key, &d, &plain);
	if (r)
		return r;
	wire_dec_init(&p, plain.data, plain.len);
	if (wire_dec_u8(&p, &v) || wire_dec_le64(&p, &nonce_plus_one) ||
	    (v >= 2 && (ceph_dec_blob(&p, &secret, &secret_len) || secret_len > CEPHX_CON_SECRET_MAX))) {
		r = -EBADMSG;
		goto out;
	}
	if (nonce_plus_one != au->nonce + 1) {
		r = -EPERM; /* the service did not prove it holds the ticket's key */
		goto out;
	}
	if (sess) {
		memset(sess, 0, sizeof(*sess));
		copy_key(&sess->session_key, &au->session_key);
		if (secret_len)
			memcpy(sess->con_secret, secret, secret_len);
		sess->con_secret_len = secret_len;
	}
	r = 0;
out:
	cephx_plain_free(&plain);
	return r;
}

bool cephx_authorizer_stale(const struct cephx_client *c, const struct cephx_authorizer *au)
{
	int idx = service_index(au->service);

	return idx >= 0 && au->secret_id < c->tickets[idx].secret_id;
}

void cephx_authorizer_destroy(struct cephx_authorizer *au)
{
	wire_enc_free(&au->buf);
	OPENSSL_cleanse(au, sizeof(*au));
	wire_enc_init(&au->buf);
}

/* ---- MAuth -------------------------------------------------------------- */

int cephx_mauth_encode(const void *payload, size_t len, struct wire_enc *out)
{
	struct wire_enc e;

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	wire_enc_init(&e);
	wire_enc_le64(&e, 0);	   /* paxos version */
	wire_enc_le16(&e, 0xffff); /* session_mon: -1 */
	wire_enc_le64(&e, 0);	   /* session_mon_tid */
	wire_enc_le32(&e, CEPH_AUTH_CEPHX);
	ceph_enc_blob(&e, payload, (uint32_t)len);
	return append_enc(out, &e);
}

int cephx_mauth_reply_decode(const void *front, size_t len, struct cephx_mauth_reply *r)
{
	struct wire_dec d;
	uint32_t result;

	memset(r, 0, sizeof(*r));
	wire_dec_init(&d, len ? front : "", len);
	if (wire_dec_le32(&d, &r->protocol) || wire_dec_le32(&d, &result) || wire_dec_le64(&d, &r->global_id) ||
	    ceph_dec_blob(&d, &r->payload, &r->payload_len) || ceph_dec_blob(&d, &r->msg, &r->msg_len)) {
		memset(r, 0, sizeof(*r));
		return -EBADMSG;
	}
	r->result = (int32_t)result;
	return 0;
}

/* ---- errors ------------------------------------------------------------- */

static const char *entity_type_name(uint32_t type)
{
	switch (type) {
	case CEPH_ENTITY_TYPE_MON:
		return "mon";
	case CEPH_ENTITY_TYPE_MDS:
		return "mds";
	case CEPH_ENTITY_TYPE_OSD:
		return "osd";
	case CEPH_ENTITY_TYPE_CLIENT:
		return "client";
	case CEPH_ENTITY_TYPE_MGR:
		return "mgr";
	case CEPH_ENTITY_TYPE_AUTH:
		return "auth";
	}
	return "unknown";
}

int cephx_auth_error(const struct cephx_client *c, int result, char *msg, size_t msglen)
{
	char id[CEPHX_ID_MAX * 4];
	const char *why;
	int err = result;

	printable_copy(id, sizeof(id), c->id, sizeof(c->id));
	switch (result) {
	case -EPERM:
		err = -EKEYREJECTED;
		why = "unknown entity or wrong key (the monitor does not say which)";
		break;
	case -EACCES:
		why = "access denied: no mon caps, or our old ticket did not prove the global_id we reclaim";
		break;
	case -EOPNOTSUPP:
		why = "cephx or the connection mode is not allowed for this entity";
		break;
	case -EBUSY:
		why = "the monitor is not ready (no quorum yet)";
		break;
	case -EINVAL:
		why = "the monitor could not accept our request";
		break;
	case -EIO:
		why = "the monitor could not build a ticket (internal error)";
		break;
	default:
		why = NULL;
		break;
	}
	if (msg && msglen) {
		if (why)
			snprintf(msg, msglen, "cephx: monitor refused %s.%s: %s", entity_type_name(c->entity_type), id,
				 why);
		else
			snprintf(msg, msglen, "cephx: monitor refused %s.%s: error %d",
				 entity_type_name(c->entity_type), id, result);
	}
	return err < 0 ? err : -EPROTO;
}
