/*
 * cephmon/ceph_mount_config.h: turn what a person gave netfuse-ceph (the
 * source string, -o options, -c/--id/-k) into what the monitor client
 * needs: the monitors, the entity and its key, the file system and subdir,
 * the messenger mode and the mount timeout.
 *
 * The rules follow the kernel client and mount.ceph, and Ceph's own tools
 * for ceph.conf and keyrings:
 *  - SOURCE is MON[,MON...]:/[SUBDIR]; the monitor part may be empty, and
 *    then the monitors come from mon_addr= (kernel syntax, '/'-separated)
 *    or from mon_host in ceph.conf for the entity.
 *  - ceph.conf is -c CONF, else $CEPH_CONF, else /etc/ceph/ceph.conf when it
 *    exists; a file named explicitly must exist.
 *  - The entity is client.NAME for name= / --id (default "guest", as the
 *    kernel); "client.NAME" is accepted too.
 *  - The key is secret= (base64), else the first line of secretfile=, else
 *    the entity's key in a keyring: -k, or `keyring` in ceph.conf, or
 *    Ceph's default list (/etc/ceph/$cluster.$name.keyring,
 *    /etc/ceph/$cluster.keyring, /etc/ceph/keyring, /etc/ceph/keyring.bin).
 *  - ms_mode= crc, secure, prefer-crc (the default) or prefer-secure:
 *    netfuse speaks msgr2 only, so "legacy" is refused.
 * Errors are one line naming what is wrong and where it came from, never
 * the key.
 */
#ifndef NETFUSE_CEPH_MOUNT_CONFIG_H
#define NETFUSE_CEPH_MOUNT_CONFIG_H

#include <limits.h>

#include "cephmon/msgr/ceph_addr.h"
#include "cephmon/msgr/ceph_security.h"

/* What was given; NULL for what was not. */
struct ceph_mount_args {
	const char *source;
	const char *conf;
	const char *name;
	const char *secret;
	const char *secretfile;
	const char *keyring;
	const char *mon_addr;
	const char *ms_mode;
	const char *fs;
	double mount_timeout; /* seconds; 0: the default, 60 */
};

#define CEPH_ENTITY_MAX 80
#define CEPH_FS_NAME_MAX 128

struct ceph_mount_config {
	struct ceph_mon_addrs mons;
	char mons_from[PATH_MAX + 32]; /* "the source", "mon_addr=", "mon_host in /etc/ceph/ceph.conf" */
	char entity[CEPH_ENTITY_MAX];  /* "client.admin" */
	struct ceph_crypto_key key;
	char key_from[PATH_MAX + 32]; /* "secret=", "secretfile /x", "keyring /y" */
	char fs_name[CEPH_FS_NAME_MAX]; /* "" for the cluster's default */
	char subdir[PATH_MAX];		 /* "/" or "/a/b", no trailing slash */
	enum ceph_ms_mode ms_mode;
	double mount_timeout;
};

/* 0, or -errno with one line in @err: -ENOENT for a missing file, -ENOKEY
 * when no key for the entity is found, -EINVAL for malformed input, -EACCES
 * for an unreadable file. */
int ceph_mount_config_resolve(const struct ceph_mount_args *a, struct ceph_mount_config *out, char *err,
			      size_t errlen);

/* Wipe the key. */
void ceph_mount_config_wipe(struct ceph_mount_config *c);

const char *ceph_ms_mode_name(enum ceph_ms_mode m);

#endif
