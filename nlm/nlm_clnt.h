/*
 * nlm/nlm_clnt.h: the NLM version 4 client a netfuse mount locks through,
 * as Linux's fs/lockd/clntproc.c is the NFS client's: TEST, LOCK, UNLOCK
 * and CANCEL to one lock server, over UDP, on the client's own event loop.
 *
 * Calls are asynchronous at the bottom: nlm_clnt_start hands a call to the
 * loop and its done function runs on the loop thread once it ends; the
 * synchronous nlm_clnt_call waits for that. Each call is an evloop_req
 * (evloop/evloop_req.h) keyed by its xid in a tid map: a cancel token
 * fired from any thread (a FUSE interrupt, the mount ending) ends it at
 * once, and an interrupted blocking LOCK then sends CANCEL. A LOCK that
 * ends without its answer (interrupted, or timed out) may still have been
 * granted: with NLM_CLNT_UNLOCK_IF_LOST an UNLOCK of its range follows, so
 * no lock is left at the server for an owner that believes it has none.
 *
 *  - Retransmission: a call unanswered is sent again after 0.5 s, doubling
 *    to 4 s, with the same xid; after its timeout without any answer it
 *    fails -ENOLCK and the session is reported lost in .health (back again
 *    at the next answer). From the second unanswered try the server's
 *    rpcbind is asked for the NLM port again (the server may have restarted
 *    elsewhere), unless the port was given.
 *  - DENIED_GRACE_PERIOD: the server restarted and takes only reclaims; the
 *    call is asked again every 2 s, without a deadline, until it is
 *    answered otherwise or cancelled (Linux's client waits the same way).
 *  - BLOCKED: the server queued a blocking LOCK. The grant comes back by
 *    the server's GRANTED callback to this host's NLM service, which is
 *    the host's netfuse-lockd: it passes the grant to the client over its
 *    agent socket (agent_proto.h), which the client joins at start with
 *    the id its owner handles begin with (and joins again if that lockd
 *    restarts). In case a callback is lost the client also re-asks with
 *    the same blocking LOCK: after 2 s, doubling to 30 s (Linux's re-poll)
 *    while the agent is there; without one, after 0.1 s doubling to 2 s. A
 *    server that granted meanwhile answers GRANTED to the owner holding it.
 *
 *  - Order: a call of an owner on a file waits while a CANCEL or UNLOCK
 *    that followed an unanswered LOCK of that owner and file is still out
 *    (answered or given up), so that a late UNLOCK never takes a lock
 *    granted to a later call; other calls are sent behind it in order.
 *
 * Results: 0 granted (TEST: no conflict), -EAGAIN denied (TEST: the
 * conflicting holder is given), -EDEADLK, -ENOLCK (no locks at the server,
 * NLM4_FAILED, or no answer), -EROFS, -ESTALE, -EOVERFLOW (NLM4_FBIG), or
 * the cancel's error.
 */
#ifndef NETFUSE_NLM_NLM_CLNT_H
#define NETFUSE_NLM_NLM_CLNT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evloop_cancel;
struct health_queue;
struct nlm_clnt;
struct nlm_clnt_call;

enum nlm_clnt_op {
	NLM_CLNT_TEST,
	NLM_CLNT_LOCK,
	NLM_CLNT_UNLOCK,
	NLM_CLNT_CANCEL,
};

#define NLM_CLNT_BLOCK	 1u /* LOCK, CANCEL: a blocking request */
#define NLM_CLNT_RECLAIM 2u /* LOCK: reclaiming after a server restart */
/* A LOCK that ends without its answer (cancelled, or no answer within the
 * timeout) is followed by an UNLOCK of its range, giving back a grant the
 * client never saw: for an owner that held none of the range (it would lose
 * what it held otherwise). */
#define NLM_CLNT_UNLOCK_IF_LOST 4u

#define NLM_CLNT_HANDLE_MAX 1024 /* file and owner handles (MAXNETOBJ_SZ) */

/* One lock in NLM4's terms; the handles are copied by nlm_clnt_start. */
struct nlm_clnt_lock {
	const void *fh;
	uint32_t fh_len;
	const void *oh;
	uint32_t oh_len;
	int32_t svid;
	uint64_t offset, len; /* len 0: to the end of the file */
	bool exclusive;
};

/* The lock a TEST found in the way. */
struct nlm_clnt_holder {
	bool exclusive;
	int32_t svid;
	uint64_t offset, len;
};

struct nlm_clnt_config {
	struct sockaddr_in server; /* sin_port 0: ask the server's rpcbind */
	const char *server_name;   /* for messages and .health: "host:port" as given */
	const char *caller_name;   /* this host's name, as the server records it */
	unsigned timeout_ms;	   /* a call unanswered this long fails (0: 30 s) */
	struct health_queue *health;
	/* The host's agent socket (NULL: none), and the id that begins every
	 * owner handle of this client's calls. */
	const char *agent_path;
	unsigned char agent_id[8];
	/* A grant that matched no waiting call (given up, or answered by a
	 * re-ask first): the caller unlocks it unless the owner holds it. On
	 * the loop thread, no lock held. May be NULL. */
	void (*unmatched_grant)(void *arg, const struct nlm_clnt_lock *l);
	/* The server restarted and lost every lock: the caller reclaims them
	 * (LOCK with NLM_CLNT_RECLAIM) in its grace period. Seen through the
	 * agent (statd's callback for the server, which the agent has statd
	 * watch) or by a grace answer to a call that is no reclaim, which a
	 * server gives only in the grace period after it started; passed on
	 * once per restart. On the loop thread, no lock held. May be NULL. */
	void (*server_restarted)(void *arg);
	void *arg;
};

/*
 * Start the client: its loop thread and socket, and (port 0) the server's
 * NLM port from its rpcbind. 0, or -errno with one line in @err: the
 * server's rpcbind did not answer, or has no NLM version 4 over UDP.
 */
int nlm_clnt_new(const struct nlm_clnt_config *cfg, struct nlm_clnt **out, char *err, size_t errlen);

/* Stop: calls still running end with -ESHUTDOWN (their done functions run
 * first), then everything is freed. */
void nlm_clnt_free(struct nlm_clnt *c);

/* Runs once on the loop thread when the call ends, with no lock held (for
 * calls ended by nlm_clnt_free: on its thread, once the loop stopped); @h
 * is the holder of a TEST that answered -EAGAIN, else NULL. */
typedef void (*nlm_clnt_done_fn)(void *arg, int result, const struct nlm_clnt_holder *h);

/*
 * Start a call. @cancel (may be NULL) is attached until the call ends:
 * firing it ends the call with the token's error. Called without the
 * client's lock (any thread but the loop's own, which may use it too).
 * 0, or -ENOMEM / -EINVAL (a handle too long) / -ESHUTDOWN, when @done is
 * not called.
 */
int nlm_clnt_start(struct nlm_clnt *c, enum nlm_clnt_op op, const struct nlm_clnt_lock *l, unsigned flags,
		   struct evloop_cancel *cancel, nlm_clnt_done_fn done, void *arg);

/* The same, waiting for the result (not from the loop thread). */
int nlm_clnt_call(struct nlm_clnt *c, enum nlm_clnt_op op, const struct nlm_clnt_lock *l, unsigned flags,
		  struct evloop_cancel *cancel, struct nlm_clnt_holder *h);

/*
 * The client's decoder, apart for tests and fuzzing: the reply in @buf to
 * a call of @what (an nlm_clnt_op, or NLM_CLNT_GETPORT for rpcbind's
 * GETPORT). 0 with @out filled (a refused call: @out->accept is not
 * SUCCESS and nothing else is read), or -EBADMSG for bytes that are no such
 * reply.
 */
#define NLM_CLNT_GETPORT (-1)
struct nlm_clnt_reply {
	uint32_t xid;
	uint32_t accept; /* the RPC accept_stat; SUCCESS is 0 */
	uint32_t stat;	 /* NLM4: nlm4_stats */
	bool has_holder; /* TEST denied */
	struct nlm_clnt_holder holder;
	uint16_t port; /* GETPORT; 0: not registered */
};
int nlm_clnt_parse_reply(const void *buf, size_t len, int what, struct nlm_clnt_reply *out);

/* The agent's grant message (agent_proto.h) in @buf: 0 with @out filled,
 * its handles copied into @fh and @oh (NLM_CLNT_HANDLE_MAX bytes each) and
 * the sender's IPv4 address (network order) in @from, or -EBADMSG. A grant
 * from another address than the client's server is dropped. */
int nlm_clnt_parse_grant(const void *buf, size_t len, struct nlm_clnt_lock *out, unsigned char *fh, unsigned char *oh,
			 uint32_t *from);

struct nlm_clnt_stats {
	uint64_t calls;	      /* started */
	uint64_t sent;	      /* datagrams sent, retransmissions and re-asks included */
	uint64_t retransmits; /* of calls not answered in time */
	uint64_t blocked;     /* BLOCKED answers */
	uint64_t grace;	      /* DENIED_GRACE_PERIOD answers */
	uint64_t timeouts;    /* calls failed for want of an answer */
	uint64_t rebinds;     /* GETPORTs after the first */
	uint64_t grants;      /* grants the agent passed that ended a wait */
	uint64_t unmatched;   /* grants that matched no wait */
	uint16_t port;	      /* the server's NLM port now (0: not known yet) */
	bool reachable;
	bool agent;	   /* connected to the host's agent */
	bool watched;	   /* the agent has statd watch the server for restarts */
	int watch_error;   /* else why not (an errno; 0 before the agent said) */
	uint64_t restarts; /* server restarts seen */
};
void nlm_clnt_stats(struct nlm_clnt *c, struct nlm_clnt_stats *st);

#endif
