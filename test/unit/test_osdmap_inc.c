/*
 * test/unit/test_osdmap_inc.c: incremental OSD maps (cephosd/osdmap_inc.c).
 *
 * The vectors are real: test/unit/data/osdmap-cluster/ holds the full map
 * of epoch 37 of a Ceph 16.2.15 test cluster (`ceph osd getmap 37`), the 22
 * incrementals its monitor sent for epochs 38 to 59 (MOSDMap, as
 * ceph_msgr2_check with MSGR2_CHECK_OSDMAPS saved them), and the full map
 * of epoch 59. Between them: a pool created, given an application, grown
 * from 8 to 16 PGs and removed; pg_upmap and primary_temp set and removed;
 * primary affinity 0.3 and back; the OSD out, in, reweighted to 0.7 and
 * back, marked down and up again (with new addresses); a flag set and
 * unset. Applying the chain must give epoch 59's map exactly; a damaged
 * incremental must leave the map as it was. (The monitors of a one-OSD
 * cluster drop pg_temp, primary_temp and upmaps as redundant the moment
 * they are set, so the explicit mappings' changes are incrementals built
 * here, on top of epoch 59, field by field as Pacific encodes them.)
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_addr_wire.h"
#include "cephmon/msgr/ceph_codec.h"
#include "cephmon/msgr/crc32c.h"
#include "cephosd/osdmap.h"

#define FIRST_INC 38
#define LAST_INC  59

static uint8_t *slurp(const char *name, size_t *len)
{
	char path[4096];
	const char *src = getenv("NETFUSE_SRCDIR");
	uint8_t *buf = malloc(1 << 16);
	FILE *f;

	snprintf(path, sizeof(path), "%s/test/unit/data/osdmap-cluster/%s", src ? src : "..", name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_not_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static struct osdmap *load_full(int epoch)
{
	char name[32];
	size_t len;
	uint8_t *b;
	struct osdmap *m;
	const char *why = NULL;

	snprintf(name, sizeof(name), "full.%d", epoch);
	b = slurp(name, &len);
	cr_assert_eq(osdmap_decode(b, len, &m, &why), 0, "%s: %s", name, why ? why : "");
	free(b);
	return m;
}

static int apply(struct osdmap *m, int epoch, size_t cut, const char **why)
{
	char name[32];
	size_t len;
	uint8_t *b;
	int r;

	snprintf(name, sizeof(name), "inc.%d", epoch);
	b = slurp(name, &len);
	r = osdmap_apply_incremental(m, b, cut && cut < len ? cut : len, why);
	free(b);
	return r;
}

static uint32_t affinity(const struct osdmap *m, uint32_t o)
{
	return m->osd_primary_affinity ? m->osd_primary_affinity[o] : OSD_DEFAULT_PRIMARY_AFFINITY;
}

static void same_mappings(const struct osd_pg_mappings *a, const struct osd_pg_mappings *b, int words, const char *what)
{
	cr_assert_eq(a->n, b->n, "%s: %u entries, want %u", what, a->n, b->n);
	for (uint32_t i = 0; i < a->n; i++) {
		cr_assert(a->v[i].pg.pool == b->v[i].pg.pool && a->v[i].pg.seed == b->v[i].pg.seed, "%s %u", what, i);
		cr_assert_eq(a->v[i].n, b->v[i].n);
		cr_assert_eq(memcmp(a->v[i].osds, b->v[i].osds, a->v[i].n * (size_t)words * 4), 0, "%s %u", what, i);
	}
}

/* Everything a client reads from the two maps is equal. */
static void same_map(const struct osdmap *a, const struct osdmap *b)
{
	cr_assert_eq(a->epoch, b->epoch);
	cr_assert_eq(memcmp(a->fsid, b->fsid, sizeof(a->fsid)), 0);
	cr_assert_eq(a->flags, b->flags, "flags 0x%x, want 0x%x", a->flags, b->flags);
	cr_assert_eq(a->pool_max, b->pool_max);
	cr_assert_eq(a->modified_sec, b->modified_sec);
	cr_assert_eq(a->crush_version, b->crush_version);
	cr_assert_eq(a->npools, b->npools, "%u pools, want %u", a->npools, b->npools);
	for (uint32_t i = 0; i < a->npools; i++) {
		const struct osd_pool *p = &a->pools[i], *q = &b->pools[i];

		cr_assert_eq(p->id, q->id);
		cr_assert_str_eq(p->name, q->name);
		cr_assert(p->type == q->type && p->size == q->size && p->min_size == q->min_size &&
			      p->crush_rule == q->crush_rule && p->object_hash == q->object_hash,
			  "pool %lld", (long long)p->id);
		cr_assert(p->pg_num == q->pg_num && p->pgp_num == q->pgp_num && p->pg_num_mask == q->pg_num_mask &&
			      p->flags == q->flags && p->last_change == q->last_change &&
			      p->last_force_resend == q->last_force_resend,
			  "pool %lld", (long long)p->id);
	}
	cr_assert_eq(a->max_osd, b->max_osd);
	for (uint32_t o = 0; o < a->max_osd; o++) {
		cr_assert_eq(a->osd_state[o], b->osd_state[o], "osd.%u state 0x%x, want 0x%x", o, a->osd_state[o],
			     b->osd_state[o]);
		cr_assert_eq(a->osd_weight[o], b->osd_weight[o], "osd.%u weight", o);
		cr_assert_eq(affinity(a, o), affinity(b, o), "osd.%u affinity", o);
		cr_assert_eq(a->osd_addrs[o].n, b->osd_addrs[o].n, "osd.%u addresses", o);
		for (unsigned k = 0; k < a->osd_addrs[o].n; k++) {
			char x[128], y[128];

			ceph_entity_addr_format(&a->osd_addrs[o].v[k], x, sizeof(x));
			ceph_entity_addr_format(&b->osd_addrs[o].v[k], y, sizeof(y));
			cr_assert_str_eq(x, y, "osd.%u address %u", o, k);
		}
	}
	same_mappings(&a->pg_temp, &b->pg_temp, 1, "pg_temp");
	same_mappings(&a->primary_temp, &b->primary_temp, 1, "primary_temp");
	same_mappings(&a->pg_upmap, &b->pg_upmap, 1, "pg_upmap");
	same_mappings(&a->pg_upmap_items, &b->pg_upmap_items, 2, "pg_upmap_items");
	cr_assert_eq(a->crush->max_buckets, b->crush->max_buckets);
	cr_assert_eq(a->crush->max_devices, b->crush->max_devices);
}

Test(osdmap_inc, the_monitors_incrementals_rebuild_its_full_map)
{
	struct osdmap *m = load_full(FIRST_INC - 1), *want = load_full(LAST_INC);
	bool saw_pool = false, saw_affinity = false, saw_down = false, saw_out = false;

	for (int e = FIRST_INC; e <= LAST_INC; e++) {
		const char *why = NULL;

		cr_assert_eq(apply(m, e, 0, &why), 0, "inc.%d: %s", e, why ? why : "");
		cr_assert_eq(m->epoch, (uint32_t)e);
		saw_pool |= m->npools == 4;
		saw_affinity |= m->osd_primary_affinity && m->osd_primary_affinity[0] != OSD_DEFAULT_PRIMARY_AFFINITY;
		saw_down |= !(m->osd_state[0] & OSD_UP);
		saw_out |= m->osd_weight[0] == 0;
	}
	cr_assert(saw_pool && saw_affinity && saw_down && saw_out,
		  "the chain lost a change: pool %d affinity %d down %d out %d", saw_pool, saw_affinity, saw_down,
		  saw_out);
	same_map(m, want);
	osdmap_free(m);
	osdmap_free(want);
}

Test(osdmap_inc, a_damaged_incremental_leaves_the_map_as_it_was)
{
	struct osdmap *m = load_full(FIRST_INC - 1), *ref = load_full(FIRST_INC - 1);
	size_t len;

	for (int e = FIRST_INC; e <= LAST_INC; e++) {
		char name[32];
		uint8_t *b;

		snprintf(name, sizeof(name), "inc.%d", e);
		b = slurp(name, &len);
		for (size_t n = 0; n < len; n++) {
			const char *why = NULL;

			cr_assert_eq(osdmap_apply_incremental(m, b, n, &why), -EBADMSG, "inc.%d cut at %zu", e, n);
			cr_assert_not_null(why);
		}
		b[len / 2] ^= 0x40; /* the crc catches any byte changed */
		cr_assert_eq(osdmap_apply_incremental(m, b, len, NULL), -EBADMSG, "inc.%d with a byte changed", e);
		same_map(m, ref);
		b[len / 2] ^= 0x40;
		cr_assert_eq(osdmap_apply_incremental(m, b, len, NULL), 0);
		cr_assert_eq(apply(ref, e, 0, NULL), 0);
		free(b);
	}
	osdmap_free(m);
	osdmap_free(ref);
}

Test(osdmap_inc, an_incremental_for_another_epoch_is_refused)
{
	struct osdmap *m = load_full(FIRST_INC - 1), *ref = load_full(FIRST_INC - 1);
	const char *why = NULL;

	cr_assert_eq(apply(m, FIRST_INC + 1, 0, &why), -EBADMSG);
	cr_assert(why && strstr(why, "another epoch"), "%s", why ? why : "(none)");
	cr_assert_eq(apply(m, FIRST_INC, 0, NULL), 0);
	cr_assert_eq(apply(m, FIRST_INC, 0, &why), -EBADMSG, "the same incremental twice");
	cr_assert_eq(apply(ref, FIRST_INC, 0, NULL), 0);
	same_map(m, ref);
	osdmap_free(m);
	osdmap_free(ref);
}

/* ---- built incrementals: the explicit mappings, new and destroyed OSDs --- */

static void enc_pg(struct wire_enc *e, int64_t pool, uint32_t seed)
{
	wire_enc_u8(e, 1);
	wire_enc_le64(e, (uint64_t)pool);
	wire_enc_le32(e, seed);
	wire_enc_le32(e, UINT32_MAX);
}

/* An incremental for @epoch: @add sets a mapping of each kind, OSD 2 (with
 * max_osd 3) up at an address and out; otherwise each mapping is removed
 * and OSD 2 destroyed. */
static void enc_inc(struct wire_enc *e, const struct osdmap *m, uint32_t epoch, bool add)
{
	size_t w, c, o;
	uint32_t crc;
	struct ceph_addrvec a = {.n = 1};
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.v[0].ss;

	a.v[0].type = CEPH_ADDR_MSGR2;
	a.v[0].nonce = 99;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(6810);
	sin->sin_addr.s_addr = htonl(0x7f000002);
	w = ceph_enc_struct_begin(e, 8, 7);
	c = ceph_enc_struct_begin(e, 8, 1);
	wire_enc_bytes(e, m->fsid, 16);
	wire_enc_le32(e, epoch);
	wire_enc_le64(e, 0);	      /* modified */
	wire_enc_le64(e, UINT64_MAX); /* new_pool_max: none */
	wire_enc_le32(e, UINT32_MAX); /* new_flags: none */
	wire_enc_le32(e, 0);	      /* no full map, no CRUSH map */
	wire_enc_le32(e, 0);
	wire_enc_le32(e, add ? 3 : UINT32_MAX); /* new_max_osd */
	wire_enc_le32(e, 0);			/* new_pools, names, old_pools */
	wire_enc_le32(e, 0);
	wire_enc_le32(e, 0);
	wire_enc_le32(e, add); /* new_up_client */
	if (add) {
		wire_enc_le32(e, 2);
		ceph_entity_addrvec_encode(e, &a);
	}
	wire_enc_le32(e, !add); /* new_state: flip EXISTS off osd.2 */
	if (!add) {
		wire_enc_le32(e, 2);
		wire_enc_le32(e, OSD_EXISTS);
	}
	wire_enc_le32(e, 1); /* new_weight: osd.2 in (add) or out */
	wire_enc_le32(e, 2);
	wire_enc_le32(e, add ? OSD_WEIGHT_IN : 0);
	wire_enc_le32(e, 1); /* new_pg_temp 1.0: [0, 2] or [] */
	enc_pg(e, 1, 0);
	wire_enc_le32(e, add ? 2 : 0);
	if (add) {
		wire_enc_le32(e, 0);
		wire_enc_le32(e, 2);
	}
	wire_enc_le32(e, 1); /* new_primary_temp 1.1: 2 or -1 */
	enc_pg(e, 1, 1);
	wire_enc_le32(e, add ? 2 : UINT32_MAX);
	wire_enc_le32(e, add); /* new_primary_affinity: osd.2 0.5 */
	if (add) {
		wire_enc_le32(e, 2);
		wire_enc_le32(e, 0x8000);
	}
	wire_enc_le32(e, 0); /* erasure code profiles, new and old */
	wire_enc_le32(e, 0);
	wire_enc_le32(e, add); /* new_pg_upmap 1.2: [2] */
	if (add) {
		enc_pg(e, 1, 2);
		wire_enc_le32(e, 1);
		wire_enc_le32(e, 2);
	}
	wire_enc_le32(e, !add); /* old_pg_upmap */
	if (!add)
		enc_pg(e, 1, 2);
	wire_enc_le32(e, add); /* new_pg_upmap_items 1.3: [(0, 2)] */
	if (add) {
		enc_pg(e, 1, 3);
		wire_enc_le32(e, 1);
		wire_enc_le32(e, 0);
		wire_enc_le32(e, 2);
	}
	wire_enc_le32(e, !add); /* old_pg_upmap_items */
	if (!add)
		enc_pg(e, 1, 3);
	wire_enc_le32(e, 0); /* new_removed_snaps, new_purged_snaps */
	wire_enc_le32(e, 0);
	wire_enc_zeros(e, 16); /* last up and in changes */
	ceph_enc_struct_end(e, c);
	o = ceph_enc_struct_begin(e, 9, 1);
	ceph_enc_struct_end(e, o);
	wire_enc_le32(e, 0); /* inc crc, then full crc */
	wire_enc_le32(e, 0x12345678);
	ceph_enc_struct_end(e, w);
	cr_assert_eq(wire_enc_error(e), 0);
	crc = ceph_crc32c(0xffffffffu, e->buf, e->len - 8);
	crc = ceph_crc32c(crc, e->buf + e->len - 4, 4);
	put_le32(e->buf + e->len - 8, crc);
}

static void apply_built(struct osdmap *m, bool add)
{
	struct wire_enc e;
	const char *why = NULL;

	wire_enc_init(&e);
	enc_inc(&e, m, m->epoch + 1, add);
	cr_assert_eq(osdmap_apply_incremental(m, e.buf, e.len, &why), 0, "%s", why ? why : "");
	wire_enc_free(&e);
}

Test(osdmap_inc, explicit_mappings_and_osds_come_and_go)
{
	struct osdmap *m = load_full(LAST_INC);
	struct osd_set up, acting;
	char a[64];

	apply_built(m, true);
	cr_assert_eq(m->epoch, LAST_INC + 1);
	cr_assert_eq(m->max_osd, 3);
	cr_assert_eq(m->osd_state[1], 0, "a new slot is empty");
	cr_assert_eq(m->osd_state[2], OSD_EXISTS | OSD_UP);
	cr_assert_eq(m->osd_weight[2], OSD_WEIGHT_IN);
	ceph_entity_addr_format(&m->osd_addrs[2].v[0], a, sizeof(a));
	cr_assert_str_eq(a, "v2:127.0.0.2:6810/99");
	cr_assert_eq(m->osd_primary_affinity[2], 0x8000);
	cr_assert_eq(m->pg_temp.n, 1);
	cr_assert_eq(m->pg_temp.v[0].osds[1], 2);
	cr_assert_eq(m->primary_temp.v[0].osds[0], 2);
	cr_assert_eq(m->pg_upmap.v[0].osds[0], 2);
	cr_assert_eq(m->pg_upmap_items.v[0].osds[1], 2);
	cr_assert_eq(osdmap_pg_to_up_acting(m, (struct osd_pg){1, 0}, &up, &acting), 0);
	cr_assert(acting.size == 2 && acting.osds[1] == 2, "pg_temp acts");
	cr_assert_eq(osdmap_pg_to_up_acting(m, (struct osd_pg){1, 1}, &up, &acting), 0);
	cr_assert_eq(acting.primary, 2, "primary_temp leads");
	cr_assert_eq(osdmap_pg_to_up_acting(m, (struct osd_pg){1, 2}, &up, &acting), 0);
	cr_assert(up.size == 1 && up.osds[0] == 2, "pg_upmap");
	cr_assert_eq(osdmap_pg_to_up_acting(m, (struct osd_pg){1, 3}, &up, &acting), 0);
	cr_assert(up.size == 1 && up.osds[0] == 2, "pg_upmap_items");

	apply_built(m, false);
	cr_assert_eq(m->max_osd, 3);
	cr_assert_eq(m->osd_state[2], 0, "destroyed");
	cr_assert_eq(m->osd_addrs[2].n, 0);
	cr_assert_eq(m->osd_weight[2], 0);
	cr_assert_eq(m->osd_primary_affinity[2], OSD_DEFAULT_PRIMARY_AFFINITY);
	cr_assert_eq(m->pg_temp.n + m->primary_temp.n + m->pg_upmap.n + m->pg_upmap_items.n, 0);
	osdmap_free(m);
}

Test(osdmap_inc, an_osd_past_max_osd_is_refused)
{
	struct osdmap *m = load_full(LAST_INC), *ref = load_full(LAST_INC);
	struct wire_enc e;
	const char *why = NULL;

	wire_enc_init(&e);
	enc_inc(&e, m, m->epoch + 1, false); /* destroys osd.2 of a one-OSD map */
	cr_assert_eq(osdmap_apply_incremental(m, e.buf, e.len, &why), -EBADMSG);
	cr_assert(why && strstr(why, "past max_osd"), "%s", why ? why : "(none)");
	same_map(m, ref);
	wire_enc_free(&e);
	osdmap_free(m);
	osdmap_free(ref);
}

Test(osdmap_inc, a_max_osd_past_the_bound_is_refused_before_allocating)
{
	struct osdmap *m = load_full(LAST_INC);
	struct wire_enc e;
	const char *why = NULL;
	uint32_t crc;
	/* wrapper and client headers, fsid, epoch, modified, pool_max, flags,
	 * the empty full map and CRUSH map: new_max_osd follows */
	const size_t at = 6 + 6 + 16 + 4 + 8 + 8 + 4 + 4 + 4;

	wire_enc_init(&e);
	enc_inc(&e, m, m->epoch + 1, true);
	put_le32(e.buf + at, OSDMAP_MAX_OSD + 1);
	crc = ceph_crc32c(0xffffffffu, e.buf, e.len - 8);
	put_le32(e.buf + e.len - 8, ceph_crc32c(crc, e.buf + e.len - 4, 4));
	cr_assert_eq(osdmap_apply_incremental(m, e.buf, e.len, &why), -EBADMSG);
	cr_assert(why && strstr(why, "OSDMAP_MAX_OSD"), "%s", why ? why : "(none)");
	cr_assert_eq(m->max_osd, 1);
	put_le32(e.buf + at, OSDMAP_MAX_OSD);
	crc = ceph_crc32c(0xffffffffu, e.buf, e.len - 8);
	put_le32(e.buf + e.len - 8, ceph_crc32c(crc, e.buf + e.len - 4, 4));
	cr_assert_eq(osdmap_apply_incremental(m, e.buf, e.len, &why), 0, "%s", why);
	cr_assert_eq(m->max_osd, OSDMAP_MAX_OSD);
	wire_enc_free(&e);
	osdmap_free(m);
}
