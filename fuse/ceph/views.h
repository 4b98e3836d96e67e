/*
 * fuse/ceph/views.h: what netfuse-ceph shows of its Ceph client (the
 * monitor client, the OSD map it keeps, the OSD and MDS clients): the
 * statfs answer `df` sees, and the text of the read-only files in .ceph/
 * that mirror the kernel client's debugfs (monmap, monc, osdmap, mdsmap,
 * auth, osdc, mdsc, mds_sessions, caps). Pure functions over snapshots,
 * so each file's text is consistent and testable without a cluster.
 * Nothing here ever prints a key.
 */
#ifndef NETFUSE_FUSE_CEPH_VIEWS_H
#define NETFUSE_FUSE_CEPH_VIEWS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/statvfs.h>

#include "cephmds/mds_client.h"
#include "cephmon/ceph_client.h"
#include "cephosd/osd_client.h"
#include "cephosd/osdmap.h"
#include "cephosd/osdmap_keeper.h"

#define CEPH_BLOCK_SHIFT 22 /* statfs blocks of 4 MiB, as the kernel client */

/* df's view of a statfs reply, as the kernel's ceph_statfs computes it. */
void ceph_statfs_fill(const struct mon_statfs_reply *r, struct statvfs *st);
/* A quota of @max_bytes on the mount's root, @rbytes used under it, in
 * @st's blocks, as the kernel's ceph_quota_update_statfs: 4 MiB blocks,
 * 4 KiB ones for a quota under 4 MiB, never negative free space. Whether
 * there is a quota (@max_bytes > 0); @st is left alone when not. */
bool ceph_statfs_quota(int64_t max_bytes, int64_t rbytes, struct statvfs *st);

/* The fsid in its usual text form (8-4-4-4-12 hex). */
void ceph_fsid_format(const uint8_t fsid[CEPH_FSID_LEN], char *buf, size_t len);

/* What .ceph/auth shows: who we are, never the keys. */
struct ceph_auth_view {
	char entity[80];
	uint64_t global_id;
	char method[16];	      /* "cephx" */
	char con_mode[16];	      /* "crc" or "secure" */
	int64_t ticket_expires;	      /* unix seconds of the mon ticket, 0 unknown */
	uint64_t renewals;	      /* MAuth rounds that renewed tickets on a session */
	char key_from[PATH_MAX + 32]; /* where the key came from: "keyring /etc/ceph/..." */
};

/* Each renders one file into @buf and returns its length (cut to @len - 1,
 * always NUL-terminated). @now_ms is monc's clock, for ages. */
size_t ceph_view_monmap(const struct monc_monmap *map, char *buf, size_t len);
size_t ceph_view_monc(const struct monc_status *st, uint64_t now_ms, char *buf, size_t len);
/* .ceph/osdmap: the kernel debugfs osdmap (epoch, flags, one line per pool,
 * "osdN\tADDRS\tWEIGHT%\t(STATE)\tAFFINITY%" per existing OSD, then the
 * pg_temp, primary_temp, pg_upmap and pg_upmap_items entries), with the
 * keeper's counters; @m NULL: "no osdmap yet". */
size_t ceph_view_osdmap(const struct osdmap *m, const struct osdmap_keeper_stats *st, char *buf, size_t len);
/* .ceph/mdsmap: the kernel debugfs mdsmap lines (epoch, root, max_mds,
 * session_timeout, session_autoclose, one "\tmdsR\tADDR\t(STATE)" per rank),
 * then what else the MDS map says (pools, every daemon), then the FS map's
 * file systems. @fm (no FS map yet) and @mm (no MDS map yet) may be NULL. */
size_t ceph_view_mdsmap(const struct fsmap_user *fm, const char *mounted_fs, const struct mdsmap_summary *mm, char *buf,
			size_t len);
size_t ceph_view_auth(const struct ceph_auth_view *a, char *buf, size_t len);
/* .ceph/osdc: the OSD client's counts, then "REQUESTS" and its requests in
 * flight as the kernel's debugfs osdc lists them (osdc_format_requests). */
size_t ceph_view_osdc(const struct osdc_status *st, const char *requests, char *buf, size_t len);
/* .ceph/mds_sessions: the kernel debugfs mds_sessions (global_id, the name
 * mounted as, "mds.R STATE" per session), with each session's MDS
 * features and counted messages. */
size_t ceph_view_mds_sessions(uint64_t global_id, const char *name, const struct mdsc_session_status *s, unsigned n,
			      char *buf, size_t len);
/* .ceph/mdsc: the MDS client's counts, then "REQUESTS" and its requests in
 * flight as the kernel's debugfs mdsc lists them (mdsc_format_requests). */
size_t ceph_view_mdsc(const struct mdsc_status *st, const char *requests, char *buf, size_t len);
/* .ceph/caps: how many caps are held, a header, then one line per cap as
 * mdsc_format_caps writes them (the kernel's debugfs caps, with what the
 * MDS thinks we want, the cap's seq and the files open on it). */
size_t ceph_view_caps(const struct mdsc_status *st, const char *caps, char *buf, size_t len);

#endif
