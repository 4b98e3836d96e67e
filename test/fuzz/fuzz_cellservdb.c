/* Fuzz target: afs_rx/cellservdb.c's CellServDB and ThisCell parsers. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "afs_rx/cellservdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct afs_cellservdb db;
	char err[200], cell[AFS_CELL_NAME_MAX];

	if (afs_cellservdb_parse((const char *)data, size, &db, err, sizeof(err)) == 0) {
		for (unsigned i = 0; i < db.ncells; i++) {
			const struct afs_cellservdb_cell *c = &db.cells[i];
			if (afs_cellservdb_find(&db, c->name) != c)
				abort(); /* names are unique */
			if (c->nservers > AFS_CELL_SERVERS_MAX || !memchr(c->name, '\0', sizeof(c->name)))
				abort();
		}
		afs_cellservdb_free(&db);
	} else if (db.ncells || db.cells || err[0] == '\0') {
		abort(); /* a rejection leaves nothing behind and explains itself */
	} else {
		for (const char *p = err; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				abort(); /* one printable line */
	}
	if (afs_thiscell_parse((const char *)data, size, cell, sizeof(cell), err, sizeof(err)) == 0 &&
	    !afs_cell_name_valid(cell, strlen(cell)))
		abort();
	return 0;
}
