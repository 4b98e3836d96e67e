/*
 * test/unit/health_sample.c: prints a .health stream of hostile events (names
 * with quotes, backslashes, control characters, invalid and valid UTF-8,
 * every field at its longest) for health_json.test, which checks that every
 * line is a JSON document a standard parser accepts.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "health/health.h"

static void fill(char *s, size_t n, unsigned char c)
{
	memset(s, c, n - 1);
	s[n - 1] = '\0';
}

int main(void)
{
	struct health_queue *q = health_queue_new(64, true);
	struct health_event ev;
	struct health_reader r;
	char buf[8192];
	ssize_t n;

	if (!q)
		return 1;
	memset(&ev, 0, sizeof(ev));
	ev.type = HEALTH_RUNNING;
	snprintf(ev.source, sizeof(ev.source), "mon1,mon2:/\"quoted\"\\dir");
	health_emit(q, &ev);

	const char *names[] = {
		"plain.txt", "quote\"and\\backslash", "tab\tnewline\ncr\rbell\a del\x7f", "bad utf8 \xff\xfe \xc0\xaf",
		"utf8 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "truncated \xe2\x82", "surrogate \xed\xa0\x80",
	};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&ev, 0, sizeof(ev));
		ev.domain = HEALTH_DOMAIN_INODE;
		ev.type = HEALTH_SICK;
		ev.ino = i + 2;
		ev.error = i % 2 ? EIO : 0;
		snprintf(ev.path, sizeof(ev.path), "%s", names[i]);
		snprintf(ev.reason, sizeof(ev.reason), "reason: %s", names[i]);
		health_emit(q, &ev);
	}
	/* Every string at its longest, all control bytes: the longest line. */
	memset(&ev, 0, sizeof(ev));
	ev.domain = HEALTH_DOMAIN_RANGE;
	ev.type = HEALTH_IO_ERROR;
	fill(ev.volume, sizeof(ev.volume), 0x01);
	fill(ev.path, sizeof(ev.path), 0x02);
	fill(ev.reason, sizeof(ev.reason), 0x03);
	ev.ino = ev.gen = ev.offset = ev.length = UINT64_MAX;
	ev.error = 4095; /* no errno name */
	ev.mask = 0xffffffff;
	if (health_emit(q, &ev) < 0)
		return 1;
	memset(&ev, 0, sizeof(ev));
	ev.domain = HEALTH_DOMAIN_SESSION;
	ev.type = HEALTH_AUTH_FAILED;
	fill(ev.server, sizeof(ev.server), 0xff);
	fill(ev.addr, sizeof(ev.addr), '"');
	health_emit(q, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.type = HEALTH_UNMOUNT;
	health_emit(q, &ev);

	health_reader_init(q, &r);
	while ((n = health_read(q, &r, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)n) != n)
			return 1;
	health_queue_free(q);
	return 0;
}
