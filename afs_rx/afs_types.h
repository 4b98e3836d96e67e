/*
 * afs_rx/afs_types.h: the AFS values netfuse's VL and FS clients exchange
 * with servers, as C types: FIDs, file and volume status, callback
 * promises, VLDB entries, server addresses, and the FS replies. What a
 * cache manager holds and passes around; how they travel is internal
 * (afs_xdr.h and fs_xdr.h, from OpenAFS src/fsint/common.xg, afsint.xg and
 * src/vlserver/vldbint.xg).
 */
#ifndef NETFUSE_AFS_TYPES_H
#define NETFUSE_AFS_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* ---- common.xg / afsint.xg -------------------------------------------------- */

struct afs_fid {
	uint32_t volume;
	uint32_t vnode;
	uint32_t unique;
};

#define AFS_FSTATUS_VERSION 1
#define AFS_FTYPE_FILE	    1
#define AFS_FTYPE_DIR	    2
#define AFS_FTYPE_SYMLINK   3

/* AFSFetchStatus: 21 words, in wire order. */
struct afs_fetch_status {
	uint32_t interface_version; /* 1 */
	uint32_t file_type;
	uint32_t link_count;
	uint32_t length; /* low 32 bits; length_hi holds the rest */
	uint32_t data_version;
	uint32_t author;
	uint32_t owner;
	uint32_t caller_access;
	uint32_t anonymous_access;
	uint32_t unix_mode_bits;
	uint32_t parent_vnode;
	uint32_t parent_unique;
	uint32_t residency_mask; /* "SegSize" in kAFS; unused */
	uint32_t client_mod_time;
	uint32_t server_mod_time;
	uint32_t group;
	uint32_t sync_counter;
	uint32_t data_version_high;
	uint32_t lock_count;
	uint32_t length_hi;
	uint32_t error_code; /* an abort code, in FS.InlineBulkStatus replies */
};
#define AFS_FETCH_STATUS_WORDS 21

static inline uint64_t afs_fetch_status_size(const struct afs_fetch_status *st)
{
	return (uint64_t)st->length_hi << 32 | st->length;
}

static inline uint64_t afs_fetch_status_data_version(const struct afs_fetch_status *st)
{
	return (uint64_t)st->data_version_high << 32 | st->data_version;
}

#define AFSCB_EXCLUSIVE 1
#define AFSCB_SHARED	2
#define AFSCB_DROPPED	3

struct afs_callback {
	uint32_t version;
	uint32_t expiration_time; /* seconds from when the call was made */
	uint32_t type;
};

struct afs_volsync {
	uint32_t creation; /* spare1: the volume's creation date (kAFS) */
	uint32_t spare[5];
};

/* AFSStoreStatus.mask bits */
#define AFS_SETMODTIME 1
#define AFS_SETOWNER   2
#define AFS_SETGROUP   4
#define AFS_SETMODE    8
#define AFS_SETSEGSIZE 16
#define AFS_FSYNC      1024

struct afs_store_status {
	uint32_t mask;
	uint32_t client_mod_time;
	uint32_t owner;
	uint32_t group;
	uint32_t unix_mode_bits;
	uint32_t seg_size;
};

/* Bounds from common.xg. */
#define AFS_NAMEMAX	     256  /* string Name<AFSNAMEMAX> */
#define AFS_PATHMAX	     1024 /* string LinkContents<AFSPATHMAX> */
#define AFS_OPAQUEMAX	     1024 /* AFSOpaque, OfflineMsg, Motd */
#define AFS_CBMAX	     50	  /* AFSCBFids, AFSCBs, AFSBulkStats */
#define AFS_CAPABILITIES_MAX 196  /* Capabilities<AFSCAPABILITIESMAX> */

/* Fileserver capability bits (GetCapabilities word 0, afsint.xg). */
#define AFS_VICED_CAPABILITY_ERRORTRANS	  0x0001
#define AFS_VICED_CAPABILITY_64BITFILES	  0x0002
#define AFS_VICED_CAPABILITY_WRITELOCKACL 0x0004
#define AFS_VICED_CAPABILITY_SANEACLS	  0x0008

/* AFSFetchVolumeStatus (afsint.xg): 12 XDR units; the four flags are
 * rxgen chars, one unit each, of which only the low byte counts. */
struct afs_fetch_volume_status {
	int32_t vid;
	int32_t parent_id;
	uint8_t online;
	uint8_t in_service;
	uint8_t blessed;
	uint8_t needs_salvage;
	int32_t type; /* 0 read-only, 1 read-write */
	int32_t min_quota;
	int32_t max_quota; /* KiB, 0: none */
	int32_t blocks_in_use;
	int32_t part_blocks_avail;
	int32_t part_max_blocks;
};
#define AFS_FETCH_VOLUME_STATUS_WORDS 12

/* ---- afsUUID (rx/xdr_afsuuid.c): 11 XDR units ------------------------------ */

struct afs_uuid {
	uint32_t time_low;
	uint16_t time_mid;
	uint16_t time_hi_and_version;
	uint8_t clock_seq_hi_and_reserved;
	uint8_t clock_seq_low;
	uint8_t node[6];
};
#define AFS_UUID_WORDS 11

/* ---- vldbint.xg --------------------------------------------------------------- */

#define AFS_VL_MAXNAMELEN 65 /* with the NUL */
#define AFS_NMAXNSERVERS  13
#define AFS_MAXTYPES	  3
#define AFS_VL_MAXADDRS	  500 /* bulkaddrs<500> */

/* volume_id[] index */
#define AFS_RWVOL   0
#define AFS_ROVOL   1
#define AFS_BACKVOL 2

/* vldbentry flags */
#define AFS_VLF_RWEXISTS   0x1000
#define AFS_VLF_ROEXISTS   0x2000
#define AFS_VLF_BACKEXISTS 0x4000
#define AFS_VLF_DFSFILESET 0x8000

/* server_flags[] */
#define AFS_VLSF_NEWREPSITE 0x01
#define AFS_VLSF_ROVOL	    0x02
#define AFS_VLSF_RWVOL	    0x04
#define AFS_VLSF_BACKVOL    0x08
#define AFS_VLSF_UUID	    0x10 /* server_number[] is a UUID to resolve with GetAddrsU */
#define AFS_VLSF_DONTUSE    0x20
#define AFS_VLSF_RWREPLICA  0x40

/* nvldbentry (VL.GetEntryByNameN): servers named by IPv4 address (host order). */
struct afs_nvldbentry {
	char name[AFS_VL_MAXNAMELEN];
	int32_t nservers; /* 0..13 */
	uint32_t server_number[AFS_NMAXNSERVERS];
	int32_t server_partition[AFS_NMAXNSERVERS];
	int32_t server_flags[AFS_NMAXNSERVERS];
	uint32_t volume_id[AFS_MAXTYPES];
	uint32_t clone_id;
	int32_t flags;
	int32_t matchindex;
	int32_t spares[8]; /* spares2..spares9 */
};
#define AFS_NVLDBENTRY_WORDS (65 + 1 + 3 * 13 + 3 + 3 + 8)

/* uvldbentry (VL.GetEntryByNameU): servers named by UUID. */
struct afs_uvldbentry {
	char name[AFS_VL_MAXNAMELEN];
	int32_t nservers; /* 0..13 */
	struct afs_uuid server_number[AFS_NMAXNSERVERS];
	int32_t server_unique[AFS_NMAXNSERVERS];
	int32_t server_partition[AFS_NMAXNSERVERS];
	int32_t server_flags[AFS_NMAXNSERVERS];
	uint32_t volume_id[AFS_MAXTYPES];
	uint32_t clone_id;
	int32_t flags;
	int32_t matchindex;
	int32_t spares[8]; /* spares2..spares9 */
};
#define AFS_UVLDBENTRY_WORDS (65 + 1 + 13 * AFS_UUID_WORDS + 3 * 13 + 3 + 3 + 8)

/* ListAddrByAttributes (VL.GetAddrsU's argument). */
#define AFS_VLADDR_IPADDR 0x1
#define AFS_VLADDR_INDEX  0x2
#define AFS_VLADDR_UUID	  0x4

struct afs_list_addr_by_attributes {
	int32_t mask;
	uint32_t ipaddr;
	int32_t index;
	int32_t spare1;
	struct afs_uuid uuid;
};

/*
 * VL.GetAddrsU's reply: uuid, uniquifier, nentries, bulkaddrs<500>. kAFS
 * uses min(nentries, naddrs) addresses; both are returned as sent.
 */
struct afs_vl_addrs {
	struct afs_uuid uuid;
	int32_t uniquifier;
	int32_t nentries;
	uint32_t naddrs;
	uint32_t addrs[AFS_VL_MAXADDRS]; /* IPv4, host order */
};

/* ---- FS replies ------------------------------------------------------------------ */

/* StoreData64, StoreStatus, RemoveFile: the file's (RemoveFile: the
 * directory's) new status. RemoveDir: the directory's. */
struct fs_store_reply {
	struct afs_fetch_status status;
	struct afs_volsync volsync;
};

/* CreateFile, MakeDir, Symlink: the new vnode, its status, the parent
 * directory's new status; a callback promise on the new vnode (CreateFile
 * and MakeDir only: Symlink's reply has none and leaves it zero). */
struct fs_create_reply {
	struct afs_fid fid;
	struct afs_fetch_status status;
	struct afs_fetch_status dir_status;
	struct afs_callback callback;
	struct afs_volsync volsync;
};

/* Link: the existing vnode's status (its link count went up) and the
 * directory's. */
struct fs_link_reply {
	struct afs_fetch_status status;
	struct afs_fetch_status dir_status;
	struct afs_volsync volsync;
};

/* Rename: both directories' statuses (the same directory twice when the
 * rename stays in one). */
struct fs_rename_reply {
	struct afs_fetch_status old_dir_status;
	struct afs_fetch_status new_dir_status;
	struct afs_volsync volsync;
};

/*
 * InlineBulkStatus: one status and callback per FID asked, in order. An
 * entry whose status[i].error_code is not 0 failed (the code is an abort
 * code: afs_abort_to_errno); its other fields mean nothing.
 */
struct fs_bulk_status_reply {
	uint32_t n;
	struct afs_fetch_status status[AFS_CBMAX];
	struct afs_callback callback[AFS_CBMAX];
	struct afs_volsync volsync;
};

/* GetVolumeStatus: the strings NUL-terminated (the wire forbids none,
 * but a NUL inside one is rejected: it could not become a C string). */
struct fs_volume_status_reply {
	struct afs_fetch_volume_status status;
	char name[AFS_NAMEMAX + 1];
	char offline_msg[AFS_OPAQUEMAX + 1];
	char motd[AFS_OPAQUEMAX + 1];
};

/* GetCapabilities: words[0] holds AFS_VICED_CAPABILITY_* bits. */
struct fs_capabilities {
	uint32_t n;
	uint32_t words[AFS_CAPABILITIES_MAX];
};

#endif
