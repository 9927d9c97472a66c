/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_output.c: deciding what to send, and building segments.
 *
 * A segment is one small header mbuf (Ethernet, IPv4, TCP and options)
 * chained to indirect mbufs attached to the send queue's own buffers, so
 * payload is never copied: the queue keeps the data until it is
 * acknowledged, the NIC frees its references after transmission. Costs per
 * segment: one header mbuf, one indirect mbuf per queue mbuf spanned
 * (usually one or two), the checksum (none when offloaded).
 */
#include <string.h>

#include <rte_ip.h>

#include "dpt_time.h"
#include "tcp_impl.h"

#define HDRS_OFF (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))
/* Over IPv6 the TCP header follows a 40-byte IPv6 header (no extension
 * headers: we send none). Segments are built for IPv4's offsets all the
 * same (HDRS_OFF), and an IPv6 one takes the 20 bytes more in front of
 * it only when it is finished (finish_and_send6()): every length and
 * offset computed on the way stays one formula for both families. */
#define HDRS6_OFF (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr))

uint32_t
tcp_tsval(const struct dpt_tcb *c, uint64_t now)
{
	/* RFC 7323 5.4: a 1 ms clock with a per-connection offset. */
	return (uint32_t)(now / 1000) + c->ts_offset;
}

/* The window to advertise: the free receive buffer, but never shrinking
 * what was offered (RFC 9293 3.8.6, SHLD-14) and moving the right edge
 * only in steps of min(buffer/2, MSS) (receiver SWS avoidance, RFC 9293
 * 3.8.6.2.2, MUST-39). */
uint32_t
tcp_rcv_window(struct dpt_tcb *c)
{
	uint32_t used = c->rcvq.bytes + c->ooo_bytes;
	uint32_t space = used < c->rcv_buf && !rcv_pressed(c) ?
			 c->rcv_buf - used : 0;
	uint32_t offered = seq_gt(c->rcv_adv, c->rcv_nxt) ?
			   c->rcv_adv - c->rcv_nxt : 0;
	uint32_t step = RTE_MIN(c->rcv_buf / 2, c->rcv_mss);
	uint32_t max = (uint32_t)UINT16_MAX << c->rcv_wscale;

	space &= ~((1u << c->rcv_wscale) - 1);
	/* What was offered is kept, rounded up to the scale's unit so the
	 * shifted field never pulls the edge back (RFC 7323 2.4). */
	if (space <= offered || space - offered < step)
		return RTE_MIN(RTE_ALIGN_CEIL(offered, 1u << c->rcv_wscale),
			       max);
	return RTE_MIN(space, max);
}

/* Whether segments are summed here: not when the PMD does it, nor on a
 * link that needs no checksum ([port0] checksum = none). */
static int
sw_cksum(const struct dpt_tcp *t)
{
	return !t->tx_cksum && !t->cksum_none;
}

/* Chain references to @len queued bytes from @seq after *@tail, the last
 * mbuf of the frame headed by @h, in at most @pieces mbufs, and (when
 * @psum is not NULL and checksums are summed here) add their sum to
 * *@psum: from the queue mbufs' stored sums where they have them
 * (dpt_cksum_seg()), so bytes copied in by dpt_tcp_write(), a constant
 * body, or a retransmission are not read again. Returns the bytes
 * attached (fewer at the mbuf limit or when the header pool is empty). */
static __rte_always_inline uint32_t
attach_data(struct dpt_tcb *c, struct rte_mbuf *h, struct rte_mbuf **tail,
	    uint32_t seq, uint32_t len, uint32_t pieces, uint16_t *psum)
{
	int sum_here = psum != NULL && sw_cksum(c->tcp);
	struct rte_mbuf *src;
	uint32_t off, done = 0;

	src = sndq_locate(c, seq, &off);
	while (done < len && src != NULL && pieces-- > 0) {
		struct rte_mbuf *mi = rte_pktmbuf_alloc(c->tcp->hdr_pool);
		uint32_t n = RTE_MIN(len - done, (uint32_t)src->data_len - off);

		if (mi == NULL) {
			tcb_count(c, DPT_STAT_mbuf_alloc_fail);
			break;
		}
		if (sum_here)
			*psum = dpt_cksum_add(*psum, dpt_cksum_seg(src, off, n),
					      done);
		rte_pktmbuf_attach(mi, src);
		mi->data_off = (uint16_t)(src->data_off + off);
		mi->data_len = (uint16_t)n;
		(*tail)->next = mi;
		*tail = mi;
		h->nb_segs++;
		h->pkt_len += n;
		done += n;
		off = 0;
		src = src->next;
	}
	return done;
}

/* Data for up to @n frames of @seg bytes from @seq (the last may be
 * shorter: @len in all) after header @h, each frame's data in its own
 * mbufs, so a frame boundary is always an mbuf boundary (dpt_gso.c then
 * only moves mbufs) and each frame spans at most TCP_MAX_TX_SEGS mbufs as
 * one built alone does. A frame cut short (mbuf limit, empty pool) ends
 * the send: kept if it is the first, as a lone segment would be, else
 * dropped so that every frame but the last is full. Returns the bytes
 * attached. */
static __rte_noinline uint32_t
attach_frames(struct dpt_tcb *c, struct rte_mbuf *h, uint32_t seq,
	      uint32_t len, uint32_t seg)
{
	struct rte_mbuf *tail = h;
	uint32_t done = 0;

	while (done < len) {
		struct rte_mbuf *before = tail;
		uint16_t segs = h->nb_segs;
		uint32_t want = RTE_MIN(seg, len - done);
		uint32_t got = attach_data(c, h, &tail, seq + done, want,
					   TCP_MAX_TX_SEGS - 1, NULL);

		if (got < want && done > 0) {
			rte_pktmbuf_free(before->next);
			before->next = NULL;
			h->nb_segs = segs;
			h->pkt_len -= got;
			break;
		}
		done += got;
		if (got < want || h->nb_segs + TCP_MAX_TX_SEGS > TCP_MAX_TSO_SEGS)
			break;
	}
	return done;
}

/* Options of a SYN or SYN-ACK (RFC 9293 3.7.1, RFC 7323, RFC 2018). */
static void
syn_options(struct dpt_tcb *c, struct dpt_tcp_opts *o, uint64_t now)
{
	const struct dpt_tcp_conf *cf = &c->tcp->conf;
	int synack = c->state == DPT_TCP_SYN_RECEIVED;

	o->present = DPT_TCPOPT_MSS;
	/* RFC 9293 3.7.1: the MTU less the fixed IP and TCP headers (60
	 * bytes over IPv6, RFC 8200 3: MSS 1440 at MTU 1500) */
	o->mss = (uint16_t)(c->tcp->nif->mtu - tcb_hdrs(c));
	/* On a SYN-ACK, only what the peer offered (RFC 7323 1.3, 2.2). */
	if (synack ? (c->flags & F_WS) : cf->window_scaling) {
		o->present |= DPT_TCPOPT_WS;
		o->wscale = c->rcv_wscale;
	}
	if (synack ? (c->flags & F_SACK) : cf->sack)
		o->present |= DPT_TCPOPT_SACK_OK;
	if (synack ? (c->flags & F_TS) : cf->timestamps) {
		o->present |= DPT_TCPOPT_TS;
		o->tsval = tcp_tsval(c, now);
		o->tsecr = synack ? c->ts_recent : 0;
	}
}

static void
data_options(struct dpt_tcb *c, struct dpt_tcp_opts *o, uint64_t now)
{
	o->present = 0;
	if (c->flags & F_TS) {
		o->present |= DPT_TCPOPT_TS;
		o->tsval = tcp_tsval(c, now);
		o->tsecr = c->ts_recent;
	}
	/* RFC 2018 4: report held out-of-order data in every ACK. */
	if ((c->flags & F_SACK) && c->ooo_n > 0) {
		o->n_sack = (uint8_t)sack_blocks(c, o->sack,
						 c->flags & F_TS ? 3 : 4);
		if (o->n_sack > 0)
			o->present |= DPT_TCPOPT_SACK;
	}
}

/* IPv4 header from @laddr (the connection's local address, or the one a
 * segment without a connection was sent to: RFC 1122 3.3.4.2, RFC 9293
 * 3.10.7.1), with DF (RFC 1191: every segment probes the path) unless
 * @df is 0, TCP checksum, send. A segment of @segsz-byte frames (0: one
 * frame) is flagged RTE_MBUF_F_TX_TCP_SEG for the TX path to cut (the
 * PMD's TSO, or dpt_gso.c in software, which then checksums each frame),
 * the IPv4 ids of all its frames taken from the counter. The checksum of
 * one frame: offloaded; 0 when the link is shared memory ([port0]
 * checksum = none, like Linux's lo); the header mbuf's bytes plus @psum,
 * the sum of the data chained after it, when not NULL; else over the
 * whole chain. */
static void
finish_and_send_large(struct dpt_tcp *t, struct rte_mbuf *m, uint32_t laddr,
		      uint32_t raddr, uint32_t tcp_len, int df, uint32_t segsz,
		      const uint16_t *psum, uint64_t now)
{
	uint32_t hl = (uint32_t)(m->data_len - HDRS_OFF), frames = 1;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	dpt_ipv4_fill_from(t->nif, m, laddr, raddr, IPPROTO_TCP, 0,
			   (uint16_t)(sizeof(*ip) + tcp_len), df);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				     RTE_ETHER_HDR_LEN);
	th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, HDRS_OFF);
	m->l4_len = (uint8_t)hl;
	if (segsz != 0) {
		frames = (tcp_len - hl + segsz - 1) / segsz;
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = (uint16_t)segsz;
		/* the PMD numbers the frames on from the ID written (they
		 * are atomic: DF, RFC 6864 4.1); the counter keeps its
		 * residue among the lcores' (dpt_ipv4_fill_from()) */
		dpt_netif_skip_ip_ids(t->nif, frames - 1);
		/* IPv4 packets are counted as they leave: one a frame */
		t->nif->stats->c[DPT_STAT_ip_tx] += frames - 1;
	}
	if (t->tx_cksum) {
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
		th->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	} else if (t->cksum_none) {
		th->cksum = 0;
	} else if (frames == 1 && psum != NULL) {
		/* the header mbuf's bytes, then the data's known sum (the
		 * TCP header's length is a multiple of 4: no byte swap) */
		th->cksum = dpt_ipv4_l4_cksum_part(m, ip, HDRS_OFF,
						   m->data_len - HDRS_OFF,
						   *psum);
	} else if (frames == 1) {
		th->cksum = dpt_ipv4_l4_cksum(m, ip, HDRS_OFF);
	} /* else each frame's, when it is cut (dpt_gso.c) */
	t->st->c[DPT_STAT_tcp_tx_segs] += frames;
	dpt_ipv4_output(t->nif, m, raddr, now);
}

/* IPv4 header from @laddr (the connection's local address, or the one a
 * segment without a connection was sent to: RFC 1122 3.3.4.2, RFC 9293
 * 3.10.7.1), with DF (RFC 1191: every segment probes the path) unless
 * @df is 0, TCP checksum (see finish_and_send_large()), send. */
static void
finish_and_send(struct dpt_tcp *t, struct rte_mbuf *m, uint32_t laddr,
		uint32_t raddr, uint32_t tcp_len, int df, uint64_t now)
{
	finish_and_send_large(t, m, laddr, raddr, tcp_len, df, 0, NULL, now);
}

/* The IPv6 form of finish_and_send(): @m laid out for IPv4 (HDRS_OFF)
 * takes the 20 bytes more an IPv6 header needs in front (from the
 * headroom, which a header mbuf always has), the header from @laddr to
 * @raddr with flow label @flow (RFC 6437), and the TCP checksum over RFC
 * 8200 8.1's pseudo-header: offloaded, 0 on a shared-memory link, else
 * the header mbuf's bytes plus @psum (the sum of the data chained after
 * it) when not NULL, else the whole chain's. IPv6 routers never fragment
 * (RFC 8200 5): segments are sized to the path (c->pmtu), and no DF
 * flag exists to set. A segment of @segsz-byte frames (0: one frame) is
 * flagged RTE_MBUF_F_TX_TCP_SEG as IPv4's are (finish_and_send_large()):
 * with checksum offload, the pseudo-header's sum without the length, as
 * TSO wants (rte_ipv6_phdr_cksum() leaves it out for a TCP_SEG mbuf),
 * else each frame's sum when dpt_gso.c cuts it. Not inlined: IPv4's
 * send_segment() stays as it was but for a test. */
static __rte_noinline void
finish_and_send6(struct dpt_tcp *t, struct rte_mbuf *m,
		 const struct dpt_in6 *laddr, const struct dpt_in6 *raddr,
		 uint32_t flow, uint32_t segsz, const uint16_t *psum,
		 uint64_t now)
{
	uint32_t hl = (uint32_t)(m->data_len - HDRS_OFF), frames = 1;
	uint32_t tcp_len = m->pkt_len - (uint32_t)HDRS_OFF;
	struct rte_ipv6_hdr *ip;
	struct rte_tcp_hdr *th;
	uint16_t sum;

	rte_pktmbuf_prepend(m, HDRS6_OFF - HDRS_OFF);
	dpt_ipv6_fill_from(t->nif, m, laddr, raddr, IPPROTO_TCP, 0, flow,
			   (uint16_t)tcp_len);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *,
				     RTE_ETHER_HDR_LEN);
	th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, HDRS6_OFF);
	m->l4_len = (uint8_t)hl;
	if (segsz != 0) {
		frames = (tcp_len - hl + segsz - 1) / segsz;
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = (uint16_t)segsz;
		/* IPv6 packets are counted as they leave: one a frame */
		t->nif->stats->c[DPT_STAT_ip6_tx] += frames - 1;
	}
	if (t->tx_cksum) {
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
		th->cksum = rte_ipv6_phdr_cksum(ip, m->ol_flags);
	} else if (t->cksum_none) {
		th->cksum = 0;
	} else if (frames == 1) {
		sum = dpt_cksum_fold(dpt_ipv6_phdr_sum(laddr, raddr, tcp_len,
						       IPPROTO_TCP));
		if (psum != NULL) /* the header's length is a multiple of 4 */
			sum = dpt_cksum_add(dpt_cksum_add(sum, dpt_cksum(th, hl),
							  0), *psum, hl);
		else
			sum = dpt_cksum_add(sum, dpt_cksum_mbuf(m, HDRS6_OFF,
								tcp_len), 0);
		th->cksum = (uint16_t)~sum;
	} /* else each frame's, when it is cut (dpt_gso.c) */
	t->st->c[DPT_STAT_tcp_tx_segs] += frames;
	dpt_ipv6_output(t->nif, m, raddr, now);
}

/* finish_and_send6() of a segment answering @in, which had no connection
 * (RST, cookie SYN-ACK): from the address it was sent to, with the flow
 * label its connection would have had. */
static void
answer_send6(struct dpt_tcp *t, struct rte_mbuf *m,
	     const struct dpt_tcp_seg *in, uint64_t now)
{
	const struct tcp_rx_item *it = rx_item_of(in);
	struct tcp_key6 k = { .raddr = it->saddr6, .laddr = it->daddr6,
			      .rport = in->sport, .lport = in->dport };

	finish_and_send6(t, m, &it->daddr6, &it->saddr6,
			 tcp_flow_label(t, &k), 0, NULL, now);
}

/* No stored header template per connection (Ethernet, IPv4 and TCP,
 * copied and patched per segment): the fields that do not vary (ports,
 * addresses, TTL, version, protocol) are a handful of stores, fewer
 * instructions than checking that a stored copy is still right
 * (neighbour, path MTU), and 54 bytes or more per connection are what the
 * 512-byte budget per connection cannot spare. Only what varies is
 * computed: dpt_tcp_write_hdr() writes the common header (no options, or
 * timestamps alone) field by field, the Ethernet header comes from the
 * neighbour cache's last entry (dpt_neigh_output(): one compare), and a
 * large send builds one header for all its frames (dpt_gso.c copies it).
 */

/* A header mbuf holding Ethernet and IPv4 room and the TCP header of @s:
 * @reuse, the buffer of the segment being answered, when it is ours alone
 * (direct, one segment, not shared), which spares an allocation and a
 * free per answer (a SYN-ACK or RST to a flood); else a new one. Takes
 * @reuse (NULL: none). */
static struct rte_mbuf *
header_mbuf_from(struct dpt_tcp *t, const struct dpt_tcp_seg *s,
		 struct rte_mbuf *reuse)
{
	struct rte_mbuf *m = reuse;
	unsigned int len;

	if (m != NULL && RTE_MBUF_DIRECT(m) && m->nb_segs == 1 &&
	    rte_mbuf_refcnt_read(m) == 1 &&
	    m->buf_len >= RTE_PKTMBUF_HEADROOM + HDRS_OFF + DPT_TCP_HDR_MAX) {
		rte_pktmbuf_reset(m);
	} else {
		rte_pktmbuf_free(reuse);
		m = rte_pktmbuf_alloc(t->hdr_pool);
		if (m == NULL) {
			t->st->c[DPT_STAT_mbuf_alloc_fail]++;
			return NULL;
		}
	}
	len = dpt_tcp_write_hdr(rte_pktmbuf_mtod_offset(m, uint8_t *,
							HDRS_OFF), s);
	m->data_len = (uint16_t)(HDRS_OFF + len);
	m->pkt_len = m->data_len;
	return m;
}

static struct rte_mbuf *
header_mbuf(struct dpt_tcp *t, const struct dpt_tcp_seg *s)
{
	return header_mbuf_from(t, s, NULL);
}

/* Option bytes of the header in @m beyond those c->mss already allows for. */
static uint32_t
opt_extra(const struct dpt_tcb *c, const struct rte_mbuf *m)
{
	uint32_t opt = m->data_len - HDRS_OFF - sizeof(struct rte_tcp_hdr);
	uint32_t ts = (c->flags & F_TS) ? 12 : 0;

	return opt > ts ? opt - ts : 0;
}

/* Bytes of whole @seg-byte frames of @len to send as one large segment
 * (the tail shorter than a frame is left to the next pass, which decides
 * it as a lone segment: Nagle, SWS), or 0: one frame only. Large when the
 * TX path segments (dpt_tx_segments()), the path takes DF (without it a
 * large datagram would be fragmented; IPv6 is never fragmented on the
 * way, RFC 8200 5, and pmtu_nodf stays 0) and the header pool has the
 * mbufs of every frame beyond its reserve (a header and two pieces each:
 * a shortage midway only ends the send early, attach_frames()). At most
 * 64 KB with the IP header, over IPv6 too, whose 16-bit payload length
 * would allow 40 bytes more: what TSO NICs take either way. */
static uint32_t
large_len(const struct dpt_tcb *c, uint32_t len, uint32_t seg, uint32_t hl)
{
	const struct dpt_tcp *t = c->tcp;
	uint32_t max = TCP_TSO_MAX - (tcb_hdrs(c) -
				      (uint32_t)sizeof(struct rte_tcp_hdr)) - hl;
	uint32_t want = RTE_MIN(len, max) / seg * seg;

	if (want < 2 * seg || c->pmtu_nodf || !dpt_tx_segments(t->nif->tx) ||
	    dpt_mempool_free(t->hdr_pool) < t->hdr_reserve +
	    (want / seg) * 3)
		return 0;
	return want;
}

/* tcp_send_segment(), or with @large up to 64 KB of data in one pass. */
static int
send_segment(struct dpt_tcb *c, uint32_t seq, uint32_t len, uint8_t flags,
	     int large, uint64_t now)
{
	struct dpt_tcp *t = c->tcp;
	struct dpt_tcp_seg s = {
		.sport = c->key.lport, .dport = c->key.rport, .seq = seq,
		.ack = (flags & DPT_TCP_ACK) ? c->rcv_nxt : 0, .flags = flags,
	};
	uint32_t wnd = tcp_rcv_window(c), sent = 0, seg = 0, frames = 1;
	/* the data's sum, known when attach_data() summed it (one frame
	 * built alone), not after attach_frames(), even when it got only
	 * one frame: its checksum is then summed over the chain */
	uint16_t psum = 0, *known = &psum;
	struct rte_mbuf *m;

	if (flags & DPT_TCP_SYN) {
		syn_options(c, &s.opt, now);
		s.wnd = (uint16_t)RTE_MIN(wnd, (uint32_t)UINT16_MAX); /* RFC 7323 2.2 */
	} else {
		data_options(c, &s.opt, now);
		s.wnd = (uint16_t)(wnd >> c->rcv_wscale);
	}
	/* PSH on whatever ends the queued data, sent again or not (RFC 9293
	 * 3.9.1.2), as Linux keeps it on retransmissions. */
	if (len > 0 && seq + len == c->snd_una + c->sndq.bytes)
		s.flags = flags = flags | DPT_TCP_PSH;
	/* Data never takes the header pool's last mbufs: the control
	 * segments that free memory (ACKs) or let peers in need them. */
	if (len > 0 && hdr_low(t)) {
		t->st->c[DPT_STAT_tcp_tx_hdr_low]++;
		return -ENOMEM;
	}
	m = header_mbuf(t, &s);
	if (m == NULL)
		return -ENOMEM;
	/* Options past the timestamps (SACK blocks) take room from the data:
	 * the segment must stay within the MSS (RFC 9293 3.7.1, RFC 6691). */
	if (len > 0) {
		uint32_t big = 0;

		seg = c->mss - opt_extra(c, m);
		if (large && len >= 2 * seg)
			big = large_len(c, len, seg, m->data_len - HDRS_OFF);
		if (big > 0) {
			sent = attach_frames(c, m, seq, big, seg);
			frames = (sent + seg - 1) / seg;
			known = NULL;
		} else {
			struct rte_mbuf *tail = m;

			sent = attach_data(c, m, &tail, seq,
					   RTE_MIN(len, seg),
					   TCP_MAX_TX_SEGS - 1, &psum);
		}
		if (sent < len) /* cut short: FIN and PSH come later */
			flags &= ~(DPT_TCP_FIN | DPT_TCP_PSH);
		rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
					HDRS_OFF)->tcp_flags = flags;
	}
	if (seq_lt(seq, c->snd_max) && (sent > 0 || (flags & (DPT_TCP_SYN |
							      DPT_TCP_FIN)))) {
		c->n_retrans += frames;
		t->st->c[DPT_STAT_tcp_retransmits] += frames;
	}
	t->st->c[DPT_STAT_tcp_tx_bytes] += sent;
	if (flags & DPT_TCP_ACK) {
		c->last_ack_sent = c->rcv_nxt;
		c->rcv_adv = c->rcv_nxt + ((uint32_t)s.wnd << (flags &
				DPT_TCP_SYN ? 0 : c->rcv_wscale));
		tcb_delack_stop(c);
		c->rcv_segs = 0;
		c->flags &= ~F_ACK_NOW;
	}
	if (c->flags & F_V6)
		finish_and_send6(t, m, &tcb_addr6(c)->laddr,
				 &tcb_addr6(c)->raddr, c->key.laddr,
				 frames > 1 ? seg : 0,
				 sw_cksum(t) ? known : NULL, now);
	else
		finish_and_send_large(t, m, c->key.laddr, c->key.raddr,
				      m->pkt_len - HDRS_OFF, !c->pmtu_nodf,
				      frames > 1 ? seg : 0, known, now);
	return (int)sent;
}

int
tcp_send_segment(struct dpt_tcb *c, uint32_t seq, uint32_t len, uint8_t flags,
		 uint64_t now)
{
	return send_segment(c, seq, len, flags, 0, now);
}

/* The sequence number of a segment without data: the highest one sent,
 * SND.MAX, not SND.NXT. After a retransmission timeout SND.NXT goes back
 * to SND.UNA, below what the peer may already have received, and a
 * segment from there would be outside the peer's window (RFC 9293
 * 3.10.7.4 first), its ACK ignored. But never past the right edge of the
 * peer's window as we know it: a window probe's octet may have been
 * refused (Linux's tcp_acceptable_seq(), whose snd_nxt is our SND.MAX). */
uint32_t
tcp_ctl_seq(const struct dpt_tcb *c)
{
	uint32_t edge = c->snd_una + c->snd_wnd;

	return seq_leq(c->snd_max, edge) ? c->snd_max : edge;
}

void
tcp_send_ack(struct dpt_tcb *c, uint64_t now)
{
	tcp_send_segment(c, tcp_ctl_seq(c), 0, DPT_TCP_ACK, now);
}

void
tcp_send_syn(struct dpt_tcb *c, uint64_t now)
{
	uint8_t flags = DPT_TCP_SYN;

	if (c->state == DPT_TCP_SYN_RECEIVED)
		flags |= DPT_TCP_ACK;
	if (!rtt_timing(c) && c->retries == 0) {
		rtt_time(c, now);
		c->rtt_seq = c->iss + 1;
	}
	tcp_send_segment(c, c->iss, 0, flags, now);
	c->snd_nxt = c->iss + 1;
	c->snd_max = seq_max(c->snd_max, c->iss + 1);
}

/* A token bucket of @rate tokens a second, a tenth of a second deep, in
 * millionths of a token so microseconds add up exactly: [tcp]
 * synack_rate, rst_rate. O(1); a rate of 0 is no limit. */
int
tcp_bucket_take(struct tcp_bucket *b, uint64_t rate, uint64_t now)
{
	uint64_t depth, dt;

	if (rate == 0)
		return 1;
	depth = RTE_MAX(rate / 10, 1u) * 1000000;
	dt = RTE_MIN(now - b->last, (uint64_t)1000000);
	b->last = now;
	b->tokens = RTE_MIN(b->tokens + dt * rate, depth);
	if (b->tokens < 1000000)
		return 0;
	b->tokens -= 1000000;
	return 1;
}

/* A reset without a connection (RFC 9293 3.10.7.1): never in answer to a
 * RST; <SEQ=SEG.ACK><CTL=RST> if the segment had ACK, else
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. Built in @reuse, the
 * segment's own buffer, when it can be (takes it; NULL: a new one). */
void
tcp_answer_rst(struct dpt_tcp *t, const struct dpt_tcp_seg *in,
	       struct rte_mbuf *reuse, uint64_t now)
{
	struct dpt_tcp_seg s = { .sport = in->dport, .dport = in->sport };
	struct rte_mbuf *m;

	if (in->flags & DPT_TCP_RST) { /* never to a RST (3.10.7.1) */
		rte_pktmbuf_free(reuse);
		return;
	}
	if (dpt_tx_backlogged(t->nif->tx) || t->rx_behind) {
		/* connections' frames first, and a flood of stray segments
		 * must cost less than its arrival interval: a RST is ~40 %
		 * of a stray ACK's cost (README, "Floods") */
		t->st->c[t->rx_behind ? DPT_STAT_tcp_answer_rx_busy :
			 DPT_STAT_tcp_answer_tx_busy]++;
		rte_pktmbuf_free(reuse);
		return;
	}
	/* like BSD's "RST from closed port" limit, at most [tcp] rst_rate
	 * a second (RFC 9293 does not forbid silence, and a flood of stray
	 * segments must not buy an answer each); a token only for a RST
	 * that goes */
	if (!tcp_bucket_take(&t->rst_bucket, t->conf.rst_rate, now)) {
		t->st->c[DPT_STAT_tcp_rst_limited]++;
		rte_pktmbuf_free(reuse);
		return;
	}
	if (in->flags & DPT_TCP_ACK) {
		s.seq = in->ack;
		s.flags = DPT_TCP_RST;
	} else {
		s.ack = in->seq + in->len + !!(in->flags & DPT_TCP_SYN) +
			!!(in->flags & DPT_TCP_FIN);
		s.flags = DPT_TCP_RST | DPT_TCP_ACK;
	}
	m = header_mbuf_from(t, &s, reuse);
	if (m == NULL)
		return;
	t->st->c[DPT_STAT_tcp_rst_sent]++;
	if (in->v6)
		answer_send6(t, m, in, now);
	else
		finish_and_send(t, m, in->daddr, in->saddr,
				m->pkt_len - HDRS_OFF, 1, now);
}

void
tcp_send_rst_for(struct dpt_tcp *t, const struct dpt_tcp_seg *in, uint64_t now)
{
	tcp_answer_rst(t, in, NULL, now);
}

/* ABORT (RFC 9293 3.10.5): <SEQ=SND.NXT><CTL=RST>, with SND.NXT as on
 * every segment without data (tcp_ctl_seq()). */
void
tcp_send_rst(struct dpt_tcb *c, uint64_t now)
{
	struct dpt_tcp_seg s = {
		.sport = c->key.lport, .dport = c->key.rport,
		.seq = tcp_ctl_seq(c), .flags = DPT_TCP_RST,
	};
	struct rte_mbuf *m = header_mbuf(c->tcp, &s);

	if (m == NULL)
		return;
	tcb_count(c, DPT_STAT_tcp_rst_sent);
	if (c->flags & F_V6)
		finish_and_send6(c->tcp, m, &tcb_addr6(c)->laddr,
				 &tcb_addr6(c)->raddr, c->key.laddr, 0, NULL,
				 now);
	else
		finish_and_send(c->tcp, m, c->key.laddr, c->key.raddr,
				m->pkt_len - HDRS_OFF, !c->pmtu_nodf, now);
}

/* A SYN-ACK carrying a SYN cookie, for which no connection exists yet,
 * built in @reuse, the SYN's buffer, when it can be (takes it). */
void
tcp_send_synack_cookie(struct dpt_tcp *t, const struct dpt_tcp_seg *in,
		       struct rte_mbuf *reuse, uint32_t iss, uint16_t mss,
		       uint32_t tsval, uint8_t wscale, uint64_t now)
{
	struct dpt_tcp_seg s = {
		.sport = in->dport, .dport = in->sport, .seq = iss,
		.ack = in->seq + 1, .flags = DPT_TCP_SYN | DPT_TCP_ACK,
		.wnd = (uint16_t)RTE_MIN(t->conf.rcvbuf, (uint32_t)UINT16_MAX),
	};
	struct rte_mbuf *m;

	s.opt.present = DPT_TCPOPT_MSS;
	s.opt.mss = mss;
	if (in->opt.present & DPT_TCPOPT_TS) {
		/* Without timestamps, scaling and SACK are not encodable:
		 * offer them only alongside (as Linux does). */
		s.opt.present |= DPT_TCPOPT_TS;
		s.opt.tsval = tsval;
		s.opt.tsecr = in->opt.tsval;
		if ((in->opt.present & DPT_TCPOPT_WS) && t->conf.window_scaling) {
			s.opt.present |= DPT_TCPOPT_WS;
			s.opt.wscale = wscale;
		}
		if ((in->opt.present & DPT_TCPOPT_SACK_OK) && t->conf.sack)
			s.opt.present |= DPT_TCPOPT_SACK_OK;
	}
	m = header_mbuf_from(t, &s, reuse);
	if (m == NULL)
		return;
	t->st->c[DPT_STAT_tcp_syncookies_sent]++;
	if (in->v6)
		answer_send6(t, m, in, now);
	else
		finish_and_send(t, m, in->daddr, in->saddr,
				m->pkt_len - HDRS_OFF, 1, now);
}

/* RFC 5961 7: challenge ACKs are throttled, here per connection, so an
 * attacker cannot count a shared budget (CVE-2016-5696). */
void
tcp_challenge_ack(struct dpt_tcb *c, uint64_t now)
{
	if (now - c->chack_window >= DPT_US_PER_S) {
		c->chack_window = now;
		c->chack_count = 0;
	}
	if (c->chack_count >= c->tcp->conf.challenge_acks) {
		tcb_count(c, DPT_STAT_tcp_challenge_ack_limited);
		return;
	}
	c->chack_count++;
	tcb_count(c, DPT_STAT_tcp_challenge_acks);
	tcp_send_ack(c, now);
}

/* Bytes the congestion window allows beyond what is in flight: against
 * the RFC 6675 pipe estimate in SACK recovery, against sequence numbers
 * otherwise. */
static uint32_t
cwnd_room(const struct dpt_tcb *c, uint32_t pipe)
{
	uint32_t inflight = (c->flags & F_RECOVERY) && (c->flags & F_SACK) ?
			    pipe : c->snd_nxt - c->snd_una;

	return c->cwnd > inflight ? c->cwnd - inflight : 0;
}

/* Sender silly-window avoidance and Nagle, for a segment shorter than a
 * full MSS: RFC 9293 3.8.6.2.1 (MUST-38) and RFC 1122 4.2.3.4 (RFC 896),
 * with Minshall's refinement (as Linux): a short segment waits only while
 * an earlier short segment is unacknowledged, so the tail of a large write
 * is not held for a delayed ACK. */
static int
small_segment_ok(const struct dpt_tcb *c, uint32_t len, uint32_t unsent)
{
	int idle = c->snd_nxt == c->snd_una;

	if (len < unsent) /* window-limited: at least half the max window */
		return len >= c->max_snd_wnd / 2 || idle;
	return idle || (c->flags & F_NODELAY) ||
	       !seq_gt(c->snd_sml, c->snd_una);
}

/* TCP_CORK, which no RFC defines (tcp(7), as Linux's tcp_nagle_check()):
 * while corked, the tail of the queue shorter than a segment waits for
 * the data that fills it, for the uncork, or 200 ms from when it was
 * first held (tcb_cork_arm()). It overrides NODELAY. Linux sends what
 * is queued with the FIN even when corked (tcp_send_fin()): after a
 * shutdown nothing is held. A segment cut short by the windows is not
 * the tail: SWS avoidance decides it (small_segment_ok()). */
static int
cork_holds(struct dpt_tcb *c, uint32_t len, uint32_t unsent, uint64_t now)
{
	if (!(c->flags & F_CORK) || (c->flags & (F_SHUT_WR | F_CORK_DUE)) ||
	    len < unsent || seq_lt(c->snd_nxt, c->snd_max))
		return 0; /* (sent before: an RTO resends it as it was) */
	tcb_cork_arm(c, now);
	return 1;
}

/* Send new data (and FIN) as windows, Nagle and SWS allow; @pipe grows
 * by what is sent. *@blocked is set when no mbuf could be had for what
 * was due. */
static int
send_new_data(struct dpt_tcb *c, uint32_t *pipe, int *blocked,
	      uint64_t now)
{
	uint32_t fin_seq = c->snd_una + c->sndq.bytes;
	int large = dpt_tx_segments(c->tcp->nif->tx), n = 0;

	for (;;) {
		uint32_t unsent = seq_lt(c->snd_nxt, fin_seq) ?
				  fin_seq - c->snd_nxt : 0;
		int32_t rwnd = (int32_t)(c->snd_una + c->snd_wnd - c->snd_nxt);
		uint32_t room = RTE_MIN((uint32_t)RTE_MAX(rwnd, 0),
					cwnd_room(c, *pipe));
		/* up to 64 KB in one pass when the TX path segments
		 * (send_segment() takes whole MSS frames of it) */
		uint32_t len = RTE_MIN(RTE_MIN(unsent, room),
				       large ? TCP_TSO_MAX : c->mss);
		/* FIN rides on the segment that ends the data; after an RTO
		 * rewinds snd_nxt it is sent again in its place. Output
		 * never runs once the FIN is acknowledged (FIN-WAIT-2 on). */
		int fin = (c->flags & F_SHUT_WR) && len == unsent &&
			  seq_leq(c->snd_nxt, fin_seq);
		int sent;

		if (fin && len == 0 && c->snd_nxt != c->snd_una &&
		    cwnd_room(c, *pipe) == 0)
			fin = 0; /* a lone FIN waits for the window too */
		if (len == 0 && !fin)
			break;
		if (len < c->mss && !fin &&
		    (!small_segment_ok(c, len, unsent) ||
		     cork_holds(c, len, unsent, now)))
			break;
		sent = send_segment(c, c->snd_nxt, len, DPT_TCP_ACK |
				    (fin ? DPT_TCP_FIN : 0) |
				    (len > 0 && len == unsent ? DPT_TCP_PSH
				     : 0), large, now);
		if (sent < 0 || (sent == 0 && !fin)) {
			*blocked = 1;
			break;
		}
		fin = fin && (uint32_t)sent == len;
		/* Karn (RFC 6298 3): time only new data. */
		if (!rtt_timing(c) && seq_geq(c->snd_nxt, c->snd_max) &&
		    sent > 0) {
			rtt_time(c, now);
			c->rtt_seq = c->snd_nxt + (uint32_t)sent;
		}
		/* short by choice, not cut by SACK options: Nagle's mark */
		if ((uint32_t)sent == len && len < c->mss)
			c->snd_sml = c->snd_nxt + (uint32_t)sent;
		c->snd_nxt += (uint32_t)sent + (fin ? 1 : 0);
		c->snd_max = seq_max(c->snd_max, c->snd_nxt);
		*pipe += (uint32_t)sent;
		if (fin) {
			c->flags |= F_FIN_SENT;
			n++;
			break;
		}
		n++;
	}
	if ((c->flags & F_CORK) && !seq_lt(c->snd_nxt, fin_seq))
		tcb_cork_stop(c); /* nothing held */
	return n;
}

/* RFC 6675 5 (C): while the pipe leaves a segment of room, retransmit
 * what NextSeg() rule @rule names. Returns segments sent. */
static int
sack_retransmit(struct dpt_tcb *c, int rule, uint32_t *pipe, uint64_t now)
{
	uint32_t seq, len;
	int sent, n = 0;

	while (c->cwnd > *pipe && c->cwnd - *pipe >= c->mss &&
	       sb_next_seg(c, rule, &seq, &len)) {
		sent = tcp_send_segment(c, seq, len, DPT_TCP_ACK, now);
		if (sent <= 0)
			break;
		c->high_rxt = seq + (uint32_t)sent;
		*pipe += (uint32_t)sent;
		n++;
	}
	return n;
}

/* The application's reads opened the window enough since we last
 * advertised it to tell the peer (RFC 9293 3.8.6.2.2, RFC 1122 4.2.3.3).
 * Only reads count: the larger scaled window after the handshake rides on
 * the next segment rather than costing one of its own (as Linux). */
static int
window_update_due(struct dpt_tcb *c)
{
	uint32_t offered = seq_gt(c->rcv_adv, c->rcv_nxt) ?
			   c->rcv_adv - c->rcv_nxt : 0;
	uint32_t now_wnd = tcp_rcv_window(c);
	uint32_t step = offered == 0 ? 1 : RTE_MIN(c->rcv_buf / 2,
						   2 * c->rcv_mss);

	if (!(c->flags & F_READ))
		return 0;
	c->flags &= ~F_READ;
	/* after the peer's FIN no more data comes: a window update would be
	 * noise (and from TIME-WAIT, an ACK a closed peer resets) */
	if (c->flags & F_FIN_RCVD)
		return 0;
	return now_wnd > offered && now_wnd - offered >= step;
}

void
tcp_output(struct dpt_tcb *c, uint64_t now)
{
	uint32_t pipe = 0;
	int sent = 0, blocked = 0;

	tcb_pmtu_check(c, now);
	switch (c->state) {
	case DPT_TCP_ESTABLISHED:
	case DPT_TCP_CLOSE_WAIT:
	case DPT_TCP_FIN_WAIT_1:
	case DPT_TCP_CLOSING:
	case DPT_TCP_LAST_ACK:
		break;
	case DPT_TCP_FIN_WAIT_2:
	case DPT_TCP_TIME_WAIT:
		if ((c->flags & F_ACK_NOW) || window_update_due(c))
			tcp_send_ack(c, now);
		return;
	case DPT_TCP_SYN_RECEIVED:
		/* an unacceptable segment is answered (3.10.7.4 first) */
		if (c->flags & F_ACK_NOW)
			tcp_send_ack(c, now);
		return;
	default:
		return;
	}
	if ((c->flags & F_RECOVERY) && (c->flags & F_SACK)) {
		pipe = sb_pipe(c);
		sent = sack_retransmit(c, 1, &pipe, now);
		sent += send_new_data(c, &pipe, &blocked, now);
		sent += sack_retransmit(c, 3, &pipe, now);
	} else {
		sent = send_new_data(c, &pipe, &blocked, now);
	}
	if (!sent && ((c->flags & F_ACK_NOW) || window_update_due(c)))
		tcp_send_ack(c, now);
	if (c->snd_max != c->snd_una) {
		/* RFC 6298 5.1; RFC 8985 7.2 after new data */
		if (c->t_rexmt == 0 || c->rexmt_kind == TCP_REXMT_PERSIST ||
		    c->rexmt_kind == TCP_REXMT_MEM)
			tcb_rexmt_or_pto_arm(c, now);
	} else if (c->snd_wnd == 0 && c->sndq.bytes > 0 && c->t_rexmt == 0) {
		tcb_persist_arm(c, now); /* RFC 9293 3.8.6.1 */
	} else if (blocked && c->t_rexmt == 0) {
		tcb_mem_retry_arm(c, now); /* nothing in flight would wake it */
	}
}
