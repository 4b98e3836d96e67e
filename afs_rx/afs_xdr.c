/*
 * afs_rx/afs_xdr.c: XDR for the AFS FS and VL types (see afs_xdr.h).
 * Written for netfuse from the .xg definitions in OpenAFS (fsint, vlserver,
 * rx/xdr_afsuuid.c); each decoder works on a copy and fills its output only
 * once the whole value has been read.
 */
#include "config.h"

#include "afs_xdr.h"

#include <errno.h>
#include <string.h>

static void dec_words(struct wire_dec *d, uint32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		wire_dec_be32(d, &w[i]);
}

static void dec_swords(struct wire_dec *d, int32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		xdr_dec_s32(d, &w[i]);
}

/* A short cursor goes bad and stays bad: one check at the end is enough. */
static int done(struct wire_dec *d)
{
	return d->bad ? -EBADMSG : 0;
}

int afs_dec_fid(struct wire_dec *d, struct afs_fid *fid)
{
	struct afs_fid f;

	wire_dec_be32(d, &f.volume);
	wire_dec_be32(d, &f.vnode);
	wire_dec_be32(d, &f.unique);
	if (done(d))
		return -EBADMSG;
	*fid = f;
	return 0;
}

void afs_enc_fid(struct wire_enc *e, const struct afs_fid *fid)
{
	wire_enc_be32(e, fid->volume);
	wire_enc_be32(e, fid->vnode);
	wire_enc_be32(e, fid->unique);
}

/* struct afs_fetch_status is 21 uint32_t in wire order, nothing else. */
_Static_assert(sizeof(struct afs_fetch_status) == AFS_FETCH_STATUS_WORDS * sizeof(uint32_t),
	       "afs_fetch_status is its 21 words");

int afs_dec_fetch_status(struct wire_dec *d, struct afs_fetch_status *st)
{
	uint32_t w[AFS_FETCH_STATUS_WORDS];

	dec_words(d, w, AFS_FETCH_STATUS_WORDS);
	if (done(d))
		return -EBADMSG;
	memcpy(st, w, sizeof(w));
	return 0;
}

int afs_fetch_status_check(const struct afs_fetch_status *st, bool inline_bulk)
{
	if (inline_bulk && st->error_code != 0 &&
	    (st->interface_version == AFS_FSTATUS_VERSION || st->interface_version == 0))
		return AFS_STATUS_INLINE_ERROR;
	if (st->interface_version != AFS_FSTATUS_VERSION)
		return -EBADMSG;
	switch (st->file_type) {
	case AFS_FTYPE_FILE:
	case AFS_FTYPE_DIR:
	case AFS_FTYPE_SYMLINK:
		return 0;
	default:
		return -EBADMSG;
	}
}

int afs_dec_callback(struct wire_dec *d, struct afs_callback *cb)
{
	struct afs_callback c;

	wire_dec_be32(d, &c.version);
	wire_dec_be32(d, &c.expiration_time);
	wire_dec_be32(d, &c.type);
	if (done(d))
		return -EBADMSG;
	*cb = c;
	return 0;
}

void afs_enc_callback(struct wire_enc *e, const struct afs_callback *cb)
{
	wire_enc_be32(e, cb->version);
	wire_enc_be32(e, cb->expiration_time);
	wire_enc_be32(e, cb->type);
}

int afs_dec_volsync(struct wire_dec *d, struct afs_volsync *vs)
{
	struct afs_volsync v;

	wire_dec_be32(d, &v.creation);
	dec_words(d, v.spare, 5);
	if (done(d))
		return -EBADMSG;
	*vs = v;
	return 0;
}

int afs_dec_store_status(struct wire_dec *d, struct afs_store_status *ss)
{
	struct afs_store_status s;

	wire_dec_be32(d, &s.mask);
	wire_dec_be32(d, &s.client_mod_time);
	wire_dec_be32(d, &s.owner);
	wire_dec_be32(d, &s.group);
	wire_dec_be32(d, &s.unix_mode_bits);
	wire_dec_be32(d, &s.seg_size);
	if (done(d))
		return -EBADMSG;
	*ss = s;
	return 0;
}

void afs_enc_store_status(struct wire_enc *e, const struct afs_store_status *ss)
{
	wire_enc_be32(e, ss->mask);
	wire_enc_be32(e, ss->client_mod_time);
	wire_enc_be32(e, ss->owner);
	wire_enc_be32(e, ss->group);
	wire_enc_be32(e, ss->unix_mode_bits);
	wire_enc_be32(e, ss->seg_size);
}

int afs_dec_fetch_volume_status(struct wire_dec *d, struct afs_fetch_volume_status *vs)
{
	struct afs_fetch_volume_status t;
	char flags[4];

	xdr_dec_s32(d, &t.vid);
	xdr_dec_s32(d, &t.parent_id);
	if (xdr_dec_chars(d, flags, 4))
		return -EBADMSG;
	t.online = (uint8_t)flags[0];
	t.in_service = (uint8_t)flags[1];
	t.blessed = (uint8_t)flags[2];
	t.needs_salvage = (uint8_t)flags[3];
	xdr_dec_s32(d, &t.type);
	xdr_dec_s32(d, &t.min_quota);
	xdr_dec_s32(d, &t.max_quota);
	xdr_dec_s32(d, &t.blocks_in_use);
	xdr_dec_s32(d, &t.part_blocks_avail);
	xdr_dec_s32(d, &t.part_max_blocks);
	if (done(d))
		return -EBADMSG;
	*vs = t;
	return 0;
}

/* xdr_u_short and xdr_char travel as whole units; OpenAFS keeps the low
 * bits when reading them, and so does this. */
int afs_dec_uuid(struct wire_dec *d, struct afs_uuid *u)
{
	struct afs_uuid t;
	uint32_t mid = 0, hi = 0;
	char c[8];

	wire_dec_be32(d, &t.time_low);
	wire_dec_be32(d, &mid);
	wire_dec_be32(d, &hi);
	if (xdr_dec_chars(d, c, 8))
		return -EBADMSG;
	t.time_mid = (uint16_t)mid;
	t.time_hi_and_version = (uint16_t)hi;
	t.clock_seq_hi_and_reserved = (uint8_t)c[0];
	t.clock_seq_low = (uint8_t)c[1];
	memcpy(t.node, c + 2, 6);
	*u = t;
	return 0;
}

void afs_enc_uuid(struct wire_enc *e, const struct afs_uuid *u)
{
	wire_enc_be32(e, u->time_low);
	wire_enc_be32(e, u->time_mid);
	wire_enc_be32(e, u->time_hi_and_version);
	xdr_enc_char_bytes(e, &u->clock_seq_hi_and_reserved, 1);
	xdr_enc_char_bytes(e, &u->clock_seq_low, 1);
	xdr_enc_char_bytes(e, u->node, 6);
}

static int dec_vl_name(struct wire_dec *d, char name[AFS_VL_MAXNAMELEN])
{
	if (xdr_dec_chars(d, name, AFS_VL_MAXNAMELEN))
		return -EBADMSG;
	if (!memchr(name, '\0', AFS_VL_MAXNAMELEN))
		return wire_dec_fail(d);
	return 0;
}

static int check_nservers(struct wire_dec *d, int32_t n)
{
	if (n < 0 || n > AFS_NMAXNSERVERS)
		return wire_dec_fail(d);
	return 0;
}

int afs_dec_nvldbentry(struct wire_dec *d, struct afs_nvldbentry *v)
{
	struct afs_nvldbentry t;

	if (dec_vl_name(d, t.name) || xdr_dec_s32(d, &t.nservers) || check_nservers(d, t.nservers))
		return -EBADMSG;
	dec_words(d, t.server_number, AFS_NMAXNSERVERS);
	dec_swords(d, t.server_partition, AFS_NMAXNSERVERS);
	dec_swords(d, t.server_flags, AFS_NMAXNSERVERS);
	dec_words(d, t.volume_id, AFS_MAXTYPES);
	wire_dec_be32(d, &t.clone_id);
	xdr_dec_s32(d, &t.flags);
	xdr_dec_s32(d, &t.matchindex);
	dec_swords(d, t.spares, 8);
	if (done(d))
		return -EBADMSG;
	*v = t;
	return 0;
}

int afs_dec_uvldbentry(struct wire_dec *d, struct afs_uvldbentry *v)
{
	struct afs_uvldbentry t; /* about 1 KiB, copied out once complete */

	if (dec_vl_name(d, t.name) || xdr_dec_s32(d, &t.nservers) || check_nservers(d, t.nservers))
		return -EBADMSG;
	for (int i = 0; i < AFS_NMAXNSERVERS; i++)
		if (afs_dec_uuid(d, &t.server_number[i]))
			return -EBADMSG;
	dec_swords(d, t.server_unique, AFS_NMAXNSERVERS);
	dec_swords(d, t.server_partition, AFS_NMAXNSERVERS);
	dec_swords(d, t.server_flags, AFS_NMAXNSERVERS);
	dec_words(d, t.volume_id, AFS_MAXTYPES);
	wire_dec_be32(d, &t.clone_id);
	xdr_dec_s32(d, &t.flags);
	xdr_dec_s32(d, &t.matchindex);
	dec_swords(d, t.spares, 8);
	if (done(d))
		return -EBADMSG;
	*v = t;
	return 0;
}

int afs_dec_list_addr_by_attributes(struct wire_dec *d, struct afs_list_addr_by_attributes *a)
{
	struct afs_list_addr_by_attributes t;

	xdr_dec_s32(d, &t.mask);
	wire_dec_be32(d, &t.ipaddr);
	xdr_dec_s32(d, &t.index);
	xdr_dec_s32(d, &t.spare1);
	if (afs_dec_uuid(d, &t.uuid))
		return -EBADMSG;
	*a = t;
	return 0;
}

void afs_enc_list_addr_by_attributes(struct wire_enc *e, const struct afs_list_addr_by_attributes *a)
{
	xdr_enc_s32(e, a->mask);
	wire_enc_be32(e, a->ipaddr);
	xdr_enc_s32(e, a->index);
	xdr_enc_s32(e, a->spare1);
	afs_enc_uuid(e, &a->uuid);
}

int afs_dec_vl_addrs(struct wire_dec *d, struct afs_vl_addrs *r)
{
	struct afs_uuid uuid;
	int32_t uniquifier = 0, nentries = 0;
	uint32_t n;

	if (afs_dec_uuid(d, &uuid))
		return -EBADMSG;
	xdr_dec_s32(d, &uniquifier);
	xdr_dec_s32(d, &nentries);
	if (xdr_dec_count(d, AFS_VL_MAXADDRS, 4, &n))
		return -EBADMSG;
	/* The count was checked against the bytes left: the reads cannot fail,
	 * so @r can be filled as they go. */
	r->uuid = uuid;
	r->uniquifier = uniquifier;
	r->nentries = nentries;
	r->naddrs = n;
	dec_words(d, r->addrs, n);
	return done(d);
}
