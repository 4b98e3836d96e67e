/*
 * fuse/ceph/views.c: df and .ceph/ for netfuse-ceph (see views.h).
 *
 * The text follows the kernel's debugfs files where they exist
 * (/sys/kernel/debug/ceph/FSID.CLIENT/{monmap,monc,osdmap,mdsmap}): one
 * "key value" line each, then one line per monitor, request or pool, so
 * people who know those files read these, and scripts can awk them.
 */
#include "config.h"

#include "views.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "text/textbuf.h"

void ceph_statfs_fill(const struct mon_statfs_reply *r, struct statvfs *st)
{
	const unsigned shift = CEPH_BLOCK_SHIFT - 10; /* the reply counts KiB */

	memset(st, 0, sizeof(*st));
	st->f_bsize = st->f_frsize = 1UL << CEPH_BLOCK_SHIFT;
	st->f_blocks = r->kb >> shift;
	st->f_bfree = r->kb_avail >> shift;
	st->f_bavail = r->kb_avail >> shift;
	st->f_files = r->num_objects;
	st->f_ffree = (fsfilcnt_t)-1;
	st->f_favail = (fsfilcnt_t)-1;
	st->f_namemax = 255;
	/* f_fsid: the kernel folds the cluster's fsid into it, but FUSE's statfs
	 * reply has no field for it; the kernel's FUSE layer sets its own. */
}

bool ceph_statfs_quota(int64_t max_bytes, int64_t rbytes, struct statvfs *st)
{
	uint64_t max = max_bytes > 0 ? (uint64_t)max_bytes : 0, used = rbytes > 0 ? (uint64_t)rbytes : 0;
	uint64_t total = max >> CEPH_BLOCK_SHIFT, inuse = used >> CEPH_BLOCK_SHIFT, free;

	if (!max)
		return false;
	if (!total) { /* under 4 MiB: 4 KiB blocks */
		st->f_frsize = 1UL << 12;
		total = max >> 12;
		inuse = used >> 12;
	}
	free = total > inuse ? total - inuse : 0; /* a quota can be exceeded */
	if (!total) { /* under 4 KiB: one block, free while not full */
		total = 1;
		free = max > used;
	}
	st->f_blocks = total;
	st->f_bfree = st->f_bavail = free;
	return true;
}

void ceph_fsid_format(const uint8_t f[CEPH_FSID_LEN], char *buf, size_t len)
{
	snprintf(buf, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", f[0], f[1], f[2],
		 f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13], f[14], f[15]);
}

size_t ceph_view_monmap(const struct monc_monmap *map, char *buf, size_t len)
{
	struct textbuf o;
	char fsid[40], addr[64];

	textbuf_init(&o, buf, len);
	ceph_fsid_format(map->fsid, fsid, sizeof(fsid));
	textbuf_printf(&o, "epoch %u\n", map->epoch);
	textbuf_printf(&o, "fsid %s\n", fsid);
	for (unsigned r = 0; r < map->addrs.n; r++) {
		textbuf_printf(&o, "\tmon%u\t%s", r, map->names[r]);
		for (unsigned i = 0; i < map->addrs.mon[r].n; i++) {
			ceph_entity_addr_format(&map->addrs.mon[r].v[i], addr, sizeof(addr));
			textbuf_printf(&o, "%s%s", i ? "," : "\t", addr);
		}
		textbuf_printf(&o, "\n");
	}
	return o.off;
}

static const char *state_name(enum monc_state s)
{
	switch (s) {
	case MONC_HUNTING:
		return "hunting";
	case MONC_SESSION:
		return "session";
	default:
		return "stopped";
	}
}

size_t ceph_view_monc(const struct monc_status *st, uint64_t now_ms, char *buf, size_t len)
{
	struct textbuf o;

	textbuf_init(&o, buf, len);
	textbuf_printf(&o, "state %s\n", state_name(st->state));
	if (st->state == MONC_SESSION)
		textbuf_printf(&o, "mon %s %s\n", st->mon, st->addr);
	textbuf_printf(&o, "global_id %llu\n", (unsigned long long)st->global_id);
	textbuf_printf(&o, "hunt_mult %.2f\n", st->hunt_mult);
	textbuf_printf(&o, "hunting_connections %u\n", st->hunting_cons);
	textbuf_printf(&o, "sessions %llu\n", (unsigned long long)st->sessions);
	textbuf_printf(&o, "hunts %llu\n", (unsigned long long)st->hunts);
	if (st->last_keepalive_ack && now_ms >= st->last_keepalive_ack)
		textbuf_printf(&o, "last_keepalive_ack_ms_ago %llu\n",
			       (unsigned long long)(now_ms - st->last_keepalive_ack));
	textbuf_printf(&o, "subscription_interval %u\n", st->sub_interval);
	for (unsigned i = 0; i < st->nsubs; i++)
		textbuf_printf(&o, "have %s %llu%s\n", st->subs[i].what, (unsigned long long)st->subs[i].have,
			       st->subs[i].onetime ? " (one-time)" : "");
	textbuf_printf(&o, "pending_requests %u\n", st->pending);
	textbuf_printf(&o, "monmap_epoch %u\n", st->monmap_epoch);
	textbuf_printf(&o, "monitors %u\n", st->nmons);
	return o.off;
}

/* "sortbitwise,noout,...": the CEPH_OSDMAP_* flags set, as `ceph osd dump`
 * names them; bits it does not know in hex. */
static void osdmap_flags_string(uint32_t flags, char *buf, size_t len)
{
	/* CEPH_OSDMAP_* bits, from Ceph's include/rados.h. */
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
	    {1u << 0, "nearfull"},
	    {1u << 1, "full"},
	    {1u << 2, "pauserd"},
	    {1u << 3, "pausewr"},
	    {1u << 4, "pauserec"},
	    {1u << 5, "noup"},
	    {1u << 6, "nodown"},
	    {1u << 7, "noout"},
	    {1u << 8, "noin"},
	    {1u << 9, "nobackfill"},
	    {1u << 10, "norecover"},
	    {1u << 11, "noscrub"},
	    {1u << 12, "nodeep-scrub"},
	    {1u << 13, "notieragent"},
	    {1u << 14, "norebalance"},
	    {1u << 15, "sortbitwise"},
	    {1u << 16, "require_jewel_osds"},
	    {1u << 17, "require_kraken_osds"},
	    {1u << 18, "require_luminous_osds"},
	    {1u << 19, "recovery_deletes"},
	    {1u << 20, "purged_snapdirs"},
	    {1u << 21, "nosnaptrim"},
	    {1u << 22, "pglog_hardlimit"},
	};
	size_t off = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		int w = snprintf(buf + off, len - off, "%s%s", off ? "," : "", names[i].name);
		if (w < 0 || (size_t)w >= len - off)
			return;
		off += (size_t)w;
		flags &= ~names[i].bit;
	}
	if (flags)
		snprintf(buf + off, len - off, "%s0x%x", off ? "," : "", flags);
}

static const char *pool_type(uint8_t t)
{
	return t == POOL_TYPE_REPLICATED ? "replicated" : t == POOL_TYPE_ERASURE ? "erasure" : "unknown";
}

/* The kernel's ceph_osdmap_state_str, with the flags it leaves out. */
static void osd_state_string(uint32_t st, char *buf, size_t len)
{
	struct textbuf o;

	textbuf_init(&o, buf, len);
	if (!(st & OSD_EXISTS)) {
		textbuf_printf(&o, "doesn't exist");
		return;
	}
	textbuf_printf(&o, "exists, %s", st & OSD_UP ? "up" : "down");
	if (st & OSD_AUTOOUT)
		textbuf_printf(&o, ", autoout");
	if (st & OSD_NEW)
		textbuf_printf(&o, ", new");
	if (st & OSD_FULL)
		textbuf_printf(&o, ", full");
	if (st & OSD_NEARFULL)
		textbuf_printf(&o, ", nearfull");
}

/* "[v2:127.0.0.1:6802/1234,v1:127.0.0.1:6803/1234]", as `ceph osd dump`. */
static void put_addrvec(struct textbuf *o, const struct ceph_addrvec *v)
{
	char a[96];

	textbuf_printf(o, "[");
	for (unsigned i = 0; i < v->n; i++) {
		ceph_entity_addr_format(&v->v[i], a, sizeof(a));
		textbuf_printf(o, "%s%s", i ? "," : "", a);
	}
	textbuf_printf(o, "]");
}

static void put_mappings(struct textbuf *o, const char *what, const struct osd_pg_mappings *ms, bool pairs)
{
	for (uint32_t i = 0; i < ms->n; i++) {
		const struct osd_pg_mapping *pm = &ms->v[i];
		textbuf_printf(o, "%s %lld.%x [", what, (long long)pm->pg.pool, pm->pg.seed);
		for (uint32_t k = 0; k < pm->n; k++) {
			if (pairs)
				textbuf_printf(o, "%s%d->%d", k ? "," : "", pm->osds[2 * k], pm->osds[2 * k + 1]);
			else
				textbuf_printf(o, "%s%d", k ? "," : "", pm->osds[k]);
		}
		textbuf_printf(o, "]\n");
	}
}

size_t ceph_view_osdmap(const struct osdmap *m, const struct osdmap_keeper_stats *st, char *buf, size_t len)
{
	struct textbuf o;
	char fsid[40], flags[512], state[96];

	textbuf_init(&o, buf, len);
	if (!m) {
		textbuf_printf(&o, "no osdmap yet\n");
		return o.off;
	}
	ceph_fsid_format(m->fsid, fsid, sizeof(fsid));
	osdmap_flags_string(m->flags, flags, sizeof(flags));
	textbuf_printf(&o, "epoch %u\n", m->epoch);
	textbuf_printf(&o, "fsid %s\n", fsid);
	textbuf_printf(&o, "flags %s\n", flags);
	textbuf_printf(&o, "pool_max %d\n", m->pool_max);
	textbuf_printf(&o, "max_osd %u\n", m->max_osd);
	textbuf_printf(&o, "crush_version %u\n", m->crush_version);
	textbuf_printf(&o, "maps full %llu incremental %llu gaps %llu refused %llu\n",
		       (unsigned long long)st->full_maps, (unsigned long long)st->incrementals,
		       (unsigned long long)st->gaps, (unsigned long long)st->refused);
	textbuf_printf(&o, "pools %u\n", m->npools);
	for (uint32_t i = 0; i < m->npools; i++) {
		const struct osd_pool *p = &m->pools[i];
		textbuf_printf(&o,
			       "pool %lld '%s' %s size %u min_size %u crush_rule %u pg_num %u pgp_num %u "
			       "pg_num_mask %u flags 0x%llx lfor %u read_tier %lld write_tier %lld\n",
			       (long long)p->id, p->name ? p->name : "", pool_type(p->type), p->size, p->min_size,
			       p->crush_rule, p->pg_num, p->pgp_num, p->pg_num_mask, (unsigned long long)p->flags,
			       p->last_force_resend, (long long)p->read_tier, (long long)p->write_tier);
	}
	for (uint32_t i = 0; i < m->max_osd; i++) {
		if (!(m->osd_state[i] & OSD_EXISTS))
			continue;
		osd_state_string(m->osd_state[i], state, sizeof(state));
		textbuf_printf(&o, "osd%u\t", i);
		put_addrvec(&o, &m->osd_addrs[i]);
		textbuf_printf(
		    &o, "\t%3u%%\t(%s)\t%3u%%\n", (m->osd_weight[i] * 100) >> 16, state,
		    ((m->osd_primary_affinity ? m->osd_primary_affinity[i] : OSD_DEFAULT_PRIMARY_AFFINITY) * 100) >>
			16);
	}
	put_mappings(&o, "pg_temp", &m->pg_temp, false);
	for (uint32_t i = 0; i < m->primary_temp.n; i++) {
		const struct osd_pg_mapping *pm = &m->primary_temp.v[i];
		textbuf_printf(&o, "primary_temp %lld.%x %d\n", (long long)pm->pg.pool, pm->pg.seed, pm->osds[0]);
	}
	put_mappings(&o, "pg_upmap", &m->pg_upmap, false);
	put_mappings(&o, "pg_upmap_items", &m->pg_upmap_items, true);
	return o.off;
}

/* Ranks listed, as the kernel's possible_max_rank: at least max_mds and
 * every rank in the map; bounded so a hostile max_mds cannot fill the file. */
#define VIEW_MAX_RANKS 256

static void put_mds_ranks(struct textbuf *o, const struct mdsmap_summary *mm)
{
	int32_t nranks = mm->max_mds > (int32_t)mm->nin ? mm->max_mds : (int32_t)mm->nin;
	char addr[96];

	for (unsigned i = 0; i < mm->nmds; i++)
		if (mm->mds[i].state > 0 && mm->mds[i].rank >= nranks)
			nranks = mm->mds[i].rank + 1;
	if (nranks > VIEW_MAX_RANKS)
		nranks = VIEW_MAX_RANKS;
	for (int32_t r = 0; r < nranks; r++) {
		const struct mdsmap_mds *d = mdsmap_rank_holder(mm, r);

		if (d)
			ceph_entity_addr_format(&d->addr, addr, sizeof(addr));
		textbuf_printf(o, "\tmds%d\t%s\t(%s)\n", r, d ? addr : "-",
			       mdsmap_state_name(d ? d->state : CEPH_MDS_STATE_DNE));
	}
}

static void put_mdsmap_extra(struct textbuf *o, const struct mdsmap_summary *mm)
{
	int64_t pool = mdsmap_statfs_pool(mm);
	char addr[96];

	if (mm->has_fs_name)
		textbuf_printf(o, "fs_name %s\n", mm->fs_name);
	textbuf_printf(o, "enabled %d\n", mm->enabled);
	textbuf_printf(o, "flags 0x%x\n", mm->flags);
	textbuf_printf(o, "max_file_size %llu\n", (unsigned long long)mm->max_file_size);
	textbuf_printf(o, "data_pools");
	for (unsigned i = 0; i < mm->ndata_pools; i++)
		textbuf_printf(o, "%s%lld", i ? "," : " ", (long long)mm->data_pools[i]);
	if (!mm->ndata_pools_total)
		textbuf_printf(o, " none");
	if (mm->ndata_pools < mm->ndata_pools_total)
		textbuf_printf(o, ",... (%u in all)", mm->ndata_pools_total);
	textbuf_printf(o, "\n");
	textbuf_printf(o, "metadata_pool %lld\n", (long long)mm->metadata_pool);
	if (pool == CEPH_NOPOOL)
		textbuf_printf(o, "statfs_pool -1 (whole cluster)\n");
	else
		textbuf_printf(o, "statfs_pool %lld\n", (long long)pool);
	textbuf_printf(o, "ranks in %u up %u failed %u stopped %u damaged %u\n", mm->nin, mm->nup, mm->nfailed,
		       mm->nstopped, mm->ndamaged);
	for (unsigned i = 0; i < mm->nmds; i++) {
		const struct mdsmap_mds *d = &mm->mds[i];

		if (d->naddrs)
			ceph_entity_addr_format(&d->addr, addr, sizeof(addr));
		textbuf_printf(o, "daemon %llu %s rank %d %s %s%s\n", (unsigned long long)d->gid, d->name, d->rank,
			       mdsmap_state_name(d->state), d->naddrs ? addr : "-", d->laggy ? " laggy" : "");
	}
	if (mm->nmds < mm->nmds_total)
		textbuf_printf(o, "(%u more daemons not shown)\n", mm->nmds_total - mm->nmds);
}

size_t ceph_view_mdsmap(const struct fsmap_user *fm, const char *mounted_fs, const struct mdsmap_summary *mm, char *buf,
			size_t len)
{
	struct textbuf o;

	textbuf_init(&o, buf, len);
	if (mm) {
		/* The kernel's lines first, in its order and spelling. */
		textbuf_printf(&o, "epoch %u\n", mm->epoch);
		textbuf_printf(&o, "root %d\n", mm->root);
		textbuf_printf(&o, "max_mds %d\n", mm->max_mds);
		textbuf_printf(&o, "session_timeout %u\n", mm->session_timeout);
		textbuf_printf(&o, "session_autoclose %u\n", mm->session_autoclose);
		put_mds_ranks(&o, mm);
		put_mdsmap_extra(&o, mm);
	} else {
		textbuf_printf(&o, "mdsmap none received yet\n");
	}
	if (fm) {
		textbuf_printf(&o, "fsmap_epoch %u\n", fm->epoch);
		textbuf_printf(&o, "legacy_client_fscid %d\n", fm->legacy_client_fscid);
	} else {
		textbuf_printf(&o, "fsmap none received yet\n");
	}
	textbuf_printf(&o, "mounted %s\n", mounted_fs && *mounted_fs ? mounted_fs : "(default)");
	for (unsigned i = 0; fm && i < fm->nfs; i++)
		textbuf_printf(&o, "fs %d %s\n", fm->fs[i].fscid, fm->fs[i].name);
	return o.off;
}

size_t ceph_view_auth(const struct ceph_auth_view *a, char *buf, size_t len)
{
	struct textbuf o;

	textbuf_init(&o, buf, len);
	textbuf_printf(&o, "entity %s\n", a->entity);
	textbuf_printf(&o, "global_id %llu\n", (unsigned long long)a->global_id);
	textbuf_printf(&o, "method %s\n", a->method);
	textbuf_printf(&o, "con_mode %s\n", a->con_mode);
	if (a->ticket_expires > 0) {
		char when[64];
		struct tm tm;
		time_t t = (time_t)a->ticket_expires;
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		textbuf_printf(&o, "ticket_expires %s\n", when);
	}
	textbuf_printf(&o, "ticket_renewals %llu\n", (unsigned long long)a->renewals);
	textbuf_printf(&o, "key_from %s\n", a->key_from);
	return o.off;
}

size_t ceph_view_osdc(const struct osdc_status *st, const char *requests, char *buf, size_t len)
{
	struct textbuf o;

	textbuf_init(&o, buf, len);
	textbuf_printf(&o, "sessions %u\n", st->sessions);
	textbuf_printf(&o, "requests %u\n", st->requests);
	textbuf_printf(&o, "homeless %u\n", st->homeless);
	textbuf_printf(&o, "paused %u\n", st->paused);
	textbuf_printf(&o, "laggy_sessions %u\n", st->laggy);
	textbuf_printf(&o, "sent %llu resent %llu replies %llu map_resends %llu map_checks %llu\n",
		       (unsigned long long)st->sent, (unsigned long long)st->resent, (unsigned long long)st->replies,
		       (unsigned long long)st->map_resends, (unsigned long long)st->map_checks);
	textbuf_printf(&o, "REQUESTS\n%s", requests ? requests : "");
	return o.off;
}

size_t ceph_view_mds_sessions(uint64_t global_id, const char *name, const struct mdsc_session_status *s, unsigned n,
			      char *buf, size_t len)
{
	struct textbuf o;

	textbuf_init(&o, buf, len);
	textbuf_printf(&o, "global_id %llu\n", (unsigned long long)global_id);
	textbuf_printf(&o, "name \"%s\"\n", name);
	for (unsigned i = 0; i < n; i++)
		textbuf_printf(&o, "mds.%d %s\tfeatures 0x%llx seq %llu renew_seq %llu%s\n", (int)s[i].rank, s[i].state,
			       (unsigned long long)s[i].features, (unsigned long long)s[i].seq,
			       (unsigned long long)s[i].renew_seq, s[i].readonly ? " readonly" : "");
	return o.off;
}

size_t ceph_view_mdsc(const struct mdsc_status *st, const char *requests, char *buf, size_t len)
{
	struct textbuf o;

	textbuf_init(&o, buf, len);
	textbuf_printf(&o, "sessions %u\n", st->sessions);
	textbuf_printf(&o, "requests %u\n", st->requests);
	textbuf_printf(&o, "unsafe %u\n", st->unsafe);
	textbuf_printf(&o, "sent %llu replies %llu forwards %llu caps_released %llu leases_acked %llu\n",
		       (unsigned long long)st->sent, (unsigned long long)st->replies, (unsigned long long)st->forwards,
		       (unsigned long long)st->caps_released, (unsigned long long)st->leases_acked);
	textbuf_printf(&o, "caps %llu revokes %llu revokes_acked %llu caps_recalled %llu cache_hits %llu\n",
		       (unsigned long long)st->caps, (unsigned long long)st->revokes,
		       (unsigned long long)st->revokes_acked, (unsigned long long)st->caps_recalled,
		       (unsigned long long)st->cache_hits);
	textbuf_printf(&o, "names %llu name_hits %llu\n", (unsigned long long)st->names,
		       (unsigned long long)st->name_hits);
	textbuf_printf(&o, "REQUESTS\n%s", requests ? requests : "");
	return o.off;
}

size_t ceph_view_caps(const struct mdsc_status *st, const char *caps, char *buf, size_t len)
{
	struct textbuf o;

	textbuf_init(&o, buf, len);
	textbuf_printf(&o, "total %llu\n", (unsigned long long)st->caps);
	textbuf_printf(&o, "ino\tmds\tissued\timplemented\twanted\tseq\topens\n%s", caps ? caps : "");
	return o.off;
}
