/* test/lib/afs_dir_enc.c: AFS directory blobs for tests (afs_dir_enc.h). */
#include "config.h"

#include "test/lib/afs_dir_enc.h"

#include <stdlib.h>
#include <string.h>

#include "afs_rx/afs_dir.h"
#include "net/byteorder.h"

#define P  AFS_DIR_PAGE_SIZE
#define S  AFS_DIR_SLOT_SIZE
#define EP AFS_DIR_SLOTS_PER_PAGE

static uint8_t *page(struct afs_dir_enc *b, unsigned p)
{
	return b->blob + (size_t)p * P;
}

static void set_bit(uint8_t *pg, unsigned s, int on)
{
	if (on)
		pg[5 + s / 8] |= (uint8_t)(1u << (s % 8));
	else
		pg[5 + s / 8] &= (uint8_t) ~(1u << (s % 8));
}

static int bit(const uint8_t *pg, unsigned s)
{
	return pg[5 + s / 8] >> (s % 8) & 1;
}

static void add_page(struct afs_dir_enc *b)
{
	b->blob = realloc(b->blob, (size_t)(b->npages + 1) * P);
	if (!b->blob)
		abort();
	uint8_t *pg = page(b, b->npages);
	memset(pg, 0, P);
	put_be16(pg + 2, AFS_DIR_TAG);
	set_bit(pg, 0, 1);
	b->npages++;
	put_be16(b->blob, (uint16_t)b->npages);
}

void afs_dir_enc_init(struct afs_dir_enc *b, uint32_t vnode, uint32_t unique, uint32_t pvnode, uint32_t punique)
{
	*b = (struct afs_dir_enc){0};
	add_page(b);
	for (unsigned s = 0; s < AFS_DIR_PAGE0_RESERVED; s++)
		set_bit(page(b, 0), s, 1);
	afs_dir_enc_add(b, ".", vnode, unique);
	afs_dir_enc_add(b, "..", pvnode, punique);
}

int afs_dir_enc_add(struct afs_dir_enc *b, const char *name, uint32_t vnode, uint32_t unique)
{
	size_t len = strlen(name);
	unsigned need = afs_dir_name_slots(len);
	for (unsigned p = 0;; p++) {
		if (p == b->npages) {
			if (p == AFS_DIR_MAX_PAGES)
				return -1;
			add_page(b);
		}
		uint8_t *pg = page(b, p);
		for (unsigned s = 1; s + need <= EP; s++) {
			unsigned k = 0;
			while (k < need && !bit(pg, s + k))
				k++;
			if (k < need)
				continue;
			for (k = 0; k < need; k++)
				set_bit(pg, s + k, 1);
			unsigned num = p * EP + s;
			uint8_t *e = b->blob + (size_t)num * S;
			memset(e, 0, need * S);
			e[0] = 1; /* FFIRST */
			uint8_t *head = b->blob + S + 128 + 2 * afs_dir_hash(name, len);
			memcpy(e + 2, head, 2);
			put_be32(e + 4, vnode);
			put_be32(e + 8, unique);
			memcpy(e + 12, name, len + 1);
			put_be16(head, (uint16_t)num);
			return (int)num;
		}
	}
}

int afs_dir_enc_remove(struct afs_dir_enc *b, const char *name)
{
	size_t len = strlen(name);
	uint8_t *prev = b->blob + S + 128 + 2 * afs_dir_hash(name, len);
	unsigned num;
	while ((num = get_be16(prev)) != 0) {
		uint8_t *e = b->blob + (size_t)num * S;
		if (strcmp((char *)e + 12, name) == 0) {
			memcpy(prev, e + 2, 2);
			unsigned n = afs_dir_name_slots(len);
			for (unsigned k = 0; k < n; k++)
				set_bit(page(b, num / EP), num % EP + k, 0);
			return 0;
		}
		prev = e + 2;
	}
	return -1;
}

size_t afs_dir_enc_len(const struct afs_dir_enc *b)
{
	return (size_t)b->npages * P;
}

void afs_dir_enc_free(struct afs_dir_enc *b)
{
	free(b->blob);
	*b = (struct afs_dir_enc){0};
}
