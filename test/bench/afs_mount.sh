#!/bin/bash
# make bench: netfuse-afs beside OpenAFS's own FUSE client, afsd.fuse
# (package openafs-fuse: the OpenAFS cache manager over FUSE), both mounted
# on the same cell in the same run, and for raw data beside OpenAFS's
# clientless afsio too:
#   bench afs_mount_read_cold: netfuse=MiB/s afsd.fuse=MiB/s ratio=R MiB/s
#                                     100 MiB read on a fresh mount
#   bench afs_mount_read_warm ...     the same file again, on the same mount
#   bench afs_mount_write ...         100 MiB, the clock stopped when the file
#                                     is whole on the fileserver (afscp-tool
#                                     stat), close-to-open's promise
#   bench afs_mount_small_files ...   1,000 create+write(1 KiB)+close, files/s
#   bench afs_mount_ls_cold ...       ls -l of a 1,000-entry directory on a
#                                     fresh mount, ms
#   bench afs_mount_ls_warm ...       the same again, ms
#   bench afs_mount_stat_tree_cold .. stat of every entry of a tree of 1,536
#                                     files in 112 directories (16 x 6 x 16,
#                                     made with afscp-tool before the rounds)
#                                     on a fresh mount (find | xargs stat), ms
#   bench afs_mount_stat_tree_warm .. the same again, ms
#   bench afs_mount_read4_cold ...    four readers at once, each of its own
#                                     25 MiB file, on a fresh mount: MiB/s
#                                     of all four together
#   bench afs_mount_untar ...         tar -x of a real source tree into a new
#                                     directory, then md5sum -c of all its
#                                     files, s (xorg-server's: Debian's
#                                     xorg-server-source, its
#                                     /usr/src/xorg-server.tar.xz decompressed
#                                     beforehand, so xz is outside the clock:
#                                     1,672 files in 164 directories, 37 MB;
#                                     tar --no-same-owner -m, as afsd.fuse has
#                                     neither chown nor utimens)
#   bench afs_mount_rss_idle ...      each client's RSS on a fresh mount before
#                                     any I/O (after one lookup), MiB
#   bench afs_mount_rss ...           its RSS after the first mount's I/O
#                                     (the reads, the write, the small files)
#   bench afs_mount_read_cold_afsio: netfuse=MiB/s afsio=MiB/s ratio=R MiB/s
#                                     the same netfuse figure beside
#                                     `afsio read` of the same file
#   bench afs_mount_write_afsio ...   netfuse's write beside afsio writing the
#                                     same 100 MiB (`afsio write -force` of the
#                                     first 50 MiB over an empty file made with
#                                     afscp-tool, then `afsio append` of the
#                                     rest: afsio cannot create a file, and one
#                                     afsio write of more than 64 MiB puts its
#                                     second part at the wrong offset)
# and for each but the RSS, a line NAME_cpu with the client's CPU seconds
# (user + system) for that step: of the mounted client's process (from
# /proc/PID/stat before and after), of the afsio process (the whole run,
# from the shell's `times`). afsio's time is its own transfer clock
# ("Transfer of N bytes took S sec", the data alone; two runs added for the
# write), which leaves its start and path lookup out: for the anchor's
# benefit. Each figure is the median of NETFUSE_BENCH_AFS_ROUNDS rounds
# (default 3), with every round's figures in the log (copied to
# NETFUSE_BENCH_AFS_LOG when set) and the range printed after the line. A
# ratio above 1 is netfuse ahead (for times, CPU and memory: the anchor's
# over netfuse's; CPU under one clock tick counts as 0.01 s). Every cold
# figure starts the client fresh, so "cold" is cold for both (afsd.fuse with
# an empty disk cache). A client that fails a step of the newer figures
# (stat tree, read4, untar, afsio; afsd.fuse has been seen to crash with
# four readers) has that round left out: the line says how many rounds
# failed ("failed" in place of a figure when all did) and the log why.
#
# afsd.fuse runs as ../shared/peers/afs.md found it working: -obig_writes
# (FUSE options first), a 500 MB cache, 1 MiB chunks, -dynroot -fakestat.
#
# The cell: by default the script starts its own (test/peers/afs.sh) in a
# private directory and stops it at the end; that needs root, the OpenAFS
# servers, afsd.fuse and the UDP ports 7000-7005 free (no other cell
# running): otherwise each line says "not run". With
# NETFUSE_BENCH_AFS_CELL=DIR, or NETFUSE_PEERS set and a cell running in
# $NETFUSE_PEERS/afs, it uses that running cell instead and leaves it
# running (whoever else uses that cell must be kept off it meanwhile, e.g.
# run under `flock /tmp/netfuse-integration.lock`). Either way everything it
# writes lives in one directory of the test volume, netfuse-bench-afsm.PID,
# removed at the end (through a mount), and it stops only the clients it
# started. Every step is bounded by a timeout.
set -uo pipefail

names=(afs_mount_read_cold afs_mount_read_warm afs_mount_write afs_mount_small_files afs_mount_ls_cold
	afs_mount_ls_warm afs_mount_stat_tree_cold afs_mount_stat_tree_warm afs_mount_read4_cold afs_mount_untar
	afs_mount_rss_idle afs_mount_rss afs_mount_read_cold_afsio afs_mount_write_afsio)
SIZE=$((100 * 1024 * 1024))
R4SIZE=$((25 * 1024 * 1024))
SEED=20251205
ROUNDS=${NETFUSE_BENCH_AFS_ROUNDS:-3}
TARBALL=${NETFUSE_BENCH_AFS_TARBALL:-/usr/src/xorg-server.tar.xz}
src=$NETFUSE_SRCDIR
bld=$NETFUSE_BUILDDIR
afs="$src/test/peers/afs.sh"
prog="$bld/netfuse-afs"
tool="$bld/test/peers/afscp-tool"

. "$NETFUSE_SRCDIR/test/bench/lib.sh"

[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || bench_not_run "NETFUSE_BENCH_AFS_ROUNDS must be a positive number, not '$ROUNDS'"
[[ $(id -u) == 0 ]] || bench_not_run "needs root (the cell's mount namespace, FUSE mounts)"
command -v afsd.fuse >/dev/null || bench_not_run "afsd.fuse not found: install the Debian package openafs-fuse"
command -v afsio >/dev/null || bench_not_run "afsio not found: install the Debian package openafs-client"
[[ -x /usr/lib/openafs/fileserver ]] || bench_not_run "no OpenAFS fileserver: install openafs-fileserver and openafs-dbserver"
[[ -x $prog ]] || bench_not_run "$prog not built"
[[ -x $tool ]] || bench_not_run "$tool not built (needs libopenafs-dev)"

# A running cell to use, or none (start one).
cell=${NETFUSE_BENCH_AFS_CELL:-}
if [[ -z $cell && -n ${NETFUSE_PEERS:-} ]] && "$afs" status "$NETFUSE_PEERS/afs" >/dev/null 2>&1; then
	cell=$NETFUSE_PEERS/afs
fi
if [[ -n $cell ]]; then
	"$afs" status "$cell" >/dev/null 2>&1 || bench_not_run "no AFS cell running in $cell"
else
	for p in 7000 7002 7003 7005; do
		if ss -H -n -l -u "sport = :$p" 2>/dev/null | grep -q .; then
			bench_not_run "udp port $p is in use: another AFS cell is running (stop it first, or name it in NETFUSE_BENCH_AFS_CELL)"
		fi
	done
fi

peers=$(mktemp -d /tmp/netfuse-bench-afsm.XXXXXX) || exit 1
dir=${cell:-$peers/afs}
log="$peers/bench.log"
client_pid=
client_name=
B=netfuse-bench-afsm.$$ # our directory in the test volume
made_b=0
export NETFUSE_BUILDDIR="$bld"
[[ -n $cell ]] || export NETFUSE_PEERS="$peers"

# The client is alive (a dead child stays a zombie until waited for).
alive() {
	[[ -n $client_pid ]] && [[ $(awk '{ print $3 }' "/proc/$client_pid/stat" 2>/dev/null) =~ ^[^ZX]$ ]]
}
# A mount (even one whose daemon died: no stat of it).
is_mounted() {
	awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo
}
# Unmount, then end the client: netfuse-afs exits by itself once unmounted
# (given 10 s), afsd.fuse on SIGTERM. The log has how it ended and when.
stop_client() {
	local m st t0 _
	t0=$(date +%s.%N)
	for m in "$peers/n" "$peers/o"; do
		is_mounted "$m" && { fusermount -u "$m" 2>/dev/null || fusermount3 -u "$m" 2>/dev/null || umount -l "$m"; }
	done
	if [[ -n $client_pid ]]; then
		if [[ $client_name == netfuse ]]; then
			for _ in $(seq 100); do alive || break; sleep 0.1; done
		fi
		alive && kill -TERM "$client_pid" 2>/dev/null
		for _ in $(seq 100); do alive || break; sleep 0.1; done
		kill -KILL "$client_pid" 2>/dev/null
		wait "$client_pid" 2>/dev/null
		st=$?
		echo "stop: $client_name (pid $client_pid) exit status $st," \
			"$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s after the unmount" >>"$log"
		client_pid=
	fi
}

# start_client netfuse|afsd [NAME]: mount it fresh; sets $root (the test
# volume in it), $top (our directory in it) and $client_pid; ready once
# $top/NAME (default big100.bin) is there. Returns 1 (reason in the log)
# when it does not come up.
start_client() {
	mkdir -p "$peers/n" "$peers/o"
	client_name=$1
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
	top=$root/$B
	local _
	for _ in $(seq 300); do
		timeout -k 2 10 test -e "$top/${2:-big100.bin}" && return 0
		alive || { echo "start: $1 exited at start" >>"$log"; return 1; }
		sleep 0.1
	done
	echo "start: $1 did not come up in 30 s" >>"$log"
	return 1
}

# Remove our directory from the cell through a mount: netfuse's, else
# afsd.fuse's. Returns 1 when it is still there.
remove_ours() {
	local c
	for c in netfuse afsd; do
		if start_client "$c" .; then
			timeout -k 5 600 rm -rf -- "$top" 2>>"$log"
			stop_client
		else
			stop_client
		fi
		timeout 30 "$tool" stat "$AFS_TEST_DIR/$B" >/dev/null 2>&1 || return 0
		echo "cleanup: $AFS_TEST_DIR/$B still there after rm -rf through $c" >>"$log"
	done
	return 1
}

cleanup() {
	stop_client
	if [[ -n $cell ]] && ((made_b)) && ! remove_ours; then
		echo "bench afs_mount: could not remove $AFS_TEST_DIR/$B from the cell" >&2
	fi
	[[ -z "${NETFUSE_BENCH_AFS_LOG:-}" ]] || cp -- "$log" "$NETFUSE_BENCH_AFS_LOG"
	if [[ -z $cell ]] && ! "$afs" stop "$dir" >>"$log" 2>&1; then
		echo "bench afs_mount: stopping the cell failed; its state is in $dir" >&2
		return
	fi
	# --one-file-system: never into a mount that would not go away
	rm -rf --one-file-system -- "$peers"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "bench afs_mount: $*" >&2
	tail -n 30 "$log" >&2
	exit 1
}

if [[ -z $cell ]]; then
	rc=0
	NETFUSE_PEER_TIMEOUT=120 "$afs" start "$dir" >>"$log" 2>&1 || rc=$?
	((rc != 77)) || bench_not_run "the AFS cell cannot run here: $(tail -n 1 "$log")"
	((rc == 0)) || fail "the AFS cell did not start"
fi
eval "$("$afs" env "$dir")" || fail "afs.sh env failed"
echo "cell: $dir ($([[ -n $cell ]] && echo "running, shared" || echo "ours")), fileserver jumbograms $AFS_FILESERVER_JUMBO, our directory $AFS_TEST_DIR/$B" >>"$log"

# What the rounds read, made once with afscp-tool (a client neither mount
# has state about).
T="$AFS_TEST_DIR/$B"
t_setup=$(date +%s)
echo "setup: started $(date '+%F %T')" >>"$log"
timeout 60 "$tool" mkdir "$T" >>"$log" 2>&1 || fail "mkdir $T"
made_b=1
timeout 300 "$tool" mkfile "$T/big100.bin" "$SIZE" "$SEED" >>"$log" 2>&1 || fail "could not write big100.bin"
want=$("$tool" gen "$SIZE" "$SEED" | sha256sum | cut -d' ' -f1)
want_md5=$("$tool" gen "$SIZE" "$SEED" | md5sum | cut -d' ' -f1)
want4=()
for i in 0 1 2 3; do
	timeout 300 "$tool" mkfile "$T/r4-$i.bin" "$R4SIZE" "$((SEED + 1 + i))" >>"$log" 2>&1 || fail "could not write r4-$i.bin"
	want4+=("$("$tool" gen "$R4SIZE" "$((SEED + 1 + i))" | sha256sum | cut -d' ' -f1)")
done
timeout 60 "$tool" mkdir "$T/ls1000" >>"$log" 2>&1 || fail "mkdir ls1000"
names1000=()
for ((i = 0; i < 1000; i++)); do names1000+=("$T/ls1000/$(printf 'file-%04d' "$i")"); done
timeout 300 "$tool" touch "${names1000[@]}" >>"$log" 2>&1 || fail "touch 1000 files"
# The stat tree: 16 directories of 6 directories of 16 files.
tdirs=("$T/tree") tfiles=()
for ((i = 0; i < 16; i++)); do
	tdirs+=("$T/tree/d$i")
	for ((j = 0; j < 6; j++)); do
		tdirs+=("$T/tree/d$i/s$j")
		for ((k = 0; k < 16; k++)); do tfiles+=("$T/tree/d$i/s$j/f$k.c"); done
	done
done
TREE_ENTRIES=$((${#tdirs[@]} + ${#tfiles[@]}))
timeout 300 "$tool" mkdir "${tdirs[@]}" >>"$log" 2>&1 || fail "mkdir the stat tree"
timeout 600 "$tool" touch "${tfiles[@]}" >>"$log" 2>&1 || fail "touch the stat tree's files"
head -c "$SIZE" /dev/urandom >"$peers/src.bin"
src_md5=$(md5sum <"$peers/src.bin" | cut -d' ' -f1)
head -c $((SIZE / 2)) "$peers/src.bin" >"$peers/src.1"
tail -c +$((SIZE / 2 + 1)) "$peers/src.bin" >"$peers/src.2"
# The source tree: a plain tar, and the md5sum list of its files.
bench_untar_prepare "$peers" "$TARBALL"
echo "setup: $(($(date +%s) - t_setup)) s" >>"$log"


# The file on the fileserver is whole: its size, read by another client.
on_server() {
	timeout 30 "$tool" stat "$AFS_TEST_DIR/$B/$1" 2>/dev/null | grep -q " size=$SIZE "
}

declare -A fig cpus fails
record() { # record NAME CLIENT VALUE CPU
	fig[$1.$2]+="$3 "
	cpus[$1.$2]+="$4 "
	echo "round: $1 $2 value=$3 cpu=$4" >>"$log"
}
# A failed step: the round is left out of the figure; the line counts it.
failed() { # failed NAME CLIENT WHY
	fails[$1.$2]=$((${fails[$1.$2]:-0} + 1))
	echo "round: $1 $2 failed: $3" >>"$log"
	echo "bench afs_mount: $1: $2 failed: $3" >&2
}
# The client is gone: true, with why in $why_gone (its exit status).
gone() {
	alive && return 1
	local st=
	if [[ -n $client_pid ]]; then
		wait "$client_pid" 2>/dev/null
		st=$?
		client_pid=
	fi
	why_gone="$client_name exited (status $st$( ((st > 128)) && echo ", signal $((st - 128))"))"
}

round() {
	local c=$1 r=$2 t0 c0 s v i why
	start_client "$c" || fail "$c did not come up"
	record afs_mount_rss_idle "$c" "$(rss_mib)" 0
	# Cold and warm reads.
	c0=$(cpu) t0=$(now)
	s=$(timeout -k 5 300 sha256sum <"$top/big100.bin" | cut -d' ' -f1)
	v=$(since "$t0")
	[[ $s == "$want" ]] || fail "$c read big100.bin as $s, want $want"
	record afs_mount_read_cold "$c" "$(rate 100 "$v")" "$(minus "$(cpu)" "$c0")"
	c0=$(cpu) t0=$(now)
	timeout -k 5 300 cat "$top/big100.bin" >/dev/null || fail "$c: warm read failed"
	v=$(since "$t0")
	record afs_mount_read_warm "$c" "$(rate 100 "$v")" "$(minus "$(cpu)" "$c0")"
	# A 100 MiB write, until the fileserver has it all.
	local name="w-$c-$r.bin"
	c0=$(cpu) t0=$(now)
	timeout -k 5 300 cp "$peers/src.bin" "$top/$name" || fail "$c: cp to $name failed"
	local _
	for _ in $(seq 600); do on_server "$name" && break; sleep 0.05; done
	v=$(since "$t0")
	on_server "$name" || fail "$c: $name never reached the fileserver whole"
	record afs_mount_write "$c" "$(rate 100 "$v")" "$(minus "$(cpu)" "$c0")"
	rm -f "$top/$name"
	# 1,000 small files.
	mkdir "$top/small-$c-$r" || fail "$c: mkdir small"
	c0=$(cpu) t0=$(now)
	timeout -k 5 300 python3 -c '
import os, sys
d = sys.argv[1]
data = b"x" * 1024
for i in range(1000):
    with open(os.path.join(d, "f%04d" % i), "wb") as f:
        f.write(data)
' "$top/small-$c-$r" || fail "$c: small files"
	v=$(since "$t0")
	record afs_mount_small_files "$c" "$(rate 1000 "$v")" "$(minus "$(cpu)" "$c0")"
	record afs_mount_rss "$c" "$(rss_mib)" 0
	timeout -k 5 300 rm -rf "$top/small-$c-$r"
	stop_client
	# ls -l of 1,000 entries, on a fresh mount.
	start_client "$c" || fail "$c did not come up"
	c0=$(cpu) t0=$(now)
	n=$(timeout -k 5 120 ls -l "$top/ls1000" | grep -c '^-')
	v=$(since "$t0")
	[[ $n == 1000 ]] || fail "$c: ls -l shows $n files"
	record afs_mount_ls_cold "$c" "$(ms "$v")" "$(minus "$(cpu)" "$c0")"
	c0=$(cpu) t0=$(now)
	timeout -k 5 120 ls -l "$top/ls1000" >/dev/null
	v=$(since "$t0")
	record afs_mount_ls_warm "$c" "$(ms "$v")" "$(minus "$(cpu)" "$c0")"
	stop_client
	# stat of every entry of the tree, on a fresh mount, then again; then
	# the source tree unpacked and checked on that mount.
	start_client "$c" || fail "$c did not come up"
	for i in cold warm; do
		c0=$(cpu) t0=$(now)
		n=$(timeout -k 5 300 bash -c 'find "$1" -print0 | xargs -0 stat -c %s | wc -l' _ "$top/tree" 2>>"$log")
		v=$(since "$t0")
		if gone; then
			failed afs_mount_stat_tree_$i "$c" "$why_gone"
		elif [[ $n != "$TREE_ENTRIES" ]]; then
			failed afs_mount_stat_tree_$i "$c" "stat saw $n entries, want $TREE_ENTRIES"
		else
			record afs_mount_stat_tree_$i "$c" "$(ms "$v")" "$(minus "$(cpu)" "$c0")"
		fi
	done
	if [[ -n $untar_why ]]; then
		:
	elif gone; then
		failed afs_mount_untar "$c" "$why_gone before it"
	else
		local ud="$top/untar-$c-$r"
		if ! timeout -k 5 60 mkdir "$ud"; then
			failed afs_mount_untar "$c" "mkdir $ud failed"
		else
			# Timed whole; the log has the two parts.
			local v1 c1=
			c0=$(cpu) t0=$(now)
			timeout -k 5 600 tar -xf "$peers/src.tar" -C "$ud" --no-same-owner -m >>"$log" 2>&1
			s=$?
			v1=$(since "$t0")
			alive && c1=$(cpu)
			if ((s == 0)); then
				(cd "$ud" && timeout -k 5 600 md5sum -c --quiet "$peers/src.md5") >>"$log" 2>&1
				s=$?
			fi
			v=$(since "$t0")
			alive && echo "untar: $c tar -x ${v1}s cpu $(minus "$c1" "$c0"), md5sum -c $(minus "$v" "$v1")s" \
				"cpu $(minus "$(cpu)" "$c1")" >>"$log"
			if gone; then
				failed afs_mount_untar "$c" "$why_gone"
			elif ((s != 0)); then
				failed afs_mount_untar "$c" "tar -x + md5sum -c exited $s after ${v}s (see the log)"
			else
				record afs_mount_untar "$c" "$(awk -v t="$v" 'BEGIN { printf "%.2f", t }')" "$(minus "$(cpu)" "$c0")"
			fi
			t0=$(now)
			alive && { timeout -k 5 600 rm -rf "$ud" 2>>"$log" || echo "round: $c: rm -rf $ud failed" >>"$log"; }
			echo "untar: $c rm -rf (not timed) $(since "$t0")s" >>"$log"
		fi
	fi
	stop_client
	# Four readers at once, each of its own file, on a fresh mount.
	start_client "$c" || fail "$c did not come up"
	local pids=()
	c0=$(cpu) t0=$(now)
	for i in 0 1 2 3; do
		timeout -k 5 300 sha256sum <"$top/r4-$i.bin" 2>>"$log" | cut -d' ' -f1 >"$peers/r4-$i.sum" &
		pids+=($!)
	done
	wait "${pids[@]}" # not a bare wait: the client is a child too
	v=$(since "$t0")
	why=
	for i in 0 1 2 3; do
		s=$(<"$peers/r4-$i.sum")
		[[ $s == "${want4[i]}" ]] || why+="r4-$i.bin read as '${s:-nothing}'; "
	done
	if gone; then
		failed afs_mount_read4_cold "$c" "$why_gone; $why"
	elif [[ -n $why ]]; then
		failed afs_mount_read4_cold "$c" "$why"
	else
		record afs_mount_read4_cold "$c" "$(rate 100 "$v")" "$(minus "$(cpu)" "$c0")"
	fi
	stop_client
}

# afsio_run TIMEOUT ARGS... (stdin as given): sets $a_err (its stderr),
# $a_rc, $a_cpu (its user + system seconds) and $a_took (its own transfer
# time, or empty) for $a_bytes bytes.
afsio_run() {
	local out
	out=$(
		timeout -k 5 "$1" afsio "${@:2}" >/dev/null 2>"$peers/afsio.err"
		echo "$?"
		times
	)
	a_rc=$(sed -n 1p <<<"$out")
	a_cpu=$(sed -n 3p <<<"$out" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/)
		printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }')
	a_err=$(<"$peers/afsio.err")
	read -r a_bytes a_took < <(sed -n 's/^Transfer of \([0-9]*\) bytes took \([0-9.]*\) sec.*/\1 \2/p' <<<"$a_err")
	echo "afsio ${*:2}: rc=$a_rc cpu=$a_cpu; $(tr '\n' ' ' <<<"$a_err")" >>"$log"
}

afsio_read_ok=
afsio_round() {
	local r=$1 f="$AFS_TEST_DIR/$B/big100.bin" took cpu1 got
	local w="wa-$r.bin"
	# afsio prints errors but exits 0: the bytes it says it moved, and once
	# the MD5 of what it read (outside the clock), are the checks.
	if [[ -z $afsio_read_ok ]]; then
		got=$(timeout -k 5 300 afsio read -file "$f" -md5 2>&1 >/dev/null | sed -n 's/^\([0-9a-f]\{32\}\)  .*/\1/p')
		afsio_read_ok=1
		[[ $got == "$want_md5" ]] || afsio_read_ok="afsio read -md5 of big100.bin gave '$got', want $want_md5"
	fi
	if [[ $afsio_read_ok != 1 ]]; then
		failed afs_mount_read_cold afsio "$afsio_read_ok"
	else
		afsio_run 300 read -file "$f" -verbose
		if ((a_rc != 0)) || [[ ${a_bytes:-} != "$SIZE" ]]; then
			failed afs_mount_read_cold afsio "afsio read: exit $a_rc, $(tr '\n' ' ' <<<"$a_err")"
		else
			record afs_mount_read_cold afsio "$(rate 100 "$a_took")" "$a_cpu"
		fi
	fi
	timeout 60 "$tool" touch "$AFS_TEST_DIR/$B/$w" >>"$log" 2>&1 || fail "afscp-tool touch $w"
	afsio_run 300 write -file "$AFS_TEST_DIR/$B/$w" -force -verbose <"$peers/src.1"
	took=${a_took:-} cpu1=$a_cpu
	if ((a_rc != 0)) || [[ ${a_bytes:-} != "$((SIZE / 2))" ]]; then
		failed afs_mount_write afsio "afsio write: exit $a_rc, $(tr '\n' ' ' <<<"$a_err")"
	else
		afsio_run 300 append -file "$AFS_TEST_DIR/$B/$w" -verbose <"$peers/src.2"
		if ((a_rc != 0)) || [[ ${a_bytes:-} != "$((SIZE / 2))" ]] || ! on_server "$w"; then
			failed afs_mount_write afsio "afsio append: exit $a_rc, $(tr '\n' ' ' <<<"$a_err")"
		elif ((r == 0)) && got=$(timeout -k 5 300 afsio read -file "$AFS_TEST_DIR/$B/$w" -md5 2>&1 >/dev/null |
			sed -n 's/^\([0-9a-f]\{32\}\)  .*/\1/p') && [[ $got != "$src_md5" ]]; then
			# Once (outside the clock): what it wrote is the data.
			failed afs_mount_write afsio "what afsio wrote reads back as md5 '$got', want $src_md5"
		else
			record afs_mount_write afsio "$(rate 100 "$(plus "$took" "$a_took")")" "$(plus "$cpu1" "$a_cpu")"
		fi
	fi
	timeout 60 "$tool" rm "$AFS_TEST_DIR/$B/$w" >>"$log" 2>&1
}

t_rounds=$(date +%s)
for ((r = 0; r < ROUNDS; r++)); do
	round netfuse "$r"
	round afsd "$r"
	afsio_round "$r"
	echo "round $r done: $(($(date +%s) - t_rounds)) s" >>"$log"
done

vals() { # vals fig|cpus KEY
	if [[ $1 == fig ]]; then echo "${fig[$2]:-}"; else echo "${cpus[$2]:-}"; fi
}
# line FIGURE UNIT BIGGER_IS_BETTER [ANCHOR]: the FIGURE line (with ANCHOR
# afsio: FIGURE_afsio, netfuse's same figure beside afsio's) and its _cpu.
line() {
	local f=$1 u=$2 up=$3 an=${4:-afsd} name=$1 label=afsd.fuse what n a rn ra note vn va
	[[ $an == afsio ]] && name=${f}_afsio label=afsio
	for what in fig cpus; do
		[[ $what == cpus && $f == afs_mount_rss* ]] && return
		vn=$(vals "$what" "$f.netfuse") va=$(vals "$what" "$f.$an")
		n=failed a=failed rn=- ra=-
		[[ -n $vn ]] && n=$(median "$vn") rn=$(range "$vn")
		[[ -n $va ]] && a=$(median "$va") ra=$(range "$va")
		note=
		((${fails[$f.netfuse]:-0} == 0)) || note+="; netfuse failed in ${fails[$f.netfuse]} of $ROUNDS"
		((${fails[$f.$an]:-0} == 0)) || note+="; $label failed in ${fails[$f.$an]} of $ROUNDS"
		if [[ $what == fig ]]; then
			awk -v name="$name" -v label="$label" -v n="$n" -v a="$a" -v u="$u" -v up="$up" -v rn="$rn" \
				-v ra="$ra" -v k="$ROUNDS" -v note="$note" \
				'BEGIN { r = (n == "failed" || a == "failed") ? "-" : sprintf("%.2f", up ? n / a : a / n)
				printf "bench %s: netfuse=%s %s=%s ratio=%s %s (ranges over %d rounds: %s, %s%s)\n",
					name, n, label, a, r, u, k, rn, ra, note }'
		else
			awk -v name="$name" -v label="$label" -v n="$n" -v a="$a" -v rn="$rn" -v ra="$ra" -v note="$note" \
				'BEGIN { lo = 0.01 # one clock tick
				r = (n == "failed" || a == "failed") ? "-" : sprintf("%.2f", (a > lo ? a : lo) / (n > lo ? n : lo))
				printf "bench %s_cpu: netfuse=%s %s=%s ratio=%s s (ranges: %s, %s%s)\n",
					name, n, label, a, r, rn, ra, note }'
		fi
	done
}
line afs_mount_read_cold MiB/s 1
line afs_mount_read_warm MiB/s 1
line afs_mount_write MiB/s 1
line afs_mount_small_files files/s 1
line afs_mount_ls_cold ms 0
line afs_mount_ls_warm ms 0
line afs_mount_stat_tree_cold ms 0
line afs_mount_stat_tree_warm ms 0
line afs_mount_read4_cold MiB/s 1
if [[ -n $untar_why ]]; then
	echo "bench afs_mount_untar: not run ($untar_why)"
else
	line afs_mount_untar s 0
fi
line afs_mount_rss_idle MiB 0
line afs_mount_rss MiB 0
line afs_mount_read_cold MiB/s 1 afsio
line afs_mount_write MiB/s 1 afsio
echo "rounds: $(($(date +%s) - t_rounds)) s" >>"$log"
