/*
 * Tests of afs_rx's transport between two endpoints in this process over
 * loopback UDP (no AFS server): a client endpoint calls an echo service on
 * a server endpoint. Covers small and large (multi-window) calls both ways,
 * several calls at once on one connection's channels, aborts in both
 * directions, VERSION, deadlines, a port nobody listens on, a lossy
 * relay (test/unit/udp_relay.c) between the two, and (against a raw
 * socket) the window a client's final ACK offers.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "afs_rx/rx/rx_ack.h"
#include "afs_rx/rx/rx_packet.h"
#include "afs_rx/rx/rx_transport.h"
#include "evloop/evloop.h"
#include "evloop/evloop_req.h"
#include "health/health.h"
#include "test/unit/udp_relay.h"

#define SVC_ECHO 77
#define OP_ECHO	 1 /* request: u32 op, then data; reply: the data */
#define OP_ABORT 2 /* request: u32 op, u32 code; the call is aborted with code */
#define OP_SLOW	 3 /* request: u32 op, u32 ms; reply after sleeping */
#define OP_EARLY 4 /* request: u32 op, then anything; reply "ok" without reading it */
/* The service's own abort codes (what a protocol on Rx would send: the
 * values are AFS's UAENOENT and RXGEN_OPCODE, meaningless to the transport). */
#define APP_ABORT_NOENT	 49733377
#define APP_ABORT_OPCODE (-455)

static int32_t echo_handler(struct rx_call *call, void *arg)
{
	uint8_t op[4], buf[65536];
	uint32_t v;
	ssize_t n;

	(void)arg;
	if (rx_call_recv(call, op, 4) != 4)
		return RX_PROTOCOL_ERROR;
	switch (op[3]) {
	case OP_ECHO: {
		/* Rx calls are half-duplex: the whole request, then the reply. */
		size_t len = 0, cap = 0;
		uint8_t *all = NULL;

		while ((n = rx_call_recv(call, buf, sizeof(buf))) > 0) {
			if (len + (size_t)n > cap) {
				cap = 2 * (len + (size_t)n);
				all = realloc(all, cap);
			}
			memcpy(all + len, buf, (size_t)n);
			len += (size_t)n;
		}
		if (n == 0)
			rx_call_send(call, all, len, true);
		free(all);
		return 0;
	}
	case OP_ABORT:
		if (rx_call_recv(call, buf, 4) != 4)
			return RX_PROTOCOL_ERROR;
		memcpy(&v, buf, 4);
		return (int32_t)ntohl(v);
	case OP_SLOW:
		if (rx_call_recv(call, buf, 4) != 4)
			return RX_PROTOCOL_ERROR;
		memcpy(&v, buf, 4);
		usleep(ntohl(v) * 1000);
		rx_call_send(call, "done", 4, true);
		return 0;
	case OP_EARLY:
		rx_call_send(call, "ok", 2, true);
		return 0;
	default:
		return APP_ABORT_OPCODE;
	}
}

struct pair {
	struct rx_endpoint *cli, *srv;
	struct sockaddr_in srv_addr;
};

static struct rx_endpoint *endpoint(void)
{
	struct rx_endpoint_config c;
	struct sockaddr_in *sin = (struct sockaddr_in *)&c.bind_addr;
	struct rx_endpoint *ep;
	int err = 0;

	rx_endpoint_config_default(&c);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c.bind_len = sizeof(*sin);
	ep = rx_endpoint_new(&c, &err);
	cr_assert_not_null(ep, "rx_endpoint_new: %s", strerror(-err));
	return ep;
}

static void pair_init(struct pair *p)
{
	struct sockaddr_storage ss;
	socklen_t len;

	p->cli = endpoint();
	p->srv = endpoint();
	cr_assert_eq(rx_service_register(p->srv, SVC_ECHO, NULL, echo_handler, NULL), 0);
	cr_assert_eq(rx_service_register(p->srv, SVC_ECHO, NULL, echo_handler, NULL), -EEXIST);
	rx_endpoint_local_addr(p->srv, &ss, &len);
	memcpy(&p->srv_addr, &ss, sizeof(p->srv_addr));
}

static void pair_fini(struct pair *p)
{
	rx_endpoint_free(p->cli);
	rx_endpoint_free(p->srv);
}

static uint8_t *pattern(size_t n, uint32_t seed)
{
	uint8_t *b = malloc(n ? n : 1);

	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245 + 12345;
		b[i] = (uint8_t)(seed >> 16);
	}
	return b;
}

/* One echo call of @n bytes to @to; returns rx_call_end's result. */
static int echo(struct rx_endpoint *ep, const struct sockaddr_in *to, size_t n, uint32_t seed, long deadline_ms)
{
	uint8_t op[4] = {0, 0, 0, OP_ECHO};
	uint8_t *out = pattern(n, seed), *in = malloc(n + 16);
	struct rx_call *call;
	ssize_t got;
	int err = 0, ret;
	int32_t code;

	call = rx_call_begin(ep, (const struct sockaddr *)to, sizeof(*to), SVC_ECHO, NULL,
			     evloop_deadline_ms(deadline_ms), NULL, &err);
	cr_assert_not_null(call);
	cr_assert_eq(rx_call_send(call, op, 4, false), 0);
	/* In uneven pieces, to cross packet boundaries at odd places. */
	for (size_t off = 0; off < n;) {
		size_t k = (off % 7919) + 1;

		if (k > n - off)
			k = n - off;
		ret = rx_call_send(call, out + off, k, false);
		if (ret)
			break;
		off += k;
	}
	got = rx_call_recv(call, in, n + 16);
	ret = rx_call_end(call, &code);
	if (ret == 0) {
		cr_assert_eq(got, (ssize_t)n, "echoed %zd bytes of %zu", got, n);
		cr_assert(memcmp(in, out, n) == 0, "echoed data differs");
	}
	free(in);
	free(out);
	return ret;
}

/* A call that must fail: its error. */
static int echo_expect_fail(struct rx_endpoint *ep, const struct sockaddr_in *to)
{
	uint8_t buf[4] = {0, 0, 0, OP_ECHO};
	struct rx_call *call;
	int err;

	call = rx_call_begin(ep, (const struct sockaddr *)to, sizeof(*to), SVC_ECHO, NULL, evloop_deadline_ms(3000),
			     NULL, &err);
	cr_assert_not_null(call);
	rx_call_send(call, buf, 4, true);
	rx_call_recv(call, buf, 4);
	return rx_call_end(call, NULL);
}

Test(rx_transport, echo_small_and_empty)
{
	struct pair p;

	pair_init(&p);
	cr_assert_eq(echo(p.cli, &p.srv_addr, 0, 1, 5000), 0);
	cr_assert_eq(echo(p.cli, &p.srv_addr, 1, 2, 5000), 0);
	cr_assert_eq(echo(p.cli, &p.srv_addr, 1412 - 4, 3, 5000), 0);
	cr_assert_eq(echo(p.cli, &p.srv_addr, 1412, 4, 5000), 0);
	cr_assert_eq(echo(p.cli, &p.srv_addr, 1413, 5, 5000), 0);
	pair_fini(&p);
}

Test(rx_transport, echo_large)
{
	struct pair p;
	struct rx_endpoint_stats st;

	pair_init(&p);
	cr_assert_eq(echo(p.cli, &p.srv_addr, 3 << 20, 6, 20000), 0);
	rx_endpoint_get_stats(p.cli, &st);
	cr_assert_gt(st.acks_in, 0);
	cr_assert_gt(st.rtt_last_us, 0, "no RTT sample taken");
	/* The peers advertise 4 packets per jumbogram: the bulk goes in them. */
	cr_assert_gt(st.jumbo_out, 0);
	cr_assert_gt(st.jumbo_in, 0);
	pair_fini(&p);
}

struct par_arg {
	struct pair *p;
	int idx;
	int ret;
};

static void *par_call(void *arg)
{
	struct par_arg *a = arg;

	a->ret = echo(a->p->cli, &a->p->srv_addr, 100000 + (size_t)a->idx * 1000, (uint32_t)a->idx, 20000);
	return NULL;
}

Test(rx_transport, concurrent_calls_use_channels_and_connections)
{
	struct pair p;
	pthread_t th[10];
	struct par_arg a[10];

	pair_init(&p);
	for (int i = 0; i < 10; i++) {
		a[i] = (struct par_arg){.p = &p, .idx = i};
		pthread_create(&th[i], NULL, par_call, &a[i]);
	}
	for (int i = 0; i < 10; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(a[i].ret, 0, "call %d: %d", i, a[i].ret);
	}
	pair_fini(&p);
}

/* The transport reads only Rx's own codes: a service's abort reaches the
 * caller as -EREMOTEIO with its raw code, for the protocol on top. */
Test(rx_transport, server_abort_reaches_the_client)
{
	struct pair p;
	struct rx_call *call;
	uint8_t req[8] = {0, 0, 0, OP_ABORT, 0x02, 0xf6, 0xdf, 0x01}; /* APP_ABORT_NOENT */
	uint8_t buf[16];
	int err, ret;
	int32_t code;

	pair_init(&p);
	call = rx_call_begin(p.cli, (struct sockaddr *)&p.srv_addr, sizeof(p.srv_addr), SVC_ECHO, NULL,
			     evloop_deadline_ms(5000), NULL, &err);
	cr_assert_eq(rx_call_send(call, req, sizeof(req), true), 0);
	cr_assert_eq(rx_call_recv(call, buf, sizeof(buf)), -EREMOTEIO);
	ret = rx_call_end(call, &code);
	cr_assert_eq(ret, -EREMOTEIO);
	cr_assert_eq(code, APP_ABORT_NOENT);
	/* An unknown operation: the handler's own code for it. */
	req[3] = 9;
	call = rx_call_begin(p.cli, (struct sockaddr *)&p.srv_addr, sizeof(p.srv_addr), SVC_ECHO, NULL,
			     evloop_deadline_ms(5000), NULL, &err);
	cr_assert_eq(rx_call_send(call, req, 4, true), 0);
	cr_assert_eq(rx_call_recv(call, buf, sizeof(buf)), -EREMOTEIO);
	cr_assert_eq(rx_call_end(call, &code), -EREMOTEIO);
	cr_assert_eq(code, APP_ABORT_OPCODE);
	/* The connection still works afterwards. */
	cr_assert_eq(echo(p.cli, &p.srv_addr, 5000, 7, 5000), 0);
	pair_fini(&p);
}

Test(rx_transport, unknown_service_is_refused)
{
	struct pair p;
	struct rx_call *call;
	uint8_t buf[4] = {0};
	int err;
	int32_t code;

	pair_init(&p);
	call = rx_call_begin(p.cli, (struct sockaddr *)&p.srv_addr, sizeof(p.srv_addr), SVC_ECHO + 1, NULL,
			     evloop_deadline_ms(5000), NULL, &err);
	rx_call_send(call, buf, 4, true);
	cr_assert_lt(rx_call_recv(call, buf, 4), 0);
	rx_call_end(call, &code);
	cr_assert_eq(code, RX_INVALID_OPERATION);
	pair_fini(&p);
}

Test(rx_transport, deadline_and_keepalive)
{
	struct pair p;
	struct rx_call *call;
	uint8_t req[8] = {0, 0, 0, OP_SLOW, 0, 0, 0x05, 0xdc}; /* 1500 ms */
	uint8_t buf[8];
	uint64_t t0;
	int err;
	int32_t code;

	pair_init(&p);
	/* The server takes 1.5 s; a 500 ms deadline fails first. */
	t0 = evloop_now_ns();
	call = rx_call_begin(p.cli, (struct sockaddr *)&p.srv_addr, sizeof(p.srv_addr), SVC_ECHO, NULL,
			     evloop_deadline_ms(500), NULL, &err);
	cr_assert_eq(rx_call_send(call, req, sizeof(req), true), 0);
	cr_assert_eq(rx_call_recv(call, buf, sizeof(buf)), -ETIMEDOUT);
	cr_assert_eq(rx_call_end(call, &code), -ETIMEDOUT);
	cr_assert_eq(code, RX_CALL_TIMEOUT);
	cr_assert_lt(evloop_now_ns() - t0, 1000 * EVLOOP_NS_PER_MS);
	/* With time enough it completes. */
	call = rx_call_begin(p.cli, (struct sockaddr *)&p.srv_addr, sizeof(p.srv_addr), SVC_ECHO, NULL,
			     evloop_deadline_ms(5000), NULL, &err);
	cr_assert_eq(rx_call_send(call, req, sizeof(req), true), 0);
	cr_assert_eq(rx_call_recv(call, buf, sizeof(buf)), 4);
	cr_assert_eq(rx_call_end(call, NULL), 0);
	pair_fini(&p);
}

struct firer {
	struct evloop_cancel *tok;
	unsigned after_ms;
	uint64_t fired_ns;
};

static void *fire_later(void *arg)
{
	struct firer *f = arg;

	usleep(f->after_ms * 1000);
	f->fired_ns = evloop_now_ns();
	evloop_cancel_fire(f->tok, -EINTR);
	return NULL;
}

/* A caller's cancel token (a FUSE interrupt) ends a call waiting on a slow
 * server at once, aborts it at the server, and leaves the endpoint usable. */
Test(rx_transport, cancel_token_aborts_a_waiting_call)
{
	struct pair p;
	struct rx_call *call;
	uint8_t req[8] = {0, 0, 0, OP_SLOW, 0, 0, 0x0b, 0xb8}; /* 3000 ms */
	uint8_t buf[8];
	struct evloop_cancel tok;
	struct firer f = {.tok = &tok, .after_ms = 100};
	struct rx_endpoint_stats st;
	pthread_t th;
	uint64_t t0, back;
	int err;
	int32_t code;

	pair_init(&p);
	evloop_cancel_init(&tok);
	t0 = evloop_now_ns();
	call = rx_call_begin(p.cli, (struct sockaddr *)&p.srv_addr, sizeof(p.srv_addr), SVC_ECHO, NULL,
			     evloop_deadline_ms(10000), &tok, &err);
	cr_assert_not_null(call);
	cr_assert_eq(rx_call_send(call, req, sizeof(req), true), 0);
	cr_assert_eq(pthread_create(&th, NULL, fire_later, &f), 0);
	cr_assert_eq(rx_call_recv(call, buf, sizeof(buf)), -EINTR);
	back = evloop_now_ns();
	pthread_join(th, NULL);
	cr_assert_eq(rx_call_end(call, &code), -EINTR);
	cr_assert_eq(code, RX_USER_ABORT);
	/* Back long before the server could have answered. */
	cr_assert_lt(back - t0, 3000 * EVLOOP_NS_PER_MS, "returned %llu ms after the start",
		     (unsigned long long)((back - t0) / EVLOOP_NS_PER_MS));
	cr_assert_geq(back, f.fired_ns);
	for (int i = 0; i < 100; i++) {
		rx_endpoint_get_stats(p.srv, &st);
		if (st.aborts_in)
			break;
		usleep(10000);
	}
	cr_assert_geq(st.aborts_in, 1, "the server was told (RX_USER_ABORT)");
	/* A token that fired already refuses a new call before anything is sent. */
	call = rx_call_begin(p.cli, (struct sockaddr *)&p.srv_addr, sizeof(p.srv_addr), SVC_ECHO, NULL,
			     evloop_deadline_ms(5000), &tok, &err);
	cr_assert_null(call);
	cr_assert_eq(err, -EINTR);
	evloop_cancel_destroy(&tok);
	/* The endpoint goes on. */
	cr_assert_eq(echo(p.cli, &p.srv_addr, 5000, 7, 5000), 0);
	pair_fini(&p);
}

Test(rx_transport, nothing_listens)
{
	struct pair p;
	struct sockaddr_in dead = {0};
	struct rx_call *call;
	uint8_t buf[4] = {0};
	uint64_t t0;
	int err, fd;
	socklen_t len = sizeof(dead);
	char ver[66];

	pair_init(&p);
	/* A port that was just free. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	dead.sin_family = AF_INET;
	dead.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&dead, sizeof(dead));
	getsockname(fd, (struct sockaddr *)&dead, &len);
	close(fd);

	t0 = evloop_now_ns();
	call = rx_call_begin(p.cli, (struct sockaddr *)&dead, sizeof(dead), SVC_ECHO, NULL, evloop_deadline_ms(3000),
			     NULL, &err);
	rx_call_send(call, buf, 4, true);
	cr_assert_eq(rx_call_recv(call, buf, 4), -ECONNREFUSED);
	cr_assert_eq(rx_call_end(call, NULL), -ECONNREFUSED);
	cr_assert_lt(evloop_now_ns() - t0, 3000 * EVLOOP_NS_PER_MS);
	cr_assert_eq(
	    rx_endpoint_get_version(p.cli, (struct sockaddr *)&dead, sizeof(dead), ver, evloop_deadline_ms(2000)),
	    -ECONNREFUSED);
	pair_fini(&p);
}

Test(rx_transport, version)
{
	struct pair p;
	char ver[66];

	pair_init(&p);
	cr_assert_eq(rx_endpoint_get_version(p.cli, (struct sockaddr *)&p.srv_addr, sizeof(p.srv_addr), ver,
					     evloop_deadline_ms(3000)),
		     0);
	cr_assert(strncmp(ver, "netfuse ", 8) == 0, "version '%s'", ver);
	pair_fini(&p);
}

Test(rx_transport, lossy_relay)
{
	struct pair p;
	struct udp_relay *r;
	struct udp_relay_config rc = {.drop_pct = 4, .dup_pct = 2, .reorder_pct = 3, .seed = 42};
	struct sockaddr_in via;
	struct udp_relay_stats rs;

	pair_init(&p);
	rc.target = p.srv_addr;
	r = udp_relay_start(&rc, &via);
	cr_assert_not_null(r);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(echo(p.cli, &via, 1 << 20, (uint32_t)(100 + i), 30000), 0, "call %d", i);
	cr_assert_eq(echo(p.cli, &via, 10, 200, 30000), 0);
	udp_relay_stop(r, &rs);
	cr_assert_gt(rs.dropped, 0);
	cr_assert_gt(rs.duplicated, 0);
	cr_assert_gt(rs.reordered, 0);
	pair_fini(&p);
}

/* ---- health events ------------------------------------------------------------------------ */

static struct health_queue *health_running(void)
{
	struct health_queue *q = health_queue_new(64, true);
	struct health_event ev = {.domain = HEALTH_DOMAIN_MOUNT, .type = HEALTH_RUNNING};

	snprintf(ev.source, sizeof(ev.source), "test");
	cr_assert_eq(health_emit(q, &ev), 0);
	return q;
}

static char *health_text(struct health_queue *q)
{
	static char buf[16384];
	struct health_reader r;
	ssize_t n;
	size_t len = 0;

	health_reader_init(q, &r);
	while ((n = health_read(q, &r, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return buf;
}

static struct rx_endpoint *endpoint_on(uint16_t port, struct health_queue *q, unsigned max_server_calls,
				       unsigned busy_storm)
{
	struct rx_endpoint_config c;
	struct sockaddr_in *sin = (struct sockaddr_in *)&c.bind_addr;
	struct rx_endpoint *ep;
	int err = 0;

	rx_endpoint_config_default(&c);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(port);
	c.bind_len = sizeof(*sin);
	c.health = q;
	if (max_server_calls)
		c.max_server_calls = max_server_calls;
	if (busy_storm)
		c.tun.busy_storm = busy_storm;
	ep = rx_endpoint_new(&c, &err);
	cr_assert_not_null(ep, "rx_endpoint_new: %s", strerror(-err));
	return ep;
}

Test(rx_transport, health_unreachable_then_back)
{
	struct health_queue *q = health_running();
	struct rx_endpoint *cli = endpoint_on(0, q, 0, 0), *srv;
	struct sockaddr_in dead = {0};
	socklen_t len = sizeof(dead);
	char want[128];
	const char *text;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	dead.sin_family = AF_INET;
	dead.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&dead, sizeof(dead));
	getsockname(fd, (struct sockaddr *)&dead, &len);
	close(fd);
	cr_assert_eq(echo_expect_fail(cli, &dead), -ECONNREFUSED);
	/* Now something serves that port: the next call works and the peer
	 * is reported back. */
	srv = endpoint_on(ntohs(dead.sin_port), NULL, 0, 0);
	cr_assert_eq(rx_service_register(srv, SVC_ECHO, NULL, echo_handler, NULL), 0);
	cr_assert_eq(echo(cli, &dead, 100, 1, 5000), 0);
	text = health_text(q);
	snprintf(want, sizeof(want), "\"addr\":\"127.0.0.1:%u\"", ntohs(dead.sin_port));
	cr_assert(strstr(text, "\"type\":\"session_lost\""), "%s", text);
	cr_assert(strstr(text, "\"type\":\"session_established\""), "%s", text);
	cr_assert(strstr(text, "ECONNREFUSED"), "%s", text);
	cr_assert(strstr(text, want), "%s", text);
	cr_assert(strstr(text, "\"server\":\"rx service 77\""), "%s", text);
	rx_endpoint_free(cli);
	rx_endpoint_free(srv);
	health_queue_free(q);
}

Test(rx_transport, health_rx_level_abort)
{
	struct health_queue *q = health_running();
	struct rx_endpoint *cli = endpoint_on(0, q, 0, 0), *srv = endpoint();
	struct sockaddr_storage ss;
	socklen_t len;
	uint8_t req[8] = {0, 0, 0, OP_ABORT, 0xff, 0xff, 0xff, 0xfb}; /* RX_PROTOCOL_ERROR */
	uint8_t buf[4];
	struct rx_call *call;
	int err;
	const char *text;

	cr_assert_eq(rx_service_register(srv, SVC_ECHO, NULL, echo_handler, NULL), 0);
	rx_endpoint_local_addr(srv, &ss, &len);
	call = rx_call_begin(cli, (struct sockaddr *)&ss, len, SVC_ECHO, NULL, evloop_deadline_ms(5000), NULL, &err);
	rx_call_send(call, req, sizeof(req), true);
	cr_assert_eq(rx_call_recv(call, buf, sizeof(buf)), -EPROTO);
	rx_call_end(call, NULL);
	text = health_text(q);
	cr_assert(strstr(text, "\"type\":\"io_error\""), "%s", text);
	cr_assert(strstr(text, "RX_PROTOCOL_ERROR"), "%s", text);
	rx_endpoint_free(cli);
	rx_endpoint_free(srv);
	health_queue_free(q);
}

struct slow_arg {
	struct rx_endpoint *ep;
	struct sockaddr_storage to;
	socklen_t len;
	int ret;
};

static void *slow_call(void *arg)
{
	struct slow_arg *a = arg;
	uint8_t req[8] = {0, 0, 0, OP_SLOW, 0, 0, 0x05, 0xdc}; /* 1500 ms */
	uint8_t buf[8];
	int err;
	struct rx_call *call = rx_call_begin(a->ep, (struct sockaddr *)&a->to, a->len, SVC_ECHO, NULL,
					     evloop_deadline_ms(10000), NULL, &err);

	rx_call_send(call, req, sizeof(req), true);
	rx_call_recv(call, buf, sizeof(buf));
	a->ret = rx_call_end(call, NULL);
	return NULL;
}

Test(rx_transport, health_busy_storm)
{
	struct health_queue *q = health_running();
	struct rx_endpoint *cli = endpoint_on(0, q, 0, 2), *srv = endpoint_on(0, NULL, 1, 0);
	struct slow_arg a = {.ep = cli};
	struct rx_endpoint_stats st;
	pthread_t th;
	const char *text;

	cr_assert_eq(rx_service_register(srv, SVC_ECHO, NULL, echo_handler, NULL), 0);
	rx_endpoint_local_addr(srv, &a.to, &a.len);
	/* The server runs one call at a time: a second one meanwhile is
	 * answered BUSY until the first is done, then runs. */
	pthread_create(&th, NULL, slow_call, &a);
	usleep(100 * 1000);
	cr_assert_eq(echo(cli, (struct sockaddr_in *)&a.to, 10, 1, 10000), 0);
	pthread_join(th, NULL);
	cr_assert_eq(a.ret, 0);
	rx_endpoint_get_stats(cli, &st);
	cr_assert_geq(st.busy_in, 2);
	text = health_text(q);
	cr_assert(strstr(text, "\"type\":\"sick\""), "%s", text);
	cr_assert(strstr(text, "BUSY"), "%s", text);
	cr_assert(strstr(text, "\"type\":\"healthy\""), "%s", text);
	rx_endpoint_free(cli);
	rx_endpoint_free(srv);
	health_queue_free(q);
}

Test(rx_transport, reply_before_reading_the_whole_request)
{
	struct pair p;
	struct rx_call *call;
	size_t n = 200000;
	uint8_t *req = calloc(1, n), buf[8];
	int err;

	pair_init(&p);
	req[3] = OP_EARLY;
	call = rx_call_begin(p.cli, (struct sockaddr *)&p.srv_addr, sizeof(p.srv_addr), SVC_ECHO, NULL,
			     evloop_deadline_ms(10000), NULL, &err);
	/* Far more than the window: the server must drop what it does not
	 * read, or the request never completes. */
	cr_assert_eq(rx_call_send(call, req, n, true), 0);
	cr_assert_eq(rx_call_recv(call, buf, sizeof(buf)), 2);
	cr_assert(memcmp(buf, "ok", 2) == 0);
	cr_assert_eq(rx_call_end(call, NULL), 0);
	free(req);
	pair_fini(&p);
}

/*
 * OpenAFS starts a call's send window at the rwind of the last ACK its
 * channel got (conn->twind[channel]): a client's final ACK must offer the
 * whole window even when the reader has not taken any of the reply yet, or
 * the next call on the channel sits until a keepalive PING. Here a raw
 * socket plays the server: three reply packets, none read by the client.
 */
Test(rx_transport, final_ack_offers_the_whole_window)
{
	struct rx_endpoint_config c;
	struct rx_endpoint *ep = endpoint();
	struct sockaddr_in srv = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}, from;
	struct timeval tv = {.tv_sec = 5};
	socklen_t len = sizeof(srv);
	struct rx_header req, h;
	struct rx_ack ack;
	struct rx_call *call;
	uint8_t pkt[2048], payload[100] = {0}, buf[400];
	bool final = false;
	int err, fd;

	rx_endpoint_config_default(&c);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&srv, sizeof(srv)), 0);
	getsockname(fd, (struct sockaddr *)&srv, &len);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	call = rx_call_begin(ep, (struct sockaddr *)&srv, sizeof(srv), SVC_ECHO, NULL, evloop_deadline_ms(5000), NULL,
			     &err);
	cr_assert_not_null(call);
	cr_assert_eq(rx_call_send(call, "req", 4, true), 0);
	do {
		ssize_t n;

		len = sizeof(from);
		n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &len);
		cr_assert_gt(n, 0, "no request from the client");
		cr_assert_eq(rx_header_decode(pkt, (size_t)n, &req), 0);
	} while (req.type != RX_PACKET_TYPE_DATA);

	for (uint32_t seq = 1; seq <= 3; seq++) {
		ssize_t n;

		h = req;
		h.seq = seq;
		h.serial = 100 + seq;
		h.flags = seq == 3 ? RX_LAST_PACKET : 0;
		n = rx_packet_build(&h, payload, sizeof(payload), pkt, sizeof(pkt));
		cr_assert_gt(n, 0);
		cr_assert_eq(sendto(fd, pkt, (size_t)n, 0, (struct sockaddr *)&from, len), n);
	}
	/* The client's ACKs until the one that covers all three packets. */
	for (int i = 0; i < 50 && !final; i++) {
		ssize_t n = recvfrom(fd, pkt, sizeof(pkt), 0, NULL, NULL);

		cr_assert_gt(n, 0, "no final ACK from the client");
		cr_assert_eq(rx_header_decode(pkt, (size_t)n, &h), 0);
		if (h.type != RX_PACKET_TYPE_ACK)
			continue;
		cr_assert_eq(rx_ack_decode(pkt + RX_HEADER_LEN, (size_t)n - RX_HEADER_LEN, &ack), 0);
		if (ack.first_packet == 4) {
			final = true;
			cr_assert_geq(ack.ntrailer, 3);
			cr_assert_eq(ack.rwind, c.tun.rx_window, "final ACK offers %u packets, not the whole window %u",
				     ack.rwind, c.tun.rx_window);
		}
	}
	cr_assert(final);
	cr_assert_eq(rx_call_recv(call, buf, sizeof(buf)), 3 * (ssize_t)sizeof(payload));
	cr_assert_eq(rx_call_end(call, NULL), 0);
	close(fd);
	rx_endpoint_free(ep);
}
