#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Slowloris: 3,000 clients start an HTTP request head and add one byte to
# it every second, never finishing it. The service keeps each head in one
# mbuf however many segments it comes in (it grew by one mbuf a byte);
# [service.http] header_timeout (its default, 10 s) answers each with 408
# Request Timeout and closes it; a fresh 1 MiB curl completes meanwhile;
# afterwards every resource is back at its baseline within 10 s and a
# 10 MiB curl completes.
. "$(dirname "$0")/lib.sh"

conns=3000
it_start_dptcpd
it_mem_baseline
read -r _ pkt0 _ <<<"$IT_MEM0"

it_attack slowloris 80 "$conns" 1000
# the check below 6 s into the attack (a few bytes dripped into each
# head), whatever the curl takes: well before the first header_timeout
sleep 6 &
six=$!
IT_PIDS+=("$six")
it_curl_body 1048576
it_log "during the attack: GET /1048576 byte-exact in $IT_CURL_S s"
wait "$six"
it_forget "$six"
read -r tcbs pkt hdr <<<"$(it_mem)"
it_log "during the attack: tcbs=$tcbs pkt_mbufs_used=$pkt hdr_mbufs_used=$hdr"
[ "$tcbs" -eq "$conns" ] || it_fail "$tcbs of $conns slow heads left before header_timeout"
# one mbuf a head (and the odd byte not yet taken from TCP's queue)
[ $((pkt - pkt0)) -le $((2 * conns)) ] ||
	it_fail "$conns slow heads hold $((pkt - pkt0)) packet mbufs"
# by 10 s after each head started, all are answered and closed
for _ in $(seq 1 100); do
	read -r tcbs _ <<<"$(it_mem)"
	[ "$tcbs" -eq 0 ] && break
	sleep 0.1
done
it_attack_stop
[ "$(it_attack_result connected)" -eq "$conns" ] ||
	it_fail "only $(it_attack_result connected) of $conns connected"
[ "$(it_attack_result still_open)" -eq 0 ] ||
	it_fail "$(it_attack_result still_open) slow heads still open"
# (a client's next drip byte can meet the closed connection's RST, which
# discards the 408 unread: the count of 408s seen is logged, not required)
[ "$(it_attack_result closed_by_server)" -eq "$conns" ] ||
	it_fail "$(it_attack_result closed_by_server) of $conns closed by dptcpd"

it_expect_mem_baseline 10
it_curl_body 10485760
it_log "after the attack: GET /10485760 byte-exact in $IT_CURL_S s"
it_stop_dptcpd
it_expect_counter svc_http_header_timeouts "$conns"
it_log "PASS"
