/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_icmp.c: ICMP errors about our segments (RFC 5927, RFC 1122
 * 4.2.3.9) and path MTU discovery (RFC 1191, RFC 1122 4.2.3.3), through
 * the whole input path: a fragmentation-needed quoting a sequence number
 * in flight lowers the segment size and what was sent goes again at the
 * new size (the exact segments asserted); one quoting anything else is
 * ignored and counted; other errors are soft; the path's estimate serves
 * new connections and ages out. Also: a fragmented segment reaches TCP
 * reassembled.
 *
 * The connection is passive, Linux's options (MSS 1460, SACK, timestamps,
 * scale 7): our segments carry 1448 bytes on a 1500-byte path.
 */
#include <netinet/ip_icmp.h>
#include <string.h>

#include <rte_ip.h>

#include "tcp_harness.h"
#include "tcp_impl.h"
#include "vectors_frag.h"

static uint32_t iss;
static struct dpt_tcb *c;

/* The options we put on a non-SYN segment once timestamps are on. */
#define TS_ECHO(x) { .present = DPT_TCPOPT_TS, .tsecr = (x) }
/* The peer's TSval on everything after its handshake ACK (TSval 101). */
#define PTS 102
/* The window field of our segments: the whole 256 KiB buffer >> 3. */
#define WND 32768

static void
open_ws(void)
{
	struct dpt_tcp_opts o = tt_syn_opts(100);

	c = tt_accept(&o, &iss);
	tt_skip_all();
}

static void
fill(uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(i * 7 + 1);
}

/* Ether(dst=US, src=PEER)/IP(src='198.18.0.254', dst='198.18.0.2',
 * id=0x11)/ICMP(type, code, and the next-hop MTU) quoting our segment to
 * the peer: IP(src=@qsrc, dst='198.18.0.1', id=0, flags='DF', len=@qlen)
 * and 8 bytes of TCP (ports @sport -> @dport, @seq), as icmp_frag_needed
 * in vectors_frag.h (which the first test checks this against). */
static struct rte_mbuf *
icmp_quoting(uint8_t type, uint8_t code, uint16_t mtu, uint32_t qsrc,
	     uint16_t sport, uint16_t dport, uint32_t seq, uint16_t qlen)
{
	uint8_t f[14 + 20 + 8 + 20 + 8];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);
	struct rte_ipv4_hdr *q = (struct rte_ipv4_hdr *)(f + 14 + 28);
	uint8_t *icmp = f + 14 + 20, *t = f + 14 + 48;
	uint16_t ck;

	memcpy(f, th_us_mac.addr_bytes, 6);
	memcpy(f + 6, th_peer_mac.addr_bytes, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	*ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF, .time_to_live = 64,
		.total_length = RTE_BE16(56), .packet_id = RTE_BE16(0x11),
		.next_proto_id = IPPROTO_ICMP,
		.src_addr = rte_cpu_to_be_32(DPT_IPV4(198, 18, 0, 254)),
		.dst_addr = rte_cpu_to_be_32(TH_US_IP) };
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp[0] = type;
	icmp[1] = code;
	icmp[2] = icmp[3] = icmp[4] = icmp[5] = 0;
	icmp[6] = (uint8_t)(mtu >> 8);
	icmp[7] = (uint8_t)mtu;
	*q = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF, .time_to_live = 64,
		.total_length = rte_cpu_to_be_16(qlen),
		.fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG),
		.next_proto_id = IPPROTO_TCP,
		.src_addr = rte_cpu_to_be_32(qsrc),
		.dst_addr = rte_cpu_to_be_32(TH_PEER_IP) };
	q->hdr_checksum = rte_ipv4_cksum(q);
	t[0] = (uint8_t)(sport >> 8);
	t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(dport >> 8);
	t[3] = (uint8_t)dport;
	t[4] = (uint8_t)(seq >> 24);
	t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8);
	t[7] = (uint8_t)seq;
	ck = (uint16_t)~rte_raw_cksum(icmp, 8 + 28);
	memcpy(icmp + 2, &ck, 2);
	return th_mbuf(f, sizeof(f), 0);
}

/* A fragmentation-needed with next-hop @mtu for our segment at @seq of
 * @qlen bytes on the connection, fed in, then a poll. */
static void
frag_needed(uint16_t mtu, uint32_t seq, uint16_t qlen)
{
	dpt_eth_input(&tt.i.nif, icmp_quoting(ICMP_DEST_UNREACH,
					      ICMP_FRAG_NEEDED, mtu, TH_US_IP,
					      TT_PORT, TT_PEER_PORT, seq,
					      qlen),
		      tt.now);
	tt_poll();
}

/* Write 3000 bytes @d and see them leave as 1448, 1448, 104. */
static void
send_3000(uint8_t *d)
{
	fill(d, 3000);
	cr_assert_eq(dpt_tcp_write(c, d, 3000), 3000);
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND,
	       .len = 1448, .opt = TS_ECHO(101), .data = d);
	TT_OUT(.flags = ACK, .seq = iss + 1449, .ack = 1001, .wnd = WND,
	       .len = 1448, .opt = TS_ECHO(101), .data = d + 1448);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 2897, .ack = 1001, .wnd = WND,
	       .len = 104, .opt = TS_ECHO(101), .data = d + 2896);
	TT_NONE();
}

TestSuite(tcp_pmtu, .init = tt_setup, .fini = tt_teardown);

Test(tcp_pmtu, the_tests_icmp_builder_matches_scapy)
{
	struct rte_mbuf *m = icmp_quoting(3, 4, 1280, TH_US_IP, 80,
					  FRAG_TCP_SPORT, 0x01020304, 1500);

	TH_ASSERT_FRAME(m, icmp_frag_needed);
	rte_pktmbuf_free(m);
}

Test(tcp_pmtu, frag_needed_lowers_the_mss_and_resends_at_the_new_size_rfc1191)
{
	static uint8_t d[3000];
	uint32_t cwnd;

	open_ws();
	send_3000(d);
	cwnd = tt_info(c).cwnd;
	/* a router on the way carries 1280: 1280 - 40 - 12 = 1228 bytes a
	 * segment; all three segments go again at once, sized for it */
	frag_needed(1280, iss + 1, 1500);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND,
	       .len = 1228, .opt = TS_ECHO(101), .data = d);
	TT_OUT(.flags = ACK, .seq = iss + 1229, .ack = 1001, .wnd = WND,
	       .len = 1228, .opt = TS_ECHO(101), .data = d + 1228);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 2457, .ack = 1001, .wnd = WND,
	       .len = 544, .opt = TS_ECHO(101), .data = d + 2456);
	TT_NONE();
	cr_assert_eq(tt_info(c).mss, 1228);
	/* not congestion: the window stays (RFC 1191 6.5) */
	cr_assert_eq(tt_info(c).cwnd, cwnd);
	TT_ASSERT_STAT(tcp_pmtu_lowered, 1);
	TT_ASSERT_STAT(tcp_retransmits, 3);
	TT_ASSERT_STAT(tcp_rto, 0);
	/* the same news again, about the next segment: nothing new */
	frag_needed(1280, iss + 1449, 1500);
	TT_NONE();
	TT_ASSERT_STAT(tcp_pmtu_ignored, 1);
	/* everything arrives */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 3001,
	      .opt = tt_ts(PTS, 0));
	TT_NONE();
	cr_assert_eq(tt_info(c).snd_queued, 0);
}

Test(tcp_pmtu, frag_needed_quoting_a_sequence_number_not_in_flight_is_ignored_rfc5927)
{
	static uint8_t d[3000];

	open_ws();
	send_3000(d);
	/* below SND.UNA, at SND.NXT, far ahead: none is a segment in
	 * flight, so none is believed */
	frag_needed(1280, iss, 1500);
	frag_needed(1280, iss + 3001, 1500);
	frag_needed(1280, iss + 100000, 1500);
	TT_NONE();
	TT_ASSERT_STAT(tcp_icmp_bad_seq, 3);
	TT_ASSERT_STAT(tcp_pmtu_lowered, 0);
	cr_assert_eq(tt_info(c).mss, 1448);
	/* nothing in flight: nothing to quote */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 3001,
	      .opt = tt_ts(PTS, 0));
	frag_needed(1280, iss + 1, 1500);
	TT_ASSERT_STAT(tcp_icmp_bad_seq, 4);
	cr_assert_eq(tt_info(c).mss, 1448);
}

Test(tcp_pmtu, error_about_no_connection_is_counted)
{
	open_ws();
	dpt_eth_input(&tt.i.nif, icmp_quoting(ICMP_DEST_UNREACH,
					      ICMP_FRAG_NEEDED, 1280, TH_US_IP,
					      TT_PORT, TT_PEER_PORT + 1, 1,
					      1500),
		      tt.now);
	TT_ASSERT_STAT(tcp_icmp_no_conn, 1);
	TT_ASSERT_STAT(icmp_rx_dest_unreach, 1);
	cr_assert_eq(tt_info(c).mss, 1448);
}

Test(tcp_pmtu, error_quoting_a_datagram_not_from_us_goes_no_further)
{
	open_ws();
	dpt_eth_input(&tt.i.nif, icmp_quoting(ICMP_DEST_UNREACH,
					      ICMP_FRAG_NEEDED, 1280,
					      DPT_IPV4(198, 18, 0, 9),
					      TT_PORT, TT_PEER_PORT, iss + 1,
					      1500),
		      tt.now);
	TT_ASSERT_STAT(icmp_drop_quote, 1);
	TT_ASSERT_STAT(tcp_icmp_no_conn, 0);
}

Test(tcp_pmtu, frag_needed_not_below_the_path_is_ignored)
{
	static uint8_t d[3000];

	open_ws();
	send_3000(d);
	frag_needed(1500, iss + 1, 1500);
	frag_needed(9000, iss + 1, 1500);
	TT_NONE();
	TT_ASSERT_STAT(tcp_pmtu_ignored, 2);
	cr_assert_eq(tt_info(c).mss, 1448);
}

Test(tcp_pmtu, frag_needed_without_a_next_hop_mtu_takes_the_plateau_below_rfc1191)
{
	static uint8_t d[3000];

	open_ws();
	send_3000(d);
	/* RFC 1191 7: below 1500, the plateau 1492: 1440-byte segments */
	frag_needed(0, iss + 1, 1500);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND,
	       .len = 1440, .opt = TS_ECHO(101), .data = d);
	TT_OUT(.flags = ACK, .seq = iss + 1441, .ack = 1001, .wnd = WND,
	       .len = 1440, .opt = TS_ECHO(101), .data = d + 1440);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 2881, .ack = 1001, .wnd = WND,
	       .len = 120, .opt = TS_ECHO(101), .data = d + 2880);
	TT_NONE();
	cr_assert_eq(tt_info(c).mss, 1440);
}

/* The next sent frame: its IPv4 DF bit, and its TCP payload length. */
static void
next_raw(int *df, uint32_t *len)
{
	uint8_t f[2048];
	const uint8_t *p;
	struct rte_mbuf *m;

	cr_assert_gt(tt_pending(), 0, "nothing was sent");
	m = tt.i.sink.pkts[tt.seen++];
	p = rte_pktmbuf_read(m, 0, m->pkt_len, f);
	*df = (p[14 + 6] & 0x40) != 0;
	*len = m->pkt_len - 14 - 20 - (uint32_t)(p[14 + 20 + 12] >> 4) * 4;
}

Test(tcp_pmtu, below_pmtu_min_the_floor_is_taken_and_df_cleared)
{
	static uint8_t d[3000];
	uint32_t len;
	int df;

	open_ws();
	send_3000(d);
	/* 300 < [ip] pmtu_min 552: 552 it is (500 bytes a segment), and
	 * without DF, so the router narrower than that may fragment */
	frag_needed(300, iss + 1, 1500);
	TT_ASSERT_STAT(tcp_pmtu_floor, 1);
	TT_ASSERT_STAT(tcp_pmtu_lowered, 1);
	cr_assert_eq(tt_info(c).mss, 500);
	for (int i = 0; i < 6; i++) {
		next_raw(&df, &len);
		cr_assert_not(df, "segment %d has DF", i);
		cr_assert_eq(len, 500, "segment %d: %u bytes", i, len);
	}
	TT_NONE();
	/* the floor with DF cleared is no news a second time */
	frag_needed(300, iss + 1, 552);
	TT_ASSERT_STAT(tcp_pmtu_ignored, 1);
	TT_NONE();
}

Test(tcp_pmtu, new_connection_to_that_destination_starts_with_the_cached_mtu)
{
	static uint8_t d[3000];
	struct dpt_tcb *c2;
	uint32_t iss2;

	open_ws();
	send_3000(d);
	frag_needed(1280, iss + 1, 1500);
	tt_skip_all();
	/* the peer offers 1460 again; the path says 1280 */
	c2 = tt_connect(&(struct dpt_tcp_opts){
		.present = DPT_TCPOPT_MSS, .mss = 1460 }, &iss2);
	cr_assert_eq(tt_info(c2).mss, 1240);
	dpt_tcp_abort(c2, tt.now);
}

Test(tcp_pmtu, estimate_ages_out_and_segments_grow_back_rfc1191_6_3)
{
	static const struct dpt_pmtu_conf two_s = {
		.min = 552, .age_us = 2000000, .entries = 64 }; /* 2 s */
	static uint8_t d[3000];

	/* a cache whose estimates last 2 s */
	dpt_pmtu_free(tt.i.nif.pmtu);
	tt.i.pmtu = tt.i.nif.pmtu = dpt_pmtu_create(&(struct dpt_pmtu_params){
		.socket_id = 0, .conf = &two_s, .mtu = 1500,
		.stats = &tt.i.stats });
	cr_assert_not_null(tt.i.nif.pmtu);
	open_ws();
	send_3000(d);
	frag_needed(1280, iss + 1, 1500);
	cr_assert_eq(tt_info(c).mss, 1228);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 3001,
	      .opt = tt_ts(PTS, 0));
	tt_skip_all();
	tt_advance(dpt_s(2));
	cr_assert_eq(dpt_tcp_write(c, d, 3000), 3000);
	tt_poll();
	TT_ASSERT_STAT(tcp_pmtu_raised, 1);
	cr_assert_eq(tt_info(c).mss, 1448);
	TT_OUT(.flags = ACK, .seq = iss + 3001, .ack = 1001, .wnd = WND,
	       .len = 1448, .opt = TS_ECHO(PTS), .data = d);
}

Test(tcp_pmtu, other_errors_are_soft_no_reset_rfc5927)
{
	static uint8_t d[3000];
	static const uint8_t kinds[][2] = {
		{ ICMP_DEST_UNREACH, ICMP_PORT_UNREACH },
		{ ICMP_DEST_UNREACH, ICMP_PROT_UNREACH },
		{ ICMP_DEST_UNREACH, ICMP_HOST_UNREACH },
		{ ICMP_TIME_EXCEEDED, ICMP_EXC_TTL },
		{ ICMP_PARAMETERPROB, 0 },
	};

	open_ws();
	send_3000(d);
	for (unsigned int k = 0; k < RTE_DIM(kinds); k++)
		dpt_eth_input(&tt.i.nif, icmp_quoting(kinds[k][0], kinds[k][1],
						      0, TH_US_IP, TT_PORT,
						      TT_PEER_PORT, iss + 1449,
						      1500), tt.now);
	tt_poll();
	TT_NONE();
	TT_ASSERT_STAT(tcp_icmp_soft, RTE_DIM(kinds));
	TT_ASSERT_STAT(icmp_rx_dest_unreach, 3);
	TT_ASSERT_STAT(icmp_rx_time_exceeded, 1);
	TT_ASSERT_STAT(icmp_rx_param_problem, 1);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	cr_assert_eq(tt.events & DPT_TCP_EV_RESET, 0);
}

Test(tcp_pmtu, port_unreachable_in_syn_sent_is_soft_the_syn_is_retried)
{
	struct dpt_tcp_seg s;
	struct dpt_tcb *a;

	a = dpt_tcp_connect(tt.tcp, TH_PEER_IP, 8080, 50000, tt_handler, NULL,
			    tt.now);
	cr_assert_not_null(a);
	tt_next(&s, NULL, 0);
	/* RFC 5927 6 (RFC 1122 4.2.3.9 would allow aborting): the SYN's
	 * timer retries it, as if it were lost */
	dpt_eth_input(&tt.i.nif, icmp_quoting(ICMP_DEST_UNREACH,
					      ICMP_PORT_UNREACH, 0, TH_US_IP,
					      50000, 8080, s.seq, 60), tt.now);
	tt_poll();
	TT_ASSERT_STAT(tcp_icmp_soft, 1);
	cr_assert_eq(dpt_tcp_state(a), DPT_TCP_SYN_SENT);
	TT_NONE();
	dpt_tcp_abort(a, tt.now);
}

TestSuite(tcp_frag, .init = tt_setup, .fini = tt_teardown);

Test(tcp_frag, fragmented_segment_is_reassembled_and_acknowledged)
{
	static uint8_t want[1000];
	struct rte_mbuf *m, *f[4];
	uint8_t frame[2048];
	unsigned int n;

	open_ws();
	tt.auto_read = 1;
	m = tt_frame(&(struct tt_spec){ .flags = ACK | PSH, .seq = 1001,
					.ack = iss + 1, .len = 1000,
					.opt = tt_ts(PTS, 0) });
	memcpy(frame, rte_pktmbuf_mtod(m, uint8_t *), m->pkt_len);
	frame[14 + 6] &= ~0x40; /* DF off: a router fragmented it */
	n = th_fragment(frame, m->pkt_len, 512, f, 4);
	rte_pktmbuf_free(m);
	cr_assert_eq(n, 3); /* 20 + 12 + 1000 bytes: 512, 512, 8 */
	for (unsigned int i = n; i-- > 0;) /* last first */
		dpt_eth_input(&tt.i.nif, f[i], tt.now);
	tt_poll();
	TT_ASSERT_STAT(ip_frag_reassembled, 1);
	TT_ASSERT_STAT(tcp_rx_bytes, 1000);
	cr_assert_eq(tt.rx_len, 1000);
	tt_pattern(want, 1001, 1000);
	cr_assert_arr_eq(tt.rx, want, 1000);
	/* one segment of more than 536 bytes: the delayed ACK */
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 2001, .wnd = WND,
	       .opt = TS_ECHO(PTS));
	TT_NONE();
}
