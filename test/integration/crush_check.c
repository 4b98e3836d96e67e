/*
 * test/integration/crush_check.c: cephosd's CRUSH mapper run over a map
 * file, printing what `crushtool --test --show-mappings` prints for the
 * same arguments, so that crush_map.test can compare the two line for line.
 *
 *   crush_check MAP --rule R --num-rep N --min-x A --max-x B
 *               [--weight DEV W]... [--pool-id POOL] [--choose-args INDEX]
 *
 * As crushtool does, every device that some bucket holds starts in (weight
 * 1.0), the others out, and --weight sets one (a fraction 0..1). With
 * --pool-id, the input is x hashed with the pool (rjenkins1), as in
 * crushtool; its mappings use the default choose_args (-1) whatever the
 * pool, and so does this unless --choose-args names another index.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test/lib/file_read.h"
#include "cephosd/crush.h"

static int held(const struct crush_map *m, int32_t dev)
{
	for (int32_t i = 0; i < m->max_buckets; i++) {
		const struct crush_bucket *b = m->buckets[i];

		for (uint32_t j = 0; b && j < b->size; j++)
			if (b->items[j] == dev)
				return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct crush_map *m;
	const char *why;
	size_t len;
	void *buf;
	int rule = 0, numrep = 3, r;
	long min_x = 0, max_x = 1023;
	int64_t pool = -1, ca_index = -1;
	uint32_t *weight;

	if (argc < 2) {
		fprintf(stderr, "usage: crush_check MAP --rule R --num-rep N --min-x A --max-x B "
				"[--weight DEV W]... [--pool-id POOL] [--choose-args INDEX]\n");
		return 2;
	}
	buf = file_read(argv[1], &len);
	if (!buf) {
		fprintf(stderr, "crush_check: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	r = crush_decode(buf, len, &m, &why);
	free(buf);
	if (r) {
		fprintf(stderr, "crush_check: %s: %s (%s)\n", argv[1], why, strerror(-r));
		return 1;
	}
	weight = calloc((size_t)m->max_devices + 1, sizeof(*weight));
	if (!weight)
		return 1;
	for (int32_t d = 0; d < m->max_devices; d++)
		weight[d] = held(m, d) ? CRUSH_WEIGHT_IN : 0;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--rule") && i + 1 < argc)
			rule = atoi(argv[++i]);
		else if (!strcmp(a, "--num-rep") && i + 1 < argc)
			numrep = atoi(argv[++i]);
		else if (!strcmp(a, "--min-x") && i + 1 < argc)
			min_x = atol(argv[++i]);
		else if (!strcmp(a, "--max-x") && i + 1 < argc)
			max_x = atol(argv[++i]);
		else if (!strcmp(a, "--pool-id") && i + 1 < argc)
			pool = atoll(argv[++i]);
		else if (!strcmp(a, "--choose-args") && i + 1 < argc)
			ca_index = atoll(argv[++i]);
		else if (!strcmp(a, "--weight") && i + 2 < argc) {
			int dev = atoi(argv[i + 1]);
			double w = atof(argv[i + 2]);

			if (dev >= 0 && dev < m->max_devices)
				weight[dev] = (uint32_t)(w * (double)CRUSH_WEIGHT_IN);
			i += 2;
		} else {
			fprintf(stderr, "crush_check: unknown argument %s\n", a);
			return 2;
		}
	}
	for (long x = min_x; x <= max_x; x++) {
		int32_t out[CRUSH_MAX_RESULT];
		const struct crush_choose_args *ca = crush_choose_args_for(m, ca_index);
		uint32_t in =
		    pool == -1 ? (uint32_t)x : crush_hash32_2(CRUSH_HASH_RJENKINS1, (uint32_t)x, (uint32_t)pool);
		int n = crush_do_rule(m, rule, in, out, numrep, weight, m->max_devices, ca);

		if (n < 0) {
			fprintf(stderr, "crush_check: %s\n", strerror(-n));
			return 1;
		}
		printf("CRUSH rule %d x %ld [", rule, x);
		for (int i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", out[i]);
		printf("]\n");
	}
	free(weight);
	crush_map_free(m);
	return 0;
}
