/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_engine.c: port + workers + their loop; see dpt_engine.h. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "dpt_engine.h"
#include "dpt_heap.h"
#include "dpt_quiesce.h"

/* The oldest frame of @q, which is not empty. */
static struct rte_mbuf *
lateq_pop(struct dpt_lateq *q)
{
	struct rte_mbuf *m = q->m[q->head];

	q->head = (q->head + 1) & (q->cap - 1);
	q->n--;
	return m;
}

void
dpt_clock_init(struct dpt_clock *c)
{
	c->mult = (uint64_t)(((unsigned __int128)1000000 << 32) /
			     rte_get_tsc_hz());
}

/* Mbufs of the port's pool kept for reception: a sixteenth of it, at
 * least 512. TCP queues no new data and reassembly holds no fragment
 * below it. */
static uint32_t
rx_reserve(const struct dpt_engine *e)
{
	return RTE_MAX(e->port.pool->size / 16, 512u);
}

/* A worker's TCP and its services. Start-up is single-threaded, so the
 * EAL heap's growth around a worker's creation is exactly what it took
 * (dpt_heap_used()). */
static int
worker_tcp(struct dpt_engine *e, struct dpt_worker *w,
	   const struct dpt_engine_params *p, const uint8_t secret[16])
{
	struct dpt_tcp_params tp = {
		.socket_id = e->port.socket_id,
		.conf = &p->conf->tcp,
		.nif = &w->nif,
		.hdr_pool = e->hdr_pool,
		.data_pool = e->port.pool,
		.rx_pool = e->port.pool,
		.rx_reserve = rx_reserve(e),
		.stats = &w->stats,
		.port_ok = p->n_lcores > 1 ? dpt_dispatch_port_ok : NULL,
		.port_ok6 = p->n_lcores > 1 ? dpt_dispatch_port_ok6 : NULL,
		.port_ok_arg = w,
		.tx_cksum_offload = !!(e->port.tx_offloads &
				       RTE_ETH_TX_OFFLOAD_TCP_CKSUM),
		.cksum_none = e->port.cksum_none,
		.now = dpt_clock_us(&w->clock),
	};
	size_t heap0 = dpt_heap_used(e->port.socket_id);
	char name[64];

	snprintf(name, sizeof(name), "dpt_tcp_%u", w->lcore_id);
	tp.name = name;
	memcpy(tp.secret, secret, sizeof(tp.secret));
	w->tcp = dpt_tcp_create(&tp);
	w->mem_ctx = dpt_heap_used(e->port.socket_id) - heap0;
	if (w->tcp == NULL)
		return -rte_errno;
	w->ctl = p->life;
	w->life.socket_id = e->port.socket_id;
	/* service state: what connections hold while producing output or
	 * holding a request ([lcores] service_states; idle ones hold none) */
	w->life.svc_states = p->conf->lcores.service_states ?
			     p->conf->lcores.service_states :
			     RTE_MAX(p->conf->tcp.max_conns / 4, 64u);
	w->life.clone_pool = e->hdr_pool;
	w->life.data_pool = e->port.pool;
	for (unsigned int i = 0; i < p->n_svcs; i++) {
		int rc = dpt_life_svc_start(w, &p->svcs[i]);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* A worker's UDP sockets (before its services, which bind theirs). */
static int
worker_udp(struct dpt_engine *e, struct dpt_worker *w,
	   const struct dpt_engine_params *p, const uint8_t secret[16])
{
	char name[64];

	snprintf(name, sizeof(name), "dpt_udp_%u", w->lcore_id);
	w->udp = dpt_udp_create(&(struct dpt_udp_params){
		.name = name, .socket_id = e->port.socket_id, .nif = &w->nif,
		.hdr_pool = e->hdr_pool, .data_pool = e->port.pool,
		.stats = &w->stats,
		.port_ok = p->n_lcores > 1 ? dpt_dispatch_port_ok : NULL,
		.port_ok6 = p->n_lcores > 1 ? dpt_dispatch_port_ok6 : NULL,
		.port_ok_arg = w,
		.tx_cksum_offload = !!(e->port.tx_offloads &
				       RTE_ETH_TX_OFFLOAD_UDP_CKSUM),
		.cksum_none = e->port.cksum_none,
		.seed = (uint32_t)secret[0] << 8 ^ secret[1] ^ w->index });
	return w->udp == NULL ? -rte_errno : 0;
}

/* A worker's reassembly table (unless [ip] reass_datagrams is 0) and
 * path MTU cache. */
static int
worker_ip(struct dpt_engine *e, struct dpt_worker *w,
	  const struct dpt_conf *conf)
{
	char name[64];

	snprintf(name, sizeof(name), "dpt_frag_%u", w->lcore_id);
	if (conf->netif.frag.datagrams > 0) {
		w->frag = dpt_frag_create(&(struct dpt_frag_params){
			.name = name, .socket_id = e->port.socket_id,
			.conf = &conf->netif.frag, .rx_pool = e->port.pool,
			.rx_reserve = rx_reserve(e), .stats = &w->stats });
		if (w->frag == NULL)
			return -ENOMEM;
	}
	w->pmtu = dpt_pmtu_create(&(struct dpt_pmtu_params){
		.socket_id = e->port.socket_id, .conf = &conf->netif.pmtu,
		.mtu = (uint16_t)conf->netif.mtu, .stats = &w->stats });
	if (w->pmtu == NULL) {
		dpt_frag_free(w->frag);
		return -ENOMEM;
	}
	/* IPv6's ND cache, with [arp]'s sizes and times */
	if (!dpt_in6_is_unspec(&conf->netif.addr6)) {
		snprintf(name, sizeof(name), "dpt_nd_%u", w->lcore_id);
		w->neigh6 = dpt_neigh_create(&(struct dpt_neigh_params){
			.name = name, .socket_id = e->port.socket_id,
			.conf = &conf->arp, .family = 6 });
		w->pmtu6 = dpt_pmtu_create(&(struct dpt_pmtu_params){
			.socket_id = e->port.socket_id,
			.conf = &conf->netif.pmtu, .family = 6,
			.mtu = (uint16_t)conf->netif.mtu, .stats = &w->stats });
		if (w->neigh6 == NULL || w->pmtu6 == NULL) {
			dpt_neigh_free(w->neigh6);
			dpt_pmtu_free(w->pmtu6);
			dpt_frag_free(w->frag);
			dpt_pmtu_free(w->pmtu);
			return -ENOMEM;
		}
	}
	return 0;
}

static void
worker_ip_free(struct dpt_worker *w)
{
	dpt_frag_free(w->frag);
	dpt_pmtu_free(w->pmtu);
	dpt_neigh_free(w->neigh6);
	dpt_pmtu_free(w->pmtu6);
	w->frag = NULL;
	w->pmtu = NULL;
	w->neigh6 = NULL;
	w->pmtu6 = NULL;
}

static struct dpt_worker *
worker_create(struct dpt_engine *e, const struct dpt_engine_params *p,
	      unsigned int idx)
{
	const struct dpt_conf *conf = p->conf;
	char name[64];
	struct dpt_neigh_params np = {
		.name = name,
		.socket_id = e->port.socket_id,
		.conf = &conf->arp,
	};
	struct dpt_worker *w;

	w = rte_zmalloc_socket("dpt_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
			       e->port.socket_id);
	if (w == NULL)
		return NULL;
	snprintf(name, sizeof(name), "dpt_neigh_%u", p->lcores[idx]);
	w->neigh = dpt_neigh_create(&np);
	if (w->neigh == NULL) {
		rte_free(w);
		return NULL;
	}
	w->lcore_id = p->lcores[idx];
	w->index = idx;
	w->quit = p->quit;
	w->syn_budget = conf->tcp.syn_budget;
	w->idle = conf->lcores.idle;
	w->idle_spins = conf->lcores.idle_spins;
	w->idle_sleep_ns = conf->lcores.idle_sleep_us * 1000;
	w->lateq = (struct dpt_lateq){ .cap = DPT_LATEQ_SIZE,
				       .m = w->lateq_m };
	w->lateq_known = (struct dpt_lateq){ .cap = DPT_LATEQ_KNOWN,
					     .m = w->lateq_known_m };
	w->app = p->app;
	w->app_late = p->app_late;
	w->app_arg = p->app_args ? p->app_args[idx] : NULL;
	w->txq.port_id = e->port.port_id;
	w->txq.queue_id = idx < e->port.nb_queues ? (uint16_t)idx : 0;
	/* without a queue pair of its own, it sends through worker 0 */
	w->tx.send = idx < e->port.nb_queues ? dpt_port_tx_send :
		     dpt_dispatch_tx_send;
	w->tx.arg = idx < e->port.nb_queues ? (void *)&w->txq : (void *)w;
	w->tx.relay = idx >= e->port.nb_queues;
	w->tx.stats = &w->stats;
	w->tx.max_frame = conf->netif.mtu + RTE_ETHER_HDR_LEN;
	/* TCP sends up to 64 KB at once: the PMD cuts it to frames (TSO,
	 * which dpt_port.c turns on only with TCP checksum offload), or
	 * dpt_gso.c does, taking headers from the header pool. The
	 * impairment layer must see the frames, so never TSO with it. */
	w->tx.gso_pool = e->hdr_pool;
	w->tx.no_cksum = e->port.cksum_none != 0;
	w->tx.tso = (e->port.tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO) &&
		    !dpt_impair_on(&conf->impair);
	if (worker_ip(e, w, conf) != 0) {
		dpt_neigh_free(w->neigh);
		rte_free(w);
		return NULL;
	}
	if (dpt_impair_on(&conf->impair)) {
		w->impair = dpt_impair_create(&(struct dpt_impair_params){
			.conf = &conf->impair, .index = idx,
			.socket_id = e->port.socket_id, .pool = e->port.pool,
			.stats = &w->stats, .send = w->tx.send,
			.send_arg = w->tx.arg });
		if (w->impair == NULL) {
			worker_ip_free(w);
			dpt_neigh_free(w->neigh);
			rte_free(w);
			return NULL;
		}
		w->tx.send = dpt_impair_tx;
		w->tx.arg = w->impair;
	}
	dpt_clock_init(&w->clock);
	dpt_netif_init(&w->nif, &(struct dpt_netif_params){
		.conf = &conf->netif,
		.mac = &e->port.mac,
		.tx_ip_cksum = !!(e->port.tx_offloads &
				  RTE_ETH_TX_OFFLOAD_IPV4_CKSUM),
		.cksum_none = e->port.cksum_none,
		.pool = e->port.pool,
		.stats = &w->stats,
		.tx = &w->tx,
		.neigh = w->neigh,
		.frag = w->frag,
		.pmtu = w->pmtu,
		.hdr_pool = e->hdr_pool,
		.neigh6 = w->neigh6,
		.pmtu6 = w->pmtu6,
		.nd_retrans_us = conf->arp.retrans_us,
		.nd_lead = idx == 0,
		.lcore_index = (uint16_t)idx,
		.n_lcores = (uint16_t)p->n_lcores,
	});
	/* reader idx of the grace periods a PMD's teardown waits for */
	w->qsbr = dpt_quiesce_qsbr();
	if (w->qsbr == NULL ||
	    rte_rcu_qsbr_thread_register(w->qsbr, idx) != 0) {
		dpt_impair_free(w->impair);
		dpt_neigh_free(w->neigh);
		rte_free(w);
		return NULL;
	}
	return w;
}

static void
worker_free(struct dpt_worker *w)
{
	uint64_t now = dpt_clock_us(&w->clock); /* the last resets' time */

	/* This thread sends the worker's last segments through the port:
	 * it is that worker for the grace periods meanwhile. */
	dpt_quiesce_online(w->qsbr, w->index);
	/* SYNs the loop left waiting */
	while (w->lateq.n > 0)
		rte_pktmbuf_free(lateq_pop(&w->lateq));
	while (w->lateq_known.n > 0)
		rte_pktmbuf_free(lateq_pop(&w->lateq_known));
	dpt_life_worker_free(w, now);
	dpt_tcp_free(w->tcp, now);
	dpt_udp_free(w->udp);
	dpt_tx_flush(&w->tx);
	dpt_quiesce_offline(w->qsbr, w->index);
	rte_rcu_qsbr_thread_unregister(w->qsbr, w->index);
	dpt_dispatch_free(w);
	dpt_conns_free(w);
	worker_ip_free(w);
	dpt_impair_free(w->impair);
	dpt_neigh_free(w->neigh);
	rte_free(w);
}

/* IPv6: the port receives the all-nodes group and the solicited-node
 * group of each of our addresses (RFC 4861 7.2.1, RFC 4291 2.7.1), one
 * Ethernet group per distinct low 24 bits (RFC 2464 7). */
static void
join_groups6(struct dpt_engine *e, const struct dpt_netif_conf *c)
{
	static const struct dpt_in6 all_nodes = { .b = { 0xff, 0x02, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 } };
	struct rte_ether_addr mc[65];
	uint32_t n = 0;

	dpt_in6_mcast_mac(&all_nodes, &mc[n++]);
	for (uint32_t i = 0; i < c->n_addrs6 && i < 64; i++) {
		struct dpt_in6 a = c->addr6, sn;
		uint32_t low = dpt_in6_low32(&a) + i;

		a.b[13] = (uint8_t)(low >> 16);
		a.b[14] = (uint8_t)(low >> 8);
		a.b[15] = (uint8_t)low;
		dpt_in6_solicited_node(&a, &sn);
		dpt_in6_mcast_mac(&sn, &mc[n++]);
	}
	dpt_port_join_groups(&e->port, mc, n);
}

/* Headers and indirect mbufs: what is in TX rings, ARP queues and HTTP
 * send queues at once; small buffers (headers never exceed 94 bytes). */
static int
create_hdr_pool(struct dpt_engine *e, const struct dpt_engine_params *p)
{
	uint64_t n = (uint64_t)p->n_lcores * (4 * p->conf->port.tx_desc +
					      32768);

	e->hdr_pool = rte_pktmbuf_pool_create("dpt_hdr", (uint32_t)(
		rte_align64pow2(n) - 1), 256, 0, RTE_PKTMBUF_HEADROOM + 128,
		e->port.socket_id);
	return e->hdr_pool == NULL ? -ENOMEM : 0;
}

static int
create_workers(struct dpt_engine *e, const struct dpt_engine_params *p,
	       char *err, size_t err_len)
{
	uint8_t secret[16];

	/* RFC 6528 3: the ISN secret must be unpredictable. */
	if (getrandom(secret, sizeof(secret), 0) != sizeof(secret)) {
		snprintf(err, err_len, "getrandom: %s", strerror(errno));
		return -EIO;
	}
	for (unsigned int i = 0; i < p->n_lcores; i++) {
		size_t heap0 = dpt_heap_used(e->port.socket_id);
		struct dpt_worker *w = worker_create(e, p, i);
		int rc = w ? 0 : -ENOMEM;

		if (w != NULL) {
			e->workers[e->n_workers++] = w;
			rc = dpt_dispatch_init(w, &e->port, e->workers);
			/* reassembled datagrams go to their owners */
			if (p->n_lcores > 1) {
				w->nif.handoff = dpt_dispatch_handoff;
				w->nif.handoff_arg = w;
			}
		}
		if (rc == 0)
			rc = dpt_conns_init(w, p->conf->tcp.max_conns,
					    e->port.socket_id);
		if (rc == 0)
			rc = worker_udp(e, w, p, secret);
		if (rc == 0) {
			size_t heap1 = dpt_heap_used(e->port.socket_id);

			rc = worker_tcp(e, w, p, secret);
			w->mem_tcp = dpt_heap_used(e->port.socket_id) - heap1;
			w->mem_all = dpt_heap_used(e->port.socket_id) - heap0;
		}
		if (rc != 0) {
			snprintf(err, err_len, "lcore %u: cannot create its "
				 "tables (%s): give EAL more memory (-m)",
				 p->lcores[i], rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* The clients' server on the shared pool, each worker's side of it, and
 * its control thread. */
static int
create_embed(struct dpt_engine *e, const struct dpt_engine_params *p,
	     char *err, size_t err_len)
{
	const struct dpt_embed_conf *ec = &p->conf->embed;
	char path[DPT_EMBED_PATH_LEN + 64];

	if (ec->path[0] != '\0')
		snprintf(path, sizeof(path), "%s", ec->path);
	else
		snprintf(path, sizeof(path), "%s/dptcp.sock",
			 rte_eal_get_runtime_dir());
	e->embed = dpt_embed_create(&(struct dpt_embed_params){
		.conf = ec, .path = path, .n_workers = e->n_workers,
		.pool = &e->port.shm, .rcvbuf = p->conf->tcp.rcvbuf,
		.sndbuf = p->conf->tcp.sndbuf, .cc = p->conf->tcp.cc,
		.max_handles = p->conf->tcp.max_conns });
	if (e->embed == NULL) {
		snprintf(err, err_len, "cannot serve clients on %s: %s", path,
			 rte_strerror(rte_errno));
		return -rte_errno;
	}
	for (unsigned int i = 0; i < e->n_workers; i++) {
		struct dpt_worker *w = e->workers[i];

		w->embed = dpt_embed_worker_create(e->embed, i, w->tcp,
						   &w->stats, e->hdr_pool);
		if (w->embed == NULL) {
			snprintf(err, err_len, "out of memory for clients");
			return -ENOMEM;
		}
		dpt_embed_worker_set_udp(w->embed, w->udp);
	}
	if (dpt_embed_start(e->embed) != 0) {
		snprintf(err, err_len, "cannot start the clients' thread");
		return -EIO;
	}
	snprintf(e->embed_path, sizeof(e->embed_path), "%s", path);
	return 0;
}

struct dpt_engine *
dpt_engine_create(const struct dpt_engine_params *p,
		  enum dpt_engine_fault *fault, char *err, size_t err_len)
{
	struct dpt_port_params pp = {
		.conf = &p->conf->port,
		.mtu = p->conf->netif.mtu,
		.n_workers = (uint16_t)p->n_lcores,
		/* ARP queues, TCP queues holding received mbufs, inboxes,
		 * fragments in reassembly, SYNs waiting their turn */
		.extra_mbufs = p->conf->arp.queue + 16384 +
			       dpt_dispatch_mbufs(p->n_lcores) + DPT_LATEQ_SIZE +
			       DPT_LATEQ_KNOWN +
			       (p->conf->netif.frag.datagrams > 0 ?
				p->conf->netif.frag.mbufs : 0),
		.shared_pool = p->embed && p->conf->embed.enabled,
	};
	struct dpt_engine *e = calloc(1, sizeof(*e));
	int rc;

	*fault = DPT_FAULT_MEMORY;
	if (e == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	rc = dpt_port_open(&e->port, &pp, err, err_len);
	if (rc != 0) {
		*fault = rc == -ENODEV ? DPT_FAULT_DEVICE :
			 rc == -ENOMEM ? DPT_FAULT_MEMORY :
			 rc == -EPERM ? DPT_FAULT_CKSUM : DPT_FAULT_PORT;
		free(e);
		return NULL;
	}
	if (!dpt_in6_is_unspec(&p->conf->netif.addr6))
		join_groups6(e, &p->conf->netif);
	if (create_hdr_pool(e, p) != 0) {
		snprintf(err, err_len, "cannot create the header pool: give "
			 "EAL more memory (-m)");
		dpt_engine_free(e);
		return NULL;
	}
	if (create_workers(e, p, err, err_len) != 0) {
		dpt_engine_free(e);
		return NULL;
	}
	if (e->port.shared && create_embed(e, p, err, err_len) != 0) {
		*fault = DPT_FAULT_EMBED;
		dpt_engine_free(e);
		return NULL;
	}
	*fault = DPT_FAULT_NONE;
	return e;
}

void
dpt_engine_free(struct dpt_engine *e)
{
	if (e == NULL)
		return;
	/* clients fail at once; their channels stay mapped until TCP gave
	 * back every transmit buffer (worker_free) */
	dpt_embed_stop(e->embed);
	for (unsigned int i = 0; i < e->n_workers; i++)
		worker_free(e->workers[i]);
	dpt_embed_free(e->embed);
	dpt_port_close(&e->port);
	rte_mempool_free(e->hdr_pool);
	free(e);
}

/* A late frame for the end of the iteration (@p syn: an opening SYN,
 * else a TCP segment for no connection): into the queue of known peers'
 * frames (tcp_peers.c: they completed a handshake lately, which a spoofed
 * flood never does) while it has room, else into the late queue, or,
 * when that is full too (they arrive faster than syn_budget a loop
 * iteration takes them), dropped unparsed: a count and a free. */
static void
late_enqueue(struct dpt_worker *w, struct rte_mbuf *m, int syn)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	struct dpt_lateq *q = &w->lateq;

	if (w->lateq_known.n < w->lateq_known.cap &&
	    ((ip->version_ihl >> 4) == 6 ?
	     dpt_tcp_peer_known6(w->tcp, (const struct dpt_in6 *)
				 ((const struct rte_ipv6_hdr *)ip)->src_addr) :
	     dpt_tcp_peer_known(w->tcp, rte_be_to_cpu_32(ip->src_addr))))
		q = &w->lateq_known;
	if (q->n == q->cap) {
		w->stats.c[DPT_STAT_rx_frames]++;
		w->stats.c[DPT_STAT_rx_bytes] += m->pkt_len;
		w->stats.c[syn ? DPT_STAT_rx_drop_syn_budget :
			   DPT_STAT_rx_drop_late_budget]++;
		rte_pktmbuf_free(m);
		return;
	}
	q->m[(q->head + q->n++) & (q->cap - 1)] = m;
}

/* Whether frame @p m waits for the end of the iteration: an opening SYN
 * (~15 instructions to tell), or, while the RX queue has a backlog
 * (@p behind: the last burst came back full, as under a flood), a TCP
 * segment whose 4-tuple has no connection (a flood's stray ACK, RST or
 * garbage; a cookie's ACK; a segment for a closed port), so that the
 * segments of connections are answered first. The filter costs the
 * table's hash, which TCP input computes again for the segments it lets
 * through: paid only while the loop is behind, never on the way of a
 * connection's segment otherwise. @p syn says which. */
static int
frame_is_late(const struct dpt_worker *w, const struct rte_mbuf *m,
	      int behind, int *syn)
{
	uint32_t l4;

	switch (dpt_frame_kind(m, &l4)) {
	case DPT_FRAME_TCP_SYN:
		*syn = 1;
		return 1;
	case DPT_FRAME_TCP:
		*syn = 0;
		return behind && !dpt_tcp_frame_may_have_conn(w->tcp, m, l4);
	default:
		return 0;
	}
}

/* The late frames' turn, after the iteration's other segments and what
 * they made were sent: at most [tcp] syn_budget of them, known peers'
 * first, oldest first, so the segments of established connections wait
 * for no more than that many SYN answers (a few microseconds) however
 * many arrive, and the loop goes back to the RX queue before it can
 * overflow. While the RX queue has a backlog (@p behind: the last burst
 * came back full) a quarter of the budget, at least one: an answered SYN
 * costs some 14 times a dropped one (README, "Floods"), so at 8 of every
 * 32 frames answered a 5 Mpps flood outruns the loop (~7 us an iteration
 * of 32), at 2 it does not (~3 us). */
static void
late_phase(struct dpt_worker *w, int behind, uint64_t now)
{
	uint32_t n = behind ? RTE_MAX(w->syn_budget / 4, 1u) : w->syn_budget;

	for (; n > 0 && w->lateq_known.n > 0; n--)
		dpt_eth_input(&w->nif, lateq_pop(&w->lateq_known), now);
	for (; n > 0 && w->lateq.n > 0; n--)
		dpt_eth_input(&w->nif, lateq_pop(&w->lateq), now);
	dpt_tx_flush(&w->tx);
}

void
dpt_rx_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGIO);
	for (int sig = SIGRTMIN + 1; sig <= SIGRTMAX; sig++)
		sigaddset(set, sig);
}

/*
 * [lcores] idle: after idle_spins iterations in a row that received no
 * frame, took no client command and sent no frame, give the CPU away
 * (sched_yield() or a short sleep), so that on a core shared with the
 * programs dptcpd serves they run as soon as they are runnable. O(1);
 * poll (the default) returns at once.
 */
static void
idle_step(struct dpt_worker *w, uint16_t nrx)
{
	uint64_t mark = w->stats.c[DPT_STAT_tx_frames] +
			w->stats.c[DPT_STAT_embed_cmd];

	if (w->idle == DPT_CONF_IDLE_POLL)
		return;
	if (nrx > 0 || mark != w->work_mark) {
		w->work_mark = mark;
		w->idle_run = 0;
		return;
	}
	if (++w->idle_run < w->idle_spins)
		return;
	w->idle_run = 0;
	w->stats.c[DPT_STAT_idle_yields]++;
	if (w->idle == DPT_CONF_IDLE_YIELD) {
		sched_yield();
	} else {
		struct timespec t = {
			.tv_sec = (time_t)(w->idle_sleep_ns / 1000000000),
			.tv_nsec = (long)(w->idle_sleep_ns % 1000000000),
		};

		nanosleep(&t, NULL);
	}
}

int
dpt_worker_loop(void *arg)
{
	struct dpt_worker *w = arg;
	/* room for what [impair] adds: duplicates and released frames */
	struct rte_mbuf *pkts[4 * DPT_RX_BURST];
	const uint16_t port = w->txq.port_id, queue = w->txq.queue_id;
	uint64_t last = dpt_clock_us(&w->clock);
	uint16_t nrx = 0;
	sigset_t io;

	/* the tap PMD's signal (a frame came) for the threads that read
	 * the port, not the others (dpt_app blocks it before EAL starts) */
	dpt_rx_signals(&io);
	pthread_sigmask(SIG_UNBLOCK, &io, NULL);
	dpt_quiesce_online(w->qsbr, w->index);
	/* a sleep of a few microseconds, not the default 50 us of slack */
	if (w->idle == DPT_CONF_IDLE_SLEEP)
		prctl(PR_SET_TIMERSLACK, 1000UL);
	while (!*w->quit) {
		uint64_t now = dpt_clock_us(&w->clock);
		uint16_t n, i;
		int syn;

		/* quiescent: no burst of the last iteration is in progress
		 * (dpt_quiesce.h); O(1): two loads, and a store when a
		 * grace period has begun */
		rte_rcu_qsbr_quiescent(w->qsbr, w->index);
		/* the last iteration's time, busy if it received: O(1) */
		w->stats.c[DPT_STAT_loop_us] += now - last;
		if (nrx > 0)
			w->stats.c[DPT_STAT_loop_busy_us] += now - last;
		last = now;
		/* receive and demultiplex: O(burst) */
		n = nrx = 0;
		if (w->has_queue)
			n = nrx = rte_eth_rx_burst(port, queue, pkts,
						   DPT_RX_BURST);
		w->stats.c[DPT_STAT_rx_full_bursts] += nrx == DPT_RX_BURST;
		dpt_tcp_set_rx_behind(w->tcp, nrx == DPT_RX_BURST);
		if (w->impair != NULL)
			n = dpt_impair_rx(w->impair, pkts, n, RTE_DIM(pkts),
					  now);
		/* frames of flows other workers own go to them */
		if (w->inbox != NULL)
			n = dpt_dispatch_rx(w, pkts, n);
		/* classify first (~15 instructions a frame, ~45 while
		 * behind): SYNs, and while behind segments for no
		 * connection, wait in the late queue; everything else
		 * goes in now; TCP holds
		 * its segments to the end of the burst, looks their
		 * connections up at once and coalesces them (dpt_tcp.h) */
		if (n > 0)
			dpt_tcp_rx_begin(w->tcp);
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1],
							       void *));
			if (frame_is_late(w, pkts[i], nrx == DPT_RX_BURST,
					  &syn))
				late_enqueue(w, pkts[i], syn);
			else
				dpt_eth_input(&w->nif, pkts[i], now);
		}
		if (n > 0)
			dpt_tcp_rx_end(w->tcp, now);
		if (w->inbox != NULL)
			dpt_dispatch_inbox(w, now);
		if (w->txbox != NULL)
			dpt_dispatch_txbox(w);
		/* the application's own work (a generator's new connections) */
		if (w->app != NULL)
			w->app(w, now, w->app_arg);
		/* shutdown and reload, as the main lcore asks: O(1) */
		dpt_life_poll(w, now);
		/* the connection view, when telemetry asks: O(1) unless */
		if (__atomic_load_n(&w->snap.req, __ATOMIC_ACQUIRE) !=
		    w->snap.done)
			dpt_conns_answer(w);
		/* embedding clients' commands: O(clients + commands) */
		if (w->embed != NULL)
			dpt_embed_worker_poll(w->embed, now);
		/* TCP: timers, application events, output */
		dpt_tcp_poll(w->tcp, now);
		/* UDP sockets with new datagrams: O(those sockets) */
		dpt_udp_poll(w->udp, now);
		/* ... and their events, wake-ups: O(clients + events) */
		if (w->embed != NULL)
			dpt_embed_worker_flush(w->embed, now);
		/* ARP aging: a bounded slice of the neighbour table */
		dpt_neigh_tick(&w->nif, now);
		/* reassembly timeouts: O(expired) */
		dpt_ipv4_tick(&w->nif, now);
		/* IPv6: duplicate address detection at start: O(1) */
		dpt_ipv6_tick(&w->nif, now);
		/* flush transmit: one burst (through [impair] if on) */
		dpt_tx_flush(&w->tx);
		if (w->impair != NULL)
			dpt_impair_poll(w->impair, now);
		/* the application's output that waits behind the stack's */
		if (w->app_late != NULL) {
			w->app_late(w, now, w->app_arg);
			dpt_tx_flush(&w->tx);
		}
		/* late frames last, syn_budget of them: O(syn_budget) */
		if (w->lateq.n + w->lateq_known.n > 0)
			late_phase(w, nrx == DPT_RX_BURST, now);
		/* nothing done: poll again, yield or sleep ([lcores] idle) */
		idle_step(w, nrx);
	}
	dpt_quiesce_offline(w->qsbr, w->index);
	return 0;
}

void
dpt_engine_stats(const struct dpt_engine *e, struct dpt_stats *total)
{
	memset(total, 0, sizeof(*total));
	for (unsigned int i = 0; i < e->n_workers; i++)
		dpt_stats_add(total, &e->workers[i]->stats);
}

void
dpt_engine_mem(const struct dpt_engine *e, struct dpt_engine_mem *m)
{
	memset(m, 0, sizeof(*m));
	m->pkt_mbufs = e->port.pool->size;
	m->pkt_mbufs_used = rte_mempool_in_use_count(e->port.pool);
	m->hdr_mbufs = e->hdr_pool->size;
	m->hdr_mbufs_used = rte_mempool_in_use_count(e->hdr_pool);
	for (unsigned int i = 0; i < e->n_workers; i++) {
		m->tcbs_used += dpt_tcp_conns(e->workers[i]->tcp);
		m->tcbs += dpt_tcp_capacity(e->workers[i]->tcp);
	}
}
