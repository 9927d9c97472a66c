/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_icmp.c: the ICMP a host needs (RFC 792, RFC 1122 3.2.2): echo replies
 * built in place from the request (a reassembled one is an mbuf chain,
 * fragmented again on output), rate-limited errors (destination
 * unreachable, time exceeded), and the errors we receive, passed to TCP
 * when they quote one of its segments (RFC 1122 3.2.2, RFC 5927).
 */
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "dpt_netif.h"
#include "dpt_time.h"

/* RFC 1812 4.3.2.3: an ICMP error carries as much of the offending datagram
 * as fits in 576 bytes. */
#define ICMP_ERR_MAX_LEN 576

/* Turn an echo request around in place: the data is returned untouched
 * (RFC 1122 3.2.2.6 MUST), only type, addresses and checksums change. IP
 * options are not reflected (a SHOULD for record-route/timestamp). */
static void
echo_reply(struct dpt_netif *nif, struct rte_mbuf *m, const struct dpt_ipv4 *ip,
	   uint64_t now)
{
	uint16_t opt_len = ip->hdr_len - sizeof(struct rte_ipv4_hdr);
	struct rte_icmp_hdr *h;
	uint16_t old_word;

	rte_pktmbuf_adj(m, opt_len);
	rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN);
	h = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *,
				    RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr));
	memcpy(&old_word, &h->icmp_type, sizeof(old_word));
	h->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	h->icmp_cksum = dpt_cksum_update16(h->icmp_cksum, old_word,
					   *(unaligned_uint16_t *)&h->icmp_type);
	/* RFC 1122 3.2.2.6: the reply's source is the request's destination
	 * (one of our addresses, which input has checked). */
	dpt_ipv4_fill_from(nif, m, ip->dst, ip->src, IPPROTO_ICMP, ip->tos,
			   ip->total_len - opt_len, 0);
	nif->stats->c[DPT_STAT_icmp_tx_echo_reply]++;
	dpt_ipv4_output(nif, m, ip->src, now);
}


/* An error goes to the transport protocol whose datagram it quotes (RFC
 * 1122 3.2.2; RFC 792: the IPv4 header and at least 64 bits of its data):
 * TCP or UDP, whose datagrams must have left from one of our
 * addresses, whole (a later fragment has no ports). The ports and the
 * sequence number are the transport's to check (RFC 5927). */
static void
error_input(struct dpt_netif *nif, struct rte_mbuf *m,
	    const struct dpt_ipv4 *ip, const struct dpt_icmp *ic, uint64_t now)
{
	uint32_t off = ip->hdr_len + sizeof(struct rte_icmp_hdr), qhl;
	struct rte_ipv4_hdr qbuf;
	struct rte_tcp_hdr tbuf; /* only its first 8 bytes are read */
	const struct rte_ipv4_hdr *q;
	const uint8_t *t;
	struct dpt_icmp_err e;
	dpt_l4_err_t owner = NULL;
	void *ctx = NULL;

	q = rte_pktmbuf_read(m, off, sizeof(*q), &qbuf);
	if (q == NULL ||
	    (owner = dpt_netif_err_owner(nif, q->next_proto_id, &ctx)) == NULL ||
	    (q->version_ihl >> 4) != IPVERSION ||
	    (qhl = rte_ipv4_hdr_len(q)) < sizeof(*q) ||
	    (q->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) ||
	    !dpt_netif_owns(nif, rte_be_to_cpu_32(q->src_addr)))
		return dpt_netif_drop(nif, m, DPT_STAT_icmp_drop_quote);
	e = (struct dpt_icmp_err){
		.type = ic->type, .code = ic->code,
		.src = rte_be_to_cpu_32(q->src_addr),
		.dst = rte_be_to_cpu_32(q->dst_addr),
		.len = rte_be_to_cpu_16(q->total_length),
	};
	/* RFC 1191 4: the next-hop MTU is the low 16 bits of the word an
	 * echo's sequence number occupies */
	if (ic->type == ICMP_DEST_UNREACH && ic->code == ICMP_FRAG_NEEDED)
		e.mtu = ic->seq;
	t = rte_pktmbuf_read(m, off + qhl, 8, &tbuf);
	if (t == NULL)
		return dpt_netif_drop(nif, m, DPT_STAT_icmp_drop_quote);
	dpt_icmp_err_tcp(&e, t);
	rte_pktmbuf_free(m);
	owner(ctx, &e, now);
}

void
dpt_icmp_input(struct dpt_netif *nif, struct rte_mbuf *m,
	       const struct dpt_ipv4 *ip, uint64_t now)
{
	struct dpt_icmp ic;
	enum dpt_stat r;

	r = dpt_icmp_parse(m, ip->hdr_len, ip->total_len - ip->hdr_len, &ic);
	if (r != DPT_STAT_OK)
		return dpt_netif_drop(nif, m, r);
	switch (ic.type) {
	case ICMP_ECHO:
		nif->stats->c[DPT_STAT_icmp_rx_echo_request]++;
		return echo_reply(nif, m, ip, now);
	case ICMP_ECHOREPLY:
		nif->stats->c[DPT_STAT_icmp_rx_echo_reply]++;
		rte_pktmbuf_free(m);
		return;
	case ICMP_DEST_UNREACH:
		nif->stats->c[DPT_STAT_icmp_rx_dest_unreach]++;
		return error_input(nif, m, ip, &ic, now);
	case ICMP_TIME_EXCEEDED:
		nif->stats->c[DPT_STAT_icmp_rx_time_exceeded]++;
		return error_input(nif, m, ip, &ic, now);
	case ICMP_PARAMETERPROB:
		nif->stats->c[DPT_STAT_icmp_rx_param_problem]++;
		return error_input(nif, m, ip, &ic, now);
	default:
		/* source quench among them: RFC 6633 says ignore it */
		return dpt_netif_drop(nif, m, DPT_STAT_icmp_drop_type);
	}
}

/* Token bucket: icmp_rate tokens per second, icmp_burst deep, in units of
 * 1e-6 token so integer arithmetic suffices. ICMPv6 errors draw on the
 * same bucket (dpt_icmp6.c). */
int
dpt_icmp_rate_ok(struct dpt_netif *nif, uint64_t now)
{
	/* 100 s refills any bucket the config allows, and keeps the product
	 * below 2^64. */
	uint64_t dt = RTE_MIN(now - nif->icmp_last, dpt_s(100));
	uint64_t t;

	if (nif->icmp_rate == 0)
		return 0;
	t = nif->icmp_tokens + dt * nif->icmp_rate;
	nif->icmp_last = now;
	nif->icmp_tokens = RTE_MIN(t, nif->icmp_burst);
	if (nif->icmp_tokens < 1000000)
		return 0;
	nif->icmp_tokens -= 1000000;
	return 1;
}

void
dpt_icmp_send_unreach(struct dpt_netif *nif, const struct rte_mbuf *orig,
		      const struct dpt_ipv4 *ip, uint8_t code, uint64_t now)
{
	dpt_icmp_send_error(nif, orig, ip, ICMP_DEST_UNREACH, code, now);
}

void
dpt_icmp_send_error(struct dpt_netif *nif, const struct rte_mbuf *orig,
		    const struct dpt_ipv4 *ip, uint8_t type, uint8_t code,
		    uint64_t now)
{
	const uint32_t hdrs = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) +
			      sizeof(struct rte_icmp_hdr);
	uint32_t len = RTE_MIN((uint32_t)ip->total_len, ICMP_ERR_MAX_LEN -
			       sizeof(struct rte_ipv4_hdr) -
			       sizeof(struct rte_icmp_hdr));
	struct rte_icmp_hdr *h;
	struct rte_mbuf *m;
	const void *src;

	/* RFC 1122 3.2.2: never about an ICMP error, a broadcast, a
	 * non-initial fragment or a non-unicast source: input has already
	 * refused broadcasts and bad sources, and never calls this for an
	 * ICMP message (but a timed-out echo request's first fragment) nor
	 * a later fragment. */
	if (!dpt_icmp_rate_ok(nif, now)) {
		nif->stats->c[DPT_STAT_icmp_drop_ratelimit]++;
		return;
	}
	m = rte_pktmbuf_alloc(nif->pool);
	if (m == NULL || rte_pktmbuf_append(m, hdrs + len) == NULL) {
		nif->stats->c[DPT_STAT_mbuf_alloc_fail]++;
		rte_pktmbuf_free(m);
		return;
	}
	h = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *,
				    hdrs - sizeof(*h));
	memset(h, 0, sizeof(*h));
	h->icmp_type = type;
	h->icmp_code = code;
	src = rte_pktmbuf_read(orig, 0, len, h + 1);
	if (src != h + 1)
		memcpy(h + 1, src, len);
	h->icmp_cksum = (uint16_t)~rte_raw_cksum(h, sizeof(*h) + len);
	/* RFC 1122 3.3.4.2: from the address the datagram was sent to. */
	dpt_ipv4_fill_from(nif, m, ip->dst, ip->src, IPPROTO_ICMP, 0,
			   sizeof(struct rte_ipv4_hdr) + sizeof(*h) + len, 0);
	nif->stats->c[type == ICMP_TIME_EXCEEDED ?
		      DPT_STAT_icmp_tx_time_exceeded :
		      DPT_STAT_icmp_tx_dest_unreach]++;
	dpt_ipv4_output(nif, m, ip->src, now);
}
