/*
 * cephmds/mds_names.h: one directory's names as the MDS told them (a
 * lookup's or readdir's reply, or a change of ours), so that a lookup can
 * be answered without asking again: the kernel client's dentries kept
 * under the directory's Fs, with its "complete" flag. Only the table: the
 * capability cache (mds_caps.c) decides when one is trusted and drops it
 * when the directory's Fs goes.
 *
 * A name maps to an inode number, or to 0 when it is known not to be
 * there. A complete table holds every name of the directory, so a name not
 * in it is not there either (and keeps no entries for absent names).
 * Tables of one client share one count of names, kept under its limit: a
 * name that cannot be kept leaves the table knowing less, never wrong (an
 * existing name not kept makes it incomplete, and counts as a loss, so
 * that a listing that lost one does not make its table complete).
 */
#ifndef NETFUSE_MDS_NAMES_H
#define NETFUSE_MDS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mdsc_names;

struct mdsc_names_count {
	size_t names, limit;
	uint64_t losses; /* existing names that could not be kept */
};

/* 1 with *ino (0: known absent), or 0: not known. */
int mdsc_names_get(const struct mdsc_names *t, const char *name, size_t len, uint64_t *ino);
/* @name is @ino now (0: absent). Makes the table when *@tp is NULL. */
void mdsc_names_set(struct mdsc_names **tp, struct mdsc_names_count *n, const char *name, size_t len, uint64_t ino);
/* @name is no longer known either way (the table stops being complete). */
void mdsc_names_forget(struct mdsc_names *t, struct mdsc_names_count *n, const char *name, size_t len);
/* Every name of the directory is in the table now (an empty directory
 * when the table is new). False when none could be made. */
bool mdsc_names_set_complete(struct mdsc_names **tp, struct mdsc_names_count *n);
bool mdsc_names_complete(const struct mdsc_names *t);
/* Names kept (not counting a complete table's absent ones). */
size_t mdsc_names_size(const struct mdsc_names *t);
void mdsc_names_free(struct mdsc_names **tp, struct mdsc_names_count *n);

#endif
