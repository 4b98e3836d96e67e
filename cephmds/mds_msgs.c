/*
 * cephmds/mds_msgs.c: MDS session, request, reply and forward messages (see
 * the header). Layouts are Ceph's (ceph_mds_session_head,
 * ceph_mds_request_head version 1, ceph_mds_reply_head, InodeStat,
 * DirStat, LeaseStat); every decoder reads through net/wire.h's cursor and
 * checks once.
 */
#include "config.h"

#include "cephmds/mds_msgs.h"

#include <string.h>

#include "cephmon/msgr/ceph_codec.h"

const char *mds_session_op_name(uint32_t op)
{
	static const char *const names[] = {"request_open",	  "open",	  "request_close", "close",
					    "request_renewcaps",  "renewcaps",	  "stale",	   "recall_state",
					    "flushmsg",		  "flushmsg_ack", "force_ro",	   "reject",
					    "request_flush_mdlog"};
	return op < sizeof(names) / sizeof(names[0]) ? names[op] : "unknown";
}

const char *mds_op_name(uint32_t op)
{
	switch (op) {
	case MDS_OP_LOOKUP:
		return "lookup";
	case MDS_OP_GETATTR:
		return "getattr";
	case MDS_OP_LOOKUPHASH:
		return "lookuphash";
	case MDS_OP_LOOKUPPARENT:
		return "lookupparent";
	case MDS_OP_LOOKUPINO:
		return "lookupino";
	case MDS_OP_LOOKUPNAME:
		return "lookupname";
	case MDS_OP_SETXATTR:
		return "setxattr";
	case MDS_OP_RMXATTR:
		return "rmxattr";
	case MDS_OP_SETLAYOUT:
		return "setlayout";
	case MDS_OP_SETATTR:
		return "setattr";
	case MDS_OP_MKNOD:
		return "mknod";
	case MDS_OP_LINK:
		return "link";
	case MDS_OP_UNLINK:
		return "unlink";
	case MDS_OP_RENAME:
		return "rename";
	case MDS_OP_MKDIR:
		return "mkdir";
	case MDS_OP_RMDIR:
		return "rmdir";
	case MDS_OP_SYMLINK:
		return "symlink";
	case MDS_OP_CREATE:
		return "create";
	case MDS_OP_OPEN:
		return "open";
	case MDS_OP_READDIR:
		return "readdir";
	default:
		return "unknown";
	}
}

/* ---- sessions ---------------------------------------------------------------------------- */

#define SESSION_HEAD_LEN 28

static void session_head(struct wire_enc *e, uint32_t op, uint64_t seq)
{
	wire_enc_le32(e, op);
	wire_enc_le64(e, seq);
	wire_enc_zeros(e, 16); /* stamp, max_caps, max_leases: the MDS reads none from a client */
}

uint16_t mds_session_head_encode(struct wire_enc *e, uint32_t op, uint64_t seq)
{
	session_head(e, op, seq);
	return wire_enc_error(e) ? 0 : 1;
}

uint16_t mds_session_open_encode(struct wire_enc *e, const struct mds_session_open *o)
{
	size_t at;

	session_head(e, MDS_SESSION_REQUEST_OPEN, o->seq);
	wire_enc_le32(e, o->nmeta); /* v2: metadata */
	for (unsigned i = 0; i < 2 * o->nmeta; i++)
		ceph_enc_string(e, o->meta[i] ? o->meta[i] : "");
	wire_enc_le32(e, 8); /* v3: the features, one 64-bit block */
	wire_enc_le64(e, o->features);
	at = ceph_enc_struct_begin(e, 1, 1); /* v4: metric spec, none sent */
	wire_enc_le32(e, 0);
	ceph_enc_struct_end(e, at);
	return wire_enc_error(e) ? 0 : 4;
}

static int skip_string_map(struct wire_dec *d, char *error, size_t errlen)
{
	uint32_t n;

	if (wire_dec_le32(d, &n))
		return -EBADMSG;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *k, *v;
		uint32_t kl, vl;
		if (ceph_dec_blob(d, &k, &kl) || ceph_dec_blob(d, &v, &vl))
			return -EBADMSG;
		if (error && kl == 12 && !memcmp(k, "error_string", 12)) {
			size_t n2 = vl < errlen - 1 ? vl : errlen - 1;
			memcpy(error, v, n2);
			error[n2] = '\0';
			for (size_t j = 0; j < n2; j++) /* one printable line */
				if (error[j] < 0x20 || error[j] == 0x7f)
					error[j] = '?';
		}
	}
	return 0;
}

int mds_session_decode(uint16_t version, const void *front, size_t len, struct mds_session_msg *out)
{
	struct wire_dec d;
	uint32_t sec, nsec;

	memset(out, 0, sizeof(*out));
	wire_dec_init(&d, front, len);
	if (wire_dec_le32(&d, &out->op) || wire_dec_le64(&d, &out->seq) || wire_dec_le32(&d, &sec) ||
	    wire_dec_le32(&d, &nsec) || wire_dec_le32(&d, &out->max_caps) || wire_dec_le32(&d, &out->max_leases))
		goto bad;
	if (version >= 2 && skip_string_map(&d, out->error, sizeof(out->error)))
		goto bad;
	if (version >= 3) {
		const uint8_t *bits;
		uint32_t n;
		if (ceph_dec_blob(&d, &bits, &n))
			goto bad;
		out->have_features = true;
		for (uint32_t i = 0; i < n && i < 8; i++)
			out->features |= (uint64_t)bits[i] << (8 * i);
	}
	if (version >= 4) {
		struct wire_dec spec;
		uint8_t v;
		if (ceph_dec_struct(&d, 1, 1, &v, &spec))
			goto bad;
	}
	if (version >= 5 && wire_dec_le32(&d, &out->flags))
		goto bad;
	return 0; /* newer fields (auth caps, oldest tid) are not ours to read */
bad:
	memset(out, 0, sizeof(*out));
	return -EBADMSG;
}

/* ---- requests ---------------------------------------------------------------------------- */

#define REQUEST_HEAD_VERSION 1
#define REQUEST_ARGS_LEN     56
#define MDS_REQUEST_VERSION  4

static void put_ts(uint8_t *p, struct mds_timespec t)
{
	put_le32(p, t.sec);
	put_le32(p + 4, t.nsec);
}

/* The args union as @op lays it out (ceph_mds_request_args). */
static void encode_args(uint8_t a[REQUEST_ARGS_LEN], uint32_t op, const struct mds_req_args *r)
{
	memset(a, 0, REQUEST_ARGS_LEN);
	switch (op) {
	case MDS_OP_LOOKUP:
	case MDS_OP_GETATTR:
	case MDS_OP_LOOKUPHASH:
	case MDS_OP_LOOKUPPARENT:
	case MDS_OP_LOOKUPINO:
	case MDS_OP_LOOKUPNAME:
		put_le32(a, r->mask);
		break;
	case MDS_OP_SETATTR:
		put_le32(a, r->mode);
		put_le32(a + 4, r->uid);
		put_le32(a + 8, r->gid);
		put_ts(a + 12, r->mtime);
		put_ts(a + 20, r->atime);
		put_le64(a + 28, r->size);
		put_le64(a + 36, r->old_size);
		put_le32(a + 44, r->mask);
		put_ts(a + 48, r->btime);
		break;
	case MDS_OP_READDIR:
		put_le32(a, r->frag);
		put_le32(a + 4, r->max_entries);
		put_le32(a + 8, r->max_bytes);
		put_le16(a + 12, r->readdir_flags);
		put_le32(a + 14, r->offset_hash);
		break;
	case MDS_OP_MKNOD:
		put_le32(a, r->mode);
		put_le32(a + 4, r->rdev);
		break;
	case MDS_OP_MKDIR:
		put_le32(a, r->mode);
		break;
	case MDS_OP_OPEN:
	case MDS_OP_CREATE:
		put_le32(a, r->flags);
		put_le32(a + 4, r->mode);
		put_le32(a + 8, r->stripe_unit);
		put_le32(a + 12, r->stripe_count);
		put_le32(a + 16, r->object_size);
		put_le32(a + 20, r->pool);
		put_le32(a + 24, r->mask);
		put_le64(a + 28, r->old_size);
		break;
	case MDS_OP_SETXATTR:
		put_le32(a, r->flags);
		break;
	default:
		break;
	}
}

static void encode_filepath(struct wire_enc *e, const struct mds_filepath *p)
{
	wire_enc_u8(e, 1);
	wire_enc_le64(e, p->ino);
	ceph_enc_string(e, p->path ? p->path : "");
}

uint16_t mds_request_encode(struct wire_enc *e, const struct mds_request *r)
{
	uint8_t args[REQUEST_ARGS_LEN];

	if (r->nreleases > UINT16_MAX) {
		wire_enc_fail(e, -EINVAL);
		return 0;
	}
	/* ceph_mds_request_head, version 1 (98 bytes) */
	wire_enc_le16(e, REQUEST_HEAD_VERSION);
	wire_enc_le64(e, r->oldest_client_tid);
	wire_enc_le32(e, r->mdsmap_epoch);
	wire_enc_le32(e, r->flags);
	wire_enc_u8(e, r->num_retry > UINT8_MAX ? UINT8_MAX : (uint8_t)r->num_retry);
	wire_enc_u8(e, r->num_fwd > UINT8_MAX ? UINT8_MAX : (uint8_t)r->num_fwd);
	wire_enc_le16(e, (uint16_t)r->nreleases);
	wire_enc_le32(e, r->op);
	wire_enc_le32(e, r->caller_uid);
	wire_enc_le32(e, r->caller_gid);
	wire_enc_le64(e, r->ino);
	encode_args(args, r->op, &r->args);
	wire_enc_bytes(e, args, sizeof(args));

	encode_filepath(e, &r->path);
	encode_filepath(e, &r->path2);
	for (unsigned i = 0; i < r->nreleases; i++) { /* no count: the head's */
		const struct mds_release *rel = &r->releases[i];
		size_t dl = rel->dname ? strlen(rel->dname) : 0;
		wire_enc_le64(e, rel->ino);
		wire_enc_le64(e, rel->cap_id);
		wire_enc_le32(e, rel->caps);
		wire_enc_le32(e, rel->wanted);
		wire_enc_le32(e, rel->seq);
		wire_enc_le32(e, rel->issue_seq);
		wire_enc_le32(e, rel->mseq);
		wire_enc_le32(e, rel->dname_seq);
		wire_enc_le32(e, (uint32_t)dl);
		wire_enc_bytes(e, rel->dname, dl);
	}
	wire_enc_le32(e, r->stamp.sec); /* v2 */
	wire_enc_le32(e, r->stamp.nsec);
	wire_enc_le32(e, r->ngids); /* v4: the groups, as u64 */
	for (unsigned i = 0; i < r->ngids; i++)
		wire_enc_le64(e, r->gids[i]);
	return wire_enc_error(e) ? 0 : MDS_REQUEST_VERSION;
}

int mds_forward_decode(const void *front, size_t len, struct mds_forward *out)
{
	struct wire_dec d;
	uint32_t dest;
	uint8_t resend;

	wire_dec_init(&d, front, len);
	if (wire_dec_le32(&d, &dest) || wire_dec_le32(&d, &out->num_fwd) || wire_dec_u8(&d, &resend))
		return -EBADMSG;
	out->dest_mds = (int32_t)dest;
	out->must_resend = resend != 0;
	return 0;
}

/* ---- replies ----------------------------------------------------------------------------- */

static int dec_ts(struct wire_dec *d, struct mds_timespec *t)
{
	return wire_dec_le32(d, &t->sec) || wire_dec_le32(d, &t->nsec) ? -EBADMSG : 0;
}

static int dec_s64(struct wire_dec *d, int64_t *v)
{
	uint64_t u;

	if (wire_dec_le64(d, &u))
		return -EBADMSG;
	*v = (int64_t)u;
	return 0;
}

/* InodeStat, the versioned form (CInode::encode_inodestat). */
static int dec_inode(struct wire_dec *d, struct mds_inode *in)
{
	struct wire_dec b;
	uint32_t u32;
	uint8_t dir_layout[8];

	memset(in, 0, sizeof(*in));
	in->export_pin = -1;
	if (ceph_dec_struct(d, 1, 1, &in->struct_v, &b))
		return -EBADMSG;
	struct mds_reply_cap *c = &in->cap;
	if (wire_dec_le64(&b, &in->ino) || wire_dec_le64(&b, &in->snapid) || wire_dec_le32(&b, &in->rdev) ||
	    wire_dec_le64(&b, &in->version) || wire_dec_le64(&b, &in->xattr_version) || wire_dec_le32(&b, &c->caps) ||
	    wire_dec_le32(&b, &c->wanted) || wire_dec_le64(&b, &c->cap_id) || wire_dec_le32(&b, &c->seq) ||
	    wire_dec_le32(&b, &c->mseq) || wire_dec_le64(&b, &c->realm) || wire_dec_u8(&b, &c->flags))
		return wire_dec_fail(d);
	/* the legacy layout: unit, count, object size, cas hash, object
	 * stripe unit, unused, pool */
	if (wire_dec_le32(&b, &in->stripe_unit) || wire_dec_le32(&b, &in->stripe_count) ||
	    wire_dec_le32(&b, &in->object_size) || wire_dec_skip(&b, 12) || wire_dec_le32(&b, &in->pool))
		return wire_dec_fail(d);
	if (dec_ts(&b, &in->ctime) || dec_ts(&b, &in->mtime) || dec_ts(&b, &in->atime) ||
	    wire_dec_le32(&b, &in->time_warp_seq) || wire_dec_le64(&b, &in->size) || wire_dec_le64(&b, &in->max_size) ||
	    wire_dec_le64(&b, &in->truncate_size) || wire_dec_le32(&b, &in->truncate_seq) ||
	    wire_dec_le32(&b, &in->mode) || wire_dec_le32(&b, &in->uid) || wire_dec_le32(&b, &in->gid) ||
	    wire_dec_le32(&b, &in->nlink) || dec_s64(&b, &in->files) || dec_s64(&b, &in->subdirs) ||
	    dec_s64(&b, &in->rbytes) || dec_s64(&b, &in->rfiles) || dec_s64(&b, &in->rsubdirs) ||
	    dec_ts(&b, &in->rctime) || wire_dec_le32(&b, &in->nsplits))
		return wire_dec_fail(d);
	if (in->nsplits > wire_dec_left(&b) / 8)
		return wire_dec_fail(d);
	in->splits = wire_dec_take(&b, (size_t)in->nsplits * 8);
	if (ceph_dec_blob(&b, &in->symlink, &in->symlink_len) || wire_dec_bytes(&b, dir_layout, sizeof(dir_layout)) ||
	    ceph_dec_blob(&b, &in->xattrs, &in->xattrs_len) || wire_dec_le64(&b, &in->inline_version) ||
	    ceph_dec_blob(&b, &in->inline_data, &in->inline_len))
		return wire_dec_fail(d);
	in->dir_hash = dir_layout[0];
	{
		struct wire_dec q;
		uint8_t qv;
		if (ceph_dec_struct(&b, 1, 1, &qv, &q) || dec_s64(&q, &in->quota_max_bytes) ||
		    dec_s64(&q, &in->quota_max_files))
			return wire_dec_fail(d);
	}
	if (ceph_dec_blob(&b, &in->pool_ns, &in->pool_ns_len) || dec_ts(&b, &in->btime) ||
	    wire_dec_le64(&b, &in->change_attr))
		return wire_dec_fail(d);
	if (in->struct_v >= 2) {
		if (wire_dec_le32(&b, &u32))
			return wire_dec_fail(d);
		in->export_pin = (int32_t)u32;
	}
	if (in->struct_v >= 3 && dec_ts(&b, &in->snap_btime))
		return wire_dec_fail(d);
	if (in->struct_v >= 4 && dec_s64(&b, &in->rsnaps))
		return wire_dec_fail(d);
	if (in->struct_v >= 5 && skip_string_map(&b, NULL, 0))
		return wire_dec_fail(d);
	return 0; /* later fields (fscrypt, ...) skipped with the structure */
}

static int dec_dirstat(struct wire_dec *d, struct mds_dirstat *ds)
{
	struct wire_dec b;
	uint8_t v;
	uint32_t auth;

	memset(ds, 0, sizeof(*ds));
	if (ceph_dec_struct(d, 1, 1, &v, &b) || wire_dec_le32(&b, &ds->frag) || wire_dec_le32(&b, &auth) ||
	    wire_dec_le32(&b, &ds->ndist))
		return wire_dec_fail(d);
	ds->auth = (int32_t)auth;
	if (ds->ndist > wire_dec_left(&b) / 4)
		return wire_dec_fail(d);
	return 0;
}

static int dec_lease(struct wire_dec *d, struct mds_lease *l)
{
	struct wire_dec b;
	uint8_t v;

	memset(l, 0, sizeof(*l));
	if (ceph_dec_struct(d, 1, 1, &v, &b) || wire_dec_le16(&b, &l->mask) || wire_dec_le32(&b, &l->duration_ms) ||
	    wire_dec_le32(&b, &l->seq))
		return wire_dec_fail(d);
	return 0; /* v2's alternate name is not ours (no ALTERNATE_NAME) */
}

int mds_reply_decode(const void *front, size_t len, struct mds_reply *out)
{
	struct wire_dec d, t;
	uint32_t result, tlen;
	uint8_t safe, is_dentry, is_target;
	const uint8_t *trace;

	memset(out, 0, sizeof(*out));
	wire_dec_init(&d, front, len);
	if (wire_dec_le32(&d, &out->op) || wire_dec_le32(&d, &result) || wire_dec_le32(&d, &out->mdsmap_epoch) ||
	    wire_dec_u8(&d, &safe) || wire_dec_u8(&d, &is_dentry) || wire_dec_u8(&d, &is_target) ||
	    ceph_dec_blob(&d, &trace, &tlen) || ceph_dec_blob(&d, &out->extra, &out->extra_len) ||
	    ceph_dec_blob(&d, &out->snap, &out->snap_len))
		goto bad;
	out->result = (int32_t)result;
	out->safe = safe != 0;
	out->is_dentry = is_dentry != 0;
	out->is_target = is_target != 0;
	wire_dec_init(&t, trace, tlen);
	if (out->is_dentry && (dec_inode(&t, &out->diri) || dec_dirstat(&t, &out->dirfrag) ||
			       ceph_dec_blob(&t, &out->dname, &out->dname_len) || dec_lease(&t, &out->dlease)))
		goto bad;
	if (out->is_target && dec_inode(&t, &out->target))
		goto bad;
	if (wire_dec_left(&t) || t.bad)
		goto bad;
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return -EBADMSG;
}

int mds_readdir_begin(struct mds_readdir *rd, const uint8_t *extra, uint32_t len)
{
	memset(rd, 0, sizeof(*rd));
	wire_dec_init(&rd->d, extra, len);
	if (dec_dirstat(&rd->d, &rd->dir) || wire_dec_le32(&rd->d, &rd->count) || wire_dec_le16(&rd->d, &rd->flags))
		return -EBADMSG;
	/* each entry takes at least a name's length, a lease and an inode */
	if (rd->count > wire_dec_left(&rd->d) / 16)
		return wire_dec_fail(&rd->d);
	rd->left = rd->count;
	return 0;
}

uint32_t mds_frag_next(uint32_t frag)
{
	uint32_t bits = frag >> 24, value = frag & 0xffffff, step;

	if (!bits || bits > 24)
		return 0;
	step = 1u << (24 - bits);
	if (value + step >= (1u << 24))
		return 0;
	return (bits << 24) | (value + step);
}

int mds_readdir_next(struct mds_readdir *rd, struct mds_dentry *out)
{
	if (rd->d.bad)
		return -EBADMSG;
	if (!rd->left)
		return 0;
	if (ceph_dec_blob(&rd->d, &out->name, &out->name_len) || dec_lease(&rd->d, &out->lease) ||
	    dec_inode(&rd->d, &out->inode))
		return wire_dec_fail(&rd->d);
	rd->left--;
	return 1;
}

int mds_create_extra_decode(const uint8_t *extra, uint32_t len, uint64_t *ino)
{
	struct wire_dec d;

	*ino = 0;
	if (!len)
		return 0;
	wire_dec_init(&d, extra, len);
	return wire_dec_le64(&d, ino);
}

int mds_xattr_begin(struct mds_xattr_iter *it, const uint8_t *blob, uint32_t len)
{
	memset(it, 0, sizeof(*it));
	wire_dec_init(&it->d, blob, len);
	if (!len)
		return 0; /* no xattrs sent */
	if (wire_dec_le32(&it->d, &it->left))
		return -EBADMSG;
	if (it->left > wire_dec_left(&it->d) / 8)
		return wire_dec_fail(&it->d);
	return 0;
}

int mds_xattr_next(struct mds_xattr_iter *it, const uint8_t **name, uint32_t *name_len, const uint8_t **value,
		   uint32_t *value_len)
{
	if (it->d.bad)
		return -EBADMSG;
	if (!it->left)
		return 0;
	if (ceph_dec_blob(&it->d, name, name_len) || ceph_dec_blob(&it->d, value, value_len))
		return -EBADMSG;
	it->left--;
	return 1;
}

size_t mds_caps_format(uint32_t caps, char *buf, size_t len)
{
	static const struct {
		char name;
		unsigned shift, bits;
	} locks[] = {{'A', 2, 2}, {'L', 4, 2}, {'X', 6, 2}, {'F', 8, 8}};
	static const char gen[] = "sxcrwbal"; /* shared, excl, cache, rd, wr, buffer, wrextend, lazyio */
	char tmp[48];
	size_t n = 0;

	if (caps & MDS_CAP_PIN)
		tmp[n++] = 'p';
	for (unsigned i = 0; i < 4; i++) {
		uint32_t g = (caps >> locks[i].shift) & ((1u << locks[i].bits) - 1);
		if (!g)
			continue;
		tmp[n++] = locks[i].name;
		for (unsigned b = 0; b < locks[i].bits; b++)
			if (g & (1u << b))
				tmp[n++] = gen[b];
	}
	if (!n)
		tmp[n++] = '-';
	tmp[n] = '\0';
	if (!len)
		return 0;
	n = n < len - 1 ? n : len - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return n;
}

/* ---- caps and leases ---------------------------------------------------------------------- */

int mds_caps_head_decode(const void *front, size_t len, struct mds_caps_head *out)
{
	struct wire_dec d;

	wire_dec_init(&d, front, len);
	if (wire_dec_le32(&d, &out->op) || wire_dec_le64(&d, &out->ino) || wire_dec_le64(&d, &out->realm) ||
	    wire_dec_le64(&d, &out->cap_id) || wire_dec_le32(&d, &out->seq) || wire_dec_le32(&d, &out->issue_seq) ||
	    wire_dec_le32(&d, &out->caps) || wire_dec_le32(&d, &out->wanted) || wire_dec_le32(&d, &out->dirty) ||
	    wire_dec_le32(&d, &out->migrate_seq)) {
		memset(out, 0, sizeof(*out));
		return -EBADMSG;
	}
	return 0;
}

uint16_t mds_cap_release_encode(struct wire_enc *e, const struct mds_cap_item *items, unsigned n)
{
	wire_enc_le32(e, n);
	for (unsigned i = 0; i < n; i++) {
		wire_enc_le64(e, items[i].ino);
		wire_enc_le64(e, items[i].cap_id);
		wire_enc_le32(e, items[i].migrate_seq);
		wire_enc_le32(e, items[i].seq);
	}
	wire_enc_le32(e, 0); /* v2: osd_epoch_barrier, none */
	return wire_enc_error(e) ? 0 : 2;
}

uint16_t mds_reconnect_encode(struct wire_enc *e, const struct mds_cap_reconnect *caps, unsigned n)
{
	wire_enc_le32(e, n);
	for (unsigned i = 0; i < n; i++) {
		size_t at;
		wire_enc_le64(e, caps[i].ino);
		at = ceph_enc_struct_begin(e, 2, 1);
		ceph_enc_string(e, ""); /* path: the MDS finds the inode by number */
		wire_enc_le64(e, caps[i].cap_id);
		wire_enc_le32(e, caps[i].wanted);
		wire_enc_le32(e, caps[i].issued);
		wire_enc_le64(e, caps[i].realm);
		wire_enc_le64(e, 0); /* pathbase */
		wire_enc_le32(e, 8); /* flock_len: the two counts below */
		wire_enc_le32(e, 0); /* fcntl locks */
		wire_enc_le32(e, 0); /* flock locks */
		wire_enc_le64(e, 0); /* snap_follows */
		ceph_enc_struct_end(e, at);
	}
	wire_enc_le32(e, 0); /* snap realms */
	wire_enc_u8(e, 0);   /* more: this is the whole of it */
	return wire_enc_error(e) ? 0 : 5;
}

int mds_lease_decode(const void *front, size_t len, struct mds_lease_msg *out)
{
	struct wire_dec d;

	wire_dec_init(&d, front, len);
	if (wire_dec_u8(&d, &out->action) || wire_dec_le16(&d, &out->mask) || wire_dec_le64(&d, &out->ino) ||
	    wire_dec_le64(&d, &out->first) || wire_dec_le64(&d, &out->last) || wire_dec_le32(&d, &out->seq) ||
	    wire_dec_le32(&d, &out->duration_ms) || ceph_dec_blob(&d, &out->dname, &out->dname_len)) {
		memset(out, 0, sizeof(*out));
		return -EBADMSG;
	}
	return 0;
}

uint16_t mds_lease_encode(struct wire_enc *e, const struct mds_lease_msg *l)
{
	wire_enc_u8(e, l->action);
	wire_enc_le16(e, l->mask);
	wire_enc_le64(e, l->ino);
	wire_enc_le64(e, l->first);
	wire_enc_le64(e, l->last);
	wire_enc_le32(e, l->seq);
	wire_enc_le32(e, l->duration_ms);
	ceph_enc_blob(e, l->dname, l->dname_len);
	return wire_enc_error(e) ? 0 : 1;
}

#define CAPS_FIXED_LEN 176 /* ceph_mds_caps: a 92-byte head, an 84-byte body */

static int dec_peer(struct wire_dec *d, struct mds_cap_peer *p)
{
	uint32_t mds;

	if (wire_dec_le64(d, &p->cap_id) || wire_dec_le32(d, &p->issue_seq) || wire_dec_le32(d, &p->mseq) ||
	    wire_dec_le32(d, &mds) || wire_dec_u8(d, &p->flags))
		return -EBADMSG;
	p->mds = (int32_t)mds;
	return 0;
}

int mds_caps_decode(uint16_t version, const void *front, size_t len, const void *middle, size_t middle_len,
		    struct mds_caps_msg *out)
{
	struct wire_dec d, body;
	const uint8_t *b;
	uint64_t u;

	memset(out, 0, sizeof(*out));
	out->inline_version = UINT64_MAX;
	out->nfiles = out->nsubdirs = -1;
	if (len < CAPS_FIXED_LEN || mds_caps_head_decode(front, len, &out->h))
		goto bad;
	wire_dec_init(&d, (const uint8_t *)front + 52, len - 52);
	if (wire_dec_le64(&d, &out->snap_follows) || wire_dec_le32(&d, &out->snap_trace_len) ||
	    wire_dec_le32(&d, &out->uid) || wire_dec_le32(&d, &out->gid) || wire_dec_le32(&d, &out->mode) ||
	    wire_dec_le32(&d, &out->nlink) || wire_dec_le32(&d, &out->xattr_len) ||
	    wire_dec_le64(&d, &out->xattr_version))
		goto bad;
	b = wire_dec_take(&d, 84);
	if (!b)
		goto bad;
	wire_dec_init(&body, b, 84);
	if (out->h.op == MDS_CAP_OP_EXPORT) {
		if (dec_peer(&body, &out->peer))
			goto bad;
		out->have_peer = true;
	} else if (wire_dec_le64(&body, &out->size) || wire_dec_le64(&body, &out->max_size) ||
		   wire_dec_le64(&body, &out->truncate_size) || wire_dec_le32(&body, &out->truncate_seq) ||
		   dec_ts(&body, &out->mtime) || dec_ts(&body, &out->atime) || dec_ts(&body, &out->ctime) ||
		   wire_dec_le32(&body, &out->stripe_unit) || wire_dec_le32(&body, &out->stripe_count) ||
		   wire_dec_le32(&body, &out->object_size) || wire_dec_skip(&body, 12) ||
		   wire_dec_le32(&body, &out->pool) || wire_dec_le32(&body, &out->time_warp_seq)) {
		goto bad;
	}
	out->snap_trace = wire_dec_take(&d, out->snap_trace_len);
	if (!out->snap_trace && out->snap_trace_len)
		goto bad;
	if (version >= 2 && ceph_dec_blob(&d, &out->flock, &out->flock_len))
		goto bad;
	if (version >= 3 && out->h.op == MDS_CAP_OP_IMPORT) {
		if (dec_peer(&d, &out->peer))
			goto bad;
		out->have_peer = true;
	}
	if (version >= 4 &&
	    (wire_dec_le64(&d, &out->inline_version) || ceph_dec_blob(&d, &out->inline_data, &out->inline_len)))
		goto bad;
	if (version >= 5 && wire_dec_le32(&d, &out->osd_epoch_barrier))
		goto bad;
	if (version >= 6 && wire_dec_le64(&d, &out->oldest_flush_tid))
		goto bad;
	if (version >= 7 && (wire_dec_le32(&d, &out->caller_uid) || wire_dec_le32(&d, &out->caller_gid)))
		goto bad;
	if (version >= 8 && ceph_dec_blob(&d, &out->pool_ns, &out->pool_ns_len))
		goto bad;
	if (version >= 9 && (dec_ts(&d, &out->btime) || wire_dec_le64(&d, &out->change_attr)))
		goto bad;
	if (version >= 10 && wire_dec_le32(&d, &out->flags))
		goto bad;
	if (version >= 11) {
		if (wire_dec_le64(&d, &u))
			goto bad;
		out->nfiles = (int64_t)u;
		if (wire_dec_le64(&d, &u))
			goto bad;
		out->nsubdirs = (int64_t)u;
	}
	/* later versions' fields (fscrypt) are not ours */
	if (middle_len != out->xattr_len)
		goto bad;
	out->xattrs = middle_len ? middle : NULL;
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return -EBADMSG;
}

static void enc_ts(struct wire_enc *e, struct mds_timespec t)
{
	wire_enc_le32(e, t.sec);
	wire_enc_le32(e, t.nsec);
}

uint16_t mds_caps_encode(struct wire_enc *e, const struct mds_caps_msg *m)
{
	if (m->h.op == MDS_CAP_OP_EXPORT || m->snap_trace_len) {
		wire_enc_fail(e, -EINVAL);
		return 0;
	}
	wire_enc_le32(e, m->h.op);
	wire_enc_le64(e, m->h.ino);
	wire_enc_le64(e, m->h.realm);
	wire_enc_le64(e, m->h.cap_id);
	wire_enc_le32(e, m->h.seq);
	wire_enc_le32(e, m->h.issue_seq);
	wire_enc_le32(e, m->h.caps);
	wire_enc_le32(e, m->h.wanted);
	wire_enc_le32(e, m->h.dirty);
	wire_enc_le32(e, m->h.migrate_seq);
	wire_enc_le64(e, m->snap_follows);
	wire_enc_le32(e, 0); /* snap trace: the MDS's to send */
	wire_enc_le32(e, m->uid);
	wire_enc_le32(e, m->gid);
	wire_enc_le32(e, m->mode);
	wire_enc_le32(e, m->nlink);
	wire_enc_le32(e, m->xattr_len);
	wire_enc_le64(e, m->xattr_version);
	wire_enc_le64(e, m->size);
	wire_enc_le64(e, m->max_size);
	wire_enc_le64(e, m->truncate_size);
	wire_enc_le32(e, m->truncate_seq);
	enc_ts(e, m->mtime);
	enc_ts(e, m->atime);
	enc_ts(e, m->ctime);
	wire_enc_zeros(e, 28); /* the layout: the MDS reads none from a client */
	wire_enc_le32(e, m->time_warp_seq);
	ceph_enc_blob(e, m->flock, m->flock_len); /* v2 */
	wire_enc_le64(e, m->inline_version);	  /* v4 */
	ceph_enc_blob(e, m->inline_data, m->inline_len);
	wire_enc_le32(e, m->osd_epoch_barrier); /* v5 */
	wire_enc_le64(e, m->oldest_flush_tid);	/* v6 */
	wire_enc_le32(e, m->caller_uid);	/* v7 */
	wire_enc_le32(e, m->caller_gid);
	ceph_enc_blob(e, m->pool_ns, m->pool_ns_len); /* v8 */
	enc_ts(e, m->btime);			      /* v9 */
	wire_enc_le64(e, m->change_attr);
	wire_enc_le32(e, m->flags);	       /* v10 */
	wire_enc_le64(e, (uint64_t)m->nfiles); /* v11 */
	wire_enc_le64(e, (uint64_t)m->nsubdirs);
	return wire_enc_error(e) ? 0 : MDS_CAPS_VERSION;
}
