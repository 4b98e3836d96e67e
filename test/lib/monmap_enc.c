/*
 * test/lib/monmap_enc.c: a MonMap encoder (v9, the fields cephmon/mon/monmap.c
 * decodes: features zero, no crush locations, no stretch mode), so tests
 * and the fuzz target can check that a decoded map re-encodes to one that
 * decodes the same. Monitors send monmaps; netfuse only reads them.
 */
#include "config.h"

#include "test/lib/monmap_enc.h"

#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_addr_wire.h"
#include "cephmon/msgr/ceph_codec.h"

static int cmp_name(const void *a, const void *b)
{
	const struct monmap_mon *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

int monmap_encode(const struct monmap *m, struct wire_enc *e)
{
	const struct monmap_mon *sorted[MONMAP_MAX_MONS];
	size_t at, mi, feat;

	if (m->n > MONMAP_MAX_MONS)
		return -E2BIG;
	/* mon_info is a std::map: by name, bytewise. */
	for (unsigned i = 0; i < m->n; i++)
		sorted[i] = &m->mons[i];
	qsort(sorted, m->n, sizeof(sorted[0]), cmp_name);

	at = ceph_enc_struct_begin(e, 9, 6);
	wire_enc_bytes(e, m->fsid, sizeof(m->fsid));
	wire_enc_le32(e, m->epoch);
	wire_enc_le64(e, 0);	      /* last_changed */
	wire_enc_le64(e, 0);	      /* created */
	for (int i = 0; i < 2; i++) { /* persistent, optional features */
		feat = ceph_enc_struct_begin(e, 1, 1);
		wire_enc_le64(e, 0);
		ceph_enc_struct_end(e, feat);
	}
	wire_enc_le32(e, m->n);
	for (unsigned i = 0; i < m->n; i++) {
		const struct monmap_mon *mon = sorted[i];

		ceph_enc_string(e, mon->name);
		mi = ceph_enc_struct_begin(e, 5, 1);
		ceph_enc_string(e, mon->name);
		ceph_entity_addrvec_encode(e, &mon->addrs);
		wire_enc_le16(e, mon->priority);
		wire_enc_le16(e, mon->weight);
		wire_enc_le32(e, 0); /* crush_loc */
		ceph_enc_struct_end(e, mi);
	}
	wire_enc_le32(e, m->n); /* ranks */
	for (unsigned i = 0; i < m->n; i++)
		ceph_enc_string(e, m->mons[i].name);
	wire_enc_u8(e, m->min_mon_release);
	wire_enc_le32(e, 0); /* removed_ranks */
	wire_enc_u8(e, 1);   /* election strategy: classic */
	wire_enc_le32(e, 0); /* disallowed_leaders */
	wire_enc_u8(e, 0);   /* stretch_mode_enabled */
	wire_enc_le32(e, 0); /* tiebreaker_mon */
	wire_enc_le32(e, 0); /* stretch_marked_down_mons */
	ceph_enc_struct_end(e, at);
	return wire_enc_error(e);
}
