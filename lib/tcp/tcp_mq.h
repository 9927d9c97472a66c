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
 * walk to the appended chain's last segment, dropping bytes from the
 * front one step per segment freed. The out-of-order queue is not one of
 * these: its segments stay separate packets sorted by sequence number
 * (tcp_reass.c).
 *
 * Memory is counted as the buffers held, not the bytes in them (Linux's
 * truesize): a 1-byte segment in a 2 KiB mbuf costs the whole mbuf. A
 * queue that has grown to many segments takes further short ones by
 * copying their bytes into room at its tail (Linux's coalescing and
 * tcp_collapse() are the model), so a peer sending tiny segments holds
 * about one mbuf per mbuf's worth of bytes, not one per segment; the
 * first segments of a queue stay the very mbufs handed in (zero-copy).
 */
#ifndef TCP_MQ_H
#define TCP_MQ_H

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dpt_cksum.h"

/* From this many segments on, a short segment is copied into the tail
 * rather than queued as its own mbuf. */
#define MQ_COALESCE_SEGS 8
/* What "short" means: at most this many bytes (a copy this small costs
 * less than the mbuf it frees). */
#define MQ_COALESCE_MAX 512

struct tcp_mq {
	struct rte_mbuf *head;       /* oldest segment; NULL = empty */
	struct rte_mbuf *tail;       /* last segment, for appending */
	uint32_t bytes;              /* bytes queued */
	uint32_t segs;               /* mbuf segments queued */
	uint32_t mem;                /* buffer bytes held (mq_cost()) */
	uint8_t tail_own;            /* the tail is ours to fill: its room
				      * past the data may take more bytes */
};

/* What holding segment @m costs: its whole pool element (the mbuf, its
 * private area and data room). An indirect mbuf holds another's buffer:
 * its own element, plus the bytes it keeps reachable. */
static inline uint32_t
mq_cost(const struct rte_mbuf *m)
{
	return m->pool->elt_size + (RTE_MBUF_DIRECT(m) ? 0u : m->data_len);
}

/* The cost of every segment of chain @m. */
static inline uint32_t
mq_chain_cost(const struct rte_mbuf *m)
{
	uint32_t c = 0;

	for (; m != NULL; m = m->next)
		c += mq_cost(m);
	return c;
}

/* Append chain @m holding @len bytes (its pkt_len and nb_segs are no
 * longer looked at once it is queued); the new tail is not ours to fill
 * unless the caller says so (mq_append_own()). */
static inline void
mq_append(struct tcp_mq *q, struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *s = m;

	if (q->tail != NULL)
		q->tail->next = m;
	else
		q->head = m;
	for (;;) {
		q->mem += mq_cost(s);
		q->segs++;
		if (s->next == NULL)
			break;
		s = s->next;
	}
	q->tail = s;
	q->bytes += len;
	q->tail_own = 0;
}

/* Append a segment the queue owns and may fill (a fresh mbuf). */
static inline void
mq_append_own(struct tcp_mq *q, struct rte_mbuf *m, uint32_t len)
{
	mq_append(q, m, len);
	q->tail_own = 1;
}

/* Copy @len bytes to the tail's room (the caller checked it is ours and
 * has the room); a stored sum of the tail (dpt_cksum.h) no longer runs to
 * its end, and goes. */
static inline void
mq_fill_tail(struct tcp_mq *q, const void *p, uint32_t len)
{
	dpt_cksum_note_drop(q->tail);
	memcpy(rte_pktmbuf_append(q->tail, (uint16_t)len), p, len);
	q->bytes += len;
}

/* Room in the tail the queue may fill. */
static inline uint32_t
mq_tail_room(const struct tcp_mq *q)
{
	return q->tail_own ? rte_pktmbuf_tailroom(q->tail) : 0;
}

/* Copy short segment @s into the tail, or into a fresh mbuf from @pool
 * appended for it. Returns 0, or -1 (@s untouched) if no mbuf is to be
 * had. */
static inline int
mq_copy_in(struct tcp_mq *q, const struct rte_mbuf *s, struct rte_mempool *pool)
{
	uint32_t len = s->data_len;

	if (mq_tail_room(q) < len) {
		struct rte_mbuf *f = pool ? rte_pktmbuf_alloc(pool) : NULL;

		if (f == NULL || rte_pktmbuf_tailroom(f) < len) {
			rte_pktmbuf_free(f);
			return -1;
		}
		mq_append_own(q, f, 0);
	}
	mq_fill_tail(q, rte_pktmbuf_mtod(s, const void *), len);
	return 0;
}

/* Append chain @m of @len bytes segment by segment: once the queue holds
 * MQ_COALESCE_SEGS segments, a short one is copied into the tail (or a
 * fresh mbuf from @pool) and freed; the others, and the first ones of a
 * queue, are linked as they are (zero-copy). Without an mbuf to be had,
 * a short segment is linked too. Returns the segments copied. The tail
 * stays ours only if the last segment was copied. */
static inline uint32_t
mq_append_coalesce(struct tcp_mq *q, struct rte_mbuf *m, uint32_t len,
		   struct rte_mempool *pool)
{
	uint32_t copied = 0;

	if (q->segs + m->nb_segs <= MQ_COALESCE_SEGS) {
		mq_append(q, m, len); /* the usual case: nothing to walk */
		return 0;
	}
	while (m != NULL) {
		struct rte_mbuf *next = m->next;

		if (q->segs >= MQ_COALESCE_SEGS &&
		    m->data_len <= MQ_COALESCE_MAX && mq_copy_in(q, m, pool) == 0) {
			m->next = NULL;
			rte_pktmbuf_free_seg(m);
			copied++;
		} else {
			m->next = NULL;
			mq_append(q, m, m->data_len);
		}
		m = next;
	}
	return copied;
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
		q->mem -= mq_cost(h);
		rte_pktmbuf_free_seg(h);
		q->segs--;
	}
	if (q->head == NULL) {
		q->tail = NULL;
		q->tail_own = 0;
		return;
	}
	if (!RTE_MBUF_DIRECT(q->head))
		q->mem -= n; /* it keeps fewer bytes reachable */
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

/* Put chain @m (pkt_len and nb_segs set, as mq_take() gives) back at the
 * front: what was taken and could not be used yet. */
static inline void
mq_prepend(struct tcp_mq *q, struct rte_mbuf *m)
{
	struct rte_mbuf *last = rte_pktmbuf_lastseg(m);

	if (q->head == NULL) {
		q->tail = last;
		q->tail_own = 0;
	}
	last->next = q->head;
	q->head = m;
	q->bytes += m->pkt_len;
	q->segs += m->nb_segs;
	q->mem += mq_chain_cost(m);
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
