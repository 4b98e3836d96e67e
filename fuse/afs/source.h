/*
 * fuse/afs/source.h: the names of AFS volumes, as a mount source and as a
 * mount point's contents, spelled as kAFS and OpenAFS spell them:
 *
 *   %[CELL:]VOLUME[.readonly|.backup][.]   the read-write volume
 *   #[CELL:]VOLUME[.readonly|.backup][.]   a read-only site when there is one
 *
 * The suffix .readonly or .backup asks for that volume whatever the prefix.
 * A mount point's contents end with a '.', which a source may have too.
 * Without CELL, the cell is the mount's own (ThisCell for a source, the
 * cell of the volume holding the mount point for a mount point).
 *
 * Which site '#' reaches also depends on where it is crossed (the rule of
 * OpenAFS and kAFS): from a read-write volume, the read-write volume; from a
 * read-only or backup one, or as the mount's source, the read-only volume
 * when the VLDB lists one. afs_source_want() applies it.
 */
#ifndef NETFUSE_AFS_SOURCE_H
#define NETFUSE_AFS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "afs_rx/afs.h"

enum afs_vol_type {
	AFS_VOL_RW = AFS_RWVOL,
	AFS_VOL_RO = AFS_ROVOL,
	AFS_VOL_BK = AFS_BACKVOL,
};

struct afs_source {
	char cell[AFS_CELL_NAME_MAX];	/* empty: the mount's cell */
	char volume[AFS_VL_MAXNAMELEN]; /* without the suffix */
	enum afs_vol_type type;		/* asked for: by '%' or a suffix (forced), else RW */
	bool forced;			/* '%' or a suffix: exactly that type */
};

/* Parse @len bytes of @s. 0, or -EINVAL with one printable line in @err. */
int afs_source_parse(const char *s, size_t len, struct afs_source *out, char *err, size_t errlen);

/* The volume type to mount for @src, crossed from a volume of type @from
 * (or as the source: @from < 0), when the VLDB entry has a read-only
 * volume (@ro_exists) or not. */
enum afs_vol_type afs_source_want(const struct afs_source *src, int from, bool ro_exists);

/* The name of @type ("rw", "ro", "bk"). */
const char *afs_vol_type_name(enum afs_vol_type type);

#endif
