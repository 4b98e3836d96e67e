/*
 * afs_rx/vl_client.c: VL RPC stubs (see vl_client.h), written by hand on
 * afs_xdr.h as rxgen would marshal them: the opcode as one XDR int, then
 * the IN arguments; the reply holds the OUT arguments and nothing more.
 */
#include "config.h"

#include "vl_client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int vl_get_entry_by_name_u(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len, const char *name,
			   struct afs_uvldbentry *out, uint64_t deadline_ns, int32_t *abort_code)
{
	uint8_t reply[AFS_UVLDBENTRY_WORDS * 4 + 4];
	struct wire_enc e;
	struct wire_dec d;
	struct rx_call *call;
	ssize_t n;
	int ret, err = 0;

	if (abort_code)
		*abort_code = 0;
	wire_enc_init(&e);
	wire_enc_be32(&e, VLGETENTRYBYNAMEU);
	xdr_enc_string(&e, name, AFS_VL_MAXNAMELEN - 1);
	if (wire_enc_error(&e)) {
		ret = wire_enc_error(&e);
		wire_enc_free(&e);
		return ret == -EINVAL ? -ENAMETOOLONG : ret;
	}
	call = rx_call_begin(ep, addr, len, AFS_VL_SERVICE, NULL, deadline_ns, &err);
	if (!call) {
		wire_enc_free(&e);
		return err;
	}
	ret = rx_call_send(call, e.buf, e.len, true);
	wire_enc_free(&e);
	n = ret ? 0 : rx_call_recv(call, reply, sizeof(reply));
	err = rx_call_end(call, abort_code);
	if (ret)
		return err ? err : ret;
	if (err)
		return err;
	if (n < 0)
		return (int)n;
	wire_dec_init(&d, reply, (size_t)n);
	if (afs_dec_uvldbentry(&d, out) || wire_dec_finish(&d))
		return -EBADMSG;
	return 0;
}

int vl_get_addrs_u(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len,
		   const struct afs_list_addr_by_attributes *attr, struct afs_vl_addrs *out, uint64_t deadline_ns,
		   int32_t *abort_code)
{
	/* uuid, uniquifier, nentries, bulkaddrs<500>, and one word more to
	 * see trailing bytes. */
	const size_t cap = 4 * (AFS_UUID_WORDS + 3 + AFS_VL_MAXADDRS + 1);
	struct afs_vl_addrs *r;
	struct wire_enc e;
	struct wire_dec d;
	struct rx_call *call;
	uint8_t *reply;
	ssize_t n;
	int ret, err = 0;

	if (abort_code)
		*abort_code = 0;
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
	ret = wire_enc_error(&e);
	call = ret ? NULL : rx_call_begin(ep, addr, len, AFS_VL_SERVICE, NULL, deadline_ns, &ret);
	if (!call) {
		wire_enc_free(&e);
		goto out;
	}
	ret = rx_call_send(call, e.buf, e.len, true);
	wire_enc_free(&e);
	n = ret ? 0 : rx_call_recv(call, reply, cap);
	err = rx_call_end(call, abort_code);
	if (err || ret) {
		ret = err ? err : ret;
		goto out;
	}
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	/* afs_dec_vl_addrs fills as it goes: decode into scratch, then copy. */
	wire_dec_init(&d, reply, (size_t)n);
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
