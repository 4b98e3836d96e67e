/*
 * Fuzz target: netfuse-lockd's protocol engine (nlm/lockd.h) fed a run of
 * RPC call messages, so that every NLM and RPC decoder path is reached
 * through the dispatch, with state carried from one call to the next (locks
 * held, waiters queued, grants pending) and the clock moving through and
 * past the grace period.
 *
 * Input: records of [flags:1][len:2 big-endian][len bytes of message].
 * flags bits 0-1 pick the caller (two client hosts, the local statd's
 * privileged port, a TCP peer); bit 2 moves the clock 4 s on and runs
 * lockd_tick. A short last record is used as it is.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "nlm/lockd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NS 1000000000ull

static size_t calls_out;

static int monitor(void *arg, const char *name, uint32_t id)
{
	(void)arg;
	(void)id;
	/* Names statd refuses, to reach that path too. */
	return strncmp(name, "bad", 3) ? 0 : -1;
}

static void call_client(void *arg, const struct lockd_client *to, const void *msg, size_t len)
{
	(void)arg;
	(void)msg;
	if (len && to->name)
		calls_out++;
}

static void server_restarted(void *arg, const char *mon_name, int32_t state)
{
	(void)arg;
	(void)state;
	if (mon_name[0])
		calls_out++;
}

static struct lockd_peer make_peer(const char *ip, int port, int tcp)
{
	struct lockd_peer p;
	struct sockaddr_in *s = (struct sockaddr_in *)&p.addr;

	memset(&p, 0, sizeof(p));
	p.addrlen = sizeof(*s);
	p.tcp = tcp;
	s->sin_family = AF_INET;
	s->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &s->sin_addr);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char reply[LOCKD_REPLY_MAX];
	struct lockd_config cfg = {.server_name = "fuzz", .grace_ns = 6 * NS, .retry_ns = 1 * NS};
	struct lockd_ops ops = {.monitor = monitor, .call_client = call_client, .server_restarted = server_restarted};
	struct lockd_peer peers[4] = {make_peer("10.0.0.1", 1000, 0), make_peer("10.0.0.2", 2000, 0),
				      make_peer("127.0.0.1", 700, 0), make_peer("10.0.0.1", 3000, 1)};
	uint64_t now = 100 * NS;
	struct lockd *l = lockd_new(&cfg, &ops, NULL, now);

	if (!l)
		return 0;
	while (size > 0) {
		uint8_t flags = data[0];
		size_t len = size >= 3 ? ((size_t)data[1] << 8 | data[2]) : 0;
		size_t hdr = size >= 3 ? 3 : size;

		data += hdr;
		size -= hdr;
		if (len > size)
			len = size;
		if (flags & 4) {
			now += 4 * NS;
			lockd_tick(l, now);
		}
		lockd_dispatch(l, &peers[flags & 3], data, len, reply, now);
		data += len;
		size -= len;
	}
	now += 60 * NS;
	lockd_tick(l, now);
	lockd_free(l);
	return 0;
}
