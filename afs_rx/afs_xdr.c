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

static void dec_words(struct rx_dec *d, uint32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rx_dec_u32(d, &w[i]);
}

static void dec_swords(struct rx_dec *d, int32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rx_dec_s32(d, &w[i]);
}

static void enc_words(struct rx_enc *e, const uint32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rx_enc_u32(e, w[i]);
}

static void enc_swords(struct rx_enc *e, const int32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rx_enc_s32(e, w[i]);
}

/* A short cursor goes bad and stays bad: one check at the end is enough. */
static int done(struct rx_dec *d)
{
	return d->bad ? -EBADMSG : 0;
}

int afs_dec_fid(struct rx_dec *d, struct afs_fid *fid)
{
	struct afs_fid f;

	rx_dec_u32(d, &f.volume);
	rx_dec_u32(d, &f.vnode);
	rx_dec_u32(d, &f.unique);
	if (done(d))
		return -EBADMSG;
	*fid = f;
	return 0;
}

void afs_enc_fid(struct rx_enc *e, const struct afs_fid *fid)
{
	rx_enc_u32(e, fid->volume);
	rx_enc_u32(e, fid->vnode);
	rx_enc_u32(e, fid->unique);
}

/* struct afs_fetch_status is 21 uint32_t in wire order, nothing else. */
_Static_assert(sizeof(struct afs_fetch_status) == AFS_FETCH_STATUS_WORDS * sizeof(uint32_t),
	       "afs_fetch_status is its 21 words");

int afs_dec_fetch_status(struct rx_dec *d, struct afs_fetch_status *st)
{
	uint32_t w[AFS_FETCH_STATUS_WORDS];

	dec_words(d, w, AFS_FETCH_STATUS_WORDS);
	if (done(d))
		return -EBADMSG;
	memcpy(st, w, sizeof(w));
	return 0;
}

void afs_enc_fetch_status(struct rx_enc *e, const struct afs_fetch_status *st)
{
	uint32_t w[AFS_FETCH_STATUS_WORDS];

	memcpy(w, st, sizeof(w));
	enc_words(e, w, AFS_FETCH_STATUS_WORDS);
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

int afs_dec_callback(struct rx_dec *d, struct afs_callback *cb)
{
	struct afs_callback c;

	rx_dec_u32(d, &c.version);
	rx_dec_u32(d, &c.expiration_time);
	rx_dec_u32(d, &c.type);
	if (done(d))
		return -EBADMSG;
	*cb = c;
	return 0;
}

void afs_enc_callback(struct rx_enc *e, const struct afs_callback *cb)
{
	rx_enc_u32(e, cb->version);
	rx_enc_u32(e, cb->expiration_time);
	rx_enc_u32(e, cb->type);
}

int afs_dec_volsync(struct rx_dec *d, struct afs_volsync *vs)
{
	struct afs_volsync v;

	rx_dec_u32(d, &v.creation);
	dec_words(d, v.spare, 5);
	if (done(d))
		return -EBADMSG;
	*vs = v;
	return 0;
}

void afs_enc_volsync(struct rx_enc *e, const struct afs_volsync *vs)
{
	rx_enc_u32(e, vs->creation);
	enc_words(e, vs->spare, 5);
}

int afs_dec_store_status(struct rx_dec *d, struct afs_store_status *ss)
{
	struct afs_store_status s;

	rx_dec_u32(d, &s.mask);
	rx_dec_u32(d, &s.client_mod_time);
	rx_dec_u32(d, &s.owner);
	rx_dec_u32(d, &s.group);
	rx_dec_u32(d, &s.unix_mode_bits);
	rx_dec_u32(d, &s.seg_size);
	if (done(d))
		return -EBADMSG;
	*ss = s;
	return 0;
}

void afs_enc_store_status(struct rx_enc *e, const struct afs_store_status *ss)
{
	rx_enc_u32(e, ss->mask);
	rx_enc_u32(e, ss->client_mod_time);
	rx_enc_u32(e, ss->owner);
	rx_enc_u32(e, ss->group);
	rx_enc_u32(e, ss->unix_mode_bits);
	rx_enc_u32(e, ss->seg_size);
}

int afs_dec_fetch_volume_status(struct rx_dec *d, struct afs_fetch_volume_status *vs)
{
	struct afs_fetch_volume_status t;
	char flags[4];

	rx_dec_s32(d, &t.vid);
	rx_dec_s32(d, &t.parent_id);
	if (rx_dec_chars(d, flags, 4))
		return -EBADMSG;
	t.online = (uint8_t)flags[0];
	t.in_service = (uint8_t)flags[1];
	t.blessed = (uint8_t)flags[2];
	t.needs_salvage = (uint8_t)flags[3];
	rx_dec_s32(d, &t.type);
	rx_dec_s32(d, &t.min_quota);
	rx_dec_s32(d, &t.max_quota);
	rx_dec_s32(d, &t.blocks_in_use);
	rx_dec_s32(d, &t.part_blocks_avail);
	rx_dec_s32(d, &t.part_max_blocks);
	if (done(d))
		return -EBADMSG;
	*vs = t;
	return 0;
}

void afs_enc_fetch_volume_status(struct rx_enc *e, const struct afs_fetch_volume_status *vs)
{
	rx_enc_s32(e, vs->vid);
	rx_enc_s32(e, vs->parent_id);
	rx_enc_char_bytes(e, &vs->online, 1);
	rx_enc_char_bytes(e, &vs->in_service, 1);
	rx_enc_char_bytes(e, &vs->blessed, 1);
	rx_enc_char_bytes(e, &vs->needs_salvage, 1);
	rx_enc_s32(e, vs->type);
	rx_enc_s32(e, vs->min_quota);
	rx_enc_s32(e, vs->max_quota);
	rx_enc_s32(e, vs->blocks_in_use);
	rx_enc_s32(e, vs->part_blocks_avail);
	rx_enc_s32(e, vs->part_max_blocks);
}

/* xdr_u_short and xdr_char travel as whole units; OpenAFS keeps the low
 * bits when reading them, and so does this. */
int afs_dec_uuid(struct rx_dec *d, struct afs_uuid *u)
{
	struct afs_uuid t;
	uint32_t mid = 0, hi = 0;
	char c[8];

	rx_dec_u32(d, &t.time_low);
	rx_dec_u32(d, &mid);
	rx_dec_u32(d, &hi);
	if (rx_dec_chars(d, c, 8))
		return -EBADMSG;
	t.time_mid = (uint16_t)mid;
	t.time_hi_and_version = (uint16_t)hi;
	t.clock_seq_hi_and_reserved = (uint8_t)c[0];
	t.clock_seq_low = (uint8_t)c[1];
	memcpy(t.node, c + 2, 6);
	*u = t;
	return 0;
}

void afs_enc_uuid(struct rx_enc *e, const struct afs_uuid *u)
{
	rx_enc_u32(e, u->time_low);
	rx_enc_u32(e, u->time_mid);
	rx_enc_u32(e, u->time_hi_and_version);
	rx_enc_char_bytes(e, &u->clock_seq_hi_and_reserved, 1);
	rx_enc_char_bytes(e, &u->clock_seq_low, 1);
	rx_enc_char_bytes(e, u->node, 6);
}

static int dec_vl_name(struct rx_dec *d, char name[AFS_VL_MAXNAMELEN])
{
	if (rx_dec_chars(d, name, AFS_VL_MAXNAMELEN))
		return -EBADMSG;
	if (!memchr(name, '\0', AFS_VL_MAXNAMELEN))
		return rx_dec_fail(d);
	return 0;
}

static void enc_vl_name(struct rx_enc *e, const char name[AFS_VL_MAXNAMELEN])
{
	rx_enc_chars(e, name, AFS_VL_MAXNAMELEN);
}

static int check_nservers(struct rx_dec *d, int32_t n)
{
	if (n < 0 || n > AFS_NMAXNSERVERS)
		return rx_dec_fail(d);
	return 0;
}

int afs_dec_nvldbentry(struct rx_dec *d, struct afs_nvldbentry *v)
{
	struct afs_nvldbentry t;

	if (dec_vl_name(d, t.name) || rx_dec_s32(d, &t.nservers) || check_nservers(d, t.nservers))
		return -EBADMSG;
	dec_words(d, t.server_number, AFS_NMAXNSERVERS);
	dec_swords(d, t.server_partition, AFS_NMAXNSERVERS);
	dec_swords(d, t.server_flags, AFS_NMAXNSERVERS);
	dec_words(d, t.volume_id, AFS_MAXTYPES);
	rx_dec_u32(d, &t.clone_id);
	rx_dec_s32(d, &t.flags);
	rx_dec_s32(d, &t.matchindex);
	dec_swords(d, t.spares, 8);
	if (done(d))
		return -EBADMSG;
	*v = t;
	return 0;
}

void afs_enc_nvldbentry(struct rx_enc *e, const struct afs_nvldbentry *v)
{
	enc_vl_name(e, v->name);
	rx_enc_s32(e, v->nservers);
	enc_words(e, v->server_number, AFS_NMAXNSERVERS);
	enc_swords(e, v->server_partition, AFS_NMAXNSERVERS);
	enc_swords(e, v->server_flags, AFS_NMAXNSERVERS);
	enc_words(e, v->volume_id, AFS_MAXTYPES);
	rx_enc_u32(e, v->clone_id);
	rx_enc_s32(e, v->flags);
	rx_enc_s32(e, v->matchindex);
	enc_swords(e, v->spares, 8);
}

int afs_dec_uvldbentry(struct rx_dec *d, struct afs_uvldbentry *v)
{
	struct afs_uvldbentry t; /* about 1 KiB, copied out once complete */

	if (dec_vl_name(d, t.name) || rx_dec_s32(d, &t.nservers) || check_nservers(d, t.nservers))
		return -EBADMSG;
	for (int i = 0; i < AFS_NMAXNSERVERS; i++)
		if (afs_dec_uuid(d, &t.server_number[i]))
			return -EBADMSG;
	dec_swords(d, t.server_unique, AFS_NMAXNSERVERS);
	dec_swords(d, t.server_partition, AFS_NMAXNSERVERS);
	dec_swords(d, t.server_flags, AFS_NMAXNSERVERS);
	dec_words(d, t.volume_id, AFS_MAXTYPES);
	rx_dec_u32(d, &t.clone_id);
	rx_dec_s32(d, &t.flags);
	rx_dec_s32(d, &t.matchindex);
	dec_swords(d, t.spares, 8);
	if (done(d))
		return -EBADMSG;
	*v = t;
	return 0;
}

void afs_enc_uvldbentry(struct rx_enc *e, const struct afs_uvldbentry *v)
{
	enc_vl_name(e, v->name);
	rx_enc_s32(e, v->nservers);
	for (int i = 0; i < AFS_NMAXNSERVERS; i++)
		afs_enc_uuid(e, &v->server_number[i]);
	enc_swords(e, v->server_unique, AFS_NMAXNSERVERS);
	enc_swords(e, v->server_partition, AFS_NMAXNSERVERS);
	enc_swords(e, v->server_flags, AFS_NMAXNSERVERS);
	enc_words(e, v->volume_id, AFS_MAXTYPES);
	rx_enc_u32(e, v->clone_id);
	rx_enc_s32(e, v->flags);
	rx_enc_s32(e, v->matchindex);
	enc_swords(e, v->spares, 8);
}

int afs_dec_list_addr_by_attributes(struct rx_dec *d, struct afs_list_addr_by_attributes *a)
{
	struct afs_list_addr_by_attributes t;

	rx_dec_s32(d, &t.mask);
	rx_dec_u32(d, &t.ipaddr);
	rx_dec_s32(d, &t.index);
	rx_dec_s32(d, &t.spare1);
	if (afs_dec_uuid(d, &t.uuid))
		return -EBADMSG;
	*a = t;
	return 0;
}

void afs_enc_list_addr_by_attributes(struct rx_enc *e, const struct afs_list_addr_by_attributes *a)
{
	rx_enc_s32(e, a->mask);
	rx_enc_u32(e, a->ipaddr);
	rx_enc_s32(e, a->index);
	rx_enc_s32(e, a->spare1);
	afs_enc_uuid(e, &a->uuid);
}

int afs_dec_vl_addrs(struct rx_dec *d, struct afs_vl_addrs *r)
{
	struct afs_uuid uuid;
	int32_t uniquifier = 0, nentries = 0;
	uint32_t n;

	if (afs_dec_uuid(d, &uuid))
		return -EBADMSG;
	rx_dec_s32(d, &uniquifier);
	rx_dec_s32(d, &nentries);
	if (rx_dec_count(d, AFS_VL_MAXADDRS, 4, &n))
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

void afs_enc_vl_addrs(struct rx_enc *e, const struct afs_vl_addrs *r)
{
	if (r->naddrs > AFS_VL_MAXADDRS) {
		rx_enc_fail(e, -EINVAL);
		return;
	}
	afs_enc_uuid(e, &r->uuid);
	rx_enc_s32(e, r->uniquifier);
	rx_enc_s32(e, r->nentries);
	rx_enc_u32(e, r->naddrs);
	enc_words(e, r->addrs, r->naddrs);
}
