/*
 * health/health_export.c: the HTTP export of health events (see
 * health_export.h), with libcurl's easy interface on one thread.
 */
#include "config.h"

#include "health_export.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct health_export {
	struct health_queue *q;
	struct health_reader reader;
	struct health_export_opts opts;
	char *url;
	char endpoint[HEALTH_NAME_MAX]; /* "host:port", for events */
	CURL *curl;
	struct curl_slist *headers;
	pthread_t thread;
	pthread_mutex_t lock;
	bool stopping;
	int64_t flush_deadline_ms; /* monotonic; while stopping */
	bool in_outage;
	uint64_t outage_failed;
	struct health_export_stats st;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init(void)
{
	curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "host:port" of @url, without any user or password; false if unparsable. */
static bool url_endpoint(const char *url, char *out, size_t outsz)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	bool ok = false;

	if (!u)
		return false;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    (!strcmp(scheme, "http") || !strcmp(scheme, "https"))) {
		snprintf(out, outsz, "%s:%s", host, port);
		ok = true;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ok;
}

static bool stopping_past_deadline(struct health_export *x)
{
	bool past;
	pthread_mutex_lock(&x->lock);
	past = x->stopping && now_ms() >= x->flush_deadline_ms;
	pthread_mutex_unlock(&x->lock);
	return past;
}

static bool is_stopping(struct health_export *x)
{
	bool s;
	pthread_mutex_lock(&x->lock);
	s = x->stopping;
	pthread_mutex_unlock(&x->lock);
	return s;
}

/* Sleep @ms, waking early (false) when told to stop past the flush deadline. */
static bool backoff_sleep(struct health_export *x, unsigned ms)
{
	int64_t until = now_ms() + ms;
	while (now_ms() < until) {
		if (stopping_past_deadline(x))
			return false;
		struct timespec ts = { 0, 20 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return true;
}

/* POST one event; true once the endpoint took it (2xx). */
static bool post_line(struct health_export *x, const char *json, size_t len, char *why, size_t whylen)
{
	unsigned delay = x->opts.backoff_ms;

	for (unsigned attempt = 1;; attempt++) {
		curl_easy_setopt(x->curl, CURLOPT_POSTFIELDS, json);
		curl_easy_setopt(x->curl, CURLOPT_POSTFIELDSIZE, (long)len);
		CURLcode rc = curl_easy_perform(x->curl);
		long status = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
		if (rc == CURLE_OK && status >= 200 && status < 300)
			return true;
		if (rc != CURLE_OK)
			snprintf(why, whylen, "%s", curl_easy_strerror(rc));
		else
			snprintf(why, whylen, "HTTP status %ld", status);
		if (attempt >= x->opts.attempts || !backoff_sleep(x, delay))
			return false;
		pthread_mutex_lock(&x->lock);
		x->st.retries++;
		pthread_mutex_unlock(&x->lock);
		delay = delay * 2 > x->opts.backoff_max_ms ? x->opts.backoff_max_ms : delay * 2;
	}
}

static void report(struct health_export *x, enum health_type type, const char *reason)
{
	struct health_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.domain = HEALTH_DOMAIN_SESSION;
	ev.type = type;
	snprintf(ev.server, sizeof(ev.server), "health_url");
	snprintf(ev.addr, sizeof(ev.addr), "%s", x->endpoint);
	snprintf(ev.reason, sizeof(ev.reason), "%s", reason);
	(void)health_emit(x->q, &ev); /* -ESHUTDOWN after unmount: nothing to tell */
}

static void deliver(struct health_export *x, const char *line, size_t len)
{
	char why[128] = "";
	bool ok = post_line(x, line, len, why, sizeof(why));

	pthread_mutex_lock(&x->lock);
	if (ok)
		x->st.delivered++;
	else
		x->st.failed++;
	pthread_mutex_unlock(&x->lock);

	if (!ok && !x->in_outage) {
		char reason[HEALTH_REASON_MAX];
		x->in_outage = true;
		x->outage_failed = 1;
		snprintf(reason, sizeof(reason), "cannot deliver health events: %s", why);
		report(x, HEALTH_SICK, reason);
	} else if (!ok) {
		x->outage_failed++;
	} else if (x->in_outage) {
		char reason[HEALTH_REASON_MAX];
		x->in_outage = false;
		snprintf(reason, sizeof(reason), "delivering health events again; %llu could not be delivered",
			 (unsigned long long)x->outage_failed);
		report(x, HEALTH_HEALTHY, reason);
	}
}

static void *export_thread(void *arg)
{
	struct health_export *x = arg;
	char buf[HEALTH_LINE_MAX];
	char line[HEALTH_LINE_MAX];
	size_t have = 0;

	for (;;) {
		if (!health_wait(x->q, &x->reader, 200)) {
			if (is_stopping(x))
				break; /* everything queued was delivered (or given up) */
			continue;
		}
		ssize_t n = health_read(x->q, &x->reader, buf, sizeof(buf));
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (have < sizeof(line) - 1)
					line[have++] = buf[i];
				continue;
			}
			line[have] = '\0';
			if (!stopping_past_deadline(x))
				deliver(x, line, have);
			else {
				pthread_mutex_lock(&x->lock);
				x->st.failed++;
				pthread_mutex_unlock(&x->lock);
			}
			have = 0;
		}
		if (stopping_past_deadline(x) && !health_readable(x->q, &x->reader))
			break;
	}
	return NULL;
}

struct health_export *health_export_start(struct health_queue *q, const char *url,
					  const struct health_export_opts *opts, char *err, size_t errlen)
{
	struct health_export *x;

	pthread_once(&curl_once, curl_init);
	if (curl_init_result != CURLE_OK) {
		snprintf(err, errlen, "health_url: libcurl did not initialise: %s",
			 curl_easy_strerror(curl_init_result));
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "health_url: out of memory");
		return NULL;
	}
	if (!url_endpoint(url, x->endpoint, sizeof(x->endpoint))) {
		snprintf(err, errlen, "health_url: not an http:// or https:// URL");
		free(x);
		return NULL;
	}
	x->q = q;
	if (opts)
		x->opts = *opts;
	if (!x->opts.attempts)
		x->opts.attempts = 5;
	if (!x->opts.backoff_ms)
		x->opts.backoff_ms = 250;
	if (!x->opts.backoff_max_ms)
		x->opts.backoff_max_ms = 8000;
	if (!x->opts.timeout_ms)
		x->opts.timeout_ms = 5000;
	x->url = strdup(url);
	x->curl = curl_easy_init();
	x->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (!x->url || !x->curl || !x->headers) {
		snprintf(err, errlen, "health_url: out of memory");
		goto fail;
	}
	curl_easy_setopt(x->curl, CURLOPT_URL, x->url);
	curl_easy_setopt(x->curl, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->curl, CURLOPT_TIMEOUT_MS, (long)x->opts.timeout_ms);
	curl_easy_setopt(x->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)x->opts.timeout_ms);
	curl_easy_setopt(x->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	pthread_mutex_init(&x->lock, NULL);
	health_reader_init(q, &x->reader);
	if (pthread_create(&x->thread, NULL, export_thread, x) != 0) {
		snprintf(err, errlen, "health_url: cannot start the export thread");
		pthread_mutex_destroy(&x->lock);
		goto fail;
	}
	return x;
fail:
	curl_slist_free_all(x->headers);
	if (x->curl)
		curl_easy_cleanup(x->curl);
	free(x->url);
	free(x);
	return NULL;
}

void health_export_stop(struct health_export *x, int flush_ms, struct health_export_stats *final)
{
	if (!x)
		return;
	pthread_mutex_lock(&x->lock);
	x->stopping = true;
	x->flush_deadline_ms = now_ms() + (flush_ms > 0 ? flush_ms : 0);
	pthread_mutex_unlock(&x->lock);
	health_wake(x->q);
	pthread_join(x->thread, NULL);
	if (final)
		*final = x->st;
	pthread_mutex_destroy(&x->lock);
	curl_slist_free_all(x->headers);
	curl_easy_cleanup(x->curl);
	free(x->url);
	free(x);
}

void health_export_get_stats(struct health_export *x, struct health_export_stats *st)
{
	pthread_mutex_lock(&x->lock);
	*st = x->st;
	pthread_mutex_unlock(&x->lock);
}
