/*
 * cephmds/mds_client_int.h: what the MDS client's two parts share inside
 * cephmds/: mds_client.c (sessions and requests) and mds_caps.c (the
 * capability cache). Not for users of mdsc: they have mds_client.h.
 */
#ifndef NETFUSE_MDS_CLIENT_INT_H
#define NETFUSE_MDS_CLIENT_INT_H

#include "cephmds/mds_client.h"
#include "cephmds/mds_names.h"

/* S_RESTARTING: the session's MDS went away (its connection dropped, or
 * the map shows it failed or replaced); its caps and requests wait for the
 * rank to reach RECONNECT. S_RECONNECTING: MClientReconnect sent (or about
 * to be, once the connection is up), waiting for OPEN (taken over) or
 * CLOSE (denied). */
enum sstate { S_NEW, S_OPENING, S_OPEN, S_CLOSING, S_CLOSED, S_REJECTED, S_LOST, S_RESTARTING, S_RECONNECTING };

struct mds_cap_item;

struct msession {
	int32_t rank;
	enum sstate state;
	uint64_t con; /* 0: no connection */
	bool up;
	struct ceph_entity_addr addr;
	uint64_t features;
	uint64_t seq;	    /* messages received that the MDS counts */
	uint64_t renew_seq; /* the last REQUEST_RENEWCAPS's */
	uint64_t renew_requested_ms, cap_ttl_ms;
	uint64_t close_seq; /* the seq the last REQUEST_CLOSE carried */
	bool readonly, stale;
	uint64_t down_ms;  /* when it went S_RESTARTING */
	uint64_t probe_ms; /* then: when to try the same daemon's address again */
	uint64_t retry_ms; /* no reconnect to a new daemon before (one a second) */
	bool probing;	   /* con: that try */
	unsigned ncaps;
	struct mds_cap_item *releases; /* queued, sent at the next tick or when full */
	unsigned nreleases;
};

/* A request the MDS answered early: what to send again, flagged REPLAY
 * and naming the inode the MDS made, if the MDS restarts before the safe
 * reply (its journal may not hold it). */
struct unsafe {
	uint64_t tid;
	int32_t rank;
	uint16_t version;
	uint8_t *front; /* the replay's encoding (NULL when it could not be kept) */
	size_t front_len;
	uint8_t *data;
	uint32_t data_len;
	struct unsafe *prev, *next; /* mdsc.unsafe, in tid order */
};

struct mdsc_cap;

struct mdsc {
	struct mdsc_io io;
	struct health_queue *health;
	char **meta;
	unsigned nmeta;
	struct mdsc_map map;
	bool have_map;
	struct msession s[MDSC_MAX_RANKS];
	struct evloop_tidmap reqs;
	/* the requests answered unsafe, oldest tid first (their unsafe
	 * replies come nearly in order: put in from the tail, their safe
	 * ones nearly so: taken out from the head) */
	struct unsafe *unsafe, *unsafe_tail;
	unsigned nunsafe;
	uint64_t next_con, last_renew_ms, last_keepalive_ms;
	struct mdsc_status st;
	bool stopping;
	/* the capability cache (mds_caps.c) */
	struct mdsc_cap **cap_buckets;
	size_t cap_nbuckets, ncaps, max_caps;
	size_t acks_pending; /* caps whose revoke waits for its ack */
	uint64_t last_flush_tid;
	/* the lists a cap is on (mds_caps.c), each oldest first: every cap
	 * (least recently used first), those with a flush in flight (oldest
	 * flush first), those whose last close is not yet told (held) */
	struct mdsc_cap_list {
		struct mdsc_cap *head, *tail;
	} caps_on[3];
	uint64_t gen;			      /* hands out mdsc_cap.fc_since, names_gen, inval_token */
	struct mdsc_names_count names;	      /* the directories' names (mds_names.h) */
	struct names_abandoned *abandoned;    /* changes given up on, their replies to come */
	bool names_off;			      /* one could not be kept: no names trusted */
};

/* mds_client.c */
int mdsc_send(struct mdsc *m, struct msession *s, uint16_t type, uint16_t version, uint64_t tid,
	      const struct wire_enc *front, const void *data, uint32_t data_len);
void mdsc_report(struct mdsc *m, const struct msession *s, enum health_type type, int err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* mds_caps.c */
int mdsc_caps_init(struct mdsc *m);
void mdsc_caps_destroy(struct mdsc *m);
/* Keep the caps a reply grants (its trace and readdir entries) and the
 * names it tells. @r: the request it answers, NULL when not known (a safe
 * reply after the unsafe one). */
void mdsc_caps_from_reply(struct mdsc *m, struct msession *s, const struct mdsc_request *r,
			  const struct mds_reply *rep, uint64_t now);
/* The session's caps may have been taken without a word (it went stale,
 * its MDS restarted): no directory's names are trusted any more. */
void mdsc_caps_names_distrust(struct mdsc *m, struct msession *s);
/* @r, sent, was given up before its reply: if it changes names, its
 * directories are not known now, nor once its reply comes (settle). */
void mdsc_caps_names_abandoned(struct mdsc *m, const struct mdsc_request *r);
/* The reply of request @tid came, which is no longer ours. */
void mdsc_caps_names_settle(struct mdsc *m, uint64_t tid);
void mdsc_caps_handle(struct mdsc *m, struct msession *s, uint16_t version, uint64_t tid, const uint8_t *front,
		      size_t len, const uint8_t *middle, size_t middle_len, uint64_t now);
/* The session's caps are gone (lost, closed, rejected): drop them. */
void mdsc_caps_session_gone(struct mdsc *m, struct msession *s);
/* The session's MDS restarted: its caps as MClientReconnect tells them
 * (malloc'd, *n of them; NULL with *n 0 when there are none, or when
 * there is no memory for them while s->ncaps is not 0: nothing changed).
 * Each cap's sequence numbers start again from 0, as the new MDS's do;
 * pending revokes count as acknowledged (the reconnect says what is held)
 * and queued releases are dropped (the reconnect leaves those caps out). */
struct mds_cap_reconnect *mdsc_caps_reconnect_list(struct mdsc *m, struct msession *s, unsigned *n);
/* The new MDS took the session over: flushes it never acknowledged are
 * sent again (under new tids) and waiters woken. */
void mdsc_caps_reconnected(struct mdsc *m, struct msession *s, uint64_t now);
/* RECALL_STATE: keep at most @max_caps on @s. */
void mdsc_caps_recall(struct mdsc *m, struct msession *s, uint32_t max_caps, uint64_t now);
/* Timers: overdue revoke acks, queued releases, the cap limit; returns
 * when it next wants to run. */
uint64_t mdsc_caps_tick(struct mdsc *m, uint64_t now);
/* Queue the release of a cap we do not keep (sent at once when full). */
void mdsc_caps_queue_release(struct mdsc *m, struct msession *s, uint64_t ino, uint64_t cap_id, uint32_t mseq,
			     uint32_t issue_seq);
void mdsc_caps_flush_releases(struct mdsc *m, struct msession *s);
/* Send what every dirty cap of @s holds. @held_too, before the session's
 * REQUEST_CLOSE: all of them, as FLUSHes (the MDS takes messages in order,
 * so it journals them before the close). Otherwise, after a renewal: what
 * a stale session kept, as UPDATEs, but not the held closes
 * (mdsc_caps_close), which keep their time. */
void mdsc_caps_flush_session(struct mdsc *m, struct msession *s, bool held_too);

#endif
