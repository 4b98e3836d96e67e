/*
 * cephosd/osdmap_keeper.c: the client's OSD map from MOSDMap messages (see
 * the header for the rules).
 */
#include "config.h"

#include "cephosd/osdmap_keeper.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct osdmap_keeper {
	pthread_mutex_t lock;
	struct health_queue *health;
	struct osdmap *map; /* NULL before the first */
	struct osdmap_keeper_stats st;
};

struct osdmap_keeper *osdmap_keeper_new(struct health_queue *health)
{
	struct osdmap_keeper *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	pthread_mutex_init(&k->lock, NULL);
	k->health = health;
	return k;
}

void osdmap_keeper_free(struct osdmap_keeper *k)
{
	if (!k)
		return;
	osdmap_free(k->map);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

static void ops_handle(void *arg, const struct mosdmap *mo, struct monc_osdmap_result *r)
{
	osdmap_keeper_handle(arg, mo, r);
}

struct monc_osdmap_ops osdmap_keeper_ops(struct osdmap_keeper *k)
{
	return (struct monc_osdmap_ops){.arg = k, .handle = ops_handle};
}

static const struct mosdmap_blob *find(const struct mosdmap_blob *v, unsigned n, uint32_t epoch)
{
	for (unsigned i = 0; i < n; i++)
		if (v[i].epoch == epoch)
			return &v[i];
	return NULL;
}

static void refused(struct osdmap_keeper *k, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void refused(struct osdmap_keeper *k, int err, const char *fmt, ...)
{
	va_list va;

	k->st.refused++;
	va_start(va, fmt);
	health_vreport(k->health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, err, "monitors", NULL, fmt, va);
	va_end(va);
}

/* Replace the map with a full one; false when it does not decode or is
 * another cluster's or older. */
static bool take_full(struct osdmap_keeper *k, const struct mosdmap *mo, const struct mosdmap_blob *b)
{
	struct osdmap *m;
	const char *why = NULL;
	int e = osdmap_decode(b->data, b->len, &m, &why);

	if (e) {
		refused(k, -e, "full osdmap %u does not decode (%s)", b->epoch, why ? why : "malformed");
		return false;
	}
	if (m->epoch != b->epoch || memcmp(m->fsid, mo->fsid, sizeof(m->fsid))) {
		refused(k, EBADMSG, "full osdmap %u dropped: %s", b->epoch,
			m->epoch != b->epoch ? "its epoch differs from the message's" : "another cluster's fsid");
		osdmap_free(m);
		return false;
	}
	osdmap_free(k->map);
	k->map = m;
	k->st.full_maps++;
	return true;
}

static const struct mosdmap_blob *newest(const struct mosdmap_blob *v, unsigned n)
{
	const struct mosdmap_blob *b = NULL;

	for (unsigned i = 0; i < n; i++)
		if (!b || v[i].epoch > b->epoch)
			b = &v[i];
	return b;
}

void osdmap_keeper_handle(struct osdmap_keeper *k, const struct mosdmap *mo, struct monc_osdmap_result *r)
{
	const struct mosdmap_blob *newest_full = newest(mo->full, mo->nfull);
	const struct mosdmap_blob *newest_inc = newest(mo->inc, mo->ninc);
	uint32_t before, last = 0;

	pthread_mutex_lock(&k->lock);
	memset(r, 0, sizeof(*r));
	before = k->map ? k->map->epoch : 0;
	if (newest_full)
		last = newest_full->epoch;
	if (newest_inc && newest_inc->epoch > last)
		last = newest_inc->epoch;
	if (k->map && memcmp(k->map->fsid, mo->fsid, sizeof(mo->fsid))) {
		refused(k, EXDEV, "osdmap message up to epoch %u dropped: another cluster's fsid", last);
		goto out;
	}
	while (!k->map || k->map->epoch < last) {
		uint32_t e = k->map ? k->map->epoch + 1 : 0;
		const struct mosdmap_blob *inc = k->map ? find(mo->inc, mo->ninc, e) : NULL;
		const struct mosdmap_blob *full = k->map ? find(mo->full, mo->nfull, e) : NULL;

		if (inc) {
			const char *why = NULL;
			int err = osdmap_apply_incremental(k->map, inc->data, inc->len, &why);
			if (!err) {
				k->st.incrementals++;
				continue;
			}
			refused(k, -err, "incremental osdmap %u does not apply (%s)", e, why ? why : "malformed");
			if (!full && !(newest_full && newest_full->epoch > k->map->epoch)) {
				r->want = MONC_OSDMAP_WANT_FULL;
				break;
			}
		}
		if (!full && newest_full && (!k->map || newest_full->epoch > k->map->epoch))
			full = newest_full;
		if (full) {
			if (!take_full(k, mo, full))
				break; /* the monitor would send the same map again */
			continue;
		}
		if (!k->map) {
			/* incrementals and nothing to apply them to */
			r->want = MONC_OSDMAP_WANT_FULL;
			break;
		}
		k->st.gaps++;
		health_report(k->health, HEALTH_DOMAIN_VOLUME, HEALTH_HEALTHY, 0, "osdmap", NULL,
			      "osdmap epochs %u..%u missing from the monitor's message: asked again", e, last);
		r->want = MONC_OSDMAP_WANT_NEXT;
		break;
	}
out:
	r->epoch = k->map ? k->map->epoch : 0;
	r->changed = r->epoch != before;
	pthread_mutex_unlock(&k->lock);
}

uint32_t osdmap_keeper_epoch(struct osdmap_keeper *k)
{
	uint32_t e;

	pthread_mutex_lock(&k->lock);
	e = k->map ? k->map->epoch : 0;
	pthread_mutex_unlock(&k->lock);
	return e;
}

void osdmap_keeper_read(struct osdmap_keeper *k,
			void (*fn)(void *arg, const struct osdmap *m, const struct osdmap_keeper_stats *st), void *arg)
{
	pthread_mutex_lock(&k->lock);
	fn(arg, k->map, &k->st);
	pthread_mutex_unlock(&k->lock);
}

const struct osdmap *osdmap_keeper_lock(struct osdmap_keeper *k)
{
	pthread_mutex_lock(&k->lock);
	return k->map;
}

void osdmap_keeper_unlock(struct osdmap_keeper *k)
{
	pthread_mutex_unlock(&k->lock);
}
