/*
 * Fuzz target: cephosd/osdmap_inc.c, an incremental applied to a full map.
 *
 * Input: u32 length L, a full map of L bytes, then an incremental. Both
 * crcs are written in before decoding (the full map's at the end of its
 * wrapper, the incremental's eight bytes before the end of its), so that
 * mutations reach the fields behind them; the crc checks themselves are
 * covered by fuzz_osdmap and the unit tests.
 * Invariants: a refused incremental (-EBADMSG with a reason, or -ENOMEM)
 * leaves the map exactly as it was; an applied one moves it to the next
 * epoch (or replaces it with the full map it carries) with per-OSD arrays
 * of max_osd, pools sorted by id, mappings sorted without repeats, and the
 * first PGs of each pool placing onto OSDs of the map.
 * Seeds: a Ceph 16.2.15 cluster's full maps and the incrementals its
 * monitor sent for the next epochs (test/unit/data/osdmap-cluster/).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/crc32c.h"
#include "test/fuzz/crush_cost.h"
#include "cephosd/osdmap.h"
#include "net/byteorder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the wrapper's crc (@tail bytes after it up to the wrapper's end) */
static void fix_crc(uint8_t *b, size_t len, size_t tail)
{
	uint32_t wlen, crc;

	if (len < 10)
		return;
	wlen = get_le32(b + 2);
	if (wlen < 4 + tail || wlen > len - 6)
		return;
	crc = ceph_crc32c(0xffffffffu, b, 6 + wlen - 4 - tail);
	crc = ceph_crc32c(crc, b + 6 + wlen - tail, tail);
	put_le32(b + 6 + wlen - 4 - tail, crc);
}

static size_t fingerprint(const struct osdmap *m, uint8_t *out, size_t cap)
{
	size_t n = 0;

#define ADD(p, len)                                                                                                    \
	do {                                                                                                           \
		size_t l_ = (len);                                                                                     \
		if (n + l_ <= cap && l_) {                                                                             \
			memcpy(out + n, (p), l_);                                                                      \
			n += l_;                                                                                       \
		}                                                                                                      \
	} while (0)
	ADD(&m->epoch, 4);
	ADD(&m->flags, 4);
	ADD(&m->npools, 4);
	ADD(&m->max_osd, 4);
	ADD(&m->crush, sizeof(m->crush));
	ADD(m->osd_state, m->max_osd * 4u);
	ADD(m->osd_weight, m->max_osd * 4u);
	if (m->osd_primary_affinity)
		ADD(m->osd_primary_affinity, m->max_osd * 4u);
	ADD(&m->pg_temp.n, 4);
	ADD(&m->primary_temp.n, 4);
	ADD(&m->pg_upmap.n, 4);
	ADD(&m->pg_upmap_items.n, 4);
	for (uint32_t i = 0; i < m->npools; i++) {
		ADD(&m->pools[i].id, 8);
		ADD(&m->pools[i].pg_num, 4);
	}
#undef ADD
	return n;
}

static void check_sorted(const struct osd_pg_mappings *t)
{
	for (uint32_t i = 1; i < t->n; i++) {
		const struct osd_pg *a = &t->v[i - 1].pg, *b = &t->v[i].pg;

		if (a->pool > b->pool || (a->pool == b->pool && a->seed >= b->seed))
			abort();
	}
	for (uint32_t i = 0; i < t->n; i++)
		if (!t->v[i].n || !t->v[i].osds)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t before[1 << 16], after[1 << 16];
	struct osdmap *m = NULL;
	const char *why = NULL;
	uint8_t *b;
	uint32_t blen, epoch;
	size_t nb, na;
	int r;

	if (size < 4)
		return 0;
	blen = get_le32(data);
	if (blen > size - 4)
		return 0;
	b = malloc(size);
	if (!b)
		return 0;
	memcpy(b, data, size);
	fix_crc(b + 4, blen, 0);
	fix_crc(b + 4 + blen, size - 4 - blen, 4);
	if (osdmap_decode(b + 4, blen, &m, &why)) {
		free(b);
		return 0;
	}
	epoch = m->epoch;
	nb = fingerprint(m, before, sizeof(before));
	r = osdmap_apply_incremental(m, b + 4 + blen, size - 4 - blen, &why);
	if (r) {
		if ((r != -EBADMSG && r != -ENOMEM) || !why)
			abort();
		na = fingerprint(m, after, sizeof(after));
		if (na != nb || memcmp(before, after, nb))
			abort(); /* a refused incremental changed the map */
	} else {
		if (m->epoch != epoch + 1)
			abort();
		for (uint32_t i = 1; i < m->npools; i++)
			if (m->pools[i].id <= m->pools[i - 1].id || !m->pools[i].name)
				abort();
		check_sorted(&m->pg_temp);
		check_sorted(&m->primary_temp);
		check_sorted(&m->pg_upmap);
		check_sorted(&m->pg_upmap_items);
		if (crush_cheap_enough(m->crush))
			for (uint32_t i = 0; i < m->npools && i < 4; i++)
				for (uint32_t ps = 0; ps < m->pools[i].pg_num && ps < 8; ps++) {
					struct osd_set up, acting;
					struct osd_pg pg = {m->pools[i].id, ps};

					if (osdmap_pg_to_up_acting(m, pg, &up, &acting))
						abort();
					for (int k = 0; k < up.size; k++)
						if (up.osds[k] != CRUSH_ITEM_NONE && !osdmap_osd_up(m, up.osds[k]))
							abort();
				}
	}
	osdmap_free(m);
	free(b);
	return 0;
}
