/*
 * test/lib/mds_reply_enc.c: see the header.
 */
#include "config.h"

#include "test/lib/mds_reply_enc.h"

#include "cephmon/msgr/ceph_codec.h"

static void ts(struct wire_enc *e, struct mds_timespec t)
{
	wire_enc_le32(e, t.sec);
	wire_enc_le32(e, t.nsec);
}

void mds_enc_inode(struct wire_enc *e, const struct mds_inode *in, uint8_t struct_v)
{
	size_t at = ceph_enc_struct_begin(e, struct_v, 1), q;

	wire_enc_le64(e, in->ino);
	wire_enc_le64(e, in->snapid);
	wire_enc_le32(e, in->rdev);
	wire_enc_le64(e, in->version);
	wire_enc_le64(e, in->xattr_version);
	wire_enc_le32(e, in->cap.caps);
	wire_enc_le32(e, in->cap.wanted);
	wire_enc_le64(e, in->cap.cap_id);
	wire_enc_le32(e, in->cap.seq);
	wire_enc_le32(e, in->cap.mseq);
	wire_enc_le64(e, in->cap.realm);
	wire_enc_u8(e, in->cap.flags);
	wire_enc_le32(e, in->stripe_unit);
	wire_enc_le32(e, in->stripe_count);
	wire_enc_le32(e, in->object_size);
	wire_enc_le32(e, 0); /* cas hash */
	wire_enc_le32(e, 0); /* object stripe unit */
	wire_enc_le32(e, 0); /* unused */
	wire_enc_le32(e, in->pool);
	ts(e, in->ctime);
	ts(e, in->mtime);
	ts(e, in->atime);
	wire_enc_le32(e, in->time_warp_seq);
	wire_enc_le64(e, in->size);
	wire_enc_le64(e, in->max_size);
	wire_enc_le64(e, in->truncate_size);
	wire_enc_le32(e, in->truncate_seq);
	wire_enc_le32(e, in->mode);
	wire_enc_le32(e, in->uid);
	wire_enc_le32(e, in->gid);
	wire_enc_le32(e, in->nlink);
	wire_enc_le64(e, (uint64_t)in->files);
	wire_enc_le64(e, (uint64_t)in->subdirs);
	wire_enc_le64(e, (uint64_t)in->rbytes);
	wire_enc_le64(e, (uint64_t)in->rfiles);
	wire_enc_le64(e, (uint64_t)in->rsubdirs);
	ts(e, in->rctime);
	wire_enc_le32(e, in->nsplits);
	wire_enc_bytes(e, in->splits, (size_t)in->nsplits * 8);
	ceph_enc_blob(e, in->symlink, in->symlink_len);
	wire_enc_u8(e, in->dir_hash); /* ceph_dir_layout */
	wire_enc_zeros(e, 7);
	ceph_enc_blob(e, in->xattrs, in->xattrs_len);
	wire_enc_le64(e, in->inline_version);
	ceph_enc_blob(e, in->inline_data, in->inline_len);
	q = ceph_enc_struct_begin(e, 1, 1);
	wire_enc_le64(e, (uint64_t)in->quota_max_bytes);
	wire_enc_le64(e, (uint64_t)in->quota_max_files);
	ceph_enc_struct_end(e, q);
	ceph_enc_blob(e, in->pool_ns, in->pool_ns_len);
	ts(e, in->btime);
	wire_enc_le64(e, in->change_attr);
	if (struct_v >= 2)
		wire_enc_le32(e, (uint32_t)in->export_pin);
	if (struct_v >= 3)
		ts(e, in->snap_btime);
	if (struct_v >= 4)
		wire_enc_le64(e, (uint64_t)in->rsnaps);
	if (struct_v >= 5)
		wire_enc_le32(e, 0); /* snap metadata */
	if (struct_v >= 6)
		wire_enc_u8(e, 0); /* fscrypt */
	if (struct_v >= 7) {
		wire_enc_le32(e, 0); /* fscrypt_auth */
		wire_enc_le32(e, 0); /* fscrypt_file */
	}
	if (struct_v >= 8) { /* optmetadata */
		q = ceph_enc_struct_begin(e, 1, 1);
		wire_enc_le32(e, 0);
		ceph_enc_struct_end(e, q);
	}
	ceph_enc_struct_end(e, at);
}

void mds_enc_dirstat(struct wire_enc *e, const struct mds_dirstat *ds)
{
	size_t at = ceph_enc_struct_begin(e, 1, 1);

	wire_enc_le32(e, ds->frag);
	wire_enc_le32(e, (uint32_t)ds->auth);
	wire_enc_le32(e, ds->ndist);
	for (uint32_t i = 0; i < ds->ndist; i++)
		wire_enc_le32(e, i);
	ceph_enc_struct_end(e, at);
}

void mds_enc_lease(struct wire_enc *e, const struct mds_lease *l, uint8_t struct_v)
{
	size_t at = ceph_enc_struct_begin(e, struct_v, 1);

	wire_enc_le16(e, l->mask);
	wire_enc_le32(e, l->duration_ms);
	wire_enc_le32(e, l->seq);
	if (struct_v >= 2)
		wire_enc_le32(e, 0); /* alternate name */
	ceph_enc_struct_end(e, at);
}

void mds_enc_reply(struct wire_enc *e, const struct mds_reply *h, const void *trace, uint32_t trace_len,
		   const void *extra, uint32_t extra_len)
{
	wire_enc_le32(e, h->op);
	wire_enc_le32(e, (uint32_t)h->result);
	wire_enc_le32(e, h->mdsmap_epoch);
	wire_enc_u8(e, h->safe);
	wire_enc_u8(e, h->is_dentry);
	wire_enc_u8(e, h->is_target);
	ceph_enc_blob(e, trace, trace_len);
	ceph_enc_blob(e, extra, extra_len);
	wire_enc_le32(e, 0); /* snap trace */
}

void mds_enc_session(struct wire_enc *e, uint16_t version, uint32_t op, uint64_t seq, const char *error_string,
		     uint64_t features, uint32_t flags)
{
	size_t at;

	wire_enc_le32(e, op);
	wire_enc_le64(e, seq);
	wire_enc_zeros(e, 16);
	if (version < 2)
		return;
	wire_enc_le32(e, error_string ? 1 : 0);
	if (error_string) {
		ceph_enc_string(e, "error_string");
		ceph_enc_string(e, error_string);
	}
	if (version < 3)
		return;
	wire_enc_le32(e, 8);
	wire_enc_le64(e, features);
	if (version < 4)
		return;
	at = ceph_enc_struct_begin(e, 1, 1);
	wire_enc_le32(e, 8);
	wire_enc_le64(e, 0xffff);
	ceph_enc_struct_end(e, at);
	if (version >= 5)
		wire_enc_le32(e, flags);
}
