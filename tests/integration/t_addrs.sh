#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# [port0] addresses: dptcpd owning 198.18.0.2 to .5 answers ARP, ping and
# HTTP on the first and the last from that very address (Linux would not
# accept a reply from another), and nothing for .6, one past the range.
. "$(dirname "$0")/lib.sh"

it_start_dptcpd --set port0.addresses=4

for a in 198.18.0.2 198.18.0.5; do
	out=$(it_ns ping -c 3 -i 0.1 -W 2 -w 10 "$a") || it_fail "ping $a: $out"
	grep -q '3 packets transmitted, 3 received' <<<"$out" ||
		it_fail "ping $a lost packets: $out"
	got=$(it_ns curl -sS -m 10 -o /dev/null \
		-w '%{http_code} %{size_download}' "http://$a/100000") ||
		it_fail "curl $a: $got"
	[ "$got" = "200 100000" ] || it_fail "curl $a: $got"
	neigh=$(it_ns ip neigh show "$a" dev "$IT_IF")
	grep -qi "lladdr $IT_MAC" <<<"$neigh" ||
		it_fail "ip neigh did not learn $a at $IT_MAC: '$neigh'"
	it_log "$a: ping 3 of 3, GET /100000 200 with 100000 bytes, $neigh"
done

if it_ns ping -c 1 -W 1 198.18.0.6 >/dev/null; then
	it_fail "198.18.0.6, past the range, answered ping"
fi
it_log "198.18.0.6 (past the range) not answered"

it_stop_dptcpd
it_expect_counter icmp_tx_echo_reply 6
it_expect_counter tcp_conn_passive 2
[ "$(it_counter arp_rx_not_for_us)" -ge 1 ] ||
	it_fail "the requests for 198.18.0.6 were not counted"
it_log "arp_rx_not_for_us = $(it_counter arp_rx_not_for_us)"
it_log "PASS"
