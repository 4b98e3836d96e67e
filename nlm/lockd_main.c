/*
 * nlm/lockd_main.c: netfuse-lockd, the NLM lock server netfuse mounts point
 * at with -o lockd=HOST (man/netfuse-lockd.8).
 *
 *   netfuse-lockd [-f] [-d] [-o OPT[,OPT...]]... [--help] [--version]
 *
 * It serves from memory: its locks live as long as the process, and a
 * restart begins a grace period in which clients reclaim what they held:
 * the client hosts it served are listed in its state directory, and after
 * a restart it tells each one's statd (SM_NOTIFY), whose callback tells
 * that host's netfuse-lockd, whose mounts then reclaim. The command returns
 * once the server is registered with rpcbind and answering, or with one
 * line saying why it could not start.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "agent_proto.h"
#include "evloop/evloop.h"
#include "lockd_log.h"
#include "lockd_state.h"
#include "lockd_svc.h"

#define PROG "netfuse-lockd"

enum { EXIT_USAGE = 2 };

struct options {
	bool foreground, debug, help, version, nostatd, noagent, nostatedir;
	unsigned udpport, tcpport, grace, timeout;
	char *bind, *pidfile, *health, *name, *agent, *statedir;
};

/*
 * Sanitizer builds: libtirpc keeps what its rpcbind lookups allocate
 * (clnt_create, pmap_set: __rpc_uaddr2taddr_af and friends) and never frees
 * it; LeakSanitizer is told so, and reports only leaks of our own.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libtirpc.so\n";
}
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [-f] [-d] [-o OPT[,OPT...]]... [--help] [--version]\n"
		   "\n"
		   "The NLM lock server for netfuse mounts (NLM versions 1, 3 and 4 over UDP and TCP).\n"
		   "\n"
		   "  -f                 stay in the foreground, log to stderr\n"
		   "  -d                 debug messages (implies -f)\n"
		   "  -o port=N          UDP and TCP port (default: any free one; rpcbind tells clients)\n"
		   "  -o udpport=N, -o tcpport=N\n"
		   "  -o bind=ADDR       listen on this IPv4 address only\n"
		   "  -o grace=SECONDS   grace period after start, for reclaims (0-240, default 50)\n"
		   "  -o timeout=SECONDS between GRANTED callbacks to a client (3-20, default 10)\n"
		   "  -o nostatd         do not monitor client hosts through statd\n"
		   "  -o name=NAME       this server's name in its callbacks (default: the host name)\n"
		   "  -o pidfile=FILE    write the PID there, and refuse to start if another holds it\n"
		   "  -o health=FILE     append health events there as JSON Lines\n"
		   "  -o agent=SOCKET    where this host's netfuse mounts register for lock grants\n"
		   "                     (default " NLM_AGENT_PATH ")\n"
		   "  -o noagent         take no grants for this host's mounts (they re-ask instead)\n"
		   "  -o statedir=DIR    the client hosts to tell of a restart (default " LOCKD_STATE_DIR ")\n"
		   "  -o nostatedir      keep no state: clients learn of a restart only from its grace answers\n");
}

static int parse_uint(const char *name, const char *v, unsigned min, unsigned max, unsigned *out, char *err,
		      size_t errlen)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = v ? strtoul(v, &end, 10) : 0;
	if (!v || !*v || *end || errno || n < min || n > max) {
		snprintf(err, errlen, "%s=%s: expected a number from %u to %u", name, v ? v : "", min, max);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

static int set_string(char **dst, const char *name, const char *v, char *err, size_t errlen)
{
	if (!v || !*v) {
		snprintf(err, errlen, "%s= needs a value", name);
		return -1;
	}
	free(*dst);
	*dst = strdup(v);
	if (!*dst) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int parse_opt(struct options *o, char *opt, char *err, size_t errlen)
{
	char *v = strchr(opt, '=');
	unsigned port;

	if (v)
		*v++ = '\0';
	if (!strcmp(opt, "nostatd") && !v) {
		o->nostatd = true;
		return 0;
	}
	if (!strcmp(opt, "noagent") && !v) {
		o->noagent = true;
		return 0;
	}
	if (!strcmp(opt, "nostatedir") && !v) {
		o->nostatedir = true;
		return 0;
	}
	if (!strcmp(opt, "port")) {
		if (parse_uint(opt, v, 0, 65535, &port, err, errlen))
			return -1;
		o->udpport = o->tcpport = port;
		return 0;
	}
	if (!strcmp(opt, "udpport"))
		return parse_uint(opt, v, 0, 65535, &o->udpport, err, errlen);
	if (!strcmp(opt, "tcpport"))
		return parse_uint(opt, v, 0, 65535, &o->tcpport, err, errlen);
	if (!strcmp(opt, "grace"))
		return parse_uint(opt, v, 0, 240, &o->grace, err, errlen);
	if (!strcmp(opt, "timeout"))
		return parse_uint(opt, v, 3, 20, &o->timeout, err, errlen);
	if (!strcmp(opt, "bind"))
		return set_string(&o->bind, opt, v, err, errlen);
	if (!strcmp(opt, "name")) {
		/* It goes into every callback, which must fit a datagram. */
		if (v && strlen(v) > 255) {
			snprintf(err, errlen, "name=: at most 255 bytes");
			return -1;
		}
		return set_string(&o->name, opt, v, err, errlen);
	}
	if (!strcmp(opt, "pidfile") || !strcmp(opt, "health") || !strcmp(opt, "agent") || !strcmp(opt, "statedir")) {
		char **dst = !strcmp(opt, "pidfile")  ? &o->pidfile
			     : !strcmp(opt, "health") ? &o->health
			     : !strcmp(opt, "agent")  ? &o->agent
						      : &o->statedir;
		char abs[PATH_MAX];
		/* The daemon leaves the working directory: a relative path
		 * is taken from where it was started. */
		if (v && v[0] && v[0] != '/') {
			if (!getcwd(abs, sizeof(abs)) || strlen(abs) + 1 + strlen(v) >= sizeof(abs)) {
				snprintf(err, errlen, "%s=%s: path too long", opt, v);
				return -1;
			}
			strcat(abs, "/");
			strcat(abs, v);
			v = abs;
		}
		return set_string(dst, opt, v, err, errlen);
	}
	snprintf(err, errlen, "unknown option '%s'", opt);
	return -1;
}

static int parse_args(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-f")) {
			o->foreground = true;
		} else if (!strcmp(a, "-d")) {
			o->debug = o->foreground = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = true;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			o->version = true;
		} else if (!strncmp(a, "-o", 2)) {
			const char *list = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
			if (!list) {
				snprintf(err, errlen, "-o needs options");
				return -1;
			}
			char *copy = strdup(list), *save = NULL;
			if (!copy) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save))
				if (parse_opt(o, opt, err, errlen)) {
					free(copy);
					return -1;
				}
			free(copy);
		} else {
			snprintf(err, errlen, "unexpected argument '%s'", a);
			return -1;
		}
	}
	return 0;
}

/* The PID file, locked for as long as this process runs. -1 with @err when
 * another process holds it. */
static int take_pidfile(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	char buf[32];

	if (fd < 0) {
		snprintf(err, errlen, "pidfile=%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(err, errlen, "already running (pid %s, pidfile %s)", buf[0] ? buf : "?", path);
		close(fd);
		return -1;
	}
	int len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len) {
		snprintf(err, errlen, "pidfile=%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Tells the waiting parent how the start went (the exit status), once. */
static void report(int *fd, int status)
{
	unsigned char b = (unsigned char)status;

	if (*fd < 0)
		return;
	if (write(*fd, &b, 1) != 1) {
		/* The parent is gone: nobody to tell. */
	}
	close(*fd);
	*fd = -1;
}

int main(int argc, char **argv)
{
	struct options o = {.grace = 50, .timeout = 10};
	char err[512], host[256];
	int ready = -1, pidfd = -1, status = EXIT_FAILURE;
	sigset_t sigs;

	lockd_log_init(PROG, false);
	if (parse_args(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\nTry '" PROG " --help' for more information.\n", err);
		return EXIT_USAGE;
	}
	if (o.help || o.version) {
		if (o.help)
			usage(stdout);
		else
			printf(PROG " (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	lockd_log_init(PROG, o.debug);
	if (!o.name) {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
	}

	if (!o.foreground) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0) {
			fprintf(stderr, PROG ": pipe: %s\n", strerror(errno));
			return EXIT_FAILURE;
		}
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, PROG ": fork: %s\n", strerror(errno));
			return EXIT_FAILURE;
		}
		if (pid > 0) {
			unsigned char b;
			close(p[1]);
			/* The child says how it went; no byte means it died. */
			_exit(read(p[0], &b, 1) == 1 ? b : EXIT_FAILURE);
		}
		close(p[0]);
		ready = p[1];
		setsid();
	}

	/* Signals are taken by sigwait below; the loop thread inherits the
	 * mask, so they never interrupt it. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o.pidfile && (pidfd = take_pidfile(o.pidfile, err, sizeof(err))) < 0) {
		lockd_log(LOG_ERR, "%s", err);
		goto out;
	}
	struct lockd_svc_config cfg = {
	    .bind_addr = o.bind,
	    .udp_port = (uint16_t)o.udpport,
	    .tcp_port = (uint16_t)o.tcpport,
	    .statd = !o.nostatd,
	    .statd_timeout_ms = 5000,
	    .health_path = o.health,
	    .agent_path = o.noagent ? NULL
			  : o.agent ? o.agent
				    : NLM_AGENT_PATH,
	    .state_dir = o.nostatedir ? NULL
			 : o.statedir ? o.statedir
				      : LOCKD_STATE_DIR,
	    .engine = {.server_name = o.name ? o.name : host,
		       .grace_ns = (uint64_t)o.grace * EVLOOP_NS_PER_S,
		       .retry_ns = (uint64_t)o.timeout * EVLOOP_NS_PER_S},
	};
	struct lockd_svc *svc = lockd_svc_new(&cfg, err, sizeof(err));
	if (!svc) {
		lockd_log(LOG_ERR, "%s", err);
		goto out;
	}
	if (lockd_svc_start(svc, err, sizeof(err))) {
		lockd_log(LOG_ERR, "%s", err);
		lockd_svc_stop(svc, NULL);
		goto out;
	}
	uint16_t udp, tcp;
	lockd_svc_ports(svc, &udp, &tcp);
	lockd_log(LOG_INFO, "serving NLM 1, 3 and 4 on udp port %u and tcp port %u; grace period %u s%s", udp, tcp,
		  o.grace, o.nostatd ? "; client hosts not monitored" : "");
	if (ready >= 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			close(null);
		}
		lockd_log_to_syslog();
		if (chdir("/") < 0) {
			/* Nothing depends on the working directory any more. */
		}
		report(&ready, 0);
	}

	int sig = 0;
	while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP)
		lockd_log(LOG_INFO, "SIGHUP: nothing to reload");
	lockd_log(LOG_NOTICE, "%s: stopping", strsignal(sig));
	lockd_svc_stop(svc, NULL);
	status = 0;
out:
	report(&ready, status);
	if (pidfd >= 0) {
		unlink(o.pidfile);
		close(pidfd);
	}
	free(o.bind);
	free(o.pidfile);
	free(o.health);
	free(o.name);
	free(o.agent);
	free(o.statedir);
	return status;
}
