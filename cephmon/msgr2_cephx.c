/*
 * cephmon/msgr2_cephx.c: the cephx adapter for msgr2_session (see the
 * header). The reasons it writes name the step and the error, never a
 * key, a ticket or a secret.
 */
#include "cephmon/msgr2_cephx.h"

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
	if (sess.session_key.len > sizeof(res->session_key) || sess.con_secret_len > sizeof(res->con_secret)) {
		cephx_session_wipe(&sess);
		snprintf(why, whylen, "cephx AUTH_DONE: session key or connection secret too long");
		return -EINVAL;
	}
	memcpy(res->session_key, sess.session_key.secret, sess.session_key.len);
	res->session_key_len = sess.session_key.len;
	memcpy(res->con_secret, sess.con_secret, sess.con_secret_len);
	res->con_secret_len = sess.con_secret_len;
	cephx_session_wipe(&sess);
	return 0;
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
