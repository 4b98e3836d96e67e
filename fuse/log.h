/*
 * fuse/log.h: the front-ends' log: stderr while the program runs in the
 * foreground (and until a daemon's mount is up, so mount errors reach the
 * person or fstab that ran it), syslog once detached. libfuse's own messages
 * are routed here too. Messages never carry secrets.
 */
#ifndef NETFUSE_LOG_H
#define NETFUSE_LOG_H

#include <stdbool.h>
#include <syslog.h>

void nf_log_init(const char *prog, bool debug);
/* Detached: from now on, to syslog (LOG_DAEMON) as PROG[PID]. */
void nf_log_to_syslog(void);
/* @prio is a syslog priority; LOG_DEBUG lines only with -d. */
void nf_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
