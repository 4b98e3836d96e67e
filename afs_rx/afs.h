/*
 * afs_rx/afs.h: what the AFS layer offers a front-end (the cache manager of
 * netfuse-afs), and nothing more: the AFS types, an Rx endpoint configured
 * for AFS and the call context, the VL and FS client stubs, the callback
 * service, CellServDB/ThisCell, the directory format, and what abort
 * codes mean. The wire formats (xdr.h, afs_xdr.h, fs_xdr.h, cb_xdr.h) and
 * how a stub runs its call (afs_stub.h) stay internal; the transport's own
 * API is afs_rx/rx/rx_transport.h, which this includes.
 */
#ifndef NETFUSE_AFS_H
#define NETFUSE_AFS_H

#include "afs_rx/afs_call.h"
#include "afs_rx/afs_dir.h"
#include "afs_rx/afs_errors.h"
#include "afs_rx/afs_types.h"
#include "afs_rx/cb_service.h"
#include "afs_rx/cellservdb.h"
#include "afs_rx/fs_client.h"
#include "afs_rx/vl_client.h"

#endif
