#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Active open through dptcp's own stack: dptcp-gen (stream mode, on its
# tap dpt1, 198.18.1.2) connects to a Linux echo server in the namespace
# (198.18.1.1:5001), sends 8 MiB of seeded pseudo-random data, half-closes,
# reads the echo back until the server's FIN, and verifies it byte for byte
# (SHA-256 of what it sent against SHA-256 of what it read). Then: a port
# with no listener is refused (exit status 1), and a usage error exits 2.
. "$(dirname "$0")/lib.sh"

bytes=$((8 * 1024 * 1024))
echo_out="$IT_DIR/echo.out"
json="$IT_DIR/gen.json"

it_bg /usr/bin/python3 "$(dirname "$0")/echo_server.py" 5001 >"$echo_out"
echo_pid=$!
it_wait_ready "$echo_out" '^listening' "$echo_pid" "the echo server"

it_start_gen --mode stream --target "$IT_GEN_PEER:5001" --bytes "$bytes" \
	--direction both --verify --seed 7 --json "$json"
it_wait "$IT_GEN_PID" 60
[ "$IT_RC" -eq 0 ] || it_fail "dptcp-gen exited with $IT_RC"
summary=$(grep '^dptcp-gen: summary:' "$IT_GEN_OUT") || it_fail "no summary"
it_log "$summary"
want="stream both, 1 of 1 connection(s) completed (1 made, 0 failed, 0 incomplete); sent $bytes B, received $bytes B"
grep -qF "$want" <<<"$summary" || it_fail "summary is not '$want...'"
grep -qF "verify ok (1 of 1 byte-exact, SHA-256)" <<<"$summary" ||
	it_fail "the echo was not verified"

# The JSON copy says the same.
/usr/bin/python3 - "$json" "$bytes" <<'PY' || it_fail "JSON summary: see above"
import json, sys
s = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
want = {"mode": "stream", "direction": "both", "conns": 1,
        "bytes_sent": n, "bytes_received": n, "conns_made": 1,
        "conns_completed": 1, "conns_failed": 0, "verify": "ok",
        "verified": 1, "exit_status": 0}
bad = {k: s.get(k) for k, v in want.items() if s.get(k) != v}
if bad or not s["goodput_rx_mbps"] > 0:
    sys.exit("unexpected %r" % bad)
PY
it_log "JSON: $(tr -d ' \n' <"$json" | cut -c1-120)..."

# The kernel saw the same bytes, from dptcp-gen's address.
for _ in $(seq 1 50); do
	grep -q '^echoed' "$echo_out" && break
	sleep 0.1
done
line=$(grep '^echoed' "$echo_out") || it_fail "the echo server saw no connection end"
grep -q "^echoed $bytes bytes from $IT_GEN_ADDR:" <<<"$line" ||
	it_fail "echo server: '$line'"
it_log "echo server: $line"

# No listener: the SYN is answered by RST, the connection fails, exit 1.
it_start_gen --mode stream --target "$IT_GEN_PEER:5002" --bytes 1K
it_wait "$IT_GEN_PID" 30
[ "$IT_RC" -eq 1 ] || it_fail "refused connection: exit status $IT_RC, expected 1"
grep -q '^dptcp-gen: failures: refused 1 ' "$IT_GEN_OUT" ||
	it_fail "refused connection not counted as refused"
it_log "port without listener: exit 1, $(grep '^dptcp-gen: failures' "$IT_GEN_OUT")"

# Usage errors: exit 2 and one line, before anything starts.
rc=0
it_ns "$DPTCP_GEN" --mode stream --target 198.18.1.1 >/dev/null 2>"$IT_DIR/e" || rc=$?
[ "$rc" -eq 2 ] || it_fail "bad --target: exit $rc, expected 2"
it_log "exit 2: $(cat "$IT_DIR/e")"
it_log "PASS"
