/* nlm/rpc_msg.c: the ONC RPC message header (see rpc_msg.h). */
#include "config.h"

#include "rpc_msg.h"

bool rpc_put_u32(XDR *x, uint32_t v)
{
	u_int u = v;

	return xdr_u_int(x, &u);
}

static bool put_auth_none(XDR *x)
{
	return rpc_put_u32(x, 0) && rpc_put_u32(x, 0);
}

bool rpc_put_call_head(XDR *x, uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc)
{
	return rpc_put_u32(x, xid) && rpc_put_u32(x, CALL) && rpc_put_u32(x, RPC_MSG_VERSION) && rpc_put_u32(x, prog) &&
	       rpc_put_u32(x, vers) && rpc_put_u32(x, proc) && put_auth_none(x) && put_auth_none(x);
}

bool rpc_put_reply_head(XDR *x, uint32_t xid, uint32_t accept_stat)
{
	return rpc_put_u32(x, xid) && rpc_put_u32(x, REPLY) && rpc_put_u32(x, MSG_ACCEPTED) && put_auth_none(x) &&
	       rpc_put_u32(x, accept_stat);
}

bool rpc_skip_auth(XDR *x)
{
	u_int flavor, len;
	char body[RPC_MSG_AUTH_MAX];

	if (!xdr_u_int(x, &flavor) || !xdr_u_int(x, &len) || len > RPC_MSG_AUTH_MAX)
		return false;
	return xdr_opaque(x, body, len);
}

bool rpc_get_reply_head(XDR *x, uint32_t *xid, uint32_t *accept_stat)
{
	u_int v, mtype, stat;

	if (!xdr_u_int(x, &v) || !xdr_u_int(x, &mtype) || mtype != REPLY || !xdr_u_int(x, &stat))
		return false;
	*xid = v;
	if (stat != MSG_ACCEPTED) {
		*accept_stat = SYSTEM_ERR;
		return true;
	}
	if (!rpc_skip_auth(x) || !xdr_u_int(x, &stat))
		return false;
	*accept_stat = stat;
	return true;
}
