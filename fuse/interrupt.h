/*
 * fuse/interrupt.h: how a FUSE request that gives up reaches the backend's
 * wait. While the backend works on a request, the core arms a cancel token
 * for it (evloop/evloop_req.h) and hands it to the backend in nf_ctx; the
 * backend passes it to its protocol client, whose request attaches to it.
 * The token fires
 *  - with -EINTR when the kernel sends INTERRUPT for the request (the
 *    caller got a signal: ^C on a df), through fuse_req_interrupt_func;
 *  - with -ESHUTDOWN when the session ends (SIGTERM/SIGINT/SIGHUP, or the
 *    kernel ending the connection: fusermount3 -u), for every request still
 *    waiting, since libfuse joins its workers before the session goes.
 * No polling: the waiter is woken by the fire.
 *
 * The session's end is seen where it happens: a worker reading /dev/fuse
 * through libfuse's custom I/O sees ENODEV when the kernel ends the
 * connection, and a watcher thread sleeps on a pipe that the signal
 * handlers write to (chained after libfuse's own, which end the session
 * loop). Nothing wakes per request.
 */
#ifndef NETFUSE_FUSE_INTERRUPT_H
#define NETFUSE_FUSE_INTERRUPT_H

#include "fuse/mount_state.h"

/* A request's token while the backend works on it (on the handler's stack). */
struct op_cancel {
	struct evloop_cancel tok;
	struct nf_mount *m;
	fuse_req_t req;
	struct op_cancel *next, **pprev; /* m->armed */
};

/* Arm @oc for @req and put it in @c->cancel; fired at once if the request
 * was interrupted already or the session is ending. */
void op_cancel_arm(struct op_cancel *oc, struct nf_mount *m, fuse_req_t req, struct nf_ctx *c);
/* Before the request is answered (libfuse frees it with the reply); @c's
 * token is gone then. */
void op_cancel_disarm(struct op_cancel *oc, struct nf_ctx *c);

/* Start watching for the session's end: after fuse_set_signal_handlers
 * and fuse_session_mount (it reads the mounted descriptor through custom
 * I/O from then on). 0, or -errno. */
int session_end_watch_start(struct nf_mount *m);
/* Stop the watcher and give libfuse its own signal handlers back: before
 * fuse_remove_signal_handlers. Harmless when it never started. */
void session_end_watch_stop(struct nf_mount *m);

#endif
