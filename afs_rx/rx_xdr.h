/*
 * afs_rx/rx_xdr.h: XDR (RFC 4506) as Rx call bodies and Rx packets use it,
 * as a length-checked decode cursor and a growable encoder.
 *
 * Everything is big-endian. XDR proper is made of 4-byte units: unsigned and
 * signed ints, hypers (64 bits, high word first), opaque data and strings
 * padded to a multiple of 4 bytes, counted arrays. The Rx packet header and
 * the ACK body are not XDR (they hold single bytes and 16-bit fields), so the
 * cursor also has raw u8/be16 reads and writes; packet decoders and body
 * decoders then share one shape.
 *
 * Decoding never reads past the end: every rx_dec_* returns 0 or -EBADMSG,
 * and once a call fails the cursor is marked bad and every later call fails
 * too, so a decoder can make a run of calls and check once (the shape of
 * cephmon/ceph_codec.h, which afs_rx does not depend on).
 *
 * Encoding appends to a malloc'd buffer that grows as needed. The first error
 * sticks: -ENOMEM when an allocation fails, -EINVAL when asked to encode
 * something XDR cannot carry (a string longer than its bound, a length over
 * 2^32-1); everything after it is dropped and rx_enc_error() reports it.
 *
 * Choices, from OpenAFS src/rx/xdr.c and rxgen (lenient where OpenAFS is, so
 * that its peers interoperate):
 *  - pad bytes are written as zeros and ignored when read (OpenAFS reads them
 *    into a scratch buffer and never looks at them);
 *  - a string's bound is checked as rxgen's string<N> does (length <= N); a
 *    decoded string holding a NUL byte is rejected because it cannot become a
 *    C string without changing meaning;
 *  - rxgen encodes `char x[N]` (VL names, afsUUID bytes) as N XDR ints, one
 *    per char, sign-extended from a signed char (OpenAFS xdr_char); readers
 *    keep only the low byte, as xdr_char does.
 */
#ifndef NETFUSE_RX_XDR_H
#define NETFUSE_RX_XDR_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- byte order ----------------------------------------------------------- */

static inline uint16_t rx_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rx_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void rx_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void rx_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Bytes of padding after @n bytes of opaque data. */
static inline size_t rx_xdr_pad(size_t n)
{
	return (4 - (n & 3)) & 3;
}

/* ---- decoding ------------------------------------------------------------- */

struct rx_dec {
	const uint8_t *p, *end;
	bool bad;
};

static inline void rx_dec_init(struct rx_dec *d, const void *buf, size_t len)
{
	d->p = buf;
	d->end = d->p + len;
	d->bad = false;
}

static inline size_t rx_dec_left(const struct rx_dec *d)
{
	return d->bad ? 0 : (size_t)(d->end - d->p);
}

static inline int rx_dec_fail(struct rx_dec *d)
{
	d->bad = true;
	return -EBADMSG;
}

/* Take @n bytes: a pointer to them, or NULL (and the cursor goes bad). */
static inline const uint8_t *rx_dec_take(struct rx_dec *d, size_t n)
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

static inline int rx_dec_skip(struct rx_dec *d, size_t n)
{
	return rx_dec_take(d, n) ? 0 : -EBADMSG;
}

/* Raw bytes, no padding (packet fields, not XDR opaque). */
static inline int rx_dec_bytes(struct rx_dec *d, void *out, size_t n)
{
	const uint8_t *p = rx_dec_take(d, n);

	if (!p)
		return -EBADMSG;
	if (n)
		memcpy(out, p, n);
	return 0;
}

/* Raw single byte (packet headers only: XDR has no 1-byte unit). */
static inline int rx_dec_u8(struct rx_dec *d, uint8_t *v)
{
	const uint8_t *p = rx_dec_take(d, 1);

	if (!p)
		return -EBADMSG;
	*v = p[0];
	return 0;
}

/* Raw big-endian 16 bits (packet headers only). */
static inline int rx_dec_be16(struct rx_dec *d, uint16_t *v)
{
	const uint8_t *p = rx_dec_take(d, 2);

	if (!p)
		return -EBADMSG;
	*v = rx_get_be16(p);
	return 0;
}

static inline int rx_dec_u32(struct rx_dec *d, uint32_t *v)
{
	const uint8_t *p = rx_dec_take(d, 4);

	if (!p)
		return -EBADMSG;
	*v = rx_get_be32(p);
	return 0;
}

static inline int rx_dec_s32(struct rx_dec *d, int32_t *v)
{
	uint32_t u;

	if (rx_dec_u32(d, &u))
		return -EBADMSG;
	*v = (int32_t)u;
	return 0;
}

/* An XDR hyper: high word first (OpenAFS xdr_afs_uint64). */
static inline int rx_dec_u64(struct rx_dec *d, uint64_t *v)
{
	uint32_t hi, lo;

	if (rx_dec_u32(d, &hi) || rx_dec_u32(d, &lo))
		return -EBADMSG;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/* An XDR bool: 0 or 1, anything else is malformed. */
int rx_dec_bool(struct rx_dec *d, bool *v);

/* Fixed-length opaque[n]: @n bytes copied out, then the padding skipped. */
int rx_dec_opaque_fixed(struct rx_dec *d, void *out, size_t n);

/* Variable-length opaque<max>: the data returned in place (not copied). */
int rx_dec_opaque(struct rx_dec *d, const uint8_t **data, uint32_t *len, uint32_t max);

/*
 * string<max> copied into @out as a C string. Malformed: a length over @max,
 * a NUL byte inside, or a string that does not fit @outlen (with its NUL).
 */
int rx_dec_string(struct rx_dec *d, char *out, size_t outlen, uint32_t max);

/*
 * An array's element count: at most @max, and each element needs at least
 * @min_elem bytes, so a hostile count is rejected before the caller sizes
 * anything by it.
 */
int rx_dec_count(struct rx_dec *d, uint32_t max, size_t min_elem, uint32_t *n);

/* rxgen's char[n]: n XDR ints, the low byte of each kept. */
int rx_dec_chars(struct rx_dec *d, char *out, size_t n);

/* 0 if every byte was consumed and nothing failed, else -EBADMSG. */
static inline int rx_dec_finish(struct rx_dec *d)
{
	if (d->bad || d->p != d->end)
		return rx_dec_fail(d);
	return 0;
}

/* ---- encoding ------------------------------------------------------------- */

struct rx_enc {
	uint8_t *buf;
	size_t len, cap;
	int err; /* first error (-ENOMEM, -EINVAL); everything after it was dropped */
};

static inline void rx_enc_init(struct rx_enc *e)
{
	e->buf = NULL;
	e->len = e->cap = 0;
	e->err = 0;
}

/* Free the buffer, wiping it first (bodies may carry tokens). */
void rx_enc_free(struct rx_enc *e);

/* Room for @n more bytes at the end: a pointer to them, or NULL. */
uint8_t *rx_enc_reserve(struct rx_enc *e, size_t n);

static inline int rx_enc_error(const struct rx_enc *e)
{
	return e->err;
}

static inline void rx_enc_fail(struct rx_enc *e, int err)
{
	if (!e->err)
		e->err = err;
}

static inline void rx_enc_bytes(struct rx_enc *e, const void *data, size_t n)
{
	uint8_t *p = rx_enc_reserve(e, n);

	if (p && n)
		memcpy(p, data, n);
}

static inline void rx_enc_u8(struct rx_enc *e, uint8_t v)
{
	rx_enc_bytes(e, &v, 1);
}

static inline void rx_enc_be16(struct rx_enc *e, uint16_t v)
{
	uint8_t *p = rx_enc_reserve(e, 2);

	if (p)
		rx_put_be16(p, v);
}

static inline void rx_enc_u32(struct rx_enc *e, uint32_t v)
{
	uint8_t *p = rx_enc_reserve(e, 4);

	if (p)
		rx_put_be32(p, v);
}

static inline void rx_enc_s32(struct rx_enc *e, int32_t v)
{
	rx_enc_u32(e, (uint32_t)v);
}

static inline void rx_enc_u64(struct rx_enc *e, uint64_t v)
{
	rx_enc_u32(e, (uint32_t)(v >> 32));
	rx_enc_u32(e, (uint32_t)v);
}

static inline void rx_enc_bool(struct rx_enc *e, bool v)
{
	rx_enc_u32(e, v ? 1 : 0);
}

/* Fixed-length opaque: the bytes, then zero padding. */
void rx_enc_opaque_fixed(struct rx_enc *e, const void *data, size_t n);

/* Variable-length opaque: u32 length, the bytes, zero padding. */
void rx_enc_opaque(struct rx_enc *e, const void *data, size_t n);

/* string<max>: -EINVAL (sticky) if strlen(s) > max. */
void rx_enc_string(struct rx_enc *e, const char *s, uint32_t max);

/*
 * rxgen's char[n] from a C string: one XDR int per char, the string's bytes
 * then zeros; -EINVAL (sticky) if the string and its NUL do not fit in n.
 */
void rx_enc_chars(struct rx_enc *e, const char *s, size_t n);

/* rxgen's char[n] from raw bytes (afsUUID node[6]): one XDR int per byte. */
void rx_enc_char_bytes(struct rx_enc *e, const uint8_t *b, size_t n);

#endif
