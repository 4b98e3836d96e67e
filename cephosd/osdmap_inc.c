/*
 * cephosd/osdmap_inc.c: incremental OSD maps (see osdmap.h).
 *
 * The encoding (Ceph src/osd/OSDMap.cc OSDMap::Incremental::encode, the
 * kernel's net/ceph/osdmap.c osdmap_apply_incremental), little-endian:
 *   wrapper {u8 v >= 7, u8 compat <= 7, u32 len}:
 *     client section {u8 v >= 7, u8 compat <= 1, u32 len}:
 *       fsid[16], u32 epoch, utime modified, s64 new_pool_max, s32
 *       new_flags; u32-length full map (when non-empty, the epoch is that
 *       map); u32-length CRUSH map (when non-empty, the new one); s32
 *       new_max_osd; map<s64, pg_pool_t> new_pools; map<s64, string>
 *       new_pool_names; set<s64> old_pools; map<s32, entity_addrvec_t>
 *       new_up_client; map<s32, u32> new_state (bits to flip; 0 means UP);
 *       map<s32, u32> new_weight; map<pg_t, vector<s32>> new_pg_temp (empty:
 *       remove); map<pg_t, s32> new_primary_temp (-1: remove); map<s32, u32>
 *       new_primary_affinity; erasure code profiles new (map of maps) and
 *       old (vector<string>); map<pg_t, vector<s32>> new_pg_upmap;
 *       set<pg_t> old_pg_upmap; map<pg_t, vector<pair<s32, s32>>>
 *       new_pg_upmap_items; set<pg_t> old_pg_upmap_items; what a newer Ceph
 *       adds, skipped with the section;
 *     OSD-only section: skipped; u32 inc crc, u32 full crc (not checked: the
 *     full crc is of the map the monitors built, which a client's decoded
 *     subset cannot recompute; the inc crc covers the bytes).
 *
 * Applied in OSDMap::apply_incremental's order, which is not the encoding
 * order: max_osd, pool_max and flags; new pools (last_change = the epoch),
 * their names, removed pools; weights (marking in clears AUTOOUT and NEW),
 * primary affinities; states (flipping EXISTS off an existing OSD clears
 * it: state, address, affinity); OSDs up with their addresses; pg_temp,
 * primary_temp, pg_upmap, pg_upmap_items; the CRUSH map last.
 *
 * All or nothing: the incremental is applied to a copy of the map that
 * replaces it only once everything decoded and every OSD id it names is
 * inside the new max_osd (Ceph asserts that; here it is malformed).
 */
#include "config.h"

#include "cephosd/osdmap.h"

#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_addr_wire.h"
#include "cephmon/msgr/ceph_codec.h"
#include "cephosd/osd_decode.h"
#include "cephosd/osdmap_internal.h"

/* ---- copying a map -------------------------------------------------------- */

static void *dup_array(const void *a, size_t n, size_t each, int *err)
{
	void *p;

	if (!a || *err)
		return NULL;
	p = malloc(n ? n * each : 1);
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(p, a, n * each);
	return p;
}

static char *dup_str(const char *s, int *err)
{
	char *p;

	if (!s || *err)
		return NULL;
	p = strdup(s);
	if (!p)
		*err = -ENOMEM;
	return p;
}

static void dup_mappings(struct osd_pg_mappings *to, const struct osd_pg_mappings *from, int words, int *err)
{
	to->n = 0;
	to->v = dup_array(from->v, from->n, sizeof(*from->v), err);
	if (!to->v)
		return;
	for (uint32_t i = 0; i < from->n; i++) {
		to->v[i].osds = dup_array(from->v[i].osds, (size_t)from->v[i].n * (size_t)words, sizeof(int32_t), err);
		if (!to->v[i].osds)
			return;
		to->n = i + 1;
	}
}

/* A deep copy sharing nothing but the CRUSH map (osdmap_free_shared frees
 * it without the CRUSH map). */
static struct osdmap *dup_map(const struct osdmap *m)
{
	struct osdmap *c = malloc(sizeof(*c));
	int err = 0;

	if (!c)
		return NULL;
	*c = *m;
	c->npools = 0;
	c->pools = dup_array(m->pools, m->npools, sizeof(*m->pools), &err);
	for (uint32_t i = 0; c->pools && i < m->npools; i++) {
		c->pools[i].name = dup_str(m->pools[i].name, &err);
		c->pools[i].erasure_code_profile = dup_str(m->pools[i].erasure_code_profile, &err);
		if (err) {
			free(c->pools[i].name);
			free(c->pools[i].erasure_code_profile);
			break;
		}
		c->npools = i + 1;
	}
	c->osd_state = dup_array(m->osd_state, m->max_osd, sizeof(uint32_t), &err);
	c->osd_weight = dup_array(m->osd_weight, m->max_osd, sizeof(uint32_t), &err);
	c->osd_primary_affinity = dup_array(m->osd_primary_affinity, m->max_osd, sizeof(uint32_t), &err);
	c->osd_addrs = dup_array(m->osd_addrs, m->max_osd, sizeof(*m->osd_addrs), &err);
	dup_mappings(&c->pg_temp, &m->pg_temp, 1, &err);
	dup_mappings(&c->primary_temp, &m->primary_temp, 1, &err);
	dup_mappings(&c->pg_upmap, &m->pg_upmap, 1, &err);
	dup_mappings(&c->pg_upmap_items, &m->pg_upmap_items, 2, &err);
	if (err) {
		osdmap_free_shared(c);
		return NULL;
	}
	return c;
}

/* ---- applying ------------------------------------------------------------- */

static int set_max_osd(struct dec *s, struct osdmap *m, uint32_t max)
{
	uint32_t *st = realloc(m->osd_state, (max ? max : 1) * sizeof(*st));
	uint32_t *w;
	struct ceph_addrvec *a;

	if (!st)
		return nomem(s);
	m->osd_state = st;
	if (!(w = realloc(m->osd_weight, (max ? max : 1) * sizeof(*w))))
		return nomem(s);
	m->osd_weight = w;
	if (!(a = realloc(m->osd_addrs, (max ? max : 1) * sizeof(*a))))
		return nomem(s);
	m->osd_addrs = a;
	if (m->osd_primary_affinity) {
		uint32_t *aff = realloc(m->osd_primary_affinity, (max ? max : 1) * sizeof(*aff));

		if (!aff)
			return nomem(s);
		m->osd_primary_affinity = aff;
		for (uint32_t i = m->max_osd; i < max; i++)
			aff[i] = OSD_DEFAULT_PRIMARY_AFFINITY;
	}
	for (uint32_t i = m->max_osd; i < max; i++) {
		st[i] = 0;
		w[i] = OSD_WEIGHT_OUT;
		memset(&a[i], 0, sizeof(a[i]));
	}
	m->max_osd = max;
	return 0;
}

static int set_affinity(struct dec *s, struct osdmap *m, uint32_t osd, uint32_t aff)
{
	if (!m->osd_primary_affinity) {
		if (aff == OSD_DEFAULT_PRIMARY_AFFINITY)
			return 0; /* an absent vector is all default */
		m->osd_primary_affinity = malloc((m->max_osd ? m->max_osd : 1) * sizeof(uint32_t));
		if (!m->osd_primary_affinity)
			return nomem(s);
		for (uint32_t i = 0; i < m->max_osd; i++)
			m->osd_primary_affinity[i] = OSD_DEFAULT_PRIMARY_AFFINITY;
	}
	m->osd_primary_affinity[osd] = aff;
	return 0;
}

/* An OSD id from the incremental: inside the (new) max_osd. */
static int osd_(struct dec *s, const struct osdmap *m, uint32_t *osd)
{
	int32_t o;

	if (s32_(s, &o))
		return -EBADMSG;
	if (o < 0 || (uint32_t)o >= m->max_osd)
		return bad(s, "an incremental names an OSD past max_osd");
	*osd = (uint32_t)o;
	return 0;
}

static int new_pools(struct dec *s, struct osdmap *m)
{
	uint32_t n;

	if (count_(s, 8 + 6, &n))
		return -EBADMSG;
	while (n--) {
		struct osd_pool p = {0}, *old;

		if (s64_(s, &p.id) || osdmap_pool_decode(s, &p)) {
			free(p.erasure_code_profile);
			return -EBADMSG;
		}
		p.last_change = m->epoch;
		old = (struct osd_pool *)osdmap_pool(m, p.id);
		if (old) { /* replaced; it keeps its name */
			p.name = old->name;
			free(old->erasure_code_profile);
			*old = p;
			continue;
		}
		if (!(p.name = strdup(""))) {
			free(p.erasure_code_profile);
			return nomem(s);
		}
		old = realloc(m->pools, (m->npools + 1) * sizeof(*m->pools));
		if (!old) {
			free(p.name);
			free(p.erasure_code_profile);
			return nomem(s);
		}
		m->pools = old;
		m->pools[m->npools++] = p;
		qsort(m->pools, m->npools, sizeof(*m->pools), osdmap_pool_cmp);
	}
	return 0;
}

static int old_pools(struct dec *s, struct osdmap *m)
{
	uint32_t n;

	if (count_(s, 8, &n))
		return -EBADMSG;
	while (n--) {
		int64_t id;
		struct osd_pool *p;

		if (s64_(s, &id))
			return -EBADMSG;
		p = (struct osd_pool *)osdmap_pool(m, id);
		if (!p)
			continue;
		free(p->name);
		free(p->erasure_code_profile);
		memmove(p, p + 1, (size_t)(m->pools + m->npools - (p + 1)) * sizeof(*p));
		m->npools--;
	}
	return 0;
}

/* Set (n > 0) or remove (n == 0) the mapping of @pg. */
static int mapping_set(struct dec *s, struct osd_pg_mappings *t, struct osd_pg pg, uint32_t n, int32_t *osds)
{
	bool found;
	uint32_t i = osdmap_mapping_pos(t, pg, &found);
	struct osd_pg_mapping *v;

	if (found) {
		free(t->v[i].osds);
		if (n) {
			t->v[i].n = n;
			t->v[i].osds = osds;
		} else {
			memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
			t->n--;
		}
		return 0;
	}
	if (!n)
		return 0;
	v = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (!v) {
		free(osds);
		return nomem(s);
	}
	t->v = v;
	memmove(&v[i + 1], &v[i], (t->n - i) * sizeof(*v));
	v[i] = (struct osd_pg_mapping){.pg = pg, .n = n, .osds = osds};
	t->n++;
	return 0;
}

enum change_kind { CH_LIST, CH_ONE, CH_PAIRS, CH_REMOVE };

/* map<pg_t, ...> of changes, or set<pg_t> of removals */
static int mapping_changes(struct dec *s, struct osd_pg_mappings *t, enum change_kind kind)
{
	uint32_t n;

	if (count_(s, 17, &n))
		return -EBADMSG;
	while (n--) {
		struct osd_pg pg;
		uint32_t len = 1;
		int32_t *osds = NULL;

		if (osdmap_pg_decode(s, &pg))
			return -EBADMSG;
		if (kind == CH_REMOVE) {
			if (mapping_set(s, t, pg, 0, NULL))
				return -EBADMSG;
			continue;
		}
		if (kind != CH_ONE && count_(s, kind == CH_PAIRS ? 8 : 4, &len))
			return -EBADMSG;
		if (kind == CH_LIST && len > CRUSH_MAX_RESULT)
			return bad(s, "a PG mapping is wider than any pool");
		if (len && !(osds = (int32_t *)u32_array(s, kind == CH_PAIRS ? 2 * len : len)))
			return -EBADMSG;
		if (kind == CH_ONE && osds[0] == -1) { /* new_primary_temp: -1 removes */
			free(osds);
			len = 0;
			osds = NULL;
		}
		if (mapping_set(s, t, pg, len, osds))
			return -EBADMSG;
	}
	return 0;
}

/* map<s32, u32>: weights (what == 0) or primary affinities (what == 1) */
static int osd_values(struct dec *s, struct osdmap *m, int what)
{
	uint32_t n;

	if (count_(s, 8, &n))
		return -EBADMSG;
	while (n--) {
		uint32_t osd, v;

		if (osd_(s, m, &osd) || u32_(s, &v))
			return -EBADMSG;
		if (what == 1) {
			if (set_affinity(s, m, osd, v))
				return -ENOMEM;
			continue;
		}
		m->osd_weight[osd] = v;
		if (v) /* marking in: it exists, and is no longer auto-out or new */
			m->osd_state[osd] = (m->osd_state[osd] | OSD_EXISTS) & ~(OSD_AUTOOUT | OSD_NEW);
	}
	return 0;
}

static int new_states(struct dec *s, struct osdmap *m)
{
	uint32_t n;

	if (count_(s, 8, &n))
		return -EBADMSG;
	while (n--) {
		uint32_t osd, x;

		if (osd_(s, m, &osd) || u32_(s, &x))
			return -EBADMSG;
		if (!x)
			x = OSD_UP;
		if ((m->osd_state[osd] & OSD_EXISTS) && (x & OSD_EXISTS)) {
			/* the OSD is destroyed */
			if (set_affinity(s, m, osd, OSD_DEFAULT_PRIMARY_AFFINITY))
				return -ENOMEM;
			memset(&m->osd_addrs[osd], 0, sizeof(m->osd_addrs[osd]));
			m->osd_state[osd] = 0;
		} else {
			m->osd_state[osd] ^= x;
		}
	}
	return 0;
}

static int new_up_client(struct dec *s, struct osdmap *m)
{
	uint32_t n;

	if (count_(s, 9, &n))
		return -EBADMSG;
	while (n--) {
		uint32_t osd;
		struct ceph_addrvec a;

		if (osd_(s, m, &osd))
			return -EBADMSG;
		if (ceph_entity_addrvec_decode(&s->d, &a))
			return bad(s, "malformed OSD address");
		m->osd_state[osd] |= OSD_EXISTS | OSD_UP;
		m->osd_addrs[osd] = a;
	}
	return 0;
}

static int skip_strings(struct dec *s)
{
	uint32_t n;

	if (count_(s, 4, &n))
		return -EBADMSG;
	while (n--)
		if (osdmap_skip_blob(s))
			return -EBADMSG;
	return 0;
}

/* The client section, applied to @m (a copy). @full gets a full map when
 * the incremental carries one. */
static int client_(struct dec *s, struct osdmap *m, struct osdmap **full)
{
	struct dec c, up, st, wt;
	struct ceph_addrvec addr;
	uint8_t v, fsid[16];
	uint32_t epoch, mod_sec, mod_nsec, nf, nc;
	int64_t pool_max;
	int32_t flags, max_osd;
	const uint8_t *fb, *cb;

	if (osdmap_struct_decode(s, 7, 1, &v, &c))
		return -EBADMSG;
	if (wire_dec_bytes(&c.d, fsid, sizeof(fsid)))
		bad(&c, "truncated");
	if (c.err || u32_(&c, &epoch) || u32_(&c, &mod_sec) || u32_(&c, &mod_nsec) || s64_(&c, &pool_max) ||
	    s32_(&c, &flags))
		return osdmap_sub_done(s, &c);
	if (epoch != m->epoch + 1)
		return bad(s, "an incremental for another epoch");
	if (memcmp(fsid, m->fsid, sizeof(fsid)) && m->epoch != 0)
		return bad(s, "an incremental of another cluster");
	if (ceph_dec_blob(&c.d, &fb, &nf)) {
		bad(&c, "truncated");
		return osdmap_sub_done(s, &c);
	}
	if (nf) {
		const char *why = NULL;
		int r = osdmap_decode(fb, nf, full, &why);

		if (r == -ENOMEM)
			return nomem(s);
		if (r)
			return bad(s, why);
		if ((*full)->epoch != epoch)
			return bad(s, "an incremental's full map is of another epoch");
		return 0;
	}
	if (ceph_dec_blob(&c.d, &cb, &nc) || s32_(&c, &max_osd)) {
		bad(&c, "truncated");
		return osdmap_sub_done(s, &c);
	}
	m->epoch = epoch;
	m->modified_sec = mod_sec;
	m->modified_nsec = mod_nsec;
	if (flags >= 0)
		m->flags = (uint32_t)flags;
	if (pool_max >= 0)
		m->pool_max = (int32_t)pool_max;
	if (max_osd >= 0 && (uint32_t)max_osd > OSDMAP_MAX_OSD)
		return bad(s, "max_osd past OSDMAP_MAX_OSD");
	if (max_osd >= 0 && set_max_osd(&c, m, (uint32_t)max_osd))
		return osdmap_sub_done(s, &c);
	if (new_pools(&c, m) || osdmap_pool_names_decode(&c, m) || old_pools(&c, m))
		return osdmap_sub_done(s, &c);
	/* up clients, states and weights are encoded in that order and applied
	 * backwards, with the primary affinities (encoded after pg_temp and
	 * primary_temp) between weights and states: note where each starts */
	up = c;
	if (count_(&c, 9, &nf))
		return osdmap_sub_done(s, &c);
	while (nf--)
		if (skip_(&c, 4) || (ceph_entity_addrvec_decode(&c.d, &addr) && bad(&c, "malformed OSD address")))
			return osdmap_sub_done(s, &c);
	st = c;
	if (count_(&c, 8, &nf) || skip_(&c, (size_t)nf * 8))
		return osdmap_sub_done(s, &c);
	wt = c;
	if (count_(&c, 8, &nf) || skip_(&c, (size_t)nf * 8) || mapping_changes(&c, &m->pg_temp, CH_LIST) ||
	    mapping_changes(&c, &m->primary_temp, CH_ONE))
		return osdmap_sub_done(s, &c);
	if (osd_values(&wt, m, 0))
		return osdmap_sub_done(s, &wt);
	if (osd_values(&c, m, 1))
		return osdmap_sub_done(s, &c);
	if (new_states(&st, m))
		return osdmap_sub_done(s, &st);
	if (new_up_client(&up, m))
		return osdmap_sub_done(s, &up);
	if (osdmap_skip_string_map_map(&c) || skip_strings(&c) || mapping_changes(&c, &m->pg_upmap, CH_LIST) ||
	    mapping_changes(&c, &m->pg_upmap, CH_REMOVE) || mapping_changes(&c, &m->pg_upmap_items, CH_PAIRS) ||
	    mapping_changes(&c, &m->pg_upmap_items, CH_REMOVE))
		return osdmap_sub_done(s, &c);
	if (nc) {
		struct crush_map *crush;
		const char *why = NULL;
		int r = crush_decode(cb, nc, &crush, &why);

		if (r == -ENOMEM)
			return nomem(s);
		if (r)
			return bad(s, why ? why : "malformed CRUSH map");
		m->crush = crush; /* the copy's own: the caller frees the old one */
		/* the monitors count CRUSH changes (on clusters past Luminous, the
		 * only ones whose maps this decoder reads) */
		m->crush_version++;
	}
	return 0;
}

int osdmap_apply_incremental(struct osdmap *m, const void *buf, size_t len, const char **why)
{
	struct dec s = {.err = 0, .why = NULL};
	struct dec w, osd_only;
	struct osdmap *c, *full = NULL, old;
	struct crush_map *crush = m->crush;
	uint8_t v, osd_only_v;

	c = dup_map(m);
	if (!c) {
		if (why)
			*why = "out of memory";
		return -ENOMEM;
	}
	wire_dec_init(&s.d, buf, len);
	if (osdmap_struct_decode(&s, 7, 7, &v, &w) || client_(&w, c, &full) ||
	    osdmap_struct_decode(&w, 0, 255, &osd_only_v, &osd_only))
		goto fail;
	/* the inc crc covers everything but itself (the full crc after it too) */
	if (v >= 8 && osdmap_crc_check(&w, buf))
		goto fail;
	old = *m;
	if (full) {
		*m = *full;
		free(full);
		osdmap_free_shared(c);
	} else {
		*m = *c;
		free(c);
	}
	if (m->crush != crush) /* a new CRUSH map, or the full map's */
		crush_map_free(crush);
	old.crush = NULL;
	osdmap_free_contents(&old);
	return 0;
fail:
	osdmap_sub_done(&s, &w);
	if (c->crush != crush)
		crush_map_free(c->crush);
	osdmap_free_shared(c);
	osdmap_free(full);
	if (why)
		*why = s.why ? s.why : "malformed";
	return s.err ? s.err : -EBADMSG;
}
