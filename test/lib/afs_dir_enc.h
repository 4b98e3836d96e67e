/*
 * test/lib/afs_dir_enc.h: AFS directory blobs as an OpenAFS fileserver
 * writes them, for the parser's tests and fuzz seeds: a new directory as
 * MakeDir lays it out (src/dir/dir.c), entries added and removed through
 * afs_rx's editor (afs_dir_add, afs_dir_remove: first-fit slots, new
 * entries at the head of their hash chain, pages added as needed).
 */
#ifndef NETFUSE_TEST_AFS_DIR_ENC_H
#define NETFUSE_TEST_AFS_DIR_ENC_H

#include <stddef.h>
#include <stdint.h>

struct afs_dir_enc {
	uint8_t *blob; /* npages * AFS_DIR_PAGE_SIZE bytes */
	unsigned npages;
};

/* A new directory holding "." (@vnode.@unique) and ".." (@pvnode.@punique). */
void afs_dir_enc_init(struct afs_dir_enc *b, uint32_t vnode, uint32_t unique, uint32_t pvnode, uint32_t punique);
/* Add @name; its entry number, or -1 when the directory is full. */
int afs_dir_enc_add(struct afs_dir_enc *b, const char *name, uint32_t vnode, uint32_t unique);
/* Remove @name; 0, or -1 when absent. */
int afs_dir_enc_remove(struct afs_dir_enc *b, const char *name);
size_t afs_dir_enc_len(const struct afs_dir_enc *b);
void afs_dir_enc_free(struct afs_dir_enc *b);

#endif
