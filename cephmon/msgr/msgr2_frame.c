/*
 * cephmon/msgr/msgr2_frame.c: msgr2.1 banner and frames, crc and secure modes (see
 * msgr2_frame.h for the layout and its sources).
 *
 * Written by hand: no library speaks msgr2. The crypto is OpenSSL's EVP
 * AES-128-GCM, one context per operation; that costs a key schedule per
 * frame, which a monitor connection does not notice, and keeps struct
 * msgr2_gcm plain data that a decoder can copy, advance, and commit only when
 * the whole frame checked out.
 *
 * Decoding follows Ceph's FrameAssembler where the kernel is stricter for its
 * own reasons: a first segment may be empty (WAIT has no payload; it then has
 * no crc in crc mode), crc values of unused trailing segments are not
 * checked, and a frame whose late_status says ABORTED is reported for
 * dropping rather than failing the connection. Segment lengths are bounded
 * by the kernel's limits before anything is allocated.
 */
#include "config.h"

#include "cephmon/msgr/msgr2_frame.h"

#include "cephmon/msgr/crc32c.h"

#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---------------------------------------------------------- */

static size_t pad16(size_t n)
{
	return (n + MSGR2_GCM_BLOCK_LEN - 1) & ~(size_t)(MSGR2_GCM_BLOCK_LEN - 1);
}

/* Ceph's alignments (DEFAULT_ALIGNMENT = sizeof(void *) on 64-bit, the data
 * segment PAGE_SIZE_ALIGNMENT), which the kernel also sends. */
static const uint16_t seg_align[MSGR2_MAX_SEGMENTS] = {8, 8, 8, 4096};

static const uint32_t seg_max[MSGR2_MAX_SEGMENTS] = {MSGR2_MAX_CONTROL_LEN, MSGR2_MAX_FRONT_LEN, MSGR2_MAX_MIDDLE_LEN,
						     MSGR2_MAX_DATA_LEN};

/* ---- banner ------------------------------------------------------------------- */

void msgr2_banner_encode(struct wire_enc *e)
{
	wire_enc_bytes(e, MSGR2_BANNER, MSGR2_BANNER_LEN);
	wire_enc_le16(e, MSGR2_BANNER_PAYLOAD_LEN);
	wire_enc_le64(e, MSGR2_SUPPORTED_FEATURES);
	wire_enc_le64(e, MSGR2_REQUIRED_FEATURES);
}

int msgr2_banner_decode_prefix(const uint8_t *buf, size_t len, uint16_t *payload_len)
{
	if (len < MSGR2_BANNER_PREFIX_LEN)
		return -EBADMSG;
	if (memcmp(buf, MSGR2_BANNER, MSGR2_BANNER_LEN)) {
		/* msgr1's banner is "ceph v027": tell the caller the peer is
		 * alive but speaks the old protocol. */
		if (!memcmp(buf, "ceph v027", 9))
			return -EPROTONOSUPPORT;
		return -EBADMSG;
	}
	*payload_len = get_le16(buf + MSGR2_BANNER_LEN);
	return 0;
}

int msgr2_banner_decode_payload(const uint8_t *buf, size_t len, uint64_t *supported, uint64_t *required)
{
	struct wire_dec d;
	uint64_t s, r;

	wire_dec_init(&d, buf, len);
	if (wire_dec_le64(&d, &s) || wire_dec_le64(&d, &r))
		return -EBADMSG;
	*supported = s;
	*required = r;
	return 0;
}

int msgr2_banner_check(uint64_t peer_supported, uint64_t peer_required)
{
	if (MSGR2_REQUIRED_FEATURES & ~peer_supported)
		return -EPROTONOSUPPORT;
	if (peer_required & ~(uint64_t)MSGR2_SUPPORTED_FEATURES)
		return -EPROTONOSUPPORT;
	return 0;
}

/* ---- preamble ------------------------------------------------------------------- */

void msgr2_preamble_encode(const struct msgr2_preamble *p, uint8_t out[MSGR2_PREAMBLE_LEN])
{
	memset(out, 0, MSGR2_PREAMBLE_LEN);
	out[0] = p->tag;
	out[1] = p->num_segments;
	for (unsigned i = 0; i < MSGR2_MAX_SEGMENTS && i < p->num_segments; i++) {
		put_le32(out + 2 + 6 * i, p->len[i]);
		put_le16(out + 6 + 6 * i, p->align[i]);
	}
	out[26] = p->flags;
	/* out[27] is reserved, zero */
	put_le32(out + 28, ceph_crc32c(0, out, 28));
}

int msgr2_preamble_decode(const uint8_t in[MSGR2_PREAMBLE_LEN], struct msgr2_preamble *out)
{
	struct msgr2_preamble p;

	if (ceph_crc32c(0, in, 28) != get_le32(in + 28))
		return -EBADMSG;
	memset(&p, 0, sizeof(p));
	p.tag = in[0];
	p.num_segments = in[1];
	p.flags = in[26];
	if (p.num_segments < 1 || p.num_segments > MSGR2_MAX_SEGMENTS)
		return -EPROTO;
	for (unsigned i = 0; i < p.num_segments; i++) {
		p.len[i] = get_le32(in + 2 + 6 * i);
		p.align[i] = get_le16(in + 6 + 6 * i);
		if (p.len[i] > seg_max[i])
			return -EPROTO;
	}
	/* Senders drop trailing empty segments; only a lone one may be empty. */
	if (p.num_segments > 1 && !p.len[p.num_segments - 1])
		return -EPROTO;
	if (p.tag < MSGR2_TAG_HELLO || p.tag > MSGR2_TAG_MAX)
		return -EPROTO;
	if (p.flags & MSGR2_FRAME_FLAG_COMPRESSED)
		return -EPROTO;
	*out = p;
	return 0;
}

/* ---- AES-128-GCM ------------------------------------------------------------------ */

static void nonce_from_wire(struct msgr2_gcm_nonce *n, const uint8_t b[MSGR2_GCM_NONCE_LEN])
{
	n->fixed = get_le32(b);
	n->counter = (uint64_t)get_le32(b + 8) << 32 | get_le32(b + 4);
}

static void nonce_to_iv(const struct msgr2_gcm_nonce *n, uint8_t iv[MSGR2_GCM_NONCE_LEN])
{
	put_le32(iv, n->fixed);
	put_le32(iv + 4, (uint32_t)n->counter);
	put_le32(iv + 8, (uint32_t)(n->counter >> 32));
}

static bool nonce_eq(const struct msgr2_gcm_nonce *a, const struct msgr2_gcm_nonce *b)
{
	return a->fixed == b->fixed && a->counter == b->counter;
}

void msgr2_gcm_init(struct msgr2_gcm *g, const uint8_t key[MSGR2_GCM_KEY_LEN], const uint8_t nonce[MSGR2_GCM_NONCE_LEN])
{
	memcpy(g->key, key, MSGR2_GCM_KEY_LEN);
	nonce_from_wire(&g->nonce, nonce);
	g->first = g->nonce;
	g->used_first = false;
}

int msgr2_crypto_init_client(struct msgr2_crypto *c, const uint8_t *secret, size_t len)
{
	if (len < MSGR2_GCM_KEY_LEN + 2 * MSGR2_GCM_NONCE_LEN)
		return -EINVAL;
	msgr2_gcm_init(&c->rx, secret, secret + MSGR2_GCM_KEY_LEN);
	msgr2_gcm_init(&c->tx, secret, secret + MSGR2_GCM_KEY_LEN + MSGR2_GCM_NONCE_LEN);
	return 0;
}

void msgr2_crypto_wipe(struct msgr2_crypto *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}

/* Take the next nonce of @g (a copy the caller commits) as an IV. Ceph's
 * TxHandler refuses to come back to its first nonce; so do both directions. */
static int gcm_next_iv(struct msgr2_gcm *g, uint8_t iv[MSGR2_GCM_NONCE_LEN])
{
	if (nonce_eq(&g->nonce, &g->first)) {
		if (g->used_first)
			return -EOVERFLOW;
		g->used_first = true;
	}
	nonce_to_iv(&g->nonce, iv);
	g->nonce.counter++;
	return 0;
}

/* EVP lengths are ints; frames are far below INT_MAX, but do not assume it. */
static int gcm_update(EVP_CIPHER_CTX *ctx, bool enc, uint8_t *out, const uint8_t *in, size_t len)
{
	while (len) {
		int n = len > (size_t)(INT_MAX & ~15) ? (INT_MAX & ~15) : (int)len, got;

		if ((enc ? EVP_EncryptUpdate(ctx, out, &got, in, n) : EVP_DecryptUpdate(ctx, out, &got, in, n)) != 1 ||
		    got != n)
			return -EIO;
		in += n;
		out += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Encrypt @len bytes at @buf in place and write the tag after them. */
static int gcm_seal(struct msgr2_gcm *g, uint8_t *buf, size_t len)
{
	uint8_t iv[MSGR2_GCM_NONCE_LEN];
	EVP_CIPHER_CTX *ctx;
	int err, got;

	err = gcm_next_iv(g, iv);
	if (err)
		return err;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	err = -EIO;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, MSGR2_GCM_NONCE_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, g->key, iv) != 1)
		goto out;
	if (gcm_update(ctx, true, buf, buf, len))
		goto out;
	if (EVP_EncryptFinal_ex(ctx, buf + len, &got) != 1 || got != 0)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, MSGR2_GCM_TAG_LEN, buf + len) != 1)
		goto out;
	err = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

/* Decrypt @len bytes of ciphertext (followed by its tag) at @in into @out;
 * -EBADMSG if the tag does not authenticate them. */
static int gcm_open(struct msgr2_gcm *g, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t iv[MSGR2_GCM_NONCE_LEN], tag[MSGR2_GCM_TAG_LEN];
	EVP_CIPHER_CTX *ctx;
	int err, got;

	err = gcm_next_iv(g, iv);
	if (err)
		return err;
	memcpy(tag, in + len, sizeof(tag));
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	err = -EIO;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, MSGR2_GCM_NONCE_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, g->key, iv) != 1)
		goto out;
	if (gcm_update(ctx, false, out, in, len))
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, MSGR2_GCM_TAG_LEN, tag) != 1)
		goto out;
	err = EVP_DecryptFinal_ex(ctx, out + len, &got) == 1 ? 0 : -EBADMSG;
	if (err)
		OPENSSL_cleanse(out, len); /* unauthenticated plaintext */
out:
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

/* ---- encoding --------------------------------------------------------------------- */

/* @hole: where the last segment's bytes go, when the caller sends them
 * itself (they are left out of @out); NULL: copied in. */
static int frame_encode_crc(struct wire_enc *out, const uint8_t pre[MSGR2_PREAMBLE_LEN], const struct msgr2_seg *segs,
			    unsigned n, size_t *hole)
{
	wire_enc_bytes(out, pre, MSGR2_PREAMBLE_LEN);
	if (segs[0].len) {
		wire_enc_bytes(out, segs[0].data, segs[0].len);
		wire_enc_le32(out, ceph_crc32c(0xffffffffu, segs[0].data, segs[0].len));
	}
	if (n == 1)
		return wire_enc_error(out); /* msgr2.1: no epilogue */
	for (unsigned i = 1; i < n; i++) {
		if (hole && i == n - 1)
			*hole = out->len;
		else
			wire_enc_bytes(out, segs[i].data, segs[i].len);
	}
	wire_enc_u8(out, MSGR2_LATE_STATUS_COMPLETE);
	/* An empty segment inside the frame has crc32c(-1, "") = -1; unused
	 * trailing ones 0. */
	for (unsigned i = 1; i < MSGR2_MAX_SEGMENTS; i++)
		wire_enc_le32(out, i < n ? ceph_crc32c(0xffffffffu, segs[i].data, segs[i].len) : 0);
	return wire_enc_error(out);
}

/* Reserve @len bytes plus a tag at the end of @out; returns their offset. */
static int reserve_block(struct wire_enc *out, size_t len, size_t *at)
{
	*at = out->len;
	if (!wire_enc_reserve(out, len + MSGR2_GCM_TAG_LEN))
		return -ENOMEM;
	memset(out->buf + *at, 0, len);
	return 0;
}

static int frame_encode_secure(struct wire_enc *out, const uint8_t pre[MSGR2_PREAMBLE_LEN],
			       const struct msgr2_seg *segs, unsigned n, struct msgr2_gcm *tx)
{
	const uint8_t *s0 = segs[0].data;
	size_t inl = segs[0].len < MSGR2_INLINE_LEN ? segs[0].len : MSGR2_INLINE_LEN, at;
	int err;

	/* The preamble and as much of segment 1 as fits, zero padded. */
	err = reserve_block(out, MSGR2_PREAMBLE_LEN + MSGR2_INLINE_LEN, &at);
	if (err)
		return err;
	memcpy(out->buf + at, pre, MSGR2_PREAMBLE_LEN);
	if (inl)
		memcpy(out->buf + at + MSGR2_PREAMBLE_LEN, s0, inl);
	err = gcm_seal(tx, out->buf + at, MSGR2_PREAMBLE_LEN + MSGR2_INLINE_LEN);
	if (err)
		return err;

	if (segs[0].len > MSGR2_INLINE_LEN) {
		size_t rem = segs[0].len - MSGR2_INLINE_LEN;

		err = reserve_block(out, pad16(rem), &at);
		if (err)
			return err;
		memcpy(out->buf + at, s0 + MSGR2_INLINE_LEN, rem);
		err = gcm_seal(tx, out->buf + at, pad16(rem));
		if (err)
			return err;
	}
	if (n == 1)
		return 0;

	size_t tail = MSGR2_GCM_BLOCK_LEN, off;
	for (unsigned i = 1; i < n; i++)
		tail += pad16(segs[i].len);
	err = reserve_block(out, tail, &at);
	if (err)
		return err;
	off = at;
	for (unsigned i = 1; i < n; i++) {
		if (segs[i].len)
			memcpy(out->buf + off, segs[i].data, segs[i].len);
		off += pad16(segs[i].len);
	}
	out->buf[off] = MSGR2_LATE_STATUS_COMPLETE; /* then 15 zero bytes */
	return gcm_seal(tx, out->buf + at, tail);
}

static int frame_encode(struct wire_enc *out, uint8_t tag, const struct msgr2_seg *segs, unsigned nsegs,
			struct msgr2_gcm *tx, size_t *hole)
{
	struct msgr2_preamble p;
	uint8_t pre[MSGR2_PREAMBLE_LEN];
	struct msgr2_gcm g;
	size_t start = out->len;
	unsigned n = 1;
	int err;

	if (nsegs < 1 || nsegs > MSGR2_MAX_SEGMENTS || tag < MSGR2_TAG_HELLO || tag > MSGR2_TAG_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < nsegs; i++) {
		if (segs[i].len > seg_max[i] || (segs[i].len && !segs[i].data))
			return -EINVAL;
		if (segs[i].len)
			n = i + 1;
	}
	if (wire_enc_error(out))
		return -ENOMEM;

	memset(&p, 0, sizeof(p));
	p.tag = tag;
	p.num_segments = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		p.len[i] = segs[i].len;
		p.align[i] = seg_align[i];
	}
	msgr2_preamble_encode(&p, pre);

	if (hole && (tx || n < 2 || n != nsegs))
		return -EINVAL; /* only crc mode leaves a hole, only for a last segment given */
	if (!tx) {
		err = frame_encode_crc(out, pre, segs, n, hole);
	} else {
		g = *tx;
		err = frame_encode_secure(out, pre, segs, n, &g);
		if (!err)
			*tx = g;
		OPENSSL_cleanse(&g, sizeof(g));
	}
	if (err && !out->err)
		wire_enc_truncate(out, start);
	return err;
}

int msgr2_frame_encode(struct wire_enc *out, uint8_t tag, const struct msgr2_seg *segs, unsigned nsegs,
		       struct msgr2_gcm *tx)
{
	return frame_encode(out, tag, segs, nsegs, tx, NULL);
}

int msgr2_frame_encode_crc_hole(struct wire_enc *out, uint8_t tag, const struct msgr2_seg *segs, unsigned nsegs,
				size_t *hole)
{
	return frame_encode(out, tag, segs, nsegs, NULL, hole);
}

/* ---- decoding --------------------------------------------------------------------- */

size_t msgr2_head_len(bool secure)
{
	return secure ? MSGR2_PREAMBLE_SECURE_LEN : MSGR2_PREAMBLE_LEN;
}

static size_t rest_len(const struct msgr2_preamble *p, bool secure)
{
	size_t n = 0;

	if (secure) {
		if (p->len[0] > MSGR2_INLINE_LEN)
			n += pad16(p->len[0] - MSGR2_INLINE_LEN) + MSGR2_GCM_TAG_LEN;
		if (p->num_segments > 1) {
			for (unsigned i = 1; i < p->num_segments; i++)
				n += pad16(p->len[i]);
			n += MSGR2_EPILOGUE_SECURE_LEN;
		}
	} else {
		if (p->len[0])
			n += p->len[0] + MSGR2_CRC_LEN;
		if (p->num_segments > 1) {
			for (unsigned i = 1; i < p->num_segments; i++)
				n += p->len[i];
			n += MSGR2_EPILOGUE_CRC_LEN;
		}
	}
	return n;
}

int msgr2_frame_decode_head(const uint8_t *buf, size_t len, const struct msgr2_gcm *rx, struct msgr2_rx_head *h)
{
	uint8_t plain[MSGR2_PREAMBLE_LEN + MSGR2_INLINE_LEN + 1];
	struct msgr2_rx_head r;
	struct msgr2_gcm g;
	int err;

	if (len != msgr2_head_len(rx != NULL))
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.secure = rx != NULL;
	if (!rx) {
		err = msgr2_preamble_decode(buf, &r.pre);
		if (err)
			return err;
	} else {
		g = *rx;
		err = gcm_open(&g, buf, MSGR2_PREAMBLE_LEN + MSGR2_INLINE_LEN, plain);
		OPENSSL_cleanse(&g, sizeof(g));
		if (!err)
			err = msgr2_preamble_decode(plain, &r.pre);
		if (!err)
			memcpy(r.inline_seg, plain + MSGR2_PREAMBLE_LEN, MSGR2_INLINE_LEN);
		OPENSSL_cleanse(plain, sizeof(plain));
		if (err)
			return err;
	}
	r.rest_len = rest_len(&r.pre, r.secure);
	*h = r;
	OPENSSL_cleanse(&r, sizeof(r));
	return 0;
}

/* Secure mode: segment 1 alone, then the other segments as they are
 * decrypted, each padded to 16 bytes, and the epilogue's block: the
 * decryption writes them where they stay. */
static size_t secure_rest_len(const struct msgr2_preamble *p)
{
	size_t n = MSGR2_GCM_BLOCK_LEN;

	for (unsigned i = 1; i < p->num_segments; i++)
		n += pad16(p->len[i]);
	return n;
}

static int frame_alloc(const struct msgr2_preamble *p, struct msgr2_frame *f)
{
	size_t rest = p->num_segments > 1 ? secure_rest_len(p) : 0, off;

	memset(f, 0, sizeof(*f));
	f->buf_len = p->len[0] + rest + 1;
	f->buf = malloc(f->buf_len);
	if (!f->buf)
		return -ENOMEM;
	f->tag = p->tag;
	f->flags = p->flags;
	f->num_segments = p->num_segments;
	f->len[0] = p->len[0];
	f->seg[0] = p->len[0] ? f->buf : NULL;
	off = p->len[0];
	for (unsigned i = 1; i < p->num_segments; i++) {
		f->len[i] = p->len[i];
		f->seg[i] = p->len[i] ? f->buf + off : NULL;
		off += pad16(p->len[i]);
	}
	return 0;
}

/* A segment's writable bytes (seg[] is const for the frame's users). */
static uint8_t *seg_w(struct msgr2_frame *f, unsigned i)
{
	return f->buf + (f->seg[i] - f->buf);
}

static int late_status(uint8_t s)
{
	switch (s & MSGR2_LATE_STATUS_ABORTED_MASK) {
	case MSGR2_LATE_STATUS_COMPLETE:
		return 0;
	case MSGR2_LATE_STATUS_ABORTED:
		return MSGR2_FRAME_ABORTED;
	default:
		return -EPROTO;
	}
}

/* crc mode: the segments stay where they are in @buf, checked in place;
 * with @last, the last segment is there instead (not in @buf). */
static int decode_rest_crc(const struct msgr2_preamble *p, const uint8_t *buf, const uint8_t *last,
			   struct msgr2_frame *f)
{
	const uint8_t *q = buf;

	memset(f, 0, sizeof(*f));
	f->tag = p->tag;
	f->flags = p->flags;
	f->num_segments = p->num_segments;
	if (p->len[0]) {
		f->seg[0] = q;
		f->len[0] = p->len[0];
		q += p->len[0];
		if (ceph_crc32c(0xffffffffu, f->seg[0], p->len[0]) != get_le32(q))
			return -EBADMSG;
		q += MSGR2_CRC_LEN;
	}
	if (p->num_segments == 1)
		return 0;
	for (unsigned i = 1; i < p->num_segments; i++) {
		f->len[i] = p->len[i];
		if (last && i + 1 == p->num_segments) {
			f->seg[i] = p->len[i] ? last : NULL;
			continue;
		}
		f->seg[i] = p->len[i] ? q : NULL;
		q += p->len[i];
	}
	/* Ceph checks the crcs first: an aborted frame's zero fill is covered. */
	for (unsigned i = 1; i < p->num_segments; i++)
		if (ceph_crc32c(0xffffffffu, f->seg[i], p->len[i]) != get_le32(q + 1 + 4 * (i - 1)))
			return -EBADMSG;
	return late_status(q[0]);
}

static int decode_rest_secure(const struct msgr2_rx_head *h, const uint8_t *buf, struct msgr2_gcm *g,
			      struct msgr2_frame *f)
{
	const struct msgr2_preamble *p = &h->pre;
	const uint8_t *q = buf;
	uint8_t iv_skip[MSGR2_GCM_NONCE_LEN];
	uint8_t *plain;
	size_t n;
	int err;

	/* The head used the first nonce. */
	err = gcm_next_iv(g, iv_skip);
	if (err)
		return err;

	if (p->len[0] <= MSGR2_INLINE_LEN) {
		if (p->len[0])
			memcpy(seg_w(f, 0), h->inline_seg, p->len[0]);
	} else {
		n = pad16(p->len[0] - MSGR2_INLINE_LEN);
		plain = malloc(n + 1);
		if (!plain)
			return -ENOMEM;
		err = gcm_open(g, q, n, plain);
		if (!err) {
			memcpy(seg_w(f, 0), h->inline_seg, MSGR2_INLINE_LEN);
			memcpy(seg_w(f, 0) + MSGR2_INLINE_LEN, plain, p->len[0] - MSGR2_INLINE_LEN);
		}
		OPENSSL_cleanse(plain, n + 1);
		free(plain);
		if (err)
			return err;
		q += n + MSGR2_GCM_TAG_LEN;
	}
	if (p->num_segments == 1)
		return 0;

	/* the other segments and the epilogue, decrypted where they stay */
	n = secure_rest_len(p);
	plain = f->buf + p->len[0];
	err = gcm_open(g, q, n, plain);
	return err ? err : late_status(plain[n - MSGR2_GCM_BLOCK_LEN]);
}

int msgr2_frame_decode_rest(const struct msgr2_rx_head *h, const uint8_t *buf, size_t len, struct msgr2_gcm *rx,
			    struct msgr2_frame *out)
{
	struct msgr2_frame f;
	struct msgr2_gcm g;
	int err;

	if (h->secure != (rx != NULL) || h->pre.num_segments < 1 || h->pre.num_segments > MSGR2_MAX_SEGMENTS)
		return -EINVAL;
	for (unsigned i = 0; i < h->pre.num_segments; i++)
		if (h->pre.len[i] > seg_max[i])
			return -EINVAL;
	if (len != h->rest_len || h->rest_len != rest_len(&h->pre, h->secure))
		return -EINVAL;
	if (!rx) {
		err = decode_rest_crc(&h->pre, buf, NULL, &f);
	} else {
		err = frame_alloc(&h->pre, &f);
		if (err)
			return err;
		g = *rx;
		err = decode_rest_secure(h, buf, &g, &f);
		if (err >= 0)
			*rx = g;
		OPENSSL_cleanse(&g, sizeof(g));
	}
	if (err) {
		msgr2_frame_free(&f);
		if (err == MSGR2_FRAME_ABORTED)
			*out = f; /* empty */
		return err;
	}
	*out = f;
	return 0;
}

int msgr2_frame_decode(const uint8_t *buf, size_t len, struct msgr2_gcm *rx, struct msgr2_frame *f, size_t *frame_len)
{
	struct msgr2_rx_head h;
	size_t head = msgr2_head_len(rx != NULL);
	int err;

	if (len < head) {
		*frame_len = head;
		return -EAGAIN;
	}
	err = msgr2_frame_decode_head(buf, head, rx, &h);
	if (err)
		return err;
	*frame_len = head + h.rest_len;
	if (len < head + h.rest_len)
		err = -EAGAIN;
	else
		err = msgr2_frame_decode_rest(&h, buf + head, h.rest_len, rx, f);
	OPENSSL_cleanse(&h, sizeof(h));
	return err;
}

int msgr2_frame_decode_crc_split(const uint8_t *buf, size_t len, const uint8_t *last, size_t last_len,
				 struct msgr2_frame *f, size_t *frame_len)
{
	struct msgr2_rx_head h;
	struct msgr2_frame d;
	unsigned n;
	int err;

	if (len < MSGR2_PREAMBLE_LEN) {
		*frame_len = MSGR2_PREAMBLE_LEN;
		return -EAGAIN;
	}
	err = msgr2_frame_decode_head(buf, MSGR2_PREAMBLE_LEN, NULL, &h);
	if (err)
		return err;
	n = h.pre.num_segments;
	if (n < 2 || h.pre.len[n - 1] != last_len || !last_len || !last)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (h.pre.len[i] > seg_max[i])
			return -EINVAL;
	*frame_len = MSGR2_PREAMBLE_LEN + h.rest_len - last_len;
	if (len < *frame_len)
		return -EAGAIN;
	err = decode_rest_crc(&h.pre, buf + MSGR2_PREAMBLE_LEN, last, &d);
	if (err) {
		memset(f, 0, sizeof(*f)); /* aborted: empty, to drop */
		return err;
	}
	*f = d;
	return 0;
}

void msgr2_frame_free(struct msgr2_frame *f)
{
	if (f->buf) {
		OPENSSL_cleanse(f->buf, f->buf_len);
		free(f->buf);
	}
	memset(f, 0, sizeof(*f));
}
