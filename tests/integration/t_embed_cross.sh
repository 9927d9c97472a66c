#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A zero-copy proxy whose two connections belong to different workers:
# dptcpd with two worker lcores (on one CPU, as t_multicore), dptcp-proxy
# between a Linux client and a Linux echo (socat). 32 connections at once,
# each 1 MiB echoed both ways at the same time, byte-exact by SHA-256;
# then, while they are held open, each pair's accepted and upstream
# connection are looked up in /dptcp/conns (the proxy's -v names them):
# some pairs must cross workers (a chain received on one worker is sent
# on a connection of the other, its mbufs passed by the rings), and the
# proxy copied nothing (embed_tx_copy_bytes unchanged, every byte forwarded
# as a received chain: embed_tx_mbuf_bytes). /dptcp/mem back at baseline.
. "$(dirname "$0")/lib.sh"

: "${DPTCP_PROXY:?}"
MiB=$((1024 * 1024))
conns=32
size=$((1 * MiB))

it_start_dptcpd --set eal.lcores=0@0,1@0,2@0 --set tcp.msl=1s
grep -q '2 worker(s) on lcore(s) 1,2' "$IT_OUT" ||
	it_fail "not two workers: $(head -n 1 "$IT_OUT")"
it_mem_baseline
it_bg socat TCP-LISTEN:8007,bind=$IT_PEER,reuseaddr,fork EXEC:cat
for _ in $(seq 1 50); do
	it_ns ss -ltnH 'sport = :8007' | grep -q . && break
	sleep 0.1
done

read -r copy0 zc0 <<<"$(it_telemetry_fields /dptcp/stats embed_tx_copy_bytes \
	embed_tx_mbuf_bytes)"
it_bg "$DPTCP_PROXY" -P "$IT_PREFIX" -l 6002 -t "$IT_PEER:8007" -v \
	>"$IT_DIR/proxy.out" 2>&1
proxy=$!
it_wait_ready "$IT_DIR/proxy.out" 'listening' "$proxy" dptcp-proxy

it_bg /usr/bin/python3 "$(dirname "$0")/tcpclient.py" --timeout 60 \
	echohold "$IT_ADDR" 6002 "$conns" "$size" "$IT_DIR/stop" \
	>"$IT_DIR/client.out" 2>&1
client=$!
it_wait_ready "$IT_DIR/client.out" 'holding' "$client" tcpclient.py
it_log "$conns connections, $size bytes each way on each: $(grep -v holding "$IT_DIR/client.out" | tr '\n' ' ')"

# each pair's two connections and their lcores (the first field of a
# /dptcp/conns row: LCORE LOCAL FOREIGN STATE ...)
it_telemetry /dptcp/conns >"$IT_DIR/conns.json"
result=$(/usr/bin/python3 - "$IT_DIR/proxy.out" "$IT_DIR/conns.json" \
	"$IT_ADDR" "$IT_PEER" "$conns" <<'PY'
import json, sys
proxy, conns, addr, peer, want = sys.argv[1:6]
rows = [r.split() for r in json.load(open(conns))["/dptcp/conns"]["conns"]]
lcore = {(r[1], r[2]): r[0] for r in rows if r[3] == "ESTABLISHED"}
pairs = [l.split()[2:4] for l in open(proxy) if l.startswith("dptcp-proxy: pair ")]
crossed = same = 0
for client, up in pairs:
    a = lcore.get((f"{addr}:6002", client))
    b = lcore.get((up, f"{peer}:8007"))
    if a is None or b is None:
        print(f"pair {client} {up}: not in /dptcp/conns"); sys.exit(1)
    if a != b:
        crossed += 1
    else:
        same += 1
if len(pairs) != int(want):
    print(f"{len(pairs)} pairs, expected {want}"); sys.exit(1)
print(f"{crossed} {same}")
PY
) || it_fail "looking up the pairs: $result ($(head -c 600 "$IT_DIR/conns.json"))"
read -r crossed same <<<"$result"
[ "$crossed" -gt 0 ] ||
	it_fail "no pair crossed workers ($same on one worker): nothing tested"
it_log "pairs whose accepted and upstream connections are on different workers: $crossed; on the same: $same"

touch "$IT_DIR/stop"
it_wait "$client" 30
[ "$IT_RC" -eq 0 ] || it_fail "the client exited $IT_RC: $(cat "$IT_DIR/client.out")"
kill -TERM "$proxy"
it_wait "$proxy" 10
[ "$IT_RC" -eq 0 ] || it_fail "dptcp-proxy exited $IT_RC: $(tail -3 "$IT_DIR/proxy.out")"
read -r copy1 zc1 <<<"$(it_telemetry_fields /dptcp/stats embed_tx_copy_bytes \
	embed_tx_mbuf_bytes)"
[ "$copy1" -eq "$copy0" ] ||
	it_fail "the proxy sent $((copy1 - copy0)) bytes from transmit buffers"
# every byte twice: client to upstream, and the echo back
[ $((zc1 - zc0)) -eq $((2 * conns * size)) ] ||
	it_fail "$((zc1 - zc0)) bytes went out as received chains, expected $((2 * conns * size))"
it_log "received chains sent on: $((zc1 - zc0)) bytes; from transmit buffers: none"

it_expect_mem_baseline 10
it_stop_dptcpd
it_expect_counter drops_total 0
it_log "PASS"
