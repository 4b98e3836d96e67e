#!/bin/bash
# test/peers/leftovers.sh PEER...: exit 0 when nothing of the named peers is
# left on this machine after a stop: no recorded process alive, none of the
# peer's ports listening, no mount namespace still holding the peer's
# directory. Prints what it found otherwise. Looks in $NETFUSE_PEERS/PEER.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${NETFUSE_PEERS:=${TMPDIR:-/tmp}/netfuse-peers}"
PEER_NAME=leftovers
# shellcheck source=lib.sh
. "$here/lib.sh"

found=0
report() {
	echo "leftover: $*"
	found=1
}

# The ports each peer's servers listen on (fixed by the peer scripts).
peer_ports() {
	case $1 in
	ceph) echo "tcp:3300 tcp:3301 tcp:3302 tcp:6789 tcp:6790 tcp:6791" ;;
	afs) echo "udp:7000 udp:7002 udp:7003 udp:7005 udp:7007" ;;
	rpcbind) echo "udp:111 tcp:111" ;;
	esac
}

init_mnt=$(readlink /proc/1/ns/mnt)
for name in "$@"; do
	PEER_DIR="$NETFUSE_PEERS/$name"
	for pid in $(peer_running_pids); do
		report "$name process $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)) still runs"
	done
	for pp in $(peer_ports "$name"); do
		if peer_port_busy "${pp%%:*}" "${pp##*:}"; then
			report "$name port ${pp%%:*} ${pp##*:} still listening: $(ss -H -n -l -p "$([[ ${pp%%:*} == udp ]] && echo -u || echo -t)" "sport = :${pp##*:}" | head -n 1)"
		fi
	done
	# A private mount namespace shows the peer's directory as the source of
	# its bind mounts, by the path inside that directory's file system.
	[[ -d "$PEER_DIR" ]] || continue
	fsroot=$(findmnt -n -o TARGET --target "$PEER_DIR" 2>/dev/null || echo /)
	rel=${PEER_DIR#"${fsroot%/}"}
	for ns in /proc/[0-9]*/ns/mnt; do
		pid=${ns#/proc/}
		pid=${pid%%/*}
		[[ "$(readlink "$ns" 2>/dev/null)" != "$init_mnt" ]] || continue
		if awk -v rel="$rel" '$4 == rel || index($4, rel "/") == 1 { found = 1 } END { exit !found }' \
			"/proc/$pid/mountinfo" 2>/dev/null; then
			report "$name mount namespace held by pid $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null))"
		fi
	done
done
exit $found
