/*
 * afs_rx/fs_client.c: file server RPC stubs (see fs_client.h), written by
 * hand on afs_xdr.h: the opcode as one XDR int, the IN arguments, then the
 * reply's OUT arguments read back (split calls first stream their data).
 */
#include "config.h"

#include "fs_client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_REPLY_LEN ((AFS_FETCH_STATUS_WORDS + 3 + 6) * 4)

static int decode_status_reply(const uint8_t *buf, size_t len, struct fs_status_reply *out)
{
	struct fs_status_reply r;
	struct rx_dec d;

	rx_dec_init(&d, buf, len);
	afs_dec_fetch_status(&d, &r.status);
	afs_dec_callback(&d, &r.callback);
	afs_dec_volsync(&d, &r.volsync);
	if (rx_dec_finish(&d) || afs_fetch_status_check(&r.status, false))
		return -EBADMSG;
	*out = r;
	return 0;
}

/* Begin a call and send a fully encoded request. */
static struct rx_call *start(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len, struct rx_enc *e,
			     uint64_t deadline_ns, int *err)
{
	struct rx_call *call;

	if (rx_enc_error(e)) {
		*err = rx_enc_error(e);
		rx_enc_free(e);
		return NULL;
	}
	call = rx_call_begin(ep, addr, len, AFS_FS_SERVICE, NULL, deadline_ns, err);
	if (call) {
		*err = rx_call_send(call, e->buf, e->len, true);
		if (*err) {
			rx_call_end(call, NULL);
			call = NULL;
		}
	}
	rx_enc_free(e);
	return call;
}

int fs_fetch_status(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len, const struct afs_fid *fid,
		    struct fs_status_reply *out, uint64_t deadline_ns, int32_t *abort_code)
{
	uint8_t reply[STATUS_REPLY_LEN + 4];
	struct rx_enc e;
	struct rx_call *call;
	ssize_t n;
	int err;

	if (abort_code)
		*abort_code = 0;
	rx_enc_init(&e);
	rx_enc_u32(&e, AFS_FS_FETCHSTATUS);
	afs_enc_fid(&e, fid);
	call = start(ep, addr, len, &e, deadline_ns, &err);
	if (!call)
		return err;
	n = rx_call_recv(call, reply, sizeof(reply));
	err = rx_call_end(call, abort_code);
	if (err)
		return err;
	if (n < 0)
		return (int)n;
	return decode_status_reply(reply, (size_t)n, out);
}

int fs_fetch_data64(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len, const struct afs_fid *fid,
		    uint64_t pos, uint64_t length, fs_data_sink sink, void *arg, uint64_t *got,
		    struct fs_status_reply *out, uint64_t deadline_ns, int32_t *abort_code)
{
	uint8_t lenbuf[8], tail[STATUS_REPLY_LEN + 4];
	size_t chunk = 64 * 1024;
	uint8_t *buf;
	struct rx_enc e;
	struct rx_call *call;
	uint64_t total, left;
	ssize_t n;
	int err, ret = 0;

	if (abort_code)
		*abort_code = 0;
	*got = 0;
	if (pos > INT64_MAX || length > INT64_MAX)
		return -EINVAL;
	buf = malloc(chunk);
	if (!buf)
		return -ENOMEM;
	rx_enc_init(&e);
	rx_enc_u32(&e, AFS_FS_FETCHDATA64);
	afs_enc_fid(&e, fid);
	rx_enc_u64(&e, pos);
	rx_enc_u64(&e, length);
	call = start(ep, addr, len, &e, deadline_ns, &err);
	if (!call) {
		free(buf);
		return err;
	}
	n = rx_call_recv(call, lenbuf, sizeof(lenbuf));
	if (n < 0) {
		ret = (int)n;
		goto end;
	}
	if (n != sizeof(lenbuf)) {
		ret = -EBADMSG;
		goto end;
	}
	total = (uint64_t)rx_get_be32(lenbuf) << 32 | rx_get_be32(lenbuf + 4);
	if (total > length) {
		/* More than asked for: a server we do not understand. */
		ret = -EBADMSG;
		goto end;
	}
	for (left = total; left;) {
		size_t want = left < chunk ? (size_t)left : chunk;

		n = rx_call_recv(call, buf, want);
		if (n < 0) {
			ret = (int)n;
			goto end;
		}
		if ((size_t)n != want) {
			ret = -EBADMSG;
			goto end;
		}
		ret = sink ? sink(arg, buf, want) : 0;
		if (ret) {
			rx_call_abort(call, RX_USER_ABORT);
			goto end;
		}
		left -= want;
		*got += want;
	}
	n = rx_call_recv(call, tail, sizeof(tail));
	if (n < 0) {
		ret = (int)n;
		goto end;
	}
	ret = decode_status_reply(tail, (size_t)n, out);
end:
	err = rx_call_end(call, abort_code);
	free(buf);
	/* The call's own failure says more than what it did to the decoding. */
	if (err && (ret == 0 || ret == -EBADMSG || ret == err))
		return err;
	return ret;
}
