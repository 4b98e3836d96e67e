/*
 * nlm/lockd_agent.c: the host's NLM client agent (see lockd_agent.h and
 * agent_proto.h). A mount is a connection that said hello with its id; a
 * connection that says anything else first, or more than its hello, is
 * closed. Grants go out with MSG_DONTWAIT: a mount that does not read its
 * socket loses grants (it re-asks), never stalls lockd. A server statd
 * monitors for the mounts is asked for once per lockd life (statd keeps
 * one record for all of them); a failure is asked again at the next hello.
 */
#include "config.h"

#include "lockd_agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <rpc/rpc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent_proto.h"
#include "evloop/evloop.h"
#include "nlm4_prot.h"

struct mount_conn {
	struct mount_conn *prev, *next;
	struct lockd_agent *a;
	int fd;
	struct evloop_fd *h;
	bool registered;
	unsigned char id[NLM_AGENT_ID_LEN];
	struct in_addr server; /* INADDR_ANY: none watched */
};

#define MAX_WATCHED	256
#define RECENT_RESTARTS 32
#define RECENT_NS	(60 * EVLOOP_NS_PER_S)

/* A restart statd reported: told again to a mount of that server that
 * joins soon after (a mount on the server's own host rejoins when this
 * lockd restarts with the server, maybe after statd's callback came). */
struct restart {
	struct in_addr server;
	int32_t state;
	uint64_t at;
};

struct lockd_agent {
	struct evloop *loop;
	char *path;
	int fd;
	struct evloop_fd *h;
	struct mount_conn *conns;
	unsigned nconns;
	int (*monitor)(void *arg, struct in_addr server, int32_t *self_state);
	void *arg;
	struct in_addr watched[MAX_WATCHED]; /* servers statd monitors for us */
	unsigned nwatched;
	/* The last server statd did not monitor, and until when that stands:
	 * a statd that does not answer costs one wait, not one per hello. */
	struct in_addr failed;
	int failed_error;
	uint64_t failed_until;
	struct restart recent[RECENT_RESTARTS];
	unsigned next_recent;
	struct lockd_agent_stats st;
};

static void conn_close(struct mount_conn *m)
{
	struct lockd_agent *a = m->a;

	if (m->registered)
		a->st.mounts--;
	evloop_fd_del(a->loop, m->h);
	close(m->fd);
	if (m->prev)
		m->prev->next = m->next;
	else
		a->conns = m->next;
	if (m->next)
		m->next->prev = m->prev;
	a->nconns--;
	free(m);
}

static void tell_restart(struct mount_conn *m, struct in_addr server, int32_t state)
{
	unsigned char msg[12];
	uint32_t st = htonl((uint32_t)state);

	memcpy(msg, NLM_AGENT_RESTART_MAGIC, 4);
	memcpy(msg + 4, &server, 4);
	memcpy(msg + 8, &st, 4);
	if (send(m->fd, msg, sizeof(msg), MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(msg))
		m->a->st.restarts_told++;
}

/* Has statd watch @server for the mounts: 0, or -errno. *@self_state: the
 * NSM state of this lockd, when @server is it (0: it is not). */
static int watch(struct lockd_agent *a, struct in_addr server, int32_t *self_state)
{
	int r;

	*self_state = 0;
	if (server.s_addr == htonl(INADDR_ANY))
		return 0;
	for (unsigned i = 0; i < a->nwatched; i++)
		if (a->watched[i].s_addr == server.s_addr)
			return 0;
	if (a->nwatched >= MAX_WATCHED)
		return -ENOSPC;
	if (a->failed_until && a->failed.s_addr == server.s_addr && evloop_now_ns() < a->failed_until)
		return a->failed_error;
	r = a->monitor ? a->monitor(a->arg, server, self_state) : -EOPNOTSUPP;
	if (!r && !*self_state)
		a->watched[a->nwatched++] = server;
	if (r) {
		a->failed = server;
		a->failed_error = r;
		a->failed_until = evloop_now_ns() + 10 * EVLOOP_NS_PER_S;
	}
	return r;
}

static void on_conn(struct evloop *l, int fd, uint32_t events, void *arg)
{
	struct mount_conn *m = arg;
	unsigned char buf[NLM_AGENT_HELLO_LEN + 1];
	ssize_t n;
	uint32_t vers;

	(void)l;
	(void)events;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* The hello, once; anything else (or the end) closes the connection. */
	if (m->registered || n < NLM_AGENT_HELLO1_LEN || memcmp(buf, NLM_AGENT_HELLO_MAGIC, 4)) {
		conn_close(m);
		return;
	}
	memcpy(&vers, buf + 4, sizeof(vers));
	vers = ntohl(vers);
	if (!(vers == 1 && n == NLM_AGENT_HELLO1_LEN) && !(vers == 2 && n == NLM_AGENT_HELLO_LEN)) {
		conn_close(m);
		return;
	}
	memcpy(m->id, buf + 8, NLM_AGENT_ID_LEN);
	m->registered = true;
	m->a->st.mounts++;
	if (vers == 2) {
		unsigned char reply[8];
		uint32_t e, flags;
		int32_t self_state;
		memcpy(&m->server, buf + 16, 4);
		memcpy(&flags, buf + 20, 4);
		e = htonl((uint32_t)-watch(m->a, m->server, &self_state));
		memcpy(reply, NLM_AGENT_MONITOR_MAGIC, 4);
		memcpy(reply + 4, &e, 4);
		(void)send(fd, reply, sizeof(reply), MSG_DONTWAIT | MSG_NOSIGNAL);
		/* Its server is this lockd, which it knew before: this lockd
		 * restarted since, and the locks it held here are gone. */
		if (self_state && (ntohl(flags) & NLM_AGENT_HELLO_REJOIN))
			tell_restart(m, m->server, self_state);
		uint64_t now = evloop_now_ns();
		for (unsigned i = 0; i < RECENT_RESTARTS; i++) {
			const struct restart *r = &m->a->recent[i];
			if (r->at && r->server.s_addr == m->server.s_addr && now - r->at < RECENT_NS)
				tell_restart(m, r->server, r->state);
		}
	}
}

static void on_listen(struct evloop *l, int fd, uint32_t events, void *arg)
{
	struct lockd_agent *a = arg;

	(void)events;
	for (;;) {
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct mount_conn *m;

		if (c < 0)
			return;
		if (a->nconns >= LOCKD_AGENT_MAX_MOUNTS || !(m = calloc(1, sizeof(*m)))) {
			close(c);
			continue;
		}
		m->a = a;
		m->fd = c;
		m->h = evloop_fd_add(l, c, EPOLLIN, on_conn, m);
		if (!m->h) {
			close(c);
			free(m);
			continue;
		}
		m->next = a->conns;
		if (m->next)
			m->next->prev = m;
		a->conns = m;
		a->nconns++;
	}
}

bool lockd_agent_granted(struct lockd_agent *a, const struct lockd_grant *g)
{
	unsigned char buf[NLM_AGENT_MSG_MAX];
	struct mount_conn *m;
	XDR x;
	bool ok;

	if (!a || g->oh_len < NLM_AGENT_ID_LEN)
		goto unmatched;
	for (m = a->conns; m; m = m->next)
		if (m->registered && !memcmp(m->id, g->oh, NLM_AGENT_ID_LEN))
			break;
	if (!m)
		goto unmatched;
	nlm4_testargs t = {
	    .cookie = {0, NULL},
	    .exclusive = g->exclusive,
	    .alock =
		{
		    .caller_name = (char *)g->caller_name,
		    .fh = {g->fh_len, (char *)g->fh},
		    .oh = {g->oh_len, (char *)g->oh},
		    .svid = g->svid,
		    .l_offset = g->offset,
		    .l_len = g->len,
		},
	};
	uint32_t from = 0; /* network order */
	if (g->from && g->from->addr.ss_family == AF_INET)
		from = ((const struct sockaddr_in *)&g->from->addr)->sin_addr.s_addr;
	memcpy(buf, NLM_AGENT_GRANT_MAGIC, 4);
	memcpy(buf + 4, &from, 4);
	xdrmem_create(&x, (char *)buf + 8, sizeof(buf) - 8, XDR_ENCODE);
	ok = xdr_nlm4_testargs(&x, &t);
	size_t len = 8 + xdr_getpos(&x);
	xdr_destroy(&x);
	if (!ok || send(m->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)len)
		goto unmatched;
	a->st.delivered++;
	return true;
unmatched:
	if (a)
		a->st.unmatched++;
	return false;
}

void lockd_agent_server_restarted(struct lockd_agent *a, const char *mon_name, int32_t state)
{
	struct in_addr server;

	if (!a || inet_pton(AF_INET, mon_name, &server) != 1)
		return;
	a->recent[a->next_recent++ % RECENT_RESTARTS] = (struct restart){server, state, evloop_now_ns()};
	for (struct mount_conn *m = a->conns; m; m = m->next)
		if (m->registered && m->server.s_addr == server.s_addr)
			tell_restart(m, server, state);
}

void lockd_agent_stats(const struct lockd_agent *a, struct lockd_agent_stats *st)
{
	*st = a ? a->st : (struct lockd_agent_stats){0};
}

struct lockd_agent *lockd_agent_new(struct evloop *loop, const char *path,
				    int (*monitor)(void *arg, struct in_addr server, int32_t *self_state), void *arg,
				    char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct lockd_agent *a;
	int probe;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "agent=%s: path too long", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	/* A live agent answers a connect; a stale socket does not. */
	probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe >= 0 && !connect(probe, (struct sockaddr *)&sun, sizeof(sun))) {
		close(probe);
		snprintf(err, errlen, "agent=%s: another netfuse-lockd serves this host's mounts there", path);
		return NULL;
	}
	if (probe >= 0)
		close(probe);
	a = calloc(1, sizeof(*a));
	if (!a || !(a->path = strdup(path))) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->loop = loop;
	a->monitor = monitor;
	a->arg = arg;
	unlink(path);
	a->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	mode_t old = umask(077); /* root's only, from the start */
	int r = a->fd < 0 ? -1 : bind(a->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r < 0 || listen(a->fd, 64) < 0 || !(a->h = evloop_fd_add(loop, a->fd, EPOLLIN, on_listen, a))) {
		snprintf(err, errlen, "agent=%s: %s", path, strerror(errno));
		if (a->fd >= 0) {
			close(a->fd);
			if (!r)
				unlink(path);
		}
		free(a->path);
		free(a);
		return NULL;
	}
	return a;
}

void lockd_agent_free(struct lockd_agent *a)
{
	if (!a)
		return;
	while (a->conns)
		conn_close(a->conns);
	evloop_fd_del(a->loop, a->h);
	close(a->fd);
	unlink(a->path);
	free(a->path);
	free(a);
}
