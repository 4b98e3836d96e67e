/* Unit tests for afs_rx/afs_dir.c: AFS directory blobs, well formed (built
 * as an OpenAFS fileserver builds them) and malformed in every way the
 * parser checks. */
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
static char err[200];

static void fini(void)
{
	afs_dir_free(&d);
	afs_dir_enc_free(&b);
}

TestSuite(afs_dir, .fini = fini);

static int parse(void)
{
	afs_dir_free(&d);
	return afs_dir_parse(&d, b.blob, afs_dir_enc_len(&b), err, sizeof(err));
}

static const struct afs_dir_entry *look(const char *name)
{
	return afs_dir_lookup(&d, name, strlen(name));
}

/* The parse fails with -EIO, leaves nothing, and says @why. */
static void refused(const char *why)
{
	afs_dir_free(&d);
	int r = afs_dir_parse(&d, b.blob, afs_dir_enc_len(&b), err, sizeof(err));
	cr_assert_eq(r, -EIO, "accepted (want '%s')", why);
	cr_assert_null(d.entries);
	cr_assert_eq(d.nentries, 0);
	cr_assert(strstr(err, why), "message '%s' lacks '%s'", err, why);
}

static uint8_t *entry(unsigned num)
{
	return b.blob + (size_t)num * AFS_DIR_SLOT_SIZE;
}

static uint8_t *bucket(const char *name)
{
	return b.blob + AFS_DIR_SLOT_SIZE + 128 + 2 * afs_dir_hash(name, strlen(name));
}

static void set_alloc(unsigned num, int on)
{
	uint8_t *pg = b.blob + (size_t)(num / 64) * AFS_DIR_PAGE_SIZE;
	if (on)
		pg[5 + num % 64 / 8] |= (uint8_t)(1u << (num % 8));
	else
		pg[5 + num % 64 / 8] &= (uint8_t) ~(1u << (num % 8));
}

Test(afs_dir, hash_is_openafs_dirhash)
{
	/* DirHash: h = h * 173 + c over the bytes; h & 127, taken from 128
	 * when h read as a signed int is negative (and the bucket is not 0). */
	const char *names[] = {".", "..", "a", "hello", "a-much-longer-name-that-overflows-32-bits", "\xff\xfe"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint32_t h = 0;
		for (const unsigned char *p = (const unsigned char *)names[i]; *p; p++)
			h = h * 173 + *p;
		int32_t sh = (int32_t)h;
		unsigned want = h & 127;
		if (want && sh < 0)
			want = 128 - want;
		cr_assert_eq(afs_dir_hash(names[i], strlen(names[i])), want, "%s", names[i]);
	}
	cr_assert_eq(afs_dir_hash(".", 1), 46);
	cr_assert_eq(afs_dir_hash("a", 1), 97);
}

Test(afs_dir, new_directory)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	cr_assert_eq(parse(), 0, "%s", err);
	cr_assert_eq(d.npages, 1);
	cr_assert_eq(d.nentries, 2);
	cr_assert_str_eq(d.entries[0].name, ".");
	cr_assert_eq(d.entries[0].num, AFS_DIR_PAGE0_RESERVED);
	cr_assert_str_eq(d.entries[1].name, "..");
	const struct afs_dir_entry *e = look("..");
	cr_assert_not_null(e);
	cr_assert_eq(e->vnode, 1);
	cr_assert_null(look("missing"));
	cr_assert_null(afs_dir_lookup(&d, ".\0x", 3), "a name with a NUL names nothing");
	cr_assert_null(afs_dir_lookup(&d, "", 0));
}

Test(afs_dir, many_entries_across_pages)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	char name[300];
	for (unsigned i = 0; i < 2000; i++) {
		/* Every length from 1 to 255, so names fill every slot count. */
		unsigned len = 1 + i % 255;
		int w = snprintf(name, sizeof(name), "%u-", i);
		memset(name + w, 'a' + i % 26, len > (unsigned)w ? len - w : 0);
		name[len > (unsigned)w ? len : (unsigned)w] = '\0';
		cr_assert_geq(afs_dir_enc_add(&b, name, 100 + i, 7 * i + 1), 0);
	}
	cr_assert_eq(parse(), 0, "%s", err);
	cr_assert_gt(d.npages, 100);
	cr_assert_eq(d.nentries, 2002);
	for (unsigned i = 1; i < d.nentries; i++)
		cr_assert_lt(d.entries[i - 1].num, d.entries[i].num, "listed in entry-number order");
	for (unsigned i = 0; i < 2000; i++) {
		unsigned len = 1 + i % 255;
		int w = snprintf(name, sizeof(name), "%u-", i);
		memset(name + w, 'a' + i % 26, len > (unsigned)w ? len - w : 0);
		name[len > (unsigned)w ? len : (unsigned)w] = '\0';
		const struct afs_dir_entry *e = look(name);
		cr_assert_not_null(e, "%s", name);
		cr_assert_eq(e->vnode, 100 + i);
		cr_assert_eq(e->unique, 7 * i + 1);
		cr_assert_eq(e->namelen, strlen(name));
		cr_assert_eq(d.entries[afs_dir_seek(&d, e->num)].num, e->num);
	}
	cr_assert_eq(afs_dir_seek(&d, 0), 0);
	cr_assert_eq(afs_dir_seek(&d, 65535), d.nentries);
}

Test(afs_dir, removal_and_reuse)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	for (unsigned i = 0; i < 50; i++) {
		char name[32];
		snprintf(name, sizeof(name), "f%u", i);
		afs_dir_enc_add(&b, name, 10 + i, 1);
	}
	cr_assert_eq(afs_dir_enc_remove(&b, "f7"), 0);
	cr_assert_eq(afs_dir_enc_remove(&b, "f8"), 0);
	afs_dir_enc_add(&b, "new", 99, 2); /* reuses f7's slot */
	cr_assert_eq(parse(), 0, "%s", err);
	cr_assert_eq(d.nentries, 51);
	cr_assert_null(look("f7"));
	cr_assert_null(look("f8"));
	cr_assert_eq(look("new")->vnode, 99);
	cr_assert_eq(look("f9")->vnode, 19);
}

Test(afs_dir, a_longest_name)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	char name[AFS_DIR_NAME_MAX + 1];
	memset(name, 'x', AFS_DIR_NAME_MAX);
	name[AFS_DIR_NAME_MAX] = '\0';
	cr_assert_geq(afs_dir_enc_add(&b, name, 5, 5), 0);
	cr_assert_eq(parse(), 0, "%s", err);
	cr_assert_eq(look(name)->namelen, AFS_DIR_NAME_MAX);
}

Test(afs_dir, sizes)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	cr_assert_eq(afs_dir_parse(&d, b.blob, 0, err, sizeof(err)), -EIO);
	cr_assert(strstr(err, "whole pages"));
	cr_assert_eq(afs_dir_parse(&d, b.blob, 100, err, sizeof(err)), -EIO);
	cr_assert_eq(afs_dir_parse(&d, b.blob, AFS_DIR_PAGE_SIZE - 1, err, sizeof(err)), -EIO);
	size_t big = (size_t)(AFS_DIR_MAX_PAGES + 1) * AFS_DIR_PAGE_SIZE;
	uint8_t *blob = calloc(1, big);
	memcpy(blob, b.blob, AFS_DIR_PAGE_SIZE);
	cr_assert_eq(afs_dir_parse(&d, blob, big, err, sizeof(err)), -EIO, "1024 pages");
	free(blob);
	cr_assert_null(d.entries);
}

Test(afs_dir, bad_tag)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	for (unsigned i = 0; i < 100; i++) {
		char name[32];
		snprintf(name, sizeof(name), "file%u", i);
		afs_dir_enc_add(&b, name, 10 + i, 1);
	}
	put_be16(b.blob + AFS_DIR_PAGE_SIZE + 2, 4321);
	refused("page 1 has tag 4321");
}

Test(afs_dir, chain_past_the_blob)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	put_be16(bucket(".."), 64);
	refused("past the 1 pages");
}

Test(afs_dir, chain_into_headers)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	put_be16(bucket(".."), 5);
	refused("in a header");
	afs_dir_enc_free(&b);
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	for (unsigned i = 0; i < 100; i++) {
		char name[32];
		snprintf(name, sizeof(name), "file%u", i);
		afs_dir_enc_add(&b, name, 10 + i, 1);
	}
	put_be16(bucket("."), 64); /* page 1's header slot */
	refused("in a header");
}

Test(afs_dir, chain_to_a_free_slot)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	set_alloc(AFS_DIR_PAGE0_RESERVED, 0); /* "." */
	refused("a free slot");
}

Test(afs_dir, name_without_nul)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	int num = afs_dir_enc_add(&b, "last", 3, 3);
	/* Fill the rest of the page from the name on, every slot allocated. */
	uint8_t *e = entry((unsigned)num);
	memset(e + 12, 'z', AFS_DIR_PAGE_SIZE - ((size_t)num * AFS_DIR_SLOT_SIZE + 12));
	for (unsigned s = (unsigned)num; s < 64; s++)
		set_alloc(s, 1);
	refused("runs past its page");
}

Test(afs_dir, empty_and_overlong_names)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	entry(AFS_DIR_PAGE0_RESERVED)[12] = '\0'; /* "." becomes "" */
	refused("a name of 0 bytes");
	afs_dir_enc_free(&b);
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	int num = afs_dir_enc_add(&b, "short", 3, 3);
	uint8_t *e = entry((unsigned)num);
	memset(e + 12, 'y', 300);
	e[12 + 300] = '\0';
	for (unsigned s = (unsigned)num; s < (unsigned)num + 11; s++)
		set_alloc(s, 1);
	refused("a name of 300 bytes");
}

Test(afs_dir, name_slot_free)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	int num = afs_dir_enc_add(&b, "a-name-of-forty-bytes-that-needs-2-slots", 3, 3);
	set_alloc((unsigned)num + 1, 0);
	refused("name's slot");
}

Test(afs_dir, slots_past_the_page)
{
	/* A name that ends in its page but whose slot count (OpenAFS's
	 * rounding) runs past it. */
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	for (unsigned s = 0; s < 64; s++)
		set_alloc(s, 1);
	uint8_t *e = entry(63);
	memset(e, 0, 32);
	memset(e + 12, 'q', 16); /* 16 bytes and the NUL fit; OpenAFS counts 2 slots */
	const char *name = (const char *)e + 12;
	put_be16(b.blob + AFS_DIR_SLOT_SIZE + 128 + 2 * afs_dir_hash(name, 16), 63);
	refused("run past its page");
}

Test(afs_dir, chain_loops)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	uint16_t self = get_be16(bucket("."));
	put_be16(entry(self) + 2, self);
	refused("reached twice");
}

Test(afs_dir, chains_join)
{
	/* Two names in one bucket, and a second bucket pointing into that chain. */
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	afs_dir_enc_add(&b, "x", 5, 5);
	put_be16(bucket("x") + 2, get_be16(bucket("x"))); /* x's bucket + 1 points at x too */
	refused("");
	cr_assert(strstr(err, "reached twice") || strstr(err, "hashes to"), "%s", err);
}

Test(afs_dir, chain_into_a_name)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	int num = afs_dir_enc_add(&b, "a-name-of-forty-bytes-that-needs-2-slots", 3, 3);
	/* "." now leads on into the long name's second slot. */
	put_be16(entry(AFS_DIR_PAGE0_RESERVED) + 2, (uint16_t)(num + 1));
	refused("");
	cr_assert(strstr(err, "overlaps another") || strstr(err, "reached twice") || strstr(err, "hashes to"), "%s",
		  err);
}

Test(afs_dir, entry_on_the_wrong_chain)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	int num = afs_dir_enc_add(&b, "moved", 3, 3);
	put_be16(bucket("moved"), 0);
	unsigned other = (afs_dir_hash("moved", 5) + 1) % 128;
	put_be16(b.blob + AFS_DIR_SLOT_SIZE + 128 + 2 * other, (uint16_t)num);
	refused("its name hashes to");
}

Test(afs_dir, error_text_fits)
{
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	put_be16(bucket(".."), 64);
	char small[8];
	cr_assert_eq(afs_dir_parse(&d, b.blob, afs_dir_enc_len(&b), small, sizeof(small)), -EIO);
	cr_assert_eq(strlen(small), sizeof(small) - 1);
	cr_assert_eq(afs_dir_parse(&d, b.blob, afs_dir_enc_len(&b), NULL, 0), -EIO);
}

Test(afs_dir, no_entries)
{
	/* Every chain empty (not even "." and ".."): a directory of nothing,
	 * not an error. The fuzzer found qsort handed a NULL array here. */
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	cr_assert_eq(afs_dir_enc_remove(&b, "."), 0);
	cr_assert_eq(afs_dir_enc_remove(&b, ".."), 0);
	cr_assert_eq(parse(), 0, "%s", err);
	cr_assert_eq(d.nentries, 0);
	cr_assert_null(look("."));
	cr_assert_eq(afs_dir_seek(&d, 0), 0);
}

/* Add @name as @as (the editor refuses names a fileserver would refuse):
 * added under a stand-in of @name's length, renamed in place and moved to
 * the head of @name's chain. */
static void add_forged(const char *name, const char *as, uint32_t vnode)
{
	int num = afs_dir_enc_add(&b, as, vnode, vnode);
	cr_assert_geq(num, 0);
	uint8_t *e = entry((unsigned)num);
	memcpy(bucket(as), e + 2, 2); /* it heads its own chain: unlink it */
	memcpy(e + 12, name, strlen(name) + 1);
	memcpy(e + 2, bucket(name), 2);
	put_be16(bucket(name), (uint16_t)num);
}

Test(afs_dir, a_name_twice)
{
	/* Two entries of one name on its chain: a listing would show both and
	 * a lookup find one (found by the fuzz target). */
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	afs_dir_enc_add(&b, "twin", 5, 5);
	add_forged("twin", "tw_n", 6);
	refused("both hold the name 'twin'");
}

Test(afs_dir, a_name_with_a_slash)
{
	/* No path could name it, and the kernel would refuse the whole listing. */
	afs_dir_enc_init(&b, 1, 1, 1, 1);
	add_forged("a/b", "a_b", 5);
	refused("a name holding '/'");
}
