#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Embedding: the example programs, each its own process on dptcpd's TCP
# through libdptcp (shared-memory rings, no EAL), against Linux in the
# namespace.
#   - dptcp-echo: 100 MiB up and down at once, byte-exact by SHA-256, the
#     copying calls; then again with -z (the received chains sent back);
#     1,000 concurrent connections, 3 round trips each.
#   - dptcp-get fetches 100 MiB from a Linux HTTP server (python's
#     http.server), byte-exact.
#   - dptcp-proxy between curl and that server (100 MiB down) and between
#     a Linux client and a Linux echo (10 MiB both ways): byte-exact, and
#     dptcpd took every forwarded byte as a received chain handed back
#     (embed_tx_mbuf_bytes), none from a transmit buffer
#     (embed_tx_copy_bytes stays 0): the proxy copied nothing.
# Afterwards /dptcp/mem is back at its baseline and no client is left.
. "$(dirname "$0")/lib.sh"

: "${DPTCP_ECHO:?}" "${DPTCP_GET:?}" "${DPTCP_PROXY:?}"
client() {
	it_ns /usr/bin/python3 "$(dirname "$0")/tcpclient.py" "$@" 2>&1
}
MiB=$((1024 * 1024))

# Start example $1 (its output in $IT_DIR/$2.out), wait for its line.
start_example() {
	local bin=$1 name=$2
	shift 2
	it_bg "$bin" -P "$IT_PREFIX" "$@" >"$IT_DIR/$name.out" 2>&1
	eval "PID_$name=$!"
	it_wait_ready "$IT_DIR/$name.out" 'listening' "$!" "$name"
}
stop_example() {
	local pid
	eval "pid=\$PID_$1"
	kill -TERM "$pid" 2>/dev/null || true
	it_wait "$pid" 10
	[ "$IT_RC" -eq 0 ] || it_fail "$1 exited $IT_RC: $(tail -3 "$IT_DIR/$1.out")"
}

it_start_dptcpd --set tcp.msl=1s # TIME-WAIT (the proxy closes first) ends in 2 s
it_mem_baseline

start_example "$DPTCP_ECHO" echo -p 5000
out=$(client echo "$IT_ADDR" 5000 $((100 * MiB)) 1) ||
	it_fail "echo 100 MiB through dptcp-echo: $out"
it_log "dptcp-echo, 100 MiB up and down: $(tr '\n' ' ' <<<"$out")"
out=$(client many "$IT_ADDR" 5000 1000 3 64) ||
	it_fail "1,000 connections to dptcp-echo: $out"
it_log "dptcp-echo, 1,000 connections: $(tr '\n' ' ' <<<"$out")"
stop_example echo

start_example "$DPTCP_ECHO" echoz -p 5001 -z
out=$(client echo "$IT_ADDR" 5001 $((100 * MiB)) 2) ||
	it_fail "echo 100 MiB through dptcp-echo -z: $out"
it_log "dptcp-echo -z, 100 MiB up and down: $(tr '\n' ' ' <<<"$out")"
stop_example echoz

# a Linux HTTP server with a 100 MiB file, and a Linux echo
head -c $((100 * MiB)) /dev/urandom >"$IT_DIR/big"
sum=$(sha256sum <"$IT_DIR/big" | cut -d' ' -f1)
it_bg sh -c "cd '$IT_DIR' && exec /usr/bin/python3 -m http.server \
	--bind $IT_PEER 8000" >"$IT_DIR/httpd.out" 2>&1
it_bg socat TCP-LISTEN:8007,bind=$IT_PEER,reuseaddr,fork EXEC:cat
for _ in $(seq 1 50); do
	it_ns ss -ltnH 'sport = :8000' | grep -q . &&
		it_ns ss -ltnH 'sport = :8007' | grep -q . && break
	sleep 0.1
done

got=$("$DPTCP_GET" -P "$IT_PREFIX" "http://$IT_PEER:8000/big" |
	sha256sum | cut -d' ' -f1)
[ "$got" = "$sum" ] || it_fail "dptcp-get: sha256 $got, expected $sum"
it_log "dptcp-get: 100 MiB from python's http.server, sha256 matches"

copy0=$(it_telemetry_fields /dptcp/stats embed_tx_copy_bytes)
start_example "$DPTCP_PROXY" proxy -l 6000 -t "$IT_PEER:8000"
got=$(it_ns curl -s --max-time $((60 * IT_TIME_SCALE)) \
	"http://$IT_ADDR:6000/big" | sha256sum | cut -d' ' -f1)
[ "$got" = "$sum" ] || it_fail "curl through dptcp-proxy: sha256 $got"
it_log "dptcp-proxy: curl fetched 100 MiB through it, sha256 matches"
stop_example proxy
start_example "$DPTCP_PROXY" proxy2 -l 6001 -t "$IT_PEER:8007"
out=$(client echo "$IT_ADDR" 6001 $((10 * MiB)) 3) ||
	it_fail "echo 10 MiB through dptcp-proxy: $out"
it_log "dptcp-proxy to socat's echo, 10 MiB both ways: $(tr '\n' ' ' <<<"$out")"
stop_example proxy2
read -r copy1 zc <<<"$(it_telemetry_fields /dptcp/stats embed_tx_copy_bytes \
	embed_tx_mbuf_bytes)"
[ "$copy1" -eq "$copy0" ] ||
	it_fail "the proxies sent $((copy1 - copy0)) bytes from transmit buffers"
[ "$zc" -ge $((100 * MiB + 20 * MiB)) ] ||
	it_fail "only $zc bytes went out as received chains"
it_log "received chains sent on: $zc bytes; from transmit buffers: none"

it_expect_mem_baseline 10
# every example ended: no client is live any more (each entry of
# /dptcp/clients is "ID PID NAME ... STATE")
live=$(it_telemetry /dptcp/clients | /usr/bin/python3 -c 'import json, sys
print(sum(1 for c in json.load(sys.stdin)["/dptcp/clients"]
          if c.endswith(" live")))')
[ "$live" -eq 0 ] || it_fail "$live clients still live: $(it_telemetry /dptcp/clients)"
it_stop_dptcpd
it_expect_counter drops_total 0
it_log "PASS"
