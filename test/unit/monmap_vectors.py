#!/usr/bin/env python3
"""Embed the monmaptool-written seeds of test/fuzz/corpus/monmap/ in
test/unit/monmap_vectors.h (run from the top of the source tree):

    python3 test/unit/monmap_vectors.py > test/unit/monmap_vectors.h
"""
import sys

HEAD = """/*
 * Real MonMap encodings written by monmaptool (Ceph 16.2.15), the same
 * files as the fuzz seeds in test/fuzz/corpus/monmap/:
 *   monmaptool_3mons:       --create --fsid 4f6c2b1e-8a3d-4e8b-9a61-2c3d4e5f6a7b
 *                           --addv a '[v2:127.0.0.1:3300,v1:127.0.0.1:6789]'
 *                           --addv b '[v2:127.0.0.1:3301,v1:127.0.0.1:6790]'
 *                           --addv c '[v2:127.0.0.1:3302,v1:127.0.0.1:6791]'
 *   monmaptool_ipv6_legacy: --create --fsid 11111111-2222-3333-4444-555555555555
 *                           --addv x '[v2:[::1]:3300,v1:[::1]:6789]'
 *                           --add y 10.1.2.3:6789 --add z 192.168.0.9
 *                           (monmaptool --print: 0: mon.y, 1: mon.z, 2: mon.x)
 *   monmaptool_one_v2:      --create --fsid 01234567-89ab-cdef-0123-456789abcdef
 *                           --add a 127.0.0.1:40000
 *   monmaptool_features:    --create --enable-all-features --fsid 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d
 *                           --addv alpha '[v2:10.0.0.1:3300,v1:10.0.0.1:6789]'
 *                           --addv beta '[v2:10.0.0.2:3300,v1:10.0.0.2:6789]'
 * Regenerate with the commands above and test/unit/monmap_vectors.py.
 */
#ifndef NETFUSE_MONMAP_VECTORS_H
#define NETFUSE_MONMAP_VECTORS_H

#include <stdint.h>
"""
NAMES = ["monmaptool_3mons", "monmaptool_ipv6_legacy", "monmaptool_one_v2", "monmaptool_features"]

out = [HEAD]
for name in NAMES:
    data = open(f"test/fuzz/corpus/monmap/{name}", "rb").read()
    out.append(f"static const uint8_t {name}[{len(data)}] __attribute__((unused)) = {{")
    for i in range(0, len(data), 12):
        out.append("\t" + " ".join(f"0x{b:02x}," for b in data[i:i + 12]))
    out.append("};")
out += ["", "#endif"]
sys.stdout.write("\n".join(out) + "\n")
