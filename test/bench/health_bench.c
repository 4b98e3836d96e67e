/*
 * test/bench/health_bench.c: figures for the health stream (make bench).
 *
 *   health_bench queue SECONDS
 *       events per second through health_emit + health_read (queue and
 *       JSON renderer), beside the same fields printed with one plain
 *       snprintf per event (no queue, no escaping): the floor for turning
 *       an event into a line.
 *   health_bench poll MOUNTPOINT ROUNDS
 *       latency from an event (a command written to MOUNTPOINT/.testctl of
 *       a netfuse-testfs mount) to the poll() wake-up of a reader of
 *       MOUNTPOINT/.health in another process, beside the same two
 *       processes waking through a pipe: the kernel's floor for a wake-up.
 *
 * Each prints one line: bench NAME: netfuse=VALUE ANCHOR=VALUE ratio=R UNIT.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "health/health.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void fill(struct health_event *ev, unsigned long i)
{
	memset(ev, 0, sizeof(*ev));
	ev->domain = HEALTH_DOMAIN_SESSION;
	/* Alternating types: no two neighbours merge, every event is a line. */
	ev->type = i % 2 ? HEALTH_SESSION_LOST : HEALTH_SESSION_ESTABLISHED;
	snprintf(ev->server, sizeof(ev->server), "mon.%c", (int)('a' + i % 3));
	snprintf(ev->addr, sizeof(ev->addr), "127.0.0.1:%lu", 3300 + i % 3);
	snprintf(ev->reason, sizeof(ev->reason), "keepalive timeout after %lu s", i % 30);
}

static int bench_queue(double seconds)
{
	struct health_queue *q = health_queue_new(1024, false);
	struct health_reader r;
	struct health_event ev = { .domain = HEALTH_DOMAIN_MOUNT, .type = HEALTH_RUNNING };
	static char buf[1 << 20];
	unsigned long n = 0, bytes = 0;
	double t0, t, ours, floor_rate;

	if (!q)
		return 1;
	snprintf(ev.source, sizeof(ev.source), "bench");
	health_emit(q, &ev);
	health_reader_init(q, &r);
	t0 = now_s();
	do {
		for (int k = 0; k < 256; k++, n++) {
			fill(&ev, n);
			health_emit(q, &ev);
		}
		ssize_t got;
		while ((got = health_read(q, &r, buf, sizeof(buf))) > 0)
			bytes += (unsigned long)got;
		t = now_s();
	} while (t - t0 < seconds);
	ours = (double)n / (t - t0);
	health_queue_free(q);

	/* The floor: the same fields, one snprintf each, into the same buffer. */
	unsigned long m = 0;
	size_t off = 0;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	t0 = now_s();
	do {
		for (int k = 0; k < 256; k++, m++) {
			fill(&ev, m);
			if (off > sizeof(buf) - 512)
				off = 0;
			off += (size_t)snprintf(buf + off, 512,
						"{\"time\":\"%lld.%09ld\",\"seq\":%lu,\"domain\":\"session\",\"type\":\"%s\","
						"\"server\":\"%s\",\"addr\":\"%s\",\"count\":1,\"reason\":\"%s\"}\n",
						(long long)ts.tv_sec, ts.tv_nsec, m, m % 2 ? "session_lost" : "session_established",
						ev.server, ev.addr, ev.reason);
		}
		t = now_s();
	} while (t - t0 < seconds);
	floor_rate = (double)m / (t - t0);
	printf("bench health_events: netfuse=%.0f snprintf=%.0f ratio=%.2f events/s\n", ours, floor_rate,
	       ours / floor_rate);
	fprintf(stderr, "# %lu events, %lu bytes read through the queue\n", n, bytes);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The waker writes to @wake_fd (a pipe, or .testctl) and the child, polling
 * @poll_path (or the pipe's read end when @poll_path is NULL), sends back
 * the CLOCK_MONOTONIC time it woke. Returns the median latency in us.
 */
static double wake_latency(const char *poll_path, const char *ctl_path, int rounds)
{
	int res[2], pp[2];
	double *lat = calloc((size_t)rounds, sizeof(*lat)), median;
	pid_t child;

	if (!lat || pipe(res) || pipe(pp))
		return -1;
	child = fork();
	if (child == 0) {
		int fd = poll_path ? open(poll_path, O_RDONLY) : pp[0];
		char buf[65536];
		if (fd < 0)
			_exit(1);
		if (poll_path)
			while (read(fd, buf, sizeof(buf)) > 0) /* the events so far */
				;
		if (write(res[1], "r", 1) != 1)
			_exit(1);
		for (int i = 0; i < rounds; i++) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			if (poll(&p, 1, 10000) != 1)
				_exit(2);
			double t = now_s();
			if (!poll_path) {
				if (read(fd, buf, 1) != 1)
					_exit(1);
			} else {
				while (read(fd, buf, sizeof(buf)) > 0) /* .health reads 0 when drained */
					;
			}
			if (write(res[1], &t, sizeof(t)) != sizeof(t))
				_exit(1);
		}
		_exit(0);
	}
	char c;
	if (read(res[0], &c, 1) != 1)
		return -1;
	usleep(100000);
	int ctl = ctl_path ? open(ctl_path, O_WRONLY) : pp[1];
	if (ctl < 0)
		return -1;
	for (int i = 0; i < rounds; i++) {
		char cmd[64];
		int len = snprintf(cmd, sizeof(cmd), "emit %s session 1 bench\n", i % 2 ? "session_lost" : "hunting");
		double t0 = now_s(), t1;
		if (write(ctl, ctl_path ? cmd : "x", ctl_path ? (size_t)len : 1) < 0)
			return -1;
		if (read(res[0], &t1, sizeof(t1)) != sizeof(t1))
			return -1;
		lat[i] = (t1 - t0) * 1e6;
		usleep(2000);
	}
	waitpid(child, NULL, 0);
	qsort(lat, (size_t)rounds, sizeof(*lat), cmp_double);
	median = lat[rounds / 2];
	free(lat);
	return median;
}

static int bench_poll(const char *mnt, int rounds)
{
	char health[4096], ctl[4096];
	double ours, pipe_us;

	snprintf(health, sizeof(health), "%s/.health", mnt);
	snprintf(ctl, sizeof(ctl), "%s/.testctl", mnt);
	ours = wake_latency(health, ctl, rounds);
	pipe_us = wake_latency(NULL, NULL, rounds);
	if (ours < 0 || pipe_us < 0) {
		fprintf(stderr, "health_bench: the poll benchmark failed\n");
		return 1;
	}
	printf("bench health_poll_wakeup: netfuse=%.1f pipe=%.1f ratio=%.2f us (median of %d)\n", ours, pipe_us,
	       ours / pipe_us, rounds);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "queue"))
		return bench_queue(atof(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "poll"))
		return bench_poll(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: health_bench queue SECONDS | poll MOUNTPOINT ROUNDS\n");
	return 2;
}
