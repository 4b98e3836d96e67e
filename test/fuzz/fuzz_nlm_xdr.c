/*
 * Fuzz target: the NLM (versions 4, and 1 and 3) and NSM XDR decoders
 * generated from the project's .x files, for every argument and result type
 * netfuse-lockd and the NLM client decode. The first byte picks the type;
 * the rest is the wire data.
 */
#include "config.h"

#include <rpc/rpc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nlm/nlm3_prot.h"
#include "nlm/nlm4_prot.h"
#include "nlm/sm_prot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DECODER(type) { (xdrproc_t)xdr_##type, sizeof(type) }

static const struct {
	xdrproc_t proc;
	size_t size;
} decoders[] = {
	DECODER(nlm4_testargs), DECODER(nlm4_lockargs),	 DECODER(nlm4_cancargs),
	DECODER(nlm4_unlockargs), DECODER(nlm4_shareargs), DECODER(nlm4_notify),
	DECODER(nlm4_sm_status), DECODER(nlm4_res),	 DECODER(nlm4_testres),
	DECODER(nlm4_shareres), DECODER(nlm_testargs), DECODER(nlm_lockargs),
	DECODER(nlm_cancargs), DECODER(nlm_unlockargs), DECODER(nlm_res),
	DECODER(nlm_testres), DECODER(nlm_shareres), DECODER(sm_name),
	DECODER(sm_mon), DECODER(sm_mon_id), DECODER(sm_my_id),
	DECODER(sm_stat), DECODER(sm_stat_res), DECODER(sm_stat_chge),
	DECODER(sm_status),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union {
		nlm4_testargs a;
		nlm4_lockargs b;
		nlm4_cancargs c;
		nlm4_unlockargs d;
		nlm4_shareargs e;
		nlm4_notify f;
		nlm4_sm_status g;
		nlm4_res h;
		nlm4_testres i;
		nlm4_shareres j;
		nlm_testargs k;
		nlm_lockargs l;
		nlm_cancargs m;
		nlm_unlockargs n;
		nlm_res o;
		nlm_testres p;
		nlm_shareres q;
		sm_name r;
		sm_mon s;
		sm_mon_id t;
		sm_my_id u;
		sm_stat v;
		sm_stat_res w;
		sm_stat_chge x;
		sm_status y;
	} out;
	XDR x;

	if (size < 1)
		return 0;
	unsigned which = data[0] % (sizeof(decoders) / sizeof(decoders[0]));
	/* xdrmem wants a writable pointer; the decoder never writes through it. */
	char *buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	memset(&out, 0, sizeof(out));
	xdrmem_create(&x, buf, (u_int)(size - 1), XDR_DECODE);
	(void)decoders[which].proc(&x, &out);
	xdr_destroy(&x);
	xdr_free(decoders[which].proc, (char *)&out);
	free(buf);
	return 0;
}
