/* Fuzz target: afs_rx/afs_dir.c, the AFS directory blob parser, and lookups
 * and listings on what it accepts; then afs_rx/afs_dir_edit.c on what it
 * accepts: names removed and added, after which the blob must still parse
 * and hold what the edits say. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "afs_rx/afs_dir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Remove every other entry of @d (the even indexes) and add names of
 * several lengths to a copy of the blob. The editor may refuse a blob whose
 * bookkeeping is off (-EIO: a cache manager fetches it again); whatever it
 * takes must leave a blob that parses to @d less and plus those names. */
static void edits(const struct afs_dir *d)
{
	size_t len = d->len;
	uint8_t *copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, d->blob, len);
	static const size_t lens[] = {1, 27, 60, AFS_DIR_NAME_MAX};
	char added[4][AFS_DIR_NAME_MAX + 1];
	bool took[4] = {0};
	for (unsigned i = 0; i < d->nentries; i += 2) {
		/* The name lives in the original blob, which stays unchanged. */
		int r = afs_dir_remove(copy, len, d->entries[i].name);
		if (r == -EIO)
			goto out;
		if (r)
			abort(); /* every listed name is there to remove */
	}
	for (unsigned k = 0; k < 4; k++) {
		memset(added[k], 'a' + (int)k, lens[k]);
		added[k][lens[k]] = '\0';
		const struct afs_dir_entry *x = afs_dir_lookup(d, added[k], lens[k]);
		bool kept = x && (x - d->entries) % 2 == 1;
		int r = afs_dir_add(&copy, &len, added[k], 7 + k, 9 + k);
		if (r == -EIO)
			goto out;
		if (r == -EEXIST ? !kept : r >= 0 ? kept : r != -EFBIG)
			abort(); /* present exactly when kept */
		took[k] = r >= 0;
	}
	struct afs_dir e;
	char err[200];
	if (afs_dir_parse(&e, copy, len, err, sizeof(err)))
		abort(); /* an edit broke the blob */
	unsigned want = 0;
	for (unsigned i = 0; i < d->nentries; i++) {
		const struct afs_dir_entry *x = &d->entries[i];
		const struct afs_dir_entry *y = afs_dir_lookup(&e, x->name, x->namelen);
		bool readded = false;
		for (unsigned k = 0; k < 4; k++)
			readded |= took[k] && x->namelen == lens[k] && memcmp(added[k], x->name, lens[k]) == 0;
		if (readded)
			continue;
		if ((y != NULL) != (i % 2 == 1))
			abort();
		if (y && (y->vnode != x->vnode || y->unique != x->unique))
			abort();
		want += i % 2 == 1;
	}
	for (unsigned k = 0; k < 4; k++) {
		const struct afs_dir_entry *y = afs_dir_lookup(&e, added[k], lens[k]);
		if (took[k] && (!y || y->vnode != 7 + k))
			abort();
		want += took[k];
	}
	if (e.nentries != want)
		abort();
	afs_dir_free(&e);
out:
	free(copy);
}

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
		edits(&d);
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
