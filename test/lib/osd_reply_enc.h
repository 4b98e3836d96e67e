/*
 * test/lib/osd_reply_enc.h: an MOSDOpReply front as a Pacific OSD encodes
 * it (v8), for tests of the decoder and of the OSD client.
 */
#ifndef NETFUSE_TEST_OSD_REPLY_ENC_H
#define NETFUSE_TEST_OSD_REPLY_ENC_H

#include <stdbool.h>
#include <stdint.h>

#include "cephosd/osdmap.h"
#include "net/wire.h"

struct osd_reply_enc {
	const char *oid;
	struct osd_pg pgid;
	int32_t result;
	uint32_t epoch;
	uint32_t nops;
	const uint16_t *ops;	  /* each op's code */
	const uint32_t *out_lens; /* each op's output length */
	const int32_t *rvals;	  /* NULL: all 0 */
	int32_t attempts;
	uint64_t version;
	int64_t redirect_pool; /* -1: no redirect */
};

void osd_reply_encode(struct wire_enc *e, const struct osd_reply_enc *r);

#endif
