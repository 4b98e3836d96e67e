#!/bin/bash
# make bench: netfuse-ceph beside librados on one Ceph cluster started for
# the run (test/peers/ceph.sh in a private directory; so no other cluster
# may hold the monitor ports): statfs round trips per second, and the time
# from stopping or silencing the session's monitor to the next successful
# statfs (test/bench/ceph_bench.py). Needs root, /dev/fuse, the Ceph
# packages and python3-rados; otherwise each line says why it did not run.
set -uo pipefail
names=(ceph_statfs ceph_failover_refused ceph_failover_silent)
. "$NETFUSE_SRCDIR/test/bench/lib.sh"
[[ $(id -u) == 0 && -c /dev/fuse ]] || bench_not_run "needs root and /dev/fuse"
command -v ceph-mon >/dev/null || bench_not_run "needs the Ceph packages"
/usr/bin/python3 -c 'import rados' 2>/dev/null || bench_not_run "needs python3-rados"
rounds=${NETFUSE_BENCH_ROUNDS:-3}
src=$NETFUSE_SRCDIR
work=$(mktemp -d /tmp/netfuse-bench-ceph.XXXXXX)
mnt=$work/mnt
peer=$work/ceph
cleanup() {
	fusermount3 -u "$mnt" 2>/dev/null
	[[ -d $peer ]] && "$src/test/peers/ceph.sh" stop "$peer" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
if ! "$src/test/peers/ceph.sh" start "$peer" >"$work/start.log" 2>&1; then
	bench_not_run "the Ceph cluster did not start: $(tail -n 1 "$work/start.log")"
fi
eval "$("$src/test/peers/ceph.sh" env "$peer")"
mkdir "$mnt"
"$NETFUSE_BUILDDIR/netfuse-ceph" :/ "$mnt" -c "$CEPH_CONF" --id admin -k "$CEPH_KEYRING" >/dev/null ||
	bench_not_run "netfuse-ceph did not mount"
/usr/bin/python3 "$src/test/bench/ceph_bench.py" statfs "$mnt" 5 || exit 1
for mode in refused silent; do
	/usr/bin/python3 "$src/test/bench/ceph_bench.py" failover "$mnt" $mode "$peer" "$src/test/peers/ceph.sh" \
		"$rounds" || exit 1
done
