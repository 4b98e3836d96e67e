/*
 * test/lib/ceph_fixtures.h: what the Ceph unit tests build their inputs
 * with: bytes from hex text (as monmaptool, ceph-dencoder and the kernel's
 * dumps print them), and entity addresses. Tests only.
 */
#ifndef NETFUSE_TEST_CEPH_FIXTURES_H
#define NETFUSE_TEST_CEPH_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "cephmon/msgr/ceph_addr.h"

/* @h's hex pairs into @out (spaces between bytes allowed); the count.
 * A test fails if they do not fit @cap or are not hex. */
size_t fx_unhex(const char *h, uint8_t *out, size_t cap);

/* An IPv4 or IPv6 entity address of type @t. */
void fx_addr_in4(struct ceph_entity_addr *a, enum ceph_addr_type t, const char *ip, uint16_t port, uint32_t nonce);
void fx_addr_in6(struct ceph_entity_addr *a, enum ceph_addr_type t, const char *ip, uint16_t port, uint32_t nonce);

#endif
