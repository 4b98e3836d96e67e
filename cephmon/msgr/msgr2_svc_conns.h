/*
 * cephmon/msgr/msgr2_svc_conns.h: the connections a client keeps to the
 * daemons of one service (OSDs for the OSD client, MDSs for the MDS
 * client): msgr2_conns by the owner's id, each opened with a cephx
 * authorizer drawn from the identity's ticket for that service, closed and
 * found again by id. The owner's state machine names connections by id
 * (osdc_io, mdsc_io) and this set turns the id into a msgr2_conn.
 *
 * Threads: the loop thread with the owner's lock held, as msgr2_conn. Each
 * connection's callbacks get its entry as their argument (entry->owner and
 * entry->id say whose and which).
 */
#ifndef NETFUSE_MSGR2_SVC_CONNS_H
#define NETFUSE_MSGR2_SVC_CONNS_H

#include <stdint.h>

#include "cephmon/msgr/msgr2_cephx.h"
#include "cephmon/msgr/msgr2_conn.h"

struct msgr2_svc_conn {
	void *owner;
	uint64_t id;
	struct msgr2_conn *conn;
	struct msgr2_cephx_authorizer au;
	struct msgr2_svc_conn *next;
};

struct msgr2_svc_conns {
	struct evloop *loop;
	pthread_mutex_t *lock;
	struct cephx_client *cx; /* the identity's tickets */
	uint64_t *global_seq;
	uint32_t nonce;
	enum ceph_ms_mode ms_mode;
	uint32_t peer_type; /* CEPH_ENTITY_TYPE_OSD, _MDS */
	const struct msgr2_conn_cbs *cb;
	void *owner;
	struct msgr2_svc_conn *head; /* every open connection */
};

/* Connect to @addr as connection @id: 0, or -errno (nothing opened). */
int msgr2_svc_conns_open(struct msgr2_svc_conns *s, uint64_t id, const struct ceph_entity_addr *addr);
/* Close connection @id (harmless when it is not open). */
void msgr2_svc_conns_close(struct msgr2_svc_conns *s, uint64_t id);
/* Connection @id, or NULL. */
struct msgr2_conn *msgr2_svc_conns_find(const struct msgr2_svc_conns *s, uint64_t id);
/* Close them all. */
void msgr2_svc_conns_close_all(struct msgr2_svc_conns *s);

#endif
