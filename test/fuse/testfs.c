/*
 * test/fuse/testfs.c: netfuse-testfs, an in-memory file system on the FUSE
 * core, for testing the core until the real front-ends land (not installed).
 *
 *   netfuse-testfs NAME MOUNTPOINT [-o OPTS] [-f] [-d] [-s]
 *
 * It implements every backend operation except locks and poll (so those
 * take the core's fallbacks: the kernel's local locks, or with -o lockd the
 * lock server, for which its lock handle is the node's key, the same for
 * the same file on two mounts made the same way), over one mutex:
 * correctness over speed. It
 * keeps what a local file system keeps (FIFOs, sockets and device nodes
 * too), makes objects as the caller (its uid, and its gid or the setgid
 * directory's group), and holds sparse files of up to TESTFS_FILE_MAX
 * bytes (EFBIG past that) in at most TESTFS_BYTES of memory (ENOSPC; the
 * size statfs shows). A
 * control file, .testctl, in the root lets tests drive the core from
 * outside; each line written to it is one command:
 *
 *   emit TYPE [DOMAIN [COUNT [NAME]]]  queue a health event (names from
 *                                      netfuse-health(5); NAME goes in the
 *                                      field the domain uses)
 *   burst N                            queue N events that do not merge
 *   poke PATH DATA                     change PATH's contents behind the
 *                                      kernel's back (no invalidation)
 *   inval PATH                         invalidate PATH's cached data and
 *                                      attributes through the core
 *
 * A bad command fails the write with EINVAL. Reading .testctl gives the
 * core's inode table figures ("nodes N lookups N dropped N bad_forgets N").
 * .testctl is the backend's own file (it takes writes), not a view.
 * Options:
 *   testfs_start_delay=S  sleep S seconds in start (the mount must wait)
 *   testfs_fail_start     fail in start, with a message
 *   testfs_readonly       a backend without the operations that change
 *                         anything (so the core's fallbacks answer them)
 *   testfs_no_mknod       a backend without mknod (the core makes regular
 *                         files through create, refuses the other types)
 *   testfs_name_max=N     the longest name the backend takes (the core's
 *                         name limit; default NAME_MAX)
 *   testfs_views          declare views (nf_view), served by the core in
 *                         .testfs/: inodes (mode 0400, the figures above)
 *                         and snapshot (about 200 KiB of lines "render R
 *                         line L", R counting the renders, so a reader can
 *                         tell whether it saw one snapshot)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuse/backend.h"
#include "test/fuse/testfs_data.h"

struct tnode {
	uint64_t id;
	struct stat st;
	struct tdata data; /* a file's contents */
	char *target;	   /* a symlink's */
	struct tdirent *ents; /* directory */
	size_t nents, ents_cap;
	unsigned opens;
	bool known; /* the kernel holds lookups */
};

struct tdirent {
	char *name;
	uint64_t id;
};

#define CTL_ID 2

/* The largest file (ext4's limit with 4 KiB blocks), and the memory all
 * files' contents may take (statfs's size). */
#define TESTFS_FILE_MAX ((uint64_t)16 << 40)
#define TESTFS_BYTES ((uint64_t)4 << 30)

struct testfs {
	pthread_mutex_t lock;
	struct tnode **nodes; /* by id; NULL when freed */
	size_t nnodes, cap;
	struct nf_mount *mount;
	struct tdata_budget budget;
};

static struct {
	double start_delay;
	bool fail_start, readonly, views, no_mknod;
	unsigned name_max;
} topts;

static const struct mopt_spec testfs_specs[] = {
    {.name = "testfs_start_delay",
     .type = MOPT_SECONDS,
     .offset = offsetof(__typeof__(topts), start_delay),
     .max = 600,
     .help = "testfs_start_delay=S  wait S seconds before mounting"},
    {.name = "testfs_fail_start",
     .type = MOPT_FLAG,
     .offset = offsetof(__typeof__(topts), fail_start),
     .help = "testfs_fail_start     fail to start (tests the error path)"},
    {.name = "testfs_readonly",
     .type = MOPT_FLAG,
     .offset = offsetof(__typeof__(topts), readonly),
     .help = "testfs_readonly       implement no operation that changes anything"},
    {.name = "testfs_no_mknod",
     .type = MOPT_FLAG,
     .offset = offsetof(__typeof__(topts), no_mknod),
     .help = "testfs_no_mknod       implement no mknod (the core's fallback answers it)"},
    {.name = "testfs_name_max",
     .type = MOPT_UINT,
     .offset = offsetof(__typeof__(topts), name_max),
     .max = NAME_MAX,
     .help = "testfs_name_max=N     the longest name, in bytes (default NAME_MAX)"},
    {.name = "testfs_views",
     .type = MOPT_FLAG,
     .offset = offsetof(__typeof__(topts), views),
     .help = "testfs_views          show views in .testfs/ (the core's synthetic files)"},
    {.name = NULL},
};

static void now(struct timespec *t)
{
	clock_gettime(CLOCK_REALTIME, t);
}

static struct tnode *node_new(struct testfs *t, mode_t mode)
{
	struct tnode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	if (t->nnodes == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct tnode **nn = realloc(t->nodes, cap * sizeof(*nn));
		if (!nn) {
			free(n);
			return NULL;
		}
		t->nodes = nn;
		t->cap = cap;
	}
	n->id = t->nnodes;
	t->nodes[t->nnodes++] = n;
	n->st.st_ino = n->id; /* stable for the node's life, as a server's inode number */
	n->st.st_mode = mode;
	n->st.st_nlink = S_ISDIR(mode) ? 2 : 1;
	n->st.st_uid = getuid();
	n->st.st_gid = getgid();
	n->st.st_blksize = 4096;
	now(&n->st.st_mtim);
	n->st.st_atim = n->st.st_ctim = n->st.st_mtim;
	return n;
}

static void node_free(struct testfs *t, struct tnode *n)
{
	t->nodes[n->id] = NULL;
	for (size_t i = 0; i < n->nents; i++)
		free(n->ents[i].name);
	free(n->ents);
	tdata_free(&n->data, &t->budget);
	free(n->target);
	free(n);
}

/* Free an unlinked node nothing refers to any more. */
static void maybe_free(struct testfs *t, struct tnode *n)
{
	if (n->st.st_nlink == 0 && !n->opens && !n->known)
		node_free(t, n);
}

static struct tnode *get(struct testfs *t, const struct nf_key *k)
{
	return k->lo < t->nnodes ? t->nodes[k->lo] : NULL;
}

static struct tdirent *find_ent(struct tnode *dir, const char *name)
{
	for (size_t i = 0; i < dir->nents; i++)
		if (!strcmp(dir->ents[i].name, name))
			return &dir->ents[i];
	return NULL;
}

static int add_ent(struct tnode *dir, const char *name, uint64_t id)
{
	if (dir->nents == dir->ents_cap) {
		size_t cap = dir->ents_cap ? dir->ents_cap * 2 : 16;
		struct tdirent *ne = realloc(dir->ents, cap * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		dir->ents = ne;
		dir->ents_cap = cap;
	}
	dir->ents[dir->nents].name = strdup(name);
	if (!dir->ents[dir->nents].name)
		return -ENOMEM;
	dir->ents[dir->nents++].id = id;
	now(&dir->st.st_mtim);
	dir->st.st_ctim = dir->st.st_mtim;
	return 0;
}

static void del_ent(struct tnode *dir, struct tdirent *e)
{
	free(e->name);
	*e = dir->ents[--dir->nents];
	now(&dir->st.st_mtim);
	dir->st.st_ctim = dir->st.st_mtim;
}

static void fill_entry(struct tnode *n, struct nf_entry *out)
{
	out->key = (struct nf_key){0, n->id};
	out->attr = n->st;
	n->known = true;
}

/* Make @n's size @size (zeros when it grows); with the lock held. */
static int resize(struct testfs *t, struct tnode *n, uint64_t size)
{
	if (size > TESTFS_FILE_MAX)
		return -EFBIG;
	if (size < (uint64_t)n->st.st_size)
		tdata_truncate(&n->data, &t->budget, size);
	n->st.st_size = (off_t)size;
	n->st.st_blocks = (blkcnt_t)(tdata_bytes(&n->data) / 512);
	return 0;
}

/* Store @len bytes at @off in @n, growing it; with the lock held. */
static int store(struct testfs *t, struct tnode *n, const char *buf, size_t len, uint64_t off)
{
	int r;

	if (off > TESTFS_FILE_MAX || len > TESTFS_FILE_MAX - off)
		return -EFBIG;
	r = tdata_write(&n->data, &t->budget, buf, len, off);
	if (r) /* nothing may stay past the size, for a later growth to show */
		tdata_truncate(&n->data, &t->budget, (uint64_t)n->st.st_size);
	else if (off + len > (uint64_t)n->st.st_size)
		n->st.st_size = (off_t)(off + len);
	n->st.st_blocks = (blkcnt_t)(tdata_bytes(&n->data) / 512);
	return r;
}

/* ---- operations ---------------------------------------------------------- */

static int t_lookup(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, struct nf_entry *out)
{
	struct testfs *t = fs;
	struct tnode *d;
	struct tdirent *e;
	int r = -ENOENT;

	(void)c;
	pthread_mutex_lock(&t->lock);
	d = get(t, dir);
	if (!d || !S_ISDIR(d->st.st_mode))
		r = d ? -ENOTDIR : -ESTALE;
	else if ((e = find_ent(d, name))) {
		fill_entry(t->nodes[e->id], out);
		r = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

static void t_forget(void *fs, const struct nf_key *key)
{
	struct testfs *t = fs;
	struct tnode *n;

	pthread_mutex_lock(&t->lock);
	n = get(t, key);
	if (n) {
		n->known = false;
		maybe_free(t, n);
	}
	pthread_mutex_unlock(&t->lock);
}

static int t_getattr(void *fs, const struct nf_ctx *c, const struct nf_key *key, bool has_fh, uint64_t fh,
		     struct stat *out)
{
	struct testfs *t = fs;
	struct tnode *n;

	(void)c, (void)has_fh, (void)fh;
	pthread_mutex_lock(&t->lock);
	n = get(t, key);
	if (n)
		*out = n->st;
	pthread_mutex_unlock(&t->lock);
	return n ? 0 : -ESTALE;
}

static int t_setattr(void *fs, const struct nf_ctx *c, const struct nf_key *key, const struct stat *in, int to_set,
		     bool has_fh, uint64_t fh, struct stat *out)
{
	struct testfs *t = fs;
	struct tnode *n;
	int r = 0;

	(void)c, (void)has_fh, (void)fh;
	pthread_mutex_lock(&t->lock);
	n = get(t, key);
	if (!n) {
		r = -ESTALE;
		goto out;
	}
	if (to_set & FUSE_SET_ATTR_SIZE) {
		if (!S_ISREG(n->st.st_mode)) {
			r = S_ISDIR(n->st.st_mode) ? -EISDIR : -EINVAL;
			goto out;
		}
		r = resize(t, n, (uint64_t)in->st_size);
		if (r)
			goto out;
		now(&n->st.st_mtim);
	}
	if (to_set & FUSE_SET_ATTR_MODE)
		n->st.st_mode = (n->st.st_mode & S_IFMT) | (in->st_mode & 07777);
	if (to_set & FUSE_SET_ATTR_UID)
		n->st.st_uid = in->st_uid;
	if (to_set & FUSE_SET_ATTR_GID)
		n->st.st_gid = in->st_gid;
	if (to_set & FUSE_SET_ATTR_ATIME)
		n->st.st_atim = in->st_atim;
	if (to_set & FUSE_SET_ATTR_ATIME_NOW)
		now(&n->st.st_atim);
	if (to_set & FUSE_SET_ATTR_MTIME)
		n->st.st_mtim = in->st_mtim;
	if (to_set & FUSE_SET_ATTR_MTIME_NOW)
		now(&n->st.st_mtim);
	now(&n->st.st_ctim);
	*out = n->st;
out:
	pthread_mutex_unlock(&t->lock);
	return r;
}

static int t_readlink(void *fs, const struct nf_ctx *c, const struct nf_key *key, char *buf, size_t len)
{
	struct testfs *t = fs;
	struct tnode *n;
	int r = 0;

	(void)c;
	pthread_mutex_lock(&t->lock);
	n = get(t, key);
	if (!n || !S_ISLNK(n->st.st_mode))
		r = n ? -EINVAL : -ESTALE;
	else
		snprintf(buf, len, "%s", n->target);
	pthread_mutex_unlock(&t->lock);
	return r;
}

static int t_readdir(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, off_t off,
		     struct nf_dir *d)
{
	struct testfs *t = fs;
	struct tnode *n;
	struct nf_entry e;
	int r = 0;

	(void)c, (void)fh;
	pthread_mutex_lock(&t->lock);
	n = get(t, key);
	if (!n || !S_ISDIR(n->st.st_mode)) {
		r = n ? -ENOTDIR : -ESTALE;
		goto out;
	}
	/* Offsets: 1 after ".", 2 after "..", i + 3 after entry i. */
	for (off_t o = off; o < (off_t)n->nents + 2; o++) {
		nf_entry_init(&e);
		if (o < 2) {
			e.key = *key;
			e.attr.st_mode = S_IFDIR;
			if (!nf_dir_add(d, o == 0 ? "." : "..", &e, o + 1))
				goto out;
			continue;
		}
		struct tnode *child = t->nodes[n->ents[o - 2].id];
		e.key = (struct nf_key){0, child->id};
		e.attr = child->st;
		if (!nf_dir_add(d, n->ents[o - 2].name, &e, o + 1))
			goto out;
		child->known = true; /* readdirplus counted a lookup (harmless for plain readdir) */
	}
	nf_dir_eof(d);
out:
	pthread_mutex_unlock(&t->lock);
	return r;
}

static int t_open(void *fs, const struct nf_ctx *c, const struct nf_key *key, int flags, struct nf_open *o)
{
	struct testfs *t = fs;
	struct tnode *n;
	int r = 0;

	(void)c;
	pthread_mutex_lock(&t->lock);
	n = get(t, key);
	if (!n)
		r = -ESTALE;
	else if (S_ISDIR(n->st.st_mode))
		r = -EISDIR;
	else {
		n->opens++;
		if (n->id == CTL_ID)
			o->direct_io = true;
		else
			o->keep_cache = true; /* like a network file system with callbacks */
		if ((flags & O_TRUNC) && S_ISREG(n->st.st_mode))
			resize(t, n, 0);
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

/* The core's inode table figures, as .testctl and .testfs/inodes show them. */
static size_t render_inodes(void *fs, const struct nf_view *v, char *buf, size_t len)
{
	struct testfs *t = fs;
	struct inode_table_stats st;
	int n;

	(void)v;
	nf_mount_inode_stats(t->mount, &st);
	n = snprintf(buf, len, "nodes %llu lookups %llu dropped %llu bad_forgets %llu\n", (unsigned long long)st.nodes,
		     (unsigned long long)st.lookups, (unsigned long long)st.dropped,
		     (unsigned long long)st.bad_forgets);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* Lines that all carry the number of this render: a reader that mixed two
 * renders sees two numbers. */
static size_t render_snapshot(void *fs, const struct nf_view *v, char *buf, size_t len)
{
	static unsigned long long renders;
	unsigned long long r = __atomic_add_fetch(&renders, 1, __ATOMIC_RELAXED);
	size_t off = 0;

	(void)fs, (void)v;
	for (unsigned line = 0; line < 8000 && off + 32 < len; line++)
		off += (size_t)snprintf(buf + off, len - off, "render %6llu line %5u\n", r, line);
	return off;
}

static const struct nf_view testfs_views[] = {
    {.dir = ".testfs", .name = "inodes", .mode = 0400, .render = render_inodes},
    {.dir = ".testfs", .name = "snapshot", .mode = 0444, .render = render_snapshot},
    {.name = NULL},
};

static ssize_t t_read(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, char *buf, size_t size,
		      off_t off)
{
	struct testfs *t = fs;
	struct tnode *n;
	ssize_t r = 0;

	(void)c, (void)fh;
	if (key->lo == CTL_ID) {
		/* Reading the control file tells the core's inode figures. */
		char text[256];
		off_t len = (off_t)render_inodes(t, NULL, text, sizeof(text));
		if (off >= len)
			return 0;
		r = len - off < (off_t)size ? len - off : (ssize_t)size;
		memcpy(buf, text + off, (size_t)r);
		return r;
	}
	pthread_mutex_lock(&t->lock);
	n = get(t, key);
	if (!n)
		r = -ESTALE;
	else if (off < n->st.st_size) {
		uint64_t len = (uint64_t)(n->st.st_size - off);
		r = (ssize_t)(len < size ? len : size);
		tdata_read(&n->data, buf, (size_t)r, (uint64_t)off);
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

static int control(struct testfs *t, const char *cmd, size_t len);

static ssize_t t_write(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, const char *buf,
		       size_t size, off_t off)
{
	struct testfs *t = fs;
	struct tnode *n;
	ssize_t r = (ssize_t)size;

	(void)c, (void)fh;
	if (key->lo == CTL_ID) {
		int cr = control(t, buf, size);
		return cr ? cr : (ssize_t)size;
	}
	pthread_mutex_lock(&t->lock);
	n = get(t, key);
	if (!n)
		r = -ESTALE;
	else if ((r = store(t, n, buf, size, (uint64_t)off)) == 0) {
		r = (ssize_t)size;
		now(&n->st.st_mtim);
		n->st.st_ctim = n->st.st_mtim;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

static void t_release(void *fs, const struct nf_key *key, uint64_t fh, int flags)
{
	struct testfs *t = fs;
	struct tnode *n;

	(void)fh, (void)flags;
	pthread_mutex_lock(&t->lock);
	n = get(t, key);
	if (n && n->opens) {
		n->opens--;
		maybe_free(t, n);
	}
	pthread_mutex_unlock(&t->lock);
}

static int t_fsync(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, bool datasync)
{
	(void)fs, (void)c, (void)key, (void)fh, (void)datasync;
	return 0;
}

/* What @c makes in @d is the caller's: its uid, and its gid or, in a setgid
 * directory, the directory's group (a new directory inherits the setgid
 * bit), as the kernel's inode_init_owner. The kernel already took S_ISGID
 * off a file the caller may not make setgid (mode_strip_sgid). */
static void set_owner(struct tnode *n, const struct tnode *d, const struct nf_ctx *c)
{
	n->st.st_uid = c->uid;
	n->st.st_gid = c->gid;
	if (d->st.st_mode & S_ISGID) {
		n->st.st_gid = d->st.st_gid;
		if (S_ISDIR(n->st.st_mode))
			n->st.st_mode |= S_ISGID;
	}
}

/* Make a node named @name in @dir for @c (NULL: the file system's own, at
 * start), a device's number @rdev; with the lock held. */
static int make(struct testfs *t, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		dev_t rdev, const char *target, struct nf_entry *out, struct tnode **made)
{
	struct tnode *d = get(t, dir), *n;
	int r;

	if (!d)
		return -ESTALE;
	if (!S_ISDIR(d->st.st_mode))
		return -ENOTDIR;
	if (find_ent(d, name))
		return -EEXIST;
	n = node_new(t, mode);
	if (!n)
		return -ENOMEM;
	if (c)
		set_owner(n, d, c);
	if (S_ISCHR(mode) || S_ISBLK(mode))
		n->st.st_rdev = rdev;
	if (target) {
		n->target = strdup(target);
		if (!n->target) {
			node_free(t, n);
			return -ENOMEM;
		}
		n->st.st_size = (off_t)strlen(target);
	}
	r = add_ent(d, name, n->id);
	if (r) {
		node_free(t, n);
		return r;
	}
	if (S_ISDIR(mode))
		d->st.st_nlink++;
	fill_entry(n, out);
	if (made)
		*made = n;
	return 0;
}

static int t_create(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		    int flags, struct nf_entry *out, struct nf_open *o)
{
	struct testfs *t = fs;
	struct tnode *n;
	int r;

	(void)flags, (void)o;
	pthread_mutex_lock(&t->lock);
	r = make(t, c, dir, name, S_IFREG | (mode & 07777), 0, NULL, out, &n);
	if (!r)
		n->opens++;
	pthread_mutex_unlock(&t->lock);
	return r;
}

static int t_mkdir(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		   struct nf_entry *out)
{
	struct testfs *t = fs;
	int r;

	pthread_mutex_lock(&t->lock);
	r = make(t, c, dir, name, S_IFDIR | (mode & 07777), 0, NULL, out, NULL);
	pthread_mutex_unlock(&t->lock);
	return r;
}

static int t_mknod(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		   dev_t rdev, struct nf_entry *out)
{
	struct testfs *t = fs;
	int r;

	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFCHR:
	case S_IFBLK:
		break;
	default:
		return -EINVAL;
	}
	pthread_mutex_lock(&t->lock);
	r = make(t, c, dir, name, mode & (S_IFMT | 07777), rdev, NULL, out, NULL);
	pthread_mutex_unlock(&t->lock);
	return r;
}

static int t_symlink(void *fs, const struct nf_ctx *c, const char *target, const struct nf_key *dir, const char *name,
		     struct nf_entry *out)
{
	struct testfs *t = fs;
	int r;

	pthread_mutex_lock(&t->lock);
	r = make(t, c, dir, name, S_IFLNK | 0777, 0, target, out, NULL);
	pthread_mutex_unlock(&t->lock);
	return r;
}

static int t_link(void *fs, const struct nf_ctx *c, const struct nf_key *key, const struct nf_key *newdir,
		  const char *newname, struct nf_entry *out)
{
	struct testfs *t = fs;
	struct tnode *n, *d;
	int r;

	(void)c;
	pthread_mutex_lock(&t->lock);
	n = get(t, key);
	d = get(t, newdir);
	if (!n || !d)
		r = -ESTALE;
	else if (S_ISDIR(n->st.st_mode))
		r = -EPERM;
	else if (find_ent(d, newname))
		r = -EEXIST;
	else if (!(r = add_ent(d, newname, n->id))) {
		n->st.st_nlink++;
		now(&n->st.st_ctim);
		fill_entry(n, out);
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

/* Take @name out of @dir; with the lock held. */
static int remove_ent(struct testfs *t, struct tnode *d, const char *name, bool want_dir)
{
	struct tdirent *e = find_ent(d, name);
	struct tnode *n;

	if (!e)
		return -ENOENT;
	n = t->nodes[e->id];
	if (n->id == CTL_ID)
		return -EPERM;
	if (want_dir && !S_ISDIR(n->st.st_mode))
		return -ENOTDIR;
	if (!want_dir && S_ISDIR(n->st.st_mode))
		return -EISDIR;
	if (want_dir && n->nents)
		return -ENOTEMPTY;
	del_ent(d, e);
	if (S_ISDIR(n->st.st_mode)) {
		d->st.st_nlink--;
		n->st.st_nlink = 0;
	} else {
		n->st.st_nlink--;
	}
	now(&n->st.st_ctim);
	maybe_free(t, n);
	return 0;
}

static int unlink_or_rmdir(struct testfs *t, const struct nf_key *dir, const char *name, bool want_dir)
{
	struct tnode *d;
	int r;

	pthread_mutex_lock(&t->lock);
	d = get(t, dir);
	r = d ? remove_ent(t, d, name, want_dir) : -ESTALE;
	pthread_mutex_unlock(&t->lock);
	return r;
}

static int t_unlink(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name)
{
	(void)c;
	return unlink_or_rmdir(fs, dir, name, false);
}

static int t_rmdir(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name)
{
	(void)c;
	return unlink_or_rmdir(fs, dir, name, true);
}

static int t_rename(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name,
		    const struct nf_key *newdir, const char *newname, unsigned flags)
{
	struct testfs *t = fs;
	struct tnode *d, *nd, *n;
	struct tdirent *e, *target;
	int r = 0;

	(void)c;
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL; /* no RENAME_EXCHANGE here */
	pthread_mutex_lock(&t->lock);
	d = get(t, dir);
	nd = get(t, newdir);
	if (!d || !nd) {
		r = -ESTALE;
		goto out;
	}
	e = find_ent(d, name);
	if (!e) {
		r = -ENOENT;
		goto out;
	}
	n = t->nodes[e->id];
	if (n->id == CTL_ID) {
		r = -EPERM;
		goto out;
	}
	target = find_ent(nd, newname);
	if (target && (flags & RENAME_NOREPLACE)) {
		r = -EEXIST;
		goto out;
	}
	if (target && target->id == n->id)
		goto out;
	if (target) {
		r = remove_ent(t, nd, newname, S_ISDIR(n->st.st_mode));
		if (r)
			goto out;
		e = find_ent(d, name); /* removing may have moved it */
	}
	r = add_ent(nd, newname, n->id);
	if (r)
		goto out;
	e = find_ent(d, name);
	del_ent(d, e);
	if (S_ISDIR(n->st.st_mode) && d != nd) {
		d->st.st_nlink--;
		nd->st.st_nlink++;
	}
	now(&n->st.st_ctim);
out:
	pthread_mutex_unlock(&t->lock);
	return r;
}

static int t_lock_handle(void *fs, const struct nf_key *key, void *buf, size_t len)
{
	static const char tag[] = "netfuse-testfs";
	unsigned char *p = buf;

	(void)fs;
	if (len < sizeof(tag) - 1 + sizeof(*key))
		return -ENOBUFS;
	memcpy(p, tag, sizeof(tag) - 1);
	memcpy(p + sizeof(tag) - 1, &key->hi, sizeof(key->hi));
	memcpy(p + sizeof(tag) - 1 + sizeof(key->hi), &key->lo, sizeof(key->lo));
	return (int)(sizeof(tag) - 1 + sizeof(*key));
}

static int t_statfs(void *fs, const struct nf_ctx *c, const struct nf_key *key, struct statvfs *out)
{
	struct testfs *t = fs;
	uint64_t used, files = 0;

	(void)c, (void)key;
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->nnodes; i++)
		files += t->nodes[i] != NULL;
	used = t->budget.used;
	pthread_mutex_unlock(&t->lock);
	out->f_bsize = out->f_frsize = TDATA_BLOCK;
	out->f_blocks = TESTFS_BYTES / TDATA_BLOCK;
	out->f_bfree = out->f_bavail = out->f_blocks - used / TDATA_BLOCK;
	out->f_files = 1 << 20;
	out->f_ffree = out->f_favail = out->f_files - files;
	out->f_namemax = topts.name_max ? topts.name_max : NAME_MAX;
	return 0;
}

/* ---- the control file ---------------------------------------------------- */

static int type_by_name(const char *s, enum health_type *out)
{
	for (int i = 0; i < HEALTH_TYPE_NR; i++)
		if (!strcmp(health_type_name((enum health_type)i), s)) {
			*out = (enum health_type)i;
			return 0;
		}
	return -EINVAL;
}

static int domain_by_name(const char *s, enum health_domain *out)
{
	for (int i = 0; i < HEALTH_DOMAIN_NR; i++)
		if (!strcmp(health_domain_name((enum health_domain)i), s)) {
			*out = (enum health_domain)i;
			return 0;
		}
	return -EINVAL;
}

/* The node at @path ("a/b", from the root); with the lock held. */
static struct tnode *walk(struct testfs *t, const char *path)
{
	struct tnode *n = t->nodes[1];
	char buf[1024], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = strtok_r(buf, "/", &save); p && n; p = strtok_r(NULL, "/", &save)) {
		struct tdirent *e = S_ISDIR(n->st.st_mode) ? find_ent(n, p) : NULL;
		n = e ? t->nodes[e->id] : NULL;
	}
	return n;
}

struct inval_job {
	struct testfs *t;
	struct nf_key key;
};

/* Invalidations go out from a thread of their own: the kernel may hold
 * locks of the writer of .testctl while it waits for this reply. */
static void *inval_thread(void *arg)
{
	struct inval_job *j = arg;

	nf_notify_inval_inode(j->t->mount, &j->key, 0, 0);
	free(j);
	return NULL;
}

static int control(struct testfs *t, const char *cmd, size_t len)
{
	char line[512], a[64] = "", b[64] = "", name[HEALTH_NAME_MAX] = "", data[256] = "";
	unsigned long long count = 1;
	int n;

	if (len >= sizeof(line))
		return -EINVAL;
	memcpy(line, cmd, len);
	line[len] = '\0';
	if (sscanf(line, "emit %63s %63s %llu %63s", a, b, &count, name) >= 1) {
		struct health_event ev = {.domain = HEALTH_DOMAIN_MOUNT, .count = count};
		if (type_by_name(a, &ev.type) || (b[0] && domain_by_name(b, &ev.domain)))
			return -EINVAL;
		snprintf(ev.reason, sizeof(ev.reason), "requested through .testctl");
		switch (ev.domain) {
		case HEALTH_DOMAIN_MOUNT:
			snprintf(ev.source, sizeof(ev.source), "%s", nf_mount_source(t->mount));
			break;
		case HEALTH_DOMAIN_SESSION:
			snprintf(ev.server, sizeof(ev.server), "%s", name[0] ? name : "testserver");
			snprintf(ev.addr, sizeof(ev.addr), "127.0.0.1:1");
			break;
		case HEALTH_DOMAIN_VOLUME:
			snprintf(ev.volume, sizeof(ev.volume), "%s", name[0] ? name : "testvol");
			break;
		default:
			snprintf(ev.path, sizeof(ev.path), "%s", name[0] ? name : "file");
			ev.ino = 42;
			ev.length = ev.domain == HEALTH_DOMAIN_RANGE ? 4096 : 0;
			break;
		}
		n = health_emit(nf_mount_health(t->mount), &ev);
		return n < 0 && n != -EAGAIN ? n : 0;
	}
	if (sscanf(line, "burst %llu", &count) == 1) {
		for (unsigned long long i = 0; i < count; i++) {
			/* Alternating types never merge. */
			struct health_event ev = {.domain = HEALTH_DOMAIN_SESSION,
						  .type = i % 2 ? HEALTH_SESSION_LOST : HEALTH_SESSION_ESTABLISHED};
			snprintf(ev.server, sizeof(ev.server), "burst");
			snprintf(ev.reason, sizeof(ev.reason), "burst event %llu", i);
			health_emit(nf_mount_health(t->mount), &ev);
		}
		return 0;
	}
	/* Changes the contents only: same mtime, so the kernel cannot notice. */
	if (sscanf(line, "poke %63s %255[^\n]", a, data) == 2) {
		struct tnode *f;
		int r = -ENOENT;
		pthread_mutex_lock(&t->lock);
		f = walk(t, a);
		if (f && S_ISREG(f->st.st_mode) && !(r = resize(t, f, 0)))
			r = store(t, f, data, strlen(data), 0);
		pthread_mutex_unlock(&t->lock);
		return r;
	}
	if (sscanf(line, "inval %63s", a) == 1) {
		struct inval_job *j = malloc(sizeof(*j));
		struct tnode *f;
		pthread_t tid;
		if (!j)
			return -ENOMEM;
		pthread_mutex_lock(&t->lock);
		f = walk(t, a);
		if (f)
			j->key = (struct nf_key){0, f->id};
		pthread_mutex_unlock(&t->lock);
		j->t = t;
		if (!f || pthread_create(&tid, NULL, inval_thread, j)) {
			free(j);
			return f ? -EAGAIN : -ENOENT;
		}
		pthread_detach(tid);
		return 0;
	}
	return -EINVAL;
}

/* ---- start and stop ------------------------------------------------------- */

/* Defined below, with the operations. */
static const struct nf_backend_ops testfs_ops, testfs_ro_ops;
static struct nf_backend_ops testfs_no_mknod_ops;
static struct nf_frontend testfs;

static int t_start(struct nf_mount *m, const char *source, void **fs, struct nf_key *root, char *err, size_t errlen)
{
	struct testfs *t;
	struct nf_entry e;

	(void)source;
	if (topts.start_delay > 0) {
		struct timespec d = {(time_t)topts.start_delay,
				     (long)((topts.start_delay - (double)(time_t)topts.start_delay) * 1e9)};
		nanosleep(&d, NULL);
	}
	if (topts.fail_start) {
		snprintf(err, errlen, "cannot reach the test servers (testfs_fail_start)");
		return -EHOSTUNREACH;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&t->lock, NULL);
	t->mount = m;
	t->budget.limit = TESTFS_BYTES;
	/* Id 0 is unused, 1 the root, 2 the control file. */
	if (!node_new(t, 0) || !node_new(t, S_IFDIR | 0755) ||
	    make(t, NULL, &(struct nf_key){0, 1}, ".testctl", S_IFREG | 0600, 0, NULL, &e, NULL)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*fs = t;
	*root = (struct nf_key){0, 1};
	if (topts.readonly)
		testfs.ops = &testfs_ro_ops;
	else if (topts.no_mknod) {
		testfs_no_mknod_ops = testfs_ops;
		testfs_no_mknod_ops.mknod = NULL;
		testfs.ops = &testfs_no_mknod_ops;
	}
	if (topts.views)
		testfs.views = testfs_views;
	testfs.name_max = topts.name_max;
	return 0;
}

static void t_stop(void *fs)
{
	struct testfs *t = fs;

	if (!t)
		return;
	for (size_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i])
			node_free(t, t->nodes[i]);
	free(t->nodes);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static const struct nf_backend_ops testfs_ops = {
    .lookup = t_lookup,
    .forget = t_forget,
    .getattr = t_getattr,
    .setattr = t_setattr,
    .readlink = t_readlink,
    .readdir = t_readdir,
    .open = t_open,
    .read = t_read,
    .write = t_write,
    .release = t_release,
    .fsync = t_fsync,
    .create = t_create,
    .mkdir = t_mkdir,
    .mknod = t_mknod,
    .unlink = t_unlink,
    .rmdir = t_rmdir,
    .rename = t_rename,
    .link = t_link,
    .symlink = t_symlink,
    .statfs = t_statfs,
    .lock_handle = t_lock_handle,
};

/* The same file system with only the operations a read-only backend has. */
static const struct nf_backend_ops testfs_ro_ops = {
	.lookup = t_lookup,
	.forget = t_forget,
	.getattr = t_getattr,
	.readlink = t_readlink,
	.readdir = t_readdir,
	.read = t_read, /* no open, no release: no per-open state */
	.statfs = t_statfs,
};

static struct nf_frontend testfs = {
    .prog = "netfuse-testfs",
    .source_syntax = "NAME",
    .summary = "An in-memory file system on the netfuse FUSE core, for its tests (not installed).",
    .specs = testfs_specs,
    .opts = &topts,
    .start = t_start,
    .stop = t_stop,
    .ops = &testfs_ops,
};

int main(int argc, char **argv)
{
	/* The choice is an option, so it is known only once nf_main parsed
	 * them: the table is picked in start, which runs before the mount. */
	return nf_main(&testfs, argc, argv);
}
