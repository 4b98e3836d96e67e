/*
 * afs_rx/afs_stub.h: how the VL and FS stubs run a call (internal to the
 * AFS layer, and its tests): begin it with the call context, send the
 * encoded request, read the reply, and end it with a server's abort code
 * read as AFS means it (afs_errors.h).
 */
#ifndef NETFUSE_AFS_STUB_H
#define NETFUSE_AFS_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "afs_rx/afs_call.h"
#include "net/wire.h"

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

#endif
