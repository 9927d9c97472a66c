/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_json.c: dptcp-gen's summary as JSON (--json FILE), for bench/run.
 *
 * Owns the keys and their order: the run (mode, target, stop reason), its
 * connections, bytes and failures, the stack's retransmission counters,
 * the verification, the exit status, then the figures the Linux tools of
 * bench/linux write too (transactions, rates, latency, errors, flood).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gen.h"

/* The figures every mode and the Linux tools (bench/linux) share. */
static void
write_json_load(const struct gen *g, const struct gen_result *r, FILE *f)
{
	const struct gen_opts *o = &g->o;
	const struct gen_counters *n = &r->t.n;
	const struct dpt_hist *h = &g->hist_now;
	uint64_t us = r->elapsed_us;

	fprintf(f, "  \"tool\": \"dptcp-gen\",\n  \"size\": %u,\n"
		"  \"pipeline\": %u,\n  \"transactions\": %" PRIu64 ",\n"
		"  \"tps\": %.3f,\n  \"cps\": %.3f,\n  \"setup_s\": %.6f,\n"
		"  \"latency_us\": {\"count\": %" PRIu64 ", \"min\": %.3f, "
		"\"mean\": %.3f", o->size, o->pipeline, n->transactions,
		per_s(n->transactions, us), per_s(n->made, us),
		r->setup_us / 1e6, h->count, h->count ? cyc_us(g, h->min) : 0,
		cyc_us(g, (uint64_t)dpt_hist_mean(h)));
	for (unsigned int i = 0; i < RTE_DIM(gen_pcts); i++)
		fprintf(f, ", \"%s\": %.3f", gen_pcts[i].json,
			cyc_us(g, dpt_hist_percentile(h,
						      gen_pcts[i].pct)));
	fprintf(f, ", \"max\": %.3f},\n  \"errors\": %" PRIu64 ",\n"
		"  \"error_kinds\": {\"failed\": %" PRIu64 ", \"bad_replies\": %"
		PRIu64 ", \"stray_bytes\": %" PRIu64 "},\n"
		"  \"flood\": \"%s\",\n  \"flood_dry\": %d,\n"
		"  \"flood_rate\": %" PRIu64 ",\n"
		"  \"flood_packets\": %" PRIu64 ",\n  \"flood_pps\": %.3f,\n"
		"  \"tx_drop_full\": %" PRIu64 ",\n  \"rx_frames\": %" PRIu64
		",\n  \"hold_conns\": %u,\n  \"hold_setup_s\": %.6f,\n"
		"  \"datagrams_sent\": %" PRIu64 ",\n"
		"  \"datagrams_received\": %" PRIu64 ",\n"
		"  \"datagrams_lost\": %" PRIu64 "\n}\n",
		cyc_us(g, h->max), errors(n), n->failed, n->bad_replies,
		n->stray_bytes, o->flood ? gen_flood_names[o->flood] : "none",
		o->flood_dry, o->rate, n->flood_pkts,
		per_s(n->flood_pkts, us), r->s.c[DPT_STAT_tx_drop_full],
		r->s.c[DPT_STAT_rx_frames], o->hold,
		g->hold_done ? g->hold_setup_us / 1e6 : 0.0, n->dgrams_tx,
		n->dgrams_rx, n->dgrams_lost);
}

void
gen_json_write(const struct gen *g, const struct gen_result *r)
{
	const struct gen_opts *o = &g->o;
	const struct gen_counters *n = &r->t.n;
	FILE *f = o->json;

	fprintf(f, "{\n  \"mode\": \"%s\",\n  \"target\": \"%s:%u\","
		"\n  \"direction\": \"%s\",\n  \"conns\": %u,\n"
		"  \"bytes_per_conn\": %" PRIu64 ",\n  \"seed\": %" PRIu64 ",\n"
		"  \"stopped_by\": \"%s\",\n  \"elapsed_s\": %.6f,\n"
		"  \"bytes_sent\": %" PRIu64 ",\n  \"bytes_received\": %" PRIu64
		",\n  \"goodput_tx_mbps\": %.3f,\n  \"goodput_rx_mbps\": %.3f,\n"
		"  \"conns_made\": %" PRIu64 ",\n  \"conns_failed\": %" PRIu64
		",\n  \"conns_completed\": %" PRIu64 ",\n"
		"  \"conns_incomplete\": %" PRIu64 ",\n  \"failures\": {",
		o->mode->name, o->target_str, o->port, gen_dir_names[o->dir], o->conns, o->bytes, o->seed,
		g->stopped_by ? g->stopped_by : "signal", r->elapsed_us / 1e6,
		n->tx_bytes, n->rx_bytes, mbps(n->tx_bytes, r->elapsed_us),
		mbps(n->rx_bytes, r->elapsed_us), n->made, n->failed,
		n->completed, r->incomplete);
	for (unsigned int i = 0; i < FAIL__MAX; i++)
		fprintf(f, "%s\"%s\": %" PRIu64, i ? ", " : "",
			gen_fail_names[i], n->fail[i]);
	fprintf(f, "},\n  \"retransmits\": %" PRIu64 ",\n"
		"  \"fast_retransmits\": %" PRIu64 ",\n  \"rto_timeouts\": %"
		PRIu64 ",\n  \"verify\": \"%s\",\n  \"verified\": %" PRIu64
		",\n  \"verify_mismatches\": %" PRIu64 ",\n"
		"  \"exit_status\": %d,\n", r->s.c[DPT_STAT_tcp_retransmits],
		r->s.c[DPT_STAT_tcp_fast_retransmits], r->s.c[DPT_STAT_tcp_rto],
		r->verify, n->verified, n->mismatched, r->status);
	write_json_load(g, r, f);
	if (fclose(f) != 0)
		fprintf(stderr, "dptcp-gen: --json: cannot write '%s': %s\n",
			o->json_path, strerror(errno));
}
