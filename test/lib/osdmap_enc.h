/*
 * test/lib/osdmap_enc.h: encode a struct osdmap as a Pacific monitor writes a
 * full map (OSDMap::encode: wrapper v8, client section v9, pools v29, an
 * empty OSD-only section, the crc), for tests only. The options make the
 * forms a decoder must refuse.
 */
#ifndef NETFUSE_TEST_OSDMAP_ENC_H
#define NETFUSE_TEST_OSDMAP_ENC_H

#include "cephosd/osdmap.h"
#include "net/wire.h"

struct osdmap_enc_opts {
	uint8_t client_v;    /* 0: 9 */
	uint8_t pool_compat; /* 0: 5 */
	int32_t max_osd;     /* what the header says; 0: m->max_osd */
	bool bad_crc;
};

/* @crush: the CRUSH map's encoding, written as the map's blob. */
int osdmap_encode(const struct osdmap *m, const void *crush, size_t crush_len, const struct osdmap_enc_opts *o,
		  struct wire_enc *e);

#endif
