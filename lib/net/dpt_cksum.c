/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_cksum.c: the Internet checksum's variants (portable, AVX2) and the
 * choice between them; see dpt_cksum.h for why it is hand-written.
 */
#include <string.h>

#include <rte_common.h>
#include <rte_cpuflags.h>

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

/* The eight 32-bit lanes of @a and of @b, added into 64 bits. */
static __attribute__((target("avx2"))) uint64_t
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
 * accumulators; two loads per step keep the adds independent. */
static __attribute__((target("avx2"))) uint64_t
vec_pass(const uint8_t *s, uint8_t *d, uint32_t len)
{
	const __m256i lo16 = _mm256_set1_epi32(0xffff);
	__m256i a = _mm256_setzero_si256(), b = _mm256_setzero_si256();

	for (; len > 0; len -= 64, s += 64) {
		__m256i v0 = _mm256_loadu_si256((const __m256i *)s);
		__m256i v1 = _mm256_loadu_si256((const __m256i *)(s + 32));

		if (d != NULL) {
			_mm256_storeu_si256((__m256i *)d, v0);
			_mm256_storeu_si256((__m256i *)(d + 32), v1);
			d += 64;
		}
		a = _mm256_add_epi32(a, _mm256_and_si256(v0, lo16));
		b = _mm256_add_epi32(b, _mm256_srli_epi32(v0, 16));
		a = _mm256_add_epi32(a, _mm256_and_si256(v1, lo16));
		b = _mm256_add_epi32(b, _mm256_srli_epi32(v1, 16));
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
