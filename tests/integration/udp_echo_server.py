#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A Linux UDP echo server (RFC 862 over UDP) for the integration tests
and bench/run's udp-rr.

Usage: udp_echo_server.py PORT [ADDR]

Answers each datagram with its data, to its sender. Prints "listening"
once it is; on SIGTERM prints "received N datagrams (B bytes), echoed M"
and exits 0, so a test can check the generator's counts against the
kernel side's.
"""
import signal
import socket
import sys

received = nbytes = echoed = 0


def stop(signum, frame):
    print("received %d datagrams (%d bytes), echoed %d"
          % (received, nbytes, echoed), flush=True)
    sys.exit(0)


def main():
    global received, nbytes, echoed
    port = int(sys.argv[1])
    addr = sys.argv[2] if len(sys.argv) > 2 else ''
    s = socket.socket(socket.AF_INET6 if ':' in addr else socket.AF_INET,
                      socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind((addr, port))
    signal.signal(signal.SIGTERM, stop)
    print("listening", flush=True)
    while True:
        data, peer = s.recvfrom(65535)
        received += 1
        nbytes += len(data)
        s.sendto(data, peer)
        echoed += 1


if __name__ == '__main__':
    main()
