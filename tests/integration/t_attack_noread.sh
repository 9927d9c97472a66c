#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Peers that never read: 200 clients each ask the HTTP service for 1 GiB
# and read none of it (their windows shut at once). About 130 such peers
# once took the header pool (65,535 mbufs: the body is clones of one
# buffer) and no SYN-ACK or ACK could be built for anyone. Now the body
# is cloned from one 64 KiB buffer (16 header mbufs a megabyte), data
# never takes the header pool's reserve for control segments, and a
# window shut with nothing taken for [tcp] persist_timeout (3 s here) is
# reset (RFC 6429). Meanwhile a fresh 1 MiB curl completes; the
# attackers are all reset by dptcpd; every resource is back at its
# baseline within 10 s and a 10 MiB curl completes.
. "$(dirname "$0")/lib.sh"

it_start_dptcpd --set tcp.persist_timeout=3s
it_mem_baseline

it_attack noread 80 200 1073741824
# Linux's connects return at the SYN-ACK: dptcpd's connections exist once
# their ACKs (and requests) are in
for _ in $(seq 1 100); do
	read -r tcbs pkt hdr <<<"$(it_mem)"
	[ "$tcbs" -ge 200 ] && break
	sleep 0.1
done
it_log "during the attack: tcbs=$tcbs pkt_mbufs_used=$pkt hdr_mbufs_used=$hdr"
[ "$tcbs" -ge 200 ] || it_fail "only $tcbs connections: the attack did not take"
it_curl_body 1048576
it_log "during the attack: GET /1048576 byte-exact in $IT_CURL_S s"
# persist_timeout (3 s) after each window shut, dptcpd resets them
for _ in $(seq 1 $((60 * IT_TIME_SCALE))); do
	[ "$(it_telemetry_counter tcp_persist_timeouts)" -ge 200 ] && break
	sleep 0.1
done
it_attack_stop
[ "$(it_attack_result alive_at_end)" -eq 0 ] ||
	it_fail "$(it_attack_result alive_at_end) attackers still connected after persist_timeout"

it_expect_mem_baseline 10
it_curl_body 10485760
it_log "after the attack: GET /10485760 byte-exact in $IT_CURL_S s"
it_stop_dptcpd
it_expect_counter tcp_persist_timeouts 200
it_log "window probes: $(it_counter tcp_window_probes); data held back for the header reserve: $(it_counter tcp_tx_hdr_low)"
it_log "PASS"
