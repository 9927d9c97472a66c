/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_steer.c: which worker owns a frame (lib/port/dpt_steer.c).
 *
 * The owner must be the queue a NIC's RSS picks, so the hash is checked
 * against the Toeplitz verification values Microsoft publishes for RSS
 * ("Verifying the RSS Hash Calculation", IPv4 with TCP), with its key;
 * with dptcp's own key it must be symmetric, so both directions of a
 * connection reach the same worker. Fragments of a datagram meet on the
 * worker of its address pair, which passes the reassembled datagram to
 * the worker of its 4-tuple; ICMP errors go to the quoted segment's.
 */
#include <criterion/criterion.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "dpt_steer.h"
#include "dpt_worker.h"
#include "harness.h"
#include "vectors.h"
#include "vectors_frag.h"

TestSuite(steer, .init = th_eal_init);

#define IP4(a, b, c, d) DPT_IPV4(a, b, c, d)

/* Microsoft's verification key. */
static const uint8_t ms_key[DPT_STEER_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

Test(steer, hash_matches_the_microsoft_rss_verification_values)
{
	struct dpt_steer s;

	dpt_steer_init(&s, 2, 0);
	memcpy(s.key, ms_key, sizeof(ms_key));
	/* source 66.9.149.187:2794, destination 161.142.100.80:1766 */
	cr_assert_eq(dpt_steer_hash(&s, IP4(66, 9, 149, 187),
				    IP4(161, 142, 100, 80), 2794, 1766),
		     0x51ccc178);
	/* source 199.92.111.2:14230, destination 65.69.140.83:4739 */
	cr_assert_eq(dpt_steer_hash(&s, IP4(199, 92, 111, 2),
				    IP4(65, 69, 140, 83), 14230, 4739),
		     0xc626b0ea);
}

/* An IPv6 address from its eight 16-bit groups. */
#define IN6(g0, g1, g2, g3, g4, g5, g6, g7) ((struct dpt_in6){ .b = {     \
	(g0) >> 8, (g0) & 0xff, (g1) >> 8, (g1) & 0xff, (g2) >> 8,         \
	(g2) & 0xff, (g3) >> 8, (g3) & 0xff, (g4) >> 8, (g4) & 0xff,       \
	(g5) >> 8, (g5) & 0xff, (g6) >> 8, (g6) & 0xff, (g7) >> 8,         \
	(g7) & 0xff } })

Test(steer, ipv6_hash_matches_the_microsoft_rss_verification_values)
{
	struct dpt_steer s;
	struct dpt_in6 a, b;

	dpt_steer_init(&s, 2, 0);
	memcpy(s.key, ms_key, sizeof(ms_key));
	/* IPv6 with TCP: source [3ffe:2501:200:1fff::7]:2794, destination
	 * [3ffe:2501:200:3::1]:1766 (the published vectors' addresses:
	 * hashed here, never sent) */
	a = IN6(0x3ffe, 0x2501, 0x200, 0x1fff, 0, 0, 0, 7);
	b = IN6(0x3ffe, 0x2501, 0x200, 3, 0, 0, 0, 1);
	cr_assert_eq(dpt_steer_hash6(&s, &a, &b, 2794, 1766), 0x40207d3d);
	/* source [3ffe:501:8::260:97ff:fe40:efab]:14230, destination
	 * [ff02::1]:4739 */
	a = IN6(0x3ffe, 0x501, 8, 0, 0x260, 0x97ff, 0xfe40, 0xefab);
	b = IN6(0xff02, 0, 0, 0, 0, 0, 0, 1);
	cr_assert_eq(dpt_steer_hash6(&s, &a, &b, 14230, 4739), 0xdde51bbf);
}

Test(steer, both_directions_of_an_ipv6_tuple_have_one_owner)
{
	struct dpt_steer s;
	unsigned int seen[4] = { 0 };

	dpt_steer_init(&s, 4, 0);
	for (int i = 0; i < 10000; i++) {
		/* 2001:2::/48 with random low bits */
		struct dpt_in6 a = IN6(0x2001, 2, 0, 0, 0, 0, 0, 0), b = a;
		uint16_t p = (uint16_t)rte_rand(), q = (uint16_t)rte_rand();
		uint64_t r1 = rte_rand(), r2 = rte_rand();
		uint16_t w;

		memcpy(&a.b[8], &r1, 8);
		memcpy(&b.b[8], &r2, 8);
		w = dpt_steer_tuple6(&s, &a, &b, p, q);
		cr_assert_eq(dpt_steer_hash6(&s, &a, &b, p, q),
			     dpt_steer_hash6(&s, &b, &a, q, p));
		cr_assert_eq(w, dpt_steer_tuple6(&s, &b, &a, q, p));
		cr_assert_lt(w, 4);
		seen[w]++;
	}
	for (int w = 0; w < 4; w++)
		cr_assert_gt(seen[w], 2000, "worker %d owns only %u", w, seen[w]);
}

Test(steer, both_directions_of_a_tuple_have_one_owner)
{
	struct dpt_steer s;
	unsigned int seen[4] = { 0 };

	dpt_steer_init(&s, 4, 0);
	for (int i = 0; i < 10000; i++) {
		uint32_t a = (uint32_t)rte_rand(), b = (uint32_t)rte_rand();
		uint16_t p = (uint16_t)rte_rand(), q = (uint16_t)rte_rand();
		uint16_t w = dpt_steer_tuple(&s, a, b, p, q);

		cr_assert_eq(dpt_steer_hash(&s, a, b, p, q),
			     dpt_steer_hash(&s, b, a, q, p));
		cr_assert_eq(w, dpt_steer_tuple(&s, b, a, q, p));
		cr_assert_lt(w, 4);
		seen[w]++;
	}
	/* every worker gets a share (10,000 draws; each expects 2,500) */
	for (int w = 0; w < 4; w++)
		cr_assert_gt(seen[w], 2000, "worker %d owns only %u", w, seen[w]);
}

Test(steer, redirection_table_names_workers_round_robin)
{
	struct dpt_steer s;

	dpt_steer_init(&s, 3, 0);
	cr_assert_eq(s.reta_size, 128);
	for (int i = 0; i < 128; i++)
		cr_assert_eq(s.reta[i], i % 3);
	dpt_steer_init(&s, 2, 512);
	cr_assert_eq(s.reta_size, 512);
	cr_assert_eq(s.reta[511], 1);
}

/* An Ethernet/IPv4/TCP frame 198.18.0.1:40000 -> 198.18.0.2:80, SYN;
 * Ether()/IP(src='198.18.0.1', dst='198.18.0.2')/TCP(sport=40000,
 * dport=80, flags='S') in scapy (checksums irrelevant here). */
static const uint8_t tcp_syn[] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06,
	0x00, 0x00, 198, 18, 0, 1, 198, 18, 0, 2,
	0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 0, 0, 0, 0, 0,
	0x50, 0x02, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
};

Test(steer, tcp_frame_goes_to_the_owner_of_its_tuple)
{
	struct dpt_steer s;
	struct rte_mbuf *m = th_mbuf(tcp_syn, sizeof(tcp_syn), 0);

	dpt_steer_init(&s, 2, 0);
	cr_assert_eq(dpt_steer_frame(&s, m),
		     dpt_steer_tuple(&s, IP4(198, 18, 0, 1),
				     IP4(198, 18, 0, 2), 40000, 80));
	rte_pktmbuf_free(m);
}

/* UDP 4-tuples are steered as TCP's, so that a datagram and its reply
 * meet on one worker (lib/udp). */
Test(steer, whole_udp_datagram_goes_to_its_tuples_owner)
{
	struct dpt_steer s;
	struct rte_mbuf *m = th_mbuf(udp_dgram, sizeof(udp_dgram), 0);

	dpt_steer_init(&s, 2, 0);
	cr_assert_eq(dpt_steer_frame(&s, m),
		     dpt_steer_tuple(&s, IP4(198, 18, 0, 1),
				     IP4(198, 18, 0, 2), 1000, 53));
	cr_assert_eq(dpt_steer_rx(&s, m), dpt_steer_frame(&s, m));
	rte_pktmbuf_free(m);
}

Test(steer, frames_other_than_whole_tcp_segments_and_udp_datagrams_stay_or_go_to_all)
{
	struct dpt_steer s;
	uint8_t frag[sizeof(tcp_syn)];
	struct rte_mbuf *m;

	dpt_steer_init(&s, 2, 0);
	m = th_mbuf(arp_req, sizeof(arp_req), 0);
	cr_assert_eq(dpt_steer_frame(&s, m), DPT_STEER_ALL);
	rte_pktmbuf_free(m);
	m = th_mbuf(echo_req, sizeof(echo_req), 0);
	cr_assert_eq(dpt_steer_frame(&s, m), DPT_STEER_HERE);
	rte_pktmbuf_free(m);
	/* a first fragment (MF) has ports, but later ones do not: no
	 * fragment is a TCP segment's here (the dispatcher's
	 * dpt_steer_rx() sends them to their reassembler, below) */
	memcpy(frag, tcp_syn, sizeof(frag));
	frag[20] = 0x20;
	m = th_mbuf(frag, sizeof(frag), 0);
	cr_assert_eq(dpt_steer_frame(&s, m), DPT_STEER_HERE);
	rte_pktmbuf_free(m);
}

/* The owners of frag_tcp_whole (vectors_frag.h) among two workers. */
#define PAIR_OWNER 1  /* of 198.18.0.1, 198.18.0.2 */
#define TUPLE_OWNER 0 /* of 198.18.0.1:FRAG_TCP_SPORT -> 198.18.0.2:80 */

static int
rx_owner(const struct dpt_steer *s, const uint8_t *f, size_t len)
{
	struct rte_mbuf *m = th_mbuf(f, len, 0);
	int o = dpt_steer_rx(s, m);

	rte_pktmbuf_free(m);
	return o;
}

#define RX_OWNER(s, arr) rx_owner((s), (arr), sizeof(arr))

/* Ether()/IPv6(src='2001:2::1', dst='2001:2::2')/TCP(sport=40000,
 * dport=80, flags='S') in scapy (checksum irrelevant here). */
static const uint8_t tcp6_syn[] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x06, 0x40,
	0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 0, 0, 0, 0, 0,
	0x50, 0x02, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* An ICMPv6 packet too big (RFC 4443 3.2, MTU 1280) from router
 * 2001:2::fe to 2001:2::2, quoting our segment 2001:2::2:80 ->
 * 2001:2::1:40000 (the start of it: addresses and ports suffice). */
static const uint8_t icmp6_ptb[] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x38, 0x3a, 0x40,
	0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe,
	0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, /* type 2, MTU */
	0x60, 0x00, 0x00, 0x00, 0x05, 0xb4, 0x06, 0x40,
	0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x00, 0x50, 0x9c, 0x40, 0, 0, 0, 0,
};

Test(steer, ipv6_tcp_frame_goes_to_the_owner_of_its_tuple)
{
	struct dpt_in6 peer = IN6(0x2001, 2, 0, 0, 0, 0, 0, 1);
	struct dpt_in6 us = IN6(0x2001, 2, 0, 0, 0, 0, 0, 2);
	struct rte_mbuf *m = th_mbuf(tcp6_syn, sizeof(tcp6_syn), 0);
	struct dpt_steer s;
	int want;

	for (uint16_t n = 2; n <= 8; n++) {
		dpt_steer_init(&s, n, 0);
		want = dpt_steer_tuple6(&s, &peer, &us, 40000, 80);
		cr_assert_eq(dpt_steer_frame(&s, m), want);
		cr_assert_eq(dpt_steer_rx(&s, m), want);
		/* a Packet Too Big about our segment of that 4-tuple goes
		 * to the same worker */
		cr_assert_eq(RX_OWNER(&s, icmp6_ptb), want);
	}
	dpt_steer_init(&s, 1, 0);
	cr_assert_eq(dpt_steer_frame(&s, m), 0);
	rte_pktmbuf_free(m);
}

Test(steer, ipv6_udp_datagram_and_errors_quoting_it_go_to_its_tuples_owner)
{
	struct dpt_in6 peer = IN6(0x2001, 2, 0, 0, 0, 0, 0, 1);
	struct dpt_in6 us = IN6(0x2001, 2, 0, 0, 0, 0, 0, 2);
	uint8_t udp[sizeof(tcp6_syn)], ptb[sizeof(icmp6_ptb)];
	struct dpt_steer s;
	int want;

	/* the same 4-tuples, over UDP (ports at the same offsets) */
	memcpy(udp, tcp6_syn, sizeof(udp));
	udp[20] = IPPROTO_UDP;
	memcpy(ptb, icmp6_ptb, sizeof(ptb));
	ptb[68] = IPPROTO_UDP;
	for (uint16_t n = 2; n <= 8; n++) {
		dpt_steer_init(&s, n, 0);
		want = dpt_steer_tuple6(&s, &peer, &us, 40000, 80);
		cr_assert_eq(rx_owner(&s, udp, sizeof(udp)), want);
		cr_assert_eq(RX_OWNER(&s, ptb), want);
		ptb[54] = 1; /* destination unreachable */
		cr_assert_eq(RX_OWNER(&s, ptb), want);
		ptb[54] = 2;
	}
	dpt_steer_init(&s, 1, 0);
	cr_assert_eq(rx_owner(&s, udp, sizeof(udp)), 0);
}

Test(steer, ipv6_other_than_tcp_stays_where_it_arrives)
{
	uint8_t f[sizeof(icmp6_ptb)];
	struct dpt_steer s;

	dpt_steer_init(&s, 4, 0);
	/* a neighbour solicitation (type 135) is not an error */
	memcpy(f, icmp6_ptb, sizeof(f));
	f[54] = 135;
	cr_assert_eq(RX_OWNER(&s, f), DPT_STEER_HERE);
	/* TCP behind a hop-by-hop options header */
	memcpy(f, tcp6_syn, sizeof(tcp6_syn));
	f[20] = 0;
	cr_assert_eq(rx_owner(&s, f, sizeof(tcp6_syn)), DPT_STEER_HERE);
}

Test(steer, fragments_of_a_datagram_meet_on_the_worker_of_its_addresses)
{
	struct dpt_steer s;
	struct rte_mbuf *m;

	dpt_steer_init(&s, 2, 0);
	/* the vectors were chosen with a Toeplitz hash in Python: the same
	 * owners here */
	cr_assert_eq(dpt_steer_tuple(&s, TH_PEER_IP, TH_US_IP, 0, 0),
		     PAIR_OWNER);
	cr_assert_eq(dpt_steer_tuple(&s, TH_PEER_IP, TH_US_IP,
				     FRAG_TCP_SPORT, 80), TUPLE_OWNER);
	cr_assert_eq(RX_OWNER(&s, frag_tcp_1), PAIR_OWNER);
	cr_assert_eq(RX_OWNER(&s, frag_tcp_2), PAIR_OWNER);
	cr_assert_eq(RX_OWNER(&s, frag_tcp_3), PAIR_OWNER);
	cr_assert_eq(RX_OWNER(&s, frag_echo_2), PAIR_OWNER);
	/* whole, the segment is its 4-tuple's, as dpt_steer_frame() says */
	cr_assert_eq(RX_OWNER(&s, frag_tcp_whole), TUPLE_OWNER);
	m = th_mbuf(frag_tcp_1, sizeof(frag_tcp_1), 0);
	cr_assert_eq(dpt_steer_frame(&s, m), DPT_STEER_HERE);
	rte_pktmbuf_free(m);
	/* one worker: everything stays */
	dpt_steer_init(&s, 1, 0);
	cr_assert_eq(RX_OWNER(&s, frag_tcp_1), DPT_STEER_HERE);
}

Test(steer, icmp_error_goes_to_the_owner_of_the_segment_it_quotes)
{
	struct dpt_steer s;

	dpt_steer_init(&s, 2, 0);
	/* quoting 198.18.0.2:80 -> 198.18.0.1:FRAG_TCP_SPORT, whatever the
	 * router's address */
	cr_assert_eq(RX_OWNER(&s, icmp_frag_needed), TUPLE_OWNER);
	/* one quoting a UDP datagram (198.18.0.1:1000 -> 198.18.0.2:53)
	 * goes to that 4-tuple's owner, whose connected socket it is for */
	cr_assert_eq(RX_OWNER(&s, port_unreach_expected),
		     dpt_steer_tuple(&s, TH_PEER_IP, TH_US_IP, 1000, 53));
	/* other ICMP stays where it arrives */
	cr_assert_eq(RX_OWNER(&s, echo_req), DPT_STEER_HERE);
	cr_assert_eq(RX_OWNER(&s, arp_req), DPT_STEER_ALL);
}

/* Two workers on a port with one queue pair, as the engine builds them
 * for net_tap: inboxes, steering; worker @i's interface a test one. */
static struct dpt_port two_port;
static struct dpt_worker *two[2];
static struct th_if two_if;

static void
two_workers(void)
{
	static const struct dpt_frag_conf small = {
		.datagrams = 4, .mbufs = 16, .timeout_us = 1000000,
		.max_size = 65535, .min_frag = 8 };

	two_port.n_workers = 2;
	two_port.nb_queues = 1;
	dpt_steer_init(&two_port.steer, 2, 0);
	for (unsigned int i = 0; i < 2; i++) {
		two[i] = rte_zmalloc(NULL, sizeof(*two[i]), 64);
		cr_assert_not_null(two[i]);
		two[i]->index = i;
		two[i]->lcore_id = 100 + i;
	}
	for (unsigned int i = 0; i < 2; i++)
		cr_assert_eq(dpt_dispatch_init(two[i], &two_port, two), 0);
	/* the reassembler's interface (fragments of 8 bytes allowed) */
	th_if_init(&two_if);
	dpt_frag_free(two_if.frag);
	two_if.frag = dpt_frag_create(&(struct dpt_frag_params){
		.name = "two_frag", .socket_id = 0, .conf = &small,
		.rx_pool = th_pool, .stats = &two_if.stats });
	cr_assert_not_null(two_if.frag);
	two_if.nif.frag = two_if.frag;
	two_if.nif.tcp_input = th_tcp_sink; /* TCP is served */
	two_if.nif.handoff = dpt_dispatch_handoff;
	two_if.nif.handoff_arg = two[PAIR_OWNER];
}

Test(steer, receiving_worker_passes_fragments_to_the_reassembler)
{
	struct rte_mbuf *pkts[3], *got[4];
	uint16_t keep;

	two_workers();
	pkts[0] = th_mbuf(frag_tcp_1, sizeof(frag_tcp_1), 0);
	pkts[1] = th_mbuf(frag_tcp_2, sizeof(frag_tcp_2), 0);
	pkts[2] = th_mbuf(frag_tcp_3, sizeof(frag_tcp_3), 0);
	keep = dpt_dispatch_rx(two[1 - PAIR_OWNER], pkts, 3);
	cr_assert_eq(keep, 0);
	cr_assert_eq(rte_ring_sc_dequeue_burst(two[PAIR_OWNER]->inbox,
					       (void **)got, 4, NULL), 3);
	TH_ASSERT_FRAME(got[0], frag_tcp_1);
	TH_ASSERT_FRAME(got[1], frag_tcp_2);
	TH_ASSERT_FRAME(got[2], frag_tcp_3);
	cr_assert_eq(two[1 - PAIR_OWNER]->stats.c[DPT_STAT_rx_steer_out], 3);
	rte_pktmbuf_free_bulk(got, 3);
}

Test(steer, reassembled_segment_goes_to_the_worker_of_its_tuple)
{
	struct rte_mbuf *got[2];

	two_workers();
	dpt_eth_input(&two_if.nif, th_mbuf(frag_tcp_2, sizeof(frag_tcp_2), 0),
		      0);
	dpt_eth_input(&two_if.nif, th_mbuf(frag_tcp_3, sizeof(frag_tcp_3), 0),
		      0);
	dpt_eth_input(&two_if.nif, th_mbuf(frag_tcp_1, sizeof(frag_tcp_1), 0),
		      0);
	cr_assert_eq(two_if.stats.c[DPT_STAT_ip_frag_reassembled], 1);
	/* the whole segment, its header as if never fragmented */
	cr_assert_eq(rte_ring_sc_dequeue_burst(two[TUPLE_OWNER]->inbox,
					       (void **)got, 2, NULL), 1);
	TH_ASSERT_FRAME(got[0], frag_tcp_whole);
	cr_assert_eq(two[PAIR_OWNER]->stats.c[DPT_STAT_rx_steer_out], 1);
	rte_pktmbuf_free(got[0]);
}

Test(steer, reassembled_datagram_of_the_reassembler_itself_stays)
{
	two_workers();
	two_if.nif.handoff_arg = two[TUPLE_OWNER]; /* it owns the tuple */
	dpt_eth_input(&two_if.nif, th_mbuf(frag_tcp_1, sizeof(frag_tcp_1), 0),
		      0);
	dpt_eth_input(&two_if.nif, th_mbuf(frag_tcp_2, sizeof(frag_tcp_2), 0),
		      0);
	dpt_eth_input(&two_if.nif, th_mbuf(frag_tcp_3, sizeof(frag_tcp_3), 0),
		      0);
	cr_assert_eq(two_if.stats.c[DPT_STAT_ip_frag_reassembled], 1);
	cr_assert_eq(rte_ring_count(two[0]->inbox), 0);
	cr_assert_eq(rte_ring_count(two[1]->inbox), 0);
	cr_assert_eq(two[TUPLE_OWNER]->stats.c[DPT_STAT_rx_steer_out], 0);
}

/* The dispatcher is called with every burst, most of them empty on an
 * idle port: it must return before sizing its arrays by the burst (an
 * array of length 0 is undefined; UBSan stopped dptcpd on it in the
 * sanitizer build's t_multicore). */
Test(steer, dispatch_of_an_empty_burst_keeps_nothing)
{
	struct dpt_steer s;
	static struct dpt_worker w;

	dpt_steer_init(&s, 2, 0);
	w.steer = &s;
	cr_assert_eq(dpt_dispatch_rx(&w, NULL, 0), 0);
}
