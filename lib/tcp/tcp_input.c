/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_input.c: SEGMENT ARRIVES (RFC 9293 3.10.7), one handler per state
 * group and per check, in the RFC's order. Every segment ends here either
 * queued (its payload becomes the receive queue) or freed, and every
 * discard bumps its counter.
 */
#include <string.h>

#include "dpt_mbuf.h"
#include "tcp_impl.h"

static void
drop(struct dpt_tcp *t, struct rte_mbuf *m, enum dpt_stat why)
{
	t->st->c[why]++;
	rte_pktmbuf_free(m);
}

/* Count @m dropped for @why and answer it by RST (RFC 9293 3.10.7.1's
 * form), built in its own buffer. */
static void
drop_rst(struct dpt_tcp *t, struct rte_mbuf *m, const struct dpt_tcp_seg *s,
	 enum dpt_stat why, uint64_t now)
{
	t->st->c[why]++;
	tcp_answer_rst(t, s, m, now);
}

static void
ack_soon(struct dpt_tcb *c)
{
	c->flags |= F_ACK_NOW;
	tcb_want_output(c);
}

/* Options of the peer's SYN or SYN-ACK: MSS (RFC 9293 3.7.1, 536 when
 * absent), window scale (RFC 7323 2.2), SACK-permitted (RFC 2018 2),
 * timestamps (RFC 7323 3.2). Each is used only if we offer it too. */
void
tcp_process_options_syn(struct dpt_tcb *c, const struct dpt_tcp_seg *s,
			uint64_t now)
{
	const struct dpt_tcp_conf *cf = &c->tcp->conf;
	const struct dpt_tcp_opts *o = &s->opt;

	c->mss = (o->present & DPT_TCPOPT_MSS) ? RTE_MAX(o->mss, 64) :
		 TCP_DEFAULT_MSS;
	c->rcv_mss = RTE_MIN(TCP_DEFAULT_MSS, c->tcp->nif->mtu - tcb_hdrs(c));
	if ((o->present & DPT_TCPOPT_WS) && cf->window_scaling) {
		c->flags |= F_WS;
		c->snd_wscale = o->wscale;
	}
	if ((o->present & DPT_TCPOPT_SACK_OK) && cf->sack)
		c->flags |= F_SACK;
	if ((o->present & DPT_TCPOPT_TS) && cf->timestamps) {
		c->flags |= F_TS;
		c->ts_recent = o->tsval;
		c->ts_recent_age = now;
	}
	tcb_init_options(c);
}

/* ---- no connection: CLOSED (3.10.7.1) and LISTEN (3.10.7.2) ---------- */

static struct tcp_key
key_of(const struct dpt_tcp_seg *s)
{
	return (struct tcp_key){ .raddr = s->saddr, .laddr = s->daddr,
				 .rport = s->sport, .lport = s->dport };
}

/* The same of a segment over IPv6 (s->v6). */
static void
key6_of(const struct dpt_tcp_seg *s, struct tcp_key6 *k)
{
	const struct tcp_rx_item *it = rx_item_of(s);

	*k = (struct tcp_key6){ .raddr = it->saddr6, .laddr = it->daddr6,
				.rport = s->sport, .lport = s->dport };
}

/* The control block of @s's 4-tuple, either family. */
static struct dpt_tcb *
seg_lookup(struct dpt_tcp *t, const struct dpt_tcp_seg *s)
{
	struct tcp_key k;

	if (s->v6) {
		struct tcp_key6 k6;

		key6_of(s, &k6);
		return tcb_lookup6(t, &k6);
	}
	k = key_of(s);
	return tcb_lookup(t, &k);
}

/* A control block for @s's 4-tuple (tcb_alloc(), tcb_alloc6()) and, in
 * *@isn unless NULL, our ISN for it (RFC 6528, over the 4-tuple of
 * either family). */
static __rte_always_inline struct dpt_tcb *
seg_alloc(struct dpt_tcp *t, const struct dpt_tcp_seg *s, uint32_t *isn,
	  uint64_t now)
{
	struct tcp_key k;

	if (s->v6) {
		struct tcp_key6 k6;

		key6_of(s, &k6);
		if (isn != NULL)
			*isn = tcp_isn6(t, &k6, now);
		return tcb_alloc6(t, &k6, now);
	}
	k = key_of(s);
	if (isn != NULL)
		*isn = tcp_isn(t, &k, now);
	return tcb_alloc(t, &k, now);
}

/* cookie_make() or cookie_check() (@cookie != NULL) of @s's 4-tuple. */
static uint32_t
seg_cookie(const struct dpt_tcp *t, const struct dpt_tcp_seg *s,
	   uint32_t peer_isn, const uint32_t *cookie, uint16_t *mss,
	   uint32_t *ts_off, uint64_t now)
{
	struct tcp_key k;

	if (s->v6) {
		struct tcp_key6 k6;

		key6_of(s, &k6);
		return cookie != NULL ?
		       (uint32_t)cookie_check6(t, &k6, peer_isn, *cookie, mss,
					       ts_off, now) :
		       cookie_make6(t, &k6, peer_isn, mss, ts_off, now);
	}
	k = key_of(s);
	return cookie != NULL ?
	       (uint32_t)cookie_check(t, &k, peer_isn, *cookie, mss, ts_off,
				      now) :
	       cookie_make(t, &k, peer_isn, mss, ts_off, now);
}

/* SYN past the half-open bound: answer statelessly (a SYN cookie). The
 * peer's window scale and SACK-permitted ride in the low bits of our
 * TSval, as Linux does, so they survive when timestamps are on. */
static void
syn_cookie(struct dpt_tcp *t, struct rte_mbuf *m, const struct dpt_tcp_seg *s,
	   uint64_t now)
{
	uint16_t mss = (s->opt.present & DPT_TCPOPT_MSS) ? s->opt.mss :
		       TCP_DEFAULT_MSS;
	uint32_t iss, ts, ts_off, bits = 0xf;

	/* the bucket's token only for a SYN-ACK that goes */
	if (dpt_tx_backlogged(t->nif->tx))
		return drop(t, m, DPT_STAT_tcp_answer_tx_busy);
	if (!tcp_bucket_take(&t->synack_bucket, t->conf.synack_rate, now))
		return drop(t, m, DPT_STAT_tcp_drop_synack_rate);
	/* RFC 9293 3.7.1: the MTU less 40 bytes of headers, 60 over IPv6
	 * (its header is 40 bytes, RFC 8200 3) */
	mss = (uint16_t)RTE_MIN(mss, t->nif->mtu - (s->v6 ? 60u : 40u));
	iss = seg_cookie(t, s, s->seq, NULL, &mss, &ts_off, now);
	cookie_sent(t, now);
	if (s->opt.present & DPT_TCPOPT_WS)
		bits = s->opt.wscale;
	if (s->opt.present & DPT_TCPOPT_SACK_OK)
		bits |= 0x10;
	ts = (uint32_t)(now / 1000) + ts_off;
	if ((ts & 0x3f) < bits)
		ts -= 0x40; /* never ahead of our clock */
	tcp_send_synack_cookie(t, s, m, iss, mss, (ts & ~0x3fu) | bits,
			       tcp_wscale_for(t->conf.rcvbuf), now);
}

static int
accept_queue_full(const struct dpt_tcp_listener *l)
{
	return l->on_accept == NULL && l->aq_len >= l->backlog;
}

/* No control block can be had for this 4-tuple (max_conns are in use,
 * or the table refuses the key): refuse the connection visibly, at once.
 * RFC 9293 3.10.7.2 does not say what a listener without resources
 * answers; we answer as a closed port does (3.10.7.1: RST, and RST,ACK to
 * a SYN), which the peer reports as "connection refused" at once, and
 * which a SYN cookie would only have put off until the peer believed
 * itself connected. */
static void
refuse_no_tcb(struct dpt_tcp *t, struct rte_mbuf *m,
	      const struct dpt_tcp_seg *s, uint64_t now)
{
	drop_rst(t, m, s, DPT_STAT_tcp_drop_no_tcb, now);
}

static void
syn_to_listener(struct dpt_tcp *t, struct dpt_tcp_listener *l,
		struct rte_mbuf *m, const struct dpt_tcp_seg *s, uint64_t now)
{
	struct dpt_tcb *c;
	uint32_t isn;

	if (accept_queue_full(l))
		return drop(t, m, DPT_STAT_tcp_drop_accept_full);
	if (t->free_tcbs == NULL)
		return refuse_no_tcb(t, m, s, now);
	if (l->n_synrcvd >= t->conf.syn_backlog) {
		if (t->conf.syncookies)
			return syn_cookie(t, m, s, now);
		return drop(t, m, DPT_STAT_tcp_drop_syn_backlog);
	}
	c = seg_alloc(t, s, &isn, now);
	if (c == NULL)
		return refuse_no_tcb(t, m, s, now);
	c->flags |= F_PASSIVE;
	c->listener = l;
	l->n_synrcvd++;
	listener_opts_apply(l, c, now); /* before the SYN-ACK: its scale */
	tcp_process_options_syn(c, s, now);
	c->irs = s->seq;
	c->rcv_nxt = c->rcv_adv = s->seq + 1;
	c->iss = c->snd_una = c->snd_max = isn;
	/* RFC 7323 2.2: the window of a SYN is never scaled. */
	c->snd_wnd = c->max_snd_wnd = s->wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = c->iss;
	tcb_set_state(c, DPT_TCP_SYN_RECEIVED);
	/* Text in a SYN waits for a retransmission (we hold no data before
	 * the handshake completes; RFC 9293 3.10.7.2 allows queueing). */
	rte_pktmbuf_free(m);
	tcp_send_syn(c, now);
	tcb_rexmt_arm(c, now);
}

static void synced_input(struct dpt_tcb *c, struct rte_mbuf *m,
			 const struct dpt_tcp_seg *s, uint64_t now);

/* An ACK to a listener: the third segment of a handshake answered with a
 * cookie. Valid: build the connection as SYN-RECEIVED and let the normal
 * path complete it with this very segment. */
static void
cookie_ack(struct dpt_tcp *t, struct dpt_tcp_listener *l, struct rte_mbuf *m,
	   const struct dpt_tcp_seg *s, uint64_t now)
{
	uint32_t ts_off, cookie = s->ack - 1;
	struct dpt_tcb *c;
	uint16_t mss;

	/* RFC 9293 3.10.7.2 second: not our cookie's ACK, RST. */
	if (!t->conf.syncookies || !cookie_any_live(t, now)) {
		t->st->c[DPT_STAT_tcp_cookie_unchecked]++;
		return drop_rst(t, m, s, DPT_STAT_tcp_drop_cookie, now);
	}
	if (seg_cookie(t, s, s->seq - 1, &cookie, &mss, &ts_off, now) != 0)
		return drop_rst(t, m, s, DPT_STAT_tcp_drop_cookie, now);
	if (accept_queue_full(l))
		return drop(t, m, DPT_STAT_tcp_drop_accept_full);
	c = seg_alloc(t, s, NULL, now);
	if (c == NULL) /* the peer thinks it is connected: tell it not */
		return refuse_no_tcb(t, m, s, now);
	t->st->c[DPT_STAT_tcp_syncookies_ok]++;
	c->flags |= F_PASSIVE;
	c->listener = l;
	l->n_synrcvd++;
	c->mss = mss;
	c->ts_offset = ts_off; /* the offset our cookie SYN-ACK's TSval had */
	if ((s->opt.present & DPT_TCPOPT_TS) && t->conf.timestamps) {
		uint32_t bits = s->opt.tsecr & 0x3f;

		c->flags |= F_TS;
		c->ts_recent = s->opt.tsval;
		c->ts_recent_age = now;
		if ((bits & 0xf) != 0xf && t->conf.window_scaling) {
			c->flags |= F_WS;
			c->snd_wscale = (uint8_t)RTE_MIN(bits & 0xfu,
							 (uint32_t)DPT_TCP_MAX_WSCALE);
		}
		if ((bits & 0x10) && t->conf.sack)
			c->flags |= F_SACK;
	}
	c->rcv_mss = RTE_MIN(TCP_DEFAULT_MSS, t->nif->mtu - tcb_hdrs(c));
	tcb_init_options(c);
	c->irs = s->seq - 1;
	c->rcv_nxt = s->seq;
	/* RFC 7323 4.3: Last.ACK.sent is the cookie SYN-ACK's ACK, sent
	 * before this control block existed; TS.Recent follows from it */
	c->last_ack_sent = s->seq;
	/* what the cookie SYN-ACK offered (unscaled, RFC 7323 2.2) */
	c->rcv_adv = s->seq + RTE_MIN(t->conf.rcvbuf, (uint32_t)UINT16_MAX);
	c->iss = c->snd_una = s->ack - 1;
	c->snd_nxt = c->snd_max = s->ack;
	c->snd_wl1 = s->seq - 1;
	tcb_set_state(c, DPT_TCP_SYN_RECEIVED);
	/* after: the cookie SYN-ACK offered the defaults' scale */
	listener_opts_apply(l, c, now);
	synced_input(c, m, s, now);
}

/* RFC 9293 3.10.7.2: LISTEN. */
static void
listen_input(struct dpt_tcp *t, struct dpt_tcp_listener *l, struct rte_mbuf *m,
	     const struct dpt_tcp_seg *s, uint64_t now)
{
	if (s->flags & DPT_TCP_RST) /* first: ignore a RST */
		return drop(t, m, DPT_STAT_tcp_drop_listen);
	if (s->flags & DPT_TCP_ACK) { /* second: an ACK is bad here */
		if (!(s->flags & DPT_TCP_SYN))
			return cookie_ack(t, l, m, s, now);
		return drop_rst(t, m, s, DPT_STAT_tcp_drop_listen, now);
	}
	if (s->flags & DPT_TCP_SYN) /* third */
		return syn_to_listener(t, l, m, s, now);
	drop(t, m, DPT_STAT_tcp_drop_listen); /* fourth */
}

static void
no_tcb_input(struct dpt_tcp *t, struct rte_mbuf *m, const struct dpt_tcp_seg *s,
	     uint64_t now)
{
	struct dpt_tcp_listener *l = listener_find(t, s->dport);

	if (l != NULL)
		return listen_input(t, l, m, s, now);
	/* RFC 9293 3.10.7.1: CLOSED. */
	drop_rst(t, m, s, DPT_STAT_tcp_drop_closed_port, now);
}

/* ---- SYN-SENT (3.10.7.3) ---------------------------------------------- */

static void data_and_fin(struct dpt_tcb *c, struct rte_mbuf *m,
			 const struct dpt_tcp_seg *s, uint64_t now);

/* Our SYN was acknowledged by a SYN-ACK: ESTABLISHED. */
static void
syn_sent_established(struct dpt_tcb *c, struct rte_mbuf *m,
		     const struct dpt_tcp_seg *s, uint64_t now)
{
	/* the send queue starts at SND.UNA: data queued before (RFC 9293
	 * 3.10.2) follows the SYN */
	c->snd_una = s->ack;
	c->snd_wnd = c->max_snd_wnd = s->wnd; /* unscaled: RFC 7323 2.2 */
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	if (rtt_timing(c)) { /* Karn: only an unretransmitted SYN */
		rtt_sample(c, rtt_elapsed(c, now));
		rtt_untime(c);
	}
	tcb_rexmt_stop(c);
	tcb_established(c, now);
	ack_soon(c);
	/* Text in the SYN-ACK continues at step six (RFC 9293 3.10.7.3). */
	if (s->len > 0 || (s->flags & DPT_TCP_FIN))
		return data_and_fin(c, m, s, now);
	rte_pktmbuf_free(m);
}

static void
syn_sent_input(struct dpt_tcb *c, struct rte_mbuf *m,
	       const struct dpt_tcp_seg *s, uint64_t now)
{
	struct dpt_tcp *t = c->tcp;
	int ack_ok = (s->flags & DPT_TCP_ACK) && seq_gt(s->ack, c->iss) &&
		     seq_leq(s->ack, c->snd_max);

	if ((s->flags & DPT_TCP_ACK) && !ack_ok) /* first */
		return drop_rst(t, m, s, DPT_STAT_tcp_drop_syn_sent, now);
	if (s->flags & DPT_TCP_RST) { /* second; RFC 5961 3.2 */
		if (!ack_ok)
			return drop(t, m, DPT_STAT_tcp_drop_syn_sent);
		t->st->c[DPT_STAT_tcp_rst_rcvd]++;
		t->st->c[DPT_STAT_tcp_conn_refused]++;
		rte_pktmbuf_free(m);
		return tcb_closed(c, DPT_TCP_ERR_REFUSED);
	}
	if (!(s->flags & DPT_TCP_SYN)) /* fifth */
		return drop(t, m, DPT_STAT_tcp_drop_syn_sent);
	tcp_process_options_syn(c, s, now); /* fourth */
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	/* what our SYN offered (unscaled, RFC 7323 2.2) */
	c->rcv_adv = c->rcv_nxt + RTE_MIN(c->rcv_buf, (uint32_t)UINT16_MAX);
	if (ack_ok)
		return syn_sent_established(c, m, s, now);
	/* Simultaneous open: SYN-RECEIVED, answer SYN-ACK (RFC 9293 3.5). */
	c->snd_wnd = c->max_snd_wnd = s->wnd;
	c->snd_wl1 = s->seq;
	tcb_set_state(c, DPT_TCP_SYN_RECEIVED);
	rte_pktmbuf_free(m);
	tcp_send_syn(c, now);
	tcb_rexmt_arm(c, now);
}

/* ---- synchronized states (3.10.7.4) ----------------------------------- */

/* RFC 9293 3.10.7.4 first: the four cases of segment acceptability,
 * against the window we advertised. A zero window still accepts a segment
 * at RCV.NXT for its ACK ("special allowance", the data is then trimmed).
 * A segment without data is also taken at the right edge, RCV.NXT +
 * RCV.WND, as Linux (tcp_sequence()) and the BSDs take it: a peer that
 * filled our window behind a hole sends its ACKs from there, and the
 * table's strict "<" would discard every one of them, its ACK field with
 * it, until the hole fills. */
static int
seq_acceptable(const struct dpt_tcb *c, const struct dpt_tcp_seg *s)
{
	uint32_t len = s->len + !!(s->flags & DPT_TCP_SYN) +
		       !!(s->flags & DPT_TCP_FIN);
	uint32_t wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ?
		       c->rcv_adv - c->rcv_nxt : 0;

	if (wnd == 0)
		return s->seq == c->rcv_nxt;
	if (len == 0 && !(s->flags & DPT_TCP_RST))
		return seq_in(s->seq, c->rcv_nxt, c->rcv_nxt + wnd + 1);
	if (len == 0) /* RFC 5961 3.2: a RST's window is the strict one */
		return seq_in(s->seq, c->rcv_nxt, c->rcv_nxt + wnd);
	return seq_in(s->seq, c->rcv_nxt, c->rcv_nxt + wnd) ||
	       seq_in(s->seq + len - 1, c->rcv_nxt, c->rcv_nxt + wnd);
}

/* RFC 7323 5.3 R1 (PAWS), with 3.2's rule for a missing TSopt. Returns
 * the drop reason, or DPT_STAT_OK. */
static enum dpt_stat
paws_check(struct dpt_tcb *c, const struct dpt_tcp_seg *s, uint64_t now)
{
	if (!(c->flags & F_TS) || (s->flags & DPT_TCP_RST))
		return DPT_STAT_OK;
	if (!(s->opt.present & DPT_TCPOPT_TS))
		return DPT_STAT_tcp_drop_no_ts; /* RFC 7323 3.2: SHOULD drop */
	/* RFC 7323 5.5: TS.Recent older than 24 days is invalid. */
	if (seq_lt(s->opt.tsval, c->ts_recent) &&
	    now - c->ts_recent_age < TCP_PAWS_IDLE)
		return DPT_STAT_tcp_drop_paws;
	return DPT_STAT_OK;
}

/* Second: RST, with RFC 5961 3.2's exact-match rule. */
static void
rst_input(struct dpt_tcb *c, struct rte_mbuf *m, const struct dpt_tcp_seg *s,
	  uint64_t now)
{
	struct dpt_tcp *t = c->tcp;

	if (s->seq != c->rcv_nxt) {
		tcp_challenge_ack(c, now);
		return drop(t, m, DPT_STAT_tcp_drop_rst);
	}
	rte_pktmbuf_free(m);
	t->st->c[DPT_STAT_tcp_rst_rcvd]++;
	switch (c->state) {
	case DPT_TCP_SYN_RECEIVED:
		/* passive: back to LISTEN, i.e. this TCB simply goes */
		if (c->flags & F_PASSIVE)
			return tcb_closed(c, DPT_TCP_OK);
		t->st->c[DPT_STAT_tcp_conn_refused]++;
		return tcb_closed(c, DPT_TCP_ERR_REFUSED);
	case DPT_TCP_TIME_WAIT: /* counted closed when it entered */
		return tcb_closed(c, DPT_TCP_OK);
	case DPT_TCP_CLOSING:
	case DPT_TCP_LAST_ACK:
		t->st->c[DPT_STAT_tcp_conn_closed]++;
		return tcb_closed(c, DPT_TCP_OK);
	default:
		t->st->c[DPT_STAT_tcp_conn_reset]++;
		return tcb_closed(c, DPT_TCP_ERR_RESET);
	}
}

/* Fourth: SYN on a synchronized connection (RFC 5961 4.2): a challenge
 * ACK. A passive SYN-RECEIVED that sees the same SYN again re-sends its
 * SYN-ACK at once rather than at the next timeout (as Linux does), but at
 * most once per [tcp] synack_dup_interval: a blind flood of one SYN must
 * not draw a SYN-ACK each (RFC 5961 7 asks the same of the segments it
 * provokes; Linux's tcp_invalid_ratelimit, 500 ms, is this limit). */
static void
syn_in_synced(struct dpt_tcb *c, struct rte_mbuf *m,
	      const struct dpt_tcp_seg *s, uint64_t now)
{
	if (c->state == DPT_TCP_SYN_RECEIVED && (c->flags & F_PASSIVE) &&
	    s->seq == c->irs && !(s->flags & DPT_TCP_ACK)) {
		if (c->synack_dup_at != 0 &&
		    now - c->synack_dup_at < c->tcp->conf.synack_dup_us)
			return drop(c->tcp, m, DPT_STAT_tcp_drop_syn_dup);
		c->synack_dup_at = now;
		tcb_count(c, DPT_STAT_tcp_synack_retransmits);
		tcp_send_syn(c, now);
		rte_pktmbuf_free(m);
		return;
	}
	tcp_challenge_ack(c, now);
	drop(c->tcp, m, DPT_STAT_tcp_drop_syn);
}

/* RFC 9293 3.10.7.4 first, with PAWS before it and TS.Recent after it.
 * Returns 0 to go on, else the segment was consumed. */
static int
check_acceptable(struct dpt_tcb *c, struct rte_mbuf *m,
		 const struct dpt_tcp_seg *s, uint64_t now)
{
	enum dpt_stat r = paws_check(c, s, now);
	struct dpt_tcp *t = c->tcp;

	if (r == DPT_STAT_OK && !seq_acceptable(c, s)) {
		/* RFC 5961 4.2: a SYN is challenged "irrespective of the
		 * sequence number", within the challenge ACK budget. */
		if ((s->flags & (DPT_TCP_SYN | DPT_TCP_RST)) == DPT_TCP_SYN) {
			syn_in_synced(c, m, s, now);
			return 1;
		}
		r = seq_leq(s->seq + s->len, c->rcv_nxt) && s->len > 0 ?
		    DPT_STAT_tcp_dup_segs : DPT_STAT_tcp_drop_seq;
	}
	if (r != DPT_STAT_OK && c->state == DPT_TCP_TIME_WAIT &&
	    r != DPT_STAT_tcp_drop_paws &&
	    (s->flags & (DPT_TCP_FIN | DPT_TCP_RST)) == DPT_TCP_FIN &&
	    s->seq + s->len + 1 == c->rcv_nxt) {
		/* RFC 9293 3.10.7.4 eighth: a retransmitted FIN in
		 * TIME-WAIT is acknowledged and restarts the 2 MSL. */
		tcb_timewait_arm(c, now);
	}
	if (r != DPT_STAT_OK) {
		/* RFC 5961 3.2: a RST outside the window is dropped
		 * silently; anything else is answered by an ACK. */
		if (s->flags & DPT_TCP_RST)
			r = DPT_STAT_tcp_drop_rst;
		else if (r != DPT_STAT_tcp_drop_no_ts)
			ack_soon(c);
		drop(t, m, r);
		return 1;
	}
	/* RFC 7323 4.3 (R3): update TS.Recent from an in-order segment; a
	 * TS.Recent idle past 24 days is invalid and simply replaced (5.5). */
	if ((c->flags & F_TS) && (s->opt.present & DPT_TCPOPT_TS) &&
	    (seq_geq(s->opt.tsval, c->ts_recent) ||
	     now - c->ts_recent_age >= TCP_PAWS_IDLE) &&
	    seq_leq(s->seq, c->last_ack_sent)) {
		c->ts_recent = s->opt.tsval;
		c->ts_recent_age = now;
	}
	c->last_rcv = now;
	c->ka_sent = 0;
	return 0;
}

static int ack_input(struct dpt_tcb *c, const struct dpt_tcp_seg *s,
		     uint64_t now);

/* RFC 9293 3.5 figure 8: after crossed SYNs, the peer's SYN-ACK
 * (SEQ=IRS, ACK=SND.NXT) completes the open. Its window is a SYN's:
 * unscaled (RFC 7323 2.2). */
static int
simultaneous_synack(struct dpt_tcb *c, struct rte_mbuf *m,
		    const struct dpt_tcp_seg *s, uint64_t now)
{
	if (c->state != DPT_TCP_SYN_RECEIVED || (c->flags & F_PASSIVE) ||
	    s->flags != (DPT_TCP_SYN | DPT_TCP_ACK) || s->seq != c->irs ||
	    s->ack != c->snd_nxt)
		return 0;
	c->snd_una = s->ack; /* as in syn_sent_established() */
	c->snd_wnd = c->max_snd_wnd = s->wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	tcb_rexmt_stop(c);
	tcb_established(c, now); /* its SYN is acknowledged already: no ACK */
	rte_pktmbuf_free(m);
	return 1;
}

static void
synced_input(struct dpt_tcb *c, struct rte_mbuf *m, const struct dpt_tcp_seg *s,
	     uint64_t now)
{
	if (simultaneous_synack(c, m, s, now))
		return;
	if (check_acceptable(c, m, s, now))
		return;
	if (s->flags & DPT_TCP_RST)
		return rst_input(c, m, s, now);
	if (s->flags & DPT_TCP_SYN)
		return syn_in_synced(c, m, s, now);
	if (!(s->flags & DPT_TCP_ACK)) /* fifth: no ACK, drop */
		return drop(c->tcp, m, DPT_STAT_tcp_drop_no_ack);
	if (ack_input(c, s, now)) {
		rte_pktmbuf_free(m);
		return;
	}
	/* sixth: URG is not interpreted; urgent data is ordinary data
	 * (RFC 6093 recommends it stay in line). */
	data_and_fin(c, m, s, now);
}

/* ---- fifth: the ACK field --------------------------------------------- */

/* RFC 6582 3.2 step 5: a partial ACK in NewReno recovery (no SACK):
 * retransmit the first unacknowledged segment, deflate the window. */
static void
newreno_partial_ack(struct dpt_tcb *c, uint32_t acked, uint64_t now)
{
	uint32_t out = RTE_MIN(c->sndq.bytes, c->mss);

	if (out > 0)
		tcp_send_segment(c, c->snd_una, out, DPT_TCP_ACK, now);
	c->cwnd = (c->cwnd > acked ? c->cwnd - acked : 0) +
		  (acked >= c->mss ? c->mss : 0);
	c->cwnd = RTE_MAX(c->cwnd, c->mss);
	tcb_rexmt_arm(c, now);
}

/* RFC 8985 7.4: the probe's episode ends when everything up to it is
 * acknowledged; a retransmitted probe that repaired a loss gets the
 * congestion response of one. */
static void
tlp_ack(struct dpt_tcb *c, uint64_t now)
{
	if (!(c->flags & F_TLP_OUT) || seq_lt(c->snd_una, c->tlp_end))
		return;
	/* Without D-SACK we cannot tell a needless probe from a repair:
	 * take it as a repair, the conservative choice. */
	if ((c->flags & F_TLP_RXT) && !(c->flags & F_RECOVERY)) {
		tcb_count(c, DPT_STAT_tcp_tlp_recoveries);
		cc_enter_recovery(c, now);
		cc_exit_recovery(c, now);
	}
	c->flags &= ~(F_TLP_OUT | F_TLP_RXT);
}

/* SND.UNA < SEG.ACK <= SND.MAX: release what is acknowledged, measure,
 * grow the window or advance recovery (RFC 9293, RFC 6298, RFC 5681). */
static void
new_ack(struct dpt_tcb *c, const struct dpt_tcp_seg *s, uint64_t now)
{
	uint32_t acked = s->ack - c->snd_una;
	uint32_t data = RTE_MIN(acked - (c->snd_una == c->iss ? 1 : 0),
				c->sndq.bytes);

	sndq_release(c, data);
	if (rtt_timing(c) && seq_geq(s->ack, c->rtt_seq)) {
		rtt_sample(c, rtt_elapsed(c, now));
		rtt_untime(c);
	}
	c->snd_una = s->ack;
	if (seq_lt(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	c->n_acked += data;
	c->retries = 0;
	if (c->persist_since != 0)
		c->persist_since = now; /* a probe octet taken: progress */
	c->backoff = 0;
	sb_prune(c);
	tcb_ext_trim(c);
	if (c->flags & F_RECOVERY) {
		if (seq_geq(s->ack, c->recover)) {
			cc_exit_recovery(c, now);
			c->dupacks = 0;
		} else if (!(c->flags & F_SACK)) {
			newreno_partial_ack(c, data, now);
		}
	} else {
		cc_ack(c, data, now);
		c->dupacks = 0;
	}
	tlp_ack(c, now);
	if (c->snd_una == c->snd_max)
		tcb_rexmt_stop(c); /* RFC 6298 5.2 */
	else if (c->rexmt_kind != TCP_REXMT_PERSIST)
		tcb_rexmt_or_pto_arm(c, now); /* RFC 6298 5.3, RFC 8985 */
	if ((c->flags & F_WANT_WRITE) && sndq_room(c) > 0) {
		c->flags &= ~F_WANT_WRITE;
		tcb_event(c, DPT_TCP_EV_WRITABLE);
	}
	tcb_want_output(c);
}

/* RFC 5681 2's duplicate ACK (checked by the caller); three of them, or
 * SACK evidence of loss (RFC 6675 5 step 4), start fast recovery. */
static void
dup_ack(struct dpt_tcb *c, uint64_t now)
{
	uint32_t len;

	c->dupacks++;
	if (c->flags & F_RECOVERY) {
		if (!(c->flags & F_SACK))
			c->cwnd += c->mss; /* RFC 6582 3.2 step 4 */
		tcb_want_output(c);
		return;
	}
	if (c->flags & F_SACK) {
		if (c->dupacks < TCP_DUPTHRESH && !sb_is_lost(c, c->snd_una))
			return;
	} else if (c->dupacks != TCP_DUPTHRESH ||
		   !seq_gt(c->snd_una, c->recover)) {
		return; /* RFC 6582 3.2 step 2: not past `recover` */
	}
	tcb_count(c, DPT_STAT_tcp_fast_retransmits);
	cc_enter_recovery(c, now);
	rtt_untime(c);
	/* RFC 5681 3.2 step 3, RFC 6675 5 step 4.3: resend the first
	 * segment presumed lost at once, whatever the pipe says. */
	len = RTE_MIN(c->sndq.bytes, c->mss);
	if ((c->flags & F_SACK) && c->n_sb > 0)
		len = RTE_MIN(len, c->ext->sb[0].left - c->snd_una);
	if (len > 0) {
		int sent = tcp_send_segment(c, c->snd_una, len, DPT_TCP_ACK,
					    now);

		if (sent > 0 && (c->flags & F_SACK))
			c->high_rxt = c->snd_una + (uint32_t)sent;
	}
	tcb_want_output(c);
}

/* RFC 9293 3.10.7.4 fifth: the window update rule (SND.WL1, SND.WL2). */
static void
window_update(struct dpt_tcb *c, const struct dpt_tcp_seg *s, uint64_t now)
{
	uint32_t wnd = (uint32_t)s->wnd << c->snd_wscale;

	if (!(seq_lt(c->snd_wl1, s->seq) ||
	      (c->snd_wl1 == s->seq && seq_leq(c->snd_wl2, s->ack))))
		return;
	if (wnd > c->snd_wnd)
		tcb_want_output(c);
	c->snd_wnd = wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	c->max_snd_wnd = RTE_MAX(c->max_snd_wnd, wnd);
	if (wnd > 0 && c->rexmt_kind == TCP_REXMT_PERSIST)
		tcb_persist_end(c, now); /* the window opened: stop probing */
}

/* What acknowledging our FIN does to the state (fifth, per state).
 * Returns 1 if the connection is finished. */
static int
fin_acked(struct dpt_tcb *c, uint64_t now)
{
	if (!(c->flags & F_FIN_SENT) || c->snd_una != c->snd_max)
		return 0;
	switch (c->state) {
	case DPT_TCP_FIN_WAIT_1:
		tcb_set_state(c, DPT_TCP_FIN_WAIT_2);
		tcb_rexmt_stop(c);
		if (c->flags & F_APP_CLOSED) /* nobody will read: bound it */
			tcb_finwait2_arm(c, now);
		else
			tcb_timers_update(c);
		return 0;
	case DPT_TCP_CLOSING:
		tcb_enter_timewait(c, now);
		return 1;
	case DPT_TCP_LAST_ACK:
		tcb_count(c, DPT_STAT_tcp_conn_closed);
		tcb_closed(c, DPT_TCP_OK);
		return 1;
	default:
		return 0;
	}
}

/* Passive SYN-RECEIVED: SND.UNA < SEG.ACK <= SND.NXT completes the
 * handshake, anything else is answered by <SEQ=SEG.ACK><CTL=RST>. */
static int
synrcvd_ack(struct dpt_tcb *c, const struct dpt_tcp_seg *s, uint64_t now)
{
	struct dpt_tcp *t = c->tcp;

	if (!seq_gt(s->ack, c->snd_una) || seq_gt(s->ack, c->snd_max)) {
		tcp_send_rst_for(t, s, now);
		t->st->c[DPT_STAT_tcp_drop_ack]++;
		return 1;
	}
	if (c->listener != NULL && accept_queue_full(c->listener)) {
		/* Like Linux: keep SYN-RECEIVED; a later ACK or the
		 * SYN-ACK retransmission gives it another chance. */
		t->st->c[DPT_STAT_tcp_drop_accept_full]++;
		return 1;
	}
	c->snd_wnd = (uint32_t)s->wnd << c->snd_wscale;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	tcb_established(c, now);
	return 0;
}

static int
ack_input(struct dpt_tcb *c, const struct dpt_tcp_seg *s, uint64_t now)
{
	uint32_t new_sack = 0;
	int advanced, sack_dup, nostate = 0;

	if (c->state == DPT_TCP_SYN_RECEIVED && synrcvd_ack(c, s, now))
		return 1;
	/* RFC 5961 5.2: acceptable ACKs lie in
	 * [SND.UNA - MAX.SND.WND, SND.NXT]; others get a challenge ACK. */
	if (seq_gt(s->ack, c->snd_max) ||
	    seq_lt(s->ack, c->snd_una - c->max_snd_wnd)) {
		tcp_challenge_ack(c, now);
		tcb_count(c, DPT_STAT_tcp_drop_ack);
		return 1;
	}
	if ((c->flags & F_SACK) && (s->opt.present & DPT_TCPOPT_SACK))
		new_sack = sb_update(c, &s->opt, &nostate);
	/* blocks that found no loss state to be kept in: this ACK is judged
	 * as on a connection without SACK (tcp_sack.c) */
	sack_dup = (c->flags & F_SACK) && !nostate;
	/* RFC 1122 4.2.2.17: probes answered keep a zero window alive */
	if (c->rexmt_kind == TCP_REXMT_PERSIST)
		c->retries = 0;
	advanced = seq_gt(s->ack, c->snd_una);
	if (advanced)
		new_ack(c, s, now);
	/* Duplicate ACKs: RFC 6675 2 on SACK connections (new SACK
	 * information, whatever else the segment carries, so data flowing
	 * back does not hide losses), RFC 5681 2 otherwise. Answers to
	 * window probes are neither. */
	if (c->rexmt_kind != TCP_REXMT_PERSIST && c->snd_max != c->snd_una &&
	    (sack_dup ? new_sack > 0 :
	     !advanced && s->ack == c->snd_una && s->len == 0 &&
	     !(s->flags & (DPT_TCP_SYN | DPT_TCP_FIN)) &&
	     ((uint32_t)s->wnd << c->snd_wscale) == c->snd_wnd))
		dup_ack(c, now);
	window_update(c, s, now);
	return fin_acked(c, now);
}

/* ---- seventh and eighth: text and FIN --------------------------------- */

/* Eighth: the peer's FIN, in order. */
static void
fin_input(struct dpt_tcb *c, uint64_t now)
{
	c->rcv_nxt++;
	c->flags |= F_FIN_RCVD;
	tcb_event(c, DPT_TCP_EV_PEER_CLOSED);
	switch (c->state) {
	case DPT_TCP_SYN_RECEIVED:
	case DPT_TCP_ESTABLISHED:
		tcb_set_state(c, DPT_TCP_CLOSE_WAIT);
		break;
	case DPT_TCP_FIN_WAIT_1:
		/* Had this segment acknowledged our FIN, step five would have
		 * moved us to FIN-WAIT-2: it is not acknowledged. */
		tcb_set_state(c, DPT_TCP_CLOSING);
		break;
	case DPT_TCP_FIN_WAIT_2:
		tcp_send_ack(c, now); /* before TIME-WAIT may close it */
		tcb_enter_timewait(c, now);
		return;
	default:
		break;
	}
	ack_soon(c);
}

/* The ACK policy for in-order data (RFC 5681 4.2, RFC 1122 4.2.3.2):
 * at once when out-of-order data is held or was just released, else
 * after two full-sized segments, else by the delayed-ACK timer. @full
 * full-sized wire segments came as one (receive coalescing, @size bytes
 * each but the last): each counts, so two joined are acknowledged at
 * once as they would have been apart.
 *
 * "At once" is at the end of the RX burst, joined or not: ack_soon()
 * asks for the ACK that dpt_tcp_poll() sends after the whole burst went
 * through input, so a connection whose burst brought N full-sized
 * segments sends one ACK for all of them, not N / 2. RFC 5681 4.2 says
 * an ACK "SHOULD be generated for at least every second full-sized
 * segment" and MUST within 500 ms; RFC 1122 4.2.3.2 lets ACKs be
 * delayed. The segments of one burst were all waiting in the RX queue
 * together (at most 4 x 32 frames, one loop iteration, microseconds):
 * no ACK for the first two could have left before the last arrived, so
 * one ACK is as early as any would have been, only fewer. Linux does
 * the same: GRO joins the segments of a NAPI poll into one super-segment
 * and TCP counts it as one for its ACK decision. Out-of-order data,
 * a FIN and segments beyond the window keep their own pass through
 * input and ack_soon(): acknowledged in the same poll. */
static void
ack_policy(struct dpt_tcb *c, uint32_t size, uint32_t full, int had_ooo)
{
	if (had_ooo || c->ooo_n > 0)
		return ack_soon(c);
	if (size >= c->rcv_mss && full > 0) {
		c->rcv_segs = (uint8_t)RTE_MIN(c->rcv_segs + full, 255u);
		if (c->rcv_segs >= 2)
			return ack_soon(c);
	}
	/* The delayed-ACK timer, unless the poll sends an ACK anyway (the
	 * reply of a request-response exchange, usually): arming it here
	 * and cancelling it there cost ~100 instructions a segment. */
	c->flags |= F_ACK_OWED;
	tcb_want_output(c);
}

/* After the connection's output in dpt_tcp_poll() (at the same @now as
 * the input that owed the ACK, one loop iteration): no segment carried
 * it, so the delayed-ACK timer runs from now, as it would have from the
 * segment's arrival. */
void
tcp_ack_owed(struct dpt_tcb *c, uint64_t now)
{
	c->flags &= ~F_ACK_OWED;
	if (c->state != DPT_TCP_CLOSED && c->last_ack_sent != c->rcv_nxt)
		tcb_delack_arm(c, now);
}

/* Trim the segment to [RCV.NXT, our advertised right edge). Returns the
 * mbuf (NULL if nothing is left) and updates *seq, *len, *fin. */
static struct rte_mbuf *
trim_to_window(struct dpt_tcb *c, struct rte_mbuf *m, uint32_t *seq,
	       uint32_t *len, int *fin)
{
	if (seq_lt(*seq, c->rcv_nxt)) {
		uint32_t cut = RTE_MIN(c->rcv_nxt - *seq, *len);

		*seq += cut;
		*len -= cut;
		m = *len > 0 ? dpt_mbuf_trim_front(m, cut) : m;
	}
	if (*len > 0 && seq_gt(*seq + *len, c->rcv_adv)) {
		uint32_t keep = seq_gt(c->rcv_adv, *seq) ? c->rcv_adv - *seq : 0;

		tcb_count(c, DPT_STAT_tcp_drop_beyond_window);
		*fin = 0; /* the FIN lies beyond the window too */
		*len = keep;
		if (keep > 0)
			dpt_mbuf_trim_back(m, keep);
	}
	if (*len == 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}

/* Seventh (text) and eighth (FIN) for the states that accept text; @s
 * says how many wire segments the text is (receive coalescing). */
static void
accept_text(struct dpt_tcb *c, struct rte_mbuf *m, uint32_t seq, uint32_t len,
	    int fin, const struct dpt_tcp_seg *s, uint64_t now)
{
	int had_ooo = c->ooo_n > 0, pulled_fin = 0;
	uint32_t size = s->gro_segs > 1 ? s->gro_size : len;

	m = trim_to_window(c, m, &seq, &len, &fin);
	if (m != NULL && seq != c->rcv_nxt) {
		/* RFC 5681 4.2: an immediate duplicate ACK for each
		 * out-of-order segment. One still owed for an earlier
		 * segment of this burst goes first, so a sender without
		 * SACK counts one per segment (three for its fast
		 * retransmit, 3.2), not one per burst. */
		if (c->flags & F_ACK_NOW)
			tcp_send_ack(c, now);
		ooo_insert(c, m, seq, len, fin);
		return ack_soon(c);
	}
	if (m != NULL) {
		rcvq_append(c, m, len);
		if (had_ooo && ooo_pull(c))
			pulled_fin = 1; /* a held segment carried the FIN */
		c->rcv_mss = RTE_MAX(c->rcv_mss, RTE_MIN(size,
					c->tcp->nif->mtu - 40u));
		/* joined: all but the last are @size bytes */
		ack_policy(c, size, len / size, had_ooo);
	} else if (len == 0 && !fin) {
		ack_soon(c); /* all old or beyond the window: re-ACK */
	}
	if (pulled_fin || (fin && seq + len == c->rcv_nxt))
		fin_input(c, now);
	else if (fin)
		ack_soon(c); /* a FIN ahead of a gap: the peer will resend */
}

static void
data_and_fin(struct dpt_tcb *c, struct rte_mbuf *m,
	     const struct dpt_tcp_seg *s, uint64_t now)
{
	uint32_t seq = s->seq + !!(s->flags & DPT_TCP_SYN);
	int fin = !!(s->flags & DPT_TCP_FIN);

	switch (c->state) {
	case DPT_TCP_ESTABLISHED:
	case DPT_TCP_FIN_WAIT_1:
	case DPT_TCP_FIN_WAIT_2:
		break;
	default:
		/* The peer's FIN came already: text cannot; a repeated FIN
		 * is acknowledged (TIME-WAIT restarts its 2 MSL). */
		if (s->len > 0)
			c->tcp->st->c[DPT_STAT_tcp_drop_data_state]++;
		rte_pktmbuf_free(m);
		if (fin && c->state == DPT_TCP_TIME_WAIT)
			tcb_timewait_arm(c, now);
		if (fin || s->len > 0)
			ack_soon(c);
		return;
	}
	if (s->len > 0 && (c->flags & F_APP_CLOSED) &&
	    seq_gt(seq + s->len, c->rcv_nxt)) {
		/* Nobody will read it: reset (RFC 2525 2.17, as Linux). */
		drop(c->tcp, m, DPT_STAT_tcp_drop_data_closed);
		tcp_send_rst(c, now);
		tcb_count(c, DPT_STAT_tcp_conn_reset);
		return tcb_closed(c, DPT_TCP_ERR_ABORTED);
	}
	if (s->len == 0 && !fin) {
		rte_pktmbuf_free(m);
		return;
	}
	if (s->len > 0) {
		enum dpt_stat r = rcv_admit(c, m);

		if (r != DPT_STAT_OK) /* the peer will resend it */
			return drop(c->tcp, m, r);
	}
	accept_text(c, m, seq, s->len, fin, s, now);
}

/* ---- entry ------------------------------------------------------------ */

/* RFC 6191: a SYN may reuse a TIME-WAIT 4-tuple if it is certainly new:
 * a newer timestamp, or without timestamps a higher sequence number. */
static int
timewait_reusable(const struct dpt_tcb *c, const struct dpt_tcp_seg *s)
{
	if ((s->flags & (DPT_TCP_SYN | DPT_TCP_ACK | DPT_TCP_RST)) !=
	    DPT_TCP_SYN)
		return 0;
	if ((c->flags & F_TS) && (s->opt.present & DPT_TCPOPT_TS))
		return seq_gt(s->opt.tsval, c->ts_recent) ||
		       (s->opt.tsval == c->ts_recent &&
			seq_gt(s->seq, c->rcv_nxt));
	return seq_gt(s->seq, c->rcv_nxt);
}

/* Two segments, one of them at least over IPv6, are of the same family
 * and IPv6 addresses. */
static __rte_noinline int
same_addrs6(const struct dpt_tcp_seg *a, const struct dpt_tcp_seg *b)
{
	const struct tcp_rx_item *x = rx_item_of(a), *y = rx_item_of(b);

	return a->v6 == b->v6 &&
	       memcmp(&x->saddr6, &y->saddr6, sizeof(x->saddr6)) == 0 &&
	       memcmp(&x->daddr6, &y->daddr6, sizeof(x->daddr6)) == 0;
}

/* Two segments of one 4-tuple: over IPv6 the 32-bit folds of the
 * addresses (saddr, daddr) only say they may be; the addresses decide,
 * out of IPv4's way. */
static __rte_always_inline int
same_tuple(const struct dpt_tcp_seg *a, const struct dpt_tcp_seg *b)
{
	return a->saddr == b->saddr && a->daddr == b->daddr &&
	       a->sport == b->sport && a->dport == b->dport &&
	       ((a->v6 | b->v6) == 0 || same_addrs6(a, b));
}

static int
key_is(const struct dpt_tcb *c, const struct dpt_tcp_seg *s)
{
	return c->key.raddr == s->saddr && c->key.laddr == s->daddr &&
	       c->key.rport == s->sport && c->key.lport == s->dport;
}

/* lookup_one() of an IPv6 segment: the table, prefetched (rx_last is
 * IPv4's: key_is() compares IPv4 keys). */
static __rte_noinline struct dpt_tcb *
lookup_one6(struct dpt_tcp *t, uint32_t i)
{
	struct dpt_tcb *c = seg_lookup(t, &t->rx[i].s);

	if (c != NULL)
		tcb_prefetch(c);
	return c;
}

/* The control block of rx[@i]'s 4-tuple (IPv4), one lookup at a time: first
 * the one the last lookup found (a burst of the same connection as the
 * last: stream, a single request-response connection; valid while the
 * table is unchanged), then the table. Prefetched. */
static __rte_always_inline struct dpt_tcb *
lookup_one(struct dpt_tcp *t, uint32_t i)
{
	const struct dpt_tcp_seg *s = &t->rx[i].s;
	struct dpt_tcb *c = t->rx_last;
	struct tcp_key k;

	if (c != NULL && t->rx_last_gen == t->table_gen && key_is(c, s))
		return c;
	k = key_of(s);
	c = tcb_lookup(t, &k);
	if (c != NULL) {
		tcb_prefetch(c);
		t->rx_last = c;
		t->rx_last_gen = t->table_gen;
	}
	return c;
}

/* rx[@i]'s control block as soon as it is held, unless the burst's
 * lookups go in bulk (at its end, lookup_burst()): the last segment's if
 * they share the 4-tuple (the table changes only once input runs), else
 * lookup_one(). Input runs at the end of the burst, so the control
 * blocks' prefetches overlap the other segments' parsing. */
static __rte_always_inline void
rx_lookup_ahead(struct dpt_tcp *t, uint32_t i, int v6)
{
	if (t->st->c[DPT_STAT_tcp_tcbs] >= t->rx_bulk_conns)
		return;
	t->rx[i].c = i > 0 && same_tuple(&t->rx[i - 1].s, &t->rx[i].s) ?
		     t->rx[i - 1].c : v6 ? lookup_one6(t, i) : lookup_one(t, i);
}

/* One segment, parsed, its data at the payload, with the control block
 * of its 4-tuple (@c, NULL for none) as the table has it now. */
static void
segment_in(struct dpt_tcp *t, struct rte_mbuf *m, const struct dpt_tcp_seg *s,
	   struct dpt_tcb *c, uint64_t now)
{
	if (c != NULL && c->state == DPT_TCP_TIME_WAIT &&
	    timewait_reusable(c, s)) {
		t->st->c[DPT_STAT_tcp_timewait_reused]++;
		tcb_closed(c, DPT_TCP_OK);
		c = NULL;
	}
	if (c == NULL)
		return no_tcb_input(t, m, s, now);
	if (c->state == DPT_TCP_SYN_SENT)
		return syn_sent_input(c, m, s, now);
	synced_input(c, m, s, now);
}

/* A segment of either family (@ip6 not NULL: IPv6, else @ip4) into TCP:
 * parsed into the burst's next item when batching, its connection looked
 * up ahead, else through input at once. Inlined into each family's entry
 * with @ip6 a constant: IPv4's is what it was before IPv6. */
static __rte_always_inline void
input(struct dpt_tcp *t, struct rte_mbuf *m, const struct dpt_ipv4 *ip4,
      const struct dpt_ipv6 *ip6, uint64_t now)
{
	struct tcp_rx_item *it, one;
	struct dpt_tcp_seg *sp;
	struct tcp_key k;
	enum dpt_stat r;

	if (t->rx_batching && t->rx_n == TCP_RX_BATCH)
		tcp_rx_run(t, now); /* a burst larger than the batch */
	it = t->rx_batching ? &t->rx[t->rx_n] : NULL;
	sp = it != NULL ? &it->s : &one.s;
	r = ip6 != NULL ? dpt_tcp_parse6(m, ip6, sp, t->st) :
	    dpt_tcp_parse(m, ip4, sp, t->st);
	if (r != DPT_STAT_OK)
		return drop(t, m, r);
	t->st->c[DPT_STAT_tcp_rx_segs]++;
	if (ip6 != NULL) { /* beside the segment (struct tcp_rx_item) */
		struct tcp_rx_item *x = it != NULL ? it : &one;

		x->saddr6 = ip6->src;
		x->daddr6 = ip6->dst;
	}
	if (it != NULL) { /* the rest at the end of the burst */
		it->s.gro_segs = 1;
		rte_pktmbuf_adj(m, it->s.hdr_len);
		it->m = m;
		if (t->rx_n == 0)
			t->rx_gen = t->table_gen;
		rx_lookup_ahead(t, t->rx_n++, ip6 != NULL);
		return;
	}
	one.s.gro_segs = 1;
	rte_pktmbuf_adj(m, one.s.hdr_len);
	if (ip6 != NULL)
		return segment_in(t, m, &one.s, seg_lookup(t, &one.s), now);
	k = key_of(&one.s);
	segment_in(t, m, &one.s, tcb_lookup(t, &k), now);
}

void
dpt_tcp_input(void *ctx, struct rte_mbuf *m, const struct dpt_ipv4 *ip,
	      uint64_t now)
{
	input(ctx, m, ip, NULL, now);
}

void
dpt_tcp_input6(void *ctx, struct rte_mbuf *m, const struct dpt_ipv6 *ip,
	       uint64_t now)
{
	input(ctx, m, NULL, ip, now);
}

/* ---- a burst at a time ------------------------------------------------ */

/* Whether @n, which follows @s in the burst on the same 4-tuple, can join
 * it as one segment through input: in-order data that would have gone
 * through input exactly alike, the conditions of Linux's tcp_gro_receive
 * (only ACK and PSH, the same ACK, window, TOS and options, timestamps
 * included, no SACK blocks, contiguous, no segment larger than the first)
 * and the unit within our window. */
static int
joinable(const struct dpt_tcb *c, const struct dpt_tcp_seg *s,
	 const struct dpt_tcp_seg *n)
{
	return (n->flags & ~DPT_TCP_PSH) == DPT_TCP_ACK && n->len > 0 &&
	       n->seq == s->seq + s->len && n->ack == s->ack &&
	       n->wnd == s->wnd && n->tos == s->tos &&
	       n->opt.present == s->opt.present &&
	       n->opt.tsval == s->opt.tsval && n->opt.tsecr == s->opt.tsecr &&
	       n->len <= s->gro_size && s->len % s->gro_size == 0 &&
	       s->len + n->len <= TCP_RX_COALESCE_MAX &&
	       seq_leq(n->seq + n->len, c->rcv_adv);
}

/* Receive coalescing: the segments after rx[@i] in the burst that
 * continue it on the same connection @c join it (their mbufs chained to
 * its), so that TCP input runs once for all of them and the ACK policy
 * counts each. Only into an ESTABLISHED connection's in-order stream,
 * with nothing held out of order and no memory pressure (rcv_room_for():
 * admitting them together is then admitting each), and only what is
 * acceptable whole: anything else keeps its own pass. Returns how many
 * items were consumed. */
static uint32_t
coalesce(struct dpt_tcp *t, uint32_t i, struct dpt_tcb *c)
{
	struct tcp_rx_item *it = &t->rx[i];
	struct dpt_tcp_seg *s = &it->s;
	uint32_t j = i + 1, cost;

	if (c == NULL || j == t->rx_n || !same_tuple(s, &t->rx[j].s) ||
	    c->state != DPT_TCP_ESTABLISHED || c->ooo_n > 0 ||
	    (c->flags & F_APP_CLOSED) || s->len == 0 ||
	    (s->flags & ~DPT_TCP_PSH) != DPT_TCP_ACK ||
	    (s->opt.present & DPT_TCPOPT_SACK) || s->seq != c->rcv_nxt ||
	    !seq_leq(s->seq + s->len, c->rcv_adv))
		return 1;
	s->gro_size = (uint16_t)s->len;
	cost = mq_chain_cost(it->m);
	for (; j < t->rx_n && same_tuple(s, &t->rx[j].s); j++) {
		struct tcp_rx_item *n = &t->rx[j];
		uint32_t more = mq_chain_cost(n->m);

		if (!joinable(c, s, &n->s) || !rcv_room_for(c, cost + more) ||
		    rte_pktmbuf_chain(it->m, n->m) != 0)
			break;
		cost += more;
		s->len += n->s.len;
		s->flags |= n->s.flags;
		s->gro_segs++;
		t->st->c[DPT_STAT_tcp_rx_coalesced]++;
	}
	return j - i;
}

/* The control blocks of rx[@first[0]], ..., rx[@first[@n - 1]] (each the
 * first segment of a run, at most RTE_HASH_LOOKUP_BULK_MAX of them) in
 * bulk (tcb_lookup_bulk()). */
static void
lookup_bulk(struct dpt_tcp *t, const uint32_t *first, uint32_t n)
{
	const struct tcp_key *kp[RTE_HASH_LOOKUP_BULK_MAX];
	struct dpt_tcb *found[RTE_HASH_LOOKUP_BULK_MAX];
	struct tcp_key keys[RTE_HASH_LOOKUP_BULK_MAX];

	for (uint32_t u = 0; u < n; u++) {
		keys[u] = key_of(&t->rx[first[u]].s);
		kp[u] = &keys[u];
	}
	tcb_lookup_bulk(t, kp, n, found);
	for (uint32_t u = 0; u < n; u++)
		t->rx[first[u]].c = found[u];
}

/* With a large table (rx_bulk_conns control blocks in use), every
 * segment's control block before any goes through input: the first of
 * each run of one connection's segments in bulk (tcb_lookup_bulk(),
 * prefetched), the rest of the run sharing it. */
static void
lookup_burst(struct dpt_tcp *t)
{
	uint32_t first[RTE_HASH_LOOKUP_BULK_MAX], n = 0;

	if (t->st->c[DPT_STAT_tcp_tcbs] < t->rx_bulk_conns)
		return; /* looked up as they came (rx_lookup_ahead()) */
	t->rx_gen = t->table_gen;
	for (uint32_t i = 0; i < t->rx_n; i++) {
		if (i > 0 && same_tuple(&t->rx[i - 1].s, &t->rx[i].s))
			continue; /* the run's lookup serves it */
		if (t->rx[i].s.v6) { /* IPv4 keys in bulk only */
			t->rx[i].c = seg_lookup(t, &t->rx[i].s);
			continue;
		}
		first[n++] = i;
		if (n == RTE_HASH_LOOKUP_BULK_MAX) {
			lookup_bulk(t, first, n);
			n = 0;
		}
	}
	if (n > 0)
		lookup_bulk(t, first, n);
	for (uint32_t i = 1; i < t->rx_n; i++)
		if (same_tuple(&t->rx[i - 1].s, &t->rx[i].s))
			t->rx[i].c = t->rx[i - 1].c;
}

/* The burst's segments through input, in the order they came: looked up
 * together first, then each (or each run coalesce() joined) with its
 * control block. A segment that opens or closes a connection (a cookie's
 * ACK, a RST, the last ACK) changes the table: the lookups made before
 * may then be stale, and the rest of the burst is looked up one by one,
 * as without batching. */
void
tcp_rx_run(struct dpt_tcp *t, uint64_t now)
{
	uint32_t gen, i = 0;

	if (t->rx_n == 0)
		return;
	lookup_burst(t);
	gen = t->rx_gen;
	while (i < t->rx_n) {
		struct tcp_rx_item *it = &t->rx[i];
		struct dpt_tcb *c = it->c;

		if (t->table_gen != gen)
			c = seg_lookup(t, &it->s);
		i += coalesce(t, i, c);
		segment_in(t, it->m, &it->s, c, now);
	}
	t->rx_n = 0;
}

void
dpt_tcp_rx_begin(struct dpt_tcp *t)
{
	t->rx_batching = 1;
}

void
dpt_tcp_rx_end(struct dpt_tcp *t, uint64_t now)
{
	tcp_rx_run(t, now);
	t->rx_batching = 0;
}
