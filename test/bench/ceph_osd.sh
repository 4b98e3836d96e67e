#!/bin/bash
# make bench: netfuse's OSD client beside librados on one Ceph cluster started
# for the run (test/peers/ceph.sh in a private directory: three bluestore
# OSDs, a pool of 32 PGs, one replica), the same object sizes and requests
# in flight for both, taking turns:
#   bench ceph_osd_write_4m: MiB/s of 4 MiB whole-object writes, 16 in flight
#   bench ceph_osd_read_4m:  the objects just written, read back, 16 in flight
#   bench ceph_osd_write_4k: ops/s of 4 KiB whole-object writes, 16 in flight
#   bench ceph_osd_write_4k_latency: their mean latency, ms
#   bench ceph_osd_*_cpu:    the client's CPU seconds (user + system) per GiB
#                            moved (per 10k ops for 4k)
#   bench ceph_osd_rss_per_op_4m: the client's peak RSS during the 4 MiB
#                            writes, divided by the 16 requests in flight, MiB
# A ratio above 1 means netfuse ahead (faster, sooner, or less CPU or memory).
# netfuse is test/integration/osd_tool bench (writefull / read of new
# objects, 16 synchronous callers of osdc_loop_call, reads into each
# caller's buffer); librados is `rados bench` (write with -b SIZE -t 16,
# then seq). Both issue new requests for 8 s and then finish those in
# flight, reads going over what the writes made. They take turns, each first
# in every other round, each step after the cluster has settled (PGs
# clean, the previous step's deletions done). Each figure is the median of
# NETFUSE_BENCH_CEPH_ROUNDS rounds (default 3), with the range; every
# round's figures go to the log (NETFUSE_BENCH_CEPH_LOG keeps a copy). Needs
# the Ceph packages (ceph-osd, ceph-mon, ceph-mgr, ceph-mds, ceph-common),
# /usr/bin/time and the monitor ports free (no other test cluster running);
# otherwise each line says why it did not run.
set -uo pipefail
names=(ceph_osd_write_4m ceph_osd_read_4m ceph_osd_write_4k ceph_osd_write_4k_latency ceph_osd_write_4m_cpu
	ceph_osd_read_4m_cpu ceph_osd_write_4k_cpu ceph_osd_rss_per_op_4m)
. "$NETFUSE_SRCDIR/test/bench/lib.sh"
command -v ceph-osd >/dev/null && command -v rados >/dev/null || bench_not_run "needs the Ceph packages"
[[ -x /usr/bin/time ]] || bench_not_run "needs /usr/bin/time (package time)"
rounds=${NETFUSE_BENCH_CEPH_ROUNDS:-3}
inflight=16
seconds=8 # each step's time for new requests, both clients
src=$NETFUSE_SRCDIR
tool=$NETFUSE_BUILDDIR/test/integration/osd_tool
[[ -x $tool ]] || bench_not_run "needs $tool (make check builds it)"
work=$(mktemp -d /tmp/netfuse-bench-osd.XXXXXX)
peer=$work/ceph
log=$work/rounds.log
cleanup() {
	[[ -d $peer ]] && "$src/test/peers/ceph.sh" stop "$peer" >/dev/null 2>&1
	[[ -n ${NETFUSE_BENCH_CEPH_LOG:-} && -f $log ]] && cp "$log" "$NETFUSE_BENCH_CEPH_LOG"
	rm -rf "$work"
}
trap cleanup EXIT
if ! "$src/test/peers/ceph.sh" start "$peer" >"$work/start.log" 2>&1; then
	bench_not_run "the Ceph cluster did not start: $(tail -n 1 "$work/start.log")"
fi
eval "$("$src/test/peers/ceph.sh" env "$peer")"
pool=bench
ceph osd pool create $pool 32 32 >/dev/null 2>&1 && ceph osd pool application enable $pool rbd >/dev/null 2>&1 ||
	bench_not_run "could not create the pool"

# timed CMD...: run CMD, its output in $work/out; $cpu the user + system
# seconds it used, $rss_mib its peak RSS.
timed() {
	/usr/bin/time -o "$work/time" -f '%U %S %M' "$@" >"$work/out" 2>&1 || {
		echo "bench ceph_osd: $* failed: $(tail -n 3 "$work/out")" >&2
		exit 1
	}
	read -r u s kib <"$work/time"
	cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
	rss_mib=$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')
}

# key K: the value of K=V in osd_tool's bench line
key() { awk -v want="$1" '/^bench / { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == want) print kv[2] } }' "$work/out"; }

# settle: every PG active+clean and a moment for the OSDs to finish what the
# last step left them (deletions), so neither client measures the other's
settle() {
	local i
	for ((i = 0; i < 60; i++)); do
		ceph pg stat -f json 2>/dev/null | /usr/bin/python3 -c 'import json, sys
s = json.load(sys.stdin)["pg_summary"]
sys.exit(0 if sum(x["num"] for x in s["num_pg_by_state"] if x["name"] == "active+clean") == s["num_pgs"] else 1)' &&
			break
		sleep 0.5
	done
	sleep 2
}

# netfuse MODE SIZE COUNT SECONDS: at most COUNT objects, no new request after
# SECONDS (as rados bench); sets count, rate (MiB/s, or ops/s below 1 MiB),
# lat (ms), cpu, rss_mib (objects nf.ROUND.N: new ones each round, as rados
# bench's are)
netfuse() {
	settle
	timed "$tool" --id admin "$pool" bench "$1" "$2" "$3" $inflight "nf.$r.$2." "$4"
	grep -q "errors=0$" "$work/out" || {
		echo "bench ceph_osd: netfuse $1 had errors: $(cat "$work/out")" >&2
		exit 1
	}
	if (($2 >= 1048576)); then rate=$(key mib_s); else rate=$(key ops_s); fi
	lat=$(key latency_ms)
	count=$(key count)
}

# librados MODE SIZE SECONDS: the same from rados bench
librados() {
	settle
	if [[ $1 == write ]]; then
		timed rados -p $pool bench "$3" write -b "$2" -t $inflight --no-cleanup --run-name nf
	else
		timed rados -p $pool bench "$3" seq -t $inflight --run-name nf
	fi
	count=$(awk -F: '/^Total (writes|reads) made/ { print $2 + 0 }' "$work/out")
	rate=$(awk -v size="$2" -v n="$count" -F: '/^Total time run/ { t = $2 + 0 }
		END { if (size >= 1048576) printf "%.1f", n * size / 1048576 / t; else printf "%.0f", n / t }' "$work/out")
	lat=$(awk -F: '/^Average Latency\(s\)/ { printf "%.3f", $2 * 1000 }' "$work/out")
}

per_gib() { awk -v c="$cpu" -v n="$count" -v size="$1" 'BEGIN { printf "%.2f", c / (n * size / 1073741824) }'; }
per_10k() { awk -v c="$cpu" -v n="$count" 'BEGIN { printf "%.2f", c / (n / 10000) }'; }

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo ".." hi }'; }

declare -A fig
round_log=
add() {
	fig[$1]="${fig[$1]:-} $2"
	round_log+=" $1=$2"
}

# purge: netfuse's objects gone (each client's step leaves the pool empty,
# as rados bench's cleanup does; the OSDs' 10 GiB would not hold them all)
purge() { rados purge $pool --yes-i-really-really-mean-it >/dev/null 2>&1; }

# the two clients' steps; each round runs them in turns, the other one first
# in every other round
nf_4m() {
	netfuse write 4194304 100000 $seconds
	add nf_w4m "$rate"
	add nf_w4m_cpu "$(per_gib 4194304)"
	add nf_rss "$(awk -v m="$rss_mib" -v n=$inflight 'BEGIN { printf "%.2f", m / n }')"
	netfuse read 4194304 "$count" $seconds
	add nf_r4m "$rate"
	add nf_r4m_cpu "$(per_gib 4194304)"
	purge
}
lr_4m() {
	librados write 4194304 $seconds
	add lr_w4m "$rate"
	add lr_w4m_cpu "$(per_gib 4194304)"
	add lr_rss "$(awk -v m="$rss_mib" -v n=$inflight 'BEGIN { printf "%.2f", m / n }')"
	librados read 4194304 $seconds
	add lr_r4m "$rate"
	add lr_r4m_cpu "$(per_gib 4194304)"
	rados -p $pool cleanup --run-name nf >/dev/null 2>&1
}
nf_4k() {
	netfuse write 4096 1000000 $seconds
	add nf_w4k "$rate"
	add nf_w4k_lat "$lat"
	add nf_w4k_cpu "$(per_10k)"
	purge
}
lr_4k() {
	librados write 4096 $seconds
	add lr_w4k "$rate"
	add lr_w4k_lat "$lat"
	add lr_w4k_cpu "$(per_10k)"
	rados -p $pool cleanup --run-name nf >/dev/null 2>&1
}
for ((r = 1; r <= rounds; r++)); do
	# each step 8 s of new requests, as rados bench runs, then the ones in
	# flight finish: the same ramp and tail for both
	if ((r % 2)); then
		nf_4m && lr_4m && nf_4k && lr_4k
	else
		lr_4m && nf_4m && lr_4k && nf_4k
	fi
	echo "round $r:$round_log" >>"$log"
	round_log=
done

# line NAME NETFUSE LIBRADOS UNIT UP: the medians, the ratio above 1 when
# netfuse is ahead (UP 1: more is better; 0: less is)
line() {
	local name=$1 nf=$2 lr=$3 unit=$4 up=$5 a b
	# shellcheck disable=SC2086 # word lists
	a=$(median ${fig[$nf]}) b=$(median ${fig[$lr]})
	# shellcheck disable=SC2086
	printf 'bench %s: netfuse=%s librados=%s ratio=%s %s (ranges over %d rounds: netfuse %s, librados %s)\n' \
		"$name" "$a" "$b" "$(awk -v a="$a" -v b="$b" -v up="$up" 'BEGIN { lo = 0.01
			printf "%.2f", up ? a / (b > lo ? b : lo) : b / (a > lo ? a : lo) }')" "$unit" \
		"$rounds" "$(range ${fig[$nf]})" "$(range ${fig[$lr]})"
}
line ceph_osd_write_4m nf_w4m lr_w4m MiB/s 1
line ceph_osd_read_4m nf_r4m lr_r4m MiB/s 1
line ceph_osd_write_4k nf_w4k lr_w4k ops/s 1
line ceph_osd_write_4k_latency nf_w4k_lat lr_w4k_lat ms 0
line ceph_osd_write_4m_cpu nf_w4m_cpu lr_w4m_cpu "CPU s/GiB" 0
line ceph_osd_read_4m_cpu nf_r4m_cpu lr_r4m_cpu "CPU s/GiB" 0
line ceph_osd_write_4k_cpu nf_w4k_cpu lr_w4k_cpu "CPU s/10k ops" 0
line ceph_osd_rss_per_op_4m nf_rss lr_rss "MiB RSS per request in flight" 0
