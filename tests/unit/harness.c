/* SPDX-License-Identifier: BSD-3-Clause */
/* harness.c: see harness.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity() */
#endif
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_lcore.h>

#include "harness.h"

const struct rte_ether_addr th_us_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x02 } };
const struct rte_ether_addr th_peer_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 } };

struct rte_mempool *th_pool;

void
th_eal_init(void)
{
	char prefix[64], lcores[256] = "0@(";
	char *argv[] = {
		"unit", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
		"--no-telemetry", "--lcores", lcores, "--log-level=*:warning",
		"--file-prefix", prefix, NULL,
	};
	size_t len = strlen(lcores);
	cpu_set_t cpus;

	snprintf(prefix, sizeof(prefix), "dpt-unit-%d", getpid());
	/* lcore 0 may run on any CPU this process may: `-l 0` would pin
	 * every test process to CPU 0, and the tests running in parallel
	 * (Criterion's --jobs, meson's several executables) would share it
	 * while the other CPUs idle. */
	cr_assert_eq(sched_getaffinity(0, sizeof(cpus), &cpus), 0);
	for (int c = 0; c < CPU_SETSIZE && len < sizeof(lcores) - 8; c++)
		if (CPU_ISSET(c, &cpus))
			len += (size_t)snprintf(lcores + len,
						sizeof(lcores) - len, "%d,", c);
	cr_assert_gt(len, 3, "no CPU in the affinity mask");
	lcores[len - 1] = ')';
	cr_assert_geq(rte_eal_init((int)RTE_DIM(argv) - 1, argv), 0,
		      "EAL init failed");
	/* EAL creates its runtime directory even with --no-shconf and leaves
	 * it behind (rte_eal_cleanup() does not remove it); with no shared
	 * configuration and no telemetry nothing is ever put in it, so it
	 * goes at once instead of one per test accumulating in /var/run. */
	rmdir(rte_eal_get_runtime_dir());
	th_pool = rte_pktmbuf_pool_create("th_pool", 4095, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	cr_assert_not_null(th_pool);
}

struct rte_mbuf *
th_mbuf(const void *bytes, size_t len, size_t first)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(th_pool), *m2;
	char *p;

	cr_assert_not_null(m);
	if (first == 0 || first >= len) {
		p = rte_pktmbuf_append(m, (uint16_t)len);
		cr_assert_not_null(p);
		memcpy(p, bytes, len);
		return m;
	}
	p = rte_pktmbuf_append(m, (uint16_t)first);
	memcpy(p, bytes, first);
	m2 = rte_pktmbuf_alloc(th_pool);
	cr_assert_not_null(m2);
	p = rte_pktmbuf_append(m2, (uint16_t)(len - first));
	memcpy(p, (const char *)bytes + first, len - first);
	cr_assert_eq(rte_pktmbuf_chain(m, m2), 0);
	return m;
}

unsigned int
th_fragment(const uint8_t *frame, size_t len, uint32_t fragsize,
	    struct rte_mbuf **out, unsigned int max)
{
	static uint8_t f[RTE_ETHER_HDR_LEN + 20 + 65536];
	const uint32_t hdrs = RTE_ETHER_HDR_LEN + 20;
	uint32_t data = (uint32_t)len - hdrs, n = 0;

	cr_assert_eq(fragsize % 8, 0);
	cr_assert_eq(frame[RTE_ETHER_HDR_LEN], 0x45, "IP options");
	for (uint32_t off = 0; off < data; off += fragsize, n++) {
		uint32_t part = RTE_MIN(fragsize, data - off);
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)
					 (f + RTE_ETHER_HDR_LEN);
		uint16_t fo = (uint16_t)(off / 8);

		cr_assert_lt(n, max, "more than %u fragments", max);
		memcpy(f, frame, hdrs);
		memcpy(f + hdrs, frame + hdrs + off, part);
		/* flags kept (DF), MF on all but the last */
		fo |= rte_be_to_cpu_16(h->fragment_offset) &
		      RTE_IPV4_HDR_DF_FLAG;
		if (off + part < data)
			fo |= RTE_IPV4_HDR_MF_FLAG;
		h->fragment_offset = rte_cpu_to_be_16(fo);
		h->total_length = rte_cpu_to_be_16((uint16_t)(20 + part));
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
		out[n] = th_mbuf(f, hdrs + part, 0);
	}
	return n;
}

uint16_t
th_sink_send(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct th_sink *s = arg;
	uint16_t take = n;

	if (s->refuse != 0 && s->n + take > s->refuse)
		take = s->n < s->refuse ? s->refuse - s->n : 0;
	cr_assert_leq(s->n + take, RTE_DIM(s->pkts), "sink overflow");
	memcpy(&s->pkts[s->n], pkts, sizeof(*pkts) * take);
	s->n += take;
	return take;
}

void
th_if_init(struct th_if *t)
{
	static const struct dpt_neigh_conf defaults_arp = {
		.entries = 64, .queue = 8, .reachable_us = 30000000,
		.retrans_us = 1000000, .probes = 3, .gc_us = 300000000,
	};
	char name[32];
	struct dpt_neigh *n;

	memset(t, 0, sizeof(*t));
	t->nif_conf.addr = TH_US_IP;
	t->nif_conf.prefix_len = 24;
	t->nif_conf.gateway = DPT_IPV4(198, 18, 0, 254);
	t->nif_conf.mtu = 1500;
	t->nif_conf.ttl = 64;
	t->nif_conf.icmp_rate = 1000;
	t->nif_conf.icmp_burst = 5;
	t->arp = defaults_arp;
	snprintf(name, sizeof(name), "th_neigh_%p", (void *)t);
	n = dpt_neigh_create(&(struct dpt_neigh_params){
		.name = name, .socket_id = 0, .conf = &t->arp });
	cr_assert_not_null(n);
	t->tx.send = th_sink_send;
	t->tx.arg = &t->sink;
	t->tx.stats = &t->stats;
	/* [ip] reass_* and pmtu_* as the schema's defaults */
	t->nif_conf.frag = (struct dpt_frag_conf){
		.datagrams = 64, .mbufs = 1024, .timeout_us = dpt_s(30),
		.max_size = 65535, .min_frag = 256 };
	t->nif_conf.pmtu = (struct dpt_pmtu_conf){
		.min = 552, .age_us = dpt_s(600), .entries = 1024 };
	snprintf(name, sizeof(name), "th_frag_%p", (void *)t);
	t->frag = dpt_frag_create(&(struct dpt_frag_params){
		.name = name, .socket_id = 0, .conf = &t->nif_conf.frag,
		.rx_pool = th_pool, .rx_reserve = 0, .stats = &t->stats });
	cr_assert_not_null(t->frag);
	t->pmtu = dpt_pmtu_create(&(struct dpt_pmtu_params){
		.socket_id = 0, .conf = &t->nif_conf.pmtu, .mtu = 1500,
		.stats = &t->stats });
	cr_assert_not_null(t->pmtu);
	dpt_netif_init(&t->nif, &(struct dpt_netif_params){
		.conf = &t->nif_conf, .mac = &th_us_mac,
		.tx_ip_cksum = 0, .pool = th_pool, .stats = &t->stats,
		.tx = &t->tx, .neigh = n, .frag = t->frag, .pmtu = t->pmtu });
}

const struct dpt_in6 th_us_ip6 = { .b = { 0x20, 0x01, 0, 0x02, 0, 0, 0, 0,
					 0, 0, 0, 0, 0, 0, 0, 0x01 } };
const struct dpt_in6 th_peer_ip6 = { .b = { 0x20, 0x01, 0, 0x02, 0, 0, 0, 0,
					   0, 0, 0, 0, 0, 0, 0, 0x02 } };

void
th_if_enable6(struct th_if *t, uint32_t dad_transmits)
{
	char name[32];

	snprintf(name, sizeof(name), "th_nd_%p", (void *)t);
	t->neigh6 = dpt_neigh_create(&(struct dpt_neigh_params){
		.name = name, .socket_id = 0, .conf = &t->arp, .family = 6 });
	cr_assert_not_null(t->neigh6);
	t->pmtu6 = dpt_pmtu_create(&(struct dpt_pmtu_params){
		.socket_id = 0, .conf = &t->nif_conf.pmtu, .mtu = 1500,
		.stats = &t->stats, .family = 6 });
	cr_assert_not_null(t->pmtu6);
	t->nif_conf.addr6 = th_us_ip6;
	t->nif_conf.prefix6_len = 64;
	t->nif_conf.n_addrs6 = 1;
	t->nif_conf.gateway6 = th_us_ip6;
	t->nif_conf.gateway6.b[15] = 0xfe;
	t->nif_conf.hop_limit = 64;
	t->nif_conf.dad_transmits = dad_transmits;
	dpt_netif_init(&t->nif, &(struct dpt_netif_params){
		.conf = &t->nif_conf, .mac = &th_us_mac,
		.tx_ip_cksum = 0, .pool = th_pool, .stats = &t->stats,
		.tx = &t->tx, .neigh = t->nif.neigh, .frag = t->frag,
		.pmtu = t->pmtu, .neigh6 = t->neigh6, .pmtu6 = t->pmtu6,
		.nd_retrans_us = t->arp.retrans_us, .nd_lead = 1 });
}

void
th_in(struct th_if *t, const uint8_t *f, size_t len, uint64_t now)
{
	dpt_eth_input(&t->nif, th_mbuf(f, len, 0), now);
}

void
th_clear_sent(struct th_if *t)
{
	dpt_tx_flush(&t->tx);
	for (uint16_t i = 0; i < t->sink.n; i++)
		rte_pktmbuf_free(t->sink.pkts[i]);
	t->sink.n = 0;
}

void
th_tcp_sink(void *ctx, struct rte_mbuf *m, const struct dpt_ipv4 *ip,
	    uint64_t now)
{
	(void)ctx;
	(void)ip;
	(void)now;
	rte_pktmbuf_free(m);
}

struct rte_mbuf *
th_sent(struct th_if *t, uint16_t i)
{
	dpt_tx_flush(&t->tx);
	cr_assert_lt(i, t->sink.n, "frame %u not sent (%u sent)", i,
		     t->sink.n);
	return t->sink.pkts[i];
}

void
th_assert_sent(struct th_if *t, uint16_t n)
{
	dpt_tx_flush(&t->tx);
	cr_assert_eq(t->sink.n, n, "%u frame(s) sent, expected %u", t->sink.n,
		     n);
}

static void
hex(char *out, size_t cap, const uint8_t *b, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 4 < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%02x",
				      i % 16 ? " " : "\n  ", b[i]);
}

void
th_assert_frame(const struct rte_mbuf *m, const uint8_t *want, size_t len)
{
	uint8_t got[2048];
	char hg[8192], hw[8192];

	cr_assert_leq(m->pkt_len, sizeof(got));
	cr_assert_not_null(rte_pktmbuf_read(m, 0, m->pkt_len, got));
	if (m->pkt_len == len && memcmp(rte_pktmbuf_read(m, 0, len, got),
					want, len) == 0)
		return;
	hex(hg, sizeof(hg), rte_pktmbuf_read(m, 0, m->pkt_len, got),
	    m->pkt_len);
	hex(hw, sizeof(hw), want, len);
	cr_assert_fail("frame differs (%u bytes, expected %zu)\ngot:%s\n"
		       "expected:%s", m->pkt_len, len, hg, hw);
}
