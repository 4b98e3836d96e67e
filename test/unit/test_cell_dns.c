/* Unit tests for fuse/afs/cell_dns.c (DNS answers for AFS cells: SRV and
 * AFSDB records, RFC 2782's order) and fuse/afs/cm_dns.c (cells found in
 * DNS in the cache manager's table, through a resolver of the test's). */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "evloop/evloop.h"
#include "fuse/afs/cell_dns.h"
#include "fuse/afs/cm.h"
#include "net/wire.h"

/* ---- building answers ---------------------------------------------------------- */

#define QR 0x8000
#define RD 0x0100
#define RA 0x0080

static struct wire_enc e;
static struct cell_dns_rr rr[8];
static unsigned n;
static char err[300];

static void fini(void)
{
	wire_enc_free(&e);
}

/* A new message (the last one dropped). */
static void header(uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	wire_enc_free(&e);
	wire_enc_be16(&e, 0x1234);
	wire_enc_be16(&e, flags);
	wire_enc_be16(&e, qd);
	wire_enc_be16(&e, an);
	wire_enc_be16(&e, ns);
	wire_enc_be16(&e, ar);
}

/* Labels of @dotted ("" for none), then the root or, with @ptr >= 0, a
 * pointer to offset @ptr. */
static void name(const char *dotted, int ptr)
{
	const char *p = dotted;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		wire_enc_u8(&e, (uint8_t)l);
		wire_enc_bytes(&e, p, l);
		p += l + (dot ? 1 : 0);
	}
	if (ptr >= 0)
		wire_enc_be16(&e, (uint16_t)(0xc000 | ptr));
	else
		wire_enc_u8(&e, 0);
}

static void question(const char *qname, uint16_t type)
{
	name(qname, -1);
	wire_enc_be16(&e, type);
	wire_enc_be16(&e, 1);
}

/* A record's fixed part after its name; its rdata follows. */
static void rr_head(uint16_t type, uint16_t class, uint32_t ttl, uint16_t rdlen)
{
	wire_enc_be16(&e, type);
	wire_enc_be16(&e, class);
	wire_enc_be32(&e, ttl);
	wire_enc_be16(&e, rdlen);
}

/* An SRV record owned by the question's name (offset 12), target uncompressed. */
static void srv(uint32_t ttl, uint16_t prio, uint16_t weight, uint16_t port, const char *target)
{
	name("", 12);
	size_t tl = strlen(target) ? strlen(target) + 2 : 1;
	rr_head(CELL_DNS_T_SRV, 1, ttl, (uint16_t)(6 + tl));
	wire_enc_be16(&e, prio);
	wire_enc_be16(&e, weight);
	wire_enc_be16(&e, port);
	name(target, -1);
}

static void a_record(const char *owner, const char *ip)
{
	struct in_addr a;
	inet_pton(AF_INET, ip, &a);
	name(owner, -1);
	rr_head(1, 1, 300, 4);
	wire_enc_bytes(&e, &a, 4);
}

static int parse_type(uint16_t type)
{
	cr_assert_eq(wire_enc_error(&e), 0);
	memset(err, 0, sizeof(err));
	return cell_dns_parse(e.buf, e.len, type, rr, 8, &n, err, sizeof(err));
}

static int parse(void)
{
	return parse_type(CELL_DNS_T_SRV);
}

static void printable(void)
{
	cr_assert(err[0], "no message");
	for (const char *p = err; *p; p++)
		cr_assert(*p >= 0x20 && *p < 0x7f, "unprintable byte in '%s'", err);
}

/* Malformed, with @why in the message. */
static void bad(const char *why)
{
	int r = parse();
	cr_assert_eq(r, -EBADMSG, "accepted (%d): %s", r, err);
	printable();
	cr_assert(strstr(err, why), "message '%s' lacks '%s'", err, why);
	cr_assert_eq(n, 0);
}

/* The typical answer, as dnsmasq and BIND send it: the owner compressed
 * to the question, the target not, addresses in the additional section. */
static void typical(void)
{
	header(QR | RD | RA, 1, 2, 0, 2);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	srv(600, 10, 5, 7003, "vl1.srv.test");
	srv(300, 20, 0, 17003, "vl2.srv.test");
	a_record("vl1.srv.test", "127.0.0.1");
	a_record("vl2.srv.test", "127.0.0.2");
}

TestSuite(cell_dns_parse, .fini = fini);

Test(cell_dns_parse, srv)
{
	typical();
	cr_assert_eq(parse(), 0, "%s", err);
	cr_assert_eq(n, 2);
	cr_assert_eq(rr[0].priority, 10);
	cr_assert_eq(rr[0].weight, 5);
	cr_assert_eq(rr[0].port, 7003);
	cr_assert_eq(rr[0].ttl, 600);
	cr_assert_str_eq(rr[0].target, "vl1.srv.test");
	cr_assert_eq(rr[1].priority, 20);
	cr_assert_eq(rr[1].port, 17003);
	cr_assert_eq(rr[1].ttl, 300);
	cr_assert_str_eq(rr[1].target, "vl2.srv.test");
	/* The same records asked as AFSDB: the question is another. */
	cr_assert_eq(parse_type(CELL_DNS_T_AFSDB), -EBADMSG);
	cr_assert(strstr(err, "question of type 33"), "%s", err);
}

Test(cell_dns_parse, compressed_target_and_root)
{
	header(QR, 1, 3, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	/* "vl" + a pointer to "srv.test" in the question (after the header,
	 * "_afs3-vlserver" and "_udp" with their length bytes). */
	name("", 12);
	rr_head(CELL_DNS_T_SRV, 1, 60, 6 + 3 + 2);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 7003);
	name("vl", 12 + 15 + 5);
	/* The target ".": no service here (kept, with target ""). */
	srv(60, 0, 0, 0, "");
	/* TTL with the top bit set reads as 0 (RFC 2181). */
	srv(0x80000001u, 2, 0, 7003, "x.srv.test");
	cr_assert_eq(parse(), 0, "%s", err);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(rr[0].target, "vl.srv.test");
	cr_assert_str_eq(rr[1].target, "");
	cr_assert_eq(rr[2].ttl, 0);
}

Test(cell_dns_parse, afsdb)
{
	header(QR, 1, 3, 0, 0);
	question("grand.central.org", CELL_DNS_T_AFSDB);
	/* subtype 1, "afsdb1" + pointer to the question's name */
	name("", 12);
	rr_head(CELL_DNS_T_AFSDB, 1, 3600, 2 + 7 + 2);
	wire_enc_be16(&e, 1);
	name("afsdb1", 12);
	/* subtype 2 (DCE): skipped */
	name("", 12);
	rr_head(CELL_DNS_T_AFSDB, 1, 3600, 2 + 7 + 2);
	wire_enc_be16(&e, 2);
	name("dcedb1", 12);
	/* uncompressed */
	name("", 12);
	rr_head(CELL_DNS_T_AFSDB, 1, 100, 2 + 16);
	wire_enc_be16(&e, 1);
	name("db.example.org", -1);
	cr_assert_eq(parse_type(CELL_DNS_T_AFSDB), 0, "%s", err);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(rr[0].target, "afsdb1.grand.central.org");
	cr_assert_eq(rr[0].port, 7003);
	cr_assert_eq(rr[0].priority, 0);
	cr_assert_eq(rr[0].ttl, 3600);
	cr_assert_str_eq(rr[1].target, "db.example.org");
	cr_assert_eq(rr[1].ttl, 100);
}

Test(cell_dns_parse, other_types_and_classes_skipped)
{
	header(QR, 1, 4, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	/* A CNAME, whatever its rdata. */
	name("", 12);
	rr_head(5, 1, 60, 3);
	wire_enc_bytes(&e, "\x01x\x00", 3);
	/* An SRV of class CH, with rdata that is no SRV at all. */
	name("", 12);
	rr_head(CELL_DNS_T_SRV, 3, 60, 2);
	wire_enc_be16(&e, 0xffff);
	/* A type nobody knows, with a name that would be refused. */
	name("", 12);
	rr_head(99, 1, 60, 2);
	wire_enc_be16(&e, 0xc0ff);
	srv(60, 1, 1, 7003, "vl.srv.test");
	cr_assert_eq(parse(), 0, "%s", err);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(rr[0].target, "vl.srv.test");
}

Test(cell_dns_parse, no_records)
{
	header(QR, 1, 0, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	cr_assert_eq(parse(), 0, "%s", err);
	cr_assert_eq(n, 0);
	/* No question echoed either. */
	header(QR, 0, 1, 0, 0);
	name("a", -1);
	rr_head(CELL_DNS_T_SRV, 1, 5, 6 + 3);
	wire_enc_be16(&e, 0);
	wire_enc_be16(&e, 0);
	wire_enc_be16(&e, 1);
	name("h", -1);
	cr_assert_eq(parse(), 0, "%s", err);
	cr_assert_eq(n, 1);
}

Test(cell_dns_parse, more_than_max)
{
	header(QR, 1, 12, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	for (int i = 0; i < 12; i++)
		srv(60, (uint16_t)i, 0, 7003, "vl.srv.test");
	cr_assert_eq(parse(), 0, "%s", err);
	cr_assert_eq(n, 8, "the first 8 kept");
	cr_assert_eq(rr[7].priority, 7);
}

Test(cell_dns_parse, error_codes)
{
	header(QR | 3, 1, 0, 0, 0);
	question("_afs3-vlserver._udp.nosuch.test", CELL_DNS_T_SRV);
	cr_assert_eq(parse(), -ENOENT);
	cr_assert(strstr(err, "NXDOMAIN"), "%s", err);
	header(QR | 2, 0, 0, 0, 0);
	cr_assert_eq(parse(), -EAGAIN);
	cr_assert(strstr(err, "SERVFAIL"), "%s", err);
	header(QR | 5, 0, 0, 0, 0);
	cr_assert_eq(parse(), -EPROTO);
	printable();
}

Test(cell_dns_parse, truncated_header)
{
	typical();
	for (size_t len = 0; len < 12; len++) {
		cr_assert_eq(cell_dns_parse(e.buf, len, CELL_DNS_T_SRV, rr, 8, &n, err, sizeof(err)), -EBADMSG);
		printable();
		cr_assert(strstr(err, "shorter than its header"), "%s", err);
	}
	cr_assert_eq(cell_dns_parse(NULL, 0, CELL_DNS_T_SRV, rr, 8, &n, err, sizeof(err)), -EBADMSG);
}

Test(cell_dns_parse, every_truncation_refused)
{
	typical();
	/* The answer section ends where the additional one begins: any cut
	 * before that is refused, and never reads past the cut. */
	size_t answers_end = e.len - 2 * (14 + 10 + 4);
	for (size_t len = 12; len < answers_end; len++) {
		uint8_t *copy = malloc(len);
		memcpy(copy, e.buf, len);
		cr_assert_eq(cell_dns_parse(copy, len, CELL_DNS_T_SRV, rr, 8, &n, err, sizeof(err)), -EBADMSG,
			     "a cut at %zu accepted", len);
		printable();
		free(copy);
	}
}

Test(cell_dns_parse, not_an_answer)
{
	header(RD, 1, 0, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	bad("QR bit is 0");
	header(QR | (4 << 11), 0, 0, 0, 0);
	bad("opcode 4");
	header(QR | 0x0200, 1, 0, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	bad("truncated DNS answer (TC)");
}

Test(cell_dns_parse, counts_past_the_end)
{
	header(QR, 2, 0, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	bad("question 1 runs past the end");
	header(QR, 1, 3, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	srv(60, 1, 1, 7003, "vl.srv.test");
	bad("answer 1 runs past the end");
	header(QR, 0xffff, 0xffff, 0xffff, 0xffff);
	bad("question 0 runs past the end");
}

Test(cell_dns_parse, record_cut_short)
{
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	name("", 12);
	wire_enc_be16(&e, CELL_DNS_T_SRV);
	wire_enc_be16(&e, 1);
	bad("answer 0 of 1 cut short");
	header(QR, 1, 0, 0, 0);
	name("_afs3-vlserver._udp.srv.test", -1);
	wire_enc_be16(&e, CELL_DNS_T_SRV);
	bad("question 0 of 1 cut short");
}

Test(cell_dns_parse, rdlength_wrong)
{
	/* Past the end of the message. */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	name("", 12);
	rr_head(CELL_DNS_T_SRV, 1, 60, 100);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 7003);
	name("vl", -1);
	bad("rdlength 100 runs past the end");
	/* Too short for the fixed fields. */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	name("", 12);
	rr_head(CELL_DNS_T_SRV, 1, 60, 6);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 7003);
	bad("6 bytes of data, too few");
	/* Longer than the record: a trailing byte. */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	name("", 12);
	rr_head(CELL_DNS_T_SRV, 1, 60, 6 + 4 + 1);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 7003);
	name("vl", -1);
	wire_enc_u8(&e, 0);
	bad("rdlength 11, but its data take 10");
	/* Shorter than the target, which runs into the next record. */
	header(QR, 1, 2, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	name("", 12);
	rr_head(CELL_DNS_T_SRV, 1, 60, 6 + 2);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 7003);
	name("vl", -1);
	srv(60, 1, 1, 7003, "vl.srv.test");
	bad("runs past the end of its record");
	/* AFSDB too short. */
	header(QR, 1, 1, 0, 0);
	question("cell.test", CELL_DNS_T_AFSDB);
	name("", 12);
	rr_head(CELL_DNS_T_AFSDB, 1, 60, 2);
	wire_enc_be16(&e, 1);
	cr_assert_eq(parse_type(CELL_DNS_T_AFSDB), -EBADMSG);
	cr_assert(strstr(err, "AFSDB record 0 has 2 bytes"), "%s", err);
}

Test(cell_dns_parse, compression_loops)
{
	/* A pointer to itself, as an answer's name. */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	size_t at = e.len;
	name("", (int)at);
	rr_head(CELL_DNS_T_SRV, 1, 60, 7);
	bad("forward or in a loop");
	/* Two pointers at each other: the second points back, to the first. */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	at = e.len;
	name("a", (int)at + 4);
	name("", (int)at);
	bad("forward or in a loop");
	/* A label, then a pointer back to that label: "a.a.a..." forever. */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	at = e.len;
	name("a", (int)at);
	rr_head(CELL_DNS_T_SRV, 1, 60, 7);
	bad("forward or in a loop");
	/* In a target: a pointer into the target itself. */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	name("", 12);
	rr_head(CELL_DNS_T_SRV, 1, 60, 6 + 2 + 2);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 7003);
	at = e.len;
	name("x", (int)at);
	bad("forward or in a loop");
}

Test(cell_dns_parse, pointer_forward_and_outside)
{
	/* Forward: to the record's own fixed part, after the pointer. */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	name("", (int)e.len + 2);
	rr_head(CELL_DNS_T_SRV, 1, 60, 7);
	bad("forward or in a loop");
	/* Outside the message. */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	name("", 0x3fff);
	rr_head(CELL_DNS_T_SRV, 1, 60, 7);
	bad("outside the");
	/* A pointer cut in half at the end. */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	wire_enc_u8(&e, 0xc0);
	bad("compression pointer cut short");
	/* Label types 01 and 10 (extended, reserved). */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	wire_enc_u8(&e, 0x41);
	wire_enc_u8(&e, 0);
	bad("unknown label type 0x40");
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	wire_enc_u8(&e, 0x81);
	bad("unknown label type 0x80");
}

Test(cell_dns_parse, oversized_names)
{
	char label[64], big[300] = "";
	memset(label, 'a', 63);
	label[63] = '\0';
	/* 4 labels of 63: 4 * 64 + 1 = 257 bytes. */
	for (int i = 0; i < 4; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big), "%s%s", i ? "." : "", label);
	header(QR, 1, 0, 0, 0);
	question(big, CELL_DNS_T_SRV);
	bad("longer than 255 bytes");
	/* 3 labels of 63 and one of 61: 255 bytes, the most there is. */
	big[strlen(big) - 2] = '\0';
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	srv(60, 1, 1, 7003, big);
	cr_assert_eq(parse(), 0, "%s", err);
	cr_assert_eq(strlen(rr[0].target), 253);
	/* Long through compression: 255 bytes at the question, one more label
	 * before a pointer to it. */
	header(QR, 1, 1, 0, 0);
	question(big, CELL_DNS_T_SRV);
	name("x", 12);
	rr_head(CELL_DNS_T_SRV, 1, 60, 7);
	bad("longer than 255 bytes");
}

Test(cell_dns_parse, bad_targets)
{
	static const char *const targets[] = {"vl srv.test", "vl\x1b[2J.test", "v/l.test"};
	for (unsigned i = 0; i < 3; i++) {
		header(QR, 1, 1, 0, 0);
		question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
		srv(60, 1, 1, 7003, targets[i]);
		bad("not one of a host name");
	}
	/* A dot or a NUL inside a label. */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	name("", 12);
	rr_head(CELL_DNS_T_SRV, 1, 60, 6 + 5);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 7003);
	wire_enc_bytes(&e, "\003a.b\000", 5);
	bad("byte 0x2e");
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	name("", 12);
	rr_head(CELL_DNS_T_SRV, 1, 60, 6 + 5);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 1);
	wire_enc_be16(&e, 7003);
	wire_enc_bytes(&e, "\003a\000b\000", 5);
	bad("byte 0x00");
	/* Port 0. */
	header(QR, 1, 1, 0, 0);
	question("_afs3-vlserver._udp.srv.test", CELL_DNS_T_SRV);
	srv(60, 1, 1, 0, "vl.srv.test");
	bad("port 0");
}

/* ---- order ------------------------------------------------------------------- */

static uint64_t fixed_pick;
static uint64_t rnd_fixed(void *arg, uint64_t bound)
{
	(void)arg;
	return fixed_pick > bound ? bound : fixed_pick;
}

static uint64_t lcg = 88172645463325252ull;
static uint64_t rnd_lcg(void *arg, uint64_t bound)
{
	(void)arg;
	lcg ^= lcg << 13;
	lcg ^= lcg >> 7;
	lcg ^= lcg << 17;
	return lcg % (bound + 1);
}

static void set(struct cell_dns_rr *r, uint16_t prio, uint16_t weight, const char *t)
{
	memset(r, 0, sizeof(*r));
	r->priority = prio;
	r->weight = weight;
	snprintf(r->target, sizeof(r->target), "%s", t);
}

Test(cell_dns_order, by_priority)
{
	set(&rr[0], 30, 0, "c");
	set(&rr[1], 10, 0, "a");
	set(&rr[2], 20, 0, "b1");
	set(&rr[3], 20, 0, "b2");
	fixed_pick = 0;
	cell_dns_order(rr, 4, rnd_fixed, NULL);
	cr_assert_str_eq(rr[0].target, "a");
	cr_assert_str_eq(rr[1].target, "b1");
	cr_assert_str_eq(rr[2].target, "b2", "weight 0 alike keep their order");
	cr_assert_str_eq(rr[3].target, "c");
	cell_dns_order(rr, 0, rnd_fixed, NULL);
}

Test(cell_dns_order, weights)
{
	/* Running sums 0 (zero-weight first), 10, 100: a pick of 0 takes the
	 * zero-weight record, 1..10 the first, 11..100 the second. */
	set(&rr[0], 1, 10, "light");
	set(&rr[1], 1, 90, "heavy");
	set(&rr[2], 1, 0, "zero");
	fixed_pick = 0;
	cell_dns_order(rr, 3, rnd_fixed, NULL);
	cr_assert_str_eq(rr[0].target, "zero");
	set(&rr[0], 1, 10, "light");
	set(&rr[1], 1, 90, "heavy");
	set(&rr[2], 1, 0, "zero");
	fixed_pick = 50;
	cell_dns_order(rr, 3, rnd_fixed, NULL);
	cr_assert_str_eq(rr[0].target, "heavy");
	cr_assert_str_eq(rr[1].target, "light", "then from the sum of those left (10)");
	cr_assert_str_eq(rr[2].target, "zero");

	/* In proportion, over many runs. */
	unsigned heavy = 0, zero = 0;
	for (int i = 0; i < 10000; i++) {
		set(&rr[0], 1, 10, "light");
		set(&rr[1], 1, 90, "heavy");
		set(&rr[2], 1, 0, "zero");
		cell_dns_order(rr, 3, rnd_lcg, NULL);
		heavy += strcmp(rr[0].target, "heavy") == 0;
		zero += strcmp(rr[0].target, "zero") == 0;
	}
	cr_assert(heavy > 8600 && heavy < 9200, "heavy first %u times in 10000", heavy);
	cr_assert(zero < 200, "weight 0 first %u times in 10000 (1 in 101 expected)", zero);
}

Test(cell_dns_order, priority_beats_weight)
{
	set(&rr[0], 2, 65535, "backup");
	set(&rr[1], 1, 0, "primary");
	for (int i = 0; i < 100; i++) {
		set(&rr[0], 2, 65535, "backup");
		set(&rr[1], 1, 0, "primary");
		cell_dns_order(rr, 2, rnd_lcg, NULL);
		cr_assert_str_eq(rr[0].target, "primary");
	}
}

Test(cell_dns, names_asked)
{
	cr_assert(cell_dns_name_ok("grand.central.org"));
	cr_assert(cell_dns_name_ok("srv.test"));
	cr_assert_not(cell_dns_name_ok("localcell"), "one label: not asked");
	cr_assert_not(cell_dns_name_ok(".srv.test"));
	cr_assert_not(cell_dns_name_ok("srv.test."));
	cr_assert_not(cell_dns_name_ok("srv..test"));
	cr_assert_not(cell_dns_name_ok(""));
	cr_assert_not(cell_dns_name_ok("a b.test"));
}

/* ---- the cell table --------------------------------------------------------- */

static struct afs_cm cm;
static unsigned calls;
static int fake_r;
static uint32_t fake_ttl;
static unsigned fake_n = 1;
static char last_asked[AFS_CELL_NAME_MAX];

static int fake_resolve(const char *cell, struct cell_dns_servers *out, char *why, size_t len)
{
	calls++;
	snprintf(last_asked, sizeof(last_asked), "%s", cell);
	memset(out, 0, sizeof(*out));
	if (fake_r) {
		snprintf(why, len, "no SRV record _afs3-vlserver._udp.%s (fake)", cell);
		return fake_r;
	}
	out->n = fake_n;
	for (unsigned i = 0; i < fake_n; i++) {
		out->vl[i].sin_family = AF_INET;
		out->vl[i].sin_port = htons((uint16_t)(17000 + i));
		out->vl[i].sin_addr.s_addr = htonl(0x7f000001u + calls);
	}
	out->ttl = fake_ttl;
	out->how = "SRV";
	return 0;
}

static void cm_setup(void)
{
	cr_assert_eq(cm_init(&cm), 0);
	struct afs_cellservdb db = {0};
	char text[] = ">example.test\n127.0.0.1\n";
	cr_assert_eq(afs_cellservdb_parse(text, strlen(text), &db, err, sizeof(err)), 0);
	cr_assert_eq(cm_cells_init(&cm, &db, err, sizeof(err)), 0);
	afs_cellservdb_free(&db);
	cm.dns_resolve = fake_resolve;
	calls = 0;
	fake_r = 0;
	fake_ttl = 600;
	fake_n = 1;
}

static void cm_teardown(void)
{
	cm_fini(&cm);
}

TestSuite(cm_dns, .init = cm_setup, .fini = cm_teardown);

Test(cm_dns, found_once)
{
	cr_assert_eq(cm_cell_find(&cm, "example.test"), 0);
	cr_assert_eq(calls, 0, "a CellServDB cell is not asked for");
	int k = cm_cell_find(&cm, "srv.test");
	cr_assert_eq(k, 1);
	cr_assert_eq(calls, 1);
	cr_assert_str_eq(last_asked, "srv.test");
	cr_assert_eq(cm.ncells, 2);
	cr_assert_str_eq(cm.cells[1].name, "srv.test");
	cr_assert(cm.cells[1].dns);
	cr_assert_eq(cm.cells[1].nvl, 1);
	cr_assert_eq(ntohs(cm.cells[1].vl[0].sin_port), 17000, "the port DNS gave");
	uint64_t now = evloop_now_ns();
	cr_assert(cm.cells[1].vl_expire_ns > now + 590ull * 1000000000ull &&
		      cm.cells[1].vl_expire_ns <= now + 600ull * 1000000000ull,
		  "the TTL is the expiry");
	cr_assert_eq(cm_cell_find(&cm, "SRV.test"), 1, "found again, in any case");
	cr_assert_eq(calls, 1);
	cr_assert_eq(cm.cells[0].dns, false);
}

Test(cm_dns, misses_remembered)
{
	fake_r = -ENOENT;
	cr_assert_eq(cm_cell_find(&cm, "nosuch.test"), -ENOENT);
	cr_assert_eq(calls, 1);
	cr_assert_eq(cm_cell_find(&cm, "nosuch.test"), -ENOENT);
	cr_assert_eq(calls, 1, "not asked again at once");
	char why[200];
	cm_cell_dns_why(&cm, "nosuch.test", why, sizeof(why));
	cr_assert(strstr(why, "no SRV record _afs3-vlserver._udp.nosuch.test"), "%s", why);
	cr_assert_eq(cm.ncells, 1);
	/* Names without a dot are not asked for at all. */
	cr_assert_eq(cm_cell_find(&cm, "bin"), -ENOENT);
	cr_assert_eq(calls, 1);
	cm_cell_dns_why(&cm, "bin", why, sizeof(why));
	cr_assert(strstr(why, "not a DNS name"), "%s", why);
	/* A miss expires. */
	cm.dns_miss[0].until_ns = 0;
	fake_r = 0;
	cr_assert_eq(cm_cell_find(&cm, "nosuch.test"), 1);
	cr_assert_eq(calls, 2);
	/* An answer naming no server is a miss too. */
	fake_n = 0;
	cr_assert_eq(cm_cell_find(&cm, "empty.test"), -ENOENT);
	cm_cell_dns_why(&cm, "empty.test", why, sizeof(why));
	cr_assert(strstr(why, "no VL server"), "%s", why);
}

Test(cm_dns, many_misses)
{
	fake_r = -ENOENT;
	char name[32];
	for (int i = 0; i < 3 * CM_DNS_MISSES; i++) {
		snprintf(name, sizeof(name), "n%d.test", i);
		cr_assert_eq(cm_cell_find(&cm, name), -ENOENT);
	}
	cr_assert_eq(calls, 3 * CM_DNS_MISSES);
	/* The last ones are remembered, the oldest forgotten. */
	cr_assert_eq(cm_cell_find(&cm, name), -ENOENT);
	cr_assert_eq(calls, 3 * CM_DNS_MISSES);
	cr_assert_eq(cm_cell_find(&cm, "n0.test"), -ENOENT);
	cr_assert_eq(calls, 3 * CM_DNS_MISSES + 1);
}

Test(cm_dns, ttl_bounds)
{
	fake_ttl = 0;
	cr_assert_eq(cm_cell_find(&cm, "short.test"), 1);
	uint64_t now = evloop_now_ns();
	cr_assert(cm.cells[1].vl_expire_ns >= now + (CM_DNS_TTL_MIN - 1) * 1000000000ull, "at least the floor");
	fake_ttl = UINT32_MAX;
	cr_assert_eq(cm_cell_find(&cm, "long.test"), 2);
	cr_assert(cm.cells[2].vl_expire_ns <= evloop_now_ns() + CM_DNS_TTL_MAX * 1000000000ull, "at most a day");
}

Test(cm_dns, refresh_at_expiry)
{
	fake_n = 2;
	cr_assert_eq(cm_cell_find(&cm, "srv.test"), 1);
	struct cm_cell *ce = &cm.cells[1];
	cr_assert_eq(ce->nvl, 2);
	uint32_t first = ce->vl[0].sin_addr.s_addr;

	cm_cell_dns_refresh(&cm, 1);
	cr_assert_eq(calls, 1, "not before the TTL ran out");
	cm_cell_dns_refresh(&cm, 0);
	cr_assert_eq(calls, 1, "a CellServDB cell never");

	ce->vl_expire_ns = 0;
	fake_n = 1;
	cm_cell_dns_refresh(&cm, 1);
	cr_assert_eq(calls, 2, "asked again once expired");
	cr_assert_eq(ce->nvl, 1, "what DNS says now");
	cr_assert_neq(ce->vl[0].sin_addr.s_addr, first);
	cr_assert(ce->vl_expire_ns > evloop_now_ns());

	/* DNS fails: the servers known stay, asked again a minute later. */
	ce->vl_expire_ns = 0;
	fake_r = -EAGAIN;
	uint32_t known = ce->vl[0].sin_addr.s_addr;
	cm_cell_dns_refresh(&cm, 1);
	cr_assert_eq(calls, 3);
	cr_assert_eq(ce->nvl, 1);
	cr_assert_eq(ce->vl[0].sin_addr.s_addr, known);
	uint64_t now = evloop_now_ns();
	cr_assert(ce->vl_expire_ns > now + (CM_DNS_RETRY - 1) * 1000000000ull &&
		  ce->vl_expire_ns <= now + CM_DNS_RETRY * 1000000000ull);
	cr_assert_not(ce->dns_busy);
}

Test(cm_dns, table_full)
{
	char name[32];
	for (int i = 0; i < CM_DNS_CELLS; i++) {
		snprintf(name, sizeof(name), "c%d.test", i);
		cr_assert_eq(cm_cell_find(&cm, name), 1 + i);
	}
	cr_assert_eq(cm.ncells, cm.ncells_max);
	cr_assert_eq(cm_cell_find(&cm, "one-more.test"), -ENOENT);
	char why[200];
	cm_cell_dns_why(&cm, "one-more.test", why, sizeof(why));
	cr_assert(strstr(why, "no room"), "%s", why);
	cr_assert_eq(cm_cell_find(&cm, "c0.test"), 1, "those found stay");
}

/* cm_volume_get names both places it looked. */
Test(cm_dns, volume_in_unknown_cell)
{
	fake_r = -ENOENT;
	struct afs_source src = {.cell = "nosuch.test", .volume = "root.cell"};
	struct cm_volume *v;
	char msg[300];
	cr_assert_eq(cm_volume_get(&cm, NULL, 0, &src, -1, &v, msg, sizeof(msg)), -ENOENT);
	cr_assert(strstr(msg, "cell nosuch.test is not in the CellServDB, and DNS: no SRV record"), "%s", msg);
}
