#!/bin/bash
# scripts/run-local.sh [start|stop|status]: netfuse's main job on this machine.
#
# start (the default): installs the dependencies, builds netfuse in build/,
# and starts the local servers on 127.0.0.1 in ./local-peers/: a 3-monitor
# Ceph cluster with a CephFS, an OpenAFS cell example.test, and rpcbind; then
# shows what a client sees of them, and mounts the local Ceph cluster with
# netfuse-ceph on ./local-peers/mnt/ceph to show df, .health and .ceph/monc
# there. The netfuse-afs mount joins it when that front-end lands.
# stop: unmounts and stops exactly what this script started. status: shows them.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
peers_dir="$top/local-peers"
peers=(ceph afs rpcbind)
ceph_mnt="$peers_dir/mnt/ceph"

ceph_mounted() { awk -v m="$ceph_mnt" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; }

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
	if ceph_mounted; then
		echo "== netfuse-ceph on $ceph_mnt: df -h; cat .health; cat .ceph/monc"
		df -h "$ceph_mnt"
		cat "$ceph_mnt/.health"
		cat "$ceph_mnt/.ceph/monc"
	else
		echo "== netfuse-ceph: not mounted"
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
	show
	echo
	echo "The servers keep running; stop them with: scripts/run-local.sh stop"
}

stop() {
	local p rc=0
	if ceph_mounted; then
		echo "== unmounting $ceph_mnt"
		fusermount3 -u "$ceph_mnt" || rc=1
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
