/*
 * health/health.h: the health event stream of a mount (after XFS healthmon).
 *
 * The protocol clients and the FUSE core report what happens to a mount as
 * events: a domain (the mount, a server session, a volume or pool, an inode,
 * a byte range of an inode) and a type (running, session lost, hunting, I/O
 * error, ...). A health_queue keeps them for the readers of the mount's
 * .health file:
 *
 *  - Bounded: it keeps the newest HEALTH capacity events. A reader that falls
 *    behind that window reads one "lost" event carrying how many it missed,
 *    then goes on from the oldest event still kept. Emitting never blocks
 *    and never waits for a reader.
 *  - Merging: an event merges into the newest kept one when type and domain
 *    match and no reader has read that one yet: counts add, masks OR,
 *    adjacent or overlapping byte ranges of one inode join.
 *  - Ordered: "running" is the first event of a mount and stays readable for
 *    every new reader however many events followed; "unmount" is the last,
 *    after which emits are refused.
 *  - Filtered: normal mode drops events of little interest ("healthy" for
 *    single inodes and ranges); verbose mode (-o health_verbose) keeps them.
 *
 * Readers render events as JSON Lines (health_render.c): each read hands out
 * whole lines in order, so cat, tail -f, grep and jq all work. Events never
 * carry secrets: callers put names, addresses and reasons in them, not keys.
 * All functions are thread-safe.
 */
#ifndef NETFUSE_HEALTH_H
#define NETFUSE_HEALTH_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

enum health_domain {
	HEALTH_DOMAIN_MOUNT,
	HEALTH_DOMAIN_SESSION, /* a session with one server: monitor, fileserver, lock server */
	HEALTH_DOMAIN_VOLUME,  /* a Ceph pool or file system, an AFS volume */
	HEALTH_DOMAIN_INODE,
	HEALTH_DOMAIN_RANGE, /* a byte range of an inode */
	HEALTH_DOMAIN_NR,
};

enum health_type {
	HEALTH_RUNNING, /* the mount is up; first event */
	HEALTH_LOST,	/* a reader missed events (count); made by the queue */
	HEALTH_SESSION_ESTABLISHED,
	HEALTH_SESSION_LOST,
	HEALTH_HUNTING, /* looking for a server to talk to */
	HEALTH_AUTH_FAILED,
	HEALTH_SICK,
	HEALTH_HEALTHY,
	HEALTH_IO_ERROR,
	HEALTH_LOCK_LOST,
	HEALTH_LOCK_RECLAIMED,
	HEALTH_SHUTDOWN, /* the file system stopped serving (fatal) */
	HEALTH_UNMOUNT,	 /* last event */
	HEALTH_TYPE_NR,
};

#define HEALTH_NAME_MAX 64
#define HEALTH_REASON_MAX 160
/* The longest rendered line: every string at its maximum, every byte escaped. */
#define HEALTH_LINE_MAX 4096

struct health_event {
	/* Set by the queue. */
	uint64_t seq;
	struct timespec time;	   /* CLOCK_REALTIME of the first occurrence */
	struct timespec last_time; /* of the last occurrence merged in */

	enum health_domain domain;
	enum health_type type;

	/* Which thing, by domain; unused fields stay zero/empty. */
	char source[2 * HEALTH_NAME_MAX]; /* MOUNT: what was mounted, "mon1,mon2:/dir" */
	char server[HEALTH_NAME_MAX]; /* SESSION: "mon.b", "fileserver", "lockd" */
	char addr[HEALTH_NAME_MAX];   /* SESSION: "127.0.0.1:3301" */
	char volume[HEALTH_NAME_MAX]; /* VOLUME; optional for INODE/RANGE */
	char path[HEALTH_NAME_MAX];   /* INODE/RANGE: a name, when known */
	uint64_t ino, gen;	      /* INODE, RANGE */
	uint64_t offset, length;      /* RANGE */

	/* What happened. */
	uint64_t count;		      /* occurrences; 0 is taken as 1 */
	uint32_t mask;		      /* type-specific bits (what is sick); merges OR */
	int error;		      /* errno (positive), or 0 */
	char reason[HEALTH_REASON_MAX]; /* for people; never a secret */
};

struct health_queue;

struct health_reader {
	uint64_t next_seq; /* the next event this reader has not seen */
	char line[HEALTH_LINE_MAX]; /* a rendered line not yet fully handed out */
	size_t line_len, line_off;
	bool saw_unmount;
};

/* A queue keeping the newest @capacity events (at least 2). */
struct health_queue *health_queue_new(unsigned capacity, bool verbose);
void health_queue_free(struct health_queue *q);

/*
 * Queue an event (copied; seq and times are set here). Returns 0, 1 when it
 * was merged into the newest event, -EAGAIN when filtered out by normal mode,
 * -ESHUTDOWN after "unmount", -EINVAL for an out-of-range domain or type.
 * The queue makes "lost" events itself; emitting one is refused (-EINVAL).
 */
int health_emit(struct health_queue *q, const struct health_event *ev);

/*
 * The one helper every emitter uses: an event of @domain and @type about
 * @who -- the mount's source (MOUNT), the server (SESSION, "mon.b",
 * "fileserver"), the volume (VOLUME), the path (INODE, RANGE) -- at @addr
 * (SESSION; may be NULL), with errno @err (either sign; 0 for none) and a
 * reason for people formatted from @fmt. Nothing happens when @q is NULL
 * (a client run without a mount, as in tests: returns 0); otherwise
 * returns what health_emit returns.
 */
int health_report(struct health_queue *q, enum health_domain domain, enum health_type type, int err, const char *who,
		  const char *addr, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
int health_vreport(struct health_queue *q, enum health_domain domain, enum health_type type, int err, const char *who,
		   const char *addr, const char *fmt, va_list va) __attribute__((format(printf, 7, 0)));

/* Called, outside the queue's lock, after each event queued or merged:
 * FUSE uses it to wake poll()ers. */
void health_queue_set_notify(struct health_queue *q, void (*fn)(void *arg), void *arg);

/* Start a reader at the first event ("running"). */
void health_reader_init(struct health_queue *q, struct health_reader *r);

/*
 * Copy up to @len bytes of rendered lines the reader has not seen into @buf.
 * Returns the byte count, 0 when the reader has seen everything so far (a
 * later read may return more: tail -f), never blocks.
 */
ssize_t health_read(struct health_queue *q, struct health_reader *r, char *buf, size_t len);

/* True when health_read would return data. */
bool health_readable(struct health_queue *q, const struct health_reader *r);

/* Wait until health_read would return data, or @timeout_ms passes (for
 * background readers such as the HTTP export; FUSE readers never wait).
 * Returns whether it is readable. */
bool health_wait(struct health_queue *q, const struct health_reader *r, int timeout_ms);

/* Wake every health_wait()er now (used to stop a background reader). */
void health_wake(struct health_queue *q);

struct health_stats {
	uint64_t emitted, merged, filtered, dropped_from_window;
	unsigned kept;
};
void health_queue_stats(struct health_queue *q, struct health_stats *st);

/* When the newest event was queued or merged (zero before "running"): the
 * .health file's mtime, which is how tail -f on a network mount notices. */
struct timespec health_queue_changed_at(struct health_queue *q);

/* An upper bound of what any one reader can still read: the rendered
 * length of every event kept, plus a "lost" line. (.health adds it to its
 * size, so tail -f reads all of it.) */
size_t health_queue_window_bytes(struct health_queue *q);

/* Names used in the JSON stream and the man page. */
const char *health_domain_name(enum health_domain d);
const char *health_type_name(enum health_type t);

/* Render one event as a JSON line ending in '\n' into @buf; returns the
 * length, or -ENOSPC when it does not fit (HEALTH_LINE_MAX always does). */
int health_render(const struct health_event *ev, char *buf, size_t len);

#endif
