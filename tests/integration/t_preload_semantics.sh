#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The preload library's semantics, case by case (preload_semantics.c, a
# plain POSIX program under LD_PRELOAD) against Linux peers in the
# namespace: descriptor numbers reserved in the kernel's table (dup,
# dup2, close), the I/O calls (writev/readv, sendmsg/recvmsg, MSG_PEEK,
# FIONREAD, shutdown), O_NONBLOCK by fcntl and FIONBIO, sendfile of
# 1 MiB, SO_RCVTIMEO, UDP, an AF_INET6 socket to an IPv4 peer, loopback left to the kernel beside dptcp sockets, a socket
# used by other threads than its creator, fork (the child accepts on the
# listener it inherited; an inherited connection is refused and stays
# the parent's), an unsupported call (EOPNOTSUPP, one message), and exit
# right after a 4 MiB write (every byte and a FIN reach the peer).
. "$(dirname "$0")/lib.sh"

: "${DPT_PRELOAD:?}" "${PRELOAD_SEMANTICS:?}"
it_start_dptcpd
it_ns ip link set lo up
it_bg /usr/bin/python3 "$(dirname "$0")/echo_server.py" 7000 >"$IT_DIR/echo.out" 2>&1
it_wait_ready "$IT_DIR/echo.out" listening "$!" echo
it_bg /usr/bin/python3 "$(dirname "$0")/udp_echo_server.py" 7001 >"$IT_DIR/uecho.out" 2>&1
it_wait_ready "$IT_DIR/uecho.out" listening "$!" udp-echo

# run case $1 under the preload library; its output in $IT_DIR/$1.out
# (env execs the program: in the background, $! is the program itself,
# which the clean-up can end by its PID)
pl() {
	env LD_PRELOAD="${DPT_PRELOAD_FIRST:+$DPT_PRELOAD_FIRST }$DPT_PRELOAD" \
		DPTCP_PREFIX="$IT_PREFIX" \
		"$PRELOAD_SEMANTICS" "$1" "$IT_PEER" "$IT_ADDR" \
		>"$IT_DIR/$1.out" 2>"$IT_DIR/$1.err"
}
check() {
	grep -q "^PASS $1\$" "$IT_DIR/$1.out" ||
		it_fail "$1: $(cat "$IT_DIR/$1.out" "$IT_DIR/$1.err" | tail -5)"
	it_log "$1: passed"
}

for c in ${PL_CASES:-numbers io nonblock timeo sendfile udp inet6 loopback threads unsupported}; do
	pl "$c" || true
	check "$c"
done
n=$(grep -c 'recvmmsg on a dptcp socket is not supported' \
	"$IT_DIR/unsupported.err" || true)
[ "$n" -eq 1 ] || it_fail "the recvmmsg message came $n times, not once"
grep -q 'fcntl(cmd 8) on a dptcp socket is not supported' \
	"$IT_DIR/unsupported.err" || it_fail "no message for F_SETOWN"

# fork: the child accepts what this connection brings
env LD_PRELOAD="${DPT_PRELOAD_FIRST:+$DPT_PRELOAD_FIRST }$DPT_PRELOAD" \
	DPTCP_PREFIX="$IT_PREFIX" \
	"$PRELOAD_SEMANTICS" fork "$IT_PEER" "$IT_ADDR" \
	>"$IT_DIR/fork.out" 2>"$IT_DIR/fork.err" &
fpid=$!
IT_PIDS+=("$fpid")
it_wait_ready "$IT_DIR/fork.out" listening "$fpid" preload_semantics
reply=$(printf 'ping' | it_ns timeout 10 ncat "$IT_ADDR" 7100) || true
[ "$reply" = ping ] || it_fail "fork: the child answered '$reply'"
it_wait "$fpid" 20
check fork

# exit: 4 MiB then exit(0) at once; the sink counts
it_bg socat -u TCP-LISTEN:7002,reuseaddr "OPEN:$IT_DIR/sink.bin,creat,trunc" \
	2>"$IT_DIR/sink.err"
spid=$!
for _ in $(seq 1 50); do
	it_ns ss -ltn | grep -q ':7002 ' && break
	sleep 0.1
done
pl exit || true
check exit
it_wait "$spid" 20
[ "$IT_RC" -eq 0 ] || it_fail "the sink exited $IT_RC: $(cat "$IT_DIR/sink.err")"
size=$(stat -c %s "$IT_DIR/sink.bin")
[ "$size" -eq $((4 << 20)) ] || it_fail "the sink got $size bytes, not 4 MiB"
it_log "exit: the sink got 4 MiB and a FIN"
it_log "PASS"
