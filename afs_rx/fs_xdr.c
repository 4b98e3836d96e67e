/*
 * afs_rx/fs_xdr.c: request and reply bodies of the file server RPCs (see
 * fs_xdr.h), written by hand from OpenAFS afsint.xg on afs_xdr.h. Each
 * decoder works on a local copy and copies it out once the whole reply has
 * been read and checked; a status that afs_fetch_status_check() refuses
 * makes the whole reply malformed.
 */
#include "config.h"

#include "fs_xdr.h"

#include <errno.h>
#include <string.h>

/* ---- requests ------------------------------------------------------------------------------------------ */

void fs_enc_store_data64(struct wire_enc *e, const struct afs_fid *fid, const struct afs_store_status *ss, uint64_t pos,
			 uint64_t length, uint64_t file_length)
{
	wire_enc_be32(e, AFS_FS_STOREDATA64);
	afs_enc_fid(e, fid);
	afs_enc_store_status(e, ss);
	wire_enc_be64(e, pos);
	wire_enc_be64(e, length);
	wire_enc_be64(e, file_length);
}

void fs_enc_store_status(struct wire_enc *e, const struct afs_fid *fid, const struct afs_store_status *ss)
{
	wire_enc_be32(e, AFS_FS_STORESTATUS);
	afs_enc_fid(e, fid);
	afs_enc_store_status(e, ss);
}

void fs_enc_create(struct wire_enc *e, uint32_t opcode, const struct afs_fid *dir, const char *name,
		   const struct afs_store_status *ss)
{
	if (opcode != AFS_FS_CREATEFILE && opcode != AFS_FS_MAKEDIR) {
		wire_enc_fail(e, -EINVAL);
		return;
	}
	wire_enc_be32(e, opcode);
	afs_enc_fid(e, dir);
	xdr_enc_string(e, name, AFS_NAMEMAX);
	afs_enc_store_status(e, ss);
}

void fs_enc_remove(struct wire_enc *e, uint32_t opcode, const struct afs_fid *dir, const char *name)
{
	if (opcode != AFS_FS_REMOVEFILE && opcode != AFS_FS_REMOVEDIR) {
		wire_enc_fail(e, -EINVAL);
		return;
	}
	wire_enc_be32(e, opcode);
	afs_enc_fid(e, dir);
	xdr_enc_string(e, name, AFS_NAMEMAX);
}

void fs_enc_rename(struct wire_enc *e, const struct afs_fid *old_dir, const char *old_name,
		   const struct afs_fid *new_dir, const char *new_name)
{
	wire_enc_be32(e, AFS_FS_RENAME);
	afs_enc_fid(e, old_dir);
	xdr_enc_string(e, old_name, AFS_NAMEMAX);
	afs_enc_fid(e, new_dir);
	xdr_enc_string(e, new_name, AFS_NAMEMAX);
}

void fs_enc_symlink(struct wire_enc *e, const struct afs_fid *dir, const char *name, const char *target,
		    const struct afs_store_status *ss)
{
	wire_enc_be32(e, AFS_FS_SYMLINK);
	afs_enc_fid(e, dir);
	xdr_enc_string(e, name, AFS_NAMEMAX);
	xdr_enc_string(e, target, AFS_PATHMAX);
	afs_enc_store_status(e, ss);
}

void fs_enc_link(struct wire_enc *e, const struct afs_fid *dir, const char *name, const struct afs_fid *existing)
{
	wire_enc_be32(e, AFS_FS_LINK);
	afs_enc_fid(e, dir);
	xdr_enc_string(e, name, AFS_NAMEMAX);
	afs_enc_fid(e, existing);
}

void fs_enc_inline_bulk_status(struct wire_enc *e, const struct afs_fid *fids, unsigned n)
{
	/* The server answers an empty list with EINVAL: not worth a call. */
	if (n == 0 || n > AFS_CBMAX) {
		wire_enc_fail(e, -EINVAL);
		return;
	}
	wire_enc_be32(e, AFS_FS_INLINEBULKSTATUS);
	wire_enc_be32(e, n);
	for (unsigned i = 0; i < n; i++)
		afs_enc_fid(e, &fids[i]);
}

void fs_enc_give_up_callbacks(struct wire_enc *e, const struct afs_fid *fids, const struct afs_callback *cbs,
			      unsigned n)
{
	if (n > AFS_CBMAX) {
		wire_enc_fail(e, -EINVAL);
		return;
	}
	wire_enc_be32(e, AFS_FS_GIVEUPCALLBACKS);
	wire_enc_be32(e, n);
	for (unsigned i = 0; i < n; i++)
		afs_enc_fid(e, &fids[i]);
	wire_enc_be32(e, cbs ? n : 0);
	for (unsigned i = 0; cbs && i < n; i++)
		afs_enc_callback(e, &cbs[i]);
}

void fs_enc_get_volume_status(struct wire_enc *e, uint32_t volume)
{
	wire_enc_be32(e, AFS_FS_GETVOLUMESTATUS);
	wire_enc_be32(e, volume); /* afs_int32 Volumeid: the same 32 bits */
}

void fs_enc_get_capabilities(struct wire_enc *e)
{
	wire_enc_be32(e, AFS_FS_GETCAPABILITIES);
}

/* ---- replies ------------------------------------------------------------------------------------------- */

/* A status the caller may use: decoded and passing kAFS's rules. */
static int dec_status(struct wire_dec *d, struct afs_fetch_status *st)
{
	if (afs_dec_fetch_status(d, st))
		return -EBADMSG;
	if (afs_fetch_status_check(st, false))
		return wire_dec_fail(d);
	return 0;
}

int fs_dec_store_reply(const uint8_t *buf, size_t len, struct fs_store_reply *out)
{
	struct fs_store_reply r;
	struct wire_dec d;

	wire_dec_init(&d, buf, len);
	dec_status(&d, &r.status);
	afs_dec_volsync(&d, &r.volsync);
	if (wire_dec_finish(&d))
		return -EBADMSG;
	*out = r;
	return 0;
}

static int dec_create(const uint8_t *buf, size_t len, bool with_callback, struct fs_create_reply *out)
{
	struct fs_create_reply r;
	struct wire_dec d;

	memset(&r.callback, 0, sizeof(r.callback));
	wire_dec_init(&d, buf, len);
	afs_dec_fid(&d, &r.fid);
	dec_status(&d, &r.status);
	dec_status(&d, &r.dir_status);
	if (with_callback)
		afs_dec_callback(&d, &r.callback);
	afs_dec_volsync(&d, &r.volsync);
	if (wire_dec_finish(&d))
		return -EBADMSG;
	*out = r;
	return 0;
}

int fs_dec_create_reply(const uint8_t *buf, size_t len, struct fs_create_reply *out)
{
	return dec_create(buf, len, true, out);
}

int fs_dec_symlink_reply(const uint8_t *buf, size_t len, struct fs_create_reply *out)
{
	return dec_create(buf, len, false, out);
}

int fs_dec_link_reply(const uint8_t *buf, size_t len, struct fs_link_reply *out)
{
	struct fs_link_reply r;
	struct wire_dec d;

	wire_dec_init(&d, buf, len);
	dec_status(&d, &r.status);
	dec_status(&d, &r.dir_status);
	afs_dec_volsync(&d, &r.volsync);
	if (wire_dec_finish(&d))
		return -EBADMSG;
	*out = r;
	return 0;
}

int fs_dec_rename_reply(const uint8_t *buf, size_t len, struct fs_rename_reply *out)
{
	struct fs_rename_reply r;
	struct wire_dec d;

	wire_dec_init(&d, buf, len);
	dec_status(&d, &r.old_dir_status);
	dec_status(&d, &r.new_dir_status);
	afs_dec_volsync(&d, &r.volsync);
	if (wire_dec_finish(&d))
		return -EBADMSG;
	*out = r;
	return 0;
}

int fs_dec_bulk_status_reply(const uint8_t *buf, size_t len, unsigned nfids, struct fs_bulk_status_reply *out)
{
	struct fs_bulk_status_reply r; /* about 5 KiB */
	struct wire_dec d;
	uint32_t n;

	if (nfids == 0 || nfids > AFS_CBMAX)
		return -EBADMSG;
	wire_dec_init(&d, buf, len);
	if (xdr_dec_count(&d, AFS_CBMAX, 4 * AFS_FETCH_STATUS_WORDS, &n) || n != nfids)
		return -EBADMSG;
	r.n = n;
	for (uint32_t i = 0; i < n; i++) {
		if (afs_dec_fetch_status(&d, &r.status[i]))
			return -EBADMSG;
		/* Either usable or an inline error; nothing else. */
		if (afs_fetch_status_check(&r.status[i], true) < 0)
			return -EBADMSG;
	}
	if (xdr_dec_count(&d, AFS_CBMAX, 12, &n) || n != nfids)
		return -EBADMSG;
	for (uint32_t i = 0; i < n; i++)
		afs_dec_callback(&d, &r.callback[i]);
	afs_dec_volsync(&d, &r.volsync);
	if (wire_dec_finish(&d))
		return -EBADMSG;
	out->n = r.n;
	memcpy(out->status, r.status, r.n * sizeof(r.status[0]));
	memcpy(out->callback, r.callback, r.n * sizeof(r.callback[0]));
	out->volsync = r.volsync;
	return 0;
}

int fs_dec_volume_status_reply(const uint8_t *buf, size_t len, struct fs_volume_status_reply *out)
{
	struct fs_volume_status_reply r;
	struct wire_dec d;

	wire_dec_init(&d, buf, len);
	if (afs_dec_fetch_volume_status(&d, &r.status) || xdr_dec_string(&d, r.name, sizeof(r.name), AFS_NAMEMAX) ||
	    xdr_dec_string(&d, r.offline_msg, sizeof(r.offline_msg), AFS_OPAQUEMAX) ||
	    xdr_dec_string(&d, r.motd, sizeof(r.motd), AFS_OPAQUEMAX) || wire_dec_finish(&d))
		return -EBADMSG;
	memcpy(out, &r, sizeof(r));
	return 0;
}

int fs_dec_capabilities_reply(const uint8_t *buf, size_t len, struct fs_capabilities *out)
{
	struct fs_capabilities r;
	struct wire_dec d;

	wire_dec_init(&d, buf, len);
	if (xdr_dec_count(&d, AFS_CAPABILITIES_MAX, 4, &r.n))
		return -EBADMSG;
	for (uint32_t i = 0; i < r.n; i++)
		wire_dec_be32(&d, &r.words[i]);
	if (wire_dec_finish(&d))
		return -EBADMSG;
	out->n = r.n;
	memcpy(out->words, r.words, r.n * sizeof(r.words[0]));
	return 0;
}

int fs_dec_empty_reply(const uint8_t *buf, size_t len)
{
	(void)buf;
	return len ? -EBADMSG : 0;
}

/* ---- reply encoders ------------------------------------------------------------------------------------- */
