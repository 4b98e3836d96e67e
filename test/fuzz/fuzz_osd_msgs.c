/*
 * Fuzz target: cephosd/osd_msgs.c's decoders of what OSDs send. The first
 * byte picks the decoder; for a reply the next two bytes are the header
 * version and the data segment's length, then the front and the data.
 * Invariants: a decoded reply's outputs lie inside the data segment and
 * cover it exactly; a decoded backoff's range lies inside the message and
 * its ack re-encodes; payload cursors stay inside their input; a listing's
 * next cursor lies inside it and decodes alone as it did inside.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cephosd/osd_msgs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
	if (n && (p < buf || p + n > buf + len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mosdopreply r;
	struct mosdbackoff b;
	struct osd_extent ext[8];
	struct osd_omap_iter it;
	const uint8_t *p, *k, *v;
	uint32_t plen, kl, vl, sec, nsec;
	uint64_t sz;
	unsigned n;
	bool more;

	if (size < 3)
		return 0;
	switch (data[0] % 7) {
	case 0: {
		size_t dlen = data[2] < size - 3 ? data[2] : size - 3, flen = size - 3 - dlen;
		const uint8_t *front = data + 3, *seg = data + 3 + flen;
		if (mosdopreply_decode(data[1] % 10, front, flen, seg, dlen, &r) == 0) {
			size_t total = 0;
			if (r.nops > OSD_MAX_OPS)
				abort();
			for (unsigned i = 0; i < r.nops; i++) {
				inside(r.ops[i].outdata, r.ops[i].outdata_len, seg, dlen);
				total += r.ops[i].outdata_len;
			}
			if (total != dlen || strlen(r.oid) >= sizeof(r.oid))
				abort();
		}
		break;
	}
	case 1:
		if (mosdbackoff_decode(data + 1, size - 1, &b) == 0) {
			struct wire_enc e;
			inside(b.begin, b.begin_len, data + 1, size - 1);
			inside(b.end, b.end_len, data + 1, size - 1);
			wire_enc_init(&e);
			if (mosdbackoff_ack_encode(&e, &b))
				abort();
			wire_enc_free(&e);
		}
		break;
	case 2:
		(void)osd_stat_decode(data + 1, size - 1, &sz, &sec, &nsec);
		break;
	case 3:
		if (osd_sparse_read_decode(data + 1, size - 1, ext, 8, &n, &p, &plen) == 0) {
			uint64_t total = 0;
			if (n > 8)
				abort();
			for (unsigned i = 0; i < n; i++)
				total += ext[i].length;
			if (total != plen)
				abort();
			inside(p, plen, data + 1, size - 1);
		}
		break;
	case 4:
		if (osd_omap_iter_init(&it, data + 1, size - 1) == 0) {
			int rc;
			while ((rc = osd_omap_next(&it, &k, &kl, &v, &vl)) == 1) {
				inside(k, kl, data + 1, size - 1);
				inside(v, vl, data + 1, size - 1);
			}
			if (rc == 0)
				(void)osd_omap_more(&it, &more);
		}
		break;
	case 5: {
		struct osd_pgnls_iter li;
		struct osd_list_entry le;
		if (osd_pgnls_iter_init(&li, data + 1, size - 1) == 0) {
			struct osd_hobject h;
			int rc;
			inside(li.handle, li.handle_len, data + 1, size - 1);
			inside(li.next.oid, li.next.oid_len, li.handle, li.handle_len);
			inside(li.next.ns, li.next.ns_len, li.handle, li.handle_len);
			if (osd_hobject_decode(li.handle, li.handle_len, &h) || h.hash != li.next.hash)
				abort(); /* the cursor sent back decodes as it did */
			while ((rc = osd_pgnls_next(&li, &le)) == 1) {
				inside(le.ns, le.ns_len, data + 1, size - 1);
				inside(le.oid, le.oid_len, data + 1, size - 1);
				inside(le.locator, le.locator_len, data + 1, size - 1);
			}
		}
		break;
	}
	case 6: {
		struct osd_hobject h;
		if (osd_hobject_decode(data + 1, size - 1, &h) == 0) {
			inside(h.key, h.key_len, data + 1, size - 1);
			inside(h.oid, h.oid_len, data + 1, size - 1);
			inside(h.ns, h.ns_len, data + 1, size - 1);
		}
		break;
	}
	}
	return 0;
}
