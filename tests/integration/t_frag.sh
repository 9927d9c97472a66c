#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# IPv4 fragments, with two workers on net_tap (one queue pair: the first
# worker reads the port, and fragments meet on the worker their address
# pair names, which passes each reassembled datagram to the worker its
# 4-tuple names). Linux's pings of 4,000 and 60,000 bytes, fragmented by
# Linux, are answered (the replies fragmented by dptcpd, reassembled by
# Linux); TCP segments sent as fragments (fragclient.py, scapy, from an
# address Linux does not own) reach the echo service and come back; then
# 5 s of fragments that never complete: a 1 MiB curl completes byte-exact
# during them, and once the reassembly timeout (2 s here) has passed every
# resource of /dptcp/mem is back at its baseline.
. "$(dirname "$0")/lib.sh"

frag() { it_ns /usr/bin/python3 "$(dirname "$0")/fragclient.py" "$@" 2>&1; }

it_start_dptcpd --set eal.lcores=0@0,1@0,2@0 --set ip.reass_timeout=2s
grep -q '2 worker(s)' "$IT_OUT" || it_fail "not two workers"
it_pcap_start
it_mem_baseline
read -r _ pkt0 _ <<<"$IT_MEM0"

for size in 4000 60000; do
	out=$(it_ns ping -c 3 -i 0.2 -W 3 -s "$size" "$IT_ADDR") ||
		it_fail "ping -s $size: $out"
	grep -q '3 packets transmitted, 3 received' <<<"$out" ||
		it_fail "ping -s $size lost replies: $out"
	it_log "ping -s $size: 3 of 3 answered"
done

out=$(frag tcp "$IT_IF" "$IT_ADDR" 7 4) || it_fail "fragmented TCP: $out"
it_log "TCP segments as three fragments each, to echo: $out"

it_bg /usr/bin/python3 "$(dirname "$0")/fragclient.py" flood "$IT_IF" \
	"$IT_MAC" "$IT_ADDR" 5 >"$IT_DIR/flood.out" 2>&1
flood=$!
# under way once dptcpd holds fragments (scapy alone takes seconds to
# load on a busy machine: a fixed sleep let the curl run before it)
for _ in $(seq 1 100); do
	[ "$(it_telemetry_counter ip_frag_held)" -gt 0 ] && break
	kill -0 "$flood" 2>/dev/null || break
	sleep 0.1
done
[ "$(it_telemetry_counter ip_frag_held)" -gt 0 ] ||
	it_fail "no fragment held 10 s after the flood started: $(cat "$IT_DIR/flood.out")"
read -r _ pkt1 _ <<<"$(it_mem)"
it_curl_body 1048576 20
it_log "during the flood: 1 MiB fetched byte-exact; pkt_mbufs_used $pkt1 (after start-up $pkt0)"
it_wait "$flood" 30
[ "$IT_RC" -eq 0 ] || it_fail "fragclient.py flood exited $IT_RC: $(cat "$IT_DIR/flood.out")"
it_log "flood: $(cat "$IT_DIR/flood.out")"

it_expect_mem_baseline 10

it_stop_dptcpd
# 6 echo requests and 4 segments; the flood's datagrams never complete
it_expect_counter ip_frag_reassembled 10
it_expect_counter ip_tx_fragmented 6
it_expect_counter ip_frag_held 0
it_expect_counter ip_frag_datagrams 0
it_expect_counter tx_drop_oversize 0
it_expect_counter ip_drop_frag_out 0
it_expect_counter tcp_conn_reset 0
for c in ip_frag_drop_table_full ip_frag_drop_timeout; do
	[ "$(it_counter $c)" -gt 0 ] || it_fail "$c is 0: the flood did not fill the table"
	it_log "$c = $(it_counter $c)"
done
it_log "ip_frag_drop_mem = $(it_counter ip_frag_drop_mem), icmp_tx_time_exceeded = $(it_counter icmp_tx_time_exceeded), rx_steer_drop_full = $(it_counter rx_steer_drop_full)"
it_log "PASS"
