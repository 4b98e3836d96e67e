/* Unit tests for fuse/mount_opts.c: the front-ends' command line. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuse/mount_opts.h"

struct opts {
	bool verbose;
	char *name, *secret, *url, *conf;
	unsigned queue;
	double entry_timeout;
};

static const struct mopt_spec core_specs[] = {
	{ .name = "health_verbose", .type = MOPT_FLAG, .offset = offsetof(struct opts, verbose) },
	{ .name = "health_url", .type = MOPT_STRING, .offset = offsetof(struct opts, url) },
	{ .name = "health_queue", .type = MOPT_UINT, .offset = offsetof(struct opts, queue), .min = 2, .max = 65536 },
	{ .name = "entry_timeout", .type = MOPT_SECONDS, .offset = offsetof(struct opts, entry_timeout), .max = 86400 },
	{ .name = NULL },
};
static const struct mopt_spec ceph_specs[] = {
    {.name = "name", .type = MOPT_STRING, .offset = offsetof(struct opts, name), .args = "--id|-i"},
    {.name = "secret", .type = MOPT_STRING, .offset = offsetof(struct opts, secret), .secret = true},
    {.name = "conf", .type = MOPT_PATH, .offset = offsetof(struct opts, conf), .args = "-c"},
    {.name = NULL},
};

static struct opts o;
static struct mount_cmdline cl;
static struct mopt_table tables[] = { { core_specs, &o }, { ceph_specs, &o }, { NULL, NULL } };
static char err[256];

static void fini(void)
{
	mount_opts_free(tables, &cl);
	memset(&o, 0, sizeof(o));
}

TestSuite(mount_opts, .fini = fini);

static int parse(int argc, const char **argv)
{
	return mount_cmdline_parse(argc, (char **)argv, tables, &cl, err, sizeof(err));
}

#define ARGV(...) (const char *[]){ "netfuse-ceph", __VA_ARGS__ }
#define NARGS(...) (int)(sizeof((const char *[]){ "netfuse-ceph", __VA_ARGS__ }) / sizeof(char *))
#define PARSE(...) parse(NARGS(__VA_ARGS__), ARGV(__VA_ARGS__))

Test(mount_opts, mount_fuse3_form)
{
	/* What mount.fuse3 runs for an fstab line of type fuse.netfuse-ceph. */
	cr_assert_eq(PARSE("mon1,mon2:/", "/mnt/ceph", "-o",
			   "rw,_netdev,noauto,x-systemd.automount,name=admin,allow_other,health_verbose"),
		     0, "%s", err);
	cr_assert_str_eq(cl.source, "mon1,mon2:/");
	cr_assert_str_eq(cl.mountpoint, "/mnt/ceph");
	cr_assert_str_eq(cl.fuse_opts, "rw,allow_other");
	cr_assert_str_eq(o.name, "admin");
	cr_assert(o.verbose);
	cr_assert_not(cl.foreground);
}

Test(mount_opts, flags_attached_o_and_repeats)
{
	cr_assert_eq(PARSE("-f", "-oname=a", "src", "-s", "mnt", "-o", "name=b,entry_timeout=1.5", "-d"), 0, "%s",
		     err);
	cr_assert(cl.foreground && cl.single_thread && cl.debug);
	cr_assert_str_eq(o.name, "b", "the last name= wins");
	cr_assert_float_eq(o.entry_timeout, 1.5, 1e-9);
	cr_assert_null(cl.fuse_opts);
}

Test(mount_opts, escapes_and_empty_items)
{
	cr_assert_eq(PARSE("s", "m", "-o", ",health_url=http://h/a\\,b\\\\c,,"), 0, "%s", err);
	cr_assert_str_eq(o.url, "http://h/a,b\\c");
}

Test(mount_opts, help_and_version_need_no_arguments)
{
	cr_assert_eq(PARSE("--help"), 0, "%s", err);
	cr_assert(cl.help);
	mount_opts_free(tables, &cl);
	cr_assert_eq(PARSE("-V"), 0, "%s", err);
	cr_assert(cl.version);
}

static void bad(int argc, const char **argv, const char *want)
{
	int r = parse(argc, argv);
	cr_assert_eq(r, -EINVAL, "accepted, wanted '%s'", want);
	cr_assert_str_eq(err, want);
	mount_opts_free(tables, &cl);
}
#define BAD(want, ...) bad(NARGS(__VA_ARGS__), ARGV(__VA_ARGS__), want)

Test(mount_opts, one_clear_message_for_each_mistake)
{
	BAD("unknown option 'colour'", "s", "m", "-o", "colour=red");
	BAD("unknown option '-x'", "-x", "s", "m");
	BAD("option -o needs an argument", "s", "m", "-o");
	BAD("missing SOURCE and MOUNTPOINT");
	BAD("missing MOUNTPOINT", "s");
	BAD("empty SOURCE", "", "m");
	BAD("unexpected argument 'extra' after SOURCE and MOUNTPOINT", "s", "m", "extra");
	BAD("option 'health_verbose' takes no value", "s", "m", "-o", "health_verbose=1");
	BAD("option 'allow_other' takes no value", "s", "m", "-o", "allow_other=yes");
	BAD("option 'name' needs a value (name=...)", "s", "m", "-o", "name");
	BAD("option 'health_queue': '1' is not a whole number from 2 to 65536", "s", "m", "-o", "health_queue=1");
	BAD("option 'health_queue': '-3' is not a whole number from 2 to 65536", "s", "m", "-o", "health_queue=-3");
	BAD("option 'health_queue': '99999999999999999999' is not a whole number from 2 to 65536", "s", "m", "-o",
	    "health_queue=99999999999999999999");
	BAD("option 'health_queue' needs a value (health_queue=N)", "s", "m", "-o", "health_queue=");
	BAD("option 'entry_timeout': 'nan' is not a number of seconds from 0 to 86400", "s", "m", "-o",
	    "entry_timeout=nan");
	BAD("option 'entry_timeout': '1e9' is not a number of seconds from 0 to 86400", "s", "m", "-o",
	    "entry_timeout=1e9");
	BAD("option 'entry_timeout': '0x10' is not a number of seconds from 0 to 86400", "s", "m", "-o",
	    "entry_timeout=0x10");
	BAD("empty option name before '='", "s", "m", "-o", "=x");
	BAD("unknown option 'a\\x1bb'", "s", "m", "-o", "a\x1b" "b");
}

Test(mount_opts, secrets_never_appear_in_messages)
{
	static const struct mopt_spec num_secret[] = {
		{ .name = "pin", .type = MOPT_UINT, .offset = offsetof(struct opts, queue), .max = 9, .secret = true },
		{ .name = NULL },
	};
	struct mopt_table t[] = { { num_secret, &o }, { NULL, NULL } };
	struct mount_cmdline c;
	const char *argv[] = { "p", "s", "m", "-o", "pin=TOPSECRET77" };
	cr_assert_eq(mount_cmdline_parse(5, (char **)argv, t, &c, err, sizeof(err)), -EINVAL);
	cr_assert_null(strstr(err, "TOPSECRET77"), "%s", err);
	cr_assert(strstr(err, "(secret)"), "%s", err);
	mount_opts_free(t, &c);
}

Test(mount_opts, a_key_pasted_without_its_option_name_is_not_echoed)
{
	BAD("unknown option of 38 characters (not shown: it may be a key)", "s", "m", "-o",
	    "name=admin,AQBx5a9kAAAAABAAzPtHSCjnB3VnUmIhLJvyvQ==");
}

Test(mount_opts, secret_strings_are_kept)
{
	cr_assert_eq(PARSE("s", "m", "-o", "secret=AQBx5a9k==,name=admin"), 0, "%s", err);
	cr_assert_str_eq(o.secret, "AQBx5a9k==");
}

Test(mount_opts, front_end_flags_mean_options)
{
	cr_assert_eq(PARSE("mon1:/", "/mnt", "--id", "admin"), 0, "%s", err);
	cr_assert_str_eq(o.name, "admin");
	fini();
	cr_assert_eq(PARSE("mon1:/", "/mnt", "--id=bob", "-o", "ro"), 0, "%s", err);
	cr_assert_str_eq(o.name, "bob");
	fini();
	cr_assert_eq(PARSE("-i", "carol", "mon1:/", "/mnt"), 0, "%s", err);
	cr_assert_str_eq(o.name, "carol");
	cr_assert_str_eq(cl.source, "mon1:/");
	fini();
	cr_assert_eq(PARSE("mon1:/", "/mnt", "--id"), -EINVAL);
	cr_assert_str_eq(err, "option --id needs an argument");
	cr_assert_eq(PARSE("mon1:/", "/mnt", "--idx=bob"), -EINVAL);
	cr_assert_str_eq(err, "unknown option '--idx=bob'");
	cr_assert_eq(PARSE("mon1:/", "/mnt", "-i=bob"), -EINVAL, "only long flags take =VALUE");
}

Test(mount_opts, paths_are_made_absolute_from_the_working_directory)
{
	cr_assert_eq(chdir("/tmp"), 0);
	cr_assert_eq(PARSE("mon1:/", "/mnt", "-c", "ceph/ceph.conf"), 0, "%s", err);
	cr_assert_str_eq(o.conf, "/tmp/ceph/ceph.conf", "the daemon later leaves the working directory");
	fini();
	cr_assert_eq(PARSE("mon1:/", "/mnt", "-o", "conf=./c,rw"), 0, "%s", err);
	cr_assert_str_eq(o.conf, "/tmp/./c");
	fini();
	cr_assert_eq(chdir("/"), 0);
	cr_assert_eq(PARSE("mon1:/", "/mnt", "-o", "conf=c"), 0, "%s", err);
	cr_assert_str_eq(o.conf, "/c");
	fini();
	cr_assert_eq(PARSE("mon1:/", "/mnt", "-o", "conf=/etc/ceph/ceph.conf"), 0, "%s", err);
	cr_assert_str_eq(o.conf, "/etc/ceph/ceph.conf");
	fini();
	cr_assert_eq(PARSE("mon1:/", "/mnt", "-o", "conf="), -EINVAL);
	cr_assert_str_eq(err, "option 'conf' needs a file name (conf=FILE)");
}

Test(mount_opts, scrub_hides_secret_values_in_argv)
{
	char a1[] = "-o", a2[] = "name=admin,secret=AQDsecret\\,x,rw", a3[] = "-osecret=s2";
	char *argv[] = { "netfuse-ceph", "mon1:/", "/mnt", a1, a2, a3 };

	cr_assert_eq(mount_cmdline_parse(6, argv, tables, &cl, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(o.secret, "s2");
	mount_cmdline_scrub(6, argv, tables);
	cr_assert_str_eq(a2, "name=admin,secret=************,rw");
	cr_assert_str_eq(a3, "-osecret=**");
}
