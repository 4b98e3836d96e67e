/*
 * fuse/mount_opts.c: parse the front-ends' command line (see mount_opts.h).
 *
 * Written for netfuse rather than with libfuse's fuse_opt_parse: that one
 * silently keeps unknown options for the kernel, where netfuse must refuse
 * them with a message naming the option, and must never echo a secret.
 */
#include "config.h"

#include "mount_opts.h"
#include "text/printable.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Options handed to libfuse's fuse_session_new() and on to the kernel. */
static const char *const fuse_opts[] = {
	"allow_other", "allow_root", "default_permissions", "ro", "rw", "dev", "nodev", "suid", "nosuid",
	"exec", "noexec", "atime", "noatime", "relatime", "norelatime", "strictatime", "diratime",
	"nodiratime", "sync", "async", "dirsync", "auto_unmount", NULL,
};

/* Options only mount(8), mount.fuse3 and fstab use; accepted and dropped. */
static const char *const mount_only[] = {
	"_netdev", "auto", "noauto", "nofail", "user", "nouser", "users", "owner", "group", "defaults", NULL,
};

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

bool mount_opt_is_fuse(const char *name)
{
	return in_list(fuse_opts, name);
}

bool mount_opt_is_mount_only(const char *name)
{
	/* x-* (x-systemd.automount, ...) and comment= belong to mount and systemd. */
	return in_list(mount_only, name) || !strncmp(name, "x-", 2) || !strcmp(name, "comment");
}

static int append_fuse_opt(struct mount_cmdline *cl, const char *opt, char *err, size_t errlen)
{
	size_t old = cl->fuse_opts ? strlen(cl->fuse_opts) : 0, add = strlen(opt);
	char *n = realloc(cl->fuse_opts, old + add + 2);

	if (!n)
		return printable_error(err, errlen, 0, -EINVAL, "out of memory");
	if (old)
		n[old++] = ',';
	memcpy(n + old, opt, add + 1);
	cl->fuse_opts = n;
	return 0;
}

static const struct mopt_spec *find_spec(const struct mopt_table *tables, const char *name, void **dest)
{
	for (const struct mopt_table *t = tables; t && t->specs; t++)
		for (const struct mopt_spec *s = t->specs; s->name; s++)
			if (!strcmp(s->name, name)) {
				*dest = t->dest;
				return s;
			}
	return NULL;
}

/* @path as an absolute path (malloc'd), from the working directory now. */
static char *absolute_path(const char *path)
{
	char *cwd, *abs = NULL;

	if (path[0] == '/')
		return strdup(path);
	cwd = getcwd(NULL, 0);
	if (cwd && asprintf(&abs, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path) < 0)
		abs = NULL;
	free(cwd);
	return abs;
}

/* Keep @copy (malloc'd; NULL: out of memory) as the option's string. */
static int set_string(const struct mopt_spec *s, char *field, char *copy, char *err, size_t errlen)
{
	char **slot = (char **)field;

	if (!copy)
		return printable_error(err, errlen, 0, -EINVAL, "out of memory");
	if (*slot && s->secret)
		explicit_bzero(*slot, strlen(*slot));
	free(*slot);
	*slot = copy;
	return 0;
}

static int set_value(const struct mopt_spec *s, void *dest, const char *name, const char *val, char *err,
		     size_t errlen)
{
	char *field = (char *)dest + s->offset;
	const char *shown = s->secret ? "(secret)" : val;

	switch (s->type) {
	case MOPT_FLAG:
		if (val)
			return printable_error(err, errlen, 0, -EINVAL, "option '%s' takes no value", name);
		*(bool *)field = true;
		return 0;
	case MOPT_STRING:
		if (!val)
			return printable_error(err, errlen, 0, -EINVAL, "option '%s' needs a value (%s=...)", name,
					       name);
		return set_string(s, field, strdup(val), err, errlen);
	case MOPT_PATH: {
		if (!val || !*val)
			return printable_error(err, errlen, 0, -EINVAL, "option '%s' needs a file name (%s=FILE)", name,
					       name);
		char *abs = absolute_path(val);
		if (!abs && errno != ENOMEM)
			return printable_error(
			    err, errlen, 0, -EINVAL,
			    "option '%s': '%.64s' is relative, but the working directory cannot be read (%s)", name,
			    shown, strerror(errno));
		return set_string(s, field, abs, err, errlen);
	}
	case MOPT_UINT: {
		char *end;
		if (!val || !*val)
			return printable_error(err, errlen, 0, -EINVAL, "option '%s' needs a value (%s=N)", name, name);
		errno = 0;
		unsigned long v = strtoul(val, &end, 10);
		if (*end || errno || val[0] == '-' || v < s->min || v > s->max)
			return printable_error(err, errlen, 0, -EINVAL,
					       "option '%s': '%.64s' is not a whole number from %u to %u", name, shown,
					       s->min, s->max);
		*(unsigned *)field = (unsigned)v;
		return 0;
	}
	case MOPT_SECONDS: {
		char *end;
		if (!val || !*val)
			return printable_error(err, errlen, 0, -EINVAL, "option '%s' needs a value (%s=SECONDS)", name,
					       name);
		errno = 0;
		double v = strtod(val, &end);
		if (*end || errno || !isfinite(v) || v < 0 || v > s->max || val[0] == '-' || val[0] == '+' ||
		    !strncasecmp(val, "0x", 2))
			return printable_error(err, errlen, 0, -EINVAL,
					       "option '%s': '%.64s' is not a number of seconds from 0 to %u", name,
					       shown, s->max);
		*(double *)field = v;
		return 0;
	}
	}
	return printable_error(err, errlen, 0, -EINVAL, "option '%s' has no type", name);
}

/* One option, unescaped, "name" or "name=value". */
static int one_opt(char *opt, const struct mopt_table *tables, struct mount_cmdline *cl, char *err, size_t errlen)
{
	char *eq = strchr(opt, '=');
	const char *val = NULL;
	void *dest = NULL;

	if (eq) {
		*eq = '\0';
		val = eq + 1;
	}
	if (!*opt)
		return printable_error(err, errlen, 0, -EINVAL, "empty option name%s", val ? " before '='" : "");
	const struct mopt_spec *s = find_spec(tables, opt, &dest);
	if (s)
		return set_value(s, dest, opt, val, err, errlen);
	if (mount_opt_is_fuse(opt)) {
		if (val)
			return printable_error(err, errlen, 0, -EINVAL, "option '%s' takes no value", opt);
		return append_fuse_opt(cl, opt, err, errlen);
	}
	if (mount_opt_is_mount_only(opt))
		return 0;
	/* A long "name" is more likely a key pasted without its "secret=" than
	 * a misspelt option: do not echo it. */
	if (strlen(opt) > 32)
		return printable_error(err, errlen, 0, -EINVAL,
				       "unknown option of %zu characters (not shown: it may be a key)", strlen(opt));
	return printable_error(err, errlen, 0, -EINVAL, "unknown option '%s'", opt);
}

int mount_opts_parse(const char *opts, const struct mopt_table *tables, struct mount_cmdline *cl, char *err,
		     size_t errlen)
{
	size_t len = strlen(opts);
	char *buf = malloc(len + 1);
	size_t n = 0;
	int r = 0;

	if (!buf)
		return printable_error(err, errlen, 0, -EINVAL, "out of memory");
	for (size_t i = 0;; i++) {
		char c = opts[i];
		if (c == '\\' && opts[i + 1]) {
			buf[n++] = opts[++i];
			continue;
		}
		if (c == ',' || c == '\0') {
			buf[n] = '\0';
			/* Empty items (",,", a trailing ',') are harmless; skip them. */
			if (n && (r = one_opt(buf, tables, cl, err, errlen)) != 0)
				break;
			n = 0;
			if (c == '\0')
				break;
			continue;
		}
		buf[n++] = c;
	}
	explicit_bzero(buf, len + 1); /* it may have held secret= */
	free(buf);
	return r;
}

/* The spec whose args list the flag @a ("-k", or "--id=NAME" with the value
 * returned in @inline_val). */
static const struct mopt_spec *find_arg(const struct mopt_table *tables, const char *a, void **dest,
					const char **inline_val)
{
	const char *eq = !strncmp(a, "--", 2) ? strchr(a, '=') : NULL;
	size_t alen = eq ? (size_t)(eq - a) : strlen(a);

	*inline_val = eq ? eq + 1 : NULL;
	for (const struct mopt_table *t = tables; t && t->specs; t++)
		for (const struct mopt_spec *s = t->specs; s->name; s++)
			for (const char *p = s->args; p && *p;) {
				size_t n = strcspn(p, "|");
				if (n == alen && !strncmp(p, a, n)) {
					*dest = t->dest;
					return s;
				}
				p += n + (p[n] == '|');
			}
	return NULL;
}

int mount_cmdline_parse(int argc, char **argv, const struct mopt_table *tables, struct mount_cmdline *cl,
			char *err, size_t errlen)
{
	int r;

	memset(cl, 0, sizeof(*cl));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strncmp(a, "-o", 2)) { /* "-o OPTS" or "-oOPTS" */
			const char *o = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
			if (!o)
				return printable_error(err, errlen, 0, -EINVAL, "option -o needs an argument");
			if ((r = mount_opts_parse(o, tables, cl, err, errlen)) != 0)
				return r;
		} else if (!strcmp(a, "-f")) {
			cl->foreground = true;
		} else if (!strcmp(a, "-d") || !strcmp(a, "--debug")) {
			cl->debug = cl->foreground = true; /* as libfuse: debug implies foreground */
		} else if (!strcmp(a, "-s")) {
			cl->single_thread = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cl->help = true;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			cl->version = true;
		} else if (!strcmp(a, "--")) {
			continue;
		} else if (a[0] == '-' && a[1]) {
			const char *val;
			void *dest;
			const struct mopt_spec *s = find_arg(tables, a, &dest, &val);
			if (!s)
				return printable_error(err, errlen, 0, -EINVAL, "unknown option '%.64s'", a);
			if (!val && !(val = i + 1 < argc ? argv[++i] : NULL))
				return printable_error(err, errlen, 0, -EINVAL, "option %.64s needs an argument", a);
			if ((r = set_value(s, dest, s->name, val, err, errlen)) != 0)
				return r;
		} else if (!cl->source) {
			cl->source = argv[i];
		} else if (!cl->mountpoint) {
			cl->mountpoint = argv[i];
		} else {
			return printable_error(err, errlen, 0, -EINVAL,
					       "unexpected argument '%.64s' after SOURCE and MOUNTPOINT", a);
		}
	}
	if (cl->help || cl->version)
		return 0;
	if (!cl->source)
		return printable_error(err, errlen, 0, -EINVAL, "missing SOURCE and MOUNTPOINT");
	if (!cl->mountpoint)
		return printable_error(err, errlen, 0, -EINVAL, "missing MOUNTPOINT");
	if (!*cl->source || !*cl->mountpoint)
		return printable_error(err, errlen, 0, -EINVAL, "empty %s", *cl->source ? "MOUNTPOINT" : "SOURCE");
	return 0;
}

void mount_opts_free(const struct mopt_table *tables, struct mount_cmdline *cl)
{
	for (const struct mopt_table *t = tables; t && t->specs; t++)
		for (const struct mopt_spec *s = t->specs; s->name; s++) {
			if (s->type != MOPT_STRING && s->type != MOPT_PATH)
				continue;
			char **slot = (char **)((char *)t->dest + s->offset);
			if (*slot && s->secret)
				explicit_bzero(*slot, strlen(*slot));
			free(*slot);
			*slot = NULL;
		}
	if (cl) {
		free(cl->fuse_opts);
		cl->fuse_opts = NULL;
	}
}

/* Overwrite the values of secret options in one -o string, in place. */
static void scrub_opts(char *o, const struct mopt_table *tables)
{
	while (*o) {
		char *start = o, *eq = NULL;
		/* One option: up to an unescaped ','. */
		for (; *o && *o != ','; o++) {
			if (*o == '\\' && o[1]) {
				o++;
				continue;
			}
			if (*o == '=' && !eq)
				eq = o;
		}
		if (eq) {
			char name[128];
			void *dest;
			size_t n = (size_t)(eq - start);
			if (n < sizeof(name)) {
				memcpy(name, start, n);
				name[n] = '\0';
				const struct mopt_spec *sp = find_spec(tables, name, &dest);
				if (sp && sp->secret)
					for (char *v = eq + 1; v < o; v++)
						*v = '*';
			}
		}
		if (*o == ',')
			o++;
	}
}

void mount_cmdline_scrub(int argc, char **argv, const struct mopt_table *tables)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-o") && i + 1 < argc)
			scrub_opts(argv[++i], tables);
		else if (!strncmp(a, "-o", 2))
			scrub_opts(argv[i] + 2, tables);
		else if (a[0] == '-' && a[1]) {
			const char *val;
			void *dest;
			const struct mopt_spec *sp = find_arg(tables, a, &dest, &val);
			if (sp && sp->secret) {
				char *v = val ? (char *)val : (i + 1 < argc ? argv[++i] : NULL);
				for (; v && *v; v++)
					*v = '*';
			}
		}
	}
}
