/*
 * Unit tests for cephmon/mon/monmap.c and cephmon/ceph_entity_addr.c: real
 * monmaptool output (monmap_vectors.h), hand-built entity_addr_t encodings
 * (legacy and versioned), and truncated or hostile maps.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_addr_wire.h"
#include "cephmon/mon/monmap.h"
#include "monmap_vectors.h"
#include "test/lib/monmap_enc.h"

static struct monmap *m;
static struct wire_enc e;

static void init(void)
{
	m = NULL;
	wire_enc_init(&e);
}

static void fini(void)
{
	monmap_free(m);
	wire_enc_free(&e);
}

TestSuite(monmap, .init = init, .fini = fini);
TestSuite(entity_addr, .init = init, .fini = fini);

/* "v2:127.0.0.1:3300"-style rendering of a sockaddr, "-" when absent. */
static const char *fmt(const struct sockaddr_storage *ss)
{
	static char buf[4][80];
	static int at;
	char ip[INET6_ADDRSTRLEN];
	char *b = buf[at++ % 4];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;
		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		snprintf(b, 80, "%s:%u", ip, ntohs(s->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;
		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		snprintf(b, 80, "[%s]:%u", ip, ntohs(s->sin6_port));
	} else {
		snprintf(b, 80, "-");
	}
	return b;
}

static void assert_mon(unsigned rank, const char *name, const char *v2, const char *v1)
{
	cr_assert_lt(rank, m->n);
	cr_assert_str_eq(m->mons[rank].name, name);
	cr_assert_str_eq(fmt(&m->mons[rank].v2), v2, "mon.%s v2", name);
	cr_assert_str_eq(fmt(&m->mons[rank].v1), v1, "mon.%s v1", name);
}

Test(monmap, three_monitors_from_monmaptool)
{
	static const uint8_t fsid[16] = {0x4f, 0x6c, 0x2b, 0x1e, 0x8a, 0x3d, 0x4e, 0x8b,
					 0x9a, 0x61, 0x2c, 0x3d, 0x4e, 0x5f, 0x6a, 0x7b};

	cr_assert_eq(monmap_decode(monmaptool_3mons, sizeof(monmaptool_3mons), &m), 0);
	cr_assert(!memcmp(m->fsid, fsid, 16));
	cr_assert_eq(m->epoch, 0);
	cr_assert_eq(m->n, 3);
	assert_mon(0, "a", "127.0.0.1:3300", "127.0.0.1:6789");
	assert_mon(1, "b", "127.0.0.1:3301", "127.0.0.1:6790");
	assert_mon(2, "c", "127.0.0.1:3302", "127.0.0.1:6791");
	cr_assert_eq(m->mons[0].addrs.n, 2);
	cr_assert_eq(m->mons[0].addrs.v[0].type, CEPH_ADDR_MSGR2);
	cr_assert_eq(m->mons[0].addrs.v[0].nonce, 0);
	cr_assert_eq(m->mons[0].addrs.v[1].type, CEPH_ADDR_LEGACY);
	cr_assert_eq(m->mons[0].priority, 0);
}

Test(monmap, rank_order_is_not_name_order)
{
	cr_assert_eq(monmap_decode(monmaptool_ipv6_legacy, sizeof(monmaptool_ipv6_legacy), &m), 0);
	cr_assert_eq(m->n, 3);
	/* monmaptool --print: 0: mon.y, 1: mon.z, 2: mon.x */
	assert_mon(0, "y", "-", "10.1.2.3:6789");
	assert_mon(1, "z", "-", "192.168.0.9:6789");
	assert_mon(2, "x", "[::1]:3300", "[::1]:6789");
}

Test(monmap, one_v2_monitor_and_features)
{
	cr_assert_eq(monmap_decode(monmaptool_one_v2, sizeof(monmaptool_one_v2), &m), 0);
	cr_assert_eq(m->n, 1);
	assert_mon(0, "a", "127.0.0.1:40000", "-");
	monmap_free(m);
	m = NULL;
	cr_assert_eq(monmap_decode(monmaptool_features, sizeof(monmaptool_features), &m), 0);
	cr_assert_eq(m->n, 2);
	assert_mon(0, "alpha", "10.0.0.1:3300", "10.0.0.1:6789");
	assert_mon(1, "beta", "10.0.0.2:3300", "10.0.0.2:6789");
}

Test(monmap, mmonmap_front_and_epoch)
{
	uint8_t front[4 + sizeof(monmaptool_3mons)];

	memcpy(front + 4, monmaptool_3mons, sizeof(monmaptool_3mons));
	front[0] = sizeof(monmaptool_3mons) & 0xff;
	front[1] = sizeof(monmaptool_3mons) >> 8;
	front[2] = front[3] = 0;
	front[4 + 6 + 16] = 7; /* epoch, after the header and the fsid */
	cr_assert_eq(monmap_decode_msg(front, sizeof(front), &m), 0);
	cr_assert_eq(m->epoch, 7);
	cr_assert_eq(m->n, 3);
	monmap_free(m);
	m = NULL;
	cr_assert_eq(monmap_decode_msg(front, sizeof(front) - 1, &m), -EBADMSG);
	cr_assert_null(m);
}

Test(monmap, round_trip_through_the_encoder)
{
	const struct {
		const uint8_t *p;
		size_t n;
	} maps[] = {{monmaptool_3mons, sizeof(monmaptool_3mons)},
		    {monmaptool_ipv6_legacy, sizeof(monmaptool_ipv6_legacy)},
		    {monmaptool_one_v2, sizeof(monmaptool_one_v2)},
		    {monmaptool_features, sizeof(monmaptool_features)}};

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		struct monmap *again;

		cr_assert_eq(monmap_decode(maps[i].p, maps[i].n, &m), 0);
		m->min_mon_release = 16;
		e.len = 0;
		cr_assert_eq(monmap_encode(m, &e), 0);
		cr_assert_eq(monmap_decode(e.buf, e.len, &again), 0);
		cr_assert_eq(again->n, m->n);
		cr_assert_eq(again->min_mon_release, 16);
		cr_assert(!memcmp(again, m, sizeof(*m) + m->n * sizeof(m->mons[0])), "map %zu differs", i);
		monmap_free(again);
		monmap_free(m);
		m = NULL;
	}
	/* The encoder writes what monmaptool writes, bar the timestamps and
	 * features it does not keep. */
	cr_assert_eq(monmap_decode(monmaptool_3mons, sizeof(monmaptool_3mons), &m), 0);
	e.len = 0;
	cr_assert_eq(monmap_encode(m, &e), 0);
	cr_assert_eq(e.len, sizeof(monmaptool_3mons));
	cr_assert(!memcmp(e.buf + 42, monmaptool_3mons + 42, e.len - 42));
}

Test(monmap, every_truncation_fails)
{
	for (size_t cut = 0; cut < sizeof(monmaptool_ipv6_legacy); cut++) {
		int r = monmap_decode(monmaptool_ipv6_legacy, cut, &m);

		cr_assert_lt(r, 0, "accepted %zu bytes", cut);
		cr_assert_null(m);
	}
}

Test(monmap, corruption_never_crashes)
{
	uint8_t buf[sizeof(monmaptool_3mons)];

	for (size_t i = 0; i < sizeof(buf); i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(buf, monmaptool_3mons, sizeof(buf));
			buf[i] ^= (uint8_t)(1 << bit);
			if (monmap_decode(buf, sizeof(buf), &m) == 0) {
				cr_assert_leq(m->n, MONMAP_MAX_MONS);
				monmap_free(m);
			}
			m = NULL;
		}
	}
}

/* A v9 map built by hand around one mon_info entry. */
static void build_map(struct wire_enc *out, uint8_t v, uint8_t compat, uint32_t count, const char *key,
		      const uint8_t *info, size_t info_len, const char *rank0)
{
	size_t at = ceph_enc_struct_begin(out, v, compat);

	wire_enc_bytes(out, "0123456789abcdef", 16);
	wire_enc_le32(out, 3);
	wire_enc_le64(out, 0);
	wire_enc_le64(out, 0);
	for (int i = 0; i < 2; i++) {
		size_t f = ceph_enc_struct_begin(out, 1, 1);
		wire_enc_le64(out, 0);
		ceph_enc_struct_end(out, f);
	}
	wire_enc_le32(out, count);
	if (key) {
		ceph_enc_string(out, key);
		wire_enc_bytes(out, info, info_len);
	}
	if (rank0) {
		wire_enc_le32(out, 1);
		ceph_enc_string(out, rank0);
	} else {
		wire_enc_le32(out, 0);
	}
	wire_enc_u8(out, 16);
	ceph_enc_struct_end(out, at);
}

static size_t mon_info(uint8_t *buf, uint8_t v, uint8_t compat)
{
	struct wire_enc x;
	struct ceph_addrvec av = {.n = 1};
	struct sockaddr_in *sin = (struct sockaddr_in *)&av.v[0].ss;
	size_t at, n;

	av.v[0].type = CEPH_ADDR_MSGR2;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(3300);
	sin->sin_addr.s_addr = htonl(0x0a000001);
	wire_enc_init(&x);
	at = ceph_enc_struct_begin(&x, v, compat);
	ceph_enc_string(&x, "a");
	ceph_entity_addrvec_encode(&x, &av);
	wire_enc_le16(&x, 5);
	wire_enc_le16(&x, 9);
	ceph_enc_struct_end(&x, at);
	n = x.len;
	memcpy(buf, x.buf, n);
	wire_enc_free(&x);
	return n;
}

Test(monmap, hand_built_maps_and_their_faults)
{
	uint8_t info[256];
	size_t n = mon_info(info, 4, 1);

	build_map(&e, 9, 6, 1, "a", info, n, "a");
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), 0);
	cr_assert_eq(m->mons[0].priority, 5);
	cr_assert_eq(m->mons[0].weight, 9);
	cr_assert_eq(m->min_mon_release, 16);
	assert_mon(0, "a", "10.0.0.1:3300", "-");
	monmap_free(m);
	m = NULL;

	/* mon_info v3 has no weight (the byte left over is skipped). */
	n = mon_info(info, 3, 1);
	e.len = 0;
	build_map(&e, 9, 6, 1, "a", info, n, "a");
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), 0);
	cr_assert_eq(m->mons[0].weight, 0);
	monmap_free(m);
	m = NULL;

	/* A newer mon_info we cannot read. */
	n = mon_info(info, 7, 7);
	e.len = 0;
	build_map(&e, 9, 6, 1, "a", info, n, "a");
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), -EBADMSG);

	/* Versions: pre-Nautilus and a future compat. */
	n = mon_info(info, 4, 1);
	e.len = 0;
	build_map(&e, 5, 3, 1, "a", info, n, "a");
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), -EPROTONOSUPPORT);
	e.len = 0;
	build_map(&e, 12, 10, 1, "a", info, n, "a");
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), -EPROTONOSUPPORT);
	e.len = 0;
	build_map(&e, 12, 9, 1, "a", info, n, "a");
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), 0); /* newer, still readable */
	monmap_free(m);
	m = NULL;

	/* Ranks that do not match the monitors. */
	e.len = 0;
	build_map(&e, 9, 6, 1, "a", info, n, "b");
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), -EBADMSG);
	e.len = 0;
	build_map(&e, 9, 6, 1, "a", info, n, NULL);
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), -EBADMSG);

	/* A count beyond the limit, and beyond the input. */
	e.len = 0;
	build_map(&e, 9, 6, 0xffffffff, NULL, NULL, 0, NULL);
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), -E2BIG);
	e.len = 0;
	build_map(&e, 9, 6, MONMAP_MAX_MONS, "a", info, n, "a");
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), -EBADMSG);

	/* No monitors at all: decoded, for the caller to judge. */
	e.len = 0;
	build_map(&e, 9, 6, 0, NULL, NULL, 0, NULL);
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), 0);
	cr_assert_eq(m->n, 0);
	monmap_free(m);
	m = NULL;

	/* A name longer than we keep. */
	char longname[MONMAP_NAME_MAX + 1];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	e.len = 0;
	build_map(&e, 9, 6, 1, longname, info, n, longname);
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), -EBADMSG);
	cr_assert_null(m);
}

Test(monmap, duplicate_names_are_refused)
{
	uint8_t info[256];
	size_t n = mon_info(info, 4, 1);
	size_t at = ceph_enc_struct_begin(&e, 9, 6);

	wire_enc_bytes(&e, "0123456789abcdef", 16);
	wire_enc_le32(&e, 3);
	wire_enc_le64(&e, 0);
	wire_enc_le64(&e, 0);
	for (int i = 0; i < 2; i++) {
		size_t f = ceph_enc_struct_begin(&e, 1, 1);
		wire_enc_le64(&e, 0);
		ceph_enc_struct_end(&e, f);
	}
	wire_enc_le32(&e, 2);
	for (int i = 0; i < 2; i++) {
		ceph_enc_string(&e, "a");
		wire_enc_bytes(&e, info, n);
	}
	wire_enc_le32(&e, 2);
	ceph_enc_string(&e, "a");
	ceph_enc_string(&e, "a");
	wire_enc_u8(&e, 16);
	ceph_enc_struct_end(&e, at);
	cr_assert_eq(monmap_decode(e.buf, e.len, &m), -EBADMSG);
}

/* ---- entity_addr_t ---------------------------------------------------------- */

static int decode_one(const uint8_t *buf, size_t len, struct ceph_entity_addr *a)
{
	struct wire_dec d;
	int r;

	wire_dec_init(&d, buf, len);
	r = ceph_entity_addr_decode(&d, a);
	if (!r)
		cr_assert_eq(wire_dec_left(&d), 0, "bytes left after the address");
	return r;
}

Test(entity_addr, versioned_ipv4_as_ceph_encodes_it)
{
	/* From monmaptool_3mons: v2:127.0.0.1:3300/0. */
	static const uint8_t v2[] = {0x01, 0x01, 0x01, 0x1c, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
				     0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x02, 0x00, 0x0c, 0xe4, 0x7f,
				     0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
	struct ceph_entity_addr a;

	cr_assert_eq(decode_one(v2, sizeof(v2), &a), 0);
	cr_assert_eq(a.type, CEPH_ADDR_MSGR2);
	cr_assert_str_eq(fmt(&a.ss), "127.0.0.1:3300");
	ceph_entity_addr_encode(&e, &a);
	cr_assert_eq(e.len, sizeof(v2));
	cr_assert(!memcmp(e.buf, v2, sizeof(v2)));
	for (size_t cut = 0; cut < sizeof(v2); cut++)
		cr_assert_eq(decode_one(v2, cut, &a), -EBADMSG);
}

Test(entity_addr, ipv6_and_blank_round_trip)
{
	struct ceph_entity_addr a = {.type = CEPH_ADDR_LEGACY, .nonce = 0x1234}, b;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a.ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(6789);
	inet_pton(AF_INET6, "fe80::1", &s6->sin6_addr);
	s6->sin6_scope_id = 3;
	ceph_entity_addr_encode(&e, &a);
	cr_assert_eq(e.len, 1 + 6 + 12 + 28);
	cr_assert_eq(decode_one(e.buf, e.len, &b), 0);
	cr_assert(!memcmp(&a, &b, sizeof(a)));
	cr_assert(ceph_entity_addr_usable(&b));

	/* Blank: family 0 in a 28-byte sockaddr, as Ceph encodes it. */
	memset(&a, 0, sizeof(a));
	e.len = 0;
	ceph_entity_addr_encode(&e, &a);
	cr_assert_eq(e.len, 1 + 6 + 12 + 28);
	cr_assert_eq(decode_one(e.buf, e.len, &b), 0);
	cr_assert_eq(b.ss.ss_family, AF_UNSPEC);
	cr_assert_not(ceph_entity_addr_usable(&b));
}

Test(entity_addr, legacy_encoding)
{
	uint8_t buf[136] = {0};
	struct ceph_entity_addr a;

	/* u32 type 0, u32 nonce, sockaddr_storage with a big-endian family. */
	buf[4] = 0x2a;
	buf[8] = 0x00;
	buf[9] = 0x02; /* AF_INET */
	buf[10] = 0x1a;
	buf[11] = 0x85; /* 6789 */
	buf[12] = 10;
	buf[15] = 7;
	cr_assert_eq(decode_one(buf, sizeof(buf), &a), 0);
	cr_assert_eq(a.type, CEPH_ADDR_LEGACY);
	cr_assert_eq(a.nonce, 0x2a);
	cr_assert_str_eq(fmt(&a.ss), "10.0.0.7:6789");
	cr_assert_eq(decode_one(buf, sizeof(buf) - 1, &a), -EBADMSG);

	/* An unspecified family makes it TYPE_NONE. */
	buf[9] = 0;
	cr_assert_eq(decode_one(buf, sizeof(buf), &a), 0);
	cr_assert_eq(a.type, CEPH_ADDR_NONE);

	/* As a vector: marker 0 stands for a vector of one. */
	struct ceph_addrvec v;
	struct wire_dec d;
	buf[9] = 2;
	wire_dec_init(&d, buf, sizeof(buf));
	cr_assert_eq(ceph_entity_addrvec_decode(&d, &v), 0);
	cr_assert_eq(v.n, 1);
	cr_assert_eq(v.v[0].type, CEPH_ADDR_LEGACY);
}

Test(entity_addr, malformed_addresses)
{
	struct ceph_entity_addr a;
	/* marker 1, v1 compat 1, len 12+elen, type, nonce, elen ... */
	uint8_t buf[64] = {0x01, 0x01, 0x01, 14, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0};

	/* elen 2, family 0: blank. */
	cr_assert_eq(decode_one(buf, 21, &a), 0);
	cr_assert_eq(a.ss.ss_family, AF_UNSPEC);
	/* elen 1: smaller than the family. */
	buf[3] = 13;
	buf[15] = 1;
	cr_assert_eq(decode_one(buf, 20, &a), -EBADMSG);
	/* IPv4 with elen 17: beyond sockaddr_in. */
	buf[3] = 12 + 17;
	buf[15] = 17;
	buf[19] = 2;
	cr_assert_eq(decode_one(buf, 7 + 12 + 17, &a), -EBADMSG);
	/* A type beyond CIDR. */
	buf[3] = 12;
	buf[7] = 9;
	buf[15] = 0;
	cr_assert_eq(decode_one(buf, 19, &a), -EBADMSG);
	/* compat 2: a newer address we cannot read. */
	buf[2] = 2;
	buf[7] = 2;
	cr_assert_eq(decode_one(buf, 19, &a), -EBADMSG);
	/* marker 3. */
	buf[0] = 3;
	cr_assert_eq(decode_one(buf, 19, &a), -EBADMSG);
}

Test(entity_addr, vectors_keep_at_most_the_max)
{
	struct ceph_addrvec in = {.n = CEPH_ADDRVEC_MAX}, out;
	struct wire_dec d;

	for (unsigned i = 0; i < in.n; i++) {
		struct sockaddr_in *s = (struct sockaddr_in *)&in.v[i].ss;
		in.v[i].type = CEPH_ADDR_MSGR2;
		s->sin_family = AF_INET;
		s->sin_port = htons((uint16_t)(3300 + i));
	}
	ceph_entity_addrvec_encode(&e, &in);
	/* Two more addresses: bump the count and append. */
	e.buf[1] += 2;
	ceph_entity_addr_encode(&e, &in.v[0]);
	ceph_entity_addr_encode(&e, &in.v[1]);
	wire_dec_init(&d, e.buf, e.len);
	cr_assert_eq(ceph_entity_addrvec_decode(&d, &out), 0);
	cr_assert_eq(out.n, CEPH_ADDRVEC_MAX);
	cr_assert_eq(wire_dec_left(&d), 0);
	cr_assert(!memcmp(&out, &in, sizeof(in)));

	/* A huge count runs out of input. */
	static const uint8_t huge[] = {2, 0xff, 0xff, 0xff, 0xff, 1};
	wire_dec_init(&d, huge, sizeof(huge));
	cr_assert_eq(ceph_entity_addrvec_decode(&d, &out), -EBADMSG);
	cr_assert_eq(out.n, CEPH_ADDRVEC_MAX, "the output is untouched on failure");
}
