#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# libdptcp over IPv6 against Linux (addresses from 2001:2::/48, RFC 5180),
# through tests/integration/embed_inet.c:
#   - an AF_INET6 listener on [::] (no IPV6_V6ONLY) echoes a Linux client
#     over IPv6 (4 MiB both ways, SHA-256) and one over IPv4, whom
#     accept() names ::ffff:198.18.0.1, as Linux's dual-stack socket does;
#   - with IPV6_V6ONLY it echoes IPv6 and resets an IPv4 connection;
#   - an AF_INET6 client connects to a Linux echo (socat) at [2001:2::2]
#     and at ::ffff:198.18.0.1: 4 MiB each, byte for byte;
#   - SOCK_DGRAM: an AF_INET and an AF_INET6 (dual-stack, zero-copy)
#     echo answer Linux's sockets with datagrams of 1, 1472 and 8000
#     bytes (fragmented; and 30000 over IPv4 to the AF_INET one, two
#     transmit buffers back) byte for byte over both families; a dptcp
#     client sends the same to Linux's UDP echo (sendto/recvfrom, then
#     connected; a short read cut, MSG_TRUNC; 30000 bytes too, two
#     transmit buffers), over IPv4, IPv6 and
#     ::ffff:a.b.c.d; a connected socket's datagram to a closed port
#     makes its next recv fail with ECONNREFUSED;
#   - with two workers (IPv4), the echo answers 8 Linux sockets (their
#     datagrams spread over both workers) and the client and the closed
#     port work as with one.
. "$(dirname "$0")/lib.sh"

: "${DPTCP_INET:?}"
A6=2001:2::1
P6=2001:2::2
tcpclient() { it_ns /usr/bin/python3 "$(dirname "$0")/tcpclient.py" "$@" 2>&1; }
inet() { "$DPTCP_INET" -P "$IT_PREFIX" "$@"; }

it_start_dptcpd --set "port0.address6=$A6/64" --set ip.dad_transmits=0
it_ns sysctl -qw "net.ipv6.conf.$IT_IF.router_solicitations=0"
it_ns sysctl -qw "net.ipv6.conf.$IT_IF.accept_ra=0"
it_ns sysctl -qw "net.ipv6.conf.$IT_IF.disable_ipv6=0"
it_ns ip -6 addr add "$P6/64" dev "$IT_IF" nodad

# Start case $1 of embed_inet in the background (output in $IT_DIR/$2.out)
start_inet() {
	local name=$1
	shift
	it_bg "$DPTCP_INET" -P "$IT_PREFIX" "$@" >"$IT_DIR/$name.out" 2>&1
	eval "PID_$name=$!"
	it_wait_ready "$IT_DIR/$name.out" 'listening' "$!" "$name"
}
end_inet() {
	local pid
	eval "pid=\$PID_$1"
	it_wait "$pid" $((20 * IT_TIME_SCALE))
	[ "$IT_RC" -eq 0 ] || it_fail "$1 exited $IT_RC: $(tail -3 "$IT_DIR/$1.out")"
	it_log "$1: $(tr '\n' ';' <"$IT_DIR/$1.out")"
}

# dual stack: one IPv6 client, one IPv4 client
start_inet dual tcp6-echo 5060 2
out=$(tcpclient echo "$A6" 5060 $((4 * 1024 * 1024)) 1) ||
	it_fail "echo over IPv6 through the [::] listener: $out"
out=$(tcpclient echo "$IT_ADDR" 5060 $((4 * 1024 * 1024)) 2) ||
	it_fail "echo over IPv4 through the [::] listener: $out"
end_inet dual
grep -q "^peer $P6 " "$IT_DIR/dual.out" ||
	it_fail "accept did not name the IPv6 peer $P6"
grep -q "^peer ::ffff:$IT_PEER " "$IT_DIR/dual.out" ||
	it_fail "accept did not name the IPv4 peer ::ffff:$IT_PEER"
grep -q "^accepted: local ::ffff:$IT_ADDR 5060" "$IT_DIR/dual.out" ||
	it_fail "getsockname of the IPv4 connection is not ::ffff:$IT_ADDR"

# IPV6_V6ONLY: IPv4 is reset, IPv6 served
start_inet v6only tcp6-echo 5061 1 v6only
wrong0=$(it_telemetry_fields /dptcp/stats embed_accept_wrong_family)
out=$(tcpclient echo "$IT_ADDR" 5061 1000 3) &&
	it_fail "IPv4 through an IPV6_V6ONLY listener was served: $out"
out=$(tcpclient echo "$A6" 5061 $((1024 * 1024)) 4) ||
	it_fail "echo over IPv6 through the IPV6_V6ONLY listener: $out"
end_inet v6only
wrong1=$(it_telemetry_fields /dptcp/stats embed_accept_wrong_family)
[ "$wrong1" -eq $((wrong0 + 1)) ] ||
	it_fail "embed_accept_wrong_family $wrong0 -> $wrong1, expected one more"

# the client side: to a Linux echo over IPv6 and to a mapped IPv4 address
it_bg socat "TCP6-LISTEN:8007,bind=[$P6],reuseaddr,fork" EXEC:cat
it_bg socat "TCP4-LISTEN:8007,bind=$IT_PEER,reuseaddr,fork" EXEC:cat
for _ in $(seq 1 50); do
	[ "$(it_ns ss -ltnH 'sport = :8007' | wc -l)" -ge 2 ] && break
	sleep 0.1
done
out=$(inet tcp6-client "$P6" 8007 $((4 * 1024 * 1024))) ||
	it_fail "AF_INET6 client to socat over IPv6: $out"
it_log "$(tr '\n' ';' <<<"$out")"
grep -q "^connected: local $A6 [0-9]* peer $P6 8007" <<<"$out" ||
	it_fail "the IPv6 client's names: $out"
out=$(inet tcp6-client "::ffff:$IT_PEER" 8007 $((4 * 1024 * 1024))) ||
	it_fail "AF_INET6 client to socat at ::ffff:$IT_PEER: $out"
it_log "$(tr '\n' ';' <<<"$out")"

# UDP: libdptcp's datagram sockets as echo servers for Linux's sockets,
# 1, 1472 and 8000 bytes (fragmented) byte for byte, both families, and
# 30000 (longer than a transmit buffer) over IPv4
uclient() { it_ns /usr/bin/python3 "$(dirname "$0")/udpclient.py" "$@" 2>&1; }
start_inet u4 udp-echo 4 5070 8
out=$(uclient echo "$IT_ADDR" 5070 2 1 1472 8000 30000) ||
	it_fail "UDP echo on an AF_INET dptcp socket: $out"
end_inet u4
start_inet u6 udp-echo 6 5071 6 z
out=$(uclient echo "$A6" 5071 1 1 1472 8000) ||
	it_fail "UDP echo over IPv6 on an AF_INET6 dptcp socket: $out"
out=$(uclient echo "$IT_ADDR" 5071 1 1 1472 8000) ||
	it_fail "UDP echo over IPv4 on an AF_INET6 dptcp socket: $out"
end_inet u6
grep -q "from a name of 28 bytes" "$IT_DIR/u6.out" ||
	it_fail "AF_INET6 recvfrom did not name its peers as sockaddr_in6"

# and as clients of Linux's UDP echo, then a closed port
it_bg /usr/bin/python3 "$(dirname "$0")/udp_echo_server.py" 5080 "$IT_PEER" \
	>"$IT_DIR/lecho4.out"
it_wait_ready "$IT_DIR/lecho4.out" listening "$!" "udp echo (IPv4)"
it_bg /usr/bin/python3 "$(dirname "$0")/udp_echo_server.py" 5081 "$P6" \
	>"$IT_DIR/lecho6.out"
it_wait_ready "$IT_DIR/lecho6.out" listening "$!" "udp echo (IPv6)"
for dst in "$IT_PEER 5080" "$P6 5081" "::ffff:$IT_PEER 5080"; do
	# shellcheck disable=SC2086 # address and port
	out=$(inet udp-client $dst 1 1472 8000 30000) ||
		it_fail "dptcp UDP client to Linux's echo at $dst: $out"
	it_log "udp client to $dst: $(tr '\n' ';' <<<"$out")"
	grep -Eq "^connected from ($IT_ADDR|$A6|::ffff:$IT_ADDR)\$" <<<"$out" ||
		it_fail "getsockname after connect to $dst: not our address"
done
out=$(inet udp-refused "$IT_PEER" 5099) || it_fail "closed port: $out"
it_log "$out"
# over IPv6: Linux's ICMPv6 port unreachable reaches the connected socket
out=$(inet udp-refused "$P6" 5099) || it_fail "closed port over IPv6: $out"
it_log "over IPv6: $out"

it_stop_dptcpd
it_expect_counter tcp_drop_cksum 0
it_expect_counter udp_drop_cksum 0
it_expect_counter embed_udp_drop_rcvbuf 0
it_expect_counter embed_udp_drop_ring 0

# Two workers (IPv4): a datagram socket is bound on both, so datagrams
# reach it from whichever worker RSS or the dispatcher gives them; a
# connected socket sends through the worker owning its 4-tuple, where the
# port unreachable arrives.
it_ns ip link del "$IT_IF" 2>/dev/null || true
it_start_dptcpd --set eal.lcores=0@0,1@0,2@0
start_inet u2 udp-echo 4 5072 16
out=$(uclient echo "$IT_ADDR" 5072 8 1 8000) ||
	it_fail "two workers: UDP echo on a dptcp socket: $out"
end_inet u2
out=$(inet udp-client "$IT_PEER" 5080 1 1472 8000) ||
	it_fail "two workers: dptcp UDP client: $out"
out=$(inet udp-refused "$IT_PEER" 5099) ||
	it_fail "two workers: closed port: $out"
it_log "two workers: $out"
it_stop_dptcpd
it_expect_counter embed_udp_drop_rcvbuf 0
it_expect_counter embed_udp_drop_ring 0
[ "$(it_counter rx_steer_out)" -gt 0 ] ||
	it_fail "two workers: no datagram was steered to the other worker"
it_log "two workers: $(it_counter rx_steer_out) frames steered"
it_log "PASS"
