/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_gso.c: software segmentation of a large TCP send into the frames
 * TCP would have built one MSS at a time.
 *
 * TCP output runs once for up to 64 KB (lib/tcp/tcp_output.c): one header
 * mbuf (Ethernet, IPv4 or IPv6, TCP and its options) chained to indirect
 * mbufs on the send queue's buffers, flagged RTE_MBUF_F_TX_TCP_SEG with
 * tso_segsz bytes of payload per frame. A PMD with TSO takes it whole;
 * otherwise it is cut here: the last frame keeps the header mbuf, each
 * other gets a copy of the headers with its sequence number, IPv4 total
 * length and identification (the sender's counter went up by one per
 * frame) or IPv6 payload length patched (the flow label, one per flow,
 * RFC 6437, is copied as it is), FIN and PSH only on the last frame (as
 * RFC 9293 sends them and as TSO NICs do), every option (timestamps, SACK
 * blocks) on each, and its checksums: left to the PMD when the frame is
 * flagged for it, else computed here by lib/net's functions, over the
 * frame. An IPv6 frame (RTE_MBUF_F_TX_IPV6) has no extension headers:
 * l3_len is the fixed header's 40 bytes.
 *
 * Why not DPDK's librte_gso (rte_gso_segment()): it makes an indirect
 * mbuf of each input mbuf for every frame, on top of the indirect mbufs
 * TCP already chained, so each frame would cost two layers of indirect
 * mbufs, and it computes no checksum, so a second pass over each frame
 * would.
 * TCP here chains its data so that every frame boundary is an mbuf
 * boundary (tcp_output.c's attach_frames()), so cutting is moving mbufs
 * from one chain to the next: one header mbuf per frame and nothing else.
 * An mbuf that straddles a boundary anyway (another sender) is split with
 * one more indirect mbuf.
 */
#include <rte_ip.h>
#include <rte_tcp.h>

#include "dpt_net.h"
#include "dpt_tx.h"

/* Take @len bytes from the front of the chain *@src onto @f's tail
 * *@tail; 0, or -1 when a split needed an mbuf and got none. */
static int
move_data(struct rte_mempool *mp, struct rte_mbuf *f, struct rte_mbuf **tail,
	  struct rte_mbuf **src, uint32_t len)
{
	while (len > 0 && *src != NULL) {
		struct rte_mbuf *p = *src;

		if (p->data_len > len) { /* straddles: split off the head */
			struct rte_mbuf *q = rte_pktmbuf_alloc(mp);

			if (q == NULL)
				return -1;
			rte_pktmbuf_attach(q, p);
			q->data_len = (uint16_t)len;
			p->data_off = (uint16_t)(p->data_off + len);
			p->data_len = (uint16_t)(p->data_len - len);
			p = q;
		} else {
			*src = p->next;
		}
		p->next = NULL;
		p->nb_segs = 1;
		p->pkt_len = p->data_len;
		(*tail)->next = p;
		*tail = p;
		f->nb_segs++;
		f->pkt_len += p->data_len;
		len -= p->data_len;
	}
	return 0;
}

/* The IPv4 header of frame @f: total length and the @i-th identification
 * after @id; its checksum unless the PMD computes it or @no_cksum. */
static void
patch_ipv4(struct rte_mbuf *f, uint32_t i, uint16_t id, int no_cksum)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(f,
		struct rte_ipv4_hdr *, f->l2_len);

	ip->total_length = rte_cpu_to_be_16((uint16_t)(f->pkt_len - f->l2_len));
	ip->packet_id = rte_cpu_to_be_16((uint16_t)(id + i));
	ip->hdr_checksum = 0;
	if (!(f->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) && !no_cksum)
		ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* The TCP checksum of frame @f (@th its header): the pseudo-header's
 * part for a PMD that sums the rest, else the whole over IPv4's or RFC
 * 8200 8.1's pseudo-header (0 with @no_cksum). */
static void
tcp_cksum(struct rte_mbuf *f, struct rte_tcp_hdr *th, int no_cksum)
{
	uint32_t l4_off = f->l2_len + f->l3_len, l4_len = f->pkt_len - l4_off;
	void *ip = rte_pktmbuf_mtod_offset(f, void *, f->l2_len);
	const struct rte_ipv6_hdr *ip6 = ip;
	int v6 = (f->ol_flags & RTE_MBUF_F_TX_IPV6) != 0;
	uint16_t sum;

	th->cksum = 0;
	if ((f->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM)
		th->cksum = v6 ? rte_ipv6_phdr_cksum(ip, f->ol_flags) :
			    rte_ipv4_phdr_cksum(ip, f->ol_flags);
	else if (no_cksum)
		return;
	else if (!v6)
		th->cksum = dpt_ipv4_l4_cksum(f, ip, l4_off);
	else {
		sum = dpt_cksum_fold(dpt_ipv6_phdr_sum(
			(const struct dpt_in6 *)ip6->src_addr,
			(const struct dpt_in6 *)ip6->dst_addr, l4_len,
			IPPROTO_TCP));
		sum = dpt_cksum_add(sum, dpt_cksum_mbuf(f, l4_off, l4_len), 0);
		th->cksum = (uint16_t)~sum;
	}
}

/* Patch frame @f, the @i-th of @n cut from a send whose first sequence
 * number, IPv4 id and flags were @seq, @id and @flags; @seg bytes each;
 * checksums left 0 when @no_cksum ([port0] checksum = none). */
static void
patch_frame(struct rte_mbuf *f, uint32_t i, uint32_t n, uint32_t seg,
	    uint32_t seq, uint16_t id, uint8_t flags, int no_cksum)
{
	struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(f,
		struct rte_tcp_hdr *, f->l2_len + f->l3_len);

	f->ol_flags &= ~RTE_MBUF_F_TX_TCP_SEG;
	f->tso_segsz = 0;
	th->sent_seq = rte_cpu_to_be_32(seq + i * seg);
	/* RFC 9293 3.9.1.2: PSH marks the end of the data the send pushed;
	 * 3.10.4: FIN follows all data. Both belong to the last frame. */
	th->tcp_flags = i + 1 < n ? flags & ~(RTE_TCP_FIN_FLAG |
					      RTE_TCP_PSH_FLAG) : flags;
	if (f->ol_flags & RTE_MBUF_F_TX_IPV6) {
		struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(f,
			struct rte_ipv6_hdr *, f->l2_len);

		/* RFC 8200 3: what follows the fixed header (no extension
		 * headers here); no identification, no header checksum */
		ip6->payload_len = rte_cpu_to_be_16(
			(uint16_t)(f->pkt_len - f->l2_len - f->l3_len));
	} else {
		patch_ipv4(f, i, id, no_cksum);
	}
	tcp_cksum(f, th, no_cksum);
}

/* A new frame holding a copy of @m's @hl bytes of headers and its TX
 * metadata, or NULL. */
static struct rte_mbuf *
copy_headers(struct rte_mempool *mp, const struct rte_mbuf *m, uint32_t hl)
{
	struct rte_mbuf *f = rte_pktmbuf_alloc(mp);

	if (f == NULL)
		return NULL;
	if (rte_pktmbuf_tailroom(f) < hl) {
		rte_pktmbuf_free(f);
		return NULL;
	}
	rte_memcpy(rte_pktmbuf_mtod(f, void *), rte_pktmbuf_mtod(m, void *),
		   hl);
	f->data_len = (uint16_t)hl;
	f->pkt_len = hl;
	f->ol_flags = m->ol_flags & ~(RTE_MBUF_F_INDIRECT |
				      RTE_MBUF_F_EXTERNAL);
	f->tx_offload = m->tx_offload;
	return f;
}

/* Cut @m into frames and push them. */
static void
gso_push(struct dpt_tx *tx, struct rte_mbuf *m)
{
	uint32_t hl = (uint32_t)m->l2_len + m->l3_len + m->l4_len;
	uint32_t seg = m->tso_segsz, len, n, i, seq;
	const struct rte_tcp_hdr *th;
	struct rte_mbuf *rest, *f, *tail;
	uint16_t id;
	uint8_t flags;

	/* TCP puts exactly the headers in the first mbuf */
	if (tx->gso_pool == NULL || seg == 0 || m->data_len != hl ||
	    m->pkt_len <= hl) {
		tx->stats->c[DPT_STAT_tx_drop_gso]++;
		rte_pktmbuf_free(m);
		return;
	}
	len = m->pkt_len - hl;
	n = (len + seg - 1) / seg;
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
				     m->l2_len + m->l3_len);
	seq = rte_be_to_cpu_32(th->sent_seq);
	flags = th->tcp_flags;
	id = m->ol_flags & RTE_MBUF_F_TX_IPV6 ? 0 :
	     rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv4_hdr *, m->l2_len)->packet_id);
	rest = m->next;
	m->next = NULL;
	m->nb_segs = 1;
	m->pkt_len = hl;
	for (i = 0; i < n; i++) {
		/* copies of the headers before any patch; the last frame
		 * takes the original */
		f = i + 1 < n ? copy_headers(tx->gso_pool, m, hl) : m;
		if (f == NULL)
			break;
		tail = f;
		if (move_data(tx->gso_pool, f, &tail, &rest,
			      RTE_MIN(seg, len - i * seg)) != 0) {
			rte_pktmbuf_free(f);
			break;
		}
		patch_frame(f, i, n, seg, seq, id, flags, tx->no_cksum);
		tx->stats->c[DPT_STAT_tx_gso_frames]++;
		dpt_tx_push(tx, f);
	}
	if (i < n) {
		tx->stats->c[DPT_STAT_tx_drop_gso] += n - i;
		if (i + 1 < n)
			rte_pktmbuf_free(m);
	}
	rte_pktmbuf_free(rest);
}

void
dpt_tx_push_large(struct dpt_tx *tx, struct rte_mbuf *m)
{
	if (tx->tso)
		dpt_tx_queue(tx, m);
	else
		gso_push(tx, m);
}
