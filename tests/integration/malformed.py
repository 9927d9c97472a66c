#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send a burst of malformed, fragmented and bad-checksum frames to dptcpd.

Run inside the test's namespace: frames leave the Linux side of the tap and
reach dptcpd. Each kind of frame maps to the one counter dptcpd must bump for
it; the script prints "counter expected" lines for the test to check.

usage: malformed.py IFACE DPTCPD_MAC PEER_MAC PEER_IP DPTCPD_IP COUNT
"""
import sys

# the modules needed, not scapy.all: its import alone took seconds of the
# test (every layer and protocol scapy has)
from scapy.config import conf
from scapy.layers.inet import ICMP, IP
from scapy.layers.l2 import ARP, Dot1Q, Ether
from scapy.packet import Raw
from scapy.sendrecv import sendp

conf.verb = 0
iface, mac, peer_mac, peer, addr, count = sys.argv[1:7]
count = int(count)
eth = Ether(dst=mac, src=peer_mac)


def ip(**kw):
    return IP(src=peer, dst=addr, **kw)


def edited(pkt, edits):
    """A valid frame with bytes changed afterwards: {offset: value}."""
    b = bytearray(bytes(pkt))
    for off, val in edits.items():
        b[off] = val
    return Ether(bytes(b))


ping = ICMP(id=7, seq=1) / b'dptcp-malformed'
good = eth / ip() / ping
arp = eth / ARP(op=1, hwsrc=peer_mac, psrc=peer, pdst=addr)
IP_OFF, ARP_OFF = 14, 14

cases = [
    # (counter, frame)
    ('ip_drop_cksum', eth / ip(chksum=0x1234) / ping),
    # fragments dptcpd refuses before reassembling (all have id 1): a
    # non-last one whose 23 bytes are not a multiple of 8 (twice), one
    # that would end past 65535 bytes, a non-last one of 24 bytes
    ('ip_drop_fragment', eth / ip(flags='MF') / ping),
    ('ip_drop_fragment', eth / ip(frag=100, flags='MF') / ping),
    ('ip_frag_drop_oversize', eth / ip(frag=8189) / ping),
    ('ip_frag_drop_tiny', eth / ip(flags='MF') / ICMP() / (b'x' * 16)),
    ('ip_drop_version', edited(good, {IP_OFF: 0x65})),
    ('ip_drop_hdr_len', edited(good, {IP_OFF: 0x44})),
    ('ip_drop_total_len', eth / ip(len=200) / ping),
    ('ip_drop_bad_src', eth / IP(src='127.0.0.1', dst=addr) / ping),
    ('ip_drop_not_for_us', eth / IP(src=peer, dst='198.18.0.77') / ping),
    ('icmp_drop_cksum', eth / ip() / ICMP(id=7, seq=1, chksum=0x4321) /
     b'dptcp-malformed'),
    # a protocol dptcp does not speak (SCTP); UDP gets port unreachable
    ('ip_drop_proto', eth / ip(proto=132) / Raw(b'\x27\x0f\x00\x09x')),
    ('arp_drop_format', edited(arp, {ARP_OFF + 1: 6})),       # ar$hrd
    ('arp_drop_op', edited(arp, {ARP_OFF + 7: 3})),           # RARP
    ('arp_drop_bad_sender', edited(arp, {ARP_OFF + 8: 0xff})),  # group sha
    ('eth_drop_vlan', eth / Dot1Q(vlan=5) / ip() / ping),
    ('eth_drop_not_for_us', Ether(dst='02:00:00:00:77:77', src=peer_mac) /
     ip() / ping),
    ('eth_drop_ethertype', Ether(dst=mac, src=peer_mac, type=0x88b5) /
     Raw(b'\x00' * 46)),
]

expected = {}
for counter, frame in cases:
    sendp(frame, iface=iface, count=count)
    expected[counter] = expected.get(counter, 0) + count
for counter, n in sorted(expected.items()):
    print(counter, n)
