/* Unit tests for fuse/ceph/views.c: df's figures and the .ceph/ files. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/mon/mdsmap.h"
#include "fuse/ceph/views.h"
#include "mdsmap_vectors.h"
#include "test/lib/file_read.h"

Test(ceph_views, statfs_as_the_kernel_computes_it)
{
	/* 3 OSDs of 10 GiB, 1.5 GiB used: what `ceph df` reports in KiB. */
	struct mon_statfs_reply r = {
	    .kb = 30ULL << 20, .kb_used = 3ULL << 19, .kb_avail = (30ULL << 20) - (3ULL << 19), .num_objects = 1234};
	struct statvfs st;

	ceph_statfs_fill(&r, &st);
	cr_assert_eq(st.f_bsize, 4 << 20);
	cr_assert_eq(st.f_frsize, 4 << 20);
	cr_assert_eq(st.f_blocks, 30 * 256, "30 GiB in 4 MiB blocks");
	cr_assert_eq(st.f_bfree, r.kb_avail >> 12);
	cr_assert_eq(st.f_bavail, st.f_bfree);
	cr_assert_eq(st.f_files, 1234);
	cr_assert_eq(st.f_ffree, (fsfilcnt_t)-1);
	cr_assert_eq(st.f_namemax, 255);
	/* df's "Size" = blocks * frsize: the raw total, to 4 MiB. */
	cr_assert_eq((unsigned long long)st.f_blocks * st.f_frsize, (unsigned long long)r.kb << 10);
}

/* The kernel's ceph_quota_update_statfs arithmetic. */
Test(ceph_views, statfs_under_a_quota)
{
	struct mon_statfs_reply r = {.kb = 30ULL << 20, .kb_avail = 20ULL << 20, .num_objects = 7};
	struct statvfs st;

	ceph_statfs_fill(&r, &st);
	cr_assert(!ceph_statfs_quota(0, 1 << 20, &st), "no quota");
	cr_assert_eq(st.f_blocks, 30 * 256, "left alone");

	cr_assert(ceph_statfs_quota(100LL << 20, 10LL << 20, &st));
	cr_assert_eq(st.f_frsize, 4 << 20);
	cr_assert_eq(st.f_blocks, 25, "100 MiB in 4 MiB blocks");
	cr_assert_eq(st.f_bfree, 23, "10 MiB used: 2 blocks, rounded down");
	cr_assert_eq(st.f_bavail, 23);
	cr_assert_eq(st.f_files, 7, "the file counts stay the cluster's");

	ceph_statfs_fill(&r, &st);
	cr_assert(ceph_statfs_quota(100LL << 20, 200LL << 20, &st));
	cr_assert_eq(st.f_bfree, 0, "exceeded: nothing free, not negative");

	ceph_statfs_fill(&r, &st);
	cr_assert(ceph_statfs_quota(1 << 20, 12288, &st));
	cr_assert_eq(st.f_frsize, 4096, "under 4 MiB: 4 KiB blocks");
	cr_assert_eq(st.f_bsize, 4 << 20);
	cr_assert_eq(st.f_blocks, 256);
	cr_assert_eq(st.f_bfree, 253);

	ceph_statfs_fill(&r, &st);
	cr_assert(ceph_statfs_quota(1000, 10, &st));
	cr_assert_eq(st.f_frsize, 4096);
	cr_assert_eq(st.f_blocks, 1, "under 4 KiB: one block");
	cr_assert_eq(st.f_bfree, 1, "not full");
	cr_assert(ceph_statfs_quota(1000, 1000, &st));
	cr_assert_eq(st.f_bfree, 0, "full");
}

Test(ceph_views, monmap_and_monc)
{
	struct monc_monmap map = {.epoch = 3, .fsid = {0x8a, 0x1b}};
	struct monc_status st = {.state = MONC_SESSION,
				 .global_id = 4107,
				 .hunt_mult = 1,
				 .sessions = 2,
				 .hunts = 2,
				 .pending = 1,
				 .last_keepalive_ack = 1000,
				 .sub_interval = 300,
				 .nsubs = 1,
				 .monmap_epoch = 3,
				 .nmons = 1};
	char buf[2048], err[64];

	cr_assert_eq(ceph_parse_mon_addrs("[v2:127.0.0.1:3300,v1:127.0.0.1:6789]", CEPH_ADDR_SYNTAX_CEPH, &map.addrs,
					  err, sizeof(err)),
		     0);
	snprintf(map.names[0], sizeof(map.names[0]), "a");
	ceph_view_monmap(&map, buf, sizeof(buf));
	cr_assert_str_eq(buf, "epoch 3\nfsid 8a1b0000-0000-0000-0000-000000000000\n"
			      "\tmon0\ta\tv2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0\n");
	snprintf(st.mon, sizeof(st.mon), "a");
	snprintf(st.addr, sizeof(st.addr), "v2:127.0.0.1:3300/0");
	snprintf(st.subs[0].what, sizeof(st.subs[0].what), "osdmap");
	st.subs[0].have = 12;
	ceph_view_monc(&st, 1500, buf, sizeof(buf));
	cr_assert(strstr(buf, "state session\nmon a v2:127.0.0.1:3300/0\nglobal_id 4107\n"), "%s", buf);
	cr_assert(strstr(buf, "last_keepalive_ack_ms_ago 500\n"), "%s", buf);
	cr_assert(strstr(buf, "have osdmap 12\n"), "%s", buf);
	cr_assert(strstr(buf, "pending_requests 1\n"), "%s", buf);
}

/* The real map of epoch 59 (test/unit/data/osdmap-cluster, see
 * test_osdmap_inc.c), with explicit mappings added as the kernel's debugfs
 * prints them. */
Test(ceph_views, osdmap_as_the_kernel_debugfs_and_a_small_buffer)
{
	char path[4096], buf[4096], small[16];
	const char *src = getenv("NETFUSE_SRCDIR");
	size_t len;
	void *raw;
	struct osdmap *m;
	struct osdmap_keeper_stats st = {.full_maps = 1, .incrementals = 22};
	int32_t temp[] = {0, 2}, items[] = {0, 1, 2, 3};
	struct osd_pg_mapping pg_temp = {{2, 0x1f}, 2, temp}, upmap_items = {{1, 3}, 2, items};

	snprintf(path, sizeof(path), "%s/test/unit/data/osdmap-cluster/full.59", src ? src : "..");
	raw = file_read(path, &len);
	cr_assert_not_null(raw, "%s", path);
	cr_assert_eq(osdmap_decode(raw, len, &m, NULL), 0);
	free(raw);

	ceph_view_osdmap(NULL, &st, buf, sizeof(buf));
	cr_assert_str_eq(buf, "no osdmap yet\n");
	ceph_view_osdmap(m, &st, buf, sizeof(buf));
	cr_assert(strstr(buf, "epoch 59\n"), "%s", buf);
	cr_assert(strstr(buf, "\nflags sortbitwise,recovery_deletes,purged_snapdirs,pglog_hardlimit\n"), "%s", buf);
	cr_assert(strstr(buf, "\nmax_osd 1\ncrush_version 3\nmaps full 1 incremental 22 gaps 0 refused 0\npools 3\n"),
		  "%s", buf);
	cr_assert(strstr(buf, "\npool 2 'cephfs_data' replicated size 1 min_size 1 crush_rule 0 pg_num 8 pgp_num 8 "
			      "pg_num_mask 7 flags 0x1 lfor 0 read_tier -1 write_tier -1\n"),
		  "%s", buf);
	cr_assert(strstr(buf, "\nosd0\t[v2:127.0.0.1:6802/17595,v1:127.0.0.1:6803/17595]\t100%\t(exists, up)\t100%\n"),
		  "%s", buf);
	cr_assert_null(strstr(buf, "pg_temp"), "none in the map: %s", buf);

	/* explicit mappings (the test owns these arrays: the map's own go back
	 * before it is freed) */
	struct osd_pg_mappings own_temp = m->pg_temp, own_items = m->pg_upmap_items;
	m->pg_temp = (struct osd_pg_mappings){1, &pg_temp};
	m->pg_upmap_items = (struct osd_pg_mappings){1, &upmap_items};
	m->osd_weight[0] = 0x8000; /* 0.5 */
	m->osd_state[0] &= ~OSD_UP;
	m->flags = (1u << 18) | (1u << 31); /* a flag without a name is shown in hex */
	ceph_view_osdmap(m, &st, buf, sizeof(buf));
	cr_assert(strstr(buf, "\nflags require_luminous_osds,0x80000000\n"), "%s", buf);
	cr_assert(strstr(buf, "\t 50%\t(exists, down)\t100%\n"), "%s", buf);
	cr_assert(strstr(buf, "\npg_temp 2.1f [0,2]\npg_upmap_items 1.3 [0->1,2->3]\n"), "%s", buf);
	cr_assert_eq(ceph_view_osdmap(m, &st, small, sizeof(small)), sizeof(small) - 1, "cut, never overrun");
	cr_assert_eq(strlen(small), sizeof(small) - 1);
	m->pg_temp = own_temp;
	m->pg_upmap_items = own_items;
	osdmap_free(m);
}

Test(ceph_views, empty_mdsmap_and_auth)
{
	struct fsmap_user fm = {.epoch = 9, .legacy_client_fscid = 1, .nfs = 1};
	struct ceph_auth_view a = {.entity = "client.admin",
				   .global_id = 4107,
				   .method = "cephx",
				   .con_mode = "crc",
				   .ticket_expires = 1795000000,
				   .key_from = "keyring /etc/ceph/ceph.client.admin.keyring"};
	char buf[2048];

	fm.fs[0].fscid = 1;
	snprintf(fm.fs[0].name, sizeof(fm.fs[0].name), "cephfs");
	ceph_view_mdsmap(&fm, "", NULL, buf, sizeof(buf));
	cr_assert_str_eq(buf, "mdsmap none received yet\nfsmap_epoch 9\nlegacy_client_fscid 1\nmounted (default)\n"
			      "fs 1 cephfs\n");
	ceph_view_mdsmap(NULL, "cephfs", NULL, buf, sizeof(buf));
	cr_assert_str_eq(buf, "mdsmap none received yet\nfsmap none received yet\nmounted cephfs\n");

	ceph_view_auth(&a, buf, sizeof(buf));
	cr_assert(strstr(buf, "entity client.admin\nglobal_id 4107\nmethod cephx\ncon_mode crc\n"), "%s", buf);
	cr_assert(strstr(buf, "ticket_expires 2026-11-18T"), "%s", buf);
	cr_assert_null(strstr(buf, "key "), "no key line");
}

Test(ceph_views, mdsmap_as_the_kernel_shows_it_then_the_rest)
{
	struct mdsmap_summary *mm = malloc(sizeof(*mm));
	struct fsmap_user fm = {.epoch = 41, .legacy_client_fscid = 1, .nfs = 2};
	char buf[4096], small[40];

	fm.fs[0].fscid = 1;
	snprintf(fm.fs[0].name, sizeof(fm.fs[0].name), "cephfs");
	fm.fs[1].fscid = 2;
	snprintf(fm.fs[1].name, sizeof(fm.fs[1].name), "cephfs2");
	cr_assert_eq(mmdsmap_decode(pacific_two_pools, sizeof(pacific_two_pools), mm), 0);
	ceph_view_mdsmap(&fm, "cephfs2", mm, buf, sizeof(buf));
	cr_assert_str_eq(buf, "epoch 40\n"
			      "root 0\n"
			      "max_mds 2\n"
			      "session_timeout 60\n"
			      "session_autoclose 300\n"
			      "\tmds0\tv2:10.0.0.1:6800/31\t(up:active)\n"
			      "\tmds1\tv2:[fd00::2]:6800/32\t(up:rejoin)\n"
			      "fs_name cephfs2\n"
			      "enabled 1\n"
			      "flags 0x12\n"
			      "max_file_size 1099511627776\n"
			      "data_pools 3,5\n"
			      "metadata_pool 2\n"
			      "statfs_pool -1 (whole cluster)\n"
			      "ranks in 2 up 2 failed 0 stopped 0 damaged 0\n"
			      "daemon 5001 x rank 0 up:active v2:10.0.0.1:6800/31\n"
			      "daemon 5002 y rank 1 up:rejoin v2:[fd00::2]:6800/32 laggy\n"
			      "daemon 5003 z rank 0 up:standby-replay v2:10.0.0.3:6800/33\n"
			      "daemon 5004 w rank -1 up:standby v2:10.0.0.4:6800/34\n"
			      "fsmap_epoch 41\n"
			      "legacy_client_fscid 1\n"
			      "mounted cephfs2\n"
			      "fs 1 cephfs\n"
			      "fs 2 cephfs2\n");

	cr_assert_eq(mmdsmap_decode(pacific_one_pool, sizeof(pacific_one_pool), mm), 0);
	ceph_view_mdsmap(NULL, "", mm, buf, sizeof(buf));
	cr_assert(strstr(buf, "\tmds0\tv2:127.0.0.1:6800/1111\t(up:active)\nfs_name cephfs\n"), "%s", buf);
	cr_assert(strstr(buf, "data_pools 3\nmetadata_pool 2\nstatfs_pool 3\n"), "%s", buf);
	cr_assert(strstr(buf, "daemon 4200 b rank -1 up:standby v2:127.0.0.1:6802/2222\n"), "%s", buf);

	/* A rank nobody holds reads as the kernel's empty slot; a map larger
	 * than the summary says so. */
	mm->max_mds = 2;
	ceph_view_mdsmap(NULL, "", mm, buf, sizeof(buf));
	cr_assert(strstr(buf, "\tmds1\t-\t(down:dne)\n"), "%s", buf);
	cr_assert_eq(mmdsmap_decode(many, sizeof(many), mm), 0);
	ceph_view_mdsmap(NULL, "", mm, buf, sizeof(buf));
	cr_assert(strstr(buf, "\tmds39\t-\t(down:dne)\n"), "ranks past the kept daemons: %s", buf);
	cr_assert(
	    strstr(buf, "data_pools 100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,... (20 in all)\n"),
	    "%s", buf);
	cr_assert(strstr(buf, "(8 more daemons not shown)\n"), "%s", buf);
	cr_assert_eq(ceph_view_mdsmap(&fm, "", mm, small, sizeof(small)), sizeof(small) - 1, "cut, never overrun");
	cr_assert_eq(strlen(small), sizeof(small) - 1);

	cr_assert_eq(mmdsmap_decode(no_pools, sizeof(no_pools), mm), 0);
	ceph_view_mdsmap(NULL, "", mm, buf, sizeof(buf));
	cr_assert(strstr(buf, "\tmds0\t-\t(down:dne)\n"), "%s", buf);
	cr_assert(strstr(buf, "enabled 0\n"), "%s", buf);
	cr_assert(strstr(buf, "data_pools none\n"), "%s", buf);
	free(mm);
}

Test(ceph_views, osdc_mdsc_and_mds_sessions)
{
	struct osdc_status os = {.sessions = 2, .requests = 1, .sent = 10, .resent = 1, .replies = 9, .map_checks = 1};
	struct mdsc_status ms = {.sessions = 1,
				 .requests = 1,
				 .unsafe = 1,
				 .sent = 5,
				 .replies = 4,
				 .caps_released = 7,
				 .caps = 2,
				 .revokes = 3,
				 .revokes_acked = 2,
				 .cache_hits = 9,
				 .names = 4,
				 .name_hits = 6};
	const struct mdsc_session_status ss[] = {{.rank = 0, .state = "open", .features = 0x7ffff, .seq = 3},
						 {.rank = 1, .state = "lost"}};
	char buf[1024];

	ceph_view_osdc(&os, "11\tosd2\t3.1f\t10000000000.00000000\tread\n", buf, sizeof(buf));
	cr_assert_str_eq(buf, "sessions 2\nrequests 1\nhomeless 0\npaused 0\nlaggy_sessions 0\n"
			      "sent 10 resent 1 replies 9 map_resends 0 map_checks 1\n"
			      "REQUESTS\n11\tosd2\t3.1f\t10000000000.00000000\tread\n");
	ceph_view_mdsc(&ms, "", buf, sizeof(buf));
	cr_assert_str_eq(buf, "sessions 1\nrequests 1\nunsafe 1\n"
			      "sent 5 replies 4 forwards 0 caps_released 7 leases_acked 0\n"
			      "caps 2 revokes 3 revokes_acked 2 caps_recalled 0 cache_hits 9\n"
			      "names 4 name_hits 6\nREQUESTS\n");
	ceph_view_caps(&ms, "0x1\tmds0\tpAsLsXsFs\tpAsLsXsFs\t-\t3\t0\n", buf, sizeof(buf));
	cr_assert_str_eq(buf, "total 2\nino\tmds\tissued\timplemented\twanted\tseq\topens\n"
			      "0x1\tmds0\tpAsLsXsFs\tpAsLsXsFs\t-\t3\t0\n");
	ceph_view_mds_sessions(4107, "client.admin", ss, 2, buf, sizeof(buf));
	cr_assert_str_eq(buf, "global_id 4107\nname \"client.admin\"\n"
			      "mds.0 open\tfeatures 0x7ffff seq 3 renew_seq 0\n"
			      "mds.1 lost\tfeatures 0x0 seq 0 renew_seq 0\n");
	cr_assert_eq(ceph_view_mdsc(&ms, "", buf, 16), 15, "cut to the buffer");
}
