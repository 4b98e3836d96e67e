#!/bin/bash
# make bench: reading a 100 MiB file from a real OpenAFS fileserver, netfuse's
# Rx transport (afs_rx/) beside OpenAFS's own clientless reader, afsio, in
# the same run, first with the fileserver in its default mode (one 1416-byte
# packet per datagram), then restarted with -jumbo (jumbograms of 4 packets):
#   bench afs_fetch_100m: netfuse=MiB/s afsio=MiB/s ratio=R MiB/s
#   bench afs_fetch_100m_jumbo: ...
#
# netfuse fetches the file as test/integration/afs_rx_check pfetch does:
# ranges of NETFUSE_BENCH_AFS_RANGE bytes (default 4 MiB), each one
# FS.FetchData64 call, NETFUSE_BENCH_AFS_CALLS of them (default 4) in flight
# on one endpoint; the sha256 of what arrived must be the file's. Four calls
# fill one Rx connection's four channels; a fifth opens a second connection,
# whose first calls the fileserver may answer VBUSY while it identifies our
# host again (pfetch then waits a second, as a cache manager does). The
# fileserver sends at most 32 packets per call (rx_maxSendWindow), so
# several calls in flight are what fills the link. afsio
# fetches it its own way (one 64 KiB FetchData call after another). Both
# figures are transfer rates with the clock around the data alone: afsio's
# own "Transfer of N bytes took S sec" (-verbose), and pfetch's time from the
# first call to the last byte (its FetchStatus before and its digest after
# are outside). Each figure is the median of NETFUSE_BENCH_AFS_ROUNDS runs
# (default 5), netfuse and afsio taking turns; every run's figures go to the
# log, copied to NETFUSE_BENCH_AFS_LOG when that is set. One afsio run per mode, not
# timed, is checked against the file's MD5 (afsio exits 0 even on errors).
#
# It starts its own cell (test/peers/afs.sh, in a private directory) and
# stops it at the end; it needs root, the OpenAFS servers and afsio, and the
# UDP ports 7000-7005 free (no other cell, such as the one `make check`
# shares, running): otherwise each line says "not run" and why.
set -uo pipefail

names=(afs_fetch_100m afs_fetch_100m_jumbo)
SIZE=$((100 * 1024 * 1024))
SEED=20240602
ROUNDS=${NETFUSE_BENCH_AFS_ROUNDS:-5}
CALLS=${NETFUSE_BENCH_AFS_CALLS:-4}
RANGE=${NETFUSE_BENCH_AFS_RANGE:-$((4 * 1024 * 1024))}
src=$NETFUSE_SRCDIR
bld=$NETFUSE_BUILDDIR
afs="$src/test/peers/afs.sh"
check="$bld/test/integration/afs_rx_check"
tool="$bld/test/peers/afscp-tool"

. "$NETFUSE_SRCDIR/test/bench/lib.sh"

[[ $(id -u) == 0 ]] || bench_not_run "needs root, for the AFS cell's mount namespace"
command -v afsio >/dev/null || bench_not_run "afsio not found: install the Debian package openafs-client"
[[ -x /usr/lib/openafs/fileserver ]] || bench_not_run "no OpenAFS fileserver: install openafs-fileserver and openafs-dbserver"
[[ -x "$check" ]] || bench_not_run "$check not built (make test/integration/afs_rx_check)"
[[ -x "$tool" ]] || bench_not_run "$tool not built (needs libafscp: install libopenafs-dev and reconfigure)"
for p in 7000 7002 7003 7005; do
	if ss -H -n -l -u "sport = :$p" 2>/dev/null | grep -q .; then
		bench_not_run "udp port $p is in use: another AFS cell is running (stop it first)"
	fi
done

peers=$(mktemp -d /tmp/netfuse-bench-afs.XXXXXX) || exit 1
dir="$peers/afs"
log="$peers/bench.log"
export NETFUSE_PEERS="$peers" NETFUSE_BUILDDIR="$bld"
cleanup() {
	[[ -z "${NETFUSE_BENCH_AFS_LOG:-}" ]] || cp -- "$log" "$NETFUSE_BENCH_AFS_LOG"
	if ! "$afs" stop "$dir" >>"$log" 2>&1; then
		echo "bench afs_fetch: stopping the cell failed; its state is in $dir" >&2
		cat "$log" >&2
		return
	fi
	rm -rf -- "$peers"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "bench afs_fetch: $*" >&2
	tail -n 30 "$log" >&2
	exit 1
}

rc=0
NETFUSE_AFS_JUMBO=0 NETFUSE_PEER_TIMEOUT=120 "$afs" start "$dir" >>"$log" 2>&1 || rc=$?
((rc != 77)) || bench_not_run "the AFS cell cannot run here: $(tail -n 1 "$log")"
((rc == 0)) || fail "the AFS cell did not start"
eval "$("$afs" env "$dir")" || fail "afs.sh env failed"
file="$AFS_TEST_DIR/big100.bin"

timeout 120 "$tool" mkfile "$file" "$SIZE" "$SEED" >>"$log" 2>&1 || fail "could not write $file"
want_sha=$("$tool" gen "$SIZE" "$SEED" | sha256sum | cut -d' ' -f1)
want_md5=$("$tool" gen "$SIZE" "$SEED" | md5sum | cut -d' ' -f1)
fid=$(timeout 30 "$tool" stat "$file" | sed -n 's/.* fid=\([0-9.]*\).*/\1/p')
[[ -n "$fid" ]] || fail "no FID for $file"

median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print ((NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

netfuse_once() {
	local out
	out=$(timeout 120 "$check" -t 90000 -n "$CALLS" -c "$RANGE" pfetch 127.0.0.1 "$fid" 2>>"$log") ||
		fail "afs_rx_check pfetch failed"
	[[ "$(sed -n 's/^sha256=//p' <<<"$out")" == "$want_sha" ]] || fail "netfuse fetched a file with the wrong sha256"
	[[ "$(sed -n 's/^bytes=//p' <<<"$out")" == "$SIZE" ]] || fail "netfuse fetched the wrong number of bytes"
	echo "pfetch: $(tr "\n" " " <<<"$out")" >>"$log"
	sed -n 's/^mib_per_s=//p' <<<"$out"
}

afsio_once() {
	local err secs
	err=$(timeout 120 afsio read -file "$file" -verbose 2>&1 >/dev/null) || fail "afsio read failed: $err"
	secs=$(sed -n "s/^Transfer of $SIZE bytes took \([0-9.]*\) sec.*/\1/p" <<<"$err")
	[[ -n "$secs" ]] || fail "afsio read did not transfer $SIZE bytes: $err"
	awk -v s="$secs" -v b="$SIZE" 'BEGIN { printf "%.1f\n", b / 1048576 / (s > 0 ? s : 0.001) }'
}

afsio_verify() {
	local got
	# -md5 prints "DIGEST  NAME" on stderr.
	got=$(timeout 120 afsio read -file "$file" -md5 2>&1 >/dev/null | sed -n 's/^\([0-9a-f]\{32\}\)  .*/\1/p')
	[[ "$got" == "$want_md5" ]] || fail "afsio read back MD5 '$got', want $want_md5"
}

measure() {
	local name=$1 i n=() a=() nm am
	afsio_verify
	for ((i = 0; i < ROUNDS; i++)); do
		n+=("$(netfuse_once)") || exit 1
		a+=("$(afsio_once)") || exit 1
	done
	echo "$name: netfuse ${n[*]}; afsio ${a[*]} (MiB/s)" >>"$log"
	nm=$(median "${n[@]}")
	am=$(median "${a[@]}")
	awk -v name="$name" -v n="$nm" -v a="$am" \
		'BEGIN { printf "bench %s: netfuse=%.1f afsio=%.1f ratio=%.2f MiB/s\n", name, n, a, n / a }'
}

measure afs_fetch_100m
NETFUSE_AFS_JUMBO=1 "$afs" restart-fileserver "$dir" >>"$log" 2>&1 || fail "the fileserver did not restart with -jumbo"
measure afs_fetch_100m_jumbo
