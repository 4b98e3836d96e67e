/*
 * test/integration/ceph_conf_check CONF KEYRING SECRETFILE: read a real
 * cluster's files with cephmon's parsers and print what they found, without
 * any key:  monitors=N msgr2=N key=TYPE:LEN secretfile=same|different
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_addr.h"
#include "cephmon/ceph_conf.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len + 4096 > cap) {
			cap = cap * 2 + 4096;
			char *n = realloc(buf, cap);
			if (!n) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = n;
		}
		size_t got = fread(buf + *len, 1, cap - *len - 1, f);
		*len += got;
		if (!got)
			break;
	}
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

static struct ceph_conf *load(const char *path)
{
	size_t len;
	char err[256];
	char *text = slurp(path, &len);
	struct ceph_conf *c = NULL;

	if (!text) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(1);
	}
	if (ceph_conf_parse(text, len, &c, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", path, err);
		exit(1);
	}
	free(text);
	return c;
}

int main(int argc, char **argv)
{
	char err[256], mon_host[1024];
	struct ceph_mon_addrs mons;
	struct ceph_crypto_key ring_key, file_key;

	if (argc != 4) {
		fprintf(stderr, "usage: %s CONF KEYRING SECRETFILE\n", argv[0]);
		return 2;
	}
	struct ceph_conf *conf = load(argv[1]), *ring = load(argv[2]);
	if (ceph_conf_get(conf, "client.admin", "mon_host", mon_host, sizeof(mon_host))) {
		fprintf(stderr, "%s: no mon_host for client.admin\n", argv[1]);
		return 1;
	}
	if (ceph_parse_mon_addrs(mon_host, CEPH_ADDR_SYNTAX_CEPH, &mons, err, sizeof(err))) {
		fprintf(stderr, "%s: mon_host: %s\n", argv[1], err);
		return 1;
	}
	unsigned v2 = 0;
	for (unsigned i = 0; i < mons.n; i++)
		for (unsigned j = 0; j < mons.mon[i].n; j++)
			v2 += mons.mon[i].v[j].type == CEPH_ADDR_MSGR2;
	if (ceph_keyring_get_key(ring, "client.admin", &ring_key, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", argv[2], err);
		return 1;
	}
	size_t len;
	char *secret = slurp(argv[3], &len);
	if (!secret || ceph_key_decode(secret, &file_key, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", argv[3], secret ? err : "cannot read");
		return 1;
	}
	bool same = ring_key.len == file_key.len && !memcmp(ring_key.secret, file_key.secret, ring_key.len);
	printf("monitors=%u msgr2=%u key=%s:%u secretfile=%s\n", mons.n, v2,
	       ring_key.type == CEPH_CRYPTO_AES ? "aes" : "other", ring_key.len, same ? "same" : "different");
	ceph_key_wipe(&ring_key);
	ceph_key_wipe(&file_key);
	free(secret);
	ceph_conf_free(conf);
	ceph_conf_free(ring);
	return 0;
}
