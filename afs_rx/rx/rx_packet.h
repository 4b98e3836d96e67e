/*
 * afs_rx/rx/rx_packet.h: the RxRPC wire header and the small packet bodies
 * (ABORT, VERSION, the rxkad CHALLENGE), as pure functions: no sockets, no
 * state. The Rx transport (connections, calls, windows) calls these; ACKs are
 * in rx_ack.h and jumbograms in rx_jumbo.h.
 *
 * The header is 28 bytes, big-endian (OpenAFS rxi_EncodePacketHeader, Linux
 * struct rxrpc_wire_header):
 *   0 epoch  4 cid  8 callNumber  12 seq  16 serial
 *   20 type  21 flags  22 userStatus  23 securityIndex
 *   24 cksum (rxkad's header checksum; "spare"/"_rsvd" elsewhere)  26 serviceId
 * OpenAFS's in-memory struct rx_header lists serviceId before spare, but the
 * wire word is (spare << 16 | serviceId): cksum comes first on the wire.
 *
 * cid = connection id (upper 30 bits) | channel (low 2 bits): a connection
 * carries up to 4 calls at once, one per channel, and callNumber counts the
 * calls made on a channel. callNumber 0 addresses the connection itself
 * (connection-level ABORT, CHALLENGE, RESPONSE).
 */
#ifndef NETFUSE_RX_PACKET_H
#define NETFUSE_RX_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RX_HEADER_LEN 28

/* Packet types (header.type). */
#define RX_PACKET_TYPE_DATA	 1
#define RX_PACKET_TYPE_ACK	 2
#define RX_PACKET_TYPE_BUSY	 3 /* server: cannot take the call now, retry */
#define RX_PACKET_TYPE_ABORT	 4
#define RX_PACKET_TYPE_ACKALL	 5
#define RX_PACKET_TYPE_CHALLENGE 6 /* server -> client, connection level */
#define RX_PACKET_TYPE_RESPONSE	 7 /* client -> server, connection level */
#define RX_PACKET_TYPE_DEBUG	 8 /* rxdebug's statistics request */
#define RX_PACKET_TYPE_PARAMS	 9 /* never specified; ignored, as are 10 and 11 */
#define RX_PACKET_TYPE_VERSION	 13

/* Header flags. JUMBO_PACKET (DATA) and SLOW_START_OK (ACK) share a bit. */
#define RX_CLIENT_INITIATED 0x01 /* sent by the client side of the call */
#define RX_REQUEST_ACK	    0x02
#define RX_LAST_PACKET	    0x04 /* last packet from this side of the call */
#define RX_MORE_PACKETS	    0x08
#define RX_JUMBO_PACKET	    0x20 /* DATA: another subpacket follows this one */
#define RX_SLOW_START_OK    0x20 /* ACK: the receiver does slow start */

/* Connection ids and channels. */
#define RX_MAXCALLS	4
#define RX_CHANNEL_MASK (RX_MAXCALLS - 1)
#define RX_CID_MASK	(~(uint32_t)RX_CHANNEL_MASK)
#define RX_CID_INC	RX_MAXCALLS

/*
 * Epoch top bit: the epoch was chosen at random, so (epoch, cid) alone names
 * the connection and packets for it may arrive from a new address (NAT
 * rebinding). OpenAFS rx_InitHost sets it and clears bit 30; a date-based
 * epoch (top bit clear) ties the connection to the peer's address too.
 */
#define RX_EPOCH_RANDOM 0x80000000u

/* Security indices (header.securityIndex). */
#define RX_SECIDX_NULL 0
#define RX_SECIDX_KAD  2

/* Rx-level abort codes (OpenAFS rx.h, Linux uapi rxrpc.h). */
#define RX_CALL_DEAD	     (-1)
#define RX_INVALID_OPERATION (-2)
#define RX_CALL_TIMEOUT	     (-3)
#define RX_EOF		     (-4)
#define RX_PROTOCOL_ERROR    (-5)
#define RX_USER_ABORT	     (-6)
#define RX_ADDRINUSE	     (-7)
#define RX_MSGSIZE	     (-8)
#define RX_RESTARTING	     (-100)

struct rx_header {
	uint32_t epoch;
	uint32_t cid;
	uint32_t call_number;
	uint32_t seq;
	uint32_t serial;
	uint8_t type;
	uint8_t flags;
	uint8_t user_status;
	uint8_t security_index;
	uint16_t cksum;
	uint16_t service_id;
};

/* Decode the first 28 bytes of a datagram; -EBADMSG if it is shorter. Any
 * 28 bytes decode: rx_header_check() says whether the packet is acceptable. */
int rx_header_decode(const void *pkt, size_t len, struct rx_header *h);
void rx_header_encode(const struct rx_header *h, uint8_t out[RX_HEADER_LEN]);

/* The header, then @payload: the whole datagram's length, or -EMSGSIZE. */
ssize_t rx_packet_build(const struct rx_header *h, const void *payload, size_t payload_len, void *out, size_t outlen);

static inline unsigned rx_cid_channel(uint32_t cid)
{
	return cid & RX_CHANNEL_MASK;
}

static inline uint32_t rx_cid_conn(uint32_t cid)
{
	return cid & RX_CID_MASK;
}

/* A packet from the client side of its call travels towards the server. */
static inline bool rx_to_server(const struct rx_header *h)
{
	return h->flags & RX_CLIENT_INITIATED;
}

/* A random epoch as OpenAFS makes one from 32 random bits. */
static inline uint32_t rx_epoch_from_random(uint32_t r)
{
	return (r & ~0x40000000u) | RX_EPOCH_RANDOM;
}

/* The connection id after @cid (channel bits clear). Skips 0: rxdebug's
 * connectionless requests use cid 0. */
uint32_t rx_cid_next(uint32_t cid);

/*
 * Whether a received packet may be handed on, from its header and payload
 * length alone (no connection state). The rules, each with its source:
 *
 *  DISCARD (drop silently, answer nothing):
 *   - VERSION travelling to a client (no CLIENT_INITIATED): only servers answer
 *     version requests (Linux io_thread.c rxrpc_input_packet; OpenAFS
 *     rxi_ReceiveVersionPacket answers only client-initiated ones). A
 *     transport that asks a server for its version (rxdebug -version) must
 *     pick the reply out before this check, as rxdebug does on its own socket.
 *   - BUSY travelling to a server: only servers send BUSY (Linux).
 *   - CHALLENGE travelling to a server, RESPONSE travelling to a client (Linux).
 *   - ABORT with fewer than 4 payload bytes: no code to read (Linux
 *     rxrpc_extract_abort failing is "just discard").
 *   - PARAMS, 10, 11: never specified, ignored (Linux; OpenAFS
 *     rxi_ReceivePacket ignores them too).
 *   - DEBUG: OpenAFS answers rxdebug, Linux rejects the type; netfuse does
 *     not implement rxdebug and stays silent rather than abort a prober.
 *  REJECT (protocol error; Linux answers with ABORT RX_PROTOCOL_ERROR):
 *   - type 0, 12 and 14..255: unknown type (Linux rxrpc_badmsg_unsupported_packet).
 *   - DATA, ACK, ACKALL, BUSY with callNumber 0: these belong to a call
 *     (rxrpc_badmsg_zero_call).
 *   - DATA with seq 0: sequence numbers start at 1 (rxrpc_badmsg_zero_seq).
 *   - ACK shorter than its 18-byte fixed part (rxrpc_badmsg_short_ack).
 *   - serviceId 0 on anything but VERSION (rxrpc_badmsg_zero_service; OpenAFS
 *     rxdebug sends VERSION requests with serviceId 0).
 * DATA packets are further checked when split (rx_jumbo_split), ACK bodies
 * when decoded (rx_ack_decode).
 *
 * @why (optional) gets a short constant reason for a DISCARD or REJECT.
 */
enum rx_verdict {
	RX_ACCEPT = 0,
	RX_DISCARD,
	RX_REJECT,
};
enum rx_verdict rx_header_check(const struct rx_header *h, size_t payload_len, const char **why);

/* "data", "ack", ... or "unknown". */
const char *rx_packet_type_name(uint8_t type);

/* ---- ABORT: one BE32 abort code (an afs_int32: Rx codes are negative) ---- */

#define RX_ABORT_LEN 4
int rx_abort_decode(const void *payload, size_t len, int32_t *code);
void rx_abort_encode(int32_t code, uint8_t out[RX_ABORT_LEN]);

/*
 * What an abort code means to the transport: the errno of an Rx-level code
 * (RX_CALL_DEAD and RX_CALL_TIMEOUT -ETIMEDOUT, RX_PROTOCOL_ERROR -EPROTO,
 * RX_USER_ABORT -ECONNABORTED, ...), and -EREMOTEIO for any other code: an
 * abort by the service itself, whose meaning belongs to the protocol on
 * top (the AFS layer maps its codes in afs_errors.h).
 */
int rx_abort_errno(int32_t code);

/* The name of an Rx-level code ("RX_CALL_DEAD"), or NULL for any other. */
const char *rx_abort_name(int32_t code);

/*
 * ---- VERSION --------------------------------------------------------------
 * A request carries one zero byte (OpenAFS rx_GetServerVersion; Linux answers
 * only if the first payload byte is 0, so an empty request gets no answer
 * from it). The reply is 65 bytes: a NUL-padded version string. BUSY and
 * ACKALL are header-only and need no body codec.
 */
#define RX_VERSION_REQUEST_LEN 1
#define RX_VERSION_REPLY_LEN   65

/* A version request addressed to us (the server side), or not. */
bool rx_version_is_request(const struct rx_header *h, const void *payload, size_t len);

/* The reply body: @version truncated to 64 characters, NUL-padded. */
void rx_version_reply_encode(const char *version, uint8_t out[RX_VERSION_REPLY_LEN]);

/* The peer's version string, up to its first NUL or 65 bytes, as one
 * printable line (other bytes become '?'). Never fails. */
void rx_version_reply_decode(const void *payload, size_t len, char out[RX_VERSION_REPLY_LEN + 1]);

/*
 * ---- CHALLENGE ------------------------------------------------------------
 * Connection-level, server to client, for security index 2 (rxkad); the
 * security layer answers with a RESPONSE. Two layouts exist (OpenAFS
 * rxkad/private_data.h; rxkad_GetResponse picks by length, > 8 bytes is v2):
 *   old: challengeID, level                       (8 bytes)
 *   v2:  version (2), nonce, min_level, spare     (16 bytes, Linux struct
 *        rxkad_challenge)
 * Linux answers a v2 challenge whose version is not 2 with RXKADINCONSISTENCY
 * and a min_level above its own with RXKADLEVELFAIL; a short one with
 * RXKADPACKETSHORT. Those checks belong to rxkad, which knows its level.
 *
 * rxnull has no challenge: an rxnull server never sends one, and Linux
 * aborts a connection challenged under security index 0 with
 * RX_PROTOCOL_ERROR (net/rxrpc/insecure.c), so there is no rxnull RESPONSE
 * to encode.
 */
#define RXKAD_CHALLENGE_OLD_LEN 8
#define RXKAD_CHALLENGE_V2_LEN	16
#define RXKAD_CHALLENGE_VERSION 2

struct rxkad_challenge {
	bool v2;	    /* false: the old 8-byte layout */
	uint32_t version;   /* v2 only; 0 for the old layout */
	uint32_t nonce;	    /* challengeID */
	uint32_t min_level; /* 0 clear, 1 auth, 2 crypt */
};

int rxkad_challenge_decode(const void *payload, size_t len, struct rxkad_challenge *c);
/* The v2 layout (what OpenAFS and Linux servers send). */
void rxkad_challenge_encode(uint32_t nonce, uint32_t min_level, uint8_t out[RXKAD_CHALLENGE_V2_LEN]);

#endif
