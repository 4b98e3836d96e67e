/* Fuzz target: cephmon/ceph_conf.c's ceph.conf/keyring parser and key decoder. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/ceph_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void printable_or_abort(const char *err)
{
	if (!err[0])
		abort(); /* every rejection explains itself */
	for (const char *p = err; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort(); /* in one printable line */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ceph_conf *c = NULL;
	struct ceph_crypto_key k;
	char err[256], buf[256];

	err[0] = '\0';
	if (ceph_conf_parse((const char *)data, size, &c, err, sizeof(err)) == 0) {
		(void)ceph_conf_get(c, "client.admin", "mon_host", buf, sizeof(buf));
		(void)ceph_conf_get(c, "client.admin", "keyring", buf, sizeof(buf));
		err[0] = '\0';
		if (ceph_keyring_get_key(c, "client.admin", &k, err, sizeof(err)) == 0) {
			if (k.type != CEPH_CRYPTO_AES || k.len != 16)
				abort();
		} else {
			printable_or_abort(err);
		}
		ceph_conf_free(c);
	} else {
		if (c)
			abort();
		printable_or_abort(err);
	}

	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	err[0] = '\0';
	if (ceph_key_decode(s, &k, err, sizeof(err)) == 0) {
		if (k.type != CEPH_CRYPTO_AES || k.len != 16)
			abort();
	} else {
		printable_or_abort(err);
	}
	free(s);
	return 0;
}
