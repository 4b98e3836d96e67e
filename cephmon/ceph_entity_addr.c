/*
 * cephmon/ceph_entity_addr.c: entity_addr_t / entity_addrvec_t decoding and
 * encoding (see ceph_entity_addr.h for the layouts and their sources).
 *
 * The sockaddr bytes are Linux's layout on the wire, whatever the sender
 * runs; they are taken apart field by field rather than copied over a host
 * struct, so only the family numbers (2 = IPv4, 10 = IPv6 on the wire) need
 * mapping. A short sockaddr is zero-filled, as Ceph's decoder does.
 */
#include "config.h"

#include "ceph_entity_addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#define WIRE_AF_INET	  2
#define WIRE_AF_INET6	  10
#define WIRE_SOCKADDR_LEN 28  /* sizeof(sockaddr_in6): Ceph's union of sockaddrs */
#define LEGACY_SS_LEN	  128 /* sockaddr_storage in the legacy encoding */

/* Fill @a's sockaddr from Linux sockaddr bytes @sa (family first, already
 * decoded into @family; @sa is WIRE_SOCKADDR_LEN bytes, zero-padded). */
static void set_sockaddr(struct ceph_entity_addr *a, unsigned family, const uint8_t *sa)
{
	memset(&a->ss, 0, sizeof(a->ss));
	if (family == WIRE_AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_port, sa + 2, 2);
		memcpy(&sin->sin_addr, sa + 4, 4);
	} else if (family == WIRE_AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_port, sa + 2, 2);
		memcpy(&sin6->sin6_flowinfo, sa + 4, 4);
		memcpy(&sin6->sin6_addr, sa + 8, 16);
		memcpy(&sin6->sin6_scope_id, sa + 24, 4);
	} else {
		a->ss.ss_family = AF_UNSPEC;
	}
}

static int decode_legacy_after_marker(struct ceph_dec *d, struct ceph_entity_addr *a)
{
	uint8_t ss[LEGACY_SS_LEN];
	uint32_t nonce;
	unsigned family;

	/* The rest of the u32 type field the marker byte began. */
	if (ceph_dec_skip(d, 3) || ceph_dec_u32(d, &nonce) || ceph_dec_bytes(d, ss, sizeof(ss)))
		return -EBADMSG;
	family = (unsigned)ss[0] << 8 | ss[1]; /* big-endian here, unlike marker 1 */
	a->nonce = nonce;
	set_sockaddr(a, family, ss);
	a->type = a->ss.ss_family == AF_UNSPEC ? CEPH_ADDR_NONE : CEPH_ADDR_LEGACY;
	return 0;
}

static int decode_versioned_after_marker(struct ceph_dec *d, struct ceph_entity_addr *a)
{
	uint8_t sa[WIRE_SOCKADDR_LEN] = {0};
	struct ceph_dec in;
	uint32_t type, nonce, elen;
	uint16_t family = 0;
	uint8_t v;

	if (ceph_dec_struct(d, 1, 1, &v, &in) || ceph_dec_u32(&in, &type) || ceph_dec_u32(&in, &nonce) ||
	    ceph_dec_u32(&in, &elen))
		return ceph_dec_fail(d);
	if (type > CEPH_ADDR_CIDR)
		return ceph_dec_fail(d);
	if (elen) {
		size_t max = WIRE_SOCKADDR_LEN;

		if (elen < 2 || ceph_dec_u16(&in, &family))
			return ceph_dec_fail(d);
		if (family == WIRE_AF_INET)
			max = 16; /* sizeof(sockaddr_in) */
		if (elen > max || ceph_dec_bytes(&in, sa + 2, elen - 2))
			return ceph_dec_fail(d);
	}
	a->type = (enum ceph_addr_type)type;
	a->nonce = nonce;
	set_sockaddr(a, family, sa);
	return 0;
}

int ceph_entity_addr_decode(struct ceph_dec *d, struct ceph_entity_addr *a)
{
	uint8_t marker;

	if (ceph_dec_u8(d, &marker))
		return -EBADMSG;
	if (marker == 0)
		return decode_legacy_after_marker(d, a);
	if (marker == 1)
		return decode_versioned_after_marker(d, a);
	return ceph_dec_fail(d);
}

int ceph_entity_addrvec_decode(struct ceph_dec *d, struct ceph_addrvec *v)
{
	struct ceph_entity_addr a;
	uint32_t n;
	uint8_t marker;

	memset(v, 0, sizeof(*v));
	if (ceph_dec_u8(d, &marker))
		return -EBADMSG;
	if (marker == 0 || marker == 1) {
		if ((marker == 0 ? decode_legacy_after_marker(d, &a) : decode_versioned_after_marker(d, &a)))
			return -EBADMSG;
		v->v[0] = a;
		v->n = 1;
		return 0;
	}
	if (marker != 2 || ceph_dec_u32(d, &n))
		return ceph_dec_fail(d);
	/* Each address is at least a marker byte: a hostile count runs out of
	 * input long before it runs out of time. */
	for (uint32_t i = 0; i < n; i++) {
		if (ceph_entity_addr_decode(d, &a)) {
			memset(v, 0, sizeof(*v));
			return -EBADMSG;
		}
		if (v->n < CEPH_ADDRVEC_MAX)
			v->v[v->n++] = a;
	}
	return 0;
}

void ceph_entity_addr_encode(struct ceph_enc *e, const struct ceph_entity_addr *a)
{
	uint8_t sa[WIRE_SOCKADDR_LEN] = {0};
	uint32_t elen = WIRE_SOCKADDR_LEN;
	uint16_t family = 0;
	size_t at;

	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&a->ss;

		family = WIRE_AF_INET;
		elen = 16;
		memcpy(sa + 2, &sin->sin_port, 2);
		memcpy(sa + 4, &sin->sin_addr, 4);
	} else if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a->ss;

		family = WIRE_AF_INET6;
		memcpy(sa + 2, &sin6->sin6_port, 2);
		memcpy(sa + 4, &sin6->sin6_flowinfo, 4);
		memcpy(sa + 8, &sin6->sin6_addr, 16);
		memcpy(sa + 24, &sin6->sin6_scope_id, 4);
	}
	/* A blank address goes out as Ceph sends one: family 0 in a 28-byte
	 * sockaddr (entity_addr_t::get_sockaddr_len() of an empty union). */
	sa[0] = (uint8_t)family;
	sa[1] = (uint8_t)(family >> 8);
	ceph_enc_u8(e, 1);
	at = ceph_enc_struct_begin(e, 1, 1);
	ceph_enc_u32(e, (uint32_t)a->type);
	ceph_enc_u32(e, a->nonce);
	ceph_enc_u32(e, elen);
	ceph_enc_bytes(e, sa, elen);
	ceph_enc_struct_end(e, at);
}

void ceph_entity_addrvec_encode(struct ceph_enc *e, const struct ceph_addrvec *v)
{
	ceph_enc_u8(e, 2);
	ceph_enc_u32(e, v->n);
	for (unsigned i = 0; i < v->n; i++)
		ceph_entity_addr_encode(e, &v->v[i]);
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
