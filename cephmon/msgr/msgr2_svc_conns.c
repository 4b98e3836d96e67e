/*
 * cephmon/msgr/msgr2_svc_conns.c: a client's connections to one service's
 * daemons (see the header).
 */
#include "config.h"

#include "cephmon/msgr/msgr2_svc_conns.h"

#include <errno.h>
#include <stdlib.h>

int msgr2_svc_conns_open(struct msgr2_svc_conns *s, uint64_t id, const struct ceph_entity_addr *addr)
{
	struct msgr2_svc_conn *c = calloc(1, sizeof(*c));
	struct msgr2_auth_provider prov;
	int e;

	if (!c)
		return -ENOMEM;
	c->owner = s->owner;
	c->id = id;
	prov = msgr2_cephx_authorizer_provider(&c->au, s->cx, s->peer_type);
	struct msgr2_conn_params p = {
	    .loop = s->loop,
	    .lock = s->lock,
	    .peer_addr = *addr,
	    .peer_type = s->peer_type,
	    .ms_mode = s->ms_mode,
	    .auth = &prov,
	    .nauth = 1,
	    .global_seq = s->global_seq,
	    .nonce = s->nonce,
	    .cb = s->cb,
	    .cb_arg = c,
	};
	e = msgr2_conn_open(&p, &c->conn);
	if (e) {
		msgr2_cephx_authorizer_destroy(&c->au);
		free(c);
		return e;
	}
	c->next = s->head;
	s->head = c;
	return 0;
}

void msgr2_svc_conns_close(struct msgr2_svc_conns *s, uint64_t id)
{
	for (struct msgr2_svc_conn **pp = &s->head; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct msgr2_svc_conn *c = *pp;
			*pp = c->next;
			msgr2_conn_close(c->conn); /* nothing of @c's is used after this */
			msgr2_cephx_authorizer_destroy(&c->au);
			free(c);
			return;
		}
}

struct msgr2_conn *msgr2_svc_conns_find(const struct msgr2_svc_conns *s, uint64_t id)
{
	for (struct msgr2_svc_conn *c = s->head; c; c = c->next)
		if (c->id == id)
			return c->conn;
	return NULL;
}

void msgr2_svc_conns_close_all(struct msgr2_svc_conns *s)
{
	while (s->head)
		msgr2_svc_conns_close(s, s->head->id);
}
