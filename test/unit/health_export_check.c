/*
 * test/unit/health_export_check.c URL COUNT: queue COUNT session events on a
 * fresh health queue with an exporter to URL, stop it with a flush of a few
 * seconds, then print the exporter's figures and the queue's stream:
 *   delivered=N failed=N retries=N
 *   <the .health stream, JSON Lines>
 * health_export.test drives it against a real HTTP server and against a
 * port where nothing listens.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "health/health_export.h"

int main(int argc, char **argv)
{
	struct health_export_opts opts = { .attempts = 3, .backoff_ms = 50, .backoff_max_ms = 200, .timeout_ms = 2000 };
	struct health_export_stats st;
	struct health_event ev;
	char err[256], buf[HEALTH_LINE_MAX];
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: %s URL COUNT\n", argv[0]);
		return 2;
	}
	struct health_queue *q = health_queue_new(256, false);
	memset(&ev, 0, sizeof(ev));
	ev.type = HEALTH_RUNNING;
	snprintf(ev.source, sizeof(ev.source), "export-check");
	health_emit(q, &ev);

	struct health_export *x = health_export_start(q, argv[1], &opts, err, sizeof(err));
	if (!x) {
		printf("error: %s\n", err);
		health_queue_free(q);
		return 1;
	}
	for (int i = 0; i < atoi(argv[2]); i++) {
		memset(&ev, 0, sizeof(ev));
		ev.domain = HEALTH_DOMAIN_SESSION;
		ev.type = i % 2 ? HEALTH_SESSION_ESTABLISHED : HEALTH_SESSION_LOST;
		snprintf(ev.server, sizeof(ev.server), "mon.%d", i);
		health_emit(q, &ev);
	}
	health_export_stop(x, 5000, &st);
	printf("delivered=%llu failed=%llu retries=%llu\n", (unsigned long long)st.delivered,
	       (unsigned long long)st.failed, (unsigned long long)st.retries);
	struct health_reader r;
	health_reader_init(q, &r);
	while ((n = health_read(q, &r, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	health_queue_free(q);
	return 0;
}
