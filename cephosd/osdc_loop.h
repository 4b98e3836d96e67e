/*
 * cephosd/osdc_loop.h: the OSD client as a running thing: osdc
 * (osd_client.h) on the monitor client's I/O thread (monc_loop), one
 * msgr2_conn per OSD with a cephx authorizer built from the identity's OSD
 * ticket, its timer, and a synchronous call for other threads (FUSE
 * workers, tools) with a deadline and a cancel token, in the shape of
 * monc_loop_statfs.
 *
 * Sharing the monitor client's thread and lock is the kernel's shape (one
 * messenger for a ceph_client): a new map and the requests it moves are
 * handled in one step, with no second lock between them. The trade-off is
 * one thread for all a mount's Ceph I/O; the work per message is small
 * (the socket copies and crcs are the bulk: a read's bytes land in the
 * caller's out_buf straight from the socket) and the sockets are
 * non-blocking.
 *
 * Set-up order, since each needs the other: osdc_loop_new (with the
 * keeper), monc_loop_new with osdc_loop_osdmap_ops in its params,
 * osdc_loop_attach, then monc_loop_open. osdc_loop_free goes before
 * monc_loop_free (it closes the OSD sessions on the loop thread).
 */
#ifndef NETFUSE_OSDC_LOOP_H
#define NETFUSE_OSDC_LOOP_H

#include "cephmon/mon/monc_loop.h"
#include "cephosd/osd_client.h"

struct osdc_loop;

/* NULL when out of memory. @health may be NULL. */
struct osdc_loop *osdc_loop_new(struct osdmap_keeper *keeper, struct health_queue *health);
struct monc_osdmap_ops osdc_loop_osdmap_ops(struct osdc_loop *ol);
void osdc_loop_attach(struct osdc_loop *ol, struct monc_loop *ml);
/* Fails what is in flight with -ESHUTDOWN, closes the sessions, frees. */
void osdc_loop_free(struct osdc_loop *ol);

/*
 * Run @r (filled as for osdc_submit; done and arg are the loop's) and wait
 * for it: its result, with the outputs in @r (free them with
 * osdc_request_release). The ops' inputs go to the OSDs from the caller's
 * own buffers, without a copy; a call that gives up, or ends while a
 * session still writes an earlier attempt, copies them first, so the
 * caller may free them once it returns. Gives up with -ETIMEDOUT at
 * @deadline_ns and with the token's error when @cancel (may be NULL)
 * fires; -ESHUTDOWN once the client stops. Every call must have returned
 * before osdc_loop_free.
 */
int osdc_loop_call(struct osdc_loop *ol, struct osdc_request *r, uint64_t deadline_ns, struct evloop_cancel *cancel);

/* For status: counts, and the requests in flight as text. */
void osdc_loop_status(struct osdc_loop *ol, struct osdc_status *st, char *requests, size_t len);

#endif
