/*
 * afs_rx/xdr.h: what XDR (RFC 4506), as Rx call bodies use it, adds to the
 * byte cursor and encoder of net/wire.h. XDR is big-endian and made of
 * 4-byte units: unsigned ints and hypers (64 bits, high word first) are
 * wire_dec_be32/be64 and wire_enc_be32/be64; this layer adds signed ints,
 * bools, opaque data and strings padded to a multiple of 4 bytes, counted
 * arrays, and rxgen's char arrays.
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
 * Encoders report what XDR cannot carry (a string longer than its bound, a
 * length over 2^32-1) as a sticky -EINVAL on the encoder.
 */
#ifndef NETFUSE_AFS_XDR_CODEC_H
#define NETFUSE_AFS_XDR_CODEC_H

#include "net/wire.h"

/* Bytes of padding after @n bytes of opaque data. */
static inline size_t xdr_pad(size_t n)
{
	return (4 - (n & 3)) & 3;
}

/* ---- decoding ------------------------------------------------------------- */

static inline int xdr_dec_s32(struct wire_dec *d, int32_t *v)
{
	uint32_t u;

	if (wire_dec_be32(d, &u))
		return -EBADMSG;
	*v = (int32_t)u;
	return 0;
}

/* An XDR bool: 0 or 1, anything else is malformed. */
int xdr_dec_bool(struct wire_dec *d, bool *v);

/* Fixed-length opaque[n]: @n bytes copied out, then the padding skipped. */
int xdr_dec_opaque_fixed(struct wire_dec *d, void *out, size_t n);

/* Variable-length opaque<max>: the data returned in place (not copied). */
int xdr_dec_opaque(struct wire_dec *d, const uint8_t **data, uint32_t *len, uint32_t max);

/*
 * string<max> copied into @out as a C string. Malformed: a length over @max,
 * a NUL byte inside, or a string that does not fit @outlen (with its NUL).
 */
int xdr_dec_string(struct wire_dec *d, char *out, size_t outlen, uint32_t max);

/*
 * An array's element count: at most @max, and each element needs at least
 * @min_elem bytes, so a hostile count is rejected before the caller sizes
 * anything by it.
 */
int xdr_dec_count(struct wire_dec *d, uint32_t max, size_t min_elem, uint32_t *n);

/* rxgen's char[n]: n XDR ints, the low byte of each kept. */
int xdr_dec_chars(struct wire_dec *d, char *out, size_t n);

/* ---- encoding ------------------------------------------------------------- */

static inline void xdr_enc_s32(struct wire_enc *e, int32_t v)
{
	wire_enc_be32(e, (uint32_t)v);
}

static inline void xdr_enc_bool(struct wire_enc *e, bool v)
{
	wire_enc_be32(e, v ? 1 : 0);
}

/* Fixed-length opaque: the bytes, then zero padding. */
void xdr_enc_opaque_fixed(struct wire_enc *e, const void *data, size_t n);

/* Variable-length opaque: u32 length, the bytes, zero padding. */
void xdr_enc_opaque(struct wire_enc *e, const void *data, size_t n);

/* string<max>: -EINVAL (sticky) if strlen(s) > max. */
void xdr_enc_string(struct wire_enc *e, const char *s, uint32_t max);

/*
 * rxgen's char[n] from a C string: one XDR int per char, the string's bytes
 * then zeros; -EINVAL (sticky) if the string and its NUL do not fit in n.
 */
void xdr_enc_chars(struct wire_enc *e, const char *s, size_t n);

/* rxgen's char[n] from raw bytes (afsUUID node[6]): one XDR int per byte. */
void xdr_enc_char_bytes(struct wire_enc *e, const uint8_t *b, size_t n);

#endif
