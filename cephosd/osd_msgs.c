/*
 * cephosd/osd_msgs.c: OSD messages and op payloads (see osd_msgs.h).
 *
 * Encodings, from Ceph's messages/MOSDOp.h, MOSDOpReply.h, MOSDBackoff.h,
 * osd/osd_types.cc and the kernel's net/ceph/osd_client.c, little-endian:
 *   MOSDOp v8 front: spg_t {u8 1, u8 1, u32 len: pg_t {u8 1, u64 pool,
 *     u32 seed, s32 -1}, s8 shard}; u32 hash (the object's raw hash); u32
 *     epoch; u32 flags; osd_reqid_t {u8 2, u8 2, u32 len: u8 entity type,
 *     u64 num, u64 tid, s32 inc} (all zero); 24 bytes of trace (zero); u32
 *     client_inc (0); utime mtime; object_locator_t {u8 6, u8 3, u32 len:
 *     s64 pool, s32 -1, string key, string nspace, s64 hash -1}; string
 *     oid; u16 op count; ceph_osd_op each; u64 snapid; u64 snap_seq;
 *     vector<u64> snaps; s32 retry attempt; u64 features.
 *   ceph_osd_op (38 bytes): u16 op, u32 flags, a 28-byte union (extent:
 *     u64 offset, u64 length, u64 truncate_size, u32 truncate_seq; xattr:
 *     u32 name_len, u32 value_len, u8 cmp_op, u8 cmp_mode; cls: u8
 *     class_len, u8 method_len, u8 argc, u32 indata_len), u32 payload_len.
 *     The ops' inputs travel in the data segment, in op order.
 *   MOSDOpReply v8 front: string oid; pg_t; u64 flags; s32 result;
 *     eversion bad_replay_version (u64 version, u32 epoch); u32 epoch; u32
 *     op count; ceph_osd_op each (payload_len: the op's output); s32 retry
 *     attempt; s32 rval each; eversion replay_version; u64 user_version;
 *     (v7) u8 do_redirect and a request_redirect_t when set; (v8) trace.
 *     (v6 has the redirect without the flag.) Outputs in the data segment.
 *   MOSDBackoff v1: spg_t; u32 epoch; u8 op; u64 id; hobject_t begin, end
 *     ({u8 v, u8 compat, u32 len, ...}, kept as bytes).
 *   hobject_t v4 (compat 3): string key; string oid; u64 snap; u32 hash;
 *     u8 max; string nspace; s64 pool. The default one (the start of a
 *     listing) has snap 0, hash 0, pool INT64_MIN.
 *   PGNLS: the union is u64 count, u32 start_epoch; the input the cursor
 *     (hobject_t); the output pg_nls_response_t v1: hobject_t handle; u32
 *     count; {string nspace, string oid, string locator} each.
 */
#include "config.h"

#include "cephosd/osd_msgs.h"

#include <errno.h>
#include <string.h>

#include "cephmon/msgr/ceph_codec.h"

static void enc_pg(struct wire_enc *e, struct osd_pg pg)
{
	wire_enc_u8(e, 1);
	wire_enc_le64(e, (uint64_t)pg.pool);
	wire_enc_le32(e, pg.seed);
	wire_enc_le32(e, (uint32_t)-1); /* preferred */
}

static int dec_pg(struct wire_dec *d, struct osd_pg *pg)
{
	uint8_t v;
	uint64_t pool;
	uint32_t pref;

	if (wire_dec_u8(d, &v) || wire_dec_le64(d, &pool) || wire_dec_le32(d, &pg->seed) || wire_dec_le32(d, &pref))
		return -EBADMSG;
	if (v != 1)
		return wire_dec_fail(d);
	pg->pool = (int64_t)pool;
	return 0;
}

static void enc_op(struct wire_enc *e, const struct osd_op *op)
{
	uint8_t u[28] = {0};

	switch (op->op) {
	case OSD_OP_SETXATTR:
	case OSD_OP_GETXATTR:
	case OSD_OP_RMXATTR:
		put_le32(u, op->xattr.name_len);
		put_le32(u + 4, op->xattr.value_len);
		u[8] = op->xattr.cmp_op;
		u[9] = op->xattr.cmp_mode;
		break;
	case OSD_OP_CALL:
		u[0] = op->cls.class_len;
		u[1] = op->cls.method_len;
		put_le32(u + 3, op->cls.indata_len);
		break;
	case OSD_OP_PGNLS:
		put_le64(u, op->pgls.count);
		put_le32(u + 8, op->pgls.start_epoch);
		break;
	default:
		put_le64(u, op->extent.offset);
		put_le64(u + 8, op->extent.length);
		put_le64(u + 16, op->extent.truncate_size);
		put_le32(u + 24, op->extent.truncate_seq);
		break;
	}
	wire_enc_le16(e, op->op);
	wire_enc_le32(e, op->flags);
	wire_enc_bytes(e, u, sizeof(u));
	wire_enc_le32(e, op->indata_len);
}

int mosdop_encode(const struct mosdop *m, struct wire_enc *front, struct wire_enc *data)
{
	size_t at;

	if (!m->nops || m->nops > OSD_MAX_OPS || !m->oid)
		return -EINVAL;
	for (unsigned i = 0; i < m->nops; i++)
		if (m->ops[i].indata_len && !m->ops[i].indata)
			return -EINVAL;
	at = ceph_enc_struct_begin(front, 1, 1); /* spg_t */
	enc_pg(front, m->pgid);
	wire_enc_u8(front, (uint8_t)m->shard);
	ceph_enc_struct_end(front, at);
	wire_enc_le32(front, m->hash);
	wire_enc_le32(front, m->epoch);
	wire_enc_le32(front, m->flags);
	at = ceph_enc_struct_begin(front, 2, 2); /* osd_reqid_t, empty */
	wire_enc_zeros(front, 1 + 8 + 8 + 4);
	ceph_enc_struct_end(front, at);
	wire_enc_zeros(front, 24); /* trace */
	wire_enc_le32(front, 0);   /* client_inc, as the reqid's */
	wire_enc_le32(front, m->mtime_sec);
	wire_enc_le32(front, m->mtime_nsec);
	at = ceph_enc_struct_begin(front, 6, 3); /* object_locator_t */
	wire_enc_le64(front, (uint64_t)m->pool);
	wire_enc_le32(front, (uint32_t)-1);
	ceph_enc_string(front, m->key ? m->key : "");
	ceph_enc_string(front, m->ns ? m->ns : "");
	wire_enc_le64(front, (uint64_t)-1); /* hash: from the name */
	ceph_enc_struct_end(front, at);
	ceph_enc_string(front, m->oid);
	wire_enc_le16(front, (uint16_t)m->nops);
	for (unsigned i = 0; i < m->nops; i++) {
		enc_op(front, &m->ops[i]);
		if (m->ops[i].indata_len && data)
			wire_enc_bytes(data, m->ops[i].indata, m->ops[i].indata_len);
	}
	wire_enc_le64(front, m->snapid);
	wire_enc_le64(front, m->snap_seq);
	wire_enc_le32(front, 0); /* no snaps */
	wire_enc_le32(front, (uint32_t)m->attempts);
	wire_enc_le64(front, m->features);
	return wire_enc_error(front) ? wire_enc_error(front) : data ? wire_enc_error(data) : 0;
}

static int dec_eversion(struct wire_dec *d, uint64_t *version)
{
	return wire_dec_le64(d, version) || wire_dec_skip(d, 4) ? -EBADMSG : 0;
}

int mosdopreply_decode(uint16_t version, const uint8_t *front, size_t front_len, const uint8_t *data, size_t data_len,
		       struct mosdopreply *out)
{
	struct wire_dec d;
	const uint8_t *oid;
	uint32_t oid_len, nops, result, attempts;
	uint64_t ignored;
	size_t data_off = 0;

	memset(out, 0, sizeof(*out));
	if (version < 6) /* before Firefly: no OSD we talk to sends it */
		return -EBADMSG;
	wire_dec_init(&d, front, front_len);
	if (ceph_dec_blob(&d, &oid, &oid_len) || dec_pg(&d, &out->pgid) || wire_dec_le64(&d, &out->flags) ||
	    wire_dec_le32(&d, &result) || dec_eversion(&d, &ignored) || wire_dec_le32(&d, &out->epoch) ||
	    wire_dec_le32(&d, &nops))
		return -EBADMSG;
	if (nops > OSD_MAX_OPS || nops > wire_dec_left(&d) / OSD_OP_WIRE_LEN)
		return -EBADMSG;
	out->result = (int32_t)result;
	out->nops = nops;
	for (uint32_t i = 0; i < nops; i++) {
		const uint8_t *op = wire_dec_take(&d, OSD_OP_WIRE_LEN);
		uint32_t plen;

		if (!op)
			return -EBADMSG;
		out->ops[i].op = get_le16(op);
		plen = get_le32(op + 34);
		if (plen > data_len - data_off)
			return -EBADMSG;
		out->ops[i].outdata = plen ? data + data_off : NULL;
		out->ops[i].outdata_len = plen;
		data_off += plen;
	}
	if (wire_dec_le32(&d, &attempts))
		return -EBADMSG;
	out->attempts = (int32_t)attempts;
	for (uint32_t i = 0; i < nops; i++) {
		uint32_t rval;
		if (wire_dec_le32(&d, &rval))
			return -EBADMSG;
		out->ops[i].rval = (int32_t)rval;
	}
	if (dec_eversion(&d, &ignored) || wire_dec_le64(&d, &out->version))
		return -EBADMSG;
	if (version >= 7) {
		uint8_t redirect;
		if (wire_dec_u8(&d, &redirect))
			return -EBADMSG;
		out->redirect = redirect != 0;
	} else {
		out->redirect = true; /* v6 always carries one; an empty one is no redirect */
	}
	if (out->redirect) {
		struct wire_dec r, loc;
		uint8_t v;
		uint64_t pool;

		if (ceph_dec_struct(&d, 1, 1, &v, &r) || ceph_dec_struct(&r, 3, 6, &v, &loc) ||
		    wire_dec_le64(&loc, &pool))
			return -EBADMSG;
		out->redirect = (int64_t)pool != -1;
	}
	if (data_off != data_len) /* outputs and data segment disagree */
		return -EBADMSG;
	memcpy(out->oid, oid, oid_len < sizeof(out->oid) ? oid_len : sizeof(out->oid) - 1);
	return 0;
}

static int dec_hobject(struct wire_dec *d, const uint8_t **p, uint32_t *len)
{
	struct wire_dec body;
	const uint8_t *start = wire_dec_take(d, 0);
	uint8_t v;

	if (!start || ceph_dec_struct(d, 4, 4, &v, &body))
		return -EBADMSG;
	*p = start;
	*len = (uint32_t)(wire_dec_take(d, 0) - start);
	return 0;
}

int mosdbackoff_decode(const uint8_t *front, size_t len, struct mosdbackoff *out)
{
	struct wire_dec d, spg;
	uint8_t v, shard;

	memset(out, 0, sizeof(*out));
	wire_dec_init(&d, front, len);
	if (ceph_dec_struct(&d, 1, 1, &v, &spg) || dec_pg(&spg, &out->pgid) || wire_dec_u8(&spg, &shard) ||
	    wire_dec_le32(&d, &out->epoch) || wire_dec_u8(&d, &out->op) || wire_dec_le64(&d, &out->id) ||
	    dec_hobject(&d, &out->begin, &out->begin_len) || dec_hobject(&d, &out->end, &out->end_len))
		return -EBADMSG;
	out->shard = (int8_t)shard;
	if (out->op < OSD_BACKOFF_BLOCK || out->op > OSD_BACKOFF_UNBLOCK)
		return -EBADMSG;
	return 0;
}

int mosdbackoff_ack_encode(struct wire_enc *e, const struct mosdbackoff *b)
{
	size_t at = ceph_enc_struct_begin(e, 1, 1);

	enc_pg(e, b->pgid);
	wire_enc_u8(e, (uint8_t)b->shard);
	ceph_enc_struct_end(e, at);
	wire_enc_le32(e, b->epoch);
	wire_enc_u8(e, OSD_BACKOFF_ACK_BLOCK);
	wire_enc_le64(e, b->id);
	wire_enc_bytes(e, b->begin, b->begin_len);
	wire_enc_bytes(e, b->end, b->end_len);
	return wire_enc_error(e);
}

/* ---- op payloads --------------------------------------------------------------- */

int osd_stat_decode(const uint8_t *p, size_t len, uint64_t *size, uint32_t *mtime_sec, uint32_t *mtime_nsec)
{
	struct wire_dec d;

	wire_dec_init(&d, p, len);
	return wire_dec_le64(&d, size) || wire_dec_le32(&d, mtime_sec) || wire_dec_le32(&d, mtime_nsec) ? -EBADMSG : 0;
}

int osd_sparse_read_decode(const uint8_t *p, size_t len, struct osd_extent *ext, unsigned max, unsigned *n,
			   const uint8_t **data, uint32_t *data_len)
{
	struct wire_dec d;
	uint32_t count;
	uint64_t total = 0;

	wire_dec_init(&d, p, len);
	if (wire_dec_le32(&d, &count))
		return -EBADMSG;
	if (count > wire_dec_left(&d) / 16)
		return -EBADMSG;
	if (count > max)
		return -E2BIG;
	for (uint32_t i = 0; i < count; i++) {
		if (wire_dec_le64(&d, &ext[i].offset) || wire_dec_le64(&d, &ext[i].length))
			return -EBADMSG;
		if (i && ext[i].offset < ext[i - 1].offset + ext[i - 1].length)
			return -EBADMSG; /* overlapping or out of order */
		total += ext[i].length;
		if (total > UINT32_MAX)
			return -EBADMSG;
	}
	if (ceph_dec_blob(&d, data, data_len) || *data_len != total)
		return -EBADMSG;
	*n = count;
	return 0;
}

int osd_omap_get_vals_encode(struct wire_enc *e, const char *start_after, uint64_t max, const char *prefix)
{
	ceph_enc_string(e, start_after ? start_after : "");
	wire_enc_le64(e, max);
	ceph_enc_string(e, prefix ? prefix : "");
	return wire_enc_error(e);
}

int osd_omap_kv_encode(struct wire_enc *e, const char *const *keys, const void *const *vals, const uint32_t *val_lens,
		       unsigned n)
{
	wire_enc_le32(e, n);
	for (unsigned i = 0; i < n; i++) {
		ceph_enc_string(e, keys[i]);
		ceph_enc_blob(e, vals[i], val_lens[i]);
	}
	return wire_enc_error(e);
}

int osd_omap_keys_encode(struct wire_enc *e, const char *const *keys, unsigned n)
{
	wire_enc_le32(e, n);
	for (unsigned i = 0; i < n; i++)
		ceph_enc_string(e, keys[i]);
	return wire_enc_error(e);
}

int osd_omap_iter_init(struct osd_omap_iter *it, const uint8_t *p, size_t len)
{
	wire_dec_init(&it->d, p, len);
	if (wire_dec_le32(&it->d, &it->left))
		return -EBADMSG;
	if (it->left > wire_dec_left(&it->d) / 8) /* a pair is at least two lengths */
		return -EBADMSG;
	return 0;
}

int osd_omap_next(struct osd_omap_iter *it, const uint8_t **key, uint32_t *key_len, const uint8_t **val,
		  uint32_t *val_len)
{
	if (!it->left)
		return 0;
	if (ceph_dec_blob(&it->d, key, key_len) || ceph_dec_blob(&it->d, val, val_len))
		return -EBADMSG;
	it->left--;
	return 1;
}

int osd_omap_more(struct osd_omap_iter *it, bool *more)
{
	uint8_t b;

	if (it->left || wire_dec_u8(&it->d, &b))
		return -EBADMSG;
	*more = b != 0;
	return 0;
}

/* ---- listing ---------------------------------------------------------------- */

int osd_hobject_min_encode(struct wire_enc *e)
{
	size_t at = ceph_enc_struct_begin(e, 4, 3);

	ceph_enc_string(e, ""); /* key */
	ceph_enc_string(e, ""); /* oid */
	wire_enc_le64(e, 0);	/* snap */
	wire_enc_le32(e, 0);	/* hash */
	wire_enc_u8(e, 0);	/* max */
	ceph_enc_string(e, ""); /* nspace */
	wire_enc_le64(e, (uint64_t)INT64_MIN);
	ceph_enc_struct_end(e, at);
	return wire_enc_error(e);
}

static int dec_hobject_fields(struct wire_dec *d, struct osd_hobject *h)
{
	struct wire_dec b;
	uint64_t pool;
	uint8_t v, max;

	if (ceph_dec_struct(d, 4, 4, &v, &b) || ceph_dec_blob(&b, &h->key, &h->key_len) ||
	    ceph_dec_blob(&b, &h->oid, &h->oid_len) || wire_dec_le64(&b, &h->snap) || wire_dec_le32(&b, &h->hash) ||
	    wire_dec_u8(&b, &max) || ceph_dec_blob(&b, &h->ns, &h->ns_len) || wire_dec_le64(&b, &pool))
		return -EBADMSG;
	h->max = max != 0;
	h->pool = (int64_t)pool;
	return 0;
}

int osd_hobject_decode(const uint8_t *p, size_t len, struct osd_hobject *h)
{
	struct wire_dec d;

	memset(h, 0, sizeof(*h));
	wire_dec_init(&d, p, len);
	return dec_hobject_fields(&d, h);
}

int osd_pgnls_iter_init(struct osd_pgnls_iter *it, const uint8_t *p, size_t len)
{
	struct wire_dec d;
	uint8_t v;

	memset(it, 0, sizeof(*it));
	wire_dec_init(&d, p, len);
	/* after the response, an old OSD's extra bufferlist may follow: ignored */
	if (ceph_dec_struct(&d, 1, 1, &v, &it->d))
		return -EBADMSG;
	it->handle = wire_dec_take(&it->d, 0);
	if (!it->handle || dec_hobject_fields(&it->d, &it->next))
		return -EBADMSG;
	it->handle_len = (uint32_t)(wire_dec_take(&it->d, 0) - it->handle);
	if (wire_dec_le32(&it->d, &it->left) || it->left > wire_dec_left(&it->d) / 12) /* three lengths each */
		return -EBADMSG;
	return 0;
}

int osd_pgnls_next(struct osd_pgnls_iter *it, struct osd_list_entry *e)
{
	if (!it->left)
		return 0;
	if (ceph_dec_blob(&it->d, &e->ns, &e->ns_len) || ceph_dec_blob(&it->d, &e->oid, &e->oid_len) ||
	    ceph_dec_blob(&it->d, &e->locator, &e->locator_len))
		return -EBADMSG;
	it->left--;
	return 1;
}

const char *osd_op_name(uint16_t op)
{
	switch (op) {
	case OSD_OP_READ:
		return "read";
	case OSD_OP_STAT:
		return "stat";
	case OSD_OP_SPARSE_READ:
		return "sparse-read";
	case OSD_OP_OMAPGETKEYS:
		return "omap-get-keys";
	case OSD_OP_OMAPGETVALS:
		return "omap-get-vals";
	case OSD_OP_OMAPGETHEADER:
		return "omap-get-header";
	case OSD_OP_OMAPGETVALSBYKEYS:
		return "omap-get-vals-by-keys";
	case OSD_OP_WRITE:
		return "write";
	case OSD_OP_WRITEFULL:
		return "writefull";
	case OSD_OP_TRUNCATE:
		return "truncate";
	case OSD_OP_ZERO:
		return "zero";
	case OSD_OP_DELETE:
		return "delete";
	case OSD_OP_APPEND:
		return "append";
	case OSD_OP_CREATE:
		return "create";
	case OSD_OP_OMAPSETVALS:
		return "omap-set-vals";
	case OSD_OP_OMAPSETHEADER:
		return "omap-set-header";
	case OSD_OP_OMAPCLEAR:
		return "omap-clear";
	case OSD_OP_OMAPRMKEYS:
		return "omap-rm-keys";
	case OSD_OP_GETXATTR:
		return "getxattr";
	case OSD_OP_GETXATTRS:
		return "getxattrs";
	case OSD_OP_SETXATTR:
		return "setxattr";
	case OSD_OP_RMXATTR:
		return "rmxattr";
	case OSD_OP_CALL:
		return "call";
	case OSD_OP_PGNLS:
		return "pgnls";
	default:
		return "???";
	}
}
