/*
 * Fuzz target: the Rx wire codec (afs_rx/rx/rx_packet.c, rx_ack.c, rx_jumbo.c).
 * The input is one UDP datagram. Its header is decoded, checked and
 * re-encoded; its body goes to the decoder its type names (ACK, DATA
 * jumbogram splitting, ABORT, CHALLENGE, VERSION). The whole input is also
 * fed to the ACK decoder and the jumbo splitter directly, so they are
 * exercised without a valid header in front. Whatever decodes must encode
 * back to the same bytes, up to what the format says is ignored (reserved
 * ACK bits, pad bytes, the jumbo header's spare byte).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "afs_rx/rx/rx_ack.h"
#include "afs_rx/rx/rx_jumbo.h"
#include "afs_rx/rx/rx_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ack(const uint8_t *p, size_t len)
{
	struct rx_ack a, b;
	uint8_t out[RX_ACK_HEADER_LEN + RX_MAXACKS + RX_ACK_PAD_LEN + 16], want[sizeof(out)];
	ssize_t n;

	if (rx_ack_decode(p, len, &a) != 0) {
		if (len >= RX_ACK_HEADER_LEN && p[17] <= len - RX_ACK_HEADER_LEN)
			abort(); /* refused a well-formed ACK */
		return;
	}
	if (len < RX_ACK_HEADER_LEN || a.nacks > len - RX_ACK_HEADER_LEN || a.ntrailer > 4)
		abort();
	for (unsigned i = 0; i < a.nacks; i++)
		if (a.acks[i] > 1)
			abort();
	n = rx_ack_encode(&a, out, sizeof(out));
	if (n < 0 || (size_t)n != rx_ack_encoded_len(&a) || (size_t)n > len)
		abort();
	memcpy(want, p, (size_t)n);
	for (unsigned i = 0; i < a.nacks; i++)
		want[RX_ACK_HEADER_LEN + i] &= 1;
	if (a.ntrailer)
		memset(want + RX_ACK_HEADER_LEN + a.nacks, 0, RX_ACK_PAD_LEN);
	if (memcmp(out, want, (size_t)n) != 0)
		abort();
	if (rx_ack_decode(out, (size_t)n, &b) != 0)
		abort();
	if (b.buffer_space != a.buffer_space || b.max_skew != a.max_skew || b.first_packet != a.first_packet ||
	    b.previous_packet != a.previous_packet || b.serial != a.serial || b.reason != a.reason ||
	    b.nacks != a.nacks || memcmp(b.acks, a.acks, a.nacks) != 0 || b.ntrailer != a.ntrailer ||
	    b.max_mtu != a.max_mtu || b.if_mtu != a.if_mtu || b.rwind != a.rwind || b.jumbo_max != a.jumbo_max)
		abort();
	(void)rx_ack_reason_name(a.reason);
}

static void check_jumbo(const struct rx_header *h, const uint8_t *p, size_t len)
{
	static struct rx_subpacket sp[RX_JUMBO_MAX];
	static struct rx_jumbo_part parts[RX_JUMBO_MAX];
	static uint8_t out[RX_HEADER_LEN + RX_JUMBO_MAX * RX_JUMBO_SUBPKTLEN + 65536], want[sizeof(out)];
	size_t n = 0, total = 0;
	ssize_t built;

	if (rx_jumbo_split(h, p, len, sp, RX_JUMBO_MAX, &n) != 0)
		return;
	if (n == 0 || n > RX_JUMBO_MAX)
		abort();
	for (size_t i = 0; i < n; i++) {
		bool last = i + 1 == n;

		if (sp[i].hdr.seq != h->seq + (uint32_t)i || sp[i].hdr.serial != h->serial + (uint32_t)i)
			abort();
		if (!!(sp[i].hdr.flags & RX_JUMBO_PACKET) == last)
			abort();
		if (!last && ((sp[i].hdr.flags & RX_LAST_PACKET) || sp[i].len != RX_JUMBO_DATALEN))
			abort();
		if (sp[i].data < p || sp[i].data + sp[i].len > p + len)
			abort();
		total += sp[i].len + (last ? 0 : RX_JUMBO_HEADERLEN);
		parts[i] = (struct rx_jumbo_part){sp[i].data, sp[i].len, sp[i].hdr.flags, sp[i].hdr.cksum};
	}
	if (total != len || sp[n - 1].data + sp[n - 1].len != p + len)
		abort();
	if (len > sizeof(out) - RX_HEADER_LEN)
		return;
	/* Rebuild: the same datagram, with the jumbo headers' spare bytes zeroed. */
	struct rx_header first = *h;
	built = rx_jumbo_build(&first, parts, n, out, sizeof(out));
	if (built < 0 || (size_t)built != RX_HEADER_LEN + len)
		abort();
	rx_header_encode(h, want);
	memcpy(want + RX_HEADER_LEN, p, len);
	for (size_t i = 0; i + 1 < n; i++)
		want[RX_HEADER_LEN + i * RX_JUMBO_SUBPKTLEN + RX_JUMBO_DATALEN + 1] = 0;
	if (memcmp(out, want, (size_t)built) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rx_header h;
	uint8_t enc[RX_HEADER_LEN];
	const char *why = NULL;
	enum rx_verdict v;

	check_ack(data, size);
	h = (struct rx_header){.type = RX_PACKET_TYPE_DATA, .flags = RX_JUMBO_PACKET, .seq = 0xfffffffe};
	check_jumbo(&h, data, size);

	if (rx_header_decode(data, size, &h) != 0) {
		if (size >= RX_HEADER_LEN)
			abort();
		return 0;
	}
	if (size < RX_HEADER_LEN)
		abort();
	rx_header_encode(&h, enc);
	if (memcmp(enc, data, RX_HEADER_LEN) != 0)
		abort();

	const uint8_t *p = data + RX_HEADER_LEN;
	size_t len = size - RX_HEADER_LEN;

	v = rx_header_check(&h, len, &why);
	if (v != RX_ACCEPT && v != RX_DISCARD && v != RX_REJECT)
		abort();
	if ((v == RX_ACCEPT) != (why == NULL))
		abort();
	(void)rx_packet_type_name(h.type);
	(void)rx_cid_channel(h.cid);

	switch (h.type) {
	case RX_PACKET_TYPE_ACK:
		check_ack(p, len);
		break;
	case RX_PACKET_TYPE_DATA:
		check_jumbo(&h, p, len);
		break;
	case RX_PACKET_TYPE_ABORT: {
		int32_t code;
		uint8_t out[RX_ABORT_LEN];

		if (rx_abort_decode(p, len, &code) != 0) {
			if (len >= RX_ABORT_LEN)
				abort();
			break;
		}
		rx_abort_encode(code, out);
		if (memcmp(out, p, RX_ABORT_LEN) != 0)
			abort();
		break;
	}
	case RX_PACKET_TYPE_CHALLENGE: {
		struct rxkad_challenge c;
		int ok = rxkad_challenge_decode(p, len, &c) == 0;

		if (ok != (len == RXKAD_CHALLENGE_OLD_LEN || len >= RXKAD_CHALLENGE_V2_LEN))
			abort();
		if (ok && c.v2 != (len > RXKAD_CHALLENGE_OLD_LEN))
			abort();
		break;
	}
	case RX_PACKET_TYPE_VERSION: {
		char s[RX_VERSION_REPLY_LEN + 1];

		(void)rx_version_is_request(&h, p, len);
		rx_version_reply_decode(p, len, s);
		for (const char *c = s; *c; c++)
			if (*c < 0x20 || *c == 0x7f)
				abort();
		if (strlen(s) > RX_VERSION_REPLY_LEN)
			abort();
		break;
	}
	default:
		break;
	}
	return 0;
}
