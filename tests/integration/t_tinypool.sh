#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A tiny packet pool: dptcpd with 3,072 mbufs, of which the port's RX ring
# alone holds 1,024. Twenty clients fetch 1 MiB and twenty echo 1 MiB at
# once while six tiny-segment attackers hold what they can: nothing
# stalls (memory pressure refuses more to connections past their share,
# the reserve keeps reception going), every transfer is byte-exact, and
# afterwards every resource is back at its baseline.
. "$(dirname "$0")/lib.sh"

it_start_dptcpd --set port0.mbufs=3072
it_mem_baseline
it_ns sysctl -qw net.ipv4.tcp_autocorking=0
it_attack tiny 7 6 5

client() {
	it_ns /usr/bin/python3 "$(dirname "$0")/tcpclient.py" --timeout $((60 * IT_TIME_SCALE)) "$@"
}
pids=()
for i in $(seq 1 20); do
	client echo "$IT_ADDR" 7 1048576 "$i" >"$IT_DIR/echo.$i" 2>&1 &
	pids+=($!)
	it_ns curl -sS --max-time $((60 * IT_TIME_SCALE)) -o "$IT_DIR/get.$i" \
		"http://$IT_ADDR/1048576" 2>"$IT_DIR/get.$i.err" &
	pids+=($!)
done
IT_PIDS+=("${pids[@]}")
fails=0
for p in "${pids[@]}"; do
	wait "$p" || fails=$((fails + 1))
	it_forget "$p"
done
[ "$fails" -eq 0 ] || it_fail "$fails of 40 transfers failed: $(cat "$IT_DIR"/echo.* "$IT_DIR"/get.*.err | grep -i fail | head -3)"
want=$(/usr/bin/python3 "$(dirname "$0")/tcpclient.py" http-sha 1048576)
for i in $(seq 1 20); do
	[ "$(sha256sum <"$IT_DIR/get.$i" | cut -d' ' -f1)" = "$want" ] ||
		it_fail "GET /1048576 number $i: wrong bytes"
done
it_log "20 echoes and 20 fetches of 1 MiB byte-exact beside the attack"
it_attack_stop
it_expect_mem_baseline 10
it_curl_body 10485760
it_stop_dptcpd
it_log "refused under pressure: data $(it_counter tcp_drop_mem_share), sends $(it_counter tcp_write_mem_share); at the reserve: $(it_counter tcp_drop_mem); PMD without an mbuf: $(sed -n 's/.*no mbuf for rx \([0-9]*\).*/\1/p' "$IT_OUT")"
it_log "PASS"
