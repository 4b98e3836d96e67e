#!/bin/bash
# test/peers/ceph.sh start|stop|status|env [--bluestore|--memstore] [DIR]
# test/peers/ceph.sh daemon-stop|daemon-kill|daemon-start NAME [DIR]
#
# A real Ceph (Debian's Pacific) cluster for the tests, run from the packaged
# binaries as plain processes (no systemd, no cephadm): monitors a, b and c on
# 127.0.0.1, each with a msgr2 and a msgr1 address, cephx required, one mgr
# (x), three OSDs (0, 1, 2) on bluestore, one MDS (a), pools of size 1 by
# default (placed across OSDs, not hosts) and a CephFS named cephfs.
# Everything the cluster writes lives in DIR (default: $NETFUSE_PEERS/ceph);
# see lib.sh for how the processes are tracked and stopped.
#
#   start   build and start a new cluster in DIR (wiping a stopped one there)
#   stop    stop the recorded daemons and check that nothing of them is left
#   status  exit 0 iff every daemon runs and the cluster answers `ceph -s`
#   env     print `export VAR=value` lines for a test to eval: CEPH_CONF,
#           CEPH_KEYRING, CEPH_SECRET_FILE, CEPH_MON_HOST, CEPH_FSID,
#           CEPH_FS_NAME, CEPH_ARGS
#   daemon-stop NAME, daemon-kill NAME, daemon-start NAME
#           stop (SIGTERM), kill (SIGKILL: a crash, nothing saved or said
#           on the way out) or start again one daemon (mon.a mon.b mon.c
#           mgr.x osd.N mds.a) of a running cluster, for failover and
#           restart tests;
#           daemon-start returns once the cluster has it back (quorum of 3,
#           OSD up and PGs active+clean, mgr available, MDS active)
#
# Environment:
#   NETFUSE_PEER_TIMEOUT   limit for the whole start, seconds (default 180)
#   NETFUSE_CEPH_OSD       bluestore (default: on a sparse file in DIR per OSD)
#                          or memstore, which keeps the objects in the OSD's
#                          memory and loses them all when the OSD restarts
#                          (daemon-stop refuses to stop one), as --memstore.
#   NETFUSE_CEPH_OSDS      how many OSDs, 1 to 6 (default 3: enough that
#                          placement, primaries and remapping matter).
#   NETFUSE_CEPH_PORT_BASE first msgr2 port. Unset: msgr2 on 3300-3302 and
#                          msgr1 on 6789-6791 (the defaults clients assume);
#                          set: msgr2 on BASE..BASE+2, msgr1 on BASE+3..BASE+5.
#
# Exit status of start: 0 ready (HEALTH_OK or HEALTH_WARN, all PGs
# active+clean), 77 cannot run on this machine (a package is missing), 1
# anything else (including refusing to start over a running cluster).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # used by lib.sh
PEER_NAME=ceph
# shellcheck source=lib.sh
. "$here/lib.sh"

# A test that eval'ed `ceph.sh env` exports CEPH_ARGS, which every Ceph binary
# parses too: the daemons started here must not turn into client.admin.
unset CEPH_ARGS CEPH_CONF CEPH_KEYRING

usage() {
	echo "usage: ceph.sh start|stop|status|env [--bluestore|--memstore] [DIR]" >&2
	echo "       ceph.sh daemon-stop|daemon-kill|daemon-start NAME [DIR]" >&2
	exit 2
}

mons=(a b c)
(($# >= 1)) || usage
cmd=$1
shift
name=
if [[ "$cmd" == daemon-* ]]; then
	(($# >= 1)) || usage
	name=$1
	shift
fi
osd_store=${NETFUSE_CEPH_OSD:-bluestore}
osd_count=${NETFUSE_CEPH_OSDS:-3}
dir=
for arg; do
	case $arg in
	--bluestore) osd_store=bluestore ;;
	--memstore) osd_store=memstore ;;
	-*) usage ;;
	*)
		[[ -z "$dir" ]] || usage
		dir=$arg
		;;
	esac
done
case $osd_store in
memstore | bluestore) ;;
# Ceph itself silently falls back to bluestore on an unknown objectstore.
*) peer_die "NETFUSE_CEPH_OSD must be memstore or bluestore, not '$osd_store'" ;;
esac
[[ "$osd_count" =~ ^[1-6]$ ]] || peer_die "NETFUSE_CEPH_OSDS must be 1 to 6, not '$osd_count'"

# set_daemons: the daemons of a cluster of $osd_count OSDs (a new start's,
# or the recorded one's once load_state has run).
set_daemons() {
	local i
	osds=()
	for ((i = 0; i < osd_count; i++)); do
		osds+=("osd.$i")
	done
	daemons=(mon.a mon.b mon.c mgr.x "${osds[@]}" mds.a)
}
set_daemons

dir=$(realpath -m -- "${dir:-$(peer_default_dir ceph)}")
# shellcheck disable=SC2034 # used by lib.sh
PEER_DIR=$dir
conf=$dir/ceph.conf
admin_keyring=$dir/ceph.client.admin.keyring
secret_file=$dir/client.admin.secret
state=$dir/peer.env # what stop, status and env need to know about a start
marker=$dir/.netfuse-ceph-peer
fs_name=cephfs
PY=/usr/bin/python3 # the interpreter the ceph CLI runs on (has json, always)

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ceph_q ARGS...: one CLI call that cannot hang: --connect-timeout bounds the
# wait for a monitor session, timeout(1) the command itself.
ceph_q() {
	timeout 20 ceph -c "$conf" --connect-timeout 8 "$@"
}

# jtest EXPR: true when the Python expression EXPR holds for the JSON
# document on stdin, bound to j.
jtest() {
	"$PY" -c 'import json, sys
j = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1"
}

# The monitor ports of a new start (stop/status/env read them from $state).
mon_ports() {
	local base=${NETFUSE_CEPH_PORT_BASE:-3300} v1
	[[ "$base" =~ ^[0-9]+$ ]] && ((base > 0 && base < 65530)) ||
		peer_die "NETFUSE_CEPH_PORT_BASE must be a port number, not '$base'"
	if [[ -n "${NETFUSE_CEPH_PORT_BASE:-}" ]]; then v1=$((base + 3)); else v1=6789; fi
	v2_ports=("$base" $((base + 1)) $((base + 2)))
	v1_ports=("$v1" $((v1 + 1)) $((v1 + 2)))
}

load_state() {
	[[ -s "$state" ]] || return 1
	osd_count=1 # a state from before osd_count was recorded
	# shellcheck source=/dev/null
	. "$state"
	set_daemons
}

# ---------------------------------------------------------------- start

require_binaries() {
	local missing=() pkgs=() pair
	for pair in ceph-mon:ceph-mon ceph-mgr:ceph-mgr ceph-osd:ceph-osd ceph-mds:ceph-mds \
		ceph:ceph-common ceph-authtool:ceph-common monmaptool:ceph-base \
		"$PY":python3 ss:iproute2 setsid:util-linux timeout:coreutils; do
		if ! command -v "${pair%%:*}" >/dev/null 2>&1; then
			missing+=("${pair%%:*}")
			[[ " ${pkgs[*]} " == *" ${pair##*:} "* ]] || pkgs+=("${pair##*:}")
		fi
	done
	if ((${#missing[@]})); then
		echo "ceph: cannot run here: ${missing[*]} not found; install the Debian package(s) ${pkgs[*]}" \
			"(apt-get install -y --no-install-recommends ${pkgs[*]})" >&2
		exit 77
	fi
}

# fresh_dir: an empty DIR, wiping only a directory an earlier start made.
fresh_dir() {
	if [[ -e "$dir" ]]; then
		[[ -d "$dir" ]] || peer_die "$dir exists and is not a directory"
		if [[ ! -e "$marker" && -n "$(ls -A "$dir")" ]]; then
			peer_die "$dir is not empty and was not made by ceph.sh; refusing to wipe it"
		fi
		rm -rf "$dir"
	fi
	mkdir -p -m 700 "$dir"
	mkdir -p "$dir"/{mon,mgr/x,mds/a,run,log,crash}
	local o
	for o in "${osds[@]}"; do
		mkdir -p "$dir/osd/${o#osd.}"
	done
	touch "$marker"
}

# write_keyrings: one key per entity. All of them, with their caps, go into
# the keyring the monitors are created from, which seeds the auth database:
# no `ceph auth add` round trips once the cluster runs.
write_keyrings() {
	local k_mon k_admin k_mgr k_mds o k_osd=()
	k_mon=$(ceph-authtool --gen-print-key)
	k_admin=$(ceph-authtool --gen-print-key)
	k_mgr=$(ceph-authtool --gen-print-key)
	for o in "${osds[@]}"; do
		k_osd+=("$(ceph-authtool --gen-print-key)")
	done
	k_mds=$(ceph-authtool --gen-print-key)
	local admin_caps=('mds = "allow *"' 'mgr = "allow *"' 'mon = "allow *"' 'osd = "allow *"')
	(
		umask 077
		{
			keyring_entry mon. "$k_mon" 'mon = "allow *"'
			keyring_entry client.admin "$k_admin" "${admin_caps[@]}"
			keyring_entry mgr.x "$k_mgr" 'mds = "allow *"' 'mon = "allow profile mgr"' 'osd = "allow *"'
			for o in "${!osds[@]}"; do
				keyring_entry "osd.$o" "${k_osd[o]}" 'mgr = "allow profile osd"' 'mon = "allow profile osd"' \
					'osd = "allow *"'
			done
			keyring_entry mds.a "$k_mds" 'mds = "allow"' 'mgr = "allow profile mds"' \
				'mon = "allow profile mds"' 'osd = "allow *"'
		} >"$dir/mon.keyring"
		keyring_entry client.admin "$k_admin" "${admin_caps[@]}" >"$admin_keyring"
		keyring_entry mgr.x "$k_mgr" >"$dir/mgr/x/keyring"
		for o in "${!osds[@]}"; do
			keyring_entry "osd.$o" "${k_osd[o]}" >"$dir/osd/$o/keyring"
		done
		keyring_entry mds.a "$k_mds" >"$dir/mds/a/keyring"
		# What mount.ceph's secretfile= (and the kernel's secret=) take: the
		# bare base64 key, nothing else.
		printf '%s' "$k_admin" >"$secret_file"
	)
	chmod 0600 "$admin_keyring" # client.admin's key: cluster admin for whoever reads it
}

# keyring_entry ENTITY KEY [CAP...]: one section of a keyring file.
keyring_entry() {
	printf '[%s]\n\tkey = %s\n' "$1" "$2"
	shift 2
	local cap
	for cap; do
		printf '\tcaps %s\n' "$cap"
	done
}

write_conf() {
	local i addrs=()
	for i in 0 1 2; do
		addrs+=("[v2:127.0.0.1:${v2_ports[i]},v1:127.0.0.1:${v1_ports[i]}]")
	done
	mon_host=$(
		IFS=,
		echo "${addrs[*]}"
	)
	cat >"$conf" <<EOF
# Written by test/peers/ceph.sh; the cluster is thrown away by the next start.
[global]
	fsid = $fsid
	mon_host = $mon_host
	public_network = 127.0.0.0/8
	auth_cluster_required = cephx
	auth_service_required = cephx
	auth_client_required = cephx
	# A reconnecting client must prove it owns the global_id it reclaims (the
	# secure behaviour, and no AUTH_INSECURE_GLOBAL_ID_RECLAIM warnings).
	auth_allow_insecure_global_id_reclaim = false
	run_dir = $dir/run
	crash_dir = $dir/crash
	mon_cluster_log_file = $dir/log/cluster.\$channel.log

	# Pools of size 1 unless a test asks for more, few PGs, placement across
	# OSDs (type 0): they all live on one host.
	osd_pool_default_size = 1
	osd_pool_default_min_size = 1
	osd_pool_default_pg_num = 8
	osd_pool_default_pgp_num = 8
	osd_pool_default_pg_autoscale_mode = off
	osd_crush_chooseleaf_type = 0
	mon_allow_pool_size_one = true
	mon_allow_pool_delete = true
	mon_warn_on_pool_no_redundancy = false
	# The host disk may be fuller than the default 30 % free; not the tests' concern.
	mon_data_avail_warn = 5
	# Of Pacific's default modules, restful (an HTTPS server on port 8003,
	# idle without a certificate) and nfs are of no use to the tests.
	mgr_initial_modules = iostat

	# Shorter reporting intervals: the PG states, the MDS state and the
	# statfs figures reach the monitors sooner after a start.
	mgr_stats_period = 1
	mgr_tick_period = 1
	osd_mon_report_interval = 1
	mds_beacon_interval = 1
	# An MDS on SIGTERM lets these intervals run out: 1 s each instead of 2
	# and 5 s halves its shutdown.
	mds_metrics_update_interval = 1
	mds_ping_interval = 1
	# Three monitors started together sometimes elect a leader among two
	# of them first and need further 5 s rounds for the third; 1 s rounds
	# are plenty on loopback.
	mon_election_timeout = 1
	paxos_propose_interval = 0.2

[mon]
	mon_data = $dir/mon/\$id
	keyring = $dir/mon/\$id/keyring
	log_file = $dir/log/\$name.log
	pid_file = $dir/run/\$name.pid
	admin_socket = $dir/run/\$cluster-\$name.asok
[mgr]
	mgr_data = $dir/mgr/\$id
	keyring = $dir/mgr/\$id/keyring
	log_file = $dir/log/\$name.log
	pid_file = $dir/run/\$name.pid
	admin_socket = $dir/run/\$cluster-\$name.asok
[osd]
	osd_data = $dir/osd/\$id
	keyring = $dir/osd/\$id/keyring
	log_file = $dir/log/\$name.log
	pid_file = $dir/run/\$name.pid
	admin_socket = $dir/run/\$cluster-\$name.asok
	osd_objectstore = $osd_store
EOF
	if [[ "$osd_store" == bluestore ]]; then
		cat >>"$conf" <<EOF
	# A sparse file: the disk holds only what was written.
	bluestore_block_path = $dir/osd/block.\$id
	bluestore_block_create = true
	bluestore_block_size = 10737418240
	bluestore_fsck_on_mkfs = false
	osd_memory_target = 1073741824
	# Small caches: the tests' data is megabytes, and the host runs them all.
	bluestore_cache_autotune = false
	bluestore_cache_size = 134217728
EOF
	fi
	cat >>"$conf" <<EOF
[mds]
	mds_data = $dir/mds/\$id
	keyring = $dir/mds/\$id/keyring
	log_file = $dir/log/\$name.log
	pid_file = $dir/run/\$name.pid
	admin_socket = $dir/run/\$cluster-\$name.asok
[client]
	keyring = $admin_keyring
EOF
}

# ---- what start waits for (each one CLI call; they run until they succeed)

have_quorum() {
	ceph_q quorum_status -f json | jtest 'len(j["quorum_names"]) == 3'
}
osd_up() {
	ceph_q osd dump -f json | jtest 'sum(o["up"] == 1 and o["in"] == 1 for o in j["osds"]) == '"$osd_count"
}
# The active mgr must be the process we started: the map says "available"
# for a while after a mgr died. Its address nonce is its PID.
mgr_available() {
	local pid
	pid=$(<"$dir/pids/mgr.x.pid")
	ceph_q mgr dump -f json |
		jtest 'j["available"] and any(a["nonce"] == '"$pid"' for a in j["active_addrs"]["addrvec"])'
}
mds_active() {
	ceph_q fs dump -f json | jtest 'any(i["state"] == "up:active"
		for f in j["filesystems"] if f["mdsmap"]["fs_name"] == "'"$fs_name"'"
		for i in f["mdsmap"]["info"].values())'
}
# All PGs of all pools reported active+clean. Pacific's devicehealth module
# (always on) creates its pool as soon as an OSD is up; waiting for that pool
# too keeps a pool from appearing, and peering, after start has returned.
pgs_clean() {
	local pools pgs
	pools=$(ceph_q osd dump -f json) || return 1
	pgs=$(ceph_q pg stat -f json) || return 1
	"$PY" - "$pools" "$pgs" <<-'EOF'
		import json, sys
		pools = json.loads(sys.argv[1])["pools"]
		pg = json.loads(sys.argv[2])["pg_summary"]
		want = sum(p["pg_num"] for p in pools)
		mgr_pool = any(set(p.get("application_metadata", {})) & {"mgr_devicehealth", "mgr"} for p in pools)
		clean = sum(s["num"] for s in pg["num_pg_by_state"] if s["name"] == "active+clean")
		laggy = any("laggy" in s["name"].split("+") for s in pg["num_pg_by_state"])
		sys.exit(0 if mgr_pool and want > 0 and pg["num_pgs"] == want and clean == want else 2 if laggy else 1)
	EOF
	local rc=$?
	((rc != 2)) || kick_laggy
	((rc == 0))
}

# A PG whose read lease lapsed while the machine was starved (a loaded CI
# run) shows "laggy" and has been seen to stay so for minutes with nothing
# to renew the lease; re-peering renews it. Only after 10 s of laggy PGs,
# then at most every 10 s.
laggy_since=0
last_kick=0
kick_laggy() {
	local now pg
	now=$(date +%s)
	((laggy_since)) || laggy_since=$now
	((now - laggy_since >= 10 && now - last_kick >= 10)) || return 0
	last_kick=$now
	for pg in $(ceph_q pg ls laggy -f json | "$PY" -c 'import json, sys
print(" ".join(p["pgid"] for p in json.load(sys.stdin).get("pg_stats", [])))'); do
		echo "$PEER_NAME: re-peering PG $pg, laggy for $((now - laggy_since))s" >&2
		ceph_q pg repeer "$pg" >/dev/null 2>&1 || true
	done
}

# step WHAT WATCH LOGS -- CMD...: wait (within the start's deadline) until CMD
# succeeds; give up at once if a watched daemon dies. On failure say which
# step failed and show the tail of the daemons' logs.
step() {
	local what=$1 watch=$2 logs=$3
	shift 4
	# Past the deadline, one last look: peer_wait_for 0 tries CMD once.
	local left=$((deadline - $(date +%s)))
	((left > 0)) || left=0
	if ! PEER_WATCH=$watch peer_wait_for "$left" "$what" "$@"; then
		start_failed "$what" $logs
	fi
	peer_log "$what ($(since "$t_start")s)"
}

# run WHAT CMD...: a setup command that must succeed; its output on failure.
run() {
	local what=$1 out
	shift
	if ! out=$("$@" 2>&1); then
		echo "$out" >&2
		start_failed "$what" ""
	fi
}

daemon_logs() {
	local d
	for d in "$@"; do
		echo "$dir/log/$d.out $dir/log/$d.log"
	done
}

start_failed() {
	local what=$1
	shift
	echo "ceph: $cmd failed after $(since "$t_start")s (limit ${NETFUSE_PEER_TIMEOUT:-180}s): $what" >&2
	# shellcheck disable=SC2068
	peer_show_logs $@
	exit 1 # the EXIT trap stops what was started
}

on_start_exit() {
	local rc=$?
	trap - EXIT
	if ((rc != 0)); then
		echo "ceph: stopping what this start had started" >&2
		PEER_QUIET=1 stop_daemons || true
	fi
	exit "$rc"
}

# spawn NAME: start the daemon NAME (type.id) in the foreground (-f: the
# recorded PID is the daemon, not a parent that forks it off), its stdout and
# stderr in a log beside the one it writes itself.
spawn() {
	local name=$1 prog
	prog=$(command -v "ceph-${name%%.*}")
	peer_spawn "$name" "$dir/log/$name.out" "$prog" -f -c "$conf" -i "${name#*.}"
}

start() {
	require_binaries
	mon_ports
	if peer_any_running; then
		peer_die "a cluster already runs in $dir (pids $(peer_running_pids | tr '\n' ' '));" \
			"stop it first: $0 stop $dir"
	fi
	peer_require_free tcp "${v2_ports[@]}" "${v1_ports[@]}"

	t_start=$(now)
	deadline=$(($(date +%s) + ${NETFUSE_PEER_TIMEOUT:-180}))
	fresh_dir
	# The daemons run in sessions of their own: a start that is interrupted
	# must stop them itself.
	trap on_start_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP

	fsid=$(</proc/sys/kernel/random/uuid)
	local osd_uuids=() o
	for o in "${osds[@]}"; do
		osd_uuids+=("$(</proc/sys/kernel/random/uuid)")
	done
	write_conf
	write_keyrings
	cat >"$state" <<-EOF
		fsid=$fsid
		mon_host='$mon_host'
		mon_tcp_ports='${v2_ports[*]} ${v1_ports[*]}'
		osd_store=$osd_store
		osd_count=$osd_count
	EOF

	local args=() i
	for i in 0 1 2; do
		args+=(--addv "${mons[i]}" "[v2:127.0.0.1:${v2_ports[i]},v1:127.0.0.1:${v1_ports[i]}]")
	done
	run "building the monmap" monmaptool --create --fsid "$fsid" --enable-all-features \
		--set-min-mon-release 16 "${args[@]}" "$dir/monmap"

	# The stores are independent: make them (and the OSDs', which for
	# bluestore take seconds) at the same time.
	local pids=() m
	for m in "${mons[@]}"; do
		timeout 120 ceph-mon -c "$conf" -i "$m" --mkfs --monmap "$dir/monmap" --keyring "$dir/mon.keyring" \
			>"$dir/log/mkfs.mon.$m.out" 2>&1 &
		pids+=($!)
	done
	local osd_mkfs=()
	for o in "${!osds[@]}"; do
		timeout 120 ceph-osd -c "$conf" -i "$o" --mkfs --osd-uuid "${osd_uuids[o]}" \
			>"$dir/log/mkfs.osd.$o.out" 2>&1 &
		osd_mkfs+=($!)
	done
	for i in 0 1 2; do
		wait "${pids[i]}" || start_failed "ceph-mon --mkfs for mon.${mons[i]}" "$dir/log/mkfs.mon.${mons[i]}.out"
	done
	for m in "${mons[@]}"; do
		spawn "mon.$m"
	done
	# mgr and mds wait for the monitors themselves; starting them now lets
	# them load (the mgr's Python modules take seconds) during the election.
	spawn mgr.x
	spawn mds.a
	for o in "${!osds[@]}"; do
		wait "${osd_mkfs[o]}" || start_failed "ceph-osd --mkfs for osd.$o ($osd_store)" "$dir/log/mkfs.osd.$o.out"
	done

	step "quorum of 3 monitors" "mon.a mon.b mon.c" "$(daemon_logs mon.a mon.b mon.c)" -- have_quorum

	for o in "${!osds[@]}"; do
		run "registering osd.$o (ceph osd new)" ceph_q osd new "${osd_uuids[o]}" "$o"
		spawn "osd.$o"
	done
	# The pools come once every OSD is up and in, so no PG moves from an
	# OSD that booted first to one that came later: a PG that moved from
	# a past interval was seen to stay "laggy" (its ops waiting for
	# readable) for as long as the cluster ran, until its OSD was marked
	# down.
	step "${osds[*]} up and in" "${osds[*]}" "$(daemon_logs "${osds[@]}")" -- osd_up
	run "creating pool cephfs_metadata" ceph_q osd pool create cephfs_metadata
	run "creating pool cephfs_data" ceph_q osd pool create cephfs_data
	run "creating the file system (ceph fs new)" ceph_q fs new "$fs_name" cephfs_metadata cephfs_data
	# One MDS is all there is; without this the cluster warns that no
	# standby is available.
	run "setting standby_count_wanted" ceph_q fs set "$fs_name" standby_count_wanted 0

	step "mgr available" "mgr.x" "$(daemon_logs mgr.x)" -- mgr_available
	step "mds.a active for $fs_name" "mds.a" "$(daemon_logs mds.a)" -- mds_active
	step "all PGs active+clean" "${osds[*]} mgr.x" "$(daemon_logs "${osds[@]}" mgr.x)" -- pgs_clean

	if [[ "$osd_store" == bluestore ]]; then
		# An unknown or unusable objectstore makes Ceph fall back silently.
		for o in "${!osds[@]}"; do
			ceph_q osd metadata "$o" -f json | jtest 'j["osd_objectstore"] == "bluestore"' ||
				start_failed "osd.$o is not running bluestore" "$(daemon_logs "osd.$o")"
		done
	fi

	# Remember every port the daemons listen on, for stop's final check.
	local pid_re
	pid_re=$(peer_running_pids | paste -sd '|')
	ss -H -n -l -t -p | grep -E "pid=($pid_re)," | awk '{ n = split($4, a, ":"); print a[n] }' |
		sort -un >"$dir/ports" || true

	trap - EXIT INT TERM HUP
	local health
	health=$(ceph_q health 2>&1) || health="(ceph health failed: $health)"
	peer_log "cluster $fsid ready in $(since "$t_start")s: $health; dir $dir"
}

# ---------------------------------------------------------------- stop

# stop_daemons: SIGTERM the recorded daemons, SIGKILL what is still there
# after 30 s. The OSD tells the monitors it is going down and waits up to 5 s
# for their answer, so the monitors go once the OSD (and the mgr) are gone;
# the MDS (2-10 s: a last beacon, its threads' intervals) meanwhile.
stop_daemons() {
	[[ -d "$dir/pids" ]] || return 0
	local first=() rest=() d j
	peer_stop_one mds.a TERM 30 &
	rest+=($!)
	for d in "${osds[@]}" mgr.x; do
		peer_stop_one "$d" TERM 30 &
		first+=($!)
	done
	for j in "${first[@]}"; do
		wait "$j" || true
	done
	for d in "${mons[@]}"; do
		peer_stop_one "mon.$d" TERM 30 &
		rest+=($!)
	done
	for j in "${rest[@]}"; do
		wait "$j" || true
	done
}

stop() {
	local t0 left=() p
	t0=$(now)
	load_state || true # the recorded OSDs
	if ! peer_any_running; then
		rm -f "$dir"/pids/*.pid "$dir"/pids/*.pid.start 2>/dev/null || true
		peer_log "not running in $dir"
		return 0
	fi
	stop_daemons
	# Nothing of this cluster may remain: no recorded process, no other
	# process using its ceph.conf (one whose record got lost), no port.
	for p in $(peer_running_pids); do
		left+=("pid $p still runs")
	done
	for p in $(grep -lzxsF -- "$conf" /proc/[0-9]*/cmdline); do
		p=${p%/cmdline}
		case $(readlink "$p/exe" 2>/dev/null) in
		*/ceph-mon | */ceph-mgr | */ceph-osd | */ceph-mds)
			left+=("pid ${p#/proc/} ($(tr '\0' ' ' <"$p/cmdline")) was not recorded; not touching it")
			;;
		esac
	done
	local ports=""
	# shellcheck disable=SC2154 # set by load_state
	if load_state; then ports=$mon_tcp_ports; fi
	[[ -s "$dir/ports" ]] && ports+=" $(tr '\n' ' ' <"$dir/ports")"
	for p in $ports; do
		if peer_port_busy tcp "$p"; then
			left+=("tcp port $p still listening: $(ss -H -n -l -t -p "sport = :$p" | head -n 1)")
		fi
	done
	if ((${#left[@]})); then
		printf 'ceph: left after stop: %s\n' "${left[@]}" >&2
		return 1
	fi
	peer_log "stopped in $(since "$t0")s"
}

# ---------------------------------------------------------------- status/env

status() {
	local d
	load_state || {
		echo "ceph: no cluster in $dir"
		return 1
	}
	for d in "${daemons[@]}"; do
		if ! peer_pid_alive "$dir/pids/$d.pid"; then
			echo "ceph: $d is not running"
			return 1
		fi
	done
	if ! timeout 15 ceph -c "$conf" --connect-timeout 5 -s; then
		echo "ceph: the daemons run but the cluster does not answer"
		return 1
	fi
}

# shq VALUE: VALUE in single quotes, for the shell that evals `env`.
shq() {
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

print_env() {
	load_state || peer_die "no cluster in $dir (run: $0 start $dir)"
	echo "export CEPH_CONF=$(shq "$conf")"
	echo "export CEPH_KEYRING=$(shq "$admin_keyring")"
	echo "export CEPH_SECRET_FILE=$(shq "$secret_file")"
	echo "export CEPH_MON_HOST=$(shq "$mon_host")"
	echo "export CEPH_FSID=$(shq "$fsid")"
	echo "export CEPH_FS_NAME=$(shq "$fs_name")"
	# The CLI and librados find everything through CEPH_CONF; CEPH_ARGS also
	# covers a program pointed at another configuration file.
	echo "export CEPH_ARGS=$(shq "--id admin --keyring $admin_keyring")"
}

# ---------------------------------------------------------------- one daemon

# memstore keeps the objects in the OSD process: a restarted OSD comes back
# empty, and the shared cluster with it (PGs never clean, the MDS stuck).
refuse_memstore_osd() {
	if [[ "$name" == osd.* && "$osd_store" == memstore ]]; then
		peer_die "$name uses memstore, which loses every object when the OSD stops;" \
			"start the cluster with --bluestore (NETFUSE_CEPH_OSD=bluestore) to stop or restart it"
	fi
}

# known_daemon: NAME is one of the recorded cluster's daemons.
known_daemon() {
	[[ " ${daemons[*]} " == *" $name "* ]] || peer_die "no daemon named '$name' (one of: ${daemons[*]})"
}

daemon_stop() {
	load_state || peer_die "no cluster in $dir"
	known_daemon
	refuse_memstore_osd
	peer_stop_one "$name" TERM 30
	peer_log "$name stopped"
}

daemon_kill() {
	load_state || peer_die "no cluster in $dir"
	known_daemon
	refuse_memstore_osd
	peer_stop_one "$name" KILL 10
	peer_log "$name killed"
}

daemon_start() {
	load_state || peer_die "no cluster in $dir"
	known_daemon
	refuse_memstore_osd
	peer_any_running || peer_die "the cluster in $dir is not running (start it first)"
	local pidfile=$dir/pids/$name.pid
	if peer_pid_alive "$pidfile"; then
		peer_die "$name already runs (pid $(<"$pidfile"))"
	fi
	t_start=$(now)
	deadline=$(($(date +%s) + ${NETFUSE_PEER_TIMEOUT:-180}))
	spawn "$name"
	local logs
	logs=$(daemon_logs "$name")
	case $name in
	mon.*) step "quorum of 3 monitors" "$name" "$logs" -- have_quorum ;;
	osd.*)
		step "$name up and in" "$name" "$logs" -- osd_up
		step "all PGs active+clean" "$name" "$logs" -- pgs_clean
		;;
	mgr.*) step "mgr available" "$name" "$logs" -- mgr_available ;;
	mds.*) step "$name active for $fs_name" "$name" "$logs" -- mds_active ;;
	esac
}

case $cmd in
start) start ;;
stop) stop ;;
status) status ;;
env) print_env ;;
daemon-stop) daemon_stop ;;
daemon-kill) daemon_kill ;;
daemon-start) daemon_start ;;
*) usage ;;
esac
