/*
 * afs_rx/rx/rx_peer.c: what the transport knows about one remote address:
 * its RTT estimate (shared by the calls to it, as OpenAFS's struct rx_peer
 * and Linux's rxrpc_peer keep it), whether it answers, and its health:
 * the session events the .health file shows ("fileserver 127.0.0.1:7000
 * lost / established again", BUSY storms, Rx-level aborts).
 *
 * Peers live in a list (a cache manager talks to a handful of servers);
 * one with no connection left is forgotten after transport_expiry.
 */
#include "config.h"

#include "rx_internal.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rx_addr_format(const struct sockaddr_storage *a, char *out, size_t outlen)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)a;

		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		snprintf(out, outlen, "%s:%u", ip, ntohs(s->sin_port));
	} else if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)a;

		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		snprintf(out, outlen, "[%s]:%u", ip, ntohs(s->sin6_port));
	} else {
		snprintf(out, outlen, "?");
	}
}

struct rx_peer *rx_peer_find(struct rx_endpoint *ep, const struct sockaddr_storage *addr, socklen_t alen, bool create)
{
	struct rx_peer *p;

	for (p = ep->peers; p; p = p->next)
		if (net_sockaddr_equal(&p->addr, addr))
			return p;
	if (!create || alen > sizeof(p->addr))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->ep = ep;
	memcpy(&p->addr, addr, alen);
	p->alen = alen;
	rx_addr_format(addr, p->name, sizeof(p->name));
	rx_rtt_init(&p->rtt, rx_ms(ep->tun.resend_timeout_ms));
	p->last_used_ns = p->last_rx_ns = evloop_now_ns();
	p->next = ep->peers;
	ep->peers = p;
	return p;
}

void rx_peer_name_server(struct rx_peer *p, uint16_t service_id)
{
	const struct rx_service_name *n = p->ep->service_names;

	if (p->server[0])
		return;
	while (n && n->name && n->service_id != service_id)
		n++;
	if (n && n->name)
		snprintf(p->server, sizeof(p->server), "%s", n->name);
	else
		snprintf(p->server, sizeof(p->server), "rx service %u", service_id);
}

void rx_peer_health(struct rx_peer *p, enum health_type type, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	health_vreport(p->ep->health, HEALTH_DOMAIN_SESSION, type, err, p->server[0] ? p->server : "rx peer", p->name,
		       fmt, ap);
	va_end(ap);
}

void rx_peer_heard(struct rx_peer *p, uint64_t now)
{
	p->last_rx_ns = now;
	p->last_used_ns = now;
	p->net_error = 0;
	if (p->down) {
		p->down = false;
		rx_peer_health(p, HEALTH_SESSION_ESTABLISHED, 0, "answers again");
	}
}

void rx_peer_lost(struct rx_peer *p, int err, const char *why)
{
	if (p->down)
		return;
	p->down = true;
	rx_peer_health(p, HEALTH_SESSION_LOST, err, "%s", why);
}

void rx_peer_busy(struct rx_peer *p, uint64_t now)
{
	if (now - p->busy_window_ns > 10 * EVLOOP_NS_PER_S) {
		p->busy_window_ns = now;
		p->busy_n = 0;
	}
	p->busy_n++;
	if (p->busy_n >= p->ep->tun.busy_storm && !p->busy_sick) {
		p->busy_sick = true;
		rx_peer_health(p, HEALTH_SICK, EBUSY, "%u BUSY answers within 10 s", p->busy_n);
	}
}

void rx_peer_call_succeeded(struct rx_peer *p)
{
	if (p->busy_sick) {
		p->busy_sick = false;
		rx_peer_health(p, HEALTH_HEALTHY, 0, "calls complete again after BUSY answers");
	}
}

void rx_peer_net_error(struct rx_endpoint *ep, const struct sockaddr_storage *addr, socklen_t alen, int err)
{
	struct rx_peer *p = rx_peer_find(ep, addr, alen, false);
	bool failed = false;

	if (!p)
		return;
	p->net_error = err;
	/* Only calls that never heard from the peer fail: an ICMP error can be
	 * stale, and a call that got answers has proof the peer is there
	 * (OpenAFS kills every active call; this is more forgiving). */
	for (struct rx_call *c = ep->calls; c; c = c->ep_next) {
		if (c->conn->peer != p || c->state != RX_CALL_ACTIVE || c->heard || !c->client)
			continue;
		rx_call_fail(c, err, RX_CALL_DEAD, false, false);
		failed = true;
	}
	if (failed)
		rx_peer_lost(p, err, err == -ECONNREFUSED ? "port unreachable (nothing listens)" : "unreachable");
}

void rx_peer_reap(struct rx_endpoint *ep, uint64_t now)
{
	struct rx_peer **pp = &ep->peers;

	while (*pp) {
		struct rx_peer *p = *pp;

		if (p->nconns == 0 && now - p->last_used_ns >= rx_ms(ep->tun.transport_expiry_ms)) {
			*pp = p->next;
			free(p);
		} else {
			pp = &p->next;
		}
	}
}
