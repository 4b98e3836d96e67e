/*
 * cephosd/osd_client.h: the OSD client's state machine (osdc), the
 * userspace counterpart of the kernel's net/ceph/osd_client.c: requests by
 * tid, one session per OSD, each request's target computed from the map
 * the keeper holds, and resends when a new map moves it.
 *
 * Like monc, osdc decides and does no I/O: its owner (osdc_loop.h, or a
 * unit test) tells it what happened -- a session to an OSD came up or went
 * down, a message or keepalive ack arrived, a new map was applied, time
 * passed -- and osdc acts through the osdc_io callbacks. Every entry point
 * takes CLOCK_MONOTONIC milliseconds and runs with the owner's lock held.
 *
 * Maps come from the monitors (osdc_osdmap_ops) and from OSDs that share
 * newer ones on their sessions, as the kernel takes them from any
 * connection; both go through the keeper and retarget every request. What
 * the keeper made of an OSD's map goes to the monitors' subscription
 * (osdc_io.osdmap_result): the epoch now held, and epochs it lacked, which
 * the monitors are asked for.
 *
 * Targets, as the kernel's calc_target for normal requests: the object's
 * raw PG (its name hashed with the pool's hash), the PG it folds into, the
 * acting set and its primary. A request is sent again, with the same tid
 * and one more attempt, when a new map:
 *   - changes its primary (or the primary's rank), or its raw PG;
 *   - splits or merges its PG (pg_num changes so the OSD would discard it);
 *   - has a force-resend epoch for its pool newer than the request's;
 *   - unpauses it.
 * Paused (held, not sent): reads while PAUSERD, writes while PAUSEWR, FULL
 * or the pool is full, unless the request carries FULL_TRY or FULL_FORCE.
 * A request whose PG has no primary waits, "homeless", for a map that
 * gives it one. A pool the map does not have, as the kernel's
 * check_pool_dne: a request sent before (its pool was deleted) fails with
 * -ENOENT at once; a new one asks the monitors for their newest OSD map
 * epoch and waits, homeless, until the map held is at least that new, then
 * fails with -ENOENT unless the pool came with it (a pool created a moment
 * ago, a CephFS layout naming a pool our map does not have yet).
 *
 * Sessions are lossy, as Ceph's client policy for OSDs: when one goes down
 * and the OSD is still up at the same address in the map, a new session is
 * opened after a wait (OSDC_RETRY_MIN_MS, doubling to OSDC_RETRY_MAX_MS,
 * so a dead OSD the map still shows up is not hammered) and every request
 * on it is sent again; a map that moves the OSD retargets them. MOSDBackoff (which Pacific OSDs send, since the feature
 * bit is shared with SERVER_LUMINOUS) is honoured per PG: a BLOCK is acked and holds every request for that PG on the
 * session until the UNBLOCK, which sends them again (a range narrower than the PG is treated as the whole PG: more
 * resends, never a lost one; the OSD deduplicates by reqid).
 *
 * Timeouts, as the kernel's handle_timeout: a request unanswered for
 * OSDC_KEEPALIVE_MS makes its session laggy and sends a keepalive (a dead
 * TCP session is noticed and reopened); the ack makes it well again. A
 * request's own deadline (osdc_request.timeout_ms, 0 none) fails it with
 * -ETIMEDOUT. Health events: session established, lost (why) and back,
 * laggy, requests resent after a map change, redirects refused.
 */
#ifndef NETFUSE_OSD_CLIENT_H
#define NETFUSE_OSD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/msgr2_session.h"
#include "cephosd/osd_msgs.h"
#include "cephosd/osdmap_keeper.h"
#include "health/health.h"

#define OSDC_KEEPALIVE_MS 5000	/* the kernel's osd_keepalive_timeout */
#define OSDC_RETRY_MIN_MS 250	/* a lost session's first reopen, doubling... */
#define OSDC_RETRY_MAX_MS 15000 /* ...up to this (the kernel messenger's delays) */
#define OSDC_NAME_MAX	  256

struct osdc;
struct osdc_session;

struct osdc_io {
	void *arg;
	/* Open a session to OSD @osd at @addr (a msgr2 address); report with
	 * osdc_con_up / osdc_con_down, never from inside this call. @con names
	 * it from now on. 0, or -errno when it cannot even start. */
	int (*open)(void *arg, uint64_t con, int32_t osd, const struct ceph_entity_addr *addr);
	void (*close)(void *arg, uint64_t con);
	/* Queue a message on @con (copied). */
	int (*send)(void *arg, uint64_t con, const struct msgr2_out *m);
	/* Drop request @tid's message from @con's queue if none of it is out
	 * (a resend or a cancel). May be NULL. */
	void (*revoke)(void *arg, uint64_t con, uint64_t tid);
	void (*keepalive)(void *arg, uint64_t con);
	/* A finished request's output buffer: no session may go on writing
	 * a reply's data there (osdc_rx_data gave it). May be NULL. */
	void (*rx_revoke)(void *arg, const void *buf);
	/* The monitors. Both may be NULL: a map an OSD shares then leaves
	 * missing epochs to the subscription, and a pool the map lacks fails
	 * at once. osdmap_result: what the keeper did with a MOSDMap from an
	 * OSD (the epoch held, the epochs wanted), for the subscription, as a
	 * monitor's map is handled. map_check: ask for the newest OSD map
	 * epoch (MMonGetVersion "osdmap") for request @tid, answered through
	 * osdc_map_check_done; a handle (>= 0), or -errno when it cannot be
	 * asked. map_check_cancel: the request no longer waits for it (no
	 * answer may come after). All three or none. */
	void (*osdmap_result)(void *arg, const struct monc_osdmap_result *r);
	int64_t (*map_check)(void *arg, uint64_t tid);
	void (*map_check_cancel)(void *arg, int64_t handle);
};

/* What a request was last sent at. */
struct osdc_target {
	struct osd_pg raw;  /* the object's raw PG: seed = its full hash */
	struct osd_pg pgid; /* the PG it folds into */
	int8_t shard;	    /* the primary's position in an erasure pool, -1 */
	struct osd_set acting;
	int32_t osd; /* the primary, -1: homeless */
	uint32_t pg_num;
	uint32_t epoch; /* the map it was computed from */
	bool paused;
};

struct osdc_request;
typedef void (*osdc_done_fn)(struct osdc_request *r);

/*
 * One request: the caller fills the first part, osdc_submit sends it, and
 * done is called once (on the loop thread, the owner's lock held) with the
 * outcome; osdc holds no pointer to it after that. The names, the ops'
 * inputs and the out_bufs must stay valid until then; other outputs are
 * copied (free them with osdc_request_release).
 */
struct osdc_request {
	/* in */
	int64_t pool;
	char ns[OSDC_NAME_MAX], oid[OSDC_NAME_MAX];
	uint32_t flags; /* OSD_FLAG_READ or OSD_FLAG_WRITE, and FULL_TRY/FULL_FORCE */
	unsigned nops;
	struct osd_op ops[OSD_MAX_OPS];
	uint32_t mtime_sec, mtime_nsec;
	uint64_t timeout_ms; /* 0: none (the kernel's default) */
	/* Optional, per op: where its output goes (no allocation; for a
	 * request of one op the session receives the reply's data straight
	 * there from the socket, see osdc_rx_data); out[i] then points there.
	 * An output longer than out_cap[i] fails the request with
	 * -EOVERFLOW. */
	void *out_buf[OSD_MAX_OPS];
	uint32_t out_cap[OSD_MAX_OPS];
	/* A PG op (PGNLS) names no object (oid empty): it goes to the PG
	 * holding hash @pg_hash, folded over the pool's pg_num, as librados's
	 * pg_read; the PG's seed is the raw PG it is sent with. */
	bool pg_op;
	uint32_t pg_hash;
	osdc_done_fn done;
	void *arg;
	/* Optional: the owner keeps the ops' inputs valid while held (a
	 * reference on @arg), so a request with one input (a write's bytes)
	 * lends it to the session instead of having it copied. Both or
	 * neither. */
	void (*hold)(void *arg);
	void (*unhold)(void *arg);

	/* out, once done */
	int result; /* >= 0 (PGNLS: 1 at the end of the PG) or -errno (the OSD's, or ours: -ENOENT pool, -ETIMEDOUT...)
		     */
	uint64_t version; /* the object's user version the OSD reports */
	int32_t rval[OSD_MAX_OPS];
	uint8_t *out[OSD_MAX_OPS]; /* each op's output: out_buf[i], malloc'd, or NULL */
	uint32_t out_len[OSD_MAX_OPS];
	uint32_t attempts; /* how many times it was sent */

	/* osdc's */
	uint64_t tid;
	struct osdc_target t;
	struct osdc_session *s;
	struct osdc_request *prev, *next; /* on s's list */
	uint64_t started_ms, sent_ms;
	bool sent_before; /* for "resent" counting */
	/* its pool is not in the map: the monitors' newest epoch when asked
	 * (0 not known yet), and whether the question is out */
	uint32_t map_dne_bound;
	bool map_checking;
	int64_t map_check; /* its handle */
};

/* Fill a request's ops with the common cases; each returns the op. */
struct osd_op *osdc_op(struct osdc_request *r, uint16_t op);
void osdc_op_extent(struct osdc_request *r, uint16_t op, uint64_t off, uint64_t len, const void *data,
		    uint32_t data_len);

/* Free the outputs of a finished request (not the caller's out_buf). */
void osdc_request_release(struct osdc_request *r);

struct osdc *osdc_new(struct osdmap_keeper *keeper, const struct osdc_io *io, struct health_queue *health);
/* Fails every request with -ESHUTDOWN, closes the sessions, frees. */
void osdc_free(struct osdc *o, uint64_t now);

/* The hook for the monitor client (monc_loop_params.osdmap): the keeper's,
 * followed by a scan of every request when the map changed. */
struct monc_osdmap_ops osdc_osdmap_ops(struct osdc *o);

/* Start @r: 0 (it is in flight, or waits for a map), or -errno with done
 * not called (no ops, too many, a bad op). */
int osdc_submit(struct osdc *o, struct osdc_request *r, uint64_t now);
/* Give up on @r (its caller's deadline, an interrupt): done is called with
 * @err now; a late reply is dropped. */
void osdc_cancel(struct osdc *o, struct osdc_request *r, int err, uint64_t now);

/* A new map was applied (osdc_osdmap_ops calls it). */
void osdc_map_changed(struct osdc *o, uint64_t now);
/* The answer to osdc_io.map_check(@tid): @result 0 and the monitors'
 * newest OSD map epoch, or -errno (the request then fails with -ENOENT:
 * the map held is the newest we can know). An answer for a request that
 * no longer waits is dropped. */
void osdc_map_check_done(struct osdc *o, uint64_t tid, int result, uint64_t newest, uint64_t now);

void osdc_con_up(struct osdc *o, uint64_t con, uint64_t peer_features, uint64_t now);
void osdc_con_down(struct osdc *o, uint64_t con, int err, const char *why, uint64_t now);
void osdc_keepalive_ack(struct osdc *o, uint64_t con, uint64_t now);
/* A message from @con (a reply, a backoff, a map the OSD shares): 0,
 * -EBADMSG (dropped), -ENOENT (not ours to handle). */
int osdc_handle_msg(struct osdc *o, uint64_t con, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front,
		    size_t front_len, const uint8_t *data, size_t data_len, uint64_t now);
/* Where the data segment of a reply arriving on @con should be received:
 * the request's own out_buf when it has one op with a buffer that holds
 * @data_len bytes (a read lands there with no copy), else NULL. */
uint8_t *osdc_rx_data(struct osdc *o, uint64_t con, uint16_t type, uint64_t tid, size_t data_len);
/* Timers; returns when it next wants to be called. */
uint64_t osdc_tick(struct osdc *o, uint64_t now);

/* For .ceph/osdc: counts and the requests in flight. */
struct osdc_status {
	unsigned sessions, requests, homeless, paused, laggy;
	uint64_t sent, resent, replies, map_resends;
	uint64_t map_checks; /* pools not in the map: epochs asked of the monitors */
};
void osdc_get_status(const struct osdc *o, struct osdc_status *st);
/* One line per request in flight, as the kernel's debugfs osdc:
 * "TID\tosdN\tPOOL.SEED\tOID\tOPS...". Returns the length written. */
size_t osdc_format_requests(const struct osdc *o, char *buf, size_t len);

#endif
