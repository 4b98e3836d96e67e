/*
 * fuse/ceph/main.c: netfuse-ceph, the Ceph front-end on the FUSE core.
 *
 *   netfuse-ceph MON[,MON...][:/SUBDIR] MOUNTPOINT [-o OPTS] [-c CONF] [--id NAME] [-k KEYRING]
 *
 * It connects to the monitors through cephmon's monitor client on its own
 * I/O thread (monc_loop), and mounts what a monitor-only client can show:
 * df from the monitors' statfs (the kernel's arithmetic and data-pool
 * rule), .health (the FUSE core's), and .ceph/, read-only files mirroring
 * the kernel client's debugfs views. The CephFS namespace (MDS and OSD
 * clients) is a later part; until then the root holds .ceph/ and .health
 * only, and SUBDIR is checked for syntax and remembered, not resolved.
 *
 * Options are spelled as the kernel client and mount.ceph spell them, so
 * an fstab line moves between the two: name=, secret=, secretfile=,
 * mon_addr=, ms_mode=, mount_timeout=, fs= (mds_namespace= is its old
 * name), plus Ceph's own -c/--conf, --id/-n/--name, -k/--keyring and -m.
 *
 * Each .ceph/ file is rendered from one snapshot of the client when it is
 * opened (so a reader sees one consistent state, however it reads) and
 * served with direct I/O (no stale page cache between two opens); stat
 * renders it too, so `ls -l` shows the size a read would give then.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cephmon/ceph_mount_config.h"
#include "cephmon/monc_loop.h"
#include "cephmon/msgr2_ctrl.h"
#include "evloop/evloop.h"
#include "fuse/backend.h"
#include "fuse/ceph/views.h"

#define VIEW_MAX (256 * 1024) /* osdmap with every pool shown fits */

/* ---- options --------------------------------------------------------------------- */

static struct {
	char *conf, *name, *secret, *secretfile, *keyring, *mon_addr, *ms_mode, *fs, *mds_namespace;
	double mount_timeout;
} copts = {.mount_timeout = 60};

#define O(f) offsetof(__typeof__(copts), f)
static const struct mopt_spec ceph_specs[] = {
    {.name = "name",
     .type = MOPT_STRING,
     .offset = O(name),
     .args = "--id|-n|--name",
     .help = "name=NAME            the cephx user, client.NAME (default guest; --id NAME)"},
    {.name = "secret",
     .type = MOPT_STRING,
     .offset = O(secret),
     .secret = true,
     .help = "secret=KEY           the user's key, base64 (hidden from ps and messages)"},
    {.name = "secretfile",
     .type = MOPT_STRING,
     .offset = O(secretfile),
     .help = "secretfile=FILE      read the key from the first line of FILE"},
    {.name = "keyring",
     .type = MOPT_STRING,
     .offset = O(keyring),
     .args = "-k|--keyring",
     .help = "keyring=FILE         read the key from a Ceph keyring (-k FILE)"},
    {.name = "conf",
     .type = MOPT_STRING,
     .offset = O(conf),
     .args = "-c|--conf",
     .help = "conf=FILE            ceph.conf for mon_host and keyring (-c FILE; default $CEPH_CONF)"},
    {.name = "mon_addr",
     .type = MOPT_STRING,
     .offset = O(mon_addr),
     .args = "-m",
     .help = "mon_addr=IP[:PORT][/IP[:PORT]...]  monitors, when the source names none"},
    {.name = "ms_mode",
     .type = MOPT_STRING,
     .offset = O(ms_mode),
     .help = "ms_mode=MODE         crc, secure, prefer-crc (default) or prefer-secure"},
    {.name = "mount_timeout",
     .type = MOPT_SECONDS,
     .offset = O(mount_timeout),
     .max = 86400,
     .help = "mount_timeout=S      give up mounting (and each statfs) after S seconds; 0 waits (default 60)"},
    {.name = "fs",
     .type = MOPT_STRING,
     .offset = O(fs),
     .help = "fs=NAME              the CephFS file system (default: the cluster's default)"},
    {.name = "mds_namespace",
     .type = MOPT_STRING,
     .offset = O(mds_namespace),
     .help = "mds_namespace=NAME   the old name of fs="},
    {.name = NULL},
};
#undef O

/* ---- the tree: /, /.ceph and its files ----------------------------------------------- */

enum {
	ID_ROOT = 1,
	ID_CEPHDIR,
	ID_MONMAP,
	ID_MONC,
	ID_OSDMAP,
	ID_MDSMAP,
	ID_AUTH,
	ID_END,
};

struct view_file {
	const char *name;
	mode_t mode;
};

static const struct view_file views[ID_END] = {
    [ID_MONMAP] = {"monmap", 0444}, [ID_MONC] = {"monc", 0444}, [ID_OSDMAP] = {"osdmap", 0444},
    [ID_MDSMAP] = {"mdsmap", 0444}, [ID_AUTH] = {"auth", 0400},
};

struct cephfs_front {
	struct nf_mount *mount;
	struct monc_loop *ml;
	double mount_timeout;
	time_t mounted_at;
	uid_t uid;
	gid_t gid;
};

/* One open .ceph/ file: its text as of the open. */
struct view_buf {
	size_t len;
	char text[];
};

static struct nf_key key_of(uint64_t id)
{
	return (struct nf_key){0, id};
}

static bool is_view(uint64_t id)
{
	return id >= ID_MONMAP && id < ID_END;
}

static size_t render(struct cephfs_front *f, uint64_t id, char *buf, size_t len)
{
	struct monc_loop_snapshot *s = malloc(sizeof(*s));
	size_t n = 0;

	if (!s) {
		buf[0] = '\0';
		return 0;
	}
	monc_loop_snapshot(f->ml, s);
	switch (id) {
	case ID_MONMAP:
		n = ceph_view_monmap(&s->monmap, buf, len);
		break;
	case ID_MONC:
		n = ceph_view_monc(&s->status, s->now_ms, buf, len);
		break;
	case ID_OSDMAP:
		n = s->have_osdmap ? ceph_view_osdmap(&s->osdmap, buf, len)
				   : (size_t)snprintf(buf, len, "no osdmap yet\n");
		break;
	case ID_MDSMAP:
		n = ceph_view_mdsmap(s->have_fsmap ? &s->fsmap : NULL, s->fs_name, s->have_mdsmap ? &s->mdsmap : NULL,
				     buf, len);
		break;
	case ID_AUTH: {
		struct ceph_auth_view a = {0};
		snprintf(a.entity, sizeof(a.entity), "%s", s->auth.entity);
		a.global_id = s->auth.global_id;
		snprintf(a.method, sizeof(a.method), "cephx");
		snprintf(a.con_mode, sizeof(a.con_mode), "%s",
			 s->auth.con_mode == MSGR2_CON_MODE_SECURE ? "secure"
			 : s->auth.con_mode == MSGR2_CON_MODE_CRC  ? "crc"
								   : "none");
		a.ticket_expires = s->auth.ticket_expires;
		a.renewals = s->auth.renewals;
		snprintf(a.key_from, sizeof(a.key_from), "%s", s->auth.key_from);
		n = ceph_view_auth(&a, buf, len);
		break;
	}
	}
	free(s);
	return n < len ? n : len - 1;
}

/* @size_of: the size to report for a view file; -1 renders it now. */
static void fill_attr(struct cephfs_front *f, uint64_t id, off_t size_of, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = id;
	st->st_uid = f->uid;
	st->st_gid = f->gid;
	st->st_blksize = 4096;
	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec = f->mounted_at;
	if (id == ID_ROOT || id == ID_CEPHDIR) {
		st->st_mode = S_IFDIR | (id == ID_ROOT ? 0755 : 0555);
		st->st_nlink = id == ID_ROOT ? 3 : 2;
		return;
	}
	st->st_mode = S_IFREG | views[id].mode;
	st->st_nlink = 1;
	char *buf = size_of < 0 ? malloc(VIEW_MAX) : NULL;
	st->st_size = size_of < 0 ? 0 : size_of;
	if (buf) {
		st->st_size = (off_t)render(f, id, buf, VIEW_MAX);
		free(buf);
	}
	st->st_mtim.tv_sec = time(NULL); /* the views change all the time */
}

static int c_lookup(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, struct nf_entry *out)
{
	struct cephfs_front *f = fs;
	uint64_t id = 0;

	(void)c;
	if (dir->lo == ID_ROOT && !strcmp(name, ".ceph"))
		id = ID_CEPHDIR;
	for (uint64_t i = ID_MONMAP; dir->lo == ID_CEPHDIR && i < ID_END; i++)
		if (!strcmp(name, views[i].name))
			id = i;
	if (!id)
		return -ENOENT;
	nf_entry_init(out);
	out->key = key_of(id);
	fill_attr(f, id, -1, &out->attr);
	if (is_view(id))
		out->attr_timeout = 0; /* sizes change with every map */
	return 0;
}

static int c_getattr(void *fs, const struct nf_ctx *c, const struct nf_key *key, bool has_fh, uint64_t fh,
		     struct stat *out)
{
	(void)c;
	if (key->lo < ID_ROOT || key->lo >= ID_END)
		return -ENOENT;
	fill_attr(fs, key->lo, has_fh && fh ? (off_t)((struct view_buf *)(uintptr_t)fh)->len : -1, out);
	return 0;
}

static int c_readdir(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, off_t off,
		     struct nf_dir *d)
{
	struct cephfs_front *f = fs;
	struct nf_entry e;
	uint64_t first = key->lo == ID_ROOT ? ID_CEPHDIR : ID_MONMAP;
	uint64_t end = key->lo == ID_ROOT ? ID_CEPHDIR + 1 : ID_END;

	(void)c, (void)fh;
	if (key->lo != ID_ROOT && key->lo != ID_CEPHDIR)
		return -ENOTDIR;
	for (; off < 2; off++) {
		nf_entry_init(&e);
		e.attr.st_mode = S_IFDIR;
		if (!nf_dir_add(d, off == 0 ? "." : "..", &e, off + 1))
			return 0;
	}
	for (uint64_t id = first + (uint64_t)(off - 2); id < end; id++, off++) {
		nf_entry_init(&e);
		e.key = key_of(id);
		fill_attr(f, id, -1, &e.attr);
		if (!nf_dir_add(d, id == ID_CEPHDIR ? ".ceph" : views[id].name, &e, off + 1))
			return 0;
	}
	nf_dir_eof(d);
	return 0;
}

static int c_open(void *fs, const struct nf_ctx *c, const struct nf_key *key, int flags, struct nf_open *o)
{
	struct view_buf *v;

	(void)c;
	if (!is_view(key->lo))
		return -EISDIR;
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	v = malloc(sizeof(*v) + VIEW_MAX);
	if (!v)
		return -ENOMEM;
	v->len = render(fs, key->lo, v->text, VIEW_MAX);
	o->fh = (uint64_t)(uintptr_t)v;
	o->direct_io = true;
	return 0;
}

static ssize_t c_read(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, char *buf, size_t size,
		      off_t off)
{
	const struct view_buf *v = (const void *)(uintptr_t)fh;

	(void)fs, (void)c, (void)key;
	if (!v || off < 0 || (size_t)off >= v->len)
		return 0;
	if (size > v->len - (size_t)off)
		size = v->len - (size_t)off;
	memcpy(buf, v->text + off, size);
	return (ssize_t)size;
}

static void c_release(void *fs, const struct nf_key *key, uint64_t fh, int flags)
{
	(void)fs, (void)key, (void)flags;
	free((void *)(uintptr_t)fh);
}

struct wait_ctx {
	fuse_req_t req;
	const struct nf_mount *mount;
};

/* How long mounting, and each statfs, waits for the monitors. */
static uint64_t wait_deadline(const struct cephfs_front *f)
{
	return f->mount_timeout > 0 ? evloop_deadline_ms((long)(f->mount_timeout * 1000)) : EVLOOP_NEVER;
}

/* Stop waiting for the monitors when the caller gave up (an interrupted
 * df) or the mount is ending (the session waits for its workers). */
static bool interrupted(void *arg)
{
	const struct wait_ctx *w = arg;

	return (w->req && fuse_req_interrupted(w->req)) || nf_mount_exiting(w->mount);
}

static int c_statfs(void *fs, const struct nf_ctx *c, const struct nf_key *key, struct statvfs *out)
{
	struct cephfs_front *f = fs;
	struct mon_statfs_reply r;
	uint64_t deadline = wait_deadline(f);
	int e;

	(void)key;
	struct wait_ctx w = {c->req, f->mount};
	e = monc_loop_statfs(f->ml, deadline, interrupted, &w, &r);
	if (e)
		return e;
	ceph_statfs_fill(&r, out);
	return 0;
}

static const struct nf_backend_ops ceph_ops = {
    .lookup = c_lookup,
    .getattr = c_getattr,
    .readdir = c_readdir,
    .open = c_open,
    .read = c_read,
    .release = c_release,
    .statfs = c_statfs,
};

/* ---- start and stop --------------------------------------------------------------- */

static int c_start(struct nf_mount *m, const char *source, void **fs, struct nf_key *root, char *err, size_t errlen)
{
	struct ceph_mount_args a = {
	    .source = source,
	    .conf = copts.conf,
	    .name = copts.name,
	    .secret = copts.secret,
	    .secretfile = copts.secretfile,
	    .keyring = copts.keyring,
	    .mon_addr = copts.mon_addr,
	    .ms_mode = copts.ms_mode,
	    .fs = copts.fs ? copts.fs : copts.mds_namespace,
	    .mount_timeout = copts.mount_timeout > 0 ? copts.mount_timeout : 0,
	};
	struct ceph_mount_config *cfg = calloc(1, sizeof(*cfg));
	struct cephfs_front *f = calloc(1, sizeof(*f));
	int e;

	if (!cfg || !f) {
		free(cfg);
		free(f);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e = ceph_mount_config_resolve(&a, cfg, err, errlen);
	if (copts.secret) /* resolved into cfg (and wiped with it): no copy stays */
		explicit_bzero(copts.secret, strlen(copts.secret));
	if (e)
		goto out;
	f->mount = m;
	f->mount_timeout = copts.mount_timeout;
	f->mounted_at = time(NULL);
	f->uid = getuid();
	f->gid = getgid();
	struct monc_loop_params p = {.cfg = cfg, .health = nf_mount_health(m), .want_fs = true};
	e = monc_loop_new(&p, &f->ml, err, errlen);
	if (e)
		goto out;
	e = monc_loop_open(f->ml, wait_deadline(f), err, errlen);
out:
	ceph_mount_config_wipe(cfg);
	free(cfg);
	if (e) {
		monc_loop_free(f->ml);
		free(f);
		return e;
	}
	*fs = f;
	*root = key_of(ID_ROOT);
	return 0;
}

static void c_stop(void *fs)
{
	struct cephfs_front *f = fs;

	if (!f)
		return;
	monc_loop_free(f->ml);
	free(f);
}

static const struct nf_frontend ceph_front = {
    .prog = "netfuse-ceph",
    .source_syntax = "[MON[,MON...]]:/[SUBDIR]",
    .summary = "Mount a Ceph cluster through its monitors: df, .health and .ceph/ (the CephFS namespace comes later).",
    .specs = ceph_specs,
    .opts = &copts,
    .start = c_start,
    .stop = c_stop,
    .ops = &ceph_ops,
};

int main(int argc, char **argv)
{
	return nf_main(&ceph_front, argc, argv);
}
