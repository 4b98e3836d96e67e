/*
 * cephmon/msgr/msgr2_conn.h: one msgr2 connection as a running thing: a TCP
 * socket to a Ceph daemon of any type (monitor, OSD, MDS, manager) and the
 * msgr2_session (msgr2_session.h) it carries, driven by an evloop
 * (evloop/evloop.h). The monitor client drives its hunted monitors with
 * it; an OSD or MDS client drives its daemons the same way.
 *
 * What it does, so owners do not:
 *  - connect without blocking; every failure, even one connect() reports
 *    at once, reaches the owner from the loop as "down", never from inside
 *    msgr2_conn_open;
 *  - read at most READS_PER_EVENT chunks per readiness event, so one busy
 *    peer cannot starve the other connections and the timers;
 *  - write: what the session has to send goes out right after the input
 *    that produced it; what the owner queues (msgr2_conn_send, _keepalive)
 *    goes out from a work item queued once per batch (coalesced), never
 *    from inside the call, so a callback may queue freely and no owner
 *    needs a "flush everything" step;
 *  - tear down in two steps: msgr2_conn_close closes the socket at once
 *    and nothing of the owner's is called again (neither callbacks nor the
 *    auth ops, so the owner may free what they point to at once); the
 *    session and the driver's memory go when no callback of this
 *    connection is on the stack and no flush work of it is queued;
 *  - remember which message each request (by tid) was queued as, so a
 *    cancelled request can be revoked before its first byte is written.
 *
 * What it leaves to the owner: whom to connect to and when to try again
 * (monc hunts among monitors; an OSD client reopens to the same OSD:
 * msgr2_conn_reopen), what the messages mean, and when to send keepalives.
 *
 * Threads and locking: every function here runs on the loop thread. The
 * driver's own entry points (socket events, its timer and its flush work)
 * take the owner's mutex (params.lock, unless NULL) for their whole run,
 * callbacks included, so the owner's callbacks run under its lock, exactly
 * like the owner's other loop-thread entry points; the owner calls the
 * functions here with that lock held.
 */
#ifndef NETFUSE_MSGR2_CONN_H
#define NETFUSE_MSGR2_CONN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/msgr2_session.h"
#include "evloop/evloop.h"

struct msgr2_conn;

/* Events, under the owner's lock. Pointers are valid only during the call;
 * each callback may send, close or reopen @c. */
struct msgr2_conn_cbs {
	/* SERVER_IDENT arrived: the session is open. */
	void (*up)(void *arg, struct msgr2_conn *c, uint64_t global_id, uint32_t con_mode, uint64_t peer_features);
	void (*msg)(void *arg, struct msgr2_conn *c, uint16_t type, uint16_t version, uint64_t tid,
		    const uint8_t *front, size_t front_len, const uint8_t *middle, size_t middle_len,
		    const uint8_t *data, size_t data_len);
	void (*keepalive_ack)(void *arg, struct msgr2_conn *c, uint64_t stamp_ns);
	/* The connection is over (the socket is already closed): @err a
	 * negative errno, @why one line for people (no key material). Reported
	 * once; the owner then closes or reopens @c. */
	void (*down)(void *arg, struct msgr2_conn *c, int err, const char *why);
	/* Optional: where a large message's data should land (see
	 * msgr2_session_cbs.rx_data); NULL for the connection's own input. */
	uint8_t *(*rx_data)(void *arg, struct msgr2_conn *c, uint16_t type, uint64_t tid, const uint8_t *front,
			    size_t front_len, size_t data_len);
};

struct msgr2_conn_params {
	struct evloop *loop;
	pthread_mutex_t *lock;		   /* the owner's (see above); NULL: none */
	struct ceph_entity_addr peer_addr; /* a msgr2 (or ANY) address */
	uint32_t peer_type;		   /* CEPH_ENTITY_TYPE_MON, _OSD, _MDS, _MGR */
	enum ceph_ms_mode ms_mode;
	const struct msgr2_auth_provider *auth; /* copied; the args must outlive the connection or its close */
	unsigned nauth;
	uint64_t *global_seq; /* the owner's counter: each connection takes the next value */
	uint32_t nonce;	      /* our address nonce */
	uint64_t features;    /* 0: MSGR2_CLIENT_FEATURES */
	const struct msgr2_conn_cbs *cb;
	void *cb_arg;
};

/*
 * Start connecting (loop thread, owner's lock held). 0 with *@out, or
 * -EINVAL (bad params) / -ENOMEM: nothing started, nothing will be
 * reported. Everything else (no socket, refused, unreachable) arrives as
 * "down" from the loop.
 */
int msgr2_conn_open(const struct msgr2_conn_params *p, struct msgr2_conn **out);

/* Close now (see above); harmless from inside @c's own callbacks. */
void msgr2_conn_close(struct msgr2_conn *c);

/* Close @c and open a new connection with the same parameters and a new
 * global_seq, for owners that retry the same peer. As msgr2_conn_open. */
int msgr2_conn_reopen(struct msgr2_conn *c, struct msgr2_conn **out);

/* Queue a message (sent once the session is open). @tid, when not 0,
 * names it for msgr2_conn_revoke. 0, or -ENOTCONN once down, -EINVAL,
 * -ENOMEM. */
int msgr2_conn_send(struct msgr2_conn *c, uint16_t type, uint16_t version, uint64_t tid, const void *front, size_t len);
/* The same for a message with a data segment (msgr2_session.h). */
int msgr2_conn_queue(struct msgr2_conn *c, const struct msgr2_out *m);
/* msgr2_session_relend on @c's session (nothing once closed: a closed
 * connection writes nothing more, and only releases what it borrowed). */
void msgr2_conn_relend(struct msgr2_conn *c, void *arg, const void *from, size_t len, const void *to);

/* Drop request @tid's message if none of it is written yet: 0; -EINPROGRESS
 * when it is being written (it will be finished), -ENOENT when unknown or
 * out. Only the newest MSGR2_CONN_REVOKE_MAX tids are remembered (older
 * ones went out long ago). */
#define MSGR2_CONN_REVOKE_MAX 32
int msgr2_conn_revoke(struct msgr2_conn *c, uint64_t tid);
/* Take back a buffer rx_data gave (msgr2_session_rx_revoke); loop thread
 * or the owner's lock held. */
void msgr2_conn_rx_revoke(struct msgr2_conn *c, const void *dest);

/* Queue a KEEPALIVE2 stamped now. -ENOTCONN unless open. */
int msgr2_conn_keepalive(struct msgr2_conn *c);

bool msgr2_conn_is_open(const struct msgr2_conn *c);
const struct ceph_entity_addr *msgr2_conn_peer_addr(const struct msgr2_conn *c);
void msgr2_conn_get_stats(const struct msgr2_conn *c, struct msgr2_session_stats *st);

#endif
