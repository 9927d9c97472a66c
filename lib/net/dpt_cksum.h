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
 * 32-bit words into a 64-bit sum, 16 bytes a step (8 in the copying
 * variant, which sums what it copies in the same pass).
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

/*
 * Stored sums, so that output sums what it sends without reading the
 * bytes again:
 * - Bytes copied into a fresh mbuf with dpt_cksum_copy() get a note: a
 *   dynamic field (rte_mbuf_dynfield_register(), 4 bytes: the mbuf's
 *   dynamic area has little room left) saying from which byte of the
 *   buffer the sum runs, to the end of the data, and a dynamic flag in
 *   ol_flags, which a new life of the mbuf (rte_pktmbuf_reset(), a PMD's
 *   receive) clears. Whoever appends bytes to a noted mbuf updates the
 *   note or drops it (dpt_cksum_note_drop()). Direct mbufs only: a clone
 *   ends elsewhere.
 * - A constant buffer (an mbuf external buffer, such as the HTTP body
 *   that services clone) is summed once at creation into a table of
 *   prefix sums every DPT_CKSUM_STRIDE bytes, kept with its shared info
 *   (struct dpt_cksum_const), which every clone points to: any range of
 *   it costs at most two strides of reading.
 * A range other than the one noted is summed from the note where that
 * reads fewer bytes, else from the bytes: a note is never trusted beyond
 * its range.
 */

/** Bytes between the entries of a constant buffer's prefix table. */
#define DPT_CKSUM_STRIDE 64

/** What a stored sum of a direct mbuf covers: from byte @p off of its
 * buffer (buffer coordinates: a trim at the front leaves it true) to the
 * end of its data. */
struct dpt_cksum_note {
	uint16_t off;           /**< first byte covered, from buf_addr */
	uint16_t sum;           /**< the sum of the bytes covered */
};

/**
 * Register the note's dynamic field and flag (once per process; later
 * calls return at once). Before any other dpt_cksum_note_* call.
 *
 * @return
 *   0, or a negative errno (rte_errno of the registration).
 */
int dpt_cksum_note_register(void);

/** Note that @p m's data from offset @p off to its end sums to @p sum. */
void dpt_cksum_note_set(struct rte_mbuf *m, uint32_t off, uint16_t sum);

/** @p m's note, or NULL. */
const struct dpt_cksum_note *dpt_cksum_note_get(const struct rte_mbuf *m);

/** Forget @p m's note (bytes are being added that it does not cover). */
void dpt_cksum_note_drop(struct rte_mbuf *m);

/** A constant external buffer with its sums: its shared info, to attach
 * the buffer with (rte_pktmbuf_attach_extbuf()), then the prefix table. */
struct dpt_cksum_const {
	struct rte_mbuf_ext_shared_info shinfo; /**< its free_cb is this
						  *  library's, which marks
						  *  the buffer as summed */
	rte_mbuf_extbuf_free_callback_t free_cb; /**< the owner's */
	void *opaque;                            /**< its argument */
	uint32_t len;                            /**< bytes summed, from the
						   *  buffer's start */
	uint16_t prefix[];                       /**< entry i: the sum of
						   *  bytes [0, i * STRIDE) */
};

/** Bytes a struct dpt_cksum_const for a buffer of @p len bytes takes. */
size_t dpt_cksum_const_size(uint32_t len);

/**
 * Sum the @p len constant bytes at @p buf into @p cc (dpt_cksum_const_size()
 * bytes, 8-aligned) and make its shared info, whose last reference calls
 * @p free_cb(@p buf, @p opaque). Returns &cc->shinfo for
 * rte_pktmbuf_attach_extbuf(). The bytes must never change after.
 */
struct rte_mbuf_ext_shared_info *dpt_cksum_const_init(
	struct dpt_cksum_const *cc, const void *buf, uint32_t len,
	rte_mbuf_extbuf_free_callback_t free_cb, void *opaque);

/**
 * The sum of bytes [@p off, @p off + @p len) of one segment @p m's data,
 * from its note or its constant buffer's table where they cover them and
 * that reads fewer bytes.
 */
uint16_t dpt_cksum_seg(const struct rte_mbuf *m, uint32_t off, uint32_t len);

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
