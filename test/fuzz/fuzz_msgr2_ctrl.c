/*
 * Fuzz target: cephmon/msgr/msgr2_ctrl.c's control payload decoders and the
 * ceph_msg_header2 decoder. The first byte picks the decoder, the rest is the
 * payload. Whatever decodes must encode again, and that encoding must decode
 * and encode to the very same bytes (a fixed point: re-encoding normalises
 * bools to 0/1 and legacy or short addresses to the current form, once).
 * Decoded payload pointers must lie inside the input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cephmon/msgr/msgr2_ctrl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decode @p with decoder @which and encode the result into @e; -1 when the
 * payload does not decode. */
static int decode_encode(unsigned which, const uint8_t *p, size_t n, struct wire_enc *e)
{
	union {
		struct msgr2_hello hello;
		struct msgr2_auth_request areq;
		struct msgr2_auth_bad_method bad;
		struct msgr2_auth_more more;
		struct msgr2_auth_done done;
		struct msgr2_client_ident cid;
		struct msgr2_server_ident sid;
		struct msgr2_session_reconnect rec;
		struct msgr2_compression_request creq;
		struct msgr2_compression_done cdone;
		struct msgr2_timespec ts;
		struct msgr2_msg_header hdr;
		uint64_t u64;
		bool b;
	} u;
	int err;

	switch (which) {
	case 0:
		if (msgr2_hello_decode(p, n, &u.hello))
			return -1;
		err = msgr2_hello_encode(e, &u.hello);
		break;
	case 1:
		if (msgr2_auth_request_decode(p, n, &u.areq))
			return -1;
		if (u.areq.payload < p || u.areq.payload + u.areq.payload_len > p + n)
			abort();
		err = msgr2_auth_request_encode(e, &u.areq);
		break;
	case 2:
		if (msgr2_auth_bad_method_decode(p, n, &u.bad))
			return -1;
		err = msgr2_auth_bad_method_encode(e, &u.bad);
		break;
	case 3:
		if (msgr2_auth_more_decode(p, n, &u.more))
			return -1;
		if (u.more.payload < p || u.more.payload + u.more.payload_len > p + n)
			abort();
		err = msgr2_auth_more_encode(e, &u.more);
		break;
	case 4:
		if (msgr2_auth_done_decode(p, n, &u.done))
			return -1;
		if (u.done.payload < p || u.done.payload + u.done.payload_len > p + n)
			abort();
		err = msgr2_auth_done_encode(e, &u.done);
		break;
	case 5:
		if (msgr2_client_ident_decode(p, n, &u.cid))
			return -1;
		err = msgr2_client_ident_encode(e, &u.cid);
		break;
	case 6:
		if (msgr2_server_ident_decode(p, n, &u.sid))
			return -1;
		err = msgr2_server_ident_encode(e, &u.sid);
		break;
	case 7:
		if (msgr2_session_reconnect_decode(p, n, &u.rec))
			return -1;
		err = msgr2_session_reconnect_encode(e, &u.rec);
		break;
	case 8:
		if (msgr2_compression_request_decode(p, n, &u.creq))
			return -1;
		err = msgr2_compression_request_encode(e, &u.creq);
		break;
	case 9:
		if (msgr2_compression_done_decode(p, n, &u.cdone))
			return -1;
		err = msgr2_compression_done_encode(e, &u.cdone);
		break;
	case 10:
		if (msgr2_keepalive_decode(p, n, &u.ts))
			return -1;
		err = msgr2_keepalive_encode(e, &u.ts);
		break;
	case 11:
		if (msgr2_msg_header_decode(p, n, &u.hdr))
			return -1;
		err = msgr2_msg_header_encode(e, &u.hdr);
		break;
	case 12:
		if (msgr2_u64_decode(p, n, &u.u64))
			return -1;
		err = msgr2_u64_encode(e, u.u64);
		break;
	default:
		if (msgr2_session_reset_decode(p, n, &u.b))
			return -1;
		err = msgr2_session_reset_encode(e, u.b);
		break;
	}
	if (err)
		abort(); /* what decoded must encode */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_enc e1, e2;
	unsigned which;

	if (!size)
		return 0;
	which = data[0] % 14;
	wire_enc_init(&e1);
	if (decode_encode(which, data + 1, size - 1, &e1) == 0) {
		wire_enc_init(&e2);
		if (decode_encode(which, e1.buf, e1.len, &e2) || e2.len != e1.len || memcmp(e1.buf, e2.buf, e1.len))
			abort();
		wire_enc_free(&e2);
	}
	wire_enc_free(&e1);

	uint8_t sig[MSGR2_AUTH_SIGNATURE_LEN] = {0};
	(void)msgr2_auth_signature_check(data, size, sig);
	return 0;
}
