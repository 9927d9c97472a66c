#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Memory pressure: 100 Linux clients each send 2 MiB to dptcpd's echo
# service but read nothing for 3 s. The echoes back up into dptcpd's send
# queues and the peers' windows close, so dptcpd's packet pool (32,767
# mbufs, 64 MiB, far less than the 200 MiB sent) runs down. Reception
# must keep its reserve: dptcpd refuses new data (tcp_drop_mem) rather
# than the port running dry, the clients' ACKs keep arriving, and once they
# read, every echo completes byte-exact. Afterwards nothing has leaked.
# Not in the sanitizer build yet: there, slowed about threefold, 1 to 3
# of the 100 connections stall for good (2 runs of 2: ESTABLISHED, 1 MiB
# queued to send, 256 KiB received and unread, nothing sent for 90 s
# while the Linux peer's window is open and Linux probes dptcpd's zero
# window). The plain build meets it too on a loaded machine (1 run of 4
# at load 8-13 on 2 CPUs, 1 connection at 98,216 of 2 MiB): a TCP bug
# for the memory-accounting work of issue 11 to fix, after which this
# skip goes.
if [ -n "${DPT_SANITIZED:-}" ]; then
	echo "t_pressure: SKIP in the sanitizer build (stalls: see the test)"
	exit 77
fi
. "$(dirname "$0")/lib.sh"

conns=100
size=$((2 * 1024 * 1024))
stall=3

client() {
	it_ns /usr/bin/python3 "$(dirname "$0")/tcpclient.py" "$@" 2>&1
}
mem() { it_telemetry_fields /dptcp/mem tcbs_used pkt_mbufs_used hdr_mbufs_used; }

it_start_dptcpd
it_pcap_start
read -r tcbs0 pkt0 hdr0 <<<"$(mem)"

out=$(client --timeout $((60 * IT_TIME_SCALE)) stall "$IT_ADDR" 7 "$conns" "$size" 1 "$stall") ||
	it_fail "$conns stalled echo clients: $out"
it_log "$conns clients x $((size / 1024 / 1024)) MiB, reading after ${stall} s: $(tr '\n' ' ' <<<"$out")"

for _ in $(seq 1 100); do
	read -r tcbs pkt hdr <<<"$(mem)"
	[ "$tcbs" -eq 0 ] && [ "$pkt" -eq "$pkt0" ] && [ "$hdr" -eq "$hdr0" ] &&
		break
	sleep 0.1
done
[ "$tcbs" -eq 0 ] || it_fail "$tcbs control blocks left 10 s after the end"
[ "$pkt" -eq "$pkt0" ] ||
	it_fail "pkt_mbufs_used is $pkt at the end, $pkt0 after start-up"
[ "$hdr" -eq "$hdr0" ] ||
	it_fail "hdr_mbufs_used is $hdr at the end, $hdr0 after start-up"
it_log "after closing: tcbs_used=$tcbs pkt_mbufs_used=$pkt hdr_mbufs_used=$hdr (as after start-up)"

it_stop_dptcpd
it_expect_counter tcp_conn_passive "$conns"
it_expect_counter tcp_conn_closed "$conns"
it_expect_counter tcp_conn_reset 0
it_expect_counter tx_drop_oversize 0
it_expect_counter tx_drop_full 0
mem_drops=$(it_counter tcp_drop_mem)
[ "$mem_drops" -gt 0 ] ||
	it_fail "tcp_drop_mem is 0: the pool never reached its reserve, so this test did not test it"
it_log "data refused at the reserve (tcp_drop_mem): $mem_drops; writes cut (tcp_write_mem_low): $(it_counter tcp_write_mem_low)"
it_log "$(sed -n 's/^dptcpd: //p' "$IT_OUT" | grep '^port ')"
it_log "PASS"
