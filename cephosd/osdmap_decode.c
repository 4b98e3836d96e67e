/*
 * cephosd/osdmap_decode.c: a full OSD map from its wire form (see osdmap.h).
 *
 * The encoding (Ceph src/osd/OSDMap.cc OSDMap::encode, the kernel's
 * net/ceph/osdmap.c osdmap_decode), all little-endian:
 *   wrapper {u8 v >= 7, u8 compat <= 7, u32 len}:
 *     client section {u8 v >= 8, u8 compat <= 1, u32 len}:
 *       fsid[16], u32 epoch, utime created, utime modified (u32 sec, u32 nsec);
 *       map<s64, pg_pool_t> pools; map<s64, string> pool names;
 *       s32 pool_max; u32 flags; s32 max_osd;
 *       vector<u32> osd_state, vector<u32> osd_weight,
 *       vector<entity_addrvec_t> client addresses (max_osd each);
 *       map<pg_t, vector<s32>> pg_temp; map<pg_t, s32> primary_temp;
 *       vector<u32> primary affinity (empty or max_osd);
 *       u32-length CRUSH map; map<string, map<string, string>> erasure code
 *       profiles; map<pg_t, vector<s32>> pg_upmap;
 *       map<pg_t, vector<pair<s32, s32>>> pg_upmap_items; s32 crush_version;
 *       and what a newer Ceph adds (removed and purged snaps, last up/in
 *       change), skipped with the section;
 *     OSD-only section {u8, u8, u32 len}: skipped;
 *     u32 crc (wrapper v >= 8): crc32c seeded -1 over the whole encoding
 *       but these four bytes;
 *   pg_t: u8 v = 1, u64 pool, u32 seed, s32 preferred (always -1).
 *   pg_pool_t {u8 v >= 5, u8 compat, u32 len}, the fields a client uses in
 *     their places: u8 type, size, crush_rule, object_hash; u32 pg_num,
 *     pgp_num; u32 lpg_num, lpgp_num, last_change; u64 snap_seq; u32
 *     snap_epoch; map<u64, pool_snap_info_t> snaps; interval_set<u64>
 *     removed_snaps; u64 auid; u64 flags; u32 crash_replay_interval; (v7)
 *     u8 min_size; (v8) u64 quota_max_bytes, quota_max_objects; (v9)
 *     set<u64> tiers, s64 tier_of, u8 cache_mode, s64 read_tier,
 *     write_tier; (v10) map<string, string> properties; (v11) hit_set_params
 *     (versioned), u32 period, u32 count; (v12) u32 stripe_width; (v13) u64
 *     target_max_bytes, target_max_objects, 4 u32 cache ratios and ages;
 *     (v14) string erasure_code_profile; (v15) u32
 *     last_force_op_resend_preluminous; (v16) u32; (v17) u64; (v19) u32;
 *     (v20) u32; (v21) u8; (v22) u8; (v23) u32, u32; (v24) opts
 *     (versioned); (v25) u32 last_force_op_resend_prenautilus; (v26)
 *     application metadata, map<string, map<string, string>>; (v27) utime
 *     create_time; (v28) u32 pg_num_target, pgp_num_target, pg_num_pending,
 *     two u32 epochs, u32 last_force_op_resend, u8 autoscale mode; the rest
 *     skipped by the length.
 *
 * Older encodings (before Nautilus's addrvecs) are refused with a reason. An
 * accepted map has max_osd entries in every per-OSD array, pools with a
 * pg_num and pgp_num of at least 1, PG mappings sorted without repeats and
 * no longer than a pool can be wide, and a CRUSH map crush_decode accepted.
 * Failure frees everything; one error exit.
 */
#include "config.h"

#include "cephosd/osdmap.h"

#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_addr_wire.h"
#include "cephmon/msgr/ceph_codec.h"
#include "cephmon/msgr/crc32c.h"
#include "cephosd/osd_decode.h"
#include "cephosd/osdmap_internal.h"

#define PG_T_LEN 17 /* u8 v, u64 pool, u32 seed, s32 preferred */

/* A versioned structure: @in gets its body; @s moves past it. */
int osdmap_struct_decode(struct dec *s, uint8_t min_v, uint8_t max_compat, uint8_t *v, struct dec *in)
{
	uint8_t compat;
	uint32_t len;
	const uint8_t *body;

	if (u8_(s, v) || u8_(s, &compat) || u32_(s, &len))
		return -EBADMSG;
	if (*v < min_v)
		return bad(s, "encoding too old for this client");
	if (compat > max_compat)
		return bad(s, "encoding from a newer Ceph that this client cannot read");
	body = wire_dec_take(&s->d, len);
	if (!body)
		return bad(s, "structure longer than the input");
	in->err = 0;
	in->why = NULL;
	wire_dec_init(&in->d, body, len);
	return 0;
}

/* An error inside @in becomes @s's. */
int osdmap_sub_done(struct dec *s, struct dec *in)
{
	if (!in->err)
		return 0;
	if (!s->err) {
		s->err = in->err;
		s->why = in->why;
	}
	wire_dec_fail(&s->d);
	return in->err;
}

int osdmap_skip_blob(struct dec *s)
{
	uint32_t n;

	return u32_(s, &n) || skip_(s, n) ? -EBADMSG : 0;
}

/* map<string, string> */
static int skip_string_map(struct dec *s)
{
	uint32_t n;

	if (count_(s, 8, &n))
		return -EBADMSG;
	while (n--)
		if (osdmap_skip_blob(s) || osdmap_skip_blob(s))
			return -EBADMSG;
	return 0;
}

/* map<string, map<string, string>> */
int osdmap_skip_string_map_map(struct dec *s)
{
	uint32_t n;

	if (count_(s, 8, &n))
		return -EBADMSG;
	while (n--)
		if (osdmap_skip_blob(s) || skip_string_map(s))
			return -EBADMSG;
	return 0;
}

static int skip_struct(struct dec *s)
{
	struct dec in;
	uint8_t v;

	return osdmap_struct_decode(s, 0, 255, &v, &in);
}

int osdmap_pg_decode(struct dec *s, struct osd_pg *pg)
{
	uint8_t v;
	uint64_t pool;

	if (u8_(s, &v) || u64_(s, &pool) || u32_(s, &pg->seed) || skip_(s, 4))
		return -EBADMSG;
	if (v != 1)
		return bad(s, "unknown pg_t version");
	pg->pool = (int64_t)pool;
	return 0;
}

static uint32_t mask_of(uint32_t n)
{
	uint32_t bits = 0;

	for (uint32_t t = n - 1; t; t >>= 1)
		bits++;
	return (uint32_t)((1ull << bits) - 1);
}

int osdmap_pool_decode(struct dec *s, struct osd_pool *p)
{
	struct dec b;
	uint8_t v, u8;
	uint32_t n, resend_preluminous = 0, resend_prenautilus = 0, resend = 0;

	if (osdmap_struct_decode(s, 5, 29, &v, &b))
		return -EBADMSG;
	p->tier_of = p->read_tier = p->write_tier = -1;
	if (u8_(&b, &p->type) || u8_(&b, &p->size) || u8_(&b, &p->crush_rule) || u8_(&b, &p->object_hash) ||
	    u32_(&b, &p->pg_num) || u32_(&b, &p->pgp_num) || skip_(&b, 8) || u32_(&b, &p->last_change) || skip_(&b, 12))
		return osdmap_sub_done(s, &b);
	/* snaps: map<u64 snapid, pool_snap_info_t> */
	if (count_(&b, 14, &n))
		return osdmap_sub_done(s, &b);
	while (n--)
		if (skip_(&b, 8) || skip_struct(&b))
			return osdmap_sub_done(s, &b);
	/* removed_snaps: interval_set<u64> */
	if (count_(&b, 16, &n) || skip_(&b, (size_t)n * 16))
		return osdmap_sub_done(s, &b);
	if (skip_(&b, 8) || u64_(&b, &p->flags) || skip_(&b, 4))
		return osdmap_sub_done(s, &b);
	p->min_size = p->size - p->size / 2;
	if (v >= 7 && u8_(&b, &p->min_size))
		return osdmap_sub_done(s, &b);
	if (v >= 8 && skip_(&b, 16))
		return osdmap_sub_done(s, &b);
	if (v >= 9) {
		if (count_(&b, 8, &n) || skip_(&b, (size_t)n * 8) || s64_(&b, &p->tier_of) || u8_(&b, &u8) ||
		    s64_(&b, &p->read_tier) || s64_(&b, &p->write_tier))
			return osdmap_sub_done(s, &b);
	}
	if (v >= 10 && skip_string_map(&b))
		return osdmap_sub_done(s, &b);
	if (v >= 11 && (skip_struct(&b) || skip_(&b, 8)))
		return osdmap_sub_done(s, &b);
	if (v >= 12 && u32_(&b, &p->stripe_width))
		return osdmap_sub_done(s, &b);
	if (v >= 13 && skip_(&b, 32))
		return osdmap_sub_done(s, &b);
	if (v >= 14 && !(p->erasure_code_profile = string_(&b)))
		return osdmap_sub_done(s, &b);
	if (v >= 15 && u32_(&b, &resend_preluminous))
		return osdmap_sub_done(s, &b);
	if ((v >= 16 && skip_(&b, 4)) || (v >= 17 && skip_(&b, 8)) || (v >= 19 && skip_(&b, 4)) ||
	    (v >= 20 && skip_(&b, 4)) || (v >= 21 && skip_(&b, 1)) || (v >= 22 && skip_(&b, 1)) ||
	    (v >= 23 && skip_(&b, 8)) || (v >= 24 && skip_struct(&b)))
		return osdmap_sub_done(s, &b);
	if (v >= 25 && u32_(&b, &resend_prenautilus))
		return osdmap_sub_done(s, &b);
	if ((v >= 26 && osdmap_skip_string_map_map(&b)) || (v >= 27 && skip_(&b, 8)))
		return osdmap_sub_done(s, &b);
	if (v >= 28 && (skip_(&b, 20) || u32_(&b, &resend)))
		return osdmap_sub_done(s, &b);
	/* the newest resend epoch this encoding has */
	p->last_force_resend = v >= 28 ? resend : v >= 25 ? resend_prenautilus : resend_preluminous;
	if (p->pg_num == 0 || p->pgp_num == 0)
		return bad(s, "a pool has no placement groups");
	if (!p->erasure_code_profile && !(p->erasure_code_profile = strdup("")))
		return nomem(s);
	p->pg_num_mask = mask_of(p->pg_num);
	p->pgp_num_mask = mask_of(p->pgp_num);
	return 0;
}

int osdmap_pool_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct osd_pool *)a)->id, y = ((const struct osd_pool *)b)->id;

	return x < y ? -1 : x > y;
}

static int pools_(struct dec *s, struct osdmap *m)
{
	uint32_t n;

	if (count_(s, 8 + 6, &n))
		return -EBADMSG;
	m->pools = alloc_(s, n, sizeof(*m->pools));
	if (!m->pools)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct osd_pool *p = &m->pools[i];

		m->npools = i + 1;
		if (s64_(s, &p->id) || osdmap_pool_decode(s, p))
			return -EBADMSG;
	}
	qsort(m->pools, m->npools, sizeof(*m->pools), osdmap_pool_cmp);
	for (uint32_t i = 1; i < m->npools; i++)
		if (m->pools[i].id == m->pools[i - 1].id)
			return bad(s, "a pool id repeats");
	return 0;
}

int osdmap_pool_names_decode(struct dec *s, struct osdmap *m)
{
	uint32_t n;

	if (count_(s, 12, &n))
		return -EBADMSG;
	while (n--) {
		int64_t id;
		struct osd_pool *p;
		char *name;

		if (s64_(s, &id) || !(name = string_(s)))
			return -EBADMSG;
		p = (struct osd_pool *)osdmap_pool(m, id);
		if (!p) { /* a name without a pool: as the kernel, ignored */
			free(name);
			continue;
		}
		free(p->name);
		p->name = name;
	}
	for (uint32_t i = 0; i < m->npools; i++)
		if (!m->pools[i].name && !(m->pools[i].name = strdup("")))
			return nomem(s);
	return 0;
}

/* vector<u32> of exactly max_osd entries (or none, with @may_be_empty) */
static int osd_u32s(struct dec *s, const struct osdmap *m, uint32_t **out, int may_be_empty)
{
	uint32_t n;

	if (count_(s, 4, &n))
		return -EBADMSG;
	if (n == 0 && may_be_empty)
		return 0;
	if (n != m->max_osd)
		return bad(s, "a per-OSD vector is not max_osd long");
	*out = u32_array(s, n);
	return *out ? 0 : -EBADMSG;
}

static int addrs_(struct dec *s, struct osdmap *m)
{
	uint32_t n;

	if (count_(s, 5, &n)) /* an addrvec is at least a marker and a count */
		return -EBADMSG;
	if (n != m->max_osd)
		return bad(s, "the address vector is not max_osd long");
	m->osd_addrs = alloc_(s, n, sizeof(*m->osd_addrs));
	if (!m->osd_addrs)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		if (ceph_entity_addrvec_decode(&s->d, &m->osd_addrs[i]))
			return bad(s, "malformed OSD address");
	return 0;
}

int osdmap_pg_cmp(const struct osd_pg *a, const struct osd_pg *b)
{
	if (a->pool != b->pool)
		return a->pool < b->pool ? -1 : 1;
	return a->seed < b->seed ? -1 : a->seed > b->seed;
}

uint32_t osdmap_mapping_pos(const struct osd_pg_mappings *t, struct osd_pg pg, bool *found)
{
	uint32_t lo = 0, hi = t->n;

	*found = false;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = osdmap_pg_cmp(&t->v[mid].pg, &pg);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int cmp_mapping(const void *a, const void *b)
{
	return osdmap_pg_cmp(&((const struct osd_pg_mapping *)a)->pg, &((const struct osd_pg_mapping *)b)->pg);
}

enum mapping_kind {
	MAP_LIST,  /* vector<s32>: pg_temp, pg_upmap */
	MAP_ONE,   /* s32: primary_temp */
	MAP_PAIRS, /* vector<pair<s32, s32>>: pg_upmap_items */
};

static int mappings_(struct dec *s, struct osd_pg_mappings *out, enum mapping_kind kind)
{
	uint32_t n;

	if (count_(s, PG_T_LEN + 4, &n))
		return -EBADMSG;
	out->v = alloc_(s, n, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct osd_pg_mapping *e = &out->v[i];
		uint32_t len = 1, words;

		out->n = i + 1;
		if (osdmap_pg_decode(s, &e->pg))
			return -EBADMSG;
		if (kind != MAP_ONE && count_(s, kind == MAP_PAIRS ? 8 : 4, &len))
			return -EBADMSG;
		if (kind == MAP_LIST && len > CRUSH_MAX_RESULT)
			return bad(s, "a PG mapping is wider than any pool");
		words = kind == MAP_PAIRS ? 2 * len : len;
		e->n = len;
		e->osds = (int32_t *)u32_array(s, words);
		if (!e->osds)
			return -EBADMSG;
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_mapping);
	for (uint32_t i = 1; i < out->n; i++)
		if (!osdmap_pg_cmp(&out->v[i].pg, &out->v[i - 1].pg))
			return bad(s, "a PG is mapped twice");
	return 0;
}

static int crush_(struct dec *s, struct osdmap *m)
{
	const uint8_t *p;
	uint32_t len;
	const char *why = NULL;
	int r;

	if (ceph_dec_blob(&s->d, &p, &len))
		return bad(s, "truncated CRUSH map");
	r = crush_decode(p, len, &m->crush, &why);
	if (r == -ENOMEM)
		return nomem(s);
	if (r)
		return bad(s, why ? why : "malformed CRUSH map");
	return 0;
}

static int client_(struct dec *s, struct osdmap *m)
{
	struct dec c;
	uint8_t v;
	int32_t max_osd, crush_version;

	if (osdmap_struct_decode(s, 8, 1, &v, &c))
		return -EBADMSG;
	if (wire_dec_bytes(&c.d, m->fsid, sizeof(m->fsid)))
		bad(&c, "truncated");
	if (c.err || u32_(&c, &m->epoch) || u32_(&c, &m->created_sec) || u32_(&c, &m->created_nsec) ||
	    u32_(&c, &m->modified_sec) || u32_(&c, &m->modified_nsec) || pools_(&c, m) ||
	    osdmap_pool_names_decode(&c, m) || s32_(&c, &m->pool_max) || u32_(&c, &m->flags) || s32_(&c, &max_osd))
		return osdmap_sub_done(s, &c);
	if (max_osd < 0)
		return bad(s, "negative max_osd");
	if ((uint32_t)max_osd > OSDMAP_MAX_OSD)
		return bad(s, "max_osd past OSDMAP_MAX_OSD");
	m->max_osd = (uint32_t)max_osd;
	if (osd_u32s(&c, m, &m->osd_state, 0) || osd_u32s(&c, m, &m->osd_weight, 0) || addrs_(&c, m) ||
	    mappings_(&c, &m->pg_temp, MAP_LIST) || mappings_(&c, &m->primary_temp, MAP_ONE) ||
	    osd_u32s(&c, m, &m->osd_primary_affinity, 1) || crush_(&c, m) || osdmap_skip_string_map_map(&c) ||
	    mappings_(&c, &m->pg_upmap, MAP_LIST) || mappings_(&c, &m->pg_upmap_items, MAP_PAIRS) ||
	    s32_(&c, &crush_version))
		return osdmap_sub_done(s, &c);
	m->crush_version = (uint32_t)crush_version;
	return 0;
}

int osdmap_crc_check(struct dec *w, const void *buf)
{
	size_t at = (size_t)(w->d.p - (const uint8_t *)buf);
	uint32_t crc, want;

	if (u32_(w, &crc))
		return -EBADMSG;
	want = ceph_crc32c(0xffffffffu, buf, at);
	want = ceph_crc32c(want, (const uint8_t *)buf + at + 4, wire_dec_left(&w->d));
	return crc == want ? 0 : bad(w, "crc mismatch");
}

int osdmap_decode(const void *buf, size_t len, struct osdmap **out, const char **why)
{
	struct dec s = {.err = 0, .why = NULL};
	struct dec w, osd_only;
	struct osdmap *m;
	uint8_t v, osd_only_v;

	*out = NULL;
	wire_dec_init(&s.d, buf, len);
	m = calloc(1, sizeof(*m));
	if (!m) {
		if (why)
			*why = "out of memory";
		return -ENOMEM;
	}
	if (osdmap_struct_decode(&s, 7, 7, &v, &w) || client_(&w, m) ||
	    osdmap_struct_decode(&w, 0, 255, &osd_only_v, &osd_only))
		goto fail;
	if (v >= 8 && osdmap_crc_check(&w, buf))
		goto fail;
	*out = m;
	return 0;
fail:
	osdmap_sub_done(&s, &w);
	if (why)
		*why = s.why ? s.why : "malformed";
	osdmap_free(m);
	return s.err ? s.err : -EBADMSG;
}

static void mappings_free(struct osd_pg_mappings *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		free(t->v[i].osds);
	free(t->v);
}

void osdmap_free_contents(struct osdmap *m)
{
	for (uint32_t i = 0; i < m->npools; i++) {
		free(m->pools[i].name);
		free(m->pools[i].erasure_code_profile);
	}
	free(m->pools);
	free(m->osd_state);
	free(m->osd_weight);
	free(m->osd_primary_affinity);
	free(m->osd_addrs);
	mappings_free(&m->pg_temp);
	mappings_free(&m->primary_temp);
	mappings_free(&m->pg_upmap);
	mappings_free(&m->pg_upmap_items);
	crush_map_free(m->crush);
}

void osdmap_free(struct osdmap *m)
{
	if (!m)
		return;
	osdmap_free_contents(m);
	free(m);
}

void osdmap_free_shared(struct osdmap *m)
{
	if (!m)
		return;
	m->crush = NULL;
	osdmap_free(m);
}

const struct osd_pool *osdmap_pool(const struct osdmap *m, int64_t id)
{
	struct osd_pool key = {.id = id};

	if (!m->npools)
		return NULL;
	return bsearch(&key, m->pools, m->npools, sizeof(*m->pools), osdmap_pool_cmp);
}

const struct osd_pool *osdmap_pool_by_name(const struct osdmap *m, const char *name)
{
	for (uint32_t i = 0; i < m->npools; i++)
		if (m->pools[i].name && !strcmp(m->pools[i].name, name))
			return &m->pools[i];
	return NULL;
}

bool osdmap_osd_exists(const struct osdmap *m, int32_t osd)
{
	return osd >= 0 && (uint32_t)osd < m->max_osd && (m->osd_state[osd] & OSD_EXISTS);
}

bool osdmap_osd_up(const struct osdmap *m, int32_t osd)
{
	return osdmap_osd_exists(m, osd) && (m->osd_state[osd] & OSD_UP);
}
