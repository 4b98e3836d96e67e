/*
 * cephosd/hash.c: Ceph's placement hashes, all on Bob Jenkins' 96-bit mix.
 *
 * - CRUSH's (Ceph src/crush/hash.c): the mix applied to two to four inputs
 *   and two constants, seeded with 1315423911. Only rjenkins1 exists; like
 *   Ceph, any other hash type draws 0.
 * - Object names' (Ceph src/common/ceph_hash.cc, ceph_str_hash): Jenkins'
 *   lookup2 over the name, 12 bytes a round, the length added to c before
 *   the last round (rjenkins, every pool since Argonaut); and the Linux
 *   dcache hash (linux, pools that asked for it). Anything else hashes to
 *   0xffffffff, as in Ceph.
 */
#include "config.h"

#include "cephosd/crush.h"
#include "cephosd/osdmap.h"

#define CRUSH_HASH_SEED 1315423911u
#define CRUSH_HASH_X	231232u
#define CRUSH_HASH_Y	1232u

/* Bob Jenkins' 96-bit mix, three steps to a line as it is usually written */
// clang-format off
static inline void mix(uint32_t *a, uint32_t *b, uint32_t *c)
{
	*a -= *b; *a -= *c; *a ^= *c >> 13;
	*b -= *c; *b -= *a; *b ^= *a << 8;
	*c -= *a; *c -= *b; *c ^= *b >> 13;
	*a -= *b; *a -= *c; *a ^= *c >> 12;
	*b -= *c; *b -= *a; *b ^= *a << 16;
	*c -= *a; *c -= *b; *c ^= *b >> 5;
	*a -= *b; *a -= *c; *a ^= *c >> 3;
	*b -= *c; *b -= *a; *b ^= *a << 10;
	*c -= *a; *c -= *b; *c ^= *b >> 15;
}
// clang-format on

uint32_t crush_hash32_2(int type, uint32_t a, uint32_t b)
{
	uint32_t h = CRUSH_HASH_SEED ^ a ^ b, x = CRUSH_HASH_X, y = CRUSH_HASH_Y;

	if (type != CRUSH_HASH_RJENKINS1)
		return 0;
	mix(&a, &b, &h);
	mix(&x, &a, &h);
	mix(&b, &y, &h);
	return h;
}

uint32_t crush_hash32_3(int type, uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t h = CRUSH_HASH_SEED ^ a ^ b ^ c, x = CRUSH_HASH_X, y = CRUSH_HASH_Y;

	if (type != CRUSH_HASH_RJENKINS1)
		return 0;
	mix(&a, &b, &h);
	mix(&c, &x, &h);
	mix(&y, &a, &h);
	mix(&b, &x, &h);
	mix(&y, &c, &h);
	return h;
}

uint32_t crush_hash32_4(int type, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	uint32_t h = CRUSH_HASH_SEED ^ a ^ b ^ c ^ d, x = CRUSH_HASH_X, y = CRUSH_HASH_Y;

	if (type != CRUSH_HASH_RJENKINS1)
		return 0;
	mix(&a, &b, &h);
	mix(&c, &d, &h);
	mix(&a, &x, &h);
	mix(&y, &b, &h);
	mix(&c, &x, &h);
	mix(&y, &d, &h);
	return h;
}

static uint32_t le32_at(const uint8_t *k)
{
	return (uint32_t)k[0] | (uint32_t)k[1] << 8 | (uint32_t)k[2] << 16 | (uint32_t)k[3] << 24;
}

static uint32_t str_hash_rjenkins(const uint8_t *k, size_t length)
{
	uint32_t a = 0x9e3779b9u, b = a, c = 0;
	size_t len = length;

	for (; len >= 12; k += 12, len -= 12) {
		a += le32_at(k);
		b += le32_at(k + 4);
		c += le32_at(k + 8);
		mix(&a, &b, &c);
	}
	/* the tail: c's low byte is the length's, so its bytes go in above it */
	c += (uint32_t)length;
	switch (len) {
	case 11:
		c += (uint32_t)k[10] << 24;
		/* fall through */
	case 10:
		c += (uint32_t)k[9] << 16;
		/* fall through */
	case 9:
		c += (uint32_t)k[8] << 8;
		/* fall through */
	case 8:
		b += (uint32_t)k[7] << 24;
		/* fall through */
	case 7:
		b += (uint32_t)k[6] << 16;
		/* fall through */
	case 6:
		b += (uint32_t)k[5] << 8;
		/* fall through */
	case 5:
		b += k[4];
		/* fall through */
	case 4:
		a += (uint32_t)k[3] << 24;
		/* fall through */
	case 3:
		a += (uint32_t)k[2] << 16;
		/* fall through */
	case 2:
		a += (uint32_t)k[1] << 8;
		/* fall through */
	case 1:
		a += k[0];
	}
	mix(&a, &b, &c);
	return c;
}

static uint32_t str_hash_linux(const uint8_t *k, size_t len)
{
	uint32_t h = 0; /* Ceph keeps an unsigned long and returns its low half */

	while (len--) {
		uint32_t c = *k++;

		h = (h + (c << 4) + (c >> 4)) * 11;
	}
	return h;
}

uint32_t ceph_str_hash(int type, const void *s, size_t len)
{
	switch (type) {
	case CEPH_STR_HASH_RJENKINS:
		return str_hash_rjenkins(s, len);
	case CEPH_STR_HASH_LINUX:
		return str_hash_linux(s, len);
	default:
		return 0xffffffffu; /* Ceph's answer for a hash it does not know */
	}
}
