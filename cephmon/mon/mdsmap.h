/*
 * cephmon/mon/mdsmap.h: the MDS map of one file system (MDSMap) and the message
 * that carries it (MMDSMap, CEPH_MSG_MDS_MAP), decoded into a plain summary.
 *
 * A client subscribes to "mdsmap.<fscid>" (or "mdsmap" for the default file
 * system) and learns from the map which MDS daemons serve which rank, and
 * which data pools the file system uses: the kernel's statfs names the data
 * pool when there is exactly one (fs/ceph/super.c ceph_statfs), and its
 * debugfs "mdsmap" file lists the ranks (fs/ceph/debugfs.c mdsmap_show).
 *
 * The summary is a fixed-size struct the caller may copy: at most
 * MDSMAP_MAX_MDS daemons and MDSMAP_MAX_DATA_POOLS data pools are kept, and
 * the totals say how many the map had. Decoders never read past their
 * input; malformed input is -EBADMSG (an unknown struct compat version
 * -EPROTONOSUPPORT) and leaves @out zeroed, never half-filled.
 */
#ifndef NETFUSE_MDSMAP_H
#define NETFUSE_MDSMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/ceph_addr.h"
#include "cephmon/mon/mon_msgs.h"
#include "cephmon/mon/monc_types.h"

/* The MMDSMap front: fsid, epoch, the MDSMap blob, then optionally the
 * file system's name. */
int mmdsmap_decode(const void *front, size_t len, struct mdsmap_summary *out);

/* An encoded MDSMap on its own (the MMDSMap front's blob); the message
 * fields of @out stay zero. */
int mdsmap_decode(const void *map, size_t len, struct mdsmap_summary *out);

#endif
