#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# iperf3 under the preload library (preload.sh), both ways at once, 10 s:
#   - iperf3 -s on dptcpd's address, Linux iperf3 -c from the namespace;
#   - iperf3 -c against a Linux iperf3 -s in the namespace.
# Each run's JSON (-J) has bytes received > 0 and no error, and both
# ends exit 0; afterwards dptcpd holds nothing of iperf3.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload.sh"

SECS=10
# The JSON file $1 of an iperf3 run: no error, bytes received > 0; prints
# "BYTES MBIT/S".
check_json() {
	/usr/bin/python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
if j.get("error"):
    print("error: %s" % j["error"])
    sys.exit(1)
r = j["end"]["sum_received"]
if not r["bytes"] > 0:
    print("no bytes received: %s" % r)
    sys.exit(1)
print(r["bytes"], round(r["bits_per_second"] / 1e6))' "$1"
}

# One test: the server started by $1 (pt_bg: under test; it_bg: Linux)
# on $3:$4, the client started by $2 (the other of the two; both track
# the program's own PID for the clean-up); $5 names the pair. The two pairs run at once (the suite's time: 10 s, not
# 20), each checked by pair_end.
pair() {
	local srv_by=$1 cli_by=$2 addr=$3 port=$4 what=$5
	"$srv_by" iperf3 -s -B "$addr" -p "$port" -1 --forceflush \
		>"$IT_DIR/s$port.out" 2>&1
	eval "SRV_$port=$!"
	# (iperf3 -s takes any connection as a test's control connection:
	# wait for its line, not by connecting)
	it_wait_ready "$IT_DIR/s$port.out" 'Server listening' "$!" \
		"iperf3 -s ($what)"
	"$cli_by" iperf3 -c "$addr" -p "$port" -t $SECS -J \
		>"$IT_DIR/c$port.json" 2>"$IT_DIR/c$port.err"
	eval "CLI_$port=$!"
}
pair_end() {
	local port=$1 what=$2 srv cli res
	eval "srv=\$SRV_$port cli=\$CLI_$port"
	it_wait "$cli" $((SECS + 20))
	[ "$IT_RC" -eq 0 ] || it_fail "$what: iperf3 -c exited $IT_RC: $(cat "$IT_DIR/c$port.err"; head -c 600 "$IT_DIR/c$port.json")"
	res=$(check_json "$IT_DIR/c$port.json") ||
		it_fail "$what: iperf3 -c: $res; its stderr: $(cat "$IT_DIR/c$port.err")"
	it_wait "$srv" 10
	[ "$IT_RC" -eq 0 ] || it_fail "$what: iperf3 -s exited $IT_RC: $(cat "$IT_DIR/s$port.out")"
	it_log "$what, $SECS s: $res (bytes, Mbit/s received)"
}

it_start_dptcpd --set tcp.msl=1s
pair pt_bg it_bg "$PT_ADDR" 5201 "iperf3 -s under test, Linux client"
pair it_bg pt_bg "$IT_PEER" 5202 "iperf3 -c under test, Linux server"
pair_end 5201 "iperf3 -s under test, Linux client"
pair_end 5202 "iperf3 -c under test, Linux server"
pt_expect_gone 5201
it_stop_dptcpd
it_log "PASS"
