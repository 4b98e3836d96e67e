/* fuse/afs/views.c: df's figures and the .afs/ texts (views.h). */
#include "config.h"

#include "fuse/afs/views.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "evloop/evloop.h"

void afs_statfs_fill(const struct afs_fetch_volume_status *vs, struct statvfs *out)
{
	uint64_t used = vs->blocks_in_use > 0 ? (uint64_t)vs->blocks_in_use : 0;
	uint64_t part_free = vs->part_blocks_avail > 0 ? (uint64_t)vs->part_blocks_avail : 0;
	uint64_t blocks, free;

	if (vs->max_quota > 0) {
		blocks = (uint64_t)vs->max_quota;
		free = blocks > used ? blocks - used : 0;
		if (free > part_free)
			free = part_free;
	} else {
		blocks = vs->part_max_blocks > 0 ? (uint64_t)vs->part_max_blocks : 0;
		free = part_free < blocks ? part_free : blocks;
	}
	memset(out, 0, sizeof(*out));
	out->f_bsize = out->f_frsize = 1024;
	out->f_blocks = blocks;
	out->f_bfree = out->f_bavail = free;
	out->f_namemax = 255;
}

/* Append to @buf at *@n, cut at @len. */
static void put(char *buf, size_t len, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	if (*n >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
	if (w > 0)
		*n += (size_t)w < len - *n ? (size_t)w : len - *n - 1;
}

static const char *ip(const struct sockaddr_in *a, char *buf)
{
	return inet_ntop(AF_INET, &a->sin_addr, buf, INET_ADDRSTRLEN);
}

size_t afs_view_cells(const struct afs_cm *cm, unsigned this_cell, char *buf, size_t len)
{
	size_t n = 0;
	char a[INET_ADDRSTRLEN];
	put(buf, len, &n, "# cell vlservers (* the one that answered last)\n");
	for (unsigned i = 0; i < cm->ncells; i++) {
		const struct cm_cell *c = &cm->cells[i];
		put(buf, len, &n, "%s%s", c->name, i == this_cell ? " (mounted)" : "");
		for (unsigned k = 0; k < c->nvl; k++)
			put(buf, len, &n, " %s%s", ip(&c->vl[k], a), k == c->vl_cur ? "*" : "");
		put(buf, len, &n, "\n");
	}
	return n;
}

size_t afs_view_volumes(const struct afs_cm *cm, char *buf, size_t len)
{
	size_t n = 0;
	uint64_t now = evloop_now_ns();
	put(buf, len, &n, "# cell id type name sites expires_s busy offline moved\n");
	for (const struct cm_volume *v = cm->volumes; v; v = v->next)
		put(buf, len, &n, "%s %u %s %s %u %lld %llu %llu %llu\n", cm->cells[v->cell].name, v->id,
		    afs_vol_type_name(v->type), v->name, v->nservers,
		    v->expire_ns > now ? (long long)((v->expire_ns - now) / 1000000000u) : 0LL,
		    (unsigned long long)v->busy, (unsigned long long)v->offline, (unsigned long long)v->moved);
	return n;
}

size_t afs_view_servers(const struct afs_cm *cm, char *buf, size_t len)
{
	size_t n = 0;
	char a[INET_ADDRSTRLEN];
	put(buf, len, &n, "# fileserver (uuid or address) addresses (* in use) rtt_us (smoothed round trip, 0: none yet)\n");
	for (const struct cm_server *s = cm->servers; s; s = s->next) {
		if (s->by_uuid)
			put(buf, len, &n, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", s->uuid.time_low,
			    s->uuid.time_mid, s->uuid.time_hi_and_version, s->uuid.clock_seq_hi_and_reserved,
			    s->uuid.clock_seq_low, s->uuid.node[0], s->uuid.node[1], s->uuid.node[2], s->uuid.node[3],
			    s->uuid.node[4], s->uuid.node[5]);
		else
			put(buf, len, &n, "%s", ip(&s->addrs[0], a));
		for (unsigned k = 0; k < s->naddrs; k++)
			put(buf, len, &n, " %s%s", ip(&s->addrs[k], a), k == s->cur ? "*" : "");
		put(buf, len, &n, " rtt_us=%llu\n", (unsigned long long)s->rtt_us);
	}
	return n;
}

size_t afs_view_stats(const struct afs_cm *cm, size_t kept_bytes, uint64_t kept_reads, char *buf, size_t len)
{
	size_t n = 0, promises = 0, dirs = 0;
	uint64_t now = evloop_now_ns();
	for (unsigned b = 0; b < cm->vn_buckets; b++)
		for (const struct cm_vnode *vn = cm->vnodes[b]; vn; vn = vn->next) {
			promises += vn->cb_expire_ns > now;
			dirs += vn->have_dir;
		}
	const struct cm_stats *s = &cm->stats;
	put(buf, len, &n,
	    "vnodes %u\ncallback_promises %zu\ndirectories_cached %zu\nfetch_status %llu\nbulk_status %llu\n"
	    "fetch_data %llu\nstore_data %llu\ndir_fetches %llu\ndir_refused %llu\ndir_edits %llu\n"
	    "dir_edit_misses %llu\ndir_bytes %zu\ndir_dropped %llu\nreadahead_bytes %llu\nvl_lookups %llu\n"
	    "callback_breaks %llu\ninit_callback_state %llu\ncallbacks_given_up %llu\nrotations %llu\n"
	    "kept_bytes %zu\nkept_reads %llu\n",
	    cm->nvnodes, promises, dirs, (unsigned long long)s->fetch_status, (unsigned long long)s->bulk_status,
	    (unsigned long long)s->fetch_data, (unsigned long long)s->store_data, (unsigned long long)s->dir_fetches,
	    (unsigned long long)s->dir_bad, (unsigned long long)s->dir_edits, (unsigned long long)s->dir_edit_misses,
	    cm->dir_bytes, (unsigned long long)s->dir_dropped,
	    (unsigned long long)s->readahead_bytes,
	    (unsigned long long)s->vl_lookups, (unsigned long long)s->cb_breaks,
	    (unsigned long long)s->cb_init, (unsigned long long)s->cb_given_up, (unsigned long long)s->rotations,
	    kept_bytes, (unsigned long long)kept_reads);
	return n;
}
