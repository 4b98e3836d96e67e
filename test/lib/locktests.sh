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
	. "$NETFUSE_SRCDIR/test/lib/suite_build.sh"
	suite_build locktests locktests.c locktests
	local r=$?
	LOCKTESTS=$SUITE_PROG
	LOCKTESTS_WHY=${SUITE_WHY:-}
	return $r
}
