/*
 * nlm/lockd_state.h: what netfuse-lockd keeps across its restarts, in its
 * state directory (-o statedir=DIR, /var/lib/netfuse-lockd by default), as
 * rpc.statd keeps /var/lib/nfs/sm for Linux's lockd:
 *
 *   DIR/state     its NSM state number, odd while it runs, 2 more at
 *                 each start (a first start picks a random one, so that it
 *                 never meets a number a statd kept from another server);
 *   DIR/clients   one line per client host that locked here:
 *                 "CLIENT_ADDR SERVER_ADDR", the second being this host's
 *                 address as that client reaches it (the name the client's
 *                 mounts monitor this server by).
 *
 * Its locks live only in memory, so after a restart each client listed is
 * told (SM_NOTIFY naming SERVER_ADDR, to the client host's statd) and its
 * mounts reclaim in the grace period. An entry from an earlier life stays
 * until that notification is answered or given up; the hosts that lock in
 * this life are added as they come. Files are replaced whole (a temporary
 * file, fsync, rename), so a crash leaves the old list or the new one.
 */
#ifndef NETFUSE_NLM_LOCKD_STATE_H
#define NETFUSE_NLM_LOCKD_STATE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOCKD_STATE_DIR		"/var/lib/netfuse-lockd"
#define LOCKD_STATE_MAX_CLIENTS 4096 /* more are served, not remembered */

struct lockd_state;

struct lockd_state_client {
	struct in_addr client, server;
	bool notify;  /* listed by an earlier life, not yet notified */
	bool current; /* locked here in this life */
};

/* Opens (making it, mode 0700) @dir, reads both files, takes the next
 * state number and writes it. NULL with one line in @err. A clients file
 * with lines that are not two IPv4 addresses keeps the good lines. */
struct lockd_state *lockd_state_open(const char *dir, char *err, size_t errlen);
void lockd_state_free(struct lockd_state *s);

/* This life's state number (odd). */
int32_t lockd_state_number(const struct lockd_state *s);

/* The clients listed; *@n set. Valid until the next add or forget. */
const struct lockd_state_client *lockd_state_clients(const struct lockd_state *s, size_t *n);

/* @client locks here in this life, reaching this host at @server. 0 (also
 * when already listed so), or -errno when the list could not be written. */
int lockd_state_add(struct lockd_state *s, struct in_addr client, struct in_addr server);

/* An earlier life's @client was notified (or gave up on): unlisted unless
 * it locked here in this life too. 0 or -errno. */
int lockd_state_forget_earlier(struct lockd_state *s, struct in_addr client);

#endif
