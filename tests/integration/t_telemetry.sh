#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The live view, checked against the live state: with two workers, Linux
# holds 150 echo connections open; /dptcp/conns (through Debian's
# dpdk-telemetry.py, two pages of at most 100) and `dptcp-ctl conns
# --state ESTABLISHED` must list exactly those 150, with the foreign ports
# `ss` shows in the namespace,
# spread over the workers that /dptcp/stats,LCORE says accepted them; the
# counters must agree (150 accepted, 150 established). After the client
# closes, the list empties. `dptcp-ctl stats` shows the same totals;
# `dptcp-ctl busy` a row per worker lcore.
. "$(dirname "$0")/lib.sh"

DPTCP_CTL=${DPTCP_CTL:?DPTCP_CTL must name the dptcp-ctl binary}
n=150
stop="$IT_DIR/stop"
hold_out="$IT_DIR/hold.out"

tel_json() { it_telemetry "$1"; }
ctl() { "$DPTCP_CTL" -p "$IT_PREFIX" "$@"; }

it_start_dptcpd --set eal.lcores=0@0,1@0,2@0
it_bg /usr/bin/python3 "$(dirname "$0")/tcpclient.py" hold "$IT_ADDR" 7 "$n" "$stop" >"$hold_out"
hold_pid=$!
it_wait_ready "$hold_out" '^holding' "$hold_pid" "the holding client"
ports=$(sed -n 's/^ports=//p' "$hold_out" | tr ',' '\n' | sort -n)
ss_ports=$(it_ns ss -Htn state established "( dport = :7 )" |
	awk '{ n = split($3, a, ":"); print a[n] }' | sort -n)
[ "$ports" = "$ss_ports" ] || it_fail "ss shows other connections: $ss_ports"

# /dptcp/conns through dpdk-telemetry.py: two pages
{ tel_json /dptcp/conns,ESTABLISHED; tel_json /dptcp/conns,ESTABLISHED,100; } |
	/usr/bin/python3 -c '
import json, sys
want_ports = sorted(int(p) for p in sys.argv[1].split())
pages = [json.loads(l)["/dptcp/conns"] for l in sys.stdin if l.strip()]
assert [(p["offset"], p["shown"], p["next"]) for p in pages] == \
    [(0, 100, 100), (100, len(want_ports) - 100, 0)], pages
rows = [c.split() for p in pages for c in p["conns"]]
assert all(p["total"] == len(want_ports) for p in pages), pages
got = sorted(int(row[2].split(":")[1]) for row in rows)
assert got == want_ports, (got, want_ports)
for row in rows:
    assert row[1] == sys.argv[2] + ":7" and row[3] == "ESTABLISHED", row
    assert row[2].startswith(sys.argv[3] + ":"), row
    assert row[4] == "0" and row[5] == "0", row  # echoed, nothing queued
lcores = {row[0] for row in rows}
print(" ".join(sorted(lcores)))
' "$ports" "$IT_ADDR" "$IT_PEER" >"$IT_DIR/lcores" ||
	it_fail "/dptcp/conns does not match the live connections: $(tel_json /dptcp/conns | head -c 600)"
it_log "/dptcp/conns: $n ESTABLISHED with the ports ss shows, on lcore(s) $(cat "$IT_DIR/lcores")"

# ... and each worker's list is as long as its own counters say
for lc in 1 2; do
	listed=$({ tel_json /dptcp/conns,ESTABLISHED; tel_json /dptcp/conns,ESTABLISHED,100; } |
		/usr/bin/python3 -c '
import json, sys
rows = [c for l in sys.stdin if l.strip()
        for c in json.loads(l)["/dptcp/conns"]["conns"]]
print(sum(1 for c in rows if c.split()[0] == sys.argv[1]))' "$lc")
	est=$(tel_json "/dptcp/stats,$lc" | /usr/bin/python3 -c '
import json, sys; print(json.load(sys.stdin)["/dptcp/stats"].get("tcp_state_established", 0))')
	[ "$listed" -eq "$est" ] || it_fail "lcore $lc: $listed listed, tcp_state_established $est"
	it_log "lcore $lc: $listed listed = tcp_state_established"
done
[ "$(it_telemetry_counter tcp_conn_passive)" -eq "$n" ] || it_fail "tcp_conn_passive is not $n"
[ "$(it_telemetry_counter tcp_state_established)" -eq "$n" ] || it_fail "tcp_state_established is not $n"

# dptcp-ctl: the same, as a table
out=$(ctl conns --state ESTABLISHED) || it_fail "dptcp-ctl conns failed: $out"
rows=$(grep -c ' ESTABLISHED ' <<<"$out")
[ "$rows" -eq "$n" ] || it_fail "dptcp-ctl listed $rows connections: $out"
grep -q "^$n connection(s)$" <<<"$out" || it_fail "dptcp-ctl total: $(tail -n 1 <<<"$out")"
ctl_ports=$(awk '$4 == "ESTABLISHED" { split($3, a, ":"); print a[2] }' <<<"$out" | sort -n)
[ "$ctl_ports" = "$ports" ] || it_fail "dptcp-ctl shows other foreign ports"
it_log "dptcp-ctl conns --state ESTABLISHED: $rows rows, $(head -n 2 <<<"$out" | tail -n 1 | tr -s ' ')"
stats=$(ctl stats) || it_fail "dptcp-ctl stats failed"
grep -Eq "^tcp_conn_passive +$n " <<<"$stats" || it_fail "dptcp-ctl stats: $(grep tcp_conn_passive <<<"$stats")"
it_log "dptcp-ctl stats: $(grep tcp_conn_passive <<<"$stats" | tr -s ' ')"
# dptcp-ctl busy: one row per worker lcore, a share between 0 and 100
busy=$(ctl busy --interval 200) || it_fail "dptcp-ctl busy failed"
/usr/bin/python3 -c '
import sys
rows = [l.split() for l in sys.stdin.read().splitlines()[1:]]
assert sorted(r[0] for r in rows) == ["1", "2"], rows
for r in rows:
    loop, busy, pct = int(r[1]), int(r[2]), float(r[3])
    assert 100000 <= loop <= 2000000 and 0 <= busy <= loop, r
    assert 0.0 <= pct <= 100.0, r
' <<<"$busy" || it_fail "dptcp-ctl busy: $busy"
it_log "dptcp-ctl busy: $(tail -n +2 <<<"$busy" | tr -s ' ' | paste -sd ';')"
rc=0
ctl conns --state NOSUCH >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || it_fail "dptcp-ctl with a bad state: exit $rc, expected 1"

# The client closes: the list empties.
touch "$stop"
it_wait "$hold_pid" 30
for _ in $(seq 1 50); do
	total=$(tel_json /dptcp/conns | /usr/bin/python3 -c '
import json, sys; print(json.load(sys.stdin)["/dptcp/conns"]["total"])')
	[ "$total" -eq 0 ] && break
	sleep 0.1
done
[ "$total" -eq 0 ] || it_fail "$total connections still listed after the client closed"
it_log "after the client closed: /dptcp/conns lists none"
it_stop_dptcpd
it_expect_counter tcp_conn_closed "$n"
it_log "PASS"
