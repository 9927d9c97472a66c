#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# TCP over IPv6 against Linux: dptcpd with [port0] address6 2001:2::1/64
# beside its IPv4 address, the namespace's side 2001:2::2/64 (nodad), and
# no change to the services' configuration (a listener takes both
# families): curl -6 fetches 100 MiB from the HTTP service byte-exact
# (sha256 against the pattern), 100 MiB go through echo both ways at once
# checked by SHA-256, and IPv4 still answers beside it. Then dptcp-gen
# streams 8 MiB over IPv6 through a Linux echo server, verified by
# SHA-256 both ways. The curl transfer's frames come from large sends
# (TSO, or cut in software: tx_gso_frames). No connection is reset; the
# segments dptcpd sent over IPv6 are counted by Linux's nstat as received
# in order (no bad checksum).
. "$(dirname "$0")/lib.sh"

A6=2001:2::1
P6=2001:2::2
url="http://[$A6]"
body="$IT_DIR/body"
tcpclient() { it_ns /usr/bin/python3 "$(dirname "$0")/tcpclient.py" "$@"; }
tstat() { it_telemetry_fields /dptcp/stats "$@"; }

# DAD off (ip6's own test covers it): the address is usable at once.
it_start_dptcpd --set "port0.address6=$A6/64" --set ip.dad_transmits=0
it_peer6_up "$IT_IF" "$P6/64"
it_pcap_start

rm -f "$body"
read -r gso0 segs0 <<<"$(tstat tx_gso_frames tcp_tx_segs)"
w=$(it_ns curl -6 -g -sS --max-time $((60 * IT_TIME_SCALE)) -o "$body" \
	-w '%{http_code} %{size_download} %{speed_download}' \
	"$url/104857600") || it_fail "curl -6 $url/104857600: exit $? ($w)"
read -r code size speed <<<"$w"
[ "$code" = 200 ] || it_fail "GET /104857600 over IPv6: HTTP status $code"
[ "$size" -eq 104857600 ] || it_fail "GET over IPv6: $size bytes"
sha=$(sha256sum <"$body" | cut -d' ' -f1)
want=$(it_ns /usr/bin/python3 "$(dirname "$0")/tcpclient.py" http-sha 104857600)
[ "$sha" = "$want" ] || it_fail "GET over IPv6: sha256 $sha, expected $want"
rm -f "$body"
it_log "curl -6 100 MiB: byte-exact, $(awk -v s="$speed" 'BEGIN { printf "%.1f MiB/s", s / 1048576 }')"
# Large sends over IPv6: the PMD's TSO when the port took it (the
# "tx offloads" of dptcpd's port line, RTE_ETH_TX_OFFLOAD_TCP_TSO 0x20),
# else frames cut in software, counted. net_tap offers TSO but dptcp
# leaves it off there (README: its TX checksums), so here it is software:
# most of the ~73,000 frames of 100 MiB come from large sends.
read -r gso segs <<<"$(tstat tx_gso_frames tcp_tx_segs)"
gso=$((gso - gso0)) segs=$((segs - segs0))
txo=$(sed -n 's/.*tx offloads 0x\([0-9a-f]*\).*/\1/p' "$IT_OUT" "$IT_ERR" |
	head -n 1)
[ -n "$txo" ] || it_fail "no 'tx offloads' in dptcpd's port line"
if (((0x$txo & 0x20) != 0)); then
	it_log "large sends over IPv6: TSO (tx offloads 0x$txo), $gso of $segs frames cut in software"
else
	[ "$gso" -ge $((segs / 2)) ] ||
		it_fail "large sends over IPv6: $gso of $segs frames cut in software (tx offloads 0x$txo, no TSO)"
	it_log "large sends over IPv6: $gso of $segs frames cut in software (tx offloads 0x$txo, no TSO)"
fi

out=$(tcpclient echo "$A6" 7 $((100 * 1024 * 1024)) 1 2>&1) ||
	it_fail "echo over IPv6, 100 MiB: $out"
it_log "echo over IPv6, 100 MiB up and down, sha256 equal: $(tr '\n' ' ' <<<"$out")"

# IPv4 beside it, the same listeners
out=$(tcpclient echo "$IT_ADDR" 7 $((1024 * 1024)) 2 2>&1) ||
	it_fail "echo over IPv4 beside IPv6: $out"
it_log "echo over IPv4 beside it: $(tr '\n' ' ' <<<"$out")"

[ "$(tstat tcp_drop_cksum)" -eq 0 ] ||
	it_fail "dptcpd dropped segments for their checksum: $(tstat tcp_drop_cksum)"
it_stop_dptcpd
it_expect_counter tcp_conn_passive 3
it_expect_counter tcp_conn_reset 0
it_expect_counter tcp_rst_sent 0
it_expect_counter tcp_rst_rcvd 0

# dptcp-gen over IPv6 (its tap dpt1, 2001:2:0:1::2) to a Linux echo
# server at 2001:2:0:1::1: 8 MiB both ways, verified by SHA-256.
G6=2001:2:0:1::2
GP6=2001:2:0:1::1
echo_out="$IT_DIR/echo6.out"
it_bg /usr/bin/python3 "$(dirname "$0")/echo_server.py" 5001 -6 >"$echo_out"
echo_pid=$!
it_wait_ready "$echo_out" '^listening' "$echo_pid" "the echo server"
it_start_gen --set "port0.address6=$G6/64" --set ip.dad_transmits=0 \
	--mode stream --target "[$GP6]:5001" --bytes 8M --direction both \
	--verify --seed 7
it_peer6_up "$IT_GEN_IF" "$GP6/64"
it_wait "$IT_GEN_PID" $((60 * IT_TIME_SCALE))
[ "$IT_RC" -eq 0 ] || it_fail "dptcp-gen over IPv6 exited with $IT_RC"
summary=$(grep '^dptcp-gen: summary:' "$IT_GEN_OUT") || it_fail "no summary"
grep -qF "verify ok (1 of 1 byte-exact, SHA-256)" <<<"$summary" ||
	it_fail "dptcp-gen over IPv6: $summary"
for _ in $(seq 1 50); do
	grep -q '^echoed' "$echo_out" && break
	sleep 0.1
done
grep -q "^echoed 8388608 bytes from $G6:" "$echo_out" ||
	it_fail "echo server: '$(cat "$echo_out")'"
it_log "dptcp-gen over IPv6: $summary"
it_log "PASS"
