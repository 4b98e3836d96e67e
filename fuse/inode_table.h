/*
 * fuse/inode_table.h: the FUSE inode numbers of a mount and what they stand
 * for.
 *
 * A backend names its objects by a 128-bit key (Ceph: inode number and snap
 * id; AFS: volume and vnode/uniquifier). The kernel names them by a FUSE
 * inode number and a generation. The table maps one to the other and keeps
 * the kernel's lookup count for each node exactly: every reply that hands
 * the kernel an entry (lookup, create, mkdir, symlink, link, each
 * readdirplus entry) adds one, FORGET subtracts what the kernel says. A node
 * whose count reaches zero, and which no request is using, is dropped, and
 * its inode number goes back to a free list; a number that is reused gets
 * the next generation, so (ino, generation) never names two objects.
 *
 * Inode 1 is the root (FUSE_ROOT_ID), looked up forever. The numbers from
 * INODE_TABLE_RESERVED up to INODE_TABLE_FIRST are never the table's: they
 * are the core's synthetic files (.health, the front-ends' views; see
 * synthetic.h).
 * All functions are thread-safe.
 */
#ifndef NETFUSE_INODE_TABLE_H
#define NETFUSE_INODE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

struct nf_key {
	uint64_t hi, lo;
};

static inline bool nf_key_eq(const struct nf_key *a, const struct nf_key *b)
{
	return a->hi == b->hi && a->lo == b->lo;
}

#define INODE_TABLE_ROOT     1
#define INODE_TABLE_RESERVED 2
#define INODE_TABLE_FIRST    64

struct inode_table;

struct inode_ref {
	uint64_t ino, gen;
	struct nf_key key;
};

/* @forget is called (outside the table's lock) with each key dropped. */
struct inode_table *inode_table_new(const struct nf_key *root, void (*forget)(void *arg, const struct nf_key *key),
				    void *arg);
void inode_table_free(struct inode_table *t);

/*
 * The kernel was handed @key: find or make its node, add one lookup, and
 * return its number and generation. -ENOMEM when no memory is left.
 */
int inode_table_lookup(struct inode_table *t, const struct nf_key *key, struct inode_ref *out);

/* The kernel forgets @nlookup lookups of @ino (FORGET, BATCH_FORGET). An
 * unknown number or a count beyond what was handed out is ignored and
 * counted (inode_table_stats): the kernel is trusted, but never blindly. */
void inode_table_forget(struct inode_table *t, uint64_t ino, uint64_t nlookup);

/*
 * A request is about to use @ino: the key it stands for, held until
 * inode_table_put so a FORGET racing the request cannot drop it. -ESTALE for
 * a number the table does not know (a forgotten inode, or the kernel
 * confused).
 */
int inode_table_get(struct inode_table *t, uint64_t ino, struct inode_ref *out);
void inode_table_put(struct inode_table *t, uint64_t ino);

/* The number the kernel knows @key by, without adding a lookup: 0 when it
 * does not know it (cache invalidation then has nothing to do). */
uint64_t inode_table_find(struct inode_table *t, const struct nf_key *key);

struct inode_table_stats {
	uint64_t nodes;	      /* live, the root included */
	uint64_t lookups;     /* outstanding kernel lookups, the root's excluded */
	uint64_t dropped;     /* nodes freed after their last forget */
	uint64_t bad_forgets; /* forgets for unknown numbers or too many lookups */
};
void inode_table_stats(struct inode_table *t, struct inode_table_stats *st);

#endif
