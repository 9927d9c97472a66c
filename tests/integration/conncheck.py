#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Connection checks for the flood and exhaustion integration tests.

Run inside the test's namespace with /usr/bin/python3; standard library
only. Prints "key=value" lines; exits 0 on success, 1 after a "FAIL: ..."
line on stderr.

  conncheck.py timed HOST PORT N MAX_MS
      N connections one after the other to an echo service: connect, 64
      bytes there and back, close. Each must complete within MAX_MS
      (connect included): a SYN a server drops costs the client its 1 s
      retransmission timeout, which this catches.
  conncheck.py refused HOST PORT N
      N connects, each of which must be refused (RST: ECONNREFUSED)
      within 1 s, not time out and not succeed.
  conncheck.py hold HOST PORT N
      Open N echo connections (each checked with 64 bytes), print held=N,
      and keep them until SIGTERM, then close them and exit 0.
"""
import signal
import socket
import statistics
import sys
import time


def fail(msg):
    print('FAIL: ' + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def echo_once(s, i):
    msg = bytes((i + k) & 0xff for k in range(64))
    s.sendall(msg)
    got = b''
    while len(got) < len(msg):
        b = s.recv(len(msg) - len(got))
        if not b:
            raise ConnectionError('closed after %d of %d bytes echoed'
                                  % (len(got), len(msg)))
        got += b
    if got != msg:
        raise ConnectionError('echo differs')


def cmd_timed(host, port, n, max_ms):
    times = []
    for i in range(n):
        t0 = time.monotonic()
        try:
            with socket.create_connection((host, port), timeout=5) as s:
                echo_once(s, i)
        except OSError as e:
            fail('connection %d of %d: %s after %.0f ms'
                 % (i + 1, n, e, (time.monotonic() - t0) * 1000))
        times.append((time.monotonic() - t0) * 1000)
    print('n=%d median_ms=%.2f max_ms=%.2f' % (n, statistics.median(times),
                                               max(times)), flush=True)
    if max(times) > max_ms:
        fail('slowest of %d connections took %.0f ms (limit %d ms)'
             % (n, max(times), max_ms))


def cmd_refused(host, port, n):
    worst = 0.0
    for i in range(n):
        t0 = time.monotonic()
        try:
            s = socket.create_connection((host, port), timeout=3)
        except ConnectionRefusedError:
            worst = max(worst, time.monotonic() - t0)
            continue
        except OSError as e:
            fail('connect %d of %d: %s after %.0f ms, not refused'
                 % (i + 1, n, e, (time.monotonic() - t0) * 1000))
        s.close()
        fail('connect %d of %d succeeded: it should have been refused'
             % (i + 1, n))
    print('refused=%d max_ms=%.2f' % (n, worst * 1000), flush=True)
    if worst > 1.0:
        fail('a refusal took %.0f ms' % (worst * 1000))


def cmd_hold(host, port, n):
    socks = []
    for i in range(n):
        try:
            s = socket.create_connection((host, port), timeout=5)
            echo_once(s, i)
        except OSError as e:
            fail('connection %d of %d: %s' % (i + 1, n, e))
        socks.append(s)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print('held=%d' % n, flush=True)
    while not stop:
        signal.pause()
    for s in socks:
        s.close()


def main():
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    cmd, host, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4])
    if cmd == 'timed' and len(sys.argv) == 6:
        cmd_timed(host, port, n, int(sys.argv[5]))
    elif cmd == 'refused':
        cmd_refused(host, port, n)
    elif cmd == 'hold':
        cmd_hold(host, port, n)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    main()
