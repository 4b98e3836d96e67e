/*
 * fuse/synthetic.h: the synthetic tree, the files the core serves itself in
 * every mount: .health at the root, and the directories of views a front-end
 * declares (struct nf_view: netfuse-ceph's .ceph/monmap, ...). Core only;
 * backends see backend.h.
 *
 * Synthetic nodes have the reserved FUSE inode numbers from
 * INODE_TABLE_RESERVED up to INODE_TABLE_FIRST, fixed when the mount starts:
 * the kernel's lookups of them are never counted and they are never dropped.
 * The tree is served through synthetic_ops, an implementation of
 * struct nf_backend_ops whose `fs` is the struct nf_mount, so fs_ops.c calls
 * it exactly as it calls the backend; what differs is only who owns a node.
 * The backend never sees a synthetic node or name: a synthetic name at the
 * root hides the backend's entry of that name, and the operations that make,
 * remove or rename names refuse synthetic ones (synthetic_name_refusal).
 *
 * Each file is of a kind (struct synthetic_file) that says how it is read: a
 * view renders one snapshot into a buffer at open (view_file.c), .health is
 * a stream with a reader per open (health_file.c).
 */
#ifndef NETFUSE_SYNTHETIC_H
#define NETFUSE_SYNTHETIC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "fuse/backend.h"
#include "fuse/inode_table.h"

struct nf_mount;
struct synthetic_node;

#define SYNTHETIC_MAX (INODE_TABLE_FIRST - INODE_TABLE_RESERVED)

/* The root's readdir offsets of the synthetic entries, after every offset a
 * backend may use (NF_DIR_OFF_MAX). */
#define SYNTHETIC_DIR_OFF (NF_DIR_OFF_MAX + 1)
_Static_assert(INT64_MAX - NF_DIR_OFF_MAX > SYNTHETIC_MAX + 1, "every synthetic entry of the root has an offset");

/* How one kind of synthetic file is served; @fh is what open returned. */
struct synthetic_file {
	/* The size and the times; @fh is the open file's handle (fstat), or 0. */
	void (*stat)(struct nf_mount *m, const struct synthetic_node *n, uint64_t fh, struct stat *st);
	int (*open)(struct nf_mount *m, const struct synthetic_node *n, struct nf_open *o);
	ssize_t (*read)(struct nf_mount *m, uint64_t fh, char *buf, size_t size, off_t off);
	/* As nf_backend_ops.poll; NULL: always readable. */
	int (*poll)(struct nf_mount *m, uint64_t fh, struct fuse_pollhandle *ph, unsigned *revents);
	void (*release)(struct nf_mount *m, uint64_t fh);
};

extern const struct synthetic_file health_file, view_file;

struct synthetic_node {
	const char *name;
	uint64_t parent;		   /* FUSE_ROOT_ID, or a synthetic directory's number */
	mode_t mode;			   /* S_IFDIR | 0555, or S_IFREG | the file's permissions */
	const struct synthetic_file *kind; /* files */
	const struct nf_view *view;	   /* a front-end's view: what view_file renders */
};

struct synthetic_tree {
	struct synthetic_node node[SYNTHETIC_MAX]; /* node[i] is inode INODE_TABLE_RESERVED + i */
	unsigned n;
	time_t made_at; /* the directories' times */
};

/* Lay out the tree from the front-end's views, then .health (listed last).
 * -EINVAL with one line in @err for a table the tree cannot hold. */
int synthetic_init(struct nf_mount *m, char *err, size_t errlen);

/* @ino is one of the reserved numbers. */
static inline bool synthetic_owns(uint64_t ino)
{
	return ino >= INODE_TABLE_RESERVED && ino < INODE_TABLE_FIRST;
}

/* @name in @parent is the synthetic tree's: a lookup goes to synthetic_ops
 * with the key {0, FUSE_ROOT_ID} for the root, and the backend's entry of
 * that name stays hidden. */
bool synthetic_shadows(const struct nf_mount *m, uint64_t parent, const char *name);

/* Making, removing or renaming @name in @parent: 0 when the name is the
 * backend's to change; -@taken when the synthetic tree has it (EEXIST for
 * making, EPERM for removing and renaming); -EPERM for a new name in a
 * synthetic directory. */
int synthetic_name_refusal(const struct nf_mount *m, uint64_t parent, const char *name, int taken);

extern const struct nf_backend_ops synthetic_ops;

#endif
