/*
 * afs_rx/cb_xdr.h: the callback service's wire formats (cb_service.h):
 * its opcodes, its requests decoded, its reply bodies encoded. Internal to
 * the AFS layer; apart from the service so that the fuzz target needs no
 * transport.
 */
#ifndef NETFUSE_CB_XDR_H
#define NETFUSE_CB_XDR_H

#include <stddef.h>
#include <stdint.h>

#include "afs_rx/afs_xdr.h"
#include "afs_rx/cb_service.h"

#define AFSCB_CALLBACK		     204
#define AFSCB_INITCALLBACKSTATE	     205
#define AFSCB_PROBE		     206
#define AFSCB_WHOAREYOU		     212
#define AFSCB_INITCALLBACKSTATE3     213
#define AFSCB_PROBEUUID		     214
#define AFSCB_TELLMEABOUTYOURSELF    65538
#define AFS_MAX_INTERFACE_ADDR	     32
#define CLIENT_CAPABILITY_ERRORTRANS 0x0001

/* A decoded request. */
struct cb_request {
	uint32_t op;
	unsigned nfids, ncbs; /* CallBack */
	struct afs_fid fids[AFSCB_MAX];
	struct afs_callback cbs[AFSCB_MAX];
	struct afs_uuid uuid; /* InitCallBackState3, ProbeUuid */
};

/* The largest request: CallBack with 50 fids and 50 callbacks. */
#define CB_REQUEST_MAX (4 + 4 + AFSCB_MAX * 12 + 4 + AFSCB_MAX * 12)

/*
 * Decode a whole request, opcode first. 0; -EOPNOTSUPP for an opcode the
 * service does not serve (req->op is set); -EBADMSG when the arguments are
 * malformed, truncated, too many (more than 50 fids or callbacks) or
 * followed by extra bytes. @req is filled only on success.
 */
int cb_request_decode(const void *buf, size_t len, struct cb_request *req);

/* The reply bodies: interfaceAddr with no addresses (WhoAreYou), and
 * TellMeAboutYourself's (interfaceAddr, then one capability word). */
void cb_enc_interface_addr(struct wire_enc *e, const struct afs_uuid *uuid);
void cb_enc_tell_me_reply(struct wire_enc *e, const struct afs_uuid *uuid);

#endif
