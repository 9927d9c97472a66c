/* SPDX-License-Identifier: BSD-3-Clause */
/* tcp_harness.c: see tcp_harness.h. */
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ip.h>

#include "dpt_conf.h" /* the [tcp] defaults */
#include "vectors6.h"   /* the peer's NS and NA */
#include "tcp_harness.h"
#include "tcp_impl.h" /* white box: our TSval */

struct tt tt;

static void
edit_none(struct dpt_tcp_conf *c)
{
	(void)c;
}

/* IPv6 on the interface and the peer resolved: it asked for us (an NS
 * with its link-layer address: STALE, RFC 4861 7.2.3) and answered our
 * question (a solicited NA: REACHABLE, 7.2.5), an entry that lives as
 * long as the ARP one below. */
static void
enable6(void)
{
	tt.i.arp.reachable_us = UINT64_MAX / 4;
	tt.i.arp.gc_us = UINT64_MAX / 4;
	th_if_enable6(&tt.i, 0);
	th_in(&tt.i, ns_from_peer, sizeof(ns_from_peer), tt.now);
	th_in(&tt.i, na_from_peer, sizeof(na_from_peer), tt.now);
	th_clear_sent(&tt.i);
}

static void
setup(void (*edit)(struct dpt_tcp_conf *c), int v6)
{
	static struct dpt_conf conf;
	struct dpt_tcp_params p = { .name = "tt_tcp", .socket_id = 0 };

	th_eal_init();
	memset(&tt, 0, sizeof(tt));
	th_if_init(&tt.i);
	tt.now = TT_T0;
	tt.v6 = v6;
	if (v6)
		enable6();
	/* The peer stays resolved however long a test runs in fake time:
	 * TCP tests assert TCP segments, not ARP refreshes. */
	{
		static const struct dpt_neigh_conf forever = {
			.entries = 64, .queue = 8, .reachable_us = UINT64_MAX / 4,
			.retrans_us = 1000000, .probes = 3,
			.gc_us = UINT64_MAX / 4,
		};
		struct dpt_neigh *n = dpt_neigh_create(&(struct dpt_neigh_params){
			.name = "tt_neigh", .socket_id = 0, .conf = &forever });

		cr_assert_not_null(n);
		dpt_neigh_free(tt.i.nif.neigh);
		tt.i.nif.neigh = n;
	}
	/* the peer is resolved: it asked for us */
	{
		static const uint8_t req[] = {
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0,
			0x01, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04,
			0x00, 0x01, 0x02, 0, 0, 0, 0, 0x01, 198, 18, 0, 1, 0,
			0, 0, 0, 0, 0, 198, 18, 0, 2 };

		dpt_eth_input(&tt.i.nif, th_mbuf(req, sizeof(req), 0), tt.now);
		dpt_tx_flush(&tt.i.tx);
		tt.seen = tt.i.sink.n;
	}
	dpt_conf_defaults(&conf);
	tt.conf = conf.tcp;
	tt.conf.max_conns = 64;
	/* Tests pin the buffers they compute windows from (256 KiB, scale
	 * 3); the product's defaults may change. */
	tt.conf.rcvbuf = 256 * 1024;
	tt.conf.sndbuf = 256 * 1024;
	edit(&tt.conf);
	tt.hdr_pool = rte_pktmbuf_pool_create("tt_hdr", 4095, 0, 0,
					      RTE_PKTMBUF_HEADROOM + 256, 0);
	cr_assert_not_null(tt.hdr_pool);
	/* large sends cut in software (dpt_gso.c), as on a port without
	 * TSO: every test's frames come through that path */
	tt.i.tx.gso_pool = tt.hdr_pool;
	p.conf = &tt.conf;
	p.nif = &tt.i.nif;
	p.hdr_pool = tt.hdr_pool;
	p.data_pool = th_pool;
	p.stats = &tt.i.stats;
	p.now = tt.now;
	for (int i = 0; i < 16; i++)
		p.secret[i] = (uint8_t)i;
	tt.tcp = dpt_tcp_create(&p);
	cr_assert_not_null(tt.tcp);
	/* The sink keeps every frame sent (a header mbuf each), which would
	 * trip the header pool's reserve and pressure marks in long tests;
	 * the tests of those set them themselves. */
	tt.tcp->hdr_reserve = 0;
	tt.tcp->hdr_pressure = 0;
}

void
tt_setup_with(void (*edit)(struct dpt_tcp_conf *c))
{
	setup(edit, 0);
}

void
tt_setup(void)
{
	tt_setup_with(edit_none);
}

void
tt_setup6_with(void (*edit)(struct dpt_tcp_conf *c))
{
	setup(edit, 1);
}

void
tt_setup6(void)
{
	tt_setup6_with(edit_none);
}

void
tt_teardown(void)
{
	dpt_tcp_free(tt.tcp, tt.now);
}

void
tt_pattern(uint8_t *buf, uint32_t seq, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq + i);
}

static void
ip_hdr(struct rte_ipv4_hdr *ip, uint32_t src, uint32_t dst, uint32_t len)
{
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)len);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* The IPv6 header of @len bytes of TCP, peer -> us, after the Ethernet
 * header of @f (written by build()): 20 bytes further than IPv4's. */
static unsigned int
ip6_frame(uint8_t *f, unsigned int len)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(f + 14);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	memmove(f + 54, f + 34, len);
	f[12] = 0x86;
	f[13] = 0xdd;
	memset(ip, 0, sizeof(*ip));
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28 | 0x12345); /* a label */
	ip->payload_len = rte_cpu_to_be_16((uint16_t)len);
	ip->proto = IPPROTO_TCP;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, &th_peer_ip6, 16);
	memcpy(ip->dst_addr, &th_us_ip6, 16);
	th->cksum = 0;
	/* DPDK's own sum (RFC 8200 8.1), not ours */
	th->cksum = rte_ipv6_udptcp_cksum(ip, th);
	return 54 + len;
}

/* A whole frame peer -> us carrying @s. */
static struct rte_mbuf *
build(const struct tt_spec *s)
{
	static uint8_t f[RTE_ETHER_HDR_LEN + 40 + 60 + 9000];
	struct dpt_tcp_seg seg = {
		.sport = s->sport ? s->sport : TT_PEER_PORT,
		.dport = s->dport ? s->dport : TT_PORT,
		.seq = s->seq, .ack = s->ack, .flags = s->flags,
		.wnd = (uint16_t)(s->wnd_set || s->wnd ? s->wnd : 65535),
		.opt = s->opt,
	};
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);
	unsigned int hl;
	struct rte_tcp_hdr *th;

	cr_assert_leq(s->len, 9000u);
	memcpy(f, th_us_mac.addr_bytes, 6);
	memcpy(f + 6, th_peer_mac.addr_bytes, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	hl = dpt_tcp_write_hdr(f + 34, &seg);
	if (s->data != NULL)
		memcpy(f + 34 + hl, s->data, s->len);
	else
		tt_pattern(f + 34 + hl, s->seq + !!(s->flags & SYN), s->len);
	ip_hdr(ip, TH_PEER_IP, s->daddr ? s->daddr : TH_US_IP,
	       20 + hl + s->len);
	th = (struct rte_tcp_hdr *)(f + 34);
	th->tcp_urp = rte_cpu_to_be_16(s->urp);
	th->data_off |= s->reserved & 0x0f;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	if (tt.v6)
		return th_mbuf(f, ip6_frame(f, hl + s->len), 0);
	return th_mbuf(f, 34 + hl + s->len, 0);
}

struct rte_mbuf *
tt_frame(const struct tt_spec *s)
{
	return build(s);
}

void
tt_in(const struct tt_spec *s)
{
	dpt_eth_input(&tt.i.nif, build(s), tt.now);
	dpt_tcp_poll(tt.tcp, tt.now);
}

void
tt_burst(const struct tt_spec *s, unsigned int n)
{
	dpt_tcp_rx_begin(tt.tcp);
	for (unsigned int i = 0; i < n; i++)
		dpt_eth_input(&tt.i.nif, build(&s[i]), tt.now);
	dpt_tcp_rx_end(tt.tcp, tt.now);
	dpt_tcp_poll(tt.tcp, tt.now);
}

void
tt_poll(void)
{
	dpt_tcp_poll(tt.tcp, tt.now);
}

void
tt_advance(uint64_t us)
{
	uint64_t end = tt.now + us;

	while (tt.now < end) {
		tt.now = RTE_MIN(tt.now + 1024, end);
		dpt_tcp_poll(tt.tcp, tt.now);
	}
}

uint16_t
tt_pending(void)
{
	dpt_tx_flush(&tt.i.tx);
	return (uint16_t)(tt.i.sink.n - tt.seen);
}

/* The IPv6 segment of frame @c (@f its bytes) into @s: from us to the
 * peer, its checksum right by DPDK's sum and by TCP input's parser.
 * Returns the TCP header's offset. */
static uint32_t
next6(struct rte_mbuf *c, const uint8_t *f, struct dpt_tcp_seg *s)
{
	const struct rte_ipv6_hdr *h = (const void *)(f + 14);
	struct dpt_ipv6 ip;

	cr_assert_eq(dpt_ipv6_parse(c, 14, &ip), DPT_STAT_OK);
	cr_assert_eq(ip.proto, IPPROTO_TCP, "not a TCP segment");
	cr_assert_eq(ip.hdr_len, 40, "extension headers sent");
	cr_assert_arr_eq(&ip.dst, &th_peer_ip6, 16);
	cr_assert_arr_eq(&ip.src, &th_us_ip6, 16, "not from 2001:2::1");
	/* RFC 6437 3: labelled, one label per flow (tests compare) */
	cr_assert_neq(ip.flow, 0, "no flow label");
	tt.flow = ip.flow;
	cr_assert_eq(rte_ipv6_udptcp_cksum_verify(h, h + 1), 0,
		     "TCP checksum over the IPv6 pseudo-header");
	rte_pktmbuf_adj(c, 14 + ip.hdr_len);
	cr_assert_eq(dpt_tcp_parse6(c, &ip, s, &tt.i.stats), DPT_STAT_OK,
		     "our segment does not parse (checksum?)");
	return 14 + ip.hdr_len;
}

/* The same of an IPv4 segment, from @src. */
static uint32_t
next4(struct rte_mbuf *c, uint32_t src, struct dpt_tcp_seg *s)
{
	struct dpt_ipv4 ip;

	cr_assert_eq(dpt_ipv4_parse(c, 14, &ip), DPT_STAT_OK);
	cr_assert_eq(ip.proto, IPPROTO_TCP, "not a TCP segment");
	cr_assert_eq(ip.dst, TH_PEER_IP);
	cr_assert_eq(ip.src, src, "source %08x, expected %08x", ip.src, src);
	cr_assert_eq(ip.frag, RTE_IPV4_HDR_DF_FLAG, "DF must be set");
	rte_pktmbuf_adj(c, 14 + ip.hdr_len);
	cr_assert_eq(dpt_tcp_parse(c, &ip, s, &tt.i.stats), DPT_STAT_OK,
		     "our segment does not parse (checksum?)");
	return 14u + ip.hdr_len;
}

/* The next sent frame, which must come from @src (IPv4), parsed into
 * @s. */
static void
next_from(uint32_t src, struct dpt_tcp_seg *s, uint8_t *data, uint32_t cap)
{
	static uint8_t f[16384];
	struct rte_mbuf *m, *c;
	uint32_t l4;

	cr_assert_gt(tt_pending(), 0, "no segment was sent");
	m = tt.i.sink.pkts[tt.seen++];
	cr_assert_leq(m->pkt_len, sizeof(f));
	{
		const void *p = rte_pktmbuf_read(m, 0, m->pkt_len, f);

		cr_assert_not_null(p);
		if (p != f)
			memcpy(f, p, m->pkt_len);
	}
	c = th_mbuf(f, m->pkt_len, 0);
	l4 = tt.v6 ? next6(c, f, s) : next4(c, src, s);
	if (data != NULL) {
		cr_assert_leq(s->len, cap);
		memcpy(data, f + l4 + s->hdr_len, s->len);
	}
	rte_pktmbuf_free(c);
}

void
tt_next(struct dpt_tcp_seg *s, uint8_t *data, uint32_t cap)
{
	next_from(TH_US_IP, s, data, cap);
}

static void
cmp_opts(const struct dpt_tcp_opts *got, const struct tt_expect *e,
	 const char *where)
{
	const struct dpt_tcp_opts *w = &e->opt;

	cr_assert_eq(got->present, w->present, "%s: options 0x%x, expected "
		     "0x%x", where, got->present, w->present);
	if (w->present & DPT_TCPOPT_MSS)
		cr_assert_eq(got->mss, w->mss, "%s: MSS %u, expected %u",
			     where, got->mss, w->mss);
	if (w->present & DPT_TCPOPT_WS)
		cr_assert_eq(got->wscale, w->wscale, "%s: wscale %u, expected "
			     "%u", where, got->wscale, w->wscale);
	if (w->present & DPT_TCPOPT_TS) {
		cr_assert_eq(got->tsecr, w->tsecr, "%s: TSecr %u, expected %u",
			     where, got->tsecr, w->tsecr);
		if (e->tsval_set)
			cr_assert_eq(got->tsval, w->tsval, "%s: TSval %u, "
				     "expected %u", where, got->tsval,
				     w->tsval);
	}
	if (w->present & DPT_TCPOPT_SACK) {
		cr_assert_eq(got->n_sack, w->n_sack, "%s: %u SACK blocks, "
			     "expected %u", where, got->n_sack, w->n_sack);
		for (unsigned int i = 0; i < w->n_sack; i++)
			cr_assert(got->sack[i].left == w->sack[i].left &&
				  got->sack[i].right == w->sack[i].right,
				  "%s: SACK block %u is %u-%u, expected %u-%u",
				  where, i, got->sack[i].left,
				  got->sack[i].right, w->sack[i].left,
				  w->sack[i].right);
	}
}

static void
flags_str(uint8_t f, char *buf)
{
	snprintf(buf, 32, "%s%s%s%s%s%s", f & SYN ? "S" : "",
		 f & FIN ? "F" : "", f & RST ? "R" : "", f & PSH ? "P" : "",
		 f & ACK ? "." : "", f & URG ? "U" : "");
}

void
tt_out(const struct tt_expect *e, const char *file, int line)
{
	static uint8_t data[16384];
	struct dpt_tcp_seg s;
	char where[128], fg[32], fw[32];

	snprintf(where, sizeof(where), "%s:%d: segment %u", file, line,
		 tt.seen);
	next_from(e->saddr ? e->saddr : TH_US_IP, &s, data, sizeof(data));
	flags_str(s.flags, fg);
	flags_str(e->flags, fw);
	cr_assert_eq(s.flags, e->flags, "%s: flags [%s], expected [%s]", where,
		     fg, fw);
	cr_assert_eq(s.seq, e->seq, "%s: seq %u, expected %u", where, s.seq,
		     e->seq);
	cr_assert_eq(s.ack, e->ack, "%s: ack %u, expected %u", where, s.ack,
		     e->ack);
	cr_assert_eq(s.wnd, e->wnd, "%s: window %u, expected %u", where,
		     s.wnd, e->wnd);
	cr_assert_eq(s.len, e->len, "%s: %u bytes, expected %u", where, s.len,
		     e->len);
	cmp_opts(&s.opt, e, where);
	if (e->data != NULL)
		cr_assert_arr_eq(data, e->data, e->len, "%s: payload differs",
				 where);
}

void
tt_none(const char *file, int line)
{
	cr_assert_eq(tt_pending(), 0, "%s:%d: %u unexpected segment(s)", file,
		     line, tt_pending());
}

void
tt_skip_all(void)
{
	tt_pending();
	tt.seen = tt.i.sink.n;
}

void
tt_handler(struct dpt_tcb *c, uint32_t ev, void *arg, uint64_t now)
{
	(void)arg;
	/* handlers are given the time of the poll that runs them */
	cr_assert_eq(now, tt.now);
	tt.events |= ev;
	tt.last_events = ev;
	tt.n_events++;
	if (tt.auto_read && (ev & DPT_TCP_EV_READABLE))
		tt.rx_len += (uint32_t)dpt_tcp_read(c, tt.rx + tt.rx_len,
						    sizeof(tt.rx) - tt.rx_len);
	if (ev & DPT_TCP_EV_CLOSED)
		tt.conn = NULL;
}

static int
on_accept(struct dpt_tcp_listener *l, struct dpt_tcb *c, void *arg,
	  uint64_t now)
{
	(void)l;
	(void)arg;
	cr_assert_eq(now, tt.now);
	dpt_tcp_set_handler(c, tt_handler, NULL);
	tt.conn = c;
	return 0;
}

struct dpt_tcp_listener *
tt_listen(void)
{
	struct dpt_tcp_listener *l = dpt_tcp_listen(tt.tcp,
		&(struct dpt_tcp_listen_params){ .port = TT_PORT,
						 .on_accept = on_accept });

	cr_assert_not_null(l);
	return l;
}

struct dpt_tcp_opts
tt_syn_opts(uint32_t tsval)
{
	return (struct dpt_tcp_opts){
		.present = DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK | DPT_TCPOPT_TS |
			   DPT_TCPOPT_WS,
		.mss = 1460, .wscale = 7, .tsval = tsval,
	};
}

struct dpt_tcp_opts
tt_ts(uint32_t tsval, uint32_t tsecr)
{
	return (struct dpt_tcp_opts){ .present = DPT_TCPOPT_TS,
				      .tsval = tsval, .tsecr = tsecr };
}

struct dpt_tcp_info
tt_info(const struct dpt_tcb *c)
{
	struct dpt_tcp_info i;

	dpt_tcp_get_info(c, &i);
	return i;
}

uint32_t
tt_our_ts(const struct dpt_tcb *c)
{
	return tcp_tsval(c, tt.now);
}

uint32_t
tt_passive_iss(uint16_t rport, uint16_t lport)
{
	struct tcp_key k = { .raddr = TH_PEER_IP, .laddr = TH_US_IP,
			     .rport = rport, .lport = lport };

	if (tt.v6)
		return tcp_isn6(tt.tcp, &(struct tcp_key6){
			.raddr = th_peer_ip6, .laddr = th_us_ip6,
			.rport = rport, .lport = lport }, tt.now);
	return tcp_isn(tt.tcp, &k, tt.now);
}

struct dpt_tcb *
tt_accept(const struct dpt_tcp_opts *opts, uint32_t *iss)
{
	struct dpt_tcp_seg s;

	if (dpt_tcp_listen(tt.tcp, &(struct dpt_tcp_listen_params){
		.port = TT_PORT, .on_accept = on_accept }) == NULL)
		cr_assert_eq(rte_errno, EADDRINUSE);
	tt_in(&(struct tt_spec){ .flags = SYN, .seq = 1000, .opt = *opts });
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN | ACK);
	*iss = s.seq;
	tt_in(&(struct tt_spec){
		.flags = ACK, .seq = 1001, .ack = s.seq + 1,
		.opt = (opts->present & DPT_TCPOPT_TS) ?
		       tt_ts(opts->tsval + 1, s.opt.tsval) : TT_OPTS_NONE });
	cr_assert_not_null(tt.conn, "the handshake did not complete");
	cr_assert_eq(dpt_tcp_state(tt.conn), DPT_TCP_ESTABLISHED);
	return tt.conn;
}

uint32_t
tt_handshake(uint16_t sport)
{
	struct dpt_tcp_seg s;

	tt_in(&(struct tt_spec){ .flags = SYN, .seq = 1000, .sport = sport });
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN | ACK);
	tt_in(&(struct tt_spec){ .flags = ACK, .seq = 1001, .ack = s.seq + 1,
				 .sport = sport });
	return s.seq;
}

struct dpt_tcb *
tt_connect(const struct dpt_tcp_opts *opts, uint32_t *iss)
{
	struct dpt_tcp_seg s;
	struct dpt_tcb *c;

	c = dpt_tcp_connect(tt.tcp, TH_PEER_IP, 8080, 50000, tt_handler, NULL,
			    tt.now);
	cr_assert_not_null(c);
	tt.conn = c;
	tt_next(&s, NULL, 0);
	cr_assert_eq(s.flags, SYN);
	*iss = s.seq;
	tt_in(&(struct tt_spec){
		.flags = SYN | ACK, .seq = 5000, .ack = s.seq + 1,
		.sport = 8080, .dport = 50000, .opt = *opts,
	});
	cr_assert_eq(dpt_tcp_state(c), DPT_TCP_ESTABLISHED);
	return c;
}
