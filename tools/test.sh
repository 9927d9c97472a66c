#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The test command (README, .ci/run): install what is missing, then
#   1. build/       every test: unit, integration, bench (sanity);
#   2. build-asan/  everything built again with AddressSanitizer and
#                   UndefinedBehaviorSanitizer: the unit and integration
#                   suites, LeakSanitizer checking every program at exit
#                   (the benchmarks only in the plain build);
#   3. build-fuzz/  the libFuzzer targets (clang) from their seed
#                   corpora, all five at once for DPT_FUZZ_SECONDS (45):
#                   about 18 s of a CPU each on two CPUs.
# Needs root (network namespaces, tap devices). Prints each part's time.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzz_seconds=${DPT_FUZZ_SECONDS:-45}
t0=$SECONDS
times=()
lap() {
	times+=("$(printf '%-44s %4d s' "$1" $((SECONDS - t0)))")
	t0=$SECONDS
}

# the value of meson option $2 in build directory $1
option() {
	meson introspect --buildoptions "$1" | python3 -c 'import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == sys.argv[1]))' "$2"
}

tools/install-deps.sh
# ccache (when meson finds it) keyed on paths relative to this tree and not
# on the build directory, so a fresh clone anywhere hits what an earlier
# one compiled
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

[ -f build/build.ninja ] || meson setup build
ninja -C build
lap "build/: build"
meson test -C build --print-errorlogs
lap "build/: unit, integration, bench"

[ -f build-asan/build.ninja ] ||
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
# (a build-asan/ from before the integration suite ran there)
[ "$(option build-asan integration)" = True ] ||
	meson configure build-asan -Dintegration=true
ninja -C build-asan
lap "build-asan/: build"
meson test -C build-asan --no-suite bench --print-errorlogs
lap "build-asan/: unit, integration"

# (meson wraps a compiler it finds in ccache, but not one given in CC)
fuzz_cc=clang-14
command -v ccache >/dev/null && fuzz_cc="ccache clang-14"
[ -f build-fuzz/build.ninja ] ||
	CC="$fuzz_cc" meson setup build-fuzz -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false
[ "$(option build-fuzz fuzz_seconds)" = "$fuzz_seconds" ] ||
	meson configure build-fuzz -Dfuzz_seconds="$fuzz_seconds"
ninja -C build-fuzz
lap "build-fuzz/: build"
meson test -C build-fuzz --suite fuzz --num-processes 5 --print-errorlogs
lap "build-fuzz/: 5 targets, ${fuzz_seconds} s at once"

printf '%s\n' "${times[@]}"
echo "test.sh: all tests passed (build/, the sanitizer build build-asan/," \
	"the fuzz targets in build-fuzz/)"
