/*
 * cephmon/ceph_codec.h: Ceph's wire encoding (little-endian integers,
 * u32-length-prefixed blobs and strings, versioned structures), as a
 * length-checked decode cursor and a growable encoder.
 *
 * Decoding never reads past the end: every ceph_dec_* returns 0 or
 * -EBADMSG, and once a call fails the cursor is marked bad and every later
 * call fails too, so a decoder can make a run of calls and check once (the
 * kernel's ceph_decode_need + "goto bad" shape, without the macros).
 *
 * Encoding appends to a malloc'd buffer that grows as needed; an allocation
 * failure marks the encoder failed and ceph_enc_error() reports -ENOMEM.
 * Versioned structures (ENCODE_START/DECODE_START in Ceph) are
 *   u8 struct_v, u8 struct_compat, u32 length, then length bytes;
 * ceph_enc_struct_begin/end back-patch the length, ceph_dec_struct gives a
 * sub-cursor limited to the structure so a newer peer's extra fields are
 * skipped.
 */
#ifndef NETFUSE_CEPH_CODEC_H
#define NETFUSE_CEPH_CODEC_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- decoding ----------------------------------------------------------- */

struct ceph_dec {
	const uint8_t *p, *end;
	bool bad;
};

static inline void ceph_dec_init(struct ceph_dec *d, const void *buf, size_t len)
{
	static const uint8_t empty[1];

	/* NULL + 0 is undefined in C: an empty input points at a real byte. */
	d->p = buf ? buf : empty;
	d->end = d->p + (buf ? len : 0);
	d->bad = false;
}

static inline size_t ceph_dec_left(const struct ceph_dec *d)
{
	return d->bad ? 0 : (size_t)(d->end - d->p);
}

static inline int ceph_dec_fail(struct ceph_dec *d)
{
	d->bad = true;
	return -EBADMSG;
}

/* Take @n bytes: a pointer to them, or NULL (and the cursor goes bad). */
static inline const uint8_t *ceph_dec_take(struct ceph_dec *d, size_t n)
{
	const uint8_t *p;

	if (d->bad || (size_t)(d->end - d->p) < n) {
		d->bad = true;
		return NULL;
	}
	p = d->p;
	d->p += n;
	return p;
}

static inline int ceph_dec_skip(struct ceph_dec *d, size_t n)
{
	return ceph_dec_take(d, n) ? 0 : -EBADMSG;
}

static inline int ceph_dec_bytes(struct ceph_dec *d, void *out, size_t n)
{
	const uint8_t *p = ceph_dec_take(d, n);

	if (!p)
		return -EBADMSG;
	if (n)
		memcpy(out, p, n);
	return 0;
}

static inline int ceph_dec_u8(struct ceph_dec *d, uint8_t *v)
{
	const uint8_t *p = ceph_dec_take(d, 1);

	if (!p)
		return -EBADMSG;
	*v = p[0];
	return 0;
}

static inline int ceph_dec_u16(struct ceph_dec *d, uint16_t *v)
{
	const uint8_t *p = ceph_dec_take(d, 2);

	if (!p)
		return -EBADMSG;
	*v = (uint16_t)(p[0] | p[1] << 8);
	return 0;
}

static inline int ceph_dec_u32(struct ceph_dec *d, uint32_t *v)
{
	const uint8_t *p = ceph_dec_take(d, 4);

	if (!p)
		return -EBADMSG;
	*v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return 0;
}

static inline int ceph_dec_u64(struct ceph_dec *d, uint64_t *v)
{
	uint32_t lo, hi;

	if (ceph_dec_u32(d, &lo) || ceph_dec_u32(d, &hi))
		return -EBADMSG;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/* A u32 length and that many bytes, returned in place (not copied). */
static inline int ceph_dec_blob(struct ceph_dec *d, const uint8_t **data, uint32_t *len)
{
	uint32_t n;

	if (ceph_dec_u32(d, &n))
		return -EBADMSG;
	*data = ceph_dec_take(d, n);
	if (!*data)
		return -EBADMSG;
	*len = n;
	return 0;
}

/* A u32-length string copied into @out as a C string; too long for @outlen
 * (including the NUL) or holding a NUL byte is malformed. */
static inline int ceph_dec_string(struct ceph_dec *d, char *out, size_t outlen)
{
	const uint8_t *s;
	uint32_t n;

	if (ceph_dec_blob(d, &s, &n))
		return -EBADMSG;
	if ((size_t)n >= outlen || memchr(s, '\0', n))
		return ceph_dec_fail(d);
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/*
 * A versioned structure: checks that this decoder understands it (its
 * struct_compat is at most @max_compat, its struct_v at least @min_v),
 * returns its version and a sub-cursor @in over its body, and moves @d past
 * the whole structure.
 */
static inline int ceph_dec_struct(struct ceph_dec *d, uint8_t min_v, uint8_t max_compat, uint8_t *v,
				  struct ceph_dec *in)
{
	uint8_t compat;
	uint32_t len;
	const uint8_t *body;

	if (ceph_dec_u8(d, v) || ceph_dec_u8(d, &compat) || ceph_dec_u32(d, &len))
		return -EBADMSG;
	if (compat > max_compat || *v < min_v || *v < compat)
		return ceph_dec_fail(d);
	body = ceph_dec_take(d, len);
	if (!body)
		return -EBADMSG;
	ceph_dec_init(in, body, len);
	return 0;
}

/* ---- encoding ----------------------------------------------------------- */

struct ceph_enc {
	uint8_t *buf;
	size_t len, cap;
	bool failed; /* an allocation failed; everything after it was dropped */
};

static inline void ceph_enc_init(struct ceph_enc *e)
{
	e->buf = NULL;
	e->len = e->cap = 0;
	e->failed = false;
}

/* Free the buffer (wiping it first: encoders carry keys and tickets). */
void ceph_enc_free(struct ceph_enc *e);

/* Room for @n more bytes at the end: a pointer to them, or NULL. */
uint8_t *ceph_enc_reserve(struct ceph_enc *e, size_t n);

static inline int ceph_enc_error(const struct ceph_enc *e)
{
	return e->failed ? -ENOMEM : 0;
}

static inline void ceph_enc_bytes(struct ceph_enc *e, const void *data, size_t n)
{
	uint8_t *p = ceph_enc_reserve(e, n);

	if (p && n)
		memcpy(p, data, n);
}

static inline void ceph_enc_u8(struct ceph_enc *e, uint8_t v)
{
	ceph_enc_bytes(e, &v, 1);
}

static inline void ceph_enc_u16(struct ceph_enc *e, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	ceph_enc_bytes(e, b, 2);
}

static inline void ceph_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void ceph_enc_u32(struct ceph_enc *e, uint32_t v)
{
	uint8_t b[4];

	ceph_put_le32(b, v);
	ceph_enc_bytes(e, b, 4);
}

static inline void ceph_enc_u64(struct ceph_enc *e, uint64_t v)
{
	ceph_enc_u32(e, (uint32_t)v);
	ceph_enc_u32(e, (uint32_t)(v >> 32));
}

static inline void ceph_enc_blob(struct ceph_enc *e, const void *data, uint32_t n)
{
	ceph_enc_u32(e, n);
	ceph_enc_bytes(e, data, n);
}

static inline void ceph_enc_string(struct ceph_enc *e, const char *s)
{
	ceph_enc_blob(e, s, (uint32_t)strlen(s));
}

/* Begin a versioned structure; returns the token ceph_enc_struct_end needs. */
static inline size_t ceph_enc_struct_begin(struct ceph_enc *e, uint8_t v, uint8_t compat)
{
	size_t at;

	ceph_enc_u8(e, v);
	ceph_enc_u8(e, compat);
	at = e->len;
	ceph_enc_u32(e, 0);
	return at;
}

static inline void ceph_enc_struct_end(struct ceph_enc *e, size_t at)
{
	if (!e->failed)
		ceph_put_le32(e->buf + at, (uint32_t)(e->len - at - 4));
}

#endif
