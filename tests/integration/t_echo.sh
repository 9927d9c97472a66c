#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# TCP byte streams through dptcpd's services, checked byte for byte:
# 100 MiB both ways through echo (port 7) at once; a half-close (1 MiB,
# SHUT_WR, the whole echo, then dptcpd's FIN); chargen (19) against RFC
# 864's line pattern, closing cleanly after the client's FIN; discard (9)
# taking 10 MiB and sending nothing but its FIN. No connection is reset,
# and dptcpd has no connection left at the end.
. "$(dirname "$0")/lib.sh"

client() {
	it_ns /usr/bin/python3 "$(dirname "$0")/tcpclient.py" "$@" 2>&1
}
tstat() { it_telemetry_fields /dptcp/stats "$@"; }

it_start_dptcpd
it_pcap_start

out=$(client echo "$IT_ADDR" 7 $((100 * 1024 * 1024)) 1) ||
	it_fail "echo 100 MiB: $out"
it_log "echo 100 MiB up and down: $(tr '\n' ' ' <<<"$out")"

out=$(client halfclose "$IT_ADDR" 7 $((1024 * 1024)) 2) ||
	it_fail "echo half-close: $out"
it_log "echo half-close, 1 MiB back after SHUT_WR: $(tr '\n' ' ' <<<"$out")"

out=$(client chargen "$IT_ADDR" 19 $((100 * 1024))) ||
	it_fail "chargen: $out"
it_log "chargen: $(tr '\n' ' ' <<<"$out")"

before=$(tstat tcp_rx_bytes)
out=$(client discard "$IT_ADDR" 9 $((10 * 1024 * 1024)) 3) ||
	it_fail "discard: $out"
after=$(tstat tcp_rx_bytes)
[ $((after - before)) -eq $((10 * 1024 * 1024)) ] ||
	it_fail "discard: dptcpd received $((after - before)) bytes in order, expected $((10 * 1024 * 1024))"
it_log "discard: $(tr '\n' ' ' <<<"$out")"

# Every connection was closed by FINs; dptcpd (the passive closer each
# time) keeps nothing once the last ACKs are in.
for _ in $(seq 1 100); do
	[ "$(it_telemetry_fields /dptcp/mem tcbs_used)" -eq 0 ] && break
	sleep 0.1
done
[ "$(it_telemetry_fields /dptcp/mem tcbs_used)" -eq 0 ] ||
	it_fail "control blocks still in use 10 s after the last close: $(it_telemetry /dptcp/mem)"

linux_drops=$(it_link_drops)
it_stop_dptcpd
it_expect_counter tcp_conn_passive 4
it_expect_counter tcp_conn_reset 0
it_expect_counter tcp_rst_sent 0
it_expect_counter tcp_rst_rcvd 0
it_expect_counter drops_total 0
it_log "dptcpd retransmissions and the like: $(awk '$1 ~ /^tcp_(retransmits|fast_retransmits|rto|window_probes|delayed_acks|ooo_segs|dup_segs)$/ { printf "%s=%s ", $1, $2; n++ }
	END { if (!n) printf "none of them counted" }' "$IT_OUT")"
it_log "$(sed -n 's/^dptcpd: //p' "$IT_OUT" | grep '^port ')"
it_log "Linux side of $IT_IF: $linux_drops"
it_log "PASS"
