/* Unit tests for health/: ordering, merging, bounds, lost accounting,
 * filtering, readers, and the JSON rendering of hostile strings. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "health/health.h"

static struct health_queue *q;

static void fini(void)
{
	health_queue_free(q);
	q = NULL;
}

TestSuite(health, .fini = fini);

static struct health_event ev_of(enum health_domain d, enum health_type t)
{
	struct health_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.domain = d;
	ev.type = t;
	return ev;
}

static void start(unsigned cap, bool verbose)
{
	q = health_queue_new(cap, verbose);
	cr_assert_not_null(q);
	struct health_event ev = ev_of(HEALTH_DOMAIN_MOUNT, HEALTH_RUNNING);
	snprintf(ev.source, sizeof(ev.source), "127.0.0.1:/");
	cr_assert_eq(health_emit(q, &ev), 0);
}

static int session_lost(const char *server, const char *reason)
{
	struct health_event ev = ev_of(HEALTH_DOMAIN_SESSION, HEALTH_SESSION_LOST);
	snprintf(ev.server, sizeof(ev.server), "%s", server);
	snprintf(ev.addr, sizeof(ev.addr), "127.0.0.1:3300");
	snprintf(ev.reason, sizeof(ev.reason), "%s", reason);
	return health_emit(q, &ev);
}

/* Everything a new reader would read, as one string. */
static char *read_all(struct health_reader *r)
{
	static char buf[1 << 16];
	ssize_t n = health_read(q, r, buf, sizeof(buf) - 1);
	cr_assert_geq(n, 0);
	buf[n] = '\0';
	return buf;
}

static char *read_fresh(void)
{
	static struct health_reader r;
	health_reader_init(q, &r);
	return read_all(&r);
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

Test(health, running_comes_first_and_once)
{
	q = health_queue_new(8, false);
	struct health_event ev = ev_of(HEALTH_DOMAIN_SESSION, HEALTH_HUNTING);
	cr_assert_eq(health_emit(q, &ev), -EINVAL, "an event before running was taken");
	ev = ev_of(HEALTH_DOMAIN_MOUNT, HEALTH_RUNNING);
	cr_assert_eq(health_emit(q, &ev), 0);
	cr_assert_eq(health_emit(q, &ev), -EINVAL, "running twice");
	char *s = read_fresh();
	cr_assert(strstr(s, "\"seq\":1,\"domain\":\"mount\",\"type\":\"running\""), "%s", s);
	cr_assert_not(strstr(s, "\"source\""), "an empty source was rendered: %s", s);
}

Test(health, bad_domain_type_and_lost_refused)
{
	start(8, false);
	struct health_event ev = ev_of(HEALTH_DOMAIN_NR, HEALTH_SICK);
	cr_assert_eq(health_emit(q, &ev), -EINVAL);
	ev = ev_of(HEALTH_DOMAIN_MOUNT, HEALTH_TYPE_NR);
	cr_assert_eq(health_emit(q, &ev), -EINVAL);
	ev = ev_of(HEALTH_DOMAIN_MOUNT, HEALTH_LOST);
	cr_assert_eq(health_emit(q, &ev), -EINVAL);
}

Test(health, rfc3339_nanosecond_time)
{
	start(8, false);
	char *s = read_fresh();
	int y, mo, d, h, mi, sec;
	char ns[16], z;
	cr_assert_eq(sscanf(s, "{\"time\":\"%4d-%2d-%2dT%2d:%2d:%2d.%9[0-9]%c\"", &y, &mo, &d, &h, &mi, &sec, ns, &z),
		     8, "%s", s);
	cr_assert_eq(strlen(ns), 9);
	cr_assert_eq(z, 'Z');
	cr_assert_geq(y, 2024);
}

Test(health, identical_events_merge_until_read)
{
	start(8, false);
	cr_assert_eq(session_lost("mon.a", "connection refused"), 0);
	cr_assert_eq(session_lost("mon.a", "connection refused"), 1);
	cr_assert_eq(session_lost("mon.a", "connection refused"), 1);
	struct health_reader r;
	health_reader_init(q, &r);
	char *s = read_all(&r);
	cr_assert_eq(count_lines(s), 2, "%s", s);
	cr_assert(strstr(s, "\"type\":\"session_lost\",\"server\":\"mon.a\",\"addr\":\"127.0.0.1:3300\",\"count\":3,"
			    "\"last_time\":"),
		  "%s", s);
	/* Read now: the next one must not vanish into a line already read. */
	cr_assert_eq(session_lost("mon.a", "connection refused"), 0);
	s = read_all(&r);
	cr_assert_eq(count_lines(s), 1);
	cr_assert(strstr(s, "\"count\":1"), "%s", s);
}

Test(health, different_things_do_not_merge)
{
	start(8, false);
	cr_assert_eq(session_lost("mon.a", "connection refused"), 0);
	cr_assert_eq(session_lost("mon.b", "connection refused"), 0);
	cr_assert_eq(session_lost("mon.b", "keepalive timeout"), 0);
	struct health_event ev = ev_of(HEALTH_DOMAIN_SESSION, HEALTH_HUNTING);
	snprintf(ev.server, sizeof(ev.server), "mon.b");
	snprintf(ev.addr, sizeof(ev.addr), "127.0.0.1:3300");
	snprintf(ev.reason, sizeof(ev.reason), "keepalive timeout");
	cr_assert_eq(health_emit(q, &ev), 0);
	cr_assert_eq(count_lines(read_fresh()), 5);
}

Test(health, masks_or_and_counts_add)
{
	start(8, false);
	struct health_event ev = ev_of(HEALTH_DOMAIN_VOLUME, HEALTH_SICK);
	snprintf(ev.volume, sizeof(ev.volume), "cephfs_data");
	ev.mask = 0x1;
	ev.count = 2;
	cr_assert_eq(health_emit(q, &ev), 0);
	ev.mask = 0x4;
	ev.count = 5;
	cr_assert_eq(health_emit(q, &ev), 1);
	char *s = read_fresh();
	cr_assert(strstr(s, "\"volume\":\"cephfs_data\",\"count\":7,"), "%s", s);
	cr_assert(strstr(s, "\"mask\":\"0x5\""), "%s", s);
}

static int io_error_range(uint64_t off, uint64_t len)
{
	struct health_event ev = ev_of(HEALTH_DOMAIN_RANGE, HEALTH_IO_ERROR);
	ev.ino = 42;
	ev.gen = 1;
	ev.offset = off;
	ev.length = len;
	ev.error = EIO;
	return health_emit(q, &ev);
}

Test(health, adjacent_ranges_join)
{
	start(8, false);
	cr_assert_eq(io_error_range(4096, 4096), 0);
	cr_assert_eq(io_error_range(8192, 4096), 1, "touching range did not join");
	cr_assert_eq(io_error_range(0, 5000), 1, "overlapping range did not join");
	cr_assert_eq(io_error_range(1 << 20, 10), 0, "a distant range joined");
	char *s = read_fresh();
	cr_assert(strstr(s, "\"ino\":42,\"gen\":1,\"offset\":0,\"length\":12288,\"count\":3"), "%s", s);
	cr_assert(strstr(s, "\"offset\":1048576,\"length\":10,\"count\":1"), "%s", s);
	cr_assert(strstr(s, "\"error\":\"EIO\""), "%s", s);
}

Test(health, range_at_the_end_of_the_offset_space)
{
	start(8, false);
	cr_assert_eq(io_error_range(UINT64_MAX - 10, 100), 0);
	cr_assert_eq(io_error_range(UINT64_MAX - 20, 10), 1);
	char *s = read_fresh();
	cr_assert(strstr(s, "\"offset\":18446744073709551595,\"length\":20,"), "%s", s);
}

Test(health, slow_reader_gets_one_lost_event)
{
	start(4, false);
	struct health_reader slow;
	health_reader_init(q, &slow);
	for (int i = 0; i < 10; i++) {
		char name[16];
		snprintf(name, sizeof(name), "mon.%d", i);
		cr_assert_eq(session_lost(name, "x"), 0);
	}
	char *s = read_all(&slow);
	cr_assert(strstr(s, "\"type\":\"running\",\"source\":\"127.0.0.1:/\""), "%s", s);
	/* running, lost (6 missed), then the newest 4 */
	cr_assert_eq(count_lines(s), 6, "%s", s);
	cr_assert(strstr(s, "\"type\":\"running\""));
	cr_assert(strstr(s, "\"seq\":2,\"domain\":\"mount\",\"type\":\"lost\",\"count\":6,"), "%s", s);
	cr_assert(strstr(s, "mon.6") && strstr(s, "mon.9") && !strstr(s, "mon.5"), "%s", s);
	cr_assert_lt(strstr(s, "\"running\""), strstr(s, "\"lost\""));
	struct health_stats st;
	health_queue_stats(q, &st);
	cr_assert_eq(st.dropped_from_window, 6);
	cr_assert_eq(st.kept, 5);
}

Test(health, unmount_is_last)
{
	start(8, false);
	struct health_event ev = ev_of(HEALTH_DOMAIN_MOUNT, HEALTH_UNMOUNT);
	cr_assert_eq(health_emit(q, &ev), 0);
	cr_assert_eq(session_lost("mon.a", "late"), -ESHUTDOWN);
	struct health_reader r;
	health_reader_init(q, &r);
	char *s = read_all(&r);
	cr_assert_eq(count_lines(s), 2);
	cr_assert(strstr(s, "\"type\":\"unmount\""));
	cr_assert(r.saw_unmount);
}

Test(health, normal_mode_filters_healthy_inodes)
{
	start(8, false);
	struct health_event ev = ev_of(HEALTH_DOMAIN_INODE, HEALTH_HEALTHY);
	ev.ino = 5;
	cr_assert_eq(health_emit(q, &ev), -EAGAIN);
	ev.domain = HEALTH_DOMAIN_VOLUME;
	cr_assert_eq(health_emit(q, &ev), 0, "a healthy volume is news in any mode");
	health_queue_free(q);
	start(8, true);
	ev.domain = HEALTH_DOMAIN_INODE;
	cr_assert_eq(health_emit(q, &ev), 0, "verbose mode dropped it");
}

Test(health, byte_at_a_time_reads_match_whole_reads)
{
	start(16, false);
	for (int i = 0; i < 5; i++)
		io_error_range((uint64_t)i << 30, 1);
	char *whole = strdup(read_fresh());
	struct health_reader r;
	health_reader_init(q, &r);
	char got[1 << 14];
	size_t n = 0;
	ssize_t k;
	while ((k = health_read(q, &r, got + n, 1)) == 1)
		n++;
	cr_assert_eq(k, 0);
	got[n] = '\0';
	cr_assert_str_eq(got, whole);
	free(whole);
}

Test(health, readable_tracks_what_the_reader_has_not_seen)
{
	q = health_queue_new(8, false);
	struct health_reader r;
	health_reader_init(q, &r);
	cr_assert_not(health_readable(q, &r), "readable before running");
	struct health_event ev = ev_of(HEALTH_DOMAIN_MOUNT, HEALTH_RUNNING);
	cr_assert_eq(health_emit(q, &ev), 0);
	cr_assert(health_readable(q, &r));
	char one;
	cr_assert_eq(health_read(q, &r, &one, 1), 1);
	cr_assert(health_readable(q, &r), "half a line left but not readable");
	read_all(&r);
	cr_assert_not(health_readable(q, &r));
	cr_assert_eq(session_lost("mon.a", "x"), 0);
	cr_assert(health_readable(q, &r));
}

static int notified;
static void count_notify(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&notified, 1, __ATOMIC_RELAXED);
}

Test(health, notify_runs_for_queued_and_merged_events_only)
{
	start(8, false);
	notified = 0;
	health_queue_set_notify(q, count_notify, NULL);
	session_lost("mon.a", "x");
	session_lost("mon.a", "x"); /* merged */
	struct health_event ev = ev_of(HEALTH_DOMAIN_INODE, HEALTH_HEALTHY);
	health_emit(q, &ev); /* filtered */
	cr_assert_eq(notified, 2);
}

static void *emitter(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++)
		io_error_range((uint64_t)i * 2 << 20, 1); /* never adjacent: no merges */
	return NULL;
}

Test(health, concurrent_emitters_and_readers_see_ordered_whole_lines)
{
	start(64, false);
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, emitter, NULL);
	struct health_reader r;
	health_reader_init(q, &r);
	static char buf[1 << 20];
	size_t n = 0;
	for (int spins = 0; spins < 200000 && n < sizeof(buf) - 8192; spins++) {
		ssize_t k = health_read(q, &r, buf + n, 777); /* odd size: lines straddle reads */
		n += (size_t)k;
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ssize_t k;
	while ((k = health_read(q, &r, buf + n, sizeof(buf) - 1 - n)) > 0 && n < sizeof(buf) - 8192)
		n += (size_t)k;
	buf[n] = '\0';
	/* Every line is a whole event, and sequence numbers only grow. */
	unsigned long long last = 0, seq;
	for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		cr_assert_eq(line[0], '{', "torn line: %.60s", line);
		cr_assert_eq(nl[-1], '}', "torn line: %.60s", line);
		char *p = strstr(line, "\"seq\":");
		cr_assert_not_null(p);
		seq = strtoull(p + 6, NULL, 10);
		cr_assert_gt(seq, last, "seq %llu after %llu", seq, last);
		last = seq;
	}
}

Test(health, longest_event_of_every_domain_fits_a_line)
{
	static char line[HEALTH_LINE_MAX];
	for (int d = 0; d < HEALTH_DOMAIN_NR; d++) {
		struct health_event ev = ev_of((enum health_domain)d, HEALTH_IO_ERROR);
		/* Control bytes: the longest escape (\u00XX) for every byte. */
		memset(ev.source, 0x01, sizeof(ev.source) - 1);
		memset(ev.server, 0x01, sizeof(ev.server) - 1);
		memset(ev.addr, 0x01, sizeof(ev.addr) - 1);
		memset(ev.volume, 0x01, sizeof(ev.volume) - 1);
		memset(ev.path, 0x01, sizeof(ev.path) - 1);
		memset(ev.reason, 0x01, sizeof(ev.reason) - 1);
		ev.seq = ev.ino = ev.gen = ev.offset = ev.length = ev.count = UINT64_MAX;
		ev.time.tv_sec = ev.last_time.tv_sec = 253402300799; /* 9999-12-31T23:59:59 */
		ev.time.tv_nsec = ev.last_time.tv_nsec = 999999999;
		ev.mask = UINT32_MAX;
		ev.error = -1;
		int n = health_render(&ev, line, sizeof(line));
		cr_assert_gt(n, 0, "domain %d does not fit in HEALTH_LINE_MAX", d);
		cr_assert_eq(line[n - 1], '\n');
		cr_assert_eq(health_render(&ev, line, (size_t)n - 1), -ENOSPC, "a short buffer was overrun");
	}
}

static void *emit_later(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 50 * 1000000L };
	nanosleep(&ts, NULL);
	session_lost("mon.late", "x");
	return NULL;
}

Test(health, wait_returns_when_an_event_arrives_or_times_out)
{
	start(8, false);
	struct health_reader r;
	health_reader_init(q, &r);
	read_all(&r);
	cr_assert_not(health_wait(q, &r, 20), "nothing new, yet readable");
	pthread_t t;
	pthread_create(&t, NULL, emit_later, NULL);
	bool got = false;
	for (int i = 0; i < 100 && !got; i++) /* a wake-up may come before the event */
		got = health_wait(q, &r, 100);
	pthread_join(t, NULL);
	cr_assert(got, "the event never woke the waiter");
	cr_assert(strstr(read_all(&r), "mon.late"));
}
