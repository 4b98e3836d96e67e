/*
 * fuse/fs_ops.c: the FUSE low-level operations of a netfuse mount.
 *
 * Each request names nodes by FUSE inode number, and node_get() says who
 * serves one: the backend (a number from the inode table, translated to the
 * backend's key) or the core's synthetic tree (a reserved number: .health
 * and the front-end's views, synthetic.c). Both are a struct nf_backend_ops,
 * so a handler calls the node's owner the same way whoever it is, and knows
 * no synthetic file by name. Names are routed too: the synthetic names at
 * the root are looked up in the synthetic tree (and hide the backend's
 * entries of those names), and the operations that make, remove or rename a
 * name refuse synthetic names with one shared check before the backend sees
 * them (change_dir_get).
 *
 * The core keeps the kernel's lookup counts of the backend's nodes exact:
 * every reply that gives the kernel an entry adds one, and a reply the
 * kernel never received (the request was interrupted) takes it back.
 * Synthetic nodes are never counted: they last as long as the mount.
 *
 * Some answers are per connection in the kernel: ENOSYS from open, opendir,
 * poll, getlk, setlk or flush switches that operation off for the whole
 * mount, .health included. So the core never sends ENOSYS for open, opendir
 * or poll (a backend without them gets a plain open, or the default poll
 * mask; a backend's own -ENOSYS becomes EOPNOTSUPP), and the synthetic tree
 * never answers ENOSYS at all.
 *
 * Locks end with their file: the kernel sends no unlock on close. POSIX
 * locks are dropped by FLUSH (with the lock owner), flock locks by RELEASE
 * (with flock_release set); when the backend has no flush, the core unlocks
 * the owner's whole range through its setlk.
 */
#include "config.h"

#include "mount_state.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <stdlib.h>
#include <string.h>

#include "fuse/interrupt.h"
#include "fuse/locks.h"
#include "fuse/log.h"

static struct nf_mount *mount_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* Who is asking: the one place a request's nf_ctx is made (its cancel
 * token is armed around each call into the backend, see CALL). */
static struct nf_ctx ctx_of(fuse_req_t req)
{
	const struct fuse_ctx *fc = fuse_req_ctx(req);

	return (struct nf_ctx){.uid = fc->uid, .gid = fc->gid, .pid = fc->pid, .umask = fc->umask, .req = req};
}

int nf_ctx_groups(const struct nf_ctx *c, gid_t *list, int size)
{
	if (!c->req)
		return -ENOSYS;
	return fuse_req_getgroups(c->req, size, list);
}

/* The longest name the backend takes. */
static size_t name_max(const struct nf_mount *m)
{
	return m->fe->name_max ? m->fe->name_max : NAME_MAX;
}

/* What an operation that would change the file system answers when the
 * backend does not implement it: the file system is read-only to it. */
#define MISSING_CHANGE EROFS

/* Answer a backend's 0 or -errno; anything else is a bug, reported as EIO. */
static void reply_err(fuse_req_t req, int r)
{
	fuse_reply_err(req, r == 0 ? 0 : r < 0 && r > -4096 ? -r : EIO);
}

static double timeout_or(double t, double dflt)
{
	return t < 0 ? dflt : t;
}

/* ---- nodes and who serves them ------------------------------------------ */

/* A node a request names, and its owner's operations. */
struct node {
	const struct nf_backend_ops *ops;
	void *fs;
	struct nf_key key;
	fuse_ino_t ino;
	/* The backend's: held in the inode table until node_put, so a FORGET
	 * racing the request cannot drop it, and the entries found through it
	 * are counted lookups. */
	bool counted;
	double attr_timeout; /* < 0: the mount's attr_timeout */
};

static struct node synthetic_node(struct nf_mount *m, fuse_ino_t ino)
{
	/* Attributes not cached: sizes and times change with what the files show. */
	return (struct node){.ops = &synthetic_ops, .fs = m, .key = {0, ino}, .ino = ino, .attr_timeout = 0};
}

/* The node @ino, or -ESTALE for a number the table does not know (a
 * forgotten inode, or the kernel confused). */
static int node_get(struct nf_mount *m, fuse_ino_t ino, struct node *n)
{
	struct inode_ref ref;
	int r;

	if (synthetic_owns(ino)) {
		*n = synthetic_node(m, ino);
		return 0;
	}
	r = inode_table_get(m->inodes, ino, &ref);
	if (r)
		return r;
	*n = (struct node){.ops = m->ops, .fs = m->fs, .key = ref.key, .ino = ino, .counted = true, .attr_timeout = -1};
	return 0;
}

static void node_put(struct nf_mount *m, const struct node *n)
{
	if (n->counted)
		inode_table_put(m->inodes, n->ino);
}

/* The directory to look @name up in: the synthetic tree's own view of the
 * root for the synthetic names there. */
static int lookup_dir_get(struct nf_mount *m, fuse_ino_t parent, const char *name, struct node *dir)
{
	if (strlen(name) > name_max(m))
		return -ENAMETOOLONG;
	if (synthetic_shadows(m, parent, name)) {
		*dir = synthetic_node(m, parent);
		return 0;
	}
	return node_get(m, parent, dir);
}

/* The directory in which an operation makes, removes or renames @name, or
 * false once the refusal is answered: a name over the backend's limit
 * answers ENAMETOOLONG, a synthetic name -@taken, a new name in a synthetic
 * directory EPERM. */
static bool change_dir_get(fuse_req_t req, struct nf_mount *m, fuse_ino_t parent, const char *name, int taken,
			   struct node *dir)
{
	int r = strlen(name) > name_max(m) ? -ENAMETOOLONG : synthetic_name_refusal(m, parent, name, taken);

	if (!r)
		r = node_get(m, parent, dir);
	if (r)
		reply_err(req, r);
	return !r;
}

/* Every handler that names an inode starts with this: its node as @n, or the
 * error answered. node_put(m, &n) ends it. */
#define WITH_NODE(req, m, ino, n)                                                                                      \
	struct node n;                                                                                                 \
	do {                                                                                                           \
		int wn_r = node_get((m), (ino), &n);                                                                   \
		if (wn_r) {                                                                                            \
			reply_err((req), wn_r);                                                                        \
			return;                                                                                        \
		}                                                                                                      \
	} while (0)

/*
 * Call the operation @op of @n's owner for @req, or -@missing when it has
 * none. A call into the backend runs with the request's cancel token armed
 * in @c (interrupt.h): a FUSE interrupt or the session's end makes its
 * wait give up at once. The synthetic tree never waits: no token.
 */
#define CALL(req, n, op, missing, c, ...)                                                                              \
	({                                                                                                             \
		ssize_t call_r = -(missing);                                                                           \
		if ((n).ops->op && (n).ops == &synthetic_ops) {                                                        \
			call_r = (n).ops->op((n).fs, (c), __VA_ARGS__);                                                \
		} else if ((n).ops->op) {                                                                              \
			struct op_cancel call_oc;                                                                      \
			op_cancel_arm(&call_oc, mount_of(req), (req), (c));                                            \
			call_r = (n).ops->op((n).fs, (c), __VA_ARGS__);                                                \
			op_cancel_disarm(&call_oc, (c));                                                               \
		}                                                                                                      \
		call_r;                                                                                                \
	})

/* A call to the lock server with the request's cancel token armed. */
#define LOCKS_CALL(req, c, expr)                                                                                       \
	({                                                                                                             \
		struct op_cancel lc_oc;                                                                                \
		op_cancel_arm(&lc_oc, mount_of(req), (req), (c));                                                      \
		int lc_r = (expr);                                                                                     \
		op_cancel_disarm(&lc_oc, (c));                                                                         \
		lc_r;                                                                                                  \
	})

/* ---- replies ------------------------------------------------------------ */

/* What the kernel is told of @e. A backend's entry (@counted) adds one
 * lookup of its key; a synthetic entry is its reserved number, uncounted. */
static int entry_param(struct nf_mount *m, bool counted, const struct nf_entry *e, struct fuse_entry_param *p)
{
	struct inode_ref ref = {.ino = e->key.lo};
	int r = counted ? inode_table_lookup(m->inodes, &e->key, &ref) : 0;

	if (r)
		return r;
	p->ino = ref.ino;
	p->generation = ref.gen;
	p->attr = e->attr;
	p->attr.st_ino = e->attr.st_ino ? e->attr.st_ino : ref.ino;
	p->attr_timeout = timeout_or(e->attr_timeout, m->opts.attr_timeout);
	p->entry_timeout = timeout_or(e->entry_timeout, m->opts.entry_timeout);
	return 0;
}

/* The reply that handed @ino out never reached the kernel: take it back. */
static void entry_unsent(struct nf_mount *m, bool counted, uint64_t ino)
{
	if (counted)
		inode_table_forget(m->inodes, ino, 1);
}

/* Answer an operation that found or made @e in @dir (@r its 0 or -errno),
 * and let @dir go. */
static void reply_entry(fuse_req_t req, struct nf_mount *m, struct node *dir, int r, const struct nf_entry *e)
{
	struct fuse_entry_param p = {0};

	if (!r)
		r = entry_param(m, dir->counted, e, &p);
	if (r)
		reply_err(req, r);
	else if (fuse_reply_entry(req, &p))
		entry_unsent(m, dir->counted, p.ino);
	node_put(m, dir);
}

/* An open file as the core knows it: the kernel's fi->fh points here, so
 * that each open has a handle of its own (the lock path tells open files
 * apart by it, and a front-end may give every open the same handle), and
 * the front-end's handle is kept inside. Directories keep the front-end's. */
struct open_file {
	uint64_t fh;
	/* whose it is, to release it if the kernel never does */
	const struct nf_backend_ops *ops;
	void *fs;
	struct nf_key key;
	int flags;
	struct open_file *prev, *next; /* the mount's opens */
};

static uint64_t fe_fh(const struct fuse_file_info *fi)
{
	return ((const struct open_file *)(uintptr_t)fi->fh)->fh;
}

/* 0, or -ENOMEM (the front-end's open is then to be released). */
static int set_open(struct nf_mount *m, const struct node *owner, const struct nf_key *key,
		    struct fuse_file_info *fi, const struct nf_open *o)
{
	struct open_file *f = malloc(sizeof(*f));

	fi->fh = 0;
	if (!f)
		return -ENOMEM;
	f->fh = o->fh;
	f->ops = owner->ops;
	f->fs = owner->fs;
	f->key = *key;
	f->flags = fi->flags;
	f->prev = NULL;
	pthread_mutex_lock(&m->opens_lock);
	f->next = m->opens;
	if (f->next)
		f->next->prev = f;
	m->opens = f;
	pthread_mutex_unlock(&m->opens_lock);
	fi->fh = (uintptr_t)f;
	fi->direct_io = o->direct_io;
	fi->keep_cache = o->keep_cache;
	fi->nonseekable = o->nonseekable;
	return 0;
}

/* The open's handle goes (fi->fh 0 after). */
static void open_free(struct nf_mount *m, struct fuse_file_info *fi)
{
	struct open_file *f = (struct open_file *)(uintptr_t)fi->fh;

	if (!f)
		return;
	pthread_mutex_lock(&m->opens_lock);
	if (f->prev)
		f->prev->next = f->next;
	else
		m->opens = f->next;
	if (f->next)
		f->next->prev = f->prev;
	pthread_mutex_unlock(&m->opens_lock);
	free(f);
	fi->fh = 0;
}

void fs_ops_release_opens(struct nf_mount *m)
{
	pthread_mutex_lock(&m->opens_lock);
	while (m->opens) {
		struct open_file *f = m->opens;
		m->opens = f->next;
		pthread_mutex_unlock(&m->opens_lock);
		if (f->ops->release) /* as the kernel's RELEASE would have */
			f->ops->release(f->fs, &f->key, f->fh, f->flags);
		free(f);
		pthread_mutex_lock(&m->opens_lock);
	}
	pthread_mutex_unlock(&m->opens_lock);
}

void fs_ops_drop_opens(struct nf_mount *m)
{
	pthread_mutex_lock(&m->opens_lock);
	while (m->opens) {
		struct open_file *f = m->opens;
		m->opens = f->next;
		free(f);
	}
	pthread_mutex_unlock(&m->opens_lock);
}

/* The reply that opened @key never reached the kernel, or the core could not
 * keep it (@o: the front-end's open): close it again. */
static void open_unsent(struct nf_mount *m, const struct node *owner, const struct nf_key *key,
			struct fuse_file_info *fi, const struct nf_open *o)
{
	if (owner->ops->release)
		owner->ops->release(owner->fs, key, o->fh, fi->flags);
	open_free(m, fi);
}

static void reply_create(fuse_req_t req, struct nf_mount *m, const struct node *dir, const struct nf_entry *e,
			 const struct nf_open *o, struct fuse_file_info *fi)
{
	struct fuse_entry_param p = {0};
	int r = entry_param(m, dir->counted, e, &p);

	if (!r && (r = set_open(m, dir, &e->key, fi, o)))
		entry_unsent(m, dir->counted, p.ino);
	if (r) {
		open_unsent(m, dir, &e->key, fi, o);
		reply_err(req, r);
	} else if (fuse_reply_create(req, &p, fi)) {
		open_unsent(m, dir, &e->key, fi, o);
		entry_unsent(m, dir->counted, p.ino);
	}
}

/* Answer an operation that returns @n's attributes (@r its 0 or -errno). */
static void reply_attr(fuse_req_t req, struct nf_mount *m, const struct node *n, int r, struct stat *st)
{
	if (r) {
		reply_err(req, r);
		return;
	}
	if (!st->st_ino)
		st->st_ino = n->ino; /* the backend has no stable number of its own */
	fuse_reply_attr(req, st, timeout_or(n->attr_timeout, m->opts.attr_timeout));
}

/* ---- session ------------------------------------------------------------ */

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct nf_mount *m = userdata;

	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO;
	if ((m->locks || (m->ops->getlk && m->ops->setlk)) && (conn->capable & FUSE_CAP_POSIX_LOCKS))
		conn->want |= FUSE_CAP_POSIX_LOCKS;
	else
		conn->want &= ~FUSE_CAP_POSIX_LOCKS;
	if ((m->locks || m->ops->flock) && (conn->capable & FUSE_CAP_FLOCK_LOCKS))
		conn->want |= FUSE_CAP_FLOCK_LOCKS;
	else
		conn->want &= ~FUSE_CAP_FLOCK_LOCKS;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	/* libfuse asks for these by default; both would move work to backends
	 * that do not do it: truncation inside OPEN (a read-only backend would
	 * see write opens succeed), and clearing setuid/setgid on writes. */
	conn->want &= ~(FUSE_CAP_ATOMIC_O_TRUNC | FUSE_CAP_HANDLE_KILLPRIV);
	if (m->opts.rsize)
		conn->max_read = m->opts.rsize;
	if (m->opts.wsize && m->opts.wsize < conn->max_write)
		conn->max_write = m->opts.wsize;
}

/* ---- names and attributes ----------------------------------------------- */

/* The session's readiness check (session.c) looks up .health: any LOOKUP
 * that reaches this session proves the new mount answers. */
static void mark_answered(struct nf_mount *m)
{
	if (__atomic_load_n(&m->root_answered, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&m->answered_lock);
	__atomic_store_n(&m->root_answered, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&m->answered_cond);
	pthread_mutex_unlock(&m->answered_lock);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_entry e;
	struct node dir;
	int r;

	mark_answered(m); /* before the reply wakes the readiness check */
	r = lookup_dir_get(m, parent, name, &dir);
	if (r) {
		reply_err(req, r);
		return;
	}
	nf_entry_init(&e);
	r = CALL(req, dir, lookup, ENOSYS, &c, &dir.key, name, &e);
	if (r == -ENOENT && m->opts.negative_timeout > 0) {
		/* A negative entry the kernel may cache. */
		struct fuse_entry_param p = {.ino = 0, .entry_timeout = m->opts.negative_timeout};
		fuse_reply_entry(req, &p);
		node_put(m, &dir);
		return;
	}
	reply_entry(req, m, &dir, r, &e);
}

/* Synthetic nodes are never counted, so there is nothing to forget. */
static void forget_one(struct nf_mount *m, fuse_ino_t ino, uint64_t nlookup)
{
	if (!synthetic_owns(ino))
		inode_table_forget(m->inodes, ino, nlookup);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	forget_one(mount_of(req), ino, nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		forget_one(mount_of(req), forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

/* getattr, and setattr with @set: both answer the attributes. */
static void attr_op(fuse_req_t req, fuse_ino_t ino, const struct stat *in, int to_set, struct fuse_file_info *fi,
		    bool set)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct stat st;
	int r;

	WITH_NODE(req, m, ino, n);
	memset(&st, 0, sizeof(st));
	if (set)
		r = CALL(req, n, setattr, MISSING_CHANGE, &c, &n.key, in, to_set, fi != NULL, fi ? fe_fh(fi) : 0, &st);
	else
		r = CALL(req, n, getattr, ENOSYS, &c, &n.key, fi != NULL, fi ? fe_fh(fi) : 0, &st);
	reply_attr(req, m, &n, r, &st);
	node_put(m, &n);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	attr_op(req, ino, NULL, 0, fi, false);
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
	attr_op(req, ino, attr, to_set, fi, true);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	char buf[PATH_MAX + 1];
	int r;

	WITH_NODE(req, m, ino, n);
	buf[0] = '\0';
	r = CALL(req, n, readlink, ENOSYS, &c, &n.key, buf, sizeof(buf));
	buf[sizeof(buf) - 1] = '\0';
	if (r)
		reply_err(req, r);
	else
		fuse_reply_readlink(req, buf);
	node_put(m, &n);
}

/* ---- directories -------------------------------------------------------- */

struct nf_dir {
	fuse_req_t req;
	struct nf_mount *m;
	uint64_t dir_ino;
	bool plus, full, eof, nomem;
	bool counted; /* the backend's entries: counted, and hidden by synthetic names */
	char *buf;
	size_t size, len;
	/* Lookups handed out in this reply, taken back if it fails. */
	uint64_t *counted_inos;
	size_t ncounted, counted_cap;
};

static bool dot_or_dotdot(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

static bool dir_add_counted(struct nf_dir *d, uint64_t ino)
{
	if (d->ncounted == d->counted_cap) {
		size_t cap = d->counted_cap ? d->counted_cap * 2 : 32;
		uint64_t *n = realloc(d->counted_inos, cap * sizeof(*n));
		if (!n)
			return false;
		d->counted_inos = n;
		d->counted_cap = cap;
	}
	d->counted_inos[d->ncounted++] = ino;
	return true;
}

/* d_ino of an entry without a number of its own: the number the kernel
 * knows it by, or a stable stand-in. */
static uint64_t dirent_ino(const struct nf_dir *d, const char *name, const struct nf_key *key)
{
	uint64_t known = !strcmp(name, ".") ? d->dir_ino : d->counted ? inode_table_find(d->m->inodes, key) : key->lo;

	return known ? known : ((key->lo ^ (key->hi << 32)) | (1ULL << 63));
}

bool nf_dir_plus(const struct nf_dir *d)
{
	return d->plus;
}

bool nf_dir_add(struct nf_dir *d, const char *name, const struct nf_entry *e, off_t next)
{
	struct fuse_entry_param p = {.attr = e->attr};
	size_t need;

	if (d->full)
		return false;
	if (d->counted && synthetic_shadows(d->m, d->dir_ino, name))
		return true; /* the core's own name hides the backend's */
	if (d->counted && (next <= 0 || next > NF_DIR_OFF_MAX)) {
		nf_log(LOG_ERR, "backend readdir offset %lld out of range for '%s'", (long long)next, name);
		next = NF_DIR_OFF_MAX;
	}
	need = d->plus ? fuse_add_direntry_plus(d->req, NULL, 0, name, &p, next)
		       : fuse_add_direntry(d->req, NULL, 0, name, &p.attr, next);
	if (need > d->size - d->len) {
		d->full = true;
		return false;
	}
	if (d->plus && !dot_or_dotdot(name) && (e->key.hi || e->key.lo)) {
		/* An entry the kernel will hold (not "." and "..": it does not
		 * count lookups of those). */
		if (entry_param(d->m, d->counted, e, &p))
			goto nomem;
		if (d->counted && !dir_add_counted(d, p.ino)) {
			entry_unsent(d->m, true, p.ino);
			goto nomem;
		}
	} else if (!p.attr.st_ino) {
		p.attr.st_ino = dirent_ino(d, name, &e->key);
	}
	if (d->plus)
		fuse_add_direntry_plus(d->req, d->buf + d->len, need, name, &p, next);
	else
		fuse_add_direntry(d->req, d->buf + d->len, need, name, &p.attr, next);
	d->len += need;
	return true;
nomem:
	d->nomem = true; /* end this reply here; the next one retries */
	d->full = true;
	return false;
}

void nf_dir_eof(struct nf_dir *d)
{
	d->eof = true;
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	uint64_t fh = 0;
	int r = 0;

	WITH_NODE(req, m, ino, n);
	r = CALL(req, n, opendir, 0, &c, &n.key, &fh); /* none: fh 0 */
	if (r == -ENOSYS)
		r = -EOPNOTSUPP; /* ENOSYS would switch opendir off for the mount */
	fi->fh = fh;
	if (r)
		reply_err(req, r);
	else if (fuse_reply_open(req, fi) && n.ops->releasedir)
		n.ops->releasedir(n.fs, &n.key, fh);
	node_put(m, &n);
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi, bool plus)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_dir d = {.req = req, .m = m, .dir_ino = ino, .plus = plus, .size = size};
	bool root = ino == FUSE_ROOT_ID;
	int r = 0;

	WITH_NODE(req, m, ino, n);
	d.counted = n.counted;
	d.buf = malloc(size ? size : 1);
	if (!d.buf) {
		node_put(m, &n);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* The root's synthetic names follow the backend's last entry, in the
	 * same reply when they fit, at offsets of their own. */
	if (!root || off < SYNTHETIC_DIR_OFF)
		r = CALL(req, n, readdir, ENOSYS, &c, &n.key, fi->fh, off, &d);
	else
		d.eof = true;
	if (!r && root && d.eof && !d.full) {
		const struct nf_key root_key = {0, FUSE_ROOT_ID};
		d.counted = false;
		r = synthetic_ops.readdir(m, &c, &root_key, 0, off, &d);
	}
	if (!r && d.nomem && !d.len)
		r = -ENOMEM; /* an empty reply would read as the end of the directory */
	if (r && !d.len)
		reply_err(req, r);
	else if (fuse_reply_buf(req, d.buf, d.len))
		for (size_t i = 0; i < d.ncounted; i++)
			inode_table_forget(m->inodes, d.counted_inos[i], 1);
	free(d.counted_inos);
	free(d.buf);
	node_put(m, &n);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, false);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, true);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct node n;

	if (!node_get(m, ino, &n)) {
		if (n.ops->releasedir)
			n.ops->releasedir(n.fs, &n.key, fi->fh);
		node_put(m, &n);
	}
	fuse_reply_err(req, 0);
}

/* ---- files -------------------------------------------------------------- */

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_open o = {0};
	int r = 0;

	WITH_NODE(req, m, ino, n);
	if (n.ops->open)
		r = CALL(req, n, open, 0, &c, &n.key, fi->flags, &o);
	else if ((fi->flags & O_ACCMODE) != O_RDONLY && !n.ops->write)
		r = -MISSING_CHANGE; /* without open: a plain open (ENOSYS switches OPEN off for .health too) */
	if (r == -ENOSYS)
		r = -EOPNOTSUPP;
	if (!r && (r = set_open(m, &n, &n.key, fi, &o)))
		open_unsent(m, &n, &n.key, fi, &o);
	if (r)
		reply_err(req, r);
	else if (fuse_reply_open(req, fi))
		open_unsent(m, &n, &n.key, fi, &o);
	node_put(m, &n);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	ssize_t r;
	char *buf;

	WITH_NODE(req, m, ino, n);
	buf = malloc(size ? size : 1);
	if (locks_file_lost(m, ino, fi->fh))
		r = -EIO; /* its lock was lost: nothing goes on as if held */
	else
		r = buf ? CALL(req, n, read, ENOSYS, &c, &n.key, fe_fh(fi), buf, size, off) : -ENOMEM;
	if (r < 0)
		reply_err(req, (int)r);
	else
		fuse_reply_buf(req, buf, (size_t)r > size ? size : (size_t)r);
	free(buf);
	node_put(m, &n);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	ssize_t r;

	WITH_NODE(req, m, ino, n);
	if (locks_file_lost(m, ino, fi->fh))
		r = -EIO; /* its lock was lost: nothing goes on as if held */
	else
		r = CALL(req, n, write, MISSING_CHANGE, &c, &n.key, fe_fh(fi), buf, size, off);
	if (r < 0)
		reply_err(req, (int)r);
	else
		fuse_reply_write(req, (size_t)r > size ? size : (size_t)r);
	node_put(m, &n);
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	int r = 0;

	WITH_NODE(req, m, ino, n);
	if (n.ops->flush)
		r = CALL(req, n, flush, 0, &c, &n.key, fe_fh(fi), fi->lock_owner);
	if (m->locks) {
		/* The close of a descriptor ends its owner's POSIX locks. */
		struct lock_obj ob;
		int lr = locks_obj(m, n.ops, n.fs, &n.key, n.ops == &synthetic_ops, &ob);
		/* Not cancelled by an interrupt of the close: a lock left at
		 * the server would outlive the process. */
		if (!lr)
			lr = locks_release_owner(m, &c, &ob, fi->lock_owner);
		if (!r)
			r = lr;
	} else if (n.ops->flush) {
		/* The backend dropped the owner's locks. */
	} else if (n.ops->setlk) {
		/* The close of a descriptor ends its owner's POSIX locks. */
		struct flock unlock = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
		r = CALL(req, n, setlk, 0, &c, &n.key, fe_fh(fi), fi->lock_owner, &unlock, false);
	}
	/* Else nothing to do; ENOSYS would switch flush off for the whole
	 * mount (and with it the unlock of POSIX locks on close). */
	reply_err(req, r);
	node_put(m, &n);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct node n;

	if (!node_get(m, ino, &n)) {
		struct lock_obj ob;
		if (fi->flock_release && m->locks && !locks_obj(m, n.ops, n.fs, &n.key, n.ops == &synthetic_ops, &ob)) {
			/* The last close of an open file ends its flock lock. */
			struct nf_ctx c = ctx_of(req);
			locks_release_owner(m, &c, &ob, fi->lock_owner);
		} else if (fi->flock_release && n.ops->flock) {
			/* The last close of an open file ends its flock lock. */
			struct nf_ctx c = ctx_of(req);
			CALL(req, n, flock, 0, &c, &n.key, fe_fh(fi), fi->lock_owner, LOCK_UN);
		}
		if (n.ops->release)
			n.ops->release(n.fs, &n.key, fe_fh(fi), fi->flags);
		node_put(m, &n);
	}
	locks_file_closed(m, ino, fi->fh);
	open_free(m, fi);
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);

	WITH_NODE(req, m, ino, n);
	if (locks_file_lost(m, ino, fi->fh))
		reply_err(req, -EIO);
	else
		reply_err(req, CALL(req, n, fsync, ENOSYS, &c, &n.key, fe_fh(fi), datasync != 0));
	node_put(m, &n);
}

/* ---- changing the namespace ------------------------------------------------ */

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_entry e;
	struct nf_open o = {0};
	struct node dir;
	int r;

	if (!change_dir_get(req, m, parent, name, EEXIST, &dir))
		return;
	nf_entry_init(&e);
	r = CALL(req, dir, create, MISSING_CHANGE, &c, &dir.key, name, mode, fi->flags, &e, &o);
	if (r)
		reply_err(req, r);
	else
		reply_create(req, m, &dir, &e, &o, fi);
	node_put(m, &dir);
}

/* mkdir, or with @target symlink: @name in @parent. */
static void make_name(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, const char *target)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_entry e;
	struct node dir;
	int r;

	if (!change_dir_get(req, m, parent, name, EEXIST, &dir))
		return;
	nf_entry_init(&e);
	r = target ? CALL(req, dir, symlink, MISSING_CHANGE, &c, target, &dir.key, name, &e)
		   : CALL(req, dir, mkdir, MISSING_CHANGE, &c, &dir.key, name, mode, &e);
	reply_entry(req, m, &dir, r, &e);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	make_name(req, parent, name, mode, NULL);
}

/* mknod without the backend's mknod: a regular file is an exclusive
 * create, closed at once (the kernel sends MKNOD for regular files too,
 * from mknod(2) itself); other types are not kept. */
static int mknod_by_create(fuse_req_t req, const struct node *dir, struct nf_ctx *c, const char *name, mode_t mode,
			   struct nf_entry *e)
{
	struct nf_open o = {0};
	int flags = O_CREAT | O_EXCL | O_WRONLY, r;

	if (!dir->ops->create)
		return -MISSING_CHANGE;
	if (!S_ISREG(mode))
		return -EPERM;
	r = CALL(req, *dir, create, MISSING_CHANGE, c, &dir->key, name, mode, flags, e, &o);
	if (!r && dir->ops->release)
		dir->ops->release(dir->fs, &e->key, o.fh, flags);
	return r;
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_entry e;
	struct node dir;
	int r;

	if (!change_dir_get(req, m, parent, name, EEXIST, &dir))
		return;
	nf_entry_init(&e);
	if (dir.ops->mknod)
		r = CALL(req, dir, mknod, MISSING_CHANGE, &c, &dir.key, name, mode, rdev, &e);
	else
		r = mknod_by_create(req, &dir, &c, name, mode, &e);
	reply_entry(req, m, &dir, r, &e);
}

static void op_symlink(fuse_req_t req, const char *target, fuse_ino_t parent, const char *name)
{
	make_name(req, parent, name, 0, target);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_entry e;
	struct node dir;
	int r;

	WITH_NODE(req, m, ino, n);
	if (!change_dir_get(req, m, newparent, newname, EEXIST, &dir)) {
		node_put(m, &n);
		return;
	}
	nf_entry_init(&e);
	/* A name in one owner's tree never points into the other's: a
	 * synthetic file gets no other name. */
	if (n.ops != dir.ops)
		r = -EPERM;
	else
		r = CALL(req, dir, link, MISSING_CHANGE, &c, &n.key, &dir.key, newname, &e);
	node_put(m, &n);
	reply_entry(req, m, &dir, r, &e);
}

static void remove_name(fuse_req_t req, fuse_ino_t parent, const char *name, bool rmdir)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct node dir;
	int r;

	if (!change_dir_get(req, m, parent, name, EPERM, &dir))
		return;
	r = rmdir ? CALL(req, dir, rmdir, MISSING_CHANGE, &c, &dir.key, name)
		  : CALL(req, dir, unlink, MISSING_CHANGE, &c, &dir.key, name);
	reply_err(req, r);
	node_put(m, &dir);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, false);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, true);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent, const char *newname,
		      unsigned int flags)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct node dir, newdir;

	if (!change_dir_get(req, m, parent, name, EPERM, &dir))
		return;
	if (!change_dir_get(req, m, newparent, newname, EPERM, &newdir)) {
		node_put(m, &dir);
		return;
	}
	reply_err(req, CALL(req, dir, rename, MISSING_CHANGE, &c, &dir.key, name, &newdir.key, newname, flags));
	node_put(m, &newdir);
	node_put(m, &dir);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct statvfs sv = {.f_bsize = 4096, .f_frsize = 4096, .f_namemax = name_max(m)};
	struct node n;
	int r = node_get(m, ino, &n);

	if (!r && !n.ops->statfs) {
		node_put(m, &n);
		r = -ENOSYS;
	}
	/* A synthetic file, or a file the kernel still names but we forgot:
	 * the root speaks for the whole mount. */
	if (r && (r = node_get(m, FUSE_ROOT_ID, &n))) {
		reply_err(req, r);
		return;
	}
	r = CALL(req, n, statfs, 0, &c, &n.key, &sv); /* none: the defaults above */
	node_put(m, &n);
	if (r)
		reply_err(req, r);
	else
		fuse_reply_statfs(req, &sv);
}

/* ---- locks and poll ----------------------------------------------------- */

/* SETLK, SETLKW and flock with -o lockd: answers @req (a wait, later). */
static void lock_through_server(fuse_req_t req, struct nf_mount *m, const struct node *n, struct nf_ctx *c,
				fuse_ino_t ino, const struct fuse_file_info *fi, const struct flock *lock, bool wait)
{
	struct lock_obj ob;
	struct lock_file f = {ino, fi->fh};
	int r = locks_obj(m, n->ops, n->fs, &n->key, n->ops == &synthetic_ops, &ob);

	if (r)
		reply_err(req, r);
	else if (wait)
		locks_setlkw(m, req, &ob, fi->lock_owner, &f, lock);
	else
		reply_err(req, LOCKS_CALL(req, c, locks_setlk(m, c, &ob, fi->lock_owner, &f, lock)));
}

static void op_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	int r;

	WITH_NODE(req, m, ino, n);
	if (m->locks) {
		struct lock_obj ob;
		r = locks_obj(m, n.ops, n.fs, &n.key, n.ops == &synthetic_ops, &ob);
		if (!r)
			r = LOCKS_CALL(req, &c, locks_getlk(m, &c, &ob, fi->lock_owner, lock));
	} else {
		r = CALL(req, n, getlk, ENOSYS, &c, &n.key, fe_fh(fi), fi->lock_owner, lock);
	}
	if (r)
		reply_err(req, r);
	else
		fuse_reply_lock(req, lock);
	node_put(m, &n);
}

static void op_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock, int sleep)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);

	WITH_NODE(req, m, ino, n);
	if (m->locks)
		lock_through_server(req, m, &n, &c, ino, fi, lock, sleep != 0);
	else
		reply_err(req, CALL(req, n, setlk, ENOSYS, &c, &n.key, fe_fh(fi), fi->lock_owner, lock, sleep != 0));
	node_put(m, &n);
}

static void op_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);

	WITH_NODE(req, m, ino, n);
	if (m->locks) {
		/* A whole-file lock of the open file's owner, as the Linux NFS client makes flock. */
		struct flock fl = {.l_type = (op & LOCK_UN)   ? F_UNLCK
					     : (op & LOCK_EX) ? F_WRLCK
							      : F_RDLCK,
				   .l_whence = SEEK_SET};
		lock_through_server(req, m, &n, &c, ino, fi, &fl, !(op & (LOCK_NB | LOCK_UN)));
	} else {
		reply_err(req, CALL(req, n, flock, ENOSYS, &c, &n.key, fe_fh(fi), fi->lock_owner, op));
	}
	node_put(m, &n);
}

static void op_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct fuse_pollhandle *ph)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	unsigned revents = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	struct node n;
	int r = node_get(m, ino, &n);

	/* Without poll: the default mask (ENOSYS would switch poll off for
	 * .health too, and so would the owner's own -ENOSYS). */
	if (!r) {
		if (n.ops->poll)
			r = CALL(req, n, poll, 0, &c, &n.key, fe_fh(fi), ph, &revents);
		if (!r && n.ops->poll)
			ph = NULL; /* the owner kept it or let it go */
		if (r == -ENOSYS)
			r = -EOPNOTSUPP;
		node_put(m, &n);
	}
	if (ph)
		fuse_pollhandle_destroy(ph);
	if (r)
		reply_err(req, r);
	else
		fuse_reply_poll(req, revents);
}

const struct fuse_lowlevel_ops nf_fs_ops = {
    .init = op_init,
    .lookup = op_lookup,
    .forget = op_forget,
    .forget_multi = op_forget_multi,
    .getattr = op_getattr,
    .setattr = op_setattr,
    .readlink = op_readlink,
    .mknod = op_mknod,
    .mkdir = op_mkdir,
    .unlink = op_unlink,
    .rmdir = op_rmdir,
    .symlink = op_symlink,
    .rename = op_rename,
    .link = op_link,
    .open = op_open,
    .read = op_read,
    .write = op_write,
    .flush = op_flush,
    .release = op_release,
    .fsync = op_fsync,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .readdirplus = op_readdirplus,
    .releasedir = op_releasedir,
    .statfs = op_statfs,
    .create = op_create,
    .getlk = op_getlk,
    .setlk = op_setlk,
    .flock = op_flock,
    .poll = op_poll,
};
