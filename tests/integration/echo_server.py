#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A Linux echo server (RFC 862 over TCP) for the integration tests.

Usage: echo_server.py PORT [-6]

Listens on every address of its namespace (its IPv6 ones with -6), echoes each connection's bytes
back until the client half-closes, then half-closes too and prints one
line "echoed N bytes from ADDR:PORT", so a test can check what the kernel
side saw independently of the client. Prints "listening" once it is.
"""
import socket
import sys
import threading


def serve(conn, peer):
    total = 0
    with conn:
        while True:
            data = conn.recv(1 << 16)
            if not data:
                break
            conn.sendall(data)
            total += len(data)
        conn.shutdown(socket.SHUT_WR)
    print("echoed %d bytes from %s:%d" % (total, peer[0], peer[1]),
          flush=True)


def main():
    v6 = sys.argv[2:3] == ["-6"]
    srv = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET,
                        socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("::" if v6 else "0.0.0.0", int(sys.argv[1])))
    srv.listen(128)
    print("listening", flush=True)
    while True:
        conn, peer = srv.accept()
        threading.Thread(target=serve, args=(conn, peer),
                         daemon=True).start()


if __name__ == "__main__":
    main()
