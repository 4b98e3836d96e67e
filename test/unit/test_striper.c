/*
 * test/unit/test_striper.c: cephosd/striper.c, file ranges to objects.
 *
 * The expected extents are worked by hand from Striper::file_to_extents for
 * the default layout and for a striped one (64 KiB units over 3 objects of
 * 128 KiB: two units per object, so an object set is 384 KiB); then every
 * byte of a few object sets is mapped both ways, each (object, offset)
 * taken once.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "cephosd/striper.h"

#define K 1024ull
#define M (1024ull * 1024)

static const struct ceph_file_layout deflt = {.stripe_unit = 4 * M, .stripe_count = 1, .object_size = 4 * M};
static const struct ceph_file_layout striped = {.stripe_unit = 64 * K, .stripe_count = 3, .object_size = 128 * K};

static struct ceph_object_extent map(const struct ceph_file_layout *l, uint64_t off, uint64_t len)
{
	struct ceph_object_extent x;

	cr_assert_eq(ceph_layout_map(l, off, len, &x), 0);
	return x;
}

Test(striper, the_default_layout_is_one_object_per_4_mib)
{
	struct ceph_object_extent x = map(&deflt, 0, 100);

	cr_assert(x.objno == 0 && x.off == 0 && x.len == 100);
	x = map(&deflt, 4 * M - 10, 100); /* stops at the object's end */
	cr_assert(x.objno == 0 && x.off == 4 * M - 10 && x.len == 10);
	x = map(&deflt, 4 * M, 8 * M);
	cr_assert(x.objno == 1 && x.off == 0 && x.len == 4 * M);
	x = map(&deflt, 10ull * 1024 * M + 5, 1);
	cr_assert(x.objno == 2560 && x.off == 5 && x.len == 1);
}

Test(striper, units_go_round_robin_then_to_the_next_object_set)
{
	/* units 0,1,2 -> objects 0,1,2 at 0; units 3,4,5 -> objects 0,1,2 at
	 * 64 KiB; unit 6 -> object 3 (the second set) at 0 */
	static const struct {
		uint64_t off, objno, obj_off;
	} want[] = {
	    {0, 0, 0},
	    {64 * K, 1, 0},
	    {128 * K, 2, 0},
	    {192 * K, 0, 64 * K},
	    {256 * K + 7, 1, 64 * K + 7},
	    {320 * K, 2, 64 * K},
	    {384 * K, 3, 0},
	    {384 * K + 3 * 64 * K, 3, 64 * K},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct ceph_object_extent x = map(&striped, want[i].off, 1 * M);

		cr_assert(x.objno == want[i].objno && x.off == want[i].obj_off, "file offset %llu: object %llu at %llu",
			  (unsigned long long)want[i].off, (unsigned long long)x.objno, (unsigned long long)x.off);
		cr_assert_eq(x.len, 64 * K - want[i].off % (64 * K), "a piece ends with its unit");
	}
}

Test(striper, every_byte_maps_to_one_place_and_back)
{
	const struct ceph_file_layout *layouts[] = {&striped, &deflt};
	static uint8_t seen[9][128 * 1024 / 4096];

	for (size_t i = 0; i < 2; i++) {
		const struct ceph_file_layout *l = layouts[i];
		uint64_t end = 3 * (uint64_t)l->object_size * l->stripe_count, off = 0;

		for (uint64_t left = end; left;) {
			struct ceph_object_extent x = map(l, off, left);

			cr_assert(x.len > 0 && x.off + x.len <= l->object_size);
			cr_assert_eq(ceph_layout_file_offset(l, x.objno, x.off), off);
			cr_assert_eq(ceph_layout_file_offset(l, x.objno, x.off + x.len - 1), off + x.len - 1);
			if (l == &striped)
				for (uint64_t b = x.off; b < x.off + x.len; b += 4096) {
					cr_assert_lt(x.objno, 9);
					cr_assert_eq(seen[x.objno][b / 4096], 0, "object %llu page %llu twice",
						     (unsigned long long)x.objno, (unsigned long long)(b / 4096));
					seen[x.objno][b / 4096] = 1;
				}
			off += x.len;
			left -= x.len;
		}
	}
	for (int o = 0; o < 9; o++)
		for (int p = 0; p < 32; p++)
			cr_assert(seen[o][p], "object %d page %d never written", o, p);
}

Test(striper, invalid_layouts_and_ranges_are_refused)
{
	struct ceph_object_extent x;
	struct ceph_file_layout l = striped;

	l.stripe_unit = 4096; /* below 64 KiB */
	cr_assert_eq(ceph_layout_map(&l, 0, 1, &x), -EINVAL);
	l = striped;
	l.stripe_count = 0;
	cr_assert_eq(ceph_layout_map(&l, 0, 1, &x), -EINVAL);
	l = striped;
	l.object_size = 96 * K; /* not a whole number of units */
	cr_assert_eq(ceph_layout_map(&l, 0, 1, &x), -EINVAL);
	cr_assert_eq(ceph_layout_map(&striped, UINT64_MAX - 1, 5, &x), -EINVAL);
}

Test(striper, object_names_are_the_inode_and_index_in_hex)
{
	char b[64];

	ceph_layout_object_name(0x10000000000ull, 0, b, sizeof(b));
	cr_assert_str_eq(b, "10000000000.00000000");
	ceph_layout_object_name(0x1234, 0x1ab, b, sizeof(b));
	cr_assert_str_eq(b, "1234.000001ab");
	ceph_layout_object_name(1, 0x123456789ull, b, sizeof(b));
	cr_assert_str_eq(b, "1.123456789");
}
