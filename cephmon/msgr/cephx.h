/*
 * cephmon/msgr/cephx.h: the client side of cephx, Ceph's ticket-based
 * authentication, as pure functions over byte buffers: no sockets, no
 * threads, no clock (callers pass the time). The monitor client and the
 * msgr2 messenger drive it; this module only builds and checks payloads.
 *
 * It follows the kernel client (net/ceph/auth_x.c, auth.c) and Ceph's
 * CephxClientHandler/CephxProtocol (src/auth/cephx/). Where the two differ
 * the choice is noted at the function.
 *
 * With a monitor over msgr2 (the payloads of the AUTH_* frames; the frame
 * fields around them, auth method 2 = cephx and the connection modes, are
 * msgr2's business):
 *
 *   AUTH_REQUEST       <- cephx_get_request(): u8 auth mode 10 (mon),
 *                         EntityName (u32 type, string id), u64 global_id
 *   AUTH_REPLY_MORE    -> cephx_handle_reply_more(): the server challenge;
 *                         builds the CEPHX_GET_AUTH_SESSION_KEY request
 *   AUTH_REQUEST_MORE  <- (that request)
 *   AUTH_DONE          -> cephx_handle_reply_done(global_id, payload): the
 *                         AUTH ticket (encrypted with our key), the
 *                         connection secret and the service tickets
 *                         (encrypted with the new AUTH session key);
 *                         yields the session key and connection secret
 *                         msgr2 needs for signatures and secure mode.
 *   AUTH_BAD_METHOD    -> the monitor's error code: cephx_auth_error().
 *
 * Later, on the established session, tickets are renewed with MAuth /
 * MAuthReply messages (as the kernel's __validate_auth does):
 * cephx_should_authenticate(), cephx_build_request(), cephx_mauth_encode(),
 * cephx_mauth_reply_decode(), cephx_handle_reply().
 *
 * To OSDs and MDSs (msgr2 auth mode "authorizer"): cephx_authorizer_build()
 * gives the AUTH_REQUEST payload, cephx_authorizer_add_challenge() handles
 * the server's challenge (AUTH_REPLY_MORE, Nautilus+) and rebuilds it for
 * AUTH_REQUEST_MORE, cephx_authorizer_verify_reply() checks AUTH_DONE's
 * payload (the server proves it read our nonce: nonce + 1).
 *
 * global_id reclaim: the client keeps its global_id and AUTH ticket across
 * reconnections, sends the global_id in AUTH_REQUEST and presents the old
 * ticket in CEPHX_GET_AUTH_SESSION_KEY (CephXAuthenticate v3, as the kernel
 * does); the monitor then encrypts the new ticket with the old session key.
 * That is what clusters with auth_allow_insecure_global_id_reclaim=false
 * require. If the monitor still refuses (-EACCES: the old ticket's secret
 * has rotated away), cephx_forget_identity() drops both and the next
 * handshake asks for a new global_id.
 *
 * Errors: -EBADMSG for malformed or truncated input (the state is then
 * unchanged: replies are decoded completely before anything is kept),
 * -EKEYREJECTED when a ticket does not decrypt with our key (wrong key),
 * -EPERM when a service fails to prove itself (authorizer reply nonce),
 * -ENOKEY when no ticket is held for a service, -ENOMEM; the rest at each
 * function. Keys, tickets and secrets are never logged and are wiped when
 * dropped.
 */
#ifndef NETFUSE_CEPHX_H
#define NETFUSE_CEPHX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/ceph_codec.h"
#include "cephmon/msgr/ceph_security.h"

/* Entity types; as service ids they are also the bits of want/have masks. */
#include "cephmon/msgr/ceph_entity.h"

#define CEPH_AUTH_CEPHX		  2
#define CEPH_AUTH_MODE_AUTHORIZER 1  /* first byte of an authorizer payload */
#define CEPH_AUTH_MODE_MON	  10 /* first byte of a monitor AUTH_REQUEST payload */

#define CEPHX_GET_AUTH_SESSION_KEY	0x0100
#define CEPHX_GET_PRINCIPAL_SESSION_KEY 0x0200

#define CEPHX_CON_SECRET_MAX 64	 /* secure mode: 16 * 4 bytes */
#define CEPHX_ID_MAX	     128 /* the "admin" of client.admin, with its NUL */
#define CEPHX_NSERVICES	     6	 /* service bits 0x01..0x20 */

/* One service's ticket. Times are in the caller's clock (seconds); 0 means
 * the ticket never needs renewal (a zero validity, as Ceph treats it). */
struct cephx_ticket {
	bool have_key;
	struct ceph_crypto_key session_key;
	uint64_t secret_id;
	uint8_t *blob; /* opaque to us: encrypted with the service's secret */
	uint32_t blob_len;
	int64_t expires, renew_after;
};

struct cephx_client {
	uint32_t entity_type; /* CEPH_ENTITY_TYPE_CLIENT */
	char id[CEPHX_ID_MAX];
	struct ceph_crypto_key secret;
	uint64_t global_id;
	uint32_t want_keys, have_keys;
	bool starting; /* waiting for the server challenge */
	uint64_t server_challenge;
	struct cephx_ticket tickets[CEPHX_NSERVICES];
	/* Randomness for challenges and nonces: OpenSSL's RAND_bytes unless a
	 * test replaces it; returns 0 on success. */
	int (*random)(void *buf, size_t len);
};

/* What a connection keeps once authenticated: the key msgr2 signs with
 * and the connection secret of secure mode (empty in crc mode). */
struct cephx_session {
	struct ceph_crypto_key session_key;
	uint8_t con_secret[CEPHX_CON_SECRET_MAX];
	size_t con_secret_len;
};

void cephx_session_wipe(struct cephx_session *s);

/*
 * Set up @c for entity @entity_type.@id ("admin" for client.admin) with
 * its secret @key, wanting tickets for the services in @want_keys (the
 * AUTH ticket is always wanted; the kernel asks for MON|OSD|MDS). -EINVAL
 * for a key that is not AES-128, an empty or too long id, or a bad mask.
 */
int cephx_client_init(struct cephx_client *c, uint32_t entity_type, const char *id, const struct ceph_crypto_key *key,
		      uint32_t want_keys);
void cephx_client_destroy(struct cephx_client *c);
/* A deep copy of @src (tickets included) into @dst, for a handshake of its
 * own: parallel hunting runs one per monitor, and the winner's copy
 * becomes the client. 0 or -ENOMEM (@dst then holds nothing). */
int cephx_client_clone(struct cephx_client *dst, const struct cephx_client *src);

/* ---- the msgr2 handshake with a monitor ---------------------------------- */

/* AUTH_REQUEST's auth payload; restarts the handshake (a new connection),
 * keeping global_id and tickets for reclaim. */
int cephx_get_request(struct cephx_client *c, struct wire_enc *out);

/*
 * AUTH_REPLY_MORE's payload: the server challenge (or, from a pre-Nautilus
 * style exchange, a reply). Appends the AUTH_REQUEST_MORE payload to @out.
 * -EPROTO when the reply leaves nothing to ask for.
 */
int cephx_handle_reply_more(struct cephx_client *c, const void *reply, size_t len, int64_t now, struct wire_enc *out);

/*
 * AUTH_DONE: @global_id from the frame and its auth payload. 0 once the
 * AUTH ticket is in hand; @sess (may be NULL) then receives the session
 * key and connection secret. Service tickets the monitor did not include
 * are asked for later over MAuth (cephx_should_authenticate() says so),
 * where the kernel would fail the connection.
 */
int cephx_handle_reply_done(struct cephx_client *c, uint64_t global_id, const void *reply, size_t len, int64_t now,
			    struct cephx_session *sess);

/* ---- tickets and renewal ------------------------------------------------- */

/* Every wanted ticket is held and unexpired. */
bool cephx_is_authenticated(struct cephx_client *c, int64_t now);
/* Some wanted ticket is missing or due for renewal (past 3/4 of its
 * validity, as the kernel and Ceph renew). */
bool cephx_should_authenticate(struct cephx_client *c, int64_t now);
/* The earliest renew_after of the wanted tickets held, 0 when none. */
int64_t cephx_next_renewal(const struct cephx_client *c);

/*
 * The next request on an established session (the MAuth auth payload):
 * CEPHX_GET_AUTH_SESSION_KEY when the AUTH ticket needs renewing, else
 * CEPHX_GET_PRINCIPAL_SESSION_KEY for the service tickets that do.
 * Appends nothing when nothing is needed.
 */
int cephx_build_request(struct cephx_client *c, int64_t now, struct wire_enc *out);

/*
 * A reply payload (MAuthReply's, after its result was found to be 0).
 * 0: every wanted ticket is held; -EAGAIN: build and send another request;
 * a negative status the monitor put in the reply (e.g. -ENOENT: it has
 * no key for any service asked for); or an error as above.
 */
int cephx_handle_reply(struct cephx_client *c, uint64_t global_id, const void *reply, size_t len, int64_t now,
		       struct cephx_session *sess);

/* Drop @service's ticket (a service refused our authorizer); the AUTH
 * ticket goes too, as in the kernel, so both are fetched afresh. */
void cephx_invalidate(struct cephx_client *c, uint32_t service);

/* Forget global_id and every ticket: the next handshake is a new client. */
void cephx_forget_identity(struct cephx_client *c);

/*
 * A negative result from the monitor (AUTH_BAD_METHOD's result, or
 * MAuthReply's) as the errno to report and a one-line message naming the
 * entity. cephx cannot tell an unknown entity from a wrong key: the
 * monitor answers -EPERM to both, reported as -EKEYREJECTED.
 */
int cephx_auth_error(const struct cephx_client *c, int result, char *msg, size_t msglen);

/* ---- MAuth / MAuthReply fronts (renewal on an established session) -------- */

/* MAuth: paxos header (u64 version 0, u16 session_mon -1, u64 tid 0),
 * u32 protocol (cephx), u32-length auth payload. */
int cephx_mauth_encode(const void *payload, size_t len, struct wire_enc *out);

struct cephx_mauth_reply {
	uint32_t protocol;
	int32_t result;
	uint64_t global_id;
	const uint8_t *payload; /* points into the decoded buffer */
	uint32_t payload_len;
	const uint8_t *msg; /* result message, not NUL-terminated */
	uint32_t msg_len;
};

/* -EBADMSG when truncated; trailing bytes are ignored (a newer encoding). */
int cephx_mauth_reply_decode(const void *front, size_t len, struct cephx_mauth_reply *r);

/* ---- authorizers for OSDs, MDSs (and the monitor's principal requests) ---- */

struct cephx_authorizer {
	uint32_t service;
	uint64_t secret_id;
	uint64_t nonce;
	struct ceph_crypto_key session_key;
	struct wire_enc buf; /* the authorizer: the AUTH_REQUEST payload */
	size_t base_len;     /* the part before the encrypted CephXAuthorize */
};

/* Build an authorizer for @service from its ticket. -ENOKEY without one. */
int cephx_authorizer_build(struct cephx_client *c, uint32_t service, struct cephx_authorizer *au);

/* The server's challenge (AUTH_REPLY_MORE payload: ciphertext with no
 * length): rebuild the authorizer answering it (same nonce). */
int cephx_authorizer_add_challenge(struct cephx_authorizer *au, const void *challenge, size_t len);

/* AUTH_DONE's payload from the service: -EPERM unless it holds nonce + 1.
 * @sess (may be NULL) receives the session key and connection secret. */
int cephx_authorizer_verify_reply(const struct cephx_authorizer *au, const void *reply, size_t len,
				  struct cephx_session *sess);

/* The ticket behind @au has been renewed since: build a new authorizer. */
bool cephx_authorizer_stale(const struct cephx_client *c, const struct cephx_authorizer *au);

void cephx_authorizer_destroy(struct cephx_authorizer *au);

/* ---- pieces exposed for tests ------------------------------------------- */

/* The proof of key in CephXAuthenticate: encode_encrypt(secret,
 * {server_challenge, client_challenge}) read as little-endian u64 words,
 * length prefix included, XORed (cephx_calc_client_server_challenge). */
int cephx_challenge_key(const struct ceph_crypto_key *secret, uint64_t server_challenge, uint64_t client_challenge,
			uint64_t *key);

#endif
