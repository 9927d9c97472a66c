#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# UDP through dptcpd's default services, from Linux's sockets: echo (port
# 7, RFC 862) returns datagrams of 1, 1472 and 8000 bytes byte for byte
# (8000 is fragmented both ways: Linux's fragments reassembled by dptcpd,
# the echo fragmented by dptcpd and reassembled by Linux); discard (9,
# RFC 863) answers nothing; a datagram to a closed port gets ICMP port
# unreachable (RFC 1122 4.1.3.1), which a connected Linux socket reports
# as ECONNREFUSED. Then again with two workers, from 8 sockets: each
# datagram is served by the worker its 4-tuple hashes to (the software
# dispatcher moves it there, after reassembly for the fragmented ones).
. "$(dirname "$0")/lib.sh"

client() {
	it_ns /usr/bin/python3 "$(dirname "$0")/udpclient.py" "$@" 2>&1
}

it_start_dptcpd
out=$(client echo "$IT_ADDR" 7 1 1 1472 8000) || it_fail "echo: $out"
it_log "$out"
out=$(client discard "$IT_ADDR" 9 5 1000) || it_fail "discard: $out"
it_log "$out"
out=$(client refused "$IT_ADDR" 4242) || it_fail "closed port: $out"
it_log "$out"
it_stop_dptcpd
it_expect_counter udp_rx 8
it_expect_counter udp_tx 3
it_expect_counter udp_drop_no_port 1
it_expect_counter icmp_tx_dest_unreach 1
it_expect_counter ip_frag_reassembled 1
it_expect_counter ip_tx_fragmented 1
it_expect_counter drops_total 1

it_ns ip link del "$IT_IF" 2>/dev/null || true
it_start_dptcpd --set eal.lcores=0@0,1@0,2@0
out=$(client echo "$IT_ADDR" 7 8 1 8000) || it_fail "two workers: $out"
it_log "two workers: $(tr '\n' ';' <<<"$out")"
it_stop_dptcpd
it_expect_counter udp_rx 16
it_expect_counter udp_tx 16
it_expect_counter drops_total 0
[ "$(it_counter rx_steer_out)" -gt 0 ] ||
	it_fail "two workers: no datagram was steered to the other worker"
it_log "two workers: $(it_counter rx_steer_out) frames steered"
it_log "PASS"
