/*
 * fuse/backend.h: what a front-end supplies to the FUSE core, and what the
 * core offers it back.
 *
 * A front-end (netfuse-ceph, netfuse-afs, the test file system under test/)
 * is a struct nf_frontend: its name, its -o options, a start function that
 * connects to its servers and returns the backend state, a table of file
 * system operations, and the views it shows (struct nf_view). The core owns
 * everything FUSE: the command line, daemonizing, the session loop, inode
 * numbers and lookup counts, the synthetic files (.health at the root, the
 * views), and replies. Backends see their own object keys (struct nf_key),
 * never FUSE inode numbers, and return 0 or -errno.
 *
 * Operations run on the session's worker threads and may block (a backend
 * queues work to its protocol client and waits for the completion, see
 * doc/design.md). An operation a backend leaves NULL answers what the
 * kernel expects of a file system without it: EROFS for operations that
 * change the file system, ENOSYS for the rest (on which the kernel falls
 * back: local locks, no flush, no fsync, default poll mask).
 *
 * The synthetic names at the root (".health", each views directory such as
 * ".ceph") never reach the backend: lookups of them are the core's, the
 * backend's entries of those names are hidden, and making, removing or
 * renaming them is refused. The root's readdir lists them after the
 * backend's own entries. Backend directory offsets must stay below
 * NF_DIR_OFF_MAX. Nor does a name longer than the front-end's name_max
 * (ENAMETOOLONG, whatever the operation).
 */
#ifndef NETFUSE_BACKEND_H
#define NETFUSE_BACKEND_H

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include "evloop/evloop_req.h"
#include "fuse/inode_table.h"
#include "fuse/mount_opts.h"
#include "health/health.h"

struct nf_mount;

/* Who is asking: the owner of what it makes (uid, gid), and for backends
 * that check permissions themselves, its groups (nf_ctx_groups). */
struct nf_ctx {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	mode_t umask;
	/* Fired when the caller gives up (-EINTR: the kernel's INTERRUPT) or
	 * the session ends (-ESHUTDOWN): pass it to the protocol client's
	 * request so that its wait ends at once (evloop/evloop_req.h). */
	struct evloop_cancel *cancel;
	fuse_req_t req; /* the core's; for nf_ctx_groups */
};

/*
 * The caller's supplementary groups: fills up to @size of them into @list
 * and returns how many it has (more than @size: call again with room for
 * all), or -errno (-ENOSYS where the kernel does not tell). The kernel does
 * not send them with each request, so this reads them from /proc: call it
 * only when a decision needs them (the kernel's own checks, with
 * default_permissions, need no help).
 */
int nf_ctx_groups(const struct nf_ctx *c, gid_t *list, int size);

/* What a name resolves to. attr.st_ino is the object's inode number as
 * users see it (stat, ls -i, d_ino): stable for the object's life (the Ceph
 * inode number; a hash of the AFS volume and vnode); 0 lets the core use
 * the FUSE node id, which changes when the kernel forgets the object. */
struct nf_entry {
	struct nf_key key;
	struct stat attr;
	/* Seconds the kernel may cache the name and the attributes; a
	 * negative value takes the mount's entry_timeout/attr_timeout. */
	double entry_timeout, attr_timeout;
};

static inline void nf_entry_init(struct nf_entry *e)
{
	*e = (struct nf_entry){.entry_timeout = -1, .attr_timeout = -1};
}

/* How an open file behaves in the kernel's page cache. */
struct nf_open {
	uint64_t fh;	  /* the backend's handle, passed back on each call */
	bool direct_io;	  /* no page cache: each read and write reaches the backend */
	bool keep_cache;  /* keep cached pages from an earlier open */
	bool nonseekable; /* a stream (lseek fails) */
};

/* A directory listing being filled; see nf_dir_add. */
struct nf_dir;

/* Above it the core lists the root's synthetic entries, one offset each. */
#define NF_DIR_OFF_MAX ((off_t)INT64_MAX - 2 * INODE_TABLE_FIRST)

/*
 * Add one entry. @next is the offset at which a later readdir continues
 * after this entry (so it must differ from every earlier entry's). @e gives
 * the key and attributes; for "." and ".." pass only a mode in @e->attr (the
 * kernel does not count lookups of those). Returns false when the entry did
 * not fit (nothing was added: stop, and return 0 from readdir).
 */
bool nf_dir_add(struct nf_dir *d, const char *name, const struct nf_entry *e, off_t next);

/* Whether the kernel asked for attributes with the names (READDIRPLUS):
 * then each entry's key and attributes must be real, and the kernel holds
 * a lookup of each; otherwise only the name, a type in attr.st_mode (0:
 * unknown) and attr.st_ino are used. An entry with a zero key is a name
 * only in either case (the kernel looks it up when it is used): for
 * entries whose attributes would cost more than the listing. */
bool nf_dir_plus(const struct nf_dir *d);

/* The directory has no entries after the ones added (the root's listing
 * then shows the synthetic names). A readdir that returns 0 without saying so and
 * without filling the reply gets called again at the last offset. */
void nf_dir_eof(struct nf_dir *d);

#define NF_LOCK_HANDLE_MAX 1024 /* NLM's MAXNETOBJ_SZ */

struct nf_backend_ops {
	/* Name lookups and attributes. */
	int (*lookup)(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name,
		      struct nf_entry *out);
	/* The kernel no longer knows @key: drop what is cached for it. A hint:
	 * a lookup racing it may hand the key out again, so never free
	 * anything a later lookup of the key could need. */
	void (*forget)(void *fs, const struct nf_key *key);
	/* @fh is the open handle when the kernel gave one, else 0 with @has_fh false. */
	int (*getattr)(void *fs, const struct nf_ctx *c, const struct nf_key *key, bool has_fh, uint64_t fh,
		       struct stat *out);
	/* @to_set is FUSE_SET_ATTR_* bits saying which fields of @in apply. */
	int (*setattr)(void *fs, const struct nf_ctx *c, const struct nf_key *key, const struct stat *in, int to_set,
		       bool has_fh, uint64_t fh, struct stat *out);
	int (*readlink)(void *fs, const struct nf_ctx *c, const struct nf_key *key, char *buf, size_t len);

	/* Directories. opendir may be NULL (fh 0); readdir fills @d from @off
	 * (0: the start) until nf_dir_add says full or the directory ends. */
	int (*opendir)(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t *fh);
	int (*readdir)(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, off_t off,
		       struct nf_dir *d);
	void (*releasedir)(void *fs, const struct nf_key *key, uint64_t fh);

	/* Files. open is NULL for a backend without open state (fh 0; write
	 * opens then fail EROFS unless write exists); O_TRUNC never reaches it
	 * (the kernel truncates through setattr). read returns the bytes read
	 * into @buf (0 at end of file). */
	int (*open)(void *fs, const struct nf_ctx *c, const struct nf_key *key, int flags, struct nf_open *o);
	ssize_t (*read)(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, char *buf, size_t size,
			off_t off);
	ssize_t (*write)(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, const char *buf,
			 size_t size, off_t off);
	/* A descriptor of the file is closed: write back, and drop @lock_owner's
	 * POSIX locks (the kernel sends no unlock on close; without flush, the
	 * core unlocks through setlk). */
	int (*flush)(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, uint64_t lock_owner);
	void (*release)(void *fs, const struct nf_key *key, uint64_t fh, int flags);
	int (*fsync)(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, bool datasync);

	/* Changing the namespace: each one that makes an entry fills @out.
	 * @mode arrives with the caller's umask applied. Where the backend
	 * chooses owners, what it makes belongs to the caller: c->uid, and
	 * c->gid, or @dir's group when @dir has S_ISGID (which a new
	 * directory then inherits), as the kernel's inode_init_owner does. */
	int (*create)(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		      int flags, struct nf_entry *out, struct nf_open *o);
	int (*mkdir)(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		     struct nf_entry *out);
	/* A FIFO, socket, device (@rdev) or regular file: @mode has its type.
	 * Without mknod, a regular file is made through create (O_EXCL, then
	 * released) and the other types are refused with EPERM. */
	int (*mknod)(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		     dev_t rdev, struct nf_entry *out);
	int (*unlink)(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name);
	int (*rmdir)(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name);
	int (*rename)(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name,
		      const struct nf_key *newdir, const char *newname, unsigned flags);
	int (*link)(void *fs, const struct nf_ctx *c, const struct nf_key *key, const struct nf_key *newdir,
		    const char *newname, struct nf_entry *out);
	int (*symlink)(void *fs, const struct nf_ctx *c, const char *target, const struct nf_key *dir, const char *name,
		       struct nf_entry *out);

	int (*statfs)(void *fs, const struct nf_ctx *c, const struct nf_key *key, struct statvfs *out);

	/* Locks (struct flock in the kernel's POSIX terms; @owner identifies
	 * the lock owner). setlk with @wait blocks until granted or
	 * interrupted. */
	int (*getlk)(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, uint64_t owner,
		     struct flock *lock);
	int (*setlk)(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, uint64_t owner,
		     const struct flock *lock, bool wait);
	int (*flock)(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, uint64_t owner, int op);

	/* The object's lock handle, for a lock server (-o lockd, fuse/locks.h):
	 * bytes naming the object the same on every host that mounts it, for
	 * its whole life (AFS: cell, volume, vnode, uniquifier). Its length
	 * (at most @len, which is NF_LOCK_HANDLE_MAX), or -errno. Without it,
	 * -o lockd is refused. Must not wait for servers. */
	int (*lock_handle)(void *fs, const struct nf_key *key, void *buf, size_t len);

	/* poll: report the ready events in @revents; when none is ready and
	 * @ph is not NULL, keep @ph and call fuse_lowlevel_notify_poll(ph)
	 * later (then fuse_pollhandle_destroy). On an error, leave @ph: the
	 * core destroys it. */
	int (*poll)(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, struct fuse_pollhandle *ph,
		    unsigned *revents);
};

/*
 * A view: a read-only text file the core serves for a front-end in a
 * directory of the root (".ceph/monmap"), showing the backend's state as
 * the kernel's debugfs files do. The core renders it into a buffer at each
 * open, so a reader sees one consistent snapshot however it reads, and
 * serves it with direct I/O (no stale page cache between two opens); stat
 * renders it too, so `ls -l` shows the size a read would give then. Writes,
 * new names and removals are refused.
 */
struct nf_view {
	const char *dir;  /* the directory at the root: ".ceph" */
	const char *name; /* the file in it: "monmap" */
	mode_t mode;	  /* its permissions: 0444, or 0400 for what only the mounting user may read */
	/* Write the text of @v into @buf (@len bytes, at most NF_VIEW_MAX)
	 * from one snapshot of @fs, and return its length (a text cut at @len
	 * is shown cut). @v lets one function render several views. Called on
	 * worker threads at each open and stat: it must not wait for servers. */
	size_t (*render)(void *fs, const struct nf_view *v, char *buf, size_t len);
	/* The core's own view (.locks): @fs is the struct nf_mount. Front-ends
	 * leave it false. */
	bool core;
};

#define NF_VIEW_MAX (256 * 1024)

struct nf_frontend {
	const char *prog;	   /* "netfuse-ceph" */
	const char *source_syntax; /* for usage: "MON[,MON...][:/SUBDIR]" */
	const char *summary;	   /* one line for --help */
	/* The longest name the backend stores, in bytes: longer names in any
	 * operation are ENAMETOOLONG before the backend sees them, and statfs
	 * reports it unless the backend says otherwise. 0: NAME_MAX. */
	unsigned name_max;
	/* The kernel's read-ahead for the mount, in bytes, unless rasize=
	 * says otherwise; 0 leaves FUSE's (128 KiB). */
	unsigned rasize;
	/* The front-end's -o options (parsed into @opts), and its defaults. */
	const struct mopt_spec *specs;
	void *opts;
	/*
	 * Connect to the servers named by @source and the options. Called once,
	 * in the process that will serve the mount, before the mount. Returns
	 * the backend state in @fs and the root's key, or -errno with one line
	 * for people in @err (never a secret). Health events go to
	 * nf_mount_health(m).
	 */
	int (*start)(struct nf_mount *m, const char *source, void **fs, struct nf_key *root, char *err, size_t errlen);
	/* After unmount: disconnect and free. */
	void (*stop)(void *fs);
	/* Read once start has returned, so start may choose the tables (and
	 * name_max). */
	const struct nf_backend_ops *ops;
	/* The views, ending with a { .name = NULL } entry; NULL for none. The
	 * root lists their directories in the table's order, then .health. */
	const struct nf_view *views;
};

/* The front-end's main(): parse, start, mount, serve, unmount; the exit status. */
int nf_main(const struct nf_frontend *fe, int argc, char **argv);

/* What the core offers the backend. */
struct health_queue *nf_mount_health(struct nf_mount *m);
const char *nf_mount_source(const struct nf_mount *m);
bool nf_mount_readonly(const struct nf_mount *m);
/* The inode table's figures: nodes, the kernel's outstanding lookups, ... */
void nf_mount_inode_stats(struct nf_mount *m, struct inode_table_stats *st);

/*
 * Cache invalidation, for backends told by a server that something changed
 * (a callback break, a capability revoke). Call them from the backend's own
 * threads, never from inside an operation on the same inode (the kernel may
 * wait for that operation). They return 0 when the kernel does not know
 * the object (nothing to invalidate) or the kernel's answer.
 *   inval_inode: attributes, and cached data from @off for @len bytes
 *                (@len 0: to the end; @off -1: attributes only).
 *   inval_entry: the name @name in @dir.
 *   delete:      @name in @dir no longer names @child.
 */
int nf_notify_inval_inode(struct nf_mount *m, const struct nf_key *key, off_t off, off_t len);
int nf_notify_inval_entry(struct nf_mount *m, const struct nf_key *dir, const char *name);
int nf_notify_delete(struct nf_mount *m, const struct nf_key *dir, const struct nf_key *child, const char *name);

#endif
