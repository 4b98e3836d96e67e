/*
 * cephmon/msgr/msgr2_session.h: the client side of one msgr2.1 connection to a
 * Ceph daemon (a monitor, an OSD, an MDS or a manager: the caller names
 * the type it expects and HELLO must match), as a sans-I/O engine: no
 * sockets, no threads, no clock. The caller feeds it the bytes it read,
 * writes out the bytes it offers, passes the time where the engine needs
 * it, and is told what happened through callbacks (session up, message,
 * keepalive ack, session down). cephmon/msgr/msgr2_conn.h drives one over a
 * TCP socket on an evloop.
 *
 * States, after Linux net/ceph/messenger_v2.c and Ceph ProtocolV2 (client):
 *   BANNER -> HELLO -> AUTH (AUTH_REQUEST, AUTH_REPLY_MORE/AUTH_REQUEST_MORE
 *   rounds, AUTH_BAD_METHOD, AUTH_DONE) -> AUTH_SIGNATURE (both ways; secure
 *   mode starts with it) -> SESSION_CONNECT (CLIENT_IDENT / SERVER_IDENT)
 *   -> OPEN (MESSAGE, ACK, KEEPALIVE2, KEEPALIVE2_ACK) ; any fault -> DOWN.
 *
 * Every session is lossy (CEPH_MSG_CONNECT_LOSSY), as a client's sessions
 * with monitors and OSDs are: a fault is the end of the session, never a
 * reconnect. So the engine never sends SESSION_RECONNECT; SESSION_RESET,
 * SESSION_RETRY and SESSION_RECONNECT_OK (answers to one) and WAIT end the
 * session, with an error saying which (WAIT and SESSION_RESET as -EAGAIN /
 * -ECONNRESET: open a new session later). SESSION_RETRY_GLOBAL raises our
 * global_seq past the peer's and sends CLIENT_IDENT again, as Ceph's
 * client does. An MDS session is lossless in Ceph's and the kernel's
 * clients (resumed with SESSION_RECONNECT after a fault, its unacked
 * messages resent); that is a later issue: here a fault ends an MDS
 * session like any other, and its owner opens a new one.
 *
 * Authentication goes through struct msgr2_auth_ops so cephx (or auth
 * none, or a test) plugs in; the engine handles the frames around the
 * payloads and never looks inside them.
 *
 * Messages are queued by msgr2_session_send_msg() and encoded into the
 * output only when the output has drained, one at a time, so a queued
 * message can be revoked until its first byte is offered; once offered it
 * is finished (revocation at frame boundaries only).
 *
 * Callbacks run from inside msgr2_session_feed() and the other calls; they
 * may queue messages or keepalives but must not free the session. "down"
 * is reported once; afterwards every call returns -ENOTCONN and the caller
 * frees the session and opens a new one. Reasons given to "down" are one
 * line, never hold key material.
 */
#ifndef NETFUSE_MSGR2_SESSION_H
#define NETFUSE_MSGR2_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cephmon/msgr/ceph_addr.h"
#include "cephmon/msgr/ceph_codec.h"
#include "cephmon/msgr/ceph_entity.h"
#include "cephmon/msgr/ceph_security.h"

#define MSGR2_AUTH_NONE	 1 /* CEPH_AUTH_NONE */
#define MSGR2_AUTH_CEPHX 2 /* CEPH_AUTH_CEPHX */

#define MSGR2_AUTH_KEY_MAX    64
#define MSGR2_AUTH_SECRET_MAX 64

/*
 * Feature bits this client advertises in CLIENT_IDENT: those of Linux's
 * CEPH_FEATURES_SUPPORTED_DEFAULT (include/linux/ceph/ceph_features.h),
 * bit numbers from Ceph src/include/ceph_features.h: NOSRCADDR 1,
 * SERVER_NAUTILUS 2, FLOCK 3, SUBSCRIBE2 4, MONNAMES 5, RECONNECT_SEQ 6,
 * DIRLAYOUTHASH 7, PGID64 9, PGPOOL3 11, OSDENC 13, MONENC 15,
 * CRUSH_TUNABLES 18, SERVER_LUMINOUS/RESEND_ON_SPLIT 21, OSD_POOLRESEND 23,
 * CRUSH_TUNABLES2 25, REPLY_CREATE_INODE 27, SERVER_MIMIC 28, MDSENC 29,
 * OSDHASHPSPOOL 30, OSD_CACHEPOOL 35, CRUSH_V2 36, EXPORT_PEER 37,
 * OSDMAP_ENC 39, MDS_INLINE_DATA 40, CRUSH_TUNABLES3 41, MSGR_KEEPALIVE2 42,
 * OSD_POOLRESEND(v1) 43, MDS_QUOTA 47, CRUSH_V4 48, NEW_OSDOP_ENCODING 56,
 * SERVER_JEWEL/MON_STATEFUL_SUB 57, CRUSH_TUNABLES5 58, MSG_ADDR2 59,
 * CEPHX_V2 61. Later incarnations count only with their marker bits
 * (SERVER_NAUTILUS needs 57 and 28), so those are in as well. Without
 * MONNAMES, MONENC and SERVER_NAUTILUS a monitor sends the pre-Nautilus
 * MonMap encoding. It holds every bit a Pacific monitor requires
 * (0x0c01020042040000) and is a subset of what it supports
 * (0x3f01cfbdfffdffff).
 */
#define MSGR2_CLIENT_FEATURES                                                                                          \
	((1ULL << 1) | (1ULL << 2) | (1ULL << 3) | (1ULL << 4) | (1ULL << 5) | (1ULL << 6) | (1ULL << 7) |             \
	 (1ULL << 9) | (1ULL << 11) | (1ULL << 13) | (1ULL << 15) | (1ULL << 18) | (1ULL << 21) | (1ULL << 23) |       \
	 (1ULL << 25) | (1ULL << 27) | (1ULL << 28) | (1ULL << 29) | (1ULL << 30) | (1ULL << 35) | (1ULL << 36) |      \
	 (1ULL << 37) | (1ULL << 39) | (1ULL << 40) | (1ULL << 41) | (1ULL << 42) | (1ULL << 43) | (1ULL << 47) |      \
	 (1ULL << 48) | (1ULL << 56) | (1ULL << 57) | (1ULL << 58) | (1ULL << 59) | (1ULL << 61))
#define MSGR2_CLIENT_REQUIRED_FEATURES 0ULL

/* What an auth method yields at AUTH_DONE. Holds key material: the engine
 * wipes it as soon as it has set up signatures and secure mode. */
struct msgr2_auth_result {
	uint8_t session_key[MSGR2_AUTH_KEY_MAX]; /* signs AUTH_SIGNATURE */
	size_t session_key_len;			 /* 0: sign with zeros (auth none) */
	uint8_t con_secret[MSGR2_AUTH_SECRET_MAX];
	size_t con_secret_len; /* secure mode needs 40 or more */
};

/*
 * One auth method. Each call returns 0 or a negative errno and, on error,
 * writes a one-line reason (no key material) to @why. @now_ns is the time
 * passed to the engine call that led here.
 */
struct msgr2_auth_ops {
	uint32_t method; /* MSGR2_AUTH_* */
	const char *name;
	/* The AUTH_REQUEST payload (a new handshake starts). */
	int (*request)(void *arg, struct wire_enc *out, char *why, size_t whylen);
	/* An AUTH_REPLY_MORE payload -> the AUTH_REQUEST_MORE payload. */
	int (*reply_more)(void *arg, const uint8_t *p, size_t len, uint64_t now_ns, struct wire_enc *out, char *why,
			  size_t whylen);
	/* AUTH_DONE: global_id and its payload -> session key and secret. */
	int (*done)(void *arg, uint64_t global_id, const uint8_t *p, size_t len, uint64_t now_ns,
		    struct msgr2_auth_result *res, char *why, size_t whylen);
	/* The peer refused this method with @result although it allows it
	 * (a wrong key, an unknown entity): the errno to report. May be NULL
	 * (then -EACCES). */
	int (*refused)(void *arg, int32_t result, char *why, size_t whylen);
};

struct msgr2_auth_provider {
	const struct msgr2_auth_ops *ops;
	void *arg;
};

/* Events. Pointers are valid only during the call. */
struct msgr2_session_cbs {
	/* The session is open: global_id from AUTH_DONE, con_mode
	 * MSGR2_CON_MODE_CRC or _SECURE. */
	void (*up)(void *arg, uint64_t global_id, uint32_t con_mode);
	/* A message: its front, middle and data segments (the middle is
	 * an MDS's xattr blob; monitors and OSDs send none). */
	void (*msg)(void *arg, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front, size_t front_len,
		    const uint8_t *middle, size_t middle_len, const uint8_t *data, size_t data_len);
	/* A KEEPALIVE2_ACK echoing the stamp of one of our keepalives. */
	void (*keepalive_ack)(void *arg, uint64_t stamp_ns);
	/* The session is over; @err a negative errno. */
	void (*down)(void *arg, int err, const char *why);
	/* Optional: where a message's data segment of @data_len bytes should
	 * land, asked (crc mode, MSGR2_RX_DIRECT_MIN bytes or more) once its
	 * header and front are in: a buffer of the caller's (the reader's own,
	 * so no copy follows), or NULL for the session's input. The session
	 * writes there until msg hands the message over, with data pointing
	 * there, or until msgr2_session_rx_revoke takes it back. */
	uint8_t *(*rx_data)(void *arg, uint16_t type, uint64_t tid, const uint8_t *front, size_t front_len,
			    size_t data_len);
};

#define MSGR2_RX_DIRECT_MIN 65536

#define MSGR2_MAX_AUTH_PROVIDERS 4

struct msgr2_session_params {
	struct ceph_entity_addr peer_addr; /* the peer's msgr2 address */
	uint32_t peer_type;		   /* CEPH_ENTITY_TYPE_MON, _OSD, _MDS or _MGR: HELLO must say so */
	enum ceph_ms_mode ms_mode;
	const struct msgr2_auth_provider *auth; /* in order of preference */
	unsigned nauth;				/* 1..MSGR2_MAX_AUTH_PROVIDERS */
	uint64_t global_seq;			/* the caller's counter, new per connection */
	uint32_t nonce;				/* our address nonce (random) */
	uint64_t features;			/* 0: MSGR2_CLIENT_FEATURES */
	const struct msgr2_session_cbs *cb;
	void *cb_arg;
};

struct msgr2_session;

/* A new session; it queues our banner at once. NULL on bad params
 * (errno EINVAL) or no memory. */
struct msgr2_session *msgr2_session_new(const struct msgr2_session_params *p);
void msgr2_session_free(struct msgr2_session *s);

/* Bytes read from the socket. Returns @len (all buffered and processed as
 * far as they go) or a negative errno once the session is down. A clean
 * EOF is msgr2_session_eof(). */
ssize_t msgr2_session_feed(struct msgr2_session *s, const void *buf, size_t len, uint64_t now_ns);
/* The same without the copy: room at the end of the session's input to
 * read the socket into, and how much to read there (0 when down or out of
 * memory): @want, or while a large frame is being received, the rest of
 * it and no further. Then msgr2_session_rx_commit with how many were read. */
size_t msgr2_session_rx_space(struct msgr2_session *s, size_t want, uint8_t **ptr);
ssize_t msgr2_session_rx_commit(struct msgr2_session *s, size_t n, uint64_t now_ns);

/* The peer closed the connection, or the socket failed (@err < 0). */
void msgr2_session_eof(struct msgr2_session *s, int err);

/* The owner of a buffer rx_data gave is taking it back (its reader left):
 * the message's bytes so far are copied to the session's own, and it is
 * received there. 0, or -ENOMEM with the session down. */
int msgr2_session_rx_revoke(struct msgr2_session *s, const void *dest);

/* The bytes to write next (0 when nothing waits, or once the session is
 * down), then how many were written. */
size_t msgr2_session_pending_tx(struct msgr2_session *s, const uint8_t **ptr);
void msgr2_session_tx_done(struct msgr2_session *s, size_t n);

/* A message to queue: its front and, for bulk payloads (an OSD write's
 * bytes), a data segment. */
struct msgr2_out {
	uint16_t type, version;
	uint16_t compat_version; /* 0: 1 */
	uint64_t tid;
	const void *front;
	size_t front_len;
	const void *data; /* may be NULL when data_len is 0 */
	size_t data_len;
	/* NULL: data is copied. Else data is lent: it stays valid and
	 * unchanged until the session calls release(release_arg), once, when
	 * it no longer needs it (written, revoked, or the session freed); it
	 * is written from where it is in crc mode. A queue that fails takes
	 * nothing: release is not called. */
	void (*release)(void *arg);
	void *release_arg;
};

/*
 * Queue a message: sent once the session is open. Returns a handle (> 0)
 * for msgr2_session_revoke(), or -ENOTCONN, -EINVAL (a segment over its
 * limit), -ENOMEM. The front is copied; the data too unless lent.
 */
int64_t msgr2_session_queue(struct msgr2_session *s, const struct msgr2_out *m);
/* The lender of @arg's data moved the bytes at [@from, @from + @len) to
 * @to (same contents): the messages that borrow them, queued or being
 * written, follow. For a lender whose own caller is leaving. */
void msgr2_session_relend(struct msgr2_session *s, void *arg, const void *from, size_t len, const void *to);
/* The same for a message with a front only, compat_version 1. */
int64_t msgr2_session_send_msg(struct msgr2_session *s, uint16_t type, uint16_t version, uint64_t tid,
			       const void *front, size_t len);

/* Drop a queued message: 0, -EINPROGRESS when it is already being
 * written (it will be finished), -ENOENT when unknown or already sent. */
int msgr2_session_revoke(struct msgr2_session *s, int64_t handle);

/* Queue a KEEPALIVE2 stamped @now_ns. -ENOTCONN unless open. */
int msgr2_session_keepalive(struct msgr2_session *s, uint64_t now_ns);

bool msgr2_session_is_open(const struct msgr2_session *s);

/* Counters for tests and status. */
struct msgr2_session_stats {
	uint64_t out_seq, in_seq, acked_seq; /* acked: the peer's last ACK */
	uint32_t con_mode;
	uint64_t global_id, peer_features;
};
void msgr2_session_get_stats(const struct msgr2_session *s, struct msgr2_session_stats *st);

#endif
