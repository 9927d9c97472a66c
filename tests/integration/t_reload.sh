#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# SIGHUP reloads the [service.*] sections without dropping connections.
#
# dptcpd runs config/dptcpd.conf (echo, discard, chargen, http). While a
# slow 8 MiB HTTP fetch is in flight, the file changes: discard is removed,
# http gets a body for "GET /" (a changed service: replaced), a sink on
# port 5001 is added, and [tcp] msl changes. After SIGHUP: the fetch still
# completes byte-exact (its connection finishes under the old service),
# "GET /" answers the new body, port 9 refuses, the sink takes 1 MiB, the
# [tcp] change is reported as needing a restart. Then a broken file: the
# error names file and line and the services stay as they were.
. "$(dirname "$0")/lib.sh"

src="$(dirname "$0")/../../config/dptcpd.conf"
conf="$IT_DIR/dptcpd.conf"
cp "$src" "$conf"
size=$((4 * 1024 * 1024))
expect=$(/usr/bin/python3 -c 'import hashlib, sys
a = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
n = int(sys.argv[1])
print(hashlib.sha256((a * (n // 64 + 1))[:n]).hexdigest())' "$size")

# Send SIGHUP and wait for the line ($1) it must print on stdout or stderr.
hup_and_wait() {
	local n
	n=$(cat "$IT_OUT" "$IT_ERR" | grep -c "$1" || true)
	kill -HUP "$IT_DPTCPD_PID"
	for _ in $(seq 1 50); do
		[ "$(cat "$IT_OUT" "$IT_ERR" | grep -c "$1" || true)" -gt "$n" ] && return 0
		sleep 0.1
	done
	it_fail "no '$1' line 5 s after SIGHUP"
}

# Connect to port $1 from the namespace: "open" or "refused".
probe() {
	it_ns /usr/bin/python3 -c 'import socket, sys
s = socket.socket()
s.settimeout(5)
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    print("open")
except ConnectionRefusedError:
    print("refused")' "$IT_ADDR" "$1"
}

it_start_dptcpd -c "$conf"
[ "$(probe 9)" = open ] || it_fail "discard not listening at start"
code=$(it_ns curl -s -o /dev/null -w '%{http_code}' "http://$IT_ADDR/")
[ "$code" = 404 ] || it_fail "GET / answered $code before the reload, expected 404"

# A slow reader (tcpclient.py slowget, about 640 KiB/s), so the fetch is
# still going when the reload happens.
it_bg /usr/bin/python3 "$(dirname "$0")/tcpclient.py" slowget "$IT_ADDR" 80 \
	"$size" "$IT_DIR/body" >/dev/null
fetch=$!
sleep 1

/usr/bin/python3 - "$conf" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"\n\[service\.discard\]\n[^\[]*", "\n", s)
s = s.replace("# body = 1M ", "body = 1000")
s = s.replace("# msl = 30s ", "msl = 20s  ")
s += "\n[service.sink]\ntype = sink\nport = 5001\n"
open(p, "w").write(s)
PY
hup_and_wait 'SIGHUP: services reloaded'
it_log "$(grep 'SIGHUP' "$IT_OUT" "$IT_ERR" | sed 's/^[^:]*://' | tr '\n' ' ')"
grep -q "SIGHUP: \[tcp\] changed in $conf: only a restart applies that" "$IT_ERR" ||
	it_fail "the [tcp] change was not reported"

have=$(stat -c %s "$IT_DIR/body" 2>/dev/null || echo 0)
[ "$have" -lt "$size" ] || it_fail "the fetch was over before the reload"
[ "$(probe 9)" = refused ] || it_fail "discard still listening after its removal"
body=$(it_ns curl -sS --max-time 10 "http://$IT_ADDR/") || it_fail "GET / failed"
[ "${#body}" -eq 1000 ] || it_fail "GET / answered ${#body} bytes, expected the new body of 1000"
it_ns /usr/bin/python3 -c 'import socket, sys
s = socket.create_connection((sys.argv[1], 5001), timeout=10)
s.sendall(b"x" * (1 << 20))
s.shutdown(socket.SHUT_WR)
assert s.recv(1) == b""' "$IT_ADDR" || it_fail "sink on 5001"
[ "$(probe 7)" = open ] || it_fail "echo (unchanged) not listening"

it_wait "$fetch" 30
[ "$IT_RC" -eq 0 ] || it_fail "the fetch in flight failed: exit status $IT_RC"
got=$(sha256sum <"$IT_DIR/body" | cut -d' ' -f1)
[ "$got" = "$expect" ] || it_fail "the fetch in flight: sha256 $got, expected $expect"
it_log "the fetch in flight during the reload completed byte-exact"

# A broken file: reported with its line, nothing changes.
printf '[service.x]\ntype = gopher\nport = 70\n' >>"$conf"
line=$(grep -n '^type = gopher' "$conf" | cut -d: -f1)
hup_and_wait 'services unchanged'
grep -q "dptcpd: SIGHUP: $conf:$line: \[service.x\] type: 'gopher' is not one of echo, discard, chargen, http, sink, source; services unchanged" "$IT_ERR" ||
	it_fail "bad reload message: $(tail -n 1 "$IT_ERR")"
[ "$(probe 5001)" = open ] || it_fail "sink gone after a failed reload"

it_stop_dptcpd
it_expect_counter svc_reloads 1
it_expect_counter svc_reload_fail 0
it_expect_counter svc_sink_bytes $((1 << 20))
it_expect_counter tcp_conn_reset 0
it_log "PASS"
