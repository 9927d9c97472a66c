/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_rfc5961.c: what a synchronized connection accepts, and how it
 * resists blind in-window attacks: RFC 5961 (RST 3, SYN 4, ACK 5, the
 * challenge ACK budget 7), RFC 9293 3.10.7.4's first check (the four
 * cases of sequence acceptability), PAWS and TS.Recent (RFC 7323 3.2,
 * 4.3, 5), sequence numbers across 2^32 (RFC 9293 3.4), and the segment
 * and option parser (RFC 9293 3.1, 3.2; RFC 7323 2.3).
 *
 * Unless a suite says otherwise the connection is the harness' plain
 * passive one: peer ISN 1000 (RCV.NXT 1001), our ISS in iss, no options,
 * so no scaling and a window of 65535 (the 256 KiB buffer, capped), and
 * MAX.SND.WND 65535 from the peer's handshake ACK.
 */
#include <string.h>

#include <rte_ip.h>

#include "tcp_harness.h"
#include "tcp_impl.h"

#define WND 65535u                 /* plain connections' advertised window */
#define DAY (24ULL * 3600 * 1000000)

static uint32_t iss;
static struct dpt_tcb *c;

static void
setup_plain(void)
{
	tt_setup();
	c = tt_accept(&TT_OPTS_NONE, &iss);
}

/* Passive open from port @p sport whose ISN is @p isn: SYN, our SYN-ACK,
 * the peer's ACK (echoing our TSval if @p o offers timestamps). Returns
 * the connection; *our_iss is our ISS. */
static struct dpt_tcb *
handshake(uint16_t sport, uint32_t isn, const struct dpt_tcp_opts *o,
	  uint32_t *our_iss)
{
	struct dpt_tcp_seg s;

	if (listener_find(tt.tcp, TT_PORT) == NULL)
		tt_listen();
	TT_IN(.flags = SYN, .seq = isn, .sport = sport, .opt = *o);
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN | ACK);
	cr_assert_eq(s.ack, isn + 1);
	cr_assert_eq(s.dport, sport);
	*our_iss = s.seq;
	TT_IN(.flags = ACK, .seq = isn + 1, .ack = s.seq + 1, .sport = sport,
	      .opt = (o->present & DPT_TCPOPT_TS) ?
		     tt_ts(o->tsval + 1, s.opt.tsval) : TT_OPTS_NONE);
	cr_assert_not_null(tt.conn);
	cr_assert_eq(dpt_tcp_state(tt.conn), DPT_TCP_ESTABLISHED);
	return tt.conn;
}

/* ==== RFC 5961: RST (3), SYN (4), ACK (5), the budget (7) ============== */

TestSuite(rfc5961, .init = setup_plain, .fini = tt_teardown);

Test(rfc5961, established_rst_exactly_at_rcv_nxt_resets)
{
	/* RFC 5961 3.2: RCV.NXT == SEG.SEQ: reset the connection */
	TT_IN(.flags = RST, .seq = 1001);
	TT_NONE();
	cr_assert(tt.events & DPT_TCP_EV_RESET);
	cr_assert(tt.events & DPT_TCP_EV_CLOSED);
	cr_assert_null(tt.conn);
	TT_ASSERT_STAT(tcp_rst_rcvd, 1);
	TT_ASSERT_STAT(tcp_conn_reset, 1);
	TT_ASSERT_STAT(tcp_challenge_acks, 0);
	TT_ASSERT_STAT(tcp_state_established, 0);
	cr_assert_eq(dpt_tcp_conns(tt.tcp), 0);
}

Test(rfc5961, established_rst_in_window_but_not_at_rcv_nxt_gets_challenge_ack)
{
	/* RFC 5961 3.2: in the window but not exact: <SEQ=SND.NXT>
	 * <ACK=RCV.NXT><CTL=ACK>, and the connection stays */
	TT_IN(.flags = RST, .seq = 1002);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	cr_assert_eq(tt.events & DPT_TCP_EV_RESET, 0);
	TT_ASSERT_STAT(tcp_challenge_acks, 1);
	TT_ASSERT_STAT(tcp_drop_rst, 1);
	TT_ASSERT_STAT(tcp_rst_rcvd, 0);
	/* the genuine peer answers the challenge with a RST at its ACK */
	TT_IN(.flags = RST, .seq = 1001);
	TT_NONE();
	cr_assert(tt.events & DPT_TCP_EV_RESET);
	TT_ASSERT_STAT(tcp_conn_reset, 1);
}

Test(rfc5961, established_rst_at_the_window_edges_challenged_inside_ignored_out)
{
	/* the last sequence number of the window, RCV.NXT + RCV.WND - 1,
	 * with ACK set too (the usual form of a spoofed reset) */
	TT_IN(.flags = RST | ACK, .seq = 1001 + WND - 1, .ack = iss + 1);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	/* RFC 5961 3.2 (and RFC 9293 3.10.7.4 first): outside the window a
	 * RST is discarded, never answered: at the right edge, just below
	 * RCV.NXT, and far away */
	TT_IN(.flags = RST, .seq = 1001 + WND);
	TT_IN(.flags = RST, .seq = 1000);
	TT_IN(.flags = RST | ACK, .seq = 1001 + 0x40000000u, .ack = iss + 1);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	TT_ASSERT_STAT(tcp_drop_rst, 4);
	TT_ASSERT_STAT(tcp_challenge_acks, 1);
	TT_ASSERT_STAT(tcp_rst_rcvd, 0);
}

Test(rfc5961, established_syn_in_window_gets_challenge_ack_not_reset)
{
	/* RFC 5961 4.2: a SYN gets a challenge ACK; RFC 793's "reset on a
	 * SYN in the window" is gone. A SYN-ACK at RCV.NXT too. */
	TT_IN(.flags = SYN, .seq = 1501, .opt = tt_syn_opts(7));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_IN(.flags = SYN | ACK, .seq = 1001, .ack = iss + 1);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	cr_assert_eq(tt.events & DPT_TCP_EV_RESET, 0);
	TT_ASSERT_STAT(tcp_drop_syn, 2);
	TT_ASSERT_STAT(tcp_challenge_acks, 2);
	TT_ASSERT_STAT(tcp_rst_sent, 0);
}

Test(rfc5961, established_syn_outside_window_gets_challenge_ack)
{
	/* RFC 5961 4.2: "irrespective of the sequence number": the peer's
	 * original SYN replayed (ISN 1000), and one beyond the window. The
	 * ACK is a challenge ACK, so it counts against the budget (7). */
	TT_IN(.flags = SYN, .seq = 1000);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_IN(.flags = SYN, .seq = 1001 + WND + 1000);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	TT_ASSERT_STAT(tcp_drop_syn, 2);
	TT_ASSERT_STAT(tcp_challenge_acks, 2);
}

Test(rfc5961, established_ack_of_unsent_data_gets_challenge_ack_and_is_dropped)
{
	uint8_t d[100] = { 0 };
	struct dpt_tcp_info info;

	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = WND,
	       .len = 100);
	/* RFC 5961 5.2: SEG.ACK > SND.NXT, here by one: the segment, its
	 * text too, is discarded and a challenge ACK sent */
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 102, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 101, .ack = 1001, .wnd = WND);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 0);
	dpt_tcp_get_info(c, &info);
	cr_assert_eq(info.snd_queued, 100);
	cr_assert_eq(info.bytes_acked, 0);
	TT_ASSERT_STAT(tcp_drop_ack, 1);
	TT_ASSERT_STAT(tcp_challenge_acks, 1);
	/* the right ACK still works */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 101);
	TT_NONE();
	dpt_tcp_get_info(c, &info);
	cr_assert_eq(info.snd_queued, 0);
	cr_assert_eq(info.bytes_acked, 100);
}

Test(rfc5961, established_ack_older_than_max_snd_wnd_gets_challenge_ack)
{
	/* RFC 5961 5.2: SEG.ACK < SND.UNA - MAX.SND.WND (65535 here) */
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1 - WND - 1,
	      .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 0);
	TT_ASSERT_STAT(tcp_drop_ack, 1);
	TT_ASSERT_STAT(tcp_challenge_acks, 1);
}

Test(rfc5961, established_old_ack_within_max_snd_wnd_is_not_challenged)
{
	/* RFC 5961 5.2: SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT is
	 * acceptable; a duplicate ACK is ignored (RFC 9293 3.10.7.4 fifth)
	 * and the segment's text is processed */
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1 - WND,
	      .len = 100);
	TT_NONE(); /* only the delayed ACK of the data */
	cr_assert_eq(dpt_tcp_readable(c), 100);
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss);
	TT_NONE();
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1101, .wnd = WND);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_ack, 0);
	TT_ASSERT_STAT(tcp_challenge_acks, 0);
}

Test(rfc5961, challenge_acks_stop_at_ten_a_second_and_resume_the_next)
{
	/* RFC 5961 7: at most `challenge_acks` (10) a second */
	for (uint32_t i = 0; i < 10; i++) {
		TT_IN(.flags = RST, .seq = 1002 + i);
		TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	}
	TT_IN(.flags = RST, .seq = 1100);
	TT_NONE();
	TT_ASSERT_STAT(tcp_challenge_acks, 10);
	TT_ASSERT_STAT(tcp_challenge_ack_limited, 1);
	tt_advance(dpt_ms(999));
	TT_IN(.flags = RST, .seq = 1100);
	TT_NONE(); /* still the same second */
	tt_advance(dpt_ms(1));
	TT_IN(.flags = RST, .seq = 1100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_NONE();
	TT_ASSERT_STAT(tcp_challenge_acks, 11);
	TT_ASSERT_STAT(tcp_challenge_ack_limited, 2);
	TT_ASSERT_STAT(tcp_drop_rst, 13);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
}

Test(rfc5961, challenge_ack_budget_is_shared_by_rst_syn_and_ack)
{
	/* RFC 5961 7: one budget for the challenge ACKs of 3, 4 and 5 */
	for (uint32_t i = 0; i < 4; i++)
		TT_IN(.flags = RST, .seq = 1002 + i);
	for (uint32_t i = 0; i < 3; i++)
		TT_IN(.flags = SYN, .seq = 2000 + i);
	for (uint32_t i = 0; i < 3; i++)
		TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 100 + i);
	for (int i = 0; i < 10; i++)
		TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_IN(.flags = SYN, .seq = 3000);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 200);
	TT_IN(.flags = RST, .seq = 1200);
	TT_NONE();
	TT_ASSERT_STAT(tcp_challenge_acks, 10);
	TT_ASSERT_STAT(tcp_challenge_ack_limited, 3);
	TT_ASSERT_STAT(tcp_drop_rst, 5);
	TT_ASSERT_STAT(tcp_drop_syn, 4);
	TT_ASSERT_STAT(tcp_drop_ack, 4);
}

/* challenge_acks = 2 */
static void
conf_two_challenges(struct dpt_tcp_conf *cf)
{
	cf->challenge_acks = 2;
}

static void
setup_two_challenges(void)
{
	tt_setup_with(conf_two_challenges);
	c = tt_accept(&TT_OPTS_NONE, &iss);
}

TestSuite(rfc5961_budget, .init = setup_two_challenges, .fini = tt_teardown);

Test(rfc5961_budget, configured_budget_applies_to_each_connection_apart)
{
	uint32_t iss2;
	struct dpt_tcb *c2 = handshake(40001, 7000, &TT_OPTS_NONE, &iss2);

	cr_assert_neq(c2, c);
	/* the first connection: 2 challenge ACKs, then no more */
	for (uint32_t i = 0; i < 3; i++)
		TT_IN(.flags = RST, .seq = 1002 + i);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_NONE();
	TT_ASSERT_STAT(tcp_challenge_ack_limited, 1);
	/* the second has its own budget: a global one is a side channel
	 * (CVE-2016-5696) */
	TT_IN(.flags = RST, .seq = 7002, .sport = 40001);
	TT_IN(.flags = RST, .seq = 7003, .sport = 40001);
	TT_IN(.flags = RST, .seq = 7004, .sport = 40001);
	TT_OUT(.flags = ACK, .seq = iss2 + 1, .ack = 7001, .wnd = WND);
	TT_OUT(.flags = ACK, .seq = iss2 + 1, .ack = 7001, .wnd = WND);
	TT_NONE();
	TT_ASSERT_STAT(tcp_challenge_acks, 4);
	TT_ASSERT_STAT(tcp_challenge_ack_limited, 2);
}

/* ==== RFC 9293 3.10.7.4 first: sequence acceptability ================== */

TestSuite(seq_check, .init = setup_plain, .fini = tt_teardown);

Test(seq_check, empty_segment_is_acceptable_only_inside_the_window)
{
	/* SEG.LEN = 0, RCV.WND > 0: acceptable iff RCV.NXT =< SEG.SEQ <
	 * RCV.NXT+RCV.WND, RCV.NXT itself not required; and, as Linux and
	 * the BSDs take it, at RCV.NXT+RCV.WND itself (the ACKs of a peer
	 * that filled the window behind a hole come from there) */
	TT_IN(.flags = ACK, .seq = 1001 + 500, .ack = iss + 1);
	TT_IN(.flags = ACK, .seq = 1001 + WND - 1, .ack = iss + 1);
	TT_IN(.flags = ACK, .seq = 1001 + WND, .ack = iss + 1);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_seq, 0);
	/* not acceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop */
	TT_IN(.flags = ACK, .seq = 1001 + WND + 1, .ack = iss + 1);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_IN(.flags = ACK, .seq = 1000, .ack = iss + 1);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_seq, 2);
	TT_ASSERT_STAT(tcp_challenge_acks, 0);
	TT_ASSERT_STAT(tcp_rx_segs, 7); /* with the handshake's two */
}

Test(seq_check, data_straddling_the_left_edge_keeps_its_new_part)
{
	uint8_t want[150], got[150];

	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	/* 1051..1150: the last byte is in the window (case 4, second
	 * test), 1051..1100 are old and trimmed */
	TT_IN(.flags = ACK, .seq = 1051, .ack = iss + 1, .len = 100);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 150);
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1151, .wnd = WND);
	TT_NONE();
	tt_pattern(want, 1001, sizeof(want));
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), sizeof(got));
	cr_assert_arr_eq(got, want, sizeof(want));
	TT_ASSERT_STAT(tcp_dup_segs, 0);
}

Test(seq_check, entirely_old_duplicate_is_acked_and_counted)
{
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 200);
	tt_advance(dpt_ms(41));
	tt_skip_all();
	/* SEG.SEQ+SEG.LEN-1 < RCV.NXT: not acceptable, ACK at once */
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1201, .wnd = WND);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 200);
	TT_ASSERT_STAT(tcp_dup_segs, 1);
	TT_ASSERT_STAT(tcp_drop_seq, 0);
}

Test(seq_check, data_ending_at_the_right_edge_is_acceptable)
{
	/* its first byte is in the window: held out of order, and the gap
	 * reported by an immediate duplicate ACK (RFC 5681 4.2) */
	TT_IN(.flags = ACK, .seq = 1001 + WND - 100, .ack = iss + 1,
	      .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_NONE();
	TT_ASSERT_STAT(tcp_ooo_segs, 1);
	TT_ASSERT_STAT(tcp_drop_seq, 0);
}

Test(seq_check, data_entirely_beyond_the_window_is_acked_and_dropped)
{
	TT_IN(.flags = ACK, .seq = 1001 + WND, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 0);
	TT_ASSERT_STAT(tcp_drop_seq, 1);
	TT_ASSERT_STAT(tcp_ooo_segs, 0);
}

/* ---- a 4 KiB receive buffer: a window that closes -------------------- */

static void
conf_small_rcvbuf(struct dpt_tcp_conf *cf)
{
	cf->rcvbuf = 4096;
}

static void
setup_small_window(void)
{
	tt_setup_with(conf_small_rcvbuf);
	c = tt_accept(&TT_OPTS_NONE, &iss);
}

/* Fill the 4096-byte window without reading: 1460 + 1460 + 1176. */
static void
fill_window(void)
{
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 1460);
	TT_IN(.flags = ACK, .seq = 2461, .ack = iss + 1, .len = 1460);
	TT_IN(.flags = ACK, .seq = 3921, .ack = iss + 1, .len = 1176);
	tt_advance(dpt_ms(41));
	tt_skip_all();
	cr_assert_eq(dpt_tcp_readable(c), 4096);
}

TestSuite(zero_window, .init = setup_small_window, .fini = tt_teardown);

Test(zero_window, filling_the_buffer_closes_the_window)
{
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 1460);
	TT_NONE();
	TT_IN(.flags = ACK, .seq = 2461, .ack = iss + 1, .len = 1460);
	/* second full segment: ACK at once; the right edge never moves
	 * left (RFC 9293 3.8.6) */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 3921, .wnd = 1176);
	TT_IN(.flags = ACK, .seq = 3921, .ack = iss + 1, .len = 1176);
	TT_NONE();
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5097, .wnd = 0);
	TT_NONE();
}

Test(zero_window, empty_segment_is_acceptable_only_at_rcv_nxt)
{
	fill_window();
	/* SEG.LEN = 0, RCV.WND = 0: acceptable iff SEG.SEQ = RCV.NXT */
	TT_IN(.flags = ACK, .seq = 5097, .ack = iss + 1);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_seq, 0);
	TT_IN(.flags = ACK, .seq = 5098, .ack = iss + 1);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5097, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_seq, 1);
}

Test(zero_window, data_at_rcv_nxt_has_its_ack_used_and_text_trimmed)
{
	uint8_t d[100] = { 0 };
	struct dpt_tcp_info info;

	fill_window();
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 5097, .wnd = 0,
	       .len = 100);
	/* SEG.LEN > 0, RCV.WND = 0: not acceptable, but "special allowance
	 * ... to accept valid ACKs": the ACK field is processed, the text
	 * is dropped and RCV.NXT re-announced */
	TT_IN(.flags = ACK | PSH, .seq = 5097, .ack = iss + 101, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 101, .ack = 5097, .wnd = 0);
	TT_NONE();
	dpt_tcp_get_info(c, &info);
	cr_assert_eq(info.snd_queued, 0);
	cr_assert_eq(info.bytes_acked, 100);
	cr_assert_eq(dpt_tcp_readable(c), 4096);
}

Test(zero_window, data_off_rcv_nxt_is_acked_and_dropped)
{
	fill_window();
	TT_IN(.flags = ACK, .seq = 5197, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5097, .wnd = 0);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 4096);
	TT_ASSERT_STAT(tcp_drop_seq, 1);
	TT_ASSERT_STAT(tcp_ooo_segs, 0);
}

Test(zero_window, rst_at_rcv_nxt_still_resets)
{
	fill_window();
	/* RFC 9293 3.10.7.4: the allowance covers RSTs; RFC 5961 3.2 */
	TT_IN(.flags = RST, .seq = 5097);
	TT_NONE();
	cr_assert(tt.events & DPT_TCP_EV_RESET);
	TT_ASSERT_STAT(tcp_conn_reset, 1);
}

Test(zero_window, segment_past_the_right_edge_keeps_its_in_window_part)
{
	uint8_t want[4096], got[4096];

	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 1460);
	TT_IN(.flags = ACK, .seq = 2461, .ack = iss + 1, .len = 1460);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 3921, .wnd = 1176);
	/* 3921..5380 against the right edge 5097: 1176 bytes kept */
	TT_IN(.flags = ACK, .seq = 3921, .ack = iss + 1, .len = 1460);
	cr_assert_eq(dpt_tcp_readable(c), 4096);
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5097, .wnd = 0);
	TT_NONE();
	tt_pattern(want, 1001, sizeof(want));
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), sizeof(got));
	cr_assert_arr_eq(got, want, sizeof(want));
}

/* ==== RFC 7323: PAWS and TS.Recent ===================================== */

/* Timestamps, SACK, scale 7 from the peer: our scale is 3 (256 KiB), so
 * the window field is 262144 >> 3; TS.Recent is 101 (the handshake ACK's
 * TSval). */
#define TS_WND (262144u >> 3)

static struct dpt_tcp_opts
ts_opt(uint32_t tsval)
{
	return tt_ts(tsval, tt_our_ts(c));
}

static void
setup_ts(void)
{
	struct dpt_tcp_opts o = tt_syn_opts(100);

	tt_setup();
	c = tt_accept(&o, &iss);
}

TestSuite(paws, .init = setup_ts, .fini = tt_teardown);

Test(paws, in_order_segment_sets_ts_recent_and_our_ack_echoes_it)
{
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100,
	      .opt = ts_opt(150));
	TT_NONE();
	cr_assert_eq(c->ts_recent, 150);
	tt_advance(dpt_ms(41));
	/* RFC 7323 3.2: TSecr = TS.Recent (TSval: the delayed-ACK tick);
	 * the window: 262044 free >> 3, the right edge kept */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1101, .wnd = 32755,
	       .opt = { .present = DPT_TCPOPT_TS, .tsecr = 150 });
	TT_NONE();
}

Test(paws, ts_recent_only_from_segments_at_or_before_last_ack_sent)
{
	/* RFC 7323 4.3 (R3): Last.ACK.sent is 1001; the first segment
	 * updates TS.Recent, the second (1537 > 1001) does not, so the
	 * ACK covering both echoes the earlier one's TSval */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 536,
	      .opt = ts_opt(150));
	TT_IN(.flags = ACK, .seq = 1537, .ack = iss + 1, .len = 536,
	      .opt = ts_opt(160));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 2073, .wnd = 32634,
	       .opt = { .present = DPT_TCPOPT_TS, .tsval = tt_our_ts(c),
			.tsecr = 150 }, .tsval_set = 1);
	TT_NONE();
	cr_assert_eq(c->ts_recent, 150);
	/* the next in-order segment starts at Last.ACK.sent: it updates */
	TT_IN(.flags = ACK, .seq = 2073, .ack = iss + 1, .len = 10,
	      .opt = ts_opt(170));
	cr_assert_eq(c->ts_recent, 170);
}

Test(paws, out_of_order_segment_does_not_update_ts_recent)
{
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 1, .len = 100,
	      .opt = ts_opt(300));
	/* dup ACK at once, TSecr still the handshake's 101, SACK block */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 32755,
	       .opt = { .present = DPT_TCPOPT_TS | DPT_TCPOPT_SACK,
			.tsval = tt_our_ts(c), .tsecr = 101, .n_sack = 1,
			.sack = { { 1101, 1201 } } }, .tsval_set = 1);
	TT_NONE();
	cr_assert_eq(c->ts_recent, 101);
}

Test(paws, older_tsval_is_dropped_with_an_ack)
{
	/* RFC 7323 5.3 (R1): SEG.TSval < TS.Recent: send an ACK, drop */
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100,
	      .opt = ts_opt(100));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = TS_WND,
	       .opt = { .present = DPT_TCPOPT_TS, .tsval = tt_our_ts(c),
			.tsecr = 101 }, .tsval_set = 1);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 0);
	cr_assert_eq(c->ts_recent, 101);
	TT_ASSERT_STAT(tcp_drop_paws, 1);
	/* equal is not older */
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100,
	      .opt = ts_opt(101));
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 100);
	TT_ASSERT_STAT(tcp_drop_paws, 1);
}

Test(paws, rst_is_exempt_from_paws)
{
	/* RFC 7323 5.2: a RST is acceptable whatever its timestamp: in the
	 * window it still meets RFC 5961 3.2 (challenge ACK), ... */
	TT_IN(.flags = RST, .seq = 1002, .opt = ts_opt(5));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = TS_WND,
	       .opt = { .present = DPT_TCPOPT_TS, .tsval = tt_our_ts(c),
			.tsecr = 101 }, .tsval_set = 1);
	TT_ASSERT_STAT(tcp_drop_rst, 1);
	TT_ASSERT_STAT(tcp_challenge_acks, 1);
	/* ... at RCV.NXT it resets */
	TT_IN(.flags = RST, .seq = 1001, .opt = ts_opt(5));
	TT_NONE();
	cr_assert(tt.events & DPT_TCP_EV_RESET);
	TT_ASSERT_STAT(tcp_drop_paws, 0);
	TT_ASSERT_STAT(tcp_conn_reset, 1);
}

Test(paws, segment_without_timestamp_is_dropped_silently_but_rst_is_not)
{
	uint8_t d[10] = { 0 };
	struct dpt_tcp_info info;

	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	tt_skip_all();
	/* RFC 7323 3.2: a non-RST segment without TSopt SHOULD be silently
	 * dropped: its text and its ACK are ignored */
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 11, .len = 100);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 0);
	dpt_tcp_get_info(c, &info);
	cr_assert_eq(info.snd_queued, 10);
	TT_ASSERT_STAT(tcp_drop_no_ts, 1);
	/* the rule is for non-RST segments only */
	TT_IN(.flags = RST, .seq = 1001);
	TT_NONE();
	cr_assert(tt.events & DPT_TCP_EV_RESET);
	TT_ASSERT_STAT(tcp_drop_no_ts, 1);
	TT_ASSERT_STAT(tcp_conn_reset, 1);
}

/* 25 days without a segment, the clock moved by hand: tt_advance() would
 * poll 2 billion times. */
static void
idle_25_days(void)
{
	/* the peer's ARP request for us, as tt_setup() feeds it (Ether(
	 * dst=bcast, src=02:00:00:00:00:01)/ARP(op=1, psrc=198.18.0.1,
	 * pdst=198.18.0.2)): the neighbour entry went stale meanwhile, and
	 * its refresh request must not come between us and our segments */
	static const uint8_t req[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01,
		0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		0x02, 0, 0, 0, 0, 0x01, 198, 18, 0, 1, 0, 0, 0, 0, 0, 0,
		198, 18, 0, 2 };

	tt.now += 25 * DAY;
	tt_poll();
	dpt_eth_input(&tt.i.nif, th_mbuf(req, sizeof(req), 0), tt.now);
	tt_skip_all();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
}

Test(paws, old_tsval_is_accepted_after_24_days_idle)
{
	struct dpt_tcp_seg s;

	idle_25_days();
	/* RFC 7323 5.5: TS.Recent older than 24 days is invalid: the PAWS
	 * test is not applied (the peer's clock may have wrapped) */
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100,
	      .opt = ts_opt(50));
	cr_assert_eq(dpt_tcp_readable(c), 100);
	TT_ASSERT_STAT(tcp_drop_paws, 0);
	tt_advance(dpt_ms(41));
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, ACK);
	cr_assert_eq(s.seq, iss + 1);
	cr_assert_eq(s.ack, 1101);
	cr_assert(s.opt.present & DPT_TCPOPT_TS); /* TSecr: the next test */
	TT_NONE();
}

Test(paws, tsval_accepted_after_24_days_idle_becomes_ts_recent)
{
	idle_25_days();
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100,
	      .opt = ts_opt(50));
	tt_advance(dpt_ms(41));
	/* RFC 7323 5.5 with 4.3: the accepted segment's TSval is the new,
	 * valid TS.Recent: echoed, and PAWS protects again from it */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1101, .wnd = 32755,
	       .opt = { .present = DPT_TCPOPT_TS, .tsecr = 50 });
	TT_IN(.flags = ACK | PSH, .seq = 1101, .ack = iss + 1, .len = 100,
	      .opt = ts_opt(49));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1101, .wnd = 32755,
	       .opt = { .present = DPT_TCPOPT_TS, .tsval = tt_our_ts(c),
			.tsecr = 50 }, .tsval_set = 1);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 100);
	TT_ASSERT_STAT(tcp_drop_paws, 1);
}

/* ==== RFC 9293 3.4: sequence numbers across 2^32 ======================= */

#define WISN 0xFFFFFF00u /* the peer's ISN: data starts 255 bytes short
			  * of the wrap */

TestSuite(seq_wrap, .init = tt_setup, .fini = tt_teardown);

Test(seq_wrap, in_order_data_across_the_wrap_is_acked_and_read_back)
{
	uint8_t want[1072], got[1072];

	c = handshake(TT_PEER_PORT, WISN, &TT_OPTS_NONE, &iss);
	/* 0xFFFFFF01 + 536 = 281 (mod 2^32): full segments, the second
	 * ACKed at once (RFC 5681 4.2) */
	TT_IN(.flags = ACK, .seq = WISN + 1, .ack = iss + 1, .len = 536);
	TT_NONE();
	TT_IN(.flags = ACK, .seq = 281, .ack = iss + 1, .len = 536);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 817, .wnd = WND);
	TT_NONE();
	tt_pattern(want, WISN + 1, sizeof(want));
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), sizeof(got));
	cr_assert_arr_eq(got, want, sizeof(want));
}

Test(seq_wrap, out_of_order_data_across_the_wrap_is_reassembled)
{
	uint8_t want[1072], got[1072];

	c = handshake(TT_PEER_PORT, WISN, &TT_OPTS_NONE, &iss);
	TT_IN(.flags = ACK, .seq = 281, .ack = iss + 1, .len = 536);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = WISN + 1, .wnd = WND);
	TT_ASSERT_STAT(tcp_ooo_segs, 1);
	TT_IN(.flags = ACK, .seq = WISN + 1, .ack = iss + 1, .len = 536);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 817, .wnd = WND);
	TT_NONE();
	tt_pattern(want, WISN + 1, sizeof(want));
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), sizeof(got));
	cr_assert_arr_eq(got, want, sizeof(want));
}

Test(seq_wrap, sack_block_spanning_the_wrap)
{
	struct dpt_tcp_opts o = { .present = DPT_TCPOPT_MSS |
				  DPT_TCPOPT_SACK_OK, .mss = 1460 };
	uint8_t want[400], got[400];

	c = handshake(TT_PEER_PORT, WISN, &o, &iss);
	/* 0xFFFFFF65..144 held: the block's right edge is past zero */
	TT_IN(.flags = ACK, .seq = 0xFFFFFF65u, .ack = iss + 1, .len = 300);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = WISN + 1, .wnd = WND,
	       .opt = { .present = DPT_TCPOPT_SACK, .n_sack = 1,
			.sack = { { 0xFFFFFF65u, 145 } } });
	TT_IN(.flags = ACK, .seq = WISN + 1, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 145, .wnd = WND);
	TT_NONE();
	tt_pattern(want, WISN + 1, sizeof(want));
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), sizeof(got));
	cr_assert_arr_eq(got, want, sizeof(want));
}

Test(seq_wrap, fin_at_sequence_number_zero)
{
	c = handshake(TT_PEER_PORT, WISN, &TT_OPTS_NONE, &iss);
	/* 255 bytes end exactly at 2^32: the FIN is sequence number 0 */
	TT_IN(.flags = ACK | FIN, .seq = WISN + 1, .ack = iss + 1, .len = 255);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1, .wnd = WND);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_CLOSE_WAIT);
	cr_assert(tt.events & DPT_TCP_EV_PEER_CLOSED);
	cr_assert_eq(dpt_tcp_readable(c), 255);
}

Test(seq_wrap, window_right_edge_past_the_wrap)
{
	/* RCV.NXT 0xFFFFFF01, RCV.WND 65535: the right edge is
	 * 0xFFFFFF01 + 0xFFFF = 0xFF00 (mod 2^32) */
	c = handshake(TT_PEER_PORT, WISN, &TT_OPTS_NONE, &iss);
	TT_IN(.flags = ACK, .seq = 0xFF00, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = WISN + 1, .wnd = WND);
	TT_ASSERT_STAT(tcp_drop_seq, 1);
	TT_IN(.flags = ACK, .seq = 0xFEFF, .ack = iss + 1, .len = 1);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = WISN + 1, .wnd = WND);
	TT_NONE();
	TT_ASSERT_STAT(tcp_ooo_segs, 1);
	TT_ASSERT_STAT(tcp_drop_seq, 1);
}

Test(seq_wrap, rst_checks_after_the_wrap)
{
	c = handshake(TT_PEER_PORT, WISN, &TT_OPTS_NONE, &iss);
	TT_IN(.flags = ACK, .seq = WISN + 1, .ack = iss + 1, .len = 536);
	TT_IN(.flags = ACK, .seq = 281, .ack = iss + 1, .len = 536);
	tt_skip_all();
	/* RCV.NXT is 817: the pre-wrap sequence number is old */
	TT_IN(.flags = RST, .seq = WISN + 1);
	TT_NONE();
	TT_IN(.flags = RST, .seq = 818);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 817, .wnd = WND);
	TT_IN(.flags = RST, .seq = 817);
	TT_NONE();
	cr_assert(tt.events & DPT_TCP_EV_RESET);
	TT_ASSERT_STAT(tcp_drop_rst, 2);
	TT_ASSERT_STAT(tcp_conn_reset, 1);
}

/* ==== dpt_tcp_seg.h: the comparisons ================================== */

Test(seq_helpers, lt_gt_leq_geq_across_the_wrap)
{
	cr_assert(seq_lt(0xFFFFFFF0u, 0x10));
	cr_assert(!seq_lt(0x10, 0xFFFFFFF0u));
	cr_assert(seq_gt(0x10, 0xFFFFFFF0u));
	cr_assert(!seq_gt(0xFFFFFFF0u, 0x10));
	cr_assert(seq_leq(0xFFFFFFFFu, 0));
	cr_assert(seq_leq(7, 7));
	cr_assert(!seq_lt(7, 7));
	cr_assert(seq_geq(0, 0xFFFFFFFFu));
	cr_assert(seq_geq(7, 7));
	cr_assert(!seq_gt(7, 7));
	/* up to 2^31 - 1 apart the order is the sequence order */
	cr_assert(seq_lt(0, 0x7FFFFFFFu));
	cr_assert(seq_gt(0x80000000u, 1));
	cr_assert_eq(seq_max(0xFFFFFFF0u, 0x10), 0x10);
	cr_assert_eq(seq_min(0xFFFFFFF0u, 0x10), 0xFFFFFFF0u);
}

Test(seq_helpers, seq_in_is_half_open_across_the_wrap)
{
	uint32_t lo = 0xFFFFFFF0u, hi = 0x10;

	cr_assert(seq_in(lo, lo, hi));          /* lo included */
	cr_assert(seq_in(0xFFFFFFFFu, lo, hi));
	cr_assert(seq_in(0, lo, hi));
	cr_assert(seq_in(0xF, lo, hi));
	cr_assert(!seq_in(hi, lo, hi));         /* hi excluded */
	cr_assert(!seq_in(0xFFFFFFEFu, lo, hi));
	cr_assert(!seq_in(0x80000000u, lo, hi));
	cr_assert(!seq_in(5, 5, 5));            /* empty window */
}

/* ==== parsing: dpt_tcp_parse, dpt_tcp_opts_parse, dpt_tcp_write_hdr === */

/* Feed @p len bytes of TCP (header and payload) in a frame peer -> us,
 * its checksum computed over them, then spoiled if @p bad_cksum. */
static void
feed_raw(const uint8_t *tcp, uint32_t len, int bad_cksum)
{
	static uint8_t f[14 + 20 + 2048];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(f + 34);

	cr_assert_leq(len, 2048u);
	memcpy(f, th_us_mac.addr_bytes, 6);
	memcpy(f + 6, th_peer_mac.addr_bytes, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + len));
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(TH_PEER_IP);
	ip->dst_addr = rte_cpu_to_be_32(TH_US_IP);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memcpy(f + 34, tcp, len);
	if (len >= sizeof(*th)) {
		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
		if (bad_cksum)
			th->cksum ^= RTE_BE16(0x0100);
	}
	dpt_eth_input(&tt.i.nif, th_mbuf(f, 34 + len, 0), tt.now);
	tt_poll();
}

/* A TCP header peer -> us at @p p with @p olen bytes of raw options
 * (a multiple of 4) and @p plen bytes of pattern payload; returns the
 * segment's length. */
static uint32_t
raw_seg(uint8_t *p, uint8_t flags, uint32_t seq, uint32_t ack,
	const uint8_t *opts, uint32_t olen, uint32_t plen)
{
	struct dpt_tcp_seg s = { .sport = TT_PEER_PORT, .dport = TT_PORT,
				 .seq = seq, .ack = ack, .flags = flags,
				 .wnd = 65535 };

	cr_assert_eq(olen % 4, 0);
	cr_assert_eq(dpt_tcp_write_hdr(p, &s), 20);
	if (olen > 0)
		memcpy(p + 20, opts, olen);
	p[12] = (uint8_t)(((20 + olen) / 4) << 4);
	tt_pattern(p + 20 + olen, seq, plen);
	return 20 + olen + plen;
}

TestSuite(tcp_parse, .init = tt_setup, .fini = tt_teardown);

Test(tcp_parse, bad_header_lengths_are_dropped)
{
	uint8_t b[64];
	uint32_t n;

	tt_listen();
	/* data offset 4: 16 bytes, shorter than the fixed header */
	n = raw_seg(b, SYN, 1000, 0, NULL, 0, 0);
	b[12] = 4 << 4;
	feed_raw(b, n, 0);
	/* data offset 15: 60 bytes of header in a 40-byte segment */
	n = raw_seg(b, SYN, 1000, 0, NULL, 0, 20);
	b[12] = 15 << 4;
	feed_raw(b, n, 0);
	TT_ASSERT_STAT(tcp_drop_hdr_len, 2);
	/* 12 bytes: not even a header */
	raw_seg(b, SYN, 1000, 0, NULL, 0, 0);
	feed_raw(b, 12, 0);
	TT_ASSERT_STAT(tcp_drop_short, 1);
	TT_NONE();
	TT_ASSERT_STAT(tcp_rx_segs, 0);
	TT_ASSERT_STAT(tcp_state_syn_received, 0);
}

Test(tcp_parse, bad_checksum_is_dropped_without_answer)
{
	uint8_t b[64];
	uint32_t n = raw_seg(b, SYN, 1000, 0, NULL, 0, 0);

	/* RFC 9293 3.1 (MUST-2/3): not even a RST from a closed port */
	feed_raw(b, n, 1);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_cksum, 1);
	TT_ASSERT_STAT(tcp_drop_closed_port, 0);
	/* the same bytes with the right checksum are answered */
	feed_raw(b, n, 0);
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1001, .wnd = 0);
	/* nor does a reset with a bad checksum touch a connection */
	c = tt_accept(&TT_OPTS_NONE, &iss);
	n = raw_seg(b, RST, 1001, 0, NULL, 0, 0);
	feed_raw(b, n, 1);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	TT_ASSERT_STAT(tcp_drop_cksum, 2);
	TT_ASSERT_STAT(tcp_rst_rcvd, 0);
}

Test(tcp_parse, syn_with_fin_or_rst_goes_on_to_the_state_machine)
{
	/* RFC 9293 3.10.7: parsing refuses no combination of flags; each
	 * state's rules answer it (nmap's probes: test_tcp_scan.c). */
	tt_listen();
	TT_IN(.flags = SYN | RST, .seq = 1000);  /* LISTEN first: ignore */
	TT_IN(.flags = SYN | RST, .seq = 1000, .dport = 81); /* CLOSED */
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_listen, 1);
	TT_ASSERT_STAT(tcp_drop_closed_port, 1);
	/* CLOSED: <SEQ=0><ACK=SEG.SEQ+SEG.LEN>, SYN and FIN one each */
	TT_IN(.flags = SYN | FIN | PSH | URG, .seq = 1000, .dport = 81);
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1002, .wnd = 0);
	/* LISTEN third: a SYN-ACK; the FIN waits (it is not acknowledged) */
	TT_IN(.flags = SYN | FIN, .seq = 1000);
	TT_OUT(.flags = SYN | ACK, .seq = tt_passive_iss(TT_PEER_PORT, TT_PORT),
	       .ack = 1001, .wnd = 65535,
	       .opt = { .present = DPT_TCPOPT_MSS, .mss = 1460 });
	TT_NONE();
	TT_ASSERT_STAT(tcp_state_syn_received, 1);
	TT_ASSERT_STAT(tcp_rx_segs, 4);
}

Test(tcp_parse, segment_without_any_flag_to_a_closed_port_gets_rst_ack)
{
	/* RFC 9293 3.10.7.1: any segment to CLOSED but a RST is answered;
	 * no ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
	TT_IN(.flags = 0, .seq = 1000, .dport = 81);
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 1000, .wnd = 0);
	TT_ASSERT_STAT(tcp_drop_closed_port, 1);
}

/* TS option (RFC 7323 3.2) as Linux writes it: NOP NOP TS 100 7. */
#define OPT_NOP_NOP_TS_100_7 1, 1, 8, 10, 0, 0, 0, 100, 0, 0, 0, 7

Test(tcp_parse, malformed_option_keeps_what_came_before)
{
	/* RFC 9293 3.1 (MUST-7): an illegal length ends parsing, what was
	 * parsed stands: a length of 0; a SACK claiming 2 blocks with room
	 * for 1; a kind with no length byte */
	const uint8_t o1[] = { OPT_NOP_NOP_TS_100_7, 0xfe, 0, 2, 4, 5, 0xb4 };
	const uint8_t o2[] = { OPT_NOP_NOP_TS_100_7, 5, 18, 0, 0, 0, 1, 0, 0,
			       0, 2 };
	const uint8_t o3[] = { OPT_NOP_NOP_TS_100_7, 1, 2 };
	struct dpt_tcp_opts r;

	cr_assert_eq(dpt_tcp_opts_parse(o1, sizeof(o1), 1, &r), -1);
	cr_assert_eq(r.present, DPT_TCPOPT_TS);
	cr_assert_eq(r.tsval, 100);
	cr_assert_eq(r.tsecr, 7);
	cr_assert_eq(dpt_tcp_opts_parse(o2, sizeof(o2), 0, &r), -1);
	cr_assert_eq(r.present, DPT_TCPOPT_TS);
	cr_assert_eq(r.n_sack, 0);
	cr_assert_eq(dpt_tcp_opts_parse(o3, sizeof(o3), 0, &r), -1);
	cr_assert_eq(r.present, DPT_TCPOPT_TS);
	cr_assert_eq(r.tsval, 100);
}

Test(tcp_parse, malformed_options_are_counted_not_dropped)
{
	struct dpt_tcp_opts so = tt_syn_opts(100);
	uint8_t o[16] = { 1, 1, 8, 10, 0, 0, 0, 200, 0, 0, 0, 0, /* TS */
			  0xfe, 0, 0, 0 };
	uint8_t b[256];
	uint32_t n, ours;

	c = tt_accept(&so, &iss);
	ours = tt_our_ts(c);
	o[8] = (uint8_t)(ours >> 24);
	o[9] = (uint8_t)(ours >> 16);
	o[10] = (uint8_t)(ours >> 8);
	o[11] = (uint8_t)ours;
	/* TS 200, then a zero-length option: the TS stands, the segment
	 * is processed (on a timestamp connection it would be dropped if
	 * the TS had been lost) */
	n = raw_seg(b, ACK | PSH, 1001, iss + 1, o, sizeof(o), 100);
	feed_raw(b, n, 0);
	TT_ASSERT_STAT(tcp_opt_malformed, 1);
	TT_ASSERT_STAT(tcp_drop_no_ts, 0);
	cr_assert_eq(dpt_tcp_readable(c), 100);
	cr_assert_eq(c->ts_recent, 200);
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1101, .wnd = 32755,
	       .opt = { .present = DPT_TCPOPT_TS, .tsecr = 200 });
	TT_NONE();
}

Test(tcp_parse, unknown_options_are_skipped_and_eol_ends_the_list)
{
	/* kind 254 (RFC 6994 experimental, 6 bytes), kind 30 (MPTCP, 4),
	 * then NOP NOP TS (RFC 9293 3.1, MUST-6) */
	const uint8_t o1[] = { 254, 6, 0xf9, 0x89, 0, 0, 30, 4, 0, 0,
			       OPT_NOP_NOP_TS_100_7, 0, 0 };
	/* MSS, EOL, then what would be a window scale */
	const uint8_t o2[] = { 2, 4, 5, 0xb4, 0, 3, 3, 7 };
	struct dpt_tcp_opts r;

	cr_assert_eq(dpt_tcp_opts_parse(o1, sizeof(o1), 0, &r), 0);
	cr_assert_eq(r.present, DPT_TCPOPT_TS);
	cr_assert_eq(r.tsval, 100);
	cr_assert_eq(r.tsecr, 7);
	cr_assert_eq(dpt_tcp_opts_parse(o2, sizeof(o2), 1, &r), 0);
	cr_assert_eq(r.present, DPT_TCPOPT_MSS);
	cr_assert_eq(r.mss, 1460);
}

Test(tcp_parse, syn_only_options_are_ignored_outside_syn)
{
	/* MSS, SACK-permitted, TS, NOP WS: Linux's SYN options */
	const uint8_t o[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 100, 0, 0,
			      0, 7, 1, 3, 3, 7 };
	const uint8_t late[] = { 2, 4, 0, 100, 1, 3, 3, 14 }; /* MSS, WS */
	struct dpt_tcp_opts r;
	uint8_t b[64];
	uint32_t n;

	/* RFC 9293 3.2 (MSS), RFC 7323 2.2 (WS), RFC 2018 2 (SACK_OK) */
	cr_assert_eq(dpt_tcp_opts_parse(o, sizeof(o), 0, &r), 0);
	cr_assert_eq(r.present, DPT_TCPOPT_TS);
	cr_assert_eq(dpt_tcp_opts_parse(o, sizeof(o), 1, &r), 0);
	cr_assert_eq(r.present, DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK |
				DPT_TCPOPT_TS | DPT_TCPOPT_WS);
	cr_assert_eq(r.mss, 1460);
	cr_assert_eq(r.wscale, 7);
	/* on an established connection they change nothing */
	c = tt_accept(&TT_OPTS_NONE, &iss);
	n = raw_seg(b, ACK, 1001, iss + 1, late, sizeof(late), 0);
	feed_raw(b, n, 0);
	TT_NONE();
	cr_assert_eq(c->mss, 536);
	cr_assert_eq(c->snd_wscale, 0);
	TT_ASSERT_STAT(tcp_opt_malformed, 0);
}

Test(tcp_parse, common_layouts_parse_as_any_other_order)
{
	/* NOP NOP TS and Linux's SYN options are recognised whole: the
	 * result must be what the same options in another order give */
	const uint8_t ts[] = { 1, 1, 8, 10, 0, 0, 0, 100, 0xff, 0, 0, 7 };
	const uint8_t ts_other[] = { 8, 10, 0, 0, 0, 100, 0xff, 0, 0, 7, 1,
				     1 };
	const uint8_t syn[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 100,
				0, 0, 0, 7, 1, 3, 3, 15 };
	const uint8_t syn_other[] = { 1, 3, 3, 15, 2, 4, 5, 0xb4, 4, 2, 8,
				      10, 0, 0, 0, 100, 0, 0, 0, 7 };
	struct dpt_tcp_opts a, b;

	for (int s = 0; s <= 1; s++) {
		memset(&a, 0xaa, sizeof(a));
		memset(&b, 0xaa, sizeof(b));
		cr_assert_eq(dpt_tcp_opts_parse(ts, sizeof(ts), s, &a), 0);
		cr_assert_eq(dpt_tcp_opts_parse(ts_other, sizeof(ts_other), s,
						&b), 0);
		cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0, "TS, syn %d", s);
		memset(&a, 0xaa, sizeof(a));
		memset(&b, 0xaa, sizeof(b));
		cr_assert_eq(dpt_tcp_opts_parse(syn, sizeof(syn), s, &a), 0);
		cr_assert_eq(dpt_tcp_opts_parse(syn_other, sizeof(syn_other),
						s, &b), 0);
		cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0, "SYN, syn %d", s);
	}
	cr_assert_eq(a.present, DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK |
				DPT_TCPOPT_TS | DPT_TCPOPT_WS);
	cr_assert_eq(a.wscale, 14); /* RFC 7323 2.3 */
	cr_assert_eq(a.tsval, 100);
	cr_assert_eq(a.tsecr, 7);
}

Test(tcp_parse, window_scale_above_14_is_clamped)
{
	const uint8_t o15[] = { 1, 3, 3, 15 }, o255[] = { 1, 3, 3, 255 };
	struct dpt_tcp_opts r, so = tt_syn_opts(100);
	struct dpt_tcp_info info;

	/* RFC 7323 2.3: "use 14 instead of the specified value" */
	cr_assert_eq(dpt_tcp_opts_parse(o15, sizeof(o15), 1, &r), 0);
	cr_assert_eq(r.wscale, 14);
	cr_assert_eq(dpt_tcp_opts_parse(o255, sizeof(o255), 1, &r), 0);
	cr_assert_eq(r.wscale, 14);
	/* a peer's SYN with 15: its windows are shifted by 14 */
	so.wscale = 15;
	c = tt_accept(&so, &iss);
	cr_assert_eq(c->snd_wscale, 14);
	dpt_tcp_get_info(c, &info);
	cr_assert_eq(info.snd_wnd, 65535u << 14);
}

Test(tcp_parse, syn_header_is_written_as_linux_writes_it)
{
	const struct dpt_tcp_seg s = {
		.sport = 40000, .dport = 80, .seq = 0x01020304, .flags = SYN,
		.wnd = 64240,
		.opt = { .present = DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK |
			 DPT_TCPOPT_TS | DPT_TCPOPT_WS, .mss = 1460,
			 .wscale = 7, .tsval = 0x11223344, .tsecr = 0 },
	};
	/* tcpdump of a Linux SYN: "options [mss 1460,sackOK,TS val ...
	 * ecr 0,nop,wscale 7]"; scapy TCP(sport=40000, dport=80,
	 * seq=0x01020304, flags='S', window=64240, options=[('MSS', 1460),
	 * ('SAckOK', b''), ('Timestamp', (0x11223344, 0)), ('NOP', None),
	 * ('WScale', 7)]) gives the same 40 bytes (checksum left 0) */
	const uint8_t want[] = {
		0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04,
		0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
		0x00, 0x00, 0x00, 0x00,
		0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
		0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00,
		0x01, 0x03, 0x03, 0x07,
	};
	uint8_t got[DPT_TCP_HDR_MAX];
	struct dpt_tcp_opts r;

	memset(got, 0xee, sizeof(got));
	cr_assert_eq(dpt_tcp_opts_len(&s.opt), 20);
	cr_assert_eq(dpt_tcp_write_hdr(got, &s), sizeof(want));
	cr_assert_arr_eq(got, want, sizeof(want));
	/* and it parses back */
	cr_assert_eq(dpt_tcp_opts_parse(got + 20, 20, 1, &r), 0);
	cr_assert_eq(r.present, s.opt.present);
	cr_assert_eq(r.mss, 1460);
	cr_assert_eq(r.wscale, 7);
	cr_assert_eq(r.tsval, 0x11223344);
	cr_assert_eq(r.tsecr, 0);
}

Test(tcp_parse, ack_header_with_timestamps_and_sack_is_written_as_linux)
{
	const struct dpt_tcp_seg s = {
		.sport = 80, .dport = 40000, .seq = 5, .ack = 6,
		.flags = ACK, .wnd = 501,
		.opt = { .present = DPT_TCPOPT_TS | DPT_TCPOPT_SACK,
			 .tsval = 1, .tsecr = 2, .n_sack = 2,
			 .sack = { { 0x10, 0x20 }, { 0x30, 0x40 } } },
	};
	/* "options [nop,nop,TS val 1 ecr 2,nop,nop,sack 2 {...}{...}]" */
	const uint8_t want[] = {
		0x00, 0x50, 0x9c, 0x40, 0, 0, 0, 5, 0, 0, 0, 6,
		0xd0, 0x10, 0x01, 0xf5, 0, 0, 0, 0,
		0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2,
		0x01, 0x01, 0x05, 0x12, 0, 0, 0, 0x10, 0, 0, 0, 0x20,
		0, 0, 0, 0x30, 0, 0, 0, 0x40,
	};
	uint8_t got[DPT_TCP_HDR_MAX];

	cr_assert_eq(dpt_tcp_write_hdr(got, &s), sizeof(want));
	cr_assert_arr_eq(got, want, sizeof(want));
}
