#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Packet capture with Debian's dpdk-dumpcap, a DPDK secondary process
# attached to dptcpd through rte_pdump: while curl fetches 1000 bytes from
# dptcpd's HTTP service, dumpcap writes the port's traffic to a pcapng
# file; tshark must find the handshake and the HTTP response in it.
#
# A secondary process cannot attach to a primary started with --no-huge
# (DPDK 22.11: the secondary looks for the primary's hugepage_data file,
# which a no-huge primary never writes; dpdk-dumpcap's EAL arguments are
# fixed anyway, so it could not be given --no-huge). So this test runs
# dptcpd on 2 MiB hugepages: it reserves 300 more for itself, mounts a
# hugetlbfs of its own, and gives both back at exit. Where the kernel
# cannot find the pages it is skipped (exit 77), saying so.
. "$(dirname "$0")/lib.sh"

pcap="$IT_DIR/cap.pcapng"
command -v dpdk-dumpcap >/dev/null || it_fail "dpdk-dumpcap not installed"

nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
[ -w "$nr" ] || { it_log "SKIP: no 2 MiB hugepages in this kernel"; exit 77; }
old_nr=$(cat "$nr")
free_before=$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)
IT_AFTER+=("echo $old_nr >$nr")
echo $((old_nr + 300)) >"$nr"
got=$(( $(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo) - free_before ))
[ "$got" -ge 256 ] || { it_log "SKIP: only $got hugepages could be reserved"; exit 77; }
huge="$IT_DIR/huge"
mkdir "$huge"
mount -t hugetlbfs -o pagesize=2M nodev "$huge"
IT_AFTER=("umount $huge" "${IT_AFTER[@]}")
it_log "reserved $got hugepages of 2 MiB (given back at exit), hugetlbfs on $huge"

# A fixed base address for DPDK's memory, far from where libraries, heaps
# and (in the sanitizer build) ASan's shadow go: the secondary must map
# the primary's memory at the same addresses, and with addresses left to
# chance the sanitizer build's dumpcap found one taken about once in four
# runs ("Cannot get a virtual area at requested address").
it_start_dptcpd --set eal.no-huge=no --set eal.m=512 --set "eal.huge-dir=$huge" \
	--set eal.base-virtaddr=0x200000000000
grep -q 'packet capture unavailable' "$IT_ERR" &&
	it_fail "dptcpd: $(cat "$IT_ERR")"

# dumpcap runs outside the namespace: it reaches dptcpd through the
# runtime directory of its file prefix, not through the network.
stdbuf -oL -eL dpdk-dumpcap --file-prefix="$IT_PREFIX" -i 0 -w "$pcap" \
	>"$IT_DIR/dumpcap.out" 2>"$IT_DIR/dumpcap.err" &
dumpcap=$!
IT_PIDS+=("$dumpcap")
# It says "Capturing on" once its callbacks are installed in dptcpd
# (stdbuf: its stdout is a file here, which stdio would buffer).
for _ in $(seq 1 100); do
	grep -q 'Capturing on' "$IT_DIR/dumpcap.err" "$IT_DIR/dumpcap.out" && break
	kill -0 "$dumpcap" 2>/dev/null ||
		it_fail "dpdk-dumpcap exited: $(cat "$IT_DIR/dumpcap.err")"
	sleep 0.1
done
grep -q 'Capturing on' "$IT_DIR/dumpcap.err" "$IT_DIR/dumpcap.out" ||
	it_fail "dpdk-dumpcap did not start capturing in 10 s: $(cat "$IT_DIR/dumpcap.err")"
it_log "dpdk-dumpcap attached (pid $dumpcap)"

body=$(it_ns curl -sS --max-time 10 "http://$IT_ADDR/1000") ||
	it_fail "curl failed"
[ "${#body}" -eq 1000 ] || it_fail "curl got ${#body} bytes, expected 1000"
sleep 0.5

# SIGINT: dumpcap's own way to stop, flushing its file.
kill -INT "$dumpcap"
it_wait "$dumpcap" 10
[ "$IT_RC" -eq 0 ] || it_fail "dpdk-dumpcap exit status $IT_RC: $(cat "$IT_DIR/dumpcap.err")"
[ -s "$pcap" ] || it_fail "no capture file"

count() { tshark -r "$pcap" -Y "$1" 2>/dev/null | wc -l; }
syn=$(count "tcp.flags.syn == 1 && tcp.flags.ack == 0 && ip.dst == $IT_ADDR && tcp.dstport == 80")
synack=$(count "tcp.flags.syn == 1 && tcp.flags.ack == 1 && ip.src == $IT_ADDR && tcp.srcport == 80")
resp=$(count "http.response.code == 200 && http.content_length == 1000 && ip.src == $IT_ADDR")
req=$(count "http.request.uri == \"/1000\" && ip.dst == $IT_ADDR")
it_log "capture: $(tshark -r "$pcap" 2>/dev/null | wc -l) frames; SYN $syn, SYN-ACK $synack, GET /1000 $req, 200 response $resp"
[ "$syn" -ge 1 ] || it_fail "no SYN to port 80 in the capture"
[ "$synack" -ge 1 ] || it_fail "no SYN-ACK from dptcpd in the capture"
[ "$req" -ge 1 ] || it_fail "no GET /1000 in the capture"
[ "$resp" -ge 1 ] || it_fail "no HTTP 200 response of 1000 bytes in the capture"

it_stop_dptcpd
it_log "PASS"
