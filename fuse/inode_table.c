/*
 * fuse/inode_table.c: FUSE inode numbers <-> backend keys (see inode_table.h).
 *
 * Two chained hash tables (by number, by key) over one set of nodes, under
 * one mutex: every operation is a hash probe, so the lock is held for a few
 * hundred nanoseconds. Freed numbers go to a LIFO free list with their last
 * generation, which keeps numbers small and dense (what `ls -i` and NFS
 * re-export want) at the price of a generation bump on reuse.
 */
#include "config.h"

#include "inode_table.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

struct node {
	uint64_t ino, gen;
	struct nf_key key;
	uint64_t nlookup; /* the kernel's count */
	uint64_t refs;	  /* requests using the node now */
	struct node *next_ino, *next_key;
};

struct free_ino {
	uint64_t ino, gen;
};

struct inode_table {
	pthread_mutex_t lock;
	struct node **by_ino, **by_key;
	size_t nbuckets, nnodes;
	uint64_t next_ino;
	struct free_ino *free;
	size_t nfree, free_cap;
	struct node *root;
	void (*forget)(void *arg, const struct nf_key *key);
	void *arg;
	struct inode_table_stats st;
};

static size_t hash_u64(uint64_t x)
{
	/* splitmix64's finalizer: numbers and keys are dense, buckets must not be. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x;
}

static size_t key_bucket(const struct inode_table *t, const struct nf_key *k)
{
	return hash_u64(k->lo ^ hash_u64(k->hi)) & (t->nbuckets - 1);
}

static size_t ino_bucket(const struct inode_table *t, uint64_t ino)
{
	return hash_u64(ino) & (t->nbuckets - 1);
}

static struct node *find_ino(const struct inode_table *t, uint64_t ino)
{
	struct node *n = t->by_ino[ino_bucket(t, ino)];

	while (n && n->ino != ino)
		n = n->next_ino;
	return n;
}

static struct node *find_key(const struct inode_table *t, const struct nf_key *k)
{
	struct node *n = t->by_key[key_bucket(t, k)];

	while (n && !nf_key_eq(&n->key, k))
		n = n->next_key;
	return n;
}

static void link_node(struct inode_table *t, struct node *n)
{
	size_t bi = ino_bucket(t, n->ino), bk = key_bucket(t, &n->key);

	n->next_ino = t->by_ino[bi];
	t->by_ino[bi] = n;
	n->next_key = t->by_key[bk];
	t->by_key[bk] = n;
}

static void unlink_node(struct inode_table *t, struct node *n)
{
	struct node **pp;

	for (pp = &t->by_ino[ino_bucket(t, n->ino)]; *pp != n; pp = &(*pp)->next_ino)
		;
	*pp = n->next_ino;
	for (pp = &t->by_key[key_bucket(t, &n->key)]; *pp != n; pp = &(*pp)->next_key)
		;
	*pp = n->next_key;
}

/* Double the buckets when nodes outnumber them; on failure keep going with
 * longer chains. */
static void maybe_grow(struct inode_table *t)
{
	size_t old = t->nbuckets;
	struct node **oi = t->by_ino, **ok = t->by_key;

	if (t->nnodes < old)
		return;
	struct node **ni = calloc(old * 2, sizeof(*ni)), **nk = calloc(old * 2, sizeof(*nk));
	if (!ni || !nk) {
		free(ni);
		free(nk);
		return;
	}
	t->by_ino = ni;
	t->by_key = nk;
	t->nbuckets = old * 2;
	for (size_t b = 0; b < old; b++) {
		for (struct node *n = oi[b], *next; n; n = next) {
			next = n->next_ino;
			size_t bi = ino_bucket(t, n->ino);
			n->next_ino = ni[bi];
			ni[bi] = n;
		}
		for (struct node *n = ok[b], *next; n; n = next) {
			next = n->next_key;
			size_t bk = key_bucket(t, &n->key);
			n->next_key = nk[bk];
			nk[bk] = n;
		}
	}
	free(oi);
	free(ok);
}

struct inode_table *inode_table_new(const struct nf_key *root, void (*forget)(void *arg, const struct nf_key *key),
				    void *arg)
{
	struct inode_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->nbuckets = 1024;
	t->by_ino = calloc(t->nbuckets, sizeof(*t->by_ino));
	t->by_key = calloc(t->nbuckets, sizeof(*t->by_key));
	t->root = calloc(1, sizeof(*t->root));
	if (!t->by_ino || !t->by_key || !t->root) {
		free(t->by_ino);
		free(t->by_key);
		free(t->root);
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	t->root->ino = INODE_TABLE_ROOT;
	t->root->key = *root;
	t->root->nlookup = 1;
	link_node(t, t->root);
	t->nnodes = 1;
	t->next_ino = INODE_TABLE_FIRST;
	t->forget = forget;
	t->arg = arg;
	return t;
}

void inode_table_free(struct inode_table *t)
{
	if (!t)
		return;
	for (size_t b = 0; b < t->nbuckets; b++)
		for (struct node *n = t->by_ino[b], *next; n; n = next) {
			next = n->next_ino;
			free(n);
		}
	free(t->by_ino);
	free(t->by_key);
	free(t->free);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static void alloc_ino(struct inode_table *t, struct node *n)
{
	if (t->nfree) {
		struct free_ino *f = &t->free[--t->nfree];
		n->ino = f->ino;
		n->gen = f->gen + 1;
		return;
	}
	n->ino = t->next_ino++;
	n->gen = 0;
}

int inode_table_lookup(struct inode_table *t, const struct nf_key *key, struct inode_ref *out)
{
	struct node *n;

	pthread_mutex_lock(&t->lock);
	n = find_key(t, key);
	if (!n) {
		n = calloc(1, sizeof(*n));
		if (!n) {
			pthread_mutex_unlock(&t->lock);
			return -ENOMEM;
		}
		n->key = *key;
		alloc_ino(t, n);
		maybe_grow(t);
		link_node(t, n);
		t->nnodes++;
	}
	n->nlookup++;
	if (n != t->root)
		t->st.lookups++;
	out->ino = n->ino;
	out->gen = n->gen;
	out->key = n->key;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

/* With the lock held: drop @n if nothing holds it; returns whether it did
 * (the caller then calls t->forget with the key, outside the lock). */
static bool drop_if_unused(struct inode_table *t, struct node *n)
{
	if (n == t->root || n->nlookup || n->refs)
		return false;
	unlink_node(t, n);
	t->nnodes--;
	t->st.dropped++;
	if (t->nfree == t->free_cap) {
		size_t cap = t->free_cap ? t->free_cap * 2 : 256;
		struct free_ino *nf = realloc(t->free, cap * sizeof(*nf));
		if (!nf)
			return true; /* the number is simply never reused */
		t->free = nf;
		t->free_cap = cap;
	}
	t->free[t->nfree++] = (struct free_ino){n->ino, n->gen};
	return true;
}

void inode_table_forget(struct inode_table *t, uint64_t ino, uint64_t nlookup)
{
	struct node *n;
	struct nf_key key;
	bool dropped = false;

	pthread_mutex_lock(&t->lock);
	n = find_ino(t, ino);
	if (!n || n == t->root) {
		/* The root's count is not tracked: it is never dropped. */
		if (!n)
			t->st.bad_forgets++;
		pthread_mutex_unlock(&t->lock);
		return;
	}
	if (nlookup > n->nlookup) {
		t->st.bad_forgets++;
		nlookup = n->nlookup;
	}
	n->nlookup -= nlookup;
	t->st.lookups -= nlookup;
	key = n->key;
	if (drop_if_unused(t, n)) {
		free(n);
		dropped = true;
	}
	pthread_mutex_unlock(&t->lock);
	if (dropped && t->forget)
		t->forget(t->arg, &key);
}

int inode_table_get(struct inode_table *t, uint64_t ino, struct inode_ref *out)
{
	struct node *n;

	pthread_mutex_lock(&t->lock);
	n = find_ino(t, ino);
	if (!n) {
		pthread_mutex_unlock(&t->lock);
		return -ESTALE;
	}
	n->refs++;
	out->ino = n->ino;
	out->gen = n->gen;
	out->key = n->key;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

void inode_table_put(struct inode_table *t, uint64_t ino)
{
	struct node *n;
	struct nf_key key;
	bool dropped = false;

	pthread_mutex_lock(&t->lock);
	n = find_ino(t, ino);
	if (n && n->refs) {
		n->refs--;
		key = n->key;
		if (drop_if_unused(t, n)) {
			free(n);
			dropped = true;
		}
	}
	pthread_mutex_unlock(&t->lock);
	if (dropped && t->forget)
		t->forget(t->arg, &key);
}

uint64_t inode_table_find(struct inode_table *t, const struct nf_key *key)
{
	struct node *n;
	uint64_t ino;

	pthread_mutex_lock(&t->lock);
	n = find_key(t, key);
	ino = n ? n->ino : 0;
	pthread_mutex_unlock(&t->lock);
	return ino;
}

void inode_table_stats(struct inode_table *t, struct inode_table_stats *st)
{
	pthread_mutex_lock(&t->lock);
	*st = t->st;
	st->nodes = t->nnodes;
	pthread_mutex_unlock(&t->lock);
}
