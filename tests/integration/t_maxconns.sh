#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The connection table full: dptcpd with max_conns 16 (its smallest), 16
# Linux clients hold echo connections, and 20 more connect. Those past the
# limit must be refused at once (RST: ECONNREFUSED within 1 s; not a SYN
# cookie followed by silence), counted in tcp_drop_no_tcb; ping works
# throughout; when one client closes, a fresh connection and a 1 MiB curl
# work at once; when all have closed, every resource is back at its
# baseline within 10 s and a 10 MiB curl completes.
. "$(dirname "$0")/lib.sh"

max=16
check() { it_ns /usr/bin/python3 "$(dirname "$0")/conncheck.py" "$@"; }
tcbs() { it_telemetry_fields /dptcp/mem tcbs_used; }

it_start_dptcpd --set tcp.max_conns=$max
it_mem_baseline
it_ns ping -c 1 -W 2 "$IT_ADDR" >/dev/null || it_fail "no ping before"

# 15 held by one client process, the 16th by another we can end alone
it_bg /usr/bin/python3 "$(dirname "$0")/conncheck.py" hold "$IT_ADDR" 7 \
	$((max - 1)) >"$IT_DIR/hold1.out"
h1=$!
it_bg /usr/bin/python3 "$(dirname "$0")/conncheck.py" hold "$IT_ADDR" 7 1 \
	>"$IT_DIR/hold2.out"
h2=$!
for _ in $(seq 1 100); do
	grep -q held "$IT_DIR/hold1.out" && grep -q held "$IT_DIR/hold2.out" &&
		break
	sleep 0.1
done
grep -q held "$IT_DIR/hold2.out" && grep -q held "$IT_DIR/hold1.out" ||
	it_fail "the first $max connections were not all made"
[ "$(tcbs)" -eq "$max" ] || it_fail "tcbs_used is $(tcbs), expected $max"
it_log "$max connections held: the table is full"

out=$(check refused "$IT_ADDR" 7 20) || it_fail "past max_conns: $out"
it_log "20 more: $out"
it_ns ping -c 3 -i 0.2 -W 2 "$IT_ADDR" >/dev/null ||
	it_fail "no ping while the table is full"

# one client closes: its control block is free as soon as the close
# handshake ends, and the next connection is made at the first try
kill -TERM "$h2"
it_wait "$h2" 5
for _ in $(seq 1 50); do
	[ "$(tcbs)" -lt "$max" ] && break
	sleep 0.1
done
[ "$(tcbs)" -lt "$max" ] || it_fail "no control block freed 5 s after a close"
out=$(check timed "$IT_ADDR" 7 1 1000) ||
	it_fail "a fresh connection after one freed: $out"
it_log "one freed: a fresh connection at once ($out)"
for _ in $(seq 1 50); do
	[ "$(tcbs)" -lt "$max" ] && break
	sleep 0.1
done
it_curl_body 1048576
it_log "and a 1 MiB curl in the freed slot (${IT_CURL_S} s)"
it_ns ping -c 1 -W 2 "$IT_ADDR" >/dev/null || it_fail "no ping after"

kill -TERM "$h1"
it_wait "$h1" 5
for _ in $(seq 1 100); do
	[ "$(tcbs)" -eq 0 ] && break
	sleep 0.1
done
[ "$(tcbs)" -eq 0 ] || it_fail "tcbs_used is $(tcbs) 10 s after every client closed"
it_expect_mem_baseline 10
it_curl_body 10485760
it_log "a 10 MiB curl afterwards (${IT_CURL_S} s)"

it_stop_dptcpd
it_expect_counter tcp_drop_no_tcb 20
it_expect_counter tcp_syncookies_sent 0
it_expect_counter tcp_conn_passive $((max + 3))
it_log "PASS"
