/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dptcp-gen: dptcp's stateful TCP load generator, on dptcp's own stack.
 *
 *   dptcp-gen [EAL args --] [-c FILE] [--set S.K=V]... --mode MODE
 *             --target A.B.C.D:PORT [--conns N] [--bytes N]
 *             [--direction send|recv|both] [--verify] [--seed S]
 *             [--size N] [--pipeline P] [--path /P] [--sources N]
 *             [--flood syn|ack|rst|garbage|udp|proto] [--flood-dry]
 *             [--rate PPS] [--flood-src A/N]
 *             [--duration SECONDS] [--wait-peer SECONDS] [--json FILE]
 *
 * This file owns the program's start-up, the set-up of each worker's
 * clients (which gen_worker.c drives on that worker's lcore through the
 * engine's per-iteration hook), and, on the main lcore, the decision to
 * stop. The command line is gen_cli.c's; the report once a second and the
 * summary gen_report.c's; the summary's JSON copy gen_json.c's.
 *
 * A run: wait until the target's next hop answers ARP (--wait-peer), open
 * the connections, let the mode work until every connection is done, or
 * --duration passes, or SIGINT/SIGTERM comes; then stop generating, let the
 * connections close gracefully (bounded by LINGER_US), stop the workers and
 * close the port. A second signal stops at once.
 *
 * Exit status: 0 when every connection completed (and verified, with
 * --verify), 1 otherwise, 2 for usage and configuration errors.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "default_conf.h"
#include "gen.h"

#define TICK_US (10 * DPT_US_PER_MS)     /* main lcore's period */
#define REPORT_US DPT_US_PER_S           /* one line a second */
#define LINGER_US (3 * DPT_US_PER_S)     /* graceful closes, at most */
#define HOLD_WAIT_US (60 * DPT_US_PER_S) /* --hold, idle: to make them
					  * all */

/* ---- set-up, once the engine exists ----------------------------------- */

/* The port's pool feeds reception, and our send queues and the receive
 * queues hold its mbufs too: if the connections together can take all of
 * it, reception starves, no ACK gets in to free anything, and every
 * connection times out (seen with 64 connections of 1 MiB send buffers on
 * the default pool). So cap each connection's buffers to its share of what
 * the RX rings and ARP queues leave. */
static void
size_buffers(struct gen *g, uint16_t seg_room)
{
	const struct dpt_conf *conf = &g->app.conf;
	const struct dpt_engine *e = g->app.engine;
	uint64_t pool = e->port.pool->size, reserve, share;
	uint32_t mss = conf->netif.mtu - 52; /* IPv4, TCP, timestamps */

	reserve = (uint64_t)e->n_workers * (2 * conf->port.rx_desc +
					    conf->arp.queue) + 1024;
	share = (pool > 2 * reserve ? pool - reserve : pool / 2) / g->o.conns;
	/* half to sending, half to receiving, in mbufs of each kind */
	if (share / 2 * seg_room < conf->tcp.sndbuf)
		g->snd_cap = (uint32_t)RTE_MAX(share / 2 * seg_room,
					       4 * (uint64_t)seg_room);
	if (share / 2 * mss < conf->tcp.rcvbuf)
		g->rcv_cap = (uint32_t)RTE_MAX(share / 2 * mss,
					       4 * (uint64_t)mss);
	if (g->snd_cap || g->rcv_cap)
		printf("dptcp-gen: %u connection(s) share %" PRIu64 " mbufs: "
		       "send buffers %u KiB, receive buffers %u KiB (a larger "
		       "[port0] mbufs gives them more)\n", g->o.conns, pool,
		       (g->snd_cap ? g->snd_cap : conf->tcp.sndbuf) / 1024,
		       (g->rcv_cap ? g->rcv_cap : conf->tcp.rcvbuf) / 1024);
}

/* The request, the latency stamps and crr's ready stacks. */
static int
gen_setup_rr(struct gen *g)
{
	const struct gen_opts *o = &g->o;
	int sock = g->app.engine->port.socket_id;
	char get[1200]; /* rr_check() bounds the path to 1024 bytes, the
			 * host is at most an IPv6 address in brackets */

	if (!(o->mode->flags & (GM_REQUESTS | GM_PAYLOAD)))
		return 0;
	g->req_len = o->size;
	if (o->mode == &gen_mode_http)
		g->req_len = (uint32_t)snprintf(get, sizeof(get), "GET %s "
			"HTTP/1.1\r\nHost: %s\r\n\r\n", o->path,
			o->target_str);
	g->req = rte_malloc_socket("gen_req", g->req_len, 0, sock);
	g->stamps = rte_zmalloc_socket("gen_stamps", sizeof(*g->stamps) *
				       o->conns * o->pipeline, 0, sock);
	g->ready = rte_zmalloc_socket("gen_ready", sizeof(*g->ready) *
				      o->conns, 0, sock);
	if (g->req == NULL || g->stamps == NULL || g->ready == NULL)
		return -1;
	if (o->mode == &gen_mode_http)
		memcpy(g->req, get, g->req_len);
	else
		for (uint32_t i = 0; i < g->req_len; i++)
			g->req[i] = (uint8_t)('a' + i % 26);
	return 0;
}

static int
gen_setup(struct gen *g)
{
	struct dpt_engine *e = g->app.engine;
	const struct gen_opts *o = &g->o;
	uint32_t per = (o->conns + e->n_workers - 1) / e->n_workers;
	uint16_t room;

	if (per > g->app.conf.tcp.max_conns) {
		fprintf(stderr, "dptcp-gen: --conns %u: %u per worker, more "
			"than [tcp] max_conns (%u)\n", o->conns, per,
			g->app.conf.tcp.max_conns);
		return -1;
	}
	g->n_workers = e->n_workers;
	g->workers = rte_zmalloc_socket("gen_workers", sizeof(*g->workers) *
					g->n_workers, RTE_CACHE_LINE_SIZE,
					e->port.socket_id);
	g->conns = rte_zmalloc_socket("gen_conns", sizeof(*g->conns) *
				      o->conns, 0, e->port.socket_id);
	g->shas = o->verify ? rte_zmalloc_socket("gen_sha", 2 *
		sizeof(SHA2_CTX) * o->conns, 0, e->port.socket_id) : NULL;
	if (g->workers == NULL || (o->conns && g->conns == NULL) ||
	    (o->verify && g->shas == NULL) || gen_setup_rr(g) != 0) {
		fprintf(stderr, "dptcp-gen: --conns %u: not enough memory for "
			"the clients: give EAL more (-m)\n", o->conns);
		return -1;
	}
	room = (uint16_t)((rte_pktmbuf_data_room_size(e->port.pool) -
			   RTE_PKTMBUF_HEADROOM) & ~7u);
	for (unsigned int i = 0; i < g->n_workers; i++) {
		struct gen_worker *gw = &g->workers[i];
		uint32_t first = (uint32_t)((uint64_t)o->conns * i /
					    g->n_workers);

		gw->g = g;
		gw->conns = &g->conns[first];
		gw->n_conns = (uint32_t)((uint64_t)o->conns * (i + 1) /
					 g->n_workers) - first;
		gw->n.left = gw->n_conns;
		gw->n_hold = (uint32_t)((uint64_t)o->hold * (i + 1) /
					g->n_workers -
					(uint64_t)o->hold * i / g->n_workers);
		gw->n.load_left = gw->n_conns - gw->n_hold;
		gw->nexthop = dpt_route_nexthop(&e->workers[i]->nif, o->target);
		if (o->v6 && dpt_route6_nexthop(&e->workers[i]->nif,
						&o->target6, &gw->nexthop6) != 0)
			gw->nexthop6 = o->target6; /* gen_check() saw a route */
		gw->seg_room = room;
		gw->pool = e->port.pool;
		gw->phase = gw->n_conns || o->flood ? PH_WAIT_PEER :
			    PH_STOPPED;
		gw->ready = g->ready ? &g->ready[first] : NULL;
		gw->flood_rate = (o->rate + g->n_workers - 1) / g->n_workers;
		gw->rnd = mix64(o->seed ^ (i + 1) * 0x9e3779b97f4a7c15ULL);
		dpt_hist_init(&gw->hist);
		for (uint32_t j = 0; j < gw->n_conns; j++) {
			struct gen_conn *x = &gw->conns[j];
			uint64_t id = first + j;

			x->gw = gw;
			x->hold = j < gw->n_hold;
			x->key = mix64(o->seed ^ mix64(id + 1));
			x->stamps = g->stamps ? &g->stamps[id * o->pipeline] :
				    NULL;
			x->to_send = (o->dir & DIR_SEND) ?
				     (o->bytes ? o->bytes : UINT64_MAX) : 0;
			if (o->verify) {
				x->sha = &g->shas[2 * id];
				SHA256Init(&x->sha[0]);
				SHA256Init(&x->sha[1]);
			}
		}
	}
	if (o->conns)
		size_buffers(g, room);
	g->tsc_hz = rte_get_tsc_hz();
	dpt_clock_init(&g->clock);
	return 0;
}

static void
gen_free(struct gen *g)
{
	/* the workers are stopped: their last replies go back to the pool
	 * from here */
	for (unsigned int i = 0; g->workers != NULL && i < g->n_workers; i++)
		gen_rr_release(&g->workers[i]);
	rte_free(g->ready);
	rte_free(g->stamps);
	rte_free(g->req);
	rte_free(g->shas);
	rte_free(g->conns);
	rte_free(g->workers);
}

/* ---- the main lcore: the decision to stop ----------------------------- */

/* No connection still needs packets exchanged: what is left is at most
 * FIN-WAIT-2 or TIME-WAIT, which the peer does not wait on. */
static int
tcp_quiet(const struct gen *g)
{
	struct dpt_stats s;

	dpt_engine_stats(g->app.engine, &s);
	return s.c[DPT_STAT_tcp_state_syn_sent] +
	       s.c[DPT_STAT_tcp_state_established] +
	       s.c[DPT_STAT_tcp_state_fin_wait_1] +
	       s.c[DPT_STAT_tcp_state_close_wait] +
	       s.c[DPT_STAT_tcp_state_closing] +
	       s.c[DPT_STAT_tcp_state_last_ack] == 0;
}

static void
gen_start_stop(struct gen *g, const char *why, uint64_t now)
{
	g->stopping = 1;
	g->stopped_by = why;
	g->t_linger = now + LINGER_US;
	__atomic_store_n(&g->stop, 1, __ATOMIC_RELAXED);
}

/* When --duration counts from: the start; with --hold, once the held
 * ones are made (the clock restarts then); idle, once all are made, as
 * lnx-rr's idle (a slow set-up would otherwise cut the hold short). Not
 * all made: HOLD_WAIT_US more at most. */
static uint64_t
duration_from(const struct gen *g, const struct gen_totals *t)
{
	if (g->o.hold && !g->hold_done)
		return g->t0 + HOLD_WAIT_US;
	if (g->o.mode == &gen_mode_idle)
		return t->setup_missing == 0 && t->setup > g->t0 ? t->setup :
		       g->t0 + HOLD_WAIT_US;
	return g->t0;
}

static int
gen_tick(struct dpt_app *app, unsigned int signals, void *ctx)
{
	struct gen *g = ctx;
	uint64_t now = dpt_clock_us(&g->clock);
	struct gen_totals t;

	(void)app;
	if (signals > 1)
		return 1; /* asked twice: now */
	gen_sum(g, &t);
	if (!g->started && (t.started > 0 || t.n.fail[FAIL_NO_PEER] > 0 ||
			    (t.n.left == 0 && g->o.conns > 0))) {
		g->started = 1;
		g->t0 = g->t_report = t.n.t_start ? t.n.t_start : now;
		if (t.started > 0)
			printf("dptcp-gen: connecting\n");
	}
	if (g->started && g->o.hold && !g->hold_done && t.hold_missing == 0 &&
	    t.hold > 0) {
		/* the held ones are up: the mode's run starts now */
		g->hold_done = 1;
		g->hold_setup_us = t.hold - g->t0;
		g->t0 = g->t_report = t.hold;
		printf("dptcp-gen: %u held idle, made in %.3f s\n", g->o.hold,
		       g->hold_setup_us / 1e6);
	}
	if (g->started && !g->stopping && now - g->t_report >= REPORT_US)
		gen_report_line(g, &t, now);
	if (!g->stopping) {
		if (signals > 0)
			gen_start_stop(g, "signal", now);
		else if (g->started && g->o.duration_us &&
			 now >= duration_from(g, &t) + g->o.duration_us)
			gen_start_stop(g, "duration", now);
		else if (t.n.left == 0 && (g->o.conns > 0 ||
					     t.n.fail[FAIL_NO_PEER] > 0))
			gen_start_stop(g, "completion", now);
		return 0;
	}
	/* stopping: let the connections close, within the linger time */
	return (t.n.left == 0 && tcp_quiet(g)) || now >= g->t_linger;
}

/* ---- main ------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	static struct gen g;
	static const struct dpt_app_params params = {
		.name = "dptcp-gen",
		.synopsis = gen_synopsis,
		.options_help = gen_options_help,
		.usage_tail = gen_usage_tail,
		.default_conf = default_conf,
		.default_conf_path = "config/dptcp-gen.conf",
		.app = gen_hook,
		.app_late = gen_hook_late,
		.long_opts = gen_long_opts,
		.on_opt = gen_on_opt,
		.check = gen_check,
		.tick = gen_tick,
		.tick_us = TICK_US,
		.ctx = &g,
	};
	struct gen_result r;
	int rc;

	g.o = gen_opts_default;
	rc = dpt_app_start(&g.app, &params, argc, argv);
	if (rc != 0)
		return dpt_app_exit_status(rc);
	if (gen_setup(&g) != 0) {
		gen_free(&g);
		dpt_app_stop(&g.app);
		return DPT_APP_EXIT_USAGE;
	}
	gen_print_plan(&g);
	dpt_app_run(&g.app);
	gen_result(&g, dpt_clock_us(&g.clock), &r);
	if (g.started && g.t_end > g.t_report &&
	    (r.t.n.tx_bytes > g.rep_tx || r.t.n.rx_bytes > g.rep_rx))
		gen_report_line(&g, &r.t, g.t_end);
	gen_print_summary(&g, &r);
	if (g.o.json != NULL)
		gen_json_write(&g, &r);
	dpt_app_print_counters(&g.app, stdout);
	gen_free(&g);
	dpt_app_stop(&g.app);
	return r.status;
}
