#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# redis-server under the preload library (preload.sh) on dptcpd's
# address, port 6379, no persistence:
#   - redis-cli from the namespace: SET/GET of small values and of 256 KiB
#     of random bytes, byte-exact; APPEND, STRLEN, INCR, DEL;
#   - redis-benchmark from the namespace runs all its default tests (50
#     connections, -n requests each) with no error line;
#   - SHUTDOWN NOSAVE: redis-server exits 0, dptcpd holds nothing of it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/preload.sh"

PORT=6379
N=${PT_REDIS_N:-5000}
# redis-benchmark 7.0's default tests (-q names them so)
TESTS="PING_INLINE PING_MBULK SET GET INCR LPUSH RPUSH LPOP RPOP SADD HSET
SPOP ZADD ZPOPMIN LPUSH LRANGE_100 LRANGE_300 LRANGE_500 LRANGE_600 MSET"
cli() {
	it_ns redis-cli -h "$PT_ADDR" -p $PORT "$@"
}
# redis-cli's answer to "$@" must be $WANT
expect() {
	local got
	got=$(cli "$@" 2>&1) || it_fail "redis-cli $*: exit $?: $got"
	[ "$got" = "$WANT" ] || it_fail "redis-cli $*: '$got', expected '$WANT'"
}

it_start_dptcpd --set tcp.msl=1s
mkdir -p "$IT_DIR/redis"
pt_bg redis-server --bind "$PT_ADDR" --port $PORT --save '' \
	--appendonly no --dir "$IT_DIR/redis" --daemonize no \
	--protected-mode no --logfile "$IT_DIR/redis.log" \
	>"$IT_DIR/redis.out" 2>&1
SRV=$!
it_wait_ready "$IT_DIR/redis.log" 'Ready to accept connections' "$SRV" redis-server

WANT=OK expect SET k1 hello
WANT=hello expect GET k1
WANT=11 expect APPEND k1 ' world'
WANT=11 expect STRLEN k1
WANT=1 expect INCR n
WANT=2 expect INCR n
WANT='hello world' expect GET k1
head -c $((256 * 1024)) /dev/urandom >"$IT_DIR/big"
WANT=OK
got=$(cli -x SET big <"$IT_DIR/big") || it_fail "redis-cli -x SET big: $got"
[ "$got" = OK ] || it_fail "redis-cli -x SET big: $got"
# --raw prints the value and a newline
cli --raw GET big | head -c -1 >"$IT_DIR/big.got"
cmp -s "$IT_DIR/big" "$IT_DIR/big.got" ||
	it_fail "GET big: $(stat -c %s "$IT_DIR/big.got") bytes, not the 256 KiB set"
WANT=2 expect DEL k1 big
it_log "redis-cli: SET/GET/APPEND/STRLEN/INCR/DEL, 256 KiB byte-exact"

rc=0
it_ns redis-benchmark -h "$PT_ADDR" -p $PORT -n "$N" -q \
	>"$IT_DIR/bench.out" 2>&1 || rc=$?
tr '\r' '\n' <"$IT_DIR/bench.out" | grep -v '^$' >"$IT_DIR/bench.txt"
[ "$rc" -eq 0 ] || it_fail "redis-benchmark exited $rc: $(tail -n 5 "$IT_DIR/bench.txt")"
bad=$(grep -iE 'error|refused|reset|timeout|broken' "$IT_DIR/bench.txt" || true)
[ -z "$bad" ] || it_fail "redis-benchmark: $bad"
for t in $TESTS; do
	grep -qE "^$t( \(.*\))?: [0-9.]+ requests per second" "$IT_DIR/bench.txt" ||
		it_fail "redis-benchmark: no result for $t: $(grep -v 'rps=' "$IT_DIR/bench.txt" | tr '\n' '|')"
done
it_log "redis-benchmark -n $N: $(grep -c 'requests per second' "$IT_DIR/bench.txt") tests, no error; $(grep -E '^(SET|GET): .*requests per second' "$IT_DIR/bench.txt" | tr '\n' ' ')"

cli SHUTDOWN NOSAVE >/dev/null 2>&1 || true
it_wait "$SRV" 10
[ "$IT_RC" -eq 0 ] || it_fail "redis-server exited $IT_RC: $(tail -n 5 "$IT_DIR/redis.log")"
pt_expect_gone $PORT
it_stop_dptcpd
it_log "PASS"
