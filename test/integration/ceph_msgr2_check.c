/*
 * test/integration/ceph_msgr2_check.c: drive msgr2_session with the real
 * cephx against a real monitor over a blocking TCP socket, for
 * ceph_msgr2.test. Not a client: one connection, one script.
 *
 *   ceph_msgr2_check crc|secure|prefer-crc|prefer-secure SECRETFILE [MON_INDEX] [ENTITY_ID]
 *
 * The monitor is entry MON_INDEX (default 0) of $CEPH_MON_HOST, its msgr2
 * address. Script: authenticate, subscribe to monmap and decode the
 * MMonMap, send MStatfs (cluster-wide), send a keepalive and wait for its
 * ack. Prints one line per step:
 *   up global_id=N con_mode=crc|secure
 *   monmap epoch=E mons=N fsid=UUID
 *   statfs kb=K kb_used=U kb_avail=A num_objects=O
 *   keepalive_ack ok
 * and on failure "down err=-N (strerror): reason" (exit 2) or "error: ..."
 * (exit 1). Every wait is bounded (10 s). Never prints the key.
 *
 * With MSGR2_CHECK_OSDMAPS=DIR:START the session also subscribes (once) to
 * the OSD maps from epoch START and writes each map the monitor sends, as
 * it sent it, to DIR/inc.EPOCH or DIR/full.EPOCH, until it has the newest:
 *   osdmaps inc=N full=M newest=E
 * (ceph_osdmap.test applies the incrementals with cephosd.)
 *
 *   ceph_msgr2_check services crc|secure SECRETFILE OSD_ADDR MDS_ADDR
 *
 * The connection driver (msgr2_conn) and the identity (cephx_identity) on
 * an evloop, as a client uses them: a session with monitor 0, service
 * tickets for the OSDs and MDSs over MAuth, then a msgr2 connection with a
 * cephx authorizer to the OSD and to the MDS at the given addresses
 * (v2:IP:PORT/NONCE, as `ceph osd dump` / `ceph fs dump` give them). Prints
 *   mon up global_id=N con_mode=M
 *   tickets osd=1 mds=1
 *   osd up con_mode=M global_id=N
 *   mds up con_mode=M global_id=N
 * and "osd down err=-N (strerror): reason" on failure (exit 2).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cephmon/msgr/ceph_addr.h"
#include "cephmon/ceph_conf.h"
#include "cephmon/msgr/cephx.h"
#include "cephmon/msgr/cephx_identity.h"
#include "cephmon/mon/mon_msgs.h"
#include "cephmon/mon/monmap.h"
#include "cephmon/msgr/msgr2_cephx.h"
#include "cephmon/msgr/msgr2_ctrl.h"
#include "cephmon/msgr/msgr2_conn.h"
#include "cephmon/msgr/msgr2_session.h"
#include "evloop/evloop.h"

struct run {
	struct msgr2_session *s;
	int step; /* 0 handshake, 1 monmap, 2 statfs, 3 keepalive, 4 done */
	int down_err;
	uint8_t fsid[16];
	uint64_t ka_stamp;
	const char *osdmap_dir; /* MSGR2_CHECK_OSDMAPS */
	uint32_t osdmap_start, osdmap_last, ninc, nfull;
	bool osdmaps_done;
};

static int save_blob(struct run *r, const char *kind, const struct mosdmap_blob *b)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%u", r->osdmap_dir, kind, b->epoch);
	f = fopen(path, "wb");
	if (!f || fwrite(b->data, 1, b->len, f) != b->len) {
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

static void on_osdmap(struct run *r, const uint8_t *front, size_t len)
{
	static struct mosdmap mm;

	if (mosdmap_decode(front, len, &mm)) {
		printf("error: MOSDMap does not decode\n");
		r->step = -1;
		return;
	}
	for (unsigned i = 0; i < mm.ninc; i++) {
		if (save_blob(r, "inc", &mm.inc[i])) {
			printf("error: cannot write %s/inc.%u\n", r->osdmap_dir, mm.inc[i].epoch);
			r->step = -1;
			return;
		}
		r->ninc++;
		if (mm.inc[i].epoch > r->osdmap_last)
			r->osdmap_last = mm.inc[i].epoch;
	}
	for (unsigned i = 0; i < mm.nfull; i++) {
		if (save_blob(r, "full", &mm.full[i])) {
			printf("error: cannot write %s/full.%u\n", r->osdmap_dir, mm.full[i].epoch);
			r->step = -1;
			return;
		}
		r->nfull++;
		if (mm.full[i].epoch > r->osdmap_last)
			r->osdmap_last = mm.full[i].epoch;
	}
	if (mm.newest && r->osdmap_last >= mm.newest && !r->osdmaps_done) {
		printf("osdmaps inc=%u full=%u newest=%u\n", r->ninc, r->nfull, mm.newest);
		r->osdmaps_done = true;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void print_fsid(const uint8_t f[16])
{
	for (int i = 0; i < 16; i++)
		printf("%s%02x", (i == 4 || i == 6 || i == 8 || i == 10) ? "-" : "", f[i]);
}

static void send_statfs(struct run *r)
{
	struct wire_enc e;
	uint16_t v;

	wire_enc_init(&e);
	v = mon_statfs_encode(&e, r->fsid, CEPH_NOPOOL);
	if (wire_enc_error(&e) || msgr2_session_send_msg(r->s, CEPH_MSG_STATFS, v, 1, e.buf, e.len) < 0) {
		printf("error: cannot queue MStatfs\n");
		r->step = -1;
	}
	wire_enc_free(&e);
}

static void on_up(void *arg, uint64_t global_id, uint32_t con_mode)
{
	struct run *r = arg;
	struct mon_sub_item it[2] = {{.what = "monmap", .start = 0, .flags = 0},
				     {.what = "osdmap", .start = r->osdmap_start, .flags = CEPH_SUB_ONETIME}};
	struct wire_enc e;
	uint16_t v;

	printf("up global_id=%llu con_mode=%s\n", (unsigned long long)global_id,
	       con_mode == MSGR2_CON_MODE_SECURE ? "secure" : "crc");
	wire_enc_init(&e);
	v = mon_subscribe_encode(&e, it, r->osdmap_dir ? 2 : 1, "msgr2-check");
	if (wire_enc_error(&e) || msgr2_session_send_msg(r->s, CEPH_MSG_MON_SUBSCRIBE, v, 0, e.buf, e.len) < 0) {
		printf("error: cannot queue MMonSubscribe\n");
		r->step = -1;
	} else {
		r->step = 1;
	}
	wire_enc_free(&e);
}

static void on_msg(void *arg, uint16_t type, uint16_t version, uint64_t tid, const uint8_t *front, size_t len,
		   const uint8_t *middle, size_t middle_len, const uint8_t *data, size_t dlen)
{
	struct run *r = arg;
	(void)version, (void)middle, (void)middle_len, (void)data, (void)dlen;

	if (type == CEPH_MSG_OSD_MAP && r->osdmap_dir) {
		on_osdmap(r, front, len);
	} else if (type == CEPH_MSG_MON_MAP && r->step == 1) {
		struct monmap *m;
		int e = monmap_decode_msg(front, len, &m);

		if (e) {
			printf("error: MMonMap does not decode: %s\n", strerror(-e));
			r->step = -1;
			return;
		}
		memcpy(r->fsid, m->fsid, 16);
		printf("monmap epoch=%u mons=%u fsid=", m->epoch, m->n);
		print_fsid(m->fsid);
		printf("\n");
		monmap_free(m);
		r->step = 2;
		send_statfs(r);
	} else if (type == CEPH_MSG_STATFS_REPLY && r->step == 2) {
		struct mon_statfs_reply st;

		if (tid != 1 || mon_statfs_reply_decode(front, len, &st)) {
			printf("error: bad MStatfsReply (tid %llu)\n", (unsigned long long)tid);
			r->step = -1;
			return;
		}
		printf("statfs kb=%llu kb_used=%llu kb_avail=%llu num_objects=%llu\n", (unsigned long long)st.kb,
		       (unsigned long long)st.kb_used, (unsigned long long)st.kb_avail,
		       (unsigned long long)st.num_objects);
		r->step = 3;
		r->ka_stamp = now_ns();
		if (msgr2_session_keepalive(r->s, r->ka_stamp)) {
			printf("error: cannot queue a keepalive\n");
			r->step = -1;
		}
	}
}

static void on_keepalive_ack(void *arg, uint64_t stamp)
{
	struct run *r = arg;

	if (r->step != 3)
		return;
	/* The stamp travels as seconds and nanoseconds: it must come back. */
	if (stamp != r->ka_stamp) {
		printf("error: keepalive ack stamp %llu, sent %llu\n", (unsigned long long)stamp,
		       (unsigned long long)r->ka_stamp);
		r->step = -1;
		return;
	}
	printf("keepalive_ack ok\n");
	r->step = 4;
}

static void on_down(void *arg, int err, const char *why)
{
	struct run *r = arg;

	printf("down err=%d (%s): %s\n", err, strerror(-err), why);
	r->down_err = err;
}

static int connect_to(const struct ceph_entity_addr *a)
{
	socklen_t sl = a->ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&a->ss, sl) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int run_one(const struct ceph_entity_addr *mon, const char *mode, struct cephx_client *cx, uint64_t gseq)
{
	static const struct msgr2_session_cbs cbs = {on_up, on_msg, on_keepalive_ack, on_down, NULL};
	struct run run = {0};
	const char *chunk_env = getenv("MSGR2_CHECK_RECV");
	const char *osdmaps = getenv("MSGR2_CHECK_OSDMAPS");
	char osdmap_dir[4096];
	size_t chunk = chunk_env ? (size_t)atoi(chunk_env) : 65536;
	int fd, rc = 1;

	if (chunk == 0 || chunk > 65536)
		chunk = 65536;
	if (osdmaps && strrchr(osdmaps, ':')) {
		snprintf(osdmap_dir, sizeof(osdmap_dir), "%.*s", (int)(strrchr(osdmaps, ':') - osdmaps), osdmaps);
		run.osdmap_dir = osdmap_dir;
		run.osdmap_start = (uint32_t)strtoul(strrchr(osdmaps, ':') + 1, NULL, 10);
	}
	struct msgr2_auth_provider prov = msgr2_cephx_provider(cx);
	struct msgr2_session_params p = {
	    .peer_addr = *mon,
	    .peer_type = CEPH_ENTITY_TYPE_MON,
	    .ms_mode = !strcmp(mode, "crc")		? CEPH_MS_MODE_CRC
		       : !strcmp(mode, "secure")	? CEPH_MS_MODE_SECURE
		       : !strcmp(mode, "prefer-secure") ? CEPH_MS_MODE_PREFER_SECURE
							: CEPH_MS_MODE_PREFER_CRC,
	    .auth = &prov,
	    .nauth = 1,
	    .global_seq = gseq,
	    .nonce = (uint32_t)getpid(),
	    .cb = &cbs,
	    .cb_arg = &run,
	};

	fd = connect_to(mon);
	if (fd < 0) {
		printf("error: connect: %s\n", strerror(errno));
		return 1;
	}
	run.s = msgr2_session_new(&p);
	if (!run.s) {
		printf("error: msgr2_session_new: %s\n", strerror(errno));
		goto out_fd;
	}
	uint64_t deadline = now_ns() + 10ull * 1000000000u;
	while (run.step >= 0 && (run.step < 4 || (run.osdmap_dir && !run.osdmaps_done)) && !run.down_err) {
		const uint8_t *ptr;
		size_t n;
		uint8_t buf[65536];
		struct pollfd pfd = {fd, POLLIN, 0};
		ssize_t got;

		while ((n = msgr2_session_pending_tx(run.s, &ptr)) > 0) {
			ssize_t w = send(fd, ptr, n, MSG_NOSIGNAL);
			if (w <= 0) {
				msgr2_session_eof(run.s, -errno);
				break;
			}
			msgr2_session_tx_done(run.s, (size_t)w);
		}
		if (run.down_err)
			break;
		uint64_t now = now_ns();
		if (now >= deadline) {
			printf("error: timed out at step %d\n", run.step);
			break;
		}
		int pr = poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1);
		if (pr <= 0)
			continue;
		got = recv(fd, buf, chunk, 0);
		if (got <= 0) {
			msgr2_session_eof(run.s, got < 0 ? -errno : 0);
			break;
		}
		msgr2_session_feed(run.s, buf, (size_t)got, now_ns());
	}
	if (run.step == 4 && (!run.osdmap_dir || run.osdmaps_done)) {
		struct msgr2_session_stats st;

		msgr2_session_get_stats(run.s, &st);
		printf("done out_seq=%llu in_seq=%llu\n", (unsigned long long)st.out_seq,
		       (unsigned long long)st.in_seq);
		rc = 0;
	} else if (run.down_err) {
		rc = 2;
	}
	msgr2_session_free(run.s);
out_fd:
	close(fd);
	return rc;
}

/* ---- services: the driver and the identity, to the OSD and the MDS ---------------------- */

struct svc {
	struct evloop *loop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct cephx_identity id;
	struct cephx_handshake hs;
	uint64_t global_seq;
	struct msgr2_conn *mon, *osd, *mds;
	struct msgr2_cephx_authorizer au_osd, au_mds;
	bool mon_up, osd_up, mds_up;
	int down_err;
	char down_who[8];
	char down_why[256];
	enum ceph_ms_mode mode;
};

static struct svc S;

static const char *mode_name(uint32_t m)
{
	return m == MSGR2_CON_MODE_SECURE ? "secure" : "crc";
}

static void svc_up(void *arg, struct msgr2_conn *c, uint64_t global_id, uint32_t con_mode, uint64_t features)
{
	(void)arg, (void)features;
	if (c == S.mon) {
		printf("mon up global_id=%llu con_mode=%s\n", (unsigned long long)global_id, mode_name(con_mode));
		S.mon_up = true;
		cephx_identity_session_up(&S.id, &S.hs); /* MAuth for the service tickets */
	} else {
		printf("%s up con_mode=%s global_id=%llu\n", c == S.osd ? "osd" : "mds", mode_name(con_mode),
		       (unsigned long long)global_id);
		*(c == S.osd ? &S.osd_up : &S.mds_up) = true;
	}
	pthread_cond_broadcast(&S.cond);
}

static void svc_msg(void *arg, struct msgr2_conn *c, uint16_t type, uint16_t version, uint64_t tid,
		    const uint8_t *front, size_t len, const uint8_t *middle, size_t middle_len, const uint8_t *data,
		    size_t dlen)
{
	(void)arg, (void)version, (void)tid, (void)middle, (void)middle_len, (void)data, (void)dlen;
	if (c == S.mon && type == CEPH_MSG_AUTH_REPLY)
		cephx_identity_handle_reply(&S.id, front, len);
	pthread_cond_broadcast(&S.cond);
}

static void svc_down(void *arg, struct msgr2_conn *c, int err, const char *why)
{
	const char *who = c == S.mon ? "mon" : c == S.osd ? "osd" : "mds";

	(void)arg;
	printf("%s down err=%d (%s): %s\n", who, err, strerror(-err), why);
	if (!S.down_err) {
		S.down_err = err;
		snprintf(S.down_who, sizeof(S.down_who), "%s", who);
	}
	if (c == S.mon)
		cephx_identity_session_down(&S.id);
	msgr2_conn_close(c);
	*(c == S.mon ? &S.mon : c == S.osd ? &S.osd : &S.mds) = NULL;
	pthread_cond_broadcast(&S.cond);
}

static const struct msgr2_conn_cbs svc_cbs = {svc_up, svc_msg, NULL, svc_down, NULL};

static int svc_send_mauth(void *arg, const uint8_t *front, size_t len)
{
	(void)arg;
	return S.mon ? msgr2_conn_send(S.mon, CEPH_MSG_AUTH, 0, 0, front, len) : -ENOTCONN;
}

static struct ceph_entity_addr svc_target;
static uint32_t svc_type;
static int svc_open_r;

static void svc_open(void *arg)
{
	struct msgr2_conn **out = arg;
	struct msgr2_auth_provider prov;

	pthread_mutex_lock(&S.lock);
	if (svc_type == CEPH_ENTITY_TYPE_MON)
		prov = cephx_handshake_provider(&S.hs);
	else if (svc_type == CEPH_ENTITY_TYPE_OSD)
		prov = msgr2_cephx_authorizer_provider(&S.au_osd, &S.id.cx, CEPH_ENTITY_TYPE_OSD);
	else
		prov = msgr2_cephx_authorizer_provider(&S.au_mds, &S.id.cx, CEPH_ENTITY_TYPE_MDS);
	struct msgr2_conn_params p = {
	    .loop = S.loop,
	    .lock = &S.lock,
	    .peer_addr = svc_target,
	    .peer_type = svc_type,
	    .ms_mode = S.mode,
	    .auth = &prov,
	    .nauth = 1,
	    .global_seq = &S.global_seq,
	    .nonce = (uint32_t)getpid(),
	    .cb = &svc_cbs,
	};
	svc_open_r = msgr2_conn_open(&p, out);
	pthread_mutex_unlock(&S.lock);
}

static void svc_stop(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&S.lock);
	cephx_identity_session_down(&S.id);
	msgr2_conn_close(S.mon);
	msgr2_conn_close(S.osd);
	msgr2_conn_close(S.mds);
	S.mon = S.osd = S.mds = NULL;
	pthread_mutex_unlock(&S.lock);
}

static bool svc_have_tickets(void)
{
	uint32_t want = CEPH_ENTITY_TYPE_OSD | CEPH_ENTITY_TYPE_MDS;

	return (S.id.cx.have_keys & want) == want;
}

/* Wait (S.lock held) until @done() or a "down", 10 s at most. */
static bool svc_wait(bool (*done)(void))
{
	uint64_t deadline = now_ns() + 10ull * 1000000000u;

	while (!done() && !S.down_err)
		if (evloop_cond_wait(&S.cond, &S.lock, deadline) == ETIMEDOUT)
			break;
	return done();
}

static bool svc_mon_up(void)
{
	return S.mon_up;
}

static bool svc_osd_up(void)
{
	return S.osd_up;
}

static bool svc_mds_up(void)
{
	return S.mds_up;
}

/* Open a connection to the @type daemon at @a and wait for @up; returns
 * with S.lock held either way. */
static bool svc_connect(uint32_t type, const struct ceph_entity_addr *a, struct msgr2_conn **c, bool (*up)(void))
{
	svc_target = *a;
	svc_type = type;
	evloop_call_sync(S.loop, svc_open, c, EVLOOP_NEVER);
	pthread_mutex_lock(&S.lock);
	return svc_open_r == 0 && svc_wait(up);
}

static int parse_one(const char *s, struct ceph_entity_addr *out)
{
	struct ceph_mon_addrs a;
	char err[128];
	const struct ceph_entity_addr *v2;

	if (ceph_parse_mon_addrs(s, CEPH_ADDR_SYNTAX_CEPH, &a, err, sizeof(err)) || a.n != 1 ||
	    !(v2 = ceph_addrvec_msgr2(&a.mon[0]))) {
		printf("error: %s is not one msgr2 address\n", s);
		return -1;
	}
	*out = *v2;
	return 0;
}

static int run_services(const char *mode, const struct ceph_entity_addr *mon, const struct ceph_crypto_key *key,
			const char *osd_s, const char *mds_s)
{
	struct ceph_entity_addr osd, mds;
	int rc = 2;

	if (parse_one(osd_s, &osd) || parse_one(mds_s, &mds))
		return 1;
	S.mode = !strcmp(mode, "secure") ? CEPH_MS_MODE_SECURE : CEPH_MS_MODE_CRC;
	pthread_mutex_init(&S.lock, NULL);
	evloop_cond_init(&S.cond);
	S.loop = evloop_new("msgr2-check");
	if (!S.loop || evloop_start(S.loop)) {
		printf("error: no event loop\n");
		return 1;
	}
	struct cephx_identity_params ip = {
	    .id = "admin",
	    .key = key,
	    .want_keys = CEPH_ENTITY_TYPE_MON | CEPH_ENTITY_TYPE_OSD | CEPH_ENTITY_TYPE_MDS,
	    .loop = S.loop,
	    .lock = &S.lock,
	    .server = "monitors",
	    .send_mauth = svc_send_mauth,
	};
	if (cephx_identity_init(&S.id, &ip) || cephx_handshake_init(&S.hs, &S.id)) {
		printf("error: cephx identity\n");
		return 1;
	}
	if (!svc_connect(CEPH_ENTITY_TYPE_MON, mon, &S.mon, svc_mon_up) || !svc_wait(svc_have_tickets)) {
		printf("error: no service tickets (have 0x%x)\n", S.id.cx.have_keys);
		goto out;
	}
	printf("tickets osd=1 mds=1\n");
	pthread_mutex_unlock(&S.lock);
	if (!svc_connect(CEPH_ENTITY_TYPE_OSD, &osd, &S.osd, svc_osd_up)) {
		printf("error: no session with the OSD\n");
		goto out;
	}
	pthread_mutex_unlock(&S.lock);
	if (!svc_connect(CEPH_ENTITY_TYPE_MDS, &mds, &S.mds, svc_mds_up)) {
		printf("error: no session with the MDS\n");
		goto out;
	}
	rc = 0;
out:
	pthread_mutex_unlock(&S.lock);
	evloop_call_sync(S.loop, svc_stop, NULL, EVLOOP_NEVER);
	evloop_free(S.loop);
	msgr2_cephx_authorizer_destroy(&S.au_osd);
	msgr2_cephx_authorizer_destroy(&S.au_mds);
	cephx_handshake_destroy(&S.hs);
	cephx_identity_destroy(&S.id);
	return rc;
}

int main(int argc, char **argv)
{
	struct ceph_mon_addrs mons;
	struct ceph_entity_addr *mon = NULL;
	struct ceph_crypto_key key;
	struct cephx_client cx;
	char err[256], b64[256], *nl;
	const char *mon_host = getenv("CEPH_MON_HOST");
	unsigned idx = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
	const char *id = argc > 4 ? argv[4] : "admin";
	const char *again_env = getenv("MSGR2_CHECK_AGAIN");
	int again = again_env ? atoi(again_env) : -1;
	FILE *f;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	bool services = argc == 6 && !strcmp(argv[1], "services");
	if (services) {
		argv++;
		argc = 3;
		idx = 0;
	}
	if (argc < 3 ||
	    (strcmp(argv[1], "crc") && strcmp(argv[1], "secure") && strcmp(argv[1], "prefer-crc") &&
	     strcmp(argv[1], "prefer-secure")) ||
	    !mon_host) {
		fprintf(stderr,
			"usage: CEPH_MON_HOST=... %s crc|secure|prefer-crc|prefer-secure SECRETFILE [MON_INDEX] [ID]\n",
			argv[0]);
		return 1;
	}
	if (ceph_parse_mon_addrs(mon_host, CEPH_ADDR_SYNTAX_CEPH, &mons, err, sizeof(err))) {
		printf("error: CEPH_MON_HOST: %s\n", err);
		return 1;
	}
	if (idx >= mons.n) {
		printf("error: no monitor %u\n", idx);
		return 1;
	}
	for (unsigned i = 0; i < mons.mon[idx].n; i++)
		if (mons.mon[idx].v[i].type == CEPH_ADDR_MSGR2)
			mon = &mons.mon[idx].v[i];
	if (!mon) {
		printf("error: monitor %u has no msgr2 address\n", idx);
		return 1;
	}
	f = fopen(argv[2], "r");
	if (!f || !fgets(b64, sizeof(b64), f)) {
		printf("error: cannot read %s\n", argv[2]);
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	nl = strpbrk(b64, "\r\n");
	if (nl)
		*nl = '\0';
	if (ceph_key_decode(b64, &key, err, sizeof(err))) {
		printf("error: %s: %s\n", argv[2], err);
		return 1;
	}
	memset(b64, 0, sizeof(b64));
	if (cephx_client_init(&cx, CEPH_ENTITY_TYPE_CLIENT, id, &key,
			      CEPH_ENTITY_TYPE_MON | CEPH_ENTITY_TYPE_OSD | CEPH_ENTITY_TYPE_MDS)) {
		printf("error: cephx_client_init\n");
		return 1;
	}
	if (services) {
		cephx_client_destroy(&cx);
		rc = run_services(argv[1], mon, &key, argv[3], argv[4]);
		ceph_key_wipe(&key);
		return rc;
	}
	ceph_key_wipe(&key);

	rc = run_one(mon, argv[1], &cx, 1);
	if (rc == 0 && again >= 0 && (unsigned)again < mons.n) {
		/* A second session with the same cephx client, to another
		 * monitor: it reclaims the global_id with the old ticket. */
		mon = NULL;
		for (unsigned i = 0; i < mons.mon[again].n; i++)
			if (mons.mon[again].v[i].type == CEPH_ADDR_MSGR2)
				mon = &mons.mon[again].v[i];
		printf("again mon=%d\n", again);
		rc = mon ? run_one(mon, argv[1], &cx, 2) : 1;
	}
	cephx_client_destroy(&cx);
	return rc;
}
