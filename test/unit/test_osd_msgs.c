/*
 * test/unit/test_osd_msgs.c: cephosd/osd_msgs.c, the OSD messages.
 *
 * The request is checked byte for byte against the layout MOSDOp::decode_payload
 * reads (written out here field by field, not with the encoder's helpers);
 * replies and backoffs are built the way an OSD encodes them and then cut,
 * stretched and corrupted. The real OSDs' view is test/integration/rados.test.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_codec.h"
#include "cephosd/osd_msgs.h"
#include "test/lib/osd_reply_enc.h"

Test(osd_msgs, a_write_request_is_laid_out_as_the_osd_reads_it)
{
	static const char payload[] = "hello";
	struct osd_op ops[2] = {
	    {.op = OSD_OP_WRITE, .extent = {.offset = 4096, .length = 5}, .indata = payload, .indata_len = 5},
	    {.op = OSD_OP_SETXATTR, .xattr = {.name_len = 1, .value_len = 2}, .indata = "abc", .indata_len = 3},
	};
	struct mosdop m = {.pgid = {3, 0x1f},
			   .shard = -1,
			   .hash = 0xdeadbeef,
			   .epoch = 77,
			   .flags = OSD_FLAG_WRITE | OSD_FLAG_ONDISK,
			   .mtime_sec = 1700000000,
			   .mtime_nsec = 5,
			   .pool = 3,
			   .ns = "ns",
			   .oid = "foo",
			   .nops = 2,
			   .ops = ops,
			   .snapid = OSD_NOSNAP,
			   .attempts = 1,
			   .features = 0x3f01cfbffffdffffull};
	struct wire_enc f, d, w;

	wire_enc_init(&f);
	wire_enc_init(&d);
	cr_assert_eq(mosdop_encode(&m, &f, &d), 0);

	wire_enc_init(&w);
	/* spg_t */
	wire_enc_u8(&w, 1), wire_enc_u8(&w, 1), wire_enc_le32(&w, 18);
	wire_enc_u8(&w, 1), wire_enc_le64(&w, 3), wire_enc_le32(&w, 0x1f), wire_enc_le32(&w, 0xffffffff);
	wire_enc_u8(&w, 0xff);
	wire_enc_le32(&w, 0xdeadbeef), wire_enc_le32(&w, 77), wire_enc_le32(&w, 0x24);
	/* reqid: empty */
	wire_enc_u8(&w, 2), wire_enc_u8(&w, 2), wire_enc_le32(&w, 21), wire_enc_zeros(&w, 21);
	wire_enc_zeros(&w, 24); /* trace */
	wire_enc_le32(&w, 0);	/* client_inc */
	wire_enc_le32(&w, 1700000000), wire_enc_le32(&w, 5);
	/* object_locator_t v6 */
	wire_enc_u8(&w, 6), wire_enc_u8(&w, 3), wire_enc_le32(&w, 8 + 4 + 4 + 4 + 2 + 8);
	wire_enc_le64(&w, 3), wire_enc_le32(&w, 0xffffffff), wire_enc_le32(&w, 0);
	wire_enc_le32(&w, 2), wire_enc_bytes(&w, "ns", 2), wire_enc_le64(&w, ~0ull);
	wire_enc_le32(&w, 3), wire_enc_bytes(&w, "foo", 3);
	wire_enc_le16(&w, 2);
	/* op 1: write extent */
	wire_enc_le16(&w, 0x2201), wire_enc_le32(&w, 0);
	wire_enc_le64(&w, 4096), wire_enc_le64(&w, 5), wire_enc_le64(&w, 0), wire_enc_le32(&w, 0);
	wire_enc_le32(&w, 5);
	/* op 2: setxattr */
	wire_enc_le16(&w, 0x2301), wire_enc_le32(&w, 0);
	wire_enc_le32(&w, 1), wire_enc_le32(&w, 2), wire_enc_u8(&w, 0), wire_enc_u8(&w, 0), wire_enc_zeros(&w, 18);
	wire_enc_le32(&w, 3);
	wire_enc_le64(&w, OSD_NOSNAP), wire_enc_le64(&w, 0), wire_enc_le32(&w, 0);
	wire_enc_le32(&w, 1), wire_enc_le64(&w, 0x3f01cfbffffdffffull);

	cr_assert_eq(f.len, w.len, "front %zu bytes, want %zu", f.len, w.len);
	cr_assert_eq(memcmp(f.buf, w.buf, w.len), 0);
	cr_assert_eq(f.len, 163 + 2 + 3 + 38 * 2 + 8, "the kernel's size plus the locator's hash");
	cr_assert_eq(d.len, 8);
	cr_assert_eq(memcmp(d.buf, "helloabc", 8), 0, "inputs in op order");

	/* refused */
	m.nops = 0;
	cr_assert_eq(mosdop_encode(&m, &f, &d), -EINVAL);
	m.nops = OSD_MAX_OPS + 1;
	cr_assert_eq(mosdop_encode(&m, &f, &d), -EINVAL);
	m.nops = 1;
	ops[0].indata = NULL;
	cr_assert_eq(mosdop_encode(&m, &f, &d), -EINVAL, "an input length without the input");
	wire_enc_free(&f);
	wire_enc_free(&d);
	wire_enc_free(&w);
}

/* A reply as Pacific's OSD encodes it (v8): a read of 5 bytes and a
 * getxattr of 3 (-ENODATA). */
static void enc_reply(struct wire_enc *e, uint32_t nops, uint32_t len0, uint32_t len1, bool redirect)
{
	uint16_t codes[OSD_MAX_OPS + 1];
	uint32_t lens[OSD_MAX_OPS + 1] = {len0, len1};
	int32_t rvals[OSD_MAX_OPS + 1] = {0, -61};

	for (unsigned i = 0; i <= OSD_MAX_OPS; i++)
		codes[i] = i ? OSD_OP_GETXATTR : OSD_OP_READ;
	osd_reply_encode(e, &(struct osd_reply_enc){.oid = "foo",
						    .pgid = {3, 0x1f},
						    .epoch = 78,
						    .nops = nops,
						    .ops = codes,
						    .out_lens = lens,
						    .rvals = rvals,
						    .attempts = 1,
						    .version = 12345,
						    .redirect_pool = redirect ? 9 : -1});
}

Test(osd_msgs, replies_decode_with_outputs_cut_from_the_data_segment)
{
	struct mosdopreply *r = malloc(sizeof(*r));
	struct wire_enc e;

	wire_enc_init(&e);
	enc_reply(&e, 2, 5, 3, false);
	cr_assert_eq(mosdopreply_decode(8, e.buf, e.len, (const uint8_t *)"helloabc", 8, r), 0);
	cr_assert_str_eq(r->oid, "foo");
	cr_assert_eq(r->pgid.pool, 3);
	cr_assert_eq(r->pgid.seed, 0x1f);
	cr_assert_eq(r->epoch, 78);
	cr_assert_eq(r->attempts, 1);
	cr_assert_eq(r->version, 12345);
	cr_assert_eq(r->nops, 2);
	cr_assert_eq(r->ops[0].op, OSD_OP_READ);
	cr_assert_eq(r->ops[0].outdata_len, 5);
	cr_assert_eq(memcmp(r->ops[0].outdata, "hello", 5), 0);
	cr_assert_eq(r->ops[1].rval, -61);
	cr_assert_eq(memcmp(r->ops[1].outdata, "abc", 3), 0);
	cr_assert_not(r->redirect);

	/* every cut of the front is refused; so is a data segment that
	 * disagrees with the outputs' lengths */
	for (size_t n = 0; n < e.len - 24; n++)
		cr_assert_eq(mosdopreply_decode(8, e.buf, n, (const uint8_t *)"helloabc", 8, r), -EBADMSG, "%zu", n);
	cr_assert_eq(mosdopreply_decode(8, e.buf, e.len, (const uint8_t *)"helloab", 7, r), -EBADMSG);
	cr_assert_eq(mosdopreply_decode(8, e.buf, e.len, (const uint8_t *)"helloabcd", 9, r), -EBADMSG);
	cr_assert_eq(mosdopreply_decode(5, e.buf, e.len, (const uint8_t *)"helloabc", 8, r), -EBADMSG, "too old");
	wire_enc_free(&e);

	/* an output length past the data segment, huge */
	wire_enc_init(&e);
	enc_reply(&e, 2, 0xfffffff0u, 3, false);
	cr_assert_eq(mosdopreply_decode(8, e.buf, e.len, (const uint8_t *)"helloabc", 8, r), -EBADMSG);
	wire_enc_free(&e);

	/* more ops than a request can have */
	wire_enc_init(&e);
	enc_reply(&e, OSD_MAX_OPS + 1, 0, 0, false);
	cr_assert_eq(mosdopreply_decode(8, e.buf, e.len, NULL, 0, r), -EBADMSG);
	wire_enc_free(&e);

	/* a redirect (to pool 9) is seen */
	wire_enc_init(&e);
	enc_reply(&e, 1, 0, 0, true);
	cr_assert_eq(mosdopreply_decode(8, e.buf, e.len, NULL, 0, r), 0);
	cr_assert(r->redirect);
	wire_enc_free(&e);
	free(r);
}

static void enc_hobject(struct wire_enc *e, const char *oid, uint32_t hash)
{
	size_t at = ceph_enc_struct_begin(e, 4, 3);
	ceph_enc_string(e, ""), ceph_enc_string(e, oid), wire_enc_le64(e, OSD_NOSNAP), wire_enc_le32(e, hash);
	wire_enc_u8(e, 0), ceph_enc_string(e, ""), wire_enc_le64(e, 3);
	ceph_enc_struct_end(e, at);
}

Test(osd_msgs, a_backoff_block_is_acked_with_its_own_range)
{
	struct wire_enc e, ack, want;
	struct mosdbackoff b;
	size_t at;

	wire_enc_init(&e);
	at = ceph_enc_struct_begin(&e, 1, 1);
	wire_enc_u8(&e, 1), wire_enc_le64(&e, 3), wire_enc_le32(&e, 7), wire_enc_le32(&e, 0xffffffff);
	wire_enc_u8(&e, 0xff);
	ceph_enc_struct_end(&e, at);
	wire_enc_le32(&e, 90), wire_enc_u8(&e, OSD_BACKOFF_BLOCK), wire_enc_le64(&e, 4);
	enc_hobject(&e, "a", 1), enc_hobject(&e, "z", 2);
	cr_assert_eq(mosdbackoff_decode(e.buf, e.len, &b), 0);
	cr_assert_eq(b.pgid.pool, 3);
	cr_assert_eq(b.pgid.seed, 7);
	cr_assert_eq(b.shard, -1);
	cr_assert_eq(b.epoch, 90);
	cr_assert_eq(b.id, 4);

	wire_enc_init(&ack);
	cr_assert_eq(mosdbackoff_ack_encode(&ack, &b), 0);
	wire_enc_init(&want);
	wire_enc_bytes(&want, e.buf, e.len);
	want.buf[24 + 4] = OSD_BACKOFF_ACK_BLOCK; /* the op byte after spg_t and epoch */
	cr_assert_eq(ack.len, want.len);
	cr_assert_eq(memcmp(ack.buf, want.buf, want.len), 0);

	for (size_t n = 0; n < e.len; n++)
		cr_assert_eq(mosdbackoff_decode(e.buf, n, &b), -EBADMSG, "%zu", n);
	e.buf[24 + 4] = 9; /* no such op */
	cr_assert_eq(mosdbackoff_decode(e.buf, e.len, &b), -EBADMSG);
	wire_enc_free(&e);
	wire_enc_free(&ack);
	wire_enc_free(&want);
}

Test(osd_msgs, op_payloads)
{
	struct wire_enc e;
	uint64_t size;
	uint32_t sec, nsec, dlen;
	struct osd_extent ext[4];
	unsigned n;
	const uint8_t *data, *k, *v;
	uint32_t kl, vl;
	struct osd_omap_iter it;
	bool more;

	/* stat */
	wire_enc_init(&e);
	wire_enc_le64(&e, 4194304), wire_enc_le32(&e, 1700000000), wire_enc_le32(&e, 9);
	cr_assert_eq(osd_stat_decode(e.buf, e.len, &size, &sec, &nsec), 0);
	cr_assert_eq(size, 4194304);
	cr_assert_eq(sec, 1700000000);
	cr_assert_eq(osd_stat_decode(e.buf, e.len - 1, &size, &sec, &nsec), -EBADMSG);
	wire_enc_free(&e);

	/* sparse read: two extents and their bytes */
	wire_enc_init(&e);
	wire_enc_le32(&e, 2);
	wire_enc_le64(&e, 0), wire_enc_le64(&e, 3), wire_enc_le64(&e, 100), wire_enc_le64(&e, 2);
	ceph_enc_blob(&e, "abcde", 5);
	cr_assert_eq(osd_sparse_read_decode(e.buf, e.len, ext, 4, &n, &data, &dlen), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(ext[1].offset, 100);
	cr_assert_eq(dlen, 5);
	cr_assert_eq(osd_sparse_read_decode(e.buf, e.len, ext, 1, &n, &data, &dlen), -E2BIG);
	for (size_t c = 0; c < e.len; c++)
		cr_assert_eq(osd_sparse_read_decode(e.buf, c, ext, 4, &n, &data, &dlen), -EBADMSG, "%zu", c);
	put_le64(e.buf + 4 + 16, 1); /* the second extent overlaps the first */
	cr_assert_eq(osd_sparse_read_decode(e.buf, e.len, ext, 4, &n, &data, &dlen), -EBADMSG);
	wire_enc_free(&e);

	/* omap: set's input read back as get's output, then "more" */
	const char *keys[] = {"k1", "key2"};
	const void *vals[] = {"v", ""};
	const uint32_t lens[] = {1, 0};
	wire_enc_init(&e);
	cr_assert_eq(osd_omap_kv_encode(&e, keys, vals, lens, 2), 0);
	wire_enc_u8(&e, 1);
	cr_assert_eq(osd_omap_iter_init(&it, e.buf, e.len), 0);
	cr_assert_eq(osd_omap_next(&it, &k, &kl, &v, &vl), 1);
	cr_assert(kl == 2 && !memcmp(k, "k1", 2) && vl == 1 && v[0] == 'v');
	cr_assert_eq(osd_omap_next(&it, &k, &kl, &v, &vl), 1);
	cr_assert(kl == 4 && vl == 0);
	cr_assert_eq(osd_omap_next(&it, &k, &kl, &v, &vl), 0);
	cr_assert_eq(osd_omap_more(&it, &more), 0);
	cr_assert(more);
	put_le32(e.buf, 0x40000000); /* a count the bytes cannot hold */
	cr_assert_eq(osd_omap_iter_init(&it, e.buf, e.len), -EBADMSG);
	wire_enc_free(&e);

	cr_assert_str_eq(osd_op_name(OSD_OP_SPARSE_READ), "sparse-read");
	cr_assert_str_eq(osd_op_name(0x7777), "???");
}

/* A listing's request and answer: the op's union and cursor as Objecter's
 * pg_nls sends them, pg_nls_response_t as PrimaryLogPG::do_pg_op encodes
 * it, then cut, stretched and corrupted. */
Test(osd_msgs, a_listing_request_and_its_answer)
{
	struct osd_op op = {.op = OSD_OP_PGNLS, .pgls = {.count = 1024, .start_epoch = 31}};
	struct mosdop m = {.pgid = {3, 5},
			   .shard = -1,
			   .hash = 5,
			   .pool = 3,
			   .ns = OSD_ALL_NSPACES,
			   .oid = "",
			   .nops = 1,
			   .ops = &op,
			   .snapid = OSD_NOSNAP};
	struct wire_enc cur, f, d, e, w;
	struct osd_hobject h;
	struct osd_pgnls_iter it;
	struct osd_list_entry ent;
	size_t at, ops_at, count_at;

	/* the first cursor: a default hobject_t */
	wire_enc_init(&cur);
	cr_assert_eq(osd_hobject_min_encode(&cur), 0);
	wire_enc_init(&w);
	wire_enc_u8(&w, 4), wire_enc_u8(&w, 3), wire_enc_le32(&w, 4 + 4 + 8 + 4 + 1 + 4 + 8);
	wire_enc_le32(&w, 0), wire_enc_le32(&w, 0), wire_enc_le64(&w, 0), wire_enc_le32(&w, 0), wire_enc_u8(&w, 0);
	wire_enc_le32(&w, 0), wire_enc_le64(&w, 0x8000000000000000ull);
	cr_assert_eq(cur.len, w.len);
	cr_assert_eq(memcmp(cur.buf, w.buf, w.len), 0);
	cr_assert_eq(osd_hobject_decode(cur.buf, cur.len, &h), 0);
	cr_assert(h.pool == INT64_MIN && !h.max && h.hash == 0 && h.snap == 0);
	for (size_t n = 0; n < cur.len; n++)
		cr_assert_eq(osd_hobject_decode(cur.buf, n, &h), -EBADMSG, "%zu", n);

	/* the op: u64 count, u32 start_epoch in the union, the cursor as input */
	op.indata = cur.buf;
	op.indata_len = (uint32_t)cur.len;
	wire_enc_init(&f);
	wire_enc_init(&d);
	cr_assert_eq(mosdop_encode(&m, &f, &d), 0);
	ops_at = f.len - (8 + 8 + 4 + 4 + 8) - OSD_OP_WIRE_LEN;
	cr_assert_eq(get_le16(f.buf + ops_at), 0x1505);
	cr_assert_eq(get_le64(f.buf + ops_at + 6), 1024);
	cr_assert_eq(get_le32(f.buf + ops_at + 14), 31);
	cr_assert_eq(get_le32(f.buf + ops_at + 34), cur.len);
	cr_assert_eq(d.len, cur.len);
	cr_assert_str_eq(osd_op_name(OSD_OP_PGNLS), "pgnls");

	/* the answer: the next cursor (an object of namespace "n"), two entries */
	wire_enc_init(&e);
	at = ceph_enc_struct_begin(&e, 1, 1);
	enc_hobject(&e, "next", 0x80000005);
	wire_enc_le32(&e, 2);
	ceph_enc_string(&e, ""), ceph_enc_string(&e, "obj1"), ceph_enc_string(&e, "");
	ceph_enc_string(&e, "n"), ceph_enc_string(&e, "obj2"), ceph_enc_string(&e, "loc");
	ceph_enc_struct_end(&e, at);
	ceph_enc_blob(&e, "", 0); /* an old OSD's extra bufferlist: ignored */
	cr_assert_eq(osd_pgnls_iter_init(&it, e.buf, e.len), 0);
	count_at = 6 + it.handle_len;
	cr_assert_eq(it.next.hash, 0x80000005);
	cr_assert(!it.next.max && it.next.pool == 3 && it.next.oid_len == 4 && !memcmp(it.next.oid, "next", 4));
	cr_assert_eq(it.handle, e.buf + 6, "the cursor is sent back as the OSD encoded it");
	cr_assert_eq(osd_hobject_decode(it.handle, it.handle_len, &h), 0);
	cr_assert_eq(h.hash, 0x80000005);
	cr_assert_eq(osd_pgnls_next(&it, &ent), 1);
	cr_assert(ent.ns_len == 0 && ent.oid_len == 4 && !memcmp(ent.oid, "obj1", 4) && ent.locator_len == 0);
	cr_assert_eq(osd_pgnls_next(&it, &ent), 1);
	cr_assert(ent.ns_len == 1 && ent.locator_len == 3 && !memcmp(ent.locator, "loc", 3));
	cr_assert_eq(osd_pgnls_next(&it, &ent), 0);

	/* cut anywhere inside the response: refused at the start or on the way */
	for (size_t n = 0; n < e.len - 4; n++) {
		int r = osd_pgnls_iter_init(&it, e.buf, n);
		while (r == 0 && (r = osd_pgnls_next(&it, &ent)) == 1)
			r = 0;
		cr_assert_eq(r, -EBADMSG, "%zu", n);
	}
	/* a count the bytes cannot hold; an entry overrunning the response */
	put_le32(e.buf + count_at, 0x10000000);
	cr_assert_eq(osd_pgnls_iter_init(&it, e.buf, e.len), -EBADMSG);
	put_le32(e.buf + count_at, 3);
	cr_assert_eq(osd_pgnls_iter_init(&it, e.buf, e.len), 0);
	cr_assert_eq(osd_pgnls_next(&it, &ent), 1);
	cr_assert_eq(osd_pgnls_next(&it, &ent), 1);
	cr_assert_eq(osd_pgnls_next(&it, &ent), -EBADMSG, "a third entry past the struct's end");
	/* a newer, incompatible response */
	e.buf[1] = 2;
	cr_assert_eq(osd_pgnls_iter_init(&it, e.buf, e.len), -EBADMSG);
	wire_enc_free(&cur), wire_enc_free(&f), wire_enc_free(&d), wire_enc_free(&e), wire_enc_free(&w);
}
