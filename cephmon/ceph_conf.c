/*
 * cephmon/ceph_conf.c: ceph.conf and keyring parsing, key decoding (see
 * ceph_conf.h). Base64 through OpenSSL's EVP_DecodeBlock.
 */
#include "config.h"

#include "cephmon/ceph_conf.h"
#include "text/printable.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct conf_entry {
	char *section, *key, *value;
};

struct ceph_conf {
	struct conf_entry *e;
	size_t n, cap;
};

/* Key names: ' ', '-' and runs of them are '_'; leading/trailing blanks gone. */
static void normalize_key(char *k)
{
	char *w = k;
	bool sep = false;

	for (char *r = k; *r; r++) {
		if (*r == ' ' || *r == '\t' || *r == '-' || *r == '_') {
			sep = w != k;
			continue;
		}
		if (sep)
			*w++ = '_';
		sep = false;
		*w++ = *r;
	}
	*w = '\0';
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int add_entry(struct ceph_conf *c, const char *section, const char *key, const char *value)
{
	/* A key set twice in a section: the last one counts, as in Ceph. */
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].section, section) && !strcmp(c->e[i].key, key)) {
			char *v = strdup(value);
			if (!v)
				return -ENOMEM;
			free(c->e[i].value);
			c->e[i].value = v;
			return 0;
		}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 32;
		struct conf_entry *ne = realloc(c->e, ncap * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		c->e = ne;
		c->cap = ncap;
	}
	struct conf_entry *e = &c->e[c->n];
	e->section = strdup(section);
	e->key = strdup(key);
	e->value = strdup(value);
	if (!e->section || !e->key || !e->value) {
		free(e->section);
		free(e->key);
		free(e->value);
		return -ENOMEM;
	}
	c->n++;
	return 0;
}

/* The value part of "key = value", in place: unquoted, or cut at a comment
 * and trimmed. Sets *out to its start. */
static int parse_value(char *v, char **out, unsigned line, char *err, size_t errlen)
{
	v = trim(v);
	if (*v == '"') {
		char *w = v, *r = v + 1;
		for (; *r && *r != '"'; r++) {
			if (*r == '\\' && r[1])
				r++;
			*w++ = *r;
		}
		if (*r != '"')
			return printable_error(err, errlen, line, -EINVAL, "unterminated quoted value");
		char *rest = trim(r + 1);
		if (*rest && *rest != '#' && *rest != ';')
			return printable_error(err, errlen, line, -EINVAL, "text after a quoted value");
		*w = '\0';
		*out = v;
		return 0;
	}
	char *c = strpbrk(v, "#;");
	if (c)
		*c = '\0';
	*out = trim(v);
	return 0;
}

int ceph_conf_parse(const char *text, size_t len, struct ceph_conf **out, char *err, size_t errlen)
{
	struct ceph_conf *c = calloc(1, sizeof(*c));
	char *buf = NULL, section[256] = "global";
	unsigned line = 0;
	int r = 0;

	*out = NULL;
	if (!c)
		return printable_error(err, errlen, 0, -ENOMEM, "out of memory");
	if (!text)
		text = "", len = 0;
	if (len && memchr(text, '\0', len)) {
		r = printable_error(err, errlen, 0, -EINVAL, "NUL byte in file (not a text file?)");
		goto out;
	}
	buf = malloc(len + 1);
	if (!buf) {
		r = printable_error(err, errlen, 0, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';

	for (char *p = buf; *p;) {
		char *eol = strchr(p, '\n'), *l = p;
		unsigned first_line = ++line;
		p = eol ? eol + 1 : p + strlen(p);
		if (eol)
			*eol = '\0';
		/* A trailing backslash joins the next line. */
		while (strlen(l) && l[strlen(l) - 1] == '\\' && *p) {
			l[strlen(l) - 1] = '\0';
			char *next_eol = strchr(p, '\n');
			if (next_eol)
				*next_eol = '\0';
			memmove(l + strlen(l), p, strlen(p) + 1);
			line++;
			p = next_eol ? next_eol + 1 : p + strlen(p);
		}
		l = trim(l);
		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *close = strchr(l, ']');
			if (!close) {
				r = printable_error(err, errlen, first_line, -EINVAL, "unclosed section header");
				goto out;
			}
			char *rest = trim(close + 1);
			if (*rest && *rest != '#' && *rest != ';') {
				r = printable_error(err, errlen, first_line, -EINVAL, "text after a section header");
				goto out;
			}
			*close = '\0';
			char *name = trim(l + 1);
			if (!*name || strlen(name) >= sizeof(section)) {
				r = printable_error(err, errlen, first_line, -EINVAL, "bad section name");
				goto out;
			}
			snprintf(section, sizeof(section), "%s", name);
			continue;
		}
		char *eq = strchr(l, '=');
		if (!eq) {
			/* Never quote the line: in a keyring it may be a key. */
			r = printable_error(err, errlen, first_line, -EINVAL, "expected 'key = value' or '[section]'");
			goto out;
		}
		*eq = '\0';
		char *key = trim(l);
		normalize_key(key);
		if (!*key) {
			r = printable_error(err, errlen, first_line, -EINVAL, "no key name before '='");
			goto out;
		}
		char *val = NULL;
		if ((r = parse_value(eq + 1, &val, first_line, err, errlen)) != 0)
			goto out;
		if ((r = add_entry(c, section, key, val)) != 0) {
			r = printable_error(err, errlen, first_line, r, "out of memory");
			goto out;
		}
	}
out:
	if (buf) {
		explicit_bzero(buf, len + 1); /* keyrings hold keys */
		free(buf);
	}
	if (r) {
		ceph_conf_free(c);
		return r;
	}
	*out = c;
	return 0;
}

void ceph_conf_free(struct ceph_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		explicit_bzero(c->e[i].value, strlen(c->e[i].value));
		free(c->e[i].section);
		free(c->e[i].key);
		free(c->e[i].value);
	}
	free(c->e);
	free(c);
}

const char *ceph_conf_get_raw(const struct ceph_conf *c, const char *section, const char *key)
{
	char k[256];

	snprintf(k, sizeof(k), "%s", key);
	normalize_key(k);
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].section, section) && !strcmp(c->e[i].key, k))
			return c->e[i].value;
	return NULL;
}

/* $cluster, $type, $id, $name (and ${...}) of @entity into @out. */
static int expand(const char *v, const char *entity, char *out, size_t outlen)
{
	const char *dot = strchr(entity, '.');
	size_t typelen = dot ? (size_t)(dot - entity) : strlen(entity);
	size_t n = 0;

	for (const char *p = v; *p;) {
		const char *rep = NULL;
		size_t replen = 0, skip = 0;
		if (*p == '$') {
			bool brace = p[1] == '{';
			const char *name = p + 1 + brace;
			size_t namelen = strspn(name, "abcdefghijklmnopqrstuvwxyz_");
			if (!brace || name[namelen] == '}') {
				skip = 1 + brace + namelen + brace;
				if (namelen == 7 && !strncmp(name, "cluster", 7))
					rep = "ceph", replen = 4;
				else if (namelen == 4 && !strncmp(name, "type", 4))
					rep = entity, replen = typelen;
				else if (namelen == 2 && !strncmp(name, "id", 2))
					rep = dot ? dot + 1 : "", replen = strlen(rep);
				else if (namelen == 4 && !strncmp(name, "name", 4))
					rep = entity, replen = strlen(entity);
			}
		}
		if (!rep) { /* not a variable we know: keep the text */
			rep = p;
			replen = 1;
			skip = 1;
		}
		if (n + replen >= outlen)
			return -ENAMETOOLONG;
		memcpy(out + n, rep, replen);
		n += replen;
		p += skip;
	}
	out[n] = '\0';
	return 0;
}

int ceph_conf_get(const struct ceph_conf *c, const char *entity, const char *key, char *buf, size_t buflen)
{
	char type[64];
	const char *dot = strchr(entity, '.');
	size_t tl = dot ? (size_t)(dot - entity) : strlen(entity);
	const char *v;

	if (tl >= sizeof(type))
		tl = sizeof(type) - 1;
	memcpy(type, entity, tl);
	type[tl] = '\0';
	if (!(v = ceph_conf_get_raw(c, entity, key)) && !(v = ceph_conf_get_raw(c, type, key)) &&
	    !(v = ceph_conf_get_raw(c, "global", key)))
		return -ENOENT;
	return expand(v, entity, buf, buflen);
}

int ceph_key_decode(const char *b64, struct ceph_crypto_key *key, char *err, size_t errlen)
{
	unsigned char raw[3 * 64 / 4 + 3];
	char clean[96];
	size_t n = 0;
	int r = -EINVAL;

	memset(key, 0, sizeof(*key));
	while (*b64 == ' ' || *b64 == '\t')
		b64++;
	for (; *b64 && *b64 != '\n' && *b64 != '\r' && *b64 != ' ' && *b64 != '\t'; b64++) {
		if (n + 1 >= sizeof(clean)) {
			printable_error(err, errlen, 0, -EINVAL, "key too long");
			goto out;
		}
		clean[n++] = *b64;
	}
	clean[n] = '\0';
	while (*b64 == ' ' || *b64 == '\t' || *b64 == '\r' || *b64 == '\n')
		b64++;
	if (*b64) {
		printable_error(err, errlen, 0, -EINVAL, "text after the key");
		goto out;
	}
	if (n == 0 || n % 4) {
		printable_error(err, errlen, 0, -EINVAL,
				"a key is base64 text whose length is a multiple of 4 (got %zu characters)", n);
		goto out;
	}
	if (strspn(clean, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != n) {
		printable_error(err, errlen, 0, -EINVAL, "a key holds only base64 characters");
		goto out;
	}
	int got = EVP_DecodeBlock(raw, (const unsigned char *)clean, (int)n);
	if (got < 0) {
		printable_error(err, errlen, 0, -EINVAL, "not valid base64");
		goto out;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes; drop them. */
	size_t pad = (n >= 1 && clean[n - 1] == '=') + (n >= 2 && clean[n - 2] == '=');
	size_t rawlen = (size_t)got - pad;
	if (rawlen < 12) {
		printable_error(err, errlen, 0, -EINVAL, "key too short (%zu bytes decoded, need a 12-byte header)",
				rawlen);
		goto out;
	}
	key->type = (uint16_t)(raw[0] | raw[1] << 8);
	key->created_sec = (uint32_t)raw[2] | (uint32_t)raw[3] << 8 | (uint32_t)raw[4] << 16 | (uint32_t)raw[5] << 24;
	key->created_nsec = (uint32_t)raw[6] | (uint32_t)raw[7] << 8 | (uint32_t)raw[8] << 16 | (uint32_t)raw[9] << 24;
	key->len = (uint16_t)(raw[10] | raw[11] << 8);
	if (key->type != CEPH_CRYPTO_AES) {
		printable_error(err, errlen, 0, -EINVAL, "key type %u is not AES (1)", key->type);
		goto out;
	}
	if (key->len != 16 || rawlen != 12u + key->len) {
		printable_error(err, errlen, 0, -EINVAL, "AES key of %u bytes in %zu decoded bytes (want 16 in 28)",
				key->len, rawlen);
		goto out;
	}
	memcpy(key->secret, raw + 12, key->len);
	r = 0;
out:
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(clean, sizeof(clean));
	if (r)
		ceph_key_wipe(key);
	return r;
}

int ceph_keyring_get_key(const struct ceph_conf *keyring, const char *entity, struct ceph_crypto_key *key,
			 char *err, size_t errlen)
{
	const char *v = ceph_conf_get_raw(keyring, entity, "key");
	char why[160];

	if (!v)
		return printable_error(err, errlen, 0, -ENOENT, "no key for %.64s in the keyring", entity);
	if (ceph_key_decode(v, key, why, sizeof(why)))
		return printable_error(err, errlen, 0, -EINVAL, "the key of %.64s: %s", entity, why);
	return 0;
}
