/*
 * fuse/ceph/main.c: netfuse-ceph, the Ceph front-end on the FUSE core.
 *
 *   netfuse-ceph MON[,MON...][:/SUBDIR] MOUNTPOINT [-o OPTS] [-c CONF] [--id NAME] [-k KEYRING]
 *
 * It connects to the monitors through cephmon's monitor client on its own
 * I/O thread (monc_loop), which hands the OSD maps it receives to cephosd's
 * keeper (osdmap_keeper), and mounts what a monitor-only client can show:
 * df from the monitors' statfs (the kernel's arithmetic and data-pool
 * rule), .health (the FUSE core's), and .ceph/, views mirroring the kernel
 * client's debugfs files, which the core serves (struct nf_view) from the
 * texts of views.c. The CephFS namespace (MDS and OSD clients) is a later
 * part; until then the backend's root is empty (the core adds .ceph/ and
 * .health), and SUBDIR is checked for syntax and remembered, not resolved.
 *
 * Options are spelled as the kernel client and mount.ceph spell them, so
 * an fstab line moves between the two: name=, secret=, secretfile=,
 * mon_addr=, ms_mode=, mount_timeout=, fs= (mds_namespace= is its old
 * name), plus Ceph's own -c/--conf, --id/-n/--name, -k/--keyring and -m.
 *
 * Each view renders from one snapshot of the client (monc_loop_snapshot;
 * .ceph/osdmap from the keeper's map under its lock), which the core takes
 * at each open, so a reader sees one consistent state.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cephmon/ceph_client.h"
#include "cephosd/osdmap_keeper.h"
#include "evloop/evloop.h"
#include "fuse/backend.h"
#include "fuse/ceph/views.h"

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
     .type = MOPT_PATH,
     .offset = O(secretfile),
     .help = "secretfile=FILE      read the key from the first line of FILE"},
    {.name = "keyring",
     .type = MOPT_PATH,
     .offset = O(keyring),
     .args = "-k|--keyring",
     .help = "keyring=FILE         read the key from a Ceph keyring (-k FILE)"},
    {.name = "conf",
     .type = MOPT_PATH,
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

/* ---- the root and the views ------------------------------------------------------ */

#define ROOT_ID 1

struct cephfs_front {
	struct nf_mount *mount;
	struct monc_loop *ml;
	struct osdmap_keeper *osdmap; /* fed by ml's loop thread */
	double mount_timeout;
	time_t mounted_at;
	uid_t uid;
	gid_t gid;
};

enum { V_MONMAP, V_MONC, V_OSDMAP, V_MDSMAP, V_AUTH, V_END };

static size_t render(void *fs, const struct nf_view *v, char *buf, size_t len);

static const struct nf_view ceph_views[] = {
    [V_MONMAP] = {".ceph", "monmap", 0444, render},
    [V_MONC] = {".ceph", "monc", 0444, render},
    [V_OSDMAP] = {".ceph", "osdmap", 0444, render},
    [V_MDSMAP] = {".ceph", "mdsmap", 0444, render},
    [V_AUTH] = {".ceph", "auth", 0400, render}, /* who we are: the mounting user's business */
    [V_END] = {.name = NULL},
};

struct osdmap_render {
	char *buf;
	size_t len, n;
};

static void render_osdmap(void *arg, const struct osdmap *m, const struct osdmap_keeper_stats *st)
{
	struct osdmap_render *r = arg;

	r->n = ceph_view_osdmap(m, st, r->buf, r->len);
}

static size_t render(void *fs, const struct nf_view *v, char *buf, size_t len)
{
	struct cephfs_front *f = fs;
	struct monc_loop_snapshot *s = malloc(sizeof(*s));
	size_t n = 0;

	if (!s)
		return 0;
	monc_loop_snapshot(f->ml, s);
	switch (v - ceph_views) {
	case V_MONMAP:
		n = ceph_view_monmap(&s->monmap, buf, len);
		break;
	case V_MONC:
		n = ceph_view_monc(&s->status, s->now_ms, buf, len);
		break;
	case V_OSDMAP: {
		struct osdmap_render r = {.buf = buf, .len = len};
		osdmap_keeper_read(f->osdmap, render_osdmap, &r);
		n = r.n;
		break;
	}
	case V_MDSMAP:
		n = ceph_view_mdsmap(s->have_fsmap ? &s->fsmap : NULL, s->fs_name, s->have_mdsmap ? &s->mdsmap : NULL,
				     buf, len);
		break;
	case V_AUTH: {
		struct ceph_auth_view a = {0};
		snprintf(a.entity, sizeof(a.entity), "%s", s->auth.entity);
		a.global_id = s->auth.global_id;
		snprintf(a.method, sizeof(a.method), "cephx");
		snprintf(a.con_mode, sizeof(a.con_mode), "%s", s->auth.con_mode);
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

static void root_attr(const struct cephfs_front *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ROOT_ID;
	st->st_mode = S_IFDIR | 0755;
	st->st_nlink = 3; /* ".", "..", and the core's .ceph */
	st->st_uid = f->uid;
	st->st_gid = f->gid;
	st->st_blksize = 4096;
	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec = f->mounted_at;
}

/* The root has no entries of its own yet. */
static int c_lookup(void *fs, const struct nf_ctx *c, const struct nf_key *dir, const char *name, struct nf_entry *out)
{
	(void)fs, (void)c, (void)dir, (void)name, (void)out;
	return -ENOENT;
}

static int c_getattr(void *fs, const struct nf_ctx *c, const struct nf_key *key, bool has_fh, uint64_t fh,
		     struct stat *out)
{
	(void)c, (void)has_fh, (void)fh;
	if (key->lo != ROOT_ID)
		return -ESTALE;
	root_attr(fs, out);
	return 0;
}

static int c_readdir(void *fs, const struct nf_ctx *c, const struct nf_key *key, uint64_t fh, off_t off,
		     struct nf_dir *d)
{
	struct nf_entry e;

	(void)fs, (void)c, (void)fh;
	if (key->lo != ROOT_ID)
		return -ENOTDIR;
	for (; off < 2; off++) {
		nf_entry_init(&e);
		e.key = *key;
		e.attr.st_mode = S_IFDIR;
		if (!nf_dir_add(d, off == 0 ? "." : "..", &e, off + 1))
			return 0;
	}
	nf_dir_eof(d);
	return 0;
}

/* How long mounting, and each statfs, waits for the monitors. */
static uint64_t wait_deadline(const struct cephfs_front *f)
{
	return f->mount_timeout > 0 ? evloop_deadline_ms((long)(f->mount_timeout * 1000)) : EVLOOP_NEVER;
}

static int c_statfs(void *fs, const struct nf_ctx *c, const struct nf_key *key, struct statvfs *out)
{
	struct cephfs_front *f = fs;
	struct mon_statfs_reply r;
	uint64_t deadline = wait_deadline(f);
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

static const struct nf_backend_ops ceph_ops = {
    .lookup = c_lookup,
    .getattr = c_getattr,
    .readdir = c_readdir,
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
	f->osdmap = osdmap_keeper_new(nf_mount_health(m));
	if (!f->osdmap) {
		snprintf(err, errlen, "out of memory");
		e = -ENOMEM;
		goto out;
	}
	struct monc_loop_params p = {
	    .cfg = cfg, .health = nf_mount_health(m), .want_fs = true, .osdmap = osdmap_keeper_ops(f->osdmap)};
	e = monc_loop_new(&p, &f->ml, err, errlen);
	if (e)
		goto out;
	e = monc_loop_open(f->ml, wait_deadline(f), err, errlen);
out:
	ceph_mount_config_wipe(cfg);
	free(cfg);
	if (e) {
		monc_loop_free(f->ml);
		osdmap_keeper_free(f->osdmap);
		free(f);
		return e;
	}
	*fs = f;
	*root = (struct nf_key){0, ROOT_ID};
	return 0;
}

static void c_stop(void *fs)
{
	struct cephfs_front *f = fs;

	if (!f)
		return;
	monc_loop_free(f->ml); /* joins the thread that feeds the keeper */
	osdmap_keeper_free(f->osdmap);
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
    .views = ceph_views,
};

int main(int argc, char **argv)
{
	return nf_main(&ceph_front, argc, argv);
}
