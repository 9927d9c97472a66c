#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hostile TCP clients for the integration tests: the memory attacks of a
remote peer that dptcpd must survive.

Run inside the test's namespace with /usr/bin/python3; standard library
only. Each command opens its connections, prints "attacking" once they are
up, keeps up the attack until the file STOPFILE exists (or 120 s pass),
then closes everything and prints "key=value" results. It exits 0; a
connection the server refuses or closes is counted, not an error (that is
what the server is supposed to do to some of them).

usage: attack.py COMMAND ARGS   (attack.py -h lists the commands)
"""
import argparse
import os
import resource
import select
import socket
import sys
import time


def out(**kw):
    for k, v in kw.items():
        print(f'{k}={v}', flush=True)


def stopped(a):
    return os.path.exists(a.stopfile) or time.monotonic() > a.deadline


def open_conns(a, n, rcvbuf=None, sndbuf=None):
    """n connected non-blocking sockets (connect errors counted)."""
    socks, failed = [], 0
    for _ in range(n):
        s = socket.socket()
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if sndbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
        s.settimeout(10)
        try:
            s.connect((a.host, a.port))
        except OSError:
            failed += 1
            s.close()
            continue
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        socks.append(s)
    return socks, failed


def send_some(s, data):
    """Bytes sent, 0 if the socket buffer is full, -1 if the server
    closed or reset the connection."""
    try:
        return s.send(data)
    except BlockingIOError:
        return 0
    except OSError:
        return -1


def cmd_tiny(a):
    """CONNS connections each send BURST 1-byte writes every millisecond
    and never read (Nagle off, small receive buffers, a send buffer large
    enough for thousands of 1-byte segments; the caller turns the kernel's
    autocorking off, or it would merge them): each segment is one byte."""
    socks, failed = open_conns(a, a.conns, rcvbuf=4096, sndbuf=4 << 20)
    print('attacking', flush=True)
    sent = 0
    while not stopped(a) and socks:
        for s in list(socks):
            for _ in range(a.burst):
                n = send_some(s, b'x')
                if n <= 0:
                    break
                sent += n
            if n < 0:
                socks.remove(s)
        time.sleep(0.001)
    for s in socks:
        s.close()
    out(connected=a.conns - failed, still_open=len(socks), bytes_sent=sent)


def cmd_noread(a):
    """CONNS connections each GET /SIZE and never read a byte of it (a
    4 KiB receive buffer): the server's window is shut forever."""
    socks, failed = open_conns(a, a.conns, rcvbuf=4096)
    for s in socks:
        send_some(s, b'GET /%d HTTP/1.1\r\nHost: t\r\n\r\n' % a.size)
    print('attacking', flush=True)
    while not stopped(a):
        time.sleep(0.05)
    alive = 0
    for s in socks:
        try:  # reset by the server: the attack was ended for it
            s.getpeername()
            s.send(b'')
            alive += 1
        except OSError:
            pass
        s.close()
    out(connected=a.conns - failed, alive_at_end=alive)


def answers(poll, by_fd, ms):
    """The connections among by_fd that ended (a 408 and FIN, or a
    reset) by @p ms milliseconds: taken out and closed. Returns (how
    many, how many of them were answered 408)."""
    closed = got408 = 0
    for fd, _ in poll.poll(ms):
        s = by_fd.pop(fd, None)
        if s is None:
            continue
        try:
            d = s.recv(4096)
        except OSError:
            d = b''
        got408 += d.startswith(b'HTTP/1.1 408')
        poll.unregister(fd)
        s.close()
        closed += 1
    return closed, got408


def cmd_slowloris(a):
    """CONNS connections each send the start of a request head, then one
    more byte of it every INTERVAL ms, never finishing it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    socks, failed = open_conns(a, a.conns)
    for s in socks:
        send_some(s, b'GET / HTTP/1.1\r\nHost: t\r\n')
    print('attacking', flush=True)
    closed, got408, drip = 0, 0, b'X-Slow: ' + b'a' * 4000
    pos = 0
    poll = select.poll()
    by_fd = {s.fileno(): s for s in socks}
    for fd in by_fd:
        poll.register(fd, select.POLLIN)
    while not stopped(a) and by_fd:
        t = time.monotonic()
        for fd, s in list(by_fd.items()):
            if send_some(s, drip[pos % len(drip):][:1]) < 0:
                poll.unregister(fd)
                del by_fd[fd]
                s.close()
                closed += 1
        pos += 1
        n, k = answers(poll, by_fd, 0)
        closed, got408 = closed + n, got408 + k
        time.sleep(max(0.0, a.interval / 1000 - (time.monotonic() - t)))
    # what dptcpd closed since the last look (the loop looks once an
    # interval): up to 2 s more, until a look finds nothing
    end = time.monotonic() + 2
    while by_fd and time.monotonic() < end:
        n, k = answers(poll, by_fd, 100)
        closed, got408 = closed + n, got408 + k
        if n == 0:
            break
    socks = list(by_fd.values())
    for s in socks:
        s.close()
    out(connected=a.conns - failed, closed_by_server=closed,
        answered_408=got408, still_open=len(socks))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)

    def cmd(name, fn, *args):
        c = sub.add_parser(name, help=fn.__doc__.split('\n')[0])
        c.add_argument('host')
        c.add_argument('port', type=int)
        for arg in args:
            c.add_argument(arg, type=int)
        c.add_argument('stopfile')
        c.set_defaults(fn=fn)

    cmd('tiny', cmd_tiny, 'conns', 'burst')
    cmd('noread', cmd_noread, 'conns', 'size')
    cmd('slowloris', cmd_slowloris, 'conns', 'interval')
    a = p.parse_args()
    a.deadline = time.monotonic() + 120
    a.fn(a)


if __name__ == '__main__':
    sys.exit(main())
