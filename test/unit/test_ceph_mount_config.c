/* Unit tests for cephmon/ceph_mount_config.c: netfuse-ceph's source string,
 * options, ceph.conf and keys. Keys are real ones from ceph-authtool
 * --gen-print-key (Ceph 16.2.15); files live in a temporary directory. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cephmon/ceph_mount_config.h"

#define KEY_A "AQDP7gFrNo6cKRAAsh2ecbgCMa8fUyMvtlzifw=="
#define KEY_B "AQDP7gFrn/Z8KhAAi2AIBt5V2KsTYh339IAF0A=="

static char dir[64], err[512];
static struct ceph_mount_config c;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/netfuse-mcfg.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	/* Never the machine's own /etc/ceph/ceph.conf: an empty one of ours. */
	char path[128];
	snprintf(path, sizeof(path), "%s/empty.conf", dir);
	FILE *f = fopen(path, "w");
	fclose(f);
	setenv("CEPH_CONF", path, 1);
	memset(&c, 0, sizeof(c));
	err[0] = '\0';
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	unsetenv("CEPH_CONF");
}

TestSuite(mount_config, .init = setup, .fini = teardown);

static const char *file(const char *name, const char *text)
{
	static char paths[8][128];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, 128, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static int resolve(struct ceph_mount_args a)
{
	return ceph_mount_config_resolve(&a, &c, err, sizeof(err));
}

Test(mount_config, source_with_monitors_and_inline_secret)
{
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:3300,127.0.0.2:/", .name = "admin",
						       .secret = KEY_A }),
		     0, "%s", err);
	cr_assert_eq(c.mons.n, 2);
	cr_assert_str_eq(c.mons_from, "the source");
	cr_assert_str_eq(c.subdir, "/");
	cr_assert_str_eq(c.entity, "client.admin");
	cr_assert_eq(c.key.type, CEPH_CRYPTO_AES);
	cr_assert_eq(c.key.len, 16);
	cr_assert_str_eq(c.key_from, "secret=");
	cr_assert_eq(c.ms_mode, CEPH_MS_MODE_PREFER_CRC);
	cr_assert_eq(c.mount_timeout, 60);
	cr_assert_str_eq(c.fs_name, "");
}

Test(mount_config, typed_and_ipv6_monitors_and_a_subdir)
{
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "v2:127.0.0.1:3300,[::1]:3301:/a//b/", .secret = KEY_A }),
		     0, "%s", err);
	cr_assert_eq(c.mons.n, 2);
	cr_assert_str_eq(c.subdir, "/a/b");
	cr_assert_str_eq(c.entity, "client.guest", "the kernel's default name");
}

Test(mount_config, bad_sources)
{
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1", .secret = KEY_A }), -EINVAL);
	cr_assert_str_eq(err, "source '127.0.0.1' is not MON[,MON...]:/[SUBDIR]");
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "not-an-address:/", .secret = KEY_A }), -EINVAL);
	cr_assert(strstr(err, "the source: "), "%s", err);
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = ":/", .secret = KEY_A }), -EINVAL);
	cr_assert(strstr(err, "no monitors: give MON[,MON...]:/ as the source, mon_addr=, or mon_host in "), "%s", err);
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .mon_addr = "127.0.0.2", .secret = KEY_A }),
		     -EINVAL);
	cr_assert_str_eq(err, "monitors given twice: in the source and in mon_addr=");
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/a\tb", .secret = KEY_A }), -EINVAL);
}

Test(mount_config, mon_addr_uses_the_kernel_syntax)
{
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = ":/", .mon_addr = "127.0.0.1:3300/127.0.0.2:3300",
						       .secret = KEY_A }),
		     0, "%s", err);
	cr_assert_eq(c.mons.n, 2);
	cr_assert_str_eq(c.mons_from, "mon_addr=");
}

Test(mount_config, conf_gives_monitors_keyring_and_file_system)
{
	const char *kr = file("k", "[client.bob]\n\tkey = " KEY_B "\n[client.admin]\n\tkey = " KEY_A "\n");
	char conf[512];
	snprintf(conf, sizeof(conf),
		 "[global]\n mon host = [v2:127.0.0.1:3300,v1:127.0.0.1:6789] [v2:127.0.0.1:3301]\n"
		 "[client]\n keyring = %s/missing.keyring, %s\n client_fs = cephfs\n",
		 dir, kr);
	const char *cf = file("ceph.conf", conf);

	cr_assert_eq(resolve((struct ceph_mount_args){ .source = ":/", .conf = cf, .name = "bob" }), 0, "%s", err);
	cr_assert_eq(c.mons.n, 2);
	cr_assert(strstr(c.mons_from, "mon_host in "), "%s", c.mons_from);
	cr_assert_str_eq(c.entity, "client.bob");
	cr_assert(strstr(c.key_from, "keyring ") && strstr(c.key_from, "/k"), "%s", c.key_from);
	cr_assert_str_eq(c.fs_name, "cephfs");
	/* The same key through -k gives the same bytes. */
	struct ceph_crypto_key k1 = c.key;
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .keyring = kr, .name = "client.bob",
						       .fs = "other" }),
		     0, "%s", err);
	cr_assert_arr_eq(c.key.secret, k1.secret, 16);
	cr_assert_str_eq(c.fs_name, "other", "fs= wins over client_fs");
}

Test(mount_config, key_errors_name_their_source_not_the_key)
{
	const char *kr = file("k", "[client.admin]\n\tkey = " KEY_A "\n");
	const char *sf = file("secret", KEY_B "\n");
	const char *bad = file("bad", "AQDP7gFr!!!!\n");

	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .secretfile = sf }), 0, "%s", err);
	cr_assert_eq(c.key.len, 16);
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .keyring = kr, .name = "carol" }),
		     -ENOKEY);
	cr_assert(strstr(err, "has no key for client.carol"), "%s", err);
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .secretfile = bad }), -EINVAL);
	cr_assert(strstr(err, "secretfile ") && !strstr(err, "AQDP7gFr"), "%s", err);
	cr_assert_neq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .secret = "AQDP7gFrZZZ" }), 0);
	cr_assert(strstr(err, "secret=") && !strstr(err, "AQDP7gFrZZZ"), "%s", err);
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .secret = KEY_A, .secretfile = sf }),
		     -EINVAL);
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .secretfile = "/nonexistent/s" }),
		     -ENOENT);
	cr_assert_str_eq(err, "cannot read secretfile /nonexistent/s: No such file or directory");
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .keyring = "/nonexistent/k" }), -ENOENT);
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .name = "nobody-has-this" }), -ENOKEY);
	cr_assert_str_eq(err, "no key for client.nobody-has-this: give secret=, secretfile= or a keyring (-k)");
}

Test(mount_config, options)
{
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .secret = KEY_A, .ms_mode = "secure",
						       .mount_timeout = 5 }),
		     0, "%s", err);
	cr_assert_eq(c.ms_mode, CEPH_MS_MODE_SECURE);
	cr_assert_eq(c.mount_timeout, 5);
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .secret = KEY_A, .ms_mode = "legacy" }),
		     -EINVAL);
	cr_assert_str_eq(err, "ms_mode=legacy (msgr1) is not supported: netfuse speaks msgr2");
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .secret = KEY_A, .ms_mode = "fast" }),
		     -EINVAL);
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .secret = KEY_A, .name = "a/b" }),
		     -EINVAL);
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .secret = KEY_A, .fs = "" }), -EINVAL);
	cr_assert_eq(resolve((struct ceph_mount_args){ .source = "127.0.0.1:/", .secret = KEY_A, .conf = "/nonexistent.conf" }),
		     -ENOENT);
	cr_assert_str_eq(err, "cannot read /nonexistent.conf: No such file or directory");
}
