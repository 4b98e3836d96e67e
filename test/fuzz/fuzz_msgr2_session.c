/*
 * Fuzz target: cephmon/msgr/msgr2_session.c fed a hostile monitor's byte stream.
 * Byte 0: bits 0-1 the ms_mode (enum ceph_ms_mode), bits 2-7 the chunk size
 * the stream is fed in (0: all at once). The rest is what the "monitor"
 * sends. The client's side is deterministic (fixed nonce, global_seq,
 * addresses, and an auth method that always yields the same session key
 * and connection secret), so a recorded server transcript (the seeds, from
 * test_msgr2_session with MSGR2_SESSION_DUMP) replays to an open session
 * and the fuzzer can explore past the handshake.
 * Invariants: at most one "up" and one "down", never "up" after "down",
 * messages only while open, and a down session refuses further input; a
 * large message's data lands in the reader's buffer (rx_data, for odd
 * tids) only for the message it was given for, and never once taken back
 * (tids divisible by 3, between chunks).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/msgr2_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct msgr2_session *s;
	int ups, downs, msgs;
	bool given, revoked; /* the reader's buffer (rx_data) */
	uint64_t given_tid;
};

static uint8_t reader_buf[1 << 20];

static int f_request(void *arg, struct wire_enc *out, char *why, size_t whylen)
{
	(void)arg, (void)why, (void)whylen;
	wire_enc_bytes(out, "req", 3);
	return 0;
}

static int f_more(void *arg, const uint8_t *p, size_t len, uint64_t now, struct wire_enc *out, char *why, size_t whylen)
{
	(void)arg, (void)p, (void)len, (void)now, (void)why, (void)whylen;
	wire_enc_bytes(out, "resp", 4);
	return 0;
}

static int f_done(void *arg, uint64_t gid, const uint8_t *p, size_t len, uint64_t now, struct msgr2_auth_result *res,
		  char *why, size_t whylen)
{
	(void)arg, (void)gid, (void)p, (void)len, (void)now, (void)why, (void)whylen;
	memcpy(res->session_key, "0123456789abcdef", 16);
	res->session_key_len = 16;
	for (size_t i = 0; i < 64; i++)
		res->con_secret[i] = (uint8_t)(0xa0 + i);
	res->con_secret_len = 64;
	return 0;
}

static int f_refused(void *arg, int32_t result, char *why, size_t whylen)
{
	(void)arg, (void)result, (void)why, (void)whylen;
	return -EACCES;
}

static const struct msgr2_auth_ops ops = {2, "fake-cephx", f_request, f_more, f_done, f_refused};

static void on_up(void *arg, uint64_t gid, uint32_t mode)
{
	struct fz *z = arg;
	(void)gid, (void)mode;
	if (z->ups || z->downs)
		abort();
	z->ups++;
	/* Traffic the other way while the fuzzer talks. */
	if (msgr2_session_send_msg(z->s, 13, 2, 1, "statfs", 6) <= 0 || msgr2_session_keepalive(z->s, 1234) != 0)
		abort();
}

static void on_msg(void *arg, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front, size_t len,
		   const uint8_t *middle, size_t middle_len, const uint8_t *data, size_t dlen)
{
	struct fz *z = arg;
	bool in_reader = data && data >= reader_buf && data < reader_buf + sizeof(reader_buf);
	(void)type, (void)version;
	if ((middle_len && !middle) || !z->ups || z->downs || (len && !front) || dlen > (64u << 20))
		abort();
	/* the reader's buffer holds only the message it was given for, until revoked */
	if (in_reader && (!z->given || z->revoked || tid != z->given_tid || data != reader_buf))
		abort();
	if (z->given && tid == z->given_tid)
		z->given = z->revoked = false;
	z->msgs++;
}

/* Odd tids get the reader's buffer when it holds them (and is free). */
static uint8_t *on_rx_data(void *arg, uint16_t type, uint64_t tid, const uint8_t *front, size_t len, size_t dlen)
{
	struct fz *z = arg;
	(void)type, (void)front, (void)len;
	if (!z->ups || z->downs || dlen < MSGR2_RX_DIRECT_MIN)
		abort();
	if (!(tid & 1) || dlen > sizeof(reader_buf) || (z->given && !z->revoked))
		return NULL;
	z->given = true;
	z->revoked = false;
	z->given_tid = tid;
	return reader_buf;
}

static void on_ack(void *arg, uint64_t stamp)
{
	struct fz *z = arg;
	(void)stamp;
	if (!z->ups || z->downs)
		abort();
}

static void on_down(void *arg, int err, const char *why)
{
	struct fz *z = arg;
	if (z->downs || err >= 0 || !why || !why[0])
		abort();
	z->downs++;
}

static const struct msgr2_session_cbs cbs = {on_up, on_msg, on_ack, on_down, on_rx_data};

static void drain(struct msgr2_session *s)
{
	const uint8_t *p;
	size_t n;

	while ((n = msgr2_session_pending_tx(s, &p)) > 0)
		msgr2_session_tx_done(s, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z = {0};
	struct msgr2_auth_provider prov = {&ops, NULL};
	struct msgr2_session_params p = {.peer_type = CEPH_ENTITY_TYPE_MON,
					 .auth = &prov,
					 .nauth = 1,
					 .global_seq = 7,
					 .nonce = 0x1234,
					 .cb = &cbs,
					 .cb_arg = &z};
	struct sockaddr_in *sin = (struct sockaddr_in *)&p.peer_addr.ss;
	size_t chunk;

	if (size < 1)
		return 0;
	p.peer_addr.type = CEPH_ADDR_MSGR2;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(3300);
	inet_pton(AF_INET, "10.0.0.1", &sin->sin_addr);
	p.ms_mode = (enum ceph_ms_mode)(data[0] & 3);
	chunk = data[0] >> 2;
	data++;
	size--;
	z.s = msgr2_session_new(&p);
	if (!z.s)
		return 0;
	drain(z.s);
	for (size_t o = 0; o < size;) {
		size_t n = chunk && size - o > chunk ? chunk : size - o;
		ssize_t r = msgr2_session_feed(z.s, data + o, n, 1000000000ull);

		if (r < 0) {
			if (!z.downs || msgr2_session_feed(z.s, data, 1, 0) != -ENOTCONN)
				abort();
			break;
		}
		if ((size_t)r != n)
			abort();
		drain(z.s);
		/* tids divisible by 3 are taken back on the way */
		if (z.given && !z.revoked && z.given_tid % 3 == 0) {
			if (msgr2_session_rx_revoke(z.s, reader_buf))
				abort();
			z.revoked = true;
		}
		o += n;
	}
	if (z.downs && msgr2_session_is_open(z.s))
		abort();
	/* To see where a seed gets to. */
	if (getenv("FUZZ_MSGR2_SESSION_VERBOSE"))
		fprintf(stderr, "ups=%d downs=%d msgs=%d\n", z.ups, z.downs, z.msgs);
	msgr2_session_free(z.s);
	return 0;
}
