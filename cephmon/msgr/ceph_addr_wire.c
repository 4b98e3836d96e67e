/*
 * cephmon/msgr/ceph_addr_wire.c: entity_addr_t / entity_addrvec_t codec (see
 * ceph_addr_wire.h for the layout and its sources).
 *
 * Lengths follow Ceph: the encoded sockaddr is sizeof(sockaddr_in) (16) for
 * IPv4, sizeof(sockaddr_in6) (28) for IPv6 and 28 (the size of Ceph's
 * sockaddr union) for a blank address; a decoder accepts a shorter one, as
 * Ceph does, and zero-fills the rest. Fields are copied one by one rather
 * than as raw struct memory, so the sockaddr_in's padding is always zero on
 * the wire whatever the caller left in it.
 */
#include "config.h"

#include "cephmon/msgr/ceph_addr_wire.h"

#include <netinet/in.h>
#include <string.h>

/* Linux's address family numbers, which Ceph puts on the wire. */
#define WIRE_AF_UNSPEC 0
#define WIRE_AF_INET   2
#define WIRE_AF_INET6  10

#define SOCKADDR_IN_LEN	    16 /* family, port, address, 8 bytes of zero */
#define SOCKADDR_IN6_LEN    28 /* family, port, flowinfo, address, scope id */
#define SOCKADDR_UNION_LEN  28
#define LEGACY_SOCKADDR_LEN 128 /* sizeof(struct sockaddr_storage) on Linux */

/* The sockaddr after its family, in wire order: @out holds up to 26 bytes. */
static size_t sockaddr_body(const struct sockaddr_storage *ss, uint8_t *out)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		memset(out, 0, SOCKADDR_IN_LEN - 2);
		memcpy(out, &sin->sin_port, 2);
		memcpy(out + 2, &sin->sin_addr, 4);
		return SOCKADDR_IN_LEN - 2;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		memcpy(out, &sin6->sin6_port, 2);
		memcpy(out + 2, &sin6->sin6_flowinfo, 4);
		memcpy(out + 6, &sin6->sin6_addr, 16);
		memcpy(out + 22, &sin6->sin6_scope_id, 4);
		return SOCKADDR_IN6_LEN - 2;
	}
	memset(out, 0, SOCKADDR_UNION_LEN - 2);
	return SOCKADDR_UNION_LEN - 2;
}

/* How many bytes may follow the family on the wire, or 0 if unsupported. */
static size_t wire_body_max(uint16_t family)
{
	switch (family) {
	case WIRE_AF_INET:
		return SOCKADDR_IN_LEN - 2;
	case WIRE_AF_INET6:
		return SOCKADDR_IN6_LEN - 2;
	case WIRE_AF_UNSPEC:
		return SOCKADDR_UNION_LEN - 2;
	default:
		return 0;
	}
}

/* Rebuild a sockaddr from its wire family and up to 26 bytes of body. */
static int sockaddr_from_wire(uint16_t family, const uint8_t *body, size_t len, struct sockaddr_storage *ss)
{
	uint8_t b[SOCKADDR_UNION_LEN - 2];

	memset(ss, 0, sizeof(*ss));
	memset(b, 0, sizeof(b));
	switch (family) {
	case WIRE_AF_UNSPEC:
		if (len > SOCKADDR_UNION_LEN - 2)
			return -EBADMSG;
		ss->ss_family = AF_UNSPEC;
		return 0;
	case WIRE_AF_INET: {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if (len > SOCKADDR_IN_LEN - 2)
			return -EBADMSG;
		memcpy(b, body, len);
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_port, b, 2);
		memcpy(&sin->sin_addr, b + 2, 4);
		return 0;
	}
	case WIRE_AF_INET6: {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		if (len > SOCKADDR_IN6_LEN - 2)
			return -EBADMSG;
		memcpy(b, body, len);
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_port, b, 2);
		memcpy(&sin6->sin6_flowinfo, b + 2, 4);
		memcpy(&sin6->sin6_addr, b + 6, 16);
		memcpy(&sin6->sin6_scope_id, b + 22, 4);
		return 0;
	}
	default:
		return -EBADMSG;
	}
}

int ceph_entity_addr_encode(struct wire_enc *e, const struct ceph_entity_addr *a)
{
	uint8_t body[SOCKADDR_UNION_LEN - 2];
	uint16_t family;
	size_t n, at;

	if ((unsigned)a->type > CEPH_ADDR_ANY)
		return -EINVAL;
	switch (a->ss.ss_family) {
	case AF_UNSPEC:
		family = WIRE_AF_UNSPEC;
		break;
	case AF_INET:
		family = WIRE_AF_INET;
		break;
	case AF_INET6:
		family = WIRE_AF_INET6;
		break;
	default:
		return -EINVAL;
	}
	n = sockaddr_body(&a->ss, body);
	wire_enc_u8(e, 1);
	at = ceph_enc_struct_begin(e, 1, 1);
	wire_enc_le32(e, (uint32_t)a->type);
	wire_enc_le32(e, a->nonce);
	wire_enc_le32(e, (uint32_t)(n + 2));
	wire_enc_le16(e, family);
	wire_enc_bytes(e, body, n);
	ceph_enc_struct_end(e, at);
	return wire_enc_error(e);
}

/* The pre-nautilus form; the marker byte was the first byte of its type. */
static int addr_decode_legacy(struct wire_dec *d, struct ceph_entity_addr *out)
{
	struct ceph_entity_addr a;
	const uint8_t *ss;
	uint16_t family;

	memset(&a, 0, sizeof(a)); /* padding too: callers compare whole structs */
	if (wire_dec_skip(d, 3) || wire_dec_le32(d, &a.nonce))
		return -EBADMSG;
	ss = wire_dec_take(d, LEGACY_SOCKADDR_LEN);
	if (!ss)
		return -EBADMSG;
	family = (uint16_t)(ss[0] << 8 | ss[1]);
	if (sockaddr_from_wire(family, ss + 2, wire_body_max(family), &a.ss))
		return wire_dec_fail(d);
	a.type = family == WIRE_AF_UNSPEC ? CEPH_ADDR_NONE : CEPH_ADDR_LEGACY;
	*out = a;
	return 0;
}

/* The MSG_ADDR2 form, after its marker. */
static int addr_decode_v1(struct wire_dec *d, struct ceph_entity_addr *out)
{
	struct ceph_entity_addr a;
	struct wire_dec in;
	uint32_t type, elen;
	uint16_t family = WIRE_AF_UNSPEC;
	const uint8_t *body = NULL;
	uint8_t v;

	memset(&a, 0, sizeof(a));
	if (ceph_dec_struct(d, 1, 1, &v, &in))
		return -EBADMSG;
	if (wire_dec_le32(&in, &type) || wire_dec_le32(&in, &a.nonce) || wire_dec_le32(&in, &elen))
		return wire_dec_fail(d);
	if (type > CEPH_ADDR_ANY)
		return wire_dec_fail(d);
	if (elen == 1 || elen > SOCKADDR_UNION_LEN)
		return wire_dec_fail(d);
	if (elen && (wire_dec_le16(&in, &family) || !(body = wire_dec_take(&in, elen - 2))))
		return wire_dec_fail(d);
	if (sockaddr_from_wire(family, body, elen ? elen - 2 : 0, &a.ss))
		return wire_dec_fail(d);
	a.type = (enum ceph_addr_type)type;
	*out = a;
	return 0;
}

int ceph_entity_addr_decode(struct wire_dec *d, struct ceph_entity_addr *a)
{
	uint8_t marker;

	if (wire_dec_u8(d, &marker))
		return -EBADMSG;
	if (marker == 1)
		return addr_decode_v1(d, a);
	if (marker == 0)
		return addr_decode_legacy(d, a);
	return wire_dec_fail(d);
}

int ceph_entity_addrvec_encode(struct wire_enc *e, const struct ceph_addrvec *v)
{
	int err;

	if (v->n > CEPH_ADDRVEC_MAX)
		return -EINVAL;
	wire_enc_u8(e, 2);
	wire_enc_le32(e, v->n);
	for (unsigned i = 0; i < v->n; i++) {
		err = ceph_entity_addr_encode(e, &v->v[i]);
		if (err)
			return err;
	}
	return wire_enc_error(e);
}

int ceph_entity_addrvec_decode(struct wire_dec *d, struct ceph_addrvec *out)
{
	struct ceph_addrvec v;
	uint8_t marker;
	uint32_t n;

	memset(&v, 0, sizeof(v));
	if (wire_dec_u8(d, &marker))
		return -EBADMSG;
	if (marker == 0 || marker == 1) {
		v.n = 1;
		if ((marker ? addr_decode_v1(d, &v.v[0]) : addr_decode_legacy(d, &v.v[0])))
			return -EBADMSG;
		*out = v;
		return 0;
	}
	if (marker != 2 || wire_dec_le32(d, &n))
		return wire_dec_fail(d);
	/* More addresses than kept is not malformed: the first ones are kept,
	 * the rest decoded (so the input is checked) and dropped. The count
	 * cannot run past the input: each address takes bytes. */
	v.n = n < CEPH_ADDRVEC_MAX ? n : CEPH_ADDRVEC_MAX;
	for (uint32_t i = 0; i < n; i++) {
		struct ceph_entity_addr extra;
		if (ceph_entity_addr_decode(d, i < CEPH_ADDRVEC_MAX ? &v.v[i] : &extra))
			return -EBADMSG;
	}
	*out = v;
	return 0;
}

bool ceph_entity_addr_usable(const struct ceph_entity_addr *a)
{
	static const uint8_t zero[16];

	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr != htonl(INADDR_ANY);
	if (a->ss.ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr, zero, 16) != 0;
	return false;
}
