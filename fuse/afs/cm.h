/*
 * fuse/afs/cm.h: the AFS cache manager of netfuse-afs (what Linux fs/afs is
 * to net/rxrpc), on the AFS layer of afs_rx/.
 *
 *   cells    the cells of CellServDB and ThisCell, each with its VL servers,
 *            and the cells DNS names VL servers for (cm_dns.c)
 *   volumes  VLDB entries by name and id: the sites of each type, the
 *            fileservers (by UUID, their addresses from GetAddrsU), expiring
 *            and looked up again on VMOVED or VNOVOL (vldb.c)
 *   calls    cm_fs_call: one fileserver RPC for a volume, rotating to the
 *            next site or address on VBUSY, VOFFLINE, VNOVOL, VMOVED and
 *            dead servers (vldb.c)
 *   vnodes   by (cell, volume, vnode, uniquifier): the status, trusted while
 *            the callback promise holds; a directory's blob, checked and
 *            indexed (afs_rx/afs_dir.h) and kept while its data version is
 *            the status's; a symlink's contents; a mount point's target
 *            (vcache.c)
 *   breaks   the callback service's CallBack and InitCallBackState turn into
 *            broken promises and kernel invalidations (vcache.c)
 *
 * Locking: cm->lock guards every table and every vnode's fields; it is
 * never held across an RPC. RPC results are applied under it afterwards.
 * Objects live until the cache manager is freed (a forget only drops what
 * can be fetched again).
 */
#ifndef NETFUSE_AFS_CM_H
#define NETFUSE_AFS_CM_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "afs_rx/afs.h"
#include "fuse/afs/cell_dns.h"
#include "fuse/afs/source.h"

struct afs_ra_file;
struct evloop_cancel;
struct health_queue;

#define CM_SERVER_ADDRS 8

struct cm_cell {
	char name[AFS_CELL_NAME_MAX];
	unsigned nvl;
	struct sockaddr_in vl[AFS_CELL_SERVERS_MAX];
	unsigned vl_cur; /* the VL server that answered last */
	/* Found in DNS (cm_dns.c): the VL servers hold until vl_expire_ns. */
	bool dns, dns_busy;
	uint64_t vl_expire_ns;
};

/* A name DNS lately had no VL servers for (cm_dns.c). */
struct cm_dns_miss {
	char name[AFS_CELL_NAME_MAX];
	uint64_t until_ns; /* not asked again before this */
	char why[160];
};
#define CM_DNS_MISSES 16

/* A fileserver, known by UUID (or by its one address for old VLDB entries). */
struct cm_server {
	struct afs_uuid uuid;
	bool by_uuid;
	unsigned naddrs, cur;
	struct sockaddr_in addrs[CM_SERVER_ADDRS];
	uint64_t addrs_expire_ns;
	uint64_t rtt_us; /* smoothed round trip of the address last answering */
	struct cm_server *next;
};

/* One volume (one id: the RW, RO or BK volume of a VLDB entry). */
struct cm_volume {
	unsigned cell;
	uint32_t id;
	enum afs_vol_type type;
	char name[AFS_VL_MAXNAMELEN]; /* the entry's name (of the RW volume) */
	uint32_t ids[AFS_MAXTYPES];   /* the entry's volume ids */
	uint32_t vlflags;	      /* AFS_VLF_* */
	unsigned nservers, cur;
	struct cm_server *servers[AFS_NMAXNSERVERS];
	uint64_t expire_ns;	       /* look the entry up again after this */
	uint32_t creation;	       /* from the last volsync; a change scrubs the volume */
	uint64_t busy, offline, moved; /* rotations seen */
	struct cm_volume *next;
};

struct cm_vnode {
	struct afs_fid fid;
	unsigned cell;
	bool have_status;
	struct afs_fetch_status status;
	uint64_t cb_expire_ns; /* 0: no valid promise */
	uint64_t cb_broken_ns; /* when a break last reached it: a reply to a call
				* started before that brings no promise */
	struct cm_server *cb_server;
	/* A directory's contents, for data version dir_dv. */
	uint8_t *dir_blob;
	struct afs_dir dir;
	uint64_t dir_dv;
	bool have_dir;
	struct cm_vnode *dir_prev, *dir_next; /* blobs held, most recently used first */
	/* A symlink's or mount point's contents, for data version link_dv. */
	char *link;
	uint64_t link_dv;
	/* Mount point: what it names, resolved (its root's volume and cell). */
	bool is_mountpoint, mp_resolved;
	struct afs_fid mp_root;
	unsigned mp_cell;
	uint64_t mp_dv; /* the link_dv it was resolved at */
	/* Held across a store and the status it starts from, so that two
	 * stores never race on the file's length (a StoreData64 sets it). */
	pthread_mutex_t store_lock;
	/* Writes held to be stored later (writeback.c), under store_lock:
	 * [wb_start, wb_start + wb_len) of the file in @wb; @wb_end mirrors
	 * its end for attribute readers (atomic; 0: nothing held). */
	char *wb;
	uint64_t wb_start, wb_end;
	size_t wb_len, wb_cap;
	int wb_err; /* a failed store of held writes, for the next close */
	/* The whole file as its last store left it, at data version kept_dv
	 * (writeback.c, under its lock; @kept read without it only as a
	 * hint), on the list of files kept. */
	char *kept;
	size_t kept_len;
	uint64_t kept_dv;
	struct cm_vnode *kept_prev, *kept_next;
	/* Opens of the file; one removed while open is renamed to @silly in
	 * @silly_dir instead, and removed at its last close (or unmount). */
	unsigned opens;
	char *silly;
	struct afs_fid silly_dir;
	bool silly_going; /* its last close is removing the silly name */
	/* The data version of the pages the kernel may hold (keep_cache). */
	uint64_t cached_dv;
	bool cached;
	/* Chunks fetched ahead of a sequential reader (readahead.c, under
	 * its own lock). */
	struct afs_ra_file *ra;
	struct cm_vnode *next;
};

struct cm_stats {
	uint64_t fetch_status, bulk_status, fetch_data, store_data, dir_fetches, dir_bad, dir_edits, dir_edit_misses;
	uint64_t dir_dropped; /* blobs dropped past dir_max */
	uint64_t vl_lookups, readahead_bytes;
	uint64_t cb_breaks, cb_init, cb_given_up, rotations;
};

struct afs_cm {
	pthread_mutex_t lock;
	struct rx_endpoint *ep;
	struct cb_service *cb;
	struct health_queue *health;
	/* Kernel invalidations for broken promises (set by the front-end;
	 * called without cm->lock, on the callback service's thread). */
	void (*inval_inode)(void *arg, const struct afs_fid *fid, unsigned cell);
	void (*inval_entry)(void *arg, const struct afs_fid *dir, unsigned cell, const char *name);
	void *inval_arg;
	unsigned ncells;     /* written under lock, read with an acquire load */
	unsigned ncells_max; /* room in cells[]: CellServDB's and CM_DNS_CELLS */
	struct cm_cell *cells;
	/* DNS cells (cm_dns.c): the resolver (NULL: cell_dns_resolve; tests
	 * set their own), and the names it lately had nothing for. */
	int (*dns_resolve)(const char *cell, struct cell_dns_servers *out, char *err, size_t errlen);
	struct cm_dns_miss dns_miss[CM_DNS_MISSES];
	unsigned dns_miss_next;
	struct cm_server *servers;
	struct cm_volume *volumes;
	unsigned vn_buckets;
	struct cm_vnode **vnodes;
	unsigned nvnodes;
	/* Directory blobs held (bytes), the least recently used dropped past
	 * @dir_max (0: never): they are read again at their next use. */
	struct cm_vnode *dir_head, *dir_tail;
	size_t dir_bytes, dir_max;
	double call_timeout; /* seconds per RPC */
	double vl_ttl;	     /* seconds a VLDB entry is trusted */
	struct cm_stats stats;
};

/* What a call's error says (every caller of the fileservers reads them so). */
/* No server answered, or one refused: another server (or a later try) may do better. */
static inline bool cm_err_unreachable(int r)
{
	return r == -ETIMEDOUT || r == -ECONNREFUSED || r == -EHOSTUNREACH || r == -ENETUNREACH || r == -ECONNRESET ||
	       r == -EHOSTDOWN;
}
/* The caller stopped waiting (an interrupt, the mount ending), not a server's answer. */
static inline bool cm_err_cancelled(int r)
{
	return r == -EINTR || r == -ESHUTDOWN || r == -ECANCELED;
}

/* ---- vldb.c ---------------------------------------------------------------------- */

/* The cell table: @db's cells (copied), @thiscell first when given. */
int cm_cells_init(struct afs_cm *cm, const struct afs_cellservdb *db, char *err, size_t errlen);
/* The index of cell @name, or -ENOENT; a cell not in the table is looked
 * up in DNS (cm_cell_dns). */
int cm_cell_find(struct afs_cm *cm, const char *name);

/*
 * The volume @src names in cell @cell, crossed from a volume of type @from
 * (-1: the mount's source), as afs_source_want() decides; looked up in the
 * VLDB when not known or expired. 0 with *@out, or -errno with a line in
 * @err.
 */
int cm_volume_get(struct afs_cm *cm, struct evloop_cancel *cancel, unsigned cell, const struct afs_source *src,
		  int from, struct cm_volume **out, char *err, size_t errlen);
/* A known volume by id (the FIDs of a mount name only volumes looked up). */
struct cm_volume *cm_volume_by_id(struct afs_cm *cm, unsigned cell, uint32_t id);

/* One fileserver RPC against @vol's sites. @fn makes the call on @cx and
 * returns 0 or -errno (the server's abort in cx->abort_code). Calls that
 * change nothing (@idempotent) also move on after a dead server. */
typedef int (*cm_fs_fn)(struct afs_call_ctx *cx, void *arg);
int cm_fs_call(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, bool idempotent, cm_fs_fn fn,
	       void *arg, struct cm_server **used);

/* ---- cm_dns.c --------------------------------------------------------------------- */

#define CM_DNS_CELLS   64    /* cells found in DNS, at most */
#define CM_DNS_TTL_MIN 10    /* seconds: a DNS cell's servers hold at least this long */
#define CM_DNS_TTL_MAX 86400 /* and at most this long */
#define CM_DNS_RETRY   60    /* seconds before a failed DNS lookup is made again */

/* Cell @name through DNS (SRV, else AFSDB records), added to the table:
 * its index, or -ENOENT (cm_cell_dns_why says why). */
int cm_cell_dns(struct afs_cm *cm, const char *name);
/* Before a VL call to @cell: a DNS cell whose records' TTL ran out is
 * looked up again (when that fails, its servers stay in use for
 * CM_DNS_RETRY seconds more). */
void cm_cell_dns_refresh(struct afs_cm *cm, unsigned cell);
/* Why DNS gave no VL servers for @name, as one line in @buf. */
void cm_cell_dns_why(struct afs_cm *cm, const char *name, char *buf, size_t len);

/* ---- vcache.c --------------------------------------------------------------------- */

int cm_init(struct afs_cm *cm);
void cm_fini(struct afs_cm *cm);

/* The vnode of @fid in @cell, made (without a status) when new; NULL on ENOMEM. */
struct cm_vnode *cm_vnode(struct afs_cm *cm, unsigned cell, const struct afs_fid *fid);

/* @vn's status: the cached one while its promise holds, else fetched. */
int cm_status(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn,
	      struct afs_fetch_status *out);
/* The statuses of @n vnodes of @vol, 50 to an InlineBulkStatus, for those
 * whose promise does not hold. */
int cm_bulk_status(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode **vns,
		   unsigned n);
/* A status (and promise, @cb may be NULL) an RPC started at @t0 returned. */
void cm_apply_status(struct afs_cm *cm, struct cm_vnode *vn, const struct afs_fetch_status *st,
		     const struct afs_callback *cb, uint64_t t0, struct cm_server *srv);
void cm_apply_status_locked(struct afs_cm *cm, struct cm_vnode *vn, const struct afs_fetch_status *st,
			    const struct afs_callback *cb, uint64_t t0, struct cm_server *srv);

/*
 * Our own change to directory @dvn, answered by the fileserver with the
 * directory's new status @st (by a call started at @t0): @ops, in the
 * order the fileserver makes them (a rename: the replaced name removed,
 * the new name added, the old name removed). When the blob held is the
 * version just before @st's, the same edits are made to it (afs_dir_add,
 * afs_dir_remove: as the fileserver makes them, kAFS's afs_edit_dir), so
 * the next lookup or listing fetches nothing; else it is fetched again at
 * its next use. The status is applied either way.
 */
struct cm_dir_op {
	const char *name;
	const struct afs_fid *add; /* the entry added, or NULL: @name removed */
};
void cm_dir_changed(struct afs_cm *cm, struct cm_vnode *dvn, const struct afs_fetch_status *st, uint64_t t0,
		    const struct cm_dir_op *ops, unsigned nops);

/* @vn is a directory we just made in @parent, @st MakeDir's status of it:
 * it holds the blob MakeDir wrote (afs_dir_make), no fetch needed. */
void cm_dir_made(struct afs_cm *cm, struct cm_vnode *vn, const struct afs_fid *parent,
		 const struct afs_fetch_status *st);

/* @name in directory @dvn, through its current blob. */
int cm_dir_lookup(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *dvn,
		  const char *name, struct afs_fid *out);

struct cm_dirent {
	unsigned num; /* entry number: a listing resumes after it */
	char name[AFS_DIR_NAME_MAX + 1];
	struct afs_fid fid;
};
/* Up to @max entries of @dvn from entry number @from on. */
int cm_dir_list(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *dvn,
		unsigned from, struct cm_dirent *out, unsigned max, unsigned *n);

/* Whether @vn's callback promise holds; then its data version and size. */
bool cm_promised(struct afs_cm *cm, struct cm_vnode *vn, uint64_t *dv, uint64_t *size);
/* One FetchData64 of @len bytes at @pos into @buf, its status (and
 * promise) into the cache: the bytes read (short at the end of the file),
 * or -errno. @info (may be NULL): the data version those bytes are of,
 * and the fileserver's smoothed round trip. */
struct cm_read_info {
	uint64_t dv, rtt_us;
};
ssize_t cm_read(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn,
		char *buf, size_t len, uint64_t pos, struct cm_read_info *info);

/* A symlink's (or mount point's) contents into @buf; the length, or -errno. */
int cm_link(struct afs_cm *cm, struct evloop_cancel *cancel, struct cm_volume *vol, struct cm_vnode *vn, char *buf,
	    size_t len);

/* Drop what can be fetched again (the kernel forgot the vnode). */
void cm_forget_data(struct afs_cm *cm, struct cm_vnode *vn);

/* stat(2) attributes of a status; st_ino is the volume and vnode. */
void cm_stat(const struct afs_fetch_status *st, const struct afs_fid *fid, struct stat *out);

/* At unmount, with no other user left: tell each fileserver we no longer
 * need its promises (GiveUpCallBacks, 50 FIDs a call, @timeout seconds
 * each), as OpenAFS's cache manager does at shutdown. */
void cm_give_up_callbacks(struct afs_cm *cm, double timeout);

/* The callback service's ops; arg is the cache manager. */
extern const struct cb_service_ops cm_cb_ops;

#endif
