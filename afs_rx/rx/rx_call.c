/*
 * afs_rx/rx/rx_call.c: one Rx call's packets: DATA in (reassembly into the
 * receive window, jumbograms split), ACKs out (when and what), ACKs in
 * (hard and soft acknowledgements, RTT samples, the peer's window and
 * jumbo limit), DATA out (congestion and flow control, retransmission,
 * jumbograms), PING/PING_RESPONSE, ABORT, BUSY, ACKALL, and the call's one
 * timer, which serves the delayed ACK, retransmission, keepalive, dead
 * peer and deadline. Runs on the loop thread with the endpoint lock held
 * (rx_internal.h).
 *
 * Behaviour from OpenAFS src/rx/rx.c (rxi_ReceiveDataPacket,
 * rxi_ReceiveAckPacket, rxi_SendAck, rxi_Start, rxi_Resend,
 * rxi_KeepAliveEvent) and Linux net/rxrpc (input.c, call_event.c,
 * output.c); the arithmetic lives in rx_cc.c. Choices, each deliberate:
 *  - the ACK's firstPacket is the next packet expected in order (packets
 *    held but not yet read count against the advertised rwind instead, as
 *    Linux does), so the sender frees its buffers early;
 *  - an ACK goes out at once for REQUEST_ACK, a duplicate, a packet beyond
 *    the window, a gap, and every second new packet; a lone packet gets a
 *    DELAY ACK after soft_ack_delay; an ACK not followed by new data within
 *    two RTTs is said again (twice when it shows a gap), so a sender with a
 *    small window does not wait out its retransmission timer for a lost ACK;
 *  - a server call is complete once its whole reply is acknowledged, soft
 *    acknowledgement included (an OpenAFS client hard-acks only what its
 *    reader consumed, then ignores us);
 *  - every ACK carries SLOW_START_OK and the 4-word trailer (maxMTU,
 *    ifMTU, rwind, maxPackets), which OpenAFS reads as an AFS 3.5 peer;
 *  - a client sends its final ACK as soon as the reply is complete, and
 *    the channel remembers it to repeat it for a retransmitted packet;
 *  - packets we send carry 1412 data bytes at most, the jumbogram size,
 *    so any run of them can be glued into a jumbogram when the peer allows;
 *  - each burst asks for an ACK on its last packet (and every
 *    retransmission does), which feeds the RTT estimator.
 */
#include "config.h"

#include "rx_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#define TXMASK (RX_TXRING - 1)

static void call_timer_fire(struct evloop *l, struct evloop_timer *t, void *arg);
static void call_kick_run(struct evloop *l, struct evloop_work *w);

/* ---- life ----------------------------------------------------------------------------------------------- */

static void call_release(struct evloop_req *r);
static void call_cancel(struct evloop_req *r, int err);
static const struct evloop_req_ops call_req_ops = {call_cancel, call_release};

struct rx_call *rx_call_alloc(struct rx_endpoint *ep, struct rx_conn *conn, unsigned channel, uint32_t call_number,
			      bool client, uint64_t deadline_ns)
{
	struct rx_call *c = calloc(1, sizeof(*c));
	uint64_t now = evloop_now_ns();

	if (!c)
		return NULL;
	c->ep = ep;
	c->conn = conn;
	c->channel = channel;
	c->call_number = call_number;
	c->client = client;
	evloop_req_init(&c->req, ep->loop, &call_req_ops, &ep->lock, deadline_ns);
	evloop_req_get(&c->req); /* the creator's and the channel's */
	c->state = RX_CALL_ACTIVE;
	c->created_ns = c->last_rx_ns = now;
	c->tx_base = c->tx_next = c->tx_top = 1;
	c->tx_hdr = conn->sec->ops->header_len ? conn->sec->ops->header_len(conn->sec->priv, conn->sec_conn) : 0;
	rx_cc_init(&c->cc, RX_CC_INIT_CWND, ep->tun.tx_window_max);
	c->rwind = RX_INIT_RWIND < ep->tun.tx_window_max ? RX_INIT_RWIND : ep->tun.tx_window_max;
	c->jumbo_max = 1;
	c->max_mtu = RX_IF_MTU;
	rx_rwin_init(&c->rw, ep->tun.rx_window);
	c->adv_rwind = c->rw.window;
	evloop_timer_init(&c->timer, call_timer_fire, c);
	evloop_work_init(&c->kick, call_kick_run);

	c->attached = true;
	conn->calls[channel] = c;
	conn->last_used_ns = now;
	conn->peer->last_used_ns = now;
	c->ep_next = ep->calls;
	if (ep->calls)
		ep->calls->ep_pprev = &c->ep_next;
	c->ep_pprev = &ep->calls;
	ep->calls = c;
	return c;
}

static void call_release(struct evloop_req *r)
{
	struct rx_call *c = (struct rx_call *)r;

	*c->ep_pprev = c->ep_next;
	if (c->ep_next)
		c->ep_next->ep_pprev = c->ep_pprev;
	for (unsigned i = 0; i < RX_TXRING; i++)
		free(c->tx[i]);
	free(c->tx_cur);
	for (unsigned i = 0; i < RX_RXRING; i++)
		free(c->rx[i]);
	free(c);
}

/* A cancel (the user's token fired, or its wait reached the deadline)
 * that did not find the call failed already: abort it, telling the peer
 * when it has heard of the call. */
static void call_cancel(struct evloop_req *r, int err)
{
	struct rx_call *c = (struct rx_call *)r;

	rx_call_fail(c, err, err == -ETIMEDOUT ? RX_CALL_TIMEOUT : RX_USER_ABORT, false, c->last_tx_ns || c->heard);
}

void rx_call_get(struct rx_call *call)
{
	evloop_req_get(&call->req);
}

void rx_call_put(struct rx_call *call)
{
	evloop_req_put(&call->req);
}

void rx_call_detach(struct rx_call *call)
{
	struct rx_conn *conn = call->conn;
	struct rx_chan_final *f = &conn->final[call->channel];
	uint64_t now = evloop_now_ns();

	if (!call->attached)
		return;
	conn->calls[call->channel] = NULL;
	conn->last_used_ns = now;
	conn->peer->last_used_ns = now;
	memset(f, 0, sizeof(*f));
	f->call_number = call->call_number;
	f->until = now + rx_ms(call->ep->tun.dead_call_expiry_ms);
	if (call->state == RX_CALL_COMPLETE) {
		f->type = RX_PACKET_TYPE_ACK;
		f->last_seq = call->rw.last;
	} else if (call->state == RX_CALL_FAILED && !call->remote_abort && call->abort_code) {
		f->type = RX_PACKET_TYPE_ABORT;
		f->abort_code = call->abort_code;
	}
	call->attached = false;
	rx_call_put(call);
}

/* ---- sending helpers ------------------------------------------------------------------------------------- */

static void call_header(const struct rx_call *call, uint8_t type, struct rx_header *h)
{
	rx_conn_fill_header(call->conn, call->channel, call->call_number, h);
	h->type = type;
}

static int call_send(struct rx_call *call, const struct rx_header *h, const void *body, size_t len)
{
	struct rx_peer *p = call->conn->peer;

	return rx_ep_send_packet(call->ep, &p->addr, p->alen, h, body, len);
}

static void send_abort(struct rx_call *call, int32_t code)
{
	struct rx_header h;
	uint8_t body[RX_ABORT_LEN];

	call_header(call, RX_PACKET_TYPE_ABORT, &h);
	h.serial = rx_conn_next_serial(call->conn, 1);
	rx_abort_encode(code, body);
	call->ep->st.aborts_out++;
	call_send(call, &h, body, sizeof(body));
}

/* Twice the RTT to the peer, within [5, 200] ms (50 ms before a sample). */
static uint64_t ack_repeat_delay(const struct rx_call *call)
{
	const struct rx_rtt *r = &call->conn->peer->rtt;
	uint64_t d = r->samples ? 2 * r->srtt_ns : 50 * EVLOOP_NS_PER_MS;

	if (d < 5 * EVLOOP_NS_PER_MS)
		d = 5 * EVLOOP_NS_PER_MS;
	if (d > 200 * EVLOOP_NS_PER_MS)
		d = 200 * EVLOOP_NS_PER_MS;
	return d;
}

/* An ACK of what we received. @ping asks the peer to answer (PING). */
static void send_ack(struct rx_call *call, uint8_t reason, uint32_t serial, bool ping)
{
	struct rx_endpoint *ep = call->ep;
	struct rx_ack a;
	struct rx_header h;
	uint8_t body[RX_ACK_HEADER_LEN + RX_MAXACKS + RX_ACK_PAD_LEN + 4 * RX_ACK_TRAILER_WORDS];
	ssize_t n;

	memset(&a, 0, sizeof(a));
	a.first_packet = call->rw.hard;
	a.previous_packet = call->rw.top - 1;
	a.serial = serial;
	a.reason = reason;
	a.nacks = (uint8_t)rx_rwin_soft_acks(&call->rw, a.acks);
	a.ntrailer = RX_ACK_TRAILER_WORDS;
	a.max_mtu = ep->tun.rx_mtu;
	a.if_mtu = RX_IF_MTU;
	/*
	 * Once everything of the peer's has arrived, packets the reader has
	 * not yet taken hold no window: nothing more comes on this call. Say
	 * the whole window then, because OpenAFS keeps the rwind of a call's
	 * last ACK as the send window of the next call on the channel
	 * (conn->twind[channel], rx.c rxi_ReceiveAckPacket and
	 * rxi_ResetCall): a final ACK saying 1 left the next FetchData64 on
	 * the channel unsent until our keepalive PING, 2 s later.
	 */
	a.rwind = call->rx_done ? call->rw.window : rx_rwin_advertise(&call->rw);
	a.jumbo_max = ep->tun.rx_jumbo_max;
	n = rx_ack_encode(&a, body, sizeof(body));
	if (n < 0)
		return;
	call_header(call, RX_PACKET_TYPE_ACK, &h);
	h.flags |= RX_SLOW_START_OK | (ping ? RX_REQUEST_ACK : 0);
	h.serial = rx_conn_next_serial(call->conn, 1);
	if (ping) {
		/* The PING_RESPONSE echoes this serial: an RTT sample. */
		call->probes[call->probe_i].serial = h.serial;
		call->probes[call->probe_i].at = evloop_now_ns();
		call->probe_i = (call->probe_i + 1) % RX_RTT_PROBES;
		call->last_ping_ns = evloop_now_ns();
	}
	ep->st.acks_out++;
	call_send(call, &h, body, (size_t)n);
	if (reason != RX_ACK_PING_RESPONSE && reason != RX_ACK_PING) {
		call->rx_unacked = 0;
		call->ack_reason = 0;
		call->want_idle_ack = false;
		/*
		 * Should this ACK be lost while the sender waits for it (an
		 * OpenAFS sender with a small window asks for an ACK and sends
		 * nothing more), the sender would sit out its retransmission
		 * timeout: say it again if no new packet follows soon. With a
		 * gap, say it twice more: OpenAFS retransmits at once after three
		 * ACKs that show a hole (rx_nackThreshold), like TCP's duplicate
		 * ACKs, where a window too small for three later packets would
		 * otherwise always wait for its timer.
		 */
		if (!call->rx_done && reason != RX_ACK_DELAY &&
		    call->ack_repeats < (call->rw.top > call->rw.hard ? 2 : 1))
			call->ack_repeat_at = evloop_now_ns() + ack_repeat_delay(call);
		else
			call->ack_repeat_at = 0;
	}
	call->adv_rwind = a.rwind;
}

/* Hold @call's ACK or wake-up for the end of the batch being received. */
static void batch_join(struct rx_call *call)
{
	if (call->in_batch)
		return;
	call->in_batch = true;
	rx_call_get(call); /* the batch's */
	call->batch_next = call->ep->batch;
	call->ep->batch = call;
}

/* An ACK that says more than that the window moved: a sender acts on these
 * reasons (a gap, a duplicate, a packet past the window). */
static bool ack_urgent(uint8_t reason)
{
	return reason == RX_ACK_OUT_OF_SEQUENCE || reason == RX_ACK_DUPLICATE || reason == RX_ACK_EXCEEDS_WINDOW;
}

/* Wake the reader: now, or at the end of the batch being received. */
static void wake_reader(struct rx_call *call)
{
	if (call->ep->receiving) {
		call->batch_wake = true;
		batch_join(call);
		return;
	}
	evloop_req_wake(&call->req);
}

/* Ask for an ACK now (@delay 0; at the end of the batch being received, as
 * one ACK for all its packets, keeping the reason a sender acts on) or
 * within @delay ns; keep the more urgent of what is pending. */
static void propose_ack(struct rx_call *call, uint8_t reason, uint64_t delay, uint64_t now)
{
	if (delay == 0 && call->ep->receiving) {
		if (!call->batch_ack_reason || (ack_urgent(reason) && !ack_urgent(call->batch_ack_reason)))
			call->batch_ack_reason = reason;
		batch_join(call);
		return;
	}
	if (delay == 0) {
		send_ack(call, reason, call->rx_serial, false);
		return;
	}
	if (!call->ack_reason || now + delay < call->ack_at) {
		call->ack_at = now + delay;
		call->ack_reason = reason;
	}
}

/* ---- failure and completion -------------------------------------------------------------------------------- */

void rx_call_fail(struct rx_call *call, int err, int32_t code, bool remote, bool send)
{
	if (call->state != RX_CALL_ACTIVE)
		return;
	call->state = RX_CALL_FAILED;
	call->err = err;
	call->abort_code = code;
	call->remote_abort = remote;
	if (send && code)
		send_abort(call, code);
	rx_call_detach(call);
	evloop_req_complete(&call->req, err);
	rx_call_kick(call); /* the loop drops the timer */
}

static void call_complete(struct rx_call *call)
{
	if (call->state != RX_CALL_ACTIVE)
		return;
	call->state = RX_CALL_COMPLETE;
	rx_peer_call_succeeded(call->conn->peer);
	rx_call_detach(call);
	evloop_req_complete(&call->req, 0);
}

/* Every packet we queued was received by the peer (a client's request is
 * implicitly acknowledged by the first reply packet, OpenAFS
 * rxi_AckAllInTransmitQueue; ACKALL says so explicitly). */
static void tx_ack_all(struct rx_call *call)
{
	for (uint32_t s = call->tx_base; s < call->tx_next; s++) {
		free(call->tx[s & TXMASK]);
		call->tx[s & TXMASK] = NULL;
		memset(&call->txs[s & TXMASK], 0, sizeof(call->txs[0]));
	}
	call->tx_base = call->tx_next;
	if (call->tx_done && call->tx_base == call->tx_top)
		call->tx_all_acked = true;
	evloop_req_wake(&call->req);
}

/* ---- DATA in ----------------------------------------------------------------------------------------------------- */

static int store_packet(struct rx_call *call, const struct rx_subpacket *sp)
{
	struct rx_conn *conn = call->conn;
	const struct rx_security_ops *ops = conn->sec->ops;
	struct rx_rxpkt *p = malloc(sizeof(*p) + sp->len);
	size_t off = 0, len = sp->len;

	if (!p)
		return -ENOMEM;
	if (sp->len)
		memcpy(p->buf, sp->data, sp->len);
	if (ops->verify_packet) {
		int32_t code = ops->verify_packet(conn->sec->priv, conn->sec_conn, &sp->hdr, p->buf, &off, &len);

		if (code) {
			free(p);
			return code;
		}
	}
	p->off = (uint16_t)off;
	p->len = (uint16_t)len;
	call->rx[sp->hdr.seq & (RX_RXRING - 1)] = p;
	return 0;
}

static void input_data(struct rx_call *call, const struct rx_header *h, const uint8_t *body, size_t len, uint64_t now)
{
	struct rx_endpoint *ep = call->ep;
	struct rx_subpacket sub[RX_JUMBO_MAX];
	size_t nsub;
	uint8_t reason = 0;
	bool new_in_order = false;

	/* New data: the sender heard from us, no need to repeat our ACK. */
	call->ack_repeat_at = 0;
	call->ack_repeats = 0;
	if (rx_jumbo_split(h, body, len, sub, RX_JUMBO_MAX, &nsub)) {
		rx_call_fail(call, -EPROTO, RX_PROTOCOL_ERROR, false, true);
		return;
	}
	if (nsub > 1)
		ep->st.jumbo_in++;
	for (size_t i = 0; i < nsub; i++) {
		const struct rx_subpacket *sp = &sub[i];
		enum rx_rwin_result r;

		ep->st.data_in++;
		if (sp->hdr.serial > call->rx_serial || !call->rx_serial)
			call->rx_serial = sp->hdr.serial;
		if (sp->len > UINT16_MAX) {
			rx_call_fail(call, -EPROTO, RX_PROTOCOL_ERROR, false, true);
			return;
		}
		r = rx_rwin_insert(&call->rw, sp->hdr.seq, sp->hdr.flags & RX_LAST_PACKET);
		switch (r) {
		case RX_RWIN_IN_ORDER:
		case RX_RWIN_OUT_OF_ORDER: {
			int32_t code = store_packet(call, sp);

			if (code) {
				rx_call_fail(call, code < 0 && code > -4096 ? code : -EPROTO,
					     code == -ENOMEM ? RX_CALL_DEAD : code, false, true);
				return;
			}
			call->rx_unacked++;
			if (r == RX_RWIN_IN_ORDER)
				new_in_order = true;
			else
				ep->st.out_of_order_in++;
			break;
		}
		case RX_RWIN_DUPLICATE:
			ep->st.dup_in++;
			reason = RX_ACK_DUPLICATE;
			break;
		case RX_RWIN_BEYOND:
			reason = RX_ACK_EXCEEDS_WINDOW;
			break;
		case RX_RWIN_BAD:
			rx_call_fail(call, -EPROTO, RX_PROTOCOL_ERROR, false, true);
			return;
		}
		if ((sp->hdr.flags & RX_REQUEST_ACK) && !reason)
			reason = RX_ACK_REQUESTED;
	}
	if (call->rw.top > call->rw.hard && (!reason || reason == RX_ACK_REQUESTED))
		reason = RX_ACK_OUT_OF_SEQUENCE; /* a gap: tell the sender at once */
	if (new_in_order)
		wake_reader(call);

	if (rx_rwin_all_received(&call->rw) && !call->rx_done) {
		call->rx_done = true;
		evloop_req_wake(&call->req);
		if (call->client) {
			/* The reply is complete: the request was received (and is
			 * acknowledged by the reply), so the call is over. The final
			 * ACK lets the server free its reply at once. */
			tx_ack_all(call);
			send_ack(call, RX_ACK_IDLE, call->rx_serial, false);
			call->final_ack_ns = now;
			call_complete(call);
			return;
		}
	}
	if (reason == RX_ACK_REQUESTED)
		propose_ack(call, reason, rx_ms(ep->tun.req_ack_delay_ms), now);
	else if (reason)
		propose_ack(call, reason, 0, now);
	else if (call->rx_unacked >= 2)
		propose_ack(call, RX_ACK_IDLE, 0, now);
	else if (call->rx_unacked)
		propose_ack(call, RX_ACK_DELAY, rx_ms(ep->tun.soft_ack_delay_ms), now);
}

/* ---- ACK in -------------------------------------------------------------------------------------------------------
 */

static void rtt_sample(struct rx_call *call, uint32_t serial, uint64_t now)
{
	struct rx_endpoint *ep = call->ep;
	struct rx_peer *p = call->conn->peer;

	if (!serial)
		return;
	for (unsigned i = 0; i < RX_RTT_PROBES; i++) {
		if (call->probes[i].serial != serial)
			continue;
		call->probes[i].serial = 0;
		rx_rtt_sample(&p->rtt, now - call->probes[i].at, rx_ms(ep->tun.min_rto_ms), rx_ms(ep->tun.max_rto_ms));
		ep->st.rtt_last_us = p->rtt.srtt_ns / 1000;
		ep->st.rto_last_us = p->rtt.rto_ns / 1000;
		return;
	}
}

static bool all_soft_acked(const struct rx_call *call)
{
	for (uint32_t s = call->tx_base; s < call->tx_top; s++)
		if (!call->txs[s & TXMASK].acked)
			return false;
	return true;
}

static void input_ack(struct rx_call *call, const struct rx_header *h, const uint8_t *body, size_t len, uint64_t now)
{
	struct rx_endpoint *ep = call->ep;
	struct rx_peer *p = call->conn->peer;
	struct rx_ack a;
	struct rx_ack_effect eff;
	uint32_t newly = 0, flight;
	uint64_t reorder;

	if (rx_ack_decode(body, len, &a)) {
		rx_call_fail(call, -EPROTO, RX_PROTOCOL_ERROR, false, true);
		return;
	}
	ep->st.acks_in++;
	if (h->flags & RX_REQUEST_ACK) {
		/* A PING (a new connection's reachability check, a keepalive):
		 * answer at once, echoing its serial (OpenAFS rxi_ReceivePacket). */
		send_ack(call, RX_ACK_PING_RESPONSE, h->serial, false);
		ep->st.pings_answered++;
	}
	call->peer_ss_ok = h->flags & RX_SLOW_START_OK;
	if (a.reason != RX_ACK_DELAY && a.reason != RX_ACK_PING)
		rtt_sample(call, a.serial, now);

	/* The trailer: OpenAFS reads rwind from 3 words on, maxPackets from 4. */
	if (a.ntrailer >= 1 && a.max_mtu >= RX_HEADER_LEN + RX_PKT_DATA)
		call->max_mtu = a.max_mtu;
	if (a.ntrailer >= 3) {
		uint32_t w = a.rwind ? a.rwind : 1;

		call->rwind = w < ep->tun.tx_window_max ? w : ep->tun.tx_window_max;
		call->jumbo_max = 1;
	}
	if (a.ntrailer >= 4) {
		uint32_t j = a.jumbo_max ? a.jumbo_max : 1;

		call->jumbo_max = j < RX_JUMBO_MAX ? j : RX_JUMBO_MAX;
	}

	if (a.first_packet < call->tx_base || a.first_packet > call->tx_next)
		return; /* stale (reordered), or about packets never sent: nothing to learn */

	for (uint32_t s = call->tx_base; s < a.first_packet; s++) {
		if (!call->txs[s & TXMASK].acked)
			newly++;
		free(call->tx[s & TXMASK]);
		call->tx[s & TXMASK] = NULL;
		memset(&call->txs[s & TXMASK], 0, sizeof(call->txs[0]));
	}
	call->tx_base = a.first_packet;

	/* A NACKed packet older than about one RTT is lost; a younger one may
	 * be a retransmission still on its way. */
	reorder = p->rtt.samples ? p->rtt.srtt_ns + p->rtt.srtt_ns / 4 : p->rtt.rto_ns;
	if (reorder > p->rtt.rto_ns)
		reorder = p->rtt.rto_ns;
	flight = rx_txslots_in_flight(call->txs, TXMASK, call->tx_base, call->tx_next);
	rx_txslots_apply_acks(call->txs, TXMASK, call->tx_base, call->tx_next, a.first_packet, a.acks, a.nacks, now,
			      reorder, &eff);
	newly += eff.newly_acked;
	if (eff.newly_lost)
		rx_cc_on_loss(&call->cc, flight, call->tx_next);
	rx_cc_on_ack(&call->cc, newly, a.first_packet);
	if (newly)
		evloop_req_wake(&call->req);

	if (call->tx_done && call->tx_base == call->tx_top) {
		call->tx_all_acked = true;
		if (!call->client && call->rx_done)
			call_complete(call); /* the reply arrived whole */
	} else if (!call->client && call->tx_done && call->rx_done && call->tx_next == call->tx_top &&
		   all_soft_acked(call)) {
		/* An OpenAFS client hard-acks a reply only as its reader consumes
		 * it and then goes quiet (DALLY: it ignores our pings): a reply
		 * the peer holds whole is as good as delivered. */
		call_complete(call);
	}
}

void rx_call_input(struct rx_call *call, const struct rx_header *h, uint8_t *body, size_t len, uint64_t now)
{
	struct rx_endpoint *ep = call->ep;
	int32_t code;

	if (call->state != RX_CALL_ACTIVE)
		return;
	rx_call_get(call);
	call->heard = true;
	call->last_rx_ns = now;
	switch (h->type) {
	case RX_PACKET_TYPE_DATA:
		if (call->client && call->tx_base < call->tx_next)
			tx_ack_all(call);
		input_data(call, h, body, len, now);
		break;
	case RX_PACKET_TYPE_ACK:
		input_ack(call, h, body, len, now);
		break;
	case RX_PACKET_TYPE_ABORT:
		rx_abort_decode(body, len, &code);
		ep->st.aborts_in++;
		/* Answers such as "no such volume" are the RPC's business
		 * (the protocol on top reads the raw code); Rx-level aborts
		 * say the transport or the server is in trouble. */
		if (rx_abort_name(code))
			rx_peer_health(call->conn->peer, HEALTH_IO_ERROR, rx_abort_errno(code),
				       "call aborted by the peer: %s (%d)", rx_abort_name(code), code);
		rx_call_fail(call, rx_abort_errno(code), code, true, false);
		break;
	case RX_PACKET_TYPE_BUSY:
		/* The channel is still busy with an earlier call on the server;
		 * retransmission carries on, and new calls avoid the channel. */
		ep->st.busy_in++;
		call->conn->busy_until[call->channel] = now + EVLOOP_NS_PER_S;
		rx_peer_busy(call->conn->peer, now);
		break;
	case RX_PACKET_TYPE_ACKALL:
		tx_ack_all(call);
		if (!call->client && call->tx_all_acked && call->rx_done)
			call_complete(call);
		break;
	default:
		break;
	}
	rx_call_service(call, now);
	rx_call_put(call);
}

/* ---- DATA out -------------------------------------------------------------------------------------------------------
 */

static int32_t secure(struct rx_call *call, uint32_t seq)
{
	struct rx_conn *conn = call->conn;
	const struct rx_security_ops *ops = conn->sec->ops;
	struct rx_txpkt *p = call->tx[seq & TXMASK];
	struct rx_header h;
	size_t len = p->len;
	int32_t code;

	if (p->secured || !ops->secure_packet) {
		p->secured = true;
		return 0;
	}
	call_header(call, RX_PACKET_TYPE_DATA, &h);
	h.seq = seq;
	h.flags |= p->flags;
	code = ops->secure_packet(conn->sec->priv, conn->sec_conn, &h, p->data, &len, sizeof(p->data));
	if (code)
		return code;
	p->len = (uint16_t)len;
	p->cksum = h.cksum;
	p->secured = true;
	return 0;
}

static void note_sent(struct rx_call *call, uint32_t seq, uint32_t serial, uint64_t now)
{
	struct rx_txslot *s = &call->txs[seq & TXMASK];

	s->seq = seq;
	s->sent_at = now;
	if (s->nsent < UINT8_MAX)
		s->nsent++;
	s->lost = false;
	call->probes[call->probe_i].serial = serial;
	call->probes[call->probe_i].at = now;
	call->probe_i = (call->probe_i + 1) % RX_RTT_PROBES;
}

/* Send @n consecutive packets from @seq in one datagram (a jumbogram when
 * n > 1). */
static int send_data(struct rx_call *call, uint32_t seq, unsigned n, bool request_ack, uint64_t now)
{
	struct rx_endpoint *ep = call->ep;
	struct rx_peer *peer = call->conn->peer;
	struct rx_header h;
	uint8_t hdr[RX_HEADER_LEN];
	uint32_t serial;
	int ret;

	for (unsigned i = 0; i < n; i++) {
		int32_t code = secure(call, seq + i);

		if (code) {
			rx_call_fail(call, -EPROTO, code, false, true);
			return -EPROTO;
		}
	}
	call_header(call, RX_PACKET_TYPE_DATA, &h);
	h.seq = seq;
	serial = rx_conn_next_serial(call->conn, n);
	h.serial = serial;
	if (n == 1) {
		struct rx_txpkt *p = call->tx[seq & TXMASK];
		struct iovec iov[2];

		h.flags |= p->flags | (request_ack ? RX_REQUEST_ACK : 0);
		h.cksum = p->cksum;
		rx_header_encode(&h, hdr);
		iov[0] = (struct iovec){hdr, sizeof(hdr)};
		iov[1] = (struct iovec){p->data, p->len};
		ret = rx_ep_sendv(ep, &peer->addr, peer->alen, iov, p->len ? 2 : 1);
	} else {
		struct rx_jumbo_part parts[RX_JUMBO_MAX];
		uint8_t buf[RX_HEADER_LEN + RX_JUMBO_MAX * RX_JUMBO_SUBPKTLEN];
		ssize_t dlen;
		struct iovec iov;

		for (unsigned i = 0; i < n; i++) {
			struct rx_txpkt *p = call->tx[(seq + i) & TXMASK];

			/* Each subpacket's flags stand alone (OpenAFS copies the whole
			 * header flags into the jumbo header), CLIENT_INITIATED included. */
			parts[i] = (struct rx_jumbo_part){
			    .data = p->data, .len = p->len, .flags = (uint8_t)(p->flags | h.flags), .cksum = p->cksum};
		}
		if (request_ack)
			parts[n - 1].flags |= RX_REQUEST_ACK;
		dlen = rx_jumbo_build(&h, parts, n, buf, sizeof(buf));
		if (dlen < 0)
			return (int)dlen;
		iov = (struct iovec){buf, (size_t)dlen};
		ret = rx_ep_sendv(ep, &peer->addr, peer->alen, &iov, 1);
		ep->st.jumbo_out++;
	}
	for (unsigned i = 0; i < n; i++)
		note_sent(call, seq + i, serial + i, now);
	ep->st.data_out += n;
	if (!call->heard && call->last_tx_ns == 0)
		call->last_rx_ns = now; /* the dead-peer clock starts with our first packet */
	call->last_tx_ns = now;
	/* DATA going out carries no acknowledgement, but a pending delayed
	 * ACK can wait: the peer learns nothing new from it before our next
	 * packet. */
	return ret == -EAGAIN ? 0 : ret;
}

/* How many packets from @seq can go in one datagram. */
static unsigned jumbo_run(struct rx_call *call, uint32_t seq, uint32_t limit)
{
	unsigned max = call->jumbo_max;
	size_t dgram = RX_HEADER_LEN;
	unsigned n = 0;

	while (n < max && seq + n < limit) {
		struct rx_txpkt *p = call->tx[(seq + n) & TXMASK];
		size_t add = n ? RX_JUMBO_HEADERLEN + p->len : p->len;

		if (n && call->tx[(seq + n - 1) & TXMASK]->len != RX_JUMBO_DATALEN)
			break; /* only full packets may be followed by another */
		if (dgram + add > call->max_mtu)
			break;
		dgram += add;
		n++;
		if (p->flags & RX_LAST_PACKET)
			break;
	}
	return n ? n : 1;
}

static void transmit(struct rx_call *call, uint64_t now)
{
	struct rx_endpoint *ep = call->ep;
	uint32_t window_end, flight, budget;
	uint32_t limit;

	if (call->state != RX_CALL_ACTIVE || call->tx_base == call->tx_top)
		return;
	flight = rx_txslots_in_flight(call->txs, TXMASK, call->tx_base, call->tx_next);
	budget = call->cc.cwnd > flight ? call->cc.cwnd - flight : 0;

	/* Retransmissions first, one per datagram (OpenAFS never puts a
	 * retransmitted packet in a jumbogram), each asking for an ACK. */
	for (uint32_t s = call->tx_base; s < call->tx_next && budget; s++) {
		struct rx_txslot *t = &call->txs[s & TXMASK];

		if (!t->lost || t->acked)
			continue;
		if (send_data(call, s, 1, true, now) < 0 && call->state != RX_CALL_ACTIVE)
			return;
		ep->st.data_resent++;
		budget--;
	}

	window_end = call->tx_base + call->rwind;
	limit = call->tx_top < window_end ? call->tx_top : window_end;
	while (call->tx_next < limit && budget) {
		uint32_t end = limit - call->tx_next < budget ? limit : call->tx_next + budget;
		unsigned n = call->jumbo_max > 1 ? jumbo_run(call, call->tx_next, end) : 1;
		bool last_of_burst = call->tx_next + n >= end;

		if (send_data(call, call->tx_next, n, last_of_burst, now) < 0 && call->state != RX_CALL_ACTIVE)
			return;
		call->tx_next += n;
		budget -= n;
	}
}

/* ---- timers
 * ---------------------------------------------------------------------------------------------------------- */

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void arm_timer(struct rx_call *call, uint64_t when)
{
	struct evloop *l = call->ep->loop;

	if (when == UINT64_MAX) {
		if (evloop_timer_armed(&call->timer)) {
			evloop_timer_cancel(l, &call->timer);
			rx_call_put(call);
		}
		return;
	}
	if (evloop_timer_armed(&call->timer) && call->timer.when == when)
		return;
	if (!evloop_timer_armed(&call->timer))
		rx_call_get(call);
	if (evloop_timer_arm(l, &call->timer, when)) {
		/* No memory for the heap: try again at the next packet. */
		rx_call_put(call);
	}
}

void rx_call_service(struct rx_call *call, uint64_t now)
{
	struct rx_endpoint *ep = call->ep;
	struct rx_peer *p = call->conn->peer;
	uint64_t dead = rx_ms(ep->tun.dead_time_ms);
	uint64_t next = UINT64_MAX, t;
	bool sent_any = call->last_tx_ns != 0;

	if (call->state != RX_CALL_ACTIVE) {
		arm_timer(call, UINT64_MAX);
		return;
	}
	if (now >= call->req.deadline_ns) {
		rx_call_fail(call, -ETIMEDOUT, RX_CALL_TIMEOUT, false, sent_any || call->heard);
		arm_timer(call, UINT64_MAX);
		return;
	}
	if (sent_any && now - call->last_rx_ns >= dead) {
		if (call->client) /* a server we call, not a client calling us */
			rx_peer_lost(p, -ETIMEDOUT, call->heard ? "stopped answering" : "does not answer");
		rx_call_fail(call, -ETIMEDOUT, RX_CALL_DEAD, false, true);
		arm_timer(call, UINT64_MAX);
		return;
	}

	/* Retransmission timeout. */
	t = rx_txslots_next_timeout(call->txs, TXMASK, call->tx_base, call->tx_next, p->rtt.rto_ns);
	if (t <= now) {
		uint32_t flight = rx_txslots_in_flight(call->txs, TXMASK, call->tx_base, call->tx_next);

		if (rx_txslots_expire(call->txs, TXMASK, call->tx_base, call->tx_next, now, p->rtt.rto_ns)) {
			rx_cc_on_timeout(&call->cc, flight);
			rx_rtt_backoff(&p->rtt, rx_ms(ep->tun.max_rto_ms));
		}
	}
	transmit(call, now);
	if (call->state != RX_CALL_ACTIVE) {
		arm_timer(call, UINT64_MAX);
		return;
	}

	/* The reader reopened a window that had shrunk below half. */
	if (call->want_idle_ack) {
		call->want_idle_ack = false;
		propose_ack(call, RX_ACK_IDLE, rx_ms(ep->tun.idle_ack_delay_ms), now);
	}
	if (call->ack_reason && call->ack_at <= now)
		send_ack(call, call->ack_reason, call->rx_serial, false);
	if (call->ack_repeat_at && call->ack_repeat_at <= now) {
		call->ack_repeats++;
		call->ack_repeat_at = 0;
		send_ack(call, call->rw.top > call->rw.hard ? RX_ACK_OUT_OF_SEQUENCE : RX_ACK_IDLE, call->rx_serial,
			 false);
	}

	/* Keepalive: a PING after dead_time / 6 of silence from the peer. */
	if (sent_any || call->heard) {
		uint64_t quiet_since = call->last_rx_ns > call->last_ping_ns ? call->last_rx_ns : call->last_ping_ns;

		if (now - quiet_since >= dead / 6)
			send_ack(call, RX_ACK_PING, 0, true);
		quiet_since = call->last_rx_ns > call->last_ping_ns ? call->last_rx_ns : call->last_ping_ns;
		next = min64(next, quiet_since + dead / 6);
		next = min64(next, call->last_rx_ns + dead);
	}
	next = min64(next, call->req.deadline_ns);
	if (call->ack_reason)
		next = min64(next, call->ack_at);
	if (call->ack_repeat_at)
		next = min64(next, call->ack_repeat_at);
	next = min64(next, rx_txslots_next_timeout(call->txs, TXMASK, call->tx_base, call->tx_next, p->rtt.rto_ns));
	arm_timer(call, next);
}

static void call_timer_fire(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct rx_call *call = arg;
	struct rx_endpoint *ep = call->ep;

	(void)l;
	(void)t;
	pthread_mutex_lock(&ep->lock);
	/* The timer's reference is ours now; service may take a new one. */
	rx_call_service(call, evloop_now_ns());
	rx_call_put(call);
	pthread_mutex_unlock(&ep->lock);
}

static void call_kick_run(struct evloop *l, struct evloop_work *w)
{
	struct rx_call *call = (struct rx_call *)((char *)w - offsetof(struct rx_call, kick));
	struct rx_endpoint *ep = call->ep;

	(void)l;
	pthread_mutex_lock(&ep->lock);
	call->kick_ref = false;
	rx_call_service(call, evloop_now_ns());
	rx_call_put(call);
	pthread_mutex_unlock(&ep->lock);
}

void rx_call_kick(struct rx_call *call)
{
	if (call->kick_ref)
		return;
	call->kick_ref = true;
	rx_call_get(call);
	if (!evloop_work_queue(call->ep->loop, &call->kick)) {
		/* The loop is stopping: nothing will run it (the user still
		 * holds the call, so this is not the last reference). */
		call->kick_ref = false;
		rx_call_put(call);
	}
}

int rx_call_queue_cur(struct rx_call *call, bool last)
{
	struct rx_txpkt *p = call->tx_cur;
	uint32_t seq = call->tx_top;

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->len = (uint16_t)call->tx_hdr;
	}
	if (last)
		p->flags |= RX_LAST_PACKET;
	call->tx[seq & TXMASK] = p;
	memset(&call->txs[seq & TXMASK], 0, sizeof(call->txs[0]));
	call->txs[seq & TXMASK].seq = seq;
	call->tx_top++;
	call->tx_cur = NULL;
	return 0;
}

void rx_ep_batch_end(struct rx_endpoint *ep)
{
	ep->receiving = false;
	while (ep->batch) {
		struct rx_call *call = ep->batch;
		ep->batch = call->batch_next;
		call->in_batch = false;
		uint8_t reason = call->batch_ack_reason;
		call->batch_ack_reason = 0;
		/* A call that ended in the batch sent what it had to say. */
		if (reason && call->state == RX_CALL_ACTIVE) {
			send_ack(call, reason, call->rx_serial, false);
			/* The timer was set before this ACK: set it again, for
			 * the ACK's repeat should it be lost. */
			rx_call_service(call, evloop_now_ns());
		}
		if (call->batch_wake)
			evloop_req_wake(&call->req);
		call->batch_wake = false;
		rx_call_put(call);
	}
}
