#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The test command (README, .ci/run): install what is missing, build, run
# every test (unit and integration), then build the unit tests again with
# AddressSanitizer and UndefinedBehaviorSanitizer and run them. Needs root
# (network namespaces, tap devices).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

[ -f build/build.ninja ] || meson setup build
ninja -C build
meson test -C build --print-errorlogs

[ -f build-asan/build.ninja ] ||
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
		-Dintegration=false
ninja -C build-asan
meson test -C build-asan --suite unit --print-errorlogs

echo "test.sh: all tests passed (build/ and the sanitizer build build-asan/)"
