/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dptcp-gen: dptcp's stateful TCP load generator, on dptcp's own stack.
 *
 *   dptcp-gen [EAL args --] [-c FILE] [--set S.K=V]... --mode MODE
 *             --target A.B.C.D:PORT [--conns N] [--bytes N]
 *             [--direction send|recv|both] [--verify] [--seed S]
 *             [--size N] [--pipeline P] [--path /P] [--sources N]
 *             [--flood syn|ack|garbage] [--rate PPS] [--flood-src A/N]
 *             [--duration SECONDS] [--wait-peer SECONDS] [--json FILE]
 *
 * This file owns the command line, the table of modes (stream, rr, crr,
 * http, idle, flood), the set-up of each worker's clients
 * (which gen_worker.c drives on that worker's lcore through the engine's
 * per-iteration hook), and, on the main lcore, the report once a second,
 * the decision to stop, the summary and its JSON copy.
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
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "default_conf.h"
#include "gen.h"

#define TICK_US (10 * DPT_US_PER_MS)     /* main lcore's period */
#define REPORT_US DPT_US_PER_S           /* one line a second */
#define LINGER_US (3 * DPT_US_PER_S)     /* graceful closes, at most */

static const char *const dir_names[] = {
	[DIR_SEND] = "send", [DIR_RECV] = "recv", [DIR_BOTH] = "both",
};

static const char *const fail_names[FAIL__MAX] = {
	"refused", "reset", "timeout", "local", "no_peer", "closed",
};

/* Sums over the workers, read on the main lcore. */
struct gen_totals {
	struct gen_counters n;     /* t_start: earliest; t_finish: latest */
	unsigned int started;      /* workers past their peer wait */
	uint64_t setup;            /* us: the last worker's t_all_made */
	unsigned int setup_missing; /* workers whose conns were not all made */
};

static const char *const flood_names[] = {
	[FLOOD_SYN] = "syn", [FLOOD_ACK] = "ack", [FLOOD_GARBAGE] = "garbage",
};

static const struct gen_mode *const modes[] = {
	&gen_mode_stream, &gen_mode_rr, &gen_mode_crr, &gen_mode_http,
	&gen_mode_idle, &gen_mode_flood,
};

/* ---- options ---------------------------------------------------------- */

enum {
	OPT_MODE = DPT_APP_OPT_BASE,
	OPT_TARGET,
	OPT_CONNS,
	OPT_BYTES,
	OPT_DIRECTION,
	OPT_VERIFY,
	OPT_SEED,
	OPT_DURATION,
	OPT_WAIT_PEER,
	OPT_JSON,
	OPT_SIZE,
	OPT_PIPELINE,
	OPT_PATH,
	OPT_SOURCES,
	OPT_FLOOD,
	OPT_RATE,
	OPT_FLOOD_SRC,
};

static const struct option long_opts[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "conns", required_argument, NULL, OPT_CONNS },
	{ "bytes", required_argument, NULL, OPT_BYTES },
	{ "direction", required_argument, NULL, OPT_DIRECTION },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "wait-peer", required_argument, NULL, OPT_WAIT_PEER },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "pipeline", required_argument, NULL, OPT_PIPELINE },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "sources", required_argument, NULL, OPT_SOURCES },
	{ "flood", required_argument, NULL, OPT_FLOOD },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "flood-src", required_argument, NULL, OPT_FLOOD_SRC },
	{ NULL, 0, NULL, 0 },
};

static int
bad_opt(const char *opt, const char *arg, const char *want)
{
	fprintf(stderr, "dptcp-gen: --%s: '%s' is not %s\n", opt, arg, want);
	return -1;
}

static int
bad_mode(const char *arg)
{
	fprintf(stderr, "dptcp-gen: --mode: '%s' is not a mode; modes:", arg);
	for (unsigned int i = 0; i < RTE_DIM(modes); i++)
		fprintf(stderr, "%s %s (%s)", i ? ";" : "", modes[i]->name,
			modes[i]->help);
	fprintf(stderr, "\n");
	return -1;
}

/* "A.B.C.D:PORT", port 1..65535. */
static int
parse_target(const char *s, uint32_t *addr, uint16_t *port)
{
	unsigned int a[4], p;
	char end;

	if (sscanf(s, "%u.%u.%u.%u:%u%c", &a[0], &a[1], &a[2], &a[3], &p,
		   &end) != 5 || a[0] > 255 || a[1] > 255 || a[2] > 255 ||
	    a[3] > 255 || p == 0 || p > 65535)
		return -1;
	*addr = a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
	*port = (uint16_t)p;
	return 0;
}

/* A count with an optional K, M or G (x1024) suffix. */
static int
parse_size(const char *s, uint64_t max, uint64_t *v)
{
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	switch (*end) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	default: break;
	}
	if (errno != 0 || *end != '\0' || *v > (max >> shift))
		return -1;
	*v <<= shift;
	return 0;
}

/* Seconds, decimals allowed, to microseconds. */
static int
parse_seconds(const char *s, int zero_ok, uint64_t *us)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(d >= 0) ||
	    d > 1e7 || (!zero_ok && d == 0))
		return -1;
	*us = (uint64_t)(d * 1e6);
	return 0;
}

/* "A.B.C.D/N". */
static int
parse_prefix(const char *s, uint32_t *addr, uint32_t *len)
{
	unsigned int a[4], n;
	char end;

	if (sscanf(s, "%u.%u.%u.%u/%u%c", &a[0], &a[1], &a[2], &a[3], &n,
		   &end) != 5 || a[0] > 255 || a[1] > 255 || a[2] > 255 ||
	    a[3] > 255 || n > 32)
		return -1;
	*len = n;
	*addr = (a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3]) &
		(n ? ~0u << (32 - n) : 0);
	return 0;
}

/* The options of the request/response modes and of the flood. */
static int
on_opt_load(struct gen_opts *o, int opt, const char *arg)
{
	uint64_t v;
	unsigned int i;

	switch (opt) {
	case OPT_SIZE:
		if (parse_size(arg, MAX_REQ_SIZE, &v) != 0 || v == 0)
			return bad_opt("size", arg, "a byte count from 1 to 1M");
		o->size = (uint32_t)v;
		return 0;
	case OPT_PIPELINE:
		if (parse_size(arg, MAX_PIPELINE, &v) != 0 || v == 0)
			return bad_opt("pipeline", arg, "a count from 1 to 1024");
		o->pipeline = (uint32_t)v;
		return 0;
	case OPT_PATH:
		o->path = arg;
		return 0;
	case OPT_SOURCES:
		if (parse_size(arg, 65536, &v) != 0 || v == 0)
			return bad_opt("sources", arg, "a count from 1 to 65536");
		o->sources = (uint32_t)v;
		return 0;
	case OPT_FLOOD:
		o->flood = FLOOD_NONE;
		for (i = 1; i < RTE_DIM(flood_names); i++)
			if (strcmp(arg, flood_names[i]) == 0)
				o->flood = (enum gen_flood)i;
		return o->flood ? 0 : bad_opt("flood", arg,
					      "syn, ack or garbage");
	case OPT_RATE:
		return parse_size(arg, 1ULL << 40, &o->rate) == 0 ? 0 :
		       bad_opt("rate", arg, "packets per second (0: flat out)");
	case OPT_FLOOD_SRC:
		return parse_prefix(arg, &o->flood_src, &o->flood_src_len) ==
		       0 ? 0 : bad_opt("flood-src", arg, "a prefix, A.B.C.D/N");
	}
	return -1;
}

static int
on_opt(int opt, const char *arg, void *ctx)
{
	struct gen_opts *o = &((struct gen *)ctx)->o;
	uint64_t v;
	unsigned int i;

	switch (opt) {
	case OPT_MODE:
		o->mode = NULL;
		for (i = 0; i < RTE_DIM(modes); i++)
			if (strcmp(arg, modes[i]->name) == 0)
				o->mode = modes[i];
		return o->mode ? 0 : bad_mode(arg);
	case OPT_TARGET:
		return parse_target(arg, &o->target, &o->port) == 0 ? 0 :
		       bad_opt("target", arg, "an IPv4 address and port, "
			       "A.B.C.D:PORT");
	case OPT_CONNS:
		if (parse_size(arg, 1u << 24, &v) != 0 || v == 0)
			return bad_opt("conns", arg, "a count from 1 to "
				       "16777216");
		o->conns = (uint32_t)v;
		return 0;
	case OPT_BYTES:
		return parse_size(arg, 1ULL << 50, &o->bytes) == 0 ? 0 :
		       bad_opt("bytes", arg, "a byte count (K, M, G: x1024; "
			       "0: until stopped)");
	case OPT_DIRECTION:
		o->dir = 0;
		for (i = 0; i < RTE_DIM(dir_names); i++)
			if (dir_names[i] && strcmp(arg, dir_names[i]) == 0)
				o->dir = (enum gen_dir)i;
		return o->dir ? 0 : bad_opt("direction", arg,
					    "send, recv or both");
	case OPT_VERIFY:
		o->verify = 1;
		return 0;
	case OPT_SEED:
		return parse_size(arg, UINT64_MAX, &o->seed) == 0 ? 0 :
		       bad_opt("seed", arg, "an unsigned integer");
	case OPT_DURATION:
		return parse_seconds(arg, 0, &o->duration_us) == 0 ? 0 :
		       bad_opt("duration", arg, "a number of seconds above 0");
	case OPT_WAIT_PEER:
		return parse_seconds(arg, 1, &o->wait_peer_us) == 0 ? 0 :
		       bad_opt("wait-peer", arg, "a number of seconds");
	case OPT_JSON:
		o->json_path = arg;
		return 0;
	}
	return on_opt_load(o, opt, arg);
}

/* After the configuration is loaded, before EAL: the options together. */
static int
gen_check(const struct dpt_conf *conf, void *ctx)
{
	struct gen *g = ctx;
	struct gen_opts *o = &g->o;
	uint32_t mask = conf->netif.prefix_len ?
			~0u << (32 - conf->netif.prefix_len) : 0;

	if (o->mode == NULL || o->port == 0) {
		fprintf(stderr, "dptcp-gen: --mode and --target are required "
			"(dptcp-gen --help)\n");
		return -1;
	}
	if (o->target - conf->netif.addr < conf->netif.n_addrs ||
	    (o->target >> 24) == 0 ||
	    (o->target >> 24) == 127 || (o->target >> 28) >= 14) {
		fprintf(stderr, "dptcp-gen: --target: %u.%u.%u.%u is not a "
			"unicast address of another host\n", o->target >> 24,
			(o->target >> 16) & 255, (o->target >> 8) & 255,
			o->target & 255);
		return -1;
	}
	if (((o->target ^ conf->netif.addr) & mask) != 0 &&
	    conf->netif.gateway == 0) {
		fprintf(stderr, "dptcp-gen: --target: %u.%u.%u.%u is off "
			"[port0] address's prefix and [port0] gateway is not "
			"set\n", o->target >> 24, (o->target >> 16) & 255,
			(o->target >> 8) & 255, o->target & 255);
		return -1;
	}
	if (o->sources > conf->netif.n_addrs) {
		fprintf(stderr, "dptcp-gen: --sources %u: [port0] addresses is "
			"%u: set it to at least as many\n", o->sources,
			conf->netif.n_addrs);
		return -1;
	}
	if (o->mode->flags & GM_NO_CONNS)
		o->conns = 0;
	if (o->mode->check(g) != 0)
		return -1;
	if (o->json_path != NULL) {
		o->json = fopen(o->json_path, "w");
		if (o->json == NULL) {
			fprintf(stderr, "dptcp-gen: --json: cannot open '%s': "
				"%s\n", o->json_path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

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
	char get[1100]; /* rr_check() bounds the path to 1024 bytes */
	uint32_t a = o->target;

	if (!(o->mode->flags & GM_REQUESTS))
		return 0;
	g->req_len = o->size;
	if (o->mode == &gen_mode_http)
		g->req_len = (uint32_t)snprintf(get, sizeof(get), "GET %s "
			"HTTP/1.1\r\nHost: %u.%u.%u.%u\r\n\r\n", o->path,
			a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
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
		gw->nexthop = dpt_route_nexthop(&e->workers[i]->nif, o->target);
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
	rte_free(g->ready);
	rte_free(g->stamps);
	rte_free(g->req);
	rte_free(g->shas);
	rte_free(g->conns);
	rte_free(g->workers);
}

/* ---- the main lcore: reports and the decision to stop ------------------ */

static void
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
		if (g->workers[i].n_conns > 0)
			t->setup = RTE_MAX(t->setup,
					   cnt_get(&n->t_all_made));
		t->setup_missing += g->workers[i].n_conns > 0 &&
				    cnt_get(&n->t_all_made) == 0;
		if (ts != 0 && (t->n.t_start == 0 || ts < t->n.t_start))
			t->n.t_start = ts;
		t->started += ts != 0;
		t->n.t_finish = RTE_MAX(t->n.t_finish, tf);
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

static double
mbps(uint64_t bytes, uint64_t us)
{
	return us ? bytes * 8.0 / (double)us : 0.0;
}

static double
per_s(uint64_t n, uint64_t us)
{
	return us ? (double)n * 1e6 / (double)us : 0.0;
}

/* TSC cycles (the histograms' unit) to microseconds. */
static double
cyc_us(const struct gen *g, uint64_t cycles)
{
	return (double)cycles * 1e6 / (double)g->tsc_hz;
}

static uint64_t
errors(const struct gen_counters *n)
{
	return n->failed + n->bad_replies + (n->stray_bytes > 0);
}

static void
report_line(struct gen *g, const struct gen_totals *t, uint64_t now)
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
	printf("; errors %" PRIu64 "\n", errors(&t->n));
	g->t_report = now;
	g->rep_tx = t->n.tx_bytes;
	g->rep_rx = t->n.rx_bytes;
	g->rep_trans = t->n.transactions;
	g->rep_made = t->n.made;
	g->rep_flood = t->n.flood_pkts;
}

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
	if (g->started && !g->stopping && now - g->t_report >= REPORT_US)
		report_line(g, &t, now);
	if (!g->stopping) {
		if (signals > 0)
			gen_start_stop(g, "signal", now);
		else if (g->started && g->o.duration_us &&
			 now - g->t0 >= g->o.duration_us)
			gen_start_stop(g, "duration", now);
		else if (t.n.left == 0 && (g->o.conns > 0 ||
					     t.n.fail[FAIL_NO_PEER] > 0))
			gen_start_stop(g, "completion", now);
		return 0;
	}
	/* stopping: let the connections close, within the linger time */
	return (t.n.left == 0 && tcp_quiet(g)) || now >= g->t_linger;
}

/* ---- the summary ------------------------------------------------------ */

struct gen_result {
	struct gen_totals t;
	struct dpt_stats s;
	uint64_t elapsed_us;
	uint64_t incomplete;
	const char *verify;  /* "ok", "failed", "off" */
	int status;
	uint64_t setup_us;   /* until every connection was made; 0: never */
};

static void
gen_result(struct gen *g, uint64_t now, struct gen_result *r)
{
	gen_sum(g, &r->t);
	dpt_engine_stats(g->app.engine, &r->s);
	g->t_end = r->t.n.left == 0 && r->t.n.t_finish ? r->t.n.t_finish :
		   now;
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

/* The latency percentiles reported, and their JSON names. */
static const struct {
	const char *name, *json;
	double pct;
} pcts[] = {
	{ "p50", "p50", 50 }, { "p90", "p90", 90 }, { "p99", "p99", 99 },
	{ "p99.9", "p999", 99.9 },
};

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
		for (unsigned int i = 0; i < RTE_DIM(pcts); i++)
			printf(", %s %.1f", pcts[i].name,
			       cyc_us(g, dpt_hist_percentile(h, pcts[i].pct)));
		printf(", max %.1f", cyc_us(g, h->max));
	}
	printf("; errors %" PRIu64 " (failed connections %" PRIu64 ", bad "
	       "replies %" PRIu64 ", stray bytes %" PRIu64 ")", errors(n),
	       n->failed, n->bad_replies, n->stray_bytes);
	if (g->o.flood)
		printf("; flood %s: %" PRIu64 " packets (%.0f/s)",
		       flood_names[g->o.flood], n->flood_pkts,
		       per_s(n->flood_pkts, us));
	printf("\n");
}

static void
print_summary(const struct gen *g, const struct gen_result *r)
{
	const struct gen_opts *o = &g->o;
	const struct gen_counters *n = &r->t.n;

	if (n->fail[FAIL_NO_PEER] > 0)
		printf("dptcp-gen: %u.%u.%u.%u: its next hop did not answer "
		       "ARP within --wait-peer\n", o->target >> 24,
		       (o->target >> 16) & 255, (o->target >> 8) & 255,
		       o->target & 255);
	printf("dptcp-gen: summary: %s%s%s, %" PRIu64 " of %u connection(s) "
	       "completed (%" PRIu64 " made, %" PRIu64 " failed, %" PRIu64
	       " incomplete); sent %" PRIu64 " B, received %" PRIu64
	       " B in %.3f s: goodput tx %.1f Mbit/s, rx %.1f Mbit/s; "
	       "retransmits %" PRIu64 "; verify %s", o->mode->name,
	       o->mode == &gen_mode_stream ? " " : "",
	       o->mode == &gen_mode_stream ? dir_names[o->dir] : "", n->completed, o->conns, n->made, n->failed,
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
			printf(" %s %" PRIu64, fail_names[f], n->fail[f]);
		printf("\n");
	}
}

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
	for (unsigned int i = 0; i < RTE_DIM(pcts); i++)
		fprintf(f, ", \"%s\": %.3f", pcts[i].json,
			cyc_us(g, dpt_hist_percentile(h, pcts[i].pct)));
	fprintf(f, ", \"max\": %.3f},\n  \"errors\": %" PRIu64 ",\n"
		"  \"error_kinds\": {\"failed\": %" PRIu64 ", \"bad_replies\": %"
		PRIu64 ", \"stray_bytes\": %" PRIu64 "},\n"
		"  \"flood\": \"%s\",\n  \"flood_rate\": %" PRIu64 ",\n"
		"  \"flood_packets\": %" PRIu64 ",\n  \"flood_pps\": %.3f\n}\n",
		cyc_us(g, h->max), errors(n), n->failed, n->bad_replies,
		n->stray_bytes, o->flood ? flood_names[o->flood] : "none",
		o->rate, n->flood_pkts, per_s(n->flood_pkts, us));
}

static void
write_json(const struct gen *g, const struct gen_result *r)
{
	const struct gen_opts *o = &g->o;
	const struct gen_counters *n = &r->t.n;
	FILE *f = o->json;

	fprintf(f, "{\n  \"mode\": \"%s\",\n  \"target\": \"%u.%u.%u.%u:%u\","
		"\n  \"direction\": \"%s\",\n  \"conns\": %u,\n"
		"  \"bytes_per_conn\": %" PRIu64 ",\n  \"seed\": %" PRIu64 ",\n"
		"  \"stopped_by\": \"%s\",\n  \"elapsed_s\": %.6f,\n"
		"  \"bytes_sent\": %" PRIu64 ",\n  \"bytes_received\": %" PRIu64
		",\n  \"goodput_tx_mbps\": %.3f,\n  \"goodput_rx_mbps\": %.3f,\n"
		"  \"conns_made\": %" PRIu64 ",\n  \"conns_failed\": %" PRIu64
		",\n  \"conns_completed\": %" PRIu64 ",\n"
		"  \"conns_incomplete\": %" PRIu64 ",\n  \"failures\": {",
		o->mode->name, o->target >> 24, (o->target >> 16) & 255,
		(o->target >> 8) & 255, o->target & 255, o->port,
		dir_names[o->dir], o->conns, o->bytes, o->seed,
		g->stopped_by ? g->stopped_by : "signal", r->elapsed_us / 1e6,
		n->tx_bytes, n->rx_bytes, mbps(n->tx_bytes, r->elapsed_us),
		mbps(n->rx_bytes, r->elapsed_us), n->made, n->failed,
		n->completed, r->incomplete);
	for (unsigned int i = 0; i < FAIL__MAX; i++)
		fprintf(f, "%s\"%s\": %" PRIu64, i ? ", " : "", fail_names[i],
			n->fail[i]);
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

/* ---- main ------------------------------------------------------------- */

static void
print_plan(const struct gen *g)
{
	const struct gen_opts *o = &g->o;

	printf("dptcp-gen: %s to %u.%u.%u.%u:%u: %u connection(s), ",
	       o->mode->name, o->target >> 24, (o->target >> 16) & 255,
	       (o->target >> 8) & 255, o->target & 255, o->port, o->conns);
	if (o->mode->flags & GM_REQUESTS)
		printf("%u-byte requests, %u in flight each", o->mode ==
		       &gen_mode_http ? g->req_len : o->size, o->pipeline);
	else if (o->mode != &gen_mode_stream)
		printf("held idle");
	else if (o->bytes)
		printf("%" PRIu64 " bytes each", o->bytes);
	else
		printf("bytes until stopped");
	if (o->mode == &gen_mode_stream)
		printf(", direction %s", dir_names[o->dir]);
	printf(", seed %" PRIu64 "%s", o->seed, o->verify ? ", verify" : "");
	if (o->flood)
		printf("; flood %s at %" PRIu64 " pkt/s from %u.%u.%u.%u/%u",
		       flood_names[o->flood], o->rate, o->flood_src >> 24,
		       (o->flood_src >> 16) & 255, (o->flood_src >> 8) & 255,
		       o->flood_src & 255, o->flood_src_len);
	if (o->duration_us)
		printf(", at most %.3f s", o->duration_us / 1e6);
	if (o->wait_peer_us)
		printf("; waiting up to %.3f s for the peer to answer ARP",
		       o->wait_peer_us / 1e6);
	printf("\n");
}

int
main(int argc, char **argv)
{
	static struct gen g = {
		.o = {
			.conns = 1,
			.bytes = 1 << 20,
			.dir = DIR_BOTH,
			.seed = 1,
			.wait_peer_us = 10 * DPT_US_PER_S,
			.size = 64,
			.pipeline = 1,
			.path = "/",
			.sources = 1,
			.flood_src = 198u << 24 | 19u << 16, /* 198.19.0.0/16 */
			.flood_src_len = 16,
		},
	};
	static const struct dpt_app_params params = {
		.name = "dptcp-gen",
		.synopsis = "\n                 --mode MODE --target A.B.C.D:PORT "
			"[OPTION]...",
		.options_help =
		"      --mode MODE     stream: bulk data over --conns "
		"connections;\n"
		"                      rr: --pipeline requests of --size bytes "
		"in flight on\n"
		"                      each connection (to an echo server); "
		"crr: connect,\n"
		"                      request, reply, close, again; http: "
		"HTTP/1.1 GET\n"
		"                      --path, keep-alive; idle: open --conns "
		"and hold them;\n"
		"                      flood: only the --flood\n"
		"      --target A.B.C.D:PORT  the server\n"
		"      --conns N       connections (default 1)\n"
		"      --bytes N       bytes per connection and direction, K, M, "
		"G: x1024\n"
		"                      (default 1M; 0: until stopped)\n"
		"      --direction D   send (then half-close), recv, or both: "
		"send and\n"
		"                      read the echo back (default both)\n"
		"      --verify        check that the echo equals what was sent "
		"(SHA-256)\n"
		"      --seed S        seed of the pseudo-random data (default "
		"1)\n"
		"      --duration S    stop after S seconds (default: when "
		"done)\n"
		"      --wait-peer S   wait up to S seconds for the target's "
		"next hop to\n"
		"                      answer ARP before connecting (default "
		"10; 0: don't)\n"
		"      --size N        rr, crr: bytes per request and reply "
		"(default 64)\n"
		"      --pipeline P    rr, http: requests in flight per "
		"connection (default 1)\n"
		"      --path /P       http: the path to GET (default /)\n"
		"      --sources N     spread the connections over our first N "
		"addresses\n"
		"                      ([port0] addresses >= N; default 1)\n"
		"      --flood KIND    syn, ack or garbage: a stateless flood "
		"beside the mode\n"
		"      --rate PPS      flood packets per second in all "
		"(default 0: flat out)\n"
		"      --flood-src A/N spoofed flood sources (default "
		"198.19.0.0/16)\n"
		"      --json FILE     write the summary as JSON to FILE\n",
		.usage_tail = "Exit status: 0 when every connection completed "
			"(and verified), 1 otherwise,\n2 for usage and "
			"configuration errors.\n",
		.default_conf = default_conf,
		.default_conf_path = "config/dptcp-gen.conf",
		.app = gen_hook,
		.long_opts = long_opts,
		.on_opt = on_opt,
		.check = gen_check,
		.tick = gen_tick,
		.tick_us = TICK_US,
		.ctx = &g,
	};
	struct gen_result r;
	int rc;

	rc = dpt_app_start(&g.app, &params, argc, argv);
	if (rc != 0)
		return dpt_app_exit_status(rc);
	if (gen_setup(&g) != 0) {
		gen_free(&g);
		dpt_app_stop(&g.app);
		return DPT_APP_EXIT_USAGE;
	}
	print_plan(&g);
	dpt_app_run(&g.app);
	gen_result(&g, dpt_clock_us(&g.clock), &r);
	if (g.started && g.t_end > g.t_report &&
	    (r.t.n.tx_bytes > g.rep_tx || r.t.n.rx_bytes > g.rep_rx))
		report_line(&g, &r.t, g.t_end);
	print_summary(&g, &r);
	if (g.o.json != NULL)
		write_json(&g, &r);
	dpt_app_print_counters(&g.app, stdout);
	gen_free(&g);
	dpt_app_stop(&g.app);
	return r.status;
}
