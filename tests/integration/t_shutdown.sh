#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Graceful shutdown (SIGTERM), its deadline, and the second signal.
#
# 1. Five fetches of 2 MiB each from dptcpd's HTTP service, read slowly
#    (tcpclient.py slowget, ~640 KiB/s at most; curl's --limit-rate lets
#    bursts through) so that SIGTERM comes mid-transfer (2 s in, at most
#    1.3 MiB read: at least 1.2 s of each left to drain): every body
#    must arrive whole and byte-exact, dptcpd must end each connection by
#    FIN after its response (svc_drained 5), send no RST, and exit 0
#    before its deadline.
# 2. A client that asks for 1 GiB and never reads: at SIGTERM the
#    connection cannot finish, so at the deadline (2 s here) dptcpd resets
#    it (tcp_shutdown_resets, tcp_rst_sent) and exits 0 soon after.
# 3. The same client, and SIGTERM twice: dptcpd resets at once and exits 0
#    well before its (long) deadline.
. "$(dirname "$0")/lib.sh"

size=$((2 * 1024 * 1024))
expect=$(/usr/bin/python3 -c 'import hashlib, sys
a = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
n = int(sys.argv[1])
print(hashlib.sha256((a * (n // 64 + 1))[:n]).hexdigest())' "$size")

now() { date +%s.%N; }
# Seconds from $1 to now, as an integer number of tenths.
tenths_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 10 }'; }

# SIGTERM (or the signals given) to dptcpd; wait up to $1 s for its exit
# status 0; the time it took, in tenths of a second, in $took.
stop_within() {
	local limit=$1 t0 rc=0
	shift
	t0=$(now)
	for sig in "$@"; do
		kill "-$sig" "$IT_DPTCPD_PID"
		sleep 0.2
	done
	it_wait "$IT_DPTCPD_PID" "$limit"
	rc=$IT_RC
	took=$(tenths_since "$t0")
	[ "$rc" -eq 0 ] || it_fail "dptcpd exited with $rc"
	grep -q '^dptcpd: counters' "$IT_OUT" || it_fail "no counters printed"
}

# A client in the namespace that asks for 1 GiB and never reads.
never_reads() {
	it_bg /usr/bin/python3 -c 'import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect((sys.argv[1], 80))
s.sendall(b"GET /1073741824 HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(120)' "$IT_ADDR"
	# connected (the client's start-up alone took over a second on a
	# loaded machine: a fixed wait let SIGTERM come first), then
	# dptcpd's send buffer full
	local n=0
	for _ in $(seq 1 100); do
		n=$(it_telemetry_counter tcp_conn_passive)
		[ "$n" -ge 1 ] && break
		sleep 0.1
	done
	[ "$n" -ge 1 ] || it_fail "the never-reading client did not connect"
	sleep 1
}

# --- 1: transfers finish -------------------------------------------------
it_start_dptcpd --set lcores.shutdown_timeout=30s
pids=()
for i in 1 2 3 4 5; do
	it_bg /usr/bin/python3 "$(dirname "$0")/tcpclient.py" slowget \
		"$IT_ADDR" 80 "$size" "$IT_DIR/body$i" >/dev/null
	pids+=("$!")
done
sleep 2
for i in 1 2 3 4 5; do
	have=$(stat -c %s "$IT_DIR/body$i" 2>/dev/null || echo 0)
	[ "$have" -lt "$size" ] || it_fail "fetch $i was complete before SIGTERM"
	it_log "fetch $i: $have bytes before SIGTERM"
done
stop_within 30 TERM
it_log "dptcpd exited 0, $((took / 10)).$((took % 10)) s after SIGTERM"
for i in 1 2 3 4 5; do
	it_wait "${pids[$((i - 1))]}" 30
	[ "$IT_RC" -eq 0 ] || it_fail "fetch $i exit status $IT_RC"
	got=$(sha256sum <"$IT_DIR/body$i" | cut -d' ' -f1)
	[ "$got" = "$expect" ] ||
		it_fail "fetch $i: $(stat -c %s "$IT_DIR/body$i") bytes, sha256 $got, expected $size bytes, $expect"
done
it_log "5 fetches of $size bytes complete and byte-exact"
grep -q '^dptcpd: shutting down' "$IT_OUT" || it_fail "no shutdown line"
it_expect_counter svc_drained 5
it_expect_counter tcp_rst_sent 0
it_expect_counter tcp_shutdown_resets 0
it_expect_counter tcp_conn_reset 0

# --- 2: the deadline -----------------------------------------------------
it_start_dptcpd --set lcores.shutdown_timeout=2s
never_reads
stop_within 10 TERM
it_log "deadline 2 s: dptcpd exited 0 after $((took / 10)).$((took % 10)) s"
[ "$took" -ge 18 ] || it_fail "exited before the 2 s deadline"
[ "$took" -le 50 ] || it_fail "took more than the deadline + 3 s"
grep -q '^dptcpd: shutdown deadline passed' "$IT_OUT" ||
	it_fail "no deadline line"
it_expect_counter tcp_shutdown_resets 1
it_expect_counter tcp_rst_sent 1

# --- 3: a second signal --------------------------------------------------
it_start_dptcpd --set lcores.shutdown_timeout=60s
never_reads
stop_within 10 TERM TERM
it_log "two SIGTERMs: dptcpd exited 0 after $((took / 10)).$((took % 10)) s"
[ "$took" -le 30 ] || it_fail "a second SIGTERM did not stop it at once"
grep -q '^dptcpd: second signal' "$IT_OUT" || it_fail "no second-signal line"
it_expect_counter tcp_shutdown_resets 1
it_log "PASS"
