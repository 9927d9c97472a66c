/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_mq.h: internal to lib/tcp. The one queue of mbufs TCP keeps bytes
 * in: the send queue (tcp_sndq.c) and the in-order receive queue
 * (tcp_reass.c) are each a struct tcp_mq.
 *
 * A queue is the mbuf segments themselves linked by ->next, oldest byte
 * first, with no packet header of its own: head and tail for O(1)
 * append, the bytes and segments it holds so the chain can be handed out
 * whole (pkt_len and nb_segs set once, at the head). Appending costs the
 * walk to the appended chain's last segment (rte_pktmbuf_lastseg()),
 * dropping bytes from the front one step per segment freed. The
 * out-of-order queue is not one of these: its segments stay separate
 * packets sorted by sequence number (tcp_reass.c).
 */
#ifndef TCP_MQ_H
#define TCP_MQ_H

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

struct tcp_mq {
	struct rte_mbuf *head;       /* oldest segment; NULL = empty */
	struct rte_mbuf *tail;       /* last segment, for appending */
	uint32_t bytes;              /* bytes queued */
	uint32_t segs;               /* mbuf segments queued */
};

/* Append chain @m holding @len bytes (its pkt_len and nb_segs are no
 * longer looked at once it is queued). */
static inline void
mq_append(struct tcp_mq *q, struct rte_mbuf *m, uint32_t len)
{
	if (q->tail != NULL)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = rte_pktmbuf_lastseg(m);
	q->segs += m->nb_segs;
	q->bytes += len;
}

/* Drop @n bytes (at most q->bytes) from the front. A segment is freed
 * once all its bytes are dropped; others may still reference its data
 * (a transmitted segment's indirect mbufs keep it until sent). */
static inline void
mq_trim_front(struct tcp_mq *q, uint32_t n)
{
	q->bytes -= n;
	while (q->head != NULL && n >= q->head->data_len) {
		struct rte_mbuf *h = q->head;

		/* an empty segment after the cut goes too: never handed out */
		n -= h->data_len;
		q->head = h->next;
		h->next = NULL;
		rte_pktmbuf_free_seg(h);
		q->segs--;
	}
	if (q->head == NULL) {
		q->tail = NULL;
		return;
	}
	q->head->data_off = (uint16_t)(q->head->data_off + n);
	q->head->data_len = (uint16_t)(q->head->data_len - n);
}

/* Everything queued as one chain (pkt_len = bytes), or NULL; the queue
 * is left empty. */
static inline struct rte_mbuf *
mq_take(struct tcp_mq *q)
{
	struct rte_mbuf *m = q->head;

	if (m == NULL)
		return NULL;
	m->pkt_len = q->bytes;
	m->nb_segs = (uint16_t)q->segs;
	memset(q, 0, sizeof(*q));
	return m;
}

/* Copy up to @len bytes from the front into @buf and drop them. Returns
 * the bytes copied. */
static inline size_t
mq_read(struct tcp_mq *q, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t done = 0;

	for (struct rte_mbuf *s = q->head; s != NULL && done < len;
	     s = s->next) {
		size_t n = RTE_MIN((size_t)s->data_len, len - done);

		memcpy(p + done, rte_pktmbuf_mtod(s, void *), n);
		done += n;
	}
	mq_trim_front(q, (uint32_t)done);
	return done;
}

/* Free every segment queued. */
static inline void
mq_free(struct tcp_mq *q)
{
	rte_pktmbuf_free(q->head);
	memset(q, 0, sizeof(*q));
}

#endif /* TCP_MQ_H */
