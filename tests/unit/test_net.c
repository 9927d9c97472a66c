/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_net.c: the stateless parsers, checksums and builders of lib/net,
 * against frames made by scapy (vectors.h). Each rejection test asserts the
 * exact drop counter the parser names.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_cpuflags.h>
#include <rte_ip.h>

#include "dpt_mbuf.h"
#include "dpt_net.h"
#include "harness.h"
#include "vectors.h"

#define ETH 14
#define IP_OFF 14
#define ICMP_OFF 34

/* A writable copy of a vector, for corrupting one field. */
#define COPY(dst, src) uint8_t dst[sizeof(src)]; memcpy(dst, src, sizeof(src))

/* Fix the IPv4 header checksum of a frame after editing the header. */
static void
fix_ip_cksum(uint8_t *frame)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(frame + IP_OFF);

	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
}

TestSuite(eth, .init = th_eal_init);

Test(eth, ipv4_frame_gives_type_and_addresses)
{
	struct rte_mbuf *m = th_mbuf(echo_req, sizeof(echo_req), 0);
	struct dpt_eth e;

	cr_assert_eq(dpt_eth_parse(m, &e), DPT_STAT_OK);
	cr_assert_eq(e.type, RTE_ETHER_TYPE_IPV4);
	cr_assert_eq(e.hdr_len, 14);
	cr_assert(rte_is_same_ether_addr(&e.dst, &th_us_mac));
	cr_assert(rte_is_same_ether_addr(&e.src, &th_peer_mac));
}

Test(eth, frame_shorter_than_a_header_is_eth_drop_short)
{
	struct rte_mbuf *m = th_mbuf(echo_req, 13, 0);
	struct dpt_eth e;

	cr_assert_eq(dpt_eth_parse(m, &e), DPT_STAT_eth_drop_short);
}

Test(eth, vlan_tagged_frame_is_eth_drop_vlan)
{
	COPY(f, echo_req);
	struct dpt_eth e;

	f[12] = 0x81; /* 802.1Q TPID */
	f[13] = 0x00;
	cr_assert_eq(dpt_eth_parse(th_mbuf(f, sizeof(f), 0), &e),
		     DPT_STAT_eth_drop_vlan);
	f[12] = 0x88; /* 802.1ad */
	f[13] = 0xa8;
	cr_assert_eq(dpt_eth_parse(th_mbuf(f, sizeof(f), 0), &e),
		     DPT_STAT_eth_drop_vlan);
}

TestSuite(arp, .init = th_eal_init);

Test(arp, request_gives_host_order_fields)
{
	struct rte_mbuf *m = th_mbuf(arp_req, sizeof(arp_req), 0);
	struct dpt_arp a;

	cr_assert_eq(dpt_arp_parse(m, ETH, &a), DPT_STAT_OK);
	cr_assert_eq(a.op, RTE_ARP_OP_REQUEST);
	cr_assert_eq(a.spa, TH_PEER_IP);
	cr_assert_eq(a.tpa, TH_US_IP);
	cr_assert(rte_is_same_ether_addr(&a.sha, &th_peer_mac));
	cr_assert(rte_is_zero_ether_addr(&a.tha));
}

Test(arp, truncated_packet_is_arp_drop_short)
{
	struct dpt_arp a;

	cr_assert_eq(dpt_arp_parse(th_mbuf(arp_req, sizeof(arp_req) - 1, 0),
				   ETH, &a), DPT_STAT_arp_drop_short);
}

Test(arp, non_ethernet_hardware_is_arp_drop_format)
{
	COPY(f, arp_req);
	struct dpt_arp a;

	f[ETH + 1] = 6; /* ar$hrd = IEEE 802 */
	cr_assert_eq(dpt_arp_parse(th_mbuf(f, sizeof(f), 0), ETH, &a),
		     DPT_STAT_arp_drop_format);
}

Test(arp, non_ipv4_protocol_is_arp_drop_format)
{
	COPY(f, arp_req);
	struct dpt_arp a;

	f[ETH + 2] = 0x86; /* ar$pro = IPv6 */
	f[ETH + 3] = 0xdd;
	cr_assert_eq(dpt_arp_parse(th_mbuf(f, sizeof(f), 0), ETH, &a),
		     DPT_STAT_arp_drop_format);
}

Test(arp, wrong_address_lengths_are_arp_drop_format)
{
	COPY(f, arp_req);
	struct dpt_arp a;

	f[ETH + 4] = 8; /* ar$hln */
	cr_assert_eq(dpt_arp_parse(th_mbuf(f, sizeof(f), 0), ETH, &a),
		     DPT_STAT_arp_drop_format);
	f[ETH + 4] = 6;
	f[ETH + 5] = 16; /* ar$pln */
	cr_assert_eq(dpt_arp_parse(th_mbuf(f, sizeof(f), 0), ETH, &a),
		     DPT_STAT_arp_drop_format);
}

Test(arp, rarp_operation_is_arp_drop_op)
{
	COPY(f, arp_req);
	struct dpt_arp a;

	f[ETH + 7] = 3; /* RARP request */
	cr_assert_eq(dpt_arp_parse(th_mbuf(f, sizeof(f), 0), ETH, &a),
		     DPT_STAT_arp_drop_op);
}

Test(arp, broadcast_sender_mac_is_arp_drop_bad_sender)
{
	COPY(f, arp_req);
	struct dpt_arp a;

	memset(&f[ETH + 8], 0xff, 6);
	cr_assert_eq(dpt_arp_parse(th_mbuf(f, sizeof(f), 0), ETH, &a),
		     DPT_STAT_arp_drop_bad_sender);
}

Test(arp, multicast_sender_address_is_arp_drop_bad_sender)
{
	COPY(f, arp_req);
	struct dpt_arp a;

	f[ETH + 14] = 224; /* spa 224.18.0.1 */
	cr_assert_eq(dpt_arp_parse(th_mbuf(f, sizeof(f), 0), ETH, &a),
		     DPT_STAT_arp_drop_bad_sender);
}

Test(arp, probe_with_zero_sender_address_is_accepted_rfc5227)
{
	COPY(f, arp_req);
	struct dpt_arp a;

	memset(&f[ETH + 14], 0, 4);
	cr_assert_eq(dpt_arp_parse(th_mbuf(f, sizeof(f), 0), ETH, &a),
		     DPT_STAT_OK);
	cr_assert_eq(a.spa, 0);
}

Test(arp, build_writes_the_frame_scapy_writes)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(th_pool);
	struct dpt_arp a = {
		.op = RTE_ARP_OP_REPLY, .sha = th_us_mac, .tha = th_peer_mac,
		.spa = TH_US_IP, .tpa = TH_PEER_IP,
	};

	cr_assert_eq(dpt_arp_build(m, &th_peer_mac, &a), 0);
	TH_ASSERT_FRAME(m, arp_reply_expected);
}

TestSuite(ipv4, .init = th_eal_init);

static enum dpt_stat
parse_ip(const uint8_t *f, size_t len, struct dpt_ipv4 *ip)
{
	return dpt_ipv4_parse(th_mbuf(f, len, 0), IP_OFF, ip);
}

Test(ipv4, echo_request_gives_host_order_fields)
{
	struct dpt_ipv4 ip;

	cr_assert_eq(parse_ip(echo_req, sizeof(echo_req), &ip), DPT_STAT_OK);
	cr_assert_eq(ip.src, TH_PEER_IP);
	cr_assert_eq(ip.dst, TH_US_IP);
	cr_assert_eq(ip.hdr_len, 20);
	cr_assert_eq(ip.total_len, 36);
	cr_assert_eq(ip.id, 7);
	cr_assert_eq(ip.ttl, 64);
	cr_assert_eq(ip.tos, 0x10);
	cr_assert_eq(ip.proto, IPPROTO_ICMP);
}

Test(ipv4, header_split_across_segments_still_parses)
{
	struct dpt_ipv4 ip;

	cr_assert_eq(dpt_ipv4_parse(th_mbuf(echo_req, sizeof(echo_req), 24),
				    IP_OFF, &ip), DPT_STAT_OK);
	cr_assert_eq(ip.src, TH_PEER_IP);
}

Test(ipv4, fewer_than_20_bytes_is_ip_drop_short)
{
	struct dpt_ipv4 ip;

	cr_assert_eq(parse_ip(echo_req, IP_OFF + 19, &ip),
		     DPT_STAT_ip_drop_short);
}

Test(ipv4, version_6_is_ip_drop_version_rfc1122_3_2_1_1)
{
	COPY(f, echo_req);
	struct dpt_ipv4 ip;

	f[IP_OFF] = 0x65;
	cr_assert_eq(parse_ip(f, sizeof(f), &ip), DPT_STAT_ip_drop_version);
}

Test(ipv4, ihl_below_5_is_ip_drop_hdr_len)
{
	COPY(f, echo_req);
	struct dpt_ipv4 ip;

	f[IP_OFF] = 0x44;
	fix_ip_cksum(f);
	cr_assert_eq(parse_ip(f, sizeof(f), &ip), DPT_STAT_ip_drop_hdr_len);
}

Test(ipv4, ihl_past_the_end_of_the_frame_is_ip_drop_hdr_len)
{
	COPY(f, echo_req);
	struct dpt_ipv4 ip;

	f[IP_OFF] = 0x4f; /* 60 bytes of header in a 36-byte datagram */
	cr_assert_eq(parse_ip(f, sizeof(f), &ip), DPT_STAT_ip_drop_hdr_len);
}

Test(ipv4, total_length_below_header_is_ip_drop_total_len)
{
	COPY(f, echo_req);
	struct dpt_ipv4 ip;

	f[IP_OFF + 3] = 19;
	fix_ip_cksum(f);
	cr_assert_eq(parse_ip(f, sizeof(f), &ip), DPT_STAT_ip_drop_total_len);
}

Test(ipv4, total_length_past_the_frame_is_ip_drop_total_len)
{
	COPY(f, echo_req);
	struct dpt_ipv4 ip;

	f[IP_OFF + 3] = 37;
	fix_ip_cksum(f);
	cr_assert_eq(parse_ip(f, sizeof(f), &ip), DPT_STAT_ip_drop_total_len);
}

Test(ipv4, ethernet_padding_after_the_datagram_is_accepted)
{
	uint8_t f[64] = { 0 };
	struct dpt_ipv4 ip;

	memcpy(f, echo_req, sizeof(echo_req));
	cr_assert_eq(parse_ip(f, sizeof(f), &ip), DPT_STAT_OK);
	cr_assert_eq(ip.total_len, 36);
}

Test(ipv4, bad_header_checksum_is_ip_drop_cksum_rfc1122_3_2_1_2)
{
	COPY(f, echo_req);
	struct dpt_ipv4 ip;

	f[IP_OFF + 10] ^= 0x01;
	cr_assert_eq(parse_ip(f, sizeof(f), &ip), DPT_STAT_ip_drop_cksum);
}

Test(ipv4, pmd_verdict_good_is_trusted)
{
	COPY(f, echo_req);
	struct rte_mbuf *m;
	struct dpt_ipv4 ip;

	f[IP_OFF + 10] ^= 0x01;
	m = th_mbuf(f, sizeof(f), 0);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	cr_assert_eq(dpt_ipv4_parse(m, IP_OFF, &ip), DPT_STAT_OK);
}

Test(ipv4, pmd_verdict_bad_is_ip_drop_cksum)
{
	struct rte_mbuf *m = th_mbuf(echo_req, sizeof(echo_req), 0);
	struct dpt_ipv4 ip;

	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	cr_assert_eq(dpt_ipv4_parse(m, IP_OFF, &ip), DPT_STAT_ip_drop_cksum);
}

Test(ipv4, more_fragments_flag_is_ip_drop_fragment)
{
	COPY(f, echo_req);
	struct dpt_ipv4 ip;

	f[IP_OFF + 6] = 0x20; /* MF */
	fix_ip_cksum(f);
	cr_assert_eq(parse_ip(f, sizeof(f), &ip), DPT_STAT_ip_drop_fragment);
}

Test(ipv4, non_zero_fragment_offset_is_ip_drop_fragment)
{
	COPY(f, echo_req);
	struct dpt_ipv4 ip;

	f[IP_OFF + 7] = 0x01; /* offset 8 bytes, last fragment */
	fix_ip_cksum(f);
	cr_assert_eq(parse_ip(f, sizeof(f), &ip), DPT_STAT_ip_drop_fragment);
}

Test(ipv4, dont_fragment_flag_alone_is_accepted)
{
	COPY(f, echo_req);
	struct dpt_ipv4 ip;

	f[IP_OFF + 6] = 0x40; /* DF */
	fix_ip_cksum(f);
	cr_assert_eq(parse_ip(f, sizeof(f), &ip), DPT_STAT_OK);
	cr_assert_eq(ip.frag, RTE_IPV4_HDR_DF_FLAG);
}

Test(ipv4, options_are_skipped_by_header_length)
{
	struct dpt_ipv4 ip;

	cr_assert_eq(parse_ip(echo_req_opts, sizeof(echo_req_opts), &ip),
		     DPT_STAT_OK);
	cr_assert_eq(ip.hdr_len, 32);
	cr_assert_eq(ip.total_len, 48);
}

Test(ipv4, martian_sources_rfc1122_3_2_1_3)
{
	cr_assert(dpt_ipv4_src_is_martian(DPT_IPV4(0, 0, 0, 0)));
	cr_assert(dpt_ipv4_src_is_martian(DPT_IPV4(0, 1, 2, 3)));
	cr_assert(dpt_ipv4_src_is_martian(DPT_IPV4(127, 0, 0, 1)));
	cr_assert(dpt_ipv4_src_is_martian(DPT_IPV4(224, 0, 0, 1)));
	cr_assert(dpt_ipv4_src_is_martian(DPT_IPV4(239, 255, 255, 255)));
	cr_assert(dpt_ipv4_src_is_martian(DPT_IPV4(240, 0, 0, 1)));
	cr_assert(dpt_ipv4_src_is_martian(DPT_IPV4(255, 255, 255, 255)));
	cr_assert_not(dpt_ipv4_src_is_martian(TH_PEER_IP));
	cr_assert_not(dpt_ipv4_src_is_martian(DPT_IPV4(1, 0, 0, 1)));
	cr_assert_not(dpt_ipv4_src_is_martian(DPT_IPV4(223, 255, 255, 254)));
}

Test(ipv4, write_produces_the_header_scapy_produces)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(th_pool);
	struct dpt_ipv4 ip = {
		.src = TH_US_IP, .dst = TH_PEER_IP, .total_len = 36, .id = 0,
		.ttl = 64, .proto = IPPROTO_ICMP, .tos = 0x10,
	};

	cr_assert_not_null(rte_pktmbuf_append(m, IP_OFF + 20));
	dpt_ipv4_write(m, IP_OFF, &ip, 1);
	cr_assert_arr_eq(rte_pktmbuf_mtod_offset(m, uint8_t *, IP_OFF),
			 echo_reply_expected + IP_OFF, 20);
}

TestSuite(icmp, .init = th_eal_init);

Test(icmp, echo_request_gives_type_id_and_sequence)
{
	struct rte_mbuf *m = th_mbuf(echo_req, sizeof(echo_req), 0);
	struct dpt_icmp ic;

	cr_assert_eq(dpt_icmp_parse(m, ICMP_OFF, 16, &ic), DPT_STAT_OK);
	cr_assert_eq(ic.type, 8);
	cr_assert_eq(ic.code, 0);
	cr_assert_eq(ic.id, 0x1234);
	cr_assert_eq(ic.seq, 1);
	cr_assert_eq(ic.len, 16);
}

Test(icmp, fewer_than_8_bytes_is_icmp_drop_short)
{
	struct dpt_icmp ic;

	cr_assert_eq(dpt_icmp_parse(th_mbuf(echo_req, ICMP_OFF + 7, 0),
				    ICMP_OFF, 7, &ic), DPT_STAT_icmp_drop_short);
}

Test(icmp, bad_checksum_is_icmp_drop_cksum)
{
	COPY(f, echo_req);
	struct dpt_icmp ic;

	f[sizeof(f) - 1] ^= 0x40; /* one payload bit */
	cr_assert_eq(dpt_icmp_parse(th_mbuf(f, sizeof(f), 0), ICMP_OFF, 16,
				    &ic), DPT_STAT_icmp_drop_cksum);
}

Test(icmp, checksum_spans_segments_at_an_odd_boundary)
{
	struct dpt_icmp ic;

	cr_assert_eq(dpt_icmp_parse(th_mbuf(echo_req, sizeof(echo_req),
					    ICMP_OFF + 11),
				    ICMP_OFF, 16, &ic), DPT_STAT_OK);
}

TestSuite(cksum, .init = th_eal_init);

Test(cksum, update16_equals_recomputation_rfc1624)
{
	/* Echo request -> reply changes the type word 0x0800 -> 0x0000; the
	 * updated checksum must be the one scapy computed for the reply. */
	uint16_t req, want, old = RTE_BE16(0x0800), new = 0;

	memcpy(&req, echo_req + ICMP_OFF + 2, 2);
	memcpy(&want, echo_reply_expected + ICMP_OFF + 2, 2);
	cr_assert_eq(dpt_cksum_update16(req, old, new), want);
}

Test(cksum, update16_handles_the_minus_zero_case)
{
	/* Successive updates agree with a full recomputation; 0x0000 and
	 * 0xffff are the same value in one's complement (RFC 1624 section 3). */
	uint8_t b[4] = { 0x00, 0x00, 0xff, 0xff };
	uint16_t ck = (uint16_t)~rte_raw_cksum(b, 4), w;

	for (unsigned int v = 0; v < 0x10000; v += 0x1111) {
		uint16_t old, nw = rte_cpu_to_be_16((uint16_t)v);

		memcpy(&old, b, 2);
		ck = dpt_cksum_update16(ck, old, nw);
		memcpy(b, &nw, 2);
		w = (uint16_t)~rte_raw_cksum(b, 4);
		cr_assert(ck == w || (ck == 0xffff && w == 0) ||
			  (ck == 0 && w == 0xffff),
			  "v=%04x ck=%04x want=%04x", v, ck, w);
	}
}

Test(cksum, word_sum_equals_rte_raw_cksum_at_every_length_and_alignment)
{
	/* dpt_raw_cksum() sums 32-bit words into 64 bits: the folded value
	 * must be rte_raw_cksum()'s (16-bit words) bit for bit, whatever the
	 * length (odd ones too) and alignment; all-ones bytes stress the
	 * carries, zeros the 0 / 0xffff distinction. */
	static uint8_t b[2100];
	uint64_t x = 1;

	for (unsigned int i = 0; i < sizeof(b); i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		b[i] = (uint8_t)(x >> 56);
	}
	for (unsigned int off = 0; off < 8; off++)
		for (unsigned int len = 0; len + off <= sizeof(b);
		     len += len < 80 ? 1 : 97)
			cr_assert_eq(dpt_raw_cksum(b + off, len),
				     rte_raw_cksum(b + off, len),
				     "off %u len %u", off, len);
	memset(b, 0xff, sizeof(b));
	cr_assert_eq(dpt_raw_cksum(b, 2048), rte_raw_cksum(b, 2048));
	cr_assert_eq(dpt_raw_cksum(b, 2047), rte_raw_cksum(b, 2047));
	memset(b, 0, sizeof(b));
	cr_assert_eq(dpt_raw_cksum(b, 100), 0);
}

Test(cksum, mbuf_sum_across_an_odd_length_segment_equals_the_flat_sum)
{
	/* DPDK 22.11's rte_raw_cksum_mbuf() gets exactly this shape wrong
	 * (0xcc4d instead of 0x1d4f): 99 + 1349 bytes. */
	uint8_t b[1448];
	struct rte_mbuf *m;

	for (unsigned int i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 7 + 13);
	m = th_mbuf(b, sizeof(b), 99);
	cr_assert_eq(m->nb_segs, 2);
	cr_assert_eq(dpt_cksum_mbuf(m, 0, sizeof(b)),
		     rte_raw_cksum(b, sizeof(b)));
	cr_assert_eq(dpt_cksum_mbuf(m, 0, sizeof(b)), 0x1d4f);
	/* and from an odd offset, across the boundary */
	cr_assert_eq(dpt_cksum_mbuf(m, 3, 500), rte_raw_cksum(b + 3, 500));
}

Test(cksum, mbuf_sum_over_three_odd_segments_equals_the_flat_sum)
{
	uint8_t b[3001];
	struct rte_mbuf *m, *m3;

	for (unsigned int i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(0xff - i);
	m = th_mbuf(b, 2001, 1001);
	m3 = th_mbuf(b + 2001, 1000, 0);
	cr_assert_eq(rte_pktmbuf_chain(m, m3), 0);
	cr_assert_eq(dpt_cksum_mbuf(m, 0, sizeof(b)),
		     rte_raw_cksum(b, sizeof(b)));
}

/* The checksum the slow, obvious way (RFC 1071 4.1), a byte at a time:
 * even positions are the first byte of a word in memory order. */
static uint16_t
ref_cksum(const uint8_t *p, uint32_t len, uint32_t at)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < len; i++) {
		int first = ((at + i) & 1) == 0;

		sum += RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN ?
		       (first ? p[i] : (uint32_t)p[i] << 8) :
		       (first ? (uint32_t)p[i] << 8 : p[i]);
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* A fixed-seed generator (LCG), so a failure repeats. */
static uint32_t
rnd(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*x >> 33);
}

static void
fill_random(uint8_t *b, size_t n, uint64_t *x)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(rnd(x) >> 8);
}

Test(cksum, every_variant_equals_the_bytewise_sum_at_random_lengths_and_alignments)
{
	static uint8_t b[9000 + 64], d[9000 + 64];
	uint64_t x = 42;

	/* where the CPU has AVX2 the vector variants must be the ones in
	 * use (elsewhere the portable ones are tested alone) */
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0)
		cr_assert(dpt_cksum_avx2());

	for (int i = 0; i < 3000; i++) {
		uint32_t len = i < 200 ? (uint32_t)i : rnd(&x) % 9001;
		uint32_t off = rnd(&x) % 64, doff = rnd(&x) % 64;
		uint16_t want;

		/* all-ones now and then: the carries at their worst */
		if (i % 7 == 0)
			memset(b, 0xff, sizeof(b));
		else
			fill_random(b, sizeof(b), &x);
		want = ref_cksum(b + off, len, 0);
		cr_assert_eq(dpt_cksum(b + off, len), want, "len %u off %u",
			     len, off);
		cr_assert_eq(dpt_cksum_scalar(b + off, len), want);
		memset(d, 0x5a, sizeof(d));
		cr_assert_eq(dpt_cksum_copy(d + doff, b + off, len), want,
			     "copy len %u off %u/%u", len, off, doff);
		cr_assert_eq(memcmp(d + doff, b + off, len), 0);
		cr_assert_eq(d[doff + len], 0x5a, "copied past the end");
		cr_assert_eq(dpt_cksum_copy_scalar(d + doff, b + off, len),
			     want);
		if (dpt_cksum_avx2()) {
			cr_assert_eq(dpt_cksum_vec(b + off, len), want,
				     "avx2 len %u off %u", len, off);
			cr_assert_eq(dpt_cksum_copy_vec(d + doff, b + off,
							len), want);
		}
	}
}

/* A chain of @len bytes of @b cut at random places, each piece at a
 * random offset in its buffer. */
static struct rte_mbuf *
random_chain(const uint8_t *b, uint32_t len, uint64_t *x)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t done = 0;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(th_pool);
		uint32_t skip = rnd(x) % 64, n;

		cr_assert_not_null(m);
		rte_pktmbuf_prepend(m, (uint16_t)(rte_pktmbuf_headroom(m) -
						  skip));
		rte_pktmbuf_trim(m, m->data_len);
		n = RTE_MIN(len - done, rnd(x) % 4 == 0 ? rnd(x) % 8 :
			    rnd(x) % rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), b + done, n);
		done += n;
		if (head == NULL) {
			head = tail = m;
		} else {
			tail->next = m;
			tail = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
	} while (done < len);
	return head;
}

Test(cksum, chain_sum_equals_the_bytewise_sum_at_random_splits)
{
	static uint8_t b[9000];
	uint64_t x = 7;

	for (int i = 0; i < 400; i++) {
		uint32_t len = rnd(&x) % 9001;
		uint32_t off = len > 0 ? rnd(&x) % (len + 1) : 0;
		uint32_t n = len - off > 0 ? rnd(&x) % (len - off + 1) : 0;
		struct rte_mbuf *m;

		fill_random(b, sizeof(b), &x);
		m = random_chain(b, len, &x);
		cr_assert_eq(m->pkt_len, len);
		cr_assert_eq(dpt_cksum_mbuf(m, 0, len), ref_cksum(b, len, 0),
			     "len %u in %u segments", len, m->nb_segs);
		cr_assert_eq(dpt_cksum_mbuf(m, off, n),
			     ref_cksum(b + off, n, 0), "%u at %u of %u", n,
			     off, len);
		rte_pktmbuf_free(m);
	}
}

Test(cksum, parts_add_and_subtract_at_odd_offsets)
{
	static uint8_t b[3001];
	uint64_t x = 9;

	for (int i = 0; i < 500; i++) {
		uint32_t len = rnd(&x) % sizeof(b), cut = rnd(&x) % (len + 1);
		uint16_t whole, head, tail, rest;

		fill_random(b, len, &x);
		whole = ref_cksum(b, len, 0);
		head = dpt_cksum(b, cut);
		tail = dpt_cksum(b + cut, len - cut);
		cr_assert_eq(dpt_cksum_add(head, tail, cut), whole);
		/* the whole less its head is the tail, 0 and 0xffff being
		 * one value */
		rest = dpt_cksum_sub(whole, head, 0);
		rest = cut & 1 ? rte_bswap16(rest) : rest;
		cr_assert(rest == tail || ((rest == 0 || rest == 0xffff) &&
				  (tail == 0 || tail == 0xffff)),
			  "len %u cut %u: %04x vs %04x", len, cut, rest, tail);
	}
}

/* The same value: 0 and 0xffff are one in one's complement. */
static int
same_sum(uint16_t a, uint16_t b)
{
	return a == b || ((a == 0 || a == 0xffff) && (b == 0 || b == 0xffff));
}

Test(cksum, a_noted_mbuf_sums_any_part_exactly)
{
	static uint8_t b[2000];
	uint64_t x = 11;
	struct rte_mbuf *m;

	cr_assert_eq(dpt_cksum_note_register(), 0);
	for (int i = 0; i < 300; i++) {
		uint32_t len = 1 + rnd(&x) % 1999, trim = rnd(&x) % len;
		uint32_t off, n;

		fill_random(b, len, &x);
		m = rte_pktmbuf_alloc(th_pool);
		cr_assert_not_null(m);
		cr_assert_null(dpt_cksum_note_get(m), "a fresh mbuf noted");
		dpt_cksum_note_set(m, 0, dpt_cksum_copy(rte_pktmbuf_append(m,
				   (uint16_t)len), b, len));
		/* acknowledged bytes trimmed: the note still runs to the end */
		rte_pktmbuf_adj(m, (uint16_t)trim);
		off = rnd(&x) % (len - trim);
		n = 1 + rnd(&x) % (len - trim - off);
		cr_assert(same_sum(dpt_cksum_seg(m, off, n),
				   ref_cksum(b + trim + off, n, 0)),
			  "%u at %u of %u (trimmed %u)", n, off, len, trim);
		cr_assert_eq(dpt_cksum_seg(m, 0, len - trim),
			     ref_cksum(b + trim, len - trim, 0));
		/* a note is forgotten with the mbuf's next life */
		rte_pktmbuf_free(m);
		m = rte_pktmbuf_alloc(th_pool);
		cr_assert_null(dpt_cksum_note_get(m));
		rte_pktmbuf_free(m);
	}
}

static void
free_nothing(void *addr, void *opaque)
{
	(void)addr;
	*(int *)opaque = 1;
}

Test(cksum, a_constant_buffer_sums_any_range_of_its_clones_exactly)
{
	static uint8_t buf[65472] __rte_aligned(8);
	static uint64_t ccmem[(sizeof(struct dpt_cksum_const) +
			       (65472 / DPT_CKSUM_STRIDE + 1) * 2) / 8 + 1];
	struct dpt_cksum_const *cc = (struct dpt_cksum_const *)ccmem;
	struct rte_mbuf_ext_shared_info *si;
	struct rte_mbuf *pat = rte_pktmbuf_alloc(th_pool);
	int freed = 0;
	uint64_t x = 5;

	cr_assert_leq(dpt_cksum_const_size(sizeof(buf)), sizeof(ccmem));
	fill_random(buf, sizeof(buf), &x);
	si = dpt_cksum_const_init(cc, buf, sizeof(buf), free_nothing, &freed);
	rte_pktmbuf_attach_extbuf(pat, buf, 0, sizeof(buf), si);
	pat->data_off = 0;
	pat->data_len = (uint16_t)sizeof(buf);
	pat->pkt_len = sizeof(buf);
	for (int i = 0; i < 500; i++) {
		struct rte_mbuf *m = rte_pktmbuf_clone(pat, th_pool);
		uint32_t a = rnd(&x) % sizeof(buf);
		uint32_t n = 1 + rnd(&x) % RTE_MIN(sizeof(buf) - a, 9000u);
		uint32_t off = rnd(&x) % (n + 1) / 2;

		cr_assert_not_null(m);
		m->data_off = (uint16_t)a;
		m->data_len = (uint16_t)n;
		m->pkt_len = n;
		cr_assert(same_sum(dpt_cksum_seg(m, off, n - off),
				   ref_cksum(buf + a + off, n - off, 0)),
			  "%u at %u", n - off, a + off);
		rte_pktmbuf_free(m);
	}
	rte_pktmbuf_free(pat);
	cr_assert_eq(freed, 1, "the owner's free callback was not called");
}

/* dpt_mbuf_chain_compact(): a request grown from small segments. */
TestSuite(mbuf, .init = th_eal_init);

Test(mbuf, small_segments_are_copied_into_the_room_of_the_last)
{
	unsigned int avail0 = rte_mempool_avail_count(th_pool);
	struct rte_mbuf *head = th_mbuf("GET / HTTP/1.1\r\n", 16, 0);
	char got[64];

	/* 20 one-byte segments: each copied and freed, one mbuf held */
	for (int i = 0; i < 20; i++)
		cr_assert_eq(dpt_mbuf_chain_compact(head,
			th_mbuf("abcdefghijklmnopqrst" + i, 1, 0)), 0);
	cr_assert_eq(head->nb_segs, 1);
	cr_assert_eq(head->pkt_len, 36);
	cr_assert_eq(head->data_len, 36);
	cr_assert_eq(avail0 - rte_mempool_avail_count(th_pool), 1);
	cr_assert_arr_eq(rte_pktmbuf_read(head, 0, 36, got),
			 "GET / HTTP/1.1\r\nabcdefghijklmnopqrst", 36);
	rte_pktmbuf_free(head);
	cr_assert_eq(rte_mempool_avail_count(th_pool), avail0);
}

Test(mbuf, what_does_not_fit_or_is_shared_is_linked)
{
	static char big[2000];
	struct rte_mbuf *head = th_mbuf(big, sizeof(big), 0), *two;
	char got[3];

	/* no room for 400 bytes after 2000: linked as it is */
	cr_assert_eq(dpt_mbuf_chain_compact(head, th_mbuf(big, 400, 0)), 0);
	cr_assert_eq(head->nb_segs, 2);
	cr_assert_eq(head->pkt_len, 2400);
	/* the last segment held by someone else too: never written */
	two = rte_pktmbuf_lastseg(head);
	rte_mbuf_refcnt_update(two, 1);
	cr_assert_eq(dpt_mbuf_chain_compact(head, th_mbuf("xyz", 3, 0)), 0);
	cr_assert_eq(head->nb_segs, 3);
	cr_assert_eq(two->data_len, 400);
	cr_assert_arr_eq(rte_pktmbuf_read(head, 2400, 3, got), "xyz", 3);
	rte_mbuf_refcnt_update(two, -1);
	rte_pktmbuf_free(head);
}

/* ---- the loop's first look at a frame --------------------------------- */

TestSuite(classify, .init = th_eal_init);

/* Ethernet II, IPv4 (IHL @ihl, fragment word @frag), TCP with @flags:
 * only what dpt_frame_is_tcp_syn() reads is set. */
static struct rte_mbuf *
tcp_frame(uint8_t ihl, uint16_t frag, uint8_t proto, uint8_t flags,
	  size_t len)
{
	uint8_t f[128] = { 0 };
	size_t l4 = IP_OFF + ihl * 4u;

	f[12] = 0x08;
	f[13] = 0x00;
	f[IP_OFF] = (uint8_t)(0x40 | ihl);
	f[IP_OFF + 6] = (uint8_t)(frag >> 8);
	f[IP_OFF + 7] = (uint8_t)frag;
	f[IP_OFF + 9] = proto;
	if (l4 + 13 < sizeof(f))
		f[l4 + 13] = flags;
	return th_mbuf(f, len, 0);
}

Test(classify, an_opening_syn_is_a_syn_whatever_the_ip_options)
{
	cr_assert(dpt_frame_is_tcp_syn(tcp_frame(5, 0x4000, IPPROTO_TCP,
						 RTE_TCP_SYN_FLAG, 54)));
	cr_assert(dpt_frame_is_tcp_syn(tcp_frame(6, 0, IPPROTO_TCP,
						 RTE_TCP_SYN_FLAG |
						 RTE_TCP_PSH_FLAG, 58)));
}

Test(classify, syn_ack_rst_fin_and_other_protocols_are_not)
{
	cr_assert_not(dpt_frame_is_tcp_syn(tcp_frame(5, 0, IPPROTO_TCP,
		RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 54)));
	cr_assert_not(dpt_frame_is_tcp_syn(tcp_frame(5, 0, IPPROTO_TCP,
		RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG, 54)));
	cr_assert_not(dpt_frame_is_tcp_syn(tcp_frame(5, 0, IPPROTO_TCP,
		RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG, 54)));
	cr_assert_not(dpt_frame_is_tcp_syn(tcp_frame(5, 0, IPPROTO_UDP,
		RTE_TCP_SYN_FLAG, 54)));
}

Test(classify, fragments_and_frames_too_short_to_tell_are_not)
{
	/* a later fragment's bytes at the flags' offset are data; more
	 * fragments (MF) or an offset say so */
	cr_assert_not(dpt_frame_is_tcp_syn(tcp_frame(5, 0x2000, IPPROTO_TCP,
						     RTE_TCP_SYN_FLAG, 54)));
	cr_assert_not(dpt_frame_is_tcp_syn(tcp_frame(5, 0x0001, IPPROTO_TCP,
						     RTE_TCP_SYN_FLAG, 54)));
	cr_assert_not(dpt_frame_is_tcp_syn(tcp_frame(5, 0, IPPROTO_TCP,
						     RTE_TCP_SYN_FLAG, 53)));
	cr_assert_not(dpt_frame_is_tcp_syn(tcp_frame(15, 0, IPPROTO_TCP,
						     RTE_TCP_SYN_FLAG, 90)));
}

Test(classify, other_tcp_segments_are_tcp_with_their_header_offset)
{
	uint32_t l4 = 0;

	cr_assert_eq(dpt_frame_kind(tcp_frame(5, 0x4000, IPPROTO_TCP,
					      RTE_TCP_ACK_FLAG, 54), &l4),
		     DPT_FRAME_TCP);
	cr_assert_eq(l4, IP_OFF + 20);
	cr_assert_eq(dpt_frame_kind(tcp_frame(6, 0, IPPROTO_TCP,
					      RTE_TCP_SYN_FLAG |
					      RTE_TCP_ACK_FLAG, 58), &l4),
		     DPT_FRAME_TCP);
	cr_assert_eq(l4, IP_OFF + 24);
	cr_assert_eq(dpt_frame_kind(tcp_frame(5, 0, IPPROTO_TCP,
					      RTE_TCP_RST_FLAG, 54), &l4),
		     DPT_FRAME_TCP);
	cr_assert_eq(dpt_frame_kind(tcp_frame(5, 0, IPPROTO_UDP,
					      RTE_TCP_ACK_FLAG, 54), &l4),
		     DPT_FRAME_OTHER);
	cr_assert_eq(dpt_frame_kind(tcp_frame(5, 0x2000, IPPROTO_TCP,
					      RTE_TCP_ACK_FLAG, 54), &l4),
		     DPT_FRAME_OTHER);
}

/* Ethernet II, IPv6 with next header @nh, TCP with @flags right after the
 * 40-byte fixed header: only what dpt_frame_kind() reads is set. */
static struct rte_mbuf *
tcp6_frame(uint8_t nh, uint8_t flags, size_t len)
{
	uint8_t f[128] = { 0 };

	f[12] = 0x86;
	f[13] = 0xdd;
	f[IP_OFF] = 0x60;
	f[IP_OFF + 6] = nh;
	f[IP_OFF + 40 + 13] = flags;
	return th_mbuf(f, len, 0);
}

Test(classify, tcp_over_ipv6_is_classified_as_over_ipv4)
{
	uint32_t l4 = 0;
	struct rte_mbuf *m = tcp6_frame(IPPROTO_TCP, RTE_TCP_SYN_FLAG, 74);

	/* an IPv6 SYN flood waits and is budgeted as an IPv4 one */
	cr_assert_eq(dpt_frame_kind(m, &l4), DPT_FRAME_TCP_SYN);
	cr_assert_eq(l4, IP_OFF + 40);
	rte_pktmbuf_free(m);
	m = tcp6_frame(IPPROTO_TCP, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 74);
	cr_assert_eq(dpt_frame_kind(m, &l4), DPT_FRAME_TCP);
	cr_assert_eq(l4, IP_OFF + 40);
	rte_pktmbuf_free(m);
	m = tcp6_frame(IPPROTO_TCP, RTE_TCP_ACK_FLAG, 74);
	cr_assert_eq(dpt_frame_kind(m, &l4), DPT_FRAME_TCP);
	rte_pktmbuf_free(m);
}

Test(classify, ipv6_behind_extension_headers_or_short_or_udp_is_other)
{
	uint32_t l4 = 0;
	/* hop-by-hop options (0), a fragment header (44): parsed in full
	 * later, never late */
	struct rte_mbuf *m[] = {
		tcp6_frame(0, RTE_TCP_SYN_FLAG, 74),
		tcp6_frame(44, RTE_TCP_SYN_FLAG, 74),
		tcp6_frame(IPPROTO_UDP, RTE_TCP_SYN_FLAG, 74),
		tcp6_frame(IPPROTO_TCP, RTE_TCP_SYN_FLAG, 73),
	};

	for (unsigned int i = 0; i < RTE_DIM(m); i++) {
		cr_assert_eq(dpt_frame_kind(m[i], &l4), DPT_FRAME_OTHER,
			     "frame %u", i);
		rte_pktmbuf_free(m[i]);
	}
}
