/*
 * Unit tests for cephmon/mon/mdsmap.c: MMDSMap fronts written by
 * test/unit/mdsmap_vectors.py after Ceph's encoders (Pacific MDSENC maps
 * with one and two data pools and daemons in several states, a Squid ev 19
 * map with unknown trailing fields, mds_info_t v7, the pre-MDSENC v3 form,
 * a map larger than the summary keeps), then truncated and hostile input.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/mon/mdsmap.h"
#include "mdsmap_vectors.h"

static struct mdsmap_summary *m, *zero;
static uint8_t *buf;

static void init(void)
{
	m = malloc(sizeof(*m));
	zero = calloc(1, sizeof(*zero));
	buf = malloc(1 << 16);
	cr_assert(m && zero && buf);
}

static void fini(void)
{
	free(m);
	free(zero);
	free(buf);
}

TestSuite(mdsmap, .init = init, .fini = fini);

static const char *addr(const struct mdsmap_mds *d)
{
	static char s[4][96];
	static int at;
	char *b = s[at++ % 4];

	ceph_entity_addr_format(&d->addr, b, 96);
	return b;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Decode a patched copy of @v; the result must fail with @want and leave
 * the summary zeroed. */
static void expect_fail(const uint8_t *v, size_t len, int want, const char *what)
{
	memset(m, 0xa5, sizeof(*m));
	cr_assert_eq(mmdsmap_decode(v, len, m), want, "%s", what);
	cr_assert(!memcmp(m, zero, sizeof(*m)), "%s: output not zeroed", what);
}

Test(mdsmap, pacific_one_pool)
{
	const struct mdsmap_mds *a, *b;

	cr_assert_eq(mmdsmap_decode(pacific_one_pool, sizeof(pacific_one_pool), m), 0);
	cr_assert_eq(m->fsid[0], 0x4f);
	cr_assert_eq(m->fsid[15], 0x7b);
	cr_assert_eq(m->msg_epoch, 12);
	cr_assert_str_eq(m->map_fs_name, "");
	cr_assert_eq(m->struct_v, 5);
	cr_assert_eq(m->ev, 16);
	cr_assert_eq(m->epoch, 12);
	cr_assert_eq(m->flags, 0x12);
	cr_assert_eq(m->root, 0);
	cr_assert_eq(m->session_timeout, 60);
	cr_assert_eq(m->session_autoclose, 300);
	cr_assert_eq(m->max_file_size, 1ULL << 40);
	cr_assert_eq(m->max_mds, 1);
	cr_assert_eq(m->nmds, 2);
	cr_assert_eq(m->nmds_total, 2);
	a = &m->mds[0];
	b = &m->mds[1];
	cr_assert_eq(a->gid, 4123);
	cr_assert_str_eq(a->name, "a");
	cr_assert_eq(a->rank, 0);
	cr_assert_eq(a->inc, 5);
	cr_assert_eq(a->state, CEPH_MDS_STATE_ACTIVE);
	cr_assert_eq(a->state_seq, 7);
	cr_assert_eq(a->naddrs, 2);
	cr_assert_str_eq(addr(a), "v2:127.0.0.1:6800/1111");
	cr_assert_not(a->laggy);
	cr_assert_eq(a->join_fscid, -1);
	cr_assert_eq(a->features, 0x3fff);
	cr_assert_eq(a->info_v, 10);
	cr_assert_eq(b->gid, 4200);
	cr_assert_str_eq(b->name, "b");
	cr_assert_eq(b->rank, -1);
	cr_assert_eq(b->state, CEPH_MDS_STATE_STANDBY);
	cr_assert_str_eq(mdsmap_state_name(b->state), "up:standby");
	cr_assert_str_eq(addr(b), "v2:127.0.0.1:6802/2222");
	cr_assert_eq(m->ndata_pools, 1);
	cr_assert_eq(m->ndata_pools_total, 1);
	cr_assert_eq(m->data_pools[0], 3);
	cr_assert_eq(m->cas_pool, -1);
	cr_assert_eq(m->metadata_pool, 2);
	cr_assert_eq(m->created_sec, 1763700000);
	cr_assert_eq(m->modified_sec, 1763700500);
	cr_assert_eq(m->tableserver, 0);
	cr_assert_eq(m->nin, 1);
	cr_assert_eq(m->nup, 1);
	cr_assert_eq(m->nfailed, 0);
	cr_assert_eq(m->nstopped, 0);
	cr_assert_eq(m->ndamaged, 0);
	cr_assert_eq(m->last_failure_osd_epoch, 17);
	cr_assert_not(m->inline_data);
	cr_assert(m->enabled);
	cr_assert(m->has_fs_name);
	cr_assert_str_eq(m->fs_name, "cephfs");
	cr_assert_eq(m->standby_count_wanted, 1);
	cr_assert_eq(m->max_xattr_size, 0, "not encoded before ev 18");

	cr_assert_eq(mdsmap_statfs_pool(m), 3, "one data pool: statfs asks for it");
	cr_assert_eq(mdsmap_rank_holder(m, 0), a);
	cr_assert_null(mdsmap_rank_holder(m, 1));
	cr_assert_null(mdsmap_rank_holder(m, -1), "a standby holds no rank");
}

Test(mdsmap, the_blob_alone_decodes_the_same)
{
	struct mdsmap_summary *f = malloc(sizeof(*f));
	uint32_t len = le32(pacific_one_pool + pacific_one_pool_off_blob_len);

	cr_assert_eq(mmdsmap_decode(pacific_one_pool, sizeof(pacific_one_pool), f), 0);
	cr_assert_eq(mdsmap_decode(pacific_one_pool + pacific_one_pool_off_map, len, m), 0);
	memset(f->fsid, 0, sizeof(f->fsid));
	f->msg_epoch = 0;
	cr_assert(!memcmp(f, m, sizeof(*m)));
	free(f);
}

Test(mdsmap, pacific_two_pools_and_several_states)
{
	const struct mdsmap_mds *x, *y, *z, *w;

	cr_assert_eq(mmdsmap_decode(pacific_two_pools, sizeof(pacific_two_pools), m), 0);
	cr_assert_str_eq(m->map_fs_name, "cephfs2", "header v2's trailing name");
	cr_assert_str_eq(m->fs_name, "cephfs2");
	cr_assert_eq(m->epoch, 40);
	cr_assert_eq(m->max_mds, 2);
	cr_assert_eq(m->ndata_pools, 2);
	cr_assert_eq(m->data_pools[0], 3);
	cr_assert_eq(m->data_pools[1], 5);
	cr_assert_eq(mdsmap_statfs_pool(m), CEPH_NOPOOL, "two data pools: the whole cluster");
	cr_assert_eq(m->nmds, 4);
	x = &m->mds[0];
	y = &m->mds[1];
	z = &m->mds[2];
	w = &m->mds[3];
	cr_assert_str_eq(mdsmap_state_name(x->state), "up:active");
	cr_assert_str_eq(mdsmap_state_name(y->state), "up:rejoin");
	cr_assert_str_eq(mdsmap_state_name(z->state), "up:standby-replay");
	cr_assert_str_eq(mdsmap_state_name(w->state), "up:standby");
	cr_assert_eq(y->rank, 1);
	cr_assert_eq(y->inc, 3);
	cr_assert(y->laggy);
	cr_assert_eq(y->join_fscid, 2);
	cr_assert_str_eq(addr(y), "v2:[fd00::2]:6800/32");
	cr_assert_eq(z->rank, 0);
	cr_assert_eq(mdsmap_rank_holder(m, 0), x, "rank 0 is the active one, not its standby-replay");
	cr_assert_eq(mdsmap_rank_holder(m, 1), y);
	cr_assert_eq(m->nin, 2);
	cr_assert_eq(m->nup, 2);
	cr_assert_eq(m->standby_count_wanted, 0);
	cr_assert_eq(m->ev, 16);
}

Test(mdsmap, squid_ev19_skips_what_it_does_not_know)
{
	cr_assert_eq(mmdsmap_decode(squid_ev19, sizeof(squid_ev19), m), 0);
	cr_assert_eq(m->ev, 19);
	cr_assert_eq(m->max_xattr_size, 131072);
	cr_assert_str_eq(m->fs_name, "cephfs");
	cr_assert_eq(m->nmds, 1);
	cr_assert_eq(mdsmap_statfs_pool(m), 3);
}

Test(mdsmap, info_v7_has_one_legacy_address)
{
	cr_assert_eq(mmdsmap_decode(info_v7, sizeof(info_v7), m), 0);
	cr_assert_eq(m->nmds, 2);
	cr_assert_eq(m->mds[0].info_v, 7);
	cr_assert_eq(m->mds[0].naddrs, 1);
	cr_assert_str_eq(addr(&m->mds[0]), "v1:127.0.0.1:6801/1111");
	cr_assert_eq(m->mds[0].join_fscid, -1);
	cr_assert_str_eq(m->mds[1].name, "b");
}

Test(mdsmap, legacy_v3_without_mdsenc)
{
	cr_assert_eq(mmdsmap_decode(legacy_v3, sizeof(legacy_v3), m), 0);
	cr_assert_eq(m->struct_v, 3);
	cr_assert_eq(m->ev, 5);
	cr_assert_eq(m->epoch, 1);
	cr_assert_not(m->has_fs_name);
	cr_assert_str_eq(m->fs_name, "");
	cr_assert_not(m->enabled, "before ev 8 the kernel's rule: enabled when epoch > 1");
	cr_assert_eq(m->nmds, 2);
	cr_assert_eq(m->mds[0].info_v, 3);
	cr_assert_eq(m->mds[0].state, CEPH_MDS_STATE_ACTIVE);
	cr_assert_str_eq(addr(&m->mds[0]), "v1:127.0.0.1:6801/1111");
	cr_assert_eq(m->metadata_pool, 2);
	cr_assert_eq(m->last_failure_osd_epoch, 17);
	cr_assert_eq(mdsmap_statfs_pool(m), 3);
}

Test(mdsmap, more_than_kept_is_counted)
{
	cr_assert_eq(mmdsmap_decode(many, sizeof(many), m), 0);
	cr_assert_eq(m->nmds, MDSMAP_MAX_MDS);
	cr_assert_eq(m->nmds_total, 40);
	cr_assert_str_eq(m->mds[31].name, "m31");
	cr_assert_eq(m->mds[31].info_v, 9);
	cr_assert_eq(m->ndata_pools, MDSMAP_MAX_DATA_POOLS);
	cr_assert_eq(m->ndata_pools_total, 20);
	cr_assert_eq(m->data_pools[15], 115);
	cr_assert_eq(mdsmap_statfs_pool(m), CEPH_NOPOOL);
	cr_assert_eq(m->nin, 40);
}

Test(mdsmap, no_pool_and_no_map)
{
	cr_assert_eq(mmdsmap_decode(no_pools, sizeof(no_pools), m), 0);
	cr_assert_eq(m->ndata_pools_total, 0);
	cr_assert_eq(m->nmds, 0);
	cr_assert_not(m->enabled);
	cr_assert_eq(mdsmap_statfs_pool(m), CEPH_NOPOOL);
	cr_assert_eq(mdsmap_statfs_pool(NULL), CEPH_NOPOOL, "no map yet");
}

Test(mdsmap, state_names)
{
	static const struct {
		int32_t s;
		const char *name;
	} t[] = {
	    {0, "down:dne"},	     {-1, "down:stopped"},
	    {15, "down:damaged"},    {-4, "up:boot"},
	    {-5, "up:standby"},	     {-8, "up:standby-replay"},
	    {-6, "up:creating"},     {-7, "up:starting"},
	    {8, "up:replay"},	     {9, "up:resolve"},
	    {10, "up:reconnect"},    {11, "up:rejoin"},
	    {12, "up:clientreplay"}, {13, "up:active"},
	    {14, "up:stopping"},     {-9, "up:oneshot-replay"},
	    {-10, "null"},	     {3, "???"},
	    {1000, "???"},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		cr_assert_str_eq(mdsmap_state_name(t[i].s), t[i].name, "state %d", t[i].s);
}

/* Every proper prefix fails, except the one that ends exactly after the
 * blob when the front carries a trailing name (that is a header v1 front). */
static void truncate_all(const uint8_t *v, size_t len, size_t ok_at)
{
	for (size_t n = 0; n < len; n++) {
		if (n == ok_at) {
			cr_assert_eq(mmdsmap_decode(v, n, m), 0);
			continue;
		}
		memcpy(buf, v, n);
		expect_fail(buf, n, -EBADMSG, "truncated");
	}
}

Test(mdsmap, truncation_at_every_byte)
{
	size_t two_end = pacific_two_pools_off_map + le32(pacific_two_pools + pacific_two_pools_off_blob_len);

	truncate_all(pacific_one_pool, sizeof(pacific_one_pool), (size_t)-1);
	truncate_all(pacific_two_pools, sizeof(pacific_two_pools), two_end);
	truncate_all(squid_ev19, sizeof(squid_ev19), (size_t)-1);
	truncate_all(info_v7, sizeof(info_v7), (size_t)-1);
	truncate_all(legacy_v3, sizeof(legacy_v3), (size_t)-1);
	truncate_all(no_pools, sizeof(no_pools), (size_t)-1);
}

Test(mdsmap, the_blob_truncated_at_every_byte)
{
	const uint8_t *map = legacy_v3 + legacy_v3_off_map;
	uint32_t len = le32(legacy_v3 + legacy_v3_off_blob_len);

	/* v3 has no length of its own: only its fields say where it ends. */
	for (uint32_t n = 0; n < len; n++) {
		memcpy(buf, map, n);
		cr_assert_eq(mdsmap_decode(buf, n, m), -EBADMSG, "%u of %u", n, len);
	}
	map = pacific_one_pool + pacific_one_pool_off_map;
	len = le32(pacific_one_pool + pacific_one_pool_off_blob_len);
	for (uint32_t n = 0; n < len; n++) {
		memcpy(buf, map, n);
		cr_assert_eq(mdsmap_decode(buf, n, m), -EBADMSG, "%u of %u", n, len);
	}
}

/* A copy of pacific_one_pool to patch. */
static size_t copy_one(void)
{
	memcpy(buf, pacific_one_pool, sizeof(pacific_one_pool));
	return sizeof(pacific_one_pool);
}

Test(mdsmap, struct_lengths_running_past_the_end)
{
	size_t len = copy_one();

	put32(buf + pacific_one_pool_off_info0_v + 2, 0x7fffffff);
	expect_fail(buf, len, -EBADMSG, "mds_info_t length past the end");
	copy_one();
	put32(buf + pacific_one_pool_off_map_v + 2, le32(buf + pacific_one_pool_off_map_v + 2) + 1);
	expect_fail(buf, len, -EBADMSG, "MDSMap length one past the blob");
	copy_one();
	put32(buf + pacific_one_pool_off_blob_len, le32(buf + pacific_one_pool_off_blob_len) + 1);
	expect_fail(buf, len, -EBADMSG, "blob length one past the front");
	copy_one();
	/* The info structure ends before its own fields do. */
	put32(buf + pacific_one_pool_off_info0_v + 2, 20);
	expect_fail(buf, len, -EBADMSG, "mds_info_t length too short for its fields");
}

Test(mdsmap, absurd_counts)
{
	size_t len = copy_one();

	put32(buf + pacific_one_pool_off_mds_count, 0xffffffff);
	expect_fail(buf, len, -EBADMSG, "mds_info count");
	copy_one();
	put32(buf + pacific_one_pool_off_pool_count, 0x7fffffff);
	expect_fail(buf, len, -EBADMSG, "data pool count");
	copy_one();
	put32(buf + pacific_one_pool_off_pool_count, 0x20000000);
	expect_fail(buf, len, -EBADMSG, "data pool count * 8 wraps 32 bits");
}

Test(mdsmap, bytes_after_the_end)
{
	size_t len = copy_one();
	uint32_t blob = le32(buf + pacific_one_pool_off_blob_len);

	buf[len] = 0;
	expect_fail(buf, len + 1, -EBADMSG, "one byte after the front: not a string");
	put32(buf + len, 3);
	memcpy(buf + len + 4, "abc", 3);
	cr_assert_eq(mmdsmap_decode(buf, len + 7, m), 0, "a trailing string is header v2's map_fs_name");
	cr_assert_str_eq(m->map_fs_name, "abc");
	put32(buf + len + 7, 0);
	expect_fail(buf, len + 11, -EBADMSG, "a string and more");
	put32(buf + len, 200);
	memset(buf + len + 4, 'n', 200);
	cr_assert_eq(mmdsmap_decode(buf, len + 204, m), 0, "a long name is cut, not fatal");
	cr_assert_eq(strlen(m->map_fs_name), FSMAP_FS_NAME_MAX - 1);

	/* A byte inside the blob after the MDSMap structure. */
	copy_one();
	put32(buf + pacific_one_pool_off_blob_len, blob + 1);
	buf[len] = 0;
	expect_fail(buf, len + 1, -EBADMSG, "a byte after the map in its blob");
	cr_assert_eq(mdsmap_decode(buf + pacific_one_pool_off_map, blob + 1, m), -EBADMSG);
	/* The same after the unbounded v3 map. */
	memcpy(buf, legacy_v3, sizeof(legacy_v3));
	blob = le32(buf + legacy_v3_off_blob_len);
	put32(buf + legacy_v3_off_blob_len, blob + 1);
	buf[sizeof(legacy_v3)] = 0;
	expect_fail(buf, sizeof(legacy_v3) + 1, -EBADMSG, "a byte after the v3 map");
}

Test(mdsmap, versions_it_cannot_read)
{
	size_t len = copy_one();

	buf[pacific_one_pool_off_map_v + 1] = 6;
	buf[pacific_one_pool_off_map_v] = 6;
	expect_fail(buf, len, -EPROTONOSUPPORT, "MDSMap compat 6");
	copy_one();
	buf[pacific_one_pool_off_info0_v] = 11;
	buf[pacific_one_pool_off_info0_v + 1] = 11;
	expect_fail(buf, len, -EPROTONOSUPPORT, "mds_info_t compat 11");
	copy_one();
	buf[pacific_one_pool_off_map_v + 1] = 5;
	buf[pacific_one_pool_off_map_v] = 4;
	expect_fail(buf, len, -EBADMSG, "compat above the version");
	/* Claiming v4 drops nothing but forbids ev >= 8's fields. */
	copy_one();
	buf[pacific_one_pool_off_map_v] = 4;
	expect_fail(buf, len, -EBADMSG, "ev 16 in a v4 map");
}

Test(mdsmap, hostile_fields)
{
	size_t len = copy_one();

	buf[pacific_one_pool_off_info0_body] ^= 1;
	expect_fail(buf, len, -EBADMSG, "inner gid differs from the map key");
	copy_one();
	buf[pacific_one_pool_off_fs_name + 4] = 0;
	expect_fail(buf, len, -EBADMSG, "NUL inside fs_name");
	copy_one();
	put32(buf + pacific_one_pool_off_fs_name, 0xfffffff0);
	expect_fail(buf, len, -EBADMSG, "fs_name length past the end");
	expect_fail(NULL, 0, -EBADMSG, "nothing");
}
