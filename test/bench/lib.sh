# test/bench/lib.sh: what the benchmark scripts share (sourced after they
# set names=(...), the figures they print).
#
#   bench_not_run WHY   every figure's line says it did not run and why;
#                       the script ends (0: a bench that cannot run here is
#                       not a failure)

bench_not_run() {
	local n
	for n in "${names[@]}"; do
		echo "bench $n: not run ($*)"
	done
	exit 0
}
