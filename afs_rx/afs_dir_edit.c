/*
 * afs_rx/afs_dir_edit.c: changing a checked AFS directory blob the way an
 * OpenAFS fileserver changes its own copy (src/dir/dir.c: Create, Delete,
 * FindBlobs, AddPage, FreeBlobs), so that a cache manager that made a
 * change itself (a create, a remove, a rename) can apply it to the blob it
 * holds instead of fetching the whole directory again, as kAFS does in
 * fs/afs/dir_edit.c. The blob then matches the fileserver's byte for byte
 * in everything a reader looks at: the same entry numbers (so readdir
 * offsets stay where they were), the same chains, the same length.
 *
 * The fileserver's allocation bookkeeping is followed exactly: page 0
 * keeps a count of free slots for each of the first 128 pages (the
 * allocation map; a page not yet in the directory counts 64), the first
 * page whose count admits the entry is searched for the first run of free
 * slots, a page is added when the count says it is absent, and a new entry
 * goes at the head of its hash chain. A blob whose bookkeeping disagrees
 * with itself (a count past 64, a page count that is not the blob's) is
 * not edited: the caller fetches the directory again.
 *
 * A new directory is laid out as the fileserver's MakeDir lays it out (one
 * page, its first 13 slots the headers, "." then ".." added), so that a
 * cache manager that made it holds the blob the fileserver holds.
 */
#include "config.h"

#include "afs_rx/afs_dir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/byteorder.h"

#define P	       AFS_DIR_PAGE_SIZE
#define S	       AFS_DIR_SLOT_SIZE
#define EPP	       AFS_DIR_SLOTS_PER_PAGE
#define PAGE_COUNT_OFF 0			 /* u16, page 0 */
#define PAGE_FREECOUNT 4			 /* a byte */
#define PAGE_BITMAP    5			 /* 8 bytes */
#define ALLOC_MAP_OFF  S			 /* page 0: one signed byte per page */
#define ALLOC_MAP_LEN  128			 /* pages the map counts */
#define HASH_TABLE_OFF (ALLOC_MAP_OFF + ALLOC_MAP_LEN) /* u16 entry numbers */
#define ENTRY_FLAG     0
#define ENTRY_NEXT     2
#define ENTRY_VNODE    4
#define ENTRY_UNIQUE   8
#define ENTRY_NAME     12
#define FLAG_FIRST     1

static uint8_t *page_at(uint8_t *blob, unsigned p)
{
	return blob + (size_t)p * P;
}

static bool slot_used(const uint8_t *pg, unsigned s)
{
	return pg[PAGE_BITMAP + s / 8] >> (s % 8) & 1;
}

static void mark(uint8_t *pg, unsigned s, bool used)
{
	if (used)
		pg[PAGE_BITMAP + s / 8] |= (uint8_t)(1u << (s % 8));
	else
		pg[PAGE_BITMAP + s / 8] &= (uint8_t) ~(1u << (s % 8));
}

/* The allocation map's count for page @p, or -1 past the map. */
static int alloc_count(const uint8_t *blob, unsigned p)
{
	return p < ALLOC_MAP_LEN ? (int8_t)blob[ALLOC_MAP_OFF + p] : -1;
}

static bool valid_name(const char *name, size_t len)
{
	return len > 0 && len <= AFS_DIR_NAME_MAX && !memchr(name, '/', len) && !memchr(name, '\0', len);
}

/* The link that leads to @name's entry (the hash bucket or the previous
 * entry's next field), its entry number in *@num; NULL when absent. The
 * blob passed afs_dir_parse, so chains end inside it; the walk is bounded
 * all the same. */
static uint8_t *find_link(uint8_t *blob, size_t len, const char *name, size_t nlen, unsigned *num)
{
	unsigned nslots = (unsigned)(len / S);
	uint8_t *link = blob + HASH_TABLE_OFF + 2 * afs_dir_hash(name, nlen);
	for (unsigned steps = 0; steps < nslots; steps++) {
		unsigned n = get_be16(link);
		if (n == 0 || n >= nslots)
			return NULL;
		uint8_t *e = blob + (size_t)n * S;
		const char *en = (const char *)e + ENTRY_NAME;
		if (strncmp(en, name, nlen) == 0 && en[nlen] == '\0') {
			*num = n;
			return link;
		}
		link = e + ENTRY_NEXT;
	}
	return NULL;
}

/* Bookkeeping an edit can trust: the page count is the blob's, the headers'
 * slots are allocated (page 0's first 13, every other page's first), and
 * every counted page's count is 0..64, 64 exactly for the pages not there. */
static bool sane(const uint8_t *blob, size_t len)
{
	unsigned npages = (unsigned)(len / P);
	if (len == 0 || len % P || npages > AFS_DIR_MAX_PAGES || get_be16(blob + PAGE_COUNT_OFF) != npages)
		return false;
	for (unsigned s = 0; s < AFS_DIR_PAGE0_RESERVED; s++)
		if (!slot_used(blob, s))
			return false;
	for (unsigned p = 1; p < npages; p++)
		if (!slot_used(blob + (size_t)p * P, 0))
			return false;
	for (unsigned p = 0; p < ALLOC_MAP_LEN; p++) {
		int c = alloc_count(blob, p);
		if (c < 0 || c > EPP || (p < npages) == (c == EPP && p > 0))
			return false; /* a present page counts < 64; an absent one 64 */
	}
	return true;
}

int afs_dir_make(uint8_t **blobp, size_t *lenp, uint32_t vnode, uint32_t unique, uint32_t pvnode, uint32_t punique)
{
	uint8_t *pg = calloc(1, P);
	if (!pg)
		return -ENOMEM;
	put_be16(pg + PAGE_COUNT_OFF, 1);
	put_be16(pg + 2, AFS_DIR_TAG);
	pg[PAGE_FREECOUNT] = EPP - AFS_DIR_PAGE0_RESERVED;
	for (unsigned s = 0; s < AFS_DIR_PAGE0_RESERVED; s++)
		mark(pg, s, true);
	pg[ALLOC_MAP_OFF] = EPP - AFS_DIR_PAGE0_RESERVED;
	memset(pg + ALLOC_MAP_OFF + 1, EPP, ALLOC_MAP_LEN - 1);
	size_t len = P;
	int r = afs_dir_add(&pg, &len, ".", vnode, unique);
	if (r >= 0)
		r = afs_dir_add(&pg, &len, "..", pvnode, punique);
	if (r < 0) {
		free(pg);
		return r;
	}
	*blobp = pg;
	*lenp = len;
	return 0;
}

int afs_dir_add(uint8_t **blobp, size_t *lenp, const char *name, uint32_t vnode, uint32_t unique)
{
	uint8_t *blob = *blobp;
	size_t len = *lenp, nlen = strlen(name);
	unsigned num;
	if (!valid_name(name, nlen))
		return -EINVAL;
	if (!sane(blob, len))
		return -EIO;
	if (find_link(blob, len, name, nlen, &num))
		return -EEXIST;
	unsigned need = afs_dir_name_slots(nlen);
	unsigned npages = (unsigned)(len / P);
	for (unsigned p = 0; p < AFS_DIR_MAX_PAGES; p++) {
		int count = alloc_count(blob, p);
		if (count >= 0 && count < (int)need)
			continue;
		if (p >= npages) { /* the next page: add it */
			if (p != npages)
				return -EIO;
			uint8_t *nb = realloc(blob, (size_t)(npages + 1) * P);
			if (!nb)
				return -ENOMEM;
			blob = *blobp = nb;
			uint8_t *pg = page_at(blob, p);
			memset(pg, 0, P);
			put_be16(pg + 2, AFS_DIR_TAG);
			pg[PAGE_FREECOUNT] = EPP - 1;
			mark(pg, 0, true);
			npages++;
			*lenp = len = (size_t)npages * P;
			put_be16(blob + PAGE_COUNT_OFF, (uint16_t)npages);
			if (p < ALLOC_MAP_LEN)
				blob[ALLOC_MAP_OFF + p] = (uint8_t)(count = EPP - 1);
		}
		uint8_t *pg = page_at(blob, p);
		for (unsigned s = 0; s + need <= EPP; s++) {
			unsigned k = 0;
			while (k < need && !slot_used(pg, s + k))
				k++;
			if (k < need)
				continue;
			for (k = 0; k < need; k++)
				mark(pg, s + k, true);
			if (p < ALLOC_MAP_LEN)
				blob[ALLOC_MAP_OFF + p] = (uint8_t)(count - (int)need);
			num = p * EPP + s;
			uint8_t *e = blob + (size_t)num * S;
			uint8_t *head = blob + HASH_TABLE_OFF + 2 * afs_dir_hash(name, nlen);
			e[ENTRY_FLAG] = FLAG_FIRST;
			memcpy(e + ENTRY_NEXT, head, 2);
			put_be32(e + ENTRY_VNODE, vnode);
			put_be32(e + ENTRY_UNIQUE, unique);
			memcpy(e + ENTRY_NAME, name, nlen + 1);
			put_be16(head, (uint16_t)num);
			return (int)num;
		}
	}
	return -EFBIG; /* the fileserver answers EFBIG for a full directory */
}

int afs_dir_remove(uint8_t *blob, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	unsigned num;
	if (!valid_name(name, nlen))
		return -EINVAL;
	if (!sane(blob, len))
		return -EIO;
	uint8_t *link = find_link(blob, len, name, nlen, &num);
	if (!link)
		return -ENOENT;
	uint8_t *e = blob + (size_t)num * S;
	memcpy(link, e + ENTRY_NEXT, 2);
	unsigned p = num / EPP, s = num % EPP, n = afs_dir_name_slots(nlen);
	if (p < ALLOC_MAP_LEN)
		blob[ALLOC_MAP_OFF + p] = (uint8_t)(alloc_count(blob, p) + (int)n);
	for (unsigned k = 0; k < n && s + k < EPP; k++)
		mark(page_at(blob, p), s + k, false);
	return 0;
}
