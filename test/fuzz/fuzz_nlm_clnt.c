/*
 * Fuzz target: the NLM client's decoders (nlm/nlm_clnt.h): a lock server's
 * reply to each kind of call it makes (TEST, LOCK, UNLOCK, CANCEL, and
 * rpcbind's GETPORT), and a grant passed by the host's agent.
 *
 * Input: [what:1][bytes]: what % 6 picks the decoder (0: GETPORT, 1-4: the
 * NLM calls, 5: an agent grant); the rest is the datagram.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "nlm/nlm_clnt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char fh[NLM_CLNT_HANDLE_MAX], oh[NLM_CLNT_HANDLE_MAX];
	struct nlm_clnt_reply r;
	struct nlm_clnt_lock l;
	int what;

	if (size < 1)
		return 0;
	what = data[0] % 6;
	if (what == 5) {
		uint32_t from;
		if (!nlm_clnt_parse_grant(data + 1, size - 1, &l, fh, oh, &from)) {
			/* What it filled is within what it was given. */
			if (l.fh_len > NLM_CLNT_HANDLE_MAX || l.oh_len > NLM_CLNT_HANDLE_MAX)
				__builtin_trap();
		}
		return 0;
	}
	if (!nlm_clnt_parse_reply(data + 1, size - 1, what == 0 ? NLM_CLNT_GETPORT : what - 1, &r) &&
	    r.has_holder && what != 1)
		__builtin_trap(); /* only a TEST reply has a holder */
	return 0;
}
