/*
 * Unit tests for cephmon/mon/mon_msgs.c. MOSDMap wraps a real OSD map
 * (test/unit/data/osdmap-createsimple3.bin, see test_osdmap.c); the other
 * vectors are built here from the layouts in mon_msgs.c's head comment.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/mon/mon_msgs.h"

static uint8_t *slurp(const char *name, size_t *len)
{
	char path[4096];
	const char *src = getenv("NETFUSE_SRCDIR");
	FILE *f;
	static uint8_t buf[1 << 16];

	snprintf(path, sizeof(path), "%s/test/unit/data/%s", src ? src : "..", name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

Test(mon_msgs, subscribe_layout)
{
	struct wire_enc e;
	const struct mon_sub_item items[] = {{"monmap", 3, 0}, {"osdmap", 0, CEPH_SUB_ONETIME}};
	static const uint8_t want[] = {
	    2, 0, 0, 0,								 /* two items */
	    6, 0, 0, 0, 'm', 'o', 'n', 'm', 'a', 'p', 3, 0, 0, 0, 0, 0, 0, 0, 0, /* start 3, flags 0 */
	    6, 0, 0, 0, 'o', 's', 'd', 'm', 'a', 'p', 0, 0, 0, 0, 0, 0, 0, 0, 1, /* start 0, onetime */
	    4, 0, 0, 0, 'h', 'o', 's', 't',
	};

	wire_enc_init(&e);
	cr_assert_eq(mon_subscribe_encode(&e, items, 2, "host"), 3);
	cr_assert_eq(wire_enc_error(&e), 0);
	cr_assert_eq(e.len, sizeof(want));
	cr_assert_arr_eq(e.buf, want, sizeof(want));
	wire_enc_free(&e);
}

Test(mon_msgs, statfs_request_and_reply)
{
	struct wire_enc e;
	uint8_t fsid[16];
	struct mon_statfs_reply r;
	uint8_t reply[16 + 8 * 5];

	for (int i = 0; i < 16; i++)
		fsid[i] = (uint8_t)i;
	wire_enc_init(&e);
	cr_assert_eq(mon_statfs_encode(&e, fsid, 3), 2);
	cr_assert_eq(e.len, 18 + 16 + 1 + 8);
	cr_assert_eq(e.buf[8], 0xff, "session_mon -1");
	cr_assert_eq(e.buf[9], 0xff);
	cr_assert_arr_eq(e.buf + 18, fsid, 16);
	cr_assert_eq(e.buf[34], 1, "has a data pool");
	cr_assert_eq(e.buf[35], 3);
	wire_enc_free(&e);

	memset(reply, 0, sizeof(reply));
	memcpy(reply, fsid, 16);
	reply[16] = 7;			    /* version */
	reply[24] = 0x00, reply[25] = 0x10; /* kb = 4096 */
	reply[32] = 0x00, reply[33] = 0x04; /* kb_used = 1024 */
	reply[40] = 0x00, reply[41] = 0x0c; /* kb_avail = 3072 */
	reply[48] = 5;			    /* objects */
	cr_assert_eq(mon_statfs_reply_decode(reply, sizeof(reply), &r), 0);
	cr_assert_eq(r.version, 7);
	cr_assert_eq(r.kb, 4096);
	cr_assert_eq(r.kb_used, 1024);
	cr_assert_eq(r.kb_avail, 3072);
	cr_assert_eq(r.num_objects, 5);
	for (size_t n = 0; n < sizeof(reply); n++)
		cr_assert_eq(mon_statfs_reply_decode(reply, n, &r), -EBADMSG);
}

Test(mon_msgs, get_version_reply_with_and_without_oldest)
{
	uint8_t b[24] = {9, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0};
	uint64_t h, newest, oldest;

	cr_assert_eq(mon_get_version_reply_decode(b, 24, &h, &newest, &oldest), 0);
	cr_assert(h == 9 && newest == 42 && oldest == 40);
	cr_assert_eq(mon_get_version_reply_decode(b, 16, &h, &newest, &oldest), 0);
	cr_assert_eq(oldest, 0);
	cr_assert_eq(mon_get_version_reply_decode(b, 15, &h, &newest, &oldest), -EBADMSG);
}

Test(mon_msgs, command_ack)
{
	struct wire_enc e;
	int32_t r;
	char rs[8];

	wire_enc_init(&e);
	wire_enc_le64(&e, 0);
	wire_enc_le16(&e, 0xffff);
	wire_enc_le64(&e, 0);
	wire_enc_le32(&e, (uint32_t)-22);
	ceph_enc_string(&e, "blocklisting 1.2.3.4");
	wire_enc_le32(&e, 0); /* cmd vector */
	cr_assert_eq(mon_command_ack_decode(e.buf, e.len, &r, rs, sizeof(rs)), 0);
	cr_assert_eq(r, -22);
	cr_assert_str_eq(rs, "blockli", "cut to the buffer");
	cr_assert_eq(mon_command_ack_decode(e.buf, 18 + 4 + 3, &r, rs, sizeof(rs)), -EBADMSG);
	wire_enc_free(&e);
}

Test(mon_msgs, mosdmap_lists_maps_in_place)
{
	size_t len;
	const uint8_t *m = slurp("osdmap-createsimple3.bin", &len);
	struct wire_enc e;
	struct mosdmap *x = malloc(sizeof(*x));
	uint8_t fsid[16] = {1};

	wire_enc_init(&e);
	wire_enc_bytes(&e, fsid, 16);
	wire_enc_le32(&e, 0); /* no incrementals */
	wire_enc_le32(&e, 1);
	wire_enc_le32(&e, 1); /* epoch 1 */
	ceph_enc_blob(&e, m, (uint32_t)len);
	wire_enc_le32(&e, 1);
	wire_enc_le32(&e, 5);
	cr_assert_eq(mosdmap_decode(e.buf, e.len, x), 0);
	cr_assert_eq(x->ninc, 0);
	cr_assert_eq(x->nfull, 1);
	cr_assert_eq(x->full[0].epoch, 1);
	cr_assert_eq(x->oldest, 1);
	cr_assert_eq(x->newest, 5);
	cr_assert_eq(x->full[0].len, len);
	cr_assert_eq(memcmp(x->full[0].data, m, len), 0, "the map, in place");
	/* A full map's length running past the message. */
	cr_assert_eq(mosdmap_decode(e.buf, 16 + 4 + 4 + 4 + 4 + 10, x), -EBADMSG);
	wire_enc_free(&e);
	free(x);
}

static void enc_fsmap_user(struct wire_enc *e, const char *name, uint32_t name_len_override)
{
	size_t outer, info;

	wire_enc_le32(e, 12); /* epoch */
	outer = ceph_enc_struct_begin(e, 1, 1);
	wire_enc_le32(e, 12);
	wire_enc_le32(e, (uint32_t)-1); /* legacy_client_fscid */
	wire_enc_le32(e, 1);
	info = ceph_enc_struct_begin(e, 1, 1);
	wire_enc_le32(e, 1); /* fscid */
	if (name_len_override)
		ceph_enc_blob(e, name, name_len_override);
	else
		ceph_enc_string(e, name);
	ceph_enc_struct_end(e, info);
	ceph_enc_struct_end(e, outer);
}

Test(mon_msgs, fsmap_user)
{
	struct wire_enc e;
	struct fsmap_user *f = malloc(sizeof(*f));

	wire_enc_init(&e);
	enc_fsmap_user(&e, "cephfs", 0);
	cr_assert_eq(fsmap_user_decode(e.buf, e.len, f), 0);
	cr_assert_eq(f->epoch, 12);
	cr_assert_eq(f->legacy_client_fscid, -1);
	cr_assert_eq(f->nfs, 1);
	cr_assert_eq(f->fs[0].fscid, 1);
	cr_assert_str_eq(f->fs[0].name, "cephfs");
	for (size_t n = 0; n < e.len; n++)
		cr_assert_eq(fsmap_user_decode(e.buf, n, f), -EBADMSG);
	wire_enc_free(&e);

	/* A name with a NUL in it. */
	wire_enc_init(&e);
	enc_fsmap_user(&e, "ceph\0fs", 7);
	cr_assert_eq(fsmap_user_decode(e.buf, e.len, f), -EBADMSG);
	wire_enc_free(&e);
	free(f);
}
