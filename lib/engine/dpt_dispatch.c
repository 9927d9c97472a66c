/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_dispatch.c: frames between workers.
 *
 * Owns each worker's inbox (an rte_ring: many producers, the owner alone
 * consumes) and the software dispatcher in front of the stack. A worker
 * that receives a TCP segment another worker owns (dpt_steer.h) passes the
 * mbuf itself to that worker's inbox, so connection tables stay single-
 * writer: a single-queue PMD (tap, af_packet, pcap) then still serves
 * several workers, and a PMD whose queue choice differs from ours (tap's
 * kernel side spreads flows by its own hash) is corrected. ARP frames (and
 * IPv6 neighbor solicitations and advertisements) are answered where they
 * arrive and a copy goes to every other worker, whose neighbour cache
 * (and DAD state) learns from it. IPv4 fragments go to the worker their
 * address pair names, which reassembles them and passes the whole
 * datagram to the worker its 4-tuple names (dpt_dispatch_handoff());
 * ICMP errors quoting a TCP segment go to that segment's owner
 * (dpt_steer_rx()). Where the port has fewer queue pairs
 * than workers (a PMD without usable RSS has one), the first worker also
 * transmits for the others, taking their frames from its outbox. Costs:
 * one Toeplitz hash per received frame when the PMD gives no usable RSS
 * hash, one ring enqueue per burst and destination.
 */
#include <stdio.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ring.h>

#include "dpt_nd.h"
#include "dpt_worker.h"

#define INBOX_SIZE 4096

int
dpt_dispatch_init(struct dpt_worker *w, const struct dpt_port *port,
		  struct dpt_worker *const *workers)
{
	char name[RTE_RING_NAMESIZE];

	w->steer = &port->steer;
	w->peers = workers;
	w->has_queue = w->index < port->nb_queues;
	if (port->n_workers < 2)
		return 0;
	snprintf(name, sizeof(name), "dpt_inbox_%u", w->lcore_id);
	w->inbox = rte_ring_create(name, INBOX_SIZE, port->socket_id,
				   RING_F_SC_DEQ);
	if (w->inbox == NULL)
		return -rte_errno;
	if (w->index != 0 || port->nb_queues == port->n_workers)
		return 0;
	snprintf(name, sizeof(name), "dpt_txbox_%u", w->lcore_id);
	w->txbox = rte_ring_create(name, INBOX_SIZE, port->socket_id,
				   RING_F_SC_DEQ);
	return w->txbox == NULL ? -rte_errno : 0;
}

static void
ring_free(struct rte_ring *r)
{
	struct rte_mbuf *m;

	if (r == NULL)
		return;
	while (rte_ring_sc_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void
dpt_dispatch_free(struct dpt_worker *w)
{
	ring_free(w->inbox);
	ring_free(w->txbox);
	w->inbox = w->txbox = NULL;
}

uint32_t
dpt_dispatch_mbufs(unsigned int n_workers)
{
	/* an inbox each, and the first worker's outbox */
	return n_workers > 1 ? 2 * INBOX_SIZE : 0;
}

uint16_t
dpt_dispatch_tx_send(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dpt_worker *w = arg;

	/* what a full outbox refuses waits in the sender's struct dpt_tx */
	return (uint16_t)rte_ring_mp_enqueue_burst(w->peers[0]->txbox,
						   (void **)pkts, n, NULL);
}

void
dpt_dispatch_txbox(struct dpt_worker *w)
{
	struct rte_mbuf *pkts[DPT_TX_BURST];
	unsigned int n;

	n = rte_ring_sc_dequeue_burst(w->txbox, (void **)pkts, DPT_TX_BURST,
				      NULL);
	for (unsigned int i = 0; i < n; i++)
		dpt_tx_push(&w->tx, pkts[i]);
}

/* Hand @n frames to worker @to; what its full inbox refuses is dropped. */
static void
send_to(struct dpt_worker *w, uint16_t to, struct rte_mbuf **m, unsigned int n)
{
	unsigned int sent = rte_ring_mp_enqueue_burst(w->peers[to]->inbox,
						      (void **)m, n, NULL);

	w->stats.c[DPT_STAT_rx_steer_out] += sent;
	if (sent < n) {
		w->stats.c[DPT_STAT_rx_steer_drop_full] += n - sent;
		rte_pktmbuf_free_bulk(m + sent, n - sent);
	}
}

/* A copy of an ARP (or IPv6 ND) frame for every other worker's cache. */
static void
share_arp(struct dpt_worker *w, const struct rte_mbuf *m, uint16_t n_workers)
{
	for (uint16_t i = 0; i < n_workers; i++) {
		struct rte_mbuf *c;

		if (i == w->index)
			continue;
		c = rte_pktmbuf_copy(m, w->nif.pool, 0, UINT32_MAX);
		if (c == NULL) {
			w->stats.c[DPT_STAT_mbuf_alloc_fail]++;
			continue;
		}
		send_to(w, i, &c, 1);
	}
}

uint16_t
dpt_dispatch_rx(struct dpt_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	/* An empty burst (most loop iterations when idle) leaves before the
	 * arrays: one of length 0 is undefined (C11 6.7.6.2), as UBSan says
	 * in the sanitizer build's t_multicore. */
	if (n == 0)
		return 0;

	const uint16_t n_workers = w->steer->n_workers;
	struct rte_mbuf *fwd[n], *batch[n];
	uint16_t owner[n], keep = 0, n_fwd = 0;
	uint64_t dests = 0;

	for (uint16_t i = 0; i < n; i++) {
		int o = dpt_steer_rx(w->steer, pkts[i]);

		if (o == DPT_STEER_ALL ||
		    (o == DPT_STEER_HERE && dpt_nd_frame_is_nd(pkts[i])))
			share_arp(w, pkts[i], n_workers);
		if (o < 0 || o == (int)w->index) {
			pkts[keep++] = pkts[i];
			continue;
		}
		owner[n_fwd] = (uint16_t)o;
		fwd[n_fwd++] = pkts[i];
		dests |= 1ULL << o;
	}
	/* one enqueue per destination: workers are at most 64 */
	while (dests != 0) {
		uint16_t to = (uint16_t)__builtin_ctzll(dests);
		unsigned int nb = 0;

		dests &= dests - 1;
		for (uint16_t i = 0; i < n_fwd; i++)
			if (owner[i] == to)
				batch[nb++] = fwd[i];
		send_to(w, to, batch, nb);
	}
	return keep;
}

void
dpt_dispatch_inbox(struct dpt_worker *w, uint64_t now)
{
	struct rte_mbuf *pkts[DPT_RX_BURST];
	unsigned int n;

	n = rte_ring_sc_dequeue_burst(w->inbox, (void **)pkts, DPT_RX_BURST,
				      NULL);
	w->stats.c[DPT_STAT_rx_steer_in] += n;
	if (n == 0)
		return;
	dpt_tcp_rx_begin(w->tcp); /* a burst, as the loop's (dpt_tcp.h) */
	for (unsigned int i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);

		/* only copies of ARP frames come this way: the worker that
		 * received the original answered it */
		if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
			dpt_arp_learn(&w->nif, pkts[i], now);
		else if (dpt_nd_frame_is_nd(pkts[i]))
			dpt_nd_learn(&w->nif, pkts[i], now);
		else
			dpt_eth_input(&w->nif, pkts[i], now);
	}
	dpt_tcp_rx_end(w->tcp, now);
}

int
dpt_dispatch_handoff(void *arg, struct rte_mbuf *m)
{
	struct dpt_worker *w = arg;
	int o = dpt_steer_rx(w->steer, m);
	unsigned int sent;

	if (o < 0 || o == (int)w->index)
		return 0;
	sent = rte_ring_mp_enqueue_burst(w->peers[o]->inbox, (void **)&m, 1,
					 NULL);
	w->stats.c[DPT_STAT_rx_steer_out] += sent;
	if (sent == 0) {
		w->stats.c[DPT_STAT_ip_frag_drop_steer]++;
		rte_pktmbuf_free(m);
	}
	return 1;
}

int
dpt_dispatch_port_ok(void *arg, uint32_t raddr, uint16_t rport,
		     uint32_t laddr, uint16_t lport)
{
	const struct dpt_worker *w = arg;

	return dpt_steer_tuple(w->steer, raddr, laddr, rport, lport) ==
	       w->index;
}
