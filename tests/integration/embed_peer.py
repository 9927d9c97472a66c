#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The Linux peers of t_embed_semantics: one listener per behaviour, on
the address given, each connection served by its own thread.

  7001  accept, close at once (the client's recv returns 0)
  7002  accept, send b'late' 200 ms later, then read until EOF
  7003  accept, read nothing for 1 s, then read until EOF (send buffers)
  7005  accept, reset 100 ms later (SO_LINGER 0 close)
  7006  read until EOF, answer b'eof N' (the bytes read), close: what a
        shutdown of the client looks like from Linux
  7007  echo; a line b'FIN' half-closes, a line b'RST' resets
  7008  accept, read nothing for 1 s (4 KiB buffer), then read until EOF,
        print '7008: eof after N bytes' (SO_LINGER's wait)
  7009  accept, never read (4 KiB buffer), close after 8 s (SO_LINGER's
        time)
  7010  accept, answer b'wscale N\n': the window scale the client's SYN
        offered, as Linux took it (TCP_INFO's tcpi_snd_wscale); then a
        line b'back PORT' connects to dptcpd's address (the second one
        given) at PORT and answers b'wscale N\n' for its SYN-ACK
Port 7004 is left closed (ECONNREFUSED). With a second address (dptcpd's)
it also connects to that address's port 7100 until it is accepted once,
reads until EOF and closes (the client closes first: its TIME-WAIT).
Prints 'listening' when ready.
"""
import socket
import struct
import sys
import threading
import time


def eof_read(c):
    n = 0
    while True:
        d = c.recv(65536)
        if not d:
            return n
        n += len(d)


def reset(c):
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    c.close()


def snd_wscale(c):
    # struct tcp_info: byte 6 is tcpi_snd_wscale:4 (low), tcpi_rcv_wscale:4
    return c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)[6] & 0xf


def wscales(c):
    c.sendall(b'wscale %d\n' % snd_wscale(c))
    line = b''
    while not line.endswith(b'\n'):
        d = c.recv(64)
        if not d:
            return c.close()
        line += d
    port = int(line.split()[1])
    b = socket.create_connection((sys.argv[2], port), timeout=5)
    c.sendall(b'wscale %d\n' % snd_wscale(b))
    eof_read(c)
    b.close()
    c.close()


def serve(port, c):
    try:
        if port == 7010:
            return wscales(c)
        if port == 7001:
            c.close()
        elif port == 7002:
            time.sleep(0.2)
            c.sendall(b'late')
            eof_read(c)
            c.close()
        elif port == 7003:
            time.sleep(1.0)
            eof_read(c)
            c.close()
        elif port == 7005:
            time.sleep(0.1)
            reset(c)
        elif port == 7006:
            n = eof_read(c)
            print('7006: eof after %d bytes' % n, flush=True)
            c.sendall(b'eof %d' % n)
            c.close()
        elif port == 7008:
            time.sleep(1.0)
            n = eof_read(c)
            print('7008: eof after %d bytes' % n, flush=True)
            c.close()
        elif port == 7009:
            time.sleep(8.0)
            c.close()
        elif port == 7007:
            while True:
                d = c.recv(65536)
                if not d:
                    c.close()
                    return
                if d.strip() == b'FIN':
                    c.shutdown(socket.SHUT_WR)
                elif d.strip() == b'RST':
                    return reset(c)
                else:
                    c.sendall(d)
    except OSError:
        c.close()


def listen(host, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if port in (7003, 7008, 7009):  # small: the client's data waits
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind((host, port))
    s.listen(64)
    return s


def accept_loop(port, s):
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(port, c), daemon=True).start()


def connect_once(host):
    while True:
        try:
            c = socket.create_connection((host, 7100), timeout=5)
        except OSError:
            time.sleep(0.1)
            continue
        eof_read(c)
        c.close()
        return


if len(sys.argv) > 2:
    threading.Thread(target=connect_once, args=(sys.argv[2],),
                     daemon=True).start()
# every port listens before 'listening' is printed (no sleep to guess it)
for p in (7001, 7002, 7003, 7005, 7006, 7007, 7008, 7009, 7010):
    threading.Thread(target=accept_loop, args=(p, listen(sys.argv[1], p)),
                     daemon=True).start()
print('listening', flush=True)
while True:
    time.sleep(3600)
