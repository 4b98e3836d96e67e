/*
 * afs_rx/rx_xdr.c: the out-of-line parts of the XDR cursor and encoder (see
 * rx_xdr.h). Written for netfuse from RFC 4506 and the behaviour of OpenAFS
 * src/rx/xdr.c (xdr_char, xdr_string, xdr_opaque, xdr_array).
 */
#include "config.h"

#include "rx_xdr.h"

#include <stdlib.h>

int rx_dec_bool(struct rx_dec *d, bool *v)
{
	uint32_t u;

	if (rx_dec_u32(d, &u))
		return -EBADMSG;
	if (u > 1)
		return rx_dec_fail(d);
	*v = u == 1;
	return 0;
}

int rx_dec_opaque_fixed(struct rx_dec *d, void *out, size_t n)
{
	const uint8_t *p;

	/* Data and padding taken at once: @out is untouched if either is short. */
	if (n > SIZE_MAX - 3)
		return rx_dec_fail(d);
	p = rx_dec_take(d, n + rx_xdr_pad(n));
	if (!p)
		return -EBADMSG;
	if (n)
		memcpy(out, p, n);
	return 0;
}

int rx_dec_opaque(struct rx_dec *d, const uint8_t **data, uint32_t *len, uint32_t max)
{
	const uint8_t *p;
	uint32_t n;

	if (rx_dec_u32(d, &n))
		return -EBADMSG;
	if (n > max)
		return rx_dec_fail(d);
	p = rx_dec_take(d, n);
	if (!p || rx_dec_skip(d, rx_xdr_pad(n)))
		return -EBADMSG;
	*data = p;
	*len = n;
	return 0;
}

int rx_dec_string(struct rx_dec *d, char *out, size_t outlen, uint32_t max)
{
	const uint8_t *s;
	uint32_t n;

	if (rx_dec_opaque(d, &s, &n, max))
		return -EBADMSG;
	if ((size_t)n >= outlen || memchr(s, '\0', n))
		return rx_dec_fail(d);
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int rx_dec_count(struct rx_dec *d, uint32_t max, size_t min_elem, uint32_t *n)
{
	uint32_t c;

	if (rx_dec_u32(d, &c))
		return -EBADMSG;
	if (c > max || (min_elem && c > rx_dec_left(d) / min_elem))
		return rx_dec_fail(d);
	*n = c;
	return 0;
}

int rx_dec_chars(struct rx_dec *d, char *out, size_t n)
{
	const uint8_t *p;

	if (n > SIZE_MAX / 4)
		return rx_dec_fail(d);
	p = rx_dec_take(d, n * 4);
	if (!p)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)p[i * 4 + 3];
	return 0;
}

void rx_enc_free(struct rx_enc *e)
{
	if (e->buf) {
		explicit_bzero(e->buf, e->cap);
		free(e->buf);
	}
	rx_enc_init(e);
}

uint8_t *rx_enc_reserve(struct rx_enc *e, size_t n)
{
	uint8_t *p;

	if (e->err)
		return NULL;
	if (n > e->cap - e->len) {
		size_t cap = e->cap ? e->cap : 64;
		uint8_t *nb;

		while (cap - e->len < n) {
			if (cap > SIZE_MAX / 2) {
				rx_enc_fail(e, -ENOMEM);
				return NULL;
			}
			cap *= 2;
		}
		/* Not realloc: the old buffer is wiped before it is freed. */
		nb = malloc(cap);
		if (!nb) {
			rx_enc_fail(e, -ENOMEM);
			return NULL;
		}
		if (e->len)
			memcpy(nb, e->buf, e->len);
		if (e->buf) {
			explicit_bzero(e->buf, e->cap);
			free(e->buf);
		}
		e->buf = nb;
		e->cap = cap;
	}
	p = e->buf + e->len;
	e->len += n;
	return p;
}

void rx_enc_opaque_fixed(struct rx_enc *e, const void *data, size_t n)
{
	static const uint8_t zeros[3];

	rx_enc_bytes(e, data, n);
	rx_enc_bytes(e, zeros, rx_xdr_pad(n));
}

void rx_enc_opaque(struct rx_enc *e, const void *data, size_t n)
{
	if (n > UINT32_MAX) {
		rx_enc_fail(e, -EINVAL);
		return;
	}
	rx_enc_u32(e, (uint32_t)n);
	rx_enc_opaque_fixed(e, data, n);
}

void rx_enc_string(struct rx_enc *e, const char *s, uint32_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		rx_enc_fail(e, -EINVAL);
		return;
	}
	rx_enc_opaque(e, s, n);
}

void rx_enc_chars(struct rx_enc *e, const char *s, size_t n)
{
	size_t len = strnlen(s, n);

	if (len >= n) {
		rx_enc_fail(e, -EINVAL);
		return;
	}
	for (size_t i = 0; i < n; i++)
		rx_enc_s32(e, i < len ? (int32_t)(signed char)s[i] : 0);
}

void rx_enc_char_bytes(struct rx_enc *e, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rx_enc_s32(e, (int32_t)(signed char)b[i]);
}
