#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run.sh TARGET SEEDS RUNDIR [FLAGS...]: one short fuzzing run with
# libFuzzer's FLAGS besides these, as a test (meson test
# --suite fuzz). TARGET starts from the seed corpus SEEDS (read only) and
# writes the inputs it finds to RUNDIR/corpus (emptied first) and a crash
# to RUNDIR/crash-*; it runs DPT_FUZZ_SECONDS (default 60) and fails on
# any crash, sanitizer report, leak or timeout.
set -euo pipefail
target=$1 seeds=$2 run=$3
shift 3
rm -rf "$run"
mkdir -p "$run/corpus"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
rc=0
"$target" -max_total_time="${DPT_FUZZ_SECONDS:-60}" -timeout=10 \
	-rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$run/" \
	"$@" "$run/corpus" "$seeds" 2>"$run/log" || rc=$?
# the log is long (a line per new input): its head and tail say enough
grep -E '^(INFO: (Seed|-max_len)|#[0-9]+[[:space:]]+(INITED|DONE)|Done|stat::)' \
	"$run/log" || true
if [ "$rc" -ne 0 ]; then
	tail -n 60 "$run/log"
	echo "run.sh: $(basename "$target") failed ($rc); reproduce with:" \
		"$target $run/crash-* (or the artifact named above)"
	exit 1
fi
