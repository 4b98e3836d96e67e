/*
 * fuse/mount_opts.h: the command line of the netfuse front-ends.
 *
 *   PROG SOURCE MOUNTPOINT [-o OPT[,OPT...]]... [-f] [-d] [-s] [--help] [--version]
 *
 * as FUSE programs and mount.fuse3 (fstab type fuse.PROG) spell it. Each -o
 * option is looked up in tables of known options: the FUSE core's own
 * (entry_timeout=, health_url=, ...), the front-end's (name=, secretfile=,
 * ...), the options libfuse and the kernel take (allow_other, ro, nosuid,
 * ...), which are collected for fuse_session_new(), and the ones only mount
 * and fstab care about (_netdev, noauto, nofail, x-*, ...), which are
 * accepted and dropped. Anything else is an error with one clear message.
 * A backslash escapes the next character in an option ("a\,b"). A
 * front-end may also give an option a command-line flag of its own
 * ("-k KEYRING" for keyring=KEYRING).
 *
 * Values of options marked secret never appear in messages.
 */
#ifndef NETFUSE_MOUNT_OPTS_H
#define NETFUSE_MOUNT_OPTS_H

#include <stdbool.h>
#include <stddef.h>

enum mopt_type {
	MOPT_FLAG,    /* no value; sets a bool */
	MOPT_STRING,  /* name=VALUE; a malloc'd char * (the last one given wins) */
	MOPT_UINT,    /* name=N within [min, max]; an unsigned */
	MOPT_SECONDS, /* name=SECONDS, a non-negative decimal up to max; a double */
	MOPT_PATH,    /* name=FILE; a malloc'd char *, absolute: a relative FILE is taken
		       * from the working directory at parsing, which the daemon leaves */
};

struct mopt_spec {
	const char *name;
	enum mopt_type type;
	size_t offset; /* of the field in the table's destination struct */
	unsigned min, max;
	bool secret;
	const char *help; /* "name=VALUE  what it does", for --help */
	/* Command-line flags that mean name=VALUE ("-c", "--id"), separated by
	 * '|': "-c|--conf". Long ones also take "--id=VALUE". */
	const char *args;
};

struct mopt_table {
	const struct mopt_spec *specs; /* ends with a { .name = NULL } entry */
	void *dest;
};

struct mount_cmdline {
	char *source, *mountpoint; /* point into argv */
	bool foreground, debug, single_thread, help, version;
	char *fuse_opts; /* malloc'd "allow_other,ro,..." for libfuse, or NULL */
};

/* Parse argv. 0, or -EINVAL with one line in @err. @tables ends with a
 * { NULL, NULL } entry. --help and --version need no SOURCE/MOUNTPOINT. */
int mount_cmdline_parse(int argc, char **argv, const struct mopt_table *tables, struct mount_cmdline *cl,
			char *err, size_t errlen);

/* Parse one -o string into @tables, appending libfuse's options to
 * @cl->fuse_opts. */
int mount_opts_parse(const char *opts, const struct mopt_table *tables, struct mount_cmdline *cl, char *err,
		     size_t errlen);

/* After parsing: overwrite the values of secret options in @argv with '*',
 * so they do not stay readable in /proc/PID/cmdline. */
void mount_cmdline_scrub(int argc, char **argv, const struct mopt_table *tables);

/* Free what parsing allocated: strings in @tables' destinations and
 * @cl->fuse_opts. */
void mount_opts_free(const struct mopt_table *tables, struct mount_cmdline *cl);

/* The options libfuse/the kernel take, and those only mount(8) uses. */
bool mount_opt_is_fuse(const char *name);
bool mount_opt_is_mount_only(const char *name);

#endif
