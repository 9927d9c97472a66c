/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_ipv6.c: IPv6 input and output (RFC 8200) and its routing: the
 * fixed header and extension headers validated once (dpt_ipv6_parse()),
 * local delivery to ICMPv6, TCP or UDP, the on-link/default-router route
 * decision, and the hand-off to the ND cache (dpt_neigh.h). Per packet:
 * one parse, no copies, no allocation. IPv6 is off (EtherType 0x86DD
 * dropped as before) while [port0] address6 is not set.
 */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>

#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_random.h>
#include <rte_udp.h>

#include "dpt_nd.h"
#include "dpt_neigh.h"
#include "dpt_netif.h"

/* Where a destination address stands for us. */
enum dst_kind {
	DST_NOT_OURS,
	DST_OURS,       /* one of our usable addresses */
	DST_TENTATIVE,  /* ours, under DAD */
	DST_GROUP,      /* a multicast group we are in */
};

static const struct dpt_in6 all_nodes = { .b = { 0xff, 0x02, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0x01 } };

/* RFC 4291 2.7.1, RFC 4861 7.2.1: we are in the all-nodes group and the
 * solicited-node group of each of our addresses (ff02::1:ffXX:XXXX, the
 * low 24 bits; ours are consecutive in the low 32). */
static int
in_group(const struct dpt_netif *nif, const struct dpt_in6 *d)
{
	struct dpt_in6 sn;
	uint32_t low = dpt_in6_low32(d) & 0xffffff;

	if (dpt_in6_eq(d, &all_nodes))
		return 1;
	dpt_in6_solicited_node(&nif->addr6, &sn);
	return memcmp(d, &sn, 13) == 0 &&
	       ((low - (dpt_in6_low32(&nif->addr6) & 0xffffff)) & 0xffffff) <
	       nif->n_addrs6;
}

static enum dst_kind
dst_kind(const struct dpt_netif *nif, const struct dpt_in6 *d)
{
	uint32_t i;

	if (dpt_in6_is_multicast(d))
		return in_group(nif, d) ? DST_GROUP : DST_NOT_OURS;
	if (!dpt_netif_in_range6(nif, d))
		return DST_NOT_OURS;
	i = dpt_in6_low32(d) - dpt_in6_low32(&nif->addr6);
	if (nif->dup6 >> i & 1)
		return DST_NOT_OURS; /* another node's (RFC 4862 5.4.5) */
	return nif->unusable6 >> i & 1 ? DST_TENTATIVE : DST_OURS;
}

const struct dpt_in6 *
dpt_netif_addr6(const struct dpt_netif *nif)
{
	return nif->has_first6 ? &nif->first6 : NULL;
}

void
dpt_netif_addr6_update(struct dpt_netif *nif)
{
	nif->has_first6 = 0;
	for (uint32_t i = 0; i < nif->n_addrs6; i++) {
		uint32_t low = dpt_in6_low32(&nif->addr6) + i;

		if (nif->unusable6 >> i & 1)
			continue;
		nif->first6 = nif->addr6;
		nif->first6.b[12] = (uint8_t)(low >> 24);
		nif->first6.b[13] = (uint8_t)(low >> 16);
		nif->first6.b[14] = (uint8_t)(low >> 8);
		nif->first6.b[15] = (uint8_t)low;
		nif->has_first6 = 1;
		return;
	}
}

/* UDP over IPv6, @m's data at the IPv6 header: no UDP port is open here
 * (the UDP layer's udp6_input takes them when there is one). RFC 8200
 * 8.1: a zero checksum is invalid over IPv6; a wrong one is discarded
 * silently (RFC 1122 4.1.3.4); else port unreachable (RFC 4443 3.1). */
static void
udp6_closed(struct dpt_netif *nif, struct rte_mbuf *m,
	    const struct dpt_ipv6 *ip, uint64_t now)
{
	uint32_t len = sizeof(struct rte_ipv6_hdr) + ip->payload_len -
		       ip->hdr_len;
	struct rte_udp_hdr buf;
	const struct rte_udp_hdr *h = rte_pktmbuf_read(m, ip->hdr_len,
						       sizeof(buf), &buf);

	if (h == NULL || rte_be_to_cpu_16(h->dgram_len) != len)
		return dpt_netif_drop(nif, m, DPT_STAT_udp_drop_len);
	if (h->dgram_cksum == 0 ||
	    ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) !=
	     RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
	     !dpt_ipv6_l4_cksum_ok(m, ip, ip->hdr_len, len)))
		return dpt_netif_drop(nif, m, DPT_STAT_udp_drop_cksum);
	dpt_icmp6_send_error(nif, m, ip, ICMP6_DST_UNREACH,
			     ICMP6_DST_UNREACH_NOPORT, 0, now);
	dpt_netif_drop(nif, m, DPT_STAT_udp_drop_no_port);
}

/* Local delivery of a whole packet, @m's data at its IPv6 header; @nh_ptr
 * is where its last next header field is (for parameter problem). */
static void
ipv6_deliver(struct dpt_netif *nif, struct rte_mbuf *m,
	     const struct dpt_ipv6 *ip, uint32_t nh_ptr, uint64_t now)
{
	switch (ip->proto) {
	case IPPROTO_ICMPV6:
		return dpt_icmp6_input(nif, m, ip, now);
	case IPPROTO_TCP:
		if (nif->tcp6_input == NULL)
			break;
		rte_pktmbuf_adj(m, ip->hdr_len);
		return nif->tcp6_input(nif->tcp_ctx, m, ip, now);
	case IPPROTO_UDP:
		if (nif->udp6_input == NULL)
			return udp6_closed(nif, m, ip, now);
		rte_pktmbuf_adj(m, ip->hdr_len);
		return nif->udp6_input(nif->udp_ctx, m, ip, now);
	case IPPROTO_NONE:
		/* RFC 8200 4.7: nothing follows */
		return dpt_netif_drop(nif, m, DPT_STAT_ip6_drop_no_next);
	}
	/* RFC 8200 4: an unrecognised next header: parameter problem code
	 * 1, pointing at it */
	dpt_icmp6_send_error(nif, m, ip, ICMP6_PARAM_PROB,
			     ICMP6_PARAMPROB_NEXTHEADER, nh_ptr, now);
	dpt_netif_drop(nif, m, DPT_STAT_ip6_drop_proto);
}

/* A fragment, @m's data at its IPv6 header: reassembled (RFC 8200 4.5),
 * then delivered (on the lcore owning it, when that is another). A
 * protocol we serve nothing over is refused at once, the first fragment
 * with a parameter problem (RFC 8200 4: unrecognised next header). */
static void
ipv6_fragment_in(struct dpt_netif *nif, struct rte_mbuf *m,
		 struct dpt_ipv6 *ip, uint64_t now)
{
	uint32_t ptr;
	uint8_t code;

	if (nif->frag == NULL)
		return dpt_netif_drop(nif, m, DPT_STAT_ip6_drop_fragment);
	if (ip->proto != IPPROTO_ICMPV6 && ip->proto != IPPROTO_UDP &&
	    ip->proto != IPPROTO_DSTOPTS &&
	    (ip->proto != IPPROTO_TCP || nif->tcp6_input == NULL)) {
		if (ip->frag_off == 0)
			dpt_icmp6_send_error(nif, m, ip, ICMP6_PARAM_PROB,
					     ICMP6_PARAMPROB_NEXTHEADER,
					     ip->hdr_len - 8u, now);
		return dpt_netif_drop(nif, m, DPT_STAT_ip6_drop_proto);
	}
	m = dpt_frag_input6(nif->frag, m, ip, now);
	if (m == NULL)
		return;
	dpt_netif_link_verified(nif, m); /* reassembly cleared the marks */
	if (nif->handoff != NULL) {
		/* the first fragment's Ethernet header is still there */
		rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN);
		if (nif->handoff(nif->handoff_arg, m))
			return;
		rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
	}
	/* where the next header naming the upper layer is, for errors */
	dpt_ipv6_parse_ex(m, 0, ip, &ptr, &code);
	ipv6_deliver(nif, m, ip, ptr, now);
}

void
dpt_ipv6_frag_timeout(struct dpt_netif *nif, struct rte_mbuf *first,
		      uint64_t now)
{
	struct dpt_ipv6 ip;

	/* RFC 8200 4.5: the first fragment came, the rest did not in
	 * time: time exceeded, code 1, to its source. It parses as it did
	 * on arrival. */
	if (dpt_ipv6_parse(first, 0, &ip) == DPT_STAT_ip6_drop_fragment)
		dpt_icmp6_send_error(nif, first, &ip, ICMP6_TIME_EXCEEDED,
				     ICMP6_TIME_EXCEED_REASSEMBLY, 0, now);
	rte_pktmbuf_free(first);
}

/* RFC 4291 2.5.2, 2.7: neither :: nor multicast may be a source; nor
 * one of our addresses. But for ND messages (ICMPv6, hop limit 255, RFC
 * 4861 7.1), which ND validates: :: is a node under DAD, and one of our
 * addresses another node claiming it, which DAD must hear (RFC 4862
 * 5.4.3, 5.4.4). */
static int
bad_source6(const struct dpt_netif *nif, const struct dpt_ipv6 *ip)
{
	int nd = ip->proto == IPPROTO_ICMPV6 && ip->hop_limit == 255;

	return dpt_in6_is_multicast(&ip->src) ||
	       ((dpt_in6_is_unspec(&ip->src) ||
		 dpt_netif_in_range6(nif, &ip->src)) && !nd);
}

void
dpt_ipv6_input(struct dpt_netif *nif, struct rte_mbuf *m, uint32_t off,
	       uint64_t now)
{
	struct dpt_ipv6 ip;
	enum dpt_stat r;
	uint32_t ptr = 0;
	uint8_t code = 0xff;

	r = dpt_ipv6_parse_ex(m, off, &ip, &ptr, &code);
	switch (r) {
	case DPT_STAT_OK:
	case DPT_STAT_ip6_drop_fragment:
	case DPT_STAT_ip6_drop_option:
	case DPT_STAT_ip6_drop_rh0:
	case DPT_STAT_ip6_drop_routing:
	case DPT_STAT_ip6_drop_hbh_pos:
		break; /* the header is whole: addresses first */
	default:
		return dpt_netif_drop(nif, m, r);
	}
	switch (dst_kind(nif, &ip.dst)) {
	case DST_GROUP:
		/* the groups we are in carry ND and echo requests; no
		 * transport of ours listens on a group (a header fault
		 * goes on, to be counted as such) */
		if (ip.proto == IPPROTO_ICMPV6 ||
		    (r != DPT_STAT_OK && r != DPT_STAT_ip6_drop_fragment))
			break;
		/* fall through */
	case DST_NOT_OURS:
		return dpt_netif_drop(nif, m, DPT_STAT_ip6_drop_not_for_us);
	case DST_TENTATIVE:
		/* RFC 4862 5.4: silently discarded until DAD ends */
		return dpt_netif_drop(nif, m, DPT_STAT_ip6_drop_tentative);
	default:
		break;
	}
	if (bad_source6(nif, &ip))
		return dpt_netif_drop(nif, m, DPT_STAT_ip6_drop_bad_src);
	nif->stats->c[DPT_STAT_ip6_rx]++;
	/* Drop Ethernet padding past the payload. */
	if (m->pkt_len > off + sizeof(struct rte_ipv6_hdr) + ip.payload_len)
		rte_pktmbuf_trim(m, m->pkt_len - off -
				 (uint32_t)sizeof(struct rte_ipv6_hdr) -
				 ip.payload_len);
	rte_pktmbuf_adj(m, off);
	if (r == DPT_STAT_OK)
		return ipv6_deliver(nif, m, &ip, ptr, now);
	if (r == DPT_STAT_ip6_drop_fragment)
		return ipv6_fragment_in(nif, m, &ip, now);
	/* RFC 8200 4.2, 4.4: parameter problem about the option or
	 * routing header, where the rules allow one */
	if (code != 0xff)
		dpt_icmp6_send_error(nif, m, &ip, ICMP6_PARAM_PROB, code, ptr,
				     now);
	dpt_netif_drop(nif, m, r);
}

int
dpt_route6_nexthop(const struct dpt_netif *nif, const struct dpt_in6 *dst,
		   struct dpt_in6 *nh)
{
	uint32_t full = nif->prefix6_len / 8, rest = nif->prefix6_len % 8;

	/* RFC 4861 5.2: on-link: our prefix, link-local fe80::/10, and
	 * multicast (RFC 4291 2.7) */
	if ((memcmp(dst, &nif->addr6, full) == 0 &&
	     (rest == 0 || ((dst->b[full] ^ nif->addr6.b[full]) &
			    (0xff00 >> rest)) == 0)) ||
	    (dst->b[0] == 0xfe && (dst->b[1] & 0xc0) == 0x80) ||
	    dpt_in6_is_multicast(dst)) {
		*nh = *dst;
		return 0;
	}
	if (dpt_in6_is_unspec(&nif->gateway6))
		return -ENETUNREACH;
	*nh = nif->gateway6;
	return 0;
}

void
dpt_netif_path6(const struct dpt_netif *nif, const struct dpt_in6 *dst,
		uint64_t now, struct dpt_pmtu_path *out)
{
	/* [port0] mtu is at least 1280 when IPv6 is on (lib/cfg), and the
	 * cache never holds less (RFC 8201 4) */
	if (nif->pmtu6 != NULL)
		return dpt_pmtu6_get(nif->pmtu6, dst, now, out);
	out->mtu = nif->mtu;
	out->nodf = 0;
	out->until = UINT64_MAX;
}

void
dpt_ipv6_fill_from(struct dpt_netif *nif, struct rte_mbuf *m,
		   const struct dpt_in6 *src, const struct dpt_in6 *dst,
		   uint8_t proto, uint8_t tclass, uint32_t flow,
		   uint16_t payload_len)
{
	struct dpt_ipv6 ip = {
		.src = *src,
		.dst = *dst,
		.flow = flow,
		.payload_len = payload_len,
		.proto = proto,
		.hop_limit = nif->hop_limit,
		.tclass = tclass,
	};

	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(struct rte_ipv6_hdr);
	m->ol_flags |= RTE_MBUF_F_TX_IPV6;
	dpt_ipv6_write(m, RTE_ETHER_HDR_LEN, &ip);
}

/* Whether @m (Ethernet room, then IPv6) is longer than its path allows:
 * one compare for most packets; TCP's large sends are cut to the path by
 * TSO or GSO after. */
static int
too_big(const struct dpt_netif *nif, const struct rte_mbuf *m,
	const struct dpt_in6 *dst, uint64_t now)
{
	uint32_t len = m->pkt_len - RTE_ETHER_HDR_LEN;
	struct dpt_pmtu_path path;

	if (len <= RTE_IPV6_MIN_MTU || (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG))
		return 0;
	dpt_netif_path6(nif, dst, now, &path);
	return len > path.mtu;
}

/* Send one finished frame (Ethernet room, then IPv6) to next hop @nh. */
static void
ipv6_xmit(struct dpt_netif *nif, struct rte_mbuf *m, const struct dpt_in6 *dst,
	  const struct dpt_in6 *nh, uint64_t now)
{
	nif->stats->c[DPT_STAT_ip6_tx]++;
	if (dpt_in6_is_multicast(dst)) {
		struct rte_ether_addr mac;

		/* RFC 2464 7: no resolution for a group */
		dpt_in6_mcast_mac(dst, &mac);
		dpt_eth_write(m, &mac, &nif->mac, RTE_ETHER_TYPE_IPV6);
		dpt_tx_push(nif->tx, m);
		return;
	}
	dpt_neigh6_output(nif, m, nh, now);
}

void
dpt_ipv6_output(struct dpt_netif *nif, struct rte_mbuf *m,
		const struct dpt_in6 *dst, uint64_t now)
{
	struct dpt_in6 nh;

	if (dpt_route6_nexthop(nif, dst, &nh) != 0)
		return dpt_netif_drop(nif, m, DPT_STAT_ip6_drop_no_route);
	if (unlikely(too_big(nif, m, dst, now)))
		return dpt_netif_drop(nif, m, DPT_STAT_ip6_drop_too_big);
	ipv6_xmit(nif, m, dst, &nh, now);
}

/* Most fragments one packet we send becomes: 65535 bytes in the 1232 a
 * 1280-byte path carries. */
#define MAX_FRAGS6_OUT 56

void
dpt_ipv6_output_frag(struct dpt_netif *nif, struct rte_mbuf *m,
		     const struct dpt_in6 *dst, uint64_t now)
{
	struct rte_mbuf *out[MAX_FRAGS6_OUT];
	struct dpt_pmtu_path path;
	struct dpt_in6 nh;
	uint32_t id;
	int32_t n;

	if (m->pkt_len - RTE_ETHER_HDR_LEN <= RTE_IPV6_MIN_MTU)
		return dpt_ipv6_output(nif, m, dst, now);
	dpt_netif_path6(nif, dst, now, &path);
	if (m->pkt_len - RTE_ETHER_HDR_LEN <= path.mtu)
		return dpt_ipv6_output(nif, m, dst, now);
	if (dpt_route6_nexthop(nif, dst, &nh) != 0)
		return dpt_netif_drop(nif, m, DPT_STAT_ip6_drop_no_route);
	/* RFC 8200 4.5: fragment headers after the fixed header (ours have
	 * no extension headers), indirect mbufs: no copy of the data */
	rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
	n = rte_ipv6_fragment_packet(m, out, RTE_DIM(out), path.mtu,
				     nif->hdr_pool, nif->hdr_pool);
	rte_pktmbuf_free(m); /* the fragments hold references to its data */
	if (n < 0) {
		nif->stats->c[DPT_STAT_ip_drop_frag_out]++;
		return;
	}
	/* RFC 7739 3.1: an identification no one can predict */
	id = (uint32_t)rte_rand();
	for (int32_t i = 0; i < n; i++) {
		struct rte_mbuf *f = out[i];
		struct rte_ipv6_fragment_ext *fh;

		rte_pktmbuf_prepend(f, RTE_ETHER_HDR_LEN);
		fh = rte_pktmbuf_mtod_offset(f, struct rte_ipv6_fragment_ext *,
					     RTE_ETHER_HDR_LEN +
					     sizeof(struct rte_ipv6_hdr));
		fh->id = rte_cpu_to_be_32(id);
		f->l2_len = RTE_ETHER_HDR_LEN;
		f->l3_len = sizeof(struct rte_ipv6_hdr) + sizeof(*fh);
		f->ol_flags = RTE_MBUF_F_TX_IPV6;
		nif->stats->c[DPT_STAT_ip6_tx_frags]++;
		ipv6_xmit(nif, f, dst, &nh, now);
	}
}

void
dpt_ipv6_tick(struct dpt_netif *nif, uint64_t now)
{
	if (nif->n_addrs6 == 0)
		return;
	dpt_nd_dad_tick(nif, now);
}
