/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_l3: cost of the L2/L3 input path on one core, without a NIC.
 *
 * Each packet is what a PMD would hand over and take back: an mbuf is
 * allocated and the frame written into it (the PMD's RX), dpt_eth_input()
 * answers it (an ICMP echo reply or an ARP reply, built in place), and the
 * answer is freed in bursts (the PMD's TX completion). Reports nanoseconds
 * and million packets per second, median and range over repeats, because
 * this machine's timings move between runs.
 *
 *   bench_l3 [repeats [packets]]     (defaults 7, 2000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dpt_neigh.h"
#include "dpt_netif.h"
#include "dpt_time.h"

#include "vectors.h" /* the scapy-made frames of the unit tests */

/* TX sink: frees what it is given, like a NIC's TX completion. */
static uint16_t
sink_free(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

struct bench {
	struct dpt_stats stats;
	struct dpt_tx tx;
	struct dpt_netif nif;
	struct rte_mempool *pool;
};

static void
bench_init(struct bench *b)
{
	static const struct rte_ether_addr mac = {
		.addr_bytes = { 0x02, 0, 0, 0, 0, 0x02 } };
	static struct dpt_netif_conf nif = {
		.addr = DPT_IPV4(198, 18, 0, 2), .prefix_len = 24, .mtu = 1500,
		.ttl = 64, .icmp_rate = 1000, .icmp_burst = 50 };
	static struct dpt_neigh_conf arp = {
		.entries = 1024, .queue = 256, .reachable_us = 30000000,
		.retrans_us = 1000000, .probes = 3, .gc_us = 300000000 };
	struct dpt_neigh *n;

	b->pool = rte_pktmbuf_pool_create("bench", 8191, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	n = dpt_neigh_create(&(struct dpt_neigh_params){
		.name = "bench_neigh", .socket_id = 0, .conf = &arp });
	if (b->pool == NULL || n == NULL) {
		fprintf(stderr, "bench_l3: no memory\n");
		exit(1);
	}
	b->tx.send = sink_free;
	b->tx.stats = &b->stats;
	dpt_netif_init(&b->nif, &(struct dpt_netif_params){
		.conf = &nif, .mac = &mac, .pool = b->pool,
		.stats = &b->stats, .tx = &b->tx, .neigh = n });
}

/* ns per packet for @count copies of @frame through the input path. */
static double
run(struct bench *b, const uint8_t *frame, uint16_t len, uint64_t count)
{
	uint64_t t0 = rte_rdtsc_precise(), now = dpt_s(1000);

	for (uint64_t i = 0; i < count; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(b->pool);

		memcpy(rte_pktmbuf_append(m, len), frame, len);
		dpt_eth_input(&b->nif, m, now);
		if ((i & 31) == 31)
			dpt_tx_flush(&b->tx);
	}
	dpt_tx_flush(&b->tx);
	return (double)(rte_rdtsc_precise() - t0) * 1e9 / rte_get_tsc_hz() /
	       (double)count;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(struct bench *b, const char *name, const uint8_t *frame, uint16_t len,
       int repeats, uint64_t count)
{
	double ns[64];

	for (int r = 0; r < repeats; r++)
		ns[r] = run(b, frame, len, count);
	qsort(ns, (size_t)repeats, sizeof(ns[0]), cmp_double);
	printf("%-22s %8.1f ns/packet (range %.1f..%.1f)  %6.2f Mpps "
	       "median, %d repeats of %" PRIu64 "\n", name, ns[repeats / 2],
	       ns[0], ns[repeats - 1], 1e3 / ns[repeats / 2], repeats, count);
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { "bench_l3", "--no-huge", "-m", "128", "--no-pci",
			"--no-shconf", "--no-telemetry", "-l", "0",
			"--log-level=*:warning", "--file-prefix", prefix };
	int repeats = argc > 1 ? atoi(argv[1]) : 7;
	uint64_t count = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000000;
	static struct bench b;

	if (repeats < 1 || repeats > 64 || count == 0) {
		fprintf(stderr, "usage: bench_l3 [repeats(1-64) [packets]]\n");
		return 2;
	}
	snprintf(prefix, sizeof(prefix), "bench-l3-%d", getpid());
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0)
		return 1;
	/* EAL makes its runtime directory even with --no-shconf and never
	 * removes it; nothing is put in it here, so it goes at once. */
	rmdir(rte_eal_get_runtime_dir());
	bench_init(&b);
	/* Learn the peer first so echo replies go straight out. */
	run(&b, arp_req, sizeof(arp_req), 1);
	report(&b, "icmp echo -> reply", echo_req, sizeof(echo_req), repeats,
	       count);
	report(&b, "arp request -> reply", arp_req, sizeof(arp_req), repeats,
	       count);
	printf("drops: %" PRIu64 " (must be 0)\n", dpt_stats_drops(&b.stats));
	for (unsigned int i = 1; i < DPT_STAT__MAX; i++)
		if (dpt_stat_is_drop(i) && b.stats.c[i] != 0)
			printf("  %s %" PRIu64 "\n", dpt_stat_name(i),
			       b.stats.c[i]);
	rte_eal_cleanup();
	return dpt_stats_drops(&b.stats) == 0 ? 0 : 1;
}
