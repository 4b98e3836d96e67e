/* Unit tests for cephmon/ceph_conf.c: ceph.conf, keyrings, keys. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cephmon/ceph_conf.h"

static struct ceph_conf *c;
static char err[256], buf[512];

static void fini(void)
{
	ceph_conf_free(c);
	c = NULL;
}

TestSuite(ceph_conf, .fini = fini);

static void parse_ok(const char *s)
{
	cr_assert_eq(ceph_conf_parse(s, strlen(s), &c, err, sizeof(err)), 0, "%s", err);
}

static void parse_bad(const char *s, const char *want)
{
	cr_assert_eq(ceph_conf_parse(s, strlen(s), &c, err, sizeof(err)), -EINVAL, "accepted: %s", s);
	cr_assert_null(c);
	cr_assert_str_eq(err, want);
}

Test(ceph_conf, sections_lookup_order_and_key_spelling)
{
	parse_ok("; comment\n"
		 "[global]\n"
		 "\tmon host = 10.0.0.1, 10.0.0.2   # trailing comment\n"
		 "\tkeyring = /etc/ceph/$cluster.$name.keyring\n"
		 "  log-file = /var/log/ceph/${name}.log\n"
		 "[client]\n"
		 "\tlog_file = /tmp/$type.$id.log\n"
		 "[client.admin]\n"
		 "\tmon_host = 127.0.0.1\n");
	cr_assert_eq(ceph_conf_get(c, "client.admin", "mon_host", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "127.0.0.1");
	cr_assert_eq(ceph_conf_get(c, "client.bob", "mon-host", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "10.0.0.1, 10.0.0.2");
	cr_assert_eq(ceph_conf_get(c, "client.bob", "keyring", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "/etc/ceph/ceph.client.bob.keyring");
	cr_assert_eq(ceph_conf_get(c, "client.bob", "log file", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "/tmp/client.bob.log");
	cr_assert_eq(ceph_conf_get(c, "mds.a", "log_file", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "/var/log/ceph/mds.a.log");
	cr_assert_eq(ceph_conf_get(c, "client.admin", "fsid", buf, sizeof(buf)), -ENOENT);
	cr_assert_eq(ceph_conf_get(c, "client.admin", "keyring", buf, 8), -ENAMETOOLONG);
}

Test(ceph_conf, quotes_continuations_last_one_wins)
{
	parse_ok("[client.admin]\n"
		 "caps mon = \"allow *\"\n"
		 "caps osd = \"allow \\\"x\\\" # not a comment\" ; comment\n"
		 "mon_host = [v2:127.0.0.1:3300,\\\n"
		 "   v1:127.0.0.1:6789]\n"
		 "mon_host = 1.2.3.4\n"
		 "key = \"  spaced  \"\n");
	cr_assert_str_eq(ceph_conf_get_raw(c, "client.admin", "caps_mon"), "allow *");
	cr_assert_str_eq(ceph_conf_get_raw(c, "client.admin", "caps osd"), "allow \"x\" # not a comment");
	cr_assert_str_eq(ceph_conf_get_raw(c, "client.admin", "mon_host"), "1.2.3.4");
	cr_assert_str_eq(ceph_conf_get_raw(c, "client.admin", "key"), "  spaced  ");
}

Test(ceph_conf, continuation_is_one_value)
{
	parse_ok("[global]\nmon_host = [v2:127.0.0.1:3300,\\\n   v1:127.0.0.1:6789]\nx = 1\n");
	cr_assert_str_eq(ceph_conf_get_raw(c, "global", "mon_host"), "[v2:127.0.0.1:3300,   v1:127.0.0.1:6789]");
	cr_assert_str_eq(ceph_conf_get_raw(c, "global", "x"), "1");
}

Test(ceph_conf, malformed)
{
	parse_bad("[global\nx = 1\n", "line 1: unclosed section header");
	parse_bad("[global] junk\n", "line 1: text after a section header");
	parse_bad("[ ]\n", "line 1: bad section name");
	parse_bad("[global]\njust words\n", "line 2: expected 'key = value' or '[section]'");
	parse_bad("x = \"open\n", "line 1: unterminated quoted value");
	parse_bad("x = \"a\" b\n", "line 1: text after a quoted value");
	parse_bad(" = 1\n", "line 1: no key name before '='");
	const char nul[] = "x = 1\0\n";
	cr_assert_eq(ceph_conf_parse(nul, sizeof(nul) - 1, &c, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "NUL byte in file (not a text file?)");
}

/* A key as ceph-authtool makes them: type 1, created, len 16, 16 bytes. */
static const char *const good_key = "AQBx5a9kAAAAABAAzPtHSCjnB3VnUmIhLJvyvQ==";

Test(ceph_conf, key_decodes)
{
	struct ceph_crypto_key k;
	cr_assert_eq(ceph_key_decode(good_key, &k, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(k.type, CEPH_CRYPTO_AES);
	cr_assert_eq(k.len, 16);
	cr_assert_eq(k.created_sec, 0x64afe571);
	char padded[80];
	snprintf(padded, sizeof(padded), "  %s\n", good_key); /* as in a secret file */
	struct ceph_crypto_key k2;
	cr_assert_eq(ceph_key_decode(padded, &k2, err, sizeof(err)), 0, "%s", err);
	cr_assert_arr_eq(k.secret, k2.secret, 16);
}

static void key_bad(const char *b64, const char *want)
{
	struct ceph_crypto_key k;
	cr_assert_eq(ceph_key_decode(b64, &k, err, sizeof(err)), -EINVAL, "accepted '%s'", b64);
	cr_assert_str_eq(err, want);
	cr_assert_eq(k.len, 0, "a rejected key was not wiped");
}

Test(ceph_conf, bad_keys_never_echoed)
{
	key_bad("", "a key is base64 text whose length is a multiple of 4 (got 0 characters)");
	key_bad("AQBx5a9k!AAAABAAzPtHSCjnB3VnUmIhLJvyvQ==", "a key holds only base64 characters");
	key_bad("AQBx5a9kAAAAABAAzPtHSCjnB3VnUmIhLJvyvQ== extra", "text after the key");
	key_bad("AQBx", "key too short (3 bytes decoded, need a 12-byte header)");
	/* type 2 */
	key_bad("AgBx5a9kAAAAABAAzPtHSCjnB3VnUmIhLJvyvQ==", "key type 2 is not AES (1)");
	/* length field 8 */
	key_bad("AQBx5a9kAAAAAAgAzPtHSCjnB3VnUmIhLJvyvQ==", "AES key of 8 bytes in 28 decoded bytes (want 16 in 28)");
	for (const char *p = err; *p; p++)
		cr_assert(*p >= 0x20 && *p < 0x7f);
}

Test(ceph_conf, keyring_lookup)
{
	char ring[256];
	snprintf(ring, sizeof(ring), "[client.admin]\n\tkey = %s\n\tcaps mon = \"allow *\"\n[client.bob]\n\tkey = AQBx\n",
		 good_key);
	parse_ok(ring);
	struct ceph_crypto_key k;
	cr_assert_eq(ceph_keyring_get_key(c, "client.admin", &k, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(k.len, 16);
	ceph_key_wipe(&k);
	cr_assert_eq(ceph_keyring_get_key(c, "client.eve", &k, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "no key for client.eve in the keyring");
	cr_assert_eq(ceph_keyring_get_key(c, "client.bob", &k, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "the key of client.bob: key too short (3 bytes decoded, need a 12-byte header)");
}
