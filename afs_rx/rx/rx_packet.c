/*
 * afs_rx/rx/rx_packet.c: the Rx wire header, its acceptance rules and the small
 * packet bodies (see rx_packet.h).
 *
 * Written for netfuse from the layouts in Linux net/rxrpc/protocol.h and
 * OpenAFS src/rx/rx_packet.[ch]; the acceptance rules follow Linux
 * net/rxrpc/io_thread.c (rxrpc_extract_header, rxrpc_input_packet), each one
 * cited where rx_header_check() is declared. No state is kept here: whether a
 * packet fits its connection or call is the transport's business.
 */
#include "config.h"

#include "rx_packet.h"
#include "rx_ack.h"
#include "net/wire.h"

#include <errno.h>
#include <string.h>

int rx_header_decode(const void *pkt, size_t len, struct rx_header *h)
{
	struct wire_dec d;
	struct rx_header t;

	wire_dec_init(&d, pkt, len);
	wire_dec_be32(&d, &t.epoch);
	wire_dec_be32(&d, &t.cid);
	wire_dec_be32(&d, &t.call_number);
	wire_dec_be32(&d, &t.seq);
	wire_dec_be32(&d, &t.serial);
	wire_dec_u8(&d, &t.type);
	wire_dec_u8(&d, &t.flags);
	wire_dec_u8(&d, &t.user_status);
	wire_dec_u8(&d, &t.security_index);
	wire_dec_be16(&d, &t.cksum);
	if (wire_dec_be16(&d, &t.service_id))
		return -EBADMSG;
	*h = t;
	return 0;
}

void rx_header_encode(const struct rx_header *h, uint8_t out[RX_HEADER_LEN])
{
	put_be32(out + 0, h->epoch);
	put_be32(out + 4, h->cid);
	put_be32(out + 8, h->call_number);
	put_be32(out + 12, h->seq);
	put_be32(out + 16, h->serial);
	out[20] = h->type;
	out[21] = h->flags;
	out[22] = h->user_status;
	out[23] = h->security_index;
	put_be16(out + 24, h->cksum);
	put_be16(out + 26, h->service_id);
}

ssize_t rx_packet_build(const struct rx_header *h, const void *payload, size_t payload_len, void *out, size_t outlen)
{
	uint8_t *o = out;

	if (outlen < RX_HEADER_LEN || payload_len > outlen - RX_HEADER_LEN)
		return -EMSGSIZE;
	rx_header_encode(h, o);
	if (payload_len)
		memcpy(o + RX_HEADER_LEN, payload, payload_len);
	return (ssize_t)(RX_HEADER_LEN + payload_len);
}

uint32_t rx_cid_next(uint32_t cid)
{
	cid = (cid & RX_CID_MASK) + RX_CID_INC;
	if (cid == 0)
		cid = RX_CID_INC;
	return cid;
}

static enum rx_verdict verdict(enum rx_verdict v, const char *reason, const char **why)
{
	if (why)
		*why = reason;
	return v;
}

enum rx_verdict rx_header_check(const struct rx_header *h, size_t payload_len, const char **why)
{
	if (why)
		*why = NULL;

	switch (h->type) {
	case RX_PACKET_TYPE_VERSION:
		if (!rx_to_server(h))
			return verdict(RX_DISCARD, "version packet to a client", why);
		return RX_ACCEPT; /* rxdebug sends serviceId 0 */

	case RX_PACKET_TYPE_BUSY:
		if (rx_to_server(h))
			return verdict(RX_DISCARD, "busy packet to a server", why);
		__attribute__((fallthrough)); /* BUSY belongs to a call too */
	case RX_PACKET_TYPE_ACKALL:
		if (h->call_number == 0)
			return verdict(RX_REJECT, "call-level packet with call number 0", why);
		break;

	case RX_PACKET_TYPE_ACK:
		if (h->call_number == 0)
			return verdict(RX_REJECT, "call-level packet with call number 0", why);
		if (payload_len < RX_ACK_HEADER_LEN)
			return verdict(RX_REJECT, "ack shorter than 18 bytes", why);
		break;

	case RX_PACKET_TYPE_ABORT:
		if (payload_len < RX_ABORT_LEN)
			return verdict(RX_DISCARD, "abort without a code", why);
		break;

	case RX_PACKET_TYPE_DATA:
		if (h->call_number == 0)
			return verdict(RX_REJECT, "call-level packet with call number 0", why);
		if (h->seq == 0)
			return verdict(RX_REJECT, "data packet with sequence 0", why);
		break;

	case RX_PACKET_TYPE_CHALLENGE:
		if (rx_to_server(h))
			return verdict(RX_DISCARD, "challenge to a server", why);
		break;

	case RX_PACKET_TYPE_RESPONSE:
		if (!rx_to_server(h))
			return verdict(RX_DISCARD, "response to a client", why);
		break;

	case RX_PACKET_TYPE_DEBUG:
		return verdict(RX_DISCARD, "debug packet (rxdebug is not served)", why);

	case RX_PACKET_TYPE_PARAMS:
	case 10:
	case 11:
		return verdict(RX_DISCARD, "ignored packet type", why);

	default:
		return verdict(RX_REJECT, "unknown packet type", why);
	}

	if (h->service_id == 0)
		return verdict(RX_REJECT, "service id 0", why);
	return RX_ACCEPT;
}

const char *rx_packet_type_name(uint8_t type)
{
	static const char *const names[] = {
	    [RX_PACKET_TYPE_DATA] = "data",	    [RX_PACKET_TYPE_ACK] = "ack",
	    [RX_PACKET_TYPE_BUSY] = "busy",	    [RX_PACKET_TYPE_ABORT] = "abort",
	    [RX_PACKET_TYPE_ACKALL] = "ackall",	    [RX_PACKET_TYPE_CHALLENGE] = "challenge",
	    [RX_PACKET_TYPE_RESPONSE] = "response", [RX_PACKET_TYPE_DEBUG] = "debug",
	    [RX_PACKET_TYPE_PARAMS] = "params",	    [RX_PACKET_TYPE_VERSION] = "version",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

int rx_abort_decode(const void *payload, size_t len, int32_t *code)
{
	if (len < RX_ABORT_LEN)
		return -EBADMSG;
	*code = (int32_t)get_be32(payload);
	return 0;
}

static const struct {
	int32_t code;
	int err;
	const char *name;
} rx_aborts[] = {
    {RX_CALL_DEAD, ETIMEDOUT, "RX_CALL_DEAD"},	      {RX_INVALID_OPERATION, EINVAL, "RX_INVALID_OPERATION"},
    {RX_CALL_TIMEOUT, ETIMEDOUT, "RX_CALL_TIMEOUT"},  {RX_EOF, EIO, "RX_EOF"},
    {RX_PROTOCOL_ERROR, EPROTO, "RX_PROTOCOL_ERROR"}, {RX_USER_ABORT, ECONNABORTED, "RX_USER_ABORT"},
    {RX_ADDRINUSE, EADDRINUSE, "RX_ADDRINUSE"},	      {RX_MSGSIZE, EMSGSIZE, "RX_MSGSIZE"},
    {RX_RESTARTING, EREMOTEIO, "RX_RESTARTING"},
};

int rx_abort_errno(int32_t code)
{
	for (size_t i = 0; i < sizeof(rx_aborts) / sizeof(rx_aborts[0]); i++)
		if (rx_aborts[i].code == code)
			return -rx_aborts[i].err;
	return -EREMOTEIO;
}

const char *rx_abort_name(int32_t code)
{
	for (size_t i = 0; i < sizeof(rx_aborts) / sizeof(rx_aborts[0]); i++)
		if (rx_aborts[i].code == code)
			return rx_aborts[i].name;
	return NULL;
}

void rx_abort_encode(int32_t code, uint8_t out[RX_ABORT_LEN])
{
	put_be32(out, (uint32_t)code);
}

bool rx_version_is_request(const struct rx_header *h, const void *payload, size_t len)
{
	return h->type == RX_PACKET_TYPE_VERSION && rx_to_server(h) && len >= 1 && ((const uint8_t *)payload)[0] == 0;
}

void rx_version_reply_encode(const char *version, uint8_t out[RX_VERSION_REPLY_LEN])
{
	size_t n = strnlen(version, RX_VERSION_REPLY_LEN - 1);

	memset(out, 0, RX_VERSION_REPLY_LEN);
	memcpy(out, version, n);
}

void rx_version_reply_decode(const void *payload, size_t len, char out[RX_VERSION_REPLY_LEN + 1])
{
	const uint8_t *p = payload;
	size_t i;

	if (len > RX_VERSION_REPLY_LEN)
		len = RX_VERSION_REPLY_LEN;
	for (i = 0; i < len && p[i]; i++)
		out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[i] = '\0';
}

int rxkad_challenge_decode(const void *payload, size_t len, struct rxkad_challenge *c)
{
	const uint8_t *p = payload;

	if (len > RXKAD_CHALLENGE_OLD_LEN) {
		if (len < RXKAD_CHALLENGE_V2_LEN)
			return -EBADMSG;
		c->v2 = true;
		c->version = get_be32(p);
		c->nonce = get_be32(p + 4);
		c->min_level = get_be32(p + 8);
		return 0;
	}
	if (len < RXKAD_CHALLENGE_OLD_LEN)
		return -EBADMSG;
	c->v2 = false;
	c->version = 0;
	c->nonce = get_be32(p);
	c->min_level = get_be32(p + 4);
	return 0;
}

void rxkad_challenge_encode(uint32_t nonce, uint32_t min_level, uint8_t out[RXKAD_CHALLENGE_V2_LEN])
{
	put_be32(out, RXKAD_CHALLENGE_VERSION);
	put_be32(out + 4, nonce);
	put_be32(out + 8, min_level);
	put_be32(out + 12, 0);
}
