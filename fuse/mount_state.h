/*
 * fuse/mount_state.h: the state of one mount, shared by the FUSE core's
 * files (session.c runs it, fs_ops.c answers requests, health_file.c serves
 * .health). Not for backends: they see backend.h.
 */
#ifndef NETFUSE_MOUNT_STATE_H
#define NETFUSE_MOUNT_STATE_H

#include <pthread.h>
#include <stdbool.h>

#include "fuse/backend.h"
#include "fuse/inode_table.h"
#include "health/health.h"
#include "health/health_export.h"

/* The FUSE core's own -o options. */
struct nf_core_opts {
	double entry_timeout, attr_timeout, negative_timeout;
	bool health_verbose;
	unsigned health_queue;
	char *health_url;
	unsigned max_threads, max_idle_threads;
};

struct health_handle;

struct nf_mount {
	const struct nf_frontend *fe;
	const struct nf_backend_ops *ops;
	void *fs;
	struct fuse_session *se;
	struct inode_table *inodes;
	struct health_queue *health;
	struct health_export *export;
	struct nf_core_opts opts;
	const char *source;
	char *mountpoint; /* absolute */
	bool readonly;
	bool root_answered; /* a request reached us through the kernel: the mount is up */
	pthread_mutex_t answered_lock;
	pthread_cond_t answered_cond;

	/* Open .health handles, for poll wake-ups. */
	pthread_mutex_t health_lock;
	struct health_handle *health_handles;
	uint64_t health_size; /* the most bytes one reader has read (atomic) */
};

extern const struct fuse_lowlevel_ops nf_fs_ops;

/* health_file.c: the .health file. */
void health_file_getattr(struct nf_mount *m, struct stat *st);
void health_file_open(struct nf_mount *m, fuse_req_t req, struct fuse_file_info *fi);
void health_file_read(struct nf_mount *m, fuse_req_t req, size_t size, struct fuse_file_info *fi);
void health_file_poll(struct nf_mount *m, fuse_req_t req, struct fuse_file_info *fi, struct fuse_pollhandle *ph);
void health_file_release(struct nf_mount *m, fuse_req_t req, struct fuse_file_info *fi);
/* The queue's notify callback: wake the pollers of every readable handle. */
void health_file_notify(void *mount);
/* Before the session goes: destroy the poll handles still parked. */
void health_file_drop_pollers(struct nf_mount *m);

#endif
