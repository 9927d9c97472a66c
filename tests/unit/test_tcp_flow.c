/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_flow.c: flow control (RFC 9293 3.8.6): the peer's window and
 * its update rule (SND.WL1, SND.WL2), the window we advertise (never
 * shrinking, receiver SWS avoidance, window updates, zero windows), sender
 * SWS avoidance and Nagle with Minshall's refinement (RFC 9293 3.8.6.2.1,
 * RFC 896), window scaling (RFC 7323 2), and the data API that feeds and
 * drains the windows: dpt_tcp_send()/dpt_tcp_write(), dpt_tcp_recv()/
 * dpt_tcp_read(), with mbuf accounting.
 *
 * Unless a test says otherwise the connection is passive, peer ISN 1000,
 * no options: MSS 536 both ways (RFC 9293 3.7.1), no scaling, our window
 * the free buffer capped at 65535.
 */
#include <errno.h>
#include <string.h>

#include <rte_mempool.h>

#include "tcp_harness.h"
#include "tcp_impl.h"

static uint32_t iss;
static struct dpt_tcb *c;
static uint16_t freed; /* sink frames already freed by free_seen() */

/* The options we put on a non-SYN segment once timestamps are on. */
#define TS_ECHO(x) { .present = DPT_TCPOPT_TS, .tsecr = (x) }
/* The peer's TSval on everything after its handshake ACK (TSval 101). */
#define PTS 102

/* Passive open with the peer's windows chosen: @syn_wnd in its SYN,
 * @ack_wnd in the third segment. No options. */
static void
open_plain(uint16_t syn_wnd, uint16_t ack_wnd)
{
	struct dpt_tcp_seg s;

	tt_listen();
	TT_IN(.flags = SYN, .seq = 1000, .wnd = syn_wnd, .wnd_set = 1);
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN | ACK);
	iss = s.seq;
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = ack_wnd,
	      .wnd_set = 1);
	cr_assert_not_null(tt.conn, "the handshake did not complete");
	c = tt.conn;
}

/* Passive open as Linux does it (MSS 1460, SACK, timestamps, scale 7;
 * TSval 100 then 101), the third segment's window field @ack_wnd. Our
 * segments then carry 1448 bytes (MSS less the timestamp option). What we
 * sent is skipped. */
static void
open_ws(uint16_t ack_wnd)
{
	struct dpt_tcp_seg s;

	tt_listen();
	TT_IN(.flags = SYN, .seq = 1000, .opt = tt_syn_opts(100));
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN | ACK);
	iss = s.seq;
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = ack_wnd,
	      .wnd_set = 1, .opt = tt_ts(101, s.opt.tsval));
	cr_assert_not_null(tt.conn, "the handshake did not complete");
	c = tt.conn;
	tt_skip_all();
}

/* A chain of @n mbufs from th_pool holding lens[i] bytes each, taken in
 * order from @bytes. */
static struct rte_mbuf *
chain(const uint8_t *bytes, const uint16_t *lens, unsigned int n)
{
	struct rte_mbuf *h = NULL;

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(th_pool);
		char *p;

		cr_assert_not_null(m);
		p = rte_pktmbuf_append(m, lens[i]);
		cr_assert_not_null(p);
		memcpy(p, bytes, lens[i]);
		bytes += lens[i];
		if (h == NULL)
			h = m;
		else
			cr_assert_eq(rte_pktmbuf_chain(h, m), 0);
	}
	return h;
}

/* Bytes that are not the harness's sequence pattern, so an offset error
 * cannot go unnoticed. */
static void
fill(uint8_t *b, uint32_t len, uint8_t salt)
{
	for (uint32_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + salt + (i >> 8));
}

/* Free the captured frames already examined: they hold references to
 * send-queue mbufs (the segments are built of indirect mbufs). */
static void
free_seen(void)
{
	for (; freed < tt.seen; freed++) {
		rte_pktmbuf_free(tt.i.sink.pkts[freed]);
		tt.i.sink.pkts[freed] = NULL;
	}
}

static struct dpt_tcp_info
info(void)
{
	struct dpt_tcp_info i;

	dpt_tcp_get_info(c, &i);
	return i;
}

static void
setup_plain(void)
{
	tt_setup();
	c = tt_accept(&TT_OPTS_NONE, &iss);
}

static void
small_rcvbuf(struct dpt_tcp_conf *cf)
{
	cf->rcvbuf = 4096;
}

/* A 4 KiB receive buffer: no scale (4096 fits 16 bits), SYN-ACK window
 * 4096, so RCV.NXT + RCV.WND = 5097 after the handshake. */
static void
setup_small_rcvbuf(void)
{
	tt_setup_with(small_rcvbuf);
	c = tt_accept(&TT_OPTS_NONE, &iss);
}

/* ===================================================================== */
/* The peer's window: RFC 9293 3.8.6, 3.10.7.4 fifth (window update).     */
/* ===================================================================== */

TestSuite(tcp_flow_peer_window, .init = tt_setup, .fini = tt_teardown);

Test(tcp_flow_peer_window, never_sends_beyond_snd_una_plus_snd_wnd)
{
	static uint8_t d[3000];

	/* RFC 9293 3.8.6: the window is 1072 bytes, two full segments;
	 * the congestion window (10 segments) is not the limit. */
	open_plain(1072, 1072);
	fill(d, sizeof(d), 1);
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), 3000);
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = d);
	TT_OUT(.flags = ACK, .seq = iss + 537, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = d + 536);
	TT_NONE();
	cr_assert_eq(info().snd_wnd, 1072);
	/* the left edge moves 536: so may the data */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 537, .wnd = 1072,
	      .wnd_set = 1);
	TT_OUT(.flags = ACK, .seq = iss + 1073, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = d + 1072);
	TT_NONE();
	TT_ASSERT_STAT(tcp_tx_bytes, 1608);
}

Test(tcp_flow_peer_window, window_update_from_the_peer_releases_queued_data)
{
	static uint8_t d[1500];

	open_plain(536, 536);
	fill(d, sizeof(d), 2);
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = d);
	TT_NONE();
	/* acknowledged, but the window closes */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 537, .wnd = 0,
	      .wnd_set = 1);
	TT_NONE();
	/* RFC 9293 3.10.7.4: same SEG.SEQ and SEG.ACK, a new window: an
	 * update (SND.WL1 = SEG.SEQ, SND.WL2 <= SEG.ACK); the rest goes */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 537, .wnd = 2000,
	      .wnd_set = 1);
	TT_OUT(.flags = ACK, .seq = iss + 537, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = d + 536);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1073, .ack = 1001,
	       .wnd = 65535, .len = 428, .data = d + 1072);
	TT_NONE();
	cr_assert_eq(info().snd_wnd, 2000);
	TT_ASSERT_STAT(tcp_fast_retransmits, 0);
}

Test(tcp_flow_peer_window, zero_window_is_probed_with_one_octet_after_the_rto)
{
	static uint8_t d[100];

	open_plain(65535, 65535);
	fill(d, sizeof(d), 3);
	/* RFC 9293 3.10.7.4: a pure window update closes the window */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 0, .wnd_set = 1);
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_NONE();
	/* RFC 9293 3.8.6.1 (MUST-36): probe after the RTO (200 ms, the
	 * handshake's sample is near 0) with one new octet */
	tt_advance(dpt_ms(199));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 1, .data = d);
	TT_NONE();
	TT_ASSERT_STAT(tcp_window_probes, 1);
	TT_ASSERT_STAT(tcp_retransmits, 0);
	/* the probe octet is taken and the window opens: the rest goes,
	 * nothing being in flight */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 2, .wnd = 1000,
	      .wnd_set = 1);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 2, .ack = 1001, .wnd = 65535,
	       .len = 99, .data = d + 1);
	TT_NONE();
}

Test(tcp_flow_peer_window, window_shut_on_data_in_flight_is_probed_at_the_rto)
{
	static uint8_t d[1072];

	open_plain(65535, 65535);
	fill(d, sizeof(d), 5);
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = d);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 537, .ack = 1001,
	       .wnd = 65535, .len = 536, .data = d + 536);
	TT_NONE();
	/* The first segment is taken, then the window shuts with the
	 * second one still in flight (a peer out of buffer drops it). */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 537, .wnd = 0,
	      .wnd_set = 1);
	TT_NONE();
	/* RFC 9293 3.8.6.1, RFC 1122 4.2.2.17: at the RTO the window is
	 * still shut, so resending within it would send nothing and the
	 * retries would run out while the peer answers. The window is
	 * probed with one octet at SND.UNA instead, backing off. */
	tt_advance(dpt_ms(201));
	TT_OUT(.flags = ACK, .seq = iss + 537, .ack = 1001, .wnd = 65535,
	       .len = 1, .data = d + 536);
	TT_NONE();
	TT_ASSERT_STAT(tcp_window_probes, 1);
	/* answered, window still 0: probing goes on, backed off (400 ms) */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 537, .wnd = 0,
	      .wnd_set = 1);
	tt_advance(dpt_ms(399));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK, .seq = iss + 537, .ack = 1001, .wnd = 65535,
	       .len = 1, .data = d + 536);
	TT_ASSERT_STAT(tcp_window_probes, 2);
	/* the window opens with the probe octet taken: the rest goes */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 538, .wnd = 4000,
	      .wnd_set = 1);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 538, .ack = 1001,
	       .wnd = 65535, .len = 535, .data = d + 537);
	TT_NONE();
	TT_ASSERT_STAT(tcp_conn_timeout, 0);
}

Test(tcp_flow_peer_window, ack_after_an_rto_carries_the_highest_sequence_sent)
{
	static uint8_t d[1608];

	open_plain(65535, 65535);
	fill(d, sizeof(d), 7);
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	tt_skip_all(); /* three segments, iss + 1 .. iss + 1609 */
	/* RFC 6298 5.4: the RTO resends the first segment; SND.NXT is back
	 * at iss + 537 */
	tt_advance(dpt_ms(201));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = d);
	TT_NONE();
	/* The peer may well hold everything up to iss + 1609 already: an
	 * ACK from SND.NXT would lie below its RCV.NXT, outside its window,
	 * and be dropped with its ACK field. A segment without data carries
	 * SND.MAX. */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1609, .ack = 1101, .wnd = 65535);
	TT_NONE();
}

Test(tcp_flow_peer_window, window_shut_past_persist_timeout_resets)
{
	static uint8_t d[100];

	tt.tcp->conf.persist_timeout_us = dpt_s(3);
	open_plain(65535, 65535);
	fill(d, sizeof(d), 8);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 0, .wnd_set = 1);
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	/* probes at about 0.2, 0.6 and 1.4 s (the RTO, doubling), each
	 * answered with the window still shut (RFC 1122 4.2.2.17: answered
	 * probes keep it alive) */
	for (unsigned int i = 0; i < 3; i++) {
		tt_advance(dpt_ms((200u << i) + 2));
		TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
		       .len = 1, .data = d);
		TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 0,
		      .wnd_set = 1);
	}
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	/* RFC 6429: 3 s with nothing taken: at the next probe time (3.0 s)
	 * the connection is reset, the application told it timed out */
	tt_advance(dpt_ms(1600 + 2));
	/* from the peer's RCV.NXT: no probe octet was taken (a RST must be
	 * at it exactly, RFC 5961 3.2) */
	TT_OUT(.flags = RST, .seq = iss + 1);
	TT_NONE();
	TT_ASSERT_STAT(tcp_persist_timeouts, 1);
	cr_assert(tt.events & DPT_TCP_EV_RESET);
	cr_assert_eq(dpt_tcp_error(c), DPT_TCP_ERR_TIMEOUT);
}

Test(tcp_flow_peer_window, older_segment_does_not_update_the_window_snd_wl1)
{
	static uint8_t d[1000];

	open_plain(65535, 65535);
	fill(d, sizeof(d), 4);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 4000,
	      .wnd_set = 1, .len = 100);
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 1, .wnd = 4000,
	      .wnd_set = 1, .len = 100);
	cr_assert_eq(info().snd_wnd, 4000);
	/* a retransmission from 1001 (with 100 new octets) carrying an
	 * older window: SND.WL1 (1101) > SEG.SEQ, so it must not update
	 * it (RFC 9293 3.10.7.4 fifth: "old segments") */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 0,
	      .wnd_set = 1, .len = 300);
	cr_assert_eq(dpt_tcp_readable(c), 300);
	cr_assert_eq(info().snd_wnd, 4000);
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1301, .wnd = 65535,
	       .len = 536, .data = d);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 537, .ack = 1301,
	       .wnd = 65535, .len = 464, .data = d + 536);
	TT_NONE();
}

Test(tcp_flow_peer_window, older_ack_does_not_update_the_window_snd_wl2)
{
	static uint8_t d[1000], e[2000];

	open_plain(65535, 65535);
	fill(d, sizeof(d), 5);
	fill(e, sizeof(e), 6);
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	tt_skip_all();
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1001, .wnd = 3000,
	      .wnd_set = 1);
	/* reordered: an earlier ACK with the same SEG.SEQ but a smaller
	 * SEG.ACK than SND.WL2 is not a window update */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 537, .wnd = 0,
	      .wnd_set = 1);
	TT_NONE();
	cr_assert_eq(info().snd_wnd, 3000);
	dpt_tcp_write(c, e, sizeof(e));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1001, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = e);
	TT_OUT(.flags = ACK, .seq = iss + 1537, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = e + 536);
	TT_OUT(.flags = ACK, .seq = iss + 2073, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = e + 1072);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 2609, .ack = 1001,
	       .wnd = 65535, .len = 392, .data = e + 1608);
	TT_NONE();
}

Test(tcp_flow_peer_window, shrunk_window_is_obeyed_until_it_opens_again)
{
	static uint8_t d[2500];

	open_plain(65535, 65535);
	fill(d, sizeof(d), 27);
	dpt_tcp_write(c, d, 1500);
	tt_poll();
	tt_skip_all(); /* 536, 536, 428 */
	/* the peer takes back its window: the right edge (iss + 1037)
	 * falls below SND.NXT (iss + 1501). RFC 9293 3.8.6 (MUST-34):
	 * cope, and send nothing new beyond it */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 537, .wnd = 500,
	      .wnd_set = 1);
	dpt_tcp_write(c, d + 1500, 1000);
	tt_poll();
	TT_NONE();
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1501, .wnd = 1000,
	      .wnd_set = 1);
	TT_OUT(.flags = ACK, .seq = iss + 1501, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = d + 1500);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 2037, .ack = 1001,
	       .wnd = 65535, .len = 464, .data = d + 2036);
	TT_NONE();
}

/* ===================================================================== */
/* Sender SWS avoidance (RFC 9293 3.8.6.2.1, MUST-38) and Nagle (RFC 896, */
/* RFC 1122 4.2.3.4) with Minshall's refinement.                         */
/* ===================================================================== */

TestSuite(tcp_flow_sender_sws, .init = tt_setup, .fini = tt_teardown);

Test(tcp_flow_sender_sws, window_limited_segment_of_half_the_max_window_is_sent)
{
	static uint8_t d[2000];

	/* the peer's largest window is 1000 bytes */
	open_plain(1000, 1000);
	fill(d, sizeof(d), 7);
	dpt_tcp_write(c, d, 500);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 500, .data = d);
	/* 500 in flight, 500 usable: exactly Fs = 1/2 of the max window,
	 * so the window-limited segment goes (not PSH: more is queued) */
	dpt_tcp_write(c, d + 500, 1500);
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 501, .ack = 1001, .wnd = 65535,
	       .len = 500, .data = d + 500);
	TT_NONE();
}

Test(tcp_flow_sender_sws, window_limited_segment_below_half_the_max_window_waits)
{
	static uint8_t d[2001];

	open_plain(1000, 1000);
	fill(d, sizeof(d), 8);
	dpt_tcp_write(c, d, 501);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 501, .data = d);
	/* 499 usable < 1000 / 2: a silly segment, held */
	dpt_tcp_write(c, d + 501, 1500);
	tt_poll();
	TT_NONE();
	/* all acknowledged: a full segment fits, then 464 < 500 waits
	 * again while that segment is in flight */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 502, .wnd = 1000,
	      .wnd_set = 1);
	TT_OUT(.flags = ACK, .seq = iss + 502, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = d + 501);
	TT_NONE();
}

Test(tcp_flow_sender_sws, small_window_is_used_when_nothing_is_in_flight)
{
	static uint8_t d[1000];

	open_plain(65535, 65535);
	fill(d, sizeof(d), 9);
	/* the window shrinks to 100, far below half of 65535 */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 100,
	      .wnd_set = 1);
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	/* nothing in flight: waiting would only wait for the persist
	 * timer, so the usable window is sent */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100, .data = d);
	TT_NONE();
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 101, .wnd = 100,
	      .wnd_set = 1);
	TT_OUT(.flags = ACK, .seq = iss + 101, .ack = 1001, .wnd = 65535,
	       .len = 100, .data = d + 100);
	TT_NONE();
}

Test(tcp_flow_sender_sws, nodelay_does_not_override_sender_sws_avoidance)
{
	static uint8_t d[2001];

	/* MUST-38 holds with Nagle off: only condition (2) of 3.8.6.2.1
	 * (all queued data can go) is what NODELAY relaxes */
	open_plain(1000, 1000);
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_NODELAY, 1, tt.now), 0);
	fill(d, sizeof(d), 10);
	dpt_tcp_write(c, d, 501);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 501, .data = d);
	dpt_tcp_write(c, d + 501, 1500);
	tt_poll();
	TT_NONE();
}

Test(tcp_flow_sender_sws, short_tail_waits_only_for_the_earlier_short_segment)
{
	static uint8_t d[700];

	open_plain(65535, 65535);
	fill(d, sizeof(d), 11);
	dpt_tcp_write(c, d, 100);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100, .data = d);
	dpt_tcp_write(c, d + 100, 600);
	tt_poll();
	/* a full segment goes; the 64-byte tail waits: a short segment
	 * (the first 100) is unacknowledged (Minshall) */
	TT_OUT(.flags = ACK, .seq = iss + 101, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = d + 100);
	TT_NONE();
	/* only the short one is acknowledged: the tail goes though the
	 * full segment is still in flight */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 101);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 637, .ack = 1001, .wnd = 65535,
	       .len = 64, .data = d + 636);
	TT_NONE();
}

Test(tcp_flow_sender_sws, new_short_segment_waits_while_the_short_tail_is_unacked)
{
	static uint8_t d[1250];

	open_plain(65535, 65535);
	fill(d, sizeof(d), 12);
	dpt_tcp_write(c, d, 1200);
	tt_poll();
	tt_skip_all(); /* 536, 536 and a short 128 */
	dpt_tcp_write(c, d + 1200, 50);
	tt_poll();
	TT_NONE();
	/* the first full segment is acknowledged, not the short tail */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 537);
	TT_NONE();
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1201);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1201, .ack = 1001,
	       .wnd = 65535, .len = 50, .data = d + 1200);
	TT_NONE();
}

Test(tcp_flow_sender_sws, setting_nodelay_releases_a_held_segment)
{
	static uint8_t d[150];

	open_plain(65535, 65535);
	fill(d, sizeof(d), 13);
	dpt_tcp_write(c, d, 100);
	tt_poll();
	tt_skip_all();
	dpt_tcp_write(c, d + 100, 50);
	tt_poll();
	TT_NONE();
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_NODELAY, 1, tt.now), 0);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 101, .ack = 1001, .wnd = 65535,
	       .len = 50, .data = d + 100);
	TT_NONE();
}

/* ===================================================================== */
/* Our window (tcp_rcv_window, window_update_due): RFC 9293 3.8.6,        */
/* 3.8.6.2.2, with a 4 KiB buffer.                                       */
/* ===================================================================== */

TestSuite(tcp_flow_rcv_window, .init = setup_small_rcvbuf,
	  .fini = tt_teardown);

/* The peer fills the 4 KiB buffer with four 1024-byte segments. */
static void
fill_buffer(void)
{
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 1024);
	TT_IN(.flags = ACK, .seq = 2025, .ack = iss + 1, .len = 1024);
	TT_IN(.flags = ACK, .seq = 3049, .ack = iss + 1, .len = 1024);
	TT_IN(.flags = ACK, .seq = 4073, .ack = iss + 1, .len = 1024);
	cr_assert_eq(dpt_tcp_readable(c), 4096);
}

Test(tcp_flow_rcv_window, zero_window_is_advertised_when_the_buffer_fills)
{
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 1024);
	TT_NONE();
	/* RFC 5681 4.2: every second full segment; the window is what is
	 * left of the buffer */
	TT_IN(.flags = ACK, .seq = 2025, .ack = iss + 1, .len = 1024);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 3049, .wnd = 2048);
	TT_IN(.flags = ACK, .seq = 3049, .ack = iss + 1, .len = 1024);
	TT_NONE();
	TT_IN(.flags = ACK, .seq = 4073, .ack = iss + 1, .len = 1024);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5097, .wnd = 0);
	TT_NONE();
	cr_assert_eq(info().rcv_wnd, 0);
}

Test(tcp_flow_rcv_window, ack_at_the_right_edge_behind_a_hole_is_taken)
{
	static uint8_t d[500];

	fill(d, sizeof(d), 6);
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 4096,
	       .len = 500, .data = d);
	/* 1001..2024 is lost; the peer sends the rest of the window, up to
	 * its right edge 5097, and each arrival is answered at once */
	TT_IN(.flags = ACK, .seq = 2025, .ack = iss + 1, .len = 1024);
	TT_IN(.flags = ACK, .seq = 3049, .ack = iss + 1, .len = 1024);
	TT_IN(.flags = ACK, .seq = 4073, .ack = iss + 1, .len = 1024);
	tt_skip_all();
	/* Its window full, the peer's next segment is a pure ACK of our
	 * data from SEG.SEQ = 5097 = RCV.NXT + RCV.WND: taken, as Linux
	 * and the BSDs take it (RFC 9293's table would drop it, and every
	 * ACK after it until the hole fills) */
	TT_IN(.flags = ACK, .seq = 5097, .ack = iss + 501);
	TT_NONE();
	cr_assert_eq(info().snd_queued, 0);
	TT_ASSERT_STAT(tcp_drop_seq, 0);
	/* one past it is outside: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
	TT_IN(.flags = ACK, .seq = 5098, .ack = iss + 501);
	TT_OUT(.flags = ACK, .seq = iss + 501, .ack = 1001, .wnd = 4096);
	TT_ASSERT_STAT(tcp_drop_seq, 1);
}

Test(tcp_flow_rcv_window, data_into_a_zero_window_is_dropped_and_acked)
{
	fill_buffer();
	tt_skip_all();
	/* RFC 9293 3.10.7.4: with RCV.WND = 0 no data is acceptable; the
	 * segment is answered with <SEQ=SND.NXT><ACK=RCV.NXT> */
	TT_IN(.flags = ACK, .seq = 5097, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5097, .wnd = 0);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 4096);
	TT_ASSERT_STAT(tcp_rx_bytes, 4096);
	TT_ASSERT_STAT(tcp_drop_beyond_window, 1); /* never silently */
}

Test(tcp_flow_rcv_window, reading_reopens_a_zero_window_by_at_least_one_mss)
{
	uint8_t buf[1024];

	fill_buffer();
	tt_skip_all();
	/* 100 free octets < min(4096 / 2, 1024): still a zero window
	 * (RFC 9293 3.8.6.2.2, MUST-39), so nothing to tell */
	cr_assert_eq(dpt_tcp_read(c, buf, 100), 100);
	tt_poll();
	TT_NONE();
	/* 1024 free: the window opens and the update goes at once */
	cr_assert_eq(dpt_tcp_read(c, buf, 924), 924);
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5097, .wnd = 1024);
	TT_NONE();
}

Test(tcp_flow_rcv_window, recv_of_the_whole_queue_reopens_the_window)
{
	struct rte_mbuf *m;

	fill_buffer();
	tt_skip_all();
	m = dpt_tcp_recv(c);
	cr_assert_not_null(m);
	cr_assert_eq(m->pkt_len, 4096);
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5097, .wnd = 4096);
	TT_NONE();
	rte_pktmbuf_free(m);
}

Test(tcp_flow_rcv_window, receiver_does_not_advertise_a_window_increase_below_one_mss)
{
	uint8_t buf[1010];

	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 1000);
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 2001, .wnd = 3096);
	/* 300 octets read: the right edge (5097) may move only by
	 * min(4096 / 2, 1000) (RFC 9293 3.8.6.2.2, MUST-39) */
	cr_assert_eq(dpt_tcp_read(c, buf, 300), 300);
	tt_poll();
	TT_NONE();
	TT_IN(.flags = ACK, .seq = 2001, .ack = iss + 1, .len = 10);
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 2011, .wnd = 3086);
	/* everything read: 1010 more octets free, a step of one MSS; it
	 * rides on the next ACK (an update of its own needs 2 MSS) */
	cr_assert_eq(dpt_tcp_read(c, buf, sizeof(buf)), 710);
	tt_poll();
	TT_NONE();
	TT_IN(.flags = ACK, .seq = 2011, .ack = iss + 1, .len = 10);
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 2021, .wnd = 4086);
	TT_NONE();
}

Test(tcp_flow_rcv_window, window_update_is_sent_once_reads_free_two_segments)
{
	uint8_t buf[1000];

	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 1000);
	TT_IN(.flags = ACK, .seq = 2001, .ack = iss + 1, .len = 1000);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 3001, .wnd = 2096);
	cr_assert_eq(dpt_tcp_read(c, buf, sizeof(buf)), 1000);
	tt_poll();
	TT_NONE(); /* one segment's worth: not yet worth a segment */
	cr_assert_eq(dpt_tcp_read(c, buf, sizeof(buf)), 1000);
	tt_poll();
	/* RFC 1122 4.2.3.3: the window grew by 2 MSS: tell the peer */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 3001, .wnd = 4096);
	TT_NONE();
}

Test(tcp_flow_rcv_window, out_of_order_data_does_not_shrink_the_offered_window)
{
	/* 1000 octets held out of order use buffer, but they lie inside
	 * the window offered: RCV.NXT + RCV.WND stays 5097 (RFC 9293
	 * 3.8.6, SHLD-14) */
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 1, .len = 1000);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 4096);
	TT_NONE();
	TT_ASSERT_STAT(tcp_ooo_segs, 1);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 2101, .wnd = 2996);
	TT_NONE();
	cr_assert_eq(dpt_tcp_readable(c), 1100);
}

Test(tcp_flow_rcv_window, smaller_buffer_does_not_retract_the_offered_window)
{
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_RCVBUF, 2048, tt.now), 0);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	tt_advance(dpt_ms(41));
	/* 2048 - 100 free, but 5097 was offered: the edge stays
	 * (RFC 9293 3.8.6, SHLD-14) */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1101, .wnd = 3996);
	TT_NONE();
}

/* ===================================================================== */
/* dpt_tcp_send(): zero-copy chains.                                     */
/* ===================================================================== */

TestSuite(tcp_flow_send, .init = setup_plain, .fini = tt_teardown);

Test(tcp_flow_send, chain_is_sent_byte_exact_and_cut_at_the_mss_across_mbufs)
{
	static const uint16_t lens[] = { 300, 1, 777 };
	static uint8_t d[1078];
	struct rte_mbuf *m;

	fill(d, sizeof(d), 14);
	m = chain(d, lens, 3);
	cr_assert_eq(m->pkt_len, 1078);
	cr_assert_eq(dpt_tcp_send(c, m), 0);
	cr_assert_eq(info().snd_queued, 1078);
	tt_poll();
	/* 300 + 1 + 235 | 536 | 6 */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = d);
	TT_OUT(.flags = ACK, .seq = iss + 537, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = d + 536);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1073, .ack = 1001,
	       .wnd = 65535, .len = 6, .data = d + 1072);
	TT_NONE();
	TT_ASSERT_STAT(tcp_tx_bytes, 1078);
}

Test(tcp_flow_send, chain_that_does_not_fit_gets_eagain_then_writable)
{
	static const uint16_t lens[] = { 300, 1, 777 };
	static uint8_t a[1078], b[1078];
	struct rte_mbuf *ma, *mb;

	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_SNDBUF, 2000, tt.now), 0);
	fill(a, sizeof(a), 15);
	fill(b, sizeof(b), 16);
	ma = chain(a, lens, 3);
	mb = chain(b, lens, 3);
	cr_assert_eq(dpt_tcp_send(c, ma), 0);
	tt_poll();
	tt_skip_all();
	/* 1078 + 1078 > 2000: refused whole, not taken */
	cr_assert_eq(dpt_tcp_send(c, mb), -EAGAIN);
	cr_assert_eq(info().snd_queued, 1078);
	cr_assert_eq(dpt_tcp_sndbuf_free(c), 922);
	tt.events = 0;
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1079);
	cr_assert(tt.events & DPT_TCP_EV_WRITABLE, "no WRITABLE event");
	cr_assert_eq(dpt_tcp_send(c, mb), 0);
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1079, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = b);
	TT_OUT(.flags = ACK, .seq = iss + 1615, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = b + 536);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 2151, .ack = 1001,
	       .wnd = 65535, .len = 6, .data = b + 1072);
	TT_NONE();
}

Test(tcp_flow_send, application_mbufs_are_freed_once_acknowledged)
{
	static const uint16_t lens[] = { 300, 1, 777 };
	static uint8_t d[1078];
	unsigned int avail0, hdr0;
	struct rte_mbuf *m;

	tt_skip_all();
	free_seen();
	avail0 = rte_mempool_avail_count(th_pool);
	hdr0 = rte_mempool_avail_count(tt.hdr_pool);
	fill(d, sizeof(d), 17);
	m = chain(d, lens, 3);
	cr_assert_eq(dpt_tcp_send(c, m), 0);
	tt_poll();
	tt_skip_all();
	free_seen(); /* the NIC is done with the frames */
	/* unacknowledged: the send queue keeps all three */
	cr_assert_eq(rte_mempool_avail_count(th_pool), avail0 - 3);
	/* 536 acknowledged: the 300- and 1-byte mbufs go, the third is
	 * trimmed */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 537);
	cr_assert_eq(rte_mempool_avail_count(th_pool), avail0 - 1);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1079);
	tt_poll();
	cr_assert_eq(rte_mempool_avail_count(th_pool), avail0);
	TT_NONE();
	cr_assert_eq(rte_mempool_avail_count(tt.hdr_pool), hdr0);
}

Test(tcp_flow_send, send_after_shutdown_returns_enotconn)
{
	static uint8_t d[100];
	static const uint16_t lens[] = { 100 };
	unsigned int avail0;
	struct rte_mbuf *m;

	cr_assert_eq(dpt_tcp_shutdown(c), 0);
	tt_poll();
	TT_OUT(.flags = ACK | FIN, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	avail0 = rte_mempool_avail_count(th_pool);
	m = chain(d, lens, 1);
	/* dpt_tcp.h: -ENOTCONN "after dpt_tcp_shutdown()"; RFC 9293
	 * 3.10.2: SEND in FIN-WAIT-1 is "connection closing" */
	cr_assert_eq(dpt_tcp_send(c, m), -ENOTCONN);
	TT_NONE();
	rte_pktmbuf_free(m); /* not taken */
	cr_assert_eq(rte_mempool_avail_count(th_pool), avail0);
}

static struct rte_mbuf *closed_m;
static int closed_rc = 1;

static void
send_when_closed(struct dpt_tcb *cc, uint32_t ev, void *arg, uint64_t now)
{
	(void)arg;
	(void)now;
	if (ev & DPT_TCP_EV_CLOSED)
		closed_rc = dpt_tcp_send(cc, closed_m);
}

Test(tcp_flow_send, send_on_a_closed_connection_returns_epipe)
{
	static uint8_t d[100];
	static const uint16_t lens[] = { 100 };
	unsigned int avail0 = rte_mempool_avail_count(th_pool);

	closed_m = chain(d, lens, 1);
	dpt_tcp_set_handler(c, send_when_closed, NULL);
	/* reset by the peer; the handle lives until the handler returns */
	TT_IN(.flags = RST, .seq = 1001);
	cr_assert_eq(closed_rc, -EPIPE);
	rte_pktmbuf_free(closed_m); /* not taken */
	cr_assert_eq(rte_mempool_avail_count(th_pool), avail0);
	TT_NONE();
}

TestSuite(tcp_flow_send_active, .init = tt_setup, .fini = tt_teardown);

Test(tcp_flow_send_active, data_sent_in_syn_sent_goes_after_the_handshake)
{
	static uint8_t d[100];
	static const uint16_t lens[] = { 100 };
	struct dpt_tcp_seg s;

	fill(d, sizeof(d), 18);
	c = dpt_tcp_connect(tt.tcp, TH_PEER_IP, 8080, 50000, tt_handler, NULL,
			    tt.now);
	cr_assert_not_null(c);
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN);
	iss = s.seq;
	/* RFC 9293 3.10.2: SEND in SYN-SENT queues the data */
	cr_assert_eq(dpt_tcp_send(c, chain(d, lens, 1)), 0);
	tt_poll();
	TT_NONE();
	TT_IN(.flags = SYN | ACK, .seq = 5000, .ack = iss + 1, .sport = 8080,
	      .dport = 50000);
	/* the data carries the ACK of the SYN-ACK */
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 5001, .wnd = 65535,
	       .len = 100, .data = d);
	TT_NONE();
}

/* ===================================================================== */
/* dpt_tcp_write(): copying into the send queue.                         */
/* ===================================================================== */

TestSuite(tcp_flow_write, .init = setup_plain, .fini = tt_teardown);

Test(tcp_flow_write, write_takes_what_fits_and_returns_the_count)
{
	static uint8_t a[1500], b[1000], all[2000];

	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_SNDBUF, 2000, tt.now), 0);
	fill(a, sizeof(a), 19);
	fill(b, sizeof(b), 20);
	memcpy(all, a, 1500);
	memcpy(all + 1500, b, 500);
	cr_assert_eq(dpt_tcp_write(c, a, sizeof(a)), 1500);
	cr_assert_eq(dpt_tcp_write(c, b, sizeof(b)), 500);
	cr_assert_eq(dpt_tcp_write(c, b, 10), 0);
	cr_assert_eq(dpt_tcp_sndbuf_free(c), 0);
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = all);
	TT_OUT(.flags = ACK, .seq = iss + 537, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = all + 536);
	TT_OUT(.flags = ACK, .seq = iss + 1073, .ack = 1001, .wnd = 65535,
	       .len = 536, .data = all + 1072);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1609, .ack = 1001,
	       .wnd = 65535, .len = 392, .data = all + 1608);
	TT_NONE();
	tt.events = 0;
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 537);
	cr_assert(tt.events & DPT_TCP_EV_WRITABLE, "no WRITABLE event");
	cr_assert_eq(dpt_tcp_sndbuf_free(c), 536);
}

Test(tcp_flow_write, small_writes_share_one_mbuf_and_one_segment)
{
	static uint8_t d[60];

	fill(d, sizeof(d), 21);
	cr_assert_eq(dpt_tcp_write(c, d, 10), 10);
	cr_assert_eq(dpt_tcp_write(c, d + 10, 20), 20);
	cr_assert_eq(dpt_tcp_write(c, d + 30, 30), 30);
	/* white box: the tail's room was filled */
	cr_assert_eq(c->sndq.head, c->sndq.tail);
	cr_assert_eq(c->sndq.head->data_len, 60);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 60, .data = d);
	TT_NONE();
}

Test(tcp_flow_write, writes_held_by_nagle_go_out_as_one_segment)
{
	static uint8_t d[150];

	fill(d, sizeof(d), 22);
	dpt_tcp_write(c, d, 100);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100, .data = d);
	dpt_tcp_write(c, d + 100, 20);
	tt_poll();
	dpt_tcp_write(c, d + 120, 30);
	tt_poll();
	TT_NONE();
	cr_assert_eq(c->sndq.head, c->sndq.tail);
	cr_assert_eq(c->sndq.head->data_len, 150);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 101);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 101, .ack = 1001, .wnd = 65535,
	       .len = 50, .data = d + 100);
	TT_NONE();
}

Test(tcp_flow_write, write_after_send_never_touches_the_applications_mbuf)
{
	static uint8_t d[150];
	static const uint16_t lens[] = { 100 };
	struct rte_mbuf *m;

	fill(d, sizeof(d), 23);
	m = chain(d, lens, 1);
	cr_assert_gt(rte_pktmbuf_tailroom(m), 50);
	cr_assert_eq(dpt_tcp_send(c, m), 0);
	cr_assert_eq(dpt_tcp_write(c, d + 100, 50), 50);
	cr_assert_eq(m->data_len, 100);
	cr_assert_eq(c->sndq.head, m);
	cr_assert_neq(c->sndq.tail, m);
	tt_poll();
	/* one segment across the two mbufs */
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 150, .data = d);
	TT_NONE();
}

/* ===================================================================== */
/* dpt_tcp_recv() and dpt_tcp_read().                                    */
/* ===================================================================== */

TestSuite(tcp_flow_recv, .init = setup_plain, .fini = tt_teardown);

Test(tcp_flow_recv, recv_returns_the_queue_as_one_chain_of_the_payloads)
{
	static uint8_t want[600], got[600];
	unsigned int avail0 = rte_mempool_avail_count(th_pool);
	struct rte_mbuf *m;

	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 1, .len = 200);
	TT_IN(.flags = ACK | PSH, .seq = 1301, .ack = iss + 1, .len = 300);
	cr_assert_eq(rte_mempool_avail_count(th_pool), avail0 - 3);
	m = dpt_tcp_recv(c);
	cr_assert_not_null(m);
	cr_assert_eq(m->pkt_len, 600);
	cr_assert_eq(m->nb_segs, 3);
	cr_assert_eq(m->data_len, 100, "headers not trimmed");
	tt_pattern(want, 1001, 600);
	cr_assert_arr_eq(rte_pktmbuf_read(m, 0, 600, got), want, 600);
	cr_assert_eq(dpt_tcp_readable(c), 0);
	cr_assert_null(dpt_tcp_recv(c));
	rte_pktmbuf_free(m);
	cr_assert_eq(rte_mempool_avail_count(th_pool), avail0);
}

Test(tcp_flow_recv, partial_reads_keep_the_rest_in_order)
{
	static uint8_t want[300], got[300];

	tt_pattern(want, 1001, 300);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 300);
	cr_assert_eq(dpt_tcp_read(c, got, 100), 100);
	cr_assert_arr_eq(got, want, 100);
	cr_assert_eq(dpt_tcp_readable(c), 200);
	cr_assert_eq(dpt_tcp_read(c, got, 150), 150);
	cr_assert_arr_eq(got, want + 100, 150);
	cr_assert_eq(dpt_tcp_readable(c), 50);
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), 50);
	cr_assert_arr_eq(got, want + 250, 50);
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), 0);
	cr_assert_null(dpt_tcp_recv(c));
}

Test(tcp_flow_recv, reads_release_every_mbuf)
{
	static uint8_t got[600];
	unsigned int avail0 = rte_mempool_avail_count(th_pool);

	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 1, .len = 200);
	TT_IN(.flags = ACK, .seq = 1301, .ack = iss + 1, .len = 300);
	/* the first mbuf read whole, the second in part */
	cr_assert_eq(dpt_tcp_read(c, got, 150), 150);
	cr_assert_eq(rte_mempool_avail_count(th_pool), avail0 - 2);
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), 450);
	cr_assert_eq(rte_mempool_avail_count(th_pool), avail0);
	/* the rest of a recv()'d chain after a partial read */
	TT_IN(.flags = ACK, .seq = 1601, .ack = iss + 1, .len = 100);
	TT_IN(.flags = ACK, .seq = 1701, .ack = iss + 1, .len = 100);
	cr_assert_eq(dpt_tcp_read(c, got, 30), 30);
	{
		struct rte_mbuf *m = dpt_tcp_recv(c);
		uint8_t want[170];

		cr_assert_not_null(m);
		cr_assert_eq(m->pkt_len, 170);
		cr_assert_eq(m->nb_segs, 2);
		tt_pattern(want, 1631, 170);
		cr_assert_arr_eq(rte_pktmbuf_read(m, 0, 170, got), want, 170);
		rte_pktmbuf_free(m);
	}
	cr_assert_eq(rte_mempool_avail_count(th_pool), avail0);
}

Test(tcp_flow_recv, overlapping_retransmission_is_trimmed_to_the_new_bytes)
{
	static uint8_t want[300], got[300];
	struct rte_mbuf *m;

	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	/* 100 old and 200 new octets (RFC 9293 3.10.7.4: trim to the
	 * window's left edge) */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 300);
	cr_assert_eq(dpt_tcp_readable(c), 300);
	m = dpt_tcp_recv(c);
	cr_assert_not_null(m);
	cr_assert_eq(m->pkt_len, 300);
	tt_pattern(want, 1001, 300);
	cr_assert_arr_eq(rte_pktmbuf_read(m, 0, 300, got), want, 300);
	rte_pktmbuf_free(m);
}

/* ===================================================================== */
/* Window scaling end to end (RFC 7323 2): our shift 3 (256 KiB buffer), */
/* the peer's 7.                                                         */
/* ===================================================================== */

TestSuite(tcp_flow_wscale, .init = tt_setup, .fini = tt_teardown);

Test(tcp_flow_wscale, syn_window_is_unscaled_then_the_buffer_is_offered_shifted)
{
	struct dpt_tcp_seg s;

	tt_listen();
	TT_IN(.flags = SYN, .seq = 1000, .opt = tt_syn_opts(100));
	tt_next(&s, NULL, 0);
	/* RFC 7323 2.2: the window in a SYN is never scaled */
	cr_assert_eq(s.flags, SYN | ACK);
	cr_assert_eq(s.wnd, 65535);
	cr_assert(s.opt.present & DPT_TCPOPT_WS);
	cr_assert_eq(s.opt.wscale, 3);
	iss = s.seq;
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1,
	      .opt = tt_ts(101, s.opt.tsval));
	c = tt.conn;
	cr_assert_not_null(c);
	/* the larger window waits for the next segment */
	TT_NONE();
	cr_assert_eq(info().rcv_wnd, 65535);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 8,
	      .opt = tt_ts(PTS, 0));
	tt_advance(dpt_ms(41));
	/* RFC 7323 2.3: from now on the field is the window >> 3:
	 * (262144 - 8) >> 3 */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1009, .wnd = 32767,
	       .opt = TS_ECHO(PTS));
	TT_NONE();
	cr_assert_eq(info().rcv_wnd, 262136);
}

Test(tcp_flow_wscale, ack_carries_the_free_buffer_shifted_by_our_scale)
{
	open_ws(65535);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 536,
	      .opt = tt_ts(PTS, 0));
	TT_IN(.flags = ACK, .seq = 1537, .ack = iss + 1, .len = 536,
	      .opt = tt_ts(PTS, 0));
	/* every second full segment is ACKed: (262144 - 1072) >> 3 */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 2073, .wnd = 32634,
	       .opt = TS_ECHO(PTS));
	TT_NONE();
	cr_assert_eq(info().rcv_wnd, 261072);
}

/* The whole buffer offered: 2 x 536 in, ACKed at once with the window
 * (262144 - 1072) >> 3, so RCV.NXT + RCV.WND = 2073 + 261072 = 263145. */
static void
offer_whole_buffer(void)
{
	open_ws(65535);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 536,
	      .opt = tt_ts(PTS, 0));
	TT_IN(.flags = ACK, .seq = 1537, .ack = iss + 1, .len = 536,
	      .opt = tt_ts(PTS, 0));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 2073, .wnd = 32634,
	       .opt = TS_ECHO(PTS));
	cr_assert_eq(info().rcv_wnd, 261072);
}

Test(tcp_flow_wscale, scale_granularity_never_retracts_the_right_edge)
{
	offer_whole_buffer();
	/* 1001 octets more: 260071 left to the edge 263145, free buffer
	 * below that. 32508 << 3 would end at 263138, 7 octets short:
	 * RFC 9293 3.8.6 (SHLD-14) and RFC 7323 2.4 want the field
	 * rounded up (32509, as Linux's tcp_select_window) instead. */
	TT_IN(.flags = ACK, .seq = 2073, .ack = iss + 1, .len = 1001,
	      .opt = tt_ts(PTS, 0));
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 3074, .wnd = 32509,
	       .opt = TS_ECHO(PTS));
	TT_NONE();
	cr_assert_geq(info().rcv_wnd, 260071);
}

Test(tcp_flow_wscale, data_up_to_the_edge_once_offered_is_kept)
{
	struct dpt_tcp_seg s;

	offer_whole_buffer();
	TT_IN(.flags = ACK, .seq = 2073, .ack = iss + 1, .len = 1001,
	      .opt = tt_ts(PTS, 0));
	tt_advance(dpt_ms(41));
	tt_skip_all();
	/* 100 octets ending exactly at the edge offered (263145), out of
	 * order: held whole and reported whole (RFC 2018 4) */
	TT_IN(.flags = ACK, .seq = 263045, .ack = iss + 1, .len = 100,
	      .opt = tt_ts(PTS, 0));
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.ack, 3074);
	cr_assert_eq(s.opt.n_sack, 1);
	cr_assert_eq(s.opt.sack[0].left, 263045);
	cr_assert_eq(s.opt.sack[0].right, 263145, "SACK right edge %u, "
		     "expected 263145", s.opt.sack[0].right);
	cr_assert_eq(c->ooo_bytes, 100);
}

Test(tcp_flow_wscale, peer_window_field_is_multiplied_by_its_scale)
{
	static uint8_t d[5000];

	/* 10 << 7 = 1280 octets (RFC 7323 2.3) */
	open_ws(10);
	cr_assert_eq(info().snd_wnd, 1280);
	fill(d, sizeof(d), 24);
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 32768,
	       .len = 1280, .opt = TS_ECHO(101), .data = d);
	TT_NONE();
	/* 20 << 7 = 2560: one full segment (1448); the 1112 left are
	 * below half of the largest window, 2560: held */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1281, .wnd = 20,
	      .wnd_set = 1, .opt = tt_ts(PTS, 0));
	TT_OUT(.flags = ACK, .seq = iss + 1281, .ack = 1001, .wnd = 32768,
	       .len = 1448, .opt = TS_ECHO(PTS), .data = d + 1280);
	TT_NONE();
	cr_assert_eq(info().snd_wnd, 2560);
}

Test(tcp_flow_wscale, peer_syn_ack_window_is_not_scaled)
{
	static uint8_t d[3000];
	struct dpt_tcp_seg s;

	c = dpt_tcp_connect(tt.tcp, TH_PEER_IP, 8080, 50000, tt_handler, NULL,
			    tt.now);
	cr_assert_not_null(c);
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN);
	cr_assert_eq(s.wnd, 65535);
	cr_assert_eq(s.opt.wscale, 3);
	iss = s.seq;
	/* RFC 7323 2.2: 1000 in a SYN-ACK is 1000 octets, whatever the
	 * scale it announces */
	TT_IN(.flags = SYN | ACK, .seq = 5000, .ack = iss + 1, .sport = 8080,
	      .dport = 50000, .wnd = 1000, .wnd_set = 1,
	      .opt = tt_syn_opts(300));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5001, .wnd = 32768,
	       .opt = TS_ECHO(300));
	cr_assert_eq(info().snd_wnd, 1000);
	fill(d, sizeof(d), 25);
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5001, .wnd = 32768,
	       .len = 1000, .opt = TS_ECHO(300), .data = d);
	TT_NONE();
}

Test(tcp_flow_wscale, chain_is_cut_at_the_mss_less_the_timestamp_option)
{
	static const uint16_t lens[] = { 1000, 1, 1000 };
	static uint8_t d[2001];

	open_ws(65535);
	fill(d, sizeof(d), 26);
	cr_assert_eq(dpt_tcp_send(c, chain(d, lens, 3)), 0);
	tt_poll();
	/* 1460 - 12 = 1448: 1000 + 1 + 447 | 553 */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 32768,
	       .len = 1448, .opt = TS_ECHO(101), .data = d);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1449, .ack = 1001,
	       .wnd = 32768, .len = 553, .opt = TS_ECHO(101),
	       .data = d + 1448);
	TT_NONE();
}


TestSuite(tcp_flow_mem, .init = setup_plain, .fini = tt_teardown);

/* The reception reserve: while the receive pool's ring holds fewer free
 * mbufs than the reserve, data is neither queued nor written (it would
 * starve the PMD's refill and deadlock the connection's ACKs). */
Test(tcp_flow_mem, data_is_refused_while_the_receive_pool_is_at_its_reserve)
{
	uint8_t d[100] = { 0 };

	tt.tcp->rx_pool = th_pool;
	tt.tcp->rx_reserve = rte_mempool_get_ops(th_pool->ops_index)->get_count(
		th_pool) + 100;
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	TT_NONE(); /* not acknowledged: the peer resends it */
	cr_assert_eq(dpt_tcp_readable(c), 0);
	TT_ASSERT_STAT(tcp_drop_mem, 1);
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), 0);
	TT_ASSERT_STAT(tcp_write_mem_low, 1);
	/* room again: the resent segment is taken */
	tt.tcp->rx_reserve = 0;
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	cr_assert_eq(dpt_tcp_readable(c), 100);
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), 100);
}

/* Free mbufs in a pool's ring: what the stack's thresholds compare. */
static uint32_t
ring_free(struct rte_mempool *mp)
{
	return dpt_mempool_free(mp);
}

Test(tcp_flow_mem, tiny_segments_are_coalesced_once_the_queue_is_long)
{
	unsigned int avail0 = rte_mempool_avail_count(th_pool);
	uint8_t want[100], got[100];
	struct rte_mbuf *m;

	/* A peer sending 1-byte segments, the application not reading. */
	for (uint32_t i = 0; i < 100; i++)
		TT_IN(.flags = ACK | PSH, .seq = 1001 + i, .ack = iss + 1,
		      .len = 1);
	cr_assert_eq(dpt_tcp_readable(c), 100);
	/* the first 8 are queued as received; the other 92 are copied into
	 * the room of the 8th, each mbuf freed: 8 mbufs held, not 100 */
	cr_assert_eq(avail0 - rte_mempool_avail_count(th_pool), 8);
	cr_assert_eq(c->rcvq.segs, 8);
	cr_assert_eq(c->rcvq.mem, 8 * th_pool->elt_size);
	TT_ASSERT_STAT(tcp_coalesced, 92);
	m = dpt_tcp_recv(c);
	cr_assert_not_null(m);
	cr_assert_eq(m->pkt_len, 100);
	cr_assert_eq(m->nb_segs, 8);
	tt_pattern(want, 1001, 100);
	cr_assert_arr_eq(rte_pktmbuf_read(m, 0, 100, got), want, 100);
	rte_pktmbuf_free(m);
	cr_assert_eq(rte_mempool_avail_count(th_pool), avail0);
}

Test(tcp_flow_mem, echoed_tiny_segments_are_coalesced_in_the_send_queue)
{
	unsigned int avail0;
	uint8_t d[40];

	tt_skip_all();
	free_seen();
	avail0 = rte_mempool_avail_count(th_pool);
	fill(d, sizeof(d), 24);
	/* An echo moves 1-byte chains to a peer whose window is shut: the
	 * send queue would hold an mbuf per byte. */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 0,
	      .wnd_set = 1);
	for (uint32_t i = 0; i < 40; i++) {
		static const uint16_t one[] = { 1 };

		cr_assert_eq(dpt_tcp_send(c, chain(d + i, one, 1)), 0);
	}
	cr_assert_eq(info().snd_queued, 40);
	/* 8 as given, then one mbuf of the queue's own takes the other 32
	 * (the application's own mbufs are freed, never written to) */
	cr_assert_eq(c->sndq.segs, 9);
	cr_assert_eq(avail0 - rte_mempool_avail_count(th_pool), 9);
	TT_ASSERT_STAT(tcp_coalesced, 32);
	/* The window opens. A frame has at most 8 mbufs, its header's one
	 * of them: seven 1-byte mbufs make a 7-byte segment (what tiny
	 * mbufs cost on the wire too; cut by the frame, not by Nagle), the
	 * eighth and the queue's own mbuf the other 33. Byte-exact. */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 65535,
	      .wnd_set = 1);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 7, .data = d);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 8, .ack = 1001, .wnd = 65535,
	       .len = 33, .data = d + 7);
	TT_NONE();
}

Test(tcp_flow_mem, out_of_order_data_past_the_buffer_budget_is_refused)
{
	uint32_t limit = 2 * c->rcv_buf + 64 * 1024;
	uint32_t fit = limit / th_pool->elt_size;

	/* 1-byte segments each behind a hole: not coalescible, each holds
	 * a whole mbuf. Held buffer bytes stop at 2 x rcvbuf + 64 KiB,
	 * whatever the window allows. */
	for (uint32_t i = 0; i < fit + 5; i++)
		TT_IN(.flags = ACK, .seq = 1003 + 2 * i, .ack = iss + 1,
		      .len = 1);
	cr_assert_eq(c->ooo_n, fit);
	cr_assert_eq(c->ooo_mem, fit * th_pool->elt_size);
	TT_ASSERT_STAT(tcp_drop_rcvbuf, 5);
}

Test(tcp_flow_mem, under_pressure_a_connection_holding_its_share_gets_no_more)
{
	uint32_t n = 0, wnd;
	struct dpt_tcp_seg s;

	/* the pool is below its pressure mark (and above the reserve) */
	tt.tcp->rx_pool = th_pool;
	tt.tcp->rx_reserve = 0;
	tt.tcp->rx_pressure = ring_free(th_pool) + 1000;
	/* a connection holding little still takes data */
	while (c->rcvq.mem <= 64 * 1024) {
		TT_IN(.flags = ACK, .seq = 1001 + 1000 * n, .ack = iss + 1,
		      .len = 1000);
		n++;
	}
	cr_assert_eq(dpt_tcp_readable(c), 1000 * n);
	TT_ASSERT_STAT(tcp_drop_mem_share, 0);
	tt_skip_all();
	/* past its share it gets no more, and its window stops growing:
	 * the ACK of a read keeps the right edge where it was */
	TT_IN(.flags = ACK, .seq = 1001 + 1000 * n, .ack = iss + 1,
	      .len = 1000);
	TT_ASSERT_STAT(tcp_drop_mem_share, 1);
	cr_assert_eq(dpt_tcp_readable(c), 1000 * n);
	wnd = info().rcv_wnd;
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_NODELAY, 1, tt.now), 0);
	tt_advance(dpt_ms(41));
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.ack, 1001 + 1000 * n);
	cr_assert_eq((uint32_t)s.wnd, wnd, "the window grew under pressure");
	/* pressure over: taken again */
	tt.tcp->rx_pressure = 0;
	TT_IN(.flags = ACK, .seq = 1001 + 1000 * n, .ack = iss + 1,
	      .len = 1000);
	cr_assert_eq(dpt_tcp_readable(c), 1000 * (n + 1));
}

Test(tcp_flow_mem, under_pressure_writes_stop_at_the_share)
{
	static uint8_t d[100 * 1024];

	fill(d, sizeof(d), 25);
	/* the peer's window is shut: all of it stays queued */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 0,
	      .wnd_set = 1);
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), sizeof(d));
	tt.tcp->rx_pool = th_pool;
	tt.tcp->rx_reserve = 0;
	tt.tcp->rx_pressure = ring_free(th_pool) + 1000;
	cr_assert_eq(dpt_tcp_sndbuf_free(c), 0);
	cr_assert_eq(dpt_tcp_write(c, d, 100), 0);
	TT_ASSERT_STAT(tcp_write_mem_share, 1);
	tt.tcp->rx_pressure = 0;
	cr_assert_eq(dpt_tcp_write(c, d, 100), 100);
}

Test(tcp_flow_mem, data_waits_for_the_header_reserve_then_goes)
{
	uint8_t d[100];

	fill(d, sizeof(d), 26);
	tt_skip_all();
	/* the header pool is down to what control segments need */
	tt.tcp->hdr_reserve = ring_free(tt.hdr_pool) + 10;
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), 100);
	tt_poll();
	TT_NONE();
	TT_ASSERT_STAT(tcp_tx_hdr_low, 1);
	/* a control segment still goes: the peer's data is acknowledged */
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 10);
	tt_advance(dpt_ms(41));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1011, .wnd = 65535);
	/* nothing in flight would bring the data back: output is retried
	 * every 10 ms (4 times in those 41 ms), and goes once the pool has
	 * room */
	TT_ASSERT_STAT(tcp_tx_mem_retry, 4);
	tt.tcp->hdr_reserve = 0;
	tt_advance(dpt_ms(10));
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1011, .wnd = 65535,
	       .len = 100, .data = d);
	TT_NONE();
	TT_ASSERT_STAT(tcp_tx_mem_retry, 5);
}

Test(tcp_flow_mem, under_pressure_held_out_of_order_data_gives_way_to_the_hole)
{
	uint32_t n = 0;

	/* 1001..2000 is lost; what follows is held out of order until the
	 * connection holds more than its share */
	while (c->ooo_mem <= 64 * 1024) {
		TT_IN(.flags = ACK, .seq = 2001 + 1000 * n, .ack = iss + 1,
		      .len = 1000);
		n++;
	}
	tt_skip_all();
	cr_assert_eq(c->ooo_n, n);
	/* memory comes under pressure; the segment filling the hole comes.
	 * Held behind the hole, the out-of-order data would keep it out
	 * for ever: it goes (RFC 2018 8 allows discarding SACKed data), and
	 * the hole's segment is taken */
	tt.tcp->rx_pool = th_pool;
	tt.tcp->rx_reserve = 0;
	tt.tcp->rx_pressure = ring_free(th_pool) + 1000;
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 1000);
	cr_assert_eq(c->ooo_n, 0);
	cr_assert_eq(c->ooo_mem, 0);
	TT_ASSERT_STAT(tcp_ooo_pruned, n);
	cr_assert_eq(dpt_tcp_readable(c), 1000);
	/* acknowledged at once (it ended the out-of-order episode), with no
	 * SACK block left to report */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 2001, .wnd = 65535);
	TT_NONE();
}
