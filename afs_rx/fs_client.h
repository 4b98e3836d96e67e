/*
 * afs_rx/fs_client.h: the file server RPCs netfuse makes, over the Rx
 * transport. Opcodes and layouts from OpenAFS src/fsint/afsint.xg (package
 * RXAFS_, service id 1, port 7000); FetchData64's reply framing (a 64-bit
 * length, the raw bytes, then the OUT structures) from the fileserver's
 * FetchData_RXStyle (src/viced/afsfileprocs.c) and kAFS
 * afs_deliver_fs_fetch_data64.
 *
 * A fileserver calls the client back (CB.TellMeAboutYourself first) before
 * it runs the client's first call: serve the CB service on the same
 * endpoint (cb_service.h) or the first call waits minutes.
 */
#ifndef NETFUSE_FS_CLIENT_H
#define NETFUSE_FS_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "afs_xdr.h"
#include "rx_transport.h"

#define AFS_FS_SERVICE	   1
#define AFS_FS_PORT	   7000
#define AFS_FS_FETCHDATA   130
#define AFS_FS_FETCHSTATUS 132
#define AFS_FS_FETCHDATA64 65537

/* What FetchStatus and FetchData64 return besides the data. */
struct fs_status_reply {
	struct afs_fetch_status status;
	struct afs_callback callback;
	struct afs_volsync volsync;
};

/*
 * FS.FetchStatus (132). 0 or -errno; an abort's raw code goes to
 * *@abort_code (may be NULL). A status that fails
 * afs_fetch_status_check() is -EBADMSG.
 */
int fs_fetch_status(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len, const struct afs_fid *fid,
		    struct fs_status_reply *out, uint64_t deadline_ns, int32_t *abort_code);

/* Receives the file's bytes in order as they arrive; nonzero stops the
 * call (it is aborted) and is returned. */
typedef int (*fs_data_sink)(void *arg, const void *data, size_t len);

/*
 * FS.FetchData64 (65537): @length bytes from @pos (the server sends fewer
 * at the end of the file), handed to @sink; *@got says how many the
 * server sent. 0 or -errno as for fs_fetch_status.
 */
int fs_fetch_data64(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len, const struct afs_fid *fid,
		    uint64_t pos, uint64_t length, fs_data_sink sink, void *arg, uint64_t *got,
		    struct fs_status_reply *out, uint64_t deadline_ns, int32_t *abort_code);

#endif
