/*
 * fuse/afs/readahead.h: reads of netfuse-afs files, fetched ahead in
 * chunks while a file is read in sequence.
 *
 * The kernel reads a FUSE file 128 KiB at a time, one request after the
 * other, and the OpenAFS fileserver sends a call at most 32 packets ahead
 * of its acknowledgements: one FetchData64 per kernel read leaves the link
 * idle most of the time. Once a file is read in sequence (from its start,
 * or where the last read ended), the chunks after the read (1 MiB each, up
 * to the readahead window) are fetched by a few worker threads at once,
 * each one FetchData64, and the kernel's next reads are copied from them.
 * A chunk serves only while the file's callback promise holds and its data
 * version is the chunk's, and goes once read past (the kernel's page cache
 * has it then); every other read is one FetchData64 of its own range.
 *
 * Only for fileservers whose round trip (Rx's smoothed RTT) is at least a
 * given time (3 ms by default): on a near one a 256 KiB call is mostly
 * transfer, the overlap gains little, and the worker threads' wake-ups cost
 * more CPU than they save (measured on loopback: twice the client's CPU
 * for the same wall time).
 *
 * Memory: at most the window per file being read, and a budget for all
 * (64 MiB), past which no more is fetched ahead.
 */
#ifndef NETFUSE_AFS_READAHEAD_H
#define NETFUSE_AFS_READAHEAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct afs_cm;
struct cm_volume;
struct cm_vnode;
struct evloop_cancel;
struct afs_ra;

#define AFS_RA_CHUNK	     (1u << 20)
#define AFS_RA_WORKERS	     3 /* with the reader's own call: an Rx connection's four channels */
#define AFS_RA_BUDGET	     (64u << 20)
#define AFS_RA_WINDOW_DEFAULT (4u << 20)
#define AFS_RA_MIN_RTT_DEFAULT 0.003 /* seconds */

/* Readahead for @cm with @window bytes ahead of a sequential reader (0:
 * none: every read is fetched on its own), from fileservers at least
 * @min_rtt_us away; NULL on ENOMEM. */
struct afs_ra *afs_ra_new(struct afs_cm *cm, size_t window, uint64_t min_rtt_us);
/* Stops the workers (their calls are cancelled) and frees every chunk. */
void afs_ra_free(struct afs_ra *ra);

/* Read @size bytes at @off of @vn into @buf: the bytes read (fewer at the
 * end of the file), or -errno. */
ssize_t afs_ra_read(struct afs_ra *ra, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn,
		    char *buf, size_t size, uint64_t off);

/* Forget what was fetched ahead of @vn (it was written, closed for the
 * last time, or forgotten). */
void afs_ra_drop(struct afs_ra *ra, struct cm_vnode *vn);

#endif
