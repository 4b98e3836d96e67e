/*
 * cephmon/msgr/cephx_identity.c: the client's cephx identity and its renewal
 * over MAuth (see the header). The renewal state is four fields (in
 * flight, the one immediate retry, the backoff and the time before which
 * not to try) rather than a state machine: a round is one MAuth and its
 * reply, and every path ends in maybe_renew(), which decides what is next.
 *
 * Times are the loop's clock in seconds, as cephx takes them.
 */
#include "config.h"

#include "cephmon/msgr/cephx_identity.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cephmon/msgr/msgr2_cephx.h"

#define BACKOFF_MAX_S 60

static int64_t now_s(void)
{
	return (int64_t)(evloop_now_ns() / EVLOOP_NS_PER_S);
}

static void renew_timer(struct evloop *l, struct evloop_timer *t, void *arg);

int cephx_identity_init(struct cephx_identity *ci, const struct cephx_identity_params *p)
{
	int e;

	memset(ci, 0, sizeof(*ci));
	ci->p = *p;
	ci->p.key = NULL; /* ci->cx holds it */
	evloop_timer_init(&ci->renew, renew_timer, ci);
	e = cephx_client_init(&ci->cx, CEPH_ENTITY_TYPE_CLIENT, p->id, p->key, p->want_keys);
	return e ? -EINVAL : 0;
}

void cephx_identity_destroy(struct cephx_identity *ci)
{
	cephx_client_destroy(&ci->cx);
	OPENSSL_cleanse(ci, sizeof(*ci));
}

/* ---- handshakes ------------------------------------------------------------------ */

int cephx_handshake_init(struct cephx_handshake *h, const struct cephx_identity *ci)
{
	return cephx_client_clone(&h->cx, &ci->cx) ? -ENOMEM : 0;
}

struct msgr2_auth_provider cephx_handshake_provider(struct cephx_handshake *h)
{
	return msgr2_cephx_provider(&h->cx);
}

void cephx_handshake_destroy(struct cephx_handshake *h)
{
	cephx_client_destroy(&h->cx);
}

static void maybe_renew(struct cephx_identity *ci);

void cephx_identity_session_up(struct cephx_identity *ci, const struct cephx_handshake *h)
{
	struct cephx_client won;

	if (cephx_client_clone(&won, &h->cx) == 0) {
		cephx_client_destroy(&ci->cx);
		ci->cx = won;
		OPENSSL_cleanse(&won, sizeof(won)); /* the copy on the stack held the keys */
	}
	ci->session = true;
	ci->inflight = ci->again = false;
	ci->not_before = ci->backoff_s = 0;
	maybe_renew(ci);
}

void cephx_identity_session_down(struct cephx_identity *ci)
{
	ci->session = false;
	ci->inflight = false;
	evloop_timer_cancel(ci->p.loop, &ci->renew);
}

void cephx_identity_handshake_down(struct cephx_identity *ci, const struct cephx_handshake *h, int err)
{
	/* A refused reclaim: the next handshake asks for a new global_id. */
	if (err == -EACCES && h->cx.global_id)
		cephx_forget_identity(&ci->cx);
}

/* ---- renewal ---------------------------------------------------------------------- */

static void send_mauth(struct cephx_identity *ci)
{
	struct wire_enc req, front;

	wire_enc_init(&req);
	wire_enc_init(&front);
	if (cephx_build_request(&ci->cx, now_s(), &req) == 0 && req.len &&
	    cephx_mauth_encode(req.buf, req.len, &front) == 0 && !wire_enc_error(&front) &&
	    ci->p.send_mauth(ci->p.arg, front.buf, front.len) == 0)
		ci->inflight = true;
	if (req.buf)
		OPENSSL_cleanse(req.buf, req.len);
	if (front.buf)
		OPENSSL_cleanse(front.buf, front.len);
	wire_enc_free(&req);
	wire_enc_free(&front);
}

/* Send an MAuth when a ticket is due and none is in flight, unless a
 * failure asked us to wait; then arm the timer for the next due time. No
 * session: nothing to do until the next one. */
static void maybe_renew(struct cephx_identity *ci)
{
	int64_t now = now_s(), next;

	if (!ci->session)
		return;
	if (!ci->inflight && now >= ci->not_before && cephx_should_authenticate(&ci->cx, now))
		send_mauth(ci);
	if (ci->inflight)
		return; /* the reply re-arms */
	next = cephx_next_renewal(&ci->cx);
	if (next > 0 || ci->not_before > now) {
		if (next < ci->not_before)
			next = ci->not_before;
		if (next <= now)
			next = now + 1;
		evloop_timer_arm(ci->p.loop, &ci->renew, (uint64_t)next * EVLOOP_NS_PER_S);
	}
}

/* A renewal round failed: try again later, 1 s doubling to 60 s. */
static void backoff(struct cephx_identity *ci)
{
	ci->backoff_s = ci->backoff_s ? ci->backoff_s * 2 : 1;
	if (ci->backoff_s > BACKOFF_MAX_S)
		ci->backoff_s = BACKOFF_MAX_S;
	ci->not_before = now_s() + ci->backoff_s;
}

static void renew_timer(struct evloop *l, struct evloop_timer *t, void *arg)
{
	struct cephx_identity *ci = arg;
	pthread_mutex_t *lock = ci->p.lock;

	(void)l, (void)t;
	if (lock)
		pthread_mutex_lock(lock);
	maybe_renew(ci);
	if (lock)
		pthread_mutex_unlock(lock);
}

void cephx_identity_handle_reply(struct cephx_identity *ci, const uint8_t *front, size_t len)
{
	struct cephx_mauth_reply r;
	char why[200];
	int e;

	ci->inflight = false;
	if (cephx_mauth_reply_decode(front, len, &r)) {
		health_report(ci->p.health, HEALTH_DOMAIN_SESSION, HEALTH_IO_ERROR, EBADMSG, ci->p.server, NULL,
			      "malformed MAuthReply dropped");
		backoff(ci);
	} else if (r.result < 0) {
		e = cephx_auth_error(&ci->cx, r.result, why, sizeof(why));
		health_report(ci->p.health, HEALTH_DOMAIN_SESSION, HEALTH_AUTH_FAILED, e, ci->p.server, NULL,
			      "ticket renewal refused: %s", why);
		backoff(ci);
	} else {
		e = cephx_handle_reply(&ci->cx, r.global_id, r.payload, r.payload_len, now_s(), NULL);
		if (e == 0 || e == -EAGAIN)
			ci->renewals++;
		if (e == 0) {
			ci->backoff_s = 0;
			ci->not_before = 0;
		} else if (e == -EAGAIN && !ci->again) {
			ci->again = true; /* a new AUTH ticket: the service tickets next, at once */
			send_mauth(ci);
		} else {
			if (e != -EAGAIN)
				health_report(ci->p.health, HEALTH_DOMAIN_SESSION, HEALTH_AUTH_FAILED, e, ci->p.server,
					      NULL, "ticket renewal failed: %s",
					      e == -EKEYREJECTED ? "the reply does not decrypt with our session key"
								 : strerror(-e));
			backoff(ci);
		}
		if (e != -EAGAIN)
			ci->again = false;
	}
	maybe_renew(ci);
}

uint64_t cephx_identity_global_id(const struct cephx_identity *ci)
{
	return ci->cx.global_id;
}

int64_t cephx_identity_mon_ticket_expires(const struct cephx_identity *ci)
{
	const struct cephx_ticket *t = &ci->cx.tickets[0]; /* CEPH_ENTITY_TYPE_MON: service bit 0 */

	return t->have_key ? t->expires : 0;
}
