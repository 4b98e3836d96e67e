/*
 * cephosd/osd_msgs.h: the messages an OSD client exchanges with OSDs, after
 * Ceph's messages/MOSDOp.h and MOSDOpReply.h and the kernel's
 * net/ceph/osd_client.c: the request (MOSDOp v8) and its reply
 * (MOSDOpReply), and the payloads of the ops a client uses.
 *
 * A request is a list of ops on one object (struct osd_op: Ceph's
 * ceph_osd_op, 38 bytes on the wire, plus the op's input, which travels in
 * the message's data segment). A reply gives the result, per-op return
 * values and the ops' output, again in the data segment, cut by each op's
 * payload_len. The decoders are length-checked with one error exit; the
 * output they give points into the received message (copy before it goes).
 */
#ifndef NETFUSE_OSD_MSGS_H
#define NETFUSE_OSD_MSGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephosd/osdmap.h"
#include "net/wire.h"

/* message types */
#define CEPH_MSG_OSD_OP	     42
#define CEPH_MSG_OSD_OPREPLY 43
#define CEPH_MSG_OSD_BACKOFF 61

#define MOSDOP_VERSION	      8
#define MOSDOP_COMPAT_VERSION 3

/* ops (CEPH_OSD_OP_*: mode | type | number) */
#define OSD_OP_MODE_RD	 0x1000
#define OSD_OP_MODE_WR	 0x2000
#define OSD_OP_TYPE_DATA 0x0200
#define OSD_OP_TYPE_ATTR 0x0300
#define OSD_OP_TYPE_EXEC 0x0400
#define OSD_OP_TYPE_PG	 0x0500
enum {
	OSD_OP_READ = OSD_OP_MODE_RD | OSD_OP_TYPE_DATA | 1,
	OSD_OP_STAT = OSD_OP_MODE_RD | OSD_OP_TYPE_DATA | 2,
	OSD_OP_SPARSE_READ = OSD_OP_MODE_RD | OSD_OP_TYPE_DATA | 5,
	OSD_OP_OMAPGETKEYS = OSD_OP_MODE_RD | OSD_OP_TYPE_DATA | 17,
	OSD_OP_OMAPGETVALS = OSD_OP_MODE_RD | OSD_OP_TYPE_DATA | 18,
	OSD_OP_OMAPGETHEADER = OSD_OP_MODE_RD | OSD_OP_TYPE_DATA | 19,
	OSD_OP_OMAPGETVALSBYKEYS = OSD_OP_MODE_RD | OSD_OP_TYPE_DATA | 20,
	OSD_OP_WRITE = OSD_OP_MODE_WR | OSD_OP_TYPE_DATA | 1,
	OSD_OP_WRITEFULL = OSD_OP_MODE_WR | OSD_OP_TYPE_DATA | 2,
	OSD_OP_TRUNCATE = OSD_OP_MODE_WR | OSD_OP_TYPE_DATA | 3,
	OSD_OP_ZERO = OSD_OP_MODE_WR | OSD_OP_TYPE_DATA | 4,
	OSD_OP_DELETE = OSD_OP_MODE_WR | OSD_OP_TYPE_DATA | 5,
	OSD_OP_APPEND = OSD_OP_MODE_WR | OSD_OP_TYPE_DATA | 6,
	OSD_OP_CREATE = OSD_OP_MODE_WR | OSD_OP_TYPE_DATA | 13,
	OSD_OP_OMAPSETVALS = OSD_OP_MODE_WR | OSD_OP_TYPE_DATA | 21,
	OSD_OP_OMAPSETHEADER = OSD_OP_MODE_WR | OSD_OP_TYPE_DATA | 22,
	OSD_OP_OMAPCLEAR = OSD_OP_MODE_WR | OSD_OP_TYPE_DATA | 23,
	OSD_OP_OMAPRMKEYS = OSD_OP_MODE_WR | OSD_OP_TYPE_DATA | 24,
	OSD_OP_GETXATTR = OSD_OP_MODE_RD | OSD_OP_TYPE_ATTR | 1,
	OSD_OP_GETXATTRS = OSD_OP_MODE_RD | OSD_OP_TYPE_ATTR | 2,
	OSD_OP_SETXATTR = OSD_OP_MODE_WR | OSD_OP_TYPE_ATTR | 1,
	OSD_OP_RMXATTR = OSD_OP_MODE_WR | OSD_OP_TYPE_ATTR | 3,
	OSD_OP_CALL = OSD_OP_MODE_RD | OSD_OP_TYPE_EXEC | 1,
	OSD_OP_PGNLS = OSD_OP_MODE_RD | OSD_OP_TYPE_PG | 5,
};

/* per-op flags (CEPH_OSD_OP_FLAG_*) */
#define OSD_OP_FLAG_EXCL 0x1 /* CREATE: fail with -EEXIST if it exists */

/* request flags (CEPH_OSD_FLAG_*) */
#define OSD_FLAG_ACK		0x0001
#define OSD_FLAG_ONDISK		0x0004
#define OSD_FLAG_RETRY		0x0008
#define OSD_FLAG_READ		0x0010
#define OSD_FLAG_WRITE		0x0020
#define OSD_FLAG_PGOP		0x0400
#define OSD_FLAG_EXEC		0x0800
#define OSD_FLAG_IGNORE_OVERLAY 0x20000
#define OSD_FLAG_REDIRECTED	0x200000
#define OSD_FLAG_KNOWN_REDIR	0x400000
#define OSD_FLAG_FULL_TRY	0x800000
#define OSD_FLAG_FULL_FORCE	0x1000000

#define OSD_OP_WIRE_LEN 38 /* struct ceph_osd_op */
#define OSD_MAX_OPS	16

/* One op: what goes in ceph_osd_op's union for it, and its input. */
struct osd_op {
	uint16_t op;
	uint32_t flags;
	union {
		struct {
			uint64_t offset, length, truncate_size;
			uint32_t truncate_seq;
		} extent;
		struct {
			uint32_t name_len, value_len;
			uint8_t cmp_op, cmp_mode;
		} xattr;
		struct {
			uint8_t class_len, method_len;
			uint32_t indata_len;
		} cls;
		struct {
			uint64_t count; /* at most this many entries */
			uint32_t start_epoch;
		} pgls;
	};
	const void *indata; /* the op's input (data segment), not owned */
	uint32_t indata_len;
};

/* The request: one object, its ops, and who asks. */
struct mosdop {
	struct osd_pg pgid; /* the PG (folded over pg_num) */
	int8_t shard;	    /* the primary's shard of an erasure pool; -1 (NO_SHARD) */
	uint32_t hash;	    /* the object's full name hash */
	uint32_t epoch;	    /* the map the client targeted with */
	uint32_t flags;
	uint32_t mtime_sec, mtime_nsec;
	int64_t pool; /* the locator */
	const char *key, *ns, *oid;
	unsigned nops;
	const struct osd_op *ops;
	uint64_t snapid, snap_seq; /* OSD_NOSNAP, 0 for the head object */
	int32_t attempts;	   /* sends before this one */
	uint64_t features;	   /* the connection's */
};

#define OSD_NOSNAP 0xfffffffffffffffeull

/* Append the front of @m to @front and the ops' inputs to @data (the
 * message's data segment; NULL: the caller sends them itself, as one op's
 * input can go without a copy). The reqid is left empty, as the kernel leaves
 * it: the OSD names the request by our entity and the message's tid, the
 * same on every resend. 0 or -EINVAL (no ops or too many, an input
 * without its length), -ENOMEM from the encoders. */
int mosdop_encode(const struct mosdop *m, struct wire_enc *front, struct wire_enc *data);

/* The reply to one request. */
struct mosdopreply_op {
	uint16_t op;
	int32_t rval;
	const uint8_t *outdata; /* in the message's data segment */
	uint32_t outdata_len;
};

struct mosdopreply {
	char oid[256]; /* cut to fit: only for logs */
	struct osd_pg pgid;
	uint64_t flags;
	int32_t result;
	uint32_t epoch;
	unsigned nops;
	struct mosdopreply_op ops[OSD_MAX_OPS];
	int32_t attempts; /* the retry_attempt it answers */
	uint64_t version; /* user_version: the object's version after a write */
	bool redirect;	  /* the OSD redirects the request (to a cache tier): not followed */
};

/* @front and @data of an MOSDOpReply (header version @version). 0 or
 * -EBADMSG (including more ops than OSD_MAX_OPS, or outputs longer than
 * the data segment). */
int mosdopreply_decode(uint16_t version, const uint8_t *front, size_t front_len, const uint8_t *data, size_t data_len,
		       struct mosdopreply *out);

/* MOSDBackoff: an OSD asks us to hold requests for a PG (or a range of its
 * objects) until it unblocks them. */
#define OSD_BACKOFF_BLOCK     1
#define OSD_BACKOFF_ACK_BLOCK 2
#define OSD_BACKOFF_UNBLOCK   3

struct mosdbackoff {
	struct osd_pg pgid;
	int8_t shard;
	uint32_t epoch;
	uint8_t op;
	uint64_t id;
	const uint8_t *begin, *end; /* the range's hobject_t encodings, in place */
	uint32_t begin_len, end_len;
};
int mosdbackoff_decode(const uint8_t *front, size_t len, struct mosdbackoff *out);
/* The ACK_BLOCK for a BLOCK: the same PG, epoch, id and range. */
int mosdbackoff_ack_encode(struct wire_enc *e, const struct mosdbackoff *block);

/* ---- op payloads --------------------------------------------------------------- */

/* STAT's output: size and mtime. */
int osd_stat_decode(const uint8_t *p, size_t len, uint64_t *size, uint32_t *mtime_sec, uint32_t *mtime_nsec);

/* SPARSE_READ's output: extents (offset, length) and their bytes, packed.
 * At most @max extents are given; more is -E2BIG. */
struct osd_extent {
	uint64_t offset, length;
};
int osd_sparse_read_decode(const uint8_t *p, size_t len, struct osd_extent *ext, unsigned max, unsigned *n,
			   const uint8_t **data, uint32_t *data_len);

/* OMAPGETVALS's input; its output is a map<string, bufferlist> and a
 * "more" flag, walked with osd_omap_next. */
int osd_omap_get_vals_encode(struct wire_enc *e, const char *start_after, uint64_t max, const char *prefix);
/* OMAPSETVALS's input: @n pairs. OMAPRMKEYS's and OMAPGETVALSBYKEYS's: keys (vals NULL). */
int osd_omap_kv_encode(struct wire_enc *e, const char *const *keys, const void *const *vals, const uint32_t *val_lens,
		       unsigned n);
int osd_omap_keys_encode(struct wire_enc *e, const char *const *keys, unsigned n);

/* A cursor over a map<string, bufferlist> (OMAPGETVALS and OMAPGETVALSBYKEYS
 * output): the count, then each pair in place. */
struct osd_omap_iter {
	struct wire_dec d;
	uint32_t left;
};
int osd_omap_iter_init(struct osd_omap_iter *it, const uint8_t *p, size_t len);
/* 1 with the next pair, 0 at the end, -EBADMSG. */
int osd_omap_next(struct osd_omap_iter *it, const uint8_t **key, uint32_t *key_len, const uint8_t **val,
		  uint32_t *val_len);
/* After the pairs of OMAPGETVALS: whether more remain. */
int osd_omap_more(struct osd_omap_iter *it, bool *more);

/* ---- listing (PGNLS) ----------------------------------------------------------- */

/*
 * A pool is listed PG by PG in the OSDs' object order (by reversed hash),
 * as librados does: each PGNLS, sent to the PG holding the cursor's hash,
 * takes the cursor (an hobject_t) as input and answers with entries and the
 * next cursor, which at the end of a PG is the first position of the next
 * PG, and at the end of the pool the maximum. The request's namespace
 * selects the entries; OSD_ALL_NSPACES lists every namespace.
 */
#define OSD_ALL_NSPACES "\001"

/* An hobject_t (v4), as the OSD orders objects: the fields a cursor needs,
 * strings in place. */
struct osd_hobject {
	const uint8_t *key, *oid, *ns;
	uint32_t key_len, oid_len, ns_len;
	uint64_t snap;
	uint32_t hash;
	bool max; /* after every object: the end of the pool */
	int64_t pool;
};
/* The cursor a listing starts from (a default hobject_t: before every
 * object of every pool). */
int osd_hobject_min_encode(struct wire_enc *e);
int osd_hobject_decode(const uint8_t *p, size_t len, struct osd_hobject *h);

/* A cursor over PGNLS's output (pg_nls_response_t v1): the next cursor
 * (its encoding in place, to send as it is, and decoded), then each entry. */
struct osd_pgnls_iter {
	const uint8_t *handle; /* the next cursor's encoding */
	uint32_t handle_len;
	struct osd_hobject next;
	struct wire_dec d;
	uint32_t left;
};
struct osd_list_entry {
	const uint8_t *ns, *oid, *locator;
	uint32_t ns_len, oid_len, locator_len;
};
int osd_pgnls_iter_init(struct osd_pgnls_iter *it, const uint8_t *p, size_t len);
/* 1 with the next entry, 0 at the end, -EBADMSG. */
int osd_pgnls_next(struct osd_pgnls_iter *it, struct osd_list_entry *e);

/* "read", "write", ... for status and logs. */
const char *osd_op_name(uint16_t op);

#endif
