/*
 * test/fuse/testfs_data.c: sparse file contents for netfuse-testfs, as a
 * sorted array of 4 KiB blocks found by binary search. Appending stays
 * cheap (the new block goes at the end); a write into the middle of a big
 * sparse file moves the array's tail, which a test file system can afford.
 */
#include "config.h"

#include "test/fuse/testfs_data.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The index of the first block at or after @idx. */
static size_t lower_bound(const struct tdata *d, uint64_t idx)
{
	size_t lo = 0, hi = d->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->blocks[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void tdata_read(const struct tdata *d, char *buf, size_t len, uint64_t off)
{
	size_t i = lower_bound(d, off / TDATA_BLOCK);

	while (len) {
		uint64_t idx = off / TDATA_BLOCK;
		size_t in = (size_t)(off % TDATA_BLOCK), take = TDATA_BLOCK - in;

		if (take > len)
			take = len;
		while (i < d->n && d->blocks[i].idx < idx)
			i++;
		if (i < d->n && d->blocks[i].idx == idx)
			memcpy(buf, d->blocks[i].buf + in, take);
		else
			memset(buf, 0, take);
		buf += take;
		off += take;
		len -= take;
	}
}

/* The block @idx, made (zeroed) when missing; NULL when it cannot be. */
static char *block_get(struct tdata *d, struct tdata_budget *b, uint64_t idx)
{
	size_t i = lower_bound(d, idx);
	char *buf;

	if (i < d->n && d->blocks[i].idx == idx)
		return d->blocks[i].buf;
	if (b->used + TDATA_BLOCK > b->limit)
		return NULL;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 4;
		struct tdata_block *nb = realloc(d->blocks, cap * sizeof(*nb));
		if (!nb)
			return NULL;
		d->blocks = nb;
		d->cap = cap;
	}
	buf = calloc(1, TDATA_BLOCK);
	if (!buf)
		return NULL;
	memmove(&d->blocks[i + 1], &d->blocks[i], (d->n - i) * sizeof(*d->blocks));
	d->blocks[i] = (struct tdata_block){idx, buf};
	d->n++;
	b->used += TDATA_BLOCK;
	return buf;
}

int tdata_write(struct tdata *d, struct tdata_budget *b, const char *buf, size_t len, uint64_t off)
{
	while (len) {
		size_t in = (size_t)(off % TDATA_BLOCK), take = TDATA_BLOCK - in;
		char *blk = block_get(d, b, off / TDATA_BLOCK);

		if (!blk)
			return -ENOSPC;
		if (take > len)
			take = len;
		memcpy(blk + in, buf, take);
		buf += take;
		off += take;
		len -= take;
	}
	return 0;
}

void tdata_truncate(struct tdata *d, struct tdata_budget *b, uint64_t size)
{
	uint64_t first_gone = (size + TDATA_BLOCK - 1) / TDATA_BLOCK;
	size_t keep = lower_bound(d, first_gone);

	for (size_t i = keep; i < d->n; i++)
		free(d->blocks[i].buf);
	b->used -= (uint64_t)(d->n - keep) * TDATA_BLOCK;
	d->n = keep;
	/* The kept part of a block cut at @size: zeros after it. */
	if (size % TDATA_BLOCK && keep && d->blocks[keep - 1].idx == size / TDATA_BLOCK) {
		size_t in = (size_t)(size % TDATA_BLOCK);
		memset(d->blocks[keep - 1].buf + in, 0, TDATA_BLOCK - in);
	}
}

void tdata_free(struct tdata *d, struct tdata_budget *b)
{
	tdata_truncate(d, b, 0);
	free(d->blocks);
	*d = (struct tdata){0};
}
