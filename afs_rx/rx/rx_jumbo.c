/*
 * afs_rx/rx/rx_jumbo.c: splitting and building jumbograms (see rx_jumbo.h).
 * Written for netfuse from OpenAFS src/rx/rx_packet.c (rxi_SplitJumboPacket,
 * rxi_SendPacketList) and Linux net/rxrpc/input.c (rxrpc_input_split_jumbo).
 *
 * Splitting validates the whole datagram before it fills @out, so a caller
 * never acts on the front of a jumbogram whose tail turns out to be bad.
 */
#include "config.h"

#include "rx_jumbo.h"
#include "net/wire.h"

#include <errno.h>
#include <string.h>

/* One pass that either counts (out == NULL) or fills. */
static int walk(const struct rx_header *h, const uint8_t *p, size_t len, struct rx_subpacket *out, size_t max,
		size_t *n)
{
	struct rx_header sh = *h;
	size_t count = 0;

	for (;;) {
		if (count == max)
			return -EBADMSG;
		if (!(sh.flags & RX_JUMBO_PACKET)) {
			if (out) {
				out[count].hdr = sh;
				out[count].data = p;
				out[count].len = len;
			}
			*n = count + 1;
			return 0;
		}
		if (len < RX_JUMBO_SUBPKTLEN || (sh.flags & RX_LAST_PACKET))
			return -EBADMSG;
		if (out) {
			out[count].hdr = sh;
			out[count].data = p;
			out[count].len = RX_JUMBO_DATALEN;
		}
		sh.flags = p[RX_JUMBO_DATALEN];
		sh.cksum = get_be16(p + RX_JUMBO_DATALEN + 2);
		sh.seq++;
		sh.serial++;
		sh.user_status = 0;
		p += RX_JUMBO_SUBPKTLEN;
		len -= RX_JUMBO_SUBPKTLEN;
		count++;
	}
}

int rx_jumbo_split(const struct rx_header *h, const void *payload, size_t len, struct rx_subpacket *out, size_t max,
		   size_t *n)
{
	size_t count;
	int ret;

	if (h->type != RX_PACKET_TYPE_DATA)
		return -EINVAL;
	ret = walk(h, payload, len, NULL, max, &count);
	if (ret)
		return ret;
	walk(h, payload, len, out, max, &count);
	*n = count;
	return 0;
}

ssize_t rx_jumbo_build(const struct rx_header *h, const struct rx_jumbo_part *parts, size_t n, void *out, size_t outlen)
{
	struct rx_header first = *h;
	uint8_t *p = out;
	size_t total;

	if (h->type != RX_PACKET_TYPE_DATA || n == 0 || n > RX_JUMBO_MAX)
		return -EINVAL;
	for (size_t i = 0; i + 1 < n; i++)
		if (parts[i].len != RX_JUMBO_DATALEN || (parts[i].flags & RX_LAST_PACKET))
			return -EINVAL;
	if (parts[n - 1].len > SIZE_MAX - RX_HEADER_LEN - (n - 1) * RX_JUMBO_SUBPKTLEN)
		return -EMSGSIZE;
	total = RX_HEADER_LEN + (n - 1) * RX_JUMBO_SUBPKTLEN + parts[n - 1].len;
	if (total > outlen)
		return -EMSGSIZE;

	first.flags = (uint8_t)(parts[0].flags & ~RX_JUMBO_PACKET) | (n > 1 ? RX_JUMBO_PACKET : 0);
	first.cksum = parts[0].cksum;
	rx_header_encode(&first, p);
	p += RX_HEADER_LEN;
	for (size_t i = 0; i < n; i++) {
		if (parts[i].len)
			memcpy(p, parts[i].data, parts[i].len);
		p += parts[i].len;
		if (i + 1 < n) {
			const struct rx_jumbo_part *next = &parts[i + 1];

			p[0] = (uint8_t)(next->flags & ~RX_JUMBO_PACKET) | (i + 2 < n ? RX_JUMBO_PACKET : 0);
			p[1] = 0;
			put_be16(p + 2, next->cksum);
			p += RX_JUMBO_HEADERLEN;
		}
	}
	return (ssize_t)total;
}
