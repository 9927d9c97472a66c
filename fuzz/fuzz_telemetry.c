/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_telemetry.c: libFuzzer target, the arguments of dptcpd's telemetry
 * commands.
 *
 * The input's first byte chooses the command, the rest is the text the
 * telemetry library passes as its parameters (everything after the first
 * comma, at most what its socket reads): bit 0 clear, /dptcp/stats,LCORE
 * (dpt_telemetry_stats()); set, /dptcp/conns,STATE,OFFSET
 * (dpt_conns_parse_params(), then dpt_conns_page()). They run against an
 * engine made up here: two workers, lcores 1 and 3, whose last copies
 * hold 150 connections each in every state. A page that does not show
 * min(100, what there is past the offset) is a find.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "dpt_engine.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONNS 150
#define PARAMS_MAX 1024 /* the telemetry socket reads that much */

static struct dpt_engine engine;
static struct dpt_tcp_conn_info conns[2][CONNS];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	engine.n_workers = 2;
	for (unsigned int i = 0; i < 2; i++) {
		struct dpt_worker *w = aligned_alloc(RTE_CACHE_LINE_SIZE,
						     sizeof(*w));

		if (w == NULL)
			abort();
		memset(w, 0, sizeof(*w));
		w->lcore_id = 1 + 2 * i;
		w->index = i;
		for (unsigned int k = 1; k < DPT_STAT__MAX; k++)
			w->stats.c[k] = k * (i + 1);
		for (unsigned int j = 0; j < CONNS; j++)
			conns[i][j] = (struct dpt_tcp_conn_info){
				.laddr = DPT_IPV4(198, 18, 0, 2),
				.raddr = DPT_IPV4(198, 18, 0, 1) + j,
				.lport = 80, .rport = (uint16_t)(40000 + j),
				.state = (uint8_t)(1 + j % (DPT_TCP_NSTATES - 1)),
				.snd_queue = j * 100, .rcv_queue = j,
				.srtt_us = j * 7, .cwnd = 14600, .retrans = j,
			};
		w->snap.conns = conns[i];
		w->snap.n = w->snap.cap = CONNS;
		engine.workers[i] = w;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char params[PARAMS_MAX + 1];
	struct rte_tel_data *d;
	uint32_t offset, shown, total;
	int state;

	if (size < 1 || size - 1 > PARAMS_MAX)
		return 0;
	memcpy(params, data + 1, size - 1);
	params[size - 1] = '\0';
	d = rte_tel_data_alloc();
	if (d == NULL)
		abort();
	if (!(data[0] & 1)) {
		dpt_telemetry_stats(&engine, params, d);
		rte_tel_data_free(d);
		return 0;
	}
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	if (dpt_conns_parse_params(params, &state, &offset) == 0) {
		if (state < -1 || state >= DPT_TCP_NSTATES) {
			fprintf(stderr, "fuzz: state %d from '%s'\n", state,
				params);
			abort();
		}
		total = dpt_conns_page(engine.workers, engine.n_workers, state,
				       offset, d, &shown);
		if (shown != (offset < total ? RTE_MIN(total - offset, 100u)
				      : 0)) {
			fprintf(stderr, "fuzz: '%s': offset %u, %u shown of "
				"%u\n", params, offset, shown, total);
			abort();
		}
	}
	rte_tel_data_free(d);
	return 0;
}
