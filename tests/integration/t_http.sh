#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dptcpd's HTTP service (port 80, GET /N: N bytes of the 64-character
# pattern) against curl, ab and wrk: bodies of 0 B, 1 B, 1 MiB and
# 100 MiB byte-exact (sha256 against the pattern computed in Python);
# several requests over one kept-alive connection; Connection: close
# honoured; 1000 requests from ab and 3 s of wrk without a failure. The
# speeds printed are measurements, never asserted.
. "$(dirname "$0")/lib.sh"

url="http://$IT_ADDR"
body="$IT_DIR/body"
tcpclient() { /usr/bin/python3 "$(dirname "$0")/tcpclient.py" "$@"; }
passive() { it_telemetry_fields /dptcp/stats tcp_conn_passive; }

# Require file $1 to be exactly the body of GET /$2.
expect_body() {
	local size sha want
	size=$(stat -c %s "$1")
	[ "$size" -eq "$2" ] || it_fail "GET /$2: body has $size bytes"
	sha=$(sha256sum <"$1" | cut -d' ' -f1)
	want=$(tcpclient http-sha "$2")
	[ "$sha" = "$want" ] ||
		it_fail "GET /$2: body sha256 $sha, expected $want (first bytes: $(head -c 32 "$1" | od -An -c | tr -s ' '))"
}

it_start_dptcpd
it_pcap_start

# One fetch per size, one connection each.
for n in 0 1 1048576 104857600; do
	rm -f "$body"
	w=$(it_ns curl -sS --max-time 60 -o "$body" \
		-w '%{http_code} %{size_download} %{speed_download} %{num_connects}' \
		"$url/$n") || it_fail "curl $url/$n: exit status $? ($w)"
	read -r code size speed conns <<<"$w"
	[ "$code" = 200 ] || it_fail "GET /$n: HTTP status $code"
	[ "$conns" = 1 ] || it_fail "GET /$n: $conns connections"
	expect_body "$body" "$n"
	it_log "GET /$n: 200, $size bytes, sha256 matches"
done
it_log "curl 100 MiB: $(awk -v s="$speed" 'BEGIN { printf "%.1f MiB/s (%.0f Mbit/s)", s / 1048576, s * 8 / 1e6 }')"
rm -f "$body"

# Keep-alive: four requests, one connection (curl reuses it: 0 connects
# after the first), a 0-byte body in the middle.
sizes=(10 1048576 0 100000)
args=()
for i in "${!sizes[@]}"; do
	args+=(-o "$body.$i" "$url/${sizes[$i]}")
done
p0=$(passive)
w=$(it_ns curl -sS --max-time 30 -w '%{num_connects} %{http_code}\n' \
	"${args[@]}") || it_fail "curl keep-alive: exit status $? ($w)"
[ "$(tr '\n' ' ' <<<"$w")" = "1 200 0 200 0 200 0 200 " ] ||
	it_fail "keep-alive: curl reported connects and status '$(tr '\n' ' ' <<<"$w")', expected '1 200 0 200 0 200 0 200'"
for i in "${!sizes[@]}"; do
	expect_body "$body.$i" "${sizes[$i]}"
done
p1=$(passive)
[ $((p1 - p0)) -eq 1 ] ||
	it_fail "keep-alive: dptcpd accepted $((p1 - p0)) connections, expected 1"
it_log "keep-alive: 4 requests (${sizes[*]} B) over 1 connection, bodies exact"

# Connection: close: dptcpd says so and closes; curl must connect again.
w=$(it_ns curl -sS --max-time 30 -H 'Connection: close' -D "$IT_DIR/hdr" \
	-w '%{num_connects} %{http_code}\n' \
	-o "$body.0" "$url/1000" -o "$body.1" "$url/5000") ||
	it_fail "curl Connection: close: exit status $? ($w)"
[ "$(tr '\n' ' ' <<<"$w")" = "1 200 1 200 " ] ||
	it_fail "Connection: close: curl reported connects and status '$(tr '\n' ' ' <<<"$w")', expected '1 200 1 200'"
n=$(grep -ci '^Connection: close' "$IT_DIR/hdr") || true
[ "$n" -eq 2 ] || it_fail "Connection: close: $n of 2 responses say Connection: close: $(cat "$IT_DIR/hdr")"
expect_body "$body.0" 1000
expect_body "$body.1" 5000
p2=$(passive)
[ $((p2 - p1)) -eq 2 ] ||
	it_fail "Connection: close: dptcpd accepted $((p2 - p1)) connections, expected 2"
it_log "Connection: close: 2 requests, 2 connections, both closed by dptcpd, bodies exact"

# ab: HTTP/1.0, a connection per request, 10 at a time.
out=$(it_ns ab -q -n 1000 -c 10 -s 10 "$url/100" 2>&1) ||
	it_fail "ab exit status $?: $out"
for want in 'Complete requests: *1000$' 'Failed requests: *0$' \
	'Document Length: *100 bytes$'; do
	grep -q "^$want" <<<"$out" || it_fail "ab: no '$want' in: $out"
done
! grep -q 'Non-2xx' <<<"$out" || it_fail "ab: non-2xx responses: $out"
it_log "ab -n 1000 -c 10 /100: 1000 complete, 0 failed, $(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' <<<"$out") requests/s"

# wrk: 50 kept-alive connections for 3 s.
out=$(it_ns wrk -t1 -c50 -d3s --timeout 5s "$url/100" 2>&1) ||
	it_fail "wrk exit status $?: $out"
! grep -q 'Socket errors' <<<"$out" || it_fail "wrk: socket errors: $out"
! grep -q 'Non-2xx' <<<"$out" || it_fail "wrk: non-2xx responses: $out"
reqs=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' <<<"$out")
[ "${reqs:-0}" -gt 0 ] || it_fail "wrk: no requests completed: $out"
it_log "wrk -t1 -c50 -d3s /100: $reqs requests, no socket errors, $(sed -n 's/^Requests\/sec: *//p' <<<"$out") requests/s"

linux_drops=$(it_link_drops)
it_stop_dptcpd
# dptcpd refused nothing and dropped nothing: every connection was wanted
# and every frame on this lossless link acceptable. (ab and wrk open a few
# connections more than they use, and wrk resets its 50 at the end, so
# those counts are theirs, not dptcpd's, and are only printed.)
it_expect_counter tcp_rst_sent 0
it_expect_counter drops_total 0
it_log "dptcpd: $(awk '$1 ~ /^tcp_(conn_passive|retransmits|rto|rst_rcvd|conn_reset)$/ { printf "%s=%s ", $1, $2; n++ }
	END { if (!n) printf "none of them counted" }' "$IT_OUT")"
it_log "$(sed -n 's/^dptcpd: //p' "$IT_OUT" | grep '^port ')"
it_log "Linux side of $IT_IF: $linux_drops"
it_log "PASS"
