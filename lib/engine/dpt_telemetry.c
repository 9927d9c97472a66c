/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_telemetry.c: the engine's telemetry commands, for dpdk-telemetry.py
 * and dptcp-ctl.
 *
 * Owns /dptcp/stats[,LCORE] (counters summed over the workers, or one
 * worker lcore's; those at 0 left out), /dptcp/lcores (the worker lcore ids), /dptcp/mem (mbufs
 * and control blocks in use), /dptcp/port (the PMD's own counters) and
 * the registration of /dptcp/conns, whose reply dpt_conns.c builds. They
 * run on DPDK's telemetry thread and read the workers' counters without a
 * lock: each counter has one writer, and a reply a few microseconds stale
 * is harmless.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_telemetry.h>

#include "dpt_engine.h"

/* Telemetry callbacks take no user argument, so the engine they report on
 * is kept here. Control path only; the data path never reads it. */
static struct dpt_engine *tel_engine;

/* Only the counters that are not 0: a telemetry dictionary holds at most
 * RTE_TEL_MAX_DICT_ENTRIES (256) entries, fewer than dptcp has counters
 * since IPv6's; a counter left out is 0 (readers default to it). Should
 * more than 255 be non-zero at once, the last entry, stats_not_shown,
 * says how many are missing (the counters at exit have them all). */
static void
tel_add_stats(struct rte_tel_data *d, const struct dpt_stats *s)
{
	uint16_t ids[RTE_TEL_MAX_DICT_ENTRIES - 1];
	unsigned int n = dpt_stats_nonzero(s, ids, RTE_DIM(ids));

	for (unsigned int i = 0; i < RTE_MIN(n, (unsigned int)RTE_DIM(ids));
	     i++)
		rte_tel_data_add_dict_u64(d, dpt_stat_name(ids[i]),
					  s->c[ids[i]]);
	if (n > RTE_DIM(ids))
		rte_tel_data_add_dict_u64(d, "stats_not_shown",
					  n - RTE_DIM(ids));
}

int
dpt_telemetry_stats(const struct dpt_engine *e, const char *params,
		    struct rte_tel_data *d)
{
	struct dpt_stats total;
	char *end;

	rte_tel_data_start_dict(d);
	if (params == NULL || *params == '\0') {
		dpt_engine_stats(e, &total);
		tel_add_stats(d, &total);
		return 0;
	}
	unsigned long id = strtoul(params, &end, 10);
	for (unsigned int i = 0; *end == '\0' && i < e->n_workers; i++)
		if (e->workers[i]->lcore_id == id) {
			tel_add_stats(d, &e->workers[i]->stats);
			return 0;
		}
	return -EINVAL;
}

/* /dptcp/stats[,LCORE]: totals, or one worker lcore's counters. */
static int
tel_stats(const char *cmd __rte_unused, const char *params,
	  struct rte_tel_data *d)
{
	return dpt_telemetry_stats(tel_engine, params, d);
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

/* /dptcp/mem: pools and control blocks in use. */
static int
tel_mem(const char *cmd __rte_unused, const char *params __rte_unused,
	struct rte_tel_data *d)
{
	struct dpt_engine_mem m;

	dpt_engine_mem(tel_engine, &m);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "pkt_mbufs", m.pkt_mbufs);
	rte_tel_data_add_dict_u64(d, "pkt_mbufs_used", m.pkt_mbufs_used);
	rte_tel_data_add_dict_u64(d, "hdr_mbufs", m.hdr_mbufs);
	rte_tel_data_add_dict_u64(d, "hdr_mbufs_used", m.hdr_mbufs_used);
	rte_tel_data_add_dict_u64(d, "tcbs", m.tcbs);
	rte_tel_data_add_dict_u64(d, "tcbs_used", m.tcbs_used);
	return 0;
}

/* /dptcp/conns[,STATE][,OFFSET]: the netstat-like view. */
static int
tel_conns(const char *cmd __rte_unused, const char *params,
	  struct rte_tel_data *d)
{
	return dpt_conns_telemetry(tel_engine->workers, tel_engine->n_workers,
				   params, d);
}

/* /dptcp/port: the PMD's own counters (its drops included). */
static int
tel_port(const char *cmd __rte_unused, const char *params __rte_unused,
	 struct rte_tel_data *d)
{
	struct dpt_port_counters c;

	if (dpt_port_counters(&tel_engine->port, &c) != 0)
		return -EIO;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "ipackets", c.ipackets);
	rte_tel_data_add_dict_u64(d, "opackets", c.opackets);
	rte_tel_data_add_dict_u64(d, "ibytes", c.ibytes);
	rte_tel_data_add_dict_u64(d, "obytes", c.obytes);
	rte_tel_data_add_dict_u64(d, "imissed", c.imissed);
	rte_tel_data_add_dict_u64(d, "ierrors", c.ierrors);
	rte_tel_data_add_dict_u64(d, "oerrors", c.oerrors);
	rte_tel_data_add_dict_u64(d, "rx_nombuf", c.rx_nombuf);
	return 0;
}

int
dpt_engine_telemetry(struct dpt_engine *e)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/dptcp/stats", tel_stats, "Counters summed over worker "
		  "lcores; parameter: an lcore id for that lcore's" },
		{ "/dptcp/lcores", tel_lcores, "Worker lcore ids" },
		{ "/dptcp/mem", tel_mem, "Mbufs and TCP control blocks in use" },
		/* help texts: under 128 bytes, or registration fails */
		{ "/dptcp/conns", tel_conns, "Connections (pages of 100); "
		  "parameters: a state (ESTABLISHED...), an offset" },
		{ "/dptcp/port", tel_port, "The PMD's counters, drops "
		  "included" },
	};

	tel_engine = e;
	for (unsigned int i = 0; i < RTE_DIM(cmds); i++) {
		int rc = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn,
						    cmds[i].help);

		if (rc != 0)
			return rc;
	}
	return e->embed != NULL ? dpt_embed_telemetry(e->embed) : 0;
}
