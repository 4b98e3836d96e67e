/*
 * cephosd/striper.h: a file's bytes in RADOS objects, as CephFS lays them
 * out (Ceph src/osdc/Striper.cc file_to_extents, the kernel's
 * ceph_calc_file_object_mapping).
 *
 * A layout cuts the file into stripe units dealt round-robin over
 * stripe_count objects; when each of those holds object_size bytes the next
 * object set begins. With the default layout (4 MiB units, one object of
 * 4 MiB per set) object N simply holds bytes [N * 4 MiB, (N + 1) * 4 MiB).
 * Objects are named "INO.%08llx" after the inode number (hex) and their
 * index. Plain arithmetic, no I/O: the OSD client turns the extents into
 * requests.
 */
#ifndef NETFUSE_STRIPER_H
#define NETFUSE_STRIPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CEPH_MIN_STRIPE_UNIT 65536u

struct ceph_file_layout {
	uint32_t stripe_unit, stripe_count, object_size;
	int64_t pool;
	const char *pool_ns; /* NULL or "" for the default namespace */
};

/* Ceph's rules (file_layout_t::is_valid): a stripe unit that is a positive
 * multiple of 64 KiB, at least one stripe, objects a whole number of units. */
bool ceph_layout_valid(const struct ceph_file_layout *l);

/* One piece of a file range: @len bytes at @off in object @objno. */
struct ceph_object_extent {
	uint64_t objno, off, len;
};

/*
 * The first piece of the file range [@off, @off + @len): the part inside
 * one stripe unit. Callers walk a range by advancing @off and @len by the
 * piece's length. Returns 0, or -EINVAL for an invalid layout or a range
 * that overflows.
 */
int ceph_layout_map(const struct ceph_file_layout *l, uint64_t off, uint64_t len, struct ceph_object_extent *x);

/* Where byte @off of object @objno lies in the file (the inverse). */
uint64_t ceph_layout_file_offset(const struct ceph_file_layout *l, uint64_t objno, uint64_t off);

/* The object's name, "INO.%08llx"; returns snprintf's count. */
int ceph_layout_object_name(uint64_t ino, uint64_t objno, char *buf, size_t len);

#endif
