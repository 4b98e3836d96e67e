/* Unit tests for test/fuse/testfs_data.c: netfuse-testfs's sparse file
 * contents (holes read as zeros, truncation forgets, the budget holds). */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "test/fuse/testfs_data.h"

static int all(const char *buf, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != c)
			return 0;
	return 1;
}

Test(testfs_data, a_write_past_2_GiB_takes_one_block_and_holes_read_as_zeros)
{
	struct tdata d = {0};
	struct tdata_budget b = {.limit = 1 << 20};
	uint64_t off = ((uint64_t)2 << 30) + 1;
	char buf[3 * TDATA_BLOCK];

	cr_assert_eq(tdata_write(&d, &b, "a", 1, off), 0);
	cr_assert_eq(tdata_bytes(&d), TDATA_BLOCK);
	cr_assert_eq(b.used, TDATA_BLOCK);
	memset(buf, 'x', sizeof(buf));
	tdata_read(&d, buf, 2, off - 1);
	cr_assert(buf[0] == 0 && buf[1] == 'a');
	memset(buf, 'x', sizeof(buf));
	tdata_read(&d, buf, sizeof(buf), 12345);
	cr_assert(all(buf, sizeof(buf), 0));
	tdata_free(&d, &b);
	cr_assert_eq(b.used, 0);
}

Test(testfs_data, writes_across_blocks_in_any_order_read_back)
{
	struct tdata d = {0};
	struct tdata_budget b = {.limit = 1 << 20};
	char in[5 * TDATA_BLOCK], out[sizeof(in)];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (char)(i * 7 + 1);
	/* The tail first, then the head: blocks go in sorted. */
	cr_assert_eq(tdata_write(&d, &b, in + 3 * TDATA_BLOCK + 100, sizeof(in) - 3 * TDATA_BLOCK - 100,
				 3 * TDATA_BLOCK + 100), 0);
	cr_assert_eq(tdata_write(&d, &b, in, 3 * TDATA_BLOCK + 100, 0), 0);
	cr_assert_eq(d.n, 5);
	for (size_t i = 1; i < d.n; i++)
		cr_assert_lt(d.blocks[i - 1].idx, d.blocks[i].idx);
	tdata_read(&d, out, sizeof(out), 0);
	cr_assert_eq(memcmp(in, out, sizeof(in)), 0);
	tdata_free(&d, &b);
}

Test(testfs_data, truncation_forgets_and_growing_again_reads_zeros)
{
	struct tdata d = {0};
	struct tdata_budget b = {.limit = 1 << 20};
	char buf[2 * TDATA_BLOCK];

	memset(buf, 'z', sizeof(buf));
	cr_assert_eq(tdata_write(&d, &b, buf, sizeof(buf), 0), 0);
	tdata_truncate(&d, &b, 10);
	cr_assert_eq(d.n, 1, "the second block is gone");
	cr_assert_eq(b.used, TDATA_BLOCK);
	tdata_read(&d, buf, sizeof(buf), 0);
	cr_assert(all(buf, 10, 'z'));
	cr_assert(all(buf + 10, sizeof(buf) - 10, 0), "the cut block's tail is zero");
	tdata_truncate(&d, &b, 0);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(b.used, 0);
	tdata_free(&d, &b);
}

Test(testfs_data, the_budget_refuses_with_ENOSPC)
{
	struct tdata d = {0};
	struct tdata_budget b = {.limit = 2 * TDATA_BLOCK};
	char buf[3 * TDATA_BLOCK] = {0};

	cr_assert_eq(tdata_write(&d, &b, buf, sizeof(buf), 0), -ENOSPC);
	cr_assert_eq(b.used, 2 * TDATA_BLOCK);
	cr_assert_eq(tdata_write(&d, &b, buf, TDATA_BLOCK, TDATA_BLOCK), 0, "rewriting held blocks costs nothing");
	tdata_free(&d, &b);
	cr_assert_eq(b.used, 0);
}
