/*
 * fuse/afs/writeback.h: writes of netfuse-afs files, held and stored in
 * large StoreData64 calls.
 *
 * The kernel sends a FUSE file's writes as they come (128 KiB from cp, a
 * few KiB from tar), and each StoreData64 costs the fileserver a call's
 * work whatever its size: storing each write as it came made a 100 MiB
 * copy 800 calls and a tar of 1,672 files 7,617. Writes that run on from
 * the ones held (or fall inside them) are held instead, up to a limit per
 * file, and stored as one call when the run breaks, when it reaches the
 * limit, at fsync, at every close (FUSE's flush: AFS's close-to-open, once
 * close returns every other client sees the data), and before anything
 * that must see the file as the fileserver has it (a read by the daemon,
 * a truncate, a chmod). A failed store (quota, disk full) is the error of
 * the write, fsync or close that made it, as with OpenAFS's cache manager
 * (of the writer's next close or fsync when a reader's flush made it);
 * what it held is dropped then, with the kernel's pages of it, and said in
 * .health.
 *
 * The size the kernel is told (getattr, lookup) counts what is held.
 * Memory: the limit per file being written, and a budget for all (64 MiB),
 * past which writes are stored as they come.
 *
 * A file written whole from its start and stored in one call is kept, as
 * stored, while its data version is that store's (up to a budget, 32 MiB
 * by default, the least recently used dropped first), and the reads that
 * follow are copied from it. Without it, reading back what was just
 * written went to the fileserver: the kernel marks a page of its cache
 * valid only when one write filled it whole, and a writer such as tar
 * (10 KiB records, file data 512 bytes into them) leaves every third page
 * or so filled by two writes, so md5sum of an unpacked tree made 2.5
 * FetchData64 calls per file.
 */
#ifndef NETFUSE_AFS_WRITEBACK_H
#define NETFUSE_AFS_WRITEBACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct afs_cm;
struct afs_fetch_status;
struct afs_ra;
struct cm_volume;
struct cm_vnode;
struct evloop_cancel;
struct afs_wb;

#define AFS_WB_DEFAULT (4u << 20)
#define AFS_WB_BUDGET  (64u << 20)
#define AFS_WB_KEPT_DEFAULT (32u << 20)

/* Writes of @cm's files held up to @per_file bytes each (0: each stored
 * before it returns), and files stored whole kept up to @kept_max bytes
 * in all (0: none); what @ra fetched ahead is dropped at each store.
 * NULL on ENOMEM. */
struct afs_wb *afs_wb_new(struct afs_cm *cm, struct afs_ra *ra, size_t per_file, size_t kept_max);
void afs_wb_free(struct afs_wb *wb);

/* Write @size bytes of @buf at @off of @vn: @size, or -errno. */
ssize_t afs_wb_write(struct afs_wb *wb, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn,
		     const char *buf, size_t size, uint64_t off);
/* Store what @vn holds before something that must see the fileserver's
 * copy (a read, a chmod, a release): 0, or the cancellation that stopped
 * the wait. A store that failed is the writer's error, at its next close
 * or fsync (and in .health). */
int afs_wb_flush(struct afs_wb *wb, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn);
/* Close (FUSE's flush) and fsync: store what @vn holds: 0, or the store's
 * -errno, or that of an earlier store of held writes that failed. */
int afs_wb_close(struct afs_wb *wb, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn);
/* A read of @size bytes at @off of @vn from the copy its last store left
 * (while the callback promise holds and the data version is that store's):
 * the bytes copied (fewer at the end of the file), or -1 when there is no
 * such copy. */
ssize_t afs_wb_read_kept(struct afs_wb *wb, struct cm_vnode *vn, char *buf, size_t size, uint64_t off);
/* Bytes kept, and reads served from them. */
void afs_wb_kept_stats(struct afs_wb *wb, size_t *bytes, uint64_t *reads);

/* Where what @vn holds ends (0: nothing held): a size at least this. */
uint64_t afs_wb_end(const struct cm_vnode *vn);

/* StoreData64 of @len bytes of @buf at @pos, the file's length becoming
 * @file_len first (a truncate: @len 0), with @vn->store_lock held and
 * nothing held for @vn; the reply's status goes to the cache (and to
 * @out, may be NULL). */
int afs_wb_store_locked(struct afs_wb *wb, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn,
			const char *buf, uint64_t len, uint64_t pos, uint64_t file_len, struct afs_fetch_status *out);

#endif
