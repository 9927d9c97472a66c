#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""UDP clients for t_udp.sh, from Linux's side.

  udpclient.py echo ADDR PORT SOCKETS SIZE...
      each of SOCKETS sockets (its own source port) sends one datagram of
      each SIZE (a pattern that differs per socket and size) and must get
      it back byte for byte within 2 s (sent again once if lost); prints
      one line per socket.
  udpclient.py discard ADDR PORT COUNT SIZE
      COUNT datagrams of SIZE; nothing may come back within 0.5 s.
  udpclient.py refused ADDR PORT
      a connected socket's datagram to a closed port: its next recv must
      fail with ECONNREFUSED (Linux got the ICMP port unreachable).
"""
import errno
import socket
import sys


def family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def pattern(sock_i, size):
    return bytes((sock_i * 31 + size + i * 7) & 0xff for i in range(size))


def echo(addr, port, n_socks, sizes):
    socks = [socket.socket(family(addr), socket.SOCK_DGRAM)
             for _ in range(n_socks)]
    for i, s in enumerate(socks):
        s.settimeout(2)
        for size in sizes:
            want = pattern(i, size)
            for attempt in range(2):
                s.sendto(want, (addr, port))
                try:
                    got, frm = s.recvfrom(65535)
                except socket.timeout:
                    if attempt == 1:
                        sys.exit('socket %d: no echo of %d bytes in 2 s x2'
                                 % (i, size))
                    continue
                if got != want:
                    sys.exit('socket %d: %d bytes sent, %d different ones '
                             'back' % (i, size, len(got)))
                if frm[1] != port:
                    sys.exit('socket %d: echo from port %d' % (i, frm[1]))
                break
        print('socket %d (port %d): %s bytes echoed byte for byte'
              % (i, s.getsockname()[1], ', '.join(map(str, sizes))))


def discard(addr, port, count, size):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.connect((addr, port))
    for i in range(count):
        s.send(pattern(i, size))
    s.settimeout(0.5)
    try:
        got = s.recv(65535)
        sys.exit('discard answered %d bytes' % len(got))
    except socket.timeout:
        pass
    print('discard: %d datagrams of %d bytes, nothing back' % (count, size))


def refused(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.connect((addr, port))
    s.settimeout(2)
    s.send(b'anyone?')
    try:
        s.recv(100)
    except ConnectionRefusedError:
        print('port %d: ECONNREFUSED (port unreachable came back)' % port)
        return
    except socket.timeout:
        sys.exit('port %d: no port unreachable in 2 s' % port)
    sys.exit('port %d: a closed port answered' % port)


def main():
    cmd, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == 'echo':
        echo(addr, port, int(sys.argv[4]), [int(x) for x in sys.argv[5:]])
    elif cmd == 'discard':
        discard(addr, port, int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == 'refused':
        refused(addr, port)
    else:
        sys.exit('unknown command ' + cmd)


if __name__ == '__main__':
    main()
