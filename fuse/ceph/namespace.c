/*
 * fuse/ceph/namespace.c: the CephFS namespace and file data of a
 * netfuse-ceph mount, over the MDS client (mdsc_loop) and the OSD client
 * (osdc_loop): lookup, getattr, readlink and readdir as MDS requests, reads
 * from the file's objects as its layout stripes them.
 *
 * Read-only for now (operations that change the file system are the
 * core's EROFS), and coherent through the MDS client's caps:
 *  - attributes: a getattr is answered from the cap cache while As, Ls and
 *    Fs are issued, else asked of the MDS (whose reply brings the caps);
 *    names are always asked (no dentry leases are kept). The kernel keeps
 *    both for the mount's entry_timeout and attr_timeout (1 s by default),
 *    and drops the attributes at once when a cap they rest on goes.
 *  - data: a file is opened with the MDS (OPEN, wanting Fr and Fc); each
 *    read holds Fr, waiting for the MDS to grant it (so another client's
 *    buffered writes are flushed first), and reads the objects. The
 *    kernel's pages are kept across opens only while Fc has been held since
 *    the last open, dropped when Fc is revoked (before the revoke is
 *    acknowledged), and dropped right after a read made without Fc.
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

static int c_lookup(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, struct nf_entry *out)
{
	struct cephfs_front *f = fs;
	struct mdsc_request r;
	int e;

	init_req(&r, c, MDS_OP_LOOKUP, dir->lo, name);
	r.m.flags = MDS_REQ_FLAG_WANT_DENTRY;
	e = call(f, c, &r, false);
	if (e)
		return e;
	if (!r.rep || !r.rep->is_target) { /* a null dentry: the name is not there */
		mdsc_request_release(&r);
		return -ENOENT;
	}
	to_entry(&r.rep->target, out);
	mdsc_request_release(&r);
	return 0;
}

/* What stat(2) needs issued to be answered from the cap cache: mode and
 * owners (As), links (Ls), size and times (Fs; a directory's counts too). */
#define STAT_CAPS (MDS_CAP_PIN | MDS_CAP_AUTH_SHARED | MDS_CAP_LINK_SHARED | MDS_CAP_FILE_SHARED)

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
	to_stat(&r.rep->target, out);
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

static int dir_push(struct dirh *d, const struct mds_dentry *de)
{
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
	to_entry(&de->inode, &d->v[d->n].e);
	d->n++;
	return 0;
}

static int c_opendir(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t *fh)
{
	struct cephfs_front *f = fs;
	struct dirh *d = calloc(1, sizeof(*d));
	char *last = calloc(1, 4096);
	uint32_t frag = 0;
	int e = d && last ? 0 : -ENOMEM;

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
			if (de->name_len >= 4096 || dir_push(d, de)) {
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
	*fh = (uint64_t)(uintptr_t)d;
	return 0;
}

static int c_readdir(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, off_t off,
		     struct nf_dir *nd)
{
	struct dirh *d = (struct dirh *)(uintptr_t)fh;
	struct nf_entry e;

	(void)fs, (void)c;
	for (; off < 2; off++) { /* "." and ".." */
		nf_entry_init(&e);
		e.key = *key;
		e.attr.st_mode = S_IFDIR;
		if (!nf_dir_add(nd, off == 0 ? "." : "..", &e, off + 1))
			return 0;
	}
	for (; d && (size_t)(off - 2) < d->n; off++) {
		const struct dent *de = &d->v[off - 2];
		if (!nf_dir_add(nd, de->name, &de->e, off + 1))
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

/* ---- file data --------------------------------------------------------------------------- */

/* An open file: where its data lies, and its size as last seen. */
struct fileh {
	uint64_t ino, size;
	struct ceph_file_layout layout;
	char pool_ns[128];
};

static void layout_from(struct fileh *h, const struct mds_inode *in)
{
	h->ino = in->ino;
	h->size = in->size;
	h->layout = (struct ceph_file_layout){.stripe_unit = in->stripe_unit,
					      .stripe_count = in->stripe_count,
					      .object_size = in->object_size,
					      .pool = in->pool,
					      .pool_ns = h->pool_ns};
	snprintf(h->pool_ns, sizeof(h->pool_ns), "%.*s", (int)in->pool_ns_len, (const char *)in->pool_ns);
}

/* OPEN @ino for reading: the MDS records that we want Fr and Fc, and its
 * reply brings the inode and its cap. */
static int open_ino(struct cephfs_front *f, const struct nf_ctx *c, uint64_t ino, struct mdsc_request *r)
{
	init_req(r, c, MDS_OP_OPEN, ino, "");
	r->m.args.flags = MDS_O_RDONLY;
	r->m.args.mask = 0;
	return call(f, c, r, true);
}

#define READ_CAPS (MDS_CAP_FILE_RD | MDS_CAP_FILE_CACHE)

static int c_open(void *fs, const struct nf_ctx *c, const struct nf_key *key, int flags, struct nf_open *o)
{
	struct cephfs_front *f = fs;
	struct fileh *h;
	struct mdsc_request r;
	uint32_t got = 0;
	int e;

	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	e = open_ino(f, c, key->lo, &r);
	if (e)
		return e;
	if (!S_ISREG(r.rep->target.mode) ||
	    !ceph_layout_valid(&(struct ceph_file_layout){.stripe_unit = r.rep->target.stripe_unit,
							  .stripe_count = r.rep->target.stripe_count,
							  .object_size = r.rep->target.object_size})) {
		e = S_ISREG(r.rep->target.mode) ? -EIO : -EISDIR;
		mdsc_request_release(&r);
		return e;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		mdsc_request_release(&r);
		return -ENOMEM;
	}
	layout_from(h, &r.rep->target);
	mdsc_request_release(&r);
	o->keep_cache = mdsc_loop_caps_open(f->mdsc, h->ino, READ_CAPS);
	/* Wait for Fr here, as a read would: another client may have to
	 * flush what it buffers first, and then the size the kernel holds
	 * from the lookup is old. Dropping the kernel's attributes (not its
	 * pages) takes no lock an open holds. */
	e = mdsc_loop_caps_get(f->mdsc, h->ino, MDS_CAP_FILE_RD, 0, 0, c->cancel, &got);
	if (e == -ETIMEDOUT) {
		e = mdsc_loop_caps_get(f->mdsc, h->ino, MDS_CAP_FILE_RD, 0, EVLOOP_NEVER, c->cancel, &got);
		if (!e)
			nf_notify_inval_inode(f->mount, key, -1, 0);
	}
	if (!e)
		mdsc_loop_caps_put(f->mdsc, h->ino, got);
	else if (e != -ENOENT) { /* -ENOENT: the cap went already; the read opens again */
		mdsc_loop_caps_close(f->mdsc, h->ino);
		free(h);
		return e;
	}
	o->fh = (uint64_t)(uintptr_t)h;
	return 0;
}

/* @len bytes of object @objno at @off into @buf; past the object's end
 * (or a missing object: a hole) reads zeros. */
static int read_object(struct cephfs_front *f, const struct nf_ctx *c, const struct fileh *h, uint64_t objno,
		       uint64_t off, uint64_t len, char *buf)
{
	struct osdc_request r;
	int e;

	memset(&r, 0, sizeof(r));
	r.pool = h->layout.pool;
	snprintf(r.ns, sizeof(r.ns), "%s", h->pool_ns);
	ceph_layout_object_name(h->ino, objno, r.oid, sizeof(r.oid));
	r.flags = OSD_FLAG_READ;
	osdc_op_extent(&r, OSD_OP_READ, off, len, NULL, 0);
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

static ssize_t c_read(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, char *buf, size_t size,
		      off_t off)
{
	struct cephfs_front *f = fs;
	struct fileh *h = (struct fileh *)(uintptr_t)fh;
	uint64_t at = (uint64_t)off, left;
	size_t done = 0;

	uint32_t got = 0;
	struct mds_inode in;
	int e;

	if (!h)
		return -EBADF;
	e = mdsc_loop_caps_get(f->mdsc, h->ino, MDS_CAP_FILE_RD, MDS_CAP_FILE_CACHE, EVLOOP_NEVER, c->cancel, &got);
	if (e == -ENOENT) { /* the cap went (the session, a recall): open again */
		struct mdsc_request r;
		e = open_ino(f, c, h->ino, &r);
		if (e)
			return e;
		mdsc_request_release(&r);
		mdsc_loop_caps_open(f->mdsc, h->ino, READ_CAPS);
		e = mdsc_loop_caps_get(f->mdsc, h->ino, MDS_CAP_FILE_RD, MDS_CAP_FILE_CACHE, EVLOOP_NEVER, c->cancel,
				       &got);
	}
	if (e)
		return e == -ENOENT ? -EIO : e;
	if (!mdsc_loop_inode(f->mdsc, h->ino, MDS_CAP_FILE_SHARED, &in, NULL, 0)) {
		h->size = in.size;	  /* Fs: the size is current */
	} else if (at + size > h->size) { /* it may have grown since the open */
		struct mdsc_request r;
		e = getattr_ino(f, c, key->lo, &r);
		if (e)
			goto out;
		h->size = r.rep->target.size;
		mdsc_request_release(&r);
	}
	if (at >= h->size)
		goto out;
	left = h->size - at < size ? h->size - at : size;
	while (left) {
		struct ceph_object_extent x;
		e = ceph_layout_map(&h->layout, at, left, &x);
		if (!e)
			e = read_object(f, c, h, x.objno, x.off, x.len, buf + done);
		if (e) /* not a short read: the kernel would take it for the end of the file */
			goto out;
		done += x.len;
		at += x.len;
		left -= x.len;
	}
out:
	mdsc_loop_caps_put(f->mdsc, h->ino, got);
	if (!(got & MDS_CAP_FILE_CACHE)) /* read without Fc: the kernel must not keep it */
		cephfs_invalidate(f->inval, h->ino, MDSC_INVAL_PAGES, 0);
	return e ? e : (ssize_t)done;
}

static void c_release(void *fs, const struct nf_key *key, uint64_t fh, int flags)
{
	struct cephfs_front *f = fs;
	struct fileh *h = (struct fileh *)(uintptr_t)fh;

	(void)key, (void)flags;
	if (h)
		mdsc_loop_caps_close(f->mdsc, h->ino);
	free(h);
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
    .release = c_release,
    .statfs = c_statfs,
};
