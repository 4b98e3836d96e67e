/*
 * test/unit/test_msgr2_conn.c: the msgr2 connection driver (msgr2_conn)
 * on a real evloop over real loopback TCP, against the fake daemon of
 * test/lib/msgr2_fake_peer run on the test's thread with blocking
 * sockets: connect and handshake to "up", messages both ways, keepalive
 * acks, revoke before the first byte, reopen, and every way it ends
 * (refused connect reported from the loop, the peer closing, a corrupted
 * frame, a HELLO from another peer type, the owner closing inside a
 * callback). Waits are bounded (WAIT_S); no test asserts a duration.
 *
 * The test plays the owner: its mutex is the driver's params.lock, its
 * callbacks record events under it, and it calls the driver on the loop
 * thread (evloop_call_sync) with that mutex held, as monc_loop does.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cephmon/msgr/msgr2_conn.h"
#include "evloop/evloop.h"
#include "test/lib/msgr2_fake_peer.h"

#define WAIT_S 10

static struct {
	struct evloop *loop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct msgr2_conn *conn;
	uint64_t global_seq;
	struct fake_auth auth;
	struct msgr2_auth_provider prov;
	int lfd; /* our listener */
	struct ceph_entity_addr addr;
	uint32_t expect_type; /* what the client expects the peer to be */

	/* events, under lock */
	int ups, downs, msgs, acks;
	int down_err, downs_inside_open;
	char why[256];
	uint32_t con_mode;
	uint64_t global_id, peer_features, ack_stamp;
	uint16_t msg_type;
	uint64_t msg_tid;
	char front[64];
	bool close_on_msg; /* the owner closes from inside its msg callback */

	/* the fake daemon's side */
	struct fake_peer fp;
	int fd;
} T;

/* ---- the owner's callbacks (under T.lock) ------------------------------------------------ */

static void on_up(void *arg, struct msgr2_conn *c, uint64_t global_id, uint32_t con_mode, uint64_t peer_features)
{
	(void)arg, (void)c;
	T.ups++;
	T.global_id = global_id;
	T.con_mode = con_mode;
	T.peer_features = peer_features;
	pthread_cond_broadcast(&T.cond);
}

static void on_msg(void *arg, struct msgr2_conn *c, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front,
		   size_t len, const uint8_t *middle, size_t middle_len, const uint8_t *data, size_t dlen)
{
	(void)arg, (void)version, (void)middle, (void)middle_len, (void)data, (void)dlen;
	T.msgs++;
	T.msg_type = type;
	T.msg_tid = tid;
	snprintf(T.front, sizeof(T.front), "%.*s", (int)len, (const char *)front);
	if (T.close_on_msg) {
		msgr2_conn_close(c);
		T.conn = NULL;
	}
	pthread_cond_broadcast(&T.cond);
}

static void on_ack(void *arg, struct msgr2_conn *c, uint64_t stamp)
{
	(void)arg, (void)c;
	T.acks++;
	T.ack_stamp = stamp;
	pthread_cond_broadcast(&T.cond);
}

/* As monc does: the owner closes a connection that went down at once. */
static void on_down(void *arg, struct msgr2_conn *c, int err, const char *why)
{
	(void)arg;
	T.downs++;
	T.down_err = err;
	snprintf(T.why, sizeof(T.why), "%s", why);
	cr_assert_eq(c, T.conn, "down for a connection the owner does not hold");
	msgr2_conn_close(c);
	T.conn = NULL;
	pthread_cond_broadcast(&T.cond);
}

static const struct msgr2_conn_cbs cbs = {on_up, on_msg, on_ack, on_down, NULL};

/* ---- the owner's calls, on the loop thread with T.lock held ------------------------------ */

static void call_locked(void (*fn)(void *), void *arg)
{
	cr_assert_eq(evloop_call_sync(T.loop, fn, arg, evloop_deadline_ms(WAIT_S * 1000)), 0);
}

static int open_r;

static void open_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&T.lock);
	struct msgr2_conn_params p = {
	    .loop = T.loop,
	    .lock = &T.lock,
	    .peer_addr = T.addr,
	    .peer_type = T.expect_type,
	    .ms_mode = CEPH_MS_MODE_CRC,
	    .auth = &T.prov,
	    .nauth = 1,
	    .global_seq = &T.global_seq,
	    .nonce = 0x1234,
	    .cb = &cbs,
	    .cb_arg = NULL,
	};
	int before = T.downs;
	open_r = msgr2_conn_open(&p, &T.conn);
	T.downs_inside_open += T.downs - before;
	pthread_mutex_unlock(&T.lock);
}

static void reopen_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&T.lock);
	open_r = msgr2_conn_reopen(T.conn, &T.conn);
	pthread_mutex_unlock(&T.lock);
}

struct send_args {
	uint16_t type;
	uint64_t tid;
	const char *front;
	int r;
};

static void send_fn(void *arg)
{
	struct send_args *a = arg;

	pthread_mutex_lock(&T.lock);
	a->r = msgr2_conn_send(T.conn, a->type, 1, a->tid, a->front, strlen(a->front));
	pthread_mutex_unlock(&T.lock);
}

static int revoke_r[3];

/* Queue tids 5 and 6, revoke 6 before anything is written, then queue 7. */
static void send_revoke_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&T.lock);
	revoke_r[0] = msgr2_conn_send(T.conn, 13, 1, 5, "five", 4);
	revoke_r[1] = msgr2_conn_send(T.conn, 13, 1, 6, "six", 3);
	revoke_r[2] = msgr2_conn_revoke(T.conn, 6);
	cr_assert_eq(msgr2_conn_send(T.conn, 13, 1, 7, "seven", 5), 0);
	pthread_mutex_unlock(&T.lock);
}

static int late_revoke_r;

static void late_revoke_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&T.lock);
	late_revoke_r = msgr2_conn_revoke(T.conn, 5);
	pthread_mutex_unlock(&T.lock);
}

static int keepalive_r;

static void keepalive_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&T.lock);
	keepalive_r = msgr2_conn_keepalive(T.conn);
	pthread_mutex_unlock(&T.lock);
}

static void close_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&T.lock);
	msgr2_conn_close(T.conn);
	T.conn = NULL;
	pthread_mutex_unlock(&T.lock);
}

/* Wait until *@counter reaches @want (false after WAIT_S). */
static bool wait_for(const int *counter, int want)
{
	uint64_t deadline = evloop_deadline_ms(WAIT_S * 1000);
	bool ok;

	pthread_mutex_lock(&T.lock);
	while (*counter < want && evloop_cond_wait(&T.cond, &T.lock, deadline) != ETIMEDOUT)
		;
	ok = *counter >= want;
	pthread_mutex_unlock(&T.lock);
	return ok;
}

/* ---- the fake daemon's socket --------------------------------------------------------------- */

static void peer_write(struct fake_peer *fp, const uint8_t *p, size_t n)
{
	(void)fp;
	while (n) {
		ssize_t w = send(T.fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return; /* the client is gone: the test's assertions say what that means */
		p += w;
		n -= (size_t)w;
	}
}

static size_t peer_pull(struct fake_peer *fp)
{
	uint8_t buf[65536];
	struct pollfd pfd = {T.fd, POLLIN, 0};
	ssize_t n;

	if (poll(&pfd, 1, WAIT_S * 1000) <= 0)
		return 0;
	n = recv(T.fd, buf, sizeof(buf), 0);
	if (n <= 0)
		return 0;
	wire_enc_bytes(&fp->in, buf, (size_t)n);
	return (size_t)n;
}

static void peer_accept(uint32_t peer_type)
{
	struct pollfd pfd = {T.lfd, POLLIN, 0};

	cr_assert_eq(poll(&pfd, 1, WAIT_S * 1000), 1, "the driver never connected");
	T.fd = accept4(T.lfd, NULL, NULL, SOCK_CLOEXEC);
	cr_assert_geq(T.fd, 0);
	fake_peer_fini(&T.fp);
	fake_peer_init(&T.fp, peer_type);
	T.fp.to_client = peer_write;
	T.fp.pull = peer_pull;
	T.fp.my_addr = T.addr;
	fx_addr_in4(&T.fp.client_seen, CEPH_ADDR_MSGR2, "127.0.0.1", 40000, 0);
}

static void peer_close(void)
{
	if (T.fd >= 0)
		close(T.fd);
	T.fd = -1;
}

static void setup(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);

	memset(&T, 0, sizeof(T));
	T.fd = -1;
	T.expect_type = CEPH_ENTITY_TYPE_MON;
	pthread_mutex_init(&T.lock, NULL);
	evloop_cond_init(&T.cond);
	T.auth.secret_len = 0;
	T.prov = (struct msgr2_auth_provider){&fake_auth_ops, &T.auth};
	fake_peer_init(&T.fp, CEPH_ENTITY_TYPE_MON);
	T.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(T.lfd, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(T.lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(T.lfd, 4), 0);
	cr_assert_eq(getsockname(T.lfd, (struct sockaddr *)&sin, &sl), 0);
	fx_addr_in4(&T.addr, CEPH_ADDR_MSGR2, "127.0.0.1", ntohs(sin.sin_port), 0);
	T.loop = evloop_new("test-conn");
	cr_assert_not_null(T.loop);
	cr_assert_eq(evloop_start(T.loop), 0);
}

static void teardown(void)
{
	if (T.conn)
		call_locked(close_fn, NULL);
	evloop_free(T.loop);
	peer_close();
	close(T.lfd);
	fake_peer_fini(&T.fp);
	pthread_cond_destroy(&T.cond);
	pthread_mutex_destroy(&T.lock);
}

TestSuite(msgr2_conn, .init = setup, .fini = teardown);

/* Connect, then the whole handshake in crc mode up to the "up" callback. */
static void connect_and_handshake(uint64_t want_global_seq)
{
	static const struct msgr2_u32_list crc_only = {1, {MSGR2_CON_MODE_CRC}};
	struct msgr2_client_ident ci;
	int ups = T.ups;

	call_locked(open_fn, NULL);
	cr_assert_eq(open_r, 0);
	peer_accept(CEPH_ENTITY_TYPE_MON);
	fake_peer_banner(&T.fp);
	fake_peer_hello(&T.fp);
	fake_peer_auth_rounds(&T.fp, 2, &crc_only);
	fake_peer_auth_done(&T.fp, MSGR2_CON_MODE_CRC);
	fake_peer_signatures(&T.fp, true);
	fake_peer_client_ident(&T.fp, &ci);
	cr_assert_eq(ci.global_id, 4242);
	cr_assert_eq(ci.global_seq, want_global_seq);
	cr_assert_eq(T.ups, ups, "up before SERVER_IDENT");
	fake_peer_server_ident(&T.fp, 0);
	cr_assert(wait_for(&T.ups, ups + 1), "no up: %s", T.why);
	cr_assert_eq(T.downs, 0, "down: %s", T.why);
	cr_assert_eq(T.global_id, 4242);
	cr_assert_eq(T.con_mode, MSGR2_CON_MODE_CRC);
	cr_assert_eq(T.peer_features, 0x3f01cfbdfffdffffULL);
}

Test(msgr2_conn, handshake_messages_keepalive_and_revoke)
{
	struct msgr2_frame f;
	struct msgr2_msg_header h;
	struct msgr2_timespec ts;
	struct wire_enc e;
	uint64_t v64;

	connect_and_handshake(1);

	/* Peer -> owner. */
	fake_peer_send_msg(&T.fp, 1, 4, 0, "monmap-front");
	cr_assert(wait_for(&T.msgs, 1));
	cr_assert_eq(T.msg_type, 4);
	cr_assert_str_eq(T.front, "monmap-front");
	fake_peer_recv(&T.fp, MSGR2_TAG_ACK, &f);
	cr_assert_eq(msgr2_u64_decode(f.seg[0], f.len[0], &v64), 0);
	cr_assert_eq(v64, 1);
	msgr2_frame_free(&f);

	/* Owner -> peer, written by the driver's flush (nobody flushes). */
	struct send_args sa = {13, 77, "statfs", -1};
	call_locked(send_fn, &sa);
	cr_assert_eq(sa.r, 0);
	fake_peer_recv(&T.fp, MSGR2_TAG_MESSAGE, &f);
	cr_assert_eq(msgr2_msg_header_decode(f.seg[0], f.len[0], &h), 0);
	cr_assert_eq(h.tid, 77);
	cr_assert_eq(h.seq, 1);
	cr_assert_eq(f.len[1], 6);
	cr_assert_eq(memcmp(f.seg[1], "statfs", 6), 0);
	msgr2_frame_free(&f);

	/* A keepalive, acked with its stamp. */
	call_locked(keepalive_fn, NULL);
	cr_assert_eq(keepalive_r, 0);
	fake_peer_recv(&T.fp, MSGR2_TAG_KEEPALIVE2, &f);
	cr_assert_eq(msgr2_keepalive_decode(f.seg[0], f.len[0], &ts), 0);
	msgr2_frame_free(&f);
	wire_enc_init(&e);
	cr_assert_eq(msgr2_keepalive_encode(&e, &ts), 0);
	fake_peer_send(&T.fp, MSGR2_TAG_KEEPALIVE2_ACK, &e);
	wire_enc_free(&e);
	cr_assert(wait_for(&T.acks, 1));
	cr_assert_eq(T.ack_stamp, (uint64_t)ts.sec * 1000000000u + ts.nsec);

	/* Revoked before its first byte: the peer sees 5 and 7 back to back. */
	call_locked(send_revoke_fn, NULL);
	cr_assert_eq(revoke_r[0], 0);
	cr_assert_eq(revoke_r[1], 0);
	cr_assert_eq(revoke_r[2], 0, "revoke of a queued message: %d", revoke_r[2]);
	fake_peer_recv(&T.fp, MSGR2_TAG_MESSAGE, &f);
	cr_assert_eq(msgr2_msg_header_decode(f.seg[0], f.len[0], &h), 0);
	cr_assert_eq(h.tid, 5);
	cr_assert_eq(h.seq, 2);
	msgr2_frame_free(&f);
	fake_peer_recv(&T.fp, MSGR2_TAG_MESSAGE, &f);
	cr_assert_eq(msgr2_msg_header_decode(f.seg[0], f.len[0], &h), 0);
	cr_assert_eq(h.tid, 7, "tid %llu after 5: the revoked 6 went out", (unsigned long long)h.tid);
	cr_assert_eq(h.seq, 3);
	msgr2_frame_free(&f);
	/* Once written, it cannot be revoked. */
	call_locked(late_revoke_fn, NULL);
	cr_assert_eq(late_revoke_r, -ENOENT);
	cr_assert_eq(T.downs, 0, "down: %s", T.why);
}

Test(msgr2_conn, refused_connect_is_reported_from_the_loop)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);

	/* A port nobody listens on: bound, never listening. */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&sin, &sl), 0);
	fx_addr_in4(&T.addr, CEPH_ADDR_MSGR2, "127.0.0.1", ntohs(sin.sin_port), 0);
	call_locked(open_fn, NULL);
	cr_assert_eq(open_r, 0, "open reports nothing itself");
	cr_assert_eq(T.downs_inside_open, 0, "down from inside open");
	cr_assert(wait_for(&T.downs, 1));
	cr_assert_eq(T.down_err, -ECONNREFUSED, "%d: %s", T.down_err, T.why);
	cr_assert_not_null(strstr(T.why, "refused"), "%s", T.why);
	cr_assert_eq(T.ups, 0);
	close(s);
}

/* A socket that cannot even be made (no descriptor left) is reported the
 * same way: from the loop, after open returned. */
Test(msgr2_conn, socket_failure_is_reported_from_the_loop)
{
	struct rlimit old, low;
	int lowest = dup(0);

	cr_assert_geq(lowest, 0);
	close(lowest);
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)lowest; /* no new descriptor fits */
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	call_locked(open_fn, NULL);
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	cr_assert_eq(open_r, 0, "open reports nothing itself");
	cr_assert_eq(T.downs_inside_open, 0, "down from inside open");
	cr_assert(wait_for(&T.downs, 1));
	cr_assert_eq(T.down_err, -EMFILE, "%d: %s", T.down_err, T.why);
	cr_assert_eq(T.ups, 0);
}

Test(msgr2_conn, peer_closing_ends_the_connection_and_reopen_starts_anew)
{
	connect_and_handshake(1);
	peer_close();
	cr_assert(wait_for(&T.downs, 1));
	cr_assert_eq(T.down_err, -ECONNRESET, "%d: %s", T.down_err, T.why);
	cr_assert_not_null(strstr(T.why, "monitor closed the connection"), "%s", T.why);

	/* The same peer again: a new connection, the next global_seq. */
	T.downs = 0;
	connect_and_handshake(2);
	cr_assert_eq(T.ups, 2);

	/* Reopen from the owner: the old socket goes, a new one comes. */
	call_locked(reopen_fn, NULL);
	cr_assert_eq(open_r, 0);
	cr_assert_eq(peer_pull(&T.fp), 0, "the old connection is closed (EOF)");
	peer_close();
	peer_accept(CEPH_ENTITY_TYPE_MON);
	fake_peer_banner(&T.fp);
	fake_peer_hello(&T.fp);
	cr_assert_eq(T.downs, 0, "closing for reopen reports nothing: %s", T.why);
}

Test(msgr2_conn, corrupted_frame_ends_the_connection_with_a_reason)
{
	struct msgr2_hello h = {.entity_type = CEPH_ENTITY_TYPE_MON};
	struct msgr2_seg seg;
	struct wire_enc e, w;

	call_locked(open_fn, NULL);
	peer_accept(CEPH_ENTITY_TYPE_MON);
	fake_peer_banner(&T.fp);
	h.peer_addr = T.fp.client_seen;
	wire_enc_init(&e);
	wire_enc_init(&w);
	cr_assert_eq(msgr2_hello_encode(&e, &h), 0);
	seg = (struct msgr2_seg){e.buf, (uint32_t)e.len};
	cr_assert_eq(msgr2_frame_encode(&w, MSGR2_TAG_HELLO, &seg, 1, NULL), 0);
	w.buf[w.len - 6] ^= 0x10; /* in the payload: its crc no longer matches */
	fake_peer_write(&T.fp, w.buf, w.len);
	wire_enc_free(&e);
	wire_enc_free(&w);
	cr_assert(wait_for(&T.downs, 1));
	cr_assert_eq(T.down_err, -EBADMSG, "%d: %s", T.down_err, T.why);
	cr_assert_not_null(strstr(T.why, "integrity"), "%s", T.why);
	cr_assert_eq(T.auth.requests, 0);
	cr_assert_eq(T.ups, 0);
}

Test(msgr2_conn, hello_of_another_peer_type_ends_the_connection)
{
	T.expect_type = CEPH_ENTITY_TYPE_OSD;
	call_locked(open_fn, NULL);
	peer_accept(CEPH_ENTITY_TYPE_MON); /* a monitor where an OSD was expected */
	fake_peer_banner(&T.fp);
	fake_peer_hello(&T.fp);
	cr_assert(wait_for(&T.downs, 1));
	cr_assert_eq(T.down_err, -EPROTO);
	cr_assert_not_null(strstr(T.why, "not an OSD but a monitor"), "%s", T.why);
	cr_assert_eq(T.auth.requests, 0, "no AUTH_REQUEST to the wrong peer");
	cr_assert_eq(peer_pull(&T.fp), 0, "the driver closed the socket");
}

/* Two messages in one write; the owner closes on the first: the second is
 * never delivered, no "down" follows, and the socket is closed. */
Test(msgr2_conn, owner_closing_inside_a_callback_hears_nothing_more)
{
	connect_and_handshake(1);
	pthread_mutex_lock(&T.lock);
	T.close_on_msg = true;
	pthread_mutex_unlock(&T.lock);
	{
		struct msgr2_msg_header h1 = {.seq = 1, .type = 4, .version = 1, .compat_version = 1};
		struct msgr2_msg_header h2 = {.seq = 2, .type = 5, .version = 1, .compat_version = 1};
		struct msgr2_seg segs[2];
		struct wire_enc e1, e2, w;

		wire_enc_init(&e1);
		wire_enc_init(&e2);
		wire_enc_init(&w);
		cr_assert_eq(msgr2_msg_header_encode(&e1, &h1), 0);
		cr_assert_eq(msgr2_msg_header_encode(&e2, &h2), 0);
		segs[0] = (struct msgr2_seg){e1.buf, (uint32_t)e1.len};
		segs[1] = (struct msgr2_seg){"first", 5};
		cr_assert_eq(msgr2_frame_encode(&w, MSGR2_TAG_MESSAGE, segs, 2, NULL), 0);
		segs[0] = (struct msgr2_seg){e2.buf, (uint32_t)e2.len};
		segs[1] = (struct msgr2_seg){"second", 6};
		cr_assert_eq(msgr2_frame_encode(&w, MSGR2_TAG_MESSAGE, segs, 2, NULL), 0);
		fake_peer_write(&T.fp, w.buf, w.len);
		wire_enc_free(&e1);
		wire_enc_free(&e2);
		wire_enc_free(&w);
	}
	cr_assert(wait_for(&T.msgs, 1));
	/* The close shows at the peer as EOF; by then the driver is done. */
	while (peer_pull(&T.fp) > 0)
		;
	pthread_mutex_lock(&T.lock);
	cr_assert_eq(T.msgs, 1, "a message after the owner closed");
	cr_assert_str_eq(T.front, "first");
	cr_assert_eq(T.downs, 0, "down after the owner closed: %s", T.why);
	pthread_mutex_unlock(&T.lock);
}
