/*
 * afs_rx/fs_client.h: the file server RPCs netfuse makes, over the Rx
 * transport. Opcodes and layouts from OpenAFS src/fsint/afsint.xg (package
 * RXAFS_, service id 1, port 7000); FetchData64's reply framing (a 64-bit
 * length, the raw bytes, then the OUT structures) from the fileserver's
 * FetchData_RXStyle (src/viced/afsfileprocs.c) and kAFS
 * afs_deliver_fs_fetch_data64.
 *
 * Every stub takes the call context (afs_call.h: endpoint, server,
 * deadline, cancel token) and leaves the server's raw abort code in
 * cx->abort_code.
 *
 * A fileserver calls the client back (CB.TellMeAboutYourself first) before
 * it runs the client's first call: serve the CB service on the same
 * endpoint (cb_service.h) or the first call waits minutes.
 */
#ifndef NETFUSE_FS_CLIENT_H
#define NETFUSE_FS_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "afs_rx/afs_call.h"
#include "afs_rx/afs_types.h"

/* What FetchStatus and FetchData64 return besides the data. */
struct fs_status_reply {
	struct afs_fetch_status status;
	struct afs_callback callback;
	struct afs_volsync volsync;
};

/*
 * FS.FetchStatus (132). 0 or -errno (a server's abort mapped by
 * afs_errors.h). A status that fails afs_fetch_status_check() is -EBADMSG.
 */
int fs_fetch_status(struct afs_call_ctx *cx, const struct afs_fid *fid, struct fs_status_reply *out);

/* Receives the file's bytes in order as they arrive; nonzero stops the
 * call (it is aborted) and is returned. */
typedef int (*fs_data_sink)(void *arg, const void *data, size_t len);

/*
 * FS.FetchData64 (65537): @length bytes from @pos (the server sends fewer
 * at the end of the file), handed to @sink; *@got says how many the
 * server sent. 0 or -errno as for fs_fetch_status.
 */
int fs_fetch_data64(struct afs_call_ctx *cx, const struct afs_fid *fid, uint64_t pos, uint64_t length,
		    fs_data_sink sink, void *arg, uint64_t *got, struct fs_status_reply *out);

/*
 * The metadata and write RPCs below share one shape: 0 or -errno; a
 * server's abort is mapped with afs_abort_to_errno() (its raw code in
 * cx->abort_code); a reply that fs_xdr.h's decoder refuses is -EBADMSG;
 * @out is filled only on success.
 * A name longer than AFSNAMEMAX (a symlink's target longer than
 * AFSPATHMAX) is -ENAMETOOLONG before anything is sent.
 */

/* Fills @buf with the next @len bytes to store; nonzero stops the call
 * (it is aborted) and is returned. */
typedef int (*fs_data_source)(void *arg, void *buf, size_t len);

/*
 * FS.StoreData64 (65538): @length bytes at @pos, asked of @src piece by
 * piece and streamed in the request as they come (at most 64 KiB held at
 * once); the file's length becomes @file_length first (a truncation when
 * smaller) and then at least @pos + @length. @ss is applied with the data
 * (mask 0: nothing; AFS_FSYNC asks the server to fsync).
 */
int fs_store_data64(struct afs_call_ctx *cx, const struct afs_fid *fid, const struct afs_store_status *ss, uint64_t pos,
		    uint64_t length, uint64_t file_length, fs_data_source src, void *arg, struct fs_store_reply *out);

/* FS.StoreStatus (135): chmod, chown, chgrp, utimes as @ss->mask says. */
int fs_store_status(struct afs_call_ctx *cx, const struct afs_fid *fid, const struct afs_store_status *ss,
		    struct fs_store_reply *out);

/* FS.CreateFile (137) and FS.MakeDir (141): @name in directory @dir. */
int fs_create_file(struct afs_call_ctx *cx, const struct afs_fid *dir, const char *name,
		   const struct afs_store_status *ss, struct fs_create_reply *out);
int fs_make_dir(struct afs_call_ctx *cx, const struct afs_fid *dir, const char *name, const struct afs_store_status *ss,
		struct fs_create_reply *out);

/* FS.RemoveFile (136) and FS.RemoveDir (142): @out->status is the
 * directory's new status. */
int fs_remove_file(struct afs_call_ctx *cx, const struct afs_fid *dir, const char *name, struct fs_store_reply *out);
int fs_remove_dir(struct afs_call_ctx *cx, const struct afs_fid *dir, const char *name, struct fs_store_reply *out);

/* FS.Rename (138). */
int fs_rename(struct afs_call_ctx *cx, const struct afs_fid *old_dir, const char *old_name,
	      const struct afs_fid *new_dir, const char *new_name, struct fs_rename_reply *out);

/* FS.Symlink (139): @name pointing at @target; out->callback is zero. */
int fs_symlink(struct afs_call_ctx *cx, const struct afs_fid *dir, const char *name, const char *target,
	       const struct afs_store_status *ss, struct fs_create_reply *out);

/* FS.Link (140): a hard link @name in @dir to @existing (same directory
 * only, on an OpenAFS server). */
int fs_link(struct afs_call_ctx *cx, const struct afs_fid *dir, const char *name, const struct afs_fid *existing,
	    struct fs_link_reply *out);

/*
 * FS.InlineBulkStatus (65536): the status of @n (1..50) FIDs of one
 * volume in one call. A FID the server cannot stat does not fail the call:
 * its out->status[i].error_code holds the abort code (e.g. VNOVNODE).
 */
int fs_inline_bulk_status(struct afs_call_ctx *cx, const struct afs_fid *fids, unsigned n,
			  struct fs_bulk_status_reply *out);

/* FS.GiveUpCallBacks (147): drop our callback promises on @n (0..50)
 * FIDs; @cbs may be NULL (sent as an empty list). */
int fs_give_up_callbacks(struct afs_call_ctx *cx, const struct afs_fid *fids, const struct afs_callback *cbs,
			 unsigned n);

/* FS.GetVolumeStatus (149): quota, usage, name and messages of @volume. */
int fs_get_volume_status(struct afs_call_ctx *cx, uint32_t volume, struct fs_volume_status_reply *out);

/* FS.GetCapabilities (65540). */
int fs_get_capabilities(struct afs_call_ctx *cx, struct fs_capabilities *out);

#endif
