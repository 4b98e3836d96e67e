/*
 * Fuzz target: cephosd/osdmap_keeper.c, a run of MOSDMap messages into one
 * keeper (and mon_msgs.c's MOSDMap decoder in front of it).
 *
 * Input: messages, each a u32 length and an MOSDMap front of that length.
 * The maps inside keep their crcs (fuzz_osdmap and fuzz_osdmap_inc reach
 * behind those); what mutations reach here is the keeper's sequencing: the
 * epochs, order, repeats and gaps of the maps in a message, fsids, and
 * blobs cut or swapped.
 * Invariants: the epoch held never goes back; "changed" is exactly a new
 * epoch; the map read afterwards is the one reported; epochs missing are
 * only asked for with a map in hand.
 * Seeds: messages built from a Ceph 16.2.15 cluster's maps
 * (test/unit/data/osdmap-cluster/): a full map then incrementals, with and
 * without a gap.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/mon/mon_msgs.h"
#include "cephosd/osdmap_keeper.h"
#include "net/byteorder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_map(void *arg, const struct osdmap *m, const struct osdmap_keeper_stats *st)
{
	uint32_t want = *(const uint32_t *)arg;

	(void)st;
	if ((m ? m->epoch : 0) != want)
		abort();
	for (uint32_t i = 1; m && i < m->npools; i++)
		if (m->pools[i].id <= m->pools[i - 1].id)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mosdmap mo;
	struct osdmap_keeper *k = osdmap_keeper_new(NULL);
	uint32_t held = 0;

	if (!k)
		return 0;
	while (size >= 4) {
		uint32_t len = get_le32(data);
		struct monc_osdmap_result r;

		if (len > size - 4)
			break;
		if (mosdmap_decode(data + 4, len, &mo) == 0) {
			osdmap_keeper_handle(k, &mo, &r);
			if (r.epoch < held || r.changed != (r.epoch != held) || r.epoch != osdmap_keeper_epoch(k))
				abort();
			if (r.want == MONC_OSDMAP_WANT_NEXT && !r.epoch)
				abort();
			held = r.epoch;
			osdmap_keeper_read(k, check_map, &held);
		}
		data += 4 + len;
		size -= 4 + len;
	}
	osdmap_keeper_free(k);
	return 0;
}
