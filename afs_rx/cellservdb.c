/*
 * afs_rx/cellservdb.c: CellServDB and ThisCell parsing (see cellservdb.h).
 *
 * Written for netfuse from the file format's description; strict where a
 * mistake would send the client to the wrong server (bad addresses, server
 * lines outside a cell, a cell listed twice), lenient where OpenAFS is
 * (free-form comments, trailing blanks, CRLF line ends).
 */
#include "config.h"

#include "cellservdb.h"
#include "text/printable.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool afs_cell_name_valid(const char *name, size_t len)
{
	if (len == 0 || len >= AFS_CELL_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && c != '.' && c != '-' && c != '_')
			return false;
	}
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* [p, end) with leading and trailing blanks removed. */
static void trim(const char **p, const char **end)
{
	while (*p < *end && is_blank(**p))
		(*p)++;
	while (*end > *p && is_blank((*end)[-1]))
		(*end)--;
}

/* The next blank-separated word of [*p, end), advancing *p. */
static size_t next_word(const char **p, const char *end, const char **word)
{
	while (*p < end && is_blank(**p))
		(*p)++;
	*word = *p;
	while (*p < end && !is_blank(**p))
		(*p)++;
	return (size_t)(*p - *word);
}

/* The host name in a server line's comment: the first word after '#'. */
static void comment_host(const char *hash, const char *end, char *out, size_t outsz)
{
	const char *p = hash + 1, *w;
	size_t n = next_word(&p, end, &w);

	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, w, n);
	out[n] = '\0';
}

static int parse_cell_line(const char *p, const char *end, unsigned line, struct afs_cellservdb_cell *cell,
			   char *err, size_t errlen)
{
	const char *hash = memchr(p, '#', (size_t)(end - p));
	const char *body_end = hash ? hash : end, *w;
	size_t n;

	memset(cell, 0, sizeof(*cell));
	p++; /* '>' */
	n = next_word(&p, body_end, &w);
	if (!afs_cell_name_valid(w, n))
		return printable_error(err, errlen, line, -EINVAL, "bad cell name '%.*s'", (int)(n > 64 ? 64 : n), w);
	memcpy(cell->name, w, n);
	n = next_word(&p, body_end, &w);
	if (n) {
		if (!afs_cell_name_valid(w, n))
			return printable_error(err, errlen, line, -EINVAL, "bad linked cell name '%.*s'",
					       (int)(n > 64 ? 64 : n), w);
		memcpy(cell->linked, w, n);
	}
	n = next_word(&p, body_end, &w);
	if (n)
		return printable_error(err, errlen, line, -EINVAL, "junk after cell name: '%.*s'",
				       (int)(n > 64 ? 64 : n), w);
	return 0;
}

static int parse_server_line(const char *p, const char *end, unsigned line, struct afs_cellservdb_cell *cell,
			     char *err, size_t errlen)
{
	const char *hash = memchr(p, '#', (size_t)(end - p));
	const char *body_end = hash ? hash : end, *w;
	struct afs_cellservdb_server srv;
	char addr[INET_ADDRSTRLEN];
	size_t n;

	memset(&srv, 0, sizeof(srv));
	n = next_word(&p, body_end, &w);
	if (n >= 2 && w[0] == '[' && w[n - 1] == ']') {
		srv.clone = true;
		w++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(addr))
		return printable_error(err, errlen, line, -EINVAL, "expected an IPv4 address");
	memcpy(addr, w, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, &srv.addr) != 1)
		return printable_error(err, errlen, line, -EINVAL, "'%s' is not an IPv4 address", addr);
	n = next_word(&p, body_end, &w);
	if (n)
		return printable_error(err, errlen, line, -EINVAL, "junk after address: '%.*s'", (int)(n > 64 ? 64 : n),
				       w);
	if (hash)
		comment_host(hash, end, srv.name, sizeof(srv.name));
	for (unsigned i = 0; i < cell->nservers; i++)
		if (cell->servers[i].addr.s_addr == srv.addr.s_addr)
			return printable_error(err, errlen, line, -EINVAL, "server %s listed twice in cell %s", addr,
					       cell->name);
	if (cell->nservers == AFS_CELL_SERVERS_MAX)
		return printable_error(err, errlen, line, -EINVAL, "cell %s lists more than %d servers", cell->name,
				       AFS_CELL_SERVERS_MAX);
	cell->servers[cell->nservers++] = srv;
	return 0;
}

/* A file's bytes as text: NULL is an empty file; a NUL byte means it is not text. */
static int text_file(const char **text, size_t *len, const char *what, char *err, size_t errlen)
{
	if (!*text) {
		*text = "";
		*len = 0;
	} else if (*len && memchr(*text, '\0', *len))
		return printable_error(err, errlen, 0, -EINVAL, "%s: NUL byte in file (not a text file?)", what);
	return 0;
}

int afs_cellservdb_parse(const char *text, size_t len, struct afs_cellservdb *db, char *err, size_t errlen)
{
	const char *p, *end;
	unsigned line = 0, cap = 0;
	int r = 0;

	memset(db, 0, sizeof(*db));
	if (err && errlen)
		err[0] = '\0';
	if ((r = text_file(&text, &len, "CellServDB", err, errlen)) != 0)
		return r;
	p = text;
	end = text + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *lend = eol ? eol : end, *lp = p;

		line++;
		p = eol ? eol + 1 : end;
		trim(&lp, &lend);
		if (lp == lend || *lp == '#')
			continue;
		if (*lp == '>') {
			struct afs_cellservdb_cell cell;
			r = parse_cell_line(lp, lend, line, &cell, err, errlen);
			if (r)
				break;
			if (afs_cellservdb_find(db, cell.name)) {
				r = printable_error(err, errlen, line, -EINVAL, "cell %s listed twice", cell.name);
				break;
			}
			if (db->ncells == cap) {
				unsigned ncap = cap ? cap * 2 : 8;
				void *n = realloc(db->cells, ncap * sizeof(*db->cells));
				if (!n) {
					r = printable_error(err, errlen, line, -ENOMEM, "out of memory");
					break;
				}
				db->cells = n;
				cap = ncap;
			}
			db->cells[db->ncells++] = cell;
			continue;
		}
		if (db->ncells == 0) {
			r = printable_error(err, errlen, line, -EINVAL, "server line before any '>cell' line");
			break;
		}
		r = parse_server_line(lp, lend, line, &db->cells[db->ncells - 1], err, errlen);
		if (r)
			break;
	}
	if (r)
		afs_cellservdb_free(db);
	return r;
}

void afs_cellservdb_free(struct afs_cellservdb *db)
{
	free(db->cells);
	memset(db, 0, sizeof(*db));
}

const struct afs_cellservdb_cell *afs_cellservdb_find(const struct afs_cellservdb *db, const char *name)
{
	for (unsigned i = 0; i < db->ncells; i++)
		if (!strcasecmp(db->cells[i].name, name))
			return &db->cells[i];
	return NULL;
}

int afs_thiscell_parse(const char *text, size_t len, char *cell, size_t cellsz, char *err, size_t errlen)
{
	const char *p, *end, *w;
	size_t n;

	int r = text_file(&text, &len, "ThisCell", err, errlen);
	if (r)
		return r;
	p = text;
	end = text + len;
	while (end > p && (end[-1] == '\n' || is_blank(end[-1])))
		end--;
	n = next_word(&p, end, &w);
	if (n == 0)
		return printable_error(err, errlen, 0, -EINVAL, "ThisCell is empty");
	if (p != end)
		return printable_error(err, errlen, 0, -EINVAL, "ThisCell holds more than one word");
	if (!afs_cell_name_valid(w, n) || n >= cellsz)
		return printable_error(err, errlen, 0, -EINVAL, "ThisCell: bad cell name '%.*s'",
				       (int)(n > 64 ? 64 : n), w);
	memcpy(cell, w, n);
	cell[n] = '\0';
	return 0;
}
