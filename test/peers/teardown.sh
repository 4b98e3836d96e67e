#!/bin/bash
# test/peers/teardown.sh: stop the peers that ensure.sh started in this test run
# ($NETFUSE_PEERS/started), and only those. Safe to run twice.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${NETFUSE_PEERS:=${TMPDIR:-/tmp}/netfuse-peers}"
list="$NETFUSE_PEERS/started"
[[ -s "$list" ]] || exit 0

rc=0
while read -r name; do
	case $name in
	ceph | afs | rpcbind) "$here/$name.sh" stop "$NETFUSE_PEERS/$name" || rc=1 ;;
	"") ;;
	*)
		echo "teardown.sh: ignoring unknown peer name in $list" >&2
		rc=1
		;;
	esac
done <"$list"
rm -f "$list" "$NETFUSE_PEERS"/*.failed "$NETFUSE_PEERS"/*.cannot-run
exit $rc
