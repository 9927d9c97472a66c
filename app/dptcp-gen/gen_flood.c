/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_flood.c: dptcp-gen's stateless flood, like pktgen's: frames handed
 * to the port at --rate packets per second (shared by the workers; 0 = as
 * fast as the loop goes), beside the connections of any mode or alone
 * (--mode flood). It keeps no state per packet.
 *
 * - syn: SYNs from random sources in --flood-src and random ports, with
 *   the options Linux sends (MSS, SACK-permitted, timestamps, window
 *   scale), so a server's SYN cookies have all of them to encode;
 * - ack: ACKs with random sequence and acknowledgment numbers, as the
 *   third segment of a handshake that never happened (a cookie to check);
 * - rst: RSTs with random sequence numbers, for no connection;
 * - garbage: a valid IPv4 header to the target's address with 20 to 100
 *   random bytes as TCP: header fields, options and checksum at random;
 * - udp: 64-byte frames of UDP to random ports of the target;
 * - proto: 64-byte frames of IP protocol 253 (RFC 3692's experiments).
 * The TCP kinds go to the target's port, a listener's.
 *
 * Cost: each worker builds one frame once (Ethernet to the next hop,
 * IPv4, the fixed part of the L4 header) and every flood frame is a copy
 * of it with its random fields and checksums filled in, in mbufs taken in
 * bulk: ~100 instructions a frame, so the flood takes little of the loop
 * that also runs the connections being measured. The flood runs in the
 * engine's late hook, after the iteration's flush, so in each burst the
 * connections' segments go out ahead of it, and at most --flood-burst
 * frames (64) an iteration: a connection's segment that arrives while the
 * flood is built waits for no more than that (~2.5 us at 64, ~0.3 us at
 * 8; but at 8 the loop's own cost per iteration keeps this generator
 * below 3 Mpps here). --flood-dry builds the frames
 * and frees them instead: what the flood costs the generator alone.
 *
 * The sources are spoofed: whatever the server answers goes to the next
 * hop's MAC (this generator, with a route through it) and is dropped here
 * as not addressed to us (counted). Checksums are computed here, not
 * offloaded, so garbage stays garbage on any port.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "gen.h"

#define FLOOD_PROTO_NUM 253 /* RFC 3692: for experimentation */
#define L3_OFF RTE_ETHER_HDR_LEN
#define L4_OFF (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))
#define SMALL_FRAME 64      /* udp, proto: the minimum Ethernet frame
			     * less its FCS, as pktgen's default */

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

/* Bytes of L4 header (and payload) in the template of @p kind. */
static uint16_t
l4_len(enum gen_flood kind)
{
	switch (kind) {
	case FLOOD_SYN:
		return sizeof(struct rte_tcp_hdr) + sizeof(syn_opts);
	case FLOOD_ACK:
	case FLOOD_RST:
		return sizeof(struct rte_tcp_hdr);
	case FLOOD_GARBAGE:
		return 100; /* room; each frame takes 20..100 of it */
	default:
		return SMALL_FRAME - L4_OFF;
	}
}

/* The frame every flood frame of this worker starts as. */
static void
build_template(struct gen_worker *gw, const struct dpt_worker *w,
	       const struct rte_ether_addr *dst)
{
	const struct gen_opts *o = &gw->g->o;
	uint8_t *p = gw->flood_tpl;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + L3_OFF);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(p + L4_OFF);
	uint16_t l4 = l4_len(o->flood);

	RTE_BUILD_BUG_ON(L4_OFF + 100 > sizeof(gw->flood_tpl));
	memset(p, 0, sizeof(gw->flood_tpl));
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(&w->nif.mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4));
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = w->nif.ttl;
	ip->next_proto_id = o->flood == FLOOD_UDP ? IPPROTO_UDP :
			    o->flood == FLOOD_PROTO ? FLOOD_PROTO_NUM :
			    IPPROTO_TCP;
	ip->dst_addr = rte_cpu_to_be_32(o->target);
	switch (o->flood) {
	case FLOOD_SYN:
		memcpy(th + 1, syn_opts, sizeof(syn_opts));
		/* fall through */
	case FLOOD_ACK:
	case FLOOD_RST:
		th->dst_port = rte_cpu_to_be_16(o->port);
		th->data_off = (uint8_t)(l4 / 4 << 4);
		th->tcp_flags = o->flood == FLOOD_SYN ? RTE_TCP_SYN_FLAG :
				o->flood == FLOOD_ACK ? RTE_TCP_ACK_FLAG :
				RTE_TCP_RST_FLAG;
		th->rx_win = RTE_BE16(64240);
		break;
	case FLOOD_UDP:
		((struct rte_udp_hdr *)th)->dgram_len = rte_cpu_to_be_16(l4);
		break;
	default:
		break;
	}
	gw->flood_len = (uint16_t)(L4_OFF + l4);
}

/* Random bytes over @p len bytes at @p p. */
static void
fill_random(struct gen_worker *gw, uint8_t *p, uint16_t len)
{
	for (uint16_t i = 0; i < len; i += 8) {
		uint64_t v = rnd(gw);

		memcpy(p + i, &v, RTE_MIN(8, len - i));
	}
}

/* One frame into @p m: the template, then its random fields. */
static void
fill_frame(struct gen_worker *gw, struct rte_mbuf *m)
{
	const struct gen_opts *o = &gw->g->o;
	uint64_t hosts = 1ULL << (32 - o->flood_src_len), r = rnd(gw);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + L3_OFF);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(p + L4_OFF);
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)th;
	uint16_t len = gw->flood_len;
	uint32_t tsval = (uint32_t)r;

	memcpy(p, gw->flood_tpl, len);
	ip->src_addr = rte_cpu_to_be_32(o->flood_src + (uint32_t)(r % hosts));
	r = rnd(gw);
	switch (o->flood) {
	case FLOOD_SYN:
		memcpy((uint8_t *)(th + 1) + 8, &tsval, 4);
		/* fall through */
	case FLOOD_ACK:
	case FLOOD_RST:
		th->src_port = rte_cpu_to_be_16((uint16_t)(1024 + r % 64512));
		th->sent_seq = (rte_be32_t)(r >> 32);
		if (o->flood == FLOOD_ACK)
			th->recv_ack = (rte_be32_t)rnd(gw);
		break;
	case FLOOD_GARBAGE:
		len = (uint16_t)(L4_OFF + 20 + r % 81);
		fill_random(gw, (uint8_t *)th, (uint16_t)(len - L4_OFF));
		ip->total_length = rte_cpu_to_be_16((uint16_t)(len - L3_OFF));
		break;
	case FLOOD_UDP:
		uh->src_port = rte_cpu_to_be_16((uint16_t)(1024 + r % 64512));
		uh->dst_port = rte_cpu_to_be_16((uint16_t)(1 + (r >> 16) %
							   65535));
		break;
	default:
		break;
	}
	m->data_len = len;
	m->pkt_len = len;
	ip->hdr_checksum = (uint16_t)~dpt_raw_cksum(ip, sizeof(*ip));
	if (o->flood == FLOOD_SYN || o->flood == FLOOD_ACK ||
	    o->flood == FLOOD_RST)
		th->cksum = dpt_ipv4_l4_cksum(m, ip, L4_OFF);
	else if (o->flood == FLOOD_UDP)
		uh->dgram_cksum = dpt_ipv4_l4_cksum(m, ip, L4_OFF);
}

/* How many frames this iteration: from a token bucket at the worker's
 * share of --rate, FLOOD_BURST_MAX deep (a stall of the loop is made up
 * over the next iterations), at most --flood-burst; --flood-burst when
 * flat out. */
static unsigned int
flood_quota(struct gen_worker *gw)
{
	uint64_t t;
	unsigned int n;

	if (!gw->flood_rate)
		return gw->g->o.flood_burst;
	t = rte_rdtsc();
	gw->flood_tokens += (double)(t - gw->flood_tsc) *
			    (double)gw->flood_rate / (double)gw->g->tsc_hz;
	gw->flood_tsc = t;
	if (gw->flood_tokens > FLOOD_BURST_MAX)
		gw->flood_tokens = FLOOD_BURST_MAX;
	n = RTE_MIN((unsigned int)gw->flood_tokens, gw->g->o.flood_burst);
	gw->flood_tokens -= n;
	return n;
}

/* The next hop's MAC, known once it answered ARP: the template is built
 * then. Until it is, a ping every 100 ms makes the neighbour cache ask
 * (with --wait-peer 0 nothing else may). */
static int
flood_ready(struct gen_worker *gw, struct dpt_worker *w, uint64_t now)
{
	struct rte_ether_addr mac;
	enum dpt_neigh_state s;

	if (gw->flood_len != 0)
		return 1;
	s = dpt_neigh_lookup(w->neigh, gw->nexthop, &mac);
	if (s == DPT_NEIGH_REACHABLE || s == DPT_NEIGH_STALE) {
		build_template(gw, w, &mac);
		return 1;
	}
	if (now >= gw->t_ping) {
		gen_send_ping(gw, w, now);
		gw->t_ping = now + 100 * DPT_US_PER_MS;
	}
	return 0;
}

void
gen_hook_late(struct dpt_worker *w, uint64_t now, void *arg)
{
	struct gen *g = arg;
	struct gen_worker *gw = &g->workers[w->index];
	struct rte_mbuf *ms[FLOOD_BURST_MAX];
	unsigned int n;

	if (g->o.flood == FLOOD_NONE || gw->phase != PH_RUN ||
	    __atomic_load_n(&g->stop, __ATOMIC_RELAXED))
		return;
	n = flood_quota(gw);
	if (n == 0 || !flood_ready(gw, w, now))
		return;
	if (rte_pktmbuf_alloc_bulk(gw->pool, ms, n) != 0) {
		w->stats.c[DPT_STAT_mbuf_alloc_fail]++;
		return;
	}
	for (unsigned int i = 0; i < n; i++)
		fill_frame(gw, ms[i]);
	if (g->o.flood_dry)
		rte_pktmbuf_free_bulk(ms, n);
	else
		for (unsigned int i = 0; i < n; i++)
			dpt_tx_push(&w->tx, ms[i]);
	cnt_add(&gw->n.flood_pkts, n);
}

/* --mode flood: no connections; the flood runs from the late hook. */
static int
flood_check(const struct gen *g)
{
	if (g->o.flood == FLOOD_NONE) {
		fprintf(stderr, "dptcp-gen: --mode flood needs --flood syn, "
			"ack, rst, garbage, udp or proto\n");
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
