/*
 * Fuzz target: cephmon/mon/mdsmap.c (the MMDSMap front, and the MDSMap blob
 * on its own).
 *
 * Invariants: a rejected input leaves the summary all zero; an accepted
 * one keeps at most MDSMAP_MAX_MDS daemons and MDSMAP_MAX_DATA_POOLS pools,
 * never more than the totals it reports, NUL-terminated names, addresses
 * of a family the wire codec knows, and a statfs pool that is the single
 * data pool or CEPH_NOPOOL. The front's blob decodes on its own to the
 * same map. There is no encoder to round-trip through.
 * Seeds: test/unit/mdsmap_vectors.py's vectors (test/fuzz/corpus/mdsmap/).
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/mon/mdsmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mdsmap_summary a, b, zero;

static void check_name(const char *s, size_t n)
{
	if (!memchr(s, '\0', n))
		abort();
}

static void check(int r, const struct mdsmap_summary *m)
{
	if (r) {
		if (r != -EBADMSG && r != -EPROTONOSUPPORT)
			abort();
		if (memcmp(m, &zero, sizeof(*m)))
			abort();
		return;
	}
	if (m->nmds > MDSMAP_MAX_MDS || m->nmds > m->nmds_total)
		abort();
	if (m->nmds < MDSMAP_MAX_MDS && m->nmds != m->nmds_total)
		abort();
	if (m->ndata_pools > MDSMAP_MAX_DATA_POOLS || m->ndata_pools > m->ndata_pools_total)
		abort();
	if (m->ndata_pools < MDSMAP_MAX_DATA_POOLS && m->ndata_pools != m->ndata_pools_total)
		abort();
	check_name(m->fs_name, sizeof(m->fs_name));
	check_name(m->map_fs_name, sizeof(m->map_fs_name));
	if (!m->has_fs_name && m->fs_name[0])
		abort();
	for (unsigned i = 0; i < m->nmds; i++) {
		const struct mdsmap_mds *d = &m->mds[i];
		sa_family_t f = d->addr.ss.ss_family;

		check_name(d->name, sizeof(d->name));
		if (f != AF_UNSPEC && f != AF_INET && f != AF_INET6)
			abort();
		if (!mdsmap_state_name(d->state))
			abort();
	}
	if (mdsmap_statfs_pool(m) != (m->ndata_pools_total == 1 ? m->data_pools[0] : CEPH_NOPOOL))
		abort();
	for (int32_t r = -1; r < 4; r++) {
		const struct mdsmap_mds *h = mdsmap_rank_holder(m, r);
		if (h && (h->rank != r || h->state <= 0))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int r;

	r = mmdsmap_decode(data, size, &a);
	check(r, &a);
	if (r == 0) {
		/* fsid (16) + epoch (4) + u32 length, then the blob. */
		uint32_t len =
		    (uint32_t)data[20] | (uint32_t)data[21] << 8 | (uint32_t)data[22] << 16 | (uint32_t)data[23] << 24;

		if (mdsmap_decode(data + 24, len, &b))
			abort();
		memset(a.fsid, 0, sizeof(a.fsid));
		a.msg_epoch = 0;
		memset(a.map_fs_name, 0, sizeof(a.map_fs_name));
		if (memcmp(&a, &b, sizeof(a)))
			abort();
	}
	check(mdsmap_decode(data, size, &b), &b);
	return 0;
}
