/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * harness.h: what every unit test needs: EAL and an mbuf pool in the test
 * process, mbufs made from bytes, a TX sink that captures frames, an
 * interface with a neighbour cache, and an exact-bytes frame assertion.
 *
 * Criterion runs each test in its own process, so th_eal_init() is a
 * per-test fixture (about 0.1 s).
 */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include <criterion/criterion.h>
#include <rte_mbuf.h>

#include "dpt_neigh.h"
#include "dpt_netif.h"
#include "dpt_stats.h"
#include "dpt_time.h"
#include "dpt_tx.h"

/* Our side and the peer, as in vectors.h. */
#define TH_US_IP DPT_IPV4(198, 18, 0, 2)
#define TH_PEER_IP DPT_IPV4(198, 18, 0, 1)
extern const struct rte_ether_addr th_us_mac, th_peer_mac;

extern struct rte_mempool *th_pool;

/** Fixture: EAL (no hugepages, no PCI, one lcore) and th_pool. */
void th_eal_init(void);

/** An mbuf holding @p len bytes; with @p first > 0, a two-segment chain
 * whose first segment holds @p first bytes. */
struct rte_mbuf *th_mbuf(const void *bytes, size_t len, size_t first);

/**
 * Split the Ethernet/IPv4 frame @p frame (no IP options) into fragments of
 * @p fragsize payload bytes (a multiple of 8) as scapy's fragment() does:
 * the same identification, MF on all but the last, offsets, lengths and
 * header checksums redone. Each becomes an mbuf in @p out.
 *
 * @return
 *   The number of fragments (asserts they fit @p max).
 */
unsigned int th_fragment(const uint8_t *frame, size_t len, uint32_t fragsize,
			 struct rte_mbuf **out, unsigned int max);

/** Captured frames. */
struct th_sink {
	uint16_t n;
	uint16_t refuse;            /* refuse frames after this many, 0 = none */
	struct rte_mbuf *pkts[512];
};

uint16_t th_sink_send(void *sink, struct rte_mbuf **pkts, uint16_t n);

/** An interface 198.18.0.2/24 (MAC th_us_mac), gateway 198.18.0.254, with
 * its own counters, TX burst, capture sink, neighbour cache, reassembly
 * table and path MTU cache. */
struct th_if {
	struct dpt_stats stats;
	struct dpt_tx tx;
	struct th_sink sink;
	struct dpt_netif nif;
	struct dpt_netif_conf nif_conf;
	struct dpt_neigh_conf arp;
	struct dpt_frag *frag;
	struct dpt_pmtu *pmtu;
	struct dpt_neigh *neigh6;   /* th_if_enable6()'s ND cache */
	struct dpt_pmtu *pmtu6;     /* and IPv6 path MTU cache */
};

/** Build @p t with the defaults of the configuration schema. */
void th_if_init(struct th_if *t);

/* IPv6: our side and the peer, as in vectors6.h. */
extern const struct dpt_in6 th_us_ip6, th_peer_ip6;

/**
 * Turn IPv6 on in @p t (after th_if_init()): 2001:2::1/64 (MAC
 * th_us_mac), gateway6 2001:2::fe, an ND cache with @p t's [arp] sizes,
 * an IPv6 path MTU cache, hop limit 64, and @p dad_transmits DAD probes (0: the address is usable
 * at once). The interface is made anew: counters and queues as fresh.
 */
void th_if_enable6(struct th_if *t, uint32_t dad_transmits);

/** Feed the frame of @p len bytes @p f to @p t's interface at @p now. */
void th_in(struct th_if *t, const uint8_t *f, size_t len, uint64_t now);

/** Free what @p t sent so far and forget it. */
void th_clear_sent(struct th_if *t);

/** A TCP input (dpt_l4_input_t) that frees what it gets: for interfaces
 * that must serve TCP without a TCP behind them. */
void th_tcp_sink(void *ctx, struct rte_mbuf *m, const struct dpt_ipv4 *ip,
		 uint64_t now);

/** Flush t's TX burst and return the i-th captured frame (asserts it
 * exists). */
struct rte_mbuf *th_sent(struct th_if *t, uint16_t i);

/** Flush and assert exactly @p n frames were sent. */
void th_assert_sent(struct th_if *t, uint16_t n);

/** Assert @p m holds exactly @p len bytes equal to @p want; on mismatch
 * the message shows both frames in hex. */
void th_assert_frame(const struct rte_mbuf *m, const uint8_t *want,
		     size_t len);

#define TH_ASSERT_FRAME(m, arr) th_assert_frame((m), (arr), sizeof(arr))

/** Assert counter @p id of @p t is @p v. */
#define TH_ASSERT_STAT(t, id, v)                                            \
	cr_assert_eq((t)->stats.c[DPT_STAT_##id], (uint64_t)(v),            \
		     "counter " #id " is %" PRIu64 ", expected %" PRIu64,   \
		     (t)->stats.c[DPT_STAT_##id], (uint64_t)(v))

#endif
