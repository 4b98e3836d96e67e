/*
 * cephmon/msgr/msgr2_cephx.h: cephx as msgr2 auth methods (struct
 * msgr2_auth_ops over cephmon/msgr/cephx.h), two of them:
 *
 *  - to a monitor (msgr2_cephx_provider): the AUTH_REQUEST payload, the
 *    challenge round, and the AUTH_DONE payload turned into the session
 *    key (AUTH_SIGNATURE) and the connection secret (secure mode). The
 *    provider's arg is the struct cephx_client, which keeps global_id and
 *    tickets across sessions for reclaim.
 *
 *  - to an OSD, an MDS or a manager (msgr2_cephx_authorizer_provider):
 *    the AUTH_REQUEST payload is an authorizer built from the service's
 *    ticket (as Linux's ceph_auth_get_authorizer frames it: method,
 *    preferred modes, then the authorizer as the payload); AUTH_REPLY_MORE
 *    carries the service's challenge (Nautilus and later), answered with
 *    the authorizer rebuilt around it (same nonce) in AUTH_REQUEST_MORE;
 *    AUTH_DONE's payload proves the service read our nonce (nonce + 1) and
 *    gives the connection secret, the ticket's session key signing
 *    AUTH_SIGNATURE. A refusal by a service that allows cephx drops that
 *    service's ticket (and the AUTH ticket, as the kernel does), so the
 *    next renewal fetches both afresh.
 *
 * Times: msgr2 passes nanoseconds, cephx takes seconds of the same clock.
 */
#ifndef NETFUSE_MSGR2_CEPHX_H
#define NETFUSE_MSGR2_CEPHX_H

#include "cephmon/msgr/cephx.h"
#include "cephmon/msgr/msgr2_session.h"

extern const struct msgr2_auth_ops msgr2_cephx_ops;

static inline struct msgr2_auth_provider msgr2_cephx_provider(struct cephx_client *c)
{
	return (struct msgr2_auth_provider){&msgr2_cephx_ops, c};
}

/* The state of one authorizer handshake: the identity it draws the
 * ticket from, and the authorizer as last sent. */
struct msgr2_cephx_authorizer {
	struct cephx_client *cx;
	uint32_t service; /* CEPH_ENTITY_TYPE_OSD, _MDS or _MGR */
	bool built;
	struct cephx_authorizer au;
};

extern const struct msgr2_auth_ops msgr2_cephx_authorizer_ops;

/* @a for a connection to @service with the tickets of @cx (which must
 * outlive the connection or its close). */
static inline struct msgr2_auth_provider msgr2_cephx_authorizer_provider(struct msgr2_cephx_authorizer *a,
									 struct cephx_client *cx, uint32_t service)
{
	*a = (struct msgr2_cephx_authorizer){.cx = cx, .service = service};
	return (struct msgr2_auth_provider){&msgr2_cephx_authorizer_ops, a};
}

/* Wipe the authorizer (it holds the ticket's session key). */
void msgr2_cephx_authorizer_destroy(struct msgr2_cephx_authorizer *a);

#endif
