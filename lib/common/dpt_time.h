/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpt_time.h: the one unit of time protocol code sees.
 *
 * Protocol code never reads a clock: the run loop reads it once per iteration
 * and passes `now` down, in microseconds since an arbitrary origin. Tests pass
 * a fake clock the same way. Microseconds resolve RTTs on a LAN and still give
 * 584,000 years before a uint64_t wraps.
 */
#ifndef DPT_TIME_H
#define DPT_TIME_H

#include <stdint.h>

#define DPT_US_PER_MS 1000ULL
#define DPT_US_PER_S 1000000ULL

/** Milliseconds to dptcp time. */
static inline uint64_t
dpt_ms(uint64_t ms)
{
	return ms * DPT_US_PER_MS;
}

/** Seconds to dptcp time. */
static inline uint64_t
dpt_s(uint64_t s)
{
	return s * DPT_US_PER_S;
}

#endif /* DPT_TIME_H */
