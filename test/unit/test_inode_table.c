/* Unit tests for fuse/inode_table.c: numbers, generations, lookup counts. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>

#include "fuse/inode_table.h"

static struct nf_key forgotten[64];
static int nforgotten;

static void on_forget(void *arg, const struct nf_key *key)
{
	(void)arg;
	if (nforgotten < 64)
		forgotten[nforgotten++] = *key;
}

static struct inode_table *t;
static const struct nf_key root = { 0, 1 };

static void setup(void)
{
	nforgotten = 0;
	t = inode_table_new(&root, on_forget, NULL);
	cr_assert(t);
}

static void teardown(void)
{
	inode_table_free(t);
}

TestSuite(inode_table, .init = setup, .fini = teardown);

static struct inode_ref look(uint64_t hi, uint64_t lo)
{
	struct inode_ref r;

	cr_assert_eq(inode_table_lookup(t, &(struct nf_key){ hi, lo }, &r), 0);
	return r;
}

Test(inode_table, root_is_one_and_never_dropped)
{
	struct inode_ref r;

	cr_assert_eq(inode_table_get(t, 1, &r), 0);
	cr_assert(nf_key_eq(&r.key, &root));
	inode_table_put(t, 1);
	inode_table_forget(t, 1, 1000);
	cr_assert_eq(inode_table_get(t, 1, &r), 0);
	inode_table_put(t, 1);
	cr_assert_eq(nforgotten, 0);
	/* The root's key looked up by name gives the root's number. */
	cr_assert_eq(look(0, 1).ino, 1);
}

Test(inode_table, same_key_same_number_and_counts_add)
{
	struct inode_ref a = look(7, 42), b = look(7, 42), c = look(8, 42);
	struct inode_table_stats st;

	cr_assert_eq(a.ino, b.ino);
	cr_assert_geq(a.ino, INODE_TABLE_FIRST);
	cr_assert_neq(a.ino, c.ino);
	inode_table_stats(t, &st);
	cr_assert_eq(st.nodes, 3);
	cr_assert_eq(st.lookups, 3);
	inode_table_forget(t, a.ino, 1);
	cr_assert_eq(nforgotten, 0, "one lookup is still outstanding");
	inode_table_forget(t, a.ino, 1);
	cr_assert_eq(nforgotten, 1);
	cr_assert(nf_key_eq(&forgotten[0], &(struct nf_key){ 7, 42 }));
	cr_assert_eq(inode_table_find(t, &(struct nf_key){ 7, 42 }), 0);
	inode_table_stats(t, &st);
	cr_assert_eq(st.nodes, 2);
	cr_assert_eq(st.lookups, 1);
	cr_assert_eq(st.dropped, 1);
}

Test(inode_table, reused_numbers_get_a_new_generation)
{
	struct inode_ref a = look(1, 100), b;

	inode_table_forget(t, a.ino, 1);
	b = look(1, 200);
	cr_assert_eq(b.ino, a.ino, "the freed number is reused");
	cr_assert_eq(b.gen, a.gen + 1, "with the next generation");
	cr_assert(nf_key_eq(&b.key, &(struct nf_key){ 1, 200 }));
}

Test(inode_table, a_request_holds_the_node_across_a_forget)
{
	struct inode_ref a = look(3, 3), r;

	cr_assert_eq(inode_table_get(t, a.ino, &r), 0);
	inode_table_forget(t, a.ino, 1);
	cr_assert_eq(nforgotten, 0, "in use by a request");
	cr_assert_eq(inode_table_get(t, a.ino, &r), 0, "still resolvable while held");
	inode_table_put(t, a.ino);
	inode_table_put(t, a.ino);
	cr_assert_eq(nforgotten, 1);
	cr_assert_eq(inode_table_get(t, a.ino, &r), -ESTALE);
}

Test(inode_table, bad_forgets_are_counted_not_trusted)
{
	struct inode_ref a = look(5, 5);
	struct inode_table_stats st;

	inode_table_forget(t, 999999, 1);
	inode_table_forget(t, a.ino, 5); /* more than handed out */
	inode_table_stats(t, &st);
	cr_assert_eq(st.bad_forgets, 2);
	cr_assert_eq(st.lookups, 0);
	cr_assert_eq(nforgotten, 1);
}

Test(inode_table, many_nodes_grow_the_table)
{
	struct inode_table_stats st;

	for (uint64_t i = 0; i < 5000; i++)
		look(9, i);
	for (uint64_t i = 0; i < 5000; i++)
		cr_assert_neq(inode_table_find(t, &(struct nf_key){ 9, i }), 0);
	inode_table_stats(t, &st);
	cr_assert_eq(st.nodes, 5001);
	for (uint64_t i = 0; i < 5000; i++)
		inode_table_forget(t, inode_table_find(t, &(struct nf_key){ 9, i }), 1);
	inode_table_stats(t, &st);
	cr_assert_eq(st.nodes, 1);
	cr_assert_eq(st.lookups, 0);
}

static void *hammer(void *arg)
{
	uint64_t base = (uint64_t)(uintptr_t)arg;

	for (uint64_t i = 0; i < 20000; i++) {
		struct inode_ref r;
		struct nf_key k = { base, i % 37 };
		if (inode_table_lookup(t, &k, &r))
			return (void *)1;
		inode_table_forget(t, r.ino, 1);
	}
	return NULL;
}

Test(inode_table, concurrent_lookups_and_forgets_balance)
{
	pthread_t th[4];
	struct inode_table_stats st;

	for (uintptr_t i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, hammer, (void *)(i % 2)); /* two threads per key set */
	for (int i = 0; i < 4; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		cr_assert_null(ret);
	}
	inode_table_stats(t, &st);
	cr_assert_eq(st.nodes, 1);
	cr_assert_eq(st.lookups, 0);
	cr_assert_eq(st.bad_forgets, 0);
}
