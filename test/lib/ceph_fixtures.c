/* test/lib/ceph_fixtures.c: inputs for the Ceph unit tests (see the header). */
#include "config.h"

#include "test/lib/ceph_fixtures.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

size_t fx_unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (; h[0] && h[1]; h += 2) {
		unsigned v;

		if (h[0] == ' ') {
			h--;
			continue;
		}
		cr_assert(n < cap);
		cr_assert_eq(sscanf(h, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

void fx_addr_in4(struct ceph_entity_addr *a, enum ceph_addr_type t, const char *ip, uint16_t port, uint32_t nonce)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

	memset(a, 0, sizeof(*a));
	a->type = t;
	a->nonce = nonce;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	cr_assert_eq(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
}

void fx_addr_in6(struct ceph_entity_addr *a, enum ceph_addr_type t, const char *ip, uint16_t port, uint32_t nonce)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	a->type = t;
	a->nonce = nonce;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	cr_assert_eq(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
}
