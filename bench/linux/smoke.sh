#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A by-hand sanity check of lnx-rr (not a test, not the bench suite): in a
# network namespace of its own (wtlnx-PID, 198.18.3.1/32 on lo), the server
# on CPU 0 and the client on CPU 1 for 2 s in each mode; the JSON must
# parse and its numbers must be sane. With --sockperf, also a sockperf TCP
# ping-pong of 64 B (full round trip) to compare rr latencies with;
# pingpong before and after shows whether the vCPUs moved meanwhile.
# Numbers on a shared 2-vCPU machine are for sanity only.
#
#   bench/linux/smoke.sh [--sockperf] [BUILD_DIR]      (as root)
set -u
SOCKPERF=0
[ "${1:-}" = --sockperf ] && { SOCKPERF=1; shift; }
B=${1:-build}/bench
NS=wtlnx-$$
OUT=$(mktemp -d /tmp/wtlnx-smoke.XXXXXX)
PIDS=()
FAIL=0

cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

in_ns() { ip netns exec "$NS" "$@"; }

wait_listen() {
	for _ in $(seq 50); do
		in_ns ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	echo "smoke: nothing listens on port $1"; return 1
}

# check NAME: the JSON parses, has exactly the agreed keys, and is sane
check() {
	local j=$OUT/$1.json
	/usr/bin/python3 -m json.tool "$j" >/dev/null || { echo "$1: bad JSON"; return 1; }
	/usr/bin/python3 - "$j" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
keys = ["tool", "mode", "conns", "size", "pipeline", "elapsed_s",
        "transactions", "tps", "conns_made", "cps", "bytes_sent",
        "bytes_received", "goodput_tx_mbps", "goodput_rx_mbps", "latency_us",
        "errors", "error_kinds", "retransmits", "setup_s"]
bad = []
if list(r) != keys: bad.append("keys %s" % list(r))
L = r["latency_us"]
if r["errors"] != 0 or sum(r["error_kinds"].values()) != 0: bad.append("errors")
if r["mode"] in ("rr", "crr"):
    if not r["tps"] > 0: bad.append("tps")
    if not (0 < L["min"] <= L["p50"] <= L["p90"] <= L["p99"] <= L["p999"] <= L["max"]):
        bad.append("latency order")
    if L["count"] != r["transactions"]: bad.append("count")
    inflight = r["conns"] * r["size"] * r["pipeline"]
    if not 0 <= r["bytes_received"] - r["transactions"] * r["size"] < inflight:
        bad.append("bytes received")
    if not 0 <= r["bytes_sent"] - r["bytes_received"] <= inflight:
        bad.append("bytes sent")
if r["mode"] in ("rr", "idle") and r["conns_made"] != r["conns"]: bad.append("conns_made")
if r["mode"] == "crr" and not (r["cps"] > 0 and r["conns_made"] >= r["transactions"]):
    bad.append("cps")
if r["mode"] == "idle" and not 0 < r["setup_s"] < r["elapsed_s"]: bad.append("setup_s")
print("  %-10s tps %.0f cps %.0f p50 %.1f p99 %.1f max %.1f us, retrans %d, setup %.3f s %s"
      % (sys.argv[1].split("/")[-1], r["tps"], r["cps"], L["p50"], L["p99"], L["max"],
         r["retransmits"], r["setup_s"], "ok" if not bad else "BAD: " + ", ".join(bad)))
sys.exit(1 if bad else 0)
EOF
}

run() {
	local name=$1; shift
	in_ns "$B/lnx-rr" client --target 198.18.3.1:7001 --cpu 1 \
		--duration 2 --json "$OUT/$name.json" "$@" > "$OUT/$name.out"
	local rc=$?
	[ $rc -eq 0 ] || { echo "$name: exit $rc"; tail -3 "$OUT/$name.out"; }
	check "$name" || rc=1
	[ $rc -eq 0 ] || FAIL=1
}

ip netns add "$NS" || exit 1
in_ns ip addr add 198.18.3.1/32 dev lo
in_ns ip link set lo up
in_ns sysctl -qw net.ipv4.tcp_tw_reuse=1   # crr leaves TIME-WAIT here
ulimit -n 20000

# Background programs are simple commands, not through in_ns: a function
# run with & is a subshell, and $! would be that shell, not the program.
ip netns exec "$NS" "$B/lnx-rr" server --bind 198.18.3.1:7001 --cpu 0 &
SRV=$!
PIDS+=("$SRV")
wait_listen 7001 || exit 1
echo "smoke: outputs in $OUT"
"$B/pingpong"                              # noise before
run rr1 --mode rr --conns 1 --size 64
run rr256 --mode rr --conns 256 --size 64
run crr50 --mode crr --conns 50 --size 64
run idle1000 --mode idle --conns 1000
kill "$SRV"; wait "$SRV"; rc=$?
[ $rc -eq 0 ] || { echo "server: exit $rc on SIGTERM"; FAIL=1; }
PIDS=()

if [ $SOCKPERF -eq 1 ]; then
	ip netns exec "$NS" taskset -c 0 sockperf sr --tcp -i 198.18.3.1 \
		-p 7002 > "$OUT/sockperf-server.out" 2>&1 &
	SPS=$!
	PIDS+=("$SPS")
	wait_listen 7002 || exit 1
	in_ns taskset -c 1 sockperf pp --tcp -i 198.18.3.1 -p 7002 -m 64 \
		-t 2 --full-rtt > "$OUT/sockperf.out" 2>&1
	grep -E "Summary|percentile (50|99)\.000 " "$OUT/sockperf.out"
fi
"$B/pingpong"                              # and after
[ $FAIL -eq 0 ] && echo "smoke: all sane" || echo "smoke: FAILED"
exit $FAIL
