#!/bin/bash
# make bench: the health stream's figures (test/bench/health_bench.c): events
# per second through the queue and renderer, and the latency from an event
# to a poll() wake-up in another process through a real netfuse-testfs
# mount (needs root and /dev/fuse; otherwise that line says why not).
set -uo pipefail
b="$NETFUSE_BUILDDIR/test/bench/health_bench"
"$b" queue 2 || exit 1
if [[ $(id -u) != 0 || ! -c /dev/fuse ]]; then
	echo "bench health_poll_wakeup: not run (needs root and /dev/fuse)"
	exit 0
fi
mnt=$(mktemp -d /tmp/netfuse-bench.XXXXXX)
trap 'fusermount3 -u "$mnt" 2>/dev/null; rmdir "$mnt"' EXIT
"$NETFUSE_BUILDDIR/test/fuse/netfuse-testfs" bench "$mnt" || exit 1
"$b" poll "$mnt" 400
