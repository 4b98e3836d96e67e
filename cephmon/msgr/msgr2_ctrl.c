/*
 * cephmon/msgr/msgr2_ctrl.c: msgr2 control frame payloads, ceph_msg_header2 and
 * the AUTH_SIGNATURE HMAC (see msgr2_ctrl.h for the layouts and sources).
 *
 * Each decoder works on a copy of its output and stores it only when every
 * field decoded, so a malformed payload changes nothing. Each encoder that
 * can refuse its input remembers where it started and takes back what it
 * appended. The HMAC goes through EVP_DigestSign with a raw HMAC key, which
 * OpenSSL 1.1.1 and 3 both offer without deprecation warnings.
 */
#include "config.h"

#include "cephmon/msgr/msgr2_ctrl.h"

#include "cephmon/msgr/ceph_addr_wire.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

/* Take back what an encoder appended when it refuses its input. */
static int enc_done(struct wire_enc *e, size_t start, int err)
{
	if (err && err != -ENOMEM && !e->err)
		wire_enc_truncate(e, start);
	return err ? err : wire_enc_error(e);
}

static int enc_list(struct wire_enc *e, const struct msgr2_u32_list *l)
{
	if (l->n > MSGR2_LIST_MAX)
		return -EINVAL;
	wire_enc_le32(e, l->n);
	for (uint32_t i = 0; i < l->n; i++)
		wire_enc_le32(e, l->v[i]);
	return 0;
}

static int dec_list(struct wire_dec *d, struct msgr2_u32_list *l)
{
	if (wire_dec_le32(d, &l->n))
		return -EBADMSG;
	if (l->n > MSGR2_LIST_MAX)
		return wire_dec_fail(d);
	for (uint32_t i = 0; i < l->n; i++)
		if (wire_dec_le32(d, &l->v[i]))
			return -EBADMSG;
	return 0;
}

static int dec_bool(struct wire_dec *d, bool *b)
{
	uint8_t v;

	if (wire_dec_u8(d, &v))
		return -EBADMSG;
	*b = v != 0;
	return 0;
}

/* ---- HELLO ------------------------------------------------------------------ */

int msgr2_hello_encode(struct wire_enc *e, const struct msgr2_hello *h)
{
	size_t start = e->len;

	wire_enc_u8(e, h->entity_type);
	return enc_done(e, start, ceph_entity_addr_encode(e, &h->peer_addr));
}

int msgr2_hello_decode(const uint8_t *p, size_t len, struct msgr2_hello *out)
{
	struct msgr2_hello h;
	struct wire_dec d;

	wire_dec_init(&d, p, len);
	if (wire_dec_u8(&d, &h.entity_type) || ceph_entity_addr_decode(&d, &h.peer_addr))
		return -EBADMSG;
	*out = h;
	return 0;
}

/* ---- AUTH_* ------------------------------------------------------------------- */

int msgr2_auth_request_encode(struct wire_enc *e, const struct msgr2_auth_request *r)
{
	size_t start = e->len;
	int err;

	wire_enc_le32(e, r->method);
	err = enc_list(e, &r->preferred_modes);
	if (!err)
		ceph_enc_blob(e, r->payload, r->payload_len);
	return enc_done(e, start, err);
}

int msgr2_auth_request_decode(const uint8_t *p, size_t len, struct msgr2_auth_request *out)
{
	struct msgr2_auth_request r;
	struct wire_dec d;

	wire_dec_init(&d, p, len);
	if (wire_dec_le32(&d, &r.method) || dec_list(&d, &r.preferred_modes) ||
	    ceph_dec_blob(&d, &r.payload, &r.payload_len))
		return -EBADMSG;
	*out = r;
	return 0;
}

int msgr2_auth_bad_method_encode(struct wire_enc *e, const struct msgr2_auth_bad_method *b)
{
	size_t start = e->len;
	int err;

	wire_enc_le32(e, b->method);
	wire_enc_le32(e, (uint32_t)b->result);
	err = enc_list(e, &b->allowed_methods);
	if (!err)
		err = enc_list(e, &b->allowed_modes);
	return enc_done(e, start, err);
}

int msgr2_auth_bad_method_decode(const uint8_t *p, size_t len, struct msgr2_auth_bad_method *out)
{
	struct msgr2_auth_bad_method b;
	struct wire_dec d;
	uint32_t result;

	wire_dec_init(&d, p, len);
	if (wire_dec_le32(&d, &b.method) || wire_dec_le32(&d, &result) || dec_list(&d, &b.allowed_methods) ||
	    dec_list(&d, &b.allowed_modes))
		return -EBADMSG;
	b.result = (int32_t)result;
	*out = b;
	return 0;
}

int msgr2_auth_more_encode(struct wire_enc *e, const struct msgr2_auth_more *m)
{
	ceph_enc_blob(e, m->payload, m->payload_len);
	return wire_enc_error(e);
}

int msgr2_auth_more_decode(const uint8_t *p, size_t len, struct msgr2_auth_more *out)
{
	struct msgr2_auth_more m;
	struct wire_dec d;

	wire_dec_init(&d, p, len);
	if (ceph_dec_blob(&d, &m.payload, &m.payload_len))
		return -EBADMSG;
	*out = m;
	return 0;
}

int msgr2_auth_done_encode(struct wire_enc *e, const struct msgr2_auth_done *a)
{
	wire_enc_le64(e, a->global_id);
	wire_enc_le32(e, a->con_mode);
	ceph_enc_blob(e, a->payload, a->payload_len);
	return wire_enc_error(e);
}

int msgr2_auth_done_decode(const uint8_t *p, size_t len, struct msgr2_auth_done *out)
{
	struct msgr2_auth_done a;
	struct wire_dec d;

	wire_dec_init(&d, p, len);
	if (wire_dec_le64(&d, &a.global_id) || wire_dec_le32(&d, &a.con_mode) ||
	    ceph_dec_blob(&d, &a.payload, &a.payload_len))
		return -EBADMSG;
	*out = a;
	return 0;
}

/* ---- identification and sessions ------------------------------------------------ */

int msgr2_client_ident_encode(struct wire_enc *e, const struct msgr2_client_ident *c)
{
	size_t start = e->len;
	int err;

	err = ceph_entity_addrvec_encode(e, &c->addrs);
	if (!err)
		err = ceph_entity_addr_encode(e, &c->target_addr);
	if (!err) {
		wire_enc_le64(e, (uint64_t)c->global_id);
		wire_enc_le64(e, c->global_seq);
		wire_enc_le64(e, c->supported_features);
		wire_enc_le64(e, c->required_features);
		wire_enc_le64(e, c->flags);
		wire_enc_le64(e, c->cookie);
	}
	return enc_done(e, start, err);
}

int msgr2_client_ident_decode(const uint8_t *p, size_t len, struct msgr2_client_ident *out)
{
	struct msgr2_client_ident c;
	struct wire_dec d;
	uint64_t gid;

	wire_dec_init(&d, p, len);
	if (ceph_entity_addrvec_decode(&d, &c.addrs) || ceph_entity_addr_decode(&d, &c.target_addr) ||
	    wire_dec_le64(&d, &gid) || wire_dec_le64(&d, &c.global_seq) || wire_dec_le64(&d, &c.supported_features) ||
	    wire_dec_le64(&d, &c.required_features) || wire_dec_le64(&d, &c.flags) || wire_dec_le64(&d, &c.cookie))
		return -EBADMSG;
	c.global_id = (int64_t)gid;
	*out = c;
	return 0;
}

int msgr2_server_ident_encode(struct wire_enc *e, const struct msgr2_server_ident *s)
{
	size_t start = e->len;
	int err;

	err = ceph_entity_addrvec_encode(e, &s->addrs);
	if (!err) {
		wire_enc_le64(e, (uint64_t)s->global_id);
		wire_enc_le64(e, s->global_seq);
		wire_enc_le64(e, s->supported_features);
		wire_enc_le64(e, s->required_features);
		wire_enc_le64(e, s->flags);
		wire_enc_le64(e, s->cookie);
	}
	return enc_done(e, start, err);
}

int msgr2_server_ident_decode(const uint8_t *p, size_t len, struct msgr2_server_ident *out)
{
	struct msgr2_server_ident s;
	struct wire_dec d;
	uint64_t gid;

	wire_dec_init(&d, p, len);
	if (ceph_entity_addrvec_decode(&d, &s.addrs) || wire_dec_le64(&d, &gid) || wire_dec_le64(&d, &s.global_seq) ||
	    wire_dec_le64(&d, &s.supported_features) || wire_dec_le64(&d, &s.required_features) ||
	    wire_dec_le64(&d, &s.flags) || wire_dec_le64(&d, &s.cookie))
		return -EBADMSG;
	s.global_id = (int64_t)gid;
	*out = s;
	return 0;
}

int msgr2_session_reconnect_encode(struct wire_enc *e, const struct msgr2_session_reconnect *r)
{
	size_t start = e->len;
	int err;

	err = ceph_entity_addrvec_encode(e, &r->addrs);
	if (!err) {
		wire_enc_le64(e, r->client_cookie);
		wire_enc_le64(e, r->server_cookie);
		wire_enc_le64(e, r->global_seq);
		wire_enc_le64(e, r->connect_seq);
		wire_enc_le64(e, r->msg_seq);
	}
	return enc_done(e, start, err);
}

int msgr2_session_reconnect_decode(const uint8_t *p, size_t len, struct msgr2_session_reconnect *out)
{
	struct msgr2_session_reconnect r;
	struct wire_dec d;

	wire_dec_init(&d, p, len);
	if (ceph_entity_addrvec_decode(&d, &r.addrs) || wire_dec_le64(&d, &r.client_cookie) ||
	    wire_dec_le64(&d, &r.server_cookie) || wire_dec_le64(&d, &r.global_seq) ||
	    wire_dec_le64(&d, &r.connect_seq) || wire_dec_le64(&d, &r.msg_seq))
		return -EBADMSG;
	*out = r;
	return 0;
}

int msgr2_session_reset_encode(struct wire_enc *e, bool full)
{
	wire_enc_u8(e, full ? 1 : 0);
	return wire_enc_error(e);
}

int msgr2_session_reset_decode(const uint8_t *p, size_t len, bool *full)
{
	struct wire_dec d;
	bool f;

	wire_dec_init(&d, p, len);
	if (dec_bool(&d, &f))
		return -EBADMSG;
	*full = f;
	return 0;
}

int msgr2_u64_encode(struct wire_enc *e, uint64_t v)
{
	wire_enc_le64(e, v);
	return wire_enc_error(e);
}

int msgr2_u64_decode(const uint8_t *p, size_t len, uint64_t *out)
{
	struct wire_dec d;
	uint64_t v;

	wire_dec_init(&d, p, len);
	if (wire_dec_le64(&d, &v))
		return -EBADMSG;
	*out = v;
	return 0;
}

/* ---- compression negotiation ------------------------------------------------------- */

int msgr2_compression_request_encode(struct wire_enc *e, const struct msgr2_compression_request *r)
{
	size_t start = e->len;

	wire_enc_u8(e, r->is_compress ? 1 : 0);
	return enc_done(e, start, enc_list(e, &r->preferred_methods));
}

int msgr2_compression_request_decode(const uint8_t *p, size_t len, struct msgr2_compression_request *out)
{
	struct msgr2_compression_request r;
	struct wire_dec d;

	wire_dec_init(&d, p, len);
	if (dec_bool(&d, &r.is_compress) || dec_list(&d, &r.preferred_methods))
		return -EBADMSG;
	*out = r;
	return 0;
}

int msgr2_compression_done_encode(struct wire_enc *e, const struct msgr2_compression_done *c)
{
	wire_enc_u8(e, c->is_compress ? 1 : 0);
	wire_enc_le32(e, c->method);
	return wire_enc_error(e);
}

int msgr2_compression_done_decode(const uint8_t *p, size_t len, struct msgr2_compression_done *out)
{
	struct msgr2_compression_done c;
	struct wire_dec d;

	wire_dec_init(&d, p, len);
	if (dec_bool(&d, &c.is_compress) || wire_dec_le32(&d, &c.method))
		return -EBADMSG;
	*out = c;
	return 0;
}

/* ---- keepalives and message headers ------------------------------------------------- */

int msgr2_keepalive_encode(struct wire_enc *e, const struct msgr2_timespec *t)
{
	wire_enc_le32(e, t->sec);
	wire_enc_le32(e, t->nsec);
	return wire_enc_error(e);
}

int msgr2_keepalive_decode(const uint8_t *p, size_t len, struct msgr2_timespec *out)
{
	struct msgr2_timespec t;
	struct wire_dec d;

	wire_dec_init(&d, p, len);
	if (wire_dec_le32(&d, &t.sec) || wire_dec_le32(&d, &t.nsec))
		return -EBADMSG;
	*out = t;
	return 0;
}

int msgr2_msg_header_encode(struct wire_enc *e, const struct msgr2_msg_header *h)
{
	wire_enc_le64(e, h->seq);
	wire_enc_le64(e, h->tid);
	wire_enc_le16(e, h->type);
	wire_enc_le16(e, h->priority);
	wire_enc_le16(e, h->version);
	wire_enc_le32(e, h->data_pre_padding_len);
	wire_enc_le16(e, h->data_off);
	wire_enc_le64(e, h->ack_seq);
	wire_enc_u8(e, h->flags);
	wire_enc_le16(e, h->compat_version);
	wire_enc_le16(e, h->reserved);
	return wire_enc_error(e);
}

int msgr2_msg_header_decode(const uint8_t *p, size_t len, struct msgr2_msg_header *out)
{
	struct msgr2_msg_header h;
	struct wire_dec d;

	wire_dec_init(&d, p, len);
	if (wire_dec_le64(&d, &h.seq) || wire_dec_le64(&d, &h.tid) || wire_dec_le16(&d, &h.type) ||
	    wire_dec_le16(&d, &h.priority) || wire_dec_le16(&d, &h.version) ||
	    wire_dec_le32(&d, &h.data_pre_padding_len) || wire_dec_le16(&d, &h.data_off) ||
	    wire_dec_le64(&d, &h.ack_seq) || wire_dec_u8(&d, &h.flags) || wire_dec_le16(&d, &h.compat_version) ||
	    wire_dec_le16(&d, &h.reserved))
		return -EBADMSG;
	*out = h;
	return 0;
}

/* ---- AUTH_SIGNATURE ------------------------------------------------------------------ */

int msgr2_auth_signature(const uint8_t *key, size_t key_len, const struct iovec *iov, int iovcnt,
			 uint8_t sig[MSGR2_AUTH_SIGNATURE_LEN])
{
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	size_t n = MSGR2_AUTH_SIGNATURE_LEN;
	int err = -EIO;

	if (!key_len) {
		/* auth none: Ceph sends an all-zero digest (sha256_digest_t{}). */
		memset(sig, 0, MSGR2_AUTH_SIGNATURE_LEN);
		return 0;
	}
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, NULL, key, key_len);
	ctx = EVP_MD_CTX_new();
	if (!pkey || !ctx) {
		err = -ENOMEM;
		goto out;
	}
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) != 1)
		goto out;
	for (int i = 0; i < iovcnt; i++)
		if (iov[i].iov_len && EVP_DigestSignUpdate(ctx, iov[i].iov_base, iov[i].iov_len) != 1)
			goto out;
	if (EVP_DigestSignFinal(ctx, sig, &n) != 1 || n != MSGR2_AUTH_SIGNATURE_LEN)
		goto out;
	err = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return err;
}

int msgr2_auth_signature_check(const uint8_t *p, size_t len, const uint8_t want[MSGR2_AUTH_SIGNATURE_LEN])
{
	if (len < MSGR2_AUTH_SIGNATURE_LEN)
		return -EBADMSG;
	return CRYPTO_memcmp(p, want, MSGR2_AUTH_SIGNATURE_LEN) ? -EBADMSG : 0;
}
