/*
 * cephosd/osdmap_keeper.h: the client's copy of the OSD map, kept current
 * from the MOSDMap messages the monitors send (Ceph's Objecter::handle_osd_map,
 * the kernel's ceph_osdc_handle_map).
 *
 * The monitor client (monc_maps.h) hands each MOSDMap here through
 * monc_osdmap_ops and acts on what comes back: the epoch now held (for its
 * subscription) and what is still wanted. Within a message, epoch after
 * epoch from the one held:
 *   - the incremental for the next epoch is applied (all or nothing,
 *     osdmap_apply_incremental); one that does not apply (malformed, crc)
 *     falls back to a newer full map in the same message, else a full map
 *     is asked for (as the Objecter does on a crc mismatch);
 *   - else a full map of that epoch replaces the map;
 *   - else, when the message has a full map newer than the one held, the
 *     newest replaces the map (the monitor sends a lone full map when asked
 *     for one, or when it no longer has the incrementals);
 *   - else epochs are missing (more maps than one message carries, a lost
 *     subscription): the subscription is sent again from the epoch after
 *     the one held.
 * A message from another cluster (fsid) is dropped. A full map that does not
 * decode is reported and not asked for again (the monitor would send the
 * same one); the next epoch brings another.
 *
 * Threads: osdmap_keeper_handle runs on the monitor client's loop thread;
 * readers on any thread. One mutex guards the map: readers see it between
 * messages, never half applied. The OSD client will take it for placement.
 */
#ifndef NETFUSE_OSDMAP_KEEPER_H
#define NETFUSE_OSDMAP_KEEPER_H

#include <stdint.h>

#include "cephmon/mon/monc_maps.h"
#include "cephosd/osdmap.h"
#include "health/health.h"

struct osdmap_keeper;

/* What the keeper did since it started, for .ceph/osdmap. */
struct osdmap_keeper_stats {
	uint64_t full_maps;    /* full maps that replaced the map */
	uint64_t incrementals; /* incrementals applied */
	uint64_t gaps;	       /* times epochs were missing and asked for again */
	uint64_t refused;      /* maps dropped: malformed, failed to apply, another cluster */
};

/* @health may be NULL. NULL when out of memory. */
struct osdmap_keeper *osdmap_keeper_new(struct health_queue *health);
void osdmap_keeper_free(struct osdmap_keeper *k);

/* The hook to give the monitor client (monc_loop_params.osdmap). */
struct monc_osdmap_ops osdmap_keeper_ops(struct osdmap_keeper *k);

/* One MOSDMap, as described above; @r says what is held and wanted. */
void osdmap_keeper_handle(struct osdmap_keeper *k, const struct mosdmap *mo, struct monc_osdmap_result *r);

/* The epoch held, 0 before the first map. */
uint32_t osdmap_keeper_epoch(struct osdmap_keeper *k);

/* The map (NULL before the first) with the keeper's lock held, until
 * osdmap_keeper_unlock: for the OSD client's scans on the loop thread. */
const struct osdmap *osdmap_keeper_lock(struct osdmap_keeper *k);
void osdmap_keeper_unlock(struct osdmap_keeper *k);

/* Run @fn with the map (NULL before the first) and the counters, under the
 * keeper's lock: @fn must not keep pointers into the map or block. */
void osdmap_keeper_read(struct osdmap_keeper *k,
			void (*fn)(void *arg, const struct osdmap *m, const struct osdmap_keeper_stats *st), void *arg);

#endif
