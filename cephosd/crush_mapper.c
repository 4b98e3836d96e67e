/*
 * cephosd/crush_mapper.c: running a CRUSH rule (see crush.h).
 *
 * The algorithm is Ceph's, decision for decision (Ceph src/crush/mapper.c,
 * the kernel's net/ceph/crush/mapper.c): which hash inputs each bucket type
 * draws with, how r grows with failures (by ftotal in firstn, by numrep
 * times ftotal in indep, numrep + 1 for uniform buckets whose size numrep
 * divides), when a collision is retried in the same bucket and when the
 * descent starts again from the top, the recursive leaf choice with vary_r
 * and stable, the permutation state a uniform bucket keeps across the draws
 * of one input, and the off-by-one of choose_total_tries (it counts
 * retries, so a rule gets one more try). Any difference would place data
 * where the cluster does not look for it; test/integration/crush_map.test
 * compares every result with crushtool's.
 *
 * Where Ceph's mapper would read out of bounds on a map that passed our
 * decoder (a tree bucket whose weights lead to a leaf past its items, a
 * bucket of type 0 taken for a device), it gets an item that is skipped
 * instead. Arithmetic on r is unsigned, so a map's huge retry counts wrap
 * as Ceph's do on every machine it runs on, without undefined behaviour.
 *
 * Each call has a work area of its own (the permutations uniform buckets
 * keep for one input), so any number of threads can map with one map.
 */
#include "config.h"

#include "cephosd/crush.h"

#include <stdlib.h>
#include <string.h>

#include "cephosd/crush_ln_table.h"

struct mapping {
	const struct crush_map *map;
	const uint32_t *weight;
	int weight_max;
	uint32_t x;
	const struct crush_choose_args *choose_args;
	uint32_t *perm_x, *perm_n; /* per bucket index */
	uint32_t *perm;		   /* each bucket's at its perm_at */
};

uint64_t crush_ln(uint32_t xin)
{
	uint32_t x = xin + 1;
	unsigned iexpon = 15, index1, index2;
	uint64_t rh, lh, ll, xl64, result;

	/* normalise to 16 significant bits (x is at most 0x10000) */
	if (!(x & 0x18000)) {
		unsigned bits = (unsigned)__builtin_clz(x & 0x1ffff) - 16;

		x <<= bits;
		iexpon = 15 - bits;
	}
	index1 = (x >> 8) << 1;
	rh = crush_rh_lh[index1 - 256];	    /* ~ 2^56 / index1 */
	lh = crush_rh_lh[index1 + 1 - 256]; /* ~ 2^48 log2(index1 / 256) */
	xl64 = ((uint64_t)x * rh) >> 48;
	result = (uint64_t)iexpon << (12 + 32);
	index2 = (unsigned)(xl64 & 0xff);
	ll = crush_ll[index2]; /* ~ 2^48 log2(1 + index2 / 2^15) */
	lh = (lh + ll) >> (48 - 12 - 32);
	return result + lh;
}

/* A random permutation of the bucket's items, drawn for this input as far as
 * position r needs; r 0 alone is cheap. */
static int32_t perm_choose(struct mapping *c, const struct crush_bucket *b, uint32_t r)
{
	uint32_t bi = (uint32_t)(-1 - b->id), pr = r % b->size, s;
	uint32_t *perm = c->perm + b->perm_at;

	if (c->perm_x[bi] != c->x || c->perm_n[bi] == 0) {
		c->perm_x[bi] = c->x;
		if (pr == 0) {
			s = crush_hash32_3(b->hash, c->x, (uint32_t)b->id, 0) % b->size;
			perm[0] = s;
			c->perm_n[bi] = 0xffff; /* only perm[0] is drawn */
			return b->items[s];
		}
		for (uint32_t i = 0; i < b->size; i++)
			perm[i] = i;
		c->perm_n[bi] = 0;
	} else if (c->perm_n[bi] == 0xffff) {
		/* complete the r 0 shortcut into a real permutation */
		for (uint32_t i = 1; i < b->size; i++)
			perm[i] = i;
		perm[perm[0]] = 0;
		c->perm_n[bi] = 1;
	}
	while (c->perm_n[bi] <= pr) {
		uint32_t p = c->perm_n[bi];

		if (p < b->size - 1) {
			uint32_t i = crush_hash32_3(b->hash, c->x, (uint32_t)b->id, p) % (b->size - p);

			if (i) {
				uint32_t t = perm[p + i];

				perm[p + i] = perm[p];
				perm[p] = t;
			}
		}
		c->perm_n[bi]++;
	}
	return b->items[perm[pr]];
}

static int32_t list_choose(const struct mapping *c, const struct crush_bucket *b, uint32_t r)
{
	for (uint32_t i = b->size; i-- > 0;) {
		uint64_t w = crush_hash32_4(b->hash, c->x, (uint32_t)b->items[i], r, (uint32_t)b->id) & 0xffff;

		w = (w * b->sum_weights[i]) >> 16;
		if (w < b->item_weights[i])
			return b->items[i];
	}
	return b->items[0];
}

static int tree_height(uint32_t n)
{
	int h = 0;

	while ((n & 1) == 0) {
		h++;
		n >>= 1;
	}
	return h;
}

static int32_t tree_choose(const struct mapping *c, const struct crush_bucket *b, uint32_t r)
{
	uint32_t n = b->num_nodes >> 1; /* the root; leaves are odd */

	while (!(n & 1)) {
		uint32_t half = 1u << (tree_height(n) - 1), l = n - half;
		uint64_t t =
		    ((uint64_t)crush_hash32_4(b->hash, c->x, n, r, (uint32_t)b->id) * b->node_weights[n]) >> 32;

		n = t < b->node_weights[l] ? l : n + half;
	}
	if ((n >> 1) >= b->size)
		return CRUSH_ITEM_NONE; /* a leaf past the items: Ceph reads past them */
	return b->items[n >> 1];
}

static int32_t straw_choose(const struct mapping *c, const struct crush_bucket *b, uint32_t r)
{
	uint32_t high = 0;
	uint64_t high_draw = 0;

	for (uint32_t i = 0; i < b->size; i++) {
		uint64_t draw =
		    (crush_hash32_3(b->hash, c->x, (uint32_t)b->items[i], r) & 0xffff) * (uint64_t)b->straws[i];

		if (i == 0 || draw > high_draw) {
			high = i;
			high_draw = draw;
		}
	}
	return b->items[high];
}

static const struct crush_choose_arg *find_arg(const struct crush_choose_args *ca, uint32_t bucket_index)
{
	uint32_t lo = 0, hi = ca->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ca->args[mid].bucket_index == bucket_index)
			return &ca->args[mid];
		if (ca->args[mid].bucket_index < bucket_index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Each item draws an exponential variable scaled by its weight; the
 * largest (least negative) wins. A weight set replaces the weights for
 * result position @position (its last set for later positions). */
static int32_t straw2_choose(const struct mapping *c, const struct crush_bucket *b, uint32_t r, int position)
{
	const struct crush_choose_arg *arg = c->choose_args ? find_arg(c->choose_args, (uint32_t)(-1 - b->id)) : NULL;
	const uint32_t *weights = b->item_weights;
	const int32_t *ids = b->items;
	uint32_t high = 0;
	int64_t high_draw = 0;

	if (arg && arg->positions)
		weights =
		    arg->weight_set[(uint32_t)position < arg->positions ? (uint32_t)position : arg->positions - 1];
	if (arg && arg->ids)
		ids = arg->ids;
	for (uint32_t i = 0; i < b->size; i++) {
		int64_t draw = INT64_MIN;

		if (weights[i]) {
			uint32_t u = crush_hash32_3(b->hash, c->x, (uint32_t)ids[i], r) & 0xffff;
			int64_t ln = (int64_t)crush_ln(u) - 0x1000000000000ll;

			draw = ln / (int64_t)weights[i];
		}
		if (i == 0 || draw > high_draw) {
			high = i;
			high_draw = draw;
		}
	}
	return b->items[high];
}

static int32_t bucket_choose(struct mapping *c, const struct crush_bucket *b, uint32_t r, int position)
{
	switch (b->alg) {
	case CRUSH_BUCKET_UNIFORM:
		return perm_choose(c, b, r);
	case CRUSH_BUCKET_LIST:
		return list_choose(c, b, r);
	case CRUSH_BUCKET_TREE:
		return tree_choose(c, b, r);
	case CRUSH_BUCKET_STRAW:
		return straw_choose(c, b, r);
	default:
		return straw2_choose(c, b, r, position);
	}
}

/* A device marked out (weight 0), or partly out and drawn so for this input. */
static int is_out(const struct mapping *c, int32_t item)
{
	if (item < 0)
		return 0; /* a bucket of type 0: never a device */
	if (item >= c->weight_max)
		return 1;
	if (c->weight[item] >= CRUSH_WEIGHT_IN)
		return 0;
	if (c->weight[item] == 0)
		return 1;
	return (crush_hash32_2(CRUSH_HASH_RJENKINS1, c->x, (uint32_t)item) & 0xffff) >= c->weight[item];
}

static int item_type(const struct crush_map *m, int32_t item)
{
	return item < 0 ? m->buckets[-1 - item]->type : 0;
}

struct choose_params {
	uint32_t tries, recurse_tries, local_retries, local_fallback_retries;
	uint32_t vary_r, stable;
};

/*
 * firstn: fill out[outpos..] with up to numrep distinct items of @type under
 * @bucket (at most @out_size of them); with @out2, also a device under each
 * (chooseleaf). Returns the new outpos.
 */
static int choose_firstn(struct mapping *c, const struct crush_bucket *bucket, int numrep, int type, int32_t *out,
			 int outpos, int out_size, const struct choose_params *p, uint32_t tries, int recurse_to_leaf,
			 int32_t *out2, uint32_t parent_r)
{
	const struct crush_map *m = c->map;
	int count = out_size;

	for (int rep = p->stable ? 0 : outpos; rep < numrep && count > 0; rep++) {
		uint32_t ftotal = 0;
		int skip_rep = 0, retry_descent;
		int32_t item = 0;

		do {
			const struct crush_bucket *in = bucket;
			uint32_t flocal = 0;
			int retry_bucket;

			retry_descent = 0;
			do {
				int collide = 0, reject = 0, itemtype;
				uint32_t r = (uint32_t)rep + parent_r + ftotal;

				retry_bucket = 0;
				if (in->size == 0) {
					reject = 1;
				} else {
					if (p->local_fallback_retries > 0 && flocal >= (in->size >> 1) &&
					    flocal > p->local_fallback_retries)
						item = perm_choose(c, in, r);
					else
						item = bucket_choose(c, in, r, outpos);
					if (item >= m->max_devices) {
						skip_rep = 1;
						break;
					}
					itemtype = item_type(m, item);
					if (itemtype != type) {
						if (item >= 0) {
							skip_rep = 1;
							break;
						}
						in = m->buckets[-1 - item];
						retry_bucket = 1;
						continue;
					}
					for (int i = 0; i < outpos; i++)
						if (out[i] == item) {
							collide = 1;
							break;
						}
					if (!collide && recurse_to_leaf) {
						if (item < 0) {
							uint32_t sub_r = 0;

							if (p->vary_r)
								sub_r =
								    (uint32_t)((int32_t)r >> ((p->vary_r - 1) & 31));
							if (choose_firstn(c, m->buckets[-1 - item],
									  p->stable ? 1 : outpos + 1, 0, out2, outpos,
									  count, p, p->recurse_tries, 0, NULL,
									  sub_r) <= outpos)
								reject = 1; /* no leaf under it */
						} else {
							out2[outpos] = item; /* already a leaf */
						}
					}
					if (!reject && !collide && itemtype == 0)
						reject = is_out(c, item);
				}
				if (reject || collide) {
					ftotal++;
					flocal++;
					if (collide && flocal <= p->local_retries)
						retry_bucket = 1; /* again in this bucket */
					else if (p->local_fallback_retries > 0 &&
						 flocal <= in->size + p->local_fallback_retries)
						retry_bucket = 1; /* search the bucket */
					else if (ftotal < tries)
						retry_descent = 1; /* from the top */
					else
						skip_rep = 1;
				}
			} while (retry_bucket);
		} while (retry_descent);

		if (skip_rep)
			continue;
		out[outpos++] = item;
		count--;
	}
	return outpos;
}

/*
 * indep: positions out[outpos..outpos+left) each filled independently, so
 * a failed device changes only its own position; what cannot be filled
 * stays CRUSH_ITEM_NONE.
 */
static void choose_indep(struct mapping *c, const struct crush_bucket *bucket, int left, int numrep, int type,
			 int32_t *out, int outpos, uint32_t tries, uint32_t recurse_tries, int recurse_to_leaf,
			 int32_t *out2, uint32_t parent_r)
{
	const struct crush_map *m = c->map;
	int endpos = outpos + left;

	for (int rep = outpos; rep < endpos; rep++) {
		out[rep] = CRUSH_ITEM_UNDEF;
		if (out2)
			out2[rep] = CRUSH_ITEM_UNDEF;
	}
	for (uint32_t ftotal = 0; left > 0 && ftotal < tries; ftotal++) {
		for (int rep = outpos; rep < endpos; rep++) {
			const struct crush_bucket *in = bucket;

			if (out[rep] != CRUSH_ITEM_UNDEF)
				continue;
			for (;;) {
				uint32_t r = (uint32_t)rep + parent_r;
				int32_t item;
				int itemtype, collide = 0;

				if (in->alg == CRUSH_BUCKET_UNIFORM && in->size % (uint32_t)numrep == 0)
					r += ((uint32_t)numrep + 1) * ftotal;
				else
					r += (uint32_t)numrep * ftotal;
				if (in->size == 0)
					break;
				item = bucket_choose(c, in, r, outpos);
				if (item >= m->max_devices) {
					out[rep] = CRUSH_ITEM_NONE;
					if (out2)
						out2[rep] = CRUSH_ITEM_NONE;
					left--;
					break;
				}
				itemtype = item_type(m, item);
				if (itemtype != type) {
					if (item >= 0) {
						out[rep] = CRUSH_ITEM_NONE;
						if (out2)
							out2[rep] = CRUSH_ITEM_NONE;
						left--;
						break;
					}
					in = m->buckets[-1 - item];
					continue;
				}
				for (int i = outpos; i < endpos; i++)
					if (out[i] == item) {
						collide = 1;
						break;
					}
				if (collide)
					break;
				if (recurse_to_leaf) {
					if (item < 0) {
						choose_indep(c, m->buckets[-1 - item], 1, numrep, 0, out2, rep,
							     recurse_tries, 0, 0, NULL, r);
						if (out2 && out2[rep] == CRUSH_ITEM_NONE)
							break; /* no leaf under it */
					} else if (out2) {
						out2[rep] = item;
					}
				}
				if (itemtype == 0 && is_out(c, item))
					break;
				out[rep] = item;
				left--;
				break;
			}
		}
	}
	for (int rep = outpos; rep < endpos; rep++) {
		if (out[rep] == CRUSH_ITEM_UNDEF)
			out[rep] = CRUSH_ITEM_NONE;
		if (out2 && out2[rep] == CRUSH_ITEM_UNDEF)
			out2[rep] = CRUSH_ITEM_NONE;
	}
}

static int valid_take(const struct crush_map *m, int32_t id)
{
	if (id >= 0)
		return id < m->max_devices;
	return -1 - id < m->max_buckets && m->buckets[-1 - id];
}

int crush_do_rule(const struct crush_map *m, int ruleno, uint32_t x, int32_t *result, int result_max,
		  const uint32_t *weight, int weight_max, const struct crush_choose_args *choose_args)
{
	const struct crush_rule *rule;
	struct mapping c = {.map = m, .weight = weight, .weight_max = weight_max, .x = x, .choose_args = choose_args};
	struct choose_params p;
	uint32_t choose_tries, choose_leaf_tries = 0;
	int32_t *w, *o, *leaves, *scratch;
	int wsize = 0, result_len = 0;
	size_t nb = (size_t)m->max_buckets;

	if (result_max < 0 || result_max > CRUSH_MAX_RESULT)
		return -EINVAL;
	if (ruleno < 0 || (uint32_t)ruleno >= m->max_rules || !m->rules[ruleno] || result_max == 0)
		return 0;
	rule = m->rules[ruleno];
	c.perm_x = calloc(2 * nb + m->perm_total + 1, sizeof(uint32_t));
	scratch = malloc(3 * (size_t)result_max * sizeof(*scratch));
	if (!c.perm_x || !scratch) {
		free(c.perm_x);
		free(scratch);
		return -ENOMEM;
	}
	c.perm_n = c.perm_x + nb;
	c.perm = c.perm_n + nb;
	w = scratch;
	o = scratch + result_max;
	leaves = scratch + 2 * result_max;

	/* choose_total_tries counts retries: one more try */
	choose_tries = m->choose_total_tries + 1;
	p.local_retries = m->choose_local_tries;
	p.local_fallback_retries = m->choose_local_fallback_tries;
	p.vary_r = m->chooseleaf_vary_r;
	p.stable = m->chooseleaf_stable;

	for (uint32_t step = 0; step < rule->len; step++) {
		const struct crush_rule_step *s = &rule->steps[step];
		int firstn = 0, recurse_to_leaf, osize;
		int32_t *tmp;

		switch (s->op) {
		case CRUSH_RULE_TAKE:
			if (valid_take(m, s->arg1)) {
				w[0] = s->arg1;
				wsize = 1;
			}
			break;
		case CRUSH_RULE_SET_CHOOSE_TRIES:
			if (s->arg1 > 0)
				choose_tries = (uint32_t)s->arg1;
			break;
		case CRUSH_RULE_SET_CHOOSELEAF_TRIES:
			if (s->arg1 > 0)
				choose_leaf_tries = (uint32_t)s->arg1;
			break;
		case CRUSH_RULE_SET_CHOOSE_LOCAL_TRIES:
			if (s->arg1 >= 0)
				p.local_retries = (uint32_t)s->arg1;
			break;
		case CRUSH_RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES:
			if (s->arg1 >= 0)
				p.local_fallback_retries = (uint32_t)s->arg1;
			break;
		case CRUSH_RULE_SET_CHOOSELEAF_VARY_R:
			if (s->arg1 >= 0)
				p.vary_r = (uint32_t)s->arg1;
			break;
		case CRUSH_RULE_SET_CHOOSELEAF_STABLE:
			if (s->arg1 >= 0)
				p.stable = (uint32_t)s->arg1;
			break;
		case CRUSH_RULE_CHOOSELEAF_FIRSTN:
		case CRUSH_RULE_CHOOSE_FIRSTN:
			firstn = 1;
			/* fall through */
		case CRUSH_RULE_CHOOSELEAF_INDEP:
		case CRUSH_RULE_CHOOSE_INDEP:
			if (wsize == 0)
				break;
			recurse_to_leaf = s->op == CRUSH_RULE_CHOOSELEAF_FIRSTN || s->op == CRUSH_RULE_CHOOSELEAF_INDEP;
			osize = 0;
			for (int i = 0; i < wsize; i++) {
				int64_t numrep = s->arg1;
				int32_t bno = -1 - w[i];

				if (numrep <= 0) {
					numrep += result_max;
					if (numrep <= 0)
						continue;
				}
				if (w[i] >= 0 || bno >= m->max_buckets || !m->buckets[bno])
					continue; /* a device, or CRUSH_ITEM_NONE */
				if (firstn) {
					p.tries = choose_tries;
					p.recurse_tries = choose_leaf_tries	       ? choose_leaf_tries
							  : m->chooseleaf_descend_once ? 1
										       : choose_tries;
					osize = choose_firstn(&c, m->buckets[bno], (int)numrep, s->arg2, o + osize, 0,
							      result_max - osize, &p, choose_tries, recurse_to_leaf,
							      leaves + osize, 0) +
						osize;
				} else {
					int out_size = numrep < result_max - osize ? (int)numrep : result_max - osize;

					choose_indep(&c, m->buckets[bno], out_size, (int)numrep, s->arg2, o + osize, 0,
						     choose_tries, choose_leaf_tries ? choose_leaf_tries : 1,
						     recurse_to_leaf, leaves + osize, 0);
					osize += out_size;
				}
			}
			if (recurse_to_leaf)
				memcpy(o, leaves, (size_t)osize * sizeof(*o));
			tmp = o;
			o = w;
			w = tmp;
			wsize = osize;
			break;
		case CRUSH_RULE_EMIT:
			for (int i = 0; i < wsize && result_len < result_max; i++)
				result[result_len++] = w[i];
			wsize = 0;
			break;
		default:
			break;
		}
	}
	free(c.perm_x);
	free(scratch);
	return result_len;
}
