#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""HTTP/1.1 pipelining check: all requests in one write, then every
response read back in order and compared byte for byte with the file it
should carry.

    pipeline.py HOST PORT PATH=FILE...

The last request says "Connection: close". Prints one line per response
and "pipelined N requests in one write: all match"; exits 1 on the first
mismatch.
"""

import socket
import sys


def main():
    host, port, pairs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    wants = [p.split('=', 1) for p in pairs]
    req = b''
    for i, (path, _) in enumerate(wants):
        last = i == len(wants) - 1
        req += ('GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n' % (
            path, host, 'Connection: close\r\n' if last else '')).encode()
    s = socket.create_connection((host, port), timeout=30)
    s.sendall(req)                      # one write: the requests pipelined
    buf = b''
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        buf += b
    s.close()
    pos = 0
    for path, fname in wants:
        end = buf.find(b'\r\n\r\n', pos)
        if end < 0:
            sys.exit('%s: no complete response head (at byte %d of %d)'
                     % (path, pos, len(buf)))
        head = buf[pos:end].decode('latin-1').split('\r\n')
        status = head[0].split()
        length = None
        for h in head[1:]:
            k, _, v = h.partition(':')
            if k.strip().lower() == 'content-length':
                length = int(v.strip())
        if len(status) < 2 or status[1] != '200' or length is None:
            sys.exit('%s: response %r, Content-Length %s'
                     % (path, head[0], length))
        body = buf[end + 4:end + 4 + length]
        with open(fname, 'rb') as f:
            want = f.read()
        if body != want:
            sys.exit('%s: body of %d bytes differs from %s (%d bytes)'
                     % (path, len(body), fname, len(want)))
        print('%s: 200, %d bytes, byte-exact' % (path, length))
        pos = end + 4 + length
    if pos != len(buf):
        sys.exit('%d bytes after the last response' % (len(buf) - pos))
    print('pipelined %d requests in one write: all match' % len(wants))


if __name__ == '__main__':
    main()
