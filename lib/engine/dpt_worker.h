/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_worker.h: one worker lcore's state.
 *
 * Owns struct dpt_worker (its queue, counters, TX burst, interface,
 * neighbour cache, reassembly table, path MTU cache, TCP and services,
 * all written only by that lcore), the
 * clock its loop passes down as `now`, the per-iteration hook a program
 * runs there, and what works on one worker beside its loop: the software
 * dispatcher (dpt_dispatch.c) and the connection view (dpt_conns.c); the
 * lifecycle (dpt_life.h) too. Those include this header, not the engine's
 * (dpt_engine.h), which creates the workers and runs their loops.
 */
#ifndef DPT_WORKER_H
#define DPT_WORKER_H

#include <signal.h>
#include <stdint.h>

#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>

#include "dpt_embed.h"
#include "dpt_impair.h"
#include "dpt_life.h"
#include "dpt_neigh.h"
#include "dpt_netif.h"
#include "dpt_port.h"
#include "dpt_stats.h"
#include "dpt_svc.h"
#include "dpt_tcp.h"
#include "dpt_tx.h"
#include "dpt_udp.h"

#define DPT_RX_BURST 32
#define DPT_LATEQ_SIZE 1024 /* late frames waiting for their turn: a
			     * burst the loop met after being
			     * descheduled, 32 RX bursts, 20 ms at
			     * 50,000/s */
#define DPT_LATEQ_KNOWN 64  /* ... from peers with a handshake lately */

/** A FIFO of late frames (opening SYNs, TCP segments for no connection)
 * waiting for the end of a loop iteration (dpt_engine.c). */
struct dpt_lateq {
	uint32_t head;             /**< index of the oldest */
	uint32_t n;                /**< how many wait */
	uint32_t cap;              /**< room, a power of two */
	struct rte_mbuf **m;       /**< cap slots */
};
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
 * generator) opens connections and sends. The late hook (app_late) is
 * called after the iteration's transmit flush, for output that must wait
 * behind everything the stack sent (the generator's flood). */
typedef void (*dpt_engine_app_t)(struct dpt_worker *w, uint64_t now,
				 void *arg);

/** A copy of a worker's connections for /dptcp/conns: the telemetry
 * thread writes req, the worker the rest (dpt_conns.c). */
struct dpt_worker_snap {
	uint32_t req;                      /**< asked for (telemetry thread) */
	uint32_t done;                     /**< answered (worker) */
	uint32_t n, cap;                   /**< entries copied, room */
	struct dpt_tcp_conn_info *conns;   /**< room for every control block
					    *   (C heap, from the first
					    *   request; NULL before) */
};

/** One worker lcore's state. Only that lcore writes it. */
struct dpt_worker {
	struct dpt_stats stats;        /**< this lcore's counters */
	struct dpt_tx tx;              /**< frames to flush this iteration */
	struct dpt_netif nif;          /**< the interface as this lcore sees it */
	struct dpt_neigh *neigh;       /**< this lcore's ARP cache */
	struct dpt_neigh *neigh6;      /**< its ND cache, or NULL: no IPv6 */
	struct dpt_pmtu *pmtu6;        /**< its IPv6 path MTU cache, or NULL */
	struct dpt_frag *frag;         /**< its IPv4 reassembly, or NULL */
	struct dpt_pmtu *pmtu;         /**< its path MTU cache */
	struct dpt_tcp *tcp;           /**< this lcore's TCP */
	struct dpt_udp *udp;           /**< this lcore's UDP */
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
	struct rte_rcu_qsbr *qsbr;     /**< where its loop reports quiescent
					 *  states, as reader index
					 *  (dpt_quiesce.h) */
	const volatile sig_atomic_t *quit; /**< loop ends when non-zero */
	uint32_t idle;                 /**< [lcores] idle (dpt_conf_idle) */
	uint32_t idle_spins;           /**< ... idle_spins */
	uint32_t idle_run;             /**< empty iterations in a row */
	uint64_t idle_sleep_ns;        /**< ... idle_sleep */
	uint64_t work_mark;            /**< frames out + client commands at
					 *  the last iteration's end */
	uint32_t syn_budget;           /**< [tcp] syn_budget: late frames
					 *  handled per loop iteration */
	struct dpt_lateq lateq;        /**< late frames (SYNs, segments for
					 *  no connection) waiting their turn
					 *  at the end of an iteration ... */
	struct dpt_lateq lateq_known;  /**< ... those of known peers first */
	struct rte_mbuf *lateq_m[DPT_LATEQ_SIZE];     /**< their slots */
	struct rte_mbuf *lateq_known_m[DPT_LATEQ_KNOWN];
	dpt_engine_app_t app;          /**< per-iteration hook, or NULL */
	dpt_engine_app_t app_late;     /**< after the flush, or NULL */
	void *app_arg;                 /**< its argument (per worker) */
	const struct dpt_life *ctl;    /**< shutdown, reload: the main
					 *  lcore's word, or NULL */
	struct dpt_life_worker life;   /**< this worker's side of it */
	struct dpt_worker_snap snap;   /**< its connections, on request */
	struct dpt_embed_worker *embed; /**< its side of embedding, or NULL */
	size_t mem_all;                /**< EAL memory it took at start-up */
	size_t mem_tcp;                /**< of which TCP: control blocks,
					 *  tables, services */
	size_t mem_ctx;                /**< of which the TCP context
					 *  (dpt_tcp_mem() has its parts);
					 *  the rest is the services' */
} __rte_cache_aligned;

/*
 * The software dispatcher (dpt_dispatch.c): frames a worker received for
 * a flow another worker owns go to that worker's inbox.
 */

/** Set up @p w's inbox (with more than one worker) and steering, on
 * @p port shared with @p workers (every worker, by index). */
int dpt_dispatch_init(struct dpt_worker *w, const struct dpt_port *port,
		      struct dpt_worker *const *workers);

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

/** struct dpt_netif handoff: a datagram worker @p arg reassembled (data
 * at its Ethernet header) goes to the worker owning it; @return 1 if it
 * did (or was dropped, counted, when that worker's inbox was full). */
int dpt_dispatch_handoff(void *arg, struct rte_mbuf *m);

/** struct dpt_tcp_params port_ok: the reply comes to worker @p arg. */
int dpt_dispatch_port_ok(void *arg, uint32_t raddr, uint16_t rport,
			 uint32_t laddr, uint16_t lport);

/** struct dpt_tcp_params port_ok6: the same for an IPv6 4-tuple. */
int dpt_dispatch_port_ok6(void *arg, const struct dpt_in6 *raddr,
			  uint16_t rport, const struct dpt_in6 *laddr,
			  uint16_t lport);

/*
 * The connection view (dpt_conns.c).
 */

/** Size the copy of @p w's connections (taken at the first request).
 * @return 0. */
int dpt_conns_init(struct dpt_worker *w, uint32_t max_conns, int socket_id);

/** Free it. */
void dpt_conns_free(struct dpt_worker *w);

/** On @p w's lcore: copy its connections when asked. */
void dpt_conns_answer(struct dpt_worker *w);

/**
 * The parameters of /dptcp/conns: a state name (ESTABLISHED, TIME-WAIT,
 * any case) and an offset, comma-separated, in either order, each
 * optional.
 *
 * @param params
 *   The text after the command's comma, or NULL.
 * @param state
 *   Set to the enum dpt_tcp_state asked for, -1 for all.
 * @param offset
 *   Set to the offset asked for, 0 if none.
 * @return
 *   0, or -1 for a parameter that is neither.
 */
int dpt_conns_parse_params(const char *params, int *state, uint32_t *offset);

/**
 * One page of /dptcp/conns from the workers' last copies: the connections
 * in @p state (-1: all) from @p offset on, at most a page, added to
 * @p arr (an array of strings) as "LCORE LOCAL FOREIGN STATE SENDQ RECVQ
 * RETRANS SRTT_US CWND PID" (PID: the embedding client's, or 0).
 *
 * @param shown
 *   Set to the number added.
 * @return
 *   The number of connections in @p state.
 */
uint32_t dpt_conns_page(struct dpt_worker *const *workers,
			unsigned int n_workers, int state, uint32_t offset,
			struct rte_tel_data *arr, uint32_t *shown);

/** Telemetry /dptcp/conns[,STATE][,OFFSET] over @p n_workers
 * @p workers (see dpt_conns.c): asks each for a copy, then replies. */
int dpt_conns_telemetry(struct dpt_worker *const *workers,
			unsigned int n_workers, const char *params,
			struct rte_tel_data *d);

#endif /* DPT_WORKER_H */
