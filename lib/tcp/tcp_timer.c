/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_timer.c: the per-lcore timing wheel and what happens when a
 * connection's timers expire.
 *
 * A connection has five deadlines (retransmission, delayed ACK, keepalive,
 * close, the application's) and one wheel node armed at the earliest of
 * them; the handler checks each. The retransmission deadline also serves
 * the persist timer and the tail loss probe, told apart by its kind (enum
 * tcp_rexmt_kind); the close deadline serves TCP_CORK's ceiling in the
 * states that time no close (tcb_cork_state()).
 * Every deadline is set here and nowhere else. Arm and cancel are O(1); a
 * tick costs O(entries in its slot).
 */
#include "dpt_time.h"
#include "tcp_impl.h"

static uint64_t
tick_of(uint64_t t)
{
	return t >> WHEEL_SHIFT;
}

void
wheel_init(struct tcp_wheel *w, uint64_t now)
{
	memset(w->slot, 0, sizeof(w->slot));
	w->tick = tick_of(now);
}

void
wheel_cancel(struct tcp_timer *t)
{
	if (t->pprev == NULL)
		return;
	*t->pprev = t->next;
	if (t->next != NULL)
		t->next->pprev = t->pprev;
	t->pprev = NULL;
	t->next = NULL;
}

void
wheel_arm(struct tcp_wheel *w, struct tcp_timer *t, uint64_t expire)
{
	uint64_t tk = tick_of(expire);
	struct tcp_timer **head;

	wheel_cancel(t);
	/* Never into the tick being processed: at the earliest, the next. */
	if (tk <= w->tick)
		tk = w->tick + 1;
	head = &w->slot[tk & (WHEEL_SLOTS - 1)];
	t->expire = expire;
	t->next = *head;
	t->pprev = head;
	if (*head != NULL)
		(*head)->pprev = &t->next;
	*head = t;
}

static struct dpt_tcb *
tcb_of_timer(struct tcp_timer *t)
{
	return (struct dpt_tcb *)((char *)t - offsetof(struct dpt_tcb, tmr));
}

static void on_timer(struct dpt_tcb *c, uint64_t now);

/* Run every timer due by @now. A connection's handler only touches that
 * connection, so the next node is safe to take before calling it. */
void
wheel_advance(struct dpt_tcp *t, uint64_t now)
{
	struct tcp_wheel *w = &t->wheel;
	uint64_t target = tick_of(now);

	/* After a long pause one revolution visits every armed timer:
	 * run what is due, then jump (order within the jump is lost). */
	if (target - w->tick > WHEEL_SLOTS) {
		w->tick = target - WHEEL_SLOTS;
		for (unsigned int i = 0; i < WHEEL_SLOTS; i++) {
			struct tcp_timer *tm, *next;

			for (tm = w->slot[i]; tm != NULL; tm = next) {
				next = tm->next;
				if (tick_of(tm->expire) > target)
					continue;
				wheel_cancel(tm);
				on_timer(tcb_of_timer(tm), now);
			}
		}
		w->tick = target;
		return;
	}
	while (w->tick < target) {
		struct tcp_timer *tm, *next;

		w->tick++;
		for (tm = w->slot[w->tick & (WHEEL_SLOTS - 1)]; tm; tm = next) {
			next = tm->next;
			if (tick_of(tm->expire) > w->tick)
				continue; /* a later round */
			wheel_cancel(tm);
			on_timer(tcb_of_timer(tm), now);
		}
	}
}

void
tcb_timers_update(struct dpt_tcb *c)
{
	uint64_t d[] = { c->t_rexmt, c->t_delack, c->t_keep, c->t_close,
			 c->t_app };
	uint64_t next = 0;

	for (unsigned int i = 0; i < RTE_DIM(d); i++)
		if (d[i] != 0 && (next == 0 || d[i] < next))
			next = d[i];
	if (next == 0)
		wheel_cancel(&c->tmr);
	else if (c->tmr.pprev == NULL || c->tmr.expire != next)
		wheel_arm(&c->tcp->wheel, &c->tmr, next);
}

void
tcb_timers_stop(struct dpt_tcb *c)
{
	c->t_rexmt = c->t_delack = c->t_keep = c->t_close = c->t_app = 0;
	wheel_cancel(&c->tmr);
}

/* The retransmission deadline, timing @kind, at @when. */
static void
rexmt_set(struct dpt_tcb *c, enum tcp_rexmt_kind kind, uint64_t when)
{
	c->rexmt_kind = (uint8_t)kind;
	c->t_rexmt = when;
	tcb_timers_update(c);
}

/* RFC 6298 5.1, 5.3: the retransmission timer, at one RTO (backed off). */
void
tcb_rexmt_arm(struct dpt_tcb *c, uint64_t now)
{
	rexmt_set(c, TCP_REXMT_RTO, now + tcb_rto(c));
}

/* Nothing to retransmit (RFC 6298 5.2) or probe. The wheel node stays
 * where it is: a wake-up that finds nothing due costs less than moving
 * the node on every ACK that empties the flight. */
void
tcb_rexmt_stop(struct dpt_tcb *c)
{
	c->t_rexmt = 0;
}

/* RFC 9293 3.8.6.1: data waits behind a zero window; probe it after an
 * RTO (backed off at each probe). */
void
tcb_persist_arm(struct dpt_tcb *c, uint64_t now)
{
	if (c->persist_since == 0)
		c->persist_since = now;
	rexmt_set(c, TCP_REXMT_PERSIST, now + tcb_rto(c));
}

/* Output found no mbuf for data that was due, with nothing in flight
 * whose ACK would bring it back: try again shortly. */
void
tcb_mem_retry_arm(struct dpt_tcb *c, uint64_t now)
{
	rexmt_set(c, TCP_REXMT_MEM, now + TCP_MEM_RETRY_US);
}

void
dpt_tcp_set_timer(struct dpt_tcb *c, uint64_t deadline)
{
	if (c->state == DPT_TCP_CLOSED)
		return;
	c->t_app = deadline;
	tcb_timers_update(c);
}

/* The window opened: probing ends, and its backoff with it; what is in
 * flight (a probe octet) is timed as usual. */
void
tcb_persist_end(struct dpt_tcb *c, uint64_t now)
{
	c->rexmt_kind = TCP_REXMT_RTO;
	c->t_rexmt = 0;
	c->persist_since = 0;
	c->backoff = 0;
	c->retries = 0;
	if (c->snd_max != c->snd_una)
		tcb_rexmt_arm(c, now);
}

/* RFC 8985 7.2: the probe timeout. 2 SRTT (at least 10 ms, as Linux),
 * plus a worst-case delayed ACK when one segment is out; never past the
 * RTO. */
static uint64_t
pto(const struct dpt_tcb *c)
{
	uint64_t t = RTE_MAX(2ULL * c->srtt, (uint64_t)dpt_ms(10));

	if (c->snd_max - c->snd_una <= c->mss)
		t = RTE_MAX(t, (uint64_t)c->srtt * 3 / 2 + dpt_ms(200));
	return RTE_MIN(t, (uint64_t)tcb_rto(c));
}

/* After sending new data or a new ACK (RFC 8985 7.2): the probe timer
 * when a tail loss probe may be sent, else the RTO. */
void
tcb_rexmt_or_pto_arm(struct dpt_tcb *c, uint64_t now)
{
	if (!(c->flags & F_SACK) || (c->flags & F_RECOVERY) ||
	    c->srtt == 0 || (c->flags & F_TLP_OUT) ||
	    (c->state != DPT_TCP_ESTABLISHED &&
	     c->state != DPT_TCP_CLOSE_WAIT))
		return tcb_rexmt_arm(c, now);
	rexmt_set(c, TCP_REXMT_TLP, now + pto(c));
}

/* RFC 8985 7.3: the probe: one new segment if the peer's window allows,
 * else the last segment sent again; then the RTO. */
static void
pto_timeout(struct dpt_tcb *c, uint64_t now)
{
	uint32_t end = c->snd_una + c->sndq.bytes;
	uint32_t unsent = seq_lt(c->snd_nxt, end) ? end - c->snd_nxt : 0;
	int32_t rwnd = (int32_t)(c->snd_una + c->snd_wnd - c->snd_nxt);

	tcb_count(c, DPT_STAT_tcp_tlp_probes);
	c->flags &= ~F_TLP_RXT;
	if (unsent > 0 && rwnd > 0) {
		uint32_t len = RTE_MIN(RTE_MIN(unsent, c->mss), (uint32_t)rwnd);
		int sent = tcp_send_segment(c, c->snd_nxt, len, DPT_TCP_ACK |
					    (len == unsent ? DPT_TCP_PSH : 0),
					    now);

		if (sent > 0) {
			c->snd_nxt += (uint32_t)sent;
			c->snd_max = seq_max(c->snd_max, c->snd_nxt);
		}
	} else {
		uint32_t data_end = seq_min(end, c->snd_max);
		uint32_t len = RTE_MIN(data_end - c->snd_una, c->mss);
		uint8_t fin = (c->flags & F_FIN_SENT) ? DPT_TCP_FIN : 0;

		if (len > 0 || fin)
			tcp_send_segment(c, data_end - len, len,
					 DPT_TCP_ACK | fin, now);
		c->flags |= F_TLP_RXT;
	}
	c->tlp_end = c->snd_max;
	c->flags |= F_TLP_OUT;
	rtt_untime(c);
	tcb_rexmt_arm(c, now);
}

void
tcb_delack_arm(struct dpt_tcb *c, uint64_t now)
{
	if (c->t_delack != 0)
		return;
	c->t_delack = now + c->tcp->conf.delack_us;
	tcb_timers_update(c);
}

/* An ACK went out: the delayed one is no longer owed. The wheel node
 * stays (see tcb_rexmt_stop()). */
void
tcb_delack_stop(struct dpt_tcb *c)
{
	c->t_delack = 0;
}

/* tcp(7): TCP_CORK holds a tail at most 200 ms (Linux's ceiling), from
 * when it was first held: the deadline is not moved while held bytes
 * remain, however many join them. Output calls it in ESTABLISHED or
 * CLOSE-WAIT only, before our FIN (cork_holds()). */
void
tcb_cork_arm(struct dpt_tcb *c, uint64_t now)
{
	if (c->t_cork != 0)
		return;
	c->t_cork = now + TCP_CORK_MAX_US;
	tcb_timers_update(c);
}

/* Nothing is held any more (all sent, uncorked, or the state left those
 * that cork). Elsewhere t_cork is t_close: left alone. The wheel node
 * stays (see tcb_rexmt_stop()). */
void
tcb_cork_stop(struct dpt_tcb *c)
{
	c->flags &= ~F_CORK_DUE;
	if (tcb_cork_state(c->state))
		c->t_cork = 0;
}

/* The corked tail waited the ceiling: it goes, as Nagle (or NODELAY)
 * and the windows allow, and whatever is written before all is sent goes
 * with it (tcb_cork_stop() ends that). */
static void
cork_timeout(struct dpt_tcb *c, uint64_t now)
{
	c->t_cork = 0;
	c->flags |= F_CORK_DUE;
	tcp_output(c, now);
}

void
tcb_keepalive_reset(struct dpt_tcb *c, uint64_t now)
{
	c->ka_sent = 0;
	if ((c->flags & F_KEEPALIVE) && c->t_keep == 0) {
		c->t_keep = now + c->ka_idle;
		tcb_timers_update(c);
	}
}

/* Keepalive was switched on or off (F_KEEPALIVE): on an established
 * connection, the idle time counts from @now. */
void
tcb_keepalive_restart(struct dpt_tcb *c, uint64_t now)
{
	c->t_keep = 0;
	if ((c->flags & F_KEEPALIVE) && c->state == DPT_TCP_ESTABLISHED)
		tcb_keepalive_reset(c, now);
	tcb_timers_update(c);
}

/* FIN-WAIT-2 with nobody to read: wait for the peer's FIN at most
 * fin_timeout. */
void
tcb_finwait2_arm(struct dpt_tcb *c, uint64_t now)
{
	c->t_close = now + c->tcp->conf.fin_timeout_us;
	tcb_timers_update(c);
}

/* TIME-WAIT, entered or restarted by a retransmitted FIN (RFC 9293
 * 3.10.7.4): 2 MSL, and no other timer runs. */
void
tcb_timewait_arm(struct dpt_tcb *c, uint64_t now)
{
	c->t_rexmt = c->t_delack = c->t_keep = 0;
	c->t_close = now + 2 * c->tcp->conf.msl_us;
	tcb_timers_update(c);
}

/* SYN or SYN-ACK unanswered (RFC 9293 3.8.1, RFC 6298 5.7). */
static void
handshake_timeout(struct dpt_tcb *c, uint64_t now)
{
	const struct dpt_tcp_conf *cf = &c->tcp->conf;
	int active = c->state == DPT_TCP_SYN_SENT;

	if (++c->retries > (active ? cf->syn_retries : cf->synack_retries)) {
		tcb_count(c, DPT_STAT_tcp_conn_timeout);
		tcb_closed(c, DPT_TCP_ERR_TIMEOUT);
		return;
	}
	if (!active)
		tcb_count(c, DPT_STAT_tcp_synack_retransmits);
	c->backoff++;
	rtt_untime(c); /* Karn: never time a retransmission */
	tcp_send_syn(c, now);
	tcb_rexmt_arm(c, now);
}

/* RFC 9293 3.8.6.1: one octet of the queue at SND.NXT beyond the zero
 * window, to learn when it opens (the octet is not counted as sent). */
static void
window_probe(struct dpt_tcb *c, uint64_t now)
{
	uint32_t unsent = c->sndq.bytes - (c->snd_nxt - c->snd_una);

	tcb_count(c, DPT_STAT_tcp_window_probes);
	if (unsent > 0) {
		tcp_send_segment(c, c->snd_nxt, 1, DPT_TCP_ACK, now);
		c->snd_max = seq_max(c->snd_max, c->snd_nxt + 1);
	}
}

/* RFC 6298 5.4-5.6: retransmit the earliest unacknowledged segment, back
 * off the timer; RFC 5681 3.1 (eqn. 4): collapse the window. */
static void
rexmt_timeout(struct dpt_tcb *c, uint64_t now)
{
	tcb_count(c, DPT_STAT_tcp_rto);
	if (c->state == DPT_TCP_SYN_SENT || c->state == DPT_TCP_SYN_RECEIVED)
		return handshake_timeout(c, now);
	/* RFC 1122 4.2.3.5: give up after R2. */
	if (++c->retries > c->tcp->conf.retries) {
		tcb_count(c, DPT_STAT_tcp_conn_timeout);
		tcb_closed(c, DPT_TCP_ERR_TIMEOUT);
		return;
	}
	cc_rto(c, now);
	c->flags &= ~(F_TLP_OUT | F_TLP_RXT); /* the RTO took over */
	if (c->backoff < 30)
		c->backoff++;
	rtt_untime(c);
	c->n_sb = 0;        /* RFC 2018 8: forget SACKed data after an RTO */
	tcb_ext_trim(c);
	c->dupacks = 0;
	c->recover = c->snd_max; /* RFC 6582 3.2 step 1 after a timeout */
	c->snd_nxt = c->snd_una;
	if (c->snd_wnd == 0 && c->sndq.bytes > 0) {
		/* The peer shut its window on data in flight: resending
		 * within a zero window sends nothing, and the connection
		 * would time out while the peer is alive (RFC 1122
		 * 4.2.2.17). The window is probed instead (RFC 9293
		 * 3.8.6.1), as Linux's RTO does when the window is zero,
		 * until it opens; the whole flight is resent then. */
		window_probe(c, now);
		tcb_persist_arm(c, now);
		return;
	}
	tcp_output(c, now);
	tcb_rexmt_arm(c, now);
}

/* RFC 9293 3.8.6.1: probe a zero window with one octet, backing off; give
 * up only if probes go unanswered (RFC 1122 4.2.2.17). */
static void
persist_timeout(struct dpt_tcb *c, uint64_t now)
{
	uint64_t limit = c->tcp->conf.persist_timeout_us;

	if (++c->retries > c->tcp->conf.retries) {
		tcb_count(c, DPT_STAT_tcp_conn_timeout);
		tcb_closed(c, DPT_TCP_ERR_TIMEOUT);
		return;
	}
	/* RFC 6429: a peer that answers every probe but never takes data
	 * may hold our memory forever; past the limit, reset it. */
	if (limit != 0 && now - c->persist_since >= limit) {
		tcb_count(c, DPT_STAT_tcp_persist_timeouts);
		tcp_send_rst(c, now); /* RFC 9293 3.10.5, as an ABORT */
		tcb_closed(c, DPT_TCP_ERR_TIMEOUT);
		return;
	}
	window_probe(c, now);
	if (c->backoff < 30)
		c->backoff++;
	c->t_rexmt = now + tcb_rto(c); /* still TCP_REXMT_PERSIST */
}

/* RFC 1122 4.2.3.6: after `idle` without a segment, probe with
 * SEG.SEQ = SND.NXT - 1 (no data) until one is answered or `probes` go
 * unanswered. */
static void
keepalive_timeout(struct dpt_tcb *c, uint64_t now)
{
	uint64_t quiet = now - c->last_rcv;

	c->t_keep = 0;
	if (!(c->flags & F_KEEPALIVE) || (c->state != DPT_TCP_ESTABLISHED &&
					   c->state != DPT_TCP_CLOSE_WAIT))
		return;
	if (c->ka_sent == 0 && quiet < c->ka_idle) {
		c->t_keep = c->last_rcv + c->ka_idle;
		return;
	}
	if (c->ka_sent >= c->ka_probes) {
		tcb_count(c, DPT_STAT_tcp_conn_timeout);
		tcb_closed(c, DPT_TCP_ERR_TIMEOUT);
		return;
	}
	tcb_count(c, DPT_STAT_tcp_keepalive_probes);
	tcp_send_segment(c, c->snd_nxt - 1, 0, DPT_TCP_ACK, now);
	c->ka_sent++;
	c->t_keep = now + c->ka_intvl;
}

static void
on_timer(struct dpt_tcb *c, uint64_t now)
{
	if (tcb_cork_state(c->state)) {
		if (c->t_cork != 0 && now >= c->t_cork)
			cork_timeout(c, now);
	} else if (c->t_close != 0 && now >= c->t_close) {
		/* 2 MSL passed in TIME-WAIT, or FIN-WAIT-2 waited long
		 * enough for a peer that will never send FIN. */
		if (c->state == DPT_TCP_FIN_WAIT_2) {
			tcb_count(c, DPT_STAT_tcp_fin_wait2_timeouts);
			tcb_count(c, DPT_STAT_tcp_conn_closed);
		} /* TIME-WAIT was counted closed on entry */
		tcb_closed(c, DPT_TCP_OK);
		return;
	}
	if (c->t_delack != 0 && now >= c->t_delack) {
		c->t_delack = 0;
		tcb_count(c, DPT_STAT_tcp_delayed_acks);
		tcp_send_ack(c, now);
	}
	if (c->t_rexmt != 0 && now >= c->t_rexmt) {
		c->t_rexmt = 0;
		switch (c->rexmt_kind) {
		case TCP_REXMT_PERSIST:
			persist_timeout(c, now);
			break;
		case TCP_REXMT_TLP:
			pto_timeout(c, now);
			break;
		case TCP_REXMT_MEM:
			tcb_count(c, DPT_STAT_tcp_tx_mem_retry);
			tcp_output(c, now);
			break;
		default:
			rexmt_timeout(c, now);
		}
	}
	if (c->state != DPT_TCP_CLOSED && c->t_keep != 0 && now >= c->t_keep)
		keepalive_timeout(c, now);
	if (c->state != DPT_TCP_CLOSED && c->t_app != 0 && now >= c->t_app) {
		c->t_app = 0;
		tcb_event(c, DPT_TCP_EV_TIMER);
	}
	if (c->state != DPT_TCP_CLOSED)
		tcb_timers_update(c);
}
