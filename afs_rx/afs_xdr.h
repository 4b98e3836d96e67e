/*
 * afs_rx/afs_xdr.h: XDR decoders and encoders, built on xdr.h, of the AFS
 * types (afs_types.h) netfuse's VL and FS clients carry in Rx call bodies.
 * Internal to the AFS layer (and its tests and fuzz targets).
 *
 * Layouts from OpenAFS src/fsint/common.xg, afsint.xg and
 * src/vlserver/vldbint.xg as rxgen compiles them (every field one XDR unit;
 * `char x[N]` N units, one per char), checked against bytes written by
 * OpenAFS 1.8.9's generated xdr_* routines (see test/unit/test_afs_xdr.c).
 * Written by hand: there is no rxgen for netfuse, and the few types a client
 * needs are simpler to read as C than as generated code.
 *
 * Decoders check only what makes a value unusable (a VL name without its
 * NUL, a server count beyond the arrays, a count over an array's bound);
 * what a field means is left to the caller, except that
 * afs_fetch_status_check() applies kAFS's rules for AFSFetchStatus.
 * Every decoder fills its output only on success.
 */
#ifndef NETFUSE_AFS_XDR_H
#define NETFUSE_AFS_XDR_H

#include <stdbool.h>
#include <stdint.h>

#include "afs_rx/afs_types.h"
#include "afs_rx/xdr.h"

int afs_dec_fid(struct wire_dec *d, struct afs_fid *fid);
void afs_enc_fid(struct wire_enc *e, const struct afs_fid *fid);
int afs_dec_fetch_status(struct wire_dec *d, struct afs_fetch_status *st);
int afs_dec_callback(struct wire_dec *d, struct afs_callback *cb);
void afs_enc_callback(struct wire_enc *e, const struct afs_callback *cb);
int afs_dec_volsync(struct wire_dec *d, struct afs_volsync *vs);
int afs_dec_store_status(struct wire_dec *d, struct afs_store_status *ss);
void afs_enc_store_status(struct wire_enc *e, const struct afs_store_status *ss);
int afs_dec_fetch_volume_status(struct wire_dec *d, struct afs_fetch_volume_status *vs);

int afs_dec_uuid(struct wire_dec *d, struct afs_uuid *u);
/* The char fields sign-extended, byte for byte what OpenAFS writes. */
void afs_enc_uuid(struct wire_enc *e, const struct afs_uuid *u);

#define VLGETENTRYBYNAMEN 519
#define VLGETENTRYBYNAMEU 527
#define VLGETADDRSU	  533

/* -EBADMSG also for a name without a NUL in its 65 chars or nServers
 * outside 0..13 (kAFS clamps the latter; a VL server never sends it). */
int afs_dec_nvldbentry(struct wire_dec *d, struct afs_nvldbentry *v);
int afs_dec_uvldbentry(struct wire_dec *d, struct afs_uvldbentry *v);

int afs_dec_list_addr_by_attributes(struct wire_dec *d, struct afs_list_addr_by_attributes *a);
void afs_enc_list_addr_by_attributes(struct wire_enc *e, const struct afs_list_addr_by_attributes *a);

int afs_dec_vl_addrs(struct wire_dec *d, struct afs_vl_addrs *r);

/*
 * kAFS's rules (fs/afs/fsclient.c xdr_decode_AFSFetchStatus): 0 for a usable
 * status; AFS_STATUS_INLINE_ERROR when @inline_bulk (an FS.InlineBulkStatus
 * entry) carries a non-zero error_code, the entry's abort code (OpenAFS
 * leaves interface_version 0 in that case, which is accepted); -EBADMSG for
 * another interface version or a file type that is not file, directory or
 * symlink.
 */
#define AFS_STATUS_INLINE_ERROR 1
int afs_fetch_status_check(const struct afs_fetch_status *st, bool inline_bulk);

#endif
