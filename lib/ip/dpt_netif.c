/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_netif.c: Ethernet demultiplexing, IPv4 input and output, routing.
 * Per packet: one parse per layer, no copies, no allocation. Fragments go
 * to reassembly (dpt_frag.c) and, whole, on like any datagram; datagrams
 * we send longer than their path are fragmented by DPDK's
 * rte_ipv4_fragment_packet() (indirect mbufs: no copy).
 */
#include <netinet/in.h>
#include <netinet/ip_icmp.h>

#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_udp.h>

#include "dpt_neigh.h"
#include "dpt_netif.h"
#include "dpt_time.h"

/* IPv6: on when an address is configured and there is an ND cache.
 * Every address starts tentative when DAD is on (RFC 4862 5.4); the
 * first dpt_ipv6_tick() starts it. */
static void
netif_init6(struct dpt_netif *nif, const struct dpt_netif_params *p)
{
	const struct dpt_netif_conf *c = p->conf;

	if (dpt_in6_is_unspec(&c->addr6) || p->neigh6 == NULL)
		return;
	nif->addr6 = c->addr6;
	nif->gateway6 = c->gateway6;
	nif->n_addrs6 = RTE_MIN(RTE_MAX(c->n_addrs6, 1u), 64u);
	nif->prefix6_len = (uint8_t)c->prefix6_len;
	nif->hop_limit = (uint8_t)(c->hop_limit ? c->hop_limit : 64);
	nif->neigh6 = p->neigh6;
	nif->pmtu6 = p->pmtu6;
	nif->nd_lead = p->nd_lead != 0;
	nif->dad_transmits = (uint8_t)c->dad_transmits;
	nif->dad_retrans = p->nd_retrans_us ? p->nd_retrans_us : dpt_s(1);
	if (nif->dad_transmits > 0) {
		nif->unusable6 = nif->n_addrs6 == 64 ? ~0ull :
				 (1ull << nif->n_addrs6) - 1;
		nif->dad_next = 1; /* due at the first tick */
	}
	dpt_netif_addr6_update(nif);
}

void
dpt_netif_init(struct dpt_netif *nif, const struct dpt_netif_params *p)
{
	uint32_t plen = p->conf->prefix_len;

	memset(nif, 0, sizeof(*nif));
	rte_ether_addr_copy(p->mac, &nif->mac);
	nif->addr = p->conf->addr;
	nif->n_addrs = p->conf->n_addrs ? p->conf->n_addrs : 1;
	nif->mask = plen ? ~0u << (32 - plen) : 0;
	nif->gateway = p->conf->gateway;
	nif->mtu = (uint16_t)p->conf->mtu;
	nif->ttl = (uint8_t)p->conf->ttl;
	nif->ip_id_step = p->n_lcores ? p->n_lcores : 1;
	nif->ip_id = nif->ip_id_first = p->lcore_index;
	nif->tx_ip_cksum = p->tx_ip_cksum != 0;
	nif->cksum_none = p->cksum_none != 0;
	nif->pool = p->pool;
	nif->stats = p->stats;
	nif->tx = p->tx;
	nif->neigh = p->neigh;
	nif->frag = p->frag;
	nif->pmtu = p->pmtu;
	nif->hdr_pool = p->hdr_pool != NULL ? p->hdr_pool : p->pool;
	nif->icmp_rate = p->conf->icmp_rate;
	nif->icmp_burst = (uint64_t)p->conf->icmp_burst * 1000000;
	nif->icmp_tokens = nif->icmp_burst;
	netif_init6(nif, p);
}

void
dpt_eth_input(struct dpt_netif *nif, struct rte_mbuf *m, uint64_t now)
{
	enum dpt_stat r;
	struct dpt_eth eth;

	nif->stats->c[DPT_STAT_rx_frames]++;
	nif->stats->c[DPT_STAT_rx_bytes] += m->pkt_len;
	dpt_netif_link_verified(nif, m);
	/* Upper layers rewrite headers in place: they must be contiguous.
	 * PMDs never split them unless mbufs are tiny. */
	if (unlikely(m->nb_segs > 1 &&
		     m->data_len < RTE_MIN(m->pkt_len, (uint32_t)DPT_HDR_CONTIG)))
		return dpt_netif_drop(nif, m, DPT_STAT_rx_drop_hdr_split);
	r = dpt_eth_parse(m, &eth);
	if (r != DPT_STAT_OK)
		return dpt_netif_drop(nif, m, r);
	/* IPv6 multicast (33:33:..., RFC 2464 7) is taken when IPv6 is on:
	 * the groups' addresses are checked at the IPv6 layer */
	if (!rte_is_same_ether_addr(&eth.dst, &nif->mac) &&
	    !rte_is_broadcast_ether_addr(&eth.dst) &&
	    !(eth.dst.addr_bytes[0] == 0x33 && eth.dst.addr_bytes[1] == 0x33 &&
	      nif->n_addrs6 != 0))
		return dpt_netif_drop(nif, m,
				      rte_is_multicast_ether_addr(&eth.dst) ?
				      DPT_STAT_eth_drop_multicast :
				      DPT_STAT_eth_drop_not_for_us);
	switch (eth.type) {
	case RTE_ETHER_TYPE_IPV4:
		return dpt_ipv4_input(nif, m, eth.hdr_len, now);
	case RTE_ETHER_TYPE_ARP:
		return dpt_arp_input(nif, m, &eth, now);
	case RTE_ETHER_TYPE_IPV6:
		if (nif->n_addrs6 == 0)
			break; /* IPv6 off */
		return dpt_ipv6_input(nif, m, eth.hdr_len, now);
	default:
		break;
	}
	dpt_netif_drop(nif, m, DPT_STAT_eth_drop_ethertype);
}

/* RFC 1122 3.2.1.3: a source address must be a unicast host; any of ours,
 * or the subnet's broadcast, is a spoof. */
static int
bad_source(const struct dpt_netif *nif, uint32_t src)
{
	return dpt_ipv4_src_is_martian(src) || dpt_netif_owns(nif, src) ||
	       (nif->mask != ~0u && nif->mask != ~1u &&
		(src & ~nif->mask) == ~nif->mask &&
		(src & nif->mask) == (nif->addr & nif->mask));
}

static int
udp_cksum_ok(const struct rte_mbuf *m, uint32_t l4_off)
{
	switch (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
	case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
		return 1;
	case RTE_MBUF_F_RX_L4_CKSUM_BAD:
		return 0;
	default: /* input checked the IPv4 header is contiguous */
		return dpt_ipv4_l4_cksum_ok(m, rte_pktmbuf_mtod(m,
			const struct rte_ipv4_hdr *), l4_off);
	}
}

/* UDP without lib/udp (nif->udp_input NULL), @p m's data at the IPv4
 * header: no UDP port is open, so every datagram is for a closed one. RFC 1122 4.1.3.4: one whose non-zero
 * checksum is wrong MUST be discarded silently; else 4.1.3.1: ICMP port
 * unreachable (a SHOULD; rate-limited as every error). A length field
 * other than IP's payload (RFC 768) is refused: no stack sends one. */
static void
udp_input(struct dpt_netif *nif, struct rte_mbuf *m, const struct dpt_ipv4 *ip,
	  uint64_t now)
{
	uint32_t len = ip->total_len - ip->hdr_len;
	struct rte_udp_hdr buf;
	const struct rte_udp_hdr *h = rte_pktmbuf_read(m, ip->hdr_len,
						       sizeof(buf), &buf);

	if (h == NULL || rte_be_to_cpu_16(h->dgram_len) != len)
		return dpt_netif_drop(nif, m, DPT_STAT_udp_drop_len);
	if (h->dgram_cksum != 0 && !udp_cksum_ok(m, ip->hdr_len))
		return dpt_netif_drop(nif, m, DPT_STAT_udp_drop_cksum);
	dpt_icmp_send_unreach(nif, m, ip, ICMP_PORT_UNREACH, now);
	dpt_netif_drop(nif, m, DPT_STAT_udp_drop_no_port);
}

/* Local delivery of a whole datagram, @m's data at its IPv4 header. */
static void
ipv4_deliver(struct dpt_netif *nif, struct rte_mbuf *m,
	     const struct dpt_ipv4 *ip, uint64_t now)
{
	if (ip->proto == IPPROTO_ICMP)
		return dpt_icmp_input(nif, m, ip, now);
	if (ip->proto == IPPROTO_TCP && nif->tcp_input != NULL) {
		rte_pktmbuf_adj(m, ip->hdr_len);
		return nif->tcp_input(nif->tcp_ctx, m, ip, now);
	}
	if (ip->proto == IPPROTO_UDP && nif->udp_input != NULL) {
		rte_pktmbuf_adj(m, ip->hdr_len);
		return nif->udp_input(nif->udp_ctx, m, ip, now);
	}
	if (ip->proto == IPPROTO_UDP)
		return udp_input(nif, m, ip, now);
	/* RFC 1122 3.2.2.1: a host SHOULD send protocol unreachable for a
	 * transport protocol it does not support. */
	dpt_icmp_send_unreach(nif, m, ip, ICMP_PROT_UNREACH, now);
	dpt_netif_drop(nif, m, DPT_STAT_ip_drop_proto);
}

/* A fragment, @m's data at its IPv4 header: reassembled, then delivered
 * (on the lcore owning it, when that is another). A protocol we serve
 * nothing over is answered as its whole datagram would be, without
 * holding anything: its first fragment gets the protocol unreachable
 * (RFC 1122 3.2.2: no error about later ones). */
static void
ipv4_fragment_in(struct dpt_netif *nif, struct rte_mbuf *m,
		 struct dpt_ipv4 *ip, uint64_t now)
{
	if (nif->frag == NULL)
		return dpt_netif_drop(nif, m, DPT_STAT_ip_drop_fragment);
	if (ip->proto != IPPROTO_ICMP && ip->proto != IPPROTO_UDP &&
	    (ip->proto != IPPROTO_TCP || nif->tcp_input == NULL)) {
		if ((ip->frag & RTE_IPV4_HDR_OFFSET_MASK) == 0)
			dpt_icmp_send_unreach(nif, m, ip, ICMP_PROT_UNREACH,
					      now);
		return dpt_netif_drop(nif, m, DPT_STAT_ip_drop_proto);
	}
	m = dpt_frag_input(nif->frag, m, ip, now);
	if (m == NULL)
		return;
	/* reassembly cleared the fragments' marks */
	dpt_netif_link_verified(nif, m);
	if (nif->handoff != NULL) {
		/* the first fragment's Ethernet header is still there */
		rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN);
		if (nif->handoff(nif->handoff_arg, m))
			return;
		rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
	}
	ipv4_deliver(nif, m, ip, now);
}

void
dpt_ipv4_input(struct dpt_netif *nif, struct rte_mbuf *m, uint32_t off,
	       uint64_t now)
{
	struct dpt_ipv4 ip;
	enum dpt_stat r;

	r = dpt_ipv4_parse(m, off, &ip);
	if (r != DPT_STAT_OK && r != DPT_STAT_ip_drop_fragment)
		return dpt_netif_drop(nif, m, r);
	/* A host is not a router: only our own addresses are local (RFC 1122
	 * 3.3.4.2: any of a multihomed host's addresses). Broadcast and
	 * multicast datagrams carry nothing dptcp serves. */
	if (!dpt_netif_owns(nif, ip.dst))
		return dpt_netif_drop(nif, m, DPT_STAT_ip_drop_not_for_us);
	if (bad_source(nif, ip.src))
		return dpt_netif_drop(nif, m, DPT_STAT_ip_drop_bad_src);
	/* RFC 1122 3.2.1.7: a host MUST NOT discard a datagram just because
	 * it was received with TTL less than 2. Counted, delivered. */
	if (ip.ttl < 2)
		nif->stats->c[DPT_STAT_ip_rx_ttl_low]++;
	nif->stats->c[DPT_STAT_ip_rx]++;
	/* Drop Ethernet padding past the IP total length. */
	if (m->pkt_len > off + ip.total_len)
		rte_pktmbuf_trim(m, m->pkt_len - off - ip.total_len);
	rte_pktmbuf_adj(m, off);
	if (r == DPT_STAT_ip_drop_fragment)
		return ipv4_fragment_in(nif, m, &ip, now);
	ipv4_deliver(nif, m, &ip, now);
}

void
dpt_ipv4_tick(struct dpt_netif *nif, uint64_t now)
{
	struct rte_mbuf *first;
	struct dpt_ipv4 ip;

	if (nif->frag == NULL)
		return;
	while (dpt_frag_expire(nif->frag, now, &first)) {
		const uint8_t *type;
		uint8_t buf;

		if (first == NULL)
			continue;
		if ((*rte_pktmbuf_mtod(first, const uint8_t *) >> 4) == 6) {
			dpt_ipv6_frag_timeout(nif, first, now);
			continue;
		}
		/* RFC 1122 3.3.2: a time exceeded (code 1) SHOULD go to the
		 * source when fragment zero came; 3.2.2: never about an ICMP
		 * error (only an echo request is worth one). The fragment
		 * parses as it did on arrival. */
		dpt_ipv4_parse(first, 0, &ip);
		type = rte_pktmbuf_read(first, ip.hdr_len, 1, &buf);
		if (ip.proto != IPPROTO_ICMP ||
		    (type != NULL && *type == ICMP_ECHO))
			dpt_icmp_send_error(nif, first, &ip,
					    ICMP_TIME_EXCEEDED,
					    ICMP_EXC_FRAGTIME, now);
		rte_pktmbuf_free(first);
	}
}

uint32_t
dpt_route_nexthop(const struct dpt_netif *nif, uint32_t dst)
{
	if (((dst ^ nif->addr) & nif->mask) == 0)
		return dst;
	return nif->gateway;
}

/* Most fragments one datagram we send becomes: 65535 bytes in the 552
 * bytes a 576-byte path carries (we never fragment for less). */
#define MAX_FRAGS_OUT 120

/* Whether @m (Ethernet room, then IPv4) needs fragments for its path
 * towards @dst: longer than the narrowest path can be, without DF, and
 * longer than this path. *mtu: the size to fragment to. */
static int
needs_fragments(const struct dpt_netif *nif, const struct rte_mbuf *m,
		uint32_t dst, uint64_t now, uint16_t *mtu)
{
	const struct rte_ipv4_hdr *h;
	struct dpt_pmtu_path path;
	uint32_t len = m->pkt_len - RTE_ETHER_HDR_LEN;

	if (len <= (nif->pmtu != NULL ? dpt_pmtu_floor(nif->pmtu) : nif->mtu))
		return 0; /* most packets: one compare */
	h = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
				    RTE_ETHER_HDR_LEN);
	if (h->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG))
		return 0; /* sized for its path by its sender (TCP) */
	dpt_netif_path(nif, dst, now, &path);
	*mtu = (uint16_t)RTE_MIN(nif->mtu, RTE_MAX(path.mtu, 576u));
	return len > *mtu;
}

/* RFC 791 3.2: send @m (Ethernet room, then IPv4) as fragments of at most
 * @mtu bytes towards next hop @nh. */
static void
ipv4_fragment_out(struct dpt_netif *nif, struct rte_mbuf *m, uint32_t nh,
		  uint16_t mtu, uint64_t now)
{
	struct rte_mbuf *out[MAX_FRAGS_OUT];
	int32_t n;

	rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
	n = rte_ipv4_fragment_packet(m, out, RTE_DIM(out), mtu, nif->hdr_pool,
				     nif->hdr_pool);
	rte_pktmbuf_free(m); /* the fragments hold references to its data */
	if (n < 0) {
		nif->stats->c[DPT_STAT_ip_drop_frag_out]++;
		return;
	}
	nif->stats->c[DPT_STAT_ip_tx_fragmented]++;
	for (int32_t i = 0; i < n; i++) {
		struct rte_mbuf *f = out[i];
		struct rte_ipv4_hdr *h;

		rte_pktmbuf_prepend(f, RTE_ETHER_HDR_LEN);
		h = rte_pktmbuf_mtod_offset(f, struct rte_ipv4_hdr *,
					    RTE_ETHER_HDR_LEN);
		f->l2_len = RTE_ETHER_HDR_LEN;
		f->ol_flags = RTE_MBUF_F_TX_IPV4;
		if (nif->tx_ip_cksum)
			f->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
		else if (!nif->cksum_none)
			h->hdr_checksum = rte_ipv4_cksum(h);
		nif->stats->c[DPT_STAT_ip_tx]++;
		nif->stats->c[DPT_STAT_ip_tx_frags]++;
		dpt_neigh_output(nif, f, nh, now);
	}
}

void
dpt_ipv4_output(struct dpt_netif *nif, struct rte_mbuf *m, uint32_t dst,
		uint64_t now)
{
	uint32_t nh = dpt_route_nexthop(nif, dst);
	uint16_t mtu;

	if (nh == 0)
		return dpt_netif_drop(nif, m, DPT_STAT_ip_drop_no_route);
	if (unlikely(needs_fragments(nif, m, dst, now, &mtu)))
		return ipv4_fragment_out(nif, m, nh, mtu, now);
	nif->stats->c[DPT_STAT_ip_tx]++;
	dpt_neigh_output(nif, m, nh, now);
}

void
dpt_ipv4_fill_from(struct dpt_netif *nif, struct rte_mbuf *m, uint32_t src,
		   uint32_t dst, uint8_t proto, uint8_t tos, uint16_t len, int df)
{
	struct dpt_ipv4 ip = {
		.src = src,
		.dst = dst,
		.total_len = len,
		.id = nif->ip_id,
		.frag = df ? RTE_IPV4_HDR_DF_FLAG : 0,
		.ttl = nif->ttl,
		.proto = proto,
		.tos = tos,
	};

	/* RFC 6864 4.1: the ID of an atomic (DF) datagram has no meaning;
	 * the rest take a per-lcore counter that steps over the other
	 * lcores' values, so none repeats an ID another just used towards
	 * the same destination (4.2) */
	dpt_netif_skip_ip_ids(nif, 1);
	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(struct rte_ipv4_hdr);
	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	if (nif->tx_ip_cksum)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	dpt_ipv4_write(m, RTE_ETHER_HDR_LEN, &ip,
		       !nif->tx_ip_cksum && !nif->cksum_none);
}
