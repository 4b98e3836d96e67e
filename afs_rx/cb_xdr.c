/*
 * afs_rx/cb_xdr.c: the callback service's wire formats (see cb_xdr.h):
 * its requests decoded and encoded, its reply bodies encoded. Pure
 * functions on xdr.h, apart from the service so that the fuzz target
 * needs no transport. Layouts from OpenAFS src/fsint/afscbint.xg and
 * common.xg as rxgen marshals them.
 */
#include "config.h"

#include "afs_rx/cb_xdr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cb_enc_interface_addr(struct wire_enc *e, const struct afs_uuid *uuid)
{
	wire_enc_be32(e, 0); /* numberOfInterfaces */
	afs_enc_uuid(e, uuid);
	for (int i = 0; i < 3 * AFS_MAX_INTERFACE_ADDR; i++)
		wire_enc_be32(e, 0); /* addr_in[32], subnetmask[32], mtu[32]: fixed arrays */
}

void cb_enc_tell_me_reply(struct wire_enc *e, const struct afs_uuid *uuid)
{
	cb_enc_interface_addr(e, uuid);
	wire_enc_be32(e, 1); /* Capabilities<196>: one word */
	wire_enc_be32(e, CLIENT_CAPABILITY_ERRORTRANS);
}

int cb_request_decode(const void *buf, size_t len, struct cb_request *req)
{
	struct cb_request *r = calloc(1, sizeof(*r));
	struct wire_dec d;
	uint32_t n;
	int ret = 0;

	if (!r)
		return -ENOMEM;
	wire_dec_init(&d, buf, len);
	if (wire_dec_be32(&d, &r->op)) {
		ret = -EBADMSG;
		goto out;
	}
	switch (r->op) {
	case AFSCB_CALLBACK:
		if (xdr_dec_count(&d, AFSCB_MAX, 12, &n))
			break;
		r->nfids = n;
		for (uint32_t i = 0; i < n; i++)
			afs_dec_fid(&d, &r->fids[i]);
		if (xdr_dec_count(&d, AFSCB_MAX, 12, &n))
			break;
		r->ncbs = n;
		for (uint32_t i = 0; i < n; i++)
			afs_dec_callback(&d, &r->cbs[i]);
		break;
	case AFSCB_INITCALLBACKSTATE3:
	case AFSCB_PROBEUUID:
		afs_dec_uuid(&d, &r->uuid);
		break;
	case AFSCB_INITCALLBACKSTATE:
	case AFSCB_PROBE:
	case AFSCB_WHOAREYOU:
	case AFSCB_TELLMEABOUTYOURSELF:
		break;
	default:
		req->op = r->op;
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (wire_dec_finish(&d)) {
		ret = -EBADMSG;
		goto out;
	}
	*req = *r;
out:
	free(r);
	return ret;
}
