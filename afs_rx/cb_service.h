/*
 * afs_rx/cb_service.h: the cache manager's callback service (package
 * RXAFSCB_, service id 1), served on the endpoint the client's own calls
 * leave from: a fileserver calls back to the address and port its client
 * called from, first TellMeAboutYourself (or WhoAreYou), then
 * InitCallBackState3, and holds the client's first call until they are
 * answered. Opcodes and layouts from OpenAFS src/fsint/afscbint.xg and
 * common.xg:
 *   204 CallBack(IN AFSCBFids<50>, AFSCBs<50>)      breaks callbacks
 *   205 InitCallBackState()                        forget every callback
 *   206 Probe()                                    are you alive?
 *   212 WhoAreYou(OUT interfaceAddr)
 *   213 InitCallBackState3(IN afsUUID server)      forget that server's
 *   214 ProbeUuid(IN afsUUID client)               are you still that client?
 *   65538 TellMeAboutYourself(OUT interfaceAddr, Capabilities<196>)
 * Anything else is aborted with RXGEN_OPCODE, as an rxgen server does.
 *
 * The answers follow kAFS (fs/afs/cmservice.c): no interface addresses
 * (the fileserver uses the address the call came from; OpenAFS distrusts
 * the list anyway), the client's UUID, and one capability word,
 * CLIENT_CAPABILITY_ERRORTRANS, so that the fileserver sends UAE error
 * codes (afs_errors.h maps them). ProbeUuid of another UUID is aborted
 * with 1, as kAFS does, telling the server we are a different client.
 */
#ifndef NETFUSE_CB_SERVICE_H
#define NETFUSE_CB_SERVICE_H

#include <stdint.h>
#include <sys/socket.h>

#include "afs_rx/afs_types.h"
#include "afs_rx/rx/rx_transport.h"

#define AFS_CB_SERVICE 1
#define AFSCB_MAX      50 /* AFSCBMAX: fids per CallBack */

/* What the service tells its owner; any member may be NULL. Called on the
 * handler's thread, after the reply went out. */
struct cb_service_ops {
	/* CallBack: @n (<= 50) fids whose callbacks the server @from broke;
	 * @cbs has @ncbs entries (the server may send 0 or n). */
	void (*callback)(void *arg, const struct sockaddr_storage *from, const struct afs_fid *fids, unsigned n,
			 const struct afs_callback *cbs, unsigned ncbs);
	/* InitCallBackState (@server_uuid NULL) or InitCallBackState3: drop
	 * every callback from that server. */
	void (*init_state)(void *arg, const struct sockaddr_storage *from, const struct afs_uuid *server_uuid);
};

struct cb_service_stats {
	uint64_t callback, init_state, init_state3, probe, probe_uuid, who_are_you, tell_me, unknown, bad;
	uint64_t fids_broken;
};

struct cb_service;

/*
 * Serve the callback service on @ep as client @uuid (NULL: a random one,
 * version 4). The service must outlive the endpoint: free it after
 * rx_endpoint_free. NULL with *err on failure.
 */
struct cb_service *cb_service_start(struct rx_endpoint *ep, const struct afs_uuid *uuid,
				    const struct cb_service_ops *ops, void *arg, int *err);
void cb_service_free(struct cb_service *cb);
void cb_service_get_stats(struct cb_service *cb, struct cb_service_stats *st);
const struct afs_uuid *cb_service_uuid(const struct cb_service *cb);

#endif
