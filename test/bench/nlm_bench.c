/*
 * test/bench/nlm_bench.c: LOCK+UNLOCK pairs per second from one NLM
 * version 4 client (libtirpc, one call at a time), for make bench's
 * lockd.sh to measure netfuse-lockd and nfs-ganesha's NLM the same way.
 *
 *   nlm-bench SERVER udp|tcp PAIRS FH
 *
 * FH names the file: "raw:BYTES" for an opaque handle (netfuse-lockd needs
 * no file system), or "hex:HEX" for a handle a server checks, such as the
 * NFSv3 handle that `libnfs-nlm SERVER CALLER nfs_fh EXPORT NAME` prints
 * for ganesha (libnfs's headers and libtirpc's cannot meet in one file).
 * Before the pairs the client takes a
 * lock of its own far from the measured range and keeps it, so that a
 * server that monitors a client only while it holds a lock (ganesha calls
 * statd at every first lock and last unlock) is measured on its lock path,
 * as a busy client sees it. Prints "pairs=N seconds=S rate=R".
 */
#include "config.h"

#include <rpc/rpc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nlm/nlm4_prot.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the pairs -------------------------------------------------------------- */

static nlm4_stats call_lock(CLIENT *cl, nlm4_lock *lk, bool unlock)
{
	struct timeval tv = {10, 0};
	char ck[4] = {'b', 'e', 'n', 'c'};
	nlm4_res res;
	enum clnt_stat st;

	memset(&res, 0, sizeof(res));
	if (unlock) {
		nlm4_unlockargs a = {.cookie = {sizeof(ck), ck}, .alock = *lk};
		st = clnt_call(cl, NLMPROC4_UNLOCK, (xdrproc_t)xdr_nlm4_unlockargs, (char *)&a, (xdrproc_t)xdr_nlm4_res,
			       (char *)&res, tv);
	} else {
		nlm4_lockargs a = {.cookie = {sizeof(ck), ck}, .exclusive = 1, .alock = *lk, .state = 1};
		st = clnt_call(cl, NLMPROC4_LOCK, (xdrproc_t)xdr_nlm4_lockargs, (char *)&a, (xdrproc_t)xdr_nlm4_res,
			       (char *)&res, tv);
	}
	if (st != RPC_SUCCESS)
		return NLM4_FAILED;
	nlm4_stats s = res.stat.stat;
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&res);
	return s;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: nlm-bench SERVER udp|tcp PAIRS raw:BYTES|hex:HEX\n");
		return 2;
	}
	const char *server = argv[1], *proto = argv[2];
	long pairs = atol(argv[3]);
	struct {
		char fh[128];
		unsigned fh_len;
	} fh = {{0}, 0};
	char host[256];

	if (!strncmp(argv[4], "raw:", 4)) {
		fh.fh_len = (unsigned)strlen(argv[4] + 4);
		if (fh.fh_len > sizeof(fh.fh))
			return 2;
		memcpy(fh.fh, argv[4] + 4, fh.fh_len);
	} else if (!strncmp(argv[4], "hex:", 4)) {
		const char *h = argv[4] + 4;
		for (; h[0] && h[1] && fh.fh_len < sizeof(fh.fh); h += 2) {
			unsigned b;
			if (sscanf(h, "%2x", &b) != 1)
				return 2;
			fh.fh[fh.fh_len++] = (char)b;
		}
	} else {
		return 2;
	}
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "bench");
	host[sizeof(host) - 1] = '\0';

	CLIENT *cl = clnt_create(server, NLM_PROG, NLM4_VERS, proto);
	if (!cl) {
		fprintf(stderr, "nlm-bench: %s\n", clnt_spcreateerror(server));
		return 1;
	}
	nlm4_lock keep = {.caller_name = host,
			  .fh = {fh.fh_len, fh.fh},
			  .oh = {5, "bench"},
			  .svid = 4711,
			  .l_offset = 1ull << 40,
			  .l_len = 1};
	nlm4_lock lk = keep;
	lk.l_offset = 0;
	nlm4_stats s = call_lock(cl, &keep, false);
	if (s != NLM4_GRANTED) {
		fprintf(stderr, "nlm-bench: the first lock was answered %d\n", (int)s);
		return 1;
	}
	double t0 = now_s();
	for (long i = 0; i < pairs; i++)
		if ((s = call_lock(cl, &lk, false)) != NLM4_GRANTED || (s = call_lock(cl, &lk, true)) != NLM4_GRANTED) {
			fprintf(stderr, "nlm-bench: pair %ld answered %d\n", i, (int)s);
			return 1;
		}
	double secs = now_s() - t0;
	call_lock(cl, &keep, true);
	clnt_destroy(cl);
	printf("pairs=%ld seconds=%.3f rate=%.0f\n", pairs, secs, (double)pairs / secs);
	return 0;
}
