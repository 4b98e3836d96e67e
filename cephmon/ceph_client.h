/*
 * cephmon/ceph_client.h: what cephmon offers a front-end (netfuse-ceph),
 * and nothing more: the mount configuration resolved from what a person
 * gave (ceph_mount_config.h), and the monitor client as a running thing
 * (monc_loop.h: open, statfs, commands, a snapshot for the .ceph/ views)
 * with the types it hands out (monc_types.h). The messenger, cephx, the
 * monc state machine and the decoders stay internal; the OSD and MDS
 * clients will add their own entry points here.
 */
#ifndef NETFUSE_CEPH_CLIENT_H
#define NETFUSE_CEPH_CLIENT_H

#include "cephmon/ceph_mount_config.h"
#include "cephmon/mon/monc_loop.h"
#include "cephmon/mon/monc_types.h"

#endif
