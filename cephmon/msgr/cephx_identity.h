/*
 * cephmon/msgr/cephx_identity.h: what one client is to a Ceph cluster, kept
 * fresh: its cephx client (cephx.h: entity, key, global_id, tickets) and
 * the renewal of its tickets over MAuth on the monitor session. Every
 * connection of the client draws on it: a monitor handshake runs on a
 * clone (parallel hunts never mix challenges) and the winner's clone
 * becomes the identity; an OSD or MDS connection builds its authorizer
 * from the service ticket held here (msgr2_cephx.h).
 *
 * Renewal, as the kernel's __validate_auth: on every new monitor session
 * and whenever a ticket passes 3/4 of its life (or a wanted service
 * ticket is missing: a monitor may leave them out of AUTH_DONE), one MAuth
 * at a time. A failed round waits 1 s, doubling to 60 s; a reply that
 * renewed only the AUTH ticket (-EAGAIN: the service tickets next) is
 * followed by one immediate MAuth. A refused global_id reclaim (-EACCES
 * after presenting an old ticket, whose secret rotated away during a long
 * outage) makes the next handshake a new client.
 *
 * The owner (the monitor client) sends the MAuth it is given on its
 * session and passes the MAuthReply back. Locking: every function runs on
 * the loop thread with the owner's mutex held; the renewal timer, the one
 * entry point of its own, takes that mutex (params.lock).
 *
 * Nothing here logs or reports key material: health events name the step
 * and the error only.
 */
#ifndef NETFUSE_CEPHX_IDENTITY_H
#define NETFUSE_CEPHX_IDENTITY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/cephx.h"
#include "cephmon/msgr/msgr2_session.h"
#include "evloop/evloop.h"
#include "health/health.h"

struct cephx_identity_params {
	const char *id;			   /* "admin" of client.admin */
	const struct ceph_crypto_key *key; /* copied (and wiped when done) */
	uint32_t want_keys;		   /* services: CEPH_ENTITY_TYPE_MON | _OSD | _MDS */
	struct evloop *loop;		   /* for the renewal timer */
	pthread_mutex_t *lock;		   /* the owner's: the timer takes it; NULL none */
	struct health_queue *health;	   /* may be NULL */
	const char *server;		   /* names the monitors in health events */
	/* Queue an MAuth front on the monitor session: 0, or -errno (it is
	 * then tried again later). */
	int (*send_mauth)(void *arg, const uint8_t *front, size_t len);
	void *arg;
};

struct cephx_identity {
	struct cephx_identity_params p;
	struct cephx_client cx; /* global_id and tickets of the last session */
	struct evloop_timer renew;
	bool session;	    /* a monitor session is up */
	bool inflight;	    /* an MAuth waits for its reply */
	bool again;	    /* the immediate MAuth after -EAGAIN was sent */
	int64_t not_before; /* seconds: after a failed round */
	int64_t backoff_s;
	uint64_t renewals; /* MAuth rounds that renewed tickets */
};

/* 0, or -EINVAL for a key that is not a usable cephx key or a bad id. */
int cephx_identity_init(struct cephx_identity *ci, const struct cephx_identity_params *p);
/* Wipes and frees; touches no loop (the loop may be gone): the renewal
 * timer must be stopped before, by cephx_identity_session_down. */
void cephx_identity_destroy(struct cephx_identity *ci);

/* ---- monitor handshakes ---------------------------------------------------- */

/* One handshake's copy of the identity; its provider is msgr2's auth
 * method for that connection. */
struct cephx_handshake {
	struct cephx_client cx;
};
int cephx_handshake_init(struct cephx_handshake *h, const struct cephx_identity *ci); /* 0, -ENOMEM */
struct msgr2_auth_provider cephx_handshake_provider(struct cephx_handshake *h);
void cephx_handshake_destroy(struct cephx_handshake *h);

/* @h's connection became the monitor session: its identity is the
 * client's from now on, and renewal starts over on that session. */
void cephx_identity_session_up(struct cephx_identity *ci, const struct cephx_handshake *h);
/* The session is gone: renewal waits for the next one. */
void cephx_identity_session_down(struct cephx_identity *ci);
/* @h's connection went down with @err before or after authenticating. */
void cephx_identity_handshake_down(struct cephx_identity *ci, const struct cephx_handshake *h, int err);

/* An MAuthReply front from the session's monitor. */
void cephx_identity_handle_reply(struct cephx_identity *ci, const uint8_t *front, size_t len);

/* For status: never a key. */
uint64_t cephx_identity_global_id(const struct cephx_identity *ci);
/* The monitor ticket's expiry in the loop's clock (seconds), 0 unknown. */
int64_t cephx_identity_mon_ticket_expires(const struct cephx_identity *ci);

#endif
