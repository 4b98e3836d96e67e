/*
 * cephmon/msgr/crc32c.c: ceph_crc32c on top of ISA-L (see crc32c.h).
 *
 * ISA-L picks the fastest implementation for the CPU at run time; its length
 * argument is an int, so longer buffers go through in pieces, carrying the
 * crc as the next seed.
 */
#include "config.h"

#include "cephmon/msgr/crc32c.h"

#include <isa-l/crc.h>
#include <limits.h>

uint32_t ceph_crc32c(uint32_t seed, const void *data, size_t len)
{
	/* ISA-L's prototype lacks const; it does not write to the buffer. */
	unsigned char *p = (unsigned char *)(uintptr_t)data;
	uint32_t crc = seed;

	while (len) {
		int n = len > (size_t)(INT_MAX & ~4095) ? (INT_MAX & ~4095) : (int)len;

		crc = crc32_iscsi(p, n, crc);
		p += n;
		len -= (size_t)n;
	}
	return crc;
}
