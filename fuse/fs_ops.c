/*
 * fuse/fs_ops.c: the FUSE low-level operations of a netfuse mount.
 *
 * Each request is translated from FUSE inode numbers to backend keys
 * (inode_table.c), handed to the backend, and answered. The core keeps the
 * kernel's lookup counts exact: every reply that gives the kernel an entry
 * adds one, and a reply the kernel never received (the request was
 * interrupted) takes it back. Requests on the .health file go to
 * health_file.c and never reach the backend.
 *
 * Some answers are per connection in the kernel: ENOSYS from open, opendir,
 * poll, getlk, setlk or flush switches that operation off for the whole
 * mount, .health included. So the core never sends ENOSYS for open, opendir
 * or poll (a backend without them gets a plain open, or the default poll
 * mask; a backend's own -ENOSYS becomes EOPNOTSUPP), and .health never
 * answers ENOSYS at all.
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

#include "fuse/log.h"

static struct nf_mount *mount_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static struct nf_ctx ctx_of(fuse_req_t req)
{
	const struct fuse_ctx *fc = fuse_req_ctx(req);

	return (struct nf_ctx){.uid = fc->uid, .gid = fc->gid, .pid = fc->pid, .umask = fc->umask, .req = req};
}

static bool is_health(fuse_ino_t parent, const char *name)
{
	return parent == FUSE_ROOT_ID && !strcmp(name, ".health");
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

/* What the kernel is told of @e, now known as @ref. */
static void fill_entry_param(const struct nf_mount *m, const struct nf_entry *e, const struct inode_ref *ref,
			     struct fuse_entry_param *p)
{
	p->ino = ref->ino;
	p->generation = ref->gen;
	p->attr = e->attr;
	p->attr.st_ino = e->attr.st_ino ? e->attr.st_ino : ref->ino;
	p->attr_timeout = timeout_or(e->attr_timeout, m->opts.attr_timeout);
	p->entry_timeout = timeout_or(e->entry_timeout, m->opts.entry_timeout);
}

/* Hand @e to the kernel as a new lookup of its key. */
static void reply_entry(fuse_req_t req, struct nf_mount *m, const struct nf_entry *e)
{
	struct fuse_entry_param p = {0};
	struct inode_ref ref;
	int r = inode_table_lookup(m->inodes, &e->key, &ref);

	if (r) {
		reply_err(req, r);
		return;
	}
	fill_entry_param(m, e, &ref, &p);
	if (fuse_reply_entry(req, &p))
		inode_table_forget(m->inodes, ref.ino, 1); /* the kernel never saw it */
}

static void reply_create(fuse_req_t req, struct nf_mount *m, const struct nf_entry *e, const struct nf_open *o,
			 struct fuse_file_info *fi)
{
	struct fuse_entry_param p = {0};
	struct inode_ref ref;
	int r = inode_table_lookup(m->inodes, &e->key, &ref);

	if (r) {
		if (m->ops->release)
			m->ops->release(m->fs, &e->key, o->fh, fi->flags);
		reply_err(req, r);
		return;
	}
	fill_entry_param(m, e, &ref, &p);
	fi->fh = o->fh;
	fi->direct_io = o->direct_io;
	fi->keep_cache = o->keep_cache;
	fi->nonseekable = o->nonseekable;
	if (fuse_reply_create(req, &p, fi)) {
		if (m->ops->release)
			m->ops->release(m->fs, &e->key, o->fh, fi->flags);
		inode_table_forget(m->inodes, ref.ino, 1);
	}
}

static void reply_attr(fuse_req_t req, struct nf_mount *m, fuse_ino_t ino, struct stat *st, double timeout)
{
	if (!st->st_ino)
		st->st_ino = ino; /* the backend has no stable number of its own */
	fuse_reply_attr(req, st, timeout_or(timeout, m->opts.attr_timeout));
}

/*
 * Every handler that names an inode brackets the backend call with these:
 * a number the table does not know is answered ESTALE.
 */
#define WITH_NODE(req, m, ino, ref)                                                                                    \
	struct inode_ref ref;                                                                                          \
	do {                                                                                                           \
		int wn_r = inode_table_get((m)->inodes, (ino), &ref);                                                  \
		if (wn_r) {                                                                                            \
			reply_err((req), wn_r);                                                                        \
			return;                                                                                        \
		}                                                                                                      \
	} while (0)
#define PUT_NODE(m, ino) inode_table_put((m)->inodes, (ino))

/* ---- session ------------------------------------------------------------ */

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct nf_mount *m = userdata;

	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO;
	if (m->ops->getlk && m->ops->setlk && (conn->capable & FUSE_CAP_POSIX_LOCKS))
		conn->want |= FUSE_CAP_POSIX_LOCKS;
	else
		conn->want &= ~FUSE_CAP_POSIX_LOCKS;
	if (m->ops->flock && (conn->capable & FUSE_CAP_FLOCK_LOCKS))
		conn->want |= FUSE_CAP_FLOCK_LOCKS;
	else
		conn->want &= ~FUSE_CAP_FLOCK_LOCKS;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	/* libfuse asks for these by default; both would move work to backends
	 * that do not do it: truncation inside OPEN (a read-only backend would
	 * see write opens succeed), and clearing setuid/setgid on writes. */
	conn->want &= ~(FUSE_CAP_ATOMIC_O_TRUNC | FUSE_CAP_HANDLE_KILLPRIV);
}

/* ---- names and attributes ----------------------------------------------- */

/* The session's readiness check (session.c) looks up .health: the first
 * request that surely reaches the daemon on a new mount. */
static void mark_answered(struct nf_mount *m)
{
	pthread_mutex_lock(&m->answered_lock);
	if (!m->root_answered) {
		m->root_answered = true;
		pthread_cond_broadcast(&m->answered_cond);
	}
	pthread_mutex_unlock(&m->answered_lock);
}


static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_entry e;
	int r;

	if (is_health(parent, name)) {
		struct fuse_entry_param p = {.ino = INODE_TABLE_HEALTH, .entry_timeout = m->opts.entry_timeout};
		health_file_getattr(m, &p.attr);
		mark_answered(m); /* before the reply wakes the readiness check */
		fuse_reply_entry(req, &p); /* its lookups are not counted: it is never dropped */
		return;
	}
	if (!m->ops->lookup) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	WITH_NODE(req, m, parent, dir);
	nf_entry_init(&e);
	r = m->ops->lookup(m->fs, &c, &dir.key, name, &e);
	if (!r)
		reply_entry(req, m, &e);
	else if (r == -ENOENT && m->opts.negative_timeout > 0) {
		/* A negative entry the kernel may cache. */
		struct fuse_entry_param p = {.ino = 0, .entry_timeout = m->opts.negative_timeout};
		fuse_reply_entry(req, &p);
	} else
		reply_err(req, r);
	PUT_NODE(m, parent);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct nf_mount *m = mount_of(req);

	if (ino != INODE_TABLE_HEALTH)
		inode_table_forget(m->inodes, ino, nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct nf_mount *m = mount_of(req);

	for (size_t i = 0; i < count; i++)
		if (forgets[i].ino != INODE_TABLE_HEALTH)
			inode_table_forget(m->inodes, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct stat st;
	int r;

	if (ino == INODE_TABLE_HEALTH) {
		health_file_getattr(m, &st);
		fuse_reply_attr(req, &st, 0);
		return;
	}
	if (!m->ops->getattr) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	WITH_NODE(req, m, ino, n);
	memset(&st, 0, sizeof(st));
	r = m->ops->getattr(m->fs, &c, &n.key, fi != NULL, fi ? fi->fh : 0, &st);
	if (r)
		reply_err(req, r);
	else
		reply_attr(req, m, ino, &st, -1);
	PUT_NODE(m, ino);
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct stat st;
	int r;

	if (ino == INODE_TABLE_HEALTH) {
		fuse_reply_err(req, EPERM);
		return;
	}
	if (!m->ops->setattr) {
		fuse_reply_err(req, MISSING_CHANGE);
		return;
	}
	WITH_NODE(req, m, ino, n);
	memset(&st, 0, sizeof(st));
	r = m->ops->setattr(m->fs, &c, &n.key, attr, to_set, fi != NULL, fi ? fi->fh : 0, &st);
	if (r)
		reply_err(req, r);
	else
		reply_attr(req, m, ino, &st, -1);
	PUT_NODE(m, ino);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	char buf[PATH_MAX + 1];
	int r;

	if (!m->ops->readlink || ino == INODE_TABLE_HEALTH) {
		fuse_reply_err(req, ino == INODE_TABLE_HEALTH ? EINVAL : ENOSYS);
		return;
	}
	WITH_NODE(req, m, ino, n);
	buf[0] = '\0';
	r = m->ops->readlink(m->fs, &c, &n.key, buf, sizeof(buf));
	buf[sizeof(buf) - 1] = '\0';
	if (r)
		reply_err(req, r);
	else
		fuse_reply_readlink(req, buf);
	PUT_NODE(m, ino);
}

/* ---- directories -------------------------------------------------------- */

/* After the backend's last root entry: .health, then the end. */
#define DIR_OFF_HEALTH ((off_t)INT64_MAX - 1)
#define DIR_OFF_END    ((off_t)INT64_MAX)

struct nf_dir {
	fuse_req_t req;
	struct nf_mount *m;
	uint64_t dir_ino;
	bool plus, full, eof, nomem;
	char *buf;
	size_t size, len;
	/* Lookups handed out in this reply, taken back if it fails. */
	uint64_t *counted;
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
		uint64_t *n = realloc(d->counted, cap * sizeof(*n));
		if (!n)
			return false;
		d->counted = n;
		d->counted_cap = cap;
	}
	d->counted[d->ncounted++] = ino;
	return true;
}

bool nf_dir_add(struct nf_dir *d, const char *name, const struct nf_entry *e, off_t next)
{
	size_t room = d->size - d->len, need;
	struct stat st = e->attr;
	uint64_t known;

	if (d->full)
		return false;
	if (d->dir_ino == FUSE_ROOT_ID && !strcmp(name, ".health"))
		return true; /* the core's own file hides the backend's */
	if (next <= 0 || next > NF_DIR_OFF_MAX) {
		nf_log(LOG_ERR, "backend readdir offset %lld out of range for '%s'", (long long)next, name);
		next = NF_DIR_OFF_MAX;
	}
	if (!d->plus || dot_or_dotdot(name)) {
		/* d_ino: the number the kernel knows the entry by, or a stable stand-in. */
		known = inode_table_find(d->m->inodes, &e->key);
		if (!strcmp(name, "."))
			known = d->dir_ino;
		if (!st.st_ino)
			st.st_ino = known ? known : ((e->key.lo ^ (e->key.hi << 32)) | (1ULL << 63));
		if (d->plus) {
			struct fuse_entry_param p = {.attr = st};
			need = fuse_add_direntry_plus(d->req, NULL, 0, name, &p, next);
			if (need > room)
				goto full;
			fuse_add_direntry_plus(d->req, d->buf + d->len, room, name, &p, next);
		} else {
			need = fuse_add_direntry(d->req, NULL, 0, name, &st, next);
			if (need > room)
				goto full;
			fuse_add_direntry(d->req, d->buf + d->len, room, name, &st, next);
		}
		d->len += need;
		return true;
	}

	struct fuse_entry_param p = {0};
	struct inode_ref ref;
	need = fuse_add_direntry_plus(d->req, NULL, 0, name, &p, next);
	if (need > room)
		goto full;
	if (inode_table_lookup(d->m->inodes, &e->key, &ref)) {
		d->nomem = true; /* end this reply here; the next one retries */
		goto full;
	}
	if (!dir_add_counted(d, ref.ino)) {
		inode_table_forget(d->m->inodes, ref.ino, 1);
		d->nomem = true;
		goto full;
	}
	fill_entry_param(d->m, e, &ref, &p);
	fuse_add_direntry_plus(d->req, d->buf + d->len, room, name, &p, next);
	d->len += need;
	return true;
full:
	d->full = true;
	return false;
}

void nf_dir_eof(struct nf_dir *d)
{
	d->eof = true;
}

static void add_health_entry(struct nf_dir *d)
{
	size_t room = d->size - d->len, need;
	struct fuse_entry_param p = {.ino = INODE_TABLE_HEALTH, .attr_timeout = 0};

	health_file_getattr(d->m, &p.attr);
	p.entry_timeout = d->m->opts.entry_timeout;
	if (d->plus) {
		need = fuse_add_direntry_plus(d->req, NULL, 0, ".health", &p, DIR_OFF_END);
		if (need <= room)
			fuse_add_direntry_plus(d->req, d->buf + d->len, room, ".health", &p, DIR_OFF_END);
	} else {
		need = fuse_add_direntry(d->req, NULL, 0, ".health", &p.attr, DIR_OFF_END);
		if (need <= room)
			fuse_add_direntry(d->req, d->buf + d->len, room, ".health", &p.attr, DIR_OFF_END);
	}
	if (need <= room)
		d->len += need;
	else
		d->full = true;
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	uint64_t fh = 0;
	int r = 0;

	if (ino == INODE_TABLE_HEALTH) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	WITH_NODE(req, m, ino, n);
	if (m->ops->opendir)
		r = m->ops->opendir(m->fs, &c, &n.key, &fh);
	if (r == -ENOSYS)
		r = -EOPNOTSUPP; /* ENOSYS would switch opendir off for the mount */
	fi->fh = fh;
	if (r)
		reply_err(req, r);
	else if (fuse_reply_open(req, fi) && m->ops->releasedir)
		m->ops->releasedir(m->fs, &n.key, fh);
	PUT_NODE(m, ino);
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi, bool plus)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_dir d = {.req = req, .m = m, .dir_ino = ino, .plus = plus, .size = size};
	int r = 0;

	if (!m->ops->readdir) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	if (off == DIR_OFF_END) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	WITH_NODE(req, m, ino, n);
	d.buf = malloc(size ? size : 1);
	if (!d.buf) {
		PUT_NODE(m, ino);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (off != DIR_OFF_HEALTH || ino != FUSE_ROOT_ID)
		r = m->ops->readdir(m->fs, &c, &n.key, fi->fh, off, &d);
	/* After the backend's last root entry, in the same reply when it fits. */
	if (!r && d.eof && !d.full && ino == FUSE_ROOT_ID)
		add_health_entry(&d);
	if (!r && d.nomem && !d.len)
		r = -ENOMEM; /* an empty reply would read as the end of the directory */
	if (r && !d.len)
		reply_err(req, r);
	else if (fuse_reply_buf(req, d.buf, d.len))
		for (size_t i = 0; i < d.ncounted; i++)
			inode_table_forget(m->inodes, d.counted[i], 1);
	free(d.counted);
	free(d.buf);
	PUT_NODE(m, ino);
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
	struct inode_ref n;

	if (!inode_table_get(m->inodes, ino, &n)) {
		if (m->ops->releasedir)
			m->ops->releasedir(m->fs, &n.key, fi->fh);
		PUT_NODE(m, ino);
	}
	fuse_reply_err(req, 0);
}

/* ---- files -------------------------------------------------------------- */

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_open o = {0};
	int r;

	if (ino == INODE_TABLE_HEALTH) {
		health_file_open(m, req, fi);
		return;
	}
	if (!m->ops->open) {
		/* Not ENOSYS: that switches OPEN off for .health too. */
		if ((fi->flags & O_ACCMODE) != O_RDONLY && !m->ops->write) {
			fuse_reply_err(req, MISSING_CHANGE);
			return;
		}
		fi->fh = 0;
		fuse_reply_open(req, fi);
		return;
	}
	WITH_NODE(req, m, ino, n);
	r = m->ops->open(m->fs, &c, &n.key, fi->flags, &o);
	if (r == -ENOSYS)
		r = -EOPNOTSUPP;
	if (r) {
		reply_err(req, r);
	} else {
		fi->fh = o.fh;
		fi->direct_io = o.direct_io;
		fi->keep_cache = o.keep_cache;
		fi->nonseekable = o.nonseekable;
		if (fuse_reply_open(req, fi) && m->ops->release)
			m->ops->release(m->fs, &n.key, o.fh, fi->flags);
	}
	PUT_NODE(m, ino);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	ssize_t r;
	char *buf;

	if (ino == INODE_TABLE_HEALTH) {
		health_file_read(m, req, size, fi);
		return;
	}
	if (!m->ops->read) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	WITH_NODE(req, m, ino, n);
	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
	} else {
		r = m->ops->read(m->fs, &c, &n.key, fi->fh, buf, size, off);
		if (r < 0)
			reply_err(req, (int)r);
		else
			fuse_reply_buf(req, buf, (size_t)r > size ? size : (size_t)r);
		free(buf);
	}
	PUT_NODE(m, ino);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	ssize_t r;

	if (ino == INODE_TABLE_HEALTH) {
		fuse_reply_err(req, EBADF);
		return;
	}
	if (!m->ops->write) {
		fuse_reply_err(req, MISSING_CHANGE);
		return;
	}
	WITH_NODE(req, m, ino, n);
	r = m->ops->write(m->fs, &c, &n.key, fi->fh, buf, size, off);
	if (r < 0)
		reply_err(req, (int)r);
	else
		fuse_reply_write(req, (size_t)r > size ? size : (size_t)r);
	PUT_NODE(m, ino);
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	int r;

	/* .health has nothing to flush, and ENOSYS would switch flush off for
	 * the whole mount (and with it the unlock of POSIX locks on close). */
	if (ino == INODE_TABLE_HEALTH || (!m->ops->flush && !m->ops->setlk)) {
		fuse_reply_err(req, 0);
		return;
	}
	WITH_NODE(req, m, ino, n);
	if (m->ops->flush) {
		r = m->ops->flush(m->fs, &c, &n.key, fi->fh, fi->lock_owner);
	} else {
		/* The close of a descriptor ends its owner's POSIX locks. */
		struct flock unlock = { .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
		r = m->ops->setlk(m->fs, &c, &n.key, fi->fh, fi->lock_owner, &unlock, false);
	}
	reply_err(req, r);
	PUT_NODE(m, ino);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct inode_ref n;

	if (ino == INODE_TABLE_HEALTH) {
		health_file_release(m, req, fi);
		return;
	}
	if (!inode_table_get(m->inodes, ino, &n)) {
		if (fi->flock_release && m->ops->flock) {
			/* The last close of an open file ends its flock lock. */
			struct nf_ctx c = ctx_of(req);
			m->ops->flock(m->fs, &c, &n.key, fi->fh, fi->lock_owner, LOCK_UN);
		}
		if (m->ops->release)
			m->ops->release(m->fs, &n.key, fi->fh, fi->flags);
		PUT_NODE(m, ino);
	}
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	int r;

	if (ino == INODE_TABLE_HEALTH || !m->ops->fsync) {
		fuse_reply_err(req, ino == INODE_TABLE_HEALTH ? 0 : ENOSYS);
		return;
	}
	WITH_NODE(req, m, ino, n);
	r = m->ops->fsync(m->fs, &c, &n.key, fi->fh, datasync != 0);
	reply_err(req, r);
	PUT_NODE(m, ino);
}

/* ---- changing the namespace ------------------------------------------------ */

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_entry e;
	struct nf_open o = {0};
	int r;

	if (is_health(parent, name)) {
		fuse_reply_err(req, EEXIST);
		return;
	}
	if (!m->ops->create) {
		fuse_reply_err(req, MISSING_CHANGE);
		return;
	}
	WITH_NODE(req, m, parent, dir);
	nf_entry_init(&e);
	r = m->ops->create(m->fs, &c, &dir.key, name, mode, fi->flags, &e, &o);
	if (r)
		reply_err(req, r);
	else
		reply_create(req, m, &e, &o, fi);
	PUT_NODE(m, parent);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_entry e;
	int r;

	if (is_health(parent, name)) {
		fuse_reply_err(req, EEXIST);
		return;
	}
	if (!m->ops->mkdir) {
		fuse_reply_err(req, MISSING_CHANGE);
		return;
	}
	WITH_NODE(req, m, parent, dir);
	nf_entry_init(&e);
	r = m->ops->mkdir(m->fs, &c, &dir.key, name, mode, &e);
	if (r)
		reply_err(req, r);
	else
		reply_entry(req, m, &e);
	PUT_NODE(m, parent);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	struct nf_mount *m = mount_of(req);

	(void)rdev;
	/* The kernel sends MKNOD for regular files only when CREATE is missing;
	 * network file systems keep no devices, FIFOs or sockets. */
	if (is_health(parent, name))
		fuse_reply_err(req, EEXIST);
	else
		fuse_reply_err(req, S_ISREG(mode) && !m->ops->create ? MISSING_CHANGE : EPERM);
}

static void op_symlink(fuse_req_t req, const char *target, fuse_ino_t parent, const char *name)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_entry e;
	int r;

	if (is_health(parent, name)) {
		fuse_reply_err(req, EEXIST);
		return;
	}
	if (!m->ops->symlink) {
		fuse_reply_err(req, MISSING_CHANGE);
		return;
	}
	WITH_NODE(req, m, parent, dir);
	nf_entry_init(&e);
	r = m->ops->symlink(m->fs, &c, target, &dir.key, name, &e);
	if (r)
		reply_err(req, r);
	else
		reply_entry(req, m, &e);
	PUT_NODE(m, parent);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct nf_entry e;
	int r;

	if (ino == INODE_TABLE_HEALTH || is_health(newparent, newname)) {
		fuse_reply_err(req, ino == INODE_TABLE_HEALTH ? EPERM : EEXIST);
		return;
	}
	if (!m->ops->link) {
		fuse_reply_err(req, MISSING_CHANGE);
		return;
	}
	WITH_NODE(req, m, ino, n);
	struct inode_ref dir;
	r = inode_table_get(m->inodes, newparent, &dir);
	if (r) {
		reply_err(req, r);
		PUT_NODE(m, ino);
		return;
	}
	nf_entry_init(&e);
	r = m->ops->link(m->fs, &c, &n.key, &dir.key, newname, &e);
	if (r)
		reply_err(req, r);
	else
		reply_entry(req, m, &e);
	PUT_NODE(m, newparent);
	PUT_NODE(m, ino);
}

static void remove_name(fuse_req_t req, fuse_ino_t parent, const char *name, bool dir)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	int (*fn)(void *, const struct nf_ctx *, const struct nf_key *, const char *) =
	    dir ? m->ops->rmdir : m->ops->unlink;
	int r;

	if (is_health(parent, name)) {
		fuse_reply_err(req, dir ? ENOTDIR : EPERM);
		return;
	}
	if (!fn) {
		fuse_reply_err(req, MISSING_CHANGE);
		return;
	}
	WITH_NODE(req, m, parent, d);
	r = fn(m->fs, &c, &d.key, name);
	reply_err(req, r);
	PUT_NODE(m, parent);
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
	struct inode_ref nd;
	int r;

	if (is_health(parent, name) || is_health(newparent, newname)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	if (!m->ops->rename) {
		fuse_reply_err(req, MISSING_CHANGE);
		return;
	}
	WITH_NODE(req, m, parent, d);
	r = inode_table_get(m->inodes, newparent, &nd);
	if (r) {
		reply_err(req, r);
		PUT_NODE(m, parent);
		return;
	}
	r = m->ops->rename(m->fs, &c, &d.key, name, &nd.key, newname, flags);
	reply_err(req, r);
	PUT_NODE(m, newparent);
	PUT_NODE(m, parent);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	struct statvfs sv = {.f_bsize = 4096, .f_frsize = 4096, .f_namemax = 255};
	struct inode_ref n;
	int r = 0;

	if (!m->ops->statfs || ino == INODE_TABLE_HEALTH || inode_table_get(m->inodes, ino, &n)) {
		/* .health, or a file the kernel still names but we forgot: the
		 * root speaks for the whole mount. */
		ino = FUSE_ROOT_ID;
		inode_table_get(m->inodes, ino, &n);
	}
	if (m->ops->statfs)
		r = m->ops->statfs(m->fs, &c, &n.key, &sv);
	PUT_NODE(m, ino);
	if (r)
		reply_err(req, r);
	else
		fuse_reply_statfs(req, &sv);
}

/* ---- locks and poll ----------------------------------------------------- */

static void op_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	int r;

	if (ino == INODE_TABLE_HEALTH || !m->ops->getlk) {
		fuse_reply_err(req, ino == INODE_TABLE_HEALTH ? EINVAL : ENOSYS);
		return;
	}
	WITH_NODE(req, m, ino, n);
	r = m->ops->getlk(m->fs, &c, &n.key, fi->fh, fi->lock_owner, lock);
	if (r)
		reply_err(req, r);
	else
		fuse_reply_lock(req, lock);
	PUT_NODE(m, ino);
}

static void op_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock, int sleep)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	int r;

	if (ino == INODE_TABLE_HEALTH || !m->ops->setlk) {
		fuse_reply_err(req, ino == INODE_TABLE_HEALTH ? EINVAL : ENOSYS);
		return;
	}
	WITH_NODE(req, m, ino, n);
	r = m->ops->setlk(m->fs, &c, &n.key, fi->fh, fi->lock_owner, lock, sleep != 0);
	reply_err(req, r);
	PUT_NODE(m, ino);
}

static void op_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	int r;

	if (ino == INODE_TABLE_HEALTH || !m->ops->flock) {
		fuse_reply_err(req, ino == INODE_TABLE_HEALTH ? EINVAL : ENOSYS);
		return;
	}
	WITH_NODE(req, m, ino, n);
	r = m->ops->flock(m->fs, &c, &n.key, fi->fh, fi->lock_owner, op);
	reply_err(req, r);
	PUT_NODE(m, ino);
}

static void op_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct fuse_pollhandle *ph)
{
	struct nf_mount *m = mount_of(req);
	struct nf_ctx c = ctx_of(req);
	unsigned revents = 0;
	int r;

	if (ino == INODE_TABLE_HEALTH) {
		health_file_poll(m, req, fi, ph);
		return;
	}
	if (!m->ops->poll) {
		/* Not ENOSYS: that would switch poll off for .health too. */
		if (ph)
			fuse_pollhandle_destroy(ph);
		fuse_reply_poll(req, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
		return;
	}
	struct inode_ref n;
	r = inode_table_get(m->inodes, ino, &n);
	if (r) {
		if (ph)
			fuse_pollhandle_destroy(ph);
		reply_err(req, r);
		return;
	}
	r = m->ops->poll(m->fs, &c, &n.key, fi->fh, ph, &revents);
	if (r == -ENOSYS)
		r = -EOPNOTSUPP; /* ENOSYS would switch poll off for .health too */
	if (r)
		reply_err(req, r);
	else
		fuse_reply_poll(req, revents);
	PUT_NODE(m, ino);
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
