#!/usr/bin/python3
# test/bench/ceph_bench.py: the figures of test/bench/ceph.sh, netfuse-ceph
# beside librados (python3-rados) on the same cluster in the same run.
#
#   ceph_bench.py statfs MNT SECONDS
#       statfs round trips per second: os.statvfs on the netfuse-ceph mount
#       (the kernel -> FUSE -> monc_loop -> monitor -> back) against
#       rados.Rados.get_cluster_stats (librados' MonClient MStatfs), one
#       caller each, one after the other.
#   ceph_bench.py failover MNT refused|silent PEER_DIR CEPH_SH ROUNDS
#       seconds from stopping the monitor a client's session is on to that
#       client's next successful statfs. refused: SIGKILL (its connections
#       reset, reconnects are refused); silent: SIGSTOP (TCP still accepts,
#       nothing answers). Each round picks the session's monitor again for
#       each client, then brings the monitor back (daemon-start, or SIGCONT)
#       and waits for a quorum of 3. The median of ROUNDS is printed.
#
# Needs CEPH_CONF and CEPH_KEYRING in the environment (ceph.sh env), for
# client.admin. Monitors are stopped by the PIDs ceph.sh recorded.
import json
import os
import signal
import statistics
import subprocess
import sys
import time

import rados

LIMIT = 120.0  # a client that has not recovered by then is reported as ">LIMIT"


def cluster():
    c = rados.Rados(conffile=os.environ["CEPH_CONF"], rados_id="admin",
                    conf={"keyring": os.environ["CEPH_KEYRING"]})
    c.connect(timeout=30)
    return c


def rate(fn, seconds):
    end = time.monotonic() + 0.5
    while time.monotonic() < end:  # warm up
        fn()
    n, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < seconds:
        fn()
        n += 1
    return n / (time.monotonic() - t0)


def ceph_json(*args):
    out = subprocess.run(["timeout", "60", "ceph", "--connect-timeout", "15", *args, "-f", "json"],
                         check=True, capture_output=True).stdout
    return json.loads(out)


def mon_ports():
    """{"127.0.0.1:3301": "b", ...}: each monitor's msgr2 address."""
    ports = {}
    for m in ceph_json("mon", "dump")["mons"]:
        for a in m["public_addrs"]["addrvec"]:
            if a["type"] == "v2":
                ports[a["addr"]] = m["name"]
    return ports


def netfuse_mon(mnt):
    for line in open(os.path.join(mnt, ".ceph", "monc")):
        f = line.split()
        if f and f[0] == "mon":
            return f[1]
    return None


def librados_mon(ports):
    """The monitor this process's librados session is on: its TCP
    connection to a monitor's msgr2 port, as ss shows it."""
    out = subprocess.run(["ss", "-tnpH", "state", "established"], capture_output=True, text=True).stdout
    me = "pid=%d," % os.getpid()
    for line in out.splitlines():
        if me not in line:
            continue
        peer = line.split()[3]
        if peer in ports:
            return ports[peer]
    return None


def quorum_of_3(deadline=180):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if len(ceph_json("quorum_status")["quorum"]) == 3:
                return
        except (subprocess.CalledProcessError, ValueError):
            pass
        time.sleep(0.5)
    sys.exit("the monitors did not get back to a quorum of 3")


def one(op, mon, mode, peer_dir, ceph_sh):
    """Seconds to the next statfs, and the monitor, starred when it led
    the quorum (its loss costs an election on top, whoever the client)."""
    leader = ceph_json("quorum_status")["quorum_leader_name"]
    pid = int(open(os.path.join(peer_dir, "pids", "mon.%s.pid" % mon)).read())
    t0 = time.monotonic()
    os.kill(pid, signal.SIGKILL if mode == "refused" else signal.SIGSTOP)
    took = None
    while time.monotonic() - t0 < LIMIT:
        try:
            op()
            took = time.monotonic() - t0
            break
        except (OSError, rados.Error):
            time.sleep(0.01)
    if mode == "refused":
        # daemon-start wants the old process gone: reaped, not only dead.
        for _ in range(300):
            if not os.path.exists("/proc/%d" % pid):
                break
            time.sleep(0.1)
        r = subprocess.run([ceph_sh, "daemon-start", "mon." + mon, peer_dir], capture_output=True, text=True)
        if r.returncode:
            sys.exit("ceph.sh daemon-start mon.%s failed: %s" % (mon, (r.stdout + r.stderr).strip()[-500:]))
    else:
        os.kill(pid, signal.SIGCONT)
    quorum_of_3()
    return took, mon + ("*" if mon == leader else "")


def show(v):
    return ">%.0f" % LIMIT if v is None else "%.3f" % v


def main():
    what, mnt = sys.argv[1], sys.argv[2]
    if what == "statfs":
        secs = float(sys.argv[3])
        nf = rate(lambda: os.statvfs(mnt), secs)
        c = cluster()
        lr = rate(c.get_cluster_stats, secs)
        c.shutdown()
        print("bench ceph_statfs: netfuse=%.0f librados=%.0f ratio=%.2f round-trips/s" % (nf, lr, nf / lr))
        return
    mode, peer_dir, ceph_sh, rounds = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
    ports = mon_ports()
    c = cluster()
    nf, lr = [], []
    for _ in range(rounds):
        c.get_cluster_stats()
        nf.append(one(lambda: os.statvfs(mnt), netfuse_mon(mnt), mode, peer_dir, ceph_sh))
        c.get_cluster_stats()
        lr.append(one(c.get_cluster_stats, librados_mon(ports), mode, peer_dir, ceph_sh))
    c.shutdown()
    tell = lambda rs: " ".join("%s(mon.%s)" % (show(t), m) for t, m in rs)
    print("# %s rounds (* the quorum leader): netfuse %s; librados %s" % (mode, tell(nf), tell(lr)))
    nf, lr = [t for t, _ in nf], [t for t, _ in lr]
    med = lambda xs: None if None in xs else statistics.median(xs)
    a, b = med(nf), med(lr)
    ratio = "%.2f" % (a / b) if a is not None and b else "n/a"
    print("bench ceph_failover_%s: netfuse=%s librados=%s ratio=%s s" % (mode, show(a), show(b), ratio))


main()
