/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_cksum.h: the Internet checksum (RFC 1071) over bytes, over an mbuf
 * chain, and while copying.
 *
 * Every sum here is the folded 16-bit one's complement sum of the bytes
 * in memory order, not yet complemented, as rte_raw_cksum() returns it
 * (RFC 1071 2(A): byte order does not matter as long as it is the same
 * throughout). Parts combine with dpt_cksum_add(): a part that starts at
 * an odd offset of the whole is byte-swapped first (RFC 1071 2(B)).
 *
 * Hand-written, not DPDK's: DPDK 22.11's __rte_raw_cksum() adds one 16-bit
 * word per step (about 2.6 instructions a byte), and its
 * rte_raw_cksum_mbuf() truncates a segment's partial sum to 16 bits
 * before byte-swapping it when the segment starts at an odd offset, which
 * loses carries: it is wrong for most chains with an odd-length segment,
 * as TCP send queues have. Here: 32-byte AVX2 steps where the CPU has
 * AVX2 (checked once at start-up, rte_cpu_get_flag_enabled()), else
 * 32-bit words into a 64-bit sum, 16 bytes a step; the copying variant
 * sums what it copies in the same pass.
 */
#ifndef DPT_CKSUM_H
#define DPT_CKSUM_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

/** Fold a wide one's complement accumulator to 16 bits (end-around carry). */
static inline uint16_t
dpt_cksum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/**
 * Combine the sum @p a of a range with the sum @p b of the part that
 * follows it at byte offset @p at of the whole (only its parity counts).
 */
static inline uint16_t
dpt_cksum_add(uint16_t a, uint16_t b, uint32_t at)
{
	return dpt_cksum_fold((uint32_t)a + ((at & 1) ? rte_bswap16(b) : b));
}

/**
 * The sum of a whole minus one of its parts (one's complement
 * subtraction: adding the complement): @p a the whole's sum, @p b the
 * part's, starting at byte offset @p at of the whole. 0 and 0xffff are
 * the same value; either may come out.
 */
static inline uint16_t
dpt_cksum_sub(uint16_t a, uint16_t b, uint32_t at)
{
	return dpt_cksum_add(a, (uint16_t)~b, at);
}

/**
 * The sum of @p len bytes at @p buf (any length, any alignment): the
 * fastest variant this CPU has.
 */
uint16_t dpt_cksum(const void *buf, uint32_t len);

/**
 * Copy @p len bytes from @p src to @p dst (not overlapping) and return
 * their sum, in one pass over the bytes.
 */
uint16_t dpt_cksum_copy(void *dst, const void *src, uint32_t len);

/**
 * The sum of @p len bytes from offset @p off of chain @p m (fewer if the
 * chain is shorter), right whatever the segments' lengths and alignments.
 */
uint16_t dpt_cksum_mbuf(const struct rte_mbuf *m, uint32_t off,
			uint32_t len);

/** The portable variant of dpt_cksum() (for tests and comparisons). */
uint16_t dpt_cksum_scalar(const void *buf, uint32_t len);

/** The portable variant of dpt_cksum_copy(). */
uint16_t dpt_cksum_copy_scalar(void *dst, const void *src, uint32_t len);

/**
 * Whether the AVX2 variants are in use (the CPU has AVX2); tests compare
 * both variants only then.
 */
int dpt_cksum_avx2(void);

/** The AVX2 variant of dpt_cksum(); only if dpt_cksum_avx2(). */
uint16_t dpt_cksum_vec(const void *buf, uint32_t len);

/** The AVX2 variant of dpt_cksum_copy(); only if dpt_cksum_avx2(). */
uint16_t dpt_cksum_copy_vec(void *dst, const void *src, uint32_t len);

#endif /* DPT_CKSUM_H */
