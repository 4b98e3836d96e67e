/*
 * afs_rx/vl_client.h: the VL (volume location) server RPCs netfuse makes,
 * over the Rx transport. Opcodes and argument layouts from OpenAFS
 * src/vlserver/vldbint.xg (package VL_, service id 52, port 7003). Each
 * stub takes the call context (afs_call.h) and leaves the server's raw
 * abort code in cx->abort_code.
 */
#ifndef NETFUSE_VL_CLIENT_H
#define NETFUSE_VL_CLIENT_H

#include <stdint.h>
#include <sys/socket.h>

#include "afs_rx/afs_call.h"
#include "afs_rx/afs_types.h"

/*
 * VL.GetEntryByNameU (527): the VLDB entry of volume @name (by name or by
 * numeric id in decimal, as the VL server accepts both). 0, or -errno: a
 * VL abort such as VL_NOENT gives -ENOENT (the raw code in
 * cx->abort_code); a name over VL_MAXNAMELEN is -ENAMETOOLONG.
 */
int vl_get_entry_by_name_u(struct afs_call_ctx *cx, const char *name, struct afs_uvldbentry *out);

/*
 * VL.GetAddrsU (533): the addresses of the file server @attr names
 * (normally by UUID, mask AFS_VLADDR_UUID, for a uvldbentry server with
 * AFS_VLSF_UUID), with its UUID and uniquifier. out->naddrs addresses
 * arrived; kAFS uses min(nentries, naddrs). 0 or -errno as above.
 */
int vl_get_addrs_u(struct afs_call_ctx *cx, const struct afs_list_addr_by_attributes *attr, struct afs_vl_addrs *out);

#endif
