/* Unit tests for fuse/mountinfo.c: netfuse mount points in a mountinfo table. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fuse/mountinfo.h"

static const char table[] =
    "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
    "40 22 0:40 / /tmp/x\\040y/mnt rw,nosuid,nodev,relatime shared:5 - fuse.netfuse-testfs src rw,user_id=0\n"
    "41 22 0:41 / /mnt/sshfs rw - fuse.sshfs host: rw\n"
    "42 40 0:42 / /tmp/x\\040y/mnt/in\\134side rw master:2 propagate_from:1 - fuse.netfuse-ceph mon1:/ rw\n"
    "43 22 0:43 / /short\n"
    "44 22 0:44 / /mnt/fuse rw - fuse src rw\n";

static int find(const char *path, char *type, size_t len)
{
	FILE *f = fmemopen((void *)table, sizeof(table) - 1, "r");
	int r;

	cr_assert(f);
	r = mountinfo_netfuse_at(f, path, type, len);
	fclose(f);
	return r;
}

Test(mountinfo, the_mount_point_of_a_netfuse_mount_with_escapes)
{
	char type[64] = "";

	cr_assert_eq(find("/tmp/x y/mnt", type, sizeof(type)), 1);
	cr_assert_str_eq(type, "fuse.netfuse-testfs");
	cr_assert_eq(find("/tmp/x y/mnt/in\\side", type, sizeof(type)), 1, "optional fields, an escaped backslash");
	cr_assert_str_eq(type, "fuse.netfuse-ceph");
}

Test(mountinfo, other_mounts_and_directories_inside_mounts_are_not)
{
	char type[64] = "";

	cr_assert_eq(find("/mnt/sshfs", type, sizeof(type)), 0, "another FUSE file system");
	cr_assert_eq(find("/mnt/fuse", type, sizeof(type)), 0, "plain fuse, no subtype");
	cr_assert_eq(find("/tmp/x y/mnt/dir", type, sizeof(type)), 0, "a directory inside a netfuse mount");
	cr_assert_eq(find("/tmp/x y", type, sizeof(type)), 0);
	cr_assert_eq(find("/tmp/x\\040y/mnt", type, sizeof(type)), 0, "the escape is not the name");
	cr_assert_eq(find("/short", type, sizeof(type)), 0, "a line without a type");
	cr_assert_eq(find("/", type, sizeof(type)), 0);
	cr_assert_str_eq(type, "");
}
