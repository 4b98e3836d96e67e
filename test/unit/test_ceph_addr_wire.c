/*
 * Unit tests for cephmon/msgr/ceph_addr_wire.c: entity_addr_t / entity_addrvec_t.
 *
 * The known-answer vectors are bytes written by the Ceph 16.2 installed here:
 * `monmaptool --create --addv a '[v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0]'
 * --addv b '[v2:[::1]:3301/7,v1:[::1]:6790/7]'` encodes each monitor's
 * entity_addrvec_t into the monmap file; the two vectors below were cut out
 * of that file. The legacy form is built by hand from the kernel's
 * ceph_decode_entity_addr_legacy() and Ceph's decode_legacy_addr_after_marker().
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cephmon/msgr/ceph_addr_wire.h"
#include "test/lib/ceph_fixtures.h"

/* monmaptool: mon a, [v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0] */
static const char mon_a_hex[] = "02020000000101011c00000002000000000000001000000002000ce47f0000010000000000000000"
				"0101011c00000001000000000000001000000002001a857f0000010000000000000000";

/* monmaptool: mon b, [v2:[::1]:3301/7,v1:[::1]:6790/7] */
static const char mon_b_hex[] = "02020000000101012800000002000000070000001c0000000a000ce5000000000000000000000000"
				"0000000000000001000000000101012800000001000000070000001c0000000a001a860000000000"
				"00000000000000000000000000000100000000";

static void assert_addr_eq(const struct ceph_entity_addr *a, const struct ceph_entity_addr *b)
{
	cr_assert_eq(a->type, b->type);
	cr_assert_eq(a->nonce, b->nonce);
	cr_assert_eq(memcmp(&a->ss, &b->ss, sizeof(a->ss)), 0);
}

static void check_vector(const char *hex, const struct ceph_addrvec *want)
{
	uint8_t wire[256];
	size_t n = fx_unhex(hex, wire, sizeof(wire));
	struct ceph_addrvec got;
	struct wire_dec d;
	struct wire_enc e;

	wire_dec_init(&d, wire, n);
	cr_assert_eq(ceph_entity_addrvec_decode(&d, &got), 0);
	cr_assert_eq(wire_dec_left(&d), 0);
	cr_assert_eq(got.n, want->n);
	for (unsigned i = 0; i < got.n; i++)
		assert_addr_eq(&got.v[i], &want->v[i]);

	wire_enc_init(&e);
	cr_assert_eq(ceph_entity_addrvec_encode(&e, want), 0);
	cr_assert_eq(e.len, n);
	cr_assert_eq(memcmp(e.buf, wire, n), 0);
	wire_enc_free(&e);
}

Test(ceph_addr_wire, monmaptool_ipv4_vector)
{
	struct ceph_addrvec want = {.n = 2};

	fx_addr_in4(&want.v[0], CEPH_ADDR_MSGR2, "127.0.0.1", 3300, 0);
	fx_addr_in4(&want.v[1], CEPH_ADDR_LEGACY, "127.0.0.1", 6789, 0);
	check_vector(mon_a_hex, &want);
}

Test(ceph_addr_wire, monmaptool_ipv6_vector)
{
	struct ceph_addrvec want = {.n = 2};

	fx_addr_in6(&want.v[0], CEPH_ADDR_MSGR2, "::1", 3301, 7);
	fx_addr_in6(&want.v[1], CEPH_ADDR_LEGACY, "::1", 6790, 7);
	check_vector(mon_b_hex, &want);
}

Test(ceph_addr_wire, single_address_and_blank)
{
	struct ceph_entity_addr a, b;
	struct ceph_addrvec v;
	struct wire_dec d;
	struct wire_enc e;

	/* A blank address is 28 bytes of sockaddr, family 0 (Ceph and the
	 * kernel both size an unknown family as their sockaddr union). */
	memset(&a, 0, sizeof(a));
	a.type = CEPH_ADDR_ANY;
	a.nonce = 0x01020304;
	wire_enc_init(&e);
	cr_assert_eq(ceph_entity_addr_encode(&e, &a), 0);
	cr_assert_eq(e.len, 1 + 6 + 12 + 28);
	cr_assert_eq(e.buf[0], 1);
	cr_assert_eq(e.buf[1], 1);
	cr_assert_eq(e.buf[2], 1);
	cr_assert_eq(e.buf[3], 40);
	cr_assert_eq(e.buf[7], 3);
	cr_assert_eq(e.buf[11], 4);
	cr_assert_eq(e.buf[15], 28);
	wire_dec_init(&d, e.buf, e.len);
	cr_assert_eq(ceph_entity_addr_decode(&d, &b), 0);
	assert_addr_eq(&a, &b);

	/* An addrvec may be a bare address (marker 1). */
	wire_dec_init(&d, e.buf, e.len);
	cr_assert_eq(ceph_entity_addrvec_decode(&d, &v), 0);
	cr_assert_eq(v.n, 1);
	assert_addr_eq(&v.v[0], &a);
	wire_enc_free(&e);

	/* elen 0 is a blank address too. */
	uint8_t z[] = {1, 1, 1, 12, 0, 0, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0};
	wire_dec_init(&d, z, sizeof(z));
	cr_assert_eq(ceph_entity_addr_decode(&d, &b), 0);
	cr_assert_eq(b.type, CEPH_ADDR_MSGR2);
	cr_assert_eq(b.nonce, 9);
	cr_assert_eq(b.ss.ss_family, AF_UNSPEC);
}

Test(ceph_addr_wire, newer_struct_version_extra_bytes_are_skipped)
{
	/* v2, compat 1, with 3 extra bytes a newer Ceph might add. */
	uint8_t w[] = {1, 2,	1,    31, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 16,	 0,    0,    0,	  2,
		       0, 0x0c, 0xe4, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0x77};
	struct ceph_entity_addr a, want;
	struct wire_dec d;

	fx_addr_in4(&want, CEPH_ADDR_MSGR2, "10.0.0.1", 3300, 5);
	wire_dec_init(&d, w, sizeof(w));
	cr_assert_eq(ceph_entity_addr_decode(&d, &a), 0);
	assert_addr_eq(&a, &want);
	cr_assert_eq(wire_dec_left(&d), 1);
}

Test(ceph_addr_wire, legacy_form)
{
	uint8_t w[1 + 3 + 4 + 128];
	struct ceph_entity_addr a, want;
	struct ceph_addrvec v;
	struct wire_dec d;

	memset(w, 0, sizeof(w));
	w[4] = 42; /* nonce */
	w[8] = 0;  /* family, big-endian */
	w[9] = 2;
	w[10] = 0x1a; /* port 6789 */
	w[11] = 0x85;
	w[12] = 192;
	w[13] = 168;
	w[14] = 1;
	w[15] = 2;
	fx_addr_in4(&want, CEPH_ADDR_LEGACY, "192.168.1.2", 6789, 42);
	wire_dec_init(&d, w, sizeof(w));
	cr_assert_eq(ceph_entity_addr_decode(&d, &a), 0);
	assert_addr_eq(&a, &want);
	cr_assert_eq(wire_dec_left(&d), 0);
	wire_dec_init(&d, w, sizeof(w));
	cr_assert_eq(ceph_entity_addrvec_decode(&d, &v), 0);
	cr_assert_eq(v.n, 1);
	assert_addr_eq(&v.v[0], &want);

	/* The little-endian family would be a different family: rejected. */
	w[8] = 2;
	w[9] = 0;
	wire_dec_init(&d, w, sizeof(w));
	cr_assert_eq(ceph_entity_addr_decode(&d, &a), -EBADMSG);
}

Test(ceph_addr_wire, encode_rejects_what_it_cannot_say)
{
	struct ceph_entity_addr a;
	struct ceph_addrvec v = {.n = CEPH_ADDRVEC_MAX + 1};
	struct wire_enc e;

	wire_enc_init(&e);
	memset(&a, 0, sizeof(a));
	a.ss.ss_family = AF_UNIX;
	cr_assert_eq(ceph_entity_addr_encode(&e, &a), -EINVAL);
	a.ss.ss_family = AF_INET;
	a.type = (enum ceph_addr_type)4;
	cr_assert_eq(ceph_entity_addr_encode(&e, &a), -EINVAL);
	cr_assert_eq(ceph_entity_addrvec_encode(&e, &v), -EINVAL);
	wire_enc_free(&e);
}

static void decode_bad(const uint8_t *w, size_t n)
{
	struct ceph_entity_addr a;
	struct ceph_addrvec v;
	struct wire_dec d;

	memset(&a, 0x5a, sizeof(a));
	wire_dec_init(&d, w, n);
	cr_assert_neq(ceph_entity_addr_decode(&d, &a), 0);
	for (size_t i = 0; i < sizeof(a); i++)
		cr_assert_eq(((uint8_t *)&a)[i], 0x5a, "output changed on failure");
	wire_dec_init(&d, w, n);
	cr_assert_neq(ceph_entity_addrvec_decode(&d, &v), 0);
}

Test(ceph_addr_wire, malformed_and_truncated)
{
	uint8_t w[256];
	size_t n = fx_unhex(mon_a_hex, w, sizeof(w));
	struct ceph_addrvec v;
	struct wire_dec d;

	/* Every truncation of a good vector fails. */
	for (size_t i = 0; i < n; i++) {
		wire_dec_init(&d, w, i);
		cr_assert_eq(ceph_entity_addrvec_decode(&d, &v), -EBADMSG, "prefix %zu accepted", i);
	}

	uint8_t one[] = {1, 1, 1, 28,	0,    0,   0, 2, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0,
			 0, 2, 0, 0x0c, 0xe4, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,  0};
	uint8_t b[sizeof(one)];

	/* Bad marker. */
	memcpy(b, one, sizeof(b));
	b[0] = 3;
	decode_bad(b, sizeof(b));
	/* compat newer than we understand. */
	memcpy(b, one, sizeof(b));
	b[2] = 2;
	b[1] = 2;
	decode_bad(b, sizeof(b));
	/* Structure longer than the input. */
	memcpy(b, one, sizeof(b));
	b[3] = 29;
	decode_bad(b, sizeof(b));
	/* Unknown address type. */
	memcpy(b, one, sizeof(b));
	b[7] = 5;
	decode_bad(b, sizeof(b));
	/* elen longer than the structure, than a sockaddr_in, and 1. */
	memcpy(b, one, sizeof(b));
	b[15] = 17;
	decode_bad(b, sizeof(b));
	memcpy(b, one, sizeof(b));
	b[15] = 1;
	decode_bad(b, sizeof(b));
	/* Unknown family. */
	memcpy(b, one, sizeof(b));
	b[19] = 1;
	decode_bad(b, sizeof(b));

	/* Too many addresses for an addrvec. */
	uint8_t many[] = {2, 5, 0, 0, 0};
	wire_dec_init(&d, many, sizeof(many));
	cr_assert_eq(ceph_entity_addrvec_decode(&d, &v), -EBADMSG);
	uint8_t huge[] = {2, 0xff, 0xff, 0xff, 0xff};
	wire_dec_init(&d, huge, sizeof(huge));
	cr_assert_eq(ceph_entity_addrvec_decode(&d, &v), -EBADMSG);
}
