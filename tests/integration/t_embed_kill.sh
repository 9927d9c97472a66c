#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# An embedding client killed (kill -9) in the middle of 100 transfers:
# its peers are reset at once (every connection ends with ECONNRESET
# within 1 s of the kill), a second client goes on serving (10 MiB
# through its echo, byte-exact), dptcpd reaps the dead one (counted), and
# /dptcp/mem returns to its baseline: every mbuf the client held, in its
# rings or taken, came back.
. "$(dirname "$0")/lib.sh"

: "${DPTCP_ECHO:?}"
client() {
	it_ns /usr/bin/python3 "$(dirname "$0")/tcpclient.py" "$@" 2>&1
}

it_start_dptcpd
it_mem_baseline

for p in 5000 5001; do
	it_bg "$DPTCP_ECHO" -P "$IT_PREFIX" -p $p >"$IT_DIR/echo$p.out" 2>&1
	eval "PID_$p=$!"
	it_wait_ready "$IT_DIR/echo$p.out" listening "$!" "dptcp-echo $p"
done

# 100 connections streaming to the first client; the script prints
# "streaming" once all are moving, then waits for each to be reset.
cat >"$IT_DIR/stream.py" <<'PY'
import select, socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = [socket.create_connection((host, port), timeout=5) for _ in range(n)]
for s in socks:
    s.setblocking(False)
chunk = b'x' * 16384
moved = set()
end = time.time() + 10
while len(moved) < n and time.time() < end:
    for s in socks:
        try:
            s.send(chunk)
            if s.recv(65536):
                moved.add(s)
        except BlockingIOError:
            pass
print('streaming', flush=True)
sys.stdin.readline()            # the kill happened
t0 = time.time()
reset, other = 0, []
live = set(socks)
while live and time.time() < t0 + 1.0:
    r, _, _ = select.select(list(live), [], [], 0.05)
    for s in r:
        try:
            while s.recv(65536):
                pass
            other.append('eof')
        except ConnectionResetError:
            reset += 1
        except BlockingIOError:
            continue
        live.discard(s)
    for s in list(live):
        try:
            s.send(chunk)
        except BlockingIOError:
            pass
        except (ConnectionResetError, BrokenPipeError):
            reset += 1
            live.discard(s)
print('reset=%d other=%s open=%d ms=%d' % (reset, ','.join(other), len(live),
      (time.time() - t0) * 1000))
sys.exit(0 if reset == n else 1)
PY
coproc STREAM { it_ns /usr/bin/python3 "$IT_DIR/stream.py" "$IT_ADDR" 5000 100 2>&1; }
IT_PIDS+=("$STREAM_PID")
read -r -t 20 line <&"${STREAM[0]}" || it_fail "the streams did not start"
[ "$line" = streaming ] || it_fail "streams: $line"
it_log "100 connections streaming through dptcp-echo (pid $PID_5000)"
kill -KILL "$PID_5000"
echo killed >&"${STREAM[1]}"
read -r -t 10 line <&"${STREAM[0]}" || it_fail "no result from the streams"
wait "$STREAM_PID" && rc=0 || rc=$?
it_forget "$STREAM_PID"
it_forget "$PID_5000"
[ "$rc" -eq 0 ] || it_fail "after the kill: $line"
it_log "after kill -9: $line"

out=$(client echo "$IT_ADDR" 5001 $((10 * 1024 * 1024)) 4) ||
	it_fail "the second client's echo after the kill: $out"
it_log "the other client still serves: $(tr '\n' ' ' <<<"$out")"
kill -TERM "$PID_5001"
it_wait "$PID_5001" 10

it_expect_mem_baseline 10
it_stop_dptcpd
it_expect_counter embed_clients_reaped 1
it_log "PASS"
