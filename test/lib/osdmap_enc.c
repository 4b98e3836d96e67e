/*
 * test/lib/osdmap_enc.c: see osdmap_enc.h. Fields netfuse does not keep are
 * written as a fresh Pacific map has them (no snaps, tiers or quotas, the
 * default hit set and opts, autoscale off).
 */
#include "config.h"

#include "test/lib/osdmap_enc.h"

#include "cephmon/msgr/ceph_addr_wire.h"
#include "cephmon/msgr/ceph_codec.h"
#include "cephmon/msgr/crc32c.h"

static void enc_pool(struct wire_enc *e, const struct osd_pool *p, uint8_t compat)
{
	size_t at = ceph_enc_struct_begin(e, 29, compat);
	size_t hs;

	wire_enc_u8(e, p->type);
	wire_enc_u8(e, p->size);
	wire_enc_u8(e, p->crush_rule);
	wire_enc_u8(e, p->object_hash);
	wire_enc_le32(e, p->pg_num);
	wire_enc_le32(e, p->pgp_num);
	wire_enc_le32(e, 0); /* lpg_num, lpgp_num */
	wire_enc_le32(e, 0);
	wire_enc_le32(e, p->last_change);
	wire_enc_le64(e, 0); /* snap_seq, snap_epoch, snaps, removed_snaps, auid */
	wire_enc_le32(e, 0);
	wire_enc_le32(e, 0);
	wire_enc_le32(e, 0);
	wire_enc_le64(e, 0);
	wire_enc_le64(e, p->flags);
	wire_enc_le32(e, 0); /* crash_replay_interval */
	wire_enc_u8(e, p->min_size);
	wire_enc_le64(e, 0); /* quotas */
	wire_enc_le64(e, 0);
	wire_enc_le32(e, 0); /* tiers */
	wire_enc_le64(e, (uint64_t)p->tier_of);
	wire_enc_u8(e, 0); /* cache_mode */
	wire_enc_le64(e, (uint64_t)p->read_tier);
	wire_enc_le64(e, (uint64_t)p->write_tier);
	wire_enc_le32(e, 0);		     /* properties */
	hs = ceph_enc_struct_begin(e, 1, 1); /* hit_set_params: none */
	wire_enc_u8(e, 0);
	ceph_enc_struct_end(e, hs);
	wire_enc_le32(e, 0); /* hit_set_period, count */
	wire_enc_le32(e, 0);
	wire_enc_le32(e, p->stripe_width);
	wire_enc_zeros(e, 8 + 8 + 4 * 4); /* cache targets and ages */
	ceph_enc_string(e, p->erasure_code_profile ? p->erasure_code_profile : "");
	wire_enc_le32(e, 0); /* last_force_op_resend_preluminous */
	wire_enc_le32(e, 0); /* min_read_recency_for_promote */
	wire_enc_le64(e, 0); /* expected_num_objects */
	wire_enc_le32(e, 0); /* v19, v20 */
	wire_enc_le32(e, 0);
	wire_enc_u8(e, 1); /* use_gmt_hitset, fast_read */
	wire_enc_u8(e, 0);
	wire_enc_le32(e, 0); /* v23 */
	wire_enc_le32(e, 0);
	hs = ceph_enc_struct_begin(e, 2, 1); /* opts: none */
	wire_enc_le32(e, 0);
	ceph_enc_struct_end(e, hs);
	wire_enc_le32(e, 0); /* last_force_op_resend_prenautilus */
	wire_enc_le32(e, 0); /* application metadata */
	wire_enc_le64(e, 0); /* create_time */
	wire_enc_le32(e, p->pg_num);
	wire_enc_le32(e, p->pgp_num);
	wire_enc_le32(e, p->pg_num);
	wire_enc_le32(e, 0);
	wire_enc_le32(e, 0);
	wire_enc_le32(e, p->last_force_resend);
	wire_enc_u8(e, 0);		     /* autoscale off */
	hs = ceph_enc_struct_begin(e, 1, 1); /* last_pg_merge_meta */
	wire_enc_zeros(e, 53);
	ceph_enc_struct_end(e, hs);
	ceph_enc_struct_end(e, at);
}

static void enc_pg(struct wire_enc *e, struct osd_pg pg)
{
	wire_enc_u8(e, 1);
	wire_enc_le64(e, (uint64_t)pg.pool);
	wire_enc_le32(e, pg.seed);
	wire_enc_le32(e, UINT32_MAX);
}

/* @words per entry: 0 a list, 1 one OSD, 2 pairs */
static void enc_mappings(struct wire_enc *e, const struct osd_pg_mappings *t, int kind)
{
	wire_enc_le32(e, t->n);
	for (uint32_t i = 0; i < t->n; i++) {
		const struct osd_pg_mapping *m = &t->v[i];
		uint32_t words = kind == 2 ? 2 * m->n : m->n;

		enc_pg(e, m->pg);
		if (kind != 1)
			wire_enc_le32(e, m->n);
		for (uint32_t k = 0; k < words; k++)
			wire_enc_le32(e, (uint32_t)m->osds[k]);
	}
}

static void enc_u32s(struct wire_enc *e, const uint32_t *v, uint32_t n)
{
	wire_enc_le32(e, v ? n : 0);
	for (uint32_t i = 0; v && i < n; i++)
		wire_enc_le32(e, v[i]);
}

int osdmap_encode(const struct osdmap *m, const void *crush, size_t crush_len, const struct osdmap_enc_opts *o,
		  struct wire_enc *e)
{
	static const struct osdmap_enc_opts none;
	size_t start = e->len, wrapper, client, osd_only;

	if (!o)
		o = &none;
	wrapper = ceph_enc_struct_begin(e, 8, 7);
	client = ceph_enc_struct_begin(e, o->client_v ? o->client_v : 9, 1);
	wire_enc_bytes(e, m->fsid, sizeof(m->fsid));
	wire_enc_le32(e, m->epoch);
	wire_enc_le32(e, m->created_sec);
	wire_enc_le32(e, m->created_nsec);
	wire_enc_le32(e, m->modified_sec);
	wire_enc_le32(e, m->modified_nsec);
	wire_enc_le32(e, m->npools);
	for (uint32_t i = 0; i < m->npools; i++) {
		wire_enc_le64(e, (uint64_t)m->pools[i].id);
		enc_pool(e, &m->pools[i], o->pool_compat ? o->pool_compat : 5);
	}
	wire_enc_le32(e, m->npools);
	for (uint32_t i = 0; i < m->npools; i++) {
		wire_enc_le64(e, (uint64_t)m->pools[i].id);
		ceph_enc_string(e, m->pools[i].name ? m->pools[i].name : "");
	}
	wire_enc_le32(e, (uint32_t)m->pool_max);
	wire_enc_le32(e, m->flags);
	wire_enc_le32(e, o->max_osd ? (uint32_t)o->max_osd : m->max_osd);
	enc_u32s(e, m->osd_state, m->max_osd);
	enc_u32s(e, m->osd_weight, m->max_osd);
	wire_enc_le32(e, m->max_osd);
	for (uint32_t i = 0; i < m->max_osd; i++)
		ceph_entity_addrvec_encode(e, &m->osd_addrs[i]);
	enc_mappings(e, &m->pg_temp, 0);
	enc_mappings(e, &m->primary_temp, 1);
	enc_u32s(e, m->osd_primary_affinity, m->max_osd);
	ceph_enc_blob(e, crush, (uint32_t)crush_len);
	wire_enc_le32(e, 0); /* erasure code profiles */
	enc_mappings(e, &m->pg_upmap, 0);
	enc_mappings(e, &m->pg_upmap_items, 2);
	wire_enc_le32(e, m->crush_version);
	wire_enc_le32(e, 0); /* new_removed_snaps, new_purged_snaps */
	wire_enc_le32(e, 0);
	wire_enc_zeros(e, 16); /* last_up_change, last_in_change */
	ceph_enc_struct_end(e, client);
	osd_only = ceph_enc_struct_begin(e, 9, 1);
	ceph_enc_struct_end(e, osd_only);
	wire_enc_le32(e, 0); /* the crc, filled in below */
	ceph_enc_struct_end(e, wrapper);
	if (!wire_enc_error(e)) {
		uint32_t crc = ceph_crc32c(0xffffffffu, e->buf + start, e->len - start - 4);

		put_le32(e->buf + e->len - 4, o->bad_crc ? ~crc : crc);
	}
	return wire_enc_error(e);
}
