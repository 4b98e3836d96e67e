/*
 * text/textbuf.h: text appended into a caller's fixed buffer, for the
 * views that render a snapshot into one (nf_view.render): each printf
 * appends, and a text longer than the buffer is cut there, still
 * NUL-terminated; off is the length written.
 */
#ifndef NETFUSE_TEXT_TEXTBUF_H
#define NETFUSE_TEXT_TEXTBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct textbuf {
	char *buf;
	size_t len, off;
};

static inline void textbuf_init(struct textbuf *t, char *buf, size_t len)
{
	t->buf = buf;
	t->len = len;
	t->off = 0;
	if (len)
		buf[0] = '\0';
}

static inline void textbuf_printf(struct textbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void textbuf_printf(struct textbuf *t, const char *fmt, ...)
{
	va_list va;
	int n;

	if (t->off + 1 >= t->len)
		return;
	va_start(va, fmt);
	n = vsnprintf(t->buf + t->off, t->len - t->off, fmt, va);
	va_end(va);
	if (n < 0)
		return;
	t->off += (size_t)n;
	if (t->off >= t->len)
		t->off = t->len - 1; /* cut, still NUL-terminated by vsnprintf */
}

#endif
