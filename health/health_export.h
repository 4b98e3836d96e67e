/*
 * health/health_export.h: deliver a mount's health events to an HTTP endpoint
 * (-o health_url=URL).
 *
 * A background thread reads the queue like any .health reader and POSTs each
 * event as one JSON document (Content-Type: application/json), retrying with
 * exponential backoff. The file system never waits for it: emitting an event
 * only queues it, and an exporter that falls behind the queue's window reads
 * a "lost" event like any slow reader. When a delivery finally fails, the
 * exporter reports the outage once as a "sick" session event for the
 * endpoint, and once as "healthy" (with how many events it could not deliver)
 * when deliveries work again. Events name the endpoint by host and port only:
 * credentials in the URL never reach an event, a log line or an error.
 */
#ifndef NETFUSE_HEALTH_EXPORT_H
#define NETFUSE_HEALTH_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "health.h"

struct health_export;

struct health_export_opts {
	unsigned attempts;	   /* tries per event; 0: 5 */
	unsigned backoff_ms;	   /* first retry delay, doubling; 0: 250 */
	unsigned backoff_max_ms;   /* 0: 8000 */
	unsigned timeout_ms;	   /* per request; 0: 5000 */
};

struct health_export_stats {
	uint64_t delivered, failed, retries;
};

/* Start exporting @q's events to @url (http:// or https://). NULL with a
 * reason in @err for a URL curl cannot use; the URL's user and password are
 * never copied into @err. */
struct health_export *health_export_start(struct health_queue *q, const char *url,
					  const struct health_export_opts *opts, char *err, size_t errlen);

/* Deliver what is queued for up to @flush_ms, then stop the thread and free
 * @x; the final figures go to @final when it is not NULL. */
void health_export_stop(struct health_export *x, int flush_ms, struct health_export_stats *final);

void health_export_get_stats(struct health_export *x, struct health_export_stats *st);

#endif
