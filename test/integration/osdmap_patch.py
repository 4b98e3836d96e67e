#!/usr/bin/env python3
"""osdmap_patch.py: edit a full OSD map the way the monitors would, for tests.

osdmaptool can build a map (--createsimple) but not bring OSDs up or set
pg_temp, primary_temp, primary affinity or upmaps in it; a real cluster can,
but only a few OSDs fit on a test machine. This script rewrites those fields
of a map file in place (the client section of OSDMap::encode; everything
else is copied byte for byte), fixes the section lengths and the crc, so
that osdmaptool, reading the result, is the reference placement for it.

  osdmap_patch.py MAP [--all-up-in] [--state OSD=HEX] [--weight OSD=W]
                  [--affinity OSD=A] [--pg-temp P.S=a,b] [--primary-temp P.S=o]
                  [--upmap P.S=a,b] [--upmap-items P.S=f:t,f:t]
                  [--pool ID=TYPE:SIZE:RULE[:HASH]]

W and A are fractions (0 to 1) stored as 16.16; P.S is a PG as Ceph prints
it (pool decimal, seed hex); --pool makes a pool erasure-coded (type 3)
or replicated (1) with another width and CRUSH rule, and its object names
hashed with rjenkins (2) or the Linux dcache hash (1). It is a second, independent reading of the
encoding in Python, so it also checks the C decoder's idea of the layout.
"""
import struct
import sys

EXISTS, UP = 1, 2


def crc32c(seed, data):
    table = crc32c.table
    crc = seed
    for b in data:
        crc = table[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc


def _table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


crc32c.table = _table()


class Cursor:
    def __init__(self, buf, off=0):
        self.b, self.o = buf, off

    def take(self, fmt):
        v = struct.unpack_from("<" + fmt, self.b, self.o)
        self.o += struct.calcsize("<" + fmt)
        return v if len(v) > 1 else v[0]

    def skip(self, n):
        self.o += n

    def blob(self):
        self.skip(self.take("I"))

    def struct(self):
        self.skip(2)
        self.blob()

    def vec(self, fmt):
        return [self.take(fmt) for _ in range(self.take("I"))]

    def mapping(self, kind):
        """map<pg_t, ...>: vector<s32> ("list"), s32 ("one"), pairs ("pairs")"""
        out = {}
        for _ in range(self.take("I")):
            self.skip(1)
            pool, seed = self.take("QI")
            self.skip(4)
            n = 1 if kind == "one" else self.take("I") * (2 if kind == "pairs" else 1)
            out[(pool, seed)] = [self.take("i") for _ in range(n)]
        return out


def skip_string_map(c):
    for _ in range(c.take("I")):
        c.blob()
        c.blob()


def skip_addrvec(c):
    marker = c.take("B")
    assert marker == 2, "addrvec marker %d" % marker
    for _ in range(c.take("I")):
        assert c.take("B") == 1
        c.struct()


def parse_pg(s):
    pool, seed = s.split(".")
    return int(pool), int(seed, 16)


def enc_pg(pg):
    return struct.pack("<BQIi", 1, pg[0], pg[1], -1)


def parse(buf):
    """The client section's fields, those edited decoded, the others kept as bytes."""
    m = {}
    c = Cursor(buf)
    v, compat, m["wlen"] = c.take("BBI")
    assert v >= 8 and compat <= 7, "wrapper v%d" % v
    m["cv"], m["ccompat"], clen = c.take("BBI")
    assert m["cv"] >= 8, "client section v%d" % m["cv"]
    body_at = c.o
    c.skip(16 + 4 + 8 + 8)  # fsid, epoch, created, modified
    m["pool_at"] = {}
    for _ in range(c.take("I")):  # pools: where each pg_pool_t's body starts in head
        pool = c.take("q")
        m["pool_at"][pool] = c.o + 6 - body_at
        c.struct()
    for _ in range(c.take("I")):  # pool names
        c.skip(8)
        c.blob()
    c.skip(4 + 4)  # pool_max, flags
    m["max_osd"] = c.take("i")
    m["head"] = buf[body_at:c.o]
    m["state"] = c.vec("I")
    m["weight"] = c.vec("I")
    at = c.o
    for _ in range(c.take("I")):
        skip_addrvec(c)
    m["addrs"] = buf[at:c.o]
    m["pg_temp"] = c.mapping("list")
    m["primary_temp"] = c.mapping("one")
    m["affinity"] = c.vec("I")
    at = c.o
    c.blob()  # CRUSH
    for _ in range(c.take("I")):  # erasure code profiles
        c.blob()
        skip_string_map(c)
    m["crush_ec"] = buf[at:c.o]
    m["pg_upmap"] = c.mapping("list")
    m["upmap_items"] = c.mapping("pairs")
    m["tail"] = buf[c.o:body_at + clen]
    m["rest"] = buf[body_at + clen:6 + m["wlen"] - 4]  # the OSD-only section
    return m


def vec(vals, fmt="I"):
    return struct.pack("<I", len(vals)) + b"".join(struct.pack("<" + fmt, x) for x in vals)


def enc_mapping(mp, kind):
    out = struct.pack("<I", len(mp))
    for pg in sorted(mp):
        vals = mp[pg]
        out += enc_pg(pg)
        if kind != "one":
            out += struct.pack("<I", len(vals) // 2 if kind == "pairs" else len(vals))
        out += b"".join(struct.pack("<i", x) for x in vals)
    return out


def edit(m, args):
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == "--all-up-in":
            m["state"] = [s | EXISTS | UP for s in m["state"]]
            m["weight"] = [0x10000] * m["max_osd"]
            continue
        if i >= len(args) or "=" not in args[i]:
            raise SystemExit("osdmap_patch: %s needs KEY=VALUE" % a)
        key, value = args[i].split("=", 1)
        i += 1
        if a == "--pool":
            # its first bytes: u8 type, u8 size, u8 crush_rule, u8 object_hash
            at = m["pool_at"][int(key)]
            new = bytes(int(x) for x in value.split(":"))
            m["head"] = m["head"][:at] + new + m["head"][at + len(new):]
        elif a == "--state":
            m["state"][int(key)] = int(value, 16)
        elif a == "--weight":
            m["weight"][int(key)] = int(round(float(value) * 0x10000))
        elif a == "--affinity":
            if not m["affinity"]:
                m["affinity"] = [0x10000] * m["max_osd"]
            m["affinity"][int(key)] = int(round(float(value) * 0x10000))
        elif a == "--pg-temp":
            m["pg_temp"][parse_pg(key)] = [int(x) for x in value.split(",")]
        elif a == "--primary-temp":
            m["primary_temp"][parse_pg(key)] = [int(value)]
        elif a == "--upmap":
            m["pg_upmap"][parse_pg(key)] = [int(x) for x in value.split(",")]
        elif a == "--upmap-items":
            m["upmap_items"][parse_pg(key)] = [int(y) for x in value.split(",") for y in x.split(":")]
        else:
            raise SystemExit("osdmap_patch: unknown option " + a)


def encode(m):
    body = (m["head"] + vec(m["state"]) + vec(m["weight"]) + m["addrs"] + enc_mapping(m["pg_temp"], "list") +
            enc_mapping(m["primary_temp"], "one") + vec(m["affinity"]) + m["crush_ec"] +
            enc_mapping(m["pg_upmap"], "list") + enc_mapping(m["upmap_items"], "pairs") + m["tail"])
    inner = struct.pack("<BBI", m["cv"], m["ccompat"], len(body)) + body + m["rest"]
    out = struct.pack("<BBI", 8, 7, len(inner) + 4) + inner
    return out + struct.pack("<I", crc32c(0xffffffff, out))


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    buf = open(argv[1], "rb").read()
    stored = struct.unpack_from("<I", buf, len(buf) - 4)[0]
    if crc32c(0xffffffff, buf[:-4]) != stored:
        raise SystemExit("osdmap_patch: %s: crc mismatch" % argv[1])
    m = parse(buf)
    if encode(m) != buf:
        raise SystemExit("osdmap_patch: %s: re-encoding the map unchanged does not give it back" % argv[1])
    edit(m, argv[2:])
    open(argv[1], "wb").write(encode(m))


if __name__ == "__main__":
    main(sys.argv)
