/*
 * cephosd/osdmap_place.c: placement, from an object's name to the OSDs that
 * hold it (see osdmap.h for the steps).
 *
 * Each step is the OSD daemons' own (Ceph src/osd/OSDMap.cc:
 * object_locator_to_pg, pg_pool_t::raw_pg_to_pg and raw_pg_to_pps,
 * _pg_to_raw_osds, _apply_upmap, _raw_to_up_osds, _apply_primary_affinity,
 * _get_temp_osds, _pg_to_up_acting_osds): a client that computed any of them
 * differently would send its requests to an OSD that is not the primary,
 * which drops them. An OSD id outside the map counts as missing and down
 * wherever a mapping names one, so no explicit mapping can index past the
 * per-OSD arrays.
 */
#include "config.h"

#include "cephosd/osdmap.h"
#include "cephosd/osdmap_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint32_t ceph_stable_mod(uint32_t x, uint32_t b, uint32_t bmask)
{
	return (x & bmask) < b ? x & bmask : x & (bmask >> 1);
}

int osdmap_object_to_pg(const struct osdmap *m, int64_t pool, const char *ns, const char *name, struct osd_pg *raw)
{
	const struct osd_pool *p = osdmap_pool(m, pool);
	size_t nl = strlen(name), nsl = ns ? strlen(ns) : 0;

	if (!p)
		return -ENOENT;
	raw->pool = pool;
	if (!nsl) {
		raw->seed = ceph_str_hash(p->object_hash, name, nl);
	} else {
		/* namespace, \037, name */
		char stack[256], *buf = nsl + 1 + nl <= sizeof(stack) ? stack : malloc(nsl + 1 + nl);

		if (!buf)
			return -ENOMEM;
		memcpy(buf, ns, nsl);
		buf[nsl] = '\037';
		memcpy(buf + nsl + 1, name, nl);
		raw->seed = ceph_str_hash(p->object_hash, buf, nsl + 1 + nl);
		if (buf != stack)
			free(buf);
	}
	return 0;
}

struct osd_pg osd_pool_raw_pg_to_pg(const struct osd_pool *p, struct osd_pg raw)
{
	struct osd_pg pg = {.pool = raw.pool, .seed = ceph_stable_mod(raw.seed, p->pg_num, p->pg_num_mask)};

	return pg;
}

/* The placement seed CRUSH runs on: pools with HASHPSPOOL (every pool
 * since Firefly) hash the pool id in, so pools do not overlap. */
static uint32_t raw_pg_to_pps(const struct osd_pool *p, struct osd_pg raw)
{
	uint32_t ps = ceph_stable_mod(raw.seed, p->pgp_num, p->pgp_num_mask);

	if (p->flags & POOL_FLAG_HASHPSPOOL)
		return crush_hash32_2(CRUSH_HASH_RJENKINS1, ps, (uint32_t)raw.pool);
	return ps + (uint32_t)raw.pool;
}

/* Replicated pools close the gaps; erasure pools keep each shard's place. */
static bool can_shift_osds(const struct osd_pool *p)
{
	return p->type == POOL_TYPE_REPLICATED;
}

static const struct osd_pg_mapping *find_mapping(const struct osd_pg_mappings *t, struct osd_pg pg)
{
	bool found;
	uint32_t i = osdmap_mapping_pos(t, pg, &found);

	return found ? &t->v[i] : NULL;
}

static bool weight_zero(const struct osdmap *m, int32_t osd)
{
	return osd != CRUSH_ITEM_NONE && osd >= 0 && (uint32_t)osd < m->max_osd && m->osd_weight[osd] == 0;
}

/* CRUSH's raw set, without OSDs that do not exist. */
static void pg_to_raw_osds(const struct osdmap *m, const struct osd_pool *p, struct osd_pg raw, struct osd_set *set,
			   uint32_t *pps)
{
	int ruleno, n;

	set->size = 0;
	set->primary = -1;
	*pps = raw_pg_to_pps(p, raw);
	ruleno = crush_find_rule(m->crush, p->crush_rule, p->type, p->size);
	if (ruleno < 0 || p->size > CRUSH_MAX_RESULT)
		return;
	n = crush_do_rule(m->crush, ruleno, *pps, set->osds, p->size, m->osd_weight, (int)m->max_osd,
			  crush_choose_args_for(m->crush, p->id));
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		int32_t osd = set->osds[i];

		if (osdmap_osd_exists(m, osd))
			set->osds[set->size++] = osd;
		else if (!can_shift_osds(p))
			set->osds[set->size++] = CRUSH_ITEM_NONE;
	}
}

/* pg_upmap replaces the raw set (unless it names an OSD marked out);
 * pg_upmap_items then swap single OSDs in it. */
static void apply_upmap(const struct osdmap *m, struct osd_pg pg, struct osd_set *set)
{
	const struct osd_pg_mapping *e = find_mapping(&m->pg_upmap, pg);

	if (e) {
		bool usable = true;

		for (uint32_t i = 0; i < e->n; i++)
			if (weight_zero(m, e->osds[i]))
				usable = false;
		if (usable) {
			memcpy(set->osds, e->osds, e->n * sizeof(*e->osds));
			set->size = (int)e->n;
		}
	}
	e = find_mapping(&m->pg_upmap_items, pg);
	if (!e)
		return;
	for (uint32_t k = 0; k < e->n; k++) {
		int32_t from = e->osds[2 * k], to = e->osds[2 * k + 1];
		int pos = -1;
		bool exists = false;

		for (int i = 0; i < set->size; i++) {
			if (set->osds[i] == to) {
				exists = true;
				break;
			}
			if (set->osds[i] == from && pos < 0 && !weight_zero(m, to))
				pos = i;
		}
		if (!exists && pos >= 0)
			set->osds[pos] = to;
	}
}

/* The up set: no OSD that is missing or down; its primary the first left. */
static void raw_to_up_osds(const struct osdmap *m, const struct osd_pool *p, struct osd_set *set)
{
	if (can_shift_osds(p)) {
		int n = 0;

		for (int i = 0; i < set->size; i++)
			if (osdmap_osd_up(m, set->osds[i]))
				set->osds[n++] = set->osds[i];
		set->size = n;
		set->primary = n ? set->osds[0] : -1;
		return;
	}
	set->primary = -1;
	for (int i = set->size - 1; i >= 0; i--) {
		if (!osdmap_osd_up(m, set->osds[i]))
			set->osds[i] = CRUSH_ITEM_NONE;
		else
			set->primary = set->osds[i];
	}
}

/* An OSD with a primary affinity below 1 declines that share of its PGs'
 * primary role, chosen by hashing the placement seed with its id. */
static void apply_primary_affinity(const struct osdmap *m, const struct osd_pool *p, uint32_t pps, struct osd_set *set)
{
	const uint32_t *aff = m->osd_primary_affinity;
	int pos = -1, i;

	if (!aff)
		return;
	for (i = 0; i < set->size; i++)
		if (set->osds[i] != CRUSH_ITEM_NONE && aff[set->osds[i]] != OSD_DEFAULT_PRIMARY_AFFINITY)
			break;
	if (i == set->size)
		return;
	for (i = 0; i < set->size; i++) {
		int32_t osd = set->osds[i];
		uint32_t a;

		if (osd == CRUSH_ITEM_NONE)
			continue;
		a = aff[osd];
		if (a < OSD_MAX_PRIMARY_AFFINITY &&
		    (crush_hash32_2(CRUSH_HASH_RJENKINS1, pps, (uint32_t)osd) >> 16) >= a) {
			if (pos < 0)
				pos = i; /* a fallback, if no one else takes it */
		} else {
			pos = i;
			break;
		}
	}
	if (pos < 0)
		return;
	set->primary = set->osds[pos];
	if (can_shift_osds(p) && pos > 0) {
		memmove(&set->osds[1], &set->osds[0], (size_t)pos * sizeof(set->osds[0]));
		set->osds[0] = set->primary;
	}
}

/* pg_temp and primary_temp: what the monitors pinned while a PG recovers. */
static void get_temp_osds(const struct osdmap *m, const struct osd_pool *p, struct osd_pg pg, struct osd_set *set)
{
	const struct osd_pg_mapping *e = find_mapping(&m->pg_temp, pg);

	set->size = 0;
	set->primary = -1;
	if (e) {
		for (uint32_t i = 0; i < e->n; i++) {
			if (osdmap_osd_up(m, e->osds[i]))
				set->osds[set->size++] = e->osds[i];
			else if (!can_shift_osds(p))
				set->osds[set->size++] = CRUSH_ITEM_NONE;
		}
	}
	e = find_mapping(&m->primary_temp, pg);
	if (e) {
		set->primary = e->osds[0];
		return;
	}
	for (int i = 0; i < set->size; i++)
		if (set->osds[i] != CRUSH_ITEM_NONE) {
			set->primary = set->osds[i];
			break;
		}
}

int osdmap_pg_to_up_acting(const struct osdmap *m, struct osd_pg raw, struct osd_set *up, struct osd_set *acting)
{
	const struct osd_pool *p = osdmap_pool(m, raw.pool);
	struct osd_set u, a;
	struct osd_pg pg;
	uint32_t pps;

	if (!p)
		return -ENOENT;
	pg = osd_pool_raw_pg_to_pg(p, raw);
	get_temp_osds(m, p, pg, &a);
	pg_to_raw_osds(m, p, raw, &u, &pps);
	apply_upmap(m, pg, &u);
	raw_to_up_osds(m, p, &u);
	apply_primary_affinity(m, p, pps, &u);
	if (!a.size) {
		int32_t primary = a.primary;

		a = u;
		if (primary != -1)
			a.primary = primary;
	}
	if (up)
		*up = u;
	if (acting)
		*acting = a;
	return 0;
}

int osdmap_pg_to_raw(const struct osdmap *m, struct osd_pg pg, struct osd_set *raw)
{
	const struct osd_pool *p = osdmap_pool(m, pg.pool);
	uint32_t pps;

	if (!p)
		return -ENOENT;
	pg_to_raw_osds(m, p, pg, raw, &pps);
	for (int i = 0; i < raw->size; i++)
		if (raw->osds[i] != CRUSH_ITEM_NONE) {
			raw->primary = raw->osds[i];
			break;
		}
	return 0;
}
