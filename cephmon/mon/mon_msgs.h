/*
 * cephmon/mon/mon_msgs.h: the payloads of the messages a Ceph monitor client
 * exchanges with the monitors, after Linux net/ceph/mon_client.c and
 * osdmap.c and Ceph's messages/M*.h: subscriptions and their ack, statfs,
 * get_version, mon commands, and the maps the monitors send (the monmap
 * and MOSDMap wrappers, the user's view of the FS map; cephosd decodes the
 * OSD maps inside).
 *
 * Encoders append a message's front (payload) to a wire_enc and say which
 * header version the message carries. Decoders take a received front and
 * never read past it; malformed input is -EBADMSG and leaves the output
 * unspecified but never half-owned (nothing to free on failure).
 */
#ifndef NETFUSE_MON_MSGS_H
#define NETFUSE_MON_MSGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/ceph_codec.h"
#include "cephmon/mon/monc_types.h"

/* Message types (Ceph's include/ceph_fs.h and msg_types). */
enum {
	CEPH_MSG_MON_MAP = 4,
	CEPH_MSG_STATFS = 13,
	CEPH_MSG_STATFS_REPLY = 14,
	CEPH_MSG_MON_SUBSCRIBE = 15,
	CEPH_MSG_MON_SUBSCRIBE_ACK = 16,
	CEPH_MSG_AUTH = 17,
	CEPH_MSG_AUTH_REPLY = 18,
	CEPH_MSG_MON_GET_VERSION = 19,
	CEPH_MSG_MON_GET_VERSION_REPLY = 20,
	CEPH_MSG_MDS_MAP = 21,
	CEPH_MSG_OSD_MAP = 41,
	CEPH_MSG_FS_MAP = 45,
	CEPH_MSG_MON_COMMAND = 50,
	CEPH_MSG_MON_COMMAND_ACK = 51,
	CEPH_MSG_FS_MAP_USER = 103,
};

#define CEPH_SUB_ONETIME 1 /* ceph_mon_subscribe_item flags: send once, not on every change */

/* ---- subscriptions ---------------------------------------------------------- */

struct mon_sub_item {
	const char *what; /* "monmap", "osdmap", "fsmap.user", "mdsmap.1", ... */
	uint64_t start;	  /* the first epoch wanted */
	uint8_t flags;	  /* CEPH_SUB_ONETIME */
};

/* MMonSubscribe v3: the items and this host's name. Returns the header version. */
uint16_t mon_subscribe_encode(struct wire_enc *e, const struct mon_sub_item *items, size_t n, const char *hostname);

/* MMonSubscribeAck: how long the subscription lasts (seconds) and the cluster's fsid. */
int mon_subscribe_ack_decode(const void *front, size_t len, uint32_t *interval, uint8_t fsid[CEPH_FSID_LEN]);

/* ---- statfs, get_version, commands ------------------------------------------- */

/* MStatfs (v2 with a data pool): the kernel's rule is to name the file
 * system's data pool when there is one, so the figures are that pool's. */
uint16_t mon_statfs_encode(struct wire_enc *e, const uint8_t fsid[CEPH_FSID_LEN], int64_t data_pool);

int mon_statfs_reply_decode(const void *front, size_t len, struct mon_statfs_reply *out);

/* MMonGetVersion: the newest epoch of a map ("osdmap", "fsmap", ...). */
uint16_t mon_get_version_encode(struct wire_enc *e, uint64_t handle, const char *what);
int mon_get_version_reply_decode(const void *front, size_t len, uint64_t *handle, uint64_t *newest, uint64_t *oldest);

/* MMonCommand: one or more JSON command strings ({"prefix": "osd blocklist", ...}). */
uint16_t mon_command_encode(struct wire_enc *e, const uint8_t fsid[CEPH_FSID_LEN], const char *const *cmd, size_t n);
/* MMonCommandAck: the result (0 or -errno) and the status string (cut to @rslen). */
int mon_command_ack_decode(const void *front, size_t len, int32_t *result, char *rs, size_t rslen);

/* ---- maps -------------------------------------------------------------------- */

/* MMonMap: the encoded MonMap it wraps (in place). */
int mon_map_msg_decode(const void *front, size_t len, const uint8_t **monmap, uint32_t *monmap_len);

#define MOSDMAP_MAX_MAPS 64

struct mosdmap_blob {
	uint32_t epoch;
	const uint8_t *data; /* in the message */
	uint32_t len;
};

/* MOSDMap: incremental and full maps by epoch, oldest and newest known. */
struct mosdmap {
	uint8_t fsid[CEPH_FSID_LEN];
	struct mosdmap_blob inc[MOSDMAP_MAX_MAPS], full[MOSDMAP_MAX_MAPS];
	unsigned ninc, nfull;
	uint32_t oldest, newest; /* 0 when the sender did not say */
};
int mosdmap_decode(const void *front, size_t len, struct mosdmap *out);

int fsmap_user_decode(const void *front, size_t len, struct fsmap_user *out);

#endif
