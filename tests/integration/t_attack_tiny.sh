#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Tiny segments: six peers send 1-byte segments (five a millisecond) to
# the echo service and never read what comes back. Each such segment once
# held a 2 KiB packet mbuf: the pool went from 1,024 to 30,573 of 32,767
# mbufs in 11 s and every other client failed, long after the attack.
# Now memory is counted in buffers held and short segments are copied
# into the queues' tails once they are long: the attackers hold a few
# dozen mbufs, a fresh 1 MiB curl completes during the attack, and after
# it every resource is back at its baseline within 10 s and a 10 MiB
# curl completes.
. "$(dirname "$0")/lib.sh"

it_start_dptcpd
it_mem_baseline
read -r _ pkt0 _ <<<"$IT_MEM0"

# Linux would merge the writes queued behind each other (autocorking):
# off, each byte is a segment of its own, as a hostile peer sends them.
it_ns sysctl -qw net.ipv4.tcp_autocorking=0
it_attack tiny 7 6 5
sleep 5
it_curl_body 1048576
it_log "during the attack: GET /1048576 byte-exact in $IT_CURL_S s"
out=$(it_ns /usr/bin/python3 "$(dirname "$0")/tcpclient.py" echo \
	"$IT_ADDR" 7 65536 5) || it_fail "echo during the attack: $out"
read -r tcbs pkt hdr <<<"$(it_mem)"
it_log "during the attack: tcbs=$tcbs pkt_mbufs_used=$pkt hdr_mbufs_used=$hdr"
# six attackers, each well under its 2 x rcvbuf budget in mbufs: never
# more than a few hundred mbufs between them (it was 30,000)
[ $((pkt - pkt0)) -lt 1000 ] ||
	it_fail "the attack holds $((pkt - pkt0)) packet mbufs"
it_attack_stop
[ "$(it_attack_result still_open)" -eq 6 ] ||
	it_fail "the attackers' connections were not all open at the end"

it_expect_mem_baseline 10
it_curl_body 10485760
it_log "after the attack: GET /10485760 byte-exact in $IT_CURL_S s"
it_stop_dptcpd
c=$(it_counter tcp_coalesced)
[ "$c" -gt 1000 ] || it_fail "tcp_coalesced is $c: the attack did not test coalescing"
it_log "short segments coalesced: $c; drops_total $(it_counter drops_total)"
it_log "PASS"
