/*
 * cephmds/mds_msgs.h: the messages a CephFS client exchanges with MDS
 * daemons, after Ceph's messages/MClientSession.h, MClientRequest.h,
 * MClientReply.h and MClientRequestForward.h and the kernel's
 * fs/ceph/mds_client.c: sessions (open, renew, close and what the MDS
 * sends on them), metadata requests, their replies and forwards.
 *
 * What the MDS sends depends on the CephFS features the client advertises
 * at REQUEST_OPEN (MDS_CLIENT_FEATURES: only what netfuse handles). With
 * REPLY_ENCODING the inode, dirfrag and lease records of a reply are
 * versioned structures, which is the only form decoded here: fields newer
 * than this decoder are skipped by their length, and an MDS that did not
 * see the bit (so sends the older, unversioned form) is refused at session
 * open, before any reply.
 *
 * Requests go out as the kernel sends them to an MDS without the
 * 32BITS_RETRY_FWD feature (Pacific before 16.2.14 copies the head as 98
 * raw bytes): message version 4, request head version 1. An MDS that has
 * the feature reads the same head by its version.
 *
 * The decoders are length-checked with one error exit (-EBADMSG, or
 * -EPROTONOSUPPORT for a structure version this decoder cannot read); what
 * they return points into the message (names, symlink targets, xattr
 * blobs, a readdir's entries), valid while it is.
 */
#ifndef NETFUSE_MDS_MSGS_H
#define NETFUSE_MDS_MSGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/wire.h"

/* message types */
#define CEPH_MSG_CLIENT_SESSION		22
#define CEPH_MSG_CLIENT_RECONNECT	23
#define CEPH_MSG_CLIENT_REQUEST		24
#define CEPH_MSG_CLIENT_REQUEST_FORWARD 25
#define CEPH_MSG_CLIENT_REPLY		26
#define CEPH_MSG_CLIENT_CAPS		0x310
#define CEPH_MSG_CLIENT_LEASE		0x311
#define CEPH_MSG_CLIENT_SNAP		0x312
#define CEPH_MSG_CLIENT_CAPRELEASE	0x313
#define CEPH_MSG_CLIENT_QUOTA		0x314

/* ---- sessions ---------------------------------------------------------------------------- */

enum mds_session_op {
	MDS_SESSION_REQUEST_OPEN = 0,
	MDS_SESSION_OPEN = 1,
	MDS_SESSION_REQUEST_CLOSE = 2,
	MDS_SESSION_CLOSE = 3,
	MDS_SESSION_REQUEST_RENEWCAPS = 4,
	MDS_SESSION_RENEWCAPS = 5,
	MDS_SESSION_STALE = 6,
	MDS_SESSION_RECALL_STATE = 7,
	MDS_SESSION_FLUSHMSG = 8,
	MDS_SESSION_FLUSHMSG_ACK = 9,
	MDS_SESSION_FORCE_RO = 10,
	MDS_SESSION_REJECT = 11,
	MDS_SESSION_REQUEST_FLUSH_MDLOG = 12,
};
const char *mds_session_op_name(uint32_t op);

/* CephFS feature bits (Ceph's cephfs_features.h). */
enum {
	CEPHFS_FEATURE_JEWEL = 5,
	CEPHFS_FEATURE_KRAKEN = 6,
	CEPHFS_FEATURE_LUMINOUS = 7,
	CEPHFS_FEATURE_MIMIC = 8,	   /* OPEN carries the MDS's features, REJECT a reason */
	CEPHFS_FEATURE_REPLY_ENCODING = 9, /* versioned inode, dirfrag and lease records */
	CEPHFS_FEATURE_RECLAIM_CLIENT = 10,
	CEPHFS_FEATURE_LAZY_CAP_WANTED = 11,
	CEPHFS_FEATURE_MULTI_RECONNECT = 12,
	CEPHFS_FEATURE_DELEG_INO = 13,
	CEPHFS_FEATURE_METRIC_COLLECT = 14,
	CEPHFS_FEATURE_ALTERNATE_NAME = 15,
	CEPHFS_FEATURE_NOTIFY_SESSION_STATE = 16,
	CEPHFS_FEATURE_OP_GETVXATTR = 17,
	CEPHFS_FEATURE_32BITS_RETRY_FWD = 18,
};

/* What netfuse handles, so all it advertises: the release markers, MIMIC
 * (the MDS's features in OPEN, a reason in REJECT), REPLY_ENCODING, and
 * NOTIFY_SESSION_STATE (a REQUEST_OPEN for a session the MDS still holds
 * is answered with OPEN, whose seq the client takes). */
#define MDS_CLIENT_FEATURES                                                                                            \
	(((1ull << (CEPHFS_FEATURE_REPLY_ENCODING + 1)) - 1) | (1ull << CEPHFS_FEATURE_NOTIFY_SESSION_STATE))

#define MDS_SESSION_FLAG_BLOCKLISTED 1u /* MClientSession v5 flags */

/* REQUEST_OPEN: the session's metadata (key, value pairs: the kernel sends
 * hostname, kernel_version, entity_id and root) and the features. */
struct mds_session_open {
	const char *const *meta; /* 2 * nmeta strings */
	unsigned nmeta;
	uint64_t features;
	uint64_t seq;
};
/* Message version 4 (metadata, features, an empty metric spec); returns
 * the header version to send with it, or 0 when the encoder failed. */
uint16_t mds_session_open_encode(struct wire_enc *e, const struct mds_session_open *o);
/* A head-only session message (REQUEST_CLOSE, REQUEST_RENEWCAPS,
 * FLUSHMSG_ACK): header version 1. */
uint16_t mds_session_head_encode(struct wire_enc *e, uint32_t op, uint64_t seq);

/* A session message from the MDS, by its header version. */
struct mds_session_msg {
	uint32_t op;
	uint64_t seq;
	uint32_t max_caps, max_leases; /* RECALL_STATE */
	bool have_features;	       /* v3+: the MDS's features follow */
	uint64_t features;	       /* their first 64 bits */
	uint32_t flags;		       /* v5+: MDS_SESSION_FLAG_* */
	char error[256];	       /* REJECT's metadata "error_string", "" none (cut to fit) */
};
int mds_session_decode(uint16_t version, const void *front, size_t len, struct mds_session_msg *out);

/* ---- requests ---------------------------------------------------------------------------- */

enum mds_op {
	MDS_OP_LOOKUP = 0x00100,
	MDS_OP_GETATTR = 0x00101,
	MDS_OP_LOOKUPHASH = 0x00102,
	MDS_OP_LOOKUPPARENT = 0x00103,
	MDS_OP_LOOKUPINO = 0x00104,
	MDS_OP_LOOKUPNAME = 0x00105,
	MDS_OP_SETXATTR = 0x01105,
	MDS_OP_RMXATTR = 0x01106,
	MDS_OP_SETLAYOUT = 0x01107,
	MDS_OP_SETATTR = 0x01108,
	MDS_OP_MKNOD = 0x01201,
	MDS_OP_LINK = 0x01202,
	MDS_OP_UNLINK = 0x01203,
	MDS_OP_RENAME = 0x01204,
	MDS_OP_MKDIR = 0x01220,
	MDS_OP_RMDIR = 0x01221,
	MDS_OP_SYMLINK = 0x01222,
	MDS_OP_CREATE = 0x01301,
	MDS_OP_OPEN = 0x00302,
	MDS_OP_READDIR = 0x00305,
};
#define MDS_OP_WRITE 0x01000 /* the ops that change the file system */
const char *mds_op_name(uint32_t op);

/* request flags */
#define MDS_REQ_FLAG_REPLAY	 1u
#define MDS_REQ_FLAG_WANT_DENTRY 2u

/* setattr's mask */
#define MDS_SETATTR_MODE      (1u << 0)
#define MDS_SETATTR_UID	      (1u << 1)
#define MDS_SETATTR_GID	      (1u << 2)
#define MDS_SETATTR_MTIME     (1u << 3)
#define MDS_SETATTR_ATIME     (1u << 4)
#define MDS_SETATTR_SIZE      (1u << 5)
#define MDS_SETATTR_CTIME     (1u << 6)
#define MDS_SETATTR_MTIME_NOW (1u << 7)
#define MDS_SETATTR_ATIME_NOW (1u << 8)
#define MDS_SETATTR_BTIME     (1u << 9)

/* open's flags as the wire spells them (not the host's O_*) */
#define MDS_O_RDONLY	0
#define MDS_O_WRONLY	1
#define MDS_O_RDWR	2
#define MDS_O_CREAT	0100
#define MDS_O_EXCL	0200
#define MDS_O_TRUNC	01000
#define MDS_O_DIRECTORY 0200000
#define MDS_O_NOFOLLOW	0400000

/* setxattr's flags */
#define MDS_XATTR_CREATE  1u
#define MDS_XATTR_REPLACE 2u

/* readdir: ask for the reply's flags word (hash order, offsets) */
#define MDS_READDIR_REPLY_BITFLAGS 1u

struct mds_timespec {
	uint32_t sec, nsec;
};

/*
 * The arguments of an op, encoded into the head's 56-byte union in the
 * shape the op takes: getattr (LOOKUP, GETATTR, LOOKUPINO...: mask),
 * setattr, readdir, mknod, mkdir, open (OPEN, CREATE), setxattr; the other
 * ops carry none.
 */
struct mds_req_args {
	uint32_t mask; /* getattr/lookup: caps wanted; setattr: MDS_SETATTR_* */
	uint32_t mode, uid, gid, rdev;
	struct mds_timespec mtime, atime, btime;
	uint64_t size, old_size;
	uint32_t frag, max_entries, max_bytes, offset_hash; /* readdir */
	uint16_t readdir_flags;
	uint32_t flags;					       /* open: MDS_O_*; setxattr: MDS_XATTR_* */
	uint32_t stripe_unit, stripe_count, object_size, pool; /* create's layout, 0: the directory's */
};

/* A path: relative to @ino ("" names @ino itself). */
struct mds_filepath {
	uint64_t ino;
	const char *path; /* NULL: "" */
};

/* A cap or dentry lease given back with a request. */
struct mds_release {
	uint64_t ino, cap_id;
	uint32_t caps, wanted, seq, issue_seq, mseq, dname_seq;
	const char *dname; /* a dentry lease's name, else NULL */
};

struct mds_request {
	uint64_t oldest_client_tid;
	uint32_t mdsmap_epoch;
	uint32_t flags; /* MDS_REQ_FLAG_* */
	uint32_t num_retry, num_fwd;
	uint32_t op;
	uint32_t caller_uid, caller_gid;
	uint64_t ino; /* a replayed create's inode, else 0 */
	struct mds_req_args args;
	struct mds_filepath path, path2;
	const struct mds_release *releases;
	unsigned nreleases;
	struct mds_timespec stamp;
	const uint32_t *gids; /* the caller's supplementary groups */
	unsigned ngids;
};
/* The front of an MClientRequest; returns the header version to send it
 * with, or 0 when encoding failed (a count that does not fit its field). */
uint16_t mds_request_encode(struct wire_enc *e, const struct mds_request *r);

/* MClientRequestForward: resend to @dest_mds with @num_fwd. */
struct mds_forward {
	int32_t dest_mds;
	uint32_t num_fwd;
	bool must_resend;
};
int mds_forward_decode(const void *front, size_t len, struct mds_forward *out);

/* ---- replies ----------------------------------------------------------------------------- */

/* The cap an inode record grants. */
struct mds_reply_cap {
	uint32_t caps, wanted;
	uint64_t cap_id;
	uint32_t seq, mseq;
	uint64_t realm;
	uint8_t flags; /* MDS_CAP_FLAG_* */
};
#define MDS_CAP_FLAG_AUTH    1
#define MDS_CAP_FLAG_RELEASE 2

/* Cap bits (CEPH_CAP_*): the pin, and the shared bits of the auth, link,
 * xattr and file locks; MDS_STAT_ALL asks a getattr for every attribute
 * (the kernel's CEPH_STAT_CAP_INODE_ALL). */
#define MDS_CAP_PIN	     1u
#define MDS_CAP_AUTH_SHARED  (1u << 2)
#define MDS_CAP_LINK_SHARED  (1u << 4)
#define MDS_CAP_XATTR_SHARED (1u << 6)
#define MDS_CAP_FILE_SHARED  (1u << 8)
/* and the rest a client holds: exclusive (x), the file's cache (Fc), read
 * (Fr), write (Fw), buffer (Fb) */
#define MDS_CAP_AUTH_EXCL   (1u << 3)
#define MDS_CAP_LINK_EXCL   (1u << 5)
#define MDS_CAP_XATTR_EXCL  (1u << 7)
#define MDS_CAP_FILE_EXCL   (1u << 9)
#define MDS_CAP_FILE_CACHE  (1u << 10)
#define MDS_CAP_FILE_RD	    (1u << 11)
#define MDS_CAP_FILE_WR	    (1u << 12)
#define MDS_CAP_FILE_BUFFER (1u << 13)
#define MDS_STAT_ALL                                                                                                   \
	(MDS_CAP_PIN | MDS_CAP_AUTH_SHARED | MDS_CAP_LINK_SHARED | MDS_CAP_XATTR_SHARED | MDS_CAP_FILE_SHARED)
/* A getattr of a directory's recursive figures (rbytes; CEPH_STAT_RSTAT,
 * the Fa bit): the MDS gathers them fresh, and no client's cap is taken. */
#define MDS_STAT_RSTAT (1u << 14)

/* Caps as the kernel writes them ("pAsLsXsFscr", "-" for none): the
 * length written (cut to fit @len). */
size_t mds_caps_format(uint32_t caps, char *buf, size_t len);

#define MDS_NOSNAP (UINT64_MAX - 1) /* the head, not a snapshot (CEPH_NOSNAP) */

/* An inode as a reply carries it (InodeStat). */
struct mds_inode {
	uint8_t struct_v;
	uint64_t ino, snapid;
	uint32_t rdev;
	uint64_t version, xattr_version; /* xattr_version 0: no xattrs sent */
	struct mds_reply_cap cap;
	uint32_t stripe_unit, stripe_count, object_size, pool;
	struct mds_timespec ctime, mtime, atime, btime, rctime, snap_btime;
	uint32_t time_warp_seq;
	uint64_t size, max_size, truncate_size;
	uint32_t truncate_seq;
	uint32_t mode, uid, gid, nlink;
	int64_t files, subdirs, rbytes, rfiles, rsubdirs, rsnaps;
	uint32_t nsplits; /* the fragtree's */
	const uint8_t *splits;
	const uint8_t *symlink;
	uint32_t symlink_len;
	uint8_t dir_hash;
	const uint8_t *xattrs; /* the blob: u32 count, then (string, blob) pairs */
	uint32_t xattrs_len;
	uint64_t inline_version;
	const uint8_t *inline_data;
	uint32_t inline_len;
	int64_t quota_max_bytes, quota_max_files;
	const uint8_t *pool_ns;
	uint32_t pool_ns_len;
	uint64_t change_attr;
	int32_t export_pin; /* -1 none (or not sent) */
};

struct mds_dirstat {
	uint32_t frag;
	int32_t auth;
	uint32_t ndist;
};

struct mds_lease {
	uint16_t mask; /* MDS_LEASE_VALID when a lease is granted */
	uint32_t duration_ms, seq;
};
#define MDS_LEASE_VALID 1

struct mds_reply {
	uint32_t op;
	int32_t result; /* 0 or -errno */
	uint32_t mdsmap_epoch;
	bool safe; /* false: an early (unsafe) reply; the safe one follows */
	bool is_dentry, is_target;
	/* the trace: the parent, its frag, the name and its lease (is_dentry),
	 * then the target (is_target) */
	struct mds_inode diri;
	struct mds_dirstat dirfrag;
	const uint8_t *dname;
	uint32_t dname_len;
	struct mds_lease dlease;
	struct mds_inode target;
	/* op-specific: a readdir's entries, a create's inode number */
	const uint8_t *extra;
	uint32_t extra_len;
	const uint8_t *snap; /* the snap realms' trace */
	uint32_t snap_len;
};
/* @out is large (two inodes): callers may allocate it. */
int mds_reply_decode(const void *front, size_t len, struct mds_reply *out);

/* A readdir reply's entries (its extra part), one at a time. */
#define MDS_READDIR_FRAG_END	  (1u << 0)
#define MDS_READDIR_FRAG_COMPLETE (1u << 8)
#define MDS_READDIR_HASH_ORDER	  (1u << 9)
#define MDS_READDIR_OFFSET_HASH	  (1u << 10)
struct mds_readdir {
	struct mds_dirstat dir;
	uint32_t count; /* entries in the reply */
	uint16_t flags; /* MDS_READDIR_* */
	uint32_t left;
	struct wire_dec d;
};
int mds_readdir_begin(struct mds_readdir *rd, const uint8_t *extra, uint32_t len);
/* The directory fragment after @frag (Ceph's frag_t: 8 bits of depth, 24
 * of value), or 0 when @frag is the last: where a listing goes on once a
 * reply says MDS_READDIR_FRAG_END. */
uint32_t mds_frag_next(uint32_t frag);
struct mds_dentry {
	const uint8_t *name;
	uint32_t name_len;
	struct mds_lease lease;
	struct mds_inode inode;
};
/* 1 with @out filled, 0 after the last (the input then ends there),
 * -EBADMSG. */
int mds_readdir_next(struct mds_readdir *rd, struct mds_dentry *out);

/* A CREATE reply's extra part: the inode it made (0 when it opened one
 * that was there). */
int mds_create_extra_decode(const uint8_t *extra, uint32_t len, uint64_t *ino);

/* ---- caps and leases ---------------------------------------------------------------------- */

/* MClientCaps ops */
enum mds_cap_op {
	MDS_CAP_OP_GRANT = 0,
	MDS_CAP_OP_REVOKE = 1,
	MDS_CAP_OP_TRUNC = 2,
	MDS_CAP_OP_EXPORT = 3,
	MDS_CAP_OP_IMPORT = 4,
	MDS_CAP_OP_UPDATE = 5,
	MDS_CAP_OP_DROP = 6,
	MDS_CAP_OP_FLUSH = 7,
	MDS_CAP_OP_FLUSH_ACK = 8,
	MDS_CAP_OP_FLUSHSNAP = 9,
	MDS_CAP_OP_FLUSHSNAP_ACK = 10,
	MDS_CAP_OP_RELEASE = 11,
	MDS_CAP_OP_RENEW = 12,
};

/* The head of an MClientCaps (ceph_mds_caps): what a client needs to
 * answer it; the attributes and the rest follow and are not read. */
struct mds_caps_head {
	uint32_t op;
	uint64_t ino, realm, cap_id;
	uint32_t seq, issue_seq, caps, wanted, dirty, migrate_seq;
};
int mds_caps_head_decode(const void *front, size_t len, struct mds_caps_head *out);

/* The cap's other side in an EXPORT (where it went) or IMPORT (where it
 * came from): ceph_mds_cap_peer. */
struct mds_cap_peer {
	uint64_t cap_id;
	uint32_t issue_seq, mseq;
	int32_t mds;   /* -1: none */
	uint8_t flags; /* MDS_CAP_FLAG_* */
};

/*
 * A whole MClientCaps: the 176-byte ceph_mds_caps (its body the inode's
 * size, times and layout, or an EXPORT's peer), then by header version the
 * snap trace, flock blob (2), an IMPORT's peer (3), inline data (4), the
 * OSD epoch barrier (5), oldest flush tid (6), caller (7), pool namespace
 * (8), btime and change attribute (9), flags (10), and a directory's
 * counts (11). The xattr blob is the message's middle segment, as long as
 * xattr_len says. Pointers point into the message.
 */
#define MDS_CAPS_VERSION 11
struct mds_caps_msg {
	struct mds_caps_head h;
	uint64_t snap_follows;
	uint32_t uid, gid, mode, nlink;
	uint32_t xattr_len;
	uint64_t xattr_version;
	uint64_t size, max_size, truncate_size;
	uint32_t truncate_seq;
	struct mds_timespec mtime, atime, ctime;
	uint32_t stripe_unit, stripe_count, object_size, pool;
	uint32_t time_warp_seq;
	bool have_peer; /* EXPORT (in the body), IMPORT (v3+) */
	struct mds_cap_peer peer;
	const uint8_t *snap_trace;
	uint32_t snap_trace_len;
	const uint8_t *flock;
	uint32_t flock_len;
	uint64_t inline_version; /* UINT64_MAX: none */
	const uint8_t *inline_data;
	uint32_t inline_len;
	uint32_t osd_epoch_barrier;
	uint64_t oldest_flush_tid;
	uint32_t caller_uid, caller_gid;
	const uint8_t *pool_ns;
	uint32_t pool_ns_len;
	struct mds_timespec btime;
	uint64_t change_attr;
	uint32_t flags;		  /* MDS_CAPS_FLAG_SYNC ... */
	int64_t nfiles, nsubdirs; /* -1: not sent */
	const uint8_t *xattrs;	  /* the middle segment */
};
#define MDS_CAPS_FLAG_SYNC 1u /* the MDS flushes its journal for it */
/* Decode the front and middle of a message of header @version: 0,
 * -EBADMSG (including a middle that is not xattr_len long). */
int mds_caps_decode(uint16_t version, const void *front, size_t len, const void *middle, size_t middle_len,
		    struct mds_caps_msg *out);
/* The front of a client's MClientCaps (an UPDATE, a FLUSH), header
 * version MDS_CAPS_VERSION; @m's xattr_len must be the length of the
 * middle segment sent with it (0 without one). Returns the version, or 0
 * when encoding failed (an EXPORT body or a snap trace: not a client's). */
uint16_t mds_caps_encode(struct wire_enc *e, const struct mds_caps_msg *m);

/* MClientCapRelease: caps given back (ceph_mds_cap_item each). */
struct mds_cap_item {
	uint64_t ino, cap_id;
	uint32_t migrate_seq, seq; /* seq: the cap's last issue the MDS sent */
};
/* Header version 2 (with no OSD epoch barrier); 0 when encoding failed. */
uint16_t mds_cap_release_encode(struct wire_enc *e, const struct mds_cap_item *items, unsigned n);

/* MClientReconnect: after an MDS restarts, the caps a session holds, so
 * the new MDS takes them over (the kernel's send_mds_reconnect). It goes
 * in the message's data segment (the front is empty), header version 5
 * as Nautilus and later: map<ino, cap_reconnect_t> (each a v2 struct: an
 * empty path, the packed ceph_mds_cap_reconnect, a lock blob with no
 * fcntl and no flock locks (netfuse's locks are NLM's), snap_follows 0),
 * no snap realms (the MDS tells us of any it has), and no "more". */
#define MDS_INO_ROOT 1 /* CEPH_INO_ROOT: the root's, and its snap realm's */
struct mds_cap_reconnect {
	uint64_t ino, cap_id;
	uint32_t wanted, issued;
	uint64_t realm;
};
uint16_t mds_reconnect_encode(struct wire_enc *e, const struct mds_cap_reconnect *caps, unsigned n);

/* MClientLease (ceph_mds_lease and the dentry's name). */
enum mds_lease_action {
	MDS_LEASE_REVOKE = 1,
	MDS_LEASE_RELEASE = 2,
	MDS_LEASE_RENEW = 3,
	MDS_LEASE_REVOKE_ACK = 4,
};
struct mds_lease_msg {
	uint8_t action;
	uint16_t mask;
	uint64_t ino, first, last;
	uint32_t seq, duration_ms;
	const uint8_t *dname;
	uint32_t dname_len;
};
int mds_lease_decode(const void *front, size_t len, struct mds_lease_msg *out);
/* Header version 1; 0 when encoding failed. */
uint16_t mds_lease_encode(struct wire_enc *e, const struct mds_lease_msg *l);

/* An inode's xattr blob, one (name, value) at a time: 1, 0 at the end,
 * -EBADMSG. */
struct mds_xattr_iter {
	struct wire_dec d;
	uint32_t left;
};
int mds_xattr_begin(struct mds_xattr_iter *it, const uint8_t *blob, uint32_t len);
int mds_xattr_next(struct mds_xattr_iter *it, const uint8_t **name, uint32_t *name_len, const uint8_t **value,
		   uint32_t *value_len);

#endif
