/*
 * cephmon/msgr/ceph_security.h: the two settings that decide how a Ceph
 * connection is protected, shared by the mount configuration, cephx and the
 * msgr2 messenger: the secret key an entity proves itself with (struct
 * ceph_crypto_key, as keyrings hold it) and the connection mode asked for
 * (ms_mode: crc or secure, or either in an order of preference).
 *
 * Only types live here, so that cephx and msgr2 need not include the
 * ceph.conf parser or the mount options to name them (and the one thing
 * done to a key everywhere, wiping it); decoding a key is ceph_conf.h's,
 * naming a mode is ceph_mount_config.h's.
 */
#ifndef NETFUSE_CEPH_SECURITY_H
#define NETFUSE_CEPH_SECURITY_H

#include <stdint.h>
#include <string.h>

#define CEPH_CRYPTO_NONE    0
#define CEPH_CRYPTO_AES	    1
#define CEPH_KEY_SECRET_MAX 32

/* Holds a secret: wipe it (ceph_key_wipe) when done with it. */
struct ceph_crypto_key {
	uint16_t type;
	uint32_t created_sec, created_nsec;
	uint16_t len;
	uint8_t secret[CEPH_KEY_SECRET_MAX];
};

static inline void ceph_key_wipe(struct ceph_crypto_key *key)
{
	explicit_bzero(key, sizeof(*key));
}

enum ceph_ms_mode {
	CEPH_MS_MODE_PREFER_CRC, /* crc, secure when the peer wants it */
	CEPH_MS_MODE_CRC,
	CEPH_MS_MODE_SECURE,
	CEPH_MS_MODE_PREFER_SECURE,
};

#endif
