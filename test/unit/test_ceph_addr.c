/* Unit tests for cephmon/msgr/ceph_addr.c: every form of monitor address list. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cephmon/msgr/ceph_addr.h"

static struct ceph_mon_addrs m;
static char err[160];

/* The monitor @i's addresses, formatted and joined by ' '. */
static const char *fmt_mon(unsigned i)
{
	static char out[512];
	size_t off = 0;

	out[0] = '\0';
	for (unsigned j = 0; j < m.mon[i].n; j++) {
		char one[96];
		ceph_entity_addr_format(&m.mon[i].v[j], one, sizeof(one));
		off += (size_t)snprintf(out + off, sizeof(out) - off, "%s%s", j ? " " : "", one);
	}
	return out;
}

static void parse_ok(const char *s, enum ceph_addr_syntax syn, unsigned nmon)
{
	int r = ceph_parse_mon_addrs(s, syn, &m, err, sizeof(err));
	cr_assert_eq(r, 0, "'%s' rejected: %s", s, err);
	cr_assert_eq(m.n, nmon, "'%s': %u monitors, expected %u", s, m.n, nmon);
}

static void parse_bad(const char *s, enum ceph_addr_syntax syn, const char *why)
{
	int r = ceph_parse_mon_addrs(s, syn, &m, err, sizeof(err));
	cr_assert_eq(r, -EINVAL, "'%s' accepted", s);
	cr_assert_eq(m.n, 0, "'%s': output not cleared on error", s);
	cr_assert(strstr(err, why), "'%s': message '%s' lacks '%s'", s, err, why);
}

Test(ceph_addr, bare_ip_gets_both_default_ports)
{
	parse_ok("127.0.0.1", CEPH_ADDR_SYNTAX_CEPH, 1);
	cr_assert_str_eq(fmt_mon(0), "v2:127.0.0.1:3300/0 v1:127.0.0.1:6789/0");
}

Test(ceph_addr, legacy_port_means_v1_only)
{
	parse_ok("10.0.0.1:6789", CEPH_ADDR_SYNTAX_CEPH, 1);
	cr_assert_str_eq(fmt_mon(0), "v1:10.0.0.1:6789/0");
}

Test(ceph_addr, iana_port_means_v2_only)
{
	parse_ok("10.0.0.1:3300", CEPH_ADDR_SYNTAX_CEPH, 1);
	cr_assert_str_eq(fmt_mon(0), "v2:10.0.0.1:3300/0");
}

Test(ceph_addr, other_port_tries_both_protocols_there)
{
	parse_ok("10.0.0.1:3301", CEPH_ADDR_SYNTAX_CEPH, 1);
	cr_assert_str_eq(fmt_mon(0), "v2:10.0.0.1:3301/0 v1:10.0.0.1:3301/0");
}

Test(ceph_addr, typed_addresses_are_exact)
{
	parse_ok("v2:10.0.0.1:4000,v1:10.0.0.2", CEPH_ADDR_SYNTAX_CEPH, 2);
	cr_assert_str_eq(fmt_mon(0), "v2:10.0.0.1:4000/0");
	cr_assert_str_eq(fmt_mon(1), "v1:10.0.0.2:6789/0");
}

Test(ceph_addr, peer_cluster_mon_host)
{
	parse_ok("[v2:127.0.0.1:3300,v1:127.0.0.1:6789],[v2:127.0.0.1:3301,v1:127.0.0.1:6790],"
		 "[v2:127.0.0.1:3302,v1:127.0.0.1:6791]",
		 CEPH_ADDR_SYNTAX_CEPH, 3);
	cr_assert_str_eq(fmt_mon(0), "v2:127.0.0.1:3300/0 v1:127.0.0.1:6789/0");
	cr_assert_str_eq(fmt_mon(2), "v2:127.0.0.1:3302/0 v1:127.0.0.1:6791/0");
}

Test(ceph_addr, separators_and_nonce)
{
	parse_ok(" 10.0.0.1:6789/7 ;10.0.0.2\t10.0.0.3,,", CEPH_ADDR_SYNTAX_CEPH, 3);
	cr_assert_str_eq(fmt_mon(0), "v1:10.0.0.1:6789/7");
	cr_assert_eq(m.mon[2].n, 2);
}

Test(ceph_addr, ipv6_forms)
{
	parse_ok("[::1]:3300,v1:[fe80::1]:6790,::1,[v2:[::2]:3300,v1:[::2]:6789]", CEPH_ADDR_SYNTAX_CEPH, 4);
	cr_assert_str_eq(fmt_mon(0), "v2:[::1]:3300/0");
	cr_assert_str_eq(fmt_mon(1), "v1:[fe80::1]:6790/0");
	cr_assert_str_eq(fmt_mon(2), "v2:[::1]:3300/0 v1:[::1]:6789/0");
	cr_assert_str_eq(fmt_mon(3), "v2:[::2]:3300/0 v1:[::2]:6789/0");
}

Test(ceph_addr, kernel_mon_addr_option)
{
	parse_ok("192.168.0.1:3300/192.168.0.2/[::1]:6789", CEPH_ADDR_SYNTAX_MON_ADDR, 3);
	cr_assert_str_eq(fmt_mon(0), "v2:192.168.0.1:3300/0");
	cr_assert_str_eq(fmt_mon(1), "v2:192.168.0.2:3300/0 v1:192.168.0.2:6789/0");
	cr_assert_str_eq(fmt_mon(2), "v1:[::1]:6789/0");
}

Test(ceph_addr, duplicates_in_a_vector_collapse)
{
	parse_ok("[v2:1.2.3.4:3300,v2:1.2.3.4:3300]", CEPH_ADDR_SYNTAX_CEPH, 1);
	cr_assert_eq(m.mon[0].n, 1);
}

Test(ceph_addr, malformed_input_is_rejected)
{
	parse_bad("", CEPH_ADDR_SYNTAX_CEPH, "no monitor");
	parse_bad(" ,; ", CEPH_ADDR_SYNTAX_CEPH, "no monitor");
	parse_bad("mon1.example.com", CEPH_ADDR_SYNTAX_CEPH, "resolve host names first");
	parse_bad("1.2.3.4:65536", CEPH_ADDR_SYNTAX_CEPH, "bad port");
	parse_bad("1.2.3.4:99999999999", CEPH_ADDR_SYNTAX_CEPH, "bad port");
	parse_bad("1.2.3.4:", CEPH_ADDR_SYNTAX_CEPH, "bad port");
	parse_bad("1.2.3.4:12a", CEPH_ADDR_SYNTAX_CEPH, "bad port");
	parse_bad("1.2.3.4/x", CEPH_ADDR_SYNTAX_CEPH, "bad nonce");
	parse_bad("1.2.3.4/4294967296", CEPH_ADDR_SYNTAX_CEPH, "bad nonce");
	parse_bad("[v2:1.2.3.4:3300", CEPH_ADDR_SYNTAX_CEPH, "unclosed");
	parse_bad("[::1", CEPH_ADDR_SYNTAX_CEPH, "unclosed");
	parse_bad("[v2:1.2.3.4]x", CEPH_ADDR_SYNTAX_CEPH, "junk after");
	parse_bad("[::1]x", CEPH_ADDR_SYNTAX_CEPH, "junk after");
	parse_bad("v2:", CEPH_ADDR_SYNTAX_CEPH, "no host");
	parse_bad("[]", CEPH_ADDR_SYNTAX_CEPH, "no host");
	parse_bad("256.1.1.1", CEPH_ADDR_SYNTAX_CEPH, "not a numeric IP");
	parse_bad("[:::::]:1", CEPH_ADDR_SYNTAX_CEPH, "not an IPv6");
	parse_bad("[v2:1.1.1.1,v1:1.1.1.1,v2:1.1.1.2,v1:1.1.1.2,v2:1.1.1.3]", CEPH_ADDR_SYNTAX_CEPH,
		  "more than 4 addresses");
	parse_bad("[::1]:", CEPH_ADDR_SYNTAX_CEPH, "bad port");
}

Test(ceph_addr, messages_name_the_whole_item)
{
	parse_bad("10.0.0.1,[1.2.3.4,]", CEPH_ADDR_SYNTAX_CEPH, "bad monitor address '[1.2.3.4,]': no host");
	parse_bad("[,]", CEPH_ADDR_SYNTAX_CEPH, "'[,]': no host");
	parse_bad("[v2:[::1]:3300,v1:[::1]:x]", CEPH_ADDR_SYNTAX_CEPH, "'[v2:[::1]:3300,v1:[::1]:x]': bad port");
	parse_bad("10.0.0.1 mon2", CEPH_ADDR_SYNTAX_CEPH, "'mon2': not a numeric IP");
}

Test(ceph_addr, messages_are_one_printable_line)
{
	parse_bad("1.2.3.4\nFAKE LOG LINE", CEPH_ADDR_SYNTAX_MON_ADDR, "'1.2.3.4\\x0aFAKE LOG LINE'");
	parse_bad("\x1b[2J1.2.3.4", CEPH_ADDR_SYNTAX_CEPH, "\\x1b");
	for (const char *p = err; *p; p++)
		cr_assert(*p >= 0x20 && *p < 0x7f, "raw byte 0x%02x in '%s'", (unsigned char)*p, err);
}

Test(ceph_addr, port_zero_means_the_default_port)
{
	parse_ok("1.2.3.4:0,v1:1.2.3.5:0", CEPH_ADDR_SYNTAX_CEPH, 2);
	cr_assert_str_eq(fmt_mon(0), "v2:1.2.3.4:3300/0 v1:1.2.3.4:6789/0");
	cr_assert_str_eq(fmt_mon(1), "v1:1.2.3.5:6789/0");
}

Test(ceph_addr, a_monitor_listed_twice_is_kept_once)
{
	parse_ok("1.2.3.4,1.2.3.4:0;[v2:1.2.3.4:3300,v1:1.2.3.4:6789] 1.2.3.5", CEPH_ADDR_SYNTAX_CEPH, 2);
	cr_assert_str_eq(fmt_mon(1), "v2:1.2.3.5:3300/0 v1:1.2.3.5:6789/0");
}

Test(ceph_addr, too_many_monitors)
{
	char buf[1024] = "";
	for (int i = 0; i <= CEPH_MON_ADDRS_MAX; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "10.0.0.%d,", i + 1);
	parse_bad(buf, CEPH_ADDR_SYNTAX_CEPH, "more than 32 monitors");
}

Test(ceph_addr, long_garbage_item_is_cut_in_message)
{
	char buf[600], want[160];
	memset(buf, 'z', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	parse_bad(buf, CEPH_ADDR_SYNTAX_CEPH, "host too long");
	/* The quoted item is cut at 64 bytes. */
	snprintf(want, sizeof(want), "bad monitor address '%.64s': host too long", buf);
	cr_assert_str_eq(err, want);
}
