/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_nd.h: IPv6 Neighbor Discovery messages (RFC 4861) and duplicate
 * address detection of our own addresses (RFC 4862 5.4).
 *
 * Owns neighbor solicitations and advertisements: validating them (RFC
 * 4861 7.1), answering solicitations for our addresses (7.2.4; from ::
 * too, another node's DAD), passing what they say of a neighbour's MAC to
 * the ND cache (dpt_neigh.h, 7.2.3 and 7.2.5), soliciting for the cache,
 * and DAD's probes and verdicts. Router solicitations, advertisements
 * and redirects are counted and ignored: addresses and the default router
 * come from the configuration. Each worker keeps the same DAD state: the
 * ND frames one receives are shared with the others (lib/engine), and
 * only the lead worker sends the probes.
 */
#ifndef DPT_ND_H
#define DPT_ND_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dpt_net.h"

struct dpt_netif;

/**
 * Send a neighbor solicitation for @p target (RFC 4861 7.2.2): to its
 * solicited-node multicast group, or unicast to @p to (a NUD probe,
 * 7.3.3), from our first usable address with our link-layer address in
 * a source link-layer address option. Nothing is sent while no address
 * of ours is usable.
 */
void dpt_nd_solicit(struct dpt_netif *nif, const struct dpt_in6 *target,
		    const struct rte_ether_addr *to);

/**
 * Take a neighbor solicitation or advertisement (@p m's data at the IPv6
 * header; the ICMPv6 checksum already verified), @p type its ICMPv6 type.
 */
void dpt_nd_input(struct dpt_netif *nif, struct rte_mbuf *m,
		  const struct dpt_ipv6 *ip, uint8_t type, uint64_t now);

/**
 * Learn from an ND frame another worker received and handled (data at
 * its Ethernet header): update the ND cache and the DAD state as
 * dpt_nd_input() does, send nothing, count nd_rx_shared. Frees @p m.
 */
void dpt_nd_learn(struct dpt_netif *nif, struct rte_mbuf *m, uint64_t now);

/**
 * Whether the frame @p m (data at its Ethernet header) is a neighbor
 * solicitation or advertisement without extension headers, at first
 * look (for sharing among workers; nothing validated).
 */
int dpt_nd_frame_is_nd(const struct rte_mbuf *m);

/**
 * DAD's timer (RFC 4862 5.4): the first call starts it (every address
 * tentative, a solicitation from :: to each one's solicited-node group
 * from the lead worker), later ones send the next probes every
 * RetransTimer and, `retrans` after the last, make the addresses that
 * met no conflict usable.
 */
void dpt_nd_dad_tick(struct dpt_netif *nif, uint64_t now);

#endif /* DPT_ND_H */
