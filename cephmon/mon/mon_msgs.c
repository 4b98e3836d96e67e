/*
 * cephmon/mon/mon_msgs.c: monitor message payloads (see mon_msgs.h).
 *
 * Encodings, from Ceph's messages/ and the kernel's mon_client.c/osdmap.c:
 *   request header (PaxosServiceMessage): u64 version, i16 session_mon
 *     (-1), u64 session_mon_tid (0);
 *   MMonSubscribe v3: map<string, {u64 start, u8 flags}>, string hostname;
 *   MMonSubscribeAck: u32 interval, fsid;
 *   MStatfs v2: header, fsid, u8 has_data_pool, i64 data_pool;
 *   MStatfsReply: fsid, u64 version, {u64 kb, kb_used, kb_avail, num_objects};
 *   MMonGetVersion: u64 handle, string what; reply: u64 handle, u64 version,
 *     u64 oldest_version;
 *   MMonCommand: header, fsid, vector<string> cmd (input data travels in the
 *     data segment); MMonCommandAck: header, i32 r, string rs, ...;
 *   MMonMap: bufferlist monmap;
 *   MOSDMap: fsid, map<u32, bufferlist> incremental, map<u32, bufferlist>
 *     full, [u32 oldest, u32 newest];
 *   MFSMapUser: u32 epoch, FSMapUser {v, compat, len: u32 epoch,
 *     i32 legacy_client_fscid, vector<{v, compat, len: i32 cid, string name}>}.
 */
#include "config.h"

#include "cephmon/mon/mon_msgs.h"

#include <stdio.h>
#include <string.h>

static void enc_request_header(struct wire_enc *e)
{
	wire_enc_le64(e, 0);		/* have_version */
	wire_enc_le16(e, (uint16_t)-1); /* session_mon: none */
	wire_enc_le64(e, 0);		/* session_mon_tid */
}

#define REQUEST_HEADER_LEN (8 + 2 + 8)

uint16_t mon_subscribe_encode(struct wire_enc *e, const struct mon_sub_item *items, size_t n, const char *hostname)
{
	wire_enc_le32(e, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		ceph_enc_string(e, items[i].what);
		wire_enc_le64(e, items[i].start);
		wire_enc_u8(e, items[i].flags);
	}
	ceph_enc_string(e, hostname ? hostname : "");
	return 3;
}

int mon_subscribe_ack_decode(const void *front, size_t len, uint32_t *interval, uint8_t fsid[CEPH_FSID_LEN])
{
	struct wire_dec d;

	wire_dec_init(&d, front, len);
	if (wire_dec_le32(&d, interval) || wire_dec_bytes(&d, fsid, CEPH_FSID_LEN))
		return -EBADMSG;
	return 0;
}

uint16_t mon_statfs_encode(struct wire_enc *e, const uint8_t fsid[CEPH_FSID_LEN], int64_t data_pool)
{
	enc_request_header(e);
	wire_enc_bytes(e, fsid, CEPH_FSID_LEN);
	wire_enc_u8(e, data_pool != CEPH_NOPOOL);
	wire_enc_le64(e, (uint64_t)data_pool);
	return 2;
}

int mon_statfs_reply_decode(const void *front, size_t len, struct mon_statfs_reply *out)
{
	struct wire_dec d;

	wire_dec_init(&d, front, len);
	if (wire_dec_bytes(&d, out->fsid, CEPH_FSID_LEN) || wire_dec_le64(&d, &out->version) ||
	    wire_dec_le64(&d, &out->kb) || wire_dec_le64(&d, &out->kb_used) || wire_dec_le64(&d, &out->kb_avail) ||
	    wire_dec_le64(&d, &out->num_objects))
		return -EBADMSG;
	return 0;
}

uint16_t mon_get_version_encode(struct wire_enc *e, uint64_t handle, const char *what)
{
	wire_enc_le64(e, handle);
	ceph_enc_string(e, what);
	return 1;
}

int mon_get_version_reply_decode(const void *front, size_t len, uint64_t *handle, uint64_t *newest, uint64_t *oldest)
{
	struct wire_dec d;

	wire_dec_init(&d, front, len);
	if (wire_dec_le64(&d, handle) || wire_dec_le64(&d, newest))
		return -EBADMSG;
	/* oldest_version came later; an old monitor leaves it out. */
	*oldest = 0;
	if (wire_dec_left(&d) >= 8 && wire_dec_le64(&d, oldest))
		return -EBADMSG;
	return 0;
}

uint16_t mon_command_encode(struct wire_enc *e, const uint8_t fsid[CEPH_FSID_LEN], const char *const *cmd, size_t n)
{
	enc_request_header(e);
	wire_enc_bytes(e, fsid, CEPH_FSID_LEN);
	wire_enc_le32(e, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		ceph_enc_string(e, cmd[i]);
	return 1;
}

int mon_command_ack_decode(const void *front, size_t len, int32_t *result, char *rs, size_t rslen)
{
	struct wire_dec d;
	const uint8_t *s;
	uint32_t r, n;

	wire_dec_init(&d, front, len);
	if (wire_dec_skip(&d, REQUEST_HEADER_LEN) || wire_dec_le32(&d, &r) || ceph_dec_blob(&d, &s, &n))
		return -EBADMSG;
	*result = (int32_t)r;
	if (rslen) {
		size_t keep = n < rslen - 1 ? n : rslen - 1;
		memcpy(rs, s, keep);
		rs[keep] = '\0';
		/* A status string is for people: cut it at a NUL if one hides in it. */
		rs[strnlen(rs, keep)] = '\0';
	}
	return 0;
}

int mon_map_msg_decode(const void *front, size_t len, const uint8_t **monmap, uint32_t *monmap_len)
{
	struct wire_dec d;

	wire_dec_init(&d, front, len);
	return ceph_dec_blob(&d, monmap, monmap_len);
}

static int decode_map_list(struct wire_dec *d, struct mosdmap_blob *out, unsigned *n)
{
	uint32_t count;

	if (wire_dec_le32(d, &count))
		return -EBADMSG;
	*n = 0;
	for (uint32_t i = 0; i < count; i++) {
		struct mosdmap_blob b;
		if (wire_dec_le32(d, &b.epoch) || ceph_dec_blob(d, &b.data, &b.len))
			return -EBADMSG;
		/* More maps than kept: the caller asks again from the last one it got. */
		if (*n < MOSDMAP_MAX_MAPS)
			out[(*n)++] = b;
	}
	return 0;
}

int mosdmap_decode(const void *front, size_t len, struct mosdmap *out)
{
	struct wire_dec d;

	wire_dec_init(&d, front, len);
	out->oldest = out->newest = 0;
	if (wire_dec_bytes(&d, out->fsid, CEPH_FSID_LEN) || decode_map_list(&d, out->inc, &out->ninc) ||
	    decode_map_list(&d, out->full, &out->nfull))
		return -EBADMSG;
	if (wire_dec_left(&d) >= 8 && (wire_dec_le32(&d, &out->oldest) || wire_dec_le32(&d, &out->newest)))
		return -EBADMSG;
	return 0;
}

int fsmap_user_decode(const void *front, size_t len, struct fsmap_user *out)
{
	struct wire_dec d, map;
	uint8_t v;
	uint32_t epoch, fscid, n;

	memset(out, 0, sizeof(*out));
	wire_dec_init(&d, front, len);
	if (wire_dec_le32(&d, &out->epoch) || ceph_dec_struct(&d, 1, 1, &v, &map))
		return -EBADMSG;
	if (wire_dec_le32(&map, &epoch) || wire_dec_le32(&map, &fscid) || wire_dec_le32(&map, &n))
		return -EBADMSG;
	out->legacy_client_fscid = (int32_t)fscid;
	for (uint32_t i = 0; i < n; i++) {
		struct wire_dec info;
		uint32_t cid;
		const uint8_t *s;
		uint32_t slen;
		if (ceph_dec_struct(&map, 1, 1, &v, &info) || wire_dec_le32(&info, &cid) ||
		    ceph_dec_blob(&info, &s, &slen))
			return -EBADMSG;
		if (slen >= FSMAP_FS_NAME_MAX || memchr(s, '\0', slen))
			return wire_dec_fail(&map);
		if (out->nfs < FSMAP_MAX_FS) {
			out->fs[out->nfs].fscid = (int32_t)cid;
			memcpy(out->fs[out->nfs].name, s, slen);
			out->fs[out->nfs].name[slen] = '\0';
			out->nfs++;
		}
	}
	return 0;
}
