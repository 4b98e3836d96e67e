#!/bin/bash
# make bench: a netfuse-ceph mount beside Ceph's own FUSE client, ceph-fuse
# (package ceph-fuse), both on the same cluster started for the run
# (test/peers/ceph.sh in a private directory: three bluestore OSDs, one
# MDS, pools of one replica), taking turns, each on a fresh mount:
#   bench ceph_mount_write: netfuse=MiB/s ceph-fuse=MiB/s ratio=R MiB/s
#                               1 GiB cp into a new file, then fsync (sync FILE:
#                               the data on the OSDs, the size on the MDS)
#   bench ceph_mount_read_cold  1 GiB read (sha256) on a fresh mount, of a
#                               file libcephfs wrote before the rounds
#   bench ceph_mount_read_warm  the same file again on the same mount
#   bench ceph_mount_small_files 1,000 create+write(1 KiB)+close, files/s
#   bench ceph_mount_ls_cold    ls -l of a 10,000-entry directory (made with
#                               libcephfs) on a fresh mount, ms
#   bench ceph_mount_ls_warm    the same again, ms
#   bench ceph_mount_rand_read  4 KiB reads at 4,000 random 4 KiB-aligned
#                               offsets of the 1 GiB file on a fresh mount
#                               (the same offsets for both), reads/s
#   bench ceph_mount_untar      tar -x of xorg-server's source (Debian's
#                               xorg-server-source, decompressed beforehand)
#                               then md5sum -c of all its files, s
#   bench ceph_mount_rss        the client's RSS after the first mount's I/O
# and for each but the RSS a line NAME_cpu: the client process's CPU
# seconds (user + system, from /proc/PID/stat before and after the step).
# A ratio above 1 is netfuse ahead (for times, CPU and memory: ceph-fuse's
# over netfuse's; CPU under one clock tick counts as 0.01 s). Each figure is
# the median of NETFUSE_BENCH_CEPH_ROUNDS rounds (default 3) with the range
# of each client; every round's figures go to the log (NETFUSE_BENCH_CEPH_LOG
# keeps a copy). Both clients run with their defaults, except ceph-fuse's
# directory sizes (client_dirsize_rbytes=false, as netfuse shows them).
# Needs root, /dev/fuse, the Ceph packages with ceph-fuse and python3-cephfs,
# and the monitor ports free (no other test cluster running); otherwise each
# line says why it did not run. Every step is bounded by a timeout.
set -uo pipefail
names=(ceph_mount_write ceph_mount_read_cold ceph_mount_read_warm ceph_mount_small_files ceph_mount_rand_read ceph_mount_ls_cold
	ceph_mount_ls_warm ceph_mount_untar ceph_mount_rss)
. "$NETFUSE_SRCDIR/test/bench/lib.sh"
[[ $(id -u) == 0 ]] || bench_not_run "needs root (FUSE mounts)"
[[ -c /dev/fuse ]] && command -v fusermount3 >/dev/null || bench_not_run "needs /dev/fuse and fusermount3"
command -v ceph-osd >/dev/null && command -v ceph-fuse >/dev/null || bench_not_run "needs the Ceph packages and ceph-fuse"
/usr/bin/python3 -c 'import cephfs' 2>/dev/null || bench_not_run "needs python3-cephfs"
ROUNDS=${NETFUSE_BENCH_CEPH_ROUNDS:-3}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || bench_not_run "NETFUSE_BENCH_CEPH_ROUNDS must be a positive number"
MIB=${NETFUSE_BENCH_CEPH_MIB:-1024} # the big file's size
SIZE=$((MIB * 1024 * 1024))
TARBALL=${NETFUSE_BENCH_CEPH_TARBALL:-/usr/src/xorg-server.tar.xz}
src=$NETFUSE_SRCDIR
prog=$NETFUSE_BUILDDIR/netfuse-ceph
[[ -x $prog ]] || bench_not_run "$prog not built"
work=$(mktemp -d /tmp/netfuse-bench-cephm.XXXXXX)
peer=$work/ceph
log=$work/rounds.log
mnt=$work/m
client_pid=
is_mounted() { awk -v m="$mnt" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }
stop_client() {
	local _
	is_mounted && { fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -u -z "$mnt"; }
	[[ -n $client_pid ]] || return 0
	for _ in $(seq 300); do kill -0 "$client_pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$client_pid" 2>/dev/null
	wait "$client_pid" 2>/dev/null
	client_pid=
}
cleanup() {
	stop_client
	[[ -d $peer ]] && "$src/test/peers/ceph.sh" stop "$peer" >/dev/null 2>&1
	[[ -n ${NETFUSE_BENCH_CEPH_LOG:-} && -f $log ]] && cp "$log" "$NETFUSE_BENCH_CEPH_LOG"
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() {
	echo "bench ceph_mount: $*" >&2
	tail -n 20 "$log" >&2
	exit 1
}
if ! "$src/test/peers/ceph.sh" start "$peer" >"$work/start.log" 2>&1; then
	bench_not_run "the Ceph cluster did not start: $(tail -n 1 "$work/start.log")"
fi
eval "$("$src/test/peers/ceph.sh" env "$peer")"

# What the rounds read, made once through libcephfs (neither mount has
# state about it): the big file and the 10,000-entry directory.
/usr/bin/python3 - "$SIZE" >>"$log" 2>&1 <<'EOF' || fail "libcephfs could not make the files to read"
import cephfs, os, sys
fs = cephfs.LibCephFS(conffile=os.environ["CEPH_CONF"], auth_id="admin")
fs.conf_set("keyring", os.environ["CEPH_KEYRING"])
fs.mount()
fs.mkdir("/bench", 0o755)
fd = fs.open("/bench/big.bin", os.O_CREAT | os.O_WRONLY, 0o644)
chunk = os.urandom(4 << 20)
for off in range(0, int(sys.argv[1]), len(chunk)):
    fs.write(fd, chunk, off)
fs.close(fd)
fs.mkdir("/bench/ls10000", 0o755)
for i in range(10000):
    fs.close(fs.open("/bench/ls10000/file-%05d" % i, os.O_CREAT | os.O_WRONLY, 0o644))
fs.unmount()
EOF
head -c "$SIZE" /dev/urandom >"$work/src.bin"
want_read=""
bench_untar_prepare "$work" "$TARBALL"

# start_client netfuse|ceph-fuse: a fresh mount of the root on $mnt.
start_client() {
	mkdir -p "$mnt"
	if [[ $1 == netfuse ]]; then
		"$prog" :/ "$mnt" -f -c "$CEPH_CONF" --id admin -k "$CEPH_KEYRING" 2>>"$log" &
	else
		ceph-fuse -f -c "$CEPH_CONF" --id admin -k "$CEPH_KEYRING" --client_dirsize_rbytes=false \
			--log_file="$work/ceph-fuse.log" --admin_socket="$work/ceph-fuse.asok" "$mnt" >>"$log" 2>&1 &
	fi
	client_pid=$!
	local _
	for _ in $(seq 600); do
		is_mounted && timeout 10 test -d "$mnt/bench" && return 0
		kill -0 "$client_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
declare -A fig cpus
record() { # record NAME CLIENT VALUE CPU
	fig[$1.$2]+="$3 "
	cpus[$1.$2]+="$4 "
	echo "round $r: $1 $2 value=$3 cpu=$4" >>"$log"
}

round() {
	local c=$1 t0 c0 v s n d=/bench/$1-$r
	start_client "$c" || fail "$c did not mount"
	mkdir "$mnt$d" || fail "$c: mkdir $d"
	# Cold read, then warm.
	c0=$(cpu) t0=$(now)
	s=$(timeout -k 5 300 sha256sum <"$mnt/bench/big.bin" | cut -d' ' -f1)
	v=$(since "$t0")
	[[ -n $want_read ]] || want_read=$s
	[[ $s == "$want_read" ]] || fail "$c read big.bin as $s, another read gave $want_read"
	record ceph_mount_read_cold "$c" "$(rate "$MIB" "$v")" "$(minus "$(cpu)" "$c0")"
	c0=$(cpu) t0=$(now)
	timeout -k 5 300 cat "$mnt/bench/big.bin" >/dev/null || fail "$c: warm read"
	record ceph_mount_read_warm "$c" "$(rate "$MIB" "$(since "$t0")")" "$(minus "$(cpu)" "$c0")"
	# The big file written, until synced.
	c0=$(cpu) t0=$(now)
	timeout -k 5 300 cp "$work/src.bin" "$mnt$d/w.bin" && timeout -k 5 300 sync "$mnt$d/w.bin" ||
		fail "$c: write"
	record ceph_mount_write "$c" "$(rate "$MIB" "$(since "$t0")")" "$(minus "$(cpu)" "$c0")"
	timeout -k 5 300 rm -f "$mnt$d/w.bin" # the pool need not hold every round's
	# 1,000 small files.
	mkdir "$mnt$d/small" || fail "$c: mkdir small"
	c0=$(cpu) t0=$(now)
	timeout -k 5 300 /usr/bin/python3 -c '
import os, sys
data = b"x" * 1024
for i in range(1000):
    with open(os.path.join(sys.argv[1], "f%04d" % i), "wb") as f:
        f.write(data)' "$mnt$d/small" || fail "$c: small files"
	record ceph_mount_small_files "$c" "$(rate 1000 "$(since "$t0")")" "$(minus "$(cpu)" "$c0")"
	record ceph_mount_rss "$c" "$(rss_mib)" 0
	stop_client
	# Random 4 KiB reads on a fresh mount; ls -l of 10,000 entries, then
	# again; then the untar.
	start_client "$c" || fail "$c did not mount"
	c0=$(cpu) t0=$(now)
	timeout -k 5 300 /usr/bin/python3 -c '
import os, random, sys
size, n = int(sys.argv[2]), 4000
rng = random.Random(7)
fd = os.open(sys.argv[1], os.O_RDONLY)
for _ in range(n):
    if len(os.pread(fd, 4096, rng.randrange(size // 4096) * 4096)) != 4096:
        sys.exit("short read")' "$mnt/bench/big.bin" "$SIZE" || fail "$c: random reads"
	record ceph_mount_rand_read "$c" "$(rate 4000 "$(since "$t0")")" "$(minus "$(cpu)" "$c0")"
	for s in cold warm; do
		c0=$(cpu) t0=$(now)
		n=$(timeout -k 5 120 ls -l "$mnt/bench/ls10000" | grep -c '^-')
		v=$(since "$t0")
		[[ $n == 10000 ]] || fail "$c: ls -l shows $n files"
		record ceph_mount_ls_$s "$c" "$(ms "$v")" "$(minus "$(cpu)" "$c0")"
	done
	if [[ -z $untar_why ]]; then
		mkdir "$mnt$d/untar" || fail "$c: mkdir untar"
		c0=$(cpu) t0=$(now)
		timeout -k 5 600 tar -xf "$work/src.tar" -C "$mnt$d/untar" --no-same-owner -m 2>>"$log" &&
			(cd "$mnt$d/untar" && timeout -k 5 600 md5sum -c --quiet "$work/src.md5") >>"$log" 2>&1 ||
			fail "$c: untar and md5sum -c"
		record ceph_mount_untar "$c" "$(since "$t0")" "$(minus "$(cpu)" "$c0")"
	fi
	timeout -k 5 600 rm -rf "$mnt$d"
	stop_client
}

for ((r = 0; r < ROUNDS; r++)); do
	if ((r % 2)); then
		round ceph-fuse
		round netfuse
	else
		round netfuse
		round ceph-fuse
	fi
done

# line FIGURE UNIT BIGGER_IS_BETTER: the figure's line, then its _cpu's.
line() {
	local f=$1 n a
	n=$(median "${fig[$f.netfuse]}") a=$(median "${fig[$f.ceph-fuse]}")
	awk -v name="$f" -v n="$n" -v a="$a" -v u="$2" -v up="$3" -v rn="$(range "${fig[$f.netfuse]}")" \
		-v ra="$(range "${fig[$f.ceph-fuse]}")" -v k="$ROUNDS" \
		'BEGIN { printf "bench %s: netfuse=%s ceph-fuse=%s ratio=%.2f %s (ranges over %d rounds: %s, %s)\n",
			name, n, a, up ? n / (a > 0 ? a : 0.001) : a / (n > 0 ? n : 0.001), u, k, rn, ra }'
	[[ $f == ceph_mount_rss ]] && return
	n=$(median "${cpus[$f.netfuse]}") a=$(median "${cpus[$f.ceph-fuse]}")
	awk -v name="$f" -v n="$n" -v a="$a" -v rn="$(range "${cpus[$f.netfuse]}")" \
		-v ra="$(range "${cpus[$f.ceph-fuse]}")" \
		'BEGIN { lo = 0.01
		printf "bench %s_cpu: netfuse=%s ceph-fuse=%s ratio=%.2f s (ranges: %s, %s)\n",
			name, n, a, (a > lo ? a : lo) / (n > lo ? n : lo), rn, ra }'
}
line ceph_mount_write MiB/s 1
line ceph_mount_read_cold MiB/s 1
line ceph_mount_read_warm MiB/s 1
line ceph_mount_small_files files/s 1
line ceph_mount_rand_read reads/s 1
line ceph_mount_ls_cold ms 0
line ceph_mount_ls_warm ms 0
if [[ -n $untar_why ]]; then
	echo "bench ceph_mount_untar: not run ($untar_why)"
else
	line ceph_mount_untar s 0
fi
line ceph_mount_rss MiB 0
