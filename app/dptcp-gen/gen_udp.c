/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_udp.c: dptcp-gen's UDP modes, on lib/udp.
 *
 * - udp-rr: --conns flows, each a connected UDP socket (its local port
 *   chosen so that the echo hashes back to this worker), keeps --pipeline
 *   requests of --size bytes in flight to an echo server; a reply is the
 *   next datagram back (one of another size is a bad reply). UDP loses
 *   datagrams and nobody resends them: a request unanswered for LOSS_US
 *   is counted lost and another goes in its place, so a flow never
 *   stalls. A reply that comes after is taken for the next request's.
 * - udp: the stateless stream pktgen sends by default: datagrams of
 *   --size from --conns sockets (source ports) in turn, at --rate in all
 *   (0: --flood-burst every loop iteration); what comes back (from an
 *   echo) is counted, nothing waits for it.
 *
 * Both count datagrams sent, received and (udp-rr) lost, and bytes;
 * requests are copied from the one prepared request (g->req), replies
 * freed in bulk once per loop iteration as rr's are.
 */
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "gen.h"

#define LOSS_US (100 * DPT_US_PER_MS) /* udp-rr: a request is lost */
#define CHECK_US (10 * DPT_US_PER_MS) /* udp-rr: losses looked for */
#define MAX_DGRAM (65535 - 20 - 8)    /* RFC 768 over IPv4 */
#define MAX_DGRAM6 (65535 - 8)        /* over IPv6, without jumbograms
				       * (RFC 8200 3: payload length) */

static int
is_rr(const struct gen *g)
{
	return g->o.mode == &gen_mode_udp_rr;
}

/* A datagram read: counted, and freed with the iteration's others. */
static void
keep(struct gen_worker *gw, struct rte_mbuf *m)
{
	cnt_add(&gw->n.rx_bytes, m->pkt_len);
	cnt_add(&gw->n.dgrams_rx, 1);
	gw->rx_free[gw->n_rx_free++] = m;
	if (gw->n_rx_free == GEN_FREE_BULK)
		gen_rr_release(gw);
}

/* One datagram of the prepared payload; lib/udp counts a refusal. */
static int
send_one(struct gen_conn *x, uint64_t now)
{
	const struct gen *g = x->gw->g;

	if (dpt_udp_sendto_copy(x->us, g->req, g->req_len, NULL, now) != 0)
		return -1;
	cnt_add(&x->gw->n.tx_bytes, g->req_len);
	cnt_add(&x->gw->n.dgrams_tx, 1);
	return 0;
}

/* udp-rr: requests until --pipeline are in flight, each stamped. */
static void
rr_fill(struct gen_conn *x, uint64_t now)
{
	const struct gen *g = x->gw->g;

	while (!x->stopping && x->inflight < g->o.pipeline &&
	       send_one(x, now) == 0)
		x->stamps[(x->head + x->inflight++) % g->o.pipeline] =
			rte_rdtsc();
}

static void
rr_recv(struct dpt_udp_sock *s, struct rte_mbuf *m,
	const struct dpt_udp_addr *from, const struct dpt_udp_addr *to,
	void *arg, uint64_t now)
{
	struct gen_conn *x = arg;
	struct gen_worker *gw = x->gw;
	const struct gen *g = gw->g;
	uint32_t len = m->pkt_len;

	(void)s, (void)from, (void)to;
	keep(gw, m);
	if (x->inflight == 0) {
		cnt_add(&gw->n.stray_bytes, len);
		return;
	}
	if (len != g->o.size) {
		cnt_add(&gw->n.bad_replies, 1);
	} else {
		dpt_hist_record(&gw->hist,
				rte_rdtsc() - x->stamps[x->head]);
		cnt_add(&gw->n.transactions, 1);
	}
	x->head = (x->head + 1) % g->o.pipeline;
	x->inflight--;
	rr_fill(x, now);
}

static void
stream_recv(struct dpt_udp_sock *s, struct rte_mbuf *m,
	    const struct dpt_udp_addr *from, const struct dpt_udp_addr *to,
	    void *arg, uint64_t now)
{
	struct gen_conn *x = arg;

	(void)s, (void)from, (void)to, (void)now;
	keep(x->gw, m);
}

/* A flow's socket, from our address i mod --sources to the target (over
 * IPv6 from our first address: one source). */
static void
flow_open(struct gen_worker *gw, struct gen_conn *x, struct dpt_worker *w,
	  uint64_t now)
{
	const struct gen *g = gw->g;
	uint32_t laddr = w->nif.addr +
			 (uint32_t)((uint64_t)(x - g->conns) % g->o.sources);
	struct dpt_udp_open_params p = {
		.local = dpt_udp_addr4(laddr, 0),
		.remote = dpt_udp_addr4(g->o.target, g->o.port),
		.on_recv = is_rr(g) ? rr_recv : stream_recv, .arg = x };

	if (g->o.v6) {
		p.local = (struct dpt_udp_addr){ .family = AF_INET6 };
		p.remote = dpt_udp_addr6(&g->o.target6, g->o.port);
	}
	x->us = dpt_udp_open(w->udp, &p);
	if (x->us == NULL)
		return gen_conn_failed(x, FAIL_LOCAL, now);
	gen_conn_set(x, CONN_OPEN);
	x->was_made = 1;
	if (++gw->made_once == gw->n_conns)
		__atomic_store_n(&gw->n.t_all_made, now, __ATOMIC_RELAXED);
	if (is_rr(g))
		rr_fill(x, now);
}

/* udp-rr: requests in flight longer than LOSS_US are lost; each is
 * replaced. O(flows) every CHECK_US. */
static void
rr_losses(struct gen_worker *gw, uint64_t now)
{
	const struct gen *g = gw->g;
	uint64_t t = rte_rdtsc(), limit = LOSS_US * g->tsc_hz / DPT_US_PER_S;

	if (now < gw->udp_check)
		return;
	gw->udp_check = now + CHECK_US;
	for (uint32_t i = 0; i < gw->n_conns; i++) {
		struct gen_conn *x = &gw->conns[i];

		if (x->state != CONN_OPEN)
			continue;
		while (x->inflight > 0 && t - x->stamps[x->head] > limit) {
			x->head = (x->head + 1) % g->o.pipeline;
			x->inflight--;
			cnt_add(&gw->n.dgrams_lost, 1);
		}
		rr_fill(x, now); /* and what a full pool held back */
	}
}

/* udp: this iteration's datagrams, round robin over the open flows:
 * --rate's share of the worker (a token bucket on the TSC), at most
 * --flood-burst. */
static void
stream_send(struct gen_worker *gw, uint64_t now)
{
	const struct gen *g = gw->g;
	unsigned int n = g->o.flood_burst;

	if (gw->flood_rate) {
		uint64_t t = rte_rdtsc();

		gw->flood_tokens += (double)(t - gw->flood_tsc) *
				    (double)gw->flood_rate / (double)g->tsc_hz;
		gw->flood_tsc = t;
		if (gw->flood_tokens > FLOOD_BURST_MAX)
			gw->flood_tokens = FLOOD_BURST_MAX;
		n = RTE_MIN((unsigned int)gw->flood_tokens, n);
		gw->flood_tokens -= n;
	}
	for (unsigned int tries = 0; n > 0 && tries < gw->n_conns; tries++) {
		struct gen_conn *x = &gw->conns[gw->udp_next];

		gw->udp_next = (gw->udp_next + 1) % gw->n_conns;
		if (x->state != CONN_OPEN)
			continue;
		tries = 0;
		if (send_one(x, now) != 0)
			break; /* the pool is dry: next iteration */
		n--;
	}
}

static void
udp_step(struct gen_worker *gw, struct dpt_worker *w, uint64_t now)
{
	for (unsigned int k = 0; k < OPEN_BURST &&
	     gw->next_open < gw->n_conns; k++)
		flow_open(gw, &gw->conns[gw->next_open++], w, now);
	if (gw->n_conns == 0)
		return;
	if (is_rr(gw->g))
		rr_losses(gw, now);
	else
		stream_send(gw, now);
}

/* The run stops: the socket closes at once (UDP has no goodbye); what
 * was in flight is neither answered nor lost. */
static void
udp_stop(struct gen_conn *x, uint64_t now)
{
	x->stopping = 1;
	if (x->state != CONN_OPEN)
		return gen_conn_left(x, now);
	dpt_udp_close(x->us);
	x->us = NULL;
	gen_conn_finish(x, 1, now);
}

static int
udp_check(const struct gen *g)
{
	const struct gen_opts *o = &g->o;

	if (o->size > (o->v6 ? MAX_DGRAM6 : MAX_DGRAM)) {
		fprintf(stderr, "dptcp-gen: --size: a UDP datagram over %s "
			"carries at most %u bytes\n", o->v6 ? "IPv6" : "IPv4",
			o->v6 ? MAX_DGRAM6 : MAX_DGRAM);
		return -1;
	}
	if (o->flood || o->hold || o->verify) {
		fprintf(stderr, "dptcp-gen: --flood, --hold and --verify are "
			"for the TCP modes (udp: --rate is the datagrams')\n");
		return -1;
	}
	return 0;
}

const struct gen_mode gen_mode_udp_rr = {
	.name = "udp-rr",
	.help = "--conns UDP flows, --pipeline requests of --size bytes in "
		"flight each, to a UDP echo server",
	.flags = GM_REQUESTS | GM_UDP,
	.check = udp_check,
	.step = udp_step,
	.stop = udp_stop,
};

const struct gen_mode gen_mode_udp = {
	.name = "udp",
	.help = "datagrams of --size from --conns UDP sockets at --rate in "
		"all, stateless (pktgen's default)",
	.flags = GM_PAYLOAD | GM_UDP,
	.check = udp_check,
	.step = udp_step,
	.stop = udp_stop,
};
