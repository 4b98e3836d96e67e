# test/peers/lib.sh: shared helpers for the peer scripts (ceph.sh, afs.sh, rpcbind.sh).
#
# Sourced, not run. A peer script owns one directory (its DIR): every file the
# servers write, their logs and one pid file per process live there, so a peer
# can be started by hand or by `make check` and stopped without touching
# anything it did not start. Processes are tracked by PID files in DIR/pids/;
# stop signals exactly those PIDs (never pkill), and only while the PID still
# names the program we started (guards against PID reuse).

set -o pipefail

peer_die() {
	echo "$PEER_NAME: $*" >&2
	exit 1
}

peer_log() {
	[[ -n "${PEER_QUIET:-}" ]] || echo "$PEER_NAME: $*" >&2
}

# peer_fresh_dir: make PEER_DIR an empty private directory for a new start.
# It wipes only a directory an earlier start of this peer made (it holds the
# marker .netfuse-peer-$PEER_NAME) or an empty one: a mistyped DIR such as
# a home directory is refused, never deleted.
peer_fresh_dir() {
	local dir marker
	dir=$(realpath -m -- "$PEER_DIR") || peer_die "cannot resolve $PEER_DIR"
	[[ "$dir" != / ]] || peer_die "refusing to use / as the peer directory"
	marker="$dir/.netfuse-peer-$PEER_NAME"
	if [[ -e "$dir" || -L "$dir" ]]; then
		[[ -d "$dir" && ! -L "$dir" ]] || peer_die "$dir exists and is not a directory"
		if [[ ! -e "$marker" && -n "$(ls -A "$dir")" ]]; then
			peer_die "$dir is not empty and was not made by $PEER_NAME.sh; refusing to wipe it"
		fi
		rm -rf -- "$dir"
	fi
	mkdir -p -m 700 -- "$dir"
	touch "$marker"
	PEER_DIR=$dir
}

# peer_private_root DIR: create DIR (mode 700) or accept it only when it is
# a real directory owned by us that nobody else can write: peers, their
# keys and the lists teardown.sh acts on live there.
peer_private_root() {
	local root=$1 owner mode
	if [[ ! -e "$root" && ! -L "$root" ]]; then
		mkdir -p -m 700 -- "$root" || peer_die "cannot create $root"
	fi
	[[ -d "$root" && ! -L "$root" ]] || peer_die "$root is not a directory (or is a symlink); refusing it"
	read -r owner mode < <(stat -c '%u %a' -- "$root")
	[[ "$owner" == "$(id -u)" ]] || peer_die "$root belongs to uid $owner, not to us; refusing it"
	(((8#$mode & 8#022) == 0)) || peer_die "$root is writable by others (mode $mode); refusing it"
}

# peer_default_dir NAME: where a peer lives when no DIR is given.
peer_default_dir() {
	echo "${NETFUSE_PEERS:-${TMPDIR:-/tmp}/netfuse-peers}/$1"
}

# peer_wait_for SECONDS WHAT CMD...: run CMD until it succeeds or SECONDS pass.
# With PEER_WATCH="name1 name2", give up at once when one of those recorded
# processes has died (a server that crashed on start will not come back).
peer_wait_for() {
	local limit=$1 what=$2
	shift 2
	local deadline=$(($(date +%s) + limit)) w
	while :; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		for w in ${PEER_WATCH:-}; do
			if ! peer_pid_alive "$PEER_DIR/pids/$w.pid"; then
				echo "$PEER_NAME: $w exited while waiting for $what" >&2
				return 1
			fi
		done
		if (($(date +%s) >= deadline)); then
			echo "$PEER_NAME: timed out after ${limit}s waiting for $what" >&2
			return 1
		fi
		sleep 0.5
	done
}

# peer_start_time PID: the process's start time (clock ticks since boot,
# field 22 of /proc/PID/stat). PID and start time together name one process:
# a reused PID has another start time, and exec() keeps it, so it survives
# wrappers that exec the server and package upgrades that replace its binary.
peer_start_time() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# After "comm)": state is field 3; start time is field 22.
	set -- $stat
	echo "${20}"
}

# peer_pid_alive PIDFILE: true when the process recorded in PIDFILE is alive
# and is still the one recorded (same start time, PIDFILE.start).
peer_pid_alive() {
	local pidfile=$1 pid st
	[[ -s "$pidfile" ]] || return 1
	pid=$(<"$pidfile")
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	peer_pid_gone "$pid" && return 1
	if [[ -s "$pidfile.start" ]]; then
		st=$(peer_start_time "$pid") || return 1
		[[ "$st" == "$(<"$pidfile.start")" ]] || return 1
	fi
	return 0
}

# peer_record NAME PID: remember a process this peer started.
peer_record() {
	local name=$1 pid=$2
	mkdir -p "$PEER_DIR/pids"
	echo "$pid" >"$PEER_DIR/pids/$name.pid"
	peer_start_time "$pid" >"$PEER_DIR/pids/$name.pid.start" 2>/dev/null || true
}

# peer_release_fuse_mounts: run first inside a private mount namespace a
# peer just made (unshare -m): detach the FUSE mounts it copied from its
# parent. Each copy pins its file system, so a FUSE daemon whose mount was
# unmounted outside would live on until the peer stopped (pjdfstest.test's
# netfuse-testfs outlived its unmount while the AFS cell started beside it
# ran). Only this namespace changes.
peer_release_fuse_mounts() {
	local dev target type rest
	# /proc/self/mounts escapes blanks in paths as \ooo; deepest first.
	tac /proc/self/mounts | while read -r dev target type rest; do
		case $type in
		fuse | fuse.* | fuseblk) umount -l "$(printf '%b' "$target")" 2>/dev/null || true ;;
		esac
	done
}

# peer_spawn NAME LOGFILE CMD...: start CMD in the background, detached from the
# caller's terminal and stdin, and record its PID as NAME. CMD must end by
# exec'ing the server (wrappers such as unshare and sh -c 'exec ...' keep the
# PID, and exec keeps the start time the record is checked against).
peer_spawn() {
	local name=$1 log=$2 flags=$-
	shift 2
	# With job control on, setsid would fork (the child is a process group
	# leader) and the recorded PID would not be the server's.
	set +m
	# Close every other inherited descriptor first: a server keeping a
	# caller's pipe (a test's $(...), the TAP driver's) or ensure.sh's lock
	# (fd 9) open would hang that caller, or the next ensure.sh, for as long
	# as the server runs.
	(
		for fd in "/proc/$BASHPID/fd/"*; do
			fd=${fd##*/}
			((fd > 2)) && eval "exec $fd>&-"
		done
		exec setsid "$@"
	) </dev/null >>"$log" 2>&1 &
	local pid=$!
	[[ "$flags" != *m* ]] || set -m
	peer_record "$name" "$pid"
}

# peer_running_pids: the recorded PIDs that are still alive, one per line.
peer_running_pids() {
	local f
	[[ -d "$PEER_DIR/pids" ]] || return 0
	for f in "$PEER_DIR"/pids/*.pid; do
		[[ -e "$f" ]] || continue
		if peer_pid_alive "$f"; then
			cat "$f"
		fi
	done
}

# peer_any_running: true when any recorded process of this peer is alive.
peer_any_running() {
	[[ -n "$(peer_running_pids)" ]]
}

# peer_pid_gone PID: true once PID has exited. A zombie counts as gone: it
# holds no port, file or namespace any more, and a daemon whose launcher has
# exited waits for init to reap it, which can take seconds.
peer_pid_gone() {
	local stat
	# cat, not $(<...): under set -e, bash 5.2 exits the whole script when
	# $(<FILE) cannot open FILE, even on the left of ||; a process already
	# reaped (its pid file left behind by a SIGKILL) did just that.
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	[[ "${stat%% *}" == [ZX] ]]
}

# peer_stop_one NAME SIGNAL GRACE: signal the recorded process NAME, wait up to
# GRACE seconds, then SIGKILL it. Returns once it is gone.
peer_stop_one() {
	local name=$1 sig=$2 grace=$3
	local pidfile="$PEER_DIR/pids/$name.pid" pid
	if ! peer_pid_alive "$pidfile"; then
		rm -f "$pidfile" "$pidfile.start"
		return 0
	fi
	pid=$(<"$pidfile")
	kill "-$sig" "$pid" 2>/dev/null || true
	local deadline=$(($(date +%s) + grace)) killed=0
	while peer_pid_alive "$pidfile"; do
		if (($(date +%s) >= deadline)); then
			if ((killed)); then
				# Stuck in the kernel (D state): report it, never wait forever.
				peer_log "$name (pid $pid) survived SIGKILL for 10s; leaving its record"
				return 1
			fi
			peer_log "$name (pid $pid) ignored SIG$sig for ${grace}s, sending SIGKILL"
			# Re-checked just above: the PID is still the process we started.
			kill -KILL "$pid" 2>/dev/null || true
			killed=1
			deadline=$(($(date +%s) + 10))
		fi
		sleep 0.1
	done
	rm -f "$pidfile" "$pidfile.start"
}

# peer_port_busy PROTO PORT: true when something on this machine listens on
# 127.0.0.1 (or any address) at PORT. PROTO is tcp or udp.
peer_port_busy() {
	local proto=$1 port=$2 flag=-t
	[[ "$proto" == udp ]] && flag=-u
	ss -H -n -l "$flag" "sport = :$port" 2>/dev/null | grep -q .
}

# peer_require_free PROTO PORT...: refuse to start over someone else's server.
peer_require_free() {
	local proto=$1 port
	shift
	for port in "$@"; do
		if peer_port_busy "$proto" "$port"; then
			peer_die "$proto port $port is already in use on this machine; refusing to start over another server (stop it, or stop the peer that owns it)"
		fi
	done
}

# peer_require_cmd CMD PACKAGE: name the Debian package when a tool is missing.
peer_require_cmd() {
	command -v "$1" >/dev/null 2>&1 || [[ -x "$1" ]] ||
		peer_die "$1 not found: install the Debian package $2 (scripts/install-deps.sh does)"
}

# peer_show_logs FILE...: the tail of each log, for a failed start.
peer_show_logs() {
	local f
	for f in "$@"; do
		[[ -s "$f" ]] || continue
		echo "---- last lines of $f" >&2
		tail -n 15 "$f" >&2
	done
}
