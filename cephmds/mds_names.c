/*
 * cephmds/mds_names.c: a directory's names table (mds_names.h says what it
 * keeps and when it may be wrong: never). A chained hash on the name's
 * FNV-1a hash, doubled when it holds as many names as buckets.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cephmds/mds_names.h"

#define NAME_MAX_LEN 255 /* longer names are never kept (no such name exists) */

struct name_ent {
	struct name_ent *next;
	uint64_t hash, ino;
	uint8_t len;
	char name[];
};

struct mdsc_names {
	struct name_ent **b;
	size_t nb, n;
	bool complete;
};

static uint64_t hash_name(const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 0x100000001b3ull;
	return h;
}

static struct name_ent **slot(const struct mdsc_names *t, const char *name, size_t len, uint64_t h)
{
	struct name_ent **pp = &t->b[h & (t->nb - 1)];

	while (*pp && !((*pp)->hash == h && (*pp)->len == len && !memcmp((*pp)->name, name, len)))
		pp = &(*pp)->next;
	return pp;
}

int mdsc_names_get(const struct mdsc_names *t, const char *name, size_t len, uint64_t *ino)
{
	struct name_ent *e;

	if (!t || !len || len > NAME_MAX_LEN)
		return 0;
	e = *slot(t, name, len, hash_name(name, len));
	if (e) {
		*ino = e->ino;
		return 1;
	}
	if (t->complete) {
		*ino = 0;
		return 1;
	}
	return 0;
}

static void unlink_ent(struct mdsc_names *t, struct mdsc_names_count *n, struct name_ent **pp)
{
	struct name_ent *e = *pp;

	*pp = e->next;
	free(e);
	t->n--;
	n->names--;
}

static bool grow(struct mdsc_names *t)
{
	size_t nb = t->nb ? 2 * t->nb : 8;
	struct name_ent **b = calloc(nb, sizeof(*b));

	if (!b)
		return false;
	for (size_t i = 0; i < t->nb; i++)
		for (struct name_ent *e = t->b[i], *next; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return true;
}

static struct mdsc_names *table(struct mdsc_names **tp)
{
	if (!*tp && (*tp = calloc(1, sizeof(**tp))) && !grow(*tp)) {
		free(*tp);
		*tp = NULL;
	}
	return *tp;
}

/* A name we could not keep: forgotten, and an existing one counted. */
static void lose(struct mdsc_names *t, struct mdsc_names_count *n, const char *name, size_t len, uint64_t ino)
{
	if (t)
		mdsc_names_forget(t, n, name, len);
	if (ino)
		n->losses++;
}

void mdsc_names_set(struct mdsc_names **tp, struct mdsc_names_count *n, const char *name, size_t len, uint64_t ino)
{
	struct mdsc_names *t;
	struct name_ent **pp, *e;
	uint64_t h;

	if (!len || len > NAME_MAX_LEN) { /* no directory holds such a name */
		if (ino)
			lose(*tp, n, name, len, ino);
		return;
	}
	if (!(t = table(tp))) {
		lose(NULL, n, name, len, ino);
		return;
	}
	h = hash_name(name, len);
	pp = slot(t, name, len, h);
	if (*pp) {
		if (ino || !t->complete) {
			(*pp)->ino = ino;
			return;
		}
		unlink_ent(t, n, pp); /* absent from a complete table: not kept */
		return;
	}
	if (!ino && t->complete)
		return;
	if (n->names >= n->limit || (t->n >= t->nb && !grow(t)) || !(e = malloc(sizeof(*e) + len))) {
		lose(t, n, name, len, ino);
		return;
	}
	e->hash = h;
	e->ino = ino;
	e->len = (uint8_t)len;
	memcpy(e->name, name, len);
	pp = &t->b[h & (t->nb - 1)];
	e->next = *pp;
	*pp = e;
	t->n++;
	n->names++;
}

void mdsc_names_forget(struct mdsc_names *t, struct mdsc_names_count *n, const char *name, size_t len)
{
	struct name_ent **pp;

	if (!t)
		return;
	t->complete = false;
	if (!len || len > NAME_MAX_LEN)
		return;
	pp = slot(t, name, len, hash_name(name, len));
	if (*pp)
		unlink_ent(t, n, pp);
}

bool mdsc_names_set_complete(struct mdsc_names **tp, struct mdsc_names_count *n)
{
	struct mdsc_names *t = table(tp);

	if (!t)
		return false;
	t->complete = true;
	/* absent names are implied now: keep none */
	for (size_t i = 0; i < t->nb; i++)
		for (struct name_ent **pp = &t->b[i]; *pp;) {
			if ((*pp)->ino)
				pp = &(*pp)->next;
			else
				unlink_ent(t, n, pp);
		}
	return true;
}

bool mdsc_names_complete(const struct mdsc_names *t)
{
	return t && t->complete;
}

size_t mdsc_names_size(const struct mdsc_names *t)
{
	return t ? t->n : 0;
}

void mdsc_names_free(struct mdsc_names **tp, struct mdsc_names_count *n)
{
	struct mdsc_names *t = *tp;

	if (!t)
		return;
	for (size_t i = 0; i < t->nb; i++)
		for (struct name_ent *e = t->b[i], *next; e; e = next) {
			next = e->next;
			free(e);
		}
	n->names -= t->n;
	free(t->b);
	free(t);
	*tp = NULL;
}
