#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# preload_mix under the preload library (preload.sh): a kernel pipe (a
# FIFO), a kernel UDP socket on 127.0.0.1 (loopback stays the kernel's),
# a TCP listener on dptcpd's address and its accepted connection in one
# epoll set, then in poll() and select(). Per phase the test connects
# from the namespace (reads the greeting, sends, closes), writes the
# FIFO and sends a UDP datagram to 127.0.0.1 from where the program runs;
# the program checks each event and prints PASS/FAIL lines (all kept in
# the log).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload.sh"

: "${DPT_MIX:?DPT_MIX must name the preload_mix program}"
PORT=7070
UPORT=$((20000 + $$ % 20000))
FIFO="$IT_DIR/fifo"
mkfifo "$FIFO"

it_start_dptcpd --set tcp.msl=1s
pt_bg "$DPT_MIX" "$PT_ADDR" $PORT $UPORT "$FIFO" >"$IT_DIR/mix.out" 2>&1
MIX=$!
for phase in epoll poll select; do
	it_wait_ready "$IT_DIR/mix.out" "^ready $phase" "$MIX" preload_mix
	# the connection first; while it waits, the FIFO and the datagram
	# (ip netns exec, not the function it_ns: $! is then the client)
	ip netns exec "$IT_NS" /usr/bin/python3 -c 'import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
want = ("mix-%s\n" % sys.argv[3]).encode()
got = b""
while len(got) < len(want):
    b = s.recv(64)
    if not b:
        break
    got += b
if got != want:
    sys.exit("greeting %r, expected %r" % (got, want))
time.sleep(0.3)
s.sendall(("tcp-%s\n" % sys.argv[3]).encode())
time.sleep(0.2)
s.close()' "$PT_ADDR" $PORT $phase >"$IT_DIR/client.out" 2>&1 &
	CLIENT=$!
	IT_PIDS+=("$CLIENT")
	printf 'pipe-%s\n' $phase >"$FIFO"
	pt_host /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(("udp-%s\n" % sys.argv[2]).encode(), ("127.0.0.1", int(sys.argv[1])))' \
		$UPORT $phase
	it_wait "$CLIENT" 15
	[ "$IT_RC" -eq 0 ] ||
		it_fail "$phase: the namespace's client: $(cat "$IT_DIR/client.out"); program: $(cat "$IT_DIR/mix.out")"
done
it_wait "$MIX" 20
sed 's/^/  /' "$IT_DIR/mix.out"
[ "$IT_RC" -eq 0 ] || it_fail "preload_mix exited $IT_RC"
pt_expect_gone $PORT
it_stop_dptcpd
it_log "PASS"
