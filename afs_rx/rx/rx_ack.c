/*
 * afs_rx/rx/rx_ack.c: ACK packet bodies (see rx_ack.h). Written for netfuse
 * from the layout in OpenAFS src/rx/rx.c (rxi_SendAck, rxi_ReceiveAckPacket)
 * and Linux net/rxrpc/input.c (rxrpc_input_ack).
 */
#include "config.h"

#include "rx_ack.h"
#include "net/wire.h"

#include <errno.h>
#include <string.h>

int rx_ack_decode(const void *payload, size_t len, struct rx_ack *ack)
{
	struct wire_dec d;
	const uint8_t *acks;
	uint32_t *words[RX_ACK_TRAILER_WORDS];
	struct rx_ack a;
	size_t left;

	memset(&a, 0, sizeof(a));
	wire_dec_init(&d, payload, len);
	wire_dec_be16(&d, &a.buffer_space);
	wire_dec_be16(&d, &a.max_skew);
	wire_dec_be32(&d, &a.first_packet);
	wire_dec_be32(&d, &a.previous_packet);
	wire_dec_be32(&d, &a.serial);
	wire_dec_u8(&d, &a.reason);
	if (wire_dec_u8(&d, &a.nacks))
		return -EBADMSG;
	acks = wire_dec_take(&d, a.nacks);
	if (!acks)
		return -EBADMSG;
	for (unsigned i = 0; i < a.nacks; i++)
		a.acks[i] = acks[i] & RX_ACK_TYPE_ACK;

	left = wire_dec_left(&d);
	if (left >= RX_ACK_PAD_LEN) {
		wire_dec_skip(&d, RX_ACK_PAD_LEN);
		a.ntrailer = (unsigned)((left - RX_ACK_PAD_LEN) / 4);
		if (a.ntrailer > RX_ACK_TRAILER_WORDS)
			a.ntrailer = RX_ACK_TRAILER_WORDS;
		words[0] = &a.max_mtu;
		words[1] = &a.if_mtu;
		words[2] = &a.rwind;
		words[3] = &a.jumbo_max;
		for (unsigned i = 0; i < a.ntrailer; i++)
			wire_dec_be32(&d, words[i]);
	}
	*ack = a;
	return 0;
}

size_t rx_ack_encoded_len(const struct rx_ack *ack)
{
	size_t n = RX_ACK_HEADER_LEN + ack->nacks;

	if (ack->ntrailer)
		n += RX_ACK_PAD_LEN + 4 * (size_t)ack->ntrailer;
	return n;
}

ssize_t rx_ack_encode(const struct rx_ack *ack, void *out, size_t outlen)
{
	const uint32_t words[RX_ACK_TRAILER_WORDS] = {ack->max_mtu, ack->if_mtu, ack->rwind, ack->jumbo_max};
	uint8_t *p = out;
	size_t n;

	if (ack->ntrailer > RX_ACK_TRAILER_WORDS)
		return -EINVAL;
	n = rx_ack_encoded_len(ack);
	if (n > outlen)
		return -EMSGSIZE;
	put_be16(p, ack->buffer_space);
	put_be16(p + 2, ack->max_skew);
	put_be32(p + 4, ack->first_packet);
	put_be32(p + 8, ack->previous_packet);
	put_be32(p + 12, ack->serial);
	p[16] = ack->reason;
	p[17] = ack->nacks;
	p += RX_ACK_HEADER_LEN;
	for (unsigned i = 0; i < ack->nacks; i++)
		*p++ = ack->acks[i] & RX_ACK_TYPE_ACK;
	if (ack->ntrailer) {
		memset(p, 0, RX_ACK_PAD_LEN);
		p += RX_ACK_PAD_LEN;
		for (unsigned i = 0; i < ack->ntrailer; i++, p += 4)
			put_be32(p, words[i]);
	}
	return (ssize_t)n;
}

const char *rx_ack_reason_name(uint8_t reason)
{
	static const char *const names[] = {
	    [RX_ACK_REQUESTED] = "requested",
	    [RX_ACK_DUPLICATE] = "duplicate",
	    [RX_ACK_OUT_OF_SEQUENCE] = "out-of-sequence",
	    [RX_ACK_EXCEEDS_WINDOW] = "exceeds-window",
	    [RX_ACK_NOSPACE] = "no-space",
	    [RX_ACK_PING] = "ping",
	    [RX_ACK_PING_RESPONSE] = "ping-response",
	    [RX_ACK_DELAY] = "delay",
	    [RX_ACK_IDLE] = "idle",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "invalid";
}
