/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_tcp_seg.h: a TCP segment, parsed once.
 *
 * Owns the TCP wire format (RFC 9293 3.1) and its options (MSS, RFC 9293
 * 3.7.1; window scale and timestamps, RFC 7323; SACK, RFC 2018): the
 * validated host-order struct dpt_tcp_seg the state machine works on, the
 * parser that fills it, the writer for our own headers, and the sequence
 * space comparisons (modulo 2^32, RFC 9293 3.4).
 */
#ifndef DPT_TCP_SEG_H
#define DPT_TCP_SEG_H

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dpt_net.h"
#include "dpt_stats.h"

#define DPT_TCP_FIN RTE_TCP_FIN_FLAG
#define DPT_TCP_SYN RTE_TCP_SYN_FLAG
#define DPT_TCP_RST RTE_TCP_RST_FLAG
#define DPT_TCP_PSH RTE_TCP_PSH_FLAG
#define DPT_TCP_ACK RTE_TCP_ACK_FLAG
#define DPT_TCP_URG RTE_TCP_URG_FLAG

/* Which options a segment carries (struct dpt_tcp_opts.present). */
#define DPT_TCPOPT_MSS 0x01
#define DPT_TCPOPT_WS 0x02
#define DPT_TCPOPT_SACK_OK 0x04
#define DPT_TCPOPT_TS 0x08
#define DPT_TCPOPT_SACK 0x10

#define DPT_TCP_MAX_SACK 4        /* blocks in one segment (RFC 2018 3) */
#define DPT_TCP_HDR_MAX 60        /* header with the most options */
#define DPT_TCP_MAX_WSCALE 14     /* RFC 7323 2.3 */

struct dpt_tcp_sack {
	uint32_t left;  /* first sequence number of the block */
	uint32_t right; /* sequence number just past the block */
};

/** TCP options, host order. */
struct dpt_tcp_opts {
	uint8_t present; /**< DPT_TCPOPT_* */
	uint8_t wscale;  /**< window scale shift (clamped to 14) */
	uint8_t n_sack;  /**< SACK blocks */
	uint16_t mss;    /**< maximum segment size */
	uint32_t tsval;  /**< timestamp value */
	uint32_t tsecr;  /**< timestamp echo reply */
	struct dpt_tcp_sack sack[DPT_TCP_MAX_SACK];
};

/** A validated TCP segment, host order. */
struct dpt_tcp_seg {
	uint32_t saddr, daddr; /**< IPv4 addresses; for IPv6 the IPv6
				 *  addresses folded (a quick compare of
				 *  4-tuples, never a key) */
	uint16_t sport, dport; /**< ports */
	uint32_t seq;          /**< SEG.SEQ */
	uint32_t ack;          /**< SEG.ACK */
	uint32_t len;          /**< SEG.LEN: payload bytes (not SYN/FIN) */
	uint16_t wnd;          /**< SEG.WND as on the wire (unscaled) */
	uint16_t urp;          /**< urgent pointer */
	uint8_t flags;         /**< DPT_TCP_* */
	uint8_t hdr_len;       /**< header bytes, options included */
	uint8_t tos;           /**< the IP TOS byte (IPv6: traffic class) */
	uint8_t v6;            /**< 1: over IPv6 (the addresses are the
				 *  caller's: struct dpt_ipv6) */
	struct dpt_tcp_opts opt;
	uint16_t gro_segs;     /**< wire segments receive coalescing joined
				 *  into this one (TCP input sets it; 1 for
				 *  a segment as received) */
	uint16_t gro_size;     /**< payload of each of them but the last */
};

/** An IPv6 address in 32 bits, its words XORed: a quick compare of
 * 4-tuples (struct dpt_tcp_seg), and the maps indexed by a peer's address
 * (tcp_peers.c), which hash it again; never a key. */
static inline uint32_t
dpt_tcp_in6_fold(const struct dpt_in6 *a)
{
	uint32_t w[4];

	memcpy(w, a, sizeof(w));
	return w[0] ^ w[1] ^ w[2] ^ w[3];
}

/* Sequence space comparisons, RFC 9293 3.4: modulo 2^32. */
static inline int seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline int seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline int seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline int seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }
/** lo <= x < hi in sequence space. */
static inline int
seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
	return x - lo < hi - lo;
}
static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }
static inline uint32_t seq_min(uint32_t a, uint32_t b) { return seq_lt(a, b) ? a : b; }

/**
 * Parse and validate the TCP segment whose header starts @p m's data.
 *
 * Checks the data offset against the segment length and the checksum
 * (the PMD's verdict when RTE_MBUF_F_RX_L4_CKSUM_GOOD or _BAD is set,
 * software otherwise). Flags are not judged here: any combination, none at
 * all or SYN with FIN or RST, is the state machine's to answer as RFC 9293
 * 3.10.7 says (a RST from a closed port, 3.10.7.1). Options are parsed;
 * malformed options end option parsing without rejecting the segment (RFC
 * 9293 3.1, MUST-64), counted as tcp_opt_malformed.
 *
 * @return
 *   DPT_STAT_OK, or tcp_drop_short, tcp_drop_hdr_len, tcp_drop_cksum.
 */
enum dpt_stat dpt_tcp_parse(const struct rte_mbuf *m, const struct dpt_ipv4 *ip,
			    struct dpt_tcp_seg *seg, struct dpt_stats *st);

/**
 * dpt_tcp_parse() of a segment that came over IPv6 (@p ip, walked by
 * dpt_ipv6_parse(); the segment is what follows its extension headers):
 * the checksum over RFC 8200 8.1's pseudo-header, mandatory as ever for
 * TCP. Sets seg->v6, and saddr and daddr to the addresses folded
 * (dpt_tcp_in6_fold()); the addresses themselves stay in @p ip.
 *
 * @return
 *   As dpt_tcp_parse().
 */
enum dpt_stat dpt_tcp_parse6(const struct rte_mbuf *m,
			     const struct dpt_ipv6 *ip,
			     struct dpt_tcp_seg *seg, struct dpt_stats *st);

/**
 * Parse @p len bytes of options at @p p.
 *
 * @return
 *   0, or -1 if they were malformed (what came before is kept).
 */
int dpt_tcp_opts_parse(const uint8_t *p, unsigned int len, int syn,
		       struct dpt_tcp_opts *o);

/** Bytes of options dpt_tcp_write_hdr() writes for @p o (a multiple of 4). */
unsigned int dpt_tcp_opts_len(const struct dpt_tcp_opts *o);

/**
 * Write a TCP header with options at @p p: ports, seq, ack, flags, window,
 * urgent pointer 0, checksum 0, then the options of seg->opt in the order
 * Linux uses (MSS, SACK-permitted, timestamps, window scale; timestamps
 * then SACK blocks), NOP-padded to 32 bits.
 *
 * @return
 *   Header length in bytes.
 */
unsigned int dpt_tcp_write_hdr(uint8_t *p, const struct dpt_tcp_seg *seg);

#endif /* DPT_TCP_SEG_H */
