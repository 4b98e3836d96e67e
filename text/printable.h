/*
 * text/printable.h: put text from files, options or the wire into a message
 * as one printable line.
 *
 * Error messages quote what they reject (a monitor address, a CellServDB
 * line, an option name), and that text may hold newlines, terminal escapes
 * or any byte. printable_copy() copies it with every byte outside printable
 * ASCII written as \xNN, so a message never spans lines or drives a
 * terminal; printable_error() writes a whole message that way. Shared by
 * cephmon/, afs_rx/ and fuse/; header-only.
 */
#ifndef NETFUSE_TEXT_PRINTABLE_H
#define NETFUSE_TEXT_PRINTABLE_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Copy at most @srclen bytes of @src (stopping at a NUL) into @dst, escaped;
 * cut at a whole character or escape when @dst is full. Returns the length
 * written; @dst is always terminated when @dstlen > 0. */
static inline size_t printable_copy(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t n = 0;

	if (!dstlen)
		return 0;
	for (size_t i = 0; i < srclen && src[i]; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c >= 0x20 && c < 0x7f) {
			if (n + 1 >= dstlen)
				break;
			dst[n++] = (char)c;
		} else {
			if (n + 4 >= dstlen)
				break;
			snprintf(dst + n, dstlen - n, "\\x%02x", c);
			n += 4;
		}
	}
	dst[n] = '\0';
	return n;
}

/*
 * The one way parsers and resolvers report a failure to people: "line N: "
 * when @line is not 0, then the formatted reason, as one printable line in
 * @err (which may be NULL). Returns @code, so a parser can end with
 * `return printable_error(err, errlen, 0, -EINVAL, "bad %s", what)`.
 */
static inline int printable_error(char *err, size_t errlen, unsigned line, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static inline int printable_error(char *err, size_t errlen, unsigned line, int code, const char *fmt, ...)
{
	char why[PATH_MAX + 256];
	size_t n = 0;
	va_list va;

	if (!err || !errlen)
		return code;
	va_start(va, fmt);
	vsnprintf(why, sizeof(why), fmt, va);
	va_end(va);
	if (line)
		n = (size_t)snprintf(err, errlen, "line %u: ", line);
	if (n < errlen)
		printable_copy(err + n, errlen - n, why, sizeof(why));
	return code;
}

#endif
