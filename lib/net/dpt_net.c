/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_net.c: parsers and builders for Ethernet, ARP, IPv4 and ICMP.
 * Every rejection names its drop counter; see dpt_net.h.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "dpt_net.h"

enum dpt_stat
dpt_eth_parse(const struct rte_mbuf *m, struct dpt_eth *eth)
{
	struct rte_ether_hdr buf;
	const struct rte_ether_hdr *h;

	h = rte_pktmbuf_read(m, 0, sizeof(*h), &buf);
	if (h == NULL)
		return DPT_STAT_eth_drop_short;
	eth->type = rte_be_to_cpu_16(h->ether_type);
	if (eth->type == RTE_ETHER_TYPE_VLAN || eth->type == RTE_ETHER_TYPE_QINQ)
		return DPT_STAT_eth_drop_vlan;
	rte_ether_addr_copy(&h->dst_addr, &eth->dst);
	rte_ether_addr_copy(&h->src_addr, &eth->src);
	eth->hdr_len = sizeof(*h);
	return DPT_STAT_OK;
}

static int
ipv4_is_multicast_or_bcast(uint32_t a)
{
	return (a >> 28) >= 0xe; /* 224/4 multicast, 240/4 incl. broadcast */
}

enum dpt_stat
dpt_arp_parse(const struct rte_mbuf *m, uint32_t off, struct dpt_arp *arp)
{
	struct rte_arp_hdr buf;
	const struct rte_arp_hdr *h;

	h = rte_pktmbuf_read(m, off, sizeof(*h), &buf);
	if (h == NULL)
		return DPT_STAT_arp_drop_short;
	/* RFC 826: "?Do I have the hardware type in ar$hrd? ... ar$pro?" */
	if (h->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    h->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    h->arp_hlen != RTE_ETHER_ADDR_LEN || h->arp_plen != 4)
		return DPT_STAT_arp_drop_format;
	arp->op = rte_be_to_cpu_16(h->arp_opcode);
	if (arp->op != RTE_ARP_OP_REQUEST && arp->op != RTE_ARP_OP_REPLY)
		return DPT_STAT_arp_drop_op;
	rte_ether_addr_copy(&h->arp_data.arp_sha, &arp->sha);
	rte_ether_addr_copy(&h->arp_data.arp_tha, &arp->tha);
	arp->spa = rte_be_to_cpu_32(h->arp_data.arp_sip);
	arp->tpa = rte_be_to_cpu_32(h->arp_data.arp_tip);
	/* A group address cannot own an IPv4 address (RFC 1812 3.3.2). */
	if (!rte_is_unicast_ether_addr(&arp->sha) ||
	    ipv4_is_multicast_or_bcast(arp->spa))
		return DPT_STAT_arp_drop_bad_sender;
	return DPT_STAT_OK;
}

static enum dpt_stat
ipv4_check_cksum(const struct rte_mbuf *m, const struct rte_ipv4_hdr *h,
		 uint16_t hdr_len)
{
	switch (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
		return DPT_STAT_OK;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		return DPT_STAT_ip_drop_cksum;
	default:
		/* Sum over the header including its checksum must be 0xffff. */
		return dpt_raw_cksum(h, hdr_len) == 0xffff ?
			DPT_STAT_OK : DPT_STAT_ip_drop_cksum;
	}
}

enum dpt_stat
dpt_ipv4_parse(const struct rte_mbuf *m, uint32_t off, struct dpt_ipv4 *ip)
{
	uint8_t buf[0xf * RTE_IPV4_IHL_MULTIPLIER]; /* the largest IHL */
	const struct rte_ipv4_hdr *h;
	uint32_t avail = m->pkt_len > off ? m->pkt_len - off : 0;
	uint16_t hdr_len;

	h = rte_pktmbuf_read(m, off, sizeof(*h), buf);
	if (h == NULL)
		return DPT_STAT_ip_drop_short;
	/* RFC 1122 3.2.1.1: silently discard a version other than 4. */
	if ((h->version_ihl >> 4) != IPVERSION)
		return DPT_STAT_ip_drop_version;
	hdr_len = rte_ipv4_hdr_len(h);
	if (hdr_len < sizeof(*h) || hdr_len > avail)
		return DPT_STAT_ip_drop_hdr_len;
	if (hdr_len > sizeof(*h)) {
		h = rte_pktmbuf_read(m, off, hdr_len, buf);
		if (h == NULL)
			return DPT_STAT_ip_drop_hdr_len;
	}
	ip->total_len = rte_be_to_cpu_16(h->total_length);
	/* RFC 791: total length covers header and data; the frame may carry
	 * Ethernet padding beyond it, never less. */
	if (ip->total_len < hdr_len || ip->total_len > avail)
		return DPT_STAT_ip_drop_total_len;
	/* RFC 1122 3.2.1.2: silently discard on a bad header checksum. */
	if (ipv4_check_cksum(m, h, hdr_len) != DPT_STAT_OK)
		return DPT_STAT_ip_drop_cksum;
	ip->frag = rte_be_to_cpu_16(h->fragment_offset);
	ip->hdr_len = hdr_len;
	ip->src = rte_be_to_cpu_32(h->src_addr);
	ip->dst = rte_be_to_cpu_32(h->dst_addr);
	ip->id = rte_be_to_cpu_16(h->packet_id);
	ip->ttl = h->time_to_live;
	ip->proto = h->next_proto_id;
	ip->tos = h->type_of_service;
	/* A valid header, filled in: the caller reassembles or drops. */
	if (dpt_ipv4_is_fragment(ip))
		return DPT_STAT_ip_drop_fragment;
	return DPT_STAT_OK;
}

int
dpt_ipv4_src_is_martian(uint32_t a)
{
	return (a >> 24) == 0 || (a >> 24) == 127 || ipv4_is_multicast_or_bcast(a);
}

enum dpt_stat
dpt_icmp_parse(const struct rte_mbuf *m, uint32_t off, uint32_t len,
	       struct dpt_icmp *icmp)
{
	struct rte_icmp_hdr buf;
	const struct rte_icmp_hdr *h;
	uint16_t sum;

	if (len < sizeof(*h) || off + len > m->pkt_len)
		return DPT_STAT_icmp_drop_short;
	h = rte_pktmbuf_read(m, off, sizeof(*h), &buf);
	if (h == NULL)
		return DPT_STAT_icmp_drop_short;
	/* RFC 792: the checksum covers the whole ICMP message. No PMD
	 * judges ICMP; a good L4 mark is [port0] checksum = none's. */
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) !=
	    RTE_MBUF_F_RX_L4_CKSUM_GOOD) {
		sum = dpt_cksum_mbuf(m, off, len);
		if (sum != 0xffff)
			return DPT_STAT_icmp_drop_cksum;
	}
	icmp->type = h->icmp_type;
	icmp->code = h->icmp_code;
	icmp->id = rte_be_to_cpu_16(h->icmp_ident);
	icmp->seq = rte_be_to_cpu_16(h->icmp_seq_nb);
	icmp->len = len;
	return DPT_STAT_OK;
}

void
dpt_eth_write(struct rte_mbuf *m, const struct rte_ether_addr *dst,
	      const struct rte_ether_addr *src, uint16_t type)
{
	struct rte_ether_hdr *h = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(dst, &h->dst_addr);
	rte_ether_addr_copy(src, &h->src_addr);
	h->ether_type = rte_cpu_to_be_16(type);
}

int
dpt_arp_build(struct rte_mbuf *m, const struct rte_ether_addr *dst,
	      const struct dpt_arp *arp)
{
	struct rte_arp_hdr *h;

	if (rte_pktmbuf_append(m, sizeof(struct rte_ether_hdr) + sizeof(*h)) ==
	    NULL)
		return -ENOSPC;
	dpt_eth_write(m, dst, &arp->sha, RTE_ETHER_TYPE_ARP);
	h = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *,
				    sizeof(struct rte_ether_hdr));
	h->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	h->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	h->arp_hlen = RTE_ETHER_ADDR_LEN;
	h->arp_plen = 4;
	h->arp_opcode = rte_cpu_to_be_16(arp->op);
	rte_ether_addr_copy(&arp->sha, &h->arp_data.arp_sha);
	rte_ether_addr_copy(&arp->tha, &h->arp_data.arp_tha);
	h->arp_data.arp_sip = rte_cpu_to_be_32(arp->spa);
	h->arp_data.arp_tip = rte_cpu_to_be_32(arp->tpa);
	return 0;
}

void
dpt_ipv4_write(struct rte_mbuf *m, uint32_t off, const struct dpt_ipv4 *ip,
	       int sw_cksum)
{
	struct rte_ipv4_hdr *h =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, off);

	h->version_ihl = RTE_IPV4_VHL_DEF;
	h->type_of_service = ip->tos;
	h->total_length = rte_cpu_to_be_16(ip->total_len);
	h->packet_id = rte_cpu_to_be_16(ip->id);
	h->fragment_offset = rte_cpu_to_be_16(ip->frag);
	h->time_to_live = ip->ttl;
	h->next_proto_id = ip->proto;
	h->hdr_checksum = 0;
	h->src_addr = rte_cpu_to_be_32(ip->src);
	h->dst_addr = rte_cpu_to_be_32(ip->dst);
	if (sw_cksum)
		h->hdr_checksum = (uint16_t)~dpt_raw_cksum(h, sizeof(*h));
}

/* The pseudo-header's sum (RFC 9293 3.1, RFC 768) in memory order, as
 * dpt_raw_cksum() sums: the addresses as stored, then the zero byte and
 * protocol, and the L4 length, as 16-bit words in network order. */
static uint32_t
phdr_sum(const struct rte_ipv4_hdr *ip, uint32_t len)
{
	uint64_t sum = (uint64_t)ip->src_addr + ip->dst_addr +
		       rte_cpu_to_be_16((uint16_t)ip->next_proto_id) +
		       rte_cpu_to_be_16((uint16_t)len);

	return dpt_cksum_fold(sum);
}

static uint16_t
l4_sum(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
       uint32_t l4_off)
{
	uint32_t len = rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip);
	uint32_t sum = phdr_sum(ip, len);

	/* one contiguous segment (every header we build, most we receive):
	 * no chain walk */
	if (l4_off + len <= m->data_len)
		sum += dpt_cksum(rte_pktmbuf_mtod_offset(m, const void *,
							 l4_off), len);
	else
		sum += dpt_cksum_mbuf(m, l4_off, len);
	return dpt_cksum_fold(sum);
}

uint16_t
dpt_ipv4_l4_cksum(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		  uint32_t l4_off)
{
	uint16_t c = (uint16_t)~l4_sum(m, ip, l4_off);

	return c == 0 ? 0xffff : c; /* RFC 768: 0 is sent as all ones */
}

uint16_t
dpt_ipv4_l4_cksum_part(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		       uint32_t l4_off, uint32_t here, uint16_t rest)
{
	uint32_t len = rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip);
	uint16_t sum = dpt_cksum_add((uint16_t)phdr_sum(ip, len),
		dpt_cksum(rte_pktmbuf_mtod_offset(m, const void *, l4_off),
			  here), 0);
	uint16_t c = (uint16_t)~dpt_cksum_add(sum, rest, here);

	return c == 0 ? 0xffff : c; /* RFC 768: 0 is sent as all ones */
}

int
dpt_ipv4_l4_cksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		     uint32_t l4_off)
{
	return l4_sum(m, ip, l4_off) == 0xffff;
}
