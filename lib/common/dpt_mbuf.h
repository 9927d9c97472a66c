/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_mbuf.h: trimming mbuf chains at either end, and appending to one
 * without a segment per small piece. rte_pktmbuf_adj() and
 * rte_pktmbuf_trim() only work within the first and last segment; TCP
 * trims received segments and services consume requests across segments.
 */
#ifndef DPT_MBUF_H
#define DPT_MBUF_H

#include <stdint.h>

#include <rte_mbuf.h>

/**
 * Drop @p n bytes from the front of chain @p m, freeing emptied segments.
 *
 * @return
 *   The new head with pkt_len and nb_segs right, or NULL if nothing is left
 *   (all freed).
 */
struct rte_mbuf *dpt_mbuf_trim_front(struct rte_mbuf *m, uint32_t n);

/** Keep the first @p keep bytes of chain @p m (0 < keep <= pkt_len),
 * freeing the segments after them. */
void dpt_mbuf_trim_back(struct rte_mbuf *m, uint32_t keep);

/**
 * Append chain @p tail to chain @p head, as rte_pktmbuf_chain() does, but
 * copy each segment of @p tail that fits into the room after the data of
 * head's last segment, freeing it, when that segment is a direct mbuf
 * only this chain holds. A request growing from many small segments (a
 * slow or hostile client) then takes as few mbufs as its bytes need, not
 * one per segment.
 *
 * @return
 *   0, or -EOVERFLOW if the two might exceed RTE_MBUF_MAX_NB_SEGS
 *   (nothing changed).
 */
int dpt_mbuf_chain_compact(struct rte_mbuf *head, struct rte_mbuf *tail);

/** Bytes of memory a mempool's objects occupy (headers and trailers
 * included), for start-up budgets; 0 for NULL. */
static inline size_t
dpt_mempool_bytes(const struct rte_mempool *mp)
{
	return mp ? (size_t)mp->size * (mp->header_size + mp->elt_size +
					mp->trailer_size) : 0;
}

/** Objects in @p mp's common store (the lcore caches not counted): what
 * the reserves and pressure marks compare. O(1). */
static inline uint32_t
dpt_mempool_free(const struct rte_mempool *mp)
{
	/* rte_mempool_ops_get_count() is not exported by 22.11's shared
	 * library; this is its body, through the inline ops accessor */
	return (uint32_t)rte_mempool_get_ops(mp->ops_index)->get_count(mp);
}

/**
 * Non-zero if @p mp has fewer than @p n objects in its common store: for
 * the reserve kept for reception. O(1). NULL never is.
 */
static inline int
dpt_mempool_below(const struct rte_mempool *mp, uint32_t n)
{
	return mp != NULL && dpt_mempool_free(mp) < n;
}

#endif
