/*
 * nlm/rpc_msg.h: the ONC RPC message header (RFC 5531) on libtirpc's XDR
 * streams, for the calls netfuse-lockd answers and the ones it makes (NLM
 * callbacks, rpcbind GETPORT). Only AUTH_NONE is sent; any flavor is
 * accepted and its body skipped.
 */
#ifndef NETFUSE_NLM_RPC_MSG_H
#define NETFUSE_NLM_RPC_MSG_H

#include <rpc/rpc.h>
#include <stdbool.h>
#include <stdint.h>

#define RPC_MSG_AUTH_MAX 400 /* MAX_AUTH_BYTES */

/* The message types and statuses are libtirpc's (rpc/rpc_msg.h): CALL,
 * REPLY, MSG_ACCEPTED, MSG_DENIED, SUCCESS ... SYSTEM_ERR, RPC_MISMATCH. */

bool rpc_put_u32(XDR *x, uint32_t v);

/* A call's header with AUTH_NONE credentials and verifier. */
bool rpc_put_call_head(XDR *x, uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc);

/* An accepted reply's header, up to and including @accept_stat. */
bool rpc_put_reply_head(XDR *x, uint32_t xid, uint32_t accept_stat);

/* Skips an opaque_auth (flavor, body of at most RPC_MSG_AUTH_MAX bytes). */
bool rpc_skip_auth(XDR *x);

/*
 * Reads a reply's header: its xid and, for an accepted reply, the accept
 * status (a denied one reads as SYSTEM_ERR). false when the bytes
 * are no reply.
 */
bool rpc_get_reply_head(XDR *x, uint32_t *xid, uint32_t *accept_stat);

#endif
