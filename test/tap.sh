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

# tap_use_peer NAME PLAN: make the peer NAME (ceph, afs, rpcbind) available
# through test/peers/ensure.sh and load what its `env` prints; PEER_DIR is its
# directory. When it cannot run on this machine, every check of the PLAN is
# skipped with the reason; when it fails to start, that is one "not ok" and
# the rest are skipped. Either way the test ends there.
tap_use_peer() {
	local name=$1 plan=$2 err rc=0 envs
	err=$(mktemp)
	PEER_DIR=$("$NETFUSE_SRCDIR/test/peers/ensure.sh" "$name" 2>"$err") || rc=$?
	if ((rc == 77)); then
		tap_skip_rest "$plan" "$name cannot run here: $(grep . "$err" | tail -n 1)"
		rm -f "$err"
		exit 0
	elif ((rc != 0)); then
		tap_not_ok "the $name peer starts (ensure.sh exit $rc)" "$(grep -v '^[[:space:]]*$' "$err" | tail -n 20)"
		rm -f "$err"
		tap_skip_rest "$plan" "the $name peer did not start"
		exit 0
	fi
	if ! envs=$("$NETFUSE_SRCDIR/test/peers/$name.sh" env "$PEER_DIR" 2>"$err") || ! eval "$envs"; then
		tap_not_ok "$name.sh env describes the peer" "$(cat "$err")"
		rm -f "$err"
		tap_skip_rest "$plan" "no settings for the $name peer"
		exit 0
	fi
	rm -f "$err"
}
