/*
 * test/lib/libnfs_nlm.c: libnfs's NLM version 4 client (Debian libnfs-dev,
 * TCP only) as a third party driving netfuse-lockd in lockd.test. One call
 * per run; its answer printed as a word, as test/lib/nlmc prints it.
 *
 *   libnfs-nlm SERVER CALLER test|lock|unlock SVID OH FH OFF LEN [excl]
 *
 * libnfs sends the owner handle as a C string. Exit status 0 when the call
 * was answered, 1 when not, 2 for bad usage.
 */
#include "config.h"

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nlm.h>

struct state {
	bool done, failed;
	char answer[128];
};

static const char *stat_name(int s)
{
	static const char *names[] = {"granted",	     "denied", "denied_nolocks", "blocked", "denied_grace_period",
				      "deadlck",	     "rofs",   "stale_fh",	 "fbig",    "failed"};
	return s >= 0 && (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

static void on_connect(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct state *st = priv;

	(void)rpc;
	if (status != RPC_STATUS_SUCCESS) {
		snprintf(st->answer, sizeof(st->answer), "connect: %s", data ? (char *)data : "failed");
		st->failed = true;
	}
	st->done = true;
}

static void on_lock(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct state *st = priv;

	(void)rpc;
	if (status == RPC_STATUS_SUCCESS)
		snprintf(st->answer, sizeof(st->answer), "%s", stat_name(((NLM4_LOCKres *)data)->status));
	else
		st->failed = true;
	st->done = true;
}

static void on_unlock(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct state *st = priv;

	(void)rpc;
	if (status == RPC_STATUS_SUCCESS)
		snprintf(st->answer, sizeof(st->answer), "%s", stat_name(((NLM4_UNLOCKres *)data)->status));
	else
		st->failed = true;
	st->done = true;
}

static void on_test(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct state *st = priv;
	NLM4_TESTres *r = data;

	(void)rpc;
	if (status != RPC_STATUS_SUCCESS) {
		st->failed = true;
	} else if (r->reply.status == NLM4_DENIED) {
		nlm4_holder *h = &r->reply.nlm4_testreply_u.lock.holder;
		snprintf(st->answer, sizeof(st->answer), "denied svid=%u offset=%llu len=%llu %s", h->svid,
			 (unsigned long long)h->l_offset, (unsigned long long)h->l_len, h->exclusive ? "excl" : "shared");
	} else {
		snprintf(st->answer, sizeof(st->answer), "%s", stat_name(r->reply.status));
	}
	st->done = true;
}

/* Services the context until @st is done or 10 s pass. */
static bool run(struct rpc_context *rpc, struct state *st)
{
	time_t end = time(NULL) + 10;

	while (!st->done && time(NULL) < end) {
		struct pollfd p = {.fd = rpc_get_fd(rpc), .events = (short)rpc_which_events(rpc)};
		if (poll(&p, 1, 100) < 0 || rpc_service(rpc, p.revents) < 0)
			return false;
	}
	return st->done && !st->failed;
}

int main(int argc, char **argv)
{
	if (argc < 9) {
		fprintf(stderr, "usage: libnfs-nlm SERVER CALLER test|lock|unlock SVID OH FH OFF LEN [excl]\n");
		return 2;
	}
	const char *op = argv[3];
	bool excl = argc > 9 && !strcmp(argv[9], "excl");
	struct rpc_context *rpc = rpc_init_context();
	struct state st = {0};
	char cookie[4] = {'l', 'n', 'f', 's'};
	nlm4_lock lk = {.caller_name = argv[2],
			.fh = {.data = {(u_int)strlen(argv[6]), argv[6]}},
			.oh = argv[5],
			.svid = (u_int)atoi(argv[4]),
			.l_offset = strtoull(argv[7], NULL, 0),
			.l_len = strtoull(argv[8], NULL, 0)};

	if (!rpc)
		return 1;
	if (rpc_connect_program_async(rpc, argv[1], NLM_PROGRAM, NLM_V4, on_connect, &st) || !run(rpc, &st)) {
		fprintf(stderr, "libnfs-nlm: %s\n", st.answer[0] ? st.answer : rpc_get_error(rpc));
		rpc_destroy_context(rpc);
		return 1;
	}
	memset(&st, 0, sizeof(st));
	int r;
	if (!strcmp(op, "lock")) {
		NLM4_LOCKargs a = {.cookie = {.data = {sizeof(cookie), cookie}}, .exclusive = excl, .lock = lk, .state = 1};
		r = rpc_nlm4_lock_async(rpc, on_lock, &a, &st);
	} else if (!strcmp(op, "unlock")) {
		NLM4_UNLOCKargs a = {.cookie = {.data = {sizeof(cookie), cookie}}, .lock = lk};
		r = rpc_nlm4_unlock_async(rpc, on_unlock, &a, &st);
	} else if (!strcmp(op, "test")) {
		NLM4_TESTargs a = {.cookie = {.data = {sizeof(cookie), cookie}}, .exclusive = excl, .lock = lk};
		r = rpc_nlm4_test_async(rpc, on_test, &a, &st);
	} else {
		rpc_destroy_context(rpc);
		return 2;
	}
	bool ok = r == 0 && run(rpc, &st);
	if (ok)
		printf("%s\n", st.answer);
	else
		fprintf(stderr, "libnfs-nlm: %s\n", rpc_get_error(rpc));
	rpc_destroy_context(rpc);
	return ok ? 0 : 1;
}
