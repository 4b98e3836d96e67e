/*
 * afs_rx/afs_dir.c: checking, indexing and searching AFS directory blobs
 * (the format is in afs_dir.h).
 *
 * One pass over the hash chains checks everything a later lookup or listing
 * reads, so those need no checks of their own: a blob is refused whole the
 * moment one chained entry is wrong, with the entry and the reason, rather
 * than shown in part. The pass marks every slot an entry takes (its first
 * slot and its name's extensions) in a bitmap, which is what catches chains
 * that loop, chains that join, and chains that lead into the middle of
 * another entry's name; the entries sorted by name then catch a name held
 * twice. Costs: one bit per slot (8 KiB at most) and a sort while parsing,
 * and 24 bytes per entry for the index.
 */
#include "config.h"

#include "afs_rx/afs_dir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/byteorder.h"
#include "text/printable.h"

#define PAGE_TAG_OFF   2			 /* u16 */
#define PAGE_BITMAP    5			 /* 8 bytes */
#define HASH_TABLE_OFF (AFS_DIR_SLOT_SIZE + 128) /* page header, allocation counts */
#define ENTRY_NEXT     2
#define ENTRY_VNODE    4
#define ENTRY_UNIQUE   8
#define ENTRY_NAME     12

unsigned afs_dir_hash(const char *name, size_t len)
{
	uint32_t h = 0;
	for (size_t i = 0; i < len && name[i]; i++)
		h = h * 173 + (uint8_t)name[i];
	unsigned b = h & (AFS_DIR_HASH_SIZE - 1);
	/* OpenAFS reads the sum as a signed int: a negative one takes the
	 * bucket from the other end. */
	if (b != 0 && h >= 0x80000000u)
		b = AFS_DIR_HASH_SIZE - b;
	return b;
}

static const uint8_t *slot_at(const uint8_t *blob, unsigned num)
{
	return blob + (size_t)num * AFS_DIR_SLOT_SIZE;
}

static bool allocated(const uint8_t *blob, unsigned num)
{
	const uint8_t *page = blob + (size_t)(num / AFS_DIR_SLOTS_PER_PAGE) * AFS_DIR_PAGE_SIZE;
	unsigned s = num % AFS_DIR_SLOTS_PER_PAGE;
	return page[PAGE_BITMAP + s / 8] >> (s % 8) & 1;
}

static bool test_and_set(uint8_t *bits, unsigned i)
{
	bool was = bits[i / 8] >> (i % 8) & 1;
	bits[i / 8] |= (uint8_t)(1u << (i % 8));
	return was;
}

static int by_num(const void *a, const void *b)
{
	const struct afs_dir_entry *x = a, *y = b;
	return (x->num > y->num) - (x->num < y->num);
}

static int by_name(const void *a, const void *b)
{
	const struct afs_dir_entry *x = a, *y = b;
	size_t n = x->namelen < y->namelen ? x->namelen : y->namelen;
	int c = memcmp(x->name, y->name, n);
	return c ? c : (x->namelen > y->namelen) - (x->namelen < y->namelen);
}

/* A name held twice would be listed twice and found once: refused. Sorts
 * @ents by name (the caller sorts them again by number). */
static int no_duplicates(struct afs_dir_entry *ents, unsigned n, char *err, size_t errlen)
{
	qsort(ents, n, sizeof(*ents), by_name);
	for (unsigned i = 1; i < n; i++)
		if (by_name(&ents[i - 1], &ents[i]) == 0)
			return printable_error(err, errlen, 0, -EIO, "entries %u and %u both hold the name '%s'",
					       ents[i - 1].num, ents[i].num, ents[i].name);
	return 0;
}

void afs_dir_free(struct afs_dir *d)
{
	free(d->entries);
	*d = (struct afs_dir){0};
}

int afs_dir_parse(struct afs_dir *d, const void *blob_, size_t len, char *err, size_t errlen)
{
	const uint8_t *blob = blob_;
	*d = (struct afs_dir){0};
	if (errlen)
		err[0] = '\0';
	if (len == 0 || len % AFS_DIR_PAGE_SIZE || len / AFS_DIR_PAGE_SIZE > AFS_DIR_MAX_PAGES)
		return printable_error(err, errlen, 0, -EIO, "size %zu is not 1 to %d whole pages of %d bytes", len,
				       AFS_DIR_MAX_PAGES, AFS_DIR_PAGE_SIZE);
	unsigned npages = (unsigned)(len / AFS_DIR_PAGE_SIZE);
	for (unsigned p = 0; p < npages; p++) {
		unsigned tag = get_be16(blob + (size_t)p * AFS_DIR_PAGE_SIZE + PAGE_TAG_OFF);
		if (tag != AFS_DIR_TAG)
			return printable_error(err, errlen, 0, -EIO, "page %u has tag %u, not %d", p, tag, AFS_DIR_TAG);
	}

	unsigned nslots = npages * AFS_DIR_SLOTS_PER_PAGE;
	uint8_t *seen = calloc(nslots / 8, 1);
	struct afs_dir_entry *ents = NULL;
	unsigned n = 0, cap = 0;
	int rc = 0;
	if (!seen)
		return -ENOMEM;
	for (unsigned b = 0; b < AFS_DIR_HASH_SIZE && rc == 0; b++) {
		unsigned num = get_be16(blob + HASH_TABLE_OFF + 2 * b);
		while (num != 0) {
			unsigned slot = num % AFS_DIR_SLOTS_PER_PAGE;
			if (num >= nslots) {
				rc = printable_error(err, errlen, 0, -EIO,
						     "hash chain %u leads to entry %u, past the %u pages", b, num,
						     npages);
				break;
			}
			if (slot == 0 || num < AFS_DIR_PAGE0_RESERVED) {
				rc = printable_error(err, errlen, 0, -EIO,
						     "hash chain %u leads to entry %u, in a header", b, num);
				break;
			}
			if (!allocated(blob, num)) {
				rc = printable_error(err, errlen, 0, -EIO,
						     "hash chain %u leads to entry %u, a free slot", b, num);
				break;
			}
			const uint8_t *e = slot_at(blob, num);
			const char *name = (const char *)e + ENTRY_NAME;
			size_t room = (size_t)(AFS_DIR_SLOTS_PER_PAGE - slot) * AFS_DIR_SLOT_SIZE - ENTRY_NAME;
			size_t nlen = strnlen(name, room);
			if (nlen == room) {
				rc =
				    printable_error(err, errlen, 0, -EIO, "entry %u: its name runs past its page", num);
				break;
			}
			if (memchr(name, '/', nlen)) { /* no path could name it */
				rc = printable_error(err, errlen, 0, -EIO, "entry %u: a name holding '/'", num);
				break;
			}
			if (nlen == 0 || nlen > AFS_DIR_NAME_MAX) {
				rc = printable_error(err, errlen, 0, -EIO, "entry %u: a name of %zu bytes", num, nlen);
				break;
			}
			unsigned take = afs_dir_name_slots(nlen);
			if (slot + take > AFS_DIR_SLOTS_PER_PAGE) {
				rc = printable_error(err, errlen, 0, -EIO, "entry %u: its %u slots run past its page",
						     num, take);
				break;
			}
			for (unsigned i = 0; i < take && rc == 0; i++) {
				if (i > 0 && !allocated(blob, num + i))
					rc = printable_error(err, errlen, 0, -EIO,
							     "entry %u: its name's slot %u is free", num, num + i);
				else if (test_and_set(seen, num + i))
					rc = i == 0
						 ? printable_error(err, errlen, 0, -EIO,
								   "entry %u is reached twice (hash chain %u loops or "
								   "joins another)",
								   num, b)
						 : printable_error(err, errlen, 0, -EIO,
								   "entry %u overlaps another (hash chain %u)", num, b);
			}
			if (rc)
				break;
			unsigned want = afs_dir_hash(name, nlen);
			if (want != b) {
				rc = printable_error(err, errlen, 0, -EIO,
						     "entry %u is on hash chain %u, its name hashes to %u", num, b,
						     want);
				break;
			}
			if (n == cap) {
				unsigned ncap = cap ? 2 * cap : 64;
				struct afs_dir_entry *ne = realloc(ents, ncap * sizeof(*ne));
				if (!ne) {
					rc = -ENOMEM;
					break;
				}
				ents = ne;
				cap = ncap;
			}
			ents[n++] = (struct afs_dir_entry){
			    .num = (uint16_t)num,
			    .namelen = (uint8_t)nlen,
			    .vnode = get_be32(e + ENTRY_VNODE),
			    .unique = get_be32(e + ENTRY_UNIQUE),
			    .name = name,
			};
			num = get_be16(e + ENTRY_NEXT);
		}
	}
	free(seen);
	if (rc == 0 && n > 1) /* qsort of a NULL array, even of 0 entries, is undefined */
		rc = no_duplicates(ents, n, err, errlen);
	if (rc) {
		free(ents);
		return rc;
	}
	if (n > 1)
		qsort(ents, n, sizeof(*ents), by_num);
	*d = (struct afs_dir){.blob = blob, .len = len, .npages = npages, .nentries = n, .entries = ents};
	return 0;
}

unsigned afs_dir_seek(const struct afs_dir *d, unsigned num)
{
	unsigned lo = 0, hi = d->nentries;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (d->entries[mid].num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct afs_dir_entry *afs_dir_lookup(const struct afs_dir *d, const char *name, size_t len)
{
	if (!d->blob || len == 0 || len > AFS_DIR_NAME_MAX || memchr(name, '\0', len))
		return NULL;
	/* The chains were checked by afs_dir_parse: finite, inside the blob. */
	unsigned num = get_be16(d->blob + HASH_TABLE_OFF + 2 * afs_dir_hash(name, len));
	while (num != 0) {
		unsigned i = afs_dir_seek(d, num);
		if (i == d->nentries || d->entries[i].num != num)
			return NULL; /* not a parsed blob's chain */
		const struct afs_dir_entry *e = &d->entries[i];
		if (e->namelen == len && memcmp(e->name, name, len) == 0)
			return e;
		num = get_be16(slot_at(d->blob, num) + ENTRY_NEXT);
	}
	return NULL;
}
