/*
 * cephmon/msgr/msgr2_cephx.c: the cephx adapters for msgr2_session, to
 * monitors and to the other services (see the header). The reasons they
 * write name the step and the error, never a key, a ticket or a secret.
 */
#include "config.h"

#include "cephmon/msgr/msgr2_cephx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

static void reason(char *why, size_t whylen, const char *step, int err)
{
	if (err == -EKEYREJECTED)
		snprintf(why, whylen, "cephx %s: the reply does not decrypt with our key (wrong key?)", step);
	else if (err == -EBADMSG)
		snprintf(why, whylen, "cephx %s: malformed reply from the monitor", step);
	else
		snprintf(why, whylen, "cephx %s: %s", step, strerror(err < 0 ? -err : err));
}

static int cx_request(void *arg, struct wire_enc *out, char *why, size_t whylen)
{
	int r = cephx_get_request(arg, out);

	if (r < 0)
		reason(why, whylen, "request", r);
	return r;
}

static int cx_reply_more(void *arg, const uint8_t *p, size_t len, uint64_t now_ns, struct wire_enc *out, char *why,
			 size_t whylen)
{
	int r = cephx_handle_reply_more(arg, p, len, (int64_t)(now_ns / 1000000000u), out);

	if (r < 0)
		reason(why, whylen, "challenge", r);
	return r;
}

/* The session key and connection secret msgr2 needs, out of @sess
 * (wiped either way). */
static int give_result(struct cephx_session *sess, struct msgr2_auth_result *res, char *why, size_t whylen)
{
	if (sess->session_key.len > sizeof(res->session_key) || sess->con_secret_len > sizeof(res->con_secret)) {
		cephx_session_wipe(sess);
		snprintf(why, whylen, "cephx AUTH_DONE: session key or connection secret too long");
		return -EINVAL;
	}
	memcpy(res->session_key, sess->session_key.secret, sess->session_key.len);
	res->session_key_len = sess->session_key.len;
	memcpy(res->con_secret, sess->con_secret, sess->con_secret_len);
	res->con_secret_len = sess->con_secret_len;
	cephx_session_wipe(sess);
	return 0;
}

static int cx_done(void *arg, uint64_t global_id, const uint8_t *p, size_t len, uint64_t now_ns,
		   struct msgr2_auth_result *res, char *why, size_t whylen)
{
	struct cephx_session sess;
	int r;

	memset(&sess, 0, sizeof(sess));
	r = cephx_handle_reply_done(arg, global_id, p, len, (int64_t)(now_ns / 1000000000u), &sess);
	if (r < 0) {
		cephx_session_wipe(&sess);
		reason(why, whylen, "AUTH_DONE", r);
		return r;
	}
	return give_result(&sess, res, why, whylen);
}

/*
 * A Pacific monitor answers -EACCES (not -EPERM) both to a wrong key and
 * to an unknown entity (seen on 16.2.15: AUTH_BAD_METHOD, result -13);
 * cephx_auth_error() reads -EACCES as a caps or reclaim problem, so a
 * first handshake (nothing reclaimed) gets the likelier reasons first.
 */
static int cx_refused(void *arg, int32_t result, char *why, size_t whylen)
{
	const struct cephx_client *c = arg;
	int r = cephx_auth_error(c, result, why, whylen);

	if (result == -EACCES && c->global_id == 0) {
		char id[CEPHX_ID_MAX];
		size_t i;

		for (i = 0; i + 1 < sizeof(id) && c->id[i]; i++)
			id[i] = (c->id[i] >= 0x20 && c->id[i] < 0x7f) ? c->id[i] : '?';
		id[i] = '\0';
		snprintf(why, whylen,
			 "cephx: monitor refused client.%s (result %d): wrong key or unknown entity (the monitor does "
			 "not say which), or no mon caps",
			 id, (int)result);
	}
	return r;
}

const struct msgr2_auth_ops msgr2_cephx_ops = {
    .method = MSGR2_AUTH_CEPHX,
    .name = "cephx",
    .request = cx_request,
    .reply_more = cx_reply_more,
    .done = cx_done,
    .refused = cx_refused,
};

/* ---- authorizers for OSDs, MDSs and managers ------------------------------------------ */

static const char *service_name(uint32_t service)
{
	switch (service) {
	case CEPH_ENTITY_TYPE_OSD:
		return "OSD";
	case CEPH_ENTITY_TYPE_MDS:
		return "MDS";
	case CEPH_ENTITY_TYPE_MGR:
		return "manager";
	default:
		return "unknown";
	}
}

static int copy_authorizer(const struct msgr2_cephx_authorizer *a, struct wire_enc *out)
{
	wire_enc_bytes(out, a->au.buf.buf, a->au.buf.len);
	return wire_enc_error(out);
}

static int au_request(void *arg, struct wire_enc *out, char *why, size_t whylen)
{
	struct msgr2_cephx_authorizer *a = arg;
	int r;

	if (a->built)
		cephx_authorizer_destroy(&a->au);
	a->built = false;
	r = cephx_authorizer_build(a->cx, a->service, &a->au);
	if (r == -ENOKEY) {
		snprintf(why, whylen,
			 "cephx authorizer: no ticket for the %s service (not granted, or not fetched yet)",
			 service_name(a->service));
		return r;
	}
	if (r < 0) {
		reason(why, whylen, "authorizer", r);
		return r;
	}
	a->built = true;
	return copy_authorizer(a, out);
}

static int au_reply_more(void *arg, const uint8_t *p, size_t len, uint64_t now_ns, struct wire_enc *out, char *why,
			 size_t whylen)
{
	struct msgr2_cephx_authorizer *a = arg;
	int r;

	(void)now_ns;
	r = a->built ? cephx_authorizer_add_challenge(&a->au, p, len) : -EPROTO;
	if (r == -EKEYREJECTED || r == -EBADMSG) {
		snprintf(why, whylen,
			 "cephx authorizer challenge: the %s's challenge does not decrypt with the ticket's key",
			 service_name(a->service));
		return r;
	}
	if (r < 0) {
		reason(why, whylen, "authorizer challenge", r);
		return r;
	}
	return copy_authorizer(a, out);
}

static int au_done(void *arg, uint64_t global_id, const uint8_t *p, size_t len, uint64_t now_ns,
		   struct msgr2_auth_result *res, char *why, size_t whylen)
{
	struct msgr2_cephx_authorizer *a = arg;
	struct cephx_session sess;
	int r;

	(void)global_id, (void)now_ns;
	memset(&sess, 0, sizeof(sess));
	r = a->built ? cephx_authorizer_verify_reply(&a->au, p, len, &sess) : -EPROTO;
	if (r < 0) {
		cephx_session_wipe(&sess);
		if (r == -EPERM)
			snprintf(why, whylen, "cephx authorizer reply: the %s did not prove it holds the ticket's key",
				 service_name(a->service));
		else if (r == -EKEYREJECTED || r == -EBADMSG)
			snprintf(why, whylen,
				 "cephx authorizer reply: malformed, or not encrypted with the ticket's key");
		else
			reason(why, whylen, "authorizer reply", r);
		return r;
	}
	return give_result(&sess, res, why, whylen);
}

/* As the kernel's ceph_auth_handle_bad_authorizer: the service allows
 * cephx yet refused us, so our ticket for it is no good (expired, or its
 * rotating secret gone): drop it, and the AUTH ticket, to fetch afresh. */
static int au_refused(void *arg, int32_t result, char *why, size_t whylen)
{
	struct msgr2_cephx_authorizer *a = arg;

	cephx_invalidate(a->cx, a->service);
	snprintf(why, whylen,
		 "cephx: the %s refused our authorizer (result %d): the ticket is stale or not valid for it",
		 service_name(a->service), (int)result);
	return -EACCES;
}

const struct msgr2_auth_ops msgr2_cephx_authorizer_ops = {
    .method = MSGR2_AUTH_CEPHX,
    .name = "cephx authorizer",
    .request = au_request,
    .reply_more = au_reply_more,
    .done = au_done,
    .refused = au_refused,
};

void msgr2_cephx_authorizer_destroy(struct msgr2_cephx_authorizer *a)
{
	if (a->built)
		cephx_authorizer_destroy(&a->au);
	OPENSSL_cleanse(a, sizeof(*a));
}
