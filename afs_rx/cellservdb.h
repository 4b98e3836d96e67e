/*
 * afs_rx/cellservdb.h: the AFS client's cell database files.
 *
 * CellServDB lists, for each cell, the VL (database) servers a client asks
 * where volumes live; ThisCell names the default cell. Both are plain text
 * written by people and by packages, so the parser reports the line and the
 * reason for anything it rejects.
 *
 * CellServDB format, as OpenAFS and kAFS read it:
 *   >cellname [linkedcell]   #comment
 *   10.0.0.1                 #hostname
 *   [10.0.0.2]               #hostname     (a ubik clone, non-voting)
 * Blank lines and lines starting with '#' are ignored.
 */
#ifndef NETFUSE_CELLSERVDB_H
#define NETFUSE_CELLSERVDB_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#define AFS_CELL_NAME_MAX 64   /* MAXCELLCHARS, with the NUL */
#define AFS_HOST_NAME_MAX 64   /* MAXHOSTCHARS, with the NUL */
#define AFS_CELL_SERVERS_MAX 16

struct afs_cellservdb_server {
	struct in_addr addr;
	bool clone;
	char name[AFS_HOST_NAME_MAX]; /* from the comment; may be empty */
};

struct afs_cellservdb_cell {
	char name[AFS_CELL_NAME_MAX];
	char linked[AFS_CELL_NAME_MAX]; /* linked cell, or empty */
	unsigned nservers;
	struct afs_cellservdb_server servers[AFS_CELL_SERVERS_MAX];
};

struct afs_cellservdb {
	unsigned ncells;
	struct afs_cellservdb_cell *cells;
};

/* Parse a CellServDB held in memory. 0, or -EINVAL/-ENOMEM with "line N: why"
 * in @err; on error @db is left empty. */
int afs_cellservdb_parse(const char *text, size_t len, struct afs_cellservdb *db, char *err, size_t errlen);
void afs_cellservdb_free(struct afs_cellservdb *db);

/* The cell named @name (case-insensitive), or NULL. */
const struct afs_cellservdb_cell *afs_cellservdb_find(const struct afs_cellservdb *db, const char *name);

/* Parse a ThisCell file: one cell name, optional trailing newline. */
int afs_thiscell_parse(const char *text, size_t len, char *cell, size_t cellsz, char *err, size_t errlen);

/* A valid cell name: 1..63 characters of [A-Za-z0-9.-_], not starting with '.'. */
bool afs_cell_name_valid(const char *name, size_t len);

#endif
