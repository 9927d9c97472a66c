/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_listen.c: CLOSED and LISTEN (RFC 9293 3.10.7.1-2), the passive
 * handshake, SYN cookies, ISNs (RFC 6528).
 */
#include <string.h>

#include <rte_errno.h>

#include "tcp_harness.h"
#include "tcp_impl.h"

/* Our ISS for the passive test connection at the current time. */
static uint32_t
iss_now(void)
{
	struct tcp_key k = { .raddr = TH_PEER_IP, .laddr = TH_US_IP,
			     .rport = TT_PEER_PORT, .lport = TT_PORT };

	return tcp_isn(tt.tcp, &k, tt.now);
}

TestSuite(tcp_closed, .init = tt_setup, .fini = tt_teardown);

Test(tcp_closed, syn_to_a_port_nobody_listens_on_gets_rst_ack)
{
	TT_IN(.flags = SYN, .seq = 1000);
	/* RFC 9293 3.10.7.1: no ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><RST,ACK> */
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1001, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_closed_port, 1);
	TT_ASSERT_STAT(tcp_rst_sent, 1);
}

Test(tcp_closed, ack_to_a_closed_port_gets_rst_at_its_ack)
{
	TT_IN(.flags = ACK, .seq = 1000, .ack = 777);
	/* with ACK: <SEQ=SEG.ACK><CTL=RST> */
	TT_OUT(.flags = RST, .seq = 777, .ack = 0, .wnd = 0);
}

Test(tcp_closed, data_with_fin_counts_both_in_the_rst_ack)
{
	TT_IN(.flags = FIN | PSH, .seq = 1000, .len = 10);
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1011, .wnd = 0);
}

Test(tcp_closed, rst_to_a_closed_port_is_never_answered)
{
	TT_IN(.flags = RST, .seq = 1000);
	TT_IN(.flags = RST | ACK, .seq = 1000, .ack = 5);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_closed_port, 2);
	TT_ASSERT_STAT(tcp_rst_sent, 0);
}

static void
edit_rst_rate(struct dpt_tcp_conf *cf)
{
	cf->rst_rate = 10; /* a bucket of 1 */
}

TT_SUITE_WITH(tcp_closed_rst_rate, edit_rst_rate);

Test(tcp_closed_rst_rate, rsts_past_the_rate_are_not_sent)
{
	/* RFC 9293 3.10.7.1 answers each; [tcp] rst_rate (as BSD's limit
	 * on RSTs from closed ports) answers 10 a second, 1 at once */
	TT_IN(.flags = SYN, .seq = 1000);
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1001, .wnd = 0);
	TT_IN(.flags = ACK, .seq = 1000, .ack = 777);
	TT_NONE();
	TT_ASSERT_STAT(tcp_rst_limited, 1);
	tt_advance(dpt_ms(99));
	TT_IN(.flags = ACK, .seq = 1000, .ack = 777);
	TT_NONE();
	tt_advance(dpt_ms(1));
	TT_IN(.flags = ACK, .seq = 1000, .ack = 777);
	TT_OUT(.flags = RST, .seq = 777, .ack = 0, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_rst_limited, 2);
	TT_ASSERT_STAT(tcp_rst_sent, 2);
	TT_ASSERT_STAT(tcp_drop_closed_port, 4);
}

Test(tcp_closed_rst_rate, a_rst_not_sent_for_a_busy_loop_takes_no_token)
{
	/* the loop's RX queue has a backlog: no answer, and the bucket's
	 * one token stays for the first RST that goes */
	dpt_tcp_set_rx_behind(tt.tcp, 1);
	TT_IN(.flags = ACK, .seq = 1000, .ack = 777);
	TT_NONE();
	TT_ASSERT_STAT(tcp_answer_rx_busy, 1);
	dpt_tcp_set_rx_behind(tt.tcp, 0);
	TT_IN(.flags = ACK, .seq = 1000, .ack = 777);
	TT_OUT(.flags = RST, .seq = 777, .ack = 0, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_rst_limited, 0);
	TT_ASSERT_STAT(tcp_rst_sent, 1);
}

TestSuite(tcp_listen, .init = tt_setup, .fini = tt_teardown);

Test(tcp_listen, syn_gets_synack_with_iss_mss_sack_ts_and_scale)
{
	tt_listen();
	TT_IN(.flags = SYN, .seq = 1000, .opt = tt_syn_opts(4242));
	/* MSS 1460 (MTU 1500), scale 3 (256 KiB buffer), the window of a
	 * SYN unscaled (RFC 7323 2.2), TSecr = the peer's TSval. */
	TT_OUT(.flags = SYN | ACK, .seq = iss_now(), .ack = 1001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK |
			DPT_TCPOPT_TS | DPT_TCPOPT_WS, .mss = 1460,
			.wscale = 3, .tsecr = 4242 });
	TT_NONE();
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
}

Test(tcp_listen, syn_without_options_gets_only_mss)
{
	tt_listen();
	TT_IN(.flags = SYN, .seq = 1000);
	/* RFC 7323 1.3, RFC 2018 2: offer only what the peer offered. */
	TT_OUT(.flags = SYN | ACK, .seq = iss_now(), .ack = 1001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1460 });
}

Test(tcp_listen, rst_is_ignored)
{
	tt_listen();
	TT_IN(.flags = RST, .seq = 1000);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_listen, 1);
}

Test(tcp_listen, ack_without_valid_cookie_gets_rst)
{
	tt_listen();
	TT_IN(.flags = ACK, .seq = 1001, .ack = 99);
	TT_OUT(.flags = RST, .seq = 99, .ack = 0, .wnd = 0);
	TT_ASSERT_STAT(tcp_drop_cookie, 1);
}

Test(tcp_listen, syn_ack_to_a_listener_gets_rst)
{
	tt_listen();
	TT_IN(.flags = SYN | ACK, .seq = 1000, .ack = 99);
	TT_OUT(.flags = RST, .seq = 99, .ack = 0, .wnd = 0);
	TT_ASSERT_STAT(tcp_drop_listen, 1);
}

Test(tcp_listen, segment_without_syn_ack_or_rst_is_dropped)
{
	tt_listen();
	TT_IN(.flags = FIN, .seq = 1000);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_listen, 1);
}

Test(tcp_listen, handshake_completes_and_the_application_accepts)
{
	uint32_t iss;
	struct dpt_tcb *c = tt_accept(&TT_OPTS_NONE, &iss);

	TT_NONE(); /* the third segment is not answered */
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	cr_assert(tt.events & DPT_TCP_EV_WRITABLE);
	TT_ASSERT_STAT(tcp_conn_passive, 1);
	TT_ASSERT_STAT(tcp_state_established, 1);
	TT_ASSERT_STAT(tcp_state_syn_received, 0);
}

Test(tcp_listen, after_unlisten_the_port_is_closed_again)
{
	struct dpt_tcp_listener *l = tt_listen();

	dpt_tcp_unlisten(l, tt.now);
	TT_IN(.flags = SYN, .seq = 1000);
	/* RFC 9293 3.10.7.1: the port is CLOSED again */
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1001, .wnd = 0);
	TT_ASSERT_STAT(tcp_drop_closed_port, 1);
	/* and its slot serves another port */
	cr_assert_not_null(dpt_tcp_listen(tt.tcp, &(struct dpt_tcp_listen_params){
		.port = TT_PORT + 1, .on_accept = NULL }));
	TT_IN(.flags = SYN, .seq = 1000, .dport = TT_PORT + 1);
	TT_OUT(.flags = SYN | ACK, .seq = tcp_isn(tt.tcp, &(struct tcp_key){
		TH_PEER_IP, TH_US_IP, TT_PEER_PORT, TT_PORT + 1 }, tt.now),
	       .ack = 1001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1460 });
	TT_NONE();
}

Test(tcp_listen, second_listener_on_the_same_port_is_refused)
{
	tt_listen();
	cr_assert_null(dpt_tcp_listen(tt.tcp, &(struct dpt_tcp_listen_params){
		.port = TT_PORT }));
	cr_assert_eq(rte_errno, EADDRINUSE);
}

/* 64 embedding clients with a listener each, beside dptcpd's services:
 * every slot takes a port, and one more is refused. */
Test(tcp_listen, every_listener_slot_takes_a_port)
{
	for (unsigned int i = 0; i < TCP_MAX_LISTENERS; i++)
		cr_assert_not_null(dpt_tcp_listen(tt.tcp,
			&(struct dpt_tcp_listen_params){
				.port = (uint16_t)(5000 + i), .on_accept = NULL }),
			"listener %u", i);
	cr_assert_null(dpt_tcp_listen(tt.tcp, &(struct dpt_tcp_listen_params){
		.port = 4999 }));
	cr_assert_eq(rte_errno, ENOMEM);
	cr_assert_geq(TCP_MAX_LISTENERS, 64 + 16);
}

Test(tcp_listen, isn_follows_a_4us_clock_rfc6528)
{
	uint32_t a = iss_now();

	tt.now += 4000;
	cr_assert_eq(iss_now() - a, 1000);
}

Test(tcp_listen, isn_differs_between_4_tuples_rfc6528)
{
	struct tcp_key k1 = { TH_PEER_IP, TH_US_IP, 40000, 80 };
	struct tcp_key k2 = { TH_PEER_IP, TH_US_IP, 40001, 80 };

	cr_assert_neq(tcp_isn(tt.tcp, &k1, tt.now), tcp_isn(tt.tcp, &k2,
							     tt.now));
}

Test(tcp_listen, siphash_matches_the_reference_vector)
{
	/* SipHash-2-4 paper, appendix A: key 00..0f, message 00..0e. */
	uint8_t key[16], msg[15];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	cr_assert_eq(tcp_siphash(key, msg, 15), 0xa129ca6149be45e5ULL);
}

/* ---- peers known from a handshake (tcp_peers.c) ----------------------- */

TestSuite(tcp_peers, .init = tt_setup, .fini = tt_teardown);

Test(tcp_peers, a_peer_is_known_after_a_passive_handshake)
{
	uint32_t iss;

	/* the fixed test secret: 198.18.0.1 and .3 fall on different bits */
	cr_assert_not(dpt_tcp_peer_known(tt.tcp, TH_PEER_IP));
	tt_accept(&TT_OPTS_NONE, &iss);
	cr_assert(dpt_tcp_peer_known(tt.tcp, TH_PEER_IP));
	cr_assert_not(dpt_tcp_peer_known(tt.tcp, TH_PEER_IP + 2));
}

Test(tcp_peers, a_half_open_connection_does_not_make_a_peer_known)
{
	/* a spoofed SYN gets its SYN-ACK, never an ACK back */
	tt_listen();
	TT_IN(.flags = SYN, .seq = 1000);
	tt_skip_all();
	cr_assert_not(dpt_tcp_peer_known(tt.tcp, TH_PEER_IP));
}

Test(tcp_peers, a_peer_is_forgotten_two_periods_after_its_handshake)
{
	uint32_t iss;

	tt_accept(&TT_OPTS_NONE, &iss);
	/* known for the rest of its minute and the whole next one */
	tt_advance(dpt_s(60));
	cr_assert(dpt_tcp_peer_known(tt.tcp, TH_PEER_IP));
	tt_advance(dpt_s(61));
	cr_assert_not(dpt_tcp_peer_known(tt.tcp, TH_PEER_IP));
}

/* ---- the loop's filter: segments for no connection wait ---------------- */

TestSuite(tcp_frame_filter, .init = tt_setup, .fini = tt_teardown);

/* Whether the frame of @p s may belong to a connection, as the loop asks
 * before deciding that it waits for the end of the iteration. */
static int
may_have_conn(const struct tt_spec *s)
{
	struct rte_mbuf *m = tt_frame(s);
	uint32_t l4 = 0;
	int r;

	cr_assert_eq(dpt_frame_kind(m, &l4), DPT_FRAME_TCP);
	cr_assert_eq(l4, RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr));
	r = dpt_tcp_frame_may_have_conn(tt.tcp, m, l4);
	rte_pktmbuf_free(m);
	return r;
}

Test(tcp_frame_filter, a_connections_segment_may_have_one_a_strangers_not)
{
	uint32_t iss;
	struct dpt_tcb *c = tt_accept(&TT_OPTS_NONE, &iss);

	cr_assert(may_have_conn(&(struct tt_spec){ .flags = ACK,
		.seq = 1001, .ack = iss + 1 }));
	/* another source port, another address of ours: no connection */
	cr_assert_not(may_have_conn(&(struct tt_spec){ .flags = ACK,
		.seq = 1001, .ack = iss + 1, .sport = TT_PEER_PORT + 1 }));
	cr_assert_not(may_have_conn(&(struct tt_spec){ .flags = RST,
		.seq = 1001, .dport = TT_PORT + 1 }));
	/* once the connection is gone, its 4-tuple has none either */
	dpt_tcp_abort(c, tt.now);
	tt_poll();
	cr_assert_not(may_have_conn(&(struct tt_spec){ .flags = ACK,
		.seq = 1001, .ack = iss + 1 }));
}

Test(tcp_frame_filter, a_half_open_connections_segment_may_have_one)
{
	/* the handshake's ACK finds its SYN-RECEIVED control block at
	 * once; only a cookie's ACK (no control block) waits */
	tt_listen();
	TT_IN(.flags = SYN, .seq = 1000);
	tt_skip_all();
	cr_assert(may_have_conn(&(struct tt_spec){ .flags = ACK,
		.seq = 1001 }));
}
