/*
 * afs_rx/rx/rx_call_api.c: the blocking call API of rx_transport.h, used from
 * callers' threads (FUSE workers, test drivers) and from the server's
 * handler threads, one per incoming call.
 *
 * A caller takes the endpoint lock, changes its call (data queued, data
 * consumed), queues the call's kick so the loop thread transmits and
 * acknowledges, and waits on the call's request (evloop_req) until its
 * deadline or a cancel. The loop wakes it when data, window room,
 * completion or failure arrive; a cancel (the caller's token fired) wakes
 * it at once and the call is aborted with RX_USER_ABORT.
 * Nothing here touches the socket except a locally initiated ABORT, which
 * rx_call_fail sends at once (a sendmsg on a non-blocking UDP socket).
 */
#include "config.h"

#include "rx_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Wait on the call until woken, its deadline or a cancel; at the deadline
 * or a cancel the call fails here (the loop may not have got there yet).
 * Returns false once failed. */
static bool call_wait(struct rx_call *call)
{
	int e = evloop_req_wait_event(&call->req);

	if (e)
		rx_call_fail(call, e, e == -ETIMEDOUT ? RX_CALL_TIMEOUT : RX_USER_ABORT, false,
			     call->last_tx_ns || call->heard);
	return call->state != RX_CALL_FAILED;
}

struct rx_call *rx_call_begin(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len, uint16_t service_id,
			      const struct rx_security *sec, uint64_t deadline_ns, struct evloop_cancel *cancel,
			      int *err)
{
	struct sockaddr_storage ss;
	struct rx_peer *peer;
	struct rx_conn *conn;
	struct rx_call *call;
	uint64_t now = evloop_now_ns(), cap;
	unsigned ch;

	if (len > sizeof(ss) || (addr->sa_family != AF_INET && addr->sa_family != AF_INET6)) {
		*err = -EINVAL;
		return NULL;
	}
	if (!sec)
		sec = rx_security_null();
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, addr, len);
	pthread_mutex_lock(&ep->lock);
	if (ep->shutting_down) {
		pthread_mutex_unlock(&ep->lock);
		*err = -ESHUTDOWN;
		return NULL;
	}
	peer = rx_peer_find(ep, &ss, len, true);
	if (!peer) {
		pthread_mutex_unlock(&ep->lock);
		*err = -ENOMEM;
		return NULL;
	}
	rx_peer_name_server(peer, service_id);
	conn = rx_conn_client_get(ep, peer, service_id, sec, &ch, err);
	if (!conn) {
		pthread_mutex_unlock(&ep->lock);
		return NULL;
	}
	cap = now + rx_ms(ep->tun.max_call_lifetime_ms);
	call = rx_call_alloc(ep, conn, ch, conn->call_number[ch] + 1, true, deadline_ns < cap ? deadline_ns : cap);
	if (!call) {
		pthread_mutex_unlock(&ep->lock);
		*err = -ENOMEM;
		return NULL;
	}
	conn->call_number[ch]++;
	ep->st.calls_out++;
	pthread_mutex_unlock(&ep->lock);
	/* From here on, firing the caller's token aborts the call. */
	call->cancel = cancel;
	*err = evloop_cancel_attach(cancel, &call->req);
	if (*err) {
		rx_call_end(call, NULL);
		return NULL;
	}
	return call;
}

/* Room to queue one more packet. */
static bool tx_room(const struct rx_call *call)
{
	return call->tx_top - call->tx_next < call->ep->tun.tx_queue_max &&
	       call->tx_top - call->tx_base < RX_TXRING - 1;
}

static void window_update(struct rx_call *call);

static void discard_unread(struct rx_call *call)
{
	struct rx_rwin *w = &call->rw;
	bool any = false;

	while (w->base < w->hard) {
		free(call->rx[w->base & (RX_RXRING - 1)]);
		call->rx[w->base & (RX_RXRING - 1)] = NULL;
		rx_rwin_consume(w);
		any = true;
	}
	if (any)
		window_update(call);
}

int rx_call_send(struct rx_call *call, const void *data, size_t len, bool last)
{
	struct rx_endpoint *ep = call->ep;
	const uint8_t *p = data;
	int ret = 0;

	pthread_mutex_lock(&ep->lock);
	for (;;) {
		if (call->state == RX_CALL_FAILED) {
			ret = call->err;
			break;
		}
		if (call->tx_done || call->state != RX_CALL_ACTIVE) {
			ret = -EINVAL;
			break;
		}
		if (!call->client && !call->rx_done) {
			/* Rx calls are half-duplex: a client takes the first reply
			 * packet as the end of its request (OpenAFS
			 * rxi_AckAllInTransmitQueue), so the reply waits for the
			 * whole request to have arrived. What the handler left
			 * unread is dropped (OpenAFS does the same), or a large
			 * request would never fit the window. */
			discard_unread(call);
			call_wait(call);
			continue;
		}
		/* Fill the current packet; queue it only when more data follows,
		 * so the packet that ends up last can carry LAST_PACKET. */
		while (len) {
			size_t room, n;

			if (call->tx_cur && call->tx_cur->len == RX_PKT_DATA) {
				if (!tx_room(call))
					break;
				if ((ret = rx_call_queue_cur(call, false)))
					break;
			}
			if (!call->tx_cur) {
				call->tx_cur = calloc(1, sizeof(*call->tx_cur));
				if (!call->tx_cur) {
					ret = -ENOMEM;
					break;
				}
				call->tx_cur->len = (uint16_t)call->tx_hdr;
			}
			room = RX_PKT_DATA - call->tx_cur->len;
			n = len < room ? len : room;
			memcpy(call->tx_cur->data + call->tx_cur->len, p, n);
			call->tx_cur->len = (uint16_t)(call->tx_cur->len + n);
			p += n;
			len -= n;
		}
		if (ret)
			break;
		if (len) {
			/* The queue is full: let the loop send, and wait for ACKs
			 * (the next round reports a failure). */
			rx_call_kick(call);
			call_wait(call);
			continue;
		}
		if (last) {
			if (!tx_room(call)) {
				rx_call_kick(call);
				call_wait(call);
				continue;
			}
			ret = rx_call_queue_cur(call, true);
			if (!ret)
				call->tx_done = true;
		}
		rx_call_kick(call);
		break;
	}
	pthread_mutex_unlock(&ep->lock);
	return ret;
}

/*
 * The reader consumed packets. While data flows, the ACK sent every two
 * packets carries the new window; only a window that had shrunk below half
 * and is open again needs an ACK of its own, at once, or a sender that
 * filled it would sit idle until its retransmission timer.
 */
static void window_update(struct rx_call *call)
{
	uint32_t half = call->rw.window / 2;

	if (call->state != RX_CALL_ACTIVE || call->rx_done)
		return;
	if (call->adv_rwind < half && rx_rwin_advertise(&call->rw) >= half) {
		call->want_idle_ack = true;
		rx_call_kick(call);
	}
}

ssize_t rx_call_recv(struct rx_call *call, void *buf, size_t len)
{
	struct rx_endpoint *ep = call->ep;
	uint8_t *out = buf;
	size_t copied = 0;
	bool consumed = false;
	ssize_t ret;

	pthread_mutex_lock(&ep->lock);
	if (call->client && !call->tx_done && call->state == RX_CALL_ACTIVE) {
		/* Reading the reply ends the request (OpenAFS rx_Read flushes). */
		if (rx_call_queue_cur(call, true) == 0)
			call->tx_done = true;
		rx_call_kick(call);
	}
	for (;;) {
		struct rx_rwin *w = &call->rw;

		if (w->base < w->hard) {
			/* The packets wanted whole come off the ring and are copied
			 * with the lock dropped, so that the loop thread goes on
			 * receiving meanwhile (only this reader takes this call's
			 * packets); one wanted in part is copied here. */
			struct rx_rxpkt *take[RX_RECV_TAKE];
			size_t at[RX_RECV_TAKE], upto = copied;
			unsigned nt = 0;

			while (w->base < w->hard && upto < len && nt < RX_RECV_TAKE) {
				struct rx_rxpkt *pk = call->rx[w->base & (RX_RXRING - 1)];

				if (pk->len > len - upto) {
					size_t n = len - upto;

					memcpy(out + upto, pk->buf + pk->off, n);
					pk->off = (uint16_t)(pk->off + n);
					pk->len = (uint16_t)(pk->len - n);
					upto += n;
					break;
				}
				take[nt] = pk;
				at[nt++] = upto;
				upto += pk->len;
				call->rx[w->base & (RX_RXRING - 1)] = NULL;
				rx_rwin_consume(w);
				consumed = true;
			}
			if (nt) {
				window_update(call);
				consumed = false;
				pthread_mutex_unlock(&ep->lock);
				for (unsigned i = 0; i < nt; i++) {
					memcpy(out + at[i], take[i]->buf + take[i]->off, take[i]->len);
					free(take[i]);
				}
				pthread_mutex_lock(&ep->lock);
			}
			copied = upto;
			if (copied == len)
				break;
			continue;
		}
		if (call->rx_done)
			break; /* everything read: the end of the data */
		if (call->state == RX_CALL_FAILED) {
			ret = call->err;
			goto out;
		}
		if (consumed)
			window_update(call);
		consumed = false;
		call_wait(call);
	}
	if (consumed)
		window_update(call);
	ret = (ssize_t)copied;
out:
	pthread_mutex_unlock(&ep->lock);
	return ret;
}

int rx_call_abort(struct rx_call *call, int32_t code)
{
	struct rx_endpoint *ep = call->ep;
	int ret = 0;

	pthread_mutex_lock(&ep->lock);
	if (call->state != RX_CALL_ACTIVE)
		ret = -EALREADY;
	else
		rx_call_fail(call, -ECONNABORTED, code, false, true);
	pthread_mutex_unlock(&ep->lock);
	return ret;
}

int rx_call_end(struct rx_call *call, int32_t *abort_code)
{
	struct rx_endpoint *ep = call->ep;
	int ret;

	evloop_cancel_detach(call->cancel, &call->req);
	pthread_mutex_lock(&ep->lock);
	if (call->state == RX_CALL_ACTIVE)
		rx_call_fail(call, call->req.cancel_err ? call->req.cancel_err : -ECONNABORTED, RX_USER_ABORT, false,
			     call->last_tx_ns || call->heard);
	ret = call->state == RX_CALL_COMPLETE ? 0 : call->err;
	if (abort_code)
		*abort_code = call->abort_code;
	call->user_done = true;
	/* A failed call's timer is left to the loop to drop. A client call
	 * completes only as the loop takes in its peer's last packet, and the
	 * loop drops its timer then: no need to wake the loop again for it (an
	 * eventfd write and a round of the loop per call). */
	if (!(call->client && call->state == RX_CALL_COMPLETE))
		rx_call_kick(call);
	rx_call_put(call);
	pthread_mutex_unlock(&ep->lock);
	return ret;
}

void rx_call_peer(struct rx_call *call, struct sockaddr_storage *addr, socklen_t *len)
{
	pthread_mutex_lock(&call->ep->lock);
	memcpy(addr, &call->conn->peer->addr, call->conn->peer->alen);
	*len = call->conn->peer->alen;
	pthread_mutex_unlock(&call->ep->lock);
}

uint64_t rx_call_rtt_us(struct rx_call *call)
{
	uint64_t r;

	pthread_mutex_lock(&call->ep->lock);
	r = call->conn->peer->rtt.srtt_ns / 1000;
	pthread_mutex_unlock(&call->ep->lock);
	return r;
}

/* ---- server calls ------------------------------------------------------------------------------------------- */

static void *handler_main(void *arg)
{
	struct rx_call *call = arg;
	struct rx_endpoint *ep = call->ep;
	struct rx_service *svc = call->svc;
	int32_t code = svc->fn(call, svc->arg);

	pthread_mutex_lock(&ep->lock);
	if (call->state == RX_CALL_ACTIVE) {
		if (code) {
			rx_call_fail(call, -ECONNABORTED, code, false, true);
		} else if (!call->tx_done) {
			if (rx_call_queue_cur(call, true) == 0)
				call->tx_done = true;
			else
				rx_call_fail(call, -ENOMEM, RX_CALL_DEAD, false, true);
		}
	}
	call->user_done = true;
	rx_call_kick(call);
	rx_call_put(call);
	if (--ep->nhandlers == 0)
		pthread_cond_broadcast(&ep->handlers_cond);
	pthread_mutex_unlock(&ep->lock);
	return NULL;
}

void rx_service_start_call(struct rx_call *call)
{
	struct rx_endpoint *ep = call->ep;
	pthread_attr_t a;
	pthread_t th;

	rx_call_get(call);
	ep->nhandlers++;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &a, handler_main, call)) {
		ep->nhandlers--;
		rx_call_fail(call, -EAGAIN, RX_CALL_DEAD, false, true);
		rx_call_put(call);
	}
	pthread_attr_destroy(&a);
}
