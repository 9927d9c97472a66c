/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_nd.c: neighbor solicitations and advertisements (RFC 4861) and
 * duplicate address detection (RFC 4862 5.4); see dpt_nd.h. ND messages
 * are rare (a few per neighbour and reachable time): each is built in a
 * fresh mbuf, 86 bytes.
 */
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_log.h>

#include "dpt_nd.h"
#include "dpt_neigh.h"
#include "dpt_netif.h"

RTE_LOG_REGISTER_DEFAULT(dpt_nd_logtype, INFO);
#define LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, dpt_nd_logtype, "dpt_nd: " fmt "\n", \
		__VA_ARGS__)

#define ND_HDR_LEN 24u  /* type, code, checksum, flags, target */
#define ND_OPT_LLA_LEN 8u /* an Ethernet link-layer address option */
#define ND_HOP_LIMIT 255  /* RFC 4861 7.1: only from on-link */

/* What a validated solicitation or advertisement says. */
struct nd_msg {
	uint8_t type;               /* ND_NEIGHBOR_SOLICIT or _ADVERT */
	uint8_t flags;              /* NA: R, S, O in the high bits */
	uint8_t has_lla;            /* a source (NS) or target (NA)
				     * link-layer address option came */
	struct dpt_in6 target;
	struct rte_ether_addr lla;
};

#define NA_R 0x80 /* RFC 4861 4.4: router */
#define NA_S 0x40 /* solicited */
#define NA_O 0x20 /* override */

/* ff02::1:ff00:0/104 (RFC 4291 2.7.1) */
static int
is_solicited_node(const struct dpt_in6 *a)
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0,
					 0, 0x01, 0xff };

	return memcmp(a->b, pfx, sizeof(pfx)) == 0;
}

/* Build and send one ND message: @target, flags (NA), and an option
 * carrying our MAC of type @opt (ND_OPT_SOURCE_LINKADDR or
 * _TARGET_LINKADDR; 0: none). */
static void
nd_send(struct dpt_netif *nif, uint8_t type, const struct dpt_in6 *src,
	const struct dpt_in6 *dst, const struct rte_ether_addr *eth_dst,
	const struct dpt_in6 *target, uint8_t flags, uint8_t opt)
{
	uint32_t len = ND_HDR_LEN + (opt ? ND_OPT_LLA_LEN : 0);
	const uint32_t l4 = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr);
	struct dpt_ipv6 ip = { .src = *src, .dst = *dst,
			       .hop_limit = ND_HOP_LIMIT,
			       .proto = IPPROTO_ICMPV6,
			       .payload_len = (uint16_t)len };
	struct rte_mbuf *m = rte_pktmbuf_alloc(nif->pool);
	uint8_t *p;
	uint16_t ck;

	if (m == NULL || rte_pktmbuf_append(m, (uint16_t)(l4 + len)) == NULL) {
		nif->stats->c[DPT_STAT_mbuf_alloc_fail]++;
		rte_pktmbuf_free(m);
		return;
	}
	dpt_eth_write(m, eth_dst, &nif->mac, RTE_ETHER_TYPE_IPV6);
	dpt_ipv6_write(m, RTE_ETHER_HDR_LEN, &ip);
	p = rte_pktmbuf_mtod_offset(m, uint8_t *, l4);
	memset(p, 0, len);
	p[0] = type;
	p[4] = flags;
	memcpy(p + 8, target, sizeof(*target));
	if (opt) {
		p[ND_HDR_LEN] = opt;
		p[ND_HDR_LEN + 1] = 1; /* RFC 4861 4.6.1: 8 bytes */
		memcpy(p + ND_HDR_LEN + 2, &nif->mac, RTE_ETHER_ADDR_LEN);
	}
	ck = dpt_ipv6_l4_cksum(m, &ip, l4, len);
	memcpy(p + 2, &ck, sizeof(ck));
	nif->stats->c[type == ND_NEIGHBOR_SOLICIT ? DPT_STAT_nd_tx_ns :
		      DPT_STAT_nd_tx_na]++;
	nif->stats->c[DPT_STAT_ip6_tx]++;
	dpt_tx_push(nif->tx, m);
}

void
dpt_nd_solicit(struct dpt_netif *nif, const struct dpt_in6 *target,
	       const struct rte_ether_addr *to)
{
	const struct dpt_in6 *src = dpt_netif_addr6(nif);
	struct rte_ether_addr mac;
	struct dpt_in6 dst;

	if (src == NULL)
		return; /* RFC 4862 5.4: no tentative address as a source */
	/* RFC 4861 7.2.2: to the solicited-node group, or (7.3.3) the
	 * cached address; any of our addresses as the source */
	if (to != NULL) {
		dst = *target;
		mac = *to;
	} else {
		dpt_in6_solicited_node(target, &dst);
		dpt_in6_mcast_mac(&dst, &mac);
	}
	nd_send(nif, ND_NEIGHBOR_SOLICIT, src, &dst, &mac, target, 0,
		ND_OPT_SOURCE_LINKADDR);
}

/* The options of an ND message of @len bytes at @off (RFC 4861 4.6):
 * each at least 8 bytes and within the message (7.1.1, 7.1.2: a length
 * of 0 makes the message invalid); the link-layer address of type
 * @want kept. */
static int
walk_nd_options(const struct rte_mbuf *m, uint32_t off, uint32_t len,
		uint8_t want, struct nd_msg *nd)
{
	for (uint32_t o = ND_HDR_LEN; o < len;) {
		uint8_t buf[ND_OPT_LLA_LEN];
		const uint8_t *p;

		if (o + 2 > len)
			return -1;
		p = rte_pktmbuf_read(m, off + o, 2, buf);
		if (p == NULL || p[1] == 0 || o + p[1] * 8u > len)
			return -1;
		if (p[0] == want && p[1] == 1) {
			p = rte_pktmbuf_read(m, off + o, ND_OPT_LLA_LEN, buf);
			memcpy(&nd->lla, p + 2, RTE_ETHER_ADDR_LEN);
			nd->has_lla = 1;
		}
		o += p[1] * 8u;
	}
	return 0;
}

/* RFC 4861 7.1.1 (NS) and 7.1.2 (NA) validation; the checksum is the
 * caller's. RFC 6980 5: never from a fragmented packet. */
static enum dpt_stat
nd_parse(const struct rte_mbuf *m, const struct dpt_ipv6 *ip, uint8_t type,
	 struct nd_msg *nd)
{
	uint32_t len = sizeof(struct rte_ipv6_hdr) + ip->payload_len -
		       ip->hdr_len;
	uint8_t buf[ND_HDR_LEN];
	const uint8_t *p;

	memset(nd, 0, sizeof(*nd));
	if (ip->hop_limit != ND_HOP_LIMIT || len < ND_HDR_LEN || ip->frag)
		return DPT_STAT_nd_drop_invalid;
	p = rte_pktmbuf_read(m, ip->hdr_len, ND_HDR_LEN, buf);
	if (p == NULL || p[1] != 0)
		return DPT_STAT_nd_drop_invalid;
	nd->type = type;
	nd->flags = p[4];
	memcpy(&nd->target, p + 8, sizeof(nd->target));
	if (dpt_in6_is_multicast(&nd->target))
		return DPT_STAT_nd_drop_invalid;
	if (walk_nd_options(m, ip->hdr_len, len, type == ND_NEIGHBOR_SOLICIT ?
			    ND_OPT_SOURCE_LINKADDR : ND_OPT_TARGET_LINKADDR,
			    nd) != 0)
		return DPT_STAT_nd_drop_invalid;
	if (type == ND_NEIGHBOR_SOLICIT && dpt_in6_is_unspec(&ip->src) &&
	    (!is_solicited_node(&ip->dst) || nd->has_lla))
		return DPT_STAT_nd_drop_invalid;
	if (type == ND_NEIGHBOR_ADVERT && dpt_in6_is_multicast(&ip->dst) &&
	    (nd->flags & NA_S))
		return DPT_STAT_nd_drop_invalid;
	return DPT_STAT_OK;
}

/* Our address @i is a duplicate (RFC 4862 5.4.3, 5.4.4): never used. */
static void
dad_duplicate(struct dpt_netif *nif, uint32_t i, int log)
{
	if (nif->dup6 >> i & 1)
		return;
	nif->dup6 |= 1ull << i;
	nif->unusable6 |= 1ull << i;
	nif->stats->c[DPT_STAT_nd_dad_duplicate]++;
	if (log) {
		char s[64];
		struct dpt_in6 a = nif->addr6;
		uint32_t low = dpt_in6_low32(&a) + i;

		a.b[12] = (uint8_t)(low >> 24);
		a.b[13] = (uint8_t)(low >> 16);
		a.b[14] = (uint8_t)(low >> 8);
		a.b[15] = (uint8_t)low;
		inet_ntop(AF_INET6, &a, s, sizeof(s));
		LOG(ERR, "duplicate address detected: %s is another node's "
		    "(RFC 4862 5.4.5): not used", s);
	}
	dpt_netif_addr6_update(nif);
}

static uint32_t
addr_index(const struct dpt_netif *nif, const struct dpt_in6 *a)
{
	return dpt_in6_low32(a) - dpt_in6_low32(&nif->addr6);
}

/* A solicitation for @nd->target. @send: answer it (not a shared copy). */
static enum dpt_stat
ns_input(struct dpt_netif *nif, const struct rte_mbuf *m,
	 const struct dpt_ipv6 *ip, const struct nd_msg *nd, int send,
	 uint64_t now)
{
	static const struct dpt_in6 all_nodes = { .b = { 0xff, 0x02, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 } };
	int dad = dpt_in6_is_unspec(&ip->src);
	struct rte_ether_addr to;
	uint32_t i;

	if (!dpt_netif_in_range6(nif, &nd->target))
		return DPT_STAT_nd_drop_not_for_us;
	i = addr_index(nif, &nd->target);
	if (nif->dup6 >> i & 1)
		return DPT_STAT_nd_drop_not_for_us; /* another node's now */
	if (nif->unusable6 >> i & 1) {
		/* RFC 4862 5.4.3: tentative; another node's DAD for it
		 * makes it a duplicate, anything else is ignored */
		if (dad)
			dad_duplicate(nif, i, send);
		return DPT_STAT_nd_drop_not_for_us;
	}
	if (send)
		nif->stats->c[DPT_STAT_nd_rx_ns]++;
	/* RFC 4861 7.2.3: learn the sender (not from a DAD probe) */
	if (!dad && nd->has_lla)
		dpt_neigh6_update(nif, &ip->src, &nd->lla, 0, now);
	if (!send)
		return DPT_STAT_OK;
	/* RFC 4861 7.2.4: to the all-nodes group for a DAD probe (S
	 * clear), else to the sender (S set); O set (no anycast here).
	 * Without its link-layer address option, the frame's source. */
	if (dad)
		dpt_in6_mcast_mac(&all_nodes, &to);
	else if (nd->has_lla)
		to = nd->lla;
	else
		memcpy(&to, rte_pktmbuf_mtod(m, const uint8_t *) -
		       RTE_ETHER_HDR_LEN + RTE_ETHER_ADDR_LEN, sizeof(to));
	nd_send(nif, ND_NEIGHBOR_ADVERT, &nd->target,
		dad ? &all_nodes : &ip->src, &to, &nd->target,
		(uint8_t)((dad ? 0 : NA_S) | NA_O), ND_OPT_TARGET_LINKADDR);
	return DPT_STAT_OK;
}

/* An advertisement (RFC 4861 7.2.5); for one of our addresses, RFC 4862
 * 5.4.4. */
static enum dpt_stat
na_input(struct dpt_netif *nif, const struct dpt_ipv6 *ip,
	 const struct nd_msg *nd, int send, uint64_t now)
{
	(void)ip;
	if (send)
		nif->stats->c[DPT_STAT_nd_rx_na]++;
	if (dpt_netif_in_range6(nif, &nd->target)) {
		uint32_t i = addr_index(nif, &nd->target);

		if (nif->dup6 >> i & 1)
			return DPT_STAT_OK;
		/* tentative: DAD failed; else another node claims an
		 * address DAD found free ("SHOULD log", 5.4.4) */
		if (nif->unusable6 >> i & 1) {
			dad_duplicate(nif, i, send);
			return DPT_STAT_OK;
		}
		return DPT_STAT_nd_drop_conflict;
	}
	dpt_neigh6_update(nif, &nd->target, nd->has_lla ? &nd->lla : NULL,
			  DPT_NEIGH6_ADVERT |
			  (nd->flags & NA_S ? DPT_NEIGH6_SOLICITED : 0) |
			  (nd->flags & NA_O ? DPT_NEIGH6_OVERRIDE : 0), now);
	return DPT_STAT_OK;
}

static enum dpt_stat
nd_handle(struct dpt_netif *nif, const struct rte_mbuf *m,
	  const struct dpt_ipv6 *ip, uint8_t type, int send, uint64_t now)
{
	struct nd_msg nd;
	enum dpt_stat r;

	r = nd_parse(m, ip, type, &nd);
	if (r != DPT_STAT_OK)
		return r;
	if (type == ND_NEIGHBOR_SOLICIT)
		return ns_input(nif, m, ip, &nd, send, now);
	return na_input(nif, ip, &nd, send, now);
}

void
dpt_nd_input(struct dpt_netif *nif, struct rte_mbuf *m,
	     const struct dpt_ipv6 *ip, uint8_t type, uint64_t now)
{
	enum dpt_stat r;

	if (nif->neigh6 == NULL)
		return dpt_netif_drop(nif, m, DPT_STAT_nd_drop_not_for_us);
	r = nd_handle(nif, m, ip, type, 1, now);
	if (r != DPT_STAT_OK)
		return dpt_netif_drop(nif, m, r);
	rte_pktmbuf_free(m);
}

int
dpt_nd_frame_is_nd(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint32_t l4 = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr);

	return m->data_len >= l4 + ND_HDR_LEN &&
	       p[12] == (RTE_ETHER_TYPE_IPV6 >> 8) &&
	       p[13] == (RTE_ETHER_TYPE_IPV6 & 0xff) &&
	       p[RTE_ETHER_HDR_LEN + 6] == IPPROTO_ICMPV6 &&
	       (p[l4] == ND_NEIGHBOR_SOLICIT || p[l4] == ND_NEIGHBOR_ADVERT);
}

void
dpt_nd_learn(struct dpt_netif *nif, struct rte_mbuf *m, uint64_t now)
{
	struct dpt_ipv6 ip;
	const uint8_t *type;
	uint8_t buf;

	nif->stats->c[DPT_STAT_nd_rx_shared]++;
	/* a copy the receiving worker handled and counted: validated
	 * again here, silently, as it is learnt from */
	if (nif->neigh6 != NULL &&
	    dpt_ipv6_parse(m, RTE_ETHER_HDR_LEN, &ip) == DPT_STAT_OK &&
	    ip.proto == IPPROTO_ICMPV6) {
		rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
		type = rte_pktmbuf_read(m, ip.hdr_len, 1, &buf);
		if (type != NULL && dpt_ipv6_l4_cksum_ok(m, &ip, ip.hdr_len,
			sizeof(struct rte_ipv6_hdr) + ip.payload_len -
			ip.hdr_len))
			nd_handle(nif, m, &ip, *type, 0, now);
	}
	rte_pktmbuf_free(m);
}

/* RFC 4862 5.4.2: a solicitation from :: for each tentative address, to
 * its solicited-node group, without a source link-layer address. */
static void
dad_probe(struct dpt_netif *nif)
{
	static const struct dpt_in6 unspec;

	for (uint32_t i = 0; i < nif->n_addrs6; i++) {
		struct dpt_in6 a = nif->addr6, dst;
		struct rte_ether_addr mac;
		uint32_t low = dpt_in6_low32(&a) + i;

		if (!(nif->unusable6 >> i & 1) || (nif->dup6 >> i & 1))
			continue;
		a.b[12] = (uint8_t)(low >> 24);
		a.b[13] = (uint8_t)(low >> 16);
		a.b[14] = (uint8_t)(low >> 8);
		a.b[15] = (uint8_t)low;
		dpt_in6_solicited_node(&a, &dst);
		dpt_in6_mcast_mac(&dst, &mac);
		nd_send(nif, ND_NEIGHBOR_SOLICIT, &unspec, &dst, &mac, &a, 0,
			0);
	}
}

void
dpt_nd_dad_tick(struct dpt_netif *nif, uint64_t now)
{
	if (nif->dad_next == 0 || now < nif->dad_next)
		return;
	if (nif->dad_sent < nif->dad_transmits) {
		if (nif->nd_lead)
			dad_probe(nif);
		nif->dad_sent++;
		nif->dad_next = now + nif->dad_retrans;
		return;
	}
	/* RFC 4862 5.4: RetransTimer after the last probe, no conflict:
	 * the tentative addresses are ours */
	nif->unusable6 = nif->dup6;
	nif->dad_next = 0;
	dpt_netif_addr6_update(nif);
}
