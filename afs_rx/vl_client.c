/*
 * afs_rx/vl_client.c: VL RPC stubs (see vl_client.h), written by hand on
 * afs_xdr.h as rxgen would marshal them: the opcode as one XDR int, then
 * the IN arguments; the reply holds the OUT arguments and nothing more.
 */
#include "config.h"

#include "afs_rx/vl_client.h"

#include "afs_rx/afs_stub.h"
#include "afs_rx/afs_xdr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int vl_get_entry_by_name_u(struct afs_call_ctx *cx, const char *name, struct afs_uvldbentry *out)
{
	uint8_t reply[AFS_UVLDBENTRY_WORDS * 4 + 4];
	struct wire_enc e;
	struct wire_dec d;
	size_t n;
	int ret;

	wire_enc_init(&e);
	wire_enc_be32(&e, VLGETENTRYBYNAMEU);
	xdr_enc_string(&e, name, AFS_VL_MAXNAMELEN - 1);
	ret = afs_call_simple(cx, AFS_VL_SERVICE, &e, reply, sizeof(reply), &n);
	if (ret)
		return ret;
	wire_dec_init(&d, reply, n);
	if (afs_dec_uvldbentry(&d, out) || wire_dec_finish(&d))
		return -EBADMSG;
	return 0;
}

int vl_get_addrs_u(struct afs_call_ctx *cx, const struct afs_list_addr_by_attributes *attr, struct afs_vl_addrs *out)
{
	/* uuid, uniquifier, nentries, bulkaddrs<500>, and one word more to
	 * see trailing bytes. */
	const size_t cap = 4 * (AFS_UUID_WORDS + 3 + AFS_VL_MAXADDRS + 1);
	struct afs_vl_addrs *r;
	struct wire_enc e;
	struct wire_dec d;
	uint8_t *reply;
	size_t n;
	int ret;

	cx->abort_code = 0;
	reply = malloc(cap);
	r = malloc(sizeof(*r));
	if (!reply || !r) {
		free(reply);
		free(r);
		return -ENOMEM;
	}
	wire_enc_init(&e);
	wire_enc_be32(&e, VLGETADDRSU);
	afs_enc_list_addr_by_attributes(&e, attr);
	ret = afs_call_simple(cx, AFS_VL_SERVICE, &e, reply, cap, &n);
	if (ret)
		goto out;
	/* afs_dec_vl_addrs fills as it goes: decode into scratch, then copy. */
	wire_dec_init(&d, reply, n);
	if (afs_dec_vl_addrs(&d, r) || wire_dec_finish(&d)) {
		ret = -EBADMSG;
		goto out;
	}
	out->uuid = r->uuid;
	out->uniquifier = r->uniquifier;
	out->nentries = r->nentries;
	out->naddrs = r->naddrs;
	memcpy(out->addrs, r->addrs, r->naddrs * sizeof(r->addrs[0]));
	ret = 0;
out:
	free(reply);
	free(r);
	return ret;
}
