/*
 * test/fuse/testfs_data.h: the contents of one netfuse-testfs file, sparse
 * in 4 KiB blocks. A hole costs nothing and reads as zeros, so a file may be
 * far larger than the memory it uses (pjdfstest writes one byte past 2 GiB);
 * what is written is held, up to the file system's budget. Not thread-safe:
 * testfs holds its lock around every call.
 */
#ifndef NETFUSE_TESTFS_DATA_H
#define NETFUSE_TESTFS_DATA_H

#include <stddef.h>
#include <stdint.h>

#define TDATA_BLOCK 4096

struct tdata_block {
	uint64_t idx; /* offset / TDATA_BLOCK */
	char *buf;    /* TDATA_BLOCK bytes */
};

/* Zero-initialised is an empty file. */
struct tdata {
	struct tdata_block *blocks; /* sorted by idx */
	size_t n, cap;
};

/* What every file's blocks take from one budget. */
struct tdata_budget {
	uint64_t used, limit; /* bytes */
};

/* Copy @len bytes at @off into @buf, zeros where nothing was written. */
void tdata_read(const struct tdata *d, char *buf, size_t len, uint64_t off);

/* Store @len bytes at @off; 0, or -ENOSPC when the budget is spent or
 * memory runs out (then the file may hold part of the write). */
int tdata_write(struct tdata *d, struct tdata_budget *b, const char *buf, size_t len, uint64_t off);

/* Forget everything at and past @size (a later extension reads zeros). */
void tdata_truncate(struct tdata *d, struct tdata_budget *b, uint64_t size);

/* The bytes the file's blocks take. */
static inline uint64_t tdata_bytes(const struct tdata *d)
{
	return (uint64_t)d->n * TDATA_BLOCK;
}

void tdata_free(struct tdata *d, struct tdata_budget *b);

#endif
