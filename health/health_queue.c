/*
 * health/health_queue.c: the bounded, merging, multi-reader event queue
 * behind .health (see health.h for the rules).
 *
 * Events live in a ring indexed by sequence number; the ring holds the
 * window [first_seq, next_seq). Each reader keeps only the sequence number
 * of the next event it wants, so any number of readers share one queue and
 * a slow one costs nothing: when the window has moved past it, it is told
 * how many events it missed in one "lost" event. "running" has sequence 1
 * and lives outside the ring, so it is always readable.
 *
 * An event merges into the newest one only while no reader has read that
 * one (max_read_seq), so a reader never misses a count it was owed.
 */
#include "config.h"

#include "health.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct health_queue {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* broadcast on every queued or merged event */
	unsigned cap;
	bool verbose;
	bool closed; /* "unmount" queued */
	bool have_running;
	struct health_event running;
	struct health_event *ring; /* slot of seq s: s % cap */
	uint64_t first_seq, next_seq;
	uint64_t max_read_seq;
	void (*notify)(void *arg);
	void *notify_arg;
	struct timespec changed_at; /* of the newest event queued or merged */
	size_t window_bytes;	    /* health_queue_window_bytes, 0 until computed again */
	struct health_stats st;
};

struct health_queue *health_queue_new(unsigned capacity, bool verbose)
{
	struct health_queue *q;

	if (capacity < 2)
		capacity = 2;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->ring = calloc(capacity, sizeof(*q->ring));
	if (!q->ring) {
		free(q);
		return NULL;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->changed, &ca);
	pthread_condattr_destroy(&ca);
	q->cap = capacity;
	q->verbose = verbose;
	q->first_seq = q->next_seq = 2; /* 1 is "running" */
	return q;
}

void health_queue_free(struct health_queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->changed);
	free(q->ring);
	free(q);
}

void health_queue_set_notify(struct health_queue *q, void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&q->lock);
	q->notify = fn;
	q->notify_arg = arg;
	pthread_mutex_unlock(&q->lock);
}

/* Events normal mode leaves out: the all-clear for single files. */
static bool verbose_only(const struct health_event *ev)
{
	return ev->type == HEALTH_HEALTHY &&
	       (ev->domain == HEALTH_DOMAIN_INODE || ev->domain == HEALTH_DOMAIN_RANGE);
}

static bool same_str(const char *a, const char *b, size_t n)
{
	return strncmp(a, b, n) == 0;
}

static uint64_t range_end(const struct health_event *ev)
{
	return ev->length > UINT64_MAX - ev->offset ? UINT64_MAX : ev->offset + ev->length;
}

/* Whether @ev repeats @old (same type, same thing, same error and reason). */
static bool mergeable(const struct health_event *old, const struct health_event *ev)
{
	if (old->type != ev->type || old->domain != ev->domain || old->error != ev->error ||
	    !same_str(old->reason, ev->reason, sizeof(ev->reason)))
		return false;
	switch (ev->type) {
	case HEALTH_RUNNING:
	case HEALTH_LOST:
	case HEALTH_UNMOUNT:
		return false;
	default:
		break;
	}
	switch (ev->domain) {
	case HEALTH_DOMAIN_MOUNT:
		return true;
	case HEALTH_DOMAIN_SESSION:
		return same_str(old->server, ev->server, sizeof(ev->server)) &&
		       same_str(old->addr, ev->addr, sizeof(ev->addr));
	case HEALTH_DOMAIN_VOLUME:
		return same_str(old->volume, ev->volume, sizeof(ev->volume));
	case HEALTH_DOMAIN_INODE:
		return old->ino == ev->ino && old->gen == ev->gen;
	case HEALTH_DOMAIN_RANGE:
		/* Overlapping or touching ranges of one inode join. */
		return old->ino == ev->ino && old->gen == ev->gen && ev->offset <= range_end(old) &&
		       old->offset <= range_end(ev);
	default:
		return false;
	}
}

static void merge_into(struct health_event *old, const struct health_event *ev, const struct timespec *now)
{
	uint64_t add = ev->count ? ev->count : 1;

	old->count = old->count > UINT64_MAX - add ? UINT64_MAX : old->count + add;
	old->mask |= ev->mask;
	old->last_time = *now;
	if (old->domain == HEALTH_DOMAIN_RANGE) {
		uint64_t start = old->offset < ev->offset ? old->offset : ev->offset;
		uint64_t end = range_end(old) > range_end(ev) ? range_end(old) : range_end(ev);
		old->offset = start;
		old->length = end - start;
	}
}

int health_vreport(struct health_queue *q, enum health_domain domain, enum health_type type, int err, const char *who,
		   const char *addr, const char *fmt, va_list va)
{
	struct health_event ev = {.domain = domain, .type = type, .error = err < 0 ? -err : err};
	char *name;
	size_t len;

	if (!q)
		return 0;
	switch (domain) {
	case HEALTH_DOMAIN_MOUNT:
		name = ev.source, len = sizeof(ev.source);
		break;
	case HEALTH_DOMAIN_VOLUME:
		name = ev.volume, len = sizeof(ev.volume);
		break;
	case HEALTH_DOMAIN_INODE:
	case HEALTH_DOMAIN_RANGE:
		name = ev.path, len = sizeof(ev.path);
		break;
	default:
		name = ev.server, len = sizeof(ev.server);
		break;
	}
	snprintf(name, len, "%s", who ? who : "");
	snprintf(ev.addr, sizeof(ev.addr), "%s", addr ? addr : "");
	vsnprintf(ev.reason, sizeof(ev.reason), fmt, va);
	return health_emit(q, &ev);
}

int health_report(struct health_queue *q, enum health_domain domain, enum health_type type, int err, const char *who,
		  const char *addr, const char *fmt, ...)
{
	va_list va;
	int r;

	va_start(va, fmt);
	r = health_vreport(q, domain, type, err, who, addr, fmt, va);
	va_end(va);
	return r;
}

static void terminate_strings(struct health_event *ev)
{
	ev->source[sizeof(ev->source) - 1] = '\0';
	ev->server[sizeof(ev->server) - 1] = '\0';
	ev->addr[sizeof(ev->addr) - 1] = '\0';
	ev->volume[sizeof(ev->volume) - 1] = '\0';
	ev->path[sizeof(ev->path) - 1] = '\0';
	ev->reason[sizeof(ev->reason) - 1] = '\0';
}

int health_emit(struct health_queue *q, const struct health_event *in)
{
	struct timespec now;
	void (*notify)(void *);
	void *notify_arg;
	int r = 0;

	if ((unsigned)in->domain >= HEALTH_DOMAIN_NR || (unsigned)in->type >= HEALTH_TYPE_NR ||
	    in->type == HEALTH_LOST)
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &now);

	pthread_mutex_lock(&q->lock);
	if (q->closed) {
		r = -ESHUTDOWN;
		goto out;
	}
	if (in->type == HEALTH_RUNNING ? q->have_running : !q->have_running) {
		r = -EINVAL; /* "running" comes first, and once */
		goto out;
	}
	if (!q->verbose && verbose_only(in)) {
		q->st.filtered++;
		r = -EAGAIN;
		goto out;
	}
	q->st.emitted++;
	if (in->type == HEALTH_RUNNING) {
		q->running = *in;
		terminate_strings(&q->running);
		q->running.seq = 1;
		q->running.time = q->running.last_time = now;
		q->running.count = 1;
		q->have_running = true;
		goto queued;
	}
	if (q->next_seq > q->first_seq && q->next_seq - 1 > q->max_read_seq) {
		struct health_event *newest = &q->ring[(q->next_seq - 1) % q->cap];
		if (mergeable(newest, in)) {
			merge_into(newest, in, &now);
			q->st.merged++;
			r = 1;
			goto queued;
		}
	}
	if (q->next_seq - q->first_seq == q->cap) {
		q->first_seq++; /* the window moves; slow readers will hear "lost" */
		q->st.dropped_from_window++;
	}
	struct health_event *slot = &q->ring[q->next_seq % q->cap];
	*slot = *in;
	terminate_strings(slot);
	slot->seq = q->next_seq++;
	slot->time = slot->last_time = now;
	if (!slot->count)
		slot->count = 1;
	if (in->type == HEALTH_UNMOUNT)
		q->closed = true;
queued:
	q->changed_at = now;
	q->window_bytes = 0; /* the window changed: measure it again when asked */
	pthread_cond_broadcast(&q->changed);
	notify = q->notify;
	notify_arg = q->notify_arg;
	pthread_mutex_unlock(&q->lock);
	if (notify)
		notify(notify_arg);
	return r;
out:
	pthread_mutex_unlock(&q->lock);
	return r;
}

void health_reader_init(struct health_queue *q, struct health_reader *r)
{
	(void)q;
	memset(r, 0, sizeof(*r));
	r->next_seq = 1;
}

/* The next event for @r, or false when it has seen them all. Locked. */
static bool next_event(struct health_queue *q, struct health_reader *r, struct health_event *ev)
{
	if (r->next_seq == 1) {
		if (!q->have_running)
			return false;
		*ev = q->running;
		r->next_seq = 2;
		return true;
	}
	if (r->next_seq < q->first_seq) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		memset(ev, 0, sizeof(*ev));
		ev->domain = HEALTH_DOMAIN_MOUNT;
		ev->type = HEALTH_LOST;
		ev->count = q->first_seq - r->next_seq;
		ev->seq = r->next_seq; /* the first one missed */
		ev->time = ev->last_time = now;
		snprintf(ev->reason, sizeof(ev->reason), "this reader fell behind the newest %u events", q->cap);
		r->next_seq = q->first_seq;
		return true;
	}
	if (r->next_seq < q->next_seq) {
		*ev = q->ring[r->next_seq % q->cap];
		if (r->next_seq > q->max_read_seq)
			q->max_read_seq = r->next_seq;
		r->next_seq++;
		return true;
	}
	return false;
}

ssize_t health_read(struct health_queue *q, struct health_reader *r, char *buf, size_t len)
{
	size_t done = 0;

	pthread_mutex_lock(&q->lock);
	while (done < len) {
		if (r->line_off == r->line_len) {
			struct health_event ev;
			if (!next_event(q, r, &ev))
				break;
			int n = health_render(&ev, r->line, sizeof(r->line));
			if (n < 0) /* cannot happen with HEALTH_LINE_MAX; skip rather than tear */
				continue;
			if (ev.type == HEALTH_UNMOUNT)
				r->saw_unmount = true;
			r->line_len = (size_t)n;
			r->line_off = 0;
		}
		size_t n = r->line_len - r->line_off;
		if (n > len - done)
			n = len - done;
		memcpy(buf + done, r->line + r->line_off, n);
		r->line_off += n;
		done += n;
	}
	pthread_mutex_unlock(&q->lock);
	return (ssize_t)done;
}

static bool readable_locked(struct health_queue *q, const struct health_reader *r)
{
	return r->line_off < r->line_len || (r->next_seq == 1 && q->have_running) ||
	       (r->next_seq > 1 && r->next_seq < q->next_seq);
}

bool health_readable(struct health_queue *q, const struct health_reader *r)
{
	bool yes;

	pthread_mutex_lock(&q->lock);
	yes = readable_locked(q, r);
	pthread_mutex_unlock(&q->lock);
	return yes;
}

bool health_wait(struct health_queue *q, const struct health_reader *r, int timeout_ms)
{
	struct timespec deadline;
	bool yes;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&q->lock);
	/* One wait: a health_wake() or an event ends it, readable or not. */
	if (!readable_locked(q, r))
		pthread_cond_timedwait(&q->changed, &q->lock, &deadline);
	yes = readable_locked(q, r);
	pthread_mutex_unlock(&q->lock);
	return yes;
}

void health_wake(struct health_queue *q)
{
	pthread_mutex_lock(&q->lock);
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
}

void health_queue_stats(struct health_queue *q, struct health_stats *st)
{
	pthread_mutex_lock(&q->lock);
	*st = q->st;
	st->kept = (unsigned)(q->next_seq - q->first_seq) + (q->have_running ? 1 : 0);
	pthread_mutex_unlock(&q->lock);
}

struct timespec health_queue_changed_at(struct health_queue *q)
{
	struct timespec t;

	pthread_mutex_lock(&q->lock);
	t = q->changed_at;
	pthread_mutex_unlock(&q->lock);
	return t;
}

size_t health_queue_window_bytes(struct health_queue *q)
{
	char line[HEALTH_LINE_MAX];
	size_t total;
	int n;

	pthread_mutex_lock(&q->lock);
	/* Measured once per change of the window, not on every stat of .health. */
	if (!q->window_bytes) {
		total = 512; /* a "lost" line, which readers get in place of missed ones */
		if (q->have_running && (n = health_render(&q->running, line, sizeof(line))) > 0)
			total += (size_t)n;
		for (uint64_t s = q->first_seq; s < q->next_seq; s++)
			if ((n = health_render(&q->ring[s % q->cap], line, sizeof(line))) > 0)
				total += (size_t)n;
		q->window_bytes = total;
	}
	total = q->window_bytes;
	pthread_mutex_unlock(&q->lock);
	return total;
}
