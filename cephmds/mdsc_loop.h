/*
 * cephmds/mdsc_loop.h: the MDS client as a running thing: mdsc
 * (mds_client.h) on the monitor client's I/O thread (monc_loop), as the OSD
 * client runs there (osdc_loop.h): one msgr2_conn per MDS rank with a cephx
 * authorizer from the identity's MDS ticket, its timer, the MDS maps the
 * monitors send, and a synchronous call for other threads (FUSE workers,
 * tools) with a deadline and a cancel token.
 *
 * Set-up order, since each needs the other: mdsc_loop_new, monc_loop_new
 * with mdsc_loop_mdsmap_ops in its params (and want_fs), mdsc_loop_attach,
 * then monc_loop_open. mdsc_loop_close closes the sessions (the MDS drops
 * what it granted) before mdsc_loop_free, which goes before monc_loop_free.
 */
#ifndef NETFUSE_MDSC_LOOP_H
#define NETFUSE_MDSC_LOOP_H

#include "cephmds/mds_client.h"
#include "cephmon/mon/monc_loop.h"

struct mdsc_loop;

/* @metadata: REQUEST_OPEN's key/value pairs (copied). NULL when out of memory. */
struct mdsc_loop *mdsc_loop_new(struct health_queue *health, const char *const *metadata, unsigned nmeta);
struct monc_mdsmap_ops mdsc_loop_mdsmap_ops(struct mdsc_loop *dl);
void mdsc_loop_attach(struct mdsc_loop *dl, struct monc_loop *ml);
/* Close every session, waiting for the MDS's CLOSE until @deadline_ns:
 * 0, or -ETIMEDOUT (what is left is dropped with the connections). */
int mdsc_loop_close(struct mdsc_loop *dl, uint64_t deadline_ns);
/* Fails what is in flight with -ESHUTDOWN, closes the connections, frees. */
void mdsc_loop_free(struct mdsc_loop *dl);

/*
 * Run @r (filled as for mdsc_submit, without releases; done and arg are
 * the loop's) and wait for it: its result, with the reply in @r (free it
 * with mdsc_request_release). The paths, groups and data are copied first,
 * so the caller's may go once it returns. Gives up with -ETIMEDOUT at
 * @deadline_ns and with the token's error when @cancel (may be NULL)
 * fires; -ESHUTDOWN once the client stops.
 */
int mdsc_loop_call(struct mdsc_loop *dl, struct mdsc_request *r, uint64_t deadline_ns, struct evloop_cancel *cancel);

/*
 * The capability cache (mds_client.h says what each does). @fn runs on the
 * loop thread with the loop's lock held when the kernel must drop what
 * @what says of @ino: it must only queue the work (the kernel may wait on
 * a FUSE request that waits on this loop), then call
 * mdsc_loop_caps_invalidated with @token once done (when @token is not 0).
 */
typedef void (*mdsc_loop_inval_fn)(void *arg, uint64_t ino, unsigned what, uint64_t token);
void mdsc_loop_set_invalidate(struct mdsc_loop *dl, mdsc_loop_inval_fn fn, void *arg);
/* @fn runs on the loop thread, the loop's lock held, when Fb is revoked
 * while held (mdsc_io.writeback): it must only queue the write-back, whose
 * mdsc_loop_caps_put of Fb lets the ack go. */
typedef void (*mdsc_loop_writeback_fn)(void *arg, uint64_t ino);
void mdsc_loop_set_writeback(struct mdsc_loop *dl, mdsc_loop_writeback_fn fn, void *arg);
/* mdsc_inode from any thread (no round trip to the loop). */
int mdsc_loop_inode(struct mdsc_loop *dl, uint64_t ino, uint32_t need, struct mds_inode *out, char *pool_ns,
		    size_t ns_len);
/* mdsc_caps_name, mdsc_caps_listing_begin and _end from any thread. */
int mdsc_loop_name(struct mdsc_loop *dl, uint64_t dir, const char *name, uint64_t *ino);
void mdsc_loop_listing_begin(struct mdsc_loop *dl, uint64_t dir, struct mdsc_listing *l);
void mdsc_loop_listing_end(struct mdsc_loop *dl, uint64_t dir, const struct mdsc_listing *l);
/* mdsc_caps_dir_changed from any thread. */
void mdsc_loop_caps_dir_changed(struct mdsc_loop *dl, uint64_t ino);
/* mdsc_caps_get, waiting for a grant until @deadline_ns (-ETIMEDOUT) or
 * @cancel fires (its error): 0 with *got, -ENOENT (no cap), ... */
int mdsc_loop_caps_get(struct mdsc_loop *dl, uint64_t ino, uint32_t need, uint32_t want, uint64_t end,
		       uint64_t deadline_ns, struct evloop_cancel *cancel, uint32_t *got);
/* mdsc_caps_flush, then wait for its FLUSH_ACK: 0, -ENOENT (no cap: the
 * session that held it is gone), -ETIMEDOUT, the cancel's error. */
int mdsc_loop_caps_flush(struct mdsc_loop *dl, uint64_t ino, uint64_t deadline_ns, struct evloop_cancel *cancel);
/* mdsc_caps_wrote, done before it returns. */
void mdsc_loop_caps_wrote(struct mdsc_loop *dl, uint64_t ino, uint64_t end, struct mds_timespec mtime);
/* mdsc_caps_set_times, done before it returns. */
int mdsc_loop_caps_set_times(struct mdsc_loop *dl, uint64_t ino, const struct mds_timespec *atime,
			     const struct mds_timespec *mtime, struct mds_timespec ctime, struct mds_inode *out);
/* These queue their work and return at once; a put that only counts is
 * done on the caller's thread under the loop's lock (never call these
 * from the loop thread with that lock held). */
void mdsc_loop_caps_put(struct mdsc_loop *dl, uint64_t ino, uint32_t got);
void mdsc_loop_caps_close(struct mdsc_loop *dl, uint64_t ino);
void mdsc_loop_caps_forget(struct mdsc_loop *dl, uint64_t ino);
void mdsc_loop_caps_invalidated(struct mdsc_loop *dl, uint64_t ino, uint64_t token);
/* mdsc_caps_open: whether the kernel's pages from the last open are good. */
bool mdsc_loop_caps_open(struct mdsc_loop *dl, uint64_t ino, uint32_t want);
/* The caps as mdsc_format_caps writes them. */
size_t mdsc_loop_format_caps(struct mdsc_loop *dl, char *buf, size_t len);

/* For status: counts, the sessions (up to @max), and the requests in
 * flight as text (@requests may be NULL). Returns the sessions' count. */
unsigned mdsc_loop_status(struct mdsc_loop *dl, struct mdsc_status *st, struct mdsc_session_status *sessions,
			  unsigned max, char *requests, size_t len);

#endif
