/*
 * afs_rx/cb_service.c: the callback service (see cb_service.h). Each call
 * runs on the transport's handler thread: read the whole request (a few
 * hundred bytes at most), decode it, reply, then tell the owner.
 */
#include "config.h"

#include "afs_rx/cb_service.h"

#include "afs_rx/cb_xdr.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "afs_errors.h"

struct cb_service {
	struct rx_endpoint *ep;
	struct afs_uuid uuid;
	struct cb_service_ops ops;
	void *arg;
	pthread_mutex_t lock;
	struct cb_service_stats st;
};

static void count(struct cb_service *cb, uint64_t *field, uint64_t add)
{
	pthread_mutex_lock(&cb->lock);
	*field += add;
	pthread_mutex_unlock(&cb->lock);
}

static int32_t reply(struct rx_call *call, struct wire_enc *e)
{
	int ret = wire_enc_error(e) ? wire_enc_error(e) : rx_call_send(call, e->buf, e->len, true);

	wire_enc_free(e);
	return ret == -ENOMEM ? RXGEN_SS_MARSHAL : 0;
}

static int32_t cb_handler(struct rx_call *call, void *arg)
{
	struct cb_service *cb = arg;
	uint8_t buf[CB_REQUEST_MAX + 4];
	struct sockaddr_storage from;
	socklen_t fromlen;
	struct cb_request *req;
	struct wire_enc e;
	ssize_t len;
	int32_t code = 0;
	int ret;

	len = rx_call_recv(call, buf, sizeof(buf));
	if (len < 0)
		return 0; /* the call already failed */
	req = malloc(sizeof(*req));
	if (!req)
		return RX_CALL_DEAD;
	ret = len > CB_REQUEST_MAX ? -EBADMSG : cb_request_decode(buf, (size_t)len, req);
	if (ret) {
		count(cb, ret == -EOPNOTSUPP ? &cb->st.unknown : &cb->st.bad, 1);
		free(req);
		/* What an rxgen server answers: an unknown opcode, or arguments it
		 * cannot unmarshal. */
		return ret == -EOPNOTSUPP ? RXGEN_OPCODE : RXGEN_SS_UNMARSHAL;
	}
	rx_call_peer(call, &from, &fromlen);
	wire_enc_init(&e);
	switch (req->op) {
	case AFSCB_CALLBACK:
		/* Counted before the reply: once the server has it, it may go on
		 * and answer our own calls, and whoever reads the counts then
		 * must see this one. */
		count(cb, &cb->st.callback, 1);
		count(cb, &cb->st.fids_broken, req->nfids);
		code = reply(call, &e);
		if (cb->ops.callback)
			cb->ops.callback(cb->arg, &from, req->fids, req->nfids, req->cbs, req->ncbs);
		break;
	case AFSCB_INITCALLBACKSTATE:
	case AFSCB_INITCALLBACKSTATE3:
		count(cb, req->op == AFSCB_INITCALLBACKSTATE ? &cb->st.init_state : &cb->st.init_state3, 1);
		code = reply(call, &e);
		if (cb->ops.init_state)
			cb->ops.init_state(cb->arg, &from, req->op == AFSCB_INITCALLBACKSTATE ? NULL : &req->uuid);
		break;
	case AFSCB_PROBE:
		count(cb, &cb->st.probe, 1);
		code = reply(call, &e);
		break;
	case AFSCB_PROBEUUID:
		count(cb, &cb->st.probe_uuid, 1);
		if (memcmp(&req->uuid, &cb->uuid, sizeof(req->uuid)) != 0) {
			wire_enc_free(&e);
			code = 1; /* not us (kAFS answers the same) */
		} else {
			code = reply(call, &e);
		}
		break;
	case AFSCB_WHOAREYOU:
		count(cb, &cb->st.who_are_you, 1);
		cb_enc_interface_addr(&e, &cb->uuid);
		code = reply(call, &e);
		break;
	case AFSCB_TELLMEABOUTYOURSELF:
		count(cb, &cb->st.tell_me, 1);
		cb_enc_tell_me_reply(&e, &cb->uuid);
		code = reply(call, &e);
		break;
	}
	free(req);
	return code;
}

struct cb_service *cb_service_start(struct rx_endpoint *ep, const struct afs_uuid *uuid,
				    const struct cb_service_ops *ops, void *arg, int *err)
{
	struct cb_service *cb = calloc(1, sizeof(*cb));
	int ret;

	if (!cb) {
		*err = -ENOMEM;
		return NULL;
	}
	cb->ep = ep;
	if (ops)
		cb->ops = *ops;
	cb->arg = arg;
	pthread_mutex_init(&cb->lock, NULL);
	if (uuid) {
		cb->uuid = *uuid;
	} else {
		uint8_t r[16];

		if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
			free(cb);
			*err = -EIO;
			return NULL;
		}
		/* RFC 4122 version 4 in afsUUID's fields. */
		cb->uuid.time_low = get_be32(r);
		cb->uuid.time_mid = get_be16(r + 4);
		cb->uuid.time_hi_and_version = (uint16_t)((get_be16(r + 6) & 0x0fff) | 0x4000);
		cb->uuid.clock_seq_hi_and_reserved = (uint8_t)((r[8] & 0x3f) | 0x80);
		cb->uuid.clock_seq_low = r[9];
		memcpy(cb->uuid.node, r + 10, 6);
	}
	ret = rx_service_register(ep, AFS_CB_SERVICE, NULL, cb_handler, cb);
	if (ret) {
		pthread_mutex_destroy(&cb->lock);
		free(cb);
		*err = ret;
		return NULL;
	}
	return cb;
}

void cb_service_free(struct cb_service *cb)
{
	if (!cb)
		return;
	pthread_mutex_destroy(&cb->lock);
	free(cb);
}

void cb_service_get_stats(struct cb_service *cb, struct cb_service_stats *st)
{
	pthread_mutex_lock(&cb->lock);
	*st = cb->st;
	pthread_mutex_unlock(&cb->lock);
}

const struct afs_uuid *cb_service_uuid(const struct cb_service *cb)
{
	return &cb->uuid;
}
