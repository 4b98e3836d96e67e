/*
 * test/lib/libnfs_nlm.c: libnfs's NLM version 4 client (Debian libnfs-dev,
 * TCP only) as a third party driving netfuse-lockd in lockd.test. One call
 * per run; its answer printed as a word, as test/lib/nlmc prints it.
 *
 *   libnfs-nlm SERVER CALLER test|lock|unlock SVID OH FH OFF LEN [excl]
 *   libnfs-nlm SERVER CALLER nfs_fh EXPORT NAME
 *
 * nfs_fh prints, in hex, the NFSv3 handle of NAME in EXPORT (MOUNT3 MNT,
 * then NFS3 LOOKUP): a server such as nfs-ganesha locks only files it
 * knows by such handles (make bench's lockd.sh).
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
#include <nfsc/libnfs-raw-mount.h>
#include <nfsc/libnfs-raw-nfs.h>
#include <nfsc/libnfs-raw-nlm.h>

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

struct state {
	bool done, failed;
	char answer[128];
};

static const char *stat_name(int s)
{
	static const char *names[] = {"granted", "denied", "denied_nolocks", "blocked", "denied_grace_period",
				      "deadlck", "rofs",   "stale_fh",	     "fbig",	"failed"};
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
			 (unsigned long long)h->l_offset, (unsigned long long)h->l_len,
			 h->exclusive ? "excl" : "shared");
	} else {
		snprintf(st->answer, sizeof(st->answer), "%s", stat_name(r->reply.status));
	}
	st->done = true;
}

static struct {
	char val[NFS3_FHSIZE];
	unsigned len;
} handle;

static void on_mnt(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct state *st = priv;
	mountres3 *r = data;

	(void)rpc;
	st->done = true;
	if (status != RPC_STATUS_SUCCESS || r->fhs_status != MNT3_OK ||
	    r->mountres3_u.mountinfo.fhandle.fhandle3_len > sizeof(handle.val)) {
		st->failed = true;
		return;
	}
	handle.len = r->mountres3_u.mountinfo.fhandle.fhandle3_len;
	memcpy(handle.val, r->mountres3_u.mountinfo.fhandle.fhandle3_val, handle.len);
}

static void on_lookup(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct state *st = priv;
	LOOKUP3res *r = data;

	(void)rpc;
	st->done = true;
	if (status != RPC_STATUS_SUCCESS || r->status != NFS3_OK ||
	    r->LOOKUP3res_u.resok.object.data.data_len > sizeof(handle.val)) {
		st->failed = true;
		return;
	}
	handle.len = r->LOOKUP3res_u.resok.object.data.data_len;
	memcpy(handle.val, r->LOOKUP3res_u.resok.object.data.data_val, handle.len);
}

static bool run(struct rpc_context *rpc, struct state *st);

/* MOUNT3 MNT of @export, NFS3 LOOKUP of @name in it: the handle, in hex. */
static int nfs_fh(const char *server, char *export, char *name)
{
	struct rpc_context *m = rpc_init_context(), *n = rpc_init_context();
	struct state st = {0};
	bool ok = m && n && rpc_connect_program_async(m, server, MOUNT_PROGRAM, MOUNT_V3, on_connect, &st) == 0 &&
		  run(m, &st);
	if (ok) {
		memset(&st, 0, sizeof(st));
		ok = rpc_mount3_mnt_async(m, on_mnt, export, &st) == 0 && run(m, &st);
	}
	if (ok) {
		memset(&st, 0, sizeof(st));
		ok = rpc_connect_program_async(n, server, NFS_PROGRAM, NFS_V3, on_connect, &st) == 0 && run(n, &st);
	}
	if (ok) {
		LOOKUP3args a;
		memset(&a, 0, sizeof(a));
		a.what.dir.data.data_len = handle.len;
		a.what.dir.data.data_val = handle.val;
		a.what.name = name;
		memset(&st, 0, sizeof(st));
		ok = rpc_nfs3_lookup_async(n, on_lookup, &a, &st) == 0 && run(n, &st);
	}
	if (ok) {
		for (unsigned i = 0; i < handle.len; i++)
			printf("%02x", (unsigned char)handle.val[i]);
		printf("\n");
	} else {
		fprintf(stderr, "libnfs-nlm: no NFS handle for %s in %s on %s\n", name, export, server);
	}
	if (m)
		rpc_destroy_context(m);
	if (n)
		rpc_destroy_context(n);
	return ok ? 0 : 1;
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
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && !strcmp(argv[3], "nfs_fh"))
		return nfs_fh(argv[1], argv[4], argv[5]);
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
		NLM4_LOCKargs a = {
		    .cookie = {.data = {sizeof(cookie), cookie}}, .exclusive = excl, .lock = lk, .state = 1};
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
