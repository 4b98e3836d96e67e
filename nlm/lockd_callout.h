/*
 * nlm/lockd_callout.h: the calls netfuse-lockd makes.
 *
 *  - To another host's service: GRANTED_MSG for a blocked lock now held,
 *    and the _RES answers to _MSG requests, to the client host's NLM
 *    service; SM_NOTIFY after a restart, to a client host's statd. The
 *    service's port comes from the host's rpcbind (PMAP GETPORT, version
 *    2, as Linux's lockd and nfs-ganesha ask), asked once and kept for a
 *    minute; messages wait for the answer. Calls go over UDP from one
 *    socket on the loop; their replies come back there and go to the reply
 *    hook (NLM's are void). Nothing here blocks.
 *  - To this host's statd: SM_MON when a client host takes its first lock,
 *    so that statd tells lockd (NLM procedure 16) when that host reboots,
 *    and SM_MON of a lock server a mount here locks at, so that statd tells
 *    lockd when that server restarts. A synchronous call with a short
 *    timeout, as Linux's lockd makes it: statd is local.
 *
 * IPv4 only for now: a call to an IPv6 client is dropped and counted.
 */
#ifndef NETFUSE_NLM_LOCKD_CALLOUT_H
#define NETFUSE_NLM_LOCKD_CALLOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct evloop;
struct lockd_callout;

/* A UDP socket on @loop; NULL with errno set. Before the loop starts, or on
 * its thread. */
struct lockd_callout *lockd_callout_new(struct evloop *loop);
void lockd_callout_free(struct lockd_callout *c);

/* Send @msg (an RPC call message) to the @prog @vers service of the host
 * at @addr (its port is ignored). @rebind asks the host's rpcbind again
 * rather than trust the port kept: for a re-send, whose first try found
 * nobody (the service may have restarted on another port). On the loop
 * thread. */
void lockd_callout_send(struct lockd_callout *c, const struct sockaddr_storage *addr, socklen_t addrlen, uint32_t prog,
			uint32_t vers, const void *msg, size_t len, bool rebind);

/* An xid for a call of the caller's own, unique among this socket's. */
uint32_t lockd_callout_xid(struct lockd_callout *c);

/* @fn sees every accepted reply to a call sent through lockd_callout_send
 * (not rpcbind's), with its xid and sender. On the loop thread. */
void lockd_callout_on_reply(struct lockd_callout *c,
			    void (*fn)(void *arg, uint32_t xid, const struct sockaddr_in *from), void *arg);

struct lockd_callout_stats {
	uint64_t sent;	      /* messages sent to a client's NLM service */
	uint64_t getports;    /* GETPORT calls sent */
	uint64_t unreachable; /* messages dropped: no answer, or NLM not registered */
};
void lockd_callout_stats(const struct lockd_callout *c, struct lockd_callout_stats *st);

/*
 * SM_MON @mon_name at this host's statd, naming lockd's NLM version
 * @my_vers procedure 16 as the callback and @priv (16 bytes) as the private
 * data statd hands back. statd keeps one record per (mon_name, callback):
 * a client host is monitored with version 4 and a lock server with version
 * 3, so that a host in both roles has two records, each with its own
 * private data. 0, or -ENOLCK when statd refused, -ETIMEDOUT or
 * -ECONNREFUSED when it did not answer within @timeout_ms.
 */
int lockd_statd_monitor(const char *mon_name, uint32_t my_vers, const unsigned char *priv, unsigned timeout_ms);

#endif
