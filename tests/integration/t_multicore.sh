#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Two worker lcores (placed on one CPU with EAL's --lcores) on net_tap,
# whose RSS dptcp cannot program: the first worker reads the port and the
# software dispatcher passes each flow to the worker owning its 4-tuple.
# Linux opens 300 echo connections (20 round trips each) and 300 short
# ones; dptcp-gen, also with two workers, opens 8 connections to a Linux
# echo server, choosing local ports whose replies hash back to the
# connecting worker. Connections must land on both workers, and no segment
# may reach a worker that does not own it: such a segment finds no
# control block and is counted (tcp_drop_no_tcb, tcp_drop_cookie) and
# answered by RST, so those counters must stay 0 on every worker.
. "$(dirname "$0")/lib.sh"

two_workers=(--set eal.lcores=0@0,1@0,2@0)
client() {
	it_ns /usr/bin/python3 "$(dirname "$0")/tcpclient.py" "$@" 2>&1
}
# The counters of worker lcores 1 and 2, live, read once the traffic is
# over: one telemetry query a worker (not one a counter: each query
# starts two Python interpreters, and this test reads 17 counters).
declare -A lcore_stats=()
read_lcore_stats() {
	local lc k v
	for lc in 1 2; do
		while read -r k v; do
			lcore_stats[$lc.$k]=$v
		done < <(echo "/dptcp/stats,$lc" |
			timeout 10 dpdk-telemetry.py -f "$IT_PREFIX" |
			/usr/bin/python3 -c 'import json, sys
for k, v in json.load(sys.stdin)["/dptcp/stats"].items():
    print(k, v)')
	done
}
# A counter of one worker lcore, from what read_lcore_stats read.
lcore_counter() {
	echo "${lcore_stats[$1.$2]:-0}" # telemetry leaves out counters at 0
}

it_start_dptcpd "${two_workers[@]}"
grep -q '2 worker(s) on lcore(s) 1,2' "$IT_OUT" || it_fail "not two workers: $(head -n 1 "$IT_OUT")"
it_pcap_start

it_ns ping -c 3 -i 0.2 -W 2 "$IT_ADDR" >/dev/null || it_fail "no ping reply"
out=$(client many "$IT_ADDR" 7 300 20 64) || it_fail "300 concurrent echo connections: $out"
it_log "300 connections x 20 round trips: $(tr '\n' ' ' <<<"$out")"
out=$(client seq "$IT_ADDR" 7 300) || it_fail "300 sequential connections: $out"
it_log "300 sequential connections: $(tr '\n' ' ' <<<"$out")"

read_lcore_stats
total=0
for lc in 1 2; do
	passive=$(lcore_counter $lc tcp_conn_passive)
	[ "$passive" -gt 0 ] || it_fail "lcore $lc accepted no connection"
	total=$((total + passive))
	for c in tcp_drop_no_tcb tcp_drop_cookie tcp_rst_sent rx_steer_drop_full; do
		v=$(lcore_counter $lc $c)
		[ "$v" -eq 0 ] || it_fail "lcore $lc: $c is $v"
	done
	it_log "lcore $lc: $passive connections accepted, $(lcore_counter $lc tcp_rx_segs) segments, $(lcore_counter $lc rx_steer_in) frames passed in, $(lcore_counter $lc rx_steer_out) passed out; no segment without its control block"
done
[ "$total" -eq 600 ] || it_fail "$total connections accepted, expected 600"
[ "$(lcore_counter 2 rx_steer_in)" -gt 0 ] ||
	it_fail "the second worker received nothing through the dispatcher"
[ "$(lcore_counter 2 arp_rx_shared)" -gt 0 ] ||
	it_fail "the second worker learnt no ARP entry from the first"
# tap has no RSS dptcp can program: one queue pair, the first worker's;
# the second sends through it
[ "$(lcore_counter 2 tx_frames)" -eq 0 ] && [ "$(lcore_counter 2 tx_relayed)" -gt 0 ] ||
	it_fail "the second worker: tx_frames $(lcore_counter 2 tx_frames), tx_relayed $(lcore_counter 2 tx_relayed)"
[ "$(lcore_counter 1 tx_relayed)" -eq 0 ] || it_fail "the first worker relayed frames"
it_stop_dptcpd
it_expect_counter tcp_conn_closed 600
it_log "drops: $(awk '$4 ~ /./ && $1 ~ /drop/ && $2 > 0 { printf "%s=%s ", $1, $2 }' "$IT_OUT")"
it_expect_counter drops_total 0

# Active opens on two workers: each chooses ports that come back to it.
echo_out="$IT_DIR/echo.out"
it_bg /usr/bin/python3 "$(dirname "$0")/echo_server.py" 5001 >"$echo_out"
echo_pid=$!
it_wait_ready "$echo_out" '^listening' "$echo_pid" "the echo server"
it_start_gen "${two_workers[@]}" --mode stream --target "$IT_GEN_PEER:5001" \
	--conns 8 --bytes 1M --direction both --verify --seed 3
it_wait "$IT_GEN_PID" 60
[ "$IT_RC" -eq 0 ] || it_fail "dptcp-gen with two workers exited with $IT_RC: $(tail -n 3 "$IT_GEN_OUT")"
summary=$(grep '^dptcp-gen: summary:' "$IT_GEN_OUT") || it_fail "no summary"
grep -qF "8 of 8 connection(s) completed" <<<"$summary" || it_fail "$summary"
grep -qF "verify ok (8 of 8 byte-exact" <<<"$summary" || it_fail "$summary"
for c in tcp_rst_sent tcp_rst_rcvd tcp_drop_no_tcb; do
	v=$(awk -v k="$c" '$1 == k { v = $2 } END { print v + 0 }' "$IT_GEN_OUT")
	[ "$v" -eq 0 ] || it_fail "dptcp-gen: $c is $v"
done
it_log "dptcp-gen, two workers: $summary"
it_log "PASS"
