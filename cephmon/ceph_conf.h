/*
 * cephmon/ceph_conf.h: ceph.conf, keyrings and secret files, as the Ceph
 * tools and the kernel client's mount helper read them.
 *
 * ceph.conf and keyrings share one INI dialect: "[section]" headers, "key =
 * value" lines, '#' and ';' comments, "quoted values", a trailing '\' joining
 * lines. Key names treat ' ', '-' and '_' alike ("mon host" is mon_host). A
 * lookup for an entity such as client.admin tries [client.admin], then
 * [client], then [global], and expands $cluster, $type, $id and $name.
 *
 * A key (AQ...==) decodes to a ceph_crypto_key. Error messages name files,
 * lines and entities, never a key.
 */
#ifndef NETFUSE_CEPH_CONF_H
#define NETFUSE_CEPH_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/ceph_security.h"

struct ceph_conf;

/* Parse @text (a ceph.conf or a keyring). 0, or -EINVAL/-ENOMEM with
 * "line N: why" in @err. */
int ceph_conf_parse(const char *text, size_t len, struct ceph_conf **out, char *err, size_t errlen);
void ceph_conf_free(struct ceph_conf *c);

/* The raw value of @key in @section exactly, or NULL. */
const char *ceph_conf_get_raw(const struct ceph_conf *c, const char *section, const char *key);

/*
 * The value of @key for @entity ("client.admin"): from [entity], [type]
 * ("client") or [global], with $cluster ("ceph"), $type, $id and $name
 * expanded, into @buf. Returns 0, -ENOENT when unset, -ENAMETOOLONG when it
 * does not fit.
 */
int ceph_conf_get(const struct ceph_conf *c, const char *entity, const char *key, char *buf, size_t buflen);

/* Decode a base64 key as keyrings and secret files hold it (surrounding
 * blanks and a newline are fine). 0, or -EINVAL with a reason (never the key). */
int ceph_key_decode(const char *b64, struct ceph_crypto_key *key, char *err, size_t errlen);

/* The key of @entity in a parsed keyring. -ENOENT when the entity or its
 * key is missing. */
int ceph_keyring_get_key(const struct ceph_conf *keyring, const char *entity, struct ceph_crypto_key *key,
			 char *err, size_t errlen);

#endif
