/*
 * cephmon/mon/mon_client.h: the Ceph monitor client's state machine (monc), a
 * userspace port of the behaviour of Linux net/ceph/mon_client.c.
 *
 * monc decides; it does no I/O itself. Whoever runs it (the I/O thread of
 * netfuse-ceph, or a unit test) feeds it what happened -- a connection to a
 * monitor came up or went down, a message or a keepalive ack arrived, time
 * passed -- and monc answers through the monc_io callbacks: open or close a
 * connection, send a message, send a keepalive. Every entry point takes the
 * current CLOCK_MONOTONIC time in milliseconds and is called with the
 * owner's lock held (monc is not thread-safe by itself); monc_tick returns
 * when it next wants to be called.
 *
 * What it does, after the kernel:
 *  - Hunting: opens connections to monitors picked at random, never the one
 *    just lost while another exists; the first to authenticate becomes the
 *    session. Beyond the kernel, as librados does, it hunts up to
 *    MONC_HUNT_PARALLEL monitors at once, replaces a monitor that refuses
 *    at once with an untried one, and gives up on a round that has not
 *    authenticated within the hunt interval (a monitor that accepts TCP and
 *    never answers). Rounds back off (x1.5, up to x10), and the backoff
 *    halves again once a session is up.
 *  - Keepalives: every MONC_PING_INTERVAL_MS on the session; no ack for
 *    MONC_PING_TIMEOUT_MS ends the session and starts hunting. Beyond the
 *    kernel: a request pending for MONC_REQUEST_PROBE_MS sends a keepalive
 *    at once, and no ack within MONC_PROBE_TIMEOUT_MS ends the session, so
 *    a monitor gone silent under a waiting caller is left in seconds.
 *  - Subscriptions (monmap, osdmap, fsmap.user, ...) from the epoch after
 *    the newest one held, sent on every new session; renewed at half the
 *    interval the monitor grants, unless the monitor keeps them for the
 *    session (MON_STATEFUL_SUB, every monitor since Jewel).
 *  - Generic requests (statfs, get_version, mon commands) tracked by tid and
 *    resent on every new session until answered, with the kernel's legacy
 *    fallback for `osd blocklist add` ("blacklist" before Pacific).
 *  - Health events: hunting, session established and lost (why), auth
 *    failed, maps received, requests resent, statfs failures.
 */
#ifndef NETFUSE_MON_CLIENT_H
#define NETFUSE_MON_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/ceph_addr.h"
#include "cephmon/mon/mon_msgs.h"
#include "cephmon/mon/monc_types.h"
#include "health/health.h"

#define MONC_HUNT_PARALLEL    3
#define MONC_HUNT_INTERVAL_MS 3000 /* the kernel's CEPH_MONC_HUNT_INTERVAL */
#define MONC_HUNT_BACKOFF     1.5
#define MONC_HUNT_MAX_MULT    10.0
#define MONC_PING_INTERVAL_MS 10000		    /* CEPH_MONC_PING_INTERVAL */
#define MONC_PING_TIMEOUT_MS  30000		    /* CEPH_MONC_PING_TIMEOUT */
#define MONC_REQUEST_PROBE_MS 1000		    /* a request this old makes us probe the monitor */
#define MONC_PROBE_TIMEOUT_MS MONC_HUNT_INTERVAL_MS /* no ack by then: the monitor is gone silent */
/* Ceph's CEPH_FEATURE_MON_STATEFUL_SUB (SERVER_JEWEL): subscriptions last
 * the session, no renewal. */
#define MONC_FEATURE_MON_STATEFUL_SUB (1ULL << 57)

struct monc;

struct monc_io {
	void *arg;
	/* Start connecting to monitor @name at @addrs and authenticate; report
	 * with monc_con_up or monc_con_down (never from inside this call).
	 * @con names the connection in every later call. 0, or -errno when it
	 * cannot even start. */
	int (*open)(void *arg, uint64_t con, const char *name, const struct ceph_addrvec *addrs);
	void (*close)(void *arg, uint64_t con);
	/* Queue a message on @con; @front is copied. */
	int (*send)(void *arg, uint64_t con, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front,
		    size_t len);
	void (*keepalive)(void *arg, uint64_t con);
	/* Optional: drop request @tid's message from @con's queue if it has not
	 * started going out (a cancelled request); a message already being
	 * written is finished, so the stream stays whole. */
	void (*revoke)(void *arg, uint64_t con, uint64_t tid);
};

/* A finished request: @result is 0 or -errno (-ETIMEDOUT when cancelled by
 * monc_stop: -ESHUTDOWN); the reply fields for its kind. */
struct monc_reply {
	int result;
	struct mon_statfs_reply statfs;
	uint64_t newest, oldest; /* get_version */
	char rs[256];		 /* mon command status */
};
typedef void (*monc_done_fn)(void *arg, uint64_t tid, const struct monc_reply *r);

struct monc *monc_new(const struct monc_monmap *initial, const struct monc_io *io, struct health_queue *health,
		      uint64_t seed);
void monc_free(struct monc *m);

/* Subscribe to @what from epoch @start (the monitor sends the newest it
 * has at or after it; 0: the newest full map); called before monc_start or
 * at any time after (on a session, the subscription goes out at once). */
int monc_subscribe(struct monc *m, const char *what, uint64_t start, bool onetime, uint64_t now);
/* The newest epoch of @what the owner holds: renewals ask for the next one. */
void monc_got_epoch(struct monc *m, const char *what, uint64_t epoch);
/* Ask for the newest full map of @what again (start 0): for an owner that
 * does not apply incremental maps (an MOSDMap carrying only incrementals).
 * Later changes come as the monitor sends them. */
void monc_want_full(struct monc *m, const char *what, uint64_t now);

void monc_start(struct monc *m, uint64_t now);
/* Close everything; pending requests finish with -ESHUTDOWN. */
void monc_stop(struct monc *m, uint64_t now);
/* Timers; returns the time (ms) of the next call it wants. */
uint64_t monc_tick(struct monc *m, uint64_t now);

/* What the connections report. @global_id is what authentication gave,
 * @peer_features what the monitor said it supports. */
void monc_con_up(struct monc *m, uint64_t con, uint64_t global_id, uint64_t peer_features, uint64_t now);
void monc_con_down(struct monc *m, uint64_t con, int err, const char *why, uint64_t now);
/* The errors monc_con_down reports as auth_failed rather than session_lost. */
bool monc_auth_error(int err);
void monc_keepalive_ack(struct monc *m, uint64_t con, uint64_t now);
/* A message from the session's monitor: returns 0, -EBADMSG for a payload
 * that does not decode (dropped, the session goes on), -ENOENT for one
 * monc does not handle (maps: the owner decodes them and calls
 * monc_got_epoch / monc_set_monmap). */
int monc_handle_msg(struct monc *m, uint64_t con, uint16_t type, uint64_t tid, const void *front, size_t len,
		    uint64_t now);
/* The monitors of the configuration as monc's first map: epoch 0 and no
 * names. Until a monmap names them, monc names each by its address in
 * health events ("mon.v2:10.0.0.1:3300/0"), in the status and to
 * monc_io.open; from then on by its name ("mon.a"). */
void monc_initial_monmap(const struct ceph_mon_addrs *mons, struct monc_monmap *out);
/* A new monmap (decoded by the owner): the monitors to hunt from now on. */
void monc_set_monmap(struct monc *m, const struct monc_monmap *map, uint64_t now);

/* Generic requests; each returns its tid (> 0) or -errno. */
int64_t monc_statfs(struct monc *m, int64_t data_pool, monc_done_fn done, void *arg, uint64_t now);
int64_t monc_get_version(struct monc *m, const char *what, monc_done_fn done, void *arg, uint64_t now);
int64_t monc_command(struct monc *m, const char *const *cmd, size_t n, monc_done_fn done, void *arg, uint64_t now);
int64_t monc_blocklist_add(struct monc *m, const char *addr, monc_done_fn done, void *arg, uint64_t now);
/* Forget a request (its caller gave up); its reply, if any, is dropped. */
void monc_cancel(struct monc *m, uint64_t tid);

void monc_get_status(const struct monc *m, struct monc_status *st);
const struct monc_monmap *monc_monmap(const struct monc *m);
/* The session's connection, 0 while hunting or stopped. */
uint64_t monc_session_con(const struct monc *m);

#endif
