/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_net.c: parsers and builders for Ethernet, ARP, IPv4, ICMP and IPv6.
 * Every rejection names its drop counter; see dpt_net.h.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
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

/* Where an IPv6 extension header walk stands: the header at @pos (from
 * the fixed header's start) is of type @nh, whose value sits at @nh_off;
 * the payload ends at @end. */
struct ext_walk {
	const struct rte_mbuf *m;
	uint32_t off;       /* the fixed header's offset in m */
	uint32_t pos;       /* this header's start */
	uint32_t end;       /* the payload's end */
	uint32_t nh_off;    /* where this header's type was read */
	uint8_t nh;         /* this header's type */
	uint32_t *pointer;  /* the fault's offset, for parameter problem */
	uint8_t *code;      /* its code, 0xff: no message */
};

static enum dpt_stat
ext_fault(struct ext_walk *w, enum dpt_stat why, uint32_t at, uint8_t code)
{
	*w->pointer = at;
	*w->code = code;
	return why;
}

/* RFC 8200 4.2: the options of a hop-by-hop or destination options
 * header, @hlen bytes at w->pos, in @h. Pad1 and PadN are skipped, any
 * other option by its type's two high-order bits. */
static enum dpt_stat
walk_options(struct ext_walk *w, const uint8_t *h, uint32_t hlen,
	     const struct dpt_ipv6 *ip)
{
	uint32_t o = 2;

	while (o < hlen) {
		uint8_t type = h[o];

		if (type == 0) { /* Pad1 */
			o++;
			continue;
		}
		if (o + 2 > hlen || o + 2u + h[o + 1] > hlen)
			return DPT_STAT_ip6_drop_ext_trunc;
		if (type != 1) { /* not PadN: an option we do not know */
			switch (type >> 6) {
			case 0: /* 00: skip over it */
				break;
			case 1: /* 01: discard the packet */
				return ext_fault(w, DPT_STAT_ip6_drop_option,
						 w->pos + o, 0xff);
			case 2: /* 10: discard, parameter problem code 2 */
				return ext_fault(w, DPT_STAT_ip6_drop_option,
						 w->pos + o, 2);
			default: /* 11: the same, unless to multicast */
				return ext_fault(w, DPT_STAT_ip6_drop_option,
						 w->pos + o,
						 dpt_in6_is_multicast(&ip->dst) ?
						 0xff : 2);
			}
		}
		o += 2u + h[o + 1];
	}
	return DPT_STAT_OK;
}

/* One extension header at w->pos: walked, w moved past it. Returns
 * DPT_STAT_OK to go on, DPT_STAT__MAX at the upper-layer header, or a
 * drop (ip6_drop_fragment with ip's frag_* filled). */
static enum dpt_stat
walk_one(struct ext_walk *w, struct dpt_ipv6 *ip)
{
	uint8_t buf[256 * 8]; /* the longest extension header */
	const uint8_t *h;
	uint32_t hlen;
	enum dpt_stat r;

	switch (w->nh) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_DSTOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
		break;
	default: /* upper layer, no next header (59), or one we do not
		  * know: the caller decides */
		return DPT_STAT__MAX;
	}
	if (w->pos + 8 > w->end)
		return DPT_STAT_ip6_drop_ext_trunc;
	h = rte_pktmbuf_read(w->m, w->off + w->pos, 8, buf);
	if (h == NULL)
		return DPT_STAT_ip6_drop_ext_trunc;
	/* RFC 8200 4.5: the fragment header is 8 bytes, its second byte
	 * reserved; the others say their length in 8-byte units past the
	 * first 8 (4.3, 4.4, 4.6). */
	hlen = w->nh == IPPROTO_FRAGMENT ? 8 : (h[1] + 1u) * 8;
	if (w->pos + hlen > w->end)
		return DPT_STAT_ip6_drop_ext_trunc;
	if (hlen > 8) {
		h = rte_pktmbuf_read(w->m, w->off + w->pos, hlen, buf);
		if (h == NULL)
			return DPT_STAT_ip6_drop_ext_trunc;
	}
	switch (w->nh) {
	case IPPROTO_HOPOPTS:
		/* RFC 8200 4.1: only right after the fixed header; anywhere
		 * else it is an unrecognised next header (4, code 1) */
		if (w->pos != sizeof(struct rte_ipv6_hdr))
			return ext_fault(w, DPT_STAT_ip6_drop_hbh_pos,
					 w->nh_off, 1);
		/* fall through */
	case IPPROTO_DSTOPTS:
		r = walk_options(w, h, hlen, ip);
		if (r != DPT_STAT_OK)
			return r;
		break;
	case IPPROTO_ROUTING:
		/* RFC 8200 4.4: with no segments left, the header is
		 * ignored whatever its type; with some, a host (which
		 * forwards nothing) refuses it, pointing at the type.
		 * RFC 5095 3: type 0 is one it does not recognise. */
		if (h[3] != 0)
			return ext_fault(w, h[2] == 0 ? DPT_STAT_ip6_drop_rh0 :
					 DPT_STAT_ip6_drop_routing,
					 w->pos + 2, 0);
		break;
	case IPPROTO_FRAGMENT: {
		uint16_t fo = (uint16_t)(h[2] << 8 | h[3]);

		/* RFC 6946 4: an atomic fragment (offset 0, M clear) is
		 * processed as a whole packet */
		if ((fo & 0xfff9) == 0)
			break;
		ip->frag = 1;
		ip->frag_off = fo & 0xfff8; /* 8-byte units, in place */
		ip->frag_more = fo & 1;
		ip->frag_id = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 |
			      (uint32_t)h[6] << 8 | h[7];
		ip->proto = h[0];
		ip->hdr_len = (uint16_t)(w->pos + 8);
		return DPT_STAT_ip6_drop_fragment;
	}
	}
	w->nh_off = w->pos;
	w->nh = h[0];
	w->pos += hlen;
	return DPT_STAT_OK;
}

enum dpt_stat
dpt_ipv6_parse_ex(const struct rte_mbuf *m, uint32_t off, struct dpt_ipv6 *ip,
		  uint32_t *pointer, uint8_t *code)
{
	struct rte_ipv6_hdr buf;
	const struct rte_ipv6_hdr *h;
	uint32_t avail = m->pkt_len > off ? m->pkt_len - off : 0;
	uint32_t vtc;
	struct ext_walk w;
	enum dpt_stat r;

	h = rte_pktmbuf_read(m, off, sizeof(*h), &buf);
	if (h == NULL)
		return DPT_STAT_ip6_drop_short;
	vtc = rte_be_to_cpu_32(h->vtc_flow);
	if (vtc >> 28 != 6)
		return DPT_STAT_ip6_drop_version;
	ip->payload_len = rte_be_to_cpu_16(h->payload_len);
	/* RFC 8200 3: the payload follows the fixed header; the frame may
	 * carry Ethernet padding past it, never less. 0 is a jumbogram's
	 * (RFC 2675), which no Ethernet carries. */
	if (ip->payload_len == 0 || sizeof(*h) + ip->payload_len > avail)
		return DPT_STAT_ip6_drop_len;
	memcpy(&ip->src, h->src_addr, sizeof(ip->src));
	memcpy(&ip->dst, h->dst_addr, sizeof(ip->dst));
	ip->flow = vtc & RTE_IPV6_HDR_FL_MASK;
	ip->tclass = (uint8_t)(vtc >> RTE_IPV6_HDR_TC_SHIFT);
	ip->hop_limit = h->hop_limits;
	ip->frag = 0;
	ip->frag_more = 0;
	ip->frag_off = 0;
	ip->frag_id = 0;
	w = (struct ext_walk){ .m = m, .off = off, .pos = sizeof(*h),
			       .end = sizeof(*h) + ip->payload_len,
			       .nh_off = offsetof(struct rte_ipv6_hdr, proto),
			       .nh = h->proto, .pointer = pointer,
			       .code = code };
	for (unsigned int n = 0;; n++) {
		if (n > DPT_IPV6_MAX_EXT)
			return DPT_STAT_ip6_drop_ext_many;
		r = walk_one(&w, ip);
		if (r == DPT_STAT__MAX)
			break;
		if (r != DPT_STAT_OK)
			return r;
	}
	ip->proto = w.nh;
	ip->hdr_len = (uint16_t)w.pos;
	*pointer = w.nh_off; /* the upper layer's next header field */
	return DPT_STAT_OK;
}

enum dpt_stat
dpt_ipv6_parse(const struct rte_mbuf *m, uint32_t off, struct dpt_ipv6 *ip)
{
	uint32_t pointer;
	uint8_t code;

	return dpt_ipv6_parse_ex(m, off, ip, &pointer, &code);
}

void
dpt_ipv6_write(struct rte_mbuf *m, uint32_t off, const struct dpt_ipv6 *ip)
{
	struct rte_ipv6_hdr *h =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, off);

	h->vtc_flow = rte_cpu_to_be_32(6u << 28 |
				       (uint32_t)ip->tclass <<
				       RTE_IPV6_HDR_TC_SHIFT |
				       (ip->flow & RTE_IPV6_HDR_FL_MASK));
	h->payload_len = rte_cpu_to_be_16(ip->payload_len);
	h->proto = ip->proto;
	h->hop_limits = ip->hop_limit;
	memcpy(h->src_addr, &ip->src, sizeof(ip->src));
	memcpy(h->dst_addr, &ip->dst, sizeof(ip->dst));
}

uint32_t
dpt_ipv6_phdr_sum(const struct dpt_in6 *src, const struct dpt_in6 *dst,
		  uint32_t l4_len, uint8_t proto)
{
	uint32_t a[4], b[4];
	uint64_t sum;

	memcpy(a, src, sizeof(a));
	memcpy(b, dst, sizeof(b));
	/* RFC 8200 8.1: the addresses, the 32-bit upper-layer length and
	 * the next header after three zero bytes, as 16-bit words in
	 * network order, summed in memory order */
	sum = (uint64_t)a[0] + a[1] + a[2] + a[3] + b[0] + b[1] + b[2] +
	      b[3] + rte_cpu_to_be_16((uint16_t)(l4_len >> 16)) +
	      rte_cpu_to_be_16((uint16_t)l4_len) +
	      rte_cpu_to_be_16((uint16_t)proto);
	return dpt_cksum_fold(sum);
}

static uint16_t
l4_sum6(const struct rte_mbuf *m, const struct dpt_ipv6 *ip, uint32_t l4_off,
	uint32_t len)
{
	uint32_t sum = dpt_ipv6_phdr_sum(&ip->src, &ip->dst, len, ip->proto);

	if (l4_off + len <= m->data_len)
		sum += dpt_cksum(rte_pktmbuf_mtod_offset(m, const void *,
							 l4_off), len);
	else
		sum += dpt_cksum_mbuf(m, l4_off, len);
	return dpt_cksum_fold(sum);
}

uint16_t
dpt_ipv6_l4_cksum(const struct rte_mbuf *m, const struct dpt_ipv6 *ip,
		  uint32_t l4_off, uint32_t l4_len)
{
	uint16_t c = (uint16_t)~l4_sum6(m, ip, l4_off, l4_len);

	return c == 0 ? 0xffff : c; /* RFC 8200 8.1: UDP never sends 0 */
}

int
dpt_ipv6_l4_cksum_ok(const struct rte_mbuf *m, const struct dpt_ipv6 *ip,
		     uint32_t l4_off, uint32_t l4_len)
{
	return l4_sum6(m, ip, l4_off, l4_len) == 0xffff;
}
