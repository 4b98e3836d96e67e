# test/bench/lib.sh: what the benchmark scripts share (sourced after they
# set names=(...), the figures they print).
#
#   bench_not_run WHY   every figure's line says it did not run and why;
#                       the script ends (0: a bench that cannot run here is
#                       not a failure)
#   bench_untar_prepare DIR TARBALL
#                       DIR/src.tar (TARBALL decompressed, xz outside any
#                       clock) and DIR/src.md5 (md5sum -c's list of its
#                       files); untar_why says why not when it cannot
#   cpu, rss_mib        the CPU seconds (user + system) and RSS (MiB) of
#                       $client_pid, the mounted client
#   now, since T, minus A B, plus A B, rate MIB SECONDS, ms SECONDS
#                       clock arithmetic for the figures
#   median "V...", range "V..."
#                       of a round's figures: the median, and "lo-hi"

bench_not_run() {
	local n
	for n in "${names[@]}"; do
		echo "bench $n: not run ($*)"
	done
	exit 0
}

bench_untar_prepare() {
	local dir=$1 tarball=$2
	untar_why=
	if [[ ! -r $tarball ]]; then
		untar_why="$tarball not found: install the Debian package xorg-server-source"
	elif ! xz -dc -- "$tarball" >"$dir/src.tar" 2>>"$log" || ! mkdir "$dir/srctree" ||
		! tar -xf "$dir/src.tar" -C "$dir/srctree" --no-same-owner -m 2>>"$log"; then
		untar_why="cannot unpack $tarball (see the log)"
	else
		(cd "$dir/srctree" && find . -type f -print0 | xargs -0 md5sum) >"$dir/src.md5"
		echo "untar: $tarball: $(wc -l <"$dir/src.md5") files, $(find "$dir/srctree" -type d | wc -l) directories," \
			"$(du -sm "$dir/srctree" | cut -f1) MiB" >>"$log"
		rm -rf "$dir/srctree"
	fi
}

cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15) / t }' "/proc/$client_pid/stat"; }
rss_mib() { awk '/^VmRSS:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$client_pid/status"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a - b }'; }
plus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a + b }'; }
rate() { awk -v m="$1" -v t="$2" 'BEGIN { printf "%.1f", m / (t > 0 ? t : 0.001) }'; }
ms() { awk -v t="$1" 'BEGIN { printf "%.1f", t * 1000 }'; }

median() {
	printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 } END { print ((NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
range() { printf '%s\n' $1 | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }
