/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_tx.h: a burst of frames on its way out.
 *
 * The stack pushes frames here during an iteration and the loop flushes once
 * at its end, so the port sees bursts. Frames a full TX ring refuses wait
 * for the next flush instead of being lost (TCP would only resend them). The sink is a function, not a port id:
 * the port's rte_eth_tx_burst() in the daemon, the impairment layer in front
 * of it when configured, a capture array in unit tests. (rte_eth_tx_buffer
 * is bound to a port and queue, hence this small equivalent.)
 *
 * A TCP segment longer than the MSS (RTE_MBUF_F_TX_TCP_SEG, tso_segsz) is
 * handed whole to a sink that segments it (a PMD with TSO: `tso`), else
 * cut here into the frames its sender would have built one by one
 * (dpt_gso.c), so TCP output runs once per large send either way.
 */
#ifndef DPT_TX_H
#define DPT_TX_H

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dpt_stats.h"

struct dpt_tx;

/** A large TCP frame (dpt_gso.c): queued whole for a sink with TSO, else
 * cut into frames that are pushed. Takes @p m. */
void dpt_tx_push_large(struct dpt_tx *tx, struct rte_mbuf *m);

#define DPT_TX_BURST 32   /* a push flushes when this many wait */
#define DPT_TX_CAP 512    /* frames held when the port refuses them */

/** Sink: takes up to n frames, returns how many it took (it owns those). */
typedef uint16_t (*dpt_tx_send_t)(void *arg, struct rte_mbuf **pkts,
				  uint16_t n);

struct dpt_tx {
	uint16_t n;                 /**< frames waiting */
	dpt_tx_send_t send;         /**< where flushed frames go */
	void *arg;                  /**< the sink's argument */
	struct dpt_stats *stats;    /**< tx_frames, tx_bytes, tx_drop_* */
	uint32_t max_frame;         /**< longest frame the port sends (MTU and
				      *  Ethernet header), 0 = no bound */
	uint8_t relay;              /**< the sink is another lcore's outbox,
				      *  which counts the frames when it hands
				      *  them to the port: count tx_relayed */
	uint8_t refused;            /**< the last flush left frames the sink
				      *  refused (dpt_tx_backlogged()) */
	uint8_t tso;                /**< the sink takes large TCP frames
				      *  whole (the PMD's TSO) */
	uint8_t no_cksum;           /**< frames cut here get no checksums
				      *  ([port0] checksum = none) */
	struct rte_mempool *gso_pool; /**< header mbufs of the frames cut
					*  here, NULL: no software
					*  segmentation (and with !tso, no
					*  large frames may be pushed) */
	struct rte_mbuf *pkts[DPT_TX_CAP];
};

/** Hand the waiting frames to the sink. Frames it refuses (a full TX
 * ring) stay, first in line for the next flush. */
static inline void
dpt_tx_flush(struct dpt_tx *tx)
{
	uint16_t sent, i;

	if (tx->n == 0)
		return;
	sent = tx->send(tx->arg, tx->pkts, tx->n);
	if (tx->relay) {
		tx->stats->c[DPT_STAT_tx_relayed] += sent;
	} else {
		tx->stats->c[DPT_STAT_tx_frames] += sent;
		for (i = 0; i < sent; i++)
			tx->stats->c[DPT_STAT_tx_bytes] += tx->pkts[i]->pkt_len;
	}
	if (sent < tx->n)
		memmove(tx->pkts, tx->pkts + sent,
			sizeof(tx->pkts[0]) * (tx->n - sent));
	tx->n = (uint16_t)(tx->n - sent);
	tx->refused = tx->n > 0;
}

/** Whether frames the port refused still wait: its TX ring is full, and
 * what is pushed now waits behind them (or is dropped past DPT_TX_CAP).
 * Answers to strangers (a cookie SYN-ACK, a RST to no connection) are not
 * built then, so a flood's answers never take the room of connections'
 * segments. O(1). */
static inline int
dpt_tx_backlogged(const struct dpt_tx *tx)
{
	return tx->refused && tx->n > 0;
}

/** Queue @p m as it is (dpt_tx_push() without its checks). */
static inline void
dpt_tx_queue(struct dpt_tx *tx, struct rte_mbuf *m)
{
	if (tx->n >= DPT_TX_BURST && tx->n % DPT_TX_BURST == 0)
		dpt_tx_flush(tx);
	if (tx->n == DPT_TX_CAP) {
		tx->stats->c[DPT_STAT_tx_drop_full]++;
		rte_pktmbuf_free(m);
		return;
	}
	tx->pkts[tx->n++] = m;
}

/** Queue one complete frame, flushing every DPT_TX_BURST. Only when
 * DPT_TX_CAP frames wait on a port that takes none is a frame dropped
 * (tx_drop_full), or when it is longer than max_frame (tx_drop_oversize).
 * A large TCP frame (RTE_MBUF_F_TX_TCP_SEG) goes whole to a sink with
 * TSO, which cuts it to the MTU, else is cut here (dpt_tx_push_large()). */
static __rte_always_inline void
dpt_tx_push(struct dpt_tx *tx, struct rte_mbuf *m)
{
	if (unlikely(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG))
		return dpt_tx_push_large(tx, m);
	/* A PMD may refuse a frame longer than its MTU on every try (net_tap
	 * does), and one refused frame would then hold up the queue: such a
	 * frame is a bug upstream, counted and dropped here. */
	if (tx->max_frame != 0 && m->pkt_len > tx->max_frame) {
		tx->stats->c[DPT_STAT_tx_drop_oversize]++;
		rte_pktmbuf_free(m);
		return;
	}
	dpt_tx_queue(tx, m);
}

/** Whether large TCP frames (RTE_MBUF_F_TX_TCP_SEG) may be pushed: the
 * sink or dpt_tx_push_large() segments them. */
static inline int
dpt_tx_segments(const struct dpt_tx *tx)
{
	return tx->tso || tx->gso_pool != NULL;
}

#endif /* DPT_TX_H */
