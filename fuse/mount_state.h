/*
 * fuse/mount_state.h: the state of one mount, shared by the FUSE core's
 * files (session.c runs it, fs_ops.c answers requests, synthetic.c serves
 * the synthetic tree with view_file.c and health_file.c). Not for backends:
 * they see backend.h.
 */
#ifndef NETFUSE_MOUNT_STATE_H
#define NETFUSE_MOUNT_STATE_H

#include <pthread.h>
#include <stdbool.h>

#include "fuse/backend.h"
#include "fuse/inode_table.h"
#include "fuse/synthetic.h"
#include "health/health.h"
#include "health/health_export.h"

/* The FUSE core's own -o options. */
struct nf_core_opts {
	double entry_timeout, attr_timeout, negative_timeout;
	bool health_verbose;
	unsigned health_queue;
	char *health_url;
	unsigned max_threads, max_idle_threads;
	bool stack;	       /* mount even on a netfuse mount's mount point */
	char *lockd;	       /* HOST[:PORT] of the lock server, or NULL */
	char *locks;	       /* "local" or "lockd" */
	char *lockd_agent;     /* the host's agent socket (nlm/agent_proto.h) */
	unsigned lock_timeout; /* seconds a lock call waits for an answer */
	unsigned rasize;       /* bytes the kernel reads ahead (0: its FUSE default) */
	unsigned rsize, wsize; /* the largest READ and WRITE the kernel sends (0: its own) */
};

struct health_handle;
struct op_cancel;
struct nf_locks;
struct open_file;

struct nf_mount {
	const struct nf_frontend *fe;
	const struct nf_backend_ops *ops;
	void *fs;
	struct fuse_session *se;
	struct inode_table *inodes;
	struct synthetic_tree synth;
	struct health_queue *health;
	struct health_export *export;
	struct nf_core_opts opts;
	const char *source;
	char *mountpoint; /* absolute */
	bool readonly;
	bool root_answered; /* a request reached us through the kernel: the mount is up */
	pthread_mutex_t answered_lock;
	pthread_cond_t answered_cond;

	/* Requests the backend is working on, and the session's end
	 * (interrupt.c). */
	pthread_mutex_t cancel_lock;
	struct op_cancel *armed;
	bool ending;
	int end_pipe[2];
	pthread_t end_watcher;
	bool end_watching;

	/* Locks through a lock server (-o lockd, locks.h), or NULL. */
	struct nf_locks *locks;

	/* Files open now (fs_ops.c gives each open a handle of its own). */
	pthread_mutex_t opens_lock;
	struct open_file *opens;

	/* Open .health handles, for poll wake-ups. */
	pthread_mutex_t health_lock;
	struct health_handle *health_handles;
	uint64_t health_size; /* the most bytes one reader has read (atomic) */
};

extern const struct fuse_lowlevel_ops nf_fs_ops;

/* health_file.c, besides the file itself (health_file in synthetic.h).
 * The queue's notify callback: wake the pollers of every readable handle. */
void health_file_notify(void *mount);
/* Before the session goes: destroy the poll handles still parked. */
void health_file_drop_pollers(struct nf_mount *m);
/* fs_ops.c: before the backend stops, release the files the kernel never
 * released (a mount told to stop with files open); after the session
 * went, drop what is left (a backend that never started). */
void fs_ops_release_opens(struct nf_mount *m);
void fs_ops_drop_opens(struct nf_mount *m);

#endif
