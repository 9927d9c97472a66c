/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_port.h: the Ethernet port dptcp owns.
 *
 * Owns the ethdev life cycle for any PMD (net_tap, net_af_packet,
 * net_af_xdp, net_memif, net_ring, a PCI NIC): attaching the device from its
 * devargs, sizing and creating the mbuf pool on the port's NUMA socket,
 * configuring a queue pair per worker lcore where the PMD's RSS keeps each
 * flow on one queue (else one pair) with the offloads the PMD offers,
 * symmetric RSS where the PMD has it, the table saying which worker owns a
 * flow (dpt_steer.h), and the TX sink the stack's struct dpt_tx flushes
 * into.
 */
#ifndef DPT_PORT_H
#define DPT_PORT_H

#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "dpt_shm_pool.h"
#include "dpt_steer.h"

#define DPT_PORT_DEVICE_LEN 256 /**< devargs, NUL included */

/** [port0] checksum: who computes and verifies IPv4, TCP, UDP and ICMP
 * checksums. */
enum dpt_port_cksum {
	DPT_PORT_CKSUM_AUTO, /**< the PMD's offloads where it has them,
			       *  software otherwise */
	DPT_PORT_CKSUM_NONE, /**< neither computed nor verified, as Linux's
			       *  loopback: only for a link of shared memory
			       *  between two processes of one host
			       *  (net_memif, net_ring) */
	DPT_PORT_CKSUM_COUNT
};

/** The names of enum dpt_port_cksum, as configured; NULL-terminated. */
extern const char *const dpt_port_cksum_names[DPT_PORT_CKSUM_COUNT + 1];

/** The device as configured ([port0] device and queue keys; lib/cfg fills
 * it). The interface's keys of [port0] are struct dpt_netif_conf's. */
struct dpt_port_conf {
	char device[DPT_PORT_DEVICE_LEN]; /**< devargs ("net_tap0,iface=dpt0")
					    *  or PCI address */
	uint32_t rx_desc;    /**< RX descriptors per queue */
	uint32_t tx_desc;    /**< TX descriptors per queue */
	uint32_t mbufs;      /**< mbufs in the pool, 0 = sized from the rest */
	uint32_t offloads;   /**< use checksum offloads the PMD offers */
	uint32_t rss;        /**< symmetric RSS where the PMD has it */
	uint32_t checksum;   /**< enum dpt_port_cksum */
};

struct dpt_port {
	uint16_t port_id;                      /**< ethdev port id */
	uint16_t nb_queues;                    /**< RX = TX queues: one per
						 *  worker with RSS, else 1 */
	uint16_t n_workers;                    /**< worker lcores */
	int rss;                               /**< the PMD spreads flows over
						 *  the workers' queues by RSS */
	struct dpt_steer steer;                /**< which worker owns a flow */
	int socket_id;                         /**< NUMA socket of the port */
	struct rte_ether_addr mac;             /**< the port's MAC */
	struct rte_mempool *pool;              /**< packet buffers */
	int vdev;                              /**< a virtual device (no DMA) */
	int shared;                            /**< pool is shm's (below) */
	struct dpt_shm_pool shm;               /**< the pool in a memfd,
						 *  when shared */
	uint64_t rx_offloads;                  /**< RTE_ETH_RX_OFFLOAD_* on */
	uint64_t tx_offloads;                  /**< RTE_ETH_TX_OFFLOAD_* on */
	int cksum_none;                        /**< [port0] checksum = none:
						 *  no checksum computed or
						 *  verified (dpt_port_cksum) */
	char name[RTE_ETH_NAME_MAX_LEN];       /**< ethdev name */
	char driver[64];                       /**< PMD name */
};

/** Parameters of dpt_port_open(). */
struct dpt_port_params {
	const struct dpt_port_conf *conf;
	uint32_t mtu;           /**< IP MTU: frames of mtu plus the Ethernet
				  *  header (the interface's) */
	uint16_t n_workers;     /**< worker lcores */
	uint32_t extra_mbufs;   /**< held elsewhere per queue (e.g. ARP) */
	int shared_pool;        /**< put the pool in a memfd other processes
				  *  can map (dpt_shm_pool.h): embedding;
				  *  virtual devices only (the port's
				  *  shared says whether it was done) */
};

/** One queue of a port: the argument of dpt_port_tx_send(). */
struct dpt_port_txq {
	uint16_t port_id;
	uint16_t queue_id;
};

/**
 * Attach, configure and start a port.
 *
 * @param err
 *   Set to a one-line reason on failure.
 * @return
 *   0, or a negative errno: -ENODEV (no such device), -EINVAL (the PMD
 *   refuses the queues or MTU), -ENOMEM (pool), -EPERM (checksum = none
 *   on a driver other than net_memif and net_ring).
 */
int dpt_port_open(struct dpt_port *p, const struct dpt_port_params *prm,
		  char *err, size_t err_len);

/**
 * Receive frames to the Ethernet groups @p mc (@p n of them; IPv6's
 * all-nodes and solicited-node groups): program the PMD's multicast
 * filter (rte_eth_dev_set_mc_addr_list()), or where it has none, turn
 * allmulticast on. net_tap takes the list (its kernel side hands the
 * PMD every frame anyway); net_af_packet has neither and takes what its
 * interface takes: all of it once promiscuous (the kernel side must
 * accept the groups, e.g. `ip link set IF allmulticast on`).
 *
 * @return
 *   0 (the filter holds them), 1 (allmulticast), or a negative errno when
 *   neither could be set (the frames may not arrive).
 */
int dpt_port_join_groups(struct dpt_port *p, const struct rte_ether_addr *mc,
			 uint32_t n);

/** Stop and close the port and free the pool (rte_eal_cleanup() detaches
 * virtual devices). */
void dpt_port_close(struct dpt_port *p);

/** TX sink for struct dpt_tx: rte_eth_tx_burst on one queue. */
uint16_t dpt_port_tx_send(void *txq, struct rte_mbuf **pkts, uint16_t n);

/** Counters the PMD keeps: drops it made that no stack counter sees. */
struct dpt_port_counters {
	uint64_t ipackets, opackets, ibytes, obytes;
	uint64_t imissed;   /**< RX ring full: the loop fell behind */
	uint64_t ierrors;   /**< erroneous frames received */
	uint64_t oerrors;   /**< failed transmissions */
	uint64_t rx_nombuf; /**< RX refill failed: mbuf pool empty */
};

/** Read the PMD's counters. @return 0 or a negative errno. */
int dpt_port_counters(const struct dpt_port *p, struct dpt_port_counters *c);

/** Bytes of memory the pool occupies (for the start-up budget). */
size_t dpt_port_pool_bytes(const struct dpt_port *p);

#endif /* DPT_PORT_H */
