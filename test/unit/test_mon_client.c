/*
 * Unit tests for cephmon/mon/mon_client.c, monc's state machine, and of
 * monc_maps.c's hand-off of OSD maps to their keeper, driven with a
 * recording stand-in for the connections (the I/O it would do is what is
 * under test here; the real connections are tested against real monitors).
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cephmon/mon/mon_client.h"
#include "cephmon/mon/monc_maps.h"

struct sent {
	uint64_t con;
	uint16_t type, version;
	uint64_t tid;
	uint8_t front[512];
	size_t len;
};

static struct {
	uint64_t open_con[64];
	char open_name[64][MONC_NAME_MAX];
	unsigned nopen;
	uint64_t closed[64];
	unsigned nclosed;
	struct sent sent[64];
	unsigned nsent;
	unsigned keepalives;
	int refuse_open; /* open returns this */
} io;

static int f_open(void *arg, uint64_t con, const char *name, const struct ceph_addrvec *addrs)
{
	(void)arg, (void)addrs;
	if (io.refuse_open)
		return io.refuse_open;
	io.open_con[io.nopen] = con;
	snprintf(io.open_name[io.nopen], MONC_NAME_MAX, "%s", name);
	io.nopen++;
	return 0;
}

static void f_close(void *arg, uint64_t con)
{
	(void)arg;
	io.closed[io.nclosed++] = con;
}

static int f_send(void *arg, uint64_t con, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front,
		  size_t len)
{
	(void)arg;
	struct sent *s = &io.sent[io.nsent++ % 64];
	s->con = con, s->type = type, s->version = version, s->tid = tid;
	s->len = len < sizeof(s->front) ? len : sizeof(s->front);
	memcpy(s->front, front, s->len);
	return 0;
}

static void f_keepalive(void *arg, uint64_t con)
{
	(void)arg, (void)con;
	io.keepalives++;
}

static uint64_t revoked_tid;
static void f_revoke(void *arg, uint64_t con, uint64_t tid)
{
	(void)arg, (void)con;
	revoked_tid = tid;
}

static const struct monc_io fio = {NULL, f_open, f_close, f_send, f_keepalive, f_revoke};
static struct monc *m;
static struct health_queue *hq;
static struct health_reader hr;

static void setup(void)
{
	struct monc_monmap map = {0};
	struct health_event ev = {.domain = HEALTH_DOMAIN_MOUNT, .type = HEALTH_RUNNING};
	char err[128];

	memset(&io, 0, sizeof(io));
	cr_assert_eq(ceph_parse_mon_addrs("127.0.0.1:3300,127.0.0.1:3301,127.0.0.1:3302", CEPH_ADDR_SYNTAX_CEPH,
					  &map.addrs, err, sizeof(err)),
		     0, "%s", err);
	for (int i = 0; i < 3; i++)
		snprintf(map.names[i], MONC_NAME_MAX, "%c", 'a' + i);
	hq = health_queue_new(256, true);
	health_emit(hq, &ev);
	health_reader_init(hq, &hr);
	m = monc_new(&map, &fio, hq, 42);
	cr_assert_not_null(m);
}

static void teardown(void)
{
	monc_free(m);
	health_queue_free(hq);
}

TestSuite(monc, .init = setup, .fini = teardown);

/* The health lines since the last call, joined. */
static const char *health_since(void)
{
	static char buf[16384];
	ssize_t n = health_read(hq, &hr, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static unsigned count_sent(uint16_t type)
{
	unsigned n = 0;
	for (unsigned i = 0; i < io.nsent && i < 64; i++)
		n += io.sent[i].type == type;
	return n;
}

static struct monc_reply last_reply;
static int replies;
static void on_done(void *arg, uint64_t tid, const struct monc_reply *r)
{
	(void)arg, (void)tid;
	last_reply = *r;
	replies++;
}

/* Start and make the first hunted connection the session. */
static uint64_t establish(uint64_t now)
{
	monc_start(m, now);
	cr_assert_eq(io.nopen, 2, "hunts two of three monitors at once");
	monc_con_up(m, io.open_con[0], 4100, 0, now + 5);
	return io.open_con[0];
}

Test(monc, hunts_in_parallel_and_keeps_the_first_to_authenticate)
{
	struct monc_status st;
	uint64_t con;

	monc_subscribe(m, "osdmap", 0, false, 0);
	con = establish(1000);
	cr_assert_neq(strcmp(io.open_name[0], io.open_name[1]), 0, "two different monitors");
	cr_assert_eq(io.nclosed, 1);
	cr_assert_eq(io.closed[0], io.open_con[1], "the other hunt is closed");
	monc_get_status(m, &st);
	cr_assert_eq(st.state, MONC_SESSION);
	cr_assert_str_eq(st.mon, io.open_name[0]);
	cr_assert_eq(st.global_id, 4100);
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), 1);
	cr_assert_eq(io.sent[0].con, con);
	const char *h = health_since();
	cr_assert(strstr(h, "\"type\":\"hunting\""), "%s", h);
	cr_assert(strstr(h, "\"type\":\"session_established\""), "%s", h);
}

Test(monc, requests_wait_for_a_session_and_are_resent_on_the_next)
{
	uint8_t reply[56] = {0};
	int64_t tid;

	monc_start(m, 0);
	tid = monc_statfs(m, 3, on_done, NULL, 0);
	cr_assert_gt(tid, 0);
	cr_assert_eq(count_sent(CEPH_MSG_STATFS), 0, "no session yet");
	monc_con_up(m, io.open_con[0], 1, 0, 10);
	cr_assert_eq(count_sent(CEPH_MSG_STATFS), 1, "sent once the session is up");

	/* The session's monitor dies before answering. */
	char lost[MONC_NAME_MAX];
	snprintf(lost, sizeof(lost), "%s", io.open_name[0]);
	unsigned before = io.nopen;
	monc_con_down(m, io.open_con[0], -ECONNREFUSED, "connection refused", 20);
	cr_assert_eq(io.nopen, before + 2, "hunts again");
	for (unsigned i = before; i < io.nopen; i++)
		cr_assert_str_neq(io.open_name[i], lost, "never the monitor just lost while others exist");
	const char *h = health_since();
	cr_assert(strstr(h, "\"type\":\"session_lost\"") && strstr(h, "ECONNREFUSED"), "%s", h);

	monc_con_up(m, io.open_con[before + 1], 2, 0, 30);
	cr_assert_eq(count_sent(CEPH_MSG_STATFS), 2, "resent on the new session");
	cr_assert_eq(io.sent[io.nsent - 1].tid, (uint64_t)tid, "with its tid");
	h = health_since();
	cr_assert(strstr(h, "1 pending request sent again"), "%s", h);

	reply[24] = 0x10; /* kb = 4096 << 0 ... little-endian 0x1000 */
	reply[25] = 0x00;
	cr_assert_eq(monc_handle_msg(m, io.open_con[before + 1], CEPH_MSG_STATFS_REPLY, (uint64_t)tid, reply, 56, 40),
		     0);
	cr_assert_eq(replies, 1);
	cr_assert_eq(last_reply.result, 0);
	cr_assert_eq(last_reply.statfs.kb, 0x10);
}

Test(monc, a_refusal_is_replaced_at_once_and_rounds_back_off)
{
	monc_start(m, 0);
	cr_assert_eq(io.nopen, 2);
	monc_con_down(m, io.open_con[0], -ECONNREFUSED, "refused", 1);
	cr_assert_eq(io.nopen, 3, "the third monitor is tried at once");
	monc_con_down(m, io.open_con[1], -ECONNREFUSED, "refused", 2);
	monc_con_down(m, io.open_con[2], -ECONNREFUSED, "refused", 3);
	cr_assert_eq(io.nopen, 3, "every monitor tried: wait for the next round");
	uint64_t next = monc_tick(m, 4);
	cr_assert_eq(next, 3 + 4500, "the backoff grew to 1.5 x 3 s (next at %llu)", (unsigned long long)next);
	monc_tick(m, next);
	cr_assert_eq(io.nopen, 5, "a new round");
}

Test(monc, a_silent_monitor_is_left_after_the_hunt_interval)
{
	monc_start(m, 0);
	cr_assert_eq(monc_tick(m, 100), MONC_HUNT_INTERVAL_MS);
	monc_tick(m, MONC_HUNT_INTERVAL_MS);
	cr_assert_eq(io.nclosed, 2, "the silent round is closed");
	cr_assert_eq(io.nopen, 4, "and a new one opened");
	struct monc_status st;
	monc_get_status(m, &st);
	cr_assert_float_eq(st.hunt_mult, 1.5, 1e-9);
	/* A straggler of the old round cannot become the session. */
	monc_con_up(m, io.open_con[0], 9, 0, MONC_HUNT_INTERVAL_MS + 1);
	monc_get_status(m, &st);
	cr_assert_eq(st.state, MONC_HUNTING);
}

Test(monc, keepalives_and_their_timeout)
{
	const uint64_t up = 5; /* establish() brings the session up at 5 ms */

	establish(0);
	monc_tick(m, up + MONC_PING_INTERVAL_MS - 1);
	cr_assert_eq(io.keepalives, 0);
	monc_tick(m, up + MONC_PING_INTERVAL_MS);
	cr_assert_eq(io.keepalives, 1);
	monc_keepalive_ack(m, io.open_con[0], up + MONC_PING_INTERVAL_MS + 3);
	monc_tick(m, up + 2 * MONC_PING_INTERVAL_MS);
	cr_assert_eq(io.keepalives, 2);
	/* No ack for 30 s after the last one. */
	health_since();
	monc_tick(m, up + MONC_PING_INTERVAL_MS + 3 + MONC_PING_TIMEOUT_MS - 1);
	struct monc_status st;
	monc_get_status(m, &st);
	cr_assert_eq(st.state, MONC_SESSION, "not a millisecond early");
	monc_tick(m, up + MONC_PING_INTERVAL_MS + 3 + MONC_PING_TIMEOUT_MS);
	monc_get_status(m, &st);
	cr_assert_eq(st.state, MONC_HUNTING);
	const char *h = health_since();
	cr_assert(strstr(h, "no keepalive ack for 30 s"), "%s", h);
}

Test(monc, subscriptions_renew_at_half_the_granted_interval)
{
	uint8_t ack[20] = {44, 1, 0, 0}; /* 300 s */

	monc_subscribe(m, "monmap", 0, false, 0);
	monc_subscribe(m, "fsmap.user", 0, true, 0);
	establish(0);
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), 1);
	cr_assert_eq(monc_handle_msg(m, io.open_con[0], CEPH_MSG_MON_SUBSCRIBE_ACK, 0, ack, sizeof(ack), 7), 0);
	monc_got_epoch(m, "monmap", 4);
	monc_got_epoch(m, "fsmap.user", 2);
	monc_keepalive_ack(m, io.open_con[0], 149000);
	monc_tick(m, 149000);
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), 1, "not yet");
	monc_keepalive_ack(m, io.open_con[0], 150005);
	monc_tick(m, 150005);
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), 2, "renewed at 150 s");
	/* The renewal asks for monmap from epoch 5 and no longer for the one-time fsmap.user. */
	const struct sent *s = &io.sent[io.nsent - 1];
	cr_assert_eq(s->front[0], 1, "one item");
	cr_assert_eq(memcmp(s->front + 8, "monmap", 6), 0);
	cr_assert_eq(s->front[14], 5, "from epoch 5");
	cr_assert(strstr(health_since(), "monmap epoch 4 received"));
}

Test(monc, blocklist_falls_back_to_the_legacy_command)
{
	struct wire_enc ack;
	int64_t tid;

	establish(0);
	tid = monc_blocklist_add(m, "127.0.0.1:0/123", on_done, NULL, 1);
	cr_assert_gt(tid, 0);
	cr_assert(memmem(io.sent[io.nsent - 1].front, io.sent[io.nsent - 1].len, "osd blocklist", 13));
	wire_enc_init(&ack);
	wire_enc_le64(&ack, 0);
	wire_enc_le16(&ack, 0xffff);
	wire_enc_le64(&ack, 0);
	wire_enc_le32(&ack, (uint32_t)-EINVAL);
	ceph_enc_string(&ack, "unknown command");
	cr_assert_eq(monc_handle_msg(m, io.open_con[0], CEPH_MSG_MON_COMMAND_ACK, (uint64_t)tid, ack.buf, ack.len, 2),
		     0);
	cr_assert_eq(replies, 0, "not finished: retried");
	cr_assert(memmem(io.sent[io.nsent - 1].front, io.sent[io.nsent - 1].len, "osd blacklist", 13));
	cr_assert_eq(io.sent[io.nsent - 1].tid, (uint64_t)tid);
	/* The legacy one fails too: that is the answer. */
	cr_assert_eq(monc_handle_msg(m, io.open_con[0], CEPH_MSG_MON_COMMAND_ACK, (uint64_t)tid, ack.buf, ack.len, 3),
		     0);
	cr_assert_eq(replies, 1);
	cr_assert_eq(last_reply.result, -EINVAL);
	cr_assert_str_eq(last_reply.rs, "unknown command");
	wire_enc_free(&ack);
}

Test(monc, malformed_replies_change_nothing)
{
	int64_t tid;
	uint8_t junk[5] = {1, 2, 3, 4, 5};

	establish(0);
	tid = monc_get_version(m, "osdmap", on_done, NULL, 1);
	cr_assert_eq(monc_handle_msg(m, io.open_con[0], CEPH_MSG_MON_GET_VERSION_REPLY, 0, junk, 5, 2), -EBADMSG);
	cr_assert_eq(monc_handle_msg(m, io.open_con[0], CEPH_MSG_STATFS_REPLY, (uint64_t)tid, junk, 5, 2), -EBADMSG);
	cr_assert_eq(monc_handle_msg(m, io.open_con[0], CEPH_MSG_MON_SUBSCRIBE_ACK, 0, junk, 5, 2), -EBADMSG);
	cr_assert_eq(monc_handle_msg(m, io.open_con[0], CEPH_MSG_OSD_MAP, 0, junk, 5, 2), -ENOENT);
	struct monc_status st;
	monc_get_status(m, &st);
	cr_assert_eq(st.pending, 1);
	cr_assert_eq(st.state, MONC_SESSION);
	uint8_t ok[24] = {(uint8_t)tid, 0, 0, 0, 0, 0, 0, 0, 17};
	cr_assert_eq(monc_handle_msg(m, io.open_con[0], CEPH_MSG_MON_GET_VERSION_REPLY, 0, ok, 24, 3), 0);
	cr_assert_eq(replies, 1);
	cr_assert_eq(last_reply.newest, 17);
	/* A reply on a connection that is not the session is ignored. */
	cr_assert_eq(monc_handle_msg(m, 999, CEPH_MSG_MON_GET_VERSION_REPLY, 0, ok, 24, 4), 0);
	cr_assert_eq(replies, 1);
}

Test(monc, auth_failures_are_reported_and_stop_finishes_requests)
{
	monc_start(m, 0);
	monc_statfs(m, CEPH_NOPOOL, on_done, NULL, 0);
	monc_con_down(m, io.open_con[0], -EACCES, "cephx: key rejected for client.admin", 1);
	const char *h = health_since();
	cr_assert(strstr(h, "\"type\":\"auth_failed\"") && strstr(h, "key rejected"), "%s", h);
	monc_stop(m, 2);
	cr_assert_eq(replies, 1);
	cr_assert_eq(last_reply.result, -ESHUTDOWN);
	cr_assert_eq(monc_statfs(m, CEPH_NOPOOL, on_done, NULL, 3), -ESHUTDOWN);
}

Test(monc, a_new_monmap_follows_the_session_by_name)
{
	struct monc_monmap map = {.epoch = 7};
	struct monc_status st;
	char err[64], cur[MONC_NAME_MAX];

	establish(0);
	snprintf(cur, sizeof(cur), "%s", io.open_name[0]);
	/* The same three monitors in another order, plus a fourth. */
	cr_assert_eq(ceph_parse_mon_addrs("127.0.0.1:3303,127.0.0.1:3302,127.0.0.1:3301,127.0.0.1:3300",
					  CEPH_ADDR_SYNTAX_CEPH, &map.addrs, err, sizeof(err)),
		     0);
	snprintf(map.names[0], MONC_NAME_MAX, "d");
	snprintf(map.names[1], MONC_NAME_MAX, "c");
	snprintf(map.names[2], MONC_NAME_MAX, "b");
	snprintf(map.names[3], MONC_NAME_MAX, "a");
	monc_set_monmap(m, &map, 1);
	monc_get_status(m, &st);
	cr_assert_eq(st.monmap_epoch, 7);
	cr_assert_eq(st.nmons, 4);
	cr_assert_str_eq(st.mon, cur);
	/* An older map is ignored. */
	map.epoch = 6;
	map.addrs.n = 1;
	monc_set_monmap(m, &map, 2);
	monc_get_status(m, &st);
	cr_assert_eq(st.nmons, 4);
}

Test(monc, want_full_asks_for_the_newest_full_map_again)
{
	monc_subscribe(m, "osdmap", 0, false, 0);
	establish(0);
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), 1);
	cr_assert_eq(io.sent[io.nsent - 1].front[14], 0, "the first subscription asks for the newest full map");
	monc_got_epoch(m, "osdmap", 7);
	monc_want_full(m, "osdmap", 5);
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), 2, "asked at once");
	const struct sent *s = &io.sent[io.nsent - 1];
	cr_assert_eq(memcmp(s->front + 8, "osdmap", 6), 0);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(s->front[14 + i], 0, "start 0: the newest full map");
	monc_want_full(m, "osdmap", 6);
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), 2, "already asked");
	monc_got_epoch(m, "osdmap", 9);
	monc_want_full(m, "nosuchmap", 7);
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), 2);
	/* A subscription added on a session goes out at once. */
	cr_assert_eq(monc_subscribe(m, "mdsmap.1", 0, false, 8), 0);
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), 3);
	cr_assert_eq(io.sent[io.nsent - 1].front[0], 2, "osdmap and mdsmap.1");
}

Test(monc, the_session_follows_its_monitor_by_address_into_a_named_monmap)
{
	struct monc_monmap named = *monc_monmap(m);
	struct monc_status st;
	uint64_t con = establish(0);

	(void)con;
	monc_get_status(m, &st);
	/* The real names, in another order. */
	named.epoch = 3;
	for (unsigned r = 0; r < 3; r++) {
		named.addrs.mon[r] = monc_monmap(m)->addrs.mon[2 - r];
		snprintf(named.names[r], MONC_NAME_MAX, "mon%c", 'z' - (int)r);
	}
	char want[MONC_NAME_MAX];
	int old_rank = st.mon[0] - 'a';
	snprintf(want, sizeof(want), "mon%c", 'z' - (2 - old_rank));
	monc_set_monmap(m, &named, 10);
	monc_get_status(m, &st);
	cr_assert_eq(st.state, MONC_SESSION);
	cr_assert_str_eq(st.mon, want);
	cr_assert_eq(st.monmap_epoch, 3);
	cr_assert_eq(monc_session_con(m), io.open_con[0]);
}

Test(monc, a_monitor_that_keeps_subscriptions_is_not_asked_again)
{
	monc_subscribe(m, "monmap", 0, false, 0);
	monc_start(m, 0);
	monc_con_up(m, io.open_con[0], 4100, MONC_FEATURE_MON_STATEFUL_SUB, 5);
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), 1);
	for (uint64_t t = 5; t < 120000; t += 5000) {
		monc_keepalive_ack(m, io.open_con[0], t);
		monc_tick(m, t);
	}
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), 1, "no renewal on a stateful session");
}

Test(monc, a_monitor_silent_under_a_request_is_left_in_seconds)
{
	int64_t tid;
	const uint64_t t0 = 100;

	establish(0);
	tid = monc_statfs(m, CEPH_NOPOOL, on_done, NULL, t0);
	cr_assert_gt(tid, 0);
	cr_assert_leq(monc_tick(m, t0 + 1), t0 + MONC_REQUEST_PROBE_MS, "wakes for the probe");
	monc_tick(m, t0 + MONC_REQUEST_PROBE_MS - 1);
	cr_assert_eq(io.keepalives, 0);
	monc_tick(m, t0 + MONC_REQUEST_PROBE_MS);
	cr_assert_eq(io.keepalives, 1, "the probe");
	health_since();
	monc_tick(m, t0 + MONC_REQUEST_PROBE_MS + MONC_PROBE_TIMEOUT_MS - 1);
	struct monc_status st;
	monc_get_status(m, &st);
	cr_assert_eq(st.state, MONC_SESSION, "not a millisecond early");
	monc_tick(m, t0 + MONC_REQUEST_PROBE_MS + MONC_PROBE_TIMEOUT_MS);
	monc_get_status(m, &st);
	cr_assert_eq(st.state, MONC_HUNTING);
	cr_assert_eq(st.pending, 1, "the request waits for the next session");
	const char *h = health_since();
	cr_assert(strstr(h, "a request unanswered and no keepalive ack for 3 s"), "%s", h);
}

Test(monc, a_slow_request_on_a_live_monitor_keeps_the_session)
{
	const uint64_t t0 = 100, probe = t0 + MONC_REQUEST_PROBE_MS;

	establish(0);
	cr_assert_gt(monc_get_version(m, "osdmap", on_done, NULL, t0), 0);
	monc_tick(m, probe);
	cr_assert_eq(io.keepalives, 1);
	monc_keepalive_ack(m, io.open_con[0], probe + 2);
	monc_tick(m, probe + MONC_PROBE_TIMEOUT_MS + 10);
	struct monc_status st;
	monc_get_status(m, &st);
	cr_assert_eq(st.state, MONC_SESSION, "it answered the probe");
	cr_assert_eq(io.keepalives, 1, "no new probe for a while");
}

Test(monc, a_cancelled_request_revokes_its_message_and_its_reply_is_dropped)
{
	uint8_t reply[56] = {0};
	int64_t tid;

	revoked_tid = 0;
	monc_start(m, 0);
	tid = monc_statfs(m, CEPH_NOPOOL, on_done, NULL, 1);
	monc_cancel(m, (uint64_t)tid);
	cr_assert_eq(revoked_tid, 0, "never sent: nothing to revoke");
	monc_con_up(m, io.open_con[0], 1, 0, 10);
	cr_assert_eq(count_sent(CEPH_MSG_STATFS), 0, "a cancelled request is not sent on the next session");
	tid = monc_statfs(m, CEPH_NOPOOL, on_done, NULL, 11);
	cr_assert_eq(count_sent(CEPH_MSG_STATFS), 1);
	monc_cancel(m, (uint64_t)tid);
	cr_assert_eq(revoked_tid, (uint64_t)tid, "its queued message is revoked");
	cr_assert_eq(monc_handle_msg(m, io.open_con[0], CEPH_MSG_STATFS_REPLY, (uint64_t)tid, reply, 56, 12), 0);
	cr_assert_eq(replies, 0, "a late reply finds nobody");
}

Test(monc, the_lost_monitor_is_tried_again_when_the_others_refuse)
{
	char lost[MONC_NAME_MAX];
	uint64_t con = establish(0);
	struct monc_status st;

	monc_get_status(m, &st);
	snprintf(lost, sizeof(lost), "%s", st.mon);
	unsigned before = io.nopen;
	monc_con_down(m, con, -ECONNRESET, "reset", 100);
	cr_assert_eq(io.nopen, before + 2, "the two others at once");
	cr_assert_str_neq(io.open_name[before], lost);
	cr_assert_str_neq(io.open_name[before + 1], lost);
	monc_con_down(m, io.open_con[before], -ECONNREFUSED, "refused", 101);
	cr_assert_eq(io.nopen, before + 3, "then the lost one, in the same round");
	cr_assert_str_eq(io.open_name[before + 2], lost);
	monc_con_up(m, io.open_con[before + 2], 4100, 0, 102);
	monc_get_status(m, &st);
	cr_assert_eq(st.state, MONC_SESSION);
	cr_assert_str_eq(st.mon, lost);
}

/* The monitors of the configuration have no names: every event and the
 * status name the session's monitor by its address until the monmap names
 * it, then by that name; never by a placeholder. */
Test(monc, monitors_are_named_by_address_until_the_monmap_names_them)
{
	struct monc_monmap map, named;
	struct ceph_mon_addrs addrs;
	struct monc_status st;
	char err[128], want[MONC_NAME_MAX + 32], addr[64];
	const char *h;
	int rank = -1;

	monc_free(m);
	cr_assert_eq(ceph_parse_mon_addrs("127.0.0.1:3300,127.0.0.1:3301,127.0.0.1:3302", CEPH_ADDR_SYNTAX_CEPH, &addrs,
					  err, sizeof(err)),
		     0);
	monc_initial_monmap(&addrs, &map);
	cr_assert_eq(map.epoch, 0);
	m = monc_new(&map, &fio, hq, 7);
	health_since();
	establish(0);
	monc_get_status(m, &st);
	for (int r = 0; r < 3; r++) {
		ceph_entity_addr_format(&addrs.mon[r].v[0], addr, sizeof(addr));
		if (!strcmp(st.mon, addr))
			rank = r;
	}
	cr_assert_geq(rank, 0, "the status names the session's monitor '%s', not by its address", st.mon);
	cr_assert_str_eq(io.open_name[0], st.mon, "the connection was opened under another name");
	h = health_since();
	snprintf(want, sizeof(want), "\"server\":\"mon.%s\"", st.mon);
	cr_assert(strstr(h, "\"type\":\"session_established\""), "%s", h);
	cr_assert(strstr(h, want), "session_established does not name mon.%s: %s", st.mon, h);
	cr_assert_null(strstr(h, "noname"), "%s", h);

	/* The monmap names them: from now on "a", "b", "c", in both places. */
	named = map;
	named.epoch = 1;
	for (int r = 0; r < 3; r++)
		snprintf(named.names[r], MONC_NAME_MAX, "%c", 'a' + r);
	monc_set_monmap(m, &named, 10);
	monc_get_status(m, &st);
	snprintf(want, sizeof(want), "%c", 'a' + rank);
	cr_assert_str_eq(st.mon, want);
	monc_con_down(m, io.open_con[0], -ECONNRESET, "gone", 20);
	h = health_since();
	snprintf(want, sizeof(want), "\"server\":\"mon.%c\"", 'a' + rank);
	cr_assert(strstr(h, "\"type\":\"session_lost\""), "%s", h);
	cr_assert(strstr(h, want), "session_lost does not name mon.%c: %s", 'a' + rank, h);
}

Test(monc, placeholder_names_are_followed_by_address_not_by_name)
{
	struct monc_monmap map = {0}, named;
	struct monc_status st;
	char err[128];

	/* Monitors from a mount string: placeholder names, no epoch. */
	monc_free(m);
	cr_assert_eq(ceph_parse_mon_addrs("127.0.0.1:3300,127.0.0.1:3301,127.0.0.1:3302", CEPH_ADDR_SYNTAX_CEPH,
					  &map.addrs, err, sizeof(err)),
		     0);
	for (int i = 0; i < 3; i++)
		snprintf(map.names[i], MONC_NAME_MAX, "noname-%c", 'a' + i);
	m = monc_new(&map, &fio, hq, 7);
	establish(0);
	monc_get_status(m, &st);
	int rank = st.mon[7] - 'a';
	/* The cluster's own monmap uses the same placeholder names in the
	 * reverse order: the session is the monitor at the same address. */
	named = map;
	named.epoch = 1;
	for (int r = 0; r < 3; r++)
		named.addrs.mon[r] = map.addrs.mon[2 - r];
	monc_set_monmap(m, &named, 10);
	monc_get_status(m, &st);
	char want[MONC_NAME_MAX];
	snprintf(want, sizeof(want), "noname-%c", 'a' + (2 - rank));
	cr_assert_str_eq(st.mon, want, "followed to address %d", 3300 + rank);
}

/* ---- monc_maps: MOSDMap goes to the OSD map's keeper ------------------------ */

static struct {
	unsigned calls;
	struct monc_osdmap_result answer;
} keeper;

static void fake_keeper(void *arg, const struct mosdmap *mo, struct monc_osdmap_result *r)
{
	(void)arg, (void)mo;
	keeper.calls++;
	*r = keeper.answer;
}

/* The start epoch the last MMonSubscribe asks "osdmap" from. */
static uint64_t osdmap_sub_start(void)
{
	const struct sent *s = NULL;
	uint64_t start = 0;

	for (unsigned i = 0; i < io.nsent && i < 64; i++)
		if (io.sent[i].type == CEPH_MSG_MON_SUBSCRIBE)
			s = &io.sent[i];
	cr_assert_not_null(s);
	for (size_t at = 0; at + 4 + 6 + 8 <= s->len; at++)
		if (!memcmp(s->front + at, "\6\0\0\0osdmap", 10)) {
			for (int b = 7; b >= 0; b--)
				start = start << 8 | s->front[at + 10 + b];
			return start;
		}
	cr_assert_fail("no osdmap in the subscription");
	return 0;
}

Test(monc, osd_maps_go_to_their_keeper_which_drives_the_subscription)
{
	const struct monc_osdmap_ops ops = {NULL, fake_keeper};
	struct monc_maps mp;
	uint8_t msg[16 + 4 + 4] = {0}; /* fsid, no incrementals, no full maps */
	struct monc_status st;

	memset(&keeper, 0, sizeof(keeper));
	monc_maps_init(&mp, m, hq, "", false, &ops);
	monc_maps_subscribe(&mp, 0);
	establish(0);
	cr_assert_eq(osdmap_sub_start(), 0, "the newest full map first");

	/* a message that does not decode never reaches the keeper */
	cr_assert(monc_maps_handle(&mp, CEPH_MSG_OSD_MAP, msg, sizeof(msg) - 1, 10));
	cr_assert_eq(keeper.calls, 0);

	keeper.answer = (struct monc_osdmap_result){.epoch = 40, .changed = true};
	cr_assert(monc_maps_handle(&mp, CEPH_MSG_OSD_MAP, msg, sizeof(msg), 20));
	cr_assert_eq(keeper.calls, 1);
	cr_assert_eq(mp.osdmap_epoch, 40);
	monc_get_status(m, &st);
	for (unsigned i = 0; i < st.nsubs; i++)
		if (!strcmp(st.subs[i].what, "osdmap"))
			cr_assert_eq(st.subs[i].have, 40);

	unsigned subs = count_sent(CEPH_MSG_MON_SUBSCRIBE);
	keeper.answer = (struct monc_osdmap_result){.epoch = 44, .changed = true, .want = MONC_OSDMAP_WANT_NEXT};
	monc_maps_handle(&mp, CEPH_MSG_OSD_MAP, msg, sizeof(msg), 30);
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), subs + 1, "epochs missing: asked again at once");
	cr_assert_eq(osdmap_sub_start(), 45);

	keeper.answer = (struct monc_osdmap_result){.epoch = 44, .want = MONC_OSDMAP_WANT_FULL};
	monc_maps_handle(&mp, CEPH_MSG_OSD_MAP, msg, sizeof(msg), 40);
	cr_assert_eq(count_sent(CEPH_MSG_MON_SUBSCRIBE), subs + 2);
	cr_assert_eq(osdmap_sub_start(), 0, "a full map");
	monc_maps_destroy(&mp);
}

Test(monc, without_a_keeper_there_is_no_osdmap_subscription)
{
	struct monc_maps mp;
	uint8_t msg[16 + 4 + 4] = {0};

	monc_maps_init(&mp, m, hq, "", false, NULL);
	monc_maps_subscribe(&mp, 0);
	cr_assert(monc_maps_handle(&mp, CEPH_MSG_OSD_MAP, msg, sizeof(msg), 1), "taken and dropped");
	cr_assert_eq(mp.osdmap_epoch, 0);
	establish(0);
	const struct sent *s = &io.sent[io.nsent - 1];
	cr_assert_eq(s->type, CEPH_MSG_MON_SUBSCRIBE);
	cr_assert_eq(s->front[0], 1, "monmap only");
	monc_maps_destroy(&mp);
}
