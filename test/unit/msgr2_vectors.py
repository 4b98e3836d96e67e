#!/usr/bin/env python3
"""Independent reference for msgr2.1 frames (crc and secure modes), used to
derive the known-answer vectors in test_msgr2_frame.c.

Written from the layout in Ceph's frames_v2.{h,cc} / crypto_onwire.cc and the
kernel's messenger_v2.c, with a different crc and AES-GCM implementation from
the C code: crc32c is the installed Ceph's own (ceph_crc32c_sctp from
libceph-common.so.2, through ctypes) and AES-128-GCM is python3-cryptography.
"""
import ctypes
import struct
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_lib = ctypes.CDLL("/usr/lib/x86_64-linux-gnu/ceph/libceph-common.so.2")
_crc = _lib.ceph_crc32c_sctp
_crc.restype = ctypes.c_uint32
_crc.argtypes = [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_uint]


def crc32c(seed, data):
    return _crc(seed, bytes(data), len(data))


ALIGN = [8, 8, 8, 4096]


def pad16(n):
    return (n + 15) & ~15


def preamble(tag, segs, flags=0):
    n = max([i + 1 for i, s in enumerate(segs) if len(s)] or [1])
    b = bytearray(32)
    b[0], b[1] = tag, n
    for i in range(n):
        struct.pack_into("<IH", b, 2 + 6 * i, len(segs[i]), ALIGN[i])
    b[26] = flags
    struct.pack_into("<I", b, 28, crc32c(0, b[:28]))
    return bytes(b), n


def frame_crc(tag, segs, late=0x0E):
    pre, n = preamble(tag, segs)
    out = pre
    if segs[0]:
        out += segs[0] + struct.pack("<I", crc32c(0xFFFFFFFF, segs[0]))
    if n > 1:
        out += b"".join(segs[1:n]) + bytes([late])
        for i in range(1, 4):
            out += struct.pack("<I", crc32c(0xFFFFFFFF, segs[i]) if i < n else 0)
    return out


class Gcm:
    def __init__(self, key, nonce12):
        self.key = key
        self.fixed, self.counter = struct.unpack("<IQ", nonce12)

    def seal(self, pt):
        iv = struct.pack("<IQ", self.fixed, self.counter)
        self.counter += 1
        return AESGCM(self.key).encrypt(iv, pt, None)


def frame_secure(tag, segs, g, late=0x0E):
    pre, n = preamble(tag, segs)
    s0 = segs[0]
    out = g.seal(pre + s0[:48].ljust(48, b"\0"))
    if len(s0) > 48:
        rem = s0[48:]
        out += g.seal(rem.ljust(pad16(len(rem)), b"\0"))
    if n > 1:
        tail = b"".join(s.ljust(pad16(len(s)), b"\0") for s in segs[1:n])
        out += g.seal(tail + bytes([late]) + bytes(15))
    return out


def c_hex(name, data):
    h = data.hex()
    lines = [h[i:i + 80] for i in range(0, len(h), 80)]
    return "static const char %s[] =\n" % name + "\n".join('\t"%s"' % l for l in lines) + ";\n"


if __name__ == "__main__":
    secret = bytes(range(40))
    key, rx_nonce, tx_nonce = secret[:16], secret[16:28], secret[28:40]
    tx = Gcm(key, tx_nonce)
    rx = Gcm(key, rx_nonce)
    keepalive = bytes([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC])
    sig = bytes((7 * i + 1) & 0xFF for i in range(60))
    hdr = bytes((3 * i) & 0xFF for i in range(41))
    front = b"front"
    data = bytes(range(0xC0, 0xC0 + 20))
    print("/* client -> server, tx nonce: KEEPALIVE2, 12-byte payload */")
    print(c_hex("sec_keepalive_hex", frame_secure(18, [keepalive], tx)))
    print("/* then AUTH_SIGNATURE-sized (60 bytes: 48 inline + 12) */")
    print(c_hex("sec_sig_hex", frame_secure(7, [sig], tx)))
    print("/* then MESSAGE: header 41, front 5, middle 0, data 20 */")
    print(c_hex("sec_msg_hex", frame_secure(17, [hdr, front, b"", data], tx)))
    print("/* server -> client, rx nonce: ACK seq 0x0102030405060708 */")
    print(c_hex("sec_ack_hex", frame_secure(20, [struct.pack("<Q", 0x0102030405060708)], rx)))
    print("/* server -> client: MESSAGE aborted (late_status ABORTED) */")
    print(c_hex("sec_abort_hex", frame_secure(17, [hdr, front], rx, late=0x01)))
    print("/* crc mode: MESSAGE header 41, front 0, middle 3, data 0 */")
    print(c_hex("crc_msg_hex", frame_crc(17, [hdr, b"", b"mid", b""])))
    print("/* crc mode: HELLO-sized preamble (36-byte segment) */")
    print(c_hex("crc_hello_pre_hex", preamble(1, [bytes(36)])[0]))
