#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# See dptcp work, as root on Debian 12: install what is missing, build, start
# dptcpd with no arguments (its embedded default configuration) in a fresh
# network namespace on a tap device, reach it from Linux, print what
# happened, stop it, and remove the namespace.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

NS=dptcp-demo-$$
DIR=$(mktemp -d /tmp/dptcp-demo.XXXXXX)
PID=
cleanup() {
	set +e
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID"
		wait "$PID"
	fi
	ip netns del "$NS" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Creating network namespace $NS; starting dptcpd (no arguments: the embedded config/dptcpd.conf)"
ip netns add "$NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1
ip netns exec "$NS" build/app/dptcpd/dptcpd >"$DIR/out" 2>"$DIR/err" &
PID=$!
for _ in $(seq 1 200); do
	grep -q '^dptcpd: ready' "$DIR/out" && break
	kill -0 "$PID" 2>/dev/null || { cat "$DIR/err"; exit 1; }
	sleep 0.1
done
grep '^dptcpd: ready' "$DIR/out" || { echo "dptcpd did not start"; cat "$DIR/err"; exit 1; }

say "Linux side of the tap (dpt0): 198.18.0.1/24; dptcpd is 198.18.0.2"
ip netns exec "$NS" ip link set dpt0 address 02:00:c6:12:00:01
ip netns exec "$NS" ip addr add 198.18.0.1/24 dev dpt0
ip netns exec "$NS" ip link set dpt0 up

say "Linux pings dptcpd"
ip netns exec "$NS" ping -c 5 -i 0.2 198.18.0.2

say "Linux's neighbour table: ARP resolved dptcpd's MAC"
ip netns exec "$NS" ip neigh show dev dpt0

say "curl fetches 1 MiB from dptcpd's HTTP responder (GET /N answers N bytes)"
ip netns exec "$NS" curl -s -o /dev/null \
	-w 'HTTP %{http_code}, %{size_download} bytes in %{time_total} s\n' \
	http://198.18.0.2/1048576

say "Linux talks to the echo service (port 7)"
echo "hello from Linux, through dptcp's TCP" |
	ip netns exec "$NS" socat -t 2 - TCP:198.18.0.2:7

say "Stopping dptcpd (SIGTERM): its counters"
kill -TERM "$PID"
wait "$PID"
PID=
cat "$DIR/out" | sed -n '/^dptcpd: counters/,$p'

say "Done: namespace $NS removed"
