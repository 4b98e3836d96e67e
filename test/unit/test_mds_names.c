/*
 * test/unit/test_mds_names.c: cephmds/mds_names.c, a directory's names
 * table: what it answers, what a complete table implies, and that a name
 * it cannot keep leaves it knowing less, never something wrong.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cephmds/mds_names.h"

static int get(const struct mdsc_names *t, const char *name, uint64_t *ino)
{
	return mdsc_names_get(t, name, strlen(name), ino);
}

static void set(struct mdsc_names **t, struct mdsc_names_count *n, const char *name, uint64_t ino)
{
	mdsc_names_set(t, n, name, strlen(name), ino);
}

Test(mds_names, names_absent_names_and_a_complete_table)
{
	struct mdsc_names_count n = {.limit = 100};
	struct mdsc_names *t = NULL;
	uint64_t ino = 7;

	cr_assert_eq(get(t, "a", &ino), 0, "no table: nothing known");
	set(&t, &n, "a", 10);
	set(&t, &n, "b", 0);
	cr_assert_eq(get(t, "a", &ino), 1);
	cr_assert_eq(ino, 10);
	cr_assert_eq(get(t, "b", &ino), 1);
	cr_assert_eq(ino, 0, "known absent");
	cr_assert_eq(get(t, "c", &ino), 0);
	cr_assert_eq(n.names, 2);
	set(&t, &n, "b", 11);
	cr_assert_eq(get(t, "b", &ino), 1);
	cr_assert_eq(ino, 11, "replaced");

	cr_assert(mdsc_names_set_complete(&t, &n));
	cr_assert_eq(get(t, "zz", &ino), 1);
	cr_assert_eq(ino, 0, "complete: a name not kept is not there");
	set(&t, &n, "a", 0);
	cr_assert_eq(n.names, 1, "an absent name in a complete table is not kept");
	cr_assert_eq(get(t, "a", &ino), 1);
	cr_assert_eq(ino, 0);

	mdsc_names_forget(t, &n, "b", 1);
	cr_assert_not(mdsc_names_complete(t), "forgetting a name makes the table incomplete");
	cr_assert_eq(get(t, "b", &ino), 0);
	cr_assert_eq(get(t, "zz", &ino), 0);
	mdsc_names_free(&t, &n);
	cr_assert_null(t);
	cr_assert_eq(n.names, 0);
}

Test(mds_names, a_complete_table_drops_the_absent_names_it_kept)
{
	struct mdsc_names_count n = {.limit = 100};
	struct mdsc_names *t = NULL;

	set(&t, &n, "x", 0);
	set(&t, &n, "y", 5);
	cr_assert_eq(n.names, 2);
	cr_assert(mdsc_names_set_complete(&t, &n));
	cr_assert_eq(n.names, 1);
	cr_assert_eq(mdsc_names_size(t), 1);
	mdsc_names_free(&t, &n);
	cr_assert_eq(n.names, 0);
}

Test(mds_names, many_names_grow_the_table_and_the_limit_loses_names_safely)
{
	struct mdsc_names_count n = {.limit = 1000};
	struct mdsc_names *t = NULL;
	char name[32];
	uint64_t ino;

	for (unsigned i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		set(&t, &n, name, 100 + i);
	}
	cr_assert(mdsc_names_set_complete(&t, &n));
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		cr_assert_eq(get(t, name, &ino), 1);
		cr_assert_eq(ino, 100 + i);
	}
	cr_assert_eq(n.losses, 0);
	set(&t, &n, "one-too-many", 5000);
	cr_assert_eq(n.names, 1000, "the limit holds");
	cr_assert_eq(n.losses, 1, "an existing name lost is counted");
	cr_assert_not(mdsc_names_complete(t), "and the table is no longer complete");
	cr_assert_eq(get(t, "one-too-many", &ino), 0, "not known, rather than absent");
	set(&t, &n, "absent-too", 0);
	cr_assert_eq(n.losses, 1, "an absent name lost is no loss");

	/* over-long and empty names are never kept */
	char longname[300];
	memset(longname, 'l', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	set(&t, &n, longname, 9);
	cr_assert_eq(get(t, longname, &ino), 0);
	cr_assert_eq(get(t, "", &ino), 0);
	mdsc_names_free(&t, &n);
	cr_assert_eq(n.names, 0);
}
