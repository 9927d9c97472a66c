#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dptcp-gen's UDP modes against a Linux UDP echo server in the namespace
# (198.18.1.1), their counts checked against the server's: udp-rr (4
# flows, 2 requests in flight each, 100 bytes) and the stateless udp
# stream (3 sockets, 64 bytes at 2000 datagrams/s), and udp-rr again on
# two workers (no reply may reach the wrong one), and once more on two
# workers over IPv6 (2001:2:0:1::/64). Every datagram the generator says
# it sent reached the server, less at most those still in flight when it
# exited (its tap goes with it, and the frames Linux had not yet taken
# from it: seen on a loaded machine), and what it says it received is
# what the server echoed, less at most the replies still in flight when
# its sockets closed.
. "$(dirname "$0")/lib.sh"

# server PORT [ADDR]: the echo server's PID; its output in
# $IT_DIR/srv-PORT.out
server() {
	it_bg /usr/bin/python3 "$(dirname "$0")/udp_echo_server.py" "$@" \
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
if sent == 0 or not sent - slack <= got <= sent:
    bad.append('generator sent %d, server received %d' % (sent, got))
if nbytes != got * (g['bytes_sent'] // sent if sent else 0):
    bad.append('bytes: %d sent, %d received in %d datagrams'
               % (g['bytes_sent'], nbytes, got))
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

# no_wrong_worker JSON WHAT: a reply on the wrong worker finds no socket:
# its request is lost (and port unreachable goes back); only the replies
# in flight when the sockets closed at the end (8 at most) may find them
# closed
no_wrong_worker() {
	local lost closed
	lost=$(/usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["datagrams_lost"])' "$1")
	closed=$(awk '$1 == "udp_drop_no_port" { v = $2 } END { print v + 0 }' \
		"$IT_GEN_OUT")
	[ "$lost" -eq 0 ] && [ "$closed" -le 8 ] ||
		it_fail "$2: $lost requests lost, $closed replies to closed ports"
}

server 5007
it_start_gen --mode udp-rr --target "$IT_GEN_PEER:5007" --conns 4 \
	--pipeline 2 --size 100 --duration 2 --json "$IT_DIR/rr.json"
it_wait "$IT_GEN_PID" 30
[ "$IT_RC" -eq 0 ] || it_fail "udp-rr: exit status $IT_RC"
it_log "$(grep '^dptcp-gen: load:' "$IT_GEN_OUT")"
out=$(check 5007 "$IT_DIR/rr.json" 8) || it_fail "udp-rr: $out"
it_log "udp-rr: $out"

# Two workers: each flow's port is chosen so that the echo hashes back to
# its worker (the software dispatcher steers UDP 4-tuples as TCP's): no
# reply finds its port closed on the other.
it_ns ip link del "$IT_GEN_IF" 2>/dev/null || true
server 5009
it_start_gen --set eal.lcores=0@0,1@0,2@0 --mode udp-rr \
	--target "$IT_GEN_PEER:5009" --conns 8 --size 100 --duration 1 \
	--json "$IT_DIR/rr2.json"
it_wait "$IT_GEN_PID" 30
[ "$IT_RC" -eq 0 ] || it_fail "udp-rr, two workers: exit status $IT_RC"
out=$(check 5009 "$IT_DIR/rr2.json" 8) || it_fail "udp-rr, two workers: $out"
no_wrong_worker "$IT_DIR/rr2.json" "udp-rr, two workers"
it_log "udp-rr, two workers: $out; $(awk '$1 == "rx_steer_out" { print $1 "=" $2 }' "$IT_GEN_OUT")"

# IPv6 on two workers: the ports are chosen by the IPv6 4-tuple's hash;
# dptcp-gen waits for Neighbor Discovery before its first datagram
it_ns ip link del "$IT_GEN_IF" 2>/dev/null || true
server 5010 ::
it_start_gen --set eal.lcores=0@0,1@0,2@0 \
	--set port0.address6=2001:2:0:1::2/64 --set ip.dad_transmits=0 \
	--mode udp-rr --target "[2001:2:0:1::1]:5010" --conns 8 --size 100 \
	--duration 1 --json "$IT_DIR/rr6.json"
it_peer6_up "$IT_GEN_IF" 2001:2:0:1::1/64
it_wait "$IT_GEN_PID" 30
[ "$IT_RC" -eq 0 ] || it_fail "udp-rr over IPv6: exit status $IT_RC"
out=$(check 5010 "$IT_DIR/rr6.json" 8) || it_fail "udp-rr over IPv6: $out"
no_wrong_worker "$IT_DIR/rr6.json" "udp-rr over IPv6"
it_log "udp-rr over IPv6, two workers: $out"

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
