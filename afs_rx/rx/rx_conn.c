/*
 * afs_rx/rx/rx_conn.c: Rx connections: (epoch, cid) with four call channels,
 * one service id and one security class each.
 *
 * Client connections are ours: our endpoint's epoch, cids handed out in
 * steps of 4 (the low two bits are the channel), shared by calls to the
 * same peer, service and security object, a new connection when all four
 * channels are busy. Server connections are the peer's, found by its
 * epoch and cid (and address) and created by the first DATA packet of a
 * call to a registered service (OpenAFS rxi_FindConnection).
 *
 * Each channel remembers how its last call ended (for dead_call_expiry) so
 * that a straggler is answered with the final ACK or ABORT again, as Linux
 * conn->channels[] and OpenAFS's DALLY state do. Connection-level packets
 * (call number 0) are handled here: ABORT kills every call, CHALLENGE is
 * answered by the security class (rxnull cannot: that is a protocol
 * error, as in Linux insecure.c).
 */
#include "config.h"

#include "rx_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint32_t rx_conn_next_serial(struct rx_conn *conn, uint32_t n)
{
	uint32_t s = conn->serial;

	conn->serial += n;
	if (conn->serial < s) /* wrapped: serial 0 means "none" in ACKs */
		conn->serial = n + 1, s = 1;
	return s;
}

void rx_conn_fill_header(const struct rx_conn *conn, unsigned channel, uint32_t call_number, struct rx_header *h)
{
	memset(h, 0, sizeof(*h));
	h->epoch = conn->epoch;
	h->cid = conn->cid | channel;
	h->call_number = call_number;
	h->service_id = conn->service_id;
	h->security_index = conn->sec->ops->index;
	h->flags = conn->client ? RX_CLIENT_INITIATED : 0;
}

static struct rx_conn *conn_new(struct rx_endpoint *ep, struct rx_peer *peer, bool client, uint32_t epoch, uint32_t cid,
				uint16_t service_id, const struct rx_security *sec, int *err)
{
	struct rx_conn *c = calloc(1, sizeof(*c));
	struct rx_conn_info ci = {.epoch = epoch, .cid = cid, .service_id = service_id, .client = client};

	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->ep = ep;
	c->peer = peer;
	c->client = client;
	c->epoch = epoch;
	c->cid = cid;
	c->service_id = service_id;
	c->sec = sec;
	c->serial = 1;
	c->last_used_ns = evloop_now_ns();
	if (sec->ops->conn_init) {
		int r = sec->ops->conn_init(sec->priv, &ci, &c->sec_conn);

		if (r) {
			free(c);
			*err = r;
			return NULL;
		}
	}
	peer->nconns++;
	c->next = ep->conns;
	ep->conns = c;
	return c;
}

struct rx_conn *rx_conn_client_get(struct rx_endpoint *ep, struct rx_peer *peer, uint16_t service_id,
				   const struct rx_security *sec, unsigned *channel, int *err)
{
	uint64_t now = evloop_now_ns();
	struct rx_conn *c;
	uint32_t cid;

	for (c = ep->conns; c; c = c->next) {
		if (!c->client || c->dead || c->peer != peer || c->service_id != service_id || c->sec != sec)
			continue;
		for (unsigned ch = 0; ch < RX_MAXCALLS; ch++) {
			if (c->calls[ch] || c->busy_until[ch] > now)
				continue;
			*channel = ch;
			return c;
		}
	}
	cid = ep->next_cid;
	ep->next_cid = rx_cid_next(cid);
	c = conn_new(ep, peer, true, ep->epoch, cid, service_id, sec, err);
	if (c)
		*channel = 0;
	return c;
}

/* The port of an IPv4 or IPv6 address (network order), or -1. */
static int addr_port(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)a)->sin_port;
	if (a->ss_family == AF_INET6)
		return ((const struct sockaddr_in6 *)(const void *)a)->sin6_port;
	return -1;
}

/* A server with several addresses answers from whichever its kernel
 * chooses (a call to 127.1.0.1 is answered from 127.0.0.1): our epoch and
 * cid name the connection, and the port must be the peer's (OpenAFS's
 * rxi_FindConnection takes a client connection's packets so). Dropping
 * them would leave the call unanswered, and a fileserver that checks our
 * reachability before running it (its PING wants our PING_RESPONSE) would
 * hold it for ever. */
struct rx_conn *rx_conn_client_find(struct rx_endpoint *ep, uint32_t epoch, uint32_t cid,
				    const struct sockaddr_storage *from)
{
	if (epoch != ep->epoch)
		return NULL;
	cid = rx_cid_conn(cid);
	for (struct rx_conn *c = ep->conns; c; c = c->next)
		if (c->client && c->cid == cid)
			return c->peer->addr.ss_family == from->ss_family &&
				       addr_port(&c->peer->addr) == addr_port(from)
				   ? c
				   : NULL;
	return NULL;
}

struct rx_conn *rx_conn_server_find(struct rx_endpoint *ep, struct rx_peer *peer, uint32_t epoch, uint32_t cid,
				    uint16_t service_id, uint8_t security_index, bool create,
				    const struct rx_security *sec)
{
	int err;

	cid = rx_cid_conn(cid);
	for (struct rx_conn *c = ep->conns; c; c = c->next)
		if (!c->client && c->peer == peer && c->epoch == epoch && c->cid == cid)
			return c->service_id == service_id && c->sec->ops->index == security_index ? c : NULL;
	if (!create || !sec)
		return NULL;
	return conn_new(ep, peer, false, epoch, cid, service_id, sec, &err);
}

void rx_conn_abort(struct rx_conn *conn, int32_t code, bool send)
{
	conn->dead = true;
	conn->abort_code = code;
	for (unsigned ch = 0; ch < RX_MAXCALLS; ch++) {
		struct rx_call *c = conn->calls[ch];

		if (c)
			rx_call_fail(c, rx_abort_errno(code), code, !send, false);
	}
	if (send) {
		struct rx_header h;
		uint8_t body[RX_ABORT_LEN];

		rx_conn_fill_header(conn, 0, 0, &h);
		h.type = RX_PACKET_TYPE_ABORT;
		h.serial = rx_conn_next_serial(conn, 1);
		rx_abort_encode(code, body);
		conn->ep->st.aborts_out++;
		rx_ep_send_packet(conn->ep, &conn->peer->addr, conn->peer->alen, &h, body, sizeof(body));
	}
}

void rx_conn_input(struct rx_conn *conn, const struct rx_header *h, const uint8_t *body, size_t len)
{
	struct rx_conn_info ci = {
	    .epoch = conn->epoch, .cid = conn->cid, .service_id = conn->service_id, .client = conn->client};
	const struct rx_security_ops *ops = conn->sec->ops;
	int32_t code;

	switch (h->type) {
	case RX_PACKET_TYPE_ABORT:
		conn->ep->st.aborts_in++;
		if (rx_abort_decode(body, len, &code) == 0)
			rx_conn_abort(conn, code, false);
		break;
	case RX_PACKET_TYPE_CHALLENGE:
		if (!conn->client)
			break;
		if (!ops->respond) {
			rx_conn_abort(conn, RX_PROTOCOL_ERROR, true);
			break;
		} else {
			struct wire_enc e;
			struct rx_header r;

			wire_enc_init(&e);
			code = ops->respond(conn->sec->priv, conn->sec_conn, &ci, body, len, &e);
			if (!code && wire_enc_error(&e))
				code = RX_CALL_DEAD;
			if (code) {
				wire_enc_free(&e);
				rx_conn_abort(conn, code, true);
				break;
			}
			rx_conn_fill_header(conn, 0, 0, &r);
			r.type = RX_PACKET_TYPE_RESPONSE;
			r.serial = rx_conn_next_serial(conn, 1);
			rx_ep_send_packet(conn->ep, &conn->peer->addr, conn->peer->alen, &r, e.buf, e.len);
			wire_enc_free(&e);
		}
		break;
	case RX_PACKET_TYPE_RESPONSE:
		if (conn->client || !ops->verify_response)
			break;
		code = ops->verify_response(conn->sec->priv, conn->sec_conn, &ci, body, len);
		if (code)
			rx_conn_abort(conn, code, true);
		break;
	default:
		break;
	}
}

void rx_conn_answer_final(struct rx_conn *conn, const struct rx_header *h)
{
	unsigned ch = rx_cid_channel(h->cid);
	struct rx_chan_final *f = &conn->final[ch];
	struct rx_header r;

	if (f->call_number != h->call_number || evloop_now_ns() >= f->until)
		return;
	if (f->type == RX_PACKET_TYPE_ABORT && h->type != RX_PACKET_TYPE_ABORT) {
		uint8_t body[RX_ABORT_LEN];

		rx_conn_fill_header(conn, ch, h->call_number, &r);
		r.type = RX_PACKET_TYPE_ABORT;
		r.serial = rx_conn_next_serial(conn, 1);
		rx_abort_encode(f->abort_code, body);
		conn->ep->st.aborts_out++;
		rx_ep_send_packet(conn->ep, &conn->peer->addr, conn->peer->alen, &r, body, sizeof(body));
	} else if (f->type == RX_PACKET_TYPE_ACK && h->type == RX_PACKET_TYPE_DATA) {
		/* Everything of the peer's arrived: a retransmission means our
		 * final ACK was lost. */
		struct rx_ack a = {.first_packet = f->last_seq + 1,
				   .previous_packet = f->last_seq,
				   .serial = h->serial,
				   .reason = RX_ACK_DUPLICATE,
				   .ntrailer = RX_ACK_TRAILER_WORDS,
				   .max_mtu = conn->ep->tun.rx_mtu,
				   .if_mtu = RX_IF_MTU,
				   .rwind = conn->ep->tun.rx_window,
				   .jumbo_max = conn->ep->tun.rx_jumbo_max};
		uint8_t body[RX_ACK_HEADER_LEN + RX_ACK_PAD_LEN + 4 * RX_ACK_TRAILER_WORDS];
		ssize_t n = rx_ack_encode(&a, body, sizeof(body));

		if (n < 0)
			return;
		rx_conn_fill_header(conn, ch, h->call_number, &r);
		r.type = RX_PACKET_TYPE_ACK;
		r.flags |= RX_SLOW_START_OK;
		r.serial = rx_conn_next_serial(conn, 1);
		conn->ep->st.acks_out++;
		rx_ep_send_packet(conn->ep, &conn->peer->addr, conn->peer->alen, &r, body, (size_t)n);
	}
}

void rx_conn_free(struct rx_conn *conn)
{
	struct rx_endpoint *ep = conn->ep;

	for (struct rx_conn **pp = &ep->conns; *pp; pp = &(*pp)->next)
		if (*pp == conn) {
			*pp = conn->next;
			break;
		}
	if (conn->sec->ops->conn_free)
		conn->sec->ops->conn_free(conn->sec->priv, conn->sec_conn);
	conn->peer->nconns--;
	conn->peer->last_used_ns = evloop_now_ns();
	free(conn);
}

void rx_conn_reap(struct rx_endpoint *ep, uint64_t now)
{
	struct rx_conn *c = ep->conns, *next;

	for (; c; c = next) {
		bool busy = false;

		next = c->next;
		for (unsigned ch = 0; ch < RX_MAXCALLS; ch++)
			if (c->calls[ch])
				busy = true;
		if (busy)
			continue;
		if (c->dead || now - c->last_used_ns >= rx_ms(ep->tun.connection_expiry_ms))
			rx_conn_free(c);
	}
}
