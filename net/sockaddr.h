/*
 * net/sockaddr.h: socket address helpers that more than one protocol
 * directory needs (the Rx transport matches peers by address, the monitor
 * client follows monitors across monmaps by address).
 */
#ifndef NETFUSE_NET_SOCKADDR_H
#define NETFUSE_NET_SOCKADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

/* Same family, address and port (IPv4 or IPv6); anything else differs. */
static inline bool net_sockaddr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	return false;
}

#endif
