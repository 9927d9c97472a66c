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
import os, select, socket, sys, time
host, port, n, flag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
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
reset, other = 0, []
live = set(socks)
t0 = None
while live:
    if t0 is None and os.path.exists(flag):  # the time of the kill
        t0 = float(open(flag).read())
        last = t0
    if t0 is not None and time.time() > t0 + 1.0:
        break
    r, _, _ = select.select(list(live), [], [], 0.01)
    for s in list(live):
        try:
            if s in r:
                if not s.recv(65536):
                    other.append('eof')
                    live.discard(s)
                    continue
            s.send(chunk)
        except BlockingIOError:
            pass
        except (ConnectionResetError, BrokenPipeError):
            reset += 1
            live.discard(s)
            last = time.time()
if t0 is None:
    t0 = last = time.time()
print('reset=%d other=%s open=%d last_reset_ms_after_kill=%d' % (
      reset, ','.join(other), len(live), (last - t0) * 1000))
sys.exit(0 if reset == n else 1)
PY
it_bg /usr/bin/python3 "$IT_DIR/stream.py" "$IT_ADDR" 5000 100 \
	"$IT_DIR/killed" >"$IT_DIR/stream.out" 2>&1
stream=$!
for _ in $(seq 1 200); do
	grep -q streaming "$IT_DIR/stream.out" && break
	kill -0 "$stream" 2>/dev/null || break
	sleep 0.1
done
grep -q streaming "$IT_DIR/stream.out" ||
	it_fail "the streams did not start: $(cat "$IT_DIR/stream.out")"
it_log "100 connections streaming through dptcp-echo (pid $PID_5000)"
date +%s.%N >"$IT_DIR/killed.tmp"
kill -KILL "$PID_5000"
mv "$IT_DIR/killed.tmp" "$IT_DIR/killed"
it_wait "$stream" 10
it_forget "$PID_5000"
line=$(tail -1 "$IT_DIR/stream.out")
[ "$IT_RC" -eq 0 ] || it_fail "after the kill: $(cat "$IT_DIR/stream.out")"
it_log "after kill -9: $line"

out=$(client echo "$IT_ADDR" 5001 $((10 * 1024 * 1024)) 4) ||
	it_fail "the second client's echo after the kill: $out"
it_log "the other client still serves: $(tr '\n' ' ' <<<"$out")"
kill -TERM "$PID_5001"
it_wait "$PID_5001" 10
[ "$IT_RC" -eq 0 ] || it_fail "dptcp-echo 5001 exited $IT_RC after SIGTERM"

it_expect_mem_baseline 10
it_stop_dptcpd
it_expect_counter embed_clients_reaped 2 # the killed one, the one ended
it_expect_counter embed_conns_reset 100
# what it held at the kill (none, when it had just handed all back): the
# baseline above is the requirement
it_log "taken back from the killed client: $(it_counter embed_mbufs_reclaimed) mbufs"
it_log "PASS"
