/* Fuzz target: afs_rx/afs_dir.c, the AFS directory blob parser, and lookups
 * and listings on what it accepts. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "afs_rx/afs_dir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct afs_dir d;
	char err[200];
	/* Whole pages are what the parser reads; pad a short input with
	 * zeros so that the fuzzer reaches the chains, and stamp each page's
	 * tag unless the first byte asks for the raw bytes. */
	size_t len = size;
	uint8_t *blob = NULL;
	if (size > 0 && data[0] & 1) {
		len = (size + AFS_DIR_PAGE_SIZE - 1) / AFS_DIR_PAGE_SIZE * AFS_DIR_PAGE_SIZE;
		blob = calloc(1, len ? len : 1);
		if (!blob)
			return 0;
		memcpy(blob, data, size);
		for (size_t p = 0; p < len; p += AFS_DIR_PAGE_SIZE) {
			blob[p + 2] = AFS_DIR_TAG >> 8;
			blob[p + 3] = AFS_DIR_TAG & 0xff;
		}
	} else {
		blob = malloc(size ? size : 1);
		if (!blob)
			return 0;
		memcpy(blob, data, size);
	}

	int r = afs_dir_parse(&d, blob, len, err, sizeof(err));
	if (r == 0) {
		for (unsigned i = 0; i < d.nentries; i++) {
			const struct afs_dir_entry *e = &d.entries[i];
			if (i > 0 && d.entries[i - 1].num >= e->num)
				abort(); /* strictly in entry-number order */
			if (e->namelen == 0 || strlen(e->name) != e->namelen)
				abort();
			if ((const uint8_t *)e->name < blob || (const uint8_t *)e->name + e->namelen >= blob + len)
				abort();
			if (afs_dir_lookup(&d, e->name, e->namelen) != e)
				abort(); /* every listed name is found, as itself */
			if (afs_dir_seek(&d, e->num) != i)
				abort();
		}
		afs_dir_free(&d);
	} else if (r != -EIO && r != -ENOMEM) {
		abort();
	} else if (d.entries || d.nentries || err[0] == '\0') {
		abort(); /* a refusal leaves nothing and explains itself */
	} else {
		for (const char *p = err; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				abort();
	}
	free(blob);
	return 0;
}
