#!/bin/bash
# make bench: POSIX locks through a netfuse mount with -o lockd, beside the
# kernel's own local locks on a mount of the same file system (locks=local,
# the floor: no server, no daemon):
#   bench lock_setlk_pairs: netfuse=N kernel_local=N ratio=R pairs/s (...)
#   bench lock_mount_handoff: netfuse=MS kernel_local=MS ratio=R ms (...)
#
# pairs: test/bench/fcntl-bench takes and drops a write lock on one byte with
# F_SETLK, NETFUSE_BENCH_LOCKS_PAIRS times (default 5000), in one process;
# each round measures both mounts, the median of NETFUSE_BENCH_LOCKS_ROUNDS
# (default 3) kept, with the ranges, and for netfuse the CPU seconds per
# 10,000 pairs of the mount's daemon and of netfuse-lockd (utime + stime).
# The ratio is netfuse over the floor (below 1: what the lock server costs).
#
# hand-off: one process holds the byte, a second waits for it with F_SETLKW,
# the first unlocks; the time from just before that unlock to the waiter's
# return (CLOCK_REALTIME in both) is one hand-off, through lockd's GRANTED
# callback and this host's agent for the mount; NETFUSE_BENCH_LOCKS_HANDOFFS
# of them (default 20), the median kept. Ratio: netfuse over the floor.
#
# It runs in a network and mount namespace of its own (unshare) with its own
# rpcbind and netfuse-lockd, so port 111 and /run are private. Needs root,
# rpcbind and /dev/fuse: otherwise each line says "not run" and why.
set -uo pipefail

names=(lock_setlk_pairs lock_mount_handoff)
. "$NETFUSE_SRCDIR/test/bench/lib.sh"
ROUNDS=${NETFUSE_BENCH_LOCKS_ROUNDS:-3}
PAIRS=${NETFUSE_BENCH_LOCKS_PAIRS:-5000}
HANDOFFS=${NETFUSE_BENCH_LOCKS_HANDOFFS:-20}
bld=$NETFUSE_BUILDDIR
lockd=$bld/netfuse-lockd
fs=$bld/test/fuse/netfuse-testfs
fb=$bld/test/bench/fcntl-bench

if [[ ${NETFUSE_BENCH_LOCKS_INSIDE:-} != 1 ]]; then
	[[ $(id -u) == 0 ]] || bench_not_run "needs root (a network namespace, port 111, mounts)"
	[[ -c /dev/fuse ]] || bench_not_run "needs /dev/fuse"
	for p in /usr/sbin/rpcbind "$lockd" "$fs" "$fb"; do
		[[ -x $p ]] || bench_not_run "$p not found (package rpcbind, or not built)"
	done
	unshare --net true 2>/dev/null || bench_not_run "cannot make a network namespace"
	NETFUSE_BENCH_LOCKS_INSIDE=1 exec unshare --net --mount --propagation private "$BASH" "$0" "$@"
fi

work=$(mktemp -d /tmp/netfuse-bench-locks.XXXXXX)
pids=()
cleanup() {
	local p
	fusermount3 -u -z "$work/net" 2>/dev/null
	fusermount3 -u -z "$work/loc" 2>/dev/null
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' TERM INT HUP
fail() {
	echo "bench locks_mount: $*" >&2
	for n in "${names[@]}"; do echo "bench $n: not run ($*)"; done
	exit 0
}

. "$NETFUSE_SRCDIR/test/peers/lib.sh"
peer_release_fuse_mounts
ip link set lo up
mount -t tmpfs tmpfs /run
mkdir -p /run/rpcbind "$work/net" "$work/loc"
/usr/sbin/rpcbind -w -f </dev/null >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do rpcinfo -T udp 127.0.0.1 100000 2 >/dev/null 2>&1 && break; sleep 0.1; done
"$lockd" -o "nostatd,grace=0,pidfile=$work/lockd.pid,statedir=$work/state" 2>"$work/lockd.err" || fail "netfuse-lockd: $(cat "$work/lockd.err")"
lockd_pid=$(<"$work/lockd.pid")
pids+=("$lockd_pid")
"$fs" src "$work/net" -o lockd=127.0.0.1 2>"$work/net.err" || fail "mount: $(cat "$work/net.err")"
"$fs" src "$work/loc" -o locks=local 2>"$work/loc.err" || fail "mount: $(cat "$work/loc.err")"
echo x >"$work/net/f" && echo x >"$work/loc/f" || fail "cannot write the mounts"
daemon_of() { pgrep -f "netfuse-testfs src $1 -o"; }
net_pid=$(daemon_of "$work/net")
[[ -n $net_pid ]] && pids+=("$net_pid")

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
range() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }
hz=$(getconf CLK_TCK)

# ---- pairs ------------------------------------------------------------------------------------
: >"$work/pairs.net" && : >"$work/pairs.loc" && : >"$work/cpu"
for _ in $(seq "$ROUNDS"); do
	d0=$(cpu_ticks "$net_pid") l0=$(cpu_ticks "$lockd_pid")
	r=$("$fb" pairs "$work/net/f" "$PAIRS") || fail "fcntl-bench on the lockd mount: $r"
	d1=$(cpu_ticks "$net_pid") l1=$(cpu_ticks "$lockd_pid")
	echo "$r" >>"$work/pairs.net"
	awk -v d=$((d1 - d0)) -v l=$((l1 - l0)) -v hz="$hz" -v n="$PAIRS" \
		'BEGIN { printf "%.2f %.2f\n", d / hz * 10000 / n, l / hz * 10000 / n }' >>"$work/cpu"
	r=$("$fb" pairs "$work/loc/f" "$PAIRS") || fail "fcntl-bench on the local mount: $r"
	echo "$r" >>"$work/pairs.loc"
done
n=$(median <"$work/pairs.net") l=$(median <"$work/pairs.loc")
echo "bench lock_setlk_pairs: netfuse=$n kernel_local=$l ratio=$(awk -v a="$n" -v b="$l" 'BEGIN { printf "%.3f", a / b }') pairs/s" \
	"(medians of $ROUNDS rounds of $PAIRS: netfuse $(range <"$work/pairs.net"), local $(range <"$work/pairs.loc");" \
	"CPU s per 10k pairs, mount daemon $(awk '{ print $1 }' "$work/cpu" | median), netfuse-lockd $(awk '{ print $2 }' "$work/cpu" | median))"

# ---- hand-off -----------------------------------------------------------------------------------
handoff() { # MOUNT: one hand-off in ms
	local m=$1 t0 t1
	coproc HOLD { "$fb" hold "$m/f"; }
	read -r -t 10 line <&"${HOLD[0]}" || return 1
	"$fb" wait "$m/f" >"$work/t1" &
	local w=$!
	sleep 0.2
	echo go >&"${HOLD[1]}"
	read -r -t 10 t0 <&"${HOLD[0]}" || return 1
	wait "$HOLD_PID" 2>/dev/null
	wait "$w" || return 1
	t1=$(<"$work/t1")
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }'
}
: >"$work/h.net" && : >"$work/h.loc"
for _ in $(seq "$HANDOFFS"); do
	handoff "$work/net" >>"$work/h.net" || fail "a hand-off on the lockd mount did not complete"
	handoff "$work/loc" >>"$work/h.loc" || fail "a hand-off on the local mount did not complete"
done
n=$(median <"$work/h.net") l=$(median <"$work/h.loc")
echo "bench lock_mount_handoff: netfuse=$n kernel_local=$l ratio=$(awk -v a="$n" -v b="$l" 'BEGIN { printf "%.1f", a / b }') ms" \
	"(medians of $HANDOFFS: netfuse $(range <"$work/h.net"), local $(range <"$work/h.loc"); through GRANTED and this host's agent)"
