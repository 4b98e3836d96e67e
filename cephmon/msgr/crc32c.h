/*
 * cephmon/msgr/crc32c.h: CRC-32C exactly as Ceph computes it.
 *
 * Ceph's ceph_crc32c(seed, data, len) (src/include/crc32c.h) runs the
 * Castagnoli polynomial, reflected, straight from @seed with no inversion on
 * the way in or out; callers choose the seed. msgr2 seeds the preamble crc
 * with 0 and segment crcs with -1 (Ceph frames_v2.cc, the kernel's
 * messenger_v2.c: crc32c(0, ...) and crc32c(-1, ...)), and a crc can be
 * carried across pieces of one segment by passing the previous result as the
 * next seed. The standard CRC-32C of a buffer is ~ceph_crc32c(~0, buf).
 *
 * ISA-L's crc32_iscsi(buf, len, seed) has the same convention (it is what
 * Ceph's own crc32c_intel_fast calls); the unit tests check it against
 * Ceph's src/test/common/test_crc32c.cc vectors.
 */
#ifndef NETFUSE_CRC32C_H
#define NETFUSE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t ceph_crc32c(uint32_t seed, const void *data, size_t len);

#endif
