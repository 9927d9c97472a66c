/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_icmp.c: ICMP errors about our segments (RFC 1122 4.2.3.9, RFC
 * 5927), path MTU discovery (RFC 1191, RFC 1122 4.2.3.3) and the segment
 * size it sets.
 *
 * An ICMP error is believed only when it quotes a sequence number in
 * flight on a connection of its 4-tuple (RFC 5927 4.1): anyone can send
 * ICMP, only a party that sees our segments can quote one. Then a
 * fragmentation-needed lowers the path's MTU (in the lcore's cache,
 * dpt_pmtu.h, so every connection to that destination, new ones too,
 * uses it) and this connection's segment size, and what was sent larger
 * is sent again at once at the new size. Every other error is soft (RFC
 * 5927: no connection is reset for a destination or port unreachable,
 * whatever the state; in SYN-SENT the SYN is simply retried): counted,
 * nothing changes.
 *
 * A connection reads the cache when it starts and, at its output, again
 * whenever the cache's generation moved or its estimate aged out, so a
 * path whose estimate is forgotten goes back up to the interface's MTU
 * (RFC 1191 6.3; no RFC 8899 probing).
 */
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

#include "tcp_impl.h"

/* RFC 1191 7: the table of MTU plateaus, for routers that report no
 * next-hop MTU (RFC 792's fragmentation-needed has none). */
static const uint16_t plateaus[] = {
	32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68,
};

/* RFC 1191 5: without a next-hop MTU, the plateau below the length of
 * the datagram that did not pass. */
static uint32_t
plateau_below(uint32_t len)
{
	for (unsigned int i = 0; i < RTE_DIM(plateaus); i++)
		if (plateaus[i] < len)
			return plateaus[i];
	return 68;
}

/* The path as the cache (or, without one, the interface) has it. */
static void
pmtu_read(struct dpt_tcb *c, uint64_t now)
{
	const struct dpt_netif *nif = c->tcp->nif;
	const struct dpt_pmtu *p;
	struct dpt_pmtu_path path;

	if (c->flags & F_V6) /* ip6's cache (RFC 8201), >= 1280 */
		dpt_netif_path6(nif, &tcb_addr6(c)->raddr, now, &path);
	else
		dpt_netif_path(nif, c->key.raddr, now, &path);
	c->pmtu = path.mtu;
	c->pmtu_nodf = path.nodf;
	c->pmtu_until = path.until;
	/* the generation of the cache read, so a lower estimate for any
	 * destination of this family is noticed at the next output
	 * (tcb_pmtu_check()): over IPv6, a Packet Too Big another
	 * connection validated (RFC 8201 5.2: the PMTU is per path) */
	p = tcb_pmtu_cache(c);
	c->pmtu_gen = p != NULL ? dpt_pmtu_gen(p) : 0;
}

void
tcb_pmtu_init(struct dpt_tcb *c, uint64_t now)
{
	c->mss_peer = TCP_DEFAULT_MSS; /* until the peer's SYN says */
	pmtu_read(c, now);
}

/* RFC 9293 3.7.1 (MUST-16..18) and RFC 1191 3: the segment size is the
 * peer's MSS and the path's MTU less 40 bytes of headers (60 over IPv6:
 * RFC 8201 5.2, RFC 8200 3), less the timestamp option when negotiated
 * (RFC 6691). */
void
tcb_mss_update(struct dpt_tcb *c)
{
	uint32_t mss = RTE_MIN((uint32_t)c->mss_peer, c->pmtu - tcb_hdrs(c));

	c->mss = (c->flags & F_TS) ? mss - 12 : mss;
}

void
tcb_pmtu_refresh(struct dpt_tcb *c, uint64_t now)
{
	uint16_t was = c->pmtu;

	pmtu_read(c, now);
	if (c->pmtu > was)
		tcb_count(c, DPT_STAT_tcp_pmtu_raised);
	tcb_mss_update(c);
}

/* What left larger than the path carries was dropped on the way: send it
 * again at once at the new size. A path that narrowed is not a congested
 * one, so the window stays (RFC 1191 6.5 says only that the loss must not
 * be counted as congestion; Linux's tcp_simple_retransmit() does the
 * same); the rest is an RTO's go-back without its backoff and collapse. */
static void
resend_smaller(struct dpt_tcb *c)
{
	if (c->state == DPT_TCP_SYN_SENT || c->state == DPT_TCP_SYN_RECEIVED ||
	    c->snd_nxt == c->snd_una)
		return;
	c->flags &= ~(F_RECOVERY | F_TLP_OUT | F_TLP_RXT);
	rtt_untime(c);           /* Karn: these are retransmissions */
	c->n_sb = 0;
	tcb_ext_trim(c);
	c->dupacks = 0;
	c->recover = c->snd_max; /* their duplicate ACKs are no new loss */
	c->snd_sml = c->snd_una; /* Nagle holds back new small segments,
				  * not the tail of what is sent again */
	c->snd_nxt = c->snd_una;
	tcb_want_output(c);
}

/* RFC 1191 6.1: a validated fragmentation-needed. */
static void
frag_needed(struct dpt_tcb *c, const struct dpt_icmp_err *e, uint64_t now)
{
	struct dpt_netif *nif = c->tcp->nif;
	uint32_t floor = nif->pmtu != NULL ? dpt_pmtu_floor(nif->pmtu) : 68;
	uint32_t mtu = e->mtu != 0 ? e->mtu : plateau_below(e->len);
	uint32_t was = c->mss;
	int nodf = mtu < floor;

	/* only news of a path narrower than what we send on it (RFC 1191
	 * 6.3), and narrower than the datagram it quotes */
	if (mtu >= c->pmtu || mtu >= e->len ||
	    (RTE_MAX(mtu, floor) == c->pmtu && nodf <= c->pmtu_nodf)) {
		tcb_count(c, DPT_STAT_tcp_pmtu_ignored);
		return;
	}
	if (nodf)
		tcb_count(c, DPT_STAT_tcp_pmtu_floor);
	mtu = RTE_MAX(mtu, floor);
	if (nif->pmtu != NULL)
		dpt_pmtu_set(nif->pmtu, c->key.raddr, (uint16_t)mtu, nodf, now);
	pmtu_read(c, now);
	if (nif->pmtu == NULL) { /* no cache: this connection alone */
		c->pmtu = (uint16_t)mtu;
		c->pmtu_nodf = (uint8_t)nodf;
	}
	tcb_mss_update(c);
	tcb_count(c, DPT_STAT_tcp_pmtu_lowered);
	if (c->mss < was || nodf)
		resend_smaller(c);
}

/* RFC 8201 4 and 5.2: a validated Packet Too Big. ip6 has lowered its
 * path MTU cache entry for the destination already (to the reported MTU,
 * raised to 1280 if lower: IPv6's minimum link MTU, RFC 8200 5), so this
 * connection reads the path again; without a cache it takes the MTU
 * itself. Never below 1280 - 60 bytes of segment. */
static void
packet_too_big(struct dpt_tcb *c, const struct dpt_icmp_err *e, uint64_t now)
{
	uint32_t mtu = RTE_MAX((uint32_t)e->mtu, 1280u);
	uint32_t was = c->mss;

	if (mtu >= c->pmtu) { /* only news of a narrower path (RFC 8201 4) */
		tcb_count(c, DPT_STAT_tcp_pmtu_ignored);
		return;
	}
	pmtu_read(c, now);
	if (c->pmtu > mtu) /* no cache, or it did not take it */
		c->pmtu = (uint16_t)mtu;
	tcb_mss_update(c);
	tcb_count(c, DPT_STAT_tcp_pmtu_lowered);
	if (c->mss < was)
		resend_smaller(c);
}

/* The connection an ICMP or ICMPv6 error quotes a segment of. */
static struct dpt_tcb *
err_conn(struct dpt_tcp *t, const struct dpt_icmp_err *e)
{
	struct tcp_key k = { .raddr = e->dst, .laddr = e->src,
			     .rport = e->dport, .lport = e->sport };

	if (e->family == 6) {
		struct tcp_key6 k6 = { .raddr = e->dst6, .laddr = e->src6,
				       .rport = e->dport, .lport = e->sport };

		return tcb_lookup6(t, &k6);
	}
	return tcb_lookup(t, &k);
}

void
dpt_tcp_icmp_error(void *ctx, const struct dpt_icmp_err *e, uint64_t now)
{
	struct dpt_tcp *t = ctx;
	struct dpt_tcb *c;

	/* the burst's segments that came before it go first */
	tcp_rx_run(t, now);
	c = err_conn(t, e);
	if (c == NULL) {
		t->st->c[DPT_STAT_tcp_icmp_no_conn]++;
		return;
	}
	/* RFC 5927 4.1: SND.UNA <= SEG.SEQ < SND.NXT (our snd_max: snd_nxt
	 * rewinds on a retransmission timeout) */
	if (!seq_in(e->seq, c->snd_una, c->snd_max)) {
		tcb_count(c, DPT_STAT_tcp_icmp_bad_seq);
		return;
	}
	if (e->family == 6 && e->type == ICMP6_PACKET_TOO_BIG)
		return packet_too_big(c, e, now);
	if (e->family != 6 && e->type == ICMP_DEST_UNREACH &&
	    e->code == ICMP_FRAG_NEEDED)
		return frag_needed(c, e, now);
	tcb_count(c, DPT_STAT_tcp_icmp_soft);
}
