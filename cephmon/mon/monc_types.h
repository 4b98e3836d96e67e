/*
 * cephmon/mon/monc_types.h: what the monitor client hands its users, as C
 * types: the monitors (monc_monmap) and the client's state (monc_status),
 * a statfs answer, the user's view of the FS map
 * and one file system's MDS map, with the helpers that read them. Plain,
 * fixed-size structs a caller may copy; how they are decoded is internal
 * (mon_msgs.h, mdsmap.h, monmap.h).
 */
#ifndef NETFUSE_MONC_TYPES_H
#define NETFUSE_MONC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/ceph_addr.h"

#define CEPH_FSID_LEN 16
#define CEPH_NOPOOL   (-1LL)

/* ---- the monitors and the client's state ---------------------------------------- */

#define MONC_NAME_MAX 64
#define MONC_SUBS_MAX 8

enum monc_state {
	MONC_HUNTING,
	MONC_SESSION,
	MONC_STOPPED,
};

/* The monitors, as the initial configuration or a monmap gives them. */
struct monc_monmap {
	uint32_t epoch; /* 0: not from a monmap yet */
	uint8_t fsid[CEPH_FSID_LEN];
	struct ceph_mon_addrs addrs;
	char names[CEPH_MON_ADDRS_MAX][MONC_NAME_MAX];
};

/* For .ceph/monc: the state, in one consistent snapshot. */
struct monc_status {
	enum monc_state state;
	char mon[MONC_NAME_MAX]; /* the session's monitor, "" while hunting */
	char addr[64];
	uint64_t global_id;
	double hunt_mult;
	unsigned hunting_cons;
	uint64_t sessions, hunts;    /* sessions established, hunts started */
	unsigned pending;	     /* requests not answered yet */
	uint64_t last_keepalive_ack; /* ms, 0 never */
	uint32_t sub_interval;	     /* seconds the monitor granted */
	unsigned nsubs;
	struct {
		char what[32];
		uint64_t have;
		bool onetime;
	} subs[MONC_SUBS_MAX];
	uint32_t monmap_epoch;
	unsigned nmons;
};

/* ---- statfs ---------------------------------------------------------------------- */

struct mon_statfs_reply {
	uint8_t fsid[CEPH_FSID_LEN];
	uint64_t version;
	uint64_t kb, kb_used, kb_avail, num_objects;
};

/* ---- the user's view of the FS map --------------------------------------------------- */

#define FSMAP_MAX_FS	  64
#define FSMAP_FS_NAME_MAX 128

/* MFSMapUser ("fsmap.user"): the file systems a client may mount. */
struct fsmap_user {
	uint32_t epoch;
	int32_t legacy_client_fscid;
	unsigned nfs;
	struct {
		int32_t fscid;
		char name[FSMAP_FS_NAME_MAX];
	} fs[FSMAP_MAX_FS];
};

/* ---- the MDS map ------------------------------------------------------------------- */

/* Daemon and rank states (Ceph's include/ceph_fs.h CEPH_MDS_STATE_*). */
enum {
	CEPH_MDS_STATE_NULL = -10,
	CEPH_MDS_STATE_REPLAYONCE = -9,
	CEPH_MDS_STATE_STANDBY_REPLAY = -8,
	CEPH_MDS_STATE_STARTING = -7,
	CEPH_MDS_STATE_CREATING = -6,
	CEPH_MDS_STATE_STANDBY = -5,
	CEPH_MDS_STATE_BOOT = -4,
	CEPH_MDS_STATE_STOPPED = -1,
	CEPH_MDS_STATE_DNE = 0,
	CEPH_MDS_STATE_REPLAY = 8,
	CEPH_MDS_STATE_RESOLVE = 9,
	CEPH_MDS_STATE_RECONNECT = 10,
	CEPH_MDS_STATE_REJOIN = 11,
	CEPH_MDS_STATE_CLIENTREPLAY = 12,
	CEPH_MDS_STATE_ACTIVE = 13,
	CEPH_MDS_STATE_STOPPING = 14,
	CEPH_MDS_STATE_DAMAGED = 15,
};

#define MDSMAP_MAX_MDS	      32
#define MDSMAP_MAX_DATA_POOLS 16
#define MDSMAP_NAME_MAX	      64 /* daemon names longer than this are cut */

struct mdsmap_mds {
	uint64_t gid;
	char name[MDSMAP_NAME_MAX];
	int32_t rank; /* -1: holds no rank (standby) */
	int32_t inc;
	int32_t state; /* CEPH_MDS_STATE_* */
	uint64_t state_seq;
	struct ceph_entity_addr addr;	    /* the first of its addresses; type NONE if it has none */
	struct ceph_entity_addr addr_msgr2; /* its msgr2 address; type NONE if it has none */
	unsigned naddrs;
	bool laggy;	    /* laggy_since is set */
	int32_t join_fscid; /* -1 when unset or not encoded */
	uint64_t features;
	uint8_t info_v; /* mds_info_t's struct_v */
};

struct mdsmap_summary {
	/* From the MMDSMap front (mmdsmap_decode only). */
	uint8_t fsid[CEPH_FSID_LEN];
	uint32_t msg_epoch;
	char map_fs_name[FSMAP_FS_NAME_MAX]; /* newer monitors append it; "" if absent */

	uint8_t struct_v; /* MDSMap's encoding version (2..5) */
	uint16_t ev;	  /* its extended version (1 if absent) */
	uint32_t epoch;
	uint32_t flags; /* CEPH_MDSMAP_* */
	uint32_t last_failure;
	int32_t root;
	uint32_t session_timeout, session_autoclose; /* seconds */
	uint64_t max_file_size;
	int32_t max_mds;

	unsigned nmds, nmds_total; /* daemons kept, daemons in the map */
	struct mdsmap_mds mds[MDSMAP_MAX_MDS];

	unsigned ndata_pools, ndata_pools_total;
	int64_t data_pools[MDSMAP_MAX_DATA_POOLS];
	int64_t cas_pool;
	int64_t metadata_pool;

	/* The extended part (ev >= 2; older maps leave the defaults). */
	uint32_t created_sec, modified_sec;
	int32_t tableserver;
	unsigned nin, nup, nfailed, nstopped, ndamaged;
	uint32_t last_failure_osd_epoch;
	bool inline_data;
	bool enabled;	  /* ev >= 8; before that the kernel's rule: epoch > 1 */
	bool has_fs_name; /* ev >= 8 */
	char fs_name[FSMAP_FS_NAME_MAX];
	int32_t standby_count_wanted;
	uint64_t max_xattr_size; /* ev >= 18, else 0 */
};

/* The pool statfs should ask about: the data pool when the map names
 * exactly one, else CEPH_NOPOOL (the whole cluster), as the kernel does.
 * @m may be NULL (no map yet): CEPH_NOPOOL. */
int64_t mdsmap_statfs_pool(const struct mdsmap_summary *m);

/* "up:active", "up:standby", "down:dne", ... (Ceph's ceph_mds_state_name), "???" if unknown. */
const char *mdsmap_state_name(int32_t state);

/* The daemon holding @rank in a state > 0 (what the kernel keeps per
 * rank), or NULL. */
const struct mdsmap_mds *mdsmap_rank_holder(const struct mdsmap_summary *m, int32_t rank);

#endif
