/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_impair.h: a bad network, on purpose.
 *
 * This kernel has no netem, so loss is tested here: one impairment per
 * worker sits between the port and the stack in each direction and drops,
 * duplicates, corrupts (one bit), reorders (a frame is held back behind the
 * next) and delays the given fractions of frames, with a seeded PRNG so a
 * run can be repeated. Off unless [impair] asks for it; every frame it
 * touches is counted (impair_* counters).
 *
 * Frames are never damaged in place on transmit: a TX frame references
 * the send queue's buffers, so corruption and duplication work on a copy.
 */
#ifndef DPT_IMPAIR_H
#define DPT_IMPAIR_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpt_stats.h"
#include "dpt_tx.h"

struct dpt_impair;

/** One direction of [impair]: fractions of frames, and a delay. */
struct dpt_impair_dir {
	double drop;        /**< dropped */
	double reorder;     /**< held back behind the next frame */
	double dup;         /**< sent twice */
	double corrupt;     /**< one bit flipped */
	uint64_t delay_us;  /**< every frame held this long */
};

/** [impair] as configured (lib/cfg fills it): the test network this
 * kernel's missing netem would give. */
struct dpt_impair_conf {
	struct dpt_impair_dir rx, tx;
	uint32_t seed;      /**< PRNG seed (each worker adds its index) */
	uint32_t queue;     /**< frames held (delay, reorder) per direction */
};

/** Non-zero if @p c asks for any impairment: without, no worker needs
 * one. */
int dpt_impair_on(const struct dpt_impair_conf *c);

/** Parameters of dpt_impair_create(). */
struct dpt_impair_params {
	const struct dpt_impair_conf *conf;
	uint32_t index;             /**< the worker's index: seed + index */
	int socket_id;
	struct rte_mempool *pool;   /**< for copies (TX corruption, dups) */
	struct dpt_stats *stats;
	dpt_tx_send_t send;         /**< the real TX sink behind it */
	void *send_arg;
};

/**
 * Create one worker's impairment.
 *
 * @return
 *   It, or NULL with rte_errno ENOMEM.
 */
struct dpt_impair *dpt_impair_create(const struct dpt_impair_params *p);

/** Free it, with the frames it holds. NULL is a no-op. */
void dpt_impair_free(struct dpt_impair *im);

/**
 * Impair a received burst: @p pkts holds @p n frames and has room for
 * @p cap; on return it holds what the stack gets now (duplicates, and
 * held frames now due, included).
 *
 * @return
 *   The number of frames in @p pkts.
 */
uint16_t dpt_impair_rx(struct dpt_impair *im, struct rte_mbuf **pkts,
		       uint16_t n, uint16_t cap, uint64_t now);

/** TX sink (a dpt_tx_send_t, argument the impairment): takes every frame,
 * impairs, passes on to the real sink now or when due. */
uint16_t dpt_impair_tx(void *im, struct rte_mbuf **pkts, uint16_t n);

/** Send held TX frames that are due. Call once per loop iteration. */
void dpt_impair_poll(struct dpt_impair *im, uint64_t now);

#endif /* DPT_IMPAIR_H */
