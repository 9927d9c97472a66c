/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_frag.h: IPv4 reassembly (RFC 791 3.2, RFC 1122 3.3.2) and IPv6
 * reassembly (RFC 8200 4.5) on one lcore, in one table.
 *
 * Owns the datagrams in reassembly: at most `datagrams` of them and
 * `mbufs` fragments held per lcore (the pool is sized for them, and a
 * fragment never takes the pool's reception reserve), each waiting at
 * most `timeout` from its first fragment. Overlapping fragments discard
 * their whole datagram (RFC 5722's rule, applied to IPv4); exact
 * duplicates are dropped alone (RFC 8200 4.5). Tiny fragments (a non-last
 * one below `min_frag`, a first one without its whole transport header,
 * RFC 1858) and datagrams past `max_size` or 65535 bytes (the "ping of
 * death") are refused before any state is taken. The caller passes only
 * the protocols it answers (dpt_netif.c: TCP and ICMP, whose transport
 * headers the first-fragment rule knows, and UDP, whose whole datagram
 * gets its port unreachable). Every refusal is counted by
 * reason (ip_frag_drop_*, both families).
 *
 * IPv6 (dpt_frag_input6()): datagrams are named by source, destination
 * and identification (RFC 8200 4.5); overlaps discard the datagram (RFC
 * 5722); the first fragment must carry the whole header chain up to the
 * transport header (RFC 7112 5); the reassembled packet's payload length
 * may not pass 65535; the fragment header is removed and its next header
 * put in the header before it. The same bounds and timeout as IPv4's
 * ([ip] reass_*: RFC 8200's 60 s is a maximum).
 *
 * Why not DPDK's librte_ip_frag: in 22.11 (as Debian builds it) a
 * datagram holds at most RTE_LIBRTE_IP_FRAG_MAX_FRAG = 8 fragments, so
 * nothing past ~11.8 KB reassembles on a 1500-byte link where Linux
 * sends up to 64 KiB; rte_ipv4_frag_reassemble_packet() answers NULL
 * alike for "waiting", "table full", "timed out" and "bad fragments", so
 * no refusal can be counted by reason; it never checks that offset plus
 * length stays within 65535 (the reassembled total length wraps); its key
 * lacks the protocol (RFC 791). Overlaps it does catch, indirectly: a
 * datagram is
 * put together only when the bytes received add up to its length and the
 * pieces chain end to end, so overlapping fragments leave it to time out
 * or fail (discarding all), and an exact duplicate discards the whole
 * datagram too.
 *
 * Costs: per fragment one hash and one lookup (a new datagram's
 * insertion reuses the hash); placing it is O(1) in order and
 * in reverse order, otherwise a walk of the datagram's held fragments (at
 * most max_size / min_frag + 1, 257 by default, and never more than the
 * lcore's `mbufs`); per datagram completed, one pass to chain its
 * fragments (no copy: the datagram is an mbuf chain of the fragments
 * themselves). Expiry is O(expired): datagrams wait in arrival order and
 * all wait equally long.
 */
#ifndef DPT_FRAG_H
#define DPT_FRAG_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpt_net.h"
#include "dpt_stats.h"

/** Reassembly as configured ([ip] reass_*; lib/cfg fills it). */
struct dpt_frag_conf {
	uint32_t datagrams;  /**< datagrams in reassembly per lcore, 0 = no
			       *  reassembly (fragments dropped, counted) */
	uint32_t mbufs;      /**< fragments held per lcore, all datagrams */
	uint64_t timeout_us; /**< from a datagram's first fragment */
	uint32_t max_size;   /**< largest datagram, total length in bytes */
	uint32_t min_frag;   /**< least payload of a non-last fragment */
};

/** Parameters of dpt_frag_create(). */
struct dpt_frag_params {
	const char *name;                 /**< unique: names its hash table */
	int socket_id;                    /**< NUMA socket for memory */
	const struct dpt_frag_conf *conf;
	struct rte_mempool *rx_pool;      /**< the pool fragments come from,
					    *  or NULL */
	uint32_t rx_reserve;              /**< its mbufs kept for reception:
					    *  below it fragments are refused */
	struct dpt_stats *stats;          /**< this lcore's counters */
};

struct dpt_frag;

/**
 * Create one lcore's reassembly table.
 *
 * @return
 *   The table, or NULL with rte_errno set (ENOMEM, EINVAL when
 *   conf->datagrams is 0: no table is needed then).
 */
struct dpt_frag *dpt_frag_create(const struct dpt_frag_params *p);

/** Free the table and every fragment it holds (uncounted: the lcore is
 * going). NULL is a no-op. */
void dpt_frag_free(struct dpt_frag *f);

/**
 * Take one fragment.
 *
 * @param m
 *   The fragment, data at its IPv4 header, trimmed to its total length;
 *   taken in every case.
 * @param ip
 *   Its parsed header (dpt_ipv4_parse() returned ip_drop_fragment); when
 *   a datagram completes, updated to the reassembled one (total length,
 *   no fragment flags).
 * @return
 *   The reassembled datagram: a chain of the fragments, data at the first
 *   one's IPv4 header, that header rewritten (total length, offset and MF
 *   cleared, checksum) and the PMD's checksum and RSS verdicts cleared
 *   (they were about one fragment). NULL when @p m was held or dropped
 *   (counted).
 */
struct rte_mbuf *dpt_frag_input(struct dpt_frag *f, struct rte_mbuf *m,
				struct dpt_ipv4 *ip, uint64_t now);

/**
 * Take one IPv6 fragment, as dpt_frag_input() does for IPv4.
 *
 * @param m
 *   The fragment, data at its IPv6 header, trimmed to its payload length;
 *   taken in every case.
 * @param ip
 *   Its parsed header (dpt_ipv6_parse() returned ip6_drop_fragment); when
 *   a packet completes, updated to the reassembled one (parsed again: the
 *   headers after the fragment header walked).
 * @return
 *   The reassembled packet: a chain of the fragments, data at the first
 *   one's IPv6 header, without fragment header, payload length the
 *   whole's; the PMD's verdicts cleared. NULL when @p m was held or
 *   dropped (counted).
 */
struct rte_mbuf *dpt_frag_input6(struct dpt_frag *f, struct rte_mbuf *m,
				 struct dpt_ipv6 *ip, uint64_t now);

/**
 * Discard the oldest datagram whose time is up at @p now, if any: its
 * fragments are freed and counted (ip_frag_drop_timeout), except the
 * first fragment, which is handed to the caller for the ICMP time
 * exceeded RFC 1122 3.3.2 asks for.
 *
 * @param first
 *   Set to that first fragment (data at its IPv4 or IPv6 header: the
 *   version says which; the caller frees it), or NULL if it never came or
 *   the datagram was already discarded.
 * @return
 *   1 if a datagram was removed (call again), 0 if none is due.
 */
int dpt_frag_expire(struct dpt_frag *f, uint64_t now, struct rte_mbuf **first);

/** Fragments (mbufs) held now. */
uint32_t dpt_frag_held(const struct dpt_frag *f);

#endif /* DPT_FRAG_H */
