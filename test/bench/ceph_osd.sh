#!/bin/bash
# make bench: netfuse's OSD client beside librados on one Ceph cluster started
# for the run (test/peers/ceph.sh in a private directory: three bluestore
# OSDs, a pool of 32 PGs, one replica), the same object sizes and requests
# in flight for both, taking turns:
#   bench ceph_osd_write_4m: netfuse=MiB/s librados=MiB/s ratio=R MiB/s
#   bench ceph_osd_read_4m:  the objects just written, read back
#   bench ceph_osd_write_4k: ops/s of 4 KiB whole-object writes
#   bench ceph_osd_*_cpu:    the client's CPU seconds (user + system) per GiB
#                            moved (per 10k ops for 4k), the process's own
# A ratio above 1 means netfuse ahead (faster, or less CPU).
# netfuse is test/integration/osd_tool bench (writefull / read of bench.N,
# THREADS synchronous callers of osdc_loop_call); librados is `rados bench`
# (write with -b SIZE -t THREADS, then seq). Each figure is the median of
# NETFUSE_BENCH_CEPH_ROUNDS rounds (default 3), with the range; every
# round's figures go to the log (NETFUSE_BENCH_CEPH_LOG keeps a copy). Needs
# the Ceph packages (ceph-osd, ceph-mon, ceph-mgr, ceph-mds, ceph-common) and
# the monitor ports free (no other test cluster running); otherwise each
# line says why it did not run.
set -uo pipefail
names=(ceph_osd_write_4m ceph_osd_read_4m ceph_osd_write_4k ceph_osd_write_4m_cpu ceph_osd_read_4m_cpu
	ceph_osd_write_4k_cpu)
. "$NETFUSE_SRCDIR/test/bench/lib.sh"
command -v ceph-osd >/dev/null && command -v rados >/dev/null || bench_not_run "needs the Ceph packages"
rounds=${NETFUSE_BENCH_CEPH_ROUNDS:-3}
src=$NETFUSE_SRCDIR
tool=$NETFUSE_BUILDDIR/test/integration/osd_tool
[[ -x $tool ]] || bench_not_run "needs $tool (make check builds it)"
work=$(mktemp -d /tmp/netfuse-bench-osd.XXXXXX)
peer=$work/ceph
log=$work/rounds.log
cleanup() {
	[[ -d $peer ]] && "$src/test/peers/ceph.sh" stop "$peer" >/dev/null 2>&1
	[[ -n ${NETFUSE_BENCH_CEPH_LOG:-} ]] && cp "$log" "$NETFUSE_BENCH_CEPH_LOG"
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
# seconds it used.
timed() {
	local TIMEFORMAT='%U %S' t
	t=$({ time "$@" >"$work/out" 2>&1; } 2>&1) || {
		echo "bench ceph_osd: $* failed: $(tail -n 3 "$work/out")" >&2
		exit 1
	}
	cpu=$(awk '{ print $1 + $2 }' <<<"$t")
}

# netfuse MODE SIZE COUNT THREADS: sets rate (MiB/s, or ops/s for 4k) and cpu
netfuse() {
	timed "$tool" --id admin "$pool" bench "$1" "$2" "$3" "$4"
	rate=$(awk -v want="$([[ $2 -ge 1048576 ]] && echo mib_s || echo ops_s)" '/^bench / {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == want) print kv[2] } }' "$work/out")
	grep -q "errors=0$" "$work/out" || {
		echo "bench ceph_osd: netfuse $1 had errors: $(cat "$work/out")" >&2
		exit 1
	}
}

# librados MODE SIZE SECONDS THREADS: the same from rados bench
librados() {
	if [[ $1 == write ]]; then
		timed rados -p $pool bench "$3" write -b "$2" -t "$4" --no-cleanup --run-name nf
	else
		timed rados -p $pool bench "$3" seq -t "$4" --run-name nf
	fi
	local made
	made=$(awk -F: '/^Total (writes|reads) made/ { print $2 + 0 }' "$work/out")
	rate=$(awk -v size="$2" -v n="$made" -F: '/^Total time run/ { t = $2 + 0 }
		END { if (size >= 1048576) printf "%.1f", n * size / 1048576 / t; else printf "%.0f", n / t }' "$work/out")
	count=$made
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo ".." hi }'; }

declare -A fig
round_log=
add() {
	fig[$1]="${fig[$1]:-} $2"
	round_log+=" $1=$2"
}

for ((r = 1; r <= rounds; r++)); do
	# 4 MiB objects, 8 in flight: 128 of them (512 MiB) for netfuse, 8 s for rados bench
	netfuse write 4194304 128 8
	add nf_w4m "$rate"
	add nf_w4m_cpu "$(awk -v c="$cpu" 'BEGIN { printf "%.2f", c / 0.5 }')"
	netfuse read 4194304 128 8
	add nf_r4m "$rate"
	add nf_r4m_cpu "$(awk -v c="$cpu" 'BEGIN { printf "%.2f", c / 0.5 }')"
	librados write 4194304 8 8
	add lr_w4m "$rate"
	add lr_w4m_cpu "$(awk -v c="$cpu" -v n="$count" 'BEGIN { printf "%.2f", c / (n * 4 / 1024) }')"
	librados read 4194304 8 8
	add lr_r4m "$rate"
	add lr_r4m_cpu "$(awk -v c="$cpu" -v n="$count" 'BEGIN { printf "%.2f", c / (n * 4 / 1024) }')"
	rados -p $pool cleanup --run-name nf >/dev/null 2>&1
	# 4 KiB whole-object writes, 16 in flight: 20000 for netfuse, 8 s for rados bench
	netfuse write 4096 20000 16
	add nf_w4k "$rate"
	add nf_w4k_cpu "$(awk -v c="$cpu" 'BEGIN { printf "%.2f", c / 2 }')"
	librados write 4096 8 16
	add lr_w4k "$rate"
	add lr_w4k_cpu "$(awk -v c="$cpu" -v n="$count" 'BEGIN { printf "%.2f", c / (n / 10000) }')"
	rados -p $pool cleanup --run-name nf >/dev/null 2>&1
	echo "round $r:$round_log" >>"$log"
	round_log=
done

# line NAME NETFUSE LIBRADOS UNIT UP: the medians, ratio above 1 meaning
# netfuse ahead (UP 1: more is better; 0: less is, as CPU seconds)
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
line ceph_osd_write_4m_cpu nf_w4m_cpu lr_w4m_cpu "CPU s/GiB" 0
line ceph_osd_read_4m_cpu nf_r4m_cpu lr_r4m_cpu "CPU s/GiB" 0
line ceph_osd_write_4k_cpu nf_w4k_cpu lr_w4k_cpu "CPU s/10k ops" 0
