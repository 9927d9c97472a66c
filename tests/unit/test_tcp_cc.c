/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_cc.c: congestion control. The initial window (RFC 6928, RFC 5681
 * 3.1), NewReno (RFC 5681 3.1-3.2, RFC 6582, slow start counting bytes per
 * RFC 3465 with L = 2), CUBIC (RFC 9438), seen both through cc_*() on a
 * real connection (white box: cwnd, ssthresh and the RFC 9438 variables
 * in c->cubic) and through the segments a large write puts on the wire.
 *
 * Expectations are computed here as the RFCs state them: windows in
 * segments and real-valued where RFC 9438 says so, then floored to bytes.
 * The peer's MSS is 1460 and no timestamps are negotiated unless a test
 * says so, so the effective MSS is 1460.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_harness.h"
#include "tcp_impl.h"

#define MSS 1460u
#define RTT_US 100000u         /* the SRTT the CUBIC tests set: 100 ms */
#define RTT_S 0.1
#define C_CUBIC 0.4            /* RFC 9438 4.1 */
#define BETA_CUBIC 0.7         /* RFC 9438 4.1 */
/* RFC 9438 4.3: alpha_cubic = 3 (1 - beta) / (1 + beta) */
#define ALPHA_CUBIC (3.0 * (1.0 - BETA_CUBIC) / (1.0 + BETA_CUBIC))
#define WND_NO_WS 65535u       /* our window, unscaled, 256 KiB buffer */
#define WND_WS 32768u          /* 256 KiB >> 3, our scale for 256 KiB */

/* Peer SYN options: MSS 1460 only; with window scale 7; with SACK. */
static const struct dpt_tcp_opts opt_mss = {
	.present = DPT_TCPOPT_MSS, .mss = 1460 };
static const struct dpt_tcp_opts opt_mss_ws = {
	.present = DPT_TCPOPT_MSS | DPT_TCPOPT_WS, .mss = 1460, .wscale = 7 };
static const struct dpt_tcp_opts opt_mss_sack = {
	.present = DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK, .mss = 1460 };

static uint32_t iss;
static struct dpt_tcb *c;
static uint8_t big[256 * 1024];

/* RFC 9438 eqn. 1: W_cubic(t) = C (t - K)^3 + W_max, segments. */
static double
rfc_w_cubic(double t, double k, double w_max)
{
	return C_CUBIC * (t - k) * (t - k) * (t - k) + w_max;
}

/* RFC 9438 eqn. 2: K = cubic_root((W_max - cwnd_epoch) / C), seconds. */
static double
rfc_k(double w_max, double cwnd_epoch)
{
	return cbrt((w_max - cwnd_epoch) / C_CUBIC);
}

/* A real-valued window in segments, as bytes. */
static uint32_t
bytes(double segs)
{
	return (uint32_t)floor(segs * MSS);
}

static struct dpt_tcp_info
info(void)
{
	struct dpt_tcp_info i;

	dpt_tcp_get_info(c, &i);
	return i;
}

/* Queue 256 KiB and let output run: the initial window goes out. */
static void
write_big(void)
{
	cr_assert_eq(dpt_tcp_write(c, big, sizeof(big)), (ssize_t)sizeof(big));
	tt_poll();
}

/* The next @n segments are full-sized data from @seq on, advertising
 * @wnd, and nothing follows them. Returns the sequence after them. */
static uint32_t
sent_full(uint32_t seq, unsigned int n, uint32_t wnd)
{
	for (unsigned int i = 0; i < n; i++)
		TT_OUT(.flags = ACK, .seq = seq + i * MSS, .ack = 1001,
		       .wnd = wnd, .len = MSS);
	TT_NONE();
	return seq + n * MSS;
}

/* The peer acknowledges up to @ack (window 65535, scaled or not). */
static void
peer_ack(uint32_t ack)
{
	TT_IN(.flags = ACK, .seq = 1001, .ack = ack);
}

static void
conf_newreno(struct dpt_tcp_conf *cf)
{
	cf->cc = DPT_TCP_CC_NEWRENO;
}

static void
conf_iw20(struct dpt_tcp_conf *cf)
{
	cf->init_cwnd = 20;
}

/* ---- initial window ---------------------------------------------------- */

TestSuite(tcp_cc_iw, .fini = tt_teardown);

Test(tcp_cc_iw, iw_is_ten_segments_of_1460_and_ssthresh_arbitrarily_high)
{
	tt_setup();
	c = tt_accept(&opt_mss, &iss);
	/* RFC 6928 2: min(10*1460, max(2*1460, 14600)) = 14600; RFC 5681
	 * 3.1: the initial ssthresh is arbitrarily high. */
	cr_assert_eq(info().mss, 1460);
	cr_assert_eq(info().cwnd, 14600);
	cr_assert_eq(info().ssthresh, UINT32_MAX);
}

Test(tcp_cc_iw, iw_counts_segments_of_the_mss_left_after_timestamps)
{
	tt_setup();
	c = tt_accept(&(struct dpt_tcp_opts){ .present = DPT_TCPOPT_MSS |
			      DPT_TCPOPT_TS, .mss = 1460, .tsval = 1 }, &iss);
	/* RFC 5681 2: SMSS excludes options: 1460 - 12 = 1448, and
	 * min(10*1448, max(2*1448, 14600)) = 14480. */
	cr_assert_eq(c->mss, 1448);
	cr_assert_eq(c->cwnd, 14480);
}

Test(tcp_cc_iw, iw_of_ten_segments_of_536_stays_below_the_14600_byte_cap)
{
	tt_setup();
	c = tt_accept(&TT_OPTS_NONE, &iss);
	/* RFC 9293 3.7.1: no MSS option, 536; RFC 6928: 10*536 = 5360 */
	cr_assert_eq(c->mss, 536);
	cr_assert_eq(c->cwnd, 5360);
}

Test(tcp_cc_iw, iw_of_twenty_segments_is_capped_at_14600_bytes)
{
	tt_setup_with(conf_iw20);
	c = tt_accept(&opt_mss, &iss);
	/* RFC 6928 2: the cap min(10*1460, max(2920, 14600)) = 14600 */
	cr_assert_eq(c->cwnd, 14600);
}

Test(tcp_cc_iw, iw_of_twenty_small_segments_is_capped_at_ten_rfc6928)
{
	tt_setup_with(conf_iw20);
	c = tt_accept(&TT_OPTS_NONE, &iss);
	/* RFC 6928 2: "min (10*MSS, max (2*MSS, 14600))" = min(5360, 14600)
	 * = 5360, not 20*536 = 10720. */
	cr_assert_eq(c->cwnd, 5360, "cwnd %u, RFC 6928 allows 5360", c->cwnd);
}

Test(tcp_cc_iw, large_write_sends_exactly_the_initial_window_then_waits)
{
	tt_setup();
	c = tt_accept(&opt_mss_ws, &iss);
	write_big();
	/* ten full segments at once (RFC 6928), then nothing until an ACK
	 * (RFC 5681 3.1: no more than cwnd outstanding) */
	sent_full(iss + 1, 10, WND_WS);
	tt_advance(dpt_ms(150));
	TT_NONE();
	peer_ack(iss + 1 + MSS);
	sent_full(iss + 1 + 10 * MSS, 2, WND_WS);
}

/* ---- NewReno ----------------------------------------------------------- */

static void
setup_newreno(void)
{
	tt_setup_with(conf_newreno);
	c = tt_accept(&opt_mss, &iss);
	cr_assert_eq(c->cc, DPT_TCP_CC_NEWRENO);
}

TestSuite(tcp_cc_newreno, .init = setup_newreno, .fini = tt_teardown);

Test(tcp_cc_newreno, slow_start_grows_by_the_bytes_acked_rfc3465)
{
	/* RFC 3465 2.2: cwnd += min(N, L*SMSS), N the bytes acked */
	cc_ack(c, 1000, tt.now);
	cr_assert_eq(c->cwnd, 15600);
	cc_ack(c, MSS, tt.now);
	cr_assert_eq(c->cwnd, 17060);
	cr_assert_eq(c->ssthresh, UINT32_MAX);
}

Test(tcp_cc_newreno, slow_start_growth_per_ack_is_capped_at_two_mss_rfc3465)
{
	/* RFC 3465 2.2 with L = 2: an ACK of 5 segments adds 2 */
	cc_ack(c, 5 * MSS, tt.now);
	cr_assert_eq(c->cwnd, 14600 + 2 * MSS);
	cc_ack(c, 2 * MSS, tt.now);
	cr_assert_eq(c->cwnd, 14600 + 4 * MSS);
}

Test(tcp_cc_newreno, congestion_avoidance_adds_one_mss_per_cwnd_acked_rfc5681)
{
	c->cwnd = c->ssthresh = 10 * MSS;
	/* RFC 5681 3.1 (byte counting variant, RFC 3465 2.1): cwnd grows by
	 * SMSS once a whole cwnd of bytes is acknowledged, the counter
	 * keeping what exceeds it. */
	for (int i = 0; i < 9; i++) {
		cc_ack(c, MSS, tt.now);
		cr_assert_eq(c->cwnd, 10 * MSS, "after %d ACKs", i + 1);
	}
	cc_ack(c, MSS + 100, tt.now);
	cr_assert_eq(c->cwnd, 11 * MSS);
	/* 100 bytes carried: 11 MSS - 100 more bytes for the next step */
	cc_ack(c, 11 * MSS - 101, tt.now);
	cr_assert_eq(c->cwnd, 11 * MSS);
	cc_ack(c, 1, tt.now);
	cr_assert_eq(c->cwnd, 12 * MSS);
}

Test(tcp_cc_newreno, loss_sets_ssthresh_to_half_the_flight_size_not_cwnd_eqn4)
{
	write_big();
	tt_skip_all();
	c->cwnd = 100 * MSS; /* larger than what is in flight */
	cc_enter_recovery(c, tt.now);
	/* RFC 5681 3.1 eqn. 4: max(FlightSize/2, 2*SMSS) = 14600/2 */
	cr_assert_eq(c->ssthresh, 7300);
	/* RFC 6582 3.2 step 2 (no SACK): ssthresh + 3*SMSS */
	cr_assert_eq(c->cwnd, 7300 + 3 * MSS);
	cr_assert(c->flags & F_RECOVERY);
}

Test(tcp_cc_newreno, three_dup_acks_halve_the_flight_and_resend_the_first)
{
	uint32_t i;

	write_big();
	sent_full(iss + 1, 10, WND_NO_WS);
	peer_ack(iss + 1);
	peer_ack(iss + 1);
	TT_NONE();
	peer_ack(iss + 1);
	/* RFC 5681 3.2 steps 2-3: retransmit, ssthresh = 14600/2, cwnd =
	 * ssthresh + 3 SMSS = 11680 < FlightSize 14600: nothing new. */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND_NO_WS,
	       .len = MSS);
	TT_NONE();
	cr_assert_eq(info().ssthresh, 7300);
	cr_assert_eq(info().cwnd, 11680);
	TT_ASSERT_STAT(tcp_fast_retransmits, 1);
	/* step 4: each further duplicate adds an SMSS; the third one past
	 * the threshold opens room for one new segment */
	for (i = 0; i < 2; i++) {
		peer_ack(iss + 1);
		TT_NONE();
	}
	peer_ack(iss + 1);
	cr_assert_eq(info().cwnd, 11680 + 3 * MSS);
	sent_full(iss + 1 + 10 * MSS, 1, WND_NO_WS);
}

Test(tcp_cc_newreno, ssthresh_after_loss_is_at_least_two_mss_eqn4)
{
	cr_assert_eq(dpt_tcp_write(c, big, 3 * MSS), 3 * MSS);
	tt_poll();
	tt_skip_all();
	for (int i = 0; i < 3; i++)
		peer_ack(iss + 1);
	/* max(4380/2, 2*1460) = 2920 */
	cr_assert_eq(c->ssthresh, 2 * MSS);
	cr_assert_eq(c->cwnd, 2 * MSS + 3 * MSS);
}

Test(tcp_cc_newreno, full_ack_leaves_recovery_at_min_ssthresh_flight_rfc6582)
{
	write_big();
	tt_skip_all();
	for (int i = 0; i < 3; i++)
		peer_ack(iss + 1);
	tt_skip_all();
	/* RFC 6582 3.2 step 3 (1): cwnd = min(ssthresh, max(FlightSize,
	 * SMSS) + SMSS) with nothing left in flight: min(7300, 2920) */
	peer_ack(iss + 1 + 10 * MSS);
	cr_assert_not(c->flags & F_RECOVERY);
	cr_assert_eq(info().cwnd, 2 * MSS);
	cr_assert_eq(info().ssthresh, 7300);
	sent_full(iss + 1 + 10 * MSS, 2, WND_NO_WS);
	/* back in slow start (cwnd < ssthresh): one MSS more per ACK */
	peer_ack(iss + 1 + 11 * MSS);
	cr_assert_eq(info().cwnd, 3 * MSS);
	sent_full(iss + 1 + 12 * MSS, 2, WND_NO_WS);
}

Test(tcp_cc_newreno, rto_sets_the_loss_window_and_slow_start_restarts)
{
	write_big();
	sent_full(iss + 1, 10, WND_NO_WS);
	tt_advance(dpt_ms(199));
	TT_NONE();
	tt_advance(dpt_ms(2));
	/* RFC 5681 3.1: ssthresh per eqn. 4 (14600/2), cwnd = LW = 1 SMSS;
	 * only the first segment goes out again. */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND_NO_WS,
	       .len = MSS);
	TT_NONE();
	cr_assert_eq(info().cwnd, MSS);
	cr_assert_eq(info().ssthresh, 7300);
	/* its ACK: slow start, 2 SMSS: the next two go (again) */
	peer_ack(iss + 1 + MSS);
	cr_assert_eq(info().cwnd, 2 * MSS);
	sent_full(iss + 1 + MSS, 2, WND_NO_WS);
}

/* ---- CUBIC, through cc_*() ---------------------------------------------- */

/* The default algorithm, SACK negotiated (leaving recovery sets cwnd to
 * ssthresh, RFC 6675 5), a 100 ms SRTT. */
static void
setup_cubic(void)
{
	tt_setup();
	c = tt_accept(&opt_mss_sack, &iss);
	cr_assert_eq(c->cc, DPT_TCP_CC_CUBIC);
	cr_assert(c->flags & F_SACK);
	c->srtt = RTT_US;
}

/* A congestion event at a window of @segs segments, then recovery ends. */
static void
loss_at(double segs)
{
	c->cwnd = bytes(segs);
	cc_enter_recovery(c, tt.now);
	cc_exit_recovery(c, tt.now);
}

TestSuite(tcp_cc_cubic, .init = setup_cubic, .fini = tt_teardown);

Test(tcp_cc_cubic, loss_sets_ssthresh_to_beta_cwnd_w_max_to_cwnd_4_6)
{
	c->cwnd = 100 * MSS;
	cc_enter_recovery(c, tt.now);
	/* 4.6: ssthresh = cwnd * 0.7 = 70 segments (beta = 7/10 exactly);
	 * 4.7: W_max = 100 segments (no earlier W_max) */
	cr_assert_eq(c->ssthresh, 100 * MSS * 7 / 10);
	cr_assert_eq(c->cwnd, c->ssthresh); /* SACK recovery: RFC 6675 */
	cr_assert_float_eq(c->cubic.w_max, 100.0, 1e-9);
	cc_exit_recovery(c, tt.now);
	cr_assert_eq(c->cwnd, 70 * MSS);
	/* a later loss above W_max: W_max = cwnd again */
	c->cwnd = 120 * MSS;
	cc_enter_recovery(c, tt.now);
	cr_assert_float_eq(c->cubic.w_max, 120.0, 1e-9);
	cr_assert_eq(c->ssthresh, 84 * MSS);
}

Test(tcp_cc_cubic, ssthresh_after_loss_is_at_least_two_mss_rfc9438_4_6)
{
	c->cwnd = 2 * MSS;
	cc_enter_recovery(c, tt.now);
	/* max(2 * 0.7, 2) segments */
	cr_assert_eq(c->ssthresh, 2 * MSS);
	c->cwnd = 3 * MSS;
	cc_enter_recovery(c, tt.now);
	/* 3 * 0.7 = 2.1 segments = 3066 bytes */
	cr_assert_eq(c->ssthresh, 3 * MSS * 7 / 10);
}

Test(tcp_cc_cubic, fast_convergence_lowers_w_max_below_cwnd_rfc9438_4_7)
{
	loss_at(100);
	/* the next loss comes at 80 < W_max = 100: W_max = 80 (1 + 0.7) / 2
	 * = 68; ssthresh still 0.7 * 80 = 56 segments */
	loss_at(80);
	cr_assert_float_eq(c->cubic.w_max, 80 * (1 + BETA_CUBIC) / 2, 1e-9);
	cr_assert_eq(c->ssthresh, 56 * MSS);
	cr_assert_eq(c->cwnd, 56 * MSS);
}

Test(tcp_cc_cubic, k_is_the_time_to_return_to_w_max_eqn2)
{
	loss_at(100);
	tt.now += dpt_s(1);
	cc_ack(c, MSS, tt.now);
	/* 4.2: K = cbrt((100 - 70) / 0.4) = cbrt(75) s, epoch = now */
	cr_assert_float_eq(c->cubic.k, rfc_k(100, 70), 1e-9);
	cr_assert_float_eq(c->cubic.k, 4.2171633265, 1e-9);
	cr_assert_eq(c->cubic.epoch, tt.now);
}

Test(tcp_cc_cubic, first_ack_of_an_epoch_is_in_the_reno_friendly_region_4_3)
{
	double w_est;

	loss_at(100);
	cc_ack(c, MSS, tt.now);
	/* 4.3: W_est starts at cwnd_epoch = 70 and grows by alpha per acked
	 * window; W_cubic(0) = cwnd_epoch = 70 < W_est: cwnd = W_est */
	w_est = 70 + ALPHA_CUBIC * 1 / 70;
	cr_assert_float_eq(c->cubic.w_est, w_est, 1e-9);
	cr_assert_eq(c->cwnd, bytes(w_est)); /* 102211 */
}

Test(tcp_cc_cubic, window_grows_toward_w_cubic_one_rtt_ahead_rfc9438_4_4)
{
	double k = rfc_k(100, 70), cwnd, w_est, target;

	loss_at(100);
	cc_ack(c, MSS, tt.now);
	cwnd = w_est = 70 + ALPHA_CUBIC / 70;
	/* one second later, one segment acked: W_cubic(1) = 86.7 > W_est,
	 * the concave region: target = W_cubic(t + RTT) (within cwnd and
	 * 1.5 cwnd), cwnd += (target - cwnd) / cwnd */
	tt.now += dpt_s(1);
	cc_ack(c, MSS, tt.now);
	w_est += ALPHA_CUBIC / cwnd;
	cr_assert_gt(rfc_w_cubic(1, k, 100), w_est);
	target = rfc_w_cubic(1 + RTT_S, k, 100);
	cr_assert(target > cwnd && target < 1.5 * cwnd);
	cwnd += (target - cwnd) / cwnd;
	cr_assert_eq(c->cwnd, bytes(cwnd), "cwnd %u, expected %u", c->cwnd,
		     bytes(cwnd));
}

Test(tcp_cc_cubic, target_is_clamped_to_one_and_a_half_cwnd_rfc9438_4_4)
{
	double cwnd;

	loss_at(100);
	cc_ack(c, MSS, tt.now);
	cwnd = 70 + ALPHA_CUBIC / 70;
	/* 20 s on, W_cubic(20.1) is ~1700 segments: the target is 1.5
	 * cwnd, so one segment acked adds (1.5 cwnd - cwnd) / cwnd = 0.5 */
	tt.now += dpt_s(20);
	cc_ack(c, MSS, tt.now);
	cr_assert_eq(c->cwnd, bytes(cwnd + 0.5), "cwnd %u, expected %u",
		     c->cwnd, bytes(cwnd + 0.5));
	/* a whole window acked at once: cwnd becomes the target */
	cwnd += 0.5;
	cc_ack(c, c->cwnd, tt.now);
	cr_assert_eq(c->cwnd, bytes(1.5 * cwnd), "cwnd %u, expected %u",
		     c->cwnd, bytes(1.5 * cwnd));
}

Test(tcp_cc_cubic, reno_friendly_alpha_becomes_one_only_at_cwnd_prior_4_3)
{
	double w_est = 56, a;
	int n;

	loss_at(100);
	loss_at(80); /* fast convergence: W_max 68, cwnd_prior 80, cwnd 56 */
	/* Windows acknowledged with no time passing: W_cubic(0) = 56 stays
	 * below W_est, which grows by alpha_cubic per window until it
	 * reaches cwnd_prior (80), and by 1 only from there (4.3). Within
	 * 1e-3 segment: segments_acked / cwnd is 1 less a byte fraction. */
	for (n = 0; n < 30; n++) {
		a = w_est >= 80 ? 1.0 : ALPHA_CUBIC;
		w_est += a * 1.0; /* segments_acked / cwnd = 1 */
		cc_ack(c, c->cwnd, tt.now);
		cr_assert_float_eq(c->cubic.w_est, w_est, 1e-3,
				   "after %d windows: W_est %f, expected %f "
				   "(alpha %f)", n + 1, c->cubic.w_est, w_est,
				   a);
	}
	/* cwnd = W_est, to the byte below or above (the window acked is
	 * whole bytes, W_est real-valued) */
	cr_assert_leq(c->cwnd - bytes(w_est) + 1, 2, "cwnd %u, W_est %u",
		      c->cwnd, bytes(w_est));
}

Test(tcp_cc_cubic, past_cwnd_prior_w_est_grows_one_segment_per_window_4_3)
{
	double w_est = 70;
	int n;

	loss_at(100);
	/* no fast convergence: cwnd_prior = W_max = 100; from 70, 57
	 * windows at alpha (70 + 57 * 0.529 = 100.2), then alpha = 1 */
	for (n = 0; n < 60; n++) {
		w_est += w_est >= 100 ? 1.0 : ALPHA_CUBIC;
		cc_ack(c, c->cwnd, tt.now);
	}
	cr_assert_float_eq(c->cubic.w_est, 70 + 57 * ALPHA_CUBIC + 3, 1e-3);
	cr_assert_float_eq(c->cubic.w_est, w_est, 1e-3);
	cr_assert_leq(c->cwnd - bytes(w_est) + 1, 2, "cwnd %u, W_est %u",
		      c->cwnd, bytes(w_est));
}

Test(tcp_cc_cubic, whole_window_acked_sets_cwnd_to_w_cubic_one_rtt_ahead_4_4)
{
	double k = rfc_k(100, 70), w_est, cwnd;

	loss_at(100);
	/* t = 0, a whole window acked: W_est = 70 + alpha (segments_acked /
	 * cwnd = 1) > W_cubic(0) = 70: cwnd = W_est (4.3) */
	cc_ack(c, c->cwnd, tt.now);
	w_est = 70 + ALPHA_CUBIC;
	cr_assert_eq(c->cwnd, bytes(w_est)); /* 102972.47 bytes */
	/* one RTT on, the next window: W_cubic(0.1) > W_est + alpha, the
	 * concave region; target = W_cubic(0.2) < 1.5 cwnd, and acking
	 * cwnd segments adds (target - cwnd) / cwnd per segment: cwnd
	 * becomes the target, 74.068 segments (4.4). */
	tt.now += RTT_US;
	cc_ack(c, c->cwnd, tt.now);
	cr_assert_gt(rfc_w_cubic(RTT_S, k, 100), w_est + ALPHA_CUBIC);
	cwnd = rfc_w_cubic(2 * RTT_S, k, 100);
	cr_assert_eq(c->cwnd, bytes(cwnd), "cwnd %u, expected %u (%.3f)",
		     c->cwnd, bytes(cwnd), cwnd * MSS);
}

Test(tcp_cc_cubic, concave_then_reno_then_convex_growth_around_w_max_4_2)
{
	double k = rfc_k(100, 70), w_est = 70, cwnd = 70, target;
	int64_t d, d_prev = 0;
	uint32_t before;
	int r, reno, reno_prev = 1, reno_prev2 = 1;
	int n_concave = 0, n_reno = 0, n_convex = 0;

	loss_at(100);
	/* Each RTT (100 ms) the peer acknowledges a whole window in one ACK,
	 * for 11 s. Expected per 4.3-4.4: W_est += alpha (1 from cwnd_prior
	 * = 100 on); cwnd = W_est when W_cubic(t) < W_est, else the target
	 * W_cubic(t + RTT) within [cwnd, 1.5 cwnd]. */
	for (r = 0; r < 110; r++) {
		double t = r * RTT_S;

		w_est += (w_est >= 100 ? 1.0 : ALPHA_CUBIC);
		reno = rfc_w_cubic(t, k, 100) < w_est;
		if (reno) {
			cwnd = w_est;
		} else {
			target = rfc_w_cubic(t + RTT_S, k, 100);
			target = fmin(fmax(target, cwnd), 1.5 * cwnd);
			cwnd = target;
		}
		before = c->cwnd;
		cc_ack(c, c->cwnd, tt.now);
		/* within a byte: the exact bytes are the test above's */
		cr_assert_leq(c->cwnd - bytes(cwnd) + 1, 2, "round %d (t %.1f "
			      "s): cwnd %u, expected %u", r, t, c->cwnd,
			      bytes(cwnd));
		/* below W_max until t + RTT reaches K, above it after */
		if (t + RTT_S < k)
			cr_assert_leq(c->cwnd, 100 * MSS, "round %d", r);
		else
			cr_assert_geq(c->cwnd, 100 * MSS, "round %d", r);
		d = (int64_t)c->cwnd - before;
		if (!reno && !reno_prev && !reno_prev2 &&
		    t + RTT_S < k - 0.3) {
			/* concave: each RTT adds less */
			cr_assert_lt(d, d_prev, "round %d not concave", r);
			n_concave++;
		} else if (!reno && !reno_prev && !reno_prev2 &&
			   t - RTT_S > k + 0.3) {
			/* convex: each RTT adds more */
			cr_assert_gt(d, d_prev, "round %d not convex", r);
			n_convex++;
		} else if (r >= 1 && reno && reno_prev) {
			/* Reno-friendly past cwnd_prior: one segment per RTT */
			cr_assert_leq(llabs(d - (int64_t)MSS), 1, "round %d: "
				      "+%lld", r, (long long)d);
			n_reno++;
		}
		d_prev = d;
		reno_prev2 = reno_prev;
		reno_prev = reno;
		tt.now += RTT_US;
	}
	/* every stage was seen: concave up to K (rounds 3-38), convex past
	 * it (47-57), Reno-friendly once W_est passes W_cubic (59-82),
	 * convex again when W_cubic overtakes W_est (85-109) */
	cr_assert_eq(n_concave, 36);
	cr_assert_eq(n_reno, 24);
	cr_assert_eq(n_convex, 36);
}

Test(tcp_cc_cubic, slow_start_below_ssthresh_is_the_same_as_newreno)
{
	loss_at(100);
	c->cwnd = 10 * MSS; /* below ssthresh = 70 segments */
	/* RFC 9438 4.10 and RFC 3465 2.2, L = 2 */
	cc_ack(c, 1000, tt.now);
	cr_assert_eq(c->cwnd, 10 * MSS + 1000);
	cc_ack(c, 4 * MSS, tt.now);
	cr_assert_eq(c->cwnd, 12 * MSS + 1000);
	cr_assert_eq(c->cubic.epoch, 0, "no congestion avoidance yet");
}

Test(tcp_cc_cubic, rto_sets_cwnd_to_one_mss_and_ssthresh_by_beta_rfc9438_4_8)
{
	c->cwnd = 100 * MSS;
	cc_rto(c, tt.now);
	/* 4.8: cwnd as Reno (LW = 1 SMSS), ssthresh = 0.7 cwnd (4.6) */
	cr_assert_eq(c->cwnd, MSS);
	cr_assert_eq(c->ssthresh, 70 * MSS);
	cr_assert_not(c->flags & F_RECOVERY);
}

Test(tcp_cc_cubic, first_congestion_avoidance_after_a_timeout_has_k_zero_4_8)
{
	double cwnd, w_est;

	c->cwnd = 100 * MSS;
	cc_rto(c, tt.now);
	/* slow start from 1 segment to ssthresh (70): 35 ACKs of 2 */
	while (c->cwnd < c->ssthresh)
		cc_ack(c, 2 * MSS, tt.now);
	cr_assert_eq(c->cwnd, 71 * MSS);
	tt.now += dpt_s(1);
	cc_ack(c, MSS, tt.now);
	/* 4.8: in the first congestion avoidance after a timeout, K = 0 and
	 * W_max = the cwnd at its start (71), W_est starts there too. */
	cr_assert_float_eq(c->cubic.k, 0.0, 1e-9, "K %f, expected 0",
			   c->cubic.k);
	cr_assert_float_eq(c->cubic.w_max, 71.0, 1e-9, "W_max %f, expected 71",
			   c->cubic.w_max);
	w_est = cwnd = 71 + ALPHA_CUBIC / 71;
	cr_assert_eq(c->cwnd, bytes(cwnd));
	/* one second on: W_cubic(1) = 0.4 + 71 > W_est; target W_cubic(1.1) */
	tt.now += dpt_s(1);
	cc_ack(c, MSS, tt.now);
	w_est += ALPHA_CUBIC / cwnd;
	cr_assert_gt(rfc_w_cubic(1, 0, 71), w_est);
	cwnd += (rfc_w_cubic(1 + RTT_S, 0, 71) - cwnd) / cwnd;
	cr_assert_eq(c->cwnd, bytes(cwnd), "cwnd %u, expected %u", c->cwnd,
		     bytes(cwnd));
}

/* ---- through segments ---------------------------------------------------- */

static void
setup_segments(void)
{
	tt_setup();
	c = tt_accept(&opt_mss_ws, &iss);
}

TestSuite(tcp_cc_segments, .init = setup_segments, .fini = tt_teardown);

Test(tcp_cc_segments, slow_start_doubles_the_segments_in_flight_each_round)
{
	uint32_t una = iss + 1, nxt;
	unsigned int inflight = 10;

	write_big();
	nxt = sent_full(una, 10, WND_WS);
	/* RFC 5681 3.1: each ACK of one SMSS grows cwnd by one SMSS and frees
	 * one: two new segments per ACK, the flight doubles per round. */
	for (int round = 0; round < 2; round++) {
		unsigned int n = inflight;

		for (unsigned int i = 0; i < n; i++) {
			una += MSS;
			peer_ack(una);
			nxt = sent_full(nxt, 2, WND_WS);
			inflight++;
			cr_assert_eq((nxt - una) / MSS, inflight);
			cr_assert_eq(info().cwnd, inflight * MSS);
		}
		cr_assert_eq(inflight, 10u << (round + 1));
	}
}

Test(tcp_cc_segments, ack_of_several_segments_grows_cwnd_by_at_most_two_rfc3465)
{
	uint32_t una = iss + 1, nxt;

	write_big();
	nxt = sent_full(una, 10, WND_WS);
	/* a delayed ACK for two segments: +2 SMSS, 2 freed: 4 new */
	una += 2 * MSS;
	peer_ack(una);
	nxt = sent_full(nxt, 4, WND_WS);
	cr_assert_eq(info().cwnd, 12 * MSS);
	/* an ACK for three: +2 SMSS only (L = 2), 3 freed: 5 new */
	una += 3 * MSS;
	peer_ack(una);
	nxt = sent_full(nxt, 5, WND_WS);
	cr_assert_eq(info().cwnd, 14 * MSS);
	cr_assert_eq(nxt - una, 14 * MSS);
}

Test(tcp_cc_segments, cubic_three_dup_acks_reduce_the_window_by_beta)
{
	write_big();
	sent_full(iss + 1, 10, WND_WS);
	for (int i = 0; i < 3; i++)
		peer_ack(iss + 1);
	/* RFC 9438 4.6: ssthresh = 0.7 * 10 segments; no SACK: RFC 6582
	 * inflates by 3; W_max = 10 (4.7) */
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND_WS,
	       .len = MSS);
	TT_NONE();
	cr_assert_eq(info().ssthresh, 7 * MSS);
	cr_assert_eq(info().cwnd, 7 * MSS + 3 * MSS);
	cr_assert_float_eq(c->cubic.w_max, 10.0, 1e-9);
}

Test(tcp_cc_segments, cubic_second_timeout_of_the_same_data_keeps_ssthresh)
{
	write_big();
	sent_full(iss + 1, 10, WND_WS);
	tt_advance(dpt_ms(201));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND_WS,
	       .len = MSS);
	cr_assert_eq(info().cwnd, MSS);
	cr_assert_eq(info().ssthresh, 7 * MSS);
	/* RFC 5681 3.1 (and RFC 9438 4.8 follows it): a second timeout of
	 * the same segment leaves ssthresh; 0.7 cwnd would be 2 SMSS. */
	tt_advance(dpt_ms(401));
	TT_OUT(.flags = ACK, .seq = iss + 1, .ack = 1001, .wnd = WND_WS,
	       .len = MSS);
	TT_NONE();
	TT_ASSERT_STAT(tcp_rto, 2);
	cr_assert_eq(info().cwnd, MSS);
	cr_assert_eq(info().ssthresh, 7 * MSS);
}

/* ---- choosing the algorithm --------------------------------------------- */

TestSuite(tcp_cc_select, .fini = tt_teardown);

Test(tcp_cc_select, setopt_congestion_switches_and_get_info_reports_it)
{
	tt_setup();
	c = tt_accept(&opt_mss, &iss);
	cr_assert_eq(info().cc, DPT_TCP_CC_CUBIC); /* [tcp] cc default */
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_CONGESTION,
				    DPT_TCP_CC_NEWRENO, tt.now), 0);
	cr_assert_eq(info().cc, DPT_TCP_CC_NEWRENO);
	/* the loss reaction is now eqn. 4 on the flight (7 * 1460 / 2),
	 * not 0.7 cwnd */
	cr_assert_eq(dpt_tcp_write(c, big, 7 * MSS), 7 * MSS);
	tt_poll();
	tt_skip_all();
	for (int i = 0; i < 3; i++)
		peer_ack(iss + 1);
	cr_assert_eq(info().ssthresh, 7 * MSS / 2);
	cr_assert_eq(info().cwnd, 7 * MSS / 2 + 3 * MSS);
}

/* libdptcp's TCP_CONGESTION speaks these names without lib/tcp
 * (lib/sock/sock_info.c repeats them): they must stay as they are. */
Test(tcp_cc_select, names_are_the_ones_tcp_congestion_speaks)
{
	cr_assert_str_eq(dpt_tcp_cc_names[DPT_TCP_CC_NEWRENO], "newreno");
	cr_assert_str_eq(dpt_tcp_cc_names[DPT_TCP_CC_CUBIC], "cubic");
	cr_assert_null(dpt_tcp_cc_names[DPT_TCP_CC_COUNT]);
}

Test(tcp_cc_select, setopt_congestion_refuses_an_unknown_algorithm)
{
	tt_setup_with(conf_newreno);
	c = tt_accept(&opt_mss, &iss);
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_CONGESTION, 2, tt.now), -EINVAL);
	cr_assert_eq(info().cc, DPT_TCP_CC_NEWRENO);
	cr_assert_eq(dpt_tcp_setopt(c, DPT_TCP_CONGESTION, DPT_TCP_CC_CUBIC,
				    tt.now), 0);
	cr_assert_eq(info().cc, DPT_TCP_CC_CUBIC);
	cr_assert_eq(info().cwnd, 14600);
	cr_assert_eq(info().ssthresh, UINT32_MAX);
}

Test(tcp_cc_select, conf_cc_newreno_applies_to_new_connections)
{
	tt_setup_with(conf_newreno);
	c = tt_accept(&opt_mss, &iss);
	cr_assert_eq(info().cc, DPT_TCP_CC_NEWRENO);
	c->cwnd = 100 * MSS;
	cc_enter_recovery(c, tt.now);
	/* nothing in flight: eqn. 4 gives 2 SMSS, CUBIC would give 70 */
	cr_assert_eq(info().ssthresh, 2 * MSS);
}
