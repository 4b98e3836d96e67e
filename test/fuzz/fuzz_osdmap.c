/*
 * Fuzz target: cephosd/osdmap_decode.c and placement on what it accepts
 * (cephosd/osdmap_place.c).
 *
 * Invariants: a rejected map comes back as NULL with -EBADMSG (or -ENOMEM)
 * and a reason; an accepted one has per-OSD arrays of max_osd entries and
 * pools sorted by id, and every PG of every pool (the first 64 of each) maps
 * to raw, up and acting sets no wider than CRUSH_MAX_RESULT whose members
 * are OSDs of the map or CRUSH_ITEM_NONE, up and acting OSDs all up, and
 * primaries that are -1 or one of the map's OSDs; an object maps to a PG of
 * its pool. The crc guards a map, so each input is decoded twice: as it
 * is (a wrong crc must be refused) and with the crc it needs written in,
 * so that mutations reach the fields behind it. Maps whose CRUSH
 * rules would take seconds per input (crush_cost.h) are not placed.
 * Seeds: osdmaptool maps edited by test/integration/osdmap_patch.py (OSDs
 * up and out, affinity, pg_temp, primary_temp, upmaps, an erasure pool).
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

static void check_set(const struct osdmap *m, const struct osd_set *s, int must_be_up)
{
	if (s->size < 0 || s->size > CRUSH_MAX_RESULT)
		abort();
	for (int i = 0; i < s->size; i++) {
		int32_t o = s->osds[i];

		if (o == CRUSH_ITEM_NONE)
			continue;
		if (must_be_up ? !osdmap_osd_up(m, o) : !osdmap_osd_exists(m, o))
			abort();
	}
}

static void one(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	uint32_t wlen, crc;

	one(data, size);
	if (size < 10)
		return 0;
	/* the wrapper: u8 v, u8 compat, u32 len; the crc is its last 4 bytes */
	wlen = get_le32(data + 2);
	if (wlen < 4 || wlen > size - 6)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	crc = ceph_crc32c(0xffffffffu, copy, 6 + wlen - 4);
	put_le32(copy + 6 + wlen - 4, crc);
	one(copy, size);
	free(copy);
	return 0;
}

static void one(const uint8_t *data, size_t size)
{
	struct osdmap *m = NULL;
	const char *why = NULL;
	int r = osdmap_decode(data, size, &m, &why);

	if (r) {
		if ((r != -EBADMSG && r != -ENOMEM) || m || !why)
			abort();
		return;
	}
	for (uint32_t i = 1; i < m->npools; i++)
		if (m->pools[i].id <= m->pools[i - 1].id)
			abort();
	if (crush_cheap_enough(m->crush)) {
		for (uint32_t i = 0; i < m->npools; i++) {
			const struct osd_pool *p = &m->pools[i];
			struct osd_pg raw, pg;

			for (uint32_t ps = 0; ps < p->pg_num && ps < 64; ps++) {
				struct osd_pg g = {.pool = p->id, .seed = ps};
				struct osd_set rs, up, acting;

				if (osdmap_pg_to_raw(m, g, &rs) || osdmap_pg_to_up_acting(m, g, &up, &acting))
					abort();
				check_set(m, &rs, 0);
				check_set(m, &up, 1);
				check_set(m, &acting, 1);
				if (up.primary != -1 && !osdmap_osd_up(m, up.primary))
					abort();
			}
			if (osdmap_object_to_pg(m, p->id, "ns", "rbd_data.1.0000000000000001", &raw))
				abort();
			pg = osd_pool_raw_pg_to_pg(p, raw);
			if (pg.pool != p->id || pg.seed >= p->pg_num)
				abort();
		}
	}
	osdmap_free(m);
}
