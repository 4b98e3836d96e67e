/* Fuzz target: fuse/afs/source.c, AFS volume names from mount sources and
 * mount points' contents (which come from the fileserver). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuse/afs/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct afs_source s;
	char err[200];
	int r = afs_source_parse((const char *)data, size, &s, err, sizeof(err));
	if (r == 0) {
		size_t n = strnlen(s.volume, sizeof(s.volume));
		if (n == 0 || n == sizeof(s.volume) || strnlen(s.cell, sizeof(s.cell)) == sizeof(s.cell))
			abort();
		if (s.cell[0] && !afs_cell_name_valid(s.cell, strlen(s.cell)))
			abort();
		for (int from = -1; from <= AFS_VOL_BK; from++) {
			enum afs_vol_type t = afs_source_want(&s, from, true);
			if (s.forced && t != s.type)
				abort();
		}
	} else if (r != -EINVAL || err[0] == '\0') {
		abort();
	} else {
		for (const char *p = err; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				abort();
	}
	return 0;
}
