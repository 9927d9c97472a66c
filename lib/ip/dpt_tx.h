/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_tx.h: a burst of frames on its way out.
 *
 * The stack pushes frames here during an iteration and the loop flushes once
 * at its end, so the port sees bursts. The sink is a function, not a port id:
 * the port's rte_eth_tx_burst() in the daemon, the impairment layer in front
 * of it when configured, a capture array in unit tests. (rte_eth_tx_buffer
 * is bound to a port and queue, hence this small equivalent.)
 */
#ifndef DPT_TX_H
#define DPT_TX_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dpt_stats.h"

#define DPT_TX_BURST 32

/** Sink: takes up to n frames, returns how many it took (it owns those). */
typedef uint16_t (*dpt_tx_send_t)(void *arg, struct rte_mbuf **pkts,
				  uint16_t n);

struct dpt_tx {
	uint16_t n;                 /**< frames buffered */
	dpt_tx_send_t send;         /**< where flushed frames go */
	void *arg;                  /**< the sink's argument */
	struct dpt_stats *stats;    /**< tx_frames, tx_bytes, tx_drop_full */
	struct rte_mbuf *pkts[DPT_TX_BURST];
};

/** Hand the buffered frames to the sink; frames it refuses are freed and
 * counted as tx_drop_full. */
static inline void
dpt_tx_flush(struct dpt_tx *tx)
{
	uint16_t sent, i;

	if (tx->n == 0)
		return;
	for (i = 0; i < tx->n; i++)
		tx->stats->c[DPT_STAT_tx_bytes] += tx->pkts[i]->pkt_len;
	sent = tx->send(tx->arg, tx->pkts, tx->n);
	tx->stats->c[DPT_STAT_tx_frames] += sent;
	for (i = sent; i < tx->n; i++) {
		tx->stats->c[DPT_STAT_tx_bytes] -= tx->pkts[i]->pkt_len;
		rte_pktmbuf_free(tx->pkts[i]);
	}
	tx->stats->c[DPT_STAT_tx_drop_full] += tx->n - sent;
	tx->n = 0;
}

/** Queue one complete frame; flushes first when the burst is full. */
static inline void
dpt_tx_push(struct dpt_tx *tx, struct rte_mbuf *m)
{
	if (tx->n == DPT_TX_BURST)
		dpt_tx_flush(tx);
	tx->pkts[tx->n++] = m;
}

#endif /* DPT_TX_H */
