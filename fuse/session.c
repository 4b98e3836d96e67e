/*
 * fuse/session.c: a front-end's life, from the command line to the exit
 * status (nf_main).
 *
 *   parse -> [fork: the parent waits] -> start the backend -> mount ->
 *   serve until SIGTERM/SIGINT/SIGHUP or `fusermount3 -u` -> "unmount" event
 *   -> unmount -> stop the backend.
 *
 * Without -f the program forks before anything starts a thread (the
 * backend's I/O threads, libfuse's workers, the health exporter), and the
 * child changes to / once the front-end has started. The parent exits only
 * when the child reports: 0 once a LOOKUP of .health has come back through
 * the kernel (the mount answers, so fstab, mount(8) and scripts can use it
 * at once), or the child's failure. Until then the
 * child keeps stderr, so a failed mount prints its one message where the
 * person or mount.fuse3 can see it; after that it logs to syslog.
 *
 * A killed daemon closes /dev/fuse, and the kernel then fails every access
 * to the mount with ENOTCONN at once: users get an error, never a hang.
 * Mount with -o auto_unmount to have libfuse's fusermount3 helper remove
 * such a mount too.
 */
#include "config.h"

#include "mount_state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fuse/interrupt.h"
#include "fuse/locks.h"
#include "fuse/log.h"
#include "fuse/mountinfo.h"
#include "text/printable.h"

#define EXIT_USAGE 2 /* a bad command line */
#define EXIT_FAIL  1 /* the mount failed */

/* How long the parent waits for the child's mount; the backend's own
 * timeouts (mount_timeout=) are shorter, this only catches a wedged child. */
#define READY_WAIT_S 3600

static const struct mopt_spec core_specs[] = {
    {.name = "entry_timeout",
     .type = MOPT_SECONDS,
     .offset = offsetof(struct nf_core_opts, entry_timeout),
     .max = 86400,
     .help = "entry_timeout=S     seconds the kernel caches names (1)"},
    {.name = "attr_timeout",
     .type = MOPT_SECONDS,
     .offset = offsetof(struct nf_core_opts, attr_timeout),
     .max = 86400,
     .help = "attr_timeout=S      seconds the kernel caches attributes (1)"},
    {.name = "negative_timeout",
     .type = MOPT_SECONDS,
     .offset = offsetof(struct nf_core_opts, negative_timeout),
     .max = 86400,
     .help = "negative_timeout=S  seconds the kernel caches a missing name (0)"},
    {.name = "health_verbose",
     .type = MOPT_FLAG,
     .offset = offsetof(struct nf_core_opts, health_verbose),
     .help = "health_verbose      also report healthy inodes and ranges in .health"},
    {.name = "health_queue",
     .type = MOPT_UINT,
     .offset = offsetof(struct nf_core_opts, health_queue),
     .min = 2,
     .max = 1u << 20,
     .help = "health_queue=N      events .health keeps for slow readers (1024)"},
    {.name = "lockd",
     .type = MOPT_STRING,
     .offset = offsetof(struct nf_core_opts, lockd),
     .help = "lockd=HOST[:PORT]   POSIX and flock locks through this NLM lock server"},
    {.name = "locks",
     .type = MOPT_STRING,
     .offset = offsetof(struct nf_core_opts, locks),
     .help = "locks=local|lockd   where locks live (local: this kernel only; lockd if lockd= is given)"},
    {.name = "lockd_agent",
     .type = MOPT_PATH,
     .offset = offsetof(struct nf_core_opts, lockd_agent),
     .help = "lockd_agent=SOCKET  this host's netfuse-lockd agent, for lock grants (/run/netfuse-lockd.agent)"},
    {.name = "lock_timeout",
     .type = MOPT_UINT,
     .offset = offsetof(struct nf_core_opts, lock_timeout),
     .min = 1,
     .max = 3600,
     .help = "lock_timeout=S      seconds a lock call waits for the lock server (30)"},
    {.name = "health_url",
     .type = MOPT_STRING,
     .offset = offsetof(struct nf_core_opts, health_url),
     .secret = true,
     .help = "health_url=URL      also POST each event as JSON to URL"},
    {.name = "max_threads",
     .type = MOPT_UINT,
     .offset = offsetof(struct nf_core_opts, max_threads),
     .min = 1,
     .max = 4096,
     .help = "max_threads=N       most requests served at once (10)"},
    {.name = "max_idle_threads",
     .type = MOPT_UINT,
     .offset = offsetof(struct nf_core_opts, max_idle_threads),
     .min = 1,
     .max = 4096,
     .help = "max_idle_threads=N  idle worker threads kept (10)"},
    {.name = "rasize",
     .type = MOPT_UINT,
     .offset = offsetof(struct nf_core_opts, rasize),
     .max = 1u << 30,
     .help = "rasize=BYTES        the kernel's read-ahead (the front-end's default; 0: FUSE's 128 KiB)"},
    {.name = "rsize",
     .type = MOPT_UINT,
     .offset = offsetof(struct nf_core_opts, rsize),
     .min = 4096,
     .max = 64u << 20,
     .help = "rsize=BYTES         the largest read the kernel sends (at most 1 MiB through FUSE)"},
    {.name = "wsize",
     .type = MOPT_UINT,
     .offset = offsetof(struct nf_core_opts, wsize),
     .min = 4096,
     .max = 64u << 20,
     .help = "wsize=BYTES         the largest write the kernel sends (at most 1 MiB through FUSE)"},
    {.name = "stack",
     .type = MOPT_FLAG,
     .offset = offsetof(struct nf_core_opts, stack),
     .help = "stack               mount even where a netfuse mount is mounted (on top of it)"},
    {.name = NULL},
};

static void usage(const struct nf_frontend *fe, FILE *f)
{
	fprintf(f, "usage: %s %s MOUNTPOINT [-o OPT[,OPT...]] [-f] [-d] [-s]\n", fe->prog, fe->source_syntax);
	fprintf(f, "       %s --help | --version\n\n%s\n\n", fe->prog, fe->summary);
	fprintf(f, "  -f  stay in the foreground, log to stderr\n"
		   "  -d  debug: foreground, and log every request\n"
		   "  -s  serve one request at a time\n\n");
	fprintf(f, "%s options:\n", fe->prog);
	for (const struct mopt_spec *s = fe->specs; s && s->name; s++)
		fprintf(f, "  -o %s\n", s->help ? s->help : s->name);
	fprintf(f, "\nFUSE core options:\n");
	for (const struct mopt_spec *s = core_specs; s->name; s++)
		fprintf(f, "  -o %s\n", s->help);
	fprintf(f, "\nFUSE and mount options: allow_other, allow_root, default_permissions, ro, rw,\n"
		   "  nosuid, nodev, noexec, noatime, auto_unmount, ...; _netdev, noauto, nofail and\n"
		   "  x-* are accepted for fstab and ignored.\n");
}

/* @path is already where a netfuse file system is mounted: a second mount
 * would hide the first (whose daemon would go on serving nobody), so it is
 * refused with one line, as mount.ceph refuses, unless -o stack. A table
 * that cannot be read refuses nothing. */
static bool already_mounted(const struct nf_frontend *fe, const char *path)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char type[64], line[PATH_MAX + 256];
	int r = f ? mountinfo_netfuse_at(f, path, type, sizeof(type)) : 0;

	if (f)
		fclose(f);
	if (r <= 0)
		return false;
	printable_error(line, sizeof(line), 0, 0, "%s: already mounted (%s); -o stack mounts over it", path, type);
	fprintf(stderr, "%s: %s\n", fe->prog, line);
	return true;
}

/* "mon1,mon2:/" as one libfuse -o value: escape what its parser splits on. */
static char *escape_opt_value(const char *s)
{
	char *out = malloc(2 * strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == ',' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

static struct fuse_session *new_session(struct nf_mount *m, const struct mount_cmdline *cl)
{
	char *fsname = escape_opt_value(m->source), *opt = NULL, max_read[32] = "";
	char *argv[6];
	int argc = 0;
	struct fuse_session *se = NULL;

	if (!fsname)
		return NULL;
	/* libfuse wants max_read both here and in the INIT reply (op_init) */
	if (m->opts.rsize)
		snprintf(max_read, sizeof(max_read), ",max_read=%u", m->opts.rsize);
	if (asprintf(&opt, "fsname=%s,subtype=%s%s%s%s", fsname, m->fe->prog, cl->fuse_opts ? "," : "",
		     cl->fuse_opts ? cl->fuse_opts : "", max_read) < 0)
		opt = NULL;
	free(fsname);
	if (!opt)
		return NULL;
	argv[argc++] = (char *)m->fe->prog;
	argv[argc++] = "-o";
	argv[argc++] = opt;
	if (cl->debug)
		argv[argc++] = "-d";
	argv[argc] = NULL;
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	se = fuse_session_new(&args, &nf_fs_ops, sizeof(nf_fs_ops), m);
	fuse_opt_free_args(&args); /* frees only what libfuse allocated */
	free(opt);
	return se;
}

static bool opt_listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !strncmp(p, name, n))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* The readiness check: stat MOUNTPOINT/.health through the kernel. A new
 * mount has no cached names, so the LOOKUP reaches our own session (a
 * GETATTR of the root may not: the kernel can answer it from the root
 * inode it made at mount time). serve() joins the thread before it tears
 * the session down, so the thread never outlives what it uses. */
struct ready_check {
	struct nf_mount *m;
	int fd; /* the parent's pipe, or -1 in the foreground */
	bool detach;
	pthread_t main_thread;
	bool failed;
};

/* The kernel's read-ahead for the mount (rasize=): FUSE's INIT can only
 * lower its 128 KiB, so it is raised through the mount's backing device
 * in sysfs, once INIT is done (the mount has answered), as root may. */
static void set_readahead(struct nf_mount *m, dev_t dev)
{
	char path[96];
	unsigned kb = m->opts.rasize / 1024 + (m->opts.rasize % 1024 != 0);
	int fd, e = 0;
	char v[16];

	if (!m->opts.rasize)
		return;
	snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb", major(dev), minor(dev));
	snprintf(v, sizeof(v), "%u\n", kb);
	errno = 0;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, v, strlen(v)) != (ssize_t)strlen(v))
		e = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	if (e) /* a user's mount cannot: said only when asked for */
		nf_log(m->opts.rasize == m->fe->rasize ? LOG_DEBUG : LOG_NOTICE, "read-ahead stays the kernel's: %s: %s",
		       path, strerror(e));
	else
		nf_log(LOG_DEBUG, "read-ahead %u KiB", kb);
}

static void *ready_thread(void *arg)
{
	struct ready_check *rc = arg;
	struct nf_mount *m = rc->m;
	struct stat st;
	char status = 0, path[PATH_MAX + 16];
	int err = 0;

	snprintf(path, sizeof(path), "%s/.health", m->mountpoint);
	if (stat(path, &st))
		err = errno;
	pthread_mutex_lock(&m->answered_lock);
	if (!err && !m->root_answered)
		err = EIO; /* the stat was not answered by this mount */
	pthread_mutex_unlock(&m->answered_lock);
	if (err) {
		nf_log(LOG_ERR, "%s: the new mount does not answer: %s", m->mountpoint, strerror(err));
		status = EXIT_FAIL;
		rc->failed = true;
		/* Setting the exit flag wakes nobody: the signal ends the loop's wait. */
		fuse_session_exit(m->se);
		pthread_kill(rc->main_thread, SIGTERM);
	} else {
		nf_log(LOG_INFO, "mounted %s on %s", m->source, m->mountpoint);
		set_readahead(m, st.st_dev);
	}
	if (rc->fd >= 0) {
		if (rc->detach && !err) {
			int null = open("/dev/null", O_RDWR);
			nf_log_to_syslog();
			if (null >= 0) {
				dup2(null, STDIN_FILENO);
				dup2(null, STDOUT_FILENO);
				dup2(null, STDERR_FILENO);
				if (null > STDERR_FILENO)
					close(null);
			}
		}
		if (write(rc->fd, &status, 1) != 1)
			nf_log(LOG_WARNING, "could not tell the mount command it is done");
		close(rc->fd);
		rc->fd = -1;
	}
	return NULL;
}

/* The parent without -f: wait for the child's word, exit with it. */
static int wait_for_child(const char *prog, int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char status;
	ssize_t n;
	int r;

	do
		r = poll(&p, 1, READY_WAIT_S * 1000);
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		fprintf(stderr, "%s: the mount did not come up within %d s\n", prog, READY_WAIT_S);
		return EXIT_FAIL;
	}
	do
		n = read(fd, &status, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		return status;
	/* The child died before reporting: it printed why to our stderr. */
	return EXIT_FAIL;
}

static void emit_mount_event(struct nf_mount *m, enum health_type type, const char *reason)
{
	health_report(m->health, HEALTH_DOMAIN_MOUNT, type, 0, m->source, NULL, "%s", reason);
}

static int serve(struct nf_mount *m, const struct mount_cmdline *cl, int ready_fd)
{
	char err[512] = "", reason[HEALTH_REASON_MAX];
	struct nf_key root = {0, 0};
	int r, status = EXIT_FAIL;
	pthread_t tid;

	m->health = health_queue_new(m->opts.health_queue, m->opts.health_verbose);
	m->readonly = opt_listed(cl->fuse_opts, "ro");
	if (!m->health) {
		nf_log(LOG_ERR, "out of memory");
		return EXIT_FAIL;
	}
	emit_mount_event(m, HEALTH_RUNNING, "mounting");
	health_queue_set_notify(m->health, health_file_notify, m);
	/* The exporter runs before the front-end connects, so a mount that
	 * fails (no monitor, a refused key) still reports why, to whoever
	 * watches the URL. */
	if (m->opts.health_url) {
		m->export = health_export_start(m->health, m->opts.health_url, NULL, err, sizeof(err));
		if (!m->export) {
			nf_log(LOG_ERR, "health_url: %s", err);
			goto out_health;
		}
	}

	r = m->fe->start(m, m->source, &m->fs, &root, err, sizeof(err));
	if (r) {
		nf_log(LOG_ERR, "%s", err[0] ? err : strerror(-r));
		snprintf(reason, sizeof(reason), "mount failed: %s", err[0] ? err : strerror(-r));
		emit_mount_event(m, HEALTH_UNMOUNT, reason);
		goto out_export;
	}
	/* The daemon leaves the working directory only once the front-end has
	 * read what it needs: the paths of -o options are absolute already
	 * (MOPT_PATH), but files a front-end finds by other ways ($CEPH_CONF,
	 * a keyring named in ceph.conf) are read as they would be with -f.
	 * Until now the parent, waiting, pinned that directory anyway. */
	if (!cl->foreground && chdir("/")) {
		/* Only keeps the daemon from pinning a directory. */
	}
	/* Read after start: a front-end may pick its tables by its options. */
	m->ops = m->fe->ops;
	/* Before the synthetic tree, which shows .locks when it is on. */
	if ((r = locks_start(m, err, sizeof(err)))) {
		nf_log(LOG_ERR, "%s", err);
		snprintf(reason, sizeof(reason), "mount failed: %s", err);
		emit_mount_event(m, HEALTH_UNMOUNT, reason);
		goto out_backend;
	}
	if (synthetic_init(m, err, sizeof(err))) {
		nf_log(LOG_ERR, "%s", err);
		goto out_backend;
	}
	m->inodes = inode_table_new(&root, m->ops->forget, m->fs);
	if (!m->inodes) {
		nf_log(LOG_ERR, "out of memory");
		goto out_backend;
	}
	m->se = new_session(m, cl);
	if (!m->se) {
		nf_log(LOG_ERR, "could not set up the FUSE session (see the message above)");
		goto out_inodes;
	}
	if (fuse_set_signal_handlers(m->se)) {
		nf_log(LOG_ERR, "could not install signal handlers");
		goto out_session;
	}
	if (fuse_session_mount(m->se, m->mountpoint)) {
		nf_log(LOG_ERR, "%s: mount failed (see the message above)", m->mountpoint);
		goto out_signals;
	}
	if ((r = session_end_watch_start(m))) {
		nf_log(LOG_ERR, "could not watch for the session's end: %s", strerror(-r));
		goto out_unmount;
	}

	struct ready_check rc = {.m = m, .fd = ready_fd, .detach = !cl->foreground, .main_thread = pthread_self()};
	ready_fd = -1; /* the thread owns it now */
	if (pthread_create(&tid, NULL, ready_thread, &rc)) {
		nf_log(LOG_ERR, "could not start a thread");
		ready_fd = rc.fd;
		goto out_unmount;
	}

	if (cl->single_thread) {
		r = fuse_session_loop(m->se);
	} else {
		struct fuse_loop_config *lc = fuse_loop_cfg_create();
		if (!lc) {
			nf_log(LOG_ERR, "out of memory");
			fuse_session_exit(m->se);
			r = -ENOMEM;
		} else {
			fuse_loop_cfg_set_max_threads(lc, m->opts.max_threads);
			fuse_loop_cfg_set_idle_threads(lc, m->opts.max_idle_threads);
			fuse_loop_cfg_set_clone_fd(lc, 0);
			r = fuse_session_loop_mt(m->se, lc);
			fuse_loop_cfg_destroy(lc);
		}
	}
	/* The loop ends on a signal (r 0 or the signal number), on fusermount3
	 * -u (0), or on a failure of /dev/fuse. */
	if (r < 0)
		nf_log(LOG_ERR, "the FUSE session failed: %s", strerror(-r));
	else
		nf_log(LOG_INFO, "unmounting %s", m->mountpoint);
	emit_mount_event(m, HEALTH_UNMOUNT, r < 0 ? "session failed" : "unmounted");
	/* Unmounting first ends a readiness stat still waiting (ENOTCONN). */
	fuse_session_unmount(m->se);
	pthread_join(tid, NULL);
	status = r < 0 || rc.failed ? EXIT_FAIL : 0;
	goto out_signals;

out_unmount:
	fuse_session_unmount(m->se);
out_signals:
	session_end_watch_stop(m);
	fuse_remove_signal_handlers(m->se);
	/* Quiesce whatever could still write to the session before it goes:
	 * the backend's threads (invalidations), the poll wake-ups. Files
	 * the kernel never released are released first. */
	fs_ops_release_opens(m);
	m->fe->stop(m->fs);
	m->fs = NULL;
	health_queue_set_notify(m->health, NULL, NULL);
	health_file_drop_pollers(m);
out_session:
	/* Lock waits still running are answered (ESHUTDOWN) while the session is there. */
	locks_stop(m);
	fuse_session_destroy(m->se);
	m->se = NULL;
	fs_ops_drop_opens(m);
out_inodes:
	locks_stop(m);
	/* The backend is stopped first: the table's forget callback points into it. */
	if (m->fs)
		m->fe->stop(m->fs);
	m->fs = NULL;
	inode_table_free(m->inodes);
	goto out_export;
out_backend:
	locks_stop(m);
	m->fe->stop(m->fs);
	m->fs = NULL;
out_export:
	if (m->export)
		health_export_stop(m->export, 2000, NULL);
out_health:
	if (ready_fd >= 0) {
		char s = EXIT_FAIL;
		if (write(ready_fd, &s, 1) != 1) {
			/* The parent is gone; nothing more to tell. */
		}
		close(ready_fd);
	}
	health_queue_free(m->health);
	return status;
}

int nf_main(const struct nf_frontend *fe, int argc, char **argv)
{
	struct nf_mount m = {.fe = fe};
	struct mount_cmdline cl = {0};
	const struct mopt_table tables[] = {{core_specs, &m.opts}, {fe->specs, fe->opts}, {NULL, NULL}};
	char err[512], path[PATH_MAX] = "";
	struct stat st;
	int status, pipefd[2] = {-1, -1};

	m.opts = (struct nf_core_opts){.entry_timeout = 1,
				       .attr_timeout = 1,
				       .health_queue = 1024,
				       .max_threads = 10,
				       .max_idle_threads = 10,
				       .lock_timeout = 30,
				       .rasize = fe->rasize};
	nf_log_init(fe->prog, false);
	if (mount_cmdline_parse(argc, argv, tables, &cl, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", fe->prog, err);
		fprintf(stderr, "Try '%s --help' for more information.\n", fe->prog);
		mount_opts_free(tables, &cl);
		return EXIT_USAGE;
	}
	mount_cmdline_scrub(argc, argv, tables);
	if (cl.help || cl.version) {
		if (cl.help)
			usage(fe, stdout);
		else
			printf("%s (%s) %s\nFUSE library %s\n", fe->prog, PACKAGE_NAME, PACKAGE_VERSION,
			       fuse_pkgversion());
		mount_opts_free(tables, &cl);
		return 0;
	}
	if (cl.debug)
		cl.foreground = true;
	nf_log_init(fe->prog, cl.debug);
	if (!realpath(cl.mountpoint, path) || stat(path, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: mount point %s: %s\n", fe->prog, cl.mountpoint,
			path[0] && !stat(path, &st) ? "not a directory" : strerror(errno));
		mount_opts_free(tables, &cl);
		return EXIT_FAIL;
	}
	if (!m.opts.stack && already_mounted(fe, path)) {
		mount_opts_free(tables, &cl);
		return EXIT_FAIL;
	}
	m.mountpoint = path;
	m.source = cl.source;
	pthread_mutex_init(&m.answered_lock, NULL);
	pthread_cond_init(&m.answered_cond, NULL);
	pthread_mutex_init(&m.health_lock, NULL);
	pthread_mutex_init(&m.opens_lock, NULL);
	pthread_mutex_init(&m.cancel_lock, NULL);
	m.end_pipe[0] = m.end_pipe[1] = -1;

	if (!cl.foreground) {
		pid_t pid;
		if (pipe2(pipefd, O_CLOEXEC)) {
			fprintf(stderr, "%s: pipe: %s\n", fe->prog, strerror(errno));
			mount_opts_free(tables, &cl);
			return EXIT_FAIL;
		}
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "%s: fork: %s\n", fe->prog, strerror(errno));
			mount_opts_free(tables, &cl);
			return EXIT_FAIL;
		}
		if (pid > 0) {
			close(pipefd[1]);
			status = wait_for_child(fe->prog, pipefd[0]);
			mount_opts_free(tables, &cl);
			_exit(status);
		}
		close(pipefd[0]);
		setsid();
	}
	status = serve(&m, &cl, pipefd[1]);
	mount_opts_free(tables, &cl);
	pthread_mutex_destroy(&m.cancel_lock);
	pthread_mutex_destroy(&m.health_lock);
	pthread_mutex_destroy(&m.opens_lock);
	pthread_cond_destroy(&m.answered_cond);
	pthread_mutex_destroy(&m.answered_lock);
	return status;
}

struct health_queue *nf_mount_health(struct nf_mount *m)
{
	return m->health;
}

const char *nf_mount_source(const struct nf_mount *m)
{
	return m->source;
}

bool nf_mount_readonly(const struct nf_mount *m)
{
	return m->readonly;
}

void nf_mount_inode_stats(struct nf_mount *m, struct inode_table_stats *st)
{
	inode_table_stats(m->inodes, st);
}

static uint64_t known_ino(struct nf_mount *m, const struct nf_key *key)
{
	return m->inodes && m->se ? inode_table_find(m->inodes, key) : 0;
}

int nf_notify_inval_inode(struct nf_mount *m, const struct nf_key *key, off_t off, off_t len)
{
	uint64_t ino = known_ino(m, key);

	return ino ? fuse_lowlevel_notify_inval_inode(m->se, ino, off, len) : 0;
}

int nf_notify_inval_entry(struct nf_mount *m, const struct nf_key *dir, const char *name)
{
	uint64_t ino = known_ino(m, dir);

	return ino ? fuse_lowlevel_notify_inval_entry(m->se, ino, name, strlen(name)) : 0;
}

int nf_notify_delete(struct nf_mount *m, const struct nf_key *dir, const struct nf_key *child, const char *name)
{
	uint64_t dino = known_ino(m, dir), cino = known_ino(m, child);

	if (!dino)
		return 0;
	if (!cino)
		return fuse_lowlevel_notify_inval_entry(m->se, dino, name, strlen(name));
	return fuse_lowlevel_notify_delete(m->se, dino, cino, name, strlen(name));
}
