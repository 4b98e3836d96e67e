/* Fuzz target: fuse/mount_opts.c's -o option string parser. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuse/mount_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct opts {
	bool flag;
	char *str, *secret;
	unsigned n;
	double secs;
};

static const struct mopt_spec specs[] = {
	{ .name = "flag", .type = MOPT_FLAG, .offset = offsetof(struct opts, flag) },
	{ .name = "str", .type = MOPT_STRING, .offset = offsetof(struct opts, str) },
	{ .name = "secret", .type = MOPT_STRING, .offset = offsetof(struct opts, secret), .secret = true },
	{ .name = "n", .type = MOPT_UINT, .offset = offsetof(struct opts, n), .min = 1, .max = 1000 },
	{ .name = "secs", .type = MOPT_SECONDS, .offset = offsetof(struct opts, secs), .max = 3600 },
	{ .name = NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct opts o;
	struct mopt_table tables[] = { { specs, &o }, { NULL, NULL } };
	struct mount_cmdline cl;
	char err[256];
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&o, 0, sizeof(o));
	memset(&cl, 0, sizeof(cl));
	err[0] = '\0';
	if (mount_opts_parse(s, tables, &cl, err, sizeof(err)) == 0) {
		if ((o.n && (o.n < 1 || o.n > 1000)) || o.secs < 0 || o.secs > 3600)
			abort(); /* accepted out of range */
	} else {
		if (!err[0])
			abort();
		for (const char *p = err; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				abort(); /* one printable line */
		/* Echoed text is at most 64 bytes of a value or 32 of a name, so a
		 * longer secret found in the message was leaked. */
		if (o.secret && strlen(o.secret) > 64 && strstr(err, o.secret))
			abort();
	}
	mount_opts_free(tables, &cl);
	free(s);
	return 0;
}
