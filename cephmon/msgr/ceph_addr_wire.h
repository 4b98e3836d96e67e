/*
 * cephmon/msgr/ceph_addr_wire.h: entity_addr_t and entity_addrvec_t on the wire.
 *
 * msgr2 frames (HELLO, CLIENT_IDENT, SERVER_IDENT, SESSION_RECONNECT) and the
 * monitor map carry Ceph addresses in the MSG_ADDR2 encoding (Ceph
 * src/msg/msg_types.h entity_addr_t::encode/decode, the kernel's
 * net/ceph/decode.c ceph_encode_entity_addr/ceph_decode_entity_addr):
 *
 *   entity_addr_t:  u8 marker = 1, then a versioned structure (v1, compat 1)
 *                   holding u32 type, u32 nonce, u32 sockaddr length, and that
 *                   many bytes of a Linux struct sockaddr whose family is a
 *                   LITTLE-endian u16 and whose other fields (port, address)
 *                   stay in network order as in memory.
 *   entity_addrvec_t: u8 marker = 2, u32 count, count entity_addr_t; a
 *                   marker of 1 or 0 instead means one bare address.
 *
 * The pre-nautilus form (marker 0: u32 type, u32 nonce, a 128-byte
 * sockaddr_storage with a BIG-endian family) is decoded, never encoded.
 * Family numbers on the wire are Linux's (AF_INET 2, AF_INET6 10).
 *
 * Only IPv4, IPv6 and the blank address (AF_UNSPEC, all zero) are accepted:
 * they are all a monitor client meets. Decoders leave their output untouched
 * on failure.
 */
#ifndef NETFUSE_CEPH_ADDR_WIRE_H
#define NETFUSE_CEPH_ADDR_WIRE_H

#include <stdbool.h>

#include "cephmon/msgr/ceph_addr.h"
#include "cephmon/msgr/ceph_codec.h"

/* Append @a; -EINVAL if its type or family is not one of the above. */
int ceph_entity_addr_encode(struct wire_enc *e, const struct ceph_entity_addr *a);

/* Decode one address (marker 1, or legacy marker 0) at @d. */
int ceph_entity_addr_decode(struct wire_dec *d, struct ceph_entity_addr *a);

int ceph_entity_addrvec_encode(struct wire_enc *e, const struct ceph_addrvec *v);

/* Keeps the first CEPH_ADDRVEC_MAX addresses of a longer vector. */
int ceph_entity_addrvec_decode(struct wire_dec *d, struct ceph_addrvec *v);

/* True when @a has an IPv4/IPv6 address to connect to (not blank). */
bool ceph_entity_addr_usable(const struct ceph_entity_addr *a);

#endif
