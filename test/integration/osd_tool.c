/*
 * test/integration/osd_tool.c: objects through netfuse's own OSD client, for
 * tests and benchmarks (not installed). It connects as a mount does
 * (monc_loop, the OSD map's keeper, osdc_loop) and runs one command:
 *
 *   osd_tool [-c CONF] [--id NAME] [-k KEYRING] [--ns NS] [--ms-mode M] [--timeout MS] [--linger MS]
 *            [--pool-id ID] POOL CMD ARGS...
 *     put OBJ FILE | get OBJ FILE | append OBJ FILE | write OBJ OFF FILE
 *     put-after OBJ FILE MS (a stat, "ready", MS of sleep, then the put: the
 *     session is open before the put, for tests that stop the OSD between)
 *     read OBJ OFF LEN FILE | stat OBJ | rm OBJ | create OBJ [excl]
 *     read-within OBJ US FILE (a whole read giving up after US µs, its buffer
 *     then freed; then a read into FILE: for tests of late replies)
 *     truncate OBJ SIZE | zero OBJ OFF LEN
 *     setxattr OBJ NAME VALUE | getxattr OBJ NAME
 *     omap-set OBJ KEY VALUE | omap-get OBJ | map OBJ
 *     ls [all] [CHUNK] (as `rados ls`, with all as `rados ls --all`; CHUNK
 *     entries per request, default 1024)
 *     seq OBJ COUNT DELAY_MS (appends of one line each, for resend tests)
 *     bench write|read SIZE COUNT THREADS [PREFIX [SECONDS]] (objects PREFIXN,
 *     default bench.N; with SECONDS, no new request after that long, as
 *     rados bench; count= says how many were done)
 *
 * Prints what `rados` would (stat: "OBJ mtime SEC, size N"; map: "osdmap eE
 * pool 'P' (ID) object 'OBJ' -> pg ID.SEED (ID.SEED) -> up ([..], pP)
 * acting ([..], pP)" as `ceph osd map`), the object's version after a
 * write ("version N"), and on failure one line and exit 1. Each request
 * gives up after --timeout MS (default 60 s); --linger MS keeps the client
 * running that long after the command (its inputs already freed).
 * --pool-id ID names the pool by number, which the client's map need not
 * have (POOL is then only a label): for tests of pools the map lacks.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cephmon/ceph_client.h"
#include "cephosd/osdc_loop.h"
#include "test/lib/file_read.h"

static struct osdc_loop *ol;
static struct osdmap_keeper *keeper;
static int64_t pool_id;
static bool by_id;
static const char *ns = "";
static const char *pool_name;

static long timeout_ms = 60000;
static long linger_ms; /* after the command, keep the client running this long */

static uint64_t deadline(void)
{
	return evloop_deadline_ms(timeout_ms);
}

static void init_req(struct osdc_request *r, const char *oid, uint32_t flags)
{
	memset(r, 0, sizeof(*r));
	r->pool = pool_id;
	snprintf(r->ns, sizeof(r->ns), "%s", ns);
	snprintf(r->oid, sizeof(r->oid), "%s", oid);
	r->flags = flags;
	if (flags & OSD_FLAG_WRITE) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		r->mtime_sec = (uint32_t)ts.tv_sec;
		r->mtime_nsec = (uint32_t)ts.tv_nsec;
	}
}

static int call(struct osdc_request *r, const char *what)
{
	int e = osdc_loop_call(ol, r, deadline(), NULL);

	if (e < 0) {
		fprintf(stderr, "osd_tool: %s %s: %s\n", what, r->oid, strerror(-e));
		osdc_request_release(r);
		return 1;
	}
	return 0;
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;

	if (!f || fwrite(data, 1, len, f) != len || (f != stdout && fclose(f))) {
		fprintf(stderr, "osd_tool: cannot write %s\n", path);
		return 1;
	}
	return 0;
}

static int cmd_put(const char *oid, const char *path, uint16_t op, uint64_t off)
{
	struct osdc_request r;
	size_t len;
	void *data = file_read(path, &len);
	int rc;

	if (!data) {
		fprintf(stderr, "osd_tool: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	init_req(&r, oid, OSD_FLAG_WRITE);
	osdc_op_extent(&r, op, op == OSD_OP_WRITE ? off : 0, len, data, (uint32_t)len);
	rc = call(&r, osd_op_name(op));
	free(data);
	if (!rc)
		printf("version %llu\n", (unsigned long long)r.version);
	osdc_request_release(&r);
	return rc;
}

/* The object's size, from a stat (at most 4 GiB: one read's buffer). */
static int object_size(const char *oid, uint64_t *size)
{
	struct osdc_request r;
	uint32_t sec, nsec;
	int rc;

	init_req(&r, oid, OSD_FLAG_READ);
	osdc_op(&r, OSD_OP_STAT);
	rc = call(&r, "stat");
	if (!rc && osd_stat_decode(r.out[0], r.out_len[0], size, &sec, &nsec))
		rc = fprintf(stderr, "osd_tool: stat %s: a malformed answer\n", oid) > 0;
	osdc_request_release(&r);
	if (!rc && *size > UINT32_MAX)
		rc = fprintf(stderr, "osd_tool: %s: too large\n", oid) > 0;
	return rc;
}

/* One read of LEN bytes at OFF into a buffer of ours (the bytes land
 * there), then into FILE. */
static int read_to_file(const char *oid, uint64_t off, uint64_t len, const char *path)
{
	struct osdc_request r;
	void *buf = malloc(len ? len : 1);
	int rc;

	if (!buf)
		return fprintf(stderr, "osd_tool: out of memory\n") > 0;
	init_req(&r, oid, OSD_FLAG_READ);
	osdc_op_extent(&r, OSD_OP_READ, off, len, NULL, 0);
	r.out_buf[0] = buf;
	r.out_cap[0] = (uint32_t)len;
	rc = call(&r, "read");
	if (!rc)
		rc = write_file(path, buf, r.out_len[0]);
	osdc_request_release(&r);
	free(buf);
	return rc;
}

/* read OBJ OFF LEN, or get (LEN 0): the object's size from a stat, then
 * one read of that many bytes (as rados get). */
static int cmd_read(const char *oid, uint64_t off, uint64_t len, const char *path)
{
	if (!len && object_size(oid, &len))
		return 1;
	return read_to_file(oid, off, len, path);
}

/* read-within OBJ US FILE: a read of the whole object that gives up after
 * US microseconds (its reply may still be arriving into the buffer then: the client
 * must take the buffer back, which is freed at once), then a read with the
 * usual deadline into FILE. Says "in time" or "gave up" for the first. */
static int cmd_read_within(const char *oid, long us, const char *path)
{
	struct osdc_request r;
	uint64_t size;
	void *buf;
	int e;

	if (object_size(oid, &size) || !(buf = malloc(size ? size : 1)))
		return 1;
	init_req(&r, oid, OSD_FLAG_READ);
	osdc_op_extent(&r, OSD_OP_READ, 0, size, NULL, 0);
	r.out_buf[0] = buf;
	r.out_cap[0] = (uint32_t)size;
	e = osdc_loop_call(ol, &r, evloop_now_ns() + (uint64_t)us * 1000, NULL);
	printf("%s\n", e == -ETIMEDOUT ? "gave up" : e < 0 ? strerror(-e) : "in time");
	osdc_request_release(&r);
	memset(buf, 0x5a, size); /* the caller's again: a late reply must not touch it */
	free(buf);
	return read_to_file(oid, 0, size, path);
}

static int cmd_stat(const char *oid)
{
	struct osdc_request r;
	uint64_t size;
	uint32_t sec, nsec;
	int rc;

	init_req(&r, oid, OSD_FLAG_READ);
	osdc_op(&r, OSD_OP_STAT);
	rc = call(&r, "stat");
	if (!rc && osd_stat_decode(r.out[0], r.out_len[0], &size, &sec, &nsec) == 0)
		printf("%s/%s mtime %u, size %llu, version %llu\n", pool_name, oid, sec, (unsigned long long)size,
		       (unsigned long long)r.version);
	else if (!rc)
		rc = fprintf(stderr, "osd_tool: stat %s: a malformed answer\n", oid) > 0;
	osdc_request_release(&r);
	return rc;
}

static int simple(const char *oid, uint16_t op, uint64_t off, uint64_t len, uint32_t flags)
{
	struct osdc_request r;
	int rc;

	init_req(&r, oid, OSD_FLAG_WRITE);
	osdc_op_extent(&r, op, off, len, NULL, 0);
	r.ops[0].flags = flags;
	rc = call(&r, osd_op_name(op));
	osdc_request_release(&r);
	return rc;
}

static int cmd_setxattr(const char *oid, const char *name, const char *value)
{
	struct osdc_request r;
	size_t nl = strlen(name), vl = strlen(value);
	char *in = malloc(nl + vl + 1);
	struct osd_op *op;
	int rc;

	init_req(&r, oid, OSD_FLAG_WRITE);
	op = osdc_op(&r, OSD_OP_SETXATTR);
	memcpy(in, name, nl);
	memcpy(in + nl, value, vl);
	op->xattr.name_len = (uint32_t)nl;
	op->xattr.value_len = (uint32_t)vl;
	op->indata = in;
	op->indata_len = (uint32_t)(nl + vl);
	rc = call(&r, "setxattr");
	free(in);
	osdc_request_release(&r);
	return rc;
}

static int cmd_getxattr(const char *oid, const char *name)
{
	struct osdc_request r;
	struct osd_op *op;
	int rc;

	init_req(&r, oid, OSD_FLAG_READ);
	op = osdc_op(&r, OSD_OP_GETXATTR);
	op->xattr.name_len = (uint32_t)strlen(name);
	op->indata = name;
	op->indata_len = (uint32_t)strlen(name);
	rc = call(&r, "getxattr");
	if (!rc)
		rc = write_file("-", r.out[0] ? (const void *)r.out[0] : "", r.out_len[0]);
	osdc_request_release(&r);
	return rc;
}

static int cmd_omap_set(const char *oid, const char *key, const char *value)
{
	struct osdc_request r;
	struct wire_enc e;
	struct osd_op *op;
	const void *vals[1] = {value};
	uint32_t lens[1] = {(uint32_t)strlen(value)};
	int rc;

	init_req(&r, oid, OSD_FLAG_WRITE);
	wire_enc_init(&e);
	osd_omap_kv_encode(&e, &key, vals, lens, 1);
	op = osdc_op(&r, OSD_OP_OMAPSETVALS);
	op->indata = e.buf;
	op->indata_len = (uint32_t)e.len;
	rc = call(&r, "omap-set");
	wire_enc_free(&e);
	osdc_request_release(&r);
	return rc;
}

static int cmd_omap_get(const char *oid)
{
	struct osdc_request r;
	struct wire_enc e;
	struct osd_op *op;
	struct osd_omap_iter it;
	const uint8_t *k, *v;
	uint32_t kl, vl;
	int rc, n;

	init_req(&r, oid, OSD_FLAG_READ);
	wire_enc_init(&e);
	osd_omap_get_vals_encode(&e, "", 1000, "");
	op = osdc_op(&r, OSD_OP_OMAPGETVALS);
	op->indata = e.buf;
	op->indata_len = (uint32_t)e.len;
	rc = call(&r, "omap-get");
	wire_enc_free(&e);
	if (!rc && osd_omap_iter_init(&it, r.out[0], r.out_len[0]) == 0) {
		while ((n = osd_omap_next(&it, &k, &kl, &v, &vl)) == 1)
			printf("%.*s=%.*s\n", (int)kl, (const char *)k, (int)vl, (const char *)v);
		rc = n < 0;
	}
	osdc_request_release(&r);
	return rc;
}

/* The pool's objects, as `rados ls` prints them (with all: every namespace,
 * "NS<tab>OID"), PG by PG through PGNLS, @chunk entries per request. */
static int cmd_ls(bool all, unsigned chunk)
{
	struct wire_enc cur; /* the cursor, as the OSD encoded it */
	uint32_t hash = 0;
	unsigned idle = 0;
	int rc = 0;

	wire_enc_init(&cur);
	osd_hobject_min_encode(&cur);
	while (!rc) {
		struct osdc_request r;
		struct osd_op *op;
		struct osd_pgnls_iter it;
		struct osd_list_entry e;
		const struct osdmap *m = osdmap_keeper_lock(keeper);
		uint32_t epoch = m ? m->epoch : 0;
		int n = 0, k;

		osdmap_keeper_unlock(keeper);
		init_req(&r, "", OSD_FLAG_READ);
		snprintf(r.ns, sizeof(r.ns), "%s", all ? OSD_ALL_NSPACES : ns);
		r.pg_op = true;
		r.pg_hash = hash;
		op = osdc_op(&r, OSD_OP_PGNLS);
		op->pgls.count = chunk;
		op->pgls.start_epoch = epoch;
		op->indata = cur.buf;
		op->indata_len = (uint32_t)cur.len;
		if (call(&r, "ls")) {
			rc = 1;
			break;
		}
		if (!r.out_len[0]) {
			/* the OSD's map no longer has this PG there: ask again, as
			 * the map moves on (an OSD that never answers is a failure) */
			osdc_request_release(&r);
			if (++idle > 100) {
				fprintf(stderr, "osd_tool: ls: the OSDs answer without a listing\n");
				rc = 1;
			}
			nanosleep(&(struct timespec){0, 100 * 1000000}, NULL);
			continue;
		}
		idle = 0;
		if (osd_pgnls_iter_init(&it, r.out[0], r.out_len[0])) {
			fprintf(stderr, "osd_tool: ls: a malformed listing\n");
			rc = 1;
		}
		while (!rc && (k = osd_pgnls_next(&it, &e)) == 1) {
			if (all)
				printf("%.*s\t", (int)e.ns_len, (const char *)e.ns);
			printf("%.*s", (int)e.oid_len, (const char *)e.oid);
			if (e.locator_len)
				printf("\t%.*s", (int)e.locator_len, (const char *)e.locator);
			printf("\n");
			n++;
		}
		if (!rc && k < 0) {
			fprintf(stderr, "osd_tool: ls: a malformed listing\n");
			rc = 1;
		}
		if (!rc && it.next.max) {
			osdc_request_release(&r);
			break;
		}
		if (!rc && !n && it.handle_len == cur.len && !memcmp(it.handle, cur.buf, cur.len) && ++idle > 100) {
			fprintf(stderr, "osd_tool: ls: the listing does not move on\n");
			rc = 1;
		}
		if (!rc) {
			hash = it.next.hash;
			cur.len = 0;
			wire_enc_bytes(&cur, it.handle, it.handle_len);
			if (wire_enc_error(&cur))
				rc = fprintf(stderr, "osd_tool: ls: out of memory\n") > 0;
		}
		osdc_request_release(&r);
	}
	wire_enc_free(&cur);
	return rc;
}

static void put_set(const struct osd_set *s)
{
	printf("[");
	for (int i = 0; i < s->size; i++)
		printf("%s%d", i ? "," : "", s->osds[i]);
	printf("], p%d", s->primary);
}

static int cmd_map(const char *oid)
{
	const struct osdmap *m = osdmap_keeper_lock(keeper);
	const struct osd_pool *p = m ? osdmap_pool(m, pool_id) : NULL;
	struct osd_pg raw, pg;
	struct osd_set up, acting;

	if (!p || osdmap_object_to_pg(m, pool_id, ns, oid, &raw)) {
		osdmap_keeper_unlock(keeper);
		fprintf(stderr, "osd_tool: no pool %lld in the map\n", (long long)pool_id);
		return 1;
	}
	pg = osd_pool_raw_pg_to_pg(p, raw);
	osdmap_pg_to_up_acting(m, pg, &up, &acting);
	printf("osdmap e%u pool '%s' (%lld) object '%s%s%s' -> pg %lld.%x (%lld.%x) -> up (", m->epoch, p->name,
	       (long long)pool_id, ns, ns[0] ? "/" : "", oid, (long long)pg.pool, raw.seed, (long long)pg.pool,
	       pg.seed);
	put_set(&up);
	printf(") acting (");
	put_set(&acting);
	printf(")\n");
	osdmap_keeper_unlock(keeper);
	return 0;
}

/* COUNT appends of "N\n", one request after another, DELAY_MS apart: with
 * OSDs going out and in under it, each must land exactly once. Each
 * completed append is printed ("N"), so a test sees progress without
 * asking the (maybe paused) cluster. */
static int cmd_seq(const char *oid, unsigned count, unsigned delay_ms)
{
	for (unsigned i = 0; i < count; i++) {
		struct osdc_request r;
		char line[32];
		int n = snprintf(line, sizeof(line), "%u\n", i);

		init_req(&r, oid, OSD_FLAG_WRITE);
		osdc_op_extent(&r, OSD_OP_APPEND, 0, (uint64_t)n, line, (uint32_t)n);
		if (call(&r, "append"))
			return 1;
		osdc_request_release(&r);
		printf("%u\n", i);
		fflush(stdout);
		if (delay_ms)
			nanosleep(&(struct timespec){delay_ms / 1000, (long)(delay_ms % 1000) * 1000000}, NULL);
	}
	struct osdc_status st;
	osdc_loop_status(ol, &st, NULL, 0);
	printf("appended %u: sent %llu, resent %llu (%llu for a new map)\n", count, (unsigned long long)st.sent,
	       (unsigned long long)st.resent, (unsigned long long)st.map_resends);
	return 0;
}

/* ---- bench ------------------------------------------------------------------------------ */

struct bench {
	const char *prefix;
	bool write;
	size_t size;
	unsigned count, next, errors;
	double latency;	    /* seconds, summed over the calls */
	double t0, seconds; /* start; no new request after seconds (0: none) */
	pthread_mutex_t lock;
	char *buf;
};

static double now_s(void);

static void *bench_thread(void *arg)
{
	struct bench *b = arg;
	char *into = b->write ? NULL : malloc(b->size);

	for (;;) {
		struct osdc_request r;
		char oid[OSDC_NAME_MAX];
		unsigned i;

		pthread_mutex_lock(&b->lock);
		i = b->next < b->count && !(b->seconds > 0 && now_s() - b->t0 >= b->seconds) ? b->next++ : UINT32_MAX;
		pthread_mutex_unlock(&b->lock);
		if (i == UINT32_MAX) {
			free(into);
			return NULL;
		}
		snprintf(oid, sizeof(oid), "%s%u", b->prefix, i);
		init_req(&r, oid, b->write ? OSD_FLAG_WRITE : OSD_FLAG_READ);
		if (b->write)
			osdc_op_extent(&r, OSD_OP_WRITEFULL, 0, b->size, b->buf, (uint32_t)b->size);
		else {
			osdc_op_extent(&r, OSD_OP_READ, 0, b->size, NULL, 0);
			r.out_buf[0] = into; /* the bytes land in this thread's buffer */
			r.out_cap[0] = (uint32_t)b->size;
		}
		double t0 = now_s();
		bool bad = osdc_loop_call(ol, &r, deadline(), NULL) < 0 || (!b->write && r.out_len[0] != b->size);
		double t = now_s() - t0;

		pthread_mutex_lock(&b->lock);
		b->errors += bad;
		b->latency += t;
		pthread_mutex_unlock(&b->lock);
		osdc_request_release(&r);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_bench(const char *mode, size_t size, unsigned count, unsigned threads, const char *prefix,
		     double seconds)
{
	struct bench b = {
	    .prefix = prefix, .write = !strcmp(mode, "write"), .size = size, .count = count, .seconds = seconds};
	pthread_t th[64];
	struct timespec c0, c1;
	double t0, t1;

	if (threads < 1 || threads > 64 || !size || size > (64u << 20))
		return fprintf(stderr, "osd_tool: bench: 1..64 threads, 1 B..64 MiB objects\n") > 0;
	b.buf = malloc(size);
	for (size_t i = 0; i < size; i++)
		b.buf[i] = (char)(i * 31);
	pthread_mutex_init(&b.lock, NULL);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	t0 = b.t0 = now_s();
	for (unsigned i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, bench_thread, &b);
	for (unsigned i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	t1 = now_s();
	count = b.next; /* all done: fewer than asked when time ran out */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	printf("bench %s count=%u size=%zu threads=%u seconds=%.3f mib_s=%.1f ops_s=%.0f latency_ms=%.3f cpu=%.3f "
	       "errors=%u\n",
	       mode, count, size, threads, t1 - t0, (double)size * count / (t1 - t0) / 1048576, count / (t1 - t0),
	       b.latency / count * 1000, (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9,
	       b.errors);
	free(b.buf);
	return b.errors != 0;
}

/* ---- main --------------------------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: osd_tool [-c CONF] [--id NAME] [-k KEYRING] [--ns NS] [--ms-mode M] [--timeout MS]\n"
			"                [--linger MS] [--pool-id ID] POOL CMD ARGS...\n"
			"  (see test/integration/osd_tool.c)\n");
	exit(2);
}

static int run(int argc, char **argv)
{
	const char *cmd = argv[0], *oid = argc > 1 ? argv[1] : NULL;

#define NEED(n) (argc == (n) + 1 ? 0 : (usage(), 0))
	if (!strcmp(cmd, "put"))
		return NEED(2), cmd_put(oid, argv[2], OSD_OP_WRITEFULL, 0);
	if (!strcmp(cmd, "put-after")) { /* stat first (the session opens), say so, wait, put */
		NEED(3);
		struct osdc_request st;
		init_req(&st, oid, OSD_FLAG_READ);
		osdc_op(&st, OSD_OP_STAT);
		osdc_loop_call(ol, &st, deadline(), NULL);
		osdc_request_release(&st);
		printf("ready\n");
		fflush(stdout);
		long ms = strtol(argv[3], NULL, 10);
		nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
		return cmd_put(oid, argv[2], OSD_OP_WRITEFULL, 0);
	}
	if (!strcmp(cmd, "append"))
		return NEED(2), cmd_put(oid, argv[2], OSD_OP_APPEND, 0);
	if (!strcmp(cmd, "write"))
		return NEED(3), cmd_put(oid, argv[3], OSD_OP_WRITE, strtoull(argv[2], NULL, 0));
	if (!strcmp(cmd, "get"))
		return NEED(2), cmd_read(oid, 0, 0, argv[2]);
	if (!strcmp(cmd, "read"))
		return NEED(4), cmd_read(oid, strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0), argv[4]);
	if (!strcmp(cmd, "read-within"))
		return NEED(3), cmd_read_within(oid, strtol(argv[2], NULL, 10), argv[3]);
	if (!strcmp(cmd, "stat"))
		return NEED(1), cmd_stat(oid);
	if (!strcmp(cmd, "rm"))
		return NEED(1), simple(oid, OSD_OP_DELETE, 0, 0, 0);
	if (!strcmp(cmd, "create"))
		return argc == 2 || (argc == 3 && !strcmp(argv[2], "excl"))
			   ? simple(oid, OSD_OP_CREATE, 0, 0, argc == 3 ? OSD_OP_FLAG_EXCL : 0)
			   : (usage(), 2);
	if (!strcmp(cmd, "truncate"))
		return NEED(2), simple(oid, OSD_OP_TRUNCATE, strtoull(argv[2], NULL, 0), 0, 0);
	if (!strcmp(cmd, "zero"))
		return NEED(3), simple(oid, OSD_OP_ZERO, strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0), 0);
	if (!strcmp(cmd, "setxattr"))
		return NEED(3), cmd_setxattr(oid, argv[2], argv[3]);
	if (!strcmp(cmd, "getxattr"))
		return NEED(2), cmd_getxattr(oid, argv[2]);
	if (!strcmp(cmd, "omap-set"))
		return NEED(3), cmd_omap_set(oid, argv[2], argv[3]);
	if (!strcmp(cmd, "omap-get"))
		return NEED(1), cmd_omap_get(oid);
	if (!strcmp(cmd, "ls")) { /* ls [all] [CHUNK] */
		bool all = argc > 1 && !strcmp(argv[1], "all");
		int at = all ? 2 : 1;
		if (argc > at + 1)
			usage();
		return cmd_ls(all, argc > at ? (unsigned)strtoul(argv[at], NULL, 0) : 1024);
	}
	if (!strcmp(cmd, "map"))
		return NEED(1), cmd_map(oid);
	if (!strcmp(cmd, "seq"))
		return NEED(3), cmd_seq(oid, (unsigned)strtoul(argv[2], NULL, 0), (unsigned)strtoul(argv[3], NULL, 0));
	if (!strcmp(cmd, "bench")) {
		if (argc < 5 || argc > 7)
			usage();
		return cmd_bench(argv[1], strtoull(argv[2], NULL, 0), (unsigned)strtoul(argv[3], NULL, 0),
				 (unsigned)strtoul(argv[4], NULL, 0), argc >= 6 ? argv[5] : "bench.",
				 argc == 7 ? strtod(argv[6], NULL) : 0);
	}
	usage();
	return 2;
#undef NEED
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"conf", required_argument, NULL, 'c'},
						 {"id", required_argument, NULL, 'i'},
						 {"keyring", required_argument, NULL, 'k'},
						 {"ns", required_argument, NULL, 'N'},
						 {"ms-mode", required_argument, NULL, 'M'},
						 {"timeout", required_argument, NULL, 'T'},
						 {"linger", required_argument, NULL, 'L'},
						 {"pool-id", required_argument, NULL, 'P'},
						 {NULL, 0, NULL, 0}};
	struct ceph_mount_args a = {.source = ":/"};
	struct ceph_mount_config *cfg = calloc(1, sizeof(*cfg));
	struct monc_loop *ml = NULL;
	char err[512];
	int opt, e, rc = 1;

	while ((opt = getopt_long(argc, argv, "c:k:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			a.conf = optarg;
			break;
		case 'i':
			a.name = optarg;
			break;
		case 'k':
			a.keyring = optarg;
			break;
		case 'N':
			ns = optarg;
			break;
		case 'M':
			a.ms_mode = optarg;
			break;
		case 'T':
			timeout_ms = strtol(optarg, NULL, 10);
			if (timeout_ms <= 0)
				usage();
			break;
		case 'L':
			linger_ms = strtol(optarg, NULL, 10);
			if (linger_ms < 0)
				usage();
			break;
		case 'P':
			pool_id = strtoll(optarg, NULL, 10);
			if (pool_id < 0)
				usage();
			by_id = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2)
		usage();
	pool_name = argv[optind];
	if (!a.conf)
		a.conf = getenv("CEPH_CONF");
	if (!a.keyring)
		a.keyring = getenv("CEPH_KEYRING");
	e = ceph_mount_config_resolve(&a, cfg, err, sizeof(err));
	if (e) {
		fprintf(stderr, "osd_tool: %s\n", err);
		return 1;
	}
	keeper = osdmap_keeper_new(NULL);
	ol = keeper ? osdc_loop_new(keeper, NULL) : NULL;
	struct monc_loop_params p = {.cfg = cfg, .osdmap = ol ? osdc_loop_osdmap_ops(ol) : (struct monc_osdmap_ops){0}};
	if (!ol || monc_loop_new(&p, &ml, err, sizeof(err))) {
		fprintf(stderr, "osd_tool: %s\n", ol ? err : "out of memory");
		goto out;
	}
	osdc_loop_attach(ol, ml);
	if (monc_loop_open(ml, evloop_deadline_ms(60000), err, sizeof(err))) {
		fprintf(stderr, "osd_tool: %s\n", err);
		goto out;
	}
	if (!by_id) {
		const struct osdmap *m = osdmap_keeper_lock(keeper);
		const struct osd_pool *pl = osdmap_pool_by_name(m, pool_name);
		pool_id = pl ? pl->id : -1;
		osdmap_keeper_unlock(keeper);
	}
	if (pool_id < 0) {
		fprintf(stderr, "osd_tool: no pool named '%s'\n", pool_name);
		goto out;
	}
	rc = run(argc - optind - 1, argv + optind + 1);
	if (linger_ms) /* what a given-up call left to the sessions goes on meanwhile */
		nanosleep(&(struct timespec){linger_ms / 1000, (linger_ms % 1000) * 1000000}, NULL);
out:
	osdc_loop_free(ol);
	monc_loop_free(ml);
	osdmap_keeper_free(keeper);
	ceph_mount_config_wipe(cfg);
	free(cfg);
	return rc;
}
