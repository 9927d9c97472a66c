/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ipv6.c: IPv6 below the transports: the parser's walk of extension
 * headers (RFC 8200 4, RFC 5095), the pseudo-header checksum (RFC 8200
 * 8.1), the writer, Neighbor Discovery (RFC 4861: resolution,
 * solicitations answered, the cache), duplicate address detection (RFC
 * 4862 5.4) and ICMPv6 (RFC 4443). Frames are compared byte for byte
 * with scapy's (vectors6.h).
 */
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>

#include "dpt_nd.h"
#include "harness.h"
#include "vectors6.h"

#define COPY(dst, src) uint8_t dst[sizeof(src)]; memcpy(dst, src, sizeof(src))
#define T0 dpt_s(1000)

static struct th_if t;

static void
setup(void)
{
	th_eal_init();
	th_if_init(&t);
	th_if_enable6(&t, 0);
}

#define IN(arr, now) th_in(&t, (arr), sizeof(arr), (now))

/* ---- the parser ---- */

static enum dpt_stat
parse(const uint8_t *p, size_t len, struct dpt_ipv6 *ip, uint32_t *ptr,
      uint8_t *code)
{
	struct rte_mbuf *m = th_mbuf(p, len, 0);
	enum dpt_stat r = dpt_ipv6_parse_ex(m, 0, ip, ptr, code);

	rte_pktmbuf_free(m);
	return r;
}

#define PARSE(arr, ip, ptr, code) parse((arr), sizeof(arr), (ip), (ptr), (code))

TestSuite(ipv6_parse, .init = th_eal_init);

Test(ipv6_parse, fixed_header_fields)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(no_next, &ip, &ptr, &code), DPT_STAT_OK);
	cr_assert(dpt_in6_eq(&ip.src, &th_peer_ip6));
	cr_assert(dpt_in6_eq(&ip.dst, &th_us_ip6));
	cr_assert_eq(ip.payload_len, 4);
	cr_assert_eq(ip.hdr_len, 40);
	cr_assert_eq(ip.proto, IPPROTO_NONE);
	cr_assert_eq(ip.hop_limit, 64);
	cr_assert_eq(ip.frag, 0);
	cr_assert_eq(ptr, 6, "the fixed header's next header field");
}

Test(ipv6_parse, traffic_class_and_flow_label)
{
	COPY(p, no_next);
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	p[0] = 0x6a; /* tclass 0xab, flow 0xcdef1 */
	p[1] = 0xbc;
	p[2] = 0xde;
	p[3] = 0xf1;
	cr_assert_eq(PARSE(p, &ip, &ptr, &code), DPT_STAT_OK);
	cr_assert_eq(ip.tclass, 0xab);
	cr_assert_eq(ip.flow, 0xcdef1);
}

Test(ipv6_parse, short_version_and_length_refused)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;
	COPY(p, no_next);

	cr_assert_eq(parse(p, 39, &ip, &ptr, &code), DPT_STAT_ip6_drop_short);
	p[0] = 0x40;
	cr_assert_eq(PARSE(p, &ip, &ptr, &code), DPT_STAT_ip6_drop_version);
	p[0] = 0x60;
	p[5] = 5; /* one byte more than the frame holds */
	cr_assert_eq(PARSE(p, &ip, &ptr, &code), DPT_STAT_ip6_drop_len);
	p[5] = 0; /* a jumbogram's 0 (RFC 2675) */
	cr_assert_eq(PARSE(p, &ip, &ptr, &code), DPT_STAT_ip6_drop_len);
}

Test(ipv6_parse, padding_past_the_payload_is_allowed)
{
	uint8_t p[sizeof(no_next) + 6] = { 0 };
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	memcpy(p, no_next, sizeof(no_next));
	cr_assert_eq(PARSE(p, &ip, &ptr, &code), DPT_STAT_OK);
	cr_assert_eq(ip.payload_len, 4);
}

Test(ipv6_parse, hop_by_hop_padn_walked_rfc8200_4_2)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(hbh_padn, &ip, &ptr, &code), DPT_STAT_OK);
	cr_assert_eq(ip.proto, IPPROTO_UDP);
	cr_assert_eq(ip.hdr_len, 48);
	cr_assert_eq(ptr, 40, "the hop-by-hop header's next header field");
}

Test(ipv6_parse, unknown_option_00_is_skipped)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(dst_opt_skip, &ip, &ptr, &code), DPT_STAT_OK);
	cr_assert_eq(ip.proto, IPPROTO_UDP);
	cr_assert_eq(ip.hdr_len, 48);
}

Test(ipv6_parse, unknown_option_01_discards_silently)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(dst_opt_discard, &ip, &ptr, &code),
		     DPT_STAT_ip6_drop_option);
	cr_assert_eq(code, 0xff);
}

Test(ipv6_parse, unknown_option_10_wants_parameter_problem_2)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(dst_opt_icmp, &ip, &ptr, &code),
		     DPT_STAT_ip6_drop_option);
	cr_assert_eq(code, 2);
	cr_assert_eq(ptr, 42, "the option's type byte");
}

Test(ipv6_parse, unknown_option_11_to_a_group_sends_nothing)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(dst_opt_icmp_mcast, &ip, &ptr, &code),
		     DPT_STAT_ip6_drop_option);
	cr_assert_eq(code, 0xff);
}

Test(ipv6_parse, hop_by_hop_after_another_header_refused_rfc8200_4_1)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(hbh_not_first, &ip, &ptr, &code),
		     DPT_STAT_ip6_drop_hbh_pos);
	cr_assert_eq(code, 1);
	cr_assert_eq(ptr, 40, "the next header field naming it");
}

Test(ipv6_parse, routing_type_0_with_segments_left_refused_rfc5095)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(rh0_segleft, &ip, &ptr, &code),
		     DPT_STAT_ip6_drop_rh0);
	cr_assert_eq(code, 0);
	cr_assert_eq(ptr, 42, "the routing type");
}

Test(ipv6_parse, routing_header_without_segments_left_is_skipped)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(rh0_no_segleft, &ip, &ptr, &code), DPT_STAT_OK);
	cr_assert_eq(ip.proto, IPPROTO_UDP);
	cr_assert_eq(ip.hdr_len, 40 + 24);
}

Test(ipv6_parse, other_routing_type_with_segments_left_refused)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(rh4_segleft, &ip, &ptr, &code),
		     DPT_STAT_ip6_drop_routing);
	cr_assert_eq(ptr, 42);
}

Test(ipv6_parse, fragment_ends_the_walk_with_its_fields)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(frag_second, &ip, &ptr, &code),
		     DPT_STAT_ip6_drop_fragment);
	cr_assert_eq(ip.frag, 1);
	cr_assert_eq(ip.frag_more, 1);
	cr_assert_eq(ip.frag_off, 8);
	cr_assert_eq(ip.frag_id, 0x12345678);
	cr_assert_eq(ip.proto, IPPROTO_UDP);
	cr_assert_eq(ip.hdr_len, 48);
}

Test(ipv6_parse, atomic_fragment_is_a_whole_packet_rfc6946)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(frag_atomic, &ip, &ptr, &code), DPT_STAT_OK);
	cr_assert_eq(ip.proto, IPPROTO_UDP);
	cr_assert_eq(ip.hdr_len, 48);
	cr_assert_eq(ip.frag, 0);
}

Test(ipv6_parse, more_than_eight_extension_headers_refused)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;

	cr_assert_eq(PARSE(dst_opts_nine, &ip, &ptr, &code),
		     DPT_STAT_ip6_drop_ext_many);
}

Test(ipv6_parse, header_past_the_payload_refused)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;
	COPY(p, hbh_padn);

	p[41] = 2; /* claims 24 bytes: runs past the 17-byte payload */
	cr_assert_eq(PARSE(p, &ip, &ptr, &code), DPT_STAT_ip6_drop_ext_trunc);
	memcpy(p, hbh_padn, sizeof(p));
	p[5] = 4; /* payload of 4 bytes: the header itself does not fit */
	cr_assert_eq(parse(p, 44, &ip, &ptr, &code),
		     DPT_STAT_ip6_drop_ext_trunc);
}

Test(ipv6_parse, option_past_its_header_refused)
{
	struct dpt_ipv6 ip;
	uint32_t ptr;
	uint8_t code;
	COPY(p, hbh_padn);

	p[43] = 5; /* PadN of 5 bytes where 4 remain */
	cr_assert_eq(PARSE(p, &ip, &ptr, &code), DPT_STAT_ip6_drop_ext_trunc);
}

Test(ipv6_parse, a_header_straddling_segments_is_read_whole)
{
	struct rte_mbuf *m = th_mbuf(hbh_padn, sizeof(hbh_padn), 43);
	struct dpt_ipv6 ip;

	cr_assert_eq(dpt_ipv6_parse(m, 0, &ip), DPT_STAT_OK);
	cr_assert_eq(ip.hdr_len, 48);
	rte_pktmbuf_free(m);
}

/* ---- checksums and the writer ---- */

TestSuite(ipv6_cksum, .init = th_eal_init);

Test(ipv6_cksum, pseudo_header_known_vector_rfc8200_8_1)
{
	/* 2001:2::2 -> 2001:2::1, length 13, UDP: the 16-bit words
	 * 2001 0002 0002 | 2001 0002 0001 | 000d | 0011 sum to 0x4027 (by
	 * hand; zero words omitted) */
	uint32_t s = dpt_ipv6_phdr_sum(&th_peer_ip6, &th_us_ip6, 13,
				       IPPROTO_UDP);

	cr_assert_eq(rte_be_to_cpu_16((uint16_t)s), 0x4027);
}

Test(ipv6_cksum, pseudo_header_equals_dpdks)
{
	struct rte_mbuf *m = th_mbuf(udp6_closed, sizeof(udp6_closed), 0);
	const struct rte_ipv6_hdr *h =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, 14);
	struct dpt_ipv6 ip;

	cr_assert_eq(dpt_ipv6_parse(m, 14, &ip), DPT_STAT_OK);
	cr_assert_eq(dpt_ipv6_phdr_sum(&ip.src, &ip.dst, 13, IPPROTO_UDP),
		     rte_ipv6_phdr_cksum(h, 0));
	rte_pktmbuf_free(m);
}

Test(ipv6_cksum, udp_checksum_matches_scapys)
{
	COPY(p, udp6_closed);
	struct rte_mbuf *m;
	struct dpt_ipv6 ip;
	uint16_t want, got;

	memcpy(&want, &p[14 + 40 + 6], 2);
	m = th_mbuf(p, sizeof(p), 0);
	cr_assert_eq(dpt_ipv6_parse(m, 14, &ip), DPT_STAT_OK);
	cr_assert(dpt_ipv6_l4_cksum_ok(m, &ip, 54, 13));
	rte_pktmbuf_mtod_offset(m, uint8_t *, 60)[0] = 0;
	rte_pktmbuf_mtod_offset(m, uint8_t *, 61)[0] = 0;
	got = dpt_ipv6_l4_cksum(m, &ip, 54, 13);
	cr_assert_eq(got, want, "got %04x, scapy %04x", got, want);
	/* and over a chain split at an odd offset */
	rte_pktmbuf_free(m);
	p[60] = p[61] = 0;
	m = th_mbuf(p, sizeof(p), 57);
	cr_assert_eq(dpt_ipv6_l4_cksum(m, &ip, 54, 13), want);
	rte_pktmbuf_free(m);
}

Test(ipv6_cksum, a_corrupt_byte_fails)
{
	COPY(p, udp6_closed);
	struct rte_mbuf *m;
	struct dpt_ipv6 ip;

	p[sizeof(p) - 1] ^= 1;
	m = th_mbuf(p, sizeof(p), 0);
	cr_assert_eq(dpt_ipv6_parse(m, 14, &ip), DPT_STAT_OK);
	cr_assert_not(dpt_ipv6_l4_cksum_ok(m, &ip, 54, 13));
	rte_pktmbuf_free(m);
}

Test(ipv6_cksum, writer_writes_scapys_fixed_header)
{
	struct rte_mbuf *m = th_mbuf(no_next, sizeof(no_next), 0);
	struct dpt_ipv6 ip = { .src = th_peer_ip6, .dst = th_us_ip6,
			       .payload_len = 4, .proto = IPPROTO_NONE,
			       .hop_limit = 64 };

	memset(rte_pktmbuf_mtod(m, uint8_t *), 0xaa, 40);
	dpt_ipv6_write(m, 0, &ip);
	TH_ASSERT_FRAME(m, no_next);
	ip.tclass = 0xab;
	ip.flow = 0xcdef1;
	dpt_ipv6_write(m, 0, &ip);
	cr_assert_eq(rte_pktmbuf_mtod(m, uint8_t *)[0], 0x6a);
	cr_assert_eq(rte_pktmbuf_mtod(m, uint8_t *)[1], 0xbc);
	cr_assert_eq(rte_pktmbuf_mtod(m, uint8_t *)[2], 0xde);
	cr_assert_eq(rte_pktmbuf_mtod(m, uint8_t *)[3], 0xf1);
	rte_pktmbuf_free(m);
}

/* ---- Neighbor Discovery ---- */

TestSuite(nd, .init = setup);

/* A packet for dpt_ipv6_output(): the echo request's IPv6 part with room
 * for the Ethernet header, its last byte @tag. */
static struct rte_mbuf *
ip6_packet(uint8_t tag)
{
	struct rte_mbuf *m = th_mbuf(echo6_req, sizeof(echo6_req), 0);

	rte_pktmbuf_mtod_offset(m, uint8_t *, sizeof(echo6_req) - 1)[0] = tag;
	return m;
}

static uint8_t
tag_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, const uint8_t *)[m->data_len - 1];
}

Test(nd, output_to_an_unknown_neighbour_solicits_its_group_rfc4861_7_2_2)
{
	dpt_ipv6_output(&t.nif, ip6_packet(1), &th_peer_ip6, T0);
	TH_ASSERT_FRAME(th_sent(&t, 0), ns_for_peer_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, nd_tx_ns, 1);
	cr_assert_eq(dpt_neigh6_lookup(t.neigh6, &th_peer_ip6, NULL),
		     DPT_NEIGH_INCOMPLETE);
	cr_assert_eq(dpt_neigh_queued(t.neigh6), 1);
}

Test(nd, advertisement_fills_the_cache_and_queued_packets_leave)
{
	struct rte_ether_addr mac;
	const struct rte_mbuf *f;

	dpt_ipv6_output(&t.nif, ip6_packet(1), &th_peer_ip6, T0);
	dpt_ipv6_output(&t.nif, ip6_packet(2), &th_peer_ip6, T0 + 1);
	th_clear_sent(&t);
	IN(na_from_peer, T0 + 2);
	th_assert_sent(&t, 2);
	for (uint16_t i = 0; i < 2; i++) {
		f = th_sent(&t, i);
		cr_assert_eq(tag_of(f), i + 1, "in the order queued");
		cr_assert(rte_is_same_ether_addr(
			rte_pktmbuf_mtod(f, const struct rte_ether_addr *),
			&th_peer_mac));
		cr_assert_eq(rte_pktmbuf_mtod(f, const uint8_t *)[12], 0x86);
		cr_assert_eq(rte_pktmbuf_mtod(f, const uint8_t *)[13], 0xdd);
	}
	cr_assert_eq(dpt_neigh6_lookup(t.neigh6, &th_peer_ip6, &mac),
		     DPT_NEIGH_REACHABLE);
	cr_assert(rte_is_same_ether_addr(&mac, &th_peer_mac));
	cr_assert_eq(dpt_neigh_queued(t.neigh6), 0);
	TH_ASSERT_STAT(&t, nd_rx_na, 1);
	/* known now: the next packet goes at once, nothing asked */
	th_clear_sent(&t);
	dpt_ipv6_output(&t.nif, ip6_packet(3), &th_peer_ip6, T0 + 3);
	th_assert_sent(&t, 1);
	cr_assert_eq(tag_of(th_sent(&t, 0)), 3);
}

Test(nd, unanswered_solicitations_give_up_and_count)
{
	dpt_ipv6_output(&t.nif, ip6_packet(1), &th_peer_ip6, T0);
	for (int i = 1; i <= 3; i++)
		dpt_neigh_tick(&t.nif, T0 + (uint64_t)i * dpt_s(1) + 1);
	/* three solicitations ([arp] probes), then given up */
	th_assert_sent(&t, 3);
	TH_ASSERT_STAT(&t, neigh_drop_unresolved, 1);
	cr_assert_eq(dpt_neigh6_lookup(t.neigh6, &th_peer_ip6, NULL),
		     DPT_NEIGH_FREE);
}

Test(nd, solicitation_for_our_address_gets_the_exact_advertisement)
{
	struct rte_ether_addr mac;

	IN(ns_from_peer, T0);
	TH_ASSERT_FRAME(th_sent(&t, 0), na_to_peer_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, nd_rx_ns, 1);
	TH_ASSERT_STAT(&t, nd_tx_na, 1);
	/* RFC 4861 7.2.3: the sender is learnt, STALE */
	cr_assert_eq(dpt_neigh6_lookup(t.neigh6, &th_peer_ip6, &mac),
		     DPT_NEIGH_STALE);
	cr_assert(rte_is_same_ether_addr(&mac, &th_peer_mac));
}

Test(nd, stale_entry_is_probed_by_unicast_on_use_rfc4861_7_3_3)
{
	const uint8_t *p;

	IN(ns_from_peer, T0);
	th_clear_sent(&t);
	dpt_ipv6_output(&t.nif, ip6_packet(1), &th_peer_ip6, T0 + 1);
	th_assert_sent(&t, 2);
	/* the probe: to the peer's MAC and address, then the packet */
	p = rte_pktmbuf_mtod(th_sent(&t, 0), const uint8_t *);
	cr_assert(rte_is_same_ether_addr((const void *)p, &th_peer_mac));
	cr_assert_eq(memcmp(p + 14 + 24, &th_peer_ip6, 16), 0);
	cr_assert_eq(p[54], ND_NEIGHBOR_SOLICIT);
	cr_assert_eq(tag_of(th_sent(&t, 1)), 1);
	/* the solicited answer confirms it */
	IN(na_from_peer, T0 + 2);
	cr_assert_eq(dpt_neigh6_lookup(t.neigh6, &th_peer_ip6, NULL),
		     DPT_NEIGH_REACHABLE);
}

Test(nd, unreachable_neighbour_is_detected_and_removed)
{
	IN(ns_from_peer, T0);
	dpt_ipv6_output(&t.nif, ip6_packet(1), &th_peer_ip6, T0 + 1);
	for (int i = 1; i <= 3; i++)
		dpt_neigh_tick(&t.nif, T0 + (uint64_t)i * dpt_s(1) + 2);
	cr_assert_eq(dpt_neigh6_lookup(t.neigh6, &th_peer_ip6, NULL),
		     DPT_NEIGH_FREE);
	TH_ASSERT_STAT(&t, neigh_expired, 1);
}

Test(nd, solicitation_for_another_target_is_not_answered)
{
	COPY(f, ns_from_peer);

	f[14 + 40 + 8 + 15] = 9; /* target 2001:2::9 (checksum redone) */
	f[14 + 40 + 2] = 0;
	f[14 + 40 + 3] = 0;
	{
		struct rte_mbuf *m = th_mbuf(f, sizeof(f), 0);
		struct dpt_ipv6 ip;
		uint16_t ck;

		dpt_ipv6_parse(m, 14, &ip);
		ck = dpt_ipv6_l4_cksum(m, &ip, 54, sizeof(f) - 54);
		memcpy(&f[56], &ck, 2);
		rte_pktmbuf_free(m);
	}
	IN(f, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, nd_drop_not_for_us, 1);
}

Test(nd, hop_limit_below_255_is_invalid_rfc4861_7_1_1)
{
	COPY(f, ns_from_peer);

	f[14 + 7] = 254;
	IN(f, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, nd_drop_invalid, 1);
}

Test(nd, bad_checksum_is_dropped)
{
	COPY(f, ns_from_peer);

	f[sizeof(f) - 1] ^= 0xff;
	IN(f, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, icmp6_drop_cksum, 1);
}

Test(nd, another_nodes_dad_for_our_address_is_defended_rfc4861_7_2_4)
{
	IN(dad_ns_from_peer, T0);
	TH_ASSERT_FRAME(th_sent(&t, 0), na_defend_expected);
	th_assert_sent(&t, 1);
	/* a probe from :: teaches nothing */
	cr_assert_eq(dpt_neigh6_lookup(t.neigh6, &th_peer_ip6, NULL),
		     DPT_NEIGH_FREE);
}

Test(nd, shared_copy_learns_without_answering)
{
	struct rte_mbuf *m = th_mbuf(ns_from_peer, sizeof(ns_from_peer), 0);

	cr_assert(dpt_nd_frame_is_nd(m));
	dpt_nd_learn(&t.nif, m, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, nd_rx_shared, 1);
	cr_assert_eq(dpt_neigh6_lookup(t.neigh6, &th_peer_ip6, NULL),
		     DPT_NEIGH_STALE);
}

Test(nd, router_advertisement_is_ignored_and_counted)
{
	COPY(f, na_from_peer);
	struct rte_mbuf *m;
	struct dpt_ipv6 ip;
	uint16_t ck;

	f[54] = ND_ROUTER_ADVERT; /* a made-up RA: only the type counts */
	f[56] = f[57] = 0;
	m = th_mbuf(f, sizeof(f), 0);
	dpt_ipv6_parse(m, 14, &ip);
	ck = dpt_ipv6_l4_cksum(m, &ip, 54, sizeof(f) - 54);
	memcpy(&f[56], &ck, 2);
	rte_pktmbuf_free(m);
	IN(f, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, nd_drop_ra, 1);
}

/* ---- duplicate address detection ---- */

static void
setup_dad(void)
{
	th_eal_init();
	th_if_init(&t);
	th_if_enable6(&t, 1);
}

TestSuite(dad, .init = setup_dad);

Test(dad, probe_from_unspecified_goes_first_rfc4862_5_4_2)
{
	cr_assert_null(dpt_netif_addr6(&t.nif), "tentative: not usable");
	dpt_ipv6_tick(&t.nif, T0);
	TH_ASSERT_FRAME(th_sent(&t, 0), dad_ns_expected);
	th_assert_sent(&t, 1);
	cr_assert_not(dpt_netif_owns6(&t.nif, &th_us_ip6));
}

Test(dad, no_answer_makes_the_address_usable)
{
	dpt_ipv6_tick(&t.nif, T0);
	dpt_ipv6_tick(&t.nif, T0 + dpt_s(1) - 1);
	cr_assert_not(dpt_netif_owns6(&t.nif, &th_us_ip6));
	dpt_ipv6_tick(&t.nif, T0 + dpt_s(1));
	cr_assert(dpt_netif_owns6(&t.nif, &th_us_ip6));
	cr_assert_not_null(dpt_netif_addr6(&t.nif));
	cr_assert(dpt_in6_eq(dpt_netif_addr6(&t.nif), &th_us_ip6));
	th_assert_sent(&t, 1);
}

Test(dad, packets_to_a_tentative_address_are_dropped)
{
	dpt_ipv6_tick(&t.nif, T0);
	th_clear_sent(&t);
	IN(echo6_req, T0 + 1);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, ip6_drop_tentative, 1);
}

Test(dad, conflicting_advertisement_makes_it_a_duplicate_rfc4862_5_4_4)
{
	dpt_ipv6_tick(&t.nif, T0);
	IN(dad_conflict_na, T0 + 1);
	TH_ASSERT_STAT(&t, nd_dad_duplicate, 1);
	dpt_ipv6_tick(&t.nif, T0 + dpt_s(2));
	cr_assert_not(dpt_netif_owns6(&t.nif, &th_us_ip6));
	cr_assert_null(dpt_netif_addr6(&t.nif));
	/* never answered for, never used */
	th_clear_sent(&t);
	IN(ns_from_peer, T0 + dpt_s(3));
	th_assert_sent(&t, 0);
}

Test(dad, another_nodes_probe_for_it_makes_it_a_duplicate_rfc4862_5_4_3)
{
	dpt_ipv6_tick(&t.nif, T0);
	th_clear_sent(&t);
	IN(dad_ns_from_peer, T0 + 1);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, nd_dad_duplicate, 1);
	dpt_ipv6_tick(&t.nif, T0 + dpt_s(2));
	cr_assert_not(dpt_netif_owns6(&t.nif, &th_us_ip6));
}

Test(dad, a_claim_after_dad_is_counted_not_obeyed)
{
	dpt_ipv6_tick(&t.nif, T0);
	dpt_ipv6_tick(&t.nif, T0 + dpt_s(1));
	IN(dad_conflict_na, T0 + dpt_s(2));
	TH_ASSERT_STAT(&t, nd_drop_conflict, 1);
	cr_assert(dpt_netif_owns6(&t.nif, &th_us_ip6));
}

/* ---- ICMPv6 and input ---- */

TestSuite(icmp6, .init = setup);

Test(icmp6, echo_request_gets_the_exact_reply_rfc4443_4_2)
{
	IN(na_from_peer, T0); /* no entry: the NA teaches nothing */
	IN(ns_from_peer, T0);
	th_clear_sent(&t);
	IN(echo6_req, T0 + 1);
	/* the STALE entry's probe, then the reply */
	th_assert_sent(&t, 2);
	TH_ASSERT_FRAME(th_sent(&t, 1), echo6_reply_expected);
	TH_ASSERT_STAT(&t, icmp6_rx_echo_request, 1);
	TH_ASSERT_STAT(&t, icmp6_tx_echo_reply, 1);
}

Test(icmp6, udp_to_a_closed_port_gets_port_unreachable_rfc4443_3_1)
{
	IN(ns_from_peer, T0);
	IN(na_from_peer, T0);
	th_clear_sent(&t);
	IN(udp6_closed, T0 + 1);
	TH_ASSERT_FRAME(th_sent(&t, 0), udp6_unreach_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 1);
	TH_ASSERT_STAT(&t, icmp6_tx_error, 1);
}

Test(icmp6, unknown_next_header_gets_parameter_problem_code_1)
{
	COPY(f, udp6_closed);
	const uint8_t *p;

	f[14 + 6] = 253; /* experimental (RFC 3692) */
	IN(ns_from_peer, T0);
	IN(na_from_peer, T0);
	th_clear_sent(&t);
	IN(f, T0 + 1);
	th_assert_sent(&t, 1);
	p = rte_pktmbuf_mtod(th_sent(&t, 0), const uint8_t *);
	cr_assert_eq(p[54], ICMP6_PARAM_PROB);
	cr_assert_eq(p[55], ICMP6_PARAMPROB_NEXTHEADER);
	cr_assert_eq(p[58] << 24 | p[59] << 16 | p[60] << 8 | p[61], 6);
	TH_ASSERT_STAT(&t, ip6_drop_proto, 1);
}

Test(icmp6, no_error_about_a_packet_to_a_group_rfc4443_2_4_e)
{
	uint8_t f[14 + sizeof(dst_opt_icmp_mcast)];

	memcpy(f, "\x33\x33\x00\x00\x00\x01\x02\x00\x00\x00\x00\x01\x86\xdd",
	       14);
	memcpy(f + 14, dst_opt_icmp_mcast, sizeof(dst_opt_icmp_mcast));
	IN(f, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, ip6_drop_option, 1);
}

Test(icmp6, errors_are_rate_limited)
{
	IN(ns_from_peer, T0);
	IN(na_from_peer, T0);
	th_clear_sent(&t);
	/* the bucket holds icmp_burst (5) */
	for (int i = 0; i < 7; i++)
		IN(udp6_closed, T0 + 1);
	th_assert_sent(&t, 5);
	TH_ASSERT_STAT(&t, icmp6_drop_ratelimit, 2);
}

Test(icmp6, rh0_with_segments_left_is_refused_with_parameter_problem)
{
	uint8_t f[14 + sizeof(rh0_segleft)];
	const uint8_t *p;

	memcpy(f, udp6_closed, 14);
	memcpy(f + 14, rh0_segleft, sizeof(rh0_segleft));
	IN(ns_from_peer, T0);
	IN(na_from_peer, T0);
	th_clear_sent(&t);
	IN(f, T0 + 1);
	th_assert_sent(&t, 1);
	p = rte_pktmbuf_mtod(th_sent(&t, 0), const uint8_t *);
	cr_assert_eq(p[54], ICMP6_PARAM_PROB);
	cr_assert_eq(p[55], ICMP6_PARAMPROB_HEADER);
	cr_assert_eq(p[61], 42);
	TH_ASSERT_STAT(&t, ip6_drop_rh0, 1);
}

Test(icmp6, not_for_us_and_ipv6_off)
{
	COPY(f, echo6_req);

	f[14 + 24 + 15] = 7; /* to 2001:2::7 */
	IN(f, T0);
	TH_ASSERT_STAT(&t, ip6_drop_not_for_us, 1);
	{
		static struct th_if off; /* IPv6 off: not our EtherType */

		th_if_init(&off);
		th_in(&off, echo6_req, sizeof(echo6_req), T0);
		TH_ASSERT_STAT(&off, eth_drop_ethertype, 1);
	}
}

Test(icmp6, routes_on_link_via_gateway_or_none)
{
	struct dpt_in6 a = th_us_ip6, nh;

	a.b[15] = 9;
	cr_assert_eq(dpt_route6_nexthop(&t.nif, &a, &nh), 0);
	cr_assert(dpt_in6_eq(&nh, &a));
	a.b[3] = 3; /* 2001:3::9: off the prefix */
	cr_assert_eq(dpt_route6_nexthop(&t.nif, &a, &nh), 0);
	cr_assert_eq(nh.b[15], 0xfe);
	t.nif.gateway6 = (struct dpt_in6){ .b = { 0 } };
	cr_assert_eq(dpt_route6_nexthop(&t.nif, &a, &nh), -ENETUNREACH);
}

/* ---- path MTU (RFC 8201) ---- */

static struct dpt_icmp_err got_err;
static int n_err;

static void
catch_err(void *ctx, const struct dpt_icmp_err *e, uint64_t now)
{
	(void)ctx;
	(void)now;
	got_err = *e;
	n_err++;
}

static void
setup_pmtu(void)
{
	setup();
	t.nif.tcp_err = catch_err;
	n_err = 0;
}

TestSuite(pmtu6, .init = setup_pmtu);

static const struct dpt_in6 far6 = { .b = { 0x20, 0x01, 0, 0x03, 0, 0, 0, 0,
					    0, 0, 0, 0, 0, 0, 0, 0x09 } };

Test(pmtu6, packet_too_big_lowers_the_path_and_tells_tcp)
{
	struct dpt_pmtu_path path;

	dpt_netif_path6(&t.nif, &far6, T0, &path);
	cr_assert_eq(path.mtu, 1500);
	IN(ptb_1400, T0);
	dpt_netif_path6(&t.nif, &far6, T0 + 1, &path);
	cr_assert_eq(path.mtu, 1400);
	TH_ASSERT_STAT(&t, icmp6_rx_too_big, 1);
	cr_assert_eq(n_err, 1);
	cr_assert_eq(got_err.family, 6);
	cr_assert_eq(got_err.type, ICMP6_PACKET_TOO_BIG);
	cr_assert_eq(got_err.mtu, 1400);
	cr_assert(dpt_in6_eq(&got_err.src6, &th_us_ip6));
	cr_assert(dpt_in6_eq(&got_err.dst6, &far6));
	cr_assert_eq(got_err.sport, 80);
	cr_assert_eq(got_err.dport, 5555);
	cr_assert_eq(got_err.seq, 1000);
	cr_assert_eq(got_err.len, 40 + 20 + 32);
	/* the path ages out ([ip] pmtu_age, 600 s) */
	dpt_netif_path6(&t.nif, &far6, T0 + dpt_s(600), &path);
	cr_assert_eq(path.mtu, 1500);
}

Test(pmtu6, never_below_1280_rfc8201_4)
{
	struct dpt_pmtu_path path;

	IN(ptb_1000, T0);
	dpt_netif_path6(&t.nif, &far6, T0 + 1, &path);
	cr_assert_eq(path.mtu, 1280);
	cr_assert_eq(got_err.mtu, 1280);
}

Test(pmtu6, a_larger_mtu_never_raises_the_estimate_rfc8201_5_1)
{
	struct dpt_pmtu_path path;

	IN(ptb_1000, T0);
	IN(ptb_1400, T0 + 1);
	dpt_netif_path6(&t.nif, &far6, T0 + 2, &path);
	cr_assert_eq(path.mtu, 1280);
}

Test(pmtu6, a_quote_not_from_us_is_refused)
{
	COPY(f, ptb_1400);
	struct dpt_pmtu_path path;

	f[14 + 40 + 8 + 8 + 15] = 7; /* quoted source 2001:2::7: not ours */
	f[14 + 40 + 2] = f[14 + 40 + 3] = 0;
	{
		struct rte_mbuf *m = th_mbuf(f, sizeof(f), 0);
		struct dpt_ipv6 ip;
		uint16_t ck;

		dpt_ipv6_parse(m, 14, &ip);
		ck = dpt_ipv6_l4_cksum(m, &ip, 54, sizeof(f) - 54);
		memcpy(&f[56], &ck, 2);
		rte_pktmbuf_free(m);
	}
	IN(f, T0);
	TH_ASSERT_STAT(&t, icmp6_drop_quote, 1);
	dpt_netif_path6(&t.nif, &far6, T0 + 1, &path);
	cr_assert_eq(path.mtu, 1500);
	cr_assert_eq(n_err, 0);
}

Test(pmtu6, output_longer_than_the_path_is_refused)
{
	uint8_t big[14 + 40 + 1400] = { 0 };
	struct rte_mbuf *m;

	IN(ptb_1400, T0);
	memcpy(big, echo6_req, 14 + 40);
	big[14 + 4] = 1401 >> 8; /* payload 1400 + 1 too many */
	big[14 + 5] = 1401 & 0xff;
	m = th_mbuf(big, sizeof(big), 0);
	rte_pktmbuf_append(m, 1);
	dpt_ipv6_output(&t.nif, m, &far6, T0 + 1);
	TH_ASSERT_STAT(&t, ip6_drop_too_big, 1);
}

/* ---- fragments (RFC 8200 4.5) ---- */

TestSuite(frag6, .init = setup);

/* The peer known (REACHABLE), what that sent forgotten. */
static void
know_peer(void)
{
	IN(ns_from_peer, T0);
	IN(na_from_peer, T0);
	th_clear_sent(&t);
}

/* th_assert_frame() for packets past 2 KB. */
static void
assert_big_frame(const struct rte_mbuf *m, const uint8_t *want, size_t len)
{
	static uint8_t got[65536];
	const uint8_t *p;

	cr_assert_eq(m->pkt_len, len, "%u bytes, expected %zu", m->pkt_len,
		     len);
	p = rte_pktmbuf_read(m, 0, m->pkt_len, got);
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(p[i], want[i], "byte %zu: %02x, expected %02x",
			     i, p[i], want[i]);
}

/* Reassemble the @n fragments sent from frame @first on with our own
 * reassembly (checked against scapy's fragments below) and compare the
 * packet with @want. */
static void
assert_sent_reassemble_to(uint16_t first, uint16_t n, const uint8_t *want,
			  size_t len)
{
	struct rte_mbuf *whole = NULL;

	th_assert_sent(&t, first + n);
	for (uint16_t i = first; i < first + n; i++) {
		struct rte_mbuf *f = th_sent(&t, i), *c;
		struct dpt_ipv6 ip;

		cr_assert_eq(f->pkt_len - 14 - 40 - 8, i + 1 < first + n ?
			     1448u : f->pkt_len - 62u);
		c = rte_pktmbuf_copy(f, th_pool, 14, UINT32_MAX);
		cr_assert_eq(dpt_ipv6_parse(c, 0, &ip),
			     DPT_STAT_ip6_drop_fragment);
		cr_assert_leq(c->pkt_len, 1500, "each fits the MTU");
		whole = dpt_frag_input6(t.frag, c, &ip, T0 + 2);
	}
	cr_assert_not_null(whole);
	assert_big_frame(whole, want, len);
	rte_pktmbuf_free(whole);
}

Test(frag6, fragmented_echo_is_reassembled_and_answered_in_fragments)
{
	know_peer();
	IN(frag6_echo_0, T0 + 1);
	IN(frag6_echo_1, T0 + 1);
	th_assert_sent(&t, 0);
	IN(frag6_echo_2, T0 + 1);
	TH_ASSERT_STAT(&t, ip6_frag_rx, 3);
	TH_ASSERT_STAT(&t, ip_frag_reassembled, 1);
	TH_ASSERT_STAT(&t, icmp6_tx_echo_reply, 1);
	TH_ASSERT_STAT(&t, ip6_tx_frags, 3);
	assert_sent_reassemble_to(0, 3, echo6_big_reply_expected,
				  sizeof(echo6_big_reply_expected));
}

Test(frag6, fragments_in_reverse_order)
{
	know_peer();
	IN(frag6_echo_2, T0 + 1);
	IN(frag6_echo_1, T0 + 1);
	IN(frag6_echo_0, T0 + 1);
	TH_ASSERT_STAT(&t, icmp6_tx_echo_reply, 1);
	assert_sent_reassemble_to(0, 3, echo6_big_reply_expected,
				  sizeof(echo6_big_reply_expected));
}

Test(frag6, overlapping_fragment_discards_the_packet_rfc5722)
{
	COPY(f, frag6_echo_1);

	know_peer();
	IN(frag6_echo_0, T0 + 1);
	f[14 + 40 + 3] = (uint8_t)(f[14 + 40 + 3] - 8); /* 8 bytes earlier */
	IN(f, T0 + 1);
	IN(frag6_echo_2, T0 + 1);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, ip_frag_drop_overlap, 2);
	TH_ASSERT_STAT(&t, ip_frag_drop_discarded, 1);
}

Test(frag6, timeout_sends_time_exceeded_code_1)
{
	const uint8_t *p;

	know_peer();
	IN(frag6_echo_0, T0 + 1);
	dpt_ipv4_tick(&t.nif, T0 + 1 + dpt_s(30));
	/* the neighbour went STALE meanwhile: its probe, then the error */
	th_assert_sent(&t, 2);
	p = rte_pktmbuf_mtod(th_sent(&t, 1), const uint8_t *);
	cr_assert_eq(p[54], ICMP6_TIME_EXCEEDED);
	cr_assert_eq(p[55], ICMP6_TIME_EXCEED_REASSEMBLY);
	cr_assert_eq(memcmp(p + 62, frag6_echo_0 + 14, 40), 0,
		     "quotes the first fragment");
	TH_ASSERT_STAT(&t, ip_frag_drop_timeout, 1);
}

Test(frag6, non_last_fragment_not_a_multiple_of_8_is_refused)
{
	COPY(f, frag6_echo_0);

	f[14 + 5] = (uint8_t)(f[14 + 5] - 1); /* a byte shorter */
	IN(f, T0);
	TH_ASSERT_STAT(&t, ip6_drop_fragment, 1);
}

Test(frag6, packet_past_65535_bytes_of_payload_is_refused)
{
	COPY(f, frag6_echo_2);

	/* the last fragment at offset 65528: its end passes 65535 */
	f[14 + 40 + 2] = 0xff;
	f[14 + 40 + 3] = 0xf8;
	IN(f, T0);
	TH_ASSERT_STAT(&t, ip_frag_drop_oversize, 1);
}

Test(frag6, packet_longer_than_the_path_leaves_in_fragments)
{
	struct rte_mbuf *m;
	struct dpt_ipv6 ip;

	know_peer();
	/* the big reply itself (two segments), room for Ethernet before */
	m = th_mbuf(echo6_big_reply_expected, sizeof(echo6_big_reply_expected),
		    1000);
	cr_assert_not_null(rte_pktmbuf_prepend(m, 14));
	dpt_ipv6_output_frag(&t.nif, m, &th_peer_ip6, T0 + 1);
	assert_sent_reassemble_to(0, 3, echo6_big_reply_expected,
				  sizeof(echo6_big_reply_expected));
	/* one identification for the three (RFC 8200 4.5) */
	cr_assert_eq(dpt_ipv6_parse(th_sent(&t, 0), 14, &ip),
		     DPT_STAT_ip6_drop_fragment);
	for (uint16_t i = 1; i < 3; i++) {
		struct dpt_ipv6 o;

		cr_assert_eq(dpt_ipv6_parse(th_sent(&t, i), 14, &o),
			     DPT_STAT_ip6_drop_fragment);
		cr_assert_eq(o.frag_id, ip.frag_id);
	}
}
