#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# UDP over IPv6 through dptcpd's default services, from Linux's sockets
# (addresses from 2001:2::/48, RFC 5180): echo (port 7) returns datagrams
# of 1, 1452 (the most a 1500-byte link carries unfragmented), 1472 (the
# IPv4 most: two fragments here) and 8000 bytes (fragmented both ways,
# RFC 8200 4.5) byte for byte, from four sockets, over
# dptcpd's Neighbor Discovery; discard (9) answers
# nothing; a datagram to a closed port gets ICMPv6 port unreachable (RFC
# 4443 3.1), which a connected Linux socket reports as ECONNREFUSED.
# dptcpd runs two workers: each datagram is handled by the worker its
# IPv6 4-tuple names (the 8000-byte ones reassembled where they arrive,
# then handed on).
. "$(dirname "$0")/lib.sh"

ADDR6=2001:2::1
PEER6=2001:2::2

client() {
	it_ns /usr/bin/python3 "$(dirname "$0")/udpclient.py" "$@" 2>&1
}

it_start_dptcpd --set "port0.address6=$ADDR6/64" \
	--set eal.lcores=0@0,1@0,2@0
it_peer6_up "$IT_IF" "$PEER6/64"
it_wait_ping6 "$ADDR6"
out=$(client echo "$ADDR6" 7 4 1 1452 1472 8000) || it_fail "echo: $out"
it_log "$(tr '\n' ';' <<<"$out")"
out=$(client discard "$ADDR6" 9 5 1000) || it_fail "discard: $out"
it_log "$out"
out=$(client refused "$ADDR6" 4242) || it_fail "closed port: $out"
it_log "$out"
it_stop_dptcpd
it_expect_counter udp_rx 21
it_expect_counter udp_tx 16
it_expect_counter udp_drop_no_port 1
it_expect_counter udp6_drop_no_cksum 0
it_expect_counter udp_drop_cksum 0
it_expect_counter ip_frag_drop_steer 0
it_log "steered to the other worker: $(awk '$1 == "rx_steer_out" { print $2 }' "$IT_OUT") frames"
it_log "PASS"
