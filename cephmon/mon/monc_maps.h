/*
 * cephmon/mon/monc_maps.h: the maps the monitors send a client, as the monitor
 * client keeps them: the monmap (fed back to monc, so hunting uses the
 * current monitors), the OSD map's head (epoch, flags, pools), fsmap.user
 * and the mounted file system's MDS map, with the subscriptions that bring
 * them.
 *
 * Trade-off: incremental OSD maps are not applied; one makes it ask for
 * the newest full map again, a round trip per OSD map change, which a
 * client that only shows the head can afford.
 *
 * Called on the monitor client's loop thread with its lock held; it does
 * no I/O of its own (subscriptions go through monc). A map that does not
 * decode is dropped with a health event; the session goes on.
 */
#ifndef NETFUSE_MONC_MAPS_H
#define NETFUSE_MONC_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/mon/mdsmap.h"
#include "cephmon/mon/mon_client.h"
#include "cephmon/mon/mon_msgs.h"
#include "health/health.h"

struct monc_maps {
	struct monc *monc;
	struct health_queue *health;
	const char *fs_name; /* the file system asked for, "" the default */
	bool want_fs;	     /* subscribe to fsmap.user and its MDS map */

	struct osdmap_summary *osdmap; /* NULL until received, as the next two */
	struct fsmap_user *fsmap;
	struct mdsmap_summary *mdsmap;
	char mds_sub[32]; /* "mdsmap.FSCID" once subscribed */
	bool fs_missing;  /* fsmap.user has no file system of that name */
	bool fs_none;	  /* the cluster has no CephFS: statfs covers the whole cluster */
};

/* @fs_name must outlive @mp. */
void monc_maps_init(struct monc_maps *mp, struct monc *monc, struct health_queue *health, const char *fs_name,
		    bool want_fs);
void monc_maps_destroy(struct monc_maps *mp);

/* The subscriptions to send on every session, before monc_start. */
void monc_maps_subscribe(struct monc_maps *mp, uint64_t now_ms);

/* A message from the session's monitor: true when it was a map (handled,
 * or dropped as malformed), false for any other type. */
bool monc_maps_handle(struct monc_maps *mp, uint16_t type, const uint8_t *front, size_t len, uint64_t now_ms);

/* A monmap from the cluster is in hand (the initial monitors have epoch 0). */
bool monc_maps_have_monmap(const struct monc_maps *mp);
/* Everything a mount waits for: monmap, OSD map and, with want_fs, the MDS
 * map (or the knowledge that the cluster has no CephFS). */
bool monc_maps_ready(const struct monc_maps *mp);

#endif
