/*
 * osdmap_check: cephosd's OSD map decoder and placement, printed the way
 * Ceph's osdmaptool prints the same questions, so osdmap_map.test can hold
 * the two side by side.
 *
 *   osdmap_check MAP --test-map-pgs-dump-all [--pool ID]
 *     one line per PG: "P.S raw ([..], pN) up ([..], pN) acting ([..], pN)"
 *   osdmap_check MAP --test-map-object NAME --pool ID [--namespace NS]
 *     " object 'NAME' -> P.S -> [acting]"
 *   osdmap_check MAP --print
 *     a summary of what was decoded (epoch, pools, OSDs, mappings)
 *   --inc FILE (any number, before the rest): incremental maps applied to
 *     MAP in the order given
 *
 * A map the decoder refuses: the reason on stderr and exit status 1.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test/lib/file_read.h"
#include "cephosd/osdmap.h"

static void print_set(const struct osd_set *s)
{
	putchar('[');
	for (int i = 0; i < s->size; i++)
		printf("%s%" PRId32, i ? "," : "", s->osds[i]);
	putchar(']');
}

/* The raw set osdmaptool shows: CRUSH's, before upmap and without the
 * missing OSDs; its "primary" is the first real OSD in it. */
static void dump_pool(const struct osdmap *m, const struct osd_pool *p)
{
	printf("pool %" PRId64 " pg_num %" PRIu32 "\n", p->id, p->pg_num);
	for (uint32_t ps = 0; ps < p->pg_num; ps++) {
		struct osd_pg pg = {.pool = p->id, .seed = ps};
		struct osd_set raw, up, acting;

		osdmap_pg_to_raw(m, pg, &raw);
		osdmap_pg_to_up_acting(m, pg, &up, &acting);
		printf("%" PRId64 ".%" PRIx32 " raw (", p->id, ps);
		print_set(&raw);
		printf(", p%" PRId32 ") up (", raw.primary);
		print_set(&up);
		printf(", p%" PRId32 ") acting (", up.primary);
		print_set(&acting);
		printf(", p%" PRId32 ")\n", acting.primary);
	}
}

static void print_mappings(const char *what, const struct osd_pg_mappings *t, int words)
{
	for (uint32_t i = 0; i < t->n; i++) {
		const struct osd_pg_mapping *e = &t->v[i];

		printf("%s %" PRId64 ".%" PRIx32 " [", what, e->pg.pool, e->pg.seed);
		for (uint32_t k = 0; k < e->n * (uint32_t)words; k++)
			printf("%s%" PRId32, k ? "," : "", e->osds[k]);
		printf("]\n");
	}
}

static void print_map(const struct osdmap *m)
{
	printf("epoch %" PRIu32 "\nflags 0x%" PRIx32 "\npool_max %" PRId32 "\nmax_osd %" PRIu32 "\n", m->epoch,
	       m->flags, m->pool_max, m->max_osd);
	printf("crush_version %" PRIu32 "\n", m->crush_version);
	for (uint32_t i = 0; i < m->npools; i++) {
		const struct osd_pool *p = &m->pools[i];

		printf("pool %" PRId64 " '%s' type %u size %u min_size %u crush_rule %u object_hash %u pg_num %" PRIu32
		       " pgp_num %" PRIu32 " flags 0x%" PRIx64 " stripe_width %" PRIu32 " last_force_resend %" PRIu32
		       "\n",
		       p->id, p->name, p->type, p->size, p->min_size, p->crush_rule, p->object_hash, p->pg_num,
		       p->pgp_num, p->flags, p->stripe_width, p->last_force_resend);
	}
	for (uint32_t o = 0; o < m->max_osd; o++) {
		char addr[128] = "-";

		if (m->osd_addrs[o].n)
			ceph_entity_addr_format(&m->osd_addrs[o].v[0], addr, sizeof(addr));
		printf("osd.%" PRIu32 " state 0x%" PRIx32 " weight 0x%" PRIx32 " affinity 0x%" PRIx32 " addrs %u %s\n",
		       o, m->osd_state[o], m->osd_weight[o],
		       m->osd_primary_affinity ? m->osd_primary_affinity[o] : OSD_DEFAULT_PRIMARY_AFFINITY,
		       m->osd_addrs[o].n, addr);
	}
	print_mappings("pg_temp", &m->pg_temp, 1);
	print_mappings("primary_temp", &m->primary_temp, 1);
	print_mappings("pg_upmap", &m->pg_upmap, 1);
	print_mappings("pg_upmap_items", &m->pg_upmap_items, 2);
}

static int usage(void)
{
	fprintf(stderr, "usage: osdmap_check MAP [--inc FILE]... (--print | --test-map-pgs-dump-all [--pool ID] |\n"
			"                         --test-map-object NAME --pool ID [--namespace NS])\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *path, *object = NULL, *ns = NULL, *why = NULL;
	int64_t pool = -1;
	const char *incs[64];
	int ninc = 0, dump = 0, print = 0, r;
	struct osdmap *m;
	uint8_t *buf;
	size_t len;

	if (argc < 3)
		return usage();
	path = argv[1];
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--print"))
			print = 1;
		else if (!strcmp(argv[i], "--test-map-pgs-dump-all"))
			dump = 1;
		else if (!strcmp(argv[i], "--test-map-object") && i + 1 < argc)
			object = argv[++i];
		else if (!strcmp(argv[i], "--pool") && i + 1 < argc)
			pool = strtoll(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--namespace") && i + 1 < argc)
			ns = argv[++i];
		else if (!strcmp(argv[i], "--inc") && i + 1 < argc && ninc < 64)
			incs[ninc++] = argv[++i];
		else
			return usage();
	}
	buf = file_read(path, &len);
	if (!buf) {
		fprintf(stderr, "osdmap_check: %s: %s\n", path, strerror(errno));
		return 1;
	}
	r = osdmap_decode(buf, len, &m, &why);
	free(buf);
	if (r) {
		fprintf(stderr, "osdmap_check: %s: %s (%s)\n", path, why, strerror(-r));
		return 1;
	}
	for (int i = 0; i < ninc; i++) {
		buf = file_read(incs[i], &len);
		if (!buf) {
			fprintf(stderr, "osdmap_check: %s: %s\n", incs[i], strerror(errno));
			osdmap_free(m);
			return 1;
		}
		r = osdmap_apply_incremental(m, buf, len, &why);
		free(buf);
		if (r) {
			fprintf(stderr, "osdmap_check: %s: %s (%s)\n", incs[i], why, strerror(-r));
			osdmap_free(m);
			return 1;
		}
	}
	if (print)
		print_map(m);
	if (dump) {
		for (uint32_t i = 0; i < m->npools; i++)
			if (pool == -1 || m->pools[i].id == pool)
				dump_pool(m, &m->pools[i]);
	}
	if (object) {
		struct osd_pg raw, pg;
		struct osd_set acting;

		if (osdmap_object_to_pg(m, pool, ns, object, &raw)) {
			fprintf(stderr, "osdmap_check: no pool %" PRId64 "\n", pool);
			osdmap_free(m);
			return 1;
		}
		pg = osd_pool_raw_pg_to_pg(osdmap_pool(m, pool), raw);
		osdmap_pg_to_up_acting(m, raw, NULL, &acting);
		printf(" object '%s' -> %" PRId64 ".%" PRIx32 " -> ", object, pg.pool, pg.seed);
		print_set(&acting);
		putchar('\n');
	}
	osdmap_free(m);
	return 0;
}
