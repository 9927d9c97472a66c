/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_handshake.c: opening connections. SYN-SENT (RFC 9293 3.10.7.3)
 * and SYN retransmission (RFC 6298), simultaneous open (RFC 9293 3.5),
 * option negotiation (RFC 9293 3.7.1, RFC 7323, RFC 2018), passive
 * SYN-RECEIVED (RFC 9293 3.10.7.4), the accept queue, SYN cookies,
 * reuse of a TIME-WAIT 4-tuple by a new SYN (RFC 6191), and options set
 * before the SYN (dpt_tcp_open(), a listener's) shaping it.
 *
 * Active opens go from our port 50000 to the peer's port 8080 (as
 * tt_connect()); the peer's ISN is 5000 there. Passive opens come from
 * the peer's port 40000 (40001... for more) with ISN 1000.
 */
#include <string.h>

#include <rte_errno.h>

#include "tcp_harness.h"
#include "tcp_impl.h"

#define A_LPORT 50000        /* our port in an active open */
#define A_RPORT 8080         /* the peer's */
#define A_IRS 5000           /* the peer's ISN in an active open */
#define P2 (TT_PEER_PORT + 1) /* a second passive peer */
#define ALL_OPTS (DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK | DPT_TCPOPT_TS | \
		  DPT_TCPOPT_WS)
#define TS_ONLY DPT_TCPOPT_TS

/* A segment from the peer of an active open. */
#define A_IN(...) TT_IN(.sport = A_RPORT, .dport = A_LPORT, __VA_ARGS__)

static struct dpt_tcb *c;     /* the connection under test */
static uint32_t iss;          /* its ISS */
static int err_at_reset = -1; /* dpt_tcp_error() when EV_RESET came */

/* The recording handler, also noting why a connection ended (the handle
 * is gone once EV_CLOSED returns). */
static void
rec_handler(struct dpt_tcb *cb, uint32_t ev, void *arg, uint64_t now)
{
	if (ev & DPT_TCP_EV_RESET)
		err_at_reset = (int)dpt_tcp_error(cb);
	tt_handler(cb, ev, arg, now);
}

static struct dpt_tcp_opts
opts_mss(uint16_t mss)
{
	return (struct dpt_tcp_opts){ .present = DPT_TCPOPT_MSS, .mss = mss };
}

static struct tcp_key
passive_key(uint16_t rport)
{
	return (struct tcp_key){ .raddr = TH_PEER_IP, .laddr = TH_US_IP,
				 .rport = rport, .lport = TT_PORT };
}

/* RFC 6528 ISS of a passive connection from @p rport, now. */
static uint32_t
passive_iss(uint16_t rport)
{
	struct tcp_key k = passive_key(rport);

	return tcp_isn(tt.tcp, &k, tt.now);
}

/* Active OPEN (SYN-SENT); iss is set beforehand from RFC 6528. */
static void
connect_only(void)
{
	struct tcp_key k = { .raddr = TH_PEER_IP, .laddr = TH_US_IP,
			     .rport = A_RPORT, .lport = A_LPORT };

	iss = tcp_isn(tt.tcp, &k, tt.now);
	err_at_reset = -1;
	c = dpt_tcp_connect(tt.tcp, TH_PEER_IP, A_RPORT, A_LPORT, rec_handler,
			    NULL, tt.now);
	cr_assert_not_null(c);
	tt.conn = c;
}

/* Our SYN with the default [tcp] settings, sent at the current time. */
#define TT_OUR_SYN()                                                       \
	TT_OUT(.flags = SYN, .seq = iss, .ack = 0, .wnd = 65535,           \
	       .opt = { .present = ALL_OPTS, .mss = 1460, .wscale = 3,     \
			.tsval = tt_our_ts(c), .tsecr = 0 }, .tsval_set = 1)

/* Active open answered by a SYN-ACK (ISN 5000) with options @p o and
 * window @p wnd. Our SYN is skipped; what we answer is left to check. */
static void
open_active(struct dpt_tcp_opts o, uint16_t wnd)
{
	connect_only();
	tt_skip_all();
	A_IN(.flags = SYN | ACK, .seq = A_IRS, .ack = iss + 1, .wnd = wnd,
	     .wnd_set = 1, .opt = o);
}

/* Our SYN-ACK to a SYN with ISN 1000 and no options (ISS iss). */
#define PLAIN_SYNACK()                                                     \
	TT_OUT(.flags = SYN | ACK, .seq = iss, .ack = 1001, .wnd = 65535,  \
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1460 })

/* A SYN (ISN 1000, no options) from @p rport to the listener, and its
 * SYN-ACK checked; iss is set. */
static void
half_open(uint16_t rport)
{
	iss = passive_iss(rport);
	TT_IN(.flags = SYN, .seq = 1000, .sport = rport);
	PLAIN_SYNACK();
}

/* Pass over ARP requests at the head of what was sent. The harness
 * resolves the peer once at T0; after arp.reachable (30 s) its entry goes
 * stale and the next segment is preceded by a unicast poll (RFC 1122
 * 2.3.2.1), which is not what these tests are about. */
static void
skip_arp(void)
{
	tt_pending(); /* flush */
	while (tt.seen < tt.i.sink.n) {
		const struct rte_mbuf *m = tt.i.sink.pkts[tt.seen];
		const struct rte_ether_hdr *e =
			rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

		if (e->ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP))
			break;
		tt.seen++;
	}
}

/* Run the clock to TT_T0 + @p t, asserting nothing is sent before. The
 * last poll before the instant stops two ticks short, so a timer due at
 * @p t fires at exactly @p t and the next deadlines are exact too. */
static void
quiet_until(uint64_t t)
{
	uint64_t end = TT_T0 + t;

	cr_assert_gt(end, tt.now + 2048, "quiet_until: the clock is past");
	tt_advance(end - 2048 - tt.now);
	TT_NONE();
	tt.now = end;
	tt_poll();
	skip_arp();
}

/* ---- SYN-SENT --------------------------------------------------------- */

TestSuite(tcp_syn_sent, .init = tt_setup, .fini = tt_teardown);

Test(tcp_syn_sent, connect_sends_syn_with_mss_sack_ts_and_scale)
{
	connect_only();
	/* RFC 9293 3.10.1 OPEN: <SEQ=ISS><CTL=SYN>, ISS by RFC 6528. MSS =
	 * MTU 1500 - 40 (3.7.1), SACK-permitted (RFC 2018 2), TSecr 0 (RFC
	 * 7323 3.2), shift 3 for 256 KiB (RFC 7323 2.3); the window of a
	 * SYN is never scaled (RFC 7323 2.2): 65535. */
	TT_OUR_SYN();
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_SYN_SENT);
	cr_assert_eq(tt.n_events, 0);
	TT_ASSERT_STAT(tcp_state_syn_sent, 1);
	TT_ASSERT_STAT(tcp_tcbs, 1);
	TT_ASSERT_STAT(tcp_tx_segs, 1);
	TT_ASSERT_STAT(tcp_retransmits, 0);
}

Test(tcp_syn_sent, syn_ack_moves_to_established_and_is_acked)
{
	open_active(tt_syn_opts(777), 65535);
	/* RFC 9293 3.10.7.3 fourth: ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT>
	 * <CTL=ACK>. Both sent WS: our window is scaled (262144 >> 3); TSecr
	 * echoes the SYN-ACK's TSval (RFC 7323 4.3). */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 32768,
	       .opt = { .present = TS_ONLY, .tsval = tt_our_ts(c),
			.tsecr = 777 }, .tsval_set = 1);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	cr_assert_eq(tt.n_events, 1);
	cr_assert_eq(tt.events, DPT_TCP_EV_CONNECTED | DPT_TCP_EV_WRITABLE);
	TT_ASSERT_STAT(tcp_conn_active, 1);
	TT_ASSERT_STAT(tcp_state_established, 1);
	TT_ASSERT_STAT(tcp_state_syn_sent, 0);
	TT_ASSERT_STAT(tcp_drop_syn_sent, 0);
}

Test(tcp_syn_sent, unacceptable_ack_gets_rst_and_changes_nothing)
{
	connect_only();
	tt_skip_all();
	/* RFC 9293 3.10.7.3 first: SEG.ACK =< ISS or SEG.ACK > SND.NXT:
	 * <SEQ=SEG.ACK><CTL=RST>, drop. */
	A_IN(.flags = SYN | ACK, .seq = A_IRS, .ack = iss);
	TT_OUT(.flags = RST, .seq = iss, .ack = 0, .wnd = 0);
	A_IN(.flags = ACK, .seq = A_IRS, .ack = iss + 2);
	TT_OUT(.flags = RST, .seq = iss + 2, .ack = 0, .wnd = 0);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_SYN_SENT);
	cr_assert_eq(tt.n_events, 0);
	TT_ASSERT_STAT(tcp_drop_syn_sent, 2);
	TT_ASSERT_STAT(tcp_rst_sent, 2);
	/* still waiting: the right SYN-ACK completes the open */
	A_IN(.flags = SYN | ACK, .seq = A_IRS, .ack = iss + 1);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
}

Test(tcp_syn_sent, rst_with_acceptable_ack_means_connection_refused)
{
	connect_only();
	tt_skip_all();
	/* RFC 9293 3.10.7.3 second ("error: connection reset"), RFC 5961
	 * 3.2: in SYN-SENT the ACK, not the sequence number, decides. */
	A_IN(.flags = RST | ACK, .seq = 0, .ack = iss + 1);
	TT_NONE(); /* a RST is never answered */
	cr_assert_eq(tt.n_events, 1);
	cr_assert_eq(tt.events, DPT_TCP_EV_RESET | DPT_TCP_EV_CLOSED);
	cr_assert_eq(err_at_reset, DPT_TCP_ERR_REFUSED);
	cr_assert_null(tt.conn);
	TT_ASSERT_STAT(tcp_conn_refused, 1);
	TT_ASSERT_STAT(tcp_rst_rcvd, 1);
	TT_ASSERT_STAT(tcp_state_syn_sent, 0);
	TT_ASSERT_STAT(tcp_tcbs, 0);
}

Test(tcp_syn_sent, rst_without_ack_or_with_a_bad_ack_is_ignored)
{
	connect_only();
	tt_skip_all();
	/* RFC 9293 3.10.7.3 second: no ACK: drop; first: a bad ACK with
	 * RST: drop, no RST in answer to a RST. */
	A_IN(.flags = RST, .seq = A_IRS);
	A_IN(.flags = RST | ACK, .seq = A_IRS, .ack = iss);
	A_IN(.flags = RST | ACK, .seq = A_IRS, .ack = iss + 2);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_SYN_SENT);
	cr_assert_eq(tt.n_events, 0);
	TT_ASSERT_STAT(tcp_drop_syn_sent, 3);
	TT_ASSERT_STAT(tcp_rst_rcvd, 0);
	TT_ASSERT_STAT(tcp_rst_sent, 0);
	TT_ASSERT_STAT(tcp_conn_refused, 0);
}

Test(tcp_syn_sent, segment_without_syn_or_rst_is_dropped)
{
	connect_only();
	tt_skip_all();
	/* RFC 9293 3.10.7.3 fifth: neither SYN nor RST: drop, even with an
	 * acceptable ACK and text. */
	A_IN(.flags = ACK | PSH, .seq = A_IRS + 1, .ack = iss + 1, .len = 10);
	A_IN(.flags = FIN, .seq = A_IRS + 1);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_SYN_SENT);
	cr_assert_eq(dpt_tcp_readable(c), 0);
	cr_assert_eq(tt.n_events, 0);
	TT_ASSERT_STAT(tcp_drop_syn_sent, 2);
	TT_ASSERT_STAT(tcp_rx_bytes, 0);
}

Test(tcp_syn_sent, syn_is_retransmitted_with_exponential_backoff)
{
	connect_only();
	tt_skip_all();
	/* RFC 6298 2.1: RTO 1 s before a sample (rto_init); 5.5: doubled
	 * at each expiry. The same SYN, with the TSval of its time. */
	quiet_until(dpt_s(1));
	TT_OUR_SYN();
	quiet_until(dpt_s(3));
	TT_OUR_SYN();
	quiet_until(dpt_s(7));
	TT_OUR_SYN();
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_SYN_SENT);
	TT_ASSERT_STAT(tcp_rto, 3);
	TT_ASSERT_STAT(tcp_retransmits, 3);
	TT_ASSERT_STAT(tcp_synack_retransmits, 0);
}

Test(tcp_syn_sent, connect_times_out_after_syn_retries)
{
	/* 1 s doubling, capped at rto_max 60 s after the sixth */
	static const unsigned int at[] = { 1, 3, 7, 15, 31, 63 };

	connect_only();
	tt_skip_all();
	for (unsigned int i = 0; i < RTE_DIM(at); i++) {
		quiet_until(dpt_s(at[i]));
		TT_OUR_SYN();
	}
	/* syn_retries = 6: the seventh expiry gives up (RFC 9293 3.8.3,
	 * R2 for a SYN), silently, and tells the application. */
	quiet_until(dpt_s(63 + 60));
	TT_NONE();
	cr_assert_eq(tt.events, DPT_TCP_EV_RESET | DPT_TCP_EV_CLOSED);
	cr_assert_eq(err_at_reset, DPT_TCP_ERR_TIMEOUT);
	cr_assert_null(tt.conn);
	TT_ASSERT_STAT(tcp_conn_timeout, 1);
	TT_ASSERT_STAT(tcp_rto, 7);
	TT_ASSERT_STAT(tcp_retransmits, 6);
	TT_ASSERT_STAT(tcp_state_syn_sent, 0);
	TT_ASSERT_STAT(tcp_tcbs, 0);
}

Test(tcp_syn_sent, rto_is_3s_after_a_retransmitted_syn_rfc6298_5_7)
{
	static uint8_t d[100];
	struct dpt_tcp_info i;
	uint64_t sent;

	connect_only();
	tt_skip_all();
	quiet_until(dpt_s(1));
	TT_OUR_SYN();
	tt_advance(dpt_ms(500));
	A_IN(.flags = SYN | ACK, .seq = A_IRS, .ack = iss + 1,
	     .opt = opts_mss(1460));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535);
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), 100);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = A_IRS + 1,
	       .wnd = 65535, .len = 100);
	sent = tt.now - TT_T0;
	/* RFC 6298 5.7: the SYN timed out and Karn gave no sample: the RTO
	 * MUST be re-initialized to 3 s when data transmission begins. */
	dpt_tcp_get_info(c, &i);
	cr_assert_eq(i.rto_us, 3000000, "RTO %u us after a SYN timeout, "
		     "RFC 6298 5.7 requires 3 s", i.rto_us);
	quiet_until(sent + dpt_s(3));
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = A_IRS + 1,
	       .wnd = 65535, .len = 100);
}

Test(tcp_syn_sent, syn_ack_carrying_data_delivers_it)
{
	uint8_t want[100], got[100];

	connect_only();
	tt_skip_all();
	A_IN(.flags = SYN | ACK, .seq = A_IRS, .ack = iss + 1, .len = 100);
	/* RFC 9293 3.10.7.3 fourth: "continue processing at the sixth
	 * step": the text is queued and our ACK covers it, at once. */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 101, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(tt.events, DPT_TCP_EV_CONNECTED | DPT_TCP_EV_READABLE |
		     DPT_TCP_EV_WRITABLE);
	tt_pattern(want, A_IRS + 1, sizeof(want));
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), 100);
	cr_assert_arr_eq(got, want, 100);
	TT_ASSERT_STAT(tcp_rx_bytes, 100);
}

/* ---- simultaneous open (RFC 9293 3.5, figure 8) ----------------------- */

TestSuite(tcp_simultaneous_open, .init = tt_setup, .fini = tt_teardown);

/* Our SYN crossed the peer's (no options but MSS 1460): SYN-RECEIVED. */
static void
crossed_syns(void)
{
	connect_only();
	tt_skip_all();
	A_IN(.flags = SYN, .seq = A_IRS, .opt = opts_mss(1460));
	TT_OUT(.flags = SYN | ACK, .seq = iss, .ack = A_IRS + 1, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1460 });
	TT_NONE();
}

Test(tcp_simultaneous_open, syn_without_ack_gets_synack_with_iss_and_rcv_nxt)
{
	connect_only();
	tt_skip_all();
	A_IN(.flags = SYN, .seq = A_IRS, .opt = tt_syn_opts(900));
	/* RFC 9293 3.10.7.3 fourth: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT>
	 * <CTL=SYN,ACK>, the options the peer's SYN allows (RFC 7323 1.3),
	 * the window unscaled (RFC 7323 2.2). */
	TT_OUT(.flags = SYN | ACK, .seq = iss, .ack = A_IRS + 1, .wnd = 65535,
	       .opt = { .present = ALL_OPTS, .mss = 1460, .wscale = 3,
			.tsval = tt_our_ts(c), .tsecr = 900 }, .tsval_set = 1);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_SYN_RECEIVED);
	cr_assert_eq(tt.n_events, 0);
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
	TT_ASSERT_STAT(tcp_state_syn_sent, 0);
}

Test(tcp_simultaneous_open, ack_completes_the_open)
{
	crossed_syns();
	A_IN(.flags = ACK, .seq = A_IRS + 1, .ack = iss + 1);
	/* RFC 9293 3.10.7.4 fifth, SYN-RECEIVED: SND.UNA < SEG.ACK =<
	 * SND.NXT: ESTABLISHED; an active open, so "connected". */
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	cr_assert_eq(tt.events, DPT_TCP_EV_CONNECTED | DPT_TCP_EV_WRITABLE);
	TT_ASSERT_STAT(tcp_conn_active, 1);
	TT_ASSERT_STAT(tcp_conn_passive, 0);
	TT_ASSERT_STAT(tcp_state_established, 1);
	TT_ASSERT_STAT(tcp_state_syn_received, 0);
}

Test(tcp_simultaneous_open, syn_ack_completes_the_open)
{
	crossed_syns();
	/* RFC 9293 3.5 figure 8 line 6: the peer's SYN-ACK (its SYN again,
	 * already acknowledged by ours) takes SYN-RECEIVED to ESTABLISHED;
	 * Linux accepts it the same way (tcp_validate_incoming()). Nothing
	 * is left to acknowledge. */
	A_IN(.flags = SYN | ACK, .seq = A_IRS, .ack = iss + 1,
	     .opt = opts_mss(1460));
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED, "state %s",
		     dpt_tcp_state_name(dpt_tcp_state(c)));
	cr_assert_eq(tt.events, DPT_TCP_EV_CONNECTED | DPT_TCP_EV_WRITABLE);
	TT_NONE();
	TT_ASSERT_STAT(tcp_conn_active, 1);
	TT_ASSERT_STAT(tcp_state_syn_received, 0);
}

Test(tcp_simultaneous_open, rst_means_connection_refused)
{
	crossed_syns();
	/* RFC 9293 3.10.7.4 second, SYN-RECEIVED from an active OPEN:
	 * "connection refused". */
	A_IN(.flags = RST, .seq = A_IRS + 1);
	TT_NONE();
	cr_assert_eq(tt.events, DPT_TCP_EV_RESET | DPT_TCP_EV_CLOSED);
	cr_assert_eq(err_at_reset, DPT_TCP_ERR_REFUSED);
	TT_ASSERT_STAT(tcp_conn_refused, 1);
	TT_ASSERT_STAT(tcp_rst_rcvd, 1);
	TT_ASSERT_STAT(tcp_tcbs, 0);
}

/* ---- option negotiation ----------------------------------------------- */

TestSuite(tcp_options, .init = tt_setup, .fini = tt_teardown);

Test(tcp_options, peer_without_mss_gets_536_byte_segments)
{
	static uint8_t d[1200];

	open_active(TT_OPTS_NONE, 65535);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535);
	/* RFC 9293 3.7.1 (MUST-15): no MSS option means 536 */
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535,
	       .len = 536);
	TT_OUT(.flags = ACK, .seq = iss + 537, .ack = A_IRS + 1, .wnd = 65535,
	       .len = 536);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1073, .ack = A_IRS + 1,
	       .wnd = 65535, .len = 128);
	TT_NONE();
}

Test(tcp_options, timestamps_take_12_bytes_from_the_mss)
{
	static uint8_t d[3000];
	struct dpt_tcp_opts o = { .present = DPT_TCPOPT_MSS | DPT_TCPOPT_TS,
				  .mss = 1460, .tsval = 300 };
	struct dpt_tcp_opts ts = { .present = TS_ONLY, .tsecr = 300 };

	open_active(o, 65535);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535,
	       .opt = ts);
	/* RFC 7323 (and RFC 6691): the MSS excludes options; each segment
	 * carries 12 bytes of TS, so 1460 - 12 = 1448 of data. */
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535,
	       .len = 1448, .opt = ts);
	TT_OUT(.flags = ACK, .seq = iss + 1449, .ack = A_IRS + 1, .wnd = 65535,
	       .len = 1448, .opt = ts);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 2897, .ack = A_IRS + 1,
	       .wnd = 65535, .len = 104, .opt = ts);
	TT_NONE();
}

Test(tcp_options, no_timestamps_unless_the_peer_offers_them)
{
	static uint8_t d[3000];
	struct dpt_tcp_opts o = { .present = DPT_TCPOPT_MSS | DPT_TCPOPT_WS |
				  DPT_TCPOPT_SACK_OK,
				  .mss = 9000, .wscale = 7 };

	open_active(o, 65535);
	/* RFC 7323 3.2: no TSopt unless both sent one in the SYNs */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 32768);
	/* RFC 9293 3.7.1 (MUST-16): the peer's 9000 is capped by our MTU */
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 32768,
	       .len = 1460);
	TT_OUT(.flags = ACK, .seq = iss + 1461, .ack = A_IRS + 1, .wnd = 32768,
	       .len = 1460);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 2921, .ack = A_IRS + 1,
	       .wnd = 32768, .len = 80);
	TT_NONE();
}

Test(tcp_options, no_scaling_unless_the_peer_offers_it)
{
	static uint8_t d[3000];

	open_active(opts_mss(1460), 65535);
	/* RFC 7323 2.2: we sent WS, the peer did not: neither side scales;
	 * 256 KiB of free space shows as 65535. */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535);
	/* ... and the peer's window is taken as it is */
	A_IN(.flags = ACK, .seq = A_IRS + 1, .ack = iss + 1, .wnd = 1000);
	TT_NONE();
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535,
	       .len = 1000);
	TT_NONE();
}

Test(tcp_options, syn_ack_window_is_unscaled_later_windows_are_scaled)
{
	static uint8_t d[3000];
	struct dpt_tcp_opts o = { .present = DPT_TCPOPT_MSS | DPT_TCPOPT_WS,
				  .mss = 1460, .wscale = 7 };

	open_active(o, 1000);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 32768);
	/* RFC 7323 2.2: the window of a SYN is never scaled: 1000 bytes */
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 32768,
	       .len = 1000);
	TT_NONE();
	/* later windows are shifted by the peer's 7: 100 << 7 = 12800 */
	A_IN(.flags = ACK, .seq = A_IRS + 1, .ack = iss + 1001, .wnd = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1001, .ack = A_IRS + 1, .wnd = 32768,
	       .len = 1460);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 2461, .ack = A_IRS + 1,
	       .wnd = 32768, .len = 540);
	TT_NONE();
}

Test(tcp_options, window_scale_above_14_is_taken_as_14)
{
	struct dpt_tcp_opts o = { .present = DPT_TCPOPT_MSS | DPT_TCPOPT_WS,
				  .mss = 1460, .wscale = 15 };
	struct dpt_tcp_info i;

	open_active(o, 65535);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 32768);
	/* RFC 7323 2.3: a shift above 14 MUST be used as 14 */
	A_IN(.flags = ACK, .seq = A_IRS + 1, .ack = iss + 1, .wnd = 1);
	TT_NONE();
	dpt_tcp_get_info(c, &i);
	cr_assert_eq(i.snd_wnd, 1u << 14, "window %u, expected 1 << 14",
		     i.snd_wnd);
}

Test(tcp_options, no_sack_blocks_unless_the_peer_offers_sack)
{
	open_active(opts_mss(1460), 65535);
	tt_skip_all();
	/* RFC 2018 2: SACK only after both SYNs had SACK-permitted; out of
	 * order data gets a plain duplicate ACK (RFC 5681 4.2). */
	A_IN(.flags = ACK, .seq = A_IRS + 101, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535);
	TT_NONE();
	TT_ASSERT_STAT(tcp_ooo_segs, 1);
}

Test(tcp_options, sack_blocks_when_both_offer_sack)
{
	struct dpt_tcp_opts o = { .present = DPT_TCPOPT_MSS |
				  DPT_TCPOPT_SACK_OK, .mss = 1460 };

	open_active(o, 65535);
	tt_skip_all();
	/* RFC 2018 4: the duplicate ACK reports the block held */
	A_IN(.flags = ACK, .seq = A_IRS + 101, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_SACK, .n_sack = 1,
			.sack = { { A_IRS + 101, A_IRS + 201 } } });
	TT_NONE();
	TT_ASSERT_STAT(tcp_ooo_segs, 1);
}

static void
edit_no_options(struct dpt_tcp_conf *cf)
{
	cf->timestamps = 0;
	cf->sack = 0;
	cf->window_scaling = 0;
}

TT_SUITE_WITH(tcp_options_off, edit_no_options);

Test(tcp_options_off, options_turned_off_are_neither_offered_nor_used)
{
	static uint8_t d[1460];

	connect_only();
	/* RFC 7323 1.3, RFC 2018 2: only MSS is offered */
	TT_OUT(.flags = SYN, .seq = iss, .ack = 0, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1460 });
	A_IN(.flags = SYN | ACK, .seq = A_IRS, .ack = iss + 1,
	     .opt = tt_syn_opts(777));
	/* ... and nothing is used though the peer offers all: no TS, no
	 * scaling (65535), the whole MSS per segment. */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535);
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = A_IRS + 1,
	       .wnd = 65535, .len = 1460);
	TT_NONE();
}

/* ---- passive SYN-RECEIVED --------------------------------------------- */

TestSuite(tcp_syn_received, .init = tt_setup, .fini = tt_teardown);

Test(tcp_syn_received, duplicate_syn_gets_the_synack_again_at_once)
{
	tt_listen();
	half_open(TT_PEER_PORT);
	TT_IN(.flags = SYN, .seq = 1000);
	/* The peer's SYN again: our SYN-ACK was likely lost. Like Linux
	 * (documented in syn_in_synced()), the SYN-ACK goes again at once
	 * rather than at the next timeout. */
	PLAIN_SYNACK();
	TT_NONE();
	TT_ASSERT_STAT(tcp_synack_retransmits, 1);
	TT_ASSERT_STAT(tcp_retransmits, 1);
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
	TT_ASSERT_STAT(tcp_tcbs, 1);
}

Test(tcp_syn_received, duplicate_syns_get_one_synack_per_interval)
{
	tt_listen();
	half_open(TT_PEER_PORT);
	/* A flood of one SYN: the first duplicate is answered at once, the
	 * next ones within synack_dup_interval (500 ms) are not (RFC 5961 7,
	 * Linux's tcp_invalid_ratelimit). */
	TT_IN(.flags = SYN, .seq = 1000);
	PLAIN_SYNACK();
	for (int i = 0; i < 100; i++)
		TT_IN(.flags = SYN, .seq = 1000);
	tt_advance(dpt_ms(499));
	TT_IN(.flags = SYN, .seq = 1000);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_syn_dup, 101);
	TT_ASSERT_STAT(tcp_synack_retransmits, 1);
	/* 500 ms after the last one answered: answered again */
	tt_advance(dpt_ms(1));
	TT_IN(.flags = SYN, .seq = 1000);
	PLAIN_SYNACK();
	TT_NONE();
	TT_ASSERT_STAT(tcp_synack_retransmits, 2);
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
}

/* The time of the duplicate SYN answered shares its bytes with the
 * persist timer's start (tcp_impl.h): leaving SYN-RECEIVED clears it, so
 * the established connection is not persisting. */
Test(tcp_syn_received, duplicate_syn_time_is_cleared_when_the_handshake_completes)
{
	tt_listen();
	half_open(TT_PEER_PORT);
	TT_IN(.flags = SYN, .seq = 1000);
	PLAIN_SYNACK();
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1);
	TT_NONE();
	cr_assert_not_null(tt.conn);
	cr_assert_eq(dpt_tcp_state(tt.conn), DPT_TCP_ESTABLISHED);
	cr_assert_eq(tt.conn->persist_since, 0);
}

Test(tcp_syn_received, ack_outside_una_to_nxt_gets_rst)
{
	tt_listen();
	half_open(TT_PEER_PORT);
	/* RFC 9293 3.10.7.4 fifth, SYN-RECEIVED: unless SND.UNA < SEG.ACK
	 * =< SND.NXT, <SEQ=SEG.ACK><CTL=RST>. */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss);
	TT_OUT(.flags = RST, .seq = iss, .ack = 0, .wnd = 0);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 2);
	TT_OUT(.flags = RST, .seq = iss + 2, .ack = 0, .wnd = 0);
	TT_NONE();
	cr_assert_null(tt.conn);
	TT_ASSERT_STAT(tcp_drop_ack, 2);
	TT_ASSERT_STAT(tcp_rst_sent, 2);
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
	/* still SYN-RECEIVED: the right ACK completes the handshake */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1);
	TT_NONE();
	cr_assert_not_null(tt.conn);
	cr_assert_eq(dpt_tcp_state(tt.conn), DPT_TCP_ESTABLISHED);
}

Test(tcp_syn_received, rst_at_rcv_nxt_returns_to_listen_silently)
{
	tt_listen();
	half_open(TT_PEER_PORT);
	/* RFC 9293 3.10.7.4 second: from a passive OPEN, back to LISTEN;
	 * the user need not be informed. */
	TT_IN(.flags = RST, .seq = 1001);
	TT_NONE();
	cr_assert_eq(tt.n_events, 0);
	TT_ASSERT_STAT(tcp_rst_rcvd, 1);
	TT_ASSERT_STAT(tcp_state_syn_received, 0);
	TT_ASSERT_STAT(tcp_tcbs, 0);
	TT_ASSERT_STAT(tcp_conn_reset, 0);
	TT_ASSERT_STAT(tcp_conn_refused, 0);
	/* the listener takes the same 4-tuple again */
	half_open(TT_PEER_PORT);
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
}

Test(tcp_syn_received, out_of_window_segment_gets_an_ack)
{
	tt_listen();
	half_open(TT_PEER_PORT);
	TT_IN(.flags = ACK, .seq = 1001 + 70000, .ack = iss + 1);
	/* RFC 9293 3.10.7.4 first: not acceptable (our window is 65535):
	 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop. */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_NONE();
	cr_assert_null(tt.conn);
	TT_ASSERT_STAT(tcp_drop_seq, 1);
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
}

Test(tcp_syn_received, synack_is_retransmitted_with_backoff_then_dropped)
{
	static const unsigned int at[] = { 1, 3, 7, 15, 31 };

	tt_listen();
	half_open(TT_PEER_PORT);
	/* RFC 6298 2.1 and 5.5: 1 s, doubled each time */
	for (unsigned int i = 0; i < RTE_DIM(at); i++) {
		quiet_until(dpt_s(at[i]));
		PLAIN_SYNACK();
	}
	/* synack_retries = 5: the sixth expiry drops it, silently */
	quiet_until(dpt_s(63));
	TT_NONE();
	TT_ASSERT_STAT(tcp_synack_retransmits, 5);
	TT_ASSERT_STAT(tcp_retransmits, 5);
	TT_ASSERT_STAT(tcp_rto, 6);
	TT_ASSERT_STAT(tcp_conn_timeout, 1);
	TT_ASSERT_STAT(tcp_state_syn_received, 0);
	TT_ASSERT_STAT(tcp_tcbs, 0);
	/* a late ACK finds only the listener (and no valid cookie) */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1);
	TT_OUT(.flags = RST, .seq = iss + 1, .ack = 0, .wnd = 0);
	TT_ASSERT_STAT(tcp_drop_cookie, 1);
}

Test(tcp_syn_received, third_segment_may_carry_data)
{
	uint8_t want[100], got[100];

	tt_listen();
	half_open(TT_PEER_PORT);
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100);
	/* RFC 9293 3.10.7.4: ESTABLISHED at the fifth step, the text is
	 * processed at the seventh. One short segment: ACK delayed. */
	TT_NONE();
	cr_assert_not_null(tt.conn);
	cr_assert_eq(dpt_tcp_state(tt.conn), DPT_TCP_ESTABLISHED);
	cr_assert(tt.events & DPT_TCP_EV_READABLE);
	TT_ASSERT_STAT(tcp_conn_passive, 1);
	TT_ASSERT_STAT(tcp_rx_bytes, 100);
	tt_advance(dpt_ms(39));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1101, .wnd = 65535);
	tt_pattern(want, 1001, sizeof(want));
	cr_assert_eq(dpt_tcp_read(tt.conn, got, sizeof(got)), 100);
	cr_assert_arr_eq(got, want, 100);
}

/* ---- the accept queue (on_accept = NULL) ------------------------------ */

TestSuite(tcp_accept_queue, .init = tt_setup, .fini = tt_teardown);

static struct dpt_tcp_listener *
listen_queue(uint32_t backlog)
{
	struct dpt_tcp_listener *l = dpt_tcp_listen(tt.tcp,
		&(struct dpt_tcp_listen_params){ .port = TT_PORT,
						 .backlog = backlog });

	cr_assert_not_null(l);
	return l;
}

static uint16_t
rport_of(const struct dpt_tcb *cb)
{
	struct dpt_tcp_info i;

	dpt_tcp_get_info(cb, &i);
	return i.rport;
}

Test(tcp_accept_queue, queued_connection_is_returned_by_accept)
{
	struct dpt_tcp_listener *l = listen_queue(1);

	half_open(TT_PEER_PORT);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1);
	TT_NONE();
	TT_ASSERT_STAT(tcp_conn_passive, 1);
	TT_ASSERT_STAT(tcp_state_established, 1);
	c = dpt_tcp_accept(l);
	cr_assert_not_null(c);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	cr_assert_eq(rport_of(c), TT_PEER_PORT);
	cr_assert_null(dpt_tcp_accept(l));
	/* the application hears what happened before it took it */
	dpt_tcp_set_handler(c, tt_handler, NULL);
	tt_poll();
	cr_assert_eq(tt.events, DPT_TCP_EV_WRITABLE);
	TT_NONE();
}

Test(tcp_accept_queue, full_queue_drops_the_completing_ack)
{
	struct dpt_tcp_listener *l = listen_queue(1);
	uint32_t iss1, iss2;

	half_open(TT_PEER_PORT);
	iss1 = iss;
	half_open(P2);
	iss2 = iss;
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss1 + 1);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss2 + 1, .sport = P2);
	/* backlog 1 is taken: the ACK is dropped, no RST; the connection
	 * stays SYN-RECEIVED for a later ACK (as Linux). */
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_accept_full, 1);
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
	TT_ASSERT_STAT(tcp_state_established, 1);
	TT_ASSERT_STAT(tcp_conn_passive, 1);
	c = dpt_tcp_accept(l);
	cr_assert_not_null(c);
	cr_assert_eq(rport_of(c), TT_PEER_PORT);
	cr_assert_null(dpt_tcp_accept(l));
	/* room again: the peer's next ACK completes the second */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss2 + 1, .sport = P2);
	TT_NONE();
	c = dpt_tcp_accept(l);
	cr_assert_not_null(c);
	cr_assert_eq(rport_of(c), P2);
	TT_ASSERT_STAT(tcp_conn_passive, 2);
	TT_ASSERT_STAT(tcp_state_syn_received, 0);
	TT_ASSERT_STAT(tcp_state_established, 2);
}

Test(tcp_accept_queue, syn_is_dropped_while_the_queue_is_full)
{
	listen_queue(1);
	half_open(TT_PEER_PORT);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1);
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_accept_full, 1);
	TT_ASSERT_STAT(tcp_state_syn_received, 0);
	TT_ASSERT_STAT(tcp_tcbs, 1);
}

/* ---- SYN cookies ------------------------------------------------------ */

static void
edit_backlog_1(struct dpt_tcp_conf *cf)
{
	cf->syn_backlog = 1;
}


/* The cookie (our ISS) for a SYN with ISN 1000 from @p rport now; @p mss
 * in: what the SYN asked, out: what the cookie table gives. */
static uint32_t
cookie_for(uint16_t rport, uint16_t *mss)
{
	struct tcp_key k = passive_key(rport);
	uint32_t ts_off;

	return cookie_make(tt.tcp, &k, 1000, mss, &ts_off, tt.now);
}

/* Our TSval in a cookie SYN-ACK to a SYN with ISN 1000 and @p mss: the TS
 * clock with the cookie's offset, @p bits (peer's wscale, 0x10 for
 * SACK-permitted) as its low 6 bits, never ahead of the clock. */
static uint32_t
cookie_tsval(uint16_t rport, uint16_t mss, uint32_t bits)
{
	struct tcp_key k = passive_key(rport);
	uint32_t ts_off, ts;

	cookie_make(tt.tcp, &k, 1000, &mss, &ts_off, tt.now);
	ts = (uint32_t)(tt.now / 1000) + ts_off;

	if ((ts & 0x3f) < bits)
		ts -= 0x40;
	return (ts & ~0x3fu) | bits;
}

TT_SUITE_WITH(tcp_syncookies, edit_backlog_1);

/* A cookie SYN-ACK to a SYN (ISN 1000, MSS 1460) from @p rport; returns
 * the cookie. */
static uint32_t
cookie_synack(uint16_t rport)
{
	uint16_t mss = 1460;
	uint32_t ck = cookie_for(rport, &mss);

	TT_IN(.flags = SYN, .seq = 1000, .sport = rport, .opt = opts_mss(1460));
	TT_OUT(.flags = SYN | ACK, .seq = ck, .ack = 1001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1460 });
	return ck;
}

Test(tcp_syncookies, syn_past_the_backlog_gets_a_cookie)
{
	uint16_t mss = 1460;
	uint32_t ck;

	tt_listen();
	half_open(TT_PEER_PORT); /* fills syn_backlog = 1 */
	ck = cookie_for(P2, &mss);
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2, .opt = tt_syn_opts(4242));
	/* No state: ISS = cookie, MSS from the table (1460 is in it), TS
	 * with wscale 7 | SACK-permitted 0x10 in its low bits, our shift. */
	TT_OUT(.flags = SYN | ACK, .seq = ck, .ack = 1001, .wnd = 65535,
	       .opt = { .present = ALL_OPTS, .mss = 1460, .wscale = 3,
			.tsval = cookie_tsval(P2, 1460, 0x17), .tsecr = 4242 },
	       .tsval_set = 1);
	TT_NONE();
	cr_assert_eq(mss, 1460);
	TT_ASSERT_STAT(tcp_syncookies_sent, 1);
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
	TT_ASSERT_STAT(tcp_tcbs, 1);
}

/* The port's TX ring refuses frames, one of them waiting (@on), or takes
 * them again and the waiting one goes (!@on). */
static void
tx_ring_full(int on)
{
	static const uint8_t junk[64];

	if (on) {
		tt.i.sink.refuse = tt.i.sink.n;
		dpt_tx_push(&tt.i.tx, th_mbuf(junk, sizeof(junk), 0));
	} else {
		tt.i.sink.refuse = 0;
	}
	dpt_tx_flush(&tt.i.tx);
	cr_assert_eq(dpt_tx_backlogged(&tt.i.tx), on);
}

/* While the port's TX ring refuses frames, a SYN past the backlog is not
 * answered (its cookie not even computed) and a stray ACK gets no RST:
 * connections' segments waiting for the ring go first (README "Floods").
 * Once the ring takes frames again, the SYN's retransmission gets its
 * cookie. */
Test(tcp_syncookies, no_answer_to_strangers_while_tx_ring_is_full)
{
	tt_listen();
	half_open(TT_PEER_PORT);
	tt_skip_all();
	tx_ring_full(1); /* a frame the ring refuses, still waiting */
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2, .opt = opts_mss(1460));
	TT_IN(.flags = ACK, .seq = 5000, .ack = 77, .sport = P2 + 1);
	TT_ASSERT_STAT(tcp_answer_tx_busy, 2);
	TT_ASSERT_STAT(tcp_syncookies_sent, 0);
	/* the ring takes frames again: the junk goes, then the SYN's
	 * retransmission is answered */
	tx_ring_full(0);
	tt_skip_all();
	cookie_synack(P2);
	TT_ASSERT_STAT(tcp_syncookies_sent, 1);
}

/* While the loop's RX queue has a backlog, a stray ACK to a listener is
 * still checked as a cookie (and counted) but gets no RST: under a flood
 * of them the answers would cost more than the frames' interval. Once
 * the backlog is gone, the same ACK is answered (RFC 9293 3.10.7.2). */
Test(tcp_syncookies, stray_ack_gets_no_rst_while_rx_has_a_backlog)
{
	tt_listen();
	dpt_tcp_set_rx_behind(tt.tcp, 1);
	TT_IN(.flags = ACK, .seq = 5000, .ack = 77, .sport = P2);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_cookie, 1);
	TT_ASSERT_STAT(tcp_answer_rx_busy, 1);
	dpt_tcp_set_rx_behind(tt.tcp, 0);
	TT_IN(.flags = ACK, .seq = 5000, .ack = 77, .sport = P2);
	TT_OUT(.flags = RST, .seq = 77, .ack = 0, .wnd = 0);
	TT_ASSERT_STAT(tcp_drop_cookie, 2);
}

/* A listener past its backlog, a SYN from P2 (ISN 1000, Linux's options,
 * TSval 4242) answered by a cookie, and the third segment (window 100,
 * TSval 4243) with it: the cookie in @p ck, our TSval in @p tsv. */
static void
cookie_handshake(uint32_t *ck, uint32_t *tsv)
{
	uint16_t mss = 1460;

	tt_listen();
	half_open(TT_PEER_PORT);
	*ck = cookie_for(P2, &mss);
	*tsv = cookie_tsval(P2, 1460, 0x17);
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2, .opt = tt_syn_opts(4242));
	tt_skip_all();
	TT_IN(.flags = ACK, .seq = 1001, .ack = *ck + 1, .sport = P2,
	      .wnd = 100, .opt = tt_ts(4243, *tsv));
}

Test(tcp_syncookies, ack_with_the_cookie_establishes_with_decoded_options)
{
	uint32_t ck, tsv;
	struct dpt_tcp_info i;

	cookie_handshake(&ck, &tsv);
	c = tt.conn;
	cr_assert_not_null(c, "the cookie was not accepted");
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	TT_ASSERT_STAT(tcp_syncookies_ok, 1);
	TT_ASSERT_STAT(tcp_conn_passive, 1);
	/* MSS 1460 from the cookie less TS; the peer's shift 7 */
	dpt_tcp_get_info(c, &i);
	cr_assert_eq(i.rport, P2);
	cr_assert_eq(i.mss, 1448);
	cr_assert_eq(i.snd_wnd, 100u << 7);
	TT_NONE(); /* the third segment is not answered */
	/* SACK-permitted survived too: a block for out-of-order data. Our
	 * window is scaled by 3: (256 KiB - 100 held) >> 3 = 32755. */
	TT_IN(.flags = ACK, .seq = 1101, .ack = ck + 1, .sport = P2, .len = 100,
	      .opt = tt_ts(4244, tsv));
	TT_OUT(.flags = ACK, .seq = ck + 1, .ack = 1001, .wnd = 32755,
	       .opt = { .present = TS_ONLY | DPT_TCPOPT_SACK, .tsecr = 4243,
			.n_sack = 1, .sack = { { 1101, 1201 } } });
	TT_NONE();
}

/* RFC 7323 4.3: TS.Recent is updated from a segment at or before
 * Last.ACK.sent. A connection made from a cookie sent its SYN-ACK with
 * no control block, so Last.ACK.sent is that SYN-ACK's ACK (the peer's
 * ISN + 1): the first data segment's TSval is echoed, not the third
 * segment's. */
Test(tcp_syncookies, first_data_after_the_cookie_updates_ts_recent)
{
	uint32_t ck, tsv;

	cookie_handshake(&ck, &tsv);
	cr_assert_not_null(tt.conn, "the cookie was not accepted");
	TT_NONE();
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = ck + 1, .sport = P2,
	      .len = 100, .opt = tt_ts(4250, tsv));
	tt_advance(dpt_ms(200)); /* the delayed ACK */
	TT_OUT(.flags = ACK, .seq = ck + 1, .ack = 1101, .wnd = 32755,
	       .opt = { .present = TS_ONLY, .tsecr = 4250 });
	TT_NONE();
}

Test(tcp_syncookies, ack_with_a_wrong_cookie_gets_rst)
{
	uint16_t mss = 536; /* no MSS option */
	uint32_t ck;

	tt_listen();
	half_open(TT_PEER_PORT);
	ck = cookie_for(P2, &mss);
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2);
	TT_OUT(.flags = SYN | ACK, .seq = ck, .ack = 1001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 536 });
	/* RFC 9293 3.10.7.2 second: an ACK to LISTEN: <SEQ=SEG.ACK>
	 * <CTL=RST>. The cookie is wrong (a bit of its MAC), or bound to
	 * another ISN. */
	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1 + 0x100, .sport = P2);
	TT_OUT(.flags = RST, .seq = ck + 1 + 0x100, .ack = 0, .wnd = 0);
	TT_IN(.flags = ACK, .seq = 1001 + 0x100, .ack = ck + 1, .sport = P2);
	TT_OUT(.flags = RST, .seq = ck + 1, .ack = 0, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_cookie, 2);
	TT_ASSERT_STAT(tcp_cookie_unchecked, 0); /* a cookie is live: MACs */
	TT_ASSERT_STAT(tcp_rst_sent, 2);
	TT_ASSERT_STAT(tcp_syncookies_ok, 0);
	TT_ASSERT_STAT(tcp_tcbs, 1);
}

/* No cookie was ever sent: an ACK to a listener cannot be a cookie's, so
 * it is refused (RFC 9293 3.10.7.2 second: <SEQ=SEG.ACK><CTL=RST>)
 * without a MAC computed, as Linux's tcp_synq_no_recent_overflow()
 * skips its cookie check. A stray-ACK flood then costs no SipHash. */
Test(tcp_syncookies, stray_ack_is_refused_without_a_mac_when_no_cookie_is_live)
{
	tt_listen();
	half_open(TT_PEER_PORT);
	tt_skip_all();
	TT_IN(.flags = ACK, .seq = 1001, .ack = 0x12345679, .sport = P2);
	TT_OUT(.flags = RST, .seq = 0x12345679, .ack = 0, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_cookie, 1);
	TT_ASSERT_STAT(tcp_cookie_unchecked, 1);
	TT_ASSERT_STAT(tcp_tcbs, 1);
}

/* The last cookie went out 192 s ago: from then no cookie can be valid
 * (made in one 64 s count, accepted in the two after), and the check
 * stops; one second before, it still runs and accepts. */
Test(tcp_syncookies, cookie_check_stops_192s_after_the_last_cookie)
{
	uint32_t ck;

	tt_listen();
	half_open(TT_PEER_PORT);
	tt_advance(dpt_s(64) - tt.now % dpt_s(64)); /* a count starts */
	tt_skip_all();
	ck = cookie_synack(P2);
	tt_advance(dpt_s(192) - 1);
	tt_skip_all();
	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1, .sport = P2);
	TT_NONE();
	TT_ASSERT_STAT(tcp_syncookies_ok, 1);
	TT_ASSERT_STAT(tcp_cookie_unchecked, 0);
	tt_advance(1);
	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1, .sport = P2 + 1);
	TT_OUT(.flags = RST, .seq = ck + 1, .ack = 0, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_cookie_unchecked, 1);
}

Test(tcp_syncookies, cookie_with_another_mss_index_is_refused)
{
	uint32_t ck;

	tt_listen();
	half_open(TT_PEER_PORT);
	ck = cookie_synack(P2);
	/* The MSS index (low 3 bits) is under the MAC: asking for 8960
	 * (index 5) instead of 1460 (index 3) by editing them fails. */
	TT_IN(.flags = ACK, .seq = 1001, .ack = (ck ^ 3u ^ 5u) + 1, .sport = P2);
	TT_OUT(.flags = RST, .seq = (ck ^ 3u ^ 5u) + 1, .ack = 0, .wnd = 0);
	/* so is the count (bits 4..3): a cookie cannot be made younger */
	TT_IN(.flags = ACK, .seq = 1001, .ack = (ck ^ 0x8u) + 1, .sport = P2);
	TT_OUT(.flags = RST, .seq = (ck ^ 0x8u) + 1, .ack = 0, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_cookie, 2);
	/* the cookie itself still works */
	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1, .sport = P2);
	TT_NONE();
	TT_ASSERT_STAT(tcp_syncookies_ok, 1);
}

Test(tcp_syncookies, cookie_is_valid_for_two_more_counts_of_64s)
{
	uint32_t ck;

	tt_listen();
	half_open(TT_PEER_PORT);
	/* made at the start of a 64 s count: valid through the next two,
	 * i.e. until 192 s later (RFC 4987 3.6: a coarse timer) */
	tt_advance(dpt_s(64) - tt.now % dpt_s(64));
	tt_skip_all();
	ck = cookie_synack(P2);
	tt_advance(dpt_s(192) - 1);
	tt_skip_all(); /* the first half-open connection's SYN-ACKs */
	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1, .sport = P2);
	TT_NONE();
	TT_ASSERT_STAT(tcp_syncookies_ok, 1);
}

Test(tcp_syncookies, siphash13_matches_the_reference)
{
	/* SipHash-1-3, key 00..0f, message 00..17 (24 bytes, three
	 * little-endian words): computed with a Python transcription of the
	 * reference that gives SipHash-2-4's published vector and Python
	 * 3.11's own siphash13 (its hash() with PYTHONHASHSEED=0, a zero
	 * key). */
	uint64_t key[2], w[3];
	uint8_t k[16], m[24];

	for (int i = 0; i < 16; i++)
		k[i] = (uint8_t)i;
	for (int i = 0; i < 24; i++)
		m[i] = (uint8_t)i;
	memcpy(key, k, sizeof(key));
	memcpy(w, m, sizeof(w));
	cr_assert_eq(tcp_siphash13(key, w, 3), 0xf464aeb267349c8cULL);
	cr_assert_eq(tcp_siphash13(key, w, 2), 0xcc4fdd1a7d908b66ULL);
}

Test(tcp_syncookies, cookie_older_than_its_validity_is_refused)
{
	uint32_t ck;

	tt_listen();
	half_open(TT_PEER_PORT);
	ck = cookie_synack(P2);
	/* valid for 2 counts of 64 s: four minutes later it is not */
	tt_advance(dpt_s(240));
	tt_skip_all(); /* the first half-open connection gave up */
	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1, .sport = P2);
	TT_OUT(.flags = RST, .seq = ck + 1, .ack = 0, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_cookie, 1);
	TT_ASSERT_STAT(tcp_syncookies_ok, 0);
	TT_ASSERT_STAT(tcp_tcbs, 0);
}

Test(tcp_syncookies, cookie_without_timestamps_keeps_only_the_mss)
{
	static uint8_t d[3000];
	struct dpt_tcp_opts o = { .present = DPT_TCPOPT_MSS | DPT_TCPOPT_WS |
				  DPT_TCPOPT_SACK_OK,
				  .mss = 1400, .wscale = 7 };
	uint16_t mss = 1400;
	uint32_t ck;

	tt_listen();
	half_open(TT_PEER_PORT);
	ck = cookie_for(P2, &mss);
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2, .opt = o);
	/* Without TS there is nowhere to keep WS and SACK-permitted: only
	 * the MSS, rounded down to the table (1400 -> 1220). */
	TT_OUT(.flags = SYN | ACK, .seq = ck, .ack = 1001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1220 });
	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1, .sport = P2);
	c = tt.conn;
	cr_assert_not_null(c);
	TT_NONE(); /* unscaled: no window to update */
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = ck + 1, .ack = 1001, .wnd = 65535,
	       .len = 1220);
	TT_OUT(.flags = ACK, .seq = ck + 1221, .ack = 1001, .wnd = 65535,
	       .len = 1220);
	TT_OUT(.flags = ACK | PSH, .seq = ck + 2441, .ack = 1001, .wnd = 65535,
	       .len = 560);
	TT_NONE();
	TT_ASSERT_STAT(tcp_syncookies_ok, 1);
}

static void
edit_synack_rate(struct dpt_tcp_conf *cf)
{
	cf->syn_backlog = 1;
	cf->synack_rate = 20; /* a bucket of 2 */
}

TT_SUITE_WITH(tcp_synack_rate, edit_synack_rate);

Test(tcp_synack_rate, cookie_synacks_past_the_rate_are_not_sent)
{
	tt_listen();
	half_open(TT_PEER_PORT);
	/* 20 a second, a tenth of a second deep: 2 at once, then one per
	 * 50 ms */
	cookie_synack(P2);
	cookie_synack(P2 + 1);
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2 + 2,
	      .opt = opts_mss(1460));
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_synack_rate, 1);
	tt_advance(dpt_ms(49));
	tt_skip_all();
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2 + 2,
	      .opt = opts_mss(1460));
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_synack_rate, 2);
	tt_advance(dpt_ms(1));
	tt_skip_all();
	cookie_synack(P2 + 2);
	TT_NONE();
	TT_ASSERT_STAT(tcp_syncookies_sent, 3);
	TT_ASSERT_STAT(tcp_drop_synack_rate, 2);
}

Test(tcp_synack_rate, a_synack_not_sent_for_a_full_tx_ring_takes_no_token)
{
	tt_listen();
	half_open(TT_PEER_PORT);
	tt_skip_all();
	/* the ring refuses frames: two SYNs past the backlog go unanswered,
	 * and the bucket's two tokens stay */
	tx_ring_full(1);
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2, .opt = opts_mss(1460));
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2 + 1,
	      .opt = opts_mss(1460));
	TT_ASSERT_STAT(tcp_answer_tx_busy, 2);
	tx_ring_full(0);
	tt_skip_all();
	/* at the same instant, both retransmissions get their cookies */
	cookie_synack(P2);
	cookie_synack(P2 + 1);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_synack_rate, 0);
	TT_ASSERT_STAT(tcp_syncookies_sent, 2);
}

static void
edit_no_cookies(struct dpt_tcp_conf *cf)
{
	cf->syn_backlog = 1;
	cf->syncookies = 0;
}

TT_SUITE_WITH(tcp_syncookies_off, edit_no_cookies);

Test(tcp_syncookies_off, syn_past_the_backlog_is_dropped)
{
	tt_listen();
	half_open(TT_PEER_PORT);
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_syn_backlog, 1);
	TT_ASSERT_STAT(tcp_syncookies_sent, 0);
	TT_ASSERT_STAT(tcp_tcbs, 1);
	/* nor is an ACK to the listener taken for a cookie */
	TT_IN(.flags = ACK, .seq = 1001, .ack = 12345, .sport = P2);
	TT_OUT(.flags = RST, .seq = 12345, .ack = 0, .wnd = 0);
	TT_ASSERT_STAT(tcp_drop_cookie, 1);
}

/* ---- TIME-WAIT reuse (RFC 6191) --------------------------------------- */

TestSuite(tcp_timewait_reuse, .init = tt_setup, .fini = tt_teardown);

/* TS on, MSS 1460; the peer's TSvals run 100 (SYN) .. 103 (FIN). */
static const struct dpt_tcp_opts ts_syn = {
	.present = DPT_TCPOPT_MSS | DPT_TCPOPT_TS, .mss = 1460, .tsval = 100,
};

/* A passive connection we close first, to TIME-WAIT: our FIN, the peer's
 * ACK of it, the peer's FIN, our ACK. */
static void
to_time_wait(const struct dpt_tcp_opts *o)
{
	int ts = !!(o->present & DPT_TCPOPT_TS);
	uint32_t ours;

	c = tt_accept(o, &iss);
	tt_skip_all();
	ours = tt_our_ts(c);
	dpt_tcp_close(c, tt.now);
	tt_poll();
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .opt = { .present = ts ? TS_ONLY : 0, .tsecr = 101 });
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 2,
	      .opt = ts ? tt_ts(102, ours) : TT_OPTS_NONE);
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 2,
	      .opt = ts ? tt_ts(103, ours) : TT_OPTS_NONE);
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535,
	       .opt = { .present = ts ? TS_ONLY : 0, .tsecr = 103 });
	TT_NONE();
	TT_ASSERT_STAT(tcp_state_time_wait, 1);
	tt_advance(dpt_s(1));
	TT_NONE();
}

/* The answer of a TIME-WAIT that stays: <SEQ=SND.NXT><ACK=RCV.NXT>. */
#define TW_ACK(ts)                                                         \
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535,    \
	       .opt = { .present = (ts) ? TS_ONLY : 0, .tsecr = 103 })

Test(tcp_timewait_reuse, syn_with_a_newer_timestamp_starts_a_new_connection)
{
	struct dpt_tcp_opts o = ts_syn;
	uint32_t niss;

	to_time_wait(&ts_syn);
	niss = passive_iss(TT_PEER_PORT);
	o.tsval = 104;
	/* RFC 6191 2: TSval above the last one seen proves the SYN new,
	 * whatever its sequence number (here below RCV.NXT). */
	TT_IN(.flags = SYN, .seq = 500, .opt = o);
	TT_OUT(.flags = SYN | ACK, .seq = niss, .ack = 501, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS | TS_ONLY, .mss = 1460,
			.tsecr = 104 });
	TT_NONE();
	TT_ASSERT_STAT(tcp_timewait_reused, 1);
	TT_ASSERT_STAT(tcp_state_time_wait, 0);
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
	TT_ASSERT_STAT(tcp_tcbs, 1);
}

Test(tcp_timewait_reuse, syn_with_an_older_timestamp_gets_an_ack)
{
	struct dpt_tcp_opts o = ts_syn;

	to_time_wait(&ts_syn);
	o.tsval = 50;
	/* RFC 6191 2: not provably new: TIME-WAIT stays; PAWS (RFC 7323
	 * 5.3) answers with an ACK, as Linux does. */
	TT_IN(.flags = SYN, .seq = 5000, .opt = o);
	TW_ACK(1);
	TT_NONE();
	TT_ASSERT_STAT(tcp_timewait_reused, 0);
	TT_ASSERT_STAT(tcp_drop_paws, 1);
	TT_ASSERT_STAT(tcp_state_time_wait, 1);
}

Test(tcp_timewait_reuse, syn_with_the_same_timestamp_and_seq_gets_an_ack)
{
	struct dpt_tcp_opts o = ts_syn;

	to_time_wait(&ts_syn);
	o.tsval = 103;
	/* RFC 6191 2: the same TSval and a sequence number not above
	 * RCV.NXT: not new. A SYN in TIME-WAIT: challenge ACK (RFC 5961
	 * 4.2, RFC 9293 3.10.7.4 fourth). */
	TT_IN(.flags = SYN, .seq = 1002, .opt = o);
	TW_ACK(1);
	TT_NONE();
	TT_ASSERT_STAT(tcp_timewait_reused, 0);
	TT_ASSERT_STAT(tcp_challenge_acks, 1);
	TT_ASSERT_STAT(tcp_drop_syn, 1);
	TT_ASSERT_STAT(tcp_state_time_wait, 1);
}

Test(tcp_timewait_reuse, syn_with_the_same_timestamp_and_a_higher_seq_is_new)
{
	struct dpt_tcp_opts o = ts_syn;
	uint32_t niss;

	to_time_wait(&ts_syn);
	niss = passive_iss(TT_PEER_PORT);
	o.tsval = 103;
	/* RFC 6191 2, second rule: TSval equal to the last seen and the
	 * sequence number above it: honour the SYN (Linux too:
	 * tcp_timewait_state_process()). */
	TT_IN(.flags = SYN, .seq = 5000, .opt = o);
	TT_OUT(.flags = SYN | ACK, .seq = niss, .ack = 5001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS | TS_ONLY, .mss = 1460,
			.tsecr = 103 });
	TT_NONE();
	TT_ASSERT_STAT(tcp_timewait_reused, 1);
	TT_ASSERT_STAT(tcp_state_time_wait, 0);
}

Test(tcp_timewait_reuse, without_timestamps_a_higher_seq_starts_a_new_one)
{
	uint32_t niss;

	to_time_wait(&TT_OPTS_NONE);
	niss = passive_iss(TT_PEER_PORT);
	/* RFC 6191 2, third rule: no TS: SEG.SEQ above RCV.NXT (1002) */
	TT_IN(.flags = SYN, .seq = 5000);
	TT_OUT(.flags = SYN | ACK, .seq = niss, .ack = 5001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1460 });
	TT_NONE();
	TT_ASSERT_STAT(tcp_timewait_reused, 1);
	TT_ASSERT_STAT(tcp_state_time_wait, 0);
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
}

Test(tcp_timewait_reuse, without_timestamps_rcv_nxt_itself_is_not_higher)
{
	to_time_wait(&TT_OPTS_NONE);
	/* RFC 6191 2: SEG.SEQ = RCV.NXT is not above it: challenge ACK */
	TT_IN(.flags = SYN, .seq = 1002);
	TW_ACK(0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_timewait_reused, 0);
	TT_ASSERT_STAT(tcp_challenge_acks, 1);
	TT_ASSERT_STAT(tcp_state_time_wait, 1);
}


/* ---- active opens on one of several lcores ----------------------------- */

TestSuite(tcp_connect_port, .init = tt_setup, .fini = tt_teardown);

/* An lcore owning the ports that are multiples of 3 (the engine's filter
 * asks the steering table whose the reply would be). */
static int
port_mult3(void *arg, uint32_t raddr, uint16_t rport, uint32_t laddr,
	   uint16_t lport)
{
	int *calls = arg;

	(*calls)++;
	cr_assert_eq(raddr, TH_PEER_IP);
	cr_assert_eq(rport, A_RPORT);
	cr_assert_eq(laddr, TH_US_IP);
	return lport % 3 == 0;
}

Test(tcp_connect_port, ephemeral_port_is_one_whose_reply_comes_here)
{
	struct dpt_tcp_seg s;
	int calls = 0;

	tt.tcp->port_ok = port_mult3;
	tt.tcp->port_ok_arg = &calls;
	for (int i = 0; i < 3; i++) {
		c = dpt_tcp_connect(tt.tcp, TH_PEER_IP, A_RPORT, 0,
				    rec_handler, NULL, tt.now);
		cr_assert_not_null(c);
		cr_assert_eq(c->key.lport % 3, 0);
		tt_next(&s, NULL, 0);
		cr_assert_eq(s.flags, SYN);
		cr_assert_eq(s.sport, c->key.lport);
	}
	/* at most three tries each: the search is sequential */
	cr_assert_leq(calls, 9);
}

Test(tcp_connect_port, explicit_port_whose_reply_goes_elsewhere_is_exdev)
{
	int calls = 0;

	tt.tcp->port_ok = port_mult3;
	tt.tcp->port_ok_arg = &calls;
	cr_assert_null(dpt_tcp_connect(tt.tcp, TH_PEER_IP, A_RPORT, 50000,
				       rec_handler, NULL, tt.now));
	cr_assert_eq(rte_errno, EXDEV);
	TT_NONE();
	cr_assert_not_null(dpt_tcp_connect(tt.tcp, TH_PEER_IP, A_RPORT, 50001,
					   rec_handler, NULL, tt.now));
}

/* ---- no control block to be had (max_conns) -------------------------- */

#define MAXC 16 /* the smallest max_conns */

static void
edit_max_conns(struct dpt_tcp_conf *cf)
{
	cf->max_conns = MAXC;
	cf->syn_backlog = 4;
}

TT_SUITE_WITH(tcp_max_conns, edit_max_conns);

/* A connection from @p rport made through a SYN cookie (the backlog is
 * full by then): SYN, cookie SYN-ACK, ACK. */
static void
cookie_connect(uint16_t rport)
{
	uint32_t ck = cookie_synack(rport);

	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1, .sport = rport);
	TT_NONE();
}

/* Take every control block: 4 half-open (the backlog), 12 through
 * cookies. */
static void
fill_table(void)
{
	for (uint16_t i = 0; i < 4; i++)
		half_open((uint16_t)(P2 + 100 + i));
	for (uint16_t i = 0; i < MAXC - 4; i++)
		cookie_connect((uint16_t)(P2 + 200 + i));
	TT_ASSERT_STAT(tcp_tcbs, MAXC);
}

Test(tcp_max_conns, syn_with_no_control_block_free_gets_rst_ack)
{
	tt_listen();
	fill_table();
	/* No SYN-ACK, no cookie: a RST as from a closed port (RFC 9293
	 * 3.10.7.1), which the peer reports as refused at once. */
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2, .opt = tt_syn_opts(7));
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1001, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_no_tcb, 1);
	TT_ASSERT_STAT(tcp_syncookies_sent, MAXC - 4);
	TT_ASSERT_STAT(tcp_rst_sent, 1);
}

Test(tcp_max_conns, a_fresh_syn_is_answered_once_a_block_frees)
{
	tt_listen();
	fill_table();
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2);
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1001, .wnd = 0);
	/* a half-open connection is reset by its peer: back to LISTEN
	 * (RFC 9293 3.10.7.4 second), its block free at the end of the poll */
	TT_IN(.flags = RST, .seq = 1001, .sport = P2 + 100);
	TT_ASSERT_STAT(tcp_tcbs, MAXC - 1);
	half_open(P2);
	TT_NONE();
	TT_ASSERT_STAT(tcp_tcbs, MAXC);
	TT_ASSERT_STAT(tcp_drop_no_tcb, 1);
}

Test(tcp_max_conns, cookie_ack_with_no_control_block_free_gets_rst)
{
	uint32_t ck;

	tt_listen();
	for (uint16_t i = 0; i < 4; i++)
		half_open((uint16_t)(P2 + 100 + i));
	/* the cookie is given while blocks are free ... */
	ck = cookie_synack(P2);
	for (uint16_t i = 0; i < MAXC - 4; i++)
		cookie_connect((uint16_t)(P2 + 200 + i));
	/* ... and comes back when none is: not silence but RST
	 * <SEQ=SEG.ACK><CTL=RST> (RFC 9293 3.10.7.2 second) */
	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1, .sport = P2);
	TT_OUT(.flags = RST, .seq = ck + 1, .ack = 0, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_no_tcb, 1);
	TT_ASSERT_STAT(tcp_syncookies_ok, MAXC - 4);
	TT_ASSERT_STAT(tcp_tcbs, MAXC);
}

/* ---- options set before the SYN (dpt_tcp_open(), listeners) ------------ */

TestSuite(tcp_opts_before_syn, .init = tt_setup, .fini = tt_teardown);

/* Active OPEN from A_LPORT with options @p o (@p n of them); iss set. */
static void
open_with(const struct dpt_tcp_optval *o, uint32_t n)
{
	struct tcp_key k = { .raddr = TH_PEER_IP, .laddr = TH_US_IP,
			     .rport = A_RPORT, .lport = A_LPORT };

	iss = tcp_isn(tt.tcp, &k, tt.now);
	c = dpt_tcp_open(tt.tcp, &(struct dpt_tcp_open_params){
		.raddr = TH_PEER_IP, .rport = A_RPORT, .lport = A_LPORT,
		.handler = rec_handler, .opts = o, .n_opts = n }, tt.now);
	cr_assert_not_null(c);
	tt.conn = c;
}

/* Our SYN with the [tcp] defaults but window @p wnd and shift @p ws. */
#define TT_OUR_SYN_WND(w_, s_)                                             \
	TT_OUT(.flags = SYN, .seq = iss, .ack = 0, .wnd = (w_),            \
	       .opt = { .present = ALL_OPTS, .mss = 1460, .wscale = (s_),  \
			.tsval = tt_our_ts(c), .tsecr = 0 }, .tsval_set = 1)

/* An active open with SO_RCVBUF @p rcvbuf set before the SYN: the SYN
 * offers window @p wnd and shift @p ws; the ACK of the peer's SYN-ACK
 * (which offers scaling too) advertises @p ack_wnd. */
static void
rcvbuf_before_connect(uint32_t rcvbuf, uint16_t wnd, uint8_t ws,
		      uint16_t ack_wnd)
{
	const struct dpt_tcp_optval o[] = { { DPT_TCP_RCVBUF, rcvbuf } };

	open_with(o, 1);
	TT_OUR_SYN_WND(wnd, ws);
	TT_NONE();
	A_IN(.flags = SYN | ACK, .seq = A_IRS, .ack = iss + 1,
	     .opt = tt_syn_opts(777));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = ack_wnd,
	       .opt = { .present = TS_ONLY, .tsval = tt_our_ts(c),
			.tsecr = 777 }, .tsval_set = 1);
	TT_NONE();
	cr_assert_eq(tt_info(c).rcv_wnd, rcvbuf);
}

Test(tcp_opts_before_syn, small_rcvbuf_before_connect_offers_its_window_unscaled)
{
	/* RFC 7323 2.3: the shift that makes the buffer fit 16 bits: 0 for
	 * 8 KiB (as Linux offers for SO_RCVBUF set before connect()); the
	 * SYN's window is the buffer (2.2: never scaled), and with scale 0
	 * both ways so is the ACK's */
	rcvbuf_before_connect(8192, 8192, 0, 8192);
}

Test(tcp_opts_before_syn, large_rcvbuf_before_connect_offers_a_larger_scale)
{
	/* 4 MiB >> 7 = 32768 fits 16 bits, >> 6 does not: shift 7 (the
	 * default 256 KiB offers 3); the SYN's window caps at 65535; the
	 * ACK's is the whole buffer scaled by 7: 4194304 >> 7 */
	rcvbuf_before_connect(4u << 20, 65535, 7, 32768);
}

Test(tcp_opts_before_syn, options_apply_in_order_the_last_of_one_wins)
{
	const struct dpt_tcp_optval o[] = { { DPT_TCP_RCVBUF, 4u << 20 },
					    { DPT_TCP_NODELAY, 1 },
					    { DPT_TCP_RCVBUF, 8192 } };

	open_with(o, RTE_DIM(o));
	TT_OUR_SYN_WND(8192, 0);
	TT_NONE();
}

Test(tcp_opts_before_syn, rcvbuf_after_the_syn_keeps_the_scale_offered)
{
	connect_only();
	TT_OUR_SYN(); /* shift 3 for the default 256 KiB */
	/* too late to offer another shift: the buffer is cut to what
	 * shift 3 can say, 65535 << 3 */
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_RCVBUF, 4u << 20, tt.now), 0);
	A_IN(.flags = SYN | ACK, .seq = A_IRS, .ack = iss + 1,
	     .opt = tt_syn_opts(777));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535,
	       .opt = { .present = TS_ONLY, .tsval = tt_our_ts(c),
			.tsecr = 777 }, .tsval_set = 1);
	TT_NONE();
	cr_assert_eq(tt_info(c).rcv_wnd, 65535u << 3);
}

Test(tcp_opts_before_syn, keepalive_set_before_connect_probes_once_established)
{
	const struct dpt_tcp_optval o[] = {
		{ DPT_TCP_KEEPIDLE, dpt_s(10) }, { DPT_TCP_KEEPINTVL, dpt_s(1) },
		{ DPT_TCP_KEEPCNT, 3 }, { DPT_TCP_KEEPALIVE, 1 } };

	open_with(o, RTE_DIM(o));
	tt_skip_all();
	A_IN(.flags = SYN | ACK, .seq = A_IRS, .ack = iss + 1,
	     .opt = opts_mss(1460));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = A_IRS + 1, .wnd = 65535);
	/* RFC 1122 4.2.3.6: idle 10 s, then <SEQ=SND.NXT-1><ACK=RCV.NXT> */
	tt_advance(dpt_s(10) - dpt_ms(1));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK, .seq = iss, .ack = A_IRS + 1, .wnd = 65535);
	TT_NONE();
	TT_ASSERT_STAT(tcp_keepalive_probes, 1);
}

Test(tcp_opts_before_syn, a_refused_option_refuses_the_open_and_sends_nothing)
{
	const struct dpt_tcp_optval o[] = { { DPT_TCP_RCVBUF, 8192 },
					    { DPT_TCP_KEEPCNT, 0 } };

	rte_errno = 0;
	cr_assert_null(dpt_tcp_open(tt.tcp, &(struct dpt_tcp_open_params){
		.raddr = TH_PEER_IP, .rport = A_RPORT, .lport = A_LPORT,
		.handler = rec_handler, .opts = o, .n_opts = RTE_DIM(o) },
		tt.now));
	cr_assert_eq(rte_errno, EINVAL);
	TT_NONE();
	TT_ASSERT_STAT(tcp_tcbs, 0);
	TT_ASSERT_STAT(tcp_state_syn_sent, 0);
}

/* A queue-mode listener on TT_PORT with options @p o. */
static struct dpt_tcp_listener *
listen_with(const struct dpt_tcp_optval *o, uint32_t n)
{
	struct dpt_tcp_listener *l = dpt_tcp_listen(tt.tcp,
		&(struct dpt_tcp_listen_params){ .port = TT_PORT, .opts = o,
						 .n_opts = n });

	cr_assert_not_null(l);
	return l;
}

/* A SYN (ISN 1000, a Linux peer's options with TSval @p tsval) from
 * @p rport gets a SYN-ACK offering window @p wnd and shift @p ws; iss
 * set. */
static void
synack_offers(uint16_t rport, uint32_t tsval, uint16_t wnd, uint8_t ws)
{
	iss = passive_iss(rport);
	TT_IN(.flags = SYN, .seq = 1000, .sport = rport,
	      .opt = tt_syn_opts(tsval));
	TT_OUT(.flags = SYN | ACK, .seq = iss, .ack = 1001, .wnd = wnd,
	       .opt = { .present = ALL_OPTS, .mss = 1460, .wscale = ws,
			.tsecr = tsval });
	TT_NONE();
}

Test(tcp_opts_before_syn, rcvbuf_of_a_listener_shapes_its_synacks)
{
	const struct dpt_tcp_optval o[] = { { DPT_TCP_RCVBUF, 8192 } };
	struct dpt_tcp_listener *l = listen_with(o, 1);

	/* the listener's buffer, as SO_RCVBUF set before listen() on
	 * Linux: window 8192, shift 0 */
	synack_offers(TT_PEER_PORT, 4242, 8192, 0);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1,
	      .opt = tt_ts(4243, 0));
	c = dpt_tcp_accept(l);
	cr_assert_not_null(c);
	dpt_tcp_set_handler(c, rec_handler, NULL);
	/* 100 bytes in, unread: 8192 - 100 left, unscaled */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100,
	      .opt = tt_ts(4244, 0));
	tt_advance(dpt_ms(200)); /* the delayed ACK */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1101, .wnd = 8092,
	       .opt = { .present = TS_ONLY, .tsecr = 4244 });
	TT_NONE();
}

Test(tcp_opts_before_syn, large_rcvbuf_of_a_listener_offers_a_larger_scale)
{
	const struct dpt_tcp_optval o[] = { { DPT_TCP_NODELAY, 1 },
					    { DPT_TCP_RCVBUF, 4u << 20 } };

	listen_with(o, RTE_DIM(o));
	synack_offers(TT_PEER_PORT, 4242, 65535, 7);
	/* a second connection takes them too: a second SYN-ACK alike */
	synack_offers(P2, 1, 65535, 7);
}

Test(tcp_opts_before_syn, a_listener_with_a_refused_option_is_not_made)
{
	const struct dpt_tcp_optval o[] = { { DPT_TCP_CONGESTION, 7 } };

	rte_errno = 0;
	cr_assert_null(dpt_tcp_listen(tt.tcp, &(struct dpt_tcp_listen_params){
		.port = TT_PORT, .opts = o, .n_opts = 1 }));
	cr_assert_eq(rte_errno, EINVAL);
	TT_ASSERT_STAT(tcp_listeners, 0);
	/* the port stays free */
	listen_with(NULL, 0);
}

TT_SUITE_WITH(tcp_opts_cookie, edit_backlog_1);

/* A SYN cookie's SYN-ACK is built before any connection exists, with the
 * [tcp] defaults (shift 3); the connection its ACK makes takes the
 * listener's options then, its buffer cut to what shift 3 can say. */
Test(tcp_opts_cookie, a_cookie_connection_takes_them_within_the_scale_offered)
{
	const struct dpt_tcp_optval o[] = { { DPT_TCP_RCVBUF, 4u << 20 } };
	uint16_t mss = 1460;
	uint32_t ck, tsv;
	struct dpt_tcp_listener *l = listen_with(o, 1);

	half_open(TT_PEER_PORT); /* fills syn_backlog = 1 */
	ck = cookie_for(P2, &mss);
	tsv = cookie_tsval(P2, 1460, 0x17);
	TT_IN(.flags = SYN, .seq = 1000, .sport = P2, .opt = tt_syn_opts(4242));
	TT_OUT(.flags = SYN | ACK, .seq = ck, .ack = 1001, .wnd = 65535,
	       .opt = { .present = ALL_OPTS, .mss = 1460, .wscale = 3,
			.tsval = tsv, .tsecr = 4242 }, .tsval_set = 1);
	TT_NONE();
	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1, .sport = P2,
	      .opt = tt_ts(4243, tsv));
	TT_ASSERT_STAT(tcp_syncookies_ok, 1);
	c = dpt_tcp_accept(l);
	cr_assert_not_null(c);
	dpt_tcp_set_handler(c, rec_handler, NULL);
	/* (65535 << 3) - 100 held, in units of 8: 65522 (256 KiB, the
	 * default, would say 32755) */
	TT_IN(.flags = ACK, .seq = 1001, .ack = ck + 1, .sport = P2, .len = 100,
	      .opt = tt_ts(4243, tsv));
	tt_advance(dpt_ms(200));
	TT_OUT(.flags = ACK, .seq = ck + 1, .ack = 1101, .wnd = 65522,
	       .opt = { .present = TS_ONLY, .tsecr = 4243 });
	TT_NONE();
}
