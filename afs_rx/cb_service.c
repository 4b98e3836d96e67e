/*
 * afs_rx/cb_service.c: the callback service (see cb_service.h). Each call
 * runs on the transport's handler thread: read the whole request (a few
 * hundred bytes at most), decode it, reply, then tell the owner.
 */
#include "config.h"

#include "cb_service.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "afs_errors.h"

/* The largest request: CallBack with 50 fids and 50 callbacks. */
#define CB_REQ_MAX (4 + 4 + AFSCB_MAX * 12 + 4 + AFSCB_MAX * 12)

struct cb_service {
	struct rx_endpoint *ep;
	struct afs_uuid uuid;
	struct cb_service_ops ops;
	void *arg;
	pthread_mutex_t lock;
	struct cb_service_stats st;
};

void cb_enc_interface_addr(struct rx_enc *e, const struct afs_uuid *uuid)
{
	rx_enc_u32(e, 0); /* numberOfInterfaces */
	afs_enc_uuid(e, uuid);
	for (int i = 0; i < 3 * AFS_MAX_INTERFACE_ADDR; i++)
		rx_enc_u32(e, 0); /* addr_in[32], subnetmask[32], mtu[32]: fixed arrays */
}

void cb_enc_tell_me_reply(struct rx_enc *e, const struct afs_uuid *uuid)
{
	cb_enc_interface_addr(e, uuid);
	rx_enc_u32(e, 1); /* Capabilities<196>: one word */
	rx_enc_u32(e, CLIENT_CAPABILITY_ERRORTRANS);
}

int cb_dec_callback_args(struct rx_dec *d, struct afs_fid *fids, unsigned *n, struct afs_callback *cbs,
			 unsigned *ncbs)
{
	uint32_t nf, nc;

	if (rx_dec_count(d, AFSCB_MAX, 12, &nf))
		return -EBADMSG;
	for (uint32_t i = 0; i < nf; i++)
		if (afs_dec_fid(d, &fids[i]))
			return -EBADMSG;
	if (rx_dec_count(d, AFSCB_MAX, 12, &nc))
		return -EBADMSG;
	for (uint32_t i = 0; i < nc; i++)
		if (afs_dec_callback(d, &cbs[i]))
			return -EBADMSG;
	*n = nf;
	*ncbs = nc;
	return 0;
}

static void count(struct cb_service *cb, uint64_t *field, uint64_t add)
{
	pthread_mutex_lock(&cb->lock);
	*field += add;
	pthread_mutex_unlock(&cb->lock);
}

static int32_t reply(struct rx_call *call, struct rx_enc *e)
{
	int ret = rx_enc_error(e) ? rx_enc_error(e) : rx_call_send(call, e->buf, e->len, true);

	rx_enc_free(e);
	return ret == -ENOMEM ? RXGEN_SS_MARSHAL : 0;
}

static int32_t cb_handler(struct rx_call *call, void *arg)
{
	struct cb_service *cb = arg;
	uint8_t req[CB_REQ_MAX + 4];
	struct sockaddr_storage from;
	socklen_t fromlen;
	struct afs_fid fids[AFSCB_MAX];
	struct afs_callback cbs[AFSCB_MAX];
	struct afs_uuid uuid;
	unsigned n, ncbs;
	struct rx_dec d;
	struct rx_enc e;
	uint32_t op;
	ssize_t len;
	int32_t code;

	len = rx_call_recv(call, req, sizeof(req));
	if (len < 0)
		return 0; /* the call already failed */
	rx_dec_init(&d, req, (size_t)len);
	if (len > CB_REQ_MAX || rx_dec_u32(&d, &op)) {
		count(cb, &cb->st.bad, 1);
		return RXGEN_SS_UNMARSHAL;
	}
	rx_call_peer(call, &from, &fromlen);
	rx_enc_init(&e);
	switch (op) {
	case AFSCB_CALLBACK:
		if (cb_dec_callback_args(&d, fids, &n, cbs, &ncbs) || rx_dec_finish(&d))
			goto bad;
		code = reply(call, &e);
		count(cb, &cb->st.callback, 1);
		count(cb, &cb->st.fids_broken, n);
		if (cb->ops.callback)
			cb->ops.callback(cb->arg, &from, fids, n, cbs, ncbs);
		return code;
	case AFSCB_INITCALLBACKSTATE:
		if (rx_dec_finish(&d))
			goto bad;
		code = reply(call, &e);
		count(cb, &cb->st.init_state, 1);
		if (cb->ops.init_state)
			cb->ops.init_state(cb->arg, &from, NULL);
		return code;
	case AFSCB_INITCALLBACKSTATE3:
		if (afs_dec_uuid(&d, &uuid) || rx_dec_finish(&d))
			goto bad;
		code = reply(call, &e);
		count(cb, &cb->st.init_state3, 1);
		if (cb->ops.init_state)
			cb->ops.init_state(cb->arg, &from, &uuid);
		return code;
	case AFSCB_PROBE:
		if (rx_dec_finish(&d))
			goto bad;
		count(cb, &cb->st.probe, 1);
		return reply(call, &e);
	case AFSCB_PROBEUUID:
		if (afs_dec_uuid(&d, &uuid) || rx_dec_finish(&d))
			goto bad;
		count(cb, &cb->st.probe_uuid, 1);
		if (memcmp(&uuid, &cb->uuid, sizeof(uuid)) != 0) {
			rx_enc_free(&e);
			return 1; /* not us (kAFS answers the same) */
		}
		return reply(call, &e);
	case AFSCB_WHOAREYOU:
		if (rx_dec_finish(&d))
			goto bad;
		count(cb, &cb->st.who_are_you, 1);
		cb_enc_interface_addr(&e, &cb->uuid);
		return reply(call, &e);
	case AFSCB_TELLMEABOUTYOURSELF:
		if (rx_dec_finish(&d))
			goto bad;
		count(cb, &cb->st.tell_me, 1);
		cb_enc_tell_me_reply(&e, &cb->uuid);
		return reply(call, &e);
	default:
		count(cb, &cb->st.unknown, 1);
		rx_enc_free(&e);
		return RXGEN_OPCODE;
	}
bad:
	rx_enc_free(&e);
	count(cb, &cb->st.bad, 1);
	return RXGEN_SS_UNMARSHAL;
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
		cb->uuid.time_low = rx_get_be32(r);
		cb->uuid.time_mid = rx_get_be16(r + 4);
		cb->uuid.time_hi_and_version = (uint16_t)((rx_get_be16(r + 6) & 0x0fff) | 0x4000);
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
