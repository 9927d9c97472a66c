#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dptcp-gen's UDP modes against a Linux UDP echo server in the namespace
# (198.18.1.1), their counts checked against the server's: udp-rr (4
# flows, 2 requests in flight each, 100 bytes) and the stateless udp
# stream (3 sockets, 64 bytes at 2000 datagrams/s). Every datagram the
# generator says it sent reached the server, and what it says it received
# is what the server echoed, less at most the replies still in flight when
# its sockets closed.
. "$(dirname "$0")/lib.sh"

# server PORT: the echo server's PID; its output in $IT_DIR/srv-PORT.out
server() {
	it_bg /usr/bin/python3 "$(dirname "$0")/udp_echo_server.py" "$1" \
		>"$IT_DIR/srv-$1.out"
	SRV_PID=$!
	it_wait_ready "$IT_DIR/srv-$1.out" '^listening' "$SRV_PID" \
		"the UDP echo server"
}

# check PORT JSON SLACK: the generator's counts against the server's
check() {
	kill -TERM "$SRV_PID"
	it_wait "$SRV_PID" 10
	/usr/bin/python3 - "$IT_DIR/srv-$1.out" "$2" "$3" <<'PY' ||
import json, re, sys
srv = open(sys.argv[1]).read()
m = re.search(r'received (\d+) datagrams \((\d+) bytes\), echoed (\d+)', srv)
if not m:
    sys.exit('server said: %r' % srv)
got, nbytes, echoed = map(int, m.groups())
g = json.load(open(sys.argv[2]))
slack = int(sys.argv[3])
sent, recv, lost = (g['datagrams_sent'], g['datagrams_received'],
                    g['datagrams_lost'])
bad = []
if sent == 0 or sent != got:
    bad.append('generator sent %d, server received %d' % (sent, got))
if g['bytes_sent'] != nbytes:
    bad.append('bytes: %d sent, %d received' % (g['bytes_sent'], nbytes))
if not echoed - slack <= recv <= echoed:
    bad.append('server echoed %d, generator received %d' % (echoed, recv))
if g['mode'] == 'udp-rr' and not (
        g['transactions'] == recv and
        sent - slack <= recv + lost <= sent and g['transactions'] > 0):
    bad.append('udp-rr: %d transactions, %d sent, %d received, %d lost'
               % (g['transactions'], sent, recv, lost))
if g['exit_status'] != 0 or g['errors'] != 0:
    bad.append('exit status %d, errors %d' % (g['exit_status'], g['errors']))
print('; '.join(bad) or 'generator: %d sent, %d received, %d lost; '
      'server: %d received, %d echoed' % (sent, recv, lost, got, echoed))
sys.exit(1 if bad else 0)
PY
		it_fail "$(cat "$IT_DIR/srv-$1.out")"
}

server 5007
it_start_gen --mode udp-rr --target "$IT_GEN_PEER:5007" --conns 4 \
	--pipeline 2 --size 100 --duration 2 --json "$IT_DIR/rr.json"
it_wait "$IT_GEN_PID" 30
[ "$IT_RC" -eq 0 ] || it_fail "udp-rr: exit status $IT_RC"
it_log "$(grep '^dptcp-gen: load:' "$IT_GEN_OUT")"
out=$(check 5007 "$IT_DIR/rr.json" 8) || it_fail "udp-rr: $out"
it_log "udp-rr: $out"

it_ns ip link del "$IT_GEN_IF" 2>/dev/null || true
server 5008
it_start_gen --mode udp --target "$IT_GEN_PEER:5008" --conns 3 --size 64 \
	--rate 2000 --duration 1 --json "$IT_DIR/udp.json"
it_wait "$IT_GEN_PID" 30
[ "$IT_RC" -eq 0 ] || it_fail "udp: exit status $IT_RC"
it_log "$(grep '^dptcp-gen: load:' "$IT_GEN_OUT")"
out=$(check 5008 "$IT_DIR/udp.json" 50) || it_fail "udp: $out"
it_log "udp: $out"
it_log "PASS"
