# test/lib/locktests.sh: LTP's locktests (testcases/network/nfsv4/locks: a
# master process sets fcntl locks on a file's ranges and N slave processes,
# on this host and on client hosts that connect to it over TCP port 12346,
# try reads, writes and locks against them, each result checked against
# the expected one) for a .test script (sourced after test/tap.sh).
#
# locktests comes as source from ../shared/suites beside the source tree,
# or from $NETFUSE_SUITES; it is copied and built once per build directory
# (test/locktests.build/, removed by make clean). A user's clone without it
# skips with the reason.
#
#   locktests_setup || tap_skip ... "$LOCKTESTS_WHY"
#   $LOCKTESTS -n N -f FILE -c CLIENTS    the master (waits for the clients)
#   $LOCKTESTS --server HOST              a client: runs the same tests on
#                                         the path the master names

# Build locktests (once per build directory); sets LOCKTESTS or LOCKTESTS_WHY.
locktests_setup() {
	local src=${NETFUSE_SUITES:-$NETFUSE_SRCDIR/../shared/suites}/locktests
	local dest=$NETFUSE_BUILDDIR/test/locktests.build
	LOCKTESTS=$dest/locktests/locktests
	if [[ ! -f $src/locktests.c ]]; then
		LOCKTESTS_WHY="locktests sources not found at $src (set NETFUSE_SUITES to a suites directory)"
		return 1
	fi
	if ! command -v cc >/dev/null || ! command -v make >/dev/null; then
		LOCKTESTS_WHY="building locktests needs cc and make"
		return 1
	fi
	if [[ -x $LOCKTESTS && -f $dest/stamp && ! $src/locktests.c -nt $dest/stamp ]]; then
		return 0
	fi
	rm -rf "$dest"
	mkdir -p "$dest"
	cp -r "$src" "$dest/"
	chmod -R u+w "$dest"
	if ! (cd "$dest/locktests" && make) >"$dest/build.log" 2>&1; then
		LOCKTESTS_WHY="locktests did not build (see $dest/build.log)"
		return 1
	fi
	touch "$dest/stamp"
}
