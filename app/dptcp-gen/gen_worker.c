/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_worker.c: dptcp-gen on a worker lcore, whatever the mode: the
 * bookkeeping of its connections, the wait for the peer to answer ARP, and
 * the engine's per-iteration hook that drives the mode.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "gen.h"

#define PING_US (100 * DPT_US_PER_MS)    /* ARP prompts while waiting */
#define PING_IDENT 0x6467                /* "dg" */

/* ---- connections: the part every mode shares ------------------------- */

void
gen_conn_set(struct gen_conn *x, enum conn_state s)
{
	struct gen_worker *gw = x->gw;

	if (x->state == CONN_OPEN)
		cnt_add(&gw->n.open, -1ULL);
	if (x->state == CONN_CONNECTING)
		gw->n_connecting--;
	if (s == CONN_OPEN) {
		cnt_add(&gw->n.open, 1);
		cnt_add(&gw->n.made, 1);
	}
	if (s == CONN_CONNECTING)
		gw->n_connecting++;
	x->state = s;
}

void
gen_conn_left(struct gen_conn *x, uint64_t now)
{
	struct gen_worker *gw = x->gw;

	gen_conn_set(x, CONN_DONE);
	x->c = NULL;
	cnt_add(&gw->n.left, -1ULL);
	if (gw->n.left == 0)
		__atomic_store_n(&gw->n.t_finish, now, __ATOMIC_RELAXED);
	if (!x->hold) {
		cnt_add(&gw->n.load_left, -1ULL);
		if (gw->n.load_left == 0)
			__atomic_store_n(&gw->n.t_load_finish, now,
					 __ATOMIC_RELAXED);
	}
}

void
gen_conn_failed(struct gen_conn *x, enum gen_fail why, uint64_t now)
{
	cnt_add(&x->gw->n.failed, 1);
	cnt_add(&x->gw->n.fail[why], 1);
	gen_conn_left(x, now);
}

/* The stack ended the connection (DPT_TCP_EV_CLOSED): the handle dies. */
enum gen_fail
gen_fail_reason(const struct dpt_tcb *c)
{
	switch (dpt_tcp_error(c)) {
	case DPT_TCP_ERR_REFUSED:
		return FAIL_REFUSED;
	case DPT_TCP_ERR_RESET:
		return FAIL_RESET;
	case DPT_TCP_ERR_TIMEOUT:
		return FAIL_TIMEOUT;
	default:
		return FAIL_LOCAL;
	}
}

/* Finished: count the outcome and, if the handle is still ours, close it
 * (all it received has been read, so this is a FIN, not a RST). */
void
gen_conn_finish(struct gen_conn *x, int goal_met, uint64_t now)
{
	struct gen_worker *gw = x->gw;

	if (goal_met) {
		cnt_add(&gw->n.completed, 1);
		if (x->sha != NULL) {
			uint8_t d[2][SHA256_DIGEST_LENGTH];

			SHA256Final(d[0], &x->sha[0]);
			SHA256Final(d[1], &x->sha[1]);
			cnt_add(memcmp(d[0], d[1], sizeof(d[0])) == 0 ?
				&gw->n.verified : &gw->n.mismatched, 1);
		}
	}
	if (x->c != NULL)
		dpt_tcp_close(x->c, now);
	gen_conn_left(x, now);
}

void
gen_conn_open(struct gen_worker *gw, struct gen_conn *x, struct dpt_worker *w,
	  dpt_tcp_handler_t handler, uint64_t now)
{
	const struct gen_opts *o = &gw->g->o;
	/* connection i leaves from our address i mod --sources: each has the
	 * whole ephemeral range towards the target */
	uint32_t laddr = w->nif.addr +
			 (uint32_t)((uint64_t)(x - gw->g->conns) % o->sources);

	if (o->v6)
		x->c = dpt_tcp_connect_addr(w->tcp, &(struct dpt_ipaddr){
			.family = DPT_AF_INET6, .v6 = o->target6 }, o->port, 0,
			handler, x, now);
	else
		x->c = dpt_tcp_connect_from(w->tcp, laddr, o->target, o->port,
					    0, handler, x, now);
	if (x->c == NULL)
		return gen_conn_failed(x, FAIL_LOCAL, now);
	gen_conn_set(x, CONN_CONNECTING);
	if (gw->g->snd_cap)
		dpt_tcp_setopt(x->c, DPT_TCP_SNDBUF, gw->g->snd_cap, now);
	if (gw->g->rcv_cap)
		dpt_tcp_setopt(x->c, DPT_TCP_RCVBUF, gw->g->rcv_cap, now);
}

/* ---- waiting for the peer --------------------------------------------- */

/* An ICMP echo request to the target: it makes the neighbour cache ask
 * for the next hop, and shows the peer alive in icmp_rx_echo_reply. */
void
gen_send_ping(struct gen_worker *gw, struct dpt_worker *w, uint64_t now)
{
	const uint32_t off = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr);
	struct rte_mbuf *m = rte_pktmbuf_alloc(gw->pool);
	struct rte_icmp_hdr *h;

	if (m == NULL || rte_pktmbuf_append(m, off + sizeof(*h)) == NULL) {
		w->stats.c[DPT_STAT_mbuf_alloc_fail]++;
		rte_pktmbuf_free(m);
		return;
	}
	h = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, off);
	memset(h, 0, sizeof(*h));
	h->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	h->icmp_ident = rte_cpu_to_be_16(PING_IDENT);
	h->icmp_seq_nb = rte_cpu_to_be_16(gw->ping_seq++);
	h->icmp_cksum = (uint16_t)~rte_raw_cksum(h, sizeof(*h));
	dpt_ipv4_fill(&w->nif, m, gw->g->o.target, IPPROTO_ICMP, 0,
		      sizeof(struct rte_ipv4_hdr) + sizeof(*h), 1);
	dpt_ipv4_output(&w->nif, m, gw->g->o.target, now);
}

/* An ICMPv6 echo request (RFC 4443 4.1) to an IPv6 target, as
 * gen_send_ping() over IPv4: Neighbor Discovery resolves the next hop for
 * it. Nothing goes while our address is tentative (DAD). */
static void
send_ping6(struct gen_worker *gw, struct dpt_worker *w, uint64_t now)
{
	const uint32_t off = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr);
	const struct dpt_in6 *src = dpt_netif_addr6(&w->nif);
	const struct dpt_in6 *dst = &gw->g->o.target6;
	struct rte_mbuf *m;
	uint8_t *h;
	uint32_t sum;

	if (src == NULL)
		return;
	m = rte_pktmbuf_alloc(gw->pool);
	if (m == NULL || rte_pktmbuf_append(m, off + 8) == NULL) {
		w->stats.c[DPT_STAT_mbuf_alloc_fail]++;
		rte_pktmbuf_free(m);
		return;
	}
	h = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	memset(h, 0, 8);
	h[0] = 128; /* echo request */
	h[4] = PING_IDENT >> 8;
	h[5] = PING_IDENT & 0xff;
	h[6] = (uint8_t)(gw->ping_seq >> 8);
	h[7] = (uint8_t)gw->ping_seq++;
	sum = dpt_ipv6_phdr_sum(src, dst, 8, IPPROTO_ICMPV6) +
	      rte_raw_cksum(h, 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*(uint16_t *)(h + 2) = (uint16_t)~sum;
	dpt_ipv6_fill_from(&w->nif, m, src, dst, IPPROTO_ICMPV6, 0, 0, 8);
	dpt_ipv6_output(&w->nif, m, dst, now);
}

/* The next hop's state in the neighbour cache of its family. */
static enum dpt_neigh_state
peer_state(const struct gen_worker *gw, const struct dpt_worker *w)
{
	struct rte_ether_addr mac;

	return gw->g->o.v6 ?
		dpt_neigh6_lookup(w->neigh6, &gw->nexthop6, &mac) :
		dpt_neigh_lookup(w->neigh, gw->nexthop, &mac);
}

/* Connecting before the next hop answers ARP (or Neighbor Discovery)
 * would only lose SYNs to the neighbour cache's give-up and wait out SYN
 * back-off, and UDP's first datagrams with them; so ask first. The cache
 * itself retries an unanswered request every [arp] retrans; a new prompt
 * goes out only once it has given up. */
static int
peer_ready(struct gen_worker *gw, struct dpt_worker *w, uint64_t now)
{
	enum dpt_neigh_state s;

	if (gw->g->o.wait_peer_us == 0)
		return 1;
	s = peer_state(gw, w);
	if (s == DPT_NEIGH_REACHABLE || s == DPT_NEIGH_STALE)
		return 1;
	if (gw->t_wait_end == 0)
		gw->t_wait_end = now + gw->g->o.wait_peer_us;
	if (now >= gw->t_wait_end) {
		for (uint32_t i = 0; i < gw->n_conns; i++)
			gen_conn_failed(&gw->conns[i], FAIL_NO_PEER, now);
		if (gw->n_conns == 0) /* a flood alone: say why it ended */
			cnt_add(&gw->n.fail[FAIL_NO_PEER], 1);
		gw->phase = PH_STOPPED;
		return 0;
	}
	if (s == DPT_NEIGH_FREE && now >= gw->t_ping) {
		if (gw->g->o.v6)
			send_ping6(gw, w, now);
		else
			gen_send_ping(gw, w, now);
		gw->t_ping = now + PING_US;
	}
	return 0;
}

/* The engine's per-iteration hook, on each worker lcore. */
void
gen_hook(struct dpt_worker *w, uint64_t now, void *arg)
{
	struct gen *g = arg;
	struct gen_worker *gw = &g->workers[w->index];
	const struct gen_mode *mode = g->o.mode;

	/* the replies the last iteration read, in one bulk free */
	if (gw->n_rx_free > 0)
		gen_rr_release(gw);
	if (gw->phase == PH_STOPPED)
		return;
	if (gw->phase == PH_STOPPING ||
	    __atomic_load_n(&g->stop, __ATOMIC_RELAXED)) {
		gw->phase = PH_STOPPING;
		/* the mode's own first, --hold's after: the load ends when
		 * told, not behind the closes of N idle ones (which would
		 * slow it while the clock runs) */
		for (unsigned int k = 0; k < OPEN_BURST &&
		     gw->next_stop < gw->n_conns; k++)
			mode->stop(&gw->conns[(gw->next_stop++ + gw->n_hold) %
					      gw->n_conns], now);
		if (gw->next_stop == gw->n_conns)
			gw->phase = PH_STOPPED;
		return;
	}
	if (gw->phase == PH_WAIT_PEER) {
		if (!peer_ready(gw, w, now))
			return;
		gw->phase = PH_RUN;
		__atomic_store_n(&gw->n.t_start, now, __ATOMIC_RELAXED);
	}
	mode->step(gw, w, now);
}
