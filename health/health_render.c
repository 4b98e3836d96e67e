/*
 * health/health_render.c: one health event as one JSON line.
 *
 *   {"time":"2026-11-21T17:11:33.123456789Z","seq":7,"domain":"session",
 *    "type":"session_lost","server":"mon.a","addr":"127.0.0.1:3300",
 *    "count":1,"error":"ECONNREFUSED","reason":"connection refused"}
 *
 * Only the fields that mean something for the event's domain and type are
 * written. Strings are escaped so that every line is valid JSON whatever a
 * file or server name holds: '"' and '\\' escaped, control characters as
 * \u00XX, and bytes that are not valid UTF-8 as the text \\xNN (JSON has no
 * raw bytes; this keeps the byte's value readable).
 */
#include "config.h"

#include "health.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const domain_names[HEALTH_DOMAIN_NR] = {
	[HEALTH_DOMAIN_MOUNT] = "mount", [HEALTH_DOMAIN_SESSION] = "session", [HEALTH_DOMAIN_VOLUME] = "volume",
	[HEALTH_DOMAIN_INODE] = "inode", [HEALTH_DOMAIN_RANGE] = "range",
};

static const char *const type_names[HEALTH_TYPE_NR] = {
	[HEALTH_RUNNING] = "running",
	[HEALTH_LOST] = "lost",
	[HEALTH_SESSION_ESTABLISHED] = "session_established",
	[HEALTH_SESSION_LOST] = "session_lost",
	[HEALTH_HUNTING] = "hunting",
	[HEALTH_AUTH_FAILED] = "auth_failed",
	[HEALTH_SICK] = "sick",
	[HEALTH_HEALTHY] = "healthy",
	[HEALTH_IO_ERROR] = "io_error",
	[HEALTH_LOCK_LOST] = "lock_lost",
	[HEALTH_LOCK_RECLAIMED] = "lock_reclaimed",
	[HEALTH_SHUTDOWN] = "shutdown",
	[HEALTH_UNMOUNT] = "unmount",
};

const char *health_domain_name(enum health_domain d)
{
	return (unsigned)d < HEALTH_DOMAIN_NR ? domain_names[d] : "unknown";
}

const char *health_type_name(enum health_type t)
{
	return (unsigned)t < HEALTH_TYPE_NR ? type_names[t] : "unknown";
}

struct out {
	char *buf;
	size_t len, pos;
	bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || n > o->len - o->pos) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->pos, s, n);
	o->pos += n;
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct out *o, const char *fmt, ...)
{
	char tmp[128];
	va_list va;
	int n;

	va_start(va, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, va);
	va_end(va);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		o->full = true;
		return;
	}
	put(o, tmp, (size_t)n);
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A JSON string from the NUL-terminated @s, at most @max bytes of it. */
static void put_str(struct out *o, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, max);

	put(o, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t k;

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			put(o, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n':
				put(o, "\\n", 2);
				break;
			case '\t':
				put(o, "\\t", 2);
				break;
			case '\r':
				put(o, "\\r", 2);
				break;
			default:
				putf(o, "\\u%04x", c);
			}
			i++;
		} else if ((k = utf8_seq(p + i, n - i)) != 0) {
			put(o, s + i, k);
			i += k;
		} else {
			putf(o, "\\\\x%02x", c);
			i++;
		}
	}
	put(o, "\"", 1);
}

/* ,"key":"2026-11-21T17:11:33.123456789Z" (without the comma when @first). */
static void put_time(struct out *o, const char *key, const struct timespec *ts, bool first)
{
	struct tm tm;
	time_t sec = ts->tv_sec;

	if (!gmtime_r(&sec, &tm)) {
		o->full = true;
		return;
	}
	putf(o, "%s\"%s\":\"%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ\"", first ? "" : ",", key, tm.tm_year + 1900,
	     tm.tm_mon + 1,
	     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)ts->tv_nsec);
}

static void put_named(struct out *o, const char *key, const char *val, size_t max)
{
	if (!val[0])
		return;
	putf(o, ",\"%s\":", key);
	put_str(o, val, max);
}

int health_render(const struct health_event *ev, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };

	/* "time" leads, so a sorted or grepped stream reads chronologically. */
	put(&o, "{", 1);
	put_time(&o, "time", &ev->time, true);
	putf(&o, ",\"seq\":%" PRIu64 ",\"domain\":\"%s\",\"type\":\"%s\"", ev->seq, health_domain_name(ev->domain),
	     health_type_name(ev->type));

	switch (ev->domain) {
	case HEALTH_DOMAIN_SESSION:
		put_named(&o, "server", ev->server, sizeof(ev->server));
		put_named(&o, "addr", ev->addr, sizeof(ev->addr));
		break;
	case HEALTH_DOMAIN_VOLUME:
		put_named(&o, "volume", ev->volume, sizeof(ev->volume));
		break;
	case HEALTH_DOMAIN_RANGE:
	case HEALTH_DOMAIN_INODE:
		put_named(&o, "volume", ev->volume, sizeof(ev->volume));
		putf(&o, ",\"ino\":%" PRIu64 ",\"gen\":%" PRIu64, ev->ino, ev->gen);
		put_named(&o, "path", ev->path, sizeof(ev->path));
		if (ev->domain == HEALTH_DOMAIN_RANGE)
			putf(&o, ",\"offset\":%" PRIu64 ",\"length\":%" PRIu64, ev->offset, ev->length);
		break;
	case HEALTH_DOMAIN_MOUNT:
	default:
		put_named(&o, "source", ev->source, sizeof(ev->source));
		break;
	}
	putf(&o, ",\"count\":%" PRIu64, ev->count ? ev->count : 1);
	if (ev->count > 1 && (ev->last_time.tv_sec || ev->last_time.tv_nsec))
		put_time(&o, "last_time", &ev->last_time, false);
	if (ev->mask)
		putf(&o, ",\"mask\":\"0x%x\"", ev->mask);
	if (ev->error) {
		const char *name = strerrorname_np(ev->error);
		if (name)
			putf(&o, ",\"error\":\"%s\"", name);
		else
			putf(&o, ",\"error\":\"%d\"", ev->error);
	}
	put_named(&o, "reason", ev->reason, sizeof(ev->reason));
	put(&o, "}\n", 2);
	if (o.full)
		return -ENOSPC;
	return (int)o.pos;
}
