/*
 * cephosd/crush_decode.c: a CRUSH map from its wire form (see crush.h).
 *
 * The encoding, field by field (Ceph src/crush/CrushWrapper.cc encode and
 * decode, the kernel's net/ceph/osdmap.c crush_decode), all little-endian:
 *   u32 magic 0x00010000, s32 max_buckets, u32 max_rules, s32 max_devices;
 *   max_buckets times: u32 alg (0: no bucket here), then s32 id, u16 type,
 *     u8 alg, u8 hash, u32 weight, u32 size, size s32 items, and by alg:
 *     uniform u32 item_weight; list size (u32 weight, u32 sum); tree u8
 *     num_nodes and that many u32 node weights; straw size (u32 weight,
 *     u32 straw); straw2 size u32 weights;
 *   max_rules times: u32 present, then u32 len, u8 ruleset, u8 type,
 *     u8 min_size, u8 max_size, len (u32 op, s32 arg1, s32 arg2);
 *   type names, item names, rule names: each a u32 count of (s32, string);
 * and then, each optional in that order (a map ends wherever its writer's
 * Ceph release stopped): u32 choose_local_tries, u32
 * choose_local_fallback_tries, u32 choose_total_tries; u32
 * chooseleaf_descend_once; u8 chooseleaf_vary_r; u8 straw_calc_version;
 * u32 allowed_bucket_algs; u8 chooseleaf_stable; the device classes
 * (class_map: u32 count of (s32 item, s32 class); class_name: u32 count of
 * (s32 class, string); class_bucket: u32 count of (s32 bucket, u32 count of
 * (s32 class, s32 shadow bucket))); choose_args: u32 count of (s64 index,
 * u32 count of (u32 bucket index, u32 positions, positions times (u32 size,
 * size u32 weights), u32 ids_size, ids_size s32 ids)).
 *
 * Checks beyond the lengths, each refusing what would let the mapper go
 * astray (Ceph asserts or trusts instead): a bucket's id is -1 - its index
 * and its alg matches; an item naming a bucket names one that exists, and
 * no bucket contains itself through any path; a tree bucket has a power of
 * two nodes, enough for its items; names are unique per table; choose_args
 * name existing buckets in increasing order with weight sets and ids of the
 * bucket's size. Every count is checked against the bytes left before
 * anything is allocated for it, so a map costs memory in proportion to its
 * size. Device ids past max_devices are allowed (the mapper skips them, as
 * Ceph's does). Failure frees everything; there is one error exit.
 */
#include "config.h"

#include "cephosd/crush.h"

#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_codec.h"
#include "cephosd/osd_decode.h"

static int cmp_name(const void *a, const void *b)
{
	int32_t x = ((const struct crush_name *)a)->id, y = ((const struct crush_name *)b)->id;

	return x < y ? -1 : x > y;
}

/* map<s32, string>, kept sorted by id; a repeated id is malformed. */
static int names_(struct dec *s, struct crush_names *out)
{
	uint32_t n;

	if (count_(s, 8, &n))
		return -EBADMSG;
	out->v = alloc_(s, n, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		if (s32_(s, &out->v[i].id) || !(out->v[i].name = string_(s)))
			return s->err ? s->err : -EBADMSG;
		out->n = i + 1;
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_name);
	for (uint32_t i = 1; i < out->n; i++)
		if (out->v[i].id == out->v[i - 1].id)
			return bad(s, "a name table repeats an id");
	return 0;
}

static void names_free(struct crush_names *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static int bucket_(struct dec *s, struct crush_map *m, int32_t index)
{
	struct crush_bucket *b;
	uint32_t alg;

	if (u32_(s, &alg))
		return -EBADMSG;
	if (alg == 0)
		return 0;
	if (alg < CRUSH_BUCKET_UNIFORM || alg > CRUSH_BUCKET_STRAW2)
		return bad(s, "unknown bucket algorithm");
	b = alloc_(s, 1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	m->buckets[index] = b;
	if (s32_(s, &b->id) || u16_(s, &b->type) || u8_(s, &b->alg) || u8_(s, &b->hash) || u32_(s, &b->weight) ||
	    count_(s, 4, &b->size))
		return -EBADMSG;
	if (b->id != -1 - index)
		return bad(s, "a bucket's id is not its place");
	if (b->alg != alg)
		return bad(s, "a bucket's two algorithms differ");
	b->items = (int32_t *)u32_array(s, b->size);
	if (!b->items)
		return s->err;
	switch (b->alg) {
	case CRUSH_BUCKET_UNIFORM:
		return u32_(s, &b->item_weight);
	case CRUSH_BUCKET_LIST:
		if (b->size > wire_dec_left(&s->d) / 8)
			return bad(s, "truncated list bucket");
		b->item_weights = alloc_(s, b->size, 4);
		b->sum_weights = alloc_(s, b->size, 4);
		if (!b->item_weights || !b->sum_weights)
			return -ENOMEM;
		for (uint32_t j = 0; j < b->size; j++)
			if (u32_(s, &b->item_weights[j]) || u32_(s, &b->sum_weights[j]))
				return -EBADMSG;
		return 0;
	case CRUSH_BUCKET_TREE: {
		uint8_t nodes;

		if (u8_(s, &nodes))
			return -EBADMSG;
		b->num_nodes = nodes;
		if (b->size > 0 && (nodes < 2 || (nodes & (nodes - 1)) || nodes / 2 < b->size))
			return bad(s, "a tree bucket's nodes do not hold its items");
		if (nodes > wire_dec_left(&s->d) / 4)
			return bad(s, "truncated tree bucket");
		b->node_weights = u32_array(s, nodes);
		return b->node_weights ? 0 : s->err;
	}
	case CRUSH_BUCKET_STRAW:
		if (b->size > wire_dec_left(&s->d) / 8)
			return bad(s, "truncated straw bucket");
		b->item_weights = alloc_(s, b->size, 4);
		b->straws = alloc_(s, b->size, 4);
		if (!b->item_weights || !b->straws)
			return -ENOMEM;
		for (uint32_t j = 0; j < b->size; j++)
			if (u32_(s, &b->item_weights[j]) || u32_(s, &b->straws[j]))
				return -EBADMSG;
		return 0;
	default: /* straw2 */
		if (b->size > wire_dec_left(&s->d) / 4)
			return bad(s, "truncated straw2 bucket");
		b->item_weights = u32_array(s, b->size);
		return b->item_weights ? 0 : s->err;
	}
}

/*
 * Every bucket an item names exists, and no path leads back to a bucket: a
 * depth-first walk over the buckets with an explicit stack (a chain of
 * buckets may be as long as the map), marking those on the path.
 */
enum { UNSEEN, ON_PATH, DONE };

struct walk_frame {
	int32_t index;
	uint32_t next; /* the next item to look at */
};

static int check_hierarchy(struct dec *s, const struct crush_map *m)
{
	uint8_t *state = alloc_(s, (size_t)m->max_buckets, 1);
	struct walk_frame *stack = alloc_(s, (size_t)m->max_buckets, sizeof(*stack));
	int r = 0;

	if (!state || !stack) {
		free(state);
		free(stack);
		return -ENOMEM;
	}
	for (int32_t root = 0; root < m->max_buckets && !r; root++) {
		size_t depth = 0;

		if (!m->buckets[root] || state[root] != UNSEEN)
			continue;
		stack[depth++] = (struct walk_frame){root, 0};
		state[root] = ON_PATH;
		while (depth && !r) {
			struct walk_frame *f = &stack[depth - 1];
			const struct crush_bucket *b = m->buckets[f->index];
			int32_t item, child;

			if (f->next == b->size) {
				state[f->index] = DONE;
				depth--;
				continue;
			}
			item = b->items[f->next++];
			if (item >= 0)
				continue;
			child = -1 - item;
			if (child >= m->max_buckets || !m->buckets[child])
				r = bad(s, "an item names a bucket that does not exist");
			else if (state[child] == ON_PATH)
				r = bad(s, "the bucket hierarchy has a cycle");
			else if (state[child] == UNSEEN) {
				state[child] = ON_PATH;
				stack[depth++] = (struct walk_frame){child, 0};
			}
		}
	}
	free(state);
	free(stack);
	return r;
}

static int rule_(struct dec *s, struct crush_map *m, uint32_t index)
{
	struct crush_rule *r;
	uint32_t present;

	if (u32_(s, &present))
		return -EBADMSG;
	if (!present)
		return 0;
	r = alloc_(s, 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	m->rules[index] = r;
	if (u32_(s, &r->len) || u8_(s, &r->ruleset) || u8_(s, &r->type) || u8_(s, &r->min_size) || u8_(s, &r->max_size))
		return -EBADMSG;
	if (r->len > wire_dec_left(&s->d) / 12)
		return bad(s, "truncated rule");
	r->steps = alloc_(s, r->len, sizeof(*r->steps));
	if (!r->steps)
		return -ENOMEM;
	for (uint32_t j = 0; j < r->len; j++)
		if (u32_(s, &r->steps[j].op) || s32_(s, &r->steps[j].arg1) || s32_(s, &r->steps[j].arg2))
			return -EBADMSG;
	return 0;
}

static int classes_(struct dec *s, struct crush_map *m)
{
	uint32_t n;

	/* class_map: item -> class; only counted */
	if (count_(s, 8, &n) || wire_dec_skip(&s->d, (size_t)n * 8))
		return -EBADMSG;
	m->n_device_classes = n;
	if (names_(s, &m->class_names))
		return s->err;
	/* class_bucket: bucket -> (class -> shadow bucket); the shadow
	 * buckets are ordinary buckets of the map */
	if (count_(s, 8, &n))
		return -EBADMSG;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k;

		if (wire_dec_skip(&s->d, 4) || count_(s, 8, &k) || wire_dec_skip(&s->d, (size_t)k * 8))
			return bad(s, "truncated class buckets");
	}
	return 0;
}

static int choose_arg_(struct dec *s, const struct crush_map *m, struct crush_choose_arg *a)
{
	const struct crush_bucket *b;
	uint32_t ids;

	if (a->bucket_index >= (uint32_t)m->max_buckets || !(b = m->buckets[a->bucket_index]))
		return bad(s, "choose_args name a bucket that does not exist");
	if (count_(s, 4, &a->positions))
		return -EBADMSG;
	a->weight_set = alloc_(s, a->positions, sizeof(*a->weight_set));
	if (!a->weight_set)
		return -ENOMEM;
	for (uint32_t p = 0; p < a->positions; p++) {
		uint32_t size;

		if (count_(s, 4, &size))
			return -EBADMSG;
		if (size != b->size)
			return bad(s, "a weight set is not its bucket's size");
		a->weight_set[p] = u32_array(s, size);
		if (!a->weight_set[p])
			return s->err;
	}
	if (count_(s, 4, &ids))
		return -EBADMSG;
	if (ids && ids != b->size)
		return bad(s, "choose_args ids are not their bucket's size");
	if (ids) {
		a->ids = (int32_t *)u32_array(s, ids);
		if (!a->ids)
			return s->err;
	}
	return 0;
}

static int choose_args_(struct dec *s, struct crush_map *m)
{
	uint32_t n;

	if (count_(s, 12, &n))
		return -EBADMSG;
	m->choose_args = alloc_(s, n, sizeof(*m->choose_args));
	if (!m->choose_args)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct crush_choose_args *ca = &m->choose_args[i];
		uint64_t index;
		uint32_t k;

		if (wire_dec_le64(&s->d, &index))
			return bad(s, "truncated choose_args");
		ca->index = (int64_t)index;
		if (i && ca->index <= m->choose_args[i - 1].index)
			return bad(s, "choose_args out of order");
		m->n_choose_args = i + 1;
		if (count_(s, 12, &k))
			return -EBADMSG;
		ca->args = alloc_(s, k, sizeof(*ca->args));
		if (!ca->args)
			return -ENOMEM;
		for (uint32_t j = 0; j < k; j++) {
			struct crush_choose_arg *a = &ca->args[j];

			if (u32_(s, &a->bucket_index))
				return -EBADMSG;
			if (j && a->bucket_index <= ca->args[j - 1].bucket_index)
				return bad(s, "choose_args buckets out of order");
			ca->n = j + 1;
			if (choose_arg_(s, m, a))
				return s->err;
		}
	}
	return 0;
}

/* The optional tail, each part only where the writer put it. */
static int tunables_(struct dec *s, struct crush_map *m)
{
	if (!wire_dec_left(&s->d))
		return 0;
	if (u32_(s, &m->choose_local_tries) || u32_(s, &m->choose_local_fallback_tries) ||
	    u32_(s, &m->choose_total_tries))
		return -EBADMSG;
	if (!wire_dec_left(&s->d))
		return 0;
	if (u32_(s, &m->chooseleaf_descend_once))
		return -EBADMSG;
	if (!wire_dec_left(&s->d))
		return 0;
	if (u8_(s, &m->chooseleaf_vary_r))
		return -EBADMSG;
	if (!wire_dec_left(&s->d))
		return 0;
	if (u8_(s, &m->straw_calc_version))
		return -EBADMSG;
	if (!wire_dec_left(&s->d))
		return 0;
	if (u32_(s, &m->allowed_bucket_algs))
		return -EBADMSG;
	if (!wire_dec_left(&s->d))
		return 0;
	if (u8_(s, &m->chooseleaf_stable))
		return -EBADMSG;
	if (!wire_dec_left(&s->d))
		return 0;
	if (classes_(s, m))
		return s->err;
	if (!wire_dec_left(&s->d))
		return 0;
	return choose_args_(s, m);
}

int crush_decode(const void *buf, size_t len, struct crush_map **out, const char **why)
{
	struct dec s = {.err = 0, .why = NULL};
	struct crush_map *m;
	uint32_t magic, nb, nr, nd;

	*out = NULL;
	wire_dec_init(&s.d, buf, len);
	m = calloc(1, sizeof(*m));
	if (!m) {
		if (why)
			*why = "out of memory";
		return -ENOMEM;
	}
	/* Ceph's legacy tunables, for a map that predates them */
	m->choose_local_tries = 2;
	m->choose_local_fallback_tries = 5;
	m->choose_total_tries = 19;
	m->allowed_bucket_algs = (1u << CRUSH_BUCKET_UNIFORM) | (1u << CRUSH_BUCKET_LIST) | (1u << CRUSH_BUCKET_STRAW);

	if (u32_(&s, &magic) || u32_(&s, &nb) || u32_(&s, &nr) || u32_(&s, &nd))
		goto fail;
	if (magic != CRUSH_MAGIC) {
		bad(&s, "not a CRUSH map (bad magic)");
		goto fail;
	}
	if (nb > INT32_MAX || nd > INT32_MAX) {
		bad(&s, "negative bucket or device count");
		goto fail;
	}
	/* each bucket and rule takes at least its u32 marker */
	if (nb > wire_dec_left(&s.d) / 4 || nr > (wire_dec_left(&s.d) - (size_t)nb * 4) / 4) {
		bad(&s, "count past the end");
		goto fail;
	}
	m->max_buckets = (int32_t)nb;
	m->max_rules = nr;
	m->max_devices = (int32_t)nd;
	m->buckets = alloc_(&s, nb, sizeof(*m->buckets));
	m->rules = alloc_(&s, nr, sizeof(*m->rules));
	if (!m->buckets || !m->rules)
		goto fail;
	for (int32_t i = 0; i < m->max_buckets; i++)
		if (bucket_(&s, m, i))
			goto fail;
	if (check_hierarchy(&s, m))
		goto fail;
	for (uint32_t i = 0; i < m->max_rules; i++)
		if (rule_(&s, m, i))
			goto fail;
	if (names_(&s, &m->type_names) || names_(&s, &m->item_names) || names_(&s, &m->rule_names))
		goto fail;
	if (tunables_(&s, m))
		goto fail;
	/* whatever follows is a newer Ceph's; skipped */

	for (int32_t i = 0; i < m->max_buckets; i++)
		if (m->buckets[i]) {
			m->buckets[i]->perm_at = m->perm_total;
			m->perm_total += m->buckets[i]->size;
		}
	*out = m;
	if (why)
		*why = NULL;
	return 0;

fail:
	if (why)
		*why = s.why ? s.why : "malformed";
	crush_map_free(m);
	return s.err ? s.err : -EBADMSG;
}

void crush_map_free(struct crush_map *m)
{
	if (!m)
		return;
	for (int32_t i = 0; m->buckets && i < m->max_buckets; i++) {
		struct crush_bucket *b = m->buckets[i];

		if (!b)
			continue;
		free(b->items);
		free(b->item_weights);
		free(b->sum_weights);
		free(b->straws);
		free(b->node_weights);
		free(b);
	}
	free(m->buckets);
	for (uint32_t i = 0; m->rules && i < m->max_rules; i++)
		if (m->rules[i]) {
			free(m->rules[i]->steps);
			free(m->rules[i]);
		}
	free(m->rules);
	names_free(&m->type_names);
	names_free(&m->item_names);
	names_free(&m->rule_names);
	names_free(&m->class_names);
	for (uint32_t i = 0; m->choose_args && i < m->n_choose_args; i++) {
		struct crush_choose_args *ca = &m->choose_args[i];

		for (uint32_t j = 0; ca->args && j < ca->n; j++) {
			for (uint32_t p = 0; ca->args[j].weight_set && p < ca->args[j].positions; p++)
				free(ca->args[j].weight_set[p]);
			free(ca->args[j].weight_set);
			free(ca->args[j].ids);
		}
		free(ca->args);
	}
	free(m->choose_args);
	free(m);
}

int crush_find_rule(const struct crush_map *m, int ruleset, int type, int size)
{
	for (uint32_t i = 0; i < m->max_rules; i++) {
		const struct crush_rule *r = m->rules[i];

		if (r && r->ruleset == ruleset && r->type == type && r->min_size <= size && r->max_size >= size)
			return (int)i;
	}
	return -1;
}

const struct crush_choose_args *crush_choose_args_for(const struct crush_map *m, int64_t index)
{
	const struct crush_choose_args *dflt = NULL;

	for (uint32_t i = 0; i < m->n_choose_args; i++) {
		if (m->choose_args[i].index == index)
			return &m->choose_args[i];
		if (m->choose_args[i].index == -1)
			dflt = &m->choose_args[i];
	}
	return dflt;
}
