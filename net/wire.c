/* net/wire.c: the growable encoder behind net/wire.h. */
#include "config.h"

#include "net/wire.h"

#include <stdlib.h>

void wire_enc_free(struct wire_enc *e)
{
	if (e->buf) {
		explicit_bzero(e->buf, e->cap);
		free(e->buf);
	}
	wire_enc_init(e);
}

uint8_t *wire_enc_reserve(struct wire_enc *e, size_t n)
{
	uint8_t *p;

	if (e->err)
		return NULL;
	if (!n && !e->buf)
		return NULL; /* nothing to reserve, and no buffer to point into */
	if (n > e->cap - e->len) {
		size_t cap = e->cap ? e->cap : 64;
		uint8_t *nb;

		while (cap - e->len < n) {
			if (cap > SIZE_MAX / 2) {
				wire_enc_fail(e, -ENOMEM);
				return NULL;
			}
			cap *= 2;
		}
		/* Not realloc: the old buffer may hold a key, and is wiped. */
		nb = malloc(cap);
		if (!nb) {
			wire_enc_fail(e, -ENOMEM);
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

void wire_enc_truncate(struct wire_enc *e, size_t len)
{
	if (len >= e->len)
		return;
	explicit_bzero(e->buf + len, e->len - len);
	e->len = len;
}
