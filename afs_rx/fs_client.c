/*
 * afs_rx/fs_client.c: file server RPC stubs (see fs_client.h), written by
 * hand on afs_xdr.h and fs_xdr.h: the opcode as one XDR int, the IN
 * arguments, then the reply's OUT arguments read back (split calls stream
 * their data: FetchData64's after a length word in the reply,
 * StoreData64's after the fixed arguments in the request). Every reply is
 * read whole into a buffer one word larger than the largest valid one and
 * decoded only once the call has completed, so an aborted or failed call
 * never yields a partial result.
 */
#include "config.h"

#include "afs_rx/fs_client.h"

#include "afs_rx/afs_stub.h"
#include "afs_rx/afs_xdr.h"
#include "afs_rx/fs_xdr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_REPLY_LEN ((AFS_FETCH_STATUS_WORDS + 3 + 6) * 4)

static int decode_status_reply(const uint8_t *buf, size_t len, struct fs_status_reply *out)
{
	struct fs_status_reply r;
	struct wire_dec d;

	wire_dec_init(&d, buf, len);
	afs_dec_fetch_status(&d, &r.status);
	afs_dec_callback(&d, &r.callback);
	afs_dec_volsync(&d, &r.volsync);
	if (wire_dec_finish(&d) || afs_fetch_status_check(&r.status, false))
		return -EBADMSG;
	*out = r;
	return 0;
}

int fs_fetch_status(struct afs_call_ctx *cx, const struct afs_fid *fid, struct fs_status_reply *out)
{
	uint8_t reply[STATUS_REPLY_LEN + 4];
	struct wire_enc e;
	size_t n;
	int ret;

	wire_enc_init(&e);
	wire_enc_be32(&e, AFS_FS_FETCHSTATUS);
	afs_enc_fid(&e, fid);
	ret = afs_call_simple(cx, AFS_FS_SERVICE, &e, reply, sizeof(reply), &n);
	return ret ? ret : decode_status_reply(reply, n, out);
}

int fs_fetch_data64(struct afs_call_ctx *cx, const struct afs_fid *fid, uint64_t pos, uint64_t length,
		    fs_data_sink sink, void *arg, uint64_t *got, struct fs_status_reply *out)
{
	uint8_t lenbuf[8], tail[STATUS_REPLY_LEN + 4];
	size_t chunk = 64 * 1024;
	uint8_t *buf;
	struct wire_enc e;
	struct rx_call *call;
	uint64_t total, left;
	ssize_t n;
	bool sink_failed = false;
	int err, ret = 0;

	cx->abort_code = 0;
	*got = 0;
	if (pos > INT64_MAX || length > INT64_MAX)
		return -EINVAL;
	buf = malloc(chunk);
	if (!buf)
		return -ENOMEM;
	wire_enc_init(&e);
	wire_enc_be32(&e, AFS_FS_FETCHDATA64);
	afs_enc_fid(&e, fid);
	wire_enc_be64(&e, pos);
	wire_enc_be64(&e, length);
	call = afs_call_start(cx, AFS_FS_SERVICE, &e, false, &err);
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
	total = get_be64(lenbuf);
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
			sink_failed = true;
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
	err = afs_call_end(cx, call);
	free(buf);
	/* The call's own failure (a server's abort, mapped) says more than
	 * what it did to the reading, unless the sink stopped it. */
	if (err && !sink_failed)
		return err;
	return ret;
}

/* ---- metadata and write RPCs -------------------------------------------------------------------------- */

int fs_store_data64(struct afs_call_ctx *cx, const struct afs_fid *fid, const struct afs_store_status *ss, uint64_t pos,
		    uint64_t length, uint64_t file_length, fs_data_source src, void *arg, struct fs_store_reply *out)
{
	const size_t piece = 64 * 1024;
	uint8_t reply[FS_STORE_REPLY_LEN + 4];
	uint8_t *buf = NULL;
	struct wire_enc e;
	struct rx_call *call;
	uint64_t left;
	ssize_t n = 0;
	bool src_failed = false;
	int err, ret;

	cx->abort_code = 0;
	/* The fileserver keeps offsets in a signed 64-bit afs_fsize_t. */
	if (pos > INT64_MAX || length > INT64_MAX - pos || file_length > INT64_MAX || (length && !src))
		return -EINVAL;
	if (length) {
		buf = malloc(length < piece ? (size_t)length : piece);
		if (!buf)
			return -ENOMEM;
	}
	/* The fixed arguments, then the data as it comes: one request stream. */
	wire_enc_init(&e);
	fs_enc_store_data64(&e, fid, ss, pos, length, file_length);
	call = afs_call_start(cx, AFS_FS_SERVICE, &e, length != 0, &ret);
	if (!call) {
		free(buf);
		return ret;
	}
	for (left = length; !ret && left;) {
		size_t want = left < piece ? (size_t)left : piece;

		ret = src(arg, buf, want);
		if (ret) {
			src_failed = true;
			rx_call_abort(call, RX_USER_ABORT);
			break;
		}
		left -= want;
		ret = rx_call_send(call, buf, want, left == 0);
	}
	if (!ret) {
		n = rx_call_recv(call, reply, sizeof(reply));
		if (n < 0)
			ret = (int)n;
	}
	err = afs_call_end(cx, call);
	free(buf);
	/* The call's own failure says more, unless the source stopped it. */
	if (src_failed)
		return ret;
	if (err)
		return err;
	if (ret)
		return ret;
	return fs_dec_store_reply(reply, (size_t)n, out);
}

int fs_store_status(struct afs_call_ctx *cx, const struct afs_fid *fid, const struct afs_store_status *ss,
		    struct fs_store_reply *out)
{
	uint8_t reply[FS_STORE_REPLY_LEN + 4];
	struct wire_enc e;
	size_t n;
	int ret;

	wire_enc_init(&e);
	fs_enc_store_status(&e, fid, ss);
	ret = afs_call_simple(cx, AFS_FS_SERVICE, &e, reply, sizeof(reply), &n);
	return ret ? ret : fs_dec_store_reply(reply, n, out);
}

static int create(struct afs_call_ctx *cx, uint32_t opcode, const struct afs_fid *dir, const char *name,
		  const struct afs_store_status *ss, struct fs_create_reply *out)
{
	uint8_t reply[FS_CREATE_REPLY_LEN + 4];
	struct wire_enc e;
	size_t n;
	int ret;

	wire_enc_init(&e);
	fs_enc_create(&e, opcode, dir, name, ss);
	ret = afs_call_simple(cx, AFS_FS_SERVICE, &e, reply, sizeof(reply), &n);
	return ret ? ret : fs_dec_create_reply(reply, n, out);
}

int fs_create_file(struct afs_call_ctx *cx, const struct afs_fid *dir, const char *name,
		   const struct afs_store_status *ss, struct fs_create_reply *out)
{
	return create(cx, AFS_FS_CREATEFILE, dir, name, ss, out);
}

int fs_make_dir(struct afs_call_ctx *cx, const struct afs_fid *dir, const char *name, const struct afs_store_status *ss,
		struct fs_create_reply *out)
{
	return create(cx, AFS_FS_MAKEDIR, dir, name, ss, out);
}

static int remove_entry(struct afs_call_ctx *cx, uint32_t opcode, const struct afs_fid *dir, const char *name,
			struct fs_store_reply *out)
{
	uint8_t reply[FS_STORE_REPLY_LEN + 4];
	struct wire_enc e;
	size_t n;
	int ret;

	wire_enc_init(&e);
	fs_enc_remove(&e, opcode, dir, name);
	ret = afs_call_simple(cx, AFS_FS_SERVICE, &e, reply, sizeof(reply), &n);
	return ret ? ret : fs_dec_store_reply(reply, n, out);
}

int fs_remove_file(struct afs_call_ctx *cx, const struct afs_fid *dir, const char *name, struct fs_store_reply *out)
{
	return remove_entry(cx, AFS_FS_REMOVEFILE, dir, name, out);
}

int fs_remove_dir(struct afs_call_ctx *cx, const struct afs_fid *dir, const char *name, struct fs_store_reply *out)
{
	return remove_entry(cx, AFS_FS_REMOVEDIR, dir, name, out);
}

int fs_rename(struct afs_call_ctx *cx, const struct afs_fid *old_dir, const char *old_name,
	      const struct afs_fid *new_dir, const char *new_name, struct fs_rename_reply *out)
{
	uint8_t reply[FS_LINK_REPLY_LEN + 4];
	struct wire_enc e;
	size_t n;
	int ret;

	wire_enc_init(&e);
	fs_enc_rename(&e, old_dir, old_name, new_dir, new_name);
	ret = afs_call_simple(cx, AFS_FS_SERVICE, &e, reply, sizeof(reply), &n);
	return ret ? ret : fs_dec_rename_reply(reply, n, out);
}

int fs_symlink(struct afs_call_ctx *cx, const struct afs_fid *dir, const char *name, const char *target,
	       const struct afs_store_status *ss, struct fs_create_reply *out)
{
	uint8_t reply[FS_SYMLINK_REPLY_LEN + 4];
	struct wire_enc e;
	size_t n;
	int ret;

	wire_enc_init(&e);
	fs_enc_symlink(&e, dir, name, target, ss);
	ret = afs_call_simple(cx, AFS_FS_SERVICE, &e, reply, sizeof(reply), &n);
	return ret ? ret : fs_dec_symlink_reply(reply, n, out);
}

int fs_link(struct afs_call_ctx *cx, const struct afs_fid *dir, const char *name, const struct afs_fid *existing,
	    struct fs_link_reply *out)
{
	uint8_t reply[FS_LINK_REPLY_LEN + 4];
	struct wire_enc e;
	size_t n;
	int ret;

	wire_enc_init(&e);
	fs_enc_link(&e, dir, name, existing);
	ret = afs_call_simple(cx, AFS_FS_SERVICE, &e, reply, sizeof(reply), &n);
	return ret ? ret : fs_dec_link_reply(reply, n, out);
}

int fs_inline_bulk_status(struct afs_call_ctx *cx, const struct afs_fid *fids, unsigned n,
			  struct fs_bulk_status_reply *out)
{
	uint8_t *reply;
	struct wire_enc e;
	size_t got;
	int ret;

	cx->abort_code = 0;
	if (n == 0 || n > AFS_CBMAX)
		return -EINVAL;
	/* Up to 4.7 KiB: off the stack of a FUSE worker. */
	reply = malloc(FS_BULK_STATUS_REPLY_MAX + 4);
	if (!reply)
		return -ENOMEM;
	wire_enc_init(&e);
	fs_enc_inline_bulk_status(&e, fids, n);
	ret = afs_call_simple(cx, AFS_FS_SERVICE, &e, reply, FS_BULK_STATUS_REPLY_MAX + 4, &got);
	if (!ret)
		ret = fs_dec_bulk_status_reply(reply, got, n, out);
	free(reply);
	return ret;
}

int fs_give_up_callbacks(struct afs_call_ctx *cx, const struct afs_fid *fids, const struct afs_callback *cbs,
			 unsigned n)
{
	uint8_t reply[4];
	struct wire_enc e;
	size_t got;
	int ret;

	cx->abort_code = 0;
	if (n > AFS_CBMAX)
		return -EINVAL;
	wire_enc_init(&e);
	fs_enc_give_up_callbacks(&e, fids, cbs, n);
	ret = afs_call_simple(cx, AFS_FS_SERVICE, &e, reply, sizeof(reply), &got);
	return ret ? ret : fs_dec_empty_reply(reply, got);
}

int fs_get_volume_status(struct afs_call_ctx *cx, uint32_t volume, struct fs_volume_status_reply *out)
{
	uint8_t *reply;
	struct wire_enc e;
	size_t got;
	int ret;

	cx->abort_code = 0;
	reply = malloc(FS_VOLUME_STATUS_REPLY_MAX + 4);
	if (!reply)
		return -ENOMEM;
	wire_enc_init(&e);
	fs_enc_get_volume_status(&e, volume);
	ret = afs_call_simple(cx, AFS_FS_SERVICE, &e, reply, FS_VOLUME_STATUS_REPLY_MAX + 4, &got);
	if (!ret)
		ret = fs_dec_volume_status_reply(reply, got, out);
	free(reply);
	return ret;
}

int fs_get_capabilities(struct afs_call_ctx *cx, struct fs_capabilities *out)
{
	uint8_t reply[FS_CAPABILITIES_REPLY_MAX + 4];
	struct wire_enc e;
	size_t got;
	int ret;

	wire_enc_init(&e);
	fs_enc_get_capabilities(&e);
	ret = afs_call_simple(cx, AFS_FS_SERVICE, &e, reply, sizeof(reply), &got);
	return ret ? ret : fs_dec_capabilities_reply(reply, got, out);
}
