/*
 * cephmon/mon/mdsmap.c: MMDSMap and MDSMap decoding (see mdsmap.h).
 *
 * Sources of the encoding, field by field:
 *  - MMDSMap front: Ceph src/messages/MMDSMap.h encode_payload (fsid, epoch,
 *    the map as a u32-length blob; newer monitors append map_fs_name, a
 *    string, with header version 2) and the kernel's fs/ceph/mds_client.c
 *    ceph_mdsc_handle_mdsmap (fsid, epoch, length, map).
 *  - MDSMap: Ceph src/mds/MDSMap.cc MDSMap::encode/decode. A client with
 *    CEPH_FEATURE_MDSENC gets ENCODE_START(5, 4); without MDSENC a u16
 *    version 3 and no length; without PGID64 a u16 version 2 whose pools
 *    are u32 and whose cas pool is s32. DECODE_START_LEGACY_COMPAT_LEN_16
 *    (5, 4, 4) reads all three: u8 struct_v, then (v >= 4) u8 compat and
 *    u32 length, else one byte skipped (the u16's high byte). After the
 *    pools comes a u16 "extended version" (ev, Pacific writes 16) and the
 *    fields that ev adds; the kernel's fs/ceph/mdsmap.c ceph_mdsmap_decode
 *    reads the same prefix and skips most of the rest.
 *  - mds_info_t: MDSMap::mds_info_t::encode_versioned (v10 on Nautilus and
 *    later, v7 to older peers, compat 4) and encode_unversioned (v3: u8
 *    version, no compat, no length), read by DECODE_START_LEGACY_COMPAT_LEN
 *    (10, 4, 4). From v8 the addresses are an entity_addrvec_t, before that
 *    one entity_addr_t; cephmon/msgr/ceph_addr_wire.c reads both forms.
 *  - required_client_features (ev >= 16): feature_bitset_t::encode in
 *    src/mds/mdstypes.cc, a u32 length in BYTES and those bytes. The
 *    kernel's ceph_decode_skip_set(.., 64, ..) reads it as a count of u64;
 *    the two agree only for an empty set, which is the common case. This
 *    file follows Ceph, the writer.
 *
 * Trade-offs: only what a client shows or acts on is kept; sets and maps
 * that only the MDS cluster needs (in, up, failed, ...) are checked and
 * counted, not stored. Inside a length-bounded structure, fields newer than
 * this decoder knows are skipped as Ceph's DECODE_FINISH does; everything
 * this decoder reads must be well formed (unlike the kernel, which accepts
 * a map whose extended part is broken), since a half-read map is worse
 * than none. Bytes after the map, or after the message, are malformed.
 */
#include "config.h"

#include "cephmon/mon/mdsmap.h"

#include <string.h>

#include "cephmon/msgr/ceph_addr_wire.h"

#define MDSMAP_V_MAX	   5  /* MDSMap::decode's DECODE_START version */
#define MDS_INFO_V_MAX	   10 /* mds_info_t::decode's */
#define LEGACY_COMPAT_V	   4  /* both: compat byte and length from v4 on */
#define FS_CLUSTER_ID_NONE -1

/* u32 count and count items of @each bytes; the count is checked against
 * what is left before anything is skipped, so it cannot overflow. */
static int skip_array(struct wire_dec *d, size_t each, unsigned *count)
{
	uint32_t n;

	if (wire_dec_le32(d, &n))
		return -EBADMSG;
	if (n > wire_dec_left(d) / each)
		return wire_dec_fail(d);
	if (count)
		*count = n;
	return wire_dec_skip(d, (size_t)n * each);
}

static int skip_string(struct wire_dec *d)
{
	const uint8_t *s;
	uint32_t n;

	return ceph_dec_blob(d, &s, &n);
}

/* A name for display: cut to @outlen - 1 bytes; a NUL inside is malformed. */
static int dec_name(struct wire_dec *d, char *out, size_t outlen)
{
	const uint8_t *s;
	uint32_t n;
	size_t keep;

	if (ceph_dec_blob(d, &s, &n))
		return -EBADMSG;
	if (memchr(s, '\0', n))
		return wire_dec_fail(d);
	keep = n < outlen - 1 ? n : outlen - 1;
	memcpy(out, s, keep);
	out[keep] = '\0';
	return 0;
}

/* CompatSet::encode: compat, ro_compat, incompat, each a u64 mask and a
 * map<u64, string> of feature names. */
static int skip_compat_set(struct wire_dec *d)
{
	for (int i = 0; i < 3; i++) {
		uint32_t n;

		if (wire_dec_skip(d, 8) || wire_dec_le32(d, &n))
			return -EBADMSG;
		for (uint32_t j = 0; j < n; j++)
			if (wire_dec_skip(d, 8) || skip_string(d))
				return -EBADMSG;
	}
	return 0;
}

/*
 * Ceph's DECODE_START_LEGACY_COMPAT_LEN with compatv == lenv == 4: u8
 * struct_v, and from v4 a u8 compat and a u32 length. @skip_v bytes follow
 * the version of older encodings instead (1 for the _16 variant, whose
 * version was a u16). @in is set to the cursor to read the body from: a
 * sub-cursor over the length-bounded body, or @d itself for older forms.
 */
static int legacy_start(struct wire_dec *d, uint8_t max_v, size_t skip_v, uint8_t *v, struct wire_dec *sub,
			struct wire_dec **in)
{
	uint8_t compat;
	uint32_t len;
	const uint8_t *body;

	if (wire_dec_u8(d, v))
		return -EBADMSG;
	if (*v < LEGACY_COMPAT_V) {
		if (wire_dec_skip(d, skip_v))
			return -EBADMSG;
		*in = d;
		return 0;
	}
	if (wire_dec_u8(d, &compat) || wire_dec_le32(d, &len))
		return -EBADMSG;
	if (compat > *v)
		return wire_dec_fail(d);
	if (compat > max_v) {
		wire_dec_fail(d);
		return -EPROTONOSUPPORT;
	}
	body = wire_dec_take(d, len);
	if (!body)
		return -EBADMSG;
	wire_dec_init(sub, body, len);
	*in = sub;
	return 0;
}

static int dec_mds_info(struct wire_dec *d, struct mdsmap_mds *m)
{
	struct wire_dec sub, *in;
	struct ceph_addrvec av;
	uint32_t rank, inc, state, sec, nsec;
	uint64_t inner_gid;
	uint8_t v;
	int err;

	err = legacy_start(d, MDS_INFO_V_MAX, 0, &v, &sub, &in);
	if (err)
		return err;
	m->info_v = v;
	m->join_fscid = FS_CLUSTER_ID_NONE;
	/* The map's key is the gid; the copy inside is checked, not trusted. */
	if (wire_dec_le64(in, &inner_gid) || dec_name(in, m->name, sizeof(m->name)) || wire_dec_le32(in, &rank) ||
	    wire_dec_le32(in, &inc) || wire_dec_le32(in, &state) || wire_dec_le64(in, &m->state_seq))
		return -EBADMSG;
	if (inner_gid != m->gid)
		return wire_dec_fail(in);
	m->rank = (int32_t)rank;
	m->inc = (int32_t)inc;
	m->state = (int32_t)state;
	if (ceph_entity_addrvec_decode(in, &av))
		return -EBADMSG;
	m->naddrs = av.n;
	if (av.n)
		m->addr = av.v[0];
	if (ceph_addrvec_msgr2(&av))
		m->addr_msgr2 = *ceph_addrvec_msgr2(&av);
	if (wire_dec_le32(in, &sec) || wire_dec_le32(in, &nsec))
		return -EBADMSG;
	m->laggy = sec || nsec;
	/* standby_for_rank, standby_for_name: always -1 and "" nowadays. */
	if (wire_dec_skip(in, 4) || skip_string(in))
		return -EBADMSG;
	if (v >= 2 && skip_array(in, 4, NULL))
		return -EBADMSG;
	if (v >= 5 && wire_dec_le64(in, &m->features))
		return -EBADMSG;
	if (v >= 6) {
		uint32_t fscid;

		if (wire_dec_le32(in, &fscid))
			return -EBADMSG;
		m->join_fscid = (int32_t)fscid;
	}
	if (v >= 7 && wire_dec_skip(in, 1)) /* standby_replay, unused since v7 */
		return -EBADMSG;
	/* v9 flags and v10 compat are the MDS cluster's business: the
	 * structure's length skips them (v >= 4 always has one). */
	return 0;
}

/* Everything of MDSMap::decode up to and including the pools. */
static int dec_head(struct wire_dec *in, uint8_t v, struct mdsmap_summary *out)
{
	uint32_t root, max_mds, n;
	int err;

	if (wire_dec_le32(in, &out->epoch) || wire_dec_le32(in, &out->flags) || wire_dec_le32(in, &out->last_failure) ||
	    wire_dec_le32(in, &root) || wire_dec_le32(in, &out->session_timeout) ||
	    wire_dec_le32(in, &out->session_autoclose) || wire_dec_le64(in, &out->max_file_size) ||
	    wire_dec_le32(in, &max_mds) || wire_dec_le32(in, &n))
		return -EBADMSG;
	out->root = (int32_t)root;
	out->max_mds = (int32_t)max_mds;
	out->nmds_total = n;
	for (uint32_t i = 0; i < n; i++) {
		struct mdsmap_mds scratch, *m = i < MDSMAP_MAX_MDS ? &out->mds[i] : &scratch;

		memset(m, 0, sizeof(*m));
		if (wire_dec_le64(in, &m->gid))
			return -EBADMSG;
		err = dec_mds_info(in, m);
		if (err)
			return err;
		if (i < MDSMAP_MAX_MDS)
			out->nmds++;
	}
	if (wire_dec_le32(in, &n))
		return -EBADMSG;
	out->ndata_pools_total = n;
	if (v < 3) {
		/* Pre-PGID64: u32 pool ids, s32 cas pool. */
		uint32_t pool, cas;

		for (uint32_t i = 0; i < n; i++) {
			if (wire_dec_le32(in, &pool))
				return -EBADMSG;
			if (i < MDSMAP_MAX_DATA_POOLS)
				out->data_pools[out->ndata_pools++] = pool;
		}
		if (wire_dec_le32(in, &cas))
			return -EBADMSG;
		out->cas_pool = (int32_t)cas;
		return 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t pool;

		if (wire_dec_le64(in, &pool))
			return -EBADMSG;
		if (i < MDSMAP_MAX_DATA_POOLS)
			out->data_pools[out->ndata_pools++] = (int64_t)pool;
	}
	uint64_t cas;
	if (wire_dec_le64(in, &cas))
		return -EBADMSG;
	out->cas_pool = (int64_t)cas;
	return 0;
}

/* The fields after the pools, as far as @ev says they go. */
static int dec_ext(struct wire_dec *in, uint8_t v, struct mdsmap_summary *out)
{
	uint16_t ev = 1;
	uint32_t u, tableserver;
	uint64_t u64;
	uint8_t b;

	if (v >= 2 && wire_dec_le16(in, &ev))
		return -EBADMSG;
	out->ev = ev;
	if (ev >= 3 && skip_compat_set(in))
		return -EBADMSG;
	if (ev < 5) {
		if (wire_dec_le32(in, &u))
			return -EBADMSG;
		out->metadata_pool = u;
	} else {
		if (wire_dec_le64(in, &u64))
			return -EBADMSG;
		out->metadata_pool = (int64_t)u64;
	}
	if (wire_dec_le32(in, &out->created_sec) || wire_dec_skip(in, 4) || wire_dec_le32(in, &out->modified_sec) ||
	    wire_dec_skip(in, 4) || wire_dec_le32(in, &tableserver))
		return -EBADMSG;
	out->tableserver = (int32_t)tableserver;
	if (skip_array(in, 4, &out->nin) ||  /* in: set<rank> */
	    skip_array(in, 8, NULL) ||	     /* inc: map<rank, int32> */
	    skip_array(in, 12, &out->nup) || /* up: map<rank, gid> */
	    skip_array(in, 4, &out->nfailed) || skip_array(in, 4, &out->nstopped))
		return -EBADMSG;
	if (ev >= 4 && wire_dec_le32(in, &out->last_failure_osd_epoch))
		return -EBADMSG;
	/* ever_allowed_features, explicitly_allowed_features (bools before ev 10). */
	if (ev >= 6 && wire_dec_skip(in, 2))
		return -EBADMSG;
	if (ev >= 7) {
		if (wire_dec_u8(in, &b))
			return -EBADMSG;
		out->inline_data = b;
	}
	if (ev >= 8) {
		if (v < 5) /* Ceph asserts this: a v4 map never had them */
			return wire_dec_fail(in);
		if (wire_dec_u8(in, &b) || dec_name(in, out->fs_name, sizeof(out->fs_name)))
			return -EBADMSG;
		out->enabled = b;
		out->has_fs_name = true;
	} else {
		out->enabled = out->epoch > 1;
	}
	if (ev >= 9 && skip_array(in, 4, &out->ndamaged))
		return -EBADMSG;
	if (ev >= 11 && skip_string(in)) /* balancer */
		return -EBADMSG;
	if (ev >= 12) {
		if (wire_dec_le32(in, &u))
			return -EBADMSG;
		out->standby_count_wanted = (int32_t)u;
	}
	if (ev >= 13 && wire_dec_skip(in, 4)) /* old_max_mds */
		return -EBADMSG;
	if (ev >= 14 && wire_dec_skip(in, 1)) /* min_compat_client: s8 at ev 14, u8 after */
		return -EBADMSG;
	if (ev >= 16 && skip_array(in, 1, NULL)) /* required_client_features: byte length */
		return -EBADMSG;
	if (ev >= 17 && skip_string(in)) /* bal_rank_mask */
		return -EBADMSG;
	if (ev >= 18 && wire_dec_le64(in, &out->max_xattr_size))
		return -EBADMSG;
	/* ev 19's quiesce db cluster, and anything newer, only inside a
	 * length-bounded (v >= 4) structure: skipped with it. */
	return 0;
}

static int dec_map(struct wire_dec *d, struct mdsmap_summary *out)
{
	struct wire_dec sub, *in;
	uint8_t v;
	int err;

	out->cas_pool = out->metadata_pool = CEPH_NOPOOL;
	out->standby_count_wanted = -1;
	err = legacy_start(d, MDSMAP_V_MAX, 1, &v, &sub, &in);
	if (err)
		return err;
	out->struct_v = v;
	err = dec_head(in, v, out);
	if (!err)
		err = dec_ext(in, v, out);
	return err;
}

int mdsmap_decode(const void *map, size_t len, struct mdsmap_summary *out)
{
	struct wire_dec d;
	int err;

	memset(out, 0, sizeof(*out));
	wire_dec_init(&d, map, len);
	err = dec_map(&d, out);
	if (!err && wire_dec_left(&d))
		err = -EBADMSG; /* bytes after the map */
	if (err)
		memset(out, 0, sizeof(*out));
	return err;
}

int mmdsmap_decode(const void *front, size_t len, struct mdsmap_summary *out)
{
	uint8_t fsid[CEPH_FSID_LEN];
	char fs_name[FSMAP_FS_NAME_MAX] = "";
	const uint8_t *map;
	uint32_t epoch, map_len;
	struct wire_dec d;
	int err;

	memset(out, 0, sizeof(*out));
	wire_dec_init(&d, front, len);
	if (wire_dec_bytes(&d, fsid, sizeof(fsid)) || wire_dec_le32(&d, &epoch) || ceph_dec_blob(&d, &map, &map_len))
		return -EBADMSG;
	/* Header version 2 appends the name; the front alone cannot say which
	 * version it is, so what follows must be exactly one string or nothing. */
	if (wire_dec_left(&d) && (dec_name(&d, fs_name, sizeof(fs_name)) || wire_dec_left(&d)))
		return -EBADMSG;
	err = mdsmap_decode(map, map_len, out);
	if (err)
		return err;
	memcpy(out->fsid, fsid, sizeof(fsid));
	out->msg_epoch = epoch;
	memcpy(out->map_fs_name, fs_name, sizeof(fs_name));
	return 0;
}

int64_t mdsmap_statfs_pool(const struct mdsmap_summary *m)
{
	if (m && m->ndata_pools_total == 1)
		return m->data_pools[0];
	return CEPH_NOPOOL;
}

const char *mdsmap_state_name(int32_t state)
{
	switch (state) {
	case CEPH_MDS_STATE_DNE:
		return "down:dne";
	case CEPH_MDS_STATE_STOPPED:
		return "down:stopped";
	case CEPH_MDS_STATE_DAMAGED:
		return "down:damaged";
	case CEPH_MDS_STATE_BOOT:
		return "up:boot";
	case CEPH_MDS_STATE_STANDBY:
		return "up:standby";
	case CEPH_MDS_STATE_STANDBY_REPLAY:
		return "up:standby-replay";
	case CEPH_MDS_STATE_REPLAYONCE:
		return "up:oneshot-replay";
	case CEPH_MDS_STATE_CREATING:
		return "up:creating";
	case CEPH_MDS_STATE_STARTING:
		return "up:starting";
	case CEPH_MDS_STATE_REPLAY:
		return "up:replay";
	case CEPH_MDS_STATE_RESOLVE:
		return "up:resolve";
	case CEPH_MDS_STATE_RECONNECT:
		return "up:reconnect";
	case CEPH_MDS_STATE_REJOIN:
		return "up:rejoin";
	case CEPH_MDS_STATE_CLIENTREPLAY:
		return "up:clientreplay";
	case CEPH_MDS_STATE_ACTIVE:
		return "up:active";
	case CEPH_MDS_STATE_STOPPING:
		return "up:stopping";
	case CEPH_MDS_STATE_NULL:
		return "null";
	default:
		return "???";
	}
}

const struct mdsmap_mds *mdsmap_rank_holder(const struct mdsmap_summary *m, int32_t rank)
{
	for (unsigned i = 0; i < m->nmds; i++)
		if (m->mds[i].rank == rank && m->mds[i].state > 0)
			return &m->mds[i];
	return NULL;
}
