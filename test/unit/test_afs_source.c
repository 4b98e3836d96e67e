/* Unit tests for fuse/afs/source.c (volume names as sources and mount
 * points) and fuse/afs/views.c's df arithmetic. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "fuse/afs/source.h"
#include "fuse/afs/views.h"

static struct afs_source s;
static char err[200];

static int parse(const char *text)
{
	return afs_source_parse(text, strlen(text), &s, err, sizeof(err));
}

static void bad(const char *text, const char *why)
{
	cr_assert_eq(parse(text), -EINVAL, "accepted '%s'", text);
	cr_assert(strstr(err, why), "message '%s' lacks '%s'", err, why);
	for (const char *p = err; *p; p++)
		cr_assert(*p >= 0x20 && *p < 0x7f, "unprintable byte in '%s'", err);
}

Test(afs_source, forms)
{
	cr_assert_eq(parse("%example.test:root.cell"), 0, "%s", err);
	cr_assert_str_eq(s.cell, "example.test");
	cr_assert_str_eq(s.volume, "root.cell");
	cr_assert_eq(s.type, AFS_VOL_RW);
	cr_assert(s.forced);

	cr_assert_eq(parse("#root.cell"), 0, "%s", err);
	cr_assert_str_eq(s.cell, "");
	cr_assert_eq(s.type, AFS_VOL_RW);
	cr_assert_not(s.forced);

	cr_assert_eq(parse("#example.test:root.cell.readonly"), 0);
	cr_assert_str_eq(s.volume, "root.cell");
	cr_assert_eq(s.type, AFS_VOL_RO);
	cr_assert(s.forced);

	cr_assert_eq(parse("%user.joe.backup"), 0);
	cr_assert_str_eq(s.volume, "user.joe");
	cr_assert_eq(s.type, AFS_VOL_BK);

	/* A mount point's contents end with '.'. */
	cr_assert_eq(parse("#grand.central.org:root.cell."), 0);
	cr_assert_str_eq(s.cell, "grand.central.org");
	cr_assert_str_eq(s.volume, "root.cell");
	cr_assert_eq(parse("#proj.readonly."), 0);
	cr_assert_str_eq(s.volume, "proj");
	cr_assert_eq(s.type, AFS_VOL_RO);

	/* A volume id. */
	cr_assert_eq(parse("%536870915"), 0);
	cr_assert_str_eq(s.volume, "536870915");
}

Test(afs_source, malformed)
{
	bad("", "not an AFS volume");
	bad("root.cell", "not an AFS volume");
	bad("/afs/example.test", "not an AFS volume");
	bad("%", "names no volume");
	bad("#.", "names no volume");
	bad("%cell:", "names no volume");
	bad("%cell:.readonly", "names no volume");
	bad("%bad cell:vol", "not a cell name");
	bad("%:vol", "not a cell name");
	bad("%.dot:vol", "not a cell name");
	bad("%c:v/w", "holds '/'");
	bad("%c:a:b", "holds ':'");
	bad("%c:v\x1b[2J", "holds");
	char longname[100];
	memset(longname, 'v', sizeof(longname));
	longname[0] = '%';
	longname[99] = '\0';
	bad(longname, "longer than 64 bytes");
	/* Only the bytes given count: a NUL stops nothing. */
	cr_assert_eq(afs_source_parse("%vol\0x", 6, &s, err, sizeof(err)), -EINVAL);
}

Test(afs_source, which_site)
{
	parse("#root.cell");
	cr_assert_eq(afs_source_want(&s, -1, true), AFS_VOL_RO, "a source prefers the read-only site");
	cr_assert_eq(afs_source_want(&s, -1, false), AFS_VOL_RW);
	cr_assert_eq(afs_source_want(&s, AFS_VOL_RO, true), AFS_VOL_RO);
	cr_assert_eq(afs_source_want(&s, AFS_VOL_BK, true), AFS_VOL_RO);
	cr_assert_eq(afs_source_want(&s, AFS_VOL_RW, true), AFS_VOL_RW, "from a read-write volume, read-write");
	parse("%root.cell");
	cr_assert_eq(afs_source_want(&s, AFS_VOL_RO, true), AFS_VOL_RW);
	parse("#root.cell.readonly");
	cr_assert_eq(afs_source_want(&s, AFS_VOL_RW, true), AFS_VOL_RO);
	cr_assert_str_eq(afs_vol_type_name(AFS_VOL_BK), "bk");
}

Test(afs_statfs, quota_or_partition)
{
	struct statvfs st;
	/* No quota: the partition's figures, never 2^31. */
	struct afs_fetch_volume_status vs = {
	    .max_quota = 0, .blocks_in_use = 100, .part_blocks_avail = 5000, .part_max_blocks = 8000};
	afs_statfs_fill(&vs, &st);
	cr_assert_eq(st.f_bsize, 1024);
	cr_assert_eq(st.f_blocks, 8000);
	cr_assert_eq(st.f_bfree, 5000);
	cr_assert_eq(st.f_bavail, 5000);
	/* A quota: what it leaves, and no more than the partition holds. */
	vs.max_quota = 1000;
	afs_statfs_fill(&vs, &st);
	cr_assert_eq(st.f_blocks, 1000);
	cr_assert_eq(st.f_bfree, 900);
	vs.part_blocks_avail = 50;
	afs_statfs_fill(&vs, &st);
	cr_assert_eq(st.f_bfree, 50);
	/* Over quota, and nonsense negatives. */
	vs = (struct afs_fetch_volume_status){.max_quota = 10, .blocks_in_use = 20, .part_blocks_avail = 100};
	afs_statfs_fill(&vs, &st);
	cr_assert_eq(st.f_bfree, 0);
	vs = (struct afs_fetch_volume_status){
	    .max_quota = -5, .blocks_in_use = -1, .part_blocks_avail = -7, .part_max_blocks = -9};
	afs_statfs_fill(&vs, &st);
	cr_assert_eq(st.f_blocks, 0);
	cr_assert_eq(st.f_bfree, 0);
}
