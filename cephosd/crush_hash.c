/*
 * cephosd/crush_hash.c: the hash CRUSH draws every choice with: Bob
 * Jenkins' 32-bit mix applied to two to four inputs and two constants,
 * seeded as Ceph seeds it (Ceph src/crush/hash.c). Only rjenkins1 exists;
 * like Ceph, any other hash type draws 0.
 */
#include "config.h"

#include "cephosd/crush.h"

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
