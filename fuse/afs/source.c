/*
 * fuse/afs/source.c: AFS volume names as sources and mount points
 * (source.h).
 *
 * A volume name is what the VL server takes: 1 to 64 bytes of letters,
 * digits, '.', '-', '_' (OpenAFS names are shorter; the VLDB's limit is the
 * one that matters here), or a volume id in decimal.
 */
#include "config.h"

#include "fuse/afs/source.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "text/printable.h"

static bool vol_char(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_';
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

int afs_source_parse(const char *s, size_t len, struct afs_source *out, char *err, size_t errlen)
{
	*out = (struct afs_source){0};
	if (len == 0 || (s[0] != '%' && s[0] != '#'))
		return printable_error(err, errlen, 0, -EINVAL,
				       "'%.*s' is not an AFS volume: want %%[CELL:]VOLUME or #[CELL:]VOLUME",
				       (int)(len > 80 ? 80 : len), s);
	bool rw = s[0] == '%';
	const char *p = s + 1, *end = s + len;
	const char *colon = memchr(p, ':', (size_t)(end - p));
	if (colon) {
		size_t n = (size_t)(colon - p);
		if (!afs_cell_name_valid(p, n))
			return printable_error(err, errlen, 0, -EINVAL, "'%.*s' is not a cell name",
					       (int)(n > 80 ? 80 : n), p);
		memcpy(out->cell, p, n);
		p = colon + 1;
	}
	size_t n = (size_t)(end - p);
	/* A mount point's trailing '.', then a type suffix. */
	if (n > 0 && p[n - 1] == '.')
		n--;
	out->type = AFS_VOL_RW;
	out->forced = rw;
	if (ends_with(p, n, ".readonly")) {
		n -= strlen(".readonly");
		out->type = AFS_VOL_RO;
		out->forced = true;
	} else if (ends_with(p, n, ".backup")) {
		n -= strlen(".backup");
		out->type = AFS_VOL_BK;
		out->forced = true;
	}
	if (n == 0)
		return printable_error(err, errlen, 0, -EINVAL, "'%.*s' names no volume", (int)(len > 80 ? 80 : len),
				       s);
	if (n >= sizeof(out->volume))
		return printable_error(err, errlen, 0, -EINVAL, "volume name '%.*s...' is longer than %zu bytes", 40, p,
				       sizeof(out->volume) - 1);
	for (size_t i = 0; i < n; i++)
		if (!vol_char((unsigned char)p[i]))
			return printable_error(err, errlen, 0, -EINVAL, "volume name '%.*s' holds '%c'",
					       (int)(n > 80 ? 80 : n), p, p[i]);
	memcpy(out->volume, p, n);
	return 0;
}

enum afs_vol_type afs_source_want(const struct afs_source *src, int from, bool ro_exists)
{
	if (src->forced)
		return src->type;
	if (from == AFS_VOL_RW)
		return AFS_VOL_RW;
	return ro_exists ? AFS_VOL_RO : AFS_VOL_RW;
}

const char *afs_vol_type_name(enum afs_vol_type type)
{
	switch (type) {
	case AFS_VOL_RW:
		return "rw";
	case AFS_VOL_RO:
		return "ro";
	case AFS_VOL_BK:
		return "bk";
	}
	return "?";
}
