/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_flood.c: dptcp-gen's stateless flood, like pktgen's: frames built
 * one by one and handed to the port at --rate packets per second (shared
 * by the workers; 0 = as fast as the loop goes), beside the connections of
 * any mode or alone (--mode flood). It keeps no state per packet.
 *
 * - syn: SYNs from random sources in --flood-src and random ports, with
 *   the options Linux sends (MSS, SACK-permitted, timestamps, window
 *   scale), so a server's SYN cookies have all of them to encode;
 * - ack: ACKs with random sequence and acknowledgment numbers, as the
 *   third segment of a handshake that never happened (a cookie to check);
 * - garbage: a valid IPv4 header to the target's address with 20 to 100
 *   random bytes as TCP: header fields, options and checksum at random.
 *
 * The sources are spoofed: whatever the server answers goes to the next
 * hop's MAC (this generator, with a route through it) and is dropped here
 * as not addressed to us (counted). The IPv4 header is the stack's own
 * (dpt_ipv4_fill_from(), with a spoofed source); the TCP checksum is
 * computed here, not offloaded, so garbage stays garbage on any port.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "gen.h"

#define FLOOD_BURST 64   /* frames per loop iteration, at most */

/* The SYN options of a Linux client, 20 bytes: MSS 1460, SACK-permitted,
 * timestamps (TSval filled in per frame), NOP, window scale 7. */
static const uint8_t syn_opts[20] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7,
};

static uint64_t
rnd(struct gen_worker *gw)
{
	return mix64(++gw->rnd);
}

/* The TCP part of a syn or ack frame. */
static void
fill_tcp(struct gen_worker *gw, struct rte_tcp_hdr *th, uint16_t opt_len)
{
	const struct gen_opts *o = &gw->g->o;
	uint64_t r = rnd(gw);

	th->src_port = rte_cpu_to_be_16((uint16_t)(1024 + r % 64512));
	th->dst_port = rte_cpu_to_be_16(o->port);
	th->sent_seq = (rte_be32_t)(r >> 32);
	th->recv_ack = o->flood == FLOOD_ACK ? (rte_be32_t)rnd(gw) : 0;
	th->data_off = (uint8_t)((sizeof(*th) + opt_len) / 4 << 4);
	th->tcp_flags = o->flood == FLOOD_SYN ? RTE_TCP_SYN_FLAG :
			RTE_TCP_ACK_FLAG;
	th->rx_win = rte_cpu_to_be_16(64240);
	th->cksum = 0;
	th->tcp_urp = 0;
	if (opt_len) {
		uint32_t tsval = (uint32_t)r;

		memcpy(th + 1, syn_opts, sizeof(syn_opts));
		memcpy((uint8_t *)(th + 1) + 8, &tsval, 4);
	}
}

/* One frame: Ethernet room, IPv4 from a random source, then TCP. */
static struct rte_mbuf *
flood_frame(struct gen_worker *gw, struct dpt_worker *w)
{
	const struct gen_opts *o = &gw->g->o;
	uint16_t opt_len = o->flood == FLOOD_SYN ? sizeof(syn_opts) : 0;
	uint16_t l4 = (uint16_t)(sizeof(struct rte_tcp_hdr) + opt_len);
	uint64_t hosts = 1ULL << (32 - o->flood_src_len), r = rnd(gw);
	struct rte_mbuf *m = rte_pktmbuf_alloc(gw->pool);
	struct rte_ipv4_hdr *ip;

	if (o->flood == FLOOD_GARBAGE)
		l4 = (uint16_t)(20 + r % 81);
	if (m == NULL || rte_pktmbuf_append(m, RTE_ETHER_HDR_LEN +
					    sizeof(*ip) + l4) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	dpt_ipv4_fill_from(&w->nif, m, o->flood_src + (uint32_t)(r % hosts),
			   o->target, IPPROTO_TCP, 0,
			   (uint16_t)(sizeof(*ip) + l4), 1);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				     RTE_ETHER_HDR_LEN);
	if (o->flood == FLOOD_GARBAGE) {
		uint8_t *p = (uint8_t *)(ip + 1);

		for (uint16_t i = 0; i < l4; i += 8) {
			uint64_t v = rnd(gw);

			memcpy(p + i, &v, RTE_MIN(8, l4 - i));
		}
		return m;
	}
	fill_tcp(gw, (struct rte_tcp_hdr *)(ip + 1), opt_len);
	((struct rte_tcp_hdr *)(ip + 1))->cksum =
		rte_ipv4_udptcp_cksum(ip, ip + 1);
	return m;
}

void
gen_flood_step(struct gen_worker *gw, struct dpt_worker *w, uint64_t now)
{
	unsigned int n = FLOOD_BURST, i;

	if (gw->flood_rate) { /* a token bucket of at most one burst */
		uint64_t t = rte_rdtsc();

		gw->flood_tokens += (double)(t - gw->flood_tsc) *
				    (double)gw->flood_rate /
				    (double)gw->g->tsc_hz;
		gw->flood_tsc = t;
		if (gw->flood_tokens > FLOOD_BURST)
			gw->flood_tokens = FLOOD_BURST;
		n = (unsigned int)gw->flood_tokens;
		gw->flood_tokens -= n;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = flood_frame(gw, w);

		if (m == NULL) {
			w->stats.c[DPT_STAT_mbuf_alloc_fail]++;
			break;
		}
		dpt_ipv4_output(&w->nif, m, gw->g->o.target, now);
	}
	cnt_add(&gw->n.flood_pkts, i);
}

/* --mode flood: no connections; the flood runs from the hook. */
static int
flood_check(const struct gen *g)
{
	if (g->o.flood == FLOOD_NONE) {
		fprintf(stderr, "dptcp-gen: --mode flood needs --flood syn, "
			"ack or garbage\n");
		return -1;
	}
	return 0;
}

static void
flood_step(struct gen_worker *gw, struct dpt_worker *w, uint64_t now)
{
	(void)gw;
	(void)w;
	(void)now;
}

static void
flood_stop(struct gen_conn *x, uint64_t now)
{
	(void)x;
	(void)now;
}

const struct gen_mode gen_mode_flood = {
	.name = "flood",
	.help = "no connections: only the --flood, at --rate",
	.flags = GM_NO_CONNS,
	.check = flood_check,
	.step = flood_step,
	.stop = flood_stop,
};
