/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_life.h: a running daemon's lifecycle: graceful shutdown and service
 * reload, told by the main lcore and carried out by each worker on its own
 * lcore.
 *
 * Owns the two sides of that conversation and what each worker does:
 *
 *   - struct dpt_life is written by the main lcore only: the phase (run,
 *     drain, abort) and the service set to apply, with its generation;
 *   - struct dpt_life_worker is written by its worker only: the phase and
 *     generation it has acted on, and how many connections it still has.
 *
 * Single writer on each side, no lock: the main lcore rewrites the posted
 * service set only once every worker has applied the previous one, and
 * publishes it by bumping the generation after a write barrier. A worker
 * reads the phase and generation once per loop iteration (two loads).
 *
 * Drain (SIGTERM/SIGINT): each worker stops listening and ends each
 * connection gracefully (dpt_svc_drain()); its loop goes on until
 * dpt_tcp_unfinished() is 0. Abort (the deadline, or a second signal):
 * each worker resets what is left (dpt_tcp_abort_all()).
 *
 * Reload (SIGHUP): a service whose definition is gone or changed stops
 * listening and is freed once its last connection ends; a new or changed
 * one starts listening. Kept services are not touched.
 */
#ifndef DPT_LIFE_H
#define DPT_LIFE_H

#include <stdint.h>
#include <stdio.h>

#include <rte_mempool.h>

#include "dpt_conf.h"

#define DPT_LIFE_MAX_SVCS 16 /**< services per worker, retiring ones apart */

struct dpt_worker;
struct dpt_svc;

/** What the main lcore asks of the workers. */
enum dpt_life_phase {
	DPT_LIFE_RUN,   /**< serve */
	DPT_LIFE_DRAIN, /**< stop accepting, finish connections */
	DPT_LIFE_ABORT, /**< reset every connection left */
};

/** Written by the main lcore only; read by every worker. */
struct dpt_life {
	volatile uint32_t phase;    /**< enum dpt_life_phase */
	volatile uint32_t svc_gen;  /**< bumped when svcs[] is new */
	uint32_t n_svcs;
	struct dpt_svc_conf svcs[DPT_CONF_MAX_SVCS]; /**< the set to apply */
	/* the main lcore's own bookkeeping */
	uint64_t deadline_us;       /**< end of the drain */
	uint64_t timeout_us;        /**< [lcores] shutdown_timeout */
};

/** Written by its worker only; read by the main lcore. */
struct dpt_life_worker {
	volatile uint32_t phase;      /**< the phase acted on */
	volatile uint32_t svc_gen;    /**< the service set applied */
	volatile uint32_t unfinished; /**< connections left, once draining */
	struct dpt_svc_conf conf[DPT_LIFE_MAX_SVCS]; /**< of w->svcs[i] */
	unsigned int n_retired;
	struct dpt_svc *retired[DPT_LIFE_MAX_SVCS]; /**< serving their last
						      *  connections */
	/* what creating a service takes */
	int socket_id;
	uint32_t svc_states; /**< objects of ctx_pool */
	struct rte_mempool *clone_pool, *data_pool;
	struct rte_mempool *ctx_pool; /**< served connections' state, for
				       *  all services (made with the first) */
};

/**
 * Start one service on a worker, on the worker's lcore or before the
 * workers run.
 *
 * @return
 *   0, or a negative errno (-EADDRINUSE, -ENOMEM).
 */
int dpt_life_svc_start(struct dpt_worker *w, const struct dpt_svc_conf *sc);

/**
 * A worker's part, once per loop iteration (@p now: the loop's time):
 * apply a posted service set, act on a new phase, free retired services
 * with no connection left. O(1) when nothing changed.
 */
void dpt_life_poll(struct dpt_worker *w, uint64_t now);

/** Free a worker's services, retiring ones too (at exit; their
 * connections are reset at @p now). */
void dpt_life_worker_free(struct dpt_worker *w, uint64_t now);

/** Set up the main lcore's side from the configuration: phase RUN, the
 * configured services as generation 0. */
void dpt_life_init(struct dpt_life *l, const struct dpt_conf *conf);

/**
 * Post a new service set to every worker.
 *
 * @param workers
 *   Every worker, @p n_workers of them.
 * @return
 *   0; -EBUSY while a worker has not applied the previous one (try again
 *   later); -ECANCELED once shutting down.
 */
int dpt_life_post_svcs(struct dpt_life *l, struct dpt_worker *const *workers,
		       unsigned int n_workers, const struct dpt_conf *conf);

/**
 * The main lcore's part of a shutdown, called periodically.
 *
 * @param workers
 *   Every worker, @p n_workers of them.
 * @param signals
 *   SIGTERM and SIGINT received so far: 1 starts the drain, 2 aborts.
 * @param now_us
 *   Current time, microseconds.
 * @param name
 *   The program's name, to start the lines printed on @p log.
 * @param log
 *   Where to say what happens (phase changes), or NULL.
 * @return
 *   Non-zero when the workers may stop: every connection finished, or
 *   every worker has reset what was left.
 */
int dpt_life_tick(struct dpt_life *l, struct dpt_worker *const *workers,
		  unsigned int n_workers, unsigned int signals, uint64_t now_us,
		  const char *name, FILE *log);

#endif /* DPT_LIFE_H */
