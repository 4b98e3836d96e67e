/*
 * test/lib/afs_server_enc.h: the server side's encoders of the AFS types
 * and replies that afs_rx/ decodes (see afs_server_enc.c). Tests only.
 */
#ifndef NETFUSE_TEST_AFS_SERVER_ENC_H
#define NETFUSE_TEST_AFS_SERVER_ENC_H

#include "afs_rx/afs_xdr.h"
#include "afs_rx/cb_xdr.h"
#include "afs_rx/fs_xdr.h"

void afs_enc_fetch_status(struct wire_enc *e, const struct afs_fetch_status *st);
void afs_enc_volsync(struct wire_enc *e, const struct afs_volsync *vs);
void afs_enc_fetch_volume_status(struct wire_enc *e, const struct afs_fetch_volume_status *vs);
void afs_enc_nvldbentry(struct wire_enc *e, const struct afs_nvldbentry *v);
void afs_enc_uvldbentry(struct wire_enc *e, const struct afs_uvldbentry *v);
void afs_enc_vl_addrs(struct wire_enc *e, const struct afs_vl_addrs *r);

/* The FS replies, as a fileserver writes them. */
void fs_enc_store_reply(struct wire_enc *e, const struct fs_store_reply *r);
void fs_enc_create_reply(struct wire_enc *e, const struct fs_create_reply *r);
void fs_enc_symlink_reply(struct wire_enc *e, const struct fs_create_reply *r);
void fs_enc_link_reply(struct wire_enc *e, const struct fs_link_reply *r);
void fs_enc_rename_reply(struct wire_enc *e, const struct fs_rename_reply *r);
void fs_enc_bulk_status_reply(struct wire_enc *e, const struct fs_bulk_status_reply *r);
void fs_enc_volume_status_reply(struct wire_enc *e, const struct fs_volume_status_reply *r);
void fs_enc_capabilities_reply(struct wire_enc *e, const struct fs_capabilities *r);

/* A callback request, as a fileserver sends it to the CB service. */
void cb_request_encode(struct wire_enc *e, const struct cb_request *req);

#endif
