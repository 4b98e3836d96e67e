/* Unit tests: afs_rx/afs_dir_edit.c, AFS directory edits placed as an
 * OpenAFS fileserver places them (first page whose allocation count
 * admits the entry, first run of free slots there, head of the hash
 * chain, pages added in order) and refused where a fileserver would
 * refuse them or where the blob's bookkeeping is off. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afs_rx/afs_dir.h"
#include "net/byteorder.h"
#include "test/lib/afs_dir_enc.h"

static struct afs_dir_enc b;
static struct afs_dir d;

static void fini(void)
{
	afs_dir_free(&d);
	afs_dir_enc_free(&b);
}

TestSuite(afs_dir_edit, .fini = fini);

static size_t len(void)
{
	return afs_dir_enc_len(&b);
}

static int add(const char *name, uint32_t vnode)
{
	size_t l = len();
	int r = afs_dir_add(&b.blob, &l, name, vnode, vnode + 1);
	b.npages = (unsigned)(l / AFS_DIR_PAGE_SIZE);
	return r;
}

static int alloc_map(unsigned page)
{
	return (int8_t)b.blob[32 + page];
}

static unsigned bucket_head(const char *name)
{
	return get_be16(b.blob + 32 + 128 + 2 * afs_dir_hash(name, strlen(name)));
}

/* The blob parses and holds exactly @n entries. */
static void parses(unsigned n)
{
	char err[200];
	afs_dir_free(&d);
	cr_assert_eq(afs_dir_parse(&d, b.blob, len(), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(d.nentries, n);
}

static void name_of(char *buf, size_t size, unsigned i, size_t namelen)
{
	int k = snprintf(buf, size, "n%u-", i);
	while ((size_t)k < namelen)
		buf[k++] = 'x';
	buf[namelen] = '\0';
}

Test(afs_dir_edit, a_new_directory_is_laid_out_as_makedir_does)
{
	afs_dir_enc_init(&b, 5, 6, 1, 1); /* (afs_dir_make) */
	parses(2);
	cr_assert_eq(len(), AFS_DIR_PAGE_SIZE);
	cr_assert_eq(d.entries[0].num, 13); /* "." after the 13 header slots */
	cr_assert_eq(d.entries[1].num, 14);
	const struct afs_dir_entry *dot = afs_dir_lookup(&d, ".", 1), *dotdot = afs_dir_lookup(&d, "..", 2);
	cr_assert(dot && dotdot);
	cr_assert(dot->vnode == 5 && dot->unique == 6 && dotdot->vnode == 1 && dotdot->unique == 1);
	cr_assert_eq(alloc_map(0), 64 - 13 - 2);
	cr_assert_eq(alloc_map(1), 64);
	cr_assert_eq(get_be16(b.blob), 1);
}

Test(afs_dir_edit, first_fit_and_slot_reuse)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	cr_assert_eq(add("a", 10), 15);
	cr_assert_eq(add("a-name-of-forty-bytes-that-needs-2-slots", 11), 16); /* 16 and 17 */
	cr_assert_eq(add("c", 12), 18);
	cr_assert_eq(alloc_map(0), 49 - 4);
	cr_assert_eq(afs_dir_remove(b.blob, len(), "a"), 0);
	cr_assert_eq(alloc_map(0), 49 - 3);
	/* Two slots do not fit in 15: the first run is 19-20. */
	cr_assert_eq(add("another-name-of-forty-bytes-two-slots!!", 13), 19);
	cr_assert_eq(add("b", 14), 15); /* the hole again */
	parses(2 + 4);
	cr_assert_null(afs_dir_lookup(&d, "a", 1));
	const struct afs_dir_entry *e = afs_dir_lookup(&d, "b", 1);
	cr_assert_not_null(e);
	cr_assert_eq(e->vnode, 14);
	cr_assert_eq(e->unique, 15);
}

Test(afs_dir_edit, new_entries_head_their_chain)
{
	/* Two names of one bucket. */
	char x[16], y[16];
	unsigned i = 0, j;
	for (;; i++) {
		snprintf(x, sizeof(x), "k%u", i);
		for (j = i + 1; j < i + 400; j++) {
			snprintf(y, sizeof(y), "k%u", j);
			if (afs_dir_hash(x, strlen(x)) == afs_dir_hash(y, strlen(y)))
				goto found;
		}
	}
found:
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	int nx = add(x, 20), ny = add(y, 21);
	cr_assert_eq(bucket_head(x), (unsigned)ny);
	cr_assert_eq(get_be16(b.blob + (size_t)ny * 32 + 2), (unsigned)nx);
	cr_assert_eq(afs_dir_remove(b.blob, len(), x), 0); /* from the middle of the chain */
	cr_assert_eq(bucket_head(y), (unsigned)ny);
	cr_assert_eq(get_be16(b.blob + (size_t)ny * 32 + 2), 0);
	parses(3);
}

Test(afs_dir_edit, pages_are_added_in_order)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	char name[16];
	for (unsigned i = 0; i < 49; i++) { /* page 0's 49 free slots */
		snprintf(name, sizeof(name), "f%u", i);
		cr_assert_eq(add(name, 100 + i), (int)(15 + i));
	}
	cr_assert_eq(alloc_map(0), 0);
	cr_assert_eq(len(), AFS_DIR_PAGE_SIZE);
	cr_assert_eq(add("next", 7), 64 + 1); /* page 1, after its header */
	cr_assert_eq(len(), 2 * AFS_DIR_PAGE_SIZE);
	cr_assert_eq(get_be16(b.blob), 2);
	cr_assert_eq(alloc_map(1), 62);
	cr_assert_eq(get_be16(b.blob + AFS_DIR_PAGE_SIZE + 2), AFS_DIR_TAG);
	parses(2 + 50);
	/* A slot freed on page 0 is taken before page 1's. */
	cr_assert_eq(afs_dir_remove(b.blob, len(), "f7"), 0);
	cr_assert_eq(add("back", 8), 15 + 7);
}

Test(afs_dir_edit, a_page_with_room_but_no_run_is_passed_over)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	char name[16];
	for (unsigned i = 0; i < 49; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		add(name, 100 + i);
	}
	/* Three free slots on page 0, none beside another. */
	cr_assert_eq(afs_dir_remove(b.blob, len(), "f3"), 0);
	cr_assert_eq(afs_dir_remove(b.blob, len(), "f9"), 0);
	cr_assert_eq(afs_dir_remove(b.blob, len(), "f20"), 0);
	cr_assert_eq(alloc_map(0), 3);
	cr_assert_eq(add("a-name-of-forty-bytes-that-needs-2-slots", 5), 65);
	cr_assert_eq(alloc_map(0), 3);
	cr_assert_eq(add("z", 6), 15 + 3);
	parses(2 + 46 + 2);
}

Test(afs_dir_edit, a_full_directory_answers_efbig)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	char name[AFS_DIR_NAME_MAX + 1];
	unsigned n = 0;
	int r;
	for (;;) { /* 255-byte names, 9 slots each: 7 to a page */
		name_of(name, sizeof(name), n, AFS_DIR_NAME_MAX);
		r = add(name, 1000 + n);
		if (r < 0)
			break;
		n++;
	}
	cr_assert_eq(r, -EFBIG);
	cr_assert_eq(len(), (size_t)AFS_DIR_MAX_PAGES * AFS_DIR_PAGE_SIZE);
	cr_assert_eq(n, 5 + 7 * (AFS_DIR_MAX_PAGES - 1)); /* page 0 has 49 slots: 5 names */
	cr_assert_eq(add("x", 1), 15 + 5 * 9); /* one of page 0's last 4 slots */
	parses(2 + n + 1);
}

Test(afs_dir_edit, refusals)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	cr_assert_eq(add("dup", 5), 15);
	cr_assert_eq(add("dup", 6), -EEXIST);
	cr_assert_eq(add("", 6), -EINVAL);
	cr_assert_eq(add("a/b", 6), -EINVAL);
	char longname[AFS_DIR_NAME_MAX + 2];
	memset(longname, 'l', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	cr_assert_eq(add(longname, 6), -EINVAL);
	cr_assert_eq(afs_dir_remove(b.blob, len(), "absent"), -ENOENT);
	cr_assert_eq(afs_dir_remove(b.blob, len(), "a/b"), -EINVAL);
	parses(3);
}

Test(afs_dir_edit, bookkeeping_that_disagrees_is_not_edited)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	put_be16(b.blob, 0); /* an old directory without a page count */
	cr_assert_eq(add("x", 5), -EIO);
	cr_assert_eq(afs_dir_remove(b.blob, len(), "."), -EIO);
	put_be16(b.blob, 1);
	b.blob[32 + 0] = 65; /* more free than a page has */
	cr_assert_eq(add("x", 5), -EIO);
	b.blob[32 + 0] = 49;
	b.blob[32 + 3] = 10; /* a page counted that is not there */
	cr_assert_eq(add("x", 5), -EIO);
	b.blob[32 + 3] = 64;
	b.blob[6] &= (uint8_t)~1u; /* slot 8, inside the hash table, marked free (found by the fuzz target) */
	cr_assert_eq(add("x", 5), -EIO);
	b.blob[6] |= 1;
	cr_assert_eq(add("x", 5), 15);
	char name[16];
	for (unsigned i = 0; i < 49; i++) { /* onto page 1 */
		snprintf(name, sizeof(name), "f%u", i);
		cr_assert_geq(add(name, 100 + i), 0);
	}
	b.blob[AFS_DIR_PAGE_SIZE + 5] &= (uint8_t)~1u; /* page 1's header slot */
	cr_assert_eq(add("y", 6), -EIO);
}

Test(afs_dir_edit, random_edits_keep_a_blob_that_parses_to_the_model)
{
	/* 3,000 adds and removes of names of every length against a model. */
	enum { NAMES = 300 };
	static char names[NAMES][AFS_DIR_NAME_MAX + 1];
	bool in[NAMES] = {0};
	unsigned count = 0;
	srandom(7);
	for (unsigned i = 0; i < NAMES; i++)
		name_of(names[i], sizeof(names[i]), i, 4 + (size_t)random() % (AFS_DIR_NAME_MAX - 4));
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	for (unsigned step = 0; step < 3000; step++) {
		unsigned i = (unsigned)random() % NAMES;
		if (in[i]) {
			cr_assert_eq(afs_dir_remove(b.blob, len(), names[i]), 0);
			count--;
		} else {
			cr_assert_geq(add(names[i], 100 + i), 0);
			count++;
		}
		in[i] = !in[i];
		if (step % 100 == 99) {
			parses(2 + count);
			for (unsigned k = 0; k < NAMES; k++) {
				const struct afs_dir_entry *e = afs_dir_lookup(&d, names[k], strlen(names[k]));
				cr_assert_eq(e != NULL, in[k], "%s", names[k]);
				if (e)
					cr_assert_eq(e->vnode, 100 + k);
			}
		}
	}
}
