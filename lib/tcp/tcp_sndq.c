/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_sndq.c: the send queue, as tcp_reass.c holds the receive side.
 *
 * The queue (a struct tcp_mq, tcp_mq.h) runs from SND.UNA: bytes sent
 * and not yet acknowledged, then bytes not sent yet. Its mbufs are the
 * application's own (dpt_tcp_send(): never written to) or ones
 * dpt_tcp_write() filled (F_TAIL_OWN: the last of them may take more).
 * Output transmits them by reference (tcp_output.c attaches indirect
 * mbufs to them); an acknowledgment frees what it covers.
 */
#include <string.h>

#include "tcp_impl.h"

/* Queue the application's chain @m of @len bytes, as it is. */
void
sndq_append(struct dpt_tcb *c, struct rte_mbuf *m, uint32_t len)
{
	mq_append(&c->sndq, m, len);
	c->flags &= ~F_TAIL_OWN; /* the app's buffers: never written to */
}

/* Copy @len bytes in: into the tail's room when dpt_tcp_write made the
 * tail, then into new mbufs from the data pool. Stops short when the
 * pool is empty or down to the reserve kept for reception. Returns the
 * bytes queued. */
size_t
sndq_write(struct dpt_tcb *c, const uint8_t *p, size_t len)
{
	struct tcp_mq *q = &c->sndq;
	size_t done = 0;

	while (done < len) {
		struct rte_mbuf *m = q->tail;
		uint16_t room;
		char *dst;

		if (!(c->flags & F_TAIL_OWN) || rte_pktmbuf_tailroom(m) == 0) {
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
			mq_append(q, m, 0);
			c->flags |= F_TAIL_OWN;
		}
		room = (uint16_t)RTE_MIN((size_t)rte_pktmbuf_tailroom(m),
					 len - done);
		dst = rte_pktmbuf_append(m, room);
		memcpy(dst, p + done, room);
		q->bytes += room;
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
	if (c->sndq.head == NULL)
		c->flags &= ~F_TAIL_OWN;
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
