/*
 * nlm/lockd_svc.h: netfuse-lockd's service: the protocol engine (lockd.h)
 * on one event-loop thread with its UDP and TCP listeners, registered with
 * this host's rpcbind as NLM versions 1, 3 and 4, the calls it makes
 * (lockd_callout.h), its grant timer, and its health log.
 *
 * TCP carries RPC records (RFC 5531 record marking): fragments are joined
 * up to LOCKD_SVC_RECORD_MAX bytes, a longer record closes the connection.
 * At most LOCKD_SVC_MAX_CONNS connections are open (Linux lockd's
 * nlm_max_connections): a new one beyond that closes the one idle longest.
 * A connection idle for LOCKD_SVC_IDLE_NS is closed.
 */
#ifndef NETFUSE_NLM_LOCKD_SVC_H
#define NETFUSE_NLM_LOCKD_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockd.h"

#define LOCKD_SVC_RECORD_MAX 65536
#define LOCKD_SVC_MAX_CONNS  1024
#define LOCKD_SVC_IDLE_NS    (360 * 1000000000ull) /* 6 minutes, as Linux */

struct lockd_svc_config {
	const char *bind_addr;	     /* IPv4 address to listen on; NULL: every address */
	uint16_t udp_port, tcp_port; /* 0: any free port */
	bool statd;		     /* monitor client hosts through this host's statd */
	unsigned statd_timeout_ms;
	const char *health_path; /* JSON Lines log of events, or NULL */
	const char *agent_path;	 /* the mounts' agent socket (agent_proto.h), or NULL */
	const char *state_dir;	 /* lockd_state.h: clients to tell of a restart; NULL: none */
	struct lockd_config engine;
};

struct lockd_svc;

/* Binds the listeners. NULL with one line in @err. */
struct lockd_svc *lockd_svc_new(const struct lockd_svc_config *cfg, char *err, size_t errlen);

/* The ports bound (after lockd_svc_new). */
void lockd_svc_ports(const struct lockd_svc *s, uint16_t *udp, uint16_t *tcp);

/* Registers NLM 1, 3 and 4 on UDP and TCP with this host's rpcbind, then
 * starts serving. 0, or -1 with one line in @err (nothing left registered). */
int lockd_svc_start(struct lockd_svc *s, char *err, size_t errlen);

/*
 * Stops serving and unregisters; what was held when it stopped goes to
 * @final (if not NULL), and to the log and health, since every lock held is
 * dropped. Then frees everything.
 */
void lockd_svc_stop(struct lockd_svc *s, struct lockd_stats *final);

#endif
