# SPDX-License-Identifier: BSD-3-Clause
# lib.sh: sourced by every integration test.
#
# Gives each test its own network namespace and DPDK file prefix, starts
# dptcpd inside it on a net_tap device, configures the Linux side of the
# tap as the peer (198.18.0.1/24, its own MAC), and removes everything on
# exit, also when the test fails or is interrupted: every process the test
# started is ended by its PID, and the namespace is deleted.
#
# Usage in a test:
#   . "$(dirname "$0")/lib.sh"
#   it_start_dptcpd [dptcpd args...]   # sets IT_MAC (dptcpd's MAC)
#   it_ns ping -c 3 "$IT_ADDR"
#   it_stop_dptcpd                     # SIGTERM; counters in $IT_OUT
#   it_counter ip_drop_cksum           # a counter from the exit report

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
IT_PIDS=()
IT_DPTCPD_PID=
IT_MAC=

it_log() { printf '%s: %s\n' "$IT_NAME" "$*"; }
it_fail() {
	printf '%s: FAIL: %s\n' "$IT_NAME" "$*" >&2
	exit 1
}

it_cleanup() {
	local rc=$? pid
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
	if [ "$rc" -ne 0 ] && [ -s "$IT_ERR" ]; then
		echo "--- dptcpd stderr (last 30 lines) ---" >&2
		tail -n 30 "$IT_ERR" >&2
		echo "--- dptcpd stdout (last 30 lines) ---" >&2
		tail -n 30 "$IT_OUT" >&2
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

# Start dptcpd on its embedded default configuration plus the given
# arguments, wait until it is ready, and make the tap's Linux side a peer.
it_start_dptcpd() {
	it_bg "$DPTCPD" --set "eal.file-prefix=$IT_PREFIX" "$@" \
		>"$IT_OUT" 2>"$IT_ERR"
	IT_DPTCPD_PID=$!
	for _ in $(seq 1 200); do
		grep -q '^dptcpd: ready' "$IT_OUT" 2>/dev/null && break
		kill -0 "$IT_DPTCPD_PID" 2>/dev/null ||
			it_fail "dptcpd exited during start-up"
		sleep 0.1
	done
	grep -q '^dptcpd: ready' "$IT_OUT" || it_fail "dptcpd not ready in 20 s"
	IT_MAC=$(sed -n 's/.*MAC \([0-9A-F:]*\)).*/\1/p' "$IT_OUT" |
		tr 'A-F' 'a-f')
	# net_tap gives the kernel side the port's own MAC; a distinct one
	# keeps ARP and neighbour entries unambiguous.
	it_ns ip link set "$IT_IF" address "$IT_PEER_MAC"
	it_ns ip addr add "$IT_PEER/24" dev "$IT_IF"
	it_ns ip link set "$IT_IF" up
	it_log "dptcpd ready (pid $IT_DPTCPD_PID, MAC $IT_MAC)"
}

# SIGTERM dptcpd, wait, require exit status 0; the counters are in $IT_OUT.
it_stop_dptcpd() {
	local rc=0
	kill -TERM "$IT_DPTCPD_PID"
	wait "$IT_DPTCPD_PID" || rc=$?
	IT_PIDS=("${IT_PIDS[@]/$IT_DPTCPD_PID}")
	[ "$rc" -eq 0 ] || it_fail "dptcpd exited with $rc after SIGTERM"
	grep -q '^dptcpd: counters' "$IT_OUT" || it_fail "no counters printed"
}

# A counter read live through DPDK telemetry with Debian's client.
it_telemetry_counter() {
	echo /dptcp/stats | timeout 10 dpdk-telemetry.py -f "$IT_PREFIX" |
		/usr/bin/python3 -c 'import json, sys
print(json.load(sys.stdin)["/dptcp/stats"][sys.argv[1]])' "$1"
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
