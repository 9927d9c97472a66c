/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp6.c: TCP over IPv6 (RFC 8200, RFC 9293), through the whole
 * input path (dpt_eth_input(), ip6's IPv6 input, tcp6_input) and out
 * through ip6's output, with the exact segments asserted (tcp_harness.c
 * over IPv6: the peer 2001:2::2, we 2001:2::1, MTU 1500). Every segment
 * we send is checked by the harness for its source and destination, no
 * extension header, a flow label (RFC 6437) and a TCP checksum over the
 * IPv6 pseudo-header (RFC 8200 8.1) by DPDK's own sum.
 *
 * Covered: the handshake (MSS = MTU - 60, RFC 9293 3.7.1 with RFC 8200's
 * 40-byte header), data and ACKs, a RST for no connection (RFC 9293
 * 3.10.7.1), a bad checksum dropped and counted, Packet Too Big lowering
 * the segment size (RFC 8201), a SYN cookie's handshake over the IPv6
 * 4-tuple, a listener taking both families, an active open, and the
 * flow label: one per connection, the same for the answers without one.
 *
 * Also here: an IPv4 control block did not grow because IPv6 exists.
 */
#include <netinet/icmp6.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ip.h>

#include "tcp_harness.h"
#include "tcp_impl.h"

#define ALL_OPTS (DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK | DPT_TCPOPT_TS | \
		  DPT_TCPOPT_WS)
#define TS_ECHO(x) { .present = DPT_TCPOPT_TS, .tsecr = (x) }
#define WND 32768   /* our window field: 256 KiB >> 3 */
#define MSS6 1440   /* 1500 - 40 (IPv6) - 20 (TCP) */
#define SEG6 1428   /* ... less the timestamp option */
#define P2 (TT_PEER_PORT + 1)

static uint32_t iss;
static struct dpt_tcb *c;

static struct tcp_key6
key6(uint16_t rport, uint16_t lport)
{
	return (struct tcp_key6){ .raddr = th_peer_ip6, .laddr = th_us_ip6,
				  .rport = rport, .lport = lport };
}

static void
fill(uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(i * 7 + 1);
}

/* The next three segments: the 3000 bytes of @d from @seq in two of
 * @seg bytes and the rest with PSH, acknowledging @ack and echoing
 * @tsecr. */
static void
expect_3000(uint32_t seq, uint32_t ack, uint32_t seg, uint32_t tsecr,
	    const uint8_t *d)
{
	TT_OUT(.flags = ACK, .seq = seq, .ack = ack, .wnd = WND, .len = seg,
	       .opt = TS_ECHO(tsecr), .data = d);
	TT_OUT(.flags = ACK, .seq = seq + seg, .ack = ack, .wnd = WND,
	       .len = seg, .opt = TS_ECHO(tsecr), .data = d + seg);
	TT_OUT(.flags = ACK | PSH, .seq = seq + 2 * seg, .ack = ack,
	       .wnd = WND, .len = 3000 - 2 * seg, .opt = TS_ECHO(tsecr),
	       .data = d + 2 * seg);
}

TT_SUITE6(tcp6);

/* The IPv4 control block is what it was (496 bytes: README "Memory per
 * connection"), IPv6 or not. */
Test(tcp6, an_ipv4_control_block_did_not_grow)
{
	cr_assert_eq(sizeof(struct dpt_tcb), 496);
}

/* IPv6 memory exists only with IPv6: a context with an IPv6 address has
 * max_conns / 4 IPv6 slots, at least 64 ([tcp] max_conns6 0) ... */
Test(tcp6, the_ipv6_table_is_made_with_an_ipv6_address)
{
	struct dpt_tcp_mem m;

	dpt_tcp_mem(tt.tcp, &m);
	cr_assert_eq(m.conns6, 64);
	cr_assert_gt(m.table6, 64 * sizeof(struct tcp_addr6));
}

/* ... and an IPv4-only one none at all: not a byte more per connection
 * than before IPv6 (README "Memory per connection"). */
TestSuite(tcp6_v4only, .init = tt_setup, .fini = tt_teardown);

Test(tcp6_v4only, no_ipv6_table_without_an_ipv6_address)
{
	struct dpt_tcp_mem m;

	dpt_tcp_mem(tt.tcp, &m);
	cr_assert_eq(m.conns6, 0);
	cr_assert_eq(m.table6, 0);
	cr_assert_null(tt.tcp->table6);
	cr_assert_null(tt.tcp->addr6);
}

Test(tcp6, handshake_offers_mss_1440_at_mtu_1500)
{
	struct tcp_key6 k = key6(TT_PEER_PORT, TT_PORT);
	struct dpt_tcp_info i;

	tt_listen();
	iss = tt_passive_iss(TT_PEER_PORT, TT_PORT);
	TT_IN(.flags = SYN, .seq = 1000, .opt = tt_syn_opts(100));
	/* RFC 9293 3.7.1: the MSS option is the MTU less the fixed IPv6
	 * and TCP headers */
	TT_OUT(.flags = SYN | ACK, .seq = iss, .ack = 1001, .wnd = 65535,
	       .opt = { .present = ALL_OPTS, .mss = MSS6, .wscale = 3,
			.tsecr = 100 });
	/* RFC 6437 3: the flow's label, from the keyed hash of its 4-tuple */
	cr_assert_eq(tt.flow, tcp_flow_label(tt.tcp, &k));
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .opt = tt_ts(101, 0));
	cr_assert_not_null(tt.conn, "not accepted");
	c = tt.conn;
	dpt_tcp_get_info(c, &i);
	cr_assert_eq(i.state, DPT_TCP_ESTABLISHED);
	/* the peer's 1460 against our path: 1440, less timestamps */
	cr_assert_eq(i.mss, SEG6);
	cr_assert_eq(i.local.family, DPT_AF_INET6);
	cr_assert_arr_eq(&i.local.v6, &th_us_ip6, 16);
	cr_assert_eq(i.peer.family, DPT_AF_INET6);
	cr_assert_arr_eq(&i.peer.v6, &th_peer_ip6, 16);
	cr_assert_eq(i.laddr, 0);
	cr_assert_eq(i.lport, TT_PORT);
	cr_assert_eq(i.rport, TT_PEER_PORT);
	TT_ASSERT_STAT(tcp_conn_passive, 1);
	TT_NONE();
}

Test(tcp6, data_in_is_acknowledged_and_data_out_is_cut_at_the_mss)
{
	static uint8_t d[3000];
	struct dpt_tcp_opts o = tt_syn_opts(100);
	uint32_t flow;

	c = tt_accept(&o, &iss);
	tt_skip_all();
	flow = tt.flow;
	tt.auto_read = 1;
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100,
	      .opt = tt_ts(102, 0));
	tt_advance(dpt_ms(200)); /* the delayed ACK */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1101, .wnd = WND,
	       .opt = TS_ECHO(102));
	cr_assert_eq(tt.rx_len, 100);
	fill(d, sizeof(d));
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), (ssize_t)sizeof(d));
	tt_poll();
	expect_3000(iss + 1, 1101, SEG6, 102, d);
	TT_NONE();
	/* one label for all the connection's packets */
	cr_assert_eq(tt.flow, flow);
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 3001,
	      .opt = tt_ts(103, 0));
	cr_assert_eq(tt_info(c).snd_queued, 0);
	TT_ASSERT_STAT(tcp_drop_cksum, 0);
}

Test(tcp6, segments_for_no_connection_get_rst)
{
	struct tcp_key6 k = key6(TT_PEER_PORT, 81);

	/* RFC 9293 3.10.7.1: no ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><RST,ACK> */
	TT_IN(.flags = SYN, .seq = 1000, .dport = 81);
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1001, .wnd = 0);
	/* the label its connection would have had */
	cr_assert_eq(tt.flow, tcp_flow_label(tt.tcp, &k));
	/* with ACK: <SEQ=SEG.ACK><CTL=RST> */
	TT_IN(.flags = ACK, .seq = 1000, .ack = 777, .dport = 81);
	TT_OUT(.flags = RST, .seq = 777, .ack = 0, .wnd = 0);
	/* never to a RST */
	TT_IN(.flags = RST, .seq = 1000, .dport = 81);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_closed_port, 3);
	TT_ASSERT_STAT(tcp_rst_sent, 2);
}

Test(tcp6, a_segment_with_a_bad_checksum_is_dropped_and_counted)
{
	struct rte_mbuf *m;
	uint8_t *p;

	tt_listen();
	m = tt_frame(&(struct tt_spec){ .flags = SYN, .seq = 1000 });
	/* a bit of the sequence number flipped after the checksum */
	p = rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 40 + 7);
	*p ^= 0x01;
	dpt_eth_input(&tt.i.nif, m, tt.now);
	tt_poll();
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_cksum, 1);
	TT_ASSERT_STAT(tcp_rx_segs, 0);
	TT_ASSERT_STAT(tcp_tcbs, 0);
}

/* Ether(dst=US, src=PEER)/IPv6(src='2001:2::fe', dst=US6)/
 * ICMPv6PacketTooBig(mtu=@mtu) quoting our segment to the peer: its IPv6
 * header (payload 1460) and 20 bytes of TCP (80 -> 40000, @seq). */
static void
packet_too_big(uint32_t mtu, uint32_t seq)
{
	uint8_t f[14 + 40 + 8 + 40 + 20] = { 0 };
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(f + 14);
	uint8_t *ic = f + 14 + 40;
	struct rte_ipv6_hdr *q = (struct rte_ipv6_hdr *)(ic + 8);
	uint8_t *t = (uint8_t *)(q + 1);
	uint16_t ck;

	memcpy(f, th_us_mac.addr_bytes, 6);
	memcpy(f + 6, th_peer_mac.addr_bytes, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip->vtc_flow = RTE_BE32(0x60000000);
	ip->payload_len = rte_cpu_to_be_16(8 + 40 + 20);
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, &th_peer_ip6, 16);
	ip->src_addr[15] = 0xfe;
	memcpy(ip->dst_addr, &th_us_ip6, 16);
	ic[0] = ICMP6_PACKET_TOO_BIG;
	ic[4] = (uint8_t)(mtu >> 24);
	ic[5] = (uint8_t)(mtu >> 16);
	ic[6] = (uint8_t)(mtu >> 8);
	ic[7] = (uint8_t)mtu;
	q->vtc_flow = RTE_BE32(0x60000000);
	q->payload_len = RTE_BE16(1460);
	q->proto = IPPROTO_TCP;
	q->hop_limits = 64;
	memcpy(q->src_addr, &th_us_ip6, 16);
	memcpy(q->dst_addr, &th_peer_ip6, 16);
	t[0] = 0;
	t[1] = 80;
	t[2] = (uint8_t)(TT_PEER_PORT >> 8);
	t[3] = (uint8_t)TT_PEER_PORT;
	t[4] = (uint8_t)(seq >> 24);
	t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8);
	t[7] = (uint8_t)seq;
	/* RFC 4443 2.3: over the pseudo-header, as TCP's */
	ck = rte_ipv6_udptcp_cksum(ip, ic);
	memcpy(ic + 2, &ck, 2);
	dpt_eth_input(&tt.i.nif, th_mbuf(f, sizeof(f), 0), tt.now);
	tt_poll();
}

Test(tcp6, packet_too_big_lowers_the_mss_and_resends_at_the_new_size)
{
	static uint8_t d[3000];
	struct dpt_tcp_opts o = tt_syn_opts(100);
	uint32_t seg = 1280 - 60 - 12;

	c = tt_accept(&o, &iss);
	tt_skip_all();
	fill(d, sizeof(d));
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), (ssize_t)sizeof(d));
	tt_poll();
	tt_skip_all(); /* 1428, 1428, 144 (as above) */
	/* RFC 8201 4, 5.2: a path of 1280; what was sent goes again at
	 * 1280 - 60 - 12 bytes a segment */
	packet_too_big(1280, iss + 1);
	expect_3000(iss + 1, 1001, seg, 101, d);
	TT_NONE();
	cr_assert_eq(tt_info(c).mss, seg);
	TT_ASSERT_STAT(tcp_pmtu_lowered, 1);
	/* never below IPv6's minimum MTU (RFC 8200 5): a report of 1000 is
	 * 1280, no news */
	packet_too_big(1000, iss + 1);
	TT_NONE();
	cr_assert_eq(tt_info(c).mss, seg);
	TT_ASSERT_STAT(tcp_pmtu_ignored, 1);
	/* RFC 5927 4.1: quoting a sequence number not in flight: ignored */
	packet_too_big(1280, iss + 5000);
	TT_ASSERT_STAT(tcp_icmp_bad_seq, 1);
	TT_NONE();
}

/* RFC 8201 5.2: the path MTU is the path's, not one connection's. A
 * Packet Too Big validated against one connection lowers ip6's cache
 * entry for the peer; another connection to the same peer notices the
 * cache's generation move at its next output and sends at the new size,
 * without a Packet Too Big of its own; an IPv4 connection to the peer's
 * IPv4 address is another path and keeps its MSS. */
Test(tcp6, packet_too_big_for_one_connection_lowers_the_mss_of_another)
{
	static uint8_t d[3000];
	struct dpt_tcp_opts o = tt_syn_opts(100);
	struct dpt_tcb *b, *v4;
	struct dpt_tcp_seg s;
	uint32_t seg = 1280 - 60 - 12, iss_b, iss4;

	c = tt_accept(&o, &iss);
	tt_skip_all();
	/* a second connection from the peer's port P2 */
	TT_IN(.flags = SYN, .seq = 5000, .sport = P2, .opt = tt_syn_opts(200));
	tt_next(&s, NULL, 0);
	iss_b = s.seq;
	TT_IN(.flags = ACK, .seq = 5001, .ack = iss_b + 1, .sport = P2,
	      .opt = tt_ts(201, s.opt.tsval));
	b = tt.conn;
	cr_assert_neq(b, c);
	/* and one over IPv4 from the peer's P2 + 1 */
	tt.v6 = 0;
	TT_IN(.flags = SYN, .seq = 9000, .sport = P2 + 1,
	      .opt = tt_syn_opts(300));
	tt_next(&s, NULL, 0);
	iss4 = s.seq;
	TT_IN(.flags = ACK, .seq = 9001, .ack = iss4 + 1, .sport = P2 + 1,
	      .opt = tt_ts(301, s.opt.tsval));
	v4 = tt.conn;
	tt.v6 = 1;
	TT_NONE();
	cr_assert_eq(tt_info(b).mss, SEG6);
	fill(d, sizeof(d));
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), (ssize_t)sizeof(d));
	tt_poll();
	tt_skip_all();
	packet_too_big(1280, iss + 1);
	tt_skip_all(); /* c sends again at the new size (as above) */
	cr_assert_eq(tt_info(c).mss, seg);
	TT_ASSERT_STAT(tcp_pmtu_lowered, 1);
	/* b learns it from the cache at its next output */
	cr_assert_eq(dpt_tcp_write(b, d, sizeof(d)), (ssize_t)sizeof(d));
	tt_poll();
	expect_3000(iss_b + 1, 5001, seg, 201, d);
	TT_NONE();
	cr_assert_eq(tt_info(b).mss, seg);
	TT_ASSERT_STAT(tcp_pmtu_lowered, 1); /* no ICMP of its own */
	/* the IPv4 path is another: 1460 - 12 */
	tt.v6 = 0;
	cr_assert_eq(dpt_tcp_write(v4, d, 2000), 2000);
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss4 + 1, .ack = 9001, .wnd = WND,
	       .len = 1448, .opt = TS_ECHO(301), .data = d);
	TT_OUT(.flags = ACK | PSH, .seq = iss4 + 1 + 1448, .ack = 9001,
	       .wnd = WND, .len = 2000 - 1448, .opt = TS_ECHO(301),
	       .data = d + 1448);
	TT_NONE();
	cr_assert_eq(tt_info(v4).mss, 1448);
	tt.v6 = 1;
}

/* A listener is a port: IPv4 and IPv6 SYNs to it open one connection
 * each (Linux's dual-stack default), each with its family's MSS. */
Test(tcp6, a_listener_takes_both_families)
{
	tt_listen();
	tt.v6 = 0;
	iss = tt_passive_iss(TT_PEER_PORT, TT_PORT);
	TT_IN(.flags = SYN, .seq = 1000);
	TT_OUT(.flags = SYN | ACK, .seq = iss, .ack = 1001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1460 });
	tt.v6 = 1;
	iss = tt_passive_iss(TT_PEER_PORT, TT_PORT);
	TT_IN(.flags = SYN, .seq = 7000);
	TT_OUT(.flags = SYN | ACK, .seq = iss, .ack = 7001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = MSS6 });
	TT_ASSERT_STAT(tcp_state_syn_received, 2);
	TT_ASSERT_STAT(tcp_tcbs, 2);
	/* each completes on its own 4-tuple */
	TT_IN(.flags = ACK, .seq = 7001, .ack = iss + 1);
	TT_ASSERT_STAT(tcp_conn_passive, 1);
	cr_assert_eq(tt_info(tt.conn).peer.family, DPT_AF_INET6);
	TT_NONE();
}

Test(tcp6, active_open_to_an_ipv6_address)
{
	struct tcp_key6 k = key6(8080, 50000);
	struct dpt_ipaddr to = { .family = DPT_AF_INET6, .v6 = th_peer_ip6 };
	struct dpt_ipaddr a;
	uint16_t port;

	iss = tcp_isn6(tt.tcp, &k, tt.now);
	c = dpt_tcp_connect_addr(tt.tcp, &to, 8080, 50000, tt_handler, NULL,
				 tt.now);
	cr_assert_not_null(c);
	tt.conn = c;
	TT_OUT(.flags = SYN, .seq = iss, .ack = 0, .wnd = 65535,
	       .opt = { .present = ALL_OPTS, .mss = MSS6, .wscale = 3,
			.tsecr = 0 });
	cr_assert_eq(tt.flow, tcp_flow_label(tt.tcp, &k));
	TT_IN(.flags = SYN | ACK, .seq = 5000, .ack = iss + 1, .sport = 8080,
	      .dport = 50000, .opt = tt_syn_opts(300));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5001, .wnd = WND,
	       .opt = TS_ECHO(300));
	cr_assert(tt.events & DPT_TCP_EV_CONNECTED);
	cr_assert_eq(tt_info(c).mss, SEG6);
	dpt_tcp_peer_addr(c, &a, &port);
	cr_assert_eq(a.family, DPT_AF_INET6);
	cr_assert_arr_eq(&a.v6, &th_peer_ip6, 16);
	cr_assert_eq(port, 8080);
	dpt_tcp_local_addr(c, &a, &port);
	cr_assert_arr_eq(&a.v6, &th_us_ip6, 16);
	cr_assert_eq(port, 50000);
	TT_ASSERT_STAT(tcp_conn_active, 1);
}

Test(tcp6, active_open_from_an_address_not_ours_is_refused)
{
	struct dpt_tcp_open_params p = {
		.remote = { .family = DPT_AF_INET6, .v6 = th_peer_ip6 },
		.local = { .family = DPT_AF_INET6, .v6 = th_peer_ip6 },
		.rport = 8080, .handler = tt_handler };

	cr_assert_null(dpt_tcp_open(tt.tcp, &p, tt.now));
	cr_assert_eq(rte_errno, EADDRNOTAVAIL);
	TT_ASSERT_STAT(tcp_connect_not_ours, 1);
	TT_NONE();
}

/* ---- SYN cookies over the IPv6 4-tuple -------------------------------- */

static void
edit_backlog_1(struct dpt_tcp_conf *cf)
{
	cf->syn_backlog = 1;
}

static void
setup_cookies6(void)
{
	tt_setup6_with(edit_backlog_1);
}

TestSuite(tcp6_cookies, .init = setup_cookies6, .fini = tt_teardown);

Test(tcp6_cookies, a_cookie_handshake_over_ipv6_establishes)
{
	struct tcp_key6 k = key6(P2, TT_PORT);
	uint16_t mss = 1460;
	uint32_t ck, ts_off, tsv;

	tt_listen();
	TT_IN(.flags = SYN, .seq = 1000); /* fills syn_backlog = 1 */
	tt_skip_all();
	/* the SYN asks 1460; our side allows 1440: the cookie's MSS */
	mss = MSS6;
	ck = cookie_make6(tt.tcp, &k, 1000, &mss, &ts_off, tt.now);
	cr_assert_eq(mss, 1440);
	tsv = (uint32_t)(tt.now / 1000) + ts_off;
	if ((tsv & 0x3f) < 0x17)
		tsv -= 0x40;
	tsv = (tsv & ~0x3fu) | 0x17; /* wscale 7, SACK-permitted */
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2, .opt = tt_syn_opts(4242));
	TT_OUT(.flags = SYN | ACK, .seq = ck, .ack = 1001, .wnd = 65535,
	       .opt = { .present = ALL_OPTS, .mss = MSS6, .wscale = 3,
			.tsval = tsv, .tsecr = 4242 }, .tsval_set = 1);
	cr_assert_eq(tt.flow, tcp_flow_label(tt.tcp, &k));
	TT_ASSERT_STAT(tcp_syncookies_sent, 1);
	TT_ASSERT_STAT(tcp_tcbs, 1); /* no state for it */
	/* the third segment with the cookie: a connection */
	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1, .sport = P2,
	      .wnd = 100, .opt = tt_ts(4243, tsv));
	cr_assert_not_null(tt.conn, "the cookie was not accepted");
	cr_assert_eq(dpt_tcp_state(tt.conn), DPT_TCP_ESTABLISHED);
	cr_assert_eq(tt_info(tt.conn).mss, SEG6);
	cr_assert_eq(tt_info(tt.conn).snd_wnd, 100u << 7);
	cr_assert_eq(tt_info(tt.conn).peer.family, DPT_AF_INET6);
	TT_ASSERT_STAT(tcp_syncookies_ok, 1);
	/* the cookie is bound to the IPv6 4-tuple: another port's ACK with
	 * it is refused */
	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1, .sport = P2 + 1);
	TT_OUT(.flags = RST, .seq = ck + 1, .ack = 0, .wnd = 0);
	TT_ASSERT_STAT(tcp_drop_cookie, 1);
}
