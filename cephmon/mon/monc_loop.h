/*
 * cephmon/mon/monc_loop.h: the monitor client as a running thing: one I/O
 * thread (an evloop) that runs monc (mon_client.h) and wires it to its
 * parts: the connections (msgr2_conn.h, one per hunted monitor), the cephx
 * identity and its ticket renewal (cephx_identity.h) and the maps
 * (monc_maps.h; OSD maps go on to their keeper, given in the params).
 * Callers on other threads (FUSE workers) ask for statfs and snapshots;
 * each call queues work to the loop and waits for its completion with a
 * deadline, the kernel's workqueue + completion shape (see doc/design.md).
 *
 * statfs follows the kernel's data-pool rule: the file system's only data
 * pool when it has one, the whole cluster otherwise.
 *
 * Locking: one mutex guards monc, the identity and the maps; the loop
 * thread holds it while it runs monc and handles a message (every
 * loop-thread entry point takes it, those of msgr2_conn and of the
 * identity's renewal timer included; never across a wait; socket writes
 * are non-blocking), callers hold it to copy a snapshot. The requests of
 * statfs and commands (evloop_req) have a lock of their own, so a caller
 * woken by its answer does not wait for the loop thread to let go.
 */
#ifndef NETFUSE_MONC_LOOP_H
#define NETFUSE_MONC_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/ceph_mount_config.h"
#include "cephmon/msgr/cephx.h"
#include "cephmon/mon/monc_maps.h"
#include "cephmon/mon/monc_types.h"
#include "evloop/evloop_req.h"
#include "health/health.h"

struct monc_loop;

struct monc_loop_params {
	const struct ceph_mount_config *cfg; /* monitors, entity and key, ms_mode, fs name; copied */
	struct health_queue *health;	     /* may be NULL */
	/* Subscribe to fsmap.user and the file system's MDS map (cfg->fs_name,
	 * or the cluster's default): needed for statfs's data-pool rule. */
	bool want_fs;
	/* Who keeps the OSD map (cephosd's osdmap_keeper_ops); the mount then
	 * also waits for the first one. .handle NULL: no OSD map. Called on
	 * the loop thread with the loop's lock held. */
	struct monc_osdmap_ops osdmap;
	/* Who follows the MDS map (cephmds's mdsc_loop_mdsmap_ops; needs
	 * want_fs). .changed NULL: nobody. */
	struct monc_mdsmap_ops mdsmap;
};

/* A new, not yet running client. 0 or -errno with one line in @err. */
int monc_loop_new(const struct monc_loop_params *p, struct monc_loop **out, char *err, size_t errlen);

/*
 * Start the thread and hunt, then wait until a session is up and the
 * monmap and OSD map (and, with want_fs, the MDS map) are in hand, as the
 * kernel waits before a mount completes. 0; -ETIMEDOUT at @deadline_ns
 * (no monitor answered); the authentication error of the first monitor
 * that refused us (-EACCES, -EKEYREJECTED, ...); -ENOENT when the cluster
 * has no file system of that name. @err gets one line for people.
 */
int monc_loop_open(struct monc_loop *ml, uint64_t deadline_ns, char *err, size_t errlen);

/*
 * MStatfs with the kernel's data-pool rule (the pool it picks is in the
 * MDS map's statfs_pool, .ceph/mdsmap). Waits across hunting and resends
 * until @deadline_ns or until @cancel (may be NULL) fires: 0, -ETIMEDOUT,
 * the token's error (-EINTR for an interrupted df) at once, -ESHUTDOWN.
 */
int monc_loop_statfs(struct monc_loop *ml, uint64_t deadline_ns, struct evloop_cancel *cancel,
		     struct mon_statfs_reply *out);

/* A mon command (JSON, as the ceph CLI sends it): result and status line. */
int monc_loop_command(struct monc_loop *ml, const char *json, uint64_t deadline_ns, struct evloop_cancel *cancel,
		      char *rs, size_t rslen);

/* Who we are to the cluster, for .ceph/auth: never a key. */
struct monc_loop_auth {
	char entity[CEPH_ENTITY_MAX];
	uint64_t global_id;
	char con_mode[8];	/* "crc", "secure"; "none" before the first session */
	int64_t ticket_expires; /* the mon ticket's expiry, unix seconds; 0 unknown */
	uint64_t renewals;	/* MAuth rounds that renewed tickets */
	char key_from[PATH_MAX + 32];
};

/* Everything .ceph/ shows, copied under the lock in one go. */
struct monc_loop_snapshot {
	uint64_t now_ms; /* monc's clock when taken */
	struct monc_status status;
	struct monc_monmap monmap;
	uint32_t osdmap_epoch; /* the keeper's, 0 none (the map itself: osdmap_keeper_read) */
	bool have_fsmap, have_mdsmap;
	struct fsmap_user fsmap;
	struct mdsmap_summary mdsmap;
	char fs_name[CEPH_FS_NAME_MAX]; /* the file system asked for, "" the default */
	struct monc_loop_auth auth;
};

/*
 * What a client beside the monitor client (the OSD client) shares with it:
 * the loop thread and the lock every loop-thread entry point takes, the
 * identity whose tickets its authorizers draw on, and the counters and
 * settings of every connection. For code on the loop thread with @lock
 * held; valid until monc_loop_free.
 */
struct monc_loop_shared {
	struct evloop *loop;
	pthread_mutex_t *lock;
	struct cephx_client *cx; /* the identity's tickets */
	uint64_t *global_seq;
	uint32_t nonce;
	enum ceph_ms_mode ms_mode;
	struct health_queue *health;
};
void monc_loop_shared(struct monc_loop *ml, struct monc_loop_shared *out);

/*
 * For a client beside the monitor client (the OSD client), on the loop
 * thread with the loop's lock held. monc_loop_osdmap_result: what the
 * keeper made of an OSD map that an OSD shared (monc_maps_osdmap_result).
 * monc_loop_get_version: MMonGetVersion for @what ("osdmap"), resent across
 * hunting; @done runs on the loop thread with the lock held (with
 * -ESHUTDOWN when the client stops) unless monc_loop_cancel came first.
 * The request's tid, or -errno.
 */
void monc_loop_osdmap_result(struct monc_loop *ml, const struct monc_osdmap_result *r);
int64_t monc_loop_get_version(struct monc_loop *ml, const char *what, monc_done_fn done, void *arg);
void monc_loop_cancel(struct monc_loop *ml, uint64_t tid);

/* Fill @s (large: allocate it). */
void monc_loop_snapshot(struct monc_loop *ml, struct monc_loop_snapshot *s);

/* Stop (pending requests end with -ESHUTDOWN), close, join, free. */
void monc_loop_free(struct monc_loop *ml);

#endif
