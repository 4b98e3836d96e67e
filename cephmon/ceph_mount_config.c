/* cephmon/ceph_mount_config.c: resolve netfuse-ceph's mount configuration
 * (see ceph_mount_config.h). */
#include "config.h"

#include "cephmon/ceph_mount_config.h"
#include "cephmon/ceph_conf.h"
#include "text/printable.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_CONF "/etc/ceph/ceph.conf"
#define FILE_MAX (1 << 20) /* ceph.conf, keyrings and secret files are small */

/* Read a whole small file, NUL-terminated. 0 or -errno. */
static int read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		int r = S_ISDIR(st.st_mode) ? -EISDIR : -EFBIG;
		fclose(f);
		return r;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	*len = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[*len] = '\0';
	*text = buf;
	return 0;
}

static void free_secret_text(char *text, size_t len)
{
	if (text) {
		explicit_bzero(text, len);
		free(text);
	}
}

static int load_conf(const char *path, bool must_exist, struct ceph_conf **out, char *err, size_t errlen)
{
	char *text = NULL, perr[256];
	size_t len = 0;
	int r = read_file(path, &text, &len);

	*out = NULL;
	if (r == -ENOENT && !must_exist)
		return 0;
	if (r)
		return printable_error(err, errlen, 0, r, "cannot read %s: %s", path, strerror(-r));
	r = ceph_conf_parse(text, len, out, perr, sizeof(perr));
	free(text);
	if (r)
		return printable_error(err, errlen, 0, r, "%s: %s", path, perr);
	return 0;
}

static int resolve_entity(const char *name, char *entity, size_t len, char *err, size_t errlen)
{
	const char *id = name && *name ? name : "guest";

	if (!strncmp(id, "client.", 7))
		id += 7;
	if (!*id || strpbrk(id, " \t\n/,=:"))
		return printable_error(err, errlen, 0, -EINVAL, "name '%.64s' is not a client name", name);
	if ((size_t)snprintf(entity, len, "client.%s", id) >= len)
		return printable_error(err, errlen, 0, -EINVAL, "name '%.64s' is too long", name);
	return 0;
}

/* SOURCE: MON[,MON...]:/[SUBDIR]. The monitor part ends at the first ":/". */
static int split_source(const char *source, char *mons, size_t monslen, char *subdir, size_t sublen, char *err,
			size_t errlen)
{
	const char *colon = strstr(source, ":/");
	size_t n;

	if (!colon)
		return printable_error(err, errlen, 0, -EINVAL, "source '%.128s' is not MON[,MON...]:/[SUBDIR]",
				       source);
	n = (size_t)(colon - source);
	if (n >= monslen)
		return printable_error(err, errlen, 0, -EINVAL, "source '%.128s': monitor list too long", source);
	memcpy(mons, source, n);
	mons[n] = '\0';

	/* The path: collapse repeated slashes, drop a trailing one. */
	const char *p = colon + 1;
	size_t o = 0;
	for (; *p; p++) {
		if (*p == '/' && o && subdir[o - 1] == '/')
			continue;
		if (o + 1 >= sublen)
			return printable_error(err, errlen, 0, -EINVAL, "source '%.128s': path too long", source);
		subdir[o++] = *p;
	}
	if (o > 1 && subdir[o - 1] == '/')
		o--;
	subdir[o] = '\0';
	for (const char *c = subdir; *c; c++)
		if ((unsigned char)*c < 0x20)
			return printable_error(err, errlen, 0, -EINVAL,
					       "source '%.128s': control character in the path", source);
	return 0;
}

static int resolve_mons(const struct ceph_mount_args *a, const char *src_mons, const struct ceph_conf *conf,
			const char *conf_path, struct ceph_mount_config *out, char *err, size_t errlen)
{
	char perr[256], host[4096];
	int r;

	if (*src_mons && a->mon_addr)
		return printable_error(err, errlen, 0, -EINVAL, "monitors given twice: in the source and in mon_addr=");
	if (*src_mons) {
		r = ceph_parse_mon_addrs(src_mons, CEPH_ADDR_SYNTAX_CEPH, &out->mons, perr, sizeof(perr));
		snprintf(out->mons_from, sizeof(out->mons_from), "the source");
	} else if (a->mon_addr) {
		r = ceph_parse_mon_addrs(a->mon_addr, CEPH_ADDR_SYNTAX_MON_ADDR, &out->mons, perr, sizeof(perr));
		snprintf(out->mons_from, sizeof(out->mons_from), "mon_addr=");
	} else if (conf && !(r = ceph_conf_get(conf, out->entity, "mon_host", host, sizeof(host)))) {
		r = ceph_parse_mon_addrs(host, CEPH_ADDR_SYNTAX_CEPH, &out->mons, perr, sizeof(perr));
		snprintf(out->mons_from, sizeof(out->mons_from), "mon_host in %s", conf_path);
	} else {
		return printable_error(err, errlen, 0, -EINVAL,
				       "no monitors: give MON[,MON...]:/ as the source, mon_addr=, or mon_host in %s",
				       conf_path);
	}
	if (r)
		return printable_error(err, errlen, 0, r, "%s: %s", out->mons_from, perr);
	return 0;
}

static void chomp_line(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
	/* Leading and trailing blanks are not part of a base64 key. */
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	size_t lead = strspn(s, " \t");
	memmove(s, s + lead, n - lead + 1);
}

static int key_from_keyring(const char *path, bool must_exist, const char *entity, struct ceph_crypto_key *key,
			    char *err, size_t errlen)
{
	char *text = NULL, perr[256];
	size_t len = 0;
	struct ceph_conf *kr = NULL;
	int r = read_file(path, &text, &len);

	if (r == -ENOENT && !must_exist)
		return -ENOENT;
	if (r)
		return printable_error(err, errlen, 0, r, "cannot read keyring %s: %s", path, strerror(-r));
	r = ceph_conf_parse(text, len, &kr, perr, sizeof(perr));
	free_secret_text(text, len);
	if (r)
		return printable_error(err, errlen, 0, r, "keyring %s: %s", path, perr);
	r = ceph_keyring_get_key(kr, entity, key, perr, sizeof(perr));
	ceph_conf_free(kr);
	if (r == -ENOENT)
		return printable_error(err, errlen, 0, -ENOKEY, "keyring %s has no key for %s", path, entity);
	if (r)
		return printable_error(err, errlen, 0, r, "keyring %s: %s", path, perr);
	return 0;
}

static int resolve_key(const struct ceph_mount_args *a, const struct ceph_conf *conf, struct ceph_mount_config *out,
		       char *err, size_t errlen)
{
	char perr[256], path[PATH_MAX];
	int r;

	if (a->secret && a->secretfile)
		return printable_error(err, errlen, 0, -EINVAL, "give one of secret= and secretfile=, not both");
	if (a->secret) {
		snprintf(out->key_from, sizeof(out->key_from), "secret=");
		r = ceph_key_decode(a->secret, &out->key, perr, sizeof(perr));
		return r ? printable_error(err, errlen, 0, r, "secret=: %s", perr) : 0;
	}
	if (a->secretfile) {
		char *text = NULL;
		size_t len = 0;
		snprintf(out->key_from, sizeof(out->key_from), "secretfile %s", a->secretfile);
		r = read_file(a->secretfile, &text, &len);
		if (r)
			return printable_error(err, errlen, 0, r, "cannot read secretfile %s: %s", a->secretfile,
					       strerror(-r));
		chomp_line(text);
		r = ceph_key_decode(text, &out->key, perr, sizeof(perr));
		free_secret_text(text, len);
		return r ? printable_error(err, errlen, 0, r, "secretfile %s: %s", a->secretfile, perr) : 0;
	}
	if (a->keyring) {
		snprintf(out->key_from, sizeof(out->key_from), "keyring %s", a->keyring);
		return key_from_keyring(a->keyring, true, out->entity, &out->key, err, errlen);
	}
	/* ceph.conf's keyring= is a comma-separated list, like the defaults. */
	char list[4096];
	bool from_conf = conf && !ceph_conf_get(conf, out->entity, "keyring", list, sizeof(list));
	if (!from_conf) {
		const char *id = out->entity + strlen("client.");
		snprintf(list, sizeof(list),
			 "/etc/ceph/ceph.client.%s.keyring,/etc/ceph/ceph.keyring,/etc/ceph/keyring,/etc/ceph/keyring.bin",
			 id);
	}
	for (char *save = NULL, *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		p += strspn(p, " \t");
		snprintf(path, sizeof(path), "%s", p);
		chomp_line(path);
		if (!*path)
			continue;
		r = key_from_keyring(path, false, out->entity, &out->key, err, errlen);
		if (r == -ENOENT)
			continue; /* no such file: try the next one */
		if (!r)
			snprintf(out->key_from, sizeof(out->key_from), "keyring %s", path);
		return r;
	}
	return printable_error(err, errlen, 0, -ENOKEY, "no key for %s: give secret=, secretfile= or a keyring (-k)",
			       out->entity);
}

static int resolve_ms_mode(const char *s, enum ceph_ms_mode *out, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		enum ceph_ms_mode mode;
	} modes[] = {
		{ "prefer-crc", CEPH_MS_MODE_PREFER_CRC },
		{ "crc", CEPH_MS_MODE_CRC },
		{ "secure", CEPH_MS_MODE_SECURE },
		{ "prefer-secure", CEPH_MS_MODE_PREFER_SECURE },
	};

	*out = CEPH_MS_MODE_PREFER_CRC;
	if (!s)
		return 0;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(s, modes[i].name)) {
			*out = modes[i].mode;
			return 0;
		}
	if (!strcmp(s, "legacy"))
		return printable_error(err, errlen, 0, -EINVAL,
				       "ms_mode=legacy (msgr1) is not supported: netfuse speaks msgr2");
	return printable_error(err, errlen, 0, -EINVAL, "ms_mode=%.32s: not crc, secure, prefer-crc or prefer-secure",
			       s);
}

const char *ceph_ms_mode_name(enum ceph_ms_mode m)
{
	switch (m) {
	case CEPH_MS_MODE_CRC:
		return "crc";
	case CEPH_MS_MODE_SECURE:
		return "secure";
	case CEPH_MS_MODE_PREFER_SECURE:
		return "prefer-secure";
	default:
		return "prefer-crc";
	}
}

int ceph_mount_config_resolve(const struct ceph_mount_args *a, struct ceph_mount_config *out, char *err,
			      size_t errlen)
{
	char src_mons[4096];
	const char *conf_path;
	struct ceph_conf *conf = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (!a->source)
		return printable_error(err, errlen, 0, -EINVAL, "no source given");
	if ((r = split_source(a->source, src_mons, sizeof(src_mons), out->subdir, sizeof(out->subdir), err,
			      errlen)))
		return r;
	if ((r = resolve_entity(a->name, out->entity, sizeof(out->entity), err, errlen)) ||
	    (r = resolve_ms_mode(a->ms_mode, &out->ms_mode, err, errlen)))
		return r;
	if (a->fs) {
		if (!*a->fs || strlen(a->fs) >= sizeof(out->fs_name) || strpbrk(a->fs, " \t\n/,"))
			return printable_error(err, errlen, 0, -EINVAL, "fs=%.64s is not a file system name", a->fs);
		snprintf(out->fs_name, sizeof(out->fs_name), "%s", a->fs);
	}
	if (a->mount_timeout < 0)
		return printable_error(err, errlen, 0, -EINVAL, "mount_timeout must not be negative");
	out->mount_timeout = a->mount_timeout > 0 ? a->mount_timeout : 60;

	conf_path = a->conf ? a->conf : getenv("CEPH_CONF") && *getenv("CEPH_CONF") ? getenv("CEPH_CONF") : DEFAULT_CONF;
	if ((r = load_conf(conf_path, a->conf != NULL, &conf, err, errlen)))
		return r;
	r = resolve_mons(a, src_mons, conf, conf_path, out, err, errlen);
	if (!r)
		r = resolve_key(a, conf, out, err, errlen);
	if (!r && !out->fs_name[0] && conf) {
		/* ceph-fuse's setting for which file system to mount. */
		char fs[CEPH_FS_NAME_MAX];
		if (!ceph_conf_get(conf, out->entity, "client_fs", fs, sizeof(fs)) ||
		    !ceph_conf_get(conf, out->entity, "client_mds_namespace", fs, sizeof(fs)))
			snprintf(out->fs_name, sizeof(out->fs_name), "%s", fs);
	}
	ceph_conf_free(conf);
	if (r)
		ceph_mount_config_wipe(out);
	return r;
}

void ceph_mount_config_wipe(struct ceph_mount_config *c)
{
	ceph_key_wipe(&c->key);
}
