/*
 * nlm/lockd.h: the NLM server's protocol engine, what netfuse-lockd runs on
 * its loop thread. It takes one ONC RPC call message at a time (a UDP
 * datagram, or one TCP record) and writes the reply, keeping every lock in
 * the lock core (lock_core.h); it owns no socket, timer or thread, so tests
 * and the fuzz target drive it with bytes and a clock.
 *
 * What it does, after Linux fs/lockd (svc4proc.c, svclock.c, grace.c):
 *  - NLM versions 1, 3 and 4, every procedure: NULL, TEST, LOCK, CANCEL,
 *    UNLOCK, GRANTED, the _MSG forms (answered with a _RES call to the
 *    client), the _RES forms, SM_NOTIFY (statd's callback, accepted only
 *    from a privileged port on this host), SHARE, UNSHARE, NM_LOCK and
 *    FREE_ALL. Versions 1 and 3 carry 32-bit ranges and statuses 0-4: a
 *    deadlock is DENIED there, other failures DENIED_NOLOCKS (as Linux
 *    casts them).
 *  - Clients are hosts: a caller_name from one source address. An owner is
 *    (host, svid, owner handle). A host is monitored through the ops'
 *    monitor hook (SM_MON of its address to the local statd) before its
 *    first lock, except through NM_LOCK; a host that cannot be monitored
 *    gets DENIED_NOLOCKS. statd's reboot callback frees the locks of every
 *    host at that address; FREE_ALL those of the caller's own host.
 *  - A grace period from the start: only reclaims (and UNLOCK, CANCEL,
 *    UNSHARE) are served, other requests get DENIED_GRACE_PERIOD; after it,
 *    reclaims are refused the same way. UNLOCK and CANCEL are served in
 *    grace, as nfs-ganesha does and Linux does not: they only release, so
 *    they cannot take what a reclaim needs, and refusing them leaves a
 *    client that reclaimed a lock unable to drop it until grace ends.
 *  - A blocking LOCK that conflicts answers BLOCKED and waits in the core.
 *    When it is granted the client is told with a GRANTED_MSG call (the
 *    ops' call_client hook), re-sent by lockd_tick every retry_ns until the
 *    client's GRANTED_RES answers it (from the address the request came
 *    from, with the grant's random id), a CANCEL or an UNLOCK of that
 *    request makes it moot, or the host's locks are freed. The lock stays
 *    held whatever the answer, as in Linux's lockd: a client that no longer
 *    waits unlocks it (Linux's client sends UNLOCK after CANCEL). A grant
 *    unanswered after LOCKD_GRANT_UNANSWERED sends is reported once.
 *
 * Not thread-safe: one thread makes every call.
 */
#ifndef NETFUSE_NLM_LOCKD_H
#define NETFUSE_NLM_LOCKD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct lockd;

/* Where a call came from. */
struct lockd_peer {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool tcp;
};

/* A client's NLM service, for a call lockd makes to it. */
struct lockd_client {
	const char *name; /* its caller_name */
	const struct lockd_peer *peer;
	uint32_t vers;	 /* the NLM version it spoke */
	unsigned resend; /* 0 for a first send; a GRANTED_MSG's re-sends count up */
};

/* A grant from a lock server, in NLM4's terms (version 1 and 3 widened). */
struct lockd_grant {
	const struct lockd_peer *from; /* the server that sent it */
	const char *caller_name;       /* the server's */
	const void *fh, *oh;
	uint32_t fh_len, oh_len;
	int32_t svid;
	uint64_t offset, len;
	bool exclusive;
};

/* What lockd_ops.note reports, for the daemon's log and health. */
enum lockd_note {
	LOCKD_NOTE_HOST_REBOOTED,    /* SM_NOTIFY or FREE_ALL: the host's locks were freed */
	LOCKD_NOTE_GRANT_UNANSWERED, /* a grant sent LOCKD_GRANT_UNANSWERED times, no answer yet */
};

struct lockd_ops {
	/*
	 * SM_MON @mon_name, the host's address as text (as Linux's lockd names
	 * hosts to statd: a caller_name need not resolve), with lockd's
	 * @host_id as the private data statd hands back on a reboot: 0, or a
	 * negative errno after which the host's lock is refused. NULL: hosts
	 * are not monitored.
	 */
	int (*monitor)(void *arg, const char *mon_name, uint32_t host_id);
	/*
	 * Send @msg, a whole RPC call message (a _RES, or a GRANTED_MSG whose
	 * xid and cookie are @grant_id), to @to's NLM service: the caller finds
	 * its port through the client host's rpcbind (again for a re-send: the
	 * service may have moved). Delivery is not reported; lockd_tick
	 * re-sends grants until they are answered.
	 */
	void (*call_client)(void *arg, const struct lockd_client *to, const void *msg, size_t len);
	/* May be NULL. @host is the client host's name. */
	void (*note)(void *arg, enum lockd_note what, const char *host);
	/*
	 * A lock server's GRANTED or GRANTED_MSG to this host (lockd is also
	 * the host's NLM service for its clients, as Linux's is): a blocked
	 * lock of a client here is now held. Returns whether a client here
	 * takes it: the answer is GRANTED, else DENIED. NULL: DENIED.
	 */
	bool (*client_granted)(void *arg, const struct lockd_grant *g);
	/*
	 * statd's callback for a lock server that mounts here lock at (one
	 * lockd monitors with LOCKD_SM_PRIV_SERVER as the private data): it
	 * restarted, with NSM state @state, and its locks are to be reclaimed.
	 * May be NULL.
	 */
	void (*server_restarted)(void *arg, const char *mon_name, int32_t state);
};

/* The private data of an SM_MON for a lock server (16 bytes, SM_PRIV_LEN);
 * a client host's SM_MON carries its 4-byte host id, then zeros. */
#define LOCKD_SM_PRIV_SERVER "netfuse:server::"

struct lockd_config {
	const char *server_name; /* caller_name of the GRANTED calls lockd makes */
	uint64_t grace_ns;	 /* the grace period from lockd_new */
	uint64_t retry_ns;	 /* between GRANTED_MSG sends */
	unsigned grant_tries;	 /* sends of a grant before it is given back */
};

/* A lockd with no locks, in grace until @now_ns + grace_ns. NULL without
 * memory. At most LOCKD_MAX_HOSTS client hosts are known at once: when the
 * table is full, the hosts that hold and wait for nothing are forgotten,
 * and a new host beyond that is refused (DENIED_NOLOCKS), as is a name
 * beyond LOCKD_MAX_HOSTS_PER_ADDR from one address. */
#define LOCKD_MAX_HOSTS		 65536
#define LOCKD_MAX_HOSTS_PER_ADDR 256
/* A host statd refused to monitor is refused at once for this long. */
#define LOCKD_MONITOR_RETRY_NS 10000000000ull
struct lockd *lockd_new(const struct lockd_config *cfg, const struct lockd_ops *ops, void *arg, uint64_t now_ns);
void lockd_free(struct lockd *l);

/* The most a reply can need: a TEST reply with a 1 KiB cookie and owner. */
#define LOCKD_REPLY_MAX 4096

/*
 * One call message, @len bytes, from @from at @now_ns. Writes the reply
 * to @reply (LOCKD_REPLY_MAX bytes) and returns its length; 0 when there is
 * no reply to send (a message that is no call, or too short to carry an
 * xid). Never fails otherwise: arguments that do not decode get
 * GARBAGE_ARGS, an unknown program, version or procedure its RPC error.
 */
size_t lockd_dispatch(struct lockd *l, const struct lockd_peer *from, const void *msg, size_t len, void *reply,
		      uint64_t now_ns);

#define LOCKD_RETRY_MIN_NS     100000000ull /* 100 ms */
#define LOCKD_GRANT_UNANSWERED 3

/*
 * Sends the grants not yet acknowledged whose time has come, and returns
 * when it wants to run again (UINT64_MAX: nothing pending).
 */
uint64_t lockd_tick(struct lockd *l, uint64_t now_ns);

/* Drops everything of the hosts whose caller_name is @name. */
void lockd_host_rebooted(struct lockd *l, const char *name);
/* FREE_ALL: drops everything of the host @name at @from's address (a
 * client frees its own locks, never another host's). */
void lockd_client_freed(struct lockd *l, const char *name, const struct lockd_peer *from);
/* Drops everything of the hosts at address @addr (statd's callback names
 * the host as lockd named it to SM_MON: its address as text). */
void lockd_addr_rebooted(struct lockd *l, const char *addr);

bool lockd_in_grace(const struct lockd *l, uint64_t now_ns);

struct lockd_stats {
	uint64_t calls, garbage, granted_msgs, grants_acked;
	size_t hosts, objects, pending_grants;
};
void lockd_stats(const struct lockd *l, struct lockd_stats *st);

#endif
