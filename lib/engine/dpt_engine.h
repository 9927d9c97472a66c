/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_engine.h: the port, its worker lcores, and their loops.
 *
 * Owns what a program built on dptcp runs: the port, one struct dpt_worker
 * per worker lcore (dpt_worker.h) built and freed here, the pools they
 * share, the loop each worker runs, and the sums over workers (counters,
 * memory) that the programs and the telemetry commands read.
 */
#ifndef DPT_ENGINE_H
#define DPT_ENGINE_H

#include <signal.h>
#include <stdint.h>

#include <rte_lcore.h>

#include "dpt_conf.h"
#include "dpt_life.h"
#include "dpt_port.h"
#include "dpt_stats.h"
#include "dpt_svc.h"
#include "dpt_worker.h"

struct dpt_engine {
	struct dpt_port port;
	struct rte_mempool *hdr_pool;  /**< TCP headers and clones */
	unsigned int n_workers;
	struct dpt_worker *workers[RTE_MAX_LCORE];
	struct dpt_embed *embed;       /**< clients' server, or NULL */
	char embed_path[DPT_EMBED_PATH_LEN + 64]; /**< its socket */
};

/** What dpt_engine_create() failed on, for the caller's message. */
enum dpt_engine_fault {
	DPT_FAULT_NONE,
	DPT_FAULT_DEVICE,  /**< [port0] device */
	DPT_FAULT_PORT,    /**< [port0] settings the PMD refused */
	DPT_FAULT_MEMORY,  /**< pools and tables: EAL memory */
	DPT_FAULT_EMBED,   /**< [embed]: the clients' socket */
	DPT_FAULT_CKSUM,   /**< [port0] checksum = none on a driver that
			     *  can reach a wire */
};

/** Parameters of dpt_engine_create(). */
struct dpt_engine_params {
	const struct dpt_conf *conf;
	const unsigned int *lcores;        /**< worker lcore ids */
	unsigned int n_lcores;
	const volatile sig_atomic_t *quit; /**< shared stop flag */
	unsigned int n_svcs;
	const struct dpt_svc_conf *svcs;   /**< services on every worker */
	const struct dpt_life *life;       /**< shutdown and reload, or NULL */
	dpt_engine_app_t app;              /**< per-iteration hook, or NULL */
	dpt_engine_app_t app_late;         /**< hook after the flush, or NULL */
	void **app_args;                   /**< one per worker, or NULL */
	int embed;                         /**< serve embedding clients if
					     *  [embed] enabled (dptcpd) */
};

/**
 * Open the port and build every worker's state.
 *
 * @param fault
 *   On failure, which part of the configuration is to blame.
 * @return
 *   The engine, or NULL with @p err set.
 */
struct dpt_engine *dpt_engine_create(const struct dpt_engine_params *p,
				     enum dpt_engine_fault *fault, char *err,
				     size_t err_len);

/** Close the port and free everything. NULL is a no-op. */
void dpt_engine_free(struct dpt_engine *e);

/**
 * A worker's run-to-completion loop (an lcore_function_t): receive,
 * demultiplex, timers, transmit, until *quit.
 *
 * @param arg
 *   The struct dpt_worker.
 */
int dpt_worker_loop(void *arg);

/**
 * The signals a port's PMD may send for "a frame came": SIGIO and the
 * real-time ones above SIGRTMIN (DPDK's tap takes the first free one of
 * those for its Rx trigger, one signal per frame). Worker loops take
 * them; an application blocks them in its other threads (dpt_app does,
 * before EAL starts its own).
 *
 * @param set
 *   Filled with those signals.
 */
void dpt_rx_signals(sigset_t *set);

/** Sum every worker's counters into @p total (zeroed first). */
void dpt_engine_stats(const struct dpt_engine *e, struct dpt_stats *total);

/** Memory in use: mbufs of each pool and control blocks, summed. */
struct dpt_engine_mem {
	uint32_t pkt_mbufs_used, pkt_mbufs;   /**< the port's packet pool */
	uint32_t hdr_mbufs_used, hdr_mbufs;   /**< the header/clone pool */
	uint32_t tcbs_used, tcbs;             /**< TCP control blocks */
};

void dpt_engine_mem(const struct dpt_engine *e, struct dpt_engine_mem *m);

/**
 * The reply to /dptcp/stats[,LCORE] for @p e (dpt_telemetry.c): every
 * counter summed over the workers, or one worker lcore's.
 *
 * @param params
 *   NULL or "" for the sums, else a worker's lcore id in decimal.
 * @return
 *   0, or -EINVAL when @p params names no worker lcore.
 */
int dpt_telemetry_stats(const struct dpt_engine *e, const char *params,
			struct rte_tel_data *d);

/** Register the /dptcp/ telemetry commands for @p e (one engine per
 * process; dpt_telemetry.c). */
int dpt_engine_telemetry(struct dpt_engine *e);

#endif /* DPT_ENGINE_H */
