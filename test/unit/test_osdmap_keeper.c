/*
 * test/unit/test_osdmap_keeper.c: cephosd/osdmap_keeper.c, the client's OSD
 * map kept from MOSDMap messages.
 *
 * The maps are the real ones of test/unit/data/osdmap-cluster (a Ceph
 * 16.2.15 cluster's full maps of epochs 37 and 59 and the incrementals
 * between; see test_osdmap_inc.c), put into messages here the way a monitor
 * does: a lone full map first, then runs of incrementals, sometimes with
 * epochs missing, sometimes damaged, sometimes another cluster's.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephosd/osdmap_keeper.h"
#include "test/lib/file_read.h"

#define FIRST_INC 38
#define LAST_INC  59

static uint8_t *blobs[64];
static size_t lens[64];
static uint8_t *full37, *full59;
static size_t full37_len, full59_len;
static uint8_t fsid[16];

static uint8_t *load(const char *name, size_t *len)
{
	char path[4096];
	const char *src = getenv("NETFUSE_SRCDIR");
	uint8_t *b;

	snprintf(path, sizeof(path), "%s/test/unit/data/osdmap-cluster/%s", src ? src : "..", name);
	b = file_read(path, len);
	cr_assert_not_null(b, "%s", path);
	return b;
}

static void setup(void)
{
	char name[32];
	struct osdmap *m;

	full37 = load("full.37", &full37_len);
	full59 = load("full.59", &full59_len);
	for (int e = FIRST_INC; e <= LAST_INC; e++) {
		snprintf(name, sizeof(name), "inc.%d", e);
		blobs[e] = load(name, &lens[e]);
	}
	cr_assert_eq(osdmap_decode(full37, full37_len, &m, NULL), 0);
	memcpy(fsid, m->fsid, sizeof(fsid));
	osdmap_free(m);
}

static void teardown(void)
{
	free(full37);
	free(full59);
	for (int e = FIRST_INC; e <= LAST_INC; e++)
		free(blobs[e]);
}

static struct mosdmap *msg(void)
{
	struct mosdmap *mo = calloc(1, sizeof(*mo));

	cr_assert_not_null(mo);
	memcpy(mo->fsid, fsid, sizeof(fsid));
	return mo;
}

static void add_incs(struct mosdmap *mo, int from, int to)
{
	for (int e = from; e <= to; e++)
		mo->inc[mo->ninc++] = (struct mosdmap_blob){(uint32_t)e, blobs[e], (uint32_t)lens[e]};
}

static void add_full(struct mosdmap *mo, uint32_t epoch, const uint8_t *b, size_t len)
{
	mo->full[mo->nfull++] = (struct mosdmap_blob){epoch, b, (uint32_t)len};
}

static struct monc_osdmap_result feed(struct osdmap_keeper *k, struct mosdmap *mo)
{
	struct monc_osdmap_result r;

	osdmap_keeper_handle(k, mo, &r);
	free(mo);
	cr_assert_eq(r.epoch, osdmap_keeper_epoch(k));
	return r;
}

static void get_stats(void *arg, const struct osdmap *m, const struct osdmap_keeper_stats *st)
{
	(void)m;
	*(struct osdmap_keeper_stats *)arg = *st;
}

static struct osdmap_keeper_stats stats(struct osdmap_keeper *k)
{
	struct osdmap_keeper_stats st;

	osdmap_keeper_read(k, get_stats, &st);
	return st;
}

/* The map the keeper holds placed every PG as epoch 59's full map does. */
static void same_as_full59(void *arg, const struct osdmap *m, const struct osdmap_keeper_stats *st)
{
	struct osdmap *want;

	(void)arg;
	(void)st;
	cr_assert_not_null(m);
	cr_assert_eq(osdmap_decode(full59, full59_len, &want, NULL), 0);
	cr_assert_eq(m->epoch, 59);
	cr_assert_eq(m->npools, want->npools);
	cr_assert_eq(m->flags, want->flags);
	cr_assert_eq(m->osd_weight[0], want->osd_weight[0]);
	for (uint32_t i = 0; i < want->npools; i++) {
		const struct osd_pool *p = &want->pools[i];
		cr_assert_str_eq(osdmap_pool(m, p->id)->name, p->name);
		for (uint32_t s = 0; s < p->pg_num; s++) {
			struct osd_set a, b;
			cr_assert_eq(osdmap_pg_to_up_acting(m, (struct osd_pg){p->id, s}, NULL, &a), 0);
			cr_assert_eq(osdmap_pg_to_up_acting(want, (struct osd_pg){p->id, s}, NULL, &b), 0);
			cr_assert_eq(a.size, b.size);
			cr_assert_eq(a.primary, b.primary);
		}
	}
	osdmap_free(want);
}

TestSuite(osdmap_keeper, .init = setup, .fini = teardown);

Test(osdmap_keeper, a_full_map_then_incrementals_in_runs)
{
	struct osdmap_keeper *k = osdmap_keeper_new(NULL);
	struct mosdmap *mo;
	struct monc_osdmap_result r;

	cr_assert_eq(osdmap_keeper_epoch(k), 0);
	mo = msg();
	add_full(mo, 37, full37, full37_len);
	r = feed(k, mo);
	cr_assert(r.changed);
	cr_assert_eq(r.epoch, 37);
	cr_assert_eq(r.want, MONC_OSDMAP_WANT_NOTHING);

	mo = msg();
	add_incs(mo, 38, 45);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 45);
	cr_assert_eq(r.want, MONC_OSDMAP_WANT_NOTHING);

	/* a message repeating epochs already held, then the rest */
	mo = msg();
	add_incs(mo, 40, 59);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 59);
	cr_assert(r.changed);
	osdmap_keeper_read(k, same_as_full59, NULL);

	/* nothing new: nothing changes, nothing wanted */
	mo = msg();
	add_incs(mo, 50, 59);
	r = feed(k, mo);
	cr_assert_not(r.changed);
	cr_assert_eq(r.want, MONC_OSDMAP_WANT_NOTHING);

	struct osdmap_keeper_stats st = stats(k);
	cr_assert_eq(st.full_maps, 1);
	cr_assert_eq(st.incrementals, 22);
	cr_assert_eq(st.gaps, 0);
	cr_assert_eq(st.refused, 0);
	osdmap_keeper_free(k);
}

Test(osdmap_keeper, missing_epochs_are_asked_for_from_the_one_after_the_map)
{
	struct osdmap_keeper *k = osdmap_keeper_new(NULL);
	struct mosdmap *mo = msg();
	struct monc_osdmap_result r;

	add_full(mo, 37, full37, full37_len);
	add_incs(mo, 38, 40);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 40, "incrementals after a full map in the same message apply");

	mo = msg();
	add_incs(mo, 43, 50); /* 41 and 42 lost */
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 40);
	cr_assert_not(r.changed);
	cr_assert_eq(r.want, MONC_OSDMAP_WANT_NEXT, "subscribe again from 41");

	mo = msg();
	add_incs(mo, 41, 44);
	add_incs(mo, 46, 47); /* a hole inside a message: applied up to it */
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 44);
	cr_assert(r.changed);
	cr_assert_eq(r.want, MONC_OSDMAP_WANT_NEXT);
	cr_assert_eq(stats(k).gaps, 2);

	/* a lone newer full map (what the monitor sends when asked for one)
	 * jumps the gap */
	mo = msg();
	add_full(mo, 59, full59, full59_len);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 59);
	cr_assert_eq(r.want, MONC_OSDMAP_WANT_NOTHING);
	osdmap_keeper_read(k, same_as_full59, NULL);
	osdmap_keeper_free(k);
}

Test(osdmap_keeper, incrementals_without_a_map_ask_for_a_full_one)
{
	struct osdmap_keeper *k = osdmap_keeper_new(NULL);
	struct mosdmap *mo = msg();
	struct monc_osdmap_result r;

	add_incs(mo, 38, 40);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 0);
	cr_assert_eq(r.want, MONC_OSDMAP_WANT_FULL);

	/* the newest full map of a message wins; incrementals after it apply */
	mo = msg();
	add_full(mo, 37, full37, full37_len);
	add_full(mo, 59, full59, full59_len);
	add_incs(mo, 38, 59);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 59);
	cr_assert_eq(stats(k).full_maps, 1, "only the newest full map is decoded");
	cr_assert_eq(stats(k).incrementals, 0);
	osdmap_keeper_free(k);
}

Test(osdmap_keeper, a_damaged_incremental_leaves_the_map_and_asks_for_a_full_one)
{
	struct osdmap_keeper *k = osdmap_keeper_new(NULL);
	struct mosdmap *mo = msg();
	struct monc_osdmap_result r;
	uint8_t *bad = malloc(lens[41]);

	memcpy(bad, blobs[41], lens[41]);
	bad[lens[41] / 2] ^= 0x40; /* the crc catches it */
	add_full(mo, 37, full37, full37_len);
	add_incs(mo, 38, 40);
	mo->inc[mo->ninc++] = (struct mosdmap_blob){41, bad, (uint32_t)lens[41]};
	add_incs(mo, 42, 45);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 40, "applied up to the damaged one");
	cr_assert_eq(r.want, MONC_OSDMAP_WANT_FULL);
	cr_assert_eq(stats(k).refused, 1);

	/* with a newer full map in the message, that is used instead */
	mo = msg();
	mo->inc[mo->ninc++] = (struct mosdmap_blob){41, bad, (uint32_t)lens[41]};
	add_full(mo, 59, full59, full59_len);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 59);
	cr_assert_eq(r.want, MONC_OSDMAP_WANT_NOTHING);
	free(bad);

	/* a full map that does not decode is reported, not asked for again */
	mo = msg();
	add_incs(mo, 38, 38);
	add_full(mo, 60, full59, full59_len / 2);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 59);
	cr_assert_eq(r.want, MONC_OSDMAP_WANT_NOTHING);
	/* nor does one whose epoch is not the message's */
	mo = msg();
	add_full(mo, 61, full37, full37_len);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 59);
	cr_assert_eq(stats(k).refused, 4);
	osdmap_keeper_read(k, same_as_full59, NULL);
	osdmap_keeper_free(k);
}

Test(osdmap_keeper, another_clusters_maps_are_dropped)
{
	struct osdmap_keeper *k = osdmap_keeper_new(NULL);
	struct mosdmap *mo = msg();
	struct monc_osdmap_result r;

	mo->fsid[0] ^= 1; /* a full map inside a message of another fsid */
	add_full(mo, 37, full37, full37_len);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 0);

	mo = msg();
	add_full(mo, 37, full37, full37_len);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 37);

	mo = msg();
	mo->fsid[15] ^= 1;
	add_incs(mo, 38, 40);
	r = feed(k, mo);
	cr_assert_eq(r.epoch, 37);
	cr_assert_eq(r.want, MONC_OSDMAP_WANT_NOTHING);
	cr_assert_eq(stats(k).refused, 2);
	osdmap_keeper_free(k);
}
