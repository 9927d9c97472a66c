#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# UDP over IPv6 through dptcpd's default services, from Linux's sockets
# (addresses from 2001:2::/48, RFC 5180): echo (port 7) returns datagrams
# of 1, 1452 (the most a 1500-byte link carries unfragmented) and 8000
# bytes (fragmented both ways, RFC 8200 4.5) byte for byte, over
# dptcpd's Neighbor Discovery; discard (9) answers
# nothing; a datagram to a closed port gets ICMPv6 port unreachable (RFC
# 4443 3.1), which a connected Linux socket reports as ECONNREFUSED.
. "$(dirname "$0")/lib.sh"

ADDR6=2001:2::1
PEER6=2001:2::2

client() {
	it_ns /usr/bin/python3 "$(dirname "$0")/udpclient.py" "$@" 2>&1
}

it_start_dptcpd --set "port0.address6=$ADDR6/64"
it_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
	"net.ipv6.conf.$IT_IF.disable_ipv6=0"
it_ns ip -6 addr add "$PEER6/64" dev "$IT_IF" nodad
# dptcpd uses its address once duplicate address detection is done (1 s)
ok=
for _ in $(seq 1 50); do
	if it_ns ping -6 -c 1 -W 0.2 "$ADDR6" >/dev/null 2>&1; then
		ok=1
		break
	fi
	sleep 0.1
done
[ -n "$ok" ] || it_fail "ping -6 $ADDR6 not answered"
out=$(client echo "$ADDR6" 7 2 1 1452 8000) || it_fail "echo: $out"
it_log "$(tr '\n' ';' <<<"$out")"
out=$(client discard "$ADDR6" 9 5 1000) || it_fail "discard: $out"
it_log "$out"
out=$(client refused "$ADDR6" 4242) || it_fail "closed port: $out"
it_log "$out"
it_stop_dptcpd
it_expect_counter udp_rx 11
it_expect_counter udp_tx 6
it_expect_counter udp_drop_no_port 1
it_expect_counter udp6_drop_no_cksum 0
it_expect_counter udp_drop_cksum 0
it_log "PASS"
