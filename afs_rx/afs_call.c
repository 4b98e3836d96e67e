/* afs_rx/afs_call.c: the AFS layer's calls over the Rx transport (afs_call.h, afs_stub.h). */
#include "config.h"

#include "afs_rx/afs_stub.h"

#include <errno.h>
#include <string.h>

#include "afs_rx/afs_errors.h"

const struct rx_service_name afs_service_names[] = {
    {AFS_FS_SERVICE, "fileserver"}, {4, "volserver"}, {AFS_VL_SERVICE, "vlserver"}, {73, "ptserver"}, {0, NULL},
};

void afs_endpoint_config_default(struct rx_endpoint_config *c)
{
	rx_endpoint_config_default(c);
	c->service_names = afs_service_names;
}

void afs_call_ctx_init(struct afs_call_ctx *cx, struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len,
		       uint64_t deadline_ns, struct evloop_cancel *cancel)
{
	memset(cx, 0, sizeof(*cx));
	cx->ep = ep;
	if (len <= sizeof(cx->addr)) {
		memcpy(&cx->addr, addr, len);
		cx->addrlen = len;
	}
	cx->deadline_ns = deadline_ns;
	cx->cancel = cancel;
}

struct rx_call *afs_call_start(struct afs_call_ctx *cx, uint16_t service, struct wire_enc *req, bool more, int *err)
{
	struct rx_call *call = NULL;

	cx->abort_code = 0;
	*err = wire_enc_error(req);
	if (*err == -EINVAL)
		*err = -ENAMETOOLONG;
	if (!*err && !cx->addrlen)
		*err = -EINVAL;
	if (!*err)
		call = rx_call_begin(cx->ep, (const struct sockaddr *)&cx->addr, cx->addrlen, service, NULL,
				     cx->deadline_ns, cx->cancel, err);
	if (call) {
		*err = rx_call_send(call, req->buf, req->len, !more);
		if (*err) {
			int e = afs_call_end(cx, call);

			*err = e ? e : *err;
			call = NULL;
		}
	}
	wire_enc_free(req);
	return call;
}

int afs_call_simple(struct afs_call_ctx *cx, uint16_t service, struct wire_enc *req, uint8_t *reply, size_t cap,
		    size_t *n)
{
	struct rx_call *call;
	ssize_t got;
	int err;

	call = afs_call_start(cx, service, req, false, &err);
	if (!call)
		return err;
	got = rx_call_recv(call, reply, cap);
	err = afs_call_end(cx, call);
	if (err)
		return err;
	if (got < 0)
		return (int)got;
	*n = (size_t)got;
	return 0;
}

int afs_call_end(struct afs_call_ctx *cx, struct rx_call *call)
{
	cx->rtt_us = rx_call_rtt_us(call);
	int err = rx_call_end(call, &cx->abort_code);

	/* The transport reads only Rx's own codes; a service's own abort
	 * (-EREMOTEIO) is ours to read. */
	if (err == -EREMOTEIO && cx->abort_code)
		err = afs_abort_to_errno(cx->abort_code);
	return err;
}
