/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_sndq.c: the send queue, as tcp_reass.c holds the receive side.
 *
 * The queue (a struct tcp_mq, tcp_mq.h) runs from SND.UNA: bytes sent
 * and not yet acknowledged, then bytes not sent yet. Its mbufs are the
 * application's own (dpt_tcp_send(): never written to) or ones the queue
 * filled itself (dpt_tcp_write(), short segments coalesced: the last of
 * them may take more, tcp_mq.h).
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

/* Copy @len bytes in: into the tail's room when the queue made the tail,
 * then into new mbufs from the data pool. Stops short when the pool is
 * empty or down to the reserve kept for reception. Returns the bytes
 * queued. */
size_t
sndq_write(struct dpt_tcb *c, const uint8_t *p, size_t len)
{
	struct tcp_mq *q = &c->sndq;
	size_t done = 0;

	while (done < len) {
		uint32_t room = mq_tail_room(q);

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
			room = rte_pktmbuf_tailroom(m);
		}
		room = (uint32_t)RTE_MIN((size_t)room, len - done);
		mq_fill_tail(q, p + done, room);
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
