/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_embed.h: dptcpd's side of embedding (the protocol is
 * dpt_embed_proto.h).
 *
 * Owns the clients: the Unix socket they attach on and the control thread
 * that serves it (handshake, liveness, retirement), each client's channel
 * (its rings and transmit buffers, in a memfd only it and dptcpd map),
 * what each worker does for each client in its loop (commands read and
 * executed with lib/tcp's API, events posted, wake-ups), the record of
 * which client holds which mbuf of the shared pool, and /dptcp/clients.
 *
 * Threads: the control thread writes a client slot while it is FREE and
 * publishes it (LIVE, release); each worker then owns its part of it (its
 * ring pair, handle table, listeners) and nothing else. A client that
 * goes (EOF on its socket, or a broken ring) becomes DYING: each worker
 * resets its connections, closes its listeners, frees what it held and
 * acknowledges; the last to acknowledge takes back every mbuf the client
 * held. The control thread frees the channel once every transmit buffer
 * came back from TCP, then the slot is FREE again. No worker waits on
 * anything and takes no lock (only /dptcp/clients and the freeing of a
 * slot share one, off the workers).
 */
#ifndef DPT_EMBED_H
#define DPT_EMBED_H

#include <stdint.h>

#include <rte_mempool.h>

#include "dpt_embed_proto.h"
#include "dpt_shm_pool.h"
#include "dpt_stats.h"
#include "dpt_tcp.h"
#include "dpt_udp.h"

#define DPT_EMBED_PATH_LEN 256 /**< as the configuration's values */

/** [embed] (lib/cfg fills it). */
struct dpt_embed_conf {
	uint32_t enabled;               /**< serve clients (dptcpd) */
	char path[DPT_EMBED_PATH_LEN];  /**< socket; "" = the EAL runtime
					  *  directory's dptcp.sock */
	uint32_t mode;                  /**< the socket's permissions */
	char owner[DPT_EMBED_PATH_LEN]; /**< user[:group] of the socket, "" =
					  *  as created */
	uint32_t max_clients;           /**< clients at once */
	uint32_t ring_slots;            /**< slots per ring, a power of 2 */
	uint32_t tx_bufs;               /**< transmit buffers per client */
	uint32_t tx_buf_size;           /**< bytes each */
};

struct dpt_embed;
struct dpt_embed_worker;

/** Parameters of dpt_embed_create(). */
struct dpt_embed_params {
	const struct dpt_embed_conf *conf;
	const char *path;               /**< the socket, NULL = none (tests
					  *  attach clients with
					  *  dpt_embed_client_add()) */
	unsigned int n_workers;         /**< ring pairs per client */
	const struct dpt_shm_pool *pool; /**< the packet pool clients map */
	uint32_t rcvbuf, sndbuf;        /**< [tcp] defaults, for the welcome */
	uint32_t cc;                    /**< [tcp] cc, for the welcome */
	uint32_t max_handles;           /**< connections per client and
					  *  worker ([tcp] max_conns) */
};

/**
 * Create the server: the client slots, the owner record of the pool and,
 * with a path, the listening socket (mode and owner applied). Control
 * path.
 *
 * @return
 *   The server, or NULL with rte_errno set (ENOMEM, EINVAL, EADDRINUSE,
 *   or the errno of socket, bind or chown).
 */
struct dpt_embed *dpt_embed_create(const struct dpt_embed_params *p);

/**
 * Worker @p index's side (one per worker, before its loop starts): it
 * executes commands on @p tcp, counts in @p stats, and wraps transmit
 * buffers in mbufs of @p hdr_pool.
 *
 * @return
 *   The worker state (freed with the server), or NULL (ENOMEM).
 */
struct dpt_embed_worker *dpt_embed_worker_create(struct dpt_embed *e,
						 unsigned int index,
						 struct dpt_tcp *tcp,
						 struct dpt_stats *stats,
						 struct rte_mempool *hdr_pool);

/**
 * Give worker @p w this lcore's UDP (its loop calls dpt_udp_poll()):
 * clients' SOCK_DGRAM sockets are bound there. Without it they are
 * refused (EPROTONOSUPPORT).
 */
void dpt_embed_worker_set_udp(struct dpt_embed_worker *w, struct dpt_udp *udp);

/** Start the control thread (when there is a socket). @return 0 or a
 * negative errno. */
int dpt_embed_start(struct dpt_embed *e);

/**
 * dptcpd is stopping: every channel says DPT_EMBED_ST_GONE, every client
 * socket and the listening one are closed (clients fail at once) and the
 * control thread ends. Call after the workers stopped, before
 * dpt_embed_free(). NULL is a no-op.
 */
void dpt_embed_stop(struct dpt_embed *e);

/** Free everything, after the workers' TCP was freed (its last transmit
 * buffers come back then). NULL is a no-op. */
void dpt_embed_free(struct dpt_embed *e);

/**
 * In worker loop, before TCP's poll: for every live client, read up to a
 * budget of commands from this worker's ring and execute them; accept
 * what listeners completed; serve dying clients' retirement. O(clients +
 * commands).
 */
void dpt_embed_worker_poll(struct dpt_embed_worker *w, uint64_t now);

/**
 * In the worker loop, after TCP's poll: post the events TCP's handlers
 * left (data, writable, closes), the transmit buffers that came back, and
 * wake the clients that sleep. O(clients + events).
 */
void dpt_embed_worker_flush(struct dpt_embed_worker *w, uint64_t now);

/**
 * dptcpd is draining (SIGTERM): close this worker's copies of every
 * client's listeners (EVT_CLOSED where the ring has room) and refuse new
 * ones (ESHUTDOWN); connections go on until the drain ends.
 */
void dpt_embed_worker_drain(struct dpt_embed_worker *w, uint64_t now);

/**
 * Attach a client (what the handshake does after reading the hello):
 * the control path, also for tests.
 *
 * @param evfd
 *   The client's wake eventfd (taken: closed with the client), or -1.
 * @param welcome
 *   Filled for the client.
 * @param chan_fd
 *   Set to the channel memfd (dptcpd keeps its own descriptor).
 * @return
 *   The client slot (>= 0), or a negative errno: -EBUSY (max_clients),
 *   -ENOMEM.
 */
int dpt_embed_client_add(struct dpt_embed *e, const struct dpt_embed_hello *h,
			 int evfd, struct dpt_embed_welcome *welcome,
			 int *chan_fd);

/** The client in @p slot is gone (its socket's EOF): its retirement
 * begins. Control path. */
void dpt_embed_client_kill(struct dpt_embed *e, int slot);

/**
 * The control thread's periodic step (also for tests): clients whose
 * rings broke are killed, retired clients whose transmit buffers all came
 * back are freed.
 *
 * @return
 *   Clients still in retirement.
 */
unsigned int dpt_embed_reap(struct dpt_embed *e);

/** Clients attached (live). */
unsigned int dpt_embed_clients(const struct dpt_embed *e);

/** Register /dptcp/clients for @p e (one server per process). */
int dpt_embed_telemetry(struct dpt_embed *e);

#endif /* DPT_EMBED_H */
