#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Configuration errors: exit status 2 and one line naming file, line and
# key; nothing left started (no tap device, no process).
. "$(dirname "$0")/lib.sh"

conf="$IT_DIR/t.conf"

# Run dptcpd in the namespace; require exit status 2 and that the last
# line of stderr is exactly $2 (mode "is") or starts with it ("starts").
expect_error_as() {
	local mode=$1 want=$2 rc=0 got
	shift 2
	it_ns "$DPTCPD" "$@" >"$IT_DIR/o" 2>"$IT_DIR/e" || rc=$?
	[ "$rc" -eq 2 ] || it_fail "exit status $rc, expected 2 for: $want"
	got=$(tail -n 1 "$IT_DIR/e")
	[ "$mode" = starts ] && got=${got:0:${#want}}
	[ "$got" = "$want" ] || it_fail "message '$got', expected '$want'"
	it_ns ip link show "$IT_IF" >/dev/null 2>&1 &&
		it_fail "a tap device was left behind after: $want"
	it_log "exit 2: $(tail -n 1 "$IT_DIR/e")"
}
expect_error() { expect_error_as is "$@"; }

good_port="[port0]
device = net_tap0,iface=$IT_IF
address = 198.18.0.2/24"
eal="[eal]
no-huge = yes
m = 256
no-pci = yes
file-prefix = $IT_PREFIX
lcores = 0@0,1@0"

printf '%s\nmtuu = 1500\n' "$good_port" >"$conf"
expect_error "dptcpd: $conf:4: [port0] mtuu: unknown key (dptcpd --help-config lists them)" -c "$conf"

printf '[port0]\ndevice = x\naddress = 198.18.0.2/33\n' >"$conf"
expect_error "dptcpd: $conf:3: [port0] address: '198.18.0.2/33' is not an IPv4 address and prefix length, A.B.C.D/N" -c "$conf"
expect_error "dptcpd: $conf:3: [port0] address: '198.18.0.2/33' is not an IPv4 address and prefix length, A.B.C.D/N" -c "$conf" --check

expect_error "dptcpd: command line: [port0] mtu: 'big' is not an integer from 576 to 9600" --set port0.mtu=big
expect_error "dptcpd: /nonexistent.conf: cannot open: No such file or directory" -c /nonexistent.conf

# Errors found once EAL is up still name the line, and leave nothing.
printf '%s\n%s\n[lcores]\nworkers = 5\n' "$eal" "$good_port" >"$conf"
expect_error "dptcpd: $conf:11: [lcores] workers: lcore 5 is not one of EAL's lcores" -c "$conf"
printf '%s\n[port0]\ndevice = net_nosuch0\naddress = 198.18.0.2/24\n' "$eal" >"$conf"
expect_error_as starts "dptcpd: $conf:8: [port0] device: cannot attach device 'net_nosuch0': no driver or device of that name" -c "$conf"

# [service.NAME]: a table of bad sections (after the good [port0], which
# ends on line 3) and the exact message each must give.
svc_bad=(
	"[service.a]\ntype = echo\nport = 7\n[service.b]\ntype = http\nport = 7\n"
	":9: [service.b] port: 7 is already the port of [service.a]"
	"[service.a]\ntype = ftp\nport = 21\n"
	":5: [service.a] type: 'ftp' is not one of echo, discard, chargen, http, sink, source"
	"[service.a]\nport = 21\n"
	":4: [service.a] type: required key missing"
	"[service.a]\ntype = echo\n"
	":4: [service.a] port: required key missing"
	"[service.a]\ntype = echo\nport = 7\nbody = 1M\n"
	":7: [service.a] body: applies to type http only, not echo"
	"[service.a]\ntype = http\nport = 80\nbytes = 1M\n"
	":7: [service.a] bytes: applies to type source only, not http"
	"[service.a]\ntype = http\nport = 70000\n"
	":6: [service.a] port: '70000' is not an integer from 1 to 65535"
	"[service.a]\ntype = http\nport = 80\nspeed = 1\n"
	":7: [service.a] speed: unknown key (dptcpd --help-config lists them)"
	"[service.a b]\ntype = http\nport = 80\n"
	":4: [service.a b]: unknown section (known: eal, port0, lcores, arp, ip, tcp, impair, service.NAME)"
	"[service.a]\ntype = source\nport = 80\nbytes = 1X\n"
	":7: [service.a] bytes: '1X' is not a size from 0 to 1125899906842624 bytes (suffix K, M or G allowed)"
	"[service.a]\ntype = http\nport = 80\ntype = echo\n"
	":7: [service.a] type: set twice (first on line 5)"
)
for ((i = 0; i < ${#svc_bad[@]}; i += 2)); do
	printf '%s\n' "$good_port" >"$conf"
	printf "${svc_bad[i]}" >>"$conf"
	expect_error "dptcpd: $conf${svc_bad[i + 1]}" -c "$conf"
done
# A service from the command line alone replaces the default set; one
# that collides with a file's port is refused.
printf '%s\n' "$good_port" >"$conf"
out=$(it_ns "$DPTCPD" -c "$conf" --set service.web.type=http \
	--set service.web.port=8080 --check) || it_fail "--set service refused"
it_log "--set service.web.*: $out"
expect_error "dptcpd: command line: [service.web] type: 'gopher' is not one of echo, discard, chargen, http, sink, source" \
	-c "$conf" --set service.web.type=gopher

# --check accepts a good file without starting anything.
printf '%s\n%s\n' "$eal" "$good_port" >"$conf"
out=$(it_ns "$DPTCPD" -c "$conf" --check) || it_fail "--check refused a good file"
[ "$out" = "$conf: OK" ] || it_fail "--check printed '$out'"
it_log "--check: $out"

rc=0
it_ns "$DPTCPD" --bogus >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || it_fail "unknown option: exit $rc, expected 2"
it_log "PASS"
