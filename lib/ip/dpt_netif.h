/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_netif.h: one lcore's view of an IPv4 (and, with [port0] address6,
 * IPv6) interface, and the L2/L3 input and output paths through it.
 *
 * Owns Ethernet demultiplexing, IPv4 input validation and local delivery
 * (reassembling fragments through dpt_frag.h first), the on-link/gateway
 * route decision, fragmentation of our own datagrams longer than the MTU,
 * ICMP (echo, the errors a host sends, and the errors it receives, passed
 * to TCP when they quote one of its segments), and the hand-off to the
 * neighbour cache for output; the same for IPv6 (dpt_ipv6.c,
 * dpt_icmp6.c, Neighbor Discovery in dpt_nd.h). Each worker lcore has its own struct
 * dpt_netif (its own queue, counters, neighbour cache, reassembly table
 * and path MTU cache), so nothing here is shared or locked.
 *
 * Ownership: every *_input() and *_output() function takes ownership of the
 * mbuf it is given: it is queued for transmission, held for ARP resolution,
 * passed to an upper layer, or freed with a drop counter bumped.
 */
#ifndef DPT_NETIF_H
#define DPT_NETIF_H

#include <netinet/in.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpt_frag.h"
#include "dpt_net.h"
#include "dpt_pmtu.h"
#include "dpt_stats.h"
#include "dpt_tx.h"

struct dpt_neigh;
struct dpt_netif;

/** Upper-layer input: owns @p m, whose data starts at the L4 header. */
typedef void (*dpt_l4_input_t)(void *ctx, struct rte_mbuf *m,
			       const struct dpt_ipv4 *ip, uint64_t now);

/** Upper-layer input over IPv6: owns @p m, whose data starts at the L4
 * header; @p ip is its parsed IPv6 header (extension headers walked). */
typedef void (*dpt_l4_input6_t)(void *ctx, struct rte_mbuf *m,
				const struct dpt_ipv6 *ip, uint64_t now);

/** An ICMP error (destination unreachable, time exceeded, parameter
 * problem; over IPv6 also packet too big) about a TCP segment (or, over
 * IPv4, a UDP datagram) we sent, as the message quotes it. */
struct dpt_icmp_err {
	uint8_t type;      /**< ICMP type (ICMPv6 type when family is 6) */
	uint8_t code;      /**< ICMP code */
	uint16_t mtu;      /**< next-hop MTU of a fragmentation-needed
			     *  (RFC 1191 4), 0 if the router gave none */
	uint32_t src;      /**< the quoted datagram's source: ours */
	uint32_t dst;      /**< its destination: the peer */
	uint16_t len;      /**< its total length */
	uint16_t sport;    /**< its TCP source port: ours */
	uint16_t dport;    /**< its TCP destination port */
	uint32_t seq;      /**< its sequence number */
	uint8_t family;    /**< 6: an ICMPv6 error, src6/dst6 are the
			     *  quoted packet's addresses (src/dst 0);
			     *  4 or 0: ICMP over IPv4 */
	struct dpt_in6 src6; /**< family 6: the quoted source: ours */
	struct dpt_in6 dst6; /**< family 6: its destination: the peer */
};

/** Fill @p e's ports and sequence number from @p t, the first 8 bytes of
 * the TCP header an ICMP or ICMPv6 error quotes (RFC 792, RFC 4443
 * 2.4(c): at least that much comes). */
static inline void
dpt_icmp_err_tcp(struct dpt_icmp_err *e, const uint8_t *t)
{
	e->sport = (uint16_t)(t[0] << 8 | t[1]);
	e->dport = (uint16_t)(t[2] << 8 | t[3]);
	e->seq = (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 |
		 (uint32_t)t[6] << 8 | t[7];
}

/** Upper-layer ICMP error input (RFC 1122 3.2.2, RFC 5927). */
typedef void (*dpt_l4_err_t)(void *ctx, const struct dpt_icmp_err *e,
			     uint64_t now);

/** Bytes of headers that must sit in a frame's first segment. */
#define DPT_HDR_CONTIG (RTE_ETHER_HDR_LEN + 60 + 60)

struct dpt_netif {
	struct rte_ether_addr mac; /**< our MAC (the port's) */
	uint32_t addr;             /**< our first IPv4 address, host order */
	uint32_t n_addrs;          /**< we own addr .. addr + n_addrs - 1 */
	uint32_t mask;             /**< on-link prefix mask, host order */
	uint32_t gateway;          /**< default next hop, 0 = none */
	uint16_t mtu;              /**< IP MTU */
	uint8_t ttl;               /**< TTL of packets we originate */
	uint8_t tx_ip_cksum;       /**< the PMD fills IPv4 header checksums */
	uint8_t cksum_none;        /**< [port0] checksum = none: checksums
				     *  neither verified nor computed */
	uint16_t ip_id;            /**< next IPv4 identification */
	uint16_t ip_id_step;       /**< what it advances by: the lcores */
	uint16_t ip_id_first;      /**< where it starts, and starts again
				     *  past 65535: this lcore's index (each
				     *  lcore's IDs its own, RFC 6864 4.2) */
	struct rte_mempool *pool;  /**< for packets we originate */
	struct dpt_stats *stats;   /**< this lcore's counters */
	struct dpt_tx *tx;         /**< this lcore's TX burst */
	struct dpt_neigh *neigh;   /**< this lcore's ARP cache */
	uint32_t icmp_rate;        /**< ICMP errors per second, 0 = never */
	uint64_t icmp_burst;       /**< bucket depth, in tokens * 1e6 */
	uint64_t icmp_tokens;      /**< current tokens * 1e6 */
	uint64_t icmp_last;        /**< last refill time */
	dpt_l4_input_t tcp_input;  /**< TCP, or NULL: protocol unreachable */
	void *tcp_ctx;             /**< its argument */
	dpt_l4_err_t tcp_err;      /**< ICMP errors about TCP segments, or
				     *  NULL (tcp_ctx is its argument too) */
	dpt_l4_input_t udp_input;  /**< UDP (lib/udp), or NULL: every
				     *  datagram gets port unreachable */
	dpt_l4_input6_t udp6_input; /**< UDP over IPv6, or NULL: the same */
	dpt_l4_err_t udp_err;      /**< ICMP errors about UDP datagrams, or
				     *  NULL (icmp_drop_quote) */
	void *udp_ctx;             /**< their argument */
	struct dpt_frag *frag;     /**< reassembly, or NULL: fragments are
				     *  dropped (ip_drop_fragment) */
	struct dpt_pmtu *pmtu;     /**< path MTU cache, or NULL */
	struct rte_mempool *hdr_pool; /**< small mbufs for the headers of
					*  fragments we send */
	/* IPv6 ([port0] address6; n_addrs6 0: IPv6 off) */
	struct dpt_in6 addr6;      /**< our first IPv6 address */
	struct dpt_in6 gateway6;   /**< default router, :: = none */
	uint32_t n_addrs6;         /**< we own addr6 .. addr6 + n_addrs6 - 1
				     *  (counted in the low 32 bits) */
	uint64_t unusable6;        /**< bit i: address i is tentative or a
				     *  duplicate (RFC 4862 5.4) */
	uint64_t dup6;             /**< bit i: address i is a duplicate */
	uint8_t prefix6_len;       /**< on-link prefix length */
	uint8_t hop_limit;         /**< hop limit of packets we originate */
	uint8_t nd_lead;           /**< this lcore sends the DAD probes
				     *  (the others keep the same state
				     *  from the ND frames shared) */
	uint8_t dad_transmits;     /**< DAD probes per address, 0 = none */
	uint8_t dad_sent;          /**< probes sent so far */
	uint64_t dad_next;         /**< when the next DAD step is due, 0 =
				     *  no DAD under way */
	uint64_t dad_retrans;      /**< between DAD probes (RFC 4861
				     *  RetransTimer: [arp] retrans) */
	struct dpt_in6 first6;     /**< our first usable address */
	uint8_t has_first6;        /**< first6 is set: one is usable */
	struct dpt_neigh *neigh6;  /**< this lcore's ND cache, or NULL */
	struct dpt_pmtu *pmtu6;    /**< IPv6 path MTU cache, or NULL */
	dpt_l4_input6_t tcp6_input; /**< TCP over IPv6, or NULL: parameter
				      *  problem (next header) */
	/** Pass a reassembled datagram (data at the first fragment's
	 *  Ethernet header) to the lcore owning it; non-zero if taken.
	 *  NULL: everything is this lcore's. */
	int (*handoff)(void *arg, struct rte_mbuf *m);
	void *handoff_arg;         /**< its argument */
};

/**
 * Advance @p nif's IPv4 identification past @p n IDs of its own (the
 * values lcore_index + k * n_lcores below 65536, then from the first
 * again), so that no two lcores use one ID (RFC 6864 4.2).
 */
static inline void
dpt_netif_skip_ip_ids(struct dpt_netif *nif, uint32_t n)
{
	uint32_t step = nif->ip_id_step, first = nif->ip_id_first;
	uint32_t next = (uint32_t)nif->ip_id + step;

	if (likely(n == 1 && next <= 0xffff)) {
		nif->ip_id = (uint16_t)next;
		return;
	}
	/* how many IDs this lcore has, and which one is next */
	next = ((nif->ip_id - first) / step + n) %
	       ((0x10000 - first + step - 1) / step);
	nif->ip_id = (uint16_t)(first + next * step);
}

/** Who takes an ICMP or ICMPv6 error quoting a datagram of @p proto:
 * TCP's hook, or UDP's (RFC 1122 4.1.3.3, RFC 4443 2.4(c): UDP MUST pass
 * ICMP errors up); NULL for nobody. @p ctx gets the hook's argument. */
static inline dpt_l4_err_t
dpt_netif_err_owner(const struct dpt_netif *nif, uint8_t proto, void **ctx)
{
	if (proto == IPPROTO_TCP) {
		*ctx = nif->tcp_ctx;
		return nif->tcp_err;
	}
	if (proto == IPPROTO_UDP) {
		*ctx = nif->udp_ctx;
		return nif->udp_err;
	}
	return NULL;
}

/** The interface as configured (lib/cfg fills it): its addresses, route
 * and MTU ([port0]), and what IPv4 and ICMP originate ([ip]). */
struct dpt_netif_conf {
	uint32_t addr;       /**< our first IPv4 address, host order */
	uint32_t prefix_len; /**< on-link prefix length (right after addr:
			       *  "A.B.C.D/N" is parsed into both) */
	uint32_t n_addrs;    /**< we own addr .. addr + n_addrs - 1 */
	uint32_t gateway;    /**< default gateway, 0 = none */
	uint32_t mtu;        /**< IP MTU in bytes */
	uint32_t ttl;        /**< TTL of packets we originate */
	uint32_t icmp_rate;  /**< ICMP errors per second per lcore, 0 = none */
	uint32_t icmp_burst; /**< ICMP error burst allowance */
	struct dpt_frag_conf frag; /**< reassembly ([ip] reass_*) */
	struct dpt_pmtu_conf pmtu; /**< path MTU discovery ([ip] pmtu_*) */
	struct dpt_in6 addr6;      /**< our first IPv6 address, :: = none */
	uint32_t prefix6_len;      /**< its on-link prefix length (right
				     *  after addr6: "A::B/N" fills both) */
	uint32_t n_addrs6;         /**< how many from addr6 on */
	struct dpt_in6 gateway6;   /**< default router, :: = none */
	uint32_t hop_limit;        /**< hop limit of packets we originate */
	uint32_t dad_transmits;    /**< DAD probes per address, 0 = none */
};

/** Parameters of dpt_netif_init(). */
struct dpt_netif_params {
	const struct dpt_netif_conf *conf; /**< addresses, route, mtu, ttl,
					     *  ICMP error rate */
	const struct rte_ether_addr *mac;  /**< the port's MAC */
	int tx_ip_cksum;                   /**< PMD offloads IPv4 checksum */
	int cksum_none;                    /**< the link is shared memory: no
					     *  checksum verified (received
					     *  frames are marked good) or
					     *  computed (IPv4 headers sent
					     *  with 0) */
	struct rte_mempool *pool;
	struct dpt_stats *stats;
	struct dpt_tx *tx;
	struct dpt_neigh *neigh;
	struct dpt_frag *frag;             /**< or NULL: no reassembly */
	struct dpt_pmtu *pmtu;             /**< or NULL: no cache */
	struct rte_mempool *hdr_pool;      /**< or NULL: pool */
	struct dpt_neigh *neigh6;          /**< ND cache, or NULL: IPv6 off */
	struct dpt_pmtu *pmtu6;            /**< or NULL: no cache */
	uint64_t nd_retrans_us;            /**< RetransTimer (DAD probes) */
	int nd_lead;                       /**< this lcore sends DAD probes */
	uint16_t lcore_index;              /**< this lcore of n_lcores (IPv4 */
	uint16_t n_lcores;                 /**< IDs apart), 0 = 1 */
};

/**
 * Whether @p a (host order) is one of our addresses: the range check is one
 * subtraction and one compare, whatever the number of addresses (the
 * unsigned difference wraps for addresses below the first).
 */
static inline int
dpt_netif_owns(const struct dpt_netif *nif, uint32_t a)
{
	return a - nif->addr < nif->n_addrs;
}

/**
 * Whether @p a is one of our IPv6 addresses, usable (not tentative nor a
 * duplicate, RFC 4862 5.4): a compare of the first 12 bytes, then the
 * range check of the low 32 bits as dpt_netif_owns() does.
 */
static inline int
dpt_netif_owns6(const struct dpt_netif *nif, const struct dpt_in6 *a)
{
	uint32_t i = dpt_in6_low32(a) - dpt_in6_low32(&nif->addr6);

	return i < nif->n_addrs6 && memcmp(a, &nif->addr6, 12) == 0 &&
	       !(nif->unusable6 >> i & 1);
}

/** Whether @p a is in our IPv6 address range, usable or not. */
static inline int
dpt_netif_in_range6(const struct dpt_netif *nif, const struct dpt_in6 *a)
{
	uint32_t i = dpt_in6_low32(a) - dpt_in6_low32(&nif->addr6);

	return i < nif->n_addrs6 && memcmp(a, &nif->addr6, 12) == 0;
}

/**
 * Our first usable IPv6 address (the first configured one unless DAD
 * found it a duplicate or it is still tentative, then the next usable
 * one), or NULL when IPv6 is off or none is usable.
 */
const struct dpt_in6 *dpt_netif_addr6(const struct dpt_netif *nif);

/** Recompute what dpt_netif_addr6() returns, after DAD changed which of
 * our addresses are usable. */
void dpt_netif_addr6_update(struct dpt_netif *nif);

/** Fill @p nif from @p p. */
void dpt_netif_init(struct dpt_netif *nif, const struct dpt_netif_params *p);

/** The path towards @p dst at @p now: the path MTU cache's estimate, or
 * the interface's MTU when there is no cache. */
static inline void
dpt_netif_path(const struct dpt_netif *nif, uint32_t dst, uint64_t now,
	       struct dpt_pmtu_path *out)
{
	if (nif->pmtu != NULL)
		return dpt_pmtu_get(nif->pmtu, dst, now, out);
	out->mtu = nif->mtu;
	out->nodf = 0;
	out->until = UINT64_MAX;
}

/**
 * Once per loop iteration: datagrams whose reassembly timed out are
 * discarded, with an ICMP time exceeded to the source when their first
 * fragment had come (RFC 1122 3.3.2). O(expired).
 */
void dpt_ipv4_tick(struct dpt_netif *nif, uint64_t now);

/**
 * Take one received frame: validate, demultiplex by EtherType, deliver.
 */
void dpt_eth_input(struct dpt_netif *nif, struct rte_mbuf *m, uint64_t now);

/**
 * Take one IPv4 datagram at offset @p off (after the Ethernet header).
 */
void dpt_ipv4_input(struct dpt_netif *nif, struct rte_mbuf *m, uint32_t off,
		    uint64_t now);

/**
 * Take one ICMP message (@p m's data at the IPv4 header).
 */
void dpt_icmp_input(struct dpt_netif *nif, struct rte_mbuf *m,
		    const struct dpt_ipv4 *ip, uint64_t now);

/**
 * The next hop for @p dst: @p dst itself on-link, else the gateway.
 *
 * @return
 *   The next hop, or 0 if there is no route.
 */
uint32_t dpt_route_nexthop(const struct dpt_netif *nif, uint32_t dst);

/**
 * Send an IPv4 packet whose data starts with room for the Ethernet header
 * followed by a complete IPv4 header (checksum done or flagged for offload):
 * route it and hand it to the neighbour cache. A datagram longer than the
 * path allows (the interface's MTU, or less from the path MTU cache) and
 * without DF is sent as fragments (RFC 791 3.2); one with DF is sent as
 * it is, for the TX path to refuse and count (a bug of its sender).
 */
void dpt_ipv4_output(struct dpt_netif *nif, struct rte_mbuf *m, uint32_t dst,
		     uint64_t now);

/**
 * Fill a 20-byte IPv4 header at @p m's offset RTE_ETHER_HDR_LEN, from
 * @p src to @p dst, and set the mbuf's TX checksum flags or the checksum
 * itself.
 *
 * @param src
 *   One of our addresses (dpt_netif_owns()): a reply's is the address the
 *   request was sent to (RFC 1122 3.3.4.2), a connection's its local one.
 * @param tos
 *   DSCP and ECN bits.
 * @param len
 *   IPv4 total length.
 * @param df
 *   Non-zero to set Don't Fragment.
 */
void dpt_ipv4_fill_from(struct dpt_netif *nif, struct rte_mbuf *m,
			uint32_t src, uint32_t dst, uint8_t proto, uint8_t tos,
			uint16_t len, int df);

/** dpt_ipv4_fill_from() from our first address: for packets we originate
 * that answer nothing (the load generator's pings). */
static inline void
dpt_ipv4_fill(struct dpt_netif *nif, struct rte_mbuf *m, uint32_t dst,
	      uint8_t proto, uint8_t tos, uint16_t len, int df)
{
	dpt_ipv4_fill_from(nif, m, nif->addr, dst, proto, tos, len, df);
}

/**
 * Send the ICMP error @p type, @p code (destination unreachable, time
 * exceeded) about the datagram in @p orig (data at its IPv4 header),
 * subject to the rate limit and the rules of RFC 1122 3.2.2. Does not take
 * @p orig.
 */
void dpt_icmp_send_error(struct dpt_netif *nif, const struct rte_mbuf *orig,
			 const struct dpt_ipv4 *ip, uint8_t type, uint8_t code,
			 uint64_t now);

/** dpt_icmp_send_error() of a destination unreachable with @p code. */
void dpt_icmp_send_unreach(struct dpt_netif *nif, const struct rte_mbuf *orig,
			   const struct dpt_ipv4 *ip, uint8_t code,
			   uint64_t now);

/**
 * Take one IPv6 packet at offset @p off (after the Ethernet header).
 */
void dpt_ipv6_input(struct dpt_netif *nif, struct rte_mbuf *m, uint32_t off,
		    uint64_t now);

/**
 * Fill a 40-byte IPv6 header at @p m's offset RTE_ETHER_HDR_LEN, hop
 * limit from the configuration ([ip6] hop_limit); sets m->l2_len,
 * m->l3_len = 40 and RTE_MBUF_F_TX_IPV6 in ol_flags (the L4 checksum
 * flags are the caller's).
 *
 * @param src
 *   One of our addresses (dpt_netif_owns6()).
 * @param payload_len
 *   Bytes after the fixed header.
 */
void dpt_ipv6_fill_from(struct dpt_netif *nif, struct rte_mbuf *m,
			const struct dpt_in6 *src, const struct dpt_in6 *dst,
			uint8_t proto, uint8_t tclass, uint32_t flow,
			uint16_t payload_len);

/**
 * Send an IPv6 packet whose data starts with room for the Ethernet header
 * followed by a complete IPv6 packet: route it (on-link prefix, else
 * [port0] gateway6; link-local and multicast destinations are on-link),
 * resolve the next hop through Neighbor Discovery (queued meanwhile,
 * bounded, counted) and send. Takes @p m. A packet longer than the path
 * MTU is refused and counted (ip6_drop_too_big): IPv6 is never
 * fragmented on the way (RFC 8200 5), so transports size to the path.
 */
void dpt_ipv6_output(struct dpt_netif *nif, struct rte_mbuf *m,
		     const struct dpt_in6 *dst, uint64_t now);

/**
 * dpt_ipv6_output(), fragmenting a packet longer than its path MTU with
 * fragment headers (RFC 8200 4.5), for protocols that do not size to the
 * path (UDP, ICMPv6 echo replies). Takes @p m.
 */
void dpt_ipv6_output_frag(struct dpt_netif *nif, struct rte_mbuf *m,
			  const struct dpt_in6 *dst, uint64_t now);

/**
 * The path MTU toward @p dst at @p now (RFC 8201): the IPv6 path MTU
 * cache's estimate, or the interface's MTU; never below 1280.
 */
void dpt_netif_path6(const struct dpt_netif *nif, const struct dpt_in6 *dst,
		     uint64_t now, struct dpt_pmtu_path *out);

/**
 * The next hop for @p dst: @p dst itself on-link (our prefix, link-local
 * fe80::/10, multicast), else [port0] gateway6.
 *
 * @return
 *   0 with @p nh filled, or -ENETUNREACH when there is no route.
 */
int dpt_route6_nexthop(const struct dpt_netif *nif, const struct dpt_in6 *dst,
		       struct dpt_in6 *nh);

/**
 * Take one ICMPv6 message (@p m's data at the IPv6 header, @p ip its
 * parsed header).
 */
void dpt_icmp6_input(struct dpt_netif *nif, struct rte_mbuf *m,
		     const struct dpt_ipv6 *ip, uint64_t now);

/**
 * Send the ICMPv6 error @p type, @p code (@p param: the pointer of a
 * parameter problem, the MTU of a packet too big, else 0) about the
 * packet in @p orig (data at its IPv6 header, @p ip its parsed header),
 * subject to the rate limit and the rules of RFC 4443 2.4(e): never about
 * an ICMPv6 error, a packet to a multicast address (but a packet too big
 * or a parameter problem code 2), or from :: or a multicast source. Does
 * not take @p orig.
 */
void dpt_icmp6_send_error(struct dpt_netif *nif, const struct rte_mbuf *orig,
			  const struct dpt_ipv6 *ip, uint8_t type, uint8_t code,
			  uint32_t param, uint64_t now);

/**
 * The ICMP error rate limit's token bucket (RFC 1812 4.3.2.8, RFC 4443
 * 2.4(f)): one per lcore, shared by ICMP and ICMPv6 errors. Non-zero if
 * one error may go now (its token taken).
 */
int dpt_icmp_rate_ok(struct dpt_netif *nif, uint64_t now);

/**
 * An IPv6 packet's reassembly timed out with its first fragment @p first
 * held (data at its IPv6 header): time exceeded to its source (RFC 8200
 * 4.5), rate-limited. Takes @p first.
 */
void dpt_ipv6_frag_timeout(struct dpt_netif *nif, struct rte_mbuf *first,
			   uint64_t now);

/**
 * Once per loop iteration: IPv6's timers: duplicate address detection of
 * our addresses at start (RFC 4862 5.4). O(1) but when a DAD step is due.
 */
void dpt_ipv6_tick(struct dpt_netif *nif, uint64_t now);

/**
 * [port0] checksum = none: the link is shared memory between two
 * processes of one host, which cannot corrupt a frame, so every checksum
 * in @p m counts as verified, as a PMD that checked them would mark it
 * (one store; the parsers then sum nothing).
 */
static inline void
dpt_netif_link_verified(const struct dpt_netif *nif, struct rte_mbuf *m)
{
	if (nif->cksum_none)
		m->ol_flags = (m->ol_flags & ~(RTE_MBUF_F_RX_IP_CKSUM_MASK |
					       RTE_MBUF_F_RX_L4_CKSUM_MASK)) |
			      RTE_MBUF_F_RX_IP_CKSUM_GOOD |
			      RTE_MBUF_F_RX_L4_CKSUM_GOOD;
}

/** Free @p m and count it as dropped for @p why. */
static inline void
dpt_netif_drop(struct dpt_netif *nif, struct rte_mbuf *m, enum dpt_stat why)
{
	nif->stats->c[why]++;
	rte_pktmbuf_free(m);
}

#endif /* DPT_NETIF_H */
