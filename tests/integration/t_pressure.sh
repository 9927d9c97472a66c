#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Memory pressure: 100 Linux clients each send 2 MiB to dptcpd's echo
# service but read nothing for 3 s. The echoes back up into dptcpd's send
# queues and the peers' windows close, so dptcpd's packet pool (32,767
# mbufs, 64 MiB, far less than the 200 MiB sent) runs down. Under
# pressure each connection past its share is refused more (and, at the
# reception reserve, everyone), rather than the port running dry; the
# clients' ACKs keep arriving, and once they read, every echo completes
# byte-exact. Afterwards nothing has leaked.
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
mem_drops=$(($(it_counter tcp_drop_mem) + $(it_counter tcp_drop_mem_share) +
	$(it_counter tcp_write_mem_share)))
[ "$mem_drops" -gt 0 ] ||
	it_fail "no data refused for memory: the pool never came under pressure, so this test did not test it"
it_log "data refused under pressure (tcp_drop_mem_share): $(it_counter tcp_drop_mem_share), at the reserve (tcp_drop_mem): $(it_counter tcp_drop_mem); sends refused (tcp_write_mem_share): $(it_counter tcp_write_mem_share); writes cut (tcp_write_mem_low): $(it_counter tcp_write_mem_low)"
it_log "$(sed -n 's/^dptcpd: //p' "$IT_OUT" | grep '^port ')"
it_log "PASS"
