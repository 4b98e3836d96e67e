/*
 * Unit tests for afs_rx/cb_service.[ch]: request decoding (good, truncated,
 * oversized, trailing bytes, unknown opcodes), the reply encodings (their
 * layout from OpenAFS common.xg: interfaceAddr is 1 + 11 + 3 * 32 XDR
 * words, then Capabilities<196>), and the service itself on a loopback
 * endpoint, called the way a fileserver calls it. The real fileserver's
 * acceptance of these answers is checked by test/integration/afs_rx.test.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "afs_rx/afs_errors.h"
#include "afs_rx/afs_stub.h"
#include "afs_rx/cb_service.h"
#include "afs_rx/rx/rx_transport.h"
#include "evloop/evloop.h"
#include "test/lib/afs_server_enc.h"

static const struct afs_uuid test_uuid = {
    .time_low = 0x01020304,
    .time_mid = 0x0506,
    .time_hi_and_version = 0x4708,
    .clock_seq_hi_and_reserved = 0x89,
    .clock_seq_low = 0x0a,
    .node = {0xb0, 0x0c, 0x0d, 0x0e, 0xff, 0x10},
};

static void put32(uint8_t **p, uint32_t v)
{
	(*p)[0] = (uint8_t)(v >> 24);
	(*p)[1] = (uint8_t)(v >> 16);
	(*p)[2] = (uint8_t)(v >> 8);
	(*p)[3] = (uint8_t)v;
	*p += 4;
}

Test(cb_request, callback_with_fids_and_callbacks)
{
	uint8_t buf[64], *p = buf;
	struct cb_request r;

	put32(&p, AFSCB_CALLBACK);
	put32(&p, 2);
	put32(&p, 536870918), put32(&p, 8), put32(&p, 9);
	put32(&p, 536870918), put32(&p, 1), put32(&p, 1);
	put32(&p, 1);
	put32(&p, 1), put32(&p, 7200), put32(&p, AFSCB_DROPPED);
	cr_assert_eq(cb_request_decode(buf, (size_t)(p - buf), &r), 0);
	cr_assert_eq(r.op, AFSCB_CALLBACK);
	cr_assert_eq(r.nfids, 2);
	cr_assert_eq(r.fids[0].volume, 536870918);
	cr_assert_eq(r.fids[0].vnode, 8);
	cr_assert_eq(r.fids[0].unique, 9);
	cr_assert_eq(r.fids[1].vnode, 1);
	cr_assert_eq(r.ncbs, 1);
	cr_assert_eq(r.cbs[0].expiration_time, 7200);
	cr_assert_eq(r.cbs[0].type, AFSCB_DROPPED);

	/* Every truncation is malformed; so are extra bytes. */
	for (size_t n = 0; n < (size_t)(p - buf); n++)
		cr_assert_eq(cb_request_decode(buf, n, &r), -EBADMSG, "length %zu", n);
	put32(&p, 0);
	cr_assert_eq(cb_request_decode(buf, (size_t)(p - buf), &r), -EBADMSG);
}

Test(cb_request, too_many_fids)
{
	uint8_t buf[8], *p = buf;
	struct cb_request r = {.op = 12345};

	put32(&p, AFSCB_CALLBACK);
	put32(&p, AFSCB_MAX + 1);
	cr_assert_eq(cb_request_decode(buf, sizeof(buf), &r), -EBADMSG);
	cr_assert_eq(r.op, 12345, "left alone on failure");
	p = buf + 4;
	put32(&p, 0xffffffff);
	cr_assert_eq(cb_request_decode(buf, sizeof(buf), &r), -EBADMSG);
}

Test(cb_request, uuid_requests_and_empty_ones)
{
	struct wire_enc e;
	struct cb_request in = {.op = AFSCB_INITCALLBACKSTATE3, .uuid = test_uuid}, out;
	static const uint32_t empty_ops[] = {AFSCB_INITCALLBACKSTATE, AFSCB_PROBE, AFSCB_WHOAREYOU,
					     AFSCB_TELLMEABOUTYOURSELF};

	wire_enc_init(&e);
	cb_request_encode(&e, &in);
	cr_assert_eq(e.len, 4 + 4 * AFS_UUID_WORDS);
	cr_assert_eq(cb_request_decode(e.buf, e.len, &out), 0);
	cr_assert_eq(out.op, AFSCB_INITCALLBACKSTATE3);
	cr_assert(memcmp(&out.uuid, &test_uuid, sizeof(test_uuid)) == 0);
	cr_assert_eq(cb_request_decode(e.buf, e.len - 1, &out), -EBADMSG);
	wire_enc_free(&e);
	for (size_t i = 0; i < sizeof(empty_ops) / sizeof(empty_ops[0]); i++) {
		uint8_t b[8], *p = b;

		put32(&p, empty_ops[i]);
		cr_assert_eq(cb_request_decode(b, 4, &out), 0);
		cr_assert_eq(out.op, empty_ops[i]);
		put32(&p, 0);
		cr_assert_eq(cb_request_decode(b, 8, &out), -EBADMSG, "op %u takes no arguments", empty_ops[i]);
	}
}

Test(cb_request, unknown_opcode)
{
	uint8_t b[4] = {0, 1, 0, 3}; /* 65539: GetDE, not served */
	struct cb_request r;

	cr_assert_eq(cb_request_decode(b, 4, &r), -EOPNOTSUPP);
	cr_assert_eq(r.op, 65539);
	cr_assert_eq(cb_request_decode(b, 3, &r), -EBADMSG);
}

Test(cb_reply, tell_me_about_yourself_layout)
{
	struct wire_enc e, u;

	wire_enc_init(&e);
	wire_enc_init(&u);
	cb_enc_tell_me_reply(&e, &test_uuid);
	afs_enc_uuid(&u, &test_uuid);
	/* numberOfInterfaces, uuid, addr_in[32], subnetmask[32], mtu[32],
	 * then Capabilities: count 1, ERRORTRANS. */
	cr_assert_eq(e.len, 4 * (1 + AFS_UUID_WORDS + 96 + 1 + 1));
	cr_assert_eq(get_be32(e.buf), 0);
	cr_assert_arr_eq(e.buf + 4, u.buf, u.len);
	for (size_t off = 4 + u.len; off < 4 * (1 + AFS_UUID_WORDS + 96); off += 4)
		cr_assert_eq(get_be32(e.buf + off), 0);
	cr_assert_eq(get_be32(e.buf + e.len - 8), 1);
	cr_assert_eq(get_be32(e.buf + e.len - 4), CLIENT_CAPABILITY_ERRORTRANS);
	wire_enc_free(&e);
	/* WhoAreYou: the interfaceAddr alone. */
	wire_enc_init(&e);
	cb_enc_interface_addr(&e, &test_uuid);
	cr_assert_eq(e.len, 4 * (1 + AFS_UUID_WORDS + 96));
	wire_enc_free(&e);
	wire_enc_free(&u);
}

/* ---- the service, called over loopback as a fileserver calls it ------------------------------ */

/* What the owner was told. The service tells it on its handler thread
 * after the reply went out, so the caller waits for it (seen_wait). */
struct seen {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned callbacks, nfids, inits;
	struct afs_fid first;
	bool init_had_uuid;
};

/* Wait (up to 5 s) until *@count reaches @want; what it then is. */
static unsigned seen_wait(struct seen *s, const unsigned *count, unsigned want)
{
	struct timespec until;
	unsigned got;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&s->lock);
	while (*count < want && pthread_cond_timedwait(&s->cond, &s->lock, &until) == 0)
		;
	got = *count;
	pthread_mutex_unlock(&s->lock);
	return got;
}

static void on_callback(void *arg, const struct sockaddr_storage *from, const struct afs_fid *fids, unsigned n,
			const struct afs_callback *cbs, unsigned ncbs)
{
	struct seen *s = arg;

	(void)from;
	(void)cbs;
	(void)ncbs;
	pthread_mutex_lock(&s->lock);
	s->nfids += n;
	if (n)
		s->first = fids[0];
	s->callbacks++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void on_init(void *arg, const struct sockaddr_storage *from, const struct afs_uuid *server)
{
	struct seen *s = arg;

	(void)from;
	pthread_mutex_lock(&s->lock);
	s->init_had_uuid = server != NULL;
	s->inits++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static struct rx_endpoint *loopback_endpoint(void)
{
	struct rx_endpoint_config c;
	struct sockaddr_in *sin = (struct sockaddr_in *)&c.bind_addr;
	int err;

	rx_endpoint_config_default(&c);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c.bind_len = sizeof(*sin);
	return rx_endpoint_new(&c, &err);
}

/* Call op on the CB service with request @req, as the AFS layer calls (its
 * aborts mapped); the reply goes to @buf. */
static int cb_call(struct rx_endpoint *fs, const struct sockaddr_storage *cm, socklen_t len,
		   const struct cb_request *req, uint8_t *buf, size_t buflen, ssize_t *got, int32_t *code)
{
	struct afs_call_ctx cx;
	struct wire_enc e;
	struct rx_call *call;
	int err;

	afs_call_ctx_init(&cx, fs, (const struct sockaddr *)cm, len, evloop_deadline_ms(5000), NULL);
	wire_enc_init(&e);
	cb_request_encode(&e, req);
	call = afs_call_start(&cx, AFS_CB_SERVICE, &e, false, &err);
	cr_assert_not_null(call, "%s", strerror(-err));
	*got = rx_call_recv(call, buf, buflen);
	err = afs_call_end(&cx, call);
	*code = cx.abort_code;
	return err;
}

Test(cb_service, answers_a_fileserver)
{
	struct rx_endpoint *cm = loopback_endpoint(), *fs = loopback_endpoint();
	struct seen seen = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
	struct cb_service_ops ops = {.callback = on_callback, .init_state = on_init};
	struct cb_service *cb;
	struct sockaddr_storage addr;
	socklen_t len;
	struct cb_request req;
	struct cb_service_stats st;
	uint8_t buf[1024];
	ssize_t got;
	int32_t code;
	int err;

	cb = cb_service_start(cm, &test_uuid, &ops, &seen, &err);
	cr_assert_not_null(cb);
	rx_endpoint_local_addr(cm, &addr, &len);

	req = (struct cb_request){.op = AFSCB_TELLMEABOUTYOURSELF};
	cr_assert_eq(cb_call(fs, &addr, len, &req, buf, sizeof(buf), &got, &code), 0);
	cr_assert_eq(got, 440);
	cr_assert_eq(get_be32(buf + 436), CLIENT_CAPABILITY_ERRORTRANS);

	req = (struct cb_request){.op = AFSCB_INITCALLBACKSTATE3, .uuid = test_uuid};
	cr_assert_eq(cb_call(fs, &addr, len, &req, buf, sizeof(buf), &got, &code), 0);
	cr_assert_eq(got, 0);
	cr_assert_eq(seen_wait(&seen, &seen.inits, 1), 1);
	cr_assert(seen.init_had_uuid);

	req = (struct cb_request){.op = AFSCB_CALLBACK, .nfids = 3, .fids = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}};
	cr_assert_eq(cb_call(fs, &addr, len, &req, buf, sizeof(buf), &got, &code), 0);
	cr_assert_eq(seen_wait(&seen, &seen.callbacks, 1), 1);
	cr_assert_eq(seen.nfids, 3);
	cr_assert_eq(seen.first.unique, 3);

	req = (struct cb_request){.op = AFSCB_PROBEUUID, .uuid = test_uuid};
	cr_assert_eq(cb_call(fs, &addr, len, &req, buf, sizeof(buf), &got, &code), 0);
	req.uuid.node[5] ^= 1;
	cr_assert_neq(cb_call(fs, &addr, len, &req, buf, sizeof(buf), &got, &code), 0);
	cr_assert_eq(code, 1, "another client's UUID");

	req = (struct cb_request){.op = AFSCB_PROBE};
	cr_assert_eq(cb_call(fs, &addr, len, &req, buf, sizeof(buf), &got, &code), 0);
	req = (struct cb_request){.op = AFSCB_WHOAREYOU};
	cr_assert_eq(cb_call(fs, &addr, len, &req, buf, sizeof(buf), &got, &code), 0);
	cr_assert_eq(got, 4 * (1 + AFS_UUID_WORDS + 96));
	req = (struct cb_request){.op = 65539};
	cr_assert_eq(cb_call(fs, &addr, len, &req, buf, sizeof(buf), &got, &code), -EOPNOTSUPP);
	cr_assert_eq(code, RXGEN_OPCODE);

	cb_service_get_stats(cb, &st);
	cr_assert_eq(st.tell_me, 1);
	cr_assert_eq(st.init_state3, 1);
	cr_assert_eq(st.callback, 1);
	cr_assert_eq(st.fids_broken, 3);
	cr_assert_eq(st.probe_uuid, 2);
	cr_assert_eq(st.unknown, 1);
	rx_endpoint_free(fs);
	rx_endpoint_free(cm);
	cb_service_free(cb);
}
