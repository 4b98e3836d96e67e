/*
 * cephmon/mon/monmap.h: the monitor map (MonMap), as a monitor sends it in
 * MMonMap and as monmaptool writes it to a file.
 *
 * Encoding (src/mon/MonMap.cc MonMap::encode/decode, mon_info_t; the
 * kernel's ceph_monmap_decode in net/ceph/mon_client.c): a versioned
 * structure, v6+ (Nautilus; Pacific sends v9, compat 6) of
 *   fsid[16], u32 epoch, utime last_changed, utime created,
 *   mon_feature_t persistent, mon_feature_t optional (each a versioned u64),
 *   map<string name, mon_info_t>, vector<string> ranks, u8 min_mon_release,
 *   then (v8+) removed_ranks, election strategy, disallowed leaders,
 *   (v9+) stretch mode fields -- which this decoder skips by the length.
 * mon_info_t is versioned too: string name, entity_addrvec_t public_addrs,
 * (v2+) u16 priority, (v4+) u16 weight, (v5+) crush_loc, ...
 *
 * The monitors come out in rank order (the ranks vector), which is what
 * Ceph numbers them by ("mon.0" is ranks[0]); the kernel uses the map's
 * name order instead, which differs as soon as names and addresses sort
 * differently. Older encodings (v5 and before, pre-Nautilus) are refused:
 * a msgr2 client only ever receives v6+.
 */
#ifndef NETFUSE_MONMAP_H
#define NETFUSE_MONMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cephmon/msgr/ceph_addr.h"
#include "cephmon/msgr/ceph_codec.h"

#define MONMAP_MAX_MONS CEPH_MON_ADDRS_MAX
#define MONMAP_NAME_MAX 256 /* including the NUL: room for a host name */

struct monmap_mon {
	char name[MONMAP_NAME_MAX]; /* "a" for mon.a */
	struct ceph_addrvec addrs;  /* public_addrs as listed */
	struct sockaddr_storage v2; /* msgr2 address, or ss_family AF_UNSPEC */
	struct sockaddr_storage v1; /* legacy (msgr1) address, or AF_UNSPEC */
	uint16_t priority, weight;  /* 0 when the encoding predates them */
};

struct monmap {
	uint8_t fsid[16];
	uint32_t epoch;
	uint8_t min_mon_release; /* 16 = pacific; 0 when unknown */
	unsigned n;
	struct monmap_mon mons[]; /* n of them, in rank order */
};

/*
 * Decode an encoded MonMap (the bytes monmaptool writes). On success *@out
 * is a new map (free with monmap_free). Errors: -EBADMSG (malformed,
 * truncated, inconsistent ranks, duplicate names, a name too long),
 * -EPROTONOSUPPORT (an encoding older than v6 or newer than this decoder
 * can read: compat > 9), -E2BIG (more than MONMAP_MAX_MONS monitors),
 * -ENOMEM. A monitor without any usable address is kept (its v1/v2 are
 * AF_UNSPEC), and so is a map without monitors (n == 0): the decoder
 * reports what the map says, the caller decides what it can use.
 */
int monmap_decode(const void *buf, size_t len, struct monmap **out);

/* The front of an MMonMap message: a u32-length blob holding the above. */
int monmap_decode_msg(const void *front, size_t len, struct monmap **out);

void monmap_free(struct monmap *m);

/*
 * Encode @m as MonMap v9 with the fields this module knows (features
 * zero, no crush locations, no stretch mode). For tests and fuzzing: a
 * decoded map re-encodes to something that decodes to the same map.
 */

#endif
