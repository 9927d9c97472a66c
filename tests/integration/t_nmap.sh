#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# nmap from the Linux side against dptcpd (tap, default configuration):
# a SYN scan (-sS) of ports 1-100 finds exactly the services open (7, 9,
# 19, 80) and the rest closed, each answered by RST (RFC 9293 3.10.7.1);
# version detection (-sV) names echo and http; OS detection (-O) gets for
# each probe what the RFCs say, read from its fingerprint: SYN-ACK to SEQ,
# ECN (without ECE: RFC 3168 6.1.1) and T3 (SYN+FIN+URG+PSH: RFC 9293
# 3.10.7.2 third), nothing to T2 (no flag, fourth), RST at SEG.ACK to T4
# (second) and T6, RST+ACK past SEG.SEQ+SEG.LEN to T5 and T7 (3.10.7.1),
# port unreachable quoting the whole datagram to U1 (UDP, RFC 1122
# 4.1.3.1) and echo replies keeping the request's code to IE (RFC 792).
# dptcpd stays up throughout, answers ping after, counts every drop and
# exits 0.
. "$(dirname "$0")/lib.sh"

command -v nmap >/dev/null || it_fail "nmap not installed (tools/install-deps.sh)"
it_start_dptcpd
# the link works and Linux knows dptcpd's MAC before nmap starts; -Pn:
# no host discovery (a late ARP answer on a busy machine would end the
# scan with "host down")
out=$(it_ns ping -c 1 -W 5 "$IT_ADDR") || it_fail "ping before the scans: $out"
nm() { it_ns nmap -n -Pn -T4 "$@" "$IT_ADDR"; }

# -sS over 1-100, greppable output: "Ports: 7/open/tcp//echo///, ..."
out=$(nm -sS -p 1-100 -oG -) || it_fail "nmap -sS: $out"
open=$(grep -o '[0-9]*/open/tcp' <<<"$out" | cut -d/ -f1 | paste -sd' ') ||
	true
[ "$open" = "7 9 19 80" ] || it_fail "nmap -sS open ports '$open': $out"
grep -q 'Ignored State: closed (96)' <<<"$out" ||
	it_fail "nmap -sS: not 96 closed ports: $out"
it_log "nmap -sS 1-100: open $open, 96 closed"

# -sV on echo and http (discard answers nothing: every probe would wait
# for its timeout there)
out=$(nm -sV -p 7,80) || it_fail "nmap -sV: $out"
grep -Eq '^7/tcp +open +echo' <<<"$out" || it_fail "nmap -sV: no echo: $out"
grep -Eq '^80/tcp +open +http ' <<<"$out" || it_fail "nmap -sV: no http: $out"
it_log "nmap -sV: $(grep -E '^(7|80)/tcp' <<<"$out" | tr -s ' ' | paste -sd';')"

# -O with its fingerprint printed (-d): the lines after "TCP/IP
# fingerprint:" (wrapped behind "OS:" prefixes, or one test a line) joined,
# e.g. ...T5(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)...
out=$(nm -O -d --osscan-guess --max-os-tries 2 -p 7,81) || it_fail "nmap -O: $out"
fp=$(sed -n '/^TCP\/IP fingerprint:/,/^$/p' <<<"$out" | sed '1d; s/^OS://' |
	tr -d '\n')
[ -n "$fp" ] || it_fail "nmap -O printed no fingerprint: $out"
/usr/bin/python3 - "$fp" <<'EOF' || it_fail "nmap -O fingerprint: $fp"
import re, sys
tests = {name: dict(kv.split('=', 1) for kv in body.split('%') if '=' in kv)
         for name, body in re.findall(r'([A-Z0-9]+)\(([^)]*)\)', sys.argv[1])}
want = {
    'T1': {'R': 'Y', 'F': 'AS', 'A': 'S+'},             # SYN-ACK
    'ECN': {'R': 'Y', 'CC': 'N'},                       # no ECE back
    'T2': {'R': 'N'},                                   # dropped
    'T3': {'R': 'Y', 'F': 'AS', 'A': 'S+'},             # SYN-ACK
    'T4': {'R': 'Y', 'F': 'R', 'S': 'A', 'A': 'Z'},     # <SEQ=SEG.ACK>
    'T5': {'R': 'Y', 'F': 'AR', 'S': 'Z', 'A': 'S+'},   # <SEQ=0><ACK=..>
    'T6': {'R': 'Y', 'F': 'R', 'S': 'A', 'A': 'Z'},
    'T7': {'R': 'Y', 'F': 'AR', 'S': 'Z', 'A': 'S+'},
    'U1': {'R': 'Y', 'RIPL': 'G', 'RID': 'G', 'RIPCK': 'G', 'RUCK': 'G',
           'RUD': 'G'},                                 # port unreachable
    'IE': {'R': 'Y', 'CD': 'S'},                        # code kept
}
bad = ['%s: %s=%s, not %s' % (t, k, tests.get(t, {}).get(k), v)
       for t, kv in want.items() for k, v in kv.items()
       if tests.get(t, {}).get(k) != v]
print('\n'.join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
it_log "nmap -O: every probe answered (or dropped) as the RFCs say"
guess=$(sed -nE '/^(Aggressive OS guesses|OS details|Running)/{p;q}' \
	<<<"$out" | cut -c1-240)
it_log "nmap -O guess: ${guess:-none}"

out=$(it_ns ping -c 3 -i 0.1 -W 2 "$IT_ADDR") || it_fail "ping after the scans: $out"
it_stop_dptcpd
for c in tcp_drop_closed_port tcp_drop_listen tcp_drop_cookie \
	 udp_drop_no_port; do
	[ "$(it_counter "$c")" -gt 0 ] || it_fail "counter $c is 0"
	it_log "counter $c = $(it_counter "$c")"
done
it_expect_counter icmp_tx_dest_unreach "$(it_counter udp_drop_no_port)"
it_log "PASS"
