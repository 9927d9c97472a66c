/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_steer.c: the owner of a frame; see dpt_steer.h. */
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_tcp.h>
#include <rte_thash.h>

#include "dpt_steer.h"

#define DEFAULT_RETA 128

void
dpt_steer_init(struct dpt_steer *s, uint16_t n_workers, uint16_t reta_size)
{
	memset(s, 0, sizeof(*s));
	s->n_workers = n_workers ? n_workers : 1;
	s->reta_size = reta_size ? RTE_MIN(reta_size, DPT_STEER_RETA_MAX) :
			DEFAULT_RETA;
	for (uint16_t i = 0; i < s->reta_size; i++)
		s->reta[i] = (uint16_t)(i % s->n_workers);
	dpt_steer_key(s->key, DPT_STEER_KEY_LEN);
}

void
dpt_steer_key(uint8_t *key, unsigned int len)
{
	/* Woo and Park, "Scalable TCP Session Monitoring with Symmetric
	 * Receive-side Scaling" (2012): a key of 0x6d5a repeated makes the
	 * Toeplitz hash of (a, b, p, q) equal that of (b, a, q, p), at any
	 * key length. */
	for (unsigned int i = 0; i < len; i++)
		key[i] = i % 2 ? 0x5a : 0x6d;
}

uint32_t
dpt_steer_hash(const struct dpt_steer *s, uint32_t saddr, uint32_t daddr,
	       uint16_t sport, uint16_t dport)
{
	union rte_thash_tuple t = { .v4 = { .src_addr = saddr,
					     .dst_addr = daddr,
					     .sport = sport, .dport = dport } };

	return rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, s->key);
}

uint16_t
dpt_steer_tuple(const struct dpt_steer *s, uint32_t saddr, uint32_t daddr,
		uint16_t sport, uint16_t dport)
{
	if (s->n_workers == 1)
		return 0;
	return s->reta[dpt_steer_hash(s, saddr, daddr, sport, dport) %
		       s->reta_size];
}

uint32_t
dpt_steer_hash6(const struct dpt_steer *s, const struct dpt_in6 *saddr,
		const struct dpt_in6 *daddr, uint16_t sport, uint16_t dport)
{
	union rte_thash_tuple t;

	/* the addresses in the CPU's order a 32-bit word at a time, as
	 * rte_thash_load_v6_addrs() loads them: the hash is then the one a
	 * NIC computes over the wire's bytes (RSS's IPv6 TCP type) */
	for (unsigned int i = 0; i < 16; i += 4) {
		uint32_t a, b;

		/* memcpy: the addresses may sit at any byte in a frame
		 * (DPDK's unaligned_uint32_t is a plain uint32_t on x86) */
		memcpy(&a, &saddr->b[i], 4);
		memcpy(&b, &daddr->b[i], 4);
		a = rte_be_to_cpu_32(a);
		b = rte_be_to_cpu_32(b);
		memcpy(&t.v6.src_addr[i], &a, 4);
		memcpy(&t.v6.dst_addr[i], &b, 4);
	}
	t.v6.sport = sport;
	t.v6.dport = dport;
	return rte_softrss((uint32_t *)&t, RTE_THASH_V6_L4_LEN, s->key);
}

uint16_t
dpt_steer_tuple6(const struct dpt_steer *s, const struct dpt_in6 *saddr,
		 const struct dpt_in6 *daddr, uint16_t sport, uint16_t dport)
{
	if (s->n_workers == 1)
		return 0;
	return s->reta[dpt_steer_hash6(s, saddr, daddr, sport, dport) %
		       s->reta_size];
}

/* The IPv4 header of frame @m and its length (*ihl) when the first
 * segment holds a valid one's first 20 bytes; else NULL, *arp saying
 * whether the frame is ARP. */
static const struct rte_ipv4_hdr *
frame_ipv4(const struct rte_mbuf *m, uint32_t *ihl, int *arp)
{
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;

	*arp = 0;
	if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip))
		return NULL;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		*arp = 1;
		return NULL;
	}
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return NULL;
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	*ihl = rte_ipv4_hdr_len(ip);
	return *ihl >= sizeof(*ip) ? ip : NULL;
}

/* The owner of an unfragmented TCP segment or UDP datagram (ports in
 * the first segment, at the same offsets in both headers), else
 * DPT_STEER_HERE. */
static int
tcp_owner(const struct dpt_steer *s, const struct rte_mbuf *m,
	  const struct rte_ipv4_hdr *ip, uint32_t ihl)
{
	const struct rte_tcp_hdr *th;

	/* fragments and malformed headers: whoever received them drops and
	 * counts them */
	if ((ip->next_proto_id != IPPROTO_TCP &&
	     ip->next_proto_id != IPPROTO_UDP) ||
	    rte_ipv4_frag_pkt_is_fragmented(ip) ||
	    m->data_len < RTE_ETHER_HDR_LEN + ihl + 4)
		return DPT_STEER_HERE;
	if (s->n_workers == 1)
		return 0;
	if (s->hw_hash && (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) &&
	    (ip->next_proto_id == IPPROTO_TCP || s->hw_hash_udp))
		return s->reta[m->hash.rss % s->reta_size];
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + ihl);
	return dpt_steer_tuple(s, rte_be_to_cpu_32(ip->src_addr),
			       rte_be_to_cpu_32(ip->dst_addr),
			       rte_be_to_cpu_16(th->src_port),
			       rte_be_to_cpu_16(th->dst_port));
}

/* The owner of the IPv6 TCP segment or UDP datagram whose header (ports
 * at the same offsets) is at @th. */
static int
tcp6_owner(const struct dpt_steer *s, const struct rte_ipv6_hdr *ip,
	   const struct rte_tcp_hdr *th)
{
	return dpt_steer_tuple6(s, (const struct dpt_in6 *)ip->src_addr,
				(const struct dpt_in6 *)ip->dst_addr,
				rte_be_to_cpu_16(th->src_port),
				rte_be_to_cpu_16(th->dst_port));
}

/* An ICMPv6 error (RFC 4443 3: destination unreachable, packet too big,
 * time exceeded, parameter problem: types 1 to 4) whose quoted packet is
 * a TCP segment or UDP datagram right after its fixed header: its
 * 4-tuple's owner. */
static int
icmp6_error_owner(const struct dpt_steer *s, const struct rte_mbuf *m,
		  const struct rte_ipv6_hdr *ip)
{
	const uint8_t *ic = (const uint8_t *)(ip + 1);
	const struct rte_ipv6_hdr *q = (const struct rte_ipv6_hdr *)(ic + 8);
	uint32_t at = RTE_ETHER_HDR_LEN + sizeof(*ip) + 8;

	if (m->data_len < at + sizeof(*q) + 4 || ic[0] < 1 || ic[0] > 4 ||
	    (q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP))
		return DPT_STEER_HERE;
	return tcp6_owner(s, q, (const struct rte_tcp_hdr *)(q + 1));
}

/* Who handles an IPv6 frame (@m not IPv4 nor ARP): a TCP segment or UDP
 * datagram right after the fixed header (nearly every one: one behind
 * extension headers stays with the worker that received it, which
 * parses it in full; a fragment is reassembled there and handed on), by
 * the IPv6 4-tuple; in the dispatcher (@rx) also an ICMPv6 error quoting
 * one. Anything else, Neighbor Discovery included (ip6's),
 * DPT_STEER_HERE. */
static int
ipv6_owner(const struct dpt_steer *s, const struct rte_mbuf *m, int rx)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(eth + 1);

	if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip) + 4 ||
	    eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV6))
		return DPT_STEER_HERE;
	if (ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP) {
		if (s->n_workers == 1)
			return 0;
		if (s->hw_hash && (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) &&
		    (ip->proto == IPPROTO_TCP || s->hw_hash_udp6))
			return s->reta[m->hash.rss % s->reta_size];
		return tcp6_owner(s, ip, (const struct rte_tcp_hdr *)(ip + 1));
	}
	if (rx && ip->proto == IPPROTO_ICMPV6 && s->n_workers > 1)
		return icmp6_error_owner(s, m, ip);
	return DPT_STEER_HERE;
}

int
dpt_steer_frame(const struct dpt_steer *s, const struct rte_mbuf *m)
{
	uint32_t ihl;
	int arp;
	const struct rte_ipv4_hdr *ip = frame_ipv4(m, &ihl, &arp);

	if (ip == NULL)
		return arp ? DPT_STEER_ALL : ipv6_owner(s, m, 0);
	return tcp_owner(s, m, ip, ihl);
}

/* An ICMP error (destination unreachable, time exceeded, parameter
 * problem) whose quoted datagram is a TCP segment or a UDP datagram
 * (their ports at the same offsets): the owner of its 4-tuple
 * (symmetric: from our side as from the peer's). */
static int
icmp_error_owner(const struct dpt_steer *s, const struct rte_mbuf *m,
		 const struct rte_ipv4_hdr *ip, uint32_t ihl)
{
	const struct rte_icmp_hdr *ic =
		(const struct rte_icmp_hdr *)((const uint8_t *)ip + ihl);
	const struct rte_ipv4_hdr *q = (const struct rte_ipv4_hdr *)(ic + 1);
	const struct rte_tcp_hdr *th;
	uint32_t qhl, at = RTE_ETHER_HDR_LEN + ihl + sizeof(*ic);

	if (m->data_len < at + sizeof(*q) ||
	    (ic->icmp_type != ICMP_DEST_UNREACH &&
	     ic->icmp_type != ICMP_TIME_EXCEEDED &&
	     ic->icmp_type != ICMP_PARAMETERPROB))
		return DPT_STEER_HERE;
	qhl = rte_ipv4_hdr_len(q);
	if ((q->next_proto_id != IPPROTO_TCP &&
	     q->next_proto_id != IPPROTO_UDP) || qhl < sizeof(*q) ||
	    m->data_len < at + qhl + 4)
		return DPT_STEER_HERE;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)q + qhl);
	return dpt_steer_tuple(s, rte_be_to_cpu_32(q->src_addr),
			       rte_be_to_cpu_32(q->dst_addr),
			       rte_be_to_cpu_16(th->src_port),
			       rte_be_to_cpu_16(th->dst_port));
}

int
dpt_steer_rx(const struct dpt_steer *s, const struct rte_mbuf *m)
{
	uint32_t ihl;
	int arp;
	const struct rte_ipv4_hdr *ip = frame_ipv4(m, &ihl, &arp);
	int o;

	/* one parse for every question: this runs on each frame the
	 * dispatcher sees, floods of other protocols included */
	if (ip == NULL)
		return arp ? DPT_STEER_ALL : ipv6_owner(s, m, 1);
	o = tcp_owner(s, m, ip, ihl);
	if (o != DPT_STEER_HERE || s->n_workers == 1)
		return o;
	if (rte_ipv4_frag_pkt_is_fragmented(ip))
		return dpt_steer_tuple(s, rte_be_to_cpu_32(ip->src_addr),
				       rte_be_to_cpu_32(ip->dst_addr), 0, 0);
	if (ip->next_proto_id == IPPROTO_ICMP)
		return icmp_error_owner(s, m, ip, ihl);
	return DPT_STEER_HERE;
}
