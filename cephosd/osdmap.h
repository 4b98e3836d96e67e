/*
 * cephosd/osdmap.h: the OSD map as a client needs it, and placement: which
 * OSDs hold an object.
 *
 * A full map (OSDMap::encode's client section; the OSD-only section after it
 * is skipped by its length) gives the pools, the OSDs' states, weights,
 * client addresses and primary affinities, the CRUSH map, and the explicit
 * mappings the monitors add on top of CRUSH: pg_temp, primary_temp,
 * pg_upmap and pg_upmap_items. Placement is OSDMap::_pg_to_up_acting_osds:
 *
 *   object name (and namespace) --ceph_str_hash--> raw PG seed
 *   raw seed --stable_mod(pg_num)--> the PG; --stable_mod(pgp_num), hashed
 *   with the pool id under HASHPSPOOL--> the placement seed
 *   placement seed --CRUSH rule, OSD weights--> raw set
 *   raw set --pg_upmap, pg_upmap_items--> up set without down OSDs
 *   --primary affinity--> up primary
 *   pg_temp, primary_temp (when set) --> acting set and primary
 *
 * Replicated pools shift the survivors left when an OSD is missing; erasure
 * pools keep positions (a missing shard is CRUSH_ITEM_NONE).
 *
 * The decoder is length-checked with one error exit; mappings are kept in
 * arrays sorted by PG for binary search; an accepted map is self-consistent
 * (per-OSD arrays of max_osd entries, pools with pg_num and pgp_num of at
 * least 1, a CRUSH map the mapper can run).
 */
#ifndef NETFUSE_OSDMAP_H
#define NETFUSE_OSDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/ceph_addr.h"
#include "cephosd/crush.h"

/* The most OSDs a map may have. Ceph's monitors refuse more than mon_max_osd
 * (10000 by default); an incremental's new max_osd is a bare number, so
 * without a bound one message could ask for gigabytes. */
#define OSDMAP_MAX_OSD 65536u

/* OSD states (CEPH_OSD_*) */
#define OSD_EXISTS   (1u << 0)
#define OSD_UP	     (1u << 1)
#define OSD_AUTOOUT  (1u << 2)
#define OSD_NEW	     (1u << 3)
#define OSD_FULL     (1u << 4)
#define OSD_NEARFULL (1u << 5)

/* The weight vector and primary affinity are 16.16: 0x10000 is "in" / 1.0. */
#define OSD_WEIGHT_IN		     0x10000u
#define OSD_WEIGHT_OUT		     0u
#define OSD_DEFAULT_PRIMARY_AFFINITY 0x10000u
#define OSD_MAX_PRIMARY_AFFINITY     0x10000u

/* pool types and flags (pg_pool_t) */
#define POOL_TYPE_REPLICATED 1
#define POOL_TYPE_ERASURE    3
#define POOL_FLAG_HASHPSPOOL (1ull << 0)
#define POOL_FLAG_FULL	     (1ull << 1)
#define POOL_FLAG_FULL_QUOTA (1ull << 10)

/* object_hash */
#define CEPH_STR_HASH_LINUX    1
#define CEPH_STR_HASH_RJENKINS 2

/* map flags (CEPH_OSDMAP_*) a client acts on */
#define OSDMAP_FLAG_NEARFULL (1u << 0)
#define OSDMAP_FLAG_FULL     (1u << 1)
#define OSDMAP_FLAG_PAUSERD  (1u << 2)
#define OSDMAP_FLAG_PAUSEWR  (1u << 3)

/* A placement group: pool and seed (pg_t; its "preferred" is always -1). */
struct osd_pg {
	int64_t pool;
	uint32_t seed;
};

struct osd_pool {
	int64_t id;
	char *name;
	uint8_t type, size, min_size, crush_rule, object_hash;
	uint32_t pg_num, pgp_num;
	uint32_t pg_num_mask, pgp_num_mask; /* smallest 2^n - 1 >= pg_num - 1 */
	uint64_t flags;
	uint32_t last_change;
	int64_t tier_of, read_tier, write_tier;
	uint32_t stripe_width;
	uint32_t last_force_resend; /* the epoch a client must resend from */
	char *erasure_code_profile;
};

/* One explicit mapping for a PG: pg_temp and pg_upmap (a list of OSDs),
 * primary_temp (one OSD in osds[0]), pg_upmap_items (n pairs from, to). */
struct osd_pg_mapping {
	struct osd_pg pg;
	uint32_t n;
	int32_t *osds;
};

struct osd_pg_mappings {
	uint32_t n;
	struct osd_pg_mapping *v; /* sorted by PG */
};

struct osdmap {
	uint8_t fsid[16];
	uint32_t epoch;
	uint32_t created_sec, created_nsec, modified_sec, modified_nsec;
	uint32_t flags;
	int32_t pool_max;
	uint32_t npools;
	struct osd_pool *pools; /* sorted by id */

	uint32_t max_osd;
	uint32_t *osd_state;
	uint32_t *osd_weight;
	uint32_t *osd_primary_affinity; /* NULL: all default */
	struct ceph_addrvec *osd_addrs; /* client addresses */

	struct osd_pg_mappings pg_temp, primary_temp, pg_upmap, pg_upmap_items;
	uint32_t crush_version;

	struct crush_map *crush;
};

/*
 * Decode a full map (the wrapper OSDMap::encode writes: a map from the
 * monitor's MOSDMap, `ceph osd getmap`, osdmaptool). Returns 0 and a map to
 * free with osdmap_free, -EBADMSG (with @why, may be NULL) or -ENOMEM.
 */
int osdmap_decode(const void *buf, size_t len, struct osdmap **out, const char **why);
void osdmap_free(struct osdmap *m);

/*
 * Apply an incremental map (OSDMap::Incremental::encode, as MOSDMap carries
 * them) for the epoch after @m's. Returns 0 with @m at the new epoch, or
 * -EBADMSG (with @why: malformed, another epoch or cluster, an OSD past
 * max_osd) or -ENOMEM with @m as it was. An incremental carrying a full map
 * replaces @m with it.
 */
int osdmap_apply_incremental(struct osdmap *m, const void *buf, size_t len, const char **why);

const struct osd_pool *osdmap_pool(const struct osdmap *m, int64_t id);
const struct osd_pool *osdmap_pool_by_name(const struct osdmap *m, const char *name);

bool osdmap_osd_exists(const struct osdmap *m, int32_t osd);
bool osdmap_osd_up(const struct osdmap *m, int32_t osd);

/* ---- placement ---------------------------------------------------------- */

/* Ceph's string hashes for object names (ceph_str_hash). */
uint32_t ceph_str_hash(int type, const void *s, size_t len);
uint32_t ceph_stable_mod(uint32_t x, uint32_t b, uint32_t bmask);

/* The raw PG of an object: its seed is the full hash, before pg_num. @ns may
 * be NULL or "" for the default namespace. -ENOENT without that pool,
 * -ENOMEM. */
int osdmap_object_to_pg(const struct osdmap *m, int64_t pool, const char *ns, const char *name, struct osd_pg *raw);

/* The PG a raw PG falls in (its seed folded over pg_num). */
struct osd_pg osd_pool_raw_pg_to_pg(const struct osd_pool *p, struct osd_pg raw);

/* An OSD set: up to CRUSH_MAX_RESULT OSDs (CRUSH_ITEM_NONE for an erasure
 * pool's missing shard) and the primary, -1 for none. */
struct osd_set {
	int size;
	int32_t primary;
	int32_t osds[CRUSH_MAX_RESULT];
};

/*
 * A PG's up and acting sets (either may be NULL), as the OSDs compute them.
 * @pg may be raw; the pool must exist (-ENOENT). Returns 0; a pool whose
 * rule is missing or too wide maps to empty sets, as in Ceph.
 */
int osdmap_pg_to_up_acting(const struct osdmap *m, struct osd_pg pg, struct osd_set *up, struct osd_set *acting);

/* CRUSH's set for a PG before any explicit mapping, without OSDs that do not
 * exist; its primary is the first OSD in it (what osdmaptool shows as raw). */
int osdmap_pg_to_raw(const struct osdmap *m, struct osd_pg pg, struct osd_set *raw);

#endif
