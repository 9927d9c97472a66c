/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_net.h: parse once, validate once.
 *
 * Owns the stateless wire formats below TCP: Ethernet, ARP, IPv4, ICMP and
 * IPv6 (its header, extension headers and pseudo-header checksum).
 * Each parser turns the bytes at an offset of an mbuf into a validated,
 * host-order struct, or says which drop counter the packet belongs to. The
 * wire layouts themselves come from DPDK's rte_ether.h, rte_arp.h, rte_ip.h
 * and rte_icmp.h; nothing here redefines them. Builders write the same
 * formats, for the stack's own output and for tests.
 *
 * Parsers read through rte_pktmbuf_read(), which costs nothing when the
 * header is in the first segment (the PMD case) and copies into a stack
 * buffer when a header straddles segments.
 */
#ifndef DPT_NET_H
#define DPT_NET_H

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dpt_cksum.h"
#include "dpt_stats.h"

/** A parsed Ethernet header. */
struct dpt_eth {
	struct rte_ether_addr dst; /**< destination MAC */
	struct rte_ether_addr src; /**< source MAC */
	uint16_t type;             /**< EtherType, host order */
	uint16_t hdr_len;          /**< bytes before the payload */
};

/** A parsed ARP packet (Ethernet hardware, IPv4 protocol addresses). */
struct dpt_arp {
	uint16_t op;               /**< RTE_ARP_OP_REQUEST or _REPLY */
	struct rte_ether_addr sha; /**< sender hardware address */
	struct rte_ether_addr tha; /**< target hardware address */
	uint32_t spa;              /**< sender IPv4 address, host order */
	uint32_t tpa;              /**< target IPv4 address, host order */
};

/** A parsed IPv4 header. Options, if any, are skipped, not interpreted. */
struct dpt_ipv4 {
	uint32_t src;       /**< source address, host order */
	uint32_t dst;       /**< destination address, host order */
	uint16_t hdr_len;   /**< header length in bytes, 20..60 */
	uint16_t total_len; /**< datagram length in bytes */
	uint16_t id;        /**< identification */
	uint16_t frag;      /**< flags and fragment offset, host order */
	uint8_t ttl;        /**< time to live */
	uint8_t proto;      /**< payload protocol (IPPROTO_*) */
	uint8_t tos;        /**< DSCP and ECN */
};

/** An IPv6 address, in network byte order as on the wire (RFC 4291). */
struct dpt_in6 {
	uint8_t b[16];
};

/**
 * A parsed IPv6 header (RFC 8200) with its extension headers walked: the
 * upper-layer header starts @p hdr_len bytes after the fixed header's
 * first byte. A fragment header, if one was walked, is described by the
 * frag_* fields (for reassembly).
 */
struct dpt_ipv6 {
	struct dpt_in6 src;   /**< source address */
	struct dpt_in6 dst;   /**< destination address */
	uint32_t flow;        /**< flow label, host order (20 bits) */
	uint32_t frag_id;     /**< fragment header's identification */
	uint16_t payload_len; /**< fixed header's payload length */
	uint16_t hdr_len;     /**< fixed + extension headers, bytes */
	uint16_t frag_off;    /**< fragment offset in bytes */
	uint8_t frag;         /**< a fragment header was walked */
	uint8_t frag_more;    /**< its M flag */
	uint8_t proto;        /**< upper-layer protocol (IPPROTO_*) */
	uint8_t hop_limit;    /**< hop limit */
	uint8_t tclass;       /**< traffic class: DSCP and ECN */
};

/** Non-zero if @p a and @p b are the same IPv6 address. */
static inline int
dpt_in6_eq(const struct dpt_in6 *a, const struct dpt_in6 *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/** Non-zero if @p a is the unspecified address :: (RFC 4291 2.5.2). */
static inline int
dpt_in6_is_unspec(const struct dpt_in6 *a)
{
	static const struct dpt_in6 zero;

	return dpt_in6_eq(a, &zero);
}

/** Non-zero if @p a is a multicast address, ff00::/8 (RFC 4291 2.7). */
static inline int
dpt_in6_is_multicast(const struct dpt_in6 *a)
{
	return a->b[0] == 0xff;
}

/** The low 32 bits of @p a, host order (what a range of our addresses
 * counts in). */
static inline uint32_t
dpt_in6_low32(const struct dpt_in6 *a)
{
	return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 |
	       (uint32_t)a->b[14] << 8 | a->b[15];
}

/** The solicited-node multicast address of @p a: ff02::1:ffXX:XXXX with
 * the low 24 bits of @p a (RFC 4291 2.7.1). */
static inline void
dpt_in6_solicited_node(const struct dpt_in6 *a, struct dpt_in6 *out)
{
	static const struct dpt_in6 pfx = { .b = { 0xff, 0x02, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0x01, 0xff } };

	*out = pfx;
	memcpy(&out->b[13], &a->b[13], 3);
}

/** The Ethernet group address of the IPv6 multicast address @p a:
 * 33:33 and its low 32 bits (RFC 2464 7). */
static inline void
dpt_in6_mcast_mac(const struct dpt_in6 *a, struct rte_ether_addr *mac)
{
	mac->addr_bytes[0] = 0x33;
	mac->addr_bytes[1] = 0x33;
	memcpy(&mac->addr_bytes[2], &a->b[12], 4);
}

/** A parsed ICMP header; the message body stays in the mbuf. */
struct dpt_icmp {
	uint8_t type;  /**< message type */
	uint8_t code;  /**< message code */
	uint16_t id;   /**< echo identifier, host order (echo types only) */
	uint16_t seq;  /**< echo sequence, host order (echo types only) */
	uint32_t len;  /**< whole message length in bytes, header included */
};

#define DPT_IPV4(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/**
 * Parse the Ethernet header at the start of @p m.
 *
 * @return
 *   DPT_STAT_OK, or the drop counter for the reason: eth_drop_short,
 *   eth_drop_vlan (802.1Q/802.1ad tags; dptcp configures no VLANs).
 */
enum dpt_stat dpt_eth_parse(const struct rte_mbuf *m, struct dpt_eth *eth);

/**
 * Parse an ARP packet at offset @p off (RFC 826).
 *
 * Accepts only Ethernet/IPv4 ARP with operation request or reply, from a
 * unicast sender hardware address and a sender protocol address that is not
 * broadcast or multicast (0.0.0.0 is allowed: RFC 5227 probes use it).
 *
 * @return
 *   DPT_STAT_OK, or arp_drop_short, arp_drop_format, arp_drop_op,
 *   arp_drop_bad_sender.
 */
enum dpt_stat dpt_arp_parse(const struct rte_mbuf *m, uint32_t off,
			    struct dpt_arp *arp);

/**
 * Parse and validate the IPv4 header at offset @p off (RFC 791, RFC 1122
 * 3.2.1). Checks version, header length, total length against the bytes the
 * frame holds, and the header checksum (trusting the PMD's verdict when
 * RTE_MBUF_F_RX_IP_CKSUM_GOOD or _BAD is set). A fragment is a valid
 * header that is not a whole datagram: it is refused with ip_drop_fragment,
 * and @p ip is filled all the same, for the caller to reassemble it
 * (dpt_frag.h) or drop it under that counter.
 *
 * @return
 *   DPT_STAT_OK, or ip_drop_short, ip_drop_version, ip_drop_hdr_len,
 *   ip_drop_total_len, ip_drop_cksum, ip_drop_fragment (@p ip filled).
 */
enum dpt_stat dpt_ipv4_parse(const struct rte_mbuf *m, uint32_t off,
			     struct dpt_ipv4 *ip);

/** Non-zero if @p ip is a fragment: more fragments follow, or its offset
 * is not 0 (RFC 791). */
static inline int
dpt_ipv4_is_fragment(const struct dpt_ipv4 *ip)
{
	return (ip->frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
	       != 0;
}

/**
 * Non-zero if @p addr may not appear as a source address (RFC 1122 3.2.1.3):
 * 0.0.0.0/8, 127.0.0.0/8, multicast 224.0.0.0/4, reserved 240.0.0.0/4 and
 * the limited broadcast 255.255.255.255.
 */
int dpt_ipv4_src_is_martian(uint32_t addr);

/** Most extension headers dpt_ipv6_parse() walks (RFC 8200 4.1 allows
 * each once, destination options twice: 6 in a conforming packet). */
#define DPT_IPV6_MAX_EXT 8

/**
 * Parse the IPv6 header at offset @p off and walk its extension headers
 * (RFC 8200 4), each read within the payload's bounds. Hop-by-hop and
 * destination options are walked option by option (RFC 8200 4.2): an
 * unknown option whose action bits are 01, 10 or 11 refuses the packet.
 * A routing header with segments left is refused (a host forwards
 * nothing, RFC 8200 4.4; type 0 under its own counter, RFC 5095 3); one
 * with none left is skipped. An atomic fragment header (offset 0, M
 * clear) is skipped (RFC 6946 4); any other fragment header ends the walk:
 * @p ip is filled (proto = the fragment header's next header, hdr_len up
 * to its end, frag_* from it) and ip6_drop_fragment returned, for the
 * caller to reassemble or drop, as dpt_ipv4_parse() does.
 *
 * @return
 *   DPT_STAT_OK (@p ip->proto is an upper-layer protocol or 59, no next
 *   header), or ip6_drop_short, ip6_drop_version, ip6_drop_len,
 *   ip6_drop_ext_trunc, ip6_drop_ext_many, ip6_drop_hbh_pos,
 *   ip6_drop_option, ip6_drop_rh0, ip6_drop_routing, ip6_drop_fragment
 *   (@p ip filled).
 */
enum dpt_stat dpt_ipv6_parse(const struct rte_mbuf *m, uint32_t off,
			     struct dpt_ipv6 *ip);

/**
 * dpt_ipv6_parse(), also saying where the fault is: for ip6_drop_option,
 * ip6_drop_rh0, ip6_drop_routing and ip6_drop_hbh_pos, *@p pointer is the
 * offset of the offending byte from the fixed header's start, and
 * *@p code the ICMPv6 parameter problem code (RFC 4443 3.4), for the
 * caller's error message; *@p code is 0xff when no message may be sent
 * (an option of action 11 in a multicast packet, or 01). For
 * DPT_STAT_OK, *@p pointer is the offset of the next header field that
 * names the upper-layer protocol (RFC 8200 4: where a parameter problem
 * about an unknown one points).
 */
enum dpt_stat dpt_ipv6_parse_ex(const struct rte_mbuf *m, uint32_t off,
				struct dpt_ipv6 *ip, uint32_t *pointer,
				uint8_t *code);

/**
 * Write a 40-byte IPv6 fixed header (RFC 8200 3) at offset @p off of
 * @p m from @p ip: its src, dst, flow, tclass, hop_limit, proto (as next
 * header) and payload_len. No extension headers.
 */
void dpt_ipv6_write(struct rte_mbuf *m, uint32_t off, const struct dpt_ipv6 *ip);

/**
 * The sum of the IPv6 pseudo-header (RFC 8200 8.1): @p src, @p dst, the
 * upper-layer length @p l4_len and next header @p proto, folded to 16
 * bits (in the low half of the result), not complemented, in memory
 * order as dpt_raw_cksum() sums: the value rte_ipv6_phdr_cksum() gives,
 * to start a TCP/UDP/ICMPv6 checksum with.
 */
uint32_t dpt_ipv6_phdr_sum(const struct dpt_in6 *src, const struct dpt_in6 *dst,
			   uint32_t l4_len, uint8_t proto);

/**
 * The checksum field value for the @p l4_len-byte upper-layer segment at
 * @p l4_off of @p m (its field 0), over the pseudo-header of @p ip's
 * src, dst and proto (RFC 8200 8.1). A result of 0 is given as 0xffff
 * (RFC 8200 8.1: UDP over IPv6 never sends 0).
 */
uint16_t dpt_ipv6_l4_cksum(const struct rte_mbuf *m, const struct dpt_ipv6 *ip,
			   uint32_t l4_off, uint32_t l4_len);

/** Non-zero if the upper-layer segment (checksum field included) sums
 * right under @p ip's pseudo-header. */
int dpt_ipv6_l4_cksum_ok(const struct rte_mbuf *m, const struct dpt_ipv6 *ip,
			 uint32_t l4_off, uint32_t l4_len);

/**
 * Parse the ICMP message of @p len bytes at offset @p off and verify its
 * checksum over the whole message (RFC 792), unless @p m is marked
 * RTE_MBUF_F_RX_L4_CKSUM_GOOD (no PMD judges ICMP: the mark is [port0]
 * checksum = none's).
 *
 * @return
 *   DPT_STAT_OK, or icmp_drop_short, icmp_drop_cksum.
 */
enum dpt_stat dpt_icmp_parse(const struct rte_mbuf *m, uint32_t off,
			     uint32_t len, struct dpt_icmp *icmp);

/** What a worker's loop sees of a frame at first look. */
enum dpt_frame_kind {
	DPT_FRAME_OTHER,   /**< not TCP over IPv4, a fragment, too short */
	DPT_FRAME_TCP_SYN, /**< an opening SYN: SYN, no ACK, RST or FIN */
	DPT_FRAME_TCP,     /**< any other TCP segment */
};

/**
 * What the frame @p m (data at its Ethernet header) is, at first look:
 * an opening TCP SYN over IPv4 (SYN set, ACK, RST and FIN clear), another
 * TCP segment, or anything else (fragments included: a later fragment's
 * bytes at the flags' offset are data). What a worker's loop looks at
 * before it pays for anything else, so that SYNs and segments for no
 * connection wait behind the others and can be held to a budget: a few
 * loads from the first segment (~15 instructions), no validation (the
 * frame is parsed in full later, if kept). A frame too short to hold an
 * IPv4 and a TCP header in its first segment is DPT_FRAME_OTHER.
 *
 * @param[out] l4
 *   For DPT_FRAME_TCP_SYN and DPT_FRAME_TCP: the TCP header's offset.
 */
static inline enum dpt_frame_kind
dpt_frame_kind(const struct rte_mbuf *m, uint32_t *l4)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip = p + RTE_ETHER_HDR_LEN;
	uint32_t o;

	if (m->data_len < RTE_ETHER_HDR_LEN + 20 + 20 ||
	    p[12] != (RTE_ETHER_TYPE_IPV4 >> 8) ||
	    p[13] != (RTE_ETHER_TYPE_IPV4 & 0xff) || ip[9] != IPPROTO_TCP ||
	    (ip[6] & 0x3f) != 0 || ip[7] != 0) /* MF, fragment offset */
		return DPT_FRAME_OTHER;
	o = RTE_ETHER_HDR_LEN + (ip[0] & 0xfu) * 4;
	if (o + 20 > m->data_len)
		return DPT_FRAME_OTHER;
	*l4 = o;
	return (p[o + 13] & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG |
			     RTE_TCP_RST_FLAG | RTE_TCP_FIN_FLAG)) ==
	       RTE_TCP_SYN_FLAG ? DPT_FRAME_TCP_SYN : DPT_FRAME_TCP;
}

/**
 * Whether the frame @p m is an opening TCP SYN over IPv4
 * (dpt_frame_kind() says DPT_FRAME_TCP_SYN).
 */
static inline int
dpt_frame_is_tcp_syn(const struct rte_mbuf *m)
{
	uint32_t l4;

	return dpt_frame_kind(m, &l4) == DPT_FRAME_TCP_SYN;
}

/**
 * Update an Internet checksum for one 16-bit word changing from @p old to
 * @p new (RFC 1624, eqn. 3). All three values in the same byte order as on
 * the wire.
 */
static inline uint16_t
dpt_cksum_update16(uint16_t cksum, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t)~cksum + (uint16_t)~old + (uint32_t)new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * Internet checksum (the folded 16-bit one's complement sum, not yet
 * complemented) of @p len contiguous bytes at @p buf: the same value as
 * rte_raw_cksum(), for a fraction of its instructions.
 *
 * DPDK 22.11's __rte_raw_cksum() adds one 16-bit word per step (about 2.6
 * instructions a byte); this adds 32-bit words into a 64-bit sum, 16
 * bytes a step, and folds once at the end: deferred carries (RFC 1071
 * 2(C)) and a word size of the machine's choice (RFC 1071 2(B): the sum
 * is the same modulo 0xffff, as 2^16 is 1 there). Memory order throughout,
 * which the one's complement sum does not mind (RFC 1071 2(A)).
 */
static inline uint16_t
dpt_raw_cksum(const void *buf, uint32_t len)
{
	const uint8_t *p = buf;
	uint64_t sum = 0;

	for (; len >= 16; len -= 16, p += 16) {
		uint32_t w[4];

		memcpy(w, p, sizeof(w));
		sum += (uint64_t)w[0] + w[1] + w[2] + w[3];
	}
	for (; len >= 4; len -= 4, p += 4) {
		uint32_t w;

		memcpy(&w, p, sizeof(w));
		sum += w;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, p, sizeof(w));
		sum += w;
		p += 2;
		len -= 2;
	}
	if (len > 0) /* the last byte, padded with a zero byte after it */
		sum += RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN ? *p :
		       (uint32_t)*p << 8;
	return dpt_cksum_fold(sum);
}

/**
 * The TCP/UDP checksum field value for the L4 segment at @p l4_off of
 * @p m, whose IPv4 header is @p ip (pseudo-header from its addresses,
 * protocol and total length). The field itself must be zero.
 */
uint16_t dpt_ipv4_l4_cksum(const struct rte_mbuf *m,
			   const struct rte_ipv4_hdr *ip, uint32_t l4_off);

/**
 * As dpt_ipv4_l4_cksum(), when only the first @p here bytes of the L4
 * segment are summed from @p m (contiguous, at @p l4_off) and @p rest is
 * the known sum of the others (which start at an even offset).
 */
uint16_t dpt_ipv4_l4_cksum_part(const struct rte_mbuf *m,
				const struct rte_ipv4_hdr *ip, uint32_t l4_off,
				uint32_t here, uint16_t rest);

/** Non-zero if the L4 segment at @p l4_off (field included) sums right. */
int dpt_ipv4_l4_cksum_ok(const struct rte_mbuf *m,
			 const struct rte_ipv4_hdr *ip, uint32_t l4_off);

/**
 * Write an Ethernet header at the start of @p m's data (which must have room).
 *
 * @param type
 *   EtherType, host order.
 */
void dpt_eth_write(struct rte_mbuf *m, const struct rte_ether_addr *dst,
		   const struct rte_ether_addr *src, uint16_t type);

/**
 * Append a whole Ethernet + ARP frame to the empty mbuf @p m.
 *
 * @param dst
 *   Ethernet destination (broadcast for a request).
 * @return
 *   0, or -ENOSPC if the mbuf has no room.
 */
int dpt_arp_build(struct rte_mbuf *m, const struct rte_ether_addr *dst,
		  const struct dpt_arp *arp);

/**
 * Write a 20-byte IPv4 header (no options) at offset @p off of @p m from
 * @p ip (its src, dst, total_len, id, frag, ttl, proto and tos).
 *
 * @param sw_cksum
 *   Non-zero to compute the header checksum here; zero to leave it 0 for a
 *   PMD that offloads it (the caller sets RTE_MBUF_F_TX_IP_CKSUM).
 */
void dpt_ipv4_write(struct rte_mbuf *m, uint32_t off, const struct dpt_ipv4 *ip,
		    int sw_cksum);

#endif /* DPT_NET_H */
