/* test/lib/afs_dir_enc.c: AFS directory blobs for tests (afs_dir_enc.h),
 * made and edited by afs_rx's own editor (afs_dir_make as OpenAFS's MakeDir,
 * afs_dir_add, afs_dir_remove), whose layout its unit tests check against
 * the fileserver's rules. */
#include "config.h"

#include "test/lib/afs_dir_enc.h"

#include <stdlib.h>
#include <string.h>

#include "afs_rx/afs_dir.h"
#include "net/byteorder.h"

void afs_dir_enc_init(struct afs_dir_enc *b, uint32_t vnode, uint32_t unique, uint32_t pvnode, uint32_t punique)
{
	size_t len;
	*b = (struct afs_dir_enc){0};
	if (afs_dir_make(&b->blob, &len, vnode, unique, pvnode, punique))
		abort();
	b->npages = (unsigned)(len / AFS_DIR_PAGE_SIZE);
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
