/*
 * cephmon/mon/monc_maps.h: the maps the monitors send a client, as the monitor
 * client keeps them: the monmap (fed back to monc, so hunting uses the
 * current monitors), fsmap.user and the mounted file system's MDS map, with
 * the subscriptions that bring them. The OSD map belongs to the OSD side
 * (cephosd's osdmap_keeper, as the kernel's monitor client hands MOSDMap to
 * its OSD client): each MOSDMap goes to the owner's monc_osdmap_ops, and
 * what it answers drives the osdmap subscription (the epoch held; the
 * epochs after it again when some were missing; a full map when an
 * incremental did not apply).
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

/* What the OSD map's keeper did with one MOSDMap. */
enum monc_osdmap_want {
	MONC_OSDMAP_WANT_NOTHING,
	MONC_OSDMAP_WANT_NEXT, /* epochs were missing: subscribe from the one after @epoch */
	MONC_OSDMAP_WANT_FULL, /* ask for the newest full map */
};

struct monc_osdmap_result {
	uint32_t epoch; /* the epoch held now, 0 none */
	bool changed;	/* a newer map than before the message */
	enum monc_osdmap_want want;
};

/* Whoever keeps the OSD map. */
struct monc_osdmap_ops {
	void *arg;
	/* One MOSDMap (the wrapper decoded; its blobs point into the message). */
	void (*handle)(void *arg, const struct mosdmap *mo, struct monc_osdmap_result *r);
};

/* Whoever follows the MDS map (the MDS client): each new one, on the
 * monitor client's loop thread with its lock held. */
struct monc_mdsmap_ops {
	void *arg;
	void (*changed)(void *arg, const struct mdsmap_summary *m);
};

struct monc_maps {
	struct monc *monc;
	struct health_queue *health;
	const char *fs_name;		   /* the file system asked for, "" the default */
	bool want_fs;			   /* subscribe to fsmap.user and its MDS map */
	struct monc_osdmap_ops osdmap;	   /* .handle NULL: no OSD map subscription */
	struct monc_mdsmap_ops mdsmap_ops; /* .changed NULL: nobody follows it */

	uint32_t osdmap_epoch;	  /* what the keeper holds, 0 none */
	struct fsmap_user *fsmap; /* NULL until received, as the next */
	struct mdsmap_summary *mdsmap;
	char mds_sub[32]; /* "mdsmap.FSCID" once subscribed */
	bool fs_missing;  /* fsmap.user has no file system of that name */
	bool fs_none;	  /* the cluster has no CephFS: statfs covers the whole cluster */
};

/* @fs_name must outlive @mp; @osdmap may be NULL (no OSD map wanted). */
void monc_maps_init(struct monc_maps *mp, struct monc *monc, struct health_queue *health, const char *fs_name,
		    bool want_fs, const struct monc_osdmap_ops *osdmap);
void monc_maps_destroy(struct monc_maps *mp);

/* The subscriptions to send on every session, before monc_start. */
void monc_maps_subscribe(struct monc_maps *mp, uint64_t now_ms);

/* A message from the session's monitor: true when it was a map (handled,
 * or dropped as malformed), false for any other type. */
bool monc_maps_handle(struct monc_maps *mp, uint16_t type, const uint8_t *front, size_t len, uint64_t now_ms);

/* What the keeper made of an OSD map, from a monitor or from elsewhere (an
 * OSD shared it): the subscription goes on from the epoch held and asks
 * for what is missing. */
void monc_maps_osdmap_result(struct monc_maps *mp, const struct monc_osdmap_result *r, uint64_t now_ms);

/* A monmap from the cluster is in hand (the initial monitors have epoch 0). */
bool monc_maps_have_monmap(const struct monc_maps *mp);
/* Everything a mount waits for: monmap, OSD map (when one is kept) and,
 * with want_fs, the MDS map (or the knowledge that the cluster has no
 * CephFS). */
bool monc_maps_ready(const struct monc_maps *mp);

#endif
