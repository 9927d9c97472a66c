/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_engine.h: the port, its worker lcores, and their loops.
 *
 * Owns what a program built on dptcp runs: the port, one struct dpt_worker
 * per worker lcore (its queue, counters, TX burst, interface, neighbour
 * cache, TCP and services, all written only by that lcore), the pools they
 * share, the clock the loops pass down as `now`, and the telemetry
 * commands that read the counters.
 */
#ifndef DPT_ENGINE_H
#define DPT_ENGINE_H

#include <signal.h>
#include <stdint.h>

#include <rte_lcore.h>

#include "dpt_conf.h"
#include "dpt_impair.h"
#include "dpt_life.h"
#include "dpt_neigh.h"
#include "dpt_netif.h"
#include "dpt_port.h"
#include "dpt_stats.h"
#include "dpt_svc.h"
#include "dpt_tcp.h"
#include "dpt_tx.h"

#define DPT_RX_BURST 32
#define DPT_ENGINE_MAX_SVCS DPT_LIFE_MAX_SVCS

/** TSC to microseconds by one 128-bit multiply: cheap enough per loop. */
struct dpt_clock {
	uint64_t mult; /**< 2^32 * 1e6 / TSC Hz */
};

void dpt_clock_init(struct dpt_clock *c);

static inline uint64_t
dpt_clock_us(const struct dpt_clock *c)
{
	return (uint64_t)(((unsigned __int128)rte_rdtsc() * c->mult) >> 32);
}

struct dpt_worker;
struct rte_tel_data;

/** Called by every worker loop once per iteration, after TCP input and
 * before TCP's poll: where a program built on the engine (the load
 * generator) opens connections and sends. */
typedef void (*dpt_engine_app_t)(struct dpt_worker *w, uint64_t now,
				 void *arg);

/** A copy of a worker's connections for /dptcp/conns: the telemetry
 * thread writes req, the worker the rest (dpt_conns.c). */
struct dpt_worker_snap {
	uint32_t req;                      /**< asked for (telemetry thread) */
	uint32_t done;                     /**< answered (worker) */
	uint32_t n, cap;                   /**< entries copied, room */
	struct dpt_tcp_conn_info *conns;   /**< room for every control block */
};

/** One worker lcore's state. Only that lcore writes it. */
struct dpt_worker {
	struct dpt_stats stats;        /**< this lcore's counters */
	struct dpt_tx tx;              /**< frames to flush this iteration */
	struct dpt_netif nif;          /**< the interface as this lcore sees it */
	struct dpt_neigh *neigh;       /**< this lcore's ARP cache */
	struct dpt_tcp *tcp;           /**< this lcore's TCP */
	struct dpt_impair *impair;     /**< [impair] between port and stack */
	unsigned int n_svcs;
	struct dpt_svc *svcs[DPT_ENGINE_MAX_SVCS]; /**< its services */
	struct dpt_port_txq txq;       /**< port and queue this lcore owns */
	int has_queue;                 /**< it owns queue pair txq.queue_id;
					 *  else it receives only from its
					 *  inbox and sends through worker
					 *  0's outbox */
	struct rte_ring *inbox;        /**< frames other workers pass it */
	struct rte_ring *txbox;        /**< worker 0: frames to send for
					 *  workers without a queue pair */
	const struct dpt_steer *steer; /**< which worker owns a flow */
	struct dpt_worker *const *peers; /**< every worker, by index */
	struct dpt_clock clock;
	unsigned int lcore_id;
	unsigned int index;            /**< 0 .. n_workers - 1 */
	const volatile sig_atomic_t *quit; /**< loop ends when non-zero */
	dpt_engine_app_t app;          /**< per-iteration hook, or NULL */
	void *app_arg;                 /**< its argument (per worker) */
	const struct dpt_life *ctl;    /**< shutdown, reload: the main
					 *  lcore's word, or NULL */
	struct dpt_life_worker life;   /**< this worker's side of it */
	struct dpt_worker_snap snap;   /**< its connections, on request */
	size_t mem_all;                /**< EAL memory it took at start-up */
	size_t mem_tcp;                /**< of which TCP: control blocks,
					 *  tables, services */
} __rte_cache_aligned;

struct dpt_engine {
	struct dpt_port port;
	struct rte_mempool *hdr_pool;  /**< TCP headers and clones */
	unsigned int n_workers;
	struct dpt_worker *workers[RTE_MAX_LCORE];
};

/** What dpt_engine_create() failed on, for the caller's message. */
enum dpt_engine_fault {
	DPT_FAULT_NONE,
	DPT_FAULT_DEVICE,  /**< [port0] device */
	DPT_FAULT_PORT,    /**< [port0] settings the PMD refused */
	DPT_FAULT_MEMORY,  /**< pools and tables: EAL memory */
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
	void **app_args;                   /**< one per worker, or NULL */
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

/*
 * The software dispatcher (dpt_dispatch.c): frames a worker received for
 * a flow another worker owns go to that worker's inbox.
 */

/** Set up @p w's inbox (with more than one worker) and steering. */
int dpt_dispatch_init(struct dpt_worker *w, struct dpt_engine *e);

/** Free @p w's inbox and the frames left in it. */
void dpt_dispatch_free(struct dpt_worker *w);

/** Mbufs inboxes may hold per worker, for sizing the pool. */
uint32_t dpt_dispatch_mbufs(unsigned int n_workers);

/** Pass the frames of @p pkts other workers own to them (ARP: a copy to
 * each); @return how many stay, compacted at the front of @p pkts. */
uint16_t dpt_dispatch_rx(struct dpt_worker *w, struct rte_mbuf **pkts,
			 uint16_t n);

/** Process a burst from @p w's inbox. */
void dpt_dispatch_inbox(struct dpt_worker *w, uint64_t now);

/** TX sink (struct dpt_tx) of a worker @p arg without a queue pair: worker
 * 0's outbox. */
uint16_t dpt_dispatch_tx_send(void *arg, struct rte_mbuf **pkts, uint16_t n);

/** Worker 0: move a burst from the outbox into its own TX burst. */
void dpt_dispatch_txbox(struct dpt_worker *w);

/** struct dpt_tcp_params port_ok: the reply comes to worker @p arg. */
int dpt_dispatch_port_ok(void *arg, uint32_t raddr, uint16_t rport,
			 uint32_t laddr, uint16_t lport);

/*
 * The connection view (dpt_conns.c).
 */

/** Room for a copy of @p w's connections. @return 0 or -ENOMEM. */
int dpt_conns_init(struct dpt_worker *w, uint32_t max_conns, int socket_id);

/** Free it. */
void dpt_conns_free(struct dpt_worker *w);

/** On @p w's lcore: copy its connections when asked. */
void dpt_conns_answer(struct dpt_worker *w);

/** Telemetry /dptcp/conns[,STATE][,OFFSET] (see dpt_conns.c). */
int dpt_conns_telemetry(struct dpt_engine *e, const char *params,
			struct rte_tel_data *d);

/** Sum every worker's counters into @p total (zeroed first). */
void dpt_engine_stats(const struct dpt_engine *e, struct dpt_stats *total);

/** Memory in use: mbufs of each pool and control blocks, summed. */
struct dpt_engine_mem {
	uint32_t pkt_mbufs_used, pkt_mbufs;   /**< the port's packet pool */
	uint32_t hdr_mbufs_used, hdr_mbufs;   /**< the header/clone pool */
	uint32_t tcbs_used, tcbs;             /**< TCP control blocks */
};

void dpt_engine_mem(const struct dpt_engine *e, struct dpt_engine_mem *m);

/** Register the /dptcp/ telemetry commands for @p e (one engine per
 * process). */
int dpt_engine_telemetry(struct dpt_engine *e);

#endif /* DPT_ENGINE_H */
