/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_engine.c: port + workers + their loop; see dpt_engine.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_telemetry.h>

#include "dpt_engine.h"

void
dpt_clock_init(struct dpt_clock *c)
{
	c->mult = (uint64_t)(((unsigned __int128)1000000 << 32) /
			     rte_get_tsc_hz());
}

static struct dpt_worker *
worker_create(struct dpt_engine *e, const struct dpt_engine_params *p,
	      unsigned int idx)
{
	const struct dpt_conf *conf = p->conf;
	char name[64];
	struct dpt_neigh_params np = {
		.name = name,
		.socket_id = e->port.socket_id,
		.conf = &conf->arp,
	};
	struct dpt_worker *w;

	w = rte_zmalloc_socket("dpt_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
			       e->port.socket_id);
	if (w == NULL)
		return NULL;
	snprintf(name, sizeof(name), "dpt_neigh_%u", p->lcores[idx]);
	w->neigh = dpt_neigh_create(&np);
	if (w->neigh == NULL) {
		rte_free(w);
		return NULL;
	}
	w->lcore_id = p->lcores[idx];
	w->quit = p->quit;
	w->txq.port_id = e->port.port_id;
	w->txq.queue_id = (uint16_t)idx;
	w->tx.send = dpt_port_tx_send;
	w->tx.arg = &w->txq;
	w->tx.stats = &w->stats;
	dpt_clock_init(&w->clock);
	dpt_netif_init(&w->nif, &(struct dpt_netif_params){
		.port = &conf->port,
		.ip = &conf->ip,
		.mac = &e->port.mac,
		.tx_ip_cksum = !!(e->port.tx_offloads &
				  RTE_ETH_TX_OFFLOAD_IPV4_CKSUM),
		.pool = e->port.pool,
		.stats = &w->stats,
		.tx = &w->tx,
		.neigh = w->neigh,
	});
	return w;
}

struct dpt_engine *
dpt_engine_create(const struct dpt_engine_params *p,
		  enum dpt_engine_fault *fault, char *err, size_t err_len)
{
	struct dpt_port_params pp = {
		.conf = &p->conf->port,
		.nb_queues = (uint16_t)p->n_lcores,
		.extra_mbufs = p->conf->arp.queue,
	};
	struct dpt_engine *e = calloc(1, sizeof(*e));
	int rc;

	*fault = DPT_FAULT_MEMORY;
	if (e == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	rc = dpt_port_open(&e->port, &pp, err, err_len);
	if (rc != 0) {
		*fault = rc == -ENODEV ? DPT_FAULT_DEVICE :
			 rc == -ENOMEM ? DPT_FAULT_MEMORY : DPT_FAULT_PORT;
		free(e);
		return NULL;
	}
	for (unsigned int i = 0; i < p->n_lcores; i++) {
		e->workers[i] = worker_create(e, p, i);
		if (e->workers[i] == NULL) {
			snprintf(err, err_len, "lcore %u: cannot allocate its "
				 "tables (%s): give EAL more memory (-m)",
				 p->lcores[i], rte_strerror(rte_errno));
			dpt_engine_free(e);
			return NULL;
		}
		e->n_workers++;
	}
	*fault = DPT_FAULT_NONE;
	return e;
}

void
dpt_engine_free(struct dpt_engine *e)
{
	if (e == NULL)
		return;
	dpt_port_close(&e->port);
	for (unsigned int i = 0; i < e->n_workers; i++) {
		dpt_neigh_free(e->workers[i]->neigh);
		rte_free(e->workers[i]);
	}
	free(e);
}

int
dpt_worker_loop(void *arg)
{
	struct dpt_worker *w = arg;
	struct rte_mbuf *pkts[DPT_RX_BURST];
	const uint16_t port = w->txq.port_id, queue = w->txq.queue_id;

	while (!*w->quit) {
		uint64_t now = dpt_clock_us(&w->clock);
		uint16_t n, i;

		/* receive and demultiplex: O(burst) */
		n = rte_eth_rx_burst(port, queue, pkts, DPT_RX_BURST);
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1],
							       void *));
			dpt_eth_input(&w->nif, pkts[i], now);
		}
		/* timers: a bounded slice of the neighbour table */
		dpt_neigh_tick(&w->nif, now);
		/* flush transmit: one burst */
		dpt_tx_flush(&w->tx);
	}
	return 0;
}

void
dpt_engine_stats(const struct dpt_engine *e, struct dpt_stats *total)
{
	memset(total, 0, sizeof(*total));
	for (unsigned int i = 0; i < e->n_workers; i++)
		dpt_stats_add(total, &e->workers[i]->stats);
}

/* Telemetry callbacks take no user argument, so the engine they report on
 * is kept here. Control path only; the data path never reads it. */
static struct dpt_engine *tel_engine;

static void
tel_add_stats(struct rte_tel_data *d, const struct dpt_stats *s)
{
	for (unsigned int i = 1; i < DPT_STAT__MAX; i++)
		rte_tel_data_add_dict_u64(d, dpt_stat_name(i), s->c[i]);
}

/* /dptcp/stats[,LCORE]: totals, or one worker lcore's counters. */
static int
tel_stats(const char *cmd __rte_unused, const char *params,
	  struct rte_tel_data *d)
{
	struct dpt_stats total;
	char *end;

	rte_tel_data_start_dict(d);
	if (params == NULL || *params == '\0') {
		dpt_engine_stats(tel_engine, &total);
		tel_add_stats(d, &total);
		return 0;
	}
	unsigned long id = strtoul(params, &end, 10);
	for (unsigned int i = 0; *end == '\0' && i < tel_engine->n_workers; i++)
		if (tel_engine->workers[i]->lcore_id == id) {
			tel_add_stats(d, &tel_engine->workers[i]->stats);
			return 0;
		}
	return -EINVAL;
}

/* /dptcp/lcores: the worker lcores and their queues. */
static int
tel_lcores(const char *cmd __rte_unused, const char *params __rte_unused,
	   struct rte_tel_data *d)
{
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (unsigned int i = 0; i < tel_engine->n_workers; i++)
		rte_tel_data_add_array_int(d, tel_engine->workers[i]->lcore_id);
	return 0;
}

int
dpt_engine_telemetry(struct dpt_engine *e)
{
	int rc;

	tel_engine = e;
	rc = rte_telemetry_register_cmd("/dptcp/stats", tel_stats,
		"Counters summed over worker lcores; parameter: an lcore id "
		"for that lcore's");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/dptcp/lcores", tel_lcores,
						"Worker lcore ids");
	return rc;
}
