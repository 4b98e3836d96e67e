/*
 * test/integration/nlm_interop_check.c: netfuse's NLM client
 * (nlm/nlm_clnt.h, what a -o lockd mount locks through) against another
 * lock server, for nlm_interop.test: nfs-ganesha's NLM, on a file handle
 * ganesha issued.
 *
 *   nlm_interop_check SERVER_IP CALLER_NAME AGENT_SOCKET FH_HEX basic|grace
 *
 * basic: TEST and LOCK of a second owner against a first's lock (DENIED,
 *        with the holder), a blocking LOCK answered BLOCKED then granted by
 *        the server's GRANTED_MSG when the first unlocks (through this
 *        host's netfuse-lockd agent, so sooner than the client's own 2 s
 *        re-ask), a blocking LOCK cancelled (CANCEL sent; nothing left held).
 * grace: the server is in its grace period: a reclaim is granted at once,
 *        a new lock waits for the grace period's end, and the grace answer
 *        counts as one server restart seen.
 * One TAP-like line per check ("ok N - ..." / "not ok N - ..."); exit 0 when
 * all passed.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evloop/evloop.h"
#include "evloop/evloop_req.h"
#include "nlm/nlm_clnt.h"

static int checks, failed;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list va;

	printf("%s %d - ", ok ? "ok" : "not ok", ++checks);
	va_start(va, fmt);
	vprintf(fmt, va);
	va_end(va);
	printf("\n");
	fflush(stdout);
	failed += !ok;
}

static atomic_int restarts;
static void on_restart(void *arg)
{
	(void)arg;
	atomic_fetch_add(&restarts, 1);
}

struct wait {
	struct evloop_completion c;
	int r;
};

static void on_done(void *arg, int r, const struct nlm_clnt_holder *h)
{
	struct wait *w = arg;

	(void)h;
	w->r = r;
	evloop_completion_done(&w->c, 0);
}

static unsigned char fh[1024];
static size_t fh_len;
static unsigned char ohs[3][16];

static struct nlm_clnt_lock lk(int owner, uint64_t off, uint64_t len, bool excl)
{
	return (struct nlm_clnt_lock){.fh = fh,
				      .fh_len = (uint32_t)fh_len,
				      .oh = ohs[owner],
				      .oh_len = 16,
				      .svid = 100 + owner,
				      .offset = off,
				      .len = len,
				      .exclusive = excl};
}

static uint64_t ms_since(uint64_t t0)
{
	return (evloop_now_ns() - t0) / EVLOOP_NS_PER_MS;
}

static void basic(struct nlm_clnt *c)
{
	struct nlm_clnt_holder h = {0};
	struct nlm_clnt_lock a = lk(1, 0, 10, true), b = lk(2, 0, 10, true), b5 = lk(2, 5, 1, false);
	struct nlm_clnt_stats st;
	struct wait w;
	int r;

	r = nlm_clnt_call(c, NLM_CLNT_LOCK, &a, 0, NULL, NULL);
	check(r == 0, "owner 1 locks 0-9 for writing (%d)", r);
	r = nlm_clnt_call(c, NLM_CLNT_TEST, &b5, 0, NULL, &h);
	check(r == -EAGAIN && h.svid == 101 && h.exclusive && h.offset == 0 && h.len == 10,
	      "owner 2's TEST of byte 5 finds owner 1's lock (%d: svid %d, %s, %llu+%llu)", r, h.svid,
	      h.exclusive ? "exclusive" : "shared", (unsigned long long)h.offset, (unsigned long long)h.len);
	r = nlm_clnt_call(c, NLM_CLNT_LOCK, &b, 0, NULL, NULL);
	check(r == -EAGAIN, "owner 2's LOCK is denied (%d)", r);

	/* Blocking: BLOCKED, then the server's GRANTED_MSG through the agent. */
	evloop_completion_init(&w.c);
	r = nlm_clnt_start(c, NLM_CLNT_LOCK, &b, NLM_CLNT_BLOCK, NULL, on_done, &w);
	int early = evloop_completion_wait(&w.c, evloop_deadline_ms(500));
	nlm_clnt_stats(c, &st);
	check(r == 0 && early == -ETIMEDOUT && st.blocked >= 1, "owner 2's blocking LOCK waits (BLOCKED answers: %llu)",
	      (unsigned long long)st.blocked);
	uint64_t t0 = evloop_now_ns();
	r = nlm_clnt_call(c, NLM_CLNT_UNLOCK, &a, 0, NULL, NULL);
	int done = evloop_completion_wait(&w.c, evloop_deadline_ms(10000));
	uint64_t took = ms_since(t0);
	nlm_clnt_stats(c, &st);
	check(
	    r == 0 && done == 0 && w.r == 0 && st.grants >= 1,
	    "owner 1 unlocks: owner 2 is granted by the server's GRANTED_MSG through the agent (%llu ms, grants %llu)",
	    (unsigned long long)took, (unsigned long long)st.grants);
	evloop_completion_destroy(&w.c);

	/* A blocking LOCK cancelled: CANCEL, and nothing left held. */
	struct evloop_cancel tok;
	evloop_cancel_init(&tok);
	evloop_completion_init(&w.c);
	r = nlm_clnt_start(c, NLM_CLNT_LOCK, &a, NLM_CLNT_BLOCK | NLM_CLNT_UNLOCK_IF_LOST, &tok, on_done, &w);
	early = evloop_completion_wait(&w.c, evloop_deadline_ms(500));
	evloop_cancel_fire(&tok, -EINTR);
	done = evloop_completion_wait(&w.c, evloop_deadline_ms(5000));
	check(r == 0 && early == -ETIMEDOUT && done == 0 && w.r == -EINTR, "owner 1's blocking LOCK is cancelled (%d)",
	      w.r);
	evloop_completion_destroy(&w.c);
	evloop_cancel_destroy(&tok);
	r = nlm_clnt_call(c, NLM_CLNT_UNLOCK, &b, 0, NULL, NULL);
	/* Give the CANCEL (and its UNLOCK) time to land before looking. */
	usleep(500000);
	r = r ? r : nlm_clnt_call(c, NLM_CLNT_TEST, &b, 0, NULL, &h);
	check(r == 0, "after the cancel and owner 2's unlock nothing is held: TEST finds no conflict (%d)", r);
}

static void grace(struct nlm_clnt *c)
{
	struct nlm_clnt_lock a = lk(1, 100, 10, true), b = lk(2, 200, 10, true);
	struct nlm_clnt_stats st;
	int r;

	uint64_t t0 = evloop_now_ns();
	r = nlm_clnt_call(c, NLM_CLNT_LOCK, &a, NLM_CLNT_RECLAIM, NULL, NULL);
	check(r == 0, "in the server's grace period a reclaim is granted (%d, %llu ms)", r,
	      (unsigned long long)ms_since(t0));
	t0 = evloop_now_ns();
	r = nlm_clnt_call(c, NLM_CLNT_LOCK, &b, 0, NULL, NULL);
	uint64_t took = ms_since(t0);
	nlm_clnt_stats(c, &st);
	check(r == 0 && st.grace >= 1,
	      "a new lock waits out the grace period, then is granted (%d after %llu ms, %llu grace answers)", r,
	      (unsigned long long)took, (unsigned long long)st.grace);
	check(atomic_load(&restarts) == 1 && st.restarts == 1,
	      "the grace answers count as one server restart seen (%d)", atomic_load(&restarts));
	nlm_clnt_call(c, NLM_CLNT_UNLOCK, &a, 0, NULL, NULL);
	nlm_clnt_call(c, NLM_CLNT_UNLOCK, &b, 0, NULL, NULL);
}

int main(int argc, char **argv)
{
	struct nlm_clnt_config cfg = {.server = {.sin_family = AF_INET}, .timeout_ms = 20000};
	struct nlm_clnt *c;
	char err[256];

	if (argc != 6 || inet_pton(AF_INET, argv[1], &cfg.server.sin_addr) != 1 ||
	    (strcmp(argv[5], "basic") && strcmp(argv[5], "grace"))) {
		fprintf(stderr, "usage: %s SERVER_IP CALLER_NAME AGENT_SOCKET FH_HEX basic|grace\n", argv[0]);
		return 2;
	}
	for (const char *p = argv[4]; p[0] && p[1] && fh_len < sizeof(fh); p += 2)
		if (sscanf(p, "%2hhx", &fh[fh_len++]) != 1) {
			fprintf(stderr, "%s: the handle is not hex\n", argv[0]);
			return 2;
		}
	memcpy(cfg.agent_id, "INTEROP1", 8);
	for (int i = 0; i < 3; i++) {
		memcpy(ohs[i], cfg.agent_id, 8);
		memset(ohs[i] + 8, i, 8);
	}
	cfg.server_name = argv[1];
	cfg.caller_name = argv[2]; /* the server calls back this host by it */
	cfg.agent_path = argv[3];
	cfg.server_restarted = on_restart;
	if (nlm_clnt_new(&cfg, &c, err, sizeof(err))) {
		printf("not ok 1 - the NLM client starts: %s\n", err);
		return 1;
	}
	struct nlm_clnt_stats st;
	for (int i = 0; i < 100; i++) {
		nlm_clnt_stats(c, &st);
		if (st.agent)
			break;
		usleep(20000);
	}
	check(st.agent, "the client joined this host's netfuse-lockd agent");
	if (!strcmp(argv[5], "basic"))
		basic(c);
	else
		grace(c);
	nlm_clnt_free(c);
	return failed ? 1 : 0;
}
