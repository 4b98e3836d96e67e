/*
 * afs_rx/xdr.c: the out-of-line parts of the XDR layer (see xdr.h). Written
 * for netfuse from RFC 4506 and the behaviour of OpenAFS src/rx/xdr.c
 * (xdr_char, xdr_string, xdr_opaque, xdr_array).
 */
#include "config.h"

#include "xdr.h"

int xdr_dec_bool(struct wire_dec *d, bool *v)
{
	uint32_t u;

	if (wire_dec_be32(d, &u))
		return -EBADMSG;
	if (u > 1)
		return wire_dec_fail(d);
	*v = u == 1;
	return 0;
}

int xdr_dec_opaque_fixed(struct wire_dec *d, void *out, size_t n)
{
	const uint8_t *p;

	/* Data and padding taken at once: @out is untouched if either is short. */
	if (n > SIZE_MAX - 3)
		return wire_dec_fail(d);
	p = wire_dec_take(d, n + xdr_pad(n));
	if (!p)
		return -EBADMSG;
	if (n)
		memcpy(out, p, n);
	return 0;
}

int xdr_dec_opaque(struct wire_dec *d, const uint8_t **data, uint32_t *len, uint32_t max)
{
	const uint8_t *p;
	uint32_t n;

	if (wire_dec_be32(d, &n))
		return -EBADMSG;
	if (n > max)
		return wire_dec_fail(d);
	p = wire_dec_take(d, n);
	if (!p || wire_dec_skip(d, xdr_pad(n)))
		return -EBADMSG;
	*data = p;
	*len = n;
	return 0;
}

int xdr_dec_string(struct wire_dec *d, char *out, size_t outlen, uint32_t max)
{
	const uint8_t *s;
	uint32_t n;

	if (xdr_dec_opaque(d, &s, &n, max))
		return -EBADMSG;
	return wire_dec_cstring(d, s, n, out, outlen);
}

int xdr_dec_count(struct wire_dec *d, uint32_t max, size_t min_elem, uint32_t *n)
{
	uint32_t c;

	if (wire_dec_be32(d, &c))
		return -EBADMSG;
	if (c > max || (min_elem && c > wire_dec_left(d) / min_elem))
		return wire_dec_fail(d);
	*n = c;
	return 0;
}

int xdr_dec_chars(struct wire_dec *d, char *out, size_t n)
{
	const uint8_t *p;

	if (n > SIZE_MAX / 4)
		return wire_dec_fail(d);
	p = wire_dec_take(d, n * 4);
	if (!p)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)p[i * 4 + 3];
	return 0;
}

void xdr_enc_opaque_fixed(struct wire_enc *e, const void *data, size_t n)
{
	wire_enc_bytes(e, data, n);
	wire_enc_zeros(e, xdr_pad(n));
}

void xdr_enc_opaque(struct wire_enc *e, const void *data, size_t n)
{
	if (n > UINT32_MAX) {
		wire_enc_fail(e, -EINVAL);
		return;
	}
	wire_enc_be32(e, (uint32_t)n);
	xdr_enc_opaque_fixed(e, data, n);
}

void xdr_enc_string(struct wire_enc *e, const char *s, uint32_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		wire_enc_fail(e, -EINVAL);
		return;
	}
	xdr_enc_opaque(e, s, n);
}

void xdr_enc_chars(struct wire_enc *e, const char *s, size_t n)
{
	size_t len = strnlen(s, n);

	if (len >= n) {
		wire_enc_fail(e, -EINVAL);
		return;
	}
	for (size_t i = 0; i < n; i++)
		xdr_enc_s32(e, i < len ? (int32_t)(signed char)s[i] : 0);
}

void xdr_enc_char_bytes(struct wire_enc *e, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		xdr_enc_s32(e, (int32_t)(signed char)b[i]);
}
