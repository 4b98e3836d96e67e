/*
 * fuse/health_file.c: the .health file at the root of every mount, a kind
 * of synthetic file (synthetic.h) that the core serves itself.
 *
 * Each open is a reader of the mount's health queue (health/health.h) that
 * starts at the mount's first event. A read hands out the rendered lines
 * that reader has not seen and never waits: with nothing new it returns 0,
 * so `cat .health` prints the events so far and ends. The file is a stream
 * (direct I/O, not seekable). On a FUSE mount `tail -f` polls fstat(): it
 * reads again when the mtime moves, so the mtime is the time of the newest
 * event. It also takes a size below what it has read for a truncation, and
 * reads no more than the size says. fstat() does not tell a FUSE file
 * system which open file asks, so the size is an upper bound of where
 * any reader can get to: the most bytes one reader has read so far plus all
 * that the queue still holds (health_queue_window_bytes). Programs that size
 * a buffer by it (Python's read()) get a buffer that is large enough and not
 * absurd. poll() is answered from the queue; a poller that found nothing
 * keeps its handle until the queue's notify callback wakes it.
 *
 * Lock order: the mount's health_lock (the list of handles), then one
 * handle's lock. poll checks readability and parks its handle under the
 * handle's lock, and the notify callback, which runs after an event is
 * queued, takes that lock too, so a wake-up cannot fall between the two.
 */
#include "config.h"

#include "mount_state.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct health_handle {
	struct health_handle *next, **pprev;
	pthread_mutex_t lock; /* concurrent reads of one open file, and poll */
	struct health_reader reader;
	struct fuse_pollhandle *ph; /* a poller waiting for the next event */
	uint64_t read_total;	    /* bytes handed out */
};

static void health_stat(struct nf_mount *m, const struct synthetic_node *n, uint64_t fh, struct stat *st)
{
	struct timespec t = health_queue_changed_at(m->health);

	(void)n, (void)fh;
	st->st_size = (off_t)(__atomic_load_n(&m->health_size, __ATOMIC_RELAXED) +
			      health_queue_window_bytes(m->health));
	st->st_atim = st->st_mtim = st->st_ctim = t;
}

static int health_open(struct nf_mount *m, const struct synthetic_node *n, struct nf_open *o)
{
	struct health_handle *h = calloc(1, sizeof(*h));

	(void)n;
	if (!h)
		return -ENOMEM;
	pthread_mutex_init(&h->lock, NULL);
	health_reader_init(m->health, &h->reader);
	o->fh = (uintptr_t)h;
	o->direct_io = true;
	o->nonseekable = true;

	pthread_mutex_lock(&m->health_lock);
	h->next = m->health_handles;
	if (h->next)
		h->next->pprev = &h->next;
	h->pprev = &m->health_handles;
	m->health_handles = h;
	pthread_mutex_unlock(&m->health_lock);
	return 0;
}

/* A stream: @off means nothing, each reader goes on where it stopped. */
static ssize_t health_file_read(struct nf_mount *m, uint64_t fh, char *buf, size_t size, off_t off)
{
	struct health_handle *h = (struct health_handle *)(uintptr_t)fh;
	ssize_t n;

	(void)off;
	if (!h) /* never opened through health_open: refuse, never crash */
		return -EBADF;
	pthread_mutex_lock(&h->lock);
	n = health_read(m->health, &h->reader, buf, size);
	if (n > 0) {
		uint64_t total = h->read_total += (uint64_t)n, seen = __atomic_load_n(&m->health_size, __ATOMIC_RELAXED);
		while (total > seen && !__atomic_compare_exchange_n(&m->health_size, &seen, total, false,
								    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			;
	}
	pthread_mutex_unlock(&h->lock);
	return n;
}

static int health_poll(struct nf_mount *m, uint64_t fh, struct fuse_pollhandle *ph, unsigned *revents)
{
	struct health_handle *h = (struct health_handle *)(uintptr_t)fh;

	if (!h)
		return -EBADF;
	*revents = 0;
	pthread_mutex_lock(&h->lock);
	if (health_readable(m->health, &h->reader)) {
		*revents = POLLIN | POLLRDNORM;
		if (ph)
			fuse_pollhandle_destroy(ph);
	} else if (ph) {
		if (h->ph)
			fuse_pollhandle_destroy(h->ph);
		h->ph = ph;
	}
	pthread_mutex_unlock(&h->lock);
	return 0;
}

static void health_release(struct nf_mount *m, uint64_t fh)
{
	struct health_handle *h = (struct health_handle *)(uintptr_t)fh;

	if (!h)
		return;
	pthread_mutex_lock(&m->health_lock);
	*h->pprev = h->next;
	if (h->next)
		h->next->pprev = h->pprev;
	pthread_mutex_unlock(&m->health_lock);
	if (h->ph)
		fuse_pollhandle_destroy(h->ph);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

const struct synthetic_file health_file = {
    .stat = health_stat,
    .open = health_open,
    .read = health_file_read,
    .poll = health_poll,
    .release = health_release,
};

void health_file_notify(void *mount)
{
	struct nf_mount *m = mount;

	pthread_mutex_lock(&m->health_lock);
	for (struct health_handle *h = m->health_handles; h; h = h->next) {
		pthread_mutex_lock(&h->lock);
		if (h->ph && health_readable(m->health, &h->reader)) {
			fuse_lowlevel_notify_poll(h->ph);
			fuse_pollhandle_destroy(h->ph);
			h->ph = NULL;
		}
		pthread_mutex_unlock(&h->lock);
	}
	pthread_mutex_unlock(&m->health_lock);
}

void health_file_drop_pollers(struct nf_mount *m)
{
	pthread_mutex_lock(&m->health_lock);
	for (struct health_handle *h = m->health_handles; h; h = h->next) {
		pthread_mutex_lock(&h->lock);
		if (h->ph)
			fuse_pollhandle_destroy(h->ph);
		h->ph = NULL;
		pthread_mutex_unlock(&h->lock);
	}
	pthread_mutex_unlock(&m->health_lock);
}
