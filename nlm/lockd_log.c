/* nlm/lockd_log.c: stderr or syslog (see lockd_log.h). */
#include "config.h"

#include "lockd_log.h"

#include <stdarg.h>
#include <stdio.h>

static const char *log_prog = "netfuse-lockd";
static bool log_debug, log_syslog;

void lockd_log_init(const char *prog, bool debug)
{
	log_prog = prog;
	log_debug = debug;
}

void lockd_log_to_syslog(void)
{
	openlog(log_prog, LOG_PID, LOG_DAEMON);
	log_syslog = true;
}

void lockd_log(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list va;

	if (prio == LOG_DEBUG && !log_debug)
		return;
	va_start(va, fmt);
	vsnprintf(line, sizeof(line), fmt, va);
	va_end(va);
	if (log_syslog)
		syslog(prio, "%s", line);
	else
		fprintf(stderr, "%s: %s\n", log_prog, line);
}
