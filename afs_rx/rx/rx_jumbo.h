/*
 * afs_rx/rx/rx_jumbo.h: jumbograms, several consecutive DATA packets in one
 * UDP datagram (AFS 3.5).
 *
 * A jumbogram is the usual 28-byte header, then subpackets. Every subpacket
 * but the last carries exactly 1412 data bytes followed by a 4-byte jumbo
 * header that describes the *next* subpacket:
 *   0 flags (u8)   1 spare (u8)   2 cksum (be16)
 * (OpenAFS rx_packet.h struct rx_jumboHeader, read as one BE32 word with
 * flags in the top byte and cksum in the low 16 bits; Linux struct
 * rxrpc_jumbo_header: flags, pad, _rsvd/cksum.) Subpacket i has seq and
 * serial of the main header plus i; its flags and cksum come from the jumbo
 * header before it (the main header for i = 0). RX_JUMBO_PACKET is set on
 * every subpacket that another follows, and only on those; the last may hold
 * any number of bytes, zero included.
 *
 * Rejected, as Linux rxrpc_input_split_jumbo does (bad jumbos abort the call
 * with RX_PROTOCOL_ERROR): a subpacket flagged JUMBO_PACKET without 1416
 * bytes left for its data and the next jumbo header, and a subpacket flagged
 * both JUMBO_PACKET and LAST_PACKET. At most RX_JUMBO_MAX subpackets fit in a
 * UDP datagram ((65535 - 28 - 28) / 1416 + 1 = 47, protocol.h).
 *
 * Split subpackets get userStatus 0 after the first, as OpenAFS
 * rxi_SplitJumboPacket does (Linux keeps the main header's value); the
 * other header fields are copied.
 */
#ifndef NETFUSE_RX_JUMBO_H
#define NETFUSE_RX_JUMBO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rx_packet.h"

#define RX_JUMBO_DATALEN   1412
#define RX_JUMBO_HEADERLEN 4
#define RX_JUMBO_SUBPKTLEN (RX_JUMBO_DATALEN + RX_JUMBO_HEADERLEN)
#define RX_JUMBO_MAX	   47

struct rx_subpacket {
	struct rx_header hdr;
	const uint8_t *data; /* points into the payload given to rx_jumbo_split */
	size_t len;
};

/*
 * Split a DATA packet's payload (what follows its 28-byte header @h) into
 * its subpackets: @out[0..*n). A DATA packet without RX_JUMBO_PACKET yields
 * one subpacket, itself. Nothing is written to @out unless the whole packet
 * is valid. -EINVAL if @h is not DATA; -EBADMSG if the jumbogram is malformed
 * or has more than @max subpackets.
 */
int rx_jumbo_split(const struct rx_header *h, const void *payload, size_t len, struct rx_subpacket *out, size_t max,
		   size_t *n);

struct rx_jumbo_part {
	const void *data;
	size_t len;	/* RX_JUMBO_DATALEN for all but the last part */
	uint8_t flags;	/* per-packet flags; RX_JUMBO_PACKET is managed here */
	uint16_t cksum; /* rxkad header checksum, 0 under rxnull */
};

/*
 * Build one datagram from @n (1..RX_JUMBO_MAX) consecutive DATA packets. @h
 * gives the fields they share and the seq and serial of the first (its type
 * must be DATA; its flags and cksum are ignored: each part has its own).
 * RX_JUMBO_PACKET is set on all parts but the last and cleared on the last.
 * Returns the datagram's length; -EINVAL for a bad part list (a non-final
 * part not 1412 bytes long or flagged LAST_PACKET), -EMSGSIZE if @outlen is
 * too small.
 */
ssize_t rx_jumbo_build(const struct rx_header *h, const struct rx_jumbo_part *parts, size_t n, void *out,
		       size_t outlen);

#endif
