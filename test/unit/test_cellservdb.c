/* Unit tests for afs_rx/cellservdb.c: CellServDB and ThisCell parsing. */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "afs_rx/cellservdb.h"

static struct afs_cellservdb db;
static char err[200];

static void fini(void)
{
	afs_cellservdb_free(&db);
}

static int parse(const char *s)
{
	return afs_cellservdb_parse(s, strlen(s), &db, err, sizeof(err));
}

static void parse_bad(const char *s, const char *why)
{
	int r = parse(s);
	cr_assert_eq(r, -EINVAL, "accepted: '%s'", s);
	cr_assert_eq(db.ncells, 0);
	cr_assert_null(db.cells);
	cr_assert(strstr(err, why), "message '%s' lacks '%s'", err, why);
}

static const char *ip(struct in_addr a)
{
	static char buf[INET_ADDRSTRLEN];
	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

TestSuite(cellservdb, .fini = fini);

Test(cellservdb, typical_file)
{
	const char *s = "# comment line\n"
			">grand.central.org      #GCO Public CellServDB 31 Oct 2023\n"
			"18.9.48.14                      #grand.mit.edu\n"
			"128.2.13.208                    #grand.central.org\r\n"
			"\n"
			">example.test linked.test #Example cell\n"
			"[127.0.0.1] #localhost\n"
			"127.1.0.1\n";
	cr_assert_eq(parse(s), 0, "%s", err);
	cr_assert_eq(db.ncells, 2);
	cr_assert_str_eq(db.cells[0].name, "grand.central.org");
	cr_assert_eq(db.cells[0].nservers, 2);
	cr_assert_str_eq(ip(db.cells[0].servers[1].addr), "128.2.13.208");
	cr_assert_str_eq(db.cells[0].servers[1].name, "grand.central.org");
	cr_assert_not(db.cells[0].servers[1].clone);

	const struct afs_cellservdb_cell *c = afs_cellservdb_find(&db, "EXAMPLE.test");
	cr_assert_not_null(c);
	cr_assert_str_eq(c->linked, "linked.test");
	cr_assert_eq(c->nservers, 2);
	cr_assert(c->servers[0].clone);
	cr_assert_str_eq(c->servers[0].name, "localhost");
	cr_assert_str_eq(c->servers[1].name, "");
	cr_assert_null(afs_cellservdb_find(&db, "example"));
}

Test(cellservdb, empty_file_has_no_cells)
{
	cr_assert_eq(parse(""), 0);
	cr_assert_eq(db.ncells, 0);
	cr_assert_eq(parse("\n\n# only comments\n"), 0);
	cr_assert_eq(db.ncells, 0);
}

Test(cellservdb, cell_without_servers_is_kept)
{
	cr_assert_eq(parse(">lonely.cell\n"), 0);
	cr_assert_eq(db.ncells, 1);
	cr_assert_eq(db.cells[0].nservers, 0);
}

Test(cellservdb, malformed)
{
	parse_bad("10.0.0.1 #x\n>c.test\n", "line 1: server line before");
	parse_bad(">c.test\n10.0.0.256\n", "line 2: '10.0.0.256' is not an IPv4");
	parse_bad(">c.test\nhost.example\n", "not an IPv4");
	parse_bad(">c.test\n10.0.0.1 10.0.0.2\n", "junk after address");
	parse_bad(">c.test\n[10.0.0.1\n", "not an IPv4");
	parse_bad(">c.test\n[]\n", "expected an IPv4");
	parse_bad(">\n", "bad cell name");
	parse_bad(">.hidden\n", "bad cell name");
	parse_bad(">bad/name\n", "bad cell name");
	parse_bad(">a.test b/c\n", "bad linked cell");
	parse_bad(">a.test b.test c.test\n", "junk after cell name");
	parse_bad(">a.test\n>A.TEST\n", "line 2: cell A.TEST listed twice");
	parse_bad(">a.test\n10.0.0.1\n10.0.0.1\n", "listed twice in cell a.test");
	parse_bad(">aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "bad cell name");
}

Test(cellservdb, nul_byte_rejected)
{
	const char s[] = ">a.test\n10.0.0.1\0\n";
	cr_assert_eq(afs_cellservdb_parse(s, sizeof(s) - 1, &db, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "NUL byte"));
}

Test(cellservdb, messages_are_one_printable_line)
{
	parse_bad(">a.test\n10.0.0.1\x1b[2J\n", "line 2: '10.0.0.1\\x1b[2J' is not an IPv4");
	for (const char *p = err; *p; p++)
		cr_assert(*p >= 0x20 && *p < 0x7f, "raw byte 0x%02x in '%s'", (unsigned char)*p, err);
	char cell[AFS_CELL_NAME_MAX];
	cr_assert_eq(afs_thiscell_parse("\nexample.test", 13, cell, sizeof(cell), err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "'\\x0aexample.test'"), "%s", err);
}

Test(cellservdb, null_and_empty_input)
{
	char cell[AFS_CELL_NAME_MAX];
	cr_assert_eq(afs_cellservdb_parse(NULL, 0, &db, err, sizeof(err)), 0);
	cr_assert_eq(db.ncells, 0);
	cr_assert_eq(afs_thiscell_parse(NULL, 0, cell, sizeof(cell), err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "empty"));
}

Test(cellservdb, too_many_servers)
{
	char buf[2048] = ">big.test\n";
	for (int i = 0; i <= AFS_CELL_SERVERS_MAX; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "10.0.0.%d\n", i + 1);
	parse_bad(buf, "more than 16 servers");
}

Test(cellservdb, long_host_comment_is_cut)
{
	char buf[512];
	snprintf(buf, sizeof(buf), ">a.test\n10.0.0.1 #%0300d\n", 7);
	cr_assert_eq(parse(buf), 0, "%s", err);
	cr_assert_eq(strlen(db.cells[0].servers[0].name), AFS_HOST_NAME_MAX - 1);
}

Test(thiscell, forms)
{
	char cell[AFS_CELL_NAME_MAX];

	cr_assert_eq(afs_thiscell_parse("example.test\n", 13, cell, sizeof(cell), err, sizeof(err)), 0);
	cr_assert_str_eq(cell, "example.test");
	cr_assert_eq(afs_thiscell_parse("  a.b  \r\n\n", 10, cell, sizeof(cell), err, sizeof(err)), 0);
	cr_assert_str_eq(cell, "a.b");
	cr_assert_eq(afs_thiscell_parse("", 0, cell, sizeof(cell), err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "empty"));
	cr_assert_eq(afs_thiscell_parse("a.b c.d\n", 8, cell, sizeof(cell), err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "more than one word"));
	cr_assert_eq(afs_thiscell_parse("a.b\nc.d\n", 8, cell, sizeof(cell), err, sizeof(err)), -EINVAL);
	cr_assert_eq(afs_thiscell_parse("a\0b", 3, cell, sizeof(cell), err, sizeof(err)), -EINVAL);
	cr_assert_eq(afs_thiscell_parse("abcdef", 6, cell, 4, err, sizeof(err)), -EINVAL);
}
