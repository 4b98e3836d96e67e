/*
 * test/unit/test_mds_msgs.c: cephmds/mds_msgs.c, the MDS messages: what the
 * client sends checked byte by byte at Ceph's offsets, what the MDS sends
 * (encoded as a Pacific MDS does, test/lib/mds_reply_enc.c) decoded field by
 * field, at every structure version the MDS may use, and every cut,
 * overlong count and unknown compat version refused.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cephmds/mds_msgs.h"
#include "cephmon/msgr/ceph_codec.h"
#include "test/lib/mds_reply_enc.h"

/* Every strict prefix of a message fails to decode. */
#define EVERY_CUT_FAILS(call_with_len, buf, len)                                                                       \
	do {                                                                                                           \
		for (size_t n_ = 0; n_ < (len); n_++) {                                                                \
			uint8_t *cut_ = malloc(n_ ? n_ : 1);                                                           \
			memcpy(cut_, (buf), n_);                                                                       \
			cr_assert_neq(call_with_len(cut_, n_), 0, "a cut at %zu of %zu bytes decodes", n_,             \
				      (size_t)(len));                                                                  \
			free(cut_);                                                                                    \
		}                                                                                                      \
	} while (0)

/* ---- sessions ---------------------------------------------------------------------------- */

Test(mds_session, request_open_carries_metadata_features_and_an_empty_metric_spec)
{
	const char *meta[] = {"hostname", "h", "entity_id", "admin"};
	struct mds_session_open o = {.meta = meta, .nmeta = 2, .features = MDS_CLIENT_FEATURES, .seq = 0};
	struct wire_enc e;
	static const uint8_t
	    want[] =
		{
		    0,	 0,   0,   0,	0,    0,    0,	  0,   0,   0,	 0,   0,   0,	0, 0, 0, 0,
		    0,	 0,   0,   0,	0,    0,    0,	  0,   0,   0,	 0, /* head: op 0, seq 0, the rest zero */
		    2,	 0,   0,   0,					    /* two pairs */
		    8,	 0,   0,   0,	'h',  'o',  's',  't', 'n', 'a', 'm', 'e', 1,	0, 0, 0, 'h', /* hostname=h */
		    9,	 0,   0,   0,	'e',  'n',  't',  'i', 't', 'y', '_', 'i', 'd', 5, 0, 0, 0,
		    'a', 'd', 'm', 'i', 'n',					 /* entity_id=admin
										  */
		    8,	 0,   0,   0,	0xff, 0x03, 0x01, 0,   0,   0,	 0,   0, /* features: bits 0..9, 16 */
		    1,	 1,   4,   0,	0,    0,    0,	  0,   0,   0,		 /* metric spec: none */
		};

	wire_enc_init(&e);
	cr_assert_eq(mds_session_open_encode(&e, &o), 4);
	cr_assert_eq(e.len, sizeof(want));
	cr_assert_arr_eq(e.buf, want, sizeof(want));
	wire_enc_free(&e);

	wire_enc_init(&e);
	cr_assert_eq(mds_session_head_encode(&e, MDS_SESSION_REQUEST_RENEWCAPS, 7), 1);
	cr_assert_eq(e.len, 28);
	cr_assert_eq(get_le32(e.buf), 4);
	cr_assert_eq(get_le64(e.buf + 4), 7);
	wire_enc_free(&e);
}

static int decode_v4(const void *p, size_t n)
{
	struct mds_session_msg m;
	return mds_session_decode(4, p, n, &m);
}

static int decode_v5(const void *p, size_t n)
{
	struct mds_session_msg m;
	return mds_session_decode(5, p, n, &m);
}

Test(mds_session, replies_decode_at_each_version_and_cuts_fail)
{
	struct wire_enc e;
	struct mds_session_msg m;

	wire_enc_init(&e);
	mds_enc_session(&e, 1, MDS_SESSION_RENEWCAPS, 3, NULL, 0, 0);
	cr_assert_eq(mds_session_decode(1, e.buf, e.len, &m), 0);
	cr_assert_eq(m.op, MDS_SESSION_RENEWCAPS);
	cr_assert_eq(m.seq, 3);
	cr_assert(!m.have_features);
	wire_enc_free(&e);

	wire_enc_init(&e);
	mds_enc_session(&e, 4, MDS_SESSION_OPEN, 0, NULL, 0x7fff, 0);
	cr_assert_eq(mds_session_decode(4, e.buf, e.len, &m), 0);
	cr_assert_eq(m.op, MDS_SESSION_OPEN);
	cr_assert(m.have_features);
	cr_assert_eq(m.features, 0x7fff);
	EVERY_CUT_FAILS(decode_v4, e.buf, e.len);
	cr_assert_eq(decode_v5(e.buf, e.len), -EBADMSG, "v5 wants its flags too");
	wire_enc_free(&e);

	/* REJECT with a reason (control bytes made printable) and the blocklisted flag */
	wire_enc_init(&e);
	mds_enc_session(&e, 5, MDS_SESSION_REJECT, 0, "blocklisted\n(blacklisted)", 0, MDS_SESSION_FLAG_BLOCKLISTED);
	cr_assert_eq(mds_session_decode(5, e.buf, e.len, &m), 0);
	cr_assert_eq(m.op, MDS_SESSION_REJECT);
	cr_assert_str_eq(m.error, "blocklisted?(blacklisted)");
	cr_assert_eq(m.flags, MDS_SESSION_FLAG_BLOCKLISTED);
	EVERY_CUT_FAILS(decode_v5, e.buf, e.len);
	wire_enc_free(&e);

	/* a map whose count runs past the end; a metric spec of compat 2 */
	uint8_t bad[40] = {11};
	put_le32(bad + 28, 1000);
	cr_assert_eq(mds_session_decode(2, bad, 32, &m), -EBADMSG);
	cr_assert_eq(m.op, 0, "nothing half-filled");
	wire_enc_init(&e);
	mds_enc_session(&e, 4, MDS_SESSION_OPEN, 0, NULL, 1, 0);
	e.buf[e.len - 14 + 1] = 2;
	cr_assert_eq(mds_session_decode(4, e.buf, e.len, &m), -EBADMSG);
	wire_enc_free(&e);
}

/* ---- requests ---------------------------------------------------------------------------- */

Test(mds_request, the_head_and_paths_lie_at_cephs_offsets)
{
	static const uint32_t gids[] = {10, 20};
	struct mds_request r = {.oldest_client_tid = 0x1122334455667788ull,
				.mdsmap_epoch = 42,
				.flags = MDS_REQ_FLAG_WANT_DENTRY,
				.num_retry = 2,
				.num_fwd = 300,
				.op = MDS_OP_LOOKUP,
				.caller_uid = 1000,
				.caller_gid = 100,
				.args = {.mask = 0x55},
				.path = {.ino = 1, .path = "dir"},
				.stamp = {5, 6},
				.gids = gids,
				.ngids = 2};
	struct wire_enc e;

	wire_enc_init(&e);
	cr_assert_eq(mds_request_encode(&e, &r), 4);
	cr_assert_eq(get_le16(e.buf), 1, "head version 1");
	cr_assert_eq(get_le64(e.buf + 2), 0x1122334455667788ull);
	cr_assert_eq(get_le32(e.buf + 10), 42);
	cr_assert_eq(get_le32(e.buf + 14), MDS_REQ_FLAG_WANT_DENTRY);
	cr_assert_eq(e.buf[18], 2);
	cr_assert_eq(e.buf[19], 255, "num_fwd saturates in its byte");
	cr_assert_eq(get_le16(e.buf + 20), 0);
	cr_assert_eq(get_le32(e.buf + 22), MDS_OP_LOOKUP);
	cr_assert_eq(get_le32(e.buf + 26), 1000);
	cr_assert_eq(get_le32(e.buf + 30), 100);
	cr_assert_eq(get_le64(e.buf + 34), 0);
	cr_assert_eq(get_le32(e.buf + 42), 0x55, "getattr.mask");
	/* filepath 1 at 98: v1, ino 1, "dir"; filepath 2 empty */
	cr_assert_eq(e.buf[98], 1);
	cr_assert_eq(get_le64(e.buf + 99), 1);
	cr_assert_eq(get_le32(e.buf + 107), 3);
	cr_assert_arr_eq(e.buf + 111, "dir", 3);
	cr_assert_eq(e.buf[114], 1);
	cr_assert_eq(get_le64(e.buf + 115), 0);
	cr_assert_eq(get_le32(e.buf + 123), 0);
	/* stamp, then the groups as u64 */
	cr_assert_eq(get_le32(e.buf + 127), 5);
	cr_assert_eq(get_le32(e.buf + 131), 6);
	cr_assert_eq(get_le32(e.buf + 135), 2);
	cr_assert_eq(get_le64(e.buf + 139), 10);
	cr_assert_eq(get_le64(e.buf + 147), 20);
	cr_assert_eq(e.len, 155);
	wire_enc_free(&e);
}

static const uint8_t *encode_args(struct wire_enc *e, uint32_t op, const struct mds_req_args *a)
{
	struct mds_request r = {.op = op, .args = *a};

	wire_enc_init(e);
	cr_assert_eq(mds_request_encode(e, &r), 4);
	return e->buf + 42;
}

Test(mds_request, each_ops_arguments_take_its_shape)
{
	struct wire_enc e;
	const uint8_t *a;

	a = encode_args(&e, MDS_OP_SETATTR,
			&(struct mds_req_args){.mode = 0644,
					       .uid = 1,
					       .gid = 2,
					       .mtime = {3, 4},
					       .atime = {5, 6},
					       .size = 7,
					       .old_size = 8,
					       .mask = MDS_SETATTR_SIZE,
					       .btime = {9, 10}});
	cr_assert_eq(get_le32(a), 0644);
	cr_assert_eq(get_le32(a + 4), 1);
	cr_assert_eq(get_le32(a + 8), 2);
	cr_assert_eq(get_le32(a + 12), 3);
	cr_assert_eq(get_le32(a + 16), 4);
	cr_assert_eq(get_le32(a + 20), 5);
	cr_assert_eq(get_le64(a + 28), 7);
	cr_assert_eq(get_le64(a + 36), 8);
	cr_assert_eq(get_le32(a + 44), MDS_SETATTR_SIZE);
	cr_assert_eq(get_le32(a + 48), 9);
	cr_assert_eq(get_le32(a + 52), 10);
	wire_enc_free(&e);

	a = encode_args(&e, MDS_OP_READDIR,
			&(struct mds_req_args){.frag = 1,
					       .max_entries = 2,
					       .max_bytes = 3,
					       .readdir_flags = MDS_READDIR_REPLY_BITFLAGS,
					       .offset_hash = 0xabcdef});
	cr_assert_eq(get_le32(a), 1);
	cr_assert_eq(get_le32(a + 4), 2);
	cr_assert_eq(get_le32(a + 8), 3);
	cr_assert_eq(get_le16(a + 12), 1);
	cr_assert_eq(get_le32(a + 14), 0xabcdef);
	wire_enc_free(&e);

	a = encode_args(&e, MDS_OP_CREATE,
			&(struct mds_req_args){.flags = MDS_O_CREAT | MDS_O_EXCL | MDS_O_RDWR,
					       .mode = 0100600,
					       .stripe_unit = 1,
					       .stripe_count = 2,
					       .object_size = 3,
					       .pool = 4,
					       .mask = 5,
					       .old_size = 6});
	cr_assert_eq(get_le32(a), 0302);
	cr_assert_eq(get_le32(a + 4), 0100600);
	cr_assert_eq(get_le32(a + 20), 4);
	cr_assert_eq(get_le32(a + 24), 5);
	cr_assert_eq(get_le64(a + 28), 6);
	wire_enc_free(&e);

	a = encode_args(&e, MDS_OP_MKNOD, &(struct mds_req_args){.mode = 020644, .rdev = 0x0801});
	cr_assert_eq(get_le32(a), 020644);
	cr_assert_eq(get_le32(a + 4), 0x0801);
	wire_enc_free(&e);

	a = encode_args(&e, MDS_OP_UNLINK, &(struct mds_req_args){.mode = 1, .mask = 2});
	for (int i = 0; i < 56; i++)
		cr_assert_eq(a[i], 0, "unlink carries no arguments");
	wire_enc_free(&e);
}

Test(mds_request, releases_follow_the_paths_with_their_names)
{
	const struct mds_release rel[] = {{.ino = 5, .cap_id = 6, .caps = 7, .dname = "x"}, {.ino = 8}};
	struct mds_request r = {.op = MDS_OP_UNLINK, .releases = rel, .nreleases = 2};
	struct wire_enc e;

	wire_enc_init(&e);
	cr_assert_eq(mds_request_encode(&e, &r), 4);
	cr_assert_eq(get_le16(e.buf + 20), 2);
	/* two empty filepaths (13 bytes each) after the 98-byte head */
	const uint8_t *p = e.buf + 98 + 26;
	cr_assert_eq(get_le64(p), 5);
	cr_assert_eq(get_le64(p + 8), 6);
	cr_assert_eq(get_le32(p + 16), 7);
	cr_assert_eq(get_le32(p + 40), 1);
	cr_assert_eq(p[44], 'x');
	cr_assert_eq(get_le64(p + 45), 8);
	cr_assert_eq(get_le32(p + 45 + 40), 0);
	wire_enc_free(&e);
}

static int forward(const void *p, size_t n)
{
	struct mds_forward f;
	return mds_forward_decode(p, n, &f);
}

Test(mds_request, a_forward_names_the_rank_and_count)
{
	uint8_t b[9];
	struct mds_forward f;

	put_le32(b, 2);
	put_le32(b + 4, 3);
	b[8] = 1;
	cr_assert_eq(mds_forward_decode(b, 9, &f), 0);
	cr_assert_eq(f.dest_mds, 2);
	cr_assert_eq(f.num_fwd, 3);
	cr_assert(f.must_resend);
	EVERY_CUT_FAILS(forward, b, sizeof(b));
}

/* ---- replies ----------------------------------------------------------------------------- */

static const uint8_t splits[16] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0};

static struct mds_inode sample_inode(uint64_t ino, uint32_t mode)
{
	static const uint8_t xattrs[] = {1, 0, 0, 0, 6, 0, 0, 0, 'u', 's', 'e', 'r', '.', 'a', 2, 0, 0, 0, 'h', 'i'};
	return (struct mds_inode){.ino = ino,
				  .snapid = UINT64_MAX - 1,
				  .rdev = 0,
				  .version = 99,
				  .xattr_version = 3,
				  .cap = {.caps = 0x555,
					  .wanted = 0x5,
					  .cap_id = 77,
					  .seq = 1,
					  .mseq = 2,
					  .realm = 1,
					  .flags = MDS_CAP_FLAG_AUTH},
				  .stripe_unit = 4 << 20,
				  .stripe_count = 1,
				  .object_size = 4 << 20,
				  .pool = 3,
				  .ctime = {10, 11},
				  .mtime = {12, 13},
				  .atime = {14, 15},
				  .btime = {16, 17},
				  .time_warp_seq = 1,
				  .size = 12345,
				  .max_size = 4 << 22,
				  .truncate_size = UINT64_MAX,
				  .truncate_seq = 1,
				  .mode = mode,
				  .uid = 1000,
				  .gid = 1000,
				  .nlink = 1,
				  .files = 4,
				  .subdirs = 2,
				  .rbytes = 1 << 20,
				  .rfiles = 40,
				  .rsubdirs = 5,
				  .rctime = {18, 19},
				  .nsplits = 2,
				  .splits = splits,
				  .symlink = (const uint8_t *)"target",
				  .symlink_len = 6,
				  .dir_hash = 2,
				  .xattrs = xattrs,
				  .xattrs_len = sizeof(xattrs),
				  .inline_version = UINT64_MAX,
				  .quota_max_bytes = 1 << 30,
				  .quota_max_files = 0,
				  .pool_ns = (const uint8_t *)"ns1",
				  .pool_ns_len = 3,
				  .change_attr = 21,
				  .export_pin = -1,
				  .snap_btime = {22, 23},
				  .rsnaps = 2};
}

static void check_inode(const struct mds_inode *got, const struct mds_inode *want, uint8_t v)
{
	cr_assert_eq(got->struct_v, v);
	cr_assert_eq(got->ino, want->ino);
	cr_assert_eq(got->snapid, want->snapid);
	cr_assert_eq(got->version, want->version);
	cr_assert_eq(got->xattr_version, want->xattr_version);
	cr_assert_eq(got->cap.caps, want->cap.caps);
	cr_assert_eq(got->cap.wanted, want->cap.wanted);
	cr_assert_eq(got->cap.cap_id, want->cap.cap_id);
	cr_assert_eq(got->cap.mseq, want->cap.mseq);
	cr_assert_eq(got->cap.realm, want->cap.realm);
	cr_assert_eq(got->cap.flags, want->cap.flags);
	cr_assert_eq(got->stripe_unit, want->stripe_unit);
	cr_assert_eq(got->object_size, want->object_size);
	cr_assert_eq(got->pool, want->pool);
	cr_assert_eq(got->ctime.sec, want->ctime.sec);
	cr_assert_eq(got->mtime.nsec, want->mtime.nsec);
	cr_assert_eq(got->atime.sec, want->atime.sec);
	cr_assert_eq(got->btime.nsec, want->btime.nsec);
	cr_assert_eq(got->size, want->size);
	cr_assert_eq(got->max_size, want->max_size);
	cr_assert_eq(got->truncate_size, want->truncate_size);
	cr_assert_eq(got->mode, want->mode);
	cr_assert_eq(got->uid, want->uid);
	cr_assert_eq(got->nlink, want->nlink);
	cr_assert_eq(got->files, want->files);
	cr_assert_eq(got->rbytes, want->rbytes);
	cr_assert_eq(got->rsubdirs, want->rsubdirs);
	cr_assert_eq(got->rctime.nsec, want->rctime.nsec);
	cr_assert_eq(got->nsplits, 2);
	cr_assert_arr_eq(got->splits, splits, 16);
	cr_assert_eq(got->symlink_len, 6);
	cr_assert_arr_eq(got->symlink, "target", 6);
	cr_assert_eq(got->dir_hash, 2);
	cr_assert_eq(got->xattrs_len, want->xattrs_len);
	cr_assert_eq(got->inline_version, UINT64_MAX);
	cr_assert_eq(got->quota_max_bytes, 1 << 30);
	cr_assert_eq(got->pool_ns_len, 3);
	cr_assert_arr_eq(got->pool_ns, "ns1", 3);
	cr_assert_eq(got->change_attr, 21);
	cr_assert_eq(got->export_pin, -1);
	cr_assert_eq(got->snap_btime.sec, v >= 3 ? 22u : 0u);
	cr_assert_eq(got->rsnaps, v >= 4 ? 2 : 0);
}

/* A lookup's reply: the parent, its frag, the name and lease, the target. */
static void lookup_reply(struct wire_enc *e, uint8_t v, struct mds_inode *diri, struct mds_inode *target)
{
	struct wire_enc t;
	struct mds_reply h = {
	    .op = MDS_OP_LOOKUP, .result = 0, .mdsmap_epoch = 7, .safe = true, .is_dentry = true, .is_target = true};

	*diri = sample_inode(1, 040755);
	*target = sample_inode(0x10000000000, 0100644);
	wire_enc_init(&t);
	mds_enc_inode(&t, diri, v);
	mds_enc_dirstat(&t, &(struct mds_dirstat){.frag = 0, .auth = 0, .ndist = 2});
	ceph_enc_string(&t, "file");
	mds_enc_lease(&t, &(struct mds_lease){.mask = MDS_LEASE_VALID, .duration_ms = 30000, .seq = 4}, 2);
	mds_enc_inode(&t, target, v);
	wire_enc_init(e);
	mds_enc_reply(e, &h, t.buf, (uint32_t)t.len, NULL, 0);
	wire_enc_free(&t);
}

static int reply(const void *p, size_t n)
{
	static struct mds_reply r;
	return mds_reply_decode(p, n, &r);
}

Test(mds_reply, a_lookup_trace_decodes_at_every_inode_version)
{
	static struct mds_reply r;
	struct mds_inode diri, target;
	struct wire_enc e;

	for (uint8_t v = 1; v <= 8; v++) {
		lookup_reply(&e, v, &diri, &target);
		cr_assert_eq(mds_reply_decode(e.buf, e.len, &r), 0, "InodeStat v%u", v);
		cr_assert_eq(r.op, MDS_OP_LOOKUP);
		cr_assert_eq(r.mdsmap_epoch, 7);
		cr_assert(r.safe && r.is_dentry && r.is_target);
		check_inode(&r.diri, &diri, v);
		check_inode(&r.target, &target, v);
		cr_assert_eq(r.dirfrag.ndist, 2);
		cr_assert_eq(r.dname_len, 4);
		cr_assert_arr_eq(r.dname, "file", 4);
		cr_assert_eq(r.dlease.mask, MDS_LEASE_VALID);
		cr_assert_eq(r.dlease.duration_ms, 30000);
		cr_assert_eq(r.dlease.seq, 4);
		if (v == 5)
			EVERY_CUT_FAILS(reply, e.buf, e.len);
		wire_enc_free(&e);
	}
}

Test(mds_reply, errors_and_malformed_traces)
{
	static struct mds_reply r;
	struct mds_inode diri, target;
	struct wire_enc e;

	/* an error reply, traceless */
	wire_enc_init(&e);
	mds_enc_reply(&e, &(struct mds_reply){.op = MDS_OP_GETATTR, .result = -2, .safe = true}, NULL, 0, NULL, 0);
	cr_assert_eq(mds_reply_decode(e.buf, e.len, &r), 0);
	cr_assert_eq(r.result, -2);
	cr_assert(!r.is_dentry && !r.is_target);
	wire_enc_free(&e);

	/* the inode's compat version 2: not ours to read */
	lookup_reply(&e, 5, &diri, &target);
	e.buf[15 + 4 + 1] = 2;
	cr_assert_eq(mds_reply_decode(e.buf, e.len, &r), -EBADMSG);
	cr_assert_eq(r.op, 0, "nothing half-filled");
	wire_enc_free(&e);

	/* the trace longer than what the flags say it holds */
	wire_enc_init(&e);
	{
		struct wire_enc t;
		struct mds_inode in = sample_inode(1, 040755);
		wire_enc_init(&t);
		mds_enc_inode(&t, &in, 5);
		wire_enc_u8(&t, 0);
		mds_enc_reply(&e, &(struct mds_reply){.op = MDS_OP_GETATTR, .is_target = true}, t.buf, (uint32_t)t.len,
			      NULL, 0);
		wire_enc_free(&t);
	}
	cr_assert_eq(mds_reply_decode(e.buf, e.len, &r), -EBADMSG, "a stray byte after the trace");
	wire_enc_free(&e);

	/* fragtree splits counted past the inode's end */
	{
		struct wire_enc t;
		struct mds_inode in = sample_inode(1, 040755);
		wire_enc_init(&t);
		mds_enc_inode(&t, &in, 5);
		put_le32(t.buf + 6 + 217, 0x40000000);
		wire_enc_init(&e);
		mds_enc_reply(&e, &(struct mds_reply){.op = MDS_OP_GETATTR, .is_target = true}, t.buf, (uint32_t)t.len,
			      NULL, 0);
		cr_assert_eq(mds_reply_decode(e.buf, e.len, &r), -EBADMSG);
		wire_enc_free(&t);
		wire_enc_free(&e);
	}
}

Test(mds_reply, readdir_entries_one_at_a_time)
{
	static struct mds_reply r;
	struct mds_readdir rd;
	struct mds_dentry de;
	struct wire_enc x, e;
	const char *names[] = {"a", "bb", "ccc"};

	wire_enc_init(&x);
	mds_enc_dirstat(&x, &(struct mds_dirstat){.frag = 0, .auth = 0});
	wire_enc_le32(&x, 3);
	wire_enc_le16(&x, MDS_READDIR_FRAG_END | MDS_READDIR_FRAG_COMPLETE | MDS_READDIR_HASH_ORDER);
	for (int i = 0; i < 3; i++) {
		struct mds_inode in = sample_inode(0x10000000000 + (uint64_t)i, 0100644);
		ceph_enc_string(&x, names[i]);
		mds_enc_lease(&x, &(struct mds_lease){.mask = 0}, 2);
		mds_enc_inode(&x, &in, 5);
	}
	wire_enc_init(&e);
	mds_enc_reply(&e, &(struct mds_reply){.op = MDS_OP_READDIR, .safe = true}, NULL, 0, x.buf, (uint32_t)x.len);
	cr_assert_eq(mds_reply_decode(e.buf, e.len, &r), 0);
	cr_assert_eq(r.extra_len, x.len);

	cr_assert_eq(mds_readdir_begin(&rd, r.extra, r.extra_len), 0);
	cr_assert_eq(rd.count, 3);
	cr_assert(rd.flags & MDS_READDIR_FRAG_END);
	cr_assert(rd.flags & MDS_READDIR_FRAG_COMPLETE);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(mds_readdir_next(&rd, &de), 1);
		cr_assert_eq(de.name_len, strlen(names[i]));
		cr_assert_arr_eq(de.name, names[i], de.name_len);
		cr_assert_eq(de.inode.ino, 0x10000000000 + (uint64_t)i);
	}
	cr_assert_eq(mds_readdir_next(&rd, &de), 0);

	/* cut inside the last entry: two come, then the error */
	cr_assert_eq(mds_readdir_begin(&rd, r.extra, r.extra_len - 10), 0);
	cr_assert_eq(mds_readdir_next(&rd, &de), 1);
	cr_assert_eq(mds_readdir_next(&rd, &de), 1);
	cr_assert_eq(mds_readdir_next(&rd, &de), -EBADMSG);
	cr_assert_eq(mds_readdir_next(&rd, &de), -EBADMSG);
	/* a count no input can hold */
	put_le32(x.buf + 6 + 12, 0xffffffff);
	cr_assert_eq(mds_readdir_begin(&rd, x.buf, (uint32_t)x.len), -EBADMSG);
	wire_enc_free(&x);
	wire_enc_free(&e);
}

Test(mds_reply, xattrs_and_a_creates_inode)
{
	struct mds_inode in = sample_inode(1, 0100644);
	struct mds_xattr_iter it;
	const uint8_t *n, *v;
	uint32_t nl, vl;
	uint64_t ino;
	uint8_t extra[8];

	cr_assert_eq(mds_xattr_begin(&it, in.xattrs, in.xattrs_len), 0);
	cr_assert_eq(mds_xattr_next(&it, &n, &nl, &v, &vl), 1);
	cr_assert_eq(nl, 6);
	cr_assert_arr_eq(n, "user.a", 6);
	cr_assert_eq(vl, 2);
	cr_assert_arr_eq(v, "hi", 2);
	cr_assert_eq(mds_xattr_next(&it, &n, &nl, &v, &vl), 0);
	cr_assert_eq(mds_xattr_begin(&it, in.xattrs, in.xattrs_len - 1), 0);
	cr_assert_eq(mds_xattr_next(&it, &n, &nl, &v, &vl), -EBADMSG);
	cr_assert_eq(mds_xattr_begin(&it, NULL, 0), 0, "no xattrs sent");
	cr_assert_eq(mds_xattr_next(&it, &n, &nl, &v, &vl), 0);

	put_le64(extra, 0x10000000005);
	cr_assert_eq(mds_create_extra_decode(extra, 8, &ino), 0);
	cr_assert_eq(ino, 0x10000000005);
	cr_assert_eq(mds_create_extra_decode(extra, 0, &ino), 0);
	cr_assert_eq(ino, 0, "an existing file opened");
	cr_assert_eq(mds_create_extra_decode(extra, 7, &ino), -EBADMSG);
}

/* ---- caps and leases ---------------------------------------------------------------------- */

static int caps_head(const void *p, size_t n)
{
	struct mds_caps_head h;
	return mds_caps_head_decode(p, n, &h);
}

Test(mds_caps, a_caps_head_and_releases_at_cephs_offsets)
{
	uint8_t b[120] = {0};
	struct mds_caps_head h;
	const struct mds_cap_item items[] = {{.ino = 1, .cap_id = 2, .migrate_seq = 3, .seq = 4},
					     {.ino = 5, .cap_id = 6, .migrate_seq = 7, .seq = 8}};
	struct wire_enc e;

	put_le32(b, MDS_CAP_OP_REVOKE);
	put_le64(b + 4, 0x10000000001);
	put_le64(b + 12, 1);
	put_le64(b + 20, 99);
	put_le32(b + 28, 5);
	put_le32(b + 32, 4);
	put_le32(b + 36, 0x55);
	put_le32(b + 40, 0x15);
	put_le32(b + 44, 0);
	put_le32(b + 48, 2);
	cr_assert_eq(mds_caps_head_decode(b, sizeof(b), &h), 0);
	cr_assert_eq(h.op, MDS_CAP_OP_REVOKE);
	cr_assert_eq(h.ino, 0x10000000001);
	cr_assert_eq(h.cap_id, 99);
	cr_assert_eq(h.seq, 5);
	cr_assert_eq(h.issue_seq, 4);
	cr_assert_eq(h.caps, 0x55);
	cr_assert_eq(h.migrate_seq, 2);
	EVERY_CUT_FAILS(caps_head, b, 52);

	wire_enc_init(&e);
	cr_assert_eq(mds_cap_release_encode(&e, items, 2), 2);
	cr_assert_eq(e.len, 4 + 2 * 24 + 4);
	cr_assert_eq(get_le32(e.buf), 2);
	cr_assert_eq(get_le64(e.buf + 4), 1);
	cr_assert_eq(get_le64(e.buf + 12), 2);
	cr_assert_eq(get_le32(e.buf + 20), 3);
	cr_assert_eq(get_le32(e.buf + 24), 4);
	cr_assert_eq(get_le64(e.buf + 28), 5);
	cr_assert_eq(get_le32(e.buf + 52), 0, "no OSD epoch barrier");
	wire_enc_free(&e);
}

static int lease(const void *p, size_t n)
{
	struct mds_lease_msg l;
	return mds_lease_decode(p, n, &l);
}

Test(mds_caps, a_lease_revoke_decodes_and_its_ack_is_the_same_message)
{
	struct mds_lease_msg l = {.action = MDS_LEASE_REVOKE,
				  .mask = 1,
				  .ino = 0x10000000000,
				  .first = 2,
				  .last = UINT64_MAX - 1,
				  .seq = 3,
				  .duration_ms = 4,
				  .dname = (const uint8_t *)"name",
				  .dname_len = 4},
			     got;
	struct wire_enc e;

	wire_enc_init(&e);
	cr_assert_eq(mds_lease_encode(&e, &l), 1);
	cr_assert_eq(e.len, 35 + 4 + 4);
	cr_assert_eq(e.buf[0], MDS_LEASE_REVOKE);
	cr_assert_eq(get_le16(e.buf + 1), 1);
	cr_assert_eq(get_le64(e.buf + 3), 0x10000000000);
	cr_assert_eq(get_le32(e.buf + 27), 3);
	cr_assert_eq(mds_lease_decode(e.buf, e.len, &got), 0);
	cr_assert_eq(got.ino, l.ino);
	cr_assert_eq(got.last, l.last);
	cr_assert_eq(got.seq, 3);
	cr_assert_eq(got.duration_ms, 4);
	cr_assert_eq(got.dname_len, 4);
	cr_assert_arr_eq(got.dname, "name", 4);
	EVERY_CUT_FAILS(lease, e.buf, e.len);
	wire_enc_free(&e);
}

static int caps_v11(const void *p, size_t n)
{
	static struct mds_caps_msg c;
	return mds_caps_decode(11, p, n, NULL, 0, &c);
}

Test(mds_caps, a_clients_update_at_cephs_offsets_and_back)
{
	struct mds_caps_msg m = {.h = {.op = MDS_CAP_OP_UPDATE,
				       .ino = 0x10000000002,
				       .cap_id = 9,
				       .seq = 4,
				       .issue_seq = 3,
				       .caps = 0x155,
				       .wanted = 0x15,
				       .dirty = 0,
				       .migrate_seq = 1},
				 .size = 4096,
				 .max_size = 1 << 22,
				 .mtime = {100, 5},
				 .time_warp_seq = 2,
				 .inline_version = UINT64_MAX,
				 .osd_epoch_barrier = 77,
				 .oldest_flush_tid = 12,
				 .btime = {50, 0},
				 .change_attr = 8,
				 .flags = MDS_CAPS_FLAG_SYNC},
			    got;
	struct wire_enc e;

	wire_enc_init(&e);
	cr_assert_eq(mds_caps_encode(&e, &m), 11);
	cr_assert_eq(e.len, 252, "176 fixed, then the v2..v11 fields");
	cr_assert_eq(get_le32(e.buf), MDS_CAP_OP_UPDATE);
	cr_assert_eq(get_le64(e.buf + 4), 0x10000000002);
	cr_assert_eq(get_le64(e.buf + 20), 9);
	cr_assert_eq(get_le32(e.buf + 28), 4);
	cr_assert_eq(get_le32(e.buf + 32), 3);
	cr_assert_eq(get_le32(e.buf + 36), 0x155);
	cr_assert_eq(get_le32(e.buf + 40), 0x15);
	cr_assert_eq(get_le32(e.buf + 48), 1);
	cr_assert_eq(get_le64(e.buf + 92), 4096);
	cr_assert_eq(get_le64(e.buf + 100), 1 << 22);
	cr_assert_eq(get_le32(e.buf + 120), 100);
	cr_assert_eq(get_le32(e.buf + 172), 2);
	cr_assert_eq(get_le32(e.buf + 176), 0, "no flocks");
	cr_assert_eq(get_le64(e.buf + 180), UINT64_MAX, "no inline data");
	cr_assert_eq(get_le32(e.buf + 192), 77);
	cr_assert_eq(get_le64(e.buf + 196), 12);
	cr_assert_eq(get_le32(e.buf + 216), 50, "btime");
	cr_assert_eq(get_le64(e.buf + 224), 8);
	cr_assert_eq(get_le32(e.buf + 232), MDS_CAPS_FLAG_SYNC);
	cr_assert_eq(get_le64(e.buf + 236), 0);

	cr_assert_eq(mds_caps_decode(11, e.buf, e.len, NULL, 0, &got), 0);
	cr_assert_eq(got.h.cap_id, 9);
	cr_assert_eq(got.h.issue_seq, 3);
	cr_assert_eq(got.size, 4096);
	cr_assert_eq(got.mtime.nsec, 5);
	cr_assert_eq(got.osd_epoch_barrier, 77);
	cr_assert_eq(got.oldest_flush_tid, 12);
	cr_assert_eq(got.change_attr, 8);
	cr_assert_eq(got.flags, MDS_CAPS_FLAG_SYNC);
	cr_assert_eq(got.nfiles, 0);
	EVERY_CUT_FAILS(caps_v11, e.buf, e.len);
	cr_assert_eq(mds_caps_decode(1, e.buf, 176, NULL, 0, &got), 0, "v1: the fixed part alone");
	cr_assert_eq(got.inline_version, UINT64_MAX);
	cr_assert_eq(got.nsubdirs, -1, "not sent");
	wire_enc_free(&e);

	m.h.op = MDS_CAP_OP_EXPORT;
	wire_enc_init(&e);
	cr_assert_eq(mds_caps_encode(&e, &m), 0, "an EXPORT is the MDS's");
	wire_enc_free(&e);
}

Test(mds_caps, the_mdss_messages_snap_trace_xattrs_and_peers)
{
	uint8_t f[400] = {0}, xattrs[20] = {1, 0, 0, 0};
	struct mds_caps_msg c;
	size_t n;

	/* a GRANT with a 16-byte snap trace, a flock blob of 3, xattrs in the middle */
	put_le32(f, MDS_CAP_OP_GRANT);
	put_le32(f + 36, 0x555);
	put_le32(f + 60, 16);
	put_le32(f + 64, 1000);
	put_le32(f + 72, 0100644);
	put_le32(f + 80, sizeof(xattrs));
	put_le64(f + 84, 5);
	put_le64(f + 92, 12345);
	put_le32(f + 144, 4 << 20);
	put_le32(f + 168, 3);
	n = 176 + 16;
	put_le32(f + n, 3), n += 4 + 3; /* flock */
	put_le64(f + n, 1), n += 8;	/* inline_version */
	put_le32(f + n, 2), n += 4 + 2; /* inline data */
	put_le32(f + n, 40), n += 4;	/* barrier */
	put_le64(f + n, 0), n += 8;	/* oldest flush tid */
	n += 8;				/* caller */
	put_le32(f + n, 2), n += 4;	/* pool_ns "ns" */
	f[n++] = 'n', f[n++] = 's';
	n += 8;			     /* btime */
	put_le64(f + n, 99), n += 8; /* change_attr */
	n += 4;			     /* flags */
	put_le64(f + n, 7), n += 8;  /* nfiles */
	put_le64(f + n, 2), n += 8;  /* nsubdirs */
	cr_assert_eq(mds_caps_decode(11, f, n, xattrs, sizeof(xattrs), &c), 0);
	cr_assert_eq(c.h.caps, 0x555);
	cr_assert_eq(c.snap_trace_len, 16);
	cr_assert_eq(c.snap_trace, f + 176);
	cr_assert_eq(c.uid, 1000);
	cr_assert_eq(c.size, 12345);
	cr_assert_eq(c.stripe_unit, 4 << 20);
	cr_assert_eq(c.pool, 3);
	cr_assert_eq(c.flock_len, 3);
	cr_assert_eq(c.inline_len, 2);
	cr_assert_eq(c.osd_epoch_barrier, 40);
	cr_assert_eq(c.pool_ns_len, 2);
	cr_assert_eq(c.change_attr, 99);
	cr_assert_eq(c.nfiles, 7);
	cr_assert_eq(c.nsubdirs, 2);
	cr_assert_eq(c.xattrs, xattrs);
	cr_assert_eq(mds_caps_decode(11, f, n, xattrs, 4, &c), -EBADMSG, "a middle shorter than xattr_len");
	cr_assert_eq(mds_caps_decode(11, f, n, NULL, 0, &c), -EBADMSG, "no middle");
	cr_assert_eq(c.h.op, 0, "nothing half-filled");
	put_le32(f + 60, 4000);
	cr_assert_eq(mds_caps_decode(11, f, n, xattrs, sizeof(xattrs), &c), -EBADMSG, "a snap trace past the end");

	/* an EXPORT: the peer in the body */
	memset(f, 0, sizeof(f));
	put_le32(f, MDS_CAP_OP_EXPORT);
	put_le64(f + 92, 55);
	put_le32(f + 100, 6);
	put_le32(f + 104, 2);
	put_le32(f + 108, 1);
	f[112] = MDS_CAP_FLAG_AUTH;
	cr_assert_eq(mds_caps_decode(1, f, 176, NULL, 0, &c), 0);
	cr_assert(c.have_peer);
	cr_assert_eq(c.peer.cap_id, 55);
	cr_assert_eq(c.peer.issue_seq, 6);
	cr_assert_eq(c.peer.mseq, 2);
	cr_assert_eq(c.peer.mds, 1);
	cr_assert_eq(c.peer.flags, MDS_CAP_FLAG_AUTH);
	/* an IMPORT at v3: the peer after the flock blob */
	put_le32(f, MDS_CAP_OP_IMPORT);
	put_le32(f + 176, 0);
	put_le64(f + 180, 77);
	put_le32(f + 196, 0xffffffff);
	f[200] = MDS_CAP_FLAG_RELEASE;
	cr_assert_eq(mds_caps_decode(3, f, 201, NULL, 0, &c), 0);
	cr_assert(c.have_peer);
	cr_assert_eq(c.peer.cap_id, 77);
	cr_assert_eq(c.peer.mds, -1);
	cr_assert_eq(c.peer.flags, MDS_CAP_FLAG_RELEASE);
	cr_assert_eq(mds_caps_decode(3, f, 200, NULL, 0, &c), -EBADMSG);
}

Test(mds_reply, the_fragment_after_each_leaf)
{
	cr_assert_eq(mds_frag_next(0), 0, "an unfragmented directory: one fragment");
	cr_assert_eq(mds_frag_next(1u << 24), (1u << 24) | 0x800000);
	cr_assert_eq(mds_frag_next((1u << 24) | 0x800000), 0, "the rightmost");
	cr_assert_eq(mds_frag_next((2u << 24) | 0x400000), (2u << 24) | 0x800000);
	cr_assert_eq(mds_frag_next((3u << 24) | 0xe00000), 0);
	cr_assert_eq(mds_frag_next((24u << 24) | 0xfffffe), (24u << 24) | 0xffffff);
	cr_assert_eq(mds_frag_next(25u << 24), 0, "no such depth");
}

Test(mds_msgs, caps_are_written_as_the_kernel_writes_them)
{
	char buf[48];

	cr_assert_eq(mds_caps_format(0x555, buf, sizeof(buf)), 10);
	cr_assert_str_eq(buf, "pAsLsXsFsc");
	mds_caps_format(MDS_CAP_PIN | MDS_CAP_AUTH_EXCL | MDS_CAP_FILE_RD | MDS_CAP_FILE_CACHE | MDS_CAP_FILE_BUFFER,
			buf, sizeof(buf));
	cr_assert_str_eq(buf, "pAxFcrb");
	mds_caps_format(0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "-");
	cr_assert_eq(mds_caps_format(0x555, buf, 4), 3, "cut to fit");
	cr_assert_str_eq(buf, "pAs");
}
