/*
 * cephmon/ceph_entity_addr.h: entity_addr_t and entity_addrvec_t on the
 * wire, decoded into ceph_addr.h's struct ceph_entity_addr / ceph_addrvec.
 *
 * Encodings (src/msg/msg_types.h, msg_types.cc; net/ceph/decode.c):
 *  entity_addr_t, by its first byte (the "marker"):
 *   1  versioned (MSG_ADDR2): u8 1, then a versioned structure (v1,
 *      compat 1) of u32 type, u32 nonce, u32 elen and elen bytes of
 *      sockaddr: a little-endian u16 family followed by the rest of the
 *      Linux sockaddr (port in network order, ...). elen is 16 for IPv4,
 *      28 for IPv6, 0 or 28 (family 0) for a blank address.
 *   0  legacy: u32 type (always 0), u32 nonce, then a 128-byte
 *      sockaddr_storage whose family is big-endian. Its type becomes
 *      LEGACY, or NONE when the family is unspecified.
 *  entity_addrvec_t: u8 2, u32 count, count entity_addr_t; or a marker 0/1
 *   entity_addr_t standing alone as a vector of one.
 *
 * An address of a family other than IPv4/IPv6 decodes as blank (family
 * AF_UNSPEC) with its type and nonce kept: nothing here can connect to it,
 * and Ceph itself treats it as blank when comparing. A vector longer than
 * CEPH_ADDRVEC_MAX keeps its first CEPH_ADDRVEC_MAX entries (all of them are
 * still checked). The encoders write the modern form (marker 2 vectors of
 * marker 1 addresses), as Nautilus+ peers expect.
 *
 * Decoders return 0 or -EBADMSG and leave the cursor bad on failure.
 */
#ifndef NETFUSE_CEPH_ENTITY_ADDR_H
#define NETFUSE_CEPH_ENTITY_ADDR_H

#include "ceph_addr.h"
#include "ceph_codec.h"

#define CEPH_ADDR_CIDR 4 /* entity_addr_t::TYPE_CIDR, used by blocklists */

int ceph_entity_addr_decode(struct ceph_dec *d, struct ceph_entity_addr *a);
void ceph_entity_addr_encode(struct ceph_enc *e, const struct ceph_entity_addr *a);

int ceph_entity_addrvec_decode(struct ceph_dec *d, struct ceph_addrvec *v);
void ceph_entity_addrvec_encode(struct ceph_enc *e, const struct ceph_addrvec *v);

/* True when @a has an IPv4/IPv6 address to connect to (not blank). */
bool ceph_entity_addr_usable(const struct ceph_entity_addr *a);

#endif
