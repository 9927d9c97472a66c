# SPDX-License-Identifier: BSD-3-Clause
# preload.sh: sourced by the t_preload_* tests after lib.sh.
#
# The program under test (nginx, iperf3, redis-server, curl, preload_mix)
# runs one of two ways, chosen by DPT_PRELOAD:
#   - DPT_PRELOAD=/abs/path/libdptcp-preload.so: in the root namespace
#     with LD_PRELOAD on it and DPTCP_PREFIX=$IT_PREFIX, so its AF_INET
#     sockets are dptcpd's (whose port is the test namespace's tap), at
#     PT_ADDR=$IT_ADDR; the Linux peer is in the namespace at $IT_PEER.
#   - DPT_PRELOAD=linux: the Linux-only variant, which checks the test
#     itself: the same program on the kernel inside the namespace, at
#     PT_ADDR=$IT_PEER (the peer's own address: Linux talks to itself).
# Either way the Linux peer runs in the namespace (it_ns, it_bg) and
# reaches the program at $PT_ADDR; pt_run/pt_bg start the program under
# test, pt_host what runs beside it outside dptcp (its own host).

DPT_PRELOAD=${DPT_PRELOAD:?DPT_PRELOAD must name libdptcp-preload.so (or be "linux")}
if [ "$DPT_PRELOAD" = linux ]; then
	PT_ADDR=$IT_PEER
else
	[ -r "$DPT_PRELOAD" ] || it_fail "no preload library at $DPT_PRELOAD"
	PT_ADDR=$IT_ADDR
fi

# Run the program under test in the foreground.
pt_run() {
	if [ "$DPT_PRELOAD" = linux ]; then
		ip netns exec "$IT_NS" "$@"
	else
		env LD_PRELOAD="${DPT_PRELOAD_FIRST:+$DPT_PRELOAD_FIRST }$DPT_PRELOAD" DPTCP_PREFIX="$IT_PREFIX" "$@"
	fi
}

# Run the program under test in the background, tracked for cleanup
# (its PID is $!: env and ip netns exec both exec the program).
pt_bg() {
	if [ "$DPT_PRELOAD" = linux ]; then
		ip netns exec "$IT_NS" "$@" &
	else
		env LD_PRELOAD="${DPT_PRELOAD_FIRST:+$DPT_PRELOAD_FIRST }$DPT_PRELOAD" DPTCP_PREFIX="$IT_PREFIX" "$@" &
	fi
	IT_PIDS+=("$!")
}

# Run a command beside the program under test, on the kernel, where the
# program runs (the root namespace, or the namespace in the Linux variant).
pt_host() {
	if [ "$DPT_PRELOAD" = linux ]; then
		ip netns exec "$IT_NS" "$@"
	else
		"$@"
	fi
}

# Wait up to 20 s until something listens on PT_ADDR:$1, as the peer
# sees it: a TCP connect from the namespace succeeds. $2 is the
# program's PID (fail at once if it exits), $3 its name.
pt_wait_listen() {
	for _ in $(seq 1 200); do
		it_ns /usr/bin/python3 -c 'import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1)
s.close()' "$PT_ADDR" "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || it_fail "$3 exited during start-up"
		sleep 0.1
	done
	it_fail "$3 not listening on $PT_ADDR:$1 within 20 s"
}

# After the program under test ended: dptcpd holds nothing for it any
# more: no live client, and no connection but in TIME-WAIT (within 10 s).
# In the Linux variant, nothing listens on port $1 (if given, the
# program's) in the namespace.
pt_expect_gone() {
	local left
	if [ "$DPT_PRELOAD" = linux ]; then
		[ -n "${1:-}" ] || return 0
		left=$(it_ns ss -ltnH "sport = :$1")
		[ -z "$left" ] || it_fail "still listening on :$1: $left"
		return 0
	fi
	for _ in $(seq 1 100); do
		left=$(pt_dptcpd_left)
		[ "$left" = "0 0" ] && break
		sleep 0.1
	done
	[ "$left" = "0 0" ] ||
		it_fail "dptcpd still holds (live clients, connections not in TIME-WAIT) $left: $(it_telemetry /dptcp/clients) $(it_telemetry /dptcp/conns)"
	it_log "dptcpd holds nothing of the program: no client, no connection"
}

# "LIVE_CLIENTS CONNECTIONS" of dptcpd, the connections in TIME-WAIT
# left out.
pt_dptcpd_left() {
	{ it_telemetry /dptcp/clients; it_telemetry /dptcp/conns; } |
		/usr/bin/python3 -c 'import json, sys
live = conns = 0
for line in sys.stdin:
    if not line.strip():
        continue
    j = json.loads(line)
    # (an empty list or dict may come back as null)
    if "/dptcp/clients" in j:
        live = sum(1 for c in j["/dptcp/clients"] or [] if c.endswith(" live"))
    if "/dptcp/conns" in j:
        c = j["/dptcp/conns"] or {}
        conns = c.get("total", 0) - sum(1 for r in c.get("conns") or []
                                        if "TIME-WAIT" in r)
print(live, conns)'
}

# sha256 of a file
pt_sha() {
	sha256sum <"$1" | cut -d' ' -f1
}
