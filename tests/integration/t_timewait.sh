#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# TIME-WAIT by the thousand: ab sends 6,000 HTTP/1.0 requests, each on a
# connection dptcpd closes first (so dptcpd holds its TIME-WAIT), from 500
# client ports only, so every 4-tuple comes back a dozen times. TIME-WAIT
# stays within [tcp] max_timewait (100 here), closes past it skip it
# (tcp_timewait_overflow), a new SYN with a newer timestamp reuses a
# TIME-WAIT 4-tuple (RFC 6191, tcp_timewait_reused), no request fails,
# a 1 MiB curl completes during the load, and with msl = 1 s every
# resource is back at its baseline within 10 s and a 10 MiB curl
# completes.
. "$(dirname "$0")/lib.sh"

it_start_dptcpd --set tcp.max_timewait=100 --set tcp.msl=1s
it_mem_baseline
it_ns sysctl -qw net.ipv4.ip_local_port_range="40000 40499"

it_ns ab -q -n 6000 -c 10 "http://$IT_ADDR/100" >"$IT_DIR/ab.out" 2>&1 &
ab=$!
IT_PIDS+=("$ab")
sleep 0.5
it_curl_body 1048576 # meanwhile, from the same 500 ports
it_log "a 1 MiB curl during the load: ${IT_CURL_S} s"
wait "$ab" || it_fail "ab: $(tail -n 5 "$IT_DIR/ab.out")"
it_forget "$ab"
out=$(cat "$IT_DIR/ab.out")
failed=$(awk '/^Failed requests:/ { print $3 }' <<<"$out")
done_=$(awk '/^Complete requests:/ { print $3 }' <<<"$out")
[ "$done_" = 6000 ] && [ "$failed" = 0 ] ||
	it_fail "ab: $done_ complete, $failed failed"
it_log "ab: 6000 requests, 0 failed, $(awk '/^Requests per second:/ { print $4 }' <<<"$out") requests/s"
tw=$(it_telemetry_fields /dptcp/stats tcp_state_time_wait)
[ "$tw" -le 100 ] || it_fail "$tw connections in TIME-WAIT, max_timewait is 100"
it_log "TIME-WAIT right after: $tw (max_timewait 100)"
it_expect_mem_baseline 10
it_curl_body 10485760
it_log "a 10 MiB curl afterwards: ${IT_CURL_S} s"
it_stop_dptcpd
reused=$(it_counter tcp_timewait_reused)
over=$(it_counter tcp_timewait_overflow)
[ "$reused" -gt 0 ] || it_fail "no TIME-WAIT 4-tuple was reused"
[ "$over" -gt 0 ] || it_fail "max_timewait was never reached"
# ab may open a spare connection or two near the end and send nothing
[ "$(it_counter tcp_conn_passive)" -ge 6002 ] ||
	it_fail "only $(it_counter tcp_conn_passive) connections accepted"
it_log "TIME-WAIT reused by new SYNs: $reused; closes past max_timewait: $over"
it_log "PASS"
