/*
 * Unit tests for the FS and VL stubs of afs_rx/fs_client.c and
 * vl_client.c over the real transport: a fake fileserver (service 1) and
 * VL server (service 52) on a loopback endpoint read what the stubs send
 * and answer what each test asks for. This checks the framing that byte
 * vectors cannot: StoreData64's data following its fixed arguments in one
 * request stream, a stub that stops its own call, replies that are long,
 * short or aborted. The real fileserver's view is in
 * test/integration/afs_rx.test.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "afs_rx/afs_errors.h"
#include "afs_rx/fs_client.h"
#include "afs_rx/rx/rx_transport.h"
#include "afs_rx/vl_client.h"
#include "evloop/evloop.h"
#include "test/lib/afs_server_enc.h"

/* What the fake server saw and how it answers. */
static struct {
	uint32_t opcode;
	uint8_t head[128]; /* the request's first bytes */
	size_t head_len;
	uint64_t total;	   /* request bytes in all */
	uint64_t data_sum; /* StoreData64: sum of the data bytes, after the 64 fixed ones */
	int recv_err;	   /* the request's read ended in an error */
	uint8_t reply[8192];
	size_t reply_len;
	int32_t abort_code; /* nonzero: abort instead of replying */
} srv;

/* Handlers that have ended: a test that needs one call's handler gone
 * before the next call (an aborted call's handler still drains its
 * request on the server's thread after the client's call returned) waits
 * for this count. */
static pthread_mutex_t served_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t served_cond = PTHREAD_COND_INITIALIZER;
static unsigned served;

static int32_t served_one(int32_t code)
{
	pthread_mutex_lock(&served_lock);
	served++;
	pthread_cond_broadcast(&served_cond);
	pthread_mutex_unlock(&served_lock);
	return code;
}

/* Wait (10 s at most) until @n handlers have ended; true if they have. */
static bool wait_served(unsigned n)
{
	struct timespec until;
	bool ok;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&served_lock);
	while (served < n && pthread_cond_timedwait(&served_cond, &served_lock, &until) == 0)
		;
	ok = served >= n;
	pthread_mutex_unlock(&served_lock);
	return ok;
}

static unsigned served_now(void)
{
	pthread_mutex_lock(&served_lock);
	unsigned n = served;
	pthread_mutex_unlock(&served_lock);
	return n;
}

static int32_t serve(struct rx_call *call, void *arg)
{
	static uint8_t buf[65536];
	ssize_t n;

	(void)arg;
	srv.head_len = 0;
	srv.total = 0;
	srv.data_sum = 0;
	while ((n = rx_call_recv(call, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++, srv.total++) {
			if (srv.total < sizeof(srv.head))
				srv.head[srv.head_len++] = buf[i];
			if (srv.total >= 64)
				srv.data_sum += buf[i];
		}
	}
	if (n < 0) {
		srv.recv_err = (int)n;
		return served_one(RX_USER_ABORT);
	}
	srv.opcode = srv.head_len >= 4 ? get_be32(srv.head) : 0;
	if (srv.abort_code)
		return served_one(srv.abort_code);
	rx_call_send(call, srv.reply, srv.reply_len, true);
	return served_one(0);
}

static struct rx_endpoint *loopback_endpoint(void)
{
	struct rx_endpoint_config c;
	struct sockaddr_in *sin = (struct sockaddr_in *)&c.bind_addr;
	int err;

	afs_endpoint_config_default(&c);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c.bind_len = sizeof(*sin);
	return rx_endpoint_new(&c, &err);
}

static struct rx_endpoint *client, *server;
static struct sockaddr_storage saddr;
static socklen_t slen;

static void setup(void)
{
	client = loopback_endpoint();
	server = loopback_endpoint();
	cr_assert_not_null(client);
	cr_assert_not_null(server);
	cr_assert_eq(rx_service_register(server, AFS_FS_SERVICE, NULL, serve, NULL), 0);
	cr_assert_eq(rx_service_register(server, AFS_VL_SERVICE, NULL, serve, NULL), 0);
	rx_endpoint_local_addr(server, &saddr, &slen);
}

static void teardown(void)
{
	rx_endpoint_free(client);
	rx_endpoint_free(server);
}

/* The call context of one stub call: the fake server, 10 s. */
static struct afs_call_ctx cx;

static struct afs_call_ctx *ctx(void)
{
	afs_call_ctx_init(&cx, client, (const struct sockaddr *)&saddr, slen, evloop_deadline_ms(10000), NULL);
	cx.abort_code = 7; /* each stub sets it */
	return &cx;
}

static void reply_words(const uint32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_be32(srv.reply + 4 * i, w[i]);
	srv.reply_len = 4 * n;
}

/* A store reply: a file of @size bytes, then a volsync. */
static void reply_store(uint64_t size)
{
	struct fs_store_reply r = {.status = {.interface_version = 1, .file_type = AFS_FTYPE_FILE, .link_count = 1}};
	struct wire_enc e;

	r.status.length = (uint32_t)size;
	r.status.length_hi = (uint32_t)(size >> 32);
	wire_enc_init(&e);
	fs_enc_store_reply(&e, &r);
	memcpy(srv.reply, e.buf, e.len);
	srv.reply_len = e.len;
	wire_enc_free(&e);
}

struct counter {
	uint64_t given, sum;
	size_t pieces, fail_at;
};

static int source(void *arg, void *buf, size_t len)
{
	struct counter *c = arg;
	uint8_t *p = buf;

	if (c->fail_at && c->pieces + 1 >= c->fail_at)
		return -EIO;
	for (size_t i = 0; i < len; i++, c->given++) {
		p[i] = (uint8_t)(c->given * 7 + 3);
		c->sum += p[i];
	}
	c->pieces++;
	return 0;
}

static const struct afs_fid fid = {536870918, 14, 7};

TestSuite(fs_client, .init = setup, .fini = teardown, .timeout = 60);

Test(fs_client, store_data64_streams_after_the_fixed_arguments)
{
	const uint64_t len = (1 << 20) + 17;
	struct afs_store_status ss = {.mask = AFS_SETMODTIME, .client_mod_time = 1700000000};
	struct counter c = {0};
	struct fs_store_reply out;

	reply_store(len + 100);
	cr_assert_eq(fs_store_data64(ctx(), &fid, &ss, 100, len, len + 100, source, &c, &out), 0);
	cr_assert_eq(cx.abort_code, 0);
	cr_assert_eq(afs_fetch_status_size(&out.status), len + 100);
	cr_assert_eq(c.given, len);
	cr_assert_gt(c.pieces, 16, "asked for in pieces, not all at once");

	/* what the server read: 64 bytes of arguments, then exactly the data */
	cr_assert_eq(srv.opcode, AFS_FS_STOREDATA64);
	cr_assert_eq(srv.total, 64 + len);
	cr_assert_eq(srv.data_sum, c.sum);
	cr_assert_eq(get_be32(srv.head + 4), fid.volume);
	cr_assert_eq(get_be32(srv.head + 16), AFS_SETMODTIME);
	cr_assert_eq(get_be32(srv.head + 20), 1700000000);
	cr_assert_eq(get_be32(srv.head + 40 + 4), 100); /* pos */
	cr_assert_eq(get_be32(srv.head + 48 + 4), len); /* length */
	cr_assert_eq(get_be32(srv.head + 56 + 4), len + 100);

	/* a zero-length store (a truncation) sends the arguments alone */
	reply_store(5);
	cr_assert_eq(fs_store_data64(ctx(), &fid, &ss, 0, 0, 5, NULL, NULL, &out), 0);
	cr_assert_eq(srv.total, 64);
}

Test(fs_client, store_data64_stopped_by_its_source)
{
	struct afs_store_status none = {0};
	struct counter c = {.fail_at = 4};
	struct fs_store_reply out, keep;

	memset(&out, 0x5a, sizeof(out));
	keep = out;
	reply_store(1);
	unsigned before = served_now();
	cr_assert_eq(fs_store_data64(ctx(), &fid, &none, 0, 1 << 20, 1 << 20, source, &c, &out), -EIO);
	cr_assert_arr_eq(&out, &keep, sizeof(out));
	/* The aborted call's handler may still be reading its request: let it
	 * end before the next call counts bytes (it lost that race under ASan
	 * in CI). */
	wait_served(before + 1); /* (a handler that never started leaves no race) */
	/* the endpoint goes on */
	reply_store(3);
	c = (struct counter){0};
	cr_assert_eq(fs_store_data64(ctx(), &fid, &none, 0, 3, 3, source, &c, &out), 0);
	cr_assert_eq(srv.total, 64 + 3);

	/* offsets the fileserver cannot hold */
	cr_assert_eq(fs_store_data64(ctx(), &fid, &none, INT64_MAX, 1, 0, source, &c, &out), -EINVAL);
	cr_assert_eq(fs_store_data64(ctx(), &fid, &none, 0, 1, 0, NULL, NULL, &out), -EINVAL);
}

Test(fs_client, aborts_are_mapped)
{
	struct afs_store_status mode = {.mask = AFS_SETMODE, .unix_mode_bits = 0644};
	struct afs_fid dir = {536870918, 1, 1};
	struct fs_create_reply cr;

	srv.abort_code = AFS_UAE_ERROR_BASE + 16; /* UAEEXIST */
	cr_assert_eq(fs_create_file(ctx(), &dir, "x", &mode, &cr), -EEXIST);
	cr_assert_eq(cx.abort_code, AFS_UAE_ERROR_BASE + 16);
	cr_assert_eq(srv.opcode, AFS_FS_CREATEFILE);
	srv.abort_code = VNOVNODE;
	cr_assert_eq(fs_make_dir(ctx(), &dir, "x", &mode, &cr), -ENOENT);
	cr_assert_eq(cx.abort_code, VNOVNODE);
	cr_assert_eq(srv.opcode, AFS_FS_MAKEDIR);
	/* FetchData64's reply is read as it streams: its abort is mapped too. */
	struct fs_status_reply st;
	uint64_t got = 7;
	srv.abort_code = VMOVED;
	cr_assert_eq(fs_fetch_data64(ctx(), &fid, 0, 100, NULL, NULL, &got, &st), -ENXIO);
	cr_assert_eq(cx.abort_code, VMOVED);
	cr_assert_eq(got, 0);
	cr_assert_eq(srv.opcode, AFS_FS_FETCHDATA64);
}

Test(fs_client, replies_must_be_exact)
{
	static struct fs_bulk_status_reply bulk;
	struct fs_capabilities caps;
	struct afs_fid fids[2] = {fid, fid};
	const uint32_t caps_ok[] = {1, 7}, caps_long[] = {1, 7, 0};

	reply_words(caps_ok, 2);
	cr_assert_eq(fs_get_capabilities(ctx(), &caps), 0);
	cr_assert_eq(caps.n, 1);
	cr_assert_eq(caps.words[0], 7);
	cr_assert_eq(srv.opcode, AFS_FS_GETCAPABILITIES);
	cr_assert_eq(srv.total, 4);
	reply_words(caps_long, 3);
	cr_assert_eq(fs_get_capabilities(ctx(), &caps), -EBADMSG);

	/* a bulk reply for one FID when two were asked */
	{
		struct fs_bulk_status_reply one = {.n = 1, .status = {{.interface_version = 1, .file_type = 1}}};
		struct wire_enc e;

		wire_enc_init(&e);
		fs_enc_bulk_status_reply(&e, &one);
		memcpy(srv.reply, e.buf, e.len);
		srv.reply_len = e.len;
		wire_enc_free(&e);
	}
	cr_assert_eq(fs_inline_bulk_status(ctx(), fids, 2, &bulk), -EBADMSG);
	cr_assert_eq(srv.opcode, AFS_FS_INLINEBULKSTATUS);
	cr_assert_eq(srv.total, 4 + 4 + 2 * 12);
	cr_assert_eq(fs_inline_bulk_status(ctx(), fids, 1, &bulk), 0);
	cr_assert_eq(bulk.n, 1);
	cr_assert_eq(fs_inline_bulk_status(ctx(), fids, 0, &bulk), -EINVAL);

	/* GiveUpCallBacks: nothing may come back */
	srv.reply_len = 0;
	cr_assert_eq(fs_give_up_callbacks(ctx(), fids, NULL, 2), 0);
	cr_assert_eq(srv.opcode, AFS_FS_GIVEUPCALLBACKS);
	cr_assert_eq(srv.total, 4 + 4 + 2 * 12 + 4);
	reply_words(caps_ok, 1);
	cr_assert_eq(fs_give_up_callbacks(ctx(), fids, NULL, 2), -EBADMSG);
}

Test(fs_client, names_over_their_bound_are_not_sent)
{
	static char name[AFS_NAMEMAX + 2], path[AFS_PATHMAX + 2];
	struct afs_store_status none = {0};
	struct afs_fid dir = {1, 1, 1};
	struct fs_create_reply cr;
	struct fs_store_reply sr;
	struct fs_rename_reply rr;

	memset(name, 'n', AFS_NAMEMAX + 1);
	memset(path, 'p', AFS_PATHMAX + 1);
	srv.opcode = 0;
	cr_assert_eq(fs_create_file(ctx(), &dir, name, &none, &cr), -ENAMETOOLONG);
	cr_assert_eq(fs_remove_dir(ctx(), &dir, name, &sr), -ENAMETOOLONG);
	cr_assert_eq(fs_rename(ctx(), &dir, "a", &dir, name, &rr), -ENAMETOOLONG);
	cr_assert_eq(fs_symlink(ctx(), &dir, "l", path, &none, &cr), -ENAMETOOLONG);
	cr_assert_eq(srv.opcode, 0, "nothing reached the server");
}

Test(fs_client, get_volume_status_and_vl_get_addrs_u)
{
	static struct fs_volume_status_reply vs;
	static struct afs_vl_addrs addrs;
	struct afs_list_addr_by_attributes attr = {.mask = AFS_VLADDR_UUID, .uuid = {.time_low = 0x11223344}};
	struct wire_enc e;

	vs.status.vid = 536870918;
	vs.status.online = 1;
	strcpy(vs.name, "test");
	strcpy(vs.motd, "hi");
	wire_enc_init(&e);
	fs_enc_volume_status_reply(&e, &vs);
	memcpy(srv.reply, e.buf, e.len);
	srv.reply_len = e.len;
	wire_enc_free(&e);
	memset(&vs, 0, sizeof(vs));
	cr_assert_eq(fs_get_volume_status(ctx(), 536870918, &vs), 0);
	cr_assert_str_eq(vs.name, "test");
	cr_assert_str_eq(vs.motd, "hi");
	cr_assert_eq(vs.status.online, 1);
	cr_assert_eq(srv.opcode, AFS_FS_GETVOLUMESTATUS);
	cr_assert_eq(get_be32(srv.head + 4), 536870918);

	addrs = (struct afs_vl_addrs){.uuid = {.time_low = 0x11223344}, .uniquifier = 2, .nentries = 2, .naddrs = 2};
	addrs.addrs[0] = 0x7f000001;
	addrs.addrs[1] = 0x7f010001;
	wire_enc_init(&e);
	afs_enc_vl_addrs(&e, &addrs);
	memcpy(srv.reply, e.buf, e.len);
	srv.reply_len = e.len;
	wire_enc_free(&e);
	memset(&addrs, 0, sizeof(addrs));
	cr_assert_eq(vl_get_addrs_u(ctx(), &attr, &addrs), 0);
	cr_assert_eq(srv.opcode, VLGETADDRSU);
	cr_assert_eq(srv.total, 4 + 4 * 15);
	cr_assert_eq(get_be32(srv.head + 4), AFS_VLADDR_UUID);
	cr_assert_eq(get_be32(srv.head + 20), 0x11223344);
	cr_assert_eq(addrs.naddrs, 2);
	cr_assert_eq(addrs.addrs[1], 0x7f010001);
	cr_assert_eq(addrs.uuid.time_low, 0x11223344);

	/* a count beyond what came: refused, nothing copied out */
	put_be32(srv.reply + 4 * 13, 3);
	memset(&addrs, 0x5a, sizeof(addrs));
	cr_assert_eq(vl_get_addrs_u(ctx(), &attr, &addrs), -EBADMSG);
	cr_assert_eq(addrs.naddrs, 0x5a5a5a5a);
}
