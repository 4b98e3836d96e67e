/*
 * nlm/lockd_log.h: netfuse-lockd's log: stderr in the foreground and until
 * the daemon is serving (so a start-up error reaches whoever started it),
 * syslog (LOG_DAEMON) once detached. Never a secret: NLM carries none.
 */
#ifndef NETFUSE_NLM_LOCKD_LOG_H
#define NETFUSE_NLM_LOCKD_LOG_H

#include <stdbool.h>
#include <syslog.h>

void lockd_log_init(const char *prog, bool debug);
void lockd_log_to_syslog(void);
/* @prio is a syslog priority; LOG_DEBUG lines only with -d. */
void lockd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
