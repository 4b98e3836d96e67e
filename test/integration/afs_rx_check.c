/*
 * test/integration/afs_rx_check.c: drives netfuse's Rx transport and AFS
 * stubs against a real OpenAFS cell, for test/integration/afs_rx.test.
 * Each command prints what it found on stdout as KEY=VALUE lines (the
 * test compares them with what OpenAFS's own tools say) and exits 0, or
 * prints an error on stderr and exits 1.
 *
 *   version HOST PORT             the server's version string (rxdebug -version)
 *   vl HOST VOLUME                VL.GetEntryByNameU
 *   lookup HOST VOLUME NAME       the FID of NAME in VOLUME's root directory:
 *                                 VL lookup, FetchData64 of the directory, a
 *                                 walk of its hash chains (enough for a test;
 *                                 not netfuse's directory code)
 *   stat HOST FID                 FS.FetchStatus (FID as V.N.U)
 *   fetch HOST FID                FS.FetchData64 of the whole file: size,
 *                                 sha256, MiB/s
 *   pfetch HOST FID               the whole file with several FetchData64
 *                                 calls in flight on the one endpoint (-n
 *                                 calls, each fetching the next -c range):
 *                                 size, sha256 of the reassembled file, MiB/s
 *                                 of the transfer alone (the digest is taken
 *                                 after the clock stops); a range the
 *                                 fileserver answers VBUSY is asked again a
 *                                 second later (vbusy_retries=)
 *   cbwatch HOST FID MS           FetchStatus of FID (a callback promise),
 *                                 then "ready=1" on stdout, then wait up to MS
 *                                 ms for a CallBack naming FID: exit 0 when it
 *                                 came, 1 when not
 *   dead HOST PORT MS             a call to a port nobody serves, with a
 *                                 deadline of MS ms: how and when it fails
 *   fsops HOST VOLUME NAME        the write and metadata RPCs in VOLUME's
 *                                 root: MakeDir NAME, in it CreateFile,
 *                                 StoreData64 (-s bytes, default 3 MiB, in
 *                                 pieces from a generator) read back with
 *                                 FetchData64, StoreStatus (chmod 0640) seen
 *                                 by FetchStatus, Rename, Link, Symlink,
 *                                 MakeDir+RemoveDir, CreateFile+RemoveFile,
 *                                 InlineBulkStatus (with a bogus FID),
 *                                 GiveUpCallBacks, GetVolumeStatus,
 *                                 GetCapabilities, VL.GetAddrsU of the
 *                                 fileserver's UUID. Leaves NAME holding
 *                                 data.bin, data.hard (a hard link) and sym
 *                                 (-> data.bin) for OpenAFS's tools to check
 *   fsclean HOST VOLUME NAME      RemoveFile of those three, RemoveDir NAME
 * Options (before the command):
 *   -r DROP,DUP,REORDER           go through a lossy relay (percentages)
 *   -t MS                         deadline per call (default 30000)
 *   -c BYTES                      fetch: one FetchData64 call per BYTES (as afsio
 *                                 reads, 64 KiB), instead of one for the file;
 *                                 pfetch: the range per call (default 4 MiB)
 *   -n CALLS                      pfetch: calls in flight (default 4)
 *   -s BYTES                      fsops: bytes StoreData64 writes
 * Every command serves the callback service on its endpoint and reports
 * the CB calls the fileserver made (cb_tell_me=, cb_init3=, ...).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "afs_rx/afs_errors.h"
#include "afs_rx/cb_service.h"
#include "afs_rx/fs_client.h"
#include "afs_rx/rx/rx_transport.h"
#include "afs_rx/vl_client.h"
#include "evloop/evloop.h"
#include "test/unit/udp_relay.h"

static long deadline_ms = 30000;

/* The context of one call from the function's `ep` to the server at @addr
 * under the -t deadline; the function's `cx` keeps its abort code. */
#define CX(addr)                                                                                                       \
	(afs_call_ctx_init(&cx, ep, (const struct sockaddr *)(addr), sizeof(*(addr)), evloop_deadline_ms(deadline_ms), \
			   NULL),                                                                                      \
	 &cx)
static uint64_t chunk;		      /* fetch: bytes per FetchData64 call, 0 for one call */
static unsigned ncalls = 4;	      /* pfetch: calls in flight */
static uint64_t store_size = 3 << 20; /* fsops */
static struct udp_relay_config relay_cfg;
static bool use_relay;
static struct udp_relay *relay;
static struct rx_endpoint *ep;
static struct cb_service *cb;

/* The CallBack breaks the fileserver sent, for cbwatch: only whether the
 * watched FID was among them, and when. */
static pthread_mutex_t broken_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t broken_cond;
static struct afs_fid watched;
static bool watched_broken;

static void on_callback(void *arg, const struct sockaddr_storage *from, const struct afs_fid *fids, unsigned n,
			const struct afs_callback *cbs, unsigned ncbs)
{
	(void)arg, (void)from, (void)cbs, (void)ncbs;
	pthread_mutex_lock(&broken_lock);
	for (unsigned i = 0; i < n; i++)
		if (fids[i].volume == watched.volume && fids[i].vnode == watched.vnode &&
		    fids[i].unique == watched.unique)
			watched_broken = true;
	pthread_cond_broadcast(&broken_cond);
	pthread_mutex_unlock(&broken_lock);
}

static const struct cb_service_ops cb_ops = {.callback = on_callback};

static int die(const char *what, int err, int32_t code)
{
	if (code)
		fprintf(stderr, "afs_rx_check: %s: %s (abort code %d%s%s)\n", what, strerror(-err), code,
			afs_abort_name(code) ? " " : "", afs_abort_name(code) ? afs_abort_name(code) : "");
	else
		fprintf(stderr, "afs_rx_check: %s: %s\n", what, strerror(-err));
	return 1;
}

/* With -r, calls to the fileserver go through the relay (one target). */
static struct sockaddr_in addr_of(const char *host, unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};

	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "afs_rx_check: %s: not an IPv4 address\n", host);
		exit(2);
	}
	if (use_relay && port == AFS_FS_PORT && !relay) {
		struct sockaddr_in front;

		relay_cfg.target = a;
		relay = udp_relay_start(&relay_cfg, &front);
		if (!relay) {
			perror("afs_rx_check: relay");
			exit(1);
		}
		return front;
	}
	return a;
}

static void setup(void)
{
	struct rx_endpoint_config c;
	int err = 0;

	afs_endpoint_config_default(&c);
	if (getenv("AFS_RX_TRACE"))
		c.trace = fopen(getenv("AFS_RX_TRACE"), "w");
	ep = rx_endpoint_new(&c, &err);
	if (!ep) {
		die("endpoint", err, 0);
		exit(1);
	}
	evloop_cond_init(&broken_cond);
	cb = cb_service_start(ep, NULL, &cb_ops, NULL, &err);
	if (!cb) {
		die("callback service", err, 0);
		exit(1);
	}
}

static void teardown(void)
{
	struct cb_service_stats s;
	struct rx_endpoint_stats st;

	cb_service_get_stats(cb, &s);
	rx_endpoint_get_stats(ep, &st);
	printf("cb_tell_me=%" PRIu64 "\ncb_who_are_you=%" PRIu64 "\ncb_init3=%" PRIu64 "\ncb_init=%" PRIu64
	       "\ncb_probe=%" PRIu64 "\ncb_probe_uuid=%" PRIu64 "\ncb_callback=%" PRIu64 "\ncb_unknown=%" PRIu64
	       "\ncb_bad=%" PRIu64 "\n",
	       s.tell_me, s.who_are_you, s.init_state3, s.init_state, s.probe, s.probe_uuid, s.callback, s.unknown,
	       s.bad);
	printf("rx_packets_out=%" PRIu64 "\nrx_packets_in=%" PRIu64 "\nrx_data_in=%" PRIu64 "\nrx_jumbo_in=%" PRIu64
	       "\nrx_data_out=%" PRIu64 "\nrx_resent=%" PRIu64 "\nrx_dup_in=%" PRIu64 "\nrx_out_of_order_in=%" PRIu64
	       "\nrx_acks_out=%" PRIu64 "\nrx_pings_answered=%" PRIu64 "\nrx_busy_in=%" PRIu64 "\nrx_rtt_us=%" PRIu64
	       "\n",
	       st.packets_out, st.packets_in, st.data_in, st.jumbo_in, st.data_out, st.data_resent, st.dup_in,
	       st.out_of_order_in, st.acks_out, st.pings_answered, st.busy_in, st.rtt_last_us);
	rx_endpoint_free(ep);
	cb_service_free(cb);
	if (relay) {
		struct udp_relay_stats rs;

		udp_relay_stop(relay, &rs);
		printf("relay_forwarded=%" PRIu64 "\nrelay_dropped=%" PRIu64 "\nrelay_duplicated=%" PRIu64
		       "\nrelay_reordered=%" PRIu64 "\n",
		       rs.forwarded, rs.dropped, rs.duplicated, rs.reordered);
	}
}

static int parse_fid(const char *s, struct afs_fid *fid)
{
	if (sscanf(s, "%" SCNu32 ".%" SCNu32 ".%" SCNu32, &fid->volume, &fid->vnode, &fid->unique) != 3) {
		fprintf(stderr, "afs_rx_check: %s: not a FID (V.N.U)\n", s);
		return -1;
	}
	return 0;
}

static double secs(uint64_t from)
{
	return (double)(evloop_now_ns() - from) / 1e9;
}

/* ---- commands ------------------------------------------------------------------------------ */

static int cmd_version(const char *host, unsigned port)
{
	struct sockaddr_in a = addr_of(host, port);
	char ver[66];
	int ret = rx_endpoint_get_version(ep, (struct sockaddr *)&a, sizeof(a), ver, evloop_deadline_ms(deadline_ms));

	if (ret)
		return die("version", ret, 0);
	printf("version=%s\n", ver);
	return 0;
}

static int vl_lookup(const char *host, const char *name, struct afs_uvldbentry *v)
{
	struct sockaddr_in a = addr_of(host, AFS_VL_PORT);
	struct afs_call_ctx cx = {0};
	int ret = vl_get_entry_by_name_u(CX(&a), name, v);

	if (ret)
		return die("VL.GetEntryByNameU", ret, cx.abort_code);
	return 0;
}

static int cmd_vl(const char *host, const char *name)
{
	struct afs_uvldbentry v;

	if (vl_lookup(host, name, &v))
		return 1;
	printf("name=%s\nrw=%" PRIu32 "\nro=%" PRIu32 "\nbk=%" PRIu32 "\nflags=0x%x\nnservers=%d\n", v.name,
	       v.volume_id[AFS_RWVOL], v.volume_id[AFS_ROVOL], v.volume_id[AFS_BACKVOL], (unsigned)v.flags, v.nservers);
	for (int i = 0; i < v.nservers; i++)
		printf("server%d_partition=%d\nserver%d_flags=0x%x\n", i, v.server_partition[i], i,
		       (unsigned)v.server_flags[i]);
	return 0;
}

static void print_status(const struct fs_status_reply *r)
{
	const struct afs_fetch_status *s = &r->status;

	printf("type=%" PRIu32 "\nsize=%" PRIu64 "\ndv=%" PRIu64 "\nmode=%04o\nlinks=%" PRIu32 "\nowner=%" PRIu32
	       "\ncallback_type=%" PRIu32 "\ncallback_expires=%" PRIu32 "\n",
	       s->file_type, afs_fetch_status_size(s), afs_fetch_status_data_version(s), s->unix_mode_bits & 07777,
	       s->link_count, s->owner, r->callback.type, r->callback.expiration_time);
}

static int cmd_stat(const char *host, const char *fidstr)
{
	struct sockaddr_in a;
	struct afs_fid fid;
	struct fs_status_reply r;
	uint64_t t0;
	struct afs_call_ctx cx = {0};
	int ret;

	if (parse_fid(fidstr, &fid))
		return 2;
	a = addr_of(host, AFS_FS_PORT);
	t0 = evloop_now_ns();
	ret = fs_fetch_status(CX(&a), &fid, &r);
	if (ret)
		return die("FS.FetchStatus", ret, cx.abort_code);
	printf("seconds=%.3f\n", secs(t0));
	print_status(&r);
	return 0;
}

struct sink {
	EVP_MD_CTX *md;
	uint8_t *keep; /* for lookup: the whole directory */
	size_t keep_len, keep_cap;
};

static int sink_fn(void *arg, const void *data, size_t len)
{
	struct sink *s = arg;

	if (s->md)
		EVP_DigestUpdate(s->md, data, len);
	if (s->keep) {
		if (s->keep_len + len > s->keep_cap)
			return -EFBIG;
		memcpy(s->keep + s->keep_len, data, len);
		s->keep_len += len;
	}
	return 0;
}

static int cmd_fetch(const char *host, const char *fidstr)
{
	struct sockaddr_in a;
	struct afs_fid fid;
	struct fs_status_reply r;
	struct sink s = {.md = EVP_MD_CTX_new()};
	uint8_t dig[32];
	uint64_t t0, got, size;
	double t;
	struct afs_call_ctx cx = {0};
	int ret;

	if (parse_fid(fidstr, &fid))
		return 2;
	a = addr_of(host, AFS_FS_PORT);
	/* The length from FetchStatus, as a cache manager does: the server
	 * refuses a range that overflows (UAEFBIG). */
	ret = fs_fetch_status(CX(&a), &fid, &r);
	if (ret) {
		EVP_MD_CTX_free(s.md);
		return die("FS.FetchStatus", ret, cx.abort_code);
	}
	EVP_DigestInit_ex(s.md, EVP_sha256(), NULL);
	t0 = evloop_now_ns();
	size = afs_fetch_status_size(&r.status);
	got = 0;
	do {
		uint64_t n = chunk && size - got > chunk ? chunk : size - got, part;

		ret = fs_fetch_data64(CX(&a), &fid, got, n, sink_fn, &s, &part, &r);
		got += part;
	} while (!ret && got < size);
	t = secs(t0);
	if (ret) {
		EVP_MD_CTX_free(s.md);
		return die("FS.FetchData64", ret, cx.abort_code);
	}
	EVP_DigestFinal_ex(s.md, dig, NULL);
	EVP_MD_CTX_free(s.md);
	printf("bytes=%" PRIu64 "\nseconds=%.3f\nmib_per_s=%.1f\nsha256=", got, t, (double)got / 1048576.0 / t);
	for (int i = 0; i < 32; i++)
		printf("%02x", dig[i]);
	printf("\n");
	print_status(&r);
	return 0;
}

/*
 * pfetch: the file split into ranges, each fetched by its own FetchData64
 * call; up to ncalls of them in flight at once, from as many threads, on the
 * one endpoint (so on connections sharing one peer: four calls per
 * connection, as Rx has four channels). Each call's bytes land where they
 * belong in one buffer; the digest is taken once everything has arrived.
 */
struct pfetch {
	struct sockaddr_in addr;
	struct afs_fid fid;
	uint8_t *buf;
	uint64_t size, range, next;
	pthread_mutex_t lock;
	unsigned vbusy; /* VBUSY answers waited out */
	int err;
	int32_t code;
};

struct pfetch_range {
	uint8_t *at;
	uint64_t left;
};

static int range_sink(void *arg, const void *data, size_t len)
{
	struct pfetch_range *r = arg;

	if (len > r->left)
		return -EFBIG;
	memcpy(r->at, data, len);
	r->at += len;
	r->left -= len;
	return 0;
}

static void *pfetch_worker(void *arg)
{
	struct pfetch *p = arg;

	for (;;) {
		struct fs_status_reply r;
		struct pfetch_range rg;
		uint64_t pos, n, got;
		unsigned busy = 0;
		struct afs_call_ctx cx = {0};
		int ret;

		pthread_mutex_lock(&p->lock);
		pos = p->next;
		n = p->err || pos >= p->size ? 0 : (p->size - pos < p->range ? p->size - pos : p->range);
		p->next += n;
		pthread_mutex_unlock(&p->lock);
		if (!n)
			return NULL;
		for (;;) {
			rg = (struct pfetch_range){.at = p->buf + pos, .left = n};
			ret = fs_fetch_data64(CX(&p->addr), &p->fid, pos, n, range_sink, &rg, &got, &r);
			/*
			 * VBUSY: the fileserver sheds calls that arrive while it is
			 * still identifying our host (CB.TellMeAboutYourself), as
			 * on a second connection's first calls. Every cache
			 * manager waits a second and asks again (kAFS rotate.c,
			 * OpenAFS afs_Analyze).
			 */
			if (ret == 0 || cx.abort_code != VBUSY || ++busy > 10)
				break;
			pthread_mutex_lock(&p->lock);
			p->vbusy++;
			pthread_mutex_unlock(&p->lock);
			nanosleep(&(struct timespec){.tv_sec = 1}, NULL);
		}
		if (!ret && got != n)
			ret = -EBADMSG; /* the file shrank under us */
		if (ret) {
			pthread_mutex_lock(&p->lock);
			if (!p->err) {
				p->err = ret;
				p->code = cx.abort_code;
			}
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
	}
}

static int cmd_pfetch(const char *host, const char *fidstr)
{
	struct pfetch p = {.range = chunk ? chunk : 4 << 20, .lock = PTHREAD_MUTEX_INITIALIZER};
	struct fs_status_reply r;
	pthread_t th[64];
	uint8_t dig[32];
	unsigned started = 0;
	uint64_t t0;
	double t;
	struct afs_call_ctx cx = {0};
	int ret;

	if (parse_fid(fidstr, &p.fid))
		return 2;
	if (ncalls < 1 || ncalls > 64) {
		fprintf(stderr, "afs_rx_check: -n takes 1 to 64 calls\n");
		return 2;
	}
	p.addr = addr_of(host, AFS_FS_PORT);
	ret = fs_fetch_status(CX(&p.addr), &p.fid, &r);
	if (ret)
		return die("FS.FetchStatus", ret, cx.abort_code);
	p.size = afs_fetch_status_size(&r.status);
	p.buf = malloc(p.size ? p.size : 1);
	if (!p.buf)
		return die("buffer", -ENOMEM, 0);
	t0 = evloop_now_ns();
	for (; started < ncalls; started++)
		if (pthread_create(&th[started], NULL, pfetch_worker, &p))
			break;
	if (!started) {
		free(p.buf);
		return die("pthread_create", -EAGAIN, 0);
	}
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	t = secs(t0);
	if (p.err) {
		free(p.buf);
		return die("FS.FetchData64", p.err, p.code);
	}
	EVP_Digest(p.buf, p.size, dig, NULL, EVP_sha256(), NULL);
	free(p.buf);
	printf("bytes=%" PRIu64 "\ncalls_in_flight=%u\nrange=%" PRIu64
	       "\nvbusy_retries=%u\nseconds=%.3f\nmib_per_s=%.1f\nsha256=",
	       p.size, started, p.range, p.vbusy, t, (double)p.size / 1048576.0 / t);
	for (int i = 0; i < 32; i++)
		printf("%02x", dig[i]);
	printf("\n");
	return 0;
}

/* cbwatch: hold a callback promise on FID and wait for its break. The
 * fileserver breaks it before it answers the writer's StoreData, so once
 * the other writer has finished, the break has been delivered. */
static int cmd_cbwatch(const char *host, const char *fidstr, long ms)
{
	struct sockaddr_in a;
	struct fs_status_reply r;
	uint64_t t0, until;
	struct afs_call_ctx cx = {0};
	bool broken;
	int ret;

	if (parse_fid(fidstr, &watched))
		return 2;
	a = addr_of(host, AFS_FS_PORT);
	ret = fs_fetch_status(CX(&a), &watched, &r);
	if (ret)
		return die("FS.FetchStatus", ret, cx.abort_code);
	print_status(&r);
	printf("ready=1\n");
	fflush(stdout);
	t0 = evloop_now_ns();
	until = evloop_deadline_ms(ms);
	pthread_mutex_lock(&broken_lock);
	while (!watched_broken && evloop_cond_wait(&broken_cond, &broken_lock, until) != ETIMEDOUT)
		;
	broken = watched_broken;
	pthread_mutex_unlock(&broken_lock);
	printf("broken=%d\nwait_seconds=%.3f\n", broken, secs(t0));
	if (!broken)
		fprintf(stderr, "afs_rx_check: no CallBack naming %s within %ld ms\n", fidstr, ms);
	return broken ? 0 : 1;
}

/*
 * The AFS directory format (OpenAFS src/dir/dir.h): 2048-byte pages of 64
 * 32-byte blobs; page 0 starts with a 32-byte page header, a 128-byte
 * allocation map and a 128-entry hash table of blob numbers (BE16). An
 * entry is flag, length, next (BE16, the hash chain), vnode, unique (BE32),
 * then its name, NUL-terminated, running on into the following blobs.
 */
static int dir_find(const uint8_t *dir, size_t len, const char *name, struct afs_fid *fid)
{
	const size_t hash_off = 32 + 128;

	if (len < hash_off + 256)
		return -EBADMSG;
	for (unsigned b = 0; b < 128; b++) {
		unsigned blob = get_be16(dir + hash_off + 2 * b);

		for (unsigned steps = 0; blob && steps < 64 * 1023; steps++) {
			size_t off = (size_t)(blob / 64) * 2048 + (size_t)(blob % 64) * 32;
			size_t nmax;

			if (off + 12 >= len)
				return -EBADMSG;
			nmax = len - off - 12;
			if (strnlen((const char *)dir + off + 12, nmax) < nmax &&
			    strcmp((const char *)dir + off + 12, name) == 0) {
				fid->vnode = get_be32(dir + off + 4);
				fid->unique = get_be32(dir + off + 8);
				return 0;
			}
			blob = get_be16(dir + off + 2);
		}
	}
	return -ENOENT;
}

static int cmd_lookup(const char *host, const char *volume, const char *name)
{
	struct afs_uvldbentry v;
	struct sockaddr_in a;
	struct afs_fid dirfid, fid;
	struct fs_status_reply r;
	struct sink s = {.keep_cap = 2048 * 1023};
	uint64_t got;
	struct afs_call_ctx cx = {0};
	int ret;

	if (vl_lookup(host, volume, &v))
		return 1;
	dirfid = (struct afs_fid){.volume = v.volume_id[AFS_RWVOL], .vnode = 1, .unique = 1};
	a = addr_of(host, AFS_FS_PORT);
	s.keep = malloc(s.keep_cap);
	ret = fs_fetch_data64(CX(&a), &dirfid, 0, s.keep_cap, sink_fn, &s, &got, &r);
	if (ret) {
		free(s.keep);
		return die("FS.FetchData64 of the volume's root directory", ret, cx.abort_code);
	}
	ret = dir_find(s.keep, s.keep_len, name, &fid);
	free(s.keep);
	if (ret)
		return die(name, ret, 0);
	printf("dir_bytes=%" PRIu64 "\nfid=%" PRIu32 ".%" PRIu32 ".%" PRIu32 "\n", got, dirfid.volume, fid.vnode,
	       fid.unique);
	return 0;
}

static int cmd_dead(const char *host, unsigned port, long ms)
{
	struct sockaddr_in a = addr_of(host, port);
	struct afs_fid fid = {1, 1, 1};
	struct fs_status_reply r;
	uint64_t t0 = evloop_now_ns();
	struct afs_call_ctx cx;
	int ret;

	afs_call_ctx_init(&cx, ep, (struct sockaddr *)&a, sizeof(a), evloop_deadline_ms(ms), NULL);
	ret = fs_fetch_status(&cx, &fid, &r);

	printf("error=%s\nerrno=%d\nabort_code=%d\nseconds=%.3f\n", ret ? strerror(-ret) : "none", -ret, cx.abort_code,
	       secs(t0));
	return 0;
}

/* ---- fsops: the write and metadata RPCs ------------------------------------------------------------- */

static void print_fid(const char *key, const struct afs_fid *f)
{
	printf("%s=%" PRIu32 ".%" PRIu32 ".%" PRIu32 "\n", key, f->volume, f->vnode, f->unique);
}

static void print_digest(const char *key, const uint8_t dig[32])
{
	printf("%s=", key);
	for (int i = 0; i < 32; i++)
		printf("%02x", dig[i]);
	printf("\n");
}

/* The bytes fsops stores: a xorshift stream, hashed as it is handed out. */
struct gen {
	uint64_t x;
	EVP_MD_CTX *md;
	uint64_t given;
	size_t pieces;
	size_t fail_after; /* a piece count at which to fail, to stop a call midway */
};

static int gen_source(void *arg, void *buf, size_t len)
{
	struct gen *g = arg;
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		g->x ^= g->x << 13;
		g->x ^= g->x >> 7;
		g->x ^= g->x << 17;
		p[i] = (uint8_t)(g->x >> 24);
	}
	EVP_DigestUpdate(g->md, buf, len);
	g->given += len;
	g->pieces++;
	return g->fail_after && g->pieces >= g->fail_after ? -EIO : 0;
}

/* The volume's RW id from the VL server, and the UUID of its first server. */
static int fsops_volume(const char *host, const char *volume, struct afs_fid *root, struct afs_uuid *server,
			bool *have_uuid)
{
	struct afs_uvldbentry v;

	if (vl_lookup(host, volume, &v))
		return 1;
	*root = (struct afs_fid){.volume = v.volume_id[AFS_RWVOL], .vnode = 1, .unique = 1};
	*have_uuid = false;
	for (int i = 0; i < v.nservers; i++)
		if (v.server_flags[i] & AFS_VLSF_UUID) {
			*server = v.server_number[i];
			*have_uuid = true;
			break;
		}
	return 0;
}

/* Find NAME in directory DIR by fetching the directory (dir_find). */
static int fsops_lookup(const struct sockaddr_in *a, const struct afs_fid *dir, const char *name, struct afs_fid *fid)
{
	struct sink s = {.keep_cap = 2048 * 1023};
	struct fs_status_reply r;
	uint64_t got;
	struct afs_call_ctx cx = {0};
	int ret;

	s.keep = malloc(s.keep_cap);
	if (!s.keep)
		return -ENOMEM;
	ret = fs_fetch_data64(CX(a), dir, 0, s.keep_cap, sink_fn, &s, &got, &r);
	if (!ret) {
		ret = dir_find(s.keep, s.keep_len, name, fid);
		fid->volume = dir->volume;
	}
	free(s.keep);
	return ret;
}

#define FS_CALL(what, expr)                                                                                            \
	do {                                                                                                           \
		cx.abort_code = 0;                                                                                     \
		ret = (expr);                                                                                          \
		if (ret)                                                                                               \
			return die(what, ret, cx.abort_code);                                                          \
	} while (0)

static int cmd_fsops(const char *host, const char *volume, const char *name)
{
	static struct fs_bulk_status_reply bulk;
	static struct fs_volume_status_reply vs;
	static struct afs_vl_addrs addrs;
	struct sockaddr_in a, vl;
	struct afs_fid root, dir, file, sym, sub, gone, bulk_fids[4];
	struct afs_uuid server;
	struct fs_create_reply cr;
	struct fs_store_reply sr;
	struct fs_status_reply st;
	struct fs_link_reply lr;
	struct fs_rename_reply rr;
	struct fs_capabilities caps;
	struct afs_store_status mode755 = {.mask = AFS_SETMODE, .unix_mode_bits = 0755};
	struct afs_store_status mode644 = {.mask = AFS_SETMODE, .unix_mode_bits = 0644};
	struct afs_store_status mode640 = {.mask = AFS_SETMODE, .unix_mode_bits = 0640};
	struct afs_store_status mode777 = {.mask = AFS_SETMODE, .unix_mode_bits = 0777};
	struct afs_store_status none = {0};
	struct gen g = {.x = 0x9e3779b97f4a7c15ULL};
	struct sink s = {0};
	uint8_t stored[32], fetched[32];
	uint64_t got, t0;
	bool have_uuid;
	struct afs_call_ctx cx = {0};
	int ret;

	if (fsops_volume(host, volume, &root, &server, &have_uuid))
		return 1;
	a = addr_of(host, AFS_FS_PORT);
	vl = addr_of(host, AFS_VL_PORT);
	print_fid("root", &root);

	FS_CALL("FS.GetCapabilities", fs_get_capabilities(CX(&a), &caps));
	printf("caps_n=%" PRIu32 "\ncaps0=0x%" PRIx32 "\n", caps.n, caps.n ? caps.words[0] : 0);

	FS_CALL("FS.GetVolumeStatus", fs_get_volume_status(CX(&a), root.volume, &vs));
	printf("vol_name=%s\nvol_id=%" PRId32 "\nvol_type=%" PRId32 "\nvol_online=%u\nvol_in_service=%u\n"
	       "vol_max_quota=%" PRId32 "\nvol_blocks_in_use=%" PRId32 "\nvol_offline_msg=%s\nvol_motd=%s\n",
	       vs.name, vs.status.vid, vs.status.type, vs.status.online, vs.status.in_service, vs.status.max_quota,
	       vs.status.blocks_in_use, vs.offline_msg, vs.motd);

	if (have_uuid) {
		struct afs_list_addr_by_attributes attr = {.mask = AFS_VLADDR_UUID, .uuid = server};
		const struct afs_uuid *u = &addrs.uuid;

		FS_CALL("VL.GetAddrsU", vl_get_addrs_u(CX(&vl), &attr, &addrs));
		/* afsUUID_to_string's format, as vos listaddrs -printuuid shows it */
		printf("fs_uuid=%08" PRIx32 "-%04x-%04x-%02x-%02x-%02x%02x%02x%02x%02x%02x\n", u->time_low, u->time_mid,
		       u->time_hi_and_version, u->clock_seq_hi_and_reserved, u->clock_seq_low, u->node[0], u->node[1],
		       u->node[2], u->node[3], u->node[4], u->node[5]);
		printf("fs_uniquifier=%" PRId32 "\nfs_nentries=%" PRId32 "\nfs_naddrs=%" PRIu32 "\nfs_addrs=",
		       addrs.uniquifier, addrs.nentries, addrs.naddrs);
		for (uint32_t i = 0; i < addrs.naddrs && i < (uint32_t)addrs.nentries; i++)
			printf("%s%u.%u.%u.%u", i ? "," : "", addrs.addrs[i] >> 24, (addrs.addrs[i] >> 16) & 255,
			       (addrs.addrs[i] >> 8) & 255, addrs.addrs[i] & 255);
		printf("\n");
	}

	FS_CALL("FS.MakeDir", fs_make_dir(CX(&a), &root, name, &mode755, &cr));
	dir = cr.fid;
	print_fid("dir", &dir);
	printf("dir_type=%" PRIu32 "\ndir_mode=%04o\ndir_callback_type=%" PRIu32 "\n", cr.status.file_type,
	       cr.status.unix_mode_bits & 07777, cr.callback.type);

	FS_CALL("FS.CreateFile", fs_create_file(CX(&a), &dir, "data.tmp", &mode644, &cr));
	file = cr.fid;
	print_fid("file", &file);
	printf("created_size=%" PRIu64 "\ncreated_mode=%04o\n", afs_fetch_status_size(&cr.status),
	       cr.status.unix_mode_bits & 07777);

	/* StoreData64 in pieces; the generator hashes what it hands out. */
	g.md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(g.md, EVP_sha256(), NULL);
	t0 = evloop_now_ns();
	ret = fs_store_data64(CX(&a), &file, &none, 0, store_size, store_size, gen_source, &g, &sr);
	EVP_DigestFinal_ex(g.md, stored, NULL);
	EVP_MD_CTX_free(g.md);
	if (ret)
		return die("FS.StoreData64", ret, cx.abort_code);
	printf("store_seconds=%.3f\nstore_pieces=%zu\nstore_bytes=%" PRIu64 "\nstored_size=%" PRIu64 "\n", secs(t0),
	       g.pieces, g.given, afs_fetch_status_size(&sr.status));
	print_digest("stored_sha256", stored);

	s.md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(s.md, EVP_sha256(), NULL);
	ret = fs_fetch_data64(CX(&a), &file, 0, store_size, sink_fn, &s, &got, &st);
	EVP_DigestFinal_ex(s.md, fetched, NULL);
	EVP_MD_CTX_free(s.md);
	if (ret)
		return die("FS.FetchData64", ret, cx.abort_code);
	printf("fetched_bytes=%" PRIu64 "\n", got);
	print_digest("fetched_sha256", fetched);

	FS_CALL("FS.StoreStatus", fs_store_status(CX(&a), &file, &mode640, &sr));
	printf("storestatus_mode=%04o\n", sr.status.unix_mode_bits & 07777);
	FS_CALL("FS.FetchStatus", fs_fetch_status(CX(&a), &file, &st));
	printf("fetchstatus_mode=%04o\nfetchstatus_size=%" PRIu64 "\n", st.status.unix_mode_bits & 07777,
	       afs_fetch_status_size(&st.status));

	FS_CALL("FS.Rename", fs_rename(CX(&a), &dir, "data.tmp", &dir, "data.bin", &rr));
	FS_CALL("FS.Link", fs_link(CX(&a), &dir, "data.hard", &file, &lr));
	printf("link_count=%" PRIu32 "\n", lr.status.link_count);
	FS_CALL("FS.Symlink", fs_symlink(CX(&a), &dir, "sym", "data.bin", &mode777, &cr));
	sym = cr.fid;
	print_fid("sym", &sym);
	printf("sym_type=%" PRIu32 "\nsym_size=%" PRIu64 "\n", cr.status.file_type, afs_fetch_status_size(&cr.status));

	/* Made and removed again: nothing of them may remain. */
	FS_CALL("FS.MakeDir", fs_make_dir(CX(&a), &dir, "subdir", &mode755, &cr));
	sub = cr.fid;
	FS_CALL("FS.RemoveDir", fs_remove_dir(CX(&a), &dir, "subdir", &sr));
	FS_CALL("FS.CreateFile", fs_create_file(CX(&a), &dir, "gone", &mode644, &cr));
	gone = cr.fid;
	/* A store whose source fails midway: the call is aborted, its error is
	 * the source's, and the endpoint goes on working (RemoveFile below). */
	{
		struct gen bad = {.x = 1, .fail_after = 3};

		bad.md = EVP_MD_CTX_new();
		EVP_DigestInit_ex(bad.md, EVP_sha256(), NULL);
		ret = fs_store_data64(CX(&a), &gone, &none, 0, 1 << 20, 1 << 20, gen_source, &bad, &sr);
		EVP_MD_CTX_free(bad.md);
		printf("stopped_store_errno=%d\nstopped_store_pieces=%zu\n", -ret, bad.pieces);
		if (ret != -EIO)
			return die("FS.StoreData64 stopped by its source", ret ? ret : -EPROTO, cx.abort_code);
	}
	/* An existing name: the server's UAE code, mapped. */
	ret = fs_create_file(CX(&a), &dir, "gone", &mode644, &cr);
	printf("create_existing_errno=%d\ncreate_existing_abort=%" PRId32 "\n", -ret, cx.abort_code);
	FS_CALL("FS.RemoveFile", fs_remove_file(CX(&a), &dir, "gone", &sr));
	printf("dir_links_after_rmdir=%" PRIu32 "\n", sr.status.link_count);

	/* The directory, the file, the symlink, a vnode that never existed,
	 * and the two removed vnodes. */
	bulk_fids[0] = dir;
	bulk_fids[1] = file;
	bulk_fids[2] = sym;
	bulk_fids[3] = (struct afs_fid){.volume = root.volume, .vnode = 0x7ffffffd, .unique = 1};
	{
		struct afs_fid six[6] = {bulk_fids[0], bulk_fids[1], bulk_fids[2], bulk_fids[3], sub, gone};

		FS_CALL("FS.InlineBulkStatus", fs_inline_bulk_status(CX(&a), six, 6, &bulk));
	}
	printf("bulk_n=%" PRIu32 "\n", bulk.n);
	for (uint32_t i = 0; i < bulk.n; i++) {
		const struct afs_fetch_status *b = &bulk.status[i];

		if (b->error_code)
			printf("bulk%" PRIu32 "_error=%" PRIu32 "\nbulk%" PRIu32 "_error_name=%s\n", i, b->error_code,
			       i,
			       afs_abort_name((int32_t)b->error_code) ? afs_abort_name((int32_t)b->error_code) : "?");
		else
			printf("bulk%" PRIu32 "_type=%" PRIu32 "\nbulk%" PRIu32 "_links=%" PRIu32 "\nbulk%" PRIu32
			       "_size=%" PRIu64 "\nbulk%" PRIu32 "_mode=%04o\nbulk%" PRIu32 "_callback_type=%" PRIu32
			       "\n",
			       i, b->file_type, i, b->link_count, i, afs_fetch_status_size(b), i,
			       b->unix_mode_bits & 07777, i, bulk.callback[i].type);
	}

	FS_CALL("FS.GiveUpCallBacks", fs_give_up_callbacks(CX(&a), bulk_fids, NULL, 3));
	printf("gave_up_callbacks=3\n");

	/* The file's FID once more, found by name in the directory we made. */
	{
		struct afs_fid found;

		ret = fsops_lookup(&a, &dir, "data.hard", &found);
		if (ret)
			return die("data.hard in the new directory", ret, 0);
		print_fid("found_hard", &found);
	}
	if (memcmp(stored, fetched, 32) != 0 || got != store_size) {
		fprintf(stderr, "afs_rx_check: FetchData64 read back something else than StoreData64 wrote\n");
		return 1;
	}
	return 0;
}

static int cmd_fsclean(const char *host, const char *volume, const char *name)
{
	static const char *const names[] = {"data.bin", "data.hard", "sym"};
	struct sockaddr_in a;
	struct afs_fid root, dir;
	struct afs_uuid server;
	struct fs_store_reply sr;
	bool have_uuid;
	struct afs_call_ctx cx = {0};
	int ret;

	if (fsops_volume(host, volume, &root, &server, &have_uuid))
		return 1;
	a = addr_of(host, AFS_FS_PORT);
	ret = fsops_lookup(&a, &root, name, &dir);
	if (ret)
		return die(name, ret, 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		FS_CALL("FS.RemoveFile", fs_remove_file(CX(&a), &dir, names[i], &sr));
	FS_CALL("FS.RemoveDir", fs_remove_dir(CX(&a), &root, name, &sr));
	/* And once more: the server must say it is gone. */
	ret = fs_remove_dir(CX(&a), &root, name, &sr);
	printf("removed=%zu\nsecond_rmdir_errno=%d\nsecond_rmdir_abort=%" PRId32 "\n",
	       sizeof(names) / sizeof(names[0]) + 1, -ret, cx.abort_code);
	return ret == -ENOENT ? 0 : 1;
}

int main(int argc, char **argv)
{
	int i = 1, ret = 2;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-t") && i + 1 < argc) {
			deadline_ms = atol(argv[i + 1]);
			i += 2;
		} else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			chunk = strtoull(argv[i + 1], NULL, 0);
			i += 2;
		} else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			store_size = strtoull(argv[i + 1], NULL, 0);
			i += 2;
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			ncalls = (unsigned)atoi(argv[i + 1]);
			i += 2;
		} else if (!strcmp(argv[i], "-r") && i + 1 < argc) {
			if (sscanf(argv[i + 1], "%u,%u,%u", &relay_cfg.drop_pct, &relay_cfg.dup_pct,
				   &relay_cfg.reorder_pct) != 3)
				goto usage;
			relay_cfg.seed = 20240601;
			use_relay = true;
			i += 2;
		} else {
			goto usage;
		}
	}
	if (i >= argc)
		goto usage;
	setup();
	if (!strcmp(argv[i], "version") && argc - i == 3)
		ret = cmd_version(argv[i + 1], (unsigned)atoi(argv[i + 2]));
	else if (!strcmp(argv[i], "vl") && argc - i == 3)
		ret = cmd_vl(argv[i + 1], argv[i + 2]);
	else if (!strcmp(argv[i], "lookup") && argc - i == 4)
		ret = cmd_lookup(argv[i + 1], argv[i + 2], argv[i + 3]);
	else if (!strcmp(argv[i], "stat") && argc - i == 3)
		ret = cmd_stat(argv[i + 1], argv[i + 2]);
	else if (!strcmp(argv[i], "fetch") && argc - i == 3)
		ret = cmd_fetch(argv[i + 1], argv[i + 2]);
	else if (!strcmp(argv[i], "pfetch") && argc - i == 3)
		ret = cmd_pfetch(argv[i + 1], argv[i + 2]);
	else if (!strcmp(argv[i], "cbwatch") && argc - i == 4)
		ret = cmd_cbwatch(argv[i + 1], argv[i + 2], atol(argv[i + 3]));
	else if (!strcmp(argv[i], "dead") && argc - i == 4)
		ret = cmd_dead(argv[i + 1], (unsigned)atoi(argv[i + 2]), atol(argv[i + 3]));
	else if (!strcmp(argv[i], "fsops") && argc - i == 4)
		ret = cmd_fsops(argv[i + 1], argv[i + 2], argv[i + 3]);
	else if (!strcmp(argv[i], "fsclean") && argc - i == 4)
		ret = cmd_fsclean(argv[i + 1], argv[i + 2], argv[i + 3]);
	else
		fprintf(stderr, "afs_rx_check: unknown command or wrong arguments\n");
	teardown();
	return ret;
usage:
	fprintf(
	    stderr,
	    "usage: afs_rx_check [-t MS] [-c BYTES] [-n CALLS] [-s BYTES] [-r DROP,DUP,REORDER] version HOST PORT |\n"
	    "       vl HOST VOLUME | lookup HOST VOLUME NAME | stat HOST FID | fetch HOST FID | pfetch HOST FID |\n"
	    "       cbwatch HOST FID MS | dead HOST PORT MS | fsops HOST VOLUME NAME | fsclean HOST VOLUME NAME\n");
	return 2;
}
