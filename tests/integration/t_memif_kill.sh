#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A memif peer that dies: dptcpd serves echo as a net_memif server; a
# zero-copy dptcp-gen client runs rr against it and is killed with SIGKILL
# mid-run, KILLS times over. dptcpd must survive every one (DPDK 22.11's
# memif unmaps the dead peer's regions from its interrupt thread while the
# worker may be inside a burst reading them: app/common/dpt_unmap.c), serve
# the next client each time, and end with /dptcp/mem back at its baseline.
# dptcpd runs on CPU 0 with its interrupt thread (taskset), the generator
# on CPU 1: sharing a CPU, the interrupt thread preempts the worker at any
# instruction, which is how the race showed (8 crashes in 240 kills before
# the fix). No network namespace: memif is a Unix socket and shared memory.
. "$(dirname "$0")/lib.sh"

DPTCP_GEN=${DPTCP_GEN:?DPTCP_GEN must name the dptcp-gen binary}
DPTCP_CTL=${DPTCP_CTL:?DPTCP_CTL must name the dptcp-ctl binary}
KILLS=${KILLS:-20}
sock="/run/dpt-it-$$.memif"
gen_prefix="$IT_PREFIX-gen"
IT_AFTER+=("rm -rf '$sock' '/var/run/dpdk/$gen_prefix'")

# The dead clients' connections end by the retransmission limit (3, a few
# seconds) or by the next client's RST; one worker, on CPU 0.
it_bg taskset -c 0 "$DPTCPD" --set "eal.file-prefix=$IT_PREFIX" \
	--set eal.lcores=0@0 --set eal.single-file-segments=yes \
	--set "port0.device=net_memif0,role=server,socket=$sock" \
	--set port0.address=198.18.2.1/24 --set tcp.retries=3 \
	>"$IT_OUT" 2>"$IT_ERR"
IT_DPTCPD_PID=$!
it_wait_ready "$IT_OUT" '^dptcpd: ready' "$IT_DPTCPD_PID" dptcpd
it_log "dptcpd ready (memif server)"
it_mem_baseline

# Connections accepted and bytes sent (dptcp-ctl: quicker than python)
stats() {
	"$DPTCP_CTL" -p "$IT_PREFIX" stats | awk '$1 == "tcp_conn_passive" {
		n = $2 } $1 == "tcp_tx_bytes" { b = $2 } END { print n + 0, b + 0 }'
}

# A zero-copy client on CPU 1, small pools so that it starts fast.
gen() {
	it_bg taskset -c 1 "$DPTCP_GEN" --set "eal.file-prefix=$gen_prefix" \
		--set eal.lcores=0@1,1@1 --set eal.single-file-segments=yes \
		--set eal.m=256 --set port0.mbufs=8191 --set tcp.max_conns=64 \
		--set "port0.device=net_memif0,role=client,socket=$sock,zero-copy=yes" \
		--set port0.address=198.18.2.2/24 \
		--mode rr --target 198.18.2.1:7 --conns 4 "$@" \
		>"$IT_GEN_OUT" 2>"$IT_GEN_ERR"
	IT_GEN_PID=$!
}

# Wait (at most 10 s) until dptcpd has accepted the 4 connections of
# client $k and echoed 64-byte requests on them: past "$1" (the two
# counters before it started).
wait_served() {
	local n b
	for _ in $(seq 1 100); do
		kill -0 "$IT_DPTCPD_PID" 2>/dev/null ||
			it_fail "dptcpd died (client $k)"
		read -r n b <<<"$(stats)"
		[ "$n" -ge $(($1 + 4)) ] && [ "$b" -ge $(($2 + 4 * 64)) ] &&
			return 0
		sleep 0.1
	done
	it_fail "client $k not served in 10 s (accepted $n, echoed $b B)"
}

start=$(date +%s)
for k in $(seq 1 "$KILLS"); do
	before=$(stats)
	gen --duration 60
	wait_served $before
	sleep "0.$((RANDOM % 3))$((RANDOM % 10))"   # 0 to 0.29 s into rr
	kill -KILL "$IT_GEN_PID"
	wait "$IT_GEN_PID" 2>/dev/null || true
	it_forget "$IT_GEN_PID"
	kill -0 "$IT_DPTCPD_PID" 2>/dev/null || it_fail "dptcpd died at kill $k"
done
it_log "$KILLS clients killed mid-rr in $(($(date +%s) - start)) s; dptcpd alive"

# A last client runs to its end: served, and it meets (and resets) what
# the dead ones left behind.
gen --duration 3
it_wait "$IT_GEN_PID" 30
[ "$IT_RC" -eq 0 ] || it_fail "the last client failed (exit $IT_RC)"
grep 'load:' "$IT_GEN_OUT" | sed "s/^/$IT_NAME: /"

it_expect_mem_baseline 10

it_stop_dptcpd
it_log "tcp_conn_passive $(it_counter tcp_conn_passive), tcp_conn_reset $(it_counter tcp_conn_reset), tcp_rst_rcvd $(it_counter tcp_rst_rcvd)"
it_log "PASS"
