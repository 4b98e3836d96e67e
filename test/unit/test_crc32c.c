/*
 * Unit tests for cephmon/msgr/crc32c.c: ceph_crc32c must agree with Ceph's own.
 *
 * Vectors: Ceph's src/test/common/test_crc32c.cc (Small, PartialWord, Big),
 * the standard CRC-32C check value of "123456789" (0xe3069283, which Ceph's
 * convention gives as its complement), and values computed by the Ceph 16.2
 * installed here (ceph_crc32c_sctp in libceph-common.so.2, called through
 * python3 ctypes) for seeds msgr2 uses.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/crc32c.h"

Test(crc32c, ceph_test_vectors_small)
{
	const char *a = "foo bar baz", *b = "whiz bang boom";

	cr_assert_eq(ceph_crc32c(0, a, strlen(a)), 4119623852u);
	cr_assert_eq(ceph_crc32c(1234, a, strlen(a)), 881700046u);
	cr_assert_eq(ceph_crc32c(0, b, strlen(b)), 2360230088u);
	cr_assert_eq(ceph_crc32c(5678, b, strlen(b)), 3743019208u);
}

Test(crc32c, ceph_test_vectors_partial_word_and_big)
{
	size_t big = 4096000;
	unsigned char *p = malloc(big);

	cr_assert_not_null(p);
	memset(p, 1, big);
	cr_assert_eq(ceph_crc32c(0, p, 5), 2715569182u);
	cr_assert_eq(ceph_crc32c(0, p, 35), 440531800u);
	cr_assert_eq(ceph_crc32c(0, p, big), 31583199u);
	cr_assert_eq(ceph_crc32c(1234, p, big), 1400919119u);
	free(p);
}

Test(crc32c, no_inversion_convention)
{
	/* Empty input returns the seed untouched: msgr2's crc of an empty
	 * segment is 0xffffffff. */
	cr_assert_eq(ceph_crc32c(0xffffffffu, "", 0), 0xffffffffu);
	cr_assert_eq(ceph_crc32c(0, NULL, 0), 0u);
	cr_assert_eq(~ceph_crc32c(0xffffffffu, "123456789", 9), 0xe3069283u);
}

Test(crc32c, installed_ceph_values_and_chaining)
{
	size_t n = 100000;
	unsigned char *p = malloc(n);
	unsigned char h[49];

	cr_assert_not_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)i;
	cr_assert_eq(ceph_crc32c(0xffffffffu, p, n), 328098434u);
	cr_assert_eq(ceph_crc32c(0, p, n), 159978048u);
	/* A crc carried across pieces equals the crc of the whole. */
	cr_assert_eq(ceph_crc32c(ceph_crc32c(0xffffffffu, p, 777), p + 777, n - 777), 328098434u);
	memset(h, 'H', sizeof(h));
	cr_assert_eq(ceph_crc32c(0xffffffffu, h, sizeof(h)), 3549912632u);
	free(p);
}
