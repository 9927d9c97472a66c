# SPDX-License-Identifier: BSD-3-Clause
# lib.sh: sourced by every integration test.
#
# Gives each test its own network namespace and DPDK file prefix, starts
# dptcpd (or the load generator dptcp-gen) inside it on a net_tap device,
# configures the Linux side of the tap as the peer (its own address and
# MAC), and removes everything on exit, also when the test fails or is
# interrupted: every process the test started is ended by its PID, and the
# namespace is deleted.
#
# Usage in a test:
#   . "$(dirname "$0")/lib.sh"
#   it_start_dptcpd [dptcpd args...]   # sets IT_MAC (dptcpd's MAC)
#   it_ns ping -c 3 "$IT_ADDR"
#   it_stop_dptcpd                     # SIGTERM; counters in $IT_OUT
#   it_counter ip_drop_cksum           # a counter from the exit report
# or, for the load generator against a Linux server in the namespace:
#   it_bg some-server ...              # listening on the peer's side
#   it_start_gen --mode stream --target "$IT_GEN_PEER:5001" ...
#   it_wait "$IT_GEN_PID" 60           # its exit status in IT_RC

set -euo pipefail

DPTCPD=${DPTCPD:?DPTCPD must name the dptcpd binary}
IT_NAME=$(basename "$0" .sh)
IT_NS="dpt-it-$$"
IT_PREFIX="dpt-it-$$"
IT_DIR=$(mktemp -d "/tmp/dpt-it-$IT_NAME.XXXXXX")
IT_OUT="$IT_DIR/dptcpd.out"
IT_ERR="$IT_DIR/dptcpd.err"
IT_ADDR=198.18.0.2       # dptcpd
IT_PEER=198.18.0.1       # Linux
IT_PEER_MAC=02:00:c6:12:00:01
IT_IF=dpt0
# dptcp-gen's embedded configuration: tap dpt1, 198.18.1.2/24
DPTCP_GEN=${DPTCP_GEN:-}
IT_GEN_OUT="$IT_DIR/gen.out"
IT_GEN_ERR="$IT_DIR/gen.err"
IT_GEN_ADDR=198.18.1.2   # dptcp-gen
IT_GEN_PEER=198.18.1.1   # Linux
IT_GEN_PEER_MAC=02:00:c6:12:01:01
IT_GEN_IF=dpt1
IT_GEN_PID=
IT_RC=
IT_PIDS=()
IT_AFTER=()              # commands run at exit once the processes are gone
IT_DPTCPD_PID=
IT_MAC=
# Sanitizer builds (tools/test.sh's build-asan): every report of any
# program the test starts (ASan, LeakSanitizer at exit, UBSan) goes to a
# file in IT_DIR, and any such file fails the test at cleanup, whatever
# the program's exit status and whoever stopped it. Harmless elsewhere.
IT_SAN="$IT_DIR/sanitizer"
# Instrumented programs run about three times slower: limits on how long
# a transfer may take scale by this (1 in the plain build).
IT_TIME_SCALE=$([ -n "${DPT_SANITIZED:-}" ] && echo 3 || echo 1)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$IT_SAN"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$IT_SAN"

it_log() { printf '%s: %s\n' "$IT_NAME" "$*"; }
it_fail() {
	printf '%s: FAIL: %s\n' "$IT_NAME" "$*" >&2
	exit 1
}

it_cleanup() {
	local rc=$? pid cmd
	set +e
	for pid in "${IT_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${IT_PIDS[@]}"; do
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	ip netns del "$IT_NS" 2>/dev/null
	for cmd in "${IT_AFTER[@]}"; do
		eval "$cmd"
	done
	if compgen -G "$IT_SAN.*" >/dev/null; then
		echo "$IT_NAME: FAIL: sanitizer reports:" >&2
		cat "$IT_SAN".* >&2
		rc=1
	fi
	# GCC's UBSan writes to stderr whatever log_path says
	if grep -qs 'runtime error:' "$IT_ERR" "$IT_GEN_ERR"; then
		echo "$IT_NAME: FAIL: UBSan reports in the programs' stderr" >&2
		rc=1
	fi
	if [ "$rc" -ne 0 ] && [ -s "$IT_ERR" ]; then
		echo "--- dptcpd stderr (last 30 lines) ---" >&2
		tail -n 30 "$IT_ERR" >&2
		echo "--- dptcpd stdout (last 30 lines) ---" >&2
		tail -n 30 "$IT_OUT" >&2
	fi
	if [ "$rc" -ne 0 ] && [ -s "$IT_GEN_ERR" ]; then
		echo "--- dptcp-gen stderr (last 30 lines) ---" >&2
		tail -n 30 "$IT_GEN_ERR" >&2
		echo "--- dptcp-gen stdout (last 30 lines) ---" >&2
		tail -n 30 "$IT_GEN_OUT" >&2
	fi
	rm -rf "$IT_DIR" "/var/run/dpdk/$IT_PREFIX"
	exit "$rc"
}
trap it_cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || it_fail "needs root (network namespaces, tap devices)"

ip netns add "$IT_NS"
ip netns exec "$IT_NS" ip link set lo up
# No IPv6 on the test link: the kernel's router and multicast-listener
# chatter would make dptcpd's drop counters depend on timing.
ip netns exec "$IT_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$IT_NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1

it_ns() { ip netns exec "$IT_NS" "$@"; }

# Run a command in the namespace in the background, tracked for cleanup.
it_bg() {
	ip netns exec "$IT_NS" "$@" &
	IT_PIDS+=("$!")
}

# Stop tracking a PID the test has waited for (exact match: a substring
# removal would turn another tracked PID into a stranger's).
it_forget() {
	local keep=() pid
	for pid in "${IT_PIDS[@]}"; do
		[ "$pid" = "$1" ] || keep+=("$pid")
	done
	IT_PIDS=("${keep[@]}")
}

# Wait up to $2 seconds for the background process $1 to exit on its own;
# its exit status goes to IT_RC. Fails the test if it is still running.
it_wait() {
	local pid=$1 limit=$2
	for _ in $(seq 1 $((limit * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && it_fail "pid $pid still running after $limit s"
	IT_RC=0
	wait "$pid" || IT_RC=$?
	it_forget "$pid"
}

# Wait up to 20 s for the line matching $2 in the output file $1 of the
# starting process $3 ($4 names it in messages).
it_wait_ready() {
	for _ in $(seq 1 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || it_fail "$4 exited during start-up"
		sleep 0.1
	done
	it_fail "$4 not ready in 20 s"
}

# Make the Linux side of tap $1 the peer: its own MAC $2 (net_tap gives
# the kernel side the port's own MAC; a distinct one keeps ARP and
# neighbour entries unambiguous) and address $3.
it_peer_up() {
	it_ns ip link set "$1" address "$2"
	it_ns ip addr add "$3" dev "$1"
	it_ns ip link set "$1" up
}

# Start dptcpd on its embedded default configuration plus the given
# arguments, wait until it is ready, and make the tap's Linux side a peer.
it_start_dptcpd() {
	it_bg "$DPTCPD" --set "eal.file-prefix=$IT_PREFIX" "$@" \
		>"$IT_OUT" 2>"$IT_ERR"
	IT_DPTCPD_PID=$!
	it_wait_ready "$IT_OUT" '^dptcpd: ready' "$IT_DPTCPD_PID" dptcpd
	IT_MAC=$(sed -n 's/.*MAC \([0-9A-F:]*\)).*/\1/p' "$IT_OUT" |
		tr 'A-F' 'a-f')
	it_peer_up "$IT_IF" "$IT_PEER_MAC" "$IT_PEER/24"
	it_log "dptcpd ready (pid $IT_DPTCPD_PID, MAC $IT_MAC)"
}

# Start dptcp-gen on its embedded configuration plus the given arguments,
# wait until its tap exists ("ready"), then make the tap's Linux side the
# peer. The tap only exists once dptcp-gen runs, so Linux's side is set up
# after it starts; dptcp-gen does not connect before the peer answers ARP
# (its --wait-peer, 10 s by default), so there is no race and no sleep.
it_start_gen() {
	[ -n "$DPTCP_GEN" ] || it_fail "DPTCP_GEN must name the dptcp-gen binary"
	it_bg "$DPTCP_GEN" --set "eal.file-prefix=$IT_PREFIX" "$@" \
		>"$IT_GEN_OUT" 2>"$IT_GEN_ERR"
	IT_GEN_PID=$!
	it_wait_ready "$IT_GEN_OUT" '^dptcp-gen: ready' "$IT_GEN_PID" dptcp-gen
	it_peer_up "$IT_GEN_IF" "$IT_GEN_PEER_MAC" "$IT_GEN_PEER/24"
	it_log "dptcp-gen ready (pid $IT_GEN_PID)"
}

# IPv6 on the Linux side of tap $1 (lib.sh turns it off in the namespace)
# with address $2 (A::B/N), usable at once (no DAD of its own) and quiet:
# no router solicitations, no router advertisements taken.
it_peer6_up() {
	it_ns sysctl -qw "net.ipv6.conf.$1.router_solicitations=0" \
		"net.ipv6.conf.$1.accept_ra=0" "net.ipv6.conf.$1.disable_ipv6=0"
	it_ns ip -6 addr add "$2" dev "$1" nodad
}

# Wait until dptcpd answers ping -6 $1 (its address is usable once its
# duplicate address detection is done: [arp] retrans, 1 s, per probe).
it_wait_ping6() {
	local _
	for _ in $(seq 1 50); do
		it_ns ping -6 -c 1 -W 0.2 "$1" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	it_fail "ping -6 $1 not answered within 15 s"
}

# SIGTERM dptcpd, wait, require exit status 0; the counters are in $IT_OUT.
it_stop_dptcpd() {
	local rc=0
	kill -TERM "$IT_DPTCPD_PID"
	wait "$IT_DPTCPD_PID" || rc=$?
	it_forget "$IT_DPTCPD_PID"
	[ "$rc" -eq 0 ] || it_fail "dptcpd exited with $rc after SIGTERM"
	grep -q '^dptcpd: counters' "$IT_OUT" || it_fail "no counters printed"
}

# A counter read live through DPDK telemetry with Debian's client.
it_telemetry_counter() {
	echo /dptcp/stats | timeout 10 dpdk-telemetry.py -f "$IT_PREFIX" |
		/usr/bin/python3 -c 'import json, sys
print(json.load(sys.stdin)["/dptcp/stats"].get(sys.argv[1], 0))' "$1"
}

# A counter's value from dptcpd's exit report (0 if not listed).
it_counter() {
	awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' "$IT_OUT"
}

# Require counter $1 to equal $2.
it_expect_counter() {
	local v
	v=$(it_counter "$1")
	[ "$v" -eq "$2" ] || it_fail "counter $1 is $v, expected $2"
	it_log "counter $1 = $v"
}

# The JSON answer to any telemetry command, e.g. it_telemetry /dptcp/mem.
it_telemetry() {
	echo "$1" | timeout 10 dpdk-telemetry.py -f "$IT_PREFIX"
}

# Fields of one telemetry dictionary, values in the order asked, on one
# line: it_telemetry_fields /dptcp/mem tcbs_used pkt_mbufs_used.
it_telemetry_fields() {
	local cmd=$1
	shift
	it_telemetry "$cmd" | /usr/bin/python3 -c 'import json, sys
d = json.load(sys.stdin)[sys.argv[1]]
print(" ".join(str(d.get(k, 0)) for k in sys.argv[2:]))' "$cmd" "$@"
}

# With IT_PCAP=DIR in the environment, capture the test link's traffic
# (headers and 64 bytes of payload) to DIR/NAME.pcap for diagnosis; it is
# kept after the test. Without IT_PCAP, nothing.
it_pcap_start() {
	[ -n "${IT_PCAP:-}" ] || return 0
	mkdir -p "$IT_PCAP"
	it_bg tcpdump -q -i "$IT_IF" -s 128 -B 65536 -w "$IT_PCAP/$IT_NAME.pcap" \
		2>"$IT_DIR/tcpdump.err"
	sleep 1
	it_log "capturing to $IT_PCAP/$IT_NAME.pcap"
}

# The Linux side of the test link's drop counters, for the log: frames
# Linux could not queue towards dptcp (tx_dropped: the tap's queue was
# full while dptcp was not reading) and frames from dptcp it dropped.
it_link_drops() {
	local s="/sys/class/net/${1:-$IT_IF}/statistics"
	it_ns sh -c "echo tx_dropped=\$(cat $s/tx_dropped) rx_dropped=\$(cat $s/rx_dropped) qlen=\$(cat ${s%/statistics}/tx_queue_len)"
}

# ---- hostile peers (t_attack_*): the attack, what must still work, and
# ---- that every resource comes back.

# Resource counters of /dptcp/mem as "tcbs pkt hdr", where tcbs leaves
# out the control blocks in TIME-WAIT: a connection dptcpd closed first
# waits there 2 x MSL by design (RFC 9293 3.6.1), holding no mbuf, and
# whether an attack's connection ends in TIME-WAIT or by RST depends on
# the race between its close and its next segment.
it_mem() {
	local tcbs pkt hdr tw
	read -r tcbs pkt hdr <<<"$(it_telemetry_fields /dptcp/mem tcbs_used pkt_mbufs_used hdr_mbufs_used)"
	tw=$(it_telemetry_fields /dptcp/stats tcp_state_time_wait)
	echo "$((tcbs - tw)) $pkt $hdr"
}

# Remember the resources in use now (after start-up) as the baseline.
it_mem_baseline() {
	IT_MEM0=$(it_mem)
	it_log "baseline: tcbs pkt_mbufs hdr_mbufs = $IT_MEM0"
}

# Require the resources to be back at the baseline within $1 seconds.
it_expect_mem_baseline() {
	local now i
	for i in $(seq 1 $(($1 * 10))); do
		now=$(it_mem)
		[ "$now" = "$IT_MEM0" ] && break
		sleep 0.1
	done
	[ "$now" = "$IT_MEM0" ] ||
		it_fail "resources (tcbs pkt_mbufs hdr_mbufs) are $now $1 s after the attack, $IT_MEM0 before it"
	it_log "resources back at the baseline ($now) within $(((i + 9) / 10)) s"
}

# GET /$1 from dptcpd's HTTP service with curl (at most $2 seconds,
# default 30): status 200 and the body byte-exact, by size and sha256.
it_curl_body() {
	local f="$IT_DIR/curl.body" w sha want
	rm -f "$f"
	w=$(it_ns curl -sS --max-time "${2:-30}" -o "$f" \
		-w '%{http_code} %{time_total}' "http://$IT_ADDR/$1") ||
		it_fail "curl GET /$1: exit status $? ($w)"
	[ "${w%% *}" = 200 ] || it_fail "curl GET /$1: HTTP status ${w%% *}"
	[ "$(stat -c %s "$f")" -eq "$1" ] ||
		it_fail "curl GET /$1: $(stat -c %s "$f") bytes"
	sha=$(sha256sum <"$f" | cut -d' ' -f1)
	want=$(/usr/bin/python3 "$(dirname "$0")/tcpclient.py" http-sha "$1")
	[ "$sha" = "$want" ] || it_fail "curl GET /$1: wrong bytes (sha256)"
	rm -f "$f"
	IT_CURL_S=${w#* }
}

# Start attack.py COMMAND ARGS (the host and stop file are added) in the
# namespace and wait until its connections are up.
it_attack() {
	local cmd=$1
	shift
	IT_ATTACK_STOP="$IT_DIR/attack.stop"
	IT_ATTACK_OUT="$IT_DIR/attack.out"
	rm -f "$IT_ATTACK_STOP"
	it_bg /usr/bin/python3 "$(dirname "$0")/attack.py" "$cmd" "$IT_ADDR" \
		"$@" "$IT_ATTACK_STOP" >"$IT_ATTACK_OUT" 2>&1
	IT_ATTACK_PID=$!
	it_wait_ready "$IT_ATTACK_OUT" '^attacking' "$IT_ATTACK_PID" "attack.py $cmd"
	it_log "attack $cmd $* under way"
}

# End the attack: its results are in IT_ATTACK_OUT.
it_attack_stop() {
	touch "$IT_ATTACK_STOP"
	it_wait "$IT_ATTACK_PID" 30
	it_log "attack over: $(grep = "$IT_ATTACK_OUT" | tr '\n' ' ')"
}

# A key=value result of the attack.
it_attack_result() {
	sed -n "s/^$1=//p" "$IT_ATTACK_OUT"
}
