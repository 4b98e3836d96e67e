/*
 * fuse/afs/main.c: netfuse-afs, the AFS front-end on the FUSE core.
 *
 *   netfuse-afs %[CELL:]VOLUME | #[CELL:]VOLUME  MOUNTPOINT [-o OPTS]
 *
 * The cache manager (cm.h) finds the volume through the cell's VL servers
 * and talks to its fileservers over one Rx endpoint, which also serves the
 * callback service the fileservers call back on. This file maps the FUSE
 * core's operations onto it:
 *
 *   keys     an object's key is its FID and cell; a mount point crossed is
 *            keyed by the mount point's own FID (marked as a crossing), so
 *            each place a volume is mounted is a directory of its own and
 *            a cycle of mount points ends in the kernel's ELOOP rather
 *            than a directory with two parents
 *   reads    a file read in sequence is fetched ahead in 1 MiB chunks,
 *            several FetchData64 calls at once (readahead.h); other reads
 *            are one FetchData64 each; the kernel's page cache is kept
 *            across opens while the data version stays
 *   writes   each write is a StoreData64 before it returns (write-through:
 *            close-to-open holds, another client sees the data once the
 *            write returned, at the cost of one round trip per write)
 *   names    changed through the fileserver; the statuses it returns update
 *            the cache, and the change is made to the directory's blob held
 *            (as the fileserver made it) when nothing else changed it
 *
 *   removal  a file removed, or replaced by a rename, while it is open is
 *            renamed to a hidden .__afs name instead and removed at its
 *            last close (silly rename, as kAFS and NFS do); that close
 *            reaches us after close() returned, so an rmdir of the
 *            directory waits a moment for the name to go
 *
 * Trade-offs for now: writes through (one round trip per kernel write),
 * anonymous access (rxnull) only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evloop/evloop.h"
#include "fuse/afs/cm.h"
#include "fuse/afs/readahead.h"
#include "fuse/afs/writeback.h"
#include "fuse/afs/source.h"
#include "fuse/afs/views.h"
#include "fuse/backend.h"
#include "text/printable.h"

/* Where Debian's openafs-client keeps the cell database. */
#define AFS_DEFAULT_CELLSERVDB "/etc/openafs/CellServDB"
#define AFS_DEFAULT_THISCELL   "/etc/openafs/ThisCell"
#define AFS_DIR_CACHE_DEFAULT  (64u << 20)

/* ---- options --------------------------------------------------------------------- */

static struct {
	char *cellservdb, *thiscell;
	double timeout, mount_timeout, readahead_rtt;
	unsigned readahead, write_buffer, keep_written, dir_cache;
	bool dyn;
} aopts = {.timeout = 60,
	   .mount_timeout = 60,
	   .readahead = AFS_RA_WINDOW_DEFAULT,
	   .readahead_rtt = AFS_RA_MIN_RTT_DEFAULT,
	   .write_buffer = AFS_WB_DEFAULT,
	   .keep_written = AFS_WB_KEPT_DEFAULT,
	   .dir_cache = AFS_DIR_CACHE_DEFAULT};

#define O(f) offsetof(__typeof__(aopts), f)
static const struct mopt_spec afs_specs[] = {
    {.name = "cellservdb",
     .type = MOPT_PATH,
     .offset = O(cellservdb),
     .help = "cellservdb=FILE      the cells and their VL servers (default " AFS_DEFAULT_CELLSERVDB ")"},
    {.name = "thiscell",
     .type = MOPT_PATH,
     .offset = O(thiscell),
     .help = "thiscell=FILE        the cell of sources without one (default " AFS_DEFAULT_THISCELL ")"},
    {.name = "dyn",
     .type = MOPT_FLAG,
     .offset = O(dyn),
     .help = "dyn                  a dynamic root (source: none): one directory per cell of the CellServDB"},
    {.name = "timeout",
     .type = MOPT_SECONDS,
     .offset = O(timeout),
     .max = 86400,
     .help = "timeout=S            give up an operation on the servers after S seconds (default 60)"},
    {.name = "readahead",
     .type = MOPT_UINT,
     .offset = O(readahead),
     .max = 64u << 20,
     .help = "readahead=BYTES      fetched ahead of a file read in sequence (default 4194304; 0: none)"},
    {.name = "readahead_rtt",
     .type = MOPT_SECONDS,
     .offset = O(readahead_rtt),
     .max = 60,
     .help = "readahead_rtt=S      read ahead only from fileservers at least S seconds away (default 0.003)"},
    {.name = "write_buffer",
     .type = MOPT_UINT,
     .offset = O(write_buffer),
     .max = 64u << 20,
     .help = "write_buffer=BYTES   writes held per file, stored at close (default 4194304; 0: each at once)"},
    {.name = "keep_written",
     .type = MOPT_UINT,
     .offset = O(keep_written),
     .max = 1u << 30,
     .help = "keep_written=BYTES   files written whole kept for the reads after (default 33554432 in all; 0: none)"},
    {.name = "dir_cache",
     .type = MOPT_UINT,
     .offset = O(dir_cache),
     .max = 4095u << 20,
     .help =
	 "dir_cache=BYTES      directories held, least recently used dropped past it (default 67108864; 0: no limit)"},
    {.name = "mount_timeout",
     .type = MOPT_SECONDS,
     .offset = O(mount_timeout),
     .max = 86400,
     .help = "mount_timeout=S      give up mounting after S seconds (default 60)"},
    {.name = NULL},
};
#undef O

/* ---- keys ------------------------------------------------------------------------- */

#define KIND_VNODE	0
#define KIND_MOUNTPOINT 1 /* the FID of a mount point; the object is its volume's root */
#define KIND_DYNROOT	2 /* -o dyn: the root listing the cells */
#define KIND_CELL	3 /* -o dyn: a cell's root.cell, "#" (lo 0) or "%" (lo 1, the ".cell" name) */

static struct nf_key key_of(unsigned kind, unsigned cell, const struct afs_fid *fid)
{
	return (struct nf_key){.hi = (uint64_t)kind << 56 | (uint64_t)cell << 32 | fid->volume,
			       .lo = (uint64_t)fid->vnode << 32 | fid->unique};
}

static void key_split(const struct nf_key *k, unsigned *kind, unsigned *cell, struct afs_fid *fid)
{
	*kind = (unsigned)(k->hi >> 56);
	*cell = (unsigned)(k->hi >> 32) & 0xffffff;
	*fid = (struct afs_fid){.volume = (uint32_t)k->hi, .vnode = (uint32_t)(k->lo >> 32), .unique = (uint32_t)k->lo};
}

struct afs_front {
	struct afs_cm cm;
	struct afs_ra *ra;
	struct afs_wb *wb;
	struct nf_mount *mount;
	unsigned cell;
	struct afs_fid root;
	bool dyn;
	time_t mounted_at;
};

/* An open file's handle: opened for writing (a close of it hears of a
 * failed store of held writes). */
#define FH_WRITER 1

/* What a key names, ready for calls. */
struct obj {
	unsigned cell;
	struct cm_volume *vol;
	struct cm_vnode *vn;
};

/* What a read or write returns when no fileserver answered in time (or
 * every one refused): EIO, as a disk that failed, not the transport's
 * own error. */
static ssize_t io_errno(ssize_t r)
{
	return r < 0 && r > INT_MIN && cm_err_unreachable((int)r) ? -EIO : r;
}

/* Store what @vn holds, with no request to answer (a release, the unmount):
 * a failure is the writer's next close's error and in .health. */
static void flush_held(struct afs_front *f, struct cm_vnode *vn)
{
	struct cm_volume *vol;
	if (afs_wb_end(vn) && (vol = cm_volume_by_id(&f->cm, vn->cell, vn->fid.volume)))
		afs_wb_flush(f->wb, NULL, vol, vn);
}

/* A file's size counts the writes held for it (writeback.h). */
static void held_size(const struct cm_vnode *vn, struct stat *st)
{
	uint64_t end = afs_wb_end(vn);
	if (end > (uint64_t)st->st_size)
		st->st_size = (off_t)end;
}

/* The root a mount point names: the volume its contents name, crossed from
 * the mount point's volume. Cached on the mount point's vnode for the data
 * version of its contents. */
static int mountpoint_target(struct afs_front *f, struct evloop_cancel *cancel, struct obj *mp, struct obj *out)
{
	struct afs_cm *cm = &f->cm;
	char text[AFS_PATHMAX + 1];
	int n = cm_link(cm, cancel, mp->vol, mp->vn, text, sizeof(text));
	if (n < 0)
		return n;
	pthread_mutex_lock(&cm->lock);
	bool known = mp->vn->mp_resolved && mp->vn->mp_dv == mp->vn->link_dv;
	struct afs_fid root = mp->vn->mp_root;
	unsigned cell = mp->vn->mp_cell;
	pthread_mutex_unlock(&cm->lock);
	if (!known) {
		struct afs_source src;
		char why[200];
		int r = afs_source_parse(text, (size_t)n, &src, why, sizeof(why));
		if (r)
			return -EIO;
		struct cm_volume *v;
		r = cm_volume_get(cm, cancel, mp->cell, &src, (int)mp->vol->type, &v, why, sizeof(why));
		if (r) {
			health_report(nf_mount_health(f->mount), HEALTH_DOMAIN_VOLUME, HEALTH_SICK, r, src.volume, NULL,
				      "mount point %.*s: %s", n, text, why);
			return r == -ENOENT ? -ENOENT : r;
		}
		root = (struct afs_fid){.volume = v->id, .vnode = 1, .unique = 1};
		cell = v->cell;
		pthread_mutex_lock(&cm->lock);
		mp->vn->mp_root = root;
		mp->vn->mp_cell = cell;
		mp->vn->mp_dv = mp->vn->link_dv;
		mp->vn->mp_resolved = true;
		pthread_mutex_unlock(&cm->lock);
	}
	out->cell = cell;
	out->vol = cm_volume_by_id(cm, cell, root.volume);
	out->vn = cm_vnode(cm, cell, &root);
	return out->vol && out->vn ? 0 : -ENOMEM;
}

/* A cell's root.cell under the dynamic root: "#" (a read-only site when
 * there is one) or "%" (read-write) as @rw says. */
static int cell_root(struct afs_front *f, struct evloop_cancel *cancel, unsigned cell, bool rw, struct obj *o)
{
	struct afs_source src = {.volume = "root.cell", .type = AFS_VOL_RW, .forced = rw};
	struct cm_volume *v;
	char why[200];
	int r = cm_volume_get(&f->cm, cancel, cell, &src, -1, &v, why, sizeof(why));
	if (r) {
		health_report(nf_mount_health(f->mount), HEALTH_DOMAIN_VOLUME, HEALTH_SICK, r, "root.cell", NULL, "%s",
			      why);
		return r;
	}
	struct afs_fid root = {.volume = v->id, .vnode = 1, .unique = 1};
	*o = (struct obj){.cell = v->cell, .vol = v, .vn = cm_vnode(&f->cm, v->cell, &root)};
	return o->vn ? 0 : -ENOMEM;
}

static int resolve(struct afs_front *f, struct evloop_cancel *cancel, const struct nf_key *key, struct obj *o)
{
	unsigned kind, cell;
	struct afs_fid fid;
	key_split(key, &kind, &cell, &fid);
	if (kind == KIND_DYNROOT)
		return -EROFS; /* no AFS object: what is not answered for it is refused */
	if (cell >= f->cm.ncells)
		return -ESTALE;
	if (kind == KIND_CELL)
		return cell_root(f, cancel, cell, key->lo == 1, o);
	o->cell = cell;
	o->vol = cm_volume_by_id(&f->cm, cell, fid.volume);
	o->vn = o->vol ? cm_vnode(&f->cm, cell, &fid) : NULL;
	if (!o->vol)
		return -ESTALE;
	if (!o->vn)
		return -ENOMEM;
	if (kind == KIND_MOUNTPOINT) {
		struct obj mp = *o;
		return mountpoint_target(f, cancel, &mp, o);
	}
	return 0;
}

/* What @key names, with its status (fetched when its promise does not hold). */
static int resolve_status(struct afs_front *f, struct evloop_cancel *cancel, const struct nf_key *key, struct obj *o,
			  struct afs_fetch_status *st)
{
	int r = resolve(f, cancel, key, o);
	return r ? r : cm_status(&f->cm, cancel, o->vol, o->vn, st);
}

/* A symlink whose mode is 0644 and whose contents name a volume. */
static bool is_mountpoint(struct afs_front *f, struct evloop_cancel *cancel, struct obj *o,
			  const struct afs_fetch_status *st)
{
	if (st->file_type != AFS_FTYPE_SYMLINK || (st->unix_mode_bits & 0777) != 0644)
		return false;
	char text[AFS_PATHMAX + 1];
	int n = cm_link(&f->cm, cancel, o->vol, o->vn, text, sizeof(text));
	return n >= 2 && (text[0] == '#' || text[0] == '%') && text[n - 1] == '.';
}

/* The entry for object @o (its status fetched when stale). */
static int entry_of(struct afs_front *f, struct evloop_cancel *cancel, struct obj *o, struct nf_entry *e)
{
	struct afs_fetch_status st;
	int r = cm_status(&f->cm, cancel, o->vol, o->vn, &st);
	if (r)
		return r;
	nf_entry_init(e);
	if (is_mountpoint(f, cancel, o, &st)) {
		struct obj root;
		r = mountpoint_target(f, cancel, o, &root);
		if (r)
			return r;
		r = cm_status(&f->cm, cancel, root.vol, root.vn, &st);
		if (r)
			return r;
		e->key = key_of(KIND_MOUNTPOINT, o->cell, &o->vn->fid);
		cm_stat(&st, &root.vn->fid, &e->attr);
		return 0;
	}
	e->key = key_of(KIND_VNODE, o->cell, &o->vn->fid);
	cm_stat(&st, &o->vn->fid, &e->attr);
	held_size(o->vn, &e->attr);
	return 0;
}

/* ---- the dynamic root ------------------------------------------------------------- */

static bool is_dynroot(const struct nf_key *k)
{
	return k->hi >> 56 == KIND_DYNROOT;
}

static void dynroot_attr(const struct afs_front *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = 1;
	st->st_mode = S_IFDIR | 0555;
	st->st_nlink = 2 + 2 * f->cm.ncells;
	st->st_blksize = 4096;
	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec = f->mounted_at;
}

/* "cell" and ".cell" (read-write) name the cells of the CellServDB. */
static int dynroot_lookup(struct afs_front *f, struct evloop_cancel *cancel, const char *name, struct nf_entry *e)
{
	bool rw = name[0] == '.';
	int cell = cm_cell_find(&f->cm, name + rw);
	if (cell < 0)
		return -ENOENT;
	struct obj o;
	struct afs_fetch_status st;
	int r = cell_root(f, cancel, (unsigned)cell, rw, &o);
	if (!r)
		r = cm_status(&f->cm, cancel, o.vol, o.vn, &st);
	if (r)
		return r;
	nf_entry_init(e);
	e->key = (struct nf_key){.hi = (uint64_t)KIND_CELL << 56 | (uint64_t)cell << 32, .lo = rw};
	cm_stat(&st, &o.vn->fid, &e->attr);
	return 0;
}

/* The cells, each as "cell" and ".cell", at offsets 2 + 2i and 3 + 2i;
 * names only (a cell is looked up in its VLDB when it is used). */
static int dynroot_readdir(struct afs_front *f, off_t off, struct nf_dir *d)
{
	struct nf_entry e;
	for (; off < 2 + 2 * (off_t)f->cm.ncells; off++) {
		nf_entry_init(&e);
		e.attr.st_mode = S_IFDIR;
		char name[AFS_CELL_NAME_MAX + 1];
		if (off < 2) {
			snprintf(name, sizeof(name), "%s", off == 0 ? "." : "..");
		} else {
			unsigned cell = (unsigned)(off - 2) / 2;
			snprintf(name, sizeof(name), "%s%s", (off - 2) % 2 ? "." : "", f->cm.cells[cell].name);
			e.attr.st_ino = 2 + (uint64_t)(off - 2);
		}
		if (!nf_dir_add(d, name, &e, off + 1))
			return 0;
	}
	nf_dir_eof(d);
	return 0;
}

/* ---- names and attributes -------------------------------------------------------- */

static int a_lookup(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, struct nf_entry *out)
{
	struct afs_front *f = fs;
	struct obj d, o;
	struct afs_fid fid;
	if (is_dynroot(dir))
		return dynroot_lookup(f, c->cancel, name, out);
	int r = resolve(f, c->cancel, dir, &d);
	if (r)
		return r;
	r = cm_dir_lookup(&f->cm, c->cancel, d.vol, d.vn, name, &fid);
	if (r)
		return r;
	o = (struct obj){.cell = d.cell, .vol = d.vol, .vn = cm_vnode(&f->cm, d.cell, &fid)};
	if (!o.vn)
		return -ENOMEM;
	r = entry_of(f, c->cancel, &o, out);
	return r == -ENOENT ? -ENOENT : r;
}

static void a_forget(void *fs, const struct nf_key *key)
{
	struct afs_front *f = fs;
	unsigned kind, cell;
	struct afs_fid fid;
	key_split(key, &kind, &cell, &fid);
	if (cell >= f->cm.ncells || kind != KIND_VNODE)
		return;
	struct cm_vnode *vn = cm_vnode(&f->cm, cell, &fid);
	if (vn) {
		afs_ra_drop(f->ra, vn);
		cm_forget_data(&f->cm, vn);
	}
}

static int a_getattr(void *fs, const struct nf_ctx *c, const struct nf_key *key, bool has_fh, uint64_t fh,
		     struct stat *out)
{
	struct afs_front *f = fs;
	struct obj o;
	struct afs_fetch_status st;
	(void)has_fh, (void)fh;
	if (is_dynroot(key)) {
		dynroot_attr(f, out);
		return 0;
	}
	int r = resolve_status(f, c->cancel, key, &o, &st);
	if (r)
		return r;
	cm_stat(&st, &o.vn->fid, out);
	held_size(o.vn, out);
	pthread_mutex_lock(&f->cm.lock);
	if (o.vn->silly) /* removed while open: its one name is a hidden one */
		out->st_nlink = out->st_nlink > 0 ? out->st_nlink - 1 : 0;
	pthread_mutex_unlock(&f->cm.lock);
	return 0;
}

static int a_readlink(void *fs, const struct nf_ctx *c, const struct nf_key *key, char *buf, size_t len)
{
	struct afs_front *f = fs;
	struct obj o;
	int r = resolve(f, c->cancel, key, &o);
	if (r)
		return r;
	r = cm_link(&f->cm, c->cancel, o.vol, o.vn, buf, len);
	return r < 0 ? r : 0;
}

/* ---- directories ------------------------------------------------------------------ */

#define LIST_BATCH 64

static int a_readdir(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, off_t off,
		     struct nf_dir *d)
{
	struct afs_front *f = fs;
	struct obj o;
	(void)fh;
	if (is_dynroot(key))
		return dynroot_readdir(f, off, d);
	int r = resolve(f, c->cancel, key, &o);
	if (r)
		return r;
	struct cm_dirent *ents = malloc(LIST_BATCH * sizeof(*ents));
	struct cm_vnode *vns[LIST_BATCH];
	if (!ents)
		return -ENOMEM;
	/* Offsets are entry numbers + 1: stable while the directory holds them. */
	unsigned from = (unsigned)off;
	for (;;) {
		unsigned n;
		r = cm_dir_list(&f->cm, c->cancel, o.vol, o.vn, from, ents, LIST_BATCH, &n);
		if (r || n == 0) {
			if (!r)
				nf_dir_eof(d);
			break;
		}
		bool plus = nf_dir_plus(d);
		if (plus) {
			unsigned k = 0;
			for (unsigned i = 0; i < n; i++)
				if (strcmp(ents[i].name, ".") && strcmp(ents[i].name, "..") &&
				    (vns[k] = cm_vnode(&f->cm, o.cell, &ents[i].fid)))
					k++;
			r = cm_bulk_status(&f->cm, c->cancel, o.vol, vns, k);
			if (r)
				break;
		}
		bool full = false;
		for (unsigned i = 0; i < n && !full; i++) {
			struct nf_entry e;
			nf_entry_init(&e);
			bool dots = !strcmp(ents[i].name, ".") || !strcmp(ents[i].name, "..");
			if (dots) {
				e.attr.st_mode = S_IFDIR;
			} else if (plus) {
				struct obj child = {
				    .cell = o.cell, .vol = o.vol, .vn = cm_vnode(&f->cm, o.cell, &ents[i].fid)};
				r = child.vn ? entry_of(f, c->cancel, &child, &e) : -ENOMEM;
				if (r == -ENOENT) { /* gone since the listing */
					from = ents[i].num + 1;
					r = 0;
					continue;
				}
				if (cm_err_cancelled(r) || r == -ENOMEM)
					break;
				if (r) { /* (a mount point whose volume does not answer):
					  * the name alone, its lookup will tell */
					nf_entry_init(&e);
					e.attr.st_ino = (uint64_t)ents[i].fid.volume << 32 | ents[i].fid.vnode;
					r = 0;
				}
			} else {
				e.key = key_of(KIND_VNODE, o.cell, &ents[i].fid);
				e.attr.st_ino = (uint64_t)ents[i].fid.volume << 32 | ents[i].fid.vnode;
			}
			if (!nf_dir_add(d, ents[i].name, &e, (off_t)ents[i].num + 1)) {
				full = true;
				break;
			}
			from = ents[i].num + 1;
		}
		if (r || full)
			break;
	}
	free(ents);
	return r;
}

/* ---- files ------------------------------------------------------------------------ */

static int a_open(void *fs, const struct nf_ctx *c, const struct nf_key *key, int flags, struct nf_open *op)
{
	struct afs_front *f = fs;
	struct obj o;
	struct afs_fetch_status st;
	int r = resolve_status(f, c->cancel, key, &o, &st);
	if (r)
		return r;
	if (st.file_type == AFS_FTYPE_DIR)
		return -EISDIR;
	op->fh = (flags & O_ACCMODE) != O_RDONLY ? FH_WRITER : 0;
	/* Keep the kernel's pages while the data is the version they hold. */
	pthread_mutex_lock(&f->cm.lock);
	uint64_t dv = afs_fetch_status_data_version(&o.vn->status);
	op->keep_cache = o.vn->cached && o.vn->cached_dv == dv;
	o.vn->cached = true;
	o.vn->cached_dv = dv;
	o.vn->opens++;
	pthread_mutex_unlock(&f->cm.lock);
	return 0;
}

static int remove_name(struct afs_front *f, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *dvn,
		       const char *name, bool is_dir);

/* The last close of a file removed while open removes its silly name. */
static void a_release(void *fs, const struct nf_key *key, uint64_t fh, int flags)
{
	struct afs_front *f = fs;
	unsigned kind, cell;
	struct afs_fid fid;
	(void)fh, (void)flags;
	key_split(key, &kind, &cell, &fid);
	if (kind != KIND_VNODE || cell >= f->cm.ncells)
		return;
	struct cm_vnode *vn = cm_vnode(&f->cm, cell, &fid);
	if (!vn)
		return;
	flush_held(f, vn); /* written through a mapping after the last close */
	pthread_mutex_lock(&f->cm.lock);
	char *silly = NULL;
	bool last = vn->opens && --vn->opens == 0;
	if (last && vn->silly) {
		silly = vn->silly;
		vn->silly = NULL;
		vn->silly_going = true;
	}
	struct afs_fid dir = vn->silly_dir;
	pthread_mutex_unlock(&f->cm.lock);
	if (last) /* chunks fetched ahead of a reader that stopped short */
		afs_ra_drop(f->ra, vn);
	if (silly) {
		struct cm_volume *vol = cm_volume_by_id(&f->cm, cell, dir.volume);
		struct cm_vnode *dvn = cm_vnode(&f->cm, cell, &dir);
		if (vol && dvn)
			remove_name(f, NULL, vol, dvn, silly, false);
		free(silly);
		pthread_mutex_lock(&f->cm.lock);
		vn->silly_going = false;
		pthread_mutex_unlock(&f->cm.lock);
	}
}

static ssize_t a_read(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, char *buf, size_t size,
		      off_t off)
{
	struct afs_front *f = fs;
	struct obj o;
	(void)fh;
	int r = resolve(f, c->cancel, key, &o);
	if (!r) /* the fileserver's copy must be ours first */
		r = afs_wb_flush(f->wb, c->cancel, o.vol, o.vn);
	if (r)
		return io_errno(r);
	ssize_t n = afs_wb_read_kept(f->wb, o.vn, buf, size, (uint64_t)off);
	if (n >= 0)
		return n;
	return io_errno(afs_ra_read(f->ra, c->cancel, o.vol, o.vn, buf, size, (uint64_t)off));
}

static ssize_t a_write(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, const char *buf,
		       size_t size, off_t off)
{
	struct afs_front *f = fs;
	struct obj o;
	(void)fh;
	int r = resolve(f, c->cancel, key, &o);
	if (r)
		return r;
	return io_errno(afs_wb_write(f->wb, c->cancel, o.vol, o.vn, buf, size, (uint64_t)off));
}

/* Close (each close(2) of a descriptor) and fsync store what is held; a
 * descriptor open for writing hears of an earlier store that failed. */
static int a_flush(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, uint64_t lock_owner)
{
	struct afs_front *f = fs;
	struct obj o;
	(void)lock_owner;
	unsigned kind, cell;
	struct afs_fid fid;
	key_split(key, &kind, &cell, &fid);
	if (kind != KIND_VNODE)
		return 0;
	int r = resolve(f, c->cancel, key, &o);
	if (r)
		return r;
	return (int)io_errno(fh & FH_WRITER ? afs_wb_close(f->wb, c->cancel, o.vol, o.vn)
					    : afs_wb_flush(f->wb, c->cancel, o.vol, o.vn));
}

static int a_fsync(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, bool datasync)
{
	(void)datasync;
	return a_flush(fs, c, key, fh, 0);
}

struct status_arg {
	struct afs_fid fid;
	struct afs_store_status ss;
	struct fs_store_reply reply;
};

static int store_status_fn(struct afs_call_ctx *cx, void *arg)
{
	struct status_arg *a = arg;
	return fs_store_status(cx, &a->fid, &a->ss, &a->reply);
}

static int a_setattr(void *fs, const struct nf_ctx *c, const struct nf_key *key, const struct stat *in, int to_set,
		     bool has_fh, uint64_t fh, struct stat *out)
{
	struct afs_front *f = fs;
	struct obj o;
	struct afs_fetch_status st;
	(void)has_fh, (void)fh;
	/* What is held goes first: a truncate or chmod comes after it. */
	int r = resolve(f, c->cancel, key, &o);
	if (!r)
		r = afs_wb_flush(f->wb, c->cancel, o.vol, o.vn);
	if (!r)
		r = resolve_status(f, c->cancel, key, &o, &st);
	if (r)
		return r;
	if (to_set & FUSE_SET_ATTR_SIZE) {
		if (st.file_type != AFS_FTYPE_FILE)
			return st.file_type == AFS_FTYPE_DIR ? -EISDIR : -EINVAL;
		pthread_mutex_lock(&o.vn->store_lock);
		r = afs_wb_store_locked(f->wb, c->cancel, o.vol, o.vn, NULL, 0, (uint64_t)in->st_size,
					(uint64_t)in->st_size, &st);
		pthread_mutex_unlock(&o.vn->store_lock);
		if (r)
			return r;
	}
	struct status_arg a = {.fid = o.vn->fid};
	if (to_set & FUSE_SET_ATTR_MODE) {
		a.ss.mask |= AFS_SETMODE;
		a.ss.unix_mode_bits = in->st_mode & 07777;
	}
	if (to_set & FUSE_SET_ATTR_UID) {
		a.ss.mask |= AFS_SETOWNER;
		a.ss.owner = in->st_uid;
	}
	if (to_set & FUSE_SET_ATTR_GID) {
		a.ss.mask |= AFS_SETGROUP;
		a.ss.group = in->st_gid;
	}
	if (to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW)) {
		a.ss.mask |= AFS_SETMODTIME;
		a.ss.client_mod_time = (uint32_t)(to_set & FUSE_SET_ATTR_MTIME_NOW ? time(NULL) : in->st_mtim.tv_sec);
	}
	if (a.ss.mask) {
		uint64_t t0 = evloop_now_ns();
		r = cm_fs_call(&f->cm, c->cancel, o.vol, true, store_status_fn, &a, NULL);
		if (r)
			return r;
		cm_apply_status(&f->cm, o.vn, &a.reply.status, NULL, t0, NULL);
		st = a.reply.status;
	}
	cm_stat(&st, &o.vn->fid, out);
	return 0;
}

/* ---- changing names --------------------------------------------------------------- */

struct create_arg {
	struct afs_fid dir;
	const char *name, *target;
	struct afs_store_status ss;
	int what; /* 0 file, 1 directory, 2 symlink */
	struct fs_create_reply reply;
};

static int create_fn(struct afs_call_ctx *cx, void *arg)
{
	struct create_arg *a = arg;
	switch (a->what) {
	case 0:
		return fs_create_file(cx, &a->dir, a->name, &a->ss, &a->reply);
	case 1:
		return fs_make_dir(cx, &a->dir, a->name, &a->ss, &a->reply);
	default:
		return fs_symlink(cx, &a->dir, a->name, a->target, &a->ss, &a->reply);
	}
}

static int make(struct afs_front *f, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		int what, const char *target, struct nf_entry *out)
{
	struct obj d;
	int r = resolve(f, c->cancel, dir, &d);
	if (r)
		return r;
	struct create_arg *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->dir = d.vn->fid;
	a->name = name;
	a->target = target;
	a->what = what;
	a->ss.mask = AFS_SETMODE | AFS_SETMODTIME;
	a->ss.unix_mode_bits = mode & 07777;
	a->ss.client_mod_time = (uint32_t)time(NULL);
	struct cm_server *srv = NULL;
	uint64_t t0 = evloop_now_ns();
	r = cm_fs_call(&f->cm, c->cancel, d.vol, false, create_fn, a, &srv);
	if (!r) {
		struct cm_vnode *vn = cm_vnode(&f->cm, d.cell, &a->reply.fid);
		struct cm_dir_op op = {.name = name, .add = &a->reply.fid};
		cm_dir_changed(&f->cm, d.vn, &a->reply.dir_status, t0, &op, 1);
		if (!vn) {
			r = -ENOMEM;
		} else {
			cm_apply_status(&f->cm, vn, &a->reply.status, what == 2 ? NULL : &a->reply.callback, t0, srv);
			if (what == 1)
				cm_dir_made(&f->cm, vn, &d.vn->fid, &a->reply.status);
			nf_entry_init(out);
			out->key = key_of(KIND_VNODE, d.cell, &a->reply.fid);
			cm_stat(&a->reply.status, &a->reply.fid, &out->attr);
		}
	}
	free(a);
	return r;
}

static int a_create(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		    int flags, struct nf_entry *out, struct nf_open *o)
{
	struct afs_front *f = fs;
	int r = make(f, c, dir, name, mode, 0, NULL, out);
	if (r == -EEXIST && !(flags & O_EXCL)) {
		r = a_lookup(fs, c, dir, name, out);
		if (!r && !S_ISREG(out->attr.st_mode))
			r = S_ISDIR(out->attr.st_mode) ? -EISDIR : -EEXIST;
	}
	if (r)
		return r;
	return a_open(fs, c, &out->key, flags, o);
}

static int a_mkdir(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, mode_t mode,
		   struct nf_entry *out)
{
	return make(fs, c, dir, name, mode, 1, NULL, out);
}

static int a_symlink(void *fs, const struct nf_ctx *c, const char *target, const struct nf_key *dir, const char *name,
		     struct nf_entry *out)
{
	return make(fs, c, dir, name, 0755, 2, target, out);
}

struct remove_arg {
	struct afs_fid dir;
	const char *name;
	bool is_dir;
	struct fs_store_reply reply;
};

static int remove_fn(struct afs_call_ctx *cx, void *arg)
{
	struct remove_arg *a = arg;
	return a->is_dir ? fs_remove_dir(cx, &a->dir, a->name, &a->reply)
			 : fs_remove_file(cx, &a->dir, a->name, &a->reply);
}

/* The child's promise ends: its link count changed (or it is gone). */
static void expire(struct afs_front *f, struct cm_vnode *vn)
{
	pthread_mutex_lock(&f->cm.lock);
	vn->cb_expire_ns = 0;
	pthread_mutex_unlock(&f->cm.lock);
}

/* Remove @name from @dvn (the RPC and the statuses it changes). */
static int remove_name(struct afs_front *f, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *dvn,
		       const char *name, bool is_dir)
{
	struct afs_fid child;
	bool known = cm_dir_lookup(&f->cm, cancel, vol, dvn, name, &child) == 0;
	struct remove_arg a = {.dir = dvn->fid, .name = name, .is_dir = is_dir};
	uint64_t t0 = evloop_now_ns();
	int r = cm_fs_call(&f->cm, cancel, vol, false, remove_fn, &a, NULL);
	if (r)
		return r;
	struct cm_dir_op op = {.name = name};
	cm_dir_changed(&f->cm, dvn, &a.reply.status, t0, &op, 1);
	if (known) {
		struct cm_vnode *vn = cm_vnode(&f->cm, dvn->cell, &child);
		if (vn)
			expire(f, vn);
	}
	return 0;
}

struct rename_arg {
	struct afs_fid from, to;
	const char *name, *newname;
	struct fs_rename_reply reply;
};

static int rename_fn(struct afs_call_ctx *cx, void *arg)
{
	struct rename_arg *a = arg;
	return fs_rename(cx, &a->from, a->name, &a->to, a->newname, &a->reply);
}

/*
 * @name in @d names @vn, which is open: rename it to a hidden name in the
 * same directory instead of removing it (as kAFS and NFS do), so that its
 * readers and writers keep it until the last close. 1 when renamed, 0 when
 * @vn is not open, or -errno.
 */
static int silly_rename(struct afs_front *f, struct evloop_cancel *cancel, struct obj *d, const char *name,
			struct cm_vnode *vn)
{
	static unsigned counter;
	char silly[64];
	pthread_mutex_lock(&f->cm.lock);
	bool open = vn->opens > 0 && !vn->silly;
	snprintf(silly, sizeof(silly), ".__afs%08X%08X%04X", vn->fid.vnode, vn->fid.unique, ++counter & 0xffff);
	pthread_mutex_unlock(&f->cm.lock);
	if (!open)
		return 0;
	struct rename_arg a = {.from = d->vn->fid, .to = d->vn->fid, .name = name, .newname = silly};
	uint64_t t0 = evloop_now_ns();
	int r = cm_fs_call(&f->cm, cancel, d->vol, false, rename_fn, &a, NULL);
	if (r)
		return r;
	struct cm_dir_op ops[] = {{.name = silly, .add = &vn->fid}, {.name = name}};
	cm_dir_changed(&f->cm, d->vn, &a.reply.new_dir_status, t0, ops, 2);
	char *copy = strdup(silly);
	pthread_mutex_lock(&f->cm.lock);
	/* Its last close may have come while the rename ran (the kernel
	 * sends RELEASE after close returns): then nobody will remove it. */
	bool closed = vn->opens == 0;
	if (!closed && copy) {
		free(vn->silly);
		vn->silly = copy;
		vn->silly_dir = d->vn->fid;
	}
	pthread_mutex_unlock(&f->cm.lock);
	if (closed) {
		free(copy);
		r = remove_name(f, cancel, d->vol, d->vn, silly, false);
		return r ? r : 1;
	}
	return 1;
}

/* A rename that was to replace @vn failed: give @vn its name back. */
static void unsilly(struct afs_front *f, struct obj *d, struct cm_vnode *vn, const char *name)
{
	pthread_mutex_lock(&f->cm.lock);
	char *silly = vn->silly;
	vn->silly = NULL;
	pthread_mutex_unlock(&f->cm.lock);
	if (!silly)
		return;
	struct rename_arg a = {.from = d->vn->fid, .to = d->vn->fid, .name = silly, .newname = name};
	uint64_t t0 = evloop_now_ns();
	if (cm_fs_call(&f->cm, NULL, d->vol, false, rename_fn, &a, NULL) == 0) {
		struct cm_dir_op ops[] = {{.name = name, .add = &vn->fid}, {.name = silly}};
		cm_dir_changed(&f->cm, d->vn, &a.reply.new_dir_status, t0, ops, 2);
		free(silly);
	} else { /* keep it aside: removed at its last close */
		pthread_mutex_lock(&f->cm.lock);
		vn->silly = silly;
		pthread_mutex_unlock(&f->cm.lock);
	}
}

/* How long an rmdir waits for silly names in the directory to go. */
#define SILLY_WAIT_MS 2000

/* A silly name of ours in @dir: still open, or its removal under way. */
static bool holds_silly(struct afs_front *f, unsigned cell, const struct afs_fid *dir)
{
	bool any = false;
	pthread_mutex_lock(&f->cm.lock);
	for (unsigned b = 0; !any && f->cm.vnodes && b < f->cm.vn_buckets; b++)
		for (struct cm_vnode *vn = f->cm.vnodes[b]; vn && !any; vn = vn->next)
			any = vn->cell == cell && (vn->silly || vn->silly_going) &&
			      vn->silly_dir.volume == dir->volume && vn->silly_dir.vnode == dir->vnode &&
			      vn->silly_dir.unique == dir->unique;
	pthread_mutex_unlock(&f->cm.lock);
	return any;
}

/*
 * An rmdir the fileserver refused as not empty, of a directory that held a
 * silly name of ours when the rmdir began: the file's last close may be on
 * its way (the kernel sends RELEASE after close() returns, so `rm f; rmdir
 * d` after a close can overtake it), or its removal may have crossed the
 * rmdir at the fileserver, so wait for the name to go, as the kernel's NFS
 * rmdir waits for its silly deletes. True once it went (ask again); false
 * when the file is still open after SILLY_WAIT_MS (the directory is not
 * empty: the error stands).
 */
static bool wait_sillies(struct afs_front *f, struct evloop_cancel *cancel, unsigned cell, const struct afs_fid *dir)
{
	for (int i = 0; i < SILLY_WAIT_MS / 10; i++) {
		if (!holds_silly(f, cell, dir))
			return true;
		if (cancel && evloop_cancel_fired(cancel))
			return false;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	return !holds_silly(f, cell, dir);
}

static int do_remove(struct afs_front *f, const struct nf_ctx *c, const struct nf_key *dir, const char *name,
		     bool is_dir)
{
	struct obj d;
	struct afs_fid child;
	int r = resolve(f, c->cancel, dir, &d);
	if (r)
		return r;
	bool known = cm_dir_lookup(&f->cm, c->cancel, d.vol, d.vn, name, &child) == 0;
	if (!is_dir && known) {
		struct cm_vnode *vn = cm_vnode(&f->cm, d.cell, &child);
		r = vn ? silly_rename(f, c->cancel, &d, name, vn) : 0;
		if (r)
			return r < 0 ? r : 0;
	}
	/* A silly name pending when the rmdir starts may be removed while the
	 * fileserver is refusing it: look before, wait after. */
	bool pending = is_dir && known && holds_silly(f, d.cell, &child);
	r = remove_name(f, c->cancel, d.vol, d.vn, name, is_dir);
	if (is_dir && known && (r == -EEXIST || r == -ENOTEMPTY) && (pending || holds_silly(f, d.cell, &child)) &&
	    wait_sillies(f, c->cancel, d.cell, &child))
		r = remove_name(f, c->cancel, d.vol, d.vn, name, is_dir);
	return r;
}

static int a_unlink(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name)
{
	return do_remove(fs, c, dir, name, false);
}

static int a_rmdir(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name)
{
	return do_remove(fs, c, dir, name, true);
}

static int a_rename(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name,
		    const struct nf_key *newdir, const char *newname, unsigned flags)
{
	struct afs_front *f = fs;
	struct obj d, nd;
	struct afs_fid old_child, new_child;
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	int r = resolve(f, c->cancel, dir, &d);
	if (!r)
		r = resolve(f, c->cancel, newdir, &nd);
	if (r)
		return r;
	if (d.cell != nd.cell || d.vol != nd.vol)
		return -EXDEV;
	bool had_old = cm_dir_lookup(&f->cm, c->cancel, d.vol, d.vn, name, &old_child) == 0;
	bool had_new = cm_dir_lookup(&f->cm, c->cancel, nd.vol, nd.vn, newname, &new_child) == 0;
	if (had_new && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	struct cm_vnode *aside = NULL;
	if (had_new) { /* an open file replaced stays readable to its holders */
		struct cm_vnode *target = cm_vnode(&f->cm, nd.cell, &new_child);
		r = target ? silly_rename(f, c->cancel, &nd, newname, target) : 0;
		if (r < 0)
			return r;
		if (r > 0) {
			had_new = false;
			aside = target;
		}
	}
	struct rename_arg a = {.from = d.vn->fid, .to = nd.vn->fid, .name = name, .newname = newname};
	uint64_t t0 = evloop_now_ns();
	r = cm_fs_call(&f->cm, c->cancel, d.vol, false, rename_fn, &a, NULL);
	if (r) {
		if (aside)
			unsilly(f, &nd, aside, newname);
		return r;
	}
	/* The edits as the fileserver makes them: the name replaced goes, the
	 * new name comes, the old name goes (one version step per directory). */
	struct cm_dir_op ops[3];
	unsigned nops = 0;
	if (had_new)
		ops[nops++] = (struct cm_dir_op){.name = newname};
	if (had_old)
		ops[nops++] = (struct cm_dir_op){.name = newname, .add = &old_child};
	if (!had_old)
		nops = 0; /* what moved is unknown: fetch them again */
	if (d.vn == nd.vn) {
		if (nops)
			ops[nops++] = (struct cm_dir_op){.name = name};
		cm_dir_changed(&f->cm, nd.vn, &a.reply.new_dir_status, t0, ops, nops);
	} else {
		struct cm_dir_op gone = {.name = name};
		cm_dir_changed(&f->cm, d.vn, &a.reply.old_dir_status, t0, &gone, had_old);
		cm_dir_changed(&f->cm, nd.vn, &a.reply.new_dir_status, t0, ops, nops);
	}
	/* A directory moved has a new "..", a file replaced lost a link. */
	struct cm_vnode *vn;
	if (had_old && (vn = cm_vnode(&f->cm, d.cell, &old_child)))
		expire(f, vn);
	if (had_new && (vn = cm_vnode(&f->cm, d.cell, &new_child)))
		expire(f, vn);
	return 0;
}

struct link_arg {
	struct afs_fid dir, existing;
	const char *name;
	struct fs_link_reply reply;
};

static int link_fn(struct afs_call_ctx *cx, void *arg)
{
	struct link_arg *a = arg;
	return fs_link(cx, &a->dir, a->name, &a->existing, &a->reply);
}

static int a_link(void *fs, const struct nf_ctx *c, const struct nf_key *key, const struct nf_key *newdir,
		  const char *newname, struct nf_entry *out)
{
	struct afs_front *f = fs;
	struct obj o, d;
	int r = resolve(f, c->cancel, key, &o);
	if (!r)
		r = resolve(f, c->cancel, newdir, &d);
	if (r)
		return r;
	if (o.cell != d.cell || o.vol != d.vol)
		return -EXDEV;
	struct link_arg a = {.dir = d.vn->fid, .existing = o.vn->fid, .name = newname};
	uint64_t t0 = evloop_now_ns();
	r = cm_fs_call(&f->cm, c->cancel, d.vol, false, link_fn, &a, NULL);
	if (r)
		return r;
	struct cm_dir_op op = {.name = newname, .add = &o.vn->fid};
	cm_dir_changed(&f->cm, d.vn, &a.reply.dir_status, t0, &op, 1);
	cm_apply_status(&f->cm, o.vn, &a.reply.status, NULL, t0, NULL);
	nf_entry_init(out);
	out->key = key_of(KIND_VNODE, o.cell, &o.vn->fid);
	cm_stat(&a.reply.status, &o.vn->fid, &out->attr);
	return 0;
}

/* ---- df --------------------------------------------------------------------------- */

struct vstat_arg {
	uint32_t volume;
	struct fs_volume_status_reply reply;
};

static int vstat_fn(struct afs_call_ctx *cx, void *arg)
{
	struct vstat_arg *a = arg;
	return fs_get_volume_status(cx, a->volume, &a->reply);
}

/* The lock handle (-o lockd): "afs", the cell's name, then the volume,
 * vnode and uniquifier, big-endian, as every client of the cell names the
 * file. A mount point's and the dynamic root's objects have no FID of their
 * own to lock by: their key, marked with its kind. */
static int a_lock_handle(void *fs, const struct nf_key *key, void *buf, size_t len)
{
	struct afs_front *f = fs;
	struct afs_fid fid;
	unsigned kind, cell;
	unsigned char *p = buf;
	size_t n;

	key_split(key, &kind, &cell, &fid);
	if (cell >= f->cm.ncells)
		return -ESTALE;
	n = strnlen(f->cm.cells[cell].name, AFS_CELL_NAME_MAX);
	if (len < 4 + n + 1 + 13)
		return -ENOBUFS;
	memcpy(p, "afs:", 4);
	memcpy(p + 4, f->cm.cells[cell].name, n);
	p += 4 + n;
	*p++ = ':';
	*p++ = (unsigned char)kind;
	uint32_t be[3] = {htonl(fid.volume), htonl(fid.vnode), htonl(fid.unique)};
	memcpy(p, be, sizeof(be));
	return (int)(4 + n + 2 + sizeof(be));
}

static int a_statfs(void *fs, const struct nf_ctx *c, const struct nf_key *key, struct statvfs *out)
{
	struct afs_front *f = fs;
	struct obj o;
	if (is_dynroot(key)) { /* no volume: nothing to hold */
		memset(out, 0, sizeof(*out));
		out->f_bsize = out->f_frsize = 1024;
		out->f_namemax = AFS_DIR_NAME_MAX;
		return 0;
	}
	int r = resolve(f, c->cancel, key, &o);
	if (r)
		return r;
	struct vstat_arg *a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->volume = o.vol->id;
	r = cm_fs_call(&f->cm, c->cancel, o.vol, true, vstat_fn, a, NULL);
	if (!r)
		afs_statfs_fill(&a->reply.status, out);
	free(a);
	return r;
}

static const struct nf_backend_ops afs_ops = {
    .lookup = a_lookup,
    .forget = a_forget,
    .getattr = a_getattr,
    .setattr = a_setattr,
    .readlink = a_readlink,
    .readdir = a_readdir,
    .open = a_open,
    .read = a_read,
    .release = a_release,
    .flush = a_flush,
    .fsync = a_fsync,
    .write = a_write,
    .create = a_create,
    .mkdir = a_mkdir,
    .unlink = a_unlink,
    .rmdir = a_rmdir,
    .rename = a_rename,
    .link = a_link,
    .symlink = a_symlink,
    .statfs = a_statfs,
    .lock_handle = a_lock_handle,
};

/* ---- callback breaks to the kernel --------------------------------------------------- */

static void inval_inode(void *arg, const struct afs_fid *fid, unsigned cell)
{
	struct afs_front *f = arg;
	struct nf_key k = key_of(KIND_VNODE, cell, fid);
	nf_notify_inval_inode(f->mount, &k, 0, 0);
}

static void inval_entry(void *arg, const struct afs_fid *dir, unsigned cell, const char *name)
{
	struct afs_front *f = arg;
	struct nf_key k = key_of(KIND_VNODE, cell, dir);
	nf_notify_inval_entry(f->mount, &k, name);
}

/* ---- views ------------------------------------------------------------------------ */

enum { V_CELLS, V_VOLUMES, V_SERVERS, V_STATS, V_END };

static size_t render(void *fs, const struct nf_view *v, char *buf, size_t len);

static const struct nf_view afs_views[] = {
    [V_CELLS] = {".afs", "cells", 0444, render},
    [V_VOLUMES] = {".afs", "volumes", 0444, render},
    [V_SERVERS] = {".afs", "servers", 0444, render},
    [V_STATS] = {".afs", "stats", 0444, render},
    [V_END] = {.name = NULL},
};

static size_t render(void *fs, const struct nf_view *v, char *buf, size_t len)
{
	struct afs_front *f = fs;
	size_t n = 0, kept_bytes = 0;
	uint64_t kept_reads = 0;
	if (v - afs_views == V_STATS)
		afs_wb_kept_stats(f->wb, &kept_bytes, &kept_reads);
	pthread_mutex_lock(&f->cm.lock);
	switch (v - afs_views) {
	case V_CELLS:
		n = afs_view_cells(&f->cm, f->cell, buf, len);
		break;
	case V_VOLUMES:
		n = afs_view_volumes(&f->cm, buf, len);
		break;
	case V_SERVERS:
		n = afs_view_servers(&f->cm, buf, len);
		break;
	case V_STATS:
		n = afs_view_stats(&f->cm, kept_bytes, kept_reads, buf, len);
		break;
	}
	pthread_mutex_unlock(&f->cm.lock);
	return n < len ? n : len - 1;
}

/* ---- start and stop --------------------------------------------------------------- */

static int read_file(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return printable_error(err, errlen, 0, -errno, "%s: %s", path, strerror(errno));
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			if (cap > 16 * 1024 * 1024) {
				free(buf);
				fclose(fp);
				return printable_error(err, errlen, 0, -EFBIG, "%s: too large", path);
			}
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(fp);
				return -ENOMEM;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(fp);
	fclose(fp);
	if (bad) {
		free(buf);
		return printable_error(err, errlen, 0, -EIO, "%s: read error", path);
	}
	*out = buf;
	*len = n;
	return 0;
}

static void a_stop(void *fs);

static int a_start(struct nf_mount *m, const char *source, void **fs, struct nf_key *root, char *err, size_t errlen)
{
	struct afs_source src = {0};
	int r = 0;
	/* Buffers of a file written or read ahead (MiBs each, short-lived)
	 * go back to the system when freed: glibc would otherwise move its
	 * mmap threshold up to their size after the first one and keep
	 * their memory in the heap (26 MiB resident after a 100 MiB copy
	 * instead of 10). */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	if (aopts.dyn) {
		if (strcmp(source, "none") != 0)
			return printable_error(err, errlen, 0, -EINVAL, "with -o dyn the source is 'none', not '%s'",
					       source);
	} else if ((r = afs_source_parse(source, strlen(source), &src, err, errlen))) {
		return r;
	}
	const char *csdb_path = aopts.cellservdb ? aopts.cellservdb : AFS_DEFAULT_CELLSERVDB;
	const char *tc_path = aopts.thiscell ? aopts.thiscell : AFS_DEFAULT_THISCELL;
	char *text = NULL;
	size_t len = 0;
	char why[256];
	r = read_file(csdb_path, &text, &len, err, errlen);
	if (r)
		return r;
	struct afs_cellservdb db;
	r = afs_cellservdb_parse(text, len, &db, why, sizeof(why));
	free(text);
	if (r)
		return printable_error(err, errlen, 0, r, "%s: %s", csdb_path, why);
	if (!aopts.dyn && !src.cell[0]) {
		r = read_file(tc_path, &text, &len, why, sizeof(why));
		if (r) {
			afs_cellservdb_free(&db);
			return printable_error(err, errlen, 0, r, "%s names no cell, and ThisCell: %s", source, why);
		}
		r = afs_thiscell_parse(text, len, src.cell, sizeof(src.cell), why, sizeof(why));
		free(text);
		if (r) {
			afs_cellservdb_free(&db);
			return printable_error(err, errlen, 0, r, "%s: %s", tc_path, why);
		}
	}

	struct afs_front *f = calloc(1, sizeof(*f));
	if (!f || cm_init(&f->cm)) {
		afs_cellservdb_free(&db);
		free(f);
		return printable_error(err, errlen, 0, -ENOMEM, "out of memory");
	}
	f->mount = m;
	f->cm.health = nf_mount_health(m);
	f->cm.call_timeout = aopts.timeout > 0 ? aopts.timeout : 86400;
	f->cm.dir_max = aopts.dir_cache;
	r = cm_cells_init(&f->cm, &db, err, errlen);
	afs_cellservdb_free(&db);
	if (r)
		goto fail;
	f->dyn = aopts.dyn;
	f->mounted_at = time(NULL);
	int cell = aopts.dyn ? 0 : cm_cell_find(&f->cm, src.cell);
	if (cell < 0) {
		char why[200];
		cm_cell_dns_why(&f->cm, src.cell, why, sizeof(why));
		r = printable_error(err, errlen, 0, -ENOENT, "cell %s is not in %s, and DNS: %s", src.cell, csdb_path,
				    why);
		goto fail;
	}
	f->cell = (unsigned)cell;

	struct rx_endpoint_config c;
	afs_endpoint_config_default(&c);
	c.health = f->cm.health;
	int e = 0;
	f->cm.ep = rx_endpoint_new(&c, &e);
	if (!f->cm.ep) {
		r = printable_error(err, errlen, 0, e, "cannot open the Rx endpoint: %s", strerror(-e));
		goto fail;
	}
	f->cm.cb = cb_service_start(f->cm.ep, NULL, &cm_cb_ops, &f->cm, &e);
	if (!f->cm.cb) {
		r = printable_error(err, errlen, 0, e, "cannot serve the callback service: %s", strerror(-e));
		goto fail;
	}
	f->ra = afs_ra_new(&f->cm, aopts.readahead, (uint64_t)(aopts.readahead_rtt * 1e6));
	f->wb = f->ra ? afs_wb_new(&f->cm, f->ra, aopts.write_buffer, aopts.keep_written) : NULL;
	if (!f->wb) {
		r = printable_error(err, errlen, 0, -ENOMEM, "out of memory (readahead workers, write buffers)");
		goto fail;
	}

	/* Mounting is bounded by mount_timeout: every call of it is. */
	double call_timeout = f->cm.call_timeout;
	if (aopts.mount_timeout > 0 && aopts.mount_timeout < call_timeout)
		f->cm.call_timeout = aopts.mount_timeout;
	struct cm_volume *vol;
	if (f->dyn) /* each cell is looked up at its first use */
		*root = (struct nf_key){.hi = (uint64_t)KIND_DYNROOT << 56};
	else
		r = cm_volume_get(&f->cm, NULL, f->cell, &src, -1, &vol, err, errlen);
	if (!r && !f->dyn) {
		f->root = (struct afs_fid){.volume = vol->id, .vnode = 1, .unique = 1};
		struct obj o = {.cell = vol->cell, .vol = vol, .vn = cm_vnode(&f->cm, vol->cell, &f->root)};
		struct afs_fetch_status st;
		r = o.vn ? cm_status(&f->cm, NULL, vol, o.vn, &st) : -ENOMEM;
		if (r)
			r = printable_error(err, errlen, 0, r, "the root of volume %s (%u): %s", vol->name, vol->id,
					    strerror(-r));
		else if (st.file_type != AFS_FTYPE_DIR)
			r = printable_error(err, errlen, 0, -ENOTDIR, "the root of volume %s is not a directory",
					    vol->name);
		if (!r)
			*root = key_of(KIND_VNODE, vol->cell, &f->root);
	}
	f->cm.call_timeout = call_timeout;
	if (r)
		goto fail;
	f->cm.inval_inode = inval_inode;
	f->cm.inval_entry = inval_entry;
	f->cm.inval_arg = f;
	*fs = f;
	return 0;
fail:
	a_stop(f);
	return r;
}

/* Writes still held at unmount (a file mapped and written after its last
 * close): stored now. */
static void flush_all(struct afs_front *f)
{
	for (unsigned b = 0; f->wb && f->cm.vnodes && b < f->cm.vn_buckets; b++)
		for (struct cm_vnode *vn = f->cm.vnodes[b]; vn; vn = vn->next) {
			flush_held(f, vn);
		}
}

/* Files removed while open and still open at unmount: remove them now. */
static void remove_sillies(struct afs_front *f)
{
	for (unsigned b = 0; f->cm.vnodes && b < f->cm.vn_buckets; b++) {
		for (struct cm_vnode *vn = f->cm.vnodes[b]; vn; vn = vn->next) {
			if (!vn->silly)
				continue;
			struct cm_volume *vol = cm_volume_by_id(&f->cm, vn->cell, vn->silly_dir.volume);
			struct cm_vnode *dvn = cm_vnode(&f->cm, vn->cell, &vn->silly_dir);
			if (vol && dvn)
				remove_name(f, NULL, vol, dvn, vn->silly, false);
			free(vn->silly);
			vn->silly = NULL;
		}
	}
}

static void a_stop(void *fs)
{
	struct afs_front *f = fs;
	if (!f)
		return;
	f->cm.inval_inode = NULL;
	f->cm.inval_entry = NULL;
	flush_all(f);
	afs_ra_free(f->ra); /* its workers call the fileservers */
	f->ra = NULL;
	remove_sillies(f);
	if (f->cm.ep)
		cm_give_up_callbacks(&f->cm, 5);
	if (f->cm.ep)
		rx_endpoint_free(f->cm.ep);
	if (f->cm.cb)
		cb_service_free(f->cm.cb);
	afs_wb_free(f->wb);
	cm_fini(&f->cm);
	free(f);
}

static const struct nf_frontend afs_front = {
    .prog = "netfuse-afs",
    .source_syntax = "%[CELL:]VOLUME | #[CELL:]VOLUME",
    .summary = "Mount an AFS volume: files read and written on its fileservers, kept coherent by callbacks.",
    .name_max = AFS_DIR_NAME_MAX,
    .specs = afs_specs,
    .opts = &aopts,
    .start = a_start,
    .stop = a_stop,
    .ops = &afs_ops,
    .views = afs_views,
};

int main(int argc, char **argv)
{
	return nf_main(&afs_front, argc, argv);
}
