/*
 * test/lib/msgr2_fake_peer.h: the server side of msgr2 for tests: a fake
 * Ceph daemon (a monitor by default, or any peer type) built from the same
 * codec as the client (msgr2_frame, msgr2_ctrl), and the fake auth method
 * whose payloads it expects ("req", "chal"/"resp", "done"). It checks what
 * the client sends as strictly as Ceph's ProtocolV2 does (the banner,
 * HELLO, AUTH_REQUEST, the client's AUTH_SIGNATURE, CLIENT_IDENT) with
 * criterion assertions, so it runs on the test's own thread.
 *
 * It is transport-free: the test gives it two functions, one that delivers
 * bytes to the client (straight into a msgr2_session, or onto a socket)
 * and one that pulls what the client sent into fp->in (from the session's
 * output, or a blocking read with a timeout) and says how many bytes came.
 */
#ifndef NETFUSE_TEST_MSGR2_FAKE_PEER_H
#define NETFUSE_TEST_MSGR2_FAKE_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/msgr2_ctrl.h"
#include "cephmon/msgr/msgr2_frame.h"
#include "cephmon/msgr/msgr2_session.h"
#include "test/lib/ceph_fixtures.h"

/* ---- the fake auth method (the client's side of it) -------------------------------- */

extern const uint8_t fake_auth_session_key[16];

struct fake_auth {
	int requests, rounds, dones;
	int done_err;	 /* returned by done() when set */
	int refused_err; /* returned by refused() */
	size_t secret_len;
};

extern const struct msgr2_auth_ops fake_auth_ops;      /* method 2, with a challenge round */
extern const struct msgr2_auth_ops fake_auth_none_ops; /* method 1 */

/* ---- the fake peer ------------------------------------------------------------------- */

struct fake_peer {
	void (*to_client)(struct fake_peer *fp, const uint8_t *p, size_t n);
	size_t (*pull)(struct fake_peer *fp); /* bytes added to fp->in; 0: none came */
	void *arg;

	uint32_t peer_type; /* what HELLO says we are */
	struct ceph_entity_addr my_addr, client_seen;
	struct wire_enc in; /* bytes from the client, not yet decoded */
	size_t in_off;
	struct wire_enc sent, rcvd; /* pre-auth transcripts (signatures) */
	struct wire_enc wire;	    /* everything sent to the client */
	bool logging, secure;
	struct msgr2_crypto c;
};

void fake_peer_init(struct fake_peer *fp, uint32_t peer_type);
void fake_peer_fini(struct fake_peer *fp);

/* Raw bytes and frames to the client. */
void fake_peer_write(struct fake_peer *fp, const uint8_t *p, size_t n);
void fake_peer_send(struct fake_peer *fp, uint8_t tag, const struct wire_enc *payload);
void fake_peer_send_u64(struct fake_peer *fp, uint8_t tag, uint64_t x);
void fake_peer_send_msg(struct fake_peer *fp, uint64_t seq, uint16_t type, uint64_t tid, const char *front);
/* The same with a middle segment (an MDS's xattr blob). */
void fake_peer_send_msg_middle(struct fake_peer *fp, uint64_t seq, uint16_t type, uint64_t tid, const char *front,
			       const char *middle);

/* The next frame from the client, which must have @want_tag. */
void fake_peer_recv(struct fake_peer *fp, uint8_t want_tag, struct msgr2_frame *f);
/* True when the client sent nothing more (after one pull). */
bool fake_peer_nothing_more(struct fake_peer *fp);

/* The handshake, step by step. */
void fake_peer_banner(struct fake_peer *fp);
void fake_peer_hello(struct fake_peer *fp);
/* AUTH_REQUEST (method @method, modes @modes unless NULL) -> AUTH_REPLY_MORE
 * "chal" -> AUTH_REQUEST_MORE "resp". */
void fake_peer_auth_rounds(struct fake_peer *fp, uint32_t method, const struct msgr2_u32_list *modes);
/* AUTH_DONE (global_id 4242, payload "done"); secure mode from here on. */
void fake_peer_auth_done(struct fake_peer *fp, uint32_t con_mode);
/* Check the client's AUTH_SIGNATURE; send ours (@good, or a wrong one). */
void fake_peer_signatures(struct fake_peer *fp, bool good);
void fake_peer_client_ident(struct fake_peer *fp, struct msgr2_client_ident *ci);
void fake_peer_server_ident(struct fake_peer *fp, uint64_t required);

#endif
