/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_established.c: ESTABLISHED (RFC 9293 3.10.7.4): receiving in
 * and out of order, ACK policy (RFC 5681 4.2, RFC 1122 4.2.3.2), SACK
 * blocks (RFC 2018), sending, Nagle (RFC 896), TCP_CORK (tcp(7)),
 * retransmission (RFC 6298);
 * and input a burst at a time (dpt_tcp_rx_begin(), dpt_tcp_rx_end()):
 * one lookup per burst, receive coalescing of a connection's consecutive
 * in-order segments, one ACK per connection per burst, while what must
 * be answered at once still is (out-of-order data, FIN).
 *
 * Connections here negotiate no options unless a test says so: MSS 536
 * from the peer (RFC 9293 3.7.1 default), no scaling, no timestamps.
 */
#include <string.h>

#include "tcp_harness.h"
#include "tcp_impl.h"

static uint32_t iss;
static struct dpt_tcb *c;

/* Accept a plain connection: peer ISN 1000, our ISS in iss. */
static void
setup_plain(void)
{
	tt_setup();
	c = tt_accept(&TT_OPTS_NONE, &iss);
}

TestSuite(tcp_established, .init = setup_plain, .fini = tt_teardown);

Test(tcp_established, data_in_order_is_queued_and_acked_by_the_delack_timer)
{
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100);
	TT_NONE(); /* delayed */
	cr_assert(tt.last_events & DPT_TCP_EV_READABLE);
	cr_assert_eq(dpt_tcp_readable(c), 100);
	tt_advance(dpt_ms(39));
	TT_NONE();
	tt_advance(dpt_ms(2));
	/* no scaling: the window is the free buffer, capped at 65535 */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1101, .wnd = 65535);
	TT_ASSERT_STAT(tcp_delayed_acks, 1);
}

Test(tcp_established, every_second_full_segment_is_acked_at_once)
{
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 536);
	TT_NONE();
	TT_IN(.flags = ACK, .seq = 1537, .ack = iss + 1, .len = 536);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 2073, .wnd = 65535);
	TT_NONE();
}

Test(tcp_established, read_data_is_byte_exact)
{
	uint8_t want[300], got[300];

	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 200);
	TT_IN(.flags = ACK, .seq = 1201, .ack = iss + 1, .len = 100);
	tt_pattern(want, 1001, 300);
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), 300);
	cr_assert_arr_eq(got, want, 300);
	cr_assert_eq(dpt_tcp_readable(c), 0);
}

Test(tcp_established, out_of_order_segment_gets_an_immediate_dup_ack)
{
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 1, .len = 100);
	/* no SACK negotiated: a plain duplicate ACK at once */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	cr_assert_eq(dpt_tcp_readable(c), 0);
	TT_ASSERT_STAT(tcp_ooo_segs, 1);
	/* the gap fills: both are delivered, ACKed at once */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1201, .wnd = 65535);
	cr_assert_eq(dpt_tcp_readable(c), 200);
}

Test(tcp_established, old_duplicate_is_acked_and_dropped)
{
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	tt_advance(dpt_ms(50));
	tt_skip_all();
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1101, .wnd = 65535);
	cr_assert_eq(dpt_tcp_readable(c), 100);
	TT_ASSERT_STAT(tcp_dup_segs, 1);
}

Test(tcp_established, written_data_goes_out_with_psh)
{
	uint8_t d[100];

	tt_pattern(d, 7, sizeof(d));
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), 100);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100, .data = d);
	TT_NONE();
}

Test(tcp_established, nagle_holds_a_small_segment_behind_a_small_one_rfc896)
{
	uint8_t d[100] = { 0 };

	dpt_tcp_write(c, d, 100);
	tt_poll();
	tt_skip_all();
	dpt_tcp_write(c, d, 50);
	tt_poll();
	TT_NONE(); /* unacknowledged data in flight */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 101);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 101, .ack = 1001, .wnd = 65535,
	       .len = 50);
}

Test(tcp_established, nodelay_sends_small_segments_at_once)
{
	uint8_t d[100] = { 0 };

	dpt_tcp_setopt(c, DPT_TCP_NODELAY, 1, tt.now);
	dpt_tcp_write(c, d, 100);
	tt_poll();
	dpt_tcp_write(c, d, 50);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 101, .ack = 1001, .wnd = 65535,
	       .len = 50);
}

Test(tcp_established, large_write_is_cut_at_the_mss_and_its_tail_not_held)
{
	static uint8_t d[1200];

	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_OUT(.flags = ACK, .seq = iss + 537, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1073, .ack = 1001,
	       .wnd = 65535, .len = 128);
}

Test(tcp_established, unacked_data_is_retransmitted_after_the_rto_rfc6298)
{
	uint8_t d[100] = { 0 };

	dpt_tcp_write(c, d, 100);
	tt_poll();
	tt_skip_all();
	/* the handshake gave an RTT sample near 0: RTO = rto_min 200 ms */
	tt_advance(dpt_ms(199));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100);
	TT_ASSERT_STAT(tcp_rto, 1);
	TT_ASSERT_STAT(tcp_retransmits, 1);
	/* 5.5: the timer backs off: 400 ms to the next */
	tt_advance(dpt_ms(399));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100);
}

Test(tcp_established, acked_data_is_released_and_writable_is_signalled)
{
	static uint8_t d[300000];
	ssize_t n = dpt_tcp_write(c, d, sizeof(d));

	cr_assert_eq(n, 256 * 1024); /* the send buffer */
	cr_assert_eq(dpt_tcp_sndbuf_free(c), 0);
	tt_poll();
	tt_skip_all();
	tt.events = 0;
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1 + 536);
	cr_assert_eq(dpt_tcp_sndbuf_free(c), 536);
	cr_assert(tt.events & DPT_TCP_EV_WRITABLE);
}

/* ---- the netstat-like view (dpt_tcp_conn_list) ------------------------- */

Test(tcp_established, conn_list_describes_queues_and_state)
{
	struct dpt_tcp_conn_info info[4];
	uint8_t d[300] = { 0 };
	uint32_t pos = 0;

	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100);
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), (ssize_t)sizeof(d));
	tt_poll();
	cr_assert_eq(dpt_tcp_conn_list(tt.tcp, info, 4, &pos), 1);
	cr_assert_eq(pos, dpt_tcp_capacity(tt.tcp));
	cr_assert_eq(info[0].laddr, TH_US_IP);
	cr_assert_eq(info[0].raddr, TH_PEER_IP);
	cr_assert_eq(info[0].lport, TT_PORT);
	cr_assert_eq(info[0].rport, TT_PEER_PORT);
	cr_assert_eq(info[0].state, DPT_TCP_ESTABLISHED);
	cr_assert_eq(info[0].rcv_queue, 100);  /* received, not read */
	cr_assert_eq(info[0].snd_queue, 300);  /* sent, not acknowledged */
	cr_assert_eq(info[0].retrans, 0);
	cr_assert_gt(info[0].cwnd, 0);
}

Test(tcp_established, conn_list_pages_through_the_table)
{
	struct dpt_tcp_conn_info info[2];
	uint32_t pos = 0, total = 0, n;

	/* two more connections, three in all */
	TT_IN(.flags = SYN, .seq = 7000, .sport = TT_PEER_PORT + 1);
	TT_IN(.flags = SYN, .seq = 8000, .sport = TT_PEER_PORT + 2);
	while ((n = dpt_tcp_conn_list(tt.tcp, info, 1, &pos)) > 0) {
		cr_assert_eq(n, 1);
		total++;
	}
	cr_assert_eq(total, 3);
	/* closed ones are not listed */
	dpt_tcp_abort(c, tt.now);
	tt_poll();
	pos = 0;
	cr_assert_eq(dpt_tcp_conn_list(tt.tcp, info, 2, &pos), 2);
	cr_assert_eq(info[0].state, DPT_TCP_SYN_RECEIVED);
	cr_assert_eq(info[1].state, DPT_TCP_SYN_RECEIVED);
}

Test(tcp_established, application_timer_fires_once_at_its_deadline)
{
	uint64_t t0 = tt.now;

	tt.events = 0;
	dpt_tcp_set_timer(c, t0 + dpt_ms(500));
	tt_advance(dpt_ms(499));
	cr_assert_eq(tt.events & DPT_TCP_EV_TIMER, 0);
	tt_advance(dpt_ms(3));
	cr_assert(tt.events & DPT_TCP_EV_TIMER);
	/* once: nothing more, and nothing sent for it */
	tt.events = 0;
	tt_advance(dpt_ms(1000));
	cr_assert_eq(tt.events & DPT_TCP_EV_TIMER, 0);
	TT_NONE();
	/* a new deadline replaces the last; 0 cancels */
	dpt_tcp_set_timer(c, tt.now + dpt_ms(100));
	dpt_tcp_set_timer(c, tt.now + dpt_ms(300));
	tt_advance(dpt_ms(200));
	cr_assert_eq(tt.events & DPT_TCP_EV_TIMER, 0);
	dpt_tcp_set_timer(c, 0);
	tt_advance(dpt_ms(200));
	cr_assert_eq(tt.events & DPT_TCP_EV_TIMER, 0);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
}

/* ---- TCP_CORK (tcp(7); no RFC defines it) ----------------------------- */

/* A corked connection (MSS 536 as above) with @n bytes written at the
 * current time. */
static void
cork_and_write(uint32_t n)
{
	static uint8_t d[4096];

	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_CORK, 1, tt.now), 0);
	cr_assert_eq(dpt_tcp_write(c, d, n), (ssize_t)n);
	tt_poll();
}

TestSuite(tcp_cork, .init = setup_plain, .fini = tt_teardown);

Test(tcp_cork, corked_short_write_sends_no_segment)
{
	cork_and_write(100);
	TT_NONE(); /* nothing in flight: Nagle alone would send it */
	tt_advance(dpt_ms(199));
	TT_NONE();
}

Test(tcp_cork, corked_write_reaching_the_mss_sends_one_full_segment_and_holds_the_rest)
{
	static uint8_t d[500];

	cork_and_write(100);
	TT_NONE();
	dpt_tcp_write(c, d, sizeof(d)); /* 600 queued: one MSS and 64 */
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_NONE();
	/* its ACK lets nothing more go: the tail is still short */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 537);
	TT_NONE();
}

Test(tcp_cork, corked_writes_of_many_segments_send_the_full_ones_only)
{
	cork_and_write(3 * 536 + 10);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_OUT(.flags = ACK, .seq = iss + 537, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_OUT(.flags = ACK, .seq = iss + 1073, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_NONE();
}

Test(tcp_cork, uncork_sends_the_held_bytes_at_once)
{
	cork_and_write(100);
	tt_advance(dpt_ms(50));
	TT_NONE();
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_CORK, 0, tt.now), 0);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100);
	TT_NONE();
	/* uncorked, short writes go as Nagle lets them: this one waits
	 * behind the short segment in flight (RFC 896) */
	dpt_tcp_write(c, "abc", 3);
	tt_poll();
	TT_NONE();
}

/* The deadline is exact; the wheel runs it on its first tick (1024 us)
 * at or after it, as every timer. */
Test(tcp_cork, held_tail_goes_200ms_after_its_first_byte_was_held)
{
	static uint8_t d[50];
	uint64_t t0 = tt.now;

	cork_and_write(100);
	cr_assert_eq(c->t_cork, t0 + dpt_ms(200));
	tt_advance(dpt_ms(100));
	dpt_tcp_write(c, d, sizeof(d)); /* joins the held tail: no new
					  * 200 ms for it */
	tt_poll();
	cr_assert_eq(c->t_cork, t0 + dpt_ms(200));
	tt_advance(dpt_ms(99));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 150);
	TT_NONE();
	cr_assert_eq(c->t_cork, 0);
}

Test(tcp_cork, tail_written_after_the_ceiling_sent_all_waits_its_own_200ms)
{
	uint64_t t1;

	cork_and_write(100);
	tt_advance(dpt_ms(201));
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 101);
	t1 = tt.now;
	dpt_tcp_write(c, "abc", 3); /* still corked: held anew */
	tt_poll();
	TT_NONE();
	cr_assert_eq(c->t_cork, t1 + dpt_ms(200));
	tt_advance(dpt_ms(199));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK | PSH, .seq = iss + 101, .ack = 1001,
	       .wnd = 65535, .len = 3);
}

Test(tcp_cork, close_while_corked_sends_the_held_data_then_fin)
{
	cork_and_write(100);
	TT_NONE();
	dpt_tcp_close(c, tt.now);
	tt_poll();
	/* Linux's tcp_send_fin(): the FIN rides on the held data */
	TT_OUT(.flags = ACK | PSH | FIN, .seq = iss + 1, .ack = 1001,
	       .wnd = 65535, .len = 100);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_FIN_WAIT_1);
}

Test(tcp_cork, shutdown_while_held_leaves_no_deadline_to_end_fin_wait_2)
{
	cork_and_write(100);
	cr_assert_eq(dpt_tcp_shutdown(c), 0);
	tt_poll();
	TT_OUT(.flags = ACK | PSH | FIN, .seq = iss + 1, .ack = 1001,
	       .wnd = 65535, .len = 100);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 102);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_FIN_WAIT_2);
	/* the cork's deadline shares its word with FIN-WAIT-2's: past
	 * it, the half-closed connection (no close() timed) lives on */
	tt_advance(dpt_ms(300));
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_FIN_WAIT_2);
	TT_NONE();
}

Test(tcp_cork, cork_overrides_nodelay)
{
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_NODELAY, 1, tt.now), 0);
	cork_and_write(100);
	TT_NONE();
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_CORK, 0, tt.now), 0);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100);
	/* uncorked, NODELAY sends the next short write at once */
	dpt_tcp_write(c, "abc", 3);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 101, .ack = 1001,
	       .wnd = 65535, .len = 3);
}

Test(tcp_cork, corked_rto_resends_a_short_segment_sent_before)
{
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_NODELAY, 1, tt.now), 0);
	dpt_tcp_write(c, "abc", 3);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 3);
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_CORK, 1, tt.now), 0);
	/* the RTO (rto_min 200 ms) resends it: the cork holds new data
	 * only */
	tt_advance(dpt_ms(201));
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 3);
	TT_ASSERT_STAT(tcp_rto, 1);
}

/* ---- a burst at a time ------------------------------------------------ */

#define M 536 /* the peer's full-sized segment (no MSS option) */

TestSuite(tcp_burst, .init = setup_plain, .fini = tt_teardown);

/* A full-sized data segment of the peer's k-th (0-based) from 1001. */
#define DATA(k) { .flags = ACK, .seq = 1001 + (k) * M, .ack = iss + 1, \
		  .len = M }

Test(tcp_burst, four_in_order_full_segments_get_one_ack)
{
	uint8_t want[4 * M], got[4 * M];

	TT_BURST(DATA(0), DATA(1), DATA(2), DATA(3));
	/* one ACK for the four (fed one by one, they draw two) */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001 + 4 * M,
	       .wnd = 65535);
	TT_NONE();
	/* one pass through input: the three after the first joined it */
	TT_ASSERT_STAT(tcp_rx_coalesced, 3);
	TT_ASSERT_STAT(tcp_rx_segs, 2 + 4); /* handshake's two, then 4 */
	cr_assert_eq(dpt_tcp_readable(c), 4 * M);
	tt_pattern(want, 1001, sizeof(want));
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), sizeof(got));
	cr_assert_arr_eq(got, want, sizeof(want));
}

Test(tcp_burst, small_segments_of_a_burst_wait_for_the_delack_timer)
{
	TT_BURST({ .flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100 },
		 { .flags = ACK, .seq = 1101, .ack = iss + 1, .len = 100 },
		 { .flags = ACK | PSH, .seq = 1201, .ack = iss + 1,
		   .len = 100 });
	/* less than full-sized: as one by one, the delayed ACK */
	TT_NONE();
	TT_ASSERT_STAT(tcp_rx_coalesced, 2);
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1301, .wnd = 65535);
	TT_NONE();
}

Test(tcp_burst, a_short_segment_joined_to_a_full_one_is_not_counted_full)
{
	/* the first sets the unit's size: a shorter one may end it */
	TT_BURST(DATA(0), { .flags = ACK, .seq = 1001 + M, .ack = iss + 1,
			    .len = 10 });
	TT_NONE(); /* one full-sized segment only: delayed, as apart */
	TT_ASSERT_STAT(tcp_rx_coalesced, 1);
	TT_BURST(DATA(0), { .flags = ACK, .seq = 1011 + M, .ack = iss + 1,
			    .len = M });
	/* an old duplicate (answered), then the second full-sized one:
	 * one ACK for both */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1011 + 2 * M,
	       .wnd = 65535);
	TT_NONE();
}

Test(tcp_burst, out_of_order_segment_in_a_burst_is_acked_at_once)
{
	/* 1001 in order, 1537 missing, 2073 ahead of the gap */
	TT_BURST(DATA(0), DATA(2));
	/* the duplicate ACK at once (no SACK negotiated) */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001 + M, .wnd = 65535);
	TT_NONE();
	TT_ASSERT_STAT(tcp_ooo_segs, 1);
	TT_ASSERT_STAT(tcp_rx_coalesced, 0);
	/* only out of order: at once too */
	TT_BURST(DATA(3));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001 + M, .wnd = 65535);
	TT_NONE();
	/* the gap fills: everything is delivered, acknowledged at once */
	TT_BURST(DATA(1));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001 + 4 * M,
	       .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 4 * M);
}

/* RFC 5681 4.2: each out-of-order segment draws its own immediate
 * duplicate ACK, also when several come in one burst: a sender without
 * SACK needs three for its fast retransmit (3.2). */
Test(tcp_burst, each_out_of_order_segment_of_a_burst_gets_its_dup_ack)
{
	TT_BURST(DATA(0), DATA(2), DATA(3), DATA(4));
	for (int i = 0; i < 3; i++)
		TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001 + M,
		       .wnd = 65535);
	TT_NONE();
	TT_ASSERT_STAT(tcp_ooo_segs, 3);
	TT_ASSERT_STAT(tcp_rx_coalesced, 0);
}

Test(tcp_burst, fin_after_data_keeps_its_own_pass_and_is_acked)
{
	TT_BURST(DATA(0), DATA(1),
		 { .flags = ACK | FIN, .seq = 1001 + 2 * M, .ack = iss + 1 });
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001 + 2 * M + 1,
	       .wnd = 65535);
	TT_NONE();
	TT_ASSERT_STAT(tcp_rx_coalesced, 1);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_CLOSE_WAIT);
	cr_assert_eq(dpt_tcp_readable(c), 2 * M);
}

static void
two_connections(void)
{
	struct dpt_tcp_seg s, a, b;
	uint32_t iss2;

	TT_IN(.flags = SYN, .seq = 7000, .sport = 40001);
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN | ACK);
	iss2 = s.seq;
	TT_IN(.flags = ACK, .seq = 7001, .ack = iss2 + 1, .sport = 40001);
	/* interleaved: nothing to join, two full segments each */
	TT_BURST(DATA(0),
		 { .flags = ACK, .seq = 7001, .ack = iss2 + 1, .len = M,
		   .sport = 40001 },
		 DATA(1),
		 { .flags = ACK, .seq = 7001 + M, .ack = iss2 + 1, .len = M,
		   .sport = 40001 });
	cr_assert_eq(tt_pending(), 2);
	tt_next(&a, NULL, 0);
	tt_next(&b, NULL, 0);
	if (a.dport != TT_PEER_PORT) {
		s = a;
		a = b;
		b = s;
	}
	cr_assert(a.dport == TT_PEER_PORT && a.flags == ACK &&
		  a.seq == iss + 1 && a.ack == 1001 + 2 * M &&
		  a.wnd == 65535 && a.len == 0,
		  "first connection: port %u flags %#x seq %u ack %u wnd %u",
		  a.dport, a.flags, a.seq, a.ack, a.wnd);
	cr_assert(b.dport == 40001 && b.flags == ACK && b.seq == iss2 + 1 &&
		  b.ack == 7001 + 2 * M && b.wnd == 65535 && b.len == 0,
		  "second connection: port %u flags %#x seq %u ack %u wnd %u",
		  b.dport, b.flags, b.seq, b.ack, b.wnd);
	TT_NONE();
	TT_ASSERT_STAT(tcp_rx_coalesced, 0);
}

static void
reset_then_segment(void)
{
	/* The RST closes the connection the burst's lookup found: the next
	 * segment must not go to it but, as fed alone, to the listener,
	 * which takes an ACK for a SYN cookie's and answers the bad one by
	 * <SEQ=SEG.ACK><CTL=RST> (RFC 9293 3.10.7.2). */
	TT_BURST({ .flags = RST, .seq = 1001 },
		 { .flags = ACK, .seq = 1001, .ack = iss + 1, .len = 10 });
	TT_ASSERT_STAT(tcp_conn_reset, 1);
	TT_ASSERT_STAT(tcp_drop_cookie, 1);
	TT_OUT(.flags = RST, .seq = iss + 1);
	TT_NONE();
}

Test(tcp_burst, segments_of_two_connections_get_one_ack_each)
{
	two_connections();
}

Test(tcp_burst, segment_after_a_reset_in_the_same_burst_finds_no_connection)
{
	reset_then_segment();
}

/* The same with the burst's lookups in bulk (rte_hash's bulk lookup), as
 * dptcpd does from TCP_RX_BULK_CONNS connections on. */
static void
setup_bulk(void)
{
	setup_plain();
	tt.tcp->rx_bulk_conns = 0;
}

TestSuite(tcp_burst_bulk, .init = setup_bulk, .fini = tt_teardown);

Test(tcp_burst_bulk, segments_of_two_connections_get_one_ack_each)
{
	two_connections();
}

Test(tcp_burst_bulk, segment_after_a_reset_in_the_same_burst_finds_no_connection)
{
	reset_then_segment();
}

Test(tcp_burst_bulk, four_in_order_full_segments_get_one_ack)
{
	TT_BURST(DATA(0), DATA(1), DATA(2), DATA(3));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001 + 4 * M,
	       .wnd = 65535);
	TT_NONE();
	TT_ASSERT_STAT(tcp_rx_coalesced, 3);
}

/* Timestamps on: segments join only with the same TSval (Linux's GRO
 * compares the options too); the ACK still covers the whole burst. */
static void
setup_ts(void)
{
	tt_setup();
	c = tt_accept(&(struct dpt_tcp_opts){
		.present = DPT_TCPOPT_MSS | DPT_TCPOPT_TS, .mss = M,
		.tsval = 100 }, &iss);
}

TestSuite(tcp_burst_ts, .init = setup_ts, .fini = tt_teardown);

Test(tcp_burst_ts, segments_join_only_with_equal_timestamps)
{
	uint32_t e = tt_our_ts(c);

	TT_BURST({ .flags = ACK, .seq = 1001, .ack = iss + 1, .len = M,
		   .opt = tt_ts(200, e) },
		 { .flags = ACK, .seq = 1001 + (M), .ack = iss + 1,
		   .len = M, .opt = tt_ts(200, e) },
		 { .flags = ACK, .seq = 1001 + 2 * (M), .ack = iss + 1,
		   .len = M, .opt = tt_ts(201, e) });
	TT_ASSERT_STAT(tcp_rx_coalesced, 1);
	/* TS.Recent from a segment at or before Last.ACK.sent only (RFC
	 * 7323 4.3): the first, as one by one */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001 + 3 * (M),
	       .wnd = 65535, .opt = { .present = DPT_TCPOPT_TS,
				      .tsecr = 200 });
	TT_NONE();
}
