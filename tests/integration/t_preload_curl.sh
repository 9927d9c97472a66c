#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# curl under the preload library (preload.sh) fetches 0 B, 1 MiB and
# 100 MiB of random bytes from a Linux HTTP server (python's http.server)
# in the namespace, byte-exact (sha256); then 3 files on one connection.
# Afterwards dptcpd holds nothing of curl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload.sh"

MiB=$((1024 * 1024))
WWW="$IT_DIR/www"
mkdir -p "$WWW"
: >"$WWW/f0"
head -c $MiB /dev/urandom >"$WWW/f1m"
head -c $((100 * MiB)) /dev/urandom >"$WWW/f100m"

it_start_dptcpd --set tcp.msl=1s
it_bg sh -c "cd '$WWW' && exec /usr/bin/python3 -m http.server \
	--bind $IT_PEER 8000" >"$IT_DIR/httpd.out" 2>&1
for _ in $(seq 1 50); do
	it_ns ss -ltnH 'sport = :8000' | grep -q . && break
	sleep 0.1
done

for f in f0 f1m f100m; do
	rm -f "$IT_DIR/got"
	w=$(pt_run curl -sS --max-time $((30 * IT_TIME_SCALE)) -o "$IT_DIR/got" \
		-w '%{http_code}' "http://$IT_PEER:8000/$f" 2>"$IT_DIR/curl.err") ||
		it_fail "curl GET /$f: exit $? ($w): $(cat "$IT_DIR/curl.err")"
	[ "$w" = 200 ] || it_fail "curl GET /$f: HTTP status $w"
	[ "$(pt_sha "$IT_DIR/got")" = "$(pt_sha "$WWW/$f")" ] ||
		it_fail "curl GET /$f: $(stat -c %s "$IT_DIR/got") bytes, not byte-exact"
done
rm -f "$IT_DIR/got"
it_log "curl fetched 0 B, 1 MiB, 100 MiB byte-exact"

# several URLs in one curl (http.server speaks HTTP/1.0: one connection each)
w=$(pt_run curl -sS --max-time 30 -o "$IT_DIR/k1" -o "$IT_DIR/k2" \
	-o "$IT_DIR/k3" -w '%{http_code}\n' "http://$IT_PEER:8000/f1m" \
	"http://$IT_PEER:8000/f0" "http://$IT_PEER:8000/f1m" \
	2>"$IT_DIR/curl.err") || it_fail "curl, 3 URLs: exit $?: $(cat "$IT_DIR/curl.err")"
[ "$(grep -c '^200$' <<<"$w")" -eq 3 ] || it_fail "curl, 3 URLs: $(tr '\n' ' ' <<<"$w")"
cmp -s "$IT_DIR/k1" "$WWW/f1m" && cmp -s "$IT_DIR/k2" "$WWW/f0" &&
	cmp -s "$IT_DIR/k3" "$WWW/f1m" || it_fail "curl, 3 URLs: bodies differ"
it_log "curl, 3 URLs in one run: byte-exact"

pt_expect_gone
it_stop_dptcpd
it_log "PASS"
