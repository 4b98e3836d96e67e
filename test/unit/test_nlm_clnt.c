/*
 * Unit tests for the NLM client (nlm/nlm_clnt.h) against netfuse-lockd's
 * real protocol engine (nlm/lockd.h) answering on a UDP socket of this
 * process, so the client's own sockets, retransmissions and state machine
 * run as they do in a mount: TEST, LOCK and UNLOCK between two owners, a
 * blocked lock seen granted by re-asking, and by a grant through a real
 * agent socket (nlm/lockd_agent.h); an interrupted wait that gives back a
 * grant; the grace period; a server that does not answer (ENOLCK, within
 * the timeout); junk and late datagrams survived; and the decoders of
 * replies and agent grants with malformed input.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <rpc/rpc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "evloop/evloop.h"
#include "evloop/evloop_req.h"
#include "nlm/agent_proto.h"
#include "nlm/lock_core.h"
#include "nlm/lockd.h"
#include "nlm/lockd_agent.h"
#include "nlm/nlm4_prot.h"
#include "nlm/nlm_clnt.h"
#include "nlm/rpc_msg.h"

/* ---- the server: the engine on a socket, on a thread ---------------------------- */

enum srv_mode { SRV_ANSWER, SRV_DROP, SRV_JUNK_FIRST };

static struct {
	int fd;
	uint16_t port;
	pthread_t thread;
	atomic_bool stop;
	atomic_int mode;
	atomic_int received;
	pthread_mutex_t lock; /* the engine */
	struct lockd *engine;
} srv;

static void *srv_main(void *arg)
{
	unsigned char buf[8192], reply[LOCKD_REPLY_MAX];

	(void)arg;
	while (!atomic_load(&srv.stop)) {
		struct pollfd p = {.fd = srv.fd, .events = POLLIN};
		struct lockd_peer from = {.addrlen = sizeof(struct sockaddr_in)};
		ssize_t n;
		size_t rl;

		if (poll(&p, 1, 20) <= 0)
			continue;
		n = recvfrom(srv.fd, buf, sizeof(buf), 0, (struct sockaddr *)&from.addr, &from.addrlen);
		if (n <= 0)
			continue;
		atomic_fetch_add(&srv.received, 1);
		if (atomic_load(&srv.mode) == SRV_DROP)
			continue;
		if (atomic_load(&srv.mode) == SRV_JUNK_FIRST) {
			/* Junk, a reply with a wrong xid, then the answer. */
			static const unsigned char junk[] = {1, 2, 3};
			unsigned char late[64];
			memcpy(late, buf, 4);
			late[0] ^= 0x5a;
			memset(late + 4, 0, sizeof(late) - 4);
			late[7] = 1; /* REPLY */
			sendto(srv.fd, junk, sizeof(junk), 0, (struct sockaddr *)&from.addr, from.addrlen);
			sendto(srv.fd, late, sizeof(late), 0, (struct sockaddr *)&from.addr, from.addrlen);
		}
		pthread_mutex_lock(&srv.lock);
		rl = lockd_dispatch(srv.engine, &from, buf, (size_t)n, reply, evloop_now_ns());
		pthread_mutex_unlock(&srv.lock);
		if (rl)
			sendto(srv.fd, reply, rl, 0, (struct sockaddr *)&from.addr, from.addrlen);
	}
	return NULL;
}

static void srv_start(uint64_t grace_ns)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	struct lockd_config cfg = {
	    .server_name = "srv", .grace_ns = grace_ns, .retry_ns = LOCKD_RETRY_MIN_NS, .grant_tries = 3};
	struct lockd_ops ops = {0};

	pthread_mutex_init(&srv.lock, NULL);
	srv.engine = lockd_new(&cfg, &ops, NULL, evloop_now_ns());
	cr_assert(srv.engine);
	srv.fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert(srv.fd >= 0);
	cr_assert(!bind(srv.fd, (struct sockaddr *)&a, sizeof(a)));
	cr_assert(!getsockname(srv.fd, (struct sockaddr *)&a, &al));
	srv.port = ntohs(a.sin_port);
	atomic_store(&srv.stop, false);
	atomic_store(&srv.mode, SRV_ANSWER);
	atomic_store(&srv.received, 0);
	cr_assert(!pthread_create(&srv.thread, NULL, srv_main, NULL));
}

static void srv_stop(void)
{
	atomic_store(&srv.stop, true);
	pthread_join(srv.thread, NULL);
	close(srv.fd);
	lockd_free(srv.engine);
	pthread_mutex_destroy(&srv.lock);
}

/* ---- the client ---------------------------------------------------------------------- */

static struct nlm_clnt *clnt_new(unsigned timeout_ms, const char *agent)
{
	struct nlm_clnt_config cfg = {
	    .server = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons(srv.port)},
	    .server_name = "test-server",
	    .caller_name = "client-host",
	    .timeout_ms = timeout_ms,
	    .agent_path = agent,
	    .agent_id = "MOUNTID1",
	};
	struct nlm_clnt *c;
	char err[256] = "";

	cr_assert_eq(nlm_clnt_new(&cfg, &c, err, sizeof(err)), 0, "%s", err);
	return c;
}

/* Owner @n: the mount id the agent knows, then the owner's number. */
static struct nlm_clnt_lock lk(int n, uint64_t off, uint64_t len, bool excl)
{
	static unsigned char ohs[4][16];
	memcpy(ohs[n], "MOUNTID1", 8);
	memset(ohs[n] + 8, n, 8);
	return (struct nlm_clnt_lock){.fh = "file-one",
				      .fh_len = 8,
				      .oh = ohs[n],
				      .oh_len = 16,
				      .svid = n,
				      .offset = off,
				      .len = len,
				      .exclusive = excl};
}

static uint64_t ms_since(uint64_t t0)
{
	return (evloop_now_ns() - t0) / EVLOOP_NS_PER_MS;
}

TestSuite(nlm_clnt, .init = NULL, .fini = NULL, .timeout = 60);

Test(nlm_clnt, test_lock_unlock_between_two_owners)
{
	struct nlm_clnt_holder h = {0};
	struct nlm_clnt *c;

	srv_start(0);
	c = clnt_new(5000, NULL);
	struct nlm_clnt_lock a = lk(1, 0, 100, true), b = lk(2, 50, 10, false);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_TEST, &b, 0, NULL, &h), 0, "nothing held yet");
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &a, 0, NULL, NULL), 0);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_TEST, &b, 0, NULL, &h), -EAGAIN);
	cr_assert(h.exclusive && h.svid == 1 && h.offset == 0 && h.len == 100, "holder %d %llu+%llu", h.svid,
		  (unsigned long long)h.offset, (unsigned long long)h.len);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &b, 0, NULL, NULL), -EAGAIN);
	struct nlm_clnt_lock part = lk(1, 40, 20, true);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_UNLOCK, &part, 0, NULL, NULL), 0, "a hole cut in the middle");
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &b, 0, NULL, NULL), 0);
	struct nlm_clnt_lock big = lk(1, 1ull << 62, 0, true);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &big, 0, NULL, NULL), 0, "64-bit offsets");
	struct nlm_clnt_lock past = lk(1, UINT64_MAX - 1, 10, true);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &past, 0, NULL, NULL), -EOVERFLOW, "FBIG");
	struct nlm_clnt_stats st;
	nlm_clnt_stats(c, &st);
	cr_assert(st.reachable && st.port == srv.port && st.timeouts == 0);
	nlm_clnt_free(c);
	srv_stop();
}

/* An asynchronous call's end. */
struct done {
	struct evloop_completion c;
	atomic_int calls;
};

static void on_done(void *arg, int r, const struct nlm_clnt_holder *h)
{
	struct done *d = arg;

	(void)h;
	atomic_fetch_add(&d->calls, 1);
	evloop_completion_done(&d->c, r);
}

Test(nlm_clnt, blocked_lock_granted_by_reasking)
{
	struct nlm_clnt *c;
	struct done d = {0};

	srv_start(0);
	c = clnt_new(5000, NULL);
	struct nlm_clnt_lock a = lk(1, 0, 0, true), b = lk(2, 10, 5, false);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &a, 0, NULL, NULL), 0);
	evloop_completion_init(&d.c);
	cr_assert_eq(nlm_clnt_start(c, NLM_CLNT_LOCK, &b, NLM_CLNT_BLOCK, NULL, on_done, &d), 0);
	cr_assert_eq(evloop_completion_wait(&d.c, evloop_deadline_ms(300)), -ETIMEDOUT, "still blocked");
	struct nlm_clnt_stats st;
	nlm_clnt_stats(c, &st);
	cr_assert_geq(st.blocked, 1, "the server answered BLOCKED");
	uint64_t t0 = evloop_now_ns();
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_UNLOCK, &a, 0, NULL, NULL), 0);
	cr_assert_eq(evloop_completion_wait(&d.c, evloop_deadline_ms(5000)), 0, "granted once a unlocked");
	cr_assert_lt(ms_since(t0), 2500, "re-asked within 2 s without an agent");
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &a, 0, NULL, NULL), -EAGAIN, "b holds it now");
	cr_assert_eq(atomic_load(&d.calls), 1);
	evloop_completion_destroy(&d.c);
	nlm_clnt_free(c);
	srv_stop();
}

/* An UNLOCK straight into the engine, as if the client host sent it (the
 * client's own calls are being dropped meanwhile). */
static void engine_unlock(const struct nlm_clnt_lock *l)
{
	unsigned char msg[4096], reply[LOCKD_REPLY_MAX];
	struct lockd_peer from = {.addrlen = sizeof(struct sockaddr_in)};
	struct sockaddr_in *sin = (struct sockaddr_in *)&from.addr;
	nlm4_unlockargs u = {
	    .cookie = {0, NULL},
	    .alock = {.caller_name = "client-host",
		      .fh = {l->fh_len, (char *)l->fh},
		      .oh = {l->oh_len, (char *)l->oh},
		      .svid = l->svid,
		      .l_offset = l->offset,
		      .l_len = l->len},
	};
	XDR x;

	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(999);
	xdrmem_create(&x, (char *)msg, sizeof(msg), XDR_ENCODE);
	cr_assert(rpc_put_call_head(&x, 0x1234, NLM_PROG, NLM4_VERS, NLMPROC4_UNLOCK) && xdr_nlm4_unlockargs(&x, &u));
	pthread_mutex_lock(&srv.lock);
	cr_assert_gt(lockd_dispatch(srv.engine, &from, msg, xdr_getpos(&x), reply, evloop_now_ns()), 0);
	pthread_mutex_unlock(&srv.lock);
	xdr_destroy(&x);
}

Test(nlm_clnt, interrupted_wait_gives_back_a_grant)
{
	struct nlm_clnt *c;
	struct done d = {0};
	struct evloop_cancel tok;

	srv_start(0);
	c = clnt_new(5000, NULL);
	struct nlm_clnt_lock a = lk(1, 0, 0, true), b = lk(2, 0, 0, true), third = lk(3, 0, 0, true);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &a, 0, NULL, NULL), 0);
	evloop_completion_init(&d.c);
	evloop_cancel_init(&tok);
	cr_assert_eq(nlm_clnt_start(c, NLM_CLNT_LOCK, &b, NLM_CLNT_BLOCK | NLM_CLNT_UNLOCK_IF_LOST, &tok, on_done, &d),
		     0);
	cr_assert_eq(evloop_completion_wait(&d.c, evloop_deadline_ms(300)), -ETIMEDOUT);
	/* a lets go while b's re-asks are lost: the server grants b, b does
	 * not know, and then b's process is interrupted. */
	atomic_store(&srv.mode, SRV_DROP);
	engine_unlock(&a);
	uint64_t t0 = evloop_now_ns();
	evloop_cancel_fire(&tok, -EINTR);
	cr_assert_eq(evloop_completion_wait(&d.c, evloop_deadline_ms(2000)), -EINTR);
	cr_assert_lt(ms_since(t0), 200, "an interrupt ends the wait at once");
	cr_assert_eq(atomic_load(&d.calls), 1);
	atomic_store(&srv.mode, SRV_ANSWER);
	/* The CANCEL and UNLOCK are retransmitted until answered: the grant
	 * goes back and a third owner gets the file. */
	int r = -EAGAIN;
	for (int i = 0; i < 40 && r == -EAGAIN; i++) {
		usleep(100000);
		r = nlm_clnt_call(c, NLM_CLNT_LOCK, &third, 0, NULL, NULL);
	}
	cr_assert_eq(r, 0, "b's grant was given back");
	evloop_cancel_destroy(&tok);
	evloop_completion_destroy(&d.c);
	nlm_clnt_free(c);
	srv_stop();
}

Test(nlm_clnt, a_call_waits_for_its_owners_followup)
{
	struct nlm_clnt *c;
	struct done d = {0};
	struct evloop_cancel tok;

	srv_start(0);
	c = clnt_new(5000, NULL);
	struct nlm_clnt_lock a = lk(1, 0, 10, true), other = lk(2, 0, 10, true);
	/* a's LOCK goes unanswered and is interrupted: an UNLOCK follows it,
	 * unanswered too for now. */
	atomic_store(&srv.mode, SRV_DROP);
	evloop_completion_init(&d.c);
	evloop_cancel_init(&tok);
	cr_assert_eq(nlm_clnt_start(c, NLM_CLNT_LOCK, &a, NLM_CLNT_UNLOCK_IF_LOST, &tok, on_done, &d), 0);
	usleep(100000);
	evloop_cancel_fire(&tok, -EINTR);
	cr_assert_eq(evloop_completion_wait(&d.c, evloop_deadline_ms(2000)), -EINTR);
	/* The server answers again, and a's process asks again at once: its
	 * LOCK goes only after the follow-up UNLOCK is answered (at that
	 * one's retransmission), or the late UNLOCK would take the new lock. */
	atomic_store(&srv.mode, SRV_ANSWER);
	uint64_t t0 = evloop_now_ns();
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &a, 0, NULL, NULL), 0);
	uint64_t took = ms_since(t0);
	usleep(700000); /* any retransmission of the follow-up lands */
	struct nlm_clnt_holder h;
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_TEST, &other, 0, NULL, &h), -EAGAIN,
		     "a still holds its new lock (it waited %llu ms)", (unsigned long long)took);
	cr_assert_eq(h.svid, 1);
	/* Another owner's call is not held back by a's follow-ups. */
	evloop_cancel_destroy(&tok);
	evloop_completion_destroy(&d.c);
	nlm_clnt_free(c);
	srv_stop();
}

Test(nlm_clnt, cancel_before_start_and_at_free)
{
	struct nlm_clnt *c;
	struct done d1 = {0}, d2 = {0};
	struct evloop_cancel tok;

	srv_start(0);
	c = clnt_new(5000, NULL);
	struct nlm_clnt_lock a = lk(1, 0, 0, true), b = lk(2, 0, 0, true);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &a, 0, NULL, NULL), 0);
	evloop_completion_init(&d1.c);
	evloop_completion_init(&d2.c);
	evloop_cancel_init(&tok);
	evloop_cancel_fire(&tok, -EINTR);
	cr_assert_eq(nlm_clnt_start(c, NLM_CLNT_LOCK, &b, NLM_CLNT_BLOCK, &tok, on_done, &d1), 0);
	cr_assert_eq(evloop_completion_wait(&d1.c, evloop_deadline_ms(2000)), -EINTR, "a token fired before");
	cr_assert_eq(nlm_clnt_start(c, NLM_CLNT_LOCK, &b, NLM_CLNT_BLOCK, NULL, on_done, &d2), 0);
	cr_assert_eq(evloop_completion_wait(&d2.c, evloop_deadline_ms(300)), -ETIMEDOUT);
	nlm_clnt_free(c);
	cr_assert_eq(evloop_completion_wait(&d2.c, 0), -ESHUTDOWN, "a wait ends with the client");
	cr_assert_eq(atomic_load(&d1.calls) + atomic_load(&d2.calls), 2);
	evloop_cancel_destroy(&tok);
	evloop_completion_destroy(&d1.c);
	evloop_completion_destroy(&d2.c);
	srv_stop();
}

Test(nlm_clnt, grace_then_granted)
{
	struct nlm_clnt *c;

	srv_start(1500 * EVLOOP_NS_PER_MS);
	c = clnt_new(5000, NULL);
	struct nlm_clnt_lock a = lk(1, 0, 0, true), r = lk(2, 100, 1, true);
	uint64_t t0 = evloop_now_ns();
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &r, NLM_CLNT_RECLAIM, NULL, NULL), 0, "a reclaim in grace");
	cr_assert_lt(ms_since(t0), 1000);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &a, 0, NULL, NULL), -EAGAIN, "waited out the grace period");
	cr_assert_geq(ms_since(t0), 1400);
	struct nlm_clnt_stats st;
	nlm_clnt_stats(c, &st);
	cr_assert_geq(st.grace, 1);
	cr_assert_eq(st.restarts, 1, "grace answers are one restart seen, not %llu", (unsigned long long)st.restarts);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &a, NLM_CLNT_RECLAIM, NULL, NULL), -ENOLCK,
		     "a reclaim after grace is refused, at once");
	nlm_clnt_free(c);
	srv_stop();
}

Test(nlm_clnt, no_answer_is_enolck_within_the_timeout)
{
	struct nlm_clnt *c;

	srv_start(0);
	c = clnt_new(1200, NULL);
	struct nlm_clnt_lock a = lk(1, 0, 0, true);
	atomic_store(&srv.mode, SRV_DROP);
	uint64_t t0 = evloop_now_ns();
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &a, 0, NULL, NULL), -ENOLCK);
	uint64_t took = ms_since(t0);
	cr_assert(took >= 1150 && took < 2000, "gave up after %llu ms", (unsigned long long)took);
	cr_assert_geq(atomic_load(&srv.received), 2, "retransmitted");
	struct nlm_clnt_stats st;
	nlm_clnt_stats(c, &st);
	cr_assert(!st.reachable && st.timeouts == 1);
	atomic_store(&srv.mode, SRV_ANSWER);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &a, 0, NULL, NULL), 0, "and works again");
	nlm_clnt_stats(c, &st);
	cr_assert(st.reachable);
	nlm_clnt_free(c);
	srv_stop();
}

Test(nlm_clnt, junk_and_stale_replies_are_dropped)
{
	struct nlm_clnt *c;

	srv_start(0);
	c = clnt_new(5000, NULL);
	atomic_store(&srv.mode, SRV_JUNK_FIRST);
	struct nlm_clnt_lock a = lk(1, 0, 10, true);
	for (int i = 0; i < 20; i++) {
		cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &a, 0, NULL, NULL), 0);
		cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_UNLOCK, &a, 0, NULL, NULL), 0);
	}
	nlm_clnt_free(c);
	srv_stop();
}

Test(nlm_clnt, rpcbind_that_does_not_answer_is_one_line)
{
	/* A port nobody serves, as rpcbind: ask 127.0.0.2 with port 0. */
	struct nlm_clnt_config cfg = {
	    .server = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f0000fe)},
	    .server_name = "127.0.0.254",
	    .timeout_ms = 1000,
	};
	struct nlm_clnt *c;
	char err[256] = "";
	int r = nlm_clnt_new(&cfg, &c, err, sizeof(err));

	/* Refused at once where nothing listens on port 111 (ICMP is not
	 * seen on an unconnected socket: it is the timeout). */
	cr_assert(r == -ETIMEDOUT || r == -EPROTONOSUPPORT, "r %d: %s", r, err);
	cr_assert(strstr(err, "127.0.0.254") && !strchr(err, '\n'), "%s", err);
	cr_assert_null(c);
}

/* lockd_agent_granted runs on the agent's loop, as lockd calls it. */
struct agent_call {
	struct lockd_agent *ag;
	struct lockd_grant g;
	bool taken;
};

static void agent_call(void *arg)
{
	struct agent_call *ac = arg;

	ac->taken = lockd_agent_granted(ac->ag, &ac->g);
}

Test(nlm_clnt, grant_through_the_agent)
{
	char path[] = "/tmp/nlm-agent-XXXXXX";
	int fd = mkstemp(path);
	struct evloop *loop = evloop_new("agent");
	char err[256];
	struct nlm_clnt *c;
	struct done d = {0};
	struct nlm_clnt_stats st;

	cr_assert(fd >= 0 && loop);
	close(fd);
	unlink(path);
	struct lockd_agent *ag = lockd_agent_new(loop, path, NULL, NULL, err, sizeof(err));
	cr_assert(ag, "%s", err);
	cr_assert_eq(evloop_start(loop), 0);
	cr_assert_null(lockd_agent_new(loop, path, NULL, NULL, err, sizeof(err)),
		       "a second agent on a live socket is refused");
	cr_assert(strstr(err, "another netfuse-lockd"), "%s", err);
	srv_start(0);
	c = clnt_new(5000, path);
	nlm_clnt_stats(c, &st);
	cr_assert(st.agent, "joined the agent");
	for (int i = 0; i < 100 && !st.watch_error; i++) {
		usleep(10000);
		nlm_clnt_stats(c, &st);
	}
	cr_assert(!st.watched && st.watch_error == EOPNOTSUPP, "no statd to watch the server: %d", st.watch_error);
	struct nlm_clnt_lock a = lk(1, 0, 0, true), b = lk(2, 0, 0, true);
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_LOCK, &a, 0, NULL, NULL), 0);
	evloop_completion_init(&d.c);
	cr_assert_eq(nlm_clnt_start(c, NLM_CLNT_LOCK, &b, NLM_CLNT_BLOCK, NULL, on_done, &d), 0);
	cr_assert_eq(evloop_completion_wait(&d.c, evloop_deadline_ms(300)), -ETIMEDOUT);
	/* What a server's GRANTED does on this host's lockd: a grant for
	 * another mount's owner is refused; b's is passed on, and ends b's
	 * wait at once (with an agent there, b re-asks only after 2 s), but
	 * only when it comes from b's server. */
	struct lockd_peer srv_peer = {.addrlen = sizeof(struct sockaddr_in)}, other_peer = srv_peer;
	((struct sockaddr_in *)&srv_peer.addr)->sin_family = AF_INET;
	((struct sockaddr_in *)&srv_peer.addr)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	((struct sockaddr_in *)&other_peer.addr)->sin_family = AF_INET;
	((struct sockaddr_in *)&other_peer.addr)->sin_addr.s_addr = htonl(0x7f000002);
	struct agent_call ac = {.ag = ag,
				.g = {.from = &srv_peer,
				      .caller_name = "srv",
				      .fh = b.fh,
				      .fh_len = b.fh_len,
				      .oh = "OTHERMNT12345678",
				      .oh_len = 16,
				      .svid = 2,
				      .exclusive = true}};
	cr_assert_eq(evloop_call_sync(loop, agent_call, &ac, EVLOOP_NEVER), 0);
	cr_assert(!ac.taken, "no mount of that id");
	cr_assert_eq(nlm_clnt_call(c, NLM_CLNT_UNLOCK, &a, 0, NULL, NULL), 0);
	ac.g.oh = b.oh;
	ac.g.from = &other_peer;
	cr_assert_eq(evloop_call_sync(loop, agent_call, &ac, EVLOOP_NEVER), 0);
	cr_assert_eq(evloop_completion_wait(&d.c, evloop_deadline_ms(300)), -ETIMEDOUT,
		     "a grant from another address than b's server is dropped");
	ac.g.from = &srv_peer;
	uint64_t t0 = evloop_now_ns();
	cr_assert_eq(evloop_call_sync(loop, agent_call, &ac, EVLOOP_NEVER), 0);
	cr_assert(ac.taken, "b's mount took it");
	cr_assert_eq(evloop_completion_wait(&d.c, evloop_deadline_ms(1000)), 0);
	cr_assert_lt(ms_since(t0), 500);
	/* A grant nothing waits for any more: counted, and the caller's
	 * unmatched_grant (none here) would give it back. */
	cr_assert_eq(evloop_call_sync(loop, agent_call, &ac, EVLOOP_NEVER), 0);
	for (int i = 0; i < 50; i++) {
		nlm_clnt_stats(c, &st);
		if (st.unmatched)
			break;
		usleep(10000);
	}
	cr_assert(st.grants == 1 && st.unmatched == 1, "grants %llu unmatched %llu", (unsigned long long)st.grants,
		  (unsigned long long)st.unmatched);
	struct lockd_agent_stats as;
	lockd_agent_stats(ag, &as);
	cr_assert(as.mounts == 1 && as.delivered == 3 && as.unmatched == 1);
	evloop_completion_destroy(&d.c);
	nlm_clnt_free(c);
	srv_stop();
	evloop_stop(loop);
	lockd_agent_free(ag);
	evloop_free(loop);
	cr_assert(access(path, F_OK) != 0, "the socket is removed");
}

/* A statd that monitors whatever it is asked to, counting. */
static atomic_int watch_calls;
static int fake_watch(void *arg, struct in_addr server, int32_t *self_state)
{
	(void)arg;
	(void)server;
	*self_state = 0;
	atomic_fetch_add(&watch_calls, 1);
	return 0;
}

struct restart_call {
	struct lockd_agent *ag;
	const char *name;
	int32_t state;
};

static void restart_call(void *arg)
{
	struct restart_call *rc = arg;

	lockd_agent_server_restarted(rc->ag, rc->name, rc->state);
}

static atomic_int restarts_seen;
static void on_restarted(void *arg)
{
	(void)arg;
	atomic_fetch_add(&restarts_seen, 1);
}

static int wait_restarts(int n)
{
	for (int i = 0; i < 100 && atomic_load(&restarts_seen) < n; i++)
		usleep(10000);
	usleep(50000); /* and no more after it */
	return atomic_load(&restarts_seen);
}

Test(nlm_clnt, server_restart_through_the_agent)
{
	char path[] = "/tmp/nlm-agent-XXXXXX";
	int fd = mkstemp(path);
	struct evloop *loop = evloop_new("agent");
	char err[256] = "";
	struct nlm_clnt *c, *c2;
	struct nlm_clnt_stats st;

	cr_assert(fd >= 0 && loop);
	close(fd);
	unlink(path);
	struct lockd_agent *ag = lockd_agent_new(loop, path, fake_watch, NULL, err, sizeof(err));
	cr_assert(ag, "%s", err);
	cr_assert_eq(evloop_start(loop), 0);
	srv_start(0);
	struct nlm_clnt_config cfg = {
	    .server = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons(srv.port)},
	    .server_name = "test-server",
	    .caller_name = "client-host",
	    .timeout_ms = 5000,
	    .agent_path = path,
	    .agent_id = "MOUNTID1",
	    .server_restarted = on_restarted,
	};
	cr_assert_eq(nlm_clnt_new(&cfg, &c, err, sizeof(err)), 0, "%s", err);
	memcpy(cfg.agent_id, "MOUNTID2", 8);
	cr_assert_eq(nlm_clnt_new(&cfg, &c2, err, sizeof(err)), 0, "%s", err);
	nlm_clnt_stats(c, &st);
	for (int i = 0; i < 100 && !st.watched; i++) {
		usleep(10000);
		nlm_clnt_stats(c, &st);
	}
	cr_assert(st.watched, "statd watches the server for the mount");
	cr_assert_eq(atomic_load(&watch_calls), 1, "one SM_MON for both mounts of one server");
	/* A version 1 hello (a mount from before restarts were told) is
	 * still taken. */
	int v1 = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	strcpy(sun.sun_path, path);
	unsigned char hello[16] = "NFLA\0\0\0\1MOUNTID3";
	cr_assert(!connect(v1, (struct sockaddr *)&sun, sizeof(sun)) && send(v1, hello, 16, 0) == 16);
	struct lockd_agent_stats as = {0};
	for (int i = 0; i < 100 && as.mounts < 3; i++) {
		usleep(10000);
		lockd_agent_stats(ag, &as);
	}
	cr_assert_eq(as.mounts, 3);

	struct restart_call rc = {ag, "127.0.0.1", 1001};
	cr_assert_eq(evloop_call_sync(loop, restart_call, &rc, EVLOOP_NEVER), 0);
	cr_assert_eq(wait_restarts(2), 2, "both mounts told once each");
	cr_assert_eq(evloop_call_sync(loop, restart_call, &rc, EVLOOP_NEVER), 0);
	cr_assert_eq(wait_restarts(2), 2, "the same state again is the same restart");
	rc.state = 1003;
	cr_assert_eq(evloop_call_sync(loop, restart_call, &rc, EVLOOP_NEVER), 0);
	cr_assert_eq(wait_restarts(4), 4, "a new state is a new restart");
	rc.name = "127.0.0.2";
	rc.state = 1005;
	cr_assert_eq(evloop_call_sync(loop, restart_call, &rc, EVLOOP_NEVER), 0);
	rc.name = "not-an-address";
	cr_assert_eq(evloop_call_sync(loop, restart_call, &rc, EVLOOP_NEVER), 0);
	cr_assert_eq(wait_restarts(5), 4, "another server's restart is not these mounts'");
	nlm_clnt_stats(c, &st);
	cr_assert_eq(st.restarts, 2);
	lockd_agent_stats(ag, &as);
	cr_assert_eq(as.restarts_told, 6, "%llu", (unsigned long long)as.restarts_told);
	close(v1);
	nlm_clnt_free(c2);
	nlm_clnt_free(c);
	srv_stop();
	evloop_stop(loop);
	lockd_agent_free(ag);
	evloop_free(loop);
}

/* ---- the decoders ------------------------------------------------------------------------ */

static size_t reply_msg(unsigned char *buf, size_t len, uint32_t xid, int what, uint32_t stat, bool holder)
{
	XDR x;

	xdrmem_create(&x, (char *)buf, (u_int)len, XDR_ENCODE);
	cr_assert(rpc_put_reply_head(&x, xid, SUCCESS));
	if (what == NLM_CLNT_GETPORT) {
		u_int port = stat;
		cr_assert(xdr_u_int(&x, &port));
	} else if (what == NLM_CLNT_TEST) {
		nlm4_testres r = {.cookie = {4, "ckie"}};
		r.stat.stat = stat;
		if (holder)
			r.stat.nlm4_testrply_u.holder =
			    (nlm4_holder){.exclusive = 1, .svid = 7, .oh = {2, "oh"}, .l_offset = 5, .l_len = 6};
		cr_assert(xdr_nlm4_testres(&x, &r));
	} else {
		nlm4_res r = {.cookie = {4, "ckie"}, .stat = {stat}};
		cr_assert(xdr_nlm4_res(&x, &r));
	}
	size_t n = xdr_getpos(&x);
	xdr_destroy(&x);
	return n;
}

Test(nlm_clnt, parse_reply_well_formed_and_malformed)
{
	unsigned char buf[512];
	struct nlm_clnt_reply r;
	size_t n;

	n = reply_msg(buf, sizeof(buf), 42, NLM_CLNT_TEST, NLM4_DENIED, true);
	cr_assert_eq(nlm_clnt_parse_reply(buf, n, NLM_CLNT_TEST, &r), 0);
	cr_assert(r.xid == 42 && r.accept == SUCCESS && r.stat == NLM4_DENIED && r.has_holder && r.holder.svid == 7 &&
		  r.holder.offset == 5 && r.holder.len == 6 && r.holder.exclusive);
	/* Every truncation is refused, never read past. */
	for (size_t cut = 0; cut < n; cut++)
		cr_assert_eq(nlm_clnt_parse_reply(buf, cut, NLM_CLNT_TEST, &r), -EBADMSG, "cut at %zu", cut);
	n = reply_msg(buf, sizeof(buf), 43, NLM_CLNT_LOCK, NLM4_BLOCKED, false);
	cr_assert_eq(nlm_clnt_parse_reply(buf, n, NLM_CLNT_LOCK, &r), 0);
	cr_assert(r.stat == NLM4_BLOCKED && !r.has_holder);
	for (size_t cut = 0; cut < n; cut++)
		cr_assert_eq(nlm_clnt_parse_reply(buf, cut, NLM_CLNT_UNLOCK, &r), -EBADMSG);
	n = reply_msg(buf, sizeof(buf), 44, NLM_CLNT_GETPORT, 4045, false);
	cr_assert_eq(nlm_clnt_parse_reply(buf, n, NLM_CLNT_GETPORT, &r), 0);
	cr_assert_eq(r.port, 4045);
	n = reply_msg(buf, sizeof(buf), 44, NLM_CLNT_GETPORT, 70000, false);
	cr_assert_eq(nlm_clnt_parse_reply(buf, n, NLM_CLNT_GETPORT, &r), -EBADMSG, "a port past 65535");
	/* A cookie longer than NLM allows. */
	n = reply_msg(buf, sizeof(buf), 45, NLM_CLNT_LOCK, NLM4_GRANTED, false);
	uint32_t big = htonl(5000);
	memcpy(buf + 24, &big, 4);
	cr_assert_eq(nlm_clnt_parse_reply(buf, n, NLM_CLNT_LOCK, &r), -EBADMSG);
	/* A call is no reply; an unknown kind of call reads nothing. */
	XDR x;
	xdrmem_create(&x, (char *)buf, sizeof(buf), XDR_ENCODE);
	cr_assert(rpc_put_call_head(&x, 1, NLM_PROG, NLM4_VERS, 2));
	n = xdr_getpos(&x);
	xdr_destroy(&x);
	cr_assert_eq(nlm_clnt_parse_reply(buf, n, NLM_CLNT_LOCK, &r), -EBADMSG);
	n = reply_msg(buf, sizeof(buf), 46, NLM_CLNT_LOCK, NLM4_GRANTED, false);
	cr_assert_eq(nlm_clnt_parse_reply(buf, n, 17, &r), -EBADMSG);
	/* A refused call: only the accept status. */
	xdrmem_create(&x, (char *)buf, sizeof(buf), XDR_ENCODE);
	cr_assert(rpc_put_reply_head(&x, 47, PROG_UNAVAIL));
	n = xdr_getpos(&x);
	xdr_destroy(&x);
	cr_assert_eq(nlm_clnt_parse_reply(buf, n, NLM_CLNT_LOCK, &r), 0);
	cr_assert(r.xid == 47 && r.accept == PROG_UNAVAIL);
}

Test(nlm_clnt, parse_grant_well_formed_and_malformed)
{
	unsigned char buf[NLM_AGENT_MSG_MAX + 16], fh[NLM_CLNT_HANDLE_MAX], oh[NLM_CLNT_HANDLE_MAX];
	struct nlm_clnt_lock l;
	nlm4_testargs t = {.exclusive = 1,
			   .alock = {.caller_name = "srv",
				     .fh = {3, "fh1"},
				     .oh = {4, "oh12"},
				     .svid = 9,
				     .l_offset = 1ull << 40,
				     .l_len = 0}};
	XDR x;

	uint32_t from, sender = htonl(0x0a000001);
	memcpy(buf, NLM_AGENT_GRANT_MAGIC, 4);
	memcpy(buf + 4, &sender, 4);
	xdrmem_create(&x, (char *)buf + 8, sizeof(buf) - 8, XDR_ENCODE);
	cr_assert(xdr_nlm4_testargs(&x, &t));
	size_t n = 8 + xdr_getpos(&x);
	xdr_destroy(&x);
	cr_assert_eq(nlm_clnt_parse_grant(buf, n, &l, fh, oh, &from), 0);
	cr_assert_eq(from, sender);
	cr_assert(l.fh_len == 3 && !memcmp(l.fh, "fh1", 3) && l.oh_len == 4 && l.svid == 9 && l.offset == 1ull << 40 &&
		  l.len == 0 && l.exclusive);
	for (size_t cut = 0; cut < n; cut++)
		cr_assert_eq(nlm_clnt_parse_grant(buf, cut, &l, fh, oh, &from), -EBADMSG, "cut at %zu", cut);
	buf[0] = 'X';
	cr_assert_eq(nlm_clnt_parse_grant(buf, n, &l, fh, oh, &from), -EBADMSG, "wrong magic");
	buf[0] = 'N';
	cr_assert_eq(nlm_clnt_parse_grant(buf, NLM_AGENT_MSG_MAX + 1, &l, fh, oh, &from), -EBADMSG, "too long");
}
