/*
 * fuse/ceph/front.h: netfuse-ceph's state, shared by its parts: main.c
 * (options, start and stop, the views), namespace.c (the CephFS namespace
 * and file data), writeback.c (writes buffered under Fb) and invalidate.c
 * (the kernel's caches dropped when caps go).
 */
#ifndef NETFUSE_CEPH_FRONT_H
#define NETFUSE_CEPH_FRONT_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "cephmds/mdsc_loop.h"
#include "cephmon/ceph_client.h"
#include "cephosd/osdc_loop.h"
#include "cephosd/osdmap_keeper.h"
#include "cephosd/striper.h"
#include "fuse/backend.h"

struct cephfs_front {
	struct nf_mount *mount;
	struct monc_loop *ml;
	struct osdmap_keeper *osdmap; /* fed by ml's loop thread */
	struct osdc_loop *osdc;	      /* file data */
	struct mdsc_loop *mdsc;	      /* the namespace */
	struct cephfs_inval *inval;   /* invalidate.c's queue and thread */
	struct cephfs_wb *wb;	      /* writeback.c's buffers and threads */
	uint64_t root_ino;	      /* the mounted directory's (SUBDIR's) inode */
	double mount_timeout;
	unsigned readdir_max_entries; /* per READDIR (0: the MDS's limit) */
	bool noquotadf;		      /* df: the cluster's space even under a quota */
	time_t mounted_at;
	uid_t uid;
	gid_t gid;
};

/* How long mounting and each statfs wait (mount_timeout; main.c). */
uint64_t cephfs_wait_deadline(const struct cephfs_front *f);

/* The thread that drops the kernel's caches for the MDS client (started
 * once the MDS client is attached; stopped before it is freed), and how a
 * read without Fc asks it to drop what it cached (token 0). */
int cephfs_inval_start(struct cephfs_front *f);
void cephfs_inval_stop(struct cephfs_front *f);
void cephfs_invalidate(void *inval, uint64_t ino, unsigned what, uint64_t token);

/* Buffered writes (writeback.c): its threads, started once the MDS client
 * is attached and stopped (everything buffered written back first) before
 * the MDS sessions close. */
int cephfs_wb_start_threads(struct cephfs_front *f);
void cephfs_wb_stop(struct cephfs_front *f);
/* Buffer a write of @len bytes at @off of file @ino (laid out as @layout)
 * made under Fb, after the truncation @trunc names (its truncate_seq and
 * truncate_size, which the OSDs are told at write-back), stamped @mtime:
 * @len, or what writing it straight through gave (bytes, -errno) when it
 * could not be buffered. *kept: buffered, with the caller's Fb reference
 * (held until written back); otherwise the caller puts it. */
ssize_t cephfs_wb_write(struct cephfs_front *f, struct evloop_cancel *cancel, uint64_t ino,
			const struct ceph_file_layout *layout, const struct mds_inode *trunc, uint64_t off,
			const char *buf, size_t len, const struct timespec *mtime, bool *kept);
/* Write back what @ino has buffered and wait; with @report, also the error
 * of an earlier write-back that lost data (returned once). */
int cephfs_wb_sync(struct cephfs_front *f, uint64_t ino, bool report);
/* Start writing back what @ino has buffered (a close). */
void cephfs_wb_start(struct cephfs_front *f, uint64_t ino);
/* A file of @ino was closed: mdsc_loop_caps_close once its buffered data
 * is written back. */
void cephfs_wb_close(struct cephfs_front *f, uint64_t ino);
/* The figures of .ceph/writeback. */
size_t cephfs_wb_format(struct cephfs_front *f, char *buf, size_t len);

/* Write @len bytes of @buf at @off of file @ino, laid out as @layout, to
 * the OSDs after the truncation @trunc names, stamped @mtime
 * (namespace.c): the bytes written (short only on an error), or -errno
 * when none were. */
ssize_t cephfs_write_osds(struct cephfs_front *f, struct evloop_cancel *cancel, uint64_t ino,
			  const struct ceph_file_layout *layout, const struct mds_inode *trunc, uint64_t off,
			  const char *buf, size_t len, const struct timespec *mtime);

/* The namespace's operations (namespace.c). */
extern const struct nf_backend_ops cephfs_ops;

/* The inode of @path ("/" or "/a/b") from the file system's root, which
 * must be a directory: 0 or -errno (-ETIMEDOUT at @deadline_ns: no MDS
 * answered). */
int cephfs_resolve_dir(struct cephfs_front *f, const char *path, uint64_t deadline_ns, uint64_t *ino);

#endif
