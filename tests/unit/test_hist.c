/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hist.c: the latency histogram (lib/common/dpt_hist.c): bucket
 * boundaries, relative precision at every magnitude, percentiles, merge;
 * and the counters' listing of those not 0 (lib/common/dpt_stats.c), which
 * telemetry's bounded dictionaries show.
 */
#include <criterion/criterion.h>

#include "dpt_hist.h"
#include "dpt_stats.h"

static struct dpt_hist h, h2;

static void
clear(void)
{
	dpt_hist_init(&h);
	dpt_hist_init(&h2);
}

TestSuite(hist, .init = clear);

Test(hist, small_values_have_a_bucket_each)
{
	uint64_t w;

	for (uint64_t v = 0; v < 2 * DPT_HIST_SUB; v++) {
		cr_assert_eq(dpt_hist_index(v), v);
		cr_assert_eq(dpt_hist_bucket_low((unsigned int)v, &w), v);
		cr_assert_eq(w, 1);
	}
}

Test(hist, every_value_lies_in_its_bucket_within_one_sixtyfourth)
{
	/* powers of two, their neighbours and a spread of odd values */
	for (unsigned int e = 0; e < DPT_HIST_MAX_BITS; e++) {
		uint64_t p = 1ULL << e;
		uint64_t vs[] = { p, p - 1, p + 1, p + p / 3, 2 * p - 1 };

		for (unsigned int k = 0; k < 5; k++) {
			uint64_t v = vs[k], w, low;
			unsigned int i = dpt_hist_index(v);

			cr_assert_lt(i, DPT_HIST_BUCKETS);
			low = dpt_hist_bucket_low(i, &w);
			cr_assert(low <= v && v < low + w,
				  "v %lu in [%lu, +%lu)", v, low, w);
			cr_assert(w == 1 || w * DPT_HIST_SUB <= low,
				  "width %lu too wide at %lu", w, low);
		}
	}
}

Test(hist, buckets_are_contiguous_and_increasing)
{
	uint64_t w0, w1;

	for (unsigned int i = 0; i + 1 < DPT_HIST_BUCKETS; i++) {
		uint64_t a = dpt_hist_bucket_low(i, &w0);
		uint64_t b = dpt_hist_bucket_low(i + 1, &w1);

		cr_assert_eq(a + w0, b, "bucket %u ends at %lu, next at %lu",
			     i, a + w0, b);
	}
}

Test(hist, huge_values_go_to_the_last_bucket)
{
	cr_assert_eq(dpt_hist_index(UINT64_MAX), DPT_HIST_BUCKETS - 1);
	dpt_hist_record(&h, UINT64_MAX / 2);
	cr_assert_eq(h.bucket[DPT_HIST_BUCKETS - 1], 1);
	cr_assert_eq(dpt_hist_percentile(&h, 50), UINT64_MAX / 2);
}

Test(hist, percentiles_of_one_to_ten_thousand)
{
	for (uint64_t v = 1; v <= 10000; v++)
		dpt_hist_record(&h, v);
	cr_assert_eq(h.count, 10000);
	cr_assert_eq(h.min, 1);
	cr_assert_eq(h.max, 10000);
	cr_assert_float_eq(dpt_hist_mean(&h), 5000.5, 1e-9);
	/* exact rank, reported within the bucket's 1/64 */
	struct { double pct; double want; } q[] = {
		{ 50, 5000 }, { 90, 9000 }, { 99, 9900 }, { 99.9, 9990 },
		{ 100, 10000 },
	};
	for (unsigned int i = 0; i < 5; i++) {
		double got = (double)dpt_hist_percentile(&h, q[i].pct);

		cr_assert(got >= q[i].want * (1 - 1.0 / DPT_HIST_SUB) &&
			  got <= q[i].want * (1 + 1.0 / DPT_HIST_SUB),
			  "p%g = %g, want %g", q[i].pct, got, q[i].want);
	}
	cr_assert_eq(dpt_hist_percentile(&h, 0), 1);
}

Test(hist, a_tail_shows_in_the_high_percentiles_only)
{
	for (unsigned int i = 0; i < 990; i++)
		dpt_hist_record(&h, 5000);  /* 5 us */
	for (unsigned int i = 0; i < 10; i++)
		dpt_hist_record(&h, 1000000);  /* 1 ms */
	cr_assert_eq(dpt_hist_percentile(&h, 50), 5000 - 5000 % 64 + 32);
	cr_assert_eq(dpt_hist_percentile(&h, 99), 5000 - 5000 % 64 + 32);
	cr_assert_gt(dpt_hist_percentile(&h, 99.9), 990000);
	cr_assert_eq(dpt_hist_percentile(&h, 100), 1000000);
}

Test(hist, empty_reads_zero)
{
	cr_assert_eq(dpt_hist_percentile(&h, 99), 0);
	cr_assert_float_eq(dpt_hist_mean(&h), 0.0, 1e-12);
}

Test(hist, merge_adds_counts_and_keeps_extremes)
{
	dpt_hist_record(&h, 10);
	dpt_hist_record(&h2, 3);
	dpt_hist_record(&h2, 700);
	dpt_hist_merge(&h, &h2);
	cr_assert_eq(h.count, 3);
	cr_assert_eq(h.sum, 713);
	cr_assert_eq(h.min, 3);
	cr_assert_eq(h.max, 700);
	cr_assert_eq(h.bucket[10], 1);
	cr_assert_eq(h.bucket[3], 1);
	cr_assert_eq(h.bucket[dpt_hist_index(700)], 1);
	dpt_hist_init(&h2);
	dpt_hist_merge(&h, &h2);  /* an empty one changes nothing */
	cr_assert_eq(h.min, 3);
}

Test(hist, delta_counts_only_what_came_since_the_copy)
{
	struct dpt_hist d;

	for (unsigned int i = 0; i < 100; i++)
		dpt_hist_record(&h, 1000);
	h2 = h; /* the copy at the last report */
	for (unsigned int i = 0; i < 10; i++)
		dpt_hist_record(&h, 50000);
	dpt_hist_delta(&d, &h, &h2);
	cr_assert_eq(d.count, 10);
	cr_assert_eq(d.sum, 500000);
	cr_assert_eq(d.bucket[dpt_hist_index(1000)], 0);
	cr_assert_eq(d.bucket[dpt_hist_index(50000)], 10);
	/* 50000 lies in [49664, 50176): the bounds stand for min and max */
	cr_assert_eq(d.min, 49664);
	cr_assert_eq(d.max, 50175);
	cr_assert_eq(dpt_hist_percentile(&d, 50), 49664 + 256);
	dpt_hist_delta(&d, &h, &h);
	cr_assert_eq(d.count, 0);
	cr_assert_eq(dpt_hist_percentile(&d, 50), 0);
}

Test(stats, nonzero_lists_the_counters_not_0_in_order_and_counts_past_max)
{
	static struct dpt_stats s;
	uint16_t ids[3];

	cr_assert_eq(dpt_stats_nonzero(&s, ids, 3), 0);
	s.c[DPT_STAT_udp_rx] = 5;
	s.c[DPT_STAT_rx_steer_out] = 1;
	cr_assert_eq(dpt_stats_nonzero(&s, ids, 3), 2);
	cr_assert_eq(ids[0], DPT_STAT_rx_steer_out);
	cr_assert_eq(ids[1], DPT_STAT_udp_rx);
	for (unsigned int i = 1; i < DPT_STAT__MAX; i++)
		s.c[i] = i;
	ids[2] = 0;
	cr_assert_eq(dpt_stats_nonzero(&s, ids, 3), DPT_STAT__MAX - 1,
		     "all of them counted, however few are listed");
	cr_assert_eq(ids[0], 1);
	cr_assert_eq(ids[2], 3);
}
