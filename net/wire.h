/*
 * net/wire.h: the one byte cursor and the one encoder every wire format in
 * netfuse is read and written with: Ceph's (little-endian, cephmon/
 * ceph_codec.h adds blobs, strings and versioned structures), XDR and the
 * Rx packet header (big-endian, afs_rx/xdr.h adds opaques, strings and
 * counted arrays), and whatever the next protocol needs.
 *
 * Decoding never reads past the end: every wire_dec_* returns 0 or
 * -EBADMSG, and once a call fails the cursor is marked bad and every later
 * call fails too, so a decoder can make a run of calls and check once (the
 * kernel's ceph_decode_need + "goto bad" shape, without the macros). A
 * format layer adds its own checks with wire_dec_fail().
 *
 * Encoding appends to a malloc'd buffer that grows as needed. The first
 * error sticks: -ENOMEM when an allocation fails, or whatever a format
 * layer reports with wire_enc_fail() (-EINVAL for a value the format cannot
 * carry); everything after it is dropped and wire_enc_error() says why.
 * The buffer is wiped whenever it is freed or moved, since encoders carry
 * keys, tickets and tokens.
 */
#ifndef NETFUSE_NET_WIRE_H
#define NETFUSE_NET_WIRE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/byteorder.h"

/* ---- decoding ------------------------------------------------------------- */

struct wire_dec {
	const uint8_t *p, *end;
	bool bad;
};

static inline void wire_dec_init(struct wire_dec *d, const void *buf, size_t len)
{
	static const uint8_t empty[1];

	/* NULL + 0 is undefined in C: an empty input points at a real byte. */
	d->p = buf ? buf : empty;
	d->end = d->p + (buf ? len : 0);
	d->bad = false;
}

static inline size_t wire_dec_left(const struct wire_dec *d)
{
	return d->bad ? 0 : (size_t)(d->end - d->p);
}

static inline int wire_dec_fail(struct wire_dec *d)
{
	d->bad = true;
	return -EBADMSG;
}

/* Take @n bytes: a pointer to them, or NULL (and the cursor goes bad). */
static inline const uint8_t *wire_dec_take(struct wire_dec *d, size_t n)
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

static inline int wire_dec_skip(struct wire_dec *d, size_t n)
{
	return wire_dec_take(d, n) ? 0 : -EBADMSG;
}

/* @n raw bytes copied out. */
static inline int wire_dec_bytes(struct wire_dec *d, void *out, size_t n)
{
	const uint8_t *p = wire_dec_take(d, n);

	if (!p)
		return -EBADMSG;
	if (n)
		memcpy(out, p, n);
	return 0;
}

static inline int wire_dec_u8(struct wire_dec *d, uint8_t *v)
{
	const uint8_t *p = wire_dec_take(d, 1);

	if (!p)
		return -EBADMSG;
	*v = p[0];
	return 0;
}

/* wire_dec_le16/le32/le64 and wire_dec_be16/be32/be64. */
#define WIRE_DEC_INT(name, type, n, get)                                                                               \
	static inline int wire_dec_##name(struct wire_dec *d, type *v)                                                 \
	{                                                                                                              \
		const uint8_t *p = wire_dec_take(d, n);                                                                \
                                                                                                                       \
		if (!p)                                                                                                \
			return -EBADMSG;                                                                               \
		*v = get(p);                                                                                           \
		return 0;                                                                                              \
	}
WIRE_DEC_INT(le16, uint16_t, 2, get_le16)
WIRE_DEC_INT(le32, uint32_t, 4, get_le32)
WIRE_DEC_INT(le64, uint64_t, 8, get_le64)
WIRE_DEC_INT(be16, uint16_t, 2, get_be16)
WIRE_DEC_INT(be32, uint32_t, 4, get_be32)
WIRE_DEC_INT(be64, uint64_t, 8, get_be64)
#undef WIRE_DEC_INT

/*
 * @n bytes at @s (taken from @d) as a C string in @out: malformed (and @d
 * goes bad) when they hold a NUL byte or do not fit @outlen with their NUL.
 * What the Ceph and XDR string decoders share.
 */
static inline int wire_dec_cstring(struct wire_dec *d, const uint8_t *s, size_t n, char *out, size_t outlen)
{
	if (n >= outlen || memchr(s, '\0', n))
		return wire_dec_fail(d);
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* 0 if every byte was consumed and nothing failed, else -EBADMSG. */
static inline int wire_dec_finish(struct wire_dec *d)
{
	if (d->bad || d->p != d->end)
		return wire_dec_fail(d);
	return 0;
}

/* ---- encoding ------------------------------------------------------------- */

struct wire_enc {
	uint8_t *buf;
	size_t len, cap;
	int err; /* the first error (-ENOMEM, or a format layer's); everything after it was dropped */
};

static inline void wire_enc_init(struct wire_enc *e)
{
	e->buf = NULL;
	e->len = e->cap = 0;
	e->err = 0;
}

/* Free the buffer, wiping it first. The encoder is empty and usable after. */
void wire_enc_free(struct wire_enc *e);

/* Room for @n more bytes at the end: a pointer to them, or NULL (after an
 * error, or for @n 0 before anything was encoded). */
uint8_t *wire_enc_reserve(struct wire_enc *e, size_t n);

static inline int wire_enc_error(const struct wire_enc *e)
{
	return e->err;
}

/* Record a format layer's error (the first one sticks). */
static inline void wire_enc_fail(struct wire_enc *e, int err)
{
	if (!e->err)
		e->err = err;
}

/* Take back everything after @len (an encoder refusing its input after it
 * had started); the bytes dropped are wiped. */
void wire_enc_truncate(struct wire_enc *e, size_t len);

static inline void wire_enc_bytes(struct wire_enc *e, const void *data, size_t n)
{
	uint8_t *p = wire_enc_reserve(e, n);

	if (p && n)
		memcpy(p, data, n);
}

static inline void wire_enc_zeros(struct wire_enc *e, size_t n)
{
	uint8_t *p = wire_enc_reserve(e, n);

	if (p && n)
		memset(p, 0, n);
}

static inline void wire_enc_u8(struct wire_enc *e, uint8_t v)
{
	wire_enc_bytes(e, &v, 1);
}

/* wire_enc_le16/le32/le64 and wire_enc_be16/be32/be64. */
#define WIRE_ENC_INT(name, type, n, put)                                                                               \
	static inline void wire_enc_##name(struct wire_enc *e, type v)                                                 \
	{                                                                                                              \
		uint8_t *p = wire_enc_reserve(e, n);                                                                   \
                                                                                                                       \
		if (p)                                                                                                 \
			put(p, v);                                                                                     \
	}
WIRE_ENC_INT(le16, uint16_t, 2, put_le16)
WIRE_ENC_INT(le32, uint32_t, 4, put_le32)
WIRE_ENC_INT(le64, uint64_t, 8, put_le64)
WIRE_ENC_INT(be16, uint16_t, 2, put_be16)
WIRE_ENC_INT(be32, uint32_t, 4, put_be32)
WIRE_ENC_INT(be64, uint64_t, 8, put_be64)
#undef WIRE_ENC_INT

#endif
