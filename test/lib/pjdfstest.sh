# test/lib/pjdfstest.sh: pjdfstest over a mounted netfuse front-end, checked
# against that front-end's list of expected failures (sourced by a .test
# script, after test/tap.sh).
#
# pjdfstest (POSIX system-call semantics as TAP shell scripts, one .t file
# per case) comes as source from ../shared/suites beside the source tree, or
# from $NETFUSE_SUITES; it is copied and built once per build directory
# (test/pjdfstest.build/, removed by make clean). A user's clone without it
# skips with the reason.
#
# Each .t file is one TAP check here: it passes when exactly the subtests
# the list expects to fail fail, so the list stays true both ways (a fix
# that makes an expected failure pass fails the check until the line goes).
# Files run in parallel (PJDFS_JOBS, default 8: most of a file's time is
# `sleep 1` between timestamp checks), each in its own directory on the
# mount, each bounded in time.
#
# The list: one line per test file that fails on this front-end,
#   DIR/NN.t SUBTESTS  WHY
# where SUBTESTS is numbers and ranges ("3,7-9") or "*" (any of them, at
# least one); '#' starts a comment. The front-ends' lists live beside their
# tests (test/fuse/pjdfstest-testfs.xfail).
#
#   pjdfs_setup || { tap_plan 1; tap_skip ... "$PJDFS_WHY"; exit 0; }
#   pjdfs_files SELECTION...   the .t files (relative: chmod/00.t), sorted;
#                              a SELECTION is a directory (chmod) or a file
#   pjdfs_check_list XFAIL     one TAP check: the list names existing
#                              files, with well-formed subtests
#   pjdfs_run MOUNTDIR XFAIL FILE...   one TAP check per file
#   pjdfs_unmount MOUNTDIR PID         unmount, and the daemon's exit status
#                                      (137 when it had to be killed)

PJDFS_JOBS=${PJDFS_JOBS:-8}
PJDFS_FILE_TIMEOUT=${PJDFS_FILE_TIMEOUT:-600}

# Build pjdfstest (once per build directory); sets PJDFS (its tree, with
# tests/ and the pjdfstest helper) or PJDFS_WHY (why not) and fails.
pjdfs_setup() {
	local src=${NETFUSE_SUITES:-$NETFUSE_SRCDIR/../shared/suites}/pjdfstest
	local dest=$NETFUSE_BUILDDIR/test/pjdfstest.build
	local tool
	PJDFS=$dest/pjdfstest
	if [[ ! -f $src/pjdfstest.c ]]; then
		PJDFS_WHY="pjdfstest sources not found at $src (set NETFUSE_SUITES to a suites directory)"
		return 1
	fi
	for tool in autoreconf make cc; do
		if ! command -v $tool >/dev/null; then
			PJDFS_WHY="building pjdfstest needs $tool"
			return 1
		fi
	done
	if [[ -x $PJDFS/pjdfstest && -f $dest/stamp && ! $src/pjdfstest.c -nt $dest/stamp ]]; then
		return 0
	fi
	rm -rf "$dest"
	mkdir -p "$dest"
	cp -r "$src" "$dest/"
	chmod -R u+w "$dest"
	if ! (cd "$PJDFS" && autoreconf -ifs && ./configure && make pjdfstest) >"$dest/build.log" 2>&1; then
		PJDFS_WHY="pjdfstest did not build (see $dest/build.log)"
		return 1
	fi
	touch "$dest/stamp"
}

pjdfs_files() {
	local sel out=() missing=0
	for sel in "$@"; do
		sel=${sel%/}
		if [[ -d $PJDFS/tests/$sel ]]; then
			out+=($(cd "$PJDFS/tests" && ls "$sel"/*.t))
		elif [[ -f $PJDFS/tests/$sel ]]; then
			out+=("$sel")
		else
			echo "pjdfs_files: no test $sel" >&2
			missing=1
		fi
	done
	((${#out[@]})) && printf '%s\n' "${out[@]}" | sort -u
	return $missing
}

# "3,7-9" -> "3 7 8 9"; "*" stays.
pjdfs_expand() {
	local part a b parts out=()
	[[ $1 == '*' ]] && {
		echo '*'
		return
	}
	IFS=, read -ra parts <<<"$1"
	for part in "${parts[@]}"; do
		if [[ $part =~ ^([0-9]+)-([0-9]+)$ ]]; then
			a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]}
			a=$((10#$a)) b=$((10#$b))
			while ((a <= b)); do
				out+=("$a")
				a=$((a + 1))
			done
		elif [[ $part =~ ^[0-9]+$ ]]; then
			out+=("$((10#$part))")
		else
			return 1
		fi
	done
	printf '%s\n' "${out[@]}" | sort -nu | tr '\n' ' ' | sed 's/ $//'
}

# Run one file in DIR, leaving its TAP in LOG.
pjdfs_run_one() {
	local file=$1 dir=$2 log=$3
	mkdir -p "$dir" || {
		echo "cannot make $dir" >"$log"
		return
	}
	local t0=$SECONDS
	(cd "$dir" && timeout -k 5 "$PJDFS_FILE_TIMEOUT" sh "$PJDFS/tests/$file") >"$log" 2>&1
	echo "# exit $?" >>"$log"
	echo "# took $((SECONDS - t0)) s" >>"$log"
}

# The failed subtests of a TAP log, sorted ("not ok" without a TODO, and
# every planned number that never reported); "plan?" when there is no plan,
# "extra" when numbers past the plan reported, "timeout" when the file ran
# out of time.
pjdfs_failures() {
	awk '
		/^1\.\.[0-9]+/ { sub(/^1\.\./, ""); plan = $0 + 0; have = 1; next }
		/^ok [0-9]+/ { seen[$2 + 0] = 1; if ($2 + 0 > max) max = $2 + 0; next }
		/^not ok [0-9]+/ {
			seen[$3 + 0] = 1; if ($3 + 0 > max) max = $3 + 0
			if ($0 !~ /# TODO/) bad[$3 + 0] = 1
			next
		}
		/^# exit (124|137)$/ { timedout = 1 }
		END {
			if (!have) { print "plan?"; exit }
			for (i = 1; i <= plan; i++) if (!(i in seen) || (i in bad)) print i
			if (max > plan) print "extra"
			if (timedout) print "timeout"
		}' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# The list's entries, as "FILE SUBTESTS-EXPANDED" lines; fails on a bad line.
pjdfs_read_list() {
	local line name subs why
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%%#*}
		read -r name subs why <<<"$line"
		[[ -n $name ]] || continue
		if ! subs=$(pjdfs_expand "${subs:-}") || [[ -z $subs || -z $why ]]; then
			echo "$1: '$line': want FILE SUBTESTS WHY" >&2
			return 1
		fi
		echo "$name $subs"
	done <"$1"
}

pjdfs_check_list() {
	local out bad=() name subs
	if ! out=$(pjdfs_read_list "$1" 2>&1); then
		tap_not_ok "the expected failures in $(basename "$1") are well formed" "$out"
		return
	fi
	while read -r name subs; do
		[[ -n $name && ! -f $PJDFS/tests/$name ]] && bad+=("$name")
	done <<<"$out"
	if ((${#bad[@]})); then
		tap_not_ok "the expected failures in $(basename "$1") name existing tests" "no such test: ${bad[*]}"
	else
		tap_ok "the expected failures in $(basename "$1") name existing tests ($(grep -c . <<<"$out" || true) listed)"
	fi
}

pjdfs_run() {
	local mnt=$1 xfail=$2
	shift 2
	local files=("$@") work i=0 f list name subs
	declare -A want
	list=$(pjdfs_read_list "$xfail") || tap_bail "$xfail is malformed"
	while read -r name subs; do
		[[ -n $name ]] && want[$name]=$subs
	done <<<"$list"
	work=$(mktemp -d "$mnt/pjdfstest.XXXXXX") || tap_bail "cannot make a directory on $mnt"
	local logs
	logs=$(mktemp -d /tmp/netfuse-pjdfs.XXXXXX)
	# Only the runners' own PIDs are waited for: the caller may have
	# children of its own (a daemon in the foreground).
	local running=() p
	for f in "${files[@]}"; do
		while ((${#running[@]} >= PJDFS_JOBS)); do
			wait -n "${running[@]}"
			local still=()
			for p in "${running[@]}"; do
				kill -0 "$p" 2>/dev/null && still+=("$p")
			done
			running=("${still[@]}")
		done
		pjdfs_run_one "$f" "$work/$i" "$logs/$i" &
		running+=($!)
		i=$((i + 1))
	done
	((${#running[@]} == 0)) || wait "${running[@]}"
	i=0
	for f in "${files[@]}"; do
		local got exp n took
		got=$(pjdfs_failures "$logs/$i")
		exp=${want[$f]:-}
		n=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$logs/$i" | head -n 1)
		took=$(sed -n 's/^# took \([0-9]*\) s$/\1/p' "$logs/$i")
		if [[ $got == "$exp" || ($exp == '*' && -n $got && $got != 'plan?') ]]; then
			tap_ok "pjdfstest $f (${n:-?} subtests${exp:+, expected to fail: $exp}; ${took:-?} s)"
		else
			local diag=()
			mapfile -t diag < <(grep -vE '^(ok [0-9]|1\.\.[0-9]|# exit 0$|# took )' "$logs/$i" | grep -v '# TODO' | head -n 15)
			tap_not_ok "pjdfstest $f (${n:-?} subtests): failed [${got:-none}], expected [${exp:-none}]" "${diag[@]}"
		fi
		i=$((i + 1))
	done
	# Bounded: a daemon that hangs must fail the test, not stall it.
	timeout -k 5 120 rm -rf "$work" || tap_diag "could not remove $work from the mount in 120 s"
	rm -rf "$logs"
}

# Unmount MOUNTDIR (lazily when busy) and return the exit status of the
# daemon PID, a child of the caller's shell, killed when it outlives the
# unmount by 30 s: a hung daemon fails the caller's check, it never stalls it.
# The kernel ends the connection when the last copy of the mount goes (a
# peer's mount namespace once kept one: test/peers/lib.sh).
pjdfs_unmount() {
	local mnt=$1 pid=$2 _
	if ! fusermount3 -u "$mnt"; then
		tap_diag "the mount was busy at the end; unmounting lazily"
		fusermount3 -u -z "$mnt"
	fi
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	wait "$pid"
}
