/*
 * Unit tests for the NLM server's protocol engine (nlm/lockd.h), driven
 * with RPC call messages as a client would send them and a clock: RPC
 * errors and malformed calls, versions 1, 3 and 4, the grace period,
 * blocked locks and the GRANTED_MSG exchange, the _MSG forms, statd's
 * callback, FREE_ALL, monitoring and share reservations.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <rpc/rpc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nlm/lockd.h"
#include "nlm/lockd_state.h"
#include "nlm/nlm3_prot.h"
#include "nlm/nlm4_prot.h"

#define S 1000000000ull

/* ---- the ops: what lockd asked of the daemon ------------------------------- */

#define MAX_CALLS 64

struct sent {
	uint32_t xid, vers, proc;
	unsigned resend;
	char name[64];
	unsigned char body[LOCKD_REPLY_MAX];
	size_t len;
};

static struct {
	int monitors, monitor_result;
	char monitored[8][64];
	int ncalls;
	struct sent calls[MAX_CALLS];
} ops_seen;

static int on_monitor(void *arg, const char *name, uint32_t id)
{
	(void)arg;
	cr_assert_neq(id, 0);
	if (ops_seen.monitors < 8)
		snprintf(ops_seen.monitored[ops_seen.monitors], 64, "%s", name);
	ops_seen.monitors++;
	return ops_seen.monitor_result;
}

/* Records a call lockd made: its header checked, its arguments kept. */
static void on_call_client(void *arg, const struct lockd_client *to, const void *msg, size_t len)
{
	XDR x;
	u_int v[6], flavor, alen;

	(void)arg;
	cr_assert_lt(ops_seen.ncalls, MAX_CALLS);
	struct sent *s = &ops_seen.calls[ops_seen.ncalls++];
	xdrmem_create(&x, (char *)msg, (u_int)len, XDR_DECODE);
	for (int i = 0; i < 6; i++)
		cr_assert(xdr_u_int(&x, &v[i]));
	cr_assert(v[1] == 0 && v[2] == 2 && v[3] == NLM_PROG, "a call of NLM");
	cr_assert_eq(v[4], to->vers);
	for (int i = 0; i < 2; i++) {
		cr_assert(xdr_u_int(&x, &flavor) && xdr_u_int(&x, &alen));
		cr_assert(flavor == 0 && alen == 0);
	}
	s->xid = v[0];
	s->resend = to->resend;
	s->vers = v[4];
	s->proc = v[5];
	snprintf(s->name, sizeof(s->name), "%s", to->name);
	s->len = len - xdr_getpos(&x);
	memcpy(s->body, (const char *)msg + xdr_getpos(&x), s->len);
	xdr_destroy(&x);
}

static int notes_unanswered, notes_rebooted;

static void on_note(void *arg, enum lockd_note what, const char *host)
{
	(void)arg;
	cr_assert_not_null(host);
	if (what == LOCKD_NOTE_GRANT_UNANSWERED)
		notes_unanswered++;
	else
		notes_rebooted++;
}

static int servers_restarted;
static char restarted_name[64];
static int32_t restarted_state;

static void on_server_restarted(void *arg, const char *mon_name, int32_t state)
{
	(void)arg;
	servers_restarted++;
	snprintf(restarted_name, sizeof(restarted_name), "%s", mon_name);
	restarted_state = state;
}

static struct lockd *l;
static uint64_t now;

static void setup(void)
{
	struct lockd_config cfg = {.server_name = "lockserver", .grace_ns = 10 * S, .retry_ns = 2 * S};
	struct lockd_ops ops = {.monitor = on_monitor,
				.call_client = on_call_client,
				.note = on_note,
				.server_restarted = on_server_restarted};

	memset(&ops_seen, 0, sizeof(ops_seen));
	notes_unanswered = notes_rebooted = servers_restarted = 0;
	now = 1000 * S;
	l = lockd_new(&cfg, &ops, NULL, now);
	cr_assert_not_null(l);
}

static void teardown(void)
{
	lockd_free(l);
}

TestSuite(lockd, .init = setup, .fini = teardown);

static void end_grace(void)
{
	now += 11 * S;
	cr_assert_not(lockd_in_grace(l, now));
}

/* ---- building calls and reading replies ------------------------------------ */

static struct lockd_peer peer(const char *ip, int port)
{
	struct lockd_peer p = {.addrlen = sizeof(struct sockaddr_in)};
	struct sockaddr_in *s = (struct sockaddr_in *)&p.addr;

	s->sin_family = AF_INET;
	s->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &s->sin_addr);
	return p;
}

static uint32_t next_xid = 100;

/* A call message: the header, then @args through @enc. */
static size_t call_msg(char *buf, size_t cap, uint32_t rpcvers, uint32_t prog, uint32_t vers, uint32_t proc,
		       xdrproc_t enc, void *args)
{
	XDR x;
	u_int h[6] = {++next_xid, 0, rpcvers, prog, vers, proc}, z = 0;

	xdrmem_create(&x, buf, (u_int)cap, XDR_ENCODE);
	for (int i = 0; i < 6; i++)
		cr_assert(xdr_u_int(&x, &h[i]));
	/* AUTH_UNIX credentials, as Linux's client sends them: skipped. */
	u_int flavor = 1, stamp = 7, uid = 0, gid = 0, ngids = 0;
	char *mach = "client";
	XDR c;
	char cred[64];
	xdrmem_create(&c, cred, sizeof(cred), XDR_ENCODE);
	cr_assert(xdr_u_int(&c, &stamp) && xdr_string(&c, &mach, 255) && xdr_u_int(&c, &uid) && xdr_u_int(&c, &gid) &&
		  xdr_u_int(&c, &ngids));
	u_int clen = xdr_getpos(&c);
	xdr_destroy(&c);
	cr_assert(xdr_u_int(&x, &flavor) && xdr_u_int(&x, &clen) && xdr_opaque(&x, cred, clen));
	cr_assert(xdr_u_int(&x, &z) && xdr_u_int(&x, &z));
	if (enc)
		cr_assert(enc(&x, args));
	size_t n = xdr_getpos(&x);
	xdr_destroy(&x);
	return n;
}

struct reply {
	size_t len;
	uint32_t xid, accepted, accept_stat;
	u_int pos; /* where the result starts */
	char buf[LOCKD_REPLY_MAX];
};

static void parse_reply(struct reply *r)
{
	XDR x;
	u_int v[3], f, alen;

	xdrmem_create(&x, r->buf, (u_int)r->len, XDR_DECODE);
	cr_assert(xdr_u_int(&x, &v[0]) && xdr_u_int(&x, &v[1]) && xdr_u_int(&x, &v[2]));
	cr_assert_eq(v[0], next_xid, "the reply's xid is the call's");
	cr_assert_eq(v[1], 1, "a reply");
	r->xid = v[0];
	r->accepted = v[2] == 0;
	if (r->accepted) {
		cr_assert(xdr_u_int(&x, &f) && xdr_u_int(&x, &alen) && f == 0 && alen == 0);
		cr_assert(xdr_u_int(&x, &r->accept_stat));
	}
	r->pos = xdr_getpos(&x);
	xdr_destroy(&x);
}

static struct reply *send_call(const struct lockd_peer *from, uint32_t vers, uint32_t proc, xdrproc_t enc, void *args)
{
	static struct reply r;
	char msg[4096];
	size_t n = call_msg(msg, sizeof(msg), 2, NLM_PROG, vers, proc, enc, args);

	memset(&r, 0, sizeof(r));
	r.len = lockd_dispatch(l, from, msg, n, r.buf, now);
	cr_assert_gt(r.len, 0, "a reply");
	parse_reply(&r);
	return &r;
}

static void result(struct reply *r, xdrproc_t dec, void *out)
{
	XDR x;

	cr_assert(r->accepted && r->accept_stat == 0, "accepted and successful");
	xdrmem_create(&x, r->buf + r->pos, (u_int)(r->len - r->pos), XDR_DECODE);
	cr_assert(dec(&x, out));
	cr_assert_eq(xdr_getpos(&x), r->len - r->pos, "nothing after the result");
	xdr_destroy(&x);
}

static char fh_a[] = "file-handle-A", fh_b[] = "file-handle-B";

static nlm4_lock lock4(const char *host, int svid, const char *oh, char *fh, uint64_t off, uint64_t len)
{
	return (nlm4_lock){.caller_name = (char *)host,
			   .fh = {(u_int)strlen(fh), fh},
			   .oh = {(u_int)strlen(oh), (char *)oh},
			   .svid = svid,
			   .l_offset = off,
			   .l_len = len};
}

static char ck[] = {'c', 'k'};
#define COOKIE                                                                                                         \
	{                                                                                                              \
		sizeof(ck), ck                                                                                         \
	}

static struct lockd_peer host1, host2, host3;

static void peers(void)
{
	host1 = peer("10.0.0.1", 900);
	host2 = peer("10.0.0.2", 901);
	host3 = peer("10.0.0.3", 902);
}

/* LOCK (version 4): the status. */
static nlm4_stats lock_v4(const struct lockd_peer *p, nlm4_lock lk, bool excl, bool block, bool reclaim)
{
	nlm4_lockargs a = {
	    .cookie = COOKIE, .block = block, .exclusive = excl, .alock = lk, .reclaim = reclaim, .state = 1};
	nlm4_res r;

	memset(&r, 0, sizeof(r));
	result(send_call(p, 4, NLMPROC4_LOCK, (xdrproc_t)xdr_nlm4_lockargs, &a), (xdrproc_t)xdr_nlm4_res, &r);
	cr_assert_eq(r.cookie.nlm4_netobj_len, sizeof(ck), "the cookie comes back");
	nlm4_stats s = r.stat.stat;
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	return s;
}

static nlm4_stats unlock_v4(const struct lockd_peer *p, nlm4_lock lk)
{
	nlm4_unlockargs a = {.cookie = COOKIE, .alock = lk};
	nlm4_res r;

	memset(&r, 0, sizeof(r));
	result(send_call(p, 4, NLMPROC4_UNLOCK, (xdrproc_t)xdr_nlm4_unlockargs, &a), (xdrproc_t)xdr_nlm4_res, &r);
	nlm4_stats s = r.stat.stat;
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	return s;
}

static nlm4_stats test_v4(const struct lockd_peer *p, nlm4_lock lk, bool excl, nlm4_holder *holder)
{
	nlm4_testargs a = {.cookie = COOKIE, .exclusive = excl, .alock = lk};
	nlm4_testres r;

	memset(&r, 0, sizeof(r));
	result(send_call(p, 4, NLMPROC4_TEST, (xdrproc_t)xdr_nlm4_testargs, &a), (xdrproc_t)xdr_nlm4_testres, &r);
	nlm4_stats s = r.stat.stat;
	if (s == NLM4_DENIED && holder) {
		*holder = r.stat.nlm4_testrply_u.holder;
		holder->oh.nlm4_netobj_val = NULL;
	}
	xdr_free((xdrproc_t)xdr_nlm4_testres, (char *)&r);
	return s;
}

/* ---- RPC ---------------------------------------------------------------------- */

Test(lockd, null_and_rpc_errors)
{
	struct reply *r;
	char msg[512], out[LOCKD_REPLY_MAX];

	peers();
	r = send_call(&host1, 4, NLMPROC4_NULL, NULL, NULL);
	cr_assert(r->accepted && r->accept_stat == 0 && r->pos == r->len);
	r = send_call(&host1, 1, NLMPROC4_NULL, NULL, NULL);
	cr_assert(r->accepted && r->accept_stat == 0);

	size_t n = call_msg(msg, sizeof(msg), 2, 100003, 3, 0, NULL, NULL);
	size_t m = lockd_dispatch(l, &host1, msg, n, out, now);
	cr_assert_eq(m, 24);
	cr_assert_eq(ntohl(((uint32_t *)out)[5]), 1, "PROG_UNAVAIL");

	n = call_msg(msg, sizeof(msg), 2, NLM_PROG, 2, 0, NULL, NULL);
	m = lockd_dispatch(l, &host1, msg, n, out, now);
	cr_assert_eq(m, 32);
	cr_assert_eq(ntohl(((uint32_t *)out)[5]), 2, "PROG_MISMATCH");
	cr_assert(ntohl(((uint32_t *)out)[6]) == 1 && ntohl(((uint32_t *)out)[7]) == 4, "versions 1 to 4");

	r = send_call(&host1, 4, 17, NULL, NULL);
	cr_assert_eq(r->accept_stat, 3, "PROC_UNAVAIL");
	r = send_call(&host1, 1, NLMPROC4_SHARE, NULL, NULL);
	cr_assert_eq(r->accept_stat, 3, "no SHARE in version 1");

	n = call_msg(msg, sizeof(msg), 3, NLM_PROG, 4, 0, NULL, NULL);
	m = lockd_dispatch(l, &host1, msg, n, out, now);
	cr_assert_eq(m, 24);
	cr_assert(ntohl(((uint32_t *)out)[2]) == 1 && ntohl(((uint32_t *)out)[3]) == 0, "MSG_DENIED, RPC_MISMATCH");

	/* A reply is no call: no answer. */
	uint32_t reply[6] = {htonl(5), htonl(1), 0, 0, 0, 0};
	cr_assert_eq(lockd_dispatch(l, &host1, reply, sizeof(reply), out, now), 0);
	cr_assert_eq(lockd_dispatch(l, &host1, reply, 3, out, now), 0);
}

Test(lockd, every_truncated_lock_call_is_refused_and_changes_nothing)
{
	char msg[512], out[LOCKD_REPLY_MAX];
	nlm4_lockargs a = {.cookie = COOKIE, .exclusive = 1, .alock = lock4("h1", 1, "o", fh_a, 0, 10)};

	peers();
	end_grace();
	size_t n = call_msg(msg, sizeof(msg), 2, NLM_PROG, 4, NLMPROC4_LOCK, (xdrproc_t)xdr_nlm4_lockargs, &a);
	for (size_t cut = 0; cut < n; cut++) {
		size_t m = lockd_dispatch(l, &host1, msg, cut, out, now);
		if (cut < 12) {
			cr_assert_eq(m, 0, "%zu bytes: no call header, no reply", cut);
			continue;
		}
		cr_assert_eq(m, 24, "%zu bytes", cut);
		cr_assert_eq(ntohl(((uint32_t *)out)[5]), 4, "%zu bytes: GARBAGE_ARGS", cut);
	}
	struct lockd_stats st;
	lockd_stats(l, &st);
	cr_assert_eq(st.objects, 0);
	cr_assert_eq(lock_v4(&host1, a.alock, true, false, false), NLM4_GRANTED, "whole, it works");
}

Test(lockd, credentials_too_long_are_garbage)
{
	char msg[1024], out[LOCKD_REPLY_MAX];
	uint32_t *w = (uint32_t *)msg;
	uint32_t h[] = {1, 0, 2, NLM_PROG, 4, 0, 1, 401};

	peers();
	for (size_t i = 0; i < 8; i++)
		w[i] = htonl(h[i]);
	memset(msg + 32, 0, 404 + 8);
	size_t m = lockd_dispatch(l, &host1, msg, 32 + 404 + 8, out, now);
	cr_assert_eq(m, 24);
	cr_assert_eq(ntohl(((uint32_t *)out)[5]), 4, "GARBAGE_ARGS");
}

/* ---- the grace period ------------------------------------------------------- */

Test(lockd, grace_serves_reclaims_unlocks_and_cancels_only)
{
	peers();
	nlm4_lock lk = lock4("h1", 1, "o", fh_a, 0, 10);
	cr_assert(lockd_in_grace(l, now));
	cr_assert_eq(test_v4(&host1, lk, true, NULL), NLM4_DENIED_GRACE_PERIOD);
	cr_assert_eq(lock_v4(&host1, lk, true, false, false), NLM4_DENIED_GRACE_PERIOD);
	cr_assert_eq(lock_v4(&host1, lk, true, false, true), NLM4_GRANTED, "a reclaim");
	cr_assert_eq(unlock_v4(&host1, lock4("h1", 1, "o", fh_a, 5, 5)), NLM4_GRANTED, "an unlock");
	nlm4_cancargs c = {.cookie = COOKIE, .exclusive = 1, .alock = lk};
	nlm4_res r;
	memset(&r, 0, sizeof(r));
	result(send_call(&host1, 4, NLMPROC4_CANCEL, (xdrproc_t)xdr_nlm4_cancargs, &c), (xdrproc_t)xdr_nlm4_res, &r);
	cr_assert_eq(r.stat.stat, NLM4_GRANTED);
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);

	end_grace();
	cr_assert_eq(lock_v4(&host2, lock4("h2", 1, "o", fh_a, 0, 5), true, false, false), NLM4_DENIED,
		     "the reclaimed bytes 0-4 are held");
	cr_assert_eq(lock_v4(&host2, lock4("h2", 1, "o", fh_a, 5, 5), true, false, false), NLM4_GRANTED,
		     "the unlocked 5-9 are free");
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o", fh_b, 0, 0), true, false, true), NLM4_DENIED_GRACE_PERIOD,
		     "a reclaim after grace");
}

/* ---- locks across hosts and versions ----------------------------------------- */

Test(lockd, hosts_conflict_and_test_names_the_holder)
{
	nlm4_holder h;

	peers();
	end_grace();
	cr_assert_eq(lock_v4(&host1, lock4("h1", 42, "owner-1", fh_a, 100, 50), true, false, false), NLM4_GRANTED);
	cr_assert_eq(ops_seen.monitors, 1);
	cr_assert_str_eq(ops_seen.monitored[0], "10.0.0.1", "statd is given the host's address");
	cr_assert_eq(test_v4(&host2, lock4("h2", 42, "owner-1", fh_a, 120, 1), false, &h), NLM4_DENIED);
	cr_assert(h.exclusive && h.svid == 42 && h.l_offset == 100 && h.l_len == 50);
	cr_assert_eq(test_v4(&host1, lock4("h1", 42, "owner-1", fh_a, 0, 0), true, NULL), NLM4_GRANTED,
		     "the owner's own lock");
	cr_assert_eq(test_v4(&host1, lock4("h1", 43, "owner-1", fh_a, 0, 0), true, NULL), NLM4_DENIED,
		     "another svid is another owner");
	cr_assert_eq(test_v4(&host1, lock4("h1", 42, "owner-2", fh_a, 0, 0), true, NULL), NLM4_DENIED,
		     "another owner handle too");
	cr_assert_eq(test_v4(&host2, lock4("h1", 42, "owner-1", fh_a, 0, 0), true, NULL), NLM4_DENIED,
		     "the same name from another address is another host");
	cr_assert_eq(test_v4(&host1, lock4("h1", 42, "owner-1", fh_b, 0, 0), true, NULL), NLM4_GRANTED, "another file");
	cr_assert_eq(lock_v4(&host1, lock4("h1", 42, "o", fh_a, UINT64_MAX, 2), true, false, false), NLM4_FBIG);
	cr_assert_eq(ops_seen.monitors, 1, "a host is monitored once");
}

Test(lockd, versions_1_and_3_have_32_bit_ranges_and_five_statuses)
{
	peers();
	end_grace();
	/* Version 4 holds bytes from 2^32 on; version 3 sees a clamped holder. */
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o", fh_a, 0x100000000ull, 0), true, false, false), NLM4_GRANTED);
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o", fh_a, 0, 10), true, false, false), NLM4_GRANTED);

	nlm_testargs t = {.cookie = COOKIE,
			  .exclusive = 0,
			  .alock = {.caller_name = "h3",
				    .fh = {sizeof(fh_a) - 1, fh_a},
				    .oh = {1, "p"},
				    .svid = 9,
				    .l_offset = 0xfffffff0u,
				    .l_len = 0}};
	nlm_testres tr;
	memset(&tr, 0, sizeof(tr));
	result(send_call(&host3, 3, NLMPROC4_TEST, (xdrproc_t)xdr_nlm_testargs, &t), (xdrproc_t)xdr_nlm_testres, &tr);
	cr_assert_eq(tr.stat.stat, NLM_DENIED);
	cr_assert_eq(tr.stat.nlm_testrply_u.holder.l_offset, UINT32_MAX, "clamped to 32 bits");
	cr_assert_eq(tr.stat.nlm_testrply_u.holder.l_len, 0);
	xdr_free((xdrproc_t)xdr_nlm_testres, (char *)&tr);

	/* h1 waits for h3 (version 3); h3 asking for h1's bytes would close
	 * a cycle: version 4's DEADLCK is DENIED in version 3. */
	nlm_lockargs a3 = {.cookie = COOKIE, .block = 0, .exclusive = 1, .alock = t.alock};
	a3.alock.l_offset = 20;
	a3.alock.l_len = 10;
	nlm_res r3;
	memset(&r3, 0, sizeof(r3));
	result(send_call(&host3, 1, NLMPROC4_LOCK, (xdrproc_t)xdr_nlm_lockargs, &a3), (xdrproc_t)xdr_nlm_res, &r3);
	cr_assert_eq(r3.stat.stat, NLM_GRANTED, "version 1 locks");
	xdr_free((xdrproc_t)xdr_nlm_res, (char *)&r3);
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o", fh_a, 25, 1), true, true, false), NLM4_BLOCKED);
	a3.block = 1;
	a3.alock.l_offset = 5;
	a3.alock.l_len = 1;
	memset(&r3, 0, sizeof(r3));
	result(send_call(&host3, 3, NLMPROC4_LOCK, (xdrproc_t)xdr_nlm_lockargs, &a3), (xdrproc_t)xdr_nlm_res, &r3);
	cr_assert_eq(r3.stat.stat, NLM_DENIED, "a deadlock, as version 3 says it");
	xdr_free((xdrproc_t)xdr_nlm_res, (char *)&r3);
	cr_assert_eq(lock_v4(&host3, lock4("h3", 9, "p", fh_a, 5, 1), true, true, false), NLM4_DEADLCK,
		     "as version 4 says it");
}

/* ---- blocked locks ------------------------------------------------------------ */

/* The cookie of the last GRANTED_MSG sent. */
static void last_grant(nlm4_testargs *out, int at)
{
	XDR x;
	struct sent *s = &ops_seen.calls[at];

	cr_assert_eq(s->proc, NLMPROC4_GRANTED_MSG);
	memset(out, 0, sizeof(*out));
	xdrmem_create(&x, (char *)s->body, (u_int)s->len, XDR_DECODE);
	cr_assert(xdr_nlm4_testargs(&x, out));
	xdr_destroy(&x);
}

static void granted_res(const struct lockd_peer *p, nlm4_netobj cookie, nlm4_stats st)
{
	nlm4_res a = {.cookie = cookie, .stat = {st}};
	struct reply *r = send_call(p, 4, NLMPROC4_GRANTED_RES, (xdrproc_t)xdr_nlm4_res, &a);

	cr_assert(r->accepted && r->accept_stat == 0 && r->pos == r->len, "a void reply");
}

Test(lockd, a_blocked_lock_is_granted_through_granted_msg_until_acknowledged)
{
	nlm4_testargs g;
	struct lockd_stats st;

	peers();
	end_grace();
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 100), true, false, false), NLM4_GRANTED);
	cr_assert_eq(lock_v4(&host2, lock4("h2", 7, "o2", fh_a, 10, 10), true, true, false), NLM4_BLOCKED);
	cr_assert_eq(lock_v4(&host2, lock4("h2", 7, "o2", fh_a, 10, 10), true, true, false), NLM4_BLOCKED,
		     "retransmitted: still blocked, queued once");
	cr_assert_eq(ops_seen.ncalls, 0);
	cr_assert_eq(unlock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 0)), NLM4_GRANTED);
	cr_assert_eq(ops_seen.ncalls, 1, "GRANTED_MSG at once");
	cr_assert_str_eq(ops_seen.calls[0].name, "h2");
	last_grant(&g, 0);
	cr_assert_str_eq(g.alock.caller_name, "lockserver");
	cr_assert(g.exclusive && g.alock.svid == 7 && g.alock.l_offset == 10 && g.alock.l_len == 10);
	cr_assert_eq(g.cookie.nlm4_netobj_len, 8);

	cr_assert_eq(lockd_tick(l, now + S), now + 2 * S, "the next send is due in retry_ns");
	cr_assert_eq(ops_seen.ncalls, 1);
	now += 2 * S;
	lockd_tick(l, now);
	cr_assert_eq(ops_seen.ncalls, 2, "sent again");
	cr_assert(ops_seen.calls[0].resend == 0 && ops_seen.calls[1].resend == 1,
		  "a re-send says so (the daemon then asks the client's rpcbind again)");
	granted_res(&host2, g.cookie, NLM4_GRANTED);
	lockd_stats(l, &st);
	cr_assert(st.pending_grants == 0 && st.grants_acked == 1);
	cr_assert_eq(lockd_tick(l, now + 10 * S), UINT64_MAX, "nothing pending");
	cr_assert_eq(ops_seen.ncalls, 2);
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_a, 15, 1), false, false, false), NLM4_DENIED,
		     "h2 holds the lock");
	xdr_free((xdrproc_t)xdr_nlm4_testargs, (char *)&g);
}

Test(lockd, a_grant_stays_held_whatever_the_answer_and_only_its_host_answers)
{
	nlm4_testargs g;
	struct lockd_stats st;

	peers();
	end_grace();
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 0), true, false, false), NLM4_GRANTED);
	cr_assert_eq(lock_v4(&host2, lock4("h2", 2, "o2", fh_a, 0, 0), true, true, false), NLM4_BLOCKED);
	cr_assert_eq(unlock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 0)), NLM4_GRANTED);
	last_grant(&g, 0);
	/* Another host's GRANTED_RES with the right id is not taken. */
	granted_res(&host3, g.cookie, NLM4_DENIED);
	lockd_stats(l, &st);
	cr_assert_eq(st.pending_grants, 1, "only the host granted to answers for it");
	/* The client restarted and reclaims: again later. */
	granted_res(&host2, g.cookie, NLM4_DENIED_GRACE_PERIOD);
	lockd_stats(l, &st);
	cr_assert_eq(st.pending_grants, 1);
	/* Never answered: sent every retry_ns, reported once, never given up. */
	for (int i = 0; i < 5; i++) {
		now += 2 * S;
		lockd_tick(l, now);
	}
	cr_assert_eq(ops_seen.ncalls, 6);
	cr_assert_eq(notes_unanswered, 1, "reported once");
	/* A DENIED (the client answered GRANTED to a callback whose answer was
	 * lost, and now holds the lock) ends the callbacks; the lock stays. */
	granted_res(&host2, g.cookie, NLM4_DENIED);
	xdr_free((xdrproc_t)xdr_nlm4_testargs, (char *)&g);
	lockd_stats(l, &st);
	cr_assert_eq(st.pending_grants, 0);
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 1), true, false, false), NLM4_DENIED, "h2 holds it");
	cr_assert_eq(unlock_v4(&host2, lock4("h2", 2, "o2", fh_a, 0, 0)), NLM4_GRANTED);
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 1), true, false, false), NLM4_GRANTED);
}

Test(lockd, a_cancel_of_a_granted_request_stops_its_callbacks)
{
	struct lockd_stats st;

	peers();
	end_grace();
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 0), true, false, false), NLM4_GRANTED);
	cr_assert_eq(lock_v4(&host2, lock4("h2", 2, "o2", fh_a, 0, 0), true, true, false), NLM4_BLOCKED);
	cr_assert_eq(unlock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 0)), NLM4_GRANTED);
	nlm4_cancargs c = {.cookie = COOKIE, .block = 1, .exclusive = 1, .alock = lock4("h2", 2, "o2", fh_a, 0, 0)};
	nlm4_res r;
	memset(&r, 0, sizeof(r));
	result(send_call(&host2, 4, NLMPROC4_CANCEL, (xdrproc_t)xdr_nlm4_cancargs, &c), (xdrproc_t)xdr_nlm4_res, &r);
	cr_assert_eq(r.stat.stat, NLM4_GRANTED);
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	lockd_stats(l, &st);
	cr_assert_eq(st.pending_grants, 0);
	now += 10 * S;
	cr_assert_eq(lockd_tick(l, now), UINT64_MAX);
	cr_assert_eq(ops_seen.ncalls, 1, "no more callbacks");
}

Test(lockd, one_address_cannot_fill_the_host_table)
{
	char name[32];
	int granted = 0;

	peers();
	end_grace();
	for (int i = 0; i < LOCKD_MAX_HOSTS_PER_ADDR + 10; i++) {
		snprintf(name, sizeof(name), "made-up-%d", i);
		nlm4_lockargs a = {
		    .cookie = COOKIE, .exclusive = 1, .alock = lock4(name, 1, "o", fh_a, (uint64_t)i, 1)};
		nlm4_res r;
		memset(&r, 0, sizeof(r));
		result(send_call(&host1, 4, NLMPROC4_NM_LOCK, (xdrproc_t)xdr_nlm4_lockargs, &a),
		       (xdrproc_t)xdr_nlm4_res, &r);
		granted += r.stat.stat == NLM4_GRANTED;
		xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	}
	cr_assert_eq(granted, LOCKD_MAX_HOSTS_PER_ADDR);
	cr_assert_eq(lock_v4(&host2, lock4("h2", 1, "o", fh_b, 0, 0), true, false, false), NLM4_GRANTED,
		     "another address still gets locks");
}

Test(lockd, cancel_and_unlock_drop_a_waiter)
{
	peers();
	end_grace();
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 0), true, false, false), NLM4_GRANTED);
	cr_assert_eq(lock_v4(&host2, lock4("h2", 2, "o2", fh_a, 0, 10), true, true, false), NLM4_BLOCKED);
	cr_assert_eq(lock_v4(&host2, lock4("h2", 3, "o3", fh_a, 20, 10), false, true, false), NLM4_BLOCKED);
	nlm4_cancargs c = {.cookie = COOKIE, .block = 1, .exclusive = 1, .alock = lock4("h2", 2, "o2", fh_a, 0, 10)};
	nlm4_res r;
	memset(&r, 0, sizeof(r));
	result(send_call(&host2, 4, NLMPROC4_CANCEL, (xdrproc_t)xdr_nlm4_cancargs, &c), (xdrproc_t)xdr_nlm4_res, &r);
	cr_assert_eq(r.stat.stat, NLM4_GRANTED);
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	cr_assert_eq(unlock_v4(&host2, lock4("h2", 3, "o3", fh_a, 20, 10)), NLM4_GRANTED,
		     "an unlock of the waited-for range drops that wait");
	cr_assert_eq(unlock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 0)), NLM4_GRANTED);
	cr_assert_eq(ops_seen.ncalls, 0, "nobody was waiting");
	struct lockd_stats st;
	lockd_stats(l, &st);
	cr_assert_eq(st.objects, 0);
}

/* ---- the _MSG forms ------------------------------------------------------------ */

Test(lockd, msg_forms_answer_with_a_res_call)
{
	peers();
	end_grace();
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 10), true, false, false), NLM4_GRANTED);

	nlm4_lockargs a = {.cookie = COOKIE, .exclusive = 1, .alock = lock4("h2", 2, "o2", fh_a, 5, 1)};
	struct reply *rep = send_call(&host2, 4, NLMPROC4_LOCK_MSG, (xdrproc_t)xdr_nlm4_lockargs, &a);
	cr_assert(rep->accepted && rep->accept_stat == 0 && rep->pos == rep->len, "the _MSG call: a void reply");
	cr_assert_eq(ops_seen.ncalls, 1);
	cr_assert_eq(ops_seen.calls[0].proc, NLMPROC4_LOCK_RES);
	cr_assert_str_eq(ops_seen.calls[0].name, "h2");
	nlm4_res r;
	XDR x;
	memset(&r, 0, sizeof(r));
	xdrmem_create(&x, (char *)ops_seen.calls[0].body, (u_int)ops_seen.calls[0].len, XDR_DECODE);
	cr_assert(xdr_nlm4_res(&x, &r));
	xdr_destroy(&x);
	cr_assert_eq(r.stat.stat, NLM4_DENIED);
	cr_assert_eq(r.cookie.nlm4_netobj_len, sizeof(ck));
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);

	nlm_testargs t = {.cookie = COOKIE,
			  .exclusive = 1,
			  .alock = {.caller_name = "h3",
				    .fh = {sizeof(fh_a) - 1, fh_a},
				    .oh = {1, "p"},
				    .svid = 3,
				    .l_offset = 0,
				    .l_len = 1}};
	send_call(&host3, 3, NLMPROC4_TEST_MSG, (xdrproc_t)xdr_nlm_testargs, &t);
	cr_assert_eq(ops_seen.ncalls, 2);
	cr_assert(ops_seen.calls[1].proc == NLMPROC4_TEST_RES && ops_seen.calls[1].vers == 3);
	nlm_testres tr;
	memset(&tr, 0, sizeof(tr));
	xdrmem_create(&x, (char *)ops_seen.calls[1].body, (u_int)ops_seen.calls[1].len, XDR_DECODE);
	cr_assert(xdr_nlm_testres(&x, &tr));
	xdr_destroy(&x);
	cr_assert_eq(tr.stat.stat, NLM_DENIED);
	cr_assert_eq(tr.stat.nlm_testrply_u.holder.l_len, 10);
	xdr_free((xdrproc_t)xdr_nlm_testres, (char *)&tr);

	/* A server is sent GRANTED only by mistake: DENIED. */
	nlm4_testargs g = {.cookie = COOKIE, .exclusive = 1, .alock = lock4("h2", 2, "o2", fh_a, 0, 1)};
	nlm4_res gr;
	memset(&gr, 0, sizeof(gr));
	result(send_call(&host2, 4, NLMPROC4_GRANTED, (xdrproc_t)xdr_nlm4_testargs, &g), (xdrproc_t)xdr_nlm4_res, &gr);
	cr_assert_eq(gr.stat.stat, NLM4_DENIED);
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&gr);
}

/* ---- reboots, monitoring, shares ----------------------------------------------- */

Test(lockd, sm_notify_from_local_statd_and_free_all_drop_a_hosts_locks)
{
	peers();
	end_grace();
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 0), true, false, false), NLM4_GRANTED);
	cr_assert_eq(lock_v4(&host2, lock4("h2", 2, "o2", fh_a, 0, 0), true, true, false), NLM4_BLOCKED);

	nlm4_sm_status sm = {.mon_name = "10.0.0.1", .state = 3};
	struct lockd_peer remote = peer("10.0.0.9", 111), unpriv = peer("127.0.0.1", 40000),
			  statd = peer("127.0.0.1", 700);
	cr_assert_eq(send_call(&remote, 4, NLMPROC4_SM_NOTIFY, (xdrproc_t)xdr_nlm4_sm_status, &sm)->accept_stat, 5,
		     "SYSTEM_ERR from another host");
	cr_assert_eq(send_call(&unpriv, 4, NLMPROC4_SM_NOTIFY, (xdrproc_t)xdr_nlm4_sm_status, &sm)->accept_stat, 5,
		     "SYSTEM_ERR from an unprivileged port");
	cr_assert_eq(ops_seen.ncalls, 0);
	/* statd's callback for a server this host's mounts lock at (the
	 * agent's SM_MON): passed on, and no client host's locks go. */
	nlm4_sm_status srv = {.mon_name = "10.0.0.1", .state = 7};
	memcpy(srv.priv, LOCKD_SM_PRIV_SERVER, sizeof(srv.priv));
	cr_assert_eq(send_call(&statd, 4, NLMPROC4_SM_NOTIFY, (xdrproc_t)xdr_nlm4_sm_status, &srv)->accept_stat, 0);
	cr_assert(servers_restarted == 1 && !strcmp(restarted_name, "10.0.0.1") && restarted_state == 7);
	cr_assert_eq(ops_seen.ncalls, 0, "h1 still holds its lock");
	cr_assert_eq(send_call(&statd, 4, NLMPROC4_SM_NOTIFY, (xdrproc_t)xdr_nlm4_sm_status, &sm)->accept_stat, 0);
	cr_assert_eq(servers_restarted, 1, "a client host's callback is no server's");
	cr_assert_eq(ops_seen.ncalls, 1, "h1's lock went and h2 was granted");
	cr_assert_str_eq(ops_seen.calls[0].name, "h2");

	nlm4_notify fa = {.name = "h2", .state = 5};
	cr_assert_eq(send_call(&host3, 3, NLMPROC4_FREE_ALL, (xdrproc_t)xdr_nlm4_notify, &fa)->accept_stat, 0);
	struct lockd_stats before;
	lockd_stats(l, &before);
	cr_assert(before.objects == 1 && before.pending_grants == 1, "FREE_ALL for h2 from another address: nothing");
	cr_assert_eq(send_call(&host2, 3, NLMPROC4_FREE_ALL, (xdrproc_t)xdr_nlm4_notify, &fa)->accept_stat, 0);
	struct lockd_stats st;
	lockd_stats(l, &st);
	cr_assert(st.objects == 0 && st.pending_grants == 0, "FREE_ALL dropped h2's lock and its pending grant");
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 0), true, false, false), NLM4_GRANTED);
	cr_assert_eq(ops_seen.monitors, 3, "h1 monitored again after its reboot");
	cr_assert_eq(notes_rebooted, 2);
}

Test(lockd, a_host_that_cannot_be_monitored_gets_no_lock_but_nm_lock_needs_none)
{
	peers();
	end_grace();
	ops_seen.monitor_result = -ECONNREFUSED;
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_a, 0, 0), true, false, false), NLM4_DENIED_NOLOCKS);
	nlm4_lockargs a = {.cookie = COOKIE, .exclusive = 1, .alock = lock4("h1", 1, "o1", fh_a, 0, 0)};
	nlm4_res r;
	memset(&r, 0, sizeof(r));
	result(send_call(&host1, 4, NLMPROC4_NM_LOCK, (xdrproc_t)xdr_nlm4_lockargs, &a), (xdrproc_t)xdr_nlm4_res, &r);
	cr_assert_eq(r.stat.stat, NLM4_GRANTED);
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	cr_assert_eq(ops_seen.monitors, 1);
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_b, 0, 0), true, false, false), NLM4_DENIED_NOLOCKS);
	cr_assert_eq(ops_seen.monitors, 1, "a refusal is remembered: statd is not asked again at once");
	now += LOCKD_MONITOR_RETRY_NS;
	ops_seen.monitor_result = 0;
	cr_assert_eq(lock_v4(&host1, lock4("h1", 1, "o1", fh_b, 0, 0), true, false, false), NLM4_GRANTED);
	cr_assert_eq(ops_seen.monitors, 2, "asked again later");
}

static nlm4_stats share(const struct lockd_peer *p, uint32_t vers, uint32_t proc, const char *host, const char *oh,
			fsh4_access acc, fsh4_mode mode)
{
	nlm4_shareargs a = {.cookie = COOKIE,
			    .share = {.caller_name = (char *)host,
				      .fh = {sizeof(fh_b) - 1, fh_b},
				      .oh = {(u_int)strlen(oh), (char *)oh},
				      .mode = mode,
				      .access = acc}};
	nlm4_shareres r;

	memset(&r, 0, sizeof(r));
	result(send_call(p, vers, proc, (xdrproc_t)xdr_nlm4_shareargs, &a), (xdrproc_t)xdr_nlm4_shareres, &r);
	nlm4_stats s = r.stat;
	xdr_free((xdrproc_t)xdr_nlm4_shareres, (char *)&r);
	return s;
}

Test(lockd, share_reservations)
{
	peers();
	cr_assert_eq(share(&host1, 4, NLMPROC4_SHARE, "h1", "a", fsa_R, fsm_DW), NLM4_DENIED_GRACE_PERIOD);
	end_grace();
	cr_assert_eq(share(&host1, 4, NLMPROC4_SHARE, "h1", "a", fsa_R, fsm_DW), NLM4_GRANTED);
	cr_assert_eq(share(&host2, 3, NLMPROC4_SHARE, "h2", "b", fsa_RW, fsm_DN), NLM4_DENIED, "write denied");
	cr_assert_eq(share(&host2, 4, NLMPROC4_SHARE, "h2", "b", fsa_R, fsm_DN), NLM4_GRANTED);
	cr_assert_eq(share(&host1, 4, NLMPROC4_SHARE, "h1", "a", (fsh4_access)4, fsm_DN), NLM4_FAILED, "bad access");
	cr_assert_eq(share(&host1, 4, NLMPROC4_UNSHARE, "h1", "a", fsa_NONE, fsm_DN), NLM4_GRANTED);
	cr_assert_eq(share(&host2, 4, NLMPROC4_SHARE, "h2", "b", fsa_RW, fsm_DN), NLM4_GRANTED, "now alone");
}

/* ---- the state directory -------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static size_t read_file(const char *dir, const char *name, char *buf, size_t len)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

static struct in_addr ip(const char *s)
{
	struct in_addr a;
	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a;
}

Test(lockd_state, restarts_count_up_and_clients_are_kept_until_told)
{
	char dir[] = "/tmp/lockd-state-XXXXXX", sub[64], err[256] = "", text[512];
	struct lockd_state *s;
	size_t n;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/d", dir);
	s = lockd_state_open(sub, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	int32_t first = lockd_state_number(s);
	cr_assert(first > 1000 && (first & 1), "a first start picks an odd random state: %d", first);
	lockd_state_clients(s, &n);
	cr_assert_eq(n, 0);
	cr_assert_eq(lockd_state_add(s, ip("10.0.0.2"), ip("10.0.0.1")), 0);
	cr_assert_eq(lockd_state_add(s, ip("10.0.0.3"), ip("10.0.0.1")), 0);
	cr_assert_eq(lockd_state_add(s, ip("10.0.0.2"), ip("10.0.0.1")), 0, "twice is once");
	read_file(sub, "clients", text, sizeof(text));
	cr_assert_str_eq(text, "10.0.0.2 10.0.0.1\n10.0.0.3 10.0.0.1\n");
	lockd_state_free(s);

	/* A restart: the state moves on by 2; both are to be told; junk lines
	 * in the file are skipped. */
	write_file(sub, "clients",
		   "10.0.0.2 10.0.0.1\nnot an address\n10.0.0.3 10.0.0.1 extra\n10.0.0.4\n"
		   "10.0.0.3 10.0.0.1\n");
	s = lockd_state_open(sub, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(lockd_state_number(s), first + 2);
	const struct lockd_state_client *c = lockd_state_clients(s, &n);
	cr_assert_eq(n, 2);
	cr_assert(c[0].notify && !c[0].current && c[1].notify);
	/* 10.0.0.3 locks again before it is told: kept once told. */
	cr_assert_eq(lockd_state_add(s, ip("10.0.0.3"), ip("10.0.0.1")), 0);
	cr_assert_eq(lockd_state_forget_earlier(s, ip("10.0.0.2")), 0);
	cr_assert_eq(lockd_state_forget_earlier(s, ip("10.0.0.3")), 0);
	c = lockd_state_clients(s, &n);
	cr_assert(n == 1 && c[0].client.s_addr == ip("10.0.0.3").s_addr && !c[0].notify && c[0].current);
	read_file(sub, "clients", text, sizeof(text));
	cr_assert_str_eq(text, "10.0.0.3 10.0.0.1\n");
	lockd_state_free(s);

	/* A state file that is junk starts afresh. */
	write_file(sub, "state", "junk\n");
	s = lockd_state_open(sub, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert(lockd_state_number(s) & 1);
	lockd_state_free(s);
	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	cr_assert_eq(system(text), 0);

	cr_assert_null(lockd_state_open("/proc/no/such/dir", err, sizeof(err)));
	cr_assert(strstr(err, "statedir=/proc/no/such/dir") && !strchr(err, '\n'), "%s", err);
}
