/*
 * cephmon/msgr2_cephx.h: cephx as a msgr2 auth method (struct
 * msgr2_auth_ops over cephmon/cephx.h) for a monitor connection: the
 * AUTH_REQUEST payload, the challenge round, and the AUTH_DONE payload
 * turned into the session key (AUTH_SIGNATURE) and the connection secret
 * (secure mode). The provider's arg is the struct cephx_client, which
 * keeps global_id and tickets across sessions for reclaim.
 *
 * Times: msgr2 passes nanoseconds, cephx takes seconds of the same clock.
 */
#ifndef NETFUSE_MSGR2_CEPHX_H
#define NETFUSE_MSGR2_CEPHX_H

#include "cephmon/cephx.h"
#include "cephmon/msgr2_session.h"

extern const struct msgr2_auth_ops msgr2_cephx_ops;

static inline struct msgr2_auth_provider msgr2_cephx_provider(struct cephx_client *c)
{
	return (struct msgr2_auth_provider){&msgr2_cephx_ops, c};
}

#endif
