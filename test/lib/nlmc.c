/*
 * test/lib/nlmc.c: a small NLM version 4 client for the tests, on libtirpc
 * and the project's generated XDR routines: one call per run, its answer
 * printed as a word, so a shell test can drive netfuse-lockd (or any NLM
 * server) from several "hosts".
 *
 *   nlmc SERVER udp|tcp CALLER null
 *   nlmc SERVER udp|tcp CALLER test   SVID OH FH OFF LEN excl|shared
 *   nlmc SERVER udp|tcp CALLER lock   SVID OH FH OFF LEN excl|shared [block] [reclaim]
 *   nlmc SERVER udp|tcp CALLER unlock SVID OH FH OFF LEN
 *   nlmc SERVER udp|tcp CALLER cancel SVID OH FH OFF LEN excl|shared
 *   nlmc SERVER udp|tcp CALLER free_all
 *
 * A blocking lock answered "blocked" waits (NLMC_WAIT seconds, default 30)
 * for the server's GRANTED_MSG: nlmc registers an NLM version 4 service
 * with this host's rpcbind for that, answers GRANTED_RES, and prints
 * "granted" (or "timeout"). That needs a host whose rpcbind has no other
 * NLM service: another network namespace than the server's.
 * TEST prints "denied svid=N offset=N len=N excl|shared" for a conflict.
 * FH "hex:HEX" is a handle given in hex (an NFS handle for nfs-ganesha).
 * NLMC_CBPORT fixes the callback service's UDP port. With NLMC_STAMP set, the answer of a LOCK, UNLOCK or CANCEL and
 * the "granted" of a callback carry "at=NS", CLOCK_REALTIME nanoseconds when the call was sent or the callback arrived
 * (make bench's hand-off latency). Exit status 0 when the call was answered, 1 when not, 2 for bad usage.
 */
#include "config.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <rpc/pmap_clnt.h>
#include <rpc/rpc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nlm/nlm4_prot.h"

#define NLM_NETOBJ_HEX_MAX 1024

/*
 * Sanitizer builds: libtirpc keeps what its rpcbind lookups allocate
 * (clnt_create, pmap_set: __rpc_uaddr2taddr_af and friends) and never frees
 * it; LeakSanitizer is told so, and reports only leaks of our own.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libtirpc.so\n";
}
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

/* A void argument or result (xdr_void has another type). */
static bool_t xdr_nothing(XDR *x, void *p)
{
	(void)x;
	(void)p;
	return TRUE;
}

static const char *stat_name(nlm4_stats s)
{
	static const char *names[] = {"granted", "denied", "denied_nolocks", "blocked", "denied_grace_period",
				      "deadlck", "rofs",   "stale_fh",	     "fbig",	"failed"};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

static unsigned long long realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static struct {
	bool granted;
	unsigned long long at;
	int32_t svid;
	uint64_t offset, len;
	const char *server;
} waiting;

/* The callback service: GRANTED_MSG (and GRANTED) for the lock we wait for. */
static void callback(struct svc_req *rq, SVCXPRT *xprt)
{
	nlm4_testargs a;
	unsigned long long arrived = realtime_ns();

	if (rq->rq_proc == NULLPROC) {
		svc_sendreply(xprt, (xdrproc_t)xdr_nothing, NULL);
		return;
	}
	if (rq->rq_proc != NLMPROC4_GRANTED_MSG && rq->rq_proc != NLMPROC4_GRANTED) {
		svcerr_noproc(xprt);
		return;
	}
	memset(&a, 0, sizeof(a));
	if (!svc_getargs(xprt, (xdrproc_t)xdr_nlm4_testargs, (char *)&a)) {
		svcerr_decode(xprt);
		return;
	}
	bool mine = a.alock.svid == waiting.svid && a.alock.l_offset == waiting.offset && a.alock.l_len == waiting.len;
	nlm4_res res = {.cookie = a.cookie, .stat = {mine ? NLM4_GRANTED : NLM4_DENIED}};
	if (rq->rq_proc == NLMPROC4_GRANTED) {
		svc_sendreply(xprt, (xdrproc_t)xdr_nlm4_res, (char *)&res);
	} else {
		svc_sendreply(xprt, (xdrproc_t)xdr_nothing, NULL);
		/* GRANTED_RES is a call of its own to the server. One-way: libtirpc
		 * sends nothing with a zero timeout, so a short one. */
		CLIENT *cl = clnt_create(waiting.server, NLM_PROG, NLM4_VERS, "udp");
		if (cl) {
			struct timeval tv = {0, 10000};
			clnt_call(cl, NLMPROC4_GRANTED_RES, (xdrproc_t)xdr_nlm4_res, (char *)&res,
				  (xdrproc_t)xdr_nothing, NULL, tv);
			clnt_destroy(cl);
		}
	}
	if (mine) {
		waiting.granted = true;
		waiting.at = arrived;
	}
	svc_freeargs(xprt, (xdrproc_t)xdr_nlm4_testargs, (char *)&a);
}

/* Serves callbacks until the grant comes or @secs pass. */
static bool wait_for_grant(SVCXPRT *xprt, int secs)
{
	time_t end = time(NULL) + secs;

	(void)xprt;
	while (!waiting.granted && time(NULL) < end) {
		int n = poll(svc_pollfd, (nfds_t)svc_max_pollfd, 200);
		if (n > 0)
			svc_getreq_poll(svc_pollfd, n);
	}
	return waiting.granted;
}

static int usage(void)
{
	fprintf(stderr, "usage: nlmc SERVER udp|tcp CALLER null|test|lock|unlock|cancel|free_all [args]\n");
	return 2;
}

int main(int argc, char **argv)
{
	/* Line by line: the tests read the words as they come, and a sanitizer
	 * build ends with _exit after its report, which would lose a buffer. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 5)
		return usage();
	const char *server = argv[1], *proto = argv[2], *caller = argv[3], *op = argv[4];
	char cookie[4] = {'n', 'l', 'm', 'c'};
	nlm4_netobj ck = {sizeof(cookie), cookie};
	nlm4_lock lk;
	bool excl = false, block = false, reclaim = false, stamp = getenv("NLMC_STAMP") != NULL;
	unsigned long long sent_at = 0;

	memset(&lk, 0, sizeof(lk));
	lk.caller_name = (char *)caller;
	if (strcmp(op, "null") && strcmp(op, "free_all")) {
		if (argc < 10)
			return usage();
		lk.svid = atoi(argv[5]);
		lk.oh = (nlm4_netobj){(u_int)strlen(argv[6]), argv[6]};
		lk.fh = (nlm4_netobj){(u_int)strlen(argv[7]), argv[7]};
		if (!strncmp(argv[7], "hex:", 4)) {
			static char fhbuf[NLM_NETOBJ_HEX_MAX];
			const char *h = argv[7] + 4;
			u_int n = 0;
			for (; h[0] && h[1] && n < sizeof(fhbuf); h += 2) {
				unsigned b;
				if (sscanf(h, "%2x", &b) != 1)
					return usage();
				fhbuf[n++] = (char)b;
			}
			lk.fh = (nlm4_netobj){n, fhbuf};
		}
		lk.l_offset = strtoull(argv[8], NULL, 0);
		lk.l_len = strtoull(argv[9], NULL, 0);
		for (int i = 10; i < argc; i++) {
			excl |= !strcmp(argv[i], "excl");
			block |= !strcmp(argv[i], "block");
			reclaim |= !strcmp(argv[i], "reclaim");
		}
	}

	SVCXPRT *cb = NULL;
	if (block) {
		/* Registered before the LOCK, so a grant cannot come first. */
		/* NLMC_CBPORT: a fixed port, as a client's lock service keeps one
		 * (a server may remember it). */
		const char *cbport = getenv("NLMC_CBPORT");
		int sock = RPC_ANYSOCK;
		if (cbport) {
			struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(cbport))};
			int one = 1;
			sock = socket(AF_INET, SOCK_DGRAM, 0);
			setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (sock < 0 || bind(sock, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
				fprintf(stderr, "nlmc: cannot bind the callback port %s\n", cbport);
				return 1;
			}
		}
		cb = svcudp_create(sock);
		pmap_unset(NLM_PROG, NLM4_VERS);
		if (!cb || !svc_register(cb, NLM_PROG, NLM4_VERS, callback, IPPROTO_UDP)) {
			fprintf(stderr, "nlmc: cannot register the callback service with rpcbind\n");
			return 1;
		}
		waiting.svid = lk.svid;
		waiting.offset = lk.l_offset;
		waiting.len = lk.l_len;
		waiting.server = server;
	}

	CLIENT *cl = clnt_create(server, NLM_PROG, NLM4_VERS, proto);
	if (!cl) {
		fprintf(stderr, "nlmc: %s\n", clnt_spcreateerror(server));
		return 1;
	}
	struct timeval tv = {10, 0};
	enum clnt_stat st = RPC_FAILED;
	nlm4_res res;
	nlm4_testres tres;
	memset(&res, 0, sizeof(res));
	memset(&tres, 0, sizeof(tres));
	int rc = 0;

	if (!strcmp(op, "null")) {
		st = clnt_call(cl, NLMPROC4_NULL, (xdrproc_t)xdr_nothing, NULL, (xdrproc_t)xdr_nothing, NULL, tv);
		if (st == RPC_SUCCESS)
			printf("ok\n");
	} else if (!strcmp(op, "free_all")) {
		nlm4_notify n = {.name = (char *)caller, .state = 1};
		st = clnt_call(cl, NLMPROC4_FREE_ALL, (xdrproc_t)xdr_nlm4_notify, (char *)&n, (xdrproc_t)xdr_nothing,
			       NULL, tv);
		if (st == RPC_SUCCESS)
			printf("ok\n");
	} else if (!strcmp(op, "test")) {
		nlm4_testargs a = {.cookie = ck, .exclusive = excl, .alock = lk};
		st = clnt_call(cl, NLMPROC4_TEST, (xdrproc_t)xdr_nlm4_testargs, (char *)&a, (xdrproc_t)xdr_nlm4_testres,
			       (char *)&tres, tv);
		if (st == RPC_SUCCESS) {
			if (tres.stat.stat == NLM4_DENIED) {
				nlm4_holder *h = &tres.stat.nlm4_testrply_u.holder;
				printf("denied svid=%d offset=%llu len=%llu %s\n", h->svid,
				       (unsigned long long)h->l_offset, (unsigned long long)h->l_len,
				       h->exclusive ? "excl" : "shared");
			} else {
				printf("%s\n", stat_name(tres.stat.stat));
			}
			xdr_free((xdrproc_t)xdr_nlm4_testres, (char *)&tres);
		}
	} else if (!strcmp(op, "lock") || !strcmp(op, "unlock") || !strcmp(op, "cancel")) {
		nlm4_lockargs la = {
		    .cookie = ck, .block = block, .exclusive = excl, .alock = lk, .reclaim = reclaim, .state = 1};
		nlm4_unlockargs ua = {.cookie = ck, .alock = lk};
		nlm4_cancargs ca = {.cookie = ck, .block = block, .exclusive = excl, .alock = lk};
		sent_at = realtime_ns();
		if (!strcmp(op, "lock"))
			st = clnt_call(cl, NLMPROC4_LOCK, (xdrproc_t)xdr_nlm4_lockargs, (char *)&la,
				       (xdrproc_t)xdr_nlm4_res, (char *)&res, tv);
		else if (!strcmp(op, "unlock"))
			st = clnt_call(cl, NLMPROC4_UNLOCK, (xdrproc_t)xdr_nlm4_unlockargs, (char *)&ua,
				       (xdrproc_t)xdr_nlm4_res, (char *)&res, tv);
		else
			st = clnt_call(cl, NLMPROC4_CANCEL, (xdrproc_t)xdr_nlm4_cancargs, (char *)&ca,
				       (xdrproc_t)xdr_nlm4_res, (char *)&res, tv);
		if (st == RPC_SUCCESS) {
			if (stamp)
				printf("%s at=%llu\n", stat_name(res.stat.stat), sent_at);
			else
				printf("%s\n", stat_name(res.stat.stat));
			fflush(stdout);
			if (block && res.stat.stat == NLM4_BLOCKED) {
				const char *w = getenv("NLMC_WAIT");
				bool g = wait_for_grant(cb, w ? atoi(w) : 30);
				if (g && stamp)
					printf("granted at=%llu\n", waiting.at);
				else
					printf("%s\n", g ? "granted" : "timeout");
			}
			xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&res);
		}
	} else {
		clnt_destroy(cl);
		return usage();
	}
	if (st != RPC_SUCCESS) {
		fprintf(stderr, "nlmc: %s\n", clnt_sperror(cl, server));
		rc = 1;
	}
	clnt_destroy(cl);
	if (cb) {
		svc_unregister(NLM_PROG, NLM4_VERS);
		svc_destroy(cb);
	}
	return rc;
}
