/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_neigh.h: the ARP neighbour cache of one lcore (RFC 826, RFC 1122
 * 2.3.2).
 *
 * Owns the IPv4-to-MAC translations, the packets that wait for one, and ARP
 * itself: answering requests for our address and learning from what we
 * receive. Bounded in every dimension: `entries` translations (an rte_hash
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
 * Age entries and retransmit requests. Cheap to call every iteration: it
 * works at most every 10 ms, over a bounded slice of the table.
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

/** Packets currently waiting for resolution. */
uint32_t dpt_neigh_queued(const struct dpt_neigh *n);

#endif /* DPT_NEIGH_H */
