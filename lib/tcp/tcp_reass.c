/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_reass.c: received data. The receive queue (a struct tcp_mq,
 * tcp_mq.h) is the received mbufs themselves, headers trimmed, in order.
 * Segments that arrive ahead of RCV.NXT wait in the out-of-order queue,
 * sorted and without overlaps, at most `ooo_max` of them, counted in
 * buffer bytes with the receive queue (tcp_input.c); their sequence
 * numbers live in an mbuf dynamic field, so holding them costs no memory
 * beyond the mbufs. When a gap fills they move to the receive queue. The
 * SACK blocks we send (RFC 2018 4) describe this queue; the order of the
 * latest arrivals they need is in the connection's loss state (struct
 * tcp_ext), held only while the queue is not empty: with none to be had
 * an out-of-order segment is dropped (tcp_drop_ooo_nostate) and the peer
 * resends it once the gap is filled, as from a receiver that holds
 * nothing out of order.
 */
#include <string.h>

#include "dpt_mbuf.h"
#include "tcp_impl.h"

/* Twice the receive buffer in buffer bytes, plus a connection's share:
 * Linux's default (tcp_adv_win_scale 1) likewise counts half of what a
 * socket may hold as overhead; the share keeps small buffers usable with
 * mid-sized segments. Full-sized segments fill the window well inside it;
 * tiny ones would not, but they are coalesced (tcp_mq.h). */
static uint32_t
rcv_mem_limit(const struct dpt_tcb *c)
{
	return 2 * c->rcv_buf + TCP_MEM_SHARE;
}

/* Whether received data @m may be held (DESIGN.md, "Memory under
 * attack"): never below the reception reserve (the PMD must be able to
 * refill its ring, or no ACK arrives and nothing is ever freed); under
 * pressure only by a connection holding less than its share; and never
 * past the connection's budget in buffer bytes, whatever the window said
 * (a 1-byte segment costs a whole mbuf). The peer resends what is
 * refused. Out-of-order data goes first when memory is short: held behind
 * a hole it blocks the very segment that would let everything drain. */
enum dpt_stat
rcv_admit(struct dpt_tcb *c, const struct rte_mbuf *m)
{
	const struct dpt_tcp *t = c->tcp;
	uint32_t held;

	if (c->ooo_n > 0 && (mem_low(t) || rcv_pressed(c)))
		ooo_prune(c);
	held = c->rcvq.mem + c->ooo_mem;
	if (mem_low(t))
		return DPT_STAT_tcp_drop_mem;
	if (rcv_pressed(c))
		return DPT_STAT_tcp_drop_mem_share;
	if (held + mq_chain_cost(m) > rcv_mem_limit(c))
		return DPT_STAT_tcp_drop_rcvbuf;
	return DPT_STAT_OK;
}

/* Whether rcv_admit() would take @cost buffer bytes more in any split:
 * no pressure at all and room within the budget. Receive coalescing
 * (tcp_input.c) joins segments only then, so that admitting them as one
 * is admitting each. */
int
rcv_room_for(const struct dpt_tcb *c, uint32_t cost)
{
	return !mem_pressure(c->tcp) && !mem_low(c->tcp) &&
	       c->rcvq.mem + c->ooo_mem + cost <= rcv_mem_limit(c);
}

/* Under memory pressure a connection holding its share of buffer bytes
 * offers no more window (it keeps what it offered: RFC 9293 3.8.6). */
int
rcv_pressed(const struct dpt_tcb *c)
{
	return c->rcvq.mem + c->ooo_mem > TCP_MEM_SHARE &&
	       mem_pressure(c->tcp);
}

/* In-order data: the received mbufs queued as they are, or, once the
 * queue is long, short segments copied into its tail (tcp_mq.h). A
 * received mbuf is ours alone: its room may take what comes next. */
void
rcvq_append(struct dpt_tcb *c, struct rte_mbuf *m, uint32_t len)
{
	struct tcp_mq *q = &c->rcvq;
	struct dpt_tcp *t = c->tcp;

	t->st->c[DPT_STAT_tcp_coalesced] += mq_append_coalesce(q, m, len,
		t->rx_pool ? t->rx_pool : t->data_pool);
	if (!q->tail_own)
		q->tail_own = RTE_MBUF_DIRECT(q->tail) &&
			      rte_mbuf_refcnt_read(q->tail) == 1;
	c->rcv_nxt += len;
	c->n_rcvd += len;
	c->tcp->st->c[DPT_STAT_tcp_rx_bytes] += len;
	tcb_event(c, DPT_TCP_EV_READABLE);
}

static uint32_t
ooo_end(struct dpt_tcp *t, struct rte_mbuf *m)
{
	return ooo_info(t, m)->seq + m->pkt_len;
}

static void
ooo_unlink_free(struct dpt_tcb *c, struct rte_mbuf **pp)
{
	struct rte_mbuf *m = *pp;

	*pp = ooo_info(c->tcp, m)->next;
	c->ooo_bytes -= m->pkt_len;
	c->ooo_mem -= mq_chain_cost(m);
	c->ooo_n--;
	rte_pktmbuf_free(m);
}

static int
ooo_dup(struct dpt_tcb *c, struct rte_mbuf *m)
{
	c->tcp->st->c[DPT_STAT_tcp_dup_segs]++;
	rte_pktmbuf_free(m);
	return 0;
}

/* Hold @m (@len bytes from @seq, above RCV.NXT) until the gap before it
 * fills. What held segments already cover is cut from the newcomer; held
 * segments wholly inside it are replaced. Returns 0, or -1 if dropped for
 * lack of room. */
int
ooo_insert(struct dpt_tcb *c, struct rte_mbuf *m, uint32_t seq, uint32_t len,
	   int fin)
{
	struct dpt_tcp *t = c->tcp;
	struct rte_mbuf **pp = &c->ooo_head;
	uint32_t end = seq + len;
	struct tcp_ext *x;

	while (*pp != NULL && seq_leq(ooo_end(t, *pp), seq))
		pp = &ooo_info(t, *pp)->next;
	if (*pp != NULL && seq_lt(ooo_info(t, *pp)->seq, seq)) {
		/* starts inside a held segment: keep only what is new */
		uint32_t cut = ooo_end(t, *pp) - seq;

		if (cut >= len) {
			if (fin && end == ooo_end(t, *pp))
				ooo_info(t, *pp)->fin = 1;
			return ooo_dup(c, m);
		}
		m = dpt_mbuf_trim_front(m, cut);
		seq += cut;
		len -= cut;
		pp = &ooo_info(t, *pp)->next;
	}
	while (*pp != NULL && seq_leq(ooo_end(t, *pp), end) &&
	       seq_geq(ooo_info(t, *pp)->seq, seq))
		ooo_unlink_free(c, pp); /* wholly inside the newcomer */
	if (*pp != NULL && seq_lt(ooo_info(t, *pp)->seq, end)) {
		/* runs into the next held segment: keep what is before it */
		len = ooo_info(t, *pp)->seq - seq;
		if (len == 0)
			return ooo_dup(c, m);
		dpt_mbuf_trim_back(m, len);
		fin = 0;
	}
	if (c->ooo_n >= t->conf.ooo_max) {
		t->st->c[DPT_STAT_tcp_drop_ooo_full]++;
		rte_pktmbuf_free(m);
		return -1;
	}
	x = tcb_ext_get(c, DPT_STAT_tcp_drop_ooo_nostate);
	if (x == NULL) {
		rte_pktmbuf_free(m);
		return -1;
	}
	ooo_info(t, m)->seq = seq;
	ooo_info(t, m)->fin = (uint32_t)fin;
	ooo_info(t, m)->next = *pp;
	*pp = m;
	c->ooo_n++;
	c->ooo_bytes += len;
	c->ooo_mem += mq_chain_cost(m);
	memmove(&x->ooo_recent[1], &x->ooo_recent[0],
		sizeof(x->ooo_recent) - sizeof(x->ooo_recent[0]));
	x->ooo_recent[0] = x->ooo_last;
	x->ooo_last = seq;
	t->st->c[DPT_STAT_tcp_ooo_segs]++;
	return 0;
}

/* Drop everything held out of order, as Linux prunes its out-of-order
 * queue under memory pressure. RFC 2018 8 lets a receiver discard data
 * it has SACKed ("reneging"): the sender keeps it until cumulatively
 * acknowledged and resends it. An ACK goes at once, as after any gap
 * (RFC 5681 4.2), so the peer's scoreboard learns of it. */
void
ooo_prune(struct dpt_tcb *c)
{
	c->tcp->st->c[DPT_STAT_tcp_ooo_pruned] += c->ooo_n;
	while (c->ooo_head != NULL)
		ooo_unlink_free(c, &c->ooo_head);
	tcb_ext_trim(c);
	c->flags |= F_ACK_NOW;
	tcb_want_output(c);
}

/* Move held segments that RCV.NXT has reached into the receive queue.
 * Returns 1 if one of them carried the FIN. */
int
ooo_pull(struct dpt_tcb *c)
{
	struct dpt_tcp *t = c->tcp;

	while (c->ooo_head != NULL &&
	       seq_leq(ooo_info(t, c->ooo_head)->seq, c->rcv_nxt)) {
		struct rte_mbuf *m = c->ooo_head;
		struct tcp_ooo_info *in = ooo_info(t, m);
		uint32_t skip = c->rcv_nxt - in->seq, len = m->pkt_len;
		int fin = (int)in->fin;

		c->ooo_head = in->next;
		c->ooo_n--;
		c->ooo_bytes -= len;
		c->ooo_mem -= mq_chain_cost(m);
		if (skip >= len) {
			rte_pktmbuf_free(m);
		} else {
			m = skip ? dpt_mbuf_trim_front(m, skip) : m;
			rcvq_append(c, m, len - skip);
		}
		if (fin) {
			tcb_ext_trim(c);
			return 1;
		}
	}
	tcb_ext_trim(c);
	return 0;
}

/* The block of @blocks holding @seq, or -1. */
static int
block_of(const struct dpt_tcp_sack *blocks, unsigned int n, uint32_t seq)
{
	for (unsigned int i = 0; i < n; i++)
		if (seq_in(seq, blocks[i].left, blocks[i].right))
			return (int)i;
	return -1;
}

/* RFC 2018 4: the first block holds the most recently received segment,
 * the next ones repeat the most recently reported blocks (those of the
 * latest arrivals), then the rest in sequence order. Contiguous held
 * segments form one block. */
unsigned int
sack_blocks(const struct dpt_tcb *c, struct dpt_tcp_sack *b, unsigned int max)
{
	struct dpt_tcp *t = c->tcp;
	struct dpt_tcp_sack all[64];
	uint8_t used[64] = { 0 };
	const struct tcp_ext *x = c->ext;
	uint32_t order[4];
	unsigned int n = 0, out = 0;

	if (x == NULL) /* nothing held out of order */
		return 0;
	order[0] = x->ooo_last;
	memcpy(&order[1], x->ooo_recent, sizeof(x->ooo_recent));

	for (struct rte_mbuf *m = c->ooo_head; m != NULL;
	     m = ooo_info(t, m)->next) {
		uint32_t s = ooo_info(t, m)->seq, e = s + m->pkt_len;

		if (n > 0 && all[n - 1].right == s)
			all[n - 1].right = e;
		else if (n < RTE_DIM(all))
			all[n++] = (struct dpt_tcp_sack){ s, e };
		else
			break; /* the rest cannot be reported anyway */
	}
	for (unsigned int k = 0; k < RTE_DIM(order) && out < max; k++) {
		int i = block_of(all, n, order[k]);

		if (i >= 0 && !used[i]) {
			used[i] = 1;
			b[out++] = all[i];
		}
	}
	for (unsigned int i = 0; i < n && out < max; i++)
		if (!used[i])
			b[out++] = all[i];
	return out;
}

void
rcvq_flush(struct dpt_tcb *c)
{
	mq_free(&c->rcvq);
	while (c->ooo_head != NULL)
		ooo_unlink_free(c, &c->ooo_head);
	tcb_ext_trim(c);
}
