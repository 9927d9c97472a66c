#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Many connections to dptcpd's echo service (port 7): 1,000 at once, each
# making 100 round trips of a 64-byte message (every reply byte-exact);
# then 20,000 one after another (connect, 1 byte there and back, the
# client closes first). None may fail. Afterwards, once the connections
# have closed, dptcpd must hold no control block and exactly as many
# packet and header mbufs as right after start-up: nothing leaked.
. "$(dirname "$0")/lib.sh"

conns=1000
rounds=100
seq_conns=20000

client() {
	it_ns /usr/bin/python3 "$(dirname "$0")/tcpclient.py" "$@" 2>&1
}
mem() { it_telemetry_fields /dptcp/mem tcbs_used pkt_mbufs_used hdr_mbufs_used; }

# The Linux side: a descriptor per connection, and ports for 21,000
# connections that each leave a TIME-WAIT behind (the client closes
# first); tcp_tw_reuse lets Linux take such a port again if it must.
# (Only up to the hard limit: raising that needs CAP_SYS_RESOURCE.)
nofile=$(ulimit -Hn)
if [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ]; then
	nofile=65536
fi
ulimit -n "$nofile"
[ "$(ulimit -n)" -ge $((conns + 100)) ] ||
	it_fail "open files limited to $(ulimit -n), $conns connections need more"
it_start_dptcpd
it_ns sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
it_ns sysctl -qw net.ipv4.tcp_tw_reuse=1
it_pcap_start

read -r tcbs0 pkt0 hdr0 <<<"$(mem)"
it_log "after start-up: tcbs_used=$tcbs0 pkt_mbufs_used=$pkt0 hdr_mbufs_used=$hdr0"
[ "$tcbs0" -eq 0 ] || it_fail "$tcbs0 control blocks in use before any connection"

out=$(client many "$IT_ADDR" 7 "$conns" "$rounds" 64) ||
	it_fail "$conns concurrent connections x $rounds round trips: $out"
it_log "$conns concurrent connections x $rounds round trips of 64 B: $(tr '\n' ' ' <<<"$out")"

out=$(client seq "$IT_ADDR" 7 "$seq_conns") ||
	it_fail "$seq_conns sequential connections: $out"
it_log "$seq_conns sequential connections: $(tr '\n' ' ' <<<"$out")"

# dptcpd closes passively (LAST-ACK, no TIME-WAIT): its control blocks
# go as soon as the last ACKs arrive.
for _ in $(seq 1 100); do
	read -r tcbs pkt hdr <<<"$(mem)"
	[ "$tcbs" -eq 0 ] && break
	sleep 0.1
done
[ "$tcbs" -eq 0 ] ||
	it_fail "$tcbs control blocks still in use 10 s after the last connection: $(it_telemetry /dptcp/stats | tr -d '\n' | grep -o '"tcp_state_[a-z_0-9]*": [1-9][0-9]*' | tr '\n' ' ')"
[ "$pkt" -eq "$pkt0" ] ||
	it_fail "pkt_mbufs_used is $pkt after all connections closed, $pkt0 after start-up"
[ "$hdr" -eq "$hdr0" ] ||
	it_fail "hdr_mbufs_used is $hdr after all connections closed, $hdr0 after start-up"
it_log "after closing: tcbs_used=$tcbs pkt_mbufs_used=$pkt hdr_mbufs_used=$hdr (as after start-up)"

linux_drops=$(it_link_drops)
it_stop_dptcpd
it_expect_counter tcp_conn_passive $((conns + seq_conns))
it_expect_counter tcp_conn_closed $((conns + seq_conns))
it_expect_counter tcp_conn_reset 0
it_expect_counter tcp_rst_sent 0
it_expect_counter drops_total 0
it_log "dptcpd retransmissions and the like: $(awk '$1 ~ /^tcp_(retransmits|rto|dup_segs|synack_retransmits|syncookies_sent|delayed_acks|timewait_reused)$/ { printf "%s=%s ", $1, $2; n++ }
	END { if (!n) printf "none of them counted" }' "$IT_OUT")"
it_log "$(sed -n 's/^dptcpd: //p' "$IT_OUT" | grep '^port ')"
it_log "Linux side of $IT_IF: $linux_drops"
it_log "PASS"
