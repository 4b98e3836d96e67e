#!/bin/bash
# make bench: netfuse-lockd beside nfs-ganesha's NLM (the anchor) in the same
# run: LOCK+UNLOCK pairs per second from one NLM client on UDP and TCP, and
# the hand-off latency of a contended lock between two hosts:
#   bench nlm_pairs_udp: netfuse=N ganesha=N ratio=R pairs/s (...)
#   bench nlm_pairs_tcp: ...
#   bench nlm_handoff: netfuse=MS ganesha=MS ratio=R ms (...)
#
# The hand-off: a host holds a lock; a second host (a network namespace made
# here, with its own rpcbind, through a veth pair) asks for it blocking and
# is answered BLOCKED (its callback service on one UDP port throughout, as a
# client's lock service keeps its port); the first unlocks; the time from sending that UNLOCK
# to the second host's receiving the server's GRANTED_MSG (both stamped by
# test/lib/nlmc on CLOCK_REALTIME) is one hand-off, NETFUSE_BENCH_LOCKD_HANDOFFS
# of them per round (default 20), the median kept. Its ratio is ganesha's
# time over netfuse's: above 1, netfuse hands off faster.
#
# test/bench/nlm-bench makes the calls, one at a time, after taking a lock of
# its own that it keeps (ganesha calls statd at every first lock and last
# unlock of a client; a client that holds locks does not pay that), on a
# file ganesha exports (its NFSv3 handle from test/lib/libnfs-nlm) and on an
# opaque handle for netfuse-lockd. Each round runs both servers in turn, each
# started afresh with this host's rpcbind and rpc.statd; a figure is the
# median of NETFUSE_BENCH_LOCKD_ROUNDS rounds (default 3) of
# NETFUSE_BENCH_LOCKD_PAIRS pairs (default 10000), and the line gives the
# ranges and each server's CPU seconds per 10,000 pairs (its utime + stime).
#
# It runs in a network and mount namespace of its own (unshare), so its
# rpcbind on port 111 and its /run are private; it needs root, rpcbind,
# rpc.statd (nfs-common), ganesha.nfsd (nfs-ganesha, nfs-ganesha-vfs) and
# libnfs (for the handle): otherwise each line says "not run" and why.
set -uo pipefail

names=(nlm_pairs_udp nlm_pairs_tcp nlm_handoff)
. "$NETFUSE_SRCDIR/test/bench/lib.sh"
ROUNDS=${NETFUSE_BENCH_LOCKD_ROUNDS:-3}
PAIRS=${NETFUSE_BENCH_LOCKD_PAIRS:-10000}
HANDOFFS=${NETFUSE_BENCH_LOCKD_HANDOFFS:-20}
nlmc=$NETFUSE_BUILDDIR/test/lib/nlmc
bld=$NETFUSE_BUILDDIR
lockd=$bld/netfuse-lockd
bench=$bld/test/bench/nlm-bench
fhtool=$bld/test/lib/libnfs-nlm

if [[ ${NETFUSE_BENCH_LOCKD_INSIDE:-} != 1 ]]; then
	[[ $(id -u) == 0 ]] || bench_not_run "needs root (a network namespace, port 111)"
	for p in /usr/sbin/rpcbind /usr/sbin/rpc.statd /usr/bin/ganesha.nfsd "$lockd" "$bench" "$fhtool" "$nlmc"; do
		[[ -x $p ]] || bench_not_run "$p not found (packages rpcbind, nfs-common, nfs-ganesha, nfs-ganesha-vfs, libnfs-dev)"
	done
	[[ -e /usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so ]] || bench_not_run "ganesha's VFS FSAL not found (nfs-ganesha-vfs)"
	unshare --net true 2>/dev/null || bench_not_run "cannot make a network namespace"
	NETFUSE_BENCH_LOCKD_INSIDE=1 exec unshare --net --mount --propagation private "$BASH" "$0" "$@"
fi

work=$(mktemp -d /tmp/netfuse-bench-lockd.XXXXXX)
pids=()
ns=nfbh$$
net=10.214.88
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.5
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	ip link del "$ns"a 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail() {
	echo "bench lockd: $*" >&2
	for n in "${names[@]}"; do echo "bench $n: not run ($*)"; done
	exit 0
}

# FUSE mounts copied into this mount namespace are detached here, so that
# none outlives its unmount while the benchmark runs (test/peers/lib.sh).
. "$NETFUSE_SRCDIR/test/peers/lib.sh"
peer_release_fuse_mounts
ip link set lo up
mount -t tmpfs tmpfs /run
mkdir -p "$work/statd/sm" "$work/statd/sm.bak" "$work/export"
echo bench >"$work/export/benchfile"
/usr/sbin/rpcbind -f >"$work/rpcbind.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do rpcinfo -T udp 127.0.0.1 100000 2 >/dev/null 2>&1 && break; sleep 0.1; done
/usr/sbin/rpc.statd -F --no-notify -P "$work/statd" >"$work/statd.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do rpcinfo -T udp 127.0.0.1 100024 1 >/dev/null 2>&1 && break; sleep 0.1; done
rpcinfo -T udp 127.0.0.1 100024 1 >/dev/null 2>&1 || fail "rpc.statd did not start"

# The second host: a network namespace with its own rpcbind (private /run),
# for the GRANTED_MSG callbacks of the hand-off.
{
	ip netns add "$ns" && ip link add "$ns"a type veth peer name "$ns"b &&
		ip link set "$ns"b netns "$ns" && ip addr add "$net.1/24" dev "$ns"a && ip link set "$ns"a up &&
		ip netns exec "$ns" ip addr add "$net.2/24" dev "$ns"b && ip netns exec "$ns" ip link set "$ns"b up &&
		ip netns exec "$ns" ip link set lo up
} >"$work/netns.log" 2>&1 || fail "no second host: $(tail -n 1 "$work/netns.log")"
inns() {
	ip netns exec "$ns" unshare --mount --propagation private bash -c \
		'. "$NETFUSE_SRCDIR/test/peers/lib.sh" && peer_release_fuse_mounts && mount -t tmpfs tmpfs /run &&
		{ [[ -z ${INNS_PIDFILE:-} ]] || echo $$ >"$INNS_PIDFILE"; } && exec "$@"' _ "$@"
}
INNS_PIDFILE=$work/ns-rpcbind.pid inns /usr/sbin/rpcbind -f >"$work/ns-rpcbind.log" 2>&1 &
for _ in $(seq 50); do [[ -s $work/ns-rpcbind.pid ]] && break; sleep 0.1; done
[[ -s $work/ns-rpcbind.pid ]] && pids+=("$(<"$work/ns-rpcbind.pid")")
for _ in $(seq 50); do ip netns exec "$ns" rpcinfo -T udp 127.0.0.1 100000 2 >/dev/null 2>&1 && break; sleep 0.1; done

# handoffs SERVER_NAME FH: one line per hand-off, "SERVER handoff MS".
handoffs() {
	local name=$1 fh=$2 i h w t0 t1
	for i in $(seq "$HANDOFFS"); do
		h=$("$nlmc" 127.0.0.1 udp holder lock 1 holder "$fh" 0 0 excl 2>&1)
		[[ $h == granted ]] || fail "$name: the holder's lock: $h"
		: >"$work/waiter.out"
		NLMC_CBPORT=4045 NLMC_STAMP=1 NLMC_WAIT=10 inns "$nlmc" "$net.1" udp "$net.2" lock 2 waiter "$fh" 0 0 excl block \
			>"$work/waiter.out" 2>"$work/waiter.err" &
		w=$!
		for _ in $(seq 100); do grep -q "^blocked" "$work/waiter.out" && break; sleep 0.05; done
		grep -q "^blocked" "$work/waiter.out" || fail "$name: the waiter was not blocked: $(cat "$work/waiter.out" "$work/waiter.err")"
		t0=$(NLMC_STAMP=1 "$nlmc" 127.0.0.1 udp holder unlock 1 holder "$fh" 0 0 2>&1)
		wait "$w"
		t1=$(awk '/^granted at=/ { sub("granted at=", ""); print }' "$work/waiter.out")
		[[ -n $t1 && $t0 == "granted at="* ]] || fail "$name: no hand-off: unlock '$t0', waiter '$(tr '\n' ' ' <"$work/waiter.out")'"
		awk -v n="$name" -v a="${t0#granted at=}" -v b="$t1" 'BEGIN { printf "%s handoff %.3f\n", n, (b - a) / 1e6 }' >>"$work/results"
		inns "$nlmc" "$net.1" udp "$net.2" unlock 2 waiter "$fh" 0 0 >/dev/null 2>&1
	done
}

cat >"$work/ganesha.conf" <<EOF
NFS_CORE_PARAM {
	Protocols = 3, 4;
	Enable_NLM = true;
	Enable_UDP = true;
	Plugins_Dir = "/usr/lib/x86_64-linux-gnu/ganesha";
	Rquota_Port = 0;
}
NFSv4 { Graceless = true; }
NFS_KRB5 { Active_krb5 = false; }
EXPORT {
	Export_Id = 77;
	Path = $work/export;
	Pseudo = "/x";
	Access_Type = RW;
	Squash = No_Root_Squash;
	SecType = sys, none;
	Protocols = 3, 4;
	Transports = UDP, TCP;
	FSAL { Name = VFS; }
}
EOF

# cpu_ticks PID: its utime + stime, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

# measure SERVER_PID FH PROTO: "RATE CPU_SECONDS_PER_10K" of one nlm-bench run.
measure() {
	local pid=$1 fh=$2 proto=$3 before after out
	before=$(cpu_ticks "$pid")
	out=$("$bench" 127.0.0.1 "$proto" "$PAIRS" "$fh" 2>&1) || fail "nlm-bench $proto: $out"
	after=$(cpu_ticks "$pid")
	awk -v o="$out" -v b="$before" -v a="$after" -v hz="$HZ" -v n="$PAIRS" \
		'BEGIN { split(o, f, "rate="); printf "%d %.2f\n", f[2], (a - b) / hz * 10000 / n }'
}

for round in $(seq "$ROUNDS"); do
	# netfuse-lockd, client hosts monitored through statd as in production.
	"$lockd" -o "grace=0,pidfile=$work/lockd.pid,agent=$work/agent,statedir=$work/state" 2>"$work/lockd.err" || fail "netfuse-lockd did not start: $(cat "$work/lockd.err")"
	lpid=$(<"$work/lockd.pid")
	pids+=("$lpid")
	for proto in udp tcp; do
		echo "netfuse $proto $(measure "$lpid" raw:benchfile "$proto")" >>"$work/results"
	done
	handoffs netfuse raw:benchfile
	kill -TERM "$lpid"
	for _ in $(seq 50); do kill -0 "$lpid" 2>/dev/null || break; sleep 0.1; done

	ganesha.nfsd -F -f "$work/ganesha.conf" -L "$work/ganesha.log" -p "$work/ganesha.pid" &
	gpid=$!
	pids+=("$gpid")
	for _ in $(seq 120); do rpcinfo -T udp 127.0.0.1 100021 4 >/dev/null 2>&1 && break; sleep 0.25; done
	rpcinfo -T udp 127.0.0.1 100021 4 >/dev/null 2>&1 || fail "ganesha's NLM did not register: $(tail -n 3 "$work/ganesha.log")"
	fh=$("$fhtool" 127.0.0.1 bench nfs_fh "$work/export" benchfile 2>&1) || fail "no NFS handle from ganesha: $fh"
	for proto in udp tcp; do
		echo "ganesha $proto $(measure "$gpid" "hex:$fh" "$proto")" >>"$work/results"
	done
	handoffs ganesha "hex:$fh"
	kill -TERM "$gpid"
	for _ in $(seq 100); do kill -0 "$gpid" 2>/dev/null || break; sleep 0.1; done
done

for proto in udp tcp; do
	awk -v proto="$proto" -v rounds="$ROUNDS" '
	function median(a, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$2 == proto && $1 == "netfuse" { nr[++nn] = $3; nc[nn] = $4 }
	$2 == proto && $1 == "ganesha" { gr[++gn] = $3; gc[gn] = $4 }
	END {
		for (i = 1; i <= nn; i++) { n2[i] = nr[i]; if (i == 1 || nr[i] < nlo) nlo = nr[i]; if (i == 1 || nr[i] > nhi) nhi = nr[i] }
		for (i = 1; i <= gn; i++) { g2[i] = gr[i]; if (i == 1 || gr[i] < glo) glo = gr[i]; if (i == 1 || gr[i] > ghi) ghi = gr[i] }
		n = median(n2, nn); g = median(g2, gn)
		printf "bench nlm_pairs_%s: netfuse=%d ganesha=%d ratio=%.2f pairs/s (ranges over %d rounds: netfuse %d-%d, ganesha %d-%d; server CPU per 10k pairs: netfuse %.2f s, ganesha %.2f s)\n",
			proto, n, g, n / g, rounds, nlo, nhi, glo, ghi, median(nc, nn), median(gc, gn)
	}' "$work/results"
done
awk -v hz=1 '
function median(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$2 == "handoff" && $1 == "netfuse" { n[++nn] = $3 }
$2 == "handoff" && $1 == "ganesha" { g[++gn] = $3 }
END {
	nm = median(n, nn); gm = median(g, gn)
	printf "bench nlm_handoff: netfuse=%.2f ganesha=%.2f ratio=%.2f ms (ranges over %d hand-offs: netfuse %.2f-%.2f, ganesha %.2f-%.2f; ratio = ganesha / netfuse)\n",
		nm, gm, gm / nm, nn, n[1], n[nn], g[1], g[gn]
}' "$work/results"
