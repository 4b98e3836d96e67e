/*
 * test/unit/udp_relay.c: the lossy relay of udp_relay.h. A held
 * (reordered) datagram leaves right after the next one in its direction,
 * or after 20 ms if none comes, so it arrives late but always arrives.
 */
#include "config.h"

#include "udp_relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HOLD_MS 20

struct held {
	bool full;
	uint8_t buf[65536];
	size_t len;
	struct sockaddr_in to;
	int fd;
	struct timespec at;
};

struct udp_relay {
	struct udp_relay_config c;
	int front, back;
	struct sockaddr_in client;
	bool have_client;
	pthread_t th;
	atomic_bool stop;
	uint32_t rng;
	struct held held[2]; /* 0: to the target, 1: to the client */
	struct udp_relay_stats st;
};

static unsigned roll(struct udp_relay *r)
{
	r->rng = r->rng * 1103515245 + 12345;
	return (r->rng >> 16) % 100;
}

static long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

static void out(int fd, const void *buf, size_t len, const struct sockaddr_in *to)
{
	sendto(fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)to, sizeof(*to));
}

static void release(struct held *h)
{
	if (h->full) {
		out(h->fd, h->buf, h->len, &h->to);
		h->full = false;
	}
}

static void forward(struct udp_relay *r, int dir, int fd, const uint8_t *buf, size_t len, const struct sockaddr_in *to)
{
	struct held *h = &r->held[dir];

	if (roll(r) < r->c.drop_pct) {
		r->st.dropped++;
		return;
	}
	if (!h->full && roll(r) < r->c.reorder_pct) {
		memcpy(h->buf, buf, len);
		h->len = len;
		h->to = *to;
		h->fd = fd;
		h->full = true;
		clock_gettime(CLOCK_MONOTONIC, &h->at);
		r->st.reordered++;
		return;
	}
	out(fd, buf, len, to);
	r->st.forwarded++;
	if (roll(r) < r->c.dup_pct) {
		out(fd, buf, len, to);
		r->st.duplicated++;
	}
	release(h);
}

static void *relay_main(void *arg)
{
	struct udp_relay *r = arg;
	uint8_t *buf = malloc(65536);

	while (!atomic_load(&r->stop)) {
		struct pollfd p[2] = {{r->front, POLLIN, 0}, {r->back, POLLIN, 0}};
		struct sockaddr_in from;
		socklen_t flen;
		ssize_t n;

		if (poll(p, 2, 5) < 0 && errno != EINTR)
			break;
		for (int d = 0; d < 2; d++)
			if (r->held[d].full && ms_since(&r->held[d].at) >= HOLD_MS)
				release(&r->held[d]);
		if (p[0].revents & POLLIN) {
			flen = sizeof(from);
			n = recvfrom(r->front, buf, 65536, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
			if (n >= 0) {
				r->client = from;
				r->have_client = true;
				forward(r, 0, r->back, buf, (size_t)n, &r->c.target);
			}
		}
		if (p[1].revents & POLLIN) {
			flen = sizeof(from);
			n = recvfrom(r->back, buf, 65536, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
			if (n >= 0 && r->have_client)
				forward(r, 1, r->front, buf, (size_t)n, &r->client);
		}
	}
	free(buf);
	return NULL;
}

static int bound_socket(struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t len = sizeof(*addr);
	int sz = 4 << 20;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) < 0 ||
	    getsockname(fd, (struct sockaddr *)addr, &len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct udp_relay *udp_relay_start(const struct udp_relay_config *c, struct sockaddr_in *front)
{
	struct udp_relay *r = calloc(1, sizeof(*r));
	struct sockaddr_in back;

	if (!r)
		return NULL;
	r->c = *c;
	r->rng = c->seed ? c->seed : 1;
	r->front = bound_socket(front);
	r->back = bound_socket(&back);
	if (r->front < 0 || r->back < 0 || pthread_create(&r->th, NULL, relay_main, r)) {
		if (r->front >= 0)
			close(r->front);
		if (r->back >= 0)
			close(r->back);
		free(r);
		return NULL;
	}
	return r;
}

void udp_relay_stop(struct udp_relay *r, struct udp_relay_stats *st)
{
	atomic_store(&r->stop, true);
	pthread_join(r->th, NULL);
	if (st)
		*st = r->st;
	close(r->front);
	close(r->back);
	free(r);
}
