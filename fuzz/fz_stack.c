/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fz_stack.c: see fz_stack.h.
 *
 * File-scope state is the harness's, not the stack's: one stack per
 * input, built, played and freed in turn on the fuzzer's only thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_lcore.h>

#include "dpt_conf.h"
#include "dpt_neigh.h"
#include "dpt_netif.h"
#include "dpt_tcp_seg.h"
#include "dpt_time.h"
#include "dpt_udp.h"
#include "fz_stack.h"

#define US_IP DPT_IPV4(198, 18, 0, 2)
#define PEER_IP DPT_IPV4(198, 18, 0, 1)
#define LISTEN_PORT 80
#define CLOSED_PORT 81            /* nobody listens there */
#define T0 (1000 * DPT_US_PER_S) /* the fake clock starts here */
#define MAX_PAYLOAD 9000
#define MAX_WRITE 65536

static const struct rte_ether_addr us_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct rte_ether_addr peer_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 } };

/* One of the peer's endpoints, as the peer sees it. */
struct slot {
	uint16_t rport, lport;  /* the peer's port, ours */
	uint32_t snd_nxt;       /* the peer's next sequence number */
	uint32_t rcv_nxt;       /* what the peer received from us, + 1 */
	uint32_t tsval;         /* the peer's timestamp clock */
	uint32_t ts_recent;     /* our latest TSval */
	int synced;             /* our SYN seen: rcv_nxt is meaningful */
	int no_read;            /* the application stopped reading */
	struct dpt_tcb *c;      /* the application's handle, or NULL */
};

static struct {
	struct rte_mempool *pool;     /* packets: ours and the PMD's */
	struct rte_mempool *hdr_pool; /* TCP headers and clones */
	struct dpt_stats stats;
	struct dpt_tx tx;
	struct dpt_netif nif;
	struct dpt_netif_conf nif_conf;
	struct dpt_neigh_conf arp;
	struct dpt_tcp_conf tcp_conf;
	struct dpt_tcp *tcp;
	struct dpt_udp *udp;
	uint64_t now;
	unsigned int n_slots;
	struct slot slots[FZ_SLOTS];
	uint8_t frame[RTE_ETHER_HDR_LEN + 60 + 60 + MAX_PAYLOAD];
	uint8_t pattern[MAX_WRITE];
} fz;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	char *eal[] = {
		"fuzz", "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--legacy-mem",
		"--no-telemetry", "-l", "0", "--log-level=*:error",
		"--file-prefix", prefix, NULL,
	};
	struct dpt_conf conf;

	(void)argc;
	(void)argv;
	snprintf(prefix, sizeof(prefix), "dpt-fuzz-%d", getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "fuzz: EAL init failed\n");
		abort();
	}
	/* With no shared configuration nothing goes in EAL's runtime
	 * directory, which it leaves behind otherwise (as the unit tests'
	 * harness says). */
	rmdir(rte_eal_get_runtime_dir());
	fz.pool = rte_pktmbuf_pool_create("fz_pool", 8191, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	fz.hdr_pool = rte_pktmbuf_pool_create("fz_hdr", 4095, 0, 0,
					      RTE_PKTMBUF_HEADROOM + 256, 0);
	if (fz.pool == NULL || fz.hdr_pool == NULL)
		abort();
	for (unsigned int i = 0; i < MAX_WRITE; i++)
		fz.pattern[i] = (uint8_t)i;
	/* The product's defaults, with room for every slot and the fuzzer's
	 * own handshakes. */
	dpt_conf_defaults(&conf);
	fz.tcp_conf = conf.tcp;
	fz.tcp_conf.max_conns = 64;
	fz.tcp_conf.rcvbuf = 256 * 1024;
	fz.tcp_conf.sndbuf = 256 * 1024;
	fz.arp = conf.arp;
	fz.nif_conf = conf.netif;
	fz.nif_conf.addr = US_IP;
	fz.nif_conf.prefix_len = 24;
	fz.nif_conf.n_addrs = 2; /* .2 and .3: replies from the one asked */
	fz.nif_conf.gateway = DPT_IPV4(198, 18, 0, 254);
	/* IPv6 on too (2001:2::1/64 as in tests/unit/vectors6.h; no DAD:
	 * usable at once), so frames reach its parser, reassembly, Neighbor
	 * Discovery and ICMPv6 */
	fz.nif_conf.addr6 = (struct dpt_in6){ .b = { 0x20, 0x01, 0, 0x02, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 } };
	fz.nif_conf.prefix6_len = 64;
	fz.nif_conf.n_addrs6 = 1;
	fz.nif_conf.hop_limit = 64;
	fz.nif_conf.dad_transmits = 0;
	return 0;
}

/* ---- frames out: the peer's model learns from them ------------------- */

static struct slot *
slot_of(uint16_t lport, uint16_t rport)
{
	for (unsigned int i = 0; i < fz.n_slots; i++)
		if (fz.slots[i].lport == lport && fz.slots[i].rport == rport)
			return &fz.slots[i];
	return NULL;
}

/* A TCP segment we sent, as the peer takes it in. */
static void
observe(const struct rte_mbuf *m)
{
	uint8_t buf[RTE_ETHER_HDR_LEN + 60 + 60];
	uint32_t len = RTE_MIN(m->pkt_len, (uint32_t)sizeof(buf));
	const uint8_t *p = rte_pktmbuf_read(m, 0, len, buf);
	const struct rte_tcp_hdr *th;
	struct dpt_tcp_opts o = { 0 };
	unsigned int ihl, off, seglen;
	uint32_t seq, ack;
	struct slot *s;

	if (p == NULL || len < 34 || p[12] != 0x08 || p[13] != 0x00 ||
	    p[23] != IPPROTO_TCP)
		return;
	ihl = (p[14] & 0xf) * 4u;
	if (len < 14 + ihl + 20)
		return;
	th = (const struct rte_tcp_hdr *)(p + 14 + ihl);
	off = (th->data_off >> 4) * 4u;
	if (off < 20 || len < 14 + ihl + off)
		return;
	s = slot_of(rte_be_to_cpu_16(th->src_port),
		    rte_be_to_cpu_16(th->dst_port));
	if (s == NULL)
		return;
	seglen = rte_be_to_cpu_16(((const struct rte_ipv4_hdr *)(p + 14))->
				  total_length) - ihl - off;
	seq = rte_be_to_cpu_32(th->sent_seq);
	ack = rte_be_to_cpu_32(th->recv_ack);
	dpt_tcp_opts_parse((const uint8_t *)(th + 1), off - 20,
			   th->tcp_flags & DPT_TCP_SYN, &o);
	if (o.present & DPT_TCPOPT_TS)
		s->ts_recent = o.tsval;
	if (th->tcp_flags & DPT_TCP_RST)
		return;
	seq += seglen + !!(th->tcp_flags & DPT_TCP_SYN) +
	       !!(th->tcp_flags & DPT_TCP_FIN);
	if (!s->synced || seq_gt(seq, s->rcv_nxt))
		s->rcv_nxt = seq;
	s->synced = 1;
	if ((th->tcp_flags & DPT_TCP_ACK) && seq_gt(ack, s->snd_nxt))
		s->snd_nxt = ack;
}

static uint16_t
sink(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	for (uint16_t i = 0; i < n; i++) {
		observe(pkts[i]);
		rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

/* The loop's phases after input: timers, events, output. */
static void
poll_once(void)
{
	dpt_tcp_poll(fz.tcp, fz.now);
	dpt_neigh_tick(&fz.nif, fz.now);
	dpt_tx_flush(&fz.tx);
}

/* Advance the clock by @us in at most 16 polls: the wheel catches up on
 * a jump by itself. */
static void
advance(uint64_t us)
{
	uint64_t end = fz.now + us;
	uint64_t step = RTE_MAX(us / 16, (uint64_t)1024);

	while (fz.now < end) {
		fz.now = RTE_MIN(fz.now + step, end);
		poll_once();
	}
}

/* ---- frames in ---------------------------------------------------------- */

/* @len bytes as a PMD would deliver them: segments of the pool's data
 * room, or the first one @split bytes when non-zero. NULL if the pool is
 * dry. */
static struct rte_mbuf *
to_mbuf(const uint8_t *b, uint32_t len, uint32_t split)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t off = 0;

	do {
		uint32_t room, n;

		m = rte_pktmbuf_alloc(fz.pool);
		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		room = rte_pktmbuf_tailroom(m);
		n = RTE_MIN(len - off, room);
		if (off == 0 && split > 0 && split < n)
			n = split;
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), b + off, n);
		off += n;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
	} while (off < len);
	return head;
}

static void
input(const uint8_t *b, uint32_t len, uint8_t how, uint32_t split)
{
	struct rte_mbuf *m = to_mbuf(b, len, (how & 4) ? split : 0);

	if (m == NULL)
		return;
	if (how & 1)
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	if (how & 2)
		m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	dpt_eth_input(&fz.nif, m, fz.now);
	poll_once();
}

/* A segment from slot @s with correct checksums. */
struct seg {
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t wnd;
	struct dpt_tcp_opts opt;
	const uint8_t *raw_opt;   /* instead of opt, when not NULL */
	unsigned int raw_len;
	uint32_t len;             /* payload: the pattern from seq */
};

static void
peer_send(const struct slot *s, const struct seg *g)
{
	uint8_t *f = fz.frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(f + 34);
	struct dpt_tcp_seg seg = {
		.sport = s->rport, .dport = s->lport, .seq = g->seq,
		.ack = g->ack, .flags = g->flags, .wnd = g->wnd, .opt = g->opt,
	};
	unsigned int hl;
	uint32_t len = RTE_MIN(g->len, (uint32_t)MAX_PAYLOAD);

	memcpy(f, us_mac.addr_bytes, 6);
	memcpy(f + 6, peer_mac.addr_bytes, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	if (g->raw_opt != NULL)
		seg.opt.present = 0;
	hl = dpt_tcp_write_hdr(f + 34, &seg);
	if (g->raw_opt != NULL) {
		unsigned int n = RTE_MIN(g->raw_len, 40u);

		memcpy(f + 34 + hl, g->raw_opt, n);
		memset(f + 34 + hl + n, 1, (4 - n % 4) % 4); /* NOP */
		hl += (n + 3) & ~3u;
		th->data_off = (uint8_t)((hl / 4) << 4);
	}
	for (uint32_t i = 0; i < len; i++)
		f[34 + hl + i] = (uint8_t)(g->seq + i);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + hl + len));
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(PEER_IP);
	ip->dst_addr = rte_cpu_to_be_32(US_IP);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	input(f, 34 + hl + len, 0, 0);
}

/* The options a Linux peer puts on a SYN (MSS 1460, SACK-permitted,
 * timestamps, window scale 7), or on other segments (timestamps). */
static struct dpt_tcp_opts
peer_opts(struct slot *s, int syn, int ts)
{
	struct dpt_tcp_opts o = { 0 };

	if (syn)
		o.present = DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK | DPT_TCPOPT_WS;
	o.mss = 1460;
	o.wscale = 7;
	if (ts) {
		o.present |= DPT_TCPOPT_TS;
		o.tsval = ++s->tsval;
		o.tsecr = s->ts_recent;
	}
	return o;
}

/* The next segment in order from @s: flags, no payload. */
static void
peer_ctl(struct slot *s, uint8_t flags, uint32_t ack, int opts)
{
	struct seg g = { .flags = flags, .seq = s->snd_nxt, .ack = ack,
			 .wnd = 65535,
			 .opt = peer_opts(s, flags & DPT_TCP_SYN, opts) };

	if (!opts && (flags & DPT_TCP_SYN))
		g.opt.present = 0;
	/* before sending: our answer may acknowledge it at once */
	s->snd_nxt += !!(flags & DPT_TCP_SYN) + !!(flags & DPT_TCP_FIN);
	peer_send(s, &g);
}

/* ---- the application -------------------------------------------------- */

static void
handler(struct dpt_tcb *c, uint32_t ev, void *arg, uint64_t now)
{
	struct slot *s = arg;

	(void)now;
	if ((ev & DPT_TCP_EV_READABLE) && (s == NULL || !s->no_read))
		rte_pktmbuf_free(dpt_tcp_recv(c));
	if (ev & DPT_TCP_EV_CLOSED) {
		if (s != NULL)
			s->c = NULL;
		return;
	}
	/* Connections nobody tracks close when the peer does. */
	if (s == NULL && dpt_tcp_peer_closed(c))
		dpt_tcp_close(c, now);
}

static struct slot *
slot_add(uint16_t rport, uint16_t lport)
{
	struct slot *s;

	if (fz.n_slots == FZ_SLOTS)
		return NULL;
	s = &fz.slots[fz.n_slots++];
	memset(s, 0, sizeof(*s));
	s->rport = rport;
	s->lport = lport;
	s->snd_nxt = 1000000u * fz.n_slots;
	s->tsval = 100u * fz.n_slots;
	return s;
}

static int
on_accept(struct dpt_tcp_listener *l, struct dpt_tcb *c, void *arg,
	  uint64_t now)
{
	struct dpt_tcp_info info;
	struct slot *s;

	(void)l;
	(void)arg;
	(void)now;
	dpt_tcp_get_info(c, &info);
	s = slot_of(info.lport, info.rport);
	if (s == NULL)
		s = slot_add(info.rport, info.lport);
	if (s != NULL && s->c != NULL)
		s = NULL; /* a second connection on the 4-tuple: untracked */
	if (s != NULL)
		s->c = c;
	dpt_tcp_set_handler(c, handler, s);
	return 0;
}

/* Close @s's connection the way an application does. */
static void
app_close(struct slot *s)
{
	if (s->c == NULL)
		return;
	dpt_tcp_close(s->c, fz.now);
	s->c = NULL;
	poll_once();
}

/* ---- building the states -------------------------------------------- */

static void
build(const struct fz_want *w, unsigned int i)
{
	struct slot *s;

	switch (w->state) {
	case DPT_TCP_CLOSED:
		slot_add((uint16_t)(40000 + i), CLOSED_PORT);
		return;
	case DPT_TCP_LISTEN:
		slot_add((uint16_t)(40000 + i), LISTEN_PORT);
		return;
	case DPT_TCP_SYN_SENT:
		s = slot_add((uint16_t)(8000 + i), (uint16_t)(50000 + i));
		s->c = dpt_tcp_connect(fz.tcp, PEER_IP, s->rport, s->lport,
				       handler, s, fz.now);
		poll_once();
		return;
	default:
		break;
	}
	s = slot_add((uint16_t)(40000 + i), LISTEN_PORT);
	peer_ctl(s, DPT_TCP_SYN, 0, w->opts);
	if (w->state == DPT_TCP_SYN_RECEIVED)
		return;
	peer_ctl(s, DPT_TCP_ACK, s->rcv_nxt, w->opts);
	if (w->inflight && s->c != NULL) {
		dpt_tcp_write(s->c, fz.pattern, 8192);
		poll_once();
	}
	switch (w->state) {
	case DPT_TCP_CLOSE_WAIT:
	case DPT_TCP_LAST_ACK:
		peer_ctl(s, DPT_TCP_FIN | DPT_TCP_ACK, s->rcv_nxt, w->opts);
		if (w->state == DPT_TCP_LAST_ACK)
			app_close(s);
		return;
	case DPT_TCP_FIN_WAIT_1:
	case DPT_TCP_FIN_WAIT_2:
	case DPT_TCP_CLOSING:
	case DPT_TCP_TIME_WAIT:
		app_close(s);
		if (w->state == DPT_TCP_CLOSING)
			/* our FIN not acknowledged yet */
			peer_ctl(s, DPT_TCP_FIN | DPT_TCP_ACK, s->rcv_nxt - 1,
				 w->opts);
		if (w->state == DPT_TCP_FIN_WAIT_2 ||
		    w->state == DPT_TCP_TIME_WAIT)
			peer_ctl(s, DPT_TCP_ACK, s->rcv_nxt, w->opts);
		if (w->state == DPT_TCP_TIME_WAIT)
			peer_ctl(s, DPT_TCP_FIN | DPT_TCP_ACK, s->rcv_nxt,
				 w->opts);
		return;
	default:
		return;
	}
}

/* Every slot holds the connection its want asked for (LISTEN and CLOSED:
 * none). A mismatch is a harness bug, or a stack that cannot reach a
 * state: either way not the fuzzer's find. */
static void
check_built(const struct fz_want *w, unsigned int n)
{
	struct dpt_tcp_conn_info info[64];
	uint32_t pos = 0;
	uint32_t k = dpt_tcp_conn_list(fz.tcp, info, RTE_DIM(info), &pos);

	for (unsigned int i = 0; i < n; i++) {
		int got = -1;

		for (uint32_t j = 0; j < k; j++)
			if (info[j].lport == fz.slots[i].lport &&
			    info[j].rport == fz.slots[i].rport)
				got = info[j].state;
		if (w[i].state == DPT_TCP_LISTEN || w[i].state == DPT_TCP_CLOSED
		    ? got == -1 : got == (int)w[i].state)
			continue;
		fprintf(stderr, "fuzz: slot %u is %s, wanted %s; counters:\n",
			i, got < 0 ? "absent" : dpt_tcp_state_name(got),
			dpt_tcp_state_name(w[i].state));
		for (unsigned int c = 1; c < DPT_STAT__MAX; c++)
			if (fz.stats.c[c] != 0)
				fprintf(stderr, "  %s %" PRIu64 "\n",
					dpt_stat_name(c), fz.stats.c[c]);
		abort();
	}
}

/* UDP echo's way: each datagram back where it came from, zero-copy. */
static void
udp_echo(struct dpt_udp_sock *s, struct rte_mbuf *m,
	 const struct dpt_udp_addr *from, const struct dpt_udp_addr *to,
	 void *arg, uint64_t now)
{
	(void)arg;
	dpt_udp_sendto(s, m, from, to, now);
}

/* UDP beside TCP: echo on port 7 (a callback, both families), port 9
 * queued and never read (a queue of 4: full soon), and a socket
 * connected to the peer's port 1234 from port 9 over IPv6 (ICMPv6 errors
 * quoting it find it: tests/unit/vectors6.h's udp6_unreach_for_us). */
static void
udp_begin(void)
{
	static const struct dpt_in6 peer6 = { .b = { 0x20, 0x01, 0, 0x02, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02 } };

	fz.udp = dpt_udp_create(&(struct dpt_udp_params){
		.name = "fz_udp", .nif = &fz.nif, .hdr_pool = fz.hdr_pool,
		.data_pool = fz.pool, .stats = &fz.stats, .max_socks = 8,
		.seed = 1 });
	if (fz.udp == NULL ||
	    dpt_udp_open(fz.udp, &(struct dpt_udp_open_params){
		.local = { .family = AF_UNSPEC, .port = 7 },
		.on_recv = udp_echo }) == NULL ||
	    dpt_udp_open(fz.udp, &(struct dpt_udp_open_params){
		.local = dpt_udp_addr4(0, 9), .rcvq = 4 }) == NULL ||
	    dpt_udp_open(fz.udp, &(struct dpt_udp_open_params){
		.local = { .family = AF_INET6, .port = 9 },
		.remote = dpt_udp_addr6(&peer6, 1234), .rcvq = 4 }) == NULL)
		abort();
}

void
fz_begin(const struct fz_want *w, unsigned int n)
{
	static const uint8_t arp_req[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01,
		0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		0x02, 0, 0, 0, 0, 0x01, 198, 18, 0, 1, 0, 0, 0, 0, 0, 0,
		198, 18, 0, 2 };
	struct dpt_tcp_params p = {
		.name = "fz_tcp", .socket_id = 0, .conf = &fz.tcp_conf,
		.nif = &fz.nif, .hdr_pool = fz.hdr_pool, .data_pool = fz.pool,
		.rx_pool = fz.pool, .rx_reserve = 512, .stats = &fz.stats,
		.secret = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	};
	struct dpt_neigh *neigh, *neigh6;

	memset(&fz.stats, 0, sizeof(fz.stats));
	fz.now = T0;
	fz.n_slots = 0;
	fz.tx.n = 0;
	fz.tx.send = sink;
	fz.tx.stats = &fz.stats;
	neigh = dpt_neigh_create(&(struct dpt_neigh_params){
		.name = "fz_neigh", .socket_id = 0, .conf = &fz.arp });
	neigh6 = dpt_neigh_create(&(struct dpt_neigh_params){
		.name = "fz_nd", .socket_id = 0, .conf = &fz.arp, .family = 6 });
	if (neigh == NULL || neigh6 == NULL)
		abort();
	dpt_netif_init(&fz.nif, &(struct dpt_netif_params){
		.conf = &fz.nif_conf, .mac = &us_mac, .pool = fz.pool,
		.stats = &fz.stats, .tx = &fz.tx, .neigh = neigh,
		.neigh6 = neigh6 });
	p.now = fz.now;
	fz.tcp = dpt_tcp_create(&p);
	if (fz.tcp == NULL || dpt_tcp_listen(fz.tcp,
	    &(struct dpt_tcp_listen_params){ .port = LISTEN_PORT,
					     .on_accept = on_accept }) == NULL)
		abort();
	udp_begin();
	input(arp_req, sizeof(arp_req), 0, 0); /* the peer is resolved */
	for (unsigned int i = 0; i < n && i < FZ_SLOTS; i++)
		build(&w[i], i);
	check_built(w, RTE_MIN(n, (unsigned int)FZ_SLOTS));
}

void
fz_end(void)
{
	/* Ten minutes on: every timer left (retransmissions, keepalive,
	 * FIN-WAIT-2, TIME-WAIT, ARP) fires before the stack goes. */
	advance(600 * DPT_US_PER_S);
	dpt_tcp_free(fz.tcp, fz.now);
	fz.tcp = NULL;
	dpt_udp_free(fz.udp); /* its sockets closed, their queues freed */
	fz.udp = NULL;
	dpt_tx_flush(&fz.tx);
	dpt_neigh_free(fz.nif.neigh);
	dpt_neigh_free(fz.nif.neigh6);
	dpt_tx_flush(&fz.tx);
	/* With the stack gone, every mbuf is home: one missing is a leak
	 * that a peer could repeat until the pool is dry. */
	if (rte_mempool_in_use_count(fz.pool) != 0 ||
	    rte_mempool_in_use_count(fz.hdr_pool) != 0) {
		fprintf(stderr, "fuzz: mbufs leaked: %u packet, %u header\n",
			rte_mempool_in_use_count(fz.pool),
			rte_mempool_in_use_count(fz.hdr_pool));
		abort();
	}
}

/* ---- the records ------------------------------------------------------ */

struct rd {
	const uint8_t *p;
	size_t left;
};

static int
take(struct rd *r, void *out, size_t n)
{
	if (r->left < n)
		return -1;
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

static int
rec_frame(struct rd *r)
{
	uint16_t len;
	uint8_t how, split;

	if (take(r, &len, 2) || take(r, &how, 1) || take(r, &split, 1))
		return -1;
	len = RTE_MIN(len, (uint16_t)sizeof(fz.frame));
	if (r->left < len)
		len = (uint16_t)r->left; /* the rest of the input */
	memcpy(fz.frame, r->p, len);
	r->p += len;
	r->left -= len;
	input(fz.frame, len, how, split);
	return 0;
}

static int
rec_seg(struct rd *r)
{
	struct {
		uint8_t slot, flags;
		int16_t dseq, dack;
		uint16_t wnd;
		uint8_t opts;
		uint16_t len;
	} __rte_packed h;
	uint8_t raw[40], n = 0;
	struct seg g;
	struct slot *s;

	if (take(r, &h, sizeof(h)))
		return -1;
	if ((h.opts & 0x80) && (take(r, &n, 1) || take(r, raw,
						       RTE_MIN(n, 40))))
		return -1;
	if (fz.n_slots == 0)
		return 0;
	s = &fz.slots[h.slot % fz.n_slots];
	g = (struct seg){ .flags = h.flags, .seq = s->snd_nxt + h.dseq,
			  .ack = s->rcv_nxt + h.dack, .wnd = h.wnd,
			  .len = h.len };
	if (h.opts & 0x80) {
		g.raw_opt = raw;
		g.raw_len = RTE_MIN(n, 40);
	} else {
		g.opt = peer_opts(s, 1, h.opts & 8);
		g.opt.present &= h.opts & 0x0f;
		if (h.opts & 0x10) {
			g.opt.present |= DPT_TCPOPT_SACK;
			g.opt.n_sack = (uint8_t)(1 + ((h.opts >> 5) & 3));
			for (unsigned int k = 0; k < g.opt.n_sack; k++) {
				g.opt.sack[k].left = g.ack + 1448 * (2 * k + 1);
				g.opt.sack[k].right = g.opt.sack[k].left + 1448;
			}
		}
	}
	if (h.dseq == 0 && !(h.flags & DPT_TCP_RST))
		s->snd_nxt += RTE_MIN(h.len, (uint32_t)MAX_PAYLOAD) +
			      !!(h.flags & DPT_TCP_SYN) +
			      !!(h.flags & DPT_TCP_FIN);
	peer_send(s, &g);
	return 0;
}

static int
rec_tick(struct rd *r)
{
	uint16_t ms;

	if (take(r, &ms, 2))
		return -1;
	advance(ms * DPT_US_PER_MS);
	return 0;
}

static int
rec_app(struct rd *r)
{
	struct { uint8_t slot, action; uint16_t arg; } __rte_packed h;
	struct rte_mbuf *m;
	struct slot *s;

	if (take(r, &h, sizeof(h)))
		return -1;
	if (fz.n_slots == 0 || (s = &fz.slots[h.slot % fz.n_slots])->c == NULL)
		return 0;
	switch (h.action % 10) {
	case 0:
		rte_pktmbuf_free(dpt_tcp_recv(s->c));
		break;
	case 1:
		dpt_tcp_write(s->c, fz.pattern, h.arg);
		break;
	case 2:
		dpt_tcp_shutdown(s->c);
		break;
	case 3:
		app_close(s);
		return 0;
	case 4:
		dpt_tcp_abort(s->c, fz.now);
		s->c = NULL;
		break;
	case 5:
		dpt_tcp_setopt(s->c, DPT_TCP_NODELAY, h.arg & 1, fz.now);
		dpt_tcp_setopt(s->c, DPT_TCP_CORK, (h.arg >> 1) & 1, fz.now);
		break;
	case 6:
		dpt_tcp_setopt(s->c, DPT_TCP_KEEPIDLE,
			       (h.arg + 1) * DPT_US_PER_MS, fz.now);
		dpt_tcp_setopt(s->c, DPT_TCP_KEEPALIVE, 1, fz.now);
		break;
	case 7:
		s->no_read = h.arg & 1;
		break;
	case 8: /* zero-copy: a chain handed over as it is */
		m = to_mbuf(fz.pattern, RTE_MIN(h.arg, (uint16_t)8192) + 1, 0);
		if (m != NULL && dpt_tcp_send(s->c, m) != 0)
			rte_pktmbuf_free(m);
		break;
	default:
		dpt_tcp_setopt(s->c, DPT_TCP_SNDBUF, h.arg * 16u, fz.now);
		break;
	}
	poll_once();
	return 0;
}

static int
rec_open(struct rd *r)
{
	uint16_t port;
	struct dpt_tcp_info info;
	struct slot *s;
	struct dpt_tcb *c;

	if (take(r, &port, 2))
		return -1;
	s = slot_add(port, 0);
	if (s == NULL)
		return 0;
	c = dpt_tcp_connect(fz.tcp, PEER_IP, port, 0, handler, s, fz.now);
	if (c == NULL) {
		fz.n_slots--;
		return 0;
	}
	dpt_tcp_get_info(c, &info);
	s->lport = info.lport;
	s->c = c;
	poll_once();
	return 0;
}

void
fz_play(const uint8_t *data, size_t len)
{
	static int (*const kinds[])(struct rd *) = {
		rec_frame, rec_seg, rec_tick, rec_app, rec_open,
	};
	struct rd r = { data, len };
	uint8_t k;

	while (take(&r, &k, 1) == 0)
		if ((k & 7) < RTE_DIM(kinds) && kinds[k & 7](&r) != 0)
			break;
}
