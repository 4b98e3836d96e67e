#!/bin/bash
# test/peers/rpcbind.sh start|stop|status|env [DIR]: a private rpcbind on
# 127.0.0.1 for the NLM tests.
#
# rpcbind keeps its socket and state in /run (rpcbind.sock, rpcbind.lock,
# rpcbind/), so it runs in a private mount namespace with DIR/run bound over
# /run: the machine's /run is left alone and stopping the one rpcbind process
# ends the namespace too. FUSE mounts copied into it are detached there
# (peer_release_fuse_mounts), so rpcbind does not keep them alive. Port 111 is fixed by the protocol, so only one
# instance can run per network namespace; start refuses if 111 is taken.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PEER_NAME=rpcbind
# shellcheck source=lib.sh
. "$here/lib.sh"

cmd=${1:-}
PEER_DIR=${2:-$(peer_default_dir rpcbind)}
RPCBIND=/usr/sbin/rpcbind
TIMEOUT=${NETFUSE_PEER_TIMEOUT:-30}

rpcbind_answers() {
	timeout 5 rpcinfo -T udp 127.0.0.1 100000 4 >/dev/null 2>&1 &&
		timeout 5 rpcinfo -T tcp 127.0.0.1 100000 4 >/dev/null 2>&1
}

start() {
	[[ -x "$RPCBIND" ]] || { echo "rpcbind: $RPCBIND not found: install the Debian package rpcbind" >&2; exit 77; }
	command -v rpcinfo >/dev/null || { echo "rpcbind: rpcinfo not found: install the Debian package rpcbind" >&2; exit 77; }
	if [[ $(id -u) -ne 0 ]]; then
		echo "rpcbind: needs root (a private mount namespace over /run, and port 111)" >&2
		exit 77
	fi
	if peer_any_running; then
		peer_die "already running in $PEER_DIR (pids $(peer_running_pids | tr '\n' ' ')); stop it first"
	fi
	peer_require_free udp 111
	peer_require_free tcp 111

	peer_fresh_dir
	mkdir -p "$PEER_DIR/run" "$PEER_DIR/pids"
	: >"$PEER_DIR/rpcbind.log"
	# -f: stay in the foreground so the recorded PID is rpcbind's. (Not -h
	# 127.0.0.1: Debian 12's rpcbind 1.2.6 aborts with a double free on it.)
	peer_spawn rpcbind "$PEER_DIR/rpcbind.log" \
		unshare --mount --propagation private \
		bash -c '. "$3" && peer_release_fuse_mounts && mount --bind "$1" /run && exec "$2" -f' \
		bash "$PEER_DIR/run" "$RPCBIND" "$here/lib.sh"
	if ! PEER_WATCH=rpcbind peer_wait_for "$TIMEOUT" "rpcbind to answer on 127.0.0.1:111" rpcbind_answers; then
		peer_show_logs "$PEER_DIR/rpcbind.log"
		stop
		exit 1
	fi
	peer_log "running (pid $(<"$PEER_DIR/pids/rpcbind.pid")), state in $PEER_DIR"
}

stop() {
	peer_stop_one rpcbind TERM 10
	if peer_port_busy udp 111 || peer_port_busy tcp 111; then
		# Someone else's rpcbind may own it; ours is gone (checked by PID).
		peer_log "note: port 111 is still in use, by a process this script did not start"
	fi
}

status() {
	peer_pid_alive "$PEER_DIR/pids/rpcbind.pid" && rpcbind_answers
}

case $cmd in
start) start ;;
stop) stop ;;
status) status ;;
env)
	echo "RPCBIND_HOST=127.0.0.1"
	echo "RPCBIND_RUN_DIR=$PEER_DIR/run"
	;;
*)
	echo "usage: $0 start|stop|status|env [DIR]" >&2
	exit 2
	;;
esac
