/* SPDX-License-Identifier: BSD-3-Clause */
/* dpt_tcp_seg.c: TCP header and option parsing and writing. */
#include <string.h>

#include <rte_ip.h>

#include "dpt_cksum.h"

#include "dpt_tcp_seg.h"

/* Option kinds, RFC 9293 3.2 and the IANA registry. */
enum {
	OPT_EOL = 0,
	OPT_NOP = 1,
	OPT_MSS = 2,
	OPT_WS = 3,
	OPT_SACK_OK = 4,
	OPT_SACK = 5,
	OPT_TS = 8,
};

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One option of kind @k and length @l at @p; returns 0 or -1 (malformed). */
static int
opt_one(const uint8_t *p, uint8_t k, uint8_t l, int syn, struct dpt_tcp_opts *o)
{
	switch (k) {
	case OPT_MSS: /* RFC 9293 3.2: only in SYN segments */
		if (l != 4)
			return -1;
		if (syn) {
			o->mss = (uint16_t)(p[2] << 8 | p[3]);
			o->present |= DPT_TCPOPT_MSS;
		}
		return 0;
	case OPT_WS: /* RFC 7323 2.2: only in SYN; shift above 14 is 14 */
		if (l != 3)
			return -1;
		if (syn) {
			o->wscale = RTE_MIN(p[2], DPT_TCP_MAX_WSCALE);
			o->present |= DPT_TCPOPT_WS;
		}
		return 0;
	case OPT_SACK_OK: /* RFC 2018 2: only in SYN */
		if (l != 2)
			return -1;
		if (syn)
			o->present |= DPT_TCPOPT_SACK_OK;
		return 0;
	case OPT_TS: /* RFC 7323 3.2 */
		if (l != 10)
			return -1;
		o->tsval = get32(p + 2);
		o->tsecr = get32(p + 6);
		o->present |= DPT_TCPOPT_TS;
		return 0;
	case OPT_SACK: /* RFC 2018 3: 8 bytes a block */
		if (l < 10 || (l - 2) % 8 != 0)
			return -1;
		o->n_sack = 0;
		for (unsigned int i = 2; i + 8 <= l &&
		     o->n_sack < DPT_TCP_MAX_SACK; i += 8) {
			o->sack[o->n_sack].left = get32(p + i);
			o->sack[o->n_sack].right = get32(p + i + 4);
			o->n_sack++;
		}
		o->present |= DPT_TCPOPT_SACK;
		return 0;
	default: /* unknown options are skipped (RFC 9293 3.1, MUST-6) */
		return 0;
	}
}

/* The two layouts nearly every segment has, recognised whole: NOP NOP TS
 * (every segment of a timestamp connection, Linux and BSD alike) and
 * Linux's SYN (MSS, SACK-permitted, TS, NOP, WS). The same result as the
 * general loop, for about a fifth of its instructions (~160 for a SYN
 * under callgrind). Returns 1 if it was one of them. */
static int
opts_common(const uint8_t *p, unsigned int len, int syn,
	    struct dpt_tcp_opts *o)
{
	if (len == 12 && p[0] == OPT_NOP && p[1] == OPT_NOP &&
	    p[2] == OPT_TS && p[3] == 10) {
		o->present = DPT_TCPOPT_TS;
		o->tsval = get32(p + 4);
		o->tsecr = get32(p + 8);
		return 1;
	}
	if (len == 20 && p[0] == OPT_MSS && p[1] == 4 &&
	    p[4] == OPT_SACK_OK && p[5] == 2 && p[6] == OPT_TS &&
	    p[7] == 10 && p[16] == OPT_NOP && p[17] == OPT_WS && p[18] == 3) {
		o->tsval = get32(p + 8);
		o->tsecr = get32(p + 12);
		o->present = DPT_TCPOPT_TS;
		if (syn) { /* as opt_one(): SYN-only options count only there */
			o->present |= DPT_TCPOPT_MSS | DPT_TCPOPT_SACK_OK |
				      DPT_TCPOPT_WS;
			o->mss = (uint16_t)(p[2] << 8 | p[3]);
			o->wscale = RTE_MIN(p[19], DPT_TCP_MAX_WSCALE);
		}
		return 1;
	}
	return 0;
}

int
dpt_tcp_opts_parse(const uint8_t *p, unsigned int len, int syn,
		   struct dpt_tcp_opts *o)
{
	unsigned int i = 0;

	o->present = 0;
	o->n_sack = 0;
	if (opts_common(p, len, syn, o))
		return 0;
	while (i < len) {
		uint8_t k = p[i], l;

		if (k == OPT_EOL)
			return 0;
		if (k == OPT_NOP) {
			i++;
			continue;
		}
		/* RFC 9293 3.1 (MUST-7): survive an illegal length. */
		if (i + 1 >= len)
			return -1;
		l = p[i + 1];
		if (l < 2 || i + l > len || opt_one(p + i, k, l, syn, o) != 0)
			return -1;
		i += l;
	}
	return 0;
}

/* RFC 9293 3.1 (MUST-2/3): whether the segment (@m's data, @len bytes)
 * sums right over IPv4's pseudo-header and itself. */
static int
sum_ok4(const struct rte_mbuf *m, const void *ipv, uint32_t len)
{
	const struct dpt_ipv4 *ip = ipv;
	struct rte_ipv4_hdr ph = {
		.src_addr = rte_cpu_to_be_32(ip->src),
		.dst_addr = rte_cpu_to_be_32(ip->dst),
		.next_proto_id = IPPROTO_TCP,
		.total_length = rte_cpu_to_be_16((uint16_t)(len + 20)),
		.version_ihl = RTE_IPV4_VHL_DEF,
	};

	return dpt_ipv4_l4_cksum_ok(m, &ph, 0);
}

/* The same over IPv6 (RFC 8200 8.1: the pseudo-header of the source and
 * final destination addresses, the upper-layer length and the next
 * header value; TCP's checksum is mandatory over either family). */
static int
sum_ok6(const struct rte_mbuf *m, const void *ip, uint32_t len)
{
	return dpt_ipv6_l4_cksum_ok(m, ip, 0, len);
}

/* The header fields and options of the segment at @m's data (@len
 * bytes under IP header @ip), its checksum the PMD's verdict or, without
 * one, what @sum_ok says of it. */
static __rte_always_inline enum dpt_stat
parse_tcp(const struct rte_mbuf *m, uint32_t len, struct dpt_tcp_seg *s,
	  struct dpt_stats *st, int (*sum_ok)(const struct rte_mbuf *,
					      const void *, uint32_t),
	  const void *ip)
{
	uint8_t buf[DPT_TCP_HDR_MAX];
	const struct rte_tcp_hdr *h;

	h = rte_pktmbuf_read(m, 0, sizeof(*h), buf);
	if (h == NULL || len < sizeof(*h))
		return DPT_STAT_tcp_drop_short;
	s->hdr_len = (uint8_t)((h->data_off >> 4) * 4);
	if (s->hdr_len < sizeof(*h) || s->hdr_len > len)
		return DPT_STAT_tcp_drop_hdr_len;
	switch (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
	case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
		break;
	case RTE_MBUF_F_RX_L4_CKSUM_BAD:
		return DPT_STAT_tcp_drop_cksum;
	default: /* m's data starts at the TCP header, offset 0 */
		if (!sum_ok(m, ip, len))
			return DPT_STAT_tcp_drop_cksum;
	}
	/* Any combination goes on to the state machine, SYN with FIN or RST
	 * too (port scanners send them): RFC 9293 3.10.7 says what each
	 * state does with each flag, e.g. a RST to CLOSED for SYN+FIN
	 * (3.10.7.1) and a SYN-ACK from LISTEN (3.10.7.2 third). */
	s->flags = h->tcp_flags;
	s->sport = rte_be_to_cpu_16(h->src_port);
	s->dport = rte_be_to_cpu_16(h->dst_port);
	s->seq = rte_be_to_cpu_32(h->sent_seq);
	s->ack = rte_be_to_cpu_32(h->recv_ack);
	s->wnd = rte_be_to_cpu_16(h->rx_win);
	s->urp = rte_be_to_cpu_16(h->tcp_urp);
	s->len = len - s->hdr_len;
	s->opt.present = 0;
	s->opt.n_sack = 0;
	if (s->hdr_len > sizeof(*h)) {
		const uint8_t *p = rte_pktmbuf_read(m, 0, s->hdr_len, buf);

		if (dpt_tcp_opts_parse(p + sizeof(*h), s->hdr_len - sizeof(*h),
				       s->flags & DPT_TCP_SYN, &s->opt) != 0)
			st->c[DPT_STAT_tcp_opt_malformed]++;
	}
	return DPT_STAT_OK;
}

enum dpt_stat
dpt_tcp_parse(const struct rte_mbuf *m, const struct dpt_ipv4 *ip,
	      struct dpt_tcp_seg *s, struct dpt_stats *st)
{
	enum dpt_stat r = parse_tcp(m, ip->total_len - ip->hdr_len, s, st,
				    sum_ok4, ip);

	s->saddr = ip->src;
	s->daddr = ip->dst;
	s->tos = ip->tos;
	s->v6 = 0;
	return r;
}

enum dpt_stat
dpt_tcp_parse6(const struct rte_mbuf *m, const struct dpt_ipv6 *ip,
	       struct dpt_tcp_seg *s, struct dpt_stats *st)
{
	/* the payload length counts the extension headers walked */
	uint32_t ext = ip->hdr_len - (uint32_t)sizeof(struct rte_ipv6_hdr);
	enum dpt_stat r;

	if (ip->payload_len < ext)
		return DPT_STAT_tcp_drop_short;
	r = parse_tcp(m, ip->payload_len - ext, s, st, sum_ok6, ip);
	s->saddr = dpt_tcp_in6_fold(&ip->src);
	s->daddr = dpt_tcp_in6_fold(&ip->dst);
	s->tos = ip->tclass;
	s->v6 = 1;
	return r;
}

unsigned int
dpt_tcp_opts_len(const struct dpt_tcp_opts *o)
{
	unsigned int n = 0;

	if (o->present & DPT_TCPOPT_MSS)
		n += 4;
	if (o->present & (DPT_TCPOPT_SACK_OK | DPT_TCPOPT_TS))
		n += o->present & DPT_TCPOPT_TS ? 12 : 4;
	if (o->present & DPT_TCPOPT_WS)
		n += 4;
	if ((o->present & DPT_TCPOPT_SACK) && o->n_sack > 0)
		n += 4 + 8 * o->n_sack;
	return n;
}

/* SACK-permitted and timestamps share a word pair the way Linux writes
 * them: SACK_OK+TS (12), or NOP NOP TS (12), or NOP NOP SACK_OK (4). */
static uint8_t *
write_sackok_ts(uint8_t *p, const struct dpt_tcp_opts *o)
{
	int sok = o->present & DPT_TCPOPT_SACK_OK;

	if (!(o->present & DPT_TCPOPT_TS)) {
		p[0] = OPT_NOP;
		p[1] = OPT_NOP;
		p[2] = OPT_SACK_OK;
		p[3] = 2;
		return p + 4;
	}
	p[0] = sok ? OPT_SACK_OK : OPT_NOP;
	p[1] = sok ? 2 : OPT_NOP;
	p[2] = OPT_TS;
	p[3] = 10;
	put32(p + 4, o->tsval);
	put32(p + 8, o->tsecr);
	return p + 12;
}

static uint8_t *
write_opts(uint8_t *p, const struct dpt_tcp_opts *o)
{
	if (o->present & DPT_TCPOPT_MSS) {
		p[0] = OPT_MSS;
		p[1] = 4;
		p[2] = (uint8_t)(o->mss >> 8);
		p[3] = (uint8_t)o->mss;
		p += 4;
	}
	if (o->present & (DPT_TCPOPT_SACK_OK | DPT_TCPOPT_TS))
		p = write_sackok_ts(p, o);
	if (o->present & DPT_TCPOPT_WS) {
		p[0] = OPT_NOP;
		p[1] = OPT_WS;
		p[2] = 3;
		p[3] = o->wscale;
		p += 4;
	}
	if ((o->present & DPT_TCPOPT_SACK) && o->n_sack > 0) {
		p[0] = OPT_NOP;
		p[1] = OPT_NOP;
		p[2] = OPT_SACK;
		p[3] = (uint8_t)(2 + 8 * o->n_sack);
		p += 4;
		for (unsigned int i = 0; i < o->n_sack; i++, p += 8) {
			put32(p, o->sack[i].left);
			put32(p + 4, o->sack[i].right);
		}
	}
	return p;
}

unsigned int
dpt_tcp_write_hdr(uint8_t *p, const struct dpt_tcp_seg *s)
{
	struct rte_tcp_hdr *h = (struct rte_tcp_hdr *)p;
	/* a connection's segments: no options or the timestamps alone,
	 * nearly all of them, without the general walk */
	int ts_only = s->opt.present == DPT_TCPOPT_TS;
	unsigned int len = sizeof(*h) + (ts_only ? 12 : s->opt.present == 0 ?
					 0 : dpt_tcp_opts_len(&s->opt));

	h->src_port = rte_cpu_to_be_16(s->sport);
	h->dst_port = rte_cpu_to_be_16(s->dport);
	h->sent_seq = rte_cpu_to_be_32(s->seq);
	h->recv_ack = rte_cpu_to_be_32(s->ack);
	h->data_off = (uint8_t)((len / 4) << 4);
	h->tcp_flags = s->flags;
	h->rx_win = rte_cpu_to_be_16(s->wnd);
	h->cksum = 0;
	h->tcp_urp = 0;
	if (ts_only) /* NOP NOP TS 10 TSval TSecr (RFC 7323 3) */
		write_sackok_ts(p + sizeof(*h), &s->opt);
	else if (s->opt.present != 0)
		write_opts(p + sizeof(*h), &s->opt);
	return len;
}
