/*
 * nlm/lockd_agent.c: the host's NLM client agent (see lockd_agent.h and
 * agent_proto.h). A mount is a connection that said hello with its id; a
 * connection that says anything else first, or more than its hello, is
 * closed. Grants go out with MSG_DONTWAIT: a mount that does not read its
 * socket loses grants (it re-asks), never stalls lockd.
 */
#include "config.h"

#include "lockd_agent.h"

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
};

struct lockd_agent {
	struct evloop *loop;
	char *path;
	int fd;
	struct evloop_fd *h;
	struct mount_conn *conns;
	unsigned nconns;
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
	if (m->registered || n != NLM_AGENT_HELLO_LEN || memcmp(buf, NLM_AGENT_HELLO_MAGIC, 4)) {
		conn_close(m);
		return;
	}
	memcpy(&vers, buf + 4, sizeof(vers));
	if (ntohl(vers) != NLM_AGENT_VERSION) {
		conn_close(m);
		return;
	}
	memcpy(m->id, buf + 8, NLM_AGENT_ID_LEN);
	m->registered = true;
	m->a->st.mounts++;
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

void lockd_agent_stats(const struct lockd_agent *a, struct lockd_agent_stats *st)
{
	*st = a ? a->st : (struct lockd_agent_stats){0};
}

struct lockd_agent *lockd_agent_new(struct evloop *loop, const char *path, char *err, size_t errlen)
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
