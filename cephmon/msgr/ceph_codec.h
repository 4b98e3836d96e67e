/*
 * cephmon/msgr/ceph_codec.h: what Ceph's wire encoding adds to the byte cursor
 * and encoder of net/wire.h: u32-length-prefixed blobs and strings, and
 * versioned structures. Ceph's integers are little-endian: decoders and
 * encoders use wire_dec_le32/wire_enc_le32 and their siblings directly.
 *
 * Versioned structures (ENCODE_START/DECODE_START in Ceph) are
 *   u8 struct_v, u8 struct_compat, u32 length, then length bytes;
 * ceph_enc_struct_begin/end back-patch the length, ceph_dec_struct gives a
 * sub-cursor limited to the structure so a newer peer's extra fields are
 * skipped.
 */
#ifndef NETFUSE_CEPH_CODEC_H
#define NETFUSE_CEPH_CODEC_H

#include "net/wire.h"

/* A u32 length and that many bytes, returned in place (not copied). */
static inline int ceph_dec_blob(struct wire_dec *d, const uint8_t **data, uint32_t *len)
{
	const uint8_t *p;
	uint32_t n;

	if (wire_dec_le32(d, &n) || !(p = wire_dec_take(d, n)))
		return -EBADMSG;
	*data = p;
	*len = n;
	return 0;
}

/* A u32-length string copied into @out as a C string; too long for @outlen
 * (including the NUL) or holding a NUL byte is malformed. */
static inline int ceph_dec_string(struct wire_dec *d, char *out, size_t outlen)
{
	const uint8_t *s;
	uint32_t n;

	if (ceph_dec_blob(d, &s, &n))
		return -EBADMSG;
	return wire_dec_cstring(d, s, n, out, outlen);
}

/*
 * A versioned structure: checks that this decoder understands it (its
 * struct_compat is at most @max_compat, its struct_v at least @min_v),
 * returns its version and a sub-cursor @in over its body, and moves @d past
 * the whole structure.
 */
static inline int ceph_dec_struct(struct wire_dec *d, uint8_t min_v, uint8_t max_compat, uint8_t *v,
				  struct wire_dec *in)
{
	uint8_t compat;
	uint32_t len;
	const uint8_t *body;

	if (wire_dec_u8(d, v) || wire_dec_u8(d, &compat) || wire_dec_le32(d, &len))
		return -EBADMSG;
	if (compat > max_compat || *v < min_v || *v < compat)
		return wire_dec_fail(d);
	body = wire_dec_take(d, len);
	if (!body)
		return -EBADMSG;
	wire_dec_init(in, body, len);
	return 0;
}

static inline void ceph_enc_blob(struct wire_enc *e, const void *data, uint32_t n)
{
	wire_enc_le32(e, n);
	wire_enc_bytes(e, data, n);
}

static inline void ceph_enc_string(struct wire_enc *e, const char *s)
{
	ceph_enc_blob(e, s, (uint32_t)strlen(s));
}

/* Begin a versioned structure; returns the token ceph_enc_struct_end needs. */
static inline size_t ceph_enc_struct_begin(struct wire_enc *e, uint8_t v, uint8_t compat)
{
	size_t at;

	wire_enc_u8(e, v);
	wire_enc_u8(e, compat);
	at = e->len;
	wire_enc_le32(e, 0);
	return at;
}

static inline void ceph_enc_struct_end(struct wire_enc *e, size_t at)
{
	if (!e->err)
		put_le32(e->buf + at, (uint32_t)(e->len - at - 4));
}

#endif
