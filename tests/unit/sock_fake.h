/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock_fake.h: a fake dptcpd for the client library's unit tests. It
 * builds what dptcpd would (the pool and channel memfds, the rings per
 * lib/embed/dpt_embed_proto.h, hand-made struct rte_mbuf chains in the
 * pool at a "dptcpd address" that is not where this process maps it),
 * hands them over a socketpair, and plays the workers: a thread logs
 * every command and answers the ones that need an answer (but a CLOSE
 * with linger: the test posts its EVT_CLOSED). UDP_BIND of port 0 binds
 * 40001; worker 1 owns every UDP 4-tuple; INFO is answered with the
 * values in info. The welcome's cc is cubic.
 */
#ifndef SOCK_FAKE_H
#define SOCK_FAKE_H

#include <pthread.h>
#include <stdint.h>

#include "dpt_embed_proto.h"
#include "dpt_spsc.h"

#define FK_WORKERS 2u
#define FK_SLOTS 64u
#define FK_TXBUFS 8u
#define FK_TXSIZE 2048u
#define FK_SNDBUF 4096u
#define FK_RCVBUF 65536u
#define FK_POOL_SIZE (1u << 20)
#define FK_POOL_BASE 0x200000000000ull /* dptcpd's address of the pool */
#define FK_LOG 4096

struct fake {
	int sv[2];                 /**< [0] the client's end, [1] ours */
	uint8_t *pool, *chan;      /**< our mappings */
	struct dpt_embed_welcome wel;
	struct dpt_embed_chan_hdr *hdr;
	struct dpt_spsc cmd[FK_WORKERS], evt[FK_WORKERS];
	int efd;                   /**< the client's eventfd */
	uint64_t group;            /**< the hello's group */
	pthread_t thr;
	int running;
	volatile int stop;
	volatile int paused;       /**< the workers take no command */
	pthread_mutex_t mu;
	struct dpt_embed_cmd log[FK_LOG];
	uint32_t log_w[FK_LOG];    /**< the worker each command came to */
	int nlog;
	/* answers the worker thread gives */
	int listen_err;            /**< EVT_LISTEN err */
	int connect_err;           /**< 0: EVT_CONNECTED, else EVT_RESET */
	int udp_bind_err[FK_WORKERS]; /**< EVT_UDP err of each UDP_BIND */
	struct dpt_embed_evt_info info; /**< EVT_INFO's values (sock,
					  *  handle, seq: the command's) */
	int info_err;              /**< 0: EVT_INFO, else EVT_RESET */
	int wakes;                 /**< eventfd writes */
	uint32_t next_handle;
	uint32_t pool_next;        /**< next free 4 KiB slot of the pool */
};

/** Build the memory and send the welcome (optionally changed by @p edit
 *  first); does not attach. @return 0 or -1. */
int fake_init(struct fake *f, void (*edit)(struct dpt_embed_welcome *));

/** fake_init, attach the client (dpt_attach_fd), read its hello and
 *  start the worker thread. @return 0 or -1. */
int fake_start(struct fake *f);

/** Stop the worker thread and unmap. */
void fake_stop(struct fake *f);

/** Post an event as worker @p w (writes the eventfd when the client
 *  sleeps). */
void fake_post(struct fake *f, uint32_t w, const struct dpt_embed_evt *ev);

/** The index of the first logged command of @p op at or after @p from,
 *  waiting up to @p ms; -1 if none. */
int fake_find(struct fake *f, uint8_t op, int from, int ms);

/** A copy of logged command @p i. */
struct dpt_embed_cmd fake_cmd(struct fake *f, int i, uint32_t *w);

/** Build a chain holding @p data split into @p nseg segments; @return
 *  its dptcpd address. */
uint64_t fake_chain(struct fake *f, const char *data, uint32_t len,
		    uint32_t nseg);

#endif /* SOCK_FAKE_H */
