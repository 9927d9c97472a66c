/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_close.c: closing a connection (RFC 9293 3.5, figures 12-14),
 * half-close (3.6), CLOSE (3.10.4), ABORT (3.10.5) and SEGMENT ARRIVES in
 * FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK and TIME-WAIT
 * (3.10.7.4), with the events the application sees; and the helpers of a
 * graceful shutdown of every connection (dpt_tcp_unfinished(),
 * dpt_tcp_abort_all(, tt.now), a listener closed under accepted connections).
 *
 * Every connection here is accepted with no options: the peer's ISN is
 * 1000, its MSS 536 (3.7.1 default), nothing is scaled, so the window we
 * advertise is min(free buffer, 65535) = 65535. The handshake gives an RTT
 * sample near 0, so the RTO is rto_min (200 ms). MSL is 30 s (TIME-WAIT
 * 60 s), fin_timeout 60 s.
 */
#include <errno.h>
#include <string.h>

#include "tcp_harness.h"
#include "tcp_impl.h"

static uint32_t iss;
static struct dpt_tcb *c;

/* What the application's handler saw. */
static struct {
	uint32_t ev[64];        /* bits of each call */
	unsigned int n;         /* calls */
	unsigned int closed;    /* calls with EV_CLOSED */
	enum dpt_tcp_error err; /* dpt_tcp_error() at EV_CLOSED */
} rec;

static void
rec_handler(struct dpt_tcb *conn, uint32_t ev, void *arg, uint64_t now)
{
	if (rec.n < RTE_DIM(rec.ev))
		rec.ev[rec.n] = ev;
	rec.n++;
	if (ev & DPT_TCP_EV_CLOSED) {
		rec.closed++;
		rec.err = dpt_tcp_error(conn);
	}
	tt_handler(conn, ev, arg, now);
}

/* Events of the last handler call. */
static uint32_t
last_ev(void)
{
	cr_assert_gt(rec.n, 0, "the handler was never called");
	return rec.ev[rec.n - 1];
}

static void
accept_plain(void)
{
	c = tt_accept(&TT_OPTS_NONE, &iss);
	dpt_tcp_set_handler(c, rec_handler, NULL);
	memset(&rec, 0, sizeof(rec));
	tt_skip_all();
}

static void
setup_plain(void)
{
	tt_setup();
	accept_plain();
}

static void
no_timewait(struct dpt_tcp_conf *cf)
{
	cf->max_timewait = 0;
}

static void
setup_no_timewait(void)
{
	tt_setup_with(no_timewait);
	accept_plain();
}

static void
three_retries(struct dpt_tcp_conf *cf)
{
	cf->retries = 3;
}

static void
setup_three_retries(void)
{
	tt_setup_with(three_retries);
	accept_plain();
}

/* The peer asks for our MAC again (the frame tcp_harness.c starts with),
 * so its neighbour entry, 30 s old here, is fresh and the next segment is
 * not preceded by an ARP probe. Our ARP reply is skipped. */
static void
peer_asks_for_us(void)
{
	static const uint8_t req[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01,
		0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		0x02, 0, 0, 0, 0, 0x01, 198, 18, 0, 1, 0, 0, 0, 0, 0, 0,
		198, 18, 0, 2 };

	TT_NONE();
	dpt_eth_input(&tt.i.nif, th_mbuf(req, sizeof(req), 0), tt.now);
	tt_skip_all();
}

/* Nothing is left: no control block, every state gauge back to 0. */
static void
assert_released(void)
{
	TT_ASSERT_STAT(tcp_tcbs, 0);
	TT_ASSERT_STAT(tcp_state_established, 0);
	TT_ASSERT_STAT(tcp_state_fin_wait_1, 0);
	TT_ASSERT_STAT(tcp_state_fin_wait_2, 0);
	TT_ASSERT_STAT(tcp_state_close_wait, 0);
	TT_ASSERT_STAT(tcp_state_closing, 0);
	TT_ASSERT_STAT(tcp_state_last_ack, 0);
	TT_ASSERT_STAT(tcp_state_time_wait, 0);
	cr_assert_eq(tt.tcp->n_timewait, 0);
}

/* ESTABLISHED -> FIN-WAIT-1 by shutdown (the handle stays ours). */
static void
to_fin_wait_1(void)
{
	cr_assert_eq(dpt_tcp_shutdown(c), 0);
	tt_poll();
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_FIN_WAIT_1);
}

/* ... -> FIN-WAIT-2: the peer acknowledges our FIN. */
static void
to_fin_wait_2(void)
{
	to_fin_wait_1();
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 2);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_FIN_WAIT_2);
}

/* ... -> TIME-WAIT: the peer's FIN, ACKed at once. */
static void
to_time_wait(void)
{
	to_fin_wait_2();
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 2);
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_TIME_WAIT);
}

/* FIN-WAIT-1 -> CLOSING: the peer's FIN crosses ours (figure 13). */
static void
to_closing(void)
{
	to_fin_wait_1();
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 1);
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_CLOSING);
}

/* ESTABLISHED -> CLOSE-WAIT: the peer's FIN, ACKed at once. */
static void
to_close_wait(void)
{
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 1);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1002, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_CLOSE_WAIT);
}

/* CLOSE-WAIT -> LAST-ACK by shutdown (the handle stays ours). */
static void
to_last_ack(void)
{
	to_close_wait();
	cr_assert_eq(dpt_tcp_shutdown(c), 0);
	tt_poll();
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1002, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_LAST_ACK);
}

/* ---- active close: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT (figure 12) ----- */

TestSuite(tcp_close_active, .init = setup_plain, .fini = tt_teardown);

Test(tcp_close_active, shutdown_in_established_sends_fin_and_enters_fin_wait_1)
{
	/* RFC 9293 3.10.4 CLOSE, ESTABLISHED: form a FIN, FIN-WAIT-1 */
	to_fin_wait_1();
	TT_ASSERT_STAT(tcp_state_established, 0);
	TT_ASSERT_STAT(tcp_state_fin_wait_1, 1);
	cr_assert_eq(rec.n, 0, "no event for our own close");
}

Test(tcp_close_active, close_sends_fin_on_the_last_segment_of_queued_data)
{
	static uint8_t d[1200];

	/* RFC 9293 3.10.4: queued SENDs go first, then the FIN; it rides
	 * on the segment that ends the data */
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), 1200);
	dpt_tcp_close(c, tt.now);
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_OUT(.flags = ACK, .seq = iss + 537, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_OUT(.flags = ACK | PSH | FIN, .seq = iss + 1073, .ack = 1001,
	       .wnd = 65535, .len = 128);
	TT_NONE();
	TT_ASSERT_STAT(tcp_state_fin_wait_1, 1);
}

Test(tcp_close_active, fin_waits_for_the_peer_window_with_the_data_before_it)
{
	static uint8_t d[500];

	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 300);
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), 500);
	dpt_tcp_close(c, tt.now);
	tt_poll();
	/* RFC 9293 3.10.4: the FIN follows all the data; 200 bytes do not
	 * fit the window yet, so neither does the FIN */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 300);
	TT_NONE();
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 301, .wnd = 300);
	TT_OUT(.flags = ACK | PSH | FIN, .seq = iss + 301, .ack = 1001,
	       .wnd = 65535, .len = 200);
	TT_NONE();
	TT_ASSERT_STAT(tcp_state_fin_wait_1, 1);
}

Test(tcp_close_active, ack_of_the_data_only_stays_fin_wait_1_ack_of_fin_enters_fin_wait_2)
{
	uint8_t d[100] = { 0 };

	dpt_tcp_write(c, d, sizeof(d));
	dpt_tcp_shutdown(c);
	tt_poll();
	TT_OUT(.flags = ACK | PSH | FIN, .seq = iss + 1, .ack = 1001,
	       .wnd = 65535, .len = 100);
	/* RFC 9293 3.10.7.4 fifth, FIN-WAIT-1: only the ACK of our FIN
	 * moves on */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 101);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_FIN_WAIT_1);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 102);
	TT_NONE(); /* an ACK is not ACKed */
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_FIN_WAIT_2);
	cr_assert_eq(c->t_rexmt, 0, "nothing left to retransmit");
	TT_ASSERT_STAT(tcp_state_fin_wait_1, 0);
	TT_ASSERT_STAT(tcp_state_fin_wait_2, 1);
}

Test(tcp_close_active, fin_wait_2_peer_fin_is_acked_at_once_and_enters_time_wait)
{
	to_fin_wait_2();
	/* RFC 9293 3.10.7.4 eighth, FIN-WAIT-2: enter TIME-WAIT, ACK */
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 2);
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_TIME_WAIT);
	cr_assert(dpt_tcp_peer_closed(c));
	cr_assert_eq(last_ev(), DPT_TCP_EV_PEER_CLOSED);
	TT_ASSERT_STAT(tcp_state_fin_wait_2, 0);
	TT_ASSERT_STAT(tcp_state_time_wait, 1);
	cr_assert_eq(tt.tcp->n_timewait, 1);
}

Test(tcp_close_active, time_wait_lasts_two_msl_then_the_connection_is_released)
{
	to_time_wait();
	rec.n = 0;
	/* RFC 9293 3.10.7.4 eighth / 3.8.2: 2 MSL = 60 s */
	tt_advance(dpt_s(60) - dpt_ms(2));
	TT_NONE();
	TT_ASSERT_STAT(tcp_state_time_wait, 1);
	cr_assert_eq(rec.n, 0);
	tt_advance(dpt_ms(3));
	TT_NONE();
	/* the handle was still ours: one final EV_CLOSED, no reset */
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.ev[0], DPT_TCP_EV_CLOSED);
	cr_assert_eq(rec.err, DPT_TCP_OK);
	assert_released();
	TT_ASSERT_STAT(tcp_conn_closed, 1);
	TT_ASSERT_STAT(tcp_conn_reset, 0);
}

Test(tcp_close_active, close_then_the_whole_sequence_releases_without_events)
{
	dpt_tcp_close(c, tt.now);
	tt_poll();
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 2);
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 2);
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535);
	TT_ASSERT_STAT(tcp_state_time_wait, 1);
	tt_advance(dpt_s(60) + dpt_ms(1));
	TT_NONE();
	/* dpt_tcp.h: the handle died with dpt_tcp_close(, tt.now) */
	cr_assert_eq(rec.n, 0);
	assert_released();
	TT_ASSERT_STAT(tcp_conn_closed, 1);
}

Test(tcp_close_active, fin_wait_1_fin_before_ack_of_our_fin_enters_closing)
{
	/* RFC 9293 3.5 figure 13 (simultaneous close) and 3.10.7.4 eighth:
	 * FIN-WAIT-1 with our FIN unacknowledged: CLOSING, ACK the FIN */
	to_closing();
	cr_assert_eq(last_ev(), DPT_TCP_EV_PEER_CLOSED);
	TT_ASSERT_STAT(tcp_state_closing, 1);
	TT_ASSERT_STAT(tcp_state_fin_wait_1, 0);
	/* fifth, CLOSING: the ACK of our FIN -> TIME-WAIT */
	TT_IN(.flags = ACK, .seq = 1002, .ack = iss + 2);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_TIME_WAIT);
	TT_ASSERT_STAT(tcp_state_closing, 0);
	TT_ASSERT_STAT(tcp_state_time_wait, 1);
}

Test(tcp_close_active, fin_wait_1_fin_with_ack_of_our_fin_enters_time_wait)
{
	to_fin_wait_1();
	/* RFC 9293 3.10.7.4 eighth, FIN-WAIT-1: our FIN ACKed by this very
	 * segment: TIME-WAIT, skipping FIN-WAIT-2 and CLOSING */
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 2);
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_TIME_WAIT);
	TT_ASSERT_STAT(tcp_state_fin_wait_1, 0);
	TT_ASSERT_STAT(tcp_state_fin_wait_2, 0);
	TT_ASSERT_STAT(tcp_state_closing, 0);
	TT_ASSERT_STAT(tcp_state_time_wait, 1);
}

Test(tcp_close_active, fin_wait_1_peer_fin_while_our_fin_is_still_queued_enters_closing)
{
	static uint8_t d[300];

	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 100);
	dpt_tcp_write(c, d, sizeof(d));
	dpt_tcp_shutdown(c);
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100);
	TT_NONE();
	/* All we sent is ACKed, but 200 bytes and our FIN wait for the
	 * window: the FIN is not acknowledged, so RFC 9293 3.10.7.4 eighth
	 * says CLOSING, not TIME-WAIT */
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 101, .wnd = 100);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_CLOSING);
	TT_OUT(.flags = ACK, .seq = iss + 101, .ack = 1002, .wnd = 65535,
	       .len = 100);
	TT_NONE();
	TT_IN(.flags = ACK, .seq = 1002, .ack = iss + 201, .wnd = 100);
	TT_OUT(.flags = ACK | PSH | FIN, .seq = iss + 201, .ack = 1002,
	       .wnd = 65535, .len = 100);
	TT_IN(.flags = ACK, .seq = 1002, .ack = iss + 302, .wnd = 100);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_TIME_WAIT);
}

Test(tcp_close_active, shutdown_twice_sends_one_fin_and_refuses_more_data)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(th_pool);
	int rc;

	to_fin_wait_1();
	cr_assert_eq(dpt_tcp_shutdown(c), 0);
	tt_poll();
	TT_NONE();
	/* RFC 9293 3.10.2 SEND in FIN-WAIT-1: "connection closing";
	 * dpt_tcp.h: -ENOTCONN after dpt_tcp_shutdown() */
	cr_assert_not_null(m);
	rte_pktmbuf_append(m, 10);
	rc = dpt_tcp_send(c, m);
	if (rc != 0)
		rte_pktmbuf_free(m);
	cr_assert_eq(rc, -ENOTCONN, "dpt_tcp_send after shutdown: %d", rc);
	cr_assert_lt(dpt_tcp_write(c, "x", 1), 0);
	tt_poll();
	TT_NONE();
}

/* ---- our FIN is lost ------------------------------------------------- */

Test(tcp_close_active, unacknowledged_fin_is_retransmitted_after_the_rto)
{
	to_fin_wait_1();
	/* RFC 9293 3.10.4: the FIN is retransmitted until ACKed; RFC 6298
	 * 5.4-5.5: after the RTO (rto_min), then after twice it */
	tt_advance(dpt_ms(199));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_NONE();
	TT_ASSERT_STAT(tcp_rto, 1);
	TT_ASSERT_STAT(tcp_retransmits, 1);
	tt_advance(dpt_ms(398));
	TT_NONE();
	tt_advance(dpt_ms(3));
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_ASSERT_STAT(tcp_retransmits, 2);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_FIN_WAIT_1);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 2);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_FIN_WAIT_2);
}

Test(tcp_close_active, fin_is_retransmitted_with_the_data_it_rode_on)
{
	uint8_t d[100];

	tt_pattern(d, 9, sizeof(d));
	dpt_tcp_write(c, d, sizeof(d));
	dpt_tcp_shutdown(c);
	tt_poll();
	TT_OUT(.flags = ACK | PSH | FIN, .seq = iss + 1, .ack = 1001,
	       .wnd = 65535, .len = 100, .data = d);
	tt_advance(dpt_ms(201));
	TT_OUT(.flags = ACK | PSH | FIN, .seq = iss + 1, .ack = 1001,
	       .wnd = 65535, .len = 100, .data = d);
	TT_NONE();
	TT_ASSERT_STAT(tcp_retransmits, 1);
}

Test(tcp_close_active, closing_retransmits_our_fin_until_it_is_acked)
{
	to_closing();
	tt_advance(dpt_ms(201));
	/* the FIN again, now acknowledging the peer's FIN */
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1002, .wnd = 65535);
	TT_NONE();
	TT_ASSERT_STAT(tcp_retransmits, 1);
	TT_IN(.flags = ACK, .seq = 1002, .ack = iss + 2);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_TIME_WAIT);
}

TestSuite(tcp_close_retries, .init = setup_three_retries, .fini = tt_teardown);

Test(tcp_close_retries, fin_wait_1_gives_up_after_the_retransmission_limit)
{
	to_fin_wait_1();
	/* RTO 200, 400, 800, 1600 ms: three retransmissions, then R2
	 * (RFC 9293 3.8.3, RFC 1122 4.2.3.5) ends the connection */
	/* (each expiry may run up to one wheel tick, 1.024 ms, late) */
	tt_advance(dpt_ms(202));
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	tt_advance(dpt_ms(400));
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	tt_advance(dpt_ms(802));
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	tt_advance(dpt_ms(1590));
	TT_NONE();
	cr_assert_eq(rec.n, 0);
	tt_advance(dpt_ms(12));
	TT_NONE();
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.ev[0], DPT_TCP_EV_RESET | DPT_TCP_EV_CLOSED);
	cr_assert_eq(rec.err, DPT_TCP_ERR_TIMEOUT);
	TT_ASSERT_STAT(tcp_conn_timeout, 1);
	TT_ASSERT_STAT(tcp_retransmits, 3);
	assert_released();
}

/* ---- half-close from our side (3.6): we still receive ---------------- */

Test(tcp_close_active, fin_wait_1_receives_and_acks_data_the_application_reads)
{
	uint8_t want[100], got[100];

	to_fin_wait_1();
	/* RFC 9293 3.10.7.4 seventh, FIN-WAIT-1: text is processed as in
	 * ESTABLISHED (a delayed ACK, RFC 1122 4.2.3.2) */
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100);
	TT_NONE();
	cr_assert_eq(last_ev(), DPT_TCP_EV_READABLE);
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1101, .wnd = 65535);
	TT_NONE();
	tt_pattern(want, 1001, sizeof(want));
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), 100);
	cr_assert_arr_eq(got, want, sizeof(want));
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_FIN_WAIT_1);
}

Test(tcp_close_active, fin_wait_2_fin_with_data_queues_it_and_enters_time_wait)
{
	uint8_t want[50], got[50];

	to_fin_wait_2();
	TT_IN(.flags = FIN | PSH | ACK, .seq = 1001, .ack = iss + 2, .len = 50);
	/* the data and the FIN are both acknowledged, at once */
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1052, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_TIME_WAIT);
	cr_assert_eq(last_ev(), DPT_TCP_EV_READABLE | DPT_TCP_EV_PEER_CLOSED);
	/* still readable in TIME-WAIT */
	tt_pattern(want, 1001, sizeof(want));
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), 50);
	cr_assert_arr_eq(got, want, sizeof(want));
}

/* ---- FIN-WAIT-2 without the peer's FIN ------------------------------- */

Test(tcp_close_active, fin_wait_2_after_close_ends_after_fin_timeout)
{
	dpt_tcp_close(c, tt.now);
	tt_poll();
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 2);
	TT_ASSERT_STAT(tcp_state_fin_wait_2, 1);
	/* nobody holds the handle: FIN-WAIT-2 is bounded (fin_timeout,
	 * as Linux's tcp_fin_timeout) */
	tt_advance(dpt_s(60) - dpt_ms(2));
	TT_ASSERT_STAT(tcp_state_fin_wait_2, 1);
	tt_advance(dpt_ms(3));
	TT_NONE();
	TT_ASSERT_STAT(tcp_fin_wait2_timeouts, 1);
	TT_ASSERT_STAT(tcp_conn_closed, 1);
	cr_assert_eq(rec.n, 0);
	assert_released();
}

Test(tcp_close_active, fin_wait_2_after_shutdown_only_does_not_time_out)
{
	to_fin_wait_2();
	/* the application may still read: RFC 9293 3.6, FIN-WAIT-2 waits
	 * for the peer as long as it likes */
	tt_advance(dpt_s(130));
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_FIN_WAIT_2);
	TT_ASSERT_STAT(tcp_fin_wait2_timeouts, 0);
	cr_assert_eq(rec.n, 0);
}

Test(tcp_close_active, close_in_fin_wait_2_starts_the_fin_timeout)
{
	to_fin_wait_2();
	tt_advance(dpt_s(10));
	dpt_tcp_close(c, tt.now);
	tt_poll();
	TT_NONE();
	tt_advance(dpt_s(60) - dpt_ms(2));
	TT_ASSERT_STAT(tcp_state_fin_wait_2, 1);
	tt_advance(dpt_ms(3));
	TT_ASSERT_STAT(tcp_fin_wait2_timeouts, 1);
	cr_assert_eq(rec.n, 0);
	assert_released();
}

/* ---- close with data unread or arriving (RFC 2525 2.17) -------------- */

Test(tcp_close_active, close_with_unread_data_sends_rst_instead_of_fin)
{
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100);
	rec.n = 0;
	dpt_tcp_close(c, tt.now);
	/* RFC 9293 3.10.4 / RFC 2525 2.17: data was lost: reset,
	 * <SEQ=SND.NXT><CTL=RST> */
	TT_OUT(.flags = RST, .seq = iss + 1, .ack = 0, .wnd = 0);
	tt_poll();
	TT_NONE();
	TT_ASSERT_STAT(tcp_rst_sent, 1);
	TT_ASSERT_STAT(tcp_conn_reset, 1);
	TT_ASSERT_STAT(tcp_conn_closed, 0);
	cr_assert_eq(rec.n, 0);
	assert_released();
}

Test(tcp_close_active, data_after_close_in_fin_wait_1_is_answered_with_rst)
{
	dpt_tcp_close(c, tt.now);
	tt_poll();
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	/* nobody will read it (RFC 2525 2.17, as Linux): <SEQ=SND.NXT> */
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 10);
	TT_OUT(.flags = RST, .seq = iss + 2, .ack = 0, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_data_closed, 1);
	TT_ASSERT_STAT(tcp_conn_reset, 1);
	TT_ASSERT_STAT(tcp_rx_bytes, 0);
	cr_assert_eq(rec.n, 0);
	assert_released();
}

Test(tcp_close_active, data_after_close_in_fin_wait_2_is_answered_with_rst)
{
	dpt_tcp_close(c, tt.now);
	tt_poll();
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 2);
	TT_ASSERT_STAT(tcp_state_fin_wait_2, 1);
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 2, .len = 10);
	TT_OUT(.flags = RST, .seq = iss + 2, .ack = 0, .wnd = 0);
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_data_closed, 1);
	TT_ASSERT_STAT(tcp_conn_reset, 1);
	assert_released();
}

/* ---- ABORT (3.10.5) --------------------------------------------------- */

Test(tcp_close_active, abort_sends_rst_at_snd_nxt_and_no_event_follows)
{
	uint8_t d[100] = { 0 };

	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100);
	dpt_tcp_abort(c, tt.now);
	/* RFC 9293 3.10.5, ESTABLISHED: <SEQ=SND.NXT><CTL=RST> */
	TT_OUT(.flags = RST, .seq = iss + 101, .ack = 0, .wnd = 0);
	tt_poll();
	TT_NONE();
	assert_released();
	TT_ASSERT_STAT(tcp_conn_reset, 1);
	/* the peer's late ACK finds only the listener: RST <SEQ=SEG.ACK>
	 * (3.10.7.2), and no handler runs */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 101);
	TT_OUT(.flags = RST, .seq = iss + 101, .ack = 0, .wnd = 0);
	TT_NONE();
	cr_assert_eq(rec.n, 0);
}

Test(tcp_close_active, abort_in_time_wait_sends_nothing)
{
	to_time_wait();
	rec.n = 0;
	dpt_tcp_abort(c, tt.now);
	tt_poll();
	/* RFC 9293 3.10.5, TIME-WAIT: "ok", delete the TCB, no RST */
	TT_NONE();
	TT_ASSERT_STAT(tcp_rst_sent, 0);
	cr_assert_eq(rec.n, 0);
	assert_released();
}

/* ---- RST (3.10.7.4 second) -------------------------------------------- */

Test(tcp_close_active, rst_at_rcv_nxt_in_established_resets_the_connection)
{
	TT_IN(.flags = RST, .seq = 1001);
	TT_NONE();
	/* RFC 9293 3.10.7.4 second, ESTABLISHED: "connection reset" */
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.ev[0], DPT_TCP_EV_RESET | DPT_TCP_EV_CLOSED);
	cr_assert_eq(rec.err, DPT_TCP_ERR_RESET);
	TT_ASSERT_STAT(tcp_rst_rcvd, 1);
	TT_ASSERT_STAT(tcp_conn_reset, 1);
	TT_ASSERT_STAT(tcp_conn_closed, 0);
	assert_released();
}

Test(tcp_close_active, rst_at_rcv_nxt_in_closing_closes)
{
	to_closing();
	rec.n = 0;
	/* RFC 9293 3.10.7.4 second, CLOSING: enter CLOSED */
	TT_IN(.flags = RST, .seq = 1002);
	TT_NONE();
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.ev[0], DPT_TCP_EV_CLOSED);
	cr_assert_eq(rec.err, DPT_TCP_OK);
	TT_ASSERT_STAT(tcp_rst_rcvd, 1);
	TT_ASSERT_STAT(tcp_conn_closed, 1);
	TT_ASSERT_STAT(tcp_conn_reset, 0);
	assert_released();
}

/* ---- TIME-WAIT --------------------------------------------------------- */

Test(tcp_close_active, rst_at_rcv_nxt_in_time_wait_closes)
{
	to_time_wait();
	rec.n = 0;
	/* RFC 9293 3.10.7.4 second, TIME-WAIT: enter CLOSED */
	TT_IN(.flags = RST, .seq = 1002);
	TT_NONE();
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.ev[0], DPT_TCP_EV_CLOSED);
	TT_ASSERT_STAT(tcp_rst_rcvd, 1);
	TT_ASSERT_STAT(tcp_conn_closed, 1); /* one connection, closed once */
	assert_released();
}

Test(tcp_close_active, retransmitted_fin_in_time_wait_is_acked_and_restarts_two_msl)
{
	to_time_wait();
	tt_advance(dpt_s(30));
	peer_asks_for_us();
	/* our ACK was lost: the peer sends its FIN again */
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 2);
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535);
	TT_NONE();
	/* RFC 9293 3.10.7.4 eighth, TIME-WAIT: restart the 2 MSL timeout:
	 * it now ends 60 s after this FIN, not 60 s after the first */
	tt_advance(dpt_s(31));
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_TIME_WAIT,
		     "TIME-WAIT ended 60 s after the first FIN");
	tt_advance(dpt_s(29) - dpt_ms(2));
	TT_ASSERT_STAT(tcp_state_time_wait, 1);
	tt_advance(dpt_ms(3));
	assert_released();
}

Test(tcp_close_active, text_in_time_wait_is_ignored_and_acked)
{
	to_time_wait();
	/* RFC 9293 3.10.7.4 seventh, TIME-WAIT: ignore the text */
	TT_IN(.flags = ACK | PSH, .seq = 1002, .ack = iss + 2, .len = 10);
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 0);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_TIME_WAIT);
	TT_ASSERT_STAT(tcp_drop_data_state, 1);
}

Test(tcp_close_active, text_in_closing_is_ignored_and_acked)
{
	to_closing();
	TT_IN(.flags = ACK | PSH, .seq = 1002, .ack = iss + 1, .len = 10);
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 0);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_CLOSING);
	TT_ASSERT_STAT(tcp_drop_data_state, 1);
}

/* ---- max_timewait ------------------------------------------------------ */

TestSuite(tcp_close_no_timewait, .init = setup_no_timewait,
	  .fini = tt_teardown);

Test(tcp_close_no_timewait, peer_fin_in_fin_wait_2_releases_at_once)
{
	to_fin_wait_2();
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 2);
	/* the FIN is still ACKed; TIME-WAIT is skipped (counted) */
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535);
	TT_NONE();
	TT_ASSERT_STAT(tcp_timewait_overflow, 1);
	TT_ASSERT_STAT(tcp_conn_closed, 1);
	cr_assert_eq(rec.closed, 1);
	cr_assert_eq(last_ev(), DPT_TCP_EV_PEER_CLOSED | DPT_TCP_EV_CLOSED);
	cr_assert_eq(rec.err, DPT_TCP_OK);
	assert_released();
}

/* ---- passive close: CLOSE-WAIT, LAST-ACK (figure 12, right side) ------ */

TestSuite(tcp_close_passive, .init = setup_plain, .fini = tt_teardown);

Test(tcp_close_passive, fin_in_established_enters_close_wait_acked_and_signalled)
{
	/* RFC 9293 3.10.7.4 eighth, ESTABLISHED: CLOSE-WAIT, ACK the FIN,
	 * signal "connection closing" */
	to_close_wait();
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.ev[0], DPT_TCP_EV_PEER_CLOSED);
	cr_assert(dpt_tcp_peer_closed(c));
	cr_assert_eq(dpt_tcp_readable(c), 0);
	TT_ASSERT_STAT(tcp_state_established, 0);
	TT_ASSERT_STAT(tcp_state_close_wait, 1);
}

Test(tcp_close_passive, fin_with_data_queues_the_data_and_acks_both_at_once)
{
	TT_IN(.flags = FIN | PSH | ACK, .seq = 1001, .ack = iss + 1,
	      .len = 100);
	/* no delayed ACK for a FIN */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1102, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_CLOSE_WAIT);
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.ev[0], DPT_TCP_EV_READABLE | DPT_TCP_EV_PEER_CLOSED);
	cr_assert_eq(dpt_tcp_readable(c), 100);
	cr_assert(dpt_tcp_peer_closed(c));
}

Test(tcp_close_passive, reading_after_the_peers_fin_sends_no_window_update)
{
	uint8_t buf[60000];

	/* 60000 bytes fill most of the 65535 window, then FIN */
	for (uint32_t off = 0; off < 60000; off += 536)
		TT_IN(.flags = ACK, .seq = 1001 + off, .ack = iss + 1,
		      .len = RTE_MIN(536u, 60000 - off));
	TT_IN(.flags = FIN | ACK, .seq = 61001, .ack = iss + 1);
	tt_skip_all();
	/* the window opens by 60000, but nothing more can come: no update
	 * (a closed peer would answer it with RST) */
	cr_assert_eq(dpt_tcp_read(c, buf, sizeof(buf)), 60000);
	tt_poll();
	TT_NONE();
}

Test(tcp_close_passive, close_wait_application_data_is_sent_and_acknowledged)
{
	uint8_t d[200];

	to_close_wait();
	/* RFC 9293 3.6 half-close, 3.10.2 SEND in CLOSE-WAIT: allowed */
	tt_pattern(d, 3, sizeof(d));
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), 200);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1002, .wnd = 65535,
	       .len = 200, .data = d);
	TT_NONE();
	TT_IN(.flags = ACK, .seq = 1002, .ack = iss + 201);
	TT_NONE();
	cr_assert_eq(dpt_tcp_sndbuf_free(c), 256 * 1024);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_CLOSE_WAIT);
}

Test(tcp_close_passive, close_in_close_wait_sends_fin_and_its_ack_closes)
{
	uint8_t d[50] = { 0 };

	to_close_wait();
	dpt_tcp_write(c, d, sizeof(d));
	rec.n = 0;
	/* RFC 9293 3.10.4, CLOSE-WAIT: the data, then FIN, LAST-ACK */
	dpt_tcp_close(c, tt.now);
	tt_poll();
	TT_OUT(.flags = ACK | PSH | FIN, .seq = iss + 1, .ack = 1002,
	       .wnd = 65535, .len = 50);
	TT_NONE();
	TT_ASSERT_STAT(tcp_state_close_wait, 0);
	TT_ASSERT_STAT(tcp_state_last_ack, 1);
	/* fifth, LAST-ACK: the ACK of our FIN: CLOSED */
	TT_IN(.flags = ACK, .seq = 1002, .ack = iss + 52);
	TT_NONE();
	TT_ASSERT_STAT(tcp_conn_closed, 1);
	cr_assert_eq(rec.n, 0);
	assert_released();
}

Test(tcp_close_passive, last_ack_delivers_closed_exactly_once_and_nothing_after)
{
	to_last_ack();
	rec.n = 0;
	TT_IN(.flags = ACK, .seq = 1002, .ack = iss + 2);
	TT_NONE();
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.ev[0], DPT_TCP_EV_CLOSED);
	cr_assert_eq(rec.closed, 1);
	cr_assert_eq(rec.err, DPT_TCP_OK);
	assert_released();
	/* the peer repeats FIN and ACK: no connection, so the listener
	 * answers <SEQ=SEG.ACK><CTL=RST> (3.10.7.2); no handler runs */
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 2);
	TT_OUT(.flags = RST, .seq = iss + 2, .ack = 0, .wnd = 0);
	TT_NONE();
	tt_advance(dpt_s(1));
	cr_assert_eq(rec.n, 1);
}

Test(tcp_close_passive, last_ack_retransmits_fin_after_the_rto)
{
	to_last_ack();
	tt_advance(dpt_ms(199));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = FIN | ACK, .seq = iss + 1, .ack = 1002, .wnd = 65535);
	TT_NONE();
	TT_ASSERT_STAT(tcp_retransmits, 1);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_LAST_ACK);
}

Test(tcp_close_passive, rst_at_rcv_nxt_in_last_ack_closes)
{
	to_last_ack();
	rec.n = 0;
	TT_IN(.flags = RST, .seq = 1002);
	TT_NONE();
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.ev[0], DPT_TCP_EV_CLOSED);
	TT_ASSERT_STAT(tcp_rst_rcvd, 1);
	TT_ASSERT_STAT(tcp_conn_closed, 1);
	TT_ASSERT_STAT(tcp_conn_reset, 0);
	assert_released();
}

Test(tcp_close_passive, abort_in_last_ack_sends_nothing)
{
	to_last_ack();
	rec.n = 0;
	dpt_tcp_abort(c, tt.now);
	tt_poll();
	/* RFC 9293 3.10.5, LAST-ACK: "ok", delete the TCB, no RST */
	TT_NONE();
	TT_ASSERT_STAT(tcp_rst_sent, 0);
	cr_assert_eq(rec.n, 0);
	assert_released();
}

Test(tcp_close_passive, text_in_close_wait_is_ignored_and_acked)
{
	to_close_wait();
	/* RFC 9293 3.10.7.4 seventh, CLOSE-WAIT: ignore the text */
	TT_IN(.flags = ACK | PSH, .seq = 1002, .ack = iss + 1, .len = 10);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1002, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 0);
	TT_ASSERT_STAT(tcp_drop_data_state, 1);
	TT_ASSERT_STAT(tcp_rx_bytes, 0);
}

Test(tcp_close_passive, text_in_last_ack_is_ignored_and_acked)
{
	to_last_ack();
	TT_IN(.flags = ACK | PSH, .seq = 1002, .ack = iss + 1, .len = 10);
	TT_OUT(.flags = ACK, .seq = iss + 2, .ack = 1002, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 0);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_LAST_ACK);
	TT_ASSERT_STAT(tcp_drop_data_state, 1);
}

Test(tcp_close_passive, retransmitted_fin_in_close_wait_is_acked_without_a_second_event)
{
	to_close_wait();
	rec.n = 0;
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 1);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1002, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(rec.n, 0, "EV_PEER_CLOSED again");
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_CLOSE_WAIT);
}

/* A handler that answers the peer's FIN by writing and closing. */
static void
bye_handler(struct dpt_tcb *conn, uint32_t ev, void *arg, uint64_t now)
{
	rec_handler(conn, ev, arg, now);
	if (ev & DPT_TCP_EV_PEER_CLOSED) {
		cr_assert_eq(dpt_tcp_write(conn, "bye", 3), 3);
		dpt_tcp_close(conn, now);
	}
}

Test(tcp_close_passive, handler_may_write_and_close_on_peer_closed)
{
	dpt_tcp_set_handler(c, bye_handler, NULL);
	TT_IN(.flags = FIN | ACK, .seq = 1001, .ack = iss + 1);
	/* dpt_tcp.h: calls from a handler take effect when it returns: the
	 * ACK of the FIN, the data and our FIN share one segment */
	TT_OUT(.flags = ACK | PSH | FIN, .seq = iss + 1, .ack = 1002,
	       .wnd = 65535, .len = 3, .data = "bye");
	TT_NONE();
	cr_assert_eq(rec.n, 1);
	TT_ASSERT_STAT(tcp_state_last_ack, 1);
	TT_IN(.flags = ACK, .seq = 1002, .ack = iss + 5);
	TT_NONE();
	cr_assert_eq(rec.n, 1);
	TT_ASSERT_STAT(tcp_conn_closed, 1);
	assert_released();
}

Test(tcp_close_passive, fin_beyond_a_gap_waits_for_the_gap_to_fill)
{
	TT_IN(.flags = FIN | ACK, .seq = 1101, .ack = iss + 1, .len = 100);
	/* RFC 9293 3.10.7.4 eighth: a FIN is acted on only once everything
	 * before it arrived; until then a duplicate ACK (RFC 5681 4.2) */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	cr_assert_not(dpt_tcp_peer_closed(c));
	cr_assert_eq(rec.n, 0);
	TT_ASSERT_STAT(tcp_ooo_segs, 1);
	/* the gap fills: 200 bytes and the FIN, ACKed at once */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1202, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_CLOSE_WAIT);
	cr_assert(dpt_tcp_peer_closed(c));
	cr_assert_eq(dpt_tcp_readable(c), 200);
	cr_assert_eq(last_ev(), DPT_TCP_EV_READABLE | DPT_TCP_EV_PEER_CLOSED);
}

/* ---- a graceful shutdown's helpers ------------------------------------ */
/* dptcpd's SIGTERM: the listener closes while accepted connections go on;
 * dpt_tcp_unfinished() says when nothing but TIME-WAIT is left; at the
 * deadline dpt_tcp_abort_all(, tt.now) resets the rest as ABORT would. */

TestSuite(tcp_shutdown_all, .init = setup_plain, .fini = tt_teardown);

Test(tcp_shutdown_all, unlisten_keeps_accepted_connections_and_refuses_syns)
{
	struct dpt_tcp_listener *l = listener_find(tt.tcp, TT_PORT);
	uint8_t d[10] = { 0 };

	dpt_tcp_unlisten(l, tt.now);
	tt_poll();
	TT_NONE(); /* nothing said to the accepted connection */
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	TT_ASSERT_STAT(tcp_listeners, 0);
	/* it still carries data */
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), 10);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 10);
	/* a new SYN to the port finds no listener: RFC 9293 3.10.7.1,
	 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
	TT_IN(.flags = SYN, .seq = 5000, .sport = 40001);
	TT_OUT(.flags = RST | ACK, .seq = 0, .ack = 5001, .wnd = 0);
	TT_NONE();
	cr_assert_eq(dpt_tcp_unfinished(tt.tcp), 1);
}

Test(tcp_shutdown_all, unfinished_counts_until_only_time_wait_is_left)
{
	cr_assert_eq(dpt_tcp_unfinished(tt.tcp), 1);
	to_time_wait();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_TIME_WAIT);
	cr_assert_eq(dpt_tcp_unfinished(tt.tcp), 0);
}

Test(tcp_shutdown_all, abort_all_resets_established_at_snd_nxt)
{
	uint8_t d[100] = { 0 };

	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100);
	cr_assert_eq(dpt_tcp_abort_all(tt.tcp, tt.now), 1);
	/* RFC 9293 3.10.5, ESTABLISHED: <SEQ=SND.NXT><CTL=RST> */
	TT_OUT(.flags = RST, .seq = iss + 101, .ack = 0, .wnd = 0);
	tt_poll();
	TT_NONE();
	/* the application, still attached, hears CLOSED (no RESET: it was
	 * our abort, not the peer's) */
	cr_assert_eq(last_ev(), DPT_TCP_EV_CLOSED);
	cr_assert_eq(rec.err, DPT_TCP_ERR_ABORTED);
	TT_ASSERT_STAT(tcp_shutdown_resets, 1);
	TT_ASSERT_STAT(tcp_rst_sent, 1);
	cr_assert_eq(dpt_tcp_unfinished(tt.tcp), 0);
	assert_released();
}

Test(tcp_shutdown_all, abort_all_leaves_time_wait_alone)
{
	to_time_wait();
	rec.n = 0;
	cr_assert_eq(dpt_tcp_abort_all(tt.tcp, tt.now), 0);
	tt_poll();
	TT_NONE();
	cr_assert_eq(rec.n, 0);
	TT_ASSERT_STAT(tcp_state_time_wait, 1);
	TT_ASSERT_STAT(tcp_shutdown_resets, 0);
}

Test(tcp_shutdown_all, abort_all_in_last_ack_sends_nothing)
{
	to_last_ack();
	cr_assert_eq(dpt_tcp_unfinished(tt.tcp), 1);
	cr_assert_eq(dpt_tcp_abort_all(tt.tcp, tt.now), 1);
	tt_poll();
	/* RFC 9293 3.10.5, LAST-ACK: delete the TCB, no RST */
	TT_NONE();
	TT_ASSERT_STAT(tcp_rst_sent, 0);
	TT_ASSERT_STAT(tcp_shutdown_resets, 1);
	assert_released();
}
