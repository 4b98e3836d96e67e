/*
 * nlm/lockd_state.c: netfuse-lockd's state directory (see lockd_state.h).
 */
#include "config.h"

#include "lockd_state.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

struct lockd_state {
	char *dir;
	int32_t number;
	struct lockd_state_client *clients;
	size_t n;
};

/* Replaces DIR/@name with @text: a temporary file, fsync, rename. */
static int write_whole(const struct lockd_state *s, const char *name, const char *text, size_t len)
{
	char path[4096], tmp[4096];
	int fd, r = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", s->dir, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.new", s->dir, name) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

static int save_clients(const struct lockd_state *s)
{
	size_t cap = s->n * 34 + 1, len = 0;
	char *text = malloc(cap);
	int r;

	if (!text)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		char c[INET_ADDRSTRLEN], v[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &s->clients[i].client, c, sizeof(c));
		inet_ntop(AF_INET, &s->clients[i].server, v, sizeof(v));
		len += (size_t)snprintf(text + len, cap - len, "%s %s\n", c, v);
	}
	r = write_whole(s, "clients", text, len);
	free(text);
	return r;
}

static struct lockd_state_client *find(struct lockd_state *s, struct in_addr client)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->clients[i].client.s_addr == client.s_addr)
			return &s->clients[i];
	return NULL;
}

static void load_clients(struct lockd_state *s, FILE *f)
{
	char line[256];

	while (s->n < LOCKD_STATE_MAX_CLIENTS && fgets(line, sizeof(line), f)) {
		char c[64], v[64], extra;
		struct lockd_state_client e = {.notify = true};
		if (sscanf(line, "%63s %63s %c", c, v, &extra) != 2 || inet_pton(AF_INET, c, &e.client) != 1 ||
		    inet_pton(AF_INET, v, &e.server) != 1 || find(s, e.client))
			continue;
		s->clients[s->n++] = e;
	}
}

struct lockd_state *lockd_state_open(const char *dir, char *err, size_t errlen)
{
	struct lockd_state *s = calloc(1, sizeof(*s));
	char path[4096], text[32];
	FILE *f;
	int r;

	if (!s || !(s->dir = strdup(dir)) || !(s->clients = calloc(LOCKD_STATE_MAX_CLIENTS, sizeof(*s->clients)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "statedir=%s: %s", dir, strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/state", dir);
	f = fopen(path, "re");
	long prev = 0;
	if (f) {
		if (fscanf(f, "%ld", &prev) != 1 || prev < 1 || prev >= INT32_MAX - 2)
			prev = 0;
		fclose(f);
	}
	if (prev) {
		s->number = (int32_t)((prev + 2) | 1);
	} else {
		uint32_t x = 0;
		if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != sizeof(x))
			x = (uint32_t)getpid() * 2654435761u;
		s->number = (int32_t)((x % 0x3fff0000u + 1001u) | 1u);
	}
	int n = snprintf(text, sizeof(text), "%d\n", s->number);
	if ((r = write_whole(s, "state", text, (size_t)n))) {
		snprintf(err, errlen, "statedir=%s: cannot write its state: %s", dir, strerror(-r));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/clients", dir);
	f = fopen(path, "re");
	if (f) {
		load_clients(s, f);
		fclose(f);
	}
	return s;
fail:
	lockd_state_free(s);
	return NULL;
}

void lockd_state_free(struct lockd_state *s)
{
	if (!s)
		return;
	free(s->clients);
	free(s->dir);
	free(s);
}

int32_t lockd_state_number(const struct lockd_state *s)
{
	return s->number;
}

const struct lockd_state_client *lockd_state_clients(const struct lockd_state *s, size_t *n)
{
	*n = s->n;
	return s->clients;
}

int lockd_state_add(struct lockd_state *s, struct in_addr client, struct in_addr server)
{
	struct lockd_state_client *e = find(s, client);

	if (e) {
		if (e->current && e->server.s_addr == server.s_addr)
			return 0;
		/* Still to be notified, if it was: now this life's too. */
		e->current = true;
		e->server = server;
	} else {
		if (s->n >= LOCKD_STATE_MAX_CLIENTS)
			return -ENOSPC;
		s->clients[s->n++] = (struct lockd_state_client){.client = client, .server = server, .current = true};
	}
	return save_clients(s);
}

int lockd_state_forget_earlier(struct lockd_state *s, struct in_addr client)
{
	struct lockd_state_client *e = find(s, client);

	if (!e || !e->notify)
		return 0;
	e->notify = false;
	if (e->current)
		return 0;
	*e = s->clients[--s->n];
	return save_clients(s);
}
