/*
 * Fuzz target: cephmds/mds_msgs.c's decoders of what an MDS sends. The
 * first byte picks the decoder (a session message at the header version in
 * the second byte, a reply and everything inside it, a forward, a whole
 * caps message (its version and middle segment's length in the second
 * byte), a lease); the rest
 * is the front. Invariants: everything a decoder returns lies inside the
 * input; a reply's readdir entries and xattrs, walked to their end, stay
 * inside it too; a session's reason is a printable C string; a lease
 * re-encodes to the bytes it came from.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cephmds/mds_msgs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *lo, *hi;

static void inside(const uint8_t *p, size_t n)
{
	if (n && (!p || p < lo || p + n > hi))
		abort();
}

static void walk_inode(const struct mds_inode *in)
{
	struct mds_xattr_iter it;
	const uint8_t *n, *v;
	uint32_t nl, vl;

	inside(in->splits, (size_t)in->nsplits * 8);
	inside(in->symlink, in->symlink_len);
	inside(in->xattrs, in->xattrs_len);
	inside(in->inline_data, in->inline_len);
	inside(in->pool_ns, in->pool_ns_len);
	if (mds_xattr_begin(&it, in->xattrs, in->xattrs_len) == 0)
		while (mds_xattr_next(&it, &n, &nl, &v, &vl) == 1) {
			inside(n, nl);
			inside(v, vl);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mds_reply r;
	struct mds_session_msg m;
	struct mds_forward f;
	struct mds_readdir rd;
	struct mds_dentry de;
	uint64_t ino;

	if (size < 2)
		return 0;
	lo = data + 2;
	hi = data + size;
	struct mds_caps_head ch;
	struct mds_lease_msg lm;

	switch (data[0] % 5) {
	case 0:
		if (mds_session_decode(data[1] % 8, data + 2, size - 2, &m) == 0) {
			size_t n = strnlen(m.error, sizeof(m.error));
			if (n == sizeof(m.error))
				abort();
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)m.error[i] < 0x20 || m.error[i] == 0x7f)
					abort();
		}
		break;
	case 1:
		if (mds_reply_decode(data + 2, size - 2, &r) == 0) {
			inside(r.dname, r.dname_len);
			inside(r.extra, r.extra_len);
			inside(r.snap, r.snap_len);
			if (r.is_dentry)
				walk_inode(&r.diri);
			if (r.is_target)
				walk_inode(&r.target);
			if (mds_readdir_begin(&rd, r.extra, r.extra_len) == 0) {
				unsigned seen = 0;
				int e;
				while ((e = mds_readdir_next(&rd, &de)) == 1) {
					inside(de.name, de.name_len);
					walk_inode(&de.inode);
					seen++;
				}
				if (e == 0 && seen != rd.count)
					abort();
			}
			(void)mds_create_extra_decode(r.extra, r.extra_len, &ino);
		}
		break;
	case 2:
		(void)mds_forward_decode(data + 2, size - 2, &f);
		break;
	case 3: { /* a whole MClientCaps: version in data[1]'s low bits, its last (data[1] >> 4) bytes the middle */
		static struct mds_caps_msg cm;
		size_t mid = (size_t)(data[1] >> 4) < size - 2 ? (size_t)(data[1] >> 4) : size - 2;
		const uint8_t *middle = data + size - mid;
		(void)mds_caps_head_decode(data + 2, size - 2, &ch);
		hi = middle;
		if (mds_caps_decode(data[1] & 15, data + 2, size - 2 - mid, middle, mid, &cm) == 0) {
			inside(cm.snap_trace, cm.snap_trace_len);
			inside(cm.flock, cm.flock_len);
			inside(cm.inline_data, cm.inline_len);
			inside(cm.pool_ns, cm.pool_ns_len);
			if (cm.xattr_len != mid || (mid && cm.xattrs != middle))
				abort();
		}
		break;
	}
	default:
		if (mds_lease_decode(data + 2, size - 2, &lm) == 0) {
			struct wire_enc e;
			inside(lm.dname, lm.dname_len);
			wire_enc_init(&e); /* its ack re-encodes to the same bytes */
			if (mds_lease_encode(&e, &lm) != 1 || e.len > size - 2 || memcmp(e.buf, data + 2, e.len))
				abort();
			wire_enc_free(&e);
		}
		break;
	}
	return 0;
}
