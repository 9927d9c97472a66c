/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_cksum.c: the Internet checksum's variants (portable, AVX2) and the
 * choice between them; see dpt_cksum.h for why it is hand-written.
 */
#include <string.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_cpuflags.h>
#include <rte_errno.h>
#include <rte_mbuf_dyn.h>

#include "dpt_cksum.h"
#include "dpt_net.h"

#ifdef RTE_ARCH_X86
#include <immintrin.h>
#endif

/* Below this many bytes the portable loop is as fast as the vector one
 * (which folds eight lanes at its end). */
#define VEC_MIN 64

/* AVX2 in use: written once by a constructor, before main(), and only
 * read after (the CPU does not change under a running process). */
static int use_avx2;

RTE_INIT(dpt_cksum_choose)
{
#ifdef RTE_ARCH_X86
	use_avx2 = rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0;
#endif
}

int
dpt_cksum_avx2(void)
{
	return use_avx2;
}

uint16_t
dpt_cksum_scalar(const void *buf, uint32_t len)
{
	return dpt_raw_cksum(buf, len);
}

uint16_t
dpt_cksum_copy_scalar(void *dst, const void *src, uint32_t len)
{
	const uint8_t *s = src;
	uint8_t *d = dst;
	uint64_t sum = 0;

	/* 8 bytes a step, summed as two 32-bit words into 64 bits (no
	 * carry lost for the 2^32 steps a uint32_t length allows) */
	for (; len >= 8; len -= 8, s += 8, d += 8) {
		uint64_t w;

		memcpy(&w, s, sizeof(w));
		memcpy(d, &w, sizeof(w));
		sum += (w & 0xffffffff) + (w >> 32);
	}
	memcpy(d, s, len);
	return dpt_cksum_add(dpt_cksum_fold(sum), dpt_raw_cksum(s, len), 0);
}

#ifdef RTE_ARCH_X86
/* Bytes per pass of the vector loops: each 32-bit lane takes at most two
 * 16-bit words (0x1fffe) per 64 bytes, 2^15 steps before it could
 * overflow; 1 MiB is 2^14 steps. */
#define VEC_CHUNK (1u << 20)

/* AVX2, with whole 256-bit unaligned loads and stores: GCC's generic
 * tuning splits each in two 128-bit halves (a third more instructions
 * here), Haswell's, the first AVX2 CPU's, does not; clang never splits. */
#if defined(__GNUC__) && !defined(__clang__)
#define VEC_TARGET __attribute__((target("avx2,tune=haswell")))
#else
#define VEC_TARGET __attribute__((target("avx2")))
#endif

/* The eight 32-bit lanes of @a and of @b, added into 64 bits. */
static VEC_TARGET uint64_t
lanes_sum(__m256i a, __m256i b)
{
	uint32_t la[8], lb[8];
	uint64_t s = 0;

	_mm256_storeu_si256((__m256i *)la, a);
	_mm256_storeu_si256((__m256i *)lb, b);
	for (int i = 0; i < 8; i++)
		s += (uint64_t)la[i] + lb[i];
	return s;
}

/* Sum (and copy to @d unless NULL) @len bytes, a multiple of 64: every
 * 32-bit lane splits into its two 16-bit words (memory order on a
 * little-endian CPU, as the portable loop's), added into two 32-bit
 * accumulators; two loads per step keep the adds independent. The loop
 * is written twice, with and without the stores, so neither tests @d. */
#define VEC_STEP(a, b, lo16, v0, v1)                                  \
	do {                                                              \
		a = _mm256_add_epi32(a, _mm256_and_si256(v0, lo16));      \
		b = _mm256_add_epi32(b, _mm256_srli_epi32(v0, 16));       \
		a = _mm256_add_epi32(a, _mm256_and_si256(v1, lo16));      \
		b = _mm256_add_epi32(b, _mm256_srli_epi32(v1, 16));       \
	} while (0)

static VEC_TARGET uint64_t
vec_pass(const uint8_t *s, uint8_t *d, uint32_t len)
{
	const __m256i lo16 = _mm256_set1_epi32(0xffff);
	__m256i a = _mm256_setzero_si256(), b = _mm256_setzero_si256();
	const uint8_t *end = s + len;

	if (d == NULL) {
		for (; s < end; s += 64) {
			__m256i v0 = _mm256_loadu_si256((const __m256i *)s);
			__m256i v1 = _mm256_loadu_si256((const __m256i *)
							(s + 32));

			VEC_STEP(a, b, lo16, v0, v1);
		}
		return lanes_sum(a, b);
	}
	for (; s < end; s += 64, d += 64) {
		__m256i v0 = _mm256_loadu_si256((const __m256i *)s);
		__m256i v1 = _mm256_loadu_si256((const __m256i *)(s + 32));

		_mm256_storeu_si256((__m256i *)d, v0);
		_mm256_storeu_si256((__m256i *)(d + 32), v1);
		VEC_STEP(a, b, lo16, v0, v1);
	}
	return lanes_sum(a, b);
}

static uint64_t
vec_sum(const uint8_t *s, uint8_t *d, uint32_t len)
{
	uint64_t sum = 0;

	while (len > 0) {
		uint32_t n = RTE_MIN(len, VEC_CHUNK);

		sum += vec_pass(s, d, n);
		s += n;
		if (d != NULL)
			d += n;
		len -= n;
	}
	return sum;
}

uint16_t
dpt_cksum_vec(const void *buf, uint32_t len)
{
	uint32_t body = len & ~63u;
	const uint8_t *p = buf;

	/* the tail starts at an even offset: added as it is */
	return dpt_cksum_add(dpt_cksum_fold(vec_sum(p, NULL, body)),
			     dpt_raw_cksum(p + body, len - body), 0);
}

uint16_t
dpt_cksum_copy_vec(void *dst, const void *src, uint32_t len)
{
	uint32_t body = len & ~63u;
	const uint8_t *s = src;
	uint8_t *d = dst;

	memcpy(d + body, s + body, len - body);
	return dpt_cksum_add(dpt_cksum_fold(vec_sum(s, d, body)),
			     dpt_raw_cksum(s + body, len - body), 0);
}
#else
uint16_t
dpt_cksum_vec(const void *buf, uint32_t len)
{
	return dpt_cksum_scalar(buf, len);
}

uint16_t
dpt_cksum_copy_vec(void *dst, const void *src, uint32_t len)
{
	return dpt_cksum_copy_scalar(dst, src, len);
}
#endif

uint16_t
dpt_cksum(const void *buf, uint32_t len)
{
	if (use_avx2 && len >= VEC_MIN)
		return dpt_cksum_vec(buf, len);
	return dpt_raw_cksum(buf, len);
}

uint16_t
dpt_cksum_copy(void *dst, const void *src, uint32_t len)
{
	if (use_avx2 && len >= VEC_MIN)
		return dpt_cksum_copy_vec(dst, src, len);
	return dpt_cksum_copy_scalar(dst, src, len);
}

uint16_t
dpt_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t done = 0;
	uint16_t sum = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	for (; m != NULL && done < len; m = m->next, off = 0) {
		uint32_t n = RTE_MIN((uint32_t)m->data_len - off, len - done);

		/* a part starting at an odd offset sums byte-swapped */
		sum = dpt_cksum_add(sum, dpt_cksum(rte_pktmbuf_mtod_offset(m,
				    const void *, off), n), done);
		done += n;
	}
	return sum;
}

/* ---- stored sums ------------------------------------------------------ */

/* The note's place in the mbuf: set once by dpt_cksum_note_register()
 * before any worker runs (DPDK's registrations are per process, as these
 * are), read only after. */
static int note_field = -1;
static uint64_t note_flag;

int
dpt_cksum_note_register(void)
{
	static const struct rte_mbuf_dynfield f = {
		.name = "dpt_cksum_note",
		.size = sizeof(struct dpt_cksum_note),
		.align = __alignof__(struct dpt_cksum_note),
	};
	static const struct rte_mbuf_dynflag fl = {
		.name = "dpt_cksum_noted",
	};
	int off, bit;

	if (note_field >= 0)
		return 0;
	off = rte_mbuf_dynfield_register(&f);
	if (off < 0)
		return -rte_errno;
	bit = rte_mbuf_dynflag_register(&fl);
	if (bit < 0)
		return -rte_errno;
	note_flag = RTE_BIT64(bit);
	note_field = off;
	return 0;
}

void
dpt_cksum_note_set(struct rte_mbuf *m, uint32_t off, uint16_t sum)
{
	struct dpt_cksum_note *n = RTE_MBUF_DYNFIELD(m, note_field,
						     struct dpt_cksum_note *);

	n->off = (uint16_t)(m->data_off + off);
	n->sum = sum;
	m->ol_flags |= note_flag;
}

const struct dpt_cksum_note *
dpt_cksum_note_get(const struct rte_mbuf *m)
{
	if (!(m->ol_flags & note_flag)) /* 0 until registered */
		return NULL;
	return RTE_MBUF_DYNFIELD(m, note_field, const struct dpt_cksum_note *);
}

void
dpt_cksum_note_drop(struct rte_mbuf *m)
{
	m->ol_flags &= ~note_flag;
}

/* The shared info's free callback of every summed constant buffer: how
 * dpt_cksum_seg() knows one (the pointer is this function's). */
static void
const_free(void *addr, void *opaque)
{
	struct dpt_cksum_const *cc = opaque;

	cc->free_cb(addr, cc->opaque);
}

size_t
dpt_cksum_const_size(uint32_t len)
{
	return sizeof(struct dpt_cksum_const) +
	       (len / DPT_CKSUM_STRIDE + 1) * sizeof(uint16_t);
}

struct rte_mbuf_ext_shared_info *
dpt_cksum_const_init(struct dpt_cksum_const *cc, const void *buf, uint32_t len,
		     rte_mbuf_extbuf_free_callback_t free_cb, void *opaque)
{
	const uint8_t *p = buf;
	uint16_t sum = 0;

	cc->free_cb = free_cb;
	cc->opaque = opaque;
	cc->len = len;
	cc->prefix[0] = 0;
	for (uint32_t i = 0; i < len / DPT_CKSUM_STRIDE; i++) {
		sum = dpt_cksum_add(sum, dpt_cksum(p + i * DPT_CKSUM_STRIDE,
						   DPT_CKSUM_STRIDE), 0);
		cc->prefix[i + 1] = sum;
	}
	cc->shinfo.free_cb = const_free;
	cc->shinfo.fcb_opaque = cc;
	rte_mbuf_ext_refcnt_set(&cc->shinfo, 1);
	return &cc->shinfo;
}

/* Bytes [r0, r1) of a constant buffer @base from its prefix table: the
 * entries at the first and last stride boundary inside, the ends (under
 * a stride each) summed from the bytes. Parts are placed relative to r0. */
static uint16_t
from_prefix(const struct dpt_cksum_const *cc, const uint8_t *base, uint32_t r0,
	    uint32_t r1)
{
	uint32_t i0 = (r0 + DPT_CKSUM_STRIDE - 1) / DPT_CKSUM_STRIDE;
	uint32_t i1 = r1 / DPT_CKSUM_STRIDE;
	uint32_t b0 = i0 * DPT_CKSUM_STRIDE, b1 = i1 * DPT_CKSUM_STRIDE;
	uint16_t sum;

	if (i0 >= i1)
		return dpt_cksum(base + r0, r1 - r0);
	sum = dpt_cksum(base + r0, b0 - r0);
	/* the middle starts on a stride boundary: even, no swap in the
	 * buffer's coordinates */
	sum = dpt_cksum_add(sum, dpt_cksum_sub(cc->prefix[i1], cc->prefix[i0],
					       0), b0 - r0);
	return dpt_cksum_add(sum, dpt_cksum(base + b1, r1 - b1), b1 - r0);
}

/* Bytes [r0, r1) of a note's range [0, end) (@base its first byte) as the
 * whole less what lies around them, in the range's coordinates, then
 * moved to r0's. */
static uint16_t
from_whole(uint16_t whole, const uint8_t *base, uint32_t r0, uint32_t r1,
	   uint32_t end)
{
	uint16_t sum = whole;

	sum = dpt_cksum_sub(sum, dpt_cksum(base, r0), 0);
	sum = dpt_cksum_sub(sum, dpt_cksum(base + r1, end - r1), r1);
	return (r0 & 1) ? rte_bswap16(sum) : sum;
}

uint16_t
dpt_cksum_seg(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	uint32_t a = m->data_off + off, end = m->data_off + m->data_len;
	const struct dpt_cksum_note *n;

	if (RTE_MBUF_HAS_EXTBUF(m) && m->shinfo->free_cb == const_free) {
		const struct dpt_cksum_const *cc = m->shinfo->fcb_opaque;

		if (a + len <= cc->len)
			return from_prefix(cc, m->buf_addr, a, a + len);
		return dpt_cksum(p, len);
	}
	n = RTE_MBUF_DIRECT(m) ? dpt_cksum_note_get(m) : NULL;
	if (n == NULL || a < n->off)
		return dpt_cksum(p, len);
	if (a == n->off && a + len == end) /* the common case: all of it */
		return n->sum;
	if ((end - n->off) - len < len)
		return from_whole(n->sum, p - (a - n->off), a - n->off,
				  a - n->off + len, end - n->off);
	return dpt_cksum(p, len);
}
