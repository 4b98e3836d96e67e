#!/bin/bash
# make bench: netfuse-afs beside OpenAFS's own FUSE client, afsd.fuse
# (package openafs-fuse: the OpenAFS cache manager over FUSE), both mounted
# on the same cell in the same run:
#   bench afs_mount_read_cold: netfuse=MiB/s afsd.fuse=MiB/s ratio=R MiB/s
#   bench afs_mount_read_warm ...     the same file again, on the same mount
#   bench afs_mount_write ...         100 MiB, the clock stopped when the file
#                                     is whole on the fileserver (afscp-tool
#                                     stat), close-to-open's promise
#   bench afs_mount_small_files ...   1,000 create+write(1 KiB)+close, files/s
#   bench afs_mount_ls_cold ...       ls -l of a 1,000-entry directory on a
#                                     fresh mount, ms
#   bench afs_mount_ls_warm ...       the same again, ms
# and for each, a line NAME_cpu with the client process's CPU seconds
# (user + system, from /proc/PID/stat) for that step, and the RSS of each
# client after the run (afs_mount_rss, MiB). Each figure is the median of
# NETFUSE_BENCH_AFS_ROUNDS rounds (default 3), with every round's figures in
# the log (copied to NETFUSE_BENCH_AFS_LOG when set) and the range printed
# after the line. A ratio above 1 is netfuse ahead (for times, CPU and
# memory: the anchor's over netfuse's; CPU under one clock tick counts as
# 0.01 s). Every round starts both clients fresh, so "cold" is cold
# for both (afsd.fuse with an empty disk cache).
#
# afsd.fuse runs as ../shared/peers/afs.md found it working: -obig_writes
# (FUSE options first), a 500 MB cache, 1 MiB chunks, -dynroot -fakestat.
# It starts its own cell (test/peers/afs.sh) in a private directory and
# stops it; needs root, the OpenAFS servers, afsd.fuse and the UDP ports
# 7000-7005 free (no other cell running): otherwise each line says "not run".
set -uo pipefail

names=(afs_mount_read_cold afs_mount_read_warm afs_mount_write afs_mount_small_files afs_mount_ls_cold
	afs_mount_ls_warm afs_mount_rss)
SIZE=$((100 * 1024 * 1024))
SEED=20251205
ROUNDS=${NETFUSE_BENCH_AFS_ROUNDS:-3}
src=$NETFUSE_SRCDIR
bld=$NETFUSE_BUILDDIR
afs="$src/test/peers/afs.sh"
prog="$bld/netfuse-afs"
tool="$bld/test/peers/afscp-tool"

not_run() {
	local n
	for n in "${names[@]}"; do
		echo "bench $n: not run ($*)"
	done
	exit 0
}

[[ $(id -u) == 0 ]] || not_run "needs root (the cell's mount namespace, FUSE mounts)"
command -v afsd.fuse >/dev/null || not_run "afsd.fuse not found: install the Debian package openafs-fuse"
[[ -x /usr/lib/openafs/fileserver ]] || not_run "no OpenAFS fileserver: install openafs-fileserver and openafs-dbserver"
[[ -x $prog ]] || not_run "$prog not built"
[[ -x $tool ]] || not_run "$tool not built (needs libopenafs-dev)"
for p in 7000 7002 7003 7005; do
	if ss -H -n -l -u "sport = :$p" 2>/dev/null | grep -q .; then
		not_run "udp port $p is in use: another AFS cell is running (stop it first)"
	fi
done

peers=$(mktemp -d /tmp/netfuse-bench-afsm.XXXXXX) || exit 1
dir="$peers/afs"
log="$peers/bench.log"
client_pid=
export NETFUSE_PEERS="$peers" NETFUSE_BUILDDIR="$bld"
stop_client() {
	local m
	for m in "$peers/n" "$peers/o"; do
		mountpoint -q "$m" && { fusermount -u "$m" 2>/dev/null || fusermount3 -u "$m" 2>/dev/null || umount -l "$m"; }
	done
	if [[ -n $client_pid ]]; then
		kill -TERM "$client_pid" 2>/dev/null
		local _
		for _ in $(seq 100); do kill -0 "$client_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$client_pid" 2>/dev/null
		wait "$client_pid" 2>/dev/null
		client_pid=
	fi
}
cleanup() {
	stop_client
	[[ -z "${NETFUSE_BENCH_AFS_LOG:-}" ]] || cp -- "$log" "$NETFUSE_BENCH_AFS_LOG"
	if ! "$afs" stop "$dir" >>"$log" 2>&1; then
		echo "bench afs_mount: stopping the cell failed; its state is in $dir" >&2
		return
	fi
	rm -rf -- "$peers"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "bench afs_mount: $*" >&2
	tail -n 30 "$log" >&2
	exit 1
}

rc=0
NETFUSE_PEER_TIMEOUT=120 "$afs" start "$dir" >>"$log" 2>&1 || rc=$?
((rc != 77)) || not_run "the AFS cell cannot run here: $(tail -n 1 "$log")"
((rc == 0)) || fail "the AFS cell did not start"
eval "$("$afs" env "$dir")" || fail "afs.sh env failed"
timeout 120 "$tool" mkfile "$AFS_TEST_DIR/big100.bin" "$SIZE" "$SEED" >>"$log" 2>&1 || fail "could not write big100.bin"
want=$("$tool" gen "$SIZE" "$SEED" | sha256sum | cut -d' ' -f1)
timeout 60 "$tool" mkdir "$AFS_TEST_DIR/ls1000" >>"$log" 2>&1 || fail "mkdir ls1000"
names1000=()
for ((i = 0; i < 1000; i++)); do names1000+=("$AFS_TEST_DIR/ls1000/$(printf 'file-%04d' "$i")"); done
timeout 300 "$tool" touch "${names1000[@]}" >>"$log" 2>&1 || fail "touch 1000 files"
head -c "$SIZE" /dev/urandom >"$peers/src.bin"

# start_client netfuse|afsd: mount it fresh; sets $root (the test volume in
# it) and $client_pid.
start_client() {
	mkdir -p "$peers/n" "$peers/o"
	if [[ $1 == netfuse ]]; then
		"$prog" "%$AFS_CELL:$AFS_TEST_VOLUME" "$peers/n" -f \
			-o "cellservdb=$AFSCONF/CellServDB,thiscell=$AFSCONF/ThisCell" 2>>"$log" &
		client_pid=$!
		root=$peers/n
	else
		rm -rf "$peers/cache"
		mkdir -p "$peers/cache" "$peers/afsdconf"
		# Its own configuration directory: the cell's files and a cacheinfo.
		cp "$AFSCONF/ThisCell" "$AFSCONF/CellServDB" "$peers/afsdconf/"
		echo "$peers/o:$peers/cache:500000" >"$peers/afsdconf/cacheinfo"
		afsd.fuse -f -obig_writes -confdir "$peers/afsdconf" -cachedir "$peers/cache" -mountdir "$peers/o" \
			-blocks 500000 -chunksize 20 -dynroot -fakestat -nosettime >>"$log" 2>&1 &
		client_pid=$!
		root=$peers/o/$AFS_CELL/$AFS_TEST_VOLUME
	fi
	local _
	for _ in $(seq 300); do
		[[ -e $root/big100.bin ]] && return 0
		kill -0 "$client_pid" 2>/dev/null || fail "$1 exited at start"
		sleep 0.1
	done
	fail "$1 did not come up"
}

# CPU seconds (user + system) the client has used.
cpu() {
	awk -v t="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15) / t }' "/proc/$client_pid/stat"
}
rss_mib() {
	awk '/^VmRSS:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$client_pid/status"
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a - b }'; }

# The file on the fileserver is whole: its size, read by another client.
on_server() {
	timeout 30 "$tool" stat "$AFS_TEST_DIR/$1" 2>/dev/null | grep -q " size=$SIZE "
}

declare -A fig cpus
record() { # record NAME CLIENT VALUE CPU
	fig[$1.$2]+="$3 "
	cpus[$1.$2]+="$4 "
	echo "round: $1 $2 value=$3 cpu=$4" >>"$log"
}

round() {
	local c=$1 r=$2 t0 c0 s v
	start_client "$c"
	# Cold and warm reads.
	c0=$(cpu) t0=$(now)
	s=$(sha256sum <"$root/big100.bin" | cut -d' ' -f1)
	v=$(since "$t0")
	[[ $s == "$want" ]] || fail "$c read big100.bin as $s, want $want"
	record afs_mount_read_cold "$c" "$(awk -v t="$v" 'BEGIN { printf "%.1f", 100 / t }')" "$(minus "$(cpu)" "$c0")"
	c0=$(cpu) t0=$(now)
	cat "$root/big100.bin" >/dev/null
	v=$(since "$t0")
	record afs_mount_read_warm "$c" "$(awk -v t="$v" 'BEGIN { printf "%.1f", 100 / t }')" "$(minus "$(cpu)" "$c0")"
	# A 100 MiB write, until the fileserver has it all.
	local name="w-$c-$r.bin"
	c0=$(cpu) t0=$(now)
	cp "$peers/src.bin" "$root/$name" || fail "$c: cp to $name failed"
	local _
	for _ in $(seq 600); do on_server "$name" && break; sleep 0.05; done
	v=$(since "$t0")
	on_server "$name" || fail "$c: $name never reached the fileserver whole"
	record afs_mount_write "$c" "$(awk -v t="$v" 'BEGIN { printf "%.1f", 100 / t }')" "$(minus "$(cpu)" "$c0")"
	rm -f "$root/$name"
	# 1,000 small files.
	mkdir "$root/small-$c-$r" || fail "$c: mkdir small"
	c0=$(cpu) t0=$(now)
	python3 -c '
import os, sys
d = sys.argv[1]
data = b"x" * 1024
for i in range(1000):
    with open(os.path.join(d, "f%04d" % i), "wb") as f:
        f.write(data)
' "$root/small-$c-$r" || fail "$c: small files"
	v=$(since "$t0")
	record afs_mount_small_files "$c" "$(awk -v t="$v" 'BEGIN { printf "%.1f", 1000 / t }')" "$(minus "$(cpu)" "$c0")"
	rss_after=$(rss_mib)
	record afs_mount_rss "$c" "$rss_after" 0
	rm -rf "$root/small-$c-$r"
	stop_client
	# ls -l of 1,000 entries, on a fresh mount.
	start_client "$c"
	c0=$(cpu) t0=$(now)
	n=$(ls -l "$root/ls1000" | grep -c '^-')
	v=$(since "$t0")
	[[ $n == 1000 ]] || fail "$c: ls -l shows $n files"
	record afs_mount_ls_cold "$c" "$(awk -v t="$v" 'BEGIN { printf "%.1f", t * 1000 }')" "$(minus "$(cpu)" "$c0")"
	c0=$(cpu) t0=$(now)
	ls -l "$root/ls1000" >/dev/null
	v=$(since "$t0")
	record afs_mount_ls_warm "$c" "$(awk -v t="$v" 'BEGIN { printf "%.1f", t * 1000 }')" "$(minus "$(cpu)" "$c0")"
	stop_client
}

for ((r = 0; r < ROUNDS; r++)); do
	round netfuse "$r"
	round afsd "$r"
done

median() {
	printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 } END { print ((NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
range() {
	printf '%s\n' $1 | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'
}
line() { # line NAME UNIT BIGGER_IS_BETTER
	local n a
	n=$(median "${fig[$1.netfuse]}")
	a=$(median "${fig[$1.afsd]}")
	awk -v name="$1" -v n="$n" -v a="$a" -v u="$2" -v up="$3" -v rn="$(range "${fig[$1.netfuse]}")" \
		-v ra="$(range "${fig[$1.afsd]}")" -v k="$ROUNDS" \
		'BEGIN { printf "bench %s: netfuse=%s afsd.fuse=%s ratio=%.2f %s (ranges over %d rounds: %s, %s)\n",
			name, n, a, (up ? n / a : a / n), u, k, rn, ra }'
	[[ $1 == afs_mount_rss ]] && return
	n=$(median "${cpus[$1.netfuse]}")
	a=$(median "${cpus[$1.afsd]}")
	awk -v name="$1" -v n="$n" -v a="$a" -v rn="$(range "${cpus[$1.netfuse]}")" -v ra="$(range "${cpus[$1.afsd]}")" \
		'BEGIN { printf "bench %s_cpu: netfuse=%s afsd.fuse=%s ratio=%.2f s (ranges: %s, %s)\n",
			name, n, a, (a > 0.01 ? a : 0.01) / (n > 0.01 ? n : 0.01), rn, ra }'
}
line afs_mount_read_cold MiB/s 1
line afs_mount_read_warm MiB/s 1
line afs_mount_write MiB/s 1
line afs_mount_small_files files/s 1
line afs_mount_ls_cold ms 0
line afs_mount_ls_warm ms 0
line afs_mount_rss MiB 0
