#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# vectors6.py: writes vectors6.h, the IPv6 frames the unit tests compare
# with, made by scapy 2.5 (Debian python3-scapy): the independent oracle
# for the IPv6 parsers, ND, ICMPv6 and checksums.
# Run: /usr/bin/python3 tests/unit/vectors6.py > tests/unit/vectors6.h
from scapy.all import (Ether, IPv6, ICMPv6ND_NS, ICMPv6ND_NA,
                       ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr,
                       ICMPv6EchoRequest, ICMPv6EchoReply, ICMPv6DestUnreach,
                       ICMPv6PacketTooBig, TCP,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrRouting, IPv6ExtHdrFragment, PadN, HBHOptUnknown,
                       UDP, raw, fragment6)

US, PEER = '02:00:00:00:00:02', '02:00:00:00:00:01'
US6, PEER6 = '2001:2::1', '2001:2::2'

V = []


def vec(name, expr):
    V.append((name, expr, raw(eval(expr))))


vec('ns_for_peer_expected',
    "Ether(dst='33:33:ff:00:00:02', src=US)/IPv6(src=US6, dst='ff02::1:ff00:2', hlim=255)/ICMPv6ND_NS(tgt=PEER6)/ICMPv6NDOptSrcLLAddr(lladdr=US)")
vec('na_from_peer',
    "Ether(dst=US, src=PEER)/IPv6(src=PEER6, dst=US6, hlim=255)/ICMPv6ND_NA(tgt=PEER6, R=0, S=1, O=1)/ICMPv6NDOptDstLLAddr(lladdr=PEER)")
vec('ns_from_peer',
    "Ether(dst='33:33:ff:00:00:01', src=PEER)/IPv6(src=PEER6, dst='ff02::1:ff00:1', hlim=255)/ICMPv6ND_NS(tgt=US6)/ICMPv6NDOptSrcLLAddr(lladdr=PEER)")
vec('na_to_peer_expected',
    "Ether(dst=PEER, src=US)/IPv6(src=US6, dst=PEER6, hlim=255)/ICMPv6ND_NA(tgt=US6, R=0, S=1, O=1)/ICMPv6NDOptDstLLAddr(lladdr=US)")
vec('dad_ns_expected',
    "Ether(dst='33:33:ff:00:00:01', src=US)/IPv6(src='::', dst='ff02::1:ff00:1', hlim=255)/ICMPv6ND_NS(tgt=US6)")
vec('dad_ns_from_peer',
    "Ether(dst='33:33:ff:00:00:01', src=PEER)/IPv6(src='::', dst='ff02::1:ff00:1', hlim=255)/ICMPv6ND_NS(tgt=US6)")
vec('dad_conflict_na',
    "Ether(dst='33:33:00:00:00:01', src=PEER)/IPv6(src=US6, dst='ff02::1', hlim=255)/ICMPv6ND_NA(tgt=US6, R=0, S=0, O=1)/ICMPv6NDOptDstLLAddr(lladdr=PEER)")
vec('na_defend_expected',
    "Ether(dst='33:33:00:00:00:01', src=US)/IPv6(src=US6, dst='ff02::1', hlim=255)/ICMPv6ND_NA(tgt=US6, R=0, S=0, O=1)/ICMPv6NDOptDstLLAddr(lladdr=US)")
vec('echo6_req',
    "Ether(dst=US, src=PEER)/IPv6(src=PEER6, dst=US6, hlim=64)/ICMPv6EchoRequest(id=0x1234, seq=1, data=b'abcdefgh')")
vec('echo6_reply_expected',
    "Ether(dst=PEER, src=US)/IPv6(src=US6, dst=PEER6, hlim=64)/ICMPv6EchoReply(id=0x1234, seq=1, data=b'abcdefgh')")
vec('udp6_closed',
    "Ether(dst=US, src=PEER)/IPv6(src=PEER6, dst=US6, hlim=64)/UDP(sport=1234, dport=9)/b'hello'")
vec('udp6_unreach_expected',
    "Ether(dst=PEER, src=US)/IPv6(src=US6, dst=PEER6, hlim=64)/ICMPv6DestUnreach(code=4)/IPv6(src=PEER6, dst=US6, hlim=64)/UDP(sport=1234, dport=9)/b'hello'")
vec('udp6_unreach_for_us',
    "Ether(dst=US, src=PEER)/IPv6(src=PEER6, dst=US6, hlim=64)/ICMPv6DestUnreach(code=4)/IPv6(src=US6, dst=PEER6, hlim=64)/UDP(sport=9, dport=1234)/b'hello'")
vec('udp6_ptb_for_us',
    "Ether(dst=US, src=PEER)/IPv6(src='2001:2::fe', dst=US6, hlim=64)/ICMPv6PacketTooBig(mtu=1300)/IPv6(src=US6, dst=PEER6, hlim=64)/UDP(sport=9, dport=1234)/b'hello'")
vec('ptb_1400',
    "Ether(dst=US, src=PEER)/IPv6(src='2001:2::fe', dst=US6, hlim=64)/ICMPv6PacketTooBig(mtu=1400)/IPv6(src=US6, dst='2001:3::9', hlim=64)/TCP(sport=80, dport=5555, seq=1000, ack=1, flags='A')/(b'd' * 32)")
vec('ptb_1000',
    "Ether(dst=US, src=PEER)/IPv6(src='2001:2::fe', dst=US6, hlim=64)/ICMPv6PacketTooBig(mtu=1000)/IPv6(src=US6, dst='2001:3::9', hlim=64)/TCP(sport=80, dport=5555, seq=1000, ack=1, flags='A')/(b'd' * 32)")
vec('hbh_padn',
    "IPv6(src=PEER6, dst=US6)/IPv6ExtHdrHopByHop(options=[PadN(optdata=b'\\x00' * 4)])/UDP(sport=1, dport=9)/b'x'")
vec('dst_opt_skip',
    "IPv6(src=PEER6, dst=US6)/IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x1e, optdata=b'ab')])/UDP(sport=1, dport=9)/b'x'")
vec('dst_opt_discard',
    "IPv6(src=PEER6, dst=US6)/IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x5e, optdata=b'ab')])/UDP(sport=1, dport=9)/b'x'")
vec('dst_opt_icmp',
    "IPv6(src=PEER6, dst=US6)/IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x9e, optdata=b'ab')])/UDP(sport=1, dport=9)/b'x'")
vec('dst_opt_icmp_mcast',
    "IPv6(src=PEER6, dst='ff02::1')/IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0xde, optdata=b'ab')])/UDP(sport=1, dport=9)/b'x'")
vec('hbh_not_first',
    "IPv6(src=PEER6, dst=US6)/IPv6ExtHdrDestOpt()/IPv6ExtHdrHopByHop()/UDP(sport=1, dport=9)/b'x'")
vec('rh0_segleft',
    "IPv6(src=PEER6, dst=US6)/IPv6ExtHdrRouting(type=0, addresses=['2001:2::3'], segleft=1)/UDP(sport=1, dport=9)/b'x'")
vec('rh0_no_segleft',
    "IPv6(src=PEER6, dst=US6)/IPv6ExtHdrRouting(type=0, addresses=['2001:2::3'], segleft=0)/UDP(sport=1, dport=9)/b'x'")
vec('rh4_segleft',
    "IPv6(src=PEER6, dst=US6)/IPv6ExtHdrRouting(type=4, addresses=['2001:2::3'], segleft=1)/UDP(sport=1, dport=9)/b'x'")
vec('frag_second',
    "IPv6(src=PEER6, dst=US6)/IPv6ExtHdrFragment(offset=1, m=1, id=0x12345678, nh=17)/(b'y' * 8)")
vec('frag_atomic',
    "IPv6(src=PEER6, dst=US6)/IPv6ExtHdrFragment(offset=0, m=0, id=7)/UDP(sport=1, dport=9)/b'x'")
vec('dst_opts_nine',
    "IPv6(src=PEER6, dst=US6)/" + "IPv6ExtHdrDestOpt()/" * 9 + "UDP(sport=1, dport=9)/b'x'")
vec('no_next',
    "IPv6(src=PEER6, dst=US6, nh=59)/b'zzzz'")

BIG = "(bytes(range(256)) * 12)[:3000]"
for i, f in enumerate(fragment6(IPv6(src=PEER6, dst=US6, hlim=64) /
                                IPv6ExtHdrFragment(id=0xabcd) /
                                ICMPv6EchoRequest(id=1, seq=1,
                                                  data=eval(BIG)), 1280)):
    V.append(('frag6_echo_%d' % i,
              "Ether(dst=US, src=PEER)/fragment6(IPv6(src=PEER6, dst=US6, hlim=64)/IPv6ExtHdrFragment(id=0xabcd)/ICMPv6EchoRequest(id=1, seq=1, data=%s), 1280)[%d]" % (BIG, i),
              raw(Ether(dst=US, src=PEER) / f)))
vec('echo6_big_reply_expected',
    "IPv6(src=US6, dst=PEER6, hlim=64)/ICMPv6EchoReply(id=1, seq=1, data=%s)" % BIG)

print('''/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vectors6.h: IPv6 frames and packets made with scapy 2.5 (Debian
 * python3-scapy) by tests/unit/vectors6.py from the expression above each;
 * US = 02:00:00:00:00:02 (2001:2::1), PEER = 02:00:00:00:00:01
 * (2001:2::2). Generated: do not edit; run the script instead.
 */
#ifndef TEST_VECTORS6_H
#define TEST_VECTORS6_H

#include <stdint.h>
''')
for name, expr, b in V:
    print('/* %s */' % expr.replace('*/', '* /'))
    print('static const uint8_t %s[] = {' % name)
    for i in range(0, len(b), 12):
        print('\t' + ' '.join('0x%02x,' % c for c in b[i:i + 12]))
    print('};\n')
print('#endif')
