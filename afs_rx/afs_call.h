/*
 * afs_rx/afs_call.h: how the AFS layer makes its calls over the Rx
 * transport (afs_rx/rx/, which knows nothing of AFS): the one call context
 * every VL and FS stub takes, the end of a call with the server's abort
 * code read as AFS means it (afs_errors.h), and the AFS services named for
 * the transport's health events.
 *
 * A cache manager fills one context per RPC it makes: which endpoint,
 * which server, until when, and the cancel token of the FUSE request it
 * serves (an interrupted read aborts its FetchData64 at once); the stub
 * reports the server's raw abort code back in it.
 */
#ifndef NETFUSE_AFS_CALL_H
#define NETFUSE_AFS_CALL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "afs_rx/rx/rx_transport.h"
#include "net/wire.h"

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
};

/* A context for one call to @addr (IPv4 or IPv6). */
void afs_call_ctx_init(struct afs_call_ctx *cx, struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len,
		       uint64_t deadline_ns, struct evloop_cancel *cancel);

/*
 * Begin a call to @service and send the request encoded in @req (freed
 * here, whatever happens): the whole request, or with @more its start
 * (the caller streams the rest, as StoreData64 does). NULL with *err: the
 * transport's error, or the encoder's: -ENAMETOOLONG for a name or path
 * over its XDR bound (the only fields of the AFS requests a caller can
 * make too long), before anything is sent. Sets cx->abort_code to 0.
 */
struct rx_call *afs_call_start(struct afs_call_ctx *cx, uint16_t service, struct wire_enc *req, bool more, int *err);

/*
 * End @call: 0 when it completed, else -errno with a server's abort code
 * mapped as AFS means it (VNOVOL, VL_NOENT, UAEEXIST ...) and the raw code
 * in cx->abort_code.
 */
int afs_call_end(struct afs_call_ctx *cx, struct rx_call *call);

/*
 * The whole call for an RPC whose request is all in @req (freed here) and
 * whose reply is read whole into @reply: @cap bytes, one word more than the
 * largest valid reply, so that a longer one shows as trailing bytes. *@n
 * gets the reply's length. 0 or -errno, the call's own failure first.
 */
int afs_call_simple(struct afs_call_ctx *cx, uint16_t service, struct wire_enc *req, uint8_t *reply, size_t cap,
		    size_t *n);

/* The AFS services by id, for rx_endpoint_config.service_names: health
 * events then say "fileserver", "vlserver", "volserver", "ptserver". */
extern const struct rx_service_name afs_service_names[];

/* rx_endpoint_config_default() plus the AFS service names. */
void afs_endpoint_config_default(struct rx_endpoint_config *c);

#endif
