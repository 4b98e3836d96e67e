#!/usr/bin/env python3
"""Known-answer vectors for test/unit/test_cephx.c, written to cephx_vectors.h.

An implementation of the server side of cephx, independent of the C code
under test: Python's `cryptography` for AES-128-CBC, and the layouts of
Ceph's src/auth/cephx/CephxProtocol.{h,cc} and CephxServiceHandler.cc
(cephx_build_service_ticket_reply, encode_encrypt, CephXAuthorizeReply, ...).
The client keys come from `ceph-authtool --gen-print-key` (Ceph 16.2.15).

    python3 test/unit/cephx_vectors.py > test/unit/cephx_vectors.h

With --seeds DIR it writes the seed corpus of test/fuzz/fuzz_cephx.c instead
(see that file for the input format):

    python3 test/unit/cephx_vectors.py --seeds test/fuzz/corpus/cephx
"""
import os
import sys
import base64
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

IV = b"cephsageyudagreg"
MAGIC = 0xFF009CAD8826AA55

CLIENT_KEY_B64 = "AQA+8QFr2SLONBAAhpRPBb83R8mo2QEIc30d+g=="  # ceph-authtool --gen-print-key
WRONG_KEY_B64 = "AQA+8QFrEOPxNRAAWBxpFFiOVbozYNr7acmnWQ=="   # another one

MON, MDS, OSD, CLIENT, MGR, AUTH = 1, 2, 4, 8, 0x10, 0x20


def u8(v): return struct.pack("<B", v)
def u16(v): return struct.pack("<H", v)
def u32(v): return struct.pack("<I", v)
def s32(v): return struct.pack("<i", v)
def u64(v): return struct.pack("<Q", v)
def blob(b): return u32(len(b)) + b


def key_secret(b64):
    raw = base64.b64decode(b64)
    typ, sec, nsec, ln = struct.unpack("<HIIH", raw[:12])
    assert typ == 1 and ln == 16 and len(raw) == 28
    return raw[12:]


def ceph_crypt(key, pt):
    pad = 16 - len(pt) % 16
    pt = pt + bytes([pad]) * pad
    enc = Cipher(algorithms.AES(key), modes.CBC(IV)).encryptor()
    return enc.update(pt) + enc.finalize()


def enc_bl(key, payload):          # encode_encrypt_enc_bl
    return ceph_crypt(key, u8(1) + u64(MAGIC) + payload)


def encode_encrypt(key, payload):  # encode_encrypt
    return blob(enc_bl(key, payload))


def crypto_key(secret, sec=1700000000, nsec=123):
    return u16(1) + u32(sec) + u32(nsec) + u16(len(secret)) + secret


def ticket_blob(secret_id, b):     # CephXTicketBlob
    return u8(1) + u64(secret_id) + blob(b)


def one_ticket(principal, service, session, validity, secret_id, b, old_key=None):
    out = u32(service) + u8(1)
    out += encode_encrypt(principal, u8(1) + crypto_key(session) + u32(validity) + u32(0))
    bl = blob(ticket_blob(secret_id, b))
    if old_key:
        out += u8(1) + encode_encrypt(old_key, bl)
    else:
        out += u8(0) + bl
    return out


def ticket_reply(principal, tickets):
    return u8(1) + u32(len(tickets)) + b"".join(one_ticket(principal, *t) for t in tickets)


def challenge_key(secret, server_challenge, client_challenge):
    enc = encode_encrypt(secret, u64(server_challenge) + u64(client_challenge))
    k = 0
    for i in range(0, len(enc) - 7, 8):
        k ^= struct.unpack("<Q", enc[i:i + 8])[0]
    return k


def authorizer(global_id, service, secret_id, b, session, nonce, server_challenge=None):
    a = u8(1) + u64(global_id) + u32(service) + ticket_blob(secret_id, b)
    if server_challenge is None:
        msg = u8(2) + u64(nonce) + u8(0) + u64(0)
    else:
        msg = u8(2) + u64(nonce) + u8(1) + u64((server_challenge + 1) & (2**64 - 1))
    return a + encode_encrypt(session, msg)


# ---- the scenario ----------------------------------------------------------
client = key_secret(CLIENT_KEY_B64)
S_AUTH = bytes(range(0x10, 0x20))
S_AUTH2 = bytes(range(0x20, 0x30))
S_MON = bytes(range(0x30, 0x40))
S_OSD = bytes(range(0x40, 0x50))
S_MDS = bytes(range(0x50, 0x60))
S_OSD2 = bytes(range(0x60, 0x70))
CON_SECRET = bytes((i * 7 + 3) & 0xFF for i in range(64))
OSD_CON_SECRET = bytes((i * 13 + 5) & 0xFF for i in range(64))
AUTH_BLOB = b"opaque AUTH ticket, secret_id 7 " * 3
AUTH_BLOB2 = b"renewed AUTH ticket, secret_id 8"
MON_BLOB = b"mon ticket"
OSD_BLOB = b"osd ticket, encrypted with the osd service secret"
MDS_BLOB = b"mds"
OSD_BLOB2 = b"osd ticket #2"
GLOBAL_ID = 4242
SERVER_CHALLENGE = 0x0123456789ABCDEF
CLIENT_CHALLENGE = 0x1122334455667788
CLIENT_CHALLENGE2 = 0x8877665544332211
NONCE = 0x0102030405060708
NONCE2 = 0xA0A1A2A3A4A5A6A7
OSD_SERVER_CHALLENGE = 0xFFFFFFFFFFFFFFFF  # + 1 wraps to 0

vectors = {}

# ceph_crypt and the blob header
vectors["enc_bl_hello"] = enc_bl(client, b"hello")
vectors["encode_encrypt_empty"] = encode_encrypt(client, b"")
vectors["encode_encrypt_16"] = encode_encrypt(client, bytes(range(16)))

# msgr2 AUTH_REQUEST payload: mode 10, EntityName client.admin, global_id
vectors["hello_new"] = u8(10) + u32(CLIENT) + blob(b"admin") + u64(0)
vectors["hello_reclaim"] = u8(10) + u32(CLIENT) + blob(b"admin") + u64(GLOBAL_ID)
vectors["server_challenge"] = u8(1) + u64(SERVER_CHALLENGE)

key1 = challenge_key(client, SERVER_CHALLENGE, CLIENT_CHALLENGE)
vectors["auth_request_new"] = (u16(0x100) + u8(3) + u64(CLIENT_CHALLENGE) + u64(key1)
                               + ticket_blob(0, b"") + u32(MON | OSD | MDS))

# AUTH_DONE: AUTH ticket for our key, connection secret and service tickets
# under the new AUTH session key.
extra = ticket_reply(S_AUTH, [(MON, S_MON, 3600, 11, MON_BLOB),
                              (OSD, S_OSD, 3600, 12, OSD_BLOB),
                              (MDS, S_MDS, 3600, 13, MDS_BLOB)])
cbl = encode_encrypt(S_AUTH, blob(CON_SECRET))
vectors["auth_done"] = (u16(0x100) + s32(0) + ticket_reply(client, [(AUTH, S_AUTH, 43200, 7, AUTH_BLOB)])
                        + blob(cbl) + blob(extra))
# The same from a pre-Nautilus style monitor: no connection secret, no extra.
vectors["auth_done_legacy"] = u16(0x100) + s32(0) + ticket_reply(client, [(AUTH, S_AUTH, 43200, 7, AUTH_BLOB)])
# Crc mode: an empty connection secret blob, service tickets still there.
vectors["auth_done_crc"] = (u16(0x100) + s32(0) + ticket_reply(client, [(AUTH, S_AUTH, 43200, 7, AUTH_BLOB)])
                            + blob(b"") + blob(extra))

# Reconnect and reclaim: the hello carries the global_id, the request our
# old ticket; the monitor encrypts the new AUTH ticket with the old key.
key2 = challenge_key(client, SERVER_CHALLENGE, CLIENT_CHALLENGE2)
vectors["auth_request_reclaim"] = (u16(0x100) + u8(3) + u64(CLIENT_CHALLENGE2) + u64(key2)
                                   + ticket_blob(7, AUTH_BLOB) + u32(MON | OSD | MDS))
extra2 = ticket_reply(S_AUTH2, [(MON, S_MON, 3600, 21, MON_BLOB),
                                (OSD, S_OSD2, 3600, 22, OSD_BLOB2),
                                (MDS, S_MDS, 3600, 23, MDS_BLOB)])
vectors["auth_done_reclaim"] = (u16(0x100) + s32(0)
                                + ticket_reply(client, [(AUTH, S_AUTH2, 43200, 8, AUTH_BLOB2, S_AUTH)])
                                + blob(encode_encrypt(S_AUTH2, blob(CON_SECRET))) + blob(extra2))

# GET_PRINCIPAL_SESSION_KEY: an authorizer built on the AUTH ticket, then
# CephXServiceTicketRequest; the reply's tickets are under the AUTH key.
vectors["principal_request_osd"] = (u16(0x200) + authorizer(GLOBAL_ID, AUTH, 7, AUTH_BLOB, S_AUTH, NONCE)
                                    + u8(1) + u32(OSD))
vectors["principal_reply_osd"] = u16(0x200) + s32(0) + ticket_reply(S_AUTH, [(OSD, S_OSD2, 3600, 22, OSD_BLOB2)])
vectors["principal_reply_enoent"] = u16(0x200) + s32(-2) + ticket_reply(S_AUTH, [])

# An OSD authorizer, the OSD's challenge, the answer, and its reply.
vectors["osd_authorizer"] = authorizer(GLOBAL_ID, OSD, 12, OSD_BLOB, S_OSD, NONCE2)
vectors["osd_challenge"] = enc_bl(S_OSD, u8(1) + u64(OSD_SERVER_CHALLENGE))
vectors["osd_authorizer_challenged"] = authorizer(GLOBAL_ID, OSD, 12, OSD_BLOB, S_OSD, NONCE2, OSD_SERVER_CHALLENGE)
vectors["osd_reply"] = encode_encrypt(S_OSD, u8(2) + u64(NONCE2 + 1) + blob(OSD_CON_SECRET))
vectors["osd_reply_v1"] = encode_encrypt(S_OSD, u8(1) + u64(NONCE2 + 1))
vectors["osd_reply_bad_nonce"] = encode_encrypt(S_OSD, u8(2) + u64(NONCE2) + blob(b""))

# MAuth / MAuthReply fronts around a renewal.
vectors["mauth_principal"] = (u64(0) + u16(0xFFFF) + u64(0) + u32(2)
                              + blob(vectors["principal_request_osd"]))
vectors["mauth_reply"] = (u32(2) + s32(0) + u64(GLOBAL_ID) + blob(vectors["principal_reply_osd"])
                          + blob(b""))
vectors["mauth_reply_eperm"] = u32(2) + s32(-1) + u64(0) + blob(b"") + blob(b"denied")

ints = {
    "CHALLENGE_KEY_1": key1,
    "CHALLENGE_KEY_2": key2,
    "GLOBAL_ID": GLOBAL_ID,
    "SERVER_CHALLENGE": SERVER_CHALLENGE,
    "CLIENT_CHALLENGE": CLIENT_CHALLENGE,
    "CLIENT_CHALLENGE2": CLIENT_CHALLENGE2,
    "NONCE": NONCE,
    "NONCE2": NONCE2,
}
buffers = {
    "S_AUTH": S_AUTH, "S_AUTH2": S_AUTH2, "S_MON": S_MON, "S_OSD": S_OSD, "S_MDS": S_MDS, "S_OSD2": S_OSD2,
    "CON_SECRET": CON_SECRET, "OSD_CON_SECRET": OSD_CON_SECRET,
    "AUTH_BLOB": AUTH_BLOB, "AUTH_BLOB2": AUTH_BLOB2, "OSD_BLOB": OSD_BLOB, "OSD_BLOB2": OSD_BLOB2,
}


def c_array(name, data):
    lines = [f"static const uint8_t {name}[{len(data)}] __attribute__((unused)) = {{"]
    for i in range(0, len(data), 12):
        lines.append("\t" + " ".join(f"0x{b:02x}," for b in data[i:i + 12]))
    lines.append("};")
    return "\n".join(lines)


def write_header():
    print("/* Generated by test/unit/cephx_vectors.py: do not edit. */")
    print("#ifndef NETFUSE_CEPHX_VECTORS_H\n#define NETFUSE_CEPHX_VECTORS_H\n\n#include <stdint.h>\n")
    print(f'#define V_CLIENT_KEY "{CLIENT_KEY_B64}"')
    print(f'#define V_WRONG_KEY "{WRONG_KEY_B64}"')
    for k, v in ints.items():
        print(f"#define V_{k} 0x{v:016x}ULL")
    print()
    for k, v in buffers.items():
        print(c_array(f"V_{k}", v))
    for k, v in vectors.items():
        print(c_array(f"v_{k}", v))
    print("\n#endif")


# ---- fuzz seeds -------------------------------------------------------------
def rec(kind, data):
    return u8(kind) + u16(len(data)) + data


def ticket_template(principal_kind, service, session, validity, secret_id, b):
    return (rec(0, u32(service) + u8(1))
            + rec(principal_kind, u8(1) + crypto_key(session) + u32(validity) + u32(0))
            + rec(0, u8(0) + blob(ticket_blob(secret_id, b))))


def write_seeds(d):
    os.makedirs(d, exist_ok=True)
    seeds = {
        "done_nautilus": u8(0) + vectors["auth_done"],
        "done_legacy": u8(0) + vectors["auth_done_legacy"],
        "done_crc": u8(0) + vectors["auth_done_crc"],
        "principal_reply": u8(1) + vectors["principal_reply_osd"],
        "principal_enoent": u8(1) + vectors["principal_reply_enoent"],
        "done_reclaim": u8(2) + vectors["auth_done_reclaim"],
        "osd_reply": u8(3) + vectors["osd_reply"],
        "osd_reply_v1": u8(3) + vectors["osd_reply_v1"],
        "osd_challenge": u8(4) + vectors["osd_challenge"],
        "mauth_reply": u8(5) + vectors["mauth_reply"],
        "mauth_eperm": u8(5) + vectors["mauth_reply_eperm"],
    }
    # Templates: the same replies with their plaintext exposed (kinds: 0 raw,
    # 1 client key, 2 S_AUTH, 3 S_OSD, 4 a u32-length group).
    extra = (rec(0, u8(1) + u32(3))
             + ticket_template(2, MON, S_MON, 3600, 11, MON_BLOB)
             + ticket_template(2, OSD, S_OSD, 3600, 12, OSD_BLOB)
             + ticket_template(2, MDS, S_MDS, 3600, 13, MDS_BLOB))
    done = (rec(0, u16(0x100) + s32(0) + u8(1) + u32(1))
            + ticket_template(1, AUTH, S_AUTH, 43200, 7, AUTH_BLOB)
            + rec(4, rec(2, blob(CON_SECRET)))
            + rec(4, extra))
    seeds["template_done"] = u8(6) + done
    principal = (rec(0, u16(0x200) + s32(0) + u8(1) + u32(1))
                 + ticket_template(2, OSD, S_OSD2, 3600, 22, OSD_BLOB2))
    seeds["template_principal"] = u8(7) + principal
    seeds["template_osd_reply"] = u8(8) + rec(3, u8(2) + u64(NONCE2 + 1) + blob(OSD_CON_SECRET))
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seeds":
        write_seeds(sys.argv[2])
    else:
        write_header()
