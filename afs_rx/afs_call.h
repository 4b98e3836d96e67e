/*
 * afs_rx/afs_call.h: how the AFS layer's users make calls over the Rx
 * transport (afs_rx/rx/, which knows nothing of AFS): the one call context
 * every VL and FS stub takes, and an endpoint configured for AFS (its
 * services named for the transport's health events). How a stub runs its
 * call is internal (afs_stub.h).
 *
 * A cache manager fills one context per RPC it makes: which endpoint,
 * which server, until when, and the cancel token of the FUSE request it
 * serves (an interrupted read aborts its FetchData64 at once); the stub
 * reports the server's raw abort code back in it.
 */
#ifndef NETFUSE_AFS_CALL_H
#define NETFUSE_AFS_CALL_H

#include <stdint.h>
#include <sys/socket.h>

#include "afs_rx/rx/rx_transport.h"

struct evloop_cancel;

/* Service ids and ports (OpenAFS src/config/afs_args.h, rx service ids). */
#define AFS_FS_SERVICE 1
#define AFS_FS_PORT    7000
#define AFS_VL_SERVICE 52
#define AFS_VL_PORT    7003

struct afs_call_ctx {
	struct rx_endpoint *ep;
	struct sockaddr_storage addr; /* the server */
	socklen_t addrlen;
	uint64_t deadline_ns;	      /* CLOCK_MONOTONIC; EVLOOP_NEVER: the transport's max_call_lifetime */
	struct evloop_cancel *cancel; /* may be NULL */
	int32_t abort_code;	      /* out: the call's abort code (the server's, or ours), 0 if none */
	uint64_t rtt_us;	      /* out: the server's smoothed round trip, 0 if not yet measured */
};

/* A context for one call to @addr (IPv4 or IPv6). */
void afs_call_ctx_init(struct afs_call_ctx *cx, struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len,
		       uint64_t deadline_ns, struct evloop_cancel *cancel);

/* The AFS services by id, for rx_endpoint_config.service_names: health
 * events then say "fileserver", "vlserver", "volserver", "ptserver". */
extern const struct rx_service_name afs_service_names[];

/* rx_endpoint_config_default() plus the AFS service names. */
void afs_endpoint_config_default(struct rx_endpoint_config *c);

#endif
