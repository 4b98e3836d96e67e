/*
 * nlm/lock_core.h: POSIX byte-range locks and NLM share reservations, with
 * no file system and no wire code underneath. netfuse-lockd keeps its state
 * here (as Linux lockd keeps it in fs/locks.c); tests drive it directly.
 *
 * What is locked is an object named by an opaque file handle (an NLM
 * netobj). Who locks is an owner: the caller's number for the client host,
 * the client's svid and its owner handle; two locks have one owner when all
 * three are equal. A range is given as NLM4 gives it (offset, length; length
 * 0 reaches the end of the file) and reported inclusive, [start, end], with
 * end UINT64_MAX for "to the end of the file".
 *
 * POSIX semantics: an owner's locks never conflict with each other; a new
 * lock replaces what its owner held in its range (an upgrade or downgrade,
 * splitting a longer lock) and merges with the owner's overlapping or
 * adjacent locks of the same type. Shared locks of different owners
 * coexist; an exclusive one conflicts with any other owner's lock it
 * overlaps.
 *
 * A blocking lock that conflicts is queued as a waiter with the caller's
 * cookie. After every change that may free a range (unlock, a lock that
 * downgrades, a release) the object's waiters are tried oldest first, and
 * each one that no longer conflicts with a held lock is granted through
 * the core's granted callback. Every cookie handed in with a queued waiter
 * comes back exactly once: through granted, or through dropped when the
 * waiter is cancelled or released, or the core freed.
 *
 * The core is single-threaded: the caller serializes every call (lockd
 * runs it on its loop thread). The callbacks run inside a call and must not
 * call into the core. Descriptors the core hands out (struct nlm_lock_desc,
 * struct nlm_share_desc) point into its memory and are valid until the next
 * call that changes it.
 */
#ifndef NETFUSE_NLM_LOCK_CORE_H
#define NETFUSE_NLM_LOCK_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NLM's netobj limit (MAXNETOBJ_SZ): file and owner handles are no longer. */
#define NLM_NETOBJ_MAX 1024

/*
 * A deadlock is looked for along at most this many waits beyond the
 * requester's own (as Linux's MAX_DEADLK_ITERATIONS): cycles of up to 11
 * owners are found; a longer one is queued like any wait and lasts until a
 * client cancels or a host is released.
 */
#define NLM_DEADLOCK_MAX_STEPS 10

/* Share reservation bits (NLM fsh_access and fsh_mode): what an owner does
 * with the object, and what it refuses to others. */
#define NLM_SHARE_READ	1u
#define NLM_SHARE_WRITE 2u

struct nlm_netobj {
	const void *data;
	uint32_t len; /* at most NLM_NETOBJ_MAX */
};

struct nlm_owner {
	uint32_t host; /* the caller's number for the client host */
	int32_t svid;
	struct nlm_netobj oh;
};

enum nlm_lock_type {
	NLM_LOCK_SHARED = 1,	/* a read lock */
	NLM_LOCK_EXCLUSIVE = 2, /* a write lock */
};

/* A request, in NLM4's terms. */
struct nlm_lock_args {
	struct nlm_netobj fh;
	struct nlm_owner owner;
	enum nlm_lock_type type; /* ignored by nlm_core_unlock */
	uint64_t offset, len;	 /* len 0: to the end of the file */
};

/* A held or waiting lock. */
struct nlm_lock_desc {
	struct nlm_netobj fh;
	struct nlm_owner owner;
	enum nlm_lock_type type;
	uint64_t start, end; /* inclusive; end UINT64_MAX: to the end of the file */
};

struct nlm_share_desc {
	struct nlm_netobj fh;
	struct nlm_owner owner;
	unsigned access, deny; /* NLM_SHARE_* bits */
};

struct nlm_core;

/*
 * @granted gets each waiter granted after its lock is held: the lock as it
 * was asked for, and the cookie given with it. @dropped (may be NULL) gets
 * the cookie of each waiter removed without a grant. NULL when no memory is
 * left.
 */
struct nlm_core *nlm_core_new(void (*granted)(void *arg, const struct nlm_lock_desc *granted_lock, void *waiter_cookie),
			      void (*dropped)(void *arg, void *waiter_cookie), void *arg);
/* Frees everything; each waiter's cookie goes to @dropped. */
void nlm_core_free(struct nlm_core *c);

/*
 * NLM4's (offset, len) as an inclusive range, and back. A range that runs
 * past UINT64_MAX (len > 0 and offset + len - 1 wraps) is refused with
 * -EOVERFLOW rather than clamped: the client asked for bytes no file has,
 * and the server answers NLM4_FBIG, as Linux lockd does for ranges past its
 * maximum (fcntl's EOVERFLOW is the same refusal). -EINVAL stays for
 * malformed arguments. A range ending at UINT64_MAX goes back as len 0.
 */
int nlm_range_from_nlm4(uint64_t offset, uint64_t len, uint64_t *start, uint64_t *end);
void nlm_range_to_nlm4(uint64_t start, uint64_t end, uint64_t *offset, uint64_t *len);

/*
 * Errors common to the calls taking a struct nlm_lock_args: -EINVAL for a
 * handle longer than NLM_NETOBJ_MAX or an unknown type, -EOVERFLOW for a
 * range past UINT64_MAX (nlm_range_from_nlm4).
 */

/*
 * NLM TEST: 0 when @a could be granted now; -EAGAIN when it conflicts, with
 * the conflicting lock of lowest start in @holder (if not NULL) for the
 * reply's holder. The owner's own locks never conflict. Waiters are not
 * locks and are not reported.
 */
int nlm_core_test(struct nlm_core *c, const struct nlm_lock_args *a, struct nlm_lock_desc *holder);

/*
 * NLM LOCK: 0 when granted (replacing and merging the owner's own locks in
 * the range, then trying the object's waiters, since a downgrade frees
 * bytes). On a conflict: -EAGAIN when !@block; with @block, -EDEADLK when
 * the holder is (through the chain of its own oldest wait, and so on, up to
 * NLM_DEADLOCK_MAX_STEPS) waiting for this owner, else the request is queued
 * with @cookie and the result is -EINPROGRESS (NLM4_BLOCKED). -EALREADY: the
 * same owner already waits for this very lock (a retransmitted request);
 * nothing was queued and @cookie is still the caller's. -ENOMEM leaves
 * everything as it was.
 */
int nlm_core_lock(struct nlm_core *c, const struct nlm_lock_args *a, bool block, void *cookie);

/*
 * NLM UNLOCK: the owner no longer holds any byte of the range (its locks
 * there are cut, split when the range is inside one). Unlocking what is not
 * held succeeds. Then the object's waiters are tried. -ENOMEM (a split
 * needs a lock) leaves everything as it was.
 */
int nlm_core_unlock(struct nlm_core *c, const struct nlm_lock_args *a);

/*
 * NLM CANCEL: removes the owner's waiter for exactly this type and range
 * (its cookie goes to dropped). -ENOENT when there is none (granted
 * meanwhile, or never queued).
 */
int nlm_core_cancel(struct nlm_core *c, const struct nlm_lock_args *a);

/*
 * Everything @owner has on the object @fh: its locks, its waiters (cookies
 * to dropped) and its share. Then the object's waiters are tried. 0, or
 * -EINVAL for an oversized handle.
 */
int nlm_core_release_owner(struct nlm_core *c, const struct nlm_netobj *fh, const struct nlm_owner *owner);

/*
 * Everything of every owner on @host, on every object (SM_NOTIFY: the
 * client rebooted; FREE_ALL). Every object that lost something has its
 * waiters tried.
 */
void nlm_core_release_host(struct nlm_core *c, uint32_t host);

/*
 * NLM SHARE: @owner opens @fh for @access and refuses @deny to others (DOS
 * share modes). -EAGAIN when another owner's share refuses what @access
 * asks, or has access that @deny refuses; a share of the same owner is
 * replaced with the new modes. Shares and byte-range locks do not affect
 * each other. NLM's SHARE carries no svid: the server passes 0, so that
 * an owner here is the host and the owner handle. -EINVAL for bits beyond
 * NLM_SHARE_READ | NLM_SHARE_WRITE or an oversized handle; -ENOMEM.
 */
int nlm_core_share(struct nlm_core *c, const struct nlm_netobj *fh, const struct nlm_owner *owner, unsigned access,
		   unsigned deny);
/* NLM UNSHARE: removes the owner's share; 0 also when it had none. */
int nlm_core_unshare(struct nlm_core *c, const struct nlm_netobj *fh, const struct nlm_owner *owner);

/*
 * Listings, for the .locks view and tests: @visit is called for each held
 * lock (by start within an object), each waiter (oldest first within an
 * object) or each share of the object @fh, or of every object when @fh is
 * NULL; a nonzero return stops the walk and is returned. @visit must not
 * change the core.
 */
int nlm_core_for_each_lock(struct nlm_core *c, const struct nlm_netobj *fh,
			   int (*visit)(void *arg, const struct nlm_lock_desc *lock), void *arg);
int nlm_core_for_each_waiter(struct nlm_core *c, const struct nlm_netobj *fh,
			     int (*visit)(void *arg, const struct nlm_lock_desc *waiter), void *arg);
int nlm_core_for_each_share(struct nlm_core *c, const struct nlm_netobj *fh,
			    int (*visit)(void *arg, const struct nlm_share_desc *share), void *arg);

/* Objects with any lock, waiter or share (one with none is freed). */
size_t nlm_core_objects(const struct nlm_core *c);

/*
 * For tests: the next @n allocations of the core succeed and every one after
 * fails (0: from the next one on); -1 ends that.
 */
void nlm_core_fail_allocs_after(struct nlm_core *c, long n);

#endif
