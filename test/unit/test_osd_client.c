/*
 * test/unit/test_osd_client.c: cephosd/osd_client.c, the OSD client's state
 * machine, driven with a recording stand-in for its sessions (the I/O it
 * would do is what is under test; test/integration/rados.test runs it
 * against real OSDs).
 *
 * The map: four OSDs on two hosts (test/lib/crush_enc.c's standard CRUSH
 * map), each at its own address, pool 1 'rbd' replicated size 2 with 16
 * PGs, given to the keeper as a monitor's full map. Map changes are made
 * by editing the keeper's map in place and telling osdc, as a new epoch
 * applied would.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/ceph_codec.h"
#include "cephosd/osd_client.h"
#include "test/lib/crush_enc.h"
#include "test/lib/osd_reply_enc.h"
#include "test/lib/osdmap_enc.h"

struct sent {
	uint64_t con;
	uint16_t type;
	uint64_t tid;
	uint8_t front[1024];
	size_t front_len, data_len;
	uint8_t data[64];
};

static struct {
	unsigned opens, closes, revokes, keepalives;
	uint64_t open_con[32];
	int32_t open_osd[32];
	uint16_t open_port[32];
	struct sent sent[64];
	unsigned nsent;
} io;

static int f_open(void *arg, uint64_t con, int32_t osd, const struct ceph_entity_addr *a)
{
	(void)arg;
	io.open_con[io.opens] = con;
	io.open_osd[io.opens] = osd;
	io.open_port[io.opens] = ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	io.opens++;
	return 0;
}
static void f_close(void *arg, uint64_t con)
{
	(void)arg, (void)con;
	io.closes++;
}
static int f_send(void *arg, uint64_t con, const struct msgr2_out *m)
{
	struct sent *s = &io.sent[io.nsent++ % 64];

	(void)arg;
	s->con = con, s->type = m->type, s->tid = m->tid;
	s->front_len = m->front_len < sizeof(s->front) ? m->front_len : sizeof(s->front);
	memcpy(s->front, m->front, s->front_len);
	s->data_len = m->data_len;
	if (m->data_len)
		memcpy(s->data, m->data, m->data_len < sizeof(s->data) ? m->data_len : sizeof(s->data));
	if (m->release) /* written at once */
		m->release(m->release_arg);
	return 0;
}
static void f_revoke(void *arg, uint64_t con, uint64_t tid)
{
	(void)arg, (void)con, (void)tid;
	io.revokes++;
}
static void f_keepalive(void *arg, uint64_t con)
{
	(void)arg, (void)con;
	io.keepalives++;
}
static const void *rx_revoked[8];
static unsigned nrx_revoked;
static void f_rx_revoke(void *arg, const void *buf)
{
	(void)arg;
	rx_revoked[nrx_revoked++ % 8] = buf;
}
static struct {
	unsigned results, checks, cancels;
	struct monc_osdmap_result last;
	uint64_t check_tid;
	int64_t cancelled;
} mon;
static void f_osdmap_result(void *arg, const struct monc_osdmap_result *r)
{
	(void)arg;
	mon.results++;
	mon.last = *r;
}
static int64_t f_map_check(void *arg, uint64_t tid)
{
	(void)arg;
	mon.check_tid = tid;
	return 100 + mon.checks++;
}
static void f_map_check_cancel(void *arg, int64_t handle)
{
	(void)arg;
	mon.cancels++;
	mon.cancelled = handle;
}
static const struct osdc_io fio = {NULL,	f_open,	     f_close,	      f_send,	   f_revoke,
				   f_keepalive, f_rx_revoke, f_osdmap_result, f_map_check, f_map_check_cancel};

static struct osdmap_keeper *keeper;
static struct osdc *o;
static struct health_queue *hq;
static struct health_reader hr;
static unsigned dones;

static void done(struct osdc_request *r)
{
	(void)r;
	dones++;
}

/* The standard map at @epoch, OSDs in @down marked down, encoded. */
static void std_map(uint32_t epoch, unsigned down, struct wire_enc *e)
{
	static uint32_t state[4], weight[4];
	static struct ceph_addrvec addrs[4];
	static struct osd_pool pool = {.id = 1,
				       .name = "rbd",
				       .type = POOL_TYPE_REPLICATED,
				       .size = 2,
				       .min_size = 1,
				       .object_hash = CEPH_STR_HASH_RJENKINS,
				       .pg_num = 16,
				       .pgp_num = 16,
				       .flags = POOL_FLAG_HASHPSPOOL,
				       .tier_of = -1,
				       .read_tier = -1,
				       .write_tier = -1,
				       .erasure_code_profile = ""};
	struct osdmap m = {.epoch = epoch, .pool_max = 1, .npools = 1, .pools = &pool, .max_osd = 4};
	struct wire_enc c;

	memset(addrs, 0, sizeof(addrs));
	for (int i = 0; i < 4; i++) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&addrs[i].v[0].ss;
		state[i] = OSD_EXISTS | (down & (1u << i) ? 0 : OSD_UP);
		weight[i] = OSD_WEIGHT_IN;
		addrs[i].n = 1;
		addrs[i].v[0].type = CEPH_ADDR_MSGR2;
		addrs[i].v[0].nonce = 100 + (uint32_t)i;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)(6800 + i));
		sin->sin_addr.s_addr = htonl(0x7f000001);
	}
	m.fsid[0] = 0xfe;
	m.osd_state = state;
	m.osd_weight = weight;
	m.osd_addrs = addrs;
	wire_enc_init(&c);
	crush_enc_standard(&c, CRUSH_ENC_CA_NONE);
	wire_enc_init(e);
	cr_assert_eq(osdmap_encode(&m, c.buf, c.len, NULL, e), 0);
	wire_enc_free(&c);
}

/* The standard map, as a monitor's MOSDMap. */
static void setup(void)
{
	struct wire_enc e;
	struct mosdmap *mo = calloc(1, sizeof(*mo));
	struct monc_osdmap_result r;
	struct health_event ev = {.domain = HEALTH_DOMAIN_MOUNT, .type = HEALTH_RUNNING};

	memset(&io, 0, sizeof(io));
	memset(&mon, 0, sizeof(mon));
	dones = 0;
	std_map(10, 0, &e);
	mo->fsid[0] = 0xfe;
	mo->full[mo->nfull++] = (struct mosdmap_blob){10, e.buf, (uint32_t)e.len};

	hq = health_queue_new(256, true);
	health_emit(hq, &ev);
	health_reader_init(hq, &hr);
	keeper = osdmap_keeper_new(hq);
	o = osdc_new(keeper, &fio, hq);
	osdc_osdmap_ops(o).handle(o, mo, &r);
	cr_assert_eq(r.epoch, 10);
	free(mo);
	wire_enc_free(&e);
}

static void teardown(void)
{
	osdc_free(o, 0);
	osdmap_keeper_free(keeper);
	health_queue_free(hq);
}

TestSuite(osdc, .init = setup, .fini = teardown);

static const char *health_since(void)
{
	static char buf[16384];
	ssize_t n = health_read(hq, &hr, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* The map, to edit as a new epoch would change it. */
static struct osdmap *edit_map(void)
{
	struct osdmap *m = (struct osdmap *)osdmap_keeper_lock(keeper);

	osdmap_keeper_unlock(keeper);
	m->epoch++;
	return m;
}

static struct osdc_request *req(const char *oid, uint32_t flags)
{
	struct osdc_request *r = calloc(1, sizeof(*r));

	r->pool = 1;
	snprintf(r->oid, sizeof(r->oid), "%s", oid);
	r->flags = flags;
	r->done = done;
	return r;
}

/* Free a request the test made, cancelling it first if still in flight. */
static void drop(struct osdc_request *r)
{
	if (r->s)
		osdc_cancel(o, r, -ECANCELED, 0);
	osdc_request_release(r);
	free(r);
}

static const struct sent *last_sent(void)
{
	cr_assert_gt(io.nsent, 0);
	return &io.sent[(io.nsent - 1) % 64];
}

/* MOSDOp fields at their offsets (test_osd_msgs.c checks the layout). */
static uint32_t op_seed(const struct sent *s)
{
	return get_le32(s->front + 15);
}
static uint32_t op_epoch(const struct sent *s)
{
	return get_le32(s->front + 28);
}
static uint32_t op_flags(const struct sent *s)
{
	return get_le32(s->front + 32);
}
static int32_t op_attempt(const struct sent *s)
{
	return (int32_t)get_le32(s->front + s->front_len - 12);
}

static int reply(uint64_t con, const struct osdc_request *r, int32_t result, int32_t attempt, uint32_t out_len,
		 const void *out)
{
	struct wire_enc e;
	uint16_t code = r->ops[0].op;

	wire_enc_init(&e);
	osd_reply_encode(&e, &(struct osd_reply_enc){.oid = r->oid,
						     .pgid = r->t.pgid,
						     .result = result,
						     .epoch = r->t.epoch,
						     .nops = 1,
						     .ops = &code,
						     .out_lens = &out_len,
						     .attempts = attempt,
						     .version = 777,
						     .redirect_pool = -1});
	int rc = osdc_handle_msg(o, con, CEPH_MSG_OSD_OPREPLY, 8, r->tid, e.buf, e.len, out, out_len, 0);
	wire_enc_free(&e);
	return rc;
}

Test(osdc, a_write_goes_to_the_primary_with_its_pg_and_a_read_gets_its_bytes)
{
	struct osdc_request *w = req("obj", OSD_FLAG_WRITE), *rd = req("obj", OSD_FLAG_READ);
	const struct osdmap *m;
	struct osd_pg raw;
	struct osd_set acting;

	osdc_op_extent(w, OSD_OP_WRITE, 0, 5, "hello", 5);
	cr_assert_eq(osdc_submit(o, w, 1000), 0);
	m = osdmap_keeper_lock(keeper);
	cr_assert_eq(osdmap_object_to_pg(m, 1, NULL, "obj", &raw), 0);
	cr_assert_eq(osdmap_pg_to_up_acting(m, osd_pool_raw_pg_to_pg(osdmap_pool(m, 1), raw), NULL, &acting), 0);
	osdmap_keeper_unlock(keeper);
	cr_assert_eq(io.opens, 1);
	cr_assert_eq(io.open_osd[0], acting.primary, "the acting primary");
	cr_assert_eq(io.open_port[0], 6800 + acting.primary, "at its address in the map");
	const struct sent *s = last_sent();
	cr_assert_eq(s->type, CEPH_MSG_OSD_OP);
	cr_assert_eq(s->tid, w->tid);
	cr_assert_eq(get_le32(s->front + 24), raw.seed, "the raw hash");
	cr_assert_eq(op_seed(s), raw.seed & 15, "the PG folded over 16");
	cr_assert_eq(op_epoch(s), 10);
	cr_assert_eq(op_flags(s), OSD_FLAG_WRITE | OSD_FLAG_ONDISK | OSD_FLAG_KNOWN_REDIR);
	cr_assert_eq(op_attempt(s), 0);
	cr_assert_eq(s->data_len, 5);
	cr_assert_eq(memcmp(s->data, "hello", 5), 0);

	osdc_con_up(o, io.open_con[0], 0, 1001);
	reply(io.open_con[0], w, 0, 0, 0, NULL);
	cr_assert_eq(dones, 1);
	cr_assert_eq(w->result, 0);
	cr_assert_eq(w->version, 777);
	cr_assert_eq(w->attempts, 1);

	osdc_op_extent(rd, OSD_OP_READ, 0, 5, NULL, 0);
	cr_assert_eq(osdc_submit(o, rd, 1002), 0);
	cr_assert_eq(io.opens, 1, "the session is shared");
	cr_assert_neq(rd->tid, w->tid);
	reply(io.open_con[0], rd, 0, 1, 5, "HELLO"); /* a reply to an attempt never made */
	cr_assert_eq(dones, 1, "dropped");
	reply(io.open_con[0], rd, 0, 0, 5, "hello");
	cr_assert_eq(dones, 2);
	cr_assert_eq(rd->out_len[0], 5);
	cr_assert_eq(memcmp(rd->out[0], "hello", 5), 0);
	reply(io.open_con[0], rd, 0, 0, 5, "again"); /* answered already */
	cr_assert_eq(dones, 2);
	osdc_request_release(rd);
	drop(w);
	drop(rd);
}

static int held, holds;
static void hold(void *arg)
{
	(void)arg;
	held++;
	holds++;
}
static void unhold(void *arg)
{
	(void)arg;
	held--;
}

Test(osdc, a_single_input_is_lent_while_held_and_every_hold_is_released)
{
	struct osdc_request *w = req("obj", OSD_FLAG_WRITE), *two = req("obj", OSD_FLAG_WRITE);
	struct osd_op *x;

	w->hold = two->hold = hold;
	w->unhold = two->unhold = unhold;
	osdc_op_extent(w, OSD_OP_WRITE, 0, 5, "hello", 5);
	osdc_submit(o, w, 0);
	cr_assert_eq(holds, 1, "lent");
	cr_assert_eq(held, 0, "and released by the session");
	cr_assert_eq(last_sent()->data_len, 5);
	osdc_con_down(o, io.open_con[0], -ECONNRESET, "reset", 1);
	osdc_tick(o, 1 + OSDC_RETRY_MIN_MS); /* sent again: held again, released again */
	cr_assert_eq(holds, 2);
	cr_assert_eq(held, 0);
	/* two inputs are gathered into one segment: copied, not lent */
	osdc_op_extent(two, OSD_OP_WRITE, 0, 1, "a", 1);
	x = osdc_op(two, OSD_OP_SETXATTR);
	x->xattr.name_len = 1;
	x->indata = "nv";
	x->indata_len = 2;
	osdc_submit(o, two, 2);
	cr_assert_eq(holds, 2, "not lent");
	cr_assert_eq(last_sent()->data_len, 3);
	cr_assert_eq(memcmp(last_sent()->data, "anv", 3), 0);
	drop(w);
	drop(two);
}

Test(osdc, bad_requests_and_missing_pools)
{
	struct osdc_request *r = req("obj", OSD_FLAG_WRITE);

	cr_assert_eq(osdc_submit(o, r, 0), -EINVAL, "no ops");
	osdc_op_extent(r, OSD_OP_ZERO, 0, 0, NULL, 0);
	cr_assert_eq(osdc_submit(o, r, 0), -EINVAL, "a zero-length zero (OSDs assert on it)");
	r->nops = 0;
	osdc_op_extent(r, OSD_OP_WRITE, 0, 5, NULL, 5);
	cr_assert_eq(osdc_submit(o, r, 0), -EINVAL, "an input without its bytes");
	r->nops = 0;
	osdc_op(r, OSD_OP_STAT);
	r->flags = 0;
	cr_assert_eq(osdc_submit(o, r, 0), -EINVAL, "neither read nor write");
	r->flags = OSD_FLAG_READ;
	r->pool = 42;
	cr_assert_eq(osdc_submit(o, r, 0), 0);
	cr_assert_eq(dones, 0, "a pool the map does not have: the monitors are asked first");
	cr_assert_eq(mon.checks, 1);
	cr_assert_eq(mon.check_tid, r->tid);
	osdc_map_check_done(o, r->tid, 0, 10, 1);
	cr_assert_eq(dones, 1, "our map is the monitors' newest");
	cr_assert_eq(r->result, -ENOENT);
	cr_assert_eq(io.nsent, 0);
	cr_assert_eq(mon.cancels, 0, "answered: nothing to cancel");
	osdc_map_check_done(o, r->tid, 0, 10, 2); /* a second answer is dropped */
	cr_assert_eq(dones, 1);
	drop(r);
}

Test(osdc, a_pool_newer_than_the_map_is_waited_for_up_to_the_monitors_newest_epoch)
{
	struct osdc_request *a = req("a", OSD_FLAG_WRITE), *b = req("b", OSD_FLAG_WRITE);
	struct osdmap *m;

	a->pool = b->pool = 2;
	osdc_op_extent(a, OSD_OP_WRITE, 0, 5, "hello", 5);
	osdc_op_extent(b, OSD_OP_WRITE, 0, 5, "hello", 5);
	cr_assert_eq(osdc_submit(o, a, 0), 0);
	cr_assert_eq(mon.checks, 1);
	osdc_map_check_done(o, a->tid, 0, 12, 1);
	cr_assert_eq(dones, 0, "the monitors have epoch 12, we 10: wait");
	cr_assert_eq(osdc_submit(o, b, 2), 0);
	cr_assert_eq(mon.checks, 2);

	m = edit_map(); /* 11: still no pool 2 */
	osdc_map_changed(o, 3);
	cr_assert_eq(dones, 0);
	cr_assert_eq(mon.checks, 2, "each request asks once");
	m = edit_map(); /* 12: pool 2 is there */
	m->pools[0].id = 2;
	osdc_map_changed(o, 4);
	cr_assert_eq(dones, 0);
	cr_assert_eq(io.nsent, 2, "both placed and sent");
	cr_assert_eq(a->t.epoch, 12);
	cr_assert_eq(mon.cancels, 1, "b's question is withdrawn");
	cr_assert_eq(mon.cancelled, 101);
	osdc_map_check_done(o, b->tid, 0, 12, 5); /* too late: dropped */
	cr_assert_eq(dones, 0);
	cr_assert_eq(a->s != NULL && b->s != NULL, true);

	/* pool 2 deleted under requests already sent: they fail now */
	m = edit_map();
	m->pools[0].id = 3;
	osdc_map_changed(o, 6);
	cr_assert_eq(dones, 2);
	cr_assert_eq(a->result, -ENOENT);
	cr_assert_eq(b->result, -ENOENT);
	cr_assert_eq(mon.checks, 2, "a deleted pool needs no question");
	drop(a);
	drop(b);
}

Test(osdc, a_missing_pool_fails_once_the_monitors_newest_epoch_is_held)
{
	struct osdc_request *a = req("a", OSD_FLAG_READ), *c = req("c", OSD_FLAG_READ);

	a->pool = c->pool = 7;
	osdc_op(a, OSD_OP_STAT);
	osdc_op(c, OSD_OP_STAT);
	osdc_submit(o, a, 0);
	osdc_submit(o, c, 0);
	osdc_map_check_done(o, a->tid, 0, 11, 1);
	cr_assert_eq(dones, 0);
	edit_map(); /* 11, without pool 7 */
	osdc_map_changed(o, 2);
	cr_assert_eq(dones, 1);
	cr_assert_eq(a->result, -ENOENT);
	/* c gives up while its question is out: withdrawn */
	osdc_cancel(o, c, -ETIMEDOUT, 3);
	cr_assert_eq(mon.cancels, 1);
	cr_assert_eq(mon.cancelled, 101);
	cr_assert_eq(c->result, -ETIMEDOUT);
	/* a question the monitors could not answer: the map is all we know */
	struct osdc_request *d = req("d", OSD_FLAG_READ);
	d->pool = 7;
	osdc_op(d, OSD_OP_STAT);
	osdc_submit(o, d, 4);
	osdc_map_check_done(o, d->tid, -ESHUTDOWN, 0, 5);
	cr_assert_eq(d->result, -ENOENT);
	drop(a);
	drop(c);
	drop(d);
}

Test(osdc, the_primary_going_down_moves_the_request_with_one_more_attempt)
{
	struct osdc_request *r = req("obj", OSD_FLAG_WRITE);
	struct osdmap *m;
	int32_t first;

	osdc_op_extent(r, OSD_OP_WRITE, 0, 5, "hello", 5);
	osdc_submit(o, r, 0);
	first = r->t.osd;
	osdc_con_up(o, io.open_con[0], 0, 1);
	health_since();

	m = edit_map();
	m->osd_state[first] &= ~OSD_UP;
	osdc_map_changed(o, 2);
	cr_assert_neq(r->t.osd, first);
	cr_assert_eq(io.closes, 1, "the down OSD's session is closed");
	cr_assert_eq(io.opens, 2);
	cr_assert_eq(io.open_osd[1], r->t.osd);
	const struct sent *s = last_sent();
	cr_assert_eq(s->tid, r->tid, "the same tid");
	cr_assert_eq(op_attempt(s), 1);
	cr_assert(op_flags(s) & OSD_FLAG_RETRY);
	cr_assert_eq(op_epoch(s), 11);
	cr_assert(strstr(health_since(), "moved 1 requests: sent again"));

	/* the old primary's late answer: its session is gone */
	cr_assert_eq(reply(io.open_con[0], r, 0, 0, 0, NULL), -ENOENT);
	cr_assert_eq(dones, 0);
	reply(io.open_con[1], r, 0, 1, 0, NULL);
	cr_assert_eq(dones, 1);
	drop(r);
}

Test(osdc, a_split_or_a_force_resend_epoch_sends_again_an_unrelated_change_does_not)
{
	struct osdc_request *r = req("obj", OSD_FLAG_READ);
	struct osdmap *m;
	unsigned sent;

	osdc_op(r, OSD_OP_STAT);
	osdc_submit(o, r, 0);
	sent = io.nsent;

	m = edit_map(); /* another pool's change, an OSD reweighted elsewhere: nothing */
	m->pools[0].min_size = 2;
	osdc_map_changed(o, 1);
	cr_assert_eq(io.nsent, sent);

	m = edit_map();
	m->pools[0].last_force_resend = m->epoch;
	osdc_map_changed(o, 2);
	cr_assert_eq(io.nsent, sent + 1, "the pool's force-resend epoch");

	m = edit_map(); /* 16 -> 32 PGs: every PG splits (placement, by pgp_num, stays) */
	int32_t primary = r->t.osd;
	m->pools[0].pg_num = 32;
	m->pools[0].pg_num_mask = 31;
	osdc_map_changed(o, 3);
	cr_assert_eq(io.nsent, sent + 2, "a split");
	cr_assert_eq(r->t.pg_num, 32);
	cr_assert_eq(r->t.osd, primary, "the same primary: only the split sends it again");
	drop(r);
}

Test(osdc, pauses_hold_requests_until_the_flag_clears)
{
	struct osdc_request *w = req("obj", OSD_FLAG_WRITE), *rd = req("obj", OSD_FLAG_READ),
			    *forced = req("obj2", OSD_FLAG_WRITE | OSD_FLAG_FULL_TRY);
	struct osdmap *m = edit_map();

	m->flags |= OSDMAP_FLAG_PAUSEWR;
	m->pools[0].flags |= POOL_FLAG_FULL;
	osdc_map_changed(o, 0);
	osdc_op_extent(w, OSD_OP_WRITE, 0, 1, "x", 1);
	osdc_op(rd, OSD_OP_STAT);
	osdc_op_extent(forced, OSD_OP_WRITE, 0, 1, "x", 1);
	osdc_submit(o, w, 0);
	osdc_submit(o, rd, 0);
	cr_assert_eq(io.nsent, 1, "the read goes; the write waits");
	cr_assert(w->t.paused);
	m = edit_map();
	m->flags &= ~OSDMAP_FLAG_PAUSEWR; /* still full */
	osdc_map_changed(o, 1);
	osdc_submit(o, forced, 1);
	cr_assert_eq(io.nsent, 2, "FULL_TRY goes to a full pool; the plain write waits");
	m = edit_map();
	m->pools[0].flags &= ~POOL_FLAG_FULL;
	osdc_map_changed(o, 2);
	cr_assert_eq(io.nsent, 3, "unpaused: sent");
	cr_assert_eq(last_sent()->tid, w->tid);
	cr_assert_eq(op_attempt(last_sent()), 0, "its first send");
	drop(w);
	drop(rd);
	drop(forced);
}

Test(osdc, a_lost_session_is_reopened_and_everything_on_it_sent_again)
{
	struct osdc_request *a = req("a", OSD_FLAG_READ), *b = req("a", OSD_FLAG_WRITE);

	osdc_op(a, OSD_OP_STAT);
	osdc_op_extent(b, OSD_OP_WRITEFULL, 0, 1, "x", 1);
	osdc_submit(o, a, 0);
	osdc_submit(o, b, 0);
	cr_assert_eq(io.nsent, 2);
	osdc_con_up(o, io.open_con[0], 0, 1);
	health_since();
	osdc_con_down(o, io.open_con[0], -ECONNRESET, "connection reset", 2);
	cr_assert_eq(io.opens, 1, "not at once");
	cr_assert_eq(osdc_tick(o, 3), 2 + OSDC_RETRY_MIN_MS, "the tick wants to reopen then");
	osdc_tick(o, 2 + OSDC_RETRY_MIN_MS);
	cr_assert_eq(io.opens, 2, "reopened to the same OSD");
	cr_assert_eq(io.open_osd[1], io.open_osd[0]);
	cr_assert_eq(io.nsent, 4, "both sent again");
	cr_assert_eq(io.sent[2].con, io.open_con[1]);
	cr_assert_eq(op_attempt(&io.sent[3]), 1);
	const char *h = health_since();
	cr_assert(strstr(h, "\"type\":\"session_lost\"") && strstr(h, "connection reset"), "%s", h);

	/* refused again at once: the wait doubles */
	osdc_con_down(o, io.open_con[1], -ECONNREFUSED, "connection refused", 300);
	cr_assert_eq(osdc_tick(o, 301), 300 + 2 * OSDC_RETRY_MIN_MS);
	osdc_tick(o, 300 + 2 * OSDC_RETRY_MIN_MS);
	cr_assert_eq(io.opens, 3);
	cr_assert_eq(io.nsent, 6, "both sent again, again");
	osdc_con_up(o, io.open_con[2], 0, 800);

	/* no answer for the keepalive interval: laggy, a keepalive; the ack heals */
	cr_assert_eq(osdc_tick(o, 800 + OSDC_KEEPALIVE_MS), 800 + 2 * OSDC_KEEPALIVE_MS);
	cr_assert_eq(io.keepalives, 1);
	struct osdc_status st;
	osdc_get_status(o, &st);
	cr_assert_eq(st.laggy, 1);
	cr_assert_eq(st.requests, 2);
	cr_assert(strstr(health_since(), "laggy"));
	osdc_keepalive_ack(o, io.open_con[2], 801 + OSDC_KEEPALIVE_MS);
	cr_assert(strstr(health_since(), "answers again"));

	char buf[512];
	osdc_format_requests(o, buf, sizeof(buf));
	cr_assert(strstr(buf, "\ta\tstat\n") && strstr(buf, "\ta\twritefull\n"), "%s", buf);
	drop(a);
	drop(b);
}

Test(osdc, backoffs_hold_a_pg_until_unblocked_and_deadlines_and_cancels_finish)
{
	struct osdc_request *r = req("obj", OSD_FLAG_READ), *t = req("other", OSD_FLAG_READ);
	struct wire_enc e;
	size_t at;

	osdc_op(r, OSD_OP_STAT);
	osdc_submit(o, r, 0);
	osdc_con_up(o, io.open_con[0], 0, 0);
	/* BLOCK the request's PG */
	wire_enc_init(&e);
	at = ceph_enc_struct_begin(&e, 1, 1);
	wire_enc_u8(&e, 1), wire_enc_le64(&e, 1), wire_enc_le32(&e, r->t.pgid.seed), wire_enc_le32(&e, 0xffffffff);
	wire_enc_u8(&e, 0xff);
	ceph_enc_struct_end(&e, at);
	wire_enc_le32(&e, 10), wire_enc_u8(&e, OSD_BACKOFF_BLOCK), wire_enc_le64(&e, 1);
	for (int i = 0; i < 2; i++) {
		at = ceph_enc_struct_begin(&e, 4, 3);
		ceph_enc_string(&e, ""), ceph_enc_string(&e, "obj"), wire_enc_le64(&e, OSD_NOSNAP);
		wire_enc_le32(&e, 0), wire_enc_u8(&e, 0), ceph_enc_string(&e, ""), wire_enc_le64(&e, 1);
		ceph_enc_struct_end(&e, at);
	}
	cr_assert_eq(osdc_handle_msg(o, io.open_con[0], CEPH_MSG_OSD_BACKOFF, 1, 0, e.buf, e.len, NULL, 0, 0), 0);
	cr_assert_eq(last_sent()->type, CEPH_MSG_OSD_BACKOFF, "acked");
	cr_assert_eq(last_sent()->front[28], OSD_BACKOFF_ACK_BLOCK);
	unsigned sent = io.nsent;
	osdc_con_down(o, io.open_con[0], -ECONNRESET, "reset", 1); /* a reopen forgets backoffs */
	osdc_tick(o, 1 + OSDC_RETRY_MIN_MS);
	cr_assert_eq(io.nsent, sent + 1);
	osdc_handle_msg(o, io.open_con[1], CEPH_MSG_OSD_BACKOFF, 1, 0, e.buf, e.len, NULL, 0, 2);
	sent = io.nsent;
	struct osdmap *m = edit_map();
	m->pools[0].last_force_resend = m->epoch; /* would resend: held by the backoff */
	osdc_map_changed(o, 3);
	cr_assert_eq(io.nsent, sent);
	e.buf[28] = OSD_BACKOFF_UNBLOCK;
	osdc_handle_msg(o, io.open_con[1], CEPH_MSG_OSD_BACKOFF, 1, 0, e.buf, e.len, NULL, 0, 4);
	cr_assert_eq(io.nsent, sent + 1, "unblocked: sent");
	cr_assert_eq(last_sent()->tid, r->tid);
	wire_enc_free(&e);

	/* a malformed reply is dropped with a health event */
	cr_assert_eq(
	    osdc_handle_msg(o, io.open_con[1], CEPH_MSG_OSD_OPREPLY, 8, r->tid, (const uint8_t *)"x", 1, NULL, 0, 5),
	    0);
	cr_assert_eq(dones, 0);
	cr_assert(strstr(health_since(), "malformed reply"));

	/* a request's own deadline; a cancel */
	osdc_op(t, OSD_OP_STAT);
	t->timeout_ms = 100;
	osdc_submit(o, t, 10);
	cr_assert_leq(osdc_tick(o, 50), 110);
	osdc_tick(o, 110);
	cr_assert_eq(dones, 1);
	cr_assert_eq(t->result, -ETIMEDOUT);
	unsigned revokes = io.revokes;
	osdc_cancel(o, r, -EINTR, 120);
	cr_assert_eq(dones, 2);
	cr_assert_eq(r->result, -EINTR);
	cr_assert_eq(io.revokes, revokes + 1);
	osdc_cancel(o, r, -EINTR, 121); /* finished: nothing */
	cr_assert_eq(dones, 2);
	drop(r);
	drop(t);
}

Test(osdc, pending_requests_end_with_eshutdown)
{
	struct osdc_request *r = req("obj", OSD_FLAG_READ);

	osdc_op(r, OSD_OP_STAT);
	osdc_submit(o, r, 0);
	osdc_free(o, 1);
	cr_assert_eq(dones, 1);
	cr_assert_eq(r->result, -ESHUTDOWN);
	o = osdc_new(keeper, &fio, hq); /* for teardown */
	drop(r);
}

/* A PG op (a listing) names no object: it goes to the primary of the PG
 * holding its hash, sent with the folded seed as its raw PG, as librados's
 * pg_read; its positive result (1: the end of the PG) is not an error. */
Test(osdc, a_pg_op_goes_to_the_pg_holding_its_hash)
{
	struct osdc_request *r = req("", OSD_FLAG_READ), *bad = req("obj", OSD_FLAG_READ);
	const struct osdmap *m;
	struct osd_set acting;
	struct osd_op *op;

	r->pg_op = true;
	r->pg_hash = 0xabcdef17; /* folds to PG 7 of 16 */
	op = osdc_op(r, OSD_OP_PGNLS);
	op->pgls.count = 10;
	op->indata = "cursor";
	op->indata_len = 6;
	cr_assert_eq(osdc_submit(o, r, 1000), 0);
	m = osdmap_keeper_lock(keeper);
	cr_assert_eq(osdmap_pg_to_up_acting(m, (struct osd_pg){1, 7}, NULL, &acting), 0);
	osdmap_keeper_unlock(keeper);
	cr_assert_eq(io.open_osd[0], acting.primary);
	const struct sent *s = last_sent();
	cr_assert_eq(get_le32(s->front + 24), 7, "the folded seed as the hash");
	cr_assert_eq(op_seed(s), 7);
	cr_assert_eq(op_flags(s) & (OSD_FLAG_PGOP | OSD_FLAG_IGNORE_OVERLAY | OSD_FLAG_READ),
		     OSD_FLAG_PGOP | OSD_FLAG_IGNORE_OVERLAY | OSD_FLAG_READ);
	osdc_con_up(o, io.open_con[0], 0, 1001);
	reply(io.open_con[0], r, 1, 0, 3, "out");
	cr_assert_eq(dones, 1);
	cr_assert_eq(r->result, 1);
	cr_assert_eq(r->out_len[0], 3);

	/* an object name on a PG op, or a PG op without the flag: refused */
	bad->pg_op = true;
	osdc_op(bad, OSD_OP_PGNLS);
	cr_assert_eq(osdc_submit(o, bad, 1002), -EINVAL);
	bad->pg_op = false;
	bad->oid[0] = '\0';
	cr_assert_eq(osdc_submit(o, bad, 1002), -EINVAL);
	drop(r);
	drop(bad);
}

/* A read whose caller gives the buffer: the bytes land there (release does
 * not free it); an answer longer than the buffer fails the request. */
Test(osdc, a_read_lands_in_the_callers_buffer)
{
	struct osdc_request *rd = req("obj", OSD_FLAG_READ), *big = req("obj", OSD_FLAG_READ);
	char buf[8] = "........", small[4];

	osdc_op_extent(rd, OSD_OP_READ, 0, 8, NULL, 0);
	rd->out_buf[0] = buf;
	rd->out_cap[0] = sizeof(buf);
	cr_assert_eq(osdc_submit(o, rd, 1000), 0);
	osdc_con_up(o, io.open_con[0], 0, 1001);
	/* where the session should receive the reply's data */
	cr_assert_eq((void *)osdc_rx_data(o, io.open_con[0], CEPH_MSG_OSD_OPREPLY, rd->tid, 8), (void *)buf);
	cr_assert_null(osdc_rx_data(o, io.open_con[0], CEPH_MSG_OSD_OPREPLY, rd->tid, 9), "more than it holds");
	cr_assert_null(osdc_rx_data(o, io.open_con[0], CEPH_MSG_OSD_OPREPLY, rd->tid + 100, 8), "no such tid");
	cr_assert_null(osdc_rx_data(o, io.open_con[0], CEPH_MSG_OSD_BACKOFF, rd->tid, 8));
	cr_assert_null(osdc_rx_data(o, io.open_con[0] + 100, CEPH_MSG_OSD_OPREPLY, rd->tid, 8), "no such session");
	nrx_revoked = 0;
	reply(io.open_con[0], rd, 0, 0, 5, "HELLO");
	cr_assert_eq(nrx_revoked, 1, "done: no session goes on writing into its buffer");
	cr_assert_eq(rx_revoked[0], (void *)buf);
	cr_assert_eq(rd->result, 0);
	cr_assert_eq((void *)rd->out[0], (void *)buf);
	cr_assert_eq(rd->out_len[0], 5);
	cr_assert_eq(memcmp(buf, "HELLO...", 8), 0);
	osdc_request_release(rd); /* frees nothing of the caller's (ASan would say) */
	cr_assert_null(rd->out[0]);

	osdc_op_extent(big, OSD_OP_READ, 0, 8, NULL, 0);
	big->out_buf[0] = small;
	big->out_cap[0] = sizeof(small);
	cr_assert_eq(osdc_submit(o, big, 1002), 0);
	reply(io.open_con[0], big, 0, 0, 5, "HELLO");
	cr_assert_eq(big->result, -EOVERFLOW);
	cr_assert_null(big->out[0]);
	drop(rd);
	drop(big);
}

/* An OSD shares a newer map (as OSDs do with a client behind them): it is
 * applied as a monitor's would be and the requests it moves are sent
 * again; a malformed one is dropped. */
Test(osdc, a_map_an_osd_shares_is_applied)
{
	struct osdc_request *w = req("obj", OSD_FLAG_WRITE);
	struct wire_enc blob, front;
	const struct osdmap *m;
	int32_t first;

	osdc_op_extent(w, OSD_OP_WRITE, 0, 5, "hello", 5);
	cr_assert_eq(osdc_submit(o, w, 1000), 0);
	osdc_con_up(o, io.open_con[0], 0, 1001);
	first = io.open_osd[0];
	/* epoch 11: the primary is down */
	std_map(11, 1u << first, &blob);
	wire_enc_init(&front);
	wire_enc_u8(&front, 0xfe), wire_enc_zeros(&front, 15); /* fsid */
	wire_enc_le32(&front, 0);			       /* no incrementals */
	wire_enc_le32(&front, 1), wire_enc_le32(&front, 11), wire_enc_le32(&front, (uint32_t)blob.len);
	wire_enc_bytes(&front, blob.buf, blob.len);
	wire_enc_le32(&front, 1), wire_enc_le32(&front, 11); /* oldest, newest */

	cr_assert_eq(
	    osdc_handle_msg(o, io.open_con[0], CEPH_MSG_OSD_MAP, 4, 0, front.buf, front.len - 9, NULL, 0, 1002),
	    -EBADMSG, "cut short");
	m = osdmap_keeper_lock(keeper);
	cr_assert_eq(m->epoch, 10);
	osdmap_keeper_unlock(keeper);
	cr_assert_eq(osdc_handle_msg(o, io.open_con[0], CEPH_MSG_OSD_MAP, 4, 0, front.buf, front.len, NULL, 0, 1003),
		     0);
	m = osdmap_keeper_lock(keeper);
	cr_assert_eq(m->epoch, 11);
	osdmap_keeper_unlock(keeper);
	cr_assert_eq(w->t.epoch, 11);
	cr_assert_neq(w->t.osd, first, "moved off the down primary");
	cr_assert_eq(io.open_osd[io.opens - 1], w->t.osd);
	cr_assert_eq(last_sent()->tid, w->tid, "sent again");
	cr_assert_eq(mon.results, 1, "the subscription hears of it");
	cr_assert_eq(mon.last.epoch, 11);
	cr_assert(mon.last.changed);
	cr_assert_eq(mon.last.want, MONC_OSDMAP_WANT_NOTHING);
	wire_enc_free(&front);

	/* an incremental for epoch 13 alone: 12 is missing, the monitors are asked */
	wire_enc_init(&front);
	wire_enc_u8(&front, 0xfe), wire_enc_zeros(&front, 15);
	wire_enc_le32(&front, 1), wire_enc_le32(&front, 13), wire_enc_le32(&front, 4), wire_enc_le32(&front, 0);
	wire_enc_le32(&front, 0);
	wire_enc_le32(&front, 1), wire_enc_le32(&front, 13);
	cr_assert_eq(
	    osdc_handle_msg(o, io.open_con[io.opens - 1], CEPH_MSG_OSD_MAP, 4, 0, front.buf, front.len, NULL, 0, 1004),
	    0);
	cr_assert_eq(mon.results, 2);
	cr_assert_eq(mon.last.epoch, 11);
	cr_assert(!mon.last.changed);
	cr_assert_eq(mon.last.want, MONC_OSDMAP_WANT_NEXT, "epoch 12 asked of the monitors");
	wire_enc_free(&blob);
	wire_enc_free(&front);
	drop(w);
}
