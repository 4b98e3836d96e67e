/* Fuzz target: cephmon/mon/mon_msgs.c's decoders of monitor message payloads.
 * The first byte picks the decoder; the rest is its input. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/mon/mon_msgs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mosdmap mm;
	static struct fsmap_user fu;
	struct mon_statfs_reply sr;
	uint8_t fsid[CEPH_FSID_LEN];
	uint32_t u;
	uint64_t a, b, c;
	int32_t r;
	char rs[64];
	const uint8_t *p;

	if (!size)
		return 0;
	switch (data[0] % 8) {
	case 0: /* was the OSD map summary, now cephosd's (fuzz_osdmap) */
	case 1:
		if (mosdmap_decode(data + 1, size - 1, &mm) == 0) {
			if (mm.ninc > MOSDMAP_MAX_MAPS || mm.nfull > MOSDMAP_MAX_MAPS)
				abort();
			for (unsigned i = 0; i < mm.nfull; i++)
				if (mm.full[i].data < data || mm.full[i].data + mm.full[i].len > data + size)
					abort(); /* in place, inside the message */
			for (unsigned i = 0; i < mm.ninc; i++)
				if (mm.inc[i].data < data || mm.inc[i].data + mm.inc[i].len > data + size)
					abort();
		}
		break;
	case 2:
		if (fsmap_user_decode(data + 1, size - 1, &fu) == 0 && fu.nfs > FSMAP_MAX_FS)
			abort();
		break;
	case 3:
		(void)mon_statfs_reply_decode(data + 1, size - 1, &sr);
		break;
	case 4:
		(void)mon_get_version_reply_decode(data + 1, size - 1, &a, &b, &c);
		break;
	case 5:
		if (mon_command_ack_decode(data + 1, size - 1, &r, rs, sizeof(rs)) == 0 && strlen(rs) >= sizeof(rs))
			abort();
		break;
	case 6:
		(void)mon_subscribe_ack_decode(data + 1, size - 1, &u, fsid);
		break;
	default:
		if (mon_map_msg_decode(data + 1, size - 1, &p, &u) == 0 && p + u > data + size)
			abort();
		break;
	}
	return 0;
}
