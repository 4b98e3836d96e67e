/*
 * test/unit/test_crush.c: cephosd's CRUSH map decoder and mapper.
 *
 * Maps are built here with the wire encoder, field by field as
 * CrushWrapper::encode writes them, so each malformed form the decoder
 * refuses can be made on purpose: truncation anywhere, counts past the end,
 * a bucket out of place, an item naming no bucket, a cycle, a tree without
 * room for its items, weight sets of the wrong size, choose_args out of
 * order. The mapper's placements are checked against crushtool in
 * test/integration/crush_map.test; here it is checked for what must hold
 * whatever the map: distinct results from distinct hosts, out devices never
 * chosen, indep holes, the bounds of its arguments.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_codec.h"
#include "cephosd/crush.h"
#include "test/lib/crush_enc.h"

static int decode_enc(struct wire_enc *e, struct crush_map **m, const char **why)
{
	cr_assert_eq(wire_enc_error(e), 0);
	return crush_decode(e->buf, e->len, m, why);
}

static const uint32_t all_in[4] = {0x10000, 0x10000, 0x10000, 0x10000};

/* ---- decoding ----------------------------------------------------------- */

Test(crush, standard_map_decodes_whole)
{
	struct wire_enc e;
	struct crush_map *m;
	const char *why;

	wire_enc_init(&e);
	crush_enc_standard(&e, CRUSH_ENC_CA_DEFAULT);
	cr_assert_eq(decode_enc(&e, &m, &why), 0, "%s", why);
	cr_assert_eq(m->max_buckets, 3);
	cr_assert_eq(m->max_rules, 2);
	cr_assert_eq(m->max_devices, 4);
	cr_assert_eq(m->buckets[2]->id, -3);
	cr_assert_eq(m->buckets[2]->type, 2);
	cr_assert_eq(m->rules[1]->steps[1].op, CRUSH_RULE_CHOOSELEAF_INDEP);
	cr_assert_eq(m->choose_total_tries, 50);
	cr_assert_eq(m->chooseleaf_stable, 1);
	cr_assert_eq(m->type_names.n, 3);
	cr_assert_str_eq(m->item_names.v[0].name, "default"); /* sorted by id */
	cr_assert_str_eq(m->class_names.v[0].name, "hdd");
	cr_assert_eq(m->n_device_classes, 1);
	cr_assert_eq(m->n_choose_args, 1);
	cr_assert_eq(m->choose_args[0].index, -1);
	cr_assert_eq(crush_choose_args_for(m, 7), &m->choose_args[0], "a pool without its own falls back to -1");
	cr_assert_eq(crush_find_rule(m, 0, 3, 4), 1);
	cr_assert_eq(crush_find_rule(m, 0, 3, 11), -1);
	crush_map_free(m);
	wire_enc_free(&e);
}

Test(crush, a_map_without_tunables_has_the_legacy_ones)
{
	struct wire_enc e;
	struct crush_map *m;
	static const int32_t items[] = {0, 1};

	wire_enc_init(&e);
	crush_enc32(&e, CRUSH_MAGIC);
	crush_enc32(&e, 1);
	crush_enc32(&e, 0);
	crush_enc32(&e, 2);
	crush_enc_bucket(&e, -1, 1, CRUSH_BUCKET_STRAW, items, 2);
	crush_enc32(&e, 0);
	crush_enc32(&e, 0);
	crush_enc32(&e, 0);
	cr_assert_eq(decode_enc(&e, &m, NULL), 0);
	cr_assert_eq(m->choose_local_tries, 2);
	cr_assert_eq(m->choose_local_fallback_tries, 5);
	cr_assert_eq(m->choose_total_tries, 19);
	cr_assert_eq(m->chooseleaf_descend_once, 0);
	crush_map_free(m);
	wire_enc_free(&e);
}

Test(crush, every_truncation_is_refused_or_ends_at_an_optional_field)
{
	struct wire_enc e;
	size_t head;

	wire_enc_init(&e);
	crush_enc_standard_head(&e);
	head = e.len; /* what follows is optional, part by part */
	crush_enc_standard_tail(&e, CRUSH_ENC_CA_DEFAULT);
	for (size_t n = 0; n < e.len; n++) {
		struct crush_map *m = NULL;
		const char *why = NULL;
		int r = crush_decode(e.buf, n, &m, &why);

		if (r == 0) {
			cr_assert_geq(n, head, "prefix %zu of the mandatory %zu accepted", n, head);
			crush_map_free(m);
		} else {
			cr_assert_eq(r, -EBADMSG, "prefix %zu: %d", n, r);
			cr_assert_null(m);
			cr_assert_not_null(why);
		}
	}
	wire_enc_free(&e);
}

/* One byte-level change of the standard map, refused with @what in why. */
static void refused(void (*edit)(struct wire_enc *), const char *what)
{
	struct wire_enc e;
	struct crush_map *m = NULL;
	const char *why = NULL;

	wire_enc_init(&e);
	edit(&e);
	cr_assert_eq(decode_enc(&e, &m, &why), -EBADMSG, "accepted: %s", what);
	cr_assert_null(m);
	cr_assert(why && strstr(why, what), "why: %s, want %s", why ? why : "(null)", what);
	wire_enc_free(&e);
}

static void map_bad_magic(struct wire_enc *e)
{
	crush_enc_standard(e, CRUSH_ENC_CA_NONE);
	e->buf[0] ^= 1;
}

static void map_huge_bucket_count(struct wire_enc *e)
{
	crush_enc_standard(e, CRUSH_ENC_CA_NONE);
	put_le32(e->buf + 4, 0x10000000);
}

static void map_negative_devices(struct wire_enc *e)
{
	crush_enc_standard(e, CRUSH_ENC_CA_NONE);
	put_le32(e->buf + 12, 0xffffffff);
}

static void map_bucket_out_of_place(struct wire_enc *e)
{
	crush_enc_standard(e, CRUSH_ENC_CA_NONE);
	put_le32(e->buf + 20, (uint32_t)-2); /* bucket 0's id */
}

static void map_algs_differ(struct wire_enc *e)
{
	crush_enc_standard(e, CRUSH_ENC_CA_NONE);
	e->buf[26] = CRUSH_BUCKET_LIST; /* bucket 0's inner alg byte */
}

static void map_unknown_alg(struct wire_enc *e)
{
	crush_enc_standard(e, CRUSH_ENC_CA_NONE);
	put_le32(e->buf + 16, 9);
}

static void map_missing_bucket(struct wire_enc *e)
{
	static const int32_t items[] = {0, -7};

	crush_enc32(e, CRUSH_MAGIC);
	crush_enc32(e, 1);
	crush_enc32(e, 0);
	crush_enc32(e, 1);
	crush_enc_bucket(e, -1, 1, CRUSH_BUCKET_STRAW2, items, 2);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
}

static void map_cycle(struct wire_enc *e)
{
	static const int32_t a[] = {0, -2}, b[] = {-3}, c[] = {1, -1};

	crush_enc32(e, CRUSH_MAGIC);
	crush_enc32(e, 3);
	crush_enc32(e, 0);
	crush_enc32(e, 2);
	crush_enc_bucket(e, -1, 2, CRUSH_BUCKET_STRAW2, a, 2);
	crush_enc_bucket(e, -2, 1, CRUSH_BUCKET_UNIFORM, b, 1);
	crush_enc_bucket(e, -3, 1, CRUSH_BUCKET_LIST, c, 2);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
}

static void map_self_contained(struct wire_enc *e)
{
	static const int32_t a[] = {-1};

	crush_enc32(e, CRUSH_MAGIC);
	crush_enc32(e, 1);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
	crush_enc_bucket(e, -1, 1, CRUSH_BUCKET_STRAW2, a, 1);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
}

static void map_tree_too_small(struct wire_enc *e)
{
	static const int32_t items[] = {0, 1, 2};

	crush_enc32(e, CRUSH_MAGIC);
	crush_enc32(e, 1);
	crush_enc32(e, 0);
	crush_enc32(e, 3);
	crush_enc_tree(e, -1, items, 3, 4); /* 3 items need 8 nodes */
	crush_enc32(e, 0);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
}

static void map_tree_not_power_of_two(struct wire_enc *e)
{
	static const int32_t items[] = {0, 1, 2};

	crush_enc32(e, CRUSH_MAGIC);
	crush_enc32(e, 1);
	crush_enc32(e, 0);
	crush_enc32(e, 3);
	crush_enc_tree(e, -1, items, 3, 12);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
}

static void map_rule_past_end(struct wire_enc *e)
{
	crush_enc32(e, CRUSH_MAGIC);
	crush_enc32(e, 0);
	crush_enc32(e, 1);
	crush_enc32(e, 0);
	crush_enc32(e, 1);
	crush_enc32(e, 0x40000000); /* steps */
	crush_enc32(e, 0);
}

static void map_name_with_nul(struct wire_enc *e)
{
	crush_enc32(e, CRUSH_MAGIC);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
	crush_enc32(e, 1);
	crush_enc32(e, 0);
	ceph_enc_blob(e, "o\0sd", 4);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
}

static void map_names_repeat(struct wire_enc *e)
{
	crush_enc32(e, CRUSH_MAGIC);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
	crush_enc32(e, 0);
	crush_enc32(e, 2);
	crush_enc_name(e, 4, "a");
	crush_enc_name(e, 4, "b");
	crush_enc32(e, 0);
	crush_enc32(e, 0);
}

static void map_weight_set_size(struct wire_enc *e)
{
	crush_enc_standard(e, CRUSH_ENC_CA_BAD_SIZE);
}

static void map_choose_args_order(struct wire_enc *e)
{
	crush_enc_standard(e, CRUSH_ENC_CA_BAD_ORDER);
}

Test(crush, malformed_maps_are_refused_with_a_reason)
{
	refused(map_bad_magic, "magic");
	refused(map_huge_bucket_count, "count past the end");
	refused(map_negative_devices, "negative");
	refused(map_bucket_out_of_place, "not its place");
	refused(map_algs_differ, "algorithms differ");
	refused(map_unknown_alg, "unknown bucket algorithm");
	refused(map_missing_bucket, "does not exist");
	refused(map_cycle, "cycle");
	refused(map_self_contained, "cycle");
	refused(map_tree_too_small, "tree bucket");
	refused(map_tree_not_power_of_two, "tree bucket");
	refused(map_rule_past_end, "truncated rule");
	refused(map_name_with_nul, "NUL");
	refused(map_names_repeat, "repeats");
	refused(map_weight_set_size, "weight set");
	refused(map_choose_args_order, "out of order");
}

Test(crush, newer_fields_after_choose_args_are_skipped)
{
	struct wire_enc e;
	struct crush_map *m;

	wire_enc_init(&e);
	crush_enc_standard(&e, CRUSH_ENC_CA_DEFAULT);
	crush_enc32(&e, 0xdeadbeef); /* e.g. a newer release's MSR tunables */
	cr_assert_eq(decode_enc(&e, &m, NULL), 0);
	crush_map_free(m);
	wire_enc_free(&e);
}

/* ---- mapping ------------------------------------------------------------ */

static struct crush_map *standard(int ca)
{
	struct wire_enc e;
	struct crush_map *m;

	wire_enc_init(&e);
	crush_enc_standard(&e, ca);
	cr_assert_eq(decode_enc(&e, &m, NULL), 0);
	wire_enc_free(&e);
	return m;
}

Test(crush, chooseleaf_firstn_picks_one_device_per_host)
{
	struct crush_map *m = standard(CRUSH_ENC_CA_NONE);

	for (uint32_t x = 0; x < 2000; x++) {
		int32_t out[4];
		int n = crush_do_rule(m, 0, x, out, 3, all_in, 4, NULL);

		cr_assert_eq(n, 2, "two hosts give two results, not %d", n);
		cr_assert((out[0] < 2) != (out[1] < 2), "x %u: %d and %d share a host", x, out[0], out[1]);
	}
	crush_map_free(m);
}

Test(crush, out_devices_are_never_chosen_and_indep_keeps_their_place)
{
	struct crush_map *m = standard(CRUSH_ENC_CA_NONE);
	const uint32_t host0_out[4] = {0, 0, 0x10000, 0x10000};
	int seen[4] = {0};

	for (uint32_t x = 0; x < 2000; x++) {
		int32_t out[4];
		int n = crush_do_rule(m, 0, x, out, 2, host0_out, 4, NULL);

		cr_assert_eq(n, 1);
		cr_assert(out[0] == 2 || out[0] == 3);
		seen[out[0]]++;
		n = crush_do_rule(m, 1, x, out, 2, host0_out, 4, NULL);
		cr_assert_eq(n, 2, "indep keeps every position");
		cr_assert((out[0] == CRUSH_ITEM_NONE) != (out[1] == CRUSH_ITEM_NONE), "one hole: %d %d", out[0],
			  out[1]);
	}
	cr_assert(seen[2] > 800 && seen[3] > 800, "both devices of the live host used: %d %d", seen[2], seen[3]);
	/* a weight vector shorter than the devices: those past it are out */
	for (uint32_t x = 0; x < 200; x++) {
		int32_t out[4];
		int n = crush_do_rule(m, 0, x, out, 2, all_in, 2, NULL);

		cr_assert_eq(n, 1);
		cr_assert_lt(out[0], 2);
	}
	crush_map_free(m);
}

Test(crush, a_default_weight_set_replaces_the_bucket_weights)
{
	struct crush_map *m = standard(CRUSH_ENC_CA_DEFAULT);

	for (uint32_t x = 0; x < 500; x++) {
		int32_t out[4];
		int n = crush_do_rule(m, 0, x, out, 1, all_in, 4, crush_choose_args_for(m, 3));

		cr_assert_eq(n, 1);
		cr_assert_geq(out[0], 2, "the weight set gives h0 no weight");
		n = crush_do_rule(m, 0, x, out, 1, all_in, 4, NULL);
		cr_assert_eq(n, 1);
	}
	crush_map_free(m);
}

Test(crush, arguments_out_of_range)
{
	struct crush_map *m = standard(CRUSH_ENC_CA_NONE);
	int32_t out[CRUSH_MAX_RESULT + 1];

	cr_assert_eq(crush_do_rule(m, 0, 1, out, CRUSH_MAX_RESULT + 1, all_in, 4, NULL), -EINVAL);
	cr_assert_eq(crush_do_rule(m, 0, 1, out, -1, all_in, 4, NULL), -EINVAL);
	cr_assert_eq(crush_do_rule(m, 0, 1, out, 0, all_in, 4, NULL), 0);
	cr_assert_eq(crush_do_rule(m, 2, 1, out, 3, all_in, 4, NULL), 0, "no such rule");
	cr_assert_eq(crush_do_rule(m, -1, 1, out, 3, all_in, 4, NULL), 0);
	crush_map_free(m);
}

Test(crush, ln_table_ends)
{
	cr_assert_eq(crush_ln(0), 0); /* log2(1) */
	/* 2^44 * log2(2^16) would be 2^48; Ceph's tables give a little less,
	 * so straw2's ln(u) - 2^48 stays negative even for the top draw */
	cr_assert_eq(crush_ln(0xffff), 0xfffff0000000ull);
	cr_assert_eq(crush_ln(1), 1ull << 44); /* log2(2) */
}
