/*
 * cephmds/mds_client.h: the MDS client's state machine (mdsc), the
 * userspace counterpart of the kernel's fs/ceph/mds_client.c: one session
 * per MDS rank, metadata requests by tid, their replies, forwards and
 * resends, as the kernel's __do_request and handle_reply.
 *
 * Like osdc, mdsc decides and does no I/O: its owner (mdsc_loop.h, or a
 * unit test) tells it what happened -- a new MDS map, a connection to an
 * MDS came up or went down, a message arrived, time passed -- and mdsc acts
 * through the mdsc_io callbacks. Every entry point takes CLOCK_MONOTONIC
 * milliseconds and runs with the owner's lock held.
 *
 * Sessions: a request goes to the rank it names, else to rank 0 when it is
 * active (the kernel's choice for a request without an inode's caps, with
 * one active MDS); it waits for an MDS map that shows the rank active, for
 * the connection, then for the session: REQUEST_OPEN with the features
 * netfuse handles (mds_msgs.h), OPEN from the MDS. An MDS that does not
 * report REPLY_ENCODING (older than Mimic) is refused: its replies would not
 * decode. Renewals as the kernel's: REQUEST_RENEWCAPS every
 * session_timeout / 4 seconds with a new seq, and only the RENEWCAPS that
 * echoes it extends the caps' lifetime; STALE renews at once; FLUSHMSG is
 * acknowledged with its seq; REJECT fails the session's requests (with the
 * MDS's reason in .health) and is not retried; FORCE_RO fails writes with
 * -EROFS. A session is closed with REQUEST_CLOSE carrying the count of
 * messages it received that the MDS counts (caps, leases, snaps, quotas),
 * sent again while that count moves, as the MDS needs it to match.
 *
 * Requests: a reply finishes its request; an unsafe reply (the MDS
 * journaled nothing yet) finishes it for the caller too, and the request
 * stays known until the safe reply comes (mdsc_unsafe counts them; a sync
 * waits for them in a later step). A forward sends it again, with the
 * forward count the MDS gave, to the rank it names; a count that does not
 * grow is -EMULTIHOP, as the kernel's. A deadline (timeout_ms) fails a
 * request with -ETIMEDOUT; osdc_cancel's shape gives up on one.
 *
 * Caps: every cap a reply grants (parent, target, readdir entries) is
 * kept in the capability cache (mds_caps.c, which says how revokes,
 * releases and open files work), with the inode's attributes; the owner
 * reads them with mdsc_inode while the caps that cover them are issued,
 * takes Fr around reads (mdsc_caps_get/put) and drops the kernel's caches
 * when io.invalidate says so. A lease revoke is acknowledged at once (no
 * dentry is cached under a lease).
 *
 * MDS restarts and failovers, as the kernel's check_new_map and
 * send_mds_reconnect: when an open session's connection drops, or the map
 * shows its rank failed or held by another daemon, the session waits
 * (restarting) with its caps and requests. Once the map shows the rank in
 * RECONNECT, a new connection to the rank's daemon carries the unsafe
 * requests again (flagged REPLAY, with the inode each made), the
 * unanswered ones (as retries: the MDS answers a completed one from its
 * session's record, with the trace of what it made, before it goes
 * active), then MClientReconnect with every cap held; the MDS's OPEN
 * takes them over (sequence numbers from 0, unacknowledged flushes sent
 * again). Requests made meanwhile wait for the rank to be active. A CLOSE instead (the MDS was
 * past RECONNECT, or the session was evicted) loses the caps: requests
 * whose fate is unknown fail with -EIO and the rest go on a new session.
 * While the map still shows the same daemon active (a killed MDS keeps
 * its rank until a standby or its restart takes over: the monitors only
 * mark it laggy), its address is tried every MDSC_TICK_MS from
 * MDSC_RESTART_GRACE_MS on: a refused connection is a daemon still down;
 * one that comes up means the connection alone failed, and the session
 * is given up as a CLOSE would (msgr2's session reconnect, which would
 * keep it, is not implemented). .health tells each step.
 */
#ifndef NETFUSE_MDS_CLIENT_H
#define NETFUSE_MDS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmds/mds_msgs.h"
#include "cephmon/mon/monc_types.h"
#include "cephmon/msgr/msgr2_session.h"
#include "evloop/evloop_tid.h"
#include "health/health.h"

#define MDSC_TICK_MS	      5000 /* the kernel's delayed_work period at most */
#define MDSC_CAPS_HOLD_MS     5000 /* a last close told this late (the kernel's caps_wanted_delay_min) */
#define MDSC_MAX_RANKS	      16
#define MDSC_ANY_RANK	      (-1)
#define MDSC_RELEASES_PER_MSG 256
#define MDSC_DEFAULT_MAX_CAPS 65536 /* kept at most; the least recently used go back */
#define MDSC_MAX_NAMES	      (1u << 18) /* directories' names kept at most (mds_names.h) */
#define MDSC_INVAL_WAIT_MS    1000  /* a revoke of Fc waits this long for the kernel's pages */
#define MDSC_RESTART_GRACE_MS 30000 /* > an MDS's time to exit on SIGTERM */
#define MDSC_RECONNECT_RETRY_MS 1000 /* a failed reconnect (refused, auth) is tried again after */

/* What io.invalidate asks the owner to drop from the kernel's caches. */
#define MDSC_INVAL_ATTRS 1u
#define MDSC_INVAL_PAGES 2u

struct mdsc;

struct mdsc_io {
	void *arg;
	/* Open a connection to MDS @rank at @addr (a msgr2 address); report
	 * with mdsc_con_up / mdsc_con_down, never from inside this call. 0,
	 * or -errno when it cannot even start. */
	int (*open)(void *arg, uint64_t con, int32_t rank, const struct ceph_entity_addr *addr);
	void (*close)(void *arg, uint64_t con);
	/* Queue a message on @con (copied). */
	int (*send)(void *arg, uint64_t con, const struct msgr2_out *m);
	void (*keepalive)(void *arg, uint64_t con);
	/* Optional: the kernel must drop what @what says of inode @ino (a
	 * cap it rested on is gone). With @token not 0 a revoke's ack waits
	 * (at most MDSC_INVAL_WAIT_MS) for mdsc_caps_invalidated(@token).
	 * Called under the owner's lock: queue the work elsewhere. */
	void (*invalidate)(void *arg, uint64_t ino, unsigned what, uint64_t token);
	/* Optional: caps were granted; callers of mdsc_caps_get that got
	 * -EAGAIN may ask again. Under the owner's lock. */
	void (*caps_changed)(void *arg);
	/* Optional: Fb is being revoked while held (mdsc_caps_get gave it):
	 * the owner writes back what it buffers under it and puts it, which
	 * lets the revoke's ack go. Under the owner's lock: queue the work. */
	void (*writeback)(void *arg, uint64_t ino);
};

struct mdsc_request;
typedef void (*mdsc_done_fn)(struct mdsc_request *r);

struct mdsc_request {
	/* in: the request as mds_msgs.h encodes it (mdsc fills the tid's
	 * fields: oldest tid, map epoch, retries, forwards) */
	struct mds_request m;
	const void *data; /* a setxattr's value: the message's data */
	uint32_t data_len;
	int32_t rank;	     /* MDSC_ANY_RANK, or the rank to ask */
	uint64_t timeout_ms; /* 0: none */
	mdsc_done_fn done;
	void *arg;

	/* out, once done */
	int result;	/* the MDS's (0 or -errno) or ours (-ETIMEDOUT, -EIO, -EMULTIHOP...) */
	uint8_t *reply; /* the reply's front (malloc'd), or NULL */
	size_t reply_len;
	struct mds_reply *rep; /* decoded, pointing into @reply; NULL without one */
	bool got_unsafe;       /* answered early; the safe reply is still to come */

	/* mdsc's */
	struct evloop_tid tid;
	int32_t target; /* the rank it went or goes to */
	uint32_t attempts, num_fwd;
	bool sent, finished;
	bool interrupted; /* sent to an MDS that restarted before answering */
	uint64_t started_ms;
};

/* Free what a finished request holds (reply and its decoding). */
void mdsc_request_release(struct mdsc_request *r);

/* The MDS map's part mdsc uses (from the monitors' mdsmap_summary). */
struct mdsc_map {
	uint32_t epoch;
	uint32_t session_timeout, session_autoclose; /* seconds */
	unsigned nranks;
	struct {
		int32_t state;		      /* CEPH_MDS_STATE_*, 0: no daemon holds the rank */
		struct ceph_entity_addr addr; /* msgr2 */
	} rank[MDSC_MAX_RANKS];
};
void mdsc_map_from_summary(const struct mdsmap_summary *s, struct mdsc_map *out);

/* @metadata: the REQUEST_OPEN metadata (key, value pairs; copied). */
struct mdsc *mdsc_new(const struct mdsc_io *io, struct health_queue *health, const char *const *metadata,
		      unsigned nmeta);
/* Fails every request with -ESHUTDOWN, closes the connections, frees. */
void mdsc_free(struct mdsc *m, uint64_t now);

/* A new MDS map (epochs older than the one held are ignored). */
void mdsc_map(struct mdsc *m, const struct mdsc_map *map, uint64_t now);

/* Start @r: 0 (in flight, or waiting for a map, a connection, a session),
 * or -errno with done not called. */
int mdsc_submit(struct mdsc *m, struct mdsc_request *r, uint64_t now);
/* Give up on @r: done is called with @err now; a late reply is dropped. */
void mdsc_cancel(struct mdsc *m, struct mdsc_request *r, int err, uint64_t now);

void mdsc_con_up(struct mdsc *m, uint64_t con, uint64_t now);
void mdsc_con_down(struct mdsc *m, uint64_t con, int err, const char *why, uint64_t now);
/* A message from @con (its front and middle segments): 0, -EBADMSG
 * (dropped), -ENOENT (not ours). */
int mdsc_handle_msg(struct mdsc *m, uint64_t con, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front,
		    size_t front_len, const uint8_t *middle, size_t middle_len, uint64_t now);
/* Timers (renewals, deadlines, closes); returns when it next wants to be called. */
uint64_t mdsc_tick(struct mdsc *m, uint64_t now);

/* ---- the capability cache (mds_caps.c) ---- */

/* Inode @ino as the MDS last described it, while caps covering @need are
 * issued on a live session: 0 (@out's pointers are NULL; the pool
 * namespace goes to @pool_ns), -ENOENT (no cap), -EAGAIN (not @need). */
int mdsc_inode(struct mdsc *m, uint64_t ino, uint32_t need, uint64_t now, struct mds_inode *out, char *pool_ns,
	       size_t ns_len);
/* Directory @ino was changed by a request of ours (an entry made, removed
 * or renamed): its cached counts and times are not answered (mdsc_inode
 * with a @need says -EAGAIN) until a GETATTR of it comes back. Our
 * request's reply and the MDS's cap messages may still carry what it
 * has committed; the kernel client drops its Fs on the parent in the
 * request instead. */
void mdsc_caps_dir_changed(struct mdsc *m, uint64_t ino);
/* Take @need (and what of @want is issued) for I/O on @ino: 0 with *got,
 * held until mdsc_caps_put(*got); -EAGAIN: not issued now, or (with Fw)
 * the MDS's max_size is below @end (the MDS is told what we want; ask
 * again after io.caps_changed); -ENOENT: no cap (open the file again).
 * Fr, Fw and Fb are counted as used: a revoke of them waits for the put
 * (an owner buffering writes holds Fb until they are written back). */
int mdsc_caps_get(struct mdsc *m, uint64_t ino, uint32_t need, uint32_t want, uint64_t end, uint64_t now,
		  uint32_t *got);
/* mdsc_caps_get where it sends nothing and calls nothing: -EAGAIN where
 * mdsc_caps_get would have work (another thread than the owner's may
 * call it, under the same lock). */
int mdsc_caps_take(struct mdsc *m, uint64_t ino, uint32_t need, uint32_t want, uint64_t end, uint64_t now,
		   uint32_t *got);
void mdsc_caps_put(struct mdsc *m, uint64_t ino, uint32_t got, uint64_t now);
/* mdsc_caps_put where it sends nothing and calls nothing (no revoke waits
 * on the cap, the kernel has not forgotten it): false where it would. */
bool mdsc_caps_put_quiet(struct mdsc *m, uint64_t ino, uint32_t got);
/* Data was written up to @end at @mtime under Fw: the cached size and
 * times change and are dirty until flushed. 0, or -ENOENT (no cap). */
int mdsc_caps_wrote(struct mdsc *m, uint64_t ino, uint64_t end, struct mds_timespec mtime, uint64_t now);
/* A file's times set while we hold Fx, kept as the cap's dirty state
 * and sent in a FLUSH now (no one waits for its ack): 0 with the inode
 * as it is now in @out; -EAGAIN without Fx (ask the MDS: a SETATTR),
 * -ENOENT (no cap). @atime, @mtime: NULL to leave; @ctime: now. */
int mdsc_caps_set_times(struct mdsc *m, uint64_t ino, const struct mds_timespec *atime,
			const struct mds_timespec *mtime, struct mds_timespec ctime, uint64_t now, struct mds_inode *out);
/* Send what is dirty (a FLUSH): 0 when nothing is dirty or being flushed,
 * 1 with *tid to wait for (mdsc_caps_flushed), -ENOENT (no cap). */
int mdsc_caps_flush(struct mdsc *m, uint64_t ino, uint64_t now, uint64_t *tid);
/* Whether the flush @tid was acknowledged (1, 0), or -ENOENT (no cap). */
int mdsc_caps_flushed(struct mdsc *m, uint64_t ino, uint64_t tid);
/* A file of @ino was opened (after its OPEN reply) wanting @want: whether
 * the kernel's pages from the last open are still good (Fc held since). */
bool mdsc_caps_open(struct mdsc *m, uint64_t ino, uint32_t want, uint64_t now);
/* mdsc_caps_open where the MDS knows the want already (it sends nothing):
 * 1 or 0 as that returns, -EAGAIN where it would send (another thread
 * than the owner's may call it, under the same lock). */
int mdsc_caps_open_quiet(struct mdsc *m, uint64_t ino, uint32_t want, uint64_t now);
/* A file of @ino was closed; the last close tells the MDS we want nothing,
 * with what is dirty (no one waits for the ack), MDSC_CAPS_HOLD_MS later
 * unless the file is opened again before (mdsc_tick sends it). */
void mdsc_caps_close(struct mdsc *m, uint64_t ino, uint64_t now);
/* The kernel forgot @ino: give its cap back (kept while in use). */
void mdsc_caps_forget(struct mdsc *m, uint64_t ino, uint64_t now);
/* The kernel's pages of @ino are dropped, as io.invalidate's @token asked. */
void mdsc_caps_invalidated(struct mdsc *m, uint64_t ino, uint64_t token, uint64_t now);
/* Directory @dir's @name as its names table knows it (mds_names.h), while
 * the directory's Fs has stayed issued since it was told: 1 with *ino (0:
 * the name is not there), 0 when not known (ask the MDS). */
int mdsc_caps_name(struct mdsc *m, uint64_t dir, const char *name, uint64_t now, uint64_t *ino);
/* A listing of @dir (every READDIR to the last fragment's end) makes its
 * names complete when the directory's Fs stayed issued throughout and no
 * reply's names were lost: begin before the first request, end after the
 * last reply. */
struct mdsc_listing {
	uint64_t gen, losses;
};
void mdsc_caps_listing_begin(struct mdsc *m, uint64_t dir, uint64_t now, struct mdsc_listing *l);
void mdsc_caps_listing_end(struct mdsc *m, uint64_t dir, const struct mdsc_listing *l, uint64_t now);
/* One line per cap, as the kernel's debugfs caps:
 * "0xINO	mdsR	ISSUED	IMPLEMENTED	WANTED	SEQ	OPENS[	revoking]". */
size_t mdsc_format_caps(const struct mdsc *m, char *buf, size_t len);

/* Close every session (REQUEST_CLOSE); true once all are closed. */
bool mdsc_close_sessions(struct mdsc *m, uint64_t now);

/* For .ceph/mds_sessions and tests. */
struct mdsc_session_status {
	int32_t rank;
	const char *state; /* "opening", "open", "closing", "closed", "rejected", "lost", "restarting",
			      "reconnecting" */
	uint64_t features; /* the MDS's */
	uint64_t seq;	   /* counted messages received */
	uint64_t renew_seq;
	bool readonly;
};
unsigned mdsc_sessions(const struct mdsc *m, struct mdsc_session_status *out, unsigned max);
struct mdsc_status {
	unsigned sessions, requests, unsafe;
	uint64_t sent, replies, forwards, caps_released, leases_acked;
	uint64_t caps, revokes, revokes_acked, caps_recalled, cache_hits;
	uint64_t names, name_hits; /* directories' names kept; lookups they answered */
};
void mdsc_get_status(const struct mdsc *m, struct mdsc_status *st);
/* One line per request in flight, as the kernel's debugfs mdsc:
 * "TID\tmdsR\tOP\t#INO/PATH[\t#INO/PATH2]", then "TID\tmdsR\tunsafe" for
 * each one answered early. Returns the length written. */
size_t mdsc_format_requests(const struct mdsc *m, char *buf, size_t len);

#endif
