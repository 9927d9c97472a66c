#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""TCP clients for the integration tests: dptcpd's services against Linux.

Run inside the test's namespace with /usr/bin/python3; standard library
only. Every command checks what comes back byte for byte, prints its
results as "key=value" lines on stdout, and exits 0 on success, or 1 after
a "FAIL: ..." line on stderr saying what was sent, what came back and
where the two first differ. Every socket operation has a deadline, so a
stalled connection fails the test instead of hanging it.

usage: tcpclient.py COMMAND ARGS   (tcpclient.py -h lists the commands)
"""
import argparse
import hashlib
import os
import random
import socket
import sys
import threading
import time

# GET /N from dptcpd: byte i of the body is ALPHABET[i % 64].
HTTP_ALPHABET = (b'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
                 b'abcdefghijklmnopqrstuvwxyz0123456789+/')
CHUNK = 64 * 1024  # the random streams are made in pieces this size
MiB = 1024 * 1024


class Failure(Exception):
    """A check failed; the message says what was expected and what came."""


def out(**kw):
    for k, v in kw.items():
        print(f'{k}={v}', flush=True)


def http_body(n):
    """The body dptcpd sends for GET /n."""
    reps, rest = divmod(n, 64)
    return HTTP_ALPHABET * reps + HTTP_ALPHABET[:rest]


class Stream:
    """The seeded pseudo-random byte stream: the same seed gives the same
    bytes whatever sizes they are taken in."""

    def __init__(self, seed, total):
        self.rng = random.Random(seed)
        self.left = total
        self.buf = b''

    def take(self, n):
        """The next min(n, what is left) bytes."""
        n = min(n, self.left + len(self.buf))
        while len(self.buf) < n:
            piece = self.rng.randbytes(min(CHUNK, self.left))
            self.left -= len(piece)
            self.buf += piece
        got, self.buf = self.buf[:n], self.buf[n:]
        return got


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


class Checker:
    """Compares received bytes against an expected Stream as they arrive:
    sha256 of everything, and the offset of the first difference."""

    def __init__(self, stream):
        self.stream = stream
        self.sha = hashlib.sha256()
        self.n = 0
        self.bad = None  # (offset, expected bytes, received bytes)

    def feed(self, data):
        want = self.stream.take(len(data))
        if self.bad is None and want != data:
            i = first_diff(want, data)
            self.bad = (self.n + i, want[i:i + 16], bytes(data[i:i + 16]))
        self.sha.update(data)
        self.n += len(data)

    def mismatch(self):
        if self.bad is None:
            return ''
        off, want, got = self.bad
        return (f'first difference at byte {off}: expected {want.hex()} '
                f'received {got.hex()}')


def connect(host, port, timeout):
    s = socket.create_connection((host, port), timeout=timeout)
    s.settimeout(timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_to_eof(s, checker, what):
    """Read until the peer's FIN; a reset or a timeout is a failure."""
    buf = bytearray(256 * 1024)
    view = memoryview(buf)
    while True:
        try:
            n = s.recv_into(buf)
        except socket.timeout:
            raise Failure(f'{what}: no data or FIN for {s.gettimeout()} s '
                          f'after {checker.n} bytes received') from None
        except ConnectionResetError:
            raise Failure(f'{what}: connection reset after {checker.n} '
                          f'bytes received') from None
        if n == 0:
            return
        checker.feed(view[:n])


class Sender(threading.Thread):
    """Sends a Stream on a socket, hashing it; then optionally SHUT_WR."""

    def __init__(self, s, stream, shut_wr):
        super().__init__(daemon=True)
        self.s, self.stream, self.shut_wr = s, stream, shut_wr
        self.sha = hashlib.sha256()
        self.n = 0
        self.error = None

    def run(self):
        try:
            while True:
                data = self.stream.take(CHUNK)
                if not data:
                    break
                self.s.sendall(data)
                self.sha.update(data)
                self.n += len(data)
            if self.shut_wr:
                self.s.shutdown(socket.SHUT_WR)
        except OSError as e:
            self.error = f'send failed after {self.n} bytes: {e!r}'


def at_once(fn, count):
    """fn(0), ..., fn(count - 1), each in a thread of its own, all at the
    same time; returns once every one has."""
    threads = [threading.Thread(target=fn, args=(i,), daemon=True)
               for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def echo_stream(host, port, size, seed, timeout, what):
    """Send size bytes in one thread while reading the echo in this one;
    the client half-closes once everything is sent and reads to EOF."""
    s = connect(host, port, timeout)
    t0 = time.monotonic()
    sender = Sender(s, Stream(seed, size), shut_wr=True)
    checker = Checker(Stream(seed, size))
    sender.start()
    try:
        recv_to_eof(s, checker, what)
    finally:
        sender.join(timeout)
        s.close()
    elapsed = time.monotonic() - t0
    if sender.is_alive():
        raise Failure(f'{what}: sender still blocked after {sender.n} bytes')
    if sender.error:
        raise Failure(f'{what}: {sender.error}')
    if sender.n != size:
        raise Failure(f'{what}: sent {sender.n} bytes, meant {size}')
    if checker.n != size or checker.bad is not None or \
            checker.sha.digest() != sender.sha.digest():
        raise Failure(f'{what}: sent {sender.n} bytes sha256 '
                      f'{sender.sha.hexdigest()}, received {checker.n} '
                      f'bytes sha256 {checker.sha.hexdigest()} '
                      f'{checker.mismatch()}')
    return elapsed, sender.sha.hexdigest()


# ---- commands -------------------------------------------------------------

def cmd_http_sha(a):
    """sha256 of the body of GET /N."""
    h = hashlib.sha256()
    block = HTTP_ALPHABET * (MiB // 64)
    left = a.n
    while left >= len(block):  # every block starts at a multiple of 64
        h.update(block)
        left -= len(block)
    h.update(http_body(left))
    print(h.hexdigest())


def cmd_echo(a):
    """Bulk echo: size bytes up and down at once."""
    elapsed, sha = echo_stream(a.host, a.port, a.size, a.seed, a.timeout,
                               'echo')
    out(bytes=a.size, sha256=sha, seconds=f'{elapsed:.2f}',
        mbit_s=f'{a.size * 8 / elapsed / 1e6:.0f}')


def cmd_echo_ports(a):
    """Bulk echo on count ports at once (port, port + 1, ...): connection
    i sends size bytes of seed i up and reads them back, as echo does,
    all connections at the same time from one process."""
    errors = [None] * a.count

    def one(i):
        try:
            echo_stream(a.host, a.port + i, a.size, i, a.timeout,
                        f'echo to port {a.port + i}')
        except (Failure, OSError) as e:
            errors[i] = str(e)

    t0 = time.monotonic()
    at_once(one, a.count)
    bad = [e for e in errors if e is not None]
    if bad:
        raise Failure(f'{len(bad)} of {a.count} echoes failed: ' +
                      ' | '.join(bad))
    out(ports=a.count, bytes_each=a.size,
        seconds=f'{time.monotonic() - t0:.2f}')


def cmd_halfclose(a):
    """Send size bytes, SHUT_WR, read to EOF, in strictly that order: the
    echo must come back whole after the client's FIN, then dptcpd's FIN."""
    s = connect(a.host, a.port, a.timeout)
    stream = Stream(a.seed, a.size)
    sha_sent = hashlib.sha256()
    checker = Checker(Stream(a.seed, a.size))
    # Linux's buffers hold the echo of 1 MiB while the client does not
    # read; dptcpd's window would close only past them.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * MiB)
    try:
        while True:
            data = stream.take(CHUNK)
            if not data:
                break
            s.sendall(data)
            sha_sent.update(data)
        s.shutdown(socket.SHUT_WR)
        recv_to_eof(s, checker, 'half-close')
    except socket.timeout:
        raise Failure('half-close: send timed out') from None
    finally:
        s.close()
    if checker.n != a.size or checker.sha.digest() != sha_sent.digest():
        raise Failure(f'half-close: sent {a.size} bytes and FIN, received '
                      f'{checker.n} bytes before EOF, sha256 sent '
                      f'{sha_sent.hexdigest()} received '
                      f'{checker.sha.hexdigest()} {checker.mismatch()}')
    out(bytes=checker.n, sha256=sha_sent.hexdigest())


def chargen_expected(n):
    """RFC 864: the 95 printing characters 0x20..0x7e as a ring; line L is
    characters L .. L + 71 (mod 95), then CR LF."""
    ring = bytes(range(0x20, 0x7f)) * 2
    lines = [ring[L:L + 72] + b'\r\n' for L in range(95)]
    period = b''.join(lines)
    return (period * (n // len(period) + 1))[:n]


def cmd_chargen(a):
    """Read size bytes, check the pattern, SHUT_WR, drain to EOF (still
    checking): dptcpd must stop and close after the client's FIN."""
    s = connect(a.host, a.port, a.timeout)
    got = bytearray()
    try:
        while len(got) < a.size:
            d = s.recv(a.size - len(got))
            if not d:
                raise Failure(f'chargen: EOF after {len(got)} bytes')
            got += d
        s.shutdown(socket.SHUT_WR)
        while True:
            d = s.recv(256 * 1024)
            if not d:
                break
            got += d
    except socket.timeout:
        raise Failure(f'chargen: stalled after {len(got)} bytes (read '
                      f'{a.size}, then SHUT_WR, then no EOF)') from None
    except ConnectionResetError:
        raise Failure(f'chargen: reset after {len(got)} bytes') from None
    finally:
        s.close()
    want = chargen_expected(len(got))
    if got != want:
        i = first_diff(want, got)
        raise Failure(f'chargen: {len(got)} bytes, first difference at '
                      f'byte {i} (line {i // 74}, column {i % 74}): '
                      f'expected {want[i:i + 16]!r} received '
                      f'{bytes(got[i:i + 16])!r}')
    out(bytes=a.size, after_shutdown=len(got) - a.size,
        lines=len(got) // 74)


def cmd_discard(a):
    """Send size bytes; nothing may come back; after SHUT_WR, dptcpd's FIN
    (EOF, not a reset) must follow."""
    s = connect(a.host, a.port, a.timeout)
    stream = Stream(a.seed, a.size)
    sent = 0
    try:
        while True:
            data = stream.take(CHUNK)
            if not data:
                break
            s.sendall(data)
            sent += len(data)
        s.setblocking(False)
        try:
            early = s.recv(65536)
        except BlockingIOError:
            early = None
        if early is not None:
            raise Failure(f'discard: after sending {sent} bytes, received '
                          f'{len(early)} bytes {early[:16]!r} (or EOF if '
                          f'0) before closing')
        s.settimeout(a.timeout)
        s.shutdown(socket.SHUT_WR)
        rest = s.recv(65536)
        if rest:
            raise Failure(f'discard: received {len(rest)} bytes '
                          f'{rest[:16]!r} after SHUT_WR, expected EOF')
    except socket.timeout:
        raise Failure(f'discard: stalled, {sent} of {a.size} bytes sent, '
                      f'no EOF') from None
    except ConnectionResetError:
        raise Failure(f'discard: reset, {sent} of {a.size} bytes '
                      f'sent') from None
    finally:
        s.close()
    out(bytes=sent, received=0, eof=1)


def message(conn, rnd, size):
    """The size-byte message of connection conn, round rnd: its name, then
    pseudo-random bytes (SHA-256 of the name, cheap enough for 100,000)."""
    head = f'{conn:06d}:{rnd:04d}:'.encode()
    body = hashlib.sha256(head).digest()
    body *= size // len(body) + 1
    return (head + body)[:size]


async def many_one(a, i, failures, rtts):
    what = f'connection {i}'
    try:
        # One deadline per step (asyncio.timeout costs far less than a
        # wait_for task per read).
        t = time.monotonic()
        async with asyncio.timeout(a.timeout):
            r, w = await asyncio.open_connection(a.host, a.port)
        rtts['connect'].append(time.monotonic() - t)
        w.get_extra_info('socket').setsockopt(socket.IPPROTO_TCP,
                                              socket.TCP_NODELAY, 1)
        for rnd in range(a.rounds):
            what = f'connection {i} round {rnd}'
            msg = message(i, rnd, a.size)
            t = time.monotonic()
            async with asyncio.timeout(a.timeout):
                w.write(msg)
                got = await r.readexactly(a.size)
            rtts['echo'].append(time.monotonic() - t)
            if got != msg:
                j = first_diff(msg, got)
                raise Failure(f'sent {msg.hex()}, received {got.hex()} '
                              f'(first difference at byte {j})')
        what = f'connection {i} closing'
        w.close()
        async with asyncio.timeout(a.timeout):
            await w.wait_closed()
    except (Failure, OSError, asyncio.IncompleteReadError,
            asyncio.TimeoutError) as e:
        why = str(e) or f'nothing within {a.timeout} s'
        failures.append(f'{what}: {type(e).__name__}: {why}')


async def many_main(a):
    failures = []
    rtts = {'connect': [], 'echo': []}
    await asyncio.gather(*(many_one(a, i, failures, rtts)
                           for i in range(a.conns)))
    return failures, rtts


def quantiles_ms(xs):
    """Median, 99th percentile and maximum, in ms (a measurement: the
    client's own scheduling is in it)."""
    if not xs:
        return '-'
    xs = sorted(xs)
    q = [xs[len(xs) // 2], xs[len(xs) * 99 // 100], xs[-1]]
    return '/'.join(f'{x * 1000:.1f}' for x in q)


def cmd_many(a):
    """conns concurrent connections, each rounds round trips of size
    bytes, every response compared byte for byte."""
    # imported here, for the one command that uses it: a third of the
    # start-up of every other command (t_embed_life starts 64 at once)
    global asyncio
    import asyncio
    t0 = time.monotonic()
    failures, rtts = asyncio.run(many_main(a))
    elapsed = time.monotonic() - t0
    out(conns=a.conns, rounds=a.rounds, failures=len(failures),
        seconds=f'{elapsed:.2f}',
        round_trips_s=f'{a.conns * a.rounds / elapsed:.0f}',
        connect_ms_p50_p99_max=quantiles_ms(rtts['connect']),
        echo_ms_p50_p99_max=quantiles_ms(rtts['echo']))
    if failures:
        raise Failure(f'{len(failures)} of {a.conns} connections failed; '
                      f'first: ' + ' | '.join(failures[:5]))


def cmd_seq(a):
    """count sequential connections: connect, 1 byte there and back, the
    client closes first (FIN, after reading everything: no reset)."""
    failures = []
    t0 = time.monotonic()
    for i in range(a.count):
        b = bytes([i % 256])
        try:
            s = connect(a.host, a.port, a.timeout)
            try:
                s.sendall(b)
                got = s.recv(16)
                if got != b:
                    failures.append(f'connection {i}: sent {b!r}, '
                                    f'received {got!r}')
            finally:
                s.close()
        except OSError as e:
            failures.append(f'connection {i}: {e!r}')
        if len(failures) >= 5:
            break  # enough to diagnose; each may have waited a timeout
    elapsed = time.monotonic() - t0
    out(count=a.count, done=i + 1, failures=len(failures),
        seconds=f'{elapsed:.2f}', conns_s=f'{(i + 1) / elapsed:.0f}')
    if failures:
        raise Failure(f'{len(failures)} failed connections; first: ' +
                      ' | '.join(failures[:5]))


def cmd_stall(a):
    """conns connections to an echo service each send size bytes (a
    seeded stream per connection) but read nothing for stall seconds, so
    the server's memory fills; then they read, and every echo must come
    back byte-exact before the deadline."""
    socks = [connect(a.host, a.port, a.timeout) for _ in range(a.conns)]
    streams = [Stream(a.seed + i, a.size) for i in range(a.conns)]
    checkers = [Checker(Stream(a.seed + i, a.size)) for i in range(a.conns)]
    pending = [b''] * a.conns
    sent = [0] * a.conns
    for s in socks:
        s.setblocking(False)
    t0 = time.monotonic()
    deadline = t0 + a.stall + a.timeout
    while time.monotonic() < deadline:
        reading = time.monotonic() >= t0 + a.stall
        busy = False
        for i, s in enumerate(socks):
            if sent[i] < a.size:
                busy = True
                if not pending[i]:
                    pending[i] = streams[i].take(CHUNK)
                try:
                    n = s.send(pending[i])
                    pending[i] = pending[i][n:]
                    sent[i] += n
                    if sent[i] == a.size:
                        s.shutdown(socket.SHUT_WR)
                except BlockingIOError:
                    pass
            if reading and checkers[i].n < a.size:
                busy = True
                try:
                    data = s.recv(256 * 1024)
                    if not data:
                        raise Failure(f'connection {i}: FIN after '
                                      f'{checkers[i].n} of {a.size} bytes')
                    checkers[i].feed(data)
                except BlockingIOError:
                    pass
                except ConnectionError as e:
                    raise Failure(f'connection {i}: {e!r} after '
                                  f'{checkers[i].n} of {a.size} bytes')
        if not busy:
            break
        time.sleep(0.001)
    elapsed = time.monotonic() - t0
    bad = [f'connection {i}: {c.n} of {a.size} bytes back '
           f'{c.mismatch()}'.strip()
           for i, c in enumerate(checkers)
           if c.n != a.size or c.bad is not None]
    for s in socks:
        s.close()
    out(conns=a.conns, size=a.size, stall_s=a.stall,
        seconds=f'{elapsed:.2f}', failures=len(bad))
    if bad:
        raise Failure(f'{len(bad)} of {a.conns} connections incomplete '
                      f'or wrong; first: ' + ' | '.join(bad[:5]))


def hold_until(stopfile, socks):
    """Say 'holding', keep socks open until stopfile exists (at most
    120 s), then close them all (FIN)."""
    print('holding', flush=True)
    deadline = time.monotonic() + 120
    while not os.path.exists(stopfile) and time.monotonic() < deadline:
        time.sleep(0.05)
    for s in socks:
        s.close()
    out(closed=len(socks))


def cmd_hold(a):
    """count connections, each one echo round trip of 16 bytes, then held
    open until the file stopfile exists; then all are closed (FIN)."""
    socks = []
    for i in range(a.count):
        s = connect(a.host, a.port, a.timeout)
        msg = b'%016d' % i
        s.sendall(msg)
        got = b''
        while len(got) < len(msg):
            piece = s.recv(len(msg) - len(got))
            if not piece:
                raise Failure(f'connection {i}: FIN before the echo')
            got += piece
        if got != msg:
            raise Failure(f'connection {i}: sent {msg!r}, got {got!r}')
        socks.append(s)
    out(ports=','.join(str(s.getsockname()[1]) for s in socks))
    hold_until(a.stopfile, socks)


def echo_exact(s, size, seed, what):
    """size bytes up and their echo down at once on open socket s, checked
    by sha256; the connection stays open. Returns the sha256."""
    sender = Sender(s, Stream(seed, size), shut_wr=False)
    checker = Checker(Stream(seed, size))
    buf = bytearray(256 * 1024)
    view = memoryview(buf)
    sender.start()
    while checker.n < size:
        try:
            n = s.recv_into(buf, min(len(buf), size - checker.n))
        except socket.timeout:
            raise Failure(f'{what}: no data for {s.gettimeout()} s after '
                          f'{checker.n} bytes received') from None
        except ConnectionResetError:
            raise Failure(f'{what}: reset after {checker.n} bytes') from None
        if n == 0:
            raise Failure(f'{what}: FIN after {checker.n} bytes')
        checker.feed(view[:n])
    sender.join(s.gettimeout())
    if sender.error or sender.is_alive():
        raise Failure(f'{what}: {sender.error or "sender stuck"}')
    if checker.bad is not None or \
            checker.sha.digest() != sender.sha.digest():
        raise Failure(f'{what}: sent sha256 {sender.sha.hexdigest()}, '
                      f'received {checker.sha.hexdigest()} '
                      f'{checker.mismatch()}')
    return sender.sha.hexdigest()


def cmd_echohold(a):
    """count connections at once, each size bytes echoed both ways at the
    same time (sha256-checked), then held open until the file stopfile
    exists; then all are closed (FIN)."""
    socks = [connect(a.host, a.port, a.timeout) for _ in range(a.count)]
    errors = []
    shas = [None] * a.count

    def one(i):
        try:
            shas[i] = echo_exact(socks[i], a.size, i + 1, f'connection {i}')
        except (Failure, OSError) as e:
            errors.append(str(e))

    at_once(one, a.count)
    if errors:
        raise Failure('; '.join(errors))
    out(ports=','.join(str(s.getsockname()[1]) for s in socks),
        bytes_each_way=a.size * a.count, sha256s_match=len(shas))
    hold_until(a.stopfile, socks)


def cmd_slowget(a):
    """GET /size from the HTTP service (keep-alive, as curl), reading
    slowly (a 64 KiB receive buffer, 32 KiB every 50 ms: about 640 KiB/s;
    curl's --limit-rate lets bursts through), the body written to outfile
    as it comes; closes after Content-Length bytes."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.settimeout(a.timeout)
    s.connect((a.host, a.port))
    s.sendall(b'GET /%d HTTP/1.1\r\nHost: t\r\n\r\n' % a.size)
    buf = b''
    while b'\r\n\r\n' not in buf:
        piece = s.recv(4096)
        if not piece:
            raise Failure(f'FIN before the headers: {buf!r}')
        buf += piece
    head, body = buf.split(b'\r\n\r\n', 1)
    if not head.startswith(b'HTTP/1.1 200'):
        raise Failure(f'answer {head!r}')
    length = [int(h.split(b':')[1]) for h in head.split(b'\r\n')
              if h.lower().startswith(b'content-length:')]
    if length != [a.size]:
        raise Failure(f'Content-Length {length}, expected {a.size}')
    n = len(body)
    with open(a.outfile, 'wb', buffering=0) as f:
        f.write(body)
        while n < a.size:
            time.sleep(0.05)
            piece = s.recv(min(32768, a.size - n))
            if not piece:
                raise Failure(f'FIN after {n} of {a.size} body bytes')
            f.write(piece)
            n += len(piece)
    s.close()
    out(bytes=n)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--timeout', type=float, default=20,
                   help='seconds any one socket operation may take')
    sub = p.add_subparsers(dest='cmd', required=True)

    def cmd(name, fn, *args):
        c = sub.add_parser(name, help=fn.__doc__.split('\n')[0])
        for arg in args:
            c.add_argument(arg, type=str if arg in ('host', 'outfile',
                                                    'stopfile') else int)
        c.set_defaults(fn=fn)

    cmd('http-sha', cmd_http_sha, 'n')
    cmd('echo', cmd_echo, 'host', 'port', 'size', 'seed')
    cmd('echo-ports', cmd_echo_ports, 'host', 'port', 'count', 'size')
    cmd('halfclose', cmd_halfclose, 'host', 'port', 'size', 'seed')
    cmd('chargen', cmd_chargen, 'host', 'port', 'size')
    cmd('discard', cmd_discard, 'host', 'port', 'size', 'seed')
    cmd('many', cmd_many, 'host', 'port', 'conns', 'rounds', 'size')
    cmd('seq', cmd_seq, 'host', 'port', 'count')
    cmd('stall', cmd_stall, 'host', 'port', 'conns', 'size', 'seed', 'stall')
    cmd('slowget', cmd_slowget, 'host', 'port', 'size', 'outfile')
    cmd('hold', cmd_hold, 'host', 'port', 'count', 'stopfile')
    cmd('echohold', cmd_echohold, 'host', 'port', 'count', 'size',
        'stopfile')
    a = p.parse_args()
    try:
        a.fn(a)
    except Failure as e:
        print(f'FAIL: {e}', file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == '__main__':
    main()
