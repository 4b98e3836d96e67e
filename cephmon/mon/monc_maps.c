/*
 * cephmon/mon/monc_maps.c: the monitor client's maps (see the header). Each
 * map is decoded whole into a new copy before the held one is replaced,
 * so a map that does not decode leaves the last good one in place.
 */
#include "config.h"

#include "cephmon/mon/monc_maps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/mon/monmap.h"

/* A message that does not decode is dropped; the session goes on. */
static void dropped(struct monc_maps *mp, const char *what)
{
	health_report(mp->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, EBADMSG, "monitors", NULL,
		      "malformed %s dropped", what);
}

void monc_maps_init(struct monc_maps *mp, struct monc *monc, struct health_queue *health, const char *fs_name,
		    bool want_fs, const struct monc_osdmap_ops *osdmap)
{
	memset(mp, 0, sizeof(*mp));
	mp->monc = monc;
	mp->health = health;
	mp->fs_name = fs_name;
	mp->want_fs = want_fs;
	if (osdmap)
		mp->osdmap = *osdmap;
}

void monc_maps_destroy(struct monc_maps *mp)
{
	free(mp->fsmap);
	free(mp->mdsmap);
	memset(mp, 0, sizeof(*mp));
}

void monc_maps_subscribe(struct monc_maps *mp, uint64_t now_ms)
{
	monc_subscribe(mp->monc, "monmap", 0, false, now_ms);
	if (mp->osdmap.handle)
		monc_subscribe(mp->monc, "osdmap", 0, false, now_ms);
	if (mp->want_fs)
		monc_subscribe(mp->monc, "fsmap.user", 0, false, now_ms);
}

bool monc_maps_have_monmap(const struct monc_maps *mp)
{
	return monc_monmap(mp->monc)->epoch != 0;
}

bool monc_maps_ready(const struct monc_maps *mp)
{
	return monc_maps_have_monmap(mp) && (!mp->osdmap.handle || mp->osdmap_epoch) &&
	       (!mp->want_fs || mp->mdsmap || mp->fs_none);
}

static void handle_monmap(struct monc_maps *mp, const uint8_t *front, size_t len, uint64_t now_ms)
{
	struct monmap *mm;
	struct monc_monmap map;

	if (monmap_decode_msg(front, len, &mm)) {
		dropped(mp, "monmap");
		return;
	}
	if (monc_maps_have_monmap(mp) && memcmp(mm->fsid, monc_monmap(mp->monc)->fsid, sizeof(mm->fsid))) {
		/* Another cluster's monitor (a stale address in the list). */
		health_report(mp->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, EXDEV, "monitors", NULL,
			      "a monmap of another cluster (fsid differs) dropped");
		monmap_free(mm);
		return;
	}
	memset(&map, 0, sizeof(map));
	map.epoch = mm->epoch;
	memcpy(map.fsid, mm->fsid, sizeof(map.fsid));
	for (unsigned i = 0; i < mm->n && map.addrs.n < CEPH_MON_ADDRS_MAX; i++) {
		if (!ceph_addrvec_msgr2(&mm->mons[i].addrs))
			continue; /* no msgr2 address: of no use to us */
		map.addrs.mon[map.addrs.n] = mm->mons[i].addrs;
		snprintf(map.names[map.addrs.n], MONC_NAME_MAX, "%s", mm->mons[i].name);
		map.addrs.n++;
	}
	monmap_free(mm);
	if (!map.addrs.n)
		return;
	monc_set_monmap(mp->monc, &map, now_ms);
}

static void handle_osdmap(struct monc_maps *mp, const uint8_t *front, size_t len, uint64_t now_ms)
{
	struct mosdmap *mo;
	struct monc_osdmap_result r;

	if (!mp->osdmap.handle)
		return; /* not subscribed */
	mo = malloc(sizeof(*mo));
	if (!mo)
		return; /* lost like a dropped message: the next epoch brings the gap back */
	if (mosdmap_decode(front, len, mo)) {
		free(mo);
		dropped(mp, "osdmap message");
		return;
	}
	mp->osdmap.handle(mp->osdmap.arg, mo, &r);
	free(mo);
	monc_maps_osdmap_result(mp, &r, now_ms);
}

void monc_maps_osdmap_result(struct monc_maps *mp, const struct monc_osdmap_result *r, uint64_t now_ms)
{
	if (!mp->osdmap.handle)
		return;
	if (r->changed) {
		mp->osdmap_epoch = r->epoch;
		monc_got_epoch(mp->monc, "osdmap", r->epoch);
	}
	if (r->want == MONC_OSDMAP_WANT_NEXT)
		monc_subscribe(mp->monc, "osdmap", (uint64_t)r->epoch + 1, false, now_ms);
	else if (r->want == MONC_OSDMAP_WANT_FULL)
		monc_want_full(mp->monc, "osdmap", now_ms);
}

static void subscribe_mdsmap(struct monc_maps *mp, uint64_t now_ms)
{
	const char *want = mp->fs_name;
	int32_t fscid = -1;

	for (unsigned i = 0; i < mp->fsmap->nfs; i++)
		if (want[0] ? !strcmp(mp->fsmap->fs[i].name, want)
			    : mp->fsmap->fs[i].fscid == mp->fsmap->legacy_client_fscid)
			fscid = mp->fsmap->fs[i].fscid;
	if (!want[0] && fscid < 0 && mp->fsmap->nfs == 1)
		fscid = mp->fsmap->fs[0].fscid;
	mp->fs_missing = fscid < 0 && want[0];
	mp->fs_none = fscid < 0 && !want[0]; /* a cluster without CephFS: the whole cluster's statfs */
	if (fscid < 0 || mp->mds_sub[0])
		return;
	snprintf(mp->mds_sub, sizeof(mp->mds_sub), "mdsmap.%d", fscid);
	monc_subscribe(mp->monc, mp->mds_sub, 0, false, now_ms);
}

static void handle_fsmap_user(struct monc_maps *mp, const uint8_t *front, size_t len, uint64_t now_ms)
{
	struct fsmap_user *f = malloc(sizeof(*f));

	if (!f || fsmap_user_decode(front, len, f)) {
		if (f)
			dropped(mp, "fsmap.user");
		free(f);
		return;
	}
	free(mp->fsmap);
	mp->fsmap = f;
	monc_got_epoch(mp->monc, "fsmap.user", f->epoch);
	if (mp->want_fs)
		subscribe_mdsmap(mp, now_ms);
}

static void handle_mdsmap(struct monc_maps *mp, const uint8_t *front, size_t len)
{
	struct mdsmap_summary *m = malloc(sizeof(*m));

	if (!m || mmdsmap_decode(front, len, m)) {
		if (m)
			dropped(mp, "mdsmap");
		free(m);
		return;
	}
	if (!mp->mds_sub[0] || (mp->mdsmap && m->epoch <= mp->mdsmap->epoch)) {
		free(m);
		return;
	}
	free(mp->mdsmap);
	mp->mdsmap = m;
	monc_got_epoch(mp->monc, mp->mds_sub, m->epoch);
	if (mp->mdsmap_ops.changed)
		mp->mdsmap_ops.changed(mp->mdsmap_ops.arg, m);
}

bool monc_maps_handle(struct monc_maps *mp, uint16_t type, const uint8_t *front, size_t len, uint64_t now_ms)
{
	switch (type) {
	case CEPH_MSG_MON_MAP:
		handle_monmap(mp, front, len, now_ms);
		return true;
	case CEPH_MSG_OSD_MAP:
		handle_osdmap(mp, front, len, now_ms);
		return true;
	case CEPH_MSG_FS_MAP_USER:
		handle_fsmap_user(mp, front, len, now_ms);
		return true;
	case CEPH_MSG_MDS_MAP:
		handle_mdsmap(mp, front, len);
		return true;
	default:
		return false;
	}
}
