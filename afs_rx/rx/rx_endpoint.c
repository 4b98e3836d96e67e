/*
 * afs_rx/rx/rx_endpoint.c: the Rx endpoint: its UDP socket on an evloop
 * thread, the dispatch of each datagram to its connection and call,
 * VERSION requests (answered, and asked of servers), ICMP errors
 * (IP_RECVERR, as OpenAFS's AFS_RXERRQ_ENV does), and the periodic reaper
 * of idle connections and peers. See rx_transport.h for the whole and
 * rx_internal.h for the locking.
 *
 * Dispatch follows OpenAFS rxi_ReceivePacket and Linux
 * rxrpc_input_packet: VERSION is answered before anything else (rxdebug
 * sends it with service id 0 and no connection); the header is then
 * checked (rx_header_check); a packet with CLIENT_INITIATED belongs to a
 * call made to us (server connection by peer, epoch and cid, created for a
 * DATA packet of a registered service), others to a call we made (client
 * connection by our epoch and cid). Call number 0 is connection-level.
 *
 * Written for netfuse from those sources' behaviour; the trade-off is one
 * mutex for the whole endpoint, taken once per batch of datagrams
 * (recvmmsg), which is simple and fast enough for a cache manager's few
 * dozen calls at a time.
 */
#include "config.h"

#include "rx_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <unistd.h>

#define RX_RECV_BATCH  16
#define RX_RECV_ROUNDS 8 /* batches per readiness callback, then timers get a turn */
#define RX_REAP_MS     1000

void rx_tunables_default(struct rx_tunables *t)
{
	*t = (struct rx_tunables){
	    .req_ack_delay_ms = 0,
	    .soft_ack_delay_ms = 100,
	    .idle_ack_delay_ms = 0,
	    .resend_timeout_ms = 1000,
	    .min_rto_ms = 200,
	    .max_rto_ms = 60000,
	    .max_call_lifetime_ms = 60000,
	    .dead_call_expiry_ms = 2000,
	    .connection_expiry_ms = 600000,
	    .transport_expiry_ms = 600000,
	    .rx_window = 32,
	    .rx_mtu = 5692,
	    .rx_jumbo_max = 4,
	    .tx_window_max = 255,
	    .tx_queue_max = 128,
	    .dead_time_ms = 12000,
	    .busy_storm = 20,
	};
}

void rx_endpoint_config_default(struct rx_endpoint_config *c)
{
	memset(c, 0, sizeof(*c));
	rx_tunables_default(&c->tun);
	c->max_server_calls = 16;
}

static void sanitize_tunables(struct rx_tunables *t)
{
	if (t->rx_window < 1)
		t->rx_window = 1;
	if (t->rx_window > RX_RWIN_MAX)
		t->rx_window = RX_RWIN_MAX;
	if (t->rx_mtu < RX_IF_MTU)
		t->rx_mtu = RX_IF_MTU;
	if (t->rx_mtu > RX_MAX_DGRAM - 1)
		t->rx_mtu = RX_MAX_DGRAM - 1;
	if (t->rx_jumbo_max < 1)
		t->rx_jumbo_max = 1;
	if (t->rx_jumbo_max > RX_JUMBO_MAX)
		t->rx_jumbo_max = RX_JUMBO_MAX;
	if (t->tx_window_max < 1)
		t->tx_window_max = 1;
	if (t->tx_window_max > RX_RWIN_MAX)
		t->tx_window_max = RX_RWIN_MAX;
	if (t->tx_queue_max < 1)
		t->tx_queue_max = 1;
	if (t->tx_queue_max + t->tx_window_max >= RX_TXRING)
		t->tx_queue_max = RX_TXRING - 1 - t->tx_window_max;
	if (t->min_rto_ms < 1)
		t->min_rto_ms = 1;
	if (t->max_rto_ms < t->min_rto_ms)
		t->max_rto_ms = t->min_rto_ms;
	if (t->resend_timeout_ms < 1)
		t->resend_timeout_ms = 1;
	if (t->dead_time_ms < 6)
		t->dead_time_ms = 6;
	if (t->max_call_lifetime_ms < 1)
		t->max_call_lifetime_ms = 1;
	if (t->busy_storm < 1)
		t->busy_storm = 1;
}

/* ---- tracing ------------------------------------------------------------------------------------------ */

static void trace_packet(struct rx_endpoint *ep, char dir, const struct sockaddr_storage *peer, const uint8_t *hdr,
			 const uint8_t *body, size_t blen)
{
	struct rx_header h;
	char addr[HEALTH_NAME_MAX];
	struct rx_ack a;

	rx_header_decode(hdr, RX_HEADER_LEN, &h);
	rx_addr_format(peer, addr, sizeof(addr));
	fprintf(ep->trace, "%.6f %c %s %s cid %08x.%u call %u seq %u serial %u flags %02x len %zu",
		(double)(evloop_now_ns() - ep->trace_t0) / 1e9, dir, addr, rx_packet_type_name(h.type), h.cid,
		h.cid & 3, h.call_number, h.seq, h.serial, h.flags, blen);
	if (h.type == RX_PACKET_TYPE_ACK && rx_ack_decode(body, blen, &a) == 0) {
		fprintf(ep->trace, " ack %s first %u prev %u serial %u rwind %u jumbo %u ",
			rx_ack_reason_name(a.reason), a.first_packet, a.previous_packet, a.serial, a.rwind,
			a.jumbo_max);
		for (unsigned i = 0; i < a.nacks; i++)
			fputc(a.acks[i] ? '+' : '-', ep->trace);
	} else if (h.type == RX_PACKET_TYPE_ABORT && blen >= 4) {
		fprintf(ep->trace, " code %d", (int32_t)get_be32(body));
	}
	fputc('\n', ep->trace);
}

/* ---- sending -------------------------------------------------------------------------------------- */

int rx_ep_sendv(struct rx_endpoint *ep, const struct sockaddr_storage *to, socklen_t tolen, const struct iovec *iov,
		int niov)
{
	struct msghdr m = {
	    .msg_name = (void *)to, .msg_namelen = tolen, .msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)niov};
	ssize_t n;

	do
		n = sendmsg(ep->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno; /* EAGAIN: dropped, as the network would; ICMP errors come back through the queue */
	ep->st.packets_out++;
	ep->st.bytes_out += (uint64_t)n;
	if (ep->trace && iov[0].iov_len >= RX_HEADER_LEN) {
		if (niov > 1)
			trace_packet(ep, '>', to, iov[0].iov_base, iov[1].iov_base, iov[1].iov_len);
		else
			trace_packet(ep, '>', to, iov[0].iov_base, (uint8_t *)iov[0].iov_base + RX_HEADER_LEN,
				     iov[0].iov_len - RX_HEADER_LEN);
	}
	return 0;
}

int rx_ep_send_packet(struct rx_endpoint *ep, const struct sockaddr_storage *to, socklen_t tolen,
		      const struct rx_header *h, const void *body, size_t len)
{
	uint8_t hdr[RX_HEADER_LEN];
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)body, len}};

	rx_header_encode(h, hdr);
	return rx_ep_sendv(ep, to, tolen, iov, len ? 2 : 1);
}

void rx_ep_send_raw_abort(struct rx_endpoint *ep, const struct sockaddr_storage *to, socklen_t tolen,
			  const struct rx_header *h, int32_t code)
{
	struct rx_header a = *h;
	uint8_t body[RX_ABORT_LEN];

	if (h->type == RX_PACKET_TYPE_ABORT)
		return; /* never answer an abort with one: no loops */
	a.type = RX_PACKET_TYPE_ABORT;
	a.flags = (uint8_t)((h->flags & RX_CLIENT_INITIATED) ^ RX_CLIENT_INITIATED);
	a.seq = 0;
	a.serial = 0;
	a.user_status = 0;
	a.cksum = 0;
	rx_abort_encode(code, body);
	ep->st.aborts_out++;
	rx_ep_send_packet(ep, to, tolen, &a, body, sizeof(body));
}

/* ---- VERSION ---------------------------------------------------------------------------------------- */

/* OpenAFS rxi_ReceiveVersionPacket: the request's header with
 * CLIENT_INITIATED cleared, then 65 bytes of NUL-padded version string. */
static void version_answer(struct rx_endpoint *ep, const struct sockaddr_storage *from, socklen_t fromlen,
			   const struct rx_header *h)
{
	struct rx_header r = *h;
	uint8_t body[RX_VERSION_REPLY_LEN];

	r.flags &= (uint8_t)~RX_CLIENT_INITIATED;
	rx_version_reply_encode(ep->version, body);
	rx_ep_send_packet(ep, from, fromlen, &r, body, sizeof(body));
}

static void version_reply(struct rx_endpoint *ep, const struct sockaddr_storage *from, const struct rx_header *h,
			  const uint8_t *body, size_t len)
{
	for (struct rx_version_req *v = ep->vreqs; v; v = v->next) {
		if (v->done || v->call_number != h->call_number || !net_sockaddr_equal(&v->addr, from))
			continue;
		rx_version_reply_decode(body, len, v->reply);
		v->done = true;
		pthread_cond_broadcast(&ep->version_cond);
		return;
	}
}

static int version_send(struct rx_endpoint *ep, struct rx_version_req *v)
{
	struct rx_header h = {
	    .epoch = ep->epoch,
	    .cid = 0,
	    .call_number = v->call_number,
	    .type = RX_PACKET_TYPE_VERSION,
	    .flags = RX_CLIENT_INITIATED | RX_LAST_PACKET,
	};
	uint8_t zero = 0;

	return rx_ep_send_packet(ep, &v->addr, v->alen, &h, &zero, RX_VERSION_REQUEST_LEN);
}

int rx_endpoint_get_version(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len, char out[66],
			    uint64_t deadline_ns)
{
	struct rx_version_req v;
	struct rx_version_req **pp;
	int ret = 0;

	if (len > sizeof(v.addr))
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	memcpy(&v.addr, addr, len);
	v.alen = len;
	pthread_mutex_lock(&ep->lock);
	v.call_number = ++ep->vcounter;
	v.next = ep->vreqs;
	ep->vreqs = &v;
	/* rxdebug waits 1 s, then doubles; resending every second is enough
	 * for a datagram the network may drop. */
	while (!v.done && !v.err && !ep->shutting_down) {
		uint64_t now = evloop_now_ns();
		uint64_t next = now + EVLOOP_NS_PER_S;

		if (now >= deadline_ns) {
			ret = -ETIMEDOUT;
			break;
		}
		ret = version_send(ep, &v);
		if (ret && ret != -EAGAIN && ret != -ECONNREFUSED && ret != -EHOSTUNREACH)
			break;
		ret = 0;
		while (!v.done && !v.err && !ep->shutting_down && evloop_now_ns() < next &&
		       evloop_now_ns() < deadline_ns)
			evloop_cond_wait(&ep->version_cond, &ep->lock, next < deadline_ns ? next : deadline_ns);
	}
	if (v.done) {
		memcpy(out, v.reply, sizeof(v.reply));
		ret = 0;
	} else if (v.err) {
		ret = v.err;
	} else if (ep->shutting_down) {
		ret = -ESHUTDOWN;
	}
	for (pp = &ep->vreqs; *pp; pp = &(*pp)->next)
		if (*pp == &v) {
			*pp = v.next;
			break;
		}
	pthread_mutex_unlock(&ep->lock);
	return ret;
}

/* ---- receiving ------------------------------------------------------------------------------------------- */

static struct rx_service *service_find(struct rx_endpoint *ep, uint16_t service_id, uint8_t security_index)
{
	for (struct rx_service *s = ep->services; s; s = s->next)
		if (s->service_id == service_id && s->sec->ops->index == security_index)
			return s;
	return NULL;
}

static void send_busy(struct rx_endpoint *ep, struct rx_conn *conn, const struct rx_header *in)
{
	struct rx_header h;

	rx_conn_fill_header(conn, rx_cid_channel(in->cid), in->call_number, &h);
	h.type = RX_PACKET_TYPE_BUSY;
	h.serial = rx_conn_next_serial(conn, 1);
	rx_ep_send_packet(ep, &conn->peer->addr, conn->peer->alen, &h, NULL, 0);
}

/* A packet on a server connection for a call number above the channel's:
 * the client has moved on to a new call. */
static void server_new_call(struct rx_endpoint *ep, struct rx_conn *conn, const struct rx_header *h, uint8_t *body,
			    size_t len, uint64_t now)
{
	unsigned ch = rx_cid_channel(h->cid);
	struct rx_call *old = conn->calls[ch];
	struct rx_service *svc;
	struct rx_call *call;

	if (h->type != RX_PACKET_TYPE_DATA || h->seq > ep->tun.rx_window) {
		/* OpenAFS rxi_ReceiveServerCall: a call starts with DATA near its
		 * start; anything else is a leftover of a call from before. */
		ep->st.dropped_in++;
		return;
	}
	if (old) {
		if (old->state == RX_CALL_ACTIVE && !old->tx_done) {
			/* Its handler still runs, yet the client started the next
			 * call on the channel: the old one is dead to the client.
			 * OpenAFS answers BUSY and kills the old call; the client's
			 * retransmission then finds the channel free. */
			rx_call_fail(old, -ECONNABORTED, RX_CALL_DEAD, false, false);
			send_busy(ep, conn, h);
			return;
		}
		/* The new call implicitly acknowledges the old one's reply. */
		if (old->state == RX_CALL_ACTIVE) {
			old->tx_all_acked = true;
			old->state = RX_CALL_COMPLETE;
			evloop_req_complete(&old->req, 0);
		}
		rx_call_detach(old);
	}
	svc = service_find(ep, conn->service_id, conn->sec->ops->index);
	if (!svc || ep->shutting_down) {
		rx_ep_send_raw_abort(ep, &conn->peer->addr, conn->peer->alen, h, RX_INVALID_OPERATION);
		return;
	}
	if (ep->nhandlers >= ep->max_server_calls) {
		send_busy(ep, conn, h);
		return;
	}
	call = rx_call_alloc(ep, conn, ch, h->call_number, false, now + rx_ms(ep->tun.max_call_lifetime_ms));
	if (!call) {
		send_busy(ep, conn, h);
		return;
	}
	call->svc = svc;
	conn->call_number[ch] = h->call_number;
	ep->st.calls_in++;
	rx_service_start_call(call); /* the handler's reference; it waits for our lock */
	rx_call_input(call, h, body, len, now);
	rx_call_put(call); /* the allocation's reference; the channel and handler keep theirs */
}

static void ep_input(struct rx_endpoint *ep, const struct sockaddr_storage *from, socklen_t fromlen, uint8_t *pkt,
		     size_t len, uint64_t now)
{
	struct rx_header h;
	uint8_t *body = pkt + RX_HEADER_LEN;
	size_t blen;
	enum rx_verdict verdict;
	struct rx_conn *conn;
	struct rx_call *call;
	unsigned ch;

	ep->st.packets_in++;
	ep->st.bytes_in += len;
	if (rx_header_decode(pkt, len, &h)) {
		ep->st.dropped_in++;
		return;
	}
	blen = len - RX_HEADER_LEN;
	if (ep->trace)
		trace_packet(ep, '<', from, pkt, body, blen);

	if (h.type == RX_PACKET_TYPE_VERSION) {
		if (rx_version_is_request(&h, body, blen))
			version_answer(ep, from, fromlen, &h);
		else if (!rx_to_server(&h))
			version_reply(ep, from, &h, body, blen);
		return;
	}
	verdict = rx_header_check(&h, blen, NULL);
	if (verdict != RX_ACCEPT) {
		ep->st.dropped_in++;
		if (verdict == RX_REJECT && h.call_number)
			rx_ep_send_raw_abort(ep, from, fromlen, &h, RX_PROTOCOL_ERROR);
		return;
	}

	if (rx_to_server(&h)) {
		struct rx_service *svc = service_find(ep, h.service_id, h.security_index);
		struct rx_peer *peer = rx_peer_find(ep, from, fromlen, svc != NULL);

		conn = peer ? rx_conn_server_find(ep, peer, h.epoch, h.cid, h.service_id, h.security_index,
						  svc && h.type == RX_PACKET_TYPE_DATA && !ep->shutting_down,
						  svc ? svc->sec : NULL)
			    : NULL;
		if (!conn) {
			ep->st.dropped_in++;
			if (!svc)
				rx_ep_send_raw_abort(ep, from, fromlen, &h, RX_INVALID_OPERATION);
			return;
		}
	} else {
		conn = rx_conn_client_find(ep, h.epoch, h.cid, from);
		if (!conn) {
			ep->st.dropped_in++;
			return;
		}
	}
	rx_peer_heard(conn->peer, now);
	conn->last_used_ns = now;
	if (conn->dead) {
		rx_ep_send_raw_abort(ep, from, fromlen, &h, conn->abort_code);
		return;
	}
	if (h.call_number == 0) {
		rx_conn_input(conn, &h, body, blen);
		return;
	}

	ch = rx_cid_channel(h.cid);
	call = conn->calls[ch];
	if (conn->client) {
		if (!call || call->call_number != h.call_number) {
			if (h.type == RX_PACKET_TYPE_BUSY)
				rx_peer_busy(conn->peer, now);
			if (conn->final[ch].call_number == h.call_number)
				rx_conn_answer_final(conn, &h);
			else
				ep->st.dropped_in++;
			return;
		}
	} else {
		if (h.call_number > conn->call_number[ch]) {
			server_new_call(ep, conn, &h, body, blen, now);
			return;
		}
		if (!call || call->call_number != h.call_number) {
			if (conn->final[ch].call_number == h.call_number)
				rx_conn_answer_final(conn, &h);
			else
				ep->st.dropped_in++;
			return;
		}
	}
	rx_call_input(call, &h, body, blen, now);
}

/* IP_RECVERR: an ICMP error about a datagram we sent; msg_name is where it
 * was going. */
static void drain_errqueue(struct rx_endpoint *ep)
{
	for (int i = 0; i < 64; i++) {
		uint8_t data[512], ctl[512];
		struct sockaddr_storage to;
		struct iovec iov = {data, sizeof(data)};
		struct msghdr m = {.msg_name = &to,
				   .msg_namelen = sizeof(to),
				   .msg_iov = &iov,
				   .msg_iovlen = 1,
				   .msg_control = ctl,
				   .msg_controllen = sizeof(ctl)};
		ssize_t n = recvmsg(ep->fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);

		if (n < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			struct sock_extended_err ee;
			int err;

			if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			if (ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6)
				continue;
			err = (int)ee.ee_errno;
			/* Only "unreachable" kinds say nobody will answer; a
			 * message-too-big is a path MTU matter, not a dead peer. */
			if (err != ECONNREFUSED && err != EHOSTUNREACH && err != ENETUNREACH && err != EHOSTDOWN)
				continue;
			rx_peer_net_error(ep, &to, m.msg_namelen, -err);
			for (struct rx_version_req *v = ep->vreqs; v; v = v->next)
				if (!v->done && net_sockaddr_equal(&v->addr, &to)) {
					v->err = -err;
					pthread_cond_broadcast(&ep->version_cond);
				}
		}
	}
}

static void ep_readable(struct evloop *l, int fd, uint32_t events, void *arg)
{
	struct rx_endpoint *ep = arg;
	size_t slot = ep->tun.rx_mtu + 512;
	struct mmsghdr msgs[RX_RECV_BATCH];
	struct sockaddr_storage from[RX_RECV_BATCH];
	struct iovec iov[RX_RECV_BATCH];

	(void)l;
	pthread_mutex_lock(&ep->lock);
	if (events & EPOLLERR)
		drain_errqueue(ep);
	for (int round = 0; round < RX_RECV_ROUNDS; round++) {
		uint64_t now;
		int n;

		for (int i = 0; i < RX_RECV_BATCH; i++) {
			iov[i].iov_base = ep->rbuf + (size_t)i * slot;
			iov[i].iov_len = slot;
			memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, msgs, RX_RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* A pending ICMP error (IP_RECVERR sets the socket error
			 * too): read the queue, then go on receiving. */
			drain_errqueue(ep);
			continue;
		}
		now = evloop_now_ns();
		ep->receiving = true;
		for (int i = 0; i < n; i++) {
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				ep->st.dropped_in++;
				continue;
			}
			ep_input(ep, &from[i], msgs[i].msg_hdr.msg_namelen, iov[i].iov_base, msgs[i].msg_len, now);
		}
		rx_ep_batch_end(ep);
		if (n < RX_RECV_BATCH)
			break;
	}
	pthread_mutex_unlock(&ep->lock);
}

/* ---- housekeeping ------------------------------------------------------------------------------------------ */

static void reaper_fire(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct rx_endpoint *ep = arg;
	uint64_t now = evloop_now_ns();

	pthread_mutex_lock(&ep->lock);
	rx_conn_reap(ep, now);
	rx_peer_reap(ep, now);
	pthread_mutex_unlock(&ep->lock);
	evloop_timer_arm(l, t, now + rx_ms(RX_REAP_MS));
}

/* ---- life ----------------------------------------------------------------------------------------------------- */

static int open_socket(struct rx_endpoint *ep, const struct rx_endpoint_config *c)
{
	struct sockaddr_storage addr;
	socklen_t alen;
	int one = 1, bufsz = 4 << 20;
	int fd;

	if (c->bind_len) {
		memcpy(&addr, &c->bind_addr, c->bind_len);
		alen = c->bind_len;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&addr;

		memset(&addr, 0, sizeof(addr));
		sin->sin_family = AF_INET;
		alen = sizeof(*sin);
	}
	fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Room for a few windows of jumbograms; the kernel caps it at
	 * rmem_max, which is fine. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	if (addr.ss_family == AF_INET6)
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
	else
		setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, alen) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	ep->local_len = sizeof(ep->local);
	getsockname(fd, (struct sockaddr *)&ep->local, &ep->local_len);
	ep->fd = fd;
	return 0;
}

/* What rx_endpoint_new made, once nothing runs on it any more. */
static void destroy(struct rx_endpoint *ep)
{
	if (ep->loop)
		evloop_free(ep->loop);
	if (ep->fd >= 0)
		close(ep->fd);
	free(ep->rbuf);
	pthread_cond_destroy(&ep->handlers_cond);
	pthread_cond_destroy(&ep->version_cond);
	pthread_mutex_destroy(&ep->lock);
	free(ep);
}

struct rx_endpoint *rx_endpoint_new(const struct rx_endpoint_config *c, int *err)
{
	struct rx_endpoint *ep = calloc(1, sizeof(*ep));
	uint32_t r[2];
	int ret;

	if (!ep) {
		*err = -ENOMEM;
		return NULL;
	}
	ep->fd = -1;
	ep->tun = c->tun;
	sanitize_tunables(&ep->tun);
	ep->health = c->health;
	ep->service_names = c->service_names;
	ep->trace = c->trace;
	ep->trace_t0 = evloop_now_ns();
	ep->max_server_calls = c->max_server_calls ? c->max_server_calls : 16;
	snprintf(ep->version, sizeof(ep->version), "%s", c->version ? c->version : "netfuse " PACKAGE_VERSION);
	pthread_mutex_init(&ep->lock, NULL);
	evloop_cond_init(&ep->handlers_cond);
	evloop_cond_init(&ep->version_cond);
	if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
		ret = -EIO;
		goto fail;
	}
	/* OpenAFS rx_InitHost: a random epoch with the top bit set; cids start
	 * at a random multiple of 4 so a restarted client's new connections
	 * do not collide with its old ones on the server. */
	ep->epoch = rx_epoch_from_random(r[0]);
	ep->next_cid = rx_cid_next(r[1]);
	ep->vcounter = r[1] >> 8;
	ep->rbuf = malloc((size_t)RX_RECV_BATCH * (ep->tun.rx_mtu + 512));
	if (!ep->rbuf) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = open_socket(ep, c);
	if (ret)
		goto fail;
	ep->loop = evloop_new("rx");
	if (!ep->loop) {
		ret = -errno;
		goto fail;
	}
	ep->fdh = evloop_fd_add(ep->loop, ep->fd, EPOLLIN, ep_readable, ep);
	if (!ep->fdh) {
		ret = -errno;
		goto fail;
	}
	evloop_timer_init(&ep->reaper, reaper_fire, ep);
	evloop_timer_arm(ep->loop, &ep->reaper, evloop_now_ns() + rx_ms(RX_REAP_MS));
	ret = evloop_start(ep->loop);
	if (ret)
		goto fail;
	return ep;
fail:
	destroy(ep);
	*err = ret;
	return NULL;
}

static void stop_on_loop(void *arg)
{
	struct rx_endpoint *ep = arg;

	evloop_timer_cancel(ep->loop, &ep->reaper);
	evloop_fd_del(ep->loop, ep->fdh);
	ep->fdh = NULL;
}

void rx_endpoint_free(struct rx_endpoint *ep)
{
	if (!ep)
		return;
	pthread_mutex_lock(&ep->lock);
	ep->shutting_down = true;
	for (struct rx_call *c = ep->calls; c; c = c->ep_next)
		if (c->state == RX_CALL_ACTIVE)
			rx_call_fail(c, -ESHUTDOWN, RX_CALL_DEAD, false, true);
	pthread_cond_broadcast(&ep->version_cond);
	while (ep->nhandlers)
		evloop_cond_wait(&ep->handlers_cond, &ep->lock, EVLOOP_NEVER);
	pthread_mutex_unlock(&ep->lock);

	evloop_call_sync(ep->loop, stop_on_loop, ep, EVLOOP_NEVER);
	evloop_stop(ep->loop); /* runs the kicks still queued, which drop their references */

	pthread_mutex_lock(&ep->lock);
	/* What is left is held by channels and timers (users ended theirs;
	 * one that did not keeps its call, a breach of the contract). */
	for (struct rx_call *c = ep->calls, *next; c; c = next) {
		rx_call_get(c);
		if (evloop_timer_armed(&c->timer)) {
			evloop_timer_cancel(ep->loop, &c->timer);
			rx_call_put(c);
		}
		if (c->attached)
			rx_call_detach(c);
		next = c->ep_next;
		rx_call_put(c);
	}
	while (ep->conns)
		rx_conn_free(ep->conns);
	rx_peer_reap(ep, UINT64_MAX);
	while (ep->services) {
		struct rx_service *s = ep->services;

		ep->services = s->next;
		free(s);
	}
	pthread_mutex_unlock(&ep->lock);
	destroy(ep);
}

int rx_endpoint_local_addr(struct rx_endpoint *ep, struct sockaddr_storage *addr, socklen_t *len)
{
	memcpy(addr, &ep->local, ep->local_len);
	*len = ep->local_len;
	return 0;
}

void rx_endpoint_get_stats(struct rx_endpoint *ep, struct rx_endpoint_stats *st)
{
	pthread_mutex_lock(&ep->lock);
	*st = ep->st;
	pthread_mutex_unlock(&ep->lock);
}

int rx_service_register(struct rx_endpoint *ep, uint16_t service_id, const struct rx_security *sec, rx_service_fn fn,
			void *arg)
{
	struct rx_service *s;

	if (!sec)
		sec = rx_security_null();
	pthread_mutex_lock(&ep->lock);
	if (service_find(ep, service_id, sec->ops->index)) {
		pthread_mutex_unlock(&ep->lock);
		return -EEXIST;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		pthread_mutex_unlock(&ep->lock);
		return -ENOMEM;
	}
	s->service_id = service_id;
	s->sec = sec;
	s->fn = fn;
	s->arg = arg;
	s->next = ep->services;
	ep->services = s;
	pthread_mutex_unlock(&ep->lock);
	return 0;
}
