/*
 * afs_rx/vl_client.h: the VL (volume location) server RPCs netfuse makes,
 * over the Rx transport. Opcodes and argument layouts from OpenAFS
 * src/vlserver/vldbint.xg (package VL_, service id 52, port 7003).
 */
#ifndef NETFUSE_VL_CLIENT_H
#define NETFUSE_VL_CLIENT_H

#include <stdint.h>
#include <sys/socket.h>

#include "afs_xdr.h"
#include "rx_transport.h"

#define AFS_VL_SERVICE 52
#define AFS_VL_PORT    7003

/*
 * VL.GetEntryByNameU (527): the VLDB entry of volume @name (by name or by
 * numeric id in decimal, as the VL server accepts both). 0, or -errno: a
 * VL abort such as VL_NOENT gives -ENOENT with the raw code in
 * *@abort_code (may be NULL; 0 when there was no abort).
 */
int vl_get_entry_by_name_u(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len, const char *name,
			   struct afs_uvldbentry *out, uint64_t deadline_ns, int32_t *abort_code);

/*
 * VL.GetAddrsU (533): the addresses of the file server @attr names
 * (normally by UUID, mask AFS_VLADDR_UUID, for a uvldbentry server with
 * AFS_VLSF_UUID), with its UUID and uniquifier. out->naddrs addresses
 * arrived; kAFS uses min(nentries, naddrs). 0 or -errno as above.
 */
int vl_get_addrs_u(struct rx_endpoint *ep, const struct sockaddr *addr, socklen_t len,
		   const struct afs_list_addr_by_attributes *attr, struct afs_vl_addrs *out, uint64_t deadline_ns,
		   int32_t *abort_code);

#endif
