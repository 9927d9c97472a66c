#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""IPv4 fragments towards dptcpd, for the integration tests.

Run inside the test's namespace with /usr/bin/python3. The Linux stack
never fragments a TCP segment (it sets DF and uses path MTU discovery), so
this script speaks TCP itself, with scapy, from an address Linux does not
own (it answers dptcpd's ARP requests for it with a made-up MAC; Linux
drops dptcpd's answers to that MAC and address without a RST).

  tcp IFACE DPT_IP PORT CONNS   CONNS connections in turn, each from its
      own port, to an echo service: a 3000-byte segment sent as three
      fragments, last first; the echo must come back byte for byte; then
      FIN both ways. Prints "connections=N bytes=B".
  flood IFACE DPT_MAC DPT_IP SECONDS   fragments that never complete
      (first and middle fragments of 1480 bytes, every identification in
      turn) as fast as one raw socket sends them. Prints "frames=N pps=R".

Exit status 0 on success, 1 after a "FAIL: ..." line on stderr.
"""
import os
import random
import select
import socket
import struct
import sys
import time

# the modules needed, not scapy.all (seconds to import every layer)
from scapy.arch import get_if_hwaddr
from scapy.config import conf
from scapy.layers.inet import IP, TCP, fragment
from scapy.layers.l2 import ARP, Ether

conf.verb = 0
OUR_IP = '198.18.0.77'        # on the test link, not Linux's
OUR_MAC = '02:00:c6:12:00:4d'
DEADLINE = 10                 # seconds for any one exchange


def fail(msg):
    print('FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


class Link:
    """An L2 socket on IFACE that answers ARP for OUR_IP as it reads."""

    def __init__(self, iface):
        self.s = conf.L2socket(iface=iface)
        self.dpt_mac = None

    def send(self, frame):
        self.s.send(frame)

    def arp(self, p):
        if p[ARP].op == 1 and p[ARP].pdst == OUR_IP:
            self.send(Ether(dst=p.src, src=OUR_MAC) /
                      ARP(op=2, hwsrc=OUR_MAC, psrc=OUR_IP,
                          hwdst=p[ARP].hwsrc, pdst=p[ARP].psrc))

    def recv_tcp(self, dpt_ip, sport, timeout=DEADLINE):
        """The next TCP segment from dpt_ip to us at sport (ARP answered
        meanwhile), or None."""
        end = time.time() + timeout
        while time.time() < end:
            ready, _, _ = select.select([self.s], [], [],
                                        max(end - time.time(), 0))
            if not ready:
                break
            p = self.s.recv()
            if p is None:
                continue
            if ARP in p:
                self.arp(p)
                continue
            if (IP in p and TCP in p and p[IP].src == dpt_ip and
                    p[IP].dst == OUR_IP and p[TCP].dport == sport):
                self.dpt_mac = p.src
                return p
        return None


def tcp_echo(link, dpt_ip, port, sport, size):
    """One connection: handshake, SIZE bytes in three fragments, the echo
    back, FIN both ways. Returns the bytes echoed."""
    isn = random.randrange(1 << 32)
    ip = IP(src=OUR_IP, dst=dpt_ip)
    # dptcpd's ARP request for us comes after our SYN reaches it: send
    # the SYN to the broadcast MAC, dptcpd takes any frame for its IP
    link.send(Ether(dst='ff:ff:ff:ff:ff:ff', src=OUR_MAC) / ip /
              TCP(sport=sport, dport=port, flags='S', seq=isn,
                  options=[('MSS', 1460)]))
    p = link.recv_tcp(dpt_ip, sport)
    if p is None or p[TCP].flags != 'SA' or p[TCP].ack != isn + 1:
        fail(f'port {sport}: no SYN-ACK ({p!r})')
    eth = Ether(dst=link.dpt_mac, src=OUR_MAC)
    rcv = p[TCP].seq + 1
    snd = isn + 1
    link.send(eth / ip / TCP(sport=sport, dport=port, flags='A', seq=snd,
                             ack=rcv))
    data = os.urandom(size)
    seg = IP(src=OUR_IP, dst=dpt_ip, id=random.randrange(1 << 16)) / \
        TCP(sport=sport, dport=port, flags='PA', seq=snd, ack=rcv) / data
    frags = fragment(seg, fragsize=1024)
    if len(frags) != 3:
        fail(f'{len(frags)} fragments')
    for f in reversed(frags):
        link.send(eth / f)
    snd += size
    got = {}
    while rcv - (p[TCP].seq + 1) < size:
        q = link.recv_tcp(dpt_ip, sport)
        if q is None:
            fail(f'port {sport}: echo stopped at {len(b"".join(got.values()))}'
                 f' of {size} bytes')
        n = len(q[TCP].payload)
        if n and q[TCP].seq == rcv:
            got[rcv] = bytes(q[TCP].payload)
            rcv += n
            link.send(eth / ip / TCP(sport=sport, dport=port, flags='A',
                                     seq=snd, ack=rcv))
    echoed = b''.join(got[k] for k in sorted(got))
    if echoed != data:
        fail(f'port {sport}: the echo differs from what was sent')
    # FIN, the echo service's FIN, the last ACK
    link.send(eth / ip / TCP(sport=sport, dport=port, flags='FA', seq=snd,
                             ack=rcv))
    while True:
        q = link.recv_tcp(dpt_ip, sport)
        if q is None:
            fail(f'port {sport}: no FIN from dptcpd')
        if q[TCP].flags.F:
            break
    link.send(eth / ip / TCP(sport=sport, dport=port, flags='A',
                             seq=snd + 1, ack=q[TCP].seq + 1))
    return len(echoed)


def cmd_tcp(args):
    iface, dpt_ip, port, conns = args[0], args[1], int(args[2]), int(args[3])
    link = Link(iface)
    total = 0
    for i in range(conns):
        total += tcp_echo(link, dpt_ip, port, 41000 + i, 3000)
    print(f'connections={conns} bytes={total}')


def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def cmd_flood(args):
    iface, dpt_mac, dpt_ip, seconds = args[0], args[1], args[2], \
        float(args[3])
    src_mac = get_if_hwaddr(iface)
    peer_ip = socket.inet_aton(
        os.popen(f'ip -4 -o addr show dev {iface}').read().split()[3]
        .split('/')[0])
    eth = bytes.fromhex(dpt_mac.replace(':', '')) + \
        bytes.fromhex(src_mac.replace(':', '')) + b'\x08\x00'
    payload = bytes(1480)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    frames = []
    # 4096 prepared frames: identifications 0..2047, each a first
    # fragment (ICMP echo header whole) or a middle one, never a last
    for i in range(4096):
        ident, off = i // 2, (0 if i % 2 == 0 else 185) | 0x2000
        hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + 1480, ident, off,
                          64, 1, 0, peer_ip, socket.inet_aton(dpt_ip))
        hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
        body = (b'\x08\x00\x00\x00\x00\x01\x00\x01' + payload[8:]
                if off & 0x1fff == 0 else payload)
        frames.append(eth + hdr + body)
    n, start = 0, time.time()
    end = start + seconds
    while time.time() < end:
        for f in frames[n % 4096:n % 4096 + 256]:
            try:
                s.send(f)
            except OSError:  # the tap's queue is full: dptcpd is behind
                pass
            n += 1
    el = time.time() - start
    print(f'frames={n} pps={int(n / el)}')


def main():
    cmds = {'tcp': cmd_tcp, 'flood': cmd_flood}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        fail(__doc__)
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == '__main__':
    main()
