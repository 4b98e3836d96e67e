/*
 * afs_rx/afs_dir.h: the AFS directory format, as a fileserver serves a
 * directory's contents (FS.FetchData64 of a directory vnode). The
 * fileserver does not look names up for its clients (FS.Lookup answers
 * EINVAL on OpenAFS), so a cache manager reads the blob itself.
 *
 * The layout (OpenAFS src/dir/dir.h; kAFS fs/afs/xdr_fs.h), all integers
 * big-endian:
 *   - pages of 2048 bytes, at most 1023; each is 64 slots of 32 bytes;
 *   - slot 0 of every page is its header: page count (u16, page 0 only; 0
 *     in old directories), the tag 1234 (u16), a byte, and a bitmap of the
 *     page's allocated slots (8 bytes, slot i is bit i % 8 of byte i / 8);
 *   - page 0's slots 1..12 hold the directory header: an allocation count
 *     per page for the first 128 pages, then the 128-bucket hash table of
 *     entry numbers (u16, 0: empty bucket);
 *   - an entry starts in an allocated slot: a flag byte, a byte, the entry
 *     number of the next one in its hash chain (u16, 0: the end), vnode and
 *     uniquifier (u32 each), then the name, NUL-terminated, from byte 12 on,
 *     running on into the following slots (1 + (len + 16) / 32 slots in all)
 *     and never past its page. An entry number is page * 64 + slot.
 *
 * A directory is what its 128 hash chains reach (OpenAFS enumerates and
 * looks up through them alone). afs_dir_parse checks the whole blob once:
 * every page's tag, every chained entry inside the blob, in an allocated
 * slot that is neither a page header nor page 0's directory header, its
 * name terminated inside its page, 1..255 bytes without '/', its extension
 * slots allocated, the entry on the chain of its own name's hash, no name
 * held twice (so a listing and a lookup never disagree), and no entry
 * reached twice (a chain that loops or two chains that join). A blob that
 * fails is refused whole with the reason; one that passes is indexed by
 * entry number for listing, and names are looked up through its hash
 * chains.
 */
#ifndef NETFUSE_AFS_DIR_H
#define NETFUSE_AFS_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AFS_DIR_PAGE_SIZE      2048
#define AFS_DIR_SLOT_SIZE      32
#define AFS_DIR_SLOTS_PER_PAGE 64
#define AFS_DIR_MAX_PAGES      1023
#define AFS_DIR_HASH_SIZE      128
#define AFS_DIR_PAGE0_RESERVED 13 /* page header + directory header */
#define AFS_DIR_TAG	       1234
#define AFS_DIR_NAME_MAX       255 /* AFSNAMEMAX less the NUL */

/* One entry of a parsed directory. */
struct afs_dir_entry {
	uint16_t num;	 /* entry number: page * 64 + slot; stable while the blob is */
	uint8_t namelen; /* 1..255 */
	uint32_t vnode, unique;
	const char *name; /* NUL-terminated, inside the blob */
};

/* A checked directory. It points into the blob, which must outlive it. */
struct afs_dir {
	const uint8_t *blob;
	size_t len;
	unsigned npages;
	unsigned nentries;
	struct afs_dir_entry *entries; /* in entry-number order */
};

/*
 * Check @blob (@len bytes: whole pages, 1 to 1023 of them) and index its
 * entries into @d. 0; -EIO with the reason in @err when the blob is
 * malformed (@d is then empty); -ENOMEM.
 */
int afs_dir_parse(struct afs_dir *d, const void *blob, size_t len, char *err, size_t errlen);
void afs_dir_free(struct afs_dir *d);

/* The entry named @name (@len bytes, no NUL needed) through its hash chain, or NULL. */
const struct afs_dir_entry *afs_dir_lookup(const struct afs_dir *d, const char *name, size_t len);

/* The index of the first entry whose number is at least @num (d->nentries if none):
 * where a listing resumes. */
unsigned afs_dir_seek(const struct afs_dir *d, unsigned num);

/*
 * Edits (afs_dir_edit.c): @name added or removed as an OpenAFS fileserver
 * does it, on a blob that passed afs_dir_parse (parse it again after: the
 * index points into the old bytes). afs_dir_add may add a page (*@blob is
 * reallocated, *@len grows); it returns the new entry's number, -EEXIST,
 * -EFBIG (the directory is full), -EINVAL (not a name), -EIO (the blob's
 * own bookkeeping is off: fetch it again) or -ENOMEM. afs_dir_remove
 * returns 0, -ENOENT, -EINVAL or -EIO.
 */
int afs_dir_add(uint8_t **blob, size_t *len, const char *name, uint32_t vnode, uint32_t unique);
int afs_dir_remove(uint8_t *blob, size_t len, const char *name);
/* A new directory's blob, as the fileserver's MakeDir writes it: "."
 * (@vnode.@unique) and ".." (@pvnode.@punique); 0 with *@blob (malloc'd)
 * and *@len, or -ENOMEM. */
int afs_dir_make(uint8_t **blob, size_t *len, uint32_t vnode, uint32_t unique, uint32_t pvnode, uint32_t punique);

/* The hash bucket of @name (OpenAFS DirHash), 0..127. */
unsigned afs_dir_hash(const char *name, size_t len);

/* Slots an entry with a name of @len bytes takes. */
static inline unsigned afs_dir_name_slots(size_t len)
{
	return 1 + (unsigned)((len + 16) / AFS_DIR_SLOT_SIZE);
}

#endif
