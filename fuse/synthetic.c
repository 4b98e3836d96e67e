/*
 * fuse/synthetic.c: the synthetic tree of a mount (see synthetic.h): its
 * layout, its names, and synthetic_ops, the operations that serve it.
 *
 * The tree is a small array fixed before the mount (.health, the views'
 * directories and files): lookups scan it, which is cheaper than any hash
 * at a few dozen nodes, and it needs no lock because it never changes while
 * the mount lives. What is read of a file is its kind's business
 * (view_file.c, health_file.c); this file answers everything else: the
 * attributes every synthetic node shares, the directories, and the refusals.
 *
 * Nothing synthetic can change: opening a file for writing or truncation is
 * EACCES (the files have no write permission, and root's capabilities do not
 * make them writable, as in /proc and sysfs), setattr EPERM, a write EBADF;
 * a name the tree has is EEXIST to make and EPERM to remove or rename; a new
 * name in a synthetic directory is EPERM. Nothing here answers ENOSYS: in
 * the kernel that would switch the operation off for the whole mount.
 */
#include "config.h"

#include "mount_state.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuse/locks.h"

static const struct synthetic_node *node_at(const struct nf_mount *m, uint64_t ino)
{
	return ino >= INODE_TABLE_RESERVED && ino - INODE_TABLE_RESERVED < m->synth.n
		   ? &m->synth.node[ino - INODE_TABLE_RESERVED]
		   : NULL;
}

static uint64_t ino_of(const struct nf_mount *m, const struct synthetic_node *n)
{
	return INODE_TABLE_RESERVED + (uint64_t)(n - m->synth.node);
}

static const struct synthetic_node *child(const struct nf_mount *m, uint64_t parent, const char *name)
{
	for (unsigned i = 0; i < m->synth.n; i++)
		if (m->synth.node[i].parent == parent && !strcmp(m->synth.node[i].name, name))
			return &m->synth.node[i];
	return NULL;
}

static int add(struct nf_mount *m, uint64_t parent, const char *name, mode_t mode, const struct synthetic_file *kind,
	       const struct nf_view *view, char *err, size_t errlen)
{
	if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(err, errlen, "synthetic file name '%s' is not a file name", name ? name : "(null)");
		return -EINVAL;
	}
	if (child(m, parent, name)) {
		snprintf(err, errlen, "synthetic file name '%s' given twice", name);
		return -EINVAL;
	}
	if (m->synth.n == SYNTHETIC_MAX) {
		snprintf(err, errlen, "more than %d synthetic files and directories", SYNTHETIC_MAX);
		return -EINVAL;
	}
	m->synth.node[m->synth.n++] =
	    (struct synthetic_node){.name = name, .parent = parent, .mode = mode, .kind = kind, .view = view};
	return 0;
}

int synthetic_init(struct nf_mount *m, char *err, size_t errlen)
{
	int r;

	m->synth.n = 0;
	m->synth.made_at = time(NULL);
	for (const struct nf_view *v = m->fe->views; v && v->name; v++) {
		const struct synthetic_node *dir = v->dir ? child(m, FUSE_ROOT_ID, v->dir) : NULL;
		if (!dir) {
			r = add(m, FUSE_ROOT_ID, v->dir, S_IFDIR | 0555, NULL, NULL, err, errlen);
			if (r)
				return r;
			dir = &m->synth.node[m->synth.n - 1];
		}
		r = add(m, ino_of(m, dir), v->name, S_IFREG | (v->mode & 0777), &view_file, v, err, errlen);
		if (r)
			return r;
	}
	/* What this mount's owners hold at the lock server (-o lockd). */
	if (m->locks) {
		r = add(m, FUSE_ROOT_ID, locks_view.name, S_IFREG | locks_view.mode, &view_file, &locks_view, err, errlen);
		if (r)
			return r;
	}
	/* Last, so the root lists the front-end's directories, then .health. */
	return add(m, FUSE_ROOT_ID, ".health", S_IFREG | 0444, &health_file, NULL, err, errlen);
}

bool synthetic_shadows(const struct nf_mount *m, uint64_t parent, const char *name)
{
	return parent == FUSE_ROOT_ID && child(m, parent, name);
}

int synthetic_name_refusal(const struct nf_mount *m, uint64_t parent, const char *name, int taken)
{
	if (synthetic_owns(parent))
		return child(m, parent, name) ? -taken : -EPERM;
	return synthetic_shadows(m, parent, name) ? -taken : 0;
}

/* ---- the operations ----------------------------------------------------- */

static void fill_stat(struct nf_mount *m, const struct synthetic_node *n, uint64_t fh, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino_of(m, n);
	st->st_mode = n->mode;
	st->st_nlink = S_ISDIR(n->mode) ? 2 : 1;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_blksize = 4096;
	if (n->kind)
		n->kind->stat(m, n, fh, st);
	else
		st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec = m->synth.made_at;
}

static int s_lookup(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, struct nf_entry *out)
{
	struct nf_mount *m = fs;
	const struct synthetic_node *d = node_at(m, dir->lo), *n;

	(void)c;
	if (dir->lo != FUSE_ROOT_ID && !d)
		return -ESTALE;
	if (d && !S_ISDIR(d->mode))
		return -ENOTDIR;
	n = child(m, dir->lo, name);
	if (!n)
		return -ENOENT;
	nf_entry_init(out);
	out->key = (struct nf_key){0, ino_of(m, n)};
	fill_stat(m, n, 0, &out->attr);
	out->attr_timeout = 0; /* sizes and times change with what they show */
	return 0;
}

static int s_getattr(void *fs, const struct nf_ctx *c, const struct nf_key *key, bool has_fh, uint64_t fh,
		     struct stat *out)
{
	const struct synthetic_node *n = node_at(fs, key->lo);

	if (!n)
		return -ESTALE;
	(void)c;
	fill_stat(fs, n, has_fh ? fh : 0, out);
	return 0;
}

static int s_setattr(void *fs, const struct nf_ctx *c, const struct nf_key *key, const struct stat *in, int to_set,
		     bool has_fh, uint64_t fh, struct stat *out)
{
	(void)fs, (void)c, (void)key, (void)in, (void)to_set, (void)has_fh, (void)fh, (void)out;
	return -EPERM;
}

static int s_readlink(void *fs, const struct nf_ctx *c, const struct nf_key *key, char *buf, size_t len)
{
	(void)fs, (void)c, (void)key, (void)buf, (void)len;
	return -EINVAL;
}

static int s_opendir(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t *fh)
{
	const struct synthetic_node *n = node_at(fs, key->lo);

	if (!n)
		return -ESTALE;
	(void)c;
	*fh = 0;
	return S_ISDIR(n->mode) ? 0 : -ENOTDIR;
}

/*
 * A synthetic directory: ".", "..", then its files, entry k at offset k + 2.
 * The root (called by the core after the backend's last entry): its
 * synthetic names, entry k at SYNTHETIC_DIR_OFF + k.
 */
static int s_readdir(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, off_t off,
		     struct nf_dir *d)
{
	struct nf_mount *m = fs;
	struct nf_entry e;
	off_t base = 2, k = 0;

	(void)c, (void)fh;
	if (key->lo == FUSE_ROOT_ID) {
		base = SYNTHETIC_DIR_OFF;
	} else {
		const struct synthetic_node *dir = node_at(m, key->lo);
		if (!dir)
			return -ESTALE;
		if (!S_ISDIR(dir->mode))
			return -ENOTDIR;
		for (; off < 2; off++) {
			nf_entry_init(&e);
			e.key = off == 0 ? *key : (struct nf_key){0, dir->parent};
			e.attr.st_mode = S_IFDIR;
			if (!nf_dir_add(d, off == 0 ? "." : "..", &e, off + 1))
				return 0;
		}
	}
	for (unsigned i = 0; i < m->synth.n; i++) {
		const struct synthetic_node *n = &m->synth.node[i];
		if (n->parent != key->lo)
			continue;
		if (base + k++ < off)
			continue;
		nf_entry_init(&e);
		e.key = (struct nf_key){0, ino_of(m, n)};
		fill_stat(m, n, 0, &e.attr);
		e.attr_timeout = 0;
		if (!nf_dir_add(d, n->name, &e, base + k))
			return 0;
	}
	nf_dir_eof(d);
	return 0;
}

static int s_open(void *fs, const struct nf_ctx *c, const struct nf_key *key, int flags, struct nf_open *o)
{
	const struct synthetic_node *n = node_at(fs, key->lo);

	if (!n)
		return -ESTALE;
	(void)c;
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return -EACCES;
	return n->kind->open(fs, n, o);
}

static ssize_t s_read(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, char *buf, size_t size,
		      off_t off)
{
	const struct synthetic_node *n = node_at(fs, key->lo);

	if (!n)
		return -ESTALE;
	(void)c;
	return n->kind ? n->kind->read(fs, fh, buf, size, off) : -EISDIR;
}

static ssize_t s_write(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, const char *buf,
		       size_t size, off_t off)
{
	(void)fs, (void)c, (void)key, (void)fh, (void)buf, (void)size, (void)off;
	return -EBADF; /* never opened for writing */
}

/* Nothing to write back; without it, fs_ops would unlock through s_setlk. */
static int s_flush(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, uint64_t lock_owner)
{
	(void)fs, (void)c, (void)key, (void)fh, (void)lock_owner;
	return 0;
}

static void s_release(void *fs, const struct nf_key *key, uint64_t fh, int flags)
{
	const struct synthetic_node *n = node_at(fs, key->lo);

	(void)flags;
	if (n && n->kind)
		n->kind->release(fs, fh);
}

static int s_fsync(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, bool datasync)
{
	(void)fs, (void)c, (void)key, (void)fh, (void)datasync;
	return 0;
}

/* Locks on synthetic files: only when the backend's locks are on for the
 * mount does the kernel ask, and these files take none. */
static int s_getlk(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, uint64_t owner,
		   struct flock *lock)
{
	(void)fs, (void)c, (void)key, (void)fh, (void)owner, (void)lock;
	return -EINVAL;
}

static int s_setlk(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, uint64_t owner,
		   const struct flock *lock, bool wait)
{
	(void)fs, (void)c, (void)key, (void)fh, (void)owner, (void)lock, (void)wait;
	return -EINVAL;
}

static int s_flock(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, uint64_t owner, int op)
{
	(void)fs, (void)c, (void)key, (void)fh, (void)owner, (void)op;
	return -EINVAL;
}

static int s_poll(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, struct fuse_pollhandle *ph,
		  unsigned *revents)
{
	const struct synthetic_node *n = node_at(fs, key->lo);

	if (!n)
		return -ESTALE;
	(void)c;
	if (n->kind && n->kind->poll)
		return n->kind->poll(fs, fh, ph, revents);
	if (ph)
		fuse_pollhandle_destroy(ph);
	*revents = POLLIN | POLLRDNORM;
	return 0;
}

const struct nf_backend_ops synthetic_ops = {
    .lookup = s_lookup,
    .getattr = s_getattr,
    .setattr = s_setattr,
    .readlink = s_readlink,
    .opendir = s_opendir,
    .readdir = s_readdir,
    .open = s_open,
    .read = s_read,
    .write = s_write,
    .flush = s_flush,
    .release = s_release,
    .fsync = s_fsync,
    .getlk = s_getlk,
    .setlk = s_setlk,
    .flock = s_flock,
    .poll = s_poll,
};
