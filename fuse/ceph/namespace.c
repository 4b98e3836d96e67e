/*
 * fuse/ceph/namespace.c: the CephFS namespace and file data of a
 * netfuse-ceph mount, over the MDS client (mdsc_loop) and the OSD client
 * (osdc_loop): lookups, attributes, listings and every change of the
 * namespace as MDS requests (their replies' traces refresh the cap cache),
 * reads and writes on the file's objects as its layout stripes them.
 *
 * Coherent through the MDS client's caps:
 *  - attributes: a getattr is answered from the cap cache while As, Ls and
 *    Fs are issued, else asked of the MDS (whose reply brings the caps);
 *    names likewise, from the directory's names table while its Fs lasts
 *    (mdsc_loop_name: a lookup, listing or change of ours told them), else
 *    asked (no dentry leases are kept). The kernel keeps both for the
 *    mount's entry_timeout and attr_timeout (1 s by default),
 *    and drops the attributes at once when a cap they rest on goes. What
 *    a reply says of an inode reaches the kernel as the cap cache merged
 *    it (current_of: our unflushed size and times stand), and a
 *    directory we changed is asked of the MDS until a GETATTR answers.
 *  - data: a file is opened with the MDS (OPEN, wanting Fr and Fc); each
 *    read holds Fr, waiting for the MDS to grant it (so another client's
 *    buffered writes are flushed first), and reads the objects. The
 *    kernel's pages are kept across opens only while Fc has been held since
 *    the last open, dropped when Fc is revoked (before the revoke is
 *    acknowledged), and dropped right after a read made without Fc. A
 *    file opened while Fc is not issued (another client writes it) is
 *    opened for direct I/O: no pages at all, and each read finds the end
 *    of the file itself (a getattr when it would pass the size known
 *    without Fs, asked before the read takes Fr) rather than stopping at
 *    the size the kernel holds.
 *  - writes: a file opened for writing wants Fw and Fb; each write holds
 *    Fw (asking the MDS for a larger max_size first when it would pass
 *    it) and is buffered while Fb is issued (writeback.c), else goes to
 *    the OSDs before it returns, as the kernel's sync writes do; the size
 *    and times it changes are the cap's dirty state, flushed to the MDS
 *    (a FLUSH) at each close and with the ack of a revoke; fsync waits
 *    for its FLUSH_ACK.
 *    A file's times set by its owner under Fx are the cap's, flushed
 *    without waiting (set_times_cached); other attributes are SETATTRs.
 *    A truncation is a SETATTR carrying the size we know as old_size;
 *    reads and writes carry the truncate seq and size to the OSDs.
 *
 * An inode the MDS dropped from its cache (no cap of ours held it there)
 * answers ESTALE by number: it is loaded again with LOOKUPINO and the
 * request asked again.
 *
 * Keys: {0, inode number}. Directories are read whole at opendir (every
 * fragment, each reply continuing after the last name, as the kernel's
 * readdir), so offsets are indexes into that listing and stay stable while
 * it is open.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cephosd/striper.h"
#include "fuse/ceph/front.h"
#include "fuse/ceph/views.h"

/* ---- MDS requests ------------------------------------------------------------------------ */

static void init_req(struct mdsc_request *r, const struct nf_ctx *c, uint32_t op, uint64_t ino, const char *name)
{
	struct timespec ts;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_REALTIME, &ts);
	r->m.op = op;
	r->m.caller_uid = c ? (uint32_t)c->uid : 0;
	r->m.caller_gid = c ? (uint32_t)c->gid : 0;
	r->m.path = (struct mds_filepath){.ino = ino, .path = name};
	r->m.args.mask = MDS_STAT_ALL;
	r->m.stamp = (struct mds_timespec){(uint32_t)ts.tv_sec, (uint32_t)ts.tv_nsec};
	r->rank = MDSC_ANY_RANK;
}

/* Run @r until it ends or the caller gives up (an interrupt, the mount
 * ending): the MDS's result, or ours. A reply without the inode asked for
 * is -EIO. */
static int call(struct cephfs_front *f, const struct nf_ctx *c, struct mdsc_request *r, bool want_target)
{
	int e = mdsc_loop_call(f->mdsc, r, EVLOOP_NEVER, c ? c->cancel : NULL);

	if (e == -ESTALE && r->m.path.ino > 1) {
		/* The MDS dropped the inode from its cache (we hold no cap to
		 * keep it there): have it load the inode by number (LOOKUPINO,
		 * as the kernel's NFS export path does), then ask again. */
		struct mdsc_request l;
		init_req(&l, c, MDS_OP_LOOKUPINO, r->m.path.ino, "");
		if (!mdsc_loop_call(f->mdsc, &l, EVLOOP_NEVER, c ? c->cancel : NULL)) {
			mdsc_request_release(r);
			e = mdsc_loop_call(f->mdsc, r, EVLOOP_NEVER, c ? c->cancel : NULL);
		}
		mdsc_request_release(&l);
	}
	if (e) {
		mdsc_request_release(r);
		return e;
	}
	if (want_target && (!r->rep || !r->rep->is_target)) {
		mdsc_request_release(r);
		return -EIO;
	}
	return 0;
}

static void ts(struct timespec *out, struct mds_timespec t)
{
	out->tv_sec = t.sec;
	out->tv_nsec = t.nsec;
}

/* What stat(2) shows of an inode, as the kernel client makes it: a
 * directory links "." and its subdirectories' ".." (2 + subdirectories)
 * and is as large as its entries are many. */
static void to_stat(const struct mds_inode *in, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = in->ino;
	st->st_mode = in->mode;
	st->st_uid = in->uid;
	st->st_gid = in->gid;
	st->st_rdev = in->rdev;
	if (S_ISDIR(in->mode)) {
		st->st_nlink = 2 + (nlink_t)(in->subdirs > 0 ? in->subdirs : 0);
		st->st_size = (off_t)(in->files + in->subdirs);
	} else {
		st->st_nlink = in->nlink;
		st->st_size = (off_t)in->size;
	}
	st->st_blksize = in->object_size ? in->object_size : 4 << 20;
	st->st_blocks = (blkcnt_t)((in->size + 511) / 512);
	ts(&st->st_atim, in->atime);
	ts(&st->st_mtim, in->mtime);
	ts(&st->st_ctim, in->ctime);
}

/* What the kernel is told of inode @t from a reply: when the reply
 * brought a cap, the cap cache's view of it, which the reply has just
 * refreshed but where our unflushed writes' size and times stand over
 * the older ones the MDS encoded (mdsc_caps_from_reply). @buf holds it. */
static const struct mds_inode *current_of(struct cephfs_front *f, const struct mds_inode *t, struct mds_inode *buf)
{
	if (t->cap.caps && !mdsc_loop_inode(f->mdsc, t->ino, 0, buf, NULL, 0))
		return buf;
	return t;
}

static void to_entry(const struct mds_inode *in, struct nf_entry *e)
{
	nf_entry_init(e);
	e->key = (struct nf_key){0, in->ino};
	to_stat(in, &e->attr);
}

static int getattr_ino(struct cephfs_front *f, const struct nf_ctx *c, uint64_t ino, struct mdsc_request *r)
{
	init_req(r, c, MDS_OP_GETATTR, ino, "");
	return call(f, c, r, true);
}

int cephfs_resolve_dir(struct cephfs_front *f, const char *path, uint64_t deadline_ns, uint64_t *ino)
{
	struct mdsc_request r;
	int e;

	init_req(&r, NULL, MDS_OP_GETATTR, 1, path[0] == '/' ? path + 1 : path);
	e = mdsc_loop_call(f->mdsc, &r, deadline_ns, NULL);
	if (!e && (!r.rep || !r.rep->is_target))
		e = -EIO;
	if (e) {
		mdsc_request_release(&r);
		return e;
	}
	e = S_ISDIR(r.rep->target.mode) ? 0 : -ENOTDIR;
	*ino = r.rep->target.ino;
	mdsc_request_release(&r);
	return e;
}

/* ---- names and attributes ---------------------------------------------------------------- */

/* What stat(2) needs issued to be answered from the cap cache: mode and
 * owners (As), links (Ls), size and times (Fs; a directory's counts too). */
#define STAT_CAPS (MDS_CAP_PIN | MDS_CAP_AUTH_SHARED | MDS_CAP_LINK_SHARED | MDS_CAP_FILE_SHARED)

static int c_lookup(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, struct nf_entry *out)
{
	struct cephfs_front *f = fs;
	struct mdsc_request r;
	struct mds_inode in;
	uint64_t ino;
	int e;

	/* the directory's names, while its Fs says no one else changed them */
	if (mdsc_loop_name(f->mdsc, dir->lo, name, &ino)) {
		if (!ino)
			return -ENOENT;
		if (!mdsc_loop_inode(f->mdsc, ino, STAT_CAPS, &in, NULL, 0)) {
			to_entry(&in, out);
			return 0;
		}
	}
	init_req(&r, c, MDS_OP_LOOKUP, dir->lo, name);
	r.m.flags = MDS_REQ_FLAG_WANT_DENTRY;
	e = call(f, c, &r, false);
	if (e)
		return e;
	if (!r.rep || !r.rep->is_target) { /* a null dentry: the name is not there */
		mdsc_request_release(&r);
		return -ENOENT;
	}
	to_entry(current_of(f, &r.rep->target, &in), out);
	mdsc_request_release(&r);
	return 0;
}

static int c_getattr(void *fs, const struct nf_ctx *c, const struct nf_key *key, bool has_fh, uint64_t fh,
		     struct stat *out)
{
	struct cephfs_front *f = fs;
	struct mdsc_request r;
	struct mds_inode in;
	int e;

	(void)has_fh, (void)fh;
	if (!mdsc_loop_inode(f->mdsc, key->lo, STAT_CAPS, &in, NULL, 0)) {
		to_stat(&in, out);
		return 0;
	}
	e = getattr_ino(fs, c, key->lo, &r);
	if (e)
		return e;
	to_stat(current_of(f, &r.rep->target, &in), out);
	mdsc_request_release(&r);
	return 0;
}

static void c_forget(void *fs, const struct nf_key *key)
{
	struct cephfs_front *f = fs;

	if (key->lo != f->root_ino) /* the root's cap is kept for the mount's life */
		mdsc_loop_caps_forget(f->mdsc, key->lo);
}

static int c_readlink(void *fs, const struct nf_ctx *c, const struct nf_key *key, char *buf, size_t len)
{
	struct mdsc_request r;
	int e = getattr_ino(fs, c, key->lo, &r);

	if (e)
		return e;
	if (!S_ISLNK(r.rep->target.mode)) {
		e = -EINVAL;
	} else if (r.rep->target.symlink_len >= len) {
		e = -ENAMETOOLONG;
	} else {
		memcpy(buf, r.rep->target.symlink, r.rep->target.symlink_len);
		buf[r.rep->target.symlink_len] = '\0';
	}
	mdsc_request_release(&r);
	return e;
}

/* ---- directories ------------------------------------------------------------------------- */

struct dent {
	char *name;
	struct nf_entry e;
};

struct dirh {
	struct dent *v;
	size_t n, cap;
};

static void dir_free(struct dirh *d)
{
	for (size_t i = 0; d && i < d->n; i++)
		free(d->v[i].name);
	if (d)
		free(d->v);
	free(d);
}

static int dir_push(struct cephfs_front *f, struct dirh *d, const struct mds_dentry *de)
{
	struct mds_inode in;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		struct dent *v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n].name = strndup((const char *)de->name, de->name_len);
	if (!d->v[d->n].name)
		return -ENOMEM;
	to_entry(current_of(f, &de->inode, &in), &d->v[d->n].e);
	d->n++;
	return 0;
}

static int c_opendir(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t *fh)
{
	struct cephfs_front *f = fs;
	struct dirh *d = calloc(1, sizeof(*d));
	char *last = calloc(1, 4096);
	uint32_t frag = 0;
	struct mdsc_listing listing;
	int e = d && last ? 0 : -ENOMEM;

	mdsc_loop_listing_begin(f->mdsc, key->lo, &listing);
	while (!e) {
		struct mdsc_request r;
		struct mds_readdir rd;
		struct mds_dentry *de = malloc(sizeof(*de));

		if (!de) {
			e = -ENOMEM;
			break;
		}
		init_req(&r, c, MDS_OP_READDIR, key->lo, "");
		r.m.args.frag = frag;
		r.m.args.max_entries = f->readdir_max_entries;
		r.m.args.readdir_flags =
		    MDS_READDIR_REPLY_BITFLAGS; /* else a split frag restarts from its first leaf */
		r.m.path2.path = last;
		e = call(f, c, &r, false);
		if (e) {
			free(de);
			break;
		}
		e = mds_readdir_begin(&rd, r.rep->extra, r.rep->extra_len);
		while (!e) {
			int got = mds_readdir_next(&rd, de);
			if (got <= 0) {
				e = got;
				break;
			}
			if (de->name_len >= 4096 || dir_push(f, d, de)) {
				e = -ENOMEM;
				break;
			}
			memcpy(last, de->name, de->name_len);
			last[de->name_len] = '\0';
		}
		if (e < 0) {
			if (e == -EBADMSG)
				e = -EIO;
		} else if (rd.flags & MDS_READDIR_FRAG_END) {
			frag = mds_frag_next(rd.dir.frag);
			last[0] = '\0';
			e = frag ? 0 : 1;
		} else if (!rd.count) {
			e = -EIO; /* neither the end nor anything after the last name */
		} else {
			frag = rd.dir.frag; /* the leaf the MDS read: go on there after @last */
		}
		free(de);
		mdsc_request_release(&r);
	}
	free(last);
	if (e < 0) {
		dir_free(d);
		return e;
	}
	mdsc_loop_listing_end(f->mdsc, key->lo, &listing); /* all of it: lookups may answer from it */
	*fh = (uint64_t)(uintptr_t)d;
	return 0;
}

static int c_readdir(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, off_t off,
		     struct nf_dir *nd)
{
	struct cephfs_front *f = fs;
	struct dirh *d = (struct dirh *)(uintptr_t)fh;
	struct mds_inode in;
	struct nf_entry e;

	(void)c;
	for (; off < 2; off++) { /* "." and ".." */
		nf_entry_init(&e);
		e.key = *key;
		e.attr.st_mode = S_IFDIR;
		if (!nf_dir_add(nd, off == 0 ? "." : "..", &e, off + 1))
			return 0;
	}
	for (; d && (size_t)(off - 2) < d->n; off++) {
		const struct dent *de = &d->v[off - 2];
		e = de->e;
		/* Attributes for the kernel's inodes: as the cache has them now
		 * (our writes since the opendir), while the caps that cover them
		 * are issued. Otherwise the READDIR's may be old: the MDS does
		 * not gather another client's dirty size and times for a
		 * listing, as it does for a GETATTR, so the kernel must not keep
		 * them (a stat then asks c_getattr). */
		if (nf_dir_plus(nd)) {
			if (!mdsc_loop_inode(f->mdsc, e.key.lo, STAT_CAPS, &in, NULL, 0))
				to_entry(&in, &e);
			else
				e.attr_timeout = 0;
		}
		if (!nf_dir_add(nd, de->name, &e, off + 1))
			return 0;
	}
	nf_dir_eof(nd);
	return 0;
}

static void c_releasedir(void *fs, const struct nf_key *key, uint64_t fh)
{
	(void)fs, (void)key;
	dir_free((struct dirh *)(uintptr_t)fh);
}

/* ---- changing the namespace -------------------------------------------------------------- */

/* The directories request @r changed (its parent, and a rename's source
 * or a link's inode): their counts and times are asked of the MDS next. */
static void changed(struct cephfs_front *f, const struct mdsc_request *r)
{
	mdsc_loop_caps_dir_changed(f->mdsc, r->m.path.ino);
	if (r->m.path2.ino)
		mdsc_loop_caps_dir_changed(f->mdsc, r->m.path2.ino);
}

/* A request that makes or changes @name in @dir and answers with the
 * inode: its entry in @out (when not NULL). The reply's trace refreshes
 * the cap cache; caps the change takes from us the MDS revokes first. */
static int change(struct cephfs_front *f, const struct nf_ctx *c, struct mdsc_request *r, struct nf_entry *out)
{
	struct mds_inode in;
	int e;

	r->m.flags = MDS_REQ_FLAG_WANT_DENTRY;
	r->m.args.mask = 0;
	e = call(f, c, r, out != NULL);
	changed(f, r);
	if (e)
		return e;
	if (out)
		to_entry(current_of(f, &r->rep->target, &in), out);
	mdsc_request_release(r);
	return 0;
}

static int c_mkdir(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		   struct nf_entry *out)
{
	struct mdsc_request r;

	init_req(&r, c, MDS_OP_MKDIR, dir->lo, name);
	r.m.args.mode = S_IFDIR | (mode & 07777);
	return change(fs, c, &r, out);
}

static int c_mknod(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		   dev_t rdev, struct nf_entry *out)
{
	struct mdsc_request r;

	init_req(&r, c, MDS_OP_MKNOD, dir->lo, name);
	r.m.args.mode = (uint32_t)mode;
	r.m.args.rdev = (uint32_t)rdev;
	return change(fs, c, &r, out);
}

static int c_symlink(void *fs, const struct nf_ctx *c, const char *target, const struct nf_key *dir, const char *name,
		     struct nf_entry *out)
{
	struct mdsc_request r;

	init_req(&r, c, MDS_OP_SYMLINK, dir->lo, name);
	r.m.path2 = (struct mds_filepath){.ino = 0, .path = target};
	return change(fs, c, &r, out);
}

static int c_link(void *fs, const struct nf_ctx *c, const struct nf_key *key, const struct nf_key *newdir,
		  const char *newname, struct nf_entry *out)
{
	struct mdsc_request r;

	init_req(&r, c, MDS_OP_LINK, newdir->lo, newname);
	r.m.path2 = (struct mds_filepath){.ino = key->lo, .path = ""}; /* the inode itself */
	return change(fs, c, &r, out);
}

static int c_unlink(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name)
{
	struct mdsc_request r;

	init_req(&r, c, MDS_OP_UNLINK, dir->lo, name);
	return change(fs, c, &r, NULL);
}

static int c_rmdir(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name)
{
	struct mdsc_request r;

	init_req(&r, c, MDS_OP_RMDIR, dir->lo, name);
	return change(fs, c, &r, NULL);
}

static int c_rename(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name,
		    const struct nf_key *newdir, const char *newname, unsigned flags)
{
	struct mdsc_request r;

	if (flags) /* RENAME_NOREPLACE, RENAME_EXCHANGE: not in CephFS (the kernel client's answer too) */
		return -EINVAL;
	init_req(&r, c, MDS_OP_RENAME, newdir->lo, newname);
	r.m.path2 = (struct mds_filepath){.ino = dir->lo, .path = name};
	return change(fs, c, &r, NULL);
}

static struct mds_timespec mts(const struct timespec *t)
{
	return (struct mds_timespec){(uint32_t)t->tv_sec, (uint32_t)t->tv_nsec};
}

#define TIMES_SET                                                                                              \
	(FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)

/* A file's times set by its owner (or root: whom POSIX lets set any time)
 * while we hold Fx: kept in the cap and flushed without waiting, as the
 * kernel's __ceph_setattr does (an extraction sets every file's times).
 * 0 with @out, or not 0: ask the MDS. */
static int set_times_cached(struct cephfs_front *f, const struct nf_ctx *c, uint64_t ino, const struct stat *in,
			    int to_set, struct stat *out)
{
	struct mds_timespec at, mt, now_ts;
	struct mds_inode cur;
	struct timespec now;
	int e;

	if ((to_set & ~(TIMES_SET | FUSE_SET_ATTR_CTIME)) || !(to_set & TIMES_SET) ||
	    mdsc_loop_inode(f->mdsc, ino, MDS_CAP_AUTH_SHARED | MDS_CAP_FILE_EXCL, &cur, NULL, 0) || !S_ISREG(cur.mode) ||
	    (c && c->uid != 0 && (uint32_t)c->uid != cur.uid))
		return -EAGAIN;
	clock_gettime(CLOCK_REALTIME, &now);
	now_ts = mts(&now);
	at = to_set & FUSE_SET_ATTR_ATIME_NOW ? now_ts : mts(&in->st_atim);
	mt = to_set & FUSE_SET_ATTR_MTIME_NOW ? now_ts : mts(&in->st_mtim);
	e = mdsc_loop_caps_set_times(f->mdsc, ino, to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW) ? &at : NULL,
				     to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW) ? &mt : NULL, now_ts, &cur);
	if (!e)
		to_stat(&cur, out);
	return e;
}

static int c_setattr(void *fs, const struct nf_ctx *c, const struct nf_key *key, const struct stat *in, int to_set,
		     bool has_fh, uint64_t fh, struct stat *out)
{
	struct cephfs_front *f = fs;
	struct mdsc_request r;
	struct mds_req_args *a = &r.m.args;
	struct mds_inode cur;
	int e;

	(void)has_fh, (void)fh;
	if (!set_times_cached(f, c, key->lo, in, to_set, out))
		return 0;
	/* a truncation must not be overtaken by writes buffered before it */
	if ((to_set & FUSE_SET_ATTR_SIZE) && (e = cephfs_wb_sync(f, key->lo, false)))
		return e;
	init_req(&r, c, MDS_OP_SETATTR, key->lo, "");
	a->mask = 0;
	if (to_set & FUSE_SET_ATTR_MODE) {
		a->mask |= MDS_SETATTR_MODE;
		a->mode = in->st_mode & 07777;
	}
	if (to_set & FUSE_SET_ATTR_UID) {
		a->mask |= MDS_SETATTR_UID;
		a->uid = in->st_uid;
	}
	if (to_set & FUSE_SET_ATTR_GID) {
		a->mask |= MDS_SETATTR_GID;
		a->gid = in->st_gid;
	}
	if (to_set & FUSE_SET_ATTR_SIZE) {
		a->mask |= MDS_SETATTR_SIZE;
		a->size = (uint64_t)in->st_size;
		/* the size as we know it, our unflushed writes included: the
		 * MDS truncates (a new truncate_seq, the objects trimmed) when
		 * the new size is below the larger of this and its own */
		if (!mdsc_loop_inode(f->mdsc, key->lo, 0, &cur, NULL, 0))
			a->old_size = cur.size;
	}
	/* "now" is the request's stamp, which the MDS takes for it */
	if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
		a->mask |= MDS_SETATTR_ATIME;
		a->atime = r.m.stamp;
	} else if (to_set & FUSE_SET_ATTR_ATIME) {
		a->mask |= MDS_SETATTR_ATIME;
		a->atime = mts(&in->st_atim);
	}
	if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
		a->mask |= MDS_SETATTR_MTIME;
		a->mtime = r.m.stamp;
	} else if (to_set & FUSE_SET_ATTR_MTIME) {
		a->mask |= MDS_SETATTR_MTIME;
		a->mtime = mts(&in->st_mtim);
	}
	if (!a->mask) /* only a ctime (or nothing the MDS keeps): the attributes as they are */
		return c_getattr(fs, c, key, false, 0, out);
	e = call(f, c, &r, false);
	if (e)
		return e;
	if (r.rep && r.rep->is_target) {
		to_stat(current_of(f, &r.rep->target, &cur), out);
		mdsc_request_release(&r);
		return 0;
	}
	mdsc_request_release(&r);
	return c_getattr(fs, c, key, false, 0, out);
}

/* ---- file data --------------------------------------------------------------------------- */

/* An open file: where its data lies, and how it
 * was opened. */
struct fileh {
	uint64_t ino;
	struct ceph_file_layout layout;
	char pool_ns[128];
	bool writable;
	bool direct; /* opened without Fc: no page cache (FOPEN_DIRECT_IO) */
	bool sync;   /* O_SYNC, O_DSYNC or O_DIRECT: writes are never buffered */
	/* written since the last close's flush, and since the last fsync
	 * (atomic: writes, flushes and fsyncs run at once) */
	bool wrote, unsynced;
};

static void layout_from(struct fileh *h, const struct mds_inode *in)
{
	h->ino = in->ino;
	h->layout = (struct ceph_file_layout){.stripe_unit = in->stripe_unit,
					      .stripe_count = in->stripe_count,
					      .object_size = in->object_size,
					      .pool = in->pool,
					      .pool_ns = h->pool_ns};
	snprintf(h->pool_ns, sizeof(h->pool_ns), "%.*s", (int)in->pool_ns_len, (const char *)in->pool_ns);
}

#define READ_CAPS  (MDS_CAP_FILE_RD | MDS_CAP_FILE_CACHE)
#define WRITE_CAPS (MDS_CAP_FILE_WR | MDS_CAP_FILE_BUFFER)
/* What an open wants of the MDS, as the kernel's ceph_caps_for_mode: a
 * reader Fs too; a writer the exclusive caps too (Fx As Ax Xs Xx), which
 * the MDS issues a lone writer (the creator of a file among them) and
 * would otherwise revoke right after, one message each way per file. */
#define READ_WANTS  (READ_CAPS | MDS_CAP_FILE_SHARED)
#define WRITE_WANTS                                                                                                   \
	(WRITE_CAPS | MDS_CAP_FILE_EXCL | MDS_CAP_AUTH_SHARED | MDS_CAP_AUTH_EXCL | MDS_CAP_XATTR_SHARED |             \
	 MDS_CAP_XATTR_EXCL)

static uint32_t wire_flags(int flags)
{
	uint32_t w = (flags & O_ACCMODE) == O_WRONLY ? MDS_O_WRONLY
		     : (flags & O_ACCMODE) == O_RDWR ? MDS_O_RDWR
						     : MDS_O_RDONLY;
	return w | (flags & O_CREAT ? MDS_O_CREAT : 0) | (flags & O_EXCL ? MDS_O_EXCL : 0) |
	       (flags & O_TRUNC ? MDS_O_TRUNC : 0);
}

static uint32_t open_wants(int flags)
{
	return ((flags & O_ACCMODE) != O_WRONLY ? READ_WANTS : 0) | ((flags & O_ACCMODE) != O_RDONLY ? WRITE_WANTS : 0);
}

/* What an open needs issued to go without asking the MDS (open_cached). */
static uint32_t open_needs(int flags)
{
	return ((flags & O_ACCMODE) != O_WRONLY ? READ_CAPS : 0) | ((flags & O_ACCMODE) != O_RDONLY ? WRITE_CAPS : 0);
}

/* OPEN @ino: the MDS records what the open wants (read: Fr and Fc;
 * write: Fw and Fb), and its reply brings the inode and its cap. */
static int open_ino(struct cephfs_front *f, const struct nf_ctx *c, uint64_t ino, int flags, struct mdsc_request *r)
{
	init_req(r, c, MDS_OP_OPEN, ino, "");
	r->m.args.flags = wire_flags(flags & ~(O_CREAT | O_EXCL | O_TRUNC));
	r->m.args.mask = 0;
	return call(f, c, r, true);
}

/* The open file for the inode a reply brought. */
static int new_fileh(struct cephfs_front *f, const struct mds_inode *in, int flags, struct nf_open *o,
		     struct fileh **out)
{
	struct fileh *h;

	if (!S_ISREG(in->mode))
		return S_ISDIR(in->mode) ? -EISDIR : -EINVAL;
	if (!ceph_layout_valid(&(struct ceph_file_layout){
		.stripe_unit = in->stripe_unit, .stripe_count = in->stripe_count, .object_size = in->object_size}))
		return -EIO;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	layout_from(h, in);
	h->writable = (flags & O_ACCMODE) != O_RDONLY;
	h->sync = (flags & (O_SYNC | O_DSYNC | O_DIRECT)) != 0;
	o->keep_cache = mdsc_loop_caps_open(f->mdsc, h->ino, open_wants(flags));
	*out = h;
	return 0;
}

/* Wait for the caps an open needs here, as its first read or write would:
 * another client may have to flush what it buffers first, and then the
 * size the kernel holds from the lookup is old, so its attributes are
 * dropped (that takes no lock an open holds).
 *
 * Without Fc the file is opened for direct I/O (h->direct): another
 * client writes it, and the kernel's page cache would clamp each read to
 * the size it last got; a getattr racing one of the invalidations the
 * MDS's cap churn brings is thrown away by the kernel, so that size can
 * stay old however often it is refreshed. Direct reads reach c_read,
 * which finds the end of the file itself, as the kernel client's sync
 * reads do. With Fc but not Fs (rare), the size is asked of the MDS. */
static int open_wait(struct cephfs_front *f, const struct nf_ctx *c, const struct nf_key *key, struct fileh *h)
{
	uint32_t need = h->writable ? MDS_CAP_FILE_WR : MDS_CAP_FILE_RD, got = 0;
	int e = mdsc_loop_caps_get(f->mdsc, h->ino, need, 0, 0, 0, c->cancel, &got);
	bool stale = false;
	struct mds_inode in;

	if (e == -ETIMEDOUT) {
		e = mdsc_loop_caps_get(f->mdsc, h->ino, need, 0, 0, EVLOOP_NEVER, c->cancel, &got);
		stale = true;
	}
	if (e)
		return e == -ENOENT ? 0 : e; /* the cap went already: the I/O opens again */
	mdsc_loop_caps_put(f->mdsc, h->ino, got);
	h->direct = mdsc_loop_inode(f->mdsc, h->ino, MDS_CAP_FILE_CACHE, &in, NULL, 0) != 0;
	if (!h->writable && !h->direct && mdsc_loop_inode(f->mdsc, h->ino, MDS_CAP_FILE_SHARED, &in, NULL, 0)) {
		struct mdsc_request r;
		if (!getattr_ino(f, c, h->ino, &r)) {
			stale = true;
			mdsc_request_release(&r);
		}
	}
	if (stale)
		nf_notify_inval_inode(f->mount, key, -1, 0);
	return 0;
}

/* The open file for @ino without asking the MDS, when the caps the open
 * wants (and Fs, for the size) are issued already, as the kernel client's
 * ceph_open: mdsc_caps_open tells the MDS of a want it did not know. The
 * MDS checks no permission on an OPEN that the kernel (default_permissions)
 * has not checked. 0, or -EAGAIN: ask the MDS. */
static int open_cached(struct cephfs_front *f, uint64_t ino, int flags, struct nf_open *o, struct fileh **out)
{
	struct mds_inode in;
	char ns[128];

	if (mdsc_loop_inode(f->mdsc, ino, open_needs(flags) | MDS_CAP_FILE_SHARED, &in, ns, sizeof(ns)))
		return -EAGAIN;
	in.pool_ns = (const uint8_t *)ns;
	in.pool_ns_len = (uint32_t)strlen(ns);
	return new_fileh(f, &in, flags, o, out);
}

static int c_open(void *fs, const struct nf_ctx *c, const struct nf_key *key, int flags, struct nf_open *o)
{
	struct cephfs_front *f = fs;
	struct fileh *h = NULL;
	struct mdsc_request r;
	int e;

	e = open_cached(f, key->lo, flags, o, &h);
	if (e == -EAGAIN) {
		e = open_ino(f, c, key->lo, flags, &r);
		if (e)
			return e;
		e = new_fileh(f, &r.rep->target, flags, o, &h);
		mdsc_request_release(&r);
	}
	if (!e && (e = open_wait(f, c, key, h))) {
		mdsc_loop_caps_close(f->mdsc, h->ino);
		free(h);
	}
	if (e)
		return e;
	if (h->direct) {
		o->direct_io = true;
		o->keep_cache = false;
	}
	o->fh = (uint64_t)(uintptr_t)h;
	return 0;
}

static int c_create(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		    int flags, struct nf_entry *out, struct nf_open *o)
{
	struct cephfs_front *f = fs;
	struct fileh *h = NULL;
	struct mdsc_request r;
	struct mds_inode in;
	int e;

	init_req(&r, c, MDS_OP_CREATE, dir->lo, name);
	r.m.flags = MDS_REQ_FLAG_WANT_DENTRY;
	r.m.args.mask = 0;
	r.m.args.flags = wire_flags(flags | O_CREAT);
	r.m.args.mode = S_IFREG | (mode & 07777);
	e = call(f, c, &r, true);
	changed(f, &r);
	if (e)
		return e;
	to_entry(current_of(f, &r.rep->target, &in), out);
	e = new_fileh(f, &r.rep->target, flags, o, &h);
	mdsc_request_release(&r);
	if (e)
		return e;
	o->keep_cache = false;
	o->fh = (uint64_t)(uintptr_t)h;
	return 0;
}

/* The caps for I/O on @h's file (@end: the end of a write), waiting for
 * the MDS; a cap gone (the session, a recall) is had again by opening the
 * file once more. */
static int get_caps(struct cephfs_front *f, const struct nf_ctx *c, struct fileh *h, uint32_t need, uint32_t want,
		    uint64_t end, uint32_t *got)
{
	int e = mdsc_loop_caps_get(f->mdsc, h->ino, need, want, end, EVLOOP_NEVER, c->cancel, got);

	if (e == -ENOENT) {
		struct mdsc_request r;
		e = open_ino(f, c, h->ino, h->writable ? O_RDWR : O_RDONLY, &r);
		if (e)
			return e;
		mdsc_request_release(&r);
		mdsc_loop_caps_open(f->mdsc, h->ino, open_wants(h->writable ? O_RDWR : O_RDONLY));
		e = mdsc_loop_caps_get(f->mdsc, h->ino, need, want, end, EVLOOP_NEVER, c->cancel, got);
	}
	return e == -ENOENT ? -EIO : e;
}

/* An OSD request on object @objno of @h's file. */
static void object_request(struct osdc_request *r, const struct fileh *h, uint64_t objno, uint32_t flags)
{
	memset(r, 0, sizeof(*r));
	r->pool = h->layout.pool;
	snprintf(r->ns, sizeof(r->ns), "%s", h->pool_ns);
	ceph_layout_object_name(h->ino, objno, r->oid, sizeof(r->oid));
	r->flags = flags;
}

/* The truncation @in knows, for an op at object offset @off that is file
 * offset @at: the OSD takes the size relative to the object (as the
 * kernel's ceph_osdc_new_request makes it: 0 for an object wholly past
 * the new end, the object's size for one wholly before it). */
static void op_truncate(struct osdc_request *r, const struct fileh *h, const struct mds_inode *in, uint64_t at,
			uint64_t off)
{
	uint64_t base = at - off, size = in->truncate_size;

	if (in->truncate_seq && !(in->truncate_seq == 1 && size == UINT64_MAX)) {
		if (size <= base)
			size = 0;
		else if ((size -= base) > h->layout.object_size)
			size = h->layout.object_size;
	}
	r->ops[0].extent.truncate_size = size;
	r->ops[0].extent.truncate_seq = in->truncate_seq;
}

/* @len bytes of object @objno at @off into @buf; past the object's end
 * (or a missing object: a hole) reads zeros. The truncate seq and size
 * of @in have the OSD read as zeros what a truncation it has not applied
 * yet removed. */
static int read_object(struct cephfs_front *f, const struct nf_ctx *c, const struct fileh *h, uint64_t objno,
		       uint64_t off, uint64_t len, char *buf, const struct mds_inode *in, uint64_t at)
{
	struct osdc_request r;
	int e;

	object_request(&r, h, objno, OSD_FLAG_READ);
	osdc_op_extent(&r, OSD_OP_READ, off, len, NULL, 0);
	op_truncate(&r, h, in, at, off);
	r.out_buf[0] = buf;
	r.out_cap[0] = (uint32_t)len;
	e = osdc_loop_call(f->osdc, &r, EVLOOP_NEVER, c ? c->cancel : NULL);
	if (e == -ENOENT) {
		memset(buf, 0, len);
		return 0;
	}
	if (e >= 0 && r.out_len[0] < len)
		memset(buf + r.out_len[0], 0, len - r.out_len[0]);
	osdc_request_release(&r);
	return e < 0 ? e : 0;
}

/* Where the file ends, for a read up to @want: the size as the cap
 * cache has it under Fs, else (another client may be writing it) asked
 * of the MDS when the read would pass the size we know, as the kernel
 * client's getattr at a read's end of file. Asked before the read takes
 * Fr: a GETATTR may wait on the MDS's file lock, whose change may wait
 * for our Fr. */
static int read_end(struct cephfs_front *f, const struct nf_ctx *c, const struct fileh *h, uint64_t want, uint64_t *end)
{
	struct mds_inode in;
	struct mdsc_request r;
	int e;

	if (!mdsc_loop_inode(f->mdsc, h->ino, MDS_CAP_FILE_SHARED, &in, NULL, 0) ||
	    (!mdsc_loop_inode(f->mdsc, h->ino, 0, &in, NULL, 0) && want <= in.size)) {
		*end = in.size;
		return 0;
	}
	e = getattr_ino(f, c, h->ino, &r);
	if (e)
		return e;
	*end = current_of(f, &r.rep->target, &in)->size;
	mdsc_request_release(&r);
	return 0;
}

static ssize_t c_read(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, char *buf, size_t size,
		      off_t off)
{
	struct cephfs_front *f = fs;
	struct fileh *h = (struct fileh *)(uintptr_t)fh;
	uint64_t at = (uint64_t)off, left, end;
	size_t done = 0;
	uint32_t got = 0;
	struct mds_inode in;
	int e;

	(void)key;
	if (!h)
		return -EBADF;
	e = cephfs_wb_sync(f, h->ino, false); /* our buffered writes are on the OSDs first */
	if (!e)
		e = read_end(f, c, h, at + size, &end);
	if (!e)
		e = get_caps(f, c, h, MDS_CAP_FILE_RD, MDS_CAP_FILE_CACHE, 0, &got);
	if (e)
		return e;
	if (at >= end)
		goto out;
	memset(&in, 0, sizeof(in)); /* truncate seq 0: no truncation known, the OSD looks at none */
	mdsc_loop_inode(f->mdsc, h->ino, 0, &in, NULL, 0);
	left = end - at < size ? end - at : size;
	while (left) {
		struct ceph_object_extent x;
		e = ceph_layout_map(&h->layout, at, left, &x);
		if (!e)
			e = read_object(f, c, h, x.objno, x.off, x.len, buf + done, &in, at);
		if (e) /* not a short read: the kernel would take it for the end of the file */
			goto out;
		done += x.len;
		at += x.len;
		left -= x.len;
	}
out:
	mdsc_loop_caps_put(f->mdsc, h->ino, got);
	if (!(got & MDS_CAP_FILE_CACHE) && !h->direct) /* read without Fc: the kernel must not keep it */
		cephfs_invalidate(f->inval, h->ino, MDSC_INVAL_PAGES, 0);
	return e ? e : (ssize_t)done;
}

/* Write @len bytes at @off of object @objno (file offset @at), stamped
 * @mtime. The truncate seq and size tell the OSD of a truncation it has
 * not applied yet. */
static int write_object(struct cephfs_front *f, struct evloop_cancel *cancel, const struct fileh *h, uint64_t objno,
			uint64_t off, uint64_t len, const char *buf, const struct mds_inode *in, uint64_t at,
			const struct timespec *mtime)
{
	struct osdc_request r;
	int e;

	object_request(&r, h, objno, OSD_FLAG_WRITE);
	osdc_op_extent(&r, OSD_OP_WRITE, off, len, buf, (uint32_t)len);
	op_truncate(&r, h, in, at, off);
	r.mtime_sec = (uint32_t)mtime->tv_sec;
	r.mtime_nsec = (uint32_t)mtime->tv_nsec;
	e = osdc_loop_call(f->osdc, &r, EVLOOP_NEVER, cancel);
	osdc_request_release(&r);
	return e < 0 ? e : 0;
}

/* @len bytes at @at to the OSDs, after the truncation @trunc names:
 * how many were written, short with *err on an error. */
static size_t write_osds(struct cephfs_front *f, struct evloop_cancel *cancel, const struct fileh *h,
			 const struct mds_inode *trunc, uint64_t at, const char *buf, size_t len,
			 const struct timespec *mtime, int *err)
{
	size_t done = 0;

	*err = 0;
	while (done < len) {
		struct ceph_object_extent x;
		int e = ceph_layout_map(&h->layout, at, len - done, &x);
		if (!e)
			e = write_object(f, cancel, h, x.objno, x.off, x.len, buf + done, trunc, at, mtime);
		if (e) {
			*err = e;
			break;
		}
		done += x.len;
		at += x.len;
	}
	return done;
}

ssize_t cephfs_write_osds(struct cephfs_front *f, struct evloop_cancel *cancel, uint64_t ino,
			  const struct ceph_file_layout *layout, const struct mds_inode *trunc, uint64_t off,
			  const char *buf, size_t len, const struct timespec *mtime)
{
	struct fileh h = {.ino = ino, .layout = *layout};
	size_t done;
	int e;

	snprintf(h.pool_ns, sizeof(h.pool_ns), "%s", layout->pool_ns ? layout->pool_ns : "");
	h.layout.pool_ns = h.pool_ns;
	done = write_osds(f, cancel, &h, trunc, off, buf, len, mtime, &e);
	return done ? (ssize_t)done : e;
}

/* A write is buffered (writeback.c) while Fb is held and the file was not
 * opened for synchronous or direct I/O; otherwise it goes to the OSDs
 * before it returns (the kernel client's sync write), after what is
 * buffered of the file. Either way it holds Fw, and the size and times it
 * changes are the cap's dirty state, flushed to the MDS at close, fsync
 * or a revoke (c_flush). */
static ssize_t c_write(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, const char *buf,
		       size_t size, off_t off)
{
	struct cephfs_front *f = fs;
	struct fileh *h = (struct fileh *)(uintptr_t)fh;
	size_t done = 0;
	uint32_t got = 0;
	struct mds_inode in;
	struct timespec now;
	int e;

	(void)key;
	if (!h || !h->writable)
		return -EBADF;
	if (!size)
		return 0;
	e = get_caps(f, c, h, MDS_CAP_FILE_WR, h->sync ? 0 : MDS_CAP_FILE_BUFFER, (uint64_t)off + size, &got);
	if (e)
		return e;
	/* the truncation the OSDs are told of, as Fw holds it now */
	memset(&in, 0, sizeof(in));
	mdsc_loop_inode(f->mdsc, h->ino, MDS_CAP_FILE_WR, &in, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &now);
	if (got & MDS_CAP_FILE_BUFFER) {
		bool kept = false;
		ssize_t n = cephfs_wb_write(f, c->cancel, h->ino, &h->layout, &in, (uint64_t)off, buf, size, &now, &kept);
		if (kept) /* the buffer holds Fb until written back */
			got &= ~MDS_CAP_FILE_BUFFER;
		done = n > 0 ? (size_t)n : 0;
		e = n < 0 ? (int)n : 0;
	} else {
		cephfs_wb_sync(f, h->ino, false); /* what was buffered goes first */
		done = write_osds(f, c->cancel, h, &in, (uint64_t)off, buf, size, &now, &e);
	}
	if (done) {
		mdsc_loop_caps_wrote(f->mdsc, h->ino, (uint64_t)off + done,
				     (struct mds_timespec){(uint32_t)now.tv_sec, (uint32_t)now.tv_nsec});
		__atomic_store_n(&h->wrote, true, __ATOMIC_RELAXED);
		__atomic_store_n(&h->unsynced, true, __ATOMIC_RELAXED);
	}
	mdsc_loop_caps_put(f->mdsc, h->ino, got);
	return done ? (ssize_t)done : e;
}

/* At each close the data buffered starts for the OSDs, not waited for;
 * the size and times our writes changed reach the MDS with the last
 * close's cap update, MDSC_CAPS_HOLD_MS later (mdsc_caps_close, after
 * the write-back). No other client reads the file or its size before both
 * are there: the MDS takes our Fb and Fw back first, and the revoke's ack
 * waits for the write-back and carries what is dirty. fsync waits for
 * both. */
static int c_flush(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, uint64_t lock_owner)
{
	struct cephfs_front *f = fs;
	struct fileh *h = (struct fileh *)(uintptr_t)fh;

	(void)c, (void)key, (void)lock_owner;
	if (h && __atomic_exchange_n(&h->wrote, false, __ATOMIC_RELAXED))
		cephfs_wb_start(f, h->ino);
	return 0;
}

static int c_fsync(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, bool datasync)
{
	struct cephfs_front *f = fs;
	struct fileh *h = (struct fileh *)(uintptr_t)fh;
	int e;

	(void)key, (void)datasync;
	if (!h)
		return 0;
	/* whatever descriptor wrote it: the data buffered (and an earlier
	 * write-back's error, once), then the size and times */
	e = cephfs_wb_sync(f, h->ino, true);
	if (e)
		return e;
	e = mdsc_loop_caps_flush(f->mdsc, h->ino, EVLOOP_NEVER, c->cancel);
	if (e == -ENOENT) /* the session went, with what was dirty if we wrote (.health says so) */
		e = __atomic_load_n(&h->unsynced, __ATOMIC_RELAXED) ? -EIO : 0;
	if (!e)
		__atomic_store_n(&h->unsynced, false, __ATOMIC_RELAXED);
	return e;
}

static void c_release(void *fs, const struct nf_key *key, uint64_t fh, int flags)
{
	struct cephfs_front *f = fs;
	struct fileh *h = (struct fileh *)(uintptr_t)fh;

	(void)key, (void)flags;
	if (h) /* once what it buffered is written back (at once when nothing is) */
		cephfs_wb_close(f, h->ino);
	free(h);
}

/* A quota on the mount's root (ceph.quota.max_bytes) makes df show it and
 * the bytes under it, as the kernel client does. Those come from a GETATTR
 * of the root, for its recursive byte count as the MDS has it now; an MDS
 * that does not answer within QUOTA_WAIT_MS leaves what the root's cap
 * holds from the last reply, and without that the cluster's space. */
#define QUOTA_WAIT_MS 2000
static void root_quota(struct cephfs_front *f, const struct nf_ctx *c, struct statvfs *out)
{
	struct mdsc_request r;
	struct mds_inode in;

	init_req(&r, c, MDS_OP_GETATTR, f->root_ino, "");
	r.m.args.mask = MDS_CAP_PIN | MDS_STAT_RSTAT;
	if (!mdsc_loop_call(f->mdsc, &r, evloop_deadline_ms(QUOTA_WAIT_MS), c->cancel) && r.rep && r.rep->is_target)
		ceph_statfs_quota(r.rep->target.quota_max_bytes, r.rep->target.rbytes, out);
	else if (!mdsc_loop_inode(f->mdsc, f->root_ino, 0, &in, NULL, 0))
		ceph_statfs_quota(in.quota_max_bytes, in.rbytes, out);
	mdsc_request_release(&r);
}

static int c_statfs(void *fs, const struct nf_ctx *c, const struct nf_key *key, struct statvfs *out)
{
	struct cephfs_front *f = fs;
	struct mon_statfs_reply r;
	uint64_t deadline = cephfs_wait_deadline(f);
	int e;

	(void)key;
	/* c->cancel ends the wait at once for an interrupted df or the mount
	 * ending (the session waits for its workers). */
	e = monc_loop_statfs(f->ml, deadline, c->cancel, &r);
	if (e)
		return e;
	ceph_statfs_fill(&r, out);
	if (!f->noquotadf)
		root_quota(f, c, out);
	return 0;
}

const struct nf_backend_ops cephfs_ops = {
    .lookup = c_lookup,
    .forget = c_forget,
    .getattr = c_getattr,
    .readlink = c_readlink,
    .opendir = c_opendir,
    .readdir = c_readdir,
    .releasedir = c_releasedir,
    .open = c_open,
    .read = c_read,
    .write = c_write,
    .flush = c_flush,
    .fsync = c_fsync,
    .release = c_release,
    .create = c_create,
    .setattr = c_setattr,
    .mkdir = c_mkdir,
    .mknod = c_mknod,
    .symlink = c_symlink,
    .link = c_link,
    .unlink = c_unlink,
    .rmdir = c_rmdir,
    .rename = c_rename,
    .statfs = c_statfs,
};
