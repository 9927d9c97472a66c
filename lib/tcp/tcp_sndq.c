/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_sndq.c: the send queue, as tcp_reass.c holds the receive side.
 *
 * The queue (a struct tcp_mq, tcp_mq.h) runs from SND.UNA: bytes sent
 * and not yet acknowledged, then bytes not sent yet. Its mbufs are the
 * application's own (dpt_tcp_send(): never written to) or ones the queue
 * filled itself (dpt_tcp_write(), short segments coalesced: the last of
 * them may take more, tcp_mq.h). What dpt_tcp_write() copies in is summed
 * in the same pass and the sum kept with the mbuf (dpt_cksum.h's notes),
 * so output does not read the bytes again.
 * Output transmits them by reference (tcp_output.c attaches indirect
 * mbufs to them); an acknowledgment frees what it covers.
 */
#include <string.h>

#include "tcp_impl.h"

/* Twice the send buffer in buffer bytes plus a share, as on the receive
 * side (tcp_reass.c): the bytes bind first for well-filled mbufs; a chain
 * of tiny or sparse ones meets this first. */
static uint32_t
sndq_mem_limit(const struct dpt_tcb *c)
{
	return 2 * c->snd_buf + TCP_MEM_SHARE;
}

int
sndq_pressed(const struct dpt_tcb *c)
{
	return c->sndq.mem > TCP_MEM_SHARE && mem_pressure(c->tcp);
}

uint32_t
sndq_room(const struct dpt_tcb *c)
{
	if (c->sndq.mem >= sndq_mem_limit(c) || sndq_pressed(c))
		return 0;
	return c->sndq.bytes < c->snd_buf ? c->snd_buf - c->sndq.bytes : 0;
}

/* Whether a chain costing @cost buffer bytes more fits the budget. */
int
sndq_mem_fits(const struct dpt_tcb *c, uint32_t cost)
{
	return c->sndq.mem + cost <= sndq_mem_limit(c);
}

/* Queue the application's chain @m of @len bytes: as it is (its buffers
 * never written to), its short segments copied into the queue's own tail
 * once the queue is long (tcp_mq.h). */
void
sndq_append(struct dpt_tcb *c, struct rte_mbuf *m, uint32_t len)
{
	c->tcp->st->c[DPT_STAT_tcp_coalesced] +=
		mq_append_coalesce(&c->sndq, m, len, c->tcp->data_pool);
}

/* Room in the queue's own tail, up to a whole number of MSS once the
 * MSS is known (synchronized): so that in a bulk transfer segments start
 * and end on queue mbuf boundaries, and one whose mbuf holds one MSS
 * (MTU 1500 in 2 KiB mbufs) is sent with the mbuf's stored sum as it is
 * (fill_summed()). An mbuf holding less than one MSS is not capped. */
static uint32_t
tail_room(const struct dpt_tcb *c)
{
	const struct tcp_mq *q = &c->sndq;
	uint32_t room = mq_tail_room(q), cap;

	if (room == 0 || c->state < DPT_TCP_ESTABLISHED)
		return room;
	cap = (q->tail->data_len + room) / c->mss * c->mss;
	if (cap == 0)
		return room;
	return q->tail->data_len < cap ? cap - q->tail->data_len : 0;
}

/* Copy @len bytes to the tail's room summing them in the same pass
 * (dpt_cksum_copy()), and keep the tail's note running to the end of its
 * data: a first fill notes its sum, a later one extends the note (which
 * may start before data_off, acknowledged bytes trimmed: the buffer still
 * holds them). */
static void
fill_summed(struct tcp_mq *q, const uint8_t *p, uint32_t len)
{
	struct rte_mbuf *m = q->tail;
	const struct dpt_cksum_note *n = dpt_cksum_note_get(m);
	uint32_t at = m->data_len;
	uint16_t sum = dpt_cksum_copy(rte_pktmbuf_append(m, (uint16_t)len),
				      p, len);

	if (at == 0)
		dpt_cksum_note_set(m, 0, sum);
	else if (n != NULL) /* it ran to the end of the data: it still does */
		dpt_cksum_note_set(m, n->off - m->data_off,
				   dpt_cksum_add(n->sum, sum,
						 m->data_off + at - n->off));
	q->bytes += len;
}

/* Copy @len bytes in: into the tail's room when the queue made the tail,
 * then into new mbufs from the data pool, summed as they are copied.
 * Stops short when the pool is empty or down to the reserve kept for
 * reception. Returns the bytes queued. */
size_t
sndq_write(struct dpt_tcb *c, const uint8_t *p, size_t len)
{
	struct tcp_mq *q = &c->sndq;
	size_t done = 0;

	while (done < len) {
		uint32_t room = tail_room(c);

		if (room == 0) {
			struct rte_mbuf *m;

			if (c->tcp->data_pool == c->tcp->rx_pool &&
			    mem_low(c->tcp)) {
				tcb_count(c, DPT_STAT_tcp_write_mem_low);
				break; /* WRITABLE comes with the next ACK */
			}
			m = rte_pktmbuf_alloc(c->tcp->data_pool);
			if (m == NULL) {
				tcb_count(c, DPT_STAT_mbuf_alloc_fail);
				break;
			}
			mq_append_own(q, m, 0);
			room = tail_room(c);
		}
		room = (uint32_t)RTE_MIN((size_t)room, len - done);
		/* no sum needed when the PMD or nobody computes it */
		if (c->tcp->tx_cksum || c->tcp->cksum_none)
			mq_fill_tail(q, p + done, room);
		else
			fill_summed(q, p + done, room);
		done += room;
	}
	return done;
}

/* Drop @n acknowledged bytes from the front. In-flight segments keep
 * their own references to the data they carry. */
void
sndq_release(struct dpt_tcb *c, uint32_t n)
{
	mq_trim_front(&c->sndq, n);
}

/* The queued mbuf holding @seq, and the offset of @seq in it: a walk
 * from the head (SND.UNA), O(queue mbufs before @seq). */
struct rte_mbuf *
sndq_locate(const struct dpt_tcb *c, uint32_t seq, uint32_t *off)
{
	struct rte_mbuf *m = c->sndq.head;
	uint32_t s = c->snd_una;

	while (m != NULL && seq_geq(seq, s + m->data_len)) {
		s += m->data_len;
		m = m->next;
	}
	*off = seq - s;
	return m;
}

void
sndq_flush(struct dpt_tcb *c)
{
	mq_free(&c->sndq);
}
