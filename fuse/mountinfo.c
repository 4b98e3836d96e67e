/*
 * fuse/mountinfo.c: find netfuse mounts in /proc/self/mountinfo (see
 * mountinfo.h).
 *
 * Each line is "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] -
 * TYPE SOURCE SUPEROPTIONS" (proc(5)), with space, tab, newline and
 * backslash in paths written as \ooo octal escapes. Only the mount point and
 * the type are read; a line that does not have them is skipped, so a table
 * the kernel extends later still reads.
 */
#include "config.h"

#include "mountinfo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NETFUSE_TYPE "fuse.netfuse-"

/* Undo the kernel's \ooo escapes, in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* The mount point and the type of one line; false when it has not both. */
static bool parse_line(char *line, char **mountpoint, char **type)
{
	char *save = NULL, *t = strtok_r(line, " \n", &save);

	for (int i = 0; t && i < 4; i++) /* ID PARENT MAJ:MIN ROOT */
		t = strtok_r(NULL, " \n", &save);
	*mountpoint = t;
	t = strtok_r(NULL, " \n", &save); /* the mount options */
	while (t && strcmp(t, "-"))	  /* then optional fields, up to "-" */
		t = strtok_r(NULL, " \n", &save);
	*type = t ? strtok_r(NULL, " \n", &save) : NULL;
	return *mountpoint && *type;
}

int mountinfo_netfuse_at(FILE *f, const char *path, char *type, size_t typelen)
{
	char *line = NULL, *mp, *ty;
	size_t cap = 0;
	int found = 0;

	while (!found && getline(&line, &cap, f) > 0) {
		if (!parse_line(line, &mp, &ty) || strncmp(ty, NETFUSE_TYPE, strlen(NETFUSE_TYPE)))
			continue;
		unescape(mp);
		if (!strcmp(mp, path)) {
			snprintf(type, typelen, "%s", ty);
			found = 1;
		}
	}
	free(line);
	return !found && ferror(f) ? -EIO : found;
}
