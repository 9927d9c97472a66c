/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_cc.c: round-trip time, retransmission timeout and congestion
 * control. RTO per RFC 6298; NewReno per RFC 5681 and RFC 6582 (slow start
 * counting bytes per RFC 3465, L = 2); CUBIC per RFC 9438. Loss recovery
 * itself (which segment to resend) lives in tcp_input.c and tcp_sack.c;
 * here is only how the window reacts.
 */
#include <math.h>
#include <string.h>

#include "tcp_impl.h"

#define CUBIC_C 0.4      /* RFC 9438 4.1 */
#define CUBIC_BETA 0.7   /* RFC 9438 4.6 (as 7/10 in integer code) */
#define CWND_MAX (1u << 30)

const char *const dpt_tcp_cc_names[DPT_TCP_CC_COUNT + 1] = {
	[DPT_TCP_CC_NEWRENO] = "newreno",
	[DPT_TCP_CC_CUBIC] = "cubic",
};

uint32_t
tcb_flight(const struct dpt_tcb *c)
{
	return c->snd_max - c->snd_una;
}

/* RFC 6298 2.2-2.4, with G the timer granularity (one wheel tick). */
void
rtt_sample(struct dpt_tcb *c, uint32_t r)
{
	const struct dpt_tcp_conf *cf = &c->tcp->conf;
	uint64_t rto;

	if (r == 0)
		r = 1;
	if (c->srtt == 0) {
		c->srtt = r;
		c->rttvar = r / 2;
	} else {
		uint32_t delta = c->srtt > r ? c->srtt - r : r - c->srtt;

		c->rttvar = (3 * c->rttvar + delta) / 4;
		c->srtt = (7 * c->srtt + r) / 8;
	}
	rto = c->srtt + RTE_MAX((uint64_t)1 << WHEEL_SHIFT,
				(uint64_t)4 * c->rttvar);
	c->rto = (uint32_t)RTE_MIN(RTE_MAX(rto, cf->rto_min_us),
				   cf->rto_max_us);
}

/* The RTO with exponential backoff (RFC 6298 5.5), within bounds. */
uint32_t
tcb_rto(const struct dpt_tcb *c)
{
	const struct dpt_tcp_conf *cf = &c->tcp->conf;
	uint64_t rto = (uint64_t)c->rto << RTE_MIN(c->backoff, 30);

	return (uint32_t)RTE_MIN(RTE_MAX(rto, cf->rto_min_us), cf->rto_max_us);
}

void
cc_init(struct dpt_tcb *c)
{
	/* RFC 6928 2: IW = min(10 MSS, max(2 MSS, 14600)); init_cwnd may
	 * ask for fewer segments, never for more. */
	uint32_t iw = c->tcp->conf.init_cwnd * c->mss;

	iw = RTE_MIN(iw, RTE_MIN(10 * c->mss, RTE_MAX(2 * c->mss, 14600u)));
	c->cwnd = iw;
	c->ssthresh = UINT32_MAX; /* RFC 5681 3.1: arbitrarily high */
	c->bytes_acked = 0;
	c->recover = c->iss;      /* RFC 6582 3.2 step 1 */
	memset(&c->cubic, 0, sizeof(c->cubic));
}

/* RFC 9438 4.2: W_cubic(t) = C (t - K)^3 + W_max, in segments. */
static double
w_cubic(const struct cubic *q, double t)
{
	double d = t - q->k;

	return CUBIC_C * d * d * d + q->w_max;
}

/* RFC 9438 4.2-4.4: congestion avoidance for @acked bytes. */
static void
cubic_ca(struct dpt_tcb *c, uint32_t acked, uint64_t now)
{
	struct cubic *q = &c->cubic;
	double mss = c->mss, cwnd = (c->cwnd + q->frac) / mss, t, target, inc;
	double alpha = 3.0 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);

	if (q->epoch == 0) {
		/* A new congestion avoidance stage (4.2, eqn. 2). */
		q->epoch = now;
		if (q->w_max < cwnd)
			q->w_max = cwnd;
		q->k = cbrt((q->w_max - cwnd) / CUBIC_C);
		q->w_est = cwnd;
	}
	t = (double)(now - q->epoch) / 1e6;
	/* 4.3: the Reno-friendly estimate; alpha becomes 1 once W_est
	 * reaches the window of the last congestion event (cwnd_prior). */
	q->w_est += (q->w_est >= q->cwnd_prior ? 1.0 : alpha) *
		    (acked / mss) / cwnd;
	if (w_cubic(q, t) < q->w_est) {
		inc = q->w_est - cwnd;
	} else {
		/* 4.4-4.5: aim at W_cubic one RTT ahead, at most 1.5x. */
		target = w_cubic(q, t + c->srtt / 1e6);
		target = RTE_MIN(RTE_MAX(target, cwnd), 1.5 * cwnd);
		inc = (target - cwnd) / cwnd * (acked / mss);
	}
	if (inc > 0) {
		double w = c->cwnd + q->frac + inc * mss;

		c->cwnd = (uint32_t)RTE_MIN(w, (double)CWND_MAX);
		q->frac = w - c->cwnd;
	}
}

void
cc_ack(struct dpt_tcb *c, uint32_t acked, uint64_t now)
{
	if (c->cwnd < c->ssthresh) {
		/* RFC 5681 3.1 slow start, byte counting with L = 2 SMSS
		 * (RFC 3465 2.2). */
		c->cwnd += RTE_MIN(acked, 2 * c->mss);
		c->cwnd = RTE_MIN(c->cwnd, CWND_MAX);
		return;
	}
	if (c->cc == DPT_TCP_CC_CUBIC) {
		cubic_ca(c, acked, now);
		return;
	}
	/* RFC 5681 3.1 congestion avoidance: one SMSS per window acked. */
	c->bytes_acked += acked;
	if (c->bytes_acked >= c->cwnd) {
		c->bytes_acked -= c->cwnd;
		c->cwnd = RTE_MIN(c->cwnd + c->mss, CWND_MAX);
	}
}

/* The window after a congestion event: RFC 5681 eqn. 4 for NewReno,
 * RFC 9438 4.6-4.7 (with fast convergence) for CUBIC. */
static uint32_t
reduced_ssthresh(struct dpt_tcb *c, uint64_t now)
{
	struct cubic *q = &c->cubic;
	double cwnd = (double)c->cwnd / c->mss;

	(void)now;
	if (c->cc != DPT_TCP_CC_CUBIC)
		return RTE_MAX(tcb_flight(c) / 2, 2 * c->mss);
	q->cwnd_prior = cwnd;
	q->w_max = cwnd < q->w_max ? cwnd * (1 + CUBIC_BETA) / 2 : cwnd;
	q->epoch = 0;
	q->frac = 0;
	/* integer arithmetic: 0.7 has no exact binary representation */
	return RTE_MAX((uint32_t)((uint64_t)c->cwnd * 7 / 10), 2 * c->mss);
}

void
cc_enter_recovery(struct dpt_tcb *c, uint64_t now)
{
	c->ssthresh = reduced_ssthresh(c, now);
	/* RFC 6582 3.2 step 2 inflates by the three duplicates; RFC 6675
	 * counts the pipe instead. */
	c->cwnd = c->ssthresh + ((c->flags & F_SACK) ? 0 : 3 * c->mss);
	c->recover = c->snd_max;
	c->high_rxt = c->snd_una;
	c->bytes_acked = 0;
	c->flags |= F_RECOVERY;
}

void
cc_exit_recovery(struct dpt_tcb *c, uint64_t now)
{
	(void)now;
	/* RFC 6582 3.2 step 3 (option 1); RFC 6675 5 step 4. */
	c->cwnd = (c->flags & F_SACK) ? c->ssthresh :
		  RTE_MIN(c->ssthresh, RTE_MAX(tcb_flight(c), c->mss) + c->mss);
	c->flags &= ~F_RECOVERY;
}

void
cc_rto(struct dpt_tcb *c, uint64_t now)
{
	/* RFC 5681 3.1 eqn. 4 on the first timeout only (RFC 5681 3.1:
	 * "ssthresh ... MUST NOT be changed" by repeated timeouts of the
	 * same segment); loss window of one segment. */
	if (c->backoff == 0) {
		c->ssthresh = reduced_ssthresh(c, now);
		/* RFC 9438 4.8: after a timeout the first congestion
		 * avoidance starts with K = 0, W_max = its starting cwnd. */
		c->cubic.w_max = 0;
	}
	c->cwnd = c->mss;
	c->bytes_acked = 0;
	c->flags &= ~F_RECOVERY;
}
