/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_icmp6.c: the ICMPv6 a host needs (RFC 4443): echo replies built in
 * place from the request, rate-limited errors (the 2.4(e) rules), and
 * the errors we receive, passed to TCP when they quote one of its
 * segments (packet too big among them, RFC 8201). Neighbor Discovery's
 * messages go to dpt_nd.c; router advertisements, router solicitations
 * and redirects are counted and ignored.
 */
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>

#include "dpt_nd.h"
#include "dpt_netif.h"

#define ICMP6_HDR_LEN 8u
/* RFC 4443 2.4(c): an error carries as much of the packet as fits in the
 * minimum IPv6 MTU. */
#define ICMP6_ERR_MAX_LEN RTE_IPV6_MIN_MTU

/* Turn an echo request around in place (RFC 4443 4.2): the data is
 * returned untouched, only type, addresses and checksum change; the
 * request's extension headers are not returned. A request to a group
 * (all-nodes) is answered from our first usable address. */
static void
echo6_reply(struct dpt_netif *nif, struct rte_mbuf *m,
	    const struct dpt_ipv6 *ip, uint32_t len, uint64_t now)
{
	const uint32_t l4 = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr);
	const struct dpt_in6 *src = &ip->dst;
	struct dpt_ipv6 out = *ip;
	uint8_t *h;
	uint16_t old, new, ck;

	if (dpt_in6_is_multicast(&ip->dst)) {
		src = dpt_netif_addr6(nif);
		if (src == NULL)
			return dpt_netif_drop(nif, m,
					      DPT_STAT_ip6_drop_tentative);
	}
	rte_pktmbuf_adj(m, ip->hdr_len);
	rte_pktmbuf_prepend(m, l4);
	h = rte_pktmbuf_mtod_offset(m, uint8_t *, l4);
	dpt_ipv6_fill_from(nif, m, src, &ip->src, IPPROTO_ICMPV6, ip->tclass,
			   0, (uint16_t)len);
	if (src == &ip->dst) {
		/* the pseudo-header's addresses swapped: the same sum */
		memcpy(&old, h, sizeof(old));
		h[0] = ICMP6_ECHO_REPLY;
		memcpy(&new, h, sizeof(new));
		memcpy(&ck, h + 2, sizeof(ck));
		ck = dpt_cksum_update16(ck, old, new);
	} else {
		h[0] = ICMP6_ECHO_REPLY;
		h[2] = h[3] = 0;
		out.src = *src;
		out.dst = ip->src;
		out.proto = IPPROTO_ICMPV6;
		ck = dpt_ipv6_l4_cksum(m, &out, l4, len);
	}
	memcpy(h + 2, &ck, sizeof(ck));
	nif->stats->c[DPT_STAT_icmp6_tx_echo_reply]++;
	dpt_ipv6_output_frag(nif, m, &ip->src, now);
}

/* RFC 8201 4: a packet too big about a packet we sent to @dst lowers
 * the path's estimate to the MTU it reports, never below 1280 (nor
 * raises it: 5.1). The quote must be of a packet from one of our
 * addresses; TCP checks more before it acts on it (RFC 5927). */
static void
lower_path(struct dpt_netif *nif, const struct dpt_in6 *dst, uint32_t mtu,
	   uint64_t now)
{
	struct dpt_pmtu_path path;

	mtu = RTE_MAX(mtu, (uint32_t)RTE_IPV6_MIN_MTU);
	if (nif->pmtu6 == NULL)
		return;
	dpt_netif_path6(nif, dst, now, &path);
	if (mtu < path.mtu)
		dpt_pmtu6_set(nif->pmtu6, dst, (uint16_t)mtu, now);
}

/* An error goes to TCP or UDP when it quotes one of their datagrams (RFC
 * 4443 2.4(b)): the quoted IPv6 header (ours carry no extension headers)
 * from one of our addresses, then 8 bytes of TCP or UDP. The ports (and
 * TCP's sequence number) are the transport's to check (RFC 5927).
 * Packet too big: the path MTU cache lowered first, whatever the quoted
 * protocol, and the transport told the MTU raised to 1280 if below (RFC
 * 8201 4). */
static void
error6_input(struct dpt_netif *nif, struct rte_mbuf *m,
	     const struct dpt_ipv6 *ip, const uint8_t *hdr, uint64_t now)
{
	uint32_t off = ip->hdr_len + ICMP6_HDR_LEN;
	struct rte_ipv6_hdr qbuf;
	uint8_t tbuf[8];
	const struct rte_ipv6_hdr *q;
	const uint8_t *t;
	struct dpt_icmp_err e;
	uint32_t param;
	dpt_l4_err_t owner;
	void *ctx;

	q = rte_pktmbuf_read(m, off, sizeof(*q), &qbuf);
	if (q == NULL || (rte_be_to_cpu_32(q->vtc_flow) >> 28) != 6 ||
	    !dpt_netif_owns6(nif, (const struct dpt_in6 *)q->src_addr))
		return dpt_netif_drop(nif, m, DPT_STAT_icmp6_drop_quote);
	param = (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 |
		(uint32_t)hdr[6] << 8 | hdr[7];
	if (hdr[0] == ICMP6_PACKET_TOO_BIG)
		lower_path(nif, (const struct dpt_in6 *)q->dst_addr, param,
			   now);
	owner = dpt_netif_err_owner(nif, q->proto, &ctx);
	if (owner == NULL)
		return dpt_netif_drop(nif, m, DPT_STAT_icmp6_drop_quote);
	t = rte_pktmbuf_read(m, off + sizeof(*q), sizeof(tbuf), tbuf);
	if (t == NULL)
		return dpt_netif_drop(nif, m, DPT_STAT_icmp6_drop_quote);
	memset(&e, 0, sizeof(e));
	e.family = 6;
	e.type = hdr[0];
	e.code = hdr[1];
	memcpy(&e.src6, q->src_addr, sizeof(e.src6));
	memcpy(&e.dst6, q->dst_addr, sizeof(e.dst6));
	e.len = (uint16_t)RTE_MIN(sizeof(*q) +
				  rte_be_to_cpu_16(q->payload_len), 0xffffu);
	if (e.type == ICMP6_PACKET_TOO_BIG)
		e.mtu = (uint16_t)RTE_MAX(RTE_MIN(param, 0xffffu),
					  (uint32_t)RTE_IPV6_MIN_MTU);
	dpt_icmp_err_tcp(&e, t);
	rte_pktmbuf_free(m);
	owner(ctx, &e, now);
}

void
dpt_icmp6_input(struct dpt_netif *nif, struct rte_mbuf *m,
		const struct dpt_ipv6 *ip, uint64_t now)
{
	uint32_t len = sizeof(struct rte_ipv6_hdr) + ip->payload_len -
		       ip->hdr_len;
	uint8_t buf[ICMP6_HDR_LEN];
	const uint8_t *h;

	h = rte_pktmbuf_read(m, ip->hdr_len, ICMP6_HDR_LEN, buf);
	if (len < ICMP6_HDR_LEN || h == NULL)
		return dpt_netif_drop(nif, m, DPT_STAT_icmp6_drop_short);
	/* RFC 4443 2.3: the checksum covers the pseudo-header and the
	 * whole message; a good L4 mark is [port0] checksum = none's */
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) !=
	    RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
	    !dpt_ipv6_l4_cksum_ok(m, ip, ip->hdr_len, len))
		return dpt_netif_drop(nif, m, DPT_STAT_icmp6_drop_cksum);
	switch (h[0]) {
	case ICMP6_ECHO_REQUEST:
		nif->stats->c[DPT_STAT_icmp6_rx_echo_request]++;
		return echo6_reply(nif, m, ip, len, now);
	case ICMP6_ECHO_REPLY:
		nif->stats->c[DPT_STAT_icmp6_rx_echo_reply]++;
		rte_pktmbuf_free(m);
		return;
	case ND_NEIGHBOR_SOLICIT:
	case ND_NEIGHBOR_ADVERT:
		return dpt_nd_input(nif, m, ip, h[0], now);
	case ND_ROUTER_ADVERT:
		return dpt_netif_drop(nif, m, DPT_STAT_nd_drop_ra);
	case ND_ROUTER_SOLICIT:
	case ND_REDIRECT:
		return dpt_netif_drop(nif, m, DPT_STAT_nd_drop_ignored);
	case ICMP6_PACKET_TOO_BIG:
		nif->stats->c[DPT_STAT_icmp6_rx_too_big]++;
		return error6_input(nif, m, ip, h, now);
	case ICMP6_DST_UNREACH:
	case ICMP6_TIME_EXCEEDED:
	case ICMP6_PARAM_PROB:
		nif->stats->c[DPT_STAT_icmp6_rx_error]++;
		return error6_input(nif, m, ip, h, now);
	default:
		/* RFC 4443 2.4(a), (b): unknown informational messages
		 * are discarded, unknown errors have no one to go to */
		return dpt_netif_drop(nif, m, DPT_STAT_icmp6_drop_type);
	}
}

/* RFC 4443 2.4(e): whether an error about @orig may be sent at all. */
static int
error_allowed(const struct rte_mbuf *orig, const struct dpt_ipv6 *ip,
	      uint8_t type, uint8_t code)
{
	int group_ok = type == ICMP6_PACKET_TOO_BIG ||
		       (type == ICMP6_PARAM_PROB &&
			code == ICMP6_PARAMPROB_OPTION);
	const uint8_t *eth;
	uint8_t buf;

	/* (e.1) never about an error or a redirect */
	if (ip->proto == IPPROTO_ICMPV6 && ip->frag_off == 0) {
		const uint8_t *t = rte_pktmbuf_read(orig, ip->hdr_len, 1, &buf);

		if (t == NULL || *t < ICMP6_ECHO_REQUEST || *t == ND_REDIRECT)
			return 0;
	}
	/* (e.2) to a group, (e.3, e.4) in a link-layer group frame: the
	 * Ethernet header is still before the data, as input left it */
	if (!group_ok && dpt_in6_is_multicast(&ip->dst))
		return 0;
	if (!group_ok && rte_pktmbuf_headroom(orig) >= RTE_ETHER_HDR_LEN) {
		eth = rte_pktmbuf_mtod(orig, const uint8_t *) -
		      RTE_ETHER_HDR_LEN;
		if (eth[0] & 1)
			return 0;
	}
	/* (e.5) from a source that names no single node */
	return !dpt_in6_is_unspec(&ip->src) && !dpt_in6_is_multicast(&ip->src);
}

void
dpt_icmp6_send_error(struct dpt_netif *nif, const struct rte_mbuf *orig,
		     const struct dpt_ipv6 *ip, uint8_t type, uint8_t code,
		     uint32_t param, uint64_t now)
{
	const uint32_t l4 = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr);
	uint32_t len = RTE_MIN(orig->pkt_len, ICMP6_ERR_MAX_LEN -
			       (uint32_t)sizeof(struct rte_ipv6_hdr) -
			       ICMP6_HDR_LEN);
	const struct dpt_in6 *src = &ip->dst;
	struct dpt_ipv6 out;
	struct rte_mbuf *m;
	const void *q;
	uint8_t *h;
	uint16_t ck;

	if (!error_allowed(orig, ip, type, code)) {
		nif->stats->c[DPT_STAT_icmp6_no_error]++;
		return;
	}
	/* RFC 4443 2.2: from the address the packet was sent to, or (a
	 * group's) one of ours */
	if (!dpt_netif_owns6(nif, src))
		src = dpt_netif_addr6(nif);
	if (src == NULL) {
		nif->stats->c[DPT_STAT_icmp6_no_error]++;
		return;
	}
	if (!dpt_icmp_rate_ok(nif, now)) {
		nif->stats->c[DPT_STAT_icmp6_drop_ratelimit]++;
		return;
	}
	m = rte_pktmbuf_alloc(nif->pool);
	if (m == NULL || rte_pktmbuf_append(m, (uint16_t)(l4 + ICMP6_HDR_LEN +
							  len)) == NULL) {
		nif->stats->c[DPT_STAT_mbuf_alloc_fail]++;
		rte_pktmbuf_free(m);
		return;
	}
	h = rte_pktmbuf_mtod_offset(m, uint8_t *, l4);
	h[0] = type;
	h[1] = code;
	h[2] = h[3] = 0;
	h[4] = (uint8_t)(param >> 24);
	h[5] = (uint8_t)(param >> 16);
	h[6] = (uint8_t)(param >> 8);
	h[7] = (uint8_t)param;
	q = rte_pktmbuf_read(orig, 0, len, h + ICMP6_HDR_LEN);
	if (q != h + ICMP6_HDR_LEN)
		memcpy(h + ICMP6_HDR_LEN, q, len);
	dpt_ipv6_fill_from(nif, m, src, &ip->src, IPPROTO_ICMPV6, 0, 0,
			   (uint16_t)(ICMP6_HDR_LEN + len));
	out = (struct dpt_ipv6){ .src = *src, .dst = ip->src,
				 .proto = IPPROTO_ICMPV6 };
	ck = dpt_ipv6_l4_cksum(m, &out, l4, ICMP6_HDR_LEN + len);
	memcpy(h + 2, &ck, sizeof(ck));
	nif->stats->c[DPT_STAT_icmp6_tx_error]++;
	dpt_ipv6_output(nif, m, &ip->src, now);
}
