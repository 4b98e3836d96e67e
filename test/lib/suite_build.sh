# test/lib/suite_build.sh: build a third-party suite from its sources in
# ../shared/suites beside the source tree (or $NETFUSE_SUITES), copied into
# the build directory (test/NAME.build/, removed by make clean) and built
# there once with make; sourced by the suites' own helpers (fsx.sh,
# locktests.sh).
#
#   suite_build NAME SOURCE PROGRAM
#     SOURCE: a file of the suite that must exist (its change rebuilds);
#     PROGRAM: what make builds. 0 with SUITE_PROG set to the program, or 1
#     with SUITE_WHY saying why not.
suite_build() {
	local name=$1 file=$2 prog=$3
	SUITE_WHY=
	local src=${NETFUSE_SUITES:-$NETFUSE_SRCDIR/../shared/suites}/$name
	local dest=$NETFUSE_BUILDDIR/test/$name.build
	SUITE_PROG=$dest/$name/$prog
	if [[ ! -f $src/$file ]]; then
		SUITE_WHY="$name sources not found at $src (set NETFUSE_SUITES to a suites directory)"
		return 1
	fi
	if ! command -v cc >/dev/null || ! command -v make >/dev/null; then
		SUITE_WHY="building $name needs cc and make"
		return 1
	fi
	if [[ -x $SUITE_PROG && -f $dest/stamp && ! $src/$file -nt $dest/stamp ]]; then
		return 0
	fi
	rm -rf "$dest"
	mkdir -p "$dest"
	cp -r "$src" "$dest/"
	chmod -R u+w "$dest"
	if ! (cd "$dest/$name" && make) >"$dest/build.log" 2>&1; then
		SUITE_WHY="$name did not build (see $dest/build.log)"
		return 1
	fi
	touch "$dest/stamp"
}
