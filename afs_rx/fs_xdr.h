/*
 * afs_rx/fs_xdr.h: the request bodies and reply bodies of the file server
 * RPCs (package RXAFS_) netfuse makes, apart from the transport, so that
 * each reply decoder can be unit-tested and fuzzed on bytes alone
 * (fs_client.c runs them over Rx).
 *
 * Layouts from OpenAFS src/fsint/afsint.xg and common.xg as rxgen
 * marshals them: the opcode as one XDR int, the IN arguments in order; the
 * reply holds the OUT arguments in order and nothing else. Facts checked
 * against the fileserver (src/viced/afsfileprocs.c) and kAFS
 * (fs/afs/fsclient.c):
 *  - StoreData64 (split): the fixed arguments, then exactly Length raw
 *    bytes in the same request stream, no XDR padding; the reply is
 *    AFSFetchStatus + AFSVolSync;
 *  - InlineBulkStatus: AFSBulkStats<50>, AFSCBs<50>, AFSVolSync; an entry
 *    the server could not stat carries its abort code in errorCode (with
 *    InterfaceVersion 1, or 0 from older servers) instead of failing the
 *    call; kAFS rejects a reply whose counts differ from the FIDs asked
 *    for, and so does this;
 *  - GetVolumeStatus: AFSFetchVolumeStatus, then three strings (Name<256>,
 *    OfflineMsg<1024>, Motd<1024>);
 *  - GetCapabilities: Capabilities<196>, an array of u32 words;
 *  - GiveUpCallBacks: an empty reply.
 *
 * Every decoder reads the whole reply, rejects trailing bytes and counts
 * over their bound or beyond the bytes sent, applies
 * afs_fetch_status_check() to every status (so a status of an unknown
 * interface version or file type is -EBADMSG), and fills its output only
 * on success. Encoders return the sticky encoder error: -EINVAL for a name
 * over its bound or more than 50 FIDs.
 */
#ifndef NETFUSE_FS_XDR_H
#define NETFUSE_FS_XDR_H

#include <stddef.h>
#include <stdint.h>

#include "afs_rx/afs_types.h"
#include "afs_rx/afs_xdr.h"

/* Opcodes (afsint.xg). */
#define AFS_FS_FETCHDATA	130
#define AFS_FS_FETCHSTATUS	132
#define AFS_FS_STORESTATUS	135
#define AFS_FS_REMOVEFILE	136
#define AFS_FS_CREATEFILE	137
#define AFS_FS_RENAME		138
#define AFS_FS_SYMLINK		139
#define AFS_FS_LINK		140
#define AFS_FS_MAKEDIR		141
#define AFS_FS_REMOVEDIR	142
#define AFS_FS_GIVEUPCALLBACKS	147
#define AFS_FS_GETVOLUMESTATUS	149
#define AFS_FS_INLINEBULKSTATUS 65536
#define AFS_FS_FETCHDATA64	65537
#define AFS_FS_STOREDATA64	65538
#define AFS_FS_GETCAPABILITIES	65540

/* The largest reply bodies, for the stubs' receive buffers. */
#define FS_STORE_REPLY_LEN	   (4 * (AFS_FETCH_STATUS_WORDS + 6))
#define FS_CREATE_REPLY_LEN	   (4 * (3 + 2 * AFS_FETCH_STATUS_WORDS + 3 + 6))
#define FS_SYMLINK_REPLY_LEN	   (4 * (3 + 2 * AFS_FETCH_STATUS_WORDS + 6))
#define FS_LINK_REPLY_LEN	   (4 * (2 * AFS_FETCH_STATUS_WORDS + 6))
#define FS_BULK_STATUS_REPLY_MAX   (4 * (1 + AFS_CBMAX * AFS_FETCH_STATUS_WORDS + 1 + AFS_CBMAX * 3 + 6))
#define FS_VOLUME_STATUS_REPLY_MAX (4 * AFS_FETCH_VOLUME_STATUS_WORDS + 4 + AFS_NAMEMAX + 2 * (4 + AFS_OPAQUEMAX))
#define FS_CAPABILITIES_REPLY_MAX  (4 * (1 + AFS_CAPABILITIES_MAX))

/* ---- requests ------------------------------------------------------------------------------------------ */

/* StoreData64's fixed arguments; @length raw bytes follow them. */
void fs_enc_store_data64(struct wire_enc *e, const struct afs_fid *fid, const struct afs_store_status *ss, uint64_t pos,
			 uint64_t length, uint64_t file_length);
void fs_enc_store_status(struct wire_enc *e, const struct afs_fid *fid, const struct afs_store_status *ss);
/* CreateFile and MakeDir (@opcode picks). */
void fs_enc_create(struct wire_enc *e, uint32_t opcode, const struct afs_fid *dir, const char *name,
		   const struct afs_store_status *ss);
/* RemoveFile and RemoveDir (@opcode picks). */
void fs_enc_remove(struct wire_enc *e, uint32_t opcode, const struct afs_fid *dir, const char *name);
void fs_enc_rename(struct wire_enc *e, const struct afs_fid *old_dir, const char *old_name,
		   const struct afs_fid *new_dir, const char *new_name);
void fs_enc_symlink(struct wire_enc *e, const struct afs_fid *dir, const char *name, const char *target,
		    const struct afs_store_status *ss);
void fs_enc_link(struct wire_enc *e, const struct afs_fid *dir, const char *name, const struct afs_fid *existing);
void fs_enc_inline_bulk_status(struct wire_enc *e, const struct afs_fid *fids, unsigned n);
/* @cbs may be NULL: then an empty AFSCBs, as OpenAFS's cache manager
 * sends (the server ignores it); otherwise @n entries. */
void fs_enc_give_up_callbacks(struct wire_enc *e, const struct afs_fid *fids, const struct afs_callback *cbs,
			      unsigned n);
void fs_enc_get_volume_status(struct wire_enc *e, uint32_t volume);
void fs_enc_get_capabilities(struct wire_enc *e);

/* ---- replies: 0 or -EBADMSG ------------------------------------------------------------------------------ */

int fs_dec_store_reply(const uint8_t *buf, size_t len, struct fs_store_reply *out);
int fs_dec_create_reply(const uint8_t *buf, size_t len, struct fs_create_reply *out);
int fs_dec_symlink_reply(const uint8_t *buf, size_t len, struct fs_create_reply *out);
int fs_dec_link_reply(const uint8_t *buf, size_t len, struct fs_link_reply *out);
int fs_dec_rename_reply(const uint8_t *buf, size_t len, struct fs_rename_reply *out);
/* @nfids: how many FIDs were asked for; both arrays must have that many. */
int fs_dec_bulk_status_reply(const uint8_t *buf, size_t len, unsigned nfids, struct fs_bulk_status_reply *out);
int fs_dec_volume_status_reply(const uint8_t *buf, size_t len, struct fs_volume_status_reply *out);
int fs_dec_capabilities_reply(const uint8_t *buf, size_t len, struct fs_capabilities *out);
/* GiveUpCallBacks: nothing may come back. */
int fs_dec_empty_reply(const uint8_t *buf, size_t len);

/* The encoders of those replies, as a fileserver would write them (for
 * tests and the fuzz target's round trips). */

#endif
