/*
 * Fuzz target: the file server reply decoders of afs_rx/fs_xdr.c. The
 * first input byte picks a reply type; for InlineBulkStatus the second is
 * the number of FIDs asked (1..50 after reduction); the rest is the reply
 * body. What decodes must satisfy the decoder's promises (counts within
 * bounds and equal to the FIDs asked, every status usable or an inline
 * error, NUL-terminated strings) and re-encode to exactly the bytes it came
 * from, except GetVolumeStatus, whose char units and string padding are
 * read leniently: there the encoding must be as long as the input and
 * decode to the same encoding again.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "afs_rx/fs_xdr.h"
#include "test/lib/afs_server_enc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { T_STORE, T_CREATE, T_SYMLINK, T_LINK, T_RENAME, T_BULK, T_VOLSTAT, T_CAPS, T_EMPTY, T_COUNT };

static void check_status(const struct afs_fetch_status *st, bool inline_bulk)
{
	if (afs_fetch_status_check(st, inline_bulk) < 0)
		abort();
}

/* Decode @buf as type @t and encode it into @e: 0, or -EBADMSG. */
static int round_trip(int t, unsigned nfids, const uint8_t *buf, size_t len, struct wire_enc *e)
{
	static struct fs_bulk_status_reply b;
	static struct fs_volume_status_reply v;
	static struct fs_capabilities c;
	struct fs_store_reply s;
	struct fs_create_reply cr;
	struct fs_link_reply l;
	struct fs_rename_reply r;

	switch (t) {
	case T_STORE:
		if (fs_dec_store_reply(buf, len, &s))
			return -EBADMSG;
		check_status(&s.status, false);
		fs_enc_store_reply(e, &s);
		return 0;
	case T_CREATE:
		if (fs_dec_create_reply(buf, len, &cr))
			return -EBADMSG;
		check_status(&cr.status, false);
		check_status(&cr.dir_status, false);
		fs_enc_create_reply(e, &cr);
		return 0;
	case T_SYMLINK:
		if (fs_dec_symlink_reply(buf, len, &cr))
			return -EBADMSG;
		if (cr.callback.version || cr.callback.expiration_time || cr.callback.type)
			abort();
		fs_enc_symlink_reply(e, &cr);
		return 0;
	case T_LINK:
		if (fs_dec_link_reply(buf, len, &l))
			return -EBADMSG;
		check_status(&l.status, false);
		check_status(&l.dir_status, false);
		fs_enc_link_reply(e, &l);
		return 0;
	case T_RENAME:
		if (fs_dec_rename_reply(buf, len, &r))
			return -EBADMSG;
		fs_enc_rename_reply(e, &r);
		return 0;
	case T_BULK:
		if (fs_dec_bulk_status_reply(buf, len, nfids, &b))
			return -EBADMSG;
		if (b.n != nfids || b.n > AFS_CBMAX)
			abort();
		for (uint32_t i = 0; i < b.n; i++)
			check_status(&b.status[i], true);
		fs_enc_bulk_status_reply(e, &b);
		return 0;
	case T_VOLSTAT:
		if (fs_dec_volume_status_reply(buf, len, &v))
			return -EBADMSG;
		if (strlen(v.name) > AFS_NAMEMAX || strlen(v.offline_msg) > AFS_OPAQUEMAX ||
		    strlen(v.motd) > AFS_OPAQUEMAX)
			abort();
		fs_enc_volume_status_reply(e, &v);
		return 0;
	case T_CAPS:
		if (fs_dec_capabilities_reply(buf, len, &c))
			return -EBADMSG;
		if (c.n > AFS_CAPABILITIES_MAX)
			abort();
		fs_enc_capabilities_reply(e, &c);
		return 0;
	case T_EMPTY:
		if (fs_dec_empty_reply(buf, len))
			return -EBADMSG;
		if (len)
			abort();
		return 0;
	}
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_enc e1, e2;
	unsigned nfids;
	int t;

	if (size < 2)
		return 0;
	t = data[0] % T_COUNT;
	nfids = data[1] % AFS_CBMAX + 1;
	data += 2;
	size -= 2;
	wire_enc_init(&e1);
	if (round_trip(t, nfids, data, size, &e1) != 0) {
		wire_enc_free(&e1);
		return 0;
	}
	if (wire_enc_error(&e1) || e1.len != size)
		abort(); /* a decoder takes the whole reply, and re-encodes to as much */
	if (t != T_VOLSTAT && size && memcmp(e1.buf, data, size) != 0)
		abort();
	wire_enc_init(&e2);
	if (round_trip(t, nfids, e1.buf, e1.len, &e2) != 0)
		abort(); /* our own encoding must decode */
	if (wire_enc_error(&e2) || e2.len != e1.len || (e1.len && memcmp(e2.buf, e1.buf, e1.len) != 0))
		abort();
	wire_enc_free(&e1);
	wire_enc_free(&e2);
	return 0;
}
