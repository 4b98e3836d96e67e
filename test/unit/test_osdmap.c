/*
 * test/unit/test_osdmap.c: cephosd's OSD map decoder and placement.
 *
 * Maps are built in memory and written by test/lib/osdmap_enc.c as a
 * Pacific monitor writes them (with the standard CRUSH map of
 * test/lib/crush_enc.c: hosts h0 {osd.0, osd.1} and h1 {osd.2, osd.3}, rule 0
 * replicated firstn by host, rule 1 erasure indep by host, both ruleset 0), so each field
 * and each malformed form can be made on purpose. Placement exactness
 * against osdmaptool, over every PG of large maps, is
 * test/integration/osdmap_map.test; here it is what must hold by
 * construction: explicit mappings win in Ceph's order, down OSDs leave the
 * up set (shifted out of a replicated pool, holes in an erasure pool),
 * affinity moves the primary, and the object hashes give osdmaptool's PGs.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephosd/osdmap.h"
#include "test/lib/crush_enc.h"
#include "test/lib/file_read.h"
#include "test/lib/osdmap_enc.h"

#define UPIN (OSD_EXISTS | OSD_UP)

static uint32_t state[4], weight[4], affinity[4];
static struct ceph_addrvec addrs[4];
static struct osd_pool pools[2];
static int32_t temp_osds[] = {3, 1}, ptemp_osd[] = {2}, upmap_osds[] = {1, 3}, items[] = {0, 1, 2, 3};
static struct osd_pg_mapping pg_temp[] = {{{1, 5}, 2, temp_osds}};
static struct osd_pg_mapping primary_temp[] = {{{1, 6}, 1, ptemp_osd}};
static struct osd_pg_mapping pg_upmap[] = {{{1, 7}, 2, upmap_osds}};
static struct osd_pg_mapping upmap_items[] = {{{1, 8}, 2, items}};
static struct osdmap base;

/* two pools: 1 'rbd' replicated size 2, 3 'ec' erasure size 2 (linux hash),
 * both ruleset 0 (the standard map's two rules share it; the pool's type
 * picks the rule, as crush_find_rule matches ruleset, type and size); four OSDs up and in; one entry in each explicit
 * mapping */
static void build(struct osdmap *m)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&addrs[0].v[0].ss;

	memset(m, 0, sizeof(*m));
	memset(addrs, 0, sizeof(addrs));
	for (int i = 0; i < 4; i++) {
		state[i] = UPIN;
		weight[i] = OSD_WEIGHT_IN;
		affinity[i] = OSD_DEFAULT_PRIMARY_AFFINITY;
	}
	addrs[0].n = 1;
	addrs[0].v[0].type = CEPH_ADDR_MSGR2;
	addrs[0].v[0].nonce = 7;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(6800);
	sin->sin_addr.s_addr = htonl(0x7f000001);
	pools[0] = (struct osd_pool){.id = 1,
				     .name = "rbd",
				     .type = POOL_TYPE_REPLICATED,
				     .size = 2,
				     .min_size = 1,
				     .crush_rule = 0,
				     .object_hash = CEPH_STR_HASH_RJENKINS,
				     .pg_num = 16,
				     .pgp_num = 16,
				     .flags = POOL_FLAG_HASHPSPOOL,
				     .tier_of = -1,
				     .read_tier = -1,
				     .write_tier = -1,
				     .last_force_resend = 12,
				     .erasure_code_profile = ""};
	pools[1] = (struct osd_pool){.id = 3,
				     .name = "ec",
				     .type = POOL_TYPE_ERASURE,
				     .size = 2,
				     .min_size = 2,
				     .crush_rule = 0,
				     .object_hash = CEPH_STR_HASH_LINUX,
				     .pg_num = 12,
				     .pgp_num = 8,
				     .flags = POOL_FLAG_HASHPSPOOL,
				     .tier_of = -1,
				     .read_tier = -1,
				     .write_tier = -1,
				     .stripe_width = 8192,
				     .erasure_code_profile = "k2m1"};
	m->fsid[0] = 0xfe;
	m->epoch = 42;
	m->created_sec = 1000;
	m->modified_sec = 2000;
	m->pool_max = 3;
	m->flags = OSDMAP_FLAG_PAUSEWR;
	m->npools = 2;
	m->pools = pools;
	m->max_osd = 4;
	m->osd_state = state;
	m->osd_weight = weight;
	m->osd_addrs = addrs;
	m->pg_temp = (struct osd_pg_mappings){1, pg_temp};
	m->primary_temp = (struct osd_pg_mappings){1, primary_temp};
	m->pg_upmap = (struct osd_pg_mappings){1, pg_upmap};
	m->pg_upmap_items = (struct osd_pg_mappings){1, upmap_items};
	m->crush_version = 5;
}

static struct wire_enc enc;

static void encode(const struct osdmap *m, const struct osdmap_enc_opts *o)
{
	struct wire_enc c;

	wire_enc_init(&c);
	crush_enc_standard(&c, CRUSH_ENC_CA_NONE);
	cr_assert_eq(wire_enc_error(&c), 0);
	wire_enc_free(&enc);
	wire_enc_init(&enc);
	cr_assert_eq(osdmap_encode(m, c.buf, c.len, o, &enc), 0);
	wire_enc_free(&c);
}

static struct osdmap *decode_ok(void)
{
	struct osdmap *m = NULL;
	const char *why = NULL;
	int r = osdmap_decode(enc.buf, enc.len, &m, &why);

	cr_assert_eq(r, 0, "decode: %d %s", r, why ? why : "");
	return m;
}

static struct osdmap *standard(void)
{
	build(&base);
	encode(&base, NULL);
	return decode_ok();
}

/* ---- decoding ----------------------------------------------------------- */

Test(osdmap, every_field_a_client_uses_comes_back)
{
	struct osdmap *m = standard();
	const struct osd_pool *p;
	char a[64];

	cr_assert_eq(m->epoch, 42);
	cr_assert_eq(m->fsid[0], 0xfe);
	cr_assert_eq(m->created_sec, 1000);
	cr_assert_eq(m->modified_sec, 2000);
	cr_assert_eq(m->flags, OSDMAP_FLAG_PAUSEWR);
	cr_assert_eq(m->pool_max, 3);
	cr_assert_eq(m->crush_version, 5);
	cr_assert_eq(m->npools, 2);
	p = osdmap_pool(m, 3);
	cr_assert_not_null(p);
	cr_assert_str_eq(p->name, "ec");
	cr_assert_str_eq(p->erasure_code_profile, "k2m1");
	cr_assert_eq(p->type, POOL_TYPE_ERASURE);
	cr_assert_eq(p->object_hash, CEPH_STR_HASH_LINUX);
	cr_assert_eq(p->pg_num, 12);
	cr_assert_eq(p->pgp_num, 8);
	cr_assert_eq(p->pg_num_mask, 15);
	cr_assert_eq(p->pgp_num_mask, 7);
	cr_assert_eq(p->stripe_width, 8192);
	cr_assert_eq(p->min_size, 2);
	cr_assert_eq(osdmap_pool_by_name(m, "rbd"), osdmap_pool(m, 1));
	cr_assert_eq(osdmap_pool(m, 1)->last_force_resend, 12);
	cr_assert_null(osdmap_pool(m, 2));
	cr_assert_eq(m->max_osd, 4);
	cr_assert(osdmap_osd_up(m, 3));
	cr_assert_not(osdmap_osd_up(m, 4));
	cr_assert_not(osdmap_osd_exists(m, -1));
	cr_assert_null(m->osd_primary_affinity);
	cr_assert_eq(m->osd_addrs[0].n, 1);
	ceph_entity_addr_format(&m->osd_addrs[0].v[0], a, sizeof(a));
	cr_assert_str_eq(a, "v2:127.0.0.1:6800/7");
	cr_assert_eq(m->osd_addrs[1].n, 0);
	cr_assert_eq(m->pg_temp.n, 1);
	cr_assert_eq(m->pg_temp.v[0].osds[0], 3);
	cr_assert_eq(m->primary_temp.v[0].osds[0], 2);
	cr_assert_eq(m->pg_upmap.v[0].n, 2);
	cr_assert_eq(m->pg_upmap_items.v[0].n, 2);
	cr_assert_eq(m->pg_upmap_items.v[0].osds[3], 3);
	cr_assert_not_null(m->crush);
	cr_assert_eq(m->crush->max_devices, 4);
	osdmap_free(m);
}

Test(osdmap, every_truncation_is_refused)
{
	struct osdmap *m = standard();

	osdmap_free(m);
	for (size_t n = 0; n < enc.len; n++) {
		const char *why = NULL;

		cr_assert_eq(osdmap_decode(enc.buf, n, &m, &why), -EBADMSG, "%zu of %zu bytes", n, enc.len);
		cr_assert_null(m);
		cr_assert_not_null(why);
	}
}

static void refused(const struct osdmap_enc_opts *o, const char *want)
{
	struct osdmap *m = (struct osdmap *)1;
	const char *why = NULL;

	encode(&base, o);
	cr_assert_eq(osdmap_decode(enc.buf, enc.len, &m, &why), -EBADMSG, "%s accepted", want);
	cr_assert_null(m);
	cr_assert(why && strstr(why, want), "want '%s', got '%s'", want, why ? why : "(none)");
}

Test(osdmap, malformed_maps_are_refused_with_a_reason)
{
	static int32_t wide[33], twice[] = {0, 1};
	struct osd_pg_mapping dup[] = {{{1, 2}, 2, twice}, {{1, 2}, 2, twice}};
	struct osd_pg_mapping too_wide[] = {{{1, 2}, 33, wide}};
	struct osd_pool same[2];

	build(&base);
	refused(&(struct osdmap_enc_opts){.bad_crc = true}, "crc mismatch");
	refused(&(struct osdmap_enc_opts){.client_v = 7}, "too old");
	refused(&(struct osdmap_enc_opts){.pool_compat = 30}, "newer");
	refused(&(struct osdmap_enc_opts){.max_osd = 5}, "max_osd");
	refused(&(struct osdmap_enc_opts){.max_osd = -1}, "max_osd");

	pools[1].pg_num = 0;
	refused(NULL, "no placement groups");
	build(&base);
	pools[0].pgp_num = 0;
	refused(NULL, "no placement groups");

	build(&base);
	memcpy(same, pools, sizeof(same));
	same[1].id = 1;
	base.pools = same;
	refused(NULL, "pool id repeats");

	build(&base);
	base.pg_upmap = (struct osd_pg_mappings){2, dup};
	refused(NULL, "mapped twice");
	build(&base);
	base.pg_temp = (struct osd_pg_mappings){1, too_wide};
	refused(NULL, "wider");

	build(&base);
	base.pools[0].name = "a\0b"; /* encoded by strlen: stays valid */
	encode(&base, NULL);
	osdmap_free(decode_ok());
}

/* A real map: test/unit/data/osdmap-createsimple3.bin was written by Ceph
 * 16.2.15's `osdmaptool --createsimple 3 --with-default-pool`. */
Test(osdmap, osdmaptools_createsimple_map)
{
	char path[4096];
	const char *src = getenv("NETFUSE_SRCDIR");
	size_t len;
	uint8_t *raw;
	struct osdmap *m;
	const struct osd_pool *p;

	snprintf(path, sizeof(path), "%s/test/unit/data/osdmap-createsimple3.bin", src ? src : "..");
	raw = file_read(path, &len);
	cr_assert_not_null(raw, "%s", path);
	cr_assert_eq(osdmap_decode(raw, len, &m, NULL), 0);
	cr_assert_eq(m->epoch, 1);
	cr_assert_eq(m->max_osd, 3);
	cr_assert_eq(m->pool_max, 1);
	cr_assert_eq(m->npools, 1);
	p = osdmap_pool_by_name(m, "rbd");
	cr_assert_not_null(p);
	cr_assert_eq(p->id, 1);
	cr_assert_eq(p->type, POOL_TYPE_REPLICATED);
	cr_assert_eq(p->size, 3);
	cr_assert_eq(p->pg_num, 192);
	cr_assert_eq(p->pgp_num, 192);
	cr_assert_null(osdmap_pool_by_name(m, "cephfs_data"));
	osdmap_free(m);
	for (size_t n = 0; n < len; n++)
		cr_assert_eq(osdmap_decode(raw, n, &m, NULL), -EBADMSG, "prefix of %zu bytes", n);
	free(raw);
}

Test(osdmap, a_malformed_crush_map_refuses_the_osd_map)
{
	struct osdmap *m = NULL;
	const char *why = NULL;
	static const uint8_t crush[] = {0, 0, 1, 0, 0, 0, 0, 0}; /* magic, then cut */

	build(&base);
	wire_enc_free(&enc);
	wire_enc_init(&enc);
	cr_assert_eq(osdmap_encode(&base, crush, sizeof(crush), NULL, &enc), 0);
	cr_assert_eq(osdmap_decode(enc.buf, enc.len, &m, &why), -EBADMSG);
	cr_assert_null(m);
	cr_assert(why && strstr(why, "truncated"), "%s", why ? why : "(none)");
}

/* ---- placement ---------------------------------------------------------- */

static struct osd_set up, acting;

static void place(const struct osdmap *m, int64_t pool, uint32_t seed)
{
	struct osd_pg pg = {pool, seed};

	cr_assert_eq(osdmap_pg_to_up_acting(m, pg, &up, &acting), 0);
}

static bool one_per_host(const struct osd_set *s)
{
	return s->size == 2 && s->osds[0] / 2 != s->osds[1] / 2;
}

Test(osdmap, crush_places_one_replica_per_host_and_explicit_mappings_win)
{
	struct osdmap *m = standard();
	struct osd_pg pg = {9, 0};

	for (uint32_t s = 0; s < 16; s++) {
		place(m, 1, s);
		cr_assert(one_per_host(&up) || s == 7 || s == 8, "pg 1.%x", s);
		cr_assert_eq(up.primary, up.osds[0]);
	}
	place(m, 1, 5); /* pg_temp [3,1]: acting, primary its first */
	cr_assert(one_per_host(&up));
	cr_assert(acting.size == 2 && acting.osds[0] == 3 && acting.osds[1] == 1 && acting.primary == 3);
	place(m, 1, 6); /* primary_temp 2: the up set acts, osd.2 leads */
	cr_assert_eq(acting.primary, 2);
	cr_assert_eq(acting.size, up.size);
	place(m, 1, 7); /* pg_upmap [1,3] */
	cr_assert(up.size == 2 && up.osds[0] == 1 && up.osds[1] == 3);
	place(m, 1, 8); /* items 0->1 and 2->3: whichever CRUSH chose is replaced */
	for (int i = 0; i < up.size; i++)
		cr_assert(up.osds[i] == 1 || up.osds[i] == 3, "1.8 up has osd.%d", up.osds[i]);
	place(m, 1, 16 + 5); /* a raw seed folds onto PG 5 */
	cr_assert_eq(acting.osds[0], 3);
	cr_assert_eq(osdmap_pg_to_up_acting(m, pg, &up, &acting), -ENOENT);
	osdmap_free(m);
}

Test(osdmap, an_upmap_to_an_out_osd_is_ignored)
{
	struct osdmap *m;
	struct osd_set raw;

	build(&base);
	weight[3] = 0;
	encode(&base, NULL);
	m = decode_ok();
	place(m, 1, 7);
	cr_assert_eq(osdmap_pg_to_raw(m, (struct osd_pg){1, 7}, &raw), 0);
	cr_assert_eq(up.size, raw.size);
	cr_assert_eq(memcmp(up.osds, raw.osds, (size_t)up.size * 4), 0);
	for (int i = 0; i < up.size; i++)
		cr_assert_neq(up.osds[i], 3);
	osdmap_free(m);
}

Test(osdmap, down_osds_leave_the_up_set_shifted_or_as_holes)
{
	struct osdmap *m;
	bool hole = false;

	build(&base);
	state[2] = OSD_EXISTS; /* down but in: CRUSH still picks it */
	encode(&base, NULL);
	m = decode_ok();
	for (uint32_t s = 0; s < 12; s++) {
		struct osd_set raw;

		osdmap_pg_to_raw(m, (struct osd_pg){3, s}, &raw);
		place(m, 3, s);
		cr_assert_eq(up.size, raw.size, "erasure keeps positions");
		for (int i = 0; i < up.size; i++) {
			cr_assert_eq(up.osds[i], raw.osds[i] == 2 ? CRUSH_ITEM_NONE : raw.osds[i]);
			hole |= raw.osds[i] == 2;
		}
		if (raw.osds[0] == 2)
			cr_assert_eq(up.primary, up.osds[1]);
	}
	cr_assert(hole, "no PG of pool 3 had osd.2");
	for (uint32_t s = 0; s < 16; s++) {
		place(m, 1, s);
		for (int i = 0; i < up.size; i++)
			cr_assert_neq(up.osds[i], 2, "replicated pools shift down OSDs out");
	}
	osdmap_free(m);
}

Test(osdmap, zero_primary_affinity_hands_the_primary_on)
{
	struct osdmap *m;
	int led = 0;

	build(&base);
	base.osd_primary_affinity = affinity;
	affinity[0] = affinity[1] = 0;
	encode(&base, NULL);
	m = decode_ok();
	cr_assert_not_null(m->osd_primary_affinity);
	for (uint32_t s = 0; s < 16; s++) {
		if (s >= 5 && s <= 8)
			continue;
		place(m, 1, s);
		cr_assert(up.primary == 2 || up.primary == 3, "1.%x primary osd.%d", s, up.primary);
		cr_assert_eq(up.osds[0], up.primary, "moved to the front");
		led++;
	}
	cr_assert_eq(led, 12);
	osdmap_free(m);
}

Test(osdmap, object_names_hash_to_osdmaptools_pgs)
{
	struct osdmap *m = standard();
	struct osd_pool *p = (struct osd_pool *)osdmap_pool(m, 1);
	struct osd_pg raw, pg;

	/* osdmaptool --createsimple 6 --with-default-pool: 'foo' -> 1.6 of 384
	 * PGs with rjenkins, 1.12a with the linux hash */
	p->pg_num = 384;
	p->pg_num_mask = 511;
	cr_assert_eq(osdmap_object_to_pg(m, 1, NULL, "foo", &raw), 0);
	pg = osd_pool_raw_pg_to_pg(p, raw);
	cr_assert_eq(pg.seed, 0x6);
	p->object_hash = CEPH_STR_HASH_LINUX;
	cr_assert_eq(osdmap_object_to_pg(m, 1, "", "foo", &raw), 0);
	cr_assert_eq(osd_pool_raw_pg_to_pg(p, raw).seed, 0x12a);
	/* a namespace is hashed in front of the name, \037 between */
	cr_assert_eq(osdmap_object_to_pg(m, 1, "ns", "foo", &pg), 0);
	cr_assert_eq(pg.seed, ceph_str_hash(CEPH_STR_HASH_LINUX, "ns\037foo", 6));
	cr_assert_neq(pg.seed, raw.seed);
	cr_assert_eq(osdmap_object_to_pg(m, 2, NULL, "foo", &raw), -ENOENT);
	cr_assert_eq(ceph_str_hash(7, "foo", 3), 0xffffffffu);
	osdmap_free(m);
}

Test(osdmap, stable_mod_folds_without_moving_lower_pgs)
{
	cr_assert_eq(ceph_stable_mod(5, 12, 15), 5);
	cr_assert_eq(ceph_stable_mod(13, 12, 15), 5);
	cr_assert_eq(ceph_stable_mod(0xfffffff3u, 12, 15), 3);
	cr_assert_eq(ceph_stable_mod(7, 1, 0), 0);
}
