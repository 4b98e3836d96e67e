/*
 * fuse/afs/views.h: what netfuse-afs shows of its cache manager: df's
 * figures from a volume's status, and the texts of the .afs/ views (the
 * counterpart of kAFS's /proc/fs/afs). Pure functions of their inputs, so
 * unit tests check them without a cell.
 */
#ifndef NETFUSE_AFS_VIEWS_H
#define NETFUSE_AFS_VIEWS_H

#include <stddef.h>
#include <sys/statvfs.h>

#include "fuse/afs/cm.h"

/*
 * df of a volume, in 1 KiB blocks: its quota, or its partition when it has
 * none (never OpenAFS's 2^31 of an unlimited volume), free being what the
 * quota leaves and the partition still holds.
 */
void afs_statfs_fill(const struct afs_fetch_volume_status *vs, struct statvfs *out);

/* The texts; each called with cm->lock held. */
size_t afs_view_cells(const struct afs_cm *cm, unsigned this_cell, char *buf, size_t len);
size_t afs_view_volumes(const struct afs_cm *cm, char *buf, size_t len);
size_t afs_view_servers(const struct afs_cm *cm, char *buf, size_t len);
/* The counters, with what writeback.c keeps (afs_wb_kept_stats). */
size_t afs_view_stats(const struct afs_cm *cm, size_t kept_bytes, uint64_t kept_reads, char *buf, size_t len);

#endif
