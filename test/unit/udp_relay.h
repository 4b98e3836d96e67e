/*
 * test/unit/udp_relay.h: a lossy UDP relay for tests, run on a thread of
 * its own: it forwards datagrams between one client and a target, and
 * drops, duplicates and reorders a few percent of them (in both
 * directions) from a seeded pseudo-random sequence, so a test can show
 * that a transport recovers. Datagrams arriving at its back socket from
 * anyone (the target's callbacks to "the client") go to the last client
 * seen; the client reaches the target through the front socket.
 */
#ifndef NETFUSE_TEST_UDP_RELAY_H
#define NETFUSE_TEST_UDP_RELAY_H

#include <netinet/in.h>
#include <stdint.h>

struct udp_relay_config {
	struct sockaddr_in target;
	unsigned drop_pct, dup_pct, reorder_pct; /* 0..100 each */
	uint32_t seed;
};

struct udp_relay_stats {
	uint64_t forwarded, dropped, duplicated, reordered;
};

struct udp_relay;

/* Start relaying; *front gets the address clients should send to. NULL on
 * failure (errno set). */
struct udp_relay *udp_relay_start(const struct udp_relay_config *c, struct sockaddr_in *front);
void udp_relay_stop(struct udp_relay *r, struct udp_relay_stats *st);

#endif
