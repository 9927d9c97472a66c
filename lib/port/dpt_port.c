/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_port.c: ethdev set-up for any PMD; see dpt_port.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "dpt_mbuf.h"
#include "dpt_port.h"
#include "dpt_tx.h"

RTE_LOG_REGISTER_DEFAULT(dpt_port_logtype, INFO);
#define PORT_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, dpt_port_logtype, "dpt_port: " fmt "\n", \
		##__VA_ARGS__)

#define POOL_CACHE 256

static int __rte_format_printf(4, 5)
fail(char *err, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return rc;
}

/* Find the port by its ethdev name (devargs up to the first ','), attaching
 * the device first if EAL has not already probed it. */
static int
attach(struct dpt_port *p, const char *devargs, char *err, size_t len)
{
	size_t n = strcspn(devargs, ",");
	int rc;

	if (n == 0 || n >= sizeof(p->name))
		return fail(err, len, -ENODEV, "bad device '%s'", devargs);
	memcpy(p->name, devargs, n);
	p->name[n] = '\0';
	if (rte_eth_dev_get_port_by_name(p->name, &p->port_id) == 0)
		return 0;
	rc = rte_dev_probe(devargs);
	if (rc != 0)
		return fail(err, len, -ENODEV, "cannot attach device '%s': no "
			    "driver or device of that name (rte_dev_probe: "
			    "%s)", devargs, rte_strerror(-rc));
	if (rte_eth_dev_get_port_by_name(p->name, &p->port_id) != 0)
		return fail(err, len, -ENODEV, "device '%s' attached but it is "
			    "not an Ethernet port", devargs);
	return 0;
}

/* Pool size: every descriptor full, every lcore cache full, every TX burst
 * and ARP queue full, and room for the stack's own packets; rounded to
 * 2^n - 1, the mempool's best size. */
static uint32_t
pool_size(const struct dpt_port_params *prm)
{
	const struct dpt_port_conf *c = prm->conf;
	uint64_t n;

	if (c->mbufs != 0)
		return c->mbufs;
	n = (uint64_t)prm->n_workers * (c->rx_desc + c->tx_desc +
					2 * DPT_TX_BURST + POOL_CACHE * 3 / 2 +
					prm->extra_mbufs) + 1024;
	return (uint32_t)(rte_align64pow2(n) - 1);
}

static int
create_pool(struct dpt_port *p, const struct dpt_port_params *prm, char *err,
	    size_t len)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	/* Room for a whole frame in one buffer: no scattered RX. */
	uint32_t room = RTE_MAX((uint32_t)RTE_MBUF_DEFAULT_BUF_SIZE,
				prm->mtu + RTE_ETHER_HDR_LEN + 8 +
				RTE_ETHER_CRC_LEN + RTE_PKTMBUF_HEADROOM);

	snprintf(name, sizeof(name), "dpt_pool_p%u", p->port_id);
	/* The shared pool is 4 KiB pages without IOVAs (dpt_shm_pool.c):
	 * virtual devices only; a NIC that DMAs keeps an EAL pool. */
	if (prm->shared_pool && !p->vdev)
		PORT_LOG(NOTICE, "%s: not a virtual device: the packet pool "
			 "cannot be shared, embedding is off", p->name);
	if (prm->shared_pool && p->vdev) {
		int rc = dpt_shm_pool_create(&p->shm, name, pool_size(prm),
					     POOL_CACHE, (uint16_t)room,
					     p->socket_id);

		if (rc != 0)
			return fail(err, len, -ENOMEM, "cannot create a "
				    "shared pool of %u mbufs of %u bytes in a "
				    "memfd (%s)", pool_size(prm), room,
				    rte_strerror(-rc));
		p->shared = 1;
		p->pool = p->shm.mp;
		return 0;
	}
	p->pool = rte_pktmbuf_pool_create(name, pool_size(prm), POOL_CACHE, 0,
					  (uint16_t)room, p->socket_id);
	if (p->pool == NULL)
		return fail(err, len, -ENOMEM, "cannot create a pool of %u "
			    "mbufs of %u bytes (%s): give EAL more memory "
			    "(-m) or set [port0] mbufs", pool_size(prm), room,
			    rte_strerror(rte_errno));
	return 0;
}

/* Symmetric RSS (dpt_steer.h) when configure() chose it; the key is the
 * steering table's. */
static void
choose_rss(struct dpt_port *p, const struct rte_eth_dev_info *di,
	   struct rte_eth_conf *ec)
{
	/* hash_key_size is a uint8_t; the key is only read by configure */
	static uint8_t key[UINT8_MAX];
	uint8_t len = di->hash_key_size ? di->hash_key_size :
		      DPT_STEER_KEY_LEN;

	if (!p->rss)
		return;
	dpt_steer_key(key, len);
	ec->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	ec->rx_adv_conf.rss_conf.rss_key = key;
	ec->rx_adv_conf.rss_conf.rss_key_len = len;
	ec->rx_adv_conf.rss_conf.rss_hf = di->flow_type_rss_offloads &
		(RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP |
		 RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_TCP);
	/* UDP 4-tuples as TCP's (dpt_steer.h), where the PMD can */
	ec->rx_adv_conf.rss_conf.rss_hf |= di->flow_type_rss_offloads &
					   (RTE_ETH_RSS_NONFRAG_IPV4_UDP |
					    RTE_ETH_RSS_NONFRAG_IPV6_UDP);
	p->rx_offloads |= di->rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH;
}

const char *const dpt_port_cksum_names[DPT_PORT_CKSUM_COUNT + 1] = {
	[DPT_PORT_CKSUM_AUTO] = "auto",
	[DPT_PORT_CKSUM_NONE] = "none",
};

/* [port0] checksum = none leaves frames without checksums, which only a
 * link that cannot corrupt them may carry: shared memory between two
 * processes of one host. Any PMD that can reach a wire (or a kernel
 * interface, whose stack verifies) is refused, naming the key. */
static int
check_cksum_mode(struct dpt_port *p, const struct rte_eth_dev_info *di,
		 const struct dpt_port_conf *c, char *err, size_t len)
{
	static const char *const shm_only[] = { "net_memif", "net_ring" };

	if (c->checksum != DPT_PORT_CKSUM_NONE)
		return 0;
	for (unsigned int i = 0; i < RTE_DIM(shm_only); i++)
		if (strcmp(di->driver_name, shm_only[i]) == 0) {
			p->cksum_none = 1;
			return 0;
		}
	return fail(err, len, -EPERM, "none refused for %s (driver %s), "
		    "which can reach a wire: only net_memif and net_ring "
		    "(shared memory between processes of one host) may skip "
		    "checksums", p->name, di->driver_name);
}

static void
choose_offloads(struct dpt_port *p, const struct rte_eth_dev_info *di,
		const struct dpt_port_conf *c, struct rte_eth_conf *ec)
{
	const uint64_t rx_want = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
				 RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
				 RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	const uint64_t tx_want = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
				 RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
				 RTE_ETH_TX_OFFLOAD_TCP_TSO |
				 RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	const uint64_t tso_needs = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
				   RTE_ETH_TX_OFFLOAD_TCP_CKSUM;

	/* Chained header + payload mbufs need multi-segment TX always. */
	p->tx_offloads = di->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	p->rx_offloads = 0;
	if (c->offloads && !p->cksum_none) {
		p->rx_offloads |= di->rx_offload_capa & rx_want;
		p->tx_offloads |= di->tx_offload_capa & tx_want;
	}
	/* DPDK 22.11's net_tap adds per-segment raw sums for L4 checksum
	 * offload, which is wrong as soon as a segment has odd length: the
	 * frames of a chained send queue then leave with bad checksums.
	 * Checksum those in software (rte_ipv4_udptcp_cksum_mbuf is right
	 * across odd segments). */
	if (strcmp(di->driver_name, "net_tap") == 0)
		p->tx_offloads &= ~(uint64_t)(RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
					      RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	/* TSO's frames are checksummed by the PMD, or by nobody: without
	 * both checksum offloads, large sends are cut in software
	 * (dpt_gso.c), which computes them. */
	if ((p->tx_offloads & tso_needs) != tso_needs)
		p->tx_offloads &= ~(uint64_t)RTE_ETH_TX_OFFLOAD_TCP_TSO;
	choose_rss(p, di, ec);
	ec->rxmode.offloads = p->rx_offloads;
	ec->txmode.offloads = p->tx_offloads;
}

static int
setup_queues(struct dpt_port *p, const struct dpt_port_conf *c, char *err,
	     size_t len)
{
	uint16_t nb_rx = (uint16_t)c->rx_desc, nb_tx = (uint16_t)c->tx_desc;
	struct rte_eth_dev_info di;
	int rc;

	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rx, &nb_tx);
	if (rc != 0)
		return fail(err, len, -EINVAL, "%s: descriptors refused (%d)",
			    p->name, rc);
	rte_eth_dev_info_get(p->port_id, &di);
	for (uint16_t q = 0; q < p->nb_queues; q++) {
		struct rte_eth_rxconf rxc = di.default_rxconf;
		struct rte_eth_txconf txc = di.default_txconf;

		rxc.offloads = p->rx_offloads;
		txc.offloads = p->tx_offloads;
		rc = rte_eth_rx_queue_setup(p->port_id, q, nb_rx, p->socket_id,
					    &rxc, p->pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(p->port_id, q, nb_tx,
						    p->socket_id, &txc);
		if (rc != 0)
			return fail(err, len, -EINVAL, "%s: queue %u set-up "
				    "failed (%d)", p->name, q, rc);
	}
	return 0;
}

/* Whether the PMD spreads flows over its queues by a Toeplitz key and
 * redirection table we program. If not, several RX queues would deliver
 * one flow's frames to different workers in an order the dispatcher
 * cannot restore (a handshake's ACK behind the data that follows it), so
 * one queue is read and the software dispatcher alone spreads flows.
 * net_tap's RSS works only through rte_flow eBPF rules (which need the
 * kernel's multiq qdisc); otherwise its kernel side picks queues itself. */
static int
spreads_by_rss(const struct rte_eth_dev_info *di)
{
	return di->reta_size > 0 &&
	       (di->flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV4_TCP) &&
	       strcmp(di->driver_name, "net_tap") != 0;
}

static int
configure(struct dpt_port *p, const struct dpt_port_params *prm, char *err,
	  size_t len)
{
	const struct dpt_port_conf *c = prm->conf;
	struct rte_eth_conf ec = { .rxmode = { .mtu = prm->mtu } };
	struct rte_eth_dev_info di;
	int rc;

	rc = rte_eth_dev_info_get(p->port_id, &di);
	if (rc != 0)
		return fail(err, len, -ENODEV, "%s: no device info (%d)",
			    p->name, rc);
	snprintf(p->driver, sizeof(p->driver), "%s", di.driver_name);
	p->vdev = di.device != NULL &&
		  strcmp(rte_bus_name(rte_dev_bus(di.device)), "vdev") == 0;
	/* A queue pair per worker only where RSS keeps each flow on one
	 * queue; else one pair, read and written by the first worker, which
	 * passes flows to the others and sends what they send. */
	p->n_workers = prm->n_workers;
	p->rss = c->rss && prm->n_workers > 1 && spreads_by_rss(&di);
	p->nb_queues = p->rss ? prm->n_workers : 1;
	if (p->nb_queues > di.max_tx_queues || p->nb_queues > di.max_rx_queues)
		return fail(err, len, -EINVAL, "%s: %u workers need an RX and "
			    "a TX queue each, the PMD has %u", p->name,
			    p->nb_queues, RTE_MIN(di.max_rx_queues,
						  di.max_tx_queues));
	if (prm->mtu > di.max_mtu || prm->mtu < di.min_mtu)
		return fail(err, len, -EINVAL, "%s: MTU %u out of the PMD's "
			    "range %u..%u", p->name, prm->mtu, di.min_mtu,
			    di.max_mtu);
	/* net_memif declares a 1518-byte maximum frame (DPDK 22.11) that
	 * ethdev enforces at configure time, yet it moves frames of any
	 * length (a frame larger than a buffer spans chained descriptors)
	 * and has no MTU of its own to set: the device is configured at its
	 * declared maximum and the IP MTU stays the configured one. */
	if (strcmp(di.driver_name, "net_memif") == 0 &&
	    prm->mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN > di.max_rx_pktlen)
		ec.rxmode.mtu = di.max_rx_pktlen - RTE_ETHER_HDR_LEN -
				RTE_ETHER_CRC_LEN;
	rc = check_cksum_mode(p, &di, c, err, len);
	if (rc != 0)
		return rc;
	choose_offloads(p, &di, c, &ec);
	rc = rte_eth_dev_configure(p->port_id, p->nb_queues, p->nb_queues, &ec);
	if (rc != 0)
		return fail(err, len, -EINVAL, "%s: configure failed (%d)",
			    p->name, rc);
	return 0;
}

/* The owner table: the PMD's redirection table programmed to match it
 * when RSS is on and every worker has an RX queue; software alone
 * otherwise. */
static void
setup_steering(struct dpt_port *p)
{
	struct rte_eth_rss_reta_entry64 reta[DPT_STEER_RETA_MAX /
					     RTE_ETH_RETA_GROUP_SIZE];
	struct rte_eth_dev_info di;
	uint16_t size;

	rte_eth_dev_info_get(p->port_id, &di);
	size = p->rss && di.reta_size <= DPT_STEER_RETA_MAX ? di.reta_size : 0;
	dpt_steer_init(&p->steer, p->n_workers, size);
	if (size == 0)
		return;
	memset(reta, 0, sizeof(reta));
	for (uint16_t i = 0; i < size; i++) {
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |=
			1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i %
			RTE_ETH_RETA_GROUP_SIZE] = p->steer.reta[i];
	}
	if (rte_eth_dev_rss_reta_update(p->port_id, reta, size) != 0) {
		/* the PMD's own table still keeps each flow on one queue:
		 * the dispatcher corrects the worker, order is kept */
		PORT_LOG(NOTICE, "%s: redirection table not accepted: "
			 "software steering", p->name);
		dpt_steer_init(&p->steer, p->n_workers, 0);
		return;
	}
	p->steer.hw_hash = !!(p->rx_offloads & RTE_ETH_RX_OFFLOAD_RSS_HASH);
	/* choose_rss() asked for UDP's 4-tuple where the PMD has it */
	p->steer.hw_hash_udp = p->steer.hw_hash &&
		(di.flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV4_UDP);
	p->steer.hw_hash_udp6 = p->steer.hw_hash &&
		(di.flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV6_UDP);
}

int
dpt_port_open(struct dpt_port *p, const struct dpt_port_params *prm, char *err,
	      size_t err_len)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->shm.fd = -1;
	rc = attach(p, prm->conf->device, err, err_len);
	if (rc != 0)
		return rc;
	p->socket_id = rte_eth_dev_socket_id(p->port_id);
	if (p->socket_id < 0)
		p->socket_id = (int)rte_socket_id();
	rc = configure(p, prm, err, err_len);
	if (rc == 0)
		rc = create_pool(p, prm, err, err_len);
	if (rc == 0)
		rc = setup_queues(p, prm->conf, err, err_len);
	if (rc == 0 && (rc = rte_eth_dev_start(p->port_id)) != 0)
		rc = fail(err, err_len, -EINVAL, "%s: start failed (%d)",
			  p->name, rc);
	if (rc != 0) {
		dpt_port_close(p);
		return rc;
	}
	rte_eth_macaddr_get(p->port_id, &p->mac);
	setup_steering(p);
	PORT_LOG(INFO, "%s (%s): %u queue pair(s) for %u worker(s), RSS %s "
		 "(redirection table %u), MAC " RTE_ETHER_ADDR_PRT_FMT
		 ", rx offloads 0x%" PRIx64 ", tx offloads 0x%" PRIx64
		 "%s, pool %u mbufs on socket %d", p->name, p->driver,
		 p->nb_queues, p->n_workers, p->rss ? "on" : "off",
		 p->steer.hw_hash ? p->steer.reta_size : 0,
		 RTE_ETHER_ADDR_BYTES(&p->mac), p->rx_offloads,
		 p->tx_offloads, p->cksum_none ? ", no checksums (checksum = "
		 "none)" : "", p->pool->size, p->socket_id);
	return 0;
}

int
dpt_port_join_groups(struct dpt_port *p, const struct rte_ether_addr *mc,
		     uint32_t n)
{
	int rc = rte_eth_dev_set_mc_addr_list(p->port_id,
					      (struct rte_ether_addr *)mc, n);

	if (rc == 0) {
		PORT_LOG(INFO, "%s: multicast filter holds %u group(s)",
			 p->name, n);
		return 0;
	}
	if (rte_eth_allmulticast_enable(p->port_id) == 0 &&
	    rte_eth_allmulticast_get(p->port_id) == 1) {
		PORT_LOG(INFO, "%s: no multicast filter (%d): allmulticast on",
			 p->name, rc);
		return 1;
	}
	PORT_LOG(WARNING, "%s: neither a multicast filter (%d) nor "
		 "allmulticast: IPv6 Neighbor Discovery may not be heard",
		 p->name, rc);
	return rc < 0 ? rc : -ENOTSUP;
}

void
dpt_port_close(struct dpt_port *p)
{
	if (p->driver[0] != '\0') {
		rte_eth_dev_stop(p->port_id);
		rte_eth_dev_close(p->port_id);
	}
	if (p->shared)
		dpt_shm_pool_free(&p->shm);
	else
		rte_mempool_free(p->pool);
	p->shared = 0;
	p->pool = NULL;
	p->driver[0] = '\0';
}

uint16_t
dpt_port_tx_send(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dpt_port_txq *q = arg;

	return rte_eth_tx_burst(q->port_id, q->queue_id, pkts, n);
}

size_t
dpt_port_pool_bytes(const struct dpt_port *p)
{
	return dpt_mempool_bytes(p->pool);
}

int
dpt_port_counters(const struct dpt_port *p, struct dpt_port_counters *c)
{
	struct rte_eth_stats s;
	int rc = rte_eth_stats_get(p->port_id, &s);

	if (rc != 0)
		return rc;
	*c = (struct dpt_port_counters){
		.ipackets = s.ipackets, .opackets = s.opackets,
		.ibytes = s.ibytes, .obytes = s.obytes, .imissed = s.imissed,
		.ierrors = s.ierrors, .oerrors = s.oerrors,
		.rx_nombuf = s.rx_nombuf,
	};
	return 0;
}
