/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_report.c: what dptcp-gen prints, on the main lcore.
 *
 * Owns the sums over the workers' counters and latency histograms, the
 * plan printed before the run, the line printed once a second while it
 * runs, and the summary after it (the result that the JSON copy,
 * gen_json.c, writes too). Workers write their counters and histograms
 * as they go; the main lcore reads them relaxed (struct gen_counters).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gen.h"

const char *const gen_fail_names[FAIL__MAX] = {
	"refused", "reset", "timeout", "local", "no_peer", "closed",
};

/* The latency percentiles reported, and their JSON names. */
const struct gen_pct gen_pcts[GEN_N_PCTS] = {
	{ "p50", "p50", 50 }, { "p90", "p90", 90 }, { "p99", "p99", 99 },
	{ "p99.9", "p999", 99.9 },
};

/* ---- sums over the workers -------------------------------------------- */

void
gen_sum(const struct gen *g, struct gen_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int i = 0; i < g->n_workers; i++) {
		const struct gen_counters *n = &g->workers[i].n;
		uint64_t ts = cnt_get(&n->t_start), tf = cnt_get(&n->t_finish);

		t->n.tx_bytes += cnt_get(&n->tx_bytes);
		t->n.rx_bytes += cnt_get(&n->rx_bytes);
		t->n.made += cnt_get(&n->made);
		t->n.open += cnt_get(&n->open);
		t->n.completed += cnt_get(&n->completed);
		t->n.verified += cnt_get(&n->verified);
		t->n.mismatched += cnt_get(&n->mismatched);
		t->n.failed += cnt_get(&n->failed);
		for (unsigned int f = 0; f < FAIL__MAX; f++)
			t->n.fail[f] += cnt_get(&n->fail[f]);
		t->n.left += cnt_get(&n->left);
		t->n.transactions += cnt_get(&n->transactions);
		t->n.flood_pkts += cnt_get(&n->flood_pkts);
		t->n.bad_replies += cnt_get(&n->bad_replies);
		t->n.stray_bytes += cnt_get(&n->stray_bytes);
		t->n.dgrams_tx += cnt_get(&n->dgrams_tx);
		t->n.dgrams_rx += cnt_get(&n->dgrams_rx);
		t->n.dgrams_lost += cnt_get(&n->dgrams_lost);
		if (g->workers[i].n_conns > 0)
			t->setup = RTE_MAX(t->setup,
					   cnt_get(&n->t_all_made));
		t->setup_missing += g->workers[i].n_conns > 0 &&
				    cnt_get(&n->t_all_made) == 0;
		if (g->workers[i].n_hold > 0)
			t->hold = RTE_MAX(t->hold, cnt_get(&n->t_hold_made));
		t->hold_missing += g->workers[i].n_hold > 0 &&
				   cnt_get(&n->t_hold_made) == 0;
		if (ts != 0 && (t->n.t_start == 0 || ts < t->n.t_start))
			t->n.t_start = ts;
		t->started += ts != 0;
		t->n.t_finish = RTE_MAX(t->n.t_finish, tf);
		t->n.load_left += cnt_get(&n->load_left);
		t->n.t_load_finish = RTE_MAX(t->n.t_load_finish,
					     cnt_get(&n->t_load_finish));
	}
}

/* The workers' latency histograms, merged into g->hist_now. The workers
 * go on writing: a bucket may be one count ahead of the total, which
 * moves a percentile by at most one value. */
static void
gen_hist(struct gen *g)
{
	dpt_hist_init(&g->hist_now);
	for (unsigned int i = 0; i < g->n_workers; i++)
		dpt_hist_merge(&g->hist_now, &g->workers[i].hist);
}

void
gen_result(struct gen *g, uint64_t now, struct gen_result *r)
{
	gen_sum(g, &r->t);
	dpt_engine_stats(g->app.engine, &r->s);
	g->t_end = r->t.n.left == 0 && r->t.n.t_finish ? r->t.n.t_finish :
		   now;
	/* --hold: the rates are the mode's, over its own time, not the
	 * held ones' closes after it */
	if (g->o.hold && r->t.n.load_left == 0 && r->t.n.t_load_finish)
		g->t_end = r->t.n.t_load_finish;
	r->elapsed_us = g->started && g->t_end > g->t0 ? g->t_end - g->t0 : 0;
	r->incomplete = g->o.conns - r->t.n.completed - r->t.n.failed;
	r->verify = !g->o.verify ? "off" :
		    r->t.n.verified == g->o.conns ? "ok" : "failed";
	r->status = r->t.n.completed == g->o.conns && errors(&r->t.n) == 0 &&
		    r->t.n.fail[FAIL_NO_PEER] == 0 &&
		    (!g->o.verify || r->t.n.verified == g->o.conns) ? 0 : 1;
	r->setup_us = r->t.setup_missing == 0 && r->t.setup > g->t0 ?
		      r->t.setup - g->t0 : 0;
	gen_hist(g);
}

/* ---- before, during and after the run --------------------------------- */

void
gen_print_plan(const struct gen *g)
{
	const struct gen_opts *o = &g->o;

	printf("dptcp-gen: %s to %s:%u: %u connection(s), ",
	       o->mode->name, o->target_str, o->port, o->conns);
	if (o->mode->flags & GM_REQUESTS)
		printf("%u-byte requests, %u in flight each", o->mode ==
		       &gen_mode_http ? g->req_len : o->size, o->pipeline);
	else if (o->mode->flags & GM_PAYLOAD)
		printf("%u-byte datagrams at %" PRIu64 "/s (0: flat out)",
		       o->size, o->rate);
	else if (o->mode != &gen_mode_stream)
		printf("held idle");
	else if (o->bytes)
		printf("%" PRIu64 " bytes each", o->bytes);
	else
		printf("bytes until stopped");
	if (o->mode == &gen_mode_stream)
		printf(", direction %s", gen_dir_names[o->dir]);
	printf(", seed %" PRIu64 "%s", o->seed, o->verify ? ", verify" : "");
	if (o->flood)
		printf("; flood %s at %" PRIu64 " pkt/s from %u.%u.%u.%u/%u",
		       gen_flood_names[o->flood], o->rate, o->flood_src >> 24,
		       (o->flood_src >> 16) & 255, (o->flood_src >> 8) & 255,
		       o->flood_src & 255, o->flood_src_len);
	if (o->duration_us)
		printf(", at most %.3f s", o->duration_us / 1e6);
	if (o->wait_peer_us)
		printf("; waiting up to %.3f s for the peer to answer ARP",
		       o->wait_peer_us / 1e6);
	printf("\n");
}

void
gen_report_line(struct gen *g, const struct gen_totals *t, uint64_t now)
{
	const struct gen_mode *mode = g->o.mode;
	uint64_t dt = now - g->t_report, tx = t->n.tx_bytes - g->rep_tx,
		 rx = t->n.rx_bytes - g->rep_rx;
	struct dpt_hist *d = &g->hist_delta;

	printf("dptcp-gen: [%7.2f s] sent %" PRIu64 " B, received %" PRIu64
	       " B: tx %.1f Mbit/s, rx %.1f Mbit/s; open %" PRIu64,
	       (now - g->t0) / 1e6, tx, rx, mbps(tx, dt), mbps(rx, dt),
	       t->n.open);
	if (mode->flags & GM_REQUESTS) {
		gen_hist(g);
		dpt_hist_delta(d, &g->hist_now, &g->hist_rep);
		printf("; %.0f trans/s, p50 %.1f us, p99 %.1f us",
		       per_s(t->n.transactions - g->rep_trans, dt),
		       cyc_us(g, dpt_hist_percentile(d, 50)),
		       cyc_us(g, dpt_hist_percentile(d, 99)));
		g->hist_rep = g->hist_now;
	}
	if (!(mode->flags & GM_NO_CONNS))
		printf("; %.0f conn/s", per_s(t->n.made - g->rep_made, dt));
	if (g->o.flood)
		printf("; flood %.0f pkt/s",
		       per_s(t->n.flood_pkts - g->rep_flood, dt));
	if (mode->flags & GM_UDP)
		printf("; datagrams out %" PRIu64 ", in %" PRIu64 ", lost %"
		       PRIu64, t->n.dgrams_tx, t->n.dgrams_rx,
		       t->n.dgrams_lost);
	printf("; errors %" PRIu64 "\n", errors(&t->n));
	g->t_report = now;
	g->rep_tx = t->n.tx_bytes;
	g->rep_rx = t->n.rx_bytes;
	g->rep_trans = t->n.transactions;
	g->rep_made = t->n.made;
	g->rep_flood = t->n.flood_pkts;
}

/* The summary's second line: transactions, connections, latency, errors,
 * flood. */
static void
print_load(const struct gen *g, const struct gen_result *r)
{
	const struct gen_counters *n = &r->t.n;
	const struct dpt_hist *h = &g->hist_now;
	uint64_t us = r->elapsed_us;

	printf("dptcp-gen: load: %" PRIu64 " transactions (%.0f/s); %" PRIu64
	       " connections made (%.0f/s)", n->transactions,
	       per_s(n->transactions, us), n->made, per_s(n->made, us));
	if (r->setup_us)
		printf(", all %u made in %.3f s", g->o.conns,
		       r->setup_us / 1e6);
	if (h->count) {
		printf("; latency us (%" PRIu64 " replies): min %.1f, mean "
		       "%.1f", h->count, cyc_us(g, h->min),
		       cyc_us(g, (uint64_t)dpt_hist_mean(h)));
		for (unsigned int i = 0; i < RTE_DIM(gen_pcts); i++)
			printf(", %s %.1f", gen_pcts[i].name,
			       cyc_us(g, dpt_hist_percentile(h,
							     gen_pcts[i].pct)));
		printf(", max %.1f", cyc_us(g, h->max));
	}
	printf("; errors %" PRIu64 " (failed connections %" PRIu64 ", bad "
	       "replies %" PRIu64 ", stray bytes %" PRIu64 ")", errors(n),
	       n->failed, n->bad_replies, n->stray_bytes);
	if (g->o.flood)
		printf("; flood %s: %" PRIu64 " packets (%.0f/s)",
		       gen_flood_names[g->o.flood], n->flood_pkts,
		       per_s(n->flood_pkts, us));
	if (g->o.mode->flags & GM_UDP)
		printf("; datagrams sent %" PRIu64 " (%.0f/s), received %"
		       PRIu64 " (%.0f/s), lost %" PRIu64, n->dgrams_tx,
		       per_s(n->dgrams_tx, us), n->dgrams_rx,
		       per_s(n->dgrams_rx, us), n->dgrams_lost);
	printf("\n");
}

void
gen_print_summary(const struct gen *g, const struct gen_result *r)
{
	const struct gen_opts *o = &g->o;
	const struct gen_counters *n = &r->t.n;

	if (n->fail[FAIL_NO_PEER] > 0)
		printf("dptcp-gen: %s: its next hop did not answer "
		       "ARP (or ND) within --wait-peer\n", o->target_str);
	printf("dptcp-gen: summary: %s%s%s, %" PRIu64 " of %u connection(s) "
	       "completed (%" PRIu64 " made, %" PRIu64 " failed, %" PRIu64
	       " incomplete); sent %" PRIu64 " B, received %" PRIu64
	       " B in %.3f s: goodput tx %.1f Mbit/s, rx %.1f Mbit/s; "
	       "retransmits %" PRIu64 "; verify %s", o->mode->name,
	       o->mode == &gen_mode_stream ? " " : "",
	       o->mode == &gen_mode_stream ? gen_dir_names[o->dir] : "",
	       n->completed, o->conns, n->made, n->failed,
	       r->incomplete, n->tx_bytes, n->rx_bytes, r->elapsed_us / 1e6,
	       mbps(n->tx_bytes, r->elapsed_us),
	       mbps(n->rx_bytes, r->elapsed_us),
	       r->s.c[DPT_STAT_tcp_retransmits], r->verify);
	if (o->verify)
		printf(" (%" PRIu64 " of %u byte-exact, SHA-256)", n->verified,
		       o->conns);
	printf("; stopped by %s\n", g->stopped_by ? g->stopped_by : "signal");
	print_load(g, r);
	if (n->failed > 0) {
		printf("dptcp-gen: failures:");
		for (unsigned int f = 0; f < FAIL__MAX; f++)
			printf(" %s %" PRIu64, gen_fail_names[f], n->fail[f]);
		printf("\n");
	}
}
