/*
 * test/lib/afs_server_enc.c: what an AFS fileserver and VL server write and
 * a cache manager only reads -- fetch status, volsync, volume status, VLDB
 * entries, server addresses, the FS replies and the callback requests --
 * for the fake servers of the unit tests and the fuzz targets' round
 * trips. netfuse itself never encodes these, so they live under test/.
 */
#include "config.h"

#include "test/lib/afs_server_enc.h"

#include <string.h>

static void enc_words(struct wire_enc *e, const uint32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		wire_enc_be32(e, w[i]);
}

static void enc_swords(struct wire_enc *e, const int32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		xdr_enc_s32(e, w[i]);
}

static void enc_vl_name(struct wire_enc *e, const char name[AFS_VL_MAXNAMELEN])
{
	xdr_enc_chars(e, name, AFS_VL_MAXNAMELEN);
}

void afs_enc_fetch_status(struct wire_enc *e, const struct afs_fetch_status *st)
{
	uint32_t w[AFS_FETCH_STATUS_WORDS];

	memcpy(w, st, sizeof(w));
	enc_words(e, w, AFS_FETCH_STATUS_WORDS);
}

void afs_enc_volsync(struct wire_enc *e, const struct afs_volsync *vs)
{
	wire_enc_be32(e, vs->creation);
	enc_words(e, vs->spare, 5);
}

void afs_enc_fetch_volume_status(struct wire_enc *e, const struct afs_fetch_volume_status *vs)
{
	xdr_enc_s32(e, vs->vid);
	xdr_enc_s32(e, vs->parent_id);
	xdr_enc_char_bytes(e, &vs->online, 1);
	xdr_enc_char_bytes(e, &vs->in_service, 1);
	xdr_enc_char_bytes(e, &vs->blessed, 1);
	xdr_enc_char_bytes(e, &vs->needs_salvage, 1);
	xdr_enc_s32(e, vs->type);
	xdr_enc_s32(e, vs->min_quota);
	xdr_enc_s32(e, vs->max_quota);
	xdr_enc_s32(e, vs->blocks_in_use);
	xdr_enc_s32(e, vs->part_blocks_avail);
	xdr_enc_s32(e, vs->part_max_blocks);
}

void afs_enc_nvldbentry(struct wire_enc *e, const struct afs_nvldbentry *v)
{
	enc_vl_name(e, v->name);
	xdr_enc_s32(e, v->nservers);
	enc_words(e, v->server_number, AFS_NMAXNSERVERS);
	enc_swords(e, v->server_partition, AFS_NMAXNSERVERS);
	enc_swords(e, v->server_flags, AFS_NMAXNSERVERS);
	enc_words(e, v->volume_id, AFS_MAXTYPES);
	wire_enc_be32(e, v->clone_id);
	xdr_enc_s32(e, v->flags);
	xdr_enc_s32(e, v->matchindex);
	enc_swords(e, v->spares, 8);
}

void afs_enc_uvldbentry(struct wire_enc *e, const struct afs_uvldbentry *v)
{
	enc_vl_name(e, v->name);
	xdr_enc_s32(e, v->nservers);
	for (int i = 0; i < AFS_NMAXNSERVERS; i++)
		afs_enc_uuid(e, &v->server_number[i]);
	enc_swords(e, v->server_unique, AFS_NMAXNSERVERS);
	enc_swords(e, v->server_partition, AFS_NMAXNSERVERS);
	enc_swords(e, v->server_flags, AFS_NMAXNSERVERS);
	enc_words(e, v->volume_id, AFS_MAXTYPES);
	wire_enc_be32(e, v->clone_id);
	xdr_enc_s32(e, v->flags);
	xdr_enc_s32(e, v->matchindex);
	enc_swords(e, v->spares, 8);
}

void afs_enc_vl_addrs(struct wire_enc *e, const struct afs_vl_addrs *r)
{
	if (r->naddrs > AFS_VL_MAXADDRS) {
		wire_enc_fail(e, -EINVAL);
		return;
	}
	afs_enc_uuid(e, &r->uuid);
	xdr_enc_s32(e, r->uniquifier);
	xdr_enc_s32(e, r->nentries);
	wire_enc_be32(e, r->naddrs);
	enc_words(e, r->addrs, r->naddrs);
}

void fs_enc_store_reply(struct wire_enc *e, const struct fs_store_reply *r)
{
	afs_enc_fetch_status(e, &r->status);
	afs_enc_volsync(e, &r->volsync);
}

void fs_enc_create_reply(struct wire_enc *e, const struct fs_create_reply *r)
{
	afs_enc_fid(e, &r->fid);
	afs_enc_fetch_status(e, &r->status);
	afs_enc_fetch_status(e, &r->dir_status);
	afs_enc_callback(e, &r->callback);
	afs_enc_volsync(e, &r->volsync);
}

void fs_enc_symlink_reply(struct wire_enc *e, const struct fs_create_reply *r)
{
	afs_enc_fid(e, &r->fid);
	afs_enc_fetch_status(e, &r->status);
	afs_enc_fetch_status(e, &r->dir_status);
	afs_enc_volsync(e, &r->volsync);
}

void fs_enc_link_reply(struct wire_enc *e, const struct fs_link_reply *r)
{
	afs_enc_fetch_status(e, &r->status);
	afs_enc_fetch_status(e, &r->dir_status);
	afs_enc_volsync(e, &r->volsync);
}

void fs_enc_rename_reply(struct wire_enc *e, const struct fs_rename_reply *r)
{
	afs_enc_fetch_status(e, &r->old_dir_status);
	afs_enc_fetch_status(e, &r->new_dir_status);
	afs_enc_volsync(e, &r->volsync);
}

void fs_enc_bulk_status_reply(struct wire_enc *e, const struct fs_bulk_status_reply *r)
{
	if (r->n > AFS_CBMAX) {
		wire_enc_fail(e, -EINVAL);
		return;
	}
	wire_enc_be32(e, r->n);
	for (uint32_t i = 0; i < r->n; i++)
		afs_enc_fetch_status(e, &r->status[i]);
	wire_enc_be32(e, r->n);
	for (uint32_t i = 0; i < r->n; i++)
		afs_enc_callback(e, &r->callback[i]);
	afs_enc_volsync(e, &r->volsync);
}

void fs_enc_volume_status_reply(struct wire_enc *e, const struct fs_volume_status_reply *r)
{
	afs_enc_fetch_volume_status(e, &r->status);
	xdr_enc_string(e, r->name, AFS_NAMEMAX);
	xdr_enc_string(e, r->offline_msg, AFS_OPAQUEMAX);
	xdr_enc_string(e, r->motd, AFS_OPAQUEMAX);
}

void fs_enc_capabilities_reply(struct wire_enc *e, const struct fs_capabilities *r)
{
	if (r->n > AFS_CAPABILITIES_MAX) {
		wire_enc_fail(e, -EINVAL);
		return;
	}
	wire_enc_be32(e, r->n);
	for (uint32_t i = 0; i < r->n; i++)
		wire_enc_be32(e, r->words[i]);
}

void cb_request_encode(struct wire_enc *e, const struct cb_request *req)
{
	wire_enc_be32(e, req->op);
	switch (req->op) {
	case AFSCB_CALLBACK:
		wire_enc_be32(e, req->nfids);
		for (unsigned i = 0; i < req->nfids && i < AFSCB_MAX; i++)
			afs_enc_fid(e, &req->fids[i]);
		wire_enc_be32(e, req->ncbs);
		for (unsigned i = 0; i < req->ncbs && i < AFSCB_MAX; i++)
			afs_enc_callback(e, &req->cbs[i]);
		break;
	case AFSCB_INITCALLBACKSTATE3:
	case AFSCB_PROBEUUID:
		afs_enc_uuid(e, &req->uuid);
		break;
	default:
		break;
	}
}
