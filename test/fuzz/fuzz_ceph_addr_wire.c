/*
 * Fuzz target: cephmon/msgr/ceph_addr_wire.c's entity_addr_t / entity_addrvec_t
 * decoders. Whatever decodes must encode again, and decode from that to the
 * same addresses (the encoding is canonical: re-encoding is a fixed point).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_addr_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_or_abort(const struct ceph_entity_addr *a, const struct ceph_entity_addr *b)
{
	if (a->type != b->type || a->nonce != b->nonce || memcmp(&a->ss, &b->ss, sizeof(a->ss)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ceph_addrvec v, w;
	struct ceph_entity_addr a, b;
	struct wire_dec d;
	struct wire_enc e, e2;

	wire_dec_init(&d, data, size);
	if (ceph_entity_addrvec_decode(&d, &v) == 0) {
		if (v.n > CEPH_ADDRVEC_MAX || wire_dec_left(&d) > size)
			abort();
		wire_enc_init(&e);
		if (ceph_entity_addrvec_encode(&e, &v))
			abort();
		wire_dec_init(&d, e.buf, e.len);
		if (ceph_entity_addrvec_decode(&d, &w) || wire_dec_left(&d) || w.n != v.n)
			abort();
		for (unsigned i = 0; i < v.n; i++)
			same_or_abort(&v.v[i], &w.v[i]);
		wire_enc_init(&e2);
		if (ceph_entity_addrvec_encode(&e2, &w) || e2.len != e.len || memcmp(e.buf, e2.buf, e.len))
			abort();
		wire_enc_free(&e);
		wire_enc_free(&e2);
	}

	wire_dec_init(&d, data, size);
	if (ceph_entity_addr_decode(&d, &a) == 0) {
		wire_enc_init(&e);
		if (ceph_entity_addr_encode(&e, &a))
			abort();
		wire_dec_init(&d, e.buf, e.len);
		if (ceph_entity_addr_decode(&d, &b) || wire_dec_left(&d))
			abort();
		same_or_abort(&a, &b);
		wire_enc_free(&e);
	}
	return 0;
}
