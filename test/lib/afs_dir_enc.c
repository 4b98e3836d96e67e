/* test/lib/afs_dir_enc.c: AFS directory blobs for tests (afs_dir_enc.h). A
 * new directory is laid out as OpenAFS's MakeDir lays it out; entries are
 * added and removed by afs_rx's own editor (afs_dir_add, afs_dir_remove),
 * whose placement its unit tests check against the fileserver's rules. */
#include "config.h"

#include "test/lib/afs_dir_enc.h"

#include <stdlib.h>
#include <string.h>

#include "afs_rx/afs_dir.h"
#include "net/byteorder.h"

void afs_dir_enc_init(struct afs_dir_enc *b, uint32_t vnode, uint32_t unique, uint32_t pvnode, uint32_t punique)
{
	*b = (struct afs_dir_enc){.blob = calloc(1, AFS_DIR_PAGE_SIZE), .npages = 1};
	if (!b->blob)
		abort();
	uint8_t *pg = b->blob;
	put_be16(pg, 1);		  /* page count */
	put_be16(pg + 2, AFS_DIR_TAG);
	pg[4] = AFS_DIR_SLOTS_PER_PAGE - AFS_DIR_PAGE0_RESERVED; /* free slots */
	pg[5] = 0xff;			  /* slots 0..12: the headers */
	pg[6] = 0x1f;
	pg[32] = AFS_DIR_SLOTS_PER_PAGE - AFS_DIR_PAGE0_RESERVED; /* allocation map */
	memset(pg + 33, AFS_DIR_SLOTS_PER_PAGE, 127);
	afs_dir_enc_add(b, ".", vnode, unique);
	afs_dir_enc_add(b, "..", pvnode, punique);
}

int afs_dir_enc_add(struct afs_dir_enc *b, const char *name, uint32_t vnode, uint32_t unique)
{
	size_t len = afs_dir_enc_len(b);
	int r = afs_dir_add(&b->blob, &len, name, vnode, unique);
	b->npages = (unsigned)(len / AFS_DIR_PAGE_SIZE);
	return r < 0 ? -1 : r;
}

int afs_dir_enc_remove(struct afs_dir_enc *b, const char *name)
{
	return afs_dir_remove(b->blob, afs_dir_enc_len(b), name) ? -1 : 0;
}

size_t afs_dir_enc_len(const struct afs_dir_enc *b)
{
	return (size_t)b->npages * AFS_DIR_PAGE_SIZE;
}

void afs_dir_enc_free(struct afs_dir_enc *b)
{
	free(b->blob);
	*b = (struct afs_dir_enc){0};
}
