/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_pmtu.h: the path MTU of each destination, as one lcore knows it
 * (RFC 1191, RFC 1122 4.2.3.3).
 *
 * Owns a bounded cache of destinations whose path MTU is below the
 * interface's: `entries` per lcore, 8-way set associative (a full set
 * gives up its entry closest to expiry), each entry aging out `age` after
 * it was last lowered (RFC 1191 6.3: after 10 minutes the estimate goes
 * back up to the interface's, to find out whether the path widened). An
 * entry is only written after TCP validated the ICMP message against one
 * of its connections (RFC 5927), so no stranger can lower a path by
 * spoofing. A generation number moves on each write, so every connection
 * notices a new estimate at its next output with one compare. A path
 * whose reported MTU is below the floor (`min`) takes the floor and is
 * marked "no DF": its packets may then be fragmented by the router that
 * is narrower than the floor, as Linux does below its min_pmtu.
 *
 * Costs: a lookup or a write is O(8); nothing is swept, expiry is read
 * at lookup.
 *
 * An IPv6 cache (family 6, RFC 8201) is the same sets, keyed by a 32-bit
 * tag of the address with the address itself kept beside each entry
 * (dpt_pmtu6_*); IPv4 entries stay 16 bytes. Its estimates are never
 * below 1280 (RFC 8201 4: the caller raises what it is told).
 */
#ifndef DPT_PMTU_H
#define DPT_PMTU_H

#include <stdint.h>

#include "dpt_stats.h"

struct dpt_in6;

/** Path MTU discovery as configured ([ip] pmtu_*; lib/cfg fills it). */
struct dpt_pmtu_conf {
	uint32_t min;       /**< the lowest path MTU taken from ICMP */
	uint64_t age_us;    /**< how long a lowered estimate lasts */
	uint32_t entries;   /**< destinations remembered per lcore */
};

/** Parameters of dpt_pmtu_create(). */
struct dpt_pmtu_params {
	int socket_id;                    /**< NUMA socket for memory */
	const struct dpt_pmtu_conf *conf;
	uint16_t mtu;                     /**< the interface's MTU */
	struct dpt_stats *stats;          /**< this lcore's counters */
	int family;                       /**< 4 (or 0): IPv4, 6: IPv6 */
};

/** What the cache says of one destination. */
struct dpt_pmtu_path {
	uint16_t mtu;       /**< the path MTU to size packets for */
	uint8_t nodf;       /**< below the floor: send without DF */
	uint64_t until;     /**< valid until then (UINT64_MAX: no entry, the
			      *  interface's MTU) */
};

/** One remembered destination. */
struct dpt_pmtu_entry {
	uint32_t dst;       /**< host order; 0 = free (never a destination) */
	uint16_t mtu;       /**< its path MTU */
	uint8_t nodf;       /**< below the floor: send without DF */
	uint64_t expire;    /**< it ages out then */
};

/** The cache (dpt_pmtu.c writes it; the generation is read inline). */
struct dpt_pmtu {
	struct dpt_pmtu_conf conf;
	uint16_t if_mtu;    /**< what a destination without entry gets */
	uint32_t mask;      /**< sets - 1 */
	uint32_t gen;       /**< moves on at every write */
	struct dpt_stats *st;
	struct dpt_in6 *dst6; /**< IPv6: each entry's address (its dst is a
			        *  tag); NULL in an IPv4 cache */
	struct dpt_pmtu_entry e[]; /**< (mask + 1) sets of 8 */
};

/**
 * Create one lcore's cache.
 *
 * @return
 *   The cache, or NULL with rte_errno ENOMEM.
 */
struct dpt_pmtu *dpt_pmtu_create(const struct dpt_pmtu_params *p);

/** Free it; NULL is a no-op. */
void dpt_pmtu_free(struct dpt_pmtu *p);

/** The path towards @p dst (host order) at @p now: its entry, or the
 * interface's MTU when it has none or it aged out. */
void dpt_pmtu_get(const struct dpt_pmtu *p, uint32_t dst, uint64_t now,
		  struct dpt_pmtu_path *out);

/**
 * Record that the path towards @p dst carries at most @p mtu bytes from
 * @p now, for the configured age (the caller has validated the ICMP
 * message and applied the floor). Moves the generation on.
 */
void dpt_pmtu_set(struct dpt_pmtu *p, uint32_t dst, uint16_t mtu, int nodf,
		  uint64_t now);

/** dpt_pmtu_get() of an IPv6 cache. */
void dpt_pmtu6_get(const struct dpt_pmtu *p, const struct dpt_in6 *dst,
		   uint64_t now, struct dpt_pmtu_path *out);

/** dpt_pmtu_set() of an IPv6 cache (never "no DF": IPv6 routers never
 * fragment, RFC 8200 5). */
void dpt_pmtu6_set(struct dpt_pmtu *p, const struct dpt_in6 *dst,
		   uint16_t mtu, uint64_t now);

/** The generation: it changes whenever an estimate is written. */
static inline uint32_t
dpt_pmtu_gen(const struct dpt_pmtu *p)
{
	return p->gen;
}

/** The floor ([ip] pmtu_min). */
static inline uint16_t
dpt_pmtu_floor(const struct dpt_pmtu *p)
{
	return (uint16_t)p->conf.min;
}

#endif /* DPT_PMTU_H */
