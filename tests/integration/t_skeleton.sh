#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Walking skeleton: dptcpd on a tap device in a namespace answers ARP and
# ping from Linux, drops and counts a burst of malformed, fragmented and
# bad-checksum frames (each in its own counter, exactly), keeps answering
# ping, and exits 0 on SIGTERM with its counters.
. "$(dirname "$0")/lib.sh"

it_start_dptcpd

# -w: wait for every reply (up to 10 s), not only two round trips after
# the last request, which a loaded machine or the sanitizer build exceeds
out=$(it_ns ping -c 20 -i 0.05 -W 2 -w 10 "$IT_ADDR") || it_fail "ping: $out"
grep -q '20 packets transmitted, 20 received' <<<"$out" ||
	it_fail "ping lost packets: $out"
it_log "ping: 20 of 20 answered"

neigh=$(it_ns ip neigh show "$IT_ADDR" dev "$IT_IF")
grep -qi "lladdr $IT_MAC" <<<"$neigh" ||
	it_fail "ip neigh did not learn $IT_MAC: '$neigh'"
it_log "ip neigh: $neigh"

burst=10
expected=$(it_ns /usr/bin/python3 "$(dirname "$0")/malformed.py" "$IT_IF" \
	"$IT_MAC" "$IT_PEER_MAC" "$IT_PEER" "$IT_ADDR" "$burst")
[ -n "$expected" ] || it_fail "malformed.py sent nothing"

out=$(it_ns ping -c 5 -i 0.05 -W 2 -w 10 "$IT_ADDR") || it_fail "ping after burst: $out"
grep -q '5 packets transmitted, 5 received' <<<"$out" ||
	it_fail "ping after the burst lost packets: $out"
it_log "ping after the burst: 5 of 5 answered"

# The same counters are visible live through telemetry.
v=$(it_telemetry_counter ip_drop_cksum)
[ "$v" -eq "$burst" ] || it_fail "telemetry ip_drop_cksum is $v, expected $burst"
it_log "telemetry /dptcp/stats: ip_drop_cksum = $v"

it_stop_dptcpd
while read -r counter n; do
	it_expect_counter "$counter" "$n"
done <<<"$expected"
it_expect_counter icmp_rx_echo_request 25
it_expect_counter icmp_tx_echo_reply 25
# Every unsupported-protocol datagram got its protocol unreachable (the
# burst is within the default allowance of 50).
it_expect_counter icmp_tx_dest_unreach "$burst"
it_expect_counter arp_tx_reply "$(it_counter arp_rx_request)"
it_log "PASS"
