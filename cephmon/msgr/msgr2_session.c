/*
 * cephmon/msgr/msgr2_session.c: the msgr2.1 client connection engine (see the
 * header for the model). Hand-written: there is no library for msgr2.
 * Reasons name the peer by its type ("the OSD closed the connection").
 *
 * Trade-offs:
 * - Input is copied into one growing buffer and whole frames are decoded
 *   from it (msgr2_frame_decode), so a frame costs one extra copy; in
 *   return the engine takes any chunking of the byte stream.
 * - Output frames are encoded into one buffer the caller drains. Messages
 *   wait in a queue and are encoded one at a time when that buffer is
 *   empty: a secure frame consumes a nonce when encoded, so a message can
 *   only be revoked before it is encoded, and encoding late keeps that
 *   window as wide as possible.
 * - Lossy session: no resend queue. Sent messages are forgotten; the
 *   peer's ACKs are only counted.
 *
 * Sources: Linux net/ceph/messenger_v2.c (client states, process_hello,
 * process_auth_done, prepare_auth_signature, prepare_client_ident,
 * process_server_ident, the MESSAGE seq checks), Ceph
 * src/msg/async/ProtocolV2.cc (handle_auth_bad_method, the pre-auth
 * signature, handle_session_retry_global, _infer_target_addr).
 */
#include "cephmon/msgr/msgr2_session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <openssl/crypto.h>

#include "cephmon/msgr/ceph_addr_wire.h"
#include "cephmon/msgr/ceph_entity.h"
#include "cephmon/msgr/crc32c.h"
#include "cephmon/msgr/msgr2_ctrl.h"
#include "cephmon/msgr/msgr2_frame.h"

enum msgr2_state {
	ST_BANNER_PREFIX,
	ST_BANNER_PAYLOAD,
	ST_HELLO,
	ST_AUTH,
	ST_AUTH_SIGNATURE,
	ST_SESSION_CONNECT,
	ST_OPEN,
	ST_DOWN,
};

struct out_msg {
	struct out_msg *next;
	int64_t handle;
	uint16_t type, version, compat_version;
	uint64_t tid;
	uint8_t *front; /* ours; data follows it unless lent */
	const uint8_t *data;
	size_t len, data_len;
	void (*release)(void *arg); /* lent data: called when done with it */
	void *release_arg;
};

static void out_msg_free(struct out_msg *m)
{
	if (m->release)
		m->release(m->release_arg);
	free(m->front);
	free(m);
}

/* Frames larger than this are read to their end and no further. */
#define RX_CHUNK 65536

struct msgr2_session {
	struct msgr2_session_params p;
	const char *peer; /* "monitor", "OSD", ...: names it in reasons */
	struct msgr2_auth_provider auth[MSGR2_MAX_AUTH_PROVIDERS];
	struct msgr2_session_cbs cb;
	enum msgr2_state state;
	uint64_t now_ns;

	uint16_t banner_len;
	struct wire_enc in;
	size_t in_off;
	/* A large frame being received: the bytes it still needs. Reads stop
	 * at its end, so the input empties there instead of being moved. */
	size_t rx_big_need;
	/* A message's data segment being received straight into its reader's
	 * buffer (cb.rx_data); the frame's other bytes stay in @in. @own: our
	 * copy, after msgr2_session_rx_revoke; @delivering: the message is
	 * being handed over (it has all its bytes). */
	struct {
		uint8_t *dest;
		size_t len, got;
		bool own, delivering;
	} direct;
	struct wire_enc out;
	size_t out_off;

	struct out_msg *q_head, **q_tail;
	int64_t next_handle, cur_handle;
	size_t cur_end; /* end of the message being written in @out */
	/* Lent data of the message being written: it goes on the wire at
	 * @out's offset @at, from where it is (crc mode). */
	struct {
		const uint8_t *data;
		size_t len, sent, at;
		void (*release)(void *arg);
		void *arg;
	} lent;

	/* Pre-auth bytes for AUTH_SIGNATURE (until AUTH_DONE). */
	bool logging;
	struct wire_enc rx_log, tx_log;

	unsigned auth_idx;
	uint32_t tried; /* bit i: auth[i] was offered */
	struct msgr2_u32_list modes;

	bool secure;
	struct msgr2_crypto crypto;
	uint8_t session_key[MSGR2_AUTH_KEY_MAX];
	size_t session_key_len;

	uint64_t global_id, global_seq, peer_features;
	uint32_t con_mode;
	struct ceph_entity_addr my_addr;
	uint64_t out_seq, in_seq, in_seq_acked, acked_seq;
};

static const uint8_t empty_seg[1];

static bool msgr2_peer_type_valid(uint32_t type)
{
	return type == CEPH_ENTITY_TYPE_MON || type == CEPH_ENTITY_TYPE_OSD || type == CEPH_ENTITY_TYPE_MDS ||
	       type == CEPH_ENTITY_TYPE_MGR;
}

/* What the reasons call a peer of @type ("an OSD" with @article). */
static const char *peer_noun(uint32_t type, bool article)
{
	switch (type) {
	case CEPH_ENTITY_TYPE_MON:
		return article ? "a monitor" : "monitor";
	case CEPH_ENTITY_TYPE_OSD:
		return article ? "an OSD" : "OSD";
	case CEPH_ENTITY_TYPE_MDS:
		return article ? "an MDS" : "MDS";
	case CEPH_ENTITY_TYPE_MGR:
		return article ? "a manager" : "manager";
	case CEPH_ENTITY_TYPE_CLIENT:
		return article ? "a client" : "client";
	default:
		return article ? "an unknown entity" : "peer";
	}
}

static const char *tag_name(uint8_t tag)
{
	static const char *const names[] = {
	    [MSGR2_TAG_HELLO] = "HELLO",
	    [MSGR2_TAG_AUTH_REQUEST] = "AUTH_REQUEST",
	    [MSGR2_TAG_AUTH_BAD_METHOD] = "AUTH_BAD_METHOD",
	    [MSGR2_TAG_AUTH_REPLY_MORE] = "AUTH_REPLY_MORE",
	    [MSGR2_TAG_AUTH_REQUEST_MORE] = "AUTH_REQUEST_MORE",
	    [MSGR2_TAG_AUTH_DONE] = "AUTH_DONE",
	    [MSGR2_TAG_AUTH_SIGNATURE] = "AUTH_SIGNATURE",
	    [MSGR2_TAG_CLIENT_IDENT] = "CLIENT_IDENT",
	    [MSGR2_TAG_SERVER_IDENT] = "SERVER_IDENT",
	    [MSGR2_TAG_IDENT_MISSING_FEATURES] = "IDENT_MISSING_FEATURES",
	    [MSGR2_TAG_SESSION_RECONNECT] = "SESSION_RECONNECT",
	    [MSGR2_TAG_SESSION_RESET] = "SESSION_RESET",
	    [MSGR2_TAG_SESSION_RETRY] = "SESSION_RETRY",
	    [MSGR2_TAG_SESSION_RETRY_GLOBAL] = "SESSION_RETRY_GLOBAL",
	    [MSGR2_TAG_SESSION_RECONNECT_OK] = "SESSION_RECONNECT_OK",
	    [MSGR2_TAG_WAIT] = "WAIT",
	    [MSGR2_TAG_MESSAGE] = "MESSAGE",
	    [MSGR2_TAG_KEEPALIVE2] = "KEEPALIVE2",
	    [MSGR2_TAG_KEEPALIVE2_ACK] = "KEEPALIVE2_ACK",
	    [MSGR2_TAG_ACK] = "ACK",
	    [MSGR2_TAG_COMPRESSION_REQUEST] = "COMPRESSION_REQUEST",
	    [MSGR2_TAG_COMPRESSION_DONE] = "COMPRESSION_DONE",
	};

	return tag <= MSGR2_TAG_MAX && names[tag] ? names[tag] : "unknown frame";
}

static const char *state_name(enum msgr2_state st)
{
	switch (st) {
	case ST_BANNER_PREFIX:
	case ST_BANNER_PAYLOAD:
		return "BANNER";
	case ST_HELLO:
		return "HELLO";
	case ST_AUTH:
		return "AUTH";
	case ST_AUTH_SIGNATURE:
		return "AUTH_SIGNATURE";
	case ST_SESSION_CONNECT:
		return "SESSION_CONNECT";
	case ST_OPEN:
		return "OPEN";
	case ST_DOWN:
		break;
	}
	return "DOWN";
}

static void wipe_keys(struct msgr2_session *s)
{
	OPENSSL_cleanse(s->session_key, sizeof(s->session_key));
	s->session_key_len = 0;
	msgr2_crypto_wipe(&s->crypto);
	wire_enc_free(&s->rx_log);
	wire_enc_free(&s->tx_log);
	s->logging = false;
}

/* End the session (once): the reason goes to the "down" callback. */
__attribute__((format(printf, 3, 4))) static int fail(struct msgr2_session *s, int err, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (s->state == ST_DOWN)
		return err;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	s->state = ST_DOWN;
	wipe_keys(s);
	if (s->cb.down)
		s->cb.down(s->p.cb_arg, err, why);
	return err;
}

static void modes_from_ms_mode(enum ceph_ms_mode m, struct msgr2_u32_list *l)
{
	switch (m) {
	case CEPH_MS_MODE_CRC:
		*l = (struct msgr2_u32_list){1, {MSGR2_CON_MODE_CRC}};
		break;
	case CEPH_MS_MODE_SECURE:
		*l = (struct msgr2_u32_list){1, {MSGR2_CON_MODE_SECURE}};
		break;
	case CEPH_MS_MODE_PREFER_SECURE:
		*l = (struct msgr2_u32_list){2, {MSGR2_CON_MODE_SECURE, MSGR2_CON_MODE_CRC}};
		break;
	case CEPH_MS_MODE_PREFER_CRC:
	default:
		*l = (struct msgr2_u32_list){2, {MSGR2_CON_MODE_CRC, MSGR2_CON_MODE_SECURE}};
		break;
	}
}

static bool list_has(const struct msgr2_u32_list *l, uint32_t v)
{
	for (uint32_t i = 0; i < l->n && i < MSGR2_LIST_MAX; i++)
		if (l->v[i] == v)
			return true;
	return false;
}

static void list_format(const struct msgr2_u32_list *l, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i < l->n && i < MSGR2_LIST_MAX && o < len; i++) {
		int n = snprintf(buf + o, len - o, "%s%u", i ? "," : "", l->v[i]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* ---- output ---------------------------------------------------------------------------- */

static int send_frame(struct msgr2_session *s, uint8_t tag, const struct msgr2_seg *segs, unsigned n)
{
	size_t start = s->out.len;
	int r;

	r = msgr2_frame_encode(&s->out, tag, segs, n, s->secure ? &s->crypto.tx : NULL);
	if (r == 0)
		r = wire_enc_error(&s->out);
	if (r < 0)
		return fail(s, r, "cannot encode %s: %s", tag_name(tag), strerror(-r));
	if (s->logging) {
		wire_enc_bytes(&s->tx_log, s->out.buf + start, s->out.len - start);
		if (wire_enc_error(&s->tx_log))
			return fail(s, -ENOMEM, "out of memory");
	}
	return 0;
}

/* A control frame whose single segment is @e (freed here). */
static int send_ctrl(struct msgr2_session *s, uint8_t tag, struct wire_enc *e, int enc_r)
{
	struct msgr2_seg seg;
	int r = enc_r ? enc_r : wire_enc_error(e);

	if (r < 0) {
		wire_enc_free(e);
		return fail(s, r, "cannot encode %s: %s", tag_name(tag), strerror(-r));
	}
	seg = (struct msgr2_seg){e->len ? e->buf : empty_seg, (uint32_t)e->len};
	r = send_frame(s, tag, &seg, 1);
	wire_enc_free(e);
	return r;
}

static int send_auth_request(struct msgr2_session *s)
{
	const struct msgr2_auth_provider *a = &s->auth[s->auth_idx];
	struct msgr2_auth_request req = {.method = a->ops->method, .preferred_modes = s->modes};
	struct wire_enc payload, e;
	char why[200] = "";
	int r;

	wire_enc_init(&payload);
	r = a->ops->request(a->arg, &payload, why, sizeof(why));
	if (r == 0)
		r = wire_enc_error(&payload);
	if (r < 0) {
		wire_enc_free(&payload);
		return fail(s, r, "auth %s: %s", a->ops->name, why[0] ? why : strerror(-r));
	}
	s->tried |= 1u << s->auth_idx;
	req.payload = payload.len ? payload.buf : empty_seg;
	req.payload_len = (uint32_t)payload.len;
	wire_enc_init(&e);
	r = msgr2_auth_request_encode(&e, &req);
	wire_enc_free(&payload);
	return send_ctrl(s, MSGR2_TAG_AUTH_REQUEST, &e, r);
}

static int send_client_ident(struct msgr2_session *s)
{
	struct msgr2_client_ident ci = {
	    .addrs = {.n = 1, .v = {s->my_addr}},
	    .target_addr = s->p.peer_addr,
	    .global_id = (int64_t)s->global_id,
	    .global_seq = s->global_seq,
	    .supported_features = s->p.features,
	    .required_features = MSGR2_CLIENT_REQUIRED_FEATURES,
	    .flags = MSGR2_IDENT_FLAG_LOSSY,
	    /* Only SESSION_RECONNECT uses the cookie, and a lossy session never
	     * reconnects; nonzero all the same, as Ceph's clients send. */
	    .cookie = ((uint64_t)s->p.nonce << 32 | (s->global_seq & 0xffffffffu)) | 1,
	};
	struct wire_enc e;

	wire_enc_init(&e);
	return send_ctrl(s, MSGR2_TAG_CLIENT_IDENT, &e, msgr2_client_ident_encode(&e, &ci));
}

static void maybe_send_ack(struct msgr2_session *s)
{
	struct wire_enc e;

	if (s->state != ST_OPEN || s->in_seq == s->in_seq_acked)
		return;
	s->in_seq_acked = s->in_seq;
	wire_enc_init(&e);
	send_ctrl(s, MSGR2_TAG_ACK, &e, msgr2_u64_encode(&e, s->in_seq));
}

/* Encode the next queued message into the empty output buffer. */
static void encode_next_msg(struct msgr2_session *s)
{
	struct out_msg *m = s->q_head;
	struct msgr2_msg_header h = {0};
	struct msgr2_seg segs[4];
	struct wire_enc e;
	int r;

	if (!m || s->state != ST_OPEN)
		return;
	s->q_head = m->next;
	if (!s->q_head)
		s->q_tail = &s->q_head;
	h.seq = ++s->out_seq;
	h.tid = m->tid;
	h.type = m->type;
	h.version = m->version;
	h.compat_version = m->compat_version;
	h.priority = 127; /* CEPH_MSG_PRIO_DEFAULT */
	h.ack_seq = s->in_seq;
	s->in_seq_acked = s->in_seq;
	wire_enc_init(&e);
	r = msgr2_msg_header_encode(&e, &h);
	if (r == 0)
		r = wire_enc_error(&e);
	if (r == 0) {
		segs[0] = (struct msgr2_seg){e.buf, (uint32_t)e.len};
		segs[1] = (struct msgr2_seg){m->len ? m->front : empty_seg, (uint32_t)m->len};
		segs[2] = (struct msgr2_seg){empty_seg, 0}; /* middle: unused by clients */
		segs[3] = (struct msgr2_seg){m->data_len ? m->data : empty_seg, (uint32_t)m->data_len};
		if (m->release && !s->secure && m->data_len) {
			/* lent data goes out from where it is; secure mode
			 * encrypts it into @out, a copy in any case */
			size_t hole;
			r = msgr2_frame_encode_crc_hole(&s->out, MSGR2_TAG_MESSAGE, segs, 4, &hole);
			if (r == 0)
				r = wire_enc_error(&s->out);
			if (r < 0) {
				fail(s, r, "cannot encode a message: %s", strerror(-r));
			} else {
				s->lent.data = m->data;
				s->lent.len = m->data_len;
				s->lent.sent = 0;
				s->lent.at = hole;
				s->lent.release = m->release;
				s->lent.arg = m->release_arg;
				m->release = NULL; /* the session's now, until written */
			}
		} else {
			r = send_frame(s, MSGR2_TAG_MESSAGE, segs, m->data_len ? 4 : 2);
		}
		if (r == 0) {
			s->cur_handle = m->handle;
			s->cur_end = s->out.len;
		}
	} else {
		fail(s, r, "cannot encode a message header");
	}
	wire_enc_free(&e);
	out_msg_free(m);
}

static void lent_done(struct msgr2_session *s)
{
	void (*release)(void *) = s->lent.release;
	void *arg = s->lent.arg;

	memset(&s->lent, 0, sizeof(s->lent));
	if (release)
		release(arg);
}

size_t msgr2_session_pending_tx(struct msgr2_session *s, const uint8_t **ptr)
{
	/* A session that is down has nothing more to say: the caller closes. */
	if (s->state == ST_DOWN) {
		*ptr = s->out.buf;
		return 0;
	}
	if (s->out_off >= s->out.len) {
		s->out.len = s->out_off = 0;
		encode_next_msg(s);
	}
	if (s->lent.data && s->out_off == s->lent.at) {
		*ptr = s->lent.data + s->lent.sent;
		return s->lent.len - s->lent.sent;
	}
	*ptr = s->out.buf + s->out_off;
	return (s->lent.data && s->out_off < s->lent.at ? s->lent.at : s->out.len) - s->out_off;
}

void msgr2_session_tx_done(struct msgr2_session *s, size_t n)
{
	size_t end;

	if (s->lent.data && s->out_off == s->lent.at) {
		s->lent.sent += n < s->lent.len - s->lent.sent ? n : s->lent.len - s->lent.sent;
		if (s->lent.sent == s->lent.len)
			lent_done(s);
		return;
	}
	end = s->lent.data && s->out_off < s->lent.at ? s->lent.at : s->out.len;
	if (n > end - s->out_off)
		n = end - s->out_off;
	s->out_off += n;
	if (s->cur_handle && s->out_off >= s->cur_end)
		s->cur_handle = 0;
	if (s->out_off == s->out.len) {
		s->out.len = s->out_off = 0;
		s->cur_end = 0;
	}
}

int64_t msgr2_session_queue(struct msgr2_session *s, const struct msgr2_out *o)
{
	struct out_msg *m;

	if (s->state == ST_DOWN)
		return -ENOTCONN;
	if (o->front_len > MSGR2_MAX_FRONT_LEN || (o->front_len && !o->front) || o->data_len > MSGR2_MAX_DATA_LEN ||
	    (o->data_len && !o->data))
		return -EINVAL;
	size_t copy = o->front_len + (o->release ? 0 : o->data_len);

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (copy) {
		m->front = malloc(copy);
		if (!m->front) {
			free(m);
			return -ENOMEM;
		}
		if (o->front_len)
			memcpy(m->front, o->front, o->front_len);
		if (o->data_len && !o->release)
			memcpy(m->front + o->front_len, o->data, o->data_len);
	}
	m->data = o->release ? o->data : m->front + o->front_len;
	m->release = o->release;
	m->release_arg = o->release_arg;
	m->len = o->front_len;
	m->data_len = o->data_len;
	m->type = o->type;
	m->version = o->version;
	m->compat_version = o->compat_version ? o->compat_version : 1;
	m->tid = o->tid;
	m->handle = ++s->next_handle;
	*s->q_tail = m;
	s->q_tail = &m->next;
	return m->handle;
}

static const uint8_t *moved(const uint8_t *p, const uint8_t *from, size_t len, const uint8_t *to)
{
	return p >= from && p < from + len ? to + (p - from) : p;
}

void msgr2_session_relend(struct msgr2_session *s, void *arg, const void *from, size_t len, const void *to)
{
	for (struct out_msg *m = s->q_head; m; m = m->next)
		if (m->release && m->release_arg == arg)
			m->data = moved(m->data, from, len, to);
	if (s->lent.data && s->lent.arg == arg)
		s->lent.data = moved(s->lent.data, from, len, to);
}

int64_t msgr2_session_send_msg(struct msgr2_session *s, uint16_t type, uint16_t version, uint64_t tid,
			       const void *front, size_t len)
{
	const struct msgr2_out o = {.type = type, .version = version, .tid = tid, .front = front, .front_len = len};

	return msgr2_session_queue(s, &o);
}

int msgr2_session_revoke(struct msgr2_session *s, int64_t handle)
{
	for (struct out_msg **pp = &s->q_head; *pp; pp = &(*pp)->next) {
		struct out_msg *m = *pp;

		if (m->handle != handle)
			continue;
		*pp = m->next;
		if (!*pp)
			s->q_tail = pp;
		out_msg_free(m);
		return 0;
	}
	if (handle && handle == s->cur_handle)
		return -EINPROGRESS;
	return -ENOENT;
}

int msgr2_session_keepalive(struct msgr2_session *s, uint64_t now_ns)
{
	struct msgr2_timespec t = {(uint32_t)(now_ns / 1000000000u), (uint32_t)(now_ns % 1000000000u)};
	struct wire_enc e;

	if (s->state != ST_OPEN)
		return -ENOTCONN;
	wire_enc_init(&e);
	return send_ctrl(s, MSGR2_TAG_KEEPALIVE2, &e, msgr2_keepalive_encode(&e, &t));
}

/* ---- input ----------------------------------------------------------------------------- */

static const uint8_t *seg_of(const struct msgr2_frame *f, unsigned i, size_t *len)
{
	if (i >= f->num_segments || !f->seg[i]) {
		*len = 0;
		return empty_seg;
	}
	*len = f->len[i];
	return f->seg[i];
}

static int bad_payload(struct msgr2_session *s, uint8_t tag)
{
	return fail(s, -EBADMSG, "malformed %s from the %s", tag_name(tag), s->peer);
}

static int unexpected(struct msgr2_session *s, uint8_t tag)
{
	return fail(s, -EPROTO, "unexpected %s from the %s in state %s", tag_name(tag), s->peer, state_name(s->state));
}

static int handle_hello(struct msgr2_session *s, const uint8_t *p, size_t len)
{
	struct msgr2_hello h;

	if (msgr2_hello_decode(p, len, &h))
		return bad_payload(s, MSGR2_TAG_HELLO);
	if (h.entity_type != s->p.peer_type)
		return fail(s, -EPROTO, "the peer is not %s but %s (entity type 0x%x)", peer_noun(s->p.peer_type, true),
			    peer_noun(h.entity_type, true), h.entity_type);
	if (h.peer_addr.ss.ss_family != AF_INET && h.peer_addr.ss.ss_family != AF_INET6)
		return fail(s, -EPROTO, "the %s sees us at an address that is not IPv4 or IPv6", s->peer);
	/* Our address is the one the peer sees, port 0 (we do not
	 * listen), our nonce; type ANY as we are no msgr2 server. Ceph's
	 * _infer_target_addr() takes it for its address family alone. */
	s->my_addr = h.peer_addr;
	s->my_addr.type = CEPH_ADDR_ANY;
	s->my_addr.nonce = s->p.nonce;
	if (s->my_addr.ss.ss_family == AF_INET)
		((struct sockaddr_in *)&s->my_addr.ss)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&s->my_addr.ss)->sin6_port = 0;
	s->state = ST_AUTH;
	return send_auth_request(s);
}

static int handle_reply_more(struct msgr2_session *s, const uint8_t *p, size_t len)
{
	const struct msgr2_auth_provider *a = &s->auth[s->auth_idx];
	struct msgr2_auth_more m, req;
	struct wire_enc payload, e;
	char why[200] = "";
	int r;

	if (msgr2_auth_more_decode(p, len, &m))
		return bad_payload(s, MSGR2_TAG_AUTH_REPLY_MORE);
	if (!a->ops->reply_more)
		return fail(s, -EPROTO, "auth %s: the %s asked for another round", a->ops->name, s->peer);
	wire_enc_init(&payload);
	r = a->ops->reply_more(a->arg, m.payload_len ? m.payload : empty_seg, m.payload_len, s->now_ns, &payload, why,
			       sizeof(why));
	if (r == 0)
		r = wire_enc_error(&payload);
	if (r < 0) {
		wire_enc_free(&payload);
		return fail(s, r, "auth %s: %s", a->ops->name, why[0] ? why : strerror(-r));
	}
	req = (struct msgr2_auth_more){payload.len ? payload.buf : empty_seg, (uint32_t)payload.len};
	wire_enc_init(&e);
	r = msgr2_auth_more_encode(&e, &req);
	wire_enc_free(&payload);
	return send_ctrl(s, MSGR2_TAG_AUTH_REQUEST_MORE, &e, r);
}

static int handle_bad_method(struct msgr2_session *s, const uint8_t *p, size_t len)
{
	const struct msgr2_auth_provider *a = &s->auth[s->auth_idx];
	struct msgr2_auth_bad_method b;
	char methods[64], modes[64], why[200] = "";
	bool mode_ok = false;

	if (msgr2_auth_bad_method_decode(p, len, &b))
		return bad_payload(s, MSGR2_TAG_AUTH_BAD_METHOD);
	list_format(&b.allowed_methods, methods, sizeof(methods));
	list_format(&b.allowed_modes, modes, sizeof(modes));
	for (uint32_t i = 0; i < s->modes.n; i++)
		mode_ok |= list_has(&b.allowed_modes, s->modes.v[i]);
	if (!mode_ok)
		return fail(s, -EPROTONOSUPPORT,
			    "the %s allows connection modes [%s] (1 crc, 2 secure), none of those ms_mode asks for",
			    s->peer, modes);
	if (list_has(&b.allowed_methods, a->ops->method)) {
		/* The method is allowed, the request was not: our key or name. */
		int r = a->ops->refused ? a->ops->refused(a->arg, b.result, why, sizeof(why)) : -EACCES;
		if (r >= 0)
			r = -EACCES;
		if (why[0])
			return fail(s, r, "authentication failed: %s", why);
		return fail(s, r, "authentication failed: the %s refused %s (result %d)", s->peer, a->ops->name,
			    (int)b.result);
	}
	for (unsigned i = 0; i < s->p.nauth; i++) {
		if ((s->tried & (1u << i)) || !list_has(&b.allowed_methods, s->auth[i].ops->method))
			continue;
		s->auth_idx = i;
		return send_auth_request(s);
	}
	return fail(s, -EACCES, "the %s refused auth method %s (result %d); it allows methods [%s]", s->peer,
		    a->ops->name, (int)b.result, methods);
}

static int handle_auth_done(struct msgr2_session *s, const uint8_t *p, size_t len)
{
	const struct msgr2_auth_provider *a = &s->auth[s->auth_idx];
	struct msgr2_auth_result res;
	struct msgr2_auth_done d;
	uint8_t sig[MSGR2_AUTH_SIGNATURE_LEN];
	struct iovec iov;
	struct msgr2_seg seg;
	char why[200] = "";
	int r;

	if (msgr2_auth_done_decode(p, len, &d))
		return bad_payload(s, MSGR2_TAG_AUTH_DONE);
	if (!list_has(&s->modes, d.con_mode))
		return fail(s, -EPROTO, "the %s chose connection mode %u, which we did not offer", s->peer, d.con_mode);
	memset(&res, 0, sizeof(res));
	r = a->ops->done(a->arg, d.global_id, d.payload_len ? d.payload : empty_seg, d.payload_len, s->now_ns, &res,
			 why, sizeof(why));
	if (r < 0) {
		OPENSSL_cleanse(&res, sizeof(res));
		return fail(s, r, "auth %s: %s", a->ops->name, why[0] ? why : strerror(-r));
	}
	if (res.session_key_len > sizeof(res.session_key) || res.con_secret_len > sizeof(res.con_secret)) {
		OPENSSL_cleanse(&res, sizeof(res));
		return fail(s, -EINVAL, "auth %s: key longer than supported", a->ops->name);
	}
	if (d.con_mode == MSGR2_CON_MODE_SECURE) {
		r = msgr2_crypto_init_client(&s->crypto, res.con_secret, res.con_secret_len);
		if (r < 0) {
			OPENSSL_cleanse(&res, sizeof(res));
			return fail(s, -EPROTO, "secure mode chosen but auth %s gave no usable connection secret",
				    a->ops->name);
		}
		s->secure = true;
	}
	memcpy(s->session_key, res.session_key, res.session_key_len);
	s->session_key_len = res.session_key_len;
	OPENSSL_cleanse(&res, sizeof(res));
	s->global_id = d.global_id;
	s->con_mode = d.con_mode;

	/* Everything received so far, AUTH_DONE included, is signed; from
	 * here on nothing more is logged, and frames use the new mode. */
	s->logging = false;
	iov = (struct iovec){s->rx_log.buf, s->rx_log.len};
	r = msgr2_auth_signature(s->session_key_len ? s->session_key : NULL, s->session_key_len, &iov, 1, sig);
	wire_enc_free(&s->rx_log);
	if (r < 0)
		return fail(s, r, "cannot compute AUTH_SIGNATURE");
	s->state = ST_AUTH_SIGNATURE;
	seg = (struct msgr2_seg){sig, sizeof(sig)};
	return send_frame(s, MSGR2_TAG_AUTH_SIGNATURE, &seg, 1);
}

static int handle_auth_signature(struct msgr2_session *s, const uint8_t *p, size_t len)
{
	uint8_t want[MSGR2_AUTH_SIGNATURE_LEN];
	struct iovec iov = {s->tx_log.buf, s->tx_log.len};
	int r;

	r = msgr2_auth_signature(s->session_key_len ? s->session_key : NULL, s->session_key_len, &iov, 1, want);
	wire_enc_free(&s->tx_log);
	OPENSSL_cleanse(s->session_key, sizeof(s->session_key));
	s->session_key_len = 0;
	if (r < 0)
		return fail(s, r, "cannot compute AUTH_SIGNATURE");
	if (msgr2_auth_signature_check(p, len, want))
		return fail(s, -EBADMSG, "the %s's AUTH_SIGNATURE does not match what we sent", s->peer);
	s->state = ST_SESSION_CONNECT;
	return send_client_ident(s);
}

static void format_bits(uint64_t bits, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned b = 0; b < 64 && o < len; b++) {
		if (!(bits & (1ULL << b)))
			continue;
		int n = snprintf(buf + o, len - o, "%s%u", o ? "," : "", b);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static int handle_session_frame(struct msgr2_session *s, uint8_t tag, const uint8_t *p, size_t len)
{
	char bits[200];
	uint64_t v;
	bool full;

	switch (tag) {
	case MSGR2_TAG_SERVER_IDENT: {
		struct msgr2_server_ident si;

		if (msgr2_server_ident_decode(p, len, &si))
			return bad_payload(s, tag);
		if (si.required_features & ~s->p.features) {
			format_bits(si.required_features & ~s->p.features, bits, sizeof(bits));
			return fail(s, -EPROTONOSUPPORT, "the %s requires feature bits we lack: %s", s->peer, bits);
		}
		s->peer_features = si.supported_features;
		s->state = ST_OPEN;
		if (s->cb.up)
			s->cb.up(s->p.cb_arg, s->global_id, s->con_mode);
		return 0;
	}
	case MSGR2_TAG_IDENT_MISSING_FEATURES:
		if (msgr2_u64_decode(p, len, &v))
			return bad_payload(s, tag);
		format_bits(v, bits, sizeof(bits));
		return fail(s, -EPROTONOSUPPORT, "the %s requires feature bits we lack: %s (mask 0x%llx)", s->peer,
			    bits, (unsigned long long)v);
	case MSGR2_TAG_WAIT:
		return fail(s, -EAGAIN, "the %s asked us to wait (connection race); retry with a new session", s->peer);
	case MSGR2_TAG_SESSION_RETRY_GLOBAL:
		if (msgr2_u64_decode(p, len, &v))
			return bad_payload(s, tag);
		if (v == UINT64_MAX)
			return bad_payload(s, tag);
		if (v >= s->global_seq)
			s->global_seq = v + 1;
		return send_client_ident(s);
	case MSGR2_TAG_SESSION_RESET:
		if (msgr2_session_reset_decode(p, len, &full))
			return bad_payload(s, tag);
		return fail(s, -ECONNRESET, "the %s reset the session", s->peer);
	default:
		return unexpected(s, tag);
	}
}

static int handle_message(struct msgr2_session *s, const struct msgr2_frame *f)
{
	struct msgr2_msg_header h;
	const uint8_t *hp, *front, *middle, *data;
	size_t hl, fl, ml, dl;

	hp = seg_of(f, 0, &hl);
	front = seg_of(f, 1, &fl);
	middle = seg_of(f, 2, &ml);
	data = seg_of(f, 3, &dl);
	if (msgr2_msg_header_decode(hp, hl, &h))
		return bad_payload(s, MSGR2_TAG_MESSAGE);
	if (h.ack_seq > s->acked_seq && h.ack_seq <= s->out_seq)
		s->acked_seq = h.ack_seq;
	/* As the kernel: an old seq is a duplicate to skip, a gap a fault. */
	if (h.seq <= s->in_seq)
		return 0;
	if (h.seq != s->in_seq + 1)
		return fail(s, -EPROTO, "message seq %llu from the %s, expected %llu", (unsigned long long)h.seq,
			    s->peer, (unsigned long long)(s->in_seq + 1));
	s->in_seq = h.seq;
	if (s->cb.msg)
		s->cb.msg(s->p.cb_arg, h.type, h.version, h.tid, front, fl, middle, ml, data, dl);
	return 0;
}

static int handle_open_frame(struct msgr2_session *s, const struct msgr2_frame *f, const uint8_t *p, size_t len)
{
	struct msgr2_timespec t;
	struct wire_enc e;
	uint64_t v;

	switch (f->tag) {
	case MSGR2_TAG_MESSAGE:
		return handle_message(s, f);
	case MSGR2_TAG_ACK:
		if (msgr2_u64_decode(p, len, &v))
			return bad_payload(s, f->tag);
		if (v > s->acked_seq && v <= s->out_seq)
			s->acked_seq = v;
		return 0;
	case MSGR2_TAG_KEEPALIVE2:
		if (msgr2_keepalive_decode(p, len, &t))
			return bad_payload(s, f->tag);
		wire_enc_init(&e);
		return send_ctrl(s, MSGR2_TAG_KEEPALIVE2_ACK, &e, msgr2_keepalive_encode(&e, &t));
	case MSGR2_TAG_KEEPALIVE2_ACK:
		if (msgr2_keepalive_decode(p, len, &t))
			return bad_payload(s, f->tag);
		if (t.nsec >= 1000000000u)
			return bad_payload(s, f->tag);
		if (s->cb.keepalive_ack)
			s->cb.keepalive_ack(s->p.cb_arg, (uint64_t)t.sec * 1000000000u + t.nsec);
		return 0;
	default:
		return unexpected(s, f->tag);
	}
}

static int handle_frame(struct msgr2_session *s, const struct msgr2_frame *f)
{
	size_t len;
	const uint8_t *p = seg_of(f, 0, &len);

	/* Every control frame has one segment; only MESSAGE has more. */
	if (f->tag != MSGR2_TAG_MESSAGE && f->num_segments > 1)
		return fail(s, -EPROTO, "%s from the %s with %u segments", tag_name(f->tag), s->peer, f->num_segments);
	switch (s->state) {
	case ST_HELLO:
		if (f->tag == MSGR2_TAG_HELLO)
			return handle_hello(s, p, len);
		break;
	case ST_AUTH:
		if (f->tag == MSGR2_TAG_AUTH_REPLY_MORE)
			return handle_reply_more(s, p, len);
		if (f->tag == MSGR2_TAG_AUTH_BAD_METHOD)
			return handle_bad_method(s, p, len);
		if (f->tag == MSGR2_TAG_AUTH_DONE)
			return handle_auth_done(s, p, len);
		break;
	case ST_AUTH_SIGNATURE:
		if (f->tag == MSGR2_TAG_AUTH_SIGNATURE)
			return handle_auth_signature(s, p, len);
		break;
	case ST_SESSION_CONNECT:
		return handle_session_frame(s, f->tag, p, len);
	case ST_OPEN:
		return handle_open_frame(s, f, p, len);
	default:
		break;
	}
	return unexpected(s, f->tag);
}

static int log_rx(struct msgr2_session *s, const uint8_t *p, size_t n)
{
	if (!s->logging)
		return 0;
	wire_enc_bytes(&s->rx_log, p, n);
	return wire_enc_error(&s->rx_log) ? fail(s, -ENOMEM, "out of memory") : 0;
}

static int send_hello(struct msgr2_session *s)
{
	struct msgr2_hello h = {.entity_type = CEPH_ENTITY_TYPE_CLIENT, .peer_addr = s->p.peer_addr};
	struct wire_enc e;

	wire_enc_init(&e);
	return send_ctrl(s, MSGR2_TAG_HELLO, &e, msgr2_hello_encode(&e, &h));
}

/*
 * A large message's data segment straight into its reader's buffer: once
 * the frame's preamble, header and front are in (crc mode; secure mode
 * decrypts the frame whole), ask where its data goes; the data bytes
 * already read move there and the rest is read there. A header that fails
 * its crc is left to the ordinary path to report once the frame is in.
 */
static bool start_direct(struct msgr2_session *s)
{
	uint8_t *p = s->in.buf + s->in_off, *dest;
	size_t avail = s->in.len - s->in_off, pre, n;
	const uint8_t *seg0;
	struct msgr2_rx_head h;
	struct msgr2_msg_header mh;

	if (s->secure || s->state != ST_OPEN || !s->cb.rx_data || avail < MSGR2_PREAMBLE_LEN ||
	    msgr2_frame_decode_head(p, MSGR2_PREAMBLE_LEN, NULL, &h) || h.pre.tag != MSGR2_TAG_MESSAGE ||
	    h.pre.num_segments != 4 || h.pre.len[3] < MSGR2_RX_DIRECT_MIN || !h.pre.len[0])
		return false;
	pre = MSGR2_PREAMBLE_LEN + h.pre.len[0] + MSGR2_CRC_LEN + h.pre.len[1] + h.pre.len[2];
	if (avail < pre)
		return false;
	seg0 = p + MSGR2_PREAMBLE_LEN;
	if (ceph_crc32c(0xffffffffu, seg0, h.pre.len[0]) != get_le32(seg0 + h.pre.len[0]) ||
	    msgr2_msg_header_decode(seg0, h.pre.len[0], &mh))
		return false;
	dest = s->cb.rx_data(s->p.cb_arg, mh.type, mh.tid, seg0 + h.pre.len[0] + MSGR2_CRC_LEN, h.pre.len[1],
			     h.pre.len[3]);
	if (!dest)
		return false;
	n = avail - pre < h.pre.len[3] ? avail - pre : h.pre.len[3];
	memcpy(dest, p + pre, n);
	memmove(p + pre, p + pre + n, avail - pre - n); /* the epilogue, and what follows */
	s->in.len -= n;
	s->direct.dest = dest;
	s->direct.len = h.pre.len[3];
	s->direct.got = n;
	s->direct.own = false;
	return true;
}

static void end_direct(struct msgr2_session *s)
{
	if (s->direct.own)
		free(s->direct.dest);
	memset(&s->direct, 0, sizeof(s->direct));
}

int msgr2_session_rx_revoke(struct msgr2_session *s, const void *dest)
{
	uint8_t *copy;

	if (!dest || s->direct.dest != dest || s->direct.own || s->direct.delivering)
		return 0;
	if (s->state == ST_DOWN) { /* nothing more is read */
		memset(&s->direct, 0, sizeof(s->direct));
		return 0;
	}
	copy = malloc(s->direct.len);
	if (!copy)
		return fail(s, -ENOMEM, "out of memory moving a message's data");
	memcpy(copy, s->direct.dest, s->direct.got);
	s->direct.dest = copy;
	s->direct.own = true;
	return 0;
}

/* Consume what can be consumed from the input buffer. */
static void process(struct msgr2_session *s)
{
	s->rx_big_need = 0;
	while (s->state != ST_DOWN) {
		const uint8_t *p = s->in.buf + s->in_off;
		size_t avail = s->in.len - s->in_off;
		uint64_t sup, req;
		int r;

		if (s->state == ST_BANNER_PREFIX) {
			if (avail < MSGR2_BANNER_PREFIX_LEN)
				break;
			r = msgr2_banner_decode_prefix(p, avail, &s->banner_len);
			if (r == -EPROTONOSUPPORT) {
				fail(s, r, "the peer speaks msgr1 only, not msgr2");
				break;
			}
			if (r < 0) {
				fail(s, r, "the peer's banner is not a msgr2 banner");
				break;
			}
			if (log_rx(s, p, MSGR2_BANNER_PREFIX_LEN))
				break;
			s->in_off += MSGR2_BANNER_PREFIX_LEN;
			s->state = ST_BANNER_PAYLOAD;
			continue;
		}
		if (s->state == ST_BANNER_PAYLOAD) {
			if (avail < s->banner_len)
				break;
			r = msgr2_banner_decode_payload(p, s->banner_len, &sup, &req);
			if (r < 0) {
				fail(s, r, "the %s's banner payload is malformed", s->peer);
				break;
			}
			if (msgr2_banner_check(sup, req)) {
				fail(s, -EPROTONOSUPPORT,
				     "msgr2 feature mismatch: the %s supports 0x%llx, requires 0x%llx; we need "
				     "msgr2.1",
				     s->peer, (unsigned long long)sup, (unsigned long long)req);
				break;
			}
			if (log_rx(s, p, s->banner_len))
				break;
			s->in_off += s->banner_len;
			s->state = ST_HELLO;
			send_hello(s);
			continue;
		}

		struct msgr2_frame f;
		size_t flen = 0;

		if (s->direct.dest) {
			if (s->direct.got < s->direct.len)
				break; /* its data is still arriving */
			r = msgr2_frame_decode_crc_split(p, avail, s->direct.dest, s->direct.len, &f, &flen);
		} else {
			r = msgr2_frame_decode(p, avail, s->secure ? &s->crypto.rx : NULL, &f, &flen);
		}
		if (r == -EAGAIN) {
			if (!s->direct.dest && start_direct(s))
				continue;
			if (!s->direct.dest && flen > RX_CHUNK && flen > avail)
				s->rx_big_need = flen - avail;
			break;
		}
		if (r < 0) {
			if (r == -EBADMSG)
				fail(s, r, "frame from the %s failed its integrity check (%s mode)", s->peer,
				     s->secure ? "secure" : "crc");
			else
				fail(s, r, "malformed frame from the %s: %s", s->peer, strerror(-r));
			break;
		}
		if (log_rx(s, p, flen)) {
			msgr2_frame_free(&f);
			break;
		}
		s->in_off += flen;
		if (r == MSGR2_FRAME_ABORTED) {
			msgr2_frame_free(&f);
			end_direct(s);
			continue;
		}
		s->direct.delivering = s->direct.dest != NULL;
		handle_frame(s, &f);
		msgr2_frame_free(&f);
		end_direct(s);
	}
	maybe_send_ack(s);
	if (s->in_off == s->in.len) {
		s->in.len = s->in_off = 0;
	} else if (s->in_off > 65536 && s->in_off > s->in.len / 2) {
		memmove(s->in.buf, s->in.buf + s->in_off, s->in.len - s->in_off);
		s->in.len -= s->in_off;
		s->in_off = 0;
	}
}

/* Room for @want bytes at the end of the input: NULL when down or out of memory. */
static uint8_t *rx_room(struct msgr2_session *s, size_t want)
{
	size_t had = s->in.len;

	if (s->state == ST_DOWN || !want || !wire_enc_reserve(&s->in, want))
		return NULL;
	s->in.len = had; /* reserved, not yet filled */
	return s->in.buf + had;
}

size_t msgr2_session_rx_space(struct msgr2_session *s, size_t want, uint8_t **ptr)
{
	if (s->state != ST_DOWN && s->direct.dest && s->direct.got < s->direct.len) {
		*ptr = s->direct.dest + s->direct.got; /* a message's data, where it goes */
		return s->direct.len - s->direct.got;
	}
	/* The rest of a large frame at once, and no further (the input then
	 * empties at its end: no move of a partial frame's megabytes); else
	 * @want, enough for many small frames per read. */
	if (s->rx_big_need)
		want = s->rx_big_need;
	*ptr = rx_room(s, want);
	return *ptr ? want : 0;
}

ssize_t msgr2_session_rx_commit(struct msgr2_session *s, size_t n, uint64_t now_ns)
{
	if (s->state == ST_DOWN)
		return -ENOTCONN;
	if (s->direct.dest && s->direct.got < s->direct.len) {
		if (n > s->direct.len - s->direct.got)
			return -EINVAL;
		s->direct.got += n;
	} else {
		if (n > s->in.cap - s->in.len)
			return -EINVAL;
		s->in.len += n;
	}
	s->now_ns = now_ns;
	process(s);
	return s->state == ST_DOWN ? -ENOTCONN : (ssize_t)n;
}

ssize_t msgr2_session_feed(struct msgr2_session *s, const void *buf, size_t len, uint64_t now_ns)
{
	const uint8_t *from = buf;
	size_t left = len, n;
	uint8_t *room;
	ssize_t r;

	if (s->state == ST_DOWN)
		return -ENOTCONN;
	do { /* in pieces when a message's data goes elsewhere */
		if (s->direct.dest && s->direct.got < s->direct.len) {
			n = s->direct.len - s->direct.got < left ? s->direct.len - s->direct.got : left;
			room = s->direct.dest + s->direct.got;
		} else {
			n = left;
			room = n ? rx_room(s, n) : NULL;
			if (n && !room)
				return fail(s, -ENOMEM, "out of memory buffering input");
		}
		if (n)
			memcpy(room, from, n);
		r = msgr2_session_rx_commit(s, n, now_ns);
		if (r < 0)
			return r;
		from += n;
		left -= n;
	} while (left);
	return (ssize_t)len;
}

void msgr2_session_eof(struct msgr2_session *s, int err)
{
	if (err < 0)
		fail(s, err, "connection to the %s failed in state %s: %s", s->peer, state_name(s->state),
		     strerror(-err));
	else
		fail(s, -ECONNRESET, "the %s closed the connection in state %s", s->peer, state_name(s->state));
}

/* ---- life cycle ------------------------------------------------------------------------ */

struct msgr2_session *msgr2_session_new(const struct msgr2_session_params *p)
{
	struct msgr2_session *s;

	if (!p || !p->cb || !p->auth || p->nauth == 0 || p->nauth > MSGR2_MAX_AUTH_PROVIDERS ||
	    (p->peer_addr.ss.ss_family != AF_INET && p->peer_addr.ss.ss_family != AF_INET6) ||
	    !msgr2_peer_type_valid(p->peer_type)) {
		errno = EINVAL;
		return NULL;
	}
	for (unsigned i = 0; i < p->nauth; i++)
		if (!p->auth[i].ops || !p->auth[i].ops->request || !p->auth[i].ops->done || !p->auth[i].ops->name) {
			errno = EINVAL;
			return NULL;
		}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->p = *p;
	s->peer = peer_noun(p->peer_type, false);
	if (!s->p.features)
		s->p.features = MSGR2_CLIENT_FEATURES;
	memcpy(s->auth, p->auth, p->nauth * sizeof(*p->auth));
	s->p.auth = s->auth;
	s->cb = *p->cb;
	s->global_seq = p->global_seq;
	s->q_tail = &s->q_head;
	modes_from_ms_mode(p->ms_mode, &s->modes);
	wire_enc_init(&s->in);
	wire_enc_init(&s->out);
	wire_enc_init(&s->rx_log);
	wire_enc_init(&s->tx_log);
	s->logging = true;
	s->state = ST_BANNER_PREFIX;
	msgr2_banner_encode(&s->out);
	wire_enc_bytes(&s->tx_log, s->out.buf, s->out.len);
	if (wire_enc_error(&s->out) || wire_enc_error(&s->tx_log)) {
		msgr2_session_free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

void msgr2_session_free(struct msgr2_session *s)
{
	struct out_msg *m, *n;

	if (!s)
		return;
	wipe_keys(s);
	for (m = s->q_head; m; m = n) {
		n = m->next;
		out_msg_free(m);
	}
	lent_done(s); /* a message cut short */
	end_direct(s);
	wire_enc_free(&s->in);
	wire_enc_free(&s->out);
	free(s);
}

bool msgr2_session_is_open(const struct msgr2_session *s)
{
	return s->state == ST_OPEN;
}

void msgr2_session_get_stats(const struct msgr2_session *s, struct msgr2_session_stats *st)
{
	st->out_seq = s->out_seq;
	st->in_seq = s->in_seq;
	st->acked_seq = s->acked_seq;
	st->con_mode = s->con_mode;
	st->global_id = s->global_id;
	st->peer_features = s->peer_features;
}
