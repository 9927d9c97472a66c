/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_hist.c: reading and merging the log-linear histogram (dpt_hist.h).
 */
#include <string.h>

#include "dpt_hist.h"

void
dpt_hist_init(struct dpt_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

uint64_t
dpt_hist_bucket_low(unsigned int i, uint64_t *width)
{
	unsigned int shift;

	if (i < 2 * DPT_HIST_SUB) {
		*width = 1;
		return i;
	}
	/* the inverse of dpt_hist_index(): i = shift * SUB + (v >> shift),
	 * with v >> shift in [SUB, 2 * SUB) */
	shift = i / DPT_HIST_SUB - 1;
	*width = 1ULL << shift;
	return (uint64_t)(i - shift * DPT_HIST_SUB) << shift;
}

void
dpt_hist_merge(struct dpt_hist *to, const struct dpt_hist *from)
{
	if (from->count == 0)
		return;
	for (unsigned int i = 0; i < DPT_HIST_BUCKETS; i++)
		to->bucket[i] += from->bucket[i];
	to->count += from->count;
	to->sum += from->sum;
	if (from->min < to->min)
		to->min = from->min;
	if (from->max > to->max)
		to->max = from->max;
}

void
dpt_hist_delta(struct dpt_hist *d, const struct dpt_hist *now,
	       const struct dpt_hist *then)
{
	unsigned int first = DPT_HIST_BUCKETS, last = 0;
	uint64_t w;

	d->count = 0;
	for (unsigned int i = 0; i < DPT_HIST_BUCKETS; i++) {
		d->bucket[i] = now->bucket[i] - then->bucket[i];
		if (d->bucket[i] == 0)
			continue;
		d->count += d->bucket[i];
		first = first < i ? first : i;
		last = i;
	}
	d->sum = now->sum - then->sum;
	d->min = d->count ? dpt_hist_bucket_low(first, &w) : UINT64_MAX;
	d->max = d->count ? dpt_hist_bucket_low(last, &w) + w - 1 : 0;
}

uint64_t
dpt_hist_percentile(const struct dpt_hist *h, double pct)
{
	uint64_t rank, seen = 0, low, width, v;

	if (h->count == 0)
		return 0;
	/* the smallest value with at least pct % of the values at or below */
	rank = (uint64_t)(pct / 100.0 * (double)h->count + 0.5);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (unsigned int i = 0; i < DPT_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen < rank)
			continue;
		low = dpt_hist_bucket_low(i, &width);
		v = low + width / 2;
		return v < h->min ? h->min : v > h->max ? h->max : v;
	}
	return h->max;
}

double
dpt_hist_mean(const struct dpt_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}
