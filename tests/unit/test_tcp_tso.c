/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_tso.c: large sends. TCP output runs once for up to 64 KB and
 * the TX path cuts the segment into the frames that sending one MSS at a
 * time produces: sequence numbers, PSH and FIN on the last frame only,
 * every option (timestamps, SACK blocks) on each, consecutive IPv4 ids,
 * valid checksums (tt_next() parses each frame, checksum included).
 * Cut in software (dpt_gso.c, the harness's TX path), or left whole for
 * a PMD with TSO.
 *
 * A corked connection (TCP_CORK) sends the whole frames of a large send
 * and holds its tail.
 *
 * The connection is passive and Linux-like (MSS 1460, SACK, timestamps,
 * scale 7): our frames carry 1448 bytes, the initial window is ten.
 *
 * The same over IPv6 (suite tcp_tso6, tt_setup6(): we 2001:2::1, the peer
 * 2001:2::2, MTU 1500): frames of 1500 - 40 - 20 - 12 = 1428 bytes, each
 * with its own payload length, the connection's flow label (RFC 6437)
 * and a TCP checksum over RFC 8200 8.1's pseudo-header (tt_next() checks
 * it by DPDK's rte_ipv6_udptcp_cksum_verify()); a PMD with TSO gets
 * RTE_MBUF_F_TX_IPV6 frames. The scenarios both families share are
 * functions below, run by a Test of each suite.
 */
#include <string.h>

#include <rte_ip.h>

#include "tcp_harness.h"
#include "tcp_impl.h"

static uint32_t iss;
static uint32_t seg; /* our frames' payload: SEG, or SEG6 over IPv6 */
static struct dpt_tcb *c;
static uint8_t d[64 * 1024];
static uint32_t tsecr = 101; /* the peer's TSval we echo */

#define SEG 1448
#define SEG6 1428
#define WND 32768 /* our window field: 256 KiB free, scale 3 */

/* Passive open as Linux does it; the peer's window 2000 << 7. */
static void
handshake(void)
{
	struct dpt_tcp_seg s;

	tt_listen();
	TT_IN(.flags = SYN, .seq = 1000, .opt = tt_syn_opts(100));
	tt_next(&s, NULL, 0);
	iss = s.seq;
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 2000,
	      .wnd_set = 1, .opt = tt_ts(101, s.opt.tsval));
	cr_assert_not_null(tt.conn);
	c = tt.conn;
	tt_skip_all();
	tsecr = 101;
	seg = tt.v6 ? SEG6 : SEG;
	cr_assert_eq(tt_info(c).mss, seg);
	for (uint32_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 13 + (i >> 9) + 5);
}

static void
setup_ws(void)
{
	tt_setup();
	handshake();
}

static void
setup_ws6(void)
{
	tt_setup6();
	handshake();
}

/* The IPv4 identification of the @i-th frame sent. */
static uint16_t
ip_id(uint16_t i)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
		tt.i.sink.pkts[i], const struct rte_ipv4_hdr *, 14);

	return rte_be_to_cpu_16(ip->packet_id);
}

/* The IPv6 header of the @i-th frame sent. */
static const struct rte_ipv6_hdr *
ip6_of(uint16_t i)
{
	return rte_pktmbuf_mtod_offset(tt.i.sink.pkts[i],
				       const struct rte_ipv6_hdr *, 14);
}

/* IP packets sent, of the connection's family. */
static uint64_t
ip_tx(void)
{
	return tt.v6 ? TT_STAT(ip6_tx) : TT_STAT(ip_tx);
}

/* The next frame: @len bytes of d from stream offset @off, @flags, with
 * our timestamp and the peer's echoed. Over IPv6 also exactly its TCP
 * header (32 bytes) and data in its payload length, and the connection's
 * flow label. */
static void
expect_data(uint32_t off, uint32_t len, uint8_t flags)
{
	const struct tcp_key6 k = {
		.raddr = th_peer_ip6, .laddr = th_us_ip6,
		.rport = TT_PEER_PORT, .lport = TT_PORT };

	if (tt.v6) {
		cr_assert_gt(tt_pending(), 0); /* flushed into the sink */
		cr_assert_eq(rte_be_to_cpu_16(ip6_of(tt.seen)->payload_len),
			     32 + len);
		cr_assert_eq(tt.i.sink.pkts[tt.seen]->pkt_len,
			     14 + 40 + 32 + len);
	}
	TT_OUT(.flags = flags, .seq = iss + 1 + off, .ack = 1001,
	       .wnd = WND, .len = len, .data = d + off,
	       .opt = { .present = DPT_TCPOPT_TS, .tsecr = tsecr,
			.tsval = tt_our_ts(c) },
	       .tsval_set = 1);
	if (tt.v6)
		cr_assert_eq(tt.flow, tcp_flow_label(tt.tcp, &k));
}

TestSuite(tcp_tso, .init = setup_ws, .fini = tt_teardown);
TestSuite(tcp_tso6, .init = setup_ws6, .fini = tt_teardown);

static void
initial_window_in_one_pass(void)
{
	uint64_t segs = TT_STAT(tcp_tx_segs), ip = ip_tx();

	cr_assert_eq(dpt_tcp_write(c, d, 10 * seg), 10 * seg);
	tt_poll();
	cr_assert_eq(tt_pending(), 10);
	for (uint32_t i = 0; i < 10; i++)
		expect_data(i * seg, seg, ACK | (i == 9 ? PSH : 0));
	TT_NONE();
	/* one large send, cut into ten frames in software */
	TT_ASSERT_STAT(tx_gso_frames, 10);
	cr_assert_eq(TT_STAT(tcp_tx_segs) - segs, 10);
	cr_assert_eq(ip_tx() - ip, 10);
	TT_ASSERT_STAT(tcp_tx_bytes, 10 * seg);
	TT_ASSERT_STAT(tx_drop_gso, 0);
	cr_assert_eq(c->snd_nxt, iss + 1 + 10 * seg);
}

Test(tcp_tso, initial_window_goes_in_one_pass_as_ten_exact_frames)
{
	uint16_t first = tt.seen;

	initial_window_in_one_pass();
	/* each frame its own IPv4 id, as when sent one by one */
	for (uint16_t i = 1; i < 10; i++)
		cr_assert_eq(ip_id((uint16_t)(first + i)),
			     (uint16_t)(ip_id(first) + i));
	cr_assert_eq(tt.i.nif.ip_id, (uint16_t)(ip_id(first) + 10));
}

Test(tcp_tso6, initial_window_goes_in_one_pass_as_ten_exact_frames)
{
	initial_window_in_one_pass();
}

static void
tail_follows_with_psh_and_fin(void)
{
	cr_assert_eq(dpt_tcp_write(c, d, 3 * seg + 656), 3 * seg + 656);
	cr_assert_eq(dpt_tcp_shutdown(c), 0);
	tt_poll();
	expect_data(0, seg, ACK);
	expect_data(seg, seg, ACK);
	expect_data(2 * seg, seg, ACK);
	expect_data(3 * seg, 656, ACK | PSH | FIN);
	TT_NONE();
	/* the three full frames in one pass, the tail alone */
	TT_ASSERT_STAT(tx_gso_frames, 3);
	cr_assert_eq(c->snd_nxt, iss + 1 + 3 * seg + 656 + 1);
}

Test(tcp_tso, tail_shorter_than_a_frame_follows_with_psh_and_fin)
{
	tail_follows_with_psh_and_fin();
}

Test(tcp_tso6, tail_shorter_than_a_frame_follows_with_psh_and_fin)
{
	tail_follows_with_psh_and_fin();
}

/* TCP_CORK (tcp(7)): the whole frames go in one large send, the tail
 * shorter than a frame waits for the uncork. */
Test(tcp_tso, corked_large_send_goes_whole_frames_and_holds_the_tail)
{
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_CORK, 1, tt.now), 0);
	cr_assert_eq(dpt_tcp_write(c, d, 3 * seg + 656), 3 * seg + 656);
	tt_poll();
	expect_data(0, seg, ACK);
	expect_data(seg, seg, ACK);
	expect_data(2 * seg, seg, ACK);
	TT_NONE();
	TT_ASSERT_STAT(tx_gso_frames, 3);
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_CORK, 0, tt.now), 0);
	tt_poll();
	expect_data(3 * seg, 656, ACK | PSH);
	TT_NONE();
}

Test(tcp_tso, sack_blocks_are_on_every_frame_and_take_room_from_each)
{
	struct dpt_tcp_opts o = { .present = DPT_TCPOPT_TS | DPT_TCPOPT_SACK,
				  .tsecr = 101, .n_sack = 1,
				  .sack = { { 2001, 2101 } } };
	uint32_t sseg = SEG - 12; /* a block: 8 bytes, 2 of kind and
				   * length, 2 NOPs to align */

	/* out of order: a hole at 1001, 2001..2101 held */
	TT_IN(.flags = ACK, .seq = 2001, .ack = iss + 1, .wnd = 2000,
	      .wnd_set = 1, .len = 100, .opt = tt_ts(102, tt_our_ts(c)));
	/* the duplicate ACK (RFC 5681 4.2) with its block (RFC 2018 4);
	 * out of order, the segment's TSval is not echoed (RFC 7323 4.3);
	 * our window: (256 KiB - 100 held) >> 3 */
	o.tsval = tt_our_ts(c);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 32755,
	       .opt = o, .tsval_set = 1);
	cr_assert_eq(dpt_tcp_write(c, d, 4 * sseg), 4 * sseg);
	tt_poll();
	o.tsval = tt_our_ts(c);
	for (uint32_t i = 0; i < 4; i++)
		TT_OUT(.flags = ACK | (i == 3 ? PSH : 0),
		       .seq = iss + 1 + i * sseg, .ack = 1001, .wnd = 32755,
		       .len = sseg, .data = d + i * sseg, .opt = o,
		       .tsval_set = 1);
	TT_NONE();
	TT_ASSERT_STAT(tx_gso_frames, 4);
}

static void
part_is_resent_after_the_rto(void)
{
	uint64_t rex;

	cr_assert_eq(dpt_tcp_write(c, d, 10 * seg), 10 * seg);
	tt_poll();
	cr_assert_eq(tt_pending(), 10);
	tt_skip_all();
	/* the first two frames arrive, the rest is lost */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1 + 2 * seg,
	      .wnd = 2000, .wnd_set = 1, .opt = tt_ts(102, tt_our_ts(c)));
	tt_skip_all(); /* what the ACK let go */
	rex = TT_STAT(tcp_retransmits);
	/* RFC 8985 7.3: first the tail loss probe, the last frame again */
	while (tt_pending() == 0)
		tt_advance(1000);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1 + 9 * seg, .ack = 1001,
	       .wnd = WND, .len = seg, .data = d + 9 * seg,
	       .opt = { .present = DPT_TCPOPT_TS, .tsecr = 102 });
	TT_NONE();
	/* RFC 6298 5.4: the RTO resends the oldest unacknowledged frame */
	while (tt_pending() == 0)
		tt_advance(1000);
	TT_OUT(.flags = ACK, .seq = iss + 1 + 2 * seg, .ack = 1001,
	       .wnd = WND, .len = seg, .data = d + 2 * seg,
	       .opt = { .present = DPT_TCPOPT_TS, .tsecr = 102 });
	TT_NONE();
	/* its ACK doubles the window (slow start after the RTO): the next
	 * two frames, from the send queue's middle, in one pass */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1 + 3 * seg,
	      .wnd = 2000, .wnd_set = 1, .opt = tt_ts(103, tt_our_ts(c)));
	tsecr = 103;
	expect_data(3 * seg, seg, ACK);
	expect_data(4 * seg, seg, ACK);
	TT_NONE();
	cr_assert_eq(TT_STAT(tcp_retransmits) - rex, 4);
}

Test(tcp_tso, part_of_a_large_send_is_resent_after_the_rto)
{
	part_is_resent_after_the_rto();
}

Test(tcp_tso6, part_of_a_large_send_is_resent_after_the_rto)
{
	part_is_resent_after_the_rto();
}

/* Ten frames' data to a port with TSO: the large segment, whole, with
 * what DPDK's TSO contract asks of every family (RTE_MBUF_F_TX_TCP_SEG,
 * TCP checksum offload, tso_segsz, l2/l3/l4 lengths); the family's own
 * fields are the caller's to check. */
static struct rte_mbuf *
tso_whole(void)
{
	uint32_t l3 = tt.v6 ? 40 : 20;
	struct rte_mbuf *m;

	tt.i.tx.tso = 1;
	tt.tcp->tx_cksum = 1; /* TSO is on only with checksum offload */
	cr_assert_eq(dpt_tcp_write(c, d, 10 * seg), 10 * seg);
	tt_poll();
	cr_assert_eq(tt_pending(), 1);
	m = tt.i.sink.pkts[tt.seen];
	cr_assert(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG);
	cr_assert_eq(m->ol_flags & RTE_MBUF_F_TX_L4_MASK,
		     RTE_MBUF_F_TX_TCP_CKSUM);
	cr_assert_eq(m->tso_segsz, seg);
	cr_assert_eq(m->l2_len, 14);
	cr_assert_eq(m->l3_len, l3);
	cr_assert_eq(m->l4_len, 32); /* 20 and the timestamps' 12 */
	cr_assert_eq(m->pkt_len, 14 + l3 + 32 + 10 * seg);
	TT_ASSERT_STAT(tx_gso_frames, 0);
	return m;
}

Test(tcp_tso, a_port_with_tso_gets_the_large_segment_whole)
{
	const struct rte_ipv4_hdr *ip;
	uint16_t id = tt.i.nif.ip_id;
	struct rte_mbuf *m = tso_whole();

	cr_assert(m->ol_flags & RTE_MBUF_F_TX_IPV4);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, 14);
	cr_assert_eq(rte_be_to_cpu_16(ip->total_length), 20 + 32 + 10 * SEG);
	cr_assert_eq(rte_be_to_cpu_16(ip->packet_id), id);
	/* the NIC numbers the frames: the ids of all ten are taken */
	cr_assert_eq(tt.i.nif.ip_id, (uint16_t)(id + 10));
	TT_ASSERT_STAT(tcp_tx_segs, 11); /* and the SYN-ACK */
	tt.seen++;
}

/* Over IPv6 (rte_net_intel_cksum_prepare() sets TSO up so): no IPv4
 * flags, the payload length of the whole, and in the TCP checksum field
 * the pseudo-header's sum without the length (the NIC adds each
 * frame's). */
Test(tcp_tso6, a_port_with_tso_gets_the_large_segment_whole)
{
	uint64_t segs = TT_STAT(tcp_tx_segs), ip6 = TT_STAT(ip6_tx);
	struct rte_mbuf *m = tso_whole();
	const struct rte_ipv6_hdr *ip = ip6_of(tt.seen);
	const struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m,
		const struct rte_tcp_hdr *, 14 + 40);

	cr_assert(m->ol_flags & RTE_MBUF_F_TX_IPV6);
	cr_assert_not(m->ol_flags & (RTE_MBUF_F_TX_IPV4 |
				     RTE_MBUF_F_TX_IP_CKSUM));
	cr_assert_eq(rte_be_to_cpu_16(ip->payload_len), 32 + 10 * SEG6);
	cr_assert_arr_eq(ip->src_addr, &th_us_ip6, 16);
	cr_assert_arr_eq(ip->dst_addr, &th_peer_ip6, 16);
	/* the addresses and next header, length 0 (rte_ipv6_phdr_cksum()
	 * with TCP_SEG), and not complemented */
	cr_assert_eq(th->cksum, (uint16_t)dpt_ipv6_phdr_sum(&th_us_ip6,
		     &th_peer_ip6, 0, IPPROTO_TCP));
	cr_assert_eq(th->cksum, rte_ipv6_phdr_cksum(ip, RTE_MBUF_F_TX_TCP_SEG));
	cr_assert_eq(rte_be_to_cpu_32(th->sent_seq), iss + 1);
	cr_assert_eq(th->tcp_flags, ACK | PSH);
	cr_assert_eq(TT_STAT(tcp_tx_segs) - segs, 10);
	cr_assert_eq(TT_STAT(ip6_tx) - ip6, 10);
	tt.seen++;
}

/* A send queue of small mbufs (zero-copy sends of 100 bytes each): a
 * large send's first frame takes at most TCP_MAX_TX_SEGS - 1 of them and
 * goes alone, 700 bytes, with its checksum summed over its data (no
 * stored sum was taken on that path). */
static void
first_frame_cut_short_is_summed_whole(void)
{
	struct rte_mbuf *m = NULL, *p;

	for (uint32_t i = 0; i < 40; i++) {
		p = rte_pktmbuf_alloc(th_pool);
		cr_assert_not_null(p);
		memcpy(rte_pktmbuf_append(p, 100), d + i * 100, 100);
		if (m == NULL)
			m = p;
		else
			cr_assert_eq(rte_pktmbuf_chain(m, p), 0);
	}
	cr_assert_eq(dpt_tcp_send(c, m), 0);
	tt_poll();
	/* tt_next() checks each frame's checksum */
	expect_data(0, 700, ACK);
	/* the rest as the queue then holds it (collapsed) */
	expect_data(700, seg, ACK);
	expect_data(700 + seg, seg, ACK);
	expect_data(700 + 2 * seg, 4000 - 700 - 2 * seg, ACK | PSH);
	TT_NONE();
}

Test(tcp_tso, a_first_frame_cut_short_by_small_mbufs_is_summed_whole)
{
	first_frame_cut_short_is_summed_whole();
}

Test(tcp_tso6, a_first_frame_cut_short_by_small_mbufs_is_summed_whole)
{
	first_frame_cut_short_is_summed_whole();
}

/* Another sender's large frame whose data mbuf straddles the frame
 * boundaries: the software path splits it (one indirect mbuf a frame);
 * an IPv6 one's frames each get their payload length and checksum, and
 * keep its flow label. */
static void
foreign_frame_is_cut(void)
{
	struct dpt_tcp_seg s = { .sport = TT_PORT, .dport = TT_PEER_PORT,
				 .seq = 7000, .ack = 9000, .wnd = 100,
				 .flags = ACK | PSH | FIN };
	struct rte_mbuf *h = rte_pktmbuf_alloc(tt.hdr_pool);
	struct rte_mbuf *p = rte_pktmbuf_alloc(th_pool);
	uint32_t l3 = tt.v6 ? 40 : 20;
	uint16_t first = tt.seen;
	uint8_t *b;
	unsigned int hl;

	cr_assert(h != NULL && p != NULL);
	b = (uint8_t *)rte_pktmbuf_append(p, 1500);
	memcpy(b, d, 1500);
	b = (uint8_t *)rte_pktmbuf_append(h, 14 + l3 + 20);
	hl = dpt_tcp_write_hdr(b + 14 + l3, &s);
	cr_assert_eq(hl, 20);
	if (tt.v6) {
		dpt_eth_write(h, &th_peer_mac, &th_us_mac, RTE_ETHER_TYPE_IPV6);
		dpt_ipv6_fill_from(&tt.i.nif, h, &th_us_ip6, &th_peer_ip6,
				   IPPROTO_TCP, 0, 0xabcde, 20 + 1500);
	} else {
		dpt_eth_write(h, &th_peer_mac, &th_us_mac, RTE_ETHER_TYPE_IPV4);
		dpt_ipv4_fill_from(&tt.i.nif, h, TH_US_IP, TH_PEER_IP,
				   IPPROTO_TCP, 0, 20 + 20 + 1500, 1);
	}
	cr_assert_eq(rte_pktmbuf_chain(h, p), 0);
	h->l4_len = 20;
	h->tso_segsz = 600;
	h->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	dpt_tx_push(&tt.i.tx, h);
	TT_OUT(.flags = ACK, .seq = 7000, .ack = 9000, .wnd = 100, .len = 600,
	       .data = d);
	cr_assert(!tt.v6 || tt.flow == 0xabcde);
	TT_OUT(.flags = ACK, .seq = 7600, .ack = 9000, .wnd = 100, .len = 600,
	       .data = d + 600);
	cr_assert(!tt.v6 || tt.flow == 0xabcde);
	TT_OUT(.flags = ACK | PSH | FIN, .seq = 8200, .ack = 9000, .wnd = 100,
	       .len = 300, .data = d + 1200);
	cr_assert(!tt.v6 || tt.flow == 0xabcde);
	TT_NONE();
	if (tt.v6) {
		cr_assert_eq(rte_be_to_cpu_16(ip6_of(first)->payload_len), 620);
		cr_assert_eq(rte_be_to_cpu_16(
			ip6_of((uint16_t)(first + 2))->payload_len), 320);
	}
	TT_ASSERT_STAT(tx_gso_frames, 3);
	TT_ASSERT_STAT(tx_drop_gso, 0);
}

Test(tcp_tso, software_cut_splits_an_mbuf_across_frames)
{
	foreign_frame_is_cut();
}

Test(tcp_tso6, software_cut_of_an_ipv6_frame_keeps_its_flow_label)
{
	foreign_frame_is_cut();
}
