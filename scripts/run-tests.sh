#!/bin/bash
# scripts/run-tests.sh [--sanitize]: the whole test suite, as CI runs it.
#
# Installs the build and test dependencies from Debian's packages, builds in
# build/ (build-san/ with --sanitize: ASan+UBSan), and runs `make check`:
# unit tests, fuzz corpora, and the integration tests against real Ceph,
# OpenAFS and rpcbind servers that the suite starts on 127.0.0.1 and stops.
# Prints one line per test case, automake's summary, and a closing
#   tests: N passed, N failed, N skipped
# line. Exits non-zero when anything failed. With --sanitize, every ASan,
# UBSan and LeakSanitizer report of any process the tests ran (daemons
# included) goes to build-san/sanitizer-reports/ rather than to standard
# error; the run prints them at the end, and any report fails it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

builddir=build
configure_flags=()
case "${1:-}" in
"") ;;
--sanitize)
	builddir=build-san
	configure_flags+=(--enable-sanitizers)
	;;
*)
	echo "usage: $0 [--sanitize]" >&2
	exit 2
	;;
esac

scripts/install-deps.sh
if [[ ! -x configure || configure.ac -nt configure || Makefile.am -nt configure ]]; then
	autoreconf -fi
fi
mkdir -p "$builddir"
cd "$builddir"
if [[ ! -f Makefile || ../configure -nt Makefile ]]; then
	../configure -q "${configure_flags[@]}"
fi
make -j2 -s

# Sanitizer reports go to files: a daemon a test started in the background
# has no stderr anyone reads, so its report would otherwise be lost (and a
# leak found at its exit, unseen). Any report there fails the run.
reports=$PWD/sanitizer-reports
log_path=
if [[ $builddir == build-san ]]; then
	rm -rf "$reports"
	mkdir -p "$reports"
	log_path=":log_path=$reports/report"
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1$log_path}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0$log_path}
rc=0
make -j2 check || rc=$?
sanitizer_failed=0
if [[ -n $log_path ]] && compgen -G "$reports/report*" >/dev/null; then
	echo "---- sanitizer reports (from $reports)"
	cat "$reports"/report*
	sanitizer_failed=1
	rc=1
fi

# automake's summary, as one closing line CI can read.
if [[ -f test-suite.log ]]; then
	count() { sed -n "s/^# $1: *\([0-9]*\).*/\1/p" test-suite.log | head -n 1; }
	pass=$(count PASS) fail=$(count FAIL) error=$(count ERROR) skip=$(count SKIP) xpass=$(count XPASS)
	failed=$((${fail:-0} + ${error:-0} + ${xpass:-0} + sanitizer_failed))
	if ((rc != 0 && failed > 0)); then
		echo "---- test-suite.log (failed tests' output)"
		cat test-suite.log
	fi
	echo "tests: ${pass:-0} passed, $failed failed, ${skip:-0} skipped"
else
	echo "tests: 0 passed, 1 failed, 0 skipped (make check did not run the suite)"
	rc=1
fi
exit $rc
