/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_udp.c: lib/udp driven with exact datagrams through the interface
 * (harness.h): input to a bound port, to a closed port (the exact ICMP
 * port unreachable), bad and zero checksums, bad lengths, the receive
 * queue's bound, connected sockets' filtering, ephemeral ports, and the
 * exact bytes of output, zero-copy and copied, fragmented past the MTU;
 * the UDP echo and discard services (lib/svc); the same over IPv6, where
 * the checksum is mandatory (RFC 8200 8.1).
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "dpt_svc.h"
#include "dpt_udp.h"
#include "harness.h"
#include "vectors.h"
#include "vectors6.h"

#define COPY(dst, src) uint8_t dst[sizeof(src)]; memcpy(dst, src, sizeof(src))
#define T0 dpt_s(1000)
#define IN(arr, now) th_in(&t, (arr), sizeof(arr), (now))

/* udp_dgram (vectors.h) answered from port 53: made by the same python3
 * struct code that reproduces udp_dgram byte for byte (RFC 1071 sums):
 * Ether(dst=PEER, src=US)/IP(src='198.18.0.2', dst='198.18.0.1', id=0,
 * ttl=64)/UDP(sport=53, dport=1000)/b'xy' */
static const uint8_t udp_reply_expected[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11,
	0xee, 0xa7, 0xc6, 0x12, 0x00, 0x02, 0xc6, 0x12, 0x00, 0x01, 0x00, 0x35,
	0x03, 0xe8, 0x00, 0x0a, 0xf7, 0x1b, 0x78, 0x79,
};

static struct th_if t;
static struct dpt_udp *u;

/* What the callbacks saw. */
static struct {
	unsigned int n, readable;
	struct rte_mbuf *m;
	struct dpt_udp_addr from, to;
	int echo;                 /* send each datagram back, zero-copy */
} seen;

static void
make_udp(int offload, int (*port_ok)(void *, uint32_t, uint16_t, uint32_t,
				     uint16_t))
{
	u = dpt_udp_create(&(struct dpt_udp_params){
		.name = "test_udp", .nif = &t.nif, .hdr_pool = th_pool,
		.data_pool = th_pool, .stats = &t.stats, .max_socks = 8,
		.tx_cksum_offload = offload, .port_ok = port_ok, .seed = 7 });
	cr_assert_not_null(u);
}

static void
setup(void)
{
	th_eal_init();
	th_if_init(&t);
	memset(&seen, 0, sizeof(seen));
	make_udp(0, NULL);
	IN(arp_req, T0); /* the peer is known: output leaves at once */
	th_clear_sent(&t);
}

static void
on_recv(struct dpt_udp_sock *s, struct rte_mbuf *m,
	const struct dpt_udp_addr *from, const struct dpt_udp_addr *to,
	void *arg, uint64_t now)
{
	(void)arg;
	seen.n++;
	seen.from = *from;
	seen.to = *to;
	if (seen.echo) {
		cr_assert_eq(dpt_udp_sendto(s, m, from, to, now), 0);
		return;
	}
	rte_pktmbuf_free(seen.m);
	seen.m = m;
}

static void
on_readable(struct dpt_udp_sock *s, void *arg, uint64_t now)
{
	(void)s, (void)arg, (void)now;
	seen.readable++;
}

static struct dpt_udp_sock *
open_sock(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
	  int queue)
{
	struct dpt_udp_sock *s = dpt_udp_open(u, &(struct dpt_udp_open_params){
		.local = dpt_udp_addr4(laddr, lport),
		.remote = dpt_udp_addr4(raddr, rport),
		.on_recv = queue ? NULL : on_recv,
		.on_readable = queue ? on_readable : NULL, .rcvq = 2 });

	cr_assert_not_null(s, "open: %s", rte_strerror(rte_errno));
	return s;
}

static void
assert_from_peer(const struct dpt_udp_addr *from, uint16_t port)
{
	cr_assert_eq(from->family, AF_INET);
	cr_assert_eq(from->v4, TH_PEER_IP);
	cr_assert_eq(from->port, port);
}

TestSuite(udp_input, .init = setup);

Test(udp_input, datagram_to_a_bound_port_is_delivered_at_its_payload_rfc768)
{
	open_sock(0, 53, 0, 0, 0);
	IN(udp_dgram, T0 + 1);
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.m->pkt_len, 2);
	cr_assert_eq(memcmp(rte_pktmbuf_mtod(seen.m, void *), "xy", 2), 0);
	assert_from_peer(&seen.from, 1000);
	cr_assert_eq(seen.to.v4, TH_US_IP);
	cr_assert_eq(seen.to.port, 53);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, udp_rx, 1);
	TH_ASSERT_STAT(&t, udp_rx_bytes, 2);
	rte_pktmbuf_free(seen.m);
}

Test(udp_input, datagram_to_a_closed_port_gets_the_exact_port_unreachable_rfc1122_4_1_3_1)
{
	open_sock(0, 54, 0, 0, 0);
	IN(udp_dgram, T0 + 1);
	TH_ASSERT_FRAME(th_sent(&t, 0), port_unreach_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 1);
	TH_ASSERT_STAT(&t, icmp_tx_dest_unreach, 1);
	cr_assert_eq(seen.n, 0);
}

Test(udp_input, port_unreachable_is_rate_limited_rfc1812_4_3_2_8)
{
	/* burst 5: the sixth waits for a token */
	for (int i = 0; i < 6; i++)
		IN(udp_dgram, T0 + 1);
	th_assert_sent(&t, 5);
	TH_ASSERT_STAT(&t, icmp_drop_ratelimit, 1);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 6);
}

Test(udp_input, wrong_checksum_is_dropped_silently_rfc1122_4_1_3_4)
{
	COPY(f, udp_dgram);

	open_sock(0, 53, 0, 0, 0);
	f[41] ^= 1;
	IN(f, T0 + 1);
	cr_assert_eq(seen.n, 0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, udp_drop_cksum, 1);
	TH_ASSERT_STAT(&t, udp_rx, 0);
}

Test(udp_input, wrong_checksum_to_a_closed_port_gets_no_error_rfc1122_4_1_3_4)
{
	COPY(f, udp_dgram);

	f[41] ^= 1;
	IN(f, T0 + 1);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, udp_drop_cksum, 1);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 0);
}

Test(udp_input, zero_checksum_is_accepted_over_ipv4_and_counted_rfc768)
{
	COPY(f, udp_dgram);

	open_sock(0, 53, 0, 0, 0);
	f[40] = f[41] = 0;
	IN(f, T0 + 1);
	cr_assert_eq(seen.n, 1);
	TH_ASSERT_STAT(&t, udp_rx_no_cksum, 1);
	TH_ASSERT_STAT(&t, udp_rx, 1);
	rte_pktmbuf_free(seen.m);
}

Test(udp_input, length_short_of_ips_or_of_a_header_is_udp_drop_len_rfc768)
{
	COPY(f, udp_dgram);

	open_sock(0, 53, 0, 0, 0);
	f[39] = 9; /* one byte short of the datagram (10) */
	IN(f, T0 + 1);
	f[39] = 7; /* shorter than a UDP header */
	IN(f, T0 + 2);
	f[39] = 11; /* past the IP payload */
	IN(f, T0 + 3);
	cr_assert_eq(seen.n, 0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, udp_drop_len, 3);
}

Test(udp_input, ip_payload_shorter_than_a_udp_header_is_udp_drop_len)
{
	/* IP total length 26: 6 bytes of UDP; the frame is padded to 44 */
	COPY(f, udp_dgram);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);

	open_sock(0, 53, 0, 0, 0);
	ip->total_length = rte_cpu_to_be_16(26);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	IN(f, T0 + 1);
	TH_ASSERT_STAT(&t, udp_drop_len, 1);
	cr_assert_eq(seen.n, 0);
}

Test(udp_input, queue_mode_holds_datagrams_for_recvfrom_and_tells_once_a_poll)
{
	struct dpt_udp_sock *s = open_sock(0, 53, 0, 0, 1);
	struct dpt_udp_addr from, to;
	struct rte_mbuf *m;
	char buf[8];

	IN(udp_dgram, T0 + 1);
	IN(udp_dgram, T0 + 2);
	cr_assert_eq(dpt_udp_queued(s), 2);
	dpt_udp_poll(u, T0 + 3);
	dpt_udp_poll(u, T0 + 4);
	cr_assert_eq(seen.readable, 1);
	m = dpt_udp_recvfrom(s, &from, &to);
	cr_assert_not_null(m);
	cr_assert_eq(m->pkt_len, 2);
	cr_assert_eq(memcmp(rte_pktmbuf_mtod(m, void *), "xy", 2), 0);
	assert_from_peer(&from, 1000);
	cr_assert_eq(to.v4, TH_US_IP);
	cr_assert_eq(to.port, 53);
	rte_pktmbuf_free(m);
	/* cut to 1 byte: the datagram's length is returned, the rest gone */
	memset(buf, 0, sizeof(buf));
	cr_assert_eq(dpt_udp_recvfrom_copy(s, buf, 1, &from), 2);
	cr_assert_eq(buf[0], 'x');
	cr_assert_eq(buf[1], 0);
	cr_assert_eq(dpt_udp_recvfrom_copy(s, buf, 1, &from), -EAGAIN);
	cr_assert_null(dpt_udp_recvfrom(s, NULL, NULL));
}

Test(udp_input, full_receive_queue_drops_with_a_counter)
{
	struct dpt_udp_sock *s = open_sock(0, 53, 0, 0, 1); /* rcvq 2 */

	for (int i = 0; i < 3; i++)
		IN(udp_dgram, T0 + 1);
	cr_assert_eq(dpt_udp_queued(s), 2);
	TH_ASSERT_STAT(&t, udp_drop_rcvq_full, 1);
	TH_ASSERT_STAT(&t, udp_rx, 2);
	th_assert_sent(&t, 0);
	dpt_udp_close(s); /* frees what it holds (the leak checker sees) */
	TH_ASSERT_STAT(&t, udp_socks, 0);
}

Test(udp_input, connected_socket_takes_only_its_peers_datagrams)
{
	COPY(f, udp_dgram);

	open_sock(0, 53, TH_PEER_IP, 1000, 0);
	IN(udp_dgram, T0 + 1);
	cr_assert_eq(seen.n, 1);
	/* from port 1001: not its peer, and nobody else has port 53. The
	 * checksum is adjusted by the port's change (RFC 1624). */
	f[35] = 0xe9;
	f[41] = (uint8_t)(f[41] - 1);
	IN(f, T0 + 2);
	cr_assert_eq(seen.n, 1);
	TH_ASSERT_STAT(&t, udp_drop_cksum, 0);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 1);
	th_assert_sent(&t, 1); /* the port unreachable */
	rte_pktmbuf_free(seen.m);
}

Test(udp_input, connected_socket_receives_its_peers_datagrams_at_its_port)
{
	COPY(f, udp_dgram);
	struct dpt_udp_sock *conn, *any;
	uint16_t p;

	any = open_sock(0, 53, 0, 0, 1);
	conn = dpt_udp_open(u, &(struct dpt_udp_open_params){
		.local = dpt_udp_addr4(0, 0),
		.remote = dpt_udp_addr4(TH_PEER_IP, 1000), .rcvq = 4 });
	cr_assert_not_null(conn);
	p = dpt_udp_local(conn).port;
	cr_assert_neq(p, 53);
	/* connecting fixes the source address its datagrams leave from */
	cr_assert_eq(dpt_udp_local(conn).v4, TH_US_IP);
	IN(udp_dgram, T0 + 1);
	cr_assert_eq(dpt_udp_queued(any), 1);
	cr_assert_eq(dpt_udp_queued(conn), 0);
	/* the same peer to the connected socket's port */
	f[36] = (uint8_t)(p >> 8);
	f[37] = (uint8_t)p;
	f[40] = f[41] = 0; /* no checksum: no sum to redo */
	IN(f, T0 + 2);
	cr_assert_eq(dpt_udp_queued(conn), 1);
	cr_assert_eq(dpt_udp_queued(any), 1);
}

Test(udp_input, datagram_to_the_bound_address_goes_before_the_wildcard)
{
	struct dpt_udp_sock *any, *one;

	t.nif.n_addrs = 2; /* 198.18.0.2 and .3 */
	any = open_sock(0, 7, 0, 0, 1);
	cr_assert_null(dpt_udp_open(u, &(struct dpt_udp_open_params){
		.local = dpt_udp_addr4(TH_US_IP, 7) }));
	cr_assert_eq(rte_errno, EADDRINUSE);
	dpt_udp_close(any);
	one = open_sock(TH_US_IP, 53, 0, 0, 1);
	any = open_sock(DPT_IPV4(198, 18, 0, 3), 53, 0, 0, 1);
	IN(udp_dgram, T0 + 1);
	cr_assert_eq(dpt_udp_queued(one), 1);
	cr_assert_eq(dpt_udp_queued(any), 0);
}

Test(udp_input, without_lib_udp_every_port_is_closed)
{
	dpt_udp_free(u);
	cr_assert_null(t.nif.udp_input);
	IN(udp_dgram, T0 + 1);
	TH_ASSERT_FRAME(th_sent(&t, 0), port_unreach_expected);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 1);
}

TestSuite(udp_output, .init = setup);

Test(udp_output, echo_of_the_received_mbuf_is_the_exact_reply_zero_copy)
{
	open_sock(0, 53, 0, 0, 0);
	seen.echo = 1;
	IN(udp_dgram, T0 + 1);
	TH_ASSERT_FRAME(th_sent(&t, 0), udp_reply_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, udp_tx, 1);
	TH_ASSERT_STAT(&t, udp_tx_bytes, 2);
	TH_ASSERT_STAT(&t, mbuf_alloc_fail, 0);
}

Test(udp_output, copied_bytes_are_the_exact_datagram)
{
	struct dpt_udp_sock *s = open_sock(0, 53, 0, 0, 0);
	struct dpt_udp_addr to = dpt_udp_addr4(TH_PEER_IP, 1000);

	cr_assert_eq(dpt_udp_sendto_copy(s, "xy", 2, &to, T0 + 1), 0);
	TH_ASSERT_FRAME(th_sent(&t, 0), udp_reply_expected);
}

/* The IPv4 identification of frame @i sent. */
static uint16_t
sent_ip_id(unsigned int i)
{
	const uint8_t *f = rte_pktmbuf_mtod(th_sent(&t, i), const uint8_t *);

	return (uint16_t)(f[18] << 8 | f[19]);
}

Test(udp_output, ipv4_ids_of_one_lcore_are_its_own_among_the_lcores_rfc6864_4_2)
{
	struct dpt_udp_sock *s = open_sock(0, 53, 0, 0, 0);
	struct dpt_udp_addr to = dpt_udp_addr4(TH_PEER_IP, 1000);

	/* lcore 1 of 3 (dpt_netif_init()'s lcore_index, n_lcores), its
	 * counter at its last ID: its IDs are 1 modulo 3, and so are they
	 * after the wrap */
	t.nif.ip_id = 65533;
	t.nif.ip_id_first = 1;
	t.nif.ip_id_step = 3;
	for (int i = 0; i < 3; i++)
		cr_assert_eq(dpt_udp_sendto_copy(s, "xy", 2, &to, T0 + 1), 0);
	cr_assert_eq(sent_ip_id(0), 65533);
	cr_assert_eq(sent_ip_id(1), 1);
	cr_assert_eq(sent_ip_id(2), 4);
	/* TSO's frames take IDs on from the first (dpt_netif_skip_ip_ids()
	 * of a burst): 21845 IDs are lcore 1's, so 21845 on is 4 again */
	dpt_netif_skip_ip_ids(&t.nif, 21845);
	cr_assert_eq(t.nif.ip_id, 7);
}

Test(udp_output, chain_without_headroom_gets_a_header_mbuf_in_front)
{
	struct dpt_udp_sock *s = open_sock(0, 53, TH_PEER_IP, 1000, 0);
	struct rte_mbuf *m = rte_pktmbuf_alloc(th_pool);

	m->data_off = 0; /* no headroom at all */
	memcpy(rte_pktmbuf_append(m, 2), "xy", 2);
	cr_assert_eq(dpt_udp_send(s, m, T0 + 1), 0);
	m = th_sent(&t, 0);
	cr_assert_eq(m->nb_segs, 2);
	TH_ASSERT_FRAME(m, udp_reply_expected);
}

Test(udp_output, offloaded_checksum_holds_the_pseudo_header_sum)
{
	struct dpt_udp_sock *s;
	struct rte_mbuf *m;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *h;

	dpt_udp_free(u);
	make_udp(1, NULL);
	s = open_sock(0, 53, TH_PEER_IP, 1000, 0);
	cr_assert_eq(dpt_udp_sendto_copy(s, "xy", 2, NULL, T0 + 1), 0);
	m = th_sent(&t, 0);
	cr_assert(m->ol_flags & RTE_MBUF_F_TX_UDP_CKSUM);
	cr_assert_eq(m->l2_len, 14);
	cr_assert_eq(m->l3_len, 20);
	cr_assert_eq(m->l4_len, 8);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, 14);
	h = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, 34);
	cr_assert_eq(h->dgram_cksum, rte_ipv4_phdr_cksum(ip, m->ol_flags));
}

Test(udp_output, datagram_past_the_mtu_leaves_in_fragments_summed_whole_rfc791)
{
	enum { LEN = 3000 };
	struct dpt_udp_sock *s;
	static uint8_t data[LEN], whole[12 + 8 + LEN];
	uint32_t at = 12;

	dpt_udp_free(u);
	make_udp(1, NULL); /* offload on: still summed here, whole */
	s = open_sock(0, 53, TH_PEER_IP, 1000, 0);
	for (unsigned int i = 0; i < LEN; i++)
		data[i] = (uint8_t)(i * 7);
	cr_assert_eq(dpt_udp_sendto_copy(s, data, LEN, NULL, T0 + 1), 0);
	th_assert_sent(&t, 3); /* 1480 + 1480 + 48 bytes of IP payload */
	TH_ASSERT_STAT(&t, ip_tx_fragmented, 1);
	for (uint16_t i = 0; i < 3; i++) {
		struct rte_mbuf *f = th_sent(&t, i);
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(f,
			const struct rte_ipv4_hdr *, 14);
		uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
		uint32_t n = rte_be_to_cpu_16(ip->total_length) - 20;

		cr_assert_eq(fo & RTE_IPV4_HDR_OFFSET_MASK, i * 185);
		cr_assert_eq(!!(fo & RTE_IPV4_HDR_MF_FLAG), i < 2);
		cr_assert_eq(n, i < 2 ? 1480u : 48u);
		cr_assert_eq(f->ol_flags & RTE_MBUF_F_TX_UDP_CKSUM, 0);
		const void *p = rte_pktmbuf_read(f, 34, n, whole + at);

		cr_assert_not_null(p);
		if (p != whole + at)
			memcpy(whole + at, p, n);
		at += n;
	}
	/* pseudo-header, then the reassembled datagram: sums to all ones */
	const uint8_t ph[12] = { 198, 18, 0, 2, 198, 18, 0, 1, 0, 17,
				 (8 + LEN) >> 8, (8 + LEN) & 0xff };
	memcpy(whole, ph, sizeof(ph));
	cr_assert_eq(rte_raw_cksum(whole, sizeof(whole)), 0xffff);
	cr_assert_eq(memcmp(whole + 20, data, LEN), 0);
}

Test(udp_output, unconnected_send_without_destination_is_refused_and_counted)
{
	struct dpt_udp_sock *s = open_sock(0, 53, 0, 0, 0);
	struct rte_mbuf *m = rte_pktmbuf_alloc(th_pool);
	struct dpt_udp_addr from = dpt_udp_addr4(DPT_IPV4(198, 18, 0, 9), 0);
	struct dpt_udp_addr to = dpt_udp_addr4(TH_PEER_IP, 1000);

	cr_assert_eq(dpt_udp_send(s, m, T0 + 1), -EDESTADDRREQ);
	m = rte_pktmbuf_alloc(th_pool);
	cr_assert_eq(dpt_udp_sendto(s, m, &to, &from, T0 + 1), -EADDRNOTAVAIL);
	cr_assert_eq(dpt_udp_sendto_copy(s, "", 65508, &to, T0 + 1), -EMSGSIZE);
	TH_ASSERT_STAT(&t, udp_drop_tx, 3);
	th_assert_sent(&t, 0);
}

TestSuite(udp_sockets, .init = setup);

static int
even_ports_only(void *arg, uint32_t raddr, uint16_t rport, uint32_t laddr,
		uint16_t lport)
{
	(void)arg, (void)raddr, (void)rport, (void)laddr;
	return lport % 2 == 0;
}

Test(udp_sockets, connect_takes_an_ephemeral_port_whose_replies_come_here)
{
	struct dpt_udp_sock *s;

	dpt_udp_free(u);
	make_udp(0, even_ports_only);
	for (int i = 0; i < 4; i++) {
		s = open_sock(0, 0, TH_PEER_IP, 7, 0);
		cr_assert_eq(dpt_udp_local(s).port % 2, 0);
		cr_assert_geq(dpt_udp_local(s).port, 32768);
		cr_assert_leq(dpt_udp_local(s).port, 60999);
	}
	/* a port given must hash here too */
	cr_assert_null(dpt_udp_open(u, &(struct dpt_udp_open_params){
		.local = dpt_udp_addr4(0, 5001),
		.remote = dpt_udp_addr4(TH_PEER_IP, 7) }));
	cr_assert_eq(rte_errno, EXDEV);
	s = open_sock(0, 5001, 0, 0, 0);
	cr_assert_eq(dpt_udp_connect(s, &(struct dpt_udp_addr){
		.family = AF_INET, .port = 7, .v4 = TH_PEER_IP }), -EXDEV);
	cr_assert_eq(dpt_udp_local(s).port, 5001);
	cr_assert_eq(dpt_udp_local(s).v4, 0, "a failed connect changes nothing");
}

Test(udp_sockets, unbound_open_takes_an_ephemeral_port)
{
	struct dpt_udp_sock *a = open_sock(0, 0, 0, 0, 0);
	struct dpt_udp_sock *b = open_sock(0, 0, 0, 0, 0);

	cr_assert_neq(dpt_udp_local(a).port, 0);
	cr_assert_neq(dpt_udp_local(a).port, dpt_udp_local(b).port);
	TH_ASSERT_STAT(&t, udp_socks, 2);
}

Test(udp_sockets, address_not_ours_and_a_full_table_are_refused)
{
	cr_assert_null(dpt_udp_open(u, &(struct dpt_udp_open_params){
		.local = dpt_udp_addr4(DPT_IPV4(198, 18, 0, 9), 53) }));
	cr_assert_eq(rte_errno, EADDRNOTAVAIL);
	for (int i = 0; i < 8; i++)
		open_sock(0, (uint16_t)(100 + i), 0, 0, 0);
	cr_assert_null(dpt_udp_open(u, &(struct dpt_udp_open_params){
		.local = dpt_udp_addr4(0, 53) }));
	cr_assert_eq(rte_errno, ENOMEM);
	cr_assert_eq(dpt_udp_socks(u), 8);
}

Test(udp_sockets, closed_socket_frees_its_port_and_queue)
{
	struct dpt_udp_sock *s = open_sock(0, 53, 0, 0, 1);

	IN(udp_dgram, T0 + 1);
	dpt_udp_close(s);
	dpt_udp_poll(u, T0 + 2); /* it was ready: not called after close */
	cr_assert_eq(seen.readable, 0);
	IN(udp_dgram, T0 + 3);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 1);
	open_sock(0, 53, 0, 0, 1);
}

TestSuite(udp_svc, .init = setup);

static struct dpt_svc *
udp_svc(enum dpt_svc_type type, uint16_t port)
{
	return dpt_svc_create(&(struct dpt_svc_params){
		.type = type, .port = port, .proto = DPT_SVC_UDP, .udp = u,
		.stats = &t.stats });
}

Test(udp_svc, echo_answers_each_datagram_with_its_data_rfc862)
{
	struct dpt_svc *s = udp_svc(DPT_SVC_ECHO, 53);

	cr_assert_not_null(s);
	IN(udp_dgram, T0 + 1);
	TH_ASSERT_FRAME(th_sent(&t, 0), udp_reply_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, mbuf_alloc_fail, 0); /* the mbuf went back */
	dpt_svc_free(s, T0 + 2);
	TH_ASSERT_STAT(&t, udp_socks, 0);
}

Test(udp_svc, discard_drops_each_datagram_rfc863)
{
	struct dpt_svc *s = udp_svc(DPT_SVC_DISCARD, 53);

	cr_assert_not_null(s);
	IN(udp_dgram, T0 + 1);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, udp_rx, 1);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 0);
	dpt_svc_free(s, T0 + 2);
}

Test(udp_svc, unlisten_closes_the_port)
{
	struct dpt_svc *s = udp_svc(DPT_SVC_ECHO, 53);

	dpt_svc_unlisten(s, T0 + 1);
	cr_assert_eq(dpt_svc_active(s), 0);
	IN(udp_dgram, T0 + 2);
	TH_ASSERT_FRAME(th_sent(&t, 0), port_unreach_expected);
	dpt_svc_free(s, T0 + 3);
}

Test(udp_svc, stream_types_and_a_taken_port_are_refused)
{
	cr_assert_null(udp_svc(DPT_SVC_CHARGEN, 19));
	cr_assert_eq(rte_errno, EINVAL);
	cr_assert_not_null(udp_svc(DPT_SVC_ECHO, 7));
	cr_assert_null(udp_svc(DPT_SVC_DISCARD, 7));
	cr_assert_eq(rte_errno, EADDRINUSE);
}

/* ---- ICMP errors about our datagrams ---- */

/* The peer's port unreachable quoting udp_reply_expected (made by the same
 * python3 struct code): Ether(dst=US, src=PEER)/IP(src='198.18.0.1',
 * dst='198.18.0.2', id=7)/ICMP(type=3, code=3)/(udp_reply_expected's IP
 * datagram, .2:53 to .1:1000) */
static const uint8_t port_unreach_for_us[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x3a, 0x00, 0x07, 0x00, 0x00, 0x40, 0x01,
	0xee, 0x94, 0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02, 0x03, 0x03,
	0x89, 0x40, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x1e, 0x00, 0x00,
	0x00, 0x00, 0x40, 0x11, 0xee, 0xa7, 0xc6, 0x12, 0x00, 0x02, 0xc6, 0x12,
	0x00, 0x01, 0x00, 0x35, 0x03, 0xe8, 0x00, 0x0a, 0xf7, 0x1b, 0x78, 0x79,
};

TestSuite(udp_icmp, .init = setup);

Test(udp_icmp, port_unreachable_is_econnrefused_on_the_connected_socket_rfc1122_4_1_3_3)
{
	struct dpt_udp_sock *s = open_sock(0, 53, TH_PEER_IP, 1000, 1);

	cr_assert_eq(dpt_udp_sendto_copy(s, "xy", 2, NULL, T0 + 1), 0);
	TH_ASSERT_FRAME(th_sent(&t, 0), udp_reply_expected);
	IN(port_unreach_for_us, T0 + 2);
	TH_ASSERT_STAT(&t, udp_icmp_errors, 1);
	TH_ASSERT_STAT(&t, icmp_drop_quote, 0);
	dpt_udp_poll(u, T0 + 3);
	cr_assert_eq(seen.readable, 1, "the application learns it");
	cr_assert_eq(dpt_udp_error(s), ECONNREFUSED);
	cr_assert_eq(dpt_udp_error(s), 0, "read once, as SO_ERROR");
	cr_assert_eq(dpt_udp_queued(s), 0);
}

Test(udp_icmp, error_for_an_unconnected_socket_is_counted_and_dropped)
{
	struct dpt_udp_sock *s = open_sock(0, 53, 0, 0, 1);

	IN(port_unreach_for_us, T0 + 1);
	TH_ASSERT_STAT(&t, udp_icmp_no_sock, 1);
	TH_ASSERT_STAT(&t, udp_icmp_errors, 0);
	cr_assert_eq(dpt_udp_error(s), 0);
}

Test(udp_icmp, without_lib_udp_an_error_quoting_udp_is_icmp_drop_quote)
{
	dpt_udp_free(u);
	IN(port_unreach_for_us, T0 + 1);
	TH_ASSERT_STAT(&t, icmp_drop_quote, 1);
	TH_ASSERT_STAT(&t, udp_icmp_no_sock, 0);
}

/* ---- IPv6 ---- */

/* udp6_closed (vectors6.h, scapy) answered from port 9, made by the same
 * python3 struct code that reproduces udp6_closed byte for byte:
 * Ether(dst=PEER, src=US)/IPv6(src=US6, dst=PEER6, hlim=64)/UDP(sport=9,
 * dport=1234)/b'hello' */
static const uint8_t udp6_reply_expected[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x11, 0x40, 0x20, 0x01,
	0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x09, 0x04, 0xd2, 0x00, 0x0d,
	0x77, 0x1e, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

static void
setup6(void)
{
	th_eal_init();
	th_if_init(&t);
	th_if_enable6(&t, 0);
	memset(&seen, 0, sizeof(seen));
	make_udp(0, NULL);
	IN(ns_from_peer, T0); /* the peer is known: output leaves at once */
	IN(na_from_peer, T0);
	th_clear_sent(&t);
}

static struct dpt_udp_sock *
open6(uint16_t family, uint16_t lport, int queue)
{
	struct dpt_udp_sock *s = dpt_udp_open(u, &(struct dpt_udp_open_params){
		.local = { .family = family, .port = lport },
		.on_recv = queue ? NULL : on_recv,
		.on_readable = queue ? on_readable : NULL, .rcvq = 2 });

	cr_assert_not_null(s, "open: %s", rte_strerror(rte_errno));
	return s;
}

static void
assert_from_peer6(const struct dpt_udp_addr *from, uint16_t port)
{
	cr_assert_eq(from->family, AF_INET6);
	cr_assert(dpt_in6_eq(&from->v6, &th_peer_ip6));
	cr_assert_eq(from->port, port);
}

TestSuite(udp6, .init = setup6);

Test(udp6, datagram_to_a_bound_port_is_delivered_at_its_payload)
{
	open6(AF_INET6, 9, 0);
	IN(udp6_closed, T0 + 1);
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.m->pkt_len, 5);
	cr_assert_eq(memcmp(rte_pktmbuf_mtod(seen.m, void *), "hello", 5), 0);
	assert_from_peer6(&seen.from, 1234);
	cr_assert_eq(seen.to.family, AF_INET6);
	cr_assert(dpt_in6_eq(&seen.to.v6, &th_us_ip6));
	cr_assert_eq(seen.to.port, 9);
	TH_ASSERT_STAT(&t, udp_rx, 1);
	th_assert_sent(&t, 0);
	rte_pktmbuf_free(seen.m);
}

Test(udp6, closed_port_gets_the_exact_icmpv6_port_unreachable_rfc4443_3_1)
{
	open6(AF_INET, 9, 0); /* IPv4 only: not this datagram's */
	IN(udp6_closed, T0 + 1);
	TH_ASSERT_FRAME(th_sent(&t, 0), udp6_unreach_expected);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 1);
	TH_ASSERT_STAT(&t, icmp6_tx_error, 1);
	cr_assert_eq(seen.n, 0);
}

Test(udp6, zero_checksum_is_dropped_and_counted_rfc8200_8_1)
{
	COPY(f, udp6_closed);

	open6(AF_INET6, 9, 0);
	f[60] = f[61] = 0;
	IN(f, T0 + 1);
	cr_assert_eq(seen.n, 0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, udp6_drop_no_cksum, 1);
	TH_ASSERT_STAT(&t, udp_rx_no_cksum, 0);
}

Test(udp6, wrong_checksum_is_dropped_silently_rfc1122_4_1_3_4)
{
	COPY(f, udp6_closed);

	f[61] ^= 1;
	IN(f, T0 + 1); /* closed port: still no error */
	open6(AF_INET6, 9, 0);
	IN(f, T0 + 2);
	cr_assert_eq(seen.n, 0);
	th_assert_sent(&t, 0);
	TH_ASSERT_STAT(&t, udp_drop_cksum, 2);
}

Test(udp6, length_other_than_the_payloads_is_udp_drop_len)
{
	COPY(f, udp6_closed);

	open6(AF_INET6, 9, 0);
	f[59] = 12; /* one byte short */
	IN(f, T0 + 1);
	f[59] = 7;  /* shorter than a header */
	IN(f, T0 + 2);
	cr_assert_eq(seen.n, 0);
	TH_ASSERT_STAT(&t, udp_drop_len, 2);
}

Test(udp6, queue_mode_gives_the_ipv6_endpoints)
{
	struct dpt_udp_sock *s = open6(AF_UNSPEC, 9, 1);
	struct dpt_udp_addr from, to;
	struct rte_mbuf *m;

	IN(udp6_closed, T0 + 1);
	m = dpt_udp_recvfrom(s, &from, &to);
	cr_assert_not_null(m);
	cr_assert_eq(m->pkt_len, 5);
	assert_from_peer6(&from, 1234);
	cr_assert(dpt_in6_eq(&to.v6, &th_us_ip6));
	cr_assert_eq(to.port, 9);
	rte_pktmbuf_free(m);
}

Test(udp6, copied_bytes_are_the_exact_datagram_rfc8200_8_1)
{
	struct dpt_udp_sock *s = open6(AF_INET6, 9, 0);
	struct dpt_udp_addr to = dpt_udp_addr6(&th_peer_ip6, 1234);

	cr_assert_eq(dpt_udp_sendto_copy(s, "hello", 5, &to, T0 + 1), 0);
	TH_ASSERT_FRAME(th_sent(&t, 0), udp6_reply_expected);
	TH_ASSERT_STAT(&t, udp_tx, 1);
}

Test(udp6, socket_of_both_families_serves_each_and_echoes_zero_copy)
{
	struct dpt_svc *svc = udp_svc(DPT_SVC_ECHO, 9);
	COPY(f, udp_dgram);

	cr_assert_not_null(svc);
	IN(udp6_closed, T0 + 1);
	TH_ASSERT_FRAME(th_sent(&t, 0), udp6_reply_expected);
	/* and IPv4: udp_dgram to port 9 (checksum without it: none) */
	f[37] = 9;
	f[40] = f[41] = 0;
	IN(arp_req, T0 + 2);
	th_clear_sent(&t);
	IN(f, T0 + 3);
	th_assert_sent(&t, 1);
	TH_ASSERT_STAT(&t, udp_tx, 2);
	TH_ASSERT_STAT(&t, mbuf_alloc_fail, 0);
	dpt_svc_free(svc, T0 + 4);
}

Test(udp6, families_are_kept_apart)
{
	struct dpt_udp_sock *s4 = open6(AF_INET, 9, 0);
	struct dpt_udp_addr to6 = dpt_udp_addr6(&th_peer_ip6, 1234);

	/* IPv4 and IPv6 sockets share a port; both-family ones do not */
	open6(AF_INET6, 9, 0);
	cr_assert_null(dpt_udp_open(u, &(struct dpt_udp_open_params){
		.local = { .family = AF_UNSPEC, .port = 9 } }));
	cr_assert_eq(rte_errno, EADDRINUSE);
	cr_assert_eq(dpt_udp_sendto_copy(s4, "x", 1, &to6, T0 + 1),
		     -EAFNOSUPPORT);
	TH_ASSERT_STAT(&t, udp_drop_tx, 1);
}

Test(udp6, connected_socket_takes_only_its_peers_datagrams)
{
	struct dpt_udp_sock *s = dpt_udp_open(u, &(struct dpt_udp_open_params){
		.local = { .family = AF_INET6, .port = 9 },
		.remote = dpt_udp_addr6(&th_peer_ip6, 1235), .on_recv = on_recv });
	struct dpt_udp_addr l;

	cr_assert_not_null(s);
	l = dpt_udp_local(s);
	cr_assert(dpt_in6_eq(&l.v6, &th_us_ip6),
		  "connecting fixes the source address");
	IN(udp6_closed, T0 + 1); /* from port 1234: not its peer */
	cr_assert_eq(seen.n, 0);
	TH_ASSERT_STAT(&t, udp_drop_no_port, 1);
	cr_assert_eq(dpt_udp_connect(s, &(struct dpt_udp_addr){
		.family = AF_INET6, .port = 1234, .v6 = th_peer_ip6 }), 0);
	IN(udp6_closed, T0 + 2);
	cr_assert_eq(seen.n, 1);
	rte_pktmbuf_free(seen.m);
}

static int
even_ports_only6(void *arg, const struct dpt_in6 *raddr, uint16_t rport,
		 const struct dpt_in6 *laddr, uint16_t lport)
{
	(void)arg, (void)raddr, (void)rport, (void)laddr;
	return lport % 2 == 0;
}

Test(udp6, connect_takes_an_ephemeral_port_whose_replies_come_here)
{
	struct dpt_udp_addr peer = dpt_udp_addr6(&th_peer_ip6, 7), l;
	struct dpt_udp_sock *s;

	dpt_udp_free(u);
	u = dpt_udp_create(&(struct dpt_udp_params){
		.name = "test_udp", .nif = &t.nif, .hdr_pool = th_pool,
		.data_pool = th_pool, .stats = &t.stats, .max_socks = 8,
		.port_ok6 = even_ports_only6, .seed = 7 });
	cr_assert_not_null(u);
	for (int i = 0; i < 4; i++) {
		s = dpt_udp_open(u, &(struct dpt_udp_open_params){
			.local = { .family = AF_INET6 }, .remote = peer });
		cr_assert_not_null(s);
		cr_assert_eq(dpt_udp_local(s).port % 2, 0);
	}
	/* a port given must hash here too; a failed connect changes
	 * nothing */
	s = open6(AF_INET6, 5001, 0);
	cr_assert_eq(dpt_udp_connect(s, &peer), -EXDEV);
	l = dpt_udp_local(s);
	cr_assert_eq(l.port, 5001);
	cr_assert(dpt_in6_is_unspec(&l.v6));
}

/* The socket 2001:2::1:9 connected to the peer's port 1234, which sent
 * it "hello" (udp6_reply_expected). */
static struct dpt_udp_sock *
sent_hello6(void)
{
	struct dpt_udp_sock *s = dpt_udp_open(u, &(struct dpt_udp_open_params){
		.local = { .family = AF_INET6, .port = 9 },
		.remote = dpt_udp_addr6(&th_peer_ip6, 1234),
		.on_readable = on_readable });

	cr_assert_not_null(s);
	cr_assert_eq(dpt_udp_sendto_copy(s, "hello", 5, NULL, T0 + 1), 0);
	TH_ASSERT_FRAME(th_sent(&t, 0), udp6_reply_expected);
	th_clear_sent(&t);
	return s;
}

Test(udp6, port_unreachable_is_econnrefused_on_the_connected_socket_rfc4443_3_1)
{
	struct dpt_udp_sock *s = sent_hello6();

	IN(udp6_unreach_for_us, T0 + 2);
	TH_ASSERT_STAT(&t, udp_icmp_errors, 1);
	TH_ASSERT_STAT(&t, icmp6_drop_quote, 0);
	dpt_udp_poll(u, T0 + 3);
	cr_assert_eq(seen.readable, 1, "the application learns it");
	cr_assert_eq(dpt_udp_error(s), ECONNREFUSED);
	cr_assert_eq(dpt_udp_error(s), 0, "read once, as SO_ERROR");
	th_assert_sent(&t, 0);
}

Test(udp6, packet_too_big_fragments_the_next_datagrams_and_is_no_error_rfc8201_4)
{
	struct dpt_udp_sock *s = sent_hello6();
	static char big[1400];

	IN(udp6_ptb_for_us, T0 + 2);
	TH_ASSERT_STAT(&t, udp_icmp_errors, 1);
	cr_assert_eq(dpt_udp_error(s), 0);
	cr_assert_eq(dpt_udp_sendto_copy(s, big, sizeof(big), NULL, T0 + 3),
		     0);
	/* 1300 bytes a packet: 40 + 8 (fragment header) + 1248 (a multiple
	 * of 8, RFC 8200 4.5), then the other 160 of 1408 UDP bytes */
	th_assert_sent(&t, 2);
	cr_assert_eq(th_sent(&t, 0)->pkt_len, 14 + 40 + 8 + 1248);
	cr_assert_eq(th_sent(&t, 1)->pkt_len, 14 + 40 + 8 + 1408 - 1248);
}

Test(udp6, error_for_an_unconnected_socket_is_counted_and_dropped)
{
	struct dpt_udp_sock *s = open6(AF_INET6, 9, 1);

	IN(udp6_unreach_for_us, T0 + 1);
	TH_ASSERT_STAT(&t, udp_icmp_no_sock, 1);
	TH_ASSERT_STAT(&t, udp_icmp_errors, 0);
	cr_assert_eq(dpt_udp_error(s), 0);
}

Test(udp6, without_lib_udp_an_error_quoting_udp_is_icmp6_drop_quote)
{
	dpt_udp_free(u);
	u = NULL;
	IN(udp6_unreach_for_us, T0 + 1);
	TH_ASSERT_STAT(&t, icmp6_drop_quote, 1);
	TH_ASSERT_STAT(&t, udp_icmp_no_sock, 0);
}
