/*
 * fuse/locks.h: POSIX and flock locks that hold across hosts, for every
 * front-end: with -o lockd=HOST[:PORT] the core turns the kernel's GETLK,
 * SETLK, SETLKW and flock requests into NLM TEST, LOCK, UNLOCK and CANCEL
 * to that lock server (nlm/nlm_clnt.h), as Linux's NFS client does through
 * lockd. Without it, locks stay the kernel's own, local to this host.
 *
 *  - The object: the front-end's lock handle (nf_backend_ops.lock_handle),
 *    the same for the same file on every host (AFS: cell, volume, vnode,
 *    uniquifier; testfs: its key). The core's synthetic files (.health,
 *    views) get a handle naming this mount, so their locks are this mount's.
 *  - The owner: each FUSE lock owner (a process's open files, or an open
 *    file for flock) gets a 32-bit svid of its own while it holds or waits
 *    for a lock, and the owner handle is this mount's random id and the
 *    FUSE owner, so owners of two mounts on one host never meet.
 *  - flock is a whole-file lock of the open file's owner, as the Linux NFS
 *    client makes it (so flock and fcntl locks of one file conflict).
 *  - F_SETLKW (and a blocking flock) does not hold a FUSE worker: the
 *    request is answered from the lock call's completion. An interrupt
 *    (a signal to the waiting process) ends the wait with EINTR and sends
 *    CANCEL. A LOCK that ends unanswered (interrupted, or the server silent
 *    past lock_timeout: ENOLCK) is followed by an UNLOCK of its range when
 *    the owner held none of it, which gives back a grant the mount never
 *    saw (a grant racing the cancel, a datagram the server took late).
 *  - The mount keeps a record of what its owners hold (the lock core,
 *    nlm/lock_core.h): a close unlocks at the server only what an owner
 *    holds there, .locks shows it, and it is what is reclaimed.
 *  - Reclaim: when the server restarts (it lost every lock), the mount
 *    learns it from statd, through the host's netfuse-lockd (the agent has
 *    statd watch each mount's server; a restarted netfuse-lockd tells its
 *    client hosts' statd), or from a grace answer to a call that is no
 *    reclaim. Each lock the record shows is then sent again as a reclaim
 *    LOCK, which a server takes only in its grace period. A lock the
 *    server does not take back is lost: it leaves the record, .health says
 *    lock_lost (the range and the inode), and read, write and fsync through
 *    the open file it was taken through fail with EIO until that file is
 *    closed, as Linux's NFS client does by default, so that a process never
 *    goes on writing as if it still held it. New locks wait (the server
 *    answers them "in grace") until the grace period ends.
 */
#ifndef NETFUSE_FUSE_LOCKS_H
#define NETFUSE_FUSE_LOCKS_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>

#include "fuse/backend.h"

struct nf_locks;

/* After the front-end started: connect to the lock server when -o lockd
 * is given (m->locks stays NULL otherwise). 0, or -errno with one line. */
int locks_start(struct nf_mount *m, char *err, size_t errlen);
/* After the session: waits still running end with ESHUTDOWN. */
void locks_stop(struct nf_mount *m);

/* .locks at the root of a mount with -o lockd: the lock server session
 * and its figures, then each lock the record shows, one line each:
 *   lock FH_HEX svid=N owner=HEX start-end read|write
 */
extern const struct nf_view locks_view;

/* The lock handle of @key (@synthetic: a core file, @ino). */
struct lock_obj {
	uint32_t len;
	unsigned char fh[NF_LOCK_HANDLE_MAX];
};
int locks_obj(struct nf_mount *m, const struct nf_backend_ops *ops, void *fs, const struct nf_key *key, bool synthetic,
	      struct lock_obj *o);

/* The open file a lock is taken through: the FUSE inode and the core's
 * handle of that open (unique while it is open). */
struct lock_file {
	uint64_t ino, fh;
};

/* F_GETLK: @lock becomes the conflicting lock, or F_UNLCK. 0 or -errno. */
int locks_getlk(struct nf_mount *m, const struct nf_ctx *c, const struct lock_obj *o, uint64_t owner,
		struct flock *lock);
/* F_SETLK (and F_UNLCK) through the open file @f (NULL: not known): 0 or
 * -errno (EAGAIN when another owner holds it). */
int locks_setlk(struct nf_mount *m, const struct nf_ctx *c, const struct lock_obj *o, uint64_t owner,
		const struct lock_file *f, const struct flock *lock);
/* F_SETLKW: answers @req itself, now or when the lock is granted. */
void locks_setlkw(struct nf_mount *m, fuse_req_t req, const struct lock_obj *o, uint64_t owner,
		  const struct lock_file *f, const struct flock *lock);
/* A close: everything @owner holds on the object goes (nothing is sent
 * when the record says it holds nothing there). 0 or -errno. */
int locks_release_owner(struct nf_mount *m, const struct nf_ctx *c, const struct lock_obj *o, uint64_t owner);

/* Whether a lock taken through the open file (@ino, @fh) was lost (the
 * server restarted and did not take it back): its I/O then fails with EIO
 * until it is released. Cheap when no lock was ever lost. */
bool locks_file_lost(struct nf_mount *m, uint64_t ino, uint64_t fh);
/* The open file was released: it is forgotten. */
void locks_file_closed(struct nf_mount *m, uint64_t ino, uint64_t fh);

#endif
