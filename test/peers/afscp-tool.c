/*
 * test/peers/afscp-tool.c: a test helper, not installed.
 *
 * There is no AFS kernel module (no /afs) on the machines the tests run on,
 * and OpenAFS's own clientless tool, afsio, cannot create files reliably.
 * test/peers/afs.sh uses this small program, built on OpenAFS's libafscp, to
 * write the test cell's content, and the integration tests use it to read
 * that content back through a client that is not netfuse.
 *
 * It speaks unauthenticated (rxnull) Rx, or with -a NAME rxkad with a ticket
 * for NAME made from the server KeyFile (libafscp's "local auth", which only
 * looks in the compiled-in /etc/openafs/server: run it inside the cell's
 * mount namespace). The test cell needs that once, to open its root ACLs.
 *
 * Usage: afscp-tool [-c CONFDIR] [-a NAME] COMMAND ARGS...
 * CONFDIR holds ThisCell and CellServDB (default $AFSCONF, else /etc/openafs).
 * Paths are what libafscp resolves: "/afs/CELL/..." starts at root.afs, a
 * relative path starts at root.cell of the cell named in CONFDIR/ThisCell.
 */
#include <afs/param.h>
#include <afs/afscp.h>
#include <afs/prs_fs.h>
#include <rx/rx.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1024 * 1024)

static const char *prog = "afscp-tool";

/* Abort codes are errnos, UAE-translated errnos, volume codes or Rx codes. */
static const char *code_text(int code)
{
	static char buf[64];

	switch (code) {
	case -1: return "Rx call dead (no answer from the server)";
	case -3: return "Rx call timed out";
	case -5: return "Rx protocol error";
	case -450: case -451: case -452: case -453: case -454:
		return "RPC marshalling error";
	case -455: return "RPC not implemented by the server";
	case 101: return "volume needs salvage (VSALVAGE)";
	case 102: return "no such vnode (VNOVNODE)";
	case 103: return "no such volume on the server (VNOVOL)";
	case 106: return "volume offline (VOFFLINE)";
	case 108: return "partition full (VDISKFULL)";
	case 109: return "volume quota exceeded (VOVERQUOTA)";
	case 110: return "volume busy (VBUSY)";
	case 111: return "volume moved (VMOVED)";
	}
	if (code >= 49733376 && code < 49733376 + 256)
		return strerror(code - 49733376 + 1);
	if (code > 0 && code < 256)
		return strerror(code);
	snprintf(buf, sizeof(buf), "error code %d", code);
	return buf;
}

/* UAE codes are errno + 49733375, sent when the client supports them. */
static int is_errno(int code, int err)
{
	return code == err || code == 49733376 + err - 1;
}

static void complain(const char *what, const char *path)
{
	fprintf(stderr, "%s: %s %s: %s (code %d)\n", prog, what, path,
		code_text(afscp_errno), afscp_errno);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: %s [-c CONFDIR] [-a NAME] COMMAND ARGS...\n"
		"  mkdir PATH...             create directories (parents must exist)\n"
		"  touch PATH...             create empty files (existing ones are left alone)\n"
		"  put PATH                  create PATH with the data on stdin\n"
		"  overwrite PATH            write the data on stdin over an existing file, from offset 0\n"
		"  mkfile PATH SIZE SEED     create PATH with SIZE bytes of pseudo-random data\n"
		"  gen SIZE SEED             write the data mkfile would store to stdout\n"
		"  symlink PATH TARGET       create a symbolic link\n"
		"  mountpoint PATH '#CELL:VOLUME.'  create a mount point ('%%...' for read-write)\n"
		"  setacl DIR NAME RIGHTS... set ACL entries (rights: letters of rlidwka, or none)\n"
		"  listacl DIR               print the ACL as the fileserver stores it\n"
		"  ls DIR                    print the names in DIR except . and .., one per line\n"
		"  cat PATH                  write the file's data to stdout (follows links)\n"
		"  readlink PATH             print a symlink's or mount point's content\n"
		"  stat PATH                 print type, mode, size and FID (does not follow PATH itself)\n"
		"  rm PATH / rmdir PATH      remove a file, symlink or mount point / an empty directory\n",
		prog);
	return 2;
}

/* "/afs" alone makes libafscp read past the string; "/afs/" means the same. */
static struct afscp_venusfid *resolve(const char *path)
{
	struct afscp_venusfid *fid;

	fid = afscp_ResolvePath(strcmp(path, "/afs") == 0 ? "/afs/" : path);
	if (!fid) {
		if (afscp_errno == 0)
			afscp_errno = ENOENT;
		complain("resolve", path);
	}
	return fid;
}

/*
 * Split PATH into its directory (resolved, links followed) and its last
 * name, so the last component itself is never followed: what creating,
 * removing, stat and readlink need.
 */
static struct afscp_venusfid *resolve_parent(const char *path, char *name, size_t namelen)
{
	char dir[4096];
	const char *slash, *base;
	size_t len = strlen(path), dlen;

	/* "dir/" names dir. */
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len >= sizeof(dir)) {
		fprintf(stderr, "%s: %s: path too long\n", prog, path);
		return NULL;
	}
	memcpy(dir, path, len);
	dir[len] = '\0';
	slash = strrchr(dir, '/');
	base = slash ? slash + 1 : dir;
	dlen = slash ? (size_t)(slash - dir) : 0;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
	    strlen(base) >= namelen) {
		fprintf(stderr, "%s: %s: need a path ending in a plain name\n", prog, path);
		return NULL;
	}
	strcpy(name, base);
	if (slash == dir) {
		fprintf(stderr, "%s: %s: paths start with /afs/ or are relative to root.cell\n",
			prog, path);
		return NULL;
	}
	dir[dlen] = '\0';
	return resolve(dlen ? dir : ".");
}

/* PATH itself, a final symlink or mount point not followed. */
static struct afscp_venusfid *resolve_nofollow(const char *path)
{
	char name[AFSNAMEMAX];
	struct afscp_venusfid *dir, *fid;

	/* Names that are never links, and "link/" (the directory it leads to). */
	if (strcmp(path, "/afs") == 0 || path[0] == '\0' || path[strlen(path) - 1] == '/' ||
	    strcmp(path, ".") == 0 ||
	    (strlen(path) >= 2 && strcmp(path + strlen(path) - 2, "/.") == 0) ||
	    (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0) ||
	    strcmp(path, "..") == 0)
		return resolve(path);
	dir = resolve_parent(path, name, sizeof(name));
	if (!dir)
		return NULL;
	fid = afscp_ResolveName(dir, name);
	if (!fid) {
		if (afscp_errno == 0)
			afscp_errno = ENOENT;
		complain("lookup", path);
	}
	free(dir);
	return fid;
}

static struct afscp_venusfid *create_file(const char *path, int mode, int exist_ok)
{
	char name[AFSNAMEMAX];
	struct afscp_venusfid *dir, *fid = NULL;
	struct AFSStoreStatus sst;

	dir = resolve_parent(path, name, sizeof(name));
	if (!dir)
		return NULL;
	memset(&sst, 0, sizeof(sst));
	sst.Mask = AFS_SETMODE;
	sst.UnixModeBits = mode;
	if (afscp_CreateFile(dir, name, &sst, &fid) != 0) {
		if (exist_ok && is_errno(afscp_errno, EEXIST)) {
			fid = afscp_ResolveName(dir, name);
			if (!fid)
				complain("lookup", path);
		} else {
			complain("create", path);
			fid = NULL;
		}
	}
	free(dir);
	return fid;
}

static int write_all(const struct afscp_venusfid *fid, const char *path,
		     const char *buf, size_t len, off_t off)
{
	ssize_t n = afscp_PWrite(fid, buf, len, off);

	if (n < 0 || (size_t)n != len) {
		if (n >= 0)
			afscp_errno = EIO;
		complain("write", path);
		return -1;
	}
	return 0;
}

/* splitmix64: deterministic, fast, and trivial to reproduce in a test. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void fill_random(uint64_t *state, unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = next_random(state);
		for (size_t j = 0; j < 8 && i + j < len; j++)
			buf[i + j] = (unsigned char)(v >> (8 * j));
	}
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	*out = strtoull(s, &end, 0);
	return (errno || *end) ? -1 : 0;
}

static int cmd_mkdir(int argc, char **argv)
{
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		char name[AFSNAMEMAX];
		struct afscp_venusfid *dir = resolve_parent(argv[i], name, sizeof(name));
		struct AFSStoreStatus sst;

		if (!dir) {
			rc = 1;
			continue;
		}
		memset(&sst, 0, sizeof(sst));
		sst.Mask = AFS_SETMODE;
		sst.UnixModeBits = 0755;
		if (afscp_MakeDir(dir, name, &sst, NULL) != 0) {
			complain("mkdir", argv[i]);
			rc = 1;
		}
		free(dir);
	}
	return rc;
}

static int cmd_touch(int argc, char **argv)
{
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		struct afscp_venusfid *fid = create_file(argv[i], 0644, 1);
		if (!fid)
			rc = 1;
		free(fid);
	}
	return rc;
}

/* Write stdin into @fid (which this frees) from offset 0; 0 or 1. */
static int write_stdin(struct afscp_venusfid *fid, const char *what, const char *path)
{
	char *buf;
	off_t off = 0;
	int rc = 0;

	if (!fid)
		return 1;
	buf = malloc(CHUNK);
	if (!buf) {
		perror(prog);
		free(fid);
		return 1;
	}
	for (;;) {
		size_t got = fread(buf, 1, CHUNK, stdin);
		if (got > 0 && write_all(fid, path, buf, got, off) != 0) {
			rc = 1;
			break;
		}
		off += (off_t)got;
		if (got < CHUNK) {
			if (ferror(stdin)) {
				fprintf(stderr, "%s: %s %s: reading stdin: %s\n", prog, what, path,
					strerror(errno));
				rc = 1;
			}
			break;
		}
	}
	free(buf);
	free(fid);
	return rc;
}

static int cmd_put(const char *path)
{
	return write_stdin(create_file(path, 0644, 0), "put", path);
}

/* The same file (FID) rewritten by a client that is not netfuse: its
 * callback holders are told. Data past what stdin gives stays. */
static int cmd_overwrite(const char *path)
{
	return write_stdin(resolve(path), "overwrite", path);
}


static int cmd_mkfile(const char *path, const char *size_s, const char *seed_s, int to_stdout)
{
	uint64_t size, seed, off = 0;
	struct afscp_venusfid *fid = NULL;
	unsigned char *buf;
	int rc = 0;

	if (parse_u64(size_s, &size) != 0 || parse_u64(seed_s, &seed) != 0) {
		fprintf(stderr, "%s: SIZE and SEED must be unsigned integers\n", prog);
		return 2;
	}
	if (!to_stdout) {
		fid = create_file(path, 0644, 0);
		if (!fid)
			return 1;
	}
	buf = malloc(CHUNK);
	if (!buf) {
		perror(prog);
		free(fid);
		return 1;
	}
	/* The stream depends only on SEED, not on the chunk size. */
	while (off < size) {
		size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		fill_random(&seed, buf, n);
		if (to_stdout) {
			if (fwrite(buf, 1, n, stdout) != n) {
				perror(prog);
				rc = 1;
				break;
			}
		} else if (write_all(fid, path, (char *)buf, n, (off_t)off) != 0) {
			rc = 1;
			break;
		}
		off += n;
	}
	if (to_stdout && fflush(stdout) != 0) {
		perror(prog);
		rc = 1;
	}
	free(buf);
	free(fid);
	return rc;
}

static int make_link(const char *path, const char *target, int mode, const char *what)
{
	char name[AFSNAMEMAX];
	struct afscp_venusfid *dir = resolve_parent(path, name, sizeof(name));
	struct AFSStoreStatus sst;
	int rc = 0;

	if (!dir)
		return 1;
	memset(&sst, 0, sizeof(sst));
	sst.Mask = AFS_SETMODE;
	sst.UnixModeBits = mode;
	if (afscp_Symlink(dir, name, (char *)target, &sst) != 0) {
		complain(what, path);
		rc = 1;
	}
	free(dir);
	return rc;
}

/*
 * A mount point is a symlink whose mode has no execute bit and whose content
 * is "#VOLUME." or "%VOLUME." (read-write), optionally "#CELL:VOLUME.".
 */
static int cmd_mountpoint(const char *path, const char *target)
{
	size_t len = strlen(target);

	if (len < 3 || (target[0] != '#' && target[0] != '%') || target[len - 1] != '.') {
		fprintf(stderr, "%s: mountpoint target must look like '#cell:volume.' or '%%volume.'\n",
			prog);
		return 2;
	}
	return make_link(path, target, 0644, "mountpoint");
}

static int parse_rights(const char *s, int *out)
{
	int r = 0;

	if (strcmp(s, "none") == 0) {
		*out = 0;
		return 0;
	}
	for (; *s; s++) {
		switch (*s) {
		case 'r': r |= PRSFS_READ; break;
		case 'l': r |= PRSFS_LOOKUP; break;
		case 'i': r |= PRSFS_INSERT; break;
		case 'd': r |= PRSFS_DELETE; break;
		case 'w': r |= PRSFS_WRITE; break;
		case 'k': r |= PRSFS_LOCK; break;
		case 'a': r |= PRSFS_ADMINISTER; break;
		default: return -1;
		}
	}
	*out = r;
	return 0;
}

/*
 * The ACL travels as text: "NPOS\nNNEG\n" then one "NAME\tRIGHTS\n" line per
 * entry, positive entries first, RIGHTS a decimal bit mask.
 */
#ifndef PR_MAXNAMELEN
#define PR_MAXNAMELEN 64
#endif

struct acl_entry {
	char name[PR_MAXNAMELEN + 1];
	int rights;
};

static int cmd_setacl(int argc, char **argv)
{
	const char *path = argv[0];
	struct afscp_venusfid *fid;
	struct AFSOpaque acl;
	struct acl_entry pos[64], neg[64];
	int npos = 0, nneg = 0, rc = 1;
	char *text = NULL, *p;
	size_t cap;

	if (argc < 3 || (argc - 1) % 2 != 0)
		return usage();
	fid = resolve(path);
	if (!fid)
		return 1;
	memset(&acl, 0, sizeof(acl));
	if (afscp_FetchACL(fid, &acl) != 0) {
		complain("fetch ACL of", path);
		goto out;
	}
	p = acl.AFSOpaque_val;
	if (sscanf(p, "%d\n%d\n", &npos, &nneg) != 2 || npos < 0 || nneg < 0 ||
	    npos > 64 || nneg > 64) {
		fprintf(stderr, "%s: %s: cannot parse the ACL the server sent\n", prog, path);
		goto out;
	}
	p = strchr(p, '\n') + 1;
	p = strchr(p, '\n') + 1;
	for (int i = 0; i < npos + nneg; i++) {
		struct acl_entry *e = i < npos ? &pos[i] : &neg[i - npos];
		if (sscanf(p, "%64s %d", e->name, &e->rights) != 2) {
			fprintf(stderr, "%s: %s: cannot parse the ACL the server sent\n", prog, path);
			goto out;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	for (int i = 1; i + 1 < argc; i += 2) {
		int rights, j;
		if (parse_rights(argv[i + 1], &rights) != 0 || strlen(argv[i]) > PR_MAXNAMELEN) {
			fprintf(stderr, "%s: bad ACL entry '%s %s'\n", prog, argv[i], argv[i + 1]);
			rc = 2;
			goto out;
		}
		for (j = 0; j < npos && strcmp(pos[j].name, argv[i]) != 0; j++)
			;
		if (j == npos) {
			if (npos == 64) {
				fprintf(stderr, "%s: %s: ACL full\n", prog, path);
				goto out;
			}
			npos++;
			strcpy(pos[j].name, argv[i]);
		}
		pos[j].rights = rights;
		if (rights == 0) {
			/* As fs setacl does, rights "none" removes the entry. */
			memmove(&pos[j], &pos[j + 1], (size_t)(npos - j - 1) * sizeof(pos[0]));
			npos--;
		}
	}
	cap = 32 + (size_t)(npos + nneg) * (PR_MAXNAMELEN + 16);
	text = malloc(cap);
	if (!text) {
		perror(prog);
		goto out;
	}
	p = text;
	p += sprintf(p, "%d\n%d\n", npos, nneg);
	for (int i = 0; i < npos; i++)
		p += sprintf(p, "%s\t%d\n", pos[i].name, pos[i].rights);
	for (int i = 0; i < nneg; i++)
		p += sprintf(p, "%s\t%d\n", neg[i].name, neg[i].rights);
	xdr_free((xdrproc_t)xdr_AFSOpaque, &acl);
	memset(&acl, 0, sizeof(acl));
	acl.AFSOpaque_val = text;
	acl.AFSOpaque_len = (u_int)(p - text) + 1;
	if (afscp_StoreACL(fid, &acl) != 0) {
		complain("store ACL of", path);
		acl.AFSOpaque_val = NULL;
		goto out;
	}
	acl.AFSOpaque_val = NULL;
	rc = 0;
out:
	if (acl.AFSOpaque_val)
		xdr_free((xdrproc_t)xdr_AFSOpaque, &acl);
	free(text);
	free(fid);
	return rc;
}

static int cmd_listacl(const char *path)
{
	struct afscp_venusfid *fid = resolve(path);
	struct AFSOpaque acl;
	int rc = 0;

	if (!fid)
		return 1;
	memset(&acl, 0, sizeof(acl));
	if (afscp_FetchACL(fid, &acl) != 0) {
		complain("fetch ACL of", path);
		rc = 1;
	} else {
		fputs(acl.AFSOpaque_val, stdout);
		xdr_free((xdrproc_t)xdr_AFSOpaque, &acl);
	}
	free(fid);
	return rc;
}

static int cmd_ls(const char *path)
{
	struct afscp_venusfid *fid = resolve(path);
	struct afscp_dirstream *d;
	struct afscp_dirent *e;

	if (!fid)
		return 1;
	d = afscp_OpenDir(fid);
	if (!d) {
		complain("open directory", path);
		free(fid);
		return 1;
	}
	while ((e = afscp_ReadDir(d)) != NULL) {
		if (strcmp(e->name, ".") != 0 && strcmp(e->name, "..") != 0)
			puts(e->name);
	}
	afscp_CloseDir(d);
	free(fid);
	return afscp_errno ? (complain("read directory", path), 1) : 0;
}

static int cmd_cat(const char *path)
{
	struct afscp_venusfid *fid = resolve(path);
	struct AFSFetchStatus st;
	char *buf;
	uint64_t off = 0, len;
	int rc = 0;

	if (!fid)
		return 1;
	if (afscp_GetStatus(fid, &st) != 0) {
		complain("stat", path);
		free(fid);
		return 1;
	}
	if (st.FileType == Directory) {
		fprintf(stderr, "%s: cat %s: is a directory\n", prog, path);
		free(fid);
		return 1;
	}
	len = ((uint64_t)st.Length_hi << 32) | st.Length;
	buf = malloc(CHUNK);
	if (!buf) {
		perror(prog);
		free(fid);
		return 1;
	}
	while (off < len) {
		size_t want = len - off < CHUNK ? (size_t)(len - off) : CHUNK;
		ssize_t n = afscp_PRead(fid, buf, want, (off_t)off);
		if (n <= 0) {
			if (n == 0)
				afscp_errno = EIO;
			complain("read", path);
			rc = 1;
			break;
		}
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n) {
			perror(prog);
			rc = 1;
			break;
		}
		off += (uint64_t)n;
	}
	if (fflush(stdout) != 0) {
		perror(prog);
		rc = 1;
	}
	free(buf);
	free(fid);
	return rc;
}

static int read_link(const struct afscp_venusfid *fid, const char *path,
		     const struct AFSFetchStatus *st, char *buf, size_t buflen)
{
	ssize_t n;

	if (st->Length >= buflen) {
		fprintf(stderr, "%s: %s: link too long\n", prog, path);
		return -1;
	}
	n = afscp_PRead(fid, buf, st->Length, 0);
	if (n < 0 || (size_t)n != st->Length) {
		if (n >= 0)
			afscp_errno = EIO;
		complain("read link", path);
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

static int cmd_readlink(const char *path)
{
	struct afscp_venusfid *fid = resolve_nofollow(path);
	struct AFSFetchStatus st;
	char buf[4096];
	int rc = 1;

	if (!fid)
		return 1;
	if (afscp_GetStatus(fid, &st) != 0)
		complain("stat", path);
	else if (st.FileType != SymbolicLink)
		fprintf(stderr, "%s: readlink %s: not a symlink or mount point\n", prog, path);
	else if (read_link(fid, path, &st, buf, sizeof(buf)) == 0) {
		puts(buf);
		rc = 0;
	}
	free(fid);
	return rc;
}

static int cmd_stat(const char *path)
{
	struct afscp_venusfid *fid = resolve_nofollow(path);
	struct AFSFetchStatus st;
	const char *type;

	if (!fid)
		return 1;
	if (afscp_GetStatus(fid, &st) != 0) {
		complain("stat", path);
		free(fid);
		return 1;
	}
	switch (st.FileType) {
	case File: type = "file"; break;
	case Directory: type = "directory"; break;
	case SymbolicLink: type = (st.UnixModeBits & 0111) ? "symlink" : "mountpoint"; break;
	default: type = "unknown"; break;
	}
	printf("type=%s mode=%04o size=%" PRIu64 " links=%u owner=%u fid=%u.%u.%u dv=%u\n",
	       type, st.UnixModeBits & 07777,
	       ((uint64_t)st.Length_hi << 32) | st.Length, st.LinkCount, st.Owner,
	       fid->fid.Volume, fid->fid.Vnode, fid->fid.Unique, st.DataVersion);
	free(fid);
	return 0;
}

static int cmd_remove(const char *path, int isdir)
{
	char name[AFSNAMEMAX];
	struct afscp_venusfid *dir = resolve_parent(path, name, sizeof(name));
	int rc = 0;

	if (!dir)
		return 1;
	if ((isdir ? afscp_RemoveDir(dir, name) : afscp_RemoveFile(dir, name)) != 0) {
		complain(isdir ? "rmdir" : "rm", path);
		rc = 1;
	}
	free(dir);
	return rc;
}

static int read_this_cell(const char *confdir, char *cell, size_t len)
{
	char file[4096];
	FILE *f;
	size_t n;

	snprintf(file, sizeof(file), "%s/ThisCell", confdir);
	f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "%s: %s: %s (set AFSCONF or use -c CONFDIR)\n", prog, file,
			strerror(errno));
		return -1;
	}
	n = fread(cell, 1, len - 1, f);
	fclose(f);
	cell[n] = '\0';
	while (n > 0 && isspace((unsigned char)cell[n - 1]))
		cell[--n] = '\0';
	if (n == 0) {
		fprintf(stderr, "%s: %s is empty\n", prog, file);
		return -1;
	}
	return 0;
}

static int run(const char *cmd, int argc, char **argv)
{
#define NEED(n) do { if (argc != (n)) return usage(); } while (0)
	if (strcmp(cmd, "mkdir") == 0 && argc >= 1)
		return cmd_mkdir(argc, argv);
	if (strcmp(cmd, "touch") == 0 && argc >= 1)
		return cmd_touch(argc, argv);
	if (strcmp(cmd, "put") == 0) {
		NEED(1);
		return cmd_put(argv[0]);
	}
	if (strcmp(cmd, "overwrite") == 0) {
		NEED(1);
		return cmd_overwrite(argv[0]);
	}
	if (strcmp(cmd, "mkfile") == 0) {
		NEED(3);
		return cmd_mkfile(argv[0], argv[1], argv[2], 0);
	}
	if (strcmp(cmd, "symlink") == 0) {
		NEED(2);
		return make_link(argv[0], argv[1], 0755, "symlink");
	}
	if (strcmp(cmd, "mountpoint") == 0) {
		NEED(2);
		return cmd_mountpoint(argv[0], argv[1]);
	}
	if (strcmp(cmd, "setacl") == 0)
		return cmd_setacl(argc, argv);
	if (strcmp(cmd, "listacl") == 0) {
		NEED(1);
		return cmd_listacl(argv[0]);
	}
	if (strcmp(cmd, "ls") == 0) {
		NEED(1);
		return cmd_ls(argv[0]);
	}
	if (strcmp(cmd, "cat") == 0) {
		NEED(1);
		return cmd_cat(argv[0]);
	}
	if (strcmp(cmd, "readlink") == 0) {
		NEED(1);
		return cmd_readlink(argv[0]);
	}
	if (strcmp(cmd, "stat") == 0) {
		NEED(1);
		return cmd_stat(argv[0]);
	}
	if (strcmp(cmd, "rm") == 0) {
		NEED(1);
		return cmd_remove(argv[0], 0);
	}
	if (strcmp(cmd, "rmdir") == 0) {
		NEED(1);
		return cmd_remove(argv[0], 1);
	}
	return usage();
#undef NEED
}

int main(int argc, char **argv)
{
	const char *confdir = getenv("AFSCONF");
	const char *authas = NULL;
	char cell[MAXCELLCHARS + 1];
	struct afscp_cell *c;
	int opt, rc;

	while ((opt = getopt(argc, argv, "+a:c:h")) != -1) {
		switch (opt) {
		case 'a':
			authas = optarg;
			break;
		case 'c':
			confdir = optarg;
			break;
		default:
			return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();
	if (!confdir || !*confdir)
		confdir = "/etc/openafs";

	/* gen needs no cell: it is how a test computes what mkfile stored. */
	if (strcmp(argv[0], "gen") == 0) {
		if (argc != 3)
			return usage();
		return cmd_mkfile(NULL, argv[1], argv[2], 1);
	}

	if (read_this_cell(confdir, cell, sizeof(cell)) != 0)
		return 1;
	/*
	 * libafscp asks Kerberos for a ticket before falling back to rxnull;
	 * a host krb5.conf only slows that down (and crashes afsio), so ignore
	 * it unless the caller chose one.
	 */
	setenv("KRB5_CONFIG", "/dev/null", 0);
	afscp_SetConfDir((char *)confdir);
	if (authas && afscp_LocalAuthAs(authas) != 0) {
		fprintf(stderr, "%s: -a %s: name too long\n", prog, authas);
		return 2;
	}
	afscp_AnonymousAuth(1);
	if (afscp_Init(NULL) != 0) {
		fprintf(stderr, "%s: cannot initialise Rx\n", prog);
		return 1;
	}
	if (afscp_SetDefaultCell(cell) != 0) {
		fprintf(stderr, "%s: cell %s: not in %s/CellServDB or no VL server answers\n",
			prog, cell, confdir);
		afscp_Finalize();
		return 1;
	}
	/* libafscp quietly falls back to rxnull when local auth fails. */
	c = afscp_DefaultCell();
	if (authas && (!c || c->scindex != RX_SECIDX_KAD)) {
		fprintf(stderr, "%s: -a %s: cannot make a ticket from the KeyFile in "
			"/etc/openafs/server (run inside the cell's mount namespace)\n",
			prog, authas);
		afscp_Finalize();
		return 1;
	}
	rc = run(argv[0], argc - 1, argv + 1);
	/* Give the callbacks back, or the fileserver waits on a dead client. */
	afscp_Finalize();
	return rc;
}
