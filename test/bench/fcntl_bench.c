/*
 * test/bench/fcntl_bench.c: POSIX locks on one file as a program takes
 * them, for test/bench/locks_mount.sh:
 *
 *   fcntl_bench pairs FILE N   N pairs of F_SETLK write lock + unlock of byte 0;
 *                              prints the pairs per second
 *   fcntl_bench hold FILE      takes byte 0 (F_SETLKW), prints "held", waits
 *                              for a line on stdin, prints CLOCK_REALTIME ns
 *                              and unlocks (by exiting)
 *   fcntl_bench wait FILE      F_SETLKW on byte 0; once granted prints
 *                              CLOCK_REALTIME ns, and unlocks by exiting
 *
 * Exit status 0, or 1 with the failing call on stderr.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int lk(int fd, int cmd, short type)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};

	return fcntl(fd, cmd, &fl);
}

static long long now_ns(int clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (long long)t.tv_sec * 1000000000ll + t.tv_nsec;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 3 || (strcmp(argv[1], "pairs") == 0 && argc != 4)) {
		fprintf(stderr, "usage: fcntl_bench pairs FILE N | hold FILE | wait FILE\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "fcntl_bench: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "pairs")) {
		long n = atol(argv[3]);
		long long t0 = now_ns(CLOCK_MONOTONIC);
		for (long i = 0; i < n; i++)
			if (lk(fd, F_SETLK, F_WRLCK) || lk(fd, F_SETLK, F_UNLCK)) {
				fprintf(stderr, "fcntl_bench: pair %ld: %s\n", i, strerror(errno));
				return 1;
			}
		printf("%.0f\n", (double)n * 1e9 / (double)(now_ns(CLOCK_MONOTONIC) - t0));
		return 0;
	}
	if (lk(fd, F_SETLKW, F_WRLCK)) {
		fprintf(stderr, "fcntl_bench: F_SETLKW: %s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "hold")) {
		char line[16];
		printf("held\n");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return 1;
		printf("%lld\n", now_ns(CLOCK_REALTIME));
		fflush(stdout);
		lk(fd, F_SETLK, F_UNLCK);
		return 0;
	}
	printf("%lld\n", now_ns(CLOCK_REALTIME));
	return 0;
}
