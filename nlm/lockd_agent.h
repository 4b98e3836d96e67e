/*
 * nlm/lockd_agent.h: netfuse-lockd as its host's NLM client agent (see
 * agent_proto.h): the mounts on this host register on a Unix socket, and a
 * lock server's GRANTED for one of their owners is passed to that mount.
 * On the lockd loop thread, like the rest of the service.
 */
#ifndef NETFUSE_NLM_LOCKD_AGENT_H
#define NETFUSE_NLM_LOCKD_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "lockd.h"

struct evloop;
struct lockd_agent;

#define LOCKD_AGENT_MAX_MOUNTS 1024

/* Listen at @path on @loop (before the loop starts). A socket left there by
 * a daemon that died is replaced; one a live netfuse-lockd answers on is
 * refused. @monitor has this host's statd watch a mounts' lock server
 * (0 or -errno; may be NULL: none is watched); when that server is this
 * lockd itself it sets *self_state to its NSM state instead. NULL with one
 * line in @err. */
struct lockd_agent *lockd_agent_new(struct evloop *loop, const char *path,
				    int (*monitor)(void *arg, struct in_addr server, int32_t *self_state), void *arg,
				    char *err, size_t errlen);
/* After the loop stopped: disconnects the mounts and removes the socket. */
void lockd_agent_free(struct lockd_agent *a);

/* A lock server's grant: passed to the mount whose id begins @g's owner
 * handle. Whether one took it. */
bool lockd_agent_granted(struct lockd_agent *a, const struct lockd_grant *g);

/* statd says the lock server @mon_name (an IPv4 address as text) restarted
 * with NSM state @state: each mount locking there is told. */
void lockd_agent_server_restarted(struct lockd_agent *a, const char *mon_name, int32_t state);

struct lockd_agent_stats {
	unsigned mounts;	/* registered now */
	uint64_t delivered;	/* grants passed to a mount */
	uint64_t unmatched;	/* grants for no registered mount */
	uint64_t restarts_told; /* mounts told their lock server restarted */
};
void lockd_agent_stats(const struct lockd_agent *a, struct lockd_agent_stats *st);

#endif
