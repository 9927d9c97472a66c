/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_hist.h: a latency histogram in the manner of HdrHistogram.
 *
 * Values (nanoseconds, or any unsigned unit) fall into log-linear buckets:
 * every value below 2 * DPT_HIST_SUB has a bucket of its own, and each
 * power of two above is cut into DPT_HIST_SUB equal buckets, so a bucket's
 * width is at most 1/DPT_HIST_SUB (1.6 %) of its values, at any magnitude,
 * in a fixed 22 KiB and with O(1) recording (a count-leading-zeros, a shift
 * and an add). Percentiles are read back as the midpoint of the bucket
 * that holds them; the minimum and maximum are exact.
 *
 * Written here rather than taken from a library: HdrHistogram_c is not in
 * Debian 12, DPDK has no histogram, and this is the small core of it (no
 * auto-resizing, no coordinated-omission correction: the generators record
 * from the moment a request is queued, so a stalled connection's wait is
 * in its latency). Plain C with no DPDK, so the Linux benchmark tools use
 * the very same buckets.
 *
 * One writer per histogram; merge per-worker histograms to read a total.
 */
#ifndef DPT_HIST_H
#define DPT_HIST_H

#include <stdint.h>

#define DPT_HIST_SUB_BITS 6
#define DPT_HIST_SUB (1u << DPT_HIST_SUB_BITS)  /* buckets per octave */
#define DPT_HIST_MAX_BITS 47                    /* 2^47 ns = 39 hours */
#define DPT_HIST_BUCKETS \
	((DPT_HIST_MAX_BITS - DPT_HIST_SUB_BITS + 1) * DPT_HIST_SUB + \
	 DPT_HIST_SUB)

struct dpt_hist {
	uint64_t count;
	uint64_t sum;        /* for the mean */
	uint64_t min, max;   /* exact; min is UINT64_MAX while empty */
	uint64_t bucket[DPT_HIST_BUCKETS];
};

/** Empty @p h. */
void dpt_hist_init(struct dpt_hist *h);

/** The bucket of @p v (values past 2^DPT_HIST_MAX_BITS share the last). */
static inline unsigned int
dpt_hist_index(uint64_t v)
{
	unsigned int e, shift;

	if (v < 2 * DPT_HIST_SUB)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v);
	if (e > DPT_HIST_MAX_BITS)
		return DPT_HIST_BUCKETS - 1;
	shift = e - DPT_HIST_SUB_BITS;
	return shift * DPT_HIST_SUB + (unsigned int)(v >> shift);
}

/** Count one value. */
static inline void
dpt_hist_record(struct dpt_hist *h, uint64_t v)
{
	h->bucket[dpt_hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/** Lowest value of bucket @p i, and its width. */
uint64_t dpt_hist_bucket_low(unsigned int i, uint64_t *width);

/** @p d = what @p now counted since @p then (an earlier copy of it):
 * per-interval percentiles from running totals. The delta's min and max
 * are its lowest and highest buckets' bounds. */
void dpt_hist_delta(struct dpt_hist *d, const struct dpt_hist *now,
		    const struct dpt_hist *then);

/** Add @p from's counts to @p to. */
void dpt_hist_merge(struct dpt_hist *to, const struct dpt_hist *from);

/** The value at or below which @p pct percent of the values lie (the
 * midpoint of its bucket, kept within [min, max]); 0 when empty. */
uint64_t dpt_hist_percentile(const struct dpt_hist *h, double pct);

/** Mean of the values; 0 when empty. */
double dpt_hist_mean(const struct dpt_hist *h);

#endif /* DPT_HIST_H */
