# test/tap.sh: TAP output for the shell integration tests (sourced).
#
# Each test script prints a plan and one "ok"/"not ok" line per check, so the
# automake TAP driver shows one line per check. A check that cannot run here
# (no root, no /dev/fuse, no network namespace, a peer that cannot start)
# is reported as "ok N # SKIP reason", never as a pass.

TAP_N=0
TAP_FAILED=0

tap_plan() { echo "1..$1"; }

tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1"
}

tap_not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1"
	shift
	local line
	for line in "$@"; do
		printf '# %s\n' "$line"
	done
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# tap_check DESCRIPTION CMD...: one check from a command's exit status; its
# output is shown as diagnostics when it fails.
tap_check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_ok "$desc"
	else
		local rc=$?
		tap_not_ok "$desc" "command: $*" "exit status: $rc"
		[[ -n "$out" ]] && printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /'
	fi
}

# tap_skip_rest REASON: skip every check left in the plan.
tap_skip_rest() {
	local total=$1 reason=$2
	while ((TAP_N < total)); do
		tap_skip "not run" "$reason"
	done
}

tap_diag() { printf '# %s\n' "$*"; }

tap_bail() {
	echo "Bail out! $*"
	exit 1
}
