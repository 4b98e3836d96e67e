/*
 * fuse/interrupt.c: FUSE interrupts and the session's end reaching the
 * backend's waits (see interrupt.h).
 *
 * Lock order: libfuse's request lock (it holds it while calling the
 * interrupt function) or the mount's cancel_lock, then a token's lock, then
 * whatever lock the request attached to the token belongs to. Disarming
 * takes the request lock through fuse_req_interrupt_func(req, NULL, NULL),
 * which waits for an interrupt function running at that moment, so the
 * token on the handler's stack is never fired after it is gone.
 *
 * Trade-off: the signal handlers are chained after libfuse's (which set the
 * session's exit flag) rather than replacing them, so the loop still ends
 * exactly as libfuse ends it; the chain is undone before libfuse removes
 * its own handlers, which it does only when they are still in place.
 */
#include "config.h"

#include "fuse/interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuse/log.h"

/* ---- request tokens ---------------------------------------------------------------- */

static void on_interrupt(fuse_req_t req, void *data)
{
	(void)req;
	evloop_cancel_fire(data, -EINTR);
}

void op_cancel_arm(struct op_cancel *oc, struct nf_mount *m, fuse_req_t req, struct nf_ctx *c)
{
	evloop_cancel_init(&oc->tok);
	oc->m = m;
	oc->req = req;
	c->cancel = &oc->tok;
	pthread_mutex_lock(&m->cancel_lock);
	if (m->ending)
		evloop_cancel_fire(&oc->tok, -ESHUTDOWN);
	oc->next = m->armed;
	if (oc->next)
		oc->next->pprev = &oc->next;
	oc->pprev = &m->armed;
	m->armed = oc;
	pthread_mutex_unlock(&m->cancel_lock);
	/* Calls on_interrupt at once when the INTERRUPT came first. */
	fuse_req_interrupt_func(req, on_interrupt, &oc->tok);
}

void op_cancel_disarm(struct op_cancel *oc, struct nf_ctx *c)
{
	struct nf_mount *m = oc->m;

	c->cancel = NULL; /* the token is gone with the call's scope */
	fuse_req_interrupt_func(oc->req, NULL, NULL);
	pthread_mutex_lock(&m->cancel_lock);
	*oc->pprev = oc->next;
	if (oc->next)
		oc->next->pprev = oc->pprev;
	pthread_mutex_unlock(&m->cancel_lock);
	evloop_cancel_destroy(&oc->tok);
}

/* Every request still waiting gives up, and every later one at once. */
static void session_ending(struct nf_mount *m)
{
	pthread_mutex_lock(&m->cancel_lock);
	m->ending = true;
	for (struct op_cancel *oc = m->armed; oc; oc = oc->next)
		evloop_cancel_fire(&oc->tok, -ESHUTDOWN);
	pthread_mutex_unlock(&m->cancel_lock);
}

/* ---- the session's end ------------------------------------------------------------- */

static const int end_signals[] = {SIGHUP, SIGINT, SIGTERM};
#define NEND (sizeof(end_signals) / sizeof(end_signals[0]))

/* Signal-handler state: one session per process. A signal libfuse left
 * alone (ignored, as under nohup) ends nothing: it is not chained. */
static struct sigaction libfuse_action[NEND];
static bool chained[NEND];
static volatile sig_atomic_t end_pipe_w = -1;

static void on_end_signal(int sig)
{
	int saved = errno;
	char b = 's';

	for (unsigned i = 0; i < NEND; i++)
		if (end_signals[i] == sig && chained[i])
			libfuse_action[i].sa_handler(sig);
	if (end_pipe_w >= 0 && write(end_pipe_w, &b, 1) < 0) {
		/* Full: a byte is there already. */
	}
	errno = saved;
}

/* A signal asked the session to end: the handler wrote to the pipe. */
static void *end_watcher(void *arg)
{
	struct nf_mount *m = arg;
	struct pollfd p = {.fd = m->end_pipe[0], .events = POLLIN};
	int n;

	do
		n = poll(&p, 1, -1);
	while (n < 0 && errno == EINTR);
	session_ending(m);
	return NULL;
}

/* The kernel ended the connection (an unmount, an abort): the worker whose
 * read sees it fires every token before libfuse ends the loop. Reading
 * /dev/fuse through these is libfuse's custom I/O; nothing else changes. */
static ssize_t io_read(int fd, void *buf, size_t len, void *userdata)
{
	ssize_t r = read(fd, buf, len);
	int old;

	if (r < 0 && errno == ENODEV) {
		/* libfuse may cancel a worker inside its read (when another
		 * ends the loop): never while this one holds the tokens' locks. */
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
		session_ending(userdata);
		pthread_setcancelstate(old, NULL);
		errno = ENODEV;
	}
	return r;
}

static ssize_t io_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	(void)userdata;
	return writev(fd, iov, count);
}

static const struct fuse_custom_io end_watching_io = {.read = io_read, .writev = io_writev};

int session_end_watch_start(struct nf_mount *m)
{
	struct sigaction sa = {.sa_handler = on_end_signal};
	int r;

	/* The mounted descriptor, read through io_read from now on. */
	r = fuse_session_custom_io(m->se, &end_watching_io, fuse_session_fd(m->se));
	if (r)
		return r;
	if (pipe2(m->end_pipe, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	end_pipe_w = m->end_pipe[1];
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < NEND; i++) {
		sigaction(end_signals[i], NULL, &libfuse_action[i]);
		chained[i] = !(libfuse_action[i].sa_flags & SA_SIGINFO) && libfuse_action[i].sa_handler != SIG_DFL &&
			     libfuse_action[i].sa_handler != SIG_IGN;
		if (!chained[i])
			continue;
		sa.sa_flags = libfuse_action[i].sa_flags;
		sigaction(end_signals[i], &sa, NULL);
	}
	r = pthread_create(&m->end_watcher, NULL, end_watcher, m);
	if (r) {
		session_end_watch_stop(m);
		return -r;
	}
	m->end_watching = true;
	return 0;
}

void session_end_watch_stop(struct nf_mount *m)
{
	char b = 'q';

	if (end_pipe_w < 0)
		return;
	for (unsigned i = 0; i < NEND; i++)
		if (chained[i])
			sigaction(end_signals[i], &libfuse_action[i], NULL);
	end_pipe_w = -1;
	if (m->end_watching) {
		if (write(m->end_pipe[1], &b, 1) < 0)
			nf_log(LOG_WARNING, "could not wake the session watcher");
		pthread_join(m->end_watcher, NULL);
		m->end_watching = false;
	}
	/* The write end stays open until the process exits: a handler that
	 * began before the handlers were given back may still write to it. */
	close(m->end_pipe[0]);
	m->end_pipe[0] = -1;
}
