/*
 * test/fuzz/crush_cost.h: whether running a fuzzed CRUSH map is cheap enough
 * for a fuzz target (fuzz_crush, fuzz_osdmap, fuzz_osdmap_inc).
 *
 * A legal map may ask for 2^32 tries, or a firstn step for millions of
 * replicas, which Ceph's mapper walks one by one too (crushtool spends half a
 * minute per input on such a map); the targets decode those but do not run
 * them.
 */
#ifndef NETFUSE_TEST_CRUSH_COST_H
#define NETFUSE_TEST_CRUSH_COST_H

#include "cephosd/crush.h"

#define FUZZ_CRUSH_MAX_TRIES 64

static inline int crush_cheap_enough(const struct crush_map *m)
{
	if (m->choose_total_tries > FUZZ_CRUSH_MAX_TRIES || m->choose_local_tries > FUZZ_CRUSH_MAX_TRIES ||
	    m->choose_local_fallback_tries > FUZZ_CRUSH_MAX_TRIES)
		return 0;
	for (uint32_t r = 0; r < m->max_rules; r++) {
		const struct crush_rule *rule = m->rules[r];

		for (uint32_t s = 0; rule && s < rule->len; s++) {
			uint32_t op = rule->steps[s].op;
			int32_t arg1 = rule->steps[s].arg1;

			if (op >= CRUSH_RULE_SET_CHOOSE_TRIES && op <= CRUSH_RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES &&
			    (uint32_t)arg1 > FUZZ_CRUSH_MAX_TRIES)
				return 0;
			if ((op == CRUSH_RULE_CHOOSE_FIRSTN || op == CRUSH_RULE_CHOOSELEAF_FIRSTN) &&
			    arg1 > CRUSH_MAX_RESULT)
				return 0;
		}
	}
	return 1;
}

#endif
