/*
 * cephmds/mds_caps.c: the MDS client's capability cache, the userspace
 * counterpart of the kernel's fs/ceph/caps.c for a client that reads.
 *
 * One cap per inode, from the rank that granted it (a second rank's cap on
 * the same inode is given back: a one-active-MDS file system never sends
 * one, and the kernel's multi-cap bookkeeping is not worth its weight
 * before writes need it). A cap holds what the MDS issued, what we still
 * implement (issued plus revoked bits not yet acknowledged), its seq,
 * issue_seq and mseq, what the MDS believes we want, and the inode's
 * attributes as the MDS last sent them (a reply's InodeStat or a cap
 * message's body). The attributes are trusted while the caps that cover
 * them are issued on a session that is open and not stale (the kernel's
 * __cap_is_valid): As for mode and owners, Ls for links, Fs for size and
 * times.
 *
 * Revokes are acknowledged with an UPDATE echoing the revoke's seq, our
 * issue_seq and mseq, and caps = what we still hold, as the kernel's
 * check_caps; every REVOKE gets one, even when nothing changed (the
 * revoke-sequence race in doc/design.md). Two things hold an ack back:
 *  - reads in flight under Fr (mdsc_caps_get/put), until the last ends;
 *  - losing Fc: the kernel's pages of the file must go first, and the
 *    owner drops them on its own thread (io.invalidate with a token, then
 *    mdsc_caps_invalidated). That wait is bounded (MDSC_INVAL_WAIT_MS): a
 *    FUSE read holds its pages locked while it waits for us, and it may
 *    be waiting on the MDS, which waits for this ack. A reader waiting in
 *    mdsc_caps_get for the caps a revoke is taking sends the ack at once
 *    for the same reason.
 *
 * Caps go back (MClientCapRelease, queued per session and sent at the
 * tick or when 256 are queued) when the kernel forgets an inode, when the
 * MDS asks for fewer (RECALL_STATE), and when more than max_caps are
 * kept, least recently used first; a cap with open files, reads or an ack
 * in flight stays. A release carries the cap's issue_seq: a Pacific MDS
 * drops the cap only when that is its last issue, so a release that
 * crossed a newer grant leaves the cap with the MDS, and the grant's
 * reply makes it ours again.
 *
 * Open files: an OPEN reply records what the open wants on the MDS's side;
 * the last close sends an UPDATE with that want dropped, so a writer
 * elsewhere can get buffered caps again. A file's pages are kept across
 * opens only while Fc has been held without a break since the last open
 * that found it (mdsc_caps_open's answer).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cephmds/mds_client_int.h"

#define ATTR_CAPS (MDS_CAP_AUTH_SHARED | MDS_CAP_LINK_SHARED | MDS_CAP_XATTR_SHARED | MDS_CAP_FILE_SHARED)

struct mdsc_cap {
	uint64_t ino;
	int32_t rank;
	uint64_t cap_id, realm;
	uint32_t issued, implemented, mds_wanted;
	uint32_t seq, issue_seq, mseq;
	uint64_t fc_since;    /* the generation Fc was last issued in; 0 without Fc */
	uint64_t fc_opened;   /* fc_since at the last open that found Fc */
	unsigned opens;	      /* files open on it (mdsc_caps_open) */
	uint32_t open_wanted; /* what they want */
	uint32_t want_extra;  /* what waiting reads asked for */
	unsigned readers;     /* reads in flight under Fr */
	unsigned writers;     /* writes in flight under Fw */
	unsigned buffers;     /* holders of Fb: writes in flight, data the owner buffers */
	uint32_t dirty;	      /* Fw: size and times changed here, not yet sent */
	uint32_t flushing;    /* sent, FLUSH_ACK not yet back */
	uint64_t flush_tid, flush_acked;
	bool flush_synced;	  /* the newest flush went as a FLUSH (SYNC) */
	uint64_t wanted_max_size; /* asked of the MDS, to write up to it */
	bool dir_changed;	  /* a directory we changed: its counts wait for a GETATTR */
	bool forgotten;		  /* the kernel forgot it while in use: given back once idle */
	bool ack_pending;	  /* a revoke waits for its UPDATE */
	uint32_t ack_seq;	  /* the revoke's seq */
	uint64_t inval_token;	  /* the kernel's pages are being dropped; 0: not */
	uint64_t ack_deadline_ms;
	/* a directory's names (mds_names.h), trusted while Fs stays issued
	 * on a good session: names_gen is the generation that began (0:
	 * not now), which a listing must see unchanged to make them whole */
	struct mdsc_names *names;
	uint64_t names_gen;
	struct mds_inode in; /* scalars only: the pointers are NULL */
	char pool_ns[128];
	uint64_t held_until_ms; /* on HELD: when its last close is told */
	struct mdsc_cap *hnext; /* hash chain */
	struct cap_link {
		struct mdsc_cap *prev, *next;
		bool on;
	} link[3]; /* on m->caps_on[LRU, FLUSHING, HELD] */
};

enum { LRU, FLUSHING, HELD };

/* ---- the table --------------------------------------------------------------------------- */

static size_t hash_ino(uint64_t x, size_t n)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (size_t)x & (n - 1);
}

static struct mdsc_cap *find(const struct mdsc *m, uint64_t ino)
{
	struct mdsc_cap *c = m->cap_nbuckets ? m->cap_buckets[hash_ino(ino, m->cap_nbuckets)] : NULL;

	while (c && c->ino != ino)
		c = c->hnext;
	return c;
}

static void unlink_from(struct mdsc *m, int k, struct mdsc_cap *c)
{
	struct mdsc_cap_list *l = &m->caps_on[k];
	struct cap_link *ln = &c->link[k];

	if (!ln->on)
		return;
	if (ln->prev)
		ln->prev->link[k].next = ln->next;
	else
		l->head = ln->next;
	if (ln->next)
		ln->next->link[k].prev = ln->prev;
	else
		l->tail = ln->prev;
	*ln = (struct cap_link){0};
}

/* @c to the end of list @k (moved there if already on it). */
static void append_to(struct mdsc *m, int k, struct mdsc_cap *c)
{
	struct mdsc_cap_list *l = &m->caps_on[k];

	unlink_from(m, k, c);
	c->link[k] = (struct cap_link){.prev = l->tail, .on = true};
	if (l->tail)
		l->tail->link[k].next = c;
	else
		l->head = c;
	l->tail = c;
}

static struct mdsc_cap *first_on(const struct mdsc *m, int k)
{
	return m->caps_on[k].head;
}

static struct mdsc_cap *next_on(const struct mdsc_cap *c, int k)
{
	return c->link[k].next;
}

static void touch(struct mdsc *m, struct mdsc_cap *c)
{
	if (m->caps_on[LRU].tail != c)
		append_to(m, LRU, c);
}

static bool grow(struct mdsc *m)
{
	size_t n = m->cap_nbuckets ? 2 * m->cap_nbuckets : 256;
	struct mdsc_cap **b = calloc(n, sizeof(*b));

	if (!b)
		return false;
	for (size_t i = 0; i < m->cap_nbuckets; i++)
		for (struct mdsc_cap *c = m->cap_buckets[i], *next; c; c = next) {
			size_t h = hash_ino(c->ino, n);
			next = c->hnext;
			c->hnext = b[h];
			b[h] = c;
		}
	free(m->cap_buckets);
	m->cap_buckets = b;
	m->cap_nbuckets = n;
	return true;
}

static struct mdsc_cap *add(struct mdsc *m, struct msession *s, uint64_t ino)
{
	struct mdsc_cap *c;
	size_t h;

	if (m->ncaps >= m->cap_nbuckets && !grow(m))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->ino = ino;
	c->rank = s->rank;
	h = hash_ino(ino, m->cap_nbuckets);
	c->hnext = m->cap_buckets[h];
	m->cap_buckets[h] = c;
	append_to(m, LRU, c);
	m->ncaps++;
	s->ncaps++;
	return c;
}

static void drop(struct mdsc *m, struct mdsc_cap *c)
{
	struct mdsc_cap **pp = &m->cap_buckets[hash_ino(c->ino, m->cap_nbuckets)];

	while (*pp != c)
		pp = &(*pp)->hnext;
	*pp = c->hnext;
	for (int k = LRU; k <= HELD; k++)
		unlink_from(m, k, c);
	m->ncaps--;
	if (c->ack_pending)
		m->acks_pending--;
	if (c->rank >= 0 && c->rank < MDSC_MAX_RANKS && m->s[c->rank].ncaps)
		m->s[c->rank].ncaps--;
	mdsc_names_free(&c->names, &m->names);
	free(c);
}

static void names_settle(struct mdsc *m, int32_t rank, uint64_t tid);

int mdsc_caps_init(struct mdsc *m)
{
	m->max_caps = MDSC_DEFAULT_MAX_CAPS;
	m->names.limit = MDSC_MAX_NAMES;
	return grow(m) ? 0 : -ENOMEM;
}

void mdsc_caps_destroy(struct mdsc *m)
{
	names_settle(m, -1, 0);
	while (first_on(m, LRU))
		drop(m, first_on(m, LRU));
	free(m->cap_buckets);
	m->cap_buckets = NULL;
	m->cap_nbuckets = 0;
	for (unsigned i = 0; i < MDSC_MAX_RANKS; i++) {
		free(m->s[i].releases);
		m->s[i].releases = NULL;
		m->s[i].nreleases = 0;
	}
}

/* ---- what goes to the MDS ---------------------------------------------------------------- */

void mdsc_caps_flush_releases(struct mdsc *m, struct msession *s)
{
	struct wire_enc e;

	if (!s->nreleases)
		return;
	if (s->state == S_OPEN && s->up) {
		wire_enc_init(&e);
		mdsc_send(m, s, CEPH_MSG_CLIENT_CAPRELEASE, mds_cap_release_encode(&e, s->releases, s->nreleases), 0,
			  &e, NULL, 0);
		wire_enc_free(&e);
		m->st.caps_released += s->nreleases;
	}
	s->nreleases = 0; /* a session that is not open has no caps to give back */
}

void mdsc_caps_queue_release(struct mdsc *m, struct msession *s, uint64_t ino, uint64_t cap_id, uint32_t mseq,
			     uint32_t issue_seq)
{
	if (!s->releases && !(s->releases = malloc(MDSC_RELEASES_PER_MSG * sizeof(*s->releases))))
		return; /* the MDS takes it back when the session ends */
	s->releases[s->nreleases++] =
	    (struct mds_cap_item){.ino = ino, .cap_id = cap_id, .migrate_seq = mseq, .seq = issue_seq};
	if (s->nreleases == MDSC_RELEASES_PER_MSG)
		mdsc_caps_flush_releases(m, s);
}

static void release(struct mdsc *m, struct mdsc_cap *c)
{
	mdsc_caps_queue_release(m, &m->s[c->rank], c->ino, c->cap_id, c->mseq, c->issue_seq);
	drop(m, c);
}

/* Whether @c's caps may be trusted now (the kernel's __cap_is_valid). */
static bool valid(const struct mdsc *m, const struct mdsc_cap *c, uint64_t now)
{
	const struct msession *s = &m->s[c->rank];

	return s->state == S_OPEN && !s->stale && now < s->cap_ttl_ms;
}

static bool idle(const struct mdsc_cap *c)
{
	return !c->opens && !c->readers && !c->writers && !c->buffers && !c->ack_pending && !c->dirty &&
	       !c->flushing;
}

/* A cap the kernel forgot while it was in use goes back once it is not:
 * @c may be freed. */
static void release_if_forgotten(struct mdsc *m, struct mdsc_cap *c)
{
	if (c->forgotten && idle(c))
		release(m, c);
}

static uint32_t wanted(const struct mdsc_cap *c)
{
	return c->opens ? c->open_wanted | c->want_extra : c->want_extra;
}

/* The oldest flush of ours the MDS has not acknowledged (@tid, the one
 * being sent, when none): the MDS forgets the flushes before it. */
static uint64_t oldest_flush(const struct mdsc *m, uint64_t tid)
{
	const struct mdsc_cap *c = first_on(m, FLUSHING);

	return c && c->flush_tid < tid ? c->flush_tid : tid;
}

/* An UPDATE or a FLUSH: acknowledges revokes up to @seq, says what we want
 * (and the size we want to write to), and with @flush sends what is dirty
 * under a new flush tid (the message's tid, which the FLUSH_ACK echoes). */
static void send_caps(struct mdsc *m, struct mdsc_cap *c, uint32_t op, uint32_t seq, bool flush)
{
	struct msession *s = &m->s[c->rank];
	struct mds_caps_msg *msg = calloc(1, sizeof(*msg));
	uint64_t tid = 0;
	uint32_t dirty = 0;
	struct wire_enc e;

	if (!msg)
		return;
	/* Nothing goes to an MDS that is not ours to talk to now: one
	 * restarting (a reconnecting session's connection also carries the
	 * replays and MClientReconnect first, and the new MDS numbers the
	 * caps afresh). What is dirty is flushed once it takes them over. */
	if ((s->state != S_OPEN && s->state != S_CLOSING) || !s->up) {
		free(msg);
		return;
	}
	if (flush && c->dirty) {
		tid = ++m->last_flush_tid;
		dirty = c->dirty;
		msg->oldest_flush_tid = oldest_flush(m, tid);
		c->flushing |= c->dirty;
		c->flush_tid = tid;
		append_to(m, FLUSHING, c);
		c->dirty = 0;
		/* only a FLUSH someone waits for makes the MDS write its
		 * journal at once: an UPDATE's dirty fields are journaled
		 * with the MDS's other work */
		c->flush_synced = op == MDS_CAP_OP_FLUSH;
		if (op == MDS_CAP_OP_FLUSH)
			msg->flags = MDS_CAPS_FLAG_SYNC;
	}
	msg->h = (struct mds_caps_head){.op = op,
					.dirty = dirty,
					.ino = c->ino,
					.realm = c->realm,
					.cap_id = c->cap_id,
					.seq = seq,
					.issue_seq = c->issue_seq,
					.caps = c->implemented,
					.wanted = wanted(c),
					.migrate_seq = c->mseq};
	msg->uid = c->in.uid;
	msg->gid = c->in.gid;
	msg->mode = c->in.mode;
	msg->nlink = c->in.nlink;
	msg->xattr_version = c->in.xattr_version;
	msg->size = c->in.size;
	msg->max_size = c->wanted_max_size > c->in.max_size ? c->wanted_max_size : c->in.max_size;
	msg->truncate_size = c->in.truncate_size;
	msg->truncate_seq = c->in.truncate_seq;
	msg->mtime = c->in.mtime;
	msg->atime = c->in.atime;
	msg->ctime = c->in.ctime;
	msg->btime = c->in.btime;
	msg->time_warp_seq = c->in.time_warp_seq;
	msg->change_attr = c->in.change_attr;
	msg->inline_version = UINT64_MAX;
	msg->nfiles = msg->nsubdirs = -1;
	wire_enc_init(&e);
	if (mdsc_send(m, s, CEPH_MSG_CLIENT_CAPS, mds_caps_encode(&e, msg), tid, &e, NULL, 0) >= 0)
		c->mds_wanted = msg->h.wanted;
	wire_enc_free(&e);
	free(msg);
}

static void send_update(struct mdsc *m, struct mdsc_cap *c, uint32_t seq)
{
	send_caps(m, c, MDS_CAP_OP_UPDATE, seq, false);
}

/* Acknowledge a pending revoke once nothing holds it back (or the wait
 * for the kernel's pages ran out at @now). */
static void try_ack(struct mdsc *m, struct mdsc_cap *c, uint64_t now)
{
	uint32_t revoking = c->implemented & ~c->issued;

	if (!c->ack_pending)
		return;
	if ((revoking & MDS_CAP_FILE_RD) && c->readers)
		return;
	if ((revoking & MDS_CAP_FILE_WR) && c->writers)
		return;
	if ((revoking & MDS_CAP_FILE_BUFFER) && c->buffers) /* written back first */
		return;
	if (c->inval_token && now < c->ack_deadline_ms)
		return;
	c->ack_pending = false;
	m->acks_pending--;
	c->inval_token = 0;
	c->implemented = c->issued;
	/* what was written under the caps going goes with the ack */
	send_caps(m, c, MDS_CAP_OP_UPDATE, c->ack_seq,
		  c->dirty && (revoking & (MDS_CAP_FILE_WR | MDS_CAP_FILE_BUFFER | MDS_CAP_FILE_EXCL)));
	m->st.revokes_acked++;
}

/* ---- attributes -------------------------------------------------------------------------- */

static int ts_cmp(struct mds_timespec a, struct mds_timespec b)
{
	if (a.sec != b.sec)
		return a.sec < b.sec ? -1 : 1;
	return a.nsec < b.nsec ? -1 : a.nsec > b.nsec;
}

static struct mds_timespec ts_max(struct mds_timespec a, struct mds_timespec b)
{
	return ts_cmp(a, b) < 0 ? b : a;
}

/* A reply's inode into the cache. Its size and times may be older than
 * ours: the MDS encodes what it has committed, and our writes' size and
 * mtime reach it only with the next flush. So, as the kernel's
 * ceph_fill_file_size and ceph_fill_file_time take them, a size only
 * grows under one truncate_seq (a new one, a truncation, is taken
 * whole), and times only move forward under one time_warp_seq. */
static void keep_attrs(struct mdsc_cap *c, const struct mds_inode *in)
{
	const struct mds_inode old = c->in;

	c->in = *in;
	c->in.splits = c->in.symlink = c->in.xattrs = c->in.inline_data = c->in.pool_ns = NULL;
	c->in.nsplits = c->in.symlink_len = c->in.xattrs_len = c->in.inline_len = c->in.pool_ns_len = 0;
	snprintf(c->pool_ns, sizeof(c->pool_ns), "%.*s", (int)in->pool_ns_len, (const char *)in->pool_ns);
	if (!old.ino)
		return;
	if (in->truncate_seq < old.truncate_seq || (in->truncate_seq == old.truncate_seq && in->size < old.size)) {
		c->in.size = old.size;
		c->in.truncate_seq = old.truncate_seq;
		c->in.truncate_size = old.truncate_size;
	}
	if (in->time_warp_seq < old.time_warp_seq) {
		c->in.mtime = old.mtime;
		c->in.atime = old.atime;
		c->in.ctime = old.ctime;
		c->in.time_warp_seq = old.time_warp_seq;
	} else if (in->time_warp_seq == old.time_warp_seq) {
		c->in.mtime = ts_max(in->mtime, old.mtime);
		c->in.atime = ts_max(in->atime, old.atime);
		c->in.ctime = ts_max(in->ctime, old.ctime);
	}
}

/* A cap message's attributes, as the kernel's handle_cap_grant takes them:
 * the shared caps' fields when they are issued, a size only larger
 * under our truncate_seq (any under a newer one), times not older than ours (unless the
 * MDS's time_warp_seq says they went back). Returns what the kernel must
 * drop: MDSC_INVAL_ATTRS when something changed, MDSC_INVAL_PAGES when
 * the file was truncated. */
static unsigned take_attrs(struct mdsc_cap *c, const struct mds_caps_msg *cm, uint32_t newcaps)
{
	struct mds_inode *in = &c->in;
	unsigned what = 0;

	if (newcaps & MDS_CAP_AUTH_SHARED) {
		what |= in->mode != cm->mode || in->uid != cm->uid || in->gid != cm->gid ? MDSC_INVAL_ATTRS : 0;
		in->mode = cm->mode;
		in->uid = cm->uid;
		in->gid = cm->gid;
	}
	if (newcaps & MDS_CAP_LINK_SHARED) {
		what |= in->nlink != cm->nlink ? MDSC_INVAL_ATTRS : 0;
		in->nlink = cm->nlink;
	}
	/* a size below ours under the same truncate_seq is the MDS's before
	 * our writes reached it: a shrink always comes with a new seq */
	if (cm->truncate_seq > in->truncate_seq || (cm->truncate_seq == in->truncate_seq && cm->size > in->size)) {
		if (cm->truncate_seq > in->truncate_seq)
			what |= MDSC_INVAL_PAGES;
		what |= MDSC_INVAL_ATTRS;
		in->size = cm->size;
		in->truncate_seq = cm->truncate_seq;
		in->truncate_size = cm->truncate_size;
	}
	in->max_size = cm->max_size;
	if (cm->time_warp_seq > in->time_warp_seq || ts_cmp(cm->mtime, in->mtime) > 0 ||
	    ts_cmp(cm->ctime, in->ctime) > 0) {
		what |= MDSC_INVAL_ATTRS;
		in->mtime = cm->mtime;
		in->ctime = cm->ctime;
		in->atime = cm->atime;
		in->time_warp_seq = cm->time_warp_seq;
	}
	if (cm->xattr_version > in->xattr_version)
		in->xattr_version = cm->xattr_version;
	if (cm->nfiles >= 0 && cm->nsubdirs >= 0) {
		what |= in->files != cm->nfiles || in->subdirs != cm->nsubdirs ? MDSC_INVAL_ATTRS : 0;
		in->files = cm->nfiles;
		in->subdirs = cm->nsubdirs;
	}
	if (cm->object_size) {
		in->stripe_unit = cm->stripe_unit;
		in->stripe_count = cm->stripe_count;
		in->object_size = cm->object_size;
		in->pool = cm->pool;
		snprintf(c->pool_ns, sizeof(c->pool_ns), "%.*s", (int)cm->pool_ns_len, (const char *)cm->pool_ns);
	}
	in->change_attr = cm->change_attr > in->change_attr ? cm->change_attr : in->change_attr;
	return what;
}

/* @c now has @newcaps issued: note Fc's coming and going, wake waiters. */
static unsigned set_issued(struct mdsc *m, struct mdsc_cap *c, uint32_t newcaps)
{
	uint32_t lost = c->issued & ~newcaps, gained = newcaps & ~c->issued;
	unsigned what = 0;

	if (gained & MDS_CAP_FILE_CACHE)
		c->fc_since = ++m->gen;
	if (lost & MDS_CAP_FILE_CACHE) {
		c->fc_since = 0;
		what |= MDSC_INVAL_PAGES;
	}
	if (gained & MDS_CAP_FILE_SHARED)
		c->names_gen = ++m->gen;
	if (lost & MDS_CAP_FILE_SHARED) { /* another client may change the directory now */
		c->names_gen = 0;
		mdsc_names_free(&c->names, &m->names);
	}
	if (lost & ATTR_CAPS)
		what |= MDSC_INVAL_ATTRS;
	c->issued = newcaps;
	c->implemented |= newcaps;
	if (gained && m->io.caps_changed)
		m->io.caps_changed(m->io.arg);
	return what;
}

static void invalidate(struct mdsc *m, uint64_t ino, unsigned what, uint64_t token)
{
	if ((what || token) && m->io.invalidate)
		m->io.invalidate(m->io.arg, ino, what, token);
}

/* ---- replies ----------------------------------------------------------------------------- */

/* @fresh: a GETATTR's target, read under the MDS's locks (a reply's
 * other inodes may be what the MDS has committed, older than a change
 * of ours still in its journal). */
static void reply_cap(struct mdsc *m, struct msession *s, const struct mds_inode *in, bool fresh)
{
	const struct mds_reply_cap *rc = &in->cap;
	struct mdsc_cap *c;
	uint64_t had_size, had_seq;
	uint32_t caps, seq, mseq;
	bool had, added;
	unsigned what;

	if (!rc->caps || in->snapid != MDS_NOSNAP) /* no cap, or a snapshot's (nothing to give back) */
		return;
	c = find(m, in->ino);
	if (c && c->rank != s->rank) { /* one cap per inode: give the second back */
		mdsc_caps_queue_release(m, s, in->ino, rc->cap_id, rc->mseq, rc->seq);
		return;
	}
	added = !c;
	if (!c && (m->stopping || !(c = add(m, s, in->ino)))) {
		mdsc_caps_queue_release(m, s, in->ino, rc->cap_id, rc->mseq, rc->seq);
		return;
	}
	/* As the kernel's ceph_add_cap: a reply's cap replaces what we had,
	 * and it is the only place besides IMPORT that sets issue_seq; a
	 * reply no newer than the cap's last message (its seq) adds to what
	 * is issued, taking nothing a later grant gave. */
	caps = rc->caps;
	seq = rc->seq;
	mseq = rc->mseq;
	if (!added && c->cap_id == rc->cap_id && (int32_t)(seq - c->seq) <= 0) {
		caps |= c->issued;
		seq = c->seq;
		mseq = c->mseq;
	}
	c->cap_id = rc->cap_id;
	c->realm = rc->realm;
	c->mds_wanted = mseq > c->mseq ? rc->wanted : c->mds_wanted | rc->wanted;
	c->seq = c->issue_seq = seq;
	c->mseq = mseq;
	what = set_issued(m, c, caps);
	had_size = c->in.size, had_seq = c->in.truncate_seq, had = c->in.ino != 0;
	keep_attrs(c, in);
	if (had && (c->in.size != had_size || c->in.truncate_seq != had_seq))
		what |= MDSC_INVAL_PAGES; /* changed while we did not hold Fc */
	if (fresh)
		c->dir_changed = false;
	c->forgotten = false; /* the kernel may hold it again */
	touch(m, c);
	invalidate(m, c->ino, what, 0);
}

/* ---- names ------------------------------------------------------------------------------- */

/* @c's names are not known any more, and a listing across this is not
 * whole. */
static void names_distrust(struct mdsc *m, struct mdsc_cap *c)
{
	mdsc_names_free(&c->names, &m->names);
	if (c->names_gen)
		c->names_gen = ++m->gen;
}

/* Directory @c's names table while it may be trusted: Fs issued since
 * names_gen on a good session (NULL otherwise, and what was kept goes). */
static struct mdsc_names **names_of(struct mdsc *m, struct mdsc_cap *c, uint64_t now)
{
	if (!c || !c->names_gen)
		return NULL;
	if ((c->issued & MDS_CAP_FILE_SHARED) && valid(m, c, now) && S_ISDIR(c->in.mode) && !m->names_off)
		return &c->names;
	names_distrust(m, c);
	return NULL;
}

/* What session @s's MDS says of @name in @dir: kept when the directory's
 * cap is that MDS's (its Fs speaks for the names that MDS serves). */
static void name_is(struct mdsc *m, const struct msession *s, uint64_t dir, const uint8_t *name, size_t len,
		    uint64_t ino, uint64_t snapid, uint64_t now)
{
	struct mdsc_cap *c = find(m, dir);
	struct mdsc_names **t = names_of(m, c, now);

	if (t && c->rank == s->rank && snapid == MDS_NOSNAP)
		mdsc_names_set(t, &m->names, (const char *)name, len, ino);
	else if (c && ino)
		names_distrust(m, c); /* a name we cannot keep: a listing across it is not whole */
}

static void names_forget_dir(struct mdsc *m, uint64_t dir)
{
	struct mdsc_cap *c = find(m, dir);

	if (c)
		names_distrust(m, c);
}

static bool changes_names(uint32_t op)
{
	switch (op) {
	case MDS_OP_CREATE:
	case MDS_OP_MKNOD:
	case MDS_OP_MKDIR:
	case MDS_OP_SYMLINK:
	case MDS_OP_LINK:
	case MDS_OP_UNLINK:
	case MDS_OP_RMDIR:
	case MDS_OP_RENAME:
		return true;
	default:
		return false;
	}
}

/* A change of names we gave up on before its reply (mdsc_caps_names_abandoned). */
struct names_abandoned {
	uint64_t tid;
	int32_t rank;
	uint64_t dir[2];
	struct names_abandoned *next;
};

void mdsc_caps_names_abandoned(struct mdsc *m, const struct mdsc_request *r)
{
	struct names_abandoned *a;

	if (!changes_names(r->m.op))
		return;
	names_forget_dir(m, r->m.path.ino);
	names_forget_dir(m, r->m.path2.ino);
	if (r->target < 0 || r->target >= MDSC_MAX_RANKS || m->s[r->target].state != S_OPEN)
		return; /* its session is gone: no reply will come, nor the caps it would speak of */
	if (!(a = malloc(sizeof(*a)))) { /* its reply could not be told apart: trust no name again */
		m->names_off = true;
		return;
	}
	*a = (struct names_abandoned){.tid = r->tid.tid,
				      .rank = r->target,
				      .dir = {r->m.path.ino, r->m.path2.ino},
				      .next = m->abandoned};
	m->abandoned = a;
}

/* Forget the abandoned changes of @rank (all when -1), or the one of
 * @tid, with what their directories' names were. */
static void names_settle(struct mdsc *m, int32_t rank, uint64_t tid)
{
	for (struct names_abandoned **pp = &m->abandoned; *pp;) {
		struct names_abandoned *a = *pp;
		if (tid ? a->tid != tid : (rank >= 0 && a->rank != rank)) {
			pp = &a->next;
			continue;
		}
		names_forget_dir(m, a->dir[0]);
		names_forget_dir(m, a->dir[1]);
		*pp = a->next;
		free(a);
	}
}

void mdsc_caps_names_settle(struct mdsc *m, uint64_t tid)
{
	if (tid)
		names_settle(m, -1, tid);
}

/* What a reply tells of names, as the kernel's ceph_fill_trace takes it:
 * the trace's dentry is the name as it now is (its target, or a null
 * dentry: absent). Reads under the MDS's locks (a lookup, a listing) and
 * our own changes both; a change the trace does not show (no trace, an
 * error) leaves the directories it touched not known at all. @r: the
 * request, NULL for a safe reply after the unsafe one (that one told). */
static void names_from_reply(struct mdsc *m, const struct msession *s, const struct mdsc_request *r,
			     const struct mds_reply *rep, uint64_t now)
{
	uint32_t op = rep->op;
	bool changes = changes_names(op);

	if (!r || (op != MDS_OP_LOOKUP && !changes))
		return;
	if (rep->is_dentry && (!rep->result || (op == MDS_OP_LOOKUP && rep->result == -ENOENT)))
		name_is(m, s, rep->diri.ino, rep->dname, rep->dname_len, rep->is_target ? rep->target.ino : 0,
			rep->is_target && rep->target.snapid != MDS_NOSNAP ? rep->target.snapid : rep->diri.snapid, now);
	if (!changes)
		return;
	if (rep->result || !rep->is_dentry) {
		names_forget_dir(m, r->m.path.ino);
		names_forget_dir(m, r->m.path2.ino);
		return;
	}
	if (op == MDS_OP_RENAME) { /* the source's name: gone, unless it named the target (a no-op) */
		struct mdsc_cap *c = find(m, r->m.path2.ino);
		const char *old = r->m.path2.path ? r->m.path2.path : "";
		if (c) { /* and a listing across this may not make it complete */
			mdsc_names_forget(c->names, &m->names, old, strlen(old));
			if (c->names_gen)
				c->names_gen = ++m->gen;
		}
	}
	if (op == MDS_OP_MKDIR && rep->is_target) { /* a new directory: empty, all its names known */
		struct mdsc_names **t = names_of(m, find(m, rep->target.ino), now);
		if (t)
			mdsc_names_set_complete(t, &m->names);
	}
}

static void names_from_listing(struct mdsc *m, const struct msession *s, const struct mdsc_request *r,
			       const struct mds_dentry *de, uint64_t now)
{
	if (r && de->inode.snapid == MDS_NOSNAP)
		name_is(m, s, r->m.path.ino, de->name, de->name_len, de->inode.ino, MDS_NOSNAP, now);
	else
		m->names.losses++;
}

void mdsc_caps_from_reply(struct mdsc *m, struct msession *s, const struct mdsc_request *r,
			  const struct mds_reply *rep, uint64_t now)
{
	struct mds_readdir rd;
	struct mds_dentry *de;

	if (rep->is_dentry)
		reply_cap(m, s, &rep->diri, false);
	if (rep->is_target)
		reply_cap(m, s, &rep->target, rep->op == MDS_OP_GETATTR);
	if (rep->op == MDS_OP_READDIR && !rep->result) {
		int k = -ENOMEM;
		if (!mds_readdir_begin(&rd, rep->extra, rep->extra_len) && (de = malloc(sizeof(*de)))) {
			while ((k = mds_readdir_next(&rd, de)) == 1) {
				reply_cap(m, s, &de->inode, false);
				names_from_listing(m, s, r, de, now);
			}
			free(de);
		}
		if (k < 0) /* names not kept: the listing must not make its directory's complete */
			m->names.losses++;
	}
	names_from_reply(m, s, r, rep, now);
	mdsc_caps_flush_releases(m, s);
}

/* ---- cap messages ------------------------------------------------------------------------ */

static void handle_grant(struct mdsc *m, struct mdsc_cap *c, const struct mds_caps_msg *cm, uint64_t now)
{
	uint32_t newcaps = cm->h.caps;
	unsigned what;
	bool revoke = cm->h.op == MDS_CAP_OP_REVOKE || (c->issued & ~newcaps);

	c->seq = cm->h.seq;
	c->mds_wanted = cm->h.wanted;
	if (cm->max_size != c->in.max_size) {
		/* a write waiting for it may go, or ask again (the MDS may
		 * grant less than asked): the next ask is a new one */
		c->wanted_max_size = 0;
		if (m->io.caps_changed)
			m->io.caps_changed(m->io.arg);
	}
	what = take_attrs(c, cm, newcaps) | set_issued(m, c, newcaps);
	if (!revoke) {
		invalidate(m, c->ino, what, 0);
		return;
	}
	if (!c->ack_pending)
		m->acks_pending++;
	c->ack_pending = true;
	c->ack_seq = cm->h.seq;
	m->st.revokes++;
	if ((c->implemented & ~newcaps & MDS_CAP_FILE_BUFFER) && c->buffers && m->io.writeback)
		m->io.writeback(m->io.arg, c->ino); /* its put lets the ack go */
	if ((c->implemented & ~newcaps & MDS_CAP_FILE_CACHE) && m->io.invalidate) {
		c->inval_token = ++m->gen;
		c->ack_deadline_ms = now + MDSC_INVAL_WAIT_MS;
		invalidate(m, c->ino, what | MDSC_INVAL_PAGES, c->inval_token);
	} else {
		invalidate(m, c->ino, what, 0);
	}
	try_ack(m, c, now);
}

/* A flush of @c whose ack will not come (the MDS that had it is gone, or
 * gave the cap away): what it carried is dirty again, for a new flush. */
static void unflush(struct mdsc *m, struct mdsc_cap *c)
{
	c->dirty |= c->flushing;
	c->flushing = 0;
	unlink_from(m, FLUSHING, c);
}

static void handle_import(struct mdsc *m, struct msession *s, struct mdsc_cap *c, const struct mds_caps_msg *cm,
			  uint64_t now)
{
	unsigned what;
	bool moved = false;

	if (c && c->rank != s->rank) {
		/* from the peer it names: the MDS moved it, nothing to give
		 * back; another rank's: ours is the importer's now. What the
		 * cap carries (opens, what is dirty or being flushed, a held
		 * close, buffers) moves with it, as the kernel's ceph_add_cap
		 * keeps it on the inode. */
		if (!(cm->have_peer && cm->peer.mds == c->rank && cm->peer.cap_id == c->cap_id))
			mdsc_caps_queue_release(m, &m->s[c->rank], c->ino, c->cap_id, c->mseq, c->issue_seq);
		if (m->s[c->rank].ncaps)
			m->s[c->rank].ncaps--;
		c->rank = s->rank;
		s->ncaps++;
		if (c->ack_pending) { /* the exporter's revoke is moot */
			c->ack_pending = false;
			m->acks_pending--;
			c->inval_token = 0;
		}
		/* a flush the exporter never acknowledged: the importer
		 * must have it */
		unflush(m, c);
		moved = true;
	}
	if (!c && (m->stopping || !(c = add(m, s, cm->h.ino)))) {
		mdsc_caps_queue_release(m, s, cm->h.ino, cm->h.cap_id, cm->h.migrate_seq, cm->h.seq);
		return;
	}
	c->cap_id = cm->h.cap_id;
	c->realm = cm->h.realm;
	c->seq = c->issue_seq = cm->h.seq;
	c->mseq = cm->h.migrate_seq;
	c->mds_wanted = cm->h.wanted;
	what = take_attrs(c, cm, cm->h.caps) | set_issued(m, c, cm->h.caps);
	c->implemented = c->issued;
	invalidate(m, c->ino, what, 0);
	/* that flush goes to the importer (the kernel's __kick_flushing_caps)
	 * under a new tid; a session not good now sends it once renewed */
	if (moved && c->dirty && !c->link[HELD].on && valid(m, c, now))
		send_caps(m, c, c->flush_synced ? MDS_CAP_OP_FLUSH : MDS_CAP_OP_UPDATE, c->seq, true);
}

void mdsc_caps_handle(struct mdsc *m, struct msession *s, uint16_t version, uint64_t tid, const uint8_t *front,
		      size_t len, const uint8_t *middle, size_t middle_len, uint64_t now)
{
	struct mds_caps_msg *cm = malloc(sizeof(*cm));
	struct mdsc_cap *c;

	if (!cm)
		return;
	if (mds_caps_decode(version, front, len, middle, middle_len, cm)) {
		mdsc_report(m, s, HEALTH_IO_ERROR, EBADMSG, "malformed caps message dropped");
		free(cm);
		return;
	}
	c = find(m, cm->h.ino);
	switch (cm->h.op) {
	case MDS_CAP_OP_IMPORT:
		handle_import(m, s, c, cm, now);
		break;
	case MDS_CAP_OP_EXPORT:
		/* the cap moves to the peer, whose IMPORT brings it back; one
		 * in use, dirty, being flushed or with a held close waits for
		 * that IMPORT with its state (handle_import) */
		if (c && c->rank == s->rank && c->cap_id == cm->h.cap_id && idle(c) && !c->link[HELD].on) {
			invalidate(m, c->ino,
				   MDSC_INVAL_ATTRS | (c->issued & MDS_CAP_FILE_CACHE ? MDSC_INVAL_PAGES : 0), 0);
			drop(m, c);
		}
		break;
	case MDS_CAP_OP_GRANT:
	case MDS_CAP_OP_REVOKE:
	case MDS_CAP_OP_TRUNC:
		if (!c || c->rank != s->rank) { /* as the kernel answers one for an inode it does not have */
			if (cm->h.op != MDS_CAP_OP_TRUNC)
				mdsc_caps_queue_release(m, s, cm->h.ino, cm->h.cap_id, cm->h.migrate_seq, cm->h.seq);
			break;
		}
		if (cm->h.op == MDS_CAP_OP_TRUNC)
			invalidate(m, c->ino, take_attrs(c, cm, c->issued), 0);
		else
			handle_grant(m, c, cm, now);
		break;
	case MDS_CAP_OP_FLUSH_ACK: /* @tid: the flush's */
		if (c && c->rank == s->rank && tid > c->flush_acked) {
			c->flush_acked = tid;
			if (tid >= c->flush_tid) {
				c->flushing = 0;
				unlink_from(m, FLUSHING, c);
			}
			if (m->io.caps_changed)
				m->io.caps_changed(m->io.arg);
			release_if_forgotten(m, c);
		}
		break;
	default: /* FLUSHSNAP_ACK and the like: no snapshots written here */
		break;
	}
	mdsc_caps_flush_releases(m, s);
	free(cm);
}

/* ---- sessions and limits ----------------------------------------------------------------- */

void mdsc_caps_session_gone(struct mdsc *m, struct msession *s)
{
	unsigned lost = 0;

	for (struct mdsc_cap *c = first_on(m, LRU), *next; c; c = next) {
		next = next_on(c, LRU);
		if (c->rank != s->rank)
			continue;
		lost += (c->dirty | c->flushing) != 0;
		invalidate(m, c->ino, MDSC_INVAL_ATTRS | (c->fc_since ? MDSC_INVAL_PAGES : 0), 0);
		drop(m, c);
	}
	s->nreleases = 0;
	s->ncaps = 0;
	names_settle(m, s->rank, 0);
	if (lost)
		mdsc_report(m, s, HEALTH_IO_ERROR, EIO,
			    "the sizes and times of %u written files were lost with the session", lost);
}

void mdsc_caps_names_distrust(struct mdsc *m, struct msession *s)
{
	for (struct mdsc_cap *c = first_on(m, LRU); c; c = next_on(c, LRU))
		if (c->rank == s->rank)
			names_distrust(m, c);
	names_settle(m, s->rank, 0); /* replies that will not come */
}

struct mds_cap_reconnect *mdsc_caps_reconnect_list(struct mdsc *m, struct msession *s, unsigned *n)
{
	struct mds_cap_reconnect *out = NULL;
	unsigned k = 0;

	*n = 0;
	if (s->ncaps && !(out = calloc(s->ncaps, sizeof(*out))))
		return NULL; /* nothing changed: the caller tries again */
	s->nreleases = 0; /* their caps are simply not in the reconnect */
	for (struct mdsc_cap *c = first_on(m, LRU); c; c = next_on(c, LRU)) {
		if (c->rank != s->rank)
			continue;
		c->seq = c->issue_seq = c->mseq = 0;
		if (c->ack_pending) {
			c->ack_pending = false;
			m->acks_pending--;
			c->inval_token = 0;
		}
		c->implemented = c->issued;
		c->wanted_max_size = 0; /* a writer waiting for max_size asks the new MDS */
		c->mds_wanted = wanted(c);
		if (out && k < s->ncaps)
			out[k++] = (struct mds_cap_reconnect){.ino = c->ino,
							      .cap_id = c->cap_id,
							      .wanted = c->mds_wanted,
							      .issued = c->issued,
							      .realm = c->realm ? c->realm : MDS_INO_ROOT};
	}
	*n = k;
	return out;
}

void mdsc_caps_reconnected(struct mdsc *m, struct msession *s, uint64_t now)
{
	(void)now;
	for (struct mdsc_cap *c = first_on(m, LRU); c; c = next_on(c, LRU)) {
		if (c->rank != s->rank || !(c->flushing | c->dirty))
			continue;
		/* the old MDS may have lost what was being flushed, and what
		 * got dirty meanwhile (a close sends nothing while the session
		 * is down) was never sent: one new flush for both */
		unflush(m, c);
		send_caps(m, c, MDS_CAP_OP_FLUSH, c->seq, true);
	}
	if (m->io.caps_changed)
		m->io.caps_changed(m->io.arg);
}

void mdsc_caps_recall(struct mdsc *m, struct msession *s, uint32_t max_caps, uint64_t now)
{
	(void)now;
	for (struct mdsc_cap *c = first_on(m, LRU), *next; c && s->ncaps > max_caps; c = next) {
		next = next_on(c, LRU);
		if (c->rank == s->rank && idle(c)) {
			invalidate(m, c->ino, MDSC_INVAL_ATTRS | (c->fc_since ? MDSC_INVAL_PAGES : 0), 0);
			release(m, c);
			m->st.caps_recalled++;
		}
	}
	mdsc_caps_flush_releases(m, s);
}

/* The held close of @c told (mdsc_caps_close): what is dirty and that we
 * want nothing now, unless it was opened again. */
static void tell_closed(struct mdsc *m, struct mdsc_cap *c, uint64_t now)
{
	unlink_from(m, HELD, c);
	if (c->opens)
		return;
	if (!valid(m, c, now)) { /* told once the session is good again */
		c->held_until_ms = now + MDSC_CAPS_HOLD_MS;
		append_to(m, HELD, c);
		return;
	}
	if (c->dirty)
		send_caps(m, c, MDS_CAP_OP_UPDATE, c->seq, true);
	else if (c->mds_wanted)
		send_update(m, c, c->seq);
}

uint64_t mdsc_caps_tick(struct mdsc *m, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	struct mdsc_cap *c0;

	if (m->acks_pending) /* most ticks have none to look for */
		for (struct mdsc_cap *c = first_on(m, LRU); c; c = next_on(c, LRU)) {
			try_ack(m, c, now);
			/* past its deadline the ack waits for the reads (their
			 * put tries it): no timer for it, or the tick would spin */
			if (c->ack_pending && c->inval_token && c->ack_deadline_ms > now && c->ack_deadline_ms < next)
				next = c->ack_deadline_ms;
		}
	for (struct mdsc_cap *c; (c = first_on(m, HELD)) && c->held_until_ms <= now;)
		tell_closed(m, c, now);
	if ((c0 = first_on(m, HELD)) && c0->held_until_ms < next)
		next = c0->held_until_ms;
	for (struct mdsc_cap *c = first_on(m, LRU), *n; c && m->ncaps > m->max_caps; c = n) {
		n = next_on(c, LRU);
		if (idle(c)) {
			invalidate(m, c->ino, MDSC_INVAL_ATTRS | (c->fc_since ? MDSC_INVAL_PAGES : 0), 0);
			release(m, c);
		}
	}
	for (unsigned i = 0; i < MDSC_MAX_RANKS; i++)
		mdsc_caps_flush_releases(m, &m->s[i]);
	return next;
}

/* ---- the owner's side -------------------------------------------------------------------- */

int mdsc_inode(struct mdsc *m, uint64_t ino, uint32_t need, uint64_t now, struct mds_inode *out, char *pool_ns,
	       size_t ns_len)
{
	struct mdsc_cap *c = find(m, ino);

	if (!c)
		return -ENOENT;
	if (!valid(m, c, now) || (c->issued & need) != need || !c->in.ino || (c->dir_changed && need))
		return -EAGAIN;
	*out = c->in;
	if (pool_ns && ns_len)
		snprintf(pool_ns, ns_len, "%s", c->pool_ns);
	touch(m, c);
	if (need) /* answered without asking the MDS */
		m->st.cache_hits++;
	return 0;
}

void mdsc_caps_dir_changed(struct mdsc *m, uint64_t ino)
{
	struct mdsc_cap *c = find(m, ino);

	if (c)
		c->dir_changed = true;
}

int mdsc_caps_take(struct mdsc *m, uint64_t ino, uint32_t need, uint32_t want, uint64_t end, uint64_t now,
		   uint32_t *got)
{
	struct mdsc_cap *c = find(m, ino);

	if (!c)
		return -ENOENT;
	if (!valid(m, c, now) || (c->issued & need) != need || ((need & MDS_CAP_FILE_WR) && end > c->in.max_size))
		return -EAGAIN;
	*got = need | (c->issued & want);
	if (*got & MDS_CAP_FILE_RD)
		c->readers++;
	if (*got & MDS_CAP_FILE_WR)
		c->writers++;
	if (*got & MDS_CAP_FILE_BUFFER)
		c->buffers++;
	touch(m, c);
	return 0;
}

int mdsc_caps_get(struct mdsc *m, uint64_t ino, uint32_t need, uint32_t want, uint64_t end, uint64_t now, uint32_t *got)
{
	int e = mdsc_caps_take(m, ino, need, want, end, now, got);
	struct mdsc_cap *c;

	if (e != -EAGAIN)
		return e;
	c = find(m, ino);
	if (valid(m, c, now) && (c->issued & need) == need) {
		/* past max_size: the MDS must let the file grow that far
		 * first (it answers with a GRANT carrying a larger one) */
		if (end > c->wanted_max_size) {
			c->wanted_max_size = end;
			send_update(m, c, c->seq);
		}
		return -EAGAIN;
	}
	/* A waiting reader may hold pages the kernel must drop for the ack:
	 * do not make the MDS wait for them. */
	if (c->ack_pending && c->inval_token) {
		c->inval_token = 0;
		try_ack(m, c, now);
	}
	if ((need | want) & ~c->mds_wanted && valid(m, c, now)) {
		c->want_extra |= need | want;
		send_update(m, c, c->seq);
	}
	return -EAGAIN;
}

static void put_refs(struct mdsc_cap *c, uint32_t got)
{
	if ((got & MDS_CAP_FILE_RD) && c->readers)
		c->readers--;
	if ((got & MDS_CAP_FILE_WR) && c->writers)
		c->writers--;
	if ((got & MDS_CAP_FILE_BUFFER) && c->buffers)
		c->buffers--;
}

bool mdsc_caps_put_quiet(struct mdsc *m, uint64_t ino, uint32_t got)
{
	struct mdsc_cap *c = find(m, ino);

	if (c && (c->ack_pending || c->forgotten))
		return false;
	if (c)
		put_refs(c, got);
	return true;
}

void mdsc_caps_put(struct mdsc *m, uint64_t ino, uint32_t got, uint64_t now)
{
	struct mdsc_cap *c = find(m, ino);

	if (!c)
		return;
	put_refs(c, got);
	/* a write that got Fb before its revoke came may have buffered
	 * under it since: that too is written back before the ack */
	if (c->ack_pending && c->buffers && (c->implemented & ~c->issued & MDS_CAP_FILE_BUFFER) && m->io.writeback)
		m->io.writeback(m->io.arg, c->ino);
	try_ack(m, c, now);
	release_if_forgotten(m, c);
}

int mdsc_caps_wrote(struct mdsc *m, uint64_t ino, uint64_t end, struct mds_timespec mtime, uint64_t now)
{
	struct mdsc_cap *c = find(m, ino);

	(void)now;
	if (!c)
		return -ENOENT;
	if (end > c->in.size)
		c->in.size = end;
	c->in.mtime = c->in.ctime = mtime;
	c->in.change_attr++;
	c->dirty |= MDS_CAP_FILE_WR;
	return 0;
}

int mdsc_caps_set_times(struct mdsc *m, uint64_t ino, const struct mds_timespec *atime,
			const struct mds_timespec *mtime, struct mds_timespec ctime, uint64_t now, struct mds_inode *out)
{
	struct mdsc_cap *c = find(m, ino);

	if (!c)
		return -ENOENT;
	if (!valid(m, c, now) || !(c->issued & MDS_CAP_FILE_EXCL) || !S_ISREG(c->in.mode))
		return -EAGAIN;
	/* as the kernel's __ceph_setattr under Fx: a new time_warp_seq, so
	 * that a time set back is not taken for an older one */
	if (atime)
		c->in.atime = *atime;
	if (mtime)
		c->in.mtime = *mtime;
	c->in.ctime = ctime;
	c->in.time_warp_seq++;
	c->in.change_attr++;
	c->dirty |= MDS_CAP_FILE_EXCL;
	send_caps(m, c, MDS_CAP_OP_UPDATE, c->seq, true);
	*out = c->in;
	touch(m, c);
	return 0;
}

int mdsc_caps_flush(struct mdsc *m, uint64_t ino, uint64_t now, uint64_t *tid)
{
	struct mdsc_cap *c = find(m, ino);

	if (!c)
		return -ENOENT;
	/* a flush in flight sent as an UPDATE (a close told late, a revoke's
	 * ack) waits for the MDS's journal: its fields again, as a FLUSH,
	 * have it written now, while the caps that let us change them are
	 * still ours (once revoked, another client may have changed them
	 * since: that flush is waited for as it went) */
	if (!c->dirty && c->flushing && !c->flush_synced && (c->flushing & ~c->issued) == 0)
		c->dirty = c->flushing;
	if (c->dirty && valid(m, c, now))
		send_caps(m, c, MDS_CAP_OP_FLUSH, c->seq, true);
	if (!c->flushing && !c->dirty)
		return 0;
	*tid = c->flush_tid;
	return 1;
}

int mdsc_caps_flushed(struct mdsc *m, uint64_t ino, uint64_t tid)
{
	struct mdsc_cap *c = find(m, ino);

	if (!c)
		return -ENOENT;
	return c->flush_acked >= tid && !c->dirty;
}

int mdsc_caps_open_quiet(struct mdsc *m, uint64_t ino, uint32_t want, uint64_t now)
{
	struct mdsc_cap *c = find(m, ino);

	if (c && (want & ~c->mds_wanted) && valid(m, c, now))
		return -EAGAIN; /* the MDS must hear of the want */
	return mdsc_caps_open(m, ino, want, now);
}

bool mdsc_caps_open(struct mdsc *m, uint64_t ino, uint32_t want, uint64_t now)
{
	struct mdsc_cap *c = find(m, ino);
	bool keep;

	if (!c)
		return false;
	c->opens++;
	c->open_wanted |= want;
	unlink_from(m, HELD, c);
	if ((want & ~c->mds_wanted) && valid(m, c, now)) /* opened without an OPEN */
		send_update(m, c, c->seq);
	keep = (c->issued & MDS_CAP_FILE_CACHE) && c->fc_since && c->fc_since == c->fc_opened;
	c->fc_opened = c->fc_since;
	return keep;
}

void mdsc_caps_close(struct mdsc *m, uint64_t ino, uint64_t now)
{
	struct mdsc_cap *c = find(m, ino);

	(void)now;
	if (!c || !c->opens)
		return;
	if (--c->opens)
		return;
	c->open_wanted = c->want_extra = 0;
	/* As the kernel's check_caps delays: the MDS hears of the last close
	 * (what the writes changed, and that we want nothing now) after
	 * MDSC_CAPS_HOLD_MS, so a file opened again soon costs nothing and a
	 * file written and closed costs one message, not a FLUSH each
	 * close. A revoke meanwhile takes the dirty fields with its ack. */
	if (c->dirty || c->mds_wanted) {
		c->held_until_ms = now + MDSC_CAPS_HOLD_MS;
		append_to(m, HELD, c);
	}
	release_if_forgotten(m, c);
}

void mdsc_caps_flush_session(struct mdsc *m, struct msession *s, bool held_too)
{
	/* a stale session's caps too: send_caps wants it open */
	for (struct mdsc_cap *c = first_on(m, LRU); c; c = next_on(c, LRU))
		if (c->rank == s->rank && c->dirty && (held_too || !c->link[HELD].on))
			send_caps(m, c, held_too ? MDS_CAP_OP_FLUSH : MDS_CAP_OP_UPDATE, c->seq, true);
}

void mdsc_caps_forget(struct mdsc *m, uint64_t ino, uint64_t now)
{
	struct mdsc_cap *c = find(m, ino);

	(void)now;
	if (!c)
		return;
	c->forgotten = true;
	release_if_forgotten(m, c);
}

void mdsc_caps_invalidated(struct mdsc *m, uint64_t ino, uint64_t token, uint64_t now)
{
	struct mdsc_cap *c = find(m, ino);

	if (!c || !token || c->inval_token != token)
		return;
	c->inval_token = 0;
	try_ack(m, c, now);
	release_if_forgotten(m, c);
}

int mdsc_caps_name(struct mdsc *m, uint64_t dir, const char *name, uint64_t now, uint64_t *ino)
{
	struct mdsc_cap *c = find(m, dir);
	struct mdsc_names **t = names_of(m, c, now);

	/* the snapshot directory is no entry, yet the MDS answers its name */
	if (!t || !strcmp(name, ".snap") || !mdsc_names_get(*t, name, strlen(name), ino))
		return 0;
	touch(m, c);
	m->st.name_hits++;
	return 1;
}

void mdsc_caps_listing_begin(struct mdsc *m, uint64_t dir, uint64_t now, struct mdsc_listing *l)
{
	struct mdsc_cap *c = find(m, dir);

	l->gen = names_of(m, c, now) ? c->names_gen : 0;
	l->losses = m->names.losses;
}

void mdsc_caps_listing_end(struct mdsc *m, uint64_t dir, const struct mdsc_listing *l, uint64_t now)
{
	struct mdsc_cap *c = find(m, dir);
	struct mdsc_names **t = names_of(m, c, now);

	/* every reply's names were kept under the same Fs */
	if (t && l->gen && c->names_gen == l->gen && m->names.losses == l->losses)
		mdsc_names_set_complete(t, &m->names);
}

size_t mdsc_format_caps(const struct mdsc *m, char *buf, size_t len)
{
	size_t off = 0;
	char issued[40], impl[40], want[40];
	int w;

	if (len)
		buf[0] = '\0';
	for (const struct mdsc_cap *c = first_on(m, LRU); c; c = next_on(c, LRU)) {
		mds_caps_format(c->issued, issued, sizeof(issued));
		mds_caps_format(c->implemented, impl, sizeof(impl));
		mds_caps_format(c->mds_wanted, want, sizeof(want));
		w = snprintf(buf + off, off < len ? len - off : 0, "0x%llx\tmds%d\t%s\t%s\t%s\t%u\t%u%s\n",
			     (unsigned long long)c->ino, (int)c->rank, issued, impl, want, c->seq, c->opens,
			     c->ack_pending ? "\trevoking" : "");
		off += w > 0 ? (size_t)w : 0;
	}
	return off < len ? off : (len ? len - 1 : 0);
}
