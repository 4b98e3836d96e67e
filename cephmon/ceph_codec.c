/* cephmon/ceph_codec.c: the growable encoder behind ceph_codec.h. */
#include "config.h"

#include "ceph_codec.h"

#include <openssl/crypto.h>
#include <stdlib.h>

void ceph_enc_free(struct ceph_enc *e)
{
	if (e->buf) {
		OPENSSL_cleanse(e->buf, e->cap);
		free(e->buf);
	}
	ceph_enc_init(e);
}

uint8_t *ceph_enc_reserve(struct ceph_enc *e, size_t n)
{
	uint8_t *p;

	if (e->failed)
		return NULL;
	if (!n && !e->buf)
		return NULL; /* nothing to reserve, and no buffer to point into */
	if (n > e->cap - e->len) {
		size_t cap = e->cap ? e->cap : 64;
		uint8_t *nb;

		while (cap - e->len < n) {
			if (cap > SIZE_MAX / 2) {
				e->failed = true;
				return NULL;
			}
			cap *= 2;
		}
		/* Not realloc: the old buffer may hold a key, and is wiped. */
		nb = malloc(cap);
		if (!nb) {
			e->failed = true;
			return NULL;
		}
		if (e->len)
			memcpy(nb, e->buf, e->len);
		if (e->buf) {
			OPENSSL_cleanse(e->buf, e->cap);
			free(e->buf);
		}
		e->buf = nb;
		e->cap = cap;
	}
	p = e->buf + e->len;
	e->len += n;
	return p;
}
