/*
 * cephosd/crush.h: the CRUSH map as a Ceph cluster's OSD map carries it, and
 * the mapper that turns an input (a placement group's seed) into the devices
 * that hold it.
 *
 * A client must place data exactly where the cluster does, so the mapper is
 * Ceph's algorithm step for step (Ceph src/crush/mapper.c, the kernel's
 * net/ceph/crush/mapper.c): the five bucket types (uniform, list, tree,
 * straw, straw2 with its fixed-point log table), rules with take, choose and
 * chooseleaf in firstn and indep modes and the per-rule tunable steps, the
 * map's tunables (choose_total_tries, the local retries, chooseleaf
 * descend_once, vary_r and stable), and choose_args weight sets for straw2
 * buckets. Device classes need nothing of their own here: a compiled map
 * carries each class's shadow tree as ordinary buckets, and a rule that
 * takes "default class hdd" takes the shadow bucket's id. The class tables
 * are decoded for display only.
 *
 * The decoder (crush_decode.c) checks what the mapper relies on, so a map it
 * accepts cannot make the mapper read out of bounds or loop: every bucket
 * sits at its own index, every bucket an item names exists, the hierarchy
 * has no cycle, tree buckets are shaped as Ceph builds them, and weight sets
 * match their buckets. Ceph itself trusts the map it is given; the checks
 * refuse only maps no Ceph tool writes. Not supported: the MSR rules of Ceph
 * 19 (steps past CHOOSELEAF_STABLE are ignored, as Pacific's mapper ignores
 * them).
 */
#ifndef NETFUSE_CRUSH_H
#define NETFUSE_CRUSH_H

#include <stddef.h>
#include <stdint.h>

#include "net/wire.h"

#define CRUSH_MAGIC 0x00010000u

enum crush_bucket_alg {
	CRUSH_BUCKET_UNIFORM = 1,
	CRUSH_BUCKET_LIST = 2,
	CRUSH_BUCKET_TREE = 3,
	CRUSH_BUCKET_STRAW = 4,
	CRUSH_BUCKET_STRAW2 = 5,
};

#define CRUSH_HASH_RJENKINS1 0

enum crush_op {
	CRUSH_RULE_NOOP = 0,
	CRUSH_RULE_TAKE = 1,
	CRUSH_RULE_CHOOSE_FIRSTN = 2,
	CRUSH_RULE_CHOOSE_INDEP = 3,
	CRUSH_RULE_EMIT = 4,
	CRUSH_RULE_CHOOSELEAF_FIRSTN = 6,
	CRUSH_RULE_CHOOSELEAF_INDEP = 7,
	CRUSH_RULE_SET_CHOOSE_TRIES = 8,
	CRUSH_RULE_SET_CHOOSELEAF_TRIES = 9,
	CRUSH_RULE_SET_CHOOSE_LOCAL_TRIES = 10,
	CRUSH_RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES = 11,
	CRUSH_RULE_SET_CHOOSELEAF_VARY_R = 12,
	CRUSH_RULE_SET_CHOOSELEAF_STABLE = 13,
};

/* An indep rule leaves a position it could not fill as CRUSH_ITEM_NONE. */
#define CRUSH_ITEM_UNDEF 0x7ffffffe
#define CRUSH_ITEM_NONE	 0x7fffffff

/* Results per rule run (Ceph's CEPH_PG_MAX_SIZE). */
#define CRUSH_MAX_RESULT 32

/* A device's weight in the osd weight vector: 16.16 fixed point, 0x10000 in. */
#define CRUSH_WEIGHT_IN 0x10000u

struct crush_bucket {
	int32_t id; /* -1 - its index in crush_map.buckets */
	uint16_t type;
	uint8_t alg, hash;
	uint32_t weight; /* 16.16 */
	uint32_t size;
	int32_t *items;
	/* by alg: */
	uint32_t item_weight;	/* uniform: every item's */
	uint32_t *item_weights; /* list, straw, straw2 */
	uint32_t *sum_weights;	/* list: weight of items 0..i */
	uint32_t *straws;	/* straw */
	uint32_t num_nodes;	/* tree: a power of two */
	uint32_t *node_weights; /* tree */
	size_t perm_at;		/* where its permutation lives in a mapping's work area */
};

struct crush_rule_step {
	uint32_t op;
	int32_t arg1, arg2;
};

struct crush_rule {
	uint8_t ruleset, type, min_size, max_size;
	uint32_t len;
	struct crush_rule_step *steps;
};

/* One straw2 bucket's replacement weights (per result position) and ids. */
struct crush_choose_arg {
	uint32_t bucket_index;
	uint32_t positions; /* weight sets, each of the bucket's size */
	uint32_t **weight_set;
	int32_t *ids; /* NULL, or the bucket's size of them */
};

/* The choose_args of one index (a pool id, or -1 for the default), sorted. */
struct crush_choose_args {
	int64_t index;
	uint32_t n;
	struct crush_choose_arg *args;
};

struct crush_name {
	int32_t id;
	char *name;
};

struct crush_names {
	uint32_t n;
	struct crush_name *v; /* sorted by id */
};

struct crush_map {
	int32_t max_buckets;
	uint32_t max_rules;
	int32_t max_devices;
	struct crush_bucket **buckets; /* max_buckets, NULL where none */
	struct crush_rule **rules;     /* max_rules, NULL where none */

	/* tunables (Ceph's legacy values when the map predates them) */
	uint32_t choose_local_tries;
	uint32_t choose_local_fallback_tries;
	uint32_t choose_total_tries;
	uint32_t chooseleaf_descend_once;
	uint8_t chooseleaf_vary_r;
	uint8_t straw_calc_version;
	uint8_t chooseleaf_stable;
	uint32_t allowed_bucket_algs;

	/* for display */
	struct crush_names type_names, item_names, rule_names;
	struct crush_names class_names; /* class id -> name */
	uint32_t n_device_classes;	/* devices with a class */

	uint32_t n_choose_args;
	struct crush_choose_args *choose_args; /* sorted by index */

	size_t perm_total; /* sum of bucket sizes: the work area's permutations */
};

/*
 * Decode a CRUSH map as CrushWrapper::encode writes it (the blob inside an
 * OSD map, or crushtool's output). Fields after the choose_args (a newer
 * Ceph's) are skipped. Returns 0 and a map to free with crush_map_free, or
 * -EBADMSG for a malformed or unsupported map, or -ENOMEM; @why (may be
 * NULL) gets a short reason.
 */
int crush_decode(const void *buf, size_t len, struct crush_map **out, const char **why);
void crush_map_free(struct crush_map *map);

/* The rule whose mask matches (Ceph's crush_find_rule), or -1. */
int crush_find_rule(const struct crush_map *map, int ruleset, int type, int size);

/* The choose_args for @index, else the default set (-1), else NULL
 * (CrushWrapper::choose_args_get_with_fallback). */
const struct crush_choose_args *crush_choose_args_for(const struct crush_map *map, int64_t index);

/*
 * Run rule @ruleno for input @x: up to @result_max (at most CRUSH_MAX_RESULT)
 * items into @result, the count returned (indep rules keep CRUSH_ITEM_NONE
 * holes), or -ENOMEM, or -EINVAL for a result_max out of range. @weight
 * holds the devices' 16.16 in/out weights (a device at or past
 * @weight_max counts as out); @choose_args may be NULL.
 */
int crush_do_rule(const struct crush_map *map, int ruleno, uint32_t x, int32_t *result, int result_max,
		  const uint32_t *weight, int weight_max, const struct crush_choose_args *choose_args);

/* Ceph's rjenkins1 CRUSH hashes (crush_hash.c). */
uint32_t crush_hash32_2(int type, uint32_t a, uint32_t b);
uint32_t crush_hash32_3(int type, uint32_t a, uint32_t b, uint32_t c);
uint32_t crush_hash32_4(int type, uint32_t a, uint32_t b, uint32_t c, uint32_t d);

/* 2^44 * log2(x + 1) for x in [0, 0xffff], from the fixed-point tables. */
uint64_t crush_ln(uint32_t x);

#endif
