/* fuse/log.c: stderr or syslog (see log.h). */
#include "config.h"

#include "log.h"

#define FUSE_USE_VERSION 314
#include <fuse_log.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *log_prog = "netfuse";
static bool log_debug, log_syslog;

static void vlog(int prio, const char *fmt, va_list va)
{
	if (prio == LOG_DEBUG && !log_debug)
		return;
	if (log_syslog) {
		vsyslog(prio, fmt, va);
		return;
	}
	/* One write per line, so lines from several threads never interleave. */
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s: ", log_prog);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, va);
	fprintf(stderr, "%s%s", line, line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
}

void nf_log(int prio, const char *fmt, ...)
{
	va_list va;

	va_start(va, fmt);
	vlog(prio, fmt, va);
	va_end(va);
}

static void from_libfuse(enum fuse_log_level level, const char *fmt, va_list va)
{
	vlog((int)level, fmt, va);
}

void nf_log_init(const char *prog, bool debug)
{
	log_prog = prog;
	log_debug = debug;
	fuse_set_log_func(from_libfuse);
}

void nf_log_to_syslog(void)
{
	openlog(log_prog, LOG_PID, LOG_DAEMON);
	log_syslog = true;
}
