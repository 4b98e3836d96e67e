/*
 * afs_rx/rx/rx_ack.h: the body of an Rx ACK packet, decoded and encoded.
 *
 * Layout (OpenAFS rx.h struct rx_ackPacket and rxi_SendAck; Linux
 * net/rxrpc/protocol.h struct rxrpc_ackpacket and struct rxrpc_acktrailer),
 * big-endian:
 *   0 bufferSpace (u16)   2 maxSkew (u16)   4 firstPacket   8 previousPacket
 *   12 serial   16 reason (u8)   17 nAcks (u8)   18 acks[nAcks] (u8 each)
 *   then 3 pad bytes and the trailer, one u32 per word:
 *     maxMTU (AFS 3.3), ifMTU (3.3), rwind (3.4), maxPackets (jumbo max, 3.5)
 * OpenAFS may append zeros after the trailer to probe the path MTU (an
 * RX_ACK_MTU ping), so bytes after the 4th word are ignored.
 *
 * firstPacket is the first sequence number the soft-ACK map describes;
 * everything below it is hard-acked. acks[i] says whether packet
 * firstPacket + i is held (ACK) or not (NACK); only bit 0 has a meaning
 * (OpenAFS: "the additional bits are reserved"), so the decoder keeps bit 0.
 * serial is the serial number of the packet that prompted this ACK.
 *
 * Old peers send no trailer or part of it: the decoder reports how many
 * whole words are there (ntrailer, 0..4) and leaves the rest 0. OpenAFS uses
 * the trailer only when at least maxMTU and ifMTU are present, rwind from a
 * 3-word trailer (3.4a) or a longer one, maxPackets from 4 words; Linux
 * reads it only when all 16 bytes are there. That policy is the transport's.
 *
 * nAcks is checked against the bytes actually present: Linux aborts the call
 * when the soft-ACK map is short (rxrpc_eproto_ackr_short_sack); OpenAFS
 * would clamp nAcks instead. Any reason byte is accepted (Linux counts
 * unknown reasons as "invalid" and processes the ACK).
 */
#ifndef NETFUSE_RX_ACK_H
#define NETFUSE_RX_ACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RX_ACK_HEADER_LEN    18 /* up to and including nAcks */
#define RX_ACK_PAD_LEN	     3
#define RX_ACK_TRAILER_WORDS 4
#define RX_MAXACKS	     255

/* reason */
#define RX_ACK_REQUESTED       1 /* the peer asked (REQUEST_ACK) */
#define RX_ACK_DUPLICATE       2 /* a packet arrived twice */
#define RX_ACK_OUT_OF_SEQUENCE 3 /* a packet arrived before an earlier one */
#define RX_ACK_EXCEEDS_WINDOW  4 /* a packet arrived beyond the receive window */
#define RX_ACK_NOSPACE	       5 /* a packet was dropped for lack of buffers */
#define RX_ACK_PING	       6 /* keep-alive / RTT probe; answer with PING_RESPONSE */
#define RX_ACK_PING_RESPONSE   7
#define RX_ACK_DELAY	       8 /* nothing happened since the last packet */
#define RX_ACK_IDLE	       9 /* like DELAY, usable for RTT */

/* acks[] values */
#define RX_ACK_TYPE_NACK 0
#define RX_ACK_TYPE_ACK	 1

struct rx_ack {
	uint16_t buffer_space;
	uint16_t max_skew;
	uint32_t first_packet;
	uint32_t previous_packet;
	uint32_t serial;
	uint8_t reason;
	uint8_t nacks;
	uint8_t acks[RX_MAXACKS]; /* RX_ACK_TYPE_ACK / _NACK for first_packet + i */
	unsigned ntrailer;	  /* trailer words present (decode) / to write (encode), 0..4 */
	uint32_t max_mtu;	  /* largest packet the sender of the ACK will take */
	uint32_t if_mtu;	  /* its interface MTU */
	uint32_t rwind;		  /* its receive window, in packets */
	uint32_t jumbo_max;	  /* most subpackets it takes in one jumbogram */
};

/* 0, or -EBADMSG (shorter than 18 bytes, or nAcks beyond the payload). */
int rx_ack_decode(const void *payload, size_t len, struct rx_ack *ack);

/* Bytes rx_ack_encode() writes: 18 + nacks, plus 3 + 4 * ntrailer if ntrailer. */
size_t rx_ack_encoded_len(const struct rx_ack *ack);

/* The body (acks[] written as bit 0 of each entry); its length, -EMSGSIZE if
 * @outlen is too small, -EINVAL if ntrailer > 4. */
ssize_t rx_ack_encode(const struct rx_ack *ack, void *out, size_t outlen);

/* "requested", "ping", ... or "invalid". */
const char *rx_ack_reason_name(uint8_t reason);

#endif
