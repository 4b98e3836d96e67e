/*
 * Fuzz target: cephmon/mon/monmap.c (MonMap, and the MMonMap front around it)
 * and cephmon/ceph_entity_addr.c (entity_addrvec_t on its own).
 *
 * Invariants: a rejected map is not handed out; an accepted one has at
 * most MONMAP_MAX_MONS monitors with distinct NUL-terminated names and
 * sane addresses, and re-encodes (monmap_encode) to bytes that decode to
 * the same map. An address vector likewise survives encode + decode.
 * Seeds: real monmaptool output (test/fuzz/corpus/monmap/).
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_addr_wire.h"
#include "cephmon/mon/monmap.h"
#include "test/lib/monmap_enc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_family(const struct sockaddr_storage *ss)
{
	if (ss->ss_family != AF_UNSPEC && ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		abort();
}

static void check_map(const struct monmap *m)
{
	if (m->n > MONMAP_MAX_MONS)
		abort();
	for (unsigned i = 0; i < m->n; i++) {
		const struct monmap_mon *mon = &m->mons[i];

		if (!memchr(mon->name, '\0', sizeof(mon->name)))
			abort();
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(m->mons[j].name, mon->name))
				abort();
		if (mon->addrs.n > CEPH_ADDRVEC_MAX)
			abort();
		for (unsigned j = 0; j < mon->addrs.n; j++)
			check_family(&mon->addrs.v[j].ss);
		check_family(&mon->v1);
		check_family(&mon->v2);
	}
}

static void round_trip(const struct monmap *m)
{
	struct monmap *again = NULL;
	struct wire_enc e;

	wire_enc_init(&e);
	if (monmap_encode(m, &e))
		abort();
	if (monmap_decode(e.buf, e.len, &again))
		abort();
	if (memcmp(again, m, sizeof(*m) + m->n * sizeof(m->mons[0])))
		abort();
	monmap_free(again);
	wire_enc_free(&e);
}

static void fuzz_map(int r, struct monmap *m)
{
	if (r) {
		if (m)
			abort();
		if (r != -EBADMSG && r != -EPROTONOSUPPORT && r != -E2BIG && r != -ENOMEM)
			abort();
		return;
	}
	check_map(m);
	round_trip(m);
	monmap_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct monmap *m = NULL;
	struct ceph_addrvec v, v2;
	struct wire_dec d;

	int r;

	r = monmap_decode(data, size, &m);
	fuzz_map(r, m);
	m = NULL;
	r = monmap_decode_msg(data, size, &m);
	fuzz_map(r, m);

	wire_dec_init(&d, data, size);
	if (ceph_entity_addrvec_decode(&d, &v) == 0) {
		struct wire_enc e;

		if (v.n > CEPH_ADDRVEC_MAX)
			abort();
		wire_enc_init(&e);
		ceph_entity_addrvec_encode(&e, &v);
		wire_dec_init(&d, e.buf, e.len);
		if (ceph_entity_addrvec_decode(&d, &v2) || wire_dec_left(&d) || memcmp(&v, &v2, sizeof(v)))
			abort();
		wire_enc_free(&e);
	} else if (!d.bad) {
		abort(); /* a failure leaves the cursor bad */
	}
	return 0;
}
