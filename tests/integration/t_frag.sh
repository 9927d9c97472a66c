#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# IPv4 fragments, with two workers on net_tap (one queue pair: the first
# worker reads the port, and fragments meet on the worker their address
# pair names, which passes each reassembled datagram to the worker its
# 4-tuple names). Linux's pings of 4,000 and 60,000 bytes, fragmented by
# Linux, are answered (the replies fragmented by dptcpd, reassembled by
# Linux); TCP segments sent as fragments (fragclient.py, scapy, from an
# address Linux does not own) reach the echo service and come back; then
# 5 s of fragments that never complete: a 1 MiB curl completes during
# them, and once the reassembly timeout (2 s here) has passed the packet
# pool is back at its baseline.
. "$(dirname "$0")/lib.sh"

frag() { it_ns /usr/bin/python3 "$(dirname "$0")/fragclient.py" "$@" 2>&1; }
mem() { it_telemetry_fields /dptcp/mem pkt_mbufs_used hdr_mbufs_used; }

it_start_dptcpd --set eal.lcores=0@0,1@0,2@0 --set ip.reass_timeout=2s
grep -q '2 worker(s)' "$IT_OUT" || it_fail "not two workers"
it_pcap_start
read -r pkt0 hdr0 <<<"$(mem)"

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
sleep 1
read -r pkt1 hdr1 <<<"$(mem)"
out=$(it_ns curl -s -o /dev/null --max-time 20 \
	-w '%{http_code} %{size_download}' "http://$IT_ADDR/1048576") ||
	it_fail "curl during the flood: $out"
[ "$out" = "200 1048576" ] || it_fail "curl during the flood: $out"
it_log "during the flood: 1 MiB fetched; pkt_mbufs_used $pkt1 (after start-up $pkt0)"
it_wait "$flood" 30
it_log "flood: $(cat "$IT_DIR/flood.out")"

for _ in $(seq 1 100); do
	read -r pkt hdr <<<"$(mem)"
	[ "$pkt" -eq "$pkt0" ] && [ "$hdr" -eq "$hdr0" ] && break
	sleep 0.1
done
[ "$pkt" -eq "$pkt0" ] ||
	it_fail "pkt_mbufs_used is $pkt after the flood, $pkt0 after start-up"
[ "$hdr" -eq "$hdr0" ] ||
	it_fail "hdr_mbufs_used is $hdr after the flood, $hdr0 after start-up"
it_log "after the reassembly timeout: pkt_mbufs_used=$pkt hdr_mbufs_used=$hdr (as after start-up)"

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
