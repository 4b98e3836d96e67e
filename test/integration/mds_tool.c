/*
 * test/integration/mds_tool.c: CephFS metadata through netfuse's own MDS
 * client, for tests (not installed). It connects as a mount does
 * (monc_loop with the file system's MDS map, mdsc_loop), runs one command
 * on paths from the file system's root, closes its session and exits:
 *
 *   mds_tool [-c CONF] [--id NAME] [-k KEYRING] [--ms-mode M] [--fs NAME] [--timeout MS]
 *            [--linger MS] [--max-entries N] CMD ARGS...
 *     stat PATH | ls PATH | readlink PATH | getxattr PATH NAME
 *     mkdir PATH MODE | rmdir PATH | create PATH MODE | unlink PATH
 *     rename FROM TO | symlink TARGET PATH | link EXISTING NEW
 *     chmod PATH MODE | chown PATH UID GID | truncate PATH SIZE | utime PATH SEC
 *     setxattr PATH NAME VALUE | rmxattr PATH NAME | session
 *
 * stat prints "ino 0xINO mode 0OCT nlink N uid U gid G size S mtime SEC"
 * (as the MDS reports them); ls prints "NAME 0xINO 0MODE SIZE" per entry in
 * the MDS's order, reading the directory --max-entries at a time (default
 * the MDS's own limit); session prints the session's state and the MDS's
 * features. On failure: one line and exit 1. --linger MS keeps the session
 * open that long after the command (for checks of what the MDS holds for
 * it), saying on stderr how many caps the client holds ("mds_tool: caps
 * held N"); every request gives up after --timeout MS (default 60 s).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cephmds/mdsc_loop.h"
#include "cephmon/ceph_client.h"

static struct mdsc_loop *dl;
static long timeout_ms = 60000, linger_ms;
static unsigned max_entries;

static void usage(void)
{
	fprintf(stderr, "usage: mds_tool [-c CONF] [--id NAME] [-k KEYRING] [--ms-mode M] [--fs NAME] [--timeout MS]\n"
			"                [--linger MS] [--max-entries N] CMD ARGS...\n"
			"  (see test/integration/mds_tool.c)\n");
	exit(2);
}

static void init_req(struct mdsc_request *r, uint32_t op, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->m.op = op;
	r->m.caller_uid = (uint32_t)getuid();
	r->m.caller_gid = (uint32_t)getgid();
	r->m.path = (struct mds_filepath){.ino = 1, .path = path[0] == '/' ? path + 1 : path};
	r->rank = MDSC_ANY_RANK;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	r->m.stamp = (struct mds_timespec){(uint32_t)ts.tv_sec, (uint32_t)ts.tv_nsec};
}

static int call(struct mdsc_request *r, const char *what, const char *path)
{
	int e = mdsc_loop_call(dl, r, evloop_deadline_ms(timeout_ms), NULL);

	if (e < 0) {
		fprintf(stderr, "mds_tool: %s %s: %s\n", what, path, strerror(-e));
		mdsc_request_release(r);
		return 1;
	}
	return 0;
}

static void print_inode(const struct mds_inode *in)
{
	printf("ino 0x%" PRIx64 " mode 0%o nlink %u uid %u gid %u size %" PRIu64 " mtime %u\n", in->ino, in->mode,
	       in->nlink, in->uid, in->gid, in->size, in->mtime.sec);
}

static int getattr(const char *path, uint32_t mask, struct mdsc_request *r)
{
	init_req(r, MDS_OP_GETATTR, path);
	r->m.args.mask = mask;
	if (call(r, "stat", path))
		return 1;
	if (!r->rep || !r->rep->is_target) {
		fprintf(stderr, "mds_tool: stat %s: the reply names no inode\n", path);
		mdsc_request_release(r);
		return 1;
	}
	return 0;
}

static int cmd_stat(const char *path)
{
	struct mdsc_request r;

	if (getattr(path, MDS_STAT_ALL, &r))
		return 1;
	print_inode(&r.rep->target);
	mdsc_request_release(&r);
	return 0;
}

static int cmd_readlink(const char *path)
{
	struct mdsc_request r;

	if (getattr(path, MDS_STAT_ALL, &r))
		return 1;
	printf("%.*s\n", (int)r.rep->target.symlink_len, (const char *)r.rep->target.symlink);
	mdsc_request_release(&r);
	return 0;
}

static int cmd_getxattr(const char *path, const char *name)
{
	struct mdsc_request r;
	struct mds_xattr_iter it;
	const uint8_t *n, *v;
	uint32_t nl, vl;
	int e, found = 0;

	if (getattr(path, MDS_STAT_ALL, &r))
		return 1;
	e = mds_xattr_begin(&it, r.rep->target.xattrs, r.rep->target.xattrs_len);
	while (!e) {
		int got = mds_xattr_next(&it, &n, &nl, &v, &vl);
		if (got <= 0) {
			e = got;
			break;
		}
		if (nl == strlen(name) && !memcmp(n, name, nl)) {
			printf("%.*s\n", (int)vl, (const char *)v);
			found = 1;
		}
	}
	mdsc_request_release(&r);
	if (e < 0 || !found) {
		fprintf(stderr, "mds_tool: getxattr %s %s: %s\n", path, name, strerror(e < 0 ? EBADMSG : ENODATA));
		return 1;
	}
	return 0;
}

/* The directory a fragment at a time, each reply continuing after the last
 * name of the one before (path2), as the kernel's readdir does. */
static int cmd_ls(const char *path)
{
	char last[4096] = "";
	unsigned total = 0, replies = 0;
	uint32_t frag = 0;

	for (;;) {
		struct mdsc_request r;
		struct mds_readdir rd;
		struct mds_dentry de;
		int e;

		init_req(&r, MDS_OP_READDIR, path);
		r.m.args.frag = frag;
		r.m.args.readdir_flags = MDS_READDIR_REPLY_BITFLAGS;
		r.m.args.max_entries = max_entries;
		r.m.args.mask = MDS_STAT_ALL;
		r.m.path2.path = last;
		if (call(&r, "ls", path))
			return 1;
		replies++;
		e = mds_readdir_begin(&rd, r.rep->extra, r.rep->extra_len);
		while (!e) {
			int got = mds_readdir_next(&rd, &de);
			if (got <= 0) {
				e = got;
				break;
			}
			printf("%.*s 0x%" PRIx64 " 0%o %" PRIu64 "\n", (int)de.name_len, (const char *)de.name,
			       de.inode.ino, de.inode.mode, de.inode.size);
			if (de.name_len >= sizeof(last)) {
				e = -ENAMETOOLONG;
				break;
			}
			memcpy(last, de.name, de.name_len);
			last[de.name_len] = '\0';
			total++;
		}
		bool frag_end = !e && (rd.flags & MDS_READDIR_FRAG_END);
		frag = frag_end ? mds_frag_next(rd.dir.frag) : rd.dir.frag;
		if (frag_end)
			last[0] = '\0';
		mdsc_request_release(&r);
		if (e < 0) {
			fprintf(stderr, "mds_tool: ls %s: %s\n", path, strerror(-e));
			return 1;
		}
		if ((frag_end && !frag) || (!frag_end && !rd.count))
			break;
	}
	fprintf(stderr, "mds_tool: %u entries in %u replies\n", total, replies);
	return 0;
}

static int simple(uint32_t op, const char *what, const char *path, const char *path2, struct mds_req_args args)
{
	struct mdsc_request r;

	init_req(&r, op, path);
	r.m.args = args;
	r.m.flags = MDS_REQ_FLAG_WANT_DENTRY;
	if (path2)
		r.m.path2 = (struct mds_filepath){.ino = 1, .path = path2[0] == '/' ? path2 + 1 : path2};
	if (call(&r, what, path))
		return 1;
	if (r.rep && r.rep->is_target)
		print_inode(&r.rep->target);
	mdsc_request_release(&r);
	return 0;
}

/* @path as (its directory's inode, its last name): the form the MDS wants
 * for the two paths of a rename or a link (one component each). */
static int dentry_ref(const char *path, char *name, size_t len, struct mds_filepath *out)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct mdsc_request r;

	if (!slash || (size_t)(slash - path) >= sizeof(dir) || strlen(slash + 1) >= len || !slash[1]) {
		fprintf(stderr, "mds_tool: %s: not a path with a name\n", path);
		return 1;
	}
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (getattr(dir, MDS_CAP_PIN, &r))
		return 1;
	snprintf(name, len, "%s", slash + 1);
	*out = (struct mds_filepath){.ino = r.rep->target.ino, .path = name};
	mdsc_request_release(&r);
	return 0;
}

/* rename and link: path is the new name, path2 the old one (rename) or
 * what it links to (link). */
static int two_paths(uint32_t op, const char *what, const char *to, const char *from)
{
	char n1[256], n2[256];
	struct mdsc_request r;
	struct mds_filepath p1, p2;

	if (dentry_ref(to, n1, sizeof(n1), &p1) || dentry_ref(from, n2, sizeof(n2), &p2))
		return 1;
	init_req(&r, op, "");
	r.m.flags = MDS_REQ_FLAG_WANT_DENTRY;
	r.m.path = p1;
	r.m.path2 = p2;
	if (call(&r, what, to))
		return 1;
	mdsc_request_release(&r);
	return 0;
}

static int setattr(const char *path, struct mds_req_args a)
{
	return simple(MDS_OP_SETATTR, "setattr", path, NULL, a);
}

static int cmd_setxattr(const char *path, const char *name, const char *value, bool remove)
{
	struct mdsc_request r;

	init_req(&r, remove ? MDS_OP_RMXATTR : MDS_OP_SETXATTR, path);
	r.m.path2 = (struct mds_filepath){.ino = 0, .path = name};
	if (!remove) {
		r.data = value;
		r.data_len = (uint32_t)strlen(value);
	}
	if (call(&r, remove ? "rmxattr" : "setxattr", path))
		return 1;
	mdsc_request_release(&r);
	return 0;
}

static int cmd_session(void)
{
	struct mdsc_status st;
	struct mdsc_session_status ss[MDSC_MAX_RANKS];
	struct mdsc_request r;
	unsigned n;

	if (getattr("/", MDS_STAT_ALL, &r)) /* opens the session */
		return 1;
	mdsc_request_release(&r);
	n = mdsc_loop_status(dl, &st, ss, MDSC_MAX_RANKS, NULL, 0);
	for (unsigned i = 0; i < n; i++)
		printf("mds.%d %s features 0x%" PRIx64 "\n", (int)ss[i].rank, ss[i].state, ss[i].features);
	printf("requests sent %" PRIu64 ", replies %" PRIu64 ", caps released %" PRIu64 "\n", st.sent, st.replies,
	       st.caps_released);
	return 0;
}

static unsigned long num(const char *s, int base)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || !*s || *end)
		usage();
	return v;
}

static int run(int argc, char **argv)
{
	const char *cmd = argv[0];

#define NEED(n) (argc == (n) + 1 ? 0 : (usage(), 0))
	if (!strcmp(cmd, "stat"))
		return NEED(1), cmd_stat(argv[1]);
	if (!strcmp(cmd, "ls"))
		return NEED(1), cmd_ls(argv[1]);
	if (!strcmp(cmd, "readlink"))
		return NEED(1), cmd_readlink(argv[1]);
	if (!strcmp(cmd, "getxattr"))
		return NEED(2), cmd_getxattr(argv[1], argv[2]);
	if (!strcmp(cmd, "mkdir"))
		return NEED(2), simple(MDS_OP_MKDIR, "mkdir", argv[1], NULL,
				       (struct mds_req_args){.mode = (uint32_t)num(argv[2], 8)});
	if (!strcmp(cmd, "rmdir"))
		return NEED(1), simple(MDS_OP_RMDIR, "rmdir", argv[1], NULL, (struct mds_req_args){0});
	if (!strcmp(cmd, "create"))
		return NEED(2), simple(MDS_OP_CREATE, "create", argv[1], NULL,
				       (struct mds_req_args){.flags = MDS_O_CREAT | MDS_O_EXCL | MDS_O_WRONLY,
							     .mode = 0100000 | (uint32_t)num(argv[2], 8)});
	if (!strcmp(cmd, "unlink"))
		return NEED(1), simple(MDS_OP_UNLINK, "unlink", argv[1], NULL, (struct mds_req_args){0});
	if (!strcmp(cmd, "rename"))
		return NEED(2), two_paths(MDS_OP_RENAME, "rename", argv[2], argv[1]);
	if (!strcmp(cmd, "link"))
		return NEED(2), two_paths(MDS_OP_LINK, "link", argv[2], argv[1]);
	if (!strcmp(cmd, "symlink")) { /* path2: the target, as given */
		struct mdsc_request r;
		NEED(2);
		init_req(&r, MDS_OP_SYMLINK, argv[2]);
		r.m.flags = MDS_REQ_FLAG_WANT_DENTRY;
		r.m.path2 = (struct mds_filepath){.ino = 0, .path = argv[1]};
		if (call(&r, "symlink", argv[2]))
			return 1;
		mdsc_request_release(&r);
		return 0;
	}
	if (!strcmp(cmd, "chmod"))
		return NEED(2), setattr(argv[1], (struct mds_req_args){.mode = (uint32_t)num(argv[2], 8),
								       .mask = MDS_SETATTR_MODE});
	if (!strcmp(cmd, "chown"))
		return NEED(3), setattr(argv[1], (struct mds_req_args){.uid = (uint32_t)num(argv[2], 10),
								       .gid = (uint32_t)num(argv[3], 10),
								       .mask = MDS_SETATTR_UID | MDS_SETATTR_GID});
	if (!strcmp(cmd, "truncate"))
		return NEED(2),
		       setattr(argv[1], (struct mds_req_args){.size = num(argv[2], 10), .mask = MDS_SETATTR_SIZE});
	if (!strcmp(cmd, "utime"))
		return NEED(2), setattr(argv[1], (struct mds_req_args){.mtime = {(uint32_t)num(argv[2], 10), 0},
								       .atime = {(uint32_t)num(argv[2], 10), 0},
								       .mask = MDS_SETATTR_MTIME | MDS_SETATTR_ATIME});
	if (!strcmp(cmd, "setxattr"))
		return NEED(3), cmd_setxattr(argv[1], argv[2], argv[3], false);
	if (!strcmp(cmd, "rmxattr"))
		return NEED(2), cmd_setxattr(argv[1], argv[2], NULL, true);
	if (!strcmp(cmd, "session"))
		return NEED(0), cmd_session();
	usage();
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"conf", required_argument, NULL, 'c'},
						 {"id", required_argument, NULL, 'i'},
						 {"keyring", required_argument, NULL, 'k'},
						 {"ms-mode", required_argument, NULL, 'M'},
						 {"fs", required_argument, NULL, 'F'},
						 {"timeout", required_argument, NULL, 'T'},
						 {"linger", required_argument, NULL, 'L'},
						 {"max-entries", required_argument, NULL, 'E'},
						 {NULL, 0, NULL, 0}};
	struct ceph_mount_args a = {.source = ":/"};
	struct ceph_mount_config *cfg = calloc(1, sizeof(*cfg));
	struct monc_loop *ml = NULL;
	char err[512], host[256] = "";
	int opt, e, rc = 1;

	while ((opt = getopt_long(argc, argv, "c:k:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			a.conf = optarg;
			break;
		case 'i':
			a.name = optarg;
			break;
		case 'k':
			a.keyring = optarg;
			break;
		case 'M':
			a.ms_mode = optarg;
			break;
		case 'F':
			a.fs = optarg;
			break;
		case 'T':
			timeout_ms = (long)num(optarg, 10);
			break;
		case 'L':
			linger_ms = (long)num(optarg, 10);
			break;
		case 'E':
			max_entries = (unsigned)num(optarg, 10);
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 1 || !cfg)
		usage();
	if (!a.conf)
		a.conf = getenv("CEPH_CONF");
	if (!a.keyring)
		a.keyring = getenv("CEPH_KEYRING");
	e = ceph_mount_config_resolve(&a, cfg, err, sizeof(err));
	if (e) {
		fprintf(stderr, "mds_tool: %s\n", err);
		return 1;
	}
	gethostname(host, sizeof(host) - 1);
	const char *meta[] = {"hostname", host, "entity_id",	   a.name ? a.name : "admin",
			      "root",	  "/",	"netfuse_version", PACKAGE_VERSION};
	dl = mdsc_loop_new(NULL, meta, 4);
	struct monc_loop_params p = {.cfg = cfg, .want_fs = true};
	if (dl)
		p.mdsmap = mdsc_loop_mdsmap_ops(dl);
	if (!dl || monc_loop_new(&p, &ml, err, sizeof(err))) {
		fprintf(stderr, "mds_tool: %s\n", dl ? err : "out of memory");
		goto out;
	}
	mdsc_loop_attach(dl, ml);
	if (monc_loop_open(ml, evloop_deadline_ms(60000), err, sizeof(err))) {
		fprintf(stderr, "mds_tool: %s\n", err);
		goto out;
	}
	rc = run(argc - optind, argv + optind);
	if (linger_ms) {
		struct mdsc_status st;
		mdsc_loop_status(dl, &st, NULL, 0, NULL, 0);
		fprintf(stderr, "mds_tool: caps held %llu\n", (unsigned long long)st.caps);
		nanosleep(&(struct timespec){linger_ms / 1000, (linger_ms % 1000) * 1000000}, NULL);
	}
	if (mdsc_loop_close(dl, evloop_deadline_ms(10000)))
		fprintf(stderr, "mds_tool: the MDS did not close the session in 10 s\n");
out:
	mdsc_loop_free(dl);
	monc_loop_free(ml);
	ceph_mount_config_wipe(cfg);
	free(cfg);
	return rc;
}
