#!/bin/bash
# test/peers/ensure.sh NAME: make the peer NAME (ceph, afs, rpcbind) available to
# a test, starting it once per test run and sharing it between the tests.
#
# The peer lives in $NETFUSE_PEERS/NAME. The first test that needs it starts it
# (under a lock, so parallel tests wait for one start) and records it in
# $NETFUSE_PEERS/started; test/peers/teardown.sh stops exactly those at the end
# of the run. A peer already running in that directory is reused as it is.
# Prints the peer's directory. Exit status: 0 ready, 77 cannot run on this
# machine (the reason on stderr), anything else a failed start.
set -euo pipefail

name=${1:?usage: ensure.sh ceph|afs|rpcbind}
case $name in
ceph | afs | rpcbind) ;;
*)
	echo "ensure.sh: no peer named $name" >&2
	exit 2
	;;
esac
here=$(cd "$(dirname "$0")" && pwd)
script="$here/$name.sh"
PEER_NAME=ensure
# shellcheck source=lib.sh
. "$here/lib.sh"

: "${NETFUSE_PEERS:=${TMPDIR:-/tmp}/netfuse-peers}"
export NETFUSE_PEERS
peer_private_root "$NETFUSE_PEERS"
dir="$NETFUSE_PEERS/$name"

# Parallel tests wait here for one start; a start is bounded well below this.
exec 9>"$NETFUSE_PEERS/$name.lock"
flock -w 900 9 || { echo "ensure.sh: waited 900s for another start of $name" >&2; exit 1; }

# A previous attempt that could not run here is remembered, so the other tests
# skip at once with the same reason instead of trying again.
if [[ -s "$NETFUSE_PEERS/$name.cannot-run" ]]; then
	cat "$NETFUSE_PEERS/$name.cannot-run" >&2
	exit 77
fi
if [[ -e "$NETFUSE_PEERS/$name.failed" ]]; then
	echo "ensure.sh: $name failed to start earlier in this run; see $NETFUSE_PEERS/$name.start.log" >&2
	exit 1
fi

if "$script" status "$dir" >/dev/null 2>&1; then
	echo "$dir"
	exit 0
fi

rc=0
"$script" start "$dir" >"$NETFUSE_PEERS/$name.start.log" 2>&1 || rc=$?
# Even a failed start may have left processes; teardown must stop them.
grep -qx "$name" "$NETFUSE_PEERS/started" 2>/dev/null || echo "$name" >>"$NETFUSE_PEERS/started"
case $rc in
0) echo "$dir" ;;
77)
	cp "$NETFUSE_PEERS/$name.start.log" "$NETFUSE_PEERS/$name.cannot-run"
	cat "$NETFUSE_PEERS/$name.cannot-run" >&2
	;;
*)
	touch "$NETFUSE_PEERS/$name.failed"
	cat "$NETFUSE_PEERS/$name.start.log" >&2
	;;
esac
exit $rc
