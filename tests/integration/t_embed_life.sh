#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Embedding clients' lives against a real dptcpd:
#   - 64 clients at once (dptcp-echo on 64 ports): /dptcp/clients lists
#     64, and each echoes 1 MiB from Linux byte-exact, all at the same time.
#   - A live client writes 5,000 random commands into its own command
#     ring (embed_semantics garbage): dptcpd refuses and counts them; then
#     it corrupts its ring's index: cut off (embed_ring_broken), its calls
#     fail; another client (dptcp-echo) serves 1 MiB byte-exact after.
#   - dptcpd stopped (SIGTERM, then its 2 s deadline) under a client with
#     one thread blocked in recv and one in epoll_wait: both calls fail
#     (ENOTCONN or EPIPE), within 1 s of dptcpd's exit, never hang;
#     dpt_attach with no dptcpd fails with a message; after dptcpd starts
#     again an attach works.
. "$(dirname "$0")/lib.sh"

: "${DPTCP_ECHO:?}" "${DPTCP_SEMANTICS:?}"
MiB=$((1024 * 1024))
client() {
	it_ns /usr/bin/python3 "$(dirname "$0")/tcpclient.py" "$@" 2>&1
}
sem() {
	timeout $((30 * IT_TIME_SCALE)) "$DPTCP_SEMANTICS" -P "$IT_PREFIX" "$@" 2>&1
}

it_start_dptcpd --set lcores.shutdown_timeout=2s
it_bg /usr/bin/python3 "$(dirname "$0")/embed_peer.py" "$IT_PEER" \
	>"$IT_DIR/peer.out" 2>&1
it_wait_ready "$IT_DIR/peer.out" listening "$!" embed_peer.py

# ---- 64 clients at once
pids=()
for i in $(seq 0 63); do
	it_bg "$DPTCP_ECHO" -P "$IT_PREFIX" -p $((5000 + i)) \
		>"$IT_DIR/echo$i.out" 2>&1
	pids+=("$!")
done
for i in $(seq 0 63); do
	kill -0 "${pids[$i]}" 2>/dev/null || grep -q listening "$IT_DIR/echo$i.out" ||
		it_fail "dptcp-echo $i: $(cat "$IT_DIR/echo$i.out")"
	it_wait_ready "$IT_DIR/echo$i.out" listening "${pids[$i]}" "dptcp-echo $i"
done
it_telemetry /dptcp/clients >"$IT_DIR/clients.json"
# one string per client: "id pid name ... state"
n=$(/usr/bin/python3 -c 'import json, sys
print(sum(1 for c in json.load(open(sys.argv[1]))["/dptcp/clients"]
          if c.endswith(" live")))' "$IT_DIR/clients.json")
[ "$n" -eq 64 ] || it_fail "/dptcp/clients lists $n clients, not 64: $(head -c 600 "$IT_DIR/clients.json")"
it_log "64 clients attached; /dptcp/clients lists 64"
# (one client process, a connection a port: 64 Python interpreters
# starting at once took seconds of CPU from dptcpd and the echoes)
out=$(client echo-ports "$IT_ADDR" 5000 64 "$MiB") || it_fail "$out"
it_log "64 echoes of 1 MiB at once, byte-exact: $(tr '\n' ' ' <<<"$out")"
for i in $(seq 1 63); do
	kill -TERM "${pids[$i]}"
done
for i in $(seq 1 63); do
	it_wait "${pids[$i]}" 10
	[ "$IT_RC" -eq 0 ] || it_fail "dptcp-echo $i exited $IT_RC after SIGTERM"
done
echo_pid=${pids[0]} # dptcp-echo on 5000 stays: the other client below

# ---- random commands, then a corrupt ring index
bad0=$(it_telemetry_fields /dptcp/stats embed_cmd_bad_op embed_cmd_bad_handle \
	embed_cmd_bad_mbuf embed_cmd_bad_arg | tr ' ' '+')
out=$(sem garbage) || it_fail "embed_semantics garbage: $out"
sed "s/^/$IT_NAME: garbage: /" <<<"$out"
read -r bop bh bm ba broken <<<"$(it_telemetry_fields /dptcp/stats \
	embed_cmd_bad_op embed_cmd_bad_handle embed_cmd_bad_mbuf \
	embed_cmd_bad_arg embed_ring_broken)"
refused=$((bop + bh + bm + ba - (bad0)))
it_log "refused: bad_op $bop, bad_handle $bh, bad_mbuf $bm, bad_arg $ba; ring_broken $broken"
[ "$refused" -ge 4000 ] || it_fail "only $refused of 5000 random commands refused"
[ "$broken" -eq 1 ] || it_fail "embed_ring_broken is $broken, expected 1"
kill -0 "$IT_DPTCPD_PID" || it_fail "dptcpd died"
out=$(client echo "$IT_ADDR" 5000 "$MiB" 7) ||
	it_fail "the other client after the garbage: $out"
it_log "the other client still serves: $(tr '\n' ' ' <<<"$out")"
kill -TERM "$echo_pid"
it_wait "$echo_pid" 10
[ "$IT_RC" -eq 0 ] || it_fail "dptcp-echo 0 exited $IT_RC after SIGTERM"

# ---- dptcpd stopped under a waiting client
it_bg "$DPTCP_SEMANTICS" -P "$IT_PREFIX" wait >"$IT_DIR/wait.out" 2>&1
wpid=$!
for _ in $(seq 1 100); do
	[ "$(grep -c '^waiting' "$IT_DIR/wait.out")" -eq 2 ] && break
	kill -0 "$wpid" || it_fail "wait: $(cat "$IT_DIR/wait.out")"
	sleep 0.1
done
sleep 0.2
t_kill=$(date +%s.%N)
it_stop_dptcpd
t_exit=$(date +%s.%N)
it_log "dptcpd stopped in $(python3 -c "print('%.2f' % ($t_exit - $t_kill))") s"
it_wait "$wpid" 5
[ "$IT_RC" -eq 0 ] || it_fail "embed_semantics wait exited $IT_RC: $(cat "$IT_DIR/wait.out")"
sed "s/^/$IT_NAME: wait: /" "$IT_DIR/wait.out"
# the blocked calls: the connections were reset at the deadline
# (ECONNRESET, or EPOLLERR|EPOLLHUP) or dptcpd was gone (ENOTCONN, EPIPE);
# either way before dptcpd's exit plus 1 s
for call in recv epoll_wait; do
	line=$(grep "^$call:" "$IT_DIR/wait.out") || it_fail "no $call line"
	grep -Eq 'errno (ECONNRESET|ENOTCONN|EPIPE)|events 0x(19|1d|18|1c|201d|2019)' \
		<<<"$line" || it_fail "$call: $line"
done
# then, in each thread, dptcpd gone: new sockets ENOTCONN, send EPIPE,
# recv ENOTCONN, within 1 s of dptcpd's exit
[ "$(grep -c '^gone: socket returned -1 errno ENOTCONN' "$IT_DIR/wait.out")" -eq 2 ] ||
	it_fail "dpt_socket after dptcpd left: $(grep '^gone: socket' "$IT_DIR/wait.out")"
[ "$(grep -c '^gone: send returned -1 errno EPIPE' "$IT_DIR/wait.out")" -eq 2 ] ||
	it_fail "send after dptcpd left: $(grep '^gone: send' "$IT_DIR/wait.out")"
[ "$(grep -c '^gone: recv returned -1 errno ENOTCONN' "$IT_DIR/wait.out")" -eq 2 ] ||
	it_fail "recv after dptcpd left: $(grep '^gone: recv' "$IT_DIR/wait.out")"
for at in $(grep -E '^(recv|epoll_wait|gone: socket).* at ' "$IT_DIR/wait.out" |
	sed 's/.* at //'); do
	python3 -c "import sys; sys.exit(0 if $at - $t_exit < 1.0 else 1)" ||
		it_fail "a call returned $(python3 -c "print('%.2f' % ($at - $t_exit))") s after dptcpd's exit"
done
out=$(sem attach) && it_fail "attach with no dptcpd: $out"
grep -q 'attach: failed' <<<"$out" || it_fail "attach: $out"
it_log "attach with no dptcpd: $(tail -1 <<<"$out")"
it_start_dptcpd
out=$(sem attach) || it_fail "attach after the restart: $out"
it_log "after dptcpd started again: $out"
it_stop_dptcpd
it_log "PASS"
