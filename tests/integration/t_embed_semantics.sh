#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# libdptcp's socket semantics against a real dptcpd and Linux peers
# (embed_semantics.c, one line per case; embed_peer.py is the Linux side):
#   - recv 0 at EOF; EAGAIN on an empty receive queue and a full send
#     buffer (non-blocking), blocking recv and send that wait and complete;
#     ECONNREFUSED, ECONNRESET, EPIPE (after a reset, after SHUT_WR),
#     ETIMEDOUT (syn_retries lowered), EADDRINUSE (two listens on a port,
#     and SO_REUSEADDR's rule for a port with a TIME-WAIT connection),
#     ENOTCONN, EBADF; SHUT_RD, SHUT_WR, SHUT_RDWR as Linux sees them;
#     SO_ERROR after a non-blocking connect; epoll: EPOLLIN level- and
#     edge-triggered, EPOLLOUT, EPOLLRDHUP, EPOLLHUP|EPOLLERR, a timeout.
#   - SO_RCVBUF set before connect() and before listen(): the window
#     scale Linux sees in our SYN and SYN-ACK follows it (TCP_INFO).
#   - TCP_INFO (dptcpd's view in Linux's struct: 64 KiB echoed acked and
#     received, MSS 1448), TCP_MAXSEG, TCP_CONGESTION get/set, and
#     TCP_INFO's CLOSE after Linux's reset.
#   - close with SO_LINGER {1, 2 s}: returns once the peer acknowledged
#     everything, and after 2 s (not before, not much after) when the
#     peer never reads.
#   - the send deadlock: two dptcp sockets connected through a Linux
#     relay (socat, small buffers) both only sending 10 MiB: blocking, a
#     watchdog sees it stuck; non-blocking with dpt_epoll, byte-exact.
. "$(dirname "$0")/lib.sh"

: "${DPTCP_SEMANTICS:?}"

# syn_retries 2 at rto_init 500 ms: a connect nobody answers gives up
# after 0.5 + 1 + 2 s. shutdown_timeout 1 s: at the end the lingering
# close's connection (whose peer never reads) is still in FIN-WAIT-1 with
# its data queued, and SIGTERM would wait the default 5 s for it.
it_start_dptcpd --set tcp.syn_retries=2 --set tcp.rto_init=500ms \
	--set lcores.shutdown_timeout=1s
it_bg /usr/bin/python3 "$(dirname "$0")/embed_peer.py" "$IT_PEER" "$IT_ADDR" \
	>"$IT_DIR/peer.out" 2>&1
it_wait_ready "$IT_DIR/peer.out" listening "$!" embed_peer.py

run() {
	local out rc=0
	out=$(timeout $((60 * IT_TIME_SCALE)) "$DPTCP_SEMANTICS" -P "$IT_PREFIX" "$@" 2>&1) || rc=$?
	sed "s/^/$IT_NAME: $1: /" <<<"$out"
	[ "$rc" -eq 0 ] || it_fail "embed_semantics $* exited $rc"
}

run errno
# what Linux read on the shutdown cases' connections before EOF: SHUT_WR
# after 5 bytes, SHUT_RD then 3 bytes and SHUT_WR, SHUT_RDWR at once
for n in 5 3 0; do
	grep -q "^7006: eof after $n bytes" "$IT_DIR/peer.out" ||
		it_fail "Linux did not see EOF after $n bytes: $(cat "$IT_DIR/peer.out")"
done
it_log "Linux saw EOF after 5 bytes (SHUT_WR), 3 (SHUT_RD, then SHUT_WR), 0 (SHUT_RDWR)"

# SO_RCVBUF before connect() and listen(): the window scale Linux saw
run rcvbuf

# TCP_INFO, TCP_MAXSEG, TCP_CONGESTION of a connection to Linux's echo
run info

# SO_LINGER {1, 2 s}: close waits for the peer's acknowledgment of
# everything, or for the time when the peer never reads
run linger
grep -q "^7008: eof after 262144 bytes" "$IT_DIR/peer.out" ||
	it_fail "Linux did not get the 256 KiB sent before the lingering close"
it_log "Linux got all 262144 bytes before the lingering close returned"

# the relay: Linux port 7400 to our 7300, with small socket buffers so
# that the blocking senders' bytes cannot all be parked in Linux
it_bg socat TCP-LISTEN:7400,bind=$IT_PEER,reuseaddr,fork,rcvbuf=65536,sndbuf=65536 \
	TCP:$IT_ADDR:7300,rcvbuf=65536,sndbuf=65536
for _ in $(seq 1 50); do
	it_ns ss -ltnH 'sport = :7400' | grep -q . && break
	sleep 0.1
done
run deadlock 7400

it_stop_dptcpd
it_expect_counter embed_linger_waits 2
it_expect_counter embed_linger_timeouts 1
it_log "refused commands: $(it_counter embed_cmd_failed) failed"
it_log "PASS"
