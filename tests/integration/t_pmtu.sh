#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Path MTU discovery (RFC 1191) through a real Linux router. The test's
# namespace routes (forwarding on) between dptcpd's tap and a second
# namespace, the client, on a veth pair whose router end has MTU 1280
# (the client's end 1500, so the client offers MSS 1460 and only the
# router knows better). dptcpd reaches the client through its gateway,
# the router; its 1500-byte segments, sent with DF, make the router answer
# ICMP fragmentation-needed (MTU 1280), which dptcpd checks against the
# connection and follows: a 1 MiB curl from the client completes, every
# segment that reached the client fits 1280, and a second curl starts
# with the cached path MTU (no second lowering).
. "$(dirname "$0")/lib.sh"

CLI_NS="dpt-it-cli-$$"
it_cli() { ip netns exec "$CLI_NS" "$@"; }

it_start_dptcpd --set port0.gateway=198.18.0.1
it_ns sysctl -qw net.ipv4.ip_forward=1
ip netns add "$CLI_NS"
IT_AFTER+=("ip netns del $CLI_NS 2>/dev/null")
it_cli ip link set lo up
it_cli sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip link add v-rtr netns "$IT_NS" type veth peer name v-cli netns "$CLI_NS"
it_ns ip link set v-rtr mtu 1280
it_ns ip addr add 198.18.5.1/24 dev v-rtr
it_ns ip link set v-rtr up
it_cli ip addr add 198.18.5.2/24 dev v-cli
it_cli ip link set v-cli up
it_cli ip route add default via 198.18.5.1
it_cli ping -c 1 -W 5 "$IT_ADDR" >/dev/null ||
	it_fail "the client cannot reach dptcpd through the router"

ip netns exec "$CLI_NS" tcpdump -q -i v-cli -s 96 -w "$IT_DIR/cli.pcap" \
	'tcp src port 80' 2>"$IT_DIR/tcpdump.err" &
dump=$!
IT_PIDS+=("$dump")
for _ in $(seq 1 50); do
	grep -q listening "$IT_DIR/tcpdump.err" && break
	sleep 0.1
done

for i in 1 2; do
	out=$(it_cli curl -s -o /dev/null --max-time 30 \
		-w '%{http_code} %{size_download} %{time_total}' \
		"http://$IT_ADDR/1048576") || it_fail "curl $i: $out"
	read -r code size t <<<"$out"
	[ "$code $size" = "200 1048576" ] || it_fail "curl $i: $out"
	it_log "curl $i through the 1280-byte link: 1 MiB in $t s"
done
kill -TERM "$dump" # it writes out what it has and exits
wait "$dump" || true
it_forget "$dump"

read -r n max < <(tshark -r "$IT_DIR/cli.pcap" -T fields -e ip.len 2>/dev/null |
	sort -n | awk '{ n++; m = $1 } END { print n + 0, m + 0 }')
[ "$n" -gt 1000 ] || it_fail "only $n segments captured at the client"
[ "$max" -le 1280 ] || it_fail "a $max-byte datagram reached the client"
it_log "at the client: $n segments from dptcpd, the largest $max bytes"

it_stop_dptcpd
it_expect_counter tcp_pmtu_lowered 1
it_expect_counter tcp_icmp_bad_seq 0
it_expect_counter tcp_icmp_no_conn 0
it_expect_counter tcp_conn_reset 0
it_log "fragmentation-needed received: $(it_counter icmp_rx_dest_unreach), not news: $(it_counter tcp_pmtu_ignored), retransmissions: $(it_counter tcp_retransmits)"
it_log "PASS"
