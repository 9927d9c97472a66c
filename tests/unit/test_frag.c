/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_frag.c: IPv4 fragments in and out (lib/ip/dpt_frag.c and
 * dpt_netif.c), driven with frames scapy made (vectors_frag.h) through
 * the whole input path and a fake clock: reassembly in and out of order
 * (RFC 791 3.2), overlaps discarding the datagram (RFC 5722's rule),
 * duplicates, tiny and oversized fragments (RFC 1858, the ping of
 * death), the bounds in datagrams and mbufs, the reception reserve, the
 * timeout freeing everything with its ICMP time exceeded (RFC 1122
 * 3.3.2), and an echo reply longer than the MTU leaving as fragments.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>

#include "harness.h"
#include "vectors.h"
#include "vectors_frag.h"

#define COPY(dst, src) uint8_t dst[sizeof(src)]; memcpy(dst, src, sizeof(src))
#define T0 dpt_s(1000)
#define IP_OFF 14
#define TIMEOUT dpt_s(1)

static struct th_if t;
static unsigned int baseline; /* th_pool's mbufs in use after setup */

#define IN(arr, now) th_in(&t, (arr), sizeof(arr), (now))

/* A reassembly table of @datagrams and @mbufs, @max_size, non-last
 * fragments of @min_frag bytes or more, and a @reserve. */
static void
table_with(uint32_t datagrams, uint32_t mbufs, uint32_t max_size,
	   uint32_t min_frag, uint32_t reserve)
{
	static struct dpt_frag_conf c;

	c = (struct dpt_frag_conf){ .datagrams = datagrams, .mbufs = mbufs,
				    .timeout_us = TIMEOUT,
				    .max_size = max_size,
				    .min_frag = min_frag };
	dpt_frag_free(t.frag);
	t.frag = dpt_frag_create(&(struct dpt_frag_params){
		.name = "test_frag", .socket_id = 0, .conf = &c,
		.rx_pool = th_pool, .rx_reserve = reserve,
		.stats = &t.stats });
	cr_assert_not_null(t.frag);
	t.nif.frag = t.frag;
}

/* The same with 8-byte fragments allowed (the vectors' are 16). */
static void
table(uint32_t datagrams, uint32_t mbufs, uint32_t max_size,
      uint32_t reserve)
{
	table_with(datagrams, mbufs, max_size, 8, reserve);
}

static void
setup(void)
{
	th_eal_init();
	th_if_init(&t);
	table(4, 16, 65535, 0);
	IN(arp_req, T0); /* the peer is known: replies go out at once */
	th_clear_sent(&t);
	baseline = rte_mempool_in_use_count(th_pool);
}

/* Set the IPv4 identification of @f and redo its header checksum. */
static void
set_id(uint8_t *f, uint16_t id)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + IP_OFF);

	h->packet_id = rte_cpu_to_be_16(id);
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
}

/* Set the fragment offset (8-byte units) and MF of @f. */
static void
set_offset(uint8_t *f, uint16_t units, int more)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + IP_OFF);

	h->fragment_offset = rte_cpu_to_be_16(units | (more ?
					RTE_IPV4_HDR_MF_FLAG : 0));
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
}

/* Nothing held, no mbuf lost. */
static void
assert_nothing_held(void)
{
	th_clear_sent(&t);
	TH_ASSERT_STAT(&t, ip_frag_held, 0);
	cr_assert_eq(dpt_frag_held(t.frag), 0);
	cr_assert_eq(rte_mempool_in_use_count(th_pool), baseline,
		     "%u mbufs in use, %u before",
		     rte_mempool_in_use_count(th_pool), baseline);
}

TestSuite(reassembly, .init = setup);

Test(reassembly, the_test_fragmenter_matches_scapy)
{
	struct rte_mbuf *f[4];

	cr_assert_eq(th_fragment(frag_tcp_whole, sizeof(frag_tcp_whole), 24,
				 f, 4), 3);
	TH_ASSERT_FRAME(f[0], frag_tcp_1);
	TH_ASSERT_FRAME(f[1], frag_tcp_2);
	TH_ASSERT_FRAME(f[2], frag_tcp_3);
	for (int i = 0; i < 3; i++)
		rte_pktmbuf_free(f[i]);
}

Test(reassembly, fragmented_ping_in_order_is_answered_whole)
{
	IN(frag_echo_1, T0);
	IN(frag_echo_2, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, ip_frag_held, 2);
	TH_ASSERT_STAT(&t, ip_frag_datagrams, 1);
	IN(frag_echo_3, T0);
	TH_ASSERT_FRAME(th_sent(&t, 0), frag_echo_reply_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, ip_frag_rx, 3);
	TH_ASSERT_STAT(&t, ip_frag_reassembled, 1);
	TH_ASSERT_STAT(&t, ip_frag_datagrams, 0);
	TH_ASSERT_STAT(&t, icmp_tx_echo_reply, 1);
	cr_assert_eq(dpt_stats_drops(&t.stats), 0);
	assert_nothing_held();
}

Test(reassembly, fragments_out_of_order_make_the_same_datagram)
{
	IN(frag_echo_3, T0);
	IN(frag_echo_1, T0);
	IN(frag_echo_2, T0);
	TH_ASSERT_FRAME(th_sent(&t, 0), frag_echo_reply_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, ip_frag_reassembled, 1);
	assert_nothing_held();
}

Test(reassembly, last_fragment_first_then_the_middle_then_the_first)
{
	IN(frag_echo_3, T0);
	IN(frag_echo_2, T0);
	IN(frag_echo_1, T0);
	TH_ASSERT_FRAME(th_sent(&t, 0), frag_echo_reply_expected);
	assert_nothing_held();
}

Test(reassembly, exact_duplicate_is_dropped_alone_rfc8200)
{
	IN(frag_echo_1, T0);
	IN(frag_echo_1, T0);
	IN(frag_echo_2, T0);
	IN(frag_echo_3, T0);
	IN(frag_echo_3, T0); /* after completion: a new datagram, held */
	TH_ASSERT_FRAME(th_sent(&t, 0), frag_echo_reply_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, ip_frag_drop_dup, 1);
	TH_ASSERT_STAT(&t, ip_frag_held, 1);
	dpt_ipv4_tick(&t.nif, T0 + TIMEOUT);
	TH_ASSERT_STAT(&t, ip_frag_drop_timeout, 1);
	th_assert_sent(&t, 1); /* no time exceeded: fragment zero never came */
	assert_nothing_held();
}

Test(reassembly, overlap_discards_the_datagram_and_its_later_fragments_rfc5722)
{
	IN(frag_echo_1, T0);
	IN(frag_echo_overlap, T0);
	TH_ASSERT_STAT(&t, ip_frag_drop_overlap, 2);
	TH_ASSERT_STAT(&t, ip_frag_held, 0);
	IN(frag_echo_2, T0);
	IN(frag_echo_3, T0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, ip_frag_drop_discarded, 2);
	TH_ASSERT_STAT(&t, ip_frag_reassembled, 0);
	/* the discarded datagram's slot lasts until its timeout, silently */
	TH_ASSERT_STAT(&t, ip_frag_datagrams, 1);
	dpt_ipv4_tick(&t.nif, T0 + TIMEOUT);
	TH_ASSERT_STAT(&t, ip_frag_datagrams, 0);
	th_assert_sent(&t, 0);
	assert_nothing_held();
}

Test(reassembly, overlap_arriving_first_discards_too)
{
	IN(frag_echo_overlap, T0);
	IN(frag_echo_3, T0);
	IN(frag_echo_1, T0); /* its bytes 8-15 were taken */
	TH_ASSERT_STAT(&t, ip_frag_drop_overlap, 3);
	IN(frag_echo_2, T0);
	TH_ASSERT_STAT(&t, ip_frag_drop_discarded, 1);
	th_assert_sent(&t, 0);
	assert_nothing_held();
}

Test(reassembly, a_fragment_past_the_last_ones_end_discards_the_datagram)
{
	COPY(f, frag_echo_2);

	IN(frag_echo_3, T0);       /* ends the datagram at byte 40 */
	set_offset(f, 5, 1);       /* bytes 40-55 */
	IN(f, T0);
	TH_ASSERT_STAT(&t, ip_frag_drop_inconsistent, 2);
	assert_nothing_held();
}

Test(reassembly, timeout_frees_everything_and_sends_time_exceeded)
{
	IN(frag_echo_1, T0);
	IN(frag_echo_2, T0);
	dpt_ipv4_tick(&t.nif, T0 + TIMEOUT - 1);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, ip_frag_held, 2);
	dpt_ipv4_tick(&t.nif, T0 + TIMEOUT);
	TH_ASSERT_FRAME(th_sent(&t, 0), frag_time_exceeded_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, ip_frag_drop_timeout, 2);
	TH_ASSERT_STAT(&t, icmp_tx_time_exceeded, 1);
	TH_ASSERT_STAT(&t, ip_frag_datagrams, 0);
	/* the late last fragment starts over, alone */
	IN(frag_echo_3, T0 + TIMEOUT);
	TH_ASSERT_STAT(&t, ip_frag_held, 1);
	dpt_ipv4_tick(&t.nif, T0 + 2 * TIMEOUT);
	th_assert_sent(&t, 1);
	assert_nothing_held();
}

Test(reassembly, datagrams_time_out_in_arrival_order)
{
	COPY(f, frag_echo_3);

	IN(frag_echo_3, T0);
	set_id(f, 0x78);
	IN(f, T0 + 10);
	dpt_ipv4_tick(&t.nif, T0 + TIMEOUT);
	TH_ASSERT_STAT(&t, ip_frag_drop_timeout, 1);
	TH_ASSERT_STAT(&t, ip_frag_datagrams, 1);
	dpt_ipv4_tick(&t.nif, T0 + TIMEOUT + 10);
	TH_ASSERT_STAT(&t, ip_frag_drop_timeout, 2);
	assert_nothing_held();
}

Test(reassembly, datagrams_in_progress_are_bounded)
{
	COPY(f, frag_echo_3);

	for (uint16_t id = 1; id <= 5; id++) {
		set_id(f, id);
		IN(f, T0);
	}
	TH_ASSERT_STAT(&t, ip_frag_datagrams, 4);
	TH_ASSERT_STAT(&t, ip_frag_drop_table_full, 1);
	/* a fragment of a datagram in progress is still taken */
	set_id(f, 2);
	set_offset(f, 0, 1);
	th_in(&t, f, 42, T0); /* 8 bytes at 0: the first one, ICMP header whole */
	TH_ASSERT_STAT(&t, ip_frag_held, 5);
	dpt_ipv4_tick(&t.nif, T0 + TIMEOUT);
	assert_nothing_held();
}

Test(reassembly, mbufs_held_are_bounded)
{
	COPY(f, frag_echo_2);

	/* 17 fragments of 16 bytes, one datagram: 16 are held */
	for (uint16_t i = 0; i < 17; i++) {
		set_offset(f, (uint16_t)(2 + 2 * i), 1);
		IN(f, T0);
	}
	TH_ASSERT_STAT(&t, ip_frag_held, 16);
	TH_ASSERT_STAT(&t, ip_frag_drop_mem, 1);
	dpt_ipv4_tick(&t.nif, T0 + TIMEOUT);
	TH_ASSERT_STAT(&t, ip_frag_drop_timeout, 16);
	assert_nothing_held();
}

Test(reassembly, fragments_never_take_the_reception_reserve)
{
	table(4, 16, 65535, th_pool->size);
	IN(frag_echo_1, T0);
	TH_ASSERT_STAT(&t, ip_frag_drop_mem, 1);
	assert_nothing_held();
}

Test(reassembly, ping_of_death_fragment_is_refused)
{
	IN(frag_of_death, T0);
	TH_ASSERT_STAT(&t, ip_frag_drop_oversize, 1);
	TH_ASSERT_STAT(&t, ip_frag_datagrams, 0);
	assert_nothing_held();
}

Test(reassembly, datagram_past_reass_max_size_is_refused)
{
	COPY(f, frag_echo_3);

	table(4, 16, 576, 0);
	set_offset(f, 69, 0); /* 20 + 552 + 8 = 580 bytes */
	IN(f, T0);
	TH_ASSERT_STAT(&t, ip_frag_drop_oversize, 1);
	set_offset(f, 68, 0); /* 20 + 544 + 8 = 572: taken */
	IN(f, T0);
	TH_ASSERT_STAT(&t, ip_frag_held, 1);
	dpt_ipv4_tick(&t.nif, T0 + TIMEOUT);
	assert_nothing_held();
}

Test(reassembly, non_last_fragment_below_reass_min_frag_is_tiny)
{
	/* the schema's default: non-last fragments of 256 bytes or more */
	table_with(4, 16, 65535, 256, 0);
	IN(frag_echo_1, T0);
	TH_ASSERT_STAT(&t, ip_frag_drop_tiny, 1);
	TH_ASSERT_STAT(&t, ip_frag_held, 0);
	/* the last fragment may be any length */
	IN(frag_echo_3, T0);
	TH_ASSERT_STAT(&t, ip_frag_held, 1);
	dpt_ipv4_tick(&t.nif, T0 + TIMEOUT);
	assert_nothing_held();
}

Test(reassembly, first_fragment_without_the_whole_tcp_header_is_tiny_rfc1858)
{
	t.nif.tcp_input = th_tcp_sink; /* TCP fragments need a TCP */
	IN(frag_tcp_tiny_first, T0);
	TH_ASSERT_STAT(&t, ip_frag_drop_tiny, 1);
	assert_nothing_held();
}

Test(reassembly, fragment_not_a_multiple_of_8_is_malformed)
{
	IN(frag_not_8, T0);
	TH_ASSERT_STAT(&t, ip_drop_fragment, 1);
	TH_ASSERT_STAT(&t, ip_frag_rx, 1);
	assert_nothing_held();
}

Test(reassembly, fragments_are_dropped_when_reassembly_is_off)
{
	t.nif.frag = NULL;
	IN(frag_echo_1, T0);
	TH_ASSERT_STAT(&t, ip_drop_fragment, 1);
	TH_ASSERT_STAT(&t, ip_frag_rx, 0);
	assert_nothing_held();
}

Test(reassembly, unsupported_protocol_first_fragment_gets_protocol_unreachable)
{
	COPY(first, frag_echo_1);
	COPY(later, frag_echo_2);
	struct rte_mbuf *m;

	first[IP_OFF + 9] = IPPROTO_SCTP;
	set_id(first, 0x77);
	later[IP_OFF + 9] = IPPROTO_SCTP;
	set_id(later, 0x77);
	IN(first, T0);
	IN(later, T0);
	TH_ASSERT_STAT(&t, ip_drop_proto, 2);
	TH_ASSERT_STAT(&t, icmp_tx_dest_unreach, 1);
	m = th_sent(&t, 0);
	cr_assert_eq(rte_pktmbuf_mtod(m, uint8_t *)[34], 3);  /* type */
	cr_assert_eq(rte_pktmbuf_mtod(m, uint8_t *)[35], 2);  /* protocol */
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, ip_frag_rx, 0);
	assert_nothing_held();
}

/* dptcp opens no UDP port: a fragmented datagram, whole again, gets the
 * port unreachable its unfragmented self gets (RFC 1122 4.1.3.1), the
 * quote being the reassembled header, as if never fragmented. */
Test(reassembly, fragmented_udp_gets_the_port_unreachable_of_the_whole_datagram)
{
	struct rte_mbuf *f[2];

	cr_assert_eq(th_fragment(udp_dgram, sizeof(udp_dgram), 8, f, 2), 2);
	dpt_eth_input(&t.nif, f[0], T0);
	th_assert_sent(&t, 0);
	dpt_eth_input(&t.nif, f[1], T0);
	TH_ASSERT_FRAME(th_sent(&t, 0), port_unreach_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, ip_frag_reassembled, 1);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 1);
	TH_ASSERT_STAT(&t, icmp_tx_dest_unreach, 1);
	assert_nothing_held();
}

Test(reassembly, fragments_not_for_us_are_not_held)
{
	COPY(f, frag_echo_1);

	f[IP_OFF + 19] = 77; /* to 198.18.0.77 */
	set_id(f, 0x77);
	IN(f, T0);
	TH_ASSERT_STAT(&t, ip_drop_not_for_us, 1);
	assert_nothing_held();
}

/* Ether(dst=US, src=PEER)/IP(src=PEER, dst=US, id=0x78)/ICMP(id=0x1234,
 * seq=4) and 2000 bytes, byte i being i & 0xff: built here, its checksums
 * by DPDK's functions. */
static size_t
long_echo_request(uint8_t *f)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + IP_OFF);
	uint8_t *icmp = f + IP_OFF + 20;
	uint16_t ck;

	memcpy(f, frag_echo_1, IP_OFF + 20);
	ip->total_length = rte_cpu_to_be_16(20 + 8 + 2000);
	ip->packet_id = RTE_BE16(0x78);
	ip->fragment_offset = 0;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memcpy(icmp, (const uint8_t[]){ 8, 0, 0, 0, 0x12, 0x34, 0, 4 }, 8);
	for (int i = 0; i < 2000; i++)
		icmp[8 + i] = (uint8_t)i;
	ck = (uint16_t)~rte_raw_cksum(icmp, 2008);
	memcpy(icmp + 2, &ck, 2);
	return IP_OFF + 20 + 2008;
}

/* Frame @m starts with @hdr's bytes, then the pattern from @from. */
static void
assert_fragment(const struct rte_mbuf *m, const uint8_t *hdr, uint32_t at,
		uint32_t from)
{
	static uint8_t buf[2048];
	const uint8_t *p = rte_pktmbuf_read(m, 0, m->pkt_len, buf);

	cr_assert_not_null(p);
	cr_assert_arr_eq(p, hdr, at, "headers differ");
	for (uint32_t i = at; i < m->pkt_len; i++)
		cr_assert_eq(p[i], (uint8_t)(from + i - at), "byte %u", i);
}

TestSuite(fragment_out, .init = setup);

Test(fragment_out, echo_reply_longer_than_the_mtu_leaves_in_fragments)
{
	static uint8_t req[IP_OFF + 20 + 2008];
	struct rte_mbuf *f[4], *m;
	unsigned int n;

	n = th_fragment(req, long_echo_request(req), 1480, f, 4);
	cr_assert_eq(n, 2);
	for (unsigned int i = 0; i < n; i++)
		dpt_eth_input(&t.nif, f[i], T0);
	TH_ASSERT_STAT(&t, ip_frag_reassembled, 1);
	th_assert_sent(&t, 2);
	m = th_sent(&t, 0);
	cr_assert_eq(m->pkt_len, 1514);
	assert_fragment(m, long_reply_frag1_hdr, sizeof(long_reply_frag1_hdr),
			0);
	m = th_sent(&t, 1);
	cr_assert_eq(m->pkt_len, 14 + 548);
	assert_fragment(m, long_reply_frag2_hdr, sizeof(long_reply_frag2_hdr),
			1472);
	TH_ASSERT_STAT(&t, ip_tx_fragmented, 1);
	TH_ASSERT_STAT(&t, ip_tx_frags, 2);
	TH_ASSERT_STAT(&t, tx_drop_oversize, 0);
	assert_nothing_held();
}
