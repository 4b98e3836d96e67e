/*
 * cephosd/osd_decode.h: the decoding state cephosd's map decoders share
 * (crush_decode.c, osdmap_decode.c): a byte cursor (net/wire.h) and the first
 * error with its reason, so a decoder makes a run of reads, each of which
 * records why it failed, and has one error exit. count_ checks a count
 * against the bytes left before anything is allocated for it, so a map
 * costs memory in proportion to its size.
 */
#ifndef NETFUSE_OSD_DECODE_H
#define NETFUSE_OSD_DECODE_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/wire.h"
#include "cephmon/msgr/ceph_codec.h"

struct dec {
	struct wire_dec d;
	const char *why;
	int err;
};

static inline int bad(struct dec *s, const char *why)
{
	if (!s->err) {
		s->err = -EBADMSG;
		s->why = why;
	}
	wire_dec_fail(&s->d);
	return -EBADMSG;
}

static inline int nomem(struct dec *s)
{
	if (!s->err) {
		s->err = -ENOMEM;
		s->why = "out of memory";
	}
	wire_dec_fail(&s->d);
	return -ENOMEM;
}

static inline int u8_(struct dec *s, uint8_t *v)
{
	return wire_dec_u8(&s->d, v) ? bad(s, "truncated") : 0;
}

static inline int u16_(struct dec *s, uint16_t *v)
{
	return wire_dec_le16(&s->d, v) ? bad(s, "truncated") : 0;
}

static inline int u32_(struct dec *s, uint32_t *v)
{
	return wire_dec_le32(&s->d, v) ? bad(s, "truncated") : 0;
}

static inline int s32_(struct dec *s, int32_t *v)
{
	uint32_t u;

	if (u32_(s, &u))
		return -EBADMSG;
	*v = (int32_t)u;
	return 0;
}

/* A count of items at least @each bytes long that the rest can hold. */
static inline int count_(struct dec *s, size_t each, uint32_t *n)
{
	if (u32_(s, n))
		return -EBADMSG;
	if (*n > wire_dec_left(&s->d) / each)
		return bad(s, "count past the end");
	return 0;
}

static inline void *alloc_(struct dec *s, size_t n, size_t each)
{
	void *p = calloc(n ? n : 1, each);

	if (!p)
		nomem(s);
	return p;
}

/* @n u32s (already checked to fit) into a new array. */
static inline uint32_t *u32_array(struct dec *s, uint32_t n)
{
	uint32_t *a = alloc_(s, n, sizeof(*a));

	if (!a)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		if (u32_(s, &a[i])) {
			free(a);
			return NULL;
		}
	return a;
}

static inline int u64_(struct dec *s, uint64_t *v)
{
	return wire_dec_le64(&s->d, v) ? bad(s, "truncated") : 0;
}

static inline int s64_(struct dec *s, int64_t *v)
{
	uint64_t u;

	if (u64_(s, &u))
		return -EBADMSG;
	*v = (int64_t)u;
	return 0;
}

static inline int skip_(struct dec *s, size_t n)
{
	return wire_dec_skip(&s->d, n) ? bad(s, "truncated") : 0;
}

/* A u32-length string, copied and NUL-terminated; one holding a NUL byte is
 * malformed. NULL on failure. */
static inline char *string_(struct dec *s)
{
	const uint8_t *p;
	uint32_t len;
	char *out;

	if (ceph_dec_blob(&s->d, &p, &len)) {
		bad(s, "truncated string");
		return NULL;
	}
	if (memchr(p, '\0', len)) {
		bad(s, "a string holds a NUL");
		return NULL;
	}
	out = malloc((size_t)len + 1);
	if (!out) {
		nomem(s);
		return NULL;
	}
	memcpy(out, p, len);
	out[len] = '\0';
	return out;
}

#endif
