/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_steer.c: which worker owns a frame (lib/port/dpt_steer.c).
 *
 * The owner must be the queue a NIC's RSS picks, so the hash is checked
 * against the Toeplitz verification values Microsoft publishes for RSS
 * ("Verifying the RSS Hash Calculation", IPv4 with TCP), with its key;
 * with dptcp's own key it must be symmetric, so both directions of a
 * connection reach the same worker.
 */
#include <criterion/criterion.h>
#include <rte_random.h>

#include "dpt_steer.h"
#include "dpt_worker.h"
#include "harness.h"
#include "vectors.h"

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

Test(steer, frames_other_than_whole_tcp_segments_stay_or_go_to_all)
{
	struct dpt_steer s;
	uint8_t frag[sizeof(tcp_syn)];
	struct rte_mbuf *m;

	dpt_steer_init(&s, 2, 0);
	m = th_mbuf(arp_req, sizeof(arp_req), 0);
	cr_assert_eq(dpt_steer_frame(&s, m), DPT_STEER_ALL);
	rte_pktmbuf_free(m);
	m = th_mbuf(udp_dgram, sizeof(udp_dgram), 0);
	cr_assert_eq(dpt_steer_frame(&s, m), DPT_STEER_HERE);
	rte_pktmbuf_free(m);
	m = th_mbuf(echo_req, sizeof(echo_req), 0);
	cr_assert_eq(dpt_steer_frame(&s, m), DPT_STEER_HERE);
	rte_pktmbuf_free(m);
	/* a first fragment (MF) has ports, but later ones do not: all
	 * fragments stay where they arrive (and are counted there) */
	memcpy(frag, tcp_syn, sizeof(frag));
	frag[20] = 0x20;
	m = th_mbuf(frag, sizeof(frag), 0);
	cr_assert_eq(dpt_steer_frame(&s, m), DPT_STEER_HERE);
	rte_pktmbuf_free(m);
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
