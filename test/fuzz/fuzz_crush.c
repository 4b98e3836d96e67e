/*
 * Fuzz target: cephosd/crush_decode.c and the mapper it guards
 * (cephosd/crush_mapper.c).
 *
 * Invariants: a rejected map comes back as NULL with -EBADMSG (or
 * -ENOMEM); an accepted one can be run: every rule, for a few inputs, with
 * every device in and then with every third device out, with the default
 * choose_args and without, returns at most the results asked for, each a
 * device below max_devices, a bucket id the map has, or CRUSH_ITEM_NONE.
 * The decoder promises the mapper neither reads out of bounds nor loops;
 * this is where that promise is kept (with ASan and UBSan watching). Maps
 * that would make one run take seconds are decoded but not run
 * (crush_cost.h).
 * Seeds: crushtool-compiled maps of every bucket type and tunables profile
 * (test/fuzz/corpus/crush/).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "test/fuzz/crush_cost.h"
#include "cephosd/crush.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DEVICES 4096

static void check_result(const struct crush_map *m, int n, int max, const int32_t *res)
{
	if (n < 0 || n > max)
		abort();
	for (int i = 0; i < n; i++) {
		int32_t v = res[i];

		if (v == CRUSH_ITEM_NONE || (v >= 0 && v < m->max_devices))
			continue;
		if (v < 0 && -1 - v < m->max_buckets && m->buckets[-1 - v])
			continue;
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t weight[MAX_DEVICES];
	struct crush_map *m = NULL;
	const char *why = NULL;
	int32_t res[CRUSH_MAX_RESULT];
	int r;

	r = crush_decode(data, size, &m, &why);
	if (r) {
		if ((r != -EBADMSG && r != -ENOMEM) || m || !why)
			abort();
		return 0;
	}
	if (!m)
		abort();
	if (m->max_devices <= MAX_DEVICES && crush_cheap_enough(m)) {
		const struct crush_choose_args *ca = crush_choose_args_for(m, -1);

		for (int pass = 0; pass < 2; pass++) {
			for (int d = 0; d < m->max_devices; d++)
				weight[d] = pass && d % 3 == 0 ? 0 : CRUSH_WEIGHT_IN;
			for (uint32_t ruleno = 0; ruleno < m->max_rules; ruleno++) {
				if (!m->rules[ruleno])
					continue;
				for (uint32_t x = 0; x < 4; x++) {
					int max = 1 + (int)(x * 5 % CRUSH_MAX_RESULT);

					r = crush_do_rule(m, (int)ruleno, x, res, max, weight, m->max_devices,
							  x & 1 ? ca : NULL);
					if (r == -ENOMEM)
						continue;
					check_result(m, r, max, res);
				}
			}
		}
	}
	crush_map_free(m);
	return 0;
}
