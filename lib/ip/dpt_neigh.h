/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_neigh.h: the neighbour caches of one lcore: ARP's (RFC 826, RFC
 * 1122 2.3.2) and, with the same code, IPv6 Neighbor Discovery's (RFC
 * 4861 7.3; its messages are dpt_nd.h's).
 *
 * Owns the IPv4-to-MAC (or IPv6-to-MAC) translations, the packets that
 * wait for one, and ARP itself: answering requests for our address and
 * learning from what we receive. Bounded in every dimension: `entries` translations (an rte_hash
 * whose key positions index a pre-allocated entry array), `queue` waiting
 * packets (slots on a free list, chained per entry). Nothing is allocated
 * after creation.
 *
 * Entry life: INCOMPLETE (request sent, packets queued; re-requested every
 * `retrans`, given up after `probes`, and its packets dropped and counted)
 * -> REACHABLE (an ARP packet from it within `reachable`) -> STALE (still
 * used; the first use sends a unicast request to refresh it, RFC 1122
 * 2.3.2.1) -> removed when unconfirmed for `gc`, or evicted, oldest first,
 * when the table is full.
 *
 * Over IPv6 the same states serve neighbour unreachability detection
 * (RFC 4861 7.3.2), simplified: INCOMPLETE and REACHABLE as the RFC's;
 * STALE also stands for DELAY and PROBE: the first use of a stale entry
 * sends a unicast solicitation at once (no 5 s DELAY, as no upper layer
 * gives reachability hints), then every `retrans` up to `probes` of
 * them, after which the entry is removed: an unreachable neighbour is
 * found within probes x retrans of its first use, and the next packet
 * starts resolution afresh (multicast). A solicitation's news (RFC 4861
 * 7.2.3) and an unsolicited or overriding advertisement (7.2.5) make an
 * entry STALE; a solicited advertisement makes it REACHABLE.
 */
#ifndef DPT_NEIGH_H
#define DPT_NEIGH_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dpt_net.h"

struct dpt_netif;
struct dpt_neigh;

/** [arp] as configured (lib/cfg fills it): the cache's sizes and times. */
struct dpt_neigh_conf {
	uint32_t entries;      /**< cache entries per lcore */
	uint32_t queue;        /**< packets waiting for resolution per lcore */
	uint64_t reachable_us; /**< an answer is trusted this long */
	uint64_t retrans_us;   /**< between requests for an unanswered entry */
	uint32_t probes;       /**< requests before giving up on an entry */
	uint64_t gc_us;        /**< unused stale entries are removed after */
};

/** State of a cache entry. */
enum dpt_neigh_state {
	DPT_NEIGH_FREE = 0,
	DPT_NEIGH_INCOMPLETE, /**< asked, no answer yet */
	DPT_NEIGH_REACHABLE,  /**< answered within `reachable` */
	DPT_NEIGH_STALE,      /**< older answer; refreshed on next use */
};

/** Parameters of dpt_neigh_create(). */
struct dpt_neigh_params {
	const char *name;                   /**< unique, for the rte_hash */
	int socket_id;                      /**< NUMA socket for memory */
	const struct dpt_neigh_conf *conf;  /**< sizes and times */
	int family;                         /**< 4 (or 0): ARP, IPv4 keys;
					      *  6: ND, IPv6 keys */
};

/**
 * Create a neighbour cache.
 *
 * @return
 *   The cache, or NULL with rte_errno set (ENOMEM, EINVAL, EEXIST).
 */
struct dpt_neigh *dpt_neigh_create(const struct dpt_neigh_params *p);

/** Free a cache, dropping queued packets. NULL is a no-op. */
void dpt_neigh_free(struct dpt_neigh *n);

/**
 * Process a received ARP packet (RFC 826 "packet reception"): learn or
 * update the sender, answer a request for our address in place. Takes @p m.
 */
void dpt_arp_input(struct dpt_netif *nif, struct rte_mbuf *m,
		   const struct dpt_eth *eth, uint64_t now);

/**
 * Learn from an ARP frame another worker received and answered (each
 * worker keeps its own cache): merge and learn as dpt_arp_input() does,
 * but send nothing and count only arp_rx_shared. Frees @p m.
 */
void dpt_arp_learn(struct dpt_netif *nif, struct rte_mbuf *m, uint64_t now);

/**
 * Send @p m (data at the Ethernet header, IPv4 packet after it) to
 * @p nexthop: fill the Ethernet header if the MAC is known, else queue it
 * and ask. Takes @p m.
 */
void dpt_neigh_output(struct dpt_netif *nif, struct rte_mbuf *m,
		      uint32_t nexthop, uint64_t now);

/**
 * Age entries and retransmit requests, of the ARP cache and the ND cache
 * (when there is one). Cheap to call every iteration: it works at most
 * every 10 ms, over a bounded slice of each table.
 */
void dpt_neigh_tick(struct dpt_netif *nif, uint64_t now);

/**
 * Look up an entry (for tests and the connection view).
 *
 * @return
 *   The entry's state, DPT_NEIGH_FREE if absent; @p mac filled if known.
 */
enum dpt_neigh_state dpt_neigh_lookup(const struct dpt_neigh *n, uint32_t ip,
				      struct rte_ether_addr *mac);

/**
 * Send @p m (data at the Ethernet header, IPv6 packet after it) to
 * @p nexthop through @p nif's ND cache (neigh6): fill the Ethernet header
 * if the MAC is known, else queue it and solicit. Takes @p m.
 */
void dpt_neigh6_output(struct dpt_netif *nif, struct rte_mbuf *m,
		       const struct dpt_in6 *nexthop, uint64_t now);

/** What an ND message said (dpt_neigh6_update()'s flags). */
#define DPT_NEIGH6_ADVERT 1u    /**< a neighbor advertisement (else a
				  *  solicitation's source address) */
#define DPT_NEIGH6_SOLICITED 2u /**< its S flag */
#define DPT_NEIGH6_OVERRIDE 4u  /**< its O flag */

/**
 * Apply what an ND message says of @p ip's link-layer address @p mac
 * (NULL: the message carried none) to the ND cache: RFC 4861 7.2.3 for a
 * solicitation (an entry created or updated STALE; never evicting for
 * it), 7.2.5 for an advertisement (only an existing entry changes;
 * solicited: REACHABLE). Queued packets leave once the MAC is known.
 */
void dpt_neigh6_update(struct dpt_netif *nif, const struct dpt_in6 *ip,
		       const struct rte_ether_addr *mac, unsigned int flags,
		       uint64_t now);

/** dpt_neigh_lookup() for an IPv6 (ND) cache. */
enum dpt_neigh_state dpt_neigh6_lookup(const struct dpt_neigh *n,
				       const struct dpt_in6 *ip,
				       struct rte_ether_addr *mac);

/** Packets currently waiting for resolution. */
uint32_t dpt_neigh_queued(const struct dpt_neigh *n);

#endif /* DPT_NEIGH_H */
