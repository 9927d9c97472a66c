#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Debian's nginx, unmodified, under the preload library (preload.sh):
# a master and one worker on dptcpd's address, port 8080; curl in the
# namespace:
#   - fetches 0 B, 1 B, 1 MiB and 100 MiB of random bytes, byte-exact
#     (sha256), sendfile on as in Debian's own configuration;
#   - keep-alive: three URLs on one connection (curl's num_connects);
#   - pipelining: three requests in one write (pipeline.py);
#   - reload: SIGHUP to the master, a new worker takes over, the old one
#     exits, fetches go on;
#   - stop: SIGQUIT to the master, master and worker exit, dptcpd holds
#     no client and no connection of nginx, a connect is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload.sh"

MiB=$((1024 * 1024))
PORT=8080
ND="$IT_DIR/nginx"
mkdir -p "$ND/www"
: >"$ND/www/f0"
head -c 1 /dev/urandom >"$ND/www/f1"
head -c $MiB /dev/urandom >"$ND/www/f1m"
head -c $((100 * MiB)) /dev/urandom >"$ND/www/f100m"
cat >"$ND/nginx.conf" <<EOF
daemon off;
master_process on;
user root;
worker_processes 1;
pid $ND/nginx.pid;
error_log $ND/error.log notice;
events { worker_connections 256; }
http {
    default_type application/octet-stream;
    access_log $ND/access.log;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    client_body_temp_path $ND/body;
    proxy_temp_path $ND/proxy;
    fastcgi_temp_path $ND/fastcgi;
    uwsgi_temp_path $ND/uwsgi;
    scgi_temp_path $ND/scgi;
    server {
        listen $PT_ADDR:$PORT;
        root $ND/www;
        location / { }
    }
}
EOF

# nginx's worker processes (the master's children)
workers() {
	{ ps -o pid= --ppid "$MASTER" || true; } | tr -d ' ' | sort
}
# GET /$1 with curl from the namespace: 200 and the file's bytes
fetch() {
	local f="$IT_DIR/got" w
	rm -f "$f"
	w=$(it_ns curl -sS --max-time $((30 * IT_TIME_SCALE)) -o "$f" \
		-w '%{http_code}' "http://$PT_ADDR:$PORT/$1") ||
		it_fail "curl GET /$1: exit status $? ($w)"
	[ "$w" = 200 ] || it_fail "curl GET /$1: HTTP status $w"
	[ "$(pt_sha "$f")" = "$(pt_sha "$ND/www/$1")" ] ||
		it_fail "curl GET /$1: $(stat -c %s "$f") bytes, not byte-exact"
	rm -f "$f"
}

it_start_dptcpd --set tcp.msl=1s
pt_bg nginx -e "$ND/error.log" -c "$ND/nginx.conf" -p "$ND/" \
	>"$IT_DIR/nginx.out" 2>&1
MASTER=$!
# on failure, nginx's own account
IT_AFTER+=("[ \$rc -eq 0 ] || { echo '--- nginx error.log (last 20 lines) ---'; tail -n 20 '$ND/error.log'; } >&2")
pt_wait_listen $PORT "$MASTER" nginx
for _ in $(seq 1 50); do
	W1=$(workers)
	[ -n "$W1" ] && break
	sleep 0.1
done
[ "$(wc -w <<<"$W1")" -eq 1 ] || it_fail "nginx workers: '$W1', expected one"
it_log "nginx up: master $MASTER, worker $W1"

for f in f0 f1 f1m f100m; do
	fetch $f
done
it_log "fetched 0 B, 1 B, 1 MiB, 100 MiB byte-exact"

# keep-alive: three URLs, one connection
w=$(it_ns curl -sS --max-time 30 -o "$IT_DIR/k1" -o "$IT_DIR/k2" \
	-o "$IT_DIR/k3" -w '%{http_code} %{num_connects}\n' \
	"http://$PT_ADDR:$PORT/f1" "http://$PT_ADDR:$PORT/f1m" \
	"http://$PT_ADDR:$PORT/f0") || it_fail "curl keep-alive: $?: $w"
[ "$(awk '{ n += $2 } END { print n }' <<<"$w")" -eq 1 ] &&
	[ "$(grep -c '^200 ' <<<"$w")" -eq 3 ] ||
	it_fail "keep-alive: status and connections per URL: $(tr '\n' ' ' <<<"$w")"
cmp -s "$IT_DIR/k1" "$ND/www/f1" && cmp -s "$IT_DIR/k2" "$ND/www/f1m" &&
	cmp -s "$IT_DIR/k3" "$ND/www/f0" || it_fail "keep-alive: bodies differ"
rm -f "$IT_DIR"/k?
it_log "keep-alive: 3 URLs on 1 connection, byte-exact"

out=$(it_ns /usr/bin/python3 "$(dirname "$0")/pipeline.py" "$PT_ADDR" $PORT \
	/f1="$ND/www/f1" /f0="$ND/www/f0" /f1m="$ND/www/f1m" 2>&1) ||
	it_fail "pipelining: $out"
it_log "$(tail -n 1 <<<"$out")"

# reload: a new worker takes over, the old one goes
kill -HUP "$MASTER"
for _ in $(seq 1 100); do
	W2=$(workers)
	[ -n "$W2" ] && [ "$W2" != "$W1" ] && [ "$(wc -w <<<"$W2")" -eq 1 ] &&
		! kill -0 "$W1" 2>/dev/null && break
	sleep 0.1
done
[ -n "$W2" ] && [ "$W2" != "$W1" ] && [ "$(wc -w <<<"$W2")" -eq 1 ] ||
	it_fail "after SIGHUP, workers '$(workers | tr '\n' ' ')' (before: $W1)"
kill -0 "$W1" 2>/dev/null && it_fail "the old worker $W1 still runs 10 s after SIGHUP"
fetch f1m
fetch f1
it_log "reload: worker $W1 replaced by $W2, fetches work"

# stop: master and worker exit, nothing left at dptcpd
kill -QUIT "$MASTER"
it_wait "$MASTER" 10
[ "$IT_RC" -eq 0 ] || it_fail "nginx exited $IT_RC after SIGQUIT: $(tail -n 5 "$ND/error.log")"
kill -0 "$W2" 2>/dev/null && it_fail "worker $W2 still runs after the master exited"
grep -E '\[(alert|emerg|crit)\]' "$ND/error.log" &&
	it_fail "nginx logged alerts (above)"
pt_expect_gone $PORT
rc=0
it_ns curl -sS --max-time 5 -o /dev/null "http://$PT_ADDR:$PORT/f1" \
	2>"$IT_DIR/refused" || rc=$?
[ "$rc" -eq 7 ] || it_fail "a fetch after the stop: curl exit $rc ($(cat "$IT_DIR/refused")), expected 7 (refused)"
it_log "stop: master and worker exited, port $PORT refused"
it_stop_dptcpd
it_log "PASS"
