/*
 * cephmon/msgr/msgr2_ctrl.h: payloads of the msgr2 control frames, the MESSAGE
 * frame's ceph_msg_header2, and the AUTH_SIGNATURE HMAC. Pure functions,
 * client side first: a client encodes HELLO, AUTH_REQUEST(_MORE),
 * AUTH_SIGNATURE, CLIENT_IDENT, SESSION_RECONNECT, KEEPALIVE2(_ACK), ACK,
 * COMPRESSION_REQUEST and message headers, and decodes what a server sends;
 * every payload has both directions so tests and fuzzing can round-trip.
 *
 * Sources: Ceph src/msg/async/frames_v2.h (the ControlFrame argument lists),
 * doc/dev/msgr2.rst (compression frames), src/include/msgr.h and the
 * kernel's include/linux/ceph/msgr.h (ceph_msg_header2), net/ceph/
 * messenger_v2.c (prepare_client_ident(), process_server_ident(),
 * con_hmac_sha256()), Ceph ProtocolV2.cc (pre-auth signatures).
 *
 * Field encodings are Ceph's: integers little-endian, bool one byte (any
 * non-zero is true), vector<u32> a u32 count then the values, bufferlist a
 * u32 length then the bytes, utime_t two u32 (seconds, nanoseconds).
 * Decoders ignore bytes after the last field they know (Ceph and the kernel
 * do), return 0 or -EBADMSG, and leave their output untouched on failure.
 * Payload pointers in decoded structures point into the input buffer.
 */
#ifndef NETFUSE_MSGR2_CTRL_H
#define NETFUSE_MSGR2_CTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "cephmon/msgr/ceph_addr.h"
#include "cephmon/msgr/ceph_codec.h"

#include "cephmon/msgr/ceph_entity.h"

/* Connection modes carried by AUTH_REQUEST and AUTH_DONE (CEPH_CON_MODE_*). */
#define MSGR2_CON_MODE_CRC    1
#define MSGR2_CON_MODE_SECURE 2

/* CLIENT_IDENT / SERVER_IDENT flags (CEPH_MSG_CONNECT_LOSSY). */
#define MSGR2_IDENT_FLAG_LOSSY 1

/* The longest method or mode list decoded; the kernel's bound as well. */
#define MSGR2_LIST_MAX 8

#define MSGR2_AUTH_SIGNATURE_LEN 32 /* SHA-256 */
#define MSGR2_MSG_HEADER_LEN	 41 /* sizeof(struct ceph_msg_header2) */

struct msgr2_u32_list {
	uint32_t n;
	uint32_t v[MSGR2_LIST_MAX];
};

struct msgr2_hello {
	uint8_t entity_type;		   /* the sender's */
	struct ceph_entity_addr peer_addr; /* the receiver, as the sender sees it */
};

struct msgr2_auth_request {
	uint32_t method; /* CEPH_AUTH_* */
	struct msgr2_u32_list preferred_modes;
	const uint8_t *payload;
	uint32_t payload_len;
};

struct msgr2_auth_bad_method {
	uint32_t method;
	int32_t result;
	struct msgr2_u32_list allowed_methods, allowed_modes;
};

/* AUTH_REPLY_MORE and AUTH_REQUEST_MORE: an auth payload and nothing else. */
struct msgr2_auth_more {
	const uint8_t *payload;
	uint32_t payload_len;
};

struct msgr2_auth_done {
	uint64_t global_id;
	uint32_t con_mode; /* MSGR2_CON_MODE_* */
	const uint8_t *payload;
	uint32_t payload_len;
};

struct msgr2_client_ident {
	struct ceph_addrvec addrs;
	struct ceph_entity_addr target_addr;
	int64_t global_id;
	uint64_t global_seq, supported_features, required_features, flags, cookie;
};

struct msgr2_server_ident {
	struct ceph_addrvec addrs;
	int64_t global_id;
	uint64_t global_seq, supported_features, required_features, flags, cookie;
};

struct msgr2_session_reconnect {
	struct ceph_addrvec addrs;
	uint64_t client_cookie, server_cookie, global_seq, connect_seq, msg_seq;
};

struct msgr2_compression_request {
	bool is_compress;
	struct msgr2_u32_list preferred_methods;
};

struct msgr2_compression_done {
	bool is_compress;
	uint32_t method;
};

/* KEEPALIVE2 and KEEPALIVE2_ACK: a utime_t / ceph_timespec. */
struct msgr2_timespec {
	uint32_t sec, nsec;
};

/* ceph_msg_header2, the first segment of a MESSAGE frame. */
struct msgr2_msg_header {
	uint64_t seq, tid;
	uint16_t type, priority, version;
	uint32_t data_pre_padding_len;
	uint16_t data_off;
	uint64_t ack_seq;
	uint8_t flags;
	uint16_t compat_version, reserved;
};

/*
 * Encoders append to @e and return 0, -EINVAL (a list longer than
 * MSGR2_LIST_MAX, an address ceph_addr_wire cannot encode), or -ENOMEM; on
 * -EINVAL nothing was appended.
 */
int msgr2_hello_encode(struct wire_enc *e, const struct msgr2_hello *h);
int msgr2_hello_decode(const uint8_t *p, size_t len, struct msgr2_hello *h);

int msgr2_auth_request_encode(struct wire_enc *e, const struct msgr2_auth_request *r);
int msgr2_auth_request_decode(const uint8_t *p, size_t len, struct msgr2_auth_request *r);

int msgr2_auth_bad_method_encode(struct wire_enc *e, const struct msgr2_auth_bad_method *b);
int msgr2_auth_bad_method_decode(const uint8_t *p, size_t len, struct msgr2_auth_bad_method *b);

int msgr2_auth_more_encode(struct wire_enc *e, const struct msgr2_auth_more *m);
int msgr2_auth_more_decode(const uint8_t *p, size_t len, struct msgr2_auth_more *m);

int msgr2_auth_done_encode(struct wire_enc *e, const struct msgr2_auth_done *d);
int msgr2_auth_done_decode(const uint8_t *p, size_t len, struct msgr2_auth_done *d);

int msgr2_client_ident_encode(struct wire_enc *e, const struct msgr2_client_ident *c);
int msgr2_client_ident_decode(const uint8_t *p, size_t len, struct msgr2_client_ident *c);

int msgr2_server_ident_encode(struct wire_enc *e, const struct msgr2_server_ident *s);
int msgr2_server_ident_decode(const uint8_t *p, size_t len, struct msgr2_server_ident *s);

int msgr2_session_reconnect_encode(struct wire_enc *e, const struct msgr2_session_reconnect *r);
int msgr2_session_reconnect_decode(const uint8_t *p, size_t len, struct msgr2_session_reconnect *r);

int msgr2_compression_request_encode(struct wire_enc *e, const struct msgr2_compression_request *r);
int msgr2_compression_request_decode(const uint8_t *p, size_t len, struct msgr2_compression_request *r);

int msgr2_compression_done_encode(struct wire_enc *e, const struct msgr2_compression_done *d);
int msgr2_compression_done_decode(const uint8_t *p, size_t len, struct msgr2_compression_done *d);

/* SESSION_RESET: bool full. */
int msgr2_session_reset_encode(struct wire_enc *e, bool full);
int msgr2_session_reset_decode(const uint8_t *p, size_t len, bool *full);

/*
 * The frames whose payload is one le64: IDENT_MISSING_FEATURES (features),
 * SESSION_RETRY (connect_seq), SESSION_RETRY_GLOBAL (global_seq),
 * SESSION_RECONNECT_OK (msg_seq), ACK (seq). WAIT has no payload at all.
 */
int msgr2_u64_encode(struct wire_enc *e, uint64_t v);
int msgr2_u64_decode(const uint8_t *p, size_t len, uint64_t *v);

int msgr2_keepalive_encode(struct wire_enc *e, const struct msgr2_timespec *t);
int msgr2_keepalive_decode(const uint8_t *p, size_t len, struct msgr2_timespec *t);

/* MSGR2_MSG_HEADER_LEN bytes; decoding needs at least that many. */
int msgr2_msg_header_encode(struct wire_enc *e, const struct msgr2_msg_header *h);
int msgr2_msg_header_decode(const uint8_t *p, size_t len, struct msgr2_msg_header *h);

/*
 * The AUTH_SIGNATURE payload: HMAC-SHA256 keyed with the session key over
 * the concatenation of @iov. A client signs every byte it received before
 * AUTH_DONE was handled (the server's banner and each whole frame, AUTH_DONE
 * included, as read off the wire) and checks the server's signature against
 * every byte it sent (its banner, HELLO, AUTH_REQUEST, AUTH_REQUEST_MORE
 * frames). Without a session key (auth none) the signature is all zero.
 * Returns 0, or -ENOMEM / -EIO from OpenSSL.
 */
int msgr2_auth_signature(const uint8_t *key, size_t key_len, const struct iovec *iov, int iovcnt,
			 uint8_t sig[MSGR2_AUTH_SIGNATURE_LEN]);

/* Compare a received AUTH_SIGNATURE payload with the expected signature in
 * constant time: 0 if equal, -EBADMSG if not or if @len is too short. */
int msgr2_auth_signature_check(const uint8_t *p, size_t len, const uint8_t want[MSGR2_AUTH_SIGNATURE_LEN]);

#endif
