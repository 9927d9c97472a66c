#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# [port0] checksum = none over net_memif: dptcp-gen streams to dptcpd's
# discard with no checksum computed or verified on either side; the bytes
# arrive, none is dropped. Then the same generator against a dptcpd in
# checksum = auto: its SYNs, sent with IPv4 header checksum 0, are dropped
# as ip_drop_cksum (so none really sends no checksum). And none is refused
# on a driver that is not shared memory, naming the key. No network
# namespace: memif is a Unix socket and shared memory.
. "$(dirname "$0")/lib.sh"

DPTCP_GEN=${DPTCP_GEN:?DPTCP_GEN must name the dptcp-gen binary}
sock="/run/dpt-it-$$.memif"
gen_prefix="$IT_PREFIX-gen"
IT_AFTER+=("rm -rf '$sock' '/var/run/dpdk/$gen_prefix'")

# dptcpd, a memif server on CPU 0, with checksum = $1
start_dptcpd() {
	it_bg taskset -c 0 "$DPTCPD" --set "eal.file-prefix=$IT_PREFIX" \
		--set eal.lcores=0@0 --set eal.single-file-segments=yes \
		--set "port0.device=net_memif0,role=server,socket=$sock" \
		--set port0.address=198.18.2.1/24 --set "port0.checksum=$1" \
		>"$IT_OUT" 2>"$IT_ERR"
	IT_DPTCPD_PID=$!
	it_wait_ready "$IT_OUT" '^dptcpd: ready' "$IT_DPTCPD_PID" dptcpd
	grep -q 'no checksums (checksum = none)' "$IT_OUT" &&
		[ "$1" = auto ] && it_fail "auto said no checksums"
	it_log "dptcpd ready (memif server, checksum = $1)"
}

# dptcp-gen, the memif client on CPU 1, checksum = none; the rest of its
# arguments are the mode's.
gen() {
	it_bg taskset -c 1 "$DPTCP_GEN" --set "eal.file-prefix=$gen_prefix" \
		--set eal.lcores=0@1,1@1 --set eal.single-file-segments=yes \
		--set eal.m=256 --set port0.mbufs=8191 --set tcp.max_conns=64 \
		--set "port0.device=net_memif0,role=client,socket=$sock" \
		--set port0.address=198.18.2.2/24 --set port0.checksum=none \
		--mode stream --target 198.18.2.1:9 --direction send "$@" \
		>"$IT_GEN_OUT" 2>"$IT_GEN_ERR"
	IT_GEN_PID=$!
}

start_dptcpd none
gen --conns 2 --bytes 32M
it_wait "$IT_GEN_PID" 25
[ "$IT_RC" -eq 0 ] || it_fail "stream failed (exit $IT_RC): $(tail -3 "$IT_GEN_ERR")"
grep 'load:' "$IT_GEN_OUT" | sed "s/^/$IT_NAME: /"
it_stop_dptcpd
got=$(it_counter tcp_rx_bytes)
[ "$got" -ge $((2 * 32 * 1024 * 1024)) ] ||
	it_fail "dptcpd received $got bytes of 64 MiB"
it_expect_counter tcp_drop_cksum 0
it_expect_counter ip_drop_cksum 0
it_log "64 MiB in two streams, checksum = none both ways"

# none against auto: the SYNs' IPv4 headers carry checksum 0, and are
# dropped
start_dptcpd auto
gen --conns 1 --bytes 1M --duration 2
it_wait "$IT_GEN_PID" 20
[ "$IT_RC" -ne 0 ] || it_fail "a connection was made to an auto peer"
it_stop_dptcpd
[ "$(it_counter ip_drop_cksum)" -ge 1 ] ||
	it_fail "the auto peer dropped no datagram as ip_drop_cksum"
it_log "auto drops the none side's datagrams: ip_drop_cksum $(it_counter ip_drop_cksum)"

# refused where a wire could be reached (net_null stands for any PMD but
# memif and ring), naming the key
rc=0
"$DPTCPD" --set "eal.file-prefix=$IT_PREFIX" --set port0.device=net_null0 \
	--set port0.address=198.18.2.1/24 --set port0.checksum=none \
	>"$IT_OUT" 2>"$IT_ERR" || rc=$?
[ "$rc" -eq 2 ] || it_fail "checksum = none on net_null: exit $rc, not 2"
grep -q '\[port0\] checksum: none refused for net_null0' "$IT_ERR" ||
	it_fail "the refusal does not name the key: $(tail -1 "$IT_ERR")"
it_log "refused on net_null: $(tail -1 "$IT_ERR")"
it_log "PASS"
