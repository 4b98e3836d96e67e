/*
 * fuse/ceph/main.c: netfuse-ceph, the Ceph front-end on the FUSE core.
 *
 *   netfuse-ceph MON[,MON...][:/SUBDIR] MOUNTPOINT [-o OPTS] [-c CONF] [--id NAME] [-k KEYRING]
 *
 * It connects to the monitors through cephmon's monitor client on its own
 * I/O thread (monc_loop), which hands the OSD maps it receives to cephosd's
 * keeper and OSD client (osdc_loop) and the MDS maps to cephmds's MDS
 * client (mdsc_loop), both running on that thread. The mount shows the
 * CephFS namespace from SUBDIR down (namespace.c), df from the monitors' statfs (the kernel's arithmetic and
 * data-pool rule), .health (the FUSE core's), and .ceph/, views mirroring
 * the kernel client's debugfs files, which the core serves (struct nf_view)
 * from the texts of views.c.
 *
 * Options are spelled as the kernel client and mount.ceph spell them, so
 * an fstab line moves between the two: name=, secret=, secretfile=,
 * mon_addr=, ms_mode=, mount_timeout=, fs= (mds_namespace= is its old
 * name, client_fs= ceph-fuse's), readdir_max_entries=, noquotadf (and the
 * core's rasize=, rsize=, wsize=), plus Ceph's own -c/--conf,
 * --id/-n/--name, -k/--keyring and -m.
 *
 * Each view renders from one snapshot of the client (monc_loop_snapshot;
 * .ceph/osdmap from the keeper's map under its lock), which the core takes
 * at each open, so a reader sees one consistent state.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evloop/evloop.h"
#include "fuse/ceph/front.h"
#include "fuse/ceph/views.h"

/* ---- options --------------------------------------------------------------------- */

static struct {
	char *conf, *name, *secret, *secretfile, *keyring, *mon_addr, *ms_mode, *fs, *mds_namespace, *client_fs;
	double mount_timeout;
	unsigned readdir_max_entries;
	bool noquotadf;
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
    {.name = "client_fs",
     .type = MOPT_STRING,
     .offset = O(client_fs),
     .args = "--client_fs",
     .help = "client_fs=NAME       fs= as ceph-fuse spells it (--client_fs NAME)"},
    {.name = "readdir_max_entries",
     .type = MOPT_UINT,
     .offset = O(readdir_max_entries),
     .max = 1u << 20,
     .help = "readdir_max_entries=N  entries asked of the MDS per READDIR (0: as many as fit its reply)"},
    {.name = "noquotadf",
     .type = MOPT_FLAG,
     .offset = O(noquotadf),
     .help = "noquotadf            df shows the cluster's space, not the mount root's quota"},
    {.name = NULL},
};
#undef O

/* ---- the root and the views ------------------------------------------------------ */

enum { V_MONMAP, V_MONC, V_OSDMAP, V_MDSMAP, V_AUTH, V_OSDC, V_MDSC, V_MDS_SESSIONS, V_CAPS, V_WRITEBACK, V_END };

static size_t render(void *fs, const struct nf_view *v, char *buf, size_t len);

static const struct nf_view ceph_views[] = {
    [V_MONMAP] = {".ceph", "monmap", 0444, render},
    [V_MONC] = {".ceph", "monc", 0444, render},
    [V_OSDMAP] = {".ceph", "osdmap", 0444, render},
    [V_MDSMAP] = {".ceph", "mdsmap", 0444, render},
    [V_AUTH] = {".ceph", "auth", 0400, render}, /* who we are: the mounting user's business */
    [V_OSDC] = {".ceph", "osdc", 0444, render},
    [V_MDSC] = {".ceph", "mdsc", 0444, render},
    [V_MDS_SESSIONS] = {".ceph", "mds_sessions", 0444, render},
    [V_CAPS] = {".ceph", "caps", 0444, render},
    [V_WRITEBACK] = {".ceph", "writeback", 0444, render},
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
	case V_OSDC: {
		struct osdc_status st;
		char *reqs = malloc(NF_VIEW_MAX);
		osdc_loop_status(f->osdc, &st, reqs, reqs ? NF_VIEW_MAX : 0);
		n = ceph_view_osdc(&st, reqs ? reqs : "", buf, len);
		free(reqs);
		break;
	}
	case V_CAPS: {
		struct mdsc_status st;
		char *caps = malloc(NF_VIEW_MAX);
		mdsc_loop_status(f->mdsc, &st, NULL, 0, NULL, 0);
		if (caps)
			mdsc_loop_format_caps(f->mdsc, caps, NF_VIEW_MAX);
		n = ceph_view_caps(&st, caps ? caps : "", buf, len);
		free(caps);
		break;
	}
	case V_WRITEBACK:
		n = f->wb ? cephfs_wb_format(f, buf, len) : 0;
		break;
	case V_MDSC:
	case V_MDS_SESSIONS: {
		struct mdsc_status st;
		struct mdsc_session_status ss[MDSC_MAX_RANKS];
		char *reqs = v - ceph_views == V_MDSC ? malloc(NF_VIEW_MAX) : NULL;
		unsigned ns = mdsc_loop_status(f->mdsc, &st, ss, MDSC_MAX_RANKS, reqs, reqs ? NF_VIEW_MAX : 0);
		if (v - ceph_views == V_MDSC)
			n = ceph_view_mdsc(&st, reqs ? reqs : "", buf, len);
		else
			n = ceph_view_mds_sessions(s->auth.global_id, s->auth.entity, ss, ns, buf, len);
		free(reqs);
		break;
	}
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

uint64_t cephfs_wait_deadline(const struct cephfs_front *f)
{
	return f->mount_timeout > 0 ? evloop_deadline_ms((long)(f->mount_timeout * 1000)) : EVLOOP_NEVER;
}

/* ---- start and stop --------------------------------------------------------------- */

/* Close the MDS sessions (so the MDS drops what it granted), then stop
 * the clients: theirs before the monitor client's loop they run on. */
static void free_front(struct cephfs_front *f)
{
	if (!f)
		return;
	cephfs_wb_stop(f); /* what is buffered goes before the sessions close */
	if (f->mdsc && f->ml)
		mdsc_loop_close(f->mdsc, evloop_deadline_ms(5000));
	cephfs_inval_stop(f);
	mdsc_loop_free(f->mdsc);
	osdc_loop_free(f->osdc);
	monc_loop_free(f->ml); /* joins the thread that feeds the keeper */
	osdmap_keeper_free(f->osdmap);
	free(f);
}

static int c_start(struct nf_mount *m, const char *source, void **fs, struct nf_key *root, char *err, size_t errlen)
{
	char host[256] = "";
	struct ceph_mount_args a = {
	    .source = source,
	    .conf = copts.conf,
	    .name = copts.name,
	    .secret = copts.secret,
	    .secretfile = copts.secretfile,
	    .keyring = copts.keyring,
	    .mon_addr = copts.mon_addr,
	    .ms_mode = copts.ms_mode,
	    .fs = copts.fs ? copts.fs : copts.client_fs ? copts.client_fs : copts.mds_namespace,
	    .mount_timeout = copts.mount_timeout > 0 ? copts.mount_timeout : 0,
	};
	struct ceph_mount_config *cfg = calloc(1, sizeof(*cfg));
	struct cephfs_front *f = calloc(1, sizeof(*f));
	int e;

	/* Write-back ranges (up to 4 MiB each, short-lived) go back to the
	 * system when freed: glibc would otherwise raise its mmap threshold
	 * to their size after the first one and keep their memory in its
	 * arenas (76 MiB resident after a 1 GiB copy). */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
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
	f->readdir_max_entries = copts.readdir_max_entries;
	f->noquotadf = copts.noquotadf;
	f->mounted_at = time(NULL);
	f->uid = getuid();
	f->gid = getgid();
	gethostname(host, sizeof(host) - 1);
	const char *id = strncmp(cfg->entity, "client.", 7) ? cfg->entity : cfg->entity + 7;
	const char *meta[] = {"hostname", host,	       "entity_id",	  id,
			      "root",	  cfg->subdir, "netfuse_version", PACKAGE_VERSION};
	f->osdmap = osdmap_keeper_new(nf_mount_health(m));
	f->osdc = f->osdmap ? osdc_loop_new(f->osdmap, nf_mount_health(m)) : NULL;
	f->mdsc = mdsc_loop_new(nf_mount_health(m), meta, 4);
	if (!f->osdmap || !f->osdc || !f->mdsc) {
		snprintf(err, errlen, "out of memory");
		e = -ENOMEM;
		goto out;
	}
	struct monc_loop_params p = {.cfg = cfg,
				     .health = nf_mount_health(m),
				     .want_fs = true,
				     .osdmap = osdc_loop_osdmap_ops(f->osdc),
				     .mdsmap = mdsc_loop_mdsmap_ops(f->mdsc)};
	e = monc_loop_new(&p, &f->ml, err, errlen);
	if (e)
		goto out;
	osdc_loop_attach(f->osdc, f->ml);
	mdsc_loop_attach(f->mdsc, f->ml);
	e = cephfs_inval_start(f);
	if (!e)
		e = cephfs_wb_start_threads(f);
	if (e) {
		snprintf(err, errlen, "cannot start a thread: %s", strerror(-e));
		goto out;
	}
	e = monc_loop_open(f->ml, cephfs_wait_deadline(f), err, errlen);
	if (e)
		goto out;
	e = cephfs_resolve_dir(f, cfg->subdir, cephfs_wait_deadline(f), &f->root_ino);
	if (e == -ETIMEDOUT)
		snprintf(err, errlen, "no MDS of file system %s answered in time (mount_timeout)",
			 cfg->fs_name[0] ? cfg->fs_name : "(the default)");
	else if (e)
		snprintf(err, errlen, "%s %s in file system %s: %s",
			 e == -ENOTDIR ? "not a directory:" : "no directory", cfg->subdir,
			 cfg->fs_name[0] ? cfg->fs_name : "(the default)", strerror(-e));
out:
	ceph_mount_config_wipe(cfg);
	free(cfg);
	if (e) {
		free_front(f);
		return e;
	}
	*fs = f;
	*root = (struct nf_key){0, f->root_ino};
	return 0;
}

static void c_stop(void *fs)
{
	free_front(fs);
}

static const struct nf_frontend ceph_front = {
    .prog = "netfuse-ceph",
    .source_syntax = "[MON[,MON...]]:/[SUBDIR]",
    .summary = "Mount a CephFS file system, with df, .health and .ceph/.",
    /* one object of the default layout: a cold 512 MiB read went from
     * 381-404 MiB/s (FUSE's 128 KiB) to 528-672 (1 MiB 543-579; 8 MiB,
     * the kernel client's rasize, 463; 16 MiB 420-447) */
    .rasize = 4u << 20,
    .specs = ceph_specs,
    .opts = &copts,
    .start = c_start,
    .stop = c_stop,
    .ops = &cephfs_ops,
    .views = ceph_views,
};

int main(int argc, char **argv)
{
	return nf_main(&ceph_front, argc, argv);
}
