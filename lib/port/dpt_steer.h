/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_steer.h: which worker lcore owns a frame.
 *
 * Every TCP 4-tuple belongs to one worker, whose connection table alone
 * holds it; every UDP 4-tuple too, hashed the same way, so a reply and its
 * request meet on one worker (lib/udp). The owner is the queue the port's RSS would pick: a Toeplitz
 * hash with a symmetric key (0x6d5a repeated, so both directions of a
 * flow hash alike), then a redirection table, as programmed into the PMD
 * when it has RSS. The same function serves three purposes:
 *
 *   - the software dispatcher: a worker that receives a frame it does not
 *     own (a single-queue PMD such as tap or af_packet, or a PMD whose
 *     queue choice differs from ours) passes it to the owner's ring;
 *   - active opens: a local port is chosen so that the reply hashes back
 *     to the connecting worker;
 *   - ARP: every worker keeps its own neighbour cache, so ARP frames are
 *     shown to all of them;
 *   - IPv4 fragments: a NIC hashes a fragment by its addresses alone (no
 *     ports in later fragments), so the fragments of one datagram meet
 *     on the worker their address pair names (the same hash with ports
 *     0), which reassembles them and passes the whole datagram on to
 *     the worker its 4-tuple names;
 *   - ICMP errors about TCP segments (and UDP datagrams) go to the
 *     worker owning the quoted 4-tuple, whose connection (or connected
 *     socket) they concern.
 *
 * IPv6 TCP segments and UDP datagrams are steered by their IPv6 4-tuple
 * alike (RSS's IPv6 TCP and UDP hash types, the same symmetric key), and
 * ICMPv6 errors by the segment or datagram they quote.
 *
 * The table is written once at start-up and only read afterwards, by
 * every worker.
 */
#ifndef DPT_STEER_H
#define DPT_STEER_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dpt_net.h"

#define DPT_STEER_KEY_LEN 40    /**< bytes of the Toeplitz key */
#define DPT_STEER_RETA_MAX 512  /**< redirection table entries, at most */

/** dpt_steer_frame(): not a TCP or UDP frame; the receiving worker
 * handles it. */
#define DPT_STEER_HERE (-1)
/** dpt_steer_frame(): an ARP frame; every worker's cache sees it. */
#define DPT_STEER_ALL (-2)

struct dpt_steer {
	uint16_t n_workers;             /**< 1 means no steering at all */
	uint16_t reta_size;             /**< entries used in reta[] */
	int hw_hash;                    /**< trust the PMD's RSS hash in mbufs */
	int hw_hash_udp;                /**< ... for UDP too (its RSS hashes
					  *  UDP 4-tuples) */
	int hw_hash_udp6;               /**< ... for UDP over IPv6 too */
	uint16_t reta[DPT_STEER_RETA_MAX]; /**< hash % reta_size -> worker */
	uint8_t key[DPT_STEER_KEY_LEN]; /**< the symmetric key, as the PMD has it */
};

/**
 * Fill @p s for @p n_workers workers and a redirection table of
 * @p reta_size entries (0: the software default, 128), entry i naming
 * worker i % n_workers.
 */
void dpt_steer_init(struct dpt_steer *s, uint16_t n_workers,
		    uint16_t reta_size);

/** Write the symmetric Toeplitz key (0x6d5a repeated), @p len bytes: the
 * one dpt_steer_init() uses, for programming a PMD's RSS. */
void dpt_steer_key(uint8_t *key, unsigned int len);

/**
 * The worker owning a TCP or UDP 4-tuple, addresses and ports in host
 * order.
 * Symmetric: swapping source and destination gives the same worker.
 */
uint16_t dpt_steer_tuple(const struct dpt_steer *s, uint32_t saddr,
			 uint32_t daddr, uint16_t sport, uint16_t dport);

/** The Toeplitz hash of a 4-tuple (host order) under @p s's key. */
uint32_t dpt_steer_hash(const struct dpt_steer *s, uint32_t saddr,
			uint32_t daddr, uint16_t sport, uint16_t dport);

/**
 * dpt_steer_tuple() of an IPv6 4-tuple (addresses as on the wire, ports
 * in host order): the Toeplitz hash RSS computes for IPv6 TCP (the
 * 36-byte tuple of rte_thash, RTE_THASH_V6_L4_LEN), so the same worker
 * the port's RSS picks. Symmetric, as for IPv4 (the key's 16-bit period).
 */
uint16_t dpt_steer_tuple6(const struct dpt_steer *s,
			  const struct dpt_in6 *saddr,
			  const struct dpt_in6 *daddr, uint16_t sport,
			  uint16_t dport);

/** The Toeplitz hash of an IPv6 4-tuple under @p s's key. */
uint32_t dpt_steer_hash6(const struct dpt_steer *s,
			 const struct dpt_in6 *saddr,
			 const struct dpt_in6 *daddr, uint16_t sport,
			 uint16_t dport);

/**
 * Who handles a received Ethernet frame: a worker index for an
 * unfragmented IPv4 TCP segment or UDP datagram or an IPv6 one (TCP or
 * UDP right after the fixed header), DPT_STEER_ALL for ARP,
 * DPT_STEER_HERE for
 * anything else (the receiving worker handles and counts it).
 */
int dpt_steer_frame(const struct dpt_steer *s, const struct rte_mbuf *m);

/**
 * Who handles a received Ethernet frame in the software dispatcher: as
 * dpt_steer_frame(), and besides, for an IPv4 fragment the worker that
 * reassembles its datagram (by addresses: dpt_steer_tuple() with ports
 * 0), for an ICMP error quoting a TCP segment the worker owning that
 * segment's 4-tuple. Frames it cannot read whole stay (DPT_STEER_HERE).
 */
int dpt_steer_rx(const struct dpt_steer *s, const struct rte_mbuf *m);

#endif /* DPT_STEER_H */
