/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ip.c: the stateful L2/L3 of lib/ip driven with frames and a fake
 * clock: ARP answering and learning (RFC 826), resolution, aging and bounds
 * of the neighbour cache (RFC 1122 2.3.2), IPv4 input rules (RFC 1122
 * 3.2.1) and ICMP (RFC 792, RFC 1122 3.2.2). Every output is compared byte
 * for byte with a frame scapy made (vectors.h).
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_ip.h>

#include "harness.h"
#include "vectors.h"

#define COPY(dst, src) uint8_t dst[sizeof(src)]; memcpy(dst, src, sizeof(src))
#define T0 dpt_s(1000) /* an arbitrary start for the fake clock */
#define IP_OFF 14

static struct th_if t;

static void
setup(void)
{
	th_eal_init();
	th_if_init(&t);
}

static void
in(const uint8_t *f, size_t len, uint64_t now)
{
	dpt_eth_input(&t.nif, th_mbuf(f, len, 0), now);
}

#define IN(arr, now) in((arr), sizeof(arr), (now))

/* Forget what was sent so far. */
static void
clear_sent(void)
{
	dpt_tx_flush(&t.tx);
	for (uint16_t i = 0; i < t.sink.n; i++)
		rte_pktmbuf_free(t.sink.pkts[i]);
	t.sink.n = 0;
}

/* Make the peer known (it asks for us, we answer) and forget the answer. */
static void
learn_peer(uint64_t now)
{
	IN(arp_req, now);
	clear_sent();
}

/* An IPv4 packet ready for dpt_ipv4_output(): the echo request's IP part
 * with room for the Ethernet header. */
static struct rte_mbuf *
ip_packet(uint8_t tag)
{
	struct rte_mbuf *m = th_mbuf(echo_req, sizeof(echo_req), 0);

	rte_pktmbuf_mtod_offset(m, uint8_t *, sizeof(echo_req) - 1)[0] = tag;
	return m;
}

static uint8_t
tag_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, const uint8_t *)[m->data_len - 1];
}

/* Recompute the ICMP checksum of an edited frame (no IP options). */
static void
fix_icmp_cksum(uint8_t *f, size_t len)
{
	f[36] = f[37] = 0;
	uint16_t ck = (uint16_t)~rte_raw_cksum(f + 34, len - 34);
	memcpy(&f[36], &ck, 2);
}

/* 200 hosts 198.19.0.i (off-link senders are learned too) ask for us at
 * T0 + i microseconds: more than the 64-entry table holds. */
static void
requests_from_200_hosts(void)
{
	COPY(f, arp_req);

	f[29] = 19;
	for (unsigned int i = 1; i <= 200; i++) {
		f[30] = (uint8_t)(i >> 8);
		f[31] = (uint8_t)i;
		IN(f, T0 + i);
	}
}

TestSuite(arp_input, .init = setup);

/* The request @req is answered by exactly @want, and (RFC 826) the
 * requester is added since we are the target. */
static void
assert_arp_answered(const uint8_t *req, size_t req_len, const uint8_t *want,
		    size_t want_len)
{
	struct rte_ether_addr mac;

	in(req, req_len, T0);
	th_assert_frame(th_sent(&t, 0), want, want_len);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, arp_rx_request, 1);
	TH_ASSERT_STAT(&t, arp_tx_reply, 1);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, &mac),
		     DPT_NEIGH_REACHABLE);
	cr_assert(rte_is_same_ether_addr(&mac, &th_peer_mac));
	TH_ASSERT_STAT(&t, neigh_added, 1);
}

Test(arp_input, request_for_our_address_gets_the_exact_reply_rfc826)
{
	assert_arp_answered(arp_req, sizeof(arp_req), arp_reply_expected,
			    sizeof(arp_reply_expected));
}

Test(arp_input, request_for_another_address_is_not_answered_nor_learned)
{
	COPY(f, arp_req);

	f[41] = 3; /* who-has 198.18.0.3 */
	IN(f, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, arp_rx_not_for_us, 1);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, NULL),
		     DPT_NEIGH_FREE);
}

Test(arp_input, known_sender_is_updated_whoever_the_target_rfc826_merge)
{
	struct rte_ether_addr mac;
	COPY(f, arp_req);

	learn_peer(T0);
	f[27] = 0x99; /* sender now 02:00:00:00:00:99 */
	f[41] = 3;    /* and asks for 198.18.0.3 */
	IN(f, T0 + 5);
	th_assert_sent(&t, 0);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, &mac),
		     DPT_NEIGH_REACHABLE);
	cr_assert_eq(mac.addr_bytes[5], 0x99);
	TH_ASSERT_STAT(&t, neigh_updated, 1);
}

Test(arp_input, unsolicited_reply_to_us_is_learned_rfc826)
{
	IN(arp_reply_from_peer, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, arp_rx_reply, 1);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, NULL),
		     DPT_NEIGH_REACHABLE);
}

Test(arp_input, request_another_worker_answered_is_learned_without_a_reply)
{
	struct rte_ether_addr mac;

	/* the worker that received it answered; this one only learns */
	dpt_arp_learn(&t.nif, th_mbuf(arp_req, sizeof(arp_req), 0), T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, arp_rx_shared, 1);
	TH_ASSERT_STAT(&t, arp_rx_request, 0);
	TH_ASSERT_STAT(&t, rx_frames, 0);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, &mac),
		     DPT_NEIGH_REACHABLE);
	cr_assert(rte_is_same_ether_addr(&mac, &th_peer_mac));
}

Test(arp_input, shared_frame_for_another_address_teaches_only_known_senders)
{
	COPY(f, arp_req);

	f[41] = 3; /* who-has 198.18.0.3: not learnt (RFC 826) */
	dpt_arp_learn(&t.nif, th_mbuf(f, sizeof(f), 0), T0);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, NULL),
		     DPT_NEIGH_FREE);
	th_assert_sent(&t, 0);
}

/* A request whose sender claims 198.18.0.@octet, one of ours. */
static void
assert_arp_conflict(uint8_t octet)
{
	COPY(f, arp_req);

	f[31] = octet; /* spa */
	IN(f, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, arp_drop_conflict, 1);
}

Test(arp_input, sender_claiming_our_address_is_arp_drop_conflict_rfc5227)
{
	assert_arp_conflict(2);
}

Test(arp_input, probe_is_answered_but_teaches_nothing_rfc5227)
{
	COPY(f, arp_req);

	memset(&f[28], 0, 4); /* spa 0.0.0.0 */
	IN(f, T0);
	TH_ASSERT_FRAME(th_sent(&t, 0), arp_probe_reply_expected);
	TH_ASSERT_STAT(&t, neigh_added, 0);
}

Test(arp_input, learning_never_evicts_when_the_table_is_full)
{
	uint32_t added;

	/* Learning stops at capacity; every request is still answered. */
	requests_from_200_hosts();
	added = (uint32_t)t.stats.c[DPT_STAT_neigh_added];
	cr_assert_lt(added, 200);
	cr_assert_geq(added, 64);
	TH_ASSERT_STAT(&t, neigh_evicted, 0);
	TH_ASSERT_STAT(&t, arp_tx_reply, 200);
}

TestSuite(neigh, .init = setup);

Test(neigh, unknown_next_hop_queues_the_packet_and_broadcasts_a_request)
{
	dpt_ipv4_output(&t.nif, ip_packet(1), TH_PEER_IP, T0);
	TH_ASSERT_FRAME(th_sent(&t, 0), arp_req_from_us);
	th_assert_sent(&t, 1);
	cr_assert_eq(dpt_neigh_queued(t.nif.neigh), 1);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, NULL),
		     DPT_NEIGH_INCOMPLETE);
}

Test(neigh, second_packet_while_incomplete_sends_no_second_request)
{
	dpt_ipv4_output(&t.nif, ip_packet(1), TH_PEER_IP, T0);
	dpt_ipv4_output(&t.nif, ip_packet(2), TH_PEER_IP, T0 + 10);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, arp_tx_request, 1);
	cr_assert_eq(dpt_neigh_queued(t.nif.neigh), 2);
}

Test(neigh, reply_releases_queued_packets_in_order_to_the_answered_mac)
{
	struct rte_mbuf *m;

	for (uint8_t i = 1; i <= 3; i++)
		dpt_ipv4_output(&t.nif, ip_packet(i), TH_PEER_IP, T0);
	clear_sent();
	IN(arp_reply_from_peer, T0 + 100);
	th_assert_sent(&t, 3);
	for (uint16_t i = 0; i < 3; i++) {
		struct dpt_eth e;

		m = th_sent(&t, i);
		cr_assert_eq(dpt_eth_parse(m, &e), DPT_STAT_OK);
		cr_assert(rte_is_same_ether_addr(&e.dst, &th_peer_mac));
		cr_assert(rte_is_same_ether_addr(&e.src, &th_us_mac));
		cr_assert_eq(e.type, RTE_ETHER_TYPE_IPV4);
		cr_assert_eq(tag_of(m), i + 1);
	}
	cr_assert_eq(dpt_neigh_queued(t.nif.neigh), 0);
}

Test(neigh, unanswered_request_is_repeated_each_retrans_then_abandoned)
{
	dpt_ipv4_output(&t.nif, ip_packet(1), TH_PEER_IP, T0);
	dpt_ipv4_output(&t.nif, ip_packet(2), TH_PEER_IP, T0);
	/* The tick works every 10 ms: retransmission is on time to 10 ms. */
	dpt_neigh_tick(&t.nif, T0 + dpt_ms(999));
	th_assert_sent(&t, 1);
	dpt_neigh_tick(&t.nif, T0 + dpt_ms(1010));
	TH_ASSERT_FRAME(th_sent(&t, 1), arp_req_from_us);
	dpt_neigh_tick(&t.nif, T0 + dpt_ms(2010));
	TH_ASSERT_FRAME(th_sent(&t, 2), arp_req_from_us);
	th_assert_sent(&t, 3);
	/* The third request went unanswered for `retrans`: give up. */
	dpt_neigh_tick(&t.nif, T0 + dpt_ms(3020));
	th_assert_sent(&t, 3);
	TH_ASSERT_STAT(&t, neigh_drop_unresolved, 2);
	TH_ASSERT_STAT(&t, neigh_expired, 1);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, NULL),
		     DPT_NEIGH_FREE);
	cr_assert_eq(dpt_neigh_queued(t.nif.neigh), 0);
}

Test(neigh, full_resolution_queue_drops_new_packets_with_a_counter)
{
	for (uint8_t i = 0; i < 10; i++)
		dpt_ipv4_output(&t.nif, ip_packet(i), TH_PEER_IP, T0);
	cr_assert_eq(dpt_neigh_queued(t.nif.neigh), 8);
	TH_ASSERT_STAT(&t, neigh_drop_queue_full, 2);
}

Test(neigh, reachable_entry_is_used_without_asking)
{
	learn_peer(T0);
	dpt_ipv4_output(&t.nif, ip_packet(7), TH_PEER_IP, T0 + dpt_s(29));
	th_assert_sent(&t, 1);
	cr_assert_eq(tag_of(th_sent(&t, 0)), 7);
	TH_ASSERT_STAT(&t, arp_tx_request, 0);
}

/* Host 198.18.0.@oct, MAC 02:00:00:00:@mac, asks for us: learnt. */
static void
learn_host(uint8_t oct, uint8_t mac, uint64_t now)
{
	COPY(f, arp_req);

	f[11] = f[27] = mac;
	f[31] = oct;
	IN(f, now);
}

Test(neigh, output_alternating_next_hops_reaches_each_ones_mac)
{
	/* .1, .17 and .33 share a slot of output's cache, .5 has its own;
	 * frames alternate between them, each to its host's MAC, also
	 * after one host's MAC changes */
	static const uint8_t oct[] = { 1, 5, 17, 33 };
	uint8_t mac[] = { 0x11, 0x15, 0x21, 0x31 };
	uint8_t tag = 0;
	uint16_t k = 0;

	for (unsigned int i = 0; i < RTE_DIM(oct); i++)
		learn_host(oct[i], mac[i], T0);
	clear_sent();
	for (unsigned int round = 0; round < 3; round++) {
		if (round == 2) {
			mac[1] = 0x55; /* .5 moved: RFC 826 updates it */
			learn_host(oct[1], mac[1], T0 + 2);
			clear_sent();
			k = 0;
		}
		for (unsigned int i = 0; i < RTE_DIM(oct); i++) {
			const struct rte_mbuf *m;

			dpt_ipv4_output(&t.nif, ip_packet(++tag),
					DPT_IPV4(198, 18, 0, oct[i]), T0 + 3);
			m = th_sent(&t, k++);
			cr_assert_eq(tag_of(m), tag);
			cr_assert_eq(rte_pktmbuf_mtod(m, const uint8_t *)[5],
				     mac[i], "frame %u to .%u", tag, oct[i]);
		}
	}
	th_assert_sent(&t, k);
	TH_ASSERT_STAT(&t, arp_tx_request, 0);
}

Test(neigh, stale_entry_is_used_and_refreshed_by_unicast_rfc1122_2_3_2_1)
{
	learn_peer(T0);
	dpt_ipv4_output(&t.nif, ip_packet(7), TH_PEER_IP, T0 + dpt_s(30));
	/* The unicast poll goes first, then the packet to the old MAC. */
	TH_ASSERT_FRAME(th_sent(&t, 0), arp_probe_from_us);
	cr_assert_eq(tag_of(th_sent(&t, 1)), 7);
	th_assert_sent(&t, 2);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, NULL),
		     DPT_NEIGH_STALE);
	/* One poll per round, not one per packet. */
	dpt_ipv4_output(&t.nif, ip_packet(8), TH_PEER_IP, T0 + dpt_s(30) + 1);
	th_assert_sent(&t, 3);
	/* The answer makes it reachable again. */
	IN(arp_reply_from_peer, T0 + dpt_s(30) + 5);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, NULL),
		     DPT_NEIGH_REACHABLE);
}

Test(neigh, stale_entry_whose_polls_go_unanswered_is_removed)
{
	uint64_t now = T0 + dpt_s(30);

	learn_peer(T0);
	dpt_ipv4_output(&t.nif, ip_packet(7), TH_PEER_IP, now);
	dpt_neigh_tick(&t.nif, now + dpt_s(1));
	dpt_neigh_tick(&t.nif, now + dpt_s(2));
	TH_ASSERT_STAT(&t, arp_tx_request, 3);
	dpt_neigh_tick(&t.nif, now + dpt_s(3));
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, NULL),
		     DPT_NEIGH_FREE);
	TH_ASSERT_STAT(&t, neigh_expired, 1);
}

Test(neigh, unused_entry_is_removed_after_gc)
{
	learn_peer(T0);
	dpt_neigh_tick(&t.nif, T0 + dpt_s(299));
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, NULL),
		     DPT_NEIGH_STALE);
	dpt_neigh_tick(&t.nif, T0 + dpt_s(300));
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, NULL),
		     DPT_NEIGH_FREE);
	TH_ASSERT_STAT(&t, neigh_expired, 1);
	th_assert_sent(&t, 0);
}

Test(neigh, off_link_destination_resolves_the_gateway)
{
	dpt_ipv4_output(&t.nif, ip_packet(1), DPT_IPV4(192, 0, 2, 1), T0);
	TH_ASSERT_FRAME(th_sent(&t, 0), arp_req_gw_from_us);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, DPT_IPV4(198, 18, 0, 254),
				      NULL), DPT_NEIGH_INCOMPLETE);
}

Test(neigh, off_link_destination_without_gateway_is_ip_drop_no_route)
{
	t.nif.gateway = 0;
	dpt_ipv4_output(&t.nif, ip_packet(1), DPT_IPV4(192, 0, 2, 1), T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, ip_drop_no_route, 1);
}

Test(neigh, full_table_evicts_the_oldest_stale_entry_for_output)
{
	uint32_t learned;

	requests_from_200_hosts();
	learned = (uint32_t)t.stats.c[DPT_STAT_neigh_added];
	clear_sent();
	/* All entries are stale after `reachable`; the oldest goes. */
	for (uint32_t i = 0; i < 64; i++)
		dpt_neigh_tick(&t.nif, T0 + dpt_s(31) + dpt_ms(10) * i);
	dpt_ipv4_output(&t.nif, ip_packet(1), TH_PEER_IP, T0 + dpt_s(32));
	TH_ASSERT_STAT(&t, neigh_evicted, 1);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, DPT_IPV4(198, 19, 0, 1),
				      NULL), DPT_NEIGH_FREE);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, NULL),
		     DPT_NEIGH_INCOMPLETE);
	TH_ASSERT_STAT(&t, neigh_added, learned + 1);
}

Test(neigh, full_table_of_reachable_entries_drops_with_a_counter)
{
	requests_from_200_hosts();
	clear_sent();
	dpt_ipv4_output(&t.nif, ip_packet(1), TH_PEER_IP, T0 + dpt_s(1));
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, neigh_drop_table_full, 1);
}

TestSuite(ipv4_input, .init = setup);

/* The echo request @req is answered by exactly @want. */
static void
assert_echo_answered(const uint8_t *req, size_t req_len, const uint8_t *want,
		     size_t want_len)
{
	learn_peer(T0);
	in(req, req_len, T0 + 1);
	th_assert_frame(th_sent(&t, 0), want, want_len);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, icmp_rx_echo_request, 1);
	TH_ASSERT_STAT(&t, icmp_tx_echo_reply, 1);
	TH_ASSERT_STAT(&t, ip_rx, 1);
	TH_ASSERT_STAT(&t, ip_tx, 1);
}

Test(ipv4_input, echo_request_gets_the_exact_reply_rfc792)
{
	assert_echo_answered(echo_req, sizeof(echo_req), echo_reply_expected,
			     sizeof(echo_reply_expected));
}

Test(ipv4_input, echo_reply_to_unresolved_peer_waits_for_arp)
{
	IN(echo_req, T0);
	TH_ASSERT_FRAME(th_sent(&t, 0), arp_req_from_us);
	th_assert_sent(&t, 1);
	IN(arp_reply_from_peer, T0 + 50);
	TH_ASSERT_FRAME(th_sent(&t, 1), echo_reply_expected);
}

Test(ipv4_input, echo_request_with_options_is_answered_without_them)
{
	learn_peer(T0);
	IN(echo_req_opts, T0 + 1);
	TH_ASSERT_FRAME(th_sent(&t, 0), echo_reply_opts_expected);
}

Test(ipv4_input, ethernet_padding_is_not_echoed)
{
	uint8_t f[60] = { 0 };

	memcpy(f, echo_req, sizeof(echo_req));
	learn_peer(T0);
	IN(f, T0 + 1);
	TH_ASSERT_FRAME(th_sent(&t, 0), echo_reply_expected);
}

Test(ipv4_input, ttl_1_is_delivered_and_counted_rfc1122_3_2_1_7)
{
	COPY(f, echo_req);
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + IP_OFF);

	h->time_to_live = 1;
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
	learn_peer(T0);
	IN(f, T0 + 1);
	TH_ASSERT_FRAME(th_sent(&t, 0), echo_reply_expected);
	TH_ASSERT_STAT(&t, ip_rx_ttl_low, 1);
}

static void
send_with_addrs(uint32_t src, uint32_t dst)
{
	COPY(f, echo_req);
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + IP_OFF);

	h->src_addr = rte_cpu_to_be_32(src);
	h->dst_addr = rte_cpu_to_be_32(dst);
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
	IN(f, T0 + 1);
}

Test(ipv4_input, datagram_for_another_host_is_ip_drop_not_for_us)
{
	send_with_addrs(TH_PEER_IP, DPT_IPV4(198, 18, 0, 3));
	send_with_addrs(TH_PEER_IP, DPT_IPV4(198, 18, 0, 255));
	send_with_addrs(TH_PEER_IP, DPT_IPV4(255, 255, 255, 255));
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, ip_drop_not_for_us, 3);
}

Test(ipv4_input, spoofed_sources_are_ip_drop_bad_src_rfc1122_3_2_1_3)
{
	send_with_addrs(TH_US_IP, TH_US_IP);
	send_with_addrs(DPT_IPV4(198, 18, 0, 255), TH_US_IP);
	send_with_addrs(DPT_IPV4(127, 0, 0, 1), TH_US_IP);
	send_with_addrs(DPT_IPV4(224, 0, 0, 5), TH_US_IP);
	send_with_addrs(DPT_IPV4(0, 0, 0, 0), TH_US_IP);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, ip_drop_bad_src, 5);
}

Test(ipv4_input, headers_split_across_segments_are_rx_drop_hdr_split)
{
	dpt_eth_input(&t.nif, th_mbuf(echo_req, sizeof(echo_req), 20), T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, rx_drop_hdr_split, 1);
}

Test(ipv4_input, unsupported_protocol_gets_protocol_unreachable_rfc1122)
{
	learn_peer(T0);
	IN(proto132_dgram, T0 + 1);
	TH_ASSERT_FRAME(th_sent(&t, 0), proto_unreach_expected);
	TH_ASSERT_STAT(&t, ip_drop_proto, 1);
	TH_ASSERT_STAT(&t, icmp_tx_dest_unreach, 1);
}

Test(ipv4_input, icmp_errors_are_rate_limited_rfc1812_4_3_2_8)
{
	learn_peer(T0);
	/* burst 5, rate 1000/s: 5 at once, then one per millisecond */
	for (int i = 0; i < 7; i++)
		IN(proto132_dgram, T0 + 1);
	th_assert_sent(&t, 5);
	TH_ASSERT_STAT(&t, icmp_drop_ratelimit, 2);
	IN(proto132_dgram, T0 + 1 + dpt_ms(1));
	th_assert_sent(&t, 6);
	TH_ASSERT_STAT(&t, ip_drop_proto, 8);
}

Test(ipv4_input, icmp_rate_0_never_sends_errors)
{
	t.nif.icmp_rate = 0;
	learn_peer(T0);
	IN(proto132_dgram, T0 + 1);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, icmp_drop_ratelimit, 1);
	TH_ASSERT_STAT(&t, ip_drop_proto, 1);
}

/* dptcp opens no UDP port: every datagram is for a closed one. */
Test(ipv4_input, udp_gets_port_unreachable_rfc1122_4_1_3_1)
{
	learn_peer(T0);
	IN(udp_dgram, T0 + 1);
	TH_ASSERT_FRAME(th_sent(&t, 0), port_unreach_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 1);
	TH_ASSERT_STAT(&t, icmp_tx_dest_unreach, 1);
	TH_ASSERT_STAT(&t, ip_drop_proto, 0);
}

Test(ipv4_input, udp_without_checksum_gets_port_unreachable_rfc768)
{
	COPY(f, udp_dgram);

	f[40] = f[41] = 0; /* no checksum: allowed over IPv4 */
	learn_peer(T0);
	IN(f, T0 + 1);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 1);
}

Test(ipv4_input, udp_with_a_wrong_checksum_is_dropped_silently_rfc1122_4_1_3_4)
{
	COPY(f, udp_dgram);

	f[41] ^= 1;
	learn_peer(T0);
	IN(f, T0 + 1);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, udp_drop_cksum, 1);
	TH_ASSERT_STAT(&t, icmp_tx_dest_unreach, 0);
}

Test(ipv4_input, udp_length_other_than_ips_is_udp_drop_len)
{
	COPY(f, udp_dgram);

	f[39] = 9; /* one byte short of the datagram (10) */
	learn_peer(T0);
	IN(f, T0 + 1);
	f[39] = 7; /* shorter than a UDP header */
	IN(f, T0 + 2);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, udp_drop_len, 2);
}

Test(ipv4_input, udp_port_unreachable_is_rate_limited_with_the_other_errors)
{
	learn_peer(T0);
	/* burst 5: the sixth error of any kind waits for a token */
	for (int i = 0; i < 3; i++)
		IN(udp_dgram, T0 + 1);
	for (int i = 0; i < 3; i++)
		IN(proto132_dgram, T0 + 1);
	th_assert_sent(&t, 5);
	TH_ASSERT_STAT(&t, icmp_drop_ratelimit, 1);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 3);
	TH_ASSERT_STAT(&t, ip_drop_proto, 3);
}

/* RFC 792: the reply is the request with the type changed to 0; the code
 * (nmap's OS detection sends 9) goes back as it came. */
Test(ipv4_input, echo_request_with_a_nonzero_code_is_answered_with_it_rfc792)
{
	assert_echo_answered(echo_req_code9, sizeof(echo_req_code9),
			     echo_reply_code9_expected,
			     sizeof(echo_reply_code9_expected));
}

Test(ipv4_input, echo_reply_received_is_counted_not_answered)
{
	COPY(f, echo_req);

	f[34] = 0; /* type echo reply */
	fix_icmp_cksum(f, sizeof(f));
	IN(f, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, icmp_rx_echo_reply, 1);
}

Test(ipv4_input, unhandled_icmp_type_is_icmp_drop_type)
{
	COPY(f, echo_req);

	f[34] = 13; /* timestamp request */
	fix_icmp_cksum(f, sizeof(f));
	IN(f, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, icmp_drop_type, 1);
}

TestSuite(eth_input, .init = setup);

Test(eth_input, frame_to_another_unicast_mac_is_eth_drop_not_for_us)
{
	COPY(f, echo_req);

	f[5] = 0x77;
	IN(f, T0);
	TH_ASSERT_STAT(&t, eth_drop_not_for_us, 1);
	TH_ASSERT_STAT(&t, rx_frames, 1);
	TH_ASSERT_STAT(&t, rx_bytes, sizeof(f));
}

Test(eth_input, frame_to_a_multicast_mac_is_eth_drop_multicast)
{
	COPY(f, echo_req);

	memcpy(f, "\x33\x33\x00\x00\x00\x01", 6);
	IN(f, T0);
	TH_ASSERT_STAT(&t, eth_drop_multicast, 1);
}

Test(eth_input, ipv6_frame_is_eth_drop_ethertype)
{
	COPY(f, echo_req);

	f[12] = 0x86;
	f[13] = 0xdd;
	IN(f, T0);
	TH_ASSERT_STAT(&t, eth_drop_ethertype, 1);
	th_assert_sent(&t, 0);
}

Test(eth_input, frames_a_full_port_refuses_wait_for_the_next_flush)
{
	learn_peer(T0);
	t.sink.refuse = 1;
	IN(echo_req, T0 + 1);
	IN(echo_req, T0 + 2);
	dpt_tx_flush(&t.tx);
	TH_ASSERT_STAT(&t, tx_frames, 2); /* the ARP reply + one echo reply */
	cr_assert_eq(t.tx.n, 1);          /* the other waits */
	TH_ASSERT_STAT(&t, tx_drop_full, 0);
	t.sink.refuse = 0;
	dpt_tx_flush(&t.tx);
	TH_ASSERT_STAT(&t, tx_frames, 3);
	cr_assert_eq(t.tx.n, 0);
	TH_ASSERT_STAT(&t, tx_drop_full, 0);
}

/* Push a frame of @len bytes (contents irrelevant) onto t's TX burst. */
static void
push_frame(uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(th_pool);

	cr_assert_not_null(m);
	cr_assert_not_null(rte_pktmbuf_append(m, (uint16_t)len));
	dpt_tx_push(&t.tx, m);
}

Test(eth_input, frame_longer_than_the_mtu_is_tx_drop_oversize)
{
	t.tx.max_frame = 1514;
	push_frame(1515);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, tx_drop_oversize, 1);
	/* a frame of exactly the bound goes */
	push_frame(1514);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, tx_drop_oversize, 1);
}

static uint16_t
refuse_all(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	(void)pkts;
	(void)n;
	return 0;
}

Test(eth_input, frames_relayed_to_another_outbox_count_as_tx_relayed)
{
	t.tx.relay = 1;
	push_frame(100);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, tx_relayed, 1);
	TH_ASSERT_STAT(&t, tx_frames, 0);
	TH_ASSERT_STAT(&t, tx_bytes, 0);
}

Test(eth_input, frames_are_dropped_only_past_the_wait_capacity)
{
	struct dpt_stats st = { .c = { 0 } };
	static struct dpt_tx tx;

	tx = (struct dpt_tx){ .send = refuse_all, .stats = &st };
	for (int i = 0; i < DPT_TX_CAP + 3; i++)
		dpt_tx_push(&tx, rte_pktmbuf_alloc(th_pool));
	cr_assert_eq(tx.n, DPT_TX_CAP);
	cr_assert_eq(st.c[DPT_STAT_tx_drop_full], 3);
	cr_assert_eq(st.c[DPT_STAT_tx_frames], 0);
	rte_pktmbuf_free_bulk(tx.pkts, tx.n);
}

/* ---- several addresses: [port0] address = 198.18.0.2/24, addresses = 4
 * (.2 to .5) ------------------------------------------------------------ */

#define ALIAS(n) DPT_IPV4(198, 18, 0, 2 + (n)) /* our n-th address after .2 */

static void
setup_aliases(void)
{
	th_eal_init();
	th_if_init(&t);
	t.nif_conf.n_addrs = 4;
	t.nif.n_addrs = 4; /* what dpt_netif_init() takes from t.nif_conf */
}

TestSuite(aliases, .init = setup_aliases);

Test(aliases, owns_exactly_the_range)
{
	cr_assert(dpt_netif_owns(&t.nif, TH_US_IP));
	cr_assert(dpt_netif_owns(&t.nif, ALIAS(3)));
	cr_assert_not(dpt_netif_owns(&t.nif, ALIAS(4)));
	cr_assert_not(dpt_netif_owns(&t.nif, TH_US_IP - 1));
	cr_assert_not(dpt_netif_owns(&t.nif, 0));
	cr_assert_not(dpt_netif_owns(&t.nif, UINT32_MAX));
}

Test(aliases, arp_request_for_the_third_address_is_answered_from_it_rfc826)
{
	/* RFC 826: the reply's sender protocol address is the one asked
	 * for (198.18.0.4), not our first. */
	assert_arp_answered(arp_req_alias3, sizeof(arp_req_alias3),
			    arp_reply_alias3_expected,
			    sizeof(arp_reply_alias3_expected));
}

Test(aliases, arp_request_past_the_range_is_not_answered_nor_learned)
{
	COPY(f, arp_req);

	f[41] = 6; /* who-has 198.18.0.6, one past .5 */
	IN(f, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, arp_rx_not_for_us, 1);
	TH_ASSERT_STAT(&t, arp_rx_request, 0);
	cr_assert_eq(dpt_neigh_lookup(t.nif.neigh, TH_PEER_IP, NULL),
		     DPT_NEIGH_FREE);
}

Test(aliases, arp_sender_claiming_an_alias_is_arp_drop_conflict_rfc5227)
{
	assert_arp_conflict(5);
}

Test(aliases, echo_request_to_an_alias_is_answered_from_that_alias)
{
	/* RFC 1122 3.2.2.6 and 3.3.4.2: the reply's source is the address
	 * the request was sent to (198.18.0.5). */
	assert_echo_answered(echo_req_alias, sizeof(echo_req_alias),
			     echo_reply_alias_expected,
			     sizeof(echo_reply_alias_expected));
}

Test(aliases, protocol_unreachable_for_an_alias_comes_from_that_alias)
{
	COPY(f, proto132_dgram);
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + IP_OFF);
	struct dpt_ipv4 ip;
	struct rte_mbuf *m;

	learn_peer(T0);
	h->dst_addr = rte_cpu_to_be_32(ALIAS(2));
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
	IN(f, T0 + 1);
	m = th_sent(&t, 0);
	cr_assert_eq(dpt_ipv4_parse(m, IP_OFF, &ip), DPT_STAT_OK);
	cr_assert_eq(ip.src, ALIAS(2));
	cr_assert_eq(ip.dst, TH_PEER_IP);
	cr_assert_eq(ip.proto, IPPROTO_ICMP);
	TH_ASSERT_STAT(&t, icmp_tx_dest_unreach, 1);
	TH_ASSERT_STAT(&t, ip_drop_proto, 1);
}

Test(aliases, datagram_past_the_range_is_ip_drop_not_for_us)
{
	send_with_addrs(TH_PEER_IP, ALIAS(4));
	send_with_addrs(TH_PEER_IP, TH_US_IP - 1);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, ip_drop_not_for_us, 2);
}

Test(aliases, source_that_is_an_alias_is_ip_drop_bad_src_rfc1122_3_2_1_3)
{
	send_with_addrs(ALIAS(3), TH_US_IP);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, ip_drop_bad_src, 1);
}
