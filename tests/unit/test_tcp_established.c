/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_established.c: ESTABLISHED (RFC 9293 3.10.7.4): receiving in
 * and out of order, ACK policy (RFC 5681 4.2, RFC 1122 4.2.3.2), SACK
 * blocks (RFC 2018), sending, Nagle (RFC 896), retransmission (RFC 6298).
 *
 * Connections here negotiate no options unless a test says so: MSS 536
 * from the peer (RFC 9293 3.7.1 default), no scaling, no timestamps.
 */
#include <string.h>

#include "tcp_harness.h"

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
