#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# IPv6 below the transports against Linux: dptcpd with [port0] address6
# passes duplicate address detection, then `ping -6` is answered (the
# echo replies carry the request's data, RFC 4443 4.2) and Linux's
# neighbour table learns dptcpd's MAC through Neighbor Discovery (RFC
# 4861). Then dptcpd again, configured with Linux's own address: Linux
# defends it against dptcpd's DAD probe, and dptcpd counts and logs the
# duplicate and never answers for it (RFC 4862 5.4.5).
. "$(dirname "$0")/lib.sh"

ADDR6=2001:2::1
PEER6=2001:2::2

peer6_up() { it_peer6_up "$IT_IF" "$PEER6/64"; }

# dptcpd's DAD probes the address one [arp] retrans (1 s) before it
# uses it: pings go unanswered until then.
it_start_dptcpd --set "port0.address6=$ADDR6/64"
peer6_up
it_wait_ping6 "$ADDR6"
out=$(it_ns ping -6 -c 3 -i 0.2 -s 100 -W 2 "$ADDR6" 2>&1) ||
	it_fail "ping -6 -c 3: $out"
grep -q '3 received' <<<"$out" || it_fail "ping -6 -c 3: $out"
it_log "ping -6: $(grep received <<<"$out")"
neigh=$(it_ns ip -6 neigh show "$ADDR6" dev "$IT_IF")
grep -qi "lladdr $IT_MAC" <<<"$neigh" ||
	it_fail "Linux did not learn dptcpd's MAC $IT_MAC: '$neigh'"
it_log "ip -6 neigh: $neigh"
it_stop_dptcpd
it_expect_counter nd_dad_duplicate 0
it_log "dptcpd: $(awk '$1 ~ /^(icmp6_rx_echo_request|icmp6_tx_echo_reply|nd_rx_ns|nd_tx_na|nd_tx_ns|nd_rx_na|ip6_drop_tentative|ip6_drop_not_for_us)$/ { printf "%s=%s ", $1, $2 }' "$IT_OUT")"

# DAD conflict: the probes go [arp] retrans apart; three of them, so one
# is sent after Linux's side of the tap is up and holds the address.
it_ns ip link del "$IT_IF" 2>/dev/null || true
it_start_dptcpd --set "port0.address6=$PEER6/64" --set ip.dad_transmits=3
peer6_up
for _ in $(seq 1 50); do
	grep -q 'duplicate address detected' "$IT_ERR" "$IT_OUT" && break
	sleep 0.1
done
grep -q "duplicate address detected: $PEER6" "$IT_ERR" "$IT_OUT" ||
	it_fail "dptcpd did not detect that $PEER6 is Linux's"
sleep 0.5
it_stop_dptcpd
it_expect_counter nd_dad_duplicate 1
it_expect_counter icmp6_tx_echo_reply 0
it_log "PASS"
