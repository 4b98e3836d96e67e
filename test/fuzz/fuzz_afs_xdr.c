/*
 * Fuzz target: afs_rx/afs_xdr.c and afs_errors.c. The first input byte picks
 * a type, the rest is its XDR. What decodes must re-encode to exactly the
 * bytes it came from, except where the decoder is lenient by design (the
 * high bits of rxgen char units and of u_short units, string pad bytes).
 * So: types made of plain words must re-encode byte for byte; every type
 * must re-encode to as many bytes as it took, and decoding that encoding
 * must give the same encoding again. Any abort code maps to an errno.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "afs_rx/afs_errors.h"
#include "afs_rx/afs_xdr.h"
#include "test/lib/afs_server_enc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { T_FETCH_STATUS, T_FID_CB_VOLSYNC, T_STORE_STATUS, T_UVLDB, T_NVLDB, T_LABA, T_ADDRS, T_STRING, T_COUNT };

/* Decode one value of type @t from @d and encode it into @e: 0, or -EBADMSG. */
static int round_trip(int t, struct wire_dec *d, struct wire_enc *e)
{
	static struct afs_uvldbentry u;
	static struct afs_nvldbentry n;
	static struct afs_vl_addrs r;
	struct afs_fetch_status st;
	struct afs_fid fid;
	struct afs_callback cb;
	struct afs_volsync vs;
	struct afs_store_status ss;
	struct afs_list_addr_by_attributes a;
	char s[AFS_VL_MAXNAMELEN];

	switch (t) {
	case T_FETCH_STATUS:
		if (afs_dec_fetch_status(d, &st))
			return -EBADMSG;
		(void)afs_fetch_status_check(&st, true);
		(void)afs_fetch_status_check(&st, false);
		afs_enc_fetch_status(e, &st);
		return 0;
	case T_FID_CB_VOLSYNC:
		if (afs_dec_fid(d, &fid) || afs_dec_callback(d, &cb) || afs_dec_volsync(d, &vs))
			return -EBADMSG;
		afs_enc_fid(e, &fid);
		afs_enc_callback(e, &cb);
		afs_enc_volsync(e, &vs);
		return 0;
	case T_STORE_STATUS:
		if (afs_dec_store_status(d, &ss))
			return -EBADMSG;
		afs_enc_store_status(e, &ss);
		return 0;
	case T_UVLDB:
		if (afs_dec_uvldbentry(d, &u))
			return -EBADMSG;
		if (u.nservers < 0 || u.nservers > AFS_NMAXNSERVERS || !memchr(u.name, 0, sizeof(u.name)))
			abort();
		afs_enc_uvldbentry(e, &u);
		return 0;
	case T_NVLDB:
		if (afs_dec_nvldbentry(d, &n))
			return -EBADMSG;
		if (n.nservers < 0 || n.nservers > AFS_NMAXNSERVERS || !memchr(n.name, 0, sizeof(n.name)))
			abort();
		afs_enc_nvldbentry(e, &n);
		return 0;
	case T_LABA:
		if (afs_dec_list_addr_by_attributes(d, &a))
			return -EBADMSG;
		afs_enc_list_addr_by_attributes(e, &a);
		return 0;
	case T_ADDRS:
		if (afs_dec_vl_addrs(d, &r))
			return -EBADMSG;
		if (r.naddrs > AFS_VL_MAXADDRS)
			abort();
		afs_enc_vl_addrs(e, &r);
		return 0;
	case T_STRING:
		if (xdr_dec_string(d, s, sizeof(s), AFS_VL_MAXNAMELEN - 1))
			return -EBADMSG;
		if (strlen(s) >= sizeof(s))
			abort();
		xdr_enc_string(e, s, AFS_VL_MAXNAMELEN - 1);
		return 0;
	}
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_dec d, d2;
	struct wire_enc e1, e2;
	size_t consumed;
	int t;

	if (size >= 4) {
		int32_t code = (int32_t)get_be32(data);
		int err = afs_abort_to_errno(code);
		const char *name = afs_abort_name(code);

		if (err >= 0 || (name && !name[0]))
			abort();
	}
	if (size < 1)
		return 0;
	t = data[0] % T_COUNT;
	wire_dec_init(&d, data + 1, size - 1);
	wire_enc_init(&e1);
	if (round_trip(t, &d, &e1) != 0) {
		wire_enc_free(&e1);
		return 0;
	}
	if (wire_enc_error(&e1))
		abort();
	consumed = (size - 1) - wire_dec_left(&d);
	if (e1.len != consumed)
		abort(); /* every type here encodes to as many bytes as it took */
	if ((t == T_FETCH_STATUS || t == T_FID_CB_VOLSYNC || t == T_STORE_STATUS) &&
	    memcmp(e1.buf, data + 1, consumed) != 0)
		abort();

	wire_dec_init(&d2, e1.buf, e1.len);
	wire_enc_init(&e2);
	if (round_trip(t, &d2, &e2) != 0 || wire_dec_finish(&d2) != 0)
		abort(); /* our own encoding must decode */
	if (wire_enc_error(&e2) || e2.len != e1.len || memcmp(e2.buf, e1.buf, e1.len) != 0)
		abort();
	wire_enc_free(&e1);
	wire_enc_free(&e2);
	return 0;
}
