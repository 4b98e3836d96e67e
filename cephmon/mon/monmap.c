/*
 * cephmon/mon/monmap.c: MonMap decoding (and a minimal encoder for tests); see
 * monmap.h for the layout and its sources.
 *
 * Every count is checked against what is left of the input or against
 * MONMAP_MAX_MONS before anything is allocated, and the map is only handed
 * out once all of it (including the ranks) has been checked, so a caller
 * never sees half a map. An empty input may come as NULL: the cursor gets
 * "" instead (NULL + 0 is undefined behaviour in C).
 */
#include "config.h"

#include "cephmon/mon/monmap.h"

#include "cephmon/msgr/ceph_addr_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MONMAP_MIN_V	    6 /* Nautilus: mon_info with addrvecs, ranks vector */
#define MONMAP_MAX_COMPAT   9 /* the newest layout this decoder knows (Pacific) */
#define MON_INFO_MAX_COMPAT 6

/* The address a client should use for protocol @type: the first usable
 * one of that type, else the first usable "any" (entity_addrvec_t's
 * pick_addr). */
static void pick_addr(const struct ceph_addrvec *v, enum ceph_addr_type type, struct sockaddr_storage *out)
{
	const struct ceph_entity_addr *any = NULL;

	memset(out, 0, sizeof(*out));
	out->ss_family = AF_UNSPEC;
	for (unsigned i = 0; i < v->n; i++) {
		if (!ceph_entity_addr_usable(&v->v[i]))
			continue;
		if (v->v[i].type == type) {
			*out = v->v[i].ss;
			return;
		}
		if (v->v[i].type == CEPH_ADDR_ANY && !any)
			any = &v->v[i];
	}
	if (any)
		*out = any->ss;
}

static int decode_mon_info(struct wire_dec *d, struct monmap_mon *mon)
{
	struct wire_dec in;
	const uint8_t *name;
	uint32_t name_len;
	uint8_t v;

	if (ceph_dec_struct(d, 1, MON_INFO_MAX_COMPAT, &v, &in))
		return -EBADMSG;
	/* The name inside repeats the map key; the key is what ranks name. */
	if (ceph_dec_blob(&in, &name, &name_len) || ceph_entity_addrvec_decode(&in, &mon->addrs))
		return wire_dec_fail(d);
	if (v >= 2 && wire_dec_le16(&in, &mon->priority))
		return wire_dec_fail(d);
	if (v >= 4 && wire_dec_le16(&in, &mon->weight))
		return wire_dec_fail(d);
	pick_addr(&mon->addrs, CEPH_ADDR_MSGR2, &mon->v2);
	pick_addr(&mon->addrs, CEPH_ADDR_LEGACY, &mon->v1);
	return 0;
}

static int find_mon(const struct monmap_mon *mons, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(mons[i].name, name))
			return (int)i;
	return -1;
}

int monmap_decode(const void *buf, size_t len, struct monmap **out)
{
	struct monmap_mon *byname = NULL;
	struct monmap *m = NULL;
	struct wire_dec d, in;
	uint32_t body_len, n, nranks;
	uint8_t v, compat;
	bool used[MONMAP_MAX_MONS] = {false};
	int r = -EBADMSG;

	*out = NULL;
	wire_dec_init(&d, len ? buf : "", len);
	if (wire_dec_u8(&d, &v) || wire_dec_u8(&d, &compat) || wire_dec_le32(&d, &body_len))
		return -EBADMSG;
	/* v1/v2 began with a u16 version: they read as v1/v2, compat 0. */
	if (v < MONMAP_MIN_V || compat > MONMAP_MAX_COMPAT)
		return -EPROTONOSUPPORT;
	if (compat > v)
		return -EBADMSG;
	if (body_len > wire_dec_left(&d))
		return -EBADMSG;
	wire_dec_init(&in, d.p, body_len);

	uint8_t fsid[16];
	uint32_t epoch;
	struct wire_dec feat;
	uint8_t fv;

	/* The features are skipped whole: any version of them will do. */
	if (wire_dec_bytes(&in, fsid, sizeof(fsid)) || wire_dec_le32(&in, &epoch) ||
	    wire_dec_skip(&in, 8 + 8) /* last_changed, created */ || ceph_dec_struct(&in, 1, 255, &fv, &feat) ||
	    ceph_dec_struct(&in, 1, 255, &fv, &feat) || wire_dec_le32(&in, &n))
		return -EBADMSG;
	if (n > MONMAP_MAX_MONS)
		return -E2BIG;

	byname = calloc(n ? n : 1, sizeof(*byname));
	if (!byname)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		if (ceph_dec_string(&in, byname[i].name, sizeof(byname[i].name)) ||
		    find_mon(byname, i, byname[i].name) >= 0 || decode_mon_info(&in, &byname[i]))
			goto out;
	}

	/* Ranks: a permutation of the names above. */
	if (wire_dec_le32(&in, &nranks) || nranks != n)
		goto out;
	m = calloc(1, sizeof(*m) + n * sizeof(m->mons[0]));
	if (!m) {
		r = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		char name[MONMAP_NAME_MAX];
		int at;

		if (ceph_dec_string(&in, name, sizeof(name)))
			goto out;
		at = find_mon(byname, n, name);
		if (at < 0 || used[at])
			goto out;
		used[at] = true;
		m->mons[i] = byname[at];
	}
	if (v >= 7 && wire_dec_u8(&in, &m->min_mon_release))
		goto out;
	/* Whatever follows (removed ranks, election strategy, stretch mode)
	 * does not concern a client; the structure's length skips it. */
	memcpy(m->fsid, fsid, sizeof(fsid));
	m->epoch = epoch;
	m->n = n;
	*out = m;
	m = NULL;
	r = 0;
out:
	free(m);
	free(byname);
	return r;
}

int monmap_decode_msg(const void *front, size_t len, struct monmap **out)
{
	struct wire_dec d;
	const uint8_t *blob;
	uint32_t blob_len;

	*out = NULL;
	wire_dec_init(&d, len ? front : "", len);
	if (ceph_dec_blob(&d, &blob, &blob_len))
		return -EBADMSG;
	return monmap_decode(blob, blob_len, out);
}

void monmap_free(struct monmap *m)
{
	free(m);
}
