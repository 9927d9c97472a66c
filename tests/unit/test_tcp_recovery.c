/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_recovery.c: loss detection and recovery, and the timers around
 * them. The retransmission timer (RFC 6298), fast retransmit and NewReno
 * (RFC 5681 3.2, RFC 6582), the SACK scoreboard and SACK-based recovery
 * (RFC 2018, RFC 6675), the SACK blocks we send (RFC 2018 4), the bound of
 * the out-of-order queue, zero-window probing (RFC 9293 3.8.6.1, RFC 1122
 * 4.2.2.17), keepalive (RFC 1122 4.2.3.6) and delayed ACKs (RFC 1122
 * 4.2.3.2, RFC 5681 4.2).
 *
 * Plain connections negotiate nothing: MSS 536 (RFC 9293 3.7.1), window
 * 65535 both ways. SACK connections negotiate what a Linux peer offers:
 * MSS 1460 - 12 = 1448 with timestamps, our scale 3 (window field 32768
 * for 256 KiB), the peer's scale 7.
 */
#include <string.h>

#include "tcp_harness.h"
#include "tcp_impl.h"

#define SMSS 1448u /* SACK connections: 1460 less the timestamp option */

static uint32_t iss;
static struct dpt_tcb *c;
static uint32_t peer_ts;              /* the last TSval the peer sent */
static enum dpt_tcp_error reset_error; /* dpt_tcp_error() at EV_RESET */

/* ---- helpers ------------------------------------------------------------ */

/* Record why the connection ended while the handle is still valid. */
static void
record_handler(struct dpt_tcb *cb, uint32_t ev, void *arg, uint64_t now)
{
	if (ev & DPT_TCP_EV_RESET)
		reset_error = dpt_tcp_error(cb);
	tt_handler(cb, ev, arg, now);
}

/* Move the clock so that the next passive open gets ISS @target (RFC 6528:
 * the ISN follows a 4 us clock). */
static void
clock_to_iss(uint32_t target)
{
	struct tcp_key k = { .raddr = TH_PEER_IP, .laddr = TH_US_IP,
			     .rport = TT_PEER_PORT, .lport = TT_PORT };
	uint32_t d = target - tcp_isn(tt.tcp, &k, tt.now);

	tt.now += (uint64_t)d * 4;
	tt_poll();
	cr_assert_eq(tcp_isn(tt.tcp, &k, tt.now), target);
}

/* Queue @n bytes of a pattern and let them go out. */
static void
app_write(uint32_t n)
{
	static uint8_t d[65536];

	cr_assert_leq(n, sizeof(d));
	tt_pattern(d, 0, n);
	cr_assert_eq(dpt_tcp_write(c, d, n), (ssize_t)n);
	tt_poll();
}

/* A peer ACK on a plain connection. */
static void
peer_ack(uint32_t ack)
{
	TT_IN(.flags = ACK, .seq = 1001, .ack = ack);
}

/* Wait for a timer armed at @due, @gap after the firing just seen (which
 * came at most one poll, 1024 us, after its own deadline): nothing until
 * 1 ms before, the timer's work by 1 ms after. */
static void
await(uint64_t due, uint64_t gap)
{
	cr_assert(due != 0 && due <= tt.now + gap && due + 1024 >= tt.now + gap,
		  "deadline %ld us away, expected %lu", (long)(due - tt.now),
		  (unsigned long)gap);
	tt_advance(due - tt.now - 1000);
	TT_NONE();
	tt_advance(2000);
}

/* Timestamps, and SACK blocks if @n > 0, as the peer's options. */
static struct dpt_tcp_opts
ts_sack(unsigned int n, const struct dpt_tcp_sack *b)
{
	struct dpt_tcp_opts o = tt_ts(++peer_ts, 0);

	if (n > 0) {
		o.present |= DPT_TCPOPT_SACK;
		o.n_sack = (uint8_t)n;
		memcpy(o.sack, b, n * sizeof(*b));
	}
	return o;
}

/* Start of our k-th full segment (0-based) on a SACK connection. */
static uint32_t
sq(uint32_t k)
{
	return iss + 1 + k * SMSS;
}

/* A peer ACK on a SACK connection, with @n blocks. */
#define SACK_ACK(a, n, ...)                                                  \
	TT_IN(.flags = ACK, .seq = 1001, .ack = (a),                          \
	      .opt = ts_sack((n), (struct dpt_tcp_sack[]){ __VA_ARGS__ }))

/* Peer data on a SACK connection. */
#define SACK_DATA(s, l)                                                      \
	TT_IN(.flags = ACK, .seq = (s), .ack = iss + 1, .len = (l),          \
	      .opt = ts_sack(0, NULL))

/* Only timestamps on a segment of ours, echoing @e. */
#define OUR_TS(e) { .present = DPT_TCPOPT_TS, .tsecr = (e) }

/* ---- fixtures ----------------------------------------------------------- */

static void
setup_plain(void)
{
	tt_setup();
	c = tt_accept(&TT_OPTS_NONE, &iss);
	dpt_tcp_set_handler(c, record_handler, NULL);
	reset_error = DPT_TCP_OK;
}

static void
edit_rto_min_1ms(struct dpt_tcp_conf *cf)
{
	cf->rto_min_us = 1000;
}

static void
setup_rto_min_1ms(void)
{
	tt_setup_with(edit_rto_min_1ms);
	c = tt_accept(&TT_OPTS_NONE, &iss);
}

static void
edit_short_life(struct dpt_tcp_conf *cf)
{
	cf->retries = 3;
	cf->rto_max_us = dpt_s(1);
}

static void
setup_short_life(void)
{
	tt_setup_with(edit_short_life);
	c = tt_accept(&TT_OPTS_NONE, &iss);
	dpt_tcp_set_handler(c, record_handler, NULL);
	reset_error = DPT_TCP_OK;
}

static void
edit_rto_max_1s(struct dpt_tcp_conf *cf)
{
	cf->rto_max_us = dpt_s(1);
}

static void
setup_rto_max_1s(void)
{
	tt_setup_with(edit_rto_max_1s);
	c = tt_accept(&TT_OPTS_NONE, &iss);
}

static void
edit_newreno(struct dpt_tcp_conf *cf)
{
	cf->cc = DPT_TCP_CC_NEWRENO;
}

/* NewReno without SACK, ISS in the lower half of the sequence space
 * (fast_retransmit_does_not_depend_on_the_iss covers the upper half). */
static void
setup_newreno(void)
{
	tt_setup_with(edit_newreno);
	clock_to_iss(0x40000000);
	c = tt_accept(&TT_OPTS_NONE, &iss);
	cr_assert_eq(iss, 0x40000000);
}

/* SACK and timestamps on, NewReno's window arithmetic. */
static void
setup_sack(void)
{
	struct dpt_tcp_opts o = tt_syn_opts(100);

	tt_setup_with(edit_newreno);
	c = tt_accept(&o, &iss);
	peer_ts = 101; /* tt_accept's ACK */
	cr_assert(c->flags & F_SACK);
	cr_assert_eq(c->mss, SMSS);
	TT_NONE(); /* the handshake's last ACK is not answered */
}

static void
edit_ooo_max_2(struct dpt_tcp_conf *cf)
{
	cf->ooo_max = 2;
}

static void
setup_ooo_max_2(void)
{
	tt_setup_with(edit_ooo_max_2);
	c = tt_accept(&TT_OPTS_NONE, &iss);
}

static void
edit_delack_100ms(struct dpt_tcp_conf *cf)
{
	cf->delack_us = dpt_ms(100);
}

static void
setup_delack_100ms(void)
{
	tt_setup_with(edit_delack_100ms);
	c = tt_accept(&TT_OPTS_NONE, &iss);
}

/* ======================================================================== */
/* RFC 6298: the retransmission timer                                        */
/* ======================================================================== */

TestSuite(tcp_rto, .init = setup_plain, .fini = tt_teardown);

Test(tcp_rto, first_sample_sets_srtt_and_rttvar_later_ones_smooth_them)
{
	/* RFC 6298 2.2: SRTT <- R, RTTVAR <- R/2,
	 * RTO <- SRTT + max(G, 4 * RTTVAR) = 100 + 200 ms. */
	c->srtt = 0;
	rtt_sample(c, 100000);
	cr_assert_eq(c->srtt, 100000);
	cr_assert_eq(c->rttvar, 50000);
	cr_assert_eq(c->rto, 300000);
	/* 2.3, alpha 1/8, beta 1/4; RTTVAR first, with the old SRTT:
	 * RTTVAR = 3/4 * 50000 + 1/4 * |100000 - 200000| = 62500,
	 * SRTT = 7/8 * 100000 + 1/8 * 200000 = 112500. */
	rtt_sample(c, 200000);
	cr_assert_eq(c->rttvar, 62500);
	cr_assert_eq(c->srtt, 112500);
	cr_assert_eq(c->rto, 112500 + 4 * 62500);
	/* RTTVAR = (3 * 62500 + 62500) / 4 = 62500,
	 * SRTT = (7 * 112500 + 50000) / 8 = 104687 (integer). */
	rtt_sample(c, 50000);
	cr_assert_eq(c->rttvar, 62500);
	cr_assert_eq(c->srtt, 104687);
	cr_assert_eq(c->rto, 104687 + 250000);
}

Test(tcp_rto, rto_is_kept_within_rto_min_and_rto_max)
{
	/* RFC 6298 2.4: a computed 30 ms becomes 200 ms (rto_min); 2.5: a
	 * computed 120 s becomes 60 s (rto_max). */
	c->srtt = 0;
	rtt_sample(c, 10000);
	cr_assert_eq(c->srtt, 10000);
	cr_assert_eq(c->rttvar, 5000);
	cr_assert_eq(c->rto, 200000);
	c->srtt = 0;
	rtt_sample(c, 40000000);
	cr_assert_eq(c->rto, 60000000);
}

Test(tcp_rto, backoff_doubles_the_rto_up_to_rto_max)
{
	/* RFC 6298 5.5: RTO <- RTO * 2, with a maximum (2.5). */
	c->rto = 200000;
	for (unsigned int b = 0; b <= 8; b++) {
		c->backoff = (uint8_t)b;
		cr_assert_eq(tcb_rto(c), 200000u << b);
	}
	c->backoff = 9; /* 102.4 s */
	cr_assert_eq(tcb_rto(c), 60000000);
	c->backoff = 30;
	cr_assert_eq(tcb_rto(c), 60000000);
}

Test(tcp_rto, karn_no_rtt_sample_from_a_retransmitted_segment)
{
	/* The handshake measured ~0 (1 us): SRTT 1, RTTVAR 0. */
	cr_assert_eq(c->srtt, 1);
	cr_assert_eq(c->rttvar, 0);
	app_write(100);
	tt_skip_all();
	tt_advance(dpt_ms(201));
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100);
	tt_advance(dpt_ms(100));
	/* RFC 6298 3 (Karn): the ACK of a retransmission is ambiguous. */
	peer_ack(iss + 101);
	cr_assert_eq(c->srtt, 1);
	cr_assert_eq(c->rttvar, 0);
	/* new data is timed again: 30 ms, SRTT = (7 * 1 + 30000) / 8,
	 * RTTVAR = (0 + 29999) / 4 */
	app_write(100);
	tt_advance(dpt_ms(30));
	peer_ack(iss + 201);
	cr_assert_eq(c->srtt, 3750);
	cr_assert_eq(c->rttvar, 7499);
}

Test(tcp_rto, timer_restarts_on_a_new_ack_rfc6298_5_3)
{
	app_write(2 * 536);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 537, .ack = 1001, .wnd = 65535,
	       .len = 536);
	tt_advance(dpt_ms(150));
	peer_ack(iss + 537);
	TT_NONE();
	/* 5.3: restarted at 150 ms, so it expires at 350 ms, not 200 */
	tt_advance(dpt_ms(199));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK | PSH, .seq = iss + 537, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_NONE();
	TT_ASSERT_STAT(tcp_rto, 1);
}

Test(tcp_rto, timer_stops_when_everything_is_acked_rfc6298_5_2)
{
	app_write(100);
	tt_skip_all();
	cr_assert_neq(c->t_rexmt, 0);
	tt_advance(dpt_ms(10));
	peer_ack(iss + 101);
	cr_assert_eq(c->t_rexmt, 0);
	tt_advance(dpt_s(5));
	TT_NONE();
	TT_ASSERT_STAT(tcp_rto, 0);
}

Test(tcp_rto, timeout_resends_only_snd_una_with_a_one_segment_window)
{
	app_write(3 * 536);
	tt_skip_all();
	tt_advance(dpt_ms(201));
	/* RFC 6298 5.4 the earliest segment; RFC 5681 3.1 LW = 1 SMSS */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_NONE();
	cr_assert_eq(c->cwnd, 536);
	cr_assert_eq(c->backoff, 1);
	TT_ASSERT_STAT(tcp_retransmits, 1);
}

TestSuite(tcp_rto_measured, .init = setup_rto_min_1ms, .fini = tt_teardown);

Test(tcp_rto_measured, rtt_is_the_time_from_sending_to_the_ack)
{
	/* forget the handshake's sample (its RTO of ~1 ms would fire and,
	 * by Karn, spoil this one) */
	c->srtt = 0;
	c->rto = dpt_s(1);
	app_write(100);
	tt_skip_all();
	tt_advance(dpt_ms(30));
	peer_ack(iss + 101);
	/* first sample R = 30 ms: RTO = 30 + 4 * 15 ms (rto_min 1 ms) */
	cr_assert_eq(c->srtt, 30000);
	cr_assert_eq(c->rttvar, 15000);
	cr_assert_eq(c->rto, 90000);
}

Test(tcp_rto_measured, clock_granularity_bounds_the_variance_term)
{
	/* RFC 6298 2.2: RTO = SRTT + max(G, 4 * RTTVAR); 4 * 200 < G = 1024 */
	c->srtt = 0;
	rtt_sample(c, 400);
	cr_assert_eq(c->rttvar, 200);
	cr_assert_eq(c->rto, 400 + 1024);
}

TestSuite(tcp_rto_active, .init = tt_setup, .fini = tt_teardown);

Test(tcp_rto_active, lost_syn_is_resent_after_rto_init)
{
	struct dpt_tcp_opts syn = {
		.present = DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK | DPT_TCPOPT_TS |
			   DPT_TCPOPT_WS, .mss = 1460, .wscale = 3, .tsecr = 0 };

	c = dpt_tcp_connect(tt.tcp, TH_PEER_IP, 8080, 50000, tt_handler, NULL,
			    tt.now);
	cr_assert_not_null(c);
	TT_OUT(.flags = SYN, .seq = c->iss, .wnd = 65535, .opt = syn);
	/* RFC 6298 2.1: before any sample RTO = 1 s (rto_init) */
	tt_advance(dpt_ms(999));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = SYN, .seq = c->iss, .wnd = 65535, .opt = syn);
	TT_ASSERT_STAT(tcp_rto, 1);
	/* 5.5: then 2 s */
	await(c->t_rexmt, dpt_s(2));
	TT_OUT(.flags = SYN, .seq = c->iss, .wnd = 65535, .opt = syn);
}

Test(tcp_rto_active, rto_is_three_seconds_after_a_lost_syn_rfc6298_5_7)
{
	uint8_t d[100] = { 0 };

	c = dpt_tcp_connect(tt.tcp, TH_PEER_IP, 8080, 50000, tt_handler, NULL,
			    tt.now);
	cr_assert_not_null(c);
	iss = c->iss;
	tt_advance(dpt_ms(1001)); /* the SYN was lost: sent again */
	tt_skip_all();
	TT_IN(.flags = SYN | ACK, .seq = 5000, .ack = iss + 1, .sport = 8080,
	      .dport = 50000);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5001, .wnd = 65535);
	cr_assert_eq(c->srtt, 0); /* Karn: no sample from the SYN */
	/* 5.7: "the RTO MUST be re-initialized to 3 seconds when data
	 * transmission begins" */
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), 100);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 5001, .wnd = 65535,
	       .len = 100);
	tt_advance(dpt_ms(2999));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 5001, .wnd = 65535,
	       .len = 100);
}

/* The timed segment's send time is kept in 32 bits (the clock's low bits,
 * rtt_time()): a sample across a multiple of 2^32 us, on a connection
 * made some six hours into the clock, is still exact. */
Test(tcp_rto_active, rtt_sample_across_the_clocks_32_bit_wrap_is_exact)
{
	uint8_t d[100] = { 0 };

	tt.now = (5ULL << 32) - dpt_ms(1) - 300; /* ~5.97 h */
	tt_poll();
	c = dpt_tcp_connect(tt.tcp, TH_PEER_IP, 8080, 50000, tt_handler, NULL,
			    tt.now);
	cr_assert_not_null(c);
	iss = c->iss;
	tt_skip_all();
	tt_advance(dpt_ms(1)); /* 300 us short of 5 x 2^32 */
	TT_IN(.flags = SYN | ACK, .seq = 5000, .ack = iss + 1, .sport = 8080,
	      .dport = 50000);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5001, .wnd = 65535);
	/* RFC 6298 2.2: the SYN's sample, 1 ms, sets SRTT and RTTVAR */
	cr_assert_eq(c->srtt, dpt_ms(1));
	cr_assert_eq(c->rttvar, dpt_ms(1) / 2);
	cr_assert_eq(dpt_tcp_write(c, d, sizeof(d)), 100);
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 5001, .wnd = 65535,
	       .len = 100);
	tt.now += 1300; /* past 5 x 2^32: the low 32 bits wrapped */
	cr_assert_eq((uint32_t)tt.now, 1000);
	TT_IN(.flags = ACK, .seq = 5001, .ack = iss + 101, .sport = 8080,
	      .dport = 50000);
	/* 2.3: R' = 1300 us; RTTVAR = 3/4 500 + 1/4 |1000 - 1300| = 450,
	 * SRTT = 7/8 1000 + 1/8 1300 = 1037 (rounded down) */
	cr_assert_eq(c->rttvar, 450);
	cr_assert_eq(c->srtt, 1037);
}

/* ---- idle connections hold no timer ------------------------------------ */

TestSuite(tcp_idle_timers, .init = tt_setup, .fini = tt_teardown);

/* Nodes on the wheel, in all its slots. */
static unsigned int
wheel_nodes(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < WHEEL_SLOTS; i++)
		for (struct tcp_timer *t = tt.tcp->wheel.slot[i]; t != NULL;
		     t = t->next)
			n++;
	return n;
}

Test(tcp_idle_timers, passive_handshake_leaves_no_wheel_node)
{
	/* The SYN-ACK's retransmission timer ends with the handshake: the
	 * connection, idle, is on no list the wheel walks, so N of them
	 * made at once do not all wake an RTO later to find nothing due. */
	c = tt_accept(&TT_OPTS_NONE, &iss);
	for (uint16_t i = 1; i < 16; i++) {
		struct dpt_tcp_seg s;

		TT_IN(.flags = SYN, .seq = 1000, .sport = TT_PEER_PORT + i);
		tt_next(&s, NULL, 0);
		cr_assert_eq(s.flags, SYN | ACK);
		TT_IN(.flags = ACK, .seq = 1001, .ack = s.seq + 1,
		      .sport = TT_PEER_PORT + i);
		cr_assert_eq(dpt_tcp_state(tt.conn), DPT_TCP_ESTABLISHED);
		cr_assert_null(tt.conn->tmr.pprev);
	}
	cr_assert_null(c->tmr.pprev);
	cr_assert_eq(wheel_nodes(), 0);
	tt_advance(dpt_s(3)); /* past rto_init and more: nothing at all */
	TT_NONE();
	TT_ASSERT_STAT(tcp_rto, 0);
	cr_assert_eq(wheel_nodes(), 0);
	/* data sent later is timed as usual (its resending at the RTO:
	 * tcp_established's unacked_data_is_retransmitted_after_the_rto):
	 * the one node, at the RTO (the handshake's sample: rto_min) */
	app_write(100);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 100);
	cr_assert_eq(wheel_nodes(), 1);
	cr_assert_eq(c->tmr.expire, tt.now + dpt_ms(200));
	cr_assert_eq(c->t_rexmt, c->tmr.expire);
}

Test(tcp_idle_timers, active_handshake_leaves_no_wheel_node)
{
	c = tt_connect(&TT_OPTS_NONE, &iss);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 5001, .wnd = 65535);
	cr_assert_null(c->tmr.pprev);
	cr_assert_eq(wheel_nodes(), 0);
	tt_advance(dpt_s(3));
	TT_NONE();
	TT_ASSERT_STAT(tcp_rto, 0);
}

Test(tcp_idle_timers, keepalive_is_an_idle_connections_only_node)
{
	/* with keepalive on from the listener's side (a setopt on the
	 * accepted connection), its deadline is the one node */
	c = tt_accept(&TT_OPTS_NONE, &iss);
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_KEEPIDLE, dpt_s(10), tt.now),
		     0);
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_KEEPALIVE, 1, tt.now), 0);
	cr_assert_eq(wheel_nodes(), 1);
	cr_assert_eq(c->tmr.expire, tt.now + dpt_s(10));
}

TestSuite(tcp_rto_max, .init = setup_rto_max_1s, .fini = tt_teardown);

Test(tcp_rto_max, repeated_timeouts_back_off_until_rto_max)
{
	static const uint32_t gap_ms[] = { 200, 400, 800, 1000, 1000 };

	app_write(100);
	tt_skip_all();
	/* RFC 6298 5.5: doubled each time, 2.5: at most rto_max (1 s) */
	for (unsigned int i = 0; i < RTE_DIM(gap_ms); i++) {
		await(c->t_rexmt, dpt_ms(gap_ms[i]));
		TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001,
		       .wnd = 65535, .len = 100);
	}
	cr_assert_eq(c->backoff, 5);
	cr_assert_eq(tcb_rto(c), 1000000);
	TT_ASSERT_STAT(tcp_rto, 5);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
}

TestSuite(tcp_rto_short, .init = setup_short_life, .fini = tt_teardown);

Test(tcp_rto_short, connection_is_reset_after_retries_unanswered_retransmissions)
{
	app_write(100);
	tt_skip_all();
	/* RFC 1122 4.2.3.5 (R2): timeouts at 0.2, 0.6, 1.4 s resend; the
	 * fourth, at 2.4 s (RTO capped at 1 s), gives up. */
	for (unsigned int i = 0; i < 3; i++) {
		await(c->t_rexmt, dpt_ms(200u << i));
		TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001,
		       .wnd = 65535, .len = 100);
	}
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	await(c->t_rexmt, dpt_s(1));
	TT_NONE();
	cr_assert_null(tt.conn, "the connection was not closed");
	cr_assert(tt.events & DPT_TCP_EV_RESET);
	cr_assert(tt.events & DPT_TCP_EV_CLOSED);
	cr_assert_eq(reset_error, DPT_TCP_ERR_TIMEOUT);
	TT_ASSERT_STAT(tcp_rto, 4);
	TT_ASSERT_STAT(tcp_retransmits, 3);
	TT_ASSERT_STAT(tcp_conn_timeout, 1);
	cr_assert_eq(dpt_tcp_conns(tt.tcp), 0);
}

/* ======================================================================== */
/* RFC 5681 3.2, RFC 6582: fast retransmit and NewReno, no SACK             */
/* ======================================================================== */

TestSuite(tcp_newreno, .init = setup_newreno, .fini = tt_teardown);

/* Ten segments (the initial window, 10 * 536) in flight, @extra more
 * queued; then three duplicate ACKs of iss + 1 start recovery. */
static void
ten_in_flight_then_three_dups(uint32_t extra)
{
	app_write(10 * 536 + extra);
	tt_skip_all();
	cr_assert_eq(c->snd_max, iss + 1 + 5360);
	for (int i = 0; i < 3; i++)
		peer_ack(iss + 1);
}

Test(tcp_newreno, three_dup_acks_trigger_fast_retransmit_of_snd_una)
{
	ten_in_flight_then_three_dups(0);
	/* RFC 5681 3.2 steps 2-4: resend at once, no timer */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_NONE();
	/* ssthresh = max(FlightSize / 2, 2 * SMSS) = 2680,
	 * cwnd = ssthresh + 3 * SMSS */
	cr_assert_eq(c->ssthresh, 2680);
	cr_assert_eq(c->cwnd, 2680 + 3 * 536);
	cr_assert_eq(c->recover, iss + 5361); /* RFC 6582 3.2 step 2 */
	cr_assert(c->flags & F_RECOVERY);
	TT_ASSERT_STAT(tcp_fast_retransmits, 1);
	TT_ASSERT_STAT(tcp_retransmits, 1);
	TT_ASSERT_STAT(tcp_rto, 0);
}

Test(tcp_newreno, two_dup_acks_do_nothing)
{
	app_write(10 * 536);
	tt_skip_all();
	peer_ack(iss + 1);
	peer_ack(iss + 1);
	TT_NONE();
	cr_assert_eq(c->dupacks, 2);
	cr_assert_eq(c->cwnd, 5360);
	cr_assert_eq(c->ssthresh, UINT32_MAX);
	cr_assert(!(c->flags & F_RECOVERY));
	TT_ASSERT_STAT(tcp_fast_retransmits, 0);
}

Test(tcp_newreno, acks_that_change_the_window_or_carry_data_are_not_duplicates)
{
	app_write(10 * 536);
	tt_skip_all();
	/* RFC 5681 2 (e): the window changed, so a window update */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 60000);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 50000);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 40000);
	cr_assert_eq(c->dupacks, 0);
	/* (b): a segment with data */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 40000,
	      .len = 10);
	TT_IN(.flags = ACK, .seq = 1011, .ack = iss + 1, .wnd = 40000,
	      .len = 10);
	TT_IN(.flags = ACK, .seq = 1021, .ack = iss + 1, .wnd = 40000,
	      .len = 10);
	cr_assert_eq(c->dupacks, 0);
	TT_NONE(); /* the data's ACK is delayed */
	cr_assert(!(c->flags & F_RECOVERY));
	TT_ASSERT_STAT(tcp_fast_retransmits, 0);
}

Test(tcp_newreno, further_dup_acks_inflate_cwnd_and_release_new_data)
{
	ten_in_flight_then_three_dups(10 * 536);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_NONE(); /* 5360 in flight, cwnd 4288 */
	/* RFC 6582 3.2 step 4: cwnd += SMSS per further duplicate */
	peer_ack(iss + 1);
	cr_assert_eq(c->cwnd, 4824);
	TT_NONE();
	peer_ack(iss + 1);
	cr_assert_eq(c->cwnd, 5360);
	TT_NONE();
	peer_ack(iss + 1);
	cr_assert_eq(c->cwnd, 5896);
	/* step 5 (RFC 5681 3.2 step 5): new data when cwnd allows */
	TT_OUT(.flags = ACK, .seq = iss + 5361, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_NONE();
	peer_ack(iss + 1);
	TT_OUT(.flags = ACK, .seq = iss + 5897, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_NONE();
	TT_ASSERT_STAT(tcp_fast_retransmits, 1);
}

Test(tcp_newreno, partial_ack_retransmits_the_next_hole_and_deflates)
{
	ten_in_flight_then_three_dups(0);
	tt_skip_all();
	/* RFC 6582 3.2 step 5: two segments acknowledged, recover not
	 * reached: resend the first unacknowledged one, cwnd minus the
	 * 1072 acknowledged plus one SMSS */
	peer_ack(iss + 1073);
	TT_OUT(.flags = ACK, .seq = iss + 1073, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_NONE();
	cr_assert_eq(c->cwnd, 4288 - 1072 + 536);
	cr_assert(c->flags & F_RECOVERY);
	cr_assert_eq(c->t_rexmt, tt.now + 200000);
	TT_ASSERT_STAT(tcp_retransmits, 2);
	TT_ASSERT_STAT(tcp_fast_retransmits, 1);
}

Test(tcp_newreno, full_ack_ends_recovery_with_cwnd_min_ssthresh_flight_plus_mss)
{
	ten_in_flight_then_three_dups(10 * 536);
	for (int i = 0; i < 4; i++)
		peer_ack(iss + 1); /* cwnd 6432: two new segments out */
	cr_assert_eq(c->snd_max, iss + 6433);
	tt_skip_all();
	/* RFC 6582 3.2 step 3, option 1: recover (iss + 5361) reached with
	 * 1072 still in flight: cwnd = min(2680, 1072 + 536) */
	peer_ack(iss + 5361);
	cr_assert(!(c->flags & F_RECOVERY));
	cr_assert_eq(c->ssthresh, 2680);
	cr_assert_eq(c->cwnd, 1608);
	/* 536 of room: one more segment */
	TT_OUT(.flags = ACK, .seq = iss + 6433, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_NONE();
}

Test(tcp_newreno, dup_acks_below_recover_after_a_timeout_do_not_fast_retransmit)
{
	app_write(10 * 536);
	tt_skip_all();
	tt_advance(dpt_ms(201));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536);
	/* RFC 6582 3.2 step 1: recover = the highest sequence sent at the
	 * timeout; duplicates not beyond it start no fast retransmit */
	cr_assert_eq(c->recover, iss + 5361);
	for (int i = 0; i < 3; i++)
		peer_ack(iss + 1);
	TT_NONE();
	cr_assert(!(c->flags & F_RECOVERY));
	TT_ASSERT_STAT(tcp_fast_retransmits, 0);
}

Test(tcp_newreno, window_probe_answers_are_not_duplicate_acks)
{
	uint8_t d[100];

	/* a zero window; 100 bytes wait; probes are answered with the same
	 * zero window (RFC 9293 3.8.6.1). Nothing may be sent past the
	 * window but the one-octet probes. */
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 0,
	      .wnd_set = 1);
	tt_pattern(d, 0, sizeof(d));
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_NONE();
	await(c->t_rexmt, dpt_ms(200));
	for (unsigned int i = 0; i < 3; i++) {
		TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
		       .len = 1, .data = d);
		TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 0,
		      .wnd_set = 1);
		TT_NONE(); /* in particular no fast retransmit */
		await(c->t_rexmt, dpt_ms(400u << i));
	}
	cr_assert(!(c->flags & F_RECOVERY));
	TT_ASSERT_STAT(tcp_fast_retransmits, 0);
}

/* RFC 6582 3.2: "recover" starts at the ISS; SND.UNA beyond it is a
 * comparison modulo 2^32 and must hold for any ISS. */
TestSuite(tcp_newreno_iss, .fini = tt_teardown);

Test(tcp_newreno_iss, fast_retransmit_does_not_depend_on_the_iss)
{
	tt_setup_with(edit_newreno);
	clock_to_iss(0xc0000000);
	c = tt_accept(&TT_OPTS_NONE, &iss);
	ten_in_flight_then_three_dups(0);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 536);
	TT_ASSERT_STAT(tcp_fast_retransmits, 1);
}

/* ======================================================================== */
/* RFC 6675: the scoreboard (tcp_sack.c) on hand-built control blocks       */
/* ======================================================================== */

static struct dpt_tcb sbt;

/* [una, max) sent, nothing SACKed or retransmitted, SMSS 100. */
static void
sb_init(uint32_t una, uint32_t max)
{
	static struct tcp_ext sbt_ext; /* no context: its own loss state */

	memset(&sbt, 0, sizeof(sbt));
	memset(&sbt_ext, 0, sizeof(sbt_ext));
	sbt.ext = &sbt_ext;
	sbt.snd_una = una;
	sbt.snd_max = max;
	sbt.high_rxt = una;
	sbt.mss = 100;
}

static void
sb_feed(unsigned int n, const struct dpt_tcp_sack *b)
{
	struct dpt_tcp_opts o = { .present = DPT_TCPOPT_SACK,
				  .n_sack = (uint8_t)n };
	int nostate = 0;

	memcpy(o.sack, b, n * sizeof(*b));
	sb_update(&sbt, &o, &nostate);
}

#define SB_FEED(n, ...) sb_feed((n), (struct dpt_tcp_sack[]){ __VA_ARGS__ })

static void
sb_expect(unsigned int n, const struct dpt_tcp_sack *want)
{
	cr_assert_eq(sbt.n_sb, n, "%u ranges, expected %u", sbt.n_sb, n);
	for (unsigned int i = 0; i < n; i++)
		cr_assert(sbt.ext->sb[i].left == want[i].left &&
			  sbt.ext->sb[i].right == want[i].right,
			  "range %u is %u-%u, expected %u-%u", i,
			  sbt.ext->sb[i].left, sbt.ext->sb[i].right, want[i].left,
			  want[i].right);
}

#define SB_EXPECT(n, ...) sb_expect((n), (struct dpt_tcp_sack[]){ __VA_ARGS__ })

TestSuite(tcp_sack_scoreboard);

Test(tcp_sack_scoreboard, blocks_merge_when_they_overlap_or_touch_and_stay_ascending)
{
	sb_init(1000, 10000);
	SB_FEED(3, { 3000, 3500 }, { 2000, 2500 }, { 3500, 4000 });
	SB_EXPECT(2, { 2000, 2500 }, { 3000, 4000 });
	SB_FEED(1, { 2400, 3100 });
	SB_EXPECT(1, { 2000, 4000 });
	cr_assert_eq(sb_sacked_bytes(&sbt), 2000);
}

Test(tcp_sack_scoreboard, empty_stale_and_beyond_snd_max_blocks_are_ignored)
{
	sb_init(1000, 10000);
	/* RFC 6675 5.1 / RFC 2883: at or below SND.UNA (a D-SACK), past
	 * SND.MAX, empty, reversed */
	SB_FEED(4, { 500, 1000 }, { 9500, 10100 }, { 4000, 4000 },
		{ 5000, 4000 });
	cr_assert_eq(sbt.n_sb, 0);
	/* straddling SND.UNA: only what lies above it */
	SB_FEED(1, { 900, 1200 });
	SB_EXPECT(1, { 1000, 1200 });
}

Test(tcp_sack_scoreboard, full_scoreboard_forgets_its_highest_range)
{
	sb_init(1000, 10000);
	SB_FEED(3, { 1100, 1200 }, { 1300, 1400 }, { 1500, 1600 });
	SB_FEED(3, { 1700, 1800 }, { 1900, 2000 }, { 2100, 2200 });
	cr_assert_eq(sbt.n_sb, TCP_SB_MAX);
	SB_FEED(1, { 2300, 2400 }); /* above all: not kept */
	cr_assert_eq(sbt.ext->sb[5].left, 2100);
	SB_FEED(1, { 1010, 1050 }); /* below all: the highest goes */
	SB_EXPECT(6, { 1010, 1050 }, { 1100, 1200 }, { 1300, 1400 },
		  { 1500, 1600 }, { 1700, 1800 }, { 1900, 2000 });
}

Test(tcp_sack_scoreboard, prune_drops_and_clips_ranges_below_snd_una)
{
	sb_init(1000, 10000);
	SB_FEED(2, { 1100, 1200 }, { 1300, 1400 });
	sbt.snd_una = 1250;
	sb_prune(&sbt);
	SB_EXPECT(1, { 1300, 1400 });
	sbt.snd_una = 1350;
	sb_prune(&sbt);
	SB_EXPECT(1, { 1350, 1400 });
	sbt.snd_una = 1400;
	sb_prune(&sbt);
	cr_assert_eq(sbt.n_sb, 0);
}

Test(tcp_sack_scoreboard, is_lost_needs_three_ranges_or_more_than_two_smss_above)
{
	sb_init(1000, 2000);
	SB_FEED(2, { 1100, 1200 }, { 1300, 1400 });
	/* RFC 6675 4 IsLost: 2 ranges and 200 = 2 * SMSS octets above */
	cr_assert_eq(sb_is_lost(&sbt, 1000), 0);
	SB_FEED(1, { 1500, 1600 });
	cr_assert_eq(sb_is_lost(&sbt, 1000), 1); /* DupThresh ranges */
	cr_assert_eq(sb_is_lost(&sbt, 1099), 1);
	cr_assert_eq(sb_is_lost(&sbt, 1150), 0); /* SACKed */
	cr_assert_eq(sb_is_lost(&sbt, 1250), 0); /* 2 ranges, 200 above */
	cr_assert_eq(sb_is_lost(&sbt, 1700), 0); /* nothing above */
	/* one range of 201 octets: more than (DupThresh - 1) * SMSS */
	sb_init(1000, 2000);
	SB_FEED(1, { 1100, 1301 });
	cr_assert_eq(sb_is_lost(&sbt, 1000), 1);
	sb_init(1000, 2000);
	SB_FEED(1, { 1100, 1300 });
	cr_assert_eq(sb_is_lost(&sbt, 1000), 0);
}

Test(tcp_sack_scoreboard, pipe_counts_unsacked_octets_not_lost_plus_retransmitted)
{
	sb_init(1000, 2000);
	SB_FEED(3, { 1100, 1200 }, { 1300, 1400 }, { 1500, 1600 });
	/* RFC 6675 4 SetPipe: [1000,1100) lost: 0; [1200,1300) and
	 * [1400,1500) not lost: 100 each; [1600,2000) in flight: 400 */
	cr_assert_eq(sb_pipe(&sbt), 600);
	sbt.high_rxt = 1100; /* the lost hole was resent: counts once */
	cr_assert_eq(sb_pipe(&sbt), 700);
}

Test(tcp_sack_scoreboard, next_seg_takes_lost_holes_then_rule_three_holes)
{
	uint32_t seq = 0, len = 0;

	sb_init(1000, 2000);
	SB_FEED(3, { 1100, 1200 }, { 1300, 1400 }, { 1500, 1600 });
	/* RFC 6675 4 NextSeg rule 1: the lost hole at HighRxt */
	cr_assert_eq(sb_next_seg(&sbt, 1, &seq, &len), 1);
	cr_assert_eq(seq, 1000);
	cr_assert_eq(len, 100);
	sbt.high_rxt = 1100;
	/* no lost hole above HighRxt */
	cr_assert_eq(sb_next_seg(&sbt, 1, &seq, &len), 0);
	/* rule 3: any hole above HighRxt below the highest SACKed octet */
	cr_assert_eq(sb_next_seg(&sbt, 3, &seq, &len), 1);
	cr_assert_eq(seq, 1200);
	cr_assert_eq(len, 100);
	sbt.high_rxt = 1500;
	cr_assert_eq(sb_next_seg(&sbt, 3, &seq, &len), 0);
	/* a hole wider than SMSS gives SMSS from HighRxt */
	sb_init(1000, 2000);
	SB_FEED(1, { 1450, 1800 });
	sbt.high_rxt = 1100;
	cr_assert_eq(sb_next_seg(&sbt, 1, &seq, &len), 1);
	cr_assert_eq(seq, 1100);
	cr_assert_eq(len, 100);
}

/* ======================================================================== */
/* RFC 6675: SACK-based recovery on a connection                            */
/* ======================================================================== */

TestSuite(tcp_sack_recovery, .init = setup_sack, .fini = tt_teardown);

Test(tcp_sack_recovery, sack_of_three_later_segments_starts_recovery_on_the_first_dup_ack)
{
	app_write(4 * SMSS);
	tt_skip_all();
	/* one duplicate ACK; segments 2-4 SACKed: 4344 > 2 * SMSS octets
	 * above SND.UNA make it lost (RFC 6675 5 step 4: IsLost(HighACK+1)
	 * before DupThresh duplicates) */
	SACK_ACK(iss + 1, 1, { sq(1), sq(4) });
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 32768,
	       .len = SMSS, .opt = OUR_TS(peer_ts));
	TT_NONE();
	cr_assert(c->flags & F_RECOVERY);
	cr_assert_eq(c->dupacks, 1);
	/* 4.2: ssthresh = cwnd = max(FlightSize / 2, 2 * SMSS) */
	cr_assert_eq(c->ssthresh, 2 * SMSS);
	cr_assert_eq(c->cwnd, 2 * SMSS);
	cr_assert_eq(c->high_rxt, sq(1));
	cr_assert_eq(c->recover, sq(4));
	TT_ASSERT_STAT(tcp_fast_retransmits, 1);
	/* the cumulative ACK reaches RecoveryPoint: recovery ends */
	SACK_ACK(sq(4), 0, { 0, 0 });
	TT_NONE();
	cr_assert(!(c->flags & F_RECOVERY));
	cr_assert_eq(c->n_sb, 0);
	cr_assert_eq(c->cwnd, 2 * SMSS);
}

Test(tcp_sack_recovery, entering_recovery_resends_the_first_hole_even_when_pipe_exceeds_cwnd)
{
	app_write(10 * SMSS);
	tt_skip_all();
	/* segments 2-4 of 10 SACKed: ssthresh = cwnd = 7240 while the pipe
	 * is 8688 (segments 5-10). RFC 6675 5 step 4.3 retransmits the
	 * first segment presumed dropped unconditionally; only further
	 * sending (step 4.4, (C)) waits for cwnd - pipe >= SMSS. */
	SACK_ACK(iss + 1, 1, { sq(1), sq(4) });
	cr_assert(c->flags & F_RECOVERY);
	cr_assert_eq(c->cwnd, 5 * SMSS);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 32768,
	       .len = SMSS, .opt = OUR_TS(peer_ts));
	TT_NONE();
}

Test(tcp_sack_recovery, next_seg_order_is_lost_hole_then_new_data_then_other_holes)
{
	app_write(12 * SMSS);
	tt_skip_all();
	cr_assert_eq(c->snd_max, sq(10));
	/* SACKed: segments 2-8 and 10. Hole 1 is lost, hole 9 is not
	 * (1 range, 1448 octets above). cwnd = ssthresh = 5 SMSS, pipe =
	 * 1 SMSS (hole 9). RFC 6675 5 (C) / NextSeg: rule 1 segment 1,
	 * rule 2 new segments 11 and 12, rule 3 segment 9. */
	SACK_ACK(iss + 1, 2, { sq(1), sq(8) }, { sq(9), sq(10) });
	TT_OUT(.flags = ACK, .seq = sq(0), .ack = 1001, .wnd = 32768,
	       .len = SMSS, .opt = OUR_TS(peer_ts));
	TT_OUT(.flags = ACK, .seq = sq(10), .ack = 1001, .wnd = 32768,
	       .len = SMSS, .opt = OUR_TS(peer_ts));
	TT_OUT(.flags = ACK | PSH, .seq = sq(11), .ack = 1001, .wnd = 32768,
	       .len = SMSS, .opt = OUR_TS(peer_ts));
	TT_OUT(.flags = ACK, .seq = sq(8), .ack = 1001, .wnd = 32768,
	       .len = SMSS, .opt = OUR_TS(peer_ts));
	TT_NONE();
	cr_assert_eq(c->high_rxt, sq(9));
	cr_assert_eq(c->recover, sq(10));
	TT_ASSERT_STAT(tcp_retransmits, 2);
}

Test(tcp_sack_recovery, blocks_below_snd_una_or_beyond_snd_max_are_ignored)
{
	app_write(4 * SMSS);
	tt_skip_all();
	/* a D-SACK of old data, and a block past what we sent */
	SACK_ACK(iss + 1, 2, { iss - 999, iss + 1 }, { sq(3), sq(5) });
	cr_assert_eq(c->n_sb, 0);
	TT_NONE();
	SACK_ACK(iss + 1, 1, { sq(2), sq(3) });
	cr_assert_eq(c->n_sb, 1);
	cr_assert_eq(c->ext->sb[0].left, sq(2));
	cr_assert_eq(c->ext->sb[0].right, sq(3));
	TT_NONE(); /* two duplicates, one segment SACKed: not yet lost */
	cr_assert(!(c->flags & F_RECOVERY));
	TT_ASSERT_STAT(tcp_fast_retransmits, 0);
}

Test(tcp_sack_recovery, timeout_clears_the_scoreboard_rfc2018_8)
{
	app_write(4 * SMSS);
	tt_skip_all();
	SACK_ACK(iss + 1, 1, { sq(2), sq(3) });
	cr_assert_eq(c->n_sb, 1);
	/* first the tail loss probe (RFC 8985 7): the last segment again */
	tt_advance(dpt_ms(11));
	TT_OUT(.flags = ACK | PSH, .seq = sq(3), .ack = 1001, .wnd = 32768,
	       .len = SMSS, .opt = OUR_TS(peer_ts));
	tt_advance(dpt_ms(201));
	/* RFC 2018 8 / RFC 6675 5.1: after an RTO the SACKed bits are
	 * turned off; go back to SND.UNA with cwnd = 1 SMSS */
	cr_assert_eq(c->n_sb, 0);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 32768,
	       .len = SMSS, .opt = OUR_TS(peer_ts));
	TT_NONE();
	TT_ASSERT_STAT(tcp_rto, 1);
	TT_ASSERT_STAT(tcp_tlp_probes, 1);
}

TestSuite(tcp_tlp, .init = setup_sack, .fini = tt_teardown);

Test(tcp_tlp, tail_loss_probe_resends_the_last_segment_after_two_srtt_rfc8985)
{
	app_write(3 * SMSS);
	tt_skip_all();
	/* PTO = max(2 SRTT, 10 ms) with more than one segment out (7.2);
	 * no new data to send: the last segment again (7.3) */
	tt_advance(dpt_ms(9));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK | PSH, .seq = sq(2), .ack = 1001, .wnd = 32768,
	       .len = SMSS, .opt = OUR_TS(peer_ts));
	TT_NONE();
	TT_ASSERT_STAT(tcp_tlp_probes, 1);
	TT_ASSERT_STAT(tcp_retransmits, 1);
	/* then only the RTO: one probe per episode */
	tt_advance(dpt_ms(199));
	TT_NONE();
	tt_advance(dpt_ms(3));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 32768,
	       .len = SMSS, .opt = OUR_TS(peer_ts));
	TT_ASSERT_STAT(tcp_rto, 1);
	TT_ASSERT_STAT(tcp_tlp_probes, 1);
}

Test(tcp_tlp, probe_sends_new_data_when_the_window_allows_rfc8985_7_3)
{
	/* 12 segments queued, the initial window (10) sent: the probe is
	 * the 11th, new data the peer's window allows */
	app_write(12 * SMSS);
	tt_skip_all();
	tt_advance(dpt_ms(11));
	TT_OUT(.flags = ACK, .seq = sq(10), .ack = 1001, .wnd = 32768,
	       .len = SMSS, .opt = OUR_TS(peer_ts));
	TT_NONE();
	TT_ASSERT_STAT(tcp_tlp_probes, 1);
	TT_ASSERT_STAT(tcp_retransmits, 0);
}

Test(tcp_tlp, one_segment_out_waits_for_a_delayed_ack_too_rfc8985_7_2)
{
	app_write(100);
	tt_skip_all();
	/* FlightSize of one segment: PTO = max(2 SRTT, 1.5 SRTT + 200 ms),
	 * here no earlier than the RTO (200 ms), which bounds it */
	tt_advance(dpt_ms(150));
	TT_NONE();
	tt_advance(dpt_ms(52));
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1001, .wnd = 32768,
	       .len = 100, .opt = OUR_TS(peer_ts));
	TT_ASSERT_STAT(tcp_tlp_probes, 1);
	TT_ASSERT_STAT(tcp_rto, 0);
}

Test(tcp_tlp, probe_that_repairs_a_loss_gets_a_congestion_response_rfc8985_7_4)
{
	uint32_t cwnd;

	app_write(3 * SMSS);
	tt_skip_all();
	cwnd = c->cwnd;
	tt_advance(dpt_ms(11));
	tt_skip_all(); /* the probe: segment 3 again */
	/* the ACK covering the probe ends the episode: a repaired loss */
	SACK_ACK(sq(3), 0, { 0, 0 });
	TT_ASSERT_STAT(tcp_tlp_recoveries, 1);
	cr_assert_lt(c->cwnd, cwnd);
	cr_assert_eq(c->cwnd, c->ssthresh);
	cr_assert(!(c->flags & F_RECOVERY));
	cr_assert(!(c->flags & F_TLP_OUT));
}

Test(tcp_tlp, ack_before_the_pto_means_no_probe)
{
	app_write(3 * SMSS);
	tt_skip_all();
	tt_advance(dpt_ms(5));
	SACK_ACK(sq(3), 0, { 0, 0 });
	tt_advance(dpt_ms(300));
	TT_NONE();
	TT_ASSERT_STAT(tcp_tlp_probes, 0);
}

/* ======================================================================== */
/* RFC 2018 4: the SACK blocks we send                                      */
/* ======================================================================== */

TestSuite(tcp_sack_blocks, .init = setup_sack, .fini = tt_teardown);

/* Window field while only out-of-order data is held: the 256 KiB buffer
 * less 100 held octets, rounded down to the scale (8), then never shrunk
 * (RFC 9293 3.8.6). */
#define W_HELD 32755

Test(tcp_sack_blocks, out_of_order_segment_is_acked_at_once_with_its_block)
{
	SACK_DATA(1101, 100);
	/* RFC 5681 4.2 at once; RFC 2018 4: the block of the segment. The
	 * TSecr is the last in-order TSval (RFC 7323 4.3). */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = W_HELD,
	       .opt = { .present = DPT_TCPOPT_TS | DPT_TCPOPT_SACK,
			.tsecr = 101, .n_sack = 1,
			.sack = { { 1101, 1201 } } });
	TT_NONE();
}

Test(tcp_sack_blocks, contiguous_held_segments_are_reported_as_one_block)
{
	SACK_DATA(1101, 100);
	tt_skip_all();
	SACK_DATA(1201, 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = W_HELD,
	       .opt = { .present = DPT_TCPOPT_TS | DPT_TCPOPT_SACK,
			.tsecr = 101, .n_sack = 1,
			.sack = { { 1101, 1301 } } });
	/* one joining two blocks */
	SACK_DATA(1401, 100);
	tt_skip_all();
	SACK_DATA(1301, 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = W_HELD,
	       .opt = { .present = DPT_TCPOPT_TS | DPT_TCPOPT_SACK,
			.tsecr = 101, .n_sack = 1,
			.sack = { { 1101, 1501 } } });
}

Test(tcp_sack_blocks, first_block_holds_the_latest_segment_and_three_fit_beside_timestamps)
{
	/* arrivals descending, so the most recent order and the sequence
	 * order of the other blocks agree */
	SACK_DATA(1701, 100);
	SACK_DATA(1501, 100);
	SACK_DATA(1301, 100);
	tt_skip_all();
	SACK_DATA(1101, 100);
	/* RFC 2018 3: with timestamps (12 octets) 3 blocks fit in 40 */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = W_HELD,
	       .opt = { .present = DPT_TCPOPT_TS | DPT_TCPOPT_SACK,
			.tsecr = 101, .n_sack = 3,
			.sack = { { 1101, 1201 }, { 1301, 1401 },
				  { 1501, 1601 } } });
	/* a segment extending a block in the middle: that block goes first */
	SACK_DATA(1601, 50);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = W_HELD,
	       .opt = { .present = DPT_TCPOPT_TS | DPT_TCPOPT_SACK,
			.tsecr = 101, .n_sack = 3,
			.sack = { { 1501, 1651 }, { 1101, 1201 },
				  { 1301, 1401 } } });
}

Test(tcp_sack_blocks, later_blocks_repeat_the_most_recently_reported_rfc2018_4)
{
	SACK_DATA(1101, 100);
	SACK_DATA(1301, 100);
	SACK_DATA(1501, 100);
	tt_skip_all();
	SACK_DATA(1701, 100);
	/* RFC 2018 4: first the block of this segment, then "repeating the
	 * most recently reported SACK blocks", so each is reported in up
	 * to three ACKs: 1501 (first last time), then 1301 */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = W_HELD,
	       .opt = { .present = DPT_TCPOPT_TS | DPT_TCPOPT_SACK,
			.tsecr = 101, .n_sack = 3,
			.sack = { { 1701, 1801 }, { 1501, 1601 },
				  { 1301, 1401 } } });
}

Test(tcp_sack_blocks, blocks_disappear_when_the_holes_fill)
{
	SACK_DATA(1101, 100);
	SACK_DATA(1301, 100);
	tt_skip_all();
	/* the first hole fills: 1101-1201 joins; one block left. The
	 * in-order segment updates TS.Recent. */
	SACK_DATA(1001, 100);
	cr_assert_eq(dpt_tcp_readable(c), 200);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1201, .wnd = 32730,
	       .opt = { .present = DPT_TCPOPT_TS | DPT_TCPOPT_SACK,
			.tsecr = peer_ts, .n_sack = 1,
			.sack = { { 1301, 1401 } } });
	/* the last hole fills: no SACK option at all */
	SACK_DATA(1201, 100);
	cr_assert_eq(dpt_tcp_readable(c), 400);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1401, .wnd = 32705,
	       .opt = OUR_TS(peer_ts));
	TT_NONE();
}

Test(tcp_sack_blocks, data_segment_with_sack_blocks_still_fits_the_mss)
{
	/* RFC 9293 3.7.1, RFC 6691: the MSS bounds data and options beyond
	 * the fixed header together. c->mss (1448) already allows for the
	 * timestamps; one SACK block takes 12 more (2 NOPs, kind, length, 8),
	 * so a full segment carries 1436 octets and the frame stays 1500
	 * octets on the wire. */
	SACK_DATA(1101, 100);
	tt_skip_all();
	app_write(2000);
	TT_OUT(.flags = ACK, .seq = sq(0), .ack = 1001, .wnd = W_HELD,
	       .len = SMSS - 12,
	       .opt = { .present = DPT_TCPOPT_TS | DPT_TCPOPT_SACK,
			.tsecr = 101, .n_sack = 1,
			.sack = { { 1101, 1201 } } });
	/* the rest ends the queued data: PSH */
	TT_OUT(.flags = ACK | PSH, .seq = sq(0) + SMSS - 12, .ack = 1001,
	       .wnd = W_HELD, .len = 2000 - (SMSS - 12),
	       .opt = { .present = DPT_TCPOPT_TS | DPT_TCPOPT_SACK,
			.tsecr = 101, .n_sack = 1,
			.sack = { { 1101, 1201 } } });
	TT_NONE();
}

/* ======================================================================== */
/* The out-of-order queue and its bound                                     */
/* ======================================================================== */

TestSuite(tcp_ooo, .init = setup_ooo_max_2, .fini = tt_teardown);

Test(tcp_ooo, third_out_of_order_segment_is_dropped_past_ooo_max)
{
	uint8_t want[400], got[400];

	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 1, .len = 100);
	TT_IN(.flags = ACK, .seq = 1301, .ack = iss + 1, .len = 100);
	TT_IN(.flags = ACK, .seq = 1501, .ack = iss + 1, .len = 100);
	/* every one is answered by a duplicate ACK (RFC 5681 4.2) */
	for (int i = 0; i < 3; i++)
		TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_NONE();
	cr_assert_eq(c->ooo_n, 2);
	TT_ASSERT_STAT(tcp_drop_ooo_full, 1);
	TT_ASSERT_STAT(tcp_ooo_segs, 2);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 100);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1201, .wnd = 65535);
	TT_IN(.flags = ACK, .seq = 1201, .ack = iss + 1, .len = 100);
	/* the dropped 1501-1601 must come again */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1401, .wnd = 65535);
	TT_NONE();
	tt_pattern(want, 1001, sizeof(want));
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), 400);
	cr_assert_arr_eq(got, want, 400);
}

Test(tcp_ooo, overlapping_segments_are_trimmed_and_delivered_byte_exact)
{
	uint8_t want[450], got[450];

	TT_IN(.flags = ACK, .seq = 1201, .ack = iss + 1, .len = 100);
	/* covers the held one: replaces it */
	TT_IN(.flags = ACK, .seq = 1151, .ack = iss + 1, .len = 200);
	cr_assert_eq(c->ooo_n, 1);
	/* overlaps its end: only 1351-1451 is new */
	TT_IN(.flags = ACK, .seq = 1301, .ack = iss + 1, .len = 150);
	cr_assert_eq(c->ooo_n, 2);
	cr_assert_eq(c->ooo_bytes, 300);
	/* wholly inside what is held: a duplicate */
	TT_IN(.flags = ACK, .seq = 1361, .ack = iss + 1, .len = 40);
	TT_ASSERT_STAT(tcp_dup_segs, 1);
	TT_ASSERT_STAT(tcp_drop_ooo_full, 0);
	for (int i = 0; i < 4; i++)
		TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535);
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .len = 150);
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1451, .wnd = 65535);
	TT_NONE();
	tt_pattern(want, 1001, sizeof(want));
	cr_assert_eq(dpt_tcp_readable(c), 450);
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), 450);
	cr_assert_arr_eq(got, want, 450);
}

/* ======================================================================== */
/* Loss state (struct tcp_ext): taken when needed, from a bounded pool       */
/* ======================================================================== */

TestSuite(tcp_loss_state, .init = setup_sack, .fini = tt_teardown);

/* Take every loss state of the pool; returns what to give back. */
static struct tcp_ext *
pool_take_all(void)
{
	struct tcp_ext *all = tt.tcp->free_exts;

	tt.tcp->free_exts = NULL;
	return all;
}

static uint32_t
pool_free(void)
{
	uint32_t n = 0;

	for (struct tcp_ext *x = tt.tcp->free_exts; x != NULL;
	     x = x->next_free)
		n++;
	return n;
}

Test(tcp_loss_state, memory_report_counts_blocks_and_pool)
{
	struct dpt_tcp_mem m;

	dpt_tcp_mem(tt.tcp, &m);
	cr_assert_eq(m.tcb_size, sizeof(struct dpt_tcb));
	cr_assert_eq(m.tcbs, sizeof(struct dpt_tcb) * tt.conf.max_conns);
	/* max_conns 64: max_conns / 8 is below the floor of 64 */
	cr_assert_eq(tt.tcp->n_exts, 64);
	cr_assert_eq(m.loss_states, 64 * sizeof(struct tcp_ext));
	cr_assert_eq(sizeof(struct tcp_ext), 64, "one cache line");
	/* README "Memory per connection": what an idle connection costs;
	 * a field more must take the place of one less */
	cr_assert_leq(sizeof(struct dpt_tcb), 496, "control block %zu B",
		      sizeof(struct dpt_tcb));
}

Test(tcp_loss_state, established_connection_holds_none)
{
	cr_assert_eq(c->state, DPT_TCP_ESTABLISHED);
	cr_assert_null(c->ext);
	cr_assert_eq(pool_free(), tt.tcp->n_exts);
}

Test(tcp_loss_state, out_of_order_segment_takes_one_and_the_filled_gap_returns_it)
{
	uint32_t n = pool_free();

	SACK_DATA(1101, 100);
	tt_skip_all();
	cr_assert_not_null(c->ext);
	cr_assert_eq(pool_free(), n - 1);
	SACK_DATA(1001, 100);
	tt_skip_all();
	cr_assert_eq(c->rcv_nxt, 1201);
	cr_assert_null(c->ext);
	cr_assert_eq(pool_free(), n);
	cr_assert_eq(dpt_tcp_readable(c), 200);
}

Test(tcp_loss_state, out_of_order_segment_without_one_is_dropped_and_counted)
{
	struct tcp_ext *all = pool_take_all();
	uint8_t want[200], got[200];

	SACK_DATA(1101, 100);
	/* a duplicate ACK as ever (RFC 5681 4.2), with no block: nothing is
	 * held, the whole window is offered */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 32768,
	       .opt = OUR_TS(101));
	TT_NONE();
	TT_ASSERT_STAT(tcp_drop_ooo_nostate, 1);
	TT_ASSERT_STAT(tcp_ooo_segs, 0);
	cr_assert_eq(c->ooo_n, 0);
	cr_assert_null(c->ext);
	tt.tcp->free_exts = all;
	/* the peer resends after the gap: all of it arrives in order */
	SACK_DATA(1001, 100);
	SACK_DATA(1101, 100);
	tt_skip_all();
	tt_pattern(want, 1001, sizeof(want));
	cr_assert_eq(dpt_tcp_read(c, got, sizeof(got)), 200);
	cr_assert_arr_eq(got, want, 200);
}

Test(tcp_loss_state, sack_blocks_without_one_are_ignored_and_counted)
{
	struct tcp_ext *all;

	app_write(4 * SMSS);
	tt_skip_all();
	all = pool_take_all();
	/* segments 2-4 SACKed would start recovery at once (see
	 * sack_of_three_later_segments_starts_recovery_on_the_first_dup_ack);
	 * unrecorded, it is a duplicate ACK by RFC 5681's rule, as from a
	 * peer without SACK, and nothing is sent */
	SACK_ACK(iss + 1, 1, { sq(1), sq(4) });
	TT_NONE();
	TT_ASSERT_STAT(tcp_sack_nostate, 1);
	cr_assert_eq(c->n_sb, 0);
	cr_assert(!(c->flags & F_RECOVERY));
	cr_assert_eq(c->dupacks, 1);
	tt.tcp->free_exts = all;
	/* with one to be had, the next block is recorded */
	SACK_ACK(iss + 1, 1, { sq(1), sq(4) });
	cr_assert_eq(c->n_sb, 1);
	cr_assert_not_null(c->ext);
	/* the cumulative ACK of everything returns it */
	tt_skip_all();
	SACK_ACK(sq(4), 0, { 0, 0 });
	cr_assert_eq(c->n_sb, 0);
	cr_assert_null(c->ext);
	cr_assert_eq(pool_free(), tt.tcp->n_exts);
}

/* ======================================================================== */
/* Zero-window probing (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17)                */
/* ======================================================================== */

static uint8_t zw_data[100];

/* The peer closes its window; then the application writes 100 bytes. */
static void
zero_window_with_data(void)
{
	TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 0,
	      .wnd_set = 1);
	cr_assert_eq(c->snd_wnd, 0);
	tt_pattern(zw_data, 0, sizeof(zw_data));
	cr_assert_eq(dpt_tcp_write(c, zw_data, sizeof(zw_data)), 100);
	tt_poll();
	TT_NONE();
}

TestSuite(tcp_persist, .init = setup_plain, .fini = tt_teardown);

Test(tcp_persist, zero_window_is_probed_with_one_octet_backing_off)
{
	zero_window_with_data();
	/* the persist timer: one RTO (200 ms), then doubling */
	for (unsigned int i = 0; i < 3; i++) {
		await(c->t_rexmt, dpt_ms(200u << i));
		TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
		       .len = 1, .data = zw_data);
		TT_ASSERT_STAT(tcp_window_probes, i + 1);
	}
	TT_NONE();
	TT_ASSERT_STAT(tcp_window_probes, 3);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
}

Test(tcp_persist, window_opening_ends_probing_and_data_flows)
{
	zero_window_with_data();
	tt_advance(dpt_ms(201));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
	       .len = 1, .data = zw_data);
	/* the peer took the probe octet and opens its window */
	peer_ack(iss + 2);
	TT_OUT(.flags = ACK | PSH, .seq = iss + 2, .ack = 1001, .wnd = 65535,
	       .len = 99, .data = zw_data + 1);
	TT_NONE();
	cr_assert_neq(c->rexmt_kind, TCP_REXMT_PERSIST);
	peer_ack(iss + 101);
	tt_advance(dpt_s(5));
	TT_NONE();
	TT_ASSERT_STAT(tcp_window_probes, 1);
}

TestSuite(tcp_persist_short, .init = setup_short_life, .fini = tt_teardown);

Test(tcp_persist_short, answered_probes_never_close_the_connection_rfc1122_4_2_2_17)
{
	static const uint32_t gap_ms[] = { 200, 400, 800, 1000, 1000, 1000 };

	zero_window_with_data();
	/* retries = 3, but every probe is answered (with a zero window):
	 * "MUST NOT close the connection due to a zero window, as long as
	 * the receiving TCP continues to send acknowledgments" */
	for (unsigned int i = 0; i < RTE_DIM(gap_ms); i++) {
		await(c->t_rexmt, dpt_ms(gap_ms[i]));
		TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = 65535,
		       .len = 1, .data = zw_data);
		TT_IN(.flags = ACK, .seq = 1001, .ack = iss + 1, .wnd = 0,
		      .wnd_set = 1);
	}
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	cr_assert_not_null(tt.conn);
	TT_ASSERT_STAT(tcp_conn_timeout, 0);
}

/* ======================================================================== */
/* Keepalive (RFC 1122 4.2.3.6)                                             */
/* ======================================================================== */

TestSuite(tcp_keepalive, .init = setup_plain, .fini = tt_teardown);

/* Idle 10 s, probes every 1 s, 3 of them. */
static void
keepalive_on(void)
{
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_KEEPIDLE, dpt_s(10), tt.now), 0);
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_KEEPINTVL, dpt_s(1), tt.now), 0);
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_KEEPCNT, 3, tt.now), 0);
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_KEEPALIVE, 1, tt.now), 0);
}

Test(tcp_keepalive, is_off_by_default)
{
	/* "MUST default to off" */
	tt_advance(dpt_s(3 * 3600));
	TT_NONE();
	TT_ASSERT_STAT(tcp_keepalive_probes, 0);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
}

Test(tcp_keepalive, unanswered_probes_every_interval_reset_after_keepcnt)
{
	keepalive_on();
	tt_advance(dpt_s(10) - dpt_ms(1));
	TT_NONE();
	tt_advance(dpt_ms(2));
	/* <SEQ=SND.NXT-1><ACK=RCV.NXT>, no data */
	TT_OUT(.flags = ACK, .seq = iss, .ack = 1001, .wnd = 65535);
	for (int i = 0; i < 2; i++) {
		await(c->t_keep, dpt_s(1));
		TT_OUT(.flags = ACK, .seq = iss, .ack = 1001, .wnd = 65535);
	}
	TT_ASSERT_STAT(tcp_keepalive_probes, 3);
	cr_assert_not_null(tt.conn);
	await(c->t_keep, dpt_s(1)); /* KEEPCNT probes unanswered: reset */
	TT_NONE();
	cr_assert_null(tt.conn, "the connection was not closed");
	cr_assert(tt.events & DPT_TCP_EV_RESET);
	cr_assert_eq(reset_error, DPT_TCP_ERR_TIMEOUT);
	TT_ASSERT_STAT(tcp_keepalive_probes, 3);
	TT_ASSERT_STAT(tcp_conn_timeout, 1);
}

Test(tcp_keepalive, an_answer_restarts_the_idle_time)
{
	keepalive_on();
	tt_advance(dpt_s(10) + dpt_ms(1));
	TT_OUT(.flags = ACK, .seq = iss, .ack = 1001, .wnd = 65535);
	peer_ack(iss + 1);
	TT_NONE();
	cr_assert_eq(c->ka_sent, 0);
	/* next probe a full idle time after the answer, not an interval */
	tt_advance(dpt_s(10) - dpt_ms(2));
	TT_NONE();
	tt_advance(dpt_ms(3));
	TT_OUT(.flags = ACK, .seq = iss, .ack = 1001, .wnd = 65535);
	TT_ASSERT_STAT(tcp_keepalive_probes, 2);
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
}

/* ======================================================================== */
/* Delayed ACK (RFC 1122 4.2.3.2, RFC 5681 4.2)                             */
/* ======================================================================== */

TestSuite(tcp_delack, .init = setup_plain, .fini = tt_teardown);

Test(tcp_delack, one_small_segment_is_acked_after_40ms)
{
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 10);
	tt_advance(dpt_ms(39));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1011, .wnd = 65535);
	TT_NONE();
	TT_ASSERT_STAT(tcp_delayed_acks, 1);
}

Test(tcp_delack, data_sent_by_the_application_carries_the_ack)
{
	uint8_t d[50];

	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 100);
	tt_advance(dpt_ms(10));
	tt_pattern(d, 0, sizeof(d));
	dpt_tcp_write(c, d, sizeof(d));
	tt_poll();
	TT_OUT(.flags = ACK | PSH, .seq = iss + 1, .ack = 1101, .wnd = 65535,
	       .len = 50, .data = d);
	TT_NONE();
	cr_assert_eq(c->t_delack, 0);
	TT_IN(.flags = ACK, .seq = 1101, .ack = iss + 51);
	tt_advance(dpt_ms(100));
	TT_NONE(); /* no separate ACK */
	TT_ASSERT_STAT(tcp_delayed_acks, 0);
}

TestSuite(tcp_delack_conf, .init = setup_delack_100ms, .fini = tt_teardown);

Test(tcp_delack_conf, configured_delack_is_used)
{
	TT_IN(.flags = ACK | PSH, .seq = 1001, .ack = iss + 1, .len = 10);
	tt_advance(dpt_ms(99));
	TT_NONE();
	tt_advance(dpt_ms(2));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1011, .wnd = 65535);
	TT_ASSERT_STAT(tcp_delayed_acks, 1);
}
