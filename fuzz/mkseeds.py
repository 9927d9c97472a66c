#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkseeds.py: (re)write the seed corpora in fuzz/corpus/ (committed).

Frames come from the unit tests' scapy-made vectors (tests/unit/vectors.h,
vectors6.h, test_steer.c) and from a small builder here with real checksums; the stack
targets' records follow fz_stack.h; the configurations are config/*.conf.
Run from anywhere: python3 fuzz/mkseeds.py
"""
import os
import re
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'fuzz', 'corpus')

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
# fz_stack.h SEG options bits
O_MSS, O_WS, O_SACKOK, O_TS, O_SACK, O_RAW = 1, 2, 4, 8, 0x10, 0x80


def c_arrays(path):
    """name -> bytes of every `static const uint8_t name[] = {...};`."""
    text = open(os.path.join(ROOT, path)).read()
    out = {}
    for m in re.finditer(r'static const uint8_t (\w+)\[\] = \{(.*?)\};',
                         text, re.S):
        body = re.sub(r'/\*.*?\*/', '', m.group(2), flags=re.S)
        vals = [int(v, 0) for v in body.replace('\n', ' ').split(',')
                if v.strip()]
        out[m.group(1)] = bytes(vals)
    return out


def frame(b, how=0, split=0):
    return bytes([0]) + struct.pack('<HBB', len(b), how, split) + b


def seg(slot, flags, dseq=0, dack=0, wnd=65535, opts=0, length=0, raw=b''):
    r = bytes([1]) + struct.pack('<BBhhHBH', slot, flags, dseq, dack, wnd,
                                 opts, length)
    if opts & O_RAW:
        r += bytes([len(raw)]) + raw
    return r


def tick(ms):
    return bytes([2]) + struct.pack('<H', ms)


def app(slot, action, arg=0):
    return bytes([3]) + struct.pack('<BBH', slot, action, arg)


def op_open(port):
    return bytes([4]) + struct.pack('<H', port)


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp_frame(sport, dport, seq, ack, flags, opts=b'', payload=b''):
    """Ether/IPv4/TCP peer (198.18.0.1) -> us (198.18.0.2), checksums set."""
    src, dst = bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2])
    opts += b'\x01' * (-len(opts) % 4)
    hl = 20 + len(opts)
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, (hl // 4) << 4,
                      flags, 65535, 0, 0) + opts + payload
    ph = src + dst + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(ph + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0x4000, 64,
                     6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    eth = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0])
    return eth + ip + tcp


LINUX_SYN_OPTS = (b'\x02\x04\x05\xb4'        # MSS 1460
                  b'\x04\x02'                # SACK permitted
                  b'\x08\x0a\x00\x00\x00\x64\x00\x00\x00\x00'  # TS 100
                  b'\x01\x03\x03\x07')       # NOP, window scale 7


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def frame_seeds():
    v = c_arrays('tests/unit/vectors.h')
    v.update(c_arrays('tests/unit/test_steer.c'))
    for name, b in v.items():
        if name.endswith('_expected') or 'from_us' in name or \
           name == 'ms_key':
            continue
        write('frame', 'vec_' + name, frame(b, how=3 if name == 'tcp_syn'
                                            else 0))
    # IPv6 (the stack is 2001:2::1 too): frames as they are, bare packets
    # behind an Ethernet header to us
    eth6 = bytes.fromhex('020000000002' '020000000001' '86dd')
    for name, b in c_arrays('tests/unit/vectors6.h').items():
        if name.endswith('_expected'):
            continue
        write('frame', 'vec6_' + name,
              frame(b if b[12:14] == b'\x86\xdd' else eth6 + b))
    # UDP to fz_stack's sockets: udp_dgram (to port 53, closed) to echo's
    # port 7 and to port 9, without a checksum (0: none, over IPv4), and
    # three of them to port 9, whose queue of 4 then has one place left
    d = bytearray(v['udp_dgram'])
    d[40:42] = b'\0\0'
    for port in (7, 9):
        d[36:38] = struct.pack('!H', port)
        write('frame', 'udp_to_port_%d' % port, frame(bytes(d)))
    write('frame', 'udp_three_to_port_9', frame(bytes(d)) * 3)
    # fuzz_frame.c's slots: 0 CLOSED, 1 LISTEN, 2 SYN-SENT, 3 SYN-RECEIVED,
    # 4 ESTABLISHED, 5 ESTABLISHED without options, 6 ESTABLISHED with
    # data in flight, 7 FIN-WAIT-1, 8 FIN-WAIT-2, 9 CLOSE-WAIT, 10 CLOSING,
    # 11 LAST-ACK, 12 TIME-WAIT, 13 SYN-RECEIVED without options,
    # 14 TIME-WAIT without options
    no_opts = {0, 1, 2, 5, 13, 14}
    ts = lambda s: 0 if s in no_opts else O_TS
    write('frame', 'data_to_every_state',
          b''.join(seg(s, PSH | ACK, opts=ts(s), length=100)
                   for s in range(15)))
    write('frame', 'fin_to_every_state',
          b''.join(seg(s, FIN | ACK, opts=ts(s)) for s in range(15)))
    write('frame', 'rst_to_every_state',
          b''.join(seg(s, RST) for s in range(15)))
    write('frame', 'syn_to_every_state',
          b''.join(seg(s, SYN, opts=O_MSS | O_WS | O_SACKOK | O_TS)
                   for s in range(15)))
    write('frame', 'raw_syn_linux_options_then_ack',
          frame(tcp_frame(41000, 80, 7000, 0, SYN, LINUX_SYN_OPTS)) +
          frame(tcp_frame(41000, 80, 7001, 0, ACK)))
    write('frame', 'synsent_gets_synack',
          seg(2, SYN | ACK, opts=O_MSS | O_WS | O_SACKOK | O_TS) +
          seg(2, ACK, opts=O_TS, length=10))
    write('frame', 'inflight_sack_and_loss',
          seg(6, ACK, dack=-8192, opts=O_TS | O_SACK | (1 << 5)) +
          seg(6, ACK, dack=-8192, opts=O_TS | O_SACK | (2 << 5)) +
          seg(6, ACK, dack=-8192, opts=O_TS | O_SACK | (3 << 5)) +
          tick(300) + seg(6, ACK, opts=O_TS))
    write('frame', 'out_of_order_then_fill',
          seg(4, ACK, dseq=1000, opts=O_TS, length=500) +
          seg(4, ACK, dseq=2000, opts=O_TS, length=500) +
          seg(4, PSH | ACK, opts=O_TS, length=1000))
    write('frame', 'timers_run_out',
          tick(200) + tick(1000) + tick(5000) + tick(60000) + tick(65535))
    write('frame', 'app_writes_and_peer_acks',
          app(4, 1, 20000) + seg(4, ACK, opts=O_TS) + tick(50) +
          seg(4, ACK, opts=O_TS) + app(4, 3))
    write('frame', 'zero_window_then_open',
          app(5, 1, 30000) + seg(5, ACK, wnd=0) + tick(2000) +
          seg(5, ACK, wnd=65535))
    write('frame', 'active_open_completes',
          op_open(9000) + seg(15, SYN | ACK, opts=O_MSS | O_TS) +
          app(15, 1, 3000) + seg(15, ACK, opts=O_TS))
    write('frame', 'raw_options',
          seg(4, ACK, opts=O_RAW, raw=b'\x01\x01\x08\x0a\x00\x00\x01\x00'
              b'\x00\x00\x00\x00\x05\x0a\x00\x00\x00\x01\x00\x00\x00\x02'))
    write('frame', 'checksum_vouched_by_pmd',
          frame(tcp_frame(40004, 80, 0, 0, ACK | PSH, payload=b'x' * 20)[:-2],
                how=3))
    write('frame', 'split_headers',
          frame(tcp_frame(41001, 80, 1, 0, SYN, LINUX_SYN_OPTS), how=4,
                split=20))


def tcp_seeds():
    for state in range(11):
        for opt in (0, 0x10):
            o = O_TS if opt else 0
            first = bytes([state | opt])
            write('tcp', 'state%d%s_exchange' % (state, '_opts' if opt else ''),
                  first + seg(0, PSH | ACK, opts=o, length=200) +
                  seg(0, ACK, opts=o) + tick(100) +
                  seg(0, FIN | ACK, opts=o) + tick(1000))
            write('tcp', 'state%d%s_syn_rst' % (state, '_opts' if opt else ''),
                  first + seg(0, SYN, opts=o | O_MSS) + seg(0, RST) +
                  seg(0, RST | ACK, dseq=10))
    write('tcp', 'established_inflight_sack',
          bytes([4 | 0x10 | 0x20]) +
          seg(0, ACK, dack=-8192 + 1448, opts=O_TS | O_SACK | (1 << 5)) +
          seg(0, ACK, dack=-8192 + 1448, opts=O_TS | O_SACK | (1 << 5)) +
          seg(0, ACK, dack=-8192 + 1448, opts=O_TS | O_SACK | (1 << 5)) +
          tick(250) + seg(0, ACK, opts=O_TS))
    write('tcp', 'established_timers',
          bytes([4 | 0x20]) + tick(1000) + tick(3000) + tick(60000))
    write('tcp', 'timewait_reused_by_syn',
          bytes([10 | 0x10]) + seg(0, SYN, dseq=30000,
                                   opts=O_MSS | O_WS | O_SACKOK | O_TS))


def conf_seeds():
    for name in ('dptcpd.conf', 'dptcp-gen.conf'):
        write('conf', name, open(os.path.join(ROOT, 'config', name),
                                 'rb').read())
    write('conf', 'small_with_sets',
          b'[port0]\ndevice = net_tap0,iface=dpt0\n'
          b'address = 198.18.0.2/24\n[service.web]\ntype = http\nport = 80\n'
          b'\0tcp.msl=1s\0service.web.body=1K\0eal.no-huge=yes')
    write('conf', 'errors', b'[tcp]\nmax_conns = 1000000000\n')
    write('conf', 'impair', b'[port0]\ndevice = x\naddress = 198.18.0.2/24\n'
          b'addresses = 4\ngateway = 198.18.0.1\n[impair]\nrx_drop = 0.5\n'
          b'tx_delay = 10ms\n[lcores]\nworkers = 1,3-4\n')


def http_seeds():
    reqs = {
        'get': b'GET /100 HTTP/1.1\r\nHost: x\r\n\r\n',
        'head_close': b'HEAD /5 HTTP/1.1\r\nConnection: close\r\n\r\n',
        'http10_keepalive': b'GET /7 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
        'pipelined': b'GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n',
        'post_body': b'POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello',
        'get_root': b'GET / HTTP/1.1\r\n\r\n',
        'not_found': b'GET /abc HTTP/1.1\r\n\r\n',
        'bad': b'GARBAGE\r\n\r\n',
        'incomplete': b'GET /100 HTTP/1.1\r\nHost:',
    }
    for name, r in reqs.items():
        write('http', name, bytes([0]) + r)
    write('http', 'get_root_with_body', bytes([4]) + reqs['get_root'])
    write('http', 'head_too_large', bytes([1]) + b'GET /1 HTTP/1.1\r\n' +
          b'X-Long: ' + b'a' * 80 + b'\r\n\r\n')


def telemetry_seeds():
    for name, b in {
        'stats': b'\0', 'stats_lcore': b'\x001', 'stats_bad': b'\x00x',
        'conns': b'\x01', 'conns_state': b'\x01ESTABLISHED',
        'conns_state_offset': b'\x01time-wait,100',
        'conns_offset_state': b'\x01250,SYN-SENT', 'conns_bad': b'\x01NOPE',
    }.items():
        write('telemetry', name, b)


def main():
    frame_seeds()
    tcp_seeds()
    conf_seeds()
    http_seeds()
    telemetry_seeds()
    return 0


if __name__ == '__main__':
    sys.exit(main())
