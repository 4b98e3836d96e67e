#!/bin/bash
# test/peers/afs.sh start|stop|status|env|restart-fileserver [DIR]: a real OpenAFS cell,
# example.test, on 127.0.0.1 for the AFS tests.
#
# Debian's ptserver, vlserver, fileserver (classic, not DAFS) and volserver
# run unauthenticated (NoAuth) without a bosserver. Every file they write
# lives in DIR. Some of their paths are compiled in (/var/lib/openafs/local
# for NoAuth, NetInfo, sysid and the fssync socket; /vicepX for partitions),
# so they run in one private mount namespace where DIR's copies are bound
# over /var/lib/openafs/local, /etc/openafs and /vicepa. The namespace is
# held only by the four servers: a launcher (this script, run by unshare)
# mounts, starts them, records their PIDs and exits, so once stop has ended
# the four recorded PIDs the namespace is gone too.
#
# start then creates root.afs, root.cell and the test volume, opens their
# root ACLs to system:anyuser and writes the test content with afscp-tool
# (libafscp: there is no AFS kernel module). `env` prints what a test needs
# to find it all. The whole start is bounded by NETFUSE_PEER_TIMEOUT seconds
# (default 120); a start that fails stops what it started and exits 1, one
# that cannot run on this machine exits 77.
#
# The fileserver registers 127.0.0.1 and 127.1.0.1 in the VLDB (both reach it
# on lo): vos will not take a 127.0.x.x address as -server.
#
# Jumbograms: by default the fileserver sends one 1416-byte packet per
# datagram. With NETFUSE_AFS_JUMBO=1 in the environment of `start` it runs
# with -jumbo (5692-byte datagrams of four packets). `restart-fileserver`
# restarts only the fileserver of a running cell, in the mode
# NETFUSE_AFS_JUMBO asks for (the database and volume servers, the volumes
# and their content stay; callbacks the old fileserver promised are gone).
# `env` says which mode runs (AFS_FILESERVER_JUMBO=0|1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
PEER_NAME=afs
# shellcheck source=lib.sh
. "$here/lib.sh"

cmd=${1:-}
PEER_DIR=${2:-$(peer_default_dir afs)}
[[ "$PEER_DIR" == /* ]] || PEER_DIR="$PWD/$PEER_DIR"
PEER_DIR=${PEER_DIR%/}
[[ -n "$PEER_DIR" ]] || peer_die "refusing to use / as the peer directory"

CELL=example.test
SBIN=/usr/lib/openafs
SERVERS=(ptserver vlserver fileserver volserver)
# Rx ports: fileserver 7000, ptserver 7002, vlserver 7003, volserver 7005.
declare -A PORT=([fileserver]=7000 [ptserver]=7002 [vlserver]=7003 [volserver]=7005)
TEST_VOLUME="test"
TOP=/afs/$CELL/$TEST_VOLUME
BIG_SIZE=$((10 * 1024 * 1024))
BIG_SEED=20240601
SMALL_CONTENT="Hello from the example.test AFS cell."
MANY=200
START_LIMIT=${NETFUSE_PEER_TIMEOUT:-120}
case ${NETFUSE_AFS_JUMBO:-0} in
0 | "") JUMBO=0 ;;
1) JUMBO=1 ;;
*) peer_die "NETFUSE_AFS_JUMBO must be 0 or 1, not '$NETFUSE_AFS_JUMBO'" ;;
esac

CONF="$PEER_DIR/etc/openafs"
SCONF="$CONF/server"

# vos and pts get -config; other client tools find the cell through AFSCONF
# (used while /etc/openafs/ThisCell does not exist). A host krb5.conf only
# slows them down (and crashes afsio).
export AFSCONF="$CONF" KRB5_CONFIG=/dev/null

find_tool() {
	local t
	for t in "${NETFUSE_AFSCP_TOOL:-}" \
		"${NETFUSE_BUILDDIR:+$NETFUSE_BUILDDIR/test/peers/afscp-tool}" \
		"$here/afscp-tool"; do
		[[ -n "$t" && -x "$t" ]] && { echo "$t"; return 0; }
	done
	command -v afscp-tool 2>/dev/null
}

# Exit 77 (cannot run here) with one reason when the machine lacks something.
cannot_run() {
	echo "$PEER_NAME: $*" >&2
	exit 77
}

check_machine() {
	local s
	for s in "${SERVERS[@]}"; do
		[[ -x "$SBIN/$s" ]] || cannot_run "$SBIN/$s not found: install the Debian packages openafs-fileserver and openafs-dbserver"
	done
	for s in vos pts rxdebug; do
		command -v "$s" >/dev/null || cannot_run "$s not found: install the Debian package openafs-client"
	done
	for s in unshare nsenter mount ss timeout sha256sum; do
		command -v "$s" >/dev/null || cannot_run "$s not found"
	done
	[[ $(id -u) -eq 0 ]] || cannot_run "needs root (a private mount namespace over /etc/openafs, /var/lib/openafs/local and /vicepa)"
	unshare -m --propagation private true 2>/dev/null ||
		cannot_run "cannot create a mount namespace here (unshare -m failed)"
}

# rxdebug waits ~30 s for a server that is not there; never let it.
answers() {
	timeout 4 rxdebug 127.0.0.1 "$1" -version 2>/dev/null | grep -q 'AFS version'
}

# A random DES key with odd parity in every byte (else key_sched fails).
odd_parity_key() {
	local b i ones out=""
	for b in $(od -An -tu1 -N8 /dev/urandom); do
		ones=0
		for ((i = 1; i < 256; i <<= 1)); do
			((b & i)) && ones=$((ones + 1))
		done
		((ones % 2)) || b=$((b ^ 1))
		out+=$(printf '\\0%03o' "$b")
	done
	printf '%s' "$out"
}

write_config() {
	local d
	for d in "$SCONF" "$PEER_DIR/local" "$PEER_DIR/db" "$PEER_DIR/logs" "$PEER_DIR/vicepa" "$PEER_DIR/pids"; do
		mkdir -p "$d"
	done
	chmod 700 "$PEER_DIR/local" "$PEER_DIR/db"
	for d in "$CONF" "$SCONF"; do
		printf '%s\n' "$CELL" >"$d/ThisCell"
		printf '>%s\t#netfuse test cell\n127.0.0.1\t#localhost\n' "$CELL" >"$d/CellServDB"
	done
	echo admin >"$SCONF/UserList"
	# KeyFile: key count, then kvno and 8 key bytes per key, all big-endian.
	printf '\0\0\0\1\0\0\0\1%b' "$(odd_parity_key)" >"$SCONF/KeyFile"
	chmod 600 "$SCONF/KeyFile"
	: >"$PEER_DIR/local/NoAuth"
	# The servers skip loopback addresses unless forced ("f"). 127.1.0.1 is a
	# second address on lo that vos accepts as -server (it refuses 127.0.x.x).
	printf 'f 127.0.0.1\nf 127.1.0.1\n' >"$PEER_DIR/local/NetInfo"
	# The bind mount is not a separate device; attach it anyway.
	: >"$PEER_DIR/vicepa/AlwaysAttach"
}

# Inside the new mount namespace (run by unshare from start): bind DIR's
# copies over the compiled-in paths, start the database servers, then the
# file and volume servers once the VL server has a quorum, so the fileserver
# finds it ready when it registers its addresses at startup.
launch() {
	peer_record launcher $$
	peer_release_fuse_mounts
	mount --bind "$PEER_DIR/local" /var/lib/openafs/local
	mount --bind "$CONF" /etc/openafs
	mount --bind "$PEER_DIR/vicepa" /vicepa
	readlink /proc/self/ns/mnt >"$PEER_DIR/pids/namespace"

	local L="$PEER_DIR/logs"
	peer_spawn ptserver "$L/ptserver.out" \
		"$SBIN/ptserver" -config "$SCONF" -database "$PEER_DIR/db/prdb" -logfile "$L/PtLog"
	peer_spawn vlserver "$L/vlserver.out" \
		"$SBIN/vlserver" -noauth -config "$SCONF" -database "$PEER_DIR/db/vldb" -logfile "$L/VLLog"
	PEER_WATCH="ptserver vlserver" peer_wait_for "${1:-60}" "the VL server's quorum" \
		timeout 10 vos listvldb -noauth -config "$CONF"
	spawn_fileserver
	peer_spawn volserver "$L/volserver.out" \
		"$SBIN/volserver" -config "$SCONF" -logfile "$L/VolserLog"
	rm -f "$PEER_DIR/pids/launcher.pid" "$PEER_DIR/pids/launcher.pid.start"
}

# The fileserver in the mode JUMBO asks for, through CMD... (nothing, or
# nsenter into the cell's namespace). The mode is recorded for `env`.
spawn_fileserver() {
	local args=(-config "$SCONF" -logfile "$PEER_DIR/logs/FileLog")
	((JUMBO)) && args+=(-jumbo)
	echo "$JUMBO" >"$PEER_DIR/fileserver.jumbo"
	peer_spawn fileserver "$PEER_DIR/logs/fileserver.out" "$@" "$SBIN/fileserver" "${args[@]}"
}

logs() {
	local L="$PEER_DIR/logs"
	echo "$L/PtLog" "$L/ptserver.out" "$L/VLLog" "$L/vlserver.out" \
		"$L/FileLog" "$L/fileserver.out" "$L/VolserLog" "$L/volserver.out" "$L/setup.log"
}

# Seconds left before start's deadline (at least 1, so waits still try once).
left() {
	local n=$((deadline - $(date +%s)))
	((n > 0)) && echo "$n" || echo 1
}

# step WHAT CMD...: one bounded setup command; its output goes to setup.log.
step() {
	current="$1"
	shift
	local line="$*"
	((${#line} <= 300)) || line="${line:0:300}..."
	echo "+ $line" >>"$PEER_DIR/logs/setup.log"
	timeout "$(left)" "$@" >>"$PEER_DIR/logs/setup.log" 2>&1
}

fileserver_registered() {
	timeout 10 vos listaddrs -noresolve -noauth -config "$CONF" 2>/dev/null | grep -qx '127.0.0.1'
}

# The volume roots' ACLs start as system:administrators only. An admin
# ticket made from the KeyFile opens them to system:anyuser; that takes a
# pts user in system:administrators and the KeyFile at its compiled-in path,
# i.e. afscp-tool run inside the cell's mount namespace. The rest is written
# anonymously; the integration tests find it through `env`.
populate() {
	local as_admin=(nsenter --mount="/proc/$(<"$PEER_DIR/pids/fileserver.pid")/ns/mnt" --
		"$TOOL" -a admin)
	step "create the pts user admin" pts createuser -name admin -noauth -config "$CONF"
	step "add admin to system:administrators" pts adduser -user admin -group system:administrators -noauth -config "$CONF"
	step "grant system:anyuser all rights in root.afs" "${as_admin[@]}" setacl /afs system:anyuser rlidwka
	step "mount root.cell in root.afs" "$TOOL" mountpoint "/afs/$CELL" "#$CELL:root.cell."
	step "mount root.cell read-write in root.afs" "$TOOL" mountpoint "/afs/.$CELL" "%$CELL:root.cell."
	step "grant system:anyuser all rights in root.cell" "${as_admin[@]}" setacl "/afs/$CELL" system:anyuser rlidwka
	step "mount the test volume in root.cell" "$TOOL" mountpoint "/afs/$CELL/$TEST_VOLUME" "#$TEST_VOLUME."
	step "grant system:anyuser all rights in the test volume" "${as_admin[@]}" setacl "$TOP" system:anyuser rlidwka

	step "create the directories" "$TOOL" mkdir "$TOP/dir" "$TOP/dir/sub" "$TOP/dir/sub/deeper" "$TOP/many"
	step "write the small file" "$TOOL" put "$TOP/hello.txt" <<<"$SMALL_CONTENT"
	step "write a file in the nested directory" "$TOOL" put "$TOP/dir/sub/deeper/leaf.txt" <<<"leaf"
	step "create the empty file" "$TOOL" touch "$TOP/empty"
	step "write the 10 MiB file" "$TOOL" mkfile "$TOP/big.bin" "$BIG_SIZE" "$BIG_SEED"
	step "create the relative symlink" "$TOOL" symlink "$TOP/link-rel" hello.txt
	step "create the absolute symlink" "$TOOL" symlink "$TOP/link-abs" "$TOP/hello.txt"
	step "create the mount point" "$TOOL" mountpoint "$TOP/root" "#$CELL:root.cell."
	local names=() i
	for ((i = 0; i < MANY; i++)); do
		names+=("$TOP/many/$(printf 'entry-%03d' "$i")")
	done
	step "create $MANY entries in many/" "$TOOL" touch "${names[@]}"

	current="compute the 10 MiB file's sha256"
	local want got
	want=$("$TOOL" gen "$BIG_SIZE" "$BIG_SEED" | sha256sum | cut -d' ' -f1)
	current="read the 10 MiB file back"
	got=$(timeout "$(left)" "$TOOL" cat "$TOP/big.bin" | sha256sum | cut -d' ' -f1)
	if [[ "$got" != "$want" ]]; then
		echo "$PEER_NAME: big.bin reads back as sha256 $got, wrote $want" >&2
		return 1
	fi
	echo "$want  big.bin" >"$PEER_DIR/test-volume.sha256"
}

start_failed() {
	local rc=$?
	trap - EXIT
	((rc != 0)) || return 0
	# A signal's trap runs with the redirections of the command it
	# interrupted (a wait's >/dev/null): report on start's own stderr.
	exec >&"$err_fd" 2>&"$err_fd"
	echo "$PEER_NAME: start failed at step: ${current:-?} (exit $rc)" >&2
	# shellcheck disable=SC2046
	peer_show_logs $(logs)
	echo "$PEER_NAME: stopping what was started" >&2
	stop || true
	exit 1
}

start() {
	check_machine
	TOOL=$(find_tool) || peer_die "build netfuse first (make) to get test/peers/afscp-tool"
	if peer_any_running; then
		peer_die "already running in $PEER_DIR (pids $(peer_running_pids | tr '\n' ' ')); stop it first"
	fi
	peer_require_free udp 7000 7002 7003 7005

	# Whatever an earlier start left in DIR goes (only a DIR it made).
	peer_fresh_dir
	write_config
	# The one change outside DIR: an empty mount point for the partition.
	[[ -d /vicepa ]] || mkdir /vicepa

	deadline=$(($(date +%s) + START_LIMIT))
	exec {err_fd}>&2
	current="start the servers in a private mount namespace"
	trap start_failed EXIT
	# Interrupted (^C, a harness timeout): still stop what was started.
	trap 'exit 1' INT TERM HUP
	timeout "$(left)" unshare -m --propagation private "$self" __launch "$PEER_DIR" "$(left)"

	current="wait for the servers to answer"
	local s
	for s in "${SERVERS[@]}"; do
		PEER_WATCH="${SERVERS[*]}" peer_wait_for "$(left)" "$s on udp ${PORT[$s]}" answers "${PORT[$s]}"
	done
	current="wait for the fileserver to register its addresses"
	PEER_WATCH="${SERVERS[*]}" peer_wait_for "$(left)" "the fileserver's VLDB registration" fileserver_registered
	current="wait for the fileserver to attach /vicepa"
	PEER_WATCH=fileserver peer_wait_for "$(left)" "the fileserver to attach /vicepa" \
		grep -q 'Partition /vicepa: attached' "$PEER_DIR/logs/FileLog"

	local v
	for v in root.afs root.cell "$TEST_VOLUME"; do
		step "create volume $v" vos create -server 127.1.0.1 -partition a -name "$v" -maxquota 0 -noauth -config "$CONF"
	done
	populate

	trap - EXIT INT TERM HUP
	peer_log "cell $CELL running (pids $(peer_running_pids | tr '\n' ' ')), state in $PEER_DIR"
}

stop() {
	[[ -d "$PEER_DIR/pids" ]] || return 0
	local ours s rc=0
	ours=$(peer_running_pids | tr '\n' ' ')
	# A launcher still running (start killed half-way) must not start more.
	peer_stop_one launcher TERM 5
	# The fileserver ignores SIGTERM; SIGQUIT makes it detach its volumes.
	peer_stop_one fileserver QUIT 30
	peer_stop_one volserver TERM 15
	peer_stop_one vlserver TERM 15
	peer_stop_one ptserver TERM 15
	for s in "${SERVERS[@]}"; do
		if peer_pid_alive "$PEER_DIR/pids/$s.pid"; then
			echo "$PEER_NAME: $s is still running" >&2
			rc=1
		fi
	done
	# The servers were the namespace's only members; nothing may hold it now.
	if [[ -s "$PEER_DIR/pids/namespace" ]]; then
		local ns held=""
		ns=$(<"$PEER_DIR/pids/namespace")
		for s in /proc/[0-9]*/ns/mnt; do
			[[ "$(readlink "$s" 2>/dev/null)" == "$ns" ]] && held+=" ${s//[^0-9]/}"
		done
		if [[ -n "$held" ]]; then
			echo "$PEER_NAME: the cell's mount namespace $ns is still held by pid(s)$held" >&2
			rc=1
		else
			rm -f "$PEER_DIR/pids/namespace"
		fi
	fi
	local port pid
	for port in 7000 7001 7002 7003 7004 7005 7006 7007; do
		for pid in $ours; do
			if ss -H -u -a -n -p "sport = :$port" 2>/dev/null | grep -q "pid=$pid,"; then
				echo "$PEER_NAME: udp port $port is still held by pid $pid" >&2
				rc=1
			fi
		done
	done
	return $rc
}

# Only the fileserver goes and comes back, in the mode JUMBO asks for, inside
# the namespace the volserver still holds. Ready once it reads the test
# volume again (right after attaching, volumes can be busy for a moment).
restart_fileserver() {
	local s ns_pid L="$PEER_DIR/logs"
	check_machine
	TOOL=$(find_tool) || peer_die "build netfuse first (make) to get test/peers/afscp-tool"
	for s in "${SERVERS[@]}"; do
		peer_pid_alive "$PEER_DIR/pids/$s.pid" || peer_die "$s is not running in $PEER_DIR; start the cell first"
	done
	ns_pid=$(<"$PEER_DIR/pids/volserver.pid")
	[[ "$(readlink "/proc/$ns_pid/ns/mnt")" == "$(<"$PEER_DIR/pids/namespace")" ]] ||
		peer_die "the volserver (pid $ns_pid) is not in the cell's mount namespace"
	peer_stop_one fileserver QUIT 30 || peer_die "the fileserver did not stop"
	# A fresh log, so the wait below sees this start's lines only.
	[[ -e "$L/FileLog" ]] && mv -f "$L/FileLog" "$L/FileLog.before-restart"
	spawn_fileserver nsenter --mount="/proc/$ns_pid/ns/mnt" --
	PEER_WATCH=fileserver peer_wait_for "$START_LIMIT" "the restarted fileserver to attach /vicepa" \
		grep -q 'Partition /vicepa: attached' "$L/FileLog" || return 1
	PEER_WATCH=fileserver peer_wait_for "$START_LIMIT" "the restarted fileserver to serve the test volume" \
		timeout 20 "$TOOL" stat "$TOP/hello.txt" || return 1
	peer_log "fileserver restarted (pid $(<"$PEER_DIR/pids/fileserver.pid"), jumbograms $( ((JUMBO)) && echo on || echo off))"
}

status() {
	local s rc=0
	for s in "${SERVERS[@]}"; do
		if ! peer_pid_alive "$PEER_DIR/pids/$s.pid"; then
			echo "$s: not running"
			rc=1
		elif ! answers "${PORT[$s]}"; then
			echo "$s: pid $(<"$PEER_DIR/pids/$s.pid") does not answer on udp ${PORT[$s]}"
			rc=1
		else
			echo "$s: running, pid $(<"$PEER_DIR/pids/$s.pid")"
		fi
	done
	return $rc
}

env_() {
	[[ -s "$PEER_DIR/test-volume.sha256" ]] ||
		peer_die "no cell set up in $PEER_DIR (run: $0 start $PEER_DIR)"
	local tool_path
	tool_path=$(find_tool) || tool_path=""
	local -A e=(
		[AFSCONF]="$CONF"
		[KRB5_CONFIG]=/dev/null
		[AFS_CELL]="$CELL"
		[AFS_SERVER]=127.0.0.1
		[AFS_TEST_VOLUME]="$TEST_VOLUME"
		[AFS_TEST_DIR]="$TOP"
		[AFS_SMALLFILE]="$TOP/hello.txt"
		[AFS_SMALLFILE_CONTENT]="$SMALL_CONTENT"
		[AFS_EMPTYFILE]="$TOP/empty"
		[AFS_BIGFILE]="$TOP/big.bin"
		[AFS_BIGFILE_SIZE]="$BIG_SIZE"
		[AFS_BIGFILE_SEED]="$BIG_SEED"
		[AFS_BIGFILE_SHA256]="$(cut -d' ' -f1 "$PEER_DIR/test-volume.sha256")"
		[AFS_NESTED_FILE]="$TOP/dir/sub/deeper/leaf.txt"
		[AFS_MANY_DIR]="$TOP/many"
		[AFS_MANY_COUNT]="$MANY"
		[AFS_SYMLINK_REL]="$TOP/link-rel"
		[AFS_SYMLINK_REL_TARGET]=hello.txt
		[AFS_SYMLINK_ABS]="$TOP/link-abs"
		[AFS_SYMLINK_ABS_TARGET]="$TOP/hello.txt"
		[AFS_MOUNTPOINT]="$TOP/root"
		[AFS_MOUNTPOINT_TARGET]="#$CELL:root.cell."
		[AFS_PEER_DIR]="$PEER_DIR"
		[AFSCP_TOOL]="$tool_path"
		[AFS_FILESERVER_JUMBO]="$(cat "$PEER_DIR/fileserver.jumbo" 2>/dev/null || echo 0)"
	)
	local k
	for k in $(printf '%s\n' "${!e[@]}" | sort); do
		printf 'export %s=%q\n' "$k" "${e[$k]}"
	done
}

case $cmd in
start) start ;;
stop) stop ;;
status) status ;;
env) env_ ;;
restart-fileserver) restart_fileserver ;;
__launch) launch "${3:-60}" ;;
*)
	echo "usage: [NETFUSE_AFS_JUMBO=1] $0 start|stop|status|env|restart-fileserver [DIR]" >&2
	exit 2
	;;
esac
