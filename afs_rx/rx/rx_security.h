/*
 * afs_rx/rx/rx_security.h: the interface a security class plugs into the Rx
 * transport. netfuse ships rxnull (index 0: no authentication, no
 * checksums); rxkad (index 2) is meant to implement the same operations
 * later without the transport changing.
 *
 * The operations follow what both OpenAFS (struct rx_securityClass,
 * rx_securityOps) and Linux (struct rxrpc_security) need:
 *  - a per-connection context (rxkad keeps the session key and the
 *    challenge nonce there);
 *  - client side: answer a CHALLENGE with a RESPONSE;
 *  - server side: issue a CHALLENGE and check the RESPONSE;
 *  - per DATA packet: reserve a header in front of the data, then secure
 *    the packet (checksum, encrypt) once before its first transmission, and
 *    verify/strip it on receipt.
 * Every operation may be NULL: a NULL secure/verify is a no-op, a NULL
 * respond means the class cannot answer challenges (the transport aborts
 * the connection with RX_PROTOCOL_ERROR, as Linux does for rxnull), a NULL
 * challenge means incoming calls need no handshake.
 *
 * All operations run on the transport's loop thread with its lock held:
 * they must not block.
 */
#ifndef NETFUSE_RX_SECURITY_H
#define NETFUSE_RX_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rx_packet.h"
#include "net/wire.h"

/* What a class learns about the connection it secures. */
struct rx_conn_info {
	uint32_t epoch;
	uint32_t cid; /* channel bits clear */
	uint16_t service_id;
	bool client; /* we are the client side */
};

struct rx_security_ops {
	const char *name; /* "rxnull", "rxkad" */
	uint8_t index;	  /* header.securityIndex */

	/* Per-connection context; *conn_priv stays NULL if not set. 0 or -errno. */
	int (*conn_init)(void *priv, const struct rx_conn_info *ci, void **conn_priv);
	void (*conn_free)(void *priv, void *conn_priv);

	/* Bytes the class places in front of each DATA packet's data. */
	size_t (*header_len)(void *priv, void *conn_priv);

	/* Client: the RESPONSE body for a CHALLENGE body. 0, or an abort code
	 * (positive or negative, never 0) to abort the connection with. */
	int32_t (*respond)(void *priv, void *conn_priv, const struct rx_conn_info *ci, const void *challenge,
			   size_t len, struct wire_enc *response);

	/* Server: the CHALLENGE body to send before running calls; the
	 * verdict on the RESPONSE (0 accepts). */
	int32_t (*challenge)(void *priv, void *conn_priv, const struct rx_conn_info *ci, struct wire_enc *out);
	int32_t (*verify_response)(void *priv, void *conn_priv, const struct rx_conn_info *ci, const void *response,
				   size_t len);

	/*
	 * Secure one outgoing DATA packet in place: @payload holds header_len()
	 * reserved bytes then the data, *@len bytes in all, with room for
	 * @cap; the class may grow *@len (padding) up to @cap and set @h->cksum.
	 * 0 or an abort code.
	 */
	int32_t (*secure_packet)(void *priv, void *conn_priv, struct rx_header *h, uint8_t *payload, size_t *len,
				 size_t cap);

	/* Check one incoming DATA packet in place; on success *@off and *@len
	 * say where its data is. 0 or an abort code. */
	int32_t (*verify_packet)(void *priv, void *conn_priv, const struct rx_header *h, uint8_t *payload, size_t *off,
				 size_t *len);
};

/* A security object: a class and its configuration (keys, level). The
 * transport keeps the pointer: it must outlive every call using it. */
struct rx_security {
	const struct rx_security_ops *ops;
	void *priv;
};

/* rxnull: index 0, every operation a no-op. */
const struct rx_security *rx_security_null(void);

#endif
