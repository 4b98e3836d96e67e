# test/lib/fsx.sh: fsx (xfstests' file-system exerciser: random reads,
# writes, truncates and mmap reads/writes of one file, each checked against
# an in-memory copy) for a .test script over a netfuse mount (sourced after
# test/tap.sh).
#
# fsx comes as source from ../shared/suites beside the source tree, or from
# $NETFUSE_SUITES; it is copied and built once per build directory
# (test/fsx.build/, removed by make clean). A user's clone without it skips
# with the reason.
#
#   fsx_setup || { tap_plan 1; tap_skip ... "$FSX_WHY"; exit 0; }
#   fsx_run FILE LOGDIR ARGS...   fsx over FILE, bounded by FSX_TIMEOUT
#                                 seconds; 0 on "A-OK", else its exit status
#                                 with the log's last lines on stderr

FSX_TIMEOUT=${FSX_TIMEOUT:-600}

# Build fsx (once per build directory); sets FSX (the program) or FSX_WHY.
fsx_setup() {
	. "$NETFUSE_SRCDIR/test/lib/suite_build.sh"
	suite_build fsx fsx.c fsx
	local r=$?
	FSX=$SUITE_PROG
	FSX_WHY=${SUITE_WHY:-}
	return $r
}

fsx_run() {
	local file=$1 logdir=$2
	shift 2
	mkdir -p "$logdir"
	local log=$logdir/$(basename "$file").out st
	timeout -k 5 "$FSX_TIMEOUT" "$FSX" "$@" -P "$logdir" "$file" >"$log" 2>&1
	st=$?
	if ((st == 0)) && grep -q 'operations completed A-OK' "$log"; then
		return 0
	fi
	((st == 0)) && st=1
	# the last operations, then what failed (fsx prints it before its
	# dump of the operations): last, where a check's diagnostics end
	grep -v -e 'largest ever' -e 'disabling!' "$log" | tail -n 12 >&2
	echo "fsx $* $file: exit $st; what failed:" >&2
	grep -v -e 'largest ever' -e 'disabling!' "$log" | sed -n '1,/LOG DUMP/p' | tail -n 8 >&2
	return $st
}
