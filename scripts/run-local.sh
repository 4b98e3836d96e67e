#!/bin/bash
# scripts/run-local.sh [start|stop|status]: netfuse's main job on this machine.
#
# start (the default): installs the dependencies, builds netfuse in build/,
# and starts the local servers on 127.0.0.1 in ./local-peers/: a 3-monitor
# Ceph cluster with a CephFS, an OpenAFS cell example.test, rpcbind, and
# netfuse's lock server netfuse-lockd on it; then shows what a client sees of
# them, and mounts both file systems: the local Ceph cluster
# with netfuse-ceph on ./local-peers/mnt/ceph (ls, df, .health, .ceph/monc) and
# the cell's root.cell with netfuse-afs on ./local-peers/mnt/afs, its locks
# through netfuse-lockd (ls, a file, a lock, df, .health, .afs/servers).
# stop: unmounts and stops exactly what this script started. status: shows them.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
peers_dir="$top/local-peers"
peers=(ceph afs rpcbind)
ceph_mnt="$peers_dir/mnt/ceph"
afs_mnt="$peers_dir/mnt/afs"
lockd_pidfile="$peers_dir/netfuse-lockd.pid"
lockd_health="$peers_dir/netfuse-lockd.health"
lockd_state="$peers_dir/netfuse-lockd.state"

mounted() { awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; }
lockd_running() { [[ -s "$lockd_pidfile" ]] && kill -0 "$(<"$lockd_pidfile")" 2>/dev/null; }
ceph_mounted() { mounted "$ceph_mnt"; }

show() {
	local dir
	dir="$peers_dir/ceph"
	if test/peers/ceph.sh status "$dir" >/dev/null 2>&1; then
		(
			eval "$(test/peers/ceph.sh env "$dir")"
			echo "== Ceph cluster ($dir): ceph -s; ceph df"
			ceph -s
			ceph df
		)
	else
		echo "== Ceph cluster: not running"
	fi
	dir="$peers_dir/afs"
	if test/peers/afs.sh status "$dir" >/dev/null 2>&1; then
		(
			eval "$(test/peers/afs.sh env "$dir")"
			echo "== AFS cell $AFS_CELL ($dir): rxdebug -version; vos listvldb"
			rxdebug 127.0.0.1 7000 -version
			vos listvldb -noauth -config "$AFSCONF"
		)
	else
		echo "== AFS cell: not running"
	fi
	if test/peers/rpcbind.sh status "$peers_dir/rpcbind" >/dev/null 2>&1; then
		echo "== rpcbind: rpcinfo -p 127.0.0.1"
		rpcinfo -p 127.0.0.1
	else
		echo "== rpcbind: not running"
	fi
	if lockd_running; then
		echo "== netfuse-lockd (pid $(<"$lockd_pidfile")): rpcinfo -T udp 127.0.0.1 nlockmgr 4; its health file"
		rpcinfo -T udp 127.0.0.1 100021 4
		cat "$lockd_health"
	else
		echo "== netfuse-lockd: not running"
	fi
	if ceph_mounted; then
		echo "== netfuse-ceph on $ceph_mnt (CephFS, read-only for now): ls -la; df -h; cat .health; cat .ceph/monc"
		ls -la "$ceph_mnt"
		df -h "$ceph_mnt"
		cat "$ceph_mnt/.health"
		cat "$ceph_mnt/.ceph/monc"
	else
		echo "== netfuse-ceph: not mounted"
	fi
	if mounted "$afs_mnt"; then
		echo "== netfuse-afs on $afs_mnt: ls -l; ls -l test; cat test/hello.txt; a lock through netfuse-lockd; df -h; cat .health; cat .afs/servers"
		ls -l "$afs_mnt"
		ls -l "$afs_mnt/test"
		cat "$afs_mnt/test/hello.txt"
		# flock holds it while a second flock, which the lock server refuses, tries.
		flock -x "$afs_mnt/test/hello.txt" \
			sh -c 'flock -n "$1" true && echo "a second lock was granted?!" || echo "hello.txt locked: a second flock -n is refused by netfuse-lockd"' \
			_ "$afs_mnt/test/hello.txt" || echo "flock on hello.txt failed (is netfuse-lockd running?)"
		df -h "$afs_mnt"
		cat "$afs_mnt/.health"
		cat "$afs_mnt/.afs/servers"
	else
		echo "== netfuse-afs: not mounted"
	fi
}

start() {
	scripts/install-deps.sh
	[[ -x configure && configure -nt configure.ac ]] || autoreconf -fi
	mkdir -p build
	(cd build && { [[ -f Makefile ]] || ../configure -q; } && make -j2 -s)
	export NETFUSE_BUILDDIR="$top/build"
	mkdir -p "$peers_dir"
	for p in "${peers[@]}"; do
		if test/peers/"$p".sh status "$peers_dir/$p" >/dev/null 2>&1; then
			echo "== $p: already running in $peers_dir/$p"
			continue
		fi
		echo "== starting $p in $peers_dir/$p"
		test/peers/"$p".sh start "$peers_dir/$p"
	done
	if ! lockd_running; then
		# No statd among the local servers yet: client hosts are not monitored.
		echo "== starting netfuse-lockd on the local rpcbind"
		build/netfuse-lockd -o "nostatd,pidfile=$lockd_pidfile,health=$lockd_health,statedir=$lockd_state"
	fi
	if ! ceph_mounted; then
		if [[ $(id -u) == 0 && -c /dev/fuse ]]; then
			mkdir -p "$ceph_mnt"
			(
				eval "$(test/peers/ceph.sh env "$peers_dir/ceph")"
				echo "== mounting the local cluster: netfuse-ceph :/ $ceph_mnt -c CONF --id admin -k KEYRING"
				build/netfuse-ceph :/ "$ceph_mnt" -c "$CEPH_CONF" --id admin -k "$CEPH_KEYRING"
			)
		else
			echo "== netfuse-ceph: not mounted (needs root and /dev/fuse)"
		fi
	fi
	if ! mounted "$afs_mnt"; then
		if [[ $(id -u) == 0 && -c /dev/fuse ]]; then
			mkdir -p "$afs_mnt"
			(
				eval "$(test/peers/afs.sh env "$peers_dir/afs")"
				echo "== mounting the local cell: netfuse-afs %$AFS_CELL:root.cell $afs_mnt -o cellservdb=...,thiscell=...,lockd=127.0.0.1"
				build/netfuse-afs "%$AFS_CELL:root.cell" "$afs_mnt" \
					-o "cellservdb=$AFSCONF/CellServDB,thiscell=$AFSCONF/ThisCell,lockd=127.0.0.1"
			)
		else
			echo "== netfuse-afs: not mounted (needs root and /dev/fuse)"
		fi
	fi
	show
	echo
	echo "The servers keep running; stop them with: scripts/run-local.sh stop"
}

stop() {
	local p rc=0
	local m
	for m in "$ceph_mnt" "$afs_mnt"; do
		if mounted "$m"; then
			echo "== unmounting $m"
			fusermount3 -u "$m" || rc=1
		fi
	done
	if lockd_running; then
		echo "== stopping netfuse-lockd"
		local pid
		pid=$(<"$lockd_pidfile")
		kill -TERM "$pid"
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	for p in "${peers[@]}"; do
		[[ -d "$peers_dir/$p" ]] || continue
		echo "== stopping $p"
		test/peers/"$p".sh stop "$peers_dir/$p" || rc=1
	done
	return $rc
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
status) show ;;
*)
	echo "usage: $0 [start|stop|status]" >&2
	exit 2
	;;
esac
